"""The body's fast paths (extract._squash, extract.md_escape) give what the plain versions give:
the plain versions are kept here as the reference, compared on random text and real blurbs."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import extract
from tests.conftest import examples, glued

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
_texts = glued(_PIECES, 40)


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


_SENTENCE_PIECES = [
    "Hello world", ". ", "! ", "? ", "e.g. ", "Dr. ", "Marc G. Gauthier", "\n\n", "”", ")", "A",
    "b", "The", "2024", "… ", "\"", "(", "¿", " ", "x",
]  # fmt: skip


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=30).map("".join))
def test_cached_opening_sentences_are_split_sentences(text: str) -> None:
    for _ in range(2):  # computed, then from the cache
        assert tuple(extract._opening_sentences(text)) == tuple(extract.split_sentences(text))


def _split_sentences_reference(text: str) -> list[str]:
    """split_sentences as it was: the whole list at once, the match read again each time."""
    out: list[str] = []
    start = 0
    for m in extract._SENTENCE_END.finditer(text):
        if m.group(0)[0] == ".":
            word = text[max(0, m.start() - 6) : m.start()].rsplit(" ", 1)[-1]
            if word.lower() in extract._ABBREVIATIONS or (len(word) == 1 and word.isupper()):
                continue
        piece = text[start : m.start() + (0 if m.group(0)[0] == "\n" else 1)]
        tail = m.group(0)[1:].strip()
        if tail and m.group(0)[0] != "\n":
            piece += tail
        if piece.strip():
            out.append(piece.strip())
        start = m.end()
    if text[start:].strip():
        out.append(text[start:].strip())
    return out


@settings(max_examples=examples(500), deadline=None)
@given(
    glued(_SENTENCE_PIECES, 30),
    st.lists(st.integers(0, 12), min_size=1, max_size=4),
)
def test_lazy_sentences_read_in_turns_are_split_sentences(text: str, reads: list[int]) -> None:
    """Readers that stop after some sentences, one after another, and then one that reads them
    all (a fresh text each time: not from the cache)."""
    want = _split_sentences_reference(text)
    assert extract.split_sentences(text) == want
    lazy = extract._SentencesSoFar(text)
    for n in reads:
        got = [s for _, s in zip(range(n), lazy, strict=False)]
        assert got == want[:n]
    assert list(lazy) == want


def test_lazy_sentences_read_side_by_side() -> None:
    text = "One here. Two there! Three, e.g. four? Five\n\nSix. Seven"
    want = _split_sentences_reference(text)
    lazy = extract._SentencesSoFar(text)
    first, second = iter(lazy), iter(lazy)
    assert [next(first), next(second), next(second), next(second), next(first)] == [
        want[0],
        want[0],
        want[1],
        want[2],
        want[1],
    ]
    assert [*first] == want[2:] and [*second] == want[3:] and len(want) == 6


def test_summary_and_title_read_the_cached_sentences() -> None:
    text = "Adam Gross joins us to talk about product-led growth. He was CEO of Heroku. More."
    extract._opening_sentences.cache_clear()
    summary, title = extract.make_summary(text), extract.derive_title(text)
    assert extract._opening_sentences.cache_info().hits == 1
    assert summary and summary.startswith("Adam Gross joins us") and title


_SENTENCE_END_PLAIN = re.compile(r"[.!?…][\"”’)]?\s+(?=[\"“‘(¿¡]?[A-ZÀ-Þ0-9])|\n\n+")


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from([*_SENTENCE_PIECES, "\n", "\n\n\n", "…", "’", "É"]), max_size=40))
def test_sentence_end_matches_the_plain_alternation(parts: list[str]) -> None:
    text = "".join(parts)
    fast = [m.span() for m in extract._SENTENCE_END.finditer(text)]
    assert fast == [m.span() for m in _SENTENCE_END_PLAIN.finditer(text)]


_PHRASE_PIECES = ["Heroku", "Fly", "io", " ", "-", "_", ".", "é", "x", "Heroku Fly", "\n", "٣"]


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(st.sampled_from(_PHRASE_PIECES), min_size=1, max_size=3).map("".join),
    glued(_PHRASE_PIECES, 20, noise=2),
)
def test_whole_phrase_search_matches_the_regex(phrase: str, text: str) -> None:
    full = re.search(r"(?<![\w-])" + re.escape(phrase) + r"(?![\w-])", text) is not None
    assert extract._whole_in(phrase, text) == full


def _concise_title_reference(text: str, limit: int = extract.TITLE_MAX) -> str:
    """concise_title as it was: the three candidate lists all found before trying any."""
    text = extract._squash(text)
    if len(text) <= limit:
        return extract.tidy_title(text.rstrip("."))
    head = text[: limit + 1]
    seps = sorted(
        (
            pos
            for sep in extract._CLAUSE_SEPS
            for pos in extract.clean.positions(head, sep)
            if pos >= 25 and not (sep == ", " and extract._coordinate_comma(head, pos))
        ),
        reverse=True,
    )
    befores = sorted(
        (
            pos
            for word in extract._CUT_BEFORE
            for pos in extract.clean.positions(head, f" {word} ")
            if pos >= 40
        ),
        reverse=True,
    )
    words = sorted((pos for pos in extract.clean.positions(head, " ") if pos >= 20), reverse=True)
    for candidates in (seps, befores, words):
        for pos in candidates:
            title = extract.tidy_title(head[:pos])
            if (
                len(title) < 20
                or extract.weak_end(title)
                or extract._splits_a_name(title, text[pos:])
            ):
                continue
            return title
    return extract.tidy_title(extract.cut_words(text, limit))


_TITLE_WORDS = [
    "Adam Wiggins", "talks", "with", "about", "the", "future", "of", "platform", "engineering",
    ", ", " — ", ": ", " and ", " for ", " in ", " that ", "Heroku", "Postgres 17", "big",
    "small", "a", "to", "building", "teams", "(", ")", ".", "AI", "-", " ", "on",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_TITLE_WORDS), min_size=5, max_size=40).map(" ".join))
def test_concise_title_matches_the_eager_reference(text: str) -> None:
    assert extract.concise_title(text) == _concise_title_reference(text)


def test_concise_title_on_real_sentences() -> None:
    checked = 0
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        notes, _ = extract.split_transcript(extract.normalise_text(line))
        for sentence in [*extract.split_sentences(notes[:3000]), notes[:400]]:
            assert extract.concise_title(sentence) == _concise_title_reference(sentence)
            checked += len(sentence) > extract.TITLE_MAX
    assert checked > 20
