"""Pelican reader: Markdown with YAML front matter, rendered by markdown-it-py.

Scraped text is hostile, so raw HTML is off and link/image URLs are allow-listed by scheme.
Front matter keys are the ones ingest writes (see digest/episode.py); unknown keys pass through
as metadata so editors' additions are not lost, and the ingest bookkeeping key is dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markupsafe import escape
from pelican import signals
from pelican.readers import BaseReader
from pelican.urlwrappers import Category, Tag
from pelican.utils import get_date

log = logging.getLogger(__name__)

ALLOWED_SCHEMES = ("http", "https", "mailto")
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
# Keys Pelican itself interprets; everything else is passed through unchanged.
BOOKKEEPING_KEYS = {"ingested"}


class FrontMatterError(ValueError):
    """Front matter that cannot be read; the message names file and line."""


def is_allowed_url(url: str) -> bool:
    """Relative URLs and the allow-listed schemes pass; `javascript:`, `data:`… never do."""
    # Browsers ignore ASCII whitespace and control characters inside a scheme ("java\tscript:").
    compact = re.sub(r"[\x00-\x20\x7f]+", "", url)
    match = _SCHEME.match(compact)
    return match is None or match.group(1).lower() in ALLOWED_SCHEMES


def make_markdown() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_allowed_url
    return md


def split_front_matter(text: str, source: str = "<string>") -> tuple[dict[str, Any], str, int]:
    """Return (front matter, body, line number where the body starts)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text, 1
    raw = match.group(1) or ""
    try:
        data = yaml.safe_load(raw) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1  # +1 for 0-based, +1 for the '---'
        problem = getattr(exc, "problem", None) or str(exc)
        raise FrontMatterError(f"{source}:{line}: invalid YAML front matter: {problem}") from exc
    if not isinstance(data, dict):
        raise FrontMatterError(f"{source}:2: front matter must be a mapping of keys to values")
    body_line = text.count("\n", 0, match.end()) + 1
    return data, text[match.end() :], body_line


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [str(item).strip() for item in value if item is not None and str(item).strip()]
    return [str(value)]


class MarkdownItReader(BaseReader):
    enabled = True
    file_extensions = ["md", "markdown", "mkd"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._md = make_markdown()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with open(source_path, encoding="utf-8") as handle:
            text = handle.read()
        front, body, _ = split_front_matter(text, source_path)
        html = self._md.render(body)
        return html, self._metadata(front, source_path)

    def _metadata(self, front: dict[str, Any], source_path: str) -> dict[str, Any]:
        settings = self.settings
        metadata: dict[str, Any] = {}
        for key, value in front.items():
            name = str(key).lower()
            if name in BOOKKEEPING_KEYS or value is None:
                continue
            if name == "title":
                metadata["title"] = str(value)
            elif name == "date":
                metadata["date"] = _to_datetime(value, source_path)
            elif name == "tags":
                metadata["tags"] = [Tag(tag, settings) for tag in _as_list(value)]
            elif name in ("show", "category"):
                metadata["category"] = Category(str(value), settings)
                metadata["show"] = str(value)
            elif name == "summary":
                # Summaries are plain text from the episode's own words: escape, never trust.
                metadata["summary"] = str(escape(str(value)))
                metadata["summary_text"] = str(value)
            elif name == "guests":
                metadata["guests"] = _as_list(value)
            elif name == "slug":
                metadata["slug"] = str(value)
            else:
                metadata[name] = value
        return metadata


def _to_datetime(value: Any, source_path: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    try:
        return get_date(str(value))
    except (ValueError, TypeError) as exc:
        raise FrontMatterError(f"{source_path}: invalid date {value!r}") from exc


def add_reader(readers) -> None:
    for extension in MarkdownItReader.file_extensions:
        readers.reader_classes[extension] = MarkdownItReader


def register() -> None:
    signals.readers_init.connect(add_reader)
