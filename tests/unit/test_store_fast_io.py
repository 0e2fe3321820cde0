"""The write pass's shortcuts in digest/store.py give what the plain calls they replace give:
the resolver lookup (store._reads_as_str vs yaml's Resolver.resolve), the hash of a string
(store.value_hash vs the JSON encoder), reading a file (store._read_text vs Path.read_text) and
the temporary file of a new file (same mode as open() gives, nothing left behind)."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import store
from tests.conftest import examples

_RESOLVER = yaml.resolver.Resolver()

_TRICKY = [
    "yes", "No", "ON", "off", "true", "False", "null", "~", "Null", "NULL", "0", "-1", "+1",
    "1.5", ".5", "1e3", "1_000", "0x1F", "0o17", "0b101", "1:20", "190:20:30", ".inf", "-.Inf",
    ".NaN", "2024-01-31", "2024-1-3 10:00:00", "2001-12-14t21:59:43.10-05:00", "<<", "=",
    "!tag", "&a", "*a", "y", "n", "Y", "heroku", "Heroku Postgres", "1.0.2", "v1", "1,000",
    "-", "+", ".", "...", "---", "é", "12-factor", "0.", "-.5", "+.5", "1__0", "_1",
]  # fmt: skip


def _reference(value: str) -> bool:
    return _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == store._STR_TAG


@pytest.mark.parametrize("value", _TRICKY)
def test_reads_as_str_is_the_resolver(value):
    assert store._reads_as_str(value) is _reference(value)


@settings(max_examples=examples(3000), deadline=None)
@given(
    st.one_of(
        st.text(min_size=1, max_size=12),
        st.text(alphabet="0123456789.-+_:eExXoObBtTyYnNaAlLsSuUfF~=<", min_size=1, max_size=10),
    )
)
def test_reads_as_str_is_the_resolver_on_random_text(value):
    assert store._reads_as_str(value) is _reference(value)


@settings(max_examples=examples(1000), deadline=None)
@given(st.text(max_size=200))
def test_value_hash_of_a_string_is_the_json_encoders(value):
    text = store._HASH_JSON.encode(value)
    assert store.value_hash(value) == hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@pytest.mark.parametrize(
    "data",
    [
        b"---\ntitle: x\n---\n\nbody\n",
        b"a\r\nb\rc\n\r\n\r",
        b"\xef\xbb\xbfwith a BOM\n",
        b"",
        "caf\u00e9 \u2028 \U0001f600\r\n".encode(),
        b"x" * (3 << 20) + b"\r\n",
    ],
)
def test_read_text_is_path_read_text(tmp_path: Path, data: bytes):
    path = tmp_path / "f.md"
    path.write_bytes(data)
    assert store._read_text(path) == path.read_text(encoding="utf-8")


def test_read_text_raises_as_path_read_text(tmp_path: Path):
    path = tmp_path / "bad.md"
    path.write_bytes(b"ok \xff not utf-8")
    with pytest.raises(UnicodeDecodeError):
        store._read_text(path)
    with pytest.raises(FileNotFoundError):
        store._read_text(tmp_path / "missing.md")


def test_new_file_gets_the_mode_open_gives_and_leaves_no_temporary(tmp_path: Path):
    old = os.umask(0o027)
    try:
        store._write_atomic(tmp_path / "new.md", "text", new=True)
        with open(tmp_path / "by-open.md", "w") as f:
            f.write("text")
        existing = tmp_path / "existing.md"
        existing.write_text("old")
        existing.chmod(0o600)
        store._write_atomic(existing, "new", new=False)
        store._write_atomic(tmp_path / "deeper" / "new.md", "text", new=True)
    finally:
        os.umask(old)
    mode = stat.S_IMODE((tmp_path / "new.md").stat().st_mode)
    assert mode == stat.S_IMODE((tmp_path / "by-open.md").stat().st_mode) == 0o640
    assert stat.S_IMODE(existing.stat().st_mode) == 0o600
    assert existing.read_text() == "new"
    assert (tmp_path / "deeper" / "new.md").read_text() == "text"
    assert not list(tmp_path.rglob("*.tmp"))


def test_temporary_names_are_what_save_all_cleans_up(tmp_path: Path):
    fd, tmp = store._temporary(tmp_path / "episode.md", 0o600)
    os.close(fd)
    assert list(tmp_path.glob(".*.md.*.tmp")) == [Path(tmp)]


_BODY_PIECES = st.sampled_from(
    ["a", "é", "日本", "\U0001f600", '"', "\\", "\n", "\r", "\t", " ", "\x01", "\u2028", "# x"]
)


@settings(max_examples=examples(300), deadline=None)
@given(
    body=st.lists(st.one_of(_BODY_PIECES, st.text(max_size=10)), max_size=60).map("".join),
    repeat=st.sampled_from([1, 40]),
    title=st.text(min_size=1, max_size=30),
    tags=st.lists(st.sampled_from(["heroku", "yes", "ai", "0x1F"]), max_size=3),
)
def test_fresh_bytes_are_the_fresh_text_encoded(
    body: str, repeat: int, title: str, tags: list[str]
) -> None:
    """What a first run writes (store._fresh_bytes: the body encoded once) is the reference
    text (merge into no earlier file, render) encoded, short and long (≥ 256) bodies alike."""
    import datetime as dt

    from digest.episode import Chapter, Episode, Link, Source

    ep = Episode(
        title=title,
        slug="s",
        body=body * repeat,
        source=Source("d.txt", 3, "ab" * 32),
        date=dt.date(2024, 12, 13),
        tags=tags,
        chapters=[Chapter("1:01", "Intro")],
        links=[Link("https://x.com/", "X")],
    )
    for stem in ("s", "s-2"):
        assert store._fresh_bytes(ep, stem) == store._fresh_text(ep, stem).encode("utf-8")


def _write_both_ways(folder: Path, monkeypatch) -> dict[str, tuple[bytes, int]]:
    """A new file written through the unnamed file (O_TMPFILE) and the portable way."""
    folder.mkdir()
    data = "é\n---\n".encode() * 5000
    store._write_atomic(folder / "unnamed.md", data, new=True)
    monkeypatch.setattr(store, "_TMPFILE", False)
    store._write_atomic(folder / "portable.md", data, new=True)
    monkeypatch.undo()
    return {p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir()}


@pytest.mark.skipif(not store._TMPFILE, reason="no O_TMPFILE and /proc here")
def test_a_new_file_through_an_unnamed_file_is_what_the_portable_way_writes(
    tmp_path: Path, monkeypatch
) -> None:
    """Same bytes, same mode, nothing else left in the folder — and the unnamed file is what
    writes it where the system allows (no temporary name is made)."""
    old = os.umask(0o027)
    try:
        files = _write_both_ways(tmp_path / "out", monkeypatch)
    finally:
        os.umask(old)
    assert sorted(files) == ["portable.md", "unnamed.md"]
    assert files["unnamed.md"] == files["portable.md"]
    assert files["unnamed.md"][1] == 0o640

    def no_temporary(path: Path, mode: int):
        raise AssertionError("the unnamed file was not used")

    monkeypatch.setattr(store, "_temporary", no_temporary)
    store._write_atomic(tmp_path / "out" / "again.md", b"x", new=True)
    assert (tmp_path / "out" / "again.md").read_bytes() == b"x"


def test_a_new_file_falls_back_when_the_unnamed_file_cannot_be_linked(
    tmp_path: Path, monkeypatch
) -> None:
    """Where linking fails (no /proc, a file system that refuses) or the name is taken since
    the folder was scanned, the file is written the portable way; nothing is left behind."""
    import errno

    def refusing(*args, **kwargs):
        raise OSError(errno.EPERM, "refused")

    folder = tmp_path / "out"
    folder.mkdir()
    monkeypatch.setattr(os, "link", refusing)
    store._write_atomic(folder / "a.md", b"a", new=True)
    monkeypatch.undo()
    (folder / "b.md").write_bytes(b"editor")
    store._write_atomic(folder / "b.md", b"b", new=True)  # (taken: replaced, as before)
    store._write_atomic(tmp_path / "missing" / "c.md", b"c", new=True)  # no folder yet
    assert sorted(p.name for p in folder.iterdir()) == ["a.md", "b.md"]
    assert (folder / "a.md").read_bytes() == b"a" and (folder / "b.md").read_bytes() == b"b"
    assert (tmp_path / "missing" / "c.md").read_bytes() == b"c"


def test_short_writes_are_completed_both_ways(tmp_path: Path, monkeypatch) -> None:
    """When the system writes less than it was given (a signal, a full pipe: not a regular file
    in practice), the rest is written: the file is whole, through the unnamed file and the
    portable way alike; a folder given relatively is the one meant."""
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data)[:7]))
    data = "é\n---\n".encode() * 50
    (tmp_path / "out").mkdir()
    store._write_atomic(tmp_path / "out" / "unnamed.md", data, new=True)
    monkeypatch.chdir(tmp_path / "out")
    with monkeypatch.context() as m:
        if store._TMPFILE:  # (through the unnamed file, where the system allows it)

            def no_temporary(path: Path, mode: int):
                raise AssertionError("the unnamed file was not used")

            m.setattr(store, "_temporary", no_temporary)
        store._write_atomic(Path("relative.md"), data, new=True)
    monkeypatch.setattr(store, "_TMPFILE", False)
    store._write_atomic(tmp_path / "out" / "portable.md", data, new=True)
    store._write_atomic(tmp_path / "out" / "portable.md", data + b"!", new=False)
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["portable.md", "relative.md", "unnamed.md"]
    assert (tmp_path / "out" / "unnamed.md").read_bytes() == data
    assert (tmp_path / "out" / "relative.md").read_bytes() == data
    assert (tmp_path / "out" / "portable.md").read_bytes() == data + b"!"
