"""Rebuilds after an editor's edits (issue 9): a title, a body, a show, the taxonomy's wording.

Each edit reaches pages through a different reuse path: the render cache's keys (an episode's
own page, the cards and related lists that show it, the show and topic pages), related's
cached text matrix and token cache (a new text is tokenised, the others' tokens reused), and
the search index. After each one the rebuilt folder must hold a clean build's bytes.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import assert_same_site, build_warm, ingested_sample_slice, site_tree


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return ingested_sample_slice(tmp_path_factory.mktemp("edits"))


def _episode(content: Path) -> Path:
    """An episode with tags (so it has related episodes and shows in their lists)."""
    episodes = sorted((content / "episodes").glob("*.md"))
    return next(p for p in episodes[len(episodes) // 2 :] if "\ntags:\n- " in p.read_text())


def _edit_title(content: Path) -> bytes:
    episode = _episode(content)
    text = episode.read_text()
    episode.write_text(re.sub(r"\ntitle: ", "\ntitle: Retitled ", text, count=1))
    return b"Retitled "


def _edit_body(content: Path) -> bytes:
    # another episode's summary, twice, at the top of the notes: a new text for related
    # (tokenised, text matrix recomputed) close to that episode's, so the rankings move
    episode = _episode(content)
    episodes = sorted((content / "episodes").glob("*.md"))
    other = next(p for p in episodes if p != episode and "\nsummary: " in p.read_text())
    summary = re.search(r"\nsummary: ([^\n]*)", other.read_text()).group(1).strip("'\"")
    head, body = episode.read_text().split("\n---\n", 1)
    notes = f"Quokka notes. {summary} {summary}"
    episode.write_text(f"{head}\n---\n{notes}\n\n{body}")
    return b"Quokka notes."


def _edit_show(content: Path) -> bytes:
    episode = _episode(content)
    text = episode.read_text()
    assert "\nshow: " in text
    episode.write_text(re.sub(r"\nshow: [^\n]*", "\nshow: The Edited Show", text, count=1))
    return b"The Edited Show"


def _edit_taxonomy(content: Path) -> bytes:
    topics = content / "topics.yml"
    text = topics.read_text()
    assert "    description: >\n" in text
    topics.write_text(text.replace("    description: >\n", "    description: >\n      Edited.", 1))
    return b"Edited."


EDITS: dict[str, Callable[[Path], bytes]] = {
    "title": _edit_title,
    "body": _edit_body,
    "show": _edit_show,
    "taxonomy": _edit_taxonomy,
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_rebuild_after_an_edit_matches_clean_build(content, tmp_path, edit):
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "out"
    build_warm(edited, output)
    before = site_tree(output)
    marker = EDITS[edit](edited)
    build_warm(edited, output)
    rebuilt = site_tree(output)
    # the edit shows, on more than one page (cards, related lists, listings)
    assert sum(marker in data for data in rebuilt.values()) > 1
    assert not any(marker in data for data in before.values())
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean)
    assert_same_site(site_tree(clean), rebuilt)
