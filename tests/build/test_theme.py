"""The theme on real builds: pages, episode details, escaping, sizes, language, feeds, sharing.

Every test runs on the sample slice (real ingest + Pelican build) and on the hand-written theme
fixture (tests/fixtures/theme_episodes: hostile strings, a transcript, an estimated date, no
show); production-only checks (absolute URLs) run on a publishconf.py build of the fixture.
"""

from __future__ import annotations

import gzip
import json
import re
import time
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

from tests.build.conftest import PUBLISH_URL
from tests.conftest import ROOT, BuiltSite

CSS = ROOT / "theme" / "static" / "css"


@pytest.fixture(params=["sample_site", "theme_site"])
def site(request) -> BuiltSite:
    return request.getfixturevalue(request.param)


def episodes(site: BuiltSite) -> list[dict]:
    records = []
    for path in sorted((site.content / "episodes").glob("*.md")):
        text = path.read_text(encoding="utf-8")
        record = yaml.safe_load(text.split("---\n", 2)[1])
        record.setdefault("slug", path.stem)
        records.append(record)
    assert records, "the site has episodes"
    return records


def soup(site: BuiltSite, relative: str) -> BeautifulSoup:
    return BeautifulSoup(site.html(relative), "html.parser")


def episode_page(site: BuiltSite, record: dict) -> BeautifulSoup:
    return soup(site, f"episodes/{record['slug']}/index.html")


def resolve(site: BuiltSite, page: str, href: str) -> Path:
    target = (site.output / page).parent / href.split("#")[0]
    return target / "index.html" if href.endswith("/") or target.is_dir() else target


def gz_size(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9))


# --- Pages ------------------------------------------------------------------------------------


def test_every_page_type_is_built(site: BuiltSite) -> None:
    pages = ["index.html", "topics/index.html", "shows/index.html", "archive/index.html",
             "search/index.html", "about/index.html", "404.html", "stats/index.html"]  # fmt: skip
    for page in pages:
        assert (site.output / page).exists(), page
    records = episodes(site)
    dated = [r for r in records if not r.get("date_estimated")]
    for record in dated:
        date = str(record["date"])
        assert (site.output / "archive" / date[:4] / "index.html").exists(), date
        assert (site.output / "archive" / date[:4] / date[5:7] / "index.html").exists(), date
    for slug in {tag for r in records for tag in r.get("tags") or []}:
        assert (site.output / "topics" / slug / "index.html").exists(), slug


def test_home_cards_show_title_show_date_topics_summary(site: BuiltSite) -> None:
    home = soup(site, "index.html")
    assert home.select_one("main h1"), "home has a heading"
    cards = home.select("main article.card")
    records = {r["title"]: r for r in episodes(site)}
    assert cards and len(cards) <= 20, "home lists a page of episodes"
    for card in cards:
        title = card.select_one(".card-title a")
        record = records[title.get_text()]
        assert resolve(site, "index.html", title["href"]).exists()
        meta = card.select_one(".meta").get_text(" ", strip=True)
        if record.get("date_estimated"):
            assert "Date unknown" in meta and not card.select("time")
        else:
            assert card.select_one("time")["datetime"] == str(record["date"])[:10]
        show_link = card.select_one(".meta a.show")
        if record.get("show"):
            # The link names the show as its page does (the registry may canonicalise names).
            target = resolve(site, "index.html", show_link["href"])
            show_page = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            assert show_link.get_text() == show_page.select_one("main h1").get_text()
        else:
            assert show_link is None, "an episode without a show links no show"
        chips = [a.get_text() for a in card.select(".chips a")]
        assert len(chips) == len(record.get("tags") or [])
        for chip in card.select(".chips a"):
            assert resolve(site, "index.html", chip["href"]).exists()
        if record.get("summary"):
            assert card.select_one(".card-summary").get_text()[:40] == record["summary"][:40]


def test_episode_page_shows_everything_the_front_matter_has(site: BuiltSite) -> None:
    records = episodes(site)
    for record in records:
        page = episode_page(site, record)
        path = f"episodes/{record['slug']}/index.html"
        article = page.select_one("main article.episode")
        assert article.h1.get_text() == record["title"]
        header = article.select_one(".episode-header").get_text(" ", strip=True)
        if record.get("show"):
            link = article.select_one(".eyebrow a")
            target = resolve(site, path, link["href"])
            show_page = BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
            assert link.get_text() == show_page.select_one("main h1").get_text()
        else:
            assert "Not identified" in header
            assert not [a for a in page.select("main a") if "Unknown show" in a.get_text()]
        if record.get("date_estimated"):
            assert "Date unknown" in header
        else:
            assert article.select_one(".facts time")["datetime"] == str(record["date"])[:10]
        for guest in record.get("guests") or []:
            assert guest in header
        for tag in record.get("tags") or []:
            assert page.select_one(f'.episode-header .chips a[href$="topics/{tag}/"]'), tag
        chapters = article.select(".chapters li")
        assert len(chapters) == len(record.get("chapters") or [])
        for item, chapter in zip(chapters, record.get("chapters") or [], strict=True):
            assert item.select_one("time, .ts").get_text() == str(chapter["time"])
            assert item.select_one(".chapter-label").get_text() == chapter["label"]
        if record.get("links"):
            assert article.select(".links li")
        if record.get("truncated"):
            assert article.select_one(".notice")
        assert article.select_one(".notes")
        headings = [h.get_text(strip=True).lower() for h in article.select("h2")]
        assert headings.count("show notes") == 1, f"{record['slug']}: {headings}"
        assert headings.count("transcript") == 0, "a transcript heading moves into <details>"
    # Related episodes and previous/next link to real pages.
    with_related = 0
    for record in records:
        path = f"episodes/{record['slug']}/index.html"
        page = episode_page(site, record)
        for anchor in page.select(".related a, .prev-next a"):
            assert resolve(site, path, anchor["href"]).exists(), anchor["href"]
        with_related += bool(page.select(".related li"))
        assert page.select(".prev-next a"), "every episode has an older or a newer neighbour"
    assert with_related >= len(records) // 2, "most episodes have related episodes"


def test_related_episodes_prefer_shared_topics(theme_site: BuiltSite) -> None:
    page = soup(theme_site, "episodes/heroku-fir-kubernetes/index.html")
    related = [a["href"] for a in page.select(".related li a")]
    # Twelve-Factor shares two topics (heroku, twelve-factor); the others share one or none.
    assert related and "twelve-factor-open-source" in related[0]


def test_topic_and_show_pages_list_their_episodes(site: BuiltSite) -> None:
    records = episodes(site)
    for slug in {tag for r in records for tag in r.get("tags") or []}:
        page = soup(site, f"topics/{slug}/index.html")
        titles = {a.get_text() for a in page.select("main .card-title a")}
        expected = {r["title"] for r in records if slug in (r.get("tags") or [])}
        assert expected <= titles or len(titles) == 20, slug
        assert page.select_one('link[rel="alternate"][type="application/atom+xml"]')
    topics_index = soup(site, "topics/index.html")
    assert len(topics_index.select("main .term-grid li")) == len(
        {tag for r in records for tag in r.get("tags") or []}
    )
    shows_index = soup(site, "shows/index.html")
    names = {a.select_one(".term-name").get_text() for a in shows_index.select(".term-grid li a")}
    linked = {
        episode_page(site, r).select_one(".eyebrow a").get_text() for r in records if r.get("show")
    }
    assert names == linked, "the shows index lists exactly the shows episodes link to"


def test_stats_page_has_four_svg_charts_each_with_a_table(site: BuiltSite) -> None:
    page = soup(site, "stats/index.html")
    charts = page.select("main svg.chart")
    assert len(charts) == 4
    for chart in charts:
        assert chart.get("role") == "img"
        ids = chart["aria-labelledby"].split()
        assert all(chart.find(id=i) and chart.find(id=i).get_text() for i in ids)
        assert chart.find("rect"), "the chart draws something"
        section = chart.find_parent("section")
        assert section.select("table tbody tr"), "each chart has a table alternative"
    assert not page.select("script:not([src])"), "no inline script on the stats page"
    topics_table = charts[0].find_parent("section").select("tbody tr")
    counts = {}
    for record in episodes(site):
        for tag in record.get("tags") or []:
            counts[tag] = counts.get(tag, 0) + 1
    assert sorted(int(row.td.get_text()) for row in topics_table) == sorted(counts.values())


# --- Escaping and links ----------------------------------------------------------------------


def test_scraped_strings_are_escaped_and_bad_links_dropped(theme_site: BuiltSite) -> None:
    for path in theme_site.output.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert" not in html, path
        assert "<img src=x" not in html, path
        assert not re.search(r'href="\s*(javascript|data):', html, re.I), path
        assert "<b>bold</b>" not in html, path
    page = soup(theme_site, "episodes/heroku-to-fly-io/index.html")
    assert (
        page.h1.get_text()
        == "Moving a side project from Heroku to fly.io <script>alert(1)</script>"
    )
    labels = [li.get_text(strip=True) for li in page.select(".links li")]
    # The reader may drop a disallowed link; if it reaches the theme, it is plain text.
    assert not {"<b>bold</b> label", "data URL"} & {a.get_text() for a in page.select(".links a")}
    assert "Fountain Pen Companion" in labels
    assert [a["href"] for a in page.select(".links a")] == ["https://www.fountainpencompanion.com/"]
    ld = json.loads(page.select_one('script[type="application/ld+json"]').string)
    assert "datePublished" not in ld, "an estimated date is not published as a date"


def test_transcript_is_folded_and_excluded_from_the_size_budget(site: BuiltSite) -> None:
    worst = 0
    for record in episodes(site):
        html = site.html(f"episodes/{record['slug']}/index.html")
        page = BeautifulSoup(html, "html.parser")
        for details in page.select("details.transcript"):
            assert details.summary.get_text(strip=True) == "Transcript"
            assert "open" not in details.attrs
            details.decompose()
        worst = max(worst, gz_size(str(page).encode()))
    assert worst <= 30 * 1024, f"episode page {worst} bytes gzipped"


def test_transcript_section_goes_into_details(theme_site: BuiltSite) -> None:
    page = soup(theme_site, "episodes/adam-wiggins-developer-experience/index.html")
    details = page.select_one("details.transcript")
    assert details and "git push" in details.get_text()
    assert "git push" not in page.select_one(".notes").get_text()


def test_css_is_small(site: BuiltSite) -> None:
    total = b"".join(p.read_bytes() for p in sorted((site.output / "theme" / "css").glob("*.css")))
    assert gz_size(total) <= 15 * 1024, f"CSS is {gz_size(total)} bytes gzipped"
    assert gz_size((CSS / "site.css").read_bytes()) <= 15 * 1024


def test_no_inline_styles_or_scripts_and_no_external_hosts(site: BuiltSite) -> None:
    for path in site.output.rglob("*.html"):
        page = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        assert not page.select("[style]"), f"{path}: inline style attribute"
        assert not page.select("style"), f"{path}: <style> element"
        for script in page.select("script"):
            assert script.get("src") or script.get("type") == "application/ld+json", path
        for tag in page.select("script[src], link[href], img[src]"):
            url = tag.get("src") or tag.get("href")
            if tag.name == "link" and tag.get("rel") in (["canonical"], ["alternate"]):
                continue
            assert not urlsplit(url).netloc, f"{path}: loads {url}"
        assert page.select_one('meta[http-equiv="Content-Security-Policy"]'), path


# --- Language --------------------------------------------------------------------------------


def test_html_lang_and_episode_lang(site: BuiltSite) -> None:
    assert soup(site, "index.html").html["lang"] == "en"
    languages = {}
    for record in episodes(site):
        page = episode_page(site, record)
        assert page.html["lang"] == "en"
        language = record.get("language") or "en"
        article = page.select_one("article.episode")
        assert article.get("lang", "en") == language, record["slug"]
        languages[record["slug"]] = language
    assert "pt" in languages.values(), "the Portuguese episode is in the site"


# --- Feeds -----------------------------------------------------------------------------------


def feed_files(site: BuiltSite) -> list[Path]:
    feeds = site.output / "feeds"
    files = [feeds / "all.atom.xml", feeds / "all.rss.xml"]
    topics = sorted((feeds / "topics").glob("*.atom.xml"))
    shows = sorted((feeds / "shows").glob("*.atom.xml"))
    assert topics and shows, "per-topic and per-show feeds are written"
    return files + topics + shows


def test_feeds_parse_with_absolute_urls_and_right_dates(site: BuiltSite) -> None:
    records = {r["slug"]: r for r in episodes(site)}
    for path in feed_files(site):
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, f"{path}: {feed.get('bozo_exception')}"
        assert feed.entries, path
        for entry in feed.entries:
            slug = entry.link.rstrip("/").rsplit("/", 1)[-1]
            record = records[slug]
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            assert time.strftime("%Y-%m-%d", stamp) == str(record["date"])[:10], entry.link


# --- Sharing and search engines ----------------------------------------------------------------


def test_canonical_description_opengraph_twitter_jsonld(site: BuiltSite) -> None:
    for record in episodes(site):
        page = episode_page(site, record)
        canonical = page.select_one('link[rel="canonical"]')["href"]
        assert canonical.endswith(f"/episodes/{record['slug']}/")
        assert urlsplit(canonical).scheme in ("http", "https")
        description = page.select_one('meta[name="description"]')["content"]
        if record.get("summary"):
            assert description[:60] == record["summary"][:60]
        og = {m["property"]: m["content"] for m in page.select("meta[property^='og:']")}
        assert og["og:title"] == record["title"] and og["og:url"] == canonical
        assert og["og:type"] == "article" and og["og:description"]
        assert page.select_one('meta[name="twitter:card"]')["content"] == "summary"
        assert page.select_one('meta[name="twitter:title"]')["content"] == record["title"]
        ld = json.loads(page.select_one('script[type="application/ld+json"]').string)
        assert ld["@type"] == "PodcastEpisode" and ld["name"] == record["title"]
        assert ld["url"] == canonical
        if record.get("show"):
            assert ld["partOfSeries"]["name"] == page.select_one(".eyebrow a").get_text()
        if not record.get("date_estimated"):
            assert ld["datePublished"] == str(record["date"])[:10]


def test_sitemap_and_robots(site: BuiltSite) -> None:
    sitemap = site.html("sitemap.xml")
    for record in episodes(site):
        assert f"episodes/{record['slug']}/</loc>" in sitemap
    assert "404.html" not in sitemap
    robots = site.html("robots.txt")
    assert "User-agent: *" in robots
    assert re.search(r"^Sitemap: https?://\S+/sitemap\.xml$", robots, re.M)


@pytest.fixture(params=["published_sample_site", "published_theme_site"])
def published(request) -> BuiltSite:
    return request.getfixturevalue(request.param)


def test_published_feeds_have_absolute_urls(published: BuiltSite) -> None:
    for path in feed_files(published):
        feed = feedparser.parse(path.read_bytes())
        assert feed.bozo == 0, f"{path}: {feed.get('bozo_exception')}"
        assert feed.feed.link.startswith(PUBLISH_URL + "/"), path
        for entry in feed.entries:
            assert entry.link.startswith(PUBLISH_URL + "/episodes/"), entry.link
            assert entry.id.startswith(("tag:", PUBLISH_URL)), entry.id


def test_production_build_uses_absolute_urls(published_theme_site: BuiltSite) -> None:
    site = published_theme_site
    page = soup(site, "episodes/heroku-fir-kubernetes/index.html")
    canonical = f"{PUBLISH_URL}/episodes/heroku-fir-kubernetes/"
    assert page.select_one('link[rel="canonical"]')["href"] == canonical
    assert page.select_one('meta[property="og:url"]')["content"] == canonical
    assert page.select_one('link[rel="stylesheet"]')["href"].startswith(PUBLISH_URL + "/")
    locs = re.findall(r"<loc>([^<]+)</loc>", site.html("sitemap.xml"))
    assert locs and all(loc.startswith(PUBLISH_URL + "/") for loc in locs)
    assert f"Sitemap: {PUBLISH_URL}/sitemap.xml" in site.html("robots.txt")
    feed = feedparser.parse((site.output / "feeds" / "all.atom.xml").read_bytes())
    assert feed.bozo == 0 and all(e.link.startswith(PUBLISH_URL + "/") for e in feed.entries)
