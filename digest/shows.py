"""``content/shows.yml`` → :class:`Show` records, and attribution of a blurb to a show.

Attribution is evidence-based and never guesses: an episode gets a show only when its text
says so (``…appeared first on Software Engineering Daily``, ``Welcome to episode 257 of the
Cloud Pod``, ``bikeshed.fm``, a distinctive sign-off) or when the dump's show-name line heads it.
Two shows with equally strong evidence → no show, with the reason.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from digest.scrub import clean_chars


class Strength(IntEnum):
    """How sure a piece of evidence makes us; higher wins."""

    MENTION = 1  # the name, with its exact capitals, in the opening of the blurb
    DOMAIN = 2  # the show's web address (show notes also link to *other* shows' episodes)
    HEADER = 3  # the dump's show-name line right above the blurb
    STRONG = 4  # "appeared first on X", "welcome to episode 257 of X", a sign-off pattern


@dataclass(frozen=True)
class Show:
    """A show as editors describe it in ``content/shows.yml``."""

    name: str
    slug: str
    homepage: str | None = None
    aliases: tuple[str, ...] = ()
    patterns: tuple[str, ...] = ()
    hosts: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)

    @property
    def domain(self) -> str | None:
        """The homepage's host without ``www.``, plus its path (changelog.com hosts several
        shows: ``changelog.com/shipit`` is Ship It!, ``changelog.com/gotime`` is Go Time)."""
        if not self.homepage:
            return None
        parts = urlsplit(self.homepage)
        host = parts.netloc.lower().removeprefix("www.")
        return (host + parts.path.rstrip("/")) if host else None


@dataclass(frozen=True)
class ShowMatch:
    show: Show
    strength: Strength
    evidence: str  # the words that chose the show, for the run summary and for editors
    support: int = 0  # how many kinds of evidence agree (breaks ties between equal strengths)


class ShowsError(ValueError):
    """``shows.yml`` is unusable; the message names the file and the entry."""


def normalise_name(text: str) -> str:
    """Fold a show-name line for lookup: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w&]+", " ", text.casefold()).split())


# Phrases that introduce a show's own name.  Each comes from a real blurb:
#   "The post Vibe Coding at Heroku … appeared first on Software Engineering Daily."
#   "Welcome to episode 257 of the Cloud Pod podcast"
#   "in a recent episode of The New Stack Makers"
#   "Thanks so much for listening to The Bike Shed"
_BEFORE_NAME = (
    r"appeared first on|welcome to(?: episode \d+ of)?|(?:an |this |recent |latest )?episode of"
    r"|listening to|this is|back to|brought to you by"
)
_AFTER_NAME = r"(?:podcast\b|is a (?:weekly |daily |monthly |bi-?weekly )?(?:podcast|show))"
_BEFORE_RE = re.compile(rf"(?:{_BEFORE_NAME})\s+(?:the\s+)?$")
_AFTER_RE = re.compile(rf"\s+{_AFTER_NAME}")
# The same phrases found in one pass (overlapping ones too): a name can only count as strong
# evidence right after a _BEFORE phrase or right before an _AFTER phrase, so attribution looks
# for names there instead of searching the whole text once per name.
_BEFORE_PHRASES = (
    "appeared first on ", "welcome to ", "episode of ", "listening to ", "this is ",
    "back to ", "brought to you by ",
)  # fmt: skip
_EPISODE_OF = re.compile(r"episode \d+ of ")
_AFTER_PHRASES = (" podcast", " is a ")
_Runs = tuple[str, tuple[str, ...]]  # a pattern's rarest literal character and literal runs


@dataclass
class ShowRegistry:
    """All known shows with their matchers compiled once."""

    shows: list[Show]
    _by_name: dict[str, Show] = field(default_factory=dict, repr=False)
    _needles: list[tuple[str, Show]] = field(default_factory=list, repr=False)
    _by_first: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _by_last: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _patterns: list[tuple[re.Pattern[str], str, Show]] = field(default_factory=list, repr=False)
    _domains: list[tuple[re.Pattern[str], str, Show]] = field(default_factory=list, repr=False)
    _mention_names: dict[str, Show] = field(default_factory=dict, repr=False)
    # (see _domains_present) domains by the two characters either side of their first dot
    _domain_keys: dict[str, list[tuple[int, int, str]]] = field(default_factory=dict, repr=False)
    _domain_rest: list[tuple[int, str]] = field(default_factory=list, repr=False)
    # (see _domains_present) a dot followed by the two characters after some domain's first dot
    _domain_dots: re.Pattern[str] | None = field(default=None, repr=False)
    # any mention name at all (one scan of the opening before a str.find per name); None: no
    # pre-check
    _mention_any: re.Pattern[str] | None = field(default=None, repr=False)
    # the same names as a trie (see _trie_pattern): what _mentioned searches with
    _mention_trie: re.Pattern[str] | None = field(default=None, repr=False)
    _by_slug: dict[str, Show] = field(default_factory=dict, repr=False)
    # each mention name → the mention names it starts with (itself included)
    _mention_prefixes: dict[str, list[str]] = field(default_factory=dict, repr=False)
    # (see attribute) each pattern with the literal runs every match has, as they read in the
    # lower-cased, single-spaced text; each needle's places in _needles; which domains are
    # lower-case ASCII (found by str.find)
    _pattern_runs: list[tuple[re.Pattern[str], _Runs, _Runs, Show]] = field(
        default_factory=list, repr=False
    )
    _needle_order: dict[str, list[int]] = field(default_factory=dict, repr=False)
    # needles by their first / last two characters (one-character needles by that character)
    _by_first2: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _by_last2: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _one_char: bool = field(default=False, repr=False)
    _domain_plain: list[bool] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        names: list[str] = []
        for show in self.shows:
            self._by_slug.setdefault(show.slug, show)
            for name in show.names:
                self._by_name.setdefault(normalise_name(name), show)
                names.append(name)
            for pattern in show.patterns:
                compiled = re.compile(pattern, re.IGNORECASE | re.MULTILINE)
                self._patterns.append((compiled, _literal_hint(pattern), show))
                loose, strict = _literal_runs(pattern, False), _literal_runs(pattern, True)
                self._pattern_runs.append(
                    (compiled, (_rarest(loose), loose), (_rarest(strict), strict), show)
                )
            domain = show.domain
            if domain:
                self._domains.append(
                    (re.compile(r"(?<![\w.-])" + re.escape(domain), re.IGNORECASE), domain, show)
                )
        for i, (_, domain, _) in enumerate(self._domains):
            self._domain_plain.append(domain.isascii() and domain == domain.lower())
            dot = domain.find(".")
            if dot >= 2 and len(domain) - dot >= 3:
                key = domain[dot - 2 : dot + 3]
                self._domain_keys.setdefault(key, []).append((i, dot, domain))
            else:
                self._domain_rest.append((i, domain))
        if self._domain_keys:
            tails = sorted({key[3:] for key in self._domain_keys})
            self._domain_dots = re.compile(r"\.(?:" + "|".join(map(re.escape, tails)) + ")")
        # Names are found with str.find on the lower-cased text (C speed: ingest attributes
        # 10,000 blurbs), then their surroundings are checked by two small anchored regexes.
        for name in sorted(set(names), key=len, reverse=True):
            key = " ".join(name.lower().split())
            show = self.lookup(name)
            if key and show is not None:
                self._needle_order.setdefault(key, []).append(len(self._needles))
                self._needles.append((key, show))
                self._by_first.setdefault(key[0], []).append(key)
                self._by_last.setdefault(key[-1], []).append(key)
                self._by_first2.setdefault(key[:2], []).append(key)
                self._by_last2.setdefault(key[-2:], []).append(key)
                self._one_char = self._one_char or len(key) == 1
        # Mentions are weak evidence, so only distinctive names count: several words, or
        # unusual capitals/digits (SaaStr, 20VC).  "Syntax" or "Convergence" alone is a word.
        for n in sorted({n for n in names if _distinctive(n)}, key=len, reverse=True):
            show = self.lookup(n)
            if show is not None:
                self._mention_names[n] = show
        if self._mention_names:
            self._mention_any = re.compile("|".join(map(re.escape, self._mention_names)))
            self._mention_trie = re.compile(_trie_pattern(self._mention_names))
            self._mention_prefixes = {
                n: [p for p in self._mention_names if n.startswith(p)] for n in self._mention_names
            }

    @staticmethod
    def _strong_starts(low: str) -> list[int]:
        """Where a name may start right after a _BEFORE phrase ("welcome to [the ]"), found
        with str.find (the caller checks each with _BEFORE_RE)."""
        starts: list[int] = []
        for phrase in _BEFORE_PHRASES:
            at = low.find(phrase)
            while at >= 0:
                p = at + len(phrase)
                starts.append(p)
                if low.startswith("the ", p):
                    starts.append(p + 4)
                if phrase == "welcome to ":
                    m = _EPISODE_OF.match(low, p)
                    if m:
                        starts.append(m.end())
                        if low.startswith("the ", m.end()):
                            starts.append(m.end() + 4)
                at = low.find(phrase, at + 1)
        return sorted({p for p in starts if p < len(low)})

    def _domains_present(self, low: str) -> set[int]:
        """Indices of the domains that occur in ``low``: ``{i for i, (_, d, _) in
        enumerate(self._domains) if d in low}``, found from the text's dots instead of one
        scan of the whole text per domain (a blurb has ~30 dots; shows.yml has ~50 domains).
        Every occurrence of a domain puts its first dot on one of the text's dots, with the
        same two characters either side; domains too short for that are searched as before.
        Only the dots followed by what follows some domain's first dot are visited, found by
        one regular expression led by the dot (~4 of a note's ~16 dots, ~5 of a 10k blurb's
        ~27: ~1.6-2x cheaper than visiting every dot).  A dot within a match is no domain's
        first dot: one of the two characters before it is a dot."""
        present = {i for i, domain in self._domain_rest if domain in low}
        if self._domain_dots is None:
            return present
        keys = self._domain_keys
        for m in self._domain_dots.finditer(low, 2):
            at = m.start()
            for i, dot, domain in keys.get(low[at - 2 : at + 3], ()):
                if low.startswith(domain, at - dot):
                    present.add(i)
        return present

    def lookup(self, name: str) -> Show | None:
        """The show whose name or alias is ``name`` (a header line), ignoring case/punctuation."""
        return self._by_name.get(normalise_name(name))

    def by_slug(self, slug: str | None) -> Show | None:
        """The first show with this slug (a dict: ingest asks twice per blurb)."""
        return self._by_slug.get(slug) if slug else None

    def by_display_name(self, name: str) -> Show | None:
        return next((s for s in self.shows if s.name == name), None)

    def attribute(self, text: str, opening: str | None = None) -> list[ShowMatch]:
        """Every show ``text`` gives evidence for, strongest first (pure, deterministic).

        ``opening`` is the part searched for mere mentions (defaults to the first 600
        characters): a show's name deep in a link list is usually a *different* show.

        Gives what :meth:`attribute_reference` gives (tests compare), in about half the time
        (a worker attributes every blurb): names are only looked up where a phrase was found,
        patterns are pre-checked on the lower-cased text already made for the phrases (all
        their literal runs, not just the longest), and a domain found in the text is located
        with ``str.find`` instead of a case-insensitive regular expression scan.
        """
        found: dict[str, ShowMatch] = {}
        kinds: dict[str, set[Strength]] = {}

        def add(show: Show, strength: Strength, evidence: str) -> None:
            kinds.setdefault(show.slug, set()).add(strength)
            old = found.get(show.slug)
            if old is None or strength > old.strength:
                found[show.slug] = ShowMatch(show, strength, evidence, 0)

        flat = _flatten(text)
        low = flat.lower()
        earliest = self._strong_names(low)
        if earliest:  # (most blurbs name no show after a phrase: skip the loop over names)
            needles, order = self._needles, self._needle_order
            for i in sorted(i for key in earliest for i in order[key]):
                key, show = needles[i]
                at = earliest[key]
                ctx = flat[max(0, at - 25) : at + len(key) + 12]
                add(show, Strength.STRONG, ctx.strip())
        # (i, k and s are plain letters in a text without ı, ſ or the dot İ leaves lower-cased)
        plain = low.isascii() or not any(c in low for c in _DOTLESS_LONG_DOT)
        for pattern, loose, strict, show in self._pattern_runs:
            gate, runs = strict if plain else loose
            if gate not in low:  # (one character: much faster to look for than a run)
                continue
            for run in runs:
                if run not in low:
                    break
            else:
                m = pattern.search(text)
                if m:
                    add(show, Strength.STRONG, m.group(0))
        present = self._domains_present(low)
        if present:
            # (a case-insensitive match of i, k or s may be one of these instead)
            folds = not low.isascii() and any(c in low for c in _FOLDS)
            for i in sorted(present):
                pattern, domain, show = self._domains[i]
                if folds or not self._domain_plain[i]:
                    m = pattern.search(low)
                    if m:
                        add(show, Strength.DOMAIN, m.group(0))
                elif _domain_at(low, domain) >= 0:
                    add(show, Strength.DOMAIN, domain)
        head = opening if opening is not None else text[:600]
        for name, show in self._mentioned(head):
            at = head.find(name)
            while at >= 0:
                end = at + len(name)
                if (at == 0 or not head[at - 1].isalnum()) and (
                    end == len(head) or not head[end].isalnum()
                ):
                    add(show, Strength.MENTION, name)
                    break
                at = head.find(name, at + 1)
        out = [
            ShowMatch(sm.show, sm.strength, sm.evidence, len(kinds[slug]))
            for slug, sm in found.items()
        ]
        return sorted(out, key=_rank)

    def _mentioned(self, head: str) -> list[tuple[str, Show]]:
        """The mention names that occur in ``head`` (and maybe a few that do not), in
        _mention_names order: a name occurring at a place is a prefix of the longest name
        there, which the alternation of all names finds (longest first).  Most openings have
        none; the others no longer need a ``str.find`` per name."""
        any_name = self._mention_trie
        if any_name is None:
            return list(self._mention_names.items())
        m = any_name.search(head)
        if m is None:
            return []
        hit: set[str] = set()
        while m is not None:
            hit.update(self._mention_prefixes[m.group(0)])
            m = any_name.search(head, m.start() + 1)
        return [(name, show) for name, show in self._mention_names.items() if name in hit]

    def _strong_names(self, low: str) -> dict[str, int]:
        """Needle → the first position in ``low`` where it is strong evidence: right after a
        _BEFORE phrase or right before an _AFTER phrase, as whole words."""
        earliest: dict[str, int] = {}
        first2, last2, short = self._by_first2, self._by_last2, self._one_char
        for at in self._strong_starts(low):
            keys = first2.get(low[at : at + 2], ())
            if short:
                keys = (*keys, *first2.get(low[at], ()))
            for key in keys:
                end = at + len(key)
                if (
                    low.startswith(key, at)
                    and (end == len(low) or not low[end].isalnum())
                    and (at == 0 or not low[at - 1].isalnum())
                    and at < earliest.get(key, len(low) + 1)
                    and (
                        _BEFORE_RE.search(low, max(0, at - 40), at)
                        or _AFTER_RE.match(low, end, end + 40)
                    )
                ):
                    earliest[key] = at
        ends = set()
        for phrase in _AFTER_PHRASES:
            at = low.find(phrase, 1)
            while at >= 0:
                ends.add(at)
                at = low.find(phrase, at + 1)
        for end in sorted(ends):
            if not _AFTER_RE.match(low, end, end + 40):
                continue
            keys = last2.get(low[max(0, end - 2) : end], ())
            if short:
                keys = (*keys, *last2.get(low[end - 1], ()))
            for key in keys:
                at = end - len(key)
                if (
                    at >= 0
                    and low.startswith(key, at)
                    and (at == 0 or not low[at - 1].isalnum())
                    and at < earliest.get(key, len(low) + 1)
                ):
                    earliest[key] = at
        return earliest

    def attribute_reference(self, text: str, opening: str | None = None) -> list[ShowMatch]:
        """What :meth:`attribute` returns, by the plainer scans it replaced (kept for the
        tests that compare the two: tests/unit/test_shows_attribute.py).

        ``opening`` is the part searched for mere mentions (defaults to the first 600
        characters): a show's name deep in a link list is usually a *different* show.
        """
        found: dict[str, ShowMatch] = {}
        kinds: dict[str, set[Strength]] = {}

        def add(show: Show, strength: Strength, evidence: str) -> None:
            kinds.setdefault(show.slug, set()).add(strength)
            old = found.get(show.slug)
            if old is None or strength > old.strength:
                found[show.slug] = ShowMatch(show, strength, evidence, 0)

        flat = " ".join(text.split())
        low = flat.lower()
        earliest: dict[str, int] = {}  # needle → first position where it is strong evidence
        for at in self._strong_starts(low):
            for key in self._by_first.get(low[at], ()):
                end = at + len(key)
                if (
                    low.startswith(key, at)
                    and (end == len(low) or not low[end].isalnum())
                    and (at == 0 or not low[at - 1].isalnum())
                    and at < earliest.get(key, len(low) + 1)
                    and (
                        _BEFORE_RE.search(low, max(0, at - 40), at)
                        or _AFTER_RE.match(low, end, end + 40)
                    )
                ):
                    earliest[key] = at
        ends = set()
        for phrase in _AFTER_PHRASES:
            at = low.find(phrase, 1)
            while at >= 0:
                ends.add(at)
                at = low.find(phrase, at + 1)
        for end in sorted(ends):
            if not _AFTER_RE.match(low, end, end + 40):
                continue
            for key in self._by_last.get(low[end - 1], ()):
                at = end - len(key)
                if (
                    at >= 0
                    and low.startswith(key, at)
                    and (at == 0 or not low[at - 1].isalnum())
                    and at < earliest.get(key, len(low) + 1)
                ):
                    earliest[key] = at
        for key, show in self._needles:
            if key in earliest:
                at = earliest[key]
                ctx = flat[max(0, at - 25) : at + len(key) + 12]
                add(show, Strength.STRONG, ctx.strip())
        lowered = text.lower() if self._patterns else ""
        for pattern, hint, show in self._patterns:
            if hint not in lowered:  # a case-insensitive regex scan is slow; str.find is not
                continue
            m = pattern.search(text)
            if m:
                add(show, Strength.STRONG, m.group(0))
        present = self._domains_present(low)
        for i, (pattern, _, show) in enumerate(self._domains):
            if i not in present:  # cheap pre-check before the boundary-aware regex
                continue
            m = pattern.search(low)
            if m:
                add(show, Strength.DOMAIN, m.group(0))
        head = opening if opening is not None else text[:600]
        # (an opening without any of the names — most — skips a str.find per name)
        names = self._mention_names
        if self._mention_any is not None and not self._mention_any.search(head):
            names = {}
        for name, show in names.items():
            at = head.find(name)
            while at >= 0:
                end = at + len(name)
                if (at == 0 or not head[at - 1].isalnum()) and (
                    end == len(head) or not head[end].isalnum()
                ):
                    add(show, Strength.MENTION, name)
                    break
                at = head.find(name, at + 1)
        out = [
            ShowMatch(sm.show, sm.strength, sm.evidence, len(kinds[slug]))
            for slug, sm in found.items()
        ]
        return sorted(out, key=_rank)


def _literal_hint(pattern: str) -> str:
    """The longest run of plain ASCII characters every match of ``pattern`` must contain
    (lower-cased), so ``attribute`` can skip the regex when the text lacks it; "" when the
    pattern has none."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        items = list(_parser.parse(pattern))
    except Exception:  # an unknown parser API only costs speed
        return ""
    best, run = "", ""
    for op, arg in items:
        if str(op) == "LITERAL" and arg < 128 and chr(arg) not in "iIkKsS":
            run += chr(arg).lower()  # (i, k, s also match İ, the Kelvin sign, long s)
        else:
            best, run = max(best, run, key=len), ""
    return max(best, run, key=len)


def _literal_runs(pattern: str, strict: bool) -> tuple[str, ...]:
    """Every run of plain ASCII characters that each match of ``pattern`` contains, lower-cased
    and single-spaced as in the text ``attribute`` searches (longest first; () when the
    pattern has none or the parser is unknown): a text lacking one cannot match.

    Not ``strict``: without i, k and s (a case-insensitive i also matches İ and ı, k the Kelvin
    sign, s the long s).  ``strict``: with them, for a text without ı, ſ or U+0307 once
    lower-cased (İ lower-cases to i + U+0307, the Kelvin sign to k)."""
    try:
        from re import _parser  # type: ignore[attr-defined]

        items = list(_parser.parse(pattern))
    except Exception:  # an unknown parser API only costs speed
        return ()
    runs, run = [], ""
    for op, arg in items:
        if str(op) == "LITERAL" and arg < 128 and (strict or chr(arg) not in "iIkKsS"):
            run += chr(arg).lower()
        else:
            runs.append(run)
            run = ""
    runs.append(run)
    flat = {" ".join(r.split()) for r in runs}
    return tuple(sorted(flat - {""}, key=lambda r: (-len(r), r)))


# Characters by how often they appear in English show notes, most often first; the others
# (``@``, ``#``, most punctuation) are rarer still.  Only a guess: it decides which
# character of a pattern's literal runs is looked for first, not what matches.
_BY_FREQUENCY = " etaoinsrhldcum.fpgwy,b/v:-kxjqz0123456789"


def _rarest(runs: tuple[str, ...]) -> str:
    """The character of ``runs`` least likely in a text ("" for none: "" is in every text)."""
    chars = {c for run in runs for c in run if c != " "}
    return max(sorted(chars), key=lambda c: _BY_FREQUENCY.find(c) % 1000, default="")


def _trie_pattern(names: Iterable[str]) -> str:
    """A regular expression that finds what the alternation of ``names`` (longest first) finds:
    at the first place where one occurs, the longest.  Why: ``re`` tries an alternation's ~70
    branches one by one at each capital letter of an opening; as a trie it tries only the
    branches that share the letters read so far (~1.6x faster on the 10k dump's openings).
    Each node tries its longer continuations before ending (a greedy ``?``)."""
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(ch) + pattern(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return pattern(trie)


_PRINTABLE_ASCII = bytes(range(32, 127))


def _flatten(text: str) -> str:
    """``" ".join(text.split())``, a third cheaper on the usual text (spaces and line breaks
    are its only whitespace): the line breaks become spaces and runs of spaces are halved by
    ``str.replace`` until none is left, instead of one string object per word.

    ``isprintable`` is false for every whitespace character but the space (tests check them
    all), so any other whitespace takes the plain way.  (An ASCII text is printable when
    deleting its bytes 32 to 126 leaves none: ~3x faster than ``isprintable``.)"""
    flat = text.replace("\n", " ")
    if flat.isascii():
        if flat.encode("ascii").translate(None, _PRINTABLE_ASCII):
            return " ".join(text.split())
    elif not flat.isprintable():
        return " ".join(text.split())
    while "  " in flat:
        flat = flat.replace("  ", " ")
    return flat.strip(" ")


# What a lower-cased text holds where a case-insensitive i, k or s matched something else
# than that letter: ı, ſ, or the dot of İ (tests/unit/test_shows_attribute.py checks).
_DOTLESS_LONG_DOT = "\u0131\u017f\u0307"


# The characters other than ASCII that a case-insensitive ASCII pattern matches (İ and ı for
# i, the Kelvin sign for k, long s for s; tests/unit/test_shows_attribute.py checks them all).
_FOLDS = "\u0130\u0131\u212a\u017f"


def _domain_at(low: str, domain: str) -> int:
    """Where ``domain`` first occurs in ``low`` not right after a word character, dot or
    hyphen (what its ``(?<![\\w.-])`` regex finds, for a lower-case ASCII domain in a text
    without _FOLDS), or -1."""
    at = low.find(domain)
    while at > 0 and (low[at - 1].isalnum() or low[at - 1] in "_.-"):
        at = low.find(domain, at + 1)
    return at


def _rank(sm: ShowMatch) -> tuple[int, int, str]:
    return (-sm.strength, -sm.support, sm.show.slug)


def _distinctive(name: str) -> bool:
    if len(name.split()) >= 2:
        return True
    return bool(re.search(r"\d|[a-z][A-Z]|^[^A-Za-z]|[.!&]", name))


def choose(matches: list[ShowMatch], header: Show | None) -> tuple[ShowMatch | None, str | None]:
    """Pick the show from text evidence and the header line; never guess.

    Returns the chosen match (or ``None``) and, when evidence conflicted, a warning.
    Text evidence of STRONG kind beats the header (a directory may list an episode under a
    show card it does not belong to); the header beats mere mentions.
    """
    candidates = list(matches)
    if header is not None:
        candidates.append(ShowMatch(header, Strength.HEADER, f"show line {header.name!r}", 1))
        candidates.sort(key=_rank)
    if not candidates:
        return None, None
    best = _rank(candidates[0])[:2]
    top = {sm.show.slug: sm for sm in candidates if _rank(sm)[:2] == best}
    if len(top) == 1:
        return candidates[0], None
    names = ", ".join(sm.show.name for sm in top.values())
    return None, f"conflicting evidence for shows ({names}); left without a show"


def load_shows(path: Path) -> ShowRegistry:
    """Load and validate ``shows.yml``; raise :class:`ShowsError` naming file and entry."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return ShowRegistry([])
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise ShowsError(f"{path}: cannot read: {exc}") from exc
    return parse_shows(data, str(path))


def parse_shows(data: object, where: str = "shows.yml") -> ShowRegistry:
    """Turn the parsed YAML into a registry (pure; used by tests with inline data)."""
    entries = data.get("shows", []) if isinstance(data, dict) else data
    if entries is None:
        entries = []
    if not isinstance(entries, list):
        raise ShowsError(f"{where}: expected a list under 'shows:'")
    shows: list[Show] = []
    slugs: set[str] = set()
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict) or not entry.get("name") or not entry.get("slug"):
            raise ShowsError(f"{where}: show #{i} needs at least 'name' and 'slug'")
        slug = str(entry["slug"])
        if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug):
            raise ShowsError(f"{where}: show #{i} ({entry['name']}): bad slug {slug!r}")
        if slug in slugs:
            raise ShowsError(f"{where}: show #{i}: slug {slug!r} used twice")
        slugs.add(slug)
        patterns = tuple(str(p) for p in entry.get("patterns") or ())
        for p in patterns:
            try:
                re.compile(p)
            except re.error as exc:
                raise ShowsError(
                    f"{where}: show {entry['name']!r}: bad pattern {p!r}: {exc}"
                ) from exc
        shows.append(
            Show(
                name=clean_chars(str(entry["name"])),  # shown in pages and XML feeds
                slug=slug,
                homepage=str(entry["homepage"]) if entry.get("homepage") else None,
                aliases=tuple(str(a) for a in entry.get("aliases") or ()),
                patterns=patterns,
                hosts=tuple(str(h) for h in entry.get("hosts") or ()),
            )
        )
    return ShowRegistry(shows)
