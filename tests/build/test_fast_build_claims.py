"""The two rendering processes share the pages by claims (fast_build, issue 9): every page is
rendered by exactly one of them, and the site is the one the alternating split (the reference,
``fast_build.fast_build.CLAIM_PAGES = False``) builds.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from plugins.fast_build.fast_build import PageClaims
from tests.conftest import ingested_sample_slice, run_with_flags, site_tree

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")


def test_each_page_is_claimed_by_exactly_one_process():
    pages = 20_000
    claims = PageClaims(size=pages - 100)  # the last hundred are beyond the flags
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the partner
        os.close(read)
        mine = [n for n in range(pages) if claims.claim(n)]
        with os.fdopen(write, "wb") as handle:
            handle.write(pickle.dumps(mine))
        os._exit(0)
    os.close(write)
    parent = [n for n in range(pages) if claims.claim(n)]
    with os.fdopen(read, "rb") as handle:
        child = pickle.loads(handle.read())
    assert os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) == 0
    assert not set(parent) & set(child)
    assert sorted(parent + child) == list(range(pages - 100))
    assert all(claims.claim(n) is None for n in range(pages - 100, pages))


def test_claimed_split_builds_the_alternating_split_site(tmp_path_factory, tmp_path):
    content = ingested_sample_slice(tmp_path_factory.mktemp("claims"))
    claimed = tmp_path / "claimed" / "out"
    run_with_flags(content, claimed, {}, FAST_BUILD_FORK_AFTER="0")
    alternating = tmp_path / "alternating" / "out"
    flags = {"fast_build.fast_build.CLAIM_PAGES": False}
    run_with_flags(content, alternating, flags, FAST_BUILD_FORK_AFTER="0")
    ours, reference = site_tree(claimed), site_tree(alternating)
    assert len(ours) > 50
    assert ours == reference
    # both processes recorded their pages in the render cache: every page is in it
    assert _recorded(claimed) == _recorded(alternating)


def _recorded(output: Path) -> set[str]:
    pages = pickle.loads((output.parent / "cache" / "fast_build_render.pickle").read_bytes())
    return {os.path.relpath(path, output) for path in pages["pages"]}
