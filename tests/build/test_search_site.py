"""A real Pelican build of the hand-written search episodes: hashed files, relative URLs, the
search page's no-JavaScript fallback. ``build_search_site`` is shared with the browser tests."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from plugins.search_index.compact import expand, load_index
from tests.conftest import FIXTURES, BuiltSite, prepare_content, run_pelican

SEARCH_EPISODES = FIXTURES / "search" / "episodes"


def build_search_site(workdir: Path) -> BuiltSite:
    content = prepare_content(workdir)
    for episode in SEARCH_EPISODES.glob("*.md"):
        shutil.copy(episode, content / "episodes" / episode.name)
    output = workdir / "output"
    build = run_pelican(content, output)
    assert build.returncode == 0, f"pelican failed:\n{build.stdout}\n{build.stderr}"
    return BuiltSite(content=content, output=output, log=build.stdout + build.stderr)


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_search_site(tmp_path_factory.mktemp("search-site"))


def _form(site: BuiltSite, page: str):
    return BeautifulSoup(site.html(page), "html.parser").select_one("form.search-form")


def search_files(output: Path) -> tuple[dict, dict, dict]:
    """(entry, compact index, whole store as columns) of a built site, via search/entry.json."""
    entry_path = output / "search" / "entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    index = json.loads((entry_path.parent / entry["index"]).read_text(encoding="utf-8"))
    store: dict[str, list] = {}
    names = index["shards"]["files"] if "shards" in index else [entry["store"]]
    for name in names:
        shard = json.loads((entry_path.parent / name).read_text(encoding="utf-8"))
        for key, values in shard.items():
            if key != "n":
                store.setdefault(key, []).extend(values)
    return entry, index, store


def test_every_page_names_only_the_fixed_entry_relative_to_itself(search_site: BuiltSite) -> None:
    for page in ("index.html", "episodes/deploying-rails-apps/index.html", "search/index.html"):
        form = _form(search_site, page)
        assert not {"data-index", "data-store", "data-lunr"} & set(form.attrs), form.attrs
        for key in ("entry", "worker"):
            href = form[f"data-{key}"]
            assert not href.startswith(("/", "http")), f"{page}: {href} must be relative"
            target = (search_site.output / page).parent / href
            assert target.resolve().exists(), f"{page}: {href}"
        assert form["data-entry"].endswith("search/entry.json")
    entry, index, _ = search_files(search_site.output)
    search = search_site.output / "search"
    for name in (entry["index"], entry["lunr"], *index["shards"]["files"]):
        assert (search / name).is_file(), name
        assert re.search(r"\.[0-9a-f]{10,12}\.(json|js)$", name) or re.search(
            r"^docs/[0-9a-f]{10}\.json$", name
        ), name


def test_index_and_store_cover_every_episode(search_site: BuiltSite) -> None:
    base = search_site.output
    _, payload, store = search_files(base)
    episodes = len(list(SEARCH_EPISODES.glob("*.md")))
    assert payload["n"] == len(store["title"]) == len(store["url"]) == episodes
    assert len(payload["tables"]["docs"]["show"]) == len(payload["tables"]["docs"]["topics"])
    assert payload["shards"]["size"] >= 1
    for url, summary in zip(store["url"], store["summary"], strict=True):
        assert (base / url / "index.html").exists(), url
        assert len(summary) <= 161
    aliases = payload["tables"]["aliases"]
    names = {t[0]: t[1] for t in payload["tables"]["topicList"]}
    assert payload["tables"]["topicList"][aliases["k8s"]][0] == "kubernetes"
    assert payload["tables"]["topicList"][aliases["12factor"]][0] == "twelve-factor"
    assert names["kubernetes"] == "Kubernetes"
    index = load_index(expand(payload))
    top = index.search("deploy")[0]
    assert store["url"][int(top["ref"])] == "episodes/deploying-rails-apps/"
    assert index.search("journey"), "vowel + y words are found (lunr.js stemming at build time)"
    assert "🚀" not in json.dumps(payload, ensure_ascii=False), "non-BMP text is normalised away"


def test_one_tag_edit_changes_no_unrelated_page(tmp_path: Path) -> None:
    """Pages name only search/entry.json, so editing one episode's tags changes the index and
    the entry but leaves the bytes of an unrelated episode page alone (incremental builds and
    the writer that skips unchanged pages stay effective)."""
    site = build_search_site(tmp_path / "site")
    unrelated = "episodes/deploying-rails-apps/index.html"
    before = {p: (site.output / p).read_bytes() for p in (unrelated, "search/entry.json")}
    before_files = {p.relative_to(site.output) for p in (site.output / "search").rglob("*")}
    edited = site.content / "episodes" / "kubernetes-for-app-developers.md"
    text = edited.read_text(encoding="utf-8")
    edited.write_text(text.replace("\ntags:\n", "\ntags:\n- serverless-edge\n", 1), "utf-8")
    assert edited.read_text(encoding="utf-8") != text, "the tag edit applied"
    build = run_pelican(site.content, site.output)
    assert build.returncode == 0, build.stdout + build.stderr
    assert (site.output / unrelated).read_bytes() == before[unrelated], "unrelated page changed"
    assert (site.output / "search/entry.json").read_bytes() != before["search/entry.json"]
    after_files = {p.relative_to(site.output) for p in (site.output / "search").rglob("*")}
    new = sorted(str(p) for p in after_files - before_files)
    assert any("index." in p for p in new), new  # a new hashed index
    assert not any(p.startswith("search/docs/") for p in new), f"no store shard changed: {new}"
    indexes = sorted(p.name for p in (site.output / "search").glob("index.*.json"))
    assert len(indexes) == 1, f"the previous build's index is removed: {indexes}"


def test_search_page_without_javascript_leads_to_topics_and_shows(search_site: BuiltSite) -> None:
    page = BeautifulSoup(search_site.html("search/index.html"), "html.parser")
    hrefs = [a["href"] for a in page.select("main a[href]")]
    assert any("topics/kubernetes/" in h for h in hrefs)
    assert any("shows/" in h for h in hrefs)
    assert page.select_one("#search-page noscript")
    assert page.select_one('link[href$="theme/css/search.css"]'), "base.html links search.css"
