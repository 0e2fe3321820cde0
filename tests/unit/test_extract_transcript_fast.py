"""Transcript fast paths give what their references give: clean.isprintable is
str.isprintable, render_transcript's plain-text shortcut is turn-by-turn render_paragraphs,
and split_transcript's first turns from a prefix are the first turns of the whole text."""

from __future__ import annotations

from itertools import islice, pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean, extract
from tests.conftest import examples, glued
from tests.unit.test_extract_fast_passes import _blurbs, _transcripts

# --- clean.isprintable -----------------------------------------------------------------------

_ODD = [
    "\n", "\t", "\r", "\x00", "\x1f", "\x7f", "\x85", "\xa0", "\xad", "é", "’", "\u2028",
    "\u200b", "\ufeff", "\ud800", "\U0001f600", "\U000e0001", "\u0378", " ",
]  # fmt: skip
_long_texts = st.tuples(
    st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), min_size=250),
    st.lists(st.one_of(st.sampled_from(_ODD), st.characters()), max_size=3),
    st.integers(min_value=0),
).map(lambda t: "".join(_insert(t[0], t[1], t[2])))


def _insert(text: str, extra: list[str], seed: int) -> list[str]:
    out = list(text)
    for i, c in enumerate(extra):
        out.insert((seed + 97 * i) % (len(out) + 1), c)
    return out


@settings(max_examples=examples(2000), deadline=None)
@given(_long_texts)
def test_isprintable_is_the_str_method(text: str) -> None:
    assert clean.isprintable(text) == text.isprintable()


def test_isprintable_on_every_character_in_a_long_text() -> None:
    base = "Speaker one: a plain line of ASCII text. " * 10
    for code in [*range(0x3000), *range(0xD7F0, 0xE010), *range(0xFFF0, 0x10100), 0xE0001]:
        text = base + chr(code) + base
        assert clean.isprintable(text) == text.isprintable(), hex(code)


def test_isprintable_on_blurbs_and_transcripts() -> None:
    texts = [*_blurbs(), *_transcripts(), *(extract.unglue_speakers(t) for t in _transcripts())]
    assert any(not t.isprintable() for t in texts if len(t) >= 256)
    for text in texts:
        assert clean.isprintable(text) == text.isprintable()


# --- render_transcript -----------------------------------------------------------------------


def _render_transcript_reference(text: str) -> list[str]:
    """render_transcript without its plain-text shortcut: every turn through
    render_paragraphs."""
    starts = [m.start() for m in extract._turns(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    starts.append(len(text))
    paras: list[str] = []
    for a, b in pairwise(starts):
        chunk = text[a:b].strip()
        if chunk:
            paras.extend(extract.render_paragraphs(chunk))
    return paras


_TURN_PIECES = [
    "JOËL: ", "STEPHANIE: ", "Alessio [00:00:12]: ", "[00:01:02] Ann Lee: ", " ", "  ", "\n",
    "\n\n", "word ", "http://x.com/a ", "www.x.org ", "HTTP ", "# ", "- ", "1. ", "a_b ", "_x ",
    "R&D ", "&amp; ", "*star* ", "[link] ", "<b> ", "`c` ", "~ ", "\\ ", "\t", "\xa0", "’ ",
    "end. ", "Why? ", "\u200b", "x",
]  # fmt: skip
_turn_texts = glued(_TURN_PIECES, 60)


@settings(max_examples=examples(1500), deadline=None)
@given(_turn_texts)
def test_render_transcript_matches_the_reference(text: str) -> None:
    assert extract.render_transcript(text) == _render_transcript_reference(text)


def test_render_transcript_on_transcripts() -> None:
    texts = [extract.unglue_speakers(t) for t in _transcripts()]
    assert sum(clean.isprintable(t) for t in texts) > 10  # (the shortcut is taken)
    for text in texts:
        assert extract.render_transcript(text) == _render_transcript_reference(text)


# --- split_transcript's first turns ----------------------------------------------------------


def _first_turns_reference(text: str, n: int, endpos: int) -> list[tuple[int, int]]:
    return [m.span() for m in islice(extract._turns(text, 0, endpos), n)]


def _first_turns(text: str, n: int, endpos: int) -> list[tuple[int, int]]:
    return [m.span() for m in extract._first_turns(text, n, endpos)]


_LONG_PIECES = [*_TURN_PIECES, "the thing: ", "A B C: ", "Ab Cd [1:02]: ", "x" * 900, " " * 5]


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(st.sampled_from(_LONG_PIECES), max_size=80).map("".join),
    st.integers(min_value=1, max_value=4),
    st.integers(min_value=0, max_value=6000),
)
def test_first_turns_are_the_first_turns(text: str, n: int, cut: int) -> None:
    endpos = min(len(text), cut) if cut else len(text)
    assert _first_turns(text, n, endpos) == _first_turns_reference(text, n, endpos)


def test_first_turns_on_blurbs_with_turns_past_the_window() -> None:
    window = extract._FIRST_TURNS_WINDOW
    texts = [*_blurbs()]
    for t in _transcripts():
        texts += [t, "x " * (window // 2 - 3) + t, "notes " * (window // 4) + t[:3000]]
    for text in texts:
        endpos = min(len(text), 200_000)
        assert _first_turns(text, 3, endpos) == _first_turns_reference(text, 3, endpos)
    assert any(len(t) > window and _first_turns(t, 3, len(t)) for t in texts)


def test_first_turns_with_a_turn_across_the_window_end() -> None:
    window = extract._FIRST_TURNS_WINDOW
    turns = ["STEPHANIE: ", "Alessio [00:00:12]: ", "[00:01:02] Ann Lee: ", "JOËL ROI: "]
    for head in ("", " hi. ".join(turns) + " hi. "):
        for first in turns:
            for back in range(len(first) + 3):
                filler = ("a " * window)[: window - back - len(head)]
                text = head + filler + first + "hello. " + " ".join(turns) + " bye. " + "z " * 99
                for n in range(1, 7):
                    want = _first_turns_reference(text, n, len(text))
                    assert _first_turns(text, n, len(text)) == want, (first, back, n)
