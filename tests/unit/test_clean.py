"""clean.py: HTML, mojibake, run-together sentences, URL scrubbing."""

import pytest

from digest.ingest.clean import find_urls, fix_mojibake, restore_breaks, scrub_url, strip_html

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.abc123def456"


def test_html_leftovers_become_text_and_links_keep_their_target() -> None:
    text = 'Intro <img src="x.jpg" alt="c"/><p>See <a href="https://e.com/a">the talk</a></p>'
    out = strip_html(text)
    assert "<" not in out and "x.jpg" not in out
    assert "the talk (https://e.com/a)" in out


def test_entities_and_read_more_marks() -> None:
    assert strip_html("A &amp; B [&#8230;]") == "A & B…"
    assert strip_html("a < b and docker-compose") == "a < b and docker-compose"


def test_mojibake_is_repaired_and_correct_text_untouched() -> None:
    assert fix_mojibake("todayā€™s show") == "today’s show"
    for ok in ("José Valim", "Saša Jurić", "Hoje o papo é sobre engenharia – ção"):
        assert fix_mojibake(ok) == ok


@pytest.mark.parametrize(
    ("glued", "expected"),
    [
        ("How to Hire AI EngineersJames Brady, Head of", "Engineers\n\nJames Brady,"),
        ("incident cultureLawrence's article", "culture\n\nLawrence's"),
        ("Build applications with HerokuWhere to find", "Heroku\n\nWhere"),
        ("set for release next year.Show Highlights", "year.\n\nShow"),
        ("We discuss:How they think", "discuss: How"),
    ],
)
def test_run_together_sentences_are_split(glued: str, expected: str) -> None:
    assert expected in restore_breaks(glued)


@pytest.mark.parametrize(
    "text",
    [
        "McKinsey and JavaScript and GitHub and DevOps",
        "Heroku's re:Invent announcements",
        "JudoScale for Render. JudoScale originated",
        "see https://github.com/lalabuy948/PhoenixAnalytics now",
        "(0:26)Introduction to PLG",
    ],
)
def test_names_urls_and_chapter_marks_are_not_split(text: str) -> None:
    assert restore_breaks(text) == text


def test_tracking_and_secret_params_and_jwts_are_removed() -> None:
    url = f"https://x.com/a?utm_source=f&id=7&fbclid=Q&gclid=Z&mc_cid=1&sig=S&key=K&x={JWT}"
    assert scrub_url(url) == "https://x.com/a?id=7"
    assert scrub_url(f"https://s.com/p?access_token={JWT}") == "https://s.com/p"
    assert scrub_url("https://m.club/e?tag=workshop?utm_source=a&utm_medium=b") == (
        "https://m.club/e?tag=workshop"
    )
    assert scrub_url(f"https://h.com/t/{JWT}/view") == "https://h.com/t/view"
    assert scrub_url("https://user:pw@h.com/") == "https://h.com/"
    assert scrub_url("https://h.com/a?b=1#c") == "https://h.com/a?b=1#c"


def test_urls_are_trimmed_of_punctuation_and_glued_labels() -> None:
    text = "Site: https://a.com/x. More (https://b.com/y) and https://c.com/zAdam's Bluesky"
    assert [u for _, _, u in find_urls(text)] == [
        "https://a.com/x",
        "https://b.com/y",
        "https://c.com/z",
    ]


@pytest.mark.parametrize("scheme", ["Http", "hTTps", "HTTPS", "http"])
def test_a_url_in_any_case_of_its_scheme_is_found_and_its_secrets_scrubbed(scheme: str) -> None:
    # A "Http://" alone once made the URL search give up (its guard looked for "http" and
    # "HTTP" only): the token below was published as it was scraped.
    from digest.ingest.extract import extract

    url = f"{scheme}://example.com/ep?utm_source=x&token=abc123&access_token={JWT}"
    text = f"We deploy Rails apps on Heroku with our guest this week. Listen at {url} today."
    assert [u for _, _, u in find_urls(text)] == [url]
    episode = extract(text)
    assert "abc123" not in episode.body and JWT not in episode.body
    assert "utm_source" not in episode.body
    assert [link.url for link in episode.links] == [f"{scheme.lower()}://example.com/ep"]
