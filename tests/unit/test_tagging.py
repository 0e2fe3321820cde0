"""The auto-tagger (digest/tagging.py) against the hand-labelled set and on hard cases.

Print the figures with:

    .venv/bin/python tests/unit/test_tagging.py --errors   # micro P/R on the tuning set + errors
    .venv/bin/python tests/unit/test_tagging.py --heldout  # ... and on the held-out sets

Splits of the labelled set: ``tune`` (may be tuned on), ``heldout`` (every third of the first
78), ``heldout2`` (every third of the 36 ``fresh-`` episodes, written and labelled before
the third round of tuning) and ``heldout3`` (28 ``h3-`` blurbs, written and labelled before the
tagger was ever run on them). ``--heldout`` reports each held-out set, the first two combined
and all three combined.
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from digest.episode import Episode, Source  # noqa: E402
from digest.tagging import TopicMatch, tag, tag_text  # noqa: E402
from digest.taxonomy import load_taxonomy, parse_taxonomy  # noqa: E402

LABELLED = ROOT / "tests" / "fixtures" / "labelled" / "episodes.yml"
SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
TOPICS = ROOT / "content" / "topics.yml"

# Floors set from what the tagger reaches on the held-out third (docs/topics.md keeps the
# history), less a small margin for one-episode noise. First release: precision 0.830, recall
# 0.736. Second (local enumerations, short-body threads, implied phrases, biographies): precision
# 0.786, recall 0.830 — recall now meets the aim, precision fell, so its floor went DOWN from 0.80
# to 0.77: a deliberate trade (micro F1 0.780 -> 0.807), flagged for review in the commit.
# The aim is precision >= 0.85 and recall >= 0.80: raise the floors as the tagger gets there.
# Fourth (a lone mention needs a share of the episode's evidence, `lone_min_share`; weak hints
# alone are not a tag): precision 0.878, recall 0.811 (tp 43, fp 6, fn 10). One episode more
# or less moves recall by ~0.02, so the recall floor sits just under what is reached.
HELDOUT_PRECISION_FLOOR = 0.85
HELDOUT_RECALL_FLOOR = 0.79
# All three held-out sets together (heldout + heldout2 + heldout3, 66 episodes, 121 labels).
# Before `lone_min_share`: precision 0.727, recall 0.901 (heldout + heldout2 alone: 0.714 /
# 0.867). With `lone_min_share`: 0.835 / 0.876; with weak hints alone no longer a tag too:
# 0.847 / 0.868 (heldout + heldout2: 0.827 / 0.827). A third round of rules
# (asides, per-topic min_score) reached 0.949 / 0.897 on the tuning split but 0.740 / 0.760 on
# heldout + heldout2 and was not shipped; see docs/topics.md.
COMBINED_PRECISION_FLOOR = 0.82
COMBINED_RECALL_FLOOR = 0.84
# heldout3 alone (28 episodes, 46 labels): 0.746 / 0.957 before, 0.878 / 0.935 now.
HELDOUT3_PRECISION_FLOOR = 0.85
HELDOUT3_RECALL_FLOOR = 0.90


@dataclass(frozen=True)
class Labelled:
    id: str
    title: str
    text: str
    expected: frozenset[str]
    split: str


def load_labelled() -> list[Labelled]:
    data = yaml.safe_load(LABELLED.read_text(encoding="utf-8"))
    lines = SAMPLE.read_text(encoding="utf-8").splitlines()
    out = []
    for raw in data["episodes"]:
        text = raw["text"] if "text" in raw else lines[raw["line"] - 1]
        out.append(
            Labelled(
                raw["id"],
                raw.get("title") or "",
                text,
                frozenset(raw["expected"]),
                raw["split"],
            )
        )
    return out


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


# heldout3: 28 blurbs written and labelled before the tagger was run on them (see the fixture).
# First run, with the tagger as it was when they were written (commit 12230c5): precision
# 0.746, recall 0.957 (tp 44, fp 15, fn 2); all three held-out sets together 0.727 / 0.901.
HELDOUT3 = "heldout3"
HELDOUT_SPLITS = ("heldout", "heldout2", HELDOUT3)
SPLITS = ("tune", *HELDOUT_SPLITS)


def evaluate(split: str | tuple[str, ...], taxonomy=None, errors: list[str] | None = None) -> Score:
    """Micro figures on one split, or on several together (``("heldout", "heldout2")``)."""
    taxonomy = taxonomy or load_taxonomy(TOPICS)
    wanted = (split,) if isinstance(split, str) else split
    score = Score()
    for ep in load_labelled():
        if ep.split not in wanted:
            continue
        got = {m.slug for m in tag_text(ep.title, ep.text, taxonomy)}
        score.tp += len(got & ep.expected)
        score.fp += len(got - ep.expected)
        score.fn += len(ep.expected - got)
        if errors is not None and got != ep.expected:
            errors.append(f"{ep.id}: +{sorted(got - ep.expected)} -{sorted(ep.expected - got)}")
    return score


@pytest.fixture(scope="module")
def taxonomy():
    return load_taxonomy(TOPICS)


# -- the labelled set itself ------------------------------------------------------------------


def test_labelled_set_is_big_enough_and_well_formed(taxonomy):
    eps = load_labelled()
    assert len(eps) >= 60
    assert len({e.id for e in eps}) == len(eps)
    heldout = [e for e in eps if e.split != "tune"]
    assert len(heldout) * 3 >= len(eps) - 2, "a third of the set is held out"
    assert len([e for e in eps if e.split == "heldout2"]) >= 12
    assert len([e for e in eps if e.split == HELDOUT3]) >= 24
    for ep in eps:
        assert ep.split in SPLITS
        assert ep.expected <= set(taxonomy.slugs), ep.id
        assert ep.text.strip(), ep.id


def test_heldout_precision_and_recall_stay_above_floor(taxonomy):
    score = evaluate("heldout", taxonomy)
    assert score.precision >= HELDOUT_PRECISION_FLOOR, score
    assert score.recall >= HELDOUT_RECALL_FLOOR, score


def test_all_heldout_sets_stay_above_floor(taxonomy):
    score = evaluate(HELDOUT_SPLITS, taxonomy)
    assert score.precision >= COMBINED_PRECISION_FLOOR, score
    assert score.recall >= COMBINED_RECALL_FLOOR, score


def test_third_heldout_set_stays_above_floor(taxonomy):
    score = evaluate(HELDOUT3, taxonomy)
    assert score.precision >= HELDOUT3_PRECISION_FLOOR, score
    assert score.recall >= HELDOUT3_RECALL_FLOOR, score


# -- behaviour on hard cases ----------------------------------------------------------------


def slugs(matches: list[TopicMatch]) -> set[str]:
    return {m.slug for m in matches}


def test_title_and_opening_mentions_tag(taxonomy):
    got = slugs(tag_text("Running k8s in anger", "We talk about clusters.", taxonomy))
    assert "kubernetes" in got


def test_sponsor_read_is_not_evidence(taxonomy):
    body = (
        "We talk with Ana about hiring engineers and growing a team. "
        "This episode is brought to you by Heroku, the platform for building apps, "
        "Heroku Postgres and Heroku dynos. Try Heroku today."
    )
    assert "heroku" not in slugs(tag_text("", body, taxonomy))


def test_former_employer_is_not_evidence(taxonomy):
    body = (
        "Our guest coaches engineering managers. Before joining the show she was a "
        "principal engineer at Heroku. We talk about mentoring, hiring and burnout."
    )
    got = slugs(tag_text("", body, taxonomy))
    assert "heroku" not in got
    assert "careers-leadership" in got


def test_link_list_is_not_evidence(taxonomy):
    body = (
        "We discuss gardening tools and compost. Links: Fly.io (https://fly.io) Kubernetes "
        "(https://kubernetes.io) Heroku (https://heroku.com)"
    )
    got = slugs(tag_text("", body, taxonomy))
    assert not got & {"fly-io", "kubernetes", "heroku"}


def test_urls_are_not_mentions(taxonomy):
    body = "Mostly about cooking. Find us at https://fly.io/docs/litefs/ and elsewhere."
    assert "fly-io" not in slugs(tag_text("", body, taxonomy))


def test_passing_mention_deep_in_a_long_transcript_is_not_enough(taxonomy):
    filler = "We talked about our week, the weather and the new coffee machine. " * 300
    body = "A chat about gardening and life. " + filler + "Oh, and Kubernetes. " + filler
    assert "kubernetes" not in slugs(tag_text("", body, taxonomy))


def test_long_transcript_is_not_tagged_with_everything(taxonomy):
    text = SAMPLE.read_text(encoding="utf-8").splitlines()[33]  # 65 KB Latent Space episode
    assert len(text) > 60_000
    got = tag_text("", text, taxonomy)
    assert 1 <= len(got) <= 4, got


def test_acronym_case_matters(taxonomy):
    assert "ai-coding" not in slugs(tag_text("", "We said hi to Kai and sailed.", taxonomy))
    assert "ai-coding" in slugs(tag_text("AI agents write our tests", "", taxonomy))


def test_exclusion_drops_the_mention(taxonomy):
    body = "Guard rails for teams: we talk about guard rails and more guard rails."
    assert "rails-deploys" not in slugs(tag_text("", body, taxonomy))


def test_tag_takes_an_episode_and_reports_evidence(taxonomy):
    ep = Episode(
        title="Heroku and the Twelve-Factor App",
        slug="x",
        body="Heroku open-sourced the twelve-factor methodology.",
        source=Source("f.txt", 1, "0" * 64),
    )
    got = tag(ep, taxonomy)
    assert {m.slug for m in got} >= {"heroku", "twelve-factor"}
    heroku = next(m for m in got if m.slug == "heroku")
    assert heroku.score >= taxonomy.rules.threshold
    assert any(e.startswith("title:") for e in heroku.evidence)
    assert got == sorted(got, key=lambda m: (-m.score, m.slug))


def test_asides_discount_a_lone_mention_only_when_configured():
    # The aside rules ship switched off (content/topics.yml sets none); this keeps them working.
    text = TOPICS.read_text(encoding="utf-8") + (
        "  aside_factor: 0.5\n"
        "  aside_before: ['\\b(?:like|for most)']\n"
        "  aside_sentences: ['\\balso\\s*:']\n"
    )
    with_asides = parse_taxonomy(text, "topics.yml")
    plain = load_taxonomy(TOPICS)
    lone = "Our guest argues that for most startups Postgres can do it all."
    assert "startups-saas" in slugs(tag_text("", lone, plain))
    assert "startups-saas" not in slugs(tag_text("", lone, with_asides))
    # named in two places: discussed, whatever the aside
    twice = lone + " We talk about what startups should measure first."
    assert "startups-saas" in slugs(tag_text("", twice, with_asides))
    aside = "We talk about pagers. Also: Heroku shipped a new stack."
    assert "heroku" not in slugs(tag_text("", aside, with_asides))


def test_lone_mention_needs_a_share_of_the_evidence(taxonomy):
    # Named once, at the end of a blurb about Django and Postgres: an aside.
    title = "Django 5.1 and Connection Pooling for Postgres"
    body = (
        "Django 5.1 is out, and we go through the release: the new LoginRequiredMiddleware, "
        "connection pooling for PostgreSQL in the ORM and the querystring template tag. We talk "
        "about upgrading a large Django project and tuning Postgres indexes for it. Carlton "
        "also explains why his side project still runs on Heroku."
    )
    assert slugs(tag_text(title, body, taxonomy)) == {"python-django", "databases"}
    # Without the rule the aside is a tag: the rule, not the scores, drops it.
    text = TOPICS.read_text(encoding="utf-8")
    assert "lone_min_share: " in text
    off = parse_taxonomy(re.sub(r"lone_min_share: [\d.]+", "lone_min_share: 0", text))
    assert "heroku" in slugs(tag_text(title, body, off))
    # Named once in a short blurb about little else: the subject.
    short = "It's side project time! Urban talks about moving a project from Heroku to fly.io."
    assert slugs(tag_text("", short, taxonomy)) == {"heroku", "fly-io"}


def test_weak_hints_alone_are_not_a_tag(taxonomy):
    # "performance", "caching", "scale" are weak hints of `scaling`: four of them, one in the
    # title, once scored 1.6 (over the threshold) without the topic ever being named.
    title = "Performance, Caching and Scale"
    body = (
        "Performance matters to our guest. She explains caching, and why scale changes everything."
    )
    assert "scaling" not in slugs(tag_text(title, body, taxonomy))
    # named outright once, the hints add to it
    assert "scaling" in slugs(
        tag_text("Autoscaling", "Performance matters to our guest.", taxonomy)
    )


def test_tagging_is_pure(taxonomy):
    text = SAMPLE.read_text(encoding="utf-8").splitlines()[3]
    assert tag_text("", text, taxonomy) == tag_text("", text, taxonomy)


if __name__ == "__main__":
    tax = load_taxonomy(TOPICS)
    show = "--errors" in sys.argv
    # The held-out figures are printed only on request: do not look at them while tuning.
    splits: list[str | tuple[str, ...]] = ["tune"]
    if "--heldout" in sys.argv:
        splits += [*HELDOUT_SPLITS, HELDOUT_SPLITS[:2], HELDOUT_SPLITS]
    for split in splits:
        errs: list[str] = []
        s = evaluate(split, tax, errs)
        name = split if isinstance(split, str) else "+".join(split)
        print(
            f"{name:16s} micro precision {s.precision:.3f}  recall {s.recall:.3f}  "
            f"(tp {s.tp}, fp {s.fp}, fn {s.fn})"
        )
        if show and (split == "tune" or "--heldout-errors" in sys.argv):
            print("  " + "\n  ".join(errs))
