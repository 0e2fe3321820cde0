"""clean.contains_by_char (a string found by one of its characters) says what ``in`` says."""

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean, extract
from tests.conftest import examples
from tests.unit.test_extract_fast_passes import _blurbs

_PIECES = ["e", "y", "J", "ey", "yJ", "eyJ", "eyJhbGciOi.eyJzdWIi.sig", "JJ", "eeyJ", " ", "é"]


@settings(max_examples=examples(1500), deadline=None)
@given(
    st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=2)), max_size=16).map("".join),
    st.sampled_from(["eyJ", "J", "ey", "://", "mailto:", "aa", "é!"]),
    st.integers(min_value=0, max_value=6),
)
def test_contains_by_char_is_in(text: str, sub: str, k: int) -> None:
    k = min(k, len(sub) - 1)
    assert clean.contains_by_char(text, sub, k) == (sub in text)


def test_contains_by_char_at_the_edges() -> None:
    for text in ("eyJ", "xeyJ", "eyJx", "JeyJ", "ey J", "e yJ", "yJ", "Jey", "J", ""):
        for k in (0, 1, 2):
            assert clean.contains_by_char(text, "eyJ", k) == ("eyJ" in text), (text, k)


def test_scrub_text_urls_redacts_with_the_by_char_check() -> None:
    text = "see https://x.com/a?t=1 and eyJhbGciOi.eyJzdWIi.c2lnbmF0dXJl " + "J" * 3
    assert "[token removed]" in extract.scrub_text_urls(text)
    for text in _blurbs():
        assert clean.contains_by_char(text, "eyJ", 2) == ("eyJ" in text)
