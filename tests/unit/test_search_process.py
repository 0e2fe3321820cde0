"""The search index built in a forked process (issue 9) against the in-process build.

``build_index`` forks a process that builds the index from the records and writes the files
while the build goes on; ``write_files`` waits for it. It must leave exactly the files and the
search cache the in-process path (``SEARCH_PROCESS = False``) leaves, and when it fails the
parent must build the same files itself.
"""

from __future__ import annotations

import logging
import os
import pickle
from pathlib import Path
from types import SimpleNamespace

import pytest

from plugins.search_index import search_index as si

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


class _Article:
    """What ``_compute`` reads of an article: its URL (read at completion, as in a build)."""

    def __init__(self, url: str, fail_in_child: bool = False) -> None:
        self._url, self._parent, self._fail = url, os.getpid(), fail_in_child

    @property
    def url(self) -> str:
        if self._fail and os.getpid() != self._parent:
            raise RuntimeError("broken in the index process")
        return self._url


def _state(tmp: Path, fail_in_child: bool = False) -> tuple:
    topics = [si.TopicInfo("kubernetes", "Kubernetes", "topics/kubernetes/", ("k8s",)),
              si.TopicInfo("ci-cd", "CI/CD", "topics/ci-cd/")]  # fmt: skip
    records, htmls, articles = [], [], []
    for i in range(23):
        records.append(
            si.SearchRecord(
                title=f"Episode {i}: platform café {i * 7}",
                url="",
                date=f"2024-01-{i % 28 + 1:02d}",
                show=f"Show {i % 3}",
                show_url=f"shows/show-{i % 3}/",
                topics=topics[: i % 3],
                guests=[f"Guest {i}"],
                summary=f"Summary {i} about deploys",
            )
        )
        htmls.append(f"<p>Summary {i} about deploys</p><p>Body {i} &amp; more text {i * 3}</p>")
        articles.append(_Article(f"episodes/e{i}/", fail_in_child))
    settings = {"CACHE_PATH": str(tmp / "cache"), "SEARCH_SHARD_DOCS": 4}
    return (settings, "search", articles, records, htmls, [], b"lunr();", 0.0)


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def _reference(tmp: Path) -> tuple[dict[str, bytes], dict]:
    """The in-process path: ``write_files`` with no index process."""
    si._pending.clear()
    si._pending["state"] = _state(tmp)
    si.write_files(SimpleNamespace(settings={}, output_path=str(tmp / "out")))
    return _tree(tmp / "out"), pickle.loads((tmp / "cache" / si.CACHE_NAME).read_bytes())


def test_index_process_writes_the_in_process_files_and_cache(tmp_path):
    files, cache = _reference(tmp_path / "reference")
    assert any(name.startswith("search/index.") for name in files)

    work = tmp_path / "process"
    state = _state(work)
    si._pending.clear()
    si._pending["state"] = state
    worker = si._IndexProcess.start(str(work / "out"), state)
    message = worker.join()
    assert message is not None and message[1] == 23
    # the process wrote every file and the cache before the parent did anything
    assert _tree(work / "out") == files
    assert pickle.loads((work / "cache" / si.CACHE_NAME).read_bytes()) == cache


def test_write_files_waits_for_the_process(tmp_path, caplog):
    files, _ = _reference(tmp_path / "reference")
    work = tmp_path / "process"
    state = _state(work)
    si._pending.clear()
    si._pending["state"] = state
    si._pending["worker"] = si._IndexProcess.start(str(work / "out"), state)
    with caplog.at_level(logging.INFO, logger=si.log.name):
        si.write_files(SimpleNamespace(settings={}, output_path=str(work / "out")))
    assert _tree(work / "out") == files
    assert not si._pending
    assert any("23 episodes" in r.getMessage() for r in caplog.records)


def test_a_failed_process_leaves_the_parent_to_build_the_same_files(tmp_path, caplog):
    files, cache = _reference(tmp_path / "reference")
    work = tmp_path / "process"
    state = _state(work, fail_in_child=True)
    si._pending.clear()
    si._pending["state"] = state
    si._pending["worker"] = si._IndexProcess.start(str(work / "out"), state)
    with caplog.at_level(logging.INFO, logger=si.log.name):
        si.write_files(SimpleNamespace(settings={}, output_path=str(work / "out")))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("broken in the index process" in w for w in warnings)
    assert _tree(work / "out") == files
    assert pickle.loads((work / "cache" / si.CACHE_NAME).read_bytes()) == cache


def _records_reference(articles, taxonomy):
    """The records built without sharing TopicInfo and show URLs (the loop before the memo)."""
    records = []
    for article in articles:
        topics = []
        for tag in getattr(article, "tags", None) or []:
            known = taxonomy.get(tag.slug)
            topics.append(
                si.TopicInfo(
                    slug=tag.slug,
                    name=known.name if known else tag.name,
                    url=tag.url,
                    aliases=tuple(known.aliases) if known else (),
                )
            )
        show = getattr(article, "show", "") or ""
        category = getattr(article, "category", None)
        records.append(
            si.SearchRecord(
                title=article.title,
                url="",
                date=si._iso_day(article.date),
                show=show,
                show_url=category.url if show and category is not None else "",
                topics=topics,
                guests=list(getattr(article, "guests", None) or []),
                summary=getattr(article, "summary_text", "") or "",
                body="",
            )
        )
    return records


def test_records_share_topic_infos_and_show_urls_with_the_same_values():
    """Tags and categories shared between articles, distinct objects with the same slug (and a
    different name or URL), taxonomy names and aliases, articles without show or category."""
    import datetime

    class Wrapper(SimpleNamespace):
        pass

    taxonomy = {"k8s": SimpleNamespace(name="Kubernetes", aliases=["k8s", "kube"])}
    tags = [Wrapper(slug="k8s", name="k8s", url="topics/k8s/"),
            Wrapper(slug="ci", name="CI", url="topics/ci/"),
            Wrapper(slug="ci", name="C.I.", url="topics/ci-2/")]  # fmt: skip
    shows = [Wrapper(url="shows/a/"), Wrapper(url="shows/b/"), Wrapper(url="shows/a-2/")]
    articles = []
    for i in range(40):
        articles.append(
            SimpleNamespace(
                title=f"T{i}", date=datetime.datetime(2024, 1, 1 + i % 28),
                tags=[tags[j] for j in range(3) if (i >> j) & 1],
                show=["", "Show A", "Show B"][i % 3], category=shows[i % 3] if i % 5 else None,
                guests=[f"G{i}"] if i % 2 else None, summary_text=f"S{i}",
            )
        )  # fmt: skip
    fast = si._records(articles, taxonomy, deferred=True)
    assert fast == _records_reference(articles, taxonomy)
    assert any(len(r.topics) == 3 for r in fast) and any(r.show_url for r in fast)
