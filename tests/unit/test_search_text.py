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
