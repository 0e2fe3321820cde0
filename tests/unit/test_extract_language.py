"""detect_language counts py3langid's features with a vectorised walk of the library's own
automaton (extract._windowed_visits): it must give exactly what the library's per-byte walk
gives — the same counts in the same order, hence the same floats and the same decision."""

from __future__ import annotations

import re
import sys
from functools import cache
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from py3langid import langid
from py3langid.langid import MODEL_FILE, LanguageIdentifier

from digest.ingest import extract
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
FIXTURES = ROOT / "tests" / "fixtures"


@cache
def _library() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


@cache
def _fast() -> LanguageIdentifier:
    return extract._language_identifier()


def _library_visits(data: bytes) -> list[tuple[int, int]] | None:
    lib = _library()
    counts = langid.visit_counts(lib.tk_nextmove, lib._rowbase, lib.tk_output, data)
    return list(counts.items()) if counts else None


def _fast_visits(data: bytes) -> list[tuple[int, int]] | None:
    counts = extract._windowed_visits(_fast(), data)
    return list(counts.items()) if counts else None


def _agree(text: str) -> None:
    data = LanguageIdentifier._encode(text)
    assert _fast_visits(data) == _library_visits(data), text[:80]
    assert _fast().classify(text) == _library().classify(text), text[:80]


def _sample_reference(text: str) -> str:
    """detect_language's sample as it was: both address subs always."""
    return re.sub(r"\S+@\S+", " ", re.sub(r"(?:https?://|www\.)\S+", " ", text[:400]))


def _detect_reference(text: str) -> str | None:
    """detect_language as it was: both address subs always, the library's own identifier."""
    sample = _sample_reference(text)
    if len(re.findall(r"[^\W\d_]{2,}", sample)) < 4:
        return None
    lang, prob = _library().classify(sample)
    return str(lang) if prob >= 0.6 else None


def _samples(line: str) -> list[str]:
    """What detect_language classifies for a blurb, and a few other cuts of it."""
    text = extract.normalise_text(line)
    sample = re.sub(r"\S+@\S+", " ", re.sub(r"(?:https?://|www\.)\S+", " ", text[:400]))
    return [sample, line[:400], text[:2000], text[-300:]]


def test_the_window_covers_the_deepest_state() -> None:
    """Every state of the installed model is at most LANGID_DEPTH bytes from the start (a
    breadth-first walk): so the last LANGID_DEPTH bytes decide the state."""
    lib = _library()
    nextmove = np.frombuffer(lib.tk_nextmove, dtype=np.uint32)
    rowbase = np.asarray(lib._rowbase, dtype=np.int64)
    seen = np.zeros(len(rowbase), dtype=bool)
    seen[0] = True
    frontier, depth = np.array([0]), 0
    while len(frontier):
        reached = np.unique(nextmove[(rowbase[frontier][:, None] + np.arange(256)).ravel()])
        frontier = reached[~seen[reached]]
        seen[frontier] = True
        depth += bool(len(frontier))
    assert seen.all()
    assert depth <= extract.LANGID_DEPTH


def test_agrees_with_the_library_on_the_sample_and_fixtures() -> None:
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for path in sorted(FIXTURES.rglob("*.txt")):
        lines += path.read_text(encoding="utf-8", errors="replace").splitlines()
    checked = 0
    for line in lines:
        if line.strip():
            for text in _samples(line):
                _agree(text)
                checked += 1
    assert checked > 300


def test_agrees_with_the_library_on_synthetic_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from synth import synthesise
    finally:
        sys.path.remove(str(ROOT / "scripts"))
    lines = [ln for ln in synthesise(2000, 3).splitlines() if len(ln) > 40]
    assert len(lines) > 1500
    decisions = set()
    for line in lines:
        sample = _samples(line)[0]
        _agree(sample)
        assert extract._language_sample(line) == _sample_reference(line)
        decision = extract.detect_language(line)
        assert decision == _detect_reference(line)
        decisions.add(decision)
    assert {"en", "pt", None} <= decisions  # the decisions that matter were exercised


def test_detect_language_decisions_unchanged() -> None:
    assert extract.detect_language("This is an English sentence about deploying apps.") == "en"
    pt = "Neste episódio falamos sobre engenharia de plataforma e como a equipe trabalha."
    assert extract.detect_language(pt) == "pt"
    assert extract.detect_language("ok") is None


_PIECES = [
    "the ", "and ", " de ", "ção", "ñ", "ü", "日本語", "😀", "\u0301", "ſ", "İ", "ΑΒΓ", "кот",
    "https://x.io ", "\n", "  ", "ABC", "Heroku", "é", "\x00", "\ud7ff", "ﬁ",
]  # fmt: skip


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=12)), max_size=60))
def test_agrees_with_the_library_on_any_text(parts: list[str]) -> None:
    _agree("".join(parts))


_WORDS = [
    "hello ", "world ", "the ", "platform ", "engenharia ", "de ", "plataforma ", "a@b.c ",
    "@", "mail@x.io", "https://x.io/a ", "http://y ", "www.z.com ", "://", "www.", " ", "\n",
]  # fmt: skip


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_WORDS), st.text(max_size=4)), max_size=80))
def test_detect_language_skips_only_subs_that_change_nothing(parts: list[str]) -> None:
    text = "".join(parts)
    assert extract._language_sample(text) == _sample_reference(text)
    assert extract.detect_language(text) == _detect_reference(text)


@settings(max_examples=examples(200), deadline=None)
@given(st.binary(max_size=300))
def test_agrees_with_the_library_on_any_bytes(data: bytes) -> None:
    assert _fast_visits(data) == _library_visits(data)


def _chaptered_blurb() -> str:
    """A short English opening, a chapter list in Portuguese, then English notes: the
    language sample is the lead (opening + what follows the chapters), not the raw notes,
    whose first 400 characters are mostly the Portuguese chapter labels."""
    labels = [
        "Introdução e boas-vindas ao programa",
        "Como começamos a usar a plataforma",
        "Os desafios de escalar aplicações",
        "Migração dos serviços para a nuvem",
        "Experiência dos desenvolvedores no dia a dia",
        "Ferramentas que recomendamos para equipes",
        "Perguntas dos ouvintes sobre implantação",
        "Considerações finais e despedida",
    ]
    stamps = ["00:00", "02:49", "07:15", "12:30", "18:05", "25:40", "33:10", "41:55"]
    chapters = " ".join(f"({t}) {label}" for t, label in zip(stamps, labels, strict=True))
    return (
        "Heroku and the platform teams behind it, in conversation today. "
        + chapters
        + " We talk about how developers ship code to production without thinking about"
        " servers, why twelve-factor apps still matter, how buildpacks turn source into"
        " runnable images, and what platform engineering teams can learn from the early days"
        " of the cloud. Our guest explains the trade-offs between managed platforms and"
        " running your own cluster."
    )


def test_language_is_decided_on_the_lead_not_on_a_chapter_list() -> None:
    text = _chaptered_blurb()
    assert extract.detect_language(text) == "pt"  # the raw opening would say Portuguese
    assert extract.extract(text).language == "en"
    deferred, sample = extract.extract_deferred(text)
    assert deferred.language is None
    assert extract.sample_language(sample) == "en"
