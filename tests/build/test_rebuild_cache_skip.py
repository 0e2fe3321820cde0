"""Pelican's content cache not saved again when nothing changed it (plugins/fast_build, issue 9).

A cache loaded from its file that no ``cache_data`` call touched during the build is left on
disk as it is (at 10,000 episodes a forked process pickled and wrote 105 MB on every no-change
rebuild). That is right only if the file already holds what a save would write: no plugin may
change a cached entry in place. So: the file a rebuild leaves with the skip must have the bytes
a rebuild without it writes (after a no-change rebuild and after a tag edit), a file read during
the build must be saved, and a cache file replaced after it was loaded must be overwritten.
"""

from __future__ import annotations

import os
import pickle
import shutil
from pathlib import Path

import pytest
from pelican.cache import FileStampDataCacher

from plugins.fast_build import patches
from tests.conftest import (
    assert_same_site,
    build_warm,
    ingested_sample_slice,
    run_with_flags,
    site_tree,
)

READERS = "ArticlesGenerator-Readers"
# the forked save for the sample slice's small cache too: the skip must come before it
FLAGS = {"fast_build.patches.BACKGROUND_SAVE_MIN": 1}


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_sample_slice(tmp_path_factory.mktemp("cache-skip"))


@pytest.fixture
def in_process(monkeypatch):
    assert patches.apply()["cache_save"]
    monkeypatch.setitem(patches._state, "background_save", False)
    monkeypatch.setattr(patches, "SKIP_UNCHANGED_SAVE", True)


def _settings(folder: Path) -> dict:
    return {"CACHE_PATH": str(folder), "CHECK_MODIFIED_METHOD": "mtime", "GZIP_CACHE": False,
            "CONTENT_CACHING_LAYER": "reader"}  # fmt: skip


def _identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns


def test_unit_save_skipped_only_for_an_untouched_loaded_cache(tmp_path, in_process):
    source = tmp_path / "a.md"
    source.write_text("a")
    cache_file = tmp_path / "Readers"
    cache_file.write_bytes(pickle.dumps({"/old.md": (1.0, ("<p>old</p>", {}))}))
    os.utime(cache_file, ns=(10**18, 10**18))  # a save would move the mtime

    untouched = FileStampDataCacher(_settings(tmp_path), "Readers", True, True)
    assert untouched.get_cached_data("/old.md") is None  # a look-up is not a change
    before = _identity(cache_file)
    untouched.save_cache()
    assert _identity(cache_file) == before

    read = FileStampDataCacher(_settings(tmp_path), "Readers", True, True)
    read.cache_data(str(source), ("<p>a</p>", {}))
    read.save_cache()
    assert _identity(cache_file) != before
    assert set(pickle.loads(cache_file.read_bytes())) == {"/old.md", str(source)}

    # the file replaced after the cache was loaded: saved over, though nothing was read
    replaced = FileStampDataCacher(_settings(tmp_path), "Readers", True, True)
    cache_file.write_bytes(pickle.dumps({}))
    replaced.save_cache()
    assert set(pickle.loads(cache_file.read_bytes())) == {"/old.md", str(source)}

    # nothing loaded (no file, or LOAD_CONTENT_CACHE off): saved as Pelican saves
    fresh = FileStampDataCacher(_settings(tmp_path / "new"), "Readers", True, True)
    fresh.save_cache()
    assert pickle.loads((tmp_path / "new" / "Readers").read_bytes()) == {}
    unloaded = FileStampDataCacher(_settings(tmp_path), "Readers", True, False)
    unloaded.save_cache()
    assert pickle.loads(cache_file.read_bytes()) == {}


def _rebuild(content: Path, output: Path, skip: bool) -> None:
    flags = {**FLAGS, "fast_build.patches.SKIP_UNCHANGED_SAVE": skip}
    run_with_flags(content, output, flags, CACHE_CONTENT="true", LOAD_CONTENT_CACHE="true")


def _rebuild_from(state: Path, output: Path, content: Path, skip: bool) -> tuple[bool, bytes]:
    """Rebuild ``content`` into ``output`` from a copy of the build folder ``state`` (output
    and caches; the same paths every time: the cache pickles the settings, OUTPUT_PATH among
    them); return whether the cache file was written and its bytes."""
    shutil.rmtree(output.parent, ignore_errors=True)
    shutil.copytree(state, output.parent)
    cache = output.parent / "cache" / READERS
    loaded = _identity(cache)
    _rebuild(content, output, skip)
    return _identity(cache) != loaded, cache.read_bytes()


def test_skipped_save_leaves_the_bytes_a_save_writes(content, tmp_path):
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "build" / "out"
    _rebuild(edited, output, skip=False)
    state = tmp_path / "state"
    shutil.copytree(output.parent, state)
    # no change: the skipping rebuild leaves its file, the other writes it again, same bytes
    assert _rebuild_from(state, output, edited, skip=True) == (
        False,
        state.joinpath("cache", READERS).read_bytes(),
    )
    assert _rebuild_from(state, output, edited, skip=False) == (
        True,
        state.joinpath("cache", READERS).read_bytes(),
    )
    # one episode's tags edited: its file is read again, so both rebuilds save the cache
    episode = next(
        p for p in sorted((edited / "episodes").glob("*.md")) if "\ntags:\n- " in p.read_text()
    )
    episode.write_text(episode.read_text().replace("\ntags:\n", "\ntags:\n- kubernetes\n", 1))
    saved = _rebuild_from(state, output, edited, skip=False)
    assert saved[0]
    assert _rebuild_from(state, output, edited, skip=True) == saved
    # and once more without a change: a build served from the skipped file equals a clean one
    edited_state = tmp_path / "edited-state"
    shutil.copytree(output.parent, edited_state)
    assert not _rebuild_from(edited_state, output, edited, skip=True)[0]
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean)
    assert_same_site(site_tree(clean), site_tree(output))
