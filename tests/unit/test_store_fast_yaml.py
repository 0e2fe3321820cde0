"""store.fast_dump: the hand-written front-matter writer gives PyYAML's bytes or declines."""

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from digest.store import dump_yaml, fast_dump, yaml_dump
from tests.conftest import examples

# characters that change how YAML must quote a scalar, next to ordinary ones
_TRICKY = [
    *" :#-?'\"!&*[]{},%@`|>.~=<\\/\t\n\r",
    "\x85",
    "\u2028",
    "\u2029",
    "\ufeff",
    "\ufffe",
    "\x7f",
    "\x00",
    "é",
    "’",
    "…",
    "😀",
    "\ue000",
    "\uf8ff",
]
_WORDS = [
    "yes", "No", "on", "OFF", "null", "Null", "~", "true", "False", "y", "n",
    "0", "07", "089", "0x1F", "0b101", "1_000", "1:20", "00:00", "01:02:03", "1e3", "1.5",
    ".inf", "-.Inf", ".nan", "2024-01-02", "2024-1-2 10:00", "<<", "=", "---", "...",
    "a", "Heroku", "AI", "The post", "#12", "- item", "key: value", "x #y", "x#y",
]  # fmt: skip
_text = st.lists(
    st.one_of(st.sampled_from(_TRICKY), st.sampled_from(_WORDS), st.text(max_size=4)),
    max_size=8,
).map("".join)
_atom = st.one_of(
    _text,
    st.integers(-(10**6), 10**12),
    st.booleans(),
    st.dates(),
    st.none(),
    st.floats(allow_nan=False),
)
_key = st.one_of(st.sampled_from(["title", "on", "yes", "y", "null", "a_b", "x1"]), _text)
_value = st.one_of(
    _atom,
    st.lists(_atom, max_size=3),
    st.lists(st.dictionaries(_key, _atom, max_size=3), max_size=3),
    st.dictionaries(_key, _atom, max_size=3),
)


def test_every_tricky_character_in_every_position() -> None:
    """Exhaustive over the characters and words that decide quoting, at the start, inside,
    at the end, and next to spaces (hypothesis may not combine them all)."""
    for piece in _TRICKY + _WORDS:
        for value in (piece, f"a{piece}", f"{piece}a", f"a{piece}b", f"a {piece} b", f"{piece} "):
            data = {"title": value, "chapters": [{"label": value}], "source": {"file": value}}
            fast = fast_dump(data)
            assert fast is None or fast == yaml_dump(data), repr(value)


@settings(max_examples=examples(600), deadline=None)
@given(st.dictionaries(_key, _value, max_size=6))
def test_fast_dump_is_pyyaml_or_declines(data: dict) -> None:
    fast = fast_dump(data)
    assert fast is None or fast == yaml_dump(data)
    assert dump_yaml(data) == yaml_dump(data)


@settings(max_examples=examples(300), deadline=None)
@given(st.lists(_text, min_size=1, max_size=4))
def test_fast_dump_scalars_are_pyyaml(values: list[str]) -> None:
    """Every string the fast path accepts is written as PyYAML writes it."""
    data = {"title": values[0], "tags": values, "source": {"file": values[-1], "line": 3}}
    fast = fast_dump(data)
    assert fast is None or fast == yaml_dump(data)


def test_front_matter_takes_the_fast_path() -> None:
    """An ordinary episode's front matter, hostile title included, is written without PyYAML."""
    data = {
        "title": "SaaStr 732: What's next? #AI — “quotes” & 'apostrophes'",
        "slug": "saastr-732",
        "date": dt.date(2025, 8, 13),
        "date_estimated": True,
        "tags": ["heroku", "yes"],
        "summary": "José Valim on Elixir: types, 1:20 and more…",
        "episode": 732,
        "chapters": [{"time": "00:00", "label": "Intro"}, {"time": "1:02:03", "label": "x - y"}],
        "links": [{"url": "https://x.com/a?b=c#d", "label": "X: the site"}],
        "source": {"file": "d.txt", "line": 3, "sha256": "0123456789"},
        "ingested": {"title": "089abcdef012", "body": "123456789012"},
    }
    fast = fast_dump(data)
    assert fast is not None
    assert fast == yaml_dump(data)
