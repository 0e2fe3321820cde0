"""Synthetic dumps for the benchmark, drawn from the shipped sample's distribution.

The sample (data/blurbs/heroku-directory-sample.txt) is 53 lines; a benchmark needs 1,000 and
10,000 episodes that *look like it* to every stage of the pipeline: the same mix of short
blurbs and ~65,000-character transcripts, the same vocabulary (so the tagger finds the same
topics at the same rates), show header lines and directory cruft between blurbs, and episode
numbers and dates stated the way the real show notes state them. Everything is derived from a
seeded ``random.Random`` so two runs with one seed produce byte-identical dumps.

Pure functions, no Pelican import: ``synthesise_blurbs(n, seed) -> list[str]`` returns the
blurb lines; ``synthesise_dump(n, seed) -> str`` interleaves them with show headers and cruft
like a real dump. If the ingest engineer's ``scripts/bench_ingest.py`` provides its own
synthesiser, ``scripts/bench.py`` prefers that one (one synthesiser for the whole project).
"""

from __future__ import annotations

import datetime as dt
import random
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"

# Lines of a dump that are not blurbs: the directory's navigation and show headers.
_CRUFT = ("POPULARITY", "Categories")
_MIN_BLURB_CHARS = 200
# The directory cuts transcripts at ~65,500 characters (see digest/ingest/read.py).
_MAX_BLURB_CHARS = 65_530
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z“\"(])")

_FIRST = [
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
_LAST = [
    "Abrams",
    "Beary",
    "Duque",
    "Frederick",
    "Gross",
    "Hamilton",
    "Junod",
    "Kowalski",
    "Lacoste",
    "Lemkin",
    "Müller",
    "Nakamura",
    "Novak",
    "Okafor",
    "Orlando",
    "Patel",
    "Quinn",
    "Rivas",
    "Silva",
    "Tanaka",
    "Taylor",
    "Warner",
    "Wiggins",
    "Zimman",
]
_SHOWS = (
    "Software Engineering Daily", "The New Stack Makers", "Screaming in the Cloud",
    "The Changelog", "Giant Robots Smashing Into Other Giant Robots", "Latent Space",
    "The Cloud Pod", "DevOps Diaries", "Elixir Wizards", "Python Bytes", "Bike Shed",
    "Convergence", "Developer Experience Podcast", "Platform Engineering Weekly", "Rails Runway",
)  # fmt: skip
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


@lru_cache(maxsize=1)
def _sample() -> tuple[tuple[str, ...], tuple[int, ...]]:
    """(sentence pool, blurb lengths) of the shipped sample."""
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    blurbs = [line for line in lines if len(line) >= _MIN_BLURB_CHARS]
    sentences = []
    for blurb in blurbs:
        for sentence in _SENTENCE.split(blurb):
            sentence = sentence.strip()
            if 20 <= len(sentence) <= 600:
                sentences.append(sentence)
    return tuple(sentences), tuple(len(b) for b in blurbs)


def _name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _date_phrase(rng: random.Random, day: dt.date) -> str:
    style = rng.random()
    if style < 0.4:
        return f"Recorded {_MONTHS[day.month - 1]} {day.day}, {day.year}."
    if style < 0.7:
        return f"Published {day.day} {_MONTHS[day.month - 1]} {day.year}."
    return f"This episode was released on {day.isoformat()}."


def _blurb(rng: random.Random, index: int, sentences: tuple[str, ...], length: int) -> str:
    """One blurb of about ``length`` characters; the opening sentence makes it unique."""
    show = rng.choice(_SHOWS)
    guest, host = _name(rng), _name(rng)
    number = 1 + index // 3 + rng.randrange(3)
    opener = rng.choice(
        (
            f"In episode {number} of {show}, {host} talks with {guest} about",
            f"{guest} joins {host} on {show} (episode #{number}) to discuss",
            f"Episode {number}: {host} and {guest} dig into",
        )
    )
    subject = rng.choice(sentences).rstrip(".!?")
    parts = [f"{opener} {subject[0].lower()}{subject[1:]}."]
    # Dates in the past only: between 2015-01-01 and 2024-12-31.
    if rng.random() < 0.75:
        day = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3653))
        parts.append(_date_phrase(rng, day))
    size = sum(len(p) + 1 for p in parts)
    while size < length:
        sentence = rng.choice(sentences)
        if rng.random() < 0.15:
            sentence = sentence.replace("Heroku", rng.choice(("Fly.io", "Render", "Railway")))
        parts.append(sentence)
        size += len(sentence) + 1
    text = " ".join(parts)
    if rng.random() < 0.3:
        text += f" The post {subject[:60].strip()} appeared first on {show}."
    return text[:_MAX_BLURB_CHARS]


def synthesise_blurbs(n: int, seed: int = 20241127) -> list[str]:
    """``n`` distinct blurb lines whose lengths follow the sample's (transcripts included)."""
    rng = random.Random(seed)
    sentences, lengths = _sample()
    out = []
    for index in range(n):
        length = int(rng.choice(lengths) * rng.uniform(0.85, 1.15))
        out.append(_blurb(rng, index, sentences, max(_MIN_BLURB_CHARS, length)))
    return out


def synthesise_dump(n: int, seed: int = 20241127) -> str:
    """A dump like the sample: cruft lines first, a show header every few dozen blurbs."""
    rng = random.Random(seed + 1)
    lines = list(_CRUFT)
    for blurb in synthesise_blurbs(n, seed):
        if rng.random() < 0.03:
            lines.append(f"{rng.choice(_SHOWS)} | Podcast")
        lines.append(blurb)
    return "\n".join(lines) + "\n"


if __name__ == "__main__":  # pragma: no cover - manual inspection aid
    import sys

    count = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    sys.stdout.write(synthesise_dump(count))
