"""clean.contains_by_char (a string found by one of its characters) says what ``in`` says."""

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean, extract
from tests.conftest import examples, glued
from tests.unit.test_extract_fast_passes import _blurbs

_PIECES = ["e", "y", "J", "ey", "yJ", "eyJ", "eyJhbGciOi.eyJzdWIi.sig", "JJ", "eeyJ", " ", "é"]


@settings(max_examples=examples(1500), deadline=None)
@given(
    glued(_PIECES, 16, noise=2),
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


_SLASHY = ["/", "//", "://", ":", "http://x.co/a/b ", "https://", "www.x.org ", "a/b ", "x", " "]
_slashy_texts = glued(_SLASHY, 30, noise=2)


@settings(max_examples=examples(1000), deadline=None)
@given(_slashy_texts, st.sampled_from([0, 1, 2, 64]))
def test_starts_by_char_are_positions(text: str, misses: int) -> None:
    saved = clean._BY_CHAR_MISSES
    clean._BY_CHAR_MISSES = misses  # (0-2: the plain search taken over early)
    try:
        for sub, k in (("://", 1), ("://", 0), ("//", 1), ("eyJ", 2)):
            assert list(clean._starts_by_char(text, sub, k)) == clean.positions(text, sub)
            assert clean.contains_by_char(text, sub, k) == (sub in text)
    finally:
        clean._BY_CHAR_MISSES = saved


@settings(max_examples=examples(1000), deadline=None)
@given(_slashy_texts)
def test_url_matches_are_finditer(text: str) -> None:
    fast = [m.span() for m in clean._url_matches(text)]
    assert fast == [m.span() for m in clean._URL.finditer(text)]


def test_url_matches_on_blurbs_and_a_slashy_text() -> None:
    slashy = "a/b " * 100 + "see https://x.com/a and http://y.org/b/c " + "/" * 70 + " ftp://z"
    for text in (*_blurbs(), slashy):
        fast = [m.span() for m in clean._url_matches(text)]
        assert fast == [m.span() for m in clean._URL.finditer(text)]
