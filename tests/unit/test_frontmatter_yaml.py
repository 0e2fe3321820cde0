"""digest.frontmatter.load_yaml is ``yaml.load`` with the C safe loader, only faster.

The build reads every episode's front matter with it, so it must give the very same values
(same types, same key order) and, for anything it does not build itself, the very same error
with the same line — the reader's ``file:line`` reports depend on it. Compared with yaml.load on
hostile generated front matter (YAML 1.1 booleans, sexagesimal numbers, timestamps, anchors,
tags, merge keys, broken flow collections, several documents) and on the hand-written fixtures.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.frontmatter import _FRONT_MATTER, _LOADER, load_yaml
from tests.conftest import FIXTURES, examples


def outcome(load, raw: str) -> tuple[str, str]:
    """What loading gives, typed: ``repr`` keeps types and key order apart (1 vs 1.0 vs True)."""
    try:
        return "value", repr(load(raw))
    except Exception as exc:  # the error itself is what is compared
        mark = getattr(exc, "problem_mark", None)
        return type(exc).__name__, f"{exc} @ {mark.line if mark else None}"


def reference(raw: str):
    return yaml.load(raw, Loader=_LOADER)


SCALARS = st.sampled_from(
    [
        "plain", "yes", "No", "on", "OFF", "true", "False", "null", "~", "", "0", "-12", "+3",
        "0x1F", "0o17", "0b101", "1_000", "190:20:30", "3.5", "1e3", ".inf", "-.Inf", ".nan",
        "2024-01-02", "2024-01-02 10:20:30", "2024-01-02T10:20:30Z", "2024-1-2",
        "2024-02-30", "'quoted: yes'", '"dq \\u00e9 \\x41"', "a: b", "x #c", "<<", "=", "!!str 5",
        "!!int '7'", "&a anchor", "*a", "!custom x", "[a, b", "{a: 1}", "[1, [2, 3]]", "- x",
        "|\n  block\n  text", ">-\n  folded", "'unterminated", "%", "@at", "`tick", "é ü 中",
        "? complex", "[a]: b", "0777", "12:30", "-", ".", "0.", "1.0e+3",
    ]
)  # fmt: skip
KEYS = st.sampled_from(["title", "date", "tags", "Title", "<<", "=", "1", "true", "? [a]", "a b"])


@st.composite
def documents(draw) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key, value = draw(KEYS), draw(SCALARS)
        shape = draw(st.integers(0, 3))
        if shape == 0:
            lines.append(f"{key}: {value}")
        elif shape == 1:
            lines.append(f"{key}:\n" + "".join(f"  - {draw(SCALARS)}\n" for _ in range(2)))
        elif shape == 2:
            lines.append(f"{key}:\n  inner: {value}\n  other: {draw(SCALARS)}")
        else:
            lines.append(f"{key}: [{value}, {draw(SCALARS)}]")
    if draw(st.booleans()):
        lines.append(draw(st.sampled_from(["---", "...", "--- x", "- item", "&x a: 1\nb: *x"])))
    return "\n".join(lines) + "\n"


@given(documents())
@settings(max_examples=examples(1500), deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_load_yaml_is_yaml_load(raw: str) -> None:
    assert outcome(load_yaml, raw) == outcome(reference, raw)


@given(st.text(max_size=60))
@settings(max_examples=examples(800), deadline=None)
def test_load_yaml_is_yaml_load_on_any_text(raw: str) -> None:
    assert outcome(load_yaml, raw) == outcome(reference, raw)


FRONTS = [p for p in sorted(FIXTURES.rglob("*.md")) if _FRONT_MATTER.match(p.read_text("utf-8"))]


@pytest.mark.parametrize("path", FRONTS, ids=lambda p: p.name)
def test_fixture_front_matter(path: Path) -> None:
    raw = _FRONT_MATTER.match(path.read_text(encoding="utf-8")).group(1) or ""
    assert outcome(load_yaml, raw) == outcome(reference, raw)


def test_ordinary_front_matter_takes_the_fast_path(monkeypatch) -> None:
    """The fast path really runs (else this test file would compare yaml.load with itself)."""
    raw = "title: T\ndate: 2024-01-02\ntags: [a, b]\nsource: {line: 3}\nepisode: 0x1F\n"
    expected = reference(raw)

    def refuse(*_args, **_kwargs):
        raise AssertionError("fell back to yaml.load")

    monkeypatch.setattr(yaml, "load", refuse)
    assert repr(load_yaml(raw)) == repr(expected)
