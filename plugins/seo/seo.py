"""Page metadata for sharing and search engines, and the template helpers the theme relies on.

- Jinja filters: ``safe_url`` (allow-lists link schemes: front matter is scraped, so a
  ``javascript:`` URL must never become a link), ``iso_duration`` (chapter times as valid
  ``<time datetime>`` values), ``split_transcript`` (folds a transcript section of the notes
  into ``<details>``), ``lead_needed`` (skips a summary that merely repeats the notes).
- Jinja globals: ``episode_jsonld(article)`` (schema.org ``PodcastEpisode``), ``site_jsonld()``
  and ``THEME_HAS_SEARCH_CSS`` (the search engineer's stylesheet is linked only if it exists).
- ``robots.txt`` pointing at the absolute ``sitemap.xml``.

Absolute URLs (canonical, OpenGraph, JSON-LD, robots.txt) come from ``SEO_SITEURL``, which
defaults to ``FEED_DOMAIN`` (the ``make serve`` address locally, the real SITEURL in
production): relative URLs are useless to a crawler.
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals

from digest.htmltext import stripped_opening

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_TIME = re.compile(r"^\s*(?:(\d{1,2}):)?(\d{1,2}):(\d{2})\s*$")
# A heading that opens a transcript in the rendered notes, e.g. "<h2>Transcript</h2>".
_TRANSCRIPT_HEADING = re.compile(
    r"<h([1-6])[^>]*>\s*(?:full\s+)?transcript(?:ion)?\s*:?\s*</h\1>", re.IGNORECASE
)
_TAGS = re.compile(r"<[^>]+>")


def site_url(settings: dict[str, Any]) -> str:
    base = settings.get("SEO_SITEURL") or settings.get("FEED_DOMAIN") or settings.get("SITEURL")
    return (base or "").rstrip("/")


def safe_url(url: Any) -> str:
    """The URL if its scheme is http, https or mailto (or it is site-relative), else ``""``."""
    if not url:
        return ""
    text = str(url).strip()
    # Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
    compact = re.sub(r"[\x00-\x20\x7f]+", "", text)
    match = _SCHEME.match(compact)
    if match is None:
        return text if compact.startswith(("/", "#", "?")) else ""
    return text if match.group(1).lower() in ALLOWED_SCHEMES else ""


def iso_duration(time: Any) -> str:
    """``"1:02:10"`` → ``"PT1H2M10S"``; ``""`` when the text is not a time."""
    match = _TIME.match(str(time or ""))
    if not match:
        return ""
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return f"PT{hours}H{minutes}M{seconds}S" if hours else f"PT{minutes}M{seconds}S"


def split_transcript(html: str) -> tuple[Markup, Markup]:
    """Split rendered notes into (notes, transcript) at a "Transcript" heading."""
    html = html or ""
    match = _TRANSCRIPT_HEADING.search(html)
    if not match:
        return Markup(html), Markup("")
    return Markup(html[: match.start()]), Markup(html[match.end() :])


_NOTES_HEADING = re.compile(r"<h([1-6])[^>]*>\s*show\s+notes\s*:?\s*</h\1>", re.IGNORECASE)


def split_notes(html: str) -> tuple[Markup, Markup, Markup]:
    """Split rendered notes into (intro, notes, transcript).

    Ingest writes the summary first, then a "Show notes" heading, then the full notes and an
    optional "Transcript" heading: the theme shows the intro as the lead paragraph, the notes
    under its own "Show notes" heading (so it does not appear twice) and folds the transcript.
    """
    body, transcript = split_transcript(html)
    match = _NOTES_HEADING.search(body)
    if not match:
        return Markup(""), body, transcript
    return Markup(body[: match.start()]), Markup(body[match.end() :]), transcript


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", _TAGS.sub(" ", html or "")).strip()


def lead_needed(article: Any) -> bool:
    """Show the summary as a lead paragraph unless the notes open with the same words."""
    summary = re.sub(r"\s+", " ", getattr(article, "summary_text", "") or "").strip()
    if not summary:
        return False
    head = _plain_opening(getattr(article, "content", "") or "", len(summary) + 200)
    return summary[:80].rstrip(".… ") not in head


def _plain_opening(html: str, chars: int) -> str:
    """``_plain(html)[:chars]`` without stripping a whole 65 kB transcript (a build-time cost
    on every episode page)."""
    return stripped_opening(html, chars, _plain)


def _jsonld(data: dict[str, Any]) -> Markup:
    # Inside <script type="application/ld+json"> only "</" can end the block early; escape
    # "<", ">" and "&" so no scraped string can.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)


def make_episode_jsonld(settings: dict[str, Any]):
    base = site_url(settings)

    def episode_jsonld(article: Any) -> Markup:
        data: dict[str, Any] = {
            "@context": "https://schema.org",
            "@type": "PodcastEpisode",
            "name": article.title,
            "url": f"{base}/{article.url}",
        }
        if getattr(article, "summary_text", None):
            data["description"] = article.summary_text
        if not getattr(article, "date_estimated", False):
            data["datePublished"] = article.date.date().isoformat()
        if getattr(article, "episode", None) is not None:
            data["episodeNumber"] = article.episode
        if getattr(article, "language", None):
            data["inLanguage"] = article.language
        show = getattr(article, "show", None)
        if show:
            data["partOfSeries"] = {
                "@type": "PodcastSeries",
                "name": str(getattr(article.category, "name", show)),
                "url": f"{base}/{article.category.url}",
            }
        guests = getattr(article, "guests", None) or []
        if guests:
            data["actor"] = [{"@type": "Person", "name": str(guest)} for guest in guests]
        tags = getattr(article, "tags", None) or []
        if tags:
            data["keywords"] = ", ".join(str(getattr(tag, "name", tag)) for tag in tags)
        return _jsonld(data)

    # What it reads of an article (and of its category and tags: names and URLs), so that
    # fast_build's render cache need not assume it reads everything.
    episode_jsonld.fast_build_reads = frozenset(  # type: ignore[attr-defined]
        {"title", "url", "summary_text", "date_estimated", "date", "episode", "language",
         "show", "category", "guests", "tags", "name"}
    )  # fmt: skip
    return episode_jsonld


def make_site_jsonld(settings: dict[str, Any]):
    base = site_url(settings)

    def site_jsonld() -> Markup:
        return _jsonld(
            {
                "@context": "https://schema.org",
                "@type": "WebSite",
                "name": settings.get("SITENAME", ""),
                "description": settings.get("SITESUBTITLE", ""),
                "url": f"{base}/",
            }
        )

    return site_jsonld


lead_needed.fast_build_reads = frozenset({"summary_text", "content"})  # type: ignore[attr-defined]

# Filters that read their argument only as text (``str()``), never an article's or a tag's
# other attributes: fast_build's render cache may then track attributes per template.
for _plain_filter in (safe_url, iso_duration, split_transcript, split_notes):
    _plain_filter.fast_build_plain = True  # type: ignore[attr-defined]


def add_template_helpers(generator) -> None:
    env = getattr(generator, "env", None)
    if env is None:
        return
    settings = generator.settings
    env.filters.update(
        safe_url=safe_url,
        iso_duration=iso_duration,
        split_transcript=split_transcript,
        split_notes=split_notes,
        lead_needed=lead_needed,
    )
    theme = Path(settings.get("THEME", ""))
    env.globals.update(
        episode_jsonld=make_episode_jsonld(settings),
        site_jsonld=make_site_jsonld(settings),
        SEO_SITEURL=site_url(settings),
        THEME_HAS_SEARCH_CSS=(theme / "static" / "css" / "search.css").exists(),
    )


def write_robots(pelican) -> None:
    settings = pelican.settings
    if not settings.get("SEO_ROBOTS_TXT", True):
        return
    base = site_url(settings)
    lines = ["User-agent: *", "Allow: /"]
    for path in settings.get("SEO_ROBOTS_DISALLOW", ()):
        lines.append(f"Disallow: {path}")
    lines += ["", f"Sitemap: {base}/sitemap.xml", ""]
    target = Path(pelican.output_path) / "robots.txt"
    data = "\n".join(lines).encode("utf-8")
    if target.exists() and target.read_bytes() == data:
        return  # a rebuild leaves unchanged files alone (deploys, file watchers)
    target.write_bytes(data)
    log.debug("seo: wrote %s", target)


def register() -> None:
    signals.generator_init.connect(add_template_helpers)
    signals.finalized.connect(write_robots)
