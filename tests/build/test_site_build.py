"""A real ingest + Pelican build of a slice of the sample dump, checked through its HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml
from bs4 import BeautifulSoup

from tests.conftest import BuiltSite


def front_matter(path: Path) -> dict:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---\n", 2)[1])


def episodes(site: BuiltSite) -> list[dict]:
    return [front_matter(p) for p in sorted((site.content / "episodes").glob("*.md"))]


def soup(site: BuiltSite, relative: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(relative), "html.parser")


def resolve(site: BuiltSite, page: str, href: str) -> Path:
    """Where a relative link on ``page`` (a path under output/) points on disk."""
    target = (site.output / page).parent / href.split("#")[0].split("?")[0]
    return target / "index.html" if href.endswith("/") or target.is_dir() else target


def test_every_ingested_episode_is_built(sample_site: BuiltSite) -> None:
    records = episodes(sample_site)
    assert len(records) >= 8, "the slice holds at least eight distinct episodes"
    processed = re.search(r"Processed (\d+) articles?", sample_site.log)
    assert processed and int(processed.group(1)) == len(records), sample_site.log
    for record in records:
        page = sample_site.output / "episodes" / record["slug"] / "index.html"
        assert page.exists(), record["slug"]
        assert (
            soup(sample_site, f"episodes/{record['slug']}/index.html").h1.get_text(strip=True)
            == record["title"]
        )


def test_home_lists_newest_episodes_with_links_that_resolve(sample_site: BuiltSite) -> None:
    home = soup(sample_site, "index.html")
    titles = {record["title"] for record in episodes(sample_site)}
    linked = [a for a in home.select("main a[href]") if a.get_text(strip=True) in titles]
    assert linked, "home page links to episodes"
    for anchor in linked:
        assert resolve(sample_site, "index.html", anchor["href"]).exists(), anchor["href"]


def test_tag_pages_exist_and_link_back_to_their_episodes(sample_site: BuiltSite) -> None:
    tagged = [record for record in episodes(sample_site) if record.get("tags")]
    assert tagged, "ingest tags at least one episode of the slice"
    for record in tagged:
        page = f"episodes/{record['slug']}/index.html"
        for slug in record["tags"]:
            topic_page = sample_site.output / "topics" / slug / "index.html"
            assert topic_page.exists(), slug
            topic = BeautifulSoup(topic_page.read_text(encoding="utf-8"), "html.parser")
            hrefs = [a["href"] for a in topic.select("main a[href]")]
            assert any(f"episodes/{record['slug']}/" in href for href in hrefs), slug
        episode = soup(sample_site, page)
        topic_links = [a["href"] for a in episode.select("main a[href*='topics/']")]
        for slug in record["tags"]:
            assert any(f"topics/{slug}/" in href for href in topic_links), (page, slug)
        for href in topic_links:
            assert resolve(sample_site, page, href).exists(), href


def test_topics_index_lists_every_tag(sample_site: BuiltSite) -> None:
    used = {slug for record in episodes(sample_site) for slug in record.get("tags", [])}
    index = soup(sample_site, "topics/index.html")
    hrefs = {a["href"].rstrip("/").rsplit("/", 1)[-1] for a in index.select("main a[href]")}
    assert used <= hrefs


def test_search_index_is_referenced_and_loads_in_lunr_py(sample_site: BuiltSite) -> None:
    form = soup(sample_site, "index.html").select_one("form[data-entry]")
    assert form is not None, "the search form names the search entry file"
    entry_path = resolve(sample_site, "index.html", form["data-entry"])
    entry = json.loads(entry_path.read_text(encoding="utf-8"))  # names the hashed files
    for key in ("index", "lunr"):
        path = entry_path.parent / entry[key]
        assert path.exists(), entry[key]
        assert re.search(r"\.[0-9a-f]{12}\.(json|js)$", path.name), "content hash in the name"
    index = json.loads((entry_path.parent / entry["index"]).read_text(encoding="utf-8"))
    titles = []
    for name in index["shards"]["files"]:  # the store, sharded; columns per shard
        titles += json.loads((entry_path.parent / name).read_text(encoding="utf-8"))["title"]
    assert index["n"] == len(titles) == len(episodes(sample_site))


def test_pages_use_the_projects_theme_and_no_raw_html_from_blurbs(sample_site: BuiltSite) -> None:
    for page in sample_site.output.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert "theme/css/" in html, page
        assert "<script>" not in html and "javascript:" not in html.lower(), page
