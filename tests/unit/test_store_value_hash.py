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


_scalars = st.one_of(
    st.text(max_size=6),
    st.sampled_from(["a", "é", '"', "\\", "\n", "\x00", "\u2028", "\U0001f600"]),
    st.integers(-(10**20), 10**20),
    st.booleans(),
    st.dates(),
    st.datetimes(),
    st.none(),
    st.floats(),
)
_shapes = st.one_of(
    _scalars,
    st.lists(_scalars, max_size=4),
    st.dictionaries(st.text(max_size=4), _scalars, max_size=4),
    st.lists(st.dictionaries(st.text(max_size=4), _scalars, max_size=3), max_size=3),
    st.dictionaries(st.integers(), st.text(max_size=3), max_size=2),
    st.lists(st.lists(st.text(max_size=3), max_size=2), max_size=2),
)


@settings(max_examples=examples(600), deadline=None)
@given(_shapes)
def test_json_is_what_the_encoder_writes(value: object) -> None:
    """store._json (the front matter's shapes written directly) is json.dumps's text, for
    those shapes and for every other value it hands to the encoder."""
    reference = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
    assert store._json(value) == reference
    assert store.value_hash(value) == _reference(value)


def test_json_on_front_matter_values() -> None:
    """Each front-matter shape takes the direct path (no encoder call) and gives its text."""
    import datetime as dt

    values = [
        dt.date(2025, 1, 2),
        True,
        False,
        732,
        ["heroku", "ai \u2014 \u201cx\u201d", 'a"b\\c'],
        {"file": "dump.txt", "line": 12, "sha256": "ab" * 32},
        [{"time": "00:00", "label": "Intro \u00e9"}, {"time": "1:02:03", "label": "x\ny"}],
        [{"url": "https://x.com/?a=1", "label": "X"}],
    ]
    for value in values:
        reference = json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)
        assert store._json(value) == reference, value


@settings(max_examples=examples(300), deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(alphabet="0123456789abcdef", min_size=12, max_size=12),
            st.text(alphabet="0123456789", min_size=12, max_size=12),
            st.text(alphabet="01", min_size=10, max_size=10).map(lambda s: "0b" + s),
            st.text(alphabet="0123456789abcdefABx_ .:-", min_size=1, max_size=13),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_record_lines_are_what_pyyaml_writes(hashes: list[str]) -> None:
    """The ``ingested:`` record's short path (12 hex digits written plain unless the int rule
    would read them as a number) gives PyYAML's bytes."""
    record = {f"k{n}": value for n, value in enumerate(hashes)}
    data = {"title": "T", store.RECORD_KEY: record}
    fast = store.fast_dump(data)
    assert fast is None or fast == store.yaml_dump(data)


def test_record_lines_quote_hashes_that_read_as_numbers() -> None:
    for value in ("123456789012", "012345670123", "0b1010101010", "0b10101010_1"):
        data = {store.RECORD_KEY: {"body": value, "title": "0123456789ab"}}
        assert store.fast_dump(data) == store.yaml_dump(data), value
        assert f"'{value}'" in (store.fast_dump(data) or ""), value
