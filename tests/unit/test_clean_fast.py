"""clean.scrub_url returns a plain address as it is: what the split-clean-join path gives."""

from hypothesis import given, settings

from digest.ingest import clean
from tests.conftest import examples, glued

_PARTS = [
    "https://", "http://", "HTTPS://", "http:", "//", "/", "x.com", "www.x.org", ":8080", "a",
    "Z", "-", ".", "..", "%20", "%", ";", ",", "=", "&", "?", "#", "@", "user:pw@", "eyJ",
    "eyJhbGciOi.eyJzdWIi.sig", "[", "]", "::1", " ", "\t", "\n", "\x01", "é", "ｘ", "／", "~", "+",
]  # fmt: skip


@settings(max_examples=examples(1500), deadline=None)
@given(glued(_PARTS, 12))
def test_plain_addresses_come_back_as_the_full_path_gives_them(url: str) -> None:
    assert clean.scrub_url(url) == clean._scrub_url_parts(url)


def test_plain_addresses_examples() -> None:
    for url in (
        "https://x.com", "http://x.com/a/b/", "https://", "https:///path", "https://x.com:80/a;b",
        "https://x.com/a//b", "http://www.x.org/%7Euser", "https://ｘ.com/a", "https://x.com/@me",
        "https://x.com/p?utm_source=a", "https://x.com/p#access_token=b", "HTTPS://X.COM/a",
    ):  # fmt: skip
        assert clean.scrub_url(url) == clean._scrub_url_parts(url), url
