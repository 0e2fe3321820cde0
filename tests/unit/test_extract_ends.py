"""Tests of a text's end without a regex give what the regexes gave: is_truncated's closing
character, make_summary's sentence end (and its one loop, what its two loops gave)."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import extract
from tests.conftest import examples, glued
from tests.unit.test_extract_fast_passes import _blurbs

_END_PIECES = [
    ".", "!", "?", "…", '"', "”", "’", ")", "]", "/", "\n", " ", "\t", "a", "x.", "...", ":",
    "é", "(", "“",
]  # fmt: skip
_ends = glued(_END_PIECES, 12, noise=2)


def _is_truncated_reference(raw_text: str, text: str, excerpt_cut: bool) -> bool:
    """is_truncated as it was: the closing character found by a regex."""
    if excerpt_cut or extract.clean.has_cut_mark(raw_text):
        return True
    end = text.rstrip()
    if end.endswith(("…", "...", ":", ",", ";", " -", "–", "—", " and", " the")):
        return True
    return len(raw_text) >= 60_000 and not re.search(r"[.!?\"”’)\]/]$", end)


@settings(max_examples=examples(2000), deadline=None)
@given(_ends, st.booleans())
def test_is_truncated_matches_the_regex(text: str, long: bool) -> None:
    raw = "x" * 60_000 if long else text
    assert extract.is_truncated(raw, text, False) == _is_truncated_reference(raw, text, False)


def _make_summary_reference(text: str) -> str | None:
    """make_summary as it was: the usable run collected first, a regex for sentence ends."""
    sentences: list[str] = []
    for s in extract._opening_sentences(text[:1500]):
        usable = not extract._BOILERPLATE.match(s) and "://" not in s and len(s.split()) >= 4
        if usable:
            sentences.append(s)
        elif sentences:
            break
    out = ""
    for s in sentences:
        s = extract._squash(s)
        candidate = f"{out} {s}".strip()
        if len(candidate) <= extract.SUMMARY_MAX:
            out = candidate
            if not re.search(r"[.!?…][\"”’)]?$", s):
                break
            continue
        break
    if not out and sentences:
        out = extract.cut_words(sentences[0], extract.SUMMARY_MAX - 1).rstrip(",;:–—-") + "…"
    return out or None


@settings(max_examples=examples(2000), deadline=None)
@given(_ends)
def test_ends_sentence_matches_the_regex(s: str) -> None:
    s = extract._squash(s)
    assert extract._ends_sentence(s) == bool(re.search(r"[.!?…][\"”’)]?$", s))


_SUMMARY_PIECES = [
    "Adam Gross joins us to talk about growth", "We talk about it", ". ", "! ", "? ", "… ",
    '." ', ".) ", "\n\n", "Subscribe to the show. ", "See https://x.io for more. ", "Hi. ",
    "word " * 30, "Dr. ", "e.g. ", " ", "A", "b", "\t", "’ ",
]  # fmt: skip


@settings(max_examples=examples(1500), deadline=None)
@given(st.lists(st.sampled_from(_SUMMARY_PIECES), max_size=25).map("".join))
def test_make_summary_matches_the_reference(text: str) -> None:
    assert extract.make_summary(text) == _make_summary_reference(text)


def test_make_summary_and_is_truncated_on_blurbs() -> None:
    for text in _blurbs():
        assert extract.make_summary(text) == _make_summary_reference(text)
        _, transcript = extract.split_transcript(text)
        body = transcript or text
        for raw in (text, text + "x" * 60_000):
            want = _is_truncated_reference(raw, body, False)
            assert extract.is_truncated(raw, body, False) == want
