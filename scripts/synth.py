"""The one synthesiser of benchmark dumps: 10,000 blurbs that look like the shipped sample.

    from synth import synthesise, synthesise_blurbs   # (scripts/ on sys.path)

``synthesise(n, seed)`` returns a dump of ``n`` lines with the sample's distribution: its blurbs
drawn uniformly (so about one in six is a 30–65 kB transcript), each made unique by swapping
~5 % of its words, with exact repeats, UI cruft lines and show lines mixed in at the sample's
rates.  ``synthesise_blurbs`` returns only the blurb lines (for search benchmarks).  A fixed
seed gives byte-identical output.  Used by scripts/bench_ingest.py, scripts/bench.py and
scripts/bench_search.py.
"""

from __future__ import annotations

import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"

# First names for synthetic guests (search benchmarks).
NAMES = [
    "Adam",
    "Ava",
    "Betty",
    "Carlos",
    "Chen",
    "Dana",
    "Elena",
    "Farah",
    "Gail",
    "Hiro",
    "Ines",
    "Jae",
    "Julián",
    "Kevin",
    "Laura",
    "Lena",
    "Marc",
    "Maya",
    "Nadia",
    "Omar",
    "Priya",
    "Rémy",
    "Sami",
    "Sofia",
    "Terence",
    "Uma",
    "Victor",
    "Wes",
    "Yuki",
    "Zoe",
]


def synthesise(n: int, seed: int) -> str:
    rng = random.Random(seed)
    lines = [ln for ln in SAMPLE.read_text(encoding="utf-8").split("\n") if ln.strip()]
    blurbs = [ln for ln in lines if len(ln) > 200]
    shorts = [ln for ln in lines if len(ln) <= 200]
    vocab = sorted({w for ln in blurbs for w in ln[:3000].split() if w.isalpha()})
    out: list[str] = []
    while len(out) < n:
        roll = rng.random()
        if roll < 0.04 and out:
            out.append(rng.choice(out))  # exact repeat (the sample has 4 in 54)
            continue
        if roll < 0.08:
            out.append(rng.choice(shorts))  # cruft and show lines
            continue
        words = rng.choice(blurbs).split(" ")
        for _ in range(max(3, len(words) // 20)):
            words[rng.randrange(len(words))] = rng.choice(vocab)
        out.append(" ".join(words))
    return "\n".join(out) + "\n"


def synthesise_blurbs(n: int, seed: int = 20241127) -> list[str]:
    """``n`` blurb lines (no cruft, show lines or exact repeats) from :func:`synthesise`."""
    blurbs: list[str] = []
    seen: set[str] = set()
    size = n
    while len(blurbs) < n:
        blurbs = []
        seen.clear()
        for line in synthesise(size, seed).splitlines():
            if len(line) > 200 and line not in seen:
                seen.add(line)
                blurbs.append(line)
        size += n // 8 + 1
    return blurbs[:n]
