"""The store's fast paths for what it hashes and renders per file give what the reference
gives: a long string's hash (``bytes.replace`` on UTF-8) is the hash of ``json.dumps``, and a
remembered scalar rendering is what PyYAML writes, the second time as the first."""

import hashlib
import json

from hypothesis import given, settings
from hypothesis import strategies as st

from digest import store
from tests.conftest import examples

_PIECES = st.sampled_from(
    [
        "a",
        "é",
        "日本",
        "\U0001f600",
        '"',
        "\\",
        "\n",
        "\r",
        "\t",
        "\b",
        "\f",
        "\x00",
        "\x1f",
        "\x7f",
        "\u2028",
        " ",
        "\\n",
        '\\"',
        "--- ",
        "# x",
    ]
)
_long_texts = st.lists(st.one_of(_PIECES, st.text(max_size=8)), min_size=1, max_size=80).map(
    lambda parts: ("x" + "".join(parts)) * (1 + store._LONG_TEXT // len("x" + "".join(parts)))
)


def _reference(value: object) -> str:
    text = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@settings(max_examples=examples(300), deadline=None)
@given(_long_texts)
def test_long_text_hash_is_the_json_dumps_hash(text: str) -> None:
    assert len(text) >= store._LONG_TEXT
    assert store.value_hash(text) == _reference(text)
    assert store._long_text_hash(text) == _reference(text)


def test_long_text_hash_on_fixtures() -> None:
    """Both branches (no rare control character; one) and every escaped character."""
    plain = 'Intro "quoted" \\ back\\slash\nnew line\r\n\ttab é 日本 \U0001f600 ' * 20
    for text in (plain, plain + "\x01", plain + "\b", plain + "\f", plain.replace("\n", "")):
        assert store._long_text_hash(text) == _reference(text)


@settings(max_examples=examples(200), deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_remembered_scalars_are_what_pyyaml_writes(values: list[str]) -> None:
    data = {"a": values, "b": {"x": values[0]}, "c": values[-1]}
    first = store.fast_dump(data)
    assert values[0] in store._SCALARS
    assert store.fast_dump(data) == first
    assert first is None or first == store.yaml_dump(data)
    assert store.dump_yaml(data) == store.yaml_dump(data)


def test_record_hashes_are_written_but_not_remembered() -> None:
    data = {"title": "T", store.RECORD_KEY: {"title": "0123456789ab", "body": "123456789012"}}
    assert store.fast_dump(data) == store.yaml_dump(data)
    assert "0123456789ab" not in store._SCALARS and "123456789012" not in store._SCALARS
    assert "T" in store._SCALARS
