"""Pelican plugin: a compact lunr index and a columnar document store for lunr.js.

Why this shape (docs/search.md has the design and the measured figures):

* the index is lunr.py's, but shipped in the compact format of :mod:`.compact` (about a fifth
  of ``json.dumps(index.serialize())``) and expanded by the browser's Web Worker;
* the build-time stemmer is lunr.js's (:mod:`.stemmer`), so "deploy" indexed here is the
  "deploy" a reader types;
* indexed text goes through :func:`.text.normalise` (accents, emoji, possessives), the same
  function the browser applies to queries;
* every file name carries a content hash (long-lived caching) except ``search/entry.json``,
  the one fixed-name file pages point at (so no page's bytes depend on the index), and every
  URL in the store is relative to SITEURL, so the site works under a subpath;
* the document store is sharded (``SEARCH_SHARD_DOCS`` episodes per file): a first search
  fetches the index plus the few shards holding the results it shows.

The index is built once all articles are read, by a forked process while the build goes on
(:class:`_IndexProcess`, ``SEARCH_PROCESS``), and its files are in place when the site is
finalized.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import os
import pickle
import re
import sys
import time
import traceback
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from html import unescape
from pathlib import Path
from typing import Any

from pelican import signals

from digest.cachefile import load_cache, save_cache

from .compact import (
    DocumentCounts,
    DocumentTokenizer,
    FieldSpec,
    compact_counts,
    encode_postings,
    fast_compact,
)
from .text import alias_key, normalise

log = logging.getLogger(__name__)

__all__ = [
    "DEFAULT_FIELDS",
    "SearchRecord",
    "TopicInfo",
    "build_files",
    "build_index",
    "build_payloads",
    "build_store",
    "documents_for",
    "record_key",
    "register",
    "shard_store",
    "write_files",
]

DEFAULT_FIELDS: tuple[dict[str, Any], ...] = (
    {"field_name": "title", "boost": 10},
    {"field_name": "tags", "boost": 5},
    {"field_name": "show", "boost": 3},
    {"field_name": "guests", "boost": 3},
    {"field_name": "summary", "boost": 2},
    {"field_name": "body"},
)
DEFAULT_OUTPUT_DIR = "search"
DEFAULT_BODY_CHARS = 600
DEFAULT_SUMMARY_CHARS = 160
DEFAULT_SHARD_DOCS = 4
ENTRY_NAME = "entry.json"
CACHE_NAME = "search_index.pickle"

_pending: dict[str, Any] = {}
# Names this plugin writes under the search directory (content-hashed, or a leftover temp file).
_STALE = re.compile(
    r"^(?:(?:index|store|lunr)\.[0-9a-f]{12}\.(?:json|js)|docs/[0-9a-f]{10}\.json)(?:\.tmp)?$"
)


@dataclass(frozen=True)
class TopicInfo:
    """A topic as search needs it: display name, page URL and the aliases readers type."""

    slug: str
    name: str
    url: str
    aliases: tuple[str, ...] = ()


@dataclass
class SearchRecord:
    """One episode as the index and the store see it (plain text, URLs relative to SITEURL)."""

    title: str
    url: str
    date: str
    show: str = ""
    show_url: str = ""
    topics: list[TopicInfo] = field(default_factory=list)
    guests: list[str] = field(default_factory=list)
    summary: str = ""
    body: str = ""


_TAG = re.compile(r"<[^>]*>")
# Only the opening of a body is indexed (SEARCH_BODY_CHARS after the summary), so only the
# opening of its HTML is read: stripping a whole 65 KB transcript was 15 % of a 1,000-episode
# build with BeautifulSoup (docs/benchmarks.md).
_HTML_WINDOW = 20_000
_DEFAULT_INTRASITE = "[{|](?P<what>.*?)[|}]"  # Pelican 4.12's INTRASITE_LINK_REGEX


def _plain_text(html: str) -> str:
    """Text of the reader's HTML. markdown-it renders with raw HTML off, so every ``<`` in it
    starts a tag and text holds entities only: a regex and ``html.unescape`` read it exactly."""
    return " ".join(unescape(_TAG.sub(" ", (html or "")[:_HTML_WINDOW])).split())


def _body_html(article: Any) -> str:
    """The opening of ``article.content`` that :func:`_plain_text` reads.

    ``content`` rewrites intrasite links (``{filename}…``, ``|static|…``) over the whole body on
    every access; a rewrite only replaces a quoted attribute value that starts with ``{`` or
    ``|``, so when the opening window holds neither, that window is ``_content``'s unchanged."""
    raw = getattr(article, "_content", None)
    settings = getattr(article, "settings", None) or {}
    regex = settings.get("INTRASITE_LINK_REGEX", _DEFAULT_INTRASITE)
    if (
        isinstance(raw, str)
        and regex == _DEFAULT_INTRASITE
        and not hasattr(article, "_get_content")
    ):
        head = raw[:_HTML_WINDOW]
        if "{" not in head and "|" not in head:
            return head
    return article.content


def _hashed_name(stem: str, payload: bytes, extension: str) -> str:
    return f"{stem}.{hashlib.sha256(payload).hexdigest()[:12]}.{extension}"


def _short(text: str, limit: int) -> str:
    """Cut at a word boundary: the store only needs enough summary for a snippet."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:.—-") + "…"


def _without_prefix(body: str, summary: str) -> str:
    """The body minus a leading copy of the summary (ingest writes the blurb's lead as both):
    indexing it twice grew the payload without changing which episode ranks first."""
    body = " ".join(body.split())
    summary = " ".join(summary.split())
    return body[len(summary) :] if summary and body.startswith(summary) else body


def documents_for(
    records: Sequence[SearchRecord], body_chars: int = DEFAULT_BODY_CHARS
) -> list[dict[str, str]]:
    """The text lunr indexes per record: normalised (text.py), body trimmed to ``body_chars``.

    ``tags`` holds each topic's display name and its aliases, so "k8s" finds Kubernetes
    episodes even where the text never says it.
    """
    return [
        {
            "title": normalise(record.title),
            "tags": normalise(" ".join(" ".join((t.name, *t.aliases)) for t in record.topics)),
            "show": normalise(record.show),
            "guests": normalise(" ".join(record.guests)),
            "summary": normalise(record.summary),
            "body": normalise(_without_prefix(record.body, record.summary)[:body_chars]),
        }
        for record in records
    ]


def build_store(
    records: Sequence[SearchRecord],
    summary_chars: int = DEFAULT_SUMMARY_CHARS,
    extra_topics: Iterable[TopicInfo] = (),
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(shared tables, columnar document store). Shows and topics are numbered once.

    The tables travel in the index: the shows and topics lists, the alias map for query
    expansion, and ``docs`` — every episode's show and topic numbers, which facets and filters
    need for *all* hits. The store holds only what a displayed result shows (title, url, date,
    summary) as parallel arrays, so it can be sharded and fetched for the shown results only.
    """
    topics: dict[str, TopicInfo] = {}
    counts: dict[str, int] = {}
    for record in records:
        for topic in record.topics:
            topics.setdefault(topic.slug, topic)
            counts[topic.slug] = counts.get(topic.slug, 0) + 1
    for topic in extra_topics:
        topics.setdefault(topic.slug, topic)
    topic_order = sorted(topics, key=lambda slug: (-counts.get(slug, 0), slug))
    topic_no = {slug: i for i, slug in enumerate(topic_order)}
    shows: dict[str, int] = {}
    show_rows: list[list[str]] = []
    docs: dict[str, list[Any]] = {"show": [], "topics": []}
    store: dict[str, Any] = {"n": len(records), "title": [], "url": [], "date": [], "summary": []}
    for record in records:
        if record.show and record.show not in shows:
            shows[record.show] = len(show_rows)
            show_rows.append([record.show, record.show_url])
        docs["show"].append(shows.get(record.show, -1))
        docs["topics"].append([topic_no[t.slug] for t in record.topics])
        store["title"].append(record.title)
        store["url"].append(record.url)
        store["date"].append(record.date)
        store["summary"].append(_short(record.summary, summary_chars))
    aliases: dict[str, int] = {}
    for slug in topic_order:
        topic = topics[slug]
        for name in (slug, topic.name, *topic.aliases):
            key = alias_key(name)
            if key:
                aliases.setdefault(key, topic_no[slug])
    tables = {
        "shows": show_rows,
        "topicList": [
            [slug, topics[slug].name, topics[slug].url, counts.get(slug, 0)] for slug in topic_order
        ],
        "aliases": aliases,
        "docs": docs,
    }
    return tables, store


def shard_store(store: dict[str, Any], size: int) -> list[dict[str, Any]]:
    """The columnar store cut into shards of ``size`` episodes (shard ``k`` holds refs
    ``k*size`` … ``k*size+size-1``): a first search fetches only the shards of the shown hits."""
    keys = [key for key in store if key != "n"]
    return [
        {key: store[key][start : start + size] for key in keys}
        for start in range(0, store["n"], size)
    ] or [{key: [] for key in keys}]


def build_payloads(
    records: Sequence[SearchRecord],
    fields: Sequence[dict[str, Any]] = DEFAULT_FIELDS,
    body_chars: int = DEFAULT_BODY_CHARS,
    summary_chars: int = DEFAULT_SUMMARY_CHARS,
    extra_topics: Iterable[TopicInfo] = (),
    counts_memo: dict[str, DocumentCounts] | None = None,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(compact index, columnar document store) for ``records``; ref ``i`` is ``records[i]``.

    Pelican-free so the benchmark and the unit tests drive exactly what the plugin ships.
    ``extra_topics`` adds aliases of topics no episode carries yet (they still expand queries).
    ``counts_memo`` (record key → term counts) is read and filled: a rebuild normalises and
    tokenises only the records that changed.
    """
    specs = [FieldSpec(f["field_name"], f.get("boost", 1)) for f in fields]
    if counts_memo is None:
        index = fast_compact(specs, documents_for(records, body_chars))
    else:
        index = compact_counts(specs, _cached_counts(records, specs, body_chars, counts_memo))
    tables, store = build_store(records, summary_chars, extra_topics)
    index["tables"] = tables
    return index, store


def _key_values(record: SearchRecord, body: str) -> tuple:
    """A record's values with ``body`` as its body: what :func:`record_key` and
    :func:`_source_key` digest (dataclasses.astuple deep-copies: ten times slower)."""
    return (
        record.title,
        record.url,
        record.date,
        record.show,
        record.show_url,
        [(t.slug, t.name, t.url, t.aliases) for t in record.topics],
        record.guests,
        record.summary,
        body,
    )


def record_key(record: SearchRecord, fields: Sequence[FieldSpec], body_chars: int) -> str:
    """A digest of everything a record's term counts depend on (its values and the options)."""
    values = _key_values(record, record.body)
    data = pickle.dumps((values, [(f.name, f.boost) for f in fields], body_chars), protocol=4)
    return hashlib.sha256(data).hexdigest()


def _cached_counts(
    records: Sequence[SearchRecord],
    fields: Sequence[FieldSpec],
    body_chars: int,
    memo: dict[str, DocumentCounts],
) -> list[DocumentCounts]:
    tokenizer: DocumentTokenizer | None = None
    result = []
    for record in records:
        key = record_key(record, fields, body_chars)
        counts = memo.get(key)
        if counts is None:
            tokenizer = tokenizer or DocumentTokenizer(fields)
            counts = memo[key] = tokenizer.counts(documents_for([record], body_chars)[0])
        result.append(counts)
    return result


def build_files(
    index: dict[str, Any],
    store: dict[str, Any],
    lunr_bytes: bytes | None,
    shard_docs: int = DEFAULT_SHARD_DOCS,
) -> tuple[dict[str, bytes], dict[str, Any]]:
    """({path under the search directory: bytes}, entry).

    Every file but the entry carries a content hash in its name (cache forever). The entry
    (``entry.json``, fixed name, fetched with ``no-cache``) names the hashed lunr.js and index;
    the index names the store shards (``shard_docs`` episodes each; 0 = one whole store file,
    named by the entry). All names are relative to the entry's directory, so a page under any
    subpath resolves them against the entry's URL. Pages carry only the entry's URL: a content
    change alters the index, the shards it touches and the entry, never the pages' bytes.
    """
    files: dict[str, bytes] = {}
    entry: dict[str, Any] = {"version": 1}
    index = encode_postings(index)
    if shard_docs > 0:
        names = []
        for shard in shard_store(store, shard_docs):
            data = _dumps(shard)
            name = f"docs/{hashlib.sha256(data).hexdigest()[:10]}.json"
            files[name] = data
            names.append(name)
        index["shards"] = {"size": shard_docs, "files": names}
    else:
        data = _dumps(store)
        entry["store"] = _hashed_name("store", data, "json")
        files[entry["store"]] = data
    index_bytes = _dumps(index)
    entry["index"] = _hashed_name("index", index_bytes, "json")
    files[entry["index"]] = index_bytes
    if lunr_bytes is not None:
        entry["lunr"] = _hashed_name("lunr", lunr_bytes, "js")
        files[entry["lunr"]] = lunr_bytes
    files[ENTRY_NAME] = _dumps(entry)
    return files, entry


def _taxonomy(settings: dict[str, Any]) -> dict[str, Any]:
    """slug → Topic from TOPICS_FILE, or {} when the file or the loader is missing."""
    path = settings.get("TOPICS_FILE")
    if not path or not os.path.exists(path):
        return {}
    try:
        from digest.taxonomy import load_taxonomy
    except ImportError:  # the repository root is not on sys.path (an unusual run)
        log.warning("search_index: digest.taxonomy not importable; no query aliases")
        return {}
    return {topic.slug: topic for topic in load_taxonomy(path)}


def _records(
    articles: Sequence[Any], taxonomy: dict[str, Any], deferred: bool = False
) -> list[SearchRecord]:
    """One record per article. ``deferred``: ``url`` and ``body`` left empty, for
    :func:`_complete` to fill (the URL once Pelican's URLs are final and memoised, the body
    only for an episode whose term counts are not cached)."""
    records = []
    # A digest has thousands of episodes but a few hundred tags and dozens of shows, shared
    # between articles: one (immutable) TopicInfo per tag object and one URL per category,
    # instead of formatting TAG_URL/CATEGORY_URL again for every article in the one process.
    infos: dict[int, tuple[Any, TopicInfo]] = {}
    show_urls: dict[int, tuple[Any, str]] = {}
    for article in articles:
        topics = []
        for tag in getattr(article, "tags", None) or []:
            held = infos.get(id(tag))
            if held is None:
                known = taxonomy.get(tag.slug)
                info = TopicInfo(
                    slug=tag.slug,
                    name=known.name if known else tag.name,
                    url=tag.url,
                    aliases=tuple(known.aliases) if known else (),
                )
                held = infos[id(tag)] = (tag, info)  # the tag kept alive: its id stays its own
            topics.append(held[1])
        show = getattr(article, "show", "") or ""
        category = getattr(article, "category", None)
        show_url = ""
        if show and category is not None:
            held_url = show_urls.get(id(category))
            if held_url is None:
                held_url = show_urls[id(category)] = (category, category.url)
            show_url = held_url[1]
        records.append(
            SearchRecord(
                title=article.title,
                url="" if deferred else article.url,
                date=_iso_day(article.date),
                show=show,
                show_url=show_url,
                topics=topics,
                guests=list(getattr(article, "guests", None) or []),
                summary=getattr(article, "summary_text", "") or "",
                body="" if deferred else _plain_text(_body_html(article)),
            )
        )
    return records


def _iso_day(date: Any) -> str:
    """``date.strftime("%Y-%m-%d")``. Pelican's ``SafeDatetime.strftime`` formats each
    directive on its own through ``pelican.utils.strftime`` (for ``%-d`` and locales): for
    these three the native method gives the same text, without a regex pass per episode."""
    if isinstance(date, datetime.datetime):
        return datetime.datetime.strftime(date, "%Y-%m-%d")
    return date.strftime("%Y-%m-%d")


def _source_key(
    record: SearchRecord, html: str, fields: Sequence[FieldSpec], body_chars: int
) -> str:
    """:func:`record_key` with the HTML the body is read from in place of the body: the
    plain text is a function of that HTML (:func:`_plain_text`), so a rebuild strips only the
    episodes whose counts are not cached (stripping every body was ~0.5 s at 10,000)."""
    values = _key_values(record, html)
    data = pickle.dumps(
        ("html", values, [(f.name, f.boost) for f in fields], body_chars), protocol=4
    )
    return hashlib.sha256(data).hexdigest()


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def search_context(pelican_or_generator) -> None:
    """Every page names only the fixed entry file (``SEARCH_ENTRY``): its bytes do not depend
    on the content, so an edit never rewrites pages just because the index changed."""
    settings = pelican_or_generator.settings
    out_dir = settings.get("SEARCH_OUTPUT_DIR", DEFAULT_OUTPUT_DIR)
    pelican_or_generator.context["SEARCH_ENTRY"] = f"{out_dir}/{ENTRY_NAME}"


def _code_version() -> str:
    """This plugin's code and lunr's version: what cached term counts and files depend on
    besides the records and the settings."""
    import lunr

    digest = hashlib.sha256(str(getattr(lunr, "__VERSION__", "")).encode())
    for path in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


class _Cache:
    """Term counts per record and the last build's files, kept in the cache folder.

    Why: normalising and tokenising every episode was most of the index time, and a rebuild
    that changed one episode's tags re-did it for all of them."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.enabled = bool(settings.get("SEARCH_CACHE", True))
        self.path = Path(settings.get("CACHE_PATH") or "cache") / CACHE_NAME
        self.version = _code_version() if self.enabled else ""
        self.counts: dict[str, DocumentCounts] = {}
        self.inputs = ""
        self.files: dict[str, bytes] = {}
        self.entry: dict[str, Any] = {}
        if not self.enabled:
            return
        data = load_cache(self.path)
        if (
            data.get("version") == self.version
            and {"counts", "inputs", "files", "entry"} <= data.keys()
        ):
            self.counts = data["counts"]
            self.inputs, self.files, self.entry = data["inputs"], data["files"], data["entry"]

    def save(self, counts: dict[str, DocumentCounts], inputs: str, files, entry) -> None:
        if not self.enabled:
            return
        data = {"version": self.version, "counts": counts, "inputs": inputs, "files": files,
                "entry": entry}  # fmt: skip
        save_cache(self.path, data, protocol=pickle.HIGHEST_PROTOCOL)


def _generator_taxonomy(generator, settings: dict[str, Any]) -> dict[str, Any] | None:
    """The taxonomy the topics plugin already loaded from the same file, if it did: parsing
    the YAML again cost as much as indexing a few hundred episodes."""
    taxonomy = getattr(generator, "topics_taxonomy", None)
    path = settings.get("TOPICS_FILE")
    if taxonomy is None or not path or not os.path.exists(path):
        return None
    try:
        if Path(str(taxonomy.path)).resolve() != Path(path).resolve():
            return None
        return {topic.slug: topic for topic in taxonomy}
    except (AttributeError, TypeError):
        return None


def build_index(generator) -> None:
    """article_generator_finalized: the records of the index, completed, indexed and written by
    a forked process (:class:`_IndexProcess`) or else at ``finalized`` (:func:`write_files`),
    or at once when ``DEFER`` is off."""
    started = time.perf_counter()
    settings = generator.settings
    out_dir = settings.get("SEARCH_OUTPUT_DIR", DEFAULT_OUTPUT_DIR)
    articles = sorted(generator.articles, key=lambda a: a.date, reverse=True)
    taxonomy = _generator_taxonomy(generator, settings)
    if taxonomy is None:
        taxonomy = _taxonomy(settings)
    extra = [
        TopicInfo(slug, topic.name, settings.get("TAG_URL", "tag/{slug}.html").format(slug=slug),
                  tuple(topic.aliases))
        for slug, topic in taxonomy.items()
    ]  # fmt: skip
    lunr_js = settings.get("SEARCH_LUNR_JS")
    lunr_bytes = None
    if lunr_js and os.path.exists(lunr_js):
        with open(lunr_js, "rb") as handle:
            lunr_bytes = handle.read()
    else:
        log.warning("search_index: lunr.js not found at %r; run `npm ci`", lunr_js)

    records = _records(articles, taxonomy, deferred=DEFER)
    # The body HTML as it is now (``content`` resolves intrasite links against the pages read
    # so far); the URL is read when the records are completed (in the index process, or at
    # ``finalized`` when fast_build has memoised it): reading it here in the parent computed
    # every article's URL twice in a build.
    htmls = [_body_html(article)[:_HTML_WINDOW] for article in articles] if DEFER else None
    state = (settings, out_dir, articles, records, htmls, extra, lunr_bytes, started)
    stale = _pending.pop("worker", None)
    if stale is not None:  # a build that failed before ``finalized`` left it
        stale.join()
    _pending["state"] = state
    generator.context["SEARCH_ENTRY"] = f"{out_dir}/{ENTRY_NAME}"
    if not DEFER:
        _complete()
    elif settings.get("SEARCH_PROCESS", True) and hasattr(os, "fork"):
        _pending["worker"] = _IndexProcess.start(generator.output_path, state)


class _IndexProcess:
    """The index built and written by a forked process while the build goes on.

    Why: building the index (normalising, tokenising, compacting, JSON, ~2,500 files at 10,000
    episodes) is ~4 s of one core, and it ran at ``finalized``, after rendering, while the
    other core idled; the related plugin's ranking right after :func:`build_index` is serial
    too. Every input is final here (the records, the bodies' HTML; an article's URL does not
    change after reading), so a fork computes what :func:`_complete` would, saves the search
    cache, writes the files as :func:`write_files` would, and sends back the log line.
    :func:`write_files` waits for it; should it fail, the parent builds the index itself, from
    the same state, as without the process (``SEARCH_PROCESS = False``).
    """

    # Larger than any message sent here, smaller than a pipe's buffer: the child never blocks
    # on a parent that stopped before ``finalized``.
    MAX_MESSAGE = 16_000

    def __init__(self, pid: int, fd: int) -> None:
        self.pid, self.fd = pid, fd

    @classmethod
    def start(cls, output_path: str, state: tuple) -> _IndexProcess:
        read, write = os.pipe()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child, checked by its output
            os.close(read)
            code = 1
            try:
                files, message = _compute(state)
                _write_output(output_path, state[1], files)
                payload, code = pickle.dumps(("ok", message)), 0
            except BaseException:  # reported to the parent, which builds the index itself
                detail = traceback.format_exc()[-cls.MAX_MESSAGE :]
                payload = pickle.dumps(("error", detail))
            try:
                os.write(write, payload[: cls.MAX_MESSAGE * 4])
            finally:
                os._exit(code)
        os.close(write)
        return cls(pid, read)

    def join(self) -> tuple | None:
        """The ``log.info`` arguments of the finished index, or None when the process failed
        (a warning says why)."""
        chunks = []
        try:
            while chunk := os.read(self.fd, 65536):
                chunks.append(chunk)
        finally:
            os.close(self.fd)
        _, status = os.waitpid(self.pid, 0)
        code = os.waitstatus_to_exitcode(status)
        try:
            kind, value = pickle.loads(b"".join(chunks))
        except Exception:
            kind, value = "error", f"no result (exit code {code})"
        if kind == "ok" and code == 0:
            return value
        log.warning("search_index: the index process failed; building the index here:\n%s", value)
        return None


# Reference switch for tests (tests/build/test_rebuild_search.py): False builds the records
# whole at ``article_generator_finalized`` and keys them by their plain text, as before.
DEFER = True


def _complete() -> None:
    """The index, the store shards and the entry from the records :func:`build_index` made,
    in this process (``_pending["files"]``)."""
    state = _pending.pop("state", None)
    if state is None:
        return
    files, message = _compute(state)
    _pending["files"] = files
    log.info(*message)


def _compute(state: tuple) -> tuple[dict[str, bytes], tuple]:
    """({path under the output directory: bytes}, the ``log.info`` arguments that report it)
    for :func:`build_index`'s state; the search cache is read and saved here."""
    settings, out_dir, articles, records, htmls, extra, lunr_bytes, started = state
    fields = settings.get("SEARCH_INDEX_FIELDS", DEFAULT_FIELDS)
    body_chars = settings.get("SEARCH_BODY_CHARS", DEFAULT_BODY_CHARS)
    summary_chars = settings.get("SEARCH_SUMMARY_CHARS", DEFAULT_SUMMARY_CHARS)
    shard_docs = settings.get("SEARCH_SHARD_DOCS", DEFAULT_SHARD_DOCS)
    cache = _Cache(settings)
    specs = [FieldSpec(f["field_name"], f.get("boost", 1)) for f in fields]
    if htmls is None:
        keys = [record_key(record, specs, body_chars) for record in records]
    else:
        for record, article in zip(records, articles, strict=True):
            record.url = article.url
        keys = [
            _source_key(record, html, specs, body_chars)
            for record, html in zip(records, htmls, strict=True)
        ]
    inputs = hashlib.sha256(
        pickle.dumps(
            (cache.version, keys, extra, summary_chars, shard_docs, out_dir,
             hashlib.sha256(lunr_bytes).hexdigest() if lunr_bytes is not None else None),
            protocol=4,
        )
    ).hexdigest()  # fmt: skip
    if cache.enabled and cache.inputs == inputs and cache.files:
        files, entry, reused = cache.files, cache.entry, True  # nothing indexed changed
        counts = cache.counts
    else:
        counts = {key: cache.counts[key] for key in keys if key in cache.counts}
        if htmls is None:
            index, store = build_payloads(
                records, fields=fields, body_chars=body_chars, summary_chars=summary_chars,
                extra_topics=extra, counts_memo=counts,
            )  # fmt: skip
        else:
            tokenizer: DocumentTokenizer | None = None
            documents = []
            for record, html, key in zip(records, htmls, keys, strict=True):
                found = counts.get(key)
                if found is None:
                    record.body = _plain_text(html)
                    tokenizer = tokenizer or DocumentTokenizer(specs)
                    found = counts[key] = tokenizer.counts(documents_for([record], body_chars)[0])
                documents.append(found)
            index = compact_counts(specs, documents)
            index["tables"], store = build_store(records, summary_chars, extra)
        files, entry = build_files(index, store, lunr_bytes, shard_docs)
        reused = False
        cache.save(counts, inputs, files, entry)
    message = (
        "search_index: %d episodes, index %d bytes, %d store files (%d bytes), %.2f s%s",
        len(articles), len(files[entry["index"]]), len(files) - 2 - ("lunr" in entry),
        sum(len(v) for k, v in files.items() if k.startswith(("docs/", "store."))),
        time.perf_counter() - started, " (unchanged, reused)" if reused else "",
    )  # fmt: skip
    return {f"{out_dir}/{name}": data for name, data in files.items()}, message


def write_files(pelican) -> None:
    """finalized: write the search files atomically (a reader never sees half a file); a file
    whose bytes are already on disk is left alone (incremental builds, rsync, watchers). Hashed
    files of earlier builds are removed, so shards do not pile up in a kept output directory."""
    out_dir = pelican.settings.get("SEARCH_OUTPUT_DIR", DEFAULT_OUTPUT_DIR)
    worker = _pending.pop("worker", None)
    if worker is not None:
        message = worker.join()
        if message is not None:  # the files are written
            _pending.pop("state", None)
            log.info(*message)
            return
    _complete()
    _write_output(pelican.output_path, out_dir, _pending.pop("files", {}))


def _write_output(output_path: str, out_dir: str, files: dict[str, bytes]) -> None:
    """:func:`write_files`' work once the files are built (here or in the index process)."""
    for name, payload in files.items():
        path = os.path.join(output_path, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            with open(path, "rb") as handle:
                if handle.read() == payload:
                    continue
        except OSError:
            pass
        tmp = f"{path}.tmp"
        with open(tmp, "wb") as handle:
            handle.write(payload)
        os.replace(tmp, path)
    if not files:
        return
    root = os.path.join(output_path, out_dir)
    keep = {os.path.normpath(os.path.join(output_path, name)) for name in files}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.normpath(os.path.join(folder, name))
            if path not in keep and _STALE.match(os.path.relpath(path, root)):
                os.remove(path)


def register() -> None:
    signals.article_generator_init.connect(search_context)
    signals.article_generator_finalized.connect(build_index)
    signals.finalized.connect(write_files)
