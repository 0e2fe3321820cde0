"""hash_blurb hashes a line once when squashing its whitespace changes nothing, and gives
what hashing the text and its squashed form gives, whatever the whitespace."""

import hashlib

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import pipeline
from tests.conftest import examples

_texts = st.lists(
    st.sampled_from(["a", "Heroku", "é", " ", "  ", "\t", "\n", "\u00a0", "\x0b", "x y", "."]),
    max_size=30,
).map("".join)


def _reference(text: str) -> tuple[str, str]:
    squashed = " ".join(text.split())
    return (
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        hashlib.sha256(squashed.encode("utf-8")).hexdigest(),
    )


def _hashed(texts: list[str]) -> list[tuple[str, str]]:
    """hash_blurb over ``texts`` the way a worker runs it: jobs index the pass's texts."""
    pipeline._PASS["texts"] = texts
    try:
        return [pipeline.hash_blurb(i) for i in range(len(texts))]
    finally:
        pipeline._PASS.clear()


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(st.one_of(_texts, st.text(max_size=40)), min_size=1, max_size=5))
def test_hash_blurb_is_the_two_hashes(texts: list[str]) -> None:
    got = _hashed(texts)
    assert got == [_reference(t) for t in texts]


def test_hash_blurb_fixtures() -> None:
    texts = ["plain line", " leading", "trailing ", "two  spaces", "tab\there", "same"]
    got = _hashed(texts)
    assert got == [_reference(t) for t in texts]
    assert got[0][0] == got[0][1] and got[1][0] != got[1][1]


_PRINTABLE_OR_NOT = st.sampled_from(
    [
        *("a", " ", "  ", "é", "’", "日本", "\U0001f600", "\x01", "\x1f", "\x7f", "\t", "\n"),
        *("\x85", "\u00a0", "\u00ad", "\u200b", "\u2028", "\u3000", "\ufeff", "\ue000"),
    ]
)


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.one_of(_PRINTABLE_OR_NOT, st.text(max_size=6)), max_size=12).map("".join))
def test_nothing_to_squash_is_the_text_checks(text: str) -> None:
    """The bytes check says what the text's own checks say: no double space, every
    character printable, no space at either end (then squashing changes nothing)."""
    expected = "  " not in text and text.isprintable() and text == text.strip(" ")
    assert pipeline._nothing_to_squash(text.encode("utf-8")) == expected
    if expected:
        assert " ".join(text.split()) == text
    assert _hashed([text]) == [_reference(text)]


def test_nothing_to_squash_fixtures() -> None:
    for text in ("plain", "é ’ 日本 \U0001f600", "a b", ""):
        assert pipeline._nothing_to_squash(text.encode("utf-8")), text
    for text in (" a", "a ", "a  b", "a\x01", "a\x7f", "a\tb", "a\u00a0b", "a\u200bb", "a\x85"):
        assert not pipeline._nothing_to_squash(text.encode("utf-8")), text
