"""Pelican plugin: a faster build with byte-identical output (issue 9).

What it does, and why each piece pays (profiles in docs/benchmarks.md):

* **Settings** (at ``initialized``): Jinja ``auto_reload`` off — with it on, every
  ``{% include %}`` and ``{% extends %}`` stats the template file on disk, thousands of times per
  build; ``GZIP_CACHE`` off — compressing the content cache cost more than reading it saved.
* **Patches** (``patches.py``, pinned to Pelican 4.12.0 / lunr 0.8.0): memoised ``url`` and
  ``save_as`` once all generators have finished their context; a memoised Porter stemmer and a
  regex tokenizer for lunr.py.
* **A writer** (``get_writer``) that renders each page to memory and writes it only when its
  bytes changed: a no-change rebuild touches no file, so ``rsync``/deploys and file watchers see
  only real changes, and disk writes drop out of rebuild time.
* **A second process for rendering** (``FAST_BUILD_PROCESSES = 2``): rendering templates is
  CPU-bound and single-threaded, and by the time the first page is written every input is in
  memory. So once ``FAST_BUILD_FORK_AFTER`` pages (default 100) had to be rendered — not at
  all in a rebuild that skips nearly every page — the writer ``gc.freeze()``\\ s and forks;
  both processes walk the same sequence of pages from there (the generators are
  deterministic) and each renders the pages it reaches first (:class:`PageClaims`).
  The parent still sends ``content_written`` for every page, so plugins that listen to it (the
  sitemap) see the whole site; the child sends no signal and exits when the Articles and Pages
  generators are done (``_Join``). The parent waits for it there, before anything reads the
  output. On a platform without ``fork`` it stays one process. A clean build (no page in the
  render cache) starts the second process after its first page, so the feeds are shared too.
* **An I/O thread per process** (``FAST_BUILD_IO_THREAD``, default on): creating folders and
  files blocks on the file system; the thread writes a page while the process renders the
  next. It is flushed before a fork, at the join, and before the render cache is saved.
* **A frozen heap** (``FAST_BUILD_GC_FREEZE``, default on): once reading is done the articles
  are moved out of the cyclic collector's reach, and full collections come 10× more rarely,
  until the build ends; the heap is frozen again at interpreter exit. Pelican's content
  cache is unpickled with the collector paused and frozen once loaded (patches.py): the
  collections its million allocations triggered walked everything loaded so far.

Switch it off by removing ``fast_build`` from ``PLUGINS``; the output is the same.
"""

from __future__ import annotations

import atexit
import gc
import io
import logging
import mmap
import multiprocessing
import os
import sys
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jinja2 import FileSystemBytecodeCache
from pelican import signals
from pelican.paginator import Paginator
from pelican.utils import get_relative_path, path_to_url, sanitised_join
from pelican.writers import FileOverwriteFailedError, Writer

from . import patches, render_cache
from .render_cache import RenderCache

log = logging.getLogger(__name__)

DEFAULT_PROCESSES = 2
DEFAULT_FORK_AFTER = 100  # pages rendered (not skipped) before the second process starts


class _ChangedOnlyFile(io.StringIO):
    """A text file that reaches the disk on close only if its bytes differ from what is there."""

    def __init__(self, path: str, encoding: str, stats: dict) -> None:
        super().__init__()
        self._path, self._encoding, self._stats = path, encoding, stats

    def __exit__(self, *exc) -> None:
        if exc[0] is None:
            write_if_changed(self._path, self.getvalue().encode(self._encoding), self._stats)
        self.close()

    def close_unchanged(self) -> None:
        """Leave the file as it is (the render cache vouches for its bytes)."""
        self._stats["unchanged"] += 1
        self.close()


def write_if_changed(path: str, data: bytes, stats: dict) -> bool:
    """Write ``data`` unless the file already holds exactly these bytes; True if written."""
    try:
        if os.stat(path).st_size == len(data):
            with open(path, "rb") as handle:
                if handle.read() == data:
                    stats["unchanged"] += 1
                    return False
    except FileNotFoundError:
        pass
    with open(path, "wb") as handle:
        handle.write(data)
    stats["written"] += 1
    return True


def make_and_write(path: str, data: bytes, stats: dict) -> bool:
    """Create the page's folder and write it unless unchanged: the I/O thread's job."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return write_if_changed(path, data, stats)


class PageClaims:
    """Which of the two rendering processes renders each page, decided as they reach it.

    Why: with pages alternating, the parent, which also sends every page's
    ``content_written`` and renders the page before the fork, had ~0.7 s of CPU more than its
    partner at 10,000 episodes, and the partner waited for it at the join. Both walk the same
    pages; the first to reach a page claims it (a flag per page in memory shared across the
    fork, under a lock), the other skips it: both finish within about a page of each other,
    whatever each page costs and however the two processes are scheduled."""

    def __init__(self, size: int = 1 << 20) -> None:
        self._flags = mmap.mmap(-1, size)  # anonymous and shared: the partner sees the same
        self._lock = multiprocessing.get_context("fork").Lock()

    def claim(self, number: int) -> bool | None:
        """True if this process renders page ``number``, False if the other one does, None
        beyond the flags (the caller alternates then)."""
        if number >= len(self._flags):
            return None
        with self._lock:
            if self._flags[number]:
                return False
            self._flags[number] = 1
            return True


# Reference switch for tests: False alternates the pages between the two processes.
CLAIM_PAGES = True

# Pages written but not yet recorded before the renderer waits for the oldest write.
MAX_PENDING_WRITES = 256


class FastWriter(Writer):
    """Pelican's Writer with changed-only writes and, optionally, a rendering partner process.

    ``write_file`` follows Pelican 4.12.0's own line by line (pagination, local context,
    ``localsiteurl``, overwrite checks) and differs only in who renders a page and whether
    unchanged bytes are written again.
    """

    def __init__(self, output_path, settings=None):
        super().__init__(output_path, settings=settings)
        self.stats = {"written": 0, "unchanged": 0}
        self.processes = int(self.settings.get("FAST_BUILD_PROCESSES", DEFAULT_PROCESSES))
        self._page_number = 0  # pages seen so far, the same sequence in both processes
        self.fork_after = self.settings.get("FAST_BUILD_FORK_AFTER")
        self._joined = False
        self._child_pid: int | None = None
        self._is_child = False
        self._splitting = False
        self._claims: PageClaims | None = None
        self.render_cache = RenderCache(self.settings)
        # Creating a folder and a file blocks on the file system (on the benchmark VM ~0.2 ms
        # each beyond their CPU time, 25,000 of them at 10,000 episodes): one thread per
        # process does it while the process renders the next page. The render cache records
        # a page (its file's size and mtime) only once its write is done, in this thread.
        self.io_thread = bool(self.settings.get("FAST_BUILD_IO_THREAD", True))
        self._io: ThreadPoolExecutor | None = None
        self._io_stats = {"written": 0, "unchanged": 0}  # counted by the I/O thread only
        self._pending: deque[tuple[str, str | None, Future]] = deque()
        _writers.append(self)

    # -- files ---------------------------------------------------------------------------
    def _open_w(self, filename, encoding, override=False):
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" a second time (was previously overwritten)'
                )
            log.info('Skipping "%s", not overwriting', filename)
            return open(os.devnull, "w", encoding=encoding)
        if filename in self._written_files:
            if override:
                log.info('Overwriting "%s"', filename)
            else:
                raise FileOverwriteFailedError(
                    f'Failed to overwrite "{filename}" as Pelican has already '
                    "written to it previously (set `override=True` if intended)"
                )
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _ChangedOnlyFile(filename, encoding, self.stats)

    # -- writes on the I/O thread ---------------------------------------------------------
    def _write_page(self, path: str, output: str, key: str | None, override: bool) -> None:
        handle = self._open_w(path, "utf-8", override=override)
        if not self.io_thread or not isinstance(handle, _ChangedOnlyFile):
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with handle as f:
                f.write(output)
            self.render_cache.record(path, key)
            return
        handle.close()  # the overwrite bookkeeping is done; the bytes go to the thread
        if self._io is None:
            self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fast_build-io")
        job = self._io.submit(make_and_write, path, output.encode("utf-8"), self._io_stats)
        self._pending.append((path, key, job))
        self._record_written(block=len(self._pending) > MAX_PENDING_WRITES)

    def _record_written(self, block: bool = False) -> None:
        """Record the pages whose write is done, in order (all of them when ``block``); a
        failed write raises here, in the rendering thread."""
        while self._pending and (block or self._pending[0][2].done()):
            path, key, job = self._pending.popleft()
            job.result()
            self.render_cache.record(path, key)

    def flush_writes(self) -> None:
        """Wait for every write, record it, and stop the thread (before a fork, which would
        not copy it, and before anything reads the output)."""
        self._record_written(block=True)
        if self._io is not None:
            self._io.shutdown(wait=True)
            self._io = None
        for name, count in self._io_stats.items():
            self.stats[name] += count
            self._io_stats[name] = 0

    # -- the second process ----------------------------------------------------------------
    def _start_partner(self) -> None:
        if self.processes < 2 or self._splitting or self._joined or not hasattr(os, "fork"):
            return
        if self.render_cache.stats["rendered"] < self.fork_after_now():
            # Not before this many pages needed rendering: a rebuild that skips (nearly) every
            # page would only pay for the fork and for a second process computing the keys.
            return
        self._splitting = True
        self._claims = PageClaims() if CLAIM_PAGES else None
        self.flush_writes()
        sys.stdout.flush()
        sys.stderr.flush()
        gc.collect()
        freeze_heap()  # keep the collector from touching (and so copying) every shared object
        pid = os.fork()
        if pid == 0:
            self._is_child = True
            # what the parent counted and recorded before the fork is the parent's to report
            # (zeroed in place: the fingerprinters count into the same dict)
            stats = self.render_cache.stats
            stats.update(dict.fromkeys(stats, 0))
            self.render_cache.current = {}
        else:
            self._child_pid = pid

    def fork_after_now(self) -> int:
        """Pages rendered before the second process starts: ``FAST_BUILD_FORK_AFTER`` when
        set; else one when the render cache holds no page of a previous build (a clean build
        renders every page, the feeds that come first included: ~2 s of one core at 10,000
        episodes), else ``DEFAULT_FORK_AFTER``. One page, not none: the first key computes
        what every later key shares (the templates' analysis, the entities' attribute names),
        once, before both processes need it."""
        if self.fork_after is not None:
            return int(self.fork_after)
        return 1 if not self.render_cache.previous else DEFAULT_FORK_AFTER

    def _mine(self) -> bool:
        """Whether this process renders the current page: the first of the two to reach it
        (:class:`PageClaims`), or every other page without claims."""
        number = self._page_number
        self._page_number += 1
        if not self._splitting:
            return True
        if self._claims is not None:
            claimed = self._claims.claim(number)
            if claimed is not None:
                return claimed
        return (number % 2 == 1) == self._is_child

    def join(self) -> None:
        """End of the shared stretch: the child leaves, the parent waits for it."""
        self._joined = True
        if not self._is_child:
            self.flush_writes()
        if not self._splitting:
            return
        self._splitting = False
        part = self._part_path()
        if self._is_child:
            code = 0
            try:
                self.flush_writes()
            except Exception:  # a page could not be written: the parent fails the build
                log.exception("fast_build: rendering process could not write a page")
                os._exit(4)
            try:
                self.render_cache.dump_part(part)
            except Exception:  # the parent then re-renders these pages next time
                code = 3
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
        _, status = os.waitpid(self._child_pid, 0)
        code = os.waitstatus_to_exitcode(status)
        if code != 0:
            raise RuntimeError(f"fast_build: rendering process failed (exit code {code})")
        self.render_cache.merge_part(part)

    def _part_path(self):
        cache = self.render_cache.path
        return cache.with_name(f"{cache.name}.{os.getpid() if self._is_child else self._child_pid}")

    # -- feeds: partitioned and cached like pages -----------------------------------------
    def write_feed(
        self,
        elements,
        context,
        path=None,
        url=None,
        feed_type="atom",
        override_output=False,
        feed_title=None,
    ):
        """Pelican's ``write_feed``, by one of the two processes, skipped when the feed's key
        (its items and arguments) is the last build's and the file is as that build left it.

        A listener of ``feed_generated``/``feed_written`` needs the feed object in the parent:
        then every feed is generated there, as without this plugin."""
        if (
            not path
            or signals.feed_generated.receivers
            or signals.feed_written.receivers
            or not patches.apply()["pelican"]  # the key follows Pelican 4.12.0's feed writer
        ):
            return super().write_feed(
                elements, context, path, url, feed_type, override_output, feed_title
            )
        self._start_partner()
        complete_path = sanitised_join(self.output_path, path)
        if not self._mine():
            self._open_w(complete_path, "utf-8", override=override_output).close()
            return None
        cache = self.render_cache
        items = elements[: self.settings["FEED_MAX_ITEMS"]]
        meta = (feed_type, feed_title, path, url, override_output)
        key = cache.feed_key(items, context, complete_path, meta) if items else None
        if cache.unchanged(complete_path, key):
            handle = self._open_w(complete_path, "utf-8", override=override_output)
            getattr(handle, "close_unchanged", handle.close)()
            return None
        feed = super().write_feed(
            elements, context, path, url, feed_type, override_output, feed_title
        )
        cache.record(complete_path, key)
        return feed

    # -- Pelican 4.12.0 write_file, partitioned --------------------------------------------
    def write_file(
        self,
        name,
        template,
        context,
        relative_urls=False,
        paginated=None,
        template_name=None,
        override_output=False,
        url=None,
        **kwargs,
    ):
        if name is False or name == "" or not name:
            return
        self._start_partner()

        def _write_file(template, localcontext, output_path, name, override):
            if localcontext["localsiteurl"]:
                context["localsiteurl"] = localcontext["localsiteurl"]
            path = sanitised_join(output_path, name)
            mine = self._mine()
            if mine:
                cache = self.render_cache
                key = cache.key(template, localcontext, path)
                if cache.unchanged(path, key):
                    # Same inputs as the last build and the file is as that build left it.
                    handle = self._open_w(path, "utf-8", override=override)
                    getattr(handle, "close_unchanged", handle.close)()
                else:
                    self._write_page(path, template.render(localcontext), key, override)
                log.info('Writing "%s"', path)
            else:
                # The partner renders it; keep the overwrite bookkeeping identical.
                self._open_w(path, "utf-8", override=override).close()
            if not self._is_child:
                signals.content_written.send(path, context=localcontext)

        def _get_localcontext(context, name, kwargs, relative_urls):
            localcontext = context.copy()
            localcontext["localsiteurl"] = localcontext.get("localsiteurl", None)
            if relative_urls:
                relative_url = path_to_url(get_relative_path(name))
                localcontext["SITEURL"] = relative_url
                localcontext["localsiteurl"] = relative_url
            localcontext["output_file"] = name
            localcontext.update(kwargs)
            return localcontext

        if paginated is None:
            paginated = {key: val for key, val in kwargs.items() if key in {"articles", "dates"}}

        if paginated and template_name in self.settings["PAGINATED_TEMPLATES"]:
            per_page = (
                self.settings["PAGINATED_TEMPLATES"][template_name]
                or self.settings["DEFAULT_PAGINATION"]
            )
            paginators = {
                key: Paginator(name, url, val, self.settings, per_page)
                for key, val in paginated.items()
            }
            for page_num in range(next(iter(paginators.values())).num_pages):
                paginated_kwargs = kwargs.copy()
                for key, paginator in paginators.items():
                    previous_page = paginator.page(page_num) if page_num > 0 else None
                    page = paginator.page(page_num + 1)
                    next_page = (
                        paginator.page(page_num + 2) if page_num + 1 < paginator.num_pages else None
                    )
                    paginated_kwargs.update(
                        {
                            f"{key}_paginator": paginator,
                            f"{key}_page": page,
                            f"{key}_previous_page": previous_page,
                            f"{key}_next_page": next_page,
                        }
                    )
                localcontext = _get_localcontext(
                    context, page.save_as, paginated_kwargs, relative_urls
                )
                _write_file(template, localcontext, self.output_path, page.save_as, override_output)
        else:
            localcontext = _get_localcontext(context, name, kwargs, relative_urls)
            _write_file(template, localcontext, self.output_path, name, override_output)


_writers: list[FastWriter] = []


class _Join:
    """A generator placed after Pelican's Articles and Pages generators: it ends the split.

    Plugins' generators and the static generator that run after it, and the ``finalized``
    signal, run in the parent only, with every page already on disk.
    """

    def __init__(self, *args, **kwargs) -> None:
        pass

    def generate_output(self, writer) -> None:
        if isinstance(writer, FastWriter):
            writer.join()


_heap: dict = {"frozen": False, "threshold": None}
# Collections of the middle generation between two full ones while the heap is frozen (Python's
# default is 10): what a full collection walks then (rendering's memos, ~300,000 containers at
# 10,000 episodes) is not garbage either, and each walk cost tenths of a second.
FULL_COLLECTION_EVERY = 100


def freeze_heap() -> None:
    """Move every object alive now out of the cyclic collector's reach until the build ends.

    After reading, the heap holds every article (at 10,000 episodes ~270,000 containers), and
    each full collection walked all of it again, a few times while plugins link episodes and
    again during rendering, though none of it becomes garbage before the build ends. Frozen,
    a collection walks only what was made since, and full collections come 10 times more
    rarely. Reference counting still frees everything acyclic; cyclic garbage among frozen
    objects waits for :func:`thaw_heap`."""
    gc.freeze()
    if not _heap["frozen"]:
        _heap["frozen"] = True
        _heap["threshold"] = gc.get_threshold()
        young, middle, full = _heap["threshold"]
        gc.set_threshold(young, middle, max(full, FULL_COLLECTION_EVERY))


def thaw_heap(*_args) -> None:
    """End of a build (and start of the next one in the same process, should the last have
    failed): frozen objects go back to the collector, on its usual schedule."""
    if _heap["frozen"]:
        _heap["frozen"] = False
        gc.unfreeze()
        gc.set_threshold(*_heap["threshold"])


def freeze_at_exit() -> None:
    """``atexit``: the interpreter's shutdown runs full collections over the whole heap (the
    articles of the last build among it) just before it frees everything anyway; frozen, they
    walk nothing. Registered once per process by :func:`configure`."""
    gc.freeze()


def freeze_after_reading(generator) -> None:
    """``article_generator_pretaxonomy``: every file is read; freeze what reading built
    (``FAST_BUILD_GC_FREEZE``, default on; the output does not depend on it)."""
    if generator.settings.get("FAST_BUILD_GC_FREEZE", True):
        freeze_heap()


def configure(pelican) -> None:
    """Settings that cost time and change nothing in the output."""
    settings = pelican.settings
    jinja = dict(settings.get("JINJA_ENVIRONMENT") or {})
    jinja.setdefault("auto_reload", False)
    if settings.get("FAST_BUILD_JINJA_CACHE", True) and "bytecode_cache" not in jinja:
        # Compiled templates kept between builds (keyed by the template source's checksum):
        # compiling the theme costs every build a few tenths of a second otherwise.
        folder = Path(settings.get("CACHE_PATH") or "cache") / "jinja"
        folder.mkdir(parents=True, exist_ok=True)
        jinja["bytecode_cache"] = FileSystemBytecodeCache(str(folder))
    settings["JINJA_ENVIRONMENT"] = jinja
    settings["GZIP_CACHE"] = settings.get("FAST_BUILD_GZIP_CACHE", False)
    patches.apply()
    patches._state["background_save"] = bool(settings.get("FAST_BUILD_CACHE_PROCESS", True))
    patches.freeze_urls(False)
    # Content caches are loaded with the collector paused and frozen once loaded: what they
    # hold lives until the build ends (FAST_BUILD_GC_FREEZE, as the freeze after reading).
    freeze = bool(settings.get("FAST_BUILD_GC_FREEZE", True))
    patches._state["after_cache_load"] = freeze_heap if freeze else None
    if settings.get("FAST_BUILD_GC_FREEZE", True) and not _heap.get("atexit"):
        _heap["atexit"] = True
        atexit.register(freeze_at_exit)


def get_writer(pelican):
    # Pelican asks for the writer once every generator has built its context and intersite
    # links are refreshed: from here on a URL cannot change.
    patches.freeze_urls(True)
    return FastWriter


def get_generators(pelican):
    thaw_heap()
    render_cache.start_build()
    patches.join_saves()  # left by a build that failed before ``finalized``
    return _Join


def finalized(pelican) -> None:
    patches.freeze_urls(False)
    while _writers:
        writer = _writers.pop()
        writer.join()
        writer.render_cache.save()
        log.info("fast_build: %d files written, %d unchanged; render cache: %s",
                 writer.stats["written"], writer.stats["unchanged"],
                 writer.render_cache.stats)  # fmt: skip
    patches.join_saves()
    thaw_heap()


def register() -> None:
    signals.initialized.connect(configure)
    signals.get_writer.connect(get_writer)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finalized)
    signals.article_generator_finalized.connect(patches.fast_membership)
    signals.article_generator_pretaxonomy.connect(freeze_after_reading)
    # the render cache's record of each article as constructed, and of its source's stamp
    signals.content_object_init.connect(render_cache.snapshot_content)
    signals.article_generator_finalized.connect(render_cache.note_stamps)
    signals.page_generator_finalized.connect(render_cache.note_stamps)
