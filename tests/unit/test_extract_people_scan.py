"""find_people's one-pass literal scan gives what one ``str.find`` loop per literal gives."""

from pathlib import Path

import pytest
from hypothesis import given, settings

from digest.ingest import clean, extract
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"

_LITERALS = sorted(extract._LITERALS)
_PIECES = [
    *_LITERALS, "Dana Smith", " is the founder", ", CTO of Acme", "Jon Myer", " and ", ". ",
    "😀", "é", "\n\n", "sits down with ", "Host ", "your host, ", "Acme CEO ", "According to ",
]  # fmt: skip
_texts = glued(_PIECES, 30)


@settings(max_examples=examples(500), deadline=None)
@given(_texts)
def test_literal_positions_are_each_literals_positions(text: str) -> None:
    found = extract._literal_positions(text)
    assert set(found) == set(_LITERALS)
    for word in _LITERALS:
        assert list(found[word]) == clean.positions(text, word), word


def _reference_people(monkeypatch: pytest.MonkeyPatch, texts: list[str], hosts=()) -> list:
    """find_people with every literal looked for by ``str.find`` (an empty ``found_at``)."""
    with monkeypatch.context() as m:
        m.setattr(extract, "_literal_positions", lambda text: {})
        return [extract.find_people(t, hosts) for t in texts]


@settings(max_examples=examples(300), deadline=None)
@given(_texts)
def test_people_from_the_scan_are_the_str_find_people(text: str) -> None:
    fast = extract.find_people(text, ("Corey Quinn",))
    with pytest.MonkeyPatch.context() as m:
        m.setattr(extract, "_literal_positions", lambda text: {})
        assert fast == extract.find_people(text, ("Corey Quinn",))


def test_people_from_the_scan_on_real_blurbs(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if len(ln) > 40]
    texts = []
    for line in lines:
        notes = extract.split_transcript(extract.normalise_text(line))[0]
        texts.append(clean.restore_breaks(notes)[:3000])
    fast = [extract.find_people(t) for t in texts]
    assert fast == _reference_people(monkeypatch, texts)
    assert sum(bool(guests) for guests, _ in fast) > 5


def _without_phrase_pre_checks(texts: list[str]) -> list:
    saved = dict(extract._NEEDS_RE)
    extract._NEEDS_RE.clear()
    try:
        return [extract.find_people(t) for t in texts]
    finally:
        extract._NEEDS_RE.update(saved)


@settings(max_examples=examples(300), deadline=None)
@given(_texts)
def test_phrase_pre_checks_let_every_match_through(text: str) -> None:
    assert [extract.find_people(text)] == _without_phrase_pre_checks([text])


def test_role_trigger_pre_check_on_real_blurbs() -> None:
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if len(ln) > 40]
    texts = [clean.restore_breaks(extract.normalise_text(ln))[:3000] for ln in lines]
    texts += [f"So. Dana Smith,{space}CTO of Acme said so." for space in (" ", "\n", "\t")]
    fast = [extract.find_people(t) for t in texts]
    assert fast == _without_phrase_pre_checks(texts)
    assert fast[-1][0] == ["Dana Smith"]
