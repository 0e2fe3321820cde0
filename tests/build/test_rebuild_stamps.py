"""File stamps kept between builds (plugins/markdown_reader StampStore, issue 9).

A rebuild reuses a source file's md5 stamp while the file's stat (size, modification and
change times, inode) is the one recorded with it and the file was modified safely before the
hash was taken; otherwise it hashes the file as Pelican does. Every reuse must give the stamp
hashing would give, and an edit that keeps a file's size and modification time must still be
seen (its change time moves).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from pathlib import Path

import pytest

from plugins.markdown_reader.markdown_reader import StampMemo, StampStore
from tests.conftest import assert_same_site, build_warm, ingested_sample_slice, site_tree

HOUR_NS = 3600 * 10**9


def _md5(path: str) -> bytes:
    with open(path, "rb") as handle:
        return hashlib.md5(handle.read()).digest()


def _age(path: Path, seconds: int = 3600) -> None:
    """Set a file's access and modification times ``seconds`` back."""
    then = time.time_ns() - seconds * 10**9
    os.utime(path, ns=(then, then))


def _stamps(store_path: Path, files: list[Path], method: str = "md5") -> tuple[list, list]:
    """(stamps, files hashed) of one build's look at ``files`` through a fresh store."""
    hashed: list[str] = []

    def stamp(name: str) -> bytes:
        hashed.append(os.path.basename(name))
        return _md5(name)

    store = StampStore(store_path, method)
    memo = StampMemo(stamp, store)
    stamps = [memo(str(path)) for path in files]
    assert [memo(str(path)) for path in files] == stamps  # once per file per build
    store.save()
    return stamps, hashed


def test_store_reuses_a_stamp_only_for_a_provably_unchanged_file(tmp_path):
    folder = tmp_path / "content"
    folder.mkdir()
    names = ["same", "rewritten", "recent", "replaced", "gone"]
    files = [folder / name for name in names]
    for path in files:
        path.write_text(f"{path.name} text\n")
    for path in files[:2] + files[3:]:
        _age(path)  # "recent" keeps a modification time of now: racy
    store_path = tmp_path / "cache" / "stamps.pickle"
    stamps, hashed = _stamps(store_path, files)
    assert hashed == names
    assert stamps == [_md5(str(path)) for path in files]

    # same size and modification time, other bytes: only the change time tells
    rewritten = files[1]
    before = rewritten.stat()
    time.sleep(0.01)
    rewritten.write_text("REWRITTEN text\n"[: before.st_size])
    os.utime(rewritten, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert rewritten.stat().st_size == before.st_size
    # a new file renamed over the old one, same size and times
    replaced = files[3]
    twin = folder / "twin"
    twin.write_text("REPLACED text\n")
    old = replaced.stat()
    os.utime(twin, ns=(old.st_atime_ns, old.st_mtime_ns))
    os.replace(twin, replaced)
    files[4].unlink()

    stamps, hashed = _stamps(store_path, files[:4])
    assert stamps == [_md5(str(path)) for path in files[:4]]
    assert hashed == ["rewritten", "recent", "replaced"]
    # "recent" was hashed again but is still too young for its stamp to be trusted; once it
    # is old enough (older than the hash's start by RACY_NS) the stamp is reused
    _age(files[2])
    stamps, hashed = _stamps(store_path, files[:4])
    assert stamps == [_md5(str(path)) for path in files[:4]]
    assert hashed == ["recent"]  # its age changed its modification time: hashed once more
    stamps, hashed = _stamps(store_path, files[:4])
    assert hashed == [] and stamps == [_md5(str(path)) for path in files[:4]]
    # another hash method: nothing reused
    _, hashed = _stamps(store_path, files[:4], method="sha1")
    assert hashed == names[:4]


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_sample_slice(tmp_path_factory.mktemp("stamps"))


def test_rebuild_after_an_edit_keeping_size_and_mtime_matches_clean_build(content, tmp_path):
    """The store must not hide an edit that keeps a file's size and modification time (an
    editor's tool restoring times, a checkout): Pelican's content cache would then serve the
    old text."""
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    for path in edited.rglob("*"):
        if path.is_file():
            _age(path)
    output = tmp_path / "out"
    build_warm(edited, output)
    episode = next(p for p in sorted((edited / "episodes").glob("*.md")))
    before = episode.stat()
    text = episode.read_text()
    title = re.search(r"\ntitle: (.{6})", text).group(1)
    new = text.replace(f"\ntitle: {title}", "\ntitle: Zqxjkv", 1)
    assert len(new.encode()) == len(text.encode()) and new != text
    episode.write_text(new)
    os.utime(episode, ns=(before.st_atime_ns, before.st_mtime_ns))
    build_warm(edited, output)
    rebuilt = site_tree(output)
    assert any(b"Zqxjkv" in data for data in rebuilt.values())
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean)
    assert_same_site(site_tree(clean), rebuilt)
