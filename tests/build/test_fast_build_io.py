"""fast_build's I/O thread: pages reach the disk with the bytes the synchronous path writes, the
render cache records each page only once its file is written (size and mtime of the file on
disk), and a failed write fails the build.
"""

from __future__ import annotations

import os

import pytest


def _writer(tmp_path, name: str, io_thread: bool):
    from pelican.settings import DEFAULT_CONFIG

    from plugins.fast_build.fast_build import FastWriter, _writers

    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path / f"cache-{name}"),
                "FAST_BUILD_IO_THREAD": io_thread}  # fmt: skip
    writer = FastWriter(str(tmp_path / name), settings=settings)
    _writers.remove(writer)
    return writer


PAGES = {f"episodes/e{i}/index.html": f"<p>épisode {i}</p>\n" * (i + 1) for i in range(40)}
PAGES["index.html"] = "home"


@pytest.mark.parametrize("io_thread", [True, False])
def test_pages_written_and_recorded_like_the_synchronous_path(tmp_path, io_thread):
    writer = _writer(tmp_path, "out", io_thread)
    for name, text in PAGES.items():
        writer._write_page(str(tmp_path / "out" / name), text, f"key-{name}", False)
    writer.flush_writes()
    assert writer._io is None and not writer._pending
    assert writer.stats["written"] == len(PAGES)
    current = writer.render_cache.current
    for name, text in PAGES.items():
        path = tmp_path / "out" / name
        assert path.read_bytes() == text.encode("utf-8")
        stat = os.stat(path)
        assert current[str(path)] == (f"key-{name}", stat.st_size, stat.st_mtime_ns)
    assert writer.render_cache.stats["rendered"] == len(PAGES)


def test_a_failed_write_fails_the_build(tmp_path):
    writer = _writer(tmp_path, "out", True)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "blocked").write_text("a file where a folder should be")
    with pytest.raises(OSError):  # at the next page, or at the latest when flushing
        writer._write_page(str(tmp_path / "out" / "blocked" / "index.html"), "x", "k", False)
        writer.flush_writes()
    assert str(tmp_path / "out" / "blocked" / "index.html") not in writer.render_cache.current
