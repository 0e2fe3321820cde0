"""Pelican's content cache saved by a forked process (fast_build, issue 9) against Pelican's own
save: the same bytes in the same file, a failed save leaves the previous cache whole, and a
build whose cache was saved that way is served from it.
"""

from __future__ import annotations

import logging
import os
import pickle
import sys
from pathlib import Path

import pytest
from pelican.cache import FileStampDataCacher

from plugins.fast_build import patches
from tests.conftest import ROOT, ingested_sample_slice, run_with_flags

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


@pytest.fixture
def background(monkeypatch):
    assert patches.apply()["cache_save"]
    monkeypatch.setitem(patches._state, "background_save", True)
    yield
    patches.join_saves()


def _cacher(folder: Path, entries: int, value=None) -> FileStampDataCacher:
    settings = {"CACHE_PATH": str(folder), "CHECK_MODIFIED_METHOD": "mtime", "GZIP_CACHE": False,
                "CONTENT_CACHING_LAYER": "reader"}  # fmt: skip
    cacher = FileStampDataCacher(settings, "Readers", True, False)
    for i in range(entries):
        cacher._cache[f"/content/{i}.md"] = (float(i), (f"<p>{i}</p>" * 50, {"title": str(i)}))
    if value is not None:
        cacher._cache["/content/odd.md"] = value
    return cacher


def test_forked_save_writes_pelicans_bytes(tmp_path, background):
    cacher = _cacher(tmp_path / "fork", patches.BACKGROUND_SAVE_MIN + 5)
    cacher.save_cache()
    assert patches._savers, "a large cache must be saved by a forked process"
    patches.join_saves()
    reference = _cacher(tmp_path / "reference", patches.BACKGROUND_SAVE_MIN + 5)
    patches._state["background_save"] = False
    reference.save_cache()
    written = (tmp_path / "fork" / "Readers").read_bytes()
    assert written == (tmp_path / "reference" / "Readers").read_bytes()
    assert sorted(os.listdir(tmp_path / "fork")) == ["Readers"]  # no temporary file left


def test_small_cache_is_saved_in_process(tmp_path, background):
    _cacher(tmp_path, 3).save_cache()
    assert not patches._savers
    assert len(pickle.loads((tmp_path / "Readers").read_bytes())) == 3


def test_failed_save_keeps_the_previous_cache(tmp_path, background, caplog):
    folder = tmp_path / "cache"
    folder.mkdir()
    (folder / "Readers").write_bytes(b"previous")
    cacher = _cacher(folder, patches.BACKGROUND_SAVE_MIN + 5, value=lambda: None)
    with caplog.at_level(logging.WARNING, logger=patches.log.name):
        cacher.save_cache()
        patches.join_saves()
    assert (folder / "Readers").read_bytes() == b"previous"
    assert sorted(os.listdir(folder)) == ["Readers"]
    assert any("saving the cache" in r.getMessage() for r in caplog.records)


def _load(path: Path) -> dict:
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]
    try:
        return pickle.loads(path.read_bytes())
    finally:
        del sys.path[:2]


def test_build_with_a_forked_save_caches_what_pelican_caches(tmp_path_factory, tmp_path):
    content = ingested_sample_slice(tmp_path_factory.mktemp("cache-save"))
    warm = {"CACHE_CONTENT": "true", "LOAD_CONTENT_CACHE": "true"}
    forked = tmp_path / "fork" / "out"
    run_with_flags(content, forked, {"fast_build.patches.BACKGROUND_SAVE_MIN": 1}, **warm)
    reference = tmp_path / "reference" / "out"
    run_with_flags(content, reference, {}, FAST_BUILD_CACHE_PROCESS="false", **warm)
    name = "ArticlesGenerator-Readers"
    ours, theirs = _load(forked.parent / "cache" / name), _load(reference.parent / "cache" / name)
    assert len(ours) > 5
    assert ours.keys() == theirs.keys()
    assert all(ours[key][1] == theirs[key][1] for key in ours)


def _collections_while_loading(folder: Path) -> tuple[FileStampDataCacher, list[int]]:
    """A cache loaded from ``folder`` and the generations of the collections run meanwhile."""
    import gc

    seen: list[int] = []

    def note(phase, info):
        if phase == "start":
            seen.append(info["generation"])

    settings = {"CACHE_PATH": str(folder), "CHECK_MODIFIED_METHOD": "mtime", "GZIP_CACHE": False,
                "CONTENT_CACHING_LAYER": "reader"}  # fmt: skip
    gc.callbacks.append(note)
    try:
        cacher = FileStampDataCacher(settings, "Readers", True, True)
    finally:
        gc.callbacks.remove(note)
    return cacher, seen


@pytest.fixture
def big_cache(tmp_path) -> Path:
    """A cache file whose load allocates enough containers to trigger the collector (each
    entry a metadata dict with a list and a nested dict, as episodes' are)."""
    folder = tmp_path / "cache"
    folder.mkdir()
    entries = {
        f"/content/{i}.md": (float(i), (f"<p>{i}</p>", {"title": str(i), "tags": [str(i)],
                                                       "source": {"line": i}}))
        for i in range(20_000)
    }  # fmt: skip
    (folder / "Readers").write_bytes(pickle.dumps(entries))
    return folder


def test_cache_loads_with_the_collector_paused_then_frozen(big_cache, monkeypatch):
    """With ``after_cache_load`` set (fast_build's ``freeze_heap``), unpickling the content
    cache triggers no collection (each one walked everything loaded so far, and the first
    after a load without a freeze walks all of it), leaves the collector on as it found it,
    loads what Pelican loads, and calls the hook once loaded, before the collector is back."""
    import gc

    from plugins.fast_build import fast_build

    assert patches.apply()["cache_save"]
    monkeypatch.setitem(patches._state, "after_cache_load", None)
    reference, collected = _collections_while_loading(big_cache)
    assert collected, "the reference load must trigger the collector for this test to count"
    calls: list[bool] = []

    def hook():
        calls.append(gc.isenabled())
        fast_build.freeze_heap()

    monkeypatch.setitem(patches._state, "after_cache_load", hook)
    assert gc.isenabled()
    try:
        cacher, collected = _collections_while_loading(big_cache)
        assert collected == []
        assert calls == [False]
        assert gc.isenabled()
        assert cacher._cache == reference._cache and len(cacher._cache) == 20_000
        gc.disable()
        try:
            _collections_while_loading(big_cache)
            assert not gc.isenabled(), "a collector that was off stays off"
        finally:
            gc.enable()
    finally:
        fast_build.thaw_heap()
    assert gc.get_freeze_count() == 0
