"""The parallel passes (fork_map: a pool forked per pass, jobs as indices into what the main
process shares by fork) give exactly what the serial ``map`` gives: the same IngestResult, the
same outcomes, the same bytes on disk — into an empty folder, on a re-run, and into a folder
an editor has edited, with a newer dump."""

import re
import shutil
import sys
from pathlib import Path

from digest.ingest.pipeline import fork_map, ingest
from digest.ingest.read import read_dump
from digest.shows import load_shows
from digest.store import Outcome, save_all
from digest.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
SHOWS = load_shows(ROOT / "content" / "shows.yml")
TAXONOMY = load_taxonomy(ROOT / "content" / "topics.yml")


def _dumps(tmp_path: Path) -> tuple[Path, Path]:
    """A synthetic dump, and a "newer" one: lines dropped (numbers shift), texts changed."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise

    lines = synthesise(90, 11).split("\n")
    newer = []
    for i, line in enumerate(lines):
        if i % 17 == 5:
            continue
        if i % 7 == 3 and len(line) > 200:
            line += " And one more sentence from a newer dump."
        newer.append(line)
    old_path, new_path = tmp_path / "dump.txt", tmp_path / "newer.txt"
    old_path.write_text("\n".join(lines), encoding="utf-8")
    new_path.write_text("\n".join(newer), encoding="utf-8")
    return old_path, new_path


def _edit(folder: Path) -> None:
    """An editor's hand: titles, tags, bodies, a deleted key, a renamed file, an own page."""
    files = sorted(folder.glob("*.md"))
    for i, path in enumerate(files[::4]):
        text = path.read_text(encoding="utf-8")
        if i % 4 == 0:
            text = re.sub(r"^title: .*$", f"title: Edited by hand {i}", text, count=1, flags=re.M)
        elif i % 4 == 1:
            text = text.replace("\nsummary:", "\neditor_note: mine\nsummary:", 1)
        elif i % 4 == 2:
            text = text.rstrip("\n") + "\n\nAn editor's extra paragraph.\n"
        else:
            text = re.sub(r"^language: .*\n", "", text, count=1, flags=re.M)
        path.write_text(text, encoding="utf-8")
    files[1].rename(folder / f"renamed-{files[1].name}")
    (folder / "editors-own-page.md").write_text("---\ntitle: Mine\n---\n\nHi.\n", encoding="utf-8")
    (folder / "broken.md").write_text("no front matter\n", encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _relative(outcomes: list[Outcome], folder: Path) -> list[tuple]:
    return [(o.path.relative_to(folder), o.status, o.kept, o.conflicts) for o in outcomes]


def test_fork_map_gives_what_map_gives(tmp_path: Path) -> None:
    old_dump, new_dump = _dumps(tmp_path)
    serial_dir, parallel_dir = tmp_path / "serial", tmp_path / "parallel"
    mapper = fork_map(2, chunksize=3)

    def run(dump: Path) -> list[Outcome]:
        serial = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY)
        parallel = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY, mapper=mapper)
        assert parallel == serial
        assert any(ep.tags for ep in serial.episodes) and serial.merges
        a = save_all(serial.episodes, serial_dir)
        b = save_all(parallel.episodes, parallel_dir, mapper=mapper)
        assert _relative(b, parallel_dir) == _relative(a, serial_dir)
        assert _tree(parallel_dir) == _tree(serial_dir)
        return a

    created = run(old_dump)  # an empty folder
    assert {o.status for o in created} == {"created"}
    rerun = run(old_dump)
    assert {o.status for o in rerun} == {"unchanged"}
    _edit(serial_dir)
    shutil.rmtree(parallel_dir)
    shutil.copytree(serial_dir, parallel_dir)
    newer = run(new_dump)  # edited folder, newer dump: kept edits, conflicts, new files
    statuses = {o.status for o in newer}
    assert {"created", "updated", "kept-edits"} <= statuses
    assert any(o.conflicts for o in newer)
    assert any(o.path.name.startswith("renamed-") for o in newer)  # found by its source


_KILLED_RUN = """
import os, sys, time
sys.path.insert(0, {root!r})
from digest.ingest.pipeline import fork_map

def job(k):
    time.sleep(0.05)
    return os.getpid()

for pid in fork_map(2)(job, range(10_000)):
    print(pid, flush=True)
"""


def test_workers_exit_when_the_run_is_killed() -> None:
    """A run killed mid-way (SIGKILL: no clean-up) leaves no worker behind: an orphan would
    run on and keep holding the run lock it inherited, refusing every later run."""
    import os
    import signal
    import subprocess
    import time

    run = subprocess.Popen(
        [sys.executable, "-c", _KILLED_RUN.format(root=str(ROOT))],
        stdout=subprocess.PIPE,
        text=True,
    )
    workers: set[int] = set()
    while len(workers) < 2:
        workers.add(int(run.stdout.readline()))
    os.kill(run.pid, signal.SIGKILL)
    run.wait()

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting for init is gone too
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"

    for _ in range(300):  # (the workers look for their parent every 0.2 s)
        if not any(alive(pid) for pid in workers):
            break
        time.sleep(0.1)
    left = [pid for pid in workers if alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left


def test_fork_map_calls_before_fork_once_before_its_first_pool() -> None:
    """The warm-up the CLI runs in a thread is finished before anything forks (its models are
    inherited), once, and not for a pass with no jobs; its failure stops the pass."""
    import os

    import pytest

    calls: list[int] = []
    mapper = fork_map(2, chunksize=2, before_fork=lambda: calls.append(os.getpid()))
    assert list(mapper(abs, [])) == [] and calls == []
    assert list(mapper(abs, [-1, -2, -3])) == [1, 2, 3]
    assert calls == [os.getpid()]
    assert list(mapper(abs, [-4])) == [4] and calls == [os.getpid()]

    def broken() -> None:
        raise ValueError("no model")

    failing = fork_map(2, before_fork=broken)
    with pytest.raises(ValueError, match="no model"):
        list(failing(abs, [1]))
