"""classify.py: UI cruft, show lines and blurbs."""

import pytest

from digest.ingest.classify import LineKind, classify
from digest.shows import parse_shows

SHOWS = parse_shows(
    {
        "shows": [
            {
                "name": "The Twenty Minute VC",
                "slug": "20vc",
                "aliases": ["The Twenty Minute VC: Venture Capital | Startup Funding | The Pitch"],
            }
        ]
    }
)


@pytest.mark.parametrize("line", ["POPULARITY", "Categories", "Load more", "", "45 min"])
def test_cruft(line: str) -> None:
    assert classify(line, SHOWS).kind is LineKind.CRUFT


def test_known_show_line_names_the_show() -> None:
    c = classify("The Twenty Minute VC: Venture Capital | Startup Funding | The Pitch", SHOWS)
    assert c.kind is LineKind.SHOW_HEADER and c.show and c.show.slug == "20vc"


def test_unknown_show_line_is_a_header_without_a_show() -> None:
    c = classify("Dev Platform Radio", SHOWS)
    assert c.kind is LineKind.SHOW_HEADER and c.show is None and "shows.yml" in c.reason


def test_blurbs_even_short_ones() -> None:
    line = "Hi, Spring fans! Today I'm joined by Terence Lee, from Heroku, to talk buildpacks."
    assert classify(line, SHOWS).kind is LineKind.BLURB
