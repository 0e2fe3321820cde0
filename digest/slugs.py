"""One slug rule for the whole digest: ingest names files with it, the reader repairs with it."""

from __future__ import annotations

import re
import unicodedata

SLUG_MAX = 60
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """ASCII, lowercase, dash-separated; cut on a word (``Café: Ünïcode!`` → ``cafe-unicode``)."""
    if not text.isascii():  # (ASCII is its own NFKD form and its own ASCII encoding)
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _NOT_SLUG.sub("-", text.lower()).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "episode"
