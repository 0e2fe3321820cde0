"""Pelican reader: Markdown with YAML front matter, rendered by markdown-it-py.

Everything this reader reads is untrusted: ingest writes front matter from scraped text, and
editors hand-edit it. So (see SECURITY.md):

* Markdown renders with raw HTML off; link and image URLs are allow-listed by scheme
  (http, https, mailto — relative URLs pass); secret-shaped strings and secret URL parameters are
  redacted (``scrub.py``) in the body and every front-matter string.
* Values that templates put inside attributes are validated here, because escaping alone does not
  make them safe there: ``slug`` (URL path), ``language`` (``lang=``), ``links[].url`` (``href=``).
* Plain-text fields (title, show, guests, tags, summary_text, link and chapter labels) stay plain
  text; templates must escape them (Jinja autoescape). ``summary`` is provided pre-escaped.

A broken hand-edited file is reported as ``file:line: message`` through logging. A file that
cannot be published (bad YAML, no usable title or date) raises FrontMatterError so Pelican skips
just that file; a bad optional field is dropped with an error and the page still builds.
Unknown keys pass through unchanged (editors' additions are not lost) with a warning.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any, ClassVar
from urllib.parse import unquote

import yaml
from markdown_it import MarkdownIt
from markupsafe import escape
from pelican import signals
from pelican.readers import BaseReader
from pelican.urlwrappers import Category, Tag
from pelican.utils import get_date, slugify

from .scrub import scrub_text, scrub_url

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Ingest's bookkeeping (what it last wrote per field): never published.
BOOKKEEPING_KEYS = {"ingested"}
# The front-matter contract (digest/episode.py) plus the Pelican keys editors may use.
KNOWN_KEYS = {
    "title", "slug", "date", "show", "category", "tags", "summary", "guests", "language",
    "episode", "chapters", "links", "truncated", "source", "date_estimated", "modified", "status",
    "template", "save_as", "url",
}  # fmt: skip
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# ISO 639-1/-3 with optional BCP 47 subtags (pt, pt-BR, zh-Hant): safe inside lang="…".
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
CHAPTER_TIME = re.compile(r"^\d{1,3}(?::[0-5]\d){1,2}$")
# Control characters XML 1.0 forbids: one NUL in a scraped blurb made the Atom feed writer raise
# UnserializableContentError and abort the whole build. Also noncharacters and lone surrogates.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


class FrontMatterError(ValueError):
    """Front matter that cannot be read; the message names file and line."""


def is_allowed_url(url: str) -> bool:
    """Relative URLs and the allow-listed schemes pass; `javascript:`, `data:`… never do."""
    # Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:");
    # markdown-it percent-encodes them first ("java%09script:"), so decode before looking.
    compact = re.sub(r"[\x00-\x20\x7f]+", "", unquote(url))
    match = _SCHEME.match(compact)
    return match is None or match.group(1).lower() in ALLOWED_SCHEMES


def is_absolute_allowed_url(url: str) -> bool:
    """For front-matter links: an absolute http(s)/mailto URL and nothing else."""
    if not isinstance(url, str) or url != url.strip() or re.search(r"[\x00-\x20\x7f]", url):
        return False
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() not in ALLOWED_SCHEMES:
        return False
    return match.group(1).lower() == "mailto" or url[match.end() :].startswith("//")


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_allowed_url
    normalize = md.normalizeLink
    md.normalizeLink = lambda url: normalize(scrub_url(url))
    return md


def _key_lines(raw: str, first_line: int) -> dict[str, int]:
    """Map each top-level key to the file line it is on (for `file:line` messages)."""
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value).lower(): key.start_mark.line + first_line
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }


def split_front_matter(text: str, source: str = "<string>") -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line number where the body starts)."""
    front, body, body_line, _ = _split(text, source)
    return front, body, body_line


def _split(text: str, source: str) -> tuple[dict[str, Any], str, int, dict[str, int]]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1, {}
    raw = match.group(1) or ""
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1 for 0-based, +1 for the '---'
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(f"{source}:{line}: invalid YAML front matter: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(f"{source}:2: front matter must be a mapping of keys to values")
    body_line = text.count("\n", 0, match.end()) + 1
    return data, text[match.end() :], body_line, _key_lines(raw, 2)


def clean_chars(value: Any) -> Any:
    """Drop characters no HTML page or XML feed may carry, in strings nested anywhere."""
    if isinstance(value, str):
        return _FORBIDDEN_CHARS.sub("", value)
    if isinstance(value, list):
        return [clean_chars(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_chars(item) for key, item in value.items()}
    return value


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [str(value)]


def _is_text(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(_is_text(item) or item is None for item in value)
    )


class _Problems:
    """Collects `file:line: message` reports for one file and logs them."""

    def __init__(self, source: str, lines: dict[str, int]) -> None:
        self.source, self.lines = source, lines

    def where(self, key: str) -> str:
        return f"{self.source}:{self.lines.get(key, 1)}"

    def error(self, key: str, message: str) -> None:
        log.error("%s: %s", self.where(key), message)

    def warning(self, key: str, message: str) -> None:
        log.warning("%s: %s", self.where(key), message)

    def fatal(self, key: str, message: str) -> FrontMatterError:
        text = f"{self.where(key)}: {message}"
        log.error("%s", text)
        return FrontMatterError(text)


class MarkdownItReader(BaseReader):
    enabled = True
    file_extensions: ClassVar[list[str]] = ["md", "markdown", "mkd"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._md = make_markdown()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with open(source_path, encoding="utf-8") as handle:
            text = handle.read()
        try:
            front, body, _, lines = _split(text, source_path)
        except FrontMatterError as exc:
            log.error("%s", exc)
            raise
        html = self._md.render(scrub_text(clean_chars(body)))
        return html, self._metadata(clean_chars(front), _Problems(source_path, lines))

    def _metadata(self, front: dict[str, Any], problems: _Problems) -> dict[str, Any]:
        settings = self.settings
        metadata: dict[str, Any] = {}
        for key, value in front.items():
            name = str(key).lower()
            if name in BOOKKEEPING_KEYS or value is None:
                continue
            if isinstance(value, str):
                value = scrub_text(value)
            if name not in KNOWN_KEYS:
                problems.warning(name, f"unknown front matter key {name!r} (kept as is)")
                metadata[name] = value
            elif name == "title":
                if not _is_text(value) or not str(value).strip():
                    raise problems.fatal(
                        name, f"title must be text, got {type(value).__name__}: {value!r}"
                    )
                metadata["title"] = str(value).strip()
            elif name == "date" or name == "modified":
                metadata[name] = _to_datetime(value, problems, name)
            elif name == "tags":
                if not _is_text_list(value) or not isinstance(value, str | list):
                    problems.error(name, f"tags must be a list of topic slugs, got {value!r}")
                    continue
                metadata["tags"] = [Tag(tag, settings) for tag in _as_list(value)]
            elif name in ("show", "category"):
                if not _is_text(value) or not str(value).strip():
                    problems.error(name, f"{name} must be a show name, got {value!r}")
                    continue
                metadata["category"] = Category(str(value).strip(), settings)
                metadata["show"] = str(value).strip()
            elif name == "summary":
                if not _is_text(value):
                    problems.error(name, f"summary must be text, got {type(value).__name__}")
                    continue
                # Summaries are plain text from the episode's own words: escape, never trust.
                metadata["summary"] = str(escape(str(value)))
                metadata["summary_text"] = str(value)
            elif name == "guests":
                if not _is_text_list(value):
                    problems.error(name, f"guests must be a list of names, got {value!r}")
                    continue
                metadata["guests"] = [scrub_text(guest) for guest in _as_list(value)]
            elif name == "slug":
                slug = self._slug(value, problems)
                if slug:
                    metadata["slug"] = slug
            elif name == "language":
                if not isinstance(value, str) or not LANGUAGE.match(value):
                    problems.error(name, f"language must be an ISO 639-1 code, got {value!r}")
                    continue
                metadata["language"] = value
            elif name == "episode":
                if isinstance(value, bool) or not isinstance(value, int | str):
                    problems.error(name, f"episode must be a number, got {value!r}")
                    continue
                if isinstance(value, str) and not value.strip().isdigit():
                    problems.error(name, f"episode must be a number, got {value!r}")
                    continue
                metadata["episode"] = int(value)
            elif name in ("truncated", "date_estimated"):
                if not isinstance(value, bool):
                    problems.error(name, f"{name} must be true or false, got {value!r}")
                    continue
                metadata[name] = value
            elif name == "links":
                metadata["links"] = _links(value, problems)
            elif name == "chapters":
                metadata["chapters"] = _chapters(value, problems)
            else:  # source, status, template, save_as, url: Pelican or provenance, passed on
                metadata[name] = value
        return metadata

    def _slug(self, value: Any, problems: _Problems) -> str | None:
        if not _is_text(value):
            problems.error("slug", f"slug must be text, got {value!r}")
            return None
        slug = str(value)
        if SAFE_SLUG.match(slug):
            return slug
        # The slug becomes a URL path and an href: anything but [a-z0-9._-] is rewritten.
        fixed = slugify(slug, regex_subs=self.settings.get("SLUG_REGEX_SUBSTITUTIONS", []))
        fixed = re.sub(r"[^a-z0-9._-]+", "-", fixed.lower()).strip("-._")
        problems.error(
            "slug", f"slug {slug!r} is not lowercase-words-with-hyphens; using {fixed!r}"
        )
        return fixed or None


def _links(value: Any, problems: _Problems) -> list[dict[str, str]]:
    if not isinstance(value, list):
        problems.error("links", f"links must be a list of {{url, label}}, got {value!r}")
        return []
    links = []
    for item in value:
        url = item.get("url") if isinstance(item, dict) else item
        label = item.get("label") if isinstance(item, dict) else None
        if not isinstance(url, str) or not is_absolute_allowed_url(url.strip()):
            problems.error("links", f"link dropped: only http, https and mailto URLs, got {url!r}")
            continue
        url = scrub_url(scrub_text(url.strip()))
        text = scrub_text(str(label)) if _is_text(label) and str(label).strip() else url
        links.append({"url": url, "label": text})
    return links


def _chapters(value: Any, problems: _Problems) -> list[dict[str, str]]:
    if not isinstance(value, list):
        problems.error("chapters", f"chapters must be a list of {{time, label}}, got {value!r}")
        return []
    chapters = []
    for item in value:
        if not isinstance(item, dict) or not _is_text(item.get("label")):
            problems.error("chapters", f"chapter dropped: needs time and label, got {item!r}")
            continue
        time = str(item.get("time", "")).strip()
        if not CHAPTER_TIME.match(time):
            problems.error("chapters", f"chapter dropped: time must be like 02:49, got {time!r}")
            continue
        chapters.append({"time": time, "label": scrub_text(str(item["label"]))})
    return chapters


def _to_datetime(value: Any, problems: _Problems, key: str = "date") -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return get_date(value)
        except (ValueError, TypeError, OverflowError):
            pass
    raise problems.fatal(key, f"invalid {key} {value!r} (use YYYY-MM-DD)")


def add_reader(readers) -> None:
    for extension in MarkdownItReader.file_extensions:
        readers.reader_classes[extension] = MarkdownItReader


def register() -> None:
    signals.readers_init.connect(add_reader)
