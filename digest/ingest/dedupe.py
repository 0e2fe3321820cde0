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
from collections.abc import Callable, Iterator, Sequence
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


def signature_reference(text: str) -> Signature:
    """:func:`signature` the plain way (:func:`fingerprint`, :func:`_shingles`, :func:`_pack`):
    what the fast paths of :func:`signature` and :func:`signatures` are tested against."""
    fp = fingerprint(text[: COMPARE_CHARS * 2])
    words = fp.split()
    return Signature(
        hashlib.blake2b(fp.encode("utf-8"), digest_size=16).digest(),
        len(words),
        _pack(_shingles(words[: COMPARE_CHARS // 5])),
    )


def signature(text: str) -> Signature:
    """The comparable essence of a cleaned description (pure).

    Computed as :func:`fingerprint`, :func:`_shingles` and :func:`_pack` would (tests compare),
    a third faster: words are split by ``bytes.translate`` + ``split`` instead of a regular
    expression (see :func:`_words`), shingles are hashed on slices of one encoded string, and
    packed by numpy.  :func:`signatures` signs many texts at once, faster still."""
    words = _words(text)
    data = b" ".join(words)
    lengths = [len(w) + 1 for w in words[: COMPARE_CHARS // 5]]
    values = _shingles_in(data, lengths)
    packed = np.fromiter(values, dtype=_NP_U32, count=len(values))
    packed.sort()
    return Signature(hashlib.blake2b(data, digest_size=16).digest(), len(words), packed.tobytes())


def _words(text: str) -> list[bytes]:
    r"""The words of :func:`fingerprint` of the opening :func:`signature` reads, as UTF-8.

    Split by ``bytes.translate`` + ``split`` instead of a regular expression: an ASCII text as
    ASCII, another as UTF-8 when each character left that is not ASCII is ``\w`` (alphanumeric,
    as all are in the notes of the 10k dump: UTF-8 encodes those with bytes of 128 and up
    only, which the translation keeps); URLs are looked for only in a text with a query."""
    folded = text[: COMPARE_CHARS * 2].casefold()
    if "?" in folded and "://" in folded:  # (what every URL with a query has)
        folded = _URL_QUERY.sub(r"\1", folded)
    if folded.isascii():
        # (on ASCII text ``\w`` is [A-Za-z0-9_], and none of those bytes is whitespace)
        return folded.encode("ascii").translate(_TO_SPACE).split()
    # The punctuation that makes most notes non-ASCII (curly quotes, dashes, ellipsis)
    # separates words as a space does: replaced by one.
    for mark in _WORDLESS:
        folded = folded.replace(mark, " ")
    spaced = folded.encode("utf-8").translate(_TO_SPACE)
    rest = spaced.translate(None, _ASCII)
    if not rest or rest.decode("utf-8").isalnum():
        return spaced.split()
    return [w.encode("utf-8") for w in _WORD.findall(folded)]


def signatures(texts: Sequence[str]) -> list[Signature]:
    """``[signature(text) for text in texts]`` (tests compare), with the 5-grams of all the
    texts hashed at once by numpy (:func:`_batch_shingles`).

    Why: a worker signs every blurb, and ~300 ``zlib.crc32`` calls on slices were ~60 % of a
    signature.  Hashed one text at a time, numpy's calls and cold tables cost more than they
    saved inside the extraction pass (1.3x); a chunk of 64 texts at once (d2k dump, in the
    pass): ~105 µs a blurb, against ~120 for :func:`signature` and ~145 before it split
    words as bytes."""
    out: list[Signature | None] = [None] * len(texts)
    for first in range(0, len(texts), _BATCH):
        keys, datas, counts = [], [], []
        for i in range(first, min(first + _BATCH, len(texts))):
            words = _words(texts[i])
            data = b" ".join(words)
            if len(words) >= SHINGLE and len(data) < _CRC_SPAN:
                keys.append(i)
                datas.append(data)
                counts.append(len(words))
            else:  # (few words, or too long for the tables: one at a time)
                lengths = [len(w) + 1 for w in words[: COMPARE_CHARS // 5]]
                out[i] = Signature(
                    hashlib.blake2b(data, digest_size=16).digest(),
                    len(words),
                    _pack(_shingles_in(data, lengths)),
                )
        if keys:
            packed = _batch_shingles(datas, counts)
            for i, data, count, shingles in zip(keys, datas, counts, packed, strict=True):
                out[i] = Signature(hashlib.blake2b(data, digest_size=16).digest(), count, shingles)
    return [s for s in out if s is not None]


_BATCH = 256  # texts hashed together by signatures (its arrays: ~2 MB for 256 notes)


def _batch_shingles(datas: list[bytes], counts: list[int]) -> list[bytes]:
    """The packed shingles (:func:`_pack` of :func:`_shingles_in`) of each of ``datas``: words
    joined by single spaces, ``counts[i]`` (at least 5) of them, shorter than
    :data:`_CRC_SPAN` bytes.  All are joined by spaces into one text and every 5-gram's CRC-32
    is computed at once (see :func:`_crc_tables`); each 5-gram and each byte by its place in
    its own text."""
    behind, near, far, before = _crc_tables()
    text = b" ".join(datas)
    sizes = np.array([len(d) + 1 for d in datas], dtype=np.intp)  # (with the space after)
    offsets = np.cumsum(sizes) - sizes
    words = np.array(counts, dtype=np.intp)
    windows = np.minimum(words, COMPARE_CHARS // 5) - (SHINGLE - 1)
    total = int(windows.sum())
    # where each word ends (at its space or the end): -1 before the first word of all
    bounds = np.empty(int(words.sum()) + 1, dtype=np.intp)
    bounds[0] = -1
    bounds[1:-1] = np.flatnonzero(np.frombuffer(text, dtype=np.uint8) == 0x20)
    bounds[-1] = len(text)
    # the first word of each 5-gram, in all the words; each 5-gram's text's offset
    first = np.arange(total, dtype=np.intp)
    first += np.repeat(np.cumsum(words) - words - (np.cumsum(windows) - windows), windows)
    base = np.repeat(offsets, windows)
    starts = bounds[first] + 1
    ends = bounds[first + SHINGLE]
    # each byte's place in its own text picks its table row (the spaces between the texts
    # are in no 5-gram: their terms cancel out)
    rows = np.frombuffer(text, dtype=np.uint8).astype(np.intp)
    rows += (np.arange(len(text), dtype=np.intp) - np.repeat(offsets, sizes)[: len(text)]) << 8
    cumulative = np.empty(len(text) + 1, dtype=np.uint32)
    cumulative[0] = 0
    np.bitwise_xor.accumulate(behind[rows], out=cumulative[1:])
    spans = cumulative[ends]
    spans ^= cumulative[starts]
    starts -= base
    ends -= base
    spans ^= before[starts]
    values = _lanes_map(far, _lanes_map(near, spans, ends & 63), ends >> 6)
    # Sorted and unique within each text: a row per text, padded with the largest value (a
    # text's own values sort before it or equal it, so a row's first ``windows`` are its
    # values sorted), sorted row by row: numpy sorts 64 rows of ~240 ~15x faster than one
    # array of their (text, value) pairs (~0.4 ms a chunk, a sixth of the signing).
    width = int(windows.max())
    table = np.full((len(datas), width), 0xFFFFFFFF, dtype=_NP_U32)
    column = np.arange(total, dtype=np.intp)
    column -= np.repeat(np.cumsum(windows) - windows, windows)
    table[np.repeat(np.arange(len(datas), dtype=np.intp), windows), column] = values
    table.sort(axis=1)
    keep = np.empty(table.shape, dtype=bool)
    keep[:, 0] = True
    np.not_equal(table[:, 1:], table[:, :-1], out=keep[:, 1:])
    keep &= np.arange(width, dtype=np.intp) < windows[:, None]
    cuts = np.cumsum(keep.sum(axis=1)).tolist()
    packed = table[keep].tobytes()
    bounds_of = zip([0, *cuts[:-1]], cuts, strict=True)
    return [packed[a * _ITEM : b * _ITEM] for a, b in bounds_of]


def warm_up() -> None:
    """Build the tables :func:`signatures` reads now (~20 ms): called before a process pool
    forks, its workers inherit them instead of each building its own."""
    _crc_tables()


# (see _crc_tables) texts of up to this many bytes have their 5-grams hashed by table
_CRC_SPAN = 3072


@lru_cache(maxsize=1)
def _crc_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The tables :func:`_batch_shingles` reads (built once per process: ~4 MB, ~20 ms).

    zlib's CRC-32 runs a 32-bit register over the bytes, ``r = A(r) ^ A(b)`` with
    ``A(r) = (r >> 8) ^ T[r & 255]`` (``T`` its byte table; ``A`` is linear over GF(2) and
    invertible), from ``r = 0xFFFFFFFF``, and gives ``~r``.  So the CRC of ``data[s:e]`` is
    ``~A^e(C[e] ^ C[s] ^ A^-s(0xFFFFFFFF))`` with ``C[p]`` the XOR of ``A^-i(data[i])`` over
    ``i < p``: one cumulative XOR serves every 5-gram.

    Returns ``A^-i(b)`` at ``[i * 256 + b]``; ``A^e`` (``e < 64``) and ``A^(64 * e)`` of a
    value whose byte ``k`` is ``b`` at ``[e * 1024 + k * 256 + b]``, to XOR over its 4 bytes
    (the final ``~`` XORed into the second's byte 0); ``A^-s(0xFFFFFFFF)`` at ``[s]``."""
    # T[b] = A(b): the register after byte b from 0 (``crc32(x, v)`` starts from ~v, ends ~)
    table = np.array(
        [zlib.crc32(bytes([b]), 0xFFFFFFFF) ^ 0xFFFFFFFF for b in range(256)], dtype=np.uint32
    )
    top = np.zeros(256, dtype=np.uint32)  # T's top byte is a permutation of the bytes
    top[table >> 24] = np.arange(256, dtype=np.uint32)
    units = np.uint32(1) << np.arange(32, dtype=np.uint32)
    low = top[units >> 24]
    ahead = _powers((units >> 8) ^ table[units & 255], _CRC_SPAN)
    behind = _powers(((units ^ table[low]) << 8) | low, _CRC_SPAN - 1)
    # A^e = A^(64 * (e // 64)) after A^(e % 64): two small tables instead of one per e
    near = np.empty((64, 4, 256), dtype=np.uint32)
    far = np.empty((_CRC_SPAN // 64 + 1, 4, 256), dtype=np.uint32)
    for k in range(4):
        _byte_table(ahead[:64, 8 * k : 8 * k + 8], near[:, k])
        _byte_table(ahead[::64, 8 * k : 8 * k + 8], far[:, k])
    far[:, 0] ^= np.uint32(0xFFFFFFFF)  # (the final ~, once per 5-gram)
    backward = np.empty((_CRC_SPAN, 256), dtype=np.uint32)
    _byte_table(behind[:, :8], backward)
    return backward.ravel(), near.ravel(), far.ravel(), np.bitwise_xor.reduce(behind, axis=1)


def _powers(images: np.ndarray, most: int) -> np.ndarray:
    """Row ``p`` (``0 <= p <= most``): the images of the 32 one-bit registers under ``M^p``,
    for the linear map ``M`` whose images they are in ``images`` (doubling: ~12 steps)."""
    out = np.empty((most + 1, 32), dtype=np.uint32)
    out[0] = np.uint32(1) << np.arange(32, dtype=np.uint32)
    out[1] = images
    have = 2
    while have <= most:
        by = _apply(out[have - 1], images)  # M^have = M^(have-1) after M
        more = min(have, most + 1 - have)
        out[have : have + more] = _apply(by, out[:more])
        have += more
    return out


def _apply(images: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The linear map whose images of the 32 one-bit registers are ``images``, on ``values``."""
    lanes = _byte_table(images.reshape(4, 8))
    return (
        lanes[0][values & 255]
        ^ lanes[1][(values >> 8) & 255]
        ^ lanes[2][(values >> 16) & 255]
        ^ lanes[3][values >> 24]
    )


def _byte_table(images: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Rows of a linear map's images of the 8 one-bit bytes → rows of its 256 byte values
    (into ``out`` when given)."""
    if out is None:
        out = np.empty((len(images), 256), dtype=np.uint32)
    out[:, 0] = 0
    for bit in range(8):
        out[:, 1 << bit : 2 << bit] = out[:, : 1 << bit] ^ images[:, bit : bit + 1]
    return out


def _lanes_map(table: np.ndarray, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Each of ``values`` through the linear map in row ``rows[i]`` of ``table`` (a row: the
    map's value of each byte of a value, 4 × 256).  (Index arithmetic in one integer type over
    long rows: numpy is slow at mixed types and at rows of 4.  ``np.tile``, not ``np.resize``:
    resize concatenates one copy per repeat, ~20x slower here, a third of the signing.)"""
    lanes = values.astype("<u4", copy=False).view(np.uint8).astype(np.intp)  # low byte first
    lanes += np.tile(_LANE_STARTS, len(values))
    lanes += np.repeat(rows << 10, 4)
    parts = table[lanes].reshape(-1, 4)
    out = parts[:, 0] ^ parts[:, 1]
    out ^= parts[:, 2]
    out ^= parts[:, 3]
    return out


_LANE_STARTS = np.arange(0, 1024, 256, dtype=np.intp)


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
