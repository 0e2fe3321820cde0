"""digest.scrub's fast pre-check (``may_hold_secret``) never changes what scrubbing returns.

The pre-check exists only to avoid scanning long text with the slow ``_MAY_HOLD_SECRET`` regex,
so the contract is: it gives exactly that regex's answer, and ``scrub_text``/``scrub_url`` return
what they returned before it (the reference copies below). Checked on every secret family
from tests/fixtures/xss/secrets.yaml, on hostile generated text (case twins such as the Kelvin
sign that re.IGNORECASE matches to "k"), and on the ASCII/Unicode folding the pre-check relies on.
"""

from __future__ import annotations

import re
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest import scrub
from tests.conftest import examples
from tests.fixtures.xss.xss_site import load_secrets

SECRETS = load_secrets()


def reference_scrub_text(text: str) -> str:
    """scrub_text as it was before the pre-check: gated by the one regex."""
    if not text or not scrub._MAY_HOLD_SECRET.search(text):
        return text
    for pattern in scrub.SECRET_PATTERNS.values():
        text = pattern.sub(scrub.REDACTED, text)
    return scrub._SECRET_PARAM.sub(lambda m: f"{m['lead']}{m['name']}=REDACTED", text)


def reference_scrub_url(url: str) -> str:
    """scrub_url as it was before the pre-check."""
    if not url or not scrub._MAY_HOLD_SECRET.search(url):
        return url
    for pattern in scrub.SECRET_PATTERNS.values():
        url = pattern.sub("", url)
    previous = None
    while previous != url:
        previous = url
        url = scrub._SECRET_PARAM.sub(lambda m: m["lead"] if m["lead"] != "&" else "", url)
    url = re.sub(r"\?&+", "?", url)
    url = re.sub(r"&{2,}", "&", url)
    return re.sub(r"[?&#]+$", "", url)


# Pieces that make up secrets and near-misses: literals of every family, parameter names with
# their leads, the non-ASCII letters re.IGNORECASE matches to ASCII ones, separators.
PIECES = st.sampled_from(
    [
        "eyJ", "hbGciOiJIUzI1NiJ9", ".", "AKIA", "AIza", "ASIA", "ANVA", "ghp_", "github_pat_",
        "xoxb-", "hooks.slack.com/services/", "sk_live_", "rk_test_", "-----BEGIN ",
        "PRIVATE KEY-----", "aws", "AWS", "_", "secret", "SECRET", "_access_key", "access",
        "key", "KEY", "\u212aey", "\u017fecret", "\u017fig", "\u0131d", "s\u0130g", "?", "&",
        "#", ";", "=", ":", " ", "\n", "token", "Token", "api-key", "x-amz-credential",
        "session", "sessionid", "passwd", "sig", "auth", "0123456789abcdefABCDEF", "é", "ß",
        "https://x.org/p", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ",
    ]
)  # fmt: skip
# Half of them padded in front past _SHORT, so both paths (regex alone for short strings,
# substring pre-checks for long ones) are exercised; the padding keeps the text's end intact.
TEXTS = st.tuples(st.lists(PIECES | st.text(max_size=4), max_size=30), st.booleans()).map(
    lambda drawn: " " * scrub._SHORT * drawn[1] + "".join(drawn[0])
)


@given(TEXTS)
@settings(max_examples=examples(3000), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_pre_check_gives_the_regex_answer(text: str) -> None:
    assert scrub.may_hold_secret(text) == (scrub._MAY_HOLD_SECRET.search(text) is not None)


@given(TEXTS)
@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_scrub_text_is_unchanged(text: str) -> None:
    assert scrub.scrub_text(text) == reference_scrub_text(text)


@given(TEXTS)
@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_scrub_url_is_unchanged(text: str) -> None:
    assert scrub.scrub_url(text) == reference_scrub_url(text)


@pytest.mark.parametrize("secret", SECRETS, ids=lambda s: s["id"])
def test_every_secret_family_passes_the_pre_check(secret: dict) -> None:
    text = secret["text"]
    assert scrub.may_hold_secret(text)
    assert scrub.scrub_text(text) == reference_scrub_text(text) != text


@pytest.mark.parametrize(
    "text",
    [
        "https://x.org/?\u212aey=abc", "https://x.org/?\u017fig=abc", "?S\u0130G=1",
        "?\u0131d_token=1",
        "AWS\u017fECRET_ACCESS_\u212aEY = " + "a" * 40, "AWSSECRETACCESSKEY: " + "b" * 40,
    ],
)  # fmt: skip
def test_ignorecase_twins_are_still_scrubbed(text: str) -> None:
    assert scrub.scrub_text(text) == reference_scrub_text(text) != text


def test_plain_prose_skips_the_substitutions() -> None:
    prose = "A talk about Heroku: deploys, Kubernetes and the developer experience. " * 500
    assert not scrub.may_hold_secret(prose)
    assert scrub.scrub_text(prose) is prose


def test_the_folding_table_covers_every_ignorecase_twin() -> None:
    """Every non-ASCII character re.IGNORECASE matches to an ASCII letter is folded to it."""
    everything = "".join(
        chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF
    )
    letters = set("".join(scrub.SECRET_PARAMS) + "awssecretaccesskey") - set("_-")
    for letter in sorted(letters):
        for twin in re.findall(f"(?i){letter}", everything):
            assert scrub.fold(twin) == letter, (letter, twin)
