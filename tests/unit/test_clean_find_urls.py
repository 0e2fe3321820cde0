"""clean._find_urls (starts by the scheme's last letter, trim_url's two steps run only when
they may change something, ")" cut by rstrip when the URL has no "(") gives what the URL
regex scanned over the whole text and trim_url give."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings

from digest.ingest import clean
from tests.conftest import examples, glued

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "blurbs" / "heroku-directory-sample.txt"

_URLISH = [
    "https://x.com/aB?c=De", "http://a.b", "HTTP://A.B/", "Http://x.io", "hTtPs://y.dev)",
    "HTTPS://Z.IO", "httpS://q.r", "ttps://no", "s://", "://", "www.", "www.GitHub.com/Foo",
    "wwww.x.com", "@www.z.com", "(https://w.org/wiki/A_(b))", "https://t.co/a.", "(", ")",
    "))", ").", ".)", "…", "*", ",", ";", "!", "?", ":", " ", "\n", "’s", "'s", "Adam's",
    " Label:", " site: ", "Bluesky", "FooBar", "https://bsky.app/profile/a.bsky.social",
    "#x", "?y=1", "h", "s", "S", "w", "[", "]", "/FooBar", "/Foo", "9Bar", "https://x.com/aa",
]  # fmt: skip
_texts = glued(_URLISH, 30)


_by_full_scan = clean.find_urls_reference


def _trim_by_loop(url: str, following: str) -> str:
    """trim_url as first written, one character at a time."""
    while url:
        if url[-1] in ".,;:!?*…" or (url[-1] == ")" and url.count(")") > url.count("(")):
            url = url[:-1]
        else:
            break
    if following[:1] in ("'", "’", ":") or (following[:1] == " " and ":" in following[:12]):
        m = None if ("?" in url or "#" in url) else clean._GLUED_TAIL.search(url)
        if m and clean._GLUED_FOLLOWER.match(following) and len(url) - len(m.group(0)) > 10:
            url = url[: -len(m.group(0))]
    return url


@pytest.fixture(params=[4096, 0], name="by_char_min")
def _by_char_min(request: pytest.FixtureRequest) -> Iterator[None]:
    """Both ways of finding "://": by itself (short texts) and by its "/" (long ones)."""
    saved = clean._URL_BY_CHAR_MIN
    clean._URL_BY_CHAR_MIN = request.param
    yield
    clean._URL_BY_CHAR_MIN = saved


@pytest.mark.parametrize("by_char_min", [4096, 0])
@settings(max_examples=examples(1500), deadline=None)
@given(text=_texts)
def test_find_urls_is_the_full_scan(by_char_min: int, text: str) -> None:
    saved = clean._URL_BY_CHAR_MIN
    clean._URL_BY_CHAR_MIN = by_char_min
    try:
        assert clean._find_urls(text) == _by_full_scan(text)
        assert [m.span() for m in clean._url_matches(text)] == [
            m.span() for m in clean._URL.finditer(text)
        ]
    finally:
        clean._URL_BY_CHAR_MIN = saved


@settings(max_examples=examples(1000), deadline=None)
@given(_texts, _texts)
def test_trim_url_is_the_loop(url: str, following: str) -> None:
    assert clean.trim_url(url, following) == _trim_by_loop(url, following)


def test_glued_tails_from_the_start_of_the_last_letters() -> None:
    for url in (
        "https://x.com/aa/FooBar",
        "https://x.com/a9FooBar",
        "https://x.com/aaFooBar",
        "https://x.com/a?q=FooBar",
        "https://x.com/a#FooBar",
    ):
        for following in ("'s site", "’s", ": x", " site: x", " Site: x"):
            assert clean.trim_url(url, following) == _trim_by_loop(url, following)
    assert clean.trim_url("https://x.com/aa/FooBar", "'s") == "https://x.com/aa/"


def test_find_urls_examples(by_char_min: None) -> None:
    for text in (
        "Site (https://a.com/x). More (https://w.org/wiki/A_(b)), HTTPS://B.IO/y...",
        "see https://c.com/zAdam's Bluesky and https://d.com/q/Foo Bar: and www.e.org/p),",
        "https://bsky.app/profile/azimman.bsky.socialAdam's Mastodon: x" * 3,
    ):
        assert clean._find_urls(text) == _by_full_scan(text)
        assert clean._find_urls(text)


def test_find_urls_on_the_sample(by_char_min: None) -> None:
    found = 0
    for line in SAMPLE.read_text(encoding="utf-8").split("\n"):
        urls = clean._find_urls(line)
        assert urls == _by_full_scan(line)
        found += len(urls)
    assert found > 100
