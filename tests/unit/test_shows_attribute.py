"""ShowRegistry.attribute (the fast path) gives exactly what attribute_reference gives: the
same matches, strengths, evidence and support, on real blurbs and on generated text full of
phrases, names, domains, pattern literals, odd whitespace and the characters that make a
case-insensitive ASCII pattern match something other than ASCII (İ, ı, ſ, the Kelvin sign)."""

import re
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from digest import shows
from digest.shows import load_shows, parse_shows
from tests.conftest import examples, glued

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
SHOWS = load_shows(ROOT / "content" / "shows.yml")
# Patterns with i, k and s (strict runs), capitals, line anchors, spaces and a line break;
# a one-character name; names that start other names (mentions); a domain with capitals in
# its path and one with i, k, s (the regex, not str.find, decides when the text has ı or ſ).
ODD = parse_shows(
    [
        {"name": "X", "slug": "x"},
        {"name": "Go Time", "slug": "go-time", "aliases": ["Go Time Live", "GoTime"]},
        {"name": "Go Time Live Extra", "slug": "go-extra"},
        {
            "name": "Kiss Show",
            "slug": "kiss",
            "homepage": "https://www.kisskiss.io/Show/",
            "patterns": [
                r"^hi,? spring fans",
                r"kiss\s+me\s+kate",
                "Ask  SKI\nnow",
                r"\bsaastr \d+:",
            ],
        },
        {"name": "Disk Talk", "slug": "disk", "homepage": "https://disk.sik/talk"},
        {
            "name": "Plain Pod",
            "slug": "plain",
            "homepage": "http://pl.ai/",
            "patterns": [r"(?i)\d+"],
        },
        {"name": "Space Pod", "slug": "space", "patterns": ["  spaced  out ", r"\t"]},
        {"name": "Micro Sound", "slug": "micro", "homepage": "https://µsic.fm/"},
    ]
)
REGISTRIES = (SHOWS, ODD)


def _verdicts(matches) -> list[tuple[str, int, str, int]]:
    return [(m.show.slug, int(m.strength), m.evidence, m.support) for m in matches]


def _same(registry, text: str, opening: str | None) -> None:
    fast = _verdicts(registry.attribute(text, opening))
    assert fast == _verdicts(registry.attribute_reference(text, opening)), (text, opening)


def _words(registry) -> list[str]:
    out: list[str] = []
    for show in registry.shows:
        out += [*show.names, *(n.upper() for n in show.names), *(n.lower() for n in show.names)]
        if show.domain:
            out += [show.domain, show.domain.upper(), f"www.{show.domain}", f"x.{show.domain}"]
    return out


_PIECES = [
    *_words(SHOWS), *_words(ODD),
    "appeared first on ", "The post appeared first on", "Welcome to ", "welcome to episode 12 of ",
    "an episode of ", "listening to the ", "This is ", "back to ", "brought to you by ",
    " podcast", " Podcast.", " is a weekly podcast", " is a show", "the ",
    "Hi, Spring fans", "hi spring fans", "HI SPRİNG FANS", "hı spring fans", "SaaStr 732:",
    "ſaastr 1:", "KISS ME  KATE", "kiss\nme kate", "Ask  SKI\nnow", "ask ski now", "Kiss",
    "learn more from the new stack", "Learn More From The New Stack", "vem ver quem participou",
    "  spaced  out ", "spaced out", "\t", "7",
    " ", "  ", "\n", "\n\n", " \n ", "\xa0", "\u2028", "\x1c", "\r\n",
    "İ", "ı", "ſ", "\u212a", "\u0307", "é", "—", "'s", ".", "-", "_", "/", "@", ":",
]  # fmt: skip
_texts = glued(_PIECES, 30, noise=4)


@settings(max_examples=examples(700), deadline=None)
@given(_texts, st.one_of(st.none(), st.integers(0, 80)))
def test_attribute_is_the_reference(text: str, cut: int | None) -> None:
    for registry in REGISTRIES:
        _same(registry, text, None if cut is None else text[:cut])


@pytest.mark.parametrize(
    "text",
    [
        "This is X. Great",  # a one-character name
        "this is x",
        "This is Go Time. Later: welcome to Go Time Live",  # evidence from the longest name
        "dısk.ſik/talk and disk.sik/talk",  # the regex matches ı for i, ſ for s first
        "see ſaastr 1: and disk.sik/talk, x.dıſk.sik/talk",
        "μsic.fm then µsic.fm",  # Greek mu and the micro sign match each other
        "Go Time Live Extra and GoTime",  # mention names inside longer ones
        "Hi, Spring fans: \n\nhi spring fans",
        "x    spaced    out",
    ],
)
def test_attribute_fixtures(text: str) -> None:
    for registry in REGISTRIES:
        for opening in (None, text[:20], ""):
            _same(registry, text, opening)


def test_attribute_on_real_blurbs() -> None:
    """The sample and synthetic blurbs, alone and as ingest builds the evidence (notes, a line
    break, the trailer extract removed)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    lines = SAMPLE.read_text(encoding="utf-8").splitlines() + synthesise_blurbs(300, 11)
    strong = domain = 0
    for line in lines:
        for text in (line, f"{line}\n{line[-3000:]}\nThe post appeared first on Syntax."):
            for registry in REGISTRIES:
                _same(registry, text, text[:600])
            verdict = _verdicts(SHOWS.attribute(text, text[:600]))
            strong += any(s == 4 for _, s, _, _ in verdict)
            domain += any(s == 2 for _, s, _, _ in verdict)
    assert strong >= 50 and domain >= 10  # the real evidence was exercised


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.sampled_from([" ", "  ", "\n", "\t", "\xa0", "\u3000", "\x1f", "a", "Bé"])))
def test_flatten_is_split_join(parts: list[str]) -> None:
    text = "".join(parts)
    assert shows._flatten(text) == " ".join(text.split())


def test_flatten_long_runs() -> None:
    for n in range(1, 12):
        for text in (" " * n, f"a{' ' * n}b", f"\n{' ' * n}a\n\n", f"a \n{' ' * n}\n b "):
            assert shows._flatten(text) == " ".join(text.split()), repr(text)


def _non_ascii() -> str:
    return "".join(chr(u) for u in range(128, 0x110000) if not 0xD800 <= u < 0xE000)


def test_the_character_facts_the_fast_path_relies_on() -> None:
    everything = _non_ascii()
    # _flatten: every whitespace character but the space is unprintable
    assert not [
        c for c in everything + "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f" if c.isspace() and c.isprintable()
    ]
    # _FOLDS: what a case-insensitive ASCII character matches beyond ASCII
    assert set(re.findall("[\x00-\x7f]", everything, re.IGNORECASE)) == set(shows._FOLDS)
    # and what those become lower-cased: a letter the strict runs see, or a _DOTLESS_LONG_DOT
    for c in shows._FOLDS:
        low = c.lower()
        assert (low.isascii() and re.fullmatch(re.escape(low), c, re.IGNORECASE)) or any(
            d in low for d in shows._DOTLESS_LONG_DOT
        ), c
    # _domain_at: the regex's \w is str.isalnum() or "_"
    assert set(re.findall(r"\w", everything)) == {c for c in everything if c.isalnum()}


def test_domain_at_is_the_domain_regex() -> None:
    for domain in ("kisskiss.io/show", "pl.ai", "a.b"):
        regex = re.compile(r"(?<![\w.-])" + re.escape(domain), re.IGNORECASE)
        for low in (
            domain, f"x{domain} {domain}", f".{domain}", f"-{domain}-{domain}", f"_{domain}",
            f"é{domain}", f"—{domain}", f"{domain}{domain}", "", f"{domain[:-1]} {domain}",
        ):  # fmt: skip
            m = regex.search(low)
            assert shows._domain_at(low, domain) == (m.start() if m else -1), low


def test_literal_runs_every_match_contains() -> None:
    assert shows._literal_runs(r"^saastr \d+:", strict=False) == ("aa", "tr", ":")
    assert shows._literal_runs(r"^saastr \d+:", strict=True) == ("saastr", ":")
    assert shows._literal_runs("Ask  SKI\nnow", strict=True) == ("ask ski now",)
    assert shows._literal_runs("a|b", strict=True) == ()
