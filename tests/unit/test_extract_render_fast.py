"""The body's fast paths (extract._squash, extract.md_escape) give what the plain versions give:
the plain versions are kept here as the reference, compared on random text and real blurbs."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import extract
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"


def _squash_reference(text: str) -> str:
    return " ".join(text.split())


def _md_escape_reference(text: str) -> str:
    """md_escape as it was: one regex pass with a callback for every special character."""
    if extract._MD_SPECIAL.search(text):

        def esc(m: re.Match[str]) -> str:
            c, i = m.group(0), m.start()
            if c == "_":
                inner = 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()
                return c if inner else "\\_"
            if c == "&":
                return "\\&" if extract._ENTITY_AHEAD.match(text, i + 1) else c
            return "\\" + c

        text = extract._MD_SPECIAL.sub(esc, text)
    return extract._MD_LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


_PIECES = [
    "\\", "`", "*", "[", "]", "<", ">", "~", "_", "&", "&amp;", "&#8230;", "&a_b;", "&_;", "a",
    "Z", "9", "é", "_x", "x_", " ", "  ", "\n", "\t", "\xa0", "\u2028", "\u3000", "\x1c", "\x85",
    "#", "-", "+", "=", "1.", "2)", ";", "[00:12:34]", "ex_doc", "\\*", "é_ü",
]  # fmt: skip
_texts = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=40).map(
    "".join
)


@settings(max_examples=examples(1000), deadline=None)
@given(_texts)
def test_md_escape_matches_the_one_pass_reference(text: str) -> None:
    assert extract.md_escape(text) == _md_escape_reference(text)


@settings(max_examples=examples(1000), deadline=None)
@given(_texts)
def test_squash_matches_split_and_join(text: str) -> None:
    assert extract._squash(text) == _squash_reference(text)


def test_squash_of_every_whitespace_character() -> None:
    for code in range(0x110000):
        ch = chr(code)
        if ch.isspace():
            text = f"a{ch}b"
            assert extract._squash(text) == _squash_reference(text) == "a b", hex(code)


def test_on_real_blurbs() -> None:
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if ln.strip()]
    escaped = 0
    for line in lines:
        text = extract.normalise_text(line)
        for piece in [line, text, *re.split(r"\n\s*\n", text)]:
            assert extract._squash(piece) == _squash_reference(piece)
            fast = extract.md_escape(piece)
            assert fast == _md_escape_reference(piece)
            escaped += fast != piece
    assert escaped > 20  # brackets, underscores and ampersands were exercised
