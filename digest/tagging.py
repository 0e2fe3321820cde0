"""Auto-tagging: ``tag(episode, taxonomy) -> list[TopicMatch]``.

A topic is applied only when the episode *substantially* discusses it. The rules of what a
mention is live in ``content/topics.yml`` (per-topic phrases, acronyms, regexes, exclusions; the
``tagging:`` block for weights, sponsor-read and former-employer patterns). This module only
holds the scoring formula:

* The text is split into sentences. A sentence is ignored entirely when it matches one of
  ``ignore_sentences`` (sponsor reads such as "This episode is brought to you by Heroku") or
  when it carries ``link_list_min_urls`` or more URLs (a list of links). URLs themselves are
  never evidence ("https://fly.io/docs/litefs" is not a discussion of Fly.io).
* In a sentence that matches ``former_employer`` ("Before Vimeo, Adam was CEO of Heroku"),
  mentions of the ``employer_topics`` (companies) are not evidence.
* Matches that overlap one of the topic's ``exclude`` regexes are dropped.
* score = ``title_weight`` if the title mentions the topic
        + ``lead_weight`` × min(``lead_cap``, mentions in the first ``lead_chars`` characters)
        + ``body_weight`` × min(``body_cap``, mentions after the lead per ``body_unit_chars``
          characters of body) — counted only with at least ``body_min_hits`` mentions, so a
          single aside deep in a transcript is never enough, and normalised by length, so a
          65,000-character transcript needs proportionally more mentions than a short blurb.
  ``weak`` phrases count ``weak_factor`` of a mention.
* The topic is applied when score ≥ its ``min_score`` (or the global ``threshold``).

The function is pure and fast: the taxonomy indexes every phrase by its first word once, and
the tagger reads each text's words in one pass whatever the number of topics.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from digest.episode import Episode
from digest.taxonomy import TOKEN_RE, Taxonomy

__all__ = ["TopicMatch", "tag", "tag_text"]

_URL_RE = re.compile(r"(?:https?://|www\.)[^\s)\]>\"']+", re.IGNORECASE)
# A sentence ends at . ! ? followed by space, or at a line break. Scraped blurbs often lose the
# space ("incident cultureLawrence's"), which we accept as a cost: the split is only for context.
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])[\"”’)]*\s+|\n+")
_MAX_EVIDENCE = 6


@dataclass(frozen=True)
class TopicMatch:
    """A topic chosen for an episode: its slug, score and the evidence that chose it."""

    slug: str
    score: float
    evidence: tuple[str, ...] = ()


def tag(episode: Episode, taxonomy: Taxonomy) -> list[TopicMatch]:
    """Topics the episode substantially discusses, best first."""
    return tag_text(episode.title or "", episode.body or "", taxonomy)


def _mask_urls(text: str) -> tuple[str, list[int]]:
    """Blank out URLs (same length, so offsets stay valid); return their start offsets."""
    starts: list[int] = []

    def blank(m: re.Match[str]) -> str:
        starts.append(m.start())
        return " " * (m.end() - m.start())

    return _URL_RE.sub(blank, text), starts


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END_RE.finditer(text))
    return starts


def _flag_sentences(pattern: re.Pattern[str] | None, text: str, starts: list[int]) -> set[int]:
    if pattern is None:
        return set()
    return {bisect.bisect_right(starts, m.start()) - 1 for m in pattern.finditer(text)}


_GAP_RE = re.compile(r"[\s\-_/:.]*")


def _find_mentions(text: str, taxonomy: Taxonomy) -> dict[str, list[tuple[int, int, bool, str]]]:
    """All phrase/acronym/regex mentions per topic: ``(start, end, weak, matched text)``.

    One pass over the words of the text, looking each up in the taxonomy's phrase index, so
    the cost does not grow with the number of topics. Words of a multi-word phrase may be
    separated by spaces, hyphens, slashes, colons or dots only ("Twelve-Factor", "re:Invent").
    """
    tokens = [(m.start(), m.end(), m.group(0)) for m in TOKEN_RE.finditer(text)]
    lowered = [t[2].lower() for t in tokens]
    index = taxonomy.phrase_index
    found: dict[str, list[tuple[int, int, bool, str]]] = {}
    last_end: dict[str, int] = {}
    for i, low in enumerate(lowered):
        rules = index.get(low)
        if not rules:
            continue
        for rule in rules:
            n = len(rule.words)
            if i + n > len(tokens) or tuple(lowered[i : i + n]) != rule.words:
                continue
            if rule.exact is not None and tuple(t[2] for t in tokens[i : i + n]) != rule.exact:
                continue
            if n > 1 and any(
                not _GAP_RE.fullmatch(text, tokens[j][1], tokens[j + 1][0])
                for j in range(i, i + n - 1)
            ):
                continue
            start, end = tokens[i][0], tokens[i + n - 1][1]
            if start < last_end.get(rule.slug, -1):
                continue  # inside a longer mention of the same topic
            found.setdefault(rule.slug, []).append((start, end, rule.weak, text[start:end]))
            last_end[rule.slug] = end
    for matcher in taxonomy.matchers:
        if matcher.regex is not None:
            extra = [(m.start(), m.end(), False, m.group(0)) for m in matcher.regex.finditer(text)]
            if extra:
                found[matcher.slug] = sorted(found.get(matcher.slug, []) + extra)
    for slug, mentions in list(found.items()):
        excl = taxonomy.matchers_by_slug[slug].exclusions
        if excl is None:
            continue
        spans = [(m.start(), m.end()) for m in excl.finditer(text)]
        if spans:
            found[slug] = [
                mt for mt in mentions if not any(s < mt[1] and mt[0] < e for s, e in spans)
            ]
    return found


def tag_text(title: str, body: str, taxonomy: Taxonomy) -> list[TopicMatch]:
    """:func:`tag` on a bare title and body (handy for tests and the labelled set)."""
    rules = taxonomy.rules
    masked, url_starts = _mask_urls(body)
    starts = _sentence_starts(masked)

    ignored = _flag_sentences(taxonomy.context_pattern("ignore"), masked, starts)
    url_count: dict[int, int] = {}
    for pos in url_starts:
        idx = bisect.bisect_right(starts, pos) - 1
        url_count[idx] = url_count.get(idx, 0) + 1
    ignored |= {i for i, n in url_count.items() if n >= rules.link_list_min_urls}
    former = _flag_sentences(taxonomy.context_pattern("former"), masked, starts)
    employers = set(rules.employer_topics)

    lead_end = min(len(masked), rules.lead_chars)
    # Do not cut the lead mid-sentence: extend it to the end of the sentence it stops in.
    cut = bisect.bisect_left(starts, lead_end)
    if cut < len(starts) and lead_end < len(masked):
        lead_end = starts[cut]
    body_units = max(1.0, (len(masked) - lead_end) / rules.body_unit_chars)

    title_mentions = _find_mentions(title, taxonomy) if title else {}
    body_mentions = _find_mentions(masked, taxonomy)

    results: list[TopicMatch] = []
    for slug in sorted(set(title_mentions) | set(body_mentions)):
        topic = taxonomy[slug]
        evidence: list[str] = []
        score = 0.0
        in_title = title_mentions.get(slug, [])
        if in_title:
            best = min(weak for *_, weak, _ in in_title)
            score += rules.title_weight * (rules.weak_factor if best else 1.0)
            evidence.append(f"title: {in_title[0][3]!r}")

        lead_score = 0.0
        body_score = 0.0
        body_strong = 0
        body_examples: list[str] = []
        for start, _end, weak, matched in body_mentions.get(slug, []):
            idx = bisect.bisect_right(starts, start) - 1
            if idx in ignored or (idx in former and slug in employers):
                continue
            weight = rules.weak_factor if weak else 1.0
            if start < lead_end:
                lead_score += weight
                if len(evidence) < _MAX_EVIDENCE:
                    evidence.append(f"lead@{start}: {matched!r}")
            else:
                body_score += weight
                body_strong += not weak
                if len(body_examples) < 3:
                    body_examples.append(repr(matched))
        if lead_score:
            score += rules.lead_weight * min(rules.lead_cap, lead_score)
        if body_strong >= rules.body_min_hits:
            density = body_score / body_units
            score += rules.body_weight * min(rules.body_cap, density)
            evidence.append(
                f"body: {body_score:g} mentions in {len(masked) - lead_end} chars "
                f"({density:.2f}/unit), e.g. {', '.join(body_examples)}"
            )
        threshold = topic.min_score if topic.min_score is not None else rules.threshold
        if score >= threshold:
            results.append(TopicMatch(slug, round(score, 3), tuple(evidence)))
    results.sort(key=lambda r: (-r.score, r.slug))
    return results
