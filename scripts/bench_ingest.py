#!/usr/bin/env python3
"""Benchmark ingest on 10,000 blurbs synthesised from the sample dump (fixed seed).

    python scripts/bench_ingest.py [--blurbs 10000] [--workers 2] [--seed 7]

The synthetic dump keeps the sample's distribution: its blurbs are drawn uniformly (so about
one in six is a 30–65 kB transcript), each made unique by swapping ~5 % of its words, with
exact repeats, UI cruft lines and show lines mixed in at the sample's rates.  Ingest runs
in-process as the CLI runs it (read while the models load → pipeline → topic tagging on a
pool while the main process writes each tagged episode's file into a temporary directory,
each parallel pass on a pool forked for it); the figures printed are wall time, main-process CPU
and the workers' CPU per stage, and peak resident memory.  The main process's CPU is the
serial part: on two cores, wall time is at least that.  The dump is synthesised in a child
process, so the main process's peak is ingest's own (the CLI never holds a synthesiser's
500 MB).
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from digest.ingest.pipeline import fork_map, ingest, warm_up  # noqa: E402
from digest.ingest.read import read_dump  # noqa: E402
from digest.shows import load_shows  # noqa: E402
from digest.store import save_all  # noqa: E402

sys.path.insert(0, str(ROOT / "scripts"))
from synth import synthesise  # noqa: E402  (the project's one synthesiser)


def _peak_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_cpu() -> float:
    """CPU seconds of the joined worker processes (user + system)."""
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return kids.ru_utime + kids.ru_stime


def _write_dump(path: Path, blurbs: int, seed: int) -> None:
    path.write_text(synthesise(blurbs, seed), encoding="utf-8")


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--blurbs", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        dump_path = Path(tmp) / "synthetic.txt"
        # Synthesised in a child process: its ~500 MB peak is the benchmark's, not ingest's,
        # and would otherwise be the main process's peak memory before ingest starts.
        from multiprocessing import get_context

        child = get_context("fork").Process(
            target=_write_dump, args=(dump_path, args.blurbs, args.seed)
        )
        child.start()
        child.join()
        if child.exitcode != 0:
            raise SystemExit(f"synthesising the dump failed (exit code {child.exitcode})")
        synth_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        mb, lines = dump_path.stat().st_size / 1e6, _count_lines(dump_path)
        out_dir = Path(tmp) / "episodes"
        shows = load_shows(ROOT / "content" / "shows.yml")
        taxonomy = None
        try:
            from digest.taxonomy import load_taxonomy

            topics = ROOT / "content" / "topics.yml"
            taxonomy = load_taxonomy(topics) if topics.is_file() else None
        except ImportError:
            pass

        t0, c0, k0 = time.perf_counter(), time.process_time(), _children_cpu()
        mapper: Any = map
        warming = None
        if args.workers > 1:  # as the CLI does: models built while the dump is read, a pool
            warming = threading.Thread(target=warm_up, args=(taxonomy,))  # forked per pass
            warming.start()
            # (the CLI's overlap: the first pool waits for the warm-up, reading does not)
            mapper = fork_map(args.workers, before_fork=warming.join)
        dump = read_dump(dump_path, "synthetic.txt")
        t1, c1, k1 = time.perf_counter(), time.process_time(), _children_cpu()
        rss = [_peak_mb()]
        # as the CLI does: tagging deferred to save_all, which writes each file once tagged
        result = ingest([dump], shows, taxonomy, mapper=mapper, defer_tagging=True)
        del dump
        t2, c2, k2 = time.perf_counter(), time.process_time(), _children_cpu()
        rss.append(_peak_mb())
        outcomes = save_all(result.episodes, out_dir, mapper=mapper, tagged=result.tagging)
        t3, c3, k3 = time.perf_counter(), time.process_time(), _children_cpu()
        rss.append(_peak_mb())
        again = save_all(result.episodes, out_dir, mapper=mapper)  # the re-run: nothing to write
        t4, c4, k4 = time.perf_counter(), time.process_time(), _children_cpu()

    me, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    own, kids = me.ru_maxrss / 1024, children.ru_maxrss / 1024
    cpu = me.ru_utime + me.ru_stime + children.ru_utime + children.ru_stime
    print(f"input            {lines:,} lines, {mb:.1f} MB (seed {args.seed})")
    print(
        f"episodes         {len(result.episodes):,} written, {len(result.dropped)} lines "
        f"dropped, {sum(len(m.merged) for m in result.merges)} duplicates merged"
    )
    print("                 wall      main-process cpu  workers' cpu")
    print(f"read             {t1 - t0:6.2f} s  {c1 - c0:6.2f} s  (warm-up overlaps)")
    print(
        f"pipeline         {t2 - t1:6.2f} s  {c2 - c1:6.2f} s  {k2 - k1:6.2f} s"
        f"  ({args.workers} worker(s); up to topic tagging)"
    )
    print(
        f"tag + write      {t3 - t2:6.2f} s  {c3 - c2:6.2f} s  {k3 - k2:6.2f} s"
        f"  ({len(outcomes):,} files written by the main process as the workers tag,"
        f" tagging {'on' if taxonomy is not None else 'off'})"
    )
    print(
        f"ingest total     {t3 - t0:6.2f} s  {c3 - c0:6.2f} s  {k3 - k0:6.2f} s  "
        f"(all: {c3 - c0 + k3 - k0:.2f} s cpu)"
    )
    unchanged = sum(o.status == "unchanged" for o in again)
    print(
        f"store (re-run)   {t4 - t3:6.2f} s  {c4 - c3:6.2f} s  {k4 - k3:6.2f} s"
        f"  ({unchanged:,} unchanged)"
    )
    print(
        f"cpu time         {cpu:6.2f} s  (all processes, synthesising the dump included; "
        f"÷ {args.workers} ≈ wall time on an idle {args.workers}-core machine)"
    )
    worker = f"{kids:.0f} MB" if kids > synth_peak else f"≤ {synth_peak:.0f} MB"
    print(
        f"peak memory      {own:6.0f} MB main process, {worker} largest worker "
        f"(the synthesiser child: {synth_peak:.0f} MB)"
    )
    print(f"main peak after  read {rss[0]:.0f} MB, pipeline {rss[1]:.0f} MB, store {rss[2]:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
