"""The one record every stage passes on, from raw blurb to Markdown file."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Where an episode came from, so an editor can find the raw blurb again."""

    file: str
    line: int
    sha256: str


@dataclass(frozen=True)
class Chapter:
    """A chapter mark as the show notes state it (``time`` kept as written, e.g. ``02:49``)."""

    time: str
    label: str


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass
class Episode:
    """An episode as ingest understands it; field names match the front matter keys.

    ``None`` / empty means "unknown": such keys are left out of the front matter.
    """

    title: str
    slug: str
    body: str
    source: Source
    date: dt.date | None = None
    show: str | None = None
    tags: list[str] = field(default_factory=list)
    summary: str | None = None
    guests: list[str] = field(default_factory=list)
    language: str | None = None
    episode: int | None = None
    chapters: list[Chapter] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    truncated: bool = False
    # True when ``date`` was not stated by the text but derived by the documented rule
    # (see docs/editing.md); the theme shows "date unknown" for such episodes.
    date_estimated: bool = False
