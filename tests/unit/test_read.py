"""read.py: files become numbered lines; bad files are reported with file:line, never raised."""

from pathlib import Path
from unittest.mock import patch

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import read
from digest.ingest.read import MAX_LINE_CHARS, read_dump, split_lines


def test_lines_are_numbered_from_one_and_keep_blank_numbers(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_bytes(b"POPULARITY\r\n\r\nA blurb here.\n")
    dump = read_dump(p, "d.txt")
    assert [(ln.number, ln.text) for ln in dump.lines] == [
        (1, "POPULARITY"),
        (2, ""),
        (3, "A blurb here."),
    ]
    assert not dump.problems


def test_missing_empty_and_binary_files_are_fatal_with_clear_messages(tmp_path: Path) -> None:
    missing = read_dump(tmp_path / "nope.txt", "nope.txt")
    assert missing.problems[0].fatal and "no such file" in str(missing.problems[0])
    (tmp_path / "e.txt").write_bytes(b"\n  \n")
    assert "empty" in str(read_dump(tmp_path / "e.txt").problems[0])
    (tmp_path / "b.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    problem = read_dump(tmp_path / "b.txt", "b.txt").problems[0]
    assert problem.fatal and str(problem).startswith("b.txt:1: binary")
    # a real binary: a zlib stream (random-looking bytes)
    import random
    import zlib

    rng = random.Random(1)
    blob = zlib.compress(bytes(rng.randrange(256) for _ in range(20_000)))
    (tmp_path / "z.txt").write_bytes(blob)
    assert read_dump(tmp_path / "z.txt", "z.txt").problems[0].fatal


def test_stray_nul_and_control_characters_are_dropped_not_fatal(tmp_path: Path) -> None:
    # A scraped text file with one NUL in its first block is text, not binary.
    p = tmp_path / "d.txt"
    p.write_bytes(
        b"POPULARITY\n"
        b"Our guest is Ada\x00 Lovelace, who talks about\x07 engines and code.\n"
        b"Another blurb about deploying Rails apps on a platform.\x1b\n"
    )
    dump = read_dump(p, "d.txt")
    assert not any(pr.fatal for pr in dump.problems)
    assert [ln.text for ln in dump.lines][1:] == [
        "Our guest is Ada Lovelace, who talks about engines and code.",
        "Another blurb about deploying Rails apps on a platform.",
    ]
    assert [str(pr).split(": ")[0] for pr in dump.problems] == ["d.txt:2", "d.txt:3"]
    assert "U+0000" in str(dump.problems[0]) and "control" in str(dump.problems[0])


def test_invalid_utf8_line_is_decoded_and_reported_with_its_line(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_bytes(b"good line\ncaf\xe9 society podcast talk\n")
    dump = read_dump(p, "d.txt")
    assert dump.lines[1].text == "café society podcast talk"
    assert str(dump.problems[0]).startswith("d.txt:2: invalid UTF-8")
    assert not dump.problems[0].fatal


def test_huge_line_is_cut_and_flagged(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_text("x" * (MAX_LINE_CHARS + 10) + "\nnext\n", encoding="utf-8")
    dump = read_dump(p, "d.txt")
    assert dump.lines[0].cut and len(dump.lines[0].text) == MAX_LINE_CHARS
    assert "d.txt:1:" in str(dump.problems[0])
    assert dump.lines[1].text == "next"


def test_sidecar_declares_the_collection_date(tmp_path: Path) -> None:
    p = tmp_path / "d.txt"
    p.write_text("A blurb.\n", encoding="utf-8")
    (tmp_path / "d.yml").write_text("collected_on: 2024-06-01\n", encoding="utf-8")
    dump = read_dump(p)
    assert dump.collected_on.isoformat() == "2024-06-01" and dump.collected_on_declared


_DUMPS = [
    b"plain line\nanother line\n",
    b"\xef\xbb\xbfbom first\r\nthen crlf\r\n",
    b"a NUL\x00 here\nDEL\x7f and \x1b escape\n\ttab and \x0c form feed\n",
    b"cp1252 \x93quoted\x94 and \x01 a control\nfine \xe2\x80\x99 utf-8\n",
    b"\x85 next-line byte, \xc2\x85 NEL, \xe2\x80\xa8 line separator\n",
]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=40), max_size=6))
def test_control_check_skipped_only_when_no_line_needs_it(pieces) -> None:
    """split_lines skips the per-line control-character check when the dump has no control
    byte (the fast path): same lines and problems as checking every line."""
    for data in [*_DUMPS, b"\n".join(pieces)]:
        fast = split_lines(data, "d.txt")
        with patch.object(read, "_NOT_CONTROL", b""):  # nothing deleted: every line checked
            slow = split_lines(data, "d.txt")
        assert fast == slow
