"""digest.slugs.slugify skips Unicode normalisation for ASCII titles: the full rule's slugs."""

import re
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.slugs import SLUG_MAX, slugify
from tests.conftest import examples, glued


def _reference(text: str, limit: int = SLUG_MAX) -> str:
    """The rule as written before the ASCII fast path: always NFKD, always re-encoded."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "episode"


_PIECES = ["Café", "Ünïcode", "ﬁ", "Ⅻ", "ß", "İ", "K", "x²", " ", "-", "--", ":", "!", "A", "9"]


@settings(max_examples=examples(800), deadline=None)
@given(
    glued(_PIECES, 30, noise=4),
    st.sampled_from([SLUG_MAX, 20, 81, 200]),
)
def test_slugify_is_the_reference_rule(text: str, limit: int) -> None:
    assert slugify(text, limit) == _reference(text, limit)


def test_slugify_examples() -> None:
    for text in ("Café: Ünïcode! -- 2025", "Plain ASCII Title: Part 2", "!!!", "word " * 40):
        for limit in (SLUG_MAX, 20):
            assert slugify(text, limit) == _reference(text, limit)
