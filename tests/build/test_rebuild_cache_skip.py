"""Pelican's content cache not saved whole again for no or a few changes (fast_build, issue 9).

A cache loaded from its file that no ``cache_data`` call touched during the build is left on
disk as it is, and one given a few entries saves them to a journal beside the file, which the
next build loads over it (at 10,000 episodes a forked process pickled and wrote 105 MB on every
rebuild). That is right only if the file already holds what a save would write: no plugin may
change a cached entry in place, and file + journal must load as the whole save would. So: the
file a skipping rebuild leaves has the bytes a saving rebuild writes, after a tag edit the cache
loaded from file + journal has the entries (same order, same pickled bytes) of a whole save, a
file read during the build is saved, a cache file replaced after it was loaded is overwritten,
and a journal written over another version of the file is ignored.
"""

from __future__ import annotations

import os
import pickle
import shutil
import sys
from pathlib import Path

import pytest
from pelican.cache import FileStampDataCacher

from plugins.fast_build import patches
from tests.conftest import (
    ROOT,
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
    monkeypatch.setattr(patches, "JOURNAL_MAX", 2)


def _settings(folder: Path) -> dict:
    return {"CACHE_PATH": str(folder), "CHECK_MODIFIED_METHOD": "mtime", "GZIP_CACHE": False,
            "CONTENT_CACHING_LAYER": "reader"}  # fmt: skip


def _identity(path: Path) -> tuple[int, int]:
    st = os.stat(path)
    return st.st_ino, st.st_mtime_ns


def test_unit_save_skipped_or_journaled_only_when_sound(tmp_path, in_process):
    sources = [tmp_path / f"{name}.md" for name in "abc"]
    for source in sources:
        source.write_text(source.stem)
    a, b, c = (str(source) for source in sources)
    cache_file = tmp_path / "Readers"
    journal = tmp_path / "Readers.journal"
    cache_file.write_bytes(pickle.dumps({"/old.md": (1.0, ("<p>old</p>", {}))}))
    os.utime(cache_file, ns=(10**18, 10**18))  # a save would move the mtime
    before = _identity(cache_file)

    def load() -> FileStampDataCacher:
        return FileStampDataCacher(_settings(tmp_path), "Readers", True, True)

    untouched = load()
    assert untouched.get_cached_data("/old.md") is None  # a look-up is not a change
    untouched.save_cache()
    assert _identity(cache_file) == before and not journal.exists()

    # one entry: journaled, the file left; loaded back over the file
    read = load()
    read.cache_data(a, ("<p>a</p>", {}))
    read.save_cache()
    assert _identity(cache_file) == before and journal.exists()
    assert list(load()._cache) == ["/old.md", a]
    assert load().get_cached_data(a) == ("<p>a</p>", {})
    # a second build adds one and replaces one: both in the journal, in a whole save's order
    second = load()
    second.cache_data(b, ("<p>b</p>", {}))
    second.cache_data(a, ("<p>a2</p>", {}))
    second.save_cache()
    assert _identity(cache_file) == before
    assert list(load()._cache) == ["/old.md", a, b]
    assert load().get_cached_data(a) == ("<p>a2</p>", {})
    # over JOURNAL_MAX: the whole cache saved, the journal gone
    third = load()
    third.cache_data(c, ("<p>c</p>", {}))
    third.save_cache()
    assert _identity(cache_file) != before and not journal.exists()
    whole = pickle.loads(cache_file.read_bytes())
    assert list(whole) == ["/old.md", a, b, c] and whole[a][1] == ("<p>a2</p>", {})

    # a journal written over another version of the file is not loaded
    fourth = load()
    fourth.cache_data(a, ("<p>a3</p>", {}))
    fourth.save_cache()
    assert journal.exists()
    cache_file.write_bytes(cache_file.read_bytes())  # same bytes, another write
    assert load().get_cached_data(a) == ("<p>a2</p>", {})

    # the file replaced after the cache was loaded: saved over, though nothing was read
    replaced = load()
    cache_file.write_bytes(pickle.dumps({}))
    replaced.save_cache()
    assert list(pickle.loads(cache_file.read_bytes())) == ["/old.md", a, b, c]
    assert not journal.exists()

    # nothing loaded (no file, or LOAD_CONTENT_CACHE off): saved as Pelican saves
    fresh = FileStampDataCacher(_settings(tmp_path / "new"), "Readers", True, True)
    fresh.save_cache()
    assert pickle.loads((tmp_path / "new" / "Readers").read_bytes()) == {}
    unloaded = FileStampDataCacher(_settings(tmp_path), "Readers", True, False)
    unloaded.save_cache()
    assert pickle.loads(cache_file.read_bytes()) == {}


def _rebuild(content: Path, output: Path, skip: bool) -> None:
    """A warm build; ``skip`` False: the reference, every cache saved whole."""
    flags = {**FLAGS, "fast_build.patches.SKIP_UNCHANGED_SAVE": skip}
    if not skip:
        flags["fast_build.patches.JOURNAL_MAX"] = 0
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


def _loaded_entries(cache: Path) -> dict[str, bytes]:
    """Each entry of the cache in ``cache`` as the next build loads it (file, then journal),
    pickled on its own, in the cache's order."""
    sys.path[:0] = [str(ROOT), str(ROOT / "plugins")]
    try:
        assert patches.apply()["cache_save"]
        cacher = FileStampDataCacher(_settings(cache), READERS, True, True)
        return {key: pickle.dumps(value) for key, value in cacher._cache.items()}
    finally:
        del sys.path[:2]


def test_skipped_or_journaled_save_loads_as_a_whole_save(content, tmp_path):
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "build" / "out"
    _rebuild(edited, output, skip=False)
    state = tmp_path / "state"
    shutil.copytree(output.parent, state)
    state_bytes = state.joinpath("cache", READERS).read_bytes()
    # no change: the skipping rebuild leaves its file, the other writes it again, same bytes
    assert _rebuild_from(state, output, edited, skip=True) == (False, state_bytes)
    assert not (output.parent / "cache" / f"{READERS}.journal").exists()
    assert _rebuild_from(state, output, edited, skip=False) == (True, state_bytes)
    # one episode's tags edited: its file is read again; saved whole, or journaled
    episode = next(
        p for p in sorted((edited / "episodes").glob("*.md")) if "\ntags:\n- " in p.read_text()
    )
    episode.write_text(episode.read_text().replace("\ntags:\n", "\ntags:\n- kubernetes\n", 1))
    written, _ = _rebuild_from(state, output, edited, skip=False)
    assert written
    whole = _loaded_entries(output.parent / "cache")
    assert any(b"kubernetes" in value for value in whole.values())
    assert _rebuild_from(state, output, edited, skip=True) == (False, state_bytes)
    journaled = _loaded_entries(output.parent / "cache")
    assert list(journaled) == list(whole)
    assert journaled == whole
    # once more without a change, in place: nothing written, and the site a clean build's
    cache_dir = output.parent / "cache"
    files = {name: _identity(cache_dir / name) for name in (READERS, f"{READERS}.journal")}
    _rebuild(edited, output, skip=True)
    assert {name: _identity(cache_dir / name) for name in files} == files
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean)
    assert_same_site(site_tree(clean), site_tree(output))
