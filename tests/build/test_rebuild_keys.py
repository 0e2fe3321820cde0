"""The render cache's memos (issue 9, rebuilds) against the reference computation.

A memo that reuses an encoding or a digest across pages must give every page the key the plain
computation gives it: a wrong reuse would let a page keep the bytes of an older build. Each test
builds the sample slice twice in the same folders, once as shipped and once with a memo
switched off (a module flag, set in the Pelican process before it loads the plugins), and
compares the recorded page keys one by one.
"""

from __future__ import annotations

import json
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, ingested_sample_slice, run_with_flags


def _keys(content: Path, work: Path, flags: dict[str, object]) -> dict[str, str]:
    """Page keys of a clean build of ``content`` into ``work`` (the same paths every time:
    a key names its output file)."""
    output, cache = work / "out", work / "cache"
    shutil.rmtree(output, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    # one process: the keys of the pages a partner renders are recorded by the partner;
    # two articles a page: many listing pages sharing the context's containers
    settings = {"CACHE_CONTENT": "false", "LOAD_CONTENT_CACHE": "false",
                "FAST_BUILD_PROCESSES": "1", "DEFAULT_PAGINATION": "2"}  # fmt: skip
    run_with_flags(content, output, flags, **settings)
    pages = pickle.loads((cache / "fast_build_render.pickle").read_bytes())["pages"]
    return {path: entry[0] for path, entry in pages.items()}


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = ingested_sample_slice(tmp_path_factory.mktemp("keys"))
    return content


def _assert_same_keys(fast: dict[str, str], reference: dict[str, str]) -> None:
    assert fast.keys() == reference.keys()
    differing = sorted(path for path in fast if fast[path] != reference[path])
    assert not differing, f"{len(differing)} keys differ, e.g. {differing[:5]}"


def test_page_variable_memo_gives_the_reference_keys(content, tmp_path):
    """Page variables holding the same container on every page (``archive_calendar``, the
    tag and category lists) are encoded once per fingerprinter."""
    fast = _keys(content, tmp_path, {})
    reference = _keys(content, tmp_path, {"fast_build.render_cache.MEMO_PAGE_VARS": False})
    assert len(fast) > 50
    _assert_same_keys(fast, reference)


def _reference_wrapper_attribute_names(context: dict) -> tuple[frozenset[str], frozenset[str]]:
    """The plain walk ``render_cache.wrapper_attribute_names`` must agree with: every value
    reachable from the context, entities' attributes included, visited once."""
    from pelican.contents import Content
    from pelican.urlwrappers import URLWrapper

    from plugins.fast_build.render_cache import _SKIP_ATTRS

    names: set[str] = set()
    refs: set[str] = set()
    seen: set[int] = set()
    pending = list(context.values())
    while pending:
        value = pending.pop()
        if isinstance(value, (str, bytes, int, float, type(None))) or id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, URLWrapper):
            attrs = {k: v for k, v in vars(value).items() if k not in _SKIP_ATTRS}
            names.update(k.lstrip("_") for k in attrs)
            pending.extend(attrs.values())
        elif isinstance(value, Content):
            for k, v in vars(value).items():
                if k in _SKIP_ATTRS or isinstance(v, str):
                    continue
                held = [v] if isinstance(v, (Content, URLWrapper)) else v
                if isinstance(held, (list, tuple)) and any(
                    isinstance(item, (Content, URLWrapper)) for item in held
                ):
                    refs.add(k.lstrip("_"))
                pending.append(v)
        elif isinstance(value, dict):
            pending.extend(value.keys())
            pending.extend(value.values())
        elif isinstance(value, (list, tuple, set, frozenset)):
            pending.extend(value)
    return frozenset(names), frozenset(refs)


_COMPARE = """
import json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/plugins"]
import fast_build.render_cache as rc
from tests.build.test_rebuild_keys import _reference_wrapper_attribute_names as reference
fast, seen = rc.wrapper_attribute_names, []
def compare(context):
    got = fast(context)
    expected = reference(context)
    seen.append([sorted(got[0]), sorted(got[1]), sorted(expected[0]), sorted(expected[1])])
    return got
rc.wrapper_attribute_names = compare
sys.argv = ["pelican", *sys.argv[3:]]
from pelican import main
try:
    main()
finally:
    with open(OUT, "w") as handle:
        json.dump(seen, handle)
"""


def test_wrapper_attribute_names_equal_the_plain_walk(content, tmp_path):
    """The walk that finds tags' attribute names and articles' entity-holding attributes
    skips atoms early and strips each attribute-name set once; on a real build's context it
    must find exactly what the plain walk finds."""
    result = tmp_path / "names.json"
    runner = _COMPARE.replace("OUT", repr(str(result)))
    output = tmp_path / "out"
    settings = {"CACHE_PATH": f'"{tmp_path / "cache"}"', "FAST_BUILD_PROCESSES": "1",
                "TOPICS_FILE": f'"{content / "topics.yml"}"',
                "SHOWS_FILE": f'"{content / "shows.yml"}"'}  # fmt: skip
    args = [sys.executable, "-c", runner, str(ROOT), "{}", str(content), "-o", str(output),
            "-s", str(ROOT / "pelicanconf.py"),
            "-e", *(f"{k}={v}" for k, v in settings.items())]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, f"pelican failed:\n{done.stdout}\n{done.stderr}"
    calls = json.loads(result.read_text())
    assert calls, "wrapper_attribute_names was not called"
    for names, refs, expected_names, expected_refs in calls:
        assert names == expected_names
        assert refs == expected_refs
        assert "count" in names and "related_episodes" in refs


def test_reused_pickler_gives_the_reference_keys(content, tmp_path):
    """One pickler per build with a per-type ``dispatch_table`` (and memos of entities' names
    and of which attributes hold entities) digests what a fresh ``reducer_override`` pickler
    per value digests: every page's key is the reference key."""
    fast = _keys(content, tmp_path, {})
    reference = _keys(content, tmp_path, {"fast_build.render_cache.FAST_PICKLER": False})
    assert len(fast) > 50
    _assert_same_keys(fast, reference)


def test_reducer_table_reduces_like_reducer_override():
    """Value by value, including the types the table decides once (dates, time zones,
    subclasses of plain types, sets in a subclass, dataclasses, functions, refused objects)."""
    import dataclasses
    import datetime as dt
    import zoneinfo

    from markupsafe import Markup
    from pelican.contents import Article
    from pelican.urlwrappers import Tag

    from plugins.fast_build import render_cache as rc

    @dataclasses.dataclass
    class Point:
        x: int
        y: str

    class Names(frozenset):
        pass

    settings = {"TAG_URL": "tag/{slug}/", "TAG_SAVE_AS": "tag/{slug}/index.html"}
    tags = [Tag("Kubernetes", settings), Tag("Heroku", settings)]
    article = object.__new__(Article)
    article.source_path = "episodes/a.md"
    values = [
        {"date": dt.datetime(2024, 5, 1, tzinfo=zoneinfo.ZoneInfo("UTC")), "tags": tags},
        [dt.date(2024, 1, 2), dt.timedelta(seconds=5), Markup("<b>x</b>"), (1, 2.5, None)],
        {"point": Point(1, "a"), "names": Names({"b", "a", "c"}), "f": len, "t": str},
        {"article": article, "again": [article, tags[0]], "nested": {"k": [True, b"x"]}},
    ]
    types = rc._entity_types()
    digester = rc.StableDigester(types)
    for value in values:
        refs: list = []
        expected_refs: list = []
        assert digester.digest(value, refs) == rc.stable_bytes(value, expected_refs, types)
        assert refs == expected_refs
    for refused in (object(), {"x": [1, object()]}):
        with pytest.raises(rc.Uncacheable):
            digester.digest(refused, [])
        with pytest.raises(rc.Uncacheable):
            rc.stable_bytes(refused, [], types)
    # after a refusal the digester is as good as new
    assert digester.digest(values[0], []) == rc.stable_bytes(values[0], [], types)
