"""A worker's chunk-at-a-time path (pipeline.process_blurbs: every blurb extracted and
attributed first, then the chunk's languages detected back to back) gives exactly what
process_blurb gives one blurb at a time, and _run_chunk takes it."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import extract, pipeline
from digest.shows import load_shows
from digest.taxonomy import load_taxonomy
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]


@cache
def _texts() -> list[str]:
    """Synthetic blurbs (some not in English), the shipped sample and the ingest fixtures."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise

    texts = [ln for ln in synthesise(300, 5).splitlines() if len(ln) > 40]
    for path in [
        ROOT / "data" / "blurbs" / "heroku-directory-sample.txt",
        *sorted((ROOT / "tests" / "fixtures" / "ingest").glob("*.txt")),
    ]:
        texts += [ln for ln in path.read_text(encoding="utf-8").splitlines() if len(ln) > 40]
    return texts


@pytest.fixture(scope="module", autouse=True)
def _pass() -> None:
    texts = _texts()
    pipeline.init_worker(
        load_shows(ROOT / "content" / "shows.yml"), load_taxonomy(ROOT / "content" / "topics.yml")
    )
    pipeline._PASS.update(
        texts=texts, cuts=[i % 9 == 4 for i in range(len(texts))], headers=[None] * len(texts)
    )
    yield
    pipeline._PASS.clear()


def _one_at_a_time(jobs: list[int]) -> list[pipeline.Processed]:
    return [pipeline.process_blurb(job) for job in jobs]


def test_a_chunk_equals_one_blurb_at_a_time() -> None:
    jobs = list(range(len(_texts())))
    chunked = pipeline._run_chunk(pipeline.process_blurb, jobs)
    assert chunked == _one_at_a_time(jobs)
    # the corpus exercises detection: several languages, and blurbs it is not sure of
    languages = {p.ex.language for p in chunked}
    assert len(languages - {None}) >= 2 and None in languages


def test_run_chunk_takes_the_chunked_path(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[int]] = []
    monkeypatch.setitem(pipeline._CHUNKED, pipeline.process_blurb, lambda c: calls.append(c) or [])
    pipeline._run_chunk(pipeline.process_blurb, [0, 1])
    assert calls == [[0, 1]]


def test_extract_detects_the_language_of_the_sample_it_defers() -> None:
    for raw in _texts()[:200]:
        ex, sample = extract.extract_deferred(raw)
        assert ex.language is None
        assert extract.extract(raw).language == extract.sample_language(sample)
        assert extract.sample_language(sample) == extract.detect_language(sample)


@settings(max_examples=examples(40), deadline=None)
@given(st.lists(st.integers(0, 10_000), min_size=0, max_size=12))
def test_any_chunk_equals_one_blurb_at_a_time(picks: list[int]) -> None:
    jobs = [p % len(_texts()) for p in picks]
    assert pipeline.process_blurbs(jobs) == _one_at_a_time(jobs)
