"""related's re-ranking after a topic edit (issue 9, rebuilds): only the blocks of rows a changed
episode can reach are ranked again; the result must be the full ranking's, ties included."""

from __future__ import annotations

import numpy as np
import pytest

from plugins.related.related import rank_related, rerank_changed


def _topics(rng: np.random.Generator, n: int, slugs: int) -> list[list[int]]:
    return [sorted(set(rng.integers(0, slugs, rng.integers(0, 4)).tolist())) for _ in range(n)]


def _matrix(rows: list[list[int]], slugs: int) -> np.ndarray:
    matrix = np.zeros((len(rows), slugs), dtype=np.float32)
    for i, row in enumerate(rows):
        matrix[i, row] = 1
    return matrix


def _text(rng: np.random.Generator, n: int) -> np.ndarray:
    text = rng.random((n, 16), dtype=np.float32) ** 4
    text[rng.integers(0, n, n // 5)] = text[0]  # identical texts: exact ties
    text[rng.integers(0, n, n // 10)] = 0  # no text at all
    norms = np.linalg.norm(text, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return text / norms


@pytest.mark.parametrize("seed", range(40))
def test_rerank_changed_equals_ranking_everything(seed):
    rng = np.random.default_rng(seed)
    n, slugs = int(rng.integers(2, 400)), int(rng.integers(1, 15))
    limit, block = int(rng.integers(1, 7)), int(rng.integers(1, 100))
    min_similarity = (0.3, 0.9, 1.01)[seed % 3]  # 1.01: only a shared topic qualifies
    text = _text(rng, n)
    old = _topics(rng, n, slugs)
    before = rank_related(_matrix(old, slugs), text, limit, min_similarity, block)
    new = [list(row) for row in old]
    changed = rng.choice(n, size=int(rng.integers(1, min(n, 4) + 1)), replace=False).tolist()
    for i in changed:
        new[i] = _topics(rng, 1, slugs)[0]
    topics = _matrix(new, slugs)
    expected = rank_related(topics, text, limit, min_similarity, block)
    got = rerank_changed(before, changed, topics, text, limit, min_similarity, block)
    assert got == expected


def test_rows_ranked_on_their_own_equal_their_blocks():
    """A row ranked from its own product (``_rank_rows_clear``) gets its block's picks, or
    None where a near-tie decides them (exact ties among identical texts, similarities at the
    threshold): the rows ranked alone are checked against ``_rank_block`` one by one, over
    random cases that see both outcomes."""
    from plugins.related.related import _rank_rows_clear

    clear_rows = refused = 0
    for seed in range(30):
        rng = np.random.default_rng(100 + seed)
        n, slugs = int(rng.integers(2, 600)), int(rng.integers(1, 15))
        limit, block = int(rng.integers(1, 7)), int(rng.integers(8, 200))
        min_similarity = (0.3, 0.9, 1.01)[seed % 3]
        text = _text(rng, n)
        topics = _matrix(_topics(rng, n, slugs), slugs)
        reference = rank_related(topics, text, limit, min_similarity, block)
        rows = np.sort(rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False))
        got = _rank_rows_clear(topics, text, limit, min_similarity, rows)
        for row, picks in zip(rows.tolist(), got, strict=True):
            if picks is None:
                refused += 1
                continue
            clear_rows += 1
            assert picks == reference[row], (seed, row)  # its block's, by rank_related
    assert clear_rows > 100 and refused > 10, (clear_rows, refused)


def test_rerank_changed_keeps_rows_out_of_reach():
    """The point of it: most blocks are not ranked again (a tag shared by few episodes)."""
    import plugins.related.related as related

    rng = np.random.default_rng(1)
    n, slugs = 2000, 40
    text = _text(rng, n)
    old = _topics(rng, n, slugs)
    topics = _matrix(old, slugs)
    before = rank_related(topics, text, 5, 0.3, 100)
    calls = []
    original = related._rank_block
    try:
        related._rank_block = lambda *a: calls.append(a[4]) or original(*a)
        new = [list(row) for row in old]
        new[7] = [*new[7], 39] if 39 not in new[7] else new[7][:-1]
        got = rerank_changed(before, [7], _matrix(new, slugs), text, 5, 0.3, 100)
    finally:
        related._rank_block = original
    assert got == rank_related(_matrix(new, slugs), text, 5, 0.3, 100)
    assert len(calls) < n // 100


def test_rerank_changed_fills_a_row_that_had_fewer_picks_than_the_limit():
    """An episode alone with its topic has no related episode; an edit that gives another
    episode that topic makes it its first pick, though that row was never near the edit."""
    n = 50
    text = _text(np.random.default_rng(3), n)
    old = [[i] for i in range(n)]
    before = rank_related(_matrix(old, n), text, 5, 1.01, 10)
    assert before[30] == []
    new = [[0, 30], *old[1:]]
    got = rerank_changed(before, [0], _matrix(new, n), text, 5, 1.01, 10)
    assert got == rank_related(_matrix(new, n), text, 5, 1.01, 10)
    assert got[30] == [0]


def test_tag_edit_rebuild_with_small_blocks_matches_clean_build(tmp_path):
    """End to end, with blocks of two rows so that most of the sample keeps its ranking."""
    from tests.conftest import (
        SAMPLE_SLICE,
        assert_same_site,
        build_warm,
        prepare_content,
        run_ingest,
        site_tree,
    )

    content = prepare_content(tmp_path / "site")
    assert run_ingest([SAMPLE_SLICE], content / "episodes").returncode == 0
    small = {"RELATED_BLOCK_ROWS": "2"}
    output = tmp_path / "out"
    build_warm(content, output, **small)
    episodes = sorted((content / "episodes").glob("*.md"))
    for episode in episodes[3:6]:  # one topic swapped on three episodes
        text = episode.read_text()
        first = text.split("\ntags:\n", 1)[1].splitlines()[0]
        other = "- observability" if first != "- observability" else "- kubernetes"
        episode.write_text(text.replace(f"\ntags:\n{first}\n", f"\ntags:\n{other}\n", 1))
    build_warm(content, output, **small)
    clean = tmp_path / "clean" / "out"
    build_warm(content, clean, **small)
    assert_same_site(site_tree(clean), site_tree(output))


def test_a_row_with_a_candidate_at_the_similarity_threshold_goes_to_its_block():
    """Whether a candidate sharing no topic qualifies is a comparison with the threshold:
    one within the margin of it leaves the row to its block (the row's own product may land
    on the other side), and the block's ranking is what rerank_changed returns."""
    from plugins.related.related import _rank_rows_clear

    text = np.array([[1, 0, 0], [0.6, 0.8, 0], [0, 0, 1], [0, 1, 0]], dtype=np.float32)
    topics = np.zeros((4, 1), dtype=np.float32)
    threshold = float(text[0] @ text[1])  # 0.6, as float32 rounds it
    got = _rank_rows_clear(topics, text, 2, threshold, np.array([0, 2]))
    assert got[0] is None  # row 0's candidate 1 sits at the threshold
    assert got[1] == []  # row 2 has no candidate anywhere near it
    clear = _rank_rows_clear(topics, text, 2, threshold - 0.01, np.array([0]))
    assert clear == [[1]]
    before = rank_related(topics, text, 2, threshold, 2)
    changed = np.array([[0], [0], [0], [1]], dtype=np.float32)
    after = rerank_changed(before, [3], changed, text, 2, threshold, 2)
    assert after == rank_related(changed, text, 2, threshold, 2)
