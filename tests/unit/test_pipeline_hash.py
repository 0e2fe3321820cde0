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
