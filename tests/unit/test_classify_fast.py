"""classify.long_blurb's fast path (a printable opening without double spaces is squashed by
stripping its ends) decides as the split-and-join rule did (the reference, kept here)."""

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import classify as cl
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"


def _reference(text: str) -> bool:
    """classify's long-line rule as it was: on the split-and-joined opening, always."""
    line = " ".join(text[: cl._HEAD].split())
    return (
        len(text) > cl._HEAD
        and len(line) > 200
        and line[0] not in ":·•|-"
        and len(line.split(None, 4)) > 4
    )


_PIECES = ["word ", "Word ", " ", "  ", "\t", "\n", "\u00a0", ":", "·", "-", "|", "x" * 300, "a"]


@settings(max_examples=examples(600), deadline=None)
@given(
    glued(_PIECES, 60, noise=4),
    st.integers(0, 1100),
)
def test_long_lines_decided_as_the_reference(text: str, pad: int) -> None:
    for line in (text, text + "z" * pad, " " * 3 + text + " y" * pad, "x " * pad + text):
        assert cl.long_blurb(line) == _reference(line), line[:80]


def test_sample_lines_decided_as_the_reference() -> None:
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        assert cl.long_blurb(line) == _reference(line)


def test_edges_of_the_rule() -> None:
    long_word = "x" * 300
    for line in (
        " :" + "w " * 600,  # a list item once its leading space is stripped
        "  :" + "w " * 600,
        " ".join([long_word] * 4) + " " * 800,  # four words: not enough
        " ".join([long_word] * 5),
        " ".join([long_word] * 4) + "\t" + long_word,
        "w " * 99 + " " * 900 + "w " * 50,  # ≤ 200 characters once squashed
        " " * 950 + "w " * 200,
    ):
        assert cl.long_blurb(line) == _reference(line), line[:20]
