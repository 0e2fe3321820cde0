"""Browser fixtures for the theme tests: the sample site, served once per worker."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml

from tests.conftest import BuiltSite, serve


@dataclass
class ServedSite:
    site: BuiltSite
    base: str

    def pages(self) -> dict[str, str]:
        """Paths of the page types the issue names, picked from the built site."""
        out = self.site.output
        episodes = []
        for path in sorted((self.site.content / "episodes").glob("*.md")):
            front = yaml.safe_load(path.read_text(encoding="utf-8").split("---\n", 2)[1])
            episodes.append(front)
        richest = max(
            episodes,
            key=lambda e: (bool(e.get("chapters")), bool(e.get("links")), len(e.get("tags") or [])),
        )
        topics = sorted(p.parent.name for p in (out / "topics").glob("*/index.html"))
        shows = sorted(p.parent.name for p in (out / "shows").glob("*/index.html"))
        return {
            "home": "/",
            "episode": f"/episodes/{richest['slug']}/",
            "topic": f"/topics/{topics[0]}/",
            "topics": "/topics/",
            "shows": "/shows/",
            "show": f"/shows/{shows[0]}/",
            "search": "/search/",
            "archive": "/archive/",
            "stats": "/stats/",
            "about": "/about/",
            "404": "/404.html",
        }


@pytest.fixture(scope="session")
def served_site(sample_site: BuiltSite) -> Iterator[ServedSite]:
    with serve(sample_site.output) as base:
        yield ServedSite(sample_site, base)
