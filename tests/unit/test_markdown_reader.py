"""The markdown_reader plugin: raw HTML off, URL allow-list, secret scrubbing, front-matter checks.

Real markdown-it-py and a real Pelican reader instance; no mocks.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from pelican.settings import DEFAULT_CONFIG

from digest.frontmatter import FrontMatterError, is_allowed_url, split_front_matter
from digest.scrub import scrub_text, scrub_url
from plugins.markdown_reader.markdown_reader import MarkdownItReader, make_markdown
from tests.fixtures.xss.xss_site import load_secrets, load_vectors

VECTORS = load_vectors()
BAD_SCHEMES = [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", " \x01javascript:alert(1)", "data:text/html,<script>alert(1)</script>",
    "DATA:image/svg+xml,<svg onload=alert(1)>", "vbscript:msgbox(1)", "VbScRiPt:msgbox(1)",
    "file:///etc/passwd",
]  # fmt: skip


@pytest.fixture
def reader() -> MarkdownItReader:
    return MarkdownItReader(dict(DEFAULT_CONFIG))


def write(tmp_path: Path, text: str, name: str = "episode.md") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("url", BAD_SCHEMES)
def test_dangerous_schemes_are_refused(url: str) -> None:
    assert not is_allowed_url(url)


@pytest.mark.parametrize("url", ["https://x.org/a", "http://x.org", "mailto:a@b.org", "/a", "#x"])
def test_allowed_urls_pass(url: str) -> None:
    assert is_allowed_url(url)


@pytest.mark.parametrize("vector", VECTORS, ids=[v.id for v in VECTORS])
def test_no_vector_renders_markup(vector) -> None:
    html = make_markdown().render(vector.payload)
    lowered = html.lower()
    for needle in ("<script", "<img", "<svg", "<math", "<iframe", "<object", "<embed", "<base",
                   "<meta", "<form", "<style", "<link", "<input", "<details", "<video", "<body",
                   "<div", "<template", "<marquee", "<noscript"):  # fmt: skip
        assert needle not in lowered, (vector.id, html)
    for scheme in ("javascript:", "vbscript:", "data:"):
        assert f'href="{scheme}' not in lowered and f'src="{scheme}' not in lowered, html


@pytest.mark.parametrize(
    "source",
    [
        "[x](javascript:alert(1))", "[x](&#106;avascript:alert(1))", "[x](<JaVaScRiPt:alert(1)>)",
        "<javascript:alert(1)>", "![i](javascript:alert(1))", "![i](data:image/png;base64,AAAA)",
        "[r][x]\n\n[x]: VBSCRIPT:msgbox(1)", "[x](java&#x09;script:alert(1))",
    ],
)  # fmt: skip
def test_markdown_links_and_images_are_allow_listed(source: str) -> None:
    html = make_markdown().render(source)
    assert "href=" not in html and "src=" not in html, html


def test_allowed_links_still_render_and_lose_secret_parameters() -> None:
    html = make_markdown().render("[feed](https://x.org/f?a=1&access_token=abc123&b=2)")
    assert 'href="https://x.org/f?a=1&amp;b=2"' in html


def test_raw_html_is_text() -> None:
    html = make_markdown().render("<b>bold</b> <script>alert(1)</script>")
    assert "&lt;b&gt;" in html and "<script>" not in html


@pytest.mark.parametrize("secret", load_secrets(), ids=lambda s: s["id"])
def test_scrub_text_redacts_every_secret_family(secret: dict) -> None:
    from tests.build.test_secrets import find_secrets

    assert find_secrets(secret["text"]), f"the scanner must see {secret['id']}"
    assert not find_secrets(scrub_text(secret["text"])), scrub_text(secret["text"])


def test_scrub_url_drops_only_secret_parameters() -> None:
    assert (
        scrub_url("https://x.org/?keyword=a&token=b&author=c")
        == "https://x.org/?keyword=a&author=c"
    )
    assert scrub_url("https://x.org/?access_token=b") == "https://x.org/"
    assert scrub_url("https://x.org/p#access_token=b") == "https://x.org/p"


def test_bad_yaml_names_file_and_line(tmp_path: Path, reader, caplog) -> None:
    path = write(tmp_path, "---\ntitle: ok\ntags: [a, b\ndate: 2024-01-01\n---\nbody\n")
    with caplog.at_level(logging.ERROR), pytest.raises(FrontMatterError) as error:
        reader.read(path)
    assert str(error.value).startswith(f"{path}:")
    line = int(str(error.value).split(":")[1])
    assert 3 <= line <= 5, error.value
    assert any(path in record.getMessage() for record in caplog.records)


def test_wrong_types_are_reported_with_their_lines(tmp_path: Path, reader, caplog) -> None:
    path = write(tmp_path, "---\ntitle: Fine\ndate: 2024-01-01\ntags: 5\nguests: {a: 1}\n"
                 "language: 'en\" onfocus=\"x'\nepisode: [1]\n---\nbody\n")  # fmt: skip
    with caplog.at_level(logging.WARNING):
        _, meta = reader.read(path)
    messages = [record.getMessage() for record in caplog.records]
    for line, key in ((4, "tags"), (5, "guests"), (6, "language"), (7, "episode")):
        assert any(m.startswith(f"{path}:{line}: ") and key in m for m in messages), (key, messages)
        assert key not in meta
    assert meta["title"] == "Fine"


@pytest.mark.parametrize(
    ("front", "line"),
    [("title: [a, b]\ndate: 2024-01-01", 2), ("title: ok\ndate: not a date", 3)],
)
def test_unpublishable_fields_skip_the_file_with_file_line(tmp_path, reader, front, line) -> None:
    path = write(tmp_path, f"---\n{front}\n---\nbody\n")
    with pytest.raises(FrontMatterError, match=rf"^{path}:{line}: "):
        reader.read(path)


def test_unknown_keys_warn_and_pass_through(tmp_path: Path, reader, caplog) -> None:
    path = write(tmp_path, "---\ntitle: T\ndate: 2024-01-01\nsponsor: Acme\n---\nbody\n")
    with caplog.at_level(logging.WARNING):
        _, meta = reader.read(path)
    assert meta["sponsor"] == "Acme"
    assert any(r.getMessage().startswith(f"{path}:4: unknown") for r in caplog.records)


def test_attribute_values_are_validated(tmp_path: Path, reader) -> None:
    path = write(
        tmp_path,
        "---\ntitle: T\ndate: 2024-01-01\nslug: 'x\" onmouseover=\"alert(1)'\n"
        "links:\n  - {url: 'javascript:alert(1)', label: bad}\n"
        "  - {url: 'java\tscript:x', label: b}\n"
        "  - {url: 'https://ok.example/?token=abc&a=1', label: good}\n"
        "chapters:\n  - {time: '02:49', label: Intro}\n  - {time: '\"><b>', label: bad}\n---\n",
    )  # fmt: skip
    _, meta = reader.read(path)
    assert meta["slug"] == "x-onmouseover-alert-1"  # digest.slugs.slugify, as ingest names files
    assert meta["links"] == [{"url": "https://ok.example/?a=1", "label": "good"}]
    assert meta["chapters"] == [{"time": "02:49", "label": "Intro"}]


def test_metadata_contract(tmp_path: Path, reader) -> None:
    path = write(
        tmp_path,
        "---\ntitle: 'A <b> & B'\nslug: a-b\ndate: 2024-05-01\nshow: Some Show\ntags: [heroku]\n"
        "summary: 'x < y'\nguests: [Ada]\nlanguage: pt\nepisode: 12\ntruncated: true\n"
        "date_estimated: false\nsource: {file: d.txt, line: 3, sha256: abc}\n"
        "ingested: {x: 1}\n---\nBody with NUL\x00 and token "
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTYifQ.c2lnbmF0dXJlMTIz\n",
    )  # fmt: skip
    html, meta = reader.read(path)
    assert meta["title"] == "A <b> & B", "plain text: templates escape it"
    assert meta["summary"] == "x &lt; y" and meta["summary_text"] == "x < y"
    assert meta["show"] == "Some Show" and meta["category"].name == "Some Show"
    assert [t.name for t in meta["tags"]] == ["heroku"]
    assert meta["guests"] == ["Ada"] and meta["language"] == "pt" and meta["episode"] == 12
    assert meta["truncated"] is True and meta["date_estimated"] is False
    assert meta["source"]["line"] == 3 and "ingested" not in meta
    assert "\x00" not in html and "eyJ" not in html and "[redacted]" in html


def test_one_category_per_show_name_equal_to_its_own(tmp_path: Path, reader) -> None:
    """The reader shares one Category per show name: the same object for the same name, equal
    (same name, slug, URL) to the Category each file would have had; names that differ, even
    only in case (the same slug), keep their own object and name."""
    from pelican.urlwrappers import Category

    def read(name: str, show: str):
        text = f"---\ntitle: T\nslug: {name}\ndate: 2024-05-01\nshow: '{show}'\n---\nBody\n"
        return reader.read(write(tmp_path, text, f"{name}.md"))[1]["category"]

    first, second = read("a", "Code[ish]"), read("b", "Code[ish]")
    other = read("c", "code[ish]")
    assert first is second and other is not first
    own = Category("Code[ish]", reader.settings)
    assert (first.name, first.slug, first.url) == (own.name, own.slug, own.url)
    assert other.name == "code[ish]" and other.slug == own.slug


def test_split_front_matter_reports_body_line() -> None:
    front, body, line, _ = split_front_matter("---\na: 1\n---\nhello\n")
    assert front == {"a": 1} and body == "hello\n" and line == 4


@pytest.mark.parametrize("chunk", [1, 4])
def test_parallel_reads_match_the_reader_and_keep_file_line_problems(
    tmp_path: Path, chunk: int, caplog
) -> None:
    """Pool results are exactly what the reader computes itself, problems included."""
    from plugins.markdown_reader.markdown_reader import Prefetch, read_source

    paths = [
        write(
            tmp_path, f"---\ntitle: T{n}\ndate: 2024-01-0{n}\ntags: 5\n---\n*body* {n}\n", f"{n}.md"
        )
        for n in range(1, 6)
    ]
    paths.append(write(tmp_path, "---\ntitle: [a\n---\nbody\n", "broken.md"))
    prefetch = Prefetch(paths, 2, chunk=chunk)
    try:
        md = make_markdown()
        with caplog.at_level(logging.WARNING):
            for path in reversed(paths):  # any order Pelican asks in
                assert prefetch.take(path) == read_source(path, md)
        assert prefetch.served == len(paths)
        assert not caplog.records, "the pool must not have failed over to in-process reading"
    finally:
        prefetch.close()


def test_worker_stamps_are_pelicans_file_stamps(tmp_path: Path) -> None:
    """A worker stamps each file it read exactly as Pelican's content cache does (md5 of the
    bytes), CRLF and all; the memo then takes that stamp instead of reading the file again."""
    from pelican.cache import FileStampDataCacher

    from plugins.markdown_reader.markdown_reader import Prefetch, StampMemo, read_source

    settings = {**DEFAULT_CONFIG, "CHECK_MODIFIED_METHOD": "md5", "CACHE_PATH": str(tmp_path)}
    pelican_stamp = FileStampDataCacher(settings, "x", False, False)._filestamp_func
    paths = [
        write(tmp_path, f"---\ntitle: T{n}\ndate: 2024-01-0{n}\n---\n*body* {n}\n", f"{n}.md")
        for n in range(1, 4)
    ]
    crlf = tmp_path / "crlf.md"
    crlf.write_bytes(b"---\r\ntitle: C\r\ndate: 2024-01-09\r\n---\r\nline\rnext\r\n")
    paths.append(str(crlf))
    prefetch = Prefetch(paths, 2, chunk=1, method="md5")
    calls = []
    memo = StampMemo(lambda name: calls.append(name) or pelican_stamp(name))
    memo.prefetch = prefetch
    try:
        md = make_markdown()
        for path in paths:
            assert memo(path) == pelican_stamp(path)
            assert prefetch.take(path) == read_source(path, md)
        assert calls == [], "every stamp came from the workers"
        other = write(tmp_path, "not prefetched\n", "other.md")
        assert memo(other) == memo(other) == pelican_stamp(other)
        assert calls == [other], "a file no worker read is stamped here, once"
    finally:
        prefetch.close()


def test_a_stuck_worker_does_not_hang_the_build(tmp_path: Path, monkeypatch) -> None:
    """A worker that never answers (here: blocked opening a FIFO) is given up on, not awaited."""
    import os

    from plugins.markdown_reader import markdown_reader
    from plugins.markdown_reader.markdown_reader import Prefetch

    monkeypatch.setattr(markdown_reader, "RESULT_TIMEOUT_S", 1)
    fifo = str(tmp_path / "stuck.md")
    os.mkfifo(fifo)
    good = write(tmp_path, "---\ntitle: T\ndate: 2024-01-01\n---\nbody\n", "good.md")
    prefetch = Prefetch([fifo, good], 1)
    try:
        assert prefetch.take(good) is None, "the reader then reads the file itself"
    finally:
        prefetch.close(terminate=True)
    reader = MarkdownItReader(dict(DEFAULT_CONFIG))
    reader.prefetch = prefetch
    html, meta = reader.read(good)
    assert meta["title"] == "T" and "body" in html and reader.reads == 1
