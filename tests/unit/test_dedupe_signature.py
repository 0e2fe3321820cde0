"""dedupe.signature's fast path (ASCII words split by bytes.translate, 5-grams hashed on
slices of one encoded string, packed by numpy) gives exactly the signature the reference
functions give: fingerprint → split → _shingles → _pack, blake2b of the fingerprint."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import dedupe
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]


_reference = dedupe.signature_reference


_PIECES = st.sampled_from(
    [
        " ",
        "  ",
        "\n",
        "\t",
        ".",
        ",",
        "—",
        "'",
        "_",
        "-",
        "a",
        "B",
        "7",
        "é",
        "É",
        "ß",
        "ﬁ",
        "日本",
        "\u0130",
        "\u00a0",
        "https://x.io/p?utm=1&a=b ",
        "http://Y.com/?q",
        "?",
        "word",
        "Heroku",
        "dyno",
        "12",
        "__init__",
        "\U0001d400",
        "٣",
        *dedupe._WORDLESS,
        "\u201cquoted\u201d",
        "it\u2019s",
    ]
)
_texts = st.one_of(
    st.lists(_PIECES, max_size=40).map("".join),
    st.lists(st.sampled_from(["alpha", "beta", "gamma", "x_1", "42", " ", ". "]), max_size=900).map(
        " ".join
    ),
    st.text(max_size=300),
)


@settings(max_examples=examples(400), deadline=None)
@given(_texts)
def test_signature_is_the_reference_signature(text: str) -> None:
    assert dedupe.signature(text) == _reference(text)


def test_signature_on_the_sample_and_long_texts() -> None:
    """Every blurb of the shipped sample (ASCII and not, > 300 words, URLs), and edge cases:
    fewer than five words, exactly five, none."""
    lines = (ROOT / "data" / "blurbs" / "heroku-directory-sample.txt").read_text("utf-8")
    texts = [*lines.splitlines(), "", "...", "one two", "a b c d e", "a b c d e f", "é b c d e"]
    assert any(not t.isascii() for t in texts) and any(len(t.split()) > 600 for t in texts)
    for text in texts:
        assert dedupe.signature(text) == _reference(text), text[:80]


def test_wordless_marks_separate_words() -> None:
    """signature turns _WORDLESS marks into spaces: each must end a word as a space does."""
    import re

    for mark in dedupe._WORDLESS:
        assert not re.fullmatch(r"\w", mark), mark
        for text in (
            f"caf\u00e9{mark}s one two three four",
            f"{mark}\u00e9t\u00e9 {mark}{mark} x y z w",
        ):
            assert dedupe.signature(text) == _reference(text), text
