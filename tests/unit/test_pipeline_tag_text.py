"""A worker sends an episode's tagging text as (cut, chapter list) instead of a second copy of
its body: pipeline.tagging_text rebuilds exactly extract's tag_body (the reference)."""

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import pipeline
from digest.ingest.extract import extract
from digest.shows import load_shows
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"


def _shipped(lines: list[str]) -> list[pipeline.Processed]:
    """process_blurb over ``lines`` as a worker runs it."""
    pipeline.init_worker(load_shows(ROOT / "content" / "shows.yml"))
    pipeline._PASS.update(texts=lines, cuts=[False] * len(lines), headers=[None] * len(lines))
    try:
        return [pipeline.process_blurb(i) for i in range(len(lines))]
    finally:
        pipeline._PASS.clear()


def _assert_rebuilt(lines: list[str]) -> int:
    """Every blurb's tagging text is extract's; returns how many went as (cut, list)."""
    sent_as_insert = 0
    for line, done in zip(lines, _shipped(lines), strict=True):
        ref = extract(line)
        assert pipeline.tagging_text(done.ex, done.tag_insert) == (ref.tag_body or ref.body)
        if ref.tag_body is not None:
            # the fast path was taken: no second copy of the body travelled
            assert done.ex.tag_body is None and done.tag_insert is not None, line[:80]
            sent_as_insert += 1
    return sent_as_insert


def test_sample_and_synthetic_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if len(ln) > 40]
    assert _assert_rebuilt(lines + synthesise_blurbs(120, 4)) >= 5


_PIECES = [
    "(02:49) Introduction ", "(04:01) Adam's journey ", "(10:12) Wrap-up", "Chapters: ",
    "00:00 Intro 03:55 Steve 10:00 End ", "Show Highlights ", "We talk about caching. ",
    "Transcript: ALICE: Hi there. BOB: Hello. ", "https://x.com/a ", "\n\n", "#", "1. ",
    "The post Caching appeared first on Software Engineering Daily.",
]  # fmt: skip


@settings(max_examples=examples(150), deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=14).map("".join))
def test_any_chapter_layout(raw: str) -> None:
    _assert_rebuilt([raw])


def test_chapters_first_last_and_alone() -> None:
    chapters = "(02:49) Introduction (04:01) Adam's journey (10:12) Wrap-up"
    for raw in (
        chapters,
        "We talk about caching in depth today. " + chapters,
        chapters + " We talk about caching in depth today.",
        "Notes first. " + chapters + " Notes after.",
    ):
        assert _assert_rebuilt([raw]) == 1, raw


def test_retag_keeps_tag_texts_slugs() -> None:
    """retag asks tagging.tag_slugs (no scores, no evidence): each episode's tags must be the
    slugs tag_text finds in the same title and tagging text."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    from digest.tagging import tag_text
    from digest.taxonomy import load_taxonomy

    taxonomy = load_taxonomy(ROOT / "content" / "topics.yml")
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").splitlines() if len(ln) > 40]
    lines += synthesise_blurbs(120, 5)
    done = _shipped(lines)
    pipeline.init_worker(load_shows(ROOT / "content" / "shows.yml"), taxonomy)
    titles = [d.ex.title for d in done]
    texts = [pipeline.tagging_text(d.ex, d.tag_insert) for d in done]
    pipeline._PASS.update(
        titles=titles, extracted=[d.ex for d in done], tag_inserts=[d.tag_insert for d in done]
    )
    try:
        tagged = 0
        for k, (title, text) in enumerate(zip(titles, texts, strict=True)):
            expected = sorted({m.slug for m in tag_text(title, text, taxonomy)})
            assert pipeline.retag(k) == expected, title
            tagged += bool(expected)
    finally:
        pipeline._PASS.clear()
    assert tagged > len(lines) // 2
