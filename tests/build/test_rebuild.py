"""Rebuilds (issue 9): what the build caches (fast_build's render cache, Jinja bytecode, the
search index's term counts and files, related episodes' text matrix and ranking) must never
serve bytes a clean build of the same inputs would not write.

Real Pelican builds of the sample slice, with Pelican's content cache on as in pelicanconf.py.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

from tests.conftest import (
    ROOT,
    assert_same_site,
    build_warm,
    ingested_sample_slice,
    site_tree,
)


@pytest.fixture(scope="module")
def content(tmp_path_factory: pytest.TempPathFactory) -> Path:
    content = ingested_sample_slice(tmp_path_factory.mktemp("rebuild"))
    return content


def test_warm_rebuild_rewrites_no_file_and_renders_no_page(content, tmp_path):
    output = tmp_path / "out"
    build_warm(content, output)
    stamps = {p: p.stat().st_mtime_ns for p in output.rglob("*") if p.is_file()}
    cache = tmp_path / "cache"
    keys = pickle.loads((cache / "fast_build_render.pickle").read_bytes())["pages"]
    build_warm(content, output)
    touched = [
        str(p) for p in stamps if p.name != "sitemap.xml" and p.stat().st_mtime_ns != stamps[p]
    ]
    assert not touched, touched[:5]
    # every page was vouched for by its key (same key, same file): nothing was rendered
    assert pickle.loads((cache / "fast_build_render.pickle").read_bytes())["pages"] == keys
    assert (cache / "search_index.pickle").exists() and (cache / "related.pickle").exists()


def test_rebuild_after_template_change_matches_clean_build(content, tmp_path):
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    output = tmp_path / "out"
    build_warm(content, output, THEME=f'"{theme}"')
    chips = theme / "templates" / "_topic_chips.html"
    chips.write_text(chips.read_text().replace('class="chips"', 'class="chips topics"'))
    build_warm(content, output, THEME=f'"{theme}"')
    rebuilt = site_tree(output)
    assert any(b'class="chips topics"' in data for data in rebuilt.values())
    clean = tmp_path / "clean" / "out"
    build_warm(content, clean, THEME=f'"{theme}"')
    assert_same_site(site_tree(clean), rebuilt)


def test_rebuild_after_setting_change_matches_clean_build(content, tmp_path):
    """RELATED_MAX changes the related episodes (related's cached ranking) and every article
    page (the render cache); SEARCH_SUMMARY_CHARS changes only the search store."""
    output = tmp_path / "out"
    build_warm(content, output)
    changed = {"RELATED_MAX": "2", "SEARCH_SUMMARY_CHARS": "40"}
    build_warm(content, output, **changed)
    clean = tmp_path / "clean" / "out"
    build_warm(content, clean, **changed)
    assert_same_site(site_tree(clean), site_tree(output))
    build_warm(content, tmp_path / "default" / "out")
    assert site_tree(tmp_path / "default" / "out") != site_tree(clean)


def test_search_record_key_covers_every_field():
    """The search cache reuses an episode's term counts only under the same key: a field the
    key left out would let an edit keep serving the old counts."""
    import dataclasses

    from plugins.search_index.compact import FieldSpec
    from plugins.search_index.search_index import SearchRecord, TopicInfo, record_key

    fields = [FieldSpec("title", 10), FieldSpec("body")]
    base = SearchRecord(
        title="t", url="u/", date="2024-01-01", show="s", show_url="s/",
        topics=[TopicInfo("k8s", "Kubernetes", "topics/k8s/", ("kube",))],
        guests=["g"], summary="sum", body="body",
    )  # fmt: skip
    key = record_key(base, fields, 600)
    for f in dataclasses.fields(SearchRecord):
        value = getattr(base, f.name)
        if f.name == "topics":
            other = [TopicInfo("k8s", "Kubernetes", "topics/k8s/", ("kube", "k8s"))]
        elif isinstance(value, list):
            other = [*value, "x"]
        else:
            other = value + "x"
        assert record_key(dataclasses.replace(base, **{f.name: other}), fields, 600) != key
    assert record_key(base, fields, 601) != key
    assert record_key(base, [FieldSpec("title", 9), FieldSpec("body")], 600) != key


def test_text_openings_equal_stripping_the_whole_html():
    """related and seo read only the opening of an episode's HTML; the shortcut must give
    exactly what stripping the whole page gave (stray ``<``/``>``, entities, whitespace)."""
    import random

    from plugins.related.related import _TAGS, _text_opening
    from plugins.seo.seo import _plain, _plain_opening

    rng = random.Random(7)
    parts = ["<p>", "</p>", " ", "  ", "\n", "word", "é", "<a href='x'>", "</a>", "&amp;",
             "<br>", "\t", "text more", "<", ">", "<<"]  # fmt: skip
    for _ in range(3000):
        html = "".join(rng.choice(parts) for _ in range(rng.randint(0, 3000)))
        n = rng.randint(0, 500)
        assert _text_opening(html, n) == _TAGS.sub(" ", html)[:n]
        assert _plain_opening(html, n) == _plain(html)[:n]


def test_template_analysis_flags_what_it_cannot_see():
    """The render cache leaves an article's unread references out of a page's key only when
    the templates show every attribute read: a helper that does not declare its reads, or an
    attribute named by a variable, makes the template opaque (everything tracked)."""
    from jinja2 import DictLoader, Environment

    from plugins.fast_build.render_cache import template_names

    def helper(article):
        return article

    def declared(article):
        return article

    declared.fast_build_reads = frozenset({"title"})
    env = Environment(
        loader=DictLoader(
            {
                "helper.html": "{{ helper(article) }}",
                "declared.html": "{{ declared(article) }}"
                "{% for r in article.related_episodes %}{{ r.url }}{% endfor %}",
                "item.html": "{{ article[key] }}",
                "map.html": "{{ article.tags|map(attribute=key)|join }}",
                "chain.html": "{{ article.related_episodes[0].related_episodes }}",
            }
        )
    )
    env.globals.update(helper=helper, declared=declared)
    assert template_names(env, "helper.html", {})[2] is True
    _, attrs, opaque, through = template_names(env, "declared.html", {})
    assert not opaque and "title" in attrs and "title" in through
    # read on the page's own article only, not on an article reached through it
    assert "related_episodes" in attrs and "related_episodes" not in through
    assert template_names(env, "item.html", {})[2] is True
    assert template_names(env, "map.html", {})[2] is True
    _, _, opaque, through = template_names(env, "chain.html", {})
    assert not opaque and "related_episodes" in through


def test_macro_parameters_are_bound_in_the_macro_only():
    """A macro's parameter named like a page variable (the theme's ``topic_chips(article)``)
    reads an entity that may be reached through another one, inside the macro only: what the
    page reads on its own ``article`` outside it stays direct, so a related episode's own
    related list is not part of an episode page's key. ``with`` targets and loop variables
    stay bound everywhere."""
    from jinja2 import DictLoader, Environment

    from plugins.fast_build.render_cache import template_names

    env = Environment(
        loader=DictLoader(
            {
                "chips.html": "{% macro chips(article) %}{{ article.tags }}{% endmacro %}",
                "page.html": '{% from "chips.html" import chips %}'
                "{{ article.related_episodes }}{{ chips(article.related_episodes[0]) }}",
                "call.html": "{% macro card(x) %}{{ caller(x) }}{% endmacro %}"
                "{% call(article) card(article.previous_episode) %}{{ article.summary }}"
                "{% endcall %}{{ article.next_episode }}",
                "with.html": "{% with article = article.previous_episode %}{{ article.title }}"
                "{% endwith %}{{ article.related_episodes }}",
            }
        )
    )
    _, attrs, opaque, through = template_names(env, "page.html", {})
    assert not opaque and "related_episodes" in attrs
    assert "tags" in through and "related_episodes" not in through
    _, _, opaque, through = template_names(env, "call.html", {})
    assert not opaque and "summary" in through and "next_episode" not in through
    # a ``with`` target rebinds the name for the whole analysis (conservative)
    _, _, opaque, through = template_names(env, "with.html", {})
    assert not opaque and {"title", "related_episodes"} <= through


def test_archive_templates_read_no_topic_of_an_episode():
    """The archive pages show no episode's topics: their templates must not name ``tags`` or
    a topic's attributes (``count``, ``related`` …), or the render cache would re-render every
    archive page when one episode's topics change."""
    from jinja2 import Environment, FileSystemLoader

    from plugins.fast_build.render_cache import template_names

    env = Environment(loader=FileSystemLoader(str(ROOT / "theme" / "templates")))
    for name in ("archives.html", "period_archives.html"):
        names, attrs, opaque, _ = template_names(env, name, {})
        assert not opaque, name
        assert not {"tags", "count", "related", "description", "in_taxonomy"} & attrs, name
        assert "period_archives" not in names, name  # every article, with its topics


def test_tag_edit_rebuild_matches_clean_build_and_skips_other_archive_pages(content, tmp_path):
    pages = {"DEFAULT_PAGINATION": "2"}  # archive pages without the edited episode
    edited = tmp_path / "content"
    shutil.copytree(content, edited)
    output = tmp_path / "out"
    build_warm(edited, output, **pages)
    cache = tmp_path / "cache"
    before = pickle.loads((cache / "fast_build_render.pickle").read_bytes())["pages"]
    episodes = sorted((edited / "episodes").glob("*.md"))
    tags = [line for path in episodes for line in path.read_text().splitlines()
            if line.startswith("- ")]  # fmt: skip
    episode = next(p for p in episodes if "\ntags:\n- " in p.read_text())
    text = episode.read_text()
    first = text.split("\ntags:\n", 1)[1].splitlines()[0]
    other = next(line for line in tags if line != first and line not in text)
    episode.write_text(text.replace(f"\ntags:\n{first}\n", f"\ntags:\n{other}\n", 1))
    build_warm(edited, output, **pages)
    rebuilt = site_tree(output)
    clean = tmp_path / "clean" / "out"
    build_warm(edited, clean, **pages)
    assert_same_site(site_tree(clean), rebuilt)
    after = pickle.loads((cache / "fast_build_render.pickle").read_bytes())["pages"]
    archive = [path for path in after if Path(path).relative_to(output).parts[0] == "archive"]
    changed = {path for path in archive if after[path][0] != before.get(path, (None,))[0]}
    slug = next(line.split(":", 1)[1].strip() for line in text.splitlines()
                if line.startswith("slug:"))  # fmt: skip
    listing = {path for path in archive if slug.encode() in Path(path).read_bytes()}

    # A listing page's key covers its neighbours' pages (articles_previous_page / _next_page):
    # re-rendered are the archive pages that list the edited episode and their neighbours.
    def number(path: str) -> int:
        parts = Path(path).relative_to(output / "archive").parts
        return int(parts[1]) if parts[0] == "page" else 1

    paginated = {
        path for path in archive if Path(path).relative_to(output / "archive").parts[0] in
        ("page", "index.html")
    }  # fmt: skip
    near = {n + step for n in map(number, listing & paginated) for step in (-1, 0, 1)}
    allowed = listing | {path for path in paginated if number(path) in near}
    assert changed <= allowed, sorted(changed - allowed)[:5]
    assert len(paginated) > len(allowed & paginated)


def test_related_tokenises_only_changed_episodes_and_ranks_as_uncached(tmp_path, monkeypatch):
    """related keeps each episode's tokens under a digest of its text: a rebuild tokenises only
    the episodes whose title, summary or opening changed, and ranks as a cache-less build."""
    from types import SimpleNamespace

    from plugins.related import related

    words = ["kubernetes cluster", "python typing", "rust memory", "kubernetes operators"]

    def generator(cache: bool, edited: str = "") -> SimpleNamespace:
        articles = [
            SimpleNamespace(
                title=f"Episode {i} {text}",
                summary_text=f"About {text} {edited if i == 1 else ''}",
                _content=f"<p>{text} in depth</p>", slug=f"e{i}", date=i,
                tags=[SimpleNamespace(slug=text.split()[0])],
            )
            for i, text in enumerate(words)
        ]  # fmt: skip
        settings = {"CACHE_PATH": str(tmp_path / "cache"), "RELATED_CACHE": cache}
        return SimpleNamespace(settings=settings, articles=articles)

    def related_slugs(gen) -> list[list[str]]:
        return [[r.slug for r in a.related_episodes] for a in gen.articles]

    calls: list[str] = []
    tokens = related._document_tokens
    monkeypatch.setattr(related, "_document_tokens", lambda *a: calls.append(a[0]) or tokens(*a))
    related.link_episodes(generator(True))
    assert len(calls) == len(words)
    calls.clear()
    gen = generator(True, edited="memory safety")
    related.link_episodes(gen)
    assert calls == ["Episode 1 python typing"]
    uncached = generator(False, edited="memory safety")
    related.link_episodes(uncached)
    assert related_slugs(gen) == related_slugs(uncached)
