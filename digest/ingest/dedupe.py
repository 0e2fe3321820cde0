"""Episodes listed twice → one episode, and a record of what was merged.

The sample lists the same episode twice verbatim (lines 3 and 5, 11 and 12, 35 and 36); other
dumps add small differences — spacing, a truncated copy, tracking parameters, a glued date.
Texts are compared after the cleaning that removes those differences (URLs scrubbed, glued
title/date split off), by word 5-gram containment.  Two shows, or two episode numbers, are
never the same episode: the same guest telling the same story on two shows is two episodes.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, combinations
from typing import Any

import numpy as np

SHINGLE = 5
_U32 = "I" if array("I").itemsize >= 4 else "L"  # an array type that holds any CRC-32
_NP_U32 = np.dtype(_U32)  # the same, for numpy (same size and byte order)
COMPARE_CHARS = 1500  # the opening decides; transcripts can differ in where they were cut
NEAR = 0.8  # containment above which two blurbs are the same episode
_ANCHOR_MOD = 4  # 1 in 4 shingles is an index anchor (content-defined, deterministic)
_MAX_BUCKET = 64  # anchors shared by more blurbs are boilerplate ("brought to you by")


@dataclass(frozen=True)
class Signature:
    """What comparing needs from one text, computed where the text is (a worker process), so
    the main process only compares small sets: 10,000 blurbs, one core."""

    exact: bytes  # digest of the whole fingerprint (equal texts ⇔ equal digests)
    words: int  # words in the fingerprint
    # hashed word 5-grams of its opening, as sorted unsigned 32-bit values (a frozenset of
    # ~300 ints is 18 kB in the main process; 10,000 of them were 170 MB): see shingle_set
    shingles: bytes

    def shingle_values(self) -> array:
        """The hashed 5-grams, ascending."""
        values = array(_U32)
        values.frombytes(self.shingles)
        return values

    def shingle_set(self) -> frozenset[int]:
        """The hashed 5-grams as a set (what containment is computed on)."""
        return frozenset(self.shingle_values())


@dataclass(frozen=True)
class Candidate:
    """What dedupe needs to know about one blurb (built by the pipeline)."""

    key: int  # the caller's index
    text: str  # cleaned description (glued title/date already removed); "" with a signature
    show: str | None = None  # show slug, when attributed
    number: int | None = None  # episode number, when stated
    signature: Signature | None = None  # precomputed :func:`signature` of ``text``


@dataclass(frozen=True)
class Group:
    keep: int  # key of the representative (the caller picks fields from it)
    merged: tuple[int, ...]  # keys folded into it
    reason: str


_URL_QUERY = re.compile(r"(https?://\S+?)\?\S*")
_WORD = re.compile(r"\w+")


def fingerprint(text: str) -> str:
    """Case, punctuation, spacing and URL parameters do not tell episodes apart."""
    return " ".join(_fingerprint_words(text))


def _fingerprint_words(text: str) -> list[str]:
    """The words of :func:`fingerprint` (its ``split()``: a ``\\w`` is never whitespace)."""
    return _WORD.findall(_URL_QUERY.sub(r"\1", text.casefold()))


def _shingles(words: list[str]) -> set[int]:
    if len(words) < SHINGLE:
        return {zlib.crc32(" ".join(words).encode())} if words else set()
    return {
        zlib.crc32(" ".join(words[i : i + SHINGLE]).encode())
        for i in range(len(words) - SHINGLE + 1)
    }


def _pack(values: set[int]) -> bytes:
    """CRC-32 values (unsigned 32-bit) as the bytes of a sorted array."""
    return array(_U32, sorted(values)).tobytes()


def _shingles_in(data: bytes, lengths: list[int]) -> set[int]:
    """:func:`_shingles` of the first words of ``data`` (words joined by single spaces, as
    UTF-8), given as their byte lengths plus one: each 5-gram's CRC-32 over its slice of
    ``data`` instead of over a string joined and encoded for it (~300 per blurb)."""
    if len(lengths) < SHINGLE:  # (then they are all the words of ``data``)
        return {zlib.crc32(data)} if lengths else set()
    starts = accumulate(lengths[:-SHINGLE], initial=0)  # where each 5-gram starts in ``data``
    ends = accumulate(lengths[SHINGLE:], initial=sum(lengths[:SHINGLE]) - 1)  # and ends
    crc32 = zlib.crc32
    return {crc32(data[start:end]) for start, end in zip(starts, ends, strict=True)}


# ASCII bytes that are not ``\w`` (all but letters, digits, "_") → a space.
_TO_SPACE = bytes(b if chr(b).isalnum() or b == 0x5F else 0x20 for b in range(128)) + bytes(
    range(128, 256)
)


# Characters that are not ``\w`` (tests check) and are the commonest not ASCII in notes.
_WORDLESS = ("\u201c", "\u201d", "\u2014", "\u2013", "\u2018", "\u2019", "\u2026")


def signature(text: str) -> Signature:
    """The comparable essence of a cleaned description (pure).

    Computed as :func:`fingerprint`, :func:`_shingles` and :func:`_pack` would (tests compare),
    a third faster: words are split by ``bytes.translate`` + ``split`` instead of a regular
    expression (a text other than ASCII too, as UTF-8, when all its other characters are word
    characters), URLs are looked for only in a text that has a query, shingles are hashed on
    slices of one encoded string, and packed by numpy (a worker signs every blurb).

    (Hashing every 5-gram at once with numpy from CRC-32 tables was tried: 0.7x alone, but
    1.3x inside the extraction pass, where its 16 MB of tables and numpy's code are cold.)"""
    folded = text[: COMPARE_CHARS * 2].casefold()
    if "?" in folded and "://" in folded:  # (what every URL with a query has)
        folded = _URL_QUERY.sub(r"\1", folded)
    if folded.isascii():
        # (on ASCII text ``\w`` is [A-Za-z0-9_], and none of those bytes is whitespace)
        words: list[Any] = folded.encode("ascii").translate(_TO_SPACE).split()
    else:
        # The punctuation that makes most notes non-ASCII (curly quotes, dashes, ellipsis)
        # separates words as a space does: replaced by one.
        for mark in _WORDLESS:
            folded = folded.replace(mark, " ")
        # Split as bytes too when each character other than ASCII left is ``\w`` (is
        # alphanumeric, as all are in the notes of the 10k dump): UTF-8 encodes those with
        # bytes of 128 and up only, which the translation keeps.
        spaced = folded.encode("utf-8").translate(_TO_SPACE)
        rest = spaced.translate(None, _ASCII)
        if not rest or rest.decode("utf-8").isalnum():
            words = spaced.split()
        else:
            words = [w.encode("utf-8") for w in _WORD.findall(folded)]
    data = b" ".join(words)
    lengths = [len(w) + 1 for w in words[: COMPARE_CHARS // 5]]
    values = _shingles_in(data, lengths)
    packed = np.fromiter(values, dtype=_NP_U32, count=len(values))
    packed.sort()
    return Signature(hashlib.blake2b(data, digest_size=16).digest(), len(words), packed.tobytes())


_ASCII = bytes(range(128))  # (deleted from UTF-8, the bytes of the characters not ASCII remain)

_ITEM = array(_U32).itemsize


def _shared_counts(first: bytes, others: list[bytes]) -> tuple[list[int], list[int]]:
    """How many of each packed shingle set in ``others`` are in ``first``, and their sizes.

    All sets are sorted unique 32-bit values (see :func:`_pack`), so one ``searchsorted`` over
    the concatenated others answers every pair of a run at once: exact counts, ~2× cheaper
    than a frozenset intersection per pair in the (single-core) main process.
    """
    dtype = np.dtype(_U32)
    sa = np.frombuffer(first, dtype=dtype)
    sizes = [len(o) // _ITEM for o in others]
    if not len(sa):
        return [0] * len(others), sizes
    vb = np.frombuffer(b"".join(others), dtype=dtype)
    pos = np.searchsorted(sa, vb)
    np.minimum(pos, len(sa) - 1, out=pos)
    hits = np.concatenate(([0], np.cumsum(sa[pos] == vb)))
    ends = np.cumsum(sizes)
    counts = (hits[ends] - hits[ends - np.asarray(sizes, dtype=ends.dtype)]).tolist()
    return counts, sizes


_SLOT_BITS = 16  # (see _Lookup) a table of 2**16 32-bit slots: 256 kB, in a core's cache


class _Lookup:
    """:func:`_shared_counts` by a table instead of a binary search per value (a dump of
    2,000 blurbs compares 40,000 pairs, 13 million values).

    One set at a time is in the table, each value in the slot its low 16 bits name; an
    empty slot holds its own number with the lowest bit flipped, which no value of that slot
    is, so a value is in the set exactly when its slot holds it.  The few values of the set
    that find their slot taken are looked for one by one.  Each blurb's slots are computed
    once (a blurb is in many pairs)."""

    def __init__(self, sigs: dict[int, Signature]) -> None:
        self.sigs = sigs
        self.empty = np.arange(1 << _SLOT_BITS, dtype=_NP_U32) ^ 1
        self.table = self.empty.copy()
        self.split: dict[int, tuple[np.ndarray, np.ndarray]] = {}

    def _split(self, key: int) -> tuple[np.ndarray, np.ndarray]:
        got = self.split.get(key)
        if got is None:
            values = np.frombuffer(self.sigs[key].shingles, dtype=_NP_U32)
            got = (values, (values & _SLOT_MASK).astype(np.intp))
            self.split[key] = got
        return got

    def counts(self, a: int, run: list[int]) -> tuple[list[int], list[int]]:
        """``_shared_counts`` of blurb ``a``'s shingles and those of each blurb in ``run``."""
        values, slots = self._split(a)
        sizes = [len(self.sigs[b].shingles) // _ITEM for b in run]
        table = self.table
        table[slots] = values
        others = np.concatenate([self._split(b)[0] for b in run])
        found = table[others & _SLOT_MASK] == others
        for value in values[table[slots] != values].tolist():  # (slot taken by another)
            found |= others == value
        table[slots] = self.empty[slots]
        hits = np.concatenate(([0], np.cumsum(found)))
        ends = np.cumsum(sizes)
        counts = (hits[ends] - hits[ends - np.asarray(sizes, dtype=ends.dtype)]).tolist()
        return counts, sizes


_SLOT_MASK = _NP_U32.type((1 << _SLOT_BITS) - 1)


def _compatible(a: Candidate, b: Candidate) -> bool:
    if a.show and b.show and a.show != b.show:
        return False
    return not (a.number is not None and b.number is not None and a.number != b.number)


def _anchor_groups(
    candidates: list[Candidate], sigs: dict[int, Signature]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The owners (keys) of every anchor shingle (1 in ``_ANCHOR_MOD``), sorted by anchor and
    in candidate order within one, and where each anchor that 2 to ``_MAX_BUCKET``
    candidates share starts and ends in them.  Anchors are picked and grouped with numpy (a
    stable sort keeps candidate order within an anchor): a Python loop over every shingle of
    10,000 blurbs cost ~0.6 s of the main process."""
    # (too short to call two texts "nearly" the same: under 12 words)
    signed = [(c.key, sigs[c.key].shingles) for c in candidates if sigs[c.key].words >= 12]
    if not signed:
        none = np.zeros(0, dtype=np.int64)
        return none, none, none
    # every shingle of every candidate in one array, in candidate order, and its owner's key
    # (numpy calls per candidate were ~0.1 s of the main process at 10,000 blurbs)
    values = np.frombuffer(b"".join(s for _, s in signed), dtype=_NP_U32)
    owners = np.repeat(
        np.array([key for key, _ in signed], dtype=np.int64), [len(s) // _ITEM for _, s in signed]
    )
    picked = values % _ANCHOR_MOD == 0
    anchor, owner = values[picked], owners[picked]
    # sorted by anchor, then by place (as a stable argsort would: ~2× its speed), as one
    # 64-bit number each
    order = anchor.astype(np.uint64)
    order <<= 32
    order |= np.arange(len(anchor), dtype=np.uint64)
    order.sort()
    anchor, owner = (order >> 32).astype(_NP_U32), owner[(order & 0xFFFFFFFF).astype(np.intp)]
    starts = np.flatnonzero(np.r_[True, anchor[1:] != anchor[:-1]])
    ends = np.r_[starts[1:], len(anchor)]
    sizes = ends - starts
    keep = (sizes >= 2) & (sizes <= _MAX_BUCKET)
    return owner, starts[keep], ends[keep]


def _anchor_buckets(candidates: list[Candidate], sigs: dict[int, Signature]) -> Iterator[list[int]]:
    """For each anchor shingle that 2 to ``_MAX_BUCKET`` candidates share, their keys in
    candidate order (see :func:`_anchor_groups`)."""
    owner, starts, ends = _anchor_groups(candidates, sigs)
    owned = owner.tolist()
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        yield owned[start:end]


def _near_pairs_reference(
    candidates: list[Candidate], sigs: dict[int, Signature]
) -> list[tuple[int, int]]:
    """The pairs of keys that share at least two anchors (a bucket's pairs come out in
    candidate order, so each pair the same way round from every bucket), sorted."""
    pairs: Counter[tuple[int, int]] = Counter()
    for keys in _anchor_buckets(candidates, sigs):
        pairs.update(combinations(keys, 2))
    return sorted(pair for pair, shared in pairs.items() if shared >= 2)


@lru_cache(maxsize=_MAX_BUCKET + 1)
def _pair_offsets(size: int) -> tuple[np.ndarray, np.ndarray]:
    """Every (i, j) with i < j < ``size``, in ``combinations`` order, as two arrays."""
    first, second = np.triu_indices(size, 1)
    return first.astype(np.int64), second.astype(np.int64)


def _near_pairs(candidates: list[Candidate], sigs: dict[int, Signature]) -> list[tuple[int, int]]:
    """What :func:`_near_pairs_reference` gives (tests compare), counted by numpy: the pairs
    of every bucket of one size at once, as codes (a's rank among the keys × their number +
    b's), sorted; a code that equals the one before it is a pair seen twice.  The Counter
    cost ~0.3 s of the main process on a dump of 2,000 blurbs (1.2 million pairs counted, in
    buckets of up to 64 blurbs sharing template sentences)."""
    owner, starts, ends = _anchor_groups(candidates, sigs)
    if not len(starts):
        return []
    # the buckets' owners end to end (most anchors are no bucket's: ~95 % at 10,000 blurbs)
    sizes = ends - starts
    offsets = np.cumsum(sizes) - sizes
    owner = owner[np.arange(int(sizes.sum())) + np.repeat(starts - offsets, sizes)]
    starts = offsets
    keys = np.unique(owner)  # (ascending, so codes sort as (a, b) do)
    # (32-bit codes sort ~1.7× faster: they fit below 46,341 keys)
    rank = np.searchsorted(keys, owner).astype(np.int32 if len(keys) < 46341 else np.int64)
    codes = []
    for size in np.unique(sizes).tolist():
        first, second = _pair_offsets(size)
        at = starts[sizes == size][:, None]
        code = rank[at + first]
        code *= len(keys)
        code += rank[at + second]
        codes.append(code.ravel())
    code = np.concatenate(codes)
    code.sort()
    twice = code[1:][code[1:] == code[:-1]]
    twice = twice[np.r_[True, twice[1:] != twice[:-1]]] if len(twice) else twice
    firsts, seconds = np.divmod(twice, len(keys))
    return list(zip(keys[firsts].tolist(), keys[seconds].tolist(), strict=True))


class _Merging:
    """The union-find both :func:`find_duplicates` and its kept reference merge into, with
    byte-identical texts (same exact fingerprint, compatible) already merged: they differ
    only in how they find and compare near pairs."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.parent = {c.key: c.key for c in candidates}
        self.reason: dict[tuple[int, int], str] = {}
        self.by_key = {c.key: c for c in candidates}
        self.sigs = {c.key: c.signature or signature(c.text) for c in candidates}
        exact: dict[bytes, int] = {}
        for c in candidates:
            fp = self.sigs[c.key].exact
            first = exact.get(fp)
            if first is not None and _compatible(self.by_key[first], c):
                self.union(first, c.key, "same text")
            else:
                exact.setdefault(fp, c.key)

    def find(self, x: int) -> int:
        parent = self.parent
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(self, a: int, b: int, why: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo
            self.reason[(lo, hi)] = why

    def merge_near(
        self,
        todo: list[tuple[int, int]],
        counts_of: Callable[[int, list[int]], tuple[Any, Any]],
    ) -> None:
        """Merge the sorted candidate pairs ``todo`` whose shingles are near-identical.
        ``counts_of(a, run)`` gives, for blurb ``a`` and the blurbs ``run`` it is paired
        with, the shingles each shares with ``a`` and each one's shingle count (the one
        place the fast path and its reference differ)."""
        find, sigs = self.find, self.sigs
        start = 0
        while start < len(todo):
            a = todo[start][0]
            end = start
            while end < len(todo) and todo[end][0] == a:
                end += 1
            run = [b for _, b in todo[start:end]]
            start = end
            if all(find(a) == find(b) for b in run):
                continue
            counts, sizes = counts_of(a, run)
            size_a = len(sigs[a].shingles) // _ITEM
            for b, shared, size_b in zip(run, counts, sizes, strict=True):
                if find(a) == find(b):
                    continue
                containment = shared / max(1, min(size_a, size_b))
                if containment >= NEAR:
                    self.union(a, b, f"near-identical text ({containment:.0%} shared)")

    def groups(self, candidates: list[Candidate], lengths: dict[int, int]) -> list[Group]:
        """The merged groups; each keeps its longest blurb (the least truncated), ties going
        to the earliest."""
        find = self.find
        members: dict[int, list[int]] = {}
        for c in candidates:
            members.setdefault(find(c.key), []).append(c.key)
        groups = []
        for root, keys in sorted(members.items()):
            if len(keys) < 2:
                continue
            keep = max(keys, key=lambda k: (lengths.get(k, 0), -k))
            why = sorted({r for (lo, hi), r in self.reason.items() if find(lo) == root})
            groups.append(
                Group(keep, tuple(k for k in sorted(keys) if k != keep), "; ".join(why) or "same")
            )
        return groups


def find_duplicates(candidates: list[Candidate], lengths: dict[int, int]) -> list[Group]:
    """Groups of duplicates (pure, deterministic: same input → same groups).

    ``lengths`` gives each key's raw length; the longest blurb of a group is kept (it is the
    least truncated), ties going to the earliest.  Gives what :func:`find_duplicates_reference`
    gives (tests compare): it runs in the main process, on one core.
    """
    merging = _Merging(candidates)
    by_key, sigs = merging.by_key, merging.sigs

    # Pairs sharing two anchors come sorted: the pairs of one first blurb are compared in one
    # batch (see _Lookup), then unions are made in pair order.  A pair whose blurbs were
    # joined meanwhile is skipped, as a union of one group with itself would change nothing.
    todo = [(a, b) for a, b in _near_pairs(candidates, sigs) if _compatible(by_key[a], by_key[b])]
    merging.merge_near(todo, _Lookup(sigs).counts)
    return merging.groups(candidates, lengths)


def find_duplicates_reference(candidates: list[Candidate], lengths: dict[int, int]) -> list[Group]:
    """What :func:`find_duplicates` gives, the way it was before its pairs were counted by
    numpy and compared through a table (kept for tests/unit/test_dedupe_pairs.py).

    ``lengths`` gives each key's raw length; the longest blurb of a group is kept (it is the
    least truncated), ties going to the earliest.
    """
    merging = _Merging(candidates)
    by_key, sigs = merging.by_key, merging.sigs

    # anchors shared per pair (Counter.update counts an iterable in C; keys are in candidate
    # order, so each pair comes out the same way round from every bucket)
    pairs: Counter[tuple[int, int]] = Counter()
    for keys in _anchor_buckets(candidates, sigs):
        pairs.update(combinations(keys, 2))
    # Pairs come sorted: the pairs of one first blurb are compared in one batch (see
    # _shared_counts), then unions are made in pair order.  A pair whose blurbs were joined
    # meanwhile is skipped, as a union of one group with itself would change nothing.
    todo = [
        (a, b)
        for (a, b), shared in sorted(pairs.items())
        if shared >= 2 and _compatible(by_key[a], by_key[b])
    ]
    merging.merge_near(
        todo, lambda a, run: _shared_counts(sigs[a].shingles, [sigs[b].shingles for b in run])
    )
    return merging.groups(candidates, lengths)
