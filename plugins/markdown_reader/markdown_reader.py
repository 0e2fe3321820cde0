"""Pelican reader: Markdown with YAML front matter, rendered by markdown-it-py.

Everything this reader reads is untrusted: ingest writes front matter from scraped text, and
editors hand-edit it. So (see SECURITY.md):

* Markdown renders with raw HTML off; link and image URLs are allow-listed by scheme
  (http, https, mailto — relative URLs pass); secret-shaped strings and secret URL parameters are
  redacted (``digest/scrub.py``) in the body and every front-matter string.
* The front-matter contract (types, safe slugs, ``lang`` codes, link schemes) is checked by
  ``digest.frontmatter``, the same code `make check` runs, so build and check always agree.
* Plain-text fields (title, show, guests, tags, summary_text, link and chapter labels) stay plain
  text; templates must escape them (Jinja autoescape). ``summary`` is provided pre-escaped.

A broken hand-edited file is reported as ``file:line: message`` through logging. A file that
cannot be published (bad YAML, no usable title or date) raises FrontMatterError so Pelican skips
just that file; a bad optional field is dropped with an error and the page still builds.
Unknown keys pass through unchanged (editors' additions are not lost) with a warning.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from markdown_it import MarkdownIt
from markupsafe import escape
from pelican import signals
from pelican.readers import BaseReader
from pelican.urlwrappers import Category, Tag

from digest.frontmatter import FrontMatterError, is_allowed_url, read_episode_text
from digest.scrub import scrub_url

log = logging.getLogger(__name__)


def make_markdown() -> MarkdownIt:
    """CommonMark with tables and strikethrough; raw HTML off; links allow-listed by scheme."""
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.validateLink = is_allowed_url
    normalize = md.normalizeLink
    md.normalizeLink = lambda url: normalize(scrub_url(url))
    return md


class MarkdownItReader(BaseReader):
    enabled = True
    file_extensions: ClassVar[list[str]] = ["md", "markdown", "mkd"]

    def __init__(self, settings: dict[str, Any]) -> None:
        super().__init__(settings)
        self._md = make_markdown()

    def read(self, source_path: str) -> tuple[str, dict[str, Any]]:
        with open(source_path, encoding="utf-8") as handle:
            text = handle.read()
        checked, body = read_episode_text(text, source_path)
        for problem in checked.problems:
            report = log.warning if problem.warning else log.error
            report("%s", problem.at(source_path))
        if not checked.publishable:
            fatal = next(p for p in checked.problems if p.fatal)
            # Pelican logs this and skips just this file; every other page still builds.
            raise FrontMatterError(source_path, fatal.line, fatal.message)
        return self._md.render(body), self._metadata(checked.values)

    def _metadata(self, values: dict[str, Any]) -> dict[str, Any]:
        """Checked plain values → what Pelican and the theme expect."""
        metadata = dict(values)
        if "tags" in values:
            metadata["tags"] = [Tag(tag, self.settings) for tag in values["tags"]]
        if "show" in values:
            metadata["category"] = Category(values["show"], self.settings)
        if "summary" in values:
            # Summaries are plain text from the episode's own words: escape, never trust.
            metadata["summary_text"] = values["summary"]
            metadata["summary"] = str(escape(values["summary"]))
        return metadata


def add_reader(readers) -> None:
    for extension in MarkdownItReader.file_extensions:
        readers.reader_classes[extension] = MarkdownItReader


def register() -> None:
    signals.readers_init.connect(add_reader)
