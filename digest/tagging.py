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
_SENTENCE_END_RE = re.compile(r"[.!?…][\"”’)]*\s+|\n+")
_MAX_EVIDENCE = 6
_EXCLUSION_WINDOW = 120  # characters either side of a mention searched for an exclusion


@dataclass(frozen=True)
class TopicMatch:
    """A topic chosen for an episode: its slug, score and the evidence that chose it."""

    slug: str
    score: float
    evidence: tuple[str, ...] = ()


def tag(episode: Episode, taxonomy: Taxonomy) -> list[TopicMatch]:
    """Topics the episode substantially discusses, best first."""
    return tag_text(episode.title or "", episode.body or "", taxonomy)


def _mask_urls(text: str) -> tuple[str, list[int], int]:
    """Blank out URLs (same length, so offsets stay valid).

    Returns the masked text, the start offset of each URL and their total length."""
    spans = [m.span() for m in _URL_RE.finditer(text)]
    if not spans:
        return text, [], 0
    pieces = []
    prev = 0
    for start, end in spans:
        pieces.append(text[prev:start])
        pieces.append(" " * (end - start))
        prev = end
    pieces.append(text[prev:])
    return "".join(pieces), [s for s, _ in spans], sum(e - s for s, e in spans)


def _sentence_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(m.end() for m in _SENTENCE_END_RE.finditer(text))
    return starts


_GAP_RE = re.compile(r"[\s\-_/:.]*")
_SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")


def _find_mentions(
    text: str, taxonomy: Taxonomy, lowered: str | None = None
) -> dict[str, list[tuple[int, int, bool, str]]]:
    """All phrase/acronym/regex mentions per topic: ``(start, end, weak, matched text)``.

    One pass over the words of the text, looking each up in the taxonomy's phrase index, so
    the cost does not grow with the number of topics. Words of a multi-word phrase may be
    separated by spaces, hyphens, slashes, colons or dots only ("Twelve-Factor", "re:Invent").
    """
    # re.split with a capturing group alternates separator, word, separator, …, separator; the
    # summed lengths of the parts give a word's offset without a Match object per word.
    parts = _SPLIT_RE.split(lowered if lowered is not None else text.lower())
    words = parts[1::2]
    index = taxonomy.phrase_index
    found: dict[str, list[tuple[int, int, bool, str]]] = {}
    last_end: dict[str, int] = {}
    candidates = [k for k, w in enumerate(words) if w in index]
    # Offsets only where needed: the summed lengths of the parts before each candidate word
    # (summing slices runs in C; a running total over every word would not).
    pos = done = 0
    for i in candidates:
        pos += sum(map(len, parts[done : 2 * i + 1]))
        done = 2 * i + 1
        for rule in index[words[i]]:
            n = len(rule.words)
            if n > 1:
                if tuple(words[i : i + n]) != rule.words:
                    continue
                # separators between the words: parts[2k + 2] follows word k
                if any(not _GAP_RE.fullmatch(parts[2 * j + 2]) for j in range(i, i + n - 1)):
                    continue
            start = pos
            end = start + sum(map(len, parts[2 * i + 1 : 2 * (i + n - 1) + 2]))
            if rule.exact is not None and tuple(TOKEN_RE.findall(text, start, end)) != rule.exact:
                continue
            if start < last_end.get(rule.slug, -1):
                continue  # inside a longer mention of the same topic
            found.setdefault(rule.slug, []).append((start, end, rule.weak, text[start:end]))
            last_end[rule.slug] = end
    for matcher in taxonomy.matchers:
        if matcher.regex is not None:
            extra = [(m.start(), m.end(), False, m.group(0)) for m in matcher.regex.finditer(text)]
            if extra:
                found[matcher.slug] = sorted(found.get(matcher.slug, []) + extra)
    # Exclusions are checked in a window around each mention, not over the whole text: most
    # texts mention a topic a handful of times, and a full scan per topic costs more.
    for slug, mentions in list(found.items()):
        excl = taxonomy.matchers_by_slug[slug].exclusions
        if excl is None:
            continue
        kept = []
        for mt in mentions:
            lo, hi = max(0, mt[0] - _EXCLUSION_WINDOW), mt[1] + _EXCLUSION_WINDOW
            if not any(m.start() < mt[1] and mt[0] < m.end() for m in excl.finditer(text, lo, hi)):
                kept.append(mt)
        found[slug] = kept
    return found


def tag_text(title: str, body: str, taxonomy: Taxonomy) -> list[TopicMatch]:
    """:func:`tag` on a bare title and body (handy for tests and the labelled set)."""
    rules = taxonomy.rules
    # Past `max_chars` a transcript is not read at all: the depths of a 65,000-character
    # transcript weigh least, and reading them would cost most.
    masked, url_starts, url_chars = _mask_urls(body[: rules.max_chars])
    starts = _sentence_starts(masked)

    title_mentions = _find_mentions(title, taxonomy) if title else {}
    lowered = masked.lower()
    body_mentions = _find_mentions(masked, taxonomy, lowered)

    # Sentence contexts (sponsor reads, biographies) only matter for sentences that mention a
    # topic, and for the first few (to find the opening): test only those.
    relevant = set(range(min(len(starts), rules.opening_sentences + 4)))
    for mentions in body_mentions.values():
        relevant.update(bisect.bisect_right(starts, m[0]) - 1 for m in mentions)
    ignored: set[int] = set()
    former: set[int] = set()
    if taxonomy.context_pattern is not None:
        for idx in relevant:
            end = starts[idx + 1] if idx + 1 < len(starts) else len(masked)
            for m in taxonomy.context_pattern.finditer(lowered, starts[idx], end):
                (ignored if m.lastgroup == "ignore" else former).add(idx)
    url_count: dict[int, int] = {}
    for pos in url_starts:
        idx = bisect.bisect_right(starts, pos) - 1
        url_count[idx] = url_count.get(idx, 0) + 1
    ignored |= {i for i, n in url_count.items() if n >= rules.link_list_min_urls}
    employers = set(rules.employer_topics)

    lead_end = min(len(masked), rules.lead_chars)
    # Do not cut the lead mid-sentence: extend it to the end of the sentence it stops in.
    # (but by at most a fifth: scraped blurbs can run a whole paragraph as one "sentence").
    cut = bisect.bisect_left(starts, lead_end)
    if cut < len(starts) and lead_end < len(masked):
        lead_end = min(starts[cut], rules.lead_chars + rules.lead_chars // 5)
    # The opening: the first `opening_sentences` sentences that are not ignored.
    opening = [i for i in range(len(starts)) if i not in ignored][: rules.opening_sentences]
    opening_end = starts[opening[-1] + 1] if opening and opening[-1] + 1 < len(starts) else 0
    if opening and opening[-1] + 1 >= len(starts):
        opening_end = len(masked)
    opening_end = min(opening_end, lead_end)
    # Length normalisation counts only what is read as prose: not URLs, not ignored sentences.
    ignored_chars = sum(
        (starts[i + 1] if i + 1 < len(starts) else len(masked)) - starts[i] for i in ignored
    )
    prose_chars = len(masked) - ignored_chars - url_chars
    body_chars = max(0, prose_chars - lead_end)
    body_units = max(1.0, body_chars / rules.body_unit_chars) ** rules.body_norm_exponent

    # Enumerations ("Ruby, Python, Node.js, and Java") name many topics and discuss none:
    # in a sentence naming `list_min_topics` or more topics, every mention counts less.
    topics_in_sentence: dict[int, set[str]] = {}
    for slug, mentions in body_mentions.items():
        for start, *_ in mentions:
            idx = bisect.bisect_right(starts, start) - 1
            topics_in_sentence.setdefault(idx, set()).add(slug)
    listy = {i for i, t in topics_in_sentence.items() if len(t) >= rules.list_min_topics}

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
        seen_sentences: set[int] = set()
        for start, _end, weak, matched in body_mentions.get(slug, []):
            idx = bisect.bisect_right(starts, start) - 1
            if idx in ignored or (idx in former and slug in employers):
                continue
            weight = rules.weak_factor if weak else 1.0
            if idx in seen_sentences:
                weight *= rules.repeat_factor
            seen_sentences.add(idx)
            if idx in listy:
                weight *= rules.list_factor
            if start < opening_end:
                lead_score += weight * rules.opening_weight
                if len(evidence) < _MAX_EVIDENCE:
                    evidence.append(f"opening@{start}: {matched!r}")
            elif start < lead_end:
                lead_score += weight * rules.lead_weight
                if len(evidence) < _MAX_EVIDENCE:
                    evidence.append(f"lead@{start}: {matched!r}")
            else:
                body_score += weight
                body_strong += not weak
                if len(body_examples) < 3:
                    body_examples.append(repr(matched))
        if lead_score:
            score += min(rules.lead_cap, lead_score)
        if body_strong >= rules.body_min_hits:
            density = body_score / body_units
            score += rules.body_weight * min(rules.body_cap, density)
            evidence.append(
                f"body: {body_score:g} mentions in {body_chars} chars "
                f"({density:.2f} normalised), e.g. {', '.join(body_examples)}"
            )
        threshold = topic.min_score if topic.min_score is not None else rules.threshold
        if score >= threshold:
            results.append(TopicMatch(slug, round(score, 3), tuple(evidence)))
    results.sort(key=lambda r: (-r.score, r.slug))
    return results
