"""clean.strip_html finds a "read more" mark's "…]" / "...]" by a regex led by its "]", and
clean.has_cut_mark looks for a "[" first; both say what the plain checks say."""

import re

from hypothesis import given, settings

from digest.ingest import clean
from tests.conftest import examples, glued

_PIECES = ["]", "[", "…", ".", "..", "...", "…]", "...]", ".]", "[…]", "[...]", "[00:12:34]", " "]
_texts = glued(_PIECES, 25, noise=2)


def _has_cut_end(text: str) -> bool:
    return "]" in text and clean._CUT_MARK_END.search(text) is not None


@settings(max_examples=examples(2000), deadline=None)
@given(_texts)
def test_cut_mark_end_is_in(text: str) -> None:
    assert _has_cut_end(text) == ("…]" in text or "...]" in text)


def test_cut_marks_dropped() -> None:
    stamps = "[00:12:34] Host: hi. " * 80
    assert clean.strip_html(stamps + "and more [...]") == stamps + "and more…"
    assert clean.strip_html("a […] b [...] c") == "a … b … c"
    assert clean.strip_html("not a mark ..] nor .] nor [..]") == "not a mark ..] nor .] nor [..]"
    assert clean.strip_html(stamps + "more ...] x") == clean._drop_cut_marks(stamps + "more ...] x")


_MARKS = ["[", "]", "…", "...", "&#8230;", "&hellip;", "[…]", "[...]", "[&#8230;]", "[&hellip;]"]


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_MARKS, 20, noise=2))
def test_has_cut_mark_is_the_regex(text: str) -> None:
    expected = bool(re.search(r"\[(?:…|\.\.\.|&#8230;|&hellip;)\]", text))
    assert clean.has_cut_mark(text) == expected
