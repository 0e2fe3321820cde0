"""clean.restore_breaks (windows found by one regex, insertions only, repeated names counted
only for a word that would be split) gives what the full scan gives."""

import re
from pathlib import Path

from hypothesis import given, settings

from digest.ingest import clean
from tests.conftest import examples, glued

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "blurbs" / "heroku-directory-sample.txt"

# glued words that split, that repeat (then stay whole), names, URLs, and separators that
# make windows touch or not
_PIECES = [
    "EngineersJames", "HerokuWhere", "cultureLawrence", "ZimmanAdam", " Zimman", " is", " was",
    " has", ",", ":", "JudoScale", "GitHub", "LinksHeroku", "HoneybadgerHoneybadger", "iPhone",
    "2024.Show", "year.”The", "it.’So", "now!\"We", "discuss:How", "re:Invent", "IBM)Adam",
    "(0:26)Intro",
    "https://x.com/aBc?d=Ef", "www.FooBar.com", "seeHttps://", "fooBarhttps://y.io/Ab",
    "Aa", "aA", "xY", "The", "a", " ", "  ", "\n", "\n\n", "\t", ".", ")", "”", "é", "2",
]  # fmt: skip
_texts = glued(_PIECES, 40)


@settings(max_examples=examples(2000), deadline=None)
@given(_texts)
def test_restore_breaks_is_the_full_scan(text: str) -> None:
    assert clean.restore_breaks(text) == clean.restore_breaks_everywhere(text)


def test_repeated_glued_words_stay_whole_and_single_ones_split() -> None:
    text = "about the cultureLawrence story and cultureLawrence again; HerokuWhere to go"
    assert clean.restore_breaks(text) == clean.restore_breaks_everywhere(text)
    assert "cultureLawrence" in clean.restore_breaks(text)
    assert "Heroku\n\nWhere" in clean.restore_breaks(text)
    # twice in the text, but once as a whole word only: it splits
    text = "a cultureLawrence talk, xcultureLawrence2"
    assert clean.restore_breaks(text) == clean.restore_breaks_everywhere(text)


def test_windows_that_touch_or_follow_each_other() -> None:
    for text in (
        "aaaa bbbbCccc dddd eeeeFfff gggg hhhh iiiiJjjj",
        "wordHow a b c\nwordWhy x y z wordWhat",
        "HerokuWhere\nZimmanAdam Zimman is here.Then more:Text (IBM)Adam",
    ):
        assert clean.restore_breaks(text) == clean.restore_breaks_everywhere(text)
        assert clean._glue_windows(text) == _windows_by_words(text)


def _windows_by_words(text: str) -> list[tuple[int, int]]:
    """The windows as first written: each hint's word and two more found by str.find."""
    windows: list[list[int]] = []
    for m in clean._GLUE_HINT.finditer(text):
        pos, end = m.start(), m.start() - 1
        for _ in range(3):
            found = [at for at in (text.find(" ", end + 1), text.find("\n", end + 1)) if at >= 0]
            end = min(found) if found else len(text)
            if end >= len(text):
                break
        if windows and pos < windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
            continue
        start = max(text.rfind(" ", 0, pos), text.rfind("\n", 0, pos)) + 1
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end])
    return [(start, end) for start, end in windows]


@settings(max_examples=examples(1000), deadline=None)
@given(_texts)
def test_glue_windows_are_the_words_around_each_hint(text: str) -> None:
    assert clean._glue_windows(text) == _windows_by_words(text)


def test_restore_breaks_on_the_sample() -> None:
    changed = 0
    for line in SAMPLE.read_text(encoding="utf-8").split("\n"):
        fast = clean.restore_breaks(line)
        assert fast == clean.restore_breaks_everywhere(line)
        assert clean._glue_windows(line) == _windows_by_words(line)
        changed += fast != line
    assert changed > 10


# the hint as first written (a capital after a lowercase letter or ".!?:)", a quote between)
_HINT_AS_WRITTEN = re.compile(r"[A-Z](?:(?<=[a-z.!?:)][A-Z])|(?<=[.!?][\"”’][A-Z]))[a-z]")


@settings(max_examples=examples(1000), deadline=None)
@given(_texts)
def test_glue_hints_are_the_hints_as_written(text: str) -> None:
    assert [m.start() for m in clean._GLUE_HINT.finditer(text)] == [
        m.start() for m in _HINT_AS_WRITTEN.finditer(text)
    ]
