"""Theme fixtures: a small site built from hand-written episodes (tests/fixtures/theme_episodes),
in the local (relative URLs) and the production (absolute URLs, publishconf.py) flavour.

The hand-written episodes carry every front-matter key the theme renders plus hostile strings,
so the theme's escaping and link allow-listing are tested even where the sample dump has none.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import (
    FIXTURES,
    SAMPLE_SLICE,
    BuiltSite,
    build_site,
    prepare_content,
    run_pelican,
)

THEME_EPISODES = FIXTURES / "theme_episodes"
PUBLISH_URL = "https://digest.example.org/sub"


def build_theme_site(workdir: Path, publish: bool = False) -> BuiltSite:
    content = prepare_content(workdir)
    for episode in THEME_EPISODES.glob("*.md"):
        if episode.name != "README.md":
            shutil.copy(episode, content / "episodes" / episode.name)
    output = workdir / "output"
    kwargs = {"settings": "publishconf.py", "env": {"SITEURL": PUBLISH_URL, "CNAME": ""}}
    build = run_pelican(content, output, **(kwargs if publish else {}))
    assert build.returncode == 0, f"pelican failed:\n{build.stdout}\n{build.stderr}"
    return BuiltSite(content=content, output=output, log=build.stdout + build.stderr)


@pytest.fixture(scope="session")
def theme_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_theme_site(tmp_path_factory.mktemp("theme-site"))


@pytest.fixture(scope="session")
def published_theme_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_theme_site(tmp_path_factory.mktemp("theme-site-published"), publish=True)


@pytest.fixture(scope="session")
def published_sample_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The sample slice built for production (publishconf.py, absolute URLs)."""
    return build_site(
        tmp_path_factory.mktemp("sample-site-published"),
        [SAMPLE_SLICE],
        settings="publishconf.py",
        env={"SITEURL": PUBLISH_URL, "CNAME": ""},
    )
