"""shows.py: attribution by evidence only."""

from pathlib import Path

import pytest

from digest.shows import ShowsError, Strength, choose, load_shows, parse_shows

ROOT = Path(__file__).resolve().parents[2]
SHOWS = load_shows(ROOT / "content" / "shows.yml")


def _best(text: str) -> str | None:
    match, _ = choose(SHOWS.attribute(text), None)
    return match.show.name if match else None


@pytest.mark.parametrize(
    ("text", "show"),
    [
        (
            "…directors, The post X appeared first on Software Engineering Daily.",
            "Software Engineering Daily",
        ),
        ("Welcome to episode 257 of the Cloud Pod podcast – where…", "The Cloud Pod"),
        ("Or reach both of us at hosts@bikeshed.fm via email.", "The Bike Shed"),
        ("Learn more from The New Stack about Heroku", "The New Stack Makers"),
        ("Vem ver quem participou desse papo: André David", "Hipsters Ponto Tech"),
        ("A blurb about Heroku with no show named anywhere at all.", None),
    ],
)
def test_attribution_by_evidence(text: str, show: str | None) -> None:
    assert _best(text) == show


def test_header_beats_a_mention_but_not_strong_evidence() -> None:
    header = SHOWS.lookup("The Twenty Minute VC: Venture Capital | Startup Funding | The Pitch")
    assert header is not None
    match, _ = choose(SHOWS.attribute("Adam Gross talks PLG."), header)
    assert match and match.show is header and match.strength is Strength.HEADER
    strong = SHOWS.attribute("The post T appeared first on Software Engineering Daily.")
    match, _ = choose(strong, header)
    assert match and match.show.name == "Software Engineering Daily"


def test_equal_evidence_for_two_shows_means_no_show() -> None:
    registry = parse_shows(
        {"shows": [{"name": "Alpha Cast", "slug": "a"}, {"name": "Beta Cast", "slug": "b"}]}
    )
    match, warning = choose(
        registry.attribute("Welcome to Alpha Cast. Welcome to Beta Cast."), None
    )
    assert match is None and warning and "conflicting" in warning


def test_single_common_words_are_not_mentions() -> None:
    registry = parse_shows({"shows": [{"name": "Syntax", "slug": "syntax"}]})
    assert registry.attribute("Syntax highlighting matters.") == []


def test_bad_registry_is_reported_with_the_entry() -> None:
    with pytest.raises(ShowsError, match="slug"):
        parse_shows({"shows": [{"name": "A", "slug": "Bad Slug"}]})
    with pytest.raises(ShowsError, match="twice"):
        parse_shows({"shows": [{"name": "A", "slug": "a"}, {"name": "B", "slug": "a"}]})
