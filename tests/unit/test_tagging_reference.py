"""tag_text (the fast path) gives exactly what _tag_text_reference (the rules written plainly,
with the reference finders) gives: same topics, scores and evidence, on the sample dump, the
labelled set, hard cases, synthesised blurbs and random text. And each shortcut tag_text takes
finds what the plain way finds: the sentences the context prefilter keeps hold every context
match, the case turns are those of _CASE_TURN_RE, URLs are masked with or without the
"no URL here" test. tag_slugs gives the reference's slugs wherever tag_text is compared."""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import tagging
from digest.taxonomy import load_taxonomy, parse_taxonomy
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
LABELLED = ROOT / "tests" / "fixtures" / "labelled" / "episodes.yml"
TAXONOMY = load_taxonomy(ROOT / "content" / "topics.yml")

HARD = [
    "",
    "Heroku",
    "This episode is brought to you by Heroku. Before joining Heroku, Ada was at AWS.",
    "sponsored by x.sponsored by y; formerly of Salesforce (previously Heroku) ex-Googler",
    "Until 2021 she worked at Fly.io, a veteran of Heroku.Thanks to our sponsors! use code X",
    "brought to you by Heroku (12:30)Brought to you by Render\n\nsponsored by Fly.io",
    "We compare Render, Fly.io, Railway, and Heroku, or Vercel — such as Netlify; like AWS.",
    "Heroku https://heroku.com www.fly.io WWW.Render.com https://a.b http://c.d Heroku",
    "moved from HerokuTo Fly.ioThen KubernetesÉtait PostgresÜber İstanbul Heroku ǅemal",
    "“Heroku” ’Before joining Heroku’ «formerly Heroku» ex-\nHeroku\u00a0Postgres\u2009Heroku",
    # context strings as the automaton reads them: "_" and "'" are spaces there
    "Heroku.Before joining Heroku; x_formerly Heroku; this episode's sponsor is Heroku; "
    "a short  note on Heroku; try it today: Heroku. Heroku Heroku_previously Heroku",
]


def _texts() -> list[str]:
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    labelled = [ep.get("text", "") for ep in data["episodes"]]
    titles = [ep.get("title") or "" for ep in data["episodes"]]
    return HARD + lines + labelled + titles


def _same(title: str, body: str, taxonomy=TAXONOMY) -> None:
    """tag_text's matches and tag_slugs' slugs are the reference's."""
    reference = tagging._tag_text_reference(title, body, taxonomy)
    assert tagging.tag_text(title, body, taxonomy) == reference, (title, body[:300])
    assert tagging.tag_slugs(title, body, taxonomy) == sorted(m.slug for m in reference), (
        title,
        body[:300],
    )


def test_equals_reference_on_the_sample_labelled_set_and_hard_cases():
    texts = _texts()
    for title, body in zip(texts[1:] + texts[:1], texts, strict=True):
        _same(title[:120], body)
        _same("", body)


def test_equals_reference_on_synthesised_blurbs():
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise

    lines = [line for line in synthesise(150, 11).splitlines() if len(line) > 40]
    assert len(lines) > 100
    for line in lines:
        _same(line[:90], line)


_PIECES = [
    "Heroku", "heroku", "Fly.io", "Render", "Kubernetes", "AWS", "Postgres", "Rails", "AI",
    "platform engineering", "developer experience", "CI/CD", "Docker", "serverless",
    ", ", ", and ", " or ", " & ", " like ", " such as ", "; ", " (", ") ", " — ", " including ",
    ". ", "! ", "? ", "\n", "\n\n", " (12:34) ", "(1:02:03)", " ", "  ", "x", "X", "é", "İ",
    "brought to you by", "sponsored by", "formerly", "previously", "before joining",
    "ex-", "until 2020", "worked at", "our sponsors", "thanks to our sponsor", "also in the news",
    "https://heroku.com/x", "www.fly.io", "http://a.b/c?d", "a short item on", "try it today",
]  # fmt: skip

_text = st.lists(
    st.one_of(st.sampled_from(_PIECES), st.sampled_from(_PIECES), st.text(max_size=3)),
    max_size=80,
).map("".join)


@settings(max_examples=examples(400), deadline=None)
@given(_text, _text)
def test_equals_reference_on_random_text(title, body):
    _same(title, body)


# A taxonomy whose context patterns exercise the other paths: asides on, a context pattern
# that does not start at a word start (no after-gap search, so no prefilter), short lists.
OTHER = parse_taxonomy(
    """
topics:
  - {slug: heroku, name: Heroku, description: PaaS., match: {phrases: [Heroku]}}
  - {slug: render, name: Render, description: PaaS., match: {phrases: [Render]}}
  - {slug: aws, name: AWS, description: Cloud., match: {acronyms: [AWS]}}
tagging:
  list_item_words: 2
  list_min_items: 2
  aside_before: ['\\b(?:like|such as)\\s+$']
  aside_sentences: ['^also\\b']
  aside_factor: 0.5
  ignore_sentences: ['sponsor']
  former_employer: ['\\bformerly\\b']
  employer_topics: [heroku]
  lone_min_share: 0.2
"""
)


@settings(max_examples=examples(300), deadline=None)
@given(_text, _text)
def test_equals_reference_with_other_rules(title, body):
    assert OTHER.context_after_gap is None
    assert tagging._scanner(OTHER).context_prefilter is None
    _same(title, body, OTHER)


# -- the shortcuts, one by one ---------------------------------------------------------------


def _context_sentences_hold_every_match(text: str, taxonomy=TAXONOMY) -> None:
    low = tagging._lower(text)
    starts = tagging._sentence_starts(text)
    assert tagging._scanner(taxonomy).context_prefilter is not None
    kept = tagging._context_sentences(tagging._context_places(taxonomy, low), starts)
    for idx, start in enumerate(starts):
        end = starts[idx + 1] if idx + 1 < len(starts) else len(low)
        if tagging._contexts_reference(taxonomy, low, start, end):
            assert idx in kept, (low[start:end][:200], idx)


def test_context_prefilter_keeps_every_sentence_with_a_context_match():
    for text in _texts():
        _context_sentences_hold_every_match(text)


@settings(max_examples=examples(1000), deadline=None)
@given(_text)
def test_context_prefilter_keeps_every_sentence_with_a_context_match_on_random_text(text):
    _context_sentences_hold_every_match(text)


def test_context_prefilter_is_selective():
    # A prefilter that keeps every sentence would pass the tests above and save nothing.
    text = "We deploy on Heroku. It scales. Sponsored by Render. Ada formerly ran AWS. Bye."
    starts = tagging._sentence_starts(text)
    places = tagging._context_places(TAXONOMY, tagging._lower(text))
    assert tagging._context_sentences(places, starts) == {2, 3}


def test_no_prefilter_when_it_cannot_be_told():
    case_folded = parse_taxonomy(
        "topics:\n  - {slug: a, name: A, description: A.}\n"
        "tagging:\n  ignore_sentences: ['\\b(?i:Sponsor)']\n"
    )
    assert tagging._scanner(case_folded).context_prefilter is None
    free = parse_taxonomy(
        "topics:\n  - {slug: a, name: A, description: A.}\n"
        "tagging:\n  ignore_sentences: ['\\b\\w+ sponsor']\n"
    )
    assert tagging._scanner(free).context_prefilter is None


def _turns_reference(text: str, stop: int) -> list[int]:
    return [
        m.end()
        for m in tagging._CASE_TURN_RE.finditer(text, 0, stop)
        if text[m.start()].islower() and text[m.end()].isupper()
    ]


@pytest.mark.parametrize("index", range(0, 60))
def test_case_turns_equal_reference_on_fixtures(index):
    text = _texts()[index]
    for stop in (len(text), min(len(text), tagging._GLUE_CHARS), len(text) // 2):
        assert sorted(set(tagging._case_turns(text, stop))) == _turns_reference(text, stop)


@settings(max_examples=examples(1500), deadline=None)
@given(
    st.lists(
        st.sampled_from(["a", "A", "z", "Z", "é", "É", "ǅ", "ß", "İ", "?", " ", "1", "Σ", "ſ"]),
        max_size=30,
    ).map("".join),
    st.integers(0, 40),
)
def test_case_turns_equal_reference_on_random_text(text, stop):
    stop = min(stop, len(text))
    assert sorted(set(tagging._case_turns(text, stop))) == _turns_reference(text, stop)


def _mask_reference(text: str) -> tuple[str, list[int], int]:
    spans = [m.span() for m in tagging._URL_RE.finditer(text)]
    masked = "".join(" " if any(a <= i < b for a, b in spans) else ch for i, ch in enumerate(text))
    return masked, [a for a, _ in spans], sum(b - a for a, b in spans)


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(
        st.sampled_from(["http", "HTTPS", "://", "www", "WwW", "w", "W", ".", "x", " ", "/"]),
        max_size=20,
    ).map("".join)
)
def test_url_masking_equals_reference(text):
    assert tagging._mask_urls(text) == _mask_reference(text)


# -- scores bounded before enumerations are tested ------------------------------------------

# tag_text tests enumerations only for topics whose score could reach their threshold, and
# computes the other scores only when the share rule cannot be decided from bounds: rules
# that make every branch of that run (factors above 1, a large share, a negative factor).
_RULE_VARIANTS = [
    {"list_factor": 1.5},
    {"list_factor": 0.0, "lone_min_share": 0.5},
    {"lone_min_share": 0.3, "threshold": 0.5, "list_min_items": 2, "list_item_words": 4},
    {"lone_min_share": 0.9, "body_min_hits": 1, "body_min_hits_short": 1},
    {"bio_factor": -0.5, "lone_min_share": 0.2},
    {"list_item_words": 0},
]
_VARIANTS = [
    dataclasses.replace(TAXONOMY, rules=dataclasses.replace(TAXONOMY.rules, **changes))
    for changes in _RULE_VARIANTS
]


@pytest.mark.parametrize("variant", range(len(_VARIANTS)))
def test_equals_reference_with_other_weights_on_fixtures(variant):
    taxonomy = _VARIANTS[variant]
    texts = _texts()
    for title, body in zip(texts[1:] + texts[:1], texts, strict=True):
        _same(title[:120], body, taxonomy)


@settings(max_examples=examples(200), deadline=None)
@given(st.sampled_from(range(len(_VARIANTS))), _text, _text)
def test_equals_reference_with_other_weights_on_random_text(variant, title, body):
    _same(title, body, _VARIANTS[variant])


def test_the_share_rule_is_decided_exactly_when_bounds_do_not_tell():
    # A lone mention in an enumeration next to topics whose enumeration items the bounds
    # cannot settle: the exact total is needed (and must be the reference's).
    taxonomy = _VARIANTS[1]
    body = (
        "We compare Render, Fly.io, Railway, and Heroku for small teams. "
        "Kubernetes, Docker, and Postgres come up, and Rails, Django, and Laravel too. "
        "The show is about Kubernetes."
    )
    _same("", body, taxonomy)
    _same("Render", body, taxonomy)
