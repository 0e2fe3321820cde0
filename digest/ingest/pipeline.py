"""Dumps + shows + taxonomy → :class:`IngestResult` (pure: no file is opened here).

Order of work: classify every line; skip byte-identical repeats early (the sample repeats whole
lines); run the per-blurb chain on each unique blurb — extract, attribute the show, sign for
dedupe (:func:`process_blurb`, the costly part, so the caller may pass a parallel ``map``);
merge near duplicates; make titles distinct on a listing page; give undated episodes the
documented estimated date; assign unique slugs; tag topics of each kept episode with its final
title (:func:`retag`, through the same ``map``).

Jobs are indices: before each ``map`` the texts and episodes the jobs refer to are set in this
module (:data:`_CONTEXT`, :data:`_PASS`), and :func:`fork_map` forks a fresh process pool for
each pass, so its workers inherit them instead of unpickling 90 MB of text (the main process's
serial time is what caps ingest's wall time on two cores).  A plain ``map`` works too.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from digest.episode import Episode, Source
from digest.ingest import dedupe
from digest.ingest.classify import LineKind, classify
from digest.ingest.extract import (
    TITLE_MAX,
    Extracted,
    concise_title,
    extract,
    extract_deferred,
    sample_language,
    tidy_title,
)
from digest.ingest.read import Dump, InputProblem
from digest.shows import Show, ShowRegistry, choose
from digest.slugs import SLUG_MAX, slugify

__all__ = [
    "SLUG_MAX",
    "ForkMapper",
    "IngestResult",
    "Tagging",
    "fork_map",
    "ingest",
    "init_worker",
    "process_blurb",
    "repeat_key",
    "retag",
    "retag_then",
    "slugify",
    "warm_up",
]


@dataclass(frozen=True)
class Dropped:
    file: str
    line: int
    reason: str
    preview: str


@dataclass(frozen=True)
class Merge:
    kept: Source
    merged: tuple[Source, ...]
    reason: str


@dataclass
class IngestResult:
    episodes: list[Episode] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    # With ``ingest(..., defer_tagging=True)``: the topic-tagging pass, not run yet.  Iterating
    # it runs it (through the mapper) and yields each episode's index once its ``tags`` are
    # set, in order, so a writer can write each file while the workers tag the next ones.
    tagging: Tagging | None = field(default=None, compare=False, repr=False)


@dataclass
class _Blurb:
    """A blurb line's bookkeeping; its text lives apart so it can be freed once extracted
    (10,000 blurbs with transcripts are ~100 MB of text)."""

    file: str
    line: int
    sha256: str
    length: int
    cut: bool
    header: Show | None
    collected_on: dt.date


@dataclass
class Processed:
    """One blurb after the per-blurb chain (what travels back from a worker process)."""

    ex: Extracted  # its ``transcript``, ``ending`` and ``description`` dropped once used
    show: str | None  # slug of the attributed show
    warnings: list[str]  # about this blurb (the caller prefixes file:line)
    signature: dedupe.Signature
    # (cut, chapter list) when ``ex.tag_body`` was dropped: it is body[:cut] + list +
    # body[cut:] (see tagging_text)
    tag_insert: tuple[int, str] | None = None
    sha256: str = ""  # of the blurb's text (its episode's ``source.sha256``)


# The shows and taxonomy a worker process works with: set once per process by init_worker
# (inherited by forked workers), so 10,000 jobs do not each pickle the taxonomy.
_CONTEXT: tuple[ShowRegistry, Any] | None = None
# What the jobs of the current pass point into (set by ingest before it calls ``mapper``):
# "texts", "cuts", "headers" for process_blurb; "titles", "extracted", "tag_inserts" for retag.
_PASS: dict[str, list[Any]] = {}


def init_worker(shows: ShowRegistry, taxonomy: Any = None) -> None:
    """Give this process the shows and taxonomy :func:`process_blurb` uses (a pool initializer)."""
    global _CONTEXT
    _CONTEXT = (shows, taxonomy)


def warm_up(taxonomy: Any = None) -> None:
    """Load the language model and build the topic scanner now, before a process pool forks:
    the workers then inherit both instead of each building its own (~0.5 s of CPU apiece)."""
    from digest.ingest.extract import warm_up as load_language_model

    load_language_model()
    dedupe.warm_up()  # (the CRC-32 tables of dedupe.signatures, ~20 ms)
    if taxonomy is not None:
        from digest.tagging import tag_text  # another engineer's module

        tag_text("Warm up", "This sentence only builds the topic scanner.", taxonomy)


Mapper = Callable[[Callable[[Any], Any], Iterable[Any]], Iterator[Any]]


def fork_map(
    workers: int,
    chunksize: int = 64,
    before_fork: Callable[[], None] | None = None,
    after_fork: Callable[[], None] | None = None,
) -> ForkMapper:
    """A ``map`` that forks a fresh pool of ``workers`` processes for each call (each pass of
    :func:`ingest` or :func:`digest.store.save_all`), after the caller has set what the jobs
    point into: the workers inherit the texts, episodes and models by fork (copy-on-write)
    and only indices and small results cross a pipe.  Results come in job order.

    Jobs go in chunks of up to ``chunksize`` (:func:`_guided_chunks`): each chunk costs the
    main process ~0.4 ms of bookkeeping, so 10,000 jobs in chunks of 8 cost it a second; the
    chunks shrink towards the end so that neither worker waits long for the other's last.

    ``before_fork`` is called once, before the first pool forks (and raises what it raises):
    the CLI waits there for its warm-up thread, so what ingest does before its first parallel
    pass (classifying the lines, finding repeats) overlaps the language model's loading.

    ``after_fork`` is called once, in this process, as soon as the first pool's workers run
    its jobs (and raises what it raises, stopping the pass): the CLI loads what only the later
    passes need there (the topic taxonomy and scanner), in the time this process would wait
    for results, instead of before the pool forks, when the other core has nothing to do.

    A pass whose results were all read does not wait for its workers to exit (see
    :class:`ForkMapper`): call :meth:`ForkMapper.close` when done with the mapper."""
    return ForkMapper(workers, chunksize, before_fork, after_fork)


class ForkMapper:
    """What :func:`fork_map` returns: call it as ``map(fn, jobs)``; :meth:`close` it at the end.

    Once a pass's last result is read, its pool is told to shut down and the call returns
    without waiting for the workers to exit: a worker's exit (its copy of a ~450 MB address
    space torn down by the kernel) took the main process 40–130 ms of waiting per pass on the
    10k bench dump, now spent on the next serial step (dedupe and slugs after the extraction
    pass, the summary after the last).  The next call waits for them before it forks (so no
    thread of the old pool runs in this process when it forks), and so does :meth:`close`.
    A pass stopped early (its caller stopped reading, or a job failed) still waits for its
    workers, cancelling the chunks not started."""

    def __init__(
        self,
        workers: int,
        chunksize: int = 64,
        before_fork: Callable[[], None] | None = None,
        after_fork: Callable[[], None] | None = None,
    ) -> None:
        self.workers, self.chunksize = workers, chunksize
        self._waiting = [before_fork] if before_fork is not None else []
        self._started = [after_fork] if after_fork is not None else []
        self._exiting: list[Callable[[], None]] = []  # joins of pools whose workers exit

    def close(self) -> None:
        """Wait until the workers of every pool this mapper forked have exited."""
        while self._exiting:
            self._exiting.pop()()

    def __call__(self, fn: Callable[[Any], Any], jobs: Iterable[Any]) -> Iterator[Any]:
        from concurrent.futures import ProcessPoolExecutor
        from multiprocessing import get_context

        chunks = _guided_chunks(list(jobs), self.workers, self.chunksize)
        if chunks and self._waiting:
            self._waiting[0]()
            self._waiting.clear()
        self.close()  # (before this pool forks: the old pool's manager thread is gone)
        # Objects that exist now are never collected in the workers: their garbage collector
        # would otherwise write to every inherited object's page, copying the heap.
        gc.freeze()
        # (not multiprocessing.Pool: its worker-handler thread spins while a result waits to be
        # read, ~0.3 ms of the main process's CPU per result)
        pool = ProcessPoolExecutor(
            self.workers,
            mp_context=get_context("fork"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        _widen_results_pipe(pool)
        finished = False
        try:
            # (a pool that forks starts all its workers at the first job it is given)
            results = pool.map(_run_chunk, [fn] * len(chunks), chunks)
            if chunks and self._started:
                self._started.pop()()
            for done in results:
                yield from done
            finished = True
        finally:  # also when the caller stops early: what is not started never runs
            if finished:
                self._exiting.append(_shut_down_later(pool))
            else:
                pool.shutdown(wait=True, cancel_futures=True)
            gc.unfreeze()


def _shut_down_later(pool: Any) -> Callable[[], None]:
    """Tell an idle ``pool`` (every result read) to shut down, without waiting: returns what
    waits until its workers have exited.  The wait is its manager thread's, which joins the
    workers (``shutdown(wait=False)`` forgets that thread: a private attribute of
    ProcessPoolExecutor; without it, the pool is shut down and waited for now)."""
    thread = getattr(pool, "_executor_manager_thread", None)
    if thread is None:
        pool.shutdown(wait=True)
        return lambda: None
    pool.shutdown(wait=False)
    return thread.join


# How much of a chunk's results a worker may write before the main process reads them (the
# most an unprivileged process may ask for, /proc/sys/fs/pipe-max-size's default).
RESULTS_PIPE_BYTES = 1 << 20


def _widen_results_pipe(pool: Any) -> None:
    """Let a worker write a chunk's pickled results (~0.6 MB for 64 blurbs of the 10k bench
    dump, up to ~1 MB) into the pool's results pipe at once, instead of 64 KB at a time.

    Why: through the default 64 KB pipe, a worker that finished a chunk waited for the main
    process to read each 64 KB before it could write the next, and only then started its
    next chunk: in the 10k dump's extraction pass ~5 ms a chunk, ~0.45 s of each worker's
    wall time.  Same bytes through the same pipe, only fewer of them wait.  Linux only (and a
    private attribute of ProcessPoolExecutor): elsewhere, or when refused, the pipe stays as
    it is."""
    import fcntl

    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    reader = getattr(getattr(pool, "_result_queue", None), "_reader", None)
    if set_size is None or reader is None:
        return
    # (refused above pipe-max-size, or once the user's pipe-buffer quota is used up)
    with contextlib.suppress(OSError):
        fcntl.fcntl(reader.fileno(), set_size, RESULTS_PIPE_BYTES)


def _guided_chunks(jobs: list[Any], workers: int, largest: int) -> list[list[Any]]:
    """``jobs`` cut in order into chunks of at most ``largest``, each about a quarter of a
    worker's share of what is left, so the last ones are small (guided scheduling)."""
    chunks, start = [], 0
    while start < len(jobs):
        size = max(1, min(largest, (len(jobs) - start) // (workers * 4)))
        chunks.append(jobs[start : start + size])
        start += size
    return chunks


def _exit_with_parent(parent: int) -> None:
    """In a worker: exit once the process that forked it is gone (killed), so that no orphan
    runs on, or keeps holding the run lock whose file descriptor it inherited."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()


def _run_chunk(fn: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    """``fn`` over one chunk of jobs, in a worker (top-level: the pool pickles it); through
    its chunk-at-a-time twin when it has one (same results, see :data:`_CHUNKED`)."""
    whole = _CHUNKED.get(fn)
    if whole is not None:
        return whole(chunk)
    return [fn(job) for job in chunk]


def process_blurb(job: int) -> Processed:
    """Blurb index (into the texts, cut flags and header show slugs :func:`ingest` shares) →
    :class:`Processed` (top-level: a pool pickles it)."""
    raw, cut = _PASS["texts"][job], _PASS["cuts"][job]
    return _attributed(job, extract(raw, cut=cut))


def process_blurbs(jobs: list[int]) -> list[Processed]:
    """``[process_blurb(job) for job in jobs]``, with the languages detected last, one blurb
    after another.

    Why: detecting a language reads py3langid's 40 MB automaton and 57 MB of weights, which
    the rest of a blurb's extraction evicts from the CPU caches: between two extractions it
    cost ~0.27 ms a blurb, back to back ~0.1 ms.  Detection reads only its sample (the same
    one :func:`extract` would detect), so the results are the same
    (tests/unit/test_pipeline_chunked.py compares them)."""
    extracted: list[Extracted] = []
    samples: list[str] = []
    for job in jobs:
        ex, sample = extract_deferred(_PASS["texts"][job], cut=_PASS["cuts"][job])
        extracted.append(ex)
        samples.append(sample)
    # Signed together (dedupe.signatures hashes all their 5-grams at once), then attributed
    # one after another (the registry's tables stay warm): in the d2k pass signing ~145 ->
    # ~105 µs a blurb, attribution ~118 -> ~93 µs.  Same results (tests compare).
    signed = dedupe.signatures([ex.description for ex in extracted])
    done = [
        _attributed(job, ex, signature)
        for job, ex, signature in zip(jobs, extracted, signed, strict=True)
    ]
    for processed, sample in zip(done, samples, strict=True):
        processed.ex.language = sample_language(sample)
    return done


def _attributed(job: int, ex: Extracted, signature: dedupe.Signature | None = None) -> Processed:
    """The extraction of blurb ``job`` attributed to a show, signed (unless ``signature`` is
    its description's, signed already) and trimmed for the trip back to the main process
    (all of :func:`process_blurb` after :func:`extract`)."""
    if _CONTEXT is None:
        raise RuntimeError("process_blurb needs init_worker(shows, taxonomy) first")
    shows = _CONTEXT[0]
    header_slug = _PASS["headers"][job]
    header = shows.by_slug(header_slug)
    evidence = attribution_evidence(ex)
    if ex.show_name:  # the "The post … appeared first on X." trailer extract removed
        evidence += f"\nThe post appeared first on {ex.show_name}."
    match, warning = choose(shows.attribute(evidence, ex.description[:600]), header)
    warnings = [warning] if warning else []
    if header is None and ex.show_name and not match:
        warnings.append(f"text names show {ex.show_name!r}, not in content/shows.yml")
    if signature is None:
        signature = dedupe.signature(ex.description)
    # (hashed here, not by the main process before the pass: its serial time caps the wall)
    sha = _sha(_PASS["texts"][job])
    # Attributed and signed: what the main process does not need does not travel back to it
    # (10,000 descriptions are 60 MB to pickle and to hold there).
    ex.transcript, ex.ending, ex.description = None, "", ""
    # Nor the body a second time with its chapter list in it (a fifth of what travels back
    # on the synthetic dump): the list and where it goes are enough to rebuild it.
    tag_insert = None
    if ex.tag_body is not None:
        cut, added = ex.tag_cut, len(ex.tag_body) - len(ex.body)
        piece = ex.tag_body[cut : cut + added]
        if added > 0 and ex.body[:cut] + piece + ex.body[cut:] == ex.tag_body:
            tag_insert, ex.tag_body = (cut, piece), None
    show = match.show.slug if match else None
    return Processed(ex, show, warnings, signature, tag_insert, sha)


# Job functions that a worker runs a chunk at a time through a twin (same results).
_CHUNKED: dict[Callable[[Any], Any], Callable[[list[Any]], list[Any]]] = {
    process_blurb: process_blurbs
}


def tagging_text(ex: Extracted, tag_insert: tuple[int, str] | None) -> str:
    """The text topic tagging reads for an episode: ``ex.tag_body`` (the body with its chapter
    list), rebuilt from :attr:`Processed.tag_insert` when a worker sent only the list."""
    if ex.tag_body is not None:
        return ex.tag_body
    if tag_insert is not None:
        cut, piece = tag_insert
        return ex.body[:cut] + piece + ex.body[cut:]
    return ex.body


def attribution_evidence(ex: Extracted) -> str:
    """The text a show is attributed from: the notes' opening, the transcript's head and tail,
    and the last 3,000 characters (``ending``, where sign-offs are) — the ending only when it
    is not already the end of what precedes it.

    Why: it usually is (a transcript's tail ends ``ex.transcript``; notes of up to 6,000
    characters are all in ``description``), and attribution reads every character, so the
    copy cost ~20 % of it and added no evidence (the same words again, later).  Only a match
    across the seam of the two copies could differ, and such a match is an artefact."""
    before = ex.transcript or ex.description
    if ex.ending and not before.endswith(ex.ending):
        return "\n".join((ex.description, ex.transcript or "", ex.ending))
    return "\n".join((ex.description, ex.transcript or ""))


def retag(job: int) -> list[str]:
    """Kept-episode index (into the titles and extractions :func:`ingest` shares) → sorted
    topic slugs, with the taxonomy of :func:`init_worker` (top-level so a pool can run it)."""
    title = _PASS["titles"][job]
    # (rebuilt here, in the worker: built by the main process, the texts of episodes with a
    # chapter list were its serial time and a second copy of their bodies held there)
    text = tagging_text(_PASS["extracted"][job], _PASS["tag_inserts"][job])
    if _CONTEXT is None or _CONTEXT[1] is None:
        raise RuntimeError("retag needs init_worker(shows, taxonomy) with a taxonomy first")
    from digest.tagging import tag_slugs

    # (tag_text's slugs without the scores and evidence nobody here reads: ~0.8× its CPU)
    return tag_slugs(title, text, _CONTEXT[1])


def estimated_date(collected_on: dt.date, line: int) -> dt.date:
    """The documented rule for undated episodes (docs/editing.md): the dump's collection day
    minus one day per line, so listing order follows dump order and re-runs are stable."""
    return collected_on - dt.timedelta(days=line)


def _squash(text: str) -> str:
    """``" ".join(text.split())``, without splitting a 65 kB line that has nothing to squash
    (every whitespace but the plain space is unprintable)."""
    if "  " not in text and text.isprintable():
        return text.strip(" ")
    return " ".join(text.split())


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


_PRINTABLE_ASCII = bytes(range(0x20, 0x7F))
_ASCII = bytes(range(0x80))
_NOT_ASCII = bytes(range(0x80, 0x100))


def repeat_key(text: str, plain: bool = False) -> str:
    """What finds a blurb's byte-identical repeats: its whitespace-squashed text (two lines
    are repeats when their keys are equal).  ``plain`` (:attr:`RawLine.plain`, from the
    whole-dump checks of :func:`digest.ingest.read.split_lines`) says it is the text itself.

    Why the text and not a hash of it: a dict of the texts finds equal ones by Python's own
    string hash (~0.05 s for the 10k bench dump's 88 MB), where SHA-256 and checking each
    line for something to squash were ~0.4 s of the main process's serial start; the SHA-256
    each episode records is taken by the extraction workers (:func:`_attributed`)."""
    if plain or _nothing_to_squash(text.encode("utf-8")):
        return text
    return _squash(text)


def _nothing_to_squash(data: bytes) -> bool:
    """Whether ``_squash(text) == text`` by its shortcut, from the text's UTF-8 ``data``: no
    double space, every character printable (``str.isprintable``), no space at either end.

    Why bytes: ``text.isprintable()`` on the 10k bench dump's 88 MB was half of hashing it.
    Its ASCII characters are its ASCII bytes (printable: 0x20–0x7E); deleting them leaves the
    other characters' whole UTF-8 sequences, usually a few bytes, decoded and checked as text."""
    if data[:1] == b" " or data[-1:] == b" " or b"  " in data:
        return False
    if data.translate(None, _PRINTABLE_ASCII).translate(None, _NOT_ASCII):
        return False  # an ASCII control character
    rest = data.translate(None, _ASCII)
    return not rest or rest.decode("utf-8").isprintable()


def ingest(
    dumps: list[Dump],
    shows: ShowRegistry,
    taxonomy: Any = None,
    mapper: Mapper = map,
    progress: Callable[[int, int], None] | None = None,
    defer_tagging: bool = False,
    taxonomy_loader: Callable[[], Any] | None = None,
) -> IngestResult:
    """Turn read dumps into episodes (pure apart from calling ``mapper``, ``progress`` and
    ``taxonomy_loader``).

    ``taxonomy_loader`` (with ``taxonomy`` None): called once the extraction pass is over for
    the taxonomy (None: no tagging), which only the tagging pass uses — so that a caller can
    load it while that pass's workers run (``fork_map(after_fork=...)``).

    ``defer_tagging``: return before the last pass (topic tagging) and leave it to the caller
    as :attr:`IngestResult.tagging`, so that :func:`digest.store.save_all` can write each file
    as its tags come, in the main process, while the workers tag the rest (the episodes get the
    same tags either way; until it is consumed, their ``tags`` are empty).

    ``progress(done, total)`` counts distinct blurbs extracted: cruft, show lines and exact
    repeats are not work, so a bar sized by them would close short of 100 %.

    The dumps' lines are consumed (emptied once classified) so a 100 MB dump is not held twice
    while its episodes are built.

    The cyclic garbage collector is off meanwhile: ingest makes no reference cycles it counts
    on it for, and at 10,000 blurbs its ~1M objects made five full collections walk them all
    (~0.35 s of the main process's serial time).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _ingest(dumps, shows, taxonomy, mapper, progress, defer_tagging, taxonomy_loader)
    finally:
        if collecting:
            gc.enable()


def _ingest(
    dumps: list[Dump],
    shows: ShowRegistry,
    taxonomy: Any,
    mapper: Mapper,
    progress: Callable[[int, int], None] | None,
    defer_tagging: bool = False,
    taxonomy_loader: Callable[[], Any] | None = None,
) -> IngestResult:
    result = IngestResult()
    blurbs: list[_Blurb] = []
    texts: list[str] = []
    plains: list[bool] = []
    for dump in dumps:
        result.problems.extend(dump.problems)
        header: Show | None = None
        for raw in dump.lines:
            kind = classify(raw.text, shows)
            if kind.kind is LineKind.CRUFT:
                if raw.text.strip():
                    result.dropped.append(
                        Dropped(raw.file, raw.number, kind.reason, raw.text[:60].strip())
                    )
                continue
            if kind.kind is LineKind.SHOW_HEADER:
                result.dropped.append(
                    Dropped(raw.file, raw.number, kind.reason, raw.text[:60].strip())
                )
                header = kind.show
                continue
            # A show line heads the blurb right after it: in directory search results the
            # next blurb is often another show's (sample lines 39–41, 49–51).
            blurbs.append(
                _Blurb(
                    raw.file,
                    raw.number,
                    "",  # (set below, or by the worker that extracts it)
                    len(raw.text),
                    raw.cut,
                    header,
                    dump.collected_on,
                )
            )
            texts.append(raw.text)
            plains.append(raw.plain)
            header = None
        dump.lines = []

    # Byte-identical repeats are merged before the costly extraction (a repeat's SHA-256 is
    # taken here, the others' by the workers that extract them).
    init_worker(shows, taxonomy)
    first_of: dict[str, int] = {}
    unique: list[int] = []
    repeats: dict[int, list[int]] = {}
    shared: list[str | None] = []  # the texts, None for repeats (never extracted)
    for i, (b, text, plain) in enumerate(zip(blurbs, texts, plains, strict=True)):
        first = first_of.get(key := repeat_key(text, plain))
        if first is not None and blurbs[first].header == b.header:
            repeats.setdefault(first, []).append(i)
            b.sha256 = _sha(text)
            shared.append(None)
        else:
            first_of.setdefault(key, i)
            unique.append(i)
            shared.append(text)
    del first_of, texts, plains

    # What the jobs (indices into ``blurbs``) point into, for this process and for workers
    # forked by the mapper.
    _PASS.clear()
    _PASS.update(
        texts=shared,
        cuts=[b.cut for b in blurbs],
        headers=[b.header.slug if b.header else None for b in blurbs],
    )
    extracted: dict[int, Extracted] = {}
    tag_inserts: dict[int, tuple[int, str]] = {}
    chosen_show: dict[int, Show | None] = {}
    candidates: list[dedupe.Candidate] = []
    try:
        for n, (i, done) in enumerate(zip(unique, mapper(process_blurb, unique), strict=True), 1):
            b, ex = blurbs[i], done.ex
            b.sha256 = done.sha256
            extracted[i] = ex
            if done.tag_insert is not None:
                tag_inserts[i] = done.tag_insert
            chosen_show[i] = shows.by_slug(done.show)
            result.warnings.extend(f"{b.file}:{b.line}: {w}" for w in done.warnings)
            candidates.append(
                dedupe.Candidate(i, "", done.show, ex.episode, signature=done.signature)
            )
            if progress:
                progress(n, len(unique))
    finally:
        _PASS.clear()  # the texts are freed here (a worker keeps its own copy until it exits)
    del shared

    if taxonomy is None and taxonomy_loader is not None:
        taxonomy = taxonomy_loader()
        init_worker(shows, taxonomy)  # (for the tagging pass's workers, forked later)

    lengths = {i: blurbs[i].length for i in unique}
    groups = dedupe.find_duplicates(candidates, lengths)
    absorbed: dict[int, list[int]] = {}
    merged_away: set[int] = set()
    why: dict[int, str] = {}
    for g in groups:
        absorbed[g.keep] = list(g.merged)
        merged_away.update(g.merged)
        why[g.keep] = g.reason

    episodes: list[Episode] = []
    kept_keys: list[int] = []
    hosts_of: dict[str, set[str]] = {}
    for i in unique:
        if i in merged_away:
            continue
        kept_keys.append(i)
        family = [i, *absorbed.get(i, [])]
        b, ex = blurbs[i], extracted[i]
        show = chosen_show[i] or next((chosen_show[k] for k in family if chosen_show[k]), None)
        hosts: set[str] = set()
        if show:
            if show.slug not in hosts_of:
                hosts_of[show.slug] = {h.casefold() for h in show.hosts}
            hosts = hosts_of[show.slug]
        date = ex.date or next((extracted[k].date for k in family if extracted[k].date), None)
        number = ex.episode or next(
            (extracted[k].episode for k in family if extracted[k].episode), None
        )
        first_line = min(blurbs[k].line for k in family)
        ep = Episode(
            title=ex.title,
            slug="",
            body=ex.body,
            source=Source(file=b.file, line=b.line, sha256=b.sha256),
            date=date or estimated_date(b.collected_on, first_line),
            date_estimated=date is None,
            show=show.name if show else None,
            summary=ex.summary,
            guests=[g for g in ex.guests if g.casefold() not in hosts],
            language=ex.language,
            episode=number,
            chapters=list(ex.chapters),
            links=list(ex.links),
            truncated=ex.truncated and all(extracted[k].truncated for k in family),
        )
        episodes.append(ep)
        all_repeats = [r for k in family for r in repeats.get(k, [])]
        others = sorted(set(family[1:]) | set(all_repeats), key=lambda k: blurbs[k].line)
        if others:
            reasons = [why[i]] if i in why else []
            if all_repeats:
                reasons.insert(0, "identical line")
            result.merges.append(
                Merge(
                    kept=ep.source,
                    merged=tuple(
                        Source(blurbs[k].file, blurbs[k].line, blurbs[k].sha256) for k in others
                    ),
                    reason="; ".join(reasons),
                )
            )

    _distinct_titles(episodes)
    _assign_slugs(episodes)
    if taxonomy is not None:
        # Tagged last, once per kept episode, with its final title (one made distinct — a
        # guest or "#12" appended — may mention a topic): tagging in the first pass would tag
        # duplicates that are merged away and, on dumps that repeat titles, tag half the
        # episodes twice.  Through ``mapper``, so a pool shares the work.  The tagged text
        # keeps the chapter list the published body no longer repeats: chapter labels are
        # evidence of what the episode discusses.
        kept_ex = [extracted[i] for i in kept_keys]
        inserts = [tag_inserts.get(i) for i in kept_keys]
        tagging = Tagging(episodes, kept_ex, inserts, mapper)
        if defer_tagging:
            result.tagging = tagging
        else:
            for _ in tagging:
                pass
    result.episodes = episodes
    return result


class Tagging:
    """The retag pass, run as it is iterated: sets each episode's ``tags`` (in order) and then
    yields its index.  What the jobs point into is set only once it starts, so a mapper that
    forks does so then (with whatever the caller holds by that time).

    :attr:`then`, when set before the first ``next``, is called with each episode's index right
    after its tags are set, where they were computed — in the worker when ``mapper`` is a pool,
    on that worker's copy of :attr:`episodes` with the tags set — and what it returns is kept in
    :attr:`results`.  Why: :func:`digest.store.save_all` checks each file of a folder it writes
    into again (read, render, compare); done by the tagging workers, that check is no pass of
    its own after the tagging (1.6 s of wall time for 10,000 files)."""

    def __init__(
        self,
        episodes: list[Episode],
        extracted: list[Extracted],
        tag_inserts: list[tuple[int, str] | None],
        mapper: Mapper,
    ) -> None:
        self.episodes = episodes
        self.then: Callable[[int], Any] | None = None
        self.results: list[Any] = [None] * len(episodes)
        self._extracted, self._tag_inserts, self._mapper = extracted, tag_inserts, mapper
        self._running: Iterator[int] | None = None

    def __iter__(self) -> Tagging:
        return self

    def __next__(self) -> int:
        if self._running is None:
            self._running = self._run()
        return next(self._running)

    def close(self) -> None:
        """Stop: a pool shuts down now, not when collected; what is not tagged never is."""
        if self._running is None:
            self._running = iter(())
        close = getattr(self._running, "close", None)
        if close is not None:
            close()

    def _run(self) -> Iterator[int]:
        episodes, then = self.episodes, self.then
        _PASS.clear()
        _PASS.update(
            titles=[ep.title for ep in episodes],
            extracted=self._extracted,
            tag_inserts=self._tag_inserts,
            episodes=episodes,
            then=then,
        )
        results = self._mapper(retag if then is None else retag_then, range(len(episodes)))
        try:
            for k, done in zip(range(len(episodes)), results, strict=True):
                if then is None:
                    episodes[k].tags = done
                else:
                    episodes[k].tags, self.results[k] = done
                yield k
        finally:
            _PASS.clear()
            close = getattr(results, "close", None)
            if close is not None:  # stopped early: a pool shuts down now, not when collected
                close()


def retag_then(job: int) -> tuple[list[str], Any]:
    """:func:`retag`, then :attr:`Tagging.then` of the episode with its tags set (top-level so
    a pool can run it)."""
    tags = retag(job)
    _PASS["episodes"][job].tags = tags
    return tags, _PASS["then"](job)


def _distinct_titles(episodes: list[Episode]) -> None:
    """Two episodes must not share a title on a listing page: add what tells them apart."""
    by_title: dict[str, list[Episode]] = {}
    for ep in episodes:
        by_title.setdefault(ep.title.casefold(), []).append(ep)
    for same in by_title.values():
        if len(same) < 2:
            continue
        for ep in same:
            extra = next((g for g in ep.guests if g not in ep.title), None)
            if not extra and ep.episode is not None:
                extra = f"#{ep.episode}"
            if not extra and ep.show:
                extra = ep.show
            if not extra and not ep.date_estimated and ep.date:
                extra = ep.date.isoformat()
            if not extra:
                extra = f"line {ep.source.line}"
            room = TITLE_MAX - len(extra) - 3
            base = ep.title if len(ep.title) <= room else tidy_title(concise_title(ep.title, room))
            ep.title = f"{base} ({extra})"


def _assign_slugs(episodes: list[Episode]) -> None:
    """Unique slugs within the run; a collision takes the show, then a hash of the source."""
    used: set[str] = set()
    for ep in sorted(episodes, key=lambda e: (e.source.file, e.source.line)):
        slug = slugify(ep.title)
        if slug in used and ep.show:
            slug = slugify(f"{slug}-{slugify(ep.show, 20)}", SLUG_MAX + 21)
        if slug in used:
            slug = f"{slug}-{ep.source.sha256[:8]}"
        base, n = slug, 2
        while slug in used:  # the same blurb listed under two shows
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        ep.slug = slug
