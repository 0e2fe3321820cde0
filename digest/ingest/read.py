"""Dump file → numbered raw lines.

This is the only module of ingest that opens input files. Everything it finds wrong with a
file is reported as an :class:`InputProblem` naming ``file:line`` instead of raising, so one bad
dump (or one bad line) never stops the others from being ingested.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

# Real transcripts are cut by the directory at ~65,500 characters; a line far longer than that
# is not a blurb (a 5 MB line is a pasted file or a broken export). We keep its first part so
# the episode is still ingested, mark it truncated and say so.
MAX_LINE_CHARS = 200_000

# A dump is text. A file whose first block is mostly not text (control bytes, bytes that are
# not UTF-8) is an image, an archive, a database…; a scraped text file with a stray NUL or
# control character is still text: the characters are dropped and reported with file:line.
_BINARY_SNIFF_BYTES = 8192
_BINARY_RATIO = 0.10  # share of non-text characters above which a file is binary
# C0 controls (not tab) and DEL: never part of a blurb; YAML, HTML and XML feeds reject them.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Every byte but those: ``data.translate(None, _NOT_CONTROL)`` keeps only the control bytes.
# In UTF-8 (and in the Windows-1252 fallback) those characters come from those bytes alone, so a
# dump without them has no line to check (checking each 65 kB line was half of reading).
_NOT_CONTROL = bytes(b for b in range(256) if not _CONTROL.match(chr(b)))

# When a dump has no sidecar (data/blurbs/<dump>.yml with ``collected_on:``), undated
# episodes are dated from this fixed day so re-runs stay byte-identical (docs/editing.md).
DEFAULT_COLLECTED_ON = dt.date(2025, 1, 1)


@dataclass(frozen=True)
class RawLine:
    """One line of a dump, as found (decoded, line ending stripped)."""

    file: str
    number: int
    text: str
    cut: bool = False  # True when the line exceeded MAX_LINE_CHARS and was shortened
    # True when the text is known to have nothing to squash: no double space, every character
    # printable (``str.isprintable``), no space at either end — so ``" ".join(text.split())``
    # is the text.  False: not known (see :func:`split_lines`).  A hint, not content: two lines
    # with the same text are equal whatever it says.
    plain: bool = field(default=False, compare=False)


@dataclass(frozen=True)
class InputProblem:
    """Something wrong with the input, located precisely enough for an editor to find it."""

    file: str
    line: int | None
    message: str
    fatal: bool = False  # True when nothing of the file could be used

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Dump:
    """A whole dump file: its lines, when it was collected, and what was wrong with it."""

    file: str
    lines: list[RawLine] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    collected_on: dt.date = DEFAULT_COLLECTED_ON
    collected_on_declared: bool = False


def _decode_line(raw: bytes, file: str, number: int, problems: list[InputProblem]) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Directories that export in Windows-1252 exist; decoding that way keeps every
        # character readable (cp1252 has 5 undefined bytes, which become U+FFFD).
        problems.append(
            InputProblem(
                file,
                number,
                f"invalid UTF-8 at byte {exc.start} of the line; decoded as Windows-1252",
            )
        )
        return raw.decode("cp1252", errors="replace")


def _split_newlines(data: bytes, start: int = 0) -> Iterator[bytes]:
    """``data[start:].split(b"\\n")``, one piece at a time: a 90 MB dump is not held a
    second time as a list of byte strings while its lines are decoded."""
    while True:
        end = data.find(b"\n", start)
        if end < 0:
            yield data[start:]
            return
        yield data[start:end]
        start = end + 1


_ASCII = bytes(range(0x80))
_BLOCK = 1 << 22  # bytes of a dump checked for double spaces at a time (bounds the scratch arrays)


def _suspects(data: bytes, start: int) -> tuple[list[int], bool]:
    """Where lines of ``data[start:]`` may have something to squash, for :attr:`RawLine.plain`:
    the sorted offsets of double spaces, tabs and carriage returns that do not end a line; and
    whether every non-ASCII character of the dump is printable (False too when its non-ASCII
    bytes are not UTF-8).  Those bytes are decoded as one text: a valid line's characters
    are decoded as they are in the line (a line that is not UTF-8 is never plain, and its
    bytes cannot complete a sequence begun elsewhere without making the decoding fail).

    Why: finding a dump's byte-identical repeats compares each line's whitespace-squashed
    text, and checking 90 MB of lines one by one for something to squash was 0.25 s of the
    serial start of ingest; these whole-dump checks (a vectorised scan for double spaces, byte
    searches) are ~0.07 s.  Other control characters are not looked for here: a dump that has
    any gets no ``plain`` line."""
    found: list[int] = []
    view = np.frombuffer(data, dtype=np.uint8)
    for lo in range(start, len(data), _BLOCK):
        space = view[lo : lo + _BLOCK + 1] == 0x20
        found.extend((np.flatnonzero(space[:-1] & space[1:]) + lo).tolist())
    for byte in b"\t\r":
        at = data.find(byte, start)
        while at >= 0:
            # (a carriage return before a newline, or at the very end, is stripped)
            if byte == 0x09 or (at + 1 < len(data) and data[at + 1] != 0x0A):
                found.append(at)
            at = data.find(byte, at + 1)
    others = data.translate(None, _ASCII)[start:]  # (a BOM's 3 bytes come first)
    try:
        printable = others.decode("utf-8").isprintable()
    except UnicodeDecodeError:
        printable = False
    return sorted(found), printable


def split_lines(data: bytes, file: str) -> tuple[list[RawLine], list[InputProblem]]:
    """Split raw bytes into numbered lines (1-based), reporting undecodable and huge lines."""
    problems: list[InputProblem] = []
    lines: list[RawLine] = []
    start = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    controls = bool(data.translate(None, _NOT_CONTROL))
    suspects, printable = _suspects(data, start) if not controls else ([], False)
    pending = 0  # first suspect offset not before the current line
    end = start - 1
    for number, raw in enumerate(_split_newlines(data, start), start=1):
        begin, end = end + 1, end + 1 + len(raw)
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        if not raw or raw.isspace():  # = not raw.strip(), without copying a 65 kB line
            # Keep the number (so later lines keep theirs) but nothing to ingest.
            lines.append(RawLine(file, number, ""))
            continue
        while pending < len(suspects) and suspects[pending] < begin:
            pending += 1
        plain = not controls and not (pending < len(suspects) and suspects[pending] < end)
        known = len(problems)
        text = _decode_line(raw, file, number, problems)
        if len(problems) != known:  # (not UTF-8: decoded otherwise)
            plain = False
        if controls and not text.isprintable() and _CONTROL.search(text):
            found = sorted({f"U+{ord(c):04X}" for c in _CONTROL.findall(text)})
            count = len(_CONTROL.findall(text))
            text = _CONTROL.sub("", text)
            problems.append(
                InputProblem(
                    file,
                    number,
                    f"dropped {count} control character(s) ({', '.join(found[:5])}); "
                    "ingested the rest of the line",
                )
            )
        cut = False
        if len(text) > MAX_LINE_CHARS:
            problems.append(
                InputProblem(
                    file,
                    number,
                    f"line is {len(text):,} characters long; kept the first "
                    f"{MAX_LINE_CHARS:,} and marked the episode truncated",
                )
            )
            text = text[:MAX_LINE_CHARS]
            cut = True
        edges = text[:1] != " " and text[-1:] != " "
        plain = plain and edges and (printable or text.isascii())
        lines.append(RawLine(file, number, text, cut, plain))
    # A trailing newline produces one empty last element: not a line of the dump.
    if lines and not lines[-1].text and data.endswith(b"\n"):
        lines.pop()
    return lines, problems


def non_text_share(block: bytes) -> float:
    """Share of ``block`` that is not text: control bytes and bytes that are not UTF-8."""
    if not block:
        return 0.0
    text = block.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") + len(_CONTROL.findall(text))
    return bad / len(text)


def read_sidecar(path: Path, display: str) -> tuple[dt.date | None, list[InputProblem]]:
    """Read ``<dump>.yml`` beside a dump; only ``collected_on`` (a date) is used today."""
    sidecar = path.with_suffix(".yml")
    if not sidecar.is_file():
        return None, []
    try:
        meta = yaml.safe_load(sidecar.read_text(encoding="utf-8")) or {}
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return None, [InputProblem(str(sidecar), None, f"unreadable sidecar: {exc}")]
    value = meta.get("collected_on") if isinstance(meta, dict) else None
    if isinstance(value, dt.date):
        return value, []
    if value is not None:
        try:
            return dt.date.fromisoformat(str(value)), []
        except ValueError:
            pass
        return None, [
            InputProblem(str(sidecar), None, f"collected_on {value!r} is not a YYYY-MM-DD date")
        ]
    return None, []


def read_dump(path: Path, display: str | None = None) -> Dump:
    """Read one dump file; never raises for bad content, only reports.

    ``display`` is the name recorded in ``source.file`` (a repository-relative path keeps the
    front matter identical whichever directory ingest is run from).
    """
    name = display or str(path)
    dump = Dump(file=name)
    collected, problems = read_sidecar(path, name)
    dump.problems.extend(problems)
    if collected:
        dump.collected_on, dump.collected_on_declared = collected, True
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        dump.problems.append(InputProblem(name, None, "no such file", fatal=True))
        return dump
    except IsADirectoryError:
        dump.problems.append(InputProblem(name, None, "is a directory, not a dump", fatal=True))
        return dump
    except OSError as exc:
        dump.problems.append(InputProblem(name, None, f"cannot read: {exc}", fatal=True))
        return dump
    if not data or data.isspace():  # (= not data.strip(), without copying a 90 MB dump)
        dump.problems.append(InputProblem(name, None, "empty file: no blurbs", fatal=True))
        return dump
    share = non_text_share(data[:_BINARY_SNIFF_BYTES])
    if share > _BINARY_RATIO:
        dump.problems.append(
            InputProblem(
                name,
                1,
                f"binary file ({share:.0%} of its first {_BINARY_SNIFF_BYTES // 1024} KB is not "
                "text), not a text dump",
                fatal=True,
            )
        )
        return dump
    dump.lines, problems = split_lines(data, name)
    dump.problems.extend(problems)
    return dump
