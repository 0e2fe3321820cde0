"""Dumps + shows + taxonomy → :class:`IngestResult` (pure: no file is opened here).

Order of work: classify every line; skip byte-identical repeats early (the sample repeats whole
lines); extract each unique blurb (the only costly step, so the caller may pass a parallel
``map``); attribute shows; merge near duplicates; make titles distinct on a listing page; give
undated episodes the documented estimated date; assign unique slugs; tag topics.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from digest.episode import Episode, Source
from digest.ingest import dedupe
from digest.ingest.classify import LineKind, classify
from digest.ingest.extract import TITLE_MAX, Extracted, concise_title, extract, tidy_title
from digest.ingest.read import Dump, InputProblem
from digest.shows import Show, ShowRegistry, choose

SLUG_MAX = 60


@dataclass(frozen=True)
class Dropped:
    file: str
    line: int
    reason: str
    preview: str


@dataclass(frozen=True)
class Merge:
    kept: Source
    merged: tuple[Source, ...]
    reason: str


@dataclass
class IngestResult:
    episodes: list[Episode] = field(default_factory=list)
    dropped: list[Dropped] = field(default_factory=list)
    merges: list[Merge] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Blurb:
    """A blurb line's bookkeeping; its text lives apart so it can be freed once extracted
    (10,000 blurbs with transcripts are ~100 MB of text)."""

    file: str
    line: int
    sha256: str
    length: int
    cut: bool
    header: Show | None
    collected_on: dt.date


def _extract_one(job: tuple[str, bool]) -> Extracted:
    """Top-level so a process pool can pickle it."""
    raw, cut = job
    return extract(raw, cut=cut)


def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """ASCII, lowercase, dash-separated; cut on a word (``Café: Ünïcode!`` → ``cafe-unicode``)."""
    text = unicodedata.normalize("NFKD", text)
    text = text.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > limit:
        slug = slug[: limit + 1].rsplit("-", 1)[0] if "-" in slug[:limit] else slug[:limit]
    return slug.strip("-") or "episode"


def estimated_date(collected_on: dt.date, line: int) -> dt.date:
    """The documented rule for undated episodes (docs/editing.md): the dump's collection day
    minus one day per line, so listing order follows dump order and re-runs are stable."""
    return collected_on - dt.timedelta(days=line)


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ingest(
    dumps: list[Dump],
    shows: ShowRegistry,
    taxonomy: Any = None,
    mapper: Callable[
        [Callable[[tuple[str, bool]], Extracted], Iterable[tuple[str, bool]]], Iterator[Extracted]
    ] = map,
    progress: Callable[[int], None] | None = None,
) -> IngestResult:
    """Turn read dumps into episodes (pure apart from calling ``mapper`` and ``progress``).

    The dumps' lines are consumed (emptied once classified) so a 100 MB dump is not held twice
    while its episodes are built.
    """
    result = IngestResult()
    blurbs: list[_Blurb] = []
    texts: list[str | None] = []
    for dump in dumps:
        result.problems.extend(dump.problems)
        header: Show | None = None
        for raw in dump.lines:
            kind = classify(raw.text, shows)
            if kind.kind is LineKind.CRUFT:
                if raw.text.strip():
                    result.dropped.append(
                        Dropped(raw.file, raw.number, kind.reason, raw.text[:60].strip())
                    )
                continue
            if kind.kind is LineKind.SHOW_HEADER:
                result.dropped.append(
                    Dropped(raw.file, raw.number, kind.reason, raw.text[:60].strip())
                )
                header = kind.show
                continue
            # A show line heads the blurb right after it: in directory search results the
            # next blurb is often another show's (sample lines 39–41, 49–51).
            blurbs.append(
                _Blurb(
                    raw.file,
                    raw.number,
                    _sha(raw.text),
                    len(raw.text),
                    raw.cut,
                    header,
                    dump.collected_on,
                )
            )
            texts.append(raw.text)
            header = None
        dump.lines = []

    # Byte-identical repeats are merged before the costly extraction.
    first_of: dict[str, int] = {}
    unique: list[int] = []
    repeats: dict[int, list[int]] = {}
    for i, b in enumerate(blurbs):
        key = _sha(" ".join(texts[i].split()))  # type: ignore[union-attr]
        if key in first_of and blurbs[first_of[key]].header == b.header:
            repeats.setdefault(first_of[key], []).append(i)
        else:
            first_of.setdefault(key, i)
            unique.append(i)

    extracted: dict[int, Extracted] = {}
    keep = set(unique)
    for i in range(len(texts)):
        if i not in keep:
            texts[i] = None  # repeats are never extracted

    def jobs() -> Iterator[tuple[str, bool]]:
        for i in unique:
            text, texts[i] = texts[i], None
            yield text, blurbs[i].cut  # type: ignore[misc]

    for n, (i, ex) in enumerate(zip(unique, mapper(_extract_one, jobs()), strict=True), 1):
        extracted[i] = ex
        if progress:
            progress(n)

    chosen_show: dict[int, Show | None] = {}
    for i in unique:
        b, ex = blurbs[i], extracted[i]
        evidence = "\n".join((ex.description, ex.transcript or "", ex.ending))
        if ex.show_name:  # the "The post … appeared first on X." trailer extract removed
            evidence += f"\nThe post appeared first on {ex.show_name}."
        match, warning = choose(shows.attribute(evidence, ex.description[:600]), b.header)
        chosen_show[i] = match.show if match else None
        if warning:
            result.warnings.append(f"{b.file}:{b.line}: {warning}")
        if b.header is None and ex.show_name and not match:
            result.warnings.append(
                f"{b.file}:{b.line}: text names show {ex.show_name!r}, not in content/shows.yml"
            )

    candidates = [
        dedupe.Candidate(
            key=i,
            text=extracted[i].description,
            show=chosen_show[i].slug if chosen_show[i] else None,
            number=extracted[i].episode,
        )
        for i in unique
    ]
    lengths = {i: blurbs[i].length for i in unique}
    groups = dedupe.find_duplicates(candidates, lengths)
    absorbed: dict[int, list[int]] = {}
    merged_away: set[int] = set()
    why: dict[int, str] = {}
    for g in groups:
        absorbed[g.keep] = list(g.merged)
        merged_away.update(g.merged)
        why[g.keep] = g.reason

    episodes: list[Episode] = []
    for i in unique:
        if i in merged_away:
            continue
        family = [i, *absorbed.get(i, [])]
        b, ex = blurbs[i], extracted[i]
        show = chosen_show[i] or next((chosen_show[k] for k in family if chosen_show[k]), None)
        hosts = {h.casefold() for h in show.hosts} if show else set()
        date = ex.date or next((extracted[k].date for k in family if extracted[k].date), None)
        number = ex.episode or next(
            (extracted[k].episode for k in family if extracted[k].episode), None
        )
        first_line = min(blurbs[k].line for k in family)
        ep = Episode(
            title=ex.title,
            slug="",
            body=ex.body,
            source=Source(file=b.file, line=b.line, sha256=b.sha256),
            date=date or estimated_date(b.collected_on, first_line),
            date_estimated=date is None,
            show=show.name if show else None,
            summary=ex.summary,
            guests=[g for g in ex.guests if g.casefold() not in hosts],
            language=ex.language,
            episode=number,
            chapters=list(ex.chapters),
            links=list(ex.links),
            truncated=ex.truncated and all(extracted[k].truncated for k in family),
        )
        episodes.append(ep)
        all_repeats = [r for k in family for r in repeats.get(k, [])]
        others = sorted(set(family[1:]) | set(all_repeats), key=lambda k: blurbs[k].line)
        if others:
            reasons = [why[i]] if i in why else []
            if all_repeats:
                reasons.insert(0, "identical line")
            result.merges.append(
                Merge(
                    kept=ep.source,
                    merged=tuple(
                        Source(blurbs[k].file, blurbs[k].line, blurbs[k].sha256) for k in others
                    ),
                    reason="; ".join(reasons),
                )
            )

    _distinct_titles(episodes)
    _assign_slugs(episodes)
    if taxonomy is not None:
        from digest.tagging import tag  # another engineer's module; optional until it lands

        for ep in episodes:
            ep.tags = sorted({m.slug for m in tag(ep, taxonomy)})
    result.episodes = episodes
    return result


def _distinct_titles(episodes: list[Episode]) -> None:
    """Two episodes must not share a title on a listing page: add what tells them apart."""
    by_title: dict[str, list[Episode]] = {}
    for ep in episodes:
        by_title.setdefault(ep.title.casefold(), []).append(ep)
    for same in by_title.values():
        if len(same) < 2:
            continue
        for ep in same:
            extra = next((g for g in ep.guests if g not in ep.title), None)
            if not extra and ep.episode is not None:
                extra = f"#{ep.episode}"
            if not extra and ep.show:
                extra = ep.show
            if not extra and not ep.date_estimated and ep.date:
                extra = ep.date.isoformat()
            if not extra:
                extra = f"line {ep.source.line}"
            room = TITLE_MAX - len(extra) - 3
            base = ep.title if len(ep.title) <= room else tidy_title(concise_title(ep.title, room))
            ep.title = f"{base} ({extra})"


def _assign_slugs(episodes: list[Episode]) -> None:
    """Unique slugs within the run; a collision takes the show, then a hash of the source."""
    used: set[str] = set()
    for ep in sorted(episodes, key=lambda e: (e.source.file, e.source.line)):
        slug = slugify(ep.title)
        if slug in used and ep.show:
            slug = slugify(f"{slug}-{slugify(ep.show, 20)}", SLUG_MAX + 21)
        if slug in used:
            slug = f"{slug}-{ep.source.sha256[:8]}"
        base, n = slug, 2
        while slug in used:  # the same blurb listed under two shows
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        ep.slug = slug
