"""The tagger's fast mention finder (tagging._find_mentions) finds exactly what the reference
finder (tagging._find_mentions_reference: one regex per present key over the whole text, the
start-inside-a-word test in Python) finds: on the labelled set, the sample dump, hand-written
hard cases and random text built from the taxonomy's own words. And tag_text gives the same
topics, scores and evidence with either finder."""

from __future__ import annotations

import bisect
import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import tagging
from digest.taxonomy import load_taxonomy, parse_taxonomy
from tests.conftest import examples, glued

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
    "Guard rails on Rails, rails of steel; Fly on the wall, fly.io Fly to Fly.io; a container "
    "ship of containers; lambda calculus and AWS Lambda; Phoenix, Arizona and Elixir Phoenix; "
    "JavaScript and Java; owned by Salesforce, Salesforce's acquisition of Heroku",
    "José Valim, josé valim JOSÉ Elixir; xjosé José's Josévalim",
    "Heroku\u0301 Heroku\u200b Heroku\ufe0f herokü Kubernetes\u00ad K8s\u2019s",
    "",
    "Heroku",
    " heroku ",
    # gaps of two characters or more: the automaton's places for them end in two spaces
    "Twelve - Factor app, 12 -- factor, on -\ncall at  scale, new\r\nrelic, re: Invent",
    "heroku . postgres Helm  charts open -source open - source dependencies platform- team",
    # a key that is a screen word only where it is not matched ("—" and "、" join it there)
    "—Heroku Postgres and 、Kubernetes but Heroku、 kubernetes—",
    "—Heroku、",
    "on call, on. call, on-call, at scale, atscale, one on ones, Express.js express",
]


def _texts() -> list[str]:
    lines = [line for line in SAMPLE.read_text(encoding="utf-8").splitlines() if line.strip()]
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    labelled = [ep.get("text", "") for ep in data["episodes"]] + [
        ep.get("title") or "" for ep in data["episodes"]
    ]
    return HARD_CASES + lines + labelled


def _find_both_ways(text: str, taxonomy=TAXONOMY) -> list[dict]:
    """The fast finder's answer (one path: the automaton's places, the reference scan for
    the keys it does not serve)."""
    return [tagging._find_mentions(text, taxonomy)]


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

    def reference(text, taxonomy, lowered=None, places=None, joins=None):
        if places is not None or joins is not None:  # (they come with the fast finder's scan)
            fast(text, taxonomy, lowered, places, joins)
        return tagging._find_mentions_reference(text, taxonomy, lowered)

    tagging._find_mentions = reference
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
      regex: ['\\bgo ?1\\.\\d+', 'on[e ]']
    exclude: ['go go', 'x\\w']
"""
)


@pytest.mark.parametrize(
    "text",
    ["xone on one on one", "one on one", "xdata data data", "xgo go go go go", "xAA AA"],
)
def test_self_overlapping_phrases_keep_the_reference_scan(text):
    _same(text, SELF_OVERLAPPING)


_SELF_PIECES = ["one", "on", "data", "go", "golang", "AA", "x", " ", "-", ".", "1.2", "1"]


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_SELF_PIECES), max_size=30).map("".join))
def test_self_overlapping_phrases_equal_reference_on_random_text(text):
    _same(text, SELF_OVERLAPPING)


# -- sentence contexts and enumerations ----------------------------------------------------------

_CONTEXT_TEXTS = [
    "This episode is brought to you by Heroku. Before joining Heroku, Ada was at AWS.",
    "sponsored by x.sponsored by y; formerly of Salesforce (previously Heroku) ex-Googler",
    "Until 2021 she worked at Fly.io, a veteran of Heroku.Thanks to our sponsors! use code X",
    "xbrought to you by _sponsored by 9formerly é-previously “previously” «former» former",
    "",
    "brought",
]


def _context_cases(taxonomy) -> list[tuple[str, int, int]]:
    cases = []
    for text in _CONTEXT_TEXTS + _texts()[:40]:
        low = tagging._lower(text)
        starts = tagging._sentence_starts(text)
        for i, start in enumerate(starts):
            end = starts[i + 1] if i + 1 < len(starts) else len(text)
            cases += [(low, start, end), (low, start, len(low)), (low, min(start + 1, end), end)]
    return cases


def test_contexts_equal_reference():
    assert TAXONOMY.context_after_gap is not None  # the fast path is the one in use
    for low, start, end in _context_cases(TAXONOMY):
        assert tagging._contexts(TAXONOMY, low, start, end) == tagging._contexts_reference(
            TAXONOMY, low, start, end
        ), (low[start:end][:200], start, end)


_CONTEXT_PIECES = [
    "brought to you by", "sponsored by", "formerly", "previously", "before joining", "ex-",
    "until 2020", "worked at", "our sponsors", "x", "_", "é", " ", ". ", "\n", "“", "-",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(
    glued(_CONTEXT_PIECES, 25, noise=2),
    st.integers(0, 5),
    st.integers(0, 5),
)
def test_contexts_equal_reference_on_random_text(text, cut_start, cut_end):
    low = tagging._lower(text)
    start, end = min(cut_start, len(low)), max(0, len(low) - cut_end)
    assert tagging._contexts(TAXONOMY, low, start, end) == tagging._contexts_reference(
        TAXONOMY, low, start, end
    )


def test_context_fast_path_only_when_every_pattern_starts_a_word():
    mid_word = parse_taxonomy(
        "topics:\n  - {slug: a, name: A, description: A.}\n"
        "tagging:\n  ignore_sentences: ['sponsor', '\\bbrought to']\n"
    )
    assert mid_word.context_after_gap is None
    for text in ("xsponsored by", "brought to you", "unsponsored"):
        low = tagging._lower(text)
        assert tagging._contexts(mid_word, low, 0, len(low)) == ["ignore"]


@settings(max_examples=examples(2000), deadline=None)
@given(
    st.lists(st.sampled_from(["a", "b c", "d e f g", " ", "", ",", "and"]), max_size=12).map(
        "".join
    ),
    st.lists(st.integers(0, 40), max_size=10),
    st.integers(0, 40),
    st.integers(1, 4),
    st.integers(1, 4),
)
def test_enumeration_equals_reference(text, cuts, start, item_words, min_items):
    bounds = sorted([*cuts, 0, len(text)])[: 2 * (len(cuts) // 2 + 1)]
    if len(bounds) % 2:
        bounds = bounds[:-1]
    args = (text, bounds, start, item_words, min_items)
    assert tagging._in_enumeration(*args) == tagging._in_enumeration_reference(*args)


@pytest.mark.parametrize(
    ("text", "bounds", "start", "expected"),
    [
        ("a, , b, c", [0, 1, 2, 3, 5, 6, 8, 9], 0, True),  # the empty piece is skipped
        ("a, , b, c", [0, 1, 2, 3, 5, 6, 8, 9], 8, True),
        ("a, x y z, b, c", [0, 1, 2, 8, 10, 11, 13, 14], 0, False),  # a long piece breaks
        ("a, x y z, b, c", [0, 1, 2, 8, 10, 11, 13, 14], 13, False),
        ("a, b, c", [0, 1, 3, 4, 6, 7], 2, False),  # on a separator
        ("a, , b, c", [0, 1, 2, 3, 5, 6, 8, 9], 2, False),  # in the empty piece
    ],
)
def test_enumeration_examples(text, bounds, start, expected):
    for check in (tagging._in_enumeration, tagging._in_enumeration_reference):
        assert check(text, bounds, start, 1, 3) is expected


def test_exclusions_at_the_edges_of_their_window():
    # An exclusion is looked for within 120 characters of a mention: place one just inside
    # and just outside that window, before and after.
    for gap in range(110, 130):
        for text in (
            "guard rails" + " " * gap + "Rails",
            "Rails" + " " * gap + "guard rails",
            "lambda calculus" + "." * gap + " AWS Lambda",
            "Fly on" + "-" * gap + "Fly.io",
        ):
            _same(text)


_EXCLUSION_PIECES = [
    "rail", "rails", "Rails", " of", " to keep", "guard", "guard ", "Guard", "Fly", "fly", " on",
    " in", " into", " fishing", "Fly.io", "container", " ship", " store", "lambda", " calculus",
    "Phoenix", ",", " Arizona", " AZ", "JavaScript", "Java", "owned", "acquired", " by ",
    "Salesforce", "'s", " acquisition", "Heroku", " ", "x", "é", "\n", ".", "-",
]  # fmt: skip
_OTHER_EXCLUSIONS = [
    r"(?:a|b)?c(?:de)?f",
    r"ab\bc?",
    r"x(?=y)z?",
    r"ab+c",
    r"(?-i:Ab)c",
]


def _exclusion_patterns() -> list[re.Pattern[str]]:
    patterns = [m.exclusions for m in TAXONOMY.matchers if m.exclusions is not None]
    return patterns + [re.compile(p, re.IGNORECASE) for p in _OTHER_EXCLUSIONS]


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_EXCLUSION_PIECES + list("abcdefxyz")), max_size=30).map("".join))
def test_exclusion_needles_hold_every_match(text):
    # the needles of an exclusion: each of its matches holds one (lower-cased), so a window
    # without one holds no match; whole matches when the pattern has few (_match_strings)
    low = tagging._lower(text)
    for pattern in _exclusion_patterns():
        needles = tagging._needles_of(pattern)
        if needles is None:
            continue
        for m in pattern.finditer(text):
            assert any(n in low[m.start() : m.end()] for n in needles), (pattern, m)


def test_exclusion_needles_are_whole_matches_when_few():
    needles = {m.slug: tagging._needles_of(m.exclusions) for m in TAXONOMY.matchers if m.exclusions}
    assert "rail of" in needles["rails-deploys"]
    assert "phoenix, az" in needles["elixir"]
    parsed = re.compile(r"rails? (?:of|to keep)|guard ?rails", re.IGNORECASE)
    assert tagging._needles_of(parsed) == (
        "guard rails", "guardrails", "rail of", "rail to keep", "rails of", "rails to keep",
    )  # fmt: skip
    assert tagging._needles_of(re.compile("ab+c")) is None
    for text in ("Rail of Heroku on Rails", "Rails to keep Rails", "guardrails Rails"):
        _same(text)


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_EXCLUSION_PIECES), max_size=40).map("".join))
def test_exclusions_equal_reference_on_random_text(text):
    _same(text)


@pytest.mark.parametrize("count", range(1, 9))
def test_exclusions_with_many_mentions(count):
    # a topic mentioned more than a few times is looked for in the whole text first
    for excluded, mention in (
        ("Fly on", "Fly.io"),
        ("guard rails", "Rails"),
        ("Phoenix, AZ", "Phoenix"),
        ("container ship", "containers"),
        ("acquired by Salesforce", "Salesforce"),
        ("lambda calculus", "AWS Lambda"),
    ):
        mentions = ", ".join([mention] * count)
        for text in (f"{excluded} {mentions}", f"{mentions} {excluded}", mentions):
            _same(text)


def test_exclusions_with_characters_re_folds_specially():
    # re's IGNORECASE matches "ı" to "i" and "ſ" to "s": "raıls" is "rails" to it.
    for text in ("AWS Lambda calculuſ", "AWS Lambda calculus", "AWS Lambda ΣΑΣ calculus"):
        _same(text)


def _join_places(text: str) -> list[int]:
    """The conjunctions' places tag_text gets from _find_mentions' scan."""
    joins: list[int] = []
    tagging._find_mentions(text, TAXONOMY, tagging._lower(text), [], joins)
    return joins


def _listed_both(text: str, rules, positions) -> None:
    """_listed, with the conjunctions' places from the scan and with the regex, equals
    _listed_reference."""
    starts = tagging._sentence_starts(text)
    joins = _join_places(text)
    fast, fast_re, slow = {}, {}, {}
    for start in positions:
        end = min(len(text), start + 6)
        idx = max(0, bisect.bisect_right(starts, start) - 1)
        args = (text, starts)
        expected = tagging._listed_reference(*args, slow, rules, start, end, idx)
        where = (text[max(0, start - 130) : start + 130], start)
        assert tagging._listed(*args, fast, joins, rules, start, end, idx) == expected, where
        assert tagging._listed(*args, fast_re, None, rules, start, end, idx) == expected, where


def test_listed_equals_reference_on_fixtures():
    rules = TAXONOMY.rules
    assert rules.list_item_words  # the enumeration rule is on
    for text in _texts()[:80]:
        masked = tagging._mask_urls(text[: rules.max_chars])[0]
        _listed_both(masked, rules, range(0, len(masked), 7))


_LIST_PIECES = [
    "Heroku", "Fly.io", "Render", ", ", ", and ", " or ", " & ", " like ", " such as ", "; ",
    " (", ") ", " — ", "–", " including ", "a b c d", " ", ". ", "\n", "x",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(st.sampled_from(_LIST_PIECES), max_size=60).map("".join),
    st.integers(1, 4),
    st.integers(1, 5),
)
def test_listed_equals_reference_on_random_text(text, item_words, min_items):
    rules = dataclasses.replace(
        TAXONOMY.rules, list_item_words=item_words, list_min_items=min_items
    )
    _listed_both(text, rules, range(0, len(text), 3))


@settings(max_examples=examples(1000), deadline=None)
@given(st.lists(st.sampled_from(_LIST_PIECES), max_size=40).map("".join), st.integers(0, 9))
def test_item_separators_are_the_reference_pattern(text, start):
    reference = re.compile(tagging._ITEM_SEP_REFERENCE)
    assert [m.span() for m in tagging._ITEM_SEP_RE.finditer(text, start)] == [
        m.span() for m in reference.finditer(text, start)
    ]


def _separators_both(text: str) -> None:
    """_separators with the conjunctions' places from the scan finds what the regex finds, in
    every sentence and in slices that cut a conjunction's whitespace off."""
    joins = _join_places(text)
    assert joins == sorted(joins)
    starts = tagging._sentence_starts(text)
    bounds = [*zip(starts, [*starts[1:], len(text)], strict=True)]
    bounds += [(a, b) for a in range(0, len(text), 5) for b in (a + 1, a + 6, a + 12, len(text))]
    for start, end in bounds:
        end = min(end, len(text))
        assert tagging._separators(text, start, end, joins) == tagging._separators(
            text, start, end
        ), (text, start, end)


def test_separators_from_the_scan_on_fixtures():
    for text in _texts()[:80]:
        _separators_both(tagging._mask_urls(text[: TAXONOMY.rules.max_chars])[0])


_SEP_PIECES = [
    *_LIST_PIECES, "\t", "\u00a0", "\u2009", "And", "AND", "&", "&&", "and", "or", "such  as",
    "such-as", "like", "\u212aike", "İncluding", "ors", "x,", "é", "Heroku and Fly.io",
]  # fmt: skip


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(st.sampled_from(_SEP_PIECES), max_size=40).map("".join))
def test_separators_from_the_scan_on_random_text(text):
    _separators_both(text)


# -- URLs ----------------------------------------------------------------------------------------

_URL_PIECES = [
    "http", "HTTP", "hTtPs", "https", "://", ":/", "www.", "WWW.", "wWw.", "ww.", "w.", "W.",
    "wwww.", "x", "a.b", " ", "\n", ")", "]", ">", '"', "'", "é", "/", "?u=", "h", "t", "p", "s",
]  # fmt: skip


def _url_spans_reference(text: str) -> list[tuple[int, int]]:
    return [m.span() for m in tagging._URL_RE.finditer(text)]


def test_url_spans_equal_re_on_fixtures():
    for text in _texts():
        assert tagging._url_spans(text) == _url_spans_reference(text), text[:200]


@settings(max_examples=examples(2000), deadline=None)
@given(st.lists(st.sampled_from(_URL_PIECES), max_size=30).map("".join))
def test_url_spans_equal_re_on_random_text(text):
    assert tagging._url_spans(text) == _url_spans_reference(text)
