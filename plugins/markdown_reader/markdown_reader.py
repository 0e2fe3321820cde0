"""Pelican reader: Markdown with YAML front matter, rendered by markdown-it-py.

Everything this reader reads is untrusted: ingest writes front matter from scraped text, and
editors hand-edit it. So (see SECURITY.md):

* Markdown renders with raw HTML off; link and image URLs are allow-listed by scheme
  (http, https, mailto — relative URLs pass); secret-shaped strings and secret URL parameters are
  redacted (``digest/scrub.py``) in the body and every front-matter string.
* The front-matter contract (types, safe slugs, ``lang`` codes, link schemes) is checked by
  ``digest.frontmatter``, the same code `make check` runs, so build and check always agree.
* Plain-text fields (title, show, guests, tags, summary_text, link and chapter labels) stay plain
  text; templates must escape them (Jinja autoescape). ``summary`` is provided pre-escaped.

A broken hand-edited file is reported as ``file:line: message`` through logging. A file that
cannot be published (bad YAML, no usable title or date) raises FrontMatterError so Pelican skips
just that file; a bad optional field is dropped with an error and the page still builds.
Unknown keys pass through unchanged (editors' additions are not lost) with a warning.

**Parallel reading** (issue 9). Reading — YAML, the front-matter check, scrubbing, markdown-it —
is CPU-bound and was single-core. At a generator's first ``*_generator_preread`` the plugin
lists the files that generator will read (its own ``get_files``, as Pelican does), drops those
Pelican's content cache will serve (same file-stamp check, so a no-change rebuild reads
nothing), and reads the rest in a ``fork`` pool (``MARKDOWN_READER_PROCESSES``, default
``os.cpu_count()`` capped at 4). Workers send back plain values only (HTML, checked front-matter
values, problems); :meth:`MarkdownItReader.read` takes a file's result when Pelican asks for it,
then logs its problems and builds ``Tag``/``Category`` exactly as when it reads the file itself —
so logs come in Pelican's order with the same ``file:line: message``, and the output is the
same bytes. Without ``fork``, with one file to read or with the setting at 1, nothing forks.
A file a worker could not handle (unreadable, undecodable) is simply read again by the reader,
which raises the same error Pelican reported before. During the reading phase the generator and
its readers also share one file stamp per file (:class:`StampMemo`) instead of hashing every
file three times.
"""

from __future__ import annotations

import functools
import hashlib
import io
import logging
import multiprocessing
import os
import time
from multiprocessing.pool import IMapIterator
from pathlib import Path
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from markupsafe import escape
from pelican import signals
from pelican.generators import ArticlesGenerator, PagesGenerator
from pelican.readers import BaseReader
from pelican.urlwrappers import Category, Tag
from pelican.utils import file_suffix

from digest.cachefile import load_cache, save_cache
from digest.frontmatter import FrontMatterError, Problem, is_allowed_url, read_episode_text
from digest.scrub import scrub_url

log = logging.getLogger(__name__)

# Default cap: each worker is one more interpreter in memory, and the parent still builds every
# Pelican object from the results one by one (only measured on 2 cores; raise it by setting).
MAX_DEFAULT_PROCESSES = 4
# A pool whose worker was killed (out of memory, a signal) never delivers that worker's files:
# after this long without a result the reader stops waiting and reads the rest itself.
RESULT_TIMEOUT_S = 300
# What a worker sends back for one file: (HTML or None when unpublishable, values, problems).
Result = tuple[str | None, dict[str, Any], list[Problem]]


def make_markdown() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML off; links allow-listed by scheme."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    # Episodes repeat the same few links (a show's site, its socials: 181 distinct URLs in
    # 2,704 links over 868 episodes), and normalising one (parse, punycode, percent-encode,
    # scrub) cost ~60 µs: remember each result. All three are pure functions of the URL.
    md.validateLink = functools.lru_cache(maxsize=4096)(is_allowed_url)
    normalize = md.normalizeLink
    md.normalizeLink = functools.lru_cache(maxsize=4096)(lambda url: normalize(scrub_url(url)))
    md.normalizeLinkText = functools.lru_cache(maxsize=4096)(md.normalizeLinkText)
    return md


def read_source(path: str, md: MarkdownIt) -> Result:
    """Read, check and render one file into plain, picklable values (no Pelican objects).

    The one code path for both the reader and the pool workers, so both give the same bytes.
    """
    with open(path, encoding="utf-8") as handle:
        return render_text(handle.read(), path, md)


def render_text(text: str, path: str, md: MarkdownIt) -> Result:
    """:func:`read_source` once the file's text is read."""
    checked, body = read_episode_text(text, path)
    html = md.render(body) if checked.publishable else None
    return html, checked.values, checked.problems


def reader_processes(settings: dict[str, Any]) -> int:
    """``MARKDOWN_READER_PROCESSES``, or one per core up to ``MAX_DEFAULT_PROCESSES``."""
    value = settings.get("MARKDOWN_READER_PROCESSES")
    if value is None:
        return min(os.cpu_count() or 1, MAX_DEFAULT_PROCESSES)
    return max(1, int(value))


_worker_md: MarkdownIt | None = None


def hash_method(settings: dict[str, Any]) -> str | None:
    """The hashlib name Pelican stamps files with (``CHECK_MODIFIED_METHOD``), else None."""
    method = settings.get("CHECK_MODIFIED_METHOD")
    if not isinstance(method, str) or method == "mtime" or not hasattr(hashlib, method):
        return None
    return method


def _read_in_worker(
    paths: list[str], method: str | None = None
) -> list[tuple[str, Result | None, bytes | None]]:
    """Pool task, one chunk of files: ``(path, result, stamp)`` each, or ``(path, None, None)``
    for a file the reader must read again itself (it then raises the real error).

    ``stamp`` is Pelican's file stamp for ``method`` (``hashlib.<method>(bytes).digest()``, as
    ``pelican.cache`` computes it) of the very bytes that were parsed, so the parent need not
    read and hash the file a second time."""
    global _worker_md  # one parser per worker process, built on first use
    if _worker_md is None:
        _worker_md = make_markdown()
    results = []
    for path in paths:
        try:
            with open(path, "rb") as handle:
                data = handle.read()
            # The same decoder and newline translation as open(path, encoding="utf-8").
            text = io.TextIOWrapper(io.BytesIO(data), encoding="utf-8").read()
            stamp = getattr(hashlib, method)(data).digest() if method else None
            results.append((path, render_text(text, path, _worker_md), stamp))
        except Exception:  # the reader reads it again and reports the real error
            results.append((path, None, None))
    return results


class Prefetch:
    """Files being read by a fork pool; :meth:`take` hands out one file's result.

    Results arrive in submission order (``imap``). Pelican asks for files in the order it
    iterates the same set, so ``take`` rarely has to buffer; any other order still works.
    """

    def __init__(
        self, paths: list[str], processes: int, chunk: int | None = None, method: str | None = None
    ) -> None:
        self.served = 0  # results handed to the reader
        # No worker reads a file before this time: the stamps they compute are of bytes read
        # after it (StampStore's racy rule compares files' modification times with it).
        self.started_ns = time.time_ns()
        self._pending = set(paths)
        self._ready: dict[str, Result | None] = {}
        self._stamps: dict[str, bytes] = {}  # file stamps computed by the workers (``method``)
        context = multiprocessing.get_context("fork")
        self._pool = context.Pool(processes)
        # Chunks made here, not by imap's chunksize: with chunksize > 1 imap returns a plain
        # generator, whose next() has no timeout.
        size = chunk or max(1, min(16, len(paths) // (processes * 8)))
        chunks = [paths[i : i + size] for i in range(0, len(paths), size)]
        task = functools.partial(_read_in_worker, method=method)
        self._results: IMapIterator | None = self._pool.imap(task, chunks)

    def stamp(self, path: str) -> bytes | None:
        """The file stamp a worker computed from the bytes it read for ``path``, waiting for
        that file's result if need be; None when no worker read it."""
        if path in self._pending:
            self._wait(path)
        return self._stamps.get(path)

    def take(self, path: str) -> Result | None:
        """The worker's result for ``path``; None when it was not (or could not be) read."""
        if path not in self._pending:
            return None
        self._pending.discard(path)
        self._wait(path)
        result = self._ready.pop(path, None)
        self.served += result is not None
        if not self._pending:
            self.close()
        return result

    def _wait(self, path: str) -> None:
        while path not in self._ready and self._results is not None:
            try:
                chunk = self._results.next(timeout=RESULT_TIMEOUT_S)
            except StopIteration:
                self.close()
                break
            except Exception as error:  # a broken pool: the reader reads the rest itself
                log.warning("markdown_reader: worker pool failed (%r); reading in-process", error)
                self.close(terminate=True)
                break
            for done, result, stamp in chunk:
                self._ready[done] = result
                if stamp is not None:
                    self._stamps[done] = stamp

    def close(self, terminate: bool = False) -> None:
        """Stop the pool (before fast_build forks its renderer, and at the end of reading)."""
        if self._results is None:
            return
        self._results = None
        if terminate or self._pending:
            self._pool.terminate()
        else:
            self._pool.close()
        self._pool.join()
        self._ready.clear()


class MarkdownItReader(BaseReader):
    enabled = True
    file_extensions: ClassVar[list[str]] = ["md", "markdown", "mkd"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._md = make_markdown()
        self.prefetch: Prefetch | None = None
        self.reads = 0  # files this reader read itself (not counting pool results)
        # One Category per show name for the files this reader reads: Pelican slugifies a
        # category's name once per object (when an article's URL is first formatted), and a
        # digest has thousands of episodes but dozens of shows. Equal either way (URLWrapper
        # equality is by slug), and the topics plugin gives every article a shared one anyway.
        self._categories: dict[str, Category] = {}

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        result = self.prefetch.take(source_path) if self.prefetch is not None else None
        if result is None:
            self.reads += 1
            result = read_source(source_path, self._md)
        html, values, problems = result
        for problem in problems:
            report = log.warning if problem.warning else log.error
            report("%s", problem.at(source_path))
        if html is None:
            fatal = next(p for p in problems if p.fatal)
            # Pelican logs this and skips just this file; every other page still builds.
            raise FrontMatterError(source_path, fatal.line, fatal.message)
        return html, self._metadata(values)

    def _metadata(self, values: dict[str, Any]) -> dict[str, Any]:
        """Checked plain values → what Pelican and the theme expect."""
        metadata = dict(values)
        if "tags" in values:
            metadata["tags"] = [Tag(tag, self.settings) for tag in values["tags"]]
        if "show" in values:
            show = values["show"]
            if show not in self._categories:
                self._categories[show] = Category(show, self.settings)
            metadata["category"] = self._categories[show]
        if "summary" in values:
            # Summaries are plain text from the episode's own words: escape, never trust.
            metadata["summary_text"] = values["summary"]
            metadata["summary"] = str(escape(values["summary"]))
        return metadata


def _our_readers(generator) -> list[MarkdownItReader]:
    readers = getattr(getattr(generator, "readers", None), "readers", {})
    return [reader for reader in readers.values() if isinstance(reader, MarkdownItReader)]


def _files_to_read(generator, extensions: set[str]) -> list[str]:
    """Absolute paths the generator will hand to this reader and no content cache will serve."""
    if isinstance(generator, ArticlesGenerator):
        paths, exclude = generator.settings["ARTICLE_PATHS"], generator.settings["ARTICLE_EXCLUDES"]
    elif isinstance(generator, PagesGenerator):
        paths, exclude = generator.settings["PAGE_PATHS"], generator.settings["PAGE_EXCLUDES"]
    else:
        return []
    readers = generator.readers
    files = []
    for relative in generator.get_files(paths, exclude=exclude):
        if file_suffix(relative) not in extensions:
            continue
        # The generator-level cache (CONTENT_CACHING_LAYER = "generator") then the reader-level
        # one, with Pelican's own stamp check; a record must exist before a stamp is computed.
        if relative in generator._cache and generator.get_cached_data(relative) is not None:
            continue
        path = os.path.abspath(os.path.join(generator.path, relative))
        if path in readers._cache and readers.get_cached_data(path) is not None:
            continue
        files.append(path)
    return files


class StampMemo:
    """Pelican's file-stamp function, computed once per file per build.

    Pelican 4.12 stamps every source file up to three times per build (the generator's cache
    check, the reader's, and again when caching the result), and with
    ``CHECK_MODIFIED_METHOD = "md5"`` each stamp reads and hashes the whole file — 114 MB per
    pass at 10,000 episodes, in the parent, while nothing else runs. The generator and its
    readers share one memo for the reading phase. A file edited mid-build keeps the stamp of
    the first look, so the next build sees it changed and reads it again.

    A file a pool worker read (:class:`Prefetch`, hashing with the same method) takes the stamp
    the worker computed from the bytes it parsed, so the parent does not read that file at all.
    """

    def __init__(self, stamp: Any, store: StampStore | None = None) -> None:
        self.stamp, self._stamps = stamp, {}
        self.prefetch: Prefetch | None = None
        self.store = store

    def __call__(self, filename: str) -> Any:
        key = os.path.abspath(filename)
        if key not in self._stamps:
            stamp = self.prefetch.stamp(key) if self.prefetch is not None else None
            since = self.prefetch.started_ns if stamp is not None else None
            if stamp is None and self.store is not None:
                stamp = self.store.lookup(key)
            if stamp is None:
                since = time.time_ns()
                stamp = self.stamp(filename)
            if since is not None and self.store is not None:
                self.store.record(key, stamp, since)
            self._stamps[key] = stamp
        return self._stamps[key]


# A file modified less than this long before its stamp was taken is hashed again next build
# (git's "racy" rule): the file system's clock is coarser than time.time_ns(), and an edit
# made in the same tick as the read could leave size and times as recorded.
RACY_NS = 2_000_000_000


def _signature(stat: os.stat_result) -> tuple[int, int, int, int, int]:
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino, stat.st_dev)


class StampStore:
    """Each source file's stamp, kept between builds and reused while the file's ``stat``
    (size, modification and change times, inode, device) is the one recorded with it.

    Why: with ``CHECK_MODIFIED_METHOD = "md5"`` a rebuild read and hashed every source file
    (114 MB at 10,000 episodes) just to learn that none changed. The hash stays the stamp
    Pelican's cache compares; the store only spares computing it again. Sound because any
    write to a file sets its change time (``ctime``, which no tool can set back) and a
    replaced file has a new inode, and because an entry is trusted only when the file's
    modification time is safely (``RACY_NS``) older than the moment its hash was started.
    ``MARKDOWN_READER_STAMP_STORE = False`` hashes every file as Pelican does."""

    def __init__(self, path: Path, method: str) -> None:
        self.path, self.method = path, method
        data = load_cache(path)
        old = data.get("files") if data.get("method") == method else None
        self.old: dict[str, tuple] = old if isinstance(old, dict) else {}
        self.new: dict[str, tuple] = {}
        self.dirty = False
        self.reused = 0

    def lookup(self, key: str) -> bytes | None:
        """The recorded stamp of ``key`` if the file is provably unchanged, else None."""
        entry = self.old.get(key)
        if entry is None:
            return None
        signature, stamp, since = entry
        try:
            stat = os.stat(key)
        except OSError:
            return None
        if _signature(stat) != signature or stat.st_mtime_ns >= since - RACY_NS:
            return None
        self.new[key] = entry
        self.reused += 1
        return stamp

    def record(self, key: str, stamp: Any, since: int) -> None:
        """Remember ``stamp``, the hash of ``key``'s bytes read no earlier than ``since``."""
        if not isinstance(stamp, bytes):
            return
        try:
            stat = os.stat(key)
        except OSError:
            return
        entry = (_signature(stat), stamp, since)
        if self.old.get(key) != entry:
            self.dirty = True
        self.new[key] = entry

    def save(self) -> None:
        """Write the store if an entry changed or a file went away (atomically)."""
        if not self.dirty and self.new.keys() == self.old.keys():
            return
        try:
            save_cache(self.path, {"method": self.method, "files": self.new})
        except OSError as error:  # only an optimisation: the next build hashes again
            log.warning("markdown_reader: could not save file stamps (%s)", error)
        self.old, self.dirty = dict(self.new), False


def _stamp_store(generator) -> StampStore | None:
    settings = generator.settings
    method = hash_method(settings)
    if method is None or not settings.get("MARKDOWN_READER_STAMP_STORE", True):
        return None
    folder = Path(settings.get("CACHE_PATH") or "cache")
    return StampStore(folder / f"markdown_reader_stamps_{type(generator).__name__}.pickle", method)


def _share_stamps(generator) -> None:
    readers = getattr(generator, "readers", None)
    stamp = getattr(readers, "_filestamp_func", None)
    if stamp is None or not hasattr(generator, "_filestamp_func"):
        return
    memo = stamp if isinstance(stamp, StampMemo) else StampMemo(stamp, _stamp_store(generator))
    generator._filestamp_func = readers._filestamp_func = memo


def _unshare_stamps(generator) -> None:
    for owner in (generator, getattr(generator, "readers", None)):
        stamp = getattr(owner, "_filestamp_func", None)
        if isinstance(stamp, StampMemo):
            stamp.prefetch = None
            if stamp.store is not None:
                stamp.store.save()
            owner._filestamp_func = stamp.stamp


def start_prefetch(generator) -> None:
    """At a generator's first preread: read its uncached Markdown files in a fork pool."""
    ours = _our_readers(generator)
    if not ours or getattr(generator, "_markdown_reader_started", False):
        return
    generator._markdown_reader_started = True
    _share_stamps(generator)
    processes = reader_processes(generator.settings)
    if processes < 2 or "fork" not in multiprocessing.get_all_start_methods():
        return
    readers = generator.readers.readers.items()
    extensions = {ext for ext, reader in readers if isinstance(reader, MarkdownItReader)}
    files = _files_to_read(generator, extensions)
    if len(files) < 2:
        return
    method = hash_method(generator.settings)
    prefetch = Prefetch(files, min(processes, len(files)), method=method)
    for reader in ours:
        reader.prefetch = prefetch
    memo = getattr(generator, "_filestamp_func", None)
    if method is not None and isinstance(memo, StampMemo):
        memo.prefetch = prefetch
    log.debug("markdown_reader: reading %d files in %d processes", len(files), processes)


def finish_prefetch(generator) -> None:
    """After a generator's context: close its pool and say how many files were read."""
    _unshare_stamps(generator)
    ours = _our_readers(generator)
    prefetch = next((r.prefetch for r in ours if r.prefetch is not None), None)
    jobs = 0
    if prefetch is not None:
        jobs = prefetch.served
        prefetch.close(terminate=True)
    for reader in ours:
        reader.prefetch = None
    reads = sum(reader.reads for reader in ours)
    log.info(
        "markdown_reader: %s read %d files (%d in worker processes, %d in this one)",
        type(generator).__name__,
        jobs + reads,
        jobs,
        reads,
    )


def add_reader(readers) -> None:
    for extension in MarkdownItReader.file_extensions:
        readers.reader_classes[extension] = MarkdownItReader


def register() -> None:
    signals.readers_init.connect(add_reader)
    signals.article_generator_preread.connect(start_prefetch)
    signals.page_generator_preread.connect(start_prefetch)
    signals.article_generator_finalized.connect(finish_prefetch)
    signals.page_generator_finalized.connect(finish_prefetch)
