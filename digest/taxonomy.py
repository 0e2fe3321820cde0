"""The topic taxonomy: ``content/topics.yml`` → :class:`Taxonomy` of :class:`Topic`.

This is the one place that parses ``topics.yml``. Ingest (auto-tagging), the Pelican topics
plugin (names, descriptions, related topics), the search index (query aliases such as
``k8s`` → ``kubernetes``) and the editor CLI all go through :func:`load_taxonomy`.

Every error raised while loading is a :class:`TaxonomyError` whose message starts with
``file:line:`` so an editor can jump straight to the offending line.

Names are resolved with :meth:`Taxonomy.resolve`: case, spaces, hyphens, underscores and dots
do not matter (``Kubernetes``, ``k8s``, ``12-factor`` and ``Twelve Factor`` each find one
slug). Two topics whose slug, name or aliases normalise to the same key are refused at load
time, so two different topics can never end up on one page.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from digest.scrub import clean_chars

__all__ = [
    "Matcher",
    "PhraseRule",
    "TaggingRules",
    "Taxonomy",
    "TaxonomyError",
    "Topic",
    "load_taxonomy",
    "normalise_key",
]

SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


class TaxonomyError(ValueError):
    """A problem in ``topics.yml``; ``str()`` is ``file:line: message``."""

    def __init__(self, file: str | Path, line: int | None, message: str) -> None:
        self.file = str(file)
        self.line = line
        self.message = message
        where = f"{self.file}:{line}" if line else self.file
        super().__init__(f"{where}: {message}")


def normalise_key(name: str) -> str:
    """The lookup key of a tag name: case-folded, accents and punctuation dropped.

    ``"Twelve-Factor"``, ``"twelve factor"`` and ``"TWELVE_FACTOR"`` all give ``"twelvefactor"``;
    ``"Fly.io"`` and ``"fly-io"`` give ``"flyio"``.
    """
    text = unicodedata.normalize("NFKD", str(name)).casefold()
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


@dataclass(frozen=True)
class Topic:
    """One topic as the editors defined it in ``topics.yml``.

    ``phrases`` match case-insensitively on whole words (spaces and hyphens interchangeable);
    ``acronyms`` match with their exact case (``AI`` but not ``ai`` in "said"); ``regexes`` are
    Python regular expressions (case-insensitive unless they say ``(?-i:...)``). ``weak`` phrases
    count for less (a hint, not proof). ``exclusions`` are regexes: a match that overlaps one is
    not evidence (``Spring '24`` is a Salesforce release, not Java Spring). ``aliases`` are other
    names of the topic used by :meth:`Taxonomy.resolve` and by search; they also match as phrases.
    """

    slug: str
    name: str
    description: str
    phrases: tuple[str, ...] = ()
    acronyms: tuple[str, ...] = ()
    regexes: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    implied: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    related: tuple[str, ...] = ()
    min_score: float | None = None
    line: int | None = None


@dataclass(frozen=True)
class TaggingRules:
    """Tunable numbers and context patterns of the tagger (``tagging:`` in ``topics.yml``).

    See ``docs/topics.md`` for what each one does; :mod:`digest.tagging` documents the formula.
    """

    threshold: float = 1.0
    title_weight: float = 1.5
    opening_sentences: int = 2
    opening_weight: float = 1.0
    lead_weight: float = 0.6
    lead_chars: int = 450
    lead_cap: float = 2.0
    body_weight: float = 1.0
    body_unit_chars: int = 1000
    body_norm_exponent: float = 0.75
    body_min_hits: int = 2
    body_min_hits_short: int = 2
    short_body_chars: int = 0
    body_cap: float = 2.0
    weak_factor: float = 0.4
    repeat_factor: float = 0.5
    list_min_topics: int = 4
    list_factor: float = 0.5
    list_item_words: int = 0
    bio_factor: float = 1.0
    list_min_items: int = 3
    ignore_sentences: tuple[str, ...] = ()
    former_employer: tuple[str, ...] = ()
    employer_topics: tuple[str, ...] = ()
    link_list_min_urls: int = 2
    max_chars: int = 30000
    # Asides (optional; the defaults change nothing). A mention right after one of
    # ``aside_before`` ("like", "such as", "instead of", "for most"), or in a sentence matching
    # ``aside_sentences`` ("Also: …"), counts ``aside_factor`` — unless the topic is named in
    # another sentence too (or in the title): then it is discussed, asides or not.
    aside_before: tuple[str, ...] = ()
    aside_sentences: tuple[str, ...] = ()
    aside_factor: float = 1.0
    # Share of the evidence (optional; 0 changes nothing). A topic named in one sentence only,
    # and not in the title, is applied only when its score is at least ``lone_min_share`` of
    # the episode's total evidence (the scores of every topic mentioned, applied or not): a
    # lone mention is the subject of a blurb about little else, an aside in a blurb that
    # discusses something else at length.
    lone_min_share: float = 0.0


TOKEN_RE = re.compile(r"\w+(?:\.\w+)*")
"""A word as the tagger sees it: letters/digits, dots inside kept ("fly.io", "Node.js").
Apostrophes split ("Heroku's" → "Heroku", "s"), so possessives still match."""


@dataclass(frozen=True)
class PhraseRule:
    """One phrase, alias or acronym of a topic, as a sequence of words.

    ``words`` are lower-cased; ``exact`` holds the original spelling when case matters
    (acronyms), else ``None``; ``weak`` phrases count ``TaggingRules.weak_factor``.
    """

    slug: str
    words: tuple[str, ...]
    exact: tuple[str, ...] | None
    weak: bool
    text: str


@dataclass(frozen=True)
class Matcher:
    """The compiled free regexes and exclusions of one topic (built once per Taxonomy)."""

    slug: str
    regex: re.Pattern[str] | None
    exclusions: re.Pattern[str] | None


@dataclass(frozen=True)
class Taxonomy:
    """All topics, keyed by slug, with alias resolution and compiled match rules."""

    topics: tuple[Topic, ...]
    rules: TaggingRules = field(default_factory=TaggingRules)
    path: str = "topics.yml"
    _by_slug: dict[str, Topic] = field(init=False, repr=False, compare=False)
    _keys: dict[str, str] = field(init=False, repr=False, compare=False)
    _matchers: tuple[Matcher, ...] = field(init=False, repr=False, compare=False)
    _context: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _index: dict[str, tuple[PhraseRule, ...]] = field(init=False, repr=False, compare=False)
    _matcher_map: dict[str, Matcher] = field(init=False, repr=False, compare=False)
    _asides: re.Pattern[str] | None = field(init=False, repr=False, compare=False)
    _context_gap: re.Pattern[str] | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_slug: dict[str, Topic] = {}
        keys: dict[str, str] = {}
        key_owner_line: dict[str, int | None] = {}
        for topic in self.topics:
            if topic.slug in by_slug:
                raise TaxonomyError(
                    self.path,
                    topic.line,
                    f"duplicate topic slug {topic.slug!r} "
                    f"(first defined at line {by_slug[topic.slug].line})",
                )
            by_slug[topic.slug] = topic
            for name in (topic.slug, topic.name, *topic.aliases):
                key = normalise_key(name)
                if not key:
                    raise TaxonomyError(self.path, topic.line, f"empty name or alias {name!r}")
                owner = keys.get(key)
                if owner is not None and owner != topic.slug:
                    raise TaxonomyError(
                        self.path,
                        topic.line,
                        f"{name!r} of topic {topic.slug!r} collides with topic {owner!r} "
                        f"(line {key_owner_line[key]}): both would resolve to one page",
                    )
                keys[key] = topic.slug
                key_owner_line[key] = topic.line
        for topic in self.topics:
            for other in topic.related:
                if other not in by_slug:
                    raise TaxonomyError(
                        self.path, topic.line, f"topic {topic.slug!r}: unknown related {other!r}"
                    )
        for slug in self.rules.employer_topics:
            if slug not in by_slug:
                raise TaxonomyError(self.path, None, f"employer_topics: unknown topic {slug!r}")
        object.__setattr__(self, "_by_slug", by_slug)
        object.__setattr__(self, "_keys", keys)
        object.__setattr__(
            self, "_matchers", tuple(_compile_topic(t, self.path) for t in self.topics)
        )
        object.__setattr__(self, "_index", _phrase_index(self.topics))
        object.__setattr__(self, "_matcher_map", {m.slug: m for m in self._matchers})
        object.__setattr__(self, "_context", _context_pattern(self.rules, self.path))
        object.__setattr__(self, "_context_gap", _after_gap(_context_source(self.rules, self.path)))
        object.__setattr__(self, "_asides", _aside_pattern(self.rules, self.path))

    # -- lookups -----------------------------------------------------------------------------

    def resolve(self, name_or_alias: str) -> str | None:
        """The slug a tag name, slug or alias stands for, or ``None`` if it is not a topic."""
        return self._keys.get(normalise_key(name_or_alias))

    def get(self, slug: str) -> Topic | None:
        return self._by_slug.get(slug)

    def __getitem__(self, slug: str) -> Topic:
        return self._by_slug[slug]

    def __contains__(self, slug: object) -> bool:
        return slug in self._by_slug

    def __iter__(self):
        return iter(self.topics)

    def __len__(self) -> int:
        return len(self.topics)

    @property
    def slugs(self) -> list[str]:
        return [t.slug for t in self.topics]

    @property
    def matchers(self) -> tuple[Matcher, ...]:
        return self._matchers

    @property
    def matchers_by_slug(self) -> dict[str, Matcher]:
        return self._matcher_map

    @property
    def phrase_index(self) -> dict[str, tuple[PhraseRule, ...]]:
        """Phrase rules of every topic keyed by their first word (lower-cased)."""
        return self._index

    @property
    def context_pattern(self) -> re.Pattern[str] | None:
        """One compiled pattern for the sentence contexts, to run on *lower-cased* text; a
        match's ``lastgroup`` is ``"ignore"`` (sponsor reads…), ``"former"`` (biographies) or
        ``"aside"`` ("Also: …"). One scan instead of one per rule: Python's re is slow on many
        separate scans."""
        return self._context

    @property
    def context_after_gap(self) -> re.Pattern[str] | None:
        """:attr:`context_pattern` after one non-word character (``\\W(?=(?P<_ctx>...))``), or
        ``None`` when the context patterns do not all start at the start of a word.

        When every match starts at a word start, a match that does not start where a scan
        begins follows a non-word character: searching for that character first lets re skip
        to it in C, instead of trying the whole pattern at every position (3-4x faster). The
        span of ``_ctx`` is the match; which of ``ignore``/``former``/``aside`` took part, its
        kind."""
        return self._context_gap

    @property
    def aside_pattern(self) -> re.Pattern[str] | None:
        """The compiled ``aside_before`` rules, anchored at the end: search the lower-cased
        text just before a mention (``endpos`` = the mention's start)."""
        return self._asides


# -- compiling match rules ---------------------------------------------------------------------


def _check_regex(pattern: str, path: str, line: int | None, what: str) -> str:
    try:
        re.compile(pattern)
    except re.error as exc:
        raise TaxonomyError(
            path, line, f"{what}: bad regular expression {pattern!r}: {exc}"
        ) from None
    return pattern


def _join(parts: Iterable[str]) -> re.Pattern[str] | None:
    parts = list(parts)
    if not parts:
        return None
    # Longest first so "Ruby on Rails" wins over "Rails" at the same position.
    parts.sort(key=len, reverse=True)
    return re.compile("|".join(f"(?:{p})" for p in parts), re.IGNORECASE)


def _compile_topic(topic: Topic, path: str) -> Matcher:
    regex = [
        _check_regex(r, path, topic.line, f"topic {topic.slug!r} regex") for r in topic.regexes
    ]
    excl = [
        _check_regex(r, path, topic.line, f"topic {topic.slug!r} exclusion")
        for r in topic.exclusions
    ]
    return Matcher(topic.slug, _join(regex), _join(excl))


def _phrase_index(topics: Iterable[Topic]) -> dict[str, tuple[PhraseRule, ...]]:
    index: dict[str, list[PhraseRule]] = {}
    for topic in topics:
        seen: set[tuple[tuple[str, ...], tuple[str, ...] | None]] = set()
        kinds = (
            [(p, False, False) for p in (*topic.phrases, *topic.implied, *topic.aliases)]
            + [(a, True, False) for a in topic.acronyms]
            + [(w, False, True) for w in topic.weak]
        )
        # An alias an editor also lists under `weak` ("database") counts as weak.
        weak_words = {tuple(w.lower() for w in TOKEN_RE.findall(t)) for t in topic.weak}
        for text, exact, weak in kinds:
            words = tuple(TOKEN_RE.findall(text))
            if not words:
                continue
            lowered = tuple(w.lower() for w in words)
            if text in topic.aliases and not exact and lowered in weak_words:
                weak = True
            key = (tuple(w.lower() for w in words), words if exact else None)
            if key in seen:
                continue
            seen.add(key)
            index.setdefault(key[0][0], []).append(
                PhraseRule(topic.slug, key[0], key[1], weak, text)
            )
    # Longest phrase first, so "Heroku Postgres" is tried before "Heroku".
    return {k: tuple(sorted(v, key=lambda r: -len(r.words))) for k, v in index.items()}


def _first_chars(pattern: str) -> set[str] | None:
    """The characters a match of ``pattern`` can start with, or ``None`` if that cannot be
    told (a class such as ``\\w``, an optional first item, a lookaround…)."""
    try:
        from re import _constants as c
        from re import _parser as parser
    except ImportError:  # pragma: no cover - Python < 3.11
        return None

    def first(items) -> set[str] | None:
        for op, av in items:
            if op is c.AT:  # \b, ^: zero-width, look at what follows
                continue
            if op is c.LITERAL:
                return {chr(av)}
            if op is c.IN:
                out: set[str] = set()
                for kind, arg in av:
                    if kind is c.LITERAL:
                        out.add(chr(arg))
                    elif kind is c.RANGE and arg[1] - arg[0] < 128:
                        out.update(chr(ch) for ch in range(arg[0], arg[1] + 1))
                    else:
                        return None
                return out
            if op is c.SUBPATTERN:
                if av[1] & c.SRE_FLAG_IGNORECASE:  # (?i:...): either case
                    return None
                return first(av[-1])
            if op is c.BRANCH:
                out = set()
                for branch in av[1]:
                    chars = first(branch)
                    if chars is None:
                        return None
                    out |= chars
                return out
            if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
                return first(av[2])
            return None
        return None

    try:
        parsed = parser.parse(pattern)
        if parsed.state.flags & c.SRE_FLAG_IGNORECASE:
            return None
        return first(parsed)
    except Exception:  # an unknown parser shape: no guard, same results
        return None


def _guarded(pattern: str) -> re.Pattern[str]:
    """``pattern`` compiled with a look-ahead for its possible first characters, when they
    can be told: the same matches, but re skips most positions at once (about 1.5× faster
    on the context patterns, whose alternatives all start with ``\\b``)."""
    chars = _first_chars(pattern)
    if not chars:
        return re.compile(pattern)
    cls = "".join(re.escape(ch) for ch in sorted(chars))
    return re.compile(f"(?=[{cls}])(?:{pattern})")


def _starts_at_word(items) -> bool:
    """Whether every match of the parsed ``items`` starts with ``\\b`` (and no flag such as
    ``(?a)`` changes what ``\\b`` means)."""
    from re import _constants as c

    if not items:
        return False
    op, av = items[0]
    if op is c.AT:
        return av is c.AT_BOUNDARY
    if op is c.SUBPATTERN:
        return not av[1] and not av[2] and _starts_at_word(av[3])
    if op is c.BRANCH:
        return all(_starts_at_word(branch) for branch in av[1])
    return False


def _after_gap(inner: str | None) -> re.Pattern[str] | None:
    """See :attr:`Taxonomy.context_after_gap`."""
    if inner is None:
        return None
    try:
        from re import _constants as c
        from re import _parser as parser

        chars = _first_chars(inner)
        parsed = parser.parse(inner)
        if (
            not chars
            or not all(ch.isalnum() or ch == "_" for ch in chars)
            or parsed.state.flags & (c.SRE_FLAG_ASCII | c.SRE_FLAG_LOCALE | c.SRE_FLAG_IGNORECASE)
            or parsed.getwidth()[0] == 0
            or not _starts_at_word(parsed.data)
            or "_ctx" in re.compile(inner).groupindex
        ):
            return None
    except Exception:  # an unknown parser shape: the plain scan, same results
        return None
    cls = "".join(re.escape(ch) for ch in sorted(chars))
    return re.compile(rf"\W(?=[{cls}])(?=(?P<_ctx>{inner}))")


def _context_source(rules: TaggingRules, path: str) -> str | None:
    groups = []
    for name, what, patterns in (
        ("ignore", "ignore_sentences", rules.ignore_sentences),
        ("former", "former_employer", rules.former_employer),
        ("aside", "aside_sentences", rules.aside_sentences),
    ):
        checked = [_check_regex(p, path, None, what) for p in patterns]
        if checked:
            groups.append(f"(?P<{name}>" + "|".join(f"(?:{p})" for p in checked) + ")")
    return "|".join(groups) if groups else None


def _context_pattern(rules: TaggingRules, path: str) -> re.Pattern[str] | None:
    source = _context_source(rules, path)
    return _guarded(source) if source is not None else None


def _aside_pattern(rules: TaggingRules, path: str) -> re.Pattern[str] | None:
    before = [_check_regex(p, path, None, "aside_before") for p in rules.aside_before]
    if not before:
        return None
    return re.compile("(?:" + "|".join(f"(?:{p})" for p in before) + r")\s*$")


# -- loading -------------------------------------------------------------------------------------


class _Map(dict):
    line: int = 0
    key_lines: dict[str, int]


class _Seq(list):
    line: int = 0
    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """SafeLoader that remembers the line of every mapping, key and list item."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> _Map:
    loader.flatten_mapping(node)
    out = _Map()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in out:
            raise TaxonomyError(loader.name, line, f"duplicate key {key!r}")
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = line
    return out


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> _Seq:
    out = _Seq(loader.construct_object(child, deep=True) for child in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [child.start_mark.line + 1 for child in node.value]
    return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_map)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_seq)

_TOPIC_KEYS = {
    "slug",
    "name",
    "description",
    "match",
    "aliases",
    "exclude",
    "related",
    "min_score",
}
_MATCH_KEYS = {"phrases", "acronyms", "regex", "weak", "implied"}


def _line_of(container: Any, key: str | None = None) -> int | None:
    if key is not None and isinstance(container, _Map):
        return container.key_lines.get(key, container.line)
    return getattr(container, "line", None)


def _str_list(container: _Map, key: str, path: str) -> tuple[str, ...]:
    value = container.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise TaxonomyError(path, _line_of(container, key), f"{key!r} must be a list of strings")
    lines = getattr(value, "item_lines", [])
    out = []
    for i, item in enumerate(value):
        if not isinstance(item, str | int | float) or isinstance(item, bool) or str(item) == "":
            line = lines[i] if i < len(lines) else _line_of(container, key)
            raise TaxonomyError(path, line, f"{key!r}: expected a non-empty string, got {item!r}")
        out.append(str(item))
    return tuple(out)


def _parse_topic(raw: Any, path: str, line: int | None) -> Topic:
    if not isinstance(raw, _Map):
        raise TaxonomyError(path, line, "each topic must be a mapping with slug, name, description")
    for key in raw:
        if key not in _TOPIC_KEYS:
            raise TaxonomyError(
                path, _line_of(raw, key), f"unknown key {key!r} (expected {sorted(_TOPIC_KEYS)})"
            )
    for key in ("slug", "name", "description"):
        value = raw.get(key)
        if not isinstance(value, str) or not value.strip():
            raise TaxonomyError(
                path, _line_of(raw, key if key in raw else None), f"topic needs a {key!r} string"
            )
    slug = raw["slug"].strip()
    if not SLUG_RE.match(slug):
        raise TaxonomyError(
            path, _line_of(raw, "slug"), f"slug {slug!r} must be lowercase words joined by '-'"
        )
    match = raw.get("match") or _Map()
    if not isinstance(match, dict):
        raise TaxonomyError(path, _line_of(raw, "match"), "'match' must be a mapping")
    for key in match:
        if key not in _MATCH_KEYS:
            raise TaxonomyError(
                path, _line_of(match, key), f"unknown match key {key!r} (use {sorted(_MATCH_KEYS)})"
            )
    min_score = raw.get("min_score")
    if min_score is not None and (
        isinstance(min_score, bool) or not isinstance(min_score, int | float)
    ):
        raise TaxonomyError(path, _line_of(raw, "min_score"), "'min_score' must be a number")
    topic = Topic(
        slug=slug,
        # Names and descriptions end up in pages and XML feeds: no control characters.
        name=clean_chars(raw["name"]).strip(),
        description=" ".join(clean_chars(raw["description"]).split()),
        phrases=_str_list(match, "phrases", path),
        acronyms=_str_list(match, "acronyms", path),
        regexes=_str_list(match, "regex", path),
        weak=_str_list(match, "weak", path),
        implied=_str_list(match, "implied", path),
        aliases=_str_list(raw, "aliases", path),
        exclusions=_str_list(raw, "exclude", path),
        related=_str_list(raw, "related", path),
        min_score=float(min_score) if min_score is not None else None,
        line=raw.line,
    )
    for pattern in topic.regexes:
        _check_regex(pattern, path, _line_of(match, "regex"), f"topic {slug!r} regex")
    for pattern in topic.exclusions:
        _check_regex(pattern, path, _line_of(raw, "exclude"), f"topic {slug!r} exclusion")
    return topic


_RULE_FIELDS = {f.name: f for f in TaggingRules.__dataclass_fields__.values()}


def _parse_rules(raw: Any, path: str, line: int | None) -> TaggingRules:
    if raw is None:
        return TaggingRules()
    if not isinstance(raw, _Map):
        raise TaxonomyError(path, line, "'tagging' must be a mapping")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _RULE_FIELDS:
            raise TaxonomyError(path, _line_of(raw, key), f"unknown tagging setting {key!r}")
        default = getattr(TaggingRules(), key)
        if isinstance(default, tuple):
            values[key] = _str_list(raw, key, path)
            for pattern in values[key] if key != "employer_topics" else ():
                _check_regex(pattern, path, _line_of(raw, key), key)
        elif isinstance(value, bool) or not isinstance(value, int | float):
            raise TaxonomyError(path, _line_of(raw, key), f"{key!r} must be a number")
        else:
            values[key] = type(default)(value)
    return TaggingRules(**values)


def parse_taxonomy(text: str, path: str | Path = "topics.yml") -> Taxonomy:
    """Parse the text of a ``topics.yml`` (``path`` is used in error messages only)."""
    path = str(path)
    loader = _Loader(text)
    loader.name = path
    try:
        data = loader.get_single_data()
    except TaxonomyError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise TaxonomyError(path, line, f"broken YAML: {exc.problem or exc}") from None
    except yaml.YAMLError as exc:
        raise TaxonomyError(path, None, f"broken YAML: {exc}") from None
    finally:
        loader.dispose()
    if not isinstance(data, _Map):
        raise TaxonomyError(path, 1, "expected a mapping with a 'topics' list")
    unknown = set(data) - {"topics", "tagging", "version"}
    if unknown:
        key = sorted(unknown)[0]
        raise TaxonomyError(path, _line_of(data, key), f"unknown top-level key {key!r}")
    raw_topics = data.get("topics")
    if not isinstance(raw_topics, list) or not raw_topics:
        raise TaxonomyError(path, _line_of(data, "topics"), "'topics' must be a non-empty list")
    lines = getattr(raw_topics, "item_lines", [None] * len(raw_topics))
    topics = tuple(_parse_topic(raw, path, ln) for raw, ln in zip(raw_topics, lines, strict=True))
    rules = _parse_rules(data.get("tagging"), path, _line_of(data, "tagging"))
    return Taxonomy(topics=topics, rules=rules, path=path)


def load_taxonomy(path: str | Path) -> Taxonomy:
    """Load ``topics.yml``; any problem raises :class:`TaxonomyError` (``file:line: msg``)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxonomyError(path, None, f"cannot read taxonomy: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise TaxonomyError(path, None, f"not UTF-8: {exc}") from None
    return parse_taxonomy(text, path)
