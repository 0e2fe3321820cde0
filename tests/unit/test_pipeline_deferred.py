"""Deferred tagging (``ingest(..., defer_tagging=True)`` + ``save_all(..., tagged=...)``, what
scripts/preprocess.py runs: each file written as its episode is tagged) gives exactly what
tagging inside ingest and saving afterwards gives — the same episodes, outcomes and bytes on
disk, serially and with a forked pool, into an empty folder, on a re-run, and into an edited
folder with a newer dump."""

import shutil
from pathlib import Path

import pytest

from digest.ingest.pipeline import fork_map, ingest
from digest.ingest.read import read_dump
from digest.store import save_all
from tests.unit.test_pipeline_parallel import SHOWS, TAXONOMY, _dumps, _edit, _relative, _tree


@pytest.mark.parametrize("parallel", [False, True])
def test_deferred_tagging_writes_what_tagging_first_writes(tmp_path: Path, parallel: bool) -> None:
    old_dump, new_dump = _dumps(tmp_path)
    ref_dir, new_dir = tmp_path / "reference", tmp_path / "deferred"
    mapper = fork_map(2, chunksize=3) if parallel else map

    def run(dump: Path) -> list:
        reference = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY)
        deferred = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY, mapper, defer_tagging=True)
        assert deferred.tagging is not None
        assert not any(ep.tags for ep in deferred.episodes)  # not tagged yet
        a = save_all(reference.episodes, ref_dir)
        b = save_all(deferred.episodes, new_dir, mapper=mapper, tagged=deferred.tagging)
        assert deferred == reference  # every episode tagged by now, with the same tags
        assert any(ep.tags for ep in reference.episodes)
        assert _relative(b, new_dir) == _relative(a, ref_dir)
        assert _tree(new_dir) == _tree(ref_dir)
        return b

    assert {o.status for o in run(old_dump)} == {"created"}  # an empty folder
    assert {o.status for o in run(old_dump)} == {"unchanged"}
    _edit(ref_dir)
    shutil.rmtree(new_dir)
    shutil.copytree(ref_dir, new_dir)
    newer = run(new_dump)
    assert {"created", "updated", "kept-edits"} <= {o.status for o in newer}


def test_first_run_writes_while_tagging(tmp_path: Path) -> None:
    """Into an empty folder each file is written once its episode is tagged, before the
    tagging has ended (the overlap the deferral is for); a folder with files waits for all."""
    dump, _ = _dumps(tmp_path)
    for folder, overlaps in ((tmp_path / "first", True), (tmp_path / "first", False)):
        result = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY, defer_tagging=True)
        seen: list[int] = []

        def watched(tagging=result.tagging, folder=folder, seen=seen):
            for k in tagging:
                seen.append(len(list(folder.glob("*.md"))) if folder.is_dir() else 0)
                yield k

        save_all(result.episodes, folder, tagged=watched())
        assert len(seen) == len(result.episodes)
        if overlaps:
            assert seen == list(range(len(seen)))  # file k-1 written when k is tagged
        else:
            assert set(seen) == {len(seen)}  # the re-run: all files there, none written


def test_tagging_stops_when_writing_fails(tmp_path: Path, monkeypatch) -> None:
    """A failed write closes the tagging (its pool shuts down) and the error comes through."""
    from digest import store

    dump, _ = _dumps(tmp_path)
    result = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY, defer_tagging=True)
    calls = []

    def failing(path, text, new):
        calls.append(path)
        if len(calls) == 4:
            raise OSError("disk full")

    monkeypatch.setattr(store, "_write_atomic", failing)
    with pytest.raises(OSError, match="disk full"):
        save_all(result.episodes, tmp_path / "out", tagged=result.tagging)
    with pytest.raises(StopIteration):
        next(result.tagging)


def test_rerun_checks_files_in_the_tagging_pass(tmp_path: Path) -> None:
    """Into a folder with files, each episode's own file is checked right after its tagging
    (pipeline.Tagging.then, in the tagging job: no check pass of its own), and the checks are
    what store's own check pass gives: a file untouched is "same", an edited one is not."""
    from digest import store

    dump, _ = _dumps(tmp_path)
    folder = tmp_path / "out"
    first = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY)
    save_all(first.episodes, folder)
    edited = sorted(folder.glob("*.md"))[0]
    edited.write_text(edited.read_text(encoding="utf-8").replace("title:", "title: Edited"))
    calls: list[str] = []

    def recording(fn, jobs):
        calls.append(fn.__name__)
        return map(fn, jobs)

    again = ingest([read_dump(dump, "d.txt")], SHOWS, TAXONOMY, recording, defer_tagging=True)
    assert again.tagging is not None
    outcomes = save_all(again.episodes, folder, mapper=recording, tagged=again.tagging)
    assert calls == ["process_blurb", "retag_then", "_write_planned"]
    store._PASS.update(
        episodes=again.episodes, out_dir=folder, stems={p.stem for p in folder.glob("*.md")}
    )
    try:
        reference = [store._own_file_check(k) for k in range(len(again.episodes))]
    finally:
        store._PASS.clear()
    assert again.tagging.results == reference
    assert sum(not same for same, _ in reference) == 1
    assert [o.status for o in outcomes].count("unchanged") == len(outcomes) - 1
