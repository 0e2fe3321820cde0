"""One slug rule for the whole digest: ingest names files with it, the reader repairs with it."""

from __future__ import annotations

import re
import unicodedata

SLUG_MAX = 60
SAFE_SLUG = re.compile(r"^[a-z0-9][a-z0-9._-]*$")


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """ASCII, lowercase, dash-separated; cut on a word (``Café: Ünïcode!`` → ``cafe-unicode``)."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "episode"
