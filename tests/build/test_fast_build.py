"""plugins/fast_build must change build time only: the same fixture built with and without it
(and with one or two rendering processes) gives the same output tree, byte for byte.

The sitemap's <lastmod> for listing pages is the build time (pelican-sitemap stamps "now"), so
it differs between any two builds, plugin or not; those timestamps are masked before comparing.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SAMPLE_SLICE, prepare_content, run_ingest

_LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")


def _plugins(with_fast_build: bool) -> list[str]:
    from pelican.settings import read_settings

    plugins = [
        p for p in read_settings(str(ROOT / "pelicanconf.py"))["PLUGINS"] if p != "fast_build"
    ]
    return [*plugins, "fast_build"] if with_fast_build else plugins


def _build(content: Path, output: Path, cache: Path, **settings) -> None:
    overrides = {
        "TOPICS_FILE": str(content / "topics.yml"),
        "SHOWS_FILE": str(content / "shows.yml"),
        "CACHE_PATH": str(cache),
        **settings,
    }
    # One -e with every pair: Pelican keeps only the last -e option it is given.
    args = [sys.executable, "-m", "pelican", str(content), "-o", str(output),
            "-s", str(ROOT / "pelicanconf.py"), "-q", "-e",
            *(f"{key}={json.dumps(value)}" for key, value in overrides.items())]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, f"pelican failed:\n{done.stdout}\n{done.stderr}"


def _tree(output: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "sitemap.xml":
                data = _LASTMOD.sub(b"<lastmod/>", data)
            files[str(path.relative_to(output))] = data
    return files


def _assert_same(a: dict[str, bytes], b: dict[str, bytes]) -> None:
    assert sorted(a) == sorted(b), set(a) ^ set(b)
    differing = [name for name in a if a[name] != b[name]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:5]}"


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = prepare_content(tmp_path_factory.mktemp("fast-build"))
    done = run_ingest([SAMPLE_SLICE], content / "episodes")
    assert done.returncode == 0, done.stderr
    assert list((content / "episodes").glob("*.md"))
    return content


def test_output_is_byte_identical_with_and_without_fast_build(content, tmp_path):
    _build(content, tmp_path / "plain", tmp_path / "c1", PLUGINS=_plugins(False))
    _build(content, tmp_path / "fast", tmp_path / "c2", PLUGINS=_plugins(True))
    _build(content, tmp_path / "one", tmp_path / "c3", PLUGINS=_plugins(True),
           FAST_BUILD_PROCESSES=1)  # fmt: skip
    plain = _tree(tmp_path / "plain")
    assert any(name.startswith("episodes/") for name in plain)
    _assert_same(plain, _tree(tmp_path / "fast"))
    _assert_same(plain, _tree(tmp_path / "one"))


def test_rebuild_without_change_rewrites_no_page(content, tmp_path):
    output, cache = tmp_path / "out", tmp_path / "cache"
    _build(content, output, cache, PLUGINS=_plugins(True))
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*.html")}
    first = _tree(output)
    _build(content, output, cache, PLUGINS=_plugins(True))
    after = {p: p.stat().st_mtime_ns for p in output.rglob("*.html")}
    assert before == after, [str(p) for p in before if before[p] != after.get(p)][:5]
    _assert_same(first, _tree(output))


@pytest.mark.parametrize(
    "text",
    ["", "Heroku's Fir — re-platforming on K8s", "a  b\t\tc\n\xa0d-e", "  lead and trail  ",
     "İstanbul ÉCOLE straße", "x" * 50],
)  # fmt: skip
def test_lunr_tokenizer_patch_matches_lunr(text):
    from lunr.tokenizer import Tokenizer

    from plugins.fast_build.patches import fast_tokenizer

    fast = fast_tokenizer(Tokenizer)
    expected = [(t.string, t.metadata) for t in Tokenizer(text)]
    assert [(t.string, t.metadata) for t in fast(text)] == expected
