"""find_duplicates' fast paths give what the plain ways give: _near_pairs (pairs counted by
numpy) the Counter's pairs, _Lookup (a table) the binary-search counts, and find_duplicates
the groups of find_duplicates_reference — on texts that share template sentences (buckets
of up to 64 blurbs, and boilerplate in more), with shows and episode numbers that forbid
merging, keys in any order, and 32-bit values chosen to collide in the table."""

import random
import sys
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from digest.ingest import dedupe
from tests.conftest import examples

ROOT = Path(__file__).resolve().parents[2]


def _candidates(seed: int, count: int = 60) -> list[dedupe.Candidate]:
    """Variants of a few texts (some > 64 copies of one), keys shuffled, shows and numbers
    sometimes set."""
    rng = random.Random(seed)
    vocabulary = [f"w{i}" for i in range(rng.choice([8, 40, 300]))]
    bases = [
        [rng.choice(vocabulary) for _ in range(rng.choice([0, 4, 11, 12, 30, 150, 400]))]
        for _ in range(rng.choice([1, 3, 8]))
    ]
    out = []
    for key in rng.sample(range(10 * count), count):
        words = list(rng.choice(bases))
        for _ in range(rng.choice([0, 0, 1, 5, 40])):
            if words:
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
        text = " ".join(words)
        out.append(
            dedupe.Candidate(
                key,
                text if rng.random() < 0.3 else "",
                show=rng.choice([None, None, "a", "b"]),
                number=rng.choice([None, None, None, 1, 2]),
                signature=None if rng.random() < 0.3 else dedupe.signature(text),
            )
        )
    return [c if c.signature or c.text else dedupe.Candidate(c.key, "x y") for c in out]


def _sigs(candidates):
    return {c.key: c.signature or dedupe.signature(c.text) for c in candidates}


def test_near_pairs_are_the_counter_pairs() -> None:
    found = big = 0
    for seed in range(40):
        candidates = _candidates(seed, random.Random(seed).choice([2, 30, 90, 140]))
        sigs = _sigs(candidates)
        pairs = dedupe._near_pairs(candidates, sigs)
        assert pairs == dedupe._near_pairs_reference(candidates, sigs), seed
        found += len(pairs)
        big += any(len(keys) > 40 for keys in dedupe._anchor_buckets(candidates, sigs))
    assert found > 1000 and big  # many pairs, and big buckets, were compared
    assert dedupe._near_pairs([], {}) == []


def test_find_duplicates_is_the_reference() -> None:
    groups = 0
    for seed in range(40):
        candidates = _candidates(seed, random.Random(seed).choice([2, 30, 90, 140]))
        lengths = {c.key: (c.key * 7) % 13 for c in candidates}
        got = dedupe.find_duplicates(candidates, lengths)
        assert got == dedupe.find_duplicates_reference(candidates, lengths), seed
        groups += len(got)
    assert groups > 20


def test_find_duplicates_on_synthetic_blurbs() -> None:
    """Blurbs as the benchmark makes them (template sentences shared by many), with copies."""
    sys.path.insert(0, str(ROOT / "scripts"))
    from synth import synthesise_blurbs

    blurbs = synthesise_blurbs(400, 3)
    texts = blurbs + [b[: len(b) // 2] for b in blurbs[:40]] + [b.upper() for b in blurbs[40:60]]
    candidates = [dedupe.Candidate(k, t) for k, t in enumerate(texts)]
    lengths = {k: len(t) for k, t in enumerate(texts)}
    got = dedupe.find_duplicates(candidates, lengths)
    assert got == dedupe.find_duplicates_reference(candidates, lengths)
    assert len(got) >= 40


def test_a_key_twice() -> None:
    """(The pipeline never passes one key twice; the result is still the reference's.)"""
    text = " ".join(f"w{i}" for i in range(40))
    other = text.replace("w7 ", "x ")
    for keys in ([1, 1, 2], [1, 2, 1], [2, 1, 1, 2], [3, 1, 2, 1]):
        for texts in ([text] * 4, [text, other, text, other], [other, text, text, text]):
            candidates = [dedupe.Candidate(k, t) for k, t in zip(keys, texts, strict=False)]
            got = dedupe.find_duplicates(candidates, {})
            assert got == dedupe.find_duplicates_reference(candidates, {}), (keys, texts)


_SLOT = 1 << dedupe._SLOT_BITS
# values that share slots (same low bits), the slot markers (slot ^ 1), and both ends
_values = st.one_of(
    st.integers(0, 2**32 - 1),
    st.builds(lambda s, h: (h * _SLOT + s) % 2**32, st.integers(0, 5), st.integers(0, 2**16 - 1)),
    st.sampled_from([0, 1, 2, 3, _SLOT - 1, _SLOT, _SLOT + 1, 2**32 - 1, 2**32 - 2]),
)
_sets = st.frozensets(_values, max_size=40)


def _packed(values) -> bytes:
    return np.array(sorted(values), dtype=dedupe._NP_U32).tobytes()


@settings(max_examples=examples(400), deadline=None)
@given(st.lists(_sets, min_size=1, max_size=8), st.lists(st.lists(st.integers(0, 7), min_size=1)))
def test_lookup_counts_are_shared_counts(sets, runs) -> None:
    """One _Lookup for several runs (the table must be left empty after each)."""
    sigs = {k: dedupe.Signature(b"", len(s), _packed(s)) for k, s in enumerate(sets)}
    lookup = dedupe._Lookup(sigs)
    for run in runs:
        run = [k % len(sets) for k in run]
        a, others = run[0], run[1:] or [run[0]]
        expected = dedupe._shared_counts(sigs[a].shingles, [sigs[b].shingles for b in others])
        assert lookup.counts(a, others) == expected
        assert expected[0] == [len(sets[a] & sets[b]) for b in others]
    assert np.array_equal(lookup.table, lookup.empty)
