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

from tests.conftest import ROOT, ingested_sample_slice

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
    content = ingested_sample_slice(tmp_path_factory.mktemp("fast-build"))
    return content


def test_output_is_byte_identical_with_and_without_fast_build(content, tmp_path):
    _build(content, tmp_path / "plain", tmp_path / "c1", PLUGINS=_plugins(False))
    # the second process from the first page, from the eleventh, and none
    _build(content, tmp_path / "fast", tmp_path / "c2", PLUGINS=_plugins(True),
           FAST_BUILD_FORK_AFTER=0)  # fmt: skip
    _build(content, tmp_path / "late", tmp_path / "c4", PLUGINS=_plugins(True),
           FAST_BUILD_FORK_AFTER=10)  # fmt: skip
    _build(content, tmp_path / "one", tmp_path / "c3", PLUGINS=_plugins(True),
           FAST_BUILD_PROCESSES=1)  # fmt: skip
    plain = _tree(tmp_path / "plain")
    assert any(name.startswith("episodes/") for name in plain)
    _assert_same(plain, _tree(tmp_path / "fast"))
    _assert_same(plain, _tree(tmp_path / "late"))
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


def _toggle_tag(episodes: Path, tag: str = "developer-experience") -> Path:
    """One episode's ``tags:`` gains (or loses) a topic, as an editor would edit it."""
    import yaml

    path = sorted(episodes.glob("*.md"))[len(list(episodes.glob("*.md"))) // 2]
    text = path.read_text(encoding="utf-8")
    match = re.match(r"\A---\n(.*?\n)---\n", text, re.DOTALL)
    front = yaml.safe_load(match.group(1))
    tags = list(front.get("tags") or [])
    front["tags"] = [t for t in tags if t != tag] if tag in tags else [*tags, tag]
    head = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True) + "---\n"
    path.write_text(head + text[match.end() :], encoding="utf-8")
    return path


def test_rebuild_after_tag_edit_is_identical_to_clean_build(content, tmp_path):
    """The render cache skips pages whose inputs did not change; what it skips must be exactly
    what a clean build would have written again (search files of the previous build linger in
    a kept output folder, as without fast_build: compared only for the clean build's files)."""
    import pickle
    import shutil

    from plugins.fast_build.render_cache import FILE_NAME

    work = tmp_path / "content"
    shutil.copytree(content, work)
    output, cache = tmp_path / "out", tmp_path / "cache"
    # two processes from the first page: the child's keys reach the cache too
    _build(work, output, cache, PLUGINS=_plugins(True), FAST_BUILD_FORK_AFTER=0)
    pages = pickle.loads((cache / FILE_NAME).read_bytes())["pages"]
    # every page and every feed has a key
    assert len(pages) == len(list(output.rglob("*.html"))) + len(
        list(output.glob("feeds/**/*.xml"))
    )
    edited = _toggle_tag(work / "episodes")
    before = {p: p.stat().st_mtime_ns for p in output.rglob("*.html")}
    _build(work, output, cache, PLUGINS=_plugins(True), FAST_BUILD_FORK_AFTER=0)
    after = {p: p.stat().st_mtime_ns for p in output.rglob("*.html")}
    changed = [p for p in before if before[p] != after.get(p)]
    assert any(edited.stem in str(p) or "topics" in str(p) for p in changed), changed
    assert len(changed) < len(before) / 2, len(changed)

    _build(work, tmp_path / "clean", tmp_path / "cache-clean", PLUGINS=_plugins(True))
    clean, rebuilt = _tree(tmp_path / "clean"), _tree(output)
    _assert_same(clean, {name: rebuilt[name] for name in clean if name in rebuilt})


def test_render_cache_key_follows_inputs():
    """Keys change with the page's own values, with a related episode's title, and not with a
    tag attribute the template never reads."""
    from types import SimpleNamespace

    from pelican.urlwrappers import Tag

    from plugins.fast_build.render_cache import Fingerprinter

    settings = {"TAG_URL": "t/{slug}/", "TAG_SAVE_AS": "t/{slug}/index.html"}

    def key(context, attrs=frozenset({"name", "url"})):
        fp = Fingerprinter(False, attrs, {})
        template = SimpleNamespace(name="x.html")
        return fp.page_key("base", template, sorted(context), context, "x/index.html")

    tag = Tag("Kubernetes", settings)
    tag.count = 3
    same = key({"tag": tag, "title": "a"})
    tag.count = 4  # not read by the template
    assert key({"tag": tag, "title": "a"}) == same
    assert key({"tag": tag, "title": "a"}, frozenset({"name", "url", "count"})) != same
    assert key({"tag": tag, "title": "b"}) != same
    tag.name = "K8s"
    assert key({"tag": tag, "title": "a"}) != same


def test_shared_deep_digests_follow_related_episodes():
    """Fingerprinters share articles' deep digests (RenderCache keys the memos by what a digest
    depends on): a template given the memos another template filled gets the key a fresh
    fingerprinter computes, and the key still changes with a related episode's title."""
    from types import SimpleNamespace

    from pelican.contents import Article
    from pelican.settings import DEFAULT_CONFIG

    from plugins.fast_build.render_cache import Fingerprinter

    settings = dict(DEFAULT_CONFIG)
    refs = frozenset({"related_episodes"})

    def articles(related_title):
        other = Article("<p>b</p>", {"title": related_title, "slug": "b"}, settings=settings)
        main = Article("<p>a</p>", {"title": "A", "slug": "a"}, settings=settings)
        main.related_episodes = [other]
        return main

    def key(article, attrs, memos=None):
        memos = memos if memos is not None else ({}, {}, {}, {})
        content, through, deep_through, deep_content = memos
        fp = Fingerprinter(
            False, attrs, content, None, None, frozenset(), frozenset(), {}, refs,
            frozenset(), through, deep_through, deep_content,
        )  # fmt: skip
        template = SimpleNamespace(name="x.html")
        context = {"article": article}
        return fp.page_key("base", template, ["article"], context, "x/index.html")

    article = articles("B")
    shared = ({}, {}, {}, {})
    first = key(article, frozenset({"count"}), shared)  # fills the shared memos
    second = key(article, frozenset({"description"}), shared)  # reuses them
    assert second == key(article, frozenset({"description"}))
    assert first == second  # articles only: wrapper attributes do not enter
    assert key(articles("B2"), frozenset({"description"})) != second
    assert key(articles("B"), frozenset({"description"})) == second
