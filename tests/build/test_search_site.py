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


def test_every_page_names_hashed_files_relative_to_itself(search_site: BuiltSite) -> None:
    for page in ("index.html", "episodes/deploying-rails-apps/index.html", "search/index.html"):
        form = _form(search_site, page)
        for key in ("index", "store", "lunr", "worker"):
            href = form[f"data-{key}"]
            assert not href.startswith(("/", "http")), f"{page}: {href} must be relative"
            target = (search_site.output / page).parent / href
            assert target.resolve().exists(), f"{page}: {href}"
        for key in ("index", "store", "lunr"):
            assert re.search(r"\.[0-9a-f]{12}\.(json|js)$", form[f"data-{key}"]), key


def test_index_and_store_cover_every_episode(search_site: BuiltSite) -> None:
    form = _form(search_site, "index.html")
    base = search_site.output
    payload = json.loads((base / form["data-index"]).read_text(encoding="utf-8"))
    store = json.loads((base / form["data-store"]).read_text(encoding="utf-8"))
    episodes = len(list(SEARCH_EPISODES.glob("*.md")))
    assert payload["n"] == len(store) == episodes
    for row in store:
        assert (base / row["url"] / "index.html").exists(), row["url"]
        assert len(row["summary"]) <= 161
    aliases = payload["tables"]["aliases"]
    names = {t[0]: t[1] for t in payload["tables"]["topicList"]}
    assert payload["tables"]["topicList"][aliases["k8s"]][0] == "kubernetes"
    assert payload["tables"]["topicList"][aliases["12factor"]][0] == "twelve-factor"
    assert names["kubernetes"] == "Kubernetes"
    index = load_index(expand(payload))
    top = index.search("deploy")[0]
    assert store[int(top["ref"])]["url"] == "episodes/deploying-rails-apps/"
    assert index.search("journey"), "vowel + y words are found (lunr.js stemming at build time)"
    assert "🚀" not in json.dumps(payload, ensure_ascii=False), "non-BMP text is normalised away"


def test_search_page_without_javascript_leads_to_topics_and_shows(search_site: BuiltSite) -> None:
    page = BeautifulSoup(search_site.html("search/index.html"), "html.parser")
    hrefs = [a["href"] for a in page.select("main a[href]")]
    assert any("topics/kubernetes/" in h for h in hrefs)
    assert any("shows/" in h for h in hrefs)
    assert page.select_one("#search-page noscript")
    assert page.select_one('link[href$="theme/css/search.css"]'), "base.html links search.css"
