"""The tagger's fast mention finder (tagging._find_mentions) finds exactly what the reference
finder (tagging._find_mentions_reference: one regex per present key over the whole text, the
start-inside-a-word test in Python) finds: on the labelled set, the sample dump, hand-written
hard cases and random text built from the taxonomy's own words. And tag_text gives the same
topics, scores and evidence with either finder."""

from __future__ import annotations

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

HARD_CASES = [
    "Heroku, heroku's HEROKU: xheroku _heroku heroku_ 9heroku heroku9 .heroku a.heroku",
    "“Heroku” «Heroku» Heroku。 Heroku🚀 🚀Heroku Heroku\u00a0Postgres Heroku\u3000Postgres",
    "Heroku Postgres Heroku  Postgres heroku-postgres heroku/postgres heroku:postgres "
    "heroku.postgres heroku_postgres Heroku Postgreses Helm charts helm-chartes",
    "fly.io Fly.io's fly.ioX xfly.io fly.io.x Node.js node.jsx Next.js next.js. re:Invent",
    "Twelve-Factor twelve factor apps 12-factor 12factor Ruby on Rails ruby-on-rails",
    "AI ai said Ai AI's K8s k8s k8S AWS aws AWS Lambda aws lambdas",
    "engenharia de plataformaVem ver HerokuGitHub kubernetesKubernetes DockerCompose "
    "the Heroku platformIs here; moved to fly.ioThen Postgresé PostgresÉtait",
    "express.js Express Express.js expressjs one-click deploys one click, one-on-one oneone",
    "İstanbul Heroku İİİ Heroku Postgres — İ fly.io İ Kubernetes İ",
    "ǅemal Heroku ǅ ß Heroku ΣΑΣ Kubernetes ﬃ Docker",
    "Only glued to what is not a word: Kubernetes。 Docker🚀 «Terraform» “Rails” 🚀GitHub",
    "José Valim, josé valim JOSÉ Elixir; xjosé José's Josévalim",
    "Heroku\u0301 Heroku\u200b Heroku\ufe0f herokü Kubernetes\u00ad K8s\u2019s",
    "",
    "Heroku",
    " heroku ",
]


def _texts() -> list[str]:
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    labelled = [ep.get("text", "") for ep in data["episodes"]] + [
        ep.get("title") or "" for ep in data["episodes"]
    ]
    return HARD_CASES + lines + labelled


def _find_both_ways(text: str, taxonomy=TAXONOMY) -> list[dict]:
    """The fast finder's answer with its choice of path, then with every text taken by the
    word scan of long texts (_key_hits), then with none."""
    default = tagging._WORD_SCAN_MIN
    out = []
    try:
        for threshold in (default, 0, 10**9):
            tagging._WORD_SCAN_MIN = threshold
            out.append(tagging._find_mentions(text, taxonomy))
    finally:
        tagging._WORD_SCAN_MIN = default
    return out


def _same(text: str, taxonomy=TAXONOMY) -> None:
    masked = tagging._mask_urls(text[: taxonomy.rules.max_chars])[0]
    for t in (text, masked, text[:500]):
        reference = tagging._find_mentions_reference(t, taxonomy)
        for found in _find_both_ways(t, taxonomy):
            assert found == reference, t[:200]


@pytest.mark.parametrize("index", range(len(_texts())))
def test_fast_finder_equals_reference_on_fixtures(index):
    _same(_texts()[index])


def _tag_reference(title: str, body: str) -> list[tagging.TopicMatch]:
    fast = tagging._find_mentions
    tagging._find_mentions = tagging._find_mentions_reference
    try:
        return tagging.tag_text(title, body, TAXONOMY)
    finally:
        tagging._find_mentions = fast


def test_tag_text_equals_reference_on_the_sample_and_labelled_set():
    texts = _texts()
    for title, body in zip(texts[1:] + texts[:1], texts, strict=True):
        assert tagging.tag_text(title[:120], body, TAXONOMY) == _tag_reference(title[:120], body)


def _words() -> list[str]:
    words: set[str] = set()
    for rules in TAXONOMY.phrase_index.values():
        for rule in rules:
            words.update(rule.words)
            words.update(rule.exact or ())
    return sorted(words)


_PIECES = [
    " ", "  ", "-", "_", "/", ":", ".", ". ", ", ", "'s ", "s", "es", "x", "X", "é", "É", "9",
    "\n", "\u00a0", "“", "”", "。", "🚀", "İ", "ǅ", "ß", "(", ")", "#",
]  # fmt: skip
_WORDS = _words()
_word = st.sampled_from(_WORDS).flatmap(
    lambda w: st.sampled_from([w, w.upper(), w.title(), w.capitalize()])
)
_texts_strategy = st.lists(
    st.one_of(_word, _word, st.sampled_from(_PIECES), st.text(max_size=2)), max_size=60
).map("".join)


@settings(max_examples=examples(1500), deadline=None)
@given(_texts_strategy)
def test_fast_finder_equals_reference_on_random_text(text):
    _same(text)


@settings(max_examples=examples(300), deadline=None)
@given(_texts_strategy, _texts_strategy)
def test_tag_text_equals_reference_on_random_text(title, body):
    assert tagging.tag_text(title, body, TAXONOMY) == _tag_reference(title, body)


def test_dotted_i_does_not_shift_offsets():
    # "İ".lower() is two characters: offsets found in the lower-cased text used to drift
    # from the text they index, so a mention after an "İ" was read at the wrong place (here:
    # no mention of Heroku at all) and context patterns were tested on the wrong characters.
    body = "İİİ Heroku is where we deploy. We moved everything to Heroku."
    found = tagging._find_mentions(body, TAXONOMY)
    assert [(s, e, m) for s, e, _, m in found["heroku"]] == [(4, 10, "Heroku"), (54, 60, "Heroku")]
    assert tagging._lower("İstanbul") == "istanbul"
    assert len(tagging._lower("İİ ǅ ß Σ")) == len("İİ ǅ ß Σ")
    clean = tagging.tag_text("", body.replace("İ", "I"), TAXONOMY)
    assert [(m.slug, m.score) for m in tagging.tag_text("", body, TAXONOMY)] == [
        (m.slug, m.score) for m in clean
    ]


# Phrases whose own words repeat their start: a match rejected for starting inside a word
# ("xone on one …") covers the start of another one; the fast finder must not find it.
SELF_OVERLAPPING = parse_taxonomy(
    """
topics:
  - slug: one-on-ones
    name: One on ones
    description: Meetings.
    match:
      phrases: [one on one, data data, go go go]
      acronyms: [AA]
  - slug: go
    name: Go
    description: The language.
    match:
      phrases: [golang, go]
"""
)


@pytest.mark.parametrize(
    "text",
    ["xone on one on one", "one on one", "xdata data data", "xgo go go go go", "xAA AA"],
)
def test_self_overlapping_phrases_keep_the_reference_scan(text):
    _same(text, SELF_OVERLAPPING)


_SELF_PIECES = ["one", "on", "data", "go", "golang", "AA", "x", " ", "-", "."]


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_SELF_PIECES), max_size=30).map("".join))
def test_self_overlapping_phrases_equal_reference_on_random_text(text):
    _same(text, SELF_OVERLAPPING)
