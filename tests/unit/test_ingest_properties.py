"""Property tests: whatever a dump line holds, ingest writes front matter that PyYAML reads
back to exactly what ingest meant, and the Pelican reader accepts it (2,700 generated examples
in CI; `make fuzz` multiplies every count by FUZZ_SCALE)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from digest.episode import Episode, Source
from digest.frontmatter import read_episode_text
from digest.ingest.pipeline import ingest
from digest.ingest.read import Dump, RawLine, read_dump
from digest.shows import parse_shows
from digest.store import episode_fields, merge, parse, render
from tests.conftest import examples

SHOWS = parse_shows({"shows": [{"name": "Dev Show: The Podcast", "slug": "dev-show"}]})
HOSTILE = st.sampled_from(
    [
        ":",
        ": ",
        "'",
        '"',
        "- ",
        "#",
        " #",
        "{",
        "}",
        "[",
        "]",
        "|",
        ">",
        "&",
        "*",
        "!",
        "%",
        "@",
        "`",
        "?",
        ",",
        "\t",
        "\\",
        "---",
        "...",
        "yes",
        "no",
        "null",
        "~",
        "2024-01-01",
        "1:01",
        "0x1F",
        "1e3",
        "\u2028",
        "\u0085",
        "\ufeff",
        "é",
        "’",
        "ā€™",
        "<b>",
        "&#8230;",
        "https://x.com/?utm_source=a&token=eyJhbGciOiJIUzI1NiJ9.eyJ4Ijoxfq.sig",
        "Transcript: ",
        "(01:02) ",
        "The post ",
        " appeared first on ",
        "8/13/2025 ",
        # Issue 8: control characters, bidi marks, NULs, CRLF.
        "\x00",
        "\x07",
        "\x1b[31m",
        "\r\n",
        "\r",
        "\u202e",
        "\u200f",
        "\u2066",
        "\u200b",
    ]
)
# Very long runs of words, like the ~65,500-character transcripts in real dumps.
LONG = st.integers(min_value=1_000, max_value=14_000).map(lambda n: "word " * n)
LINE = st.lists(st.one_of(HOSTILE, st.text(max_size=12)), min_size=1, max_size=25).map("".join)
# One example in ten is a very long line: enough to cover them, cheap enough for CI.
LINE_OR_LONG = st.one_of(*[LINE] * 9, st.tuples(LINE, LONG, LINE).map("".join))


def _front_matter_round_trips(ep: Episode) -> None:
    meta = episode_fields(ep)
    meta["ingested"] = {"title": "0" * 12}
    text = render(meta, ep.body)
    loaded, body = parse(text)
    assert loaded == meta
    raw = text.split("\n---\n", 1)[0].removeprefix("---\n")
    assert yaml.safe_load(raw) == meta  # plain PyYAML, as the Pelican reader uses
    assert body.rstrip() == ep.body.rstrip()


@settings(max_examples=examples(1200), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(LINE_OR_LONG)
def test_any_line_yields_front_matter_that_round_trips(line: str) -> None:
    dump = Dump(file="d.txt", lines=[RawLine("d.txt", 1, line)])
    result = ingest([dump], SHOWS, taxonomy=None)
    for ep in result.episodes:
        assert ep.title and ep.slug and len(ep.title) <= 200
        assert ep.summary is None or len(ep.summary) <= 300
        _front_matter_round_trips(ep)


@settings(max_examples=examples(800), deadline=None)
@given(
    title=st.text(min_size=1, max_size=60),
    summary=st.one_of(st.none(), st.text(max_size=80)),
    guests=st.lists(st.text(min_size=1, max_size=20), max_size=3),
)
def test_any_field_values_round_trip(title: str, summary: str | None, guests: list[str]) -> None:
    ep = Episode(
        title=title,
        slug="s",
        body="b\n",
        source=Source("d.txt", 1, "0" * 64),
        date=dt.date(2025, 1, 1),
        summary=summary,
        guests=guests,
    )
    _front_matter_round_trips(ep)


def _as_written(ep: Episode) -> str:
    """The file text save_all writes for a new episode (fields, body and the ingested record)."""
    meta, body, record, _, _ = merge(episode_fields(ep), ep.body, None, None)
    meta["ingested"] = record
    return render(meta, body)


@settings(max_examples=examples(400), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LINE_OR_LONG, min_size=1, max_size=3))
def test_any_line_yields_a_file_the_pelican_reader_accepts(lines: list[str]) -> None:
    # read_episode_text is the very check plugins/markdown_reader runs on every file.
    dump = Dump(file="d.txt", lines=[RawLine("d.txt", n, t) for n, t in enumerate(lines, 1)])
    for ep in ingest([dump], SHOWS, taxonomy=None).episodes:
        checked, _ = read_episode_text(_as_written(ep), "x.md")
        assert checked.publishable, checked.problems
        assert not checked.problems, [p.at("x.md") for p in checked.problems]


@settings(max_examples=examples(300), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), newline=st.sampled_from([b"\n", b"\r\n", b"\r"]))
def test_any_bytes_read_from_a_dump_file_ingest_without_a_crash(
    data: bytes, newline: bytes, tmp_path_factory
) -> None:
    """Through the real reader (read.py opens files): invalid UTF-8, NULs, any line endings."""
    path = tmp_path_factory.mktemp("dump") / "d.txt"
    path.write_bytes(newline.join([b"Show Name", data, data + b" (01:02) Intro"]))
    dump = read_dump(path)
    for ep in ingest([dump], SHOWS, taxonomy=None).episodes:
        checked, _ = read_episode_text(_as_written(ep), "x.md")
        assert checked.publishable, checked.problems


def test_hostile_fixture_builds_with_pelican(tmp_path) -> None:
    # One real build (no hypothesis): NUL and control characters, YAML-hostile titles, a JWT
    # in a URL, HTML leftovers, mojibake, U+2028 and a stray BOM → every episode published.
    from tests.conftest import build_site

    fixture = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "hostile.txt"
    site = build_site(tmp_path, [fixture])
    written = sorted((site.content / "episodes").glob("*.md"))
    assert len(written) == 6
    pages = [p for p in (site.output / "episodes").rglob("index.html")]
    assert len(pages) == len(written), site.log
    html = "\n".join(p.read_text(encoding="utf-8") for p in pages)
    assert "\x00" not in html and "\x07" not in html and "eyJ" not in html
    assert "utm_source" not in html and "<b>bold</b>" not in html
    assert "today’s" in html
