"""What only the tagging pass needs (the taxonomy) can come late: ``ingest(taxonomy_loader=)``
tags exactly as ``ingest(taxonomy=)`` does, and ``fork_map(after_fork=)`` runs the loading in
the main process while the first pool's workers run, once."""

from __future__ import annotations

import multiprocessing
import os
import sys
from pathlib import Path

import pytest

from digest.ingest.pipeline import fork_map, ingest
from digest.ingest.read import read_dump
from digest.shows import load_shows
from digest.taxonomy import load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
SHOWS = load_shows(ROOT / "content" / "shows.yml")
TAXONOMY = load_taxonomy(ROOT / "content" / "topics.yml")


def _dump(tmp_path: Path) -> Path:
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise

    path = tmp_path / "dump.txt"
    path.write_text(synthesise(40, 5), encoding="utf-8")
    return path


def test_a_late_taxonomy_tags_what_an_early_one_tags(tmp_path: Path) -> None:
    path = _dump(tmp_path)
    early = ingest([read_dump(path, "d.txt")], SHOWS, TAXONOMY)
    calls: list[int] = []
    late = ingest(
        [read_dump(path, "d.txt")],
        SHOWS,
        taxonomy_loader=lambda: calls.append(1) or TAXONOMY,
    )
    assert calls == [1]
    assert any(ep.tags for ep in early.episodes)
    assert late == early
    untagged = ingest([read_dump(path, "d.txt")], SHOWS, taxonomy_loader=lambda: None)
    assert not any(ep.tags for ep in untagged.episodes)


def test_a_late_taxonomy_reaches_the_tagging_workers(tmp_path: Path) -> None:
    path = _dump(tmp_path)
    early = ingest([read_dump(path, "d.txt")], SHOWS, TAXONOMY)
    loaded: list[object] = []

    def load() -> object:
        if not loaded:
            loaded.append(TAXONOMY)
        return loaded[0]

    mapper = fork_map(2, chunksize=3, after_fork=load)
    late = ingest([read_dump(path, "d.txt")], SHOWS, mapper=mapper, taxonomy_loader=load)
    mapper.close()
    assert late == early


def test_fork_map_calls_after_fork_once_while_its_first_pool_runs() -> None:
    seen: list[tuple[int, int]] = []
    # (pools of earlier tests may still be exiting: fork_map does not wait for them)
    before = {p.pid for p in multiprocessing.active_children()}

    def after() -> None:
        started = {p.pid for p in multiprocessing.active_children()} - before
        seen.append((os.getpid(), len(started)))

    mapper = fork_map(2, chunksize=2, after_fork=after)
    assert list(mapper(abs, [])) == [] and seen == []
    assert list(mapper(abs, [-1, -2, -3])) == [1, 2, 3]
    assert seen == [(os.getpid(), 2)]  # in this process, with both workers started
    assert list(mapper(abs, [-4])) == [4] and len(seen) == 1

    def broken() -> None:
        raise ValueError("no taxonomy")

    with pytest.raises(ValueError, match="no taxonomy"):
        list(fork_map(2, after_fork=broken)(abs, [1]))
