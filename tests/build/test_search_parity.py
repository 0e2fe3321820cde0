"""lunr.py (build time) and lunr.js 2.3.9 (browser) return the same top results."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from plugins.search_index.compact import expand, load_index
from tests.conftest import ROOT, BuiltSite

QUERIES = [
    "heroku", "kubernetes", "incident", "rails", "salesforce", "platform", "twelve factor",
    "deploy", "today", "journey",
]  # fmt: skip


def test_lunr_js_ranks_like_lunr_py(sample_site: BuiltSite, tmp_path: Path) -> None:
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    form = BeautifulSoup(sample_site.html("index.html"), "html.parser").select_one("form")
    entry_path = sample_site.output / form["data-entry"].removeprefix("./")
    index_path = entry_path.parent / json.loads(entry_path.read_text(encoding="utf-8"))["index"]
    index = load_index(expand(json.loads(index_path.read_text(encoding="utf-8"))))
    expected = {q: [[hit["ref"], hit["score"]] for hit in index.search(q)] for q in QUERIES}
    assert sum(bool(hits) for hits in expected.values()) >= 5, "the queries find episodes"
    expected_path = tmp_path / "expected.json"
    expected_path.write_text(json.dumps(expected), encoding="utf-8")
    result = subprocess.run(
        ["node", "--test", str(ROOT / "tests" / "js" / "lunr_compat.test.mjs")],
        capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, "SEARCH_INDEX": str(index_path), "SEARCH_EXPECTED": str(expected_path)},
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# pass 1" in result.stdout, result.stdout
