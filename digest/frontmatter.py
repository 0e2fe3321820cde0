"""The episode front-matter contract, checked in one place for the build and for `make check`.

Front matter is untrusted twice over: ingest writes it from scraped text and editors hand-edit
it. The Pelican reader (plugins/markdown_reader) and the editors' validator
(`scripts/topics.py validate`) both call :func:`check_front_matter`, so a file the build would
skip or repair is exactly a file `make check` reports — with the same ``file:line: message``.

Values that templates put inside attributes are validated here, because escaping alone does not
make them safe there: ``slug`` (URL path), ``language`` (``lang=``), ``links[].url`` (``href=``).
Every string is stripped of characters no HTML page or XML feed may carry, and secret-shaped
text is redacted (:mod:`digest.scrub`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from dateutil import parser as date_parser

from digest.scrub import clean_chars, scrub_text, scrub_url
from digest.slugs import SAFE_SLUG, slugify

ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Ingest's bookkeeping (what it last wrote per field): never published.
BOOKKEEPING_KEYS = frozenset({"ingested"})
# The front-matter contract (digest/episode.py) plus the Pelican keys editors may use.
KNOWN_KEYS = frozenset(
    {
        "title", "slug", "date", "show", "category", "tags", "summary", "guests", "language",
        "episode", "chapters", "links", "truncated", "source", "date_estimated", "modified",
        "status", "template", "save_as", "url",
    }
)  # fmt: skip
# ISO 639-1/-3 with optional BCP 47 subtags (pt, pt-BR, zh-Hant): safe inside lang="…".
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$")
CHAPTER_TIME = re.compile(r"^\d{1,3}(?::[0-5]\d){1,2}$")


class FrontMatterError(ValueError):
    """A file that cannot be published at all; ``str()`` is ``file:line: message``."""

    def __init__(self, source: str, line: int, message: str) -> None:
        self.source, self.line, self.message = source, line, message
        super().__init__(f"{source}:{line}: {message}")


@dataclass(frozen=True)
class Problem:
    """One finding. ``fatal``: the file cannot be published; ``warning``: kept, but suspicious."""

    line: int
    message: str
    fatal: bool = False
    warning: bool = False

    def at(self, source: str) -> str:
        return f"{source}:{self.line}: {self.message}"


@dataclass
class CheckedFrontMatter:
    """Front matter reduced to safe, well-typed values, and what was wrong with it."""

    values: dict[str, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)

    @property
    def publishable(self) -> bool:
        return not any(problem.fatal for problem in self.problems)


def is_allowed_url(url: str) -> bool:
    """Relative URLs and the allow-listed schemes pass; `javascript:`, `data:`… never do."""
    from urllib.parse import unquote

    # Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:");
    # markdown-it percent-encodes them first ("java%09script:"), so decode before looking.
    compact = re.sub(r"[\x00-\x20\x7f]+", "", unquote(url))
    match = _SCHEME.match(compact)
    return match is None or match.group(1).lower() in ALLOWED_SCHEMES


def is_absolute_allowed_url(url: object) -> bool:
    """For front-matter links: an absolute http(s)/mailto URL and nothing else."""
    if not isinstance(url, str) or url != url.strip() or re.search(r"[\x00-\x20\x7f]", url):
        return False
    match = _SCHEME.match(url)
    if match is None or match.group(1).lower() not in ALLOWED_SCHEMES:
        return False
    return match.group(1).lower() == "mailto" or url[match.end() :].startswith("//")


# libyaml's parser when PyYAML was built with it: YAML parsing was a third of a 1,000-episode
# build with the pure-Python one (docs/benchmarks.md).
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Unusual(Exception):
    """Front matter outside the plain subset :func:`load_yaml` builds itself."""


_PLAIN_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")
)
_STR_TAG = "tag:yaml.org,2002:str"


def load_yaml(raw: str) -> Any:
    """Exactly ``yaml.load(raw, Loader=_LOADER)``, about twice as fast on ordinary front matter.

    PyYAML spends most of a front matter's time in Python building a node tree and then walking
    it again to construct values (a fifth of reading a 1,000-episode corpus). Here values are
    built straight from libyaml's events, with PyYAML's own resolver and scalar constructors,
    so every scalar becomes the same value. Anything outside plain mappings, sequences and
    implicitly typed scalars — anchors, aliases, explicit tags, merge keys, non-scalar keys, any
    error at all — is handed to ``yaml.load`` itself, so it raises exactly as before.
    """
    if _LOADER is not getattr(yaml, "CSafeLoader", None):
        return yaml.load(raw, Loader=_LOADER)
    loader = _LOADER(raw)
    try:
        loader.get_event()  # stream start
        data = None
        if not loader.check_event(yaml.StreamEndEvent):
            loader.get_event()  # document start
            data = _value(loader)
            loader.get_event()  # document end
            if not loader.check_event(yaml.StreamEndEvent):
                raise _Unusual  # a second document: yaml.load raises ComposerError
    except Exception:  # unusual or broken: yaml.load gives the exact outcome
        return yaml.load(raw, Loader=_LOADER)
    finally:
        loader.dispose()
    return data


def _value(loader: Any) -> Any:
    event = loader.get_event()
    if event.anchor is not None or getattr(event, "tag", None) not in (None, "!"):
        raise _Unusual
    kind = type(event)
    if kind is yaml.ScalarEvent:
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        if tag == _STR_TAG:
            return event.value
        if tag not in _PLAIN_SCALAR_TAGS:
            raise _Unusual  # merge key "<<", value key "=": yaml.load's special cases
        node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
        return loader.yaml_constructors[tag](loader, node)
    if kind is yaml.MappingStartEvent:
        mapping: dict = {}
        while not loader.check_event(yaml.MappingEndEvent):
            key = _value(loader)
            if isinstance(key, dict | list):
                raise _Unusual  # yaml.load raises "found unhashable key"
            mapping[key] = _value(loader)
        loader.get_event()
        return mapping
    if kind is yaml.SequenceStartEvent:
        sequence = []
        while not loader.check_event(yaml.SequenceEndEvent):
            sequence.append(_value(loader))
        loader.get_event()
        return sequence
    raise _Unusual  # an alias


class KeyLines:
    """{top-level key: file line}, worked out only when a problem needs a line number."""

    def __init__(self, raw: str, first_line: int) -> None:
        self._raw, self._first_line = raw, first_line
        self._lines: dict[str, int] | None = None

    def get(self, key: str, default: int = 1) -> int:
        if self._lines is None:
            self._lines = _key_lines(self._raw, self._first_line)
        return self._lines.get(key, default)


def split_front_matter(text: str, source: str = "<string>") -> tuple[dict, str, int, KeyLines]:
    """Return (front matter, body, line the body starts on, where each key stands).

    Raises FrontMatterError naming the line when the YAML cannot be parsed.
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1, KeyLines("", 1)
    raw = match.group(1) or ""
    try:
        data = load_yaml(raw)  # a safe loader (C or Python), never yaml.Loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2  # +1 for 0-based, +1 for the '---'
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise FrontMatterError(source, line, f"invalid YAML front matter: {problem}") from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise FrontMatterError(source, 2, "front matter must be a mapping of keys to values")
    body_line = text.count("\n", 0, match.end()) + 1
    return data, text[match.end() :], body_line, KeyLines(raw, first_line=2)


def _key_lines(raw: str, first_line: int) -> dict[str, int]:
    try:
        node = yaml.compose(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value).lower(): key.start_mark.line + first_line
        for key, _ in node.value
        if isinstance(key, yaml.ScalarNode)
    }


def _is_text(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


def _is_text_list(value: Any) -> bool:
    return isinstance(value, str) or (
        isinstance(value, list) and all(_is_text(item) or item is None for item in value)
    )


def as_list(value: Any) -> list[str]:
    """A YAML list, or a comma-separated string, as a list of non-empty strings."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [str(value)]


class _Checker:
    def __init__(self, lines: KeyLines | dict[str, int]) -> None:
        self.lines = lines
        self.result = CheckedFrontMatter()

    def problem(self, key: str, message: str, *, fatal: bool = False, warning: bool = False):
        line = self.lines.get(key, 1)
        self.result.problems.append(Problem(line, message, fatal=fatal, warning=warning))

    def check(self, front: dict[str, Any]) -> CheckedFrontMatter:
        values = self.result.values
        for key, value in clean_chars(front).items():
            name = str(key).lower()
            if name in BOOKKEEPING_KEYS or value is None:
                continue
            if isinstance(value, str):
                value = scrub_text(value)
            handler = getattr(self, f"_{name}", None) if name in KNOWN_KEYS else None
            if name not in KNOWN_KEYS:
                self.problem(name, f"unknown front matter key {name!r} (kept as is)", warning=True)
                values[name] = value
            elif handler is None:  # source, status, template, save_as, url: passed on
                values[name] = value
            else:
                handler(name, value)
        if "title" not in values and not any(p.fatal for p in self.result.problems):
            self.problem("title", "missing required field 'title'", fatal=True)
        return self.result

    def _title(self, name: str, value: Any) -> None:
        if not _is_text(value) or not str(value).strip():
            kind = type(value).__name__
            self.problem(name, f"title must be text, got {kind}: {value!r}", fatal=True)
            return
        self.result.values["title"] = str(value).strip()

    def _date(self, name: str, value: Any) -> None:
        parsed = parse_date(value)
        if parsed is None:
            self.problem(name, f"invalid {name} {value!r} (use YYYY-MM-DD)", fatal=True)
            return
        self.result.values[name] = parsed

    _modified = _date

    def _tags(self, name: str, value: Any) -> None:
        if not _is_text_list(value):
            self.problem(name, f"tags must be a list of topic slugs, got {value!r}")
            return
        self.result.values["tags"] = as_list(value)

    def _show(self, name: str, value: Any) -> None:
        if not _is_text(value) or not str(value).strip():
            self.problem(name, f"{name} must be a show name, got {value!r}")
            return
        self.result.values["show"] = str(value).strip()

    _category = _show

    def _summary(self, name: str, value: Any) -> None:
        if not _is_text(value):
            self.problem(name, f"summary must be text, got {type(value).__name__}")
            return
        self.result.values["summary"] = str(value)

    def _guests(self, name: str, value: Any) -> None:
        if not _is_text_list(value):
            self.problem(name, f"guests must be a list of names, got {value!r}")
            return
        self.result.values["guests"] = [scrub_text(guest) for guest in as_list(value)]

    def _slug(self, name: str, value: Any) -> None:
        if not _is_text(value):
            self.problem(name, f"slug must be text, got {value!r}")
            return
        slug = str(value)
        if not SAFE_SLUG.match(slug):
            # The slug becomes a URL path and an href: anything but [a-z0-9._-] is rewritten.
            fixed = slugify(slug, limit=200)
            message = f"slug {slug!r} is not lowercase-words-with-hyphens; using {fixed!r}"
            self.problem(name, message)
            slug = fixed
        self.result.values["slug"] = slug

    def _language(self, name: str, value: Any) -> None:
        if not isinstance(value, str) or not LANGUAGE.match(value):
            self.problem(name, f"language must be an ISO 639-1 code, got {value!r}")
            return
        self.result.values["language"] = value

    def _episode(self, name: str, value: Any) -> None:
        text = str(value).strip() if isinstance(value, int | str) else ""
        if isinstance(value, bool) or not text.isdigit():
            self.problem(name, f"episode must be a number, got {value!r}")
            return
        self.result.values["episode"] = int(text)

    def _truncated(self, name: str, value: Any) -> None:
        if not isinstance(value, bool):
            self.problem(name, f"{name} must be true or false, got {value!r}")
            return
        self.result.values[name] = value

    _date_estimated = _truncated

    def _links(self, name: str, value: Any) -> None:
        if not isinstance(value, list):
            self.problem(name, f"links must be a list of {{url, label}}, got {value!r}")
            return
        links = []
        for item in value:
            url = item.get("url") if isinstance(item, dict) else item
            label = item.get("label") if isinstance(item, dict) else None
            if not isinstance(url, str) or not is_absolute_allowed_url(url.strip()):
                self.problem(name, f"link dropped: only http, https and mailto URLs, got {url!r}")
                continue
            url = scrub_url(scrub_text(url.strip()))
            text = scrub_text(str(label)) if _is_text(label) and str(label).strip() else url
            links.append({"url": url, "label": text})
        self.result.values["links"] = links

    def _chapters(self, name: str, value: Any) -> None:
        if not isinstance(value, list):
            self.problem(name, f"chapters must be a list of {{time, label}}, got {value!r}")
            return
        chapters = []
        for item in value:
            if not isinstance(item, dict) or not _is_text(item.get("label")):
                self.problem(name, f"chapter dropped: needs time and label, got {item!r}")
                continue
            time = str(item.get("time", "")).strip()
            if not CHAPTER_TIME.match(time):
                self.problem(name, f"chapter dropped: time must be like 02:49, got {time!r}")
                continue
            chapters.append({"time": time, "label": scrub_text(str(item["label"]))})
        self.result.values["chapters"] = chapters


def parse_date(value: Any) -> dt.datetime | None:
    """A front-matter date as a datetime, or None when it is not a date at all."""
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, str) and value.strip():
        try:
            return dt.datetime.fromisoformat(value.strip())
        except ValueError:
            pass
        try:
            return date_parser.parse(value, default=dt.datetime(2000, 1, 1))
        except (ValueError, TypeError, OverflowError):
            return None
    return None


def check_front_matter(
    front: dict[str, Any], key_lines: KeyLines | dict[str, int]
) -> CheckedFrontMatter:
    """Validate and clean parsed front matter; problems carry the line of their key."""
    return _Checker(key_lines).check(front)


def read_episode_text(text: str, source: str) -> tuple[CheckedFrontMatter, str]:
    """Split and check a whole file: (checked front matter, Markdown body with secrets redacted).

    Broken YAML becomes a single fatal problem instead of an exception, so callers that report
    (the validator) and callers that publish (the reader) handle every file the same way.
    """
    try:
        front, body, _, lines = split_front_matter(text, source)
    except FrontMatterError as exc:
        return CheckedFrontMatter(problems=[Problem(exc.line, exc.message, fatal=True)]), ""
    return check_front_matter(front, lines), scrub_text(clean_chars(body))
