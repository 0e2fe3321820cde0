"""A statistics page with SVG charts drawn at build time (no JavaScript, no charting library).

Charts: episodes per topic, per show, per month, and a topic co-occurrence heat map. Every
chart is an inline ``<svg role="img">`` with a title and description, followed by a table
with the same numbers (its text alternative). Colours come from CSS classes in the theme, so
charts follow the light/dark colour scheme.

Settings (defaults): ``STATS_SAVE_AS`` ("stats/index.html"), ``STATS_URL`` ("stats/"),
``STATS_TOP`` (15 bars per bar chart), ``STATS_MATRIX_TOPICS`` (10).
"""

from __future__ import annotations

import calendar
import logging
from collections import Counter
from dataclasses import dataclass, field
from itertools import combinations

from markupsafe import Markup, escape
from pelican import signals

log = logging.getLogger(__name__)

DEFAULTS = {
    "STATS_SAVE_AS": "stats/index.html",
    "STATS_URL": "stats/",
    "STATS_TOP": 15,
    "STATS_MATRIX_TOPICS": 10,
}
WIDTH = 420  # viewBox width; CSS scales the drawing to the column
ROW = 22
LABEL_W = 160


@dataclass
class Row:
    label: str
    count: int
    url: str = ""


@dataclass
class Chart:
    id: str
    title: str
    description: str
    svg: Markup
    rows: list[Row] = field(default_factory=list)
    note: str = ""


def _clip(text: str, limit: int = 20) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _svg_open(chart_id: str, height: float, title: str, desc: str) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height:g}" role="img" '
        f'aria-labelledby="{chart_id}-t {chart_id}-d" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{chart_id}-t">{escape(title)}</title>'
        f'<desc id="{chart_id}-d">{escape(desc)}</desc>'
    )


def bar_chart(chart_id: str, title: str, rows: list[Row], top: int) -> tuple[Markup, str]:
    shown = rows[:top]
    peak = max((row.count for row in shown), default=1) or 1
    span = WIDTH - LABEL_W - 44
    height = ROW * len(shown) + 8
    desc = "; ".join(f"{row.label}: {row.count}" for row in shown)
    parts = [_svg_open(chart_id, height, title, desc)]
    for i, row in enumerate(shown):
        y = 4 + i * ROW
        width = max(row.count / peak * span, 1.5)
        parts.append(
            f'<text class="label" x="{LABEL_W - 8}" y="{y + 15}" text-anchor="end">'
            f"{escape(_clip(row.label))}</text>"
            f'<rect class="bar" x="{LABEL_W}" y="{y + 3}" width="{width:.1f}" height="{ROW - 6}"'
            ' rx="2"/>'
            f'<text class="value" x="{LABEL_W + width + 5:.1f}" y="{y + 15}">{row.count}</text>'
        )
    parts.append("</svg>")
    note = (
        f"The {len(shown)} largest of {len(rows)}; the table lists all." if len(rows) > top else ""
    )
    return Markup("".join(parts)), note


def month_chart(chart_id: str, title: str, months: list[tuple[int, int, int]]) -> Markup:
    """Columns per month from the first to the last dated episode, years marked below."""
    height, base, top_pad = 170, 140, 18
    left, right = 34, WIDTH - 6
    peak = max((count for _, _, count in months), default=1) or 1
    step = (right - left) / max(len(months), 1)
    desc = (
        ", ".join(f"{calendar.month_abbr[m]} {y}: {c}" for y, m, c in months if c)
        or "No dated episodes."
    )
    parts = [
        _svg_open(chart_id, height, title, desc),
        f'<line class="axis" x1="{left}" y1="{base}" x2="{right}" y2="{base}"/>',
        f'<text class="value" x="{left - 4}" y="{top_pad + 4}" text-anchor="end">{peak}</text>',
        f'<line class="grid" x1="{left}" y1="{top_pad}" x2="{right}" y2="{top_pad}"/>',
        f'<text class="value" x="{left - 4}" y="{base}" text-anchor="end">0</text>',
    ]
    gap = 1 if step > 3 else 0
    years_marked = 0
    every = max(1, round(len(months) / 12 / 6))  # at most ~6 year labels
    for i, (year, month, count) in enumerate(months):
        x = left + i * step
        if count:
            h = count / peak * (base - top_pad)
            parts.append(
                f'<rect class="bar" x="{x + gap / 2:.2f}" y="{base - h:.2f}" '
                f'width="{max(step - gap, 0.8):.2f}" height="{h:.2f}"/>'
            )
        if month == 1 or i == 0:
            if years_marked % every == 0:
                parts.append(
                    f'<line class="axis" x1="{x:.2f}" y1="{base}" x2="{x:.2f}" y2="{base + 5}"/>'
                    f'<text class="label" x="{x:.2f}" y="{base + 20}">{year}</text>'
                )
            years_marked += 1
    parts.append("</svg>")
    return Markup("".join(parts))


def heat_map(chart_id: str, title: str, names: list[str], matrix: list[list[int]]) -> Markup:
    n = len(names)
    cell = min(26, (WIDTH - LABEL_W - 4) / max(n, 1))
    height = 24 + cell * n + 4
    peak = max((v for i, row in enumerate(matrix) for j, v in enumerate(row) if i != j), default=0)
    pairs = [
        f"{names[i]} and {names[j]}: {matrix[i][j]}"
        for i in range(n)
        for j in range(i + 1, n)
        if matrix[i][j]
    ]
    desc = "; ".join(pairs) or "No two topics share an episode."
    parts = [_svg_open(chart_id, height, title, desc)]
    for j in range(n):
        parts.append(
            f'<text class="value" x="{LABEL_W + j * cell + cell / 2:.1f}" y="16" '
            f'text-anchor="middle">{j + 1}</text>'
        )
    for i, name in enumerate(names):
        y = 24 + i * cell
        parts.append(
            f'<text class="label" x="{LABEL_W - 8}" y="{y + cell / 2 + 5:.1f}" '
            f'text-anchor="end">{i + 1}. {escape(_clip(name, 19))}</text>'
        )
        for j in range(n):
            x = LABEL_W + j * cell
            value = matrix[i][j]
            if i == j:
                level = "self"
            elif not value or not peak:
                level = "q0"
            else:
                level = f"q{min(5, 1 + int(4 * value / peak))}"
            parts.append(
                f'<rect class="cell {level}" x="{x:.1f}" y="{y:.1f}" '
                f'width="{cell - 2:.1f}" height="{cell - 2:.1f}" rx="2"/>'
            )
            if value and i != j:
                parts.append(
                    f'<text class="cell-value {level}" x="{x + cell / 2 - 1:.1f}" '
                    f'y="{y + cell / 2 + 3:.1f}" text-anchor="middle">{value}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))


def _name(obj) -> str:
    return str(getattr(obj, "name", obj))


def build_stats(articles, tags, categories, settings) -> dict:
    top = settings["STATS_TOP"]
    topic_rows = sorted(
        (Row(_name(tag), len(items), tag.url) for tag, items in tags),
        key=lambda r: (-r.count, r.label.lower()),
    )
    default_show = settings.get("DEFAULT_CATEGORY", "")
    show_rows = sorted(
        (
            Row(_name(cat), len(items), cat.url)
            for cat, items in categories
            if _name(cat) != default_show
        ),
        key=lambda r: (-r.count, r.label.lower()),
    )
    unknown_show = sum(len(items) for cat, items in categories if _name(cat) == default_show)

    dated = [a for a in articles if not getattr(a, "date_estimated", False)]
    per_month = Counter((a.date.year, a.date.month) for a in dated)
    months: list[tuple[int, int, int]] = []
    if per_month:
        (y, m), last = min(per_month), max(per_month)
        # At least a year of columns, so a few months of data do not become one giant bar.
        span = (last[0] - y) * 12 + last[1] - m + 1
        for _ in range(max(0, 12 - span)):
            y, m = (y - 1, 12) if m == 1 else (y, m - 1)
        while (y, m) <= last:
            months.append((y, m, per_month.get((y, m), 0)))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    years = sorted({y for y, _, _ in months}, reverse=True)
    month_table = [(year, [per_month.get((year, m), 0) for m in range(1, 13)]) for year in years]

    matrix_topics = topic_rows[: settings["STATS_MATRIX_TOPICS"]]
    index = {row.label: i for i, row in enumerate(matrix_topics)}
    pair_counts: Counter[tuple[str, str]] = Counter()
    matrix = [[0] * len(matrix_topics) for _ in matrix_topics]
    for article in articles:
        names = sorted({_name(t) for t in getattr(article, "tags", None) or []})
        for a, b in combinations(names, 2):
            pair_counts[(a, b)] += 1
            if a in index and b in index:
                matrix[index[a]][index[b]] += 1
                matrix[index[b]][index[a]] += 1
        for a in names:
            if a in index:
                matrix[index[a]][index[a]] += 1
    pairs = [
        Row(f"{a} + {b}", count)
        for (a, b), count in sorted(pair_counts.items(), key=lambda kv: (-kv[1], kv[0]))
    ][:30]

    topic_svg, topic_note = bar_chart("chart-topics", "Episodes per topic", topic_rows, top)
    show_svg, show_note = bar_chart("chart-shows", "Episodes per show", show_rows, top)
    charts = {
        "topics": Chart(
            "chart-topics", "Episodes per topic", "How many episodes each topic has.",
            topic_svg, topic_rows, topic_note,
        ),
        "shows": Chart(
            "chart-shows", "Episodes per show", "How many episodes come from each show.",
            show_svg, show_rows,
            " ".join(filter(None, [show_note, f"{unknown_show} episodes have no known show."
                                   if unknown_show else ""])),
        ),
        "months": Chart(
            "chart-months", "Episodes per month",
            "Episodes by month of release, from the earliest to the latest dated episode.",
            month_chart("chart-months", "Episodes per month", months),
            note=(f"{len(articles) - len(dated)} episodes without a known date are left out."
                  if len(dated) < len(articles) else ""),
        ),
        "cooccurrence": Chart(
            "chart-cooccurrence", "Topics that appear together",
            "How often two topics are tagged on the same episode, for the "
            f"{len(matrix_topics)} largest topics; the stronger the colour, the more they share.",
            heat_map("chart-cooccurrence", "Topics that appear together",
                     [r.label for r in matrix_topics], matrix),
            pairs,
        ),
    }  # fmt: skip
    return {
        "charts": charts,
        "month_table": month_table,
        "month_names": [calendar.month_abbr[m] for m in range(1, 13)],
        "matrix_topics": matrix_topics,
        "totals": {
            "episodes": len(articles),
            "topics": len(topic_rows),
            "shows": len(show_rows),
            "dated": len(dated),
        },
    }


def _options(settings) -> dict:
    return {key: settings.get(key, value) for key, value in DEFAULTS.items()}


def archive_calendar(period_archives) -> list[dict]:
    """The archive page's year/month list: years newest first, each with its months in order.

    Only numbers, names and URLs, not the articles: the render cache (plugins/fast_build) keys a
    page on the values its template names, so the archive pages, which name this instead of
    ``period_archives``, are re-rendered only when some month's count or URL changes, not when
    an episode's tags do.
    """
    months = period_archives.get("month") or []
    year_archives = {
        archive["period_num"][0]: archive for archive in period_archives.get("year") or []
    }
    by_year: dict[int, list[dict]] = {}
    for month in months:
        by_year.setdefault(month["period_num"][0], []).append(month)
    calendar_: list[dict] = []
    for year in sorted(by_year, reverse=True):
        year_archive = year_archives.get(year)
        calendar_.append(
            {
                "year": year,
                "url": year_archive["url"] if year_archive else None,
                "total": len(year_archive["dates"]) if year_archive else None,
                "months": [
                    {
                        "abbr": month["period"][1][:3],
                        "url": month["url"],
                        "total": len(month["dates"]),
                    }
                    for month in sorted(by_year[year], key=lambda m: m["period_num"][1])
                ],
            }
        )
    return calendar_


def add_url(generator) -> None:
    options = _options(generator.settings)
    if options["STATS_SAVE_AS"]:
        generator.context["STATS_URL"] = options["STATS_URL"]
    generator.context["archive_calendar"] = archive_calendar(
        generator.context.get("period_archives") or {}
    )


def write_stats(generator, writer) -> None:
    settings = {**generator.settings, **_options(generator.settings)}
    if not settings["STATS_SAVE_AS"]:
        return
    stats = build_stats(generator.articles, generator.tags.items(), generator.categories, settings)
    writer.write_file(
        settings["STATS_SAVE_AS"],
        generator.get_template("stats"),
        generator.context,
        relative_urls=settings["RELATIVE_URLS"],
        stats=stats,
        template_name="stats",
        page_name="stats",
        url=settings["STATS_URL"],
    )
    log.info("stats: wrote %s", settings["STATS_SAVE_AS"])


def register() -> None:
    signals.article_generator_finalized.connect(add_url)
    signals.article_writer_finalized.connect(write_stats)
