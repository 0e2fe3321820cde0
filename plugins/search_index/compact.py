"""Build a lunr index and ship it compact; expand it back to lunr's own serialisation.

Why not ``json.dumps(index.serialize())``: that format is mostly redundancy. With no metadata
whitelist every posting is ``{ref: {}}``, the ``invertedIndex`` can be rebuilt from the term
list alone, and every field-vector score is ``BM25(tf, field length, df)`` rounded to three
decimals — derivable in the browser from small integers. So the compact payload holds:

* ``terms`` in insertion order (a term's position *is* lunr's ``_index``);
* ``postings``: per term, a flat integer list ``[field, count, doc, (-tf)?, doc, ...]`` with
  doc numbers delta-encoded (refs are ``"0"``…``"n-1"``) and ``-tf`` only when tf > 1;
* ``lengths``: per field, every document's field length;
* the fields, boosts, k1, b and pipeline.

``theme/static/js/search-core.js`` expands this into exactly what ``Index.serialize()`` returns
(``tests/js/search_compact.test.mjs`` deep-compares them); :func:`expand` does the same in
Python for fast unit tests. Scores are recomputed with lunr.py's formula and Python's
``round(score, 3)`` semantics (half-even on exact ties), never re-rounded differently: rounding
coarser saves little and reorders ties.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from lunr import __TARGET_JS_VERSION__
from lunr.builder import Builder
from lunr.index import Index
from lunr.pipeline import Pipeline
from lunr.stop_word_filter import stop_word_filter
from lunr.token import Token
from lunr.trimmer import trimmer

from .stemmer import js_stemmer

__all__ = [
    "DocumentTokenizer",
    "FieldSpec",
    "build",
    "compact",
    "compact_counts",
    "decode_varints",
    "encode_postings",
    "encode_varints",
    "expand",
    "fast_compact",
    "load_index",
    "make_builder",
]

# lunr.py's Tokenizer splits on exactly these characters (lunr/tokenizer.py SEPARATOR_CHARS).
_SEPARATOR = re.compile("[ \t\n\r\f\v\xa0-]+")


@dataclass(frozen=True)
class FieldSpec:
    name: str
    boost: int = 1


def make_builder(fields: Sequence[FieldSpec]) -> Builder:
    """A lunr.py builder whose stemmer is lunr.js's (see stemmer.py), ref = document number."""
    builder = Builder()
    builder.pipeline.add(trimmer, stop_word_filter, js_stemmer)
    builder.search_pipeline.add(js_stemmer)
    builder.ref("ref")
    for field in fields:
        builder.field(field.name, boost=field.boost)
    return builder


def build(fields: Sequence[FieldSpec], documents: Iterable[dict[str, str]]) -> Builder:
    """Add documents (dicts keyed by field name, in ref order 0..n-1); no ``build()`` call.

    ``Builder.build()`` computes field vectors and a token set that the compact format does not
    ship; skipping it saves a third of the index time at 10,000 episodes.
    """
    builder = make_builder(fields)
    for ref, document in enumerate(documents):
        builder.add({"ref": str(ref), **document})
    return builder


def compact(builder: Builder) -> dict[str, Any]:
    """The compact payload of a builder filled by :func:`build`."""
    fields = list(builder._fields)
    field_no = {name: i for i, name in enumerate(fields)}
    terms = sorted(builder.inverted_index, key=lambda t: builder.inverted_index[t]["_index"])
    postings: list[list[int]] = []
    for term in terms:
        posting = builder.inverted_index[term]
        flat: list[int] = []
        for name in fields:
            refs = posting[name]
            if not refs:
                continue
            flat += [field_no[name], len(refs)]
            previous = -1
            for ref in sorted(refs, key=int):
                doc = int(ref)
                flat.append(doc - previous)
                previous = doc
                tf = builder.field_term_frequencies[f"{name}/{ref}"][term]
                if tf > 1:
                    flat.append(-tf)
        postings.append(flat)
    lengths = [
        [builder.field_lengths[f"{name}/{ref}"] for ref in range(builder.document_count)]
        for name in fields
    ]
    return {
        "version": __TARGET_JS_VERSION__,
        "fields": fields,
        "boosts": [builder._fields[name].boost for name in fields],
        "k1": builder._k1,
        "b": builder._b,
        "pipeline": builder.search_pipeline.serialize(),
        "n": builder.document_count,
        "terms": terms,
        "postings": postings,
        "lengths": lengths,
    }


def fast_compact(
    fields: Sequence[FieldSpec], documents: Iterable[dict[str, str]]
) -> dict[str, Any]:
    """What ``compact(build(fields, documents))`` returns, about ten times faster.

    Why: lunr.py's ``Builder.add`` runs every token through the pipeline as a ``Token`` object
    and keeps per-posting metadata dicts the compact format never ships; on 1,000 synthetic
    episodes that took 6 s. Here the pipeline (lunr.py's own trimmer and stop-word filter, and
    the lunr.js stemmer) runs once per distinct raw token and the counting is plain dicts.
    ``tests/build/test_search_compact.py`` proves the two payloads identical.
    """
    tokenizer = DocumentTokenizer(fields)
    return compact_counts(fields, (tokenizer.counts(document) for document in documents))


# One document as the index sees it: per field, (field length, {term: count} in the order the
# terms first occur). Enough to rebuild the compact payload, so it can be cached per document.
DocumentCounts = list[tuple[int, dict[str, int]]]


class DocumentTokenizer:
    """lunr's pipeline (trimmer, stop words, lunr.js stemmer) over a document's fields, once
    per distinct raw token."""

    def __init__(self, fields: Sequence[FieldSpec]) -> None:
        self.pipeline = make_builder(fields).pipeline
        self.names = [field.name for field in fields]
        self.cache: dict[str, list[str]] = {}

    def counts(self, document: dict[str, str]) -> DocumentCounts:
        result: DocumentCounts = []
        cache, pipeline = self.cache, self.pipeline
        for name in self.names:
            value = document.get(name)
            out: list[str] = []
            if value is not None:
                for raw in _SEPARATOR.split(str(value).lower()):
                    if not raw:
                        continue
                    processed = cache.get(raw)
                    if processed is None:
                        processed = [str(t) for t in pipeline.run([Token(raw, {})], name)]
                        cache[raw] = processed
                    out.extend(processed)
            counts: dict[str, int] = {}
            for term in out:
                counts[term] = counts.get(term, 0) + 1
            result.append((len(out), counts))
        return result


def compact_counts(
    fields: Sequence[FieldSpec], documents: Iterable[DocumentCounts]
) -> dict[str, Any]:
    """The compact payload from per-document term counts (:class:`DocumentTokenizer`).

    Terms are numbered in the order they first occur (document, then field, then the order of
    a field's counts); each term's postings list, field by field in field order, is the field
    number, the number of documents, then each document as the gap from the previous one,
    followed by ``-tf`` when the term occurs more than once. Postings are gathered per field
    as flat ``[doc, tf, doc, tf …]`` lists (a tuple and a dict lookup less per posting than a
    dict of fields per term: a rebuild runs this over every episode)."""
    builder = make_builder(fields)
    names = [field.name for field in fields]
    term_no: dict[str, int] = {}
    terms: list[str] = []
    by_field: list[dict[str, list[int]]] = [{} for _ in names]
    lengths: list[list[int]] = [[] for _ in names]
    n = 0
    for doc, document in enumerate(documents):
        n = doc + 1
        for f, (length, counts) in enumerate(document):
            lengths[f].append(length)
            field_postings = by_field[f]
            for term, tf in counts.items():
                entries = field_postings.get(term)
                if entries is None:
                    field_postings[term] = [doc, tf]
                    if term not in term_no:
                        term_no[term] = len(terms)
                        terms.append(term)
                else:
                    entries.append(doc)
                    entries.append(tf)
    postings: list[list[int]] = []
    for term in terms:
        flat: list[int] = []
        for f, field_postings in enumerate(by_field):
            entries = field_postings.get(term)
            if entries is None:
                continue
            flat += [f, len(entries) >> 1]
            previous = -1
            for doc, tf in zip(entries[::2], entries[1::2], strict=True):
                flat.append(doc - previous)
                previous = doc
                if tf > 1:
                    flat.append(-tf)
        postings.append(flat)
    return {
        "version": __TARGET_JS_VERSION__,
        "fields": names,
        "boosts": [field.boost for field in fields],
        "k1": builder._k1,
        "b": builder._b,
        "pipeline": builder.search_pipeline.serialize(),
        "n": n,
        "terms": terms,
        "postings": postings,
        "lengths": lengths,
    }


# The wire encoding of a postings list: zigzag varints, 5 bits a character, a set 6th bit
# meaning "more follows". The alphabet is JSON-safe (no escapes). About 6 % smaller gzipped
# than JSON integer lists at 1,000 episodes, and each term's string is decoded only when a
# query uses it (search-core.js decodeVarints).
VARINT_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_"
_VARINT_VALUE = {char: value for value, char in enumerate(VARINT_ALPHABET)}


def _varint(z: int) -> str:
    """The characters of one zigzagged number."""
    out = []
    while True:
        digit, z = z & 31, z >> 5
        out.append(VARINT_ALPHABET[digit + (32 if z else 0)])
        if not z:
            return "".join(out)


# Numbers whose zigzag is below 1,024 (one or two characters: nearly every gap and count) are
# looked up; the postings of 10,000 episodes hold about two million of them.
_SHORT_VARINTS = [_varint(z) for z in range(1024)]


def encode_varints(numbers: Sequence[int]) -> str:
    short = _SHORT_VARINTS
    out = []
    for number in numbers:
        z = number << 1 if number >= 0 else ((-number) << 1) - 1
        if z < 1024:
            out.append(short[z])
            continue
        while True:
            digit, z = z & 31, z >> 5
            out.append(VARINT_ALPHABET[digit + (32 if z else 0)])
            if not z:
                break
    return "".join(out)


def decode_varints(text: str) -> list[int]:
    numbers, z, shift = [], 0, 0
    for char in text:
        value = _VARINT_VALUE[char]
        z |= (value & 31) << shift
        shift += 5
        if value < 32:
            numbers.append(z >> 1 if not z & 1 else -((z + 1) >> 1))
            z, shift = 0, 0
    return numbers


def encode_postings(payload: dict[str, Any]) -> dict[str, Any]:
    """The compact payload with every postings list as a varint string (what the site ships)."""
    return {**payload, "postings": [encode_varints(flat) for flat in payload["postings"]]}


def expand(payload: dict[str, Any]) -> dict[str, Any]:
    """Rebuild ``Index.serialize()`` output from the compact payload (Python twin of the JS);
    postings may be integer lists or varint strings."""
    fields: list[str] = payload["fields"]
    n: int = payload["n"]
    k1, b = payload["k1"], payload["b"]
    lengths = payload["lengths"]
    averages = [sum(column) / n if n else 0 for column in lengths]
    # per (field, doc): {term index: tf}
    tfs: list[list[dict[int, int]]] = [[{} for _ in range(n)] for _ in fields]
    inverted: dict[str, dict[str, Any]] = {}
    dfs: list[int] = []
    for index, (term, flat) in enumerate(zip(payload["terms"], payload["postings"], strict=True)):
        if isinstance(flat, str):
            flat = decode_varints(flat)
        posting: dict[str, Any] = {name: {} for name in fields}
        posting["_index"] = index
        df, i = 0, 0
        while i < len(flat):
            field, count = flat[i], flat[i + 1]
            i += 2
            doc = -1
            for _ in range(count):
                doc += flat[i]
                i += 1
                tf = 1
                if i < len(flat) and flat[i] < 0:
                    tf = -flat[i]
                    i += 1
                posting[fields[field]][str(doc)] = {}
                tfs[field][doc][index] = tf
            df += count
        inverted[term] = posting
        dfs.append(df)
    vectors = []
    for doc in range(n):
        for f, name in enumerate(fields):
            elements: list[float] = []
            length = lengths[f][doc]
            for index in sorted(tfs[f][doc]):
                tf = tfs[f][doc][index]
                x = (n - dfs[index] + 0.5) / (dfs[index] + 0.5)
                idf = math.log(1 + abs(x))
                score = idf * ((k1 + 1) * tf) / (k1 * (1 - b + b * (length / averages[f])) + tf)
                score *= payload["boosts"][f]
                elements += [index, round(score, 3)]
            vectors.append([f"{name}/{doc}", elements])
    return {
        "version": payload["version"],
        "fields": fields,
        "fieldVectors": vectors,
        "invertedIndex": [[term, inverted[term]] for term in sorted(inverted)],
        "pipeline": payload["pipeline"],
    }


def load_index(serialised: dict[str, Any]) -> Index:
    """``Index.load`` with lunr.js's stemmer in the search pipeline, as the browser queries."""
    index = Index.load(serialised)
    index.pipeline = Pipeline()
    index.pipeline.add(js_stemmer)
    return index
