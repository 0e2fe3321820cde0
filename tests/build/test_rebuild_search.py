"""The search index on a rebuild (issue 9): term counts reused under a key of the body's HTML,
records completed at ``finalized`` with the URLs fast_build froze, must give the files a clean
build with the reference path (records whole at ``article_generator_finalized``, keyed by their
plain text: ``search_index.DEFER = False``) writes.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ingested_sample_slice, run_with_flags

WARM = {"CACHE_CONTENT": "true", "LOAD_CONTENT_CACHE": "true"}
REFERENCE = {"search_index.search_index.DEFER": False}


def _search_tree(output: Path) -> dict[str, bytes]:
    folder = output / "search"
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = ingested_sample_slice(tmp_path_factory.mktemp("search-rebuild"))
    return content


def _edit(episodes: Path) -> None:
    """A new title, a new opening of the body and a swapped topic, on three episodes."""
    files = sorted(episodes.glob("*.md"))
    title, body, tag = files[1], files[len(files) // 2], files[-2]
    text = title.read_text(encoding="utf-8")
    title.write_text(re.sub(r"(?m)^title: .*$", "title: Zyzzyva platform rewrite", text, count=1))
    text = body.read_text(encoding="utf-8")
    front_end = text.index("\n---\n", 4) + 5
    body.write_text(text[:front_end] + "Quetzalcoatl deploys first.\n\n" + text[front_end:])
    text = tag.read_text(encoding="utf-8")
    first = text.split("\ntags:\n", 1)[1].splitlines()[0]
    tag.write_text(text.replace(f"\ntags:\n{first}\n", "\ntags:\n- developer-experience\n", 1))


def test_search_files_equal_the_reference_build(content, tmp_path):
    fast = tmp_path / "fast" / "out"
    run_with_flags(content, fast, {}, **WARM)
    reference = tmp_path / "reference" / "out"
    run_with_flags(content, reference, REFERENCE, **WARM)
    assert _search_tree(fast) == _search_tree(reference)


def test_rebuild_after_edits_reuses_counts_and_matches_a_clean_reference(content, tmp_path):
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "warm" / "out"
    run_with_flags(edited, output, {}, **WARM)
    before = _search_tree(output)
    _edit(edited / "episodes")
    run_with_flags(edited, output, {}, **WARM)
    rebuilt = _search_tree(output)
    reference = tmp_path / "reference" / "out"
    run_with_flags(edited, reference, REFERENCE, **WARM)
    clean = _search_tree(reference)
    assert rebuilt == clean
    assert rebuilt != before
    index = next(data for name, data in clean.items() if re.match(r"index\.[0-9a-f]+\.json$", name))
    assert b"zyzzyva" in index and b"quetzalcoatl" in index


def test_iso_day_equals_pelicans_strftime():
    """The store's dates bypass Pelican's per-directive strftime; same text for every day."""
    import datetime

    from pelican.utils import SafeDatetime

    from plugins.search_index.search_index import _iso_day

    start = SafeDatetime(1, 1, 1)
    days = [start + datetime.timedelta(days=n) for n in range(0, 740_000, 97)]
    days += [SafeDatetime(2024, 2, 29, 23, 59, tzinfo=datetime.UTC), datetime.date(2024, 5, 3)]
    for day in days:
        assert _iso_day(day) == day.strftime("%Y-%m-%d"), day
