"""plugins/markdown_reader's parallel reading changes build time only (issue 9).

Real Pelican builds of the sample slice plus hand-edited files (a broken one, one with unknown
keys): read in a fork pool (``MARKDOWN_READER_PROCESSES = 2``) and in one process (``= 1``) they
give the same output tree byte for byte and the same ``file:line: message`` reports; a broken
file read by a worker is still reported and skipped while every other page builds; a rebuild
with Pelican's content cache warm reads no file at all, and after one edit reads just that one.

The reader's own log (its ``file:line`` reports and its per-generator "read N files (W in worker
processes, S in this one)" line) is captured with a plain file handler that a small settings
file adds on top of pelicanconf.py, so nothing depends on Pelican's console formatting.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import (
    ROOT,
    ingested_sample_slice,
    run_pelican,
)

pytestmark = pytest.mark.slow

_LASTMOD = re.compile(rb"<lastmod>[^<]*</lastmod>")
_READ = re.compile(r"ArticlesGenerator read (\d+) files \((\d+) in worker processes, (\d+) in")

# line 4: the flow sequence is never closed (YAML reports it on line 4, 5 or 6)
BROKEN = "---\ntitle: Bad YAML\nslug: bad-yaml\ntags: [heroku, k8s\ndate: 2024-01-01\n---\nB\n"
UNKNOWN = "---\ntitle: Unknown keys\nslug: unknown-keys\ndate: 2024-01-03\nsponsr: A\n---\nBody\n"

SETTINGS = """\
import logging, sys
sys.path.insert(0, {root!r})
from pelicanconf import *  # noqa: F403

_handler = logging.FileHandler({log!r}, encoding="utf-8")
_handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
_logger = logging.getLogger("markdown_reader")
_logger.setLevel(logging.INFO)
_logger.addHandler(_handler)
"""


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = ingested_sample_slice(tmp_path_factory.mktemp("reader-parallel"))
    (content / "episodes" / "bad-yaml.md").write_text(BROKEN, encoding="utf-8")
    (content / "episodes" / "unknown-keys.md").write_text(UNKNOWN, encoding="utf-8")
    assert len(list((content / "episodes").glob("*.md"))) > 4
    return content


def build(content: Path, work: Path, name: str, **settings: str) -> str:
    """Build into work/name (cache in work/cache) and return the reader's log of this build."""
    log = work / f"{name}.log"
    conf = work / f"{name}conf.py"
    conf.write_text(SETTINGS.format(root=str(ROOT), log=str(log)), encoding="utf-8")
    done = run_pelican(content, work / "output", settings=str(conf), extra_settings=settings)
    assert done.returncode == 0, f"pelican failed:\n{done.stdout}\n{done.stderr}"
    return log.read_text(encoding="utf-8")


def tree(output: Path) -> dict[str, bytes]:
    files = {}
    for path in sorted(output.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            if path.name == "sitemap.xml":  # <lastmod> of listing pages is the build time
                data = _LASTMOD.sub(b"<lastmod/>", data)
            files[str(path.relative_to(output))] = data
    return files


def reads(log: str) -> tuple[int, int, int]:
    """(files read, of them in workers, in the main process) by the articles generator."""
    found = _READ.findall(log)
    assert len(found) == 1, log
    return tuple(int(n) for n in found[0])


def reports(log: str) -> list[str]:
    return sorted(line for line in log.splitlines() if re.match(r"(ERROR|WARNING) /", line))


@pytest.fixture(scope="module")
def parallel_and_single(content: Path, tmp_path_factory: pytest.TempPathFactory):
    work_p, work_s = tmp_path_factory.mktemp("parallel"), tmp_path_factory.mktemp("single")
    log_p = build(content, work_p, "p", MARKDOWN_READER_PROCESSES="2")
    log_s = build(content, work_s, "s", MARKDOWN_READER_PROCESSES="1")
    return (work_p, log_p), (work_s, log_s)


def test_parallel_and_single_process_builds_are_identical(content, parallel_and_single) -> None:
    (work_p, log_p), (work_s, log_s) = parallel_and_single
    episodes = len(list((content / "episodes").glob("*.md")))
    # Every file went through the pool in one build and through the reader in the other.
    assert reads(log_p) == (episodes, episodes, 0), log_p
    assert reads(log_s) == (episodes, 0, episodes), log_s
    assert "pool failed" not in log_p, log_p
    parallel, single = tree(work_p / "output"), tree(work_s / "output")
    assert any(name.startswith("episodes/") for name in parallel)
    assert sorted(parallel) == sorted(single), set(parallel) ^ set(single)
    differing = [name for name in parallel if parallel[name] != single[name]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:5]}"


def test_worker_read_problems_are_reported_as_file_line(content, parallel_and_single) -> None:
    (work_p, log_p), (_, log_s) = parallel_and_single
    bad = str(content / "episodes" / "bad-yaml.md")
    unknown = str(content / "episodes" / "unknown-keys.md")
    problems = reports(log_p)
    assert any(re.match(rf"ERROR {re.escape(bad)}:[4-6]: invalid YAML", p) for p in problems)
    assert f"WARNING {unknown}:5: unknown front matter key 'sponsr' (kept as is)" in problems
    assert problems == reports(log_s), "the pool must report exactly what one process reports"
    # The broken file is skipped; every other page builds.
    output = work_p / "output"
    assert not (output / "episodes" / "bad-yaml").exists()
    assert (output / "episodes" / "unknown-keys" / "index.html").exists()
    assert (output / "index.html").exists()


def test_warm_cache_rebuild_reads_no_file_and_an_edit_reads_one(content, tmp_path) -> None:
    # Without the broken file: Pelican caches only files it could read, so a broken file is
    # read (and reported) again on every build, as it should be.
    content = Path(shutil.copytree(content, tmp_path / "content"))
    (content / "episodes" / "bad-yaml.md").unlink()
    cache = {"CACHE_CONTENT": "true", "LOAD_CONTENT_CACHE": "true",
             "MARKDOWN_READER_PROCESSES": "2"}  # fmt: skip
    episodes = len(list((content / "episodes").glob("*.md")))
    first = build(content, tmp_path, "first", **cache)
    assert reads(first) == (episodes, episodes, 0), first
    again = build(content, tmp_path, "again", **cache)
    assert reads(again) == (0, 0, 0), again
    assert reports(again) == [], "cached files are not read, so not reported again"
    # One edited file: read again (by the reader itself: a pool for one file does not pay).
    edited = content / "episodes" / "unknown-keys.md"
    edited.write_text(UNKNOWN.replace("Body", "Edited body"), encoding="utf-8")
    try:
        after_edit = build(content, tmp_path, "edit", **cache)
    finally:
        edited.write_text(UNKNOWN, encoding="utf-8")
    assert reads(after_edit) == (1, 0, 1), after_edit
    page = (tmp_path / "output" / "episodes" / "unknown-keys" / "index.html").read_text()
    assert "Edited body" in page
    # Two more edited files go through the pool, which also stamps them (the hash of the bytes it
    # parsed, so the parent does not read them): the next build sees them as cached, and a
    # further edit of one of them is read again.
    twice = sorted((content / "episodes").glob("*.md"))[:2]
    originals = [path.read_text(encoding="utf-8") for path in twice]
    try:
        for path, text in zip(twice, originals, strict=True):
            path.write_text(text.replace("\n---\n", "\n---\nPool edit.\n\n", 1), "utf-8")
        # ... and unknown-keys.md, restored since the last build.
        assert reads(build(content, tmp_path, "pool-edit", **cache)) == (3, 3, 0)
        assert reads(build(content, tmp_path, "pool-again", **cache)) == (0, 0, 0)
        twice[0].write_text(originals[0], encoding="utf-8")
        assert reads(build(content, tmp_path, "pool-revert", **cache)) == (1, 0, 1)
    finally:
        for path, text in zip(twice, originals, strict=True):
            path.write_text(text, encoding="utf-8")
