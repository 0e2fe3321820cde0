"""RawLine.plain (set from split_lines's whole-dump checks) is only ever True for a line whose
text has nothing to squash — the checks pipeline.repeat_key would otherwise make on it — and
is True for the ordinary lines of an ordinary dump (else the fast path is never taken)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import read
from tests.conftest import examples

_PIECES = st.sampled_from(
    [
        *(b"a", b"b c", b" ", b"  ", b"\t", b"\r", b"\n", b"\r\n", b"\x0b", b"\x01", b"\x7f"),
        *(b"\xc3\xa9", b"\xe2\x80\x99", b"\xc2\xa0", b"\xe2\x80\x8b", b"\xef\xbb\xbf"),
        *(b"\xff", b"\xc3", b"\xf0\x9f\x98\x80", b"\xc2\x85"),
    ]
)
_DUMPS = st.tuples(st.booleans(), st.lists(_PIECES, max_size=40)).map(
    lambda t: (b"\xef\xbb\xbf" if t[0] else b"") + b"".join(t[1])
)


def _nothing_to_squash(text: str) -> bool:
    """The reference: what makes ``" ".join(text.split())`` the text by its shortcut."""
    return "  " not in text and text.isprintable() and text == text.strip(" ")


@settings(max_examples=examples(3000), deadline=None)
@given(_DUMPS, st.integers(1, 6), st.integers(2, 12))
def test_a_plain_line_has_nothing_to_squash(data: bytes, block: int, longest: int) -> None:
    """Small scan blocks (a double space across two of them) and a small line limit (a cut
    line that ends on a space) are tried too."""
    saved = read._BLOCK, read.MAX_LINE_CHARS
    read._BLOCK, read.MAX_LINE_CHARS = block, longest
    try:
        lines, _ = read.split_lines(data, "dump.txt")
    finally:
        read._BLOCK, read.MAX_LINE_CHARS = saved
    for line in lines:
        if line.plain:
            assert _nothing_to_squash(line.text), line
            assert " ".join(line.text.split()) == line.text


def test_ordinary_lines_are_plain() -> None:
    data = (
        "\ufeffA plain blurb about Heroku.\r\n"
        "Today’s guest: José, from Brazil.\r\n"
        "two  spaces here\n"
        "a\ttab\n"
        " leading space\n"
        "Another plain one.\n"
    ).encode("utf-8")
    lines, _ = read.split_lines(data, "dump.txt")
    assert [line.plain for line in lines] == [True, True, False, False, False, True]


def test_an_unprintable_character_or_bad_utf8_leaves_only_ascii_lines_plain() -> None:
    for odd in ("no\u00a0break", "zero\u200bwidth"):
        data = f"plain ascii\nCafé\n{odd}\n".encode()
        lines, _ = read.split_lines(data, "dump.txt")
        assert [line.plain for line in lines] == [True, False, False], odd
    lines, problems = read.split_lines("plain ascii\nCafé\n".encode() + b"bad \xff\n", "d.txt")
    assert problems and [line.plain for line in lines] == [True, False, False]


def test_a_dump_with_control_characters_has_no_plain_line() -> None:
    lines, problems = read.split_lines(b"plain ascii\nsome\x01thing\n", "dump.txt")
    assert problems and [line.plain for line in lines] == [False, False]
