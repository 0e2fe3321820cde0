"""read.split_lines's blank-line test (``not raw or raw.isspace()``, no copy of the line) is
the ``not raw.strip()`` it replaced: same lines, numbers and problems on random bytes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import read
from tests.conftest import examples

_BYTES = st.lists(
    st.sampled_from([b" ", b"\t", b"\r", b"\n", b"\x0b", b"\x0c", b"\x1c", b"\xa0", b"a", b"\xff",
                     b"\xc3\xa9", b"\x00", b"\r\n", b"  x  "]),
    max_size=30,
).map(b"".join)  # fmt: skip


def _blank_reference(raw: bytes) -> bool:
    return not raw.strip()


@settings(max_examples=examples(2000), deadline=None)
@given(_BYTES)
def test_blank_lines_are_the_lines_strip_empties(data):
    assert (not data or data.isspace()) is _blank_reference(data)
    lines, problems = read.split_lines(data, "dump.txt")
    pieces = data.split(b"\n")
    if data.endswith(b"\n") and len(pieces) > 1:
        pieces.pop()
    blank = [_blank_reference(p[:-1] if p.endswith(b"\r") else p) for p in pieces]
    # a blank line is kept empty, and nothing is said about it; a line of control characters
    # only is emptied too, but reported
    reported = {problem.line for problem in problems}
    skipped = [not line.text and line.number not in reported for line in lines]
    assert skipped[: len(blank)] == blank[: len(lines)]
    assert [line.number for line in lines] == list(range(1, len(lines) + 1))


def test_blank_lines_keep_their_numbers():
    lines, _ = read.split_lines(b"a\n \t\n\x0b\x0c\r\nb\n", "dump.txt")
    assert [(x.number, x.text) for x in lines] == [(1, "a"), (2, ""), (3, ""), (4, "b")]


@settings(max_examples=examples(200), deadline=None)
@given(_BYTES)
def test_an_empty_dump_is_one_strip_empties(data: bytes) -> None:
    """read_dump's empty-file test (no copy of the dump) says what ``not data.strip()`` says."""
    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "d.txt"
        path.write_bytes(data)
        dump = read.read_dump(path, "d.txt")
    empty = any(p.fatal and "empty file" in p.message for p in dump.problems)
    assert empty is _blank_reference(data)
