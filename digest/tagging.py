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
  ``weak`` phrases count ``weak_factor`` of a mention, and a topic with weak mentions only
  (in the title and the text) is never applied.
* Asides (off unless ``aside_before`` / ``aside_sentences`` are set; see docs/topics.md for
  why they are off): a topic named in one place only (one sentence, not the title) is
  discounted (``aside_factor``) when that mention follows "like", "such as", "for most"…, or
  sits in a sentence such as "Also: …". A topic named in two places is not discounted.
* The topic is applied when score ≥ its ``min_score`` (or the global ``threshold``) ...
* ... and, when it is named in one sentence only (not in the title, not in a second
  sentence), when its score is at least ``lone_min_share`` of the episode's total evidence
  (the scores of every topic mentioned, applied or not). One mention is the subject of a
  short blurb about little else ("moving a project from Heroku to fly.io"), but an aside in
  one that discusses something else at length ("… and why the app still runs on Heroku").
  This measures the *share* of the evidence, not wording: it needs no list of aside phrases.

The function is pure and fast: the taxonomy indexes every phrase by its first word once, and
the tagger reads each text's words in one pass whatever the number of topics.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from typing import Any

import ahocorasick

from digest.episode import Episode
from digest.taxonomy import TOKEN_RE, PhraseRule, TaggingRules, Taxonomy

__all__ = ["TopicMatch", "tag", "tag_slugs", "tag_text"]

# "https://…", "www.…" in any case. Written to start with a character class (then re scans for
# it in C): `(?:https?://|www\.)` with IGNORECASE is 3.5× slower on the same texts.
_URL_RE = re.compile(r"[hHwW](?:(?<=[hH])[tT][tT][pP][sS]?://|(?<=[wW])[wW][wW]\.)[^\s)\]>\"']+")
# A sentence ends at . ! ? followed by space, or at a line break. Scraped blurbs often lose the
# space ("incident cultureLawrence's"), which we accept as a cost: the split is only for context.
# Show-note timestamps ("Starting in data at Heroku (6:05)Building the data stack") end an item.
# (Written to start with one character class, for speed as above: the same as
# `[.!?…][\"”’)]*\s+|\n+|\(\d{1,2}:\d\d(?::\d\d)?\)\s*`, 3.5× faster.)
_SENTENCE_END_RE = re.compile(
    r"[.!?…\n(](?:(?<=[.!?…])[\"”’)]*\s+|(?<=\n)\n*|(?<=\()\d{1,2}:\d\d(?::\d\d)?\)\s*)"
)
# Separators of the items of an enumeration ("such as ExactTarget, Pardot, Heroku, and Slack").
_ITEM_SEP_REFERENCE = r"[,;()—–]|\s(?:and|or|&|like|such as|including)\s"
# The same matches, written to start with one character class (re then skips to it in C; the
# alternation above is tried at every position): a separator character is a match, a space
# one when a conjunction and a space follow it.
_ITEM_SEP_RE = re.compile(
    r"[,;()—–\s](?:(?<=[,;()—–])|(?<=\s)(?:and|or|&|like|such as|including)\s)"
)
_MAX_EVIDENCE = 6
_GLUE_CHARS = 1500  # how far into a text run-together words are looked for
_EXCLUSION_WINDOW = 120  # characters either side of a mention searched for an exclusion
_ASIDE_WINDOW = 40  # characters before a mention searched for an aside ("such as", "for most")


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
    if (
        "://" not in text
        and "ww." not in text
        and "wW." not in text
        and "Ww." not in text
        and "WW." not in text
    ):
        return text, [], 0  # a URL holds "://" or "www." (four `in`s: no generator's frames)
    spans = _url_spans(text)
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


def _case_variants(word: str) -> frozenset[str]:
    variants = {""}
    for ch in word:
        variants = {v + c for v in variants for c in (ch, ch.upper())}
    return frozenset(variants)


_HTTP, _HTTPS, _WW = _case_variants("http"), _case_variants("https"), _case_variants("ww")


def _url_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``_URL_RE.finditer(text)`` (tests compare them), with re tried only where
    a URL starts: before a "://" that follows "http" or "https", and at a "www." (any case),
    found with str.find. (re's scan tries every "h" and "w" of the text.)"""
    places = []
    i = text.find("://")
    while i >= 0:
        if text[i - 4 : i] in _HTTP and i >= 4:
            places.append(i - 4)
        elif text[i - 5 : i] in _HTTPS and i >= 5:
            places.append(i - 5)
        i = text.find("://", i + 3)
    for dot in ("w.", "W."):
        i = text.find(dot, 2)
        while i >= 0:
            if text[i - 2 : i] in _WW:
                places.append(i - 2)
            i = text.find(dot, i + 2)
    if not places:
        return []
    places.sort()
    spans = []
    end = 0
    match = _URL_RE.match
    for start in places:
        if start < end:
            continue  # inside the URL before (as re's scan resumes after a match)
        m = match(text, start)
        if m is not None:
            end = m.end()
            spans.append((start, end))
    return spans


def _sentence_starts(text: str) -> list[int]:
    starts = [m.end() for m in _SENTENCE_END_RE.finditer(text)]
    starts.insert(0, 0)
    return starts


# -- finding mentions fast ---------------------------------------------------------------------
#
# Tokenising the whole text with a regex costs ~0.2 µs a character (Python's re). Instead:
# 1. a *screen*: the lower-cased text as UTF-8 bytes, punctuation turned into spaces with one
#    bytes.translate, split on whitespace: the set of words present, in C, ~10× faster;
# 2. for each first word of a phrase that is present (a few dozen per text), one precompiled
#    regex that starts with that literal word (so re searches for it with its fast literal
#    scan), listing every phrase starting with it, longest first.

_GAP = r"[\s\-_/:.]+"
_SCREEN_TABLE = bytes(
    c
    if (48 <= c <= 57 or 97 <= c <= 122 or 65 <= c <= 90 or (c >= 128 and c not in (0xC2, 0xE2)))
    else 32
    for c in range(256)
)  # 0xC2/0xE2 lead NBSP, « », ’ “ ” – — …: punctuation, not letters


def _screen_key(word: str) -> bytes:
    parts = word.encode("utf-8").translate(_SCREEN_TABLE).split()
    return parts[0] if parts else b""


@dataclass(frozen=True)
class _Scanner:
    # key -> its phrases as one alternation (source); compiled when first needed (the fast
    # finder compiles only `bounded` below), as a scan and as a glued scan.
    sources: dict[bytes, str]
    patterns: dict[bytes, re.Pattern[str]]
    glued: dict[bytes, re.Pattern[str]]
    rules: dict[bytes, dict[tuple[str, ...], tuple[PhraseRule, ...]]]
    # The fast path (see _find_mentions): every key, a set for one C-level intersection.
    keys: frozenset[bytes] = frozenset()
    # key -> its pattern with the "not inside a word" test as a look-behind, for the keys
    # where that cannot change what the scan finds (see _shadow_free); the others keep the
    # reference loop.
    bounded: dict[bytes, re.Pattern[str]] = field(default_factory=dict)
    # how a glued match can end (a phrase's last word, plurals included) -> the keys whose
    # phrases end so; and the lengths of those endings.
    endings: dict[str, frozenset[bytes]] = field(default_factory=dict)
    ending_sizes: tuple[int, ...] = ()
    # the endings' last two characters -> the lengths (ascending) of the endings of two
    # characters or more that end so (see _glued_keys)
    ending_tails: dict[str, tuple[int, ...]] = field(default_factory=dict)
    # (key, matched text) -> (slug, weak) of each rule it stands for: _add's answer, kept.
    found: dict[tuple[bytes, str], tuple[tuple[str, bool], ...]] = field(default_factory=dict)
    # Every text: one Aho-Corasick scan of its words for the phrases of every key at once
    # (see _automaton); the keys it does not serve are looked for with the screen.
    automaton: ahocorasick.Automaton | None = None
    # (key, the key as text when it is whole UTF-8: it is in a text's UTF-8 exactly when it is
    # in the text, as a sequence of whole characters starts and ends on character boundaries)
    keys_unserved: tuple[tuple[bytes, str | None], ...] = ()
    unserved_bytes: bool = False  # whether a key of keys_unserved is not whole UTF-8
    # (slug, regex) of the topics with free regexes; slug -> exclusions, and the strings one
    # of which every match of them holds (lower case; None when that cannot be told).
    regexes: tuple[tuple[str, re.Pattern[str]], ...] = ()
    exclusions: dict[str, re.Pattern[str]] = field(default_factory=dict)
    needles: dict[str, tuple[str, ...] | None] = field(default_factory=dict)
    # The strings a sentence-context match starts with, as the automaton finds them (see
    # _context_prefilter; None: it can start anywhere), and the topics a former employer's
    # mention does not count for.
    context_prefilter: tuple[str, ...] | None = None
    employers: frozenset[str] = frozenset()
    # slug -> the score it is applied from (its `min_score`, else the global threshold)
    thresholds: dict[str, float] = field(default_factory=dict)
    # No weight, factor, cap or share is negative: a score only grows with each of them, so
    # bounds (every mention an enumeration item, or none) bound it (see tag_text).
    monotone: bool = False
    # whether the automaton finds the conjunctions of enumerations (see _separators)
    finds_joins: bool = False


def _plural(rule: PhraseRule) -> bool:
    """ "Helm chart" also finds "Helm charts": multi-word phrases take a plural."""
    last = rule.words[-1]
    return len(rule.words) > 1 and rule.exact is None and last.isalpha() and len(last) > 2


def _common_prefix(words: list[str]) -> str:
    first, last = min(words), max(words)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[:n]


def _shadow_free(prefix: str, rules: Iterable[PhraseRule]) -> bool:
    """Whether no text a key's pattern can match holds ``prefix`` again after its first
    character.

    The reference scan drops a match that starts inside a word *after* finding it, then
    resumes after its end; a look-behind instead skips that position and resumes at the next
    character. The two differ only when a dropped match covers the start of another match,
    which begins with ``prefix``: impossible when ``prefix`` cannot occur inside a match past
    its first character. (A match is never followed by a word character, so an occurrence
    that would run past its end cannot start a match either when ``prefix`` is alphanumeric.)
    """
    first = prefix[0]
    if not first.isalnum():
        return False
    for rule in rules:
        suffixes = ("", "s", "es") if _plural(rule) else ("",)
        for suffix in suffixes:
            # "\0" stands for a gap: never alphanumeric, like the gap characters.
            shape = "\0".join(rule.words) + suffix
            if prefix.isalnum():
                if prefix in shape[1:]:
                    return False
            elif first in shape[1:]:
                return False
    return True


def _scanner(taxonomy: Taxonomy) -> _Scanner:
    """The compiled phrase scanner of a taxonomy, built once and kept on it."""
    cached = taxonomy.__dict__.get("_tagging_scanner")
    if cached is not None:
        return cached
    alts: dict[bytes, dict[str, int]] = {}
    rules: dict[bytes, dict[tuple[str, ...], list[PhraseRule]]] = {}
    for group in taxonomy.phrase_index.values():
        for rule in group:
            key = _screen_key(rule.words[0])
            if not key:
                continue
            pattern = _GAP.join(re.escape(w) for w in rule.words)
            if _plural(rule):
                pattern += "(?:e?s)?"
            alts.setdefault(key, {})[pattern] = len(pattern)
            rules.setdefault(key, {}).setdefault(rule.words, []).append(rule)
    sources, bounded, endings = {}, {}, {}
    for key, group in alts.items():
        ordered = sorted(group, key=lambda p: (-group[p], p))
        either = "(?:" + "|".join(ordered) + ")"
        sources[key] = either
        key_rules = [r for rs in rules[key].values() for r in rs]
        for rule in key_rules:
            ends = [rule.words[-1]]
            if _plural(rule):
                ends += [rule.words[-1] + "s", rule.words[-1] + "es"]
            for end in ends:
                endings.setdefault(end, set()).add(key)
        # The words every phrase of the key starts with share a literal prefix (re scans
        # for it fast); the look-behind after it rejects a start inside a word.
        prefix = _common_prefix([r.words[0] for r in key_rules])
        if prefix and _shadow_free(prefix, key_rules):
            lit = re.escape(prefix)
            tails = [p[len(lit) :] for p in ordered]
            assert all(p.startswith(lit) for p in ordered)
            bounded[key] = re.compile(
                f"{lit}(?<!\\w{lit})(?<!\\w\\.{lit})(?:" + "|".join(tails) + r")(?!\w|\.\w)"
            )
    # Keys the word scan can serve: ASCII, and every phrase's first word starts with the key
    # (so a match starts where the key's word does).
    served = [
        key
        for key in sources
        if key.isascii() and all(w[0].startswith(key.decode()) for w in rules[key])
    ]
    context_prefilter = _context_prefilter(taxonomy)
    unserved = tuple((key, _utf8(key)) for key in sorted(set(sources) - set(served)))
    joins = bool(taxonomy.rules.list_item_words)  # (no enumeration rule: nothing to find)
    scanner = _Scanner(
        sources,
        {},
        {},
        {k: {w: tuple(r) for w, r in v.items()} for k, v in rules.items()},
        frozenset(sources),
        bounded,
        {end: frozenset(keys) for end, keys in endings.items()},
        tuple(sorted({len(end) for end in endings})),
        _ending_tails(endings),
        automaton=_automaton(served, bounded, rules, context_prefilter, joins),
        keys_unserved=unserved,
        unserved_bytes=any(spelt is None for _, spelt in unserved),
        regexes=tuple((m.slug, m.regex) for m in taxonomy.matchers if m.regex is not None),
        exclusions={m.slug: m.exclusions for m in taxonomy.matchers if m.exclusions is not None},
        needles={
            m.slug: _needles_of(m.exclusions) for m in taxonomy.matchers if m.exclusions is not None
        },
        context_prefilter=context_prefilter,
        employers=frozenset(taxonomy.rules.employer_topics),
        monotone=_monotone(taxonomy.rules),
        finds_joins=joins,
        thresholds={
            t.slug: t.min_score if t.min_score is not None else taxonomy.rules.threshold
            for t in taxonomy.topics
        },
    )
    object.__setattr__(taxonomy, "_tagging_scanner", scanner)
    return scanner


def _utf8(key: bytes) -> str | None:
    try:
        return key.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _words_of(text: str) -> str:
    """``text`` with every character but ASCII letters and digits turned into a space, one
    character for one (what the automaton reads, and what its phrases are written in)."""
    return text.encode("ascii", "replace").translate(_WORD_TABLE).decode("ascii")


def _automaton(
    served: list[bytes],
    bounded: dict[bytes, re.Pattern[str]],
    rules: dict[bytes, dict[tuple[str, ...], list[PhraseRule]]],
    contexts: tuple[str, ...] | None = None,
    joins: bool = False,
) -> ahocorasick.Automaton | None:
    """One Aho-Corasick automaton finding, in ``" " + _words_of(low) + " "``, every place a
    phrase of a served key can start: for the keys with a ``bounded`` pattern, each phrase
    written in those words (a space first: the match starts a word; a space last unless it
    takes a plural: nothing but a non-word character can follow a match), and each of its
    first words followed by two spaces (a gap of two characters or more, "Twelve - Factor");
    for the other served keys, the key as a whole word (they are scanned the reference way
    when present); the ``contexts`` strings (see _context_prefilter); and, with ``joins``, the
    conjunctions that separate enumeration items (see _JOIN_STRINGS). Values:
    ``(length - 1, key or None, bounded pattern or None, length of the key, marks)``, marks:
    ``_CONTEXT`` when a sentence context can start there, ``_JOIN`` at a conjunction.

    Every match of a phrase is such a place: its gaps and any character not an ASCII letter
    or digit read as spaces there. Of a key's strings only those that do not start with
    another are kept, so one place is found once (all start with a space, the key and a space:
    no two keys meet at one place either). Most places are matches: the common words that
    start a phrase ("on", "at", "new") are not looked at unless the phrase's next word follows.
    """
    if not served and not contexts and not joins:
        return None
    strings: dict[str, tuple[int, bytes | None, re.Pattern[str] | None, int, int]] = {}
    for key in served:
        pattern = bounded.get(key)
        if pattern is None:
            mine = {" " + key.decode() + " "}
        else:
            mine = set()
            for words, group in rules[key].items():
                spelt = [_words_of(w) for w in words]
                plural = any(_plural(rule) for rule in group)
                mine.add(" " + " ".join(spelt) + ("" if plural else " "))
                for k in range(1, len(spelt)):
                    mine.add(" " + " ".join(spelt[:k]) + "  ")
        for string in mine:
            if not any(o != string and string.startswith(o) for o in mine):
                assert string not in strings
                strings[string] = (len(string) - 1, key, pattern, len(key), 0)
    marked = [
        (s, _CONTEXT)
        for s in contexts or ()
        if not any(
            o != s and s.startswith(o)
            for o in contexts  # type: ignore[union-attr]
        )
    ]
    if joins:
        marked += [(s, _JOIN) for s in _JOIN_STRINGS]
    for string, mark in marked:
        length, key, pattern, key_size, marks = strings.get(
            string, (len(string) - 1, None, None, 0, 0)
        )
        strings[string] = (length, key, pattern, key_size, marks | mark)
    automaton = ahocorasick.Automaton()
    for string, value in strings.items():
        automaton.add_word(string, value)
    automaton.make_automaton()
    return automaton


# What an automaton string marks besides a phrase (see _automaton).
_CONTEXT, _JOIN = 1, 2
# The conjunctions of the item separators (see _ITEM_SEP_RE) as the automaton reads them: a
# word between two non-word characters (whitespace, exactly, is checked in _separators). "&"
# is no word there: it is looked for as a character, with the punctuation.
_JOIN_WORDS = {"a": "and", "o": "or", "l": "like", "s": "such as", "i": "including"}
_JOIN_STRINGS = tuple(" " + word + " " for word in _JOIN_WORDS.values())


def _monotone(rules: TaggingRules) -> bool:
    factors = (
        rules.title_weight, rules.weak_factor, rules.bio_factor, rules.repeat_factor,
        rules.aside_factor, rules.list_factor, rules.opening_weight, rules.lead_weight,
        rules.body_weight, rules.lead_cap, rules.body_cap, rules.lone_min_share,
    )  # fmt: skip
    return min(factors) >= 0


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _lower(text: str) -> str:
    """``text.lower()`` with the same length, so that offsets found in one index the other.

    "İ".lower() is two characters ("i" and a combining dot): such a character keeps the first
    of its lower-case form."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(ch.lower()[0] for ch in text)


def _find_mentions(
    text: str,
    taxonomy: Taxonomy,
    lowered: str | None = None,
    places: list[int] | None = None,
    joins: list[int] | None = None,
) -> dict[str, list[tuple[int, int, bool, str]]]:
    """All phrase/acronym/regex mentions per topic: ``(start, end, weak, matched text)``;
    appended to ``places`` when given, the offsets where a sentence-context match can start
    (see _context_prefilter); and to ``joins``, when given and the taxonomy has an enumeration
    rule, the offsets of the words that can be conjunctions of enumeration items, in order
    (see _separators): the same scan finds them all.

    Words of a multi-word phrase may be separated by spaces, hyphens, slashes, colons or dots
    ("Twelve-Factor", "re:Invent"). A phrase glued to the next word by scraping
    ("engenharia de plataformaVem": lower case then upper case) still counts.

    The same mentions as :func:`_find_mentions_reference` (tests compare them), found with
    less work: one Aho-Corasick scan of the text's words (:func:`_automaton`) finds the
    places where a phrase can start, for every key at once, and each key's pattern (with the
    start-inside-a-word test as a look-behind, see _shadow_free) is tried only there; the
    keys the scan does not serve are scanned the reference way; the glued scan runs only for
    keys whose phrases end where the text turns from lower to upper case; and what a matched
    text stands for is looked up once per distinct text.
    """
    low = lowered if lowered is not None else _lower(text)
    scanner = _scanner(taxonomy)
    found: dict[str, list[tuple[int, int, bool, str]]] = {}
    size = len(low)
    seen = scanner.found
    if len(seen) > _SEEN_MAX:
        seen.clear()
    key_rules = scanner.rules
    before, after = _SPACE_BEFORE, _SPACE_AFTER
    # A key counts only where the screen (see _screen_key) has it as a whole word somewhere in
    # the text, as in the reference. The screen's words are the word scan's, except that bytes
    # of characters not ASCII join them: a hit with a screen space on either side is one
    # (`present`); the screen itself is built only for a key matched nowhere else (rare).
    present: set[bytes] = set()
    unsure: list[tuple[bytes, int, int]] = []
    scanned: list[bytes] = []  # keys scanned the reference way
    screen: set[bytes] | None = None
    if scanner.automaton is not None and size:
        padded = " " + _words_of(low) + " "
        for last, (length, key, pattern, key_size, marks) in scanner.automaton.iter(padded):
            pos = last - length  # in `low` (the padding shifts by one)
            if marks:
                if marks & _CONTEXT and places is not None:
                    places.append(pos)
                if marks & _JOIN and joins is not None:
                    joins.append(pos)
            if pattern is None:
                if key is None:
                    continue
                if key not in present:
                    end = pos + key_size
                    if (pos == 0 or low[pos - 1] in before) and (end == size or low[end] in after):
                        present.add(key)
                        scanned.append(key)
                continue
            m = pattern.match(low, pos)
            if m is None:
                continue
            end = m.end()
            if key not in present:
                key_end = pos + key_size
                if (pos == 0 or low[pos - 1] in before) and (
                    key_end == size or low[key_end] in after
                ):
                    present.add(key)
                else:
                    unsure.append((key, pos, end))
                    continue
            matched = text[pos:end]
            hits = seen.get((key, matched))
            if hits is None:
                hits = seen[(key, matched)] = _rules_for(matched, key_rules[key])
            for slug, weak in hits:
                mentions = found.get(slug)
                if mentions is None:
                    found[slug] = [(pos, end, weak, matched)]
                else:
                    mentions.append((pos, end, weak, matched))
    for key, pos, end in unsure:
        if key not in present:
            if screen is None:
                screen = _screen(low)
            if key not in screen:
                continue
        matched = text[pos:end]
        for slug, weak in _rules_for(matched, key_rules[key]):
            found.setdefault(slug, []).append((pos, end, weak, matched))
    if scanner.keys_unserved:
        # (a key that is whole UTF-8 is looked for as text: no encoding of the whole text)
        encoded = low.encode("utf-8") if scanner.unserved_bytes else None
        for key, spelt in scanner.keys_unserved:
            if (spelt in low) if spelt is not None else (key in encoded):
                if screen is None:
                    screen = _screen(low)
                if key in screen:
                    present.add(key)
                    scanned.append(key)
    for key in scanned:
        _scan_reference(found, text, low, key, scanner)
    glue_chars = min(size, _GLUE_CHARS)
    # Keys with a phrase that ends where the text turns from lower to upper case: the only
    # ones the glued scan can find anything for.
    glued = _glued_keys(low, _case_turns(text, glue_chars), scanner)
    for key in glued:
        if key in present:
            _scan_glued(found, text, low, key, scanner, glue_chars)
            continue
        # whether the key is present matters only when the glued scan finds something
        extra: dict[str, list[tuple[int, int, bool, str]]] = {}
        _scan_glued(extra, text, low, key, scanner, glue_chars)
        if extra:
            if screen is None:
                screen = _screen(low)
            if key in screen:
                for slug, mentions in extra.items():
                    found.setdefault(slug, []).extend(mentions)
    return _finish(found, text, taxonomy, low)


def _ending_tails(endings: Iterable[str]) -> dict[str, tuple[int, ...]]:
    tails: dict[str, set[int]] = {}
    for end in endings:
        if len(end) >= 2:
            tails.setdefault(end[-2:], set()).add(len(end))
    return {tail: tuple(sorted(sizes)) for tail, sizes in tails.items()}


def _glued_keys(low: str, turns: Iterable[int], scanner: _Scanner) -> set[bytes]:
    """The keys with an ending (see _Scanner.endings) right before one of ``turns``.

    The same keys as looking each ending length up at each turn (:func:`_glued_keys_reference`,
    tests compare them), with the lengths to look up told by the two characters before the
    turn: an ending of two characters or more ends with them. Why: ~16 lengths a turn, most of
    which end in no ending there."""
    glued: set[bytes] = set()
    endings, tails = scanner.endings, scanner.ending_tails
    one = 1 in scanner.ending_sizes
    for turn in turns:
        if one:
            keys = endings.get(low[turn - 1 : turn])
            if keys:
                glued |= keys
        if turn < 2:
            continue
        sizes = tails.get(low[turn - 2 : turn])
        if sizes is None:
            continue
        for length in sizes:
            if length > turn:
                break
            keys = endings.get(low[turn - length : turn])
            if keys:
                glued |= keys
    return glued


def _glued_keys_reference(low: str, turns: Iterable[int], scanner: _Scanner) -> set[bytes]:
    """:func:`_glued_keys` the plain way: every ending length looked up at every turn."""
    glued: set[bytes] = set()
    endings = scanner.endings
    for turn in turns:
        for length in scanner.ending_sizes:
            if length > turn:
                break
            keys = endings.get(low[turn - length : turn])
            if keys:
                glued |= keys
    return glued


def _screen(low: str) -> set[bytes]:
    """The screen's words of a lower-cased text (see _screen_key)."""
    return set(low.encode("utf-8").translate(_SCREEN_TABLE).split())


# Bytes that end a word for the automaton: everything but ASCII letters and digits (a key it
# serves is ASCII; whether a character before it is part of a word is the pattern's business).
_WORD_TABLE = bytes(
    c if (48 <= c <= 57 or 97 <= c <= 122 or 65 <= c <= 90) else 32 for c in range(256)
)
# Bytes that end a word for the screen (see _SCREEN_TABLE): a key counts as present only where
# it is a whole word of the screen.
_SCREEN_SPACE = frozenset(c for c in range(256) if _SCREEN_TABLE[c] == 32)
# The same for characters: the screen is the text's UTF-8 bytes, so a word of it starts after
# an ASCII character that is a screen space (the last byte of any other character is not one)
# and ends before a character whose first byte is one: ASCII, or led by 0xC2 (U+0080-U+00BF)
# or 0xE2 (U+2000-U+2FFF).
_SPACE_BEFORE = frozenset(chr(c) for c in range(128) if c in _SCREEN_SPACE)
_SPACE_AFTER = _SPACE_BEFORE | frozenset(
    chr(c) for c in (*range(0x80, 0xC0), *range(0x2000, 0x3000))
)


# A lower-case letter then an upper-case one: ASCII, or anything not ASCII (checked exactly
# with str.islower/isupper afterwards). Where a glued phrase can end.
_CASE_TURN_RE = re.compile(r"[a-z\x80-\U0010ffff](?=[A-Z\x80-\U0010ffff])")
# ASCII letters as "a" (lower case) and "A" (upper case); "?" (what encode("ascii",
# "replace") makes of anything not ASCII) as "N"; everything else a space.
_CASE_TABLE = bytes(
    97 if 97 <= c <= 122 else 65 if 65 <= c <= 90 else 78 if c == 63 else 32 for c in range(256)
)


def _case_turns(text: str, stop: int) -> list[int]:
    """The offsets ``t < stop`` where ``text[t - 1]`` is lower case and ``text[t]`` upper case
    (where a phrase glued to the next word can end), in no particular order, maybe twice:
    the same offsets as _CASE_TURN_RE finds (tests compare them), found with bytes.find on
    one byte a character: ASCII pairs exactly, pairs with a character not ASCII checked with
    str.islower/isupper."""
    head = text[:stop]
    codes = head.encode("ascii", "replace").translate(_CASE_TABLE)
    find = codes.find
    turns = []
    i = find(b"aA")
    while i >= 0:
        turns.append(i + 1)
        i = find(b"aA", i + 2)
    i = find(b"N")
    while i >= 0:
        for t in (i, i + 1):
            if 0 < t < stop and head[t - 1].islower() and head[t].isupper():
                turns.append(t)
        i = find(b"N", i + 1)
    return turns


_SEEN_MAX = 50_000


def _rules_for(matched: str, by_words) -> tuple[tuple[str, bool], ...]:
    out: list[tuple[str, int, bool, str]] = []
    _add(out, matched, by_words)
    return tuple((slug, weak) for slug, weak in out)


def _scan_reference(found, text: str, low: str, key: bytes, scanner: _Scanner) -> None:
    by_words = scanner.rules[key]
    pattern = scanner.patterns.get(key)
    if pattern is None:
        pattern = scanner.patterns[key] = re.compile(scanner.sources[key] + r"(?!\w|\.\w)")
    for m in pattern.finditer(low):
        start, end = m.span()
        if start:
            before = low[start - 1]
            if _is_word_char(before) or (
                before == "." and start > 1 and _is_word_char(low[start - 2])
            ):
                continue
        for slug, weak in _rules_for(text[start:end], by_words):
            found.setdefault(slug, []).append((start, end, weak, text[start:end]))


def _scan_glued(found, text: str, low: str, key: bytes, scanner: _Scanner, glue_chars: int) -> None:
    # Scraped text glues a sentence to the next ("engenharia de plataformaVem ver"): in
    # the opening part, a phrase followed by lower-then-upper case still counts.
    by_words = scanner.rules[key]
    pattern = scanner.glued.get(key)
    if pattern is None:
        pattern = scanner.glued[key] = re.compile(scanner.sources[key] + r"(?=[^\W\d_])")
    for m in pattern.finditer(low, 0, glue_chars):
        start, end = m.span()
        if not (text[end - 1].islower() and text[end].isupper()):
            continue
        if start and _is_word_char(low[start - 1]):
            continue
        for slug, weak in _rules_for(text[start:end], by_words):
            found.setdefault(slug, []).append((start, end, weak, text[start:end]))


def _find_mentions_reference(
    text: str, taxonomy: Taxonomy, lowered: str | None = None
) -> dict[str, list[tuple[int, int, bool, str]]]:
    """:func:`_find_mentions` the plain way: every present key's regex over the whole text,
    then the start-inside-a-word test in Python. The specification the fast path is tested
    against."""
    low = lowered if lowered is not None else _lower(text)
    scanner = _scanner(taxonomy)
    present = set(low.encode("utf-8").translate(_SCREEN_TABLE).split())
    found: dict[str, list[tuple[int, int, bool, str]]] = {}
    glue_chars = min(len(low), _GLUE_CHARS)
    for key in present & scanner.keys:
        _scan_reference(found, text, low, key, scanner)
        _scan_glued(found, text, low, key, scanner, glue_chars)
    return _finish_reference(found, text, taxonomy)


def _needles(items) -> set[str] | None:
    """Strings (3+ characters) one of which every match of the parsed ``items`` consumes, or
    ``None`` when that cannot be told: the longest run of literal characters in a sequence, or
    a group or alternation whose branches all have such strings."""
    from re import _constants as c

    options: list[set[str]] = []
    run: list[str] = []
    for op, av in [*items, (None, None)]:
        if op is c.LITERAL:
            run.append(chr(av))
            continue
        if len(run) >= 3:
            options.append({"".join(run)})
        run = []
        if op is c.SUBPATTERN:
            inner = _needles(av[3])
            if inner:
                options.append(inner)
        elif op is c.BRANCH:
            branches = [_needles(branch) for branch in av[1]]
            if all(branches):
                options.append(set().union(*branches))
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            inner = _needles(av[2])
            if inner:
                options.append(inner)
    if not options:
        return None
    return max(options, key=lambda o: (min(map(len, o)), -len(o)))


def _match_strings(items) -> set[str] | None:
    """Every text a match of the parsed ``items`` can be (zero-width tests left out: they only
    rule matches out), when that is a few strings: literals, groups, alternations and optional
    parts ("rails? (?:of|to keep)"); else ``None``."""
    from re import _constants as c

    out = {""}
    for op, av in items:
        if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
            continue  # zero-width
        if op is c.LITERAL:
            out = {s + chr(av) for s in out}
            continue
        inner: set[str] | None
        if op is c.SUBPATTERN:
            inner = _match_strings(av[3])
        elif op is c.BRANCH:
            branches = [_match_strings(branch) for branch in av[1]]
            inner = None if None in branches else set().union(*branches)  # type: ignore[arg-type]
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[1] <= 1:
            inner = _match_strings(av[2])
            if inner is not None and av[0] == 0:
                inner = inner | {""}
        else:
            return None
        if inner is None:
            return None
        out = {s + t for s in out for t in inner}
        if len(out) > _MATCH_STRINGS_MAX:
            return None
    return out


_MATCH_STRINGS_MAX = 16


def _needles_of(pattern: re.Pattern[str]) -> tuple[str, ...] | None:
    """The needles of an exclusion (see _finish): every text its matches can be when those are
    few and long enough (a window holding none of them holds no match: most mentions of a
    topic whose exclusion names it, "Fly" in "Fly on", are settled without the regex), else
    the strings one of which each match holds (see _needles)."""
    try:
        from re import _parser as parser

        parsed = parser.parse(pattern.pattern, pattern.flags)
        found = _match_strings(parsed)
        if not found or min(map(len, found)) < 3:
            found = _needles(parsed)
    except Exception:  # an unknown parser shape: no prefilter, same results
        return None
    return tuple(sorted({_lower(n) for n in found})) if found else None


def _fold_special() -> re.Pattern[str] | None:
    """Characters re's IGNORECASE matches to others than their lower case ("ſ" to "s", "ı" to
    "i", Greek and Cyrillic variants): in a text holding one, a needle can be missed."""
    try:
        from re import _casefix

        chars = {chr(k) for k in _casefix._EXTRA_CASES} | {
            chr(v) for vs in _casefix._EXTRA_CASES.values() for v in vs
        }
    except Exception:
        return None
    return re.compile(
        "[" + "".join(re.escape(ch) for ch in sorted(chars) if not ch.isascii()) + "]"
    )


_FOLD_SPECIAL = _fold_special()


def _finish(
    found: dict[str, list[tuple[int, int, bool, str]]],
    text: str,
    taxonomy: Taxonomy,
    low: str | None = None,
) -> dict[str, list[tuple[int, int, bool, str]]]:
    """:func:`_finish_reference`, visiting only the topics with free regexes or exclusions,
    sorting only topics mentioned more than once, and running an exclusion's regex only
    around mentions where one of the strings it needs occurs (``low``: the lowered text)."""
    scanner = _scanner(taxonomy)
    foldable = None  # whether re may fold a character of the text specially: told when needed
    for slug, regex in scanner.regexes:
        extra = [(m.start(), m.end(), False, m.group(0)) for m in regex.finditer(text)]
        if extra:
            found[slug] = found.get(slug, []) + extra
    out = {}
    for slug, mentions in found.items():
        if len(mentions) > 1:
            mentions = _outermost(mentions)
        excl = scanner.exclusions.get(slug)
        if excl is not None:
            # Checked in a window around each mention, not over the whole text: most texts
            # mention a topic a handful of times, and a full scan per topic costs more.
            if foldable is None:
                foldable = _FOLD_SPECIAL is None or (
                    not text.isascii() and _FOLD_SPECIAL.search(text) is not None
                )
            needles = None if foldable else scanner.needles[slug]
            if needles is not None:
                if low is None:
                    low = _lower(text)
                if len(mentions) > 4 and not any(n in low for n in needles):
                    # nothing the exclusion needs is in the text, so in no window: one look
                    # at the text instead of one per mention (when there are more than a few:
                    # a look at a window costs a tenth of one at a blurb)
                    out[slug] = mentions
                    continue
            kept = []
            for mt in mentions:
                lo, hi = max(0, mt[0] - _EXCLUSION_WINDOW), mt[1] + _EXCLUSION_WINDOW
                if needles is not None and all(low.find(n, lo, hi) < 0 for n in needles):
                    kept.append(mt)  # nothing the exclusion needs is there
                elif not any(
                    m.start() < mt[1] and mt[0] < m.end() for m in excl.finditer(text, lo, hi)
                ):
                    kept.append(mt)
            mentions = kept
        if mentions:
            out[slug] = mentions
    return out


def _outermost(
    mentions: list[tuple[int, int, bool, str]],
) -> list[tuple[int, int, bool, str]]:
    """``mentions`` in text order without those inside a longer mention of the same topic
    (sorts ``mentions`` in place)."""
    mentions.sort()
    kept, last_end = [], -1
    for mt in mentions:
        if mt[0] >= last_end:
            kept.append(mt)
            last_end = mt[1]
    return kept


def _finish_reference(
    found: dict[str, list[tuple[int, int, bool, str]]], text: str, taxonomy: Taxonomy
) -> dict[str, list[tuple[int, int, bool, str]]]:
    """Free regexes added, mentions inside a longer one of the same topic and mentions an
    exclusion overlaps dropped (the plain way; :func:`_finish` is the one in use)."""
    for matcher in taxonomy.matchers:
        if matcher.regex is not None:
            extra = [(m.start(), m.end(), False, m.group(0)) for m in matcher.regex.finditer(text)]
            if extra:
                found[matcher.slug] = found.get(matcher.slug, []) + extra
    for slug, mentions in found.items():
        found[slug] = _outermost(mentions)
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
    return {k: v for k, v in found.items() if v}


def _add(out: list, matched: str, by_words) -> None:
    """The rules ``matched`` stands for, appended to ``out`` as ``(slug, weak)``."""
    words = tuple(TOKEN_RE.findall(matched.lower()))
    group = by_words.get(words)
    if group is None and words and words[-1].endswith("s"):
        last = words[-1]
        group = by_words.get((*words[:-1], last[:-1])) or by_words.get((*words[:-1], last[:-2]))
    if not group:
        return
    for rule in group:
        if rule.exact is not None and tuple(TOKEN_RE.findall(matched)) != rule.exact:
            continue
        out.append((rule.slug, rule.weak))


def _contexts_reference(taxonomy: Taxonomy, lowered: str, start: int, end: int) -> list[str]:
    """The kind (``ignore``, ``former``, ``aside``) of each context match in a sentence."""
    return [m.lastgroup for m in taxonomy.context_pattern.finditer(lowered, start, end)]


_KINDS = ("ignore", "former", "aside")


def _contexts(taxonomy: Taxonomy, lowered: str, start: int, end: int) -> list[str]:
    """:func:`_contexts_reference`, the same matches in the same order, found faster when
    every context pattern starts at a word start (``Taxonomy.context_after_gap``): a match
    either starts where the scan stands or right after a non-word character, which re finds
    in C."""
    after_gap = taxonomy.context_after_gap
    if after_gap is None:
        return _contexts_reference(taxonomy, lowered, start, end)
    at = taxonomy.context_pattern.match
    kinds = []
    pos = start
    while pos < end:
        m = at(lowered, pos, end)
        if m is not None:
            kinds.append(m.lastgroup)
            pos = m.end()
            continue
        m = after_gap.search(lowered, pos, end)
        if m is None:
            break
        kinds.append(
            next(kind for kind in _KINDS if kind in m.re.groupindex and m.start(kind) >= 0)
        )
        pos = m.end("_ctx")
    return kinds


def _contexts_at(
    taxonomy: Taxonomy, lowered: str, start: int, end: int, places: list[int]
) -> list[str]:
    """:func:`_contexts_reference`, the same matches in the same order, with the context
    pattern tried only at ``places`` (sorted: where a context match can start, see
    :func:`_context_prefilter`) instead of at every word start of the sentence.

    Why: the sentences tried hold one or two such places, and _contexts' search for word
    starts (the many-branched pattern tried at each) cost more than the match itself. The
    reference's scan finds the first match at or after where it stands, and no match starts
    elsewhere than at a place; an empty match (none of the shipped patterns makes one) is
    left to :func:`_contexts`."""
    at = taxonomy.context_pattern.match
    kinds = []
    pos = start
    first = bisect.bisect_left(places, start)
    for k in range(first, bisect.bisect_left(places, end, first)):
        place = places[k]
        if place < pos:
            continue  # inside the match before
        m = at(lowered, place, end)
        if m is not None:
            if m.end() == place:
                return _contexts(taxonomy, lowered, start, end)
            kinds.append(m.lastgroup)
            pos = m.end()
    return kinds


def _in_enumeration_reference(
    text: str, bounds: list[int], start: int, item_words: int, min_items: int
) -> bool:
    """Whether the piece of ``text`` holding ``start`` is a short item (at most ``item_words``
    words) in a run of ``min_items`` or more short items. The pieces are
    ``bounds[0]:bounds[1]``, ``bounds[2]:bounds[3]``…; empty pieces (", and Java") are skipped:
    they neither count nor break a run."""
    short, mine = [], None
    for k in range(0, len(bounds), 2):
        a, b = bounds[k], bounds[k + 1]
        words = len(text[a:b].split())
        if not words:
            continue  # ", and Java": the empty piece between two separators
        short.append(words <= item_words)
        if a <= start < b:
            mine = len(short) - 1
    if mine is None or not short[mine]:
        return False
    # the item and its neighbours: a run of short items around it
    run = 1
    for step in (-1, 1):
        k = mine + step
        while 0 <= k < len(short) and short[k]:
            run += 1
            k += step
    return run >= min_items


def _in_enumeration(
    text: str, bounds: list[int], start: int, item_words: int, min_items: int
) -> bool:
    """:func:`_in_enumeration_reference`, counting the words of only the pieces it needs: the
    one holding ``start``, then its neighbours until the run is long enough or broken."""
    k = bisect.bisect_right(bounds, start) - 1
    if k < 0 or k % 2 or start >= bounds[k + 1]:
        return False  # before the first piece, or on a separator
    words = len(text[bounds[k] : bounds[k + 1]].split())
    if not words or words > item_words:
        return False
    run = 1
    if run >= min_items:
        return True
    for step in (-2, 2):
        j = k + step
        while 0 <= j < len(bounds):
            words = len(text[bounds[j] : bounds[j + 1]].split())
            j += step
            if not words:
                continue
            if words > item_words:
                break
            run += 1
            if run >= min_items:
                return True
    return False


# A sentence's enumeration separators: their starts, their ends, and the sentence's end; or
# None when they are too few for an enumeration (see _listed).
_Separators = tuple[list[int], list[int], int] | None
_UNSEEN: Any = object()


def _separators(
    text: str, start: int, end: int, joins: list[int] | None = None
) -> tuple[list[int], list[int], int]:
    """The starts and ends of ``_ITEM_SEP_RE``'s matches in ``text[start:end]``, and ``end``.

    With ``joins`` (the sorted offsets where the automaton read a conjunction's word between
    non-word characters, see _find_mentions): the same matches found without re (whose scan
    stops at every whitespace character to try the conjunctions there): the punctuation and
    "&" by str.find, the conjunctions at ``joins`` checked to have whitespace on both sides
    (tests compare with the regex). A conjunction's match takes the whitespace either side,
    so one that starts inside the one before is no match (re resumes after a match)."""
    if joins is None:
        # (the matches' starts and ends read in two list comprehensions: ~20 % less than
        # their spans zipped apart)
        found = list(_ITEM_SEP_RE.finditer(text, start, end))
        if not found:
            return [], [], end
        return [m.start() for m in found], [m.end() for m in found], end
    seg = text[start:end]
    marks = [start + i for ch in _SEP_CHARS if ch in seg for i in _char_places(seg, ch)]
    words: list[tuple[int, int]] = []
    if "&" in seg:
        for i in _char_places(seg, "&"):
            if 0 < i < len(seg) - 1 and seg[i - 1].isspace() and seg[i + 1].isspace():
                words.append((start + i - 1, start + i + 2))
    k = bisect.bisect_right(joins, start)  # (the whitespace before the word is in the sentence)
    stop = bisect.bisect_left(joins, end, k)
    if k < stop:
        get = _JOIN_WORDS.get
        for pos in joins[k:stop]:
            word = get(text[pos])
            if word is not None:
                after = pos + len(word)
                if (
                    after < end
                    and text[after].isspace()
                    and text[pos - 1].isspace()
                    and text.startswith(word, pos)
                ):
                    words.append((pos - 1, after + 1))
    if not words:
        if not marks:
            return [], [], end
        marks.sort()
        return marks, [i + 1 for i in marks], end
    if len(words) > 1:
        words.sort()
        kept, last_end = [], -1
        for span in words:
            if span[0] >= last_end:
                kept.append(span)
                last_end = span[1]
        words = kept
    spans = words + [(i, i + 1) for i in marks]
    spans.sort()
    return [a for a, _ in spans], [b for _, b in spans], end


_SEP_CHARS = ",;()—–"  # the item separators that are one character (see _ITEM_SEP_RE)


def _char_places(text: str, ch: str) -> list[int]:
    """Every offset of the character ``ch`` in ``text`` (str.find: memchr-fast)."""
    places = []
    i = text.find(ch)
    while i >= 0:
        places.append(i)
        i = text.find(ch, i + 1)
    return places


def _listed(
    text: str,
    starts: list[int],
    separators: dict[int, _Separators],
    joins: list[int] | None,
    rules: TaggingRules,
    start: int,
    end: int,
    idx: int,
) -> bool:
    """Whether the mention ``start:end`` in sentence ``idx`` is an item of an enumeration:
    a short piece between separators, within 120 characters either side, in a run of short
    pieces (see :func:`_in_enumeration`). ``separators`` caches each sentence's; ``joins``:
    see :func:`_separators`.

    The same answer as :func:`_listed_reference` (tests compare them), without building the
    list of piece bounds: piece ``k`` of the window runs from the end of separator ``k - 1``
    (or the window's start) to the start of separator ``k`` (or the window's end)."""
    item_words = rules.list_item_words
    if not item_words:
        return False
    min_items = rules.list_min_items
    seps = separators.get(idx, _UNSEEN)
    if seps is _UNSEEN:
        sentence_end = starts[idx + 1] if idx + 1 < len(starts) else len(text)
        seps = _separators(text, starts[idx], sentence_end, joins)
        if len(seps[0]) + 1 < min_items:
            # too few separators in the whole sentence for a run of `min_items` pieces in
            # any window of it (half the sentences looked at): no mention of it is listed
            seps = None
        separators[idx] = seps
    if seps is None:
        return False
    sep_starts, sep_ends, sentence_end = seps
    lo = max(starts[idx], start - 120)
    hi = min(sentence_end, end + 120)
    # the separators that start at lo or later, up to the first that ends after hi
    first = bisect.bisect_left(sep_starts, lo)
    last = max(first, bisect.bisect_right(sep_ends, hi))
    if last - first + 1 < min_items:
        return False
    k = bisect.bisect_right(sep_starts, start, first, last)
    if k > first and start < sep_ends[k - 1]:
        return False  # on a separator
    words = len(
        text[lo if k == first else sep_ends[k - 1] : sep_starts[k] if k < last else hi].split()
    )
    if not words or words > item_words:
        return False
    run = 1
    if run >= min_items:
        return True
    for step in (-1, 1):
        j = k + step
        while first <= j <= last:
            words = len(
                text[
                    lo if j == first else sep_ends[j - 1] : sep_starts[j] if j < last else hi
                ].split()
            )
            j += step
            if not words:
                continue
            if words > item_words:
                break
            run += 1
            if run >= min_items:
                return True
    return False


def _listed_reference(
    text: str,
    starts: list[int],
    separators: dict,
    rules: TaggingRules,
    start: int,
    end: int,
    idx: int,
) -> bool:
    """:func:`_listed` as it was written first (``separators``: a cache of its own)."""
    if not rules.list_item_words:
        return False
    sentence_end = starts[idx + 1] if idx + 1 < len(starts) else len(text)
    seps = separators.get(idx)
    if seps is None:
        pattern = re.compile(_ITEM_SEP_REFERENCE)
        spans = [m.span() for m in pattern.finditer(text, starts[idx], sentence_end)]
        seps = separators[idx] = ([a for a, _ in spans], spans)
    lo = max(starts[idx], start - 120)
    hi = min(sentence_end, end + 120)
    bounds = [lo]
    sep_starts, spans = seps
    k = bisect.bisect_left(sep_starts, lo)
    while k < len(spans) and spans[k][1] <= hi:
        bounds += spans[k]
        k += 1
    bounds.append(hi)
    if len(bounds) < 2 * rules.list_min_items:
        return False
    return _in_enumeration_reference(
        text, bounds, start, rules.list_item_words, rules.list_min_items
    )


def _prefixes(items) -> tuple[set[str], bool]:
    """``(strings, whole)`` for the parsed regex ``items``: every match starts with one of
    ``strings`` (``""``: nothing can be told); ``whole``: every match is one of them."""
    from re import _constants as c

    out = {""}
    for op, av in items:
        if op is c.AT or op is c.ASSERT or op is c.ASSERT_NOT:
            continue  # zero-width
        if op is c.LITERAL:
            out = {s + chr(av) for s in out}
            continue
        if op is c.SUBPATTERN and not av[1] and not av[2]:  # a group, no flags of its own
            strings, whole = _prefixes(av[3])
        elif op is c.BRANCH:
            branches = [_prefixes(branch) for branch in av[1]]
            strings = set().union(*(s for s, _ in branches))
            whole = all(w for _, w in branches)
        elif op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            strings, whole = _prefixes(av[2])[0], False
        else:
            return out, False
        combined = {s + t for s in out for t in strings}
        if len(combined) > _PREFIXES_MAX:
            return out, False
        out = combined
        if not whole:
            return out, False
    return out, True


_PREFIXES_MAX = 256


def _context_prefilter(taxonomy: Taxonomy) -> tuple[str, ...] | None:
    """The strings (in the automaton's words, a space first) every sentence-context match
    starts with, or ``None`` when that cannot be told.

    Every context pattern starts at a word start (``Taxonomy.context_after_gap``), so each
    match starts at the start of the text or right after a non-word character — a space in
    the automaton's words, as the padding is — with one of those strings (read the same way).
    A sentence where the automaton finds none holds no context match, and most sentences are
    then never tried with the (slow, many-branched) context pattern; the places come from the
    scan that finds the phrases (_find_mentions), so they cost no scan of their own."""
    pattern = taxonomy.context_pattern
    if pattern is None or taxonomy.context_after_gap is None or pattern.flags & re.IGNORECASE:
        return None
    try:
        from re import _parser as parser

        strings, _ = _prefixes(parser.parse(pattern.pattern, pattern.flags))
    except Exception:  # an unknown parser shape: no prefilter, same results
        return None
    if "" in strings:
        return None
    return tuple(sorted({" " + _words_of(s) for s in strings}))


def _context_places(taxonomy: Taxonomy, lowered: str) -> list[int]:
    """The offsets in ``lowered`` where a sentence-context match can start (what tag_text
    gets from _find_mentions), for tests."""
    places: list[int] = []
    _find_mentions(lowered, taxonomy, lowered, places)
    return places


def _context_sentences(places: list[int], starts: list[int]) -> set[int]:
    """The sentences (indices into ``starts``) holding one of ``places``."""
    where = bisect.bisect_right
    return {where(starts, pos) - 1 for pos in places}


def tag_text(title: str, body: str, taxonomy: Taxonomy) -> list[TopicMatch]:
    """:func:`tag` on a bare title and body (handy for tests and the labelled set).

    :func:`_tag_text_reference` is the plain statement of the rules; this is the same result
    (tests compare them) with less work per text: each mention's sentence is found once; the
    sentence contexts are tried only in sentences where a context match can start (see
    :func:`_context_prefilter`); the opening stops at its last sentence; enumerations are
    tested only for topics whose score could reach their threshold (bounds first: every
    mention an item, none), other topics' exact scores only when the share rule needs them;
    evidence is worded only for the topics applied."""
    return _tagged(title, body, taxonomy, False)


def tag_slugs(title: str, body: str, taxonomy: Taxonomy) -> list[str]:
    """The sorted slugs of :func:`tag_text`'s topics (tests compare them): what ingest keeps.

    Why: with no score or evidence to give, a topic whose lowest score (every mention an
    enumeration item) reaches its threshold is applied without its exact score, whose
    enumeration tests cost most of the scoring, unless the share rule needs it."""
    return _tagged(title, body, taxonomy, True)


def _tagged(title: str, body: str, taxonomy: Taxonomy, slugs_only: bool) -> list[Any]:
    """:func:`tag_text`, or with ``slugs_only`` :func:`tag_slugs`."""
    rules = taxonomy.rules
    scanner = _scanner(taxonomy)
    # Past `max_chars` a transcript is not read at all: the depths of a 65,000-character
    # transcript weigh least, and reading them would cost most.
    masked, url_starts, url_chars = _mask_urls(body[: rules.max_chars])
    starts = _sentence_starts(masked)
    size = len(masked)
    last = len(starts) - 1

    title_mentions = _find_mentions(title, taxonomy) if title else {}
    lowered = _lower(masked)
    places: list[int] = []
    # (the conjunctions of enumerations, when the scan finds them: see _separators)
    joins: list[int] | None = [] if scanner.finds_joins else None
    body_mentions = _find_mentions(masked, taxonomy, lowered, places, joins)

    # Each mention's sentence, once.
    where = bisect.bisect_right
    sentences_of = {
        slug: [where(starts, m[0]) - 1 for m in mentions]
        for slug, mentions in body_mentions.items()
    }

    # Sentence contexts (sponsor reads, biographies) only matter for sentences that mention a
    # topic, and for the first few (to find the opening): test only those.
    ignored: set[int] = set()
    former: set[int] = set()
    aside_sentences: set[int] = set()
    if taxonomy.context_pattern is not None:
        contexts = {"ignore": ignored, "former": former, "aside": aside_sentences}
        first = min(len(starts), rules.opening_sentences + 4)
        mentioned: set[int] = set()
        for idxs in sentences_of.values():
            mentioned.update(idxs)
        prefilter = scanner.context_prefilter
        if prefilter is None:
            relevant: Iterable[int] = mentioned.union(range(first))
            for idx in relevant:
                end = starts[idx + 1] if idx < last else size
                for kind in _contexts(taxonomy, lowered, starts[idx], end):
                    contexts[kind].add(idx)
        else:
            places.sort()
            relevant = [
                i for i in _context_sentences(places, starts) if i < first or i in mentioned
            ]
            for idx in relevant:
                end = starts[idx + 1] if idx < last else size
                for kind in _contexts_at(taxonomy, lowered, starts[idx], end, places):
                    contexts[kind].add(idx)
    if url_starts:
        url_count: dict[int, int] = {}
        for pos in url_starts:
            idx = where(starts, pos) - 1
            url_count[idx] = url_count.get(idx, 0) + 1
        ignored |= {i for i, n in url_count.items() if n >= rules.link_list_min_urls}
    employers = scanner.employers

    lead_end = min(size, rules.lead_chars)
    # Do not cut the lead mid-sentence: extend it to the end of the sentence it stops in.
    # (but by at most a fifth: scraped blurbs can run a whole paragraph as one "sentence").
    cut = bisect.bisect_left(starts, lead_end)
    if cut < len(starts) and lead_end < size:
        lead_end = min(starts[cut], rules.lead_chars + rules.lead_chars // 5)
    # The opening: the first `opening_sentences` sentences that are not ignored.
    if rules.opening_sentences >= 0:
        opening = list(
            islice((i for i in range(len(starts)) if i not in ignored), rules.opening_sentences)
        )
    else:
        opening = [i for i in range(len(starts)) if i not in ignored][: rules.opening_sentences]
    opening_end = starts[opening[-1] + 1] if opening and opening[-1] < last else 0
    if opening and opening[-1] >= last:
        opening_end = size
    opening_end = min(opening_end, lead_end)
    # Length normalisation counts only what is read as prose: not URLs, not ignored sentences.
    ignored_chars = sum((starts[i + 1] if i < last else size) - starts[i] for i in ignored)
    prose_chars = size - ignored_chars - url_chars
    body_chars = max(0, prose_chars - lead_end)
    body_units = max(1.0, body_chars / rules.body_unit_chars) ** rules.body_norm_exponent
    min_hits = (
        rules.body_min_hits_short if body_chars < rules.short_body_chars else rules.body_min_hits
    )

    # Enumerations: see _tag_text_reference. The separators of each sentence, found once.
    separators: dict[int, _Separators] = {}
    aside_before = taxonomy.aside_pattern
    weak_factor, bio_factor, repeat_factor = (
        rules.weak_factor,
        rules.bio_factor,
        rules.repeat_factor,
    )

    def _is_aside(start: int, idx: int) -> bool:
        return idx in aside_sentences or (
            aside_before is not None
            and aside_before.search(lowered, max(starts[idx], start - _ASIDE_WINDOW), start)
            is not None
        )

    # Each topic's evidence, without the enumeration test (it costs most): `listed` of the
    # topics that need it is computed only when the score could decide something.
    topics: list[_Topic] = []
    no_mentions: list = []
    thresholds = scanner.thresholds
    # Asides (see _tag_text_reference) need a second look at a topic's lead mentions only when
    # the taxonomy can make one: else every mention's weight and place are known in one pass.
    may_aside = aside_before is not None or bool(aside_sentences)
    for slug in sorted(title_mentions.keys() | body_mentions.keys()):
        in_title = title_mentions.get(slug, no_mentions)
        title_score = None
        weak_only = True
        if in_title:
            best = min(m[2] for m in in_title)
            title_score = rules.title_weight * (weak_factor if best else 1.0)
            weak_only = all(m[2] for m in in_title)
        seen_sentences: set[int] = set()
        lead: list[tuple[int, int, int, float, bool, bool, str]] = []
        body: list[tuple[int, int, int, float]] = []
        body_strong = 0
        body_examples: list[str] = []
        mentions = body_mentions.get(slug)
        if mentions:
            employer = slug in employers
            for (start, end, weak, matched), idx in zip(mentions, sentences_of[slug], strict=True):
                if idx in ignored:
                    continue
                weight = weak_factor if weak else 1.0
                if idx in former:
                    if employer:
                        continue
                    weight *= bio_factor
                if idx in seen_sentences:
                    weight *= repeat_factor
                else:
                    seen_sentences.add(idx)
                if not weak:
                    weak_only = False
                if start >= lead_end:
                    body.append((start, end, idx, weight))
                    if not weak:
                        body_strong += 1
                    if len(body_examples) < 3:
                        body_examples.append(matched)
                else:
                    lead.append((start, end, idx, weight, False, start < opening_end, matched))
        # Corroboration: see _tag_text_reference.
        if lead and may_aside and len(seen_sentences) + bool(in_title) < 2:
            lead = [
                (start, end, idx, weight, _is_aside(start, idx), opening, matched)
                for start, end, idx, weight, _, opening, matched in lead
            ]
        topics.append(
            _Topic(
                slug,
                in_title,
                title_score,
                lead,
                body if body_strong >= min_hits else None,
                body_examples,
                weak_only,
                not in_title and len(seen_sentences) < 2,
                thresholds[slug],
            )
        )

    # (a partial, not a closure: one Python call fewer for each of ~15 mentions a text)
    listed = partial(_listed, masked, starts, separators, joins, rules)

    def exact(t: _Topic) -> _Scored:
        return _score(t, rules, body_units, listed)

    # Bounds first (every mention an enumeration item, none): enough to rule most topics out.
    # Scores grow with every weight, so the bounds hold when no factor is negative.
    lazy = rules.list_item_words and scanner.monotone
    # which answer of `listed` gives the highest score, which the lowest
    high_listed, low_listed = (_never, _always) if rules.list_factor <= 1 else (_always, _never)
    scored: list[_Scored | None] = []
    highs: list[float] = []  # each topic's highest score (its score when known)
    # (slugs_only) the topics whose `scored` is their lowest score, not their score: applied
    # whatever `listed` says
    bounded: set[int] = set()
    for k, t in enumerate(topics):
        if lazy and (t.lead or t.body):
            high = _score(t, rules, body_units, high_listed)[0]
            if t.weak_only or high < t.threshold:  # not applied, whatever `listed` says
                scored.append(None)
                highs.append(high)
                continue
            if slugs_only:
                low = _score(t, rules, body_units, low_listed)
                if low[0] >= t.threshold:
                    scored.append(low)
                    highs.append(high)
                    bounded.add(k)
                    continue
        s = exact(t)
        scored.append(s)
        highs.append(s[0])

    # (the topics that reach their threshold, by index) The share rule needs every topic's
    # score — or bounds close enough.
    candidates = [
        k
        for k, (t, s) in enumerate(zip(topics, scored, strict=True))
        if s is not None and not t.weak_only and s[0] >= t.threshold
    ]
    keep = [not topics[k].lone for k in candidates]
    if not all(keep):
        share = rules.lone_min_share
        total_low = total_high = 0.0
        for t, s, high in zip(topics, scored, highs, strict=True):
            # the lowest score, needed only here (most texts have no lone candidate)
            total_low += s[0] if s is not None else _score(t, rules, body_units, low_listed)[0]
            total_high += high
        # A lone candidate is decided by the bounds when its score (or lowest score) reaches
        # the share of the highest total, or its highest score misses that of the lowest; else
        # every score is needed.
        if all(
            not topics[k].lone
            or scored[k][0] >= share * total_high  # type: ignore[index]
            or highs[k] < share * total_low
            for k in candidates
        ):
            total_evidence = total_high
        else:
            total_evidence = 0.0
            for k, t in enumerate(topics):
                s = scored[k]
                if s is None or k in bounded:
                    s = scored[k] = exact(t)
                total_evidence += s[0]
        min_lone = share * total_evidence
        keep = [
            not topics[k].lone or scored[k][0] >= min_lone  # type: ignore[index]
            for k in candidates
        ]

    kept = [k for k, ok in zip(candidates, keep, strict=True) if ok]
    if slugs_only:
        return sorted(topics[k].slug for k in kept)
    results = [_match(topics[k], scored[k], body_chars) for k in kept]  # type: ignore[arg-type]
    results.sort(key=lambda r: (-r.score, r.slug))
    return results


def _match(t: _Topic, scored: _Scored, body_chars: int) -> TopicMatch:
    """The TopicMatch of a topic applied, with its evidence (as _tag_text_reference words it)."""
    evidence: list[str] = []
    if t.in_title:
        evidence.append(f"title: {t.in_title[0][3]!r}")
    for start, _end, _idx, _weight, aside, opening, matched in t.lead:
        if len(evidence) >= _MAX_EVIDENCE:
            break
        if aside:
            matched += " (aside)"
        where = "opening" if opening else "lead"
        evidence.append(f"{where}@{start}: {matched!r}")
    score, body_score, density = scored
    if t.body is not None:
        examples = ", ".join(repr(m) for m in t.body_examples)
        evidence.append(
            f"body: {body_score:g} mentions in {body_chars} chars "
            f"({density:.2f} normalised), e.g. {examples}"
        )
    return TopicMatch(t.slug, round(score, 3), tuple(evidence))


def _always(start: int, end: int, idx: int) -> bool:
    return True


def _never(start: int, end: int, idx: int) -> bool:
    return False


@dataclass(slots=True)
class _Topic:
    """A topic's evidence in one text, as tag_text gathers it before scoring.

    ``lead``: ``(start, end, sentence, weight, aside, in the opening, matched)`` of each
    mention in the lead; ``body``: ``(start, end, sentence, weight)`` of each after it, or
    ``None`` when there are fewer than ``body_min_hits`` (then they do not count).
    (Not frozen: a frozen dataclass sets each field with object.__setattr__, and tag_text
    makes ~7 of these a text and never changes one.)"""

    slug: str
    in_title: list
    title_score: float | None
    lead: list[tuple[int, int, int, float, bool, bool, str]]
    body: list[tuple[int, int, int, float]] | None
    body_examples: list[str]
    weak_only: bool
    lone: bool
    threshold: float


# (score, body score, density): the figures of the evidence.
_Scored = tuple[float, float, float]


def _score(t: _Topic, rules: TaggingRules, body_units: float, listed) -> _Scored:
    """A topic's score, with ``listed(start, end, sentence)`` telling the enumeration items:
    the arithmetic of _tag_text_reference, operation for operation (same floats). (The bounds'
    ``_never`` and ``_always`` are answered without a call a mention.)"""
    list_factor = rules.list_factor
    never, always = listed is _never, listed is _always
    score = 0.0
    if t.title_score is not None:
        score += t.title_score
    lead_score = 0.0
    if t.lead:
        aside_factor, opening_weight, lead_weight = (
            rules.aside_factor,
            rules.opening_weight,
            rules.lead_weight,
        )
        for start, end, idx, weight, aside, opening, _ in t.lead:
            if always or (not never and listed(start, end, idx)):
                weight *= list_factor
            if aside:
                weight *= aside_factor
            lead_score += weight * (opening_weight if opening else lead_weight)
    if lead_score:
        score += min(rules.lead_cap, lead_score)
    body_score = density = 0.0
    if t.body is not None:
        for start, end, idx, weight in t.body:
            if always or (not never and listed(start, end, idx)):
                weight *= list_factor
            body_score += weight
        density = body_score / body_units
        score += rules.body_weight * min(rules.body_cap, density)
    return score, body_score, density


def _tag_text_reference(title: str, body: str, taxonomy: Taxonomy) -> list[TopicMatch]:
    """:func:`tag_text` as it was written first, with the reference finders: the
    specification the fast path is tested against (never used to tag)."""
    rules = taxonomy.rules
    # Past `max_chars` a transcript is not read at all: the depths of a 65,000-character
    # transcript weigh least, and reading them would cost most.
    masked, url_starts, url_chars = _mask_urls(body[: rules.max_chars])
    starts = _sentence_starts(masked)

    title_mentions = _find_mentions_reference(title, taxonomy) if title else {}
    lowered = _lower(masked)
    body_mentions = _find_mentions_reference(masked, taxonomy, lowered)

    # Sentence contexts (sponsor reads, biographies) only matter for sentences that mention a
    # topic, and for the first few (to find the opening): test only those.
    relevant = set(range(min(len(starts), rules.opening_sentences + 4)))
    for mentions in body_mentions.values():
        relevant.update(bisect.bisect_right(starts, m[0]) - 1 for m in mentions)
    ignored: set[int] = set()
    former: set[int] = set()
    aside_sentences: set[int] = set()
    contexts = {"ignore": ignored, "former": former, "aside": aside_sentences}
    if taxonomy.context_pattern is not None:
        for idx in relevant:
            end = starts[idx + 1] if idx + 1 < len(starts) else len(masked)
            for kind in _contexts_reference(taxonomy, lowered, starts[idx], end):
                contexts[kind].add(idx)
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

    # Enumerations ("platforms like Render, Fly, and Railway", "such as ExactTarget, Pardot,
    # Heroku, and Slack") name many things and discuss none: a mention that is a short item
    # (`list_item_words` words at most) among `list_min_items` or more counts `list_factor`.
    # The separators of each sentence, found once: a sentence often holds several mentions.
    separators: dict = {}

    def listed(start: int, end: int, idx: int) -> bool:
        return _listed_reference(masked, starts, separators, rules, start, end, idx)

    # Asides: "platforms like Heroku", "for most startups", "instead of Docker", "a Heroku for
    # AI apps", "Also: Heroku's Python buildpack now uses uv". Named, not discussed.
    aside_before = taxonomy.aside_pattern

    def aside(start: int, idx: int) -> bool:
        if idx in aside_sentences:
            return True
        return aside_before is not None and (
            aside_before.search(lowered, max(starts[idx], start - _ASIDE_WINDOW), start) is not None
        )

    results: list[TopicMatch] = []
    # (match, score, named in one sentence only): the share rule needs every topic's score.
    candidates: list[tuple[TopicMatch, float, bool]] = []
    total_evidence = 0.0
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
        body: list[tuple[int, int, int, float]] = []
        body_strong = 0
        body_examples: list[str] = []
        seen_sentences: set[int] = set()
        counted = []
        for start, _end, weak, matched in body_mentions.get(slug, []):
            idx = bisect.bisect_right(starts, start) - 1
            if idx in ignored or (idx in former and slug in employers):
                continue
            weight = rules.weak_factor if weak else 1.0
            if idx in former:
                weight *= rules.bio_factor
            if idx in seen_sentences:
                weight *= rules.repeat_factor
            seen_sentences.add(idx)
            counted.append((start, _end, weak, matched, idx, weight))
        # Corroboration: the topic comes back in another sentence (or in the title and the
        # text). A topic named once is only the subject if nothing says otherwise: an aside
        # ("for most startups") discounts it. A topic that recurs is discussed, asides or not.
        corroborated = len(seen_sentences) + bool(in_title) >= 2
        for start, _end, weak, matched, idx, weight in counted:
            if start >= lead_end:
                # After the lead a mention only counts by density, and only from
                # `body_min_hits` up: enumerations are checked below, if it gets there.
                body.append((start, _end, idx, weight))
                body_strong += not weak
                if len(body_examples) < 3:
                    body_examples.append(repr(matched))
                continue
            if listed(start, _end, idx):
                weight *= rules.list_factor
            if not corroborated and aside(start, idx):
                weight *= rules.aside_factor
                matched += " (aside)"
            if start < opening_end:
                lead_score += weight * rules.opening_weight
                if len(evidence) < _MAX_EVIDENCE:
                    evidence.append(f"opening@{start}: {matched!r}")
            else:
                lead_score += weight * rules.lead_weight
                if len(evidence) < _MAX_EVIDENCE:
                    evidence.append(f"lead@{start}: {matched!r}")
        if lead_score:
            score += min(rules.lead_cap, lead_score)
        min_hits = (
            rules.body_min_hits_short
            if body_chars < rules.short_body_chars
            else rules.body_min_hits
        )
        if body_strong >= min_hits:
            # an item of an enumeration counts `list_factor` (checked only here: most topics
            # of a long text never reach `body_min_hits`)
            body_score = 0.0
            for start, end, idx, weight in body:
                if listed(start, end, idx):
                    weight *= rules.list_factor
                body_score += weight
            density = body_score / body_units
            score += rules.body_weight * min(rules.body_cap, density)
            evidence.append(
                f"body: {body_score:g} mentions in {body_chars} chars "
                f"({density:.2f} normalised), e.g. {', '.join(body_examples)}"
            )
        total_evidence += score
        threshold = topic.min_score if topic.min_score is not None else rules.threshold
        if score >= threshold:
            # Weak phrases are hints ("performance", "cluster"): they add to a topic named
            # outright, but hints alone, however many, never make a tag.
            if all(c[2] for c in counted) and all(m[2] for m in in_title):
                continue
            lone = not in_title and len(seen_sentences) < 2
            candidates.append((TopicMatch(slug, round(score, 3), tuple(evidence)), score, lone))
    min_lone = rules.lone_min_share * total_evidence
    for match, score, lone in candidates:
        if not lone or score >= min_lone:
            results.append(match)
    results.sort(key=lambda r: (-r.score, r.slug))
    return results
