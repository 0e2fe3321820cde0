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


def scrub_text(text: str) -> str:
    """Replace secret-shaped substrings and secret URL parameters with ``[redacted]``."""
    if not text or not _MAY_HOLD_SECRET.search(text):
        return text
    for pattern in SECRET_PATTERNS.values():
        text = pattern.sub(REDACTED, text)
    return _SECRET_PARAM.sub(lambda m: f"{m['lead']}{m['name']}=REDACTED", text)


def scrub_url(url: str) -> str:
    """A URL with every secret parameter dropped (not redacted: a link stays clean and valid)."""
    if not url or not _MAY_HOLD_SECRET.search(url):
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
