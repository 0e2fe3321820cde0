"""Last line of defence against publishing secrets: redact secret-shaped text and URL parameters.

Ingest already drops secret parameters from the URLs it finds (digest/ingest/clean.py), but the
reader sees every file Pelican publishes — including ones editors wrote or pasted by hand — so it
redacts again, on the way out. The real input that needed it: the Heroku sample dump carries a
Stratechery feed URL with an RS256 JWT in ``?access_token=``.

Pure functions; no Pelican import (the reader plugin uses it via digest.frontmatter). The
patterns are the families tests/build/test_secrets.py looks for in output/: add new ones to both.
"""

from __future__ import annotations

import re
from typing import Any

REDACTED = "[redacted]"

# Query/fragment parameters whose value is a credential. `key`, `sig` and `auth` alone are kept
# only when they are whole parameter names, so `?keyword=` or `?author=` survive.
SECRET_PARAMS = (
    "access_token", "refresh_token", "id_token", "token", "auth_token", "api_key", "apikey",
    "api-key", "key", "secret", "client_secret", "password", "passwd", "signature", "sig", "auth",
    "x-amz-signature", "x-amz-credential", "x-amz-security-token", "session", "sessionid",
)  # fmt: skip
_SECRET_PARAM = re.compile(
    r"(?P<lead>[?&#;])(?P<name>" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")"
    r"=(?P<value>[^&#\s\"'<>)\]]*)",
    re.IGNORECASE,
)
# Whole secrets, wherever they appear (prose, link labels, URLs).
SECRET_PATTERNS = {
    # header.payload.signature, each base64url; headers start with {" → "eyJ".
    "jwt": re.compile(r"\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}"),
    "aws_access_key": re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}\b"),
    "aws_secret_key": re.compile(
        r"(?i)aws_?secret_?access_?key\s*[:=]\s*['\"]?[A-Za-z0-9/+=]{40}['\"]?"
    ),
    "github_token": re.compile(
        r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})"
    ),
    "slack_token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "slack_webhook": re.compile(r"https://hooks\.slack\.com/services/[A-Za-z0-9/_-]+"),
    "google_api_key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "stripe_key": re.compile(r"\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}\b"),
    "private_key": re.compile(
        r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----.*?(?:-----END (?:[A-Z]+ )*PRIVATE KEY-----|\Z)",
        re.DOTALL,
    ),
}


# Every pattern above needs one of these literals: one search rules out the ten substitutions
# for the vast majority of texts (scrubbing every body was 7 % of a 1,000-episode build).
_MAY_HOLD_SECRET = re.compile(
    r"eyJ|AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|gh[pousr]_|github_pat_|xox[abposr]-"
    r"|hooks\.slack\.com|AIza|[rs]k_(?:live|test)_|-----BEGIN|(?i:aws_?secret)"
    r"|(?i:[?&#;](?:" + "|".join(re.escape(p) for p in SECRET_PARAMS) + r")=)"
)
# That one regex still scanned 30-65 kB transcripts at ~25 MB/s (its case-insensitive branches
# defeat the regex engine's fast literal scan): a third of the reader's scrubbing time.
# ``may_hold_secret`` gives exactly its answer, but runs it only when a necessary condition,
# checked with substring tests at memory speed, holds:
# - the case-sensitive branches need one of these literals or shapes;
_CASED_LITERALS = (
    "eyJ",
    "xox",
    "hooks.slack.com",
    "-----BEGIN",
    "github_pat_",
    "k_live_",
    "k_test_",
)
# (two patterns, each with a literal first character, scan far faster than one alternation)
_CASED_SHAPES = (re.compile(r"A(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA|Iza)"), re.compile(r"gh[pousr]_"))
# - the case-insensitive ones need "aws_?secret" or "<parameter>=" in the folded text.
# Every parameter name ends with one of these (``token`` covers ``access_token``…).
_PARAM_CORES = tuple(
    sorted(p for p in SECRET_PARAMS if not any(q != p and p.endswith(q) for q in SECRET_PARAMS))
)


_SHORT = 200


def fold(text: str) -> str:
    """Lower-case ``text`` so that every re.IGNORECASE match of an ASCII word is a substring.

    Under re.IGNORECASE four non-ASCII letters match ASCII ones: the Kelvin sign (lower() makes
    it "k"), "İ" (lower() makes it "i" + U+0307), dotless "ı" and long "ſ" (lower() keeps them).
    tests/unit/test_scrub.py checks this list over all of Unicode. Dropping every U+0307 can
    only add matches, and the regex confirms every match.
    """
    folded = text.lower()
    if text.isascii():
        return folded
    return folded.replace("\u0307", "").replace("\u0131", "i").replace("\u017f", "s")


def may_hold_secret(text: str) -> bool:
    """Exactly ``_MAY_HOLD_SECRET.search(text) is not None``, without the regex on most texts."""
    if len(text) < _SHORT:  # front-matter strings: the regex alone is quicker than the checks
        return _MAY_HOLD_SECRET.search(text) is not None
    if not (
        any(literal in text for literal in _CASED_LITERALS)
        or any(shape.search(text) for shape in _CASED_SHAPES)
    ):
        folded = fold(text)
        if not (
            "awssecret" in folded
            or "aws_secret" in folded
            or ("=" in text and any(f"{core}=" in folded for core in _PARAM_CORES))
        ):
            return False
    return _MAY_HOLD_SECRET.search(text) is not None


def scrub_text(text: str) -> str:
    """Replace secret-shaped substrings and secret URL parameters with ``[redacted]``."""
    if not text or not may_hold_secret(text):
        return text
    for pattern in SECRET_PATTERNS.values():
        text = pattern.sub(REDACTED, text)
    return _SECRET_PARAM.sub(lambda m: f"{m['lead']}{m['name']}=REDACTED", text)


def scrub_url(url: str) -> str:
    """A URL with every secret parameter dropped (not redacted: a link stays clean and valid)."""
    if not url or not may_hold_secret(url):
        return url
    for pattern in SECRET_PATTERNS.values():
        url = pattern.sub("", url)
    previous = None
    while previous != url:
        previous = url
        url = _SECRET_PARAM.sub(lambda m: m["lead"] if m["lead"] != "&" else "", url)
    # Tidy what dropping left behind: "?&a=1" → "?a=1", a trailing "?" or "&".
    url = re.sub(r"\?&+", "?", url)
    url = re.sub(r"&{2,}", "&", url)
    return re.sub(r"[?&#]+$", "", url)


# Control characters XML 1.0 forbids: one NUL in a scraped blurb made the Atom feed writer raise
# UnserializableContentError and abort the whole build. Also noncharacters and lone surrogates.
_FORBIDDEN_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean_chars(value: Any) -> Any:
    """Drop characters no HTML page or XML feed may carry, in strings nested anywhere."""
    if isinstance(value, str):
        return _FORBIDDEN_CHARS.sub("", value)
    if isinstance(value, list):
        return [clean_chars(item) for item in value]
    if isinstance(value, dict):
        return {key: clean_chars(item) for key, item in value.items()}
    return value
