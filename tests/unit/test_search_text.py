"""Build-time text handling for search: the lunr.js stemmer port and normalisation.

(Agreement with the browser over ~75,000 words is proven in tests/build/test_search_compact.py.)
"""

from __future__ import annotations

import json

import pytest
from lunr.stemmer import stemmer as lunr_py_stemmer
from lunr.token import Token

from plugins.search_index.stemmer import stem
from plugins.search_index.text import alias_key, normalise
from tests.conftest import ROOT


@pytest.mark.parametrize(
    ("word", "js_stem", "lunr_py_stem"),
    [
        ("deploy", "deploy", "deploi"),
        ("today", "today", "todai"),
        ("journey", "journey", "journei"),
        ("money", "money", "monei"),
        ("try", "tri", "try"),
        ("cry", "cri", "cry"),
        ("deploying", "deploy", "deploi"),
        ("kubernetes", "kubernet", "kubernet"),
    ],
)
def test_stemmer_follows_lunr_js_where_lunr_py_differs(word, js_stem, lunr_py_stem) -> None:
    assert stem(word) == js_stem
    assert str(lunr_py_stemmer(Token(word, {}))) == lunr_py_stem


def test_stemmer_matches_lunr_js_reference_vocabulary() -> None:
    vocab = ROOT / "node_modules" / "lunr" / "test" / "fixtures" / "stemming_vocab.json"
    if not vocab.exists():
        pytest.skip("run `npm ci` for lunr.js's stemming fixture")
    for word, expected in json.loads(vocab.read_text()).items():
        assert stem(word) == expected, word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Heroku's Fir", "heroku fir"),
        ("deploy rails.", "deploy rails"),
        ("Fly.io and node.js...", "fly.io and node.js"),
        ("Café 🚀 Tomás", "cafe tomas"),
        ("12-factor", "12-factor"),
        ("CI/CD", "ci cd"),
        ("", ""),
    ],
)
def test_normalise(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_normalised_text_is_bmp_only() -> None:
    assert all(ord(ch) <= 0xFFFF for ch in normalise("emoji 👩‍💻 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 \U0001f680 \ud83d"))


def test_alias_key_matches_the_taxonomy_rule() -> None:
    from digest.taxonomy import normalise_key

    for name in ("12-factor", "Twelve-Factor", "k8s", "Fly.io", "Node.js", "Café"):
        assert alias_key(name) == normalise_key(name)


def _fold_reference(text: str) -> str:
    """Every character of the NFKD form looked at (the fold before the ASCII-run fast path)."""
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(
        " " if ord(ch) > 0xFFFF or 0xD800 <= ord(ch) <= 0xDFFF else ch
        for ch in decomposed
        if not unicodedata.category(ch).startswith("M")
    )


def test_fold_fast_path_matches_the_per_character_fold() -> None:
    """Only non-ASCII runs go through the per-character loop: same text as looking at every
    character, for ASCII, accents (composed and combining), astral characters, astral marks,
    lone surrogates, dashes and quotes, at the start, the end and between ASCII."""
    import random

    from plugins.search_index.text import _fold

    pieces = ["a", "Z", " ", ".", "-", "'", "\n", "é", "e\u0301", "ﬁ", "Ⅸ", "—", "’", "ß", "9"]
    pieces += ["\U0001f680", "\U0001d167", "\ud800", "\udfff", "日本", "Å", "ǅ", "\u20dd"]
    rng = random.Random(7)
    cases = ["", "plain ascii", "é", "\U0001f680", "café—crème’s 🚀 done"]
    cases += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    for text in cases:
        assert _fold(text) == _fold_reference(text), repr(text)
