"""clean.has_double_space (numpy over UTF-16 code units for a long text) says what
``"  " in text`` says."""

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean
from tests.conftest import examples, glued

_PIECES = [
    " ",
    "  ",
    "a",
    "\u3000",
    "\u2000",
    "\u0120",
    "\u2020",
    "\U0001f600",
    "\ud800",
    "\n",
    "é",
]


def _long(text: str, at: int) -> str:
    """``text`` put at ``at`` in a long text without a double space of its own."""
    filler = "word é " * (clean._DOUBLE_SPACE_BY_UNITS // 3)
    return filler[:at] + "x" + text + "x" + filler[at:]


@settings(max_examples=examples(800), deadline=None)
@given(
    glued(_PIECES, 8, noise=2),
    st.integers(min_value=0, max_value=clean._DOUBLE_SPACE_BY_UNITS * 2),
)
def test_has_double_space_is_in(piece: str, at: int) -> None:
    for text in (piece, _long(piece, at)):
        assert clean.has_double_space(text) == ("  " in text)


def test_has_double_space_on_long_texts() -> None:
    n = clean._DOUBLE_SPACE_BY_UNITS
    for text, expected in (
        ("a " * n, False),
        ("a " * n + " ", True),
        ("  " + "a " * n, True),
        ("\U0001f600 " * n, False),
        ("\U0001f600 " * n + " b", True),
        ("\u2020\u0120" * n, False),  # (UTF-16 bytes 0x20 that are not spaces)
        ("é" * n + " \u3000 ", False),
    ):
        assert len(text) >= n
        assert clean.has_double_space(text) is expected
