"""dedupe._anchor_buckets (every candidate's shingles in one numpy array) yields the buckets
the per-candidate reference below yields, in the same order."""

import random

import numpy as np

from digest.ingest import dedupe


def _reference(candidates, sigs):
    anchors, owners = [], []
    for c in candidates:
        sig = sigs[c.key]
        if sig.words < 12:
            continue
        values = np.frombuffer(sig.shingles, dtype=np.dtype(dedupe._U32))
        picked = values[values % dedupe._ANCHOR_MOD == 0]
        anchors.append(picked)
        owners.append(np.full(len(picked), c.key, dtype=np.int64))
    if not anchors:
        return
    anchor, owner = np.concatenate(anchors), np.concatenate(owners)
    order = np.argsort(anchor, kind="stable")
    anchor, owner = anchor[order], owner[order]
    starts = np.flatnonzero(np.r_[True, anchor[1:] != anchor[:-1]])
    ends = np.r_[starts[1:], len(anchor)]
    sizes = ends - starts
    keep = (sizes >= 2) & (sizes <= dedupe._MAX_BUCKET)
    owned = owner.tolist()
    for start, end in zip(starts[keep].tolist(), ends[keep].tolist(), strict=True):
        yield owned[start:end]


def test_anchor_buckets_are_the_reference_buckets() -> None:
    rng = random.Random(5)
    vocabulary = [f"w{i}" for i in range(60)]
    found = False
    for trial in range(20):
        bases = [
            [rng.choice(vocabulary) for _ in range(rng.choice([0, 3, 11, 12, 40, 200]))]
            for _ in range(6)
        ]
        candidates = []
        for key in rng.sample(range(1000), 40):
            words = list(rng.choice(bases))  # a variant of one of a few texts
            if words:
                words[rng.randrange(len(words))] = rng.choice(vocabulary)
            sig = dedupe.signature(" ".join(words))
            candidates.append(dedupe.Candidate(key, "", signature=sig))
        sigs = {c.key: c.signature for c in candidates}
        got = list(dedupe._anchor_buckets(candidates, sigs))
        assert got == list(_reference(candidates, sigs)), trial
        found = found or bool(got)
    assert found  # (buckets were found)
    assert list(dedupe._anchor_buckets([], {})) == []
