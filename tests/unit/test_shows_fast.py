"""Fast paths in shows.ShowRegistry.attribute give what the plain scans give."""

import sys
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.shows import load_shows, parse_shows
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
SHOWS = load_shows(ROOT / "content" / "shows.yml")
# short domains (no two characters before the first dot, or none after) take the plain scan;
# the others are looked for at the dots followed by what follows a domain's first dot
ODD = parse_shows(
    [
        {"name": "Xa Show", "slug": "xa", "homepage": "https://x.ai/"},
        {"name": "Local Show", "slug": "local", "homepage": "http://localhost/cast"},
        {"name": "Tiny Show", "slug": "tiny", "homepage": "https://ab.c/"},
        {"name": "Pod Show", "slug": "pod", "homepage": "https://www.pod.fm/show"},
        {"name": "Pod Other", "slug": "pod-other", "homepage": "https://pod.fm/other"},
        {"name": "Go Show", "slug": "go", "homepage": "https://go.dev/cast"},
        # a dot among the two characters after the first (the dot-led regex consumes it)
        {"name": "Dot Show", "slug": "dot", "homepage": "https://ab.c.de/"},
        {"name": "Dots Show", "slug": "dots", "homepage": "https://pod.f.m/"},
    ]
)


def _reference(registry, low: str) -> set[int]:
    """The plain scan: one ``in`` per domain."""
    return {i for i, (_, domain, _) in enumerate(registry._domains) if domain in low}


def _domain_words(registry) -> list[str]:
    return [d for _, d, _ in registry._domains]


_PIECES = [
    *_domain_words(SHOWS), *_domain_words(ODD), ".", "..", "/", " ", "www.", "https://",
    "ly.co", "fm", "x.", ".ai", "ab", "localhost", "pod.f", "m/show", "-", "@",
]  # fmt: skip


@settings(max_examples=examples(600), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_PIECES), st.text(max_size=3)), max_size=25))
def test_domains_present_is_the_plain_scan(parts: list[str]) -> None:
    low = "".join(parts).lower()
    for registry in (SHOWS, ODD):
        assert registry._domains_present(low) == _reference(registry, low), low


def test_domains_present_on_real_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    lines = SAMPLE.read_text(encoding="utf-8").splitlines() + synthesise_blurbs(300, 5)
    found = set()
    for line in lines:
        low = " ".join(line.split()).lower()
        present = SHOWS._domains_present(low)
        assert present == _reference(SHOWS, low)
        found |= present
    assert len(found) >= 5  # real domains were exercised


def test_domain_at_the_very_start_and_end() -> None:
    for registry in (SHOWS, ODD):
        for domain in _domain_words(registry):
            for low in (domain, f"{domain}.", f"see {domain}", f"{domain}/x and more"):
                assert registry._domains_present(low) == _reference(registry, low), low


def _without_mention_pre_check(registry):
    """The same registry with the mention pre-check off (every name searched)."""
    import copy

    plain = copy.copy(registry)
    plain._mention_any = plain._mention_trie = None
    return plain


def _verdicts(registry, text: str, opening: str) -> list[tuple[str, int, str, int]]:
    return [
        (m.show.slug, int(m.strength), m.evidence, m.support)
        for m in registry.attribute(text, opening)
    ]


_MENTIONS = [*SHOWS._mention_names, "Software", "Engineering", "Daily", " ", "x", "SaaStr's", "-"]


@settings(max_examples=examples(500), deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_MENTIONS), st.text(max_size=3)), max_size=12))
def test_mention_pre_check_changes_nothing(parts: list[str]) -> None:
    head = "".join(parts)
    plain = _without_mention_pre_check(SHOWS)
    assert _verdicts(SHOWS, head, head) == _verdicts(plain, head, head)


def test_mention_pre_check_on_real_blurbs() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    plain = _without_mention_pre_check(SHOWS)
    mentioned = 0
    for line in SAMPLE.read_text(encoding="utf-8").splitlines() + synthesise_blurbs(200, 6):
        verdict = _verdicts(SHOWS, line, line[:600])
        assert verdict == _verdicts(plain, line, line[:600])
        mentioned += any(strength == 1 for _, strength, _, _ in verdict)
    assert mentioned >= 3


def test_by_slug_is_the_first_show_with_the_slug() -> None:
    twice = parse_shows([{"name": "A", "slug": "a"}, {"name": "B", "slug": "b"}])
    twice = type(twice)([*twice.shows, type(twice.shows[0])(name="A2", slug="a")])
    for registry in (SHOWS, ODD, twice):
        for slug in [s.slug for s in registry.shows] + ["nope", "", None]:
            first = next((s for s in registry.shows if s.slug == slug), None) if slug else None
            assert registry.by_slug(slug) is first, slug
