"""Topics and shows for Pelican: taxonomy names and descriptions on tag pages, related topics,
counts, and show metadata on category pages.

Topics are Pelican *tags* and shows are Pelican *categories*; pages, pagination and the Atom
feeds per topic and per show are Pelican's own (TAG_URL, TAG_FEED_ATOM, CATEGORY_URL, … in
pelicanconf.py). This plugin only adds what Pelican lacks:

* every tag is resolved through the taxonomy (``content/topics.yml``, via
  :func:`digest.taxonomy.load_taxonomy`): ``k8s``, ``Kubernetes`` and ``kubernetes`` become one
  :class:`~pelican.urlwrappers.Tag` whose ``.slug`` is the taxonomy slug and ``.name`` the
  topic's display name — two topics can never share a page;
* a tag that is not in the taxonomy is logged as a warning naming the file (``make check``
  fails on it through ``scripts/topics.py validate``); it keeps its own page;
* each Tag gets ``.description`` (str), ``.count`` (int, published episodes) and ``.related``
  (list of Tag, by co-occurrence, topped up with the taxonomy's ``related``);
* each Category gets ``.homepage``, ``.description`` and ``.count`` from ``content/shows.yml``
  (via :func:`digest.shows.load_shows`), and the show's own slug;
* templates get ``topics`` (Tags sorted by name) and ``shows`` (Categories sorted by name).

Settings (defaults in brackets): TOPICS_FILE [content/topics.yml], SHOWS_FILE
[content/shows.yml], TOPICS_RELATED_MAX [5], TOPICS_RELATED_MIN_SHARED [1].
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from pathlib import Path

from pelican import signals
from pelican.urlwrappers import Category, Tag

from digest.taxonomy import Taxonomy, load_taxonomy

_ROOT = Path(__file__).resolve().parents[2]

logger = logging.getLogger(__name__)

__all__ = ["register"]

DEFAULT_TOPICS_FILE = _ROOT / "content" / "topics.yml"
DEFAULT_SHOWS_FILE = _ROOT / "content" / "shows.yml"
DEFAULT_RELATED_MAX = 5
DEFAULT_RELATED_MIN_SHARED = 1


def _taxonomy(settings) -> Taxonomy:
    # Loaded per build, not cached across builds: `make serve` must pick up edits.
    return load_taxonomy(Path(settings.get("TOPICS_FILE") or DEFAULT_TOPICS_FILE))


def _shows(settings) -> dict[str, object]:
    """Shows keyed by every normalised name and alias."""
    path = Path(settings.get("SHOWS_FILE") or DEFAULT_SHOWS_FILE)
    from digest.shows import load_shows, normalise_name

    registry = load_shows(path)
    out: dict[str, object] = {}
    for show in registry.shows:
        for name in show.names:
            out.setdefault(normalise_name(name), show)
    out["__normalise__"] = normalise_name
    return out


def _all_articles(generator) -> list:
    return [
        *generator.articles,
        *generator.translations,
        *getattr(generator, "hidden_articles", []),
        *getattr(generator, "hidden_translations", []),
        *getattr(generator, "drafts", []),
        *getattr(generator, "drafts_translations", []),
    ]


def _source(article) -> str:
    return str(getattr(article, "source_path", None) or getattr(article, "slug", "?"))


def resolve_tags(generator) -> None:
    """``article_generator_pretaxonomy``: tags → taxonomy Tags, shows → show Categories."""
    settings = generator.settings
    taxonomy = _taxonomy(settings)
    shared: dict[str, Tag] = {}

    def tag_for(slug: str, name: str) -> Tag:
        if slug not in shared:
            tag = Tag(name, settings)
            tag.slug = slug
            topic = taxonomy.get(slug)
            tag.description = topic.description if topic else ""
            tag.related = []
            tag.count = 0
            tag.in_taxonomy = topic is not None
            shared[slug] = tag
        return shared[slug]

    # A tag name's slug, looked up once per build: resolving folds Unicode and punctuation
    # (~10 µs), and 10,000 episodes carry ~24,000 tags spelt ~100 ways.
    slugs: dict[str, str | None] = {}
    for article in _all_articles(generator):
        tags = getattr(article, "tags", None)
        if not tags:
            continue
        resolved: list[Tag] = []
        for tag in tags:
            raw = getattr(tag, "name", str(tag))
            slug = slugs[raw] if raw in slugs else slugs.setdefault(raw, taxonomy.resolve(raw))
            if slug is None:
                logger.warning(
                    "%s: unknown topic %r (not in %s); add it to the taxonomy or fix the tag",
                    _source(article),
                    raw,
                    taxonomy.path,
                )
                new = tag_for(tag.slug, raw)
            else:
                new = tag_for(slug, taxonomy[slug].name)
            if new not in resolved:
                resolved.append(new)
        article.tags = resolved
        if "tags" in getattr(article, "metadata", {}):
            article.metadata["tags"] = resolved

    _resolve_shows(generator)
    generator.topics_tags = shared
    generator.topics_taxonomy = taxonomy


def _resolve_shows(generator) -> None:
    settings = generator.settings
    try:
        shows = _shows(settings)
    except Exception as exc:  # a broken shows.yml must not hide the topic pages
        logger.warning("shows: cannot load %s: %s", settings.get("SHOWS_FILE"), exc)
        shows = {}
    normalise = shows.pop("__normalise__", None)
    shared: dict[str, Category] = {}
    # Each category name is folded once per build (10,000 episodes name ~25 shows).
    by_name: dict[str, object] = {}
    for article in _all_articles(generator):
        cat = getattr(article, "category", None)
        if cat is None:
            continue
        name = cat.name
        if name in by_name:
            show = by_name[name]
        else:
            show = by_name[name] = shows.get(normalise(name)) if normalise else None
        slug = show.slug if show is not None else cat.slug
        if slug not in shared:
            new = Category(show.name if show is not None else cat.name, settings)
            new.slug = slug
            new.homepage = getattr(show, "homepage", None) or ""
            new.description = getattr(show, "description", None) or ""
            new.count = 0
            new.show = show
            shared[slug] = new
        article.category = shared[slug]
        if "category" in getattr(article, "metadata", {}):
            article.metadata["category"] = shared[slug]
    generator.topics_shows = shared


def add_counts_and_related(generator) -> None:
    """``article_generator_finalized``: counts, related topics, ``topics``/``shows`` context."""
    settings = generator.settings
    max_related = int(settings.get("TOPICS_RELATED_MAX", DEFAULT_RELATED_MAX))
    min_shared = int(settings.get("TOPICS_RELATED_MIN_SHARED", DEFAULT_RELATED_MIN_SHARED))
    tags: dict[str, Tag] = getattr(generator, "topics_tags", {})
    shows: dict[str, Category] = getattr(generator, "topics_shows", {})

    co: dict[str, Counter[str]] = defaultdict(Counter)
    counts: Counter[str] = Counter()
    show_counts: Counter[str] = Counter()
    for article in generator.articles:  # published main articles, as Pelican lists them
        slugs = [t.slug for t in getattr(article, "tags", [])]
        counts.update(slugs)
        for a in slugs:
            for b in slugs:
                if a != b:
                    co[a][b] += 1
        cat = getattr(article, "category", None)
        if cat is not None:
            show_counts[cat.slug] += 1

    taxonomy = getattr(generator, "topics_taxonomy", None) or _taxonomy(settings)
    for slug, tag in tags.items():
        tag.count = counts[slug]
        ranked = sorted(
            (
                other
                for other, n in co[slug].items()
                if n >= min_shared and counts[other] and tags[other].in_taxonomy
            ),
            key=lambda other: (-co[slug][other], tags[other].name.casefold()),
        )
        topic = taxonomy.get(slug)
        for other in topic.related if topic else ():
            if other not in ranked and counts[other] and other in tags:
                ranked.append(other)
        tag.related = [tags[other] for other in ranked[:max_related]]
    for slug, cat in shows.items():
        cat.count = show_counts[slug]

    topics = sorted((t for t in tags.values() if t.count), key=lambda t: t.name.casefold())
    show_list = sorted((c for c in shows.values() if c.count), key=lambda c: c.name.casefold())
    generator.context["topics"] = topics
    generator.context["shows"] = show_list


def register() -> None:
    signals.article_generator_pretaxonomy.connect(resolve_tags)
    signals.article_generator_finalized.connect(add_counts_and_related)
