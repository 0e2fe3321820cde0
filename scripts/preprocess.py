#!/usr/bin/env python3
"""Ingest raw blurb dumps into Markdown episodes (thin command line over digest.ingest).

    python scripts/preprocess.py [INPUT ...] [--output DIR] [--quiet] [--json]

Defaults: every ``data/blurbs/*.txt`` → ``content/episodes/``.  Editors' edits survive re-runs
(see docs/editing.md).  Exit codes: 0 done (possibly with warnings), 1 nothing could be
ingested, 2 bad arguments or an unusable shows.yml, 3 another run holds the lock.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import gc
import json
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if __name__ == "__main__":
    # A run is short and makes no garbage cycles it needs collected: the cyclic collector
    # would only walk its objects (the imports', then ingest's ~1M: ~0.15 s of the main
    # process's serial time on the 10k bench dump).  (main() does the same when imported.)
    gc.disable()

from digest.ingest.pipeline import IngestResult, fork_map, ingest, warm_up  # noqa: E402
from digest.ingest.read import Dump, InputProblem, read_dump  # noqa: E402
from digest.shows import ShowRegistry, ShowsError, load_shows  # noqa: E402

if TYPE_CHECKING:
    from digest.store import Outcome

EXIT_OK, EXIT_NOTHING, EXIT_USAGE, EXIT_LOCKED = 0, 1, 2, 3
PARALLEL_FROM = 2_000_000  # input bytes; below this a process pool costs more than it saves
PROGRESS_FROM = 200


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return str(path)


@contextlib.contextmanager
def run_lock(out_dir: Path) -> Iterator[bool]:
    """An exclusive ``flock`` on ``<output>/.ingest.lock``; the kernel releases it even when the
    run is killed, so a crashed run never blocks the next one."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / ".ingest.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        try:
            yield True
        finally:
            with contextlib.suppress(OSError):
                os.unlink(path)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class _Warming(threading.Thread):
    """:func:`warm_up` in a thread; :meth:`finish` waits for it (and raises what it raised)."""

    def __init__(self, taxonomy: object | None) -> None:
        super().__init__(name="warm-up", daemon=True)
        self.taxonomy = taxonomy
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            warm_up(self.taxonomy)
        except BaseException as exc:  # handed to the main thread by finish()
            self.error = exc

    def finish(self) -> None:
        self.join()
        if self.error is not None:
            raise self.error


def _load_taxonomy(path: Path, warnings: list[str]) -> object | None:
    if not path.is_file():
        warnings.append(f"{_display(path)} not found: episodes get no topic tags")
        return None
    try:
        import digest.tagging  # noqa: F401  (checked here so a missing module warns once)
        from digest.taxonomy import load_taxonomy
    except ImportError as exc:
        warnings.append(f"topic tagging unavailable ({exc}); episodes get no topic tags")
        return None
    return load_taxonomy(path)


class _LateTaxonomy:
    """The topic taxonomy, loaded when first called (then remembered): ingest calls it once
    its extraction pass is over, and ``fork_map(after_fork=...)`` as soon as that pass's
    workers run — so the taxonomy, the tagging and store modules and, with ``warm``, the topic
    scanner are built while the workers extract, not before they fork (~0.25 s of the main
    process that the other core spent idle)."""

    def __init__(self, path: Path, warnings: list[str], warm: bool) -> None:
        self.path, self.warnings, self.warm = path, warnings, warm
        self.loaded: list[object | None] = []

    def __call__(self) -> object | None:
        if not self.loaded:
            taxonomy = _load_taxonomy(self.path, self.warnings)
            import digest.store  # noqa: F401  (for the write pass, imported meanwhile too)

            if self.warm and taxonomy is not None:
                warm_up(taxonomy)  # (the tagging workers fork later and inherit the scanner)
            self.loaded.append(taxonomy)
        return self.loaded[0]


def _summary(result: IngestResult, outcomes: list[Outcome], seconds: float) -> dict:
    status = Counter(o.status for o in outcomes)
    shows = Counter(ep.show or "(no show)" for ep in result.episodes)
    topics = Counter(t for ep in result.episodes for t in ep.tags)
    return {
        "episodes": len(result.episodes),
        "written": status["created"] + status["updated"],
        "created": status["created"],
        "updated": status["updated"],
        "unchanged": status["unchanged"],
        "kept_as_edited": status["kept-edits"],
        "skipped": status["skipped"],
        "duplicates_merged": sum(len(m.merged) for m in result.merges),
        "merges": [
            {
                "kept": f"{m.kept.file}:{m.kept.line}",
                "merged": [f"{s.file}:{s.line}" for s in m.merged],
                "reason": m.reason,
            }
            for m in result.merges
        ],
        "dropped": [
            {"line": f"{d.file}:{d.line}", "reason": d.reason, "text": d.preview}
            for d in result.dropped
        ],
        "conflicts": [
            {"file": _display(o.path), "kept": o.kept, "conflicts": o.conflicts}
            for o in outcomes
            if o.conflicts
        ],
        "per_show": dict(sorted(shows.items())),
        "per_topic": dict(sorted(topics.items())),
        "warnings": result.warnings,
        "problems": [str(p) for p in result.problems],
        "seconds": round(seconds, 2),
    }


def _print_summary(s: dict) -> None:
    out = sys.stdout
    print(
        f"Ingest: {s['episodes']} episodes — {s['created']} created, {s['updated']} updated, "
        f"{s['unchanged']} unchanged, {s['kept_as_edited']} kept as edited, "
        f"{s['duplicates_merged']} duplicates merged, {len(s['dropped'])} lines dropped "
        f"({s['seconds']} s)",
        file=out,
    )
    for m in s["merges"]:
        print(f"  merged {', '.join(m['merged'])} into {m['kept']} ({m['reason']})", file=out)
    for d in s["dropped"]:
        print(f"  dropped {d['line']}: {d['reason']}: {d['text']!r}", file=out)
    for c in s["conflicts"]:
        for msg in c["conflicts"]:
            print(f"  conflict {c['file']}: {msg}", file=out)
    print("  per show: " + ", ".join(f"{k} {v}" for k, v in s["per_show"].items()), file=out)
    if s["per_topic"]:
        print("  per topic: " + ", ".join(f"{k} {v}" for k, v in s["per_topic"].items()), file=out)
    for w in s["warnings"]:
        print(f"  warning: {w}", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "inputs", nargs="*", type=Path, help="dump files (default: data/blurbs/*.txt)"
    )
    parser.add_argument("--output", type=Path, default=ROOT / "content" / "episodes")
    parser.add_argument("--shows", type=Path, default=ROOT / "content" / "shows.yml")
    parser.add_argument("--topics", type=Path, default=ROOT / "content" / "topics.yml")
    parser.add_argument("--quiet", action="store_true", help="print only problems")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _main(args)
    finally:
        if collecting:
            gc.enable()


def _main(args: argparse.Namespace) -> int:
    inputs = args.inputs or sorted((ROOT / "data" / "blurbs").glob("*.txt"))
    if not inputs:
        print("error: no input dumps (data/blurbs/*.txt is empty)", file=sys.stderr)
        return EXIT_NOTHING
    try:
        shows = load_shows(args.shows)
    except ShowsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE

    with run_lock(args.output) as locked:
        if not locked:
            print(
                f"error: another ingest run is writing to {_display(args.output)} "
                "(lock .ingest.lock held); wait for it to finish and run again",
                file=sys.stderr,
            )
            return EXIT_LOCKED
        warnings: list[str] = []
        mapper: Any = map
        warming: _Warming | None = None
        size = sum(p.stat().st_size for p in inputs if p.is_file())
        parallel = args.workers > 1 and size >= PARALLEL_FROM
        taxonomy = _LateTaxonomy(args.topics, warnings, warm=parallel)
        if parallel:
            # Each parallel pass forks its own pool once its inputs are in memory (the dumps'
            # texts, then the episodes), so workers inherit them instead of unpickling them;
            # the language model and topic scanner are built once, in this process, and
            # inherited too.  The model is mapped in a thread while the dumps are read and
            # their lines classified (the first pool waits for it: ``before_fork``); the
            # taxonomy and its scanner, which only the second pass uses, are built while the
            # first pass's workers run (``after_fork``).
            warming = _Warming(None)
            warming.start()
            mapper = fork_map(args.workers, before_fork=warming.finish, after_fork=taxonomy)
        try:
            return _run(args, inputs, shows, taxonomy, warnings, mapper, warming)
        finally:
            if warming is not None:  # (a no-op once the first pool has waited for it)
                warming.finish()
            if parallel:  # the last pass's workers exit while the summary is written
                mapper.close()


def _run(
    args: argparse.Namespace,
    inputs: list[Path],
    shows: ShowRegistry,
    taxonomy: _LateTaxonomy,
    warnings: list[str],
    mapper: Any,
    warming: _Warming | None = None,
) -> int:
    """Read, ingest, write and report, while the lock is held (``warming``: the warm-up,
    which ``mapper`` finishes before it forks; finished here too before returning, so that
    its failure is never silent; ``taxonomy``: loaded during or after the first pass)."""

    started = time.perf_counter()
    dumps: list[Dump] = [read_dump(p, _display(p)) for p in inputs]
    fatal: list[InputProblem] = [p for d in dumps for p in d.problems if p.fatal]
    for problem in (p for d in dumps for p in d.problems):
        print(f"{'error' if problem.fatal else 'warning'}: {problem}", file=sys.stderr)
    usable = [d for d in dumps if not any(p.fatal for p in d.problems)]
    if not usable:
        print("error: nothing could be ingested", file=sys.stderr)
        return EXIT_NOTHING

    n_lines = sum(len(d.lines) for d in usable)
    bar = None
    if not (args.quiet or args.json) and n_lines >= PROGRESS_FROM:
        from tqdm import tqdm

        bar = tqdm(total=n_lines, unit="blurb", desc="ingest", file=sys.stderr, leave=False)

    def progress(done: int, total: int) -> None:
        if bar is not None:  # (update redraws at most every 0.1 s; refresh drew every blurb)
            bar.total = total  # distinct blurbs: fewer than the lines the bar started with
            bar.update(done - bar.n)

    # Tagging is left to save_all to run: on a first run it writes each file as its episode is
    # tagged, while the workers tag the next ones.
    result = ingest(
        usable,
        shows,
        mapper=mapper,
        progress=progress,
        defer_tagging=True,
        taxonomy_loader=taxonomy,
    )
    if bar is not None:
        bar.close()
    result.warnings[:0] = warnings
    result.problems = [p for p in result.problems if not p.fatal] + fatal
    from digest.store import save_all  # (imported by ``taxonomy`` already, in a parallel run)

    outcomes = save_all(result.episodes, args.output, mapper=mapper, tagged=result.tagging)

    summary = _summary(result, outcomes, time.perf_counter() - started)
    if args.json:
        json.dump(summary, sys.stdout, ensure_ascii=False, indent=2)
        print()
    elif not args.quiet:
        _print_summary(summary)
    else:
        for c in summary["conflicts"]:
            for msg in c["conflicts"]:
                print(f"conflict {c['file']}: {msg}", file=sys.stderr)
    return EXIT_OK if result.episodes or not fatal else EXIT_NOTHING


if __name__ == "__main__":
    code = main()
    # Exit without tearing the interpreter down: freeing ingest's ~1M objects one by one took
    # 0.1–0.3 s after the work was done.  The lock is released and every file closed by now;
    # only the standard streams' buffers are left to flush.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
