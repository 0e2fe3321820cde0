"""clean.isprintable reuses the UTF-8 that clean.might_be_mojibake made of the very same text
object; it says what ``str.isprintable`` says, whatever was checked before."""

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import clean
from tests.conftest import examples

_PIECES = ["a", " ", "é", "Ã©", "â€™", "’", "\n", "\t", "\x00", "\u200b", "\ud800", "ā€", "Ж"]
_long_texts = st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=2)), max_size=12).map(
    lambda parts: "".join(parts) * 40  # (long: isprintable's encoded path)
)


@settings(max_examples=examples(1000), deadline=None)
@given(_long_texts, _long_texts)
def test_isprintable_after_a_mojibake_check(first: str, second: str) -> None:
    for checked, asked in ((first, first), (first, second), (second, first)):
        clean.might_be_mojibake(checked)
        assert clean.isprintable(asked) == asked.isprintable()
        # might_be_mojibake's contract: False only when the hint regex finds no pair
        assert clean.might_be_mojibake(asked) or not clean._MOJIBAKE_HINT.search(asked)


def test_isprintable_examples() -> None:
    printable, tab = "Ã© José ’ " * 40, "Ã© José\t" * 40
    clean.might_be_mojibake(printable)
    assert clean.isprintable(printable)
    assert not clean.isprintable(tab)
    clean.might_be_mojibake(tab)
    assert not clean.isprintable(tab)
    assert clean.isprintable(printable)
