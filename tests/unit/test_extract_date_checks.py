"""may_hold_date's literal-led checks say what its regexes say (the regexes are the reference)."""

import re
from pathlib import Path

from hypothesis import given, settings

from digest.ingest import extract
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"

_PIECES = [
    "1", "12", "2024", "/", "-", "8/13/2025", "1/2/34", "12/5/2024", "2024-08-13", "24-08-13",
    "a/12/34/56", "-1-2", "JAN", "Feb", "mAr", "apr", "May", "jun", "Jul", "AuG", "sep", "ſep",
    "ſ", "İ", "SEP", "oct", "Nov", "dec", "de", "c", " ", "x", "٣", "١٢", "𝟘𝟙",
]  # fmt: skip
_texts = glued(_PIECES, 25)


def _may_hold_date_reference(text: str) -> bool:
    if not extract._TWO_DIGITS.search(text):
        return False
    if extract._SLASH_OR_ISO_DATE.search(text):
        return True
    return bool(extract._FOUR_DIGITS.search(text) and extract._MONTH_START.search(text))


@settings(max_examples=examples(1000), deadline=None)
@given(_texts)
def test_literal_led_checks_are_the_regexes(text: str) -> None:
    assert extract._has_slash_or_iso_date(text) == bool(extract._SLASH_OR_ISO_DATE.search(text))
    assert extract._has_month_start(text) == bool(extract._MONTH_START.search(text))
    assert extract.may_hold_date(text) == _may_hold_date_reference(text)


def test_every_character_the_month_regex_folds() -> None:
    letters = sorted(set("".join(extract._MONTH_STARTS)))
    folded = re.compile("(?i)[" + "".join(letters) + "]")
    odd = [chr(code) for code in range(0x110000) if folded.fullmatch(chr(code))]
    assert "ſ" in odd and "K" not in odd  # (no k in a month: the Kelvin sign never matters)
    for month in extract._MONTH_STARTS:
        for at in range(3):
            for c in odd:
                text = "x" + month[:at] + c + month[at + 1 :]
                if extract._MONTH_START.search(text):
                    assert extract._has_month_start(text), (month, hex(ord(c)))


def test_on_real_blurbs() -> None:
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if ln.strip()]
    heads = [extract.normalise_text(ln)[:260] for ln in lines]
    heads += ["Title 8/13/2025 Description", "Aired 2024-08-13: a talk", "March 3, 2024 — x"]
    said = [extract.may_hold_date(h) for h in heads]
    assert said == [_may_hold_date_reference(h) for h in heads]
    assert sum(said) >= 3


def test_date_tails_need_their_digits_before() -> None:
    for text, has in [
        ("x/12/34", False), ("1/12/34", True), ("a/12/34/56", True), ("٣/1/٢٣", True),
        ("123-45-67", False), ("1234-56-78", True), ("x-12-34 2024-1-12", False),
        ("12-34-56-78", False), ("0000-00-00", True), ("x12/3/45", True),
    ]:  # fmt: skip
        assert extract._has_slash_or_iso_date(text) is has, text
        assert bool(extract._SLASH_OR_ISO_DATE.search(text)) is has, text
