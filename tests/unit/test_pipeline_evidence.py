"""pipeline.attribution_evidence: the shorter evidence attributes every blurb as the full one
(description + transcript + ending, the ending often a second copy of the text's tail) did.

The reference keeps the ending apart with a "." line: the full evidence glued the copy's start
to the text's end, so "…thanks for listening to" + "The Bike Shed…" (the copy) was a match that
no text states; the shorter evidence has no such seam, which is the one difference."""

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest.extract import extract
from digest.ingest.pipeline import attribution_evidence
from digest.shows import load_shows
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
SHOWS = load_shows(ROOT / "content" / "shows.yml")


def _full_evidence(ex) -> str:
    """The reference: every part, the ending even when it repeats the tail (a sentence end
    before it, so no match spans the seam between the text's end and the copy's start)."""
    return "\n".join((ex.description, ex.transcript or "", ".", ex.ending))


def _verdict(evidence: str, opening: str) -> list[tuple[str, int, int]]:
    return [(m.show.slug, int(m.strength), m.support) for m in SHOWS.attribute(evidence, opening)]


def _assert_same(raw: str) -> None:
    ex = extract(raw)
    opening = ex.description[:600]
    assert _verdict(attribution_evidence(ex), opening) == _verdict(_full_evidence(ex), opening)


def test_sample_blurbs_attributed_alike() -> None:
    for line in SAMPLE.read_text(encoding="utf-8").splitlines():
        if len(line) > 40:
            _assert_same(line)


def test_synthetic_blurbs_attributed_alike() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    for line in synthesise_blurbs(150, 3):
        _assert_same(line)


def test_ending_kept_when_notes_outrun_the_description() -> None:
    # notes longer than the description's 6,000 characters: the sign-off is only in the ending
    filler = "We talk about build pipelines and flaky tests in depth. " * 130
    raw = filler + "Thanks so much for listening to The Bike Shed. See you next week."
    ex = extract(raw)
    assert ex.transcript is None and "Bike Shed" not in ex.description
    assert "Bike Shed" in attribution_evidence(ex)
    assert _verdict(attribution_evidence(ex), "")[0][0] == "the-bike-shed"
    _assert_same(raw)


def test_transcript_tail_kept_once() -> None:
    turn = "ALICE: Point number {0} about caching. BOB: Agreed on {0}. "
    turns = "".join(turn.format(i) for i in range(900))
    raw = "Notes about caches. Transcript: " + turns + "Thanks for listening to The Bike Shed."
    ex = extract(raw)
    assert ex.transcript and ex.transcript.endswith(ex.ending)
    assert attribution_evidence(ex).count("Thanks for listening to The Bike Shed") == 1
    _assert_same(raw)


_WORDS = [
    "Thanks for listening to", "The Bike Shed", "Software Engineering Daily", "podcast",
    "appeared first on", "Welcome to episode 12 of", "the Cloud Pod", "bikeshed.fm",
    "Hi Spring fans", "Transcript:", "ALICE:", ". ", "\n", " ", "x" * 700, "y" * 2500,
]  # fmt: skip


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=40).map("".join))
def test_random_blurbs_attributed_alike(raw: str) -> None:
    _assert_same(raw)
