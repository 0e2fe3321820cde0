"""Related episodes (shared topics first, then text similarity) and previous/next episodes.

Sets on every article:
- ``related_episodes``: up to ``RELATED_MAX`` (default 5) other articles, ranked by the
  number of topics they share, ties broken by text similarity (TF-IDF over title, summary
  and the start of the notes, hashed into ``RELATED_DIMENSIONS`` features). Episodes sharing
  no topic appear only when their text is similar enough (``RELATED_MIN_SIMILARITY``).
- ``previous_episode`` / ``next_episode``: the chronological neighbours (older / newer).

Computed once per build with numpy, in blocks of rows, so 10,000 episodes stay a matter of
seconds and templates never loop over all articles.
"""

from __future__ import annotations

import hashlib
import logging
import math
import pickle
import re
import time
import zlib
from collections import Counter
from pathlib import Path

import numpy as np
from pelican import signals

from digest.cachefile import load_cache, save_cache
from digest.htmltext import stripped_opening

log = logging.getLogger(__name__)

DEFAULTS = {
    "RELATED_MAX": 5,
    "RELATED_DIMENSIONS": 256,
    "RELATED_MIN_SIMILARITY": 0.12,
    "RELATED_BODY_CHARS": 2000,
    "RELATED_BLOCK_ROWS": 1024,
}
_WORD = re.compile(r"[^\W\d_]{3,}")
_TAGS = re.compile(r"<[^>]+>")
# Words that say nothing about what an episode is about (the corpus is podcast blurbs).
_STOPWORDS = """
    the and for with that this from are was were you your our their they them his her its
    about into how why what when who which will would can could should has have had not but
    all any more most some such than then there these those just also over out get got one two
    new now our use using used been being very much many episode episodes podcast show today
    talk talks talked discuss discusses discussed join joins joined guest guests host hosts
    learn more week weeks year years time first well like lot way make makes made"""
STOPWORDS = frozenset(_STOPWORDS.split())


def _tokens(text: str) -> list[str]:
    return [w for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def _text_opening(html: str, chars: int) -> str:
    """``_TAGS.sub(" ", html)[:chars]`` without stripping a whole 65 kB transcript."""
    return stripped_opening(html, chars, _strip_tags)


def _strip_tags(html: str) -> str:
    return _TAGS.sub(" ", html)


def _document_inputs(article, body_chars: int) -> tuple[str, str, str]:
    title = str(getattr(article, "title", "") or "")
    summary = str(getattr(article, "summary_text", "") or "")
    body = _text_opening(str(getattr(article, "_content", "") or ""), body_chars)
    return title, summary, body


def _document_tokens(title: str, summary: str, body: str) -> list[str]:
    return _tokens(title) * 2 + _tokens(summary) + _tokens(body)


def _document(article, body_chars: int) -> list[str]:
    return _document_tokens(*_document_inputs(article, body_chars))


_MISSING = object()


def _slug(tag) -> str:
    # Not ``getattr(tag, "slug", str(tag))``: that renders every tag with ``str`` for nothing.
    slug = getattr(tag, "slug", _MISSING)
    return slug if slug is not _MISSING else str(tag)


def text_matrix(docs: list[list[str]], dimensions: int) -> np.ndarray:
    """Hashed, L2-normalised TF-IDF rows (one per document)."""
    n = len(docs)
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(set(doc))
    matrix = np.zeros((n, dimensions), dtype=np.float32)
    for row, doc in enumerate(docs):
        for term, count in Counter(doc).items():
            if df[term] < 2:  # a word no other episode uses cannot relate two episodes
                continue
            idf = math.log(n / df[term])
            if idf <= 0:
                continue
            column = zlib.crc32(term.encode("utf-8")) % dimensions
            matrix[row, column] += (1 + math.log(count)) * idf
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1
    return matrix / norms


def topic_matrix(articles) -> np.ndarray:
    slugs: dict[str, int] = {}
    rows = []
    for article in articles:
        row = []
        for tag in getattr(article, "tags", None) or []:
            row.append(slugs.setdefault(_slug(tag), len(slugs)))
        rows.append(row)
    matrix = np.zeros((len(articles), max(len(slugs), 1)), dtype=np.float32)
    for i, row in enumerate(rows):
        matrix[i, row] = 1
    return matrix


def rank_related(
    topics: np.ndarray, text: np.ndarray, limit: int, min_similarity: float, block: int
) -> list[list[int]]:
    """For each row, the indices of its best matches: shared topics, then cosine similarity."""
    n = topics.shape[0]
    result: list[list[int]] = []
    if n < 2 or limit <= 0:
        return [[] for _ in range(n)]
    for start in range(0, n, block):
        result += _rank_block(topics, text, limit, min_similarity, start, min(start + block, n))
    return result


def _rank_block(
    topics: np.ndarray, text: np.ndarray, limit: int, min_similarity: float, start: int, stop: int
) -> list[list[int]]:
    """:func:`rank_related`'s rows ``start`` to ``stop`` (one block: the same arithmetic
    whichever function asks, so a block ranked again gives a clean build's bytes)."""
    n = topics.shape[0]
    k = min(limit, n - 1)
    shared = topics[start:stop] @ topics.T
    score = text[start:stop] @ text.T
    # Episodes sharing no topic qualify only by clearly similar text.
    score[(shared == 0) & (score < min_similarity)] = -np.inf
    # A shared topic always outranks any text similarity (cosine is at most 1).
    shared *= 2.0
    score += shared
    score[np.arange(stop - start), np.arange(start, stop)] = -np.inf
    # k rounds of argmax beat argpartition by far for the small k used here.
    rows = np.arange(stop - start)
    picks = np.empty((stop - start, k), dtype=np.int64)
    values = np.empty((stop - start, k), dtype=np.float32)
    for round_ in range(k):
        best = score.argmax(axis=1)
        picks[:, round_] = best
        values[:, round_] = score[rows, best]
        score[rows, best] = -np.inf
    return [
        [int(i) for i, v in zip(picks[local], values[local], strict=True) if np.isfinite(v)]
        for local in range(stop - start)
    ]


# A row keeps its ranking only if every changed episode scores this much below its last pick:
# far above float32 rounding (~1e-6 here), far below the gaps that decide a ranking.
_MARGIN = 1e-3


def rerank_changed(
    before: list[list[int]],
    changed: list[int],
    topics: np.ndarray,
    text: np.ndarray,
    limit: int,
    min_similarity: float,
    block: int,
) -> list[list[int]]:
    """:func:`rank_related` after the topics of the episodes ``changed`` changed (same texts,
    same order, same options), given the ranking ``before`` the change.

    Why it is exact: only the scores between a changed episode and the others moved. A row
    that is not changed, holds no changed episode among its picks, had all ``k`` picks and
    scores every changed episode clearly below its last pick (``_MARGIN``) ranks as before;
    every other row's block is ranked again by :func:`_rank_block`, the very computation of a
    clean build. A tag edit re-ranked all 10,000 episodes (~2.5 s) for a handful of rows."""
    n = topics.shape[0]
    if n < 2 or limit <= 0 or not changed:
        return rank_related(topics, text, limit, min_similarity, block)
    k = min(limit, n - 1)
    columns = np.asarray(sorted(set(changed)), dtype=np.int64)
    shared = topics @ topics[columns].T
    score = text @ text[columns].T
    score[(shared == 0) & (score < min_similarity)] = -np.inf
    score += 2.0 * shared
    score[columns, np.arange(len(columns))] = -np.inf
    best_changed = score.max(axis=1)
    is_changed = np.zeros(n, dtype=bool)
    is_changed[columns] = True
    dirty = is_changed.copy()
    full = np.array([len(picks) == k for picks in before])
    last = np.array([picks[-1] if picks else 0 for picks in before], dtype=np.int64)
    holds_changed = np.array([any(is_changed[j] for j in picks) for picks in before])
    dirty |= holds_changed
    dirty |= ~full & np.isfinite(best_changed)
    rows = np.arange(n)
    last_score = 2.0 * np.einsum("ij,ij->i", topics, topics[last]) + np.einsum(
        "ij,ij->i", text, text[last]
    )
    dirty |= full & (best_changed >= last_score - _MARGIN)
    result = list(before)
    unresolved = dirty
    dirty_rows = np.flatnonzero(dirty)
    if RANK_ROWS and len(dirty_rows) <= n // 2:
        # Each dirty row from its own product; a row whose ranking some near-tie decides
        # (its block would round differently in the last bits) goes to its block after all.
        unresolved = np.zeros(n, dtype=bool)
        for first in range(0, len(dirty_rows), block):
            chunk = dirty_rows[first : first + block]
            picks = _rank_rows_clear(topics, text, limit, min_similarity, chunk)
            for row, row_picks in zip(chunk.tolist(), picks, strict=True):
                if row_picks is None:
                    unresolved[row] = True
                else:
                    result[row] = row_picks
    blocks = 0
    for start in range(0, n, block):
        stop = min(start + block, n)
        if unresolved[start:stop].any():
            blocks += 1
            result[start:stop] = _rank_block(topics, text, limit, min_similarity, start, stop)
    log.debug("related: %d changed, %d rows to re-rank, %d blocks ranked again",
              len(columns), int(dirty[rows].sum()), blocks)  # fmt: skip
    return result


def _row_margin(dimensions: int) -> float:
    """How far apart two float32 computations of the same score may land, four times over.

    A dot product of two rows of norm at most 1 (text rows are L2-normalised) summed in any
    order, fused or not, is within ``d * u`` of the exact value (``u`` = eps / 2, ``d`` terms):
    two such sums differ by at most ``d * eps``. Topic counts are small integers (exact); the
    sum of the two parts rounds by an ulp of at most ~2e-6."""
    return 4.0 * dimensions * float(np.finfo(np.float32).eps) + 1e-5


def _rank_rows_clear(
    topics: np.ndarray, text: np.ndarray, limit: int, min_similarity: float, rows: np.ndarray
) -> list[list[int] | None]:
    """:func:`_rank_block`'s picks for the given ``rows``, computed from those rows' own
    products, or None for a row whose picks a comparison closer than :func:`_row_margin`
    decides.

    Why it is exact: the products of a subset of rows may differ from their block's in the
    last bits, so a row's picks are kept only where every comparison deciding them is clear
    by the margin: consecutive picks and the best left-out candidate differ by more than that
    (no ties for ``argmax`` to break), and no candidate sharing no topic whose text similarity
    is within the margin of ``min_similarity`` could reach the picks. A
    topic edit that reached 6 of 10 blocks at 10,000 episodes ranked ~6,000 rows for ~1,000."""
    n = topics.shape[0]
    k = min(limit, n - 1)
    margin = _row_margin(text.shape[1])
    shared = topics[rows] @ topics.T
    similarity = text[rows] @ text.T
    local = np.arange(len(rows))
    score = similarity.copy()
    no_topic = shared == 0
    score[no_topic & (score < min_similarity)] = -np.inf
    score += 2.0 * shared
    score[local, rows] = -np.inf
    best = np.argpartition(-score, k, axis=1)[:, : k + 1]
    values = np.take_along_axis(score, best, axis=1)
    order = np.argsort(-values, axis=1, kind="stable")
    best = np.take_along_axis(best, order, axis=1)
    values = np.take_along_axis(values, order, axis=1)
    with np.errstate(invalid="ignore"):  # -inf minus -inf: no pick on either side
        clear = np.all(
            ~np.isfinite(values[:, :k]) | (values[:, :k] - values[:, 1:] > margin), axis=1
        )
    near = no_topic & (np.abs(similarity - min_similarity) < margin)
    near[local, rows] = False
    clear &= ~np.any(near & (similarity > values[:, k - 1 : k] - margin), axis=1)
    return [
        [int(i) for i, v in zip(best[r, :k], values[r, :k], strict=True) if np.isfinite(v)]
        if clear[r]
        else None
        for r in local.tolist()
    ]


def link_episodes(generator) -> None:
    settings = generator.settings
    options = {key: settings.get(key, value) for key, value in DEFAULTS.items()}
    articles = list(generator.articles)
    started = time.perf_counter()

    chronological = sorted(articles, key=lambda a: (a.date, a.slug))
    for i, article in enumerate(chronological):
        article.previous_episode = chronological[i - 1] if i > 0 else None
        article.next_episode = chronological[i + 1] if i + 1 < len(chronological) else None

    cache = _Cache(settings)
    inputs = [_document_inputs(article, options["RELATED_BODY_CHARS"]) for article in articles]
    keys = [_digest(one) for one in inputs]
    topics = [[_slug(tag) for tag in getattr(a, "tags", None) or []] for a in articles]
    text_key = _digest((keys, options["RELATED_DIMENSIONS"]))
    rank_key = _digest((text_key, topics, sorted(options.items())))
    ranked = cache.get("rank", rank_key)
    reused = "ranking" if ranked is not None else ""
    if ranked is None:
        text = cache.get("text", text_key)
        reused = "text matrix" if text is not None else ""
        if text is None:
            text = text_matrix(_documents(settings, inputs, keys), options["RELATED_DIMENSIONS"])
        arguments = (options["RELATED_MAX"], options["RELATED_MIN_SIMILARITY"],
                     options["RELATED_BLOCK_ROWS"])  # fmt: skip
        # The last ranking, if only topics changed since (same texts in the same order, same
        # options): the rows the changed episodes cannot reach keep it.
        base_key = _digest((text_key, sorted(options.items())))
        last = cache.get("ranked_topics", base_key) if RERANK else None
        if last is not None and reused and len(last[0]) == len(topics):
            before, last_topics = last
            changed = [i for i, (a, b) in enumerate(zip(last_topics, topics, strict=True))
                       if a != b]  # fmt: skip
            ranked = rerank_changed(before, changed, topic_matrix(articles), text, *arguments)
            reused += f" and {len(articles) - len(changed)} episodes' topics"
        else:
            ranked = rank_related(topic_matrix(articles), text, *arguments)
        cache.save({"text": (text_key, text), "rank": (rank_key, ranked),
                    "ranked_topics": (base_key, (ranked, topics))})  # fmt: skip
    for article, indices in zip(articles, ranked, strict=True):
        article.related_episodes = [articles[i] for i in indices]
    note = f" (reused the {reused})" if reused else ""
    log.info("related: linked %d episodes in %.2f s%s", len(articles),
             time.perf_counter() - started, note)  # fmt: skip


def _documents(settings, inputs: list[tuple], keys: list[str]) -> list[list[str]]:
    """Each episode's tokens, kept under a digest of its text (``keys``): an edit tokenises
    only the episodes whose text changed. In a file of their own, read only when the text
    matrix must be computed (0.26 s at 10,000 episodes) and rewritten only when the set of
    texts changed."""
    docs_cache = _Cache(settings, "related_docs.pickle")
    known = docs_cache.data.get("docs") or {}
    memo: dict[str, list[str]] = {}
    docs = []
    for one, key in zip(inputs, keys, strict=True):
        doc = memo.get(key)
        if doc is None:
            doc = known.get(key)
            if doc is None:
                doc = _document_tokens(*one)
            memo[key] = doc
        docs.append(doc)
    if memo.keys() != known.keys():
        docs_cache.save({"docs": memo})
    return docs


# Reference switches for tests: False ranks every episode again whenever a topic changed;
# RANK_ROWS False ranks again every block holding a row a changed episode can reach.
RERANK = True
RANK_ROWS = True


def _digest(value) -> str:
    return hashlib.sha256(pickle.dumps(value, protocol=4)).hexdigest()


class _Cache:
    """The last build's text matrix and ranking, each under a digest of its inputs.

    Why: a rebuild that changed nothing, or only tags (the text matrix stays), recomputed both;
    the ranking compares every pair of episodes, so its cost grows with the square of their
    number. Keyed by the inputs themselves (token lists, topic slugs, options) plus this
    module's code, never by file dates."""

    def __init__(self, settings, name: str = "related.pickle") -> None:
        self.enabled = bool(settings.get("RELATED_CACHE", True))
        self.path = Path(settings.get("CACHE_PATH") or "cache") / name
        self.version = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
        self.data: dict = {}
        if not self.enabled:
            return
        data = load_cache(self.path)
        if data.get("version") == self.version:
            self.data = data

    def get(self, name: str, key: str):
        entry = self.data.get(name)
        return entry[1] if entry is not None and entry[0] == key else None

    def save(self, entries: dict) -> None:
        if not self.enabled:
            return
        save_cache(self.path, {"version": self.version, **entries}, protocol=4)


def register() -> None:
    signals.article_generator_finalized.connect(link_episodes)
