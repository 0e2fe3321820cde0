"""The compact index is lunr.py's index, bit for bit, and the browser stems and normalises text
exactly as the build does. Python builds the cases; node's test runner checks them with lunr.js
(tests/js/search_compact.test.mjs)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from lunr.stemmer import stemmer as lunr_py_stemmer
from lunr.token import Token

from plugins.search_index.compact import (
    FieldSpec,
    build,
    compact,
    decode_varints,
    encode_postings,
    encode_varints,
    expand,
    load_index,
)
from plugins.search_index.search_index import (
    DEFAULT_FIELDS,
    SearchRecord,
    TopicInfo,
    build_payloads,
    documents_for,
)
from plugins.search_index.stemmer import stem
from plugins.search_index.text import normalise
from tests.conftest import FIXTURES, ROOT

SEARCH_EPISODES = FIXTURES / "search" / "episodes"
QUERIES = [
    "heroku", "kubernetes", "k8s", "deploy", "rails deploy", "incident", "twelve factor",
    "12 factor", "platform engineering", "journey", "money today", "cafe", "tomas alvarez",
    "title:postgres", "+heroku -salesforce", "kube*", "opentelemetry~1", "buildpack^5 docker",
    "fly.io", "developer experience", "serverless node.js", "security", "data", "the",
]  # fmt: skip
NORMALISE_TABLE = [
    "Heroku's Fir", "deploy rails.", "Fly.io and node.js...", "Café 🚀 Tomás Álvarez",
    "12-factor / Twelve-Factor", "CI/CD", "snake_case", "“quoted” ‘text’", "Ｆｕｌｌｗｉｄｔｈ",
    "naïve coöperation", "emoji 👩‍💻 zwj", "ǅemal", "straße", "İstanbul", "e.g. …test",
    "tab\tnew\nline\u00a0nbsp", "a—b–c", "under_score", "ﬁ ligature", "k8s", "Ωmega", "日本語",
]  # fmt: skip


def _front(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---\n", 2)
    return yaml.safe_load(front), body


def fixture_records() -> list[SearchRecord]:
    """The hand-written search episodes as the plugin sees them (no Pelican needed)."""
    from digest.taxonomy import load_taxonomy

    taxonomy = {t.slug: t for t in load_taxonomy(ROOT / "content" / "topics.yml")}
    records = []
    for path in sorted(SEARCH_EPISODES.glob("*.md")):
        front, body = _front(path)
        records.append(
            SearchRecord(
                title=front["title"], url=f"episodes/{front['slug']}/", date=str(front["date"]),
                show=front["show"], show_url=f"shows/{front['show'].lower()}/",
                topics=[TopicInfo(s, taxonomy[s].name, f"topics/{s}/", taxonomy[s].aliases)
                        for s in front["tags"]],
                guests=front["guests"], summary=front["summary"], body=body,
            )
        )  # fmt: skip
    return records


def synthetic_records(n: int) -> list[SearchRecord]:
    """Blurbs from the benchmark's synthesiser (sample-like text, long transcripts)."""
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        from synth import synthesise_blurbs
    except Exception as exc:  # the synthesiser needs the shipped sample dump
        pytest.skip(f"scripts/synth.py unavailable: {exc}")
    finally:
        sys.path.pop(0)
    records = []
    for i, blurb in enumerate(synthesise_blurbs(n)):
        words = blurb.split()
        records.append(
            SearchRecord(
                title=" ".join(words[:8]), url=f"episodes/e{i}/", date="2024-01-01",
                show=f"Show {i % 17}", topics=[], guests=[" ".join(words[8:10])],
                summary=blurb[:300], body=blurb,
            )
        )  # fmt: skip
    return records


def _case(name: str, records: list[SearchRecord]) -> dict:
    specs = [FieldSpec(f["field_name"], f.get("boost", 1)) for f in DEFAULT_FIELDS]
    builder = build(specs, documents_for(records))
    shipped, _ = build_payloads(records)
    reference = compact(builder)
    assert {k: v for k, v in shipped.items() if k not in ("tables", "shards")} == reference, name
    plain = json.loads(json.dumps(builder.build().serialize()))
    assert expand(reference) == plain, f"{name}: Python expansion"
    wire = encode_postings(reference)
    assert expand(wire) == plain, f"{name}: Python expansion of the varint postings"
    index = load_index(plain)
    expected = {q: [[h["ref"], h["score"]] for h in index.search(q)] for q in QUERIES}
    return {"name": name, "compact": reference, "wire": wire, "plain": plain, "expected": expected}


def test_varints_round_trip() -> None:
    numbers = [0, 1, -1, 2, -2, 15, 16, 31, 32, -33, 1023, 1024, 99_999, -123_456, 2**40, -(2**40)]
    assert decode_varints(encode_varints(numbers)) == numbers
    assert all(c.isalnum() or c in "-_" for c in encode_varints(numbers))


def vocabulary() -> set[str]:
    """Every raw word of the sample dump and fixtures, the system word list if any, and words
    generated to hit every Porter rule (vowel + y endings included)."""
    texts = [p.read_text(encoding="utf-8") for p in (ROOT / "data" / "blurbs").glob("*.txt")]
    texts += [p.read_text(encoding="utf-8") for p in SEARCH_EPISODES.glob("*.md")]
    texts += [(FIXTURES / "sample_slice.txt").read_text(encoding="utf-8")]
    words = {w for text in texts for w in normalise(text).replace("-", " ").split()}
    dictionary = Path("/usr/share/dict/words")
    if dictionary.exists():
        words |= {normalise(w) for w in dictionary.read_text(errors="ignore").split()}
    vocab = ROOT / "node_modules" / "lunr" / "test" / "fixtures" / "stemming_vocab.json"
    if vocab.exists():
        words |= set(json.loads(vocab.read_text()))
    stems = ["deplo", "journe", "mone", "toda", "pla", "tr", "cr", "happ", "rel", "conve", "gre",
             "sta", "bu", "ke", "stud", "hurr", "emplo", "enjo", "dela", "ess", "ab"]  # fmt: skip
    suffixes = [
        "y",
        "ys",
        "yed",
        "ying",
        "ies",
        "ied",
        "ier",
        "iest",
        "yment",
        "yable",
        "yness",
        "ational",
        "ization",
        "fulness",
        "iveness",
        "icate",
        "alize",
        "ement",
        "ing",
        "ed",
        "eed",
        "ly",
        "ence",
        "ance",
        "ible",
        "s",
        "sses",
        "ss",
        "e",
        "ll",
    ]
    words |= {s + x for s in stems for x in suffixes}
    return {w for w in words if w and not re.search(r"\s", w)}


@pytest.fixture(scope="module")
def node() -> str:
    path = shutil.which("node")
    if not path:
        if os.environ.get("CI"):
            pytest.fail("node is required in CI")
        pytest.skip("node is not installed")
    return path


def test_compact_index_and_stemmer_agree_with_lunr_js(node: str, tmp_path: Path) -> None:
    cases = [_case("fixture", fixture_records()), _case("synthetic-400", synthetic_records(400))]
    words = sorted(vocabulary())
    stems = {w: stem(w) for w in words}
    old = sum(stems[w] != str(lunr_py_stemmer(Token(w, {}))) for w in words)
    print(f"stemmer: {len(words)} words; lunr.py's own stemmer differs from lunr.js on {old}")
    assert len(words) > 3000 and old > 0
    paths = {}
    for name, payload in (
        ("SEARCH_CASES", cases), ("SEARCH_STEMS", stems),
        ("SEARCH_NORMALISE", {text: normalise(text) for text in NORMALISE_TABLE}),
    ):  # fmt: skip
        paths[name] = str(tmp_path / f"{name.lower()}.json")
        Path(paths[name]).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
    result = subprocess.run(
        [node, "--test", "--test-reporter=tap", str(ROOT / "tests/js/search_compact.test.mjs")],
        capture_output=True, text=True, cwd=ROOT, check=False, env={**os.environ, **paths},
    )  # fmt: skip
    print(result.stdout[-3000:])
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 6" in result.stdout and "# skipped 0" in result.stdout, result.stdout


def test_compact_payload_is_much_smaller_than_plain_serialisation() -> None:
    import gzip

    records = fixture_records() + synthetic_records(200)
    specs = [FieldSpec(f["field_name"], f.get("boost", 1)) for f in DEFAULT_FIELDS]
    plain = json.dumps(build(specs, documents_for(records)).build().serialize()).encode()
    shipped = encode_postings(build_payloads(records)[0])
    small = json.dumps(shipped, separators=(",", ":"), ensure_ascii=False).encode()
    assert len(small) < 0.25 * len(plain), (len(small), len(plain))
    assert len(gzip.compress(small)) < 0.3 * len(gzip.compress(plain))


def test_short_varints_table_equals_the_digit_loop() -> None:
    """encode_varints looks up numbers whose zigzag is below 1,024; the table must hold what
    the digit loop writes, and every number around its edges must round-trip."""
    from plugins.search_index.compact import _SHORT_VARINTS, _varint

    assert len(_SHORT_VARINTS) == 1024
    assert all(_SHORT_VARINTS[z] == _varint(z) for z in range(1024))
    numbers = [*range(-1100, 1100), 2**20, -(2**20), 2**33 + 5]
    encoded = encode_varints(numbers)
    assert decode_varints(encoded) == numbers
    assert encoded == "".join(_varint(n << 1 if n >= 0 else ((-n) << 1) - 1) for n in numbers)
