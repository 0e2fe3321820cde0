"""Articles' stable digests kept between builds (plugins/fast_build render cache, issue 9).

A rebuild reuses the last build's digest of an article's attributes that still hold the
immutable objects they held when the article was constructed, when its source file's stamp in
Pelican's reader cache and the global fingerprint are the same. Everything else (containers
plugins mutate in place, values they replace) is digested afresh. A wrong reuse would let a
page keep an older build's bytes, so: the keys with reuse must equal the keys without it, and a
value a plugin sets after construction from more than the file must still be seen.
"""

from __future__ import annotations

import json
import pickle
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import (
    ROOT,
    assert_same_site,
    build_warm,
    ingested_sample_slice,
    run_with_flags,
    site_tree,
)

ONE_PROCESS = {"FAST_BUILD_PROCESSES": "1"}


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_sample_slice(tmp_path_factory.mktemp("stable"))


def _render_cache(output: Path) -> dict:
    return pickle.loads((output.parent / "cache" / "fast_build_render.pickle").read_bytes())


def _warm(content: Path, output: Path, flags: dict[str, object]) -> dict:
    run_with_flags(content, output, flags, CACHE_CONTENT="true", LOAD_CONTENT_CACHE="true",
                   **ONE_PROCESS)  # fmt: skip
    return _render_cache(output)


def _episodes_with_tags(content: Path) -> list[Path]:
    return [
        p for p in sorted((content / "episodes").glob("*.md")) if "\ntags:\n- " in p.read_text()
    ]


def test_reused_stable_digests_give_the_reference_keys(content, tmp_path):
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "out"
    _warm(edited, output, {})
    # a title and a tag edited: both files' digests must be taken afresh
    first, second = _episodes_with_tags(edited)[:2]
    first.write_text(re.sub(r"\ntitle: ", "\ntitle: Retitled ", first.read_text(), count=1))
    text = second.read_text()
    second.write_text(text.replace("\ntags:\n", "\ntags:\n- kubernetes\n", 1))
    fast = _warm(edited, output, {})
    episodes = len(list((edited / "episodes").glob("*.md")))
    assert fast["stats"]["stable_reused"] >= episodes - 2
    assert fast["stats"]["rendered"] > 0
    reference = _warm(edited, output, {"fast_build.render_cache.REUSE_STABLE": False})
    assert reference["stats"]["stable_reused"] == 0
    keys = {path: entry[0] for path, entry in fast["pages"].items()}
    expected = {path: entry[0] for path, entry in reference["pages"].items()}
    assert keys.keys() == expected.keys()
    differing = sorted(path for path in keys if keys[path] != expected[path])
    assert not differing, f"{len(differing)} keys differ, e.g. {differing[:5]}"
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean, **ONE_PROCESS)
    assert_same_site(site_tree(clean), site_tree(output))


# A plugin that changes an immutable attribute after construction from more than the file:
# every title ends with the number of episodes.
_COUNTING_PLUGIN = """
from pelican import signals


def count(generator):
    for article in generator.articles:
        article.title = f"{article.title} #{len(generator.articles)}"


def register():
    signals.article_generator_finalized.connect(count)
"""


def test_a_value_replaced_after_construction_is_digested_again(content, tmp_path):
    import pelicanconf

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "count_titles.py").write_text(_COUNTING_PLUGIN)
    settings = {
        "PLUGINS": json.dumps([*pelicanconf.PLUGINS, "count_titles"]),
        "PLUGIN_PATHS": json.dumps([str(ROOT / "plugins"), str(plugins)]),
        **ONE_PROCESS,
    }
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "out"
    build_warm(edited, output, **settings)
    episodes = sorted((edited / "episodes").glob("*.md"))
    before = len(episodes)
    assert any(f" #{before}".encode() in data for data in site_tree(output).values())
    episodes[0].unlink()  # every other file unchanged, every title changed
    build_warm(edited, output, **settings)
    rebuilt = site_tree(output)
    assert _render_cache(output)["stats"]["stable_reused"] > 0
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean, **settings)
    assert_same_site(site_tree(clean), rebuilt)
