"""A real Pelican build of a few fixture episodes through plugins/topics.

In-process (``pelican.Pelican``) rather than a subprocess so the unknown-tag warning can be
caught from the logging system, and the template context (``topics``, ``shows``) inspected.
"""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]

EPISODES = {
    "heroku-fir.md": """---
title: Heroku Fir and the Twelve-Factor App
date: 2024-03-01
show: Software Engineering Daily
tags:
- heroku
- twelve-factor
---
Heroku re-platformed on Kubernetes.
""",
    "k8s-at-heroku.md": """---
title: Heroku moves to k8s
date: 2024-02-01
show: Software Engineering Daily
# hand-edited: an alias and a capitalised name
tags: [k8s, Heroku]
---
Kubernetes underneath Heroku.
""",
    "platform-teams.md": """---
title: Platform teams on Kubernetes
date: 2024-01-15
show: Some Unlisted Show
tags:
- Kubernetes
- platform-engineering
---
Paved roads.
""",
    "typo.md": """---
title: An episode with a typo in its tags
date: 2024-01-10
tags: [heroku, kubernets]
---
Oops.
""",
    "twelve-factor-again.md": """---
title: Twelve factors, twice
date: 2023-12-01
tags: [12-factor, Twelve Factor]
---
One topic, spelled two ways.
""",
}


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from pelican import Pelican, signals
    from pelican.settings import read_settings

    work = tmp_path_factory.mktemp("topics-site")
    content = work / "content"
    (content / "episodes").mkdir(parents=True)
    (content / "pages").mkdir()
    shutil.copy(ROOT / "content" / "topics.yml", content / "topics.yml")
    shutil.copy(ROOT / "content" / "shows.yml", content / "shows.yml")
    for name, text in EPISODES.items():
        (content / "episodes" / name).write_text(text, encoding="utf-8")
    output = work / "output"
    settings = read_settings(
        str(ROOT / "pelicanconf.py"),
        override={
            "PATH": str(content),
            "OUTPUT_PATH": str(output),
            "TOPICS_FILE": str(content / "topics.yml"),
            "SHOWS_FILE": str(content / "shows.yml"),
            "CACHE_CONTENT": False,
            "LOAD_CONTENT_CACHE": False,
            "DEFAULT_PAGINATION": 2,
        },
    )
    captured: dict = {}

    def grab(generator):
        captured["topics"] = generator.context.get("topics")
        captured["shows"] = generator.context.get("shows")

    pelican = Pelican(settings)  # registers the plugins' receivers first
    signals.article_generator_finalized.connect(grab)
    handler = _Collect()
    logging.getLogger().addHandler(handler)
    try:
        pelican.run()
    finally:
        logging.getLogger().removeHandler(handler)
        signals.article_generator_finalized.disconnect(grab)
    return {"output": output, "content": content, "log": handler.records, **captured}


def soup(site, rel: str) -> BeautifulSoup:
    return BeautifulSoup((site["output"] / rel).read_text(encoding="utf-8"), "html.parser")


def test_one_page_per_topic_whatever_the_spelling(site):
    topics = site["output"] / "topics"
    pages = sorted(p.name for p in topics.iterdir() if p.is_dir())
    assert "kubernetes" in pages and "twelve-factor" in pages and "heroku" in pages
    for alias in ("k8s", "12-factor", "twelve-factor-app", "Kubernetes"):
        assert alias not in pages


def test_topic_page_has_name_description_count_and_newest_first(site):
    page = soup(site, "topics/heroku/index.html")
    assert page.h1.get_text(strip=True) == "Heroku"
    assert "platform-as-a-service" in page.get_text()  # the taxonomy's description
    assert re.search(r"\b3 episodes\b", page.get_text())
    html = str(page)
    assert html.index("Heroku Fir and the Twelve-Factor App") < html.index("Heroku moves to k8s")
    # DEFAULT_PAGINATION=2: the third episode is on page 2, Pelican's own pagination
    assert (site["output"] / "topics/heroku/page/2/index.html").exists()
    assert "typo in its tags" in (site["output"] / "topics/heroku/page/2/index.html").read_text()


def test_related_topics_by_co_occurrence(site):
    page = soup(site, "topics/heroku/index.html")
    related = page.select(".related-topics a")
    names = [a.get_text(strip=True) for a in related]
    # one shared episode each; ties by name; a tag outside the taxonomy is never "related"
    assert names == ["Kubernetes", "Twelve-Factor App"]
    assert all(
        a["href"].rstrip("/").split("/")[-1] in {"kubernetes", "twelve-factor", "twelve-factor-app"}
        or "topics/" in a["href"]
        for a in related
    )
    heroku = next(t for t in site["topics"] if t.slug == "heroku")
    assert [t.slug for t in heroku.related][:2] == ["kubernetes", "twelve-factor"]


def test_topics_index_lists_every_topic_with_its_count(site):
    text = soup(site, "topics/index.html").get_text(" ", strip=True)
    assert re.search(r"Heroku 3 episodes", text)
    assert re.search(r"Kubernetes 2 episodes", text)
    assert re.search(r"Twelve-Factor App 2 episodes", text)


def test_context_topics_and_shows(site):
    topics = site["topics"]
    assert [t.name for t in topics] == sorted((t.name for t in topics), key=str.casefold)
    counts = {t.slug: t.count for t in topics}
    assert counts["heroku"] == 3 and counts["kubernetes"] == 2 and counts["twelve-factor"] == 2
    assert all(isinstance(t.description, str) for t in topics)
    shows = {c.slug: c for c in site["shows"]}
    sed = shows["software-engineering-daily"]
    assert sed.count == 2 and sed.homepage.startswith("https://softwareengineeringdaily.com")
    assert isinstance(sed.description, str)
    assert (site["output"] / "shows/software-engineering-daily/index.html").exists()
    assert (site["output"] / "shows/index.html").exists()


def test_per_topic_atom_feed(site):
    feed = feedparser.parse(str(site["output"] / "feeds/topics/heroku.atom.xml"))
    assert feed.bozo == 0, feed.bozo_exception
    assert len(feed.entries) == 3
    assert feed.entries[0].title == "Heroku Fir and the Twelve-Factor App"
    kube = feedparser.parse(str(site["output"] / "feeds/topics/kubernetes.atom.xml"))
    assert kube.bozo == 0 and len(kube.entries) == 2
    assert not (site["output"] / "feeds/topics/k8s.atom.xml").exists()


def test_unknown_tag_warns_naming_the_file(site):
    warnings = [r.getMessage() for r in site["log"] if "unknown topic" in r.getMessage()]
    assert len(warnings) == 1, warnings
    assert "typo.md" in warnings[0] and "kubernets" in warnings[0]


def test_resolve_tags_memo_matches_resolving_each_tag():
    """resolve_tags looks each tag spelling and show name up once per build: every article
    gets what resolving its own tags and show one by one gives (spellings repeat across
    articles in different orders, so a memo keyed wrongly mixes them up)."""
    from types import SimpleNamespace

    from pelican.settings import DEFAULT_CONFIG
    from pelican.urlwrappers import Category, Tag

    from digest.shows import load_shows, normalise_name
    from digest.taxonomy import load_taxonomy
    from plugins.topics import topics

    settings = {
        **DEFAULT_CONFIG,
        "TOPICS_FILE": str(ROOT / "content" / "topics.yml"),
        "SHOWS_FILE": str(ROOT / "content" / "shows.yml"),
    }
    spellings = ["k8s", "Kubernetes", "kubernetes", "Heroku", "heroku", "12-factor",
                 "Twelve Factor", "kubernets", "Platform Engineering"]  # fmt: skip
    shows = ["Software Engineering Daily", "software engineering daily", "Some Unlisted Show"]
    articles = []
    for i in range(12):
        names = [spellings[(i * 5 + j) % len(spellings)] for j in range(1 + i % 4)]
        articles.append(
            SimpleNamespace(
                source_path=f"episode-{i}.md",
                tags=[Tag(name, settings) for name in names],
                category=Category(shows[i % len(shows)], settings),
                metadata={},
            )
        )
    expected_tags = []
    taxonomy = load_taxonomy(ROOT / "content" / "topics.yml")
    registry = {
        normalise_name(n): s for s in load_shows(ROOT / "content" / "shows.yml").shows
        for n in s.names
    }  # fmt: skip
    expected_shows = []
    for article in articles:
        slugs: list[str] = []
        for tag in article.tags:
            slug = taxonomy.resolve(tag.name) or tag.slug
            if slug not in slugs:
                slugs.append(slug)
        expected_tags.append(slugs)
        show = registry.get(normalise_name(article.category.name))
        expected_shows.append(show.slug if show else article.category.slug)
    generator = SimpleNamespace(settings=settings, articles=articles, translations=[])
    topics.resolve_tags(generator)
    assert [[t.slug for t in a.tags] for a in articles] == expected_tags
    assert [a.category.slug for a in articles] == expected_shows
