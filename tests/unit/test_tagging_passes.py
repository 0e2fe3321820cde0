"""The eighth session's fast paths of the tagger give the answers of their references: sentence
contexts tried only at the places the phrase scan found (tagging._contexts_at against
tagging._contexts_reference), the unserved keys looked for as text, and tag_text's one pass
over a topic's mentions (asides included) against _tag_text_reference."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import tagging
from digest.taxonomy import load_taxonomy, parse_taxonomy
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
TAXONOMY = load_taxonomy(ROOT / "content" / "topics.yml")

_CONTEXT_TEXTS = [
    "This episode is brought to you by Heroku. Before joining Heroku, Ada was at AWS.",
    "sponsored by x.sponsored by y; formerly of Salesforce (previously Heroku) ex-Googler",
    "Until 2021 she worked at Fly.io, a veteran of Heroku.Thanks to our sponsors! use code X",
    "xbrought to you by _sponsored by 9formerly é-previously “previously” «former» former",
    "previously previously, formerly formerly; brought to you by brought to you by sponsors",
    "",
    "brought",
]


def _contexts_both(text: str, taxonomy=TAXONOMY) -> None:
    low = tagging._lower(text)
    places = sorted(tagging._context_places(taxonomy, low))
    starts = tagging._sentence_starts(text)
    bounds = [(a, b) for a, b in zip(starts, [*starts[1:], len(low)], strict=True)]
    bounds += [(0, len(low)), (min(1, len(low)), len(low)), (0, max(0, len(low) - 1))]
    for start, end in bounds:
        assert tagging._contexts_at(
            taxonomy, low, start, end, places
        ) == tagging._contexts_reference(taxonomy, low, start, end), (low[start:end][:200],)


def test_contexts_at_places_equal_reference():
    assert tagging._scanner(TAXONOMY).context_prefilter is not None  # the path in use
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for text in _CONTEXT_TEXTS + lines[:60]:
        _contexts_both(text)


_CONTEXT_PIECES = [
    "brought to you by", "sponsored by", "formerly", "previously", "before joining", "ex-",
    "until 2020", "worked at", "our sponsors", "spent five years", "x", "_", "é", " ", ". ",
    "\n", "“", "-", "Heroku",
]  # fmt: skip


@settings(max_examples=examples(1000), deadline=None)
@given(glued(_CONTEXT_PIECES, 25, noise=2))
def test_contexts_at_places_equal_reference_on_random_text(text):
    _contexts_both(text)


def test_contexts_at_places_finds_a_later_match_after_an_overlap():
    # "formerly" inside the match before is skipped; the next place is tried again.
    low = "brought to you by formerly previously at heroku"
    places = sorted(tagging._context_places(TAXONOMY, low))
    assert len(places) >= 2
    assert tagging._contexts_at(TAXONOMY, low, 0, len(low), places) == (
        tagging._contexts_reference(TAXONOMY, low, 0, len(low))
    )


def test_unserved_keys_are_found_as_text():
    scanner = tagging._scanner(TAXONOMY)
    assert scanner.keys_unserved  # "josé": not ASCII, so the word scan does not serve it
    for key, spelt in scanner.keys_unserved:
        assert spelt is None or spelt.encode("utf-8") == key
    for text in ("José Valim on Elixir", "josé valim", "JOSÉ", "jose valim", "xjosé", ""):
        assert tagging._find_mentions(text, TAXONOMY) == tagging._find_mentions_reference(
            text, TAXONOMY
        )


def test_unserved_key_that_is_not_whole_utf8_keeps_the_byte_search():
    # A screen key can hold a continuation byte without its lead (NBSP is C2 A0; C2 is a
    # screen space): such a key is looked for in the text's UTF-8.
    assert tagging._utf8(b"\xa0x") is None
    assert tagging._utf8("josé".encode()) == "josé"


def test_only_space_is_printable_whitespace():
    # (what a printable text's whitespace is: kept true for any Python the tagger runs on)
    space = re.compile(r"\s")
    assert all(
        not ch.isprintable()
        for ch in map(chr, range(0x110000))
        if ch != " " and space.match(ch) is not None
    )


# A taxonomy with asides on: tag_text then looks at a topic's lead mentions a second time.
_ASIDES = parse_taxonomy(
    (ROOT / "content" / "topics.yml").read_text(encoding="utf-8") + "  aside_factor: 0.5\n"
    "  aside_before: ['\\b(?:like|for most|such as)\\s+$']\n"
    "  aside_sentences: ['\\balso\\s*:']\n",
    "topics.yml",
)

_ASIDE_PIECES = [
    "Heroku", "fly.io", "Docker", "like ", "such as ", "for most ", "Also ", "also: ", ". ",
    ", ", " and ", "we moved ", "the app ", "x", "\n",
]  # fmt: skip


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(st.sampled_from(_ASIDE_PIECES), max_size=30).map("".join),
    st.lists(st.sampled_from(_ASIDE_PIECES), max_size=5).map("".join),
)
def test_asides_equal_reference_on_random_text(body, title):
    assert tagging.tag_text(title, body, _ASIDES) == tagging._tag_text_reference(
        title, body, _ASIDES
    )


def test_asides_discount_a_lone_lead_mention():
    body = "We compared platforms like Heroku for the talk. Then we wrote about Rust."
    fast = tagging.tag_text("", body, _ASIDES)
    assert fast == tagging._tag_text_reference("", body, _ASIDES)
    assert all("(aside)" in " ".join(m.evidence) for m in fast if m.slug == "heroku")


def _glued_both(text: str) -> None:
    scanner = tagging._scanner(TAXONOMY)
    low = tagging._lower(text)
    # every offset, not only the case turns: each is where a glued phrase could end
    turns = range(len(low) + 1)
    assert tagging._glued_keys(low, turns, scanner) == tagging._glued_keys_reference(
        low, turns, scanner
    ), text[:200]


def test_glued_keys_equal_reference():
    scanner = tagging._scanner(TAXONOMY)
    assert 1 in scanner.ending_sizes  # one-character endings ("a", "b") take their own look
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    for text in [*lines[:40], "aHeroku", "HerokuGitHub", "fly.ioThen", "k8sX", "aB", "a", ""]:
        _glued_both(text[:3000])


_GLUE_WORDS = sorted(tagging._scanner(TAXONOMY).endings)


@settings(max_examples=examples(1000), deadline=None)
@given(
    st.lists(
        st.one_of(st.sampled_from(_GLUE_WORDS), st.sampled_from(["X", " ", "é", "."])),
        max_size=20,
    ).map("".join)
)
def test_glued_keys_equal_reference_on_random_text(text):
    _glued_both(text)


@settings(max_examples=examples(500), deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 900), st.floats(0, 1), st.booleans(), st.booleans()),
        max_size=8,
    ),
    st.one_of(st.none(), st.lists(st.tuples(st.integers(0, 900), st.floats(0, 1)), max_size=8)),
    st.one_of(st.none(), st.floats(0, 2)),
    st.floats(1, 20),
)
def test_score_bounds_equal_scores_with_a_plain_answer(lead, body, title_score, units):
    # _score answers _never and _always without calling them: the same floats as a call.
    topic = tagging._Topic(
        "t",
        [],
        title_score,
        [(s, s + 5, 0, w, aside, opening, "x") for s, w, aside, opening in lead],
        None if body is None else [(s, s + 5, 0, w) for s, w in body],
        [],
        False,
        False,
        1.0,
    )
    rules = TAXONOMY.rules
    for fast, plain in ((tagging._never, lambda *_: False), (tagging._always, lambda *_: True)):
        assert tagging._score(topic, rules, units, fast) == tagging._score(
            topic, rules, units, plain
        )
