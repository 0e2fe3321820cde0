"""fast_build's ``process_translations`` patch gives what Pelican 4.12.0's own function gives:
the same originals in the same order, the same translations, the same ``translations``
attribute on every item, and the same warnings; it only skips Pelican's quadratic search when
no item has a translation.
"""

from __future__ import annotations

import logging
import random
from types import SimpleNamespace

import pytest
from pelican.utils import process_translations

from plugins.fast_build.patches import fast_process_translations


def _items(specs: list[tuple[str, str, dict]], run: str) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(
            slug=slug,
            lang=lang,
            metadata=meta,
            in_default_lang=lang == "en",
            source_path=f"{run}/{slug}-{lang}-{n}.md",
            n=n,
        )
        for n, (slug, lang, meta) in enumerate(specs)
    ]


def _run(function, specs, caplog, run: str) -> tuple:
    # Pelican logs a repeated warning once (its LimitFilter): each run names its own files.
    items = _items(specs, run)
    random.Random(7).shuffle(items)
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        index, translations = function(items, "slug")
    return (
        [x.n for x in index],
        [x.n for x in translations],
        [x.n for x in items],  # sorted in place
        {x.n: [t.n for t in x.translations] for x in items},
        [r.getMessage().replace(run, "") for r in caplog.records],
    )


CASES = {
    "no translations": [(f"s{i % 7}{i}", "en", {}) for i in range(40)],
    "one translated": [("a", "en", {}), ("a", "de", {}), ("b", "en", {}), ("c", "fr", {})],
    "flagged": [("a", "en", {}), ("b", "en", {"translation": "true"}), ("c", "en", {})],
    "same slug twice": [("a", "en", {}), ("a", "en", {}), ("b", "en", {})],
}


@pytest.mark.parametrize("case", CASES)
def test_translations_patch_matches_pelican(case, caplog):
    calls = []

    def original(content_list, translation_id=None):
        calls.append(1)
        return process_translations(content_list, translation_id)

    fast = fast_process_translations(original)
    expected = _run(process_translations, CASES[case], caplog, f"pelican-{case}")
    assert _run(fast, CASES[case], caplog, f"fast-{case}") == expected
    # Pelican's own function still handles every case but the first
    assert bool(calls) == (case != "no translations")


def test_relative_source_path_memo_matches_pelican(tmp_path, monkeypatch):
    """Same value as Pelican's method for relative and absolute source paths, per content
    root (one memo serves objects of different roots), and with a relative root (not
    remembered: it depends on the working directory)."""
    from pelican.contents import Content

    from plugins.fast_build.patches import memo_relative_source_path

    original = Content.get_relative_source_path
    original = getattr(original, "__wrapped__", original)
    fast = memo_relative_source_path(original)
    roots = [str(tmp_path / "content"), str(tmp_path / "other" / "content"), "content"]
    paths = [None, "episodes/a.md", str(tmp_path / "content" / "episodes" / "b.md"),
             str(tmp_path / "elsewhere" / "c.md"), "pages/../pages/about.md"]  # fmt: skip
    for cwd in (tmp_path, tmp_path / "other"):
        cwd.mkdir(exist_ok=True)
        monkeypatch.chdir(cwd)
        for _ in range(2):  # the second round is served by the memo
            for root in roots:
                for own in ("episodes/own.md", None):
                    item = SimpleNamespace(settings={"PATH": root}, source_path=own)
                    for path in paths:
                        assert fast(item, path) == original(item, path), (cwd, root, own, path)


def test_sitemap_dates_match_pelican_sitemap():
    """The sitemap's ``lastmod`` of a ``SafeDatetime`` (naive, UTC, other offsets, DST fold,
    years before 1000) is pelican-sitemap's text for it; a plain datetime and anything else go
    to pelican-sitemap's function unchanged."""
    import datetime
    from zoneinfo import ZoneInfo

    from pelican.plugins.sitemap import sitemap
    from pelican.utils import SafeDatetime

    from plugins.fast_build.patches import plain_dates

    original = getattr(sitemap.format_date, "__wrapped__", sitemap.format_date)
    fast = plain_dates(original)
    offset = datetime.timezone(datetime.timedelta(hours=-3, minutes=-30))
    zones = [None, datetime.UTC, offset, ZoneInfo("Europe/Paris"), ZoneInfo("America/New_York")]
    seen = 0
    for year in (1, 45, 999, 1970, 2024, 9999):
        for month, day, hour, fold in ((1, 5, 3, 0), (11, 3, 1, 1), (12, 31, 23, 0)):
            for zone in zones:
                date = SafeDatetime(year, month, day, hour, 7, 9, 123, tzinfo=zone, fold=fold)
                try:
                    expected = original(date)
                except (ValueError, OverflowError):  # no offset for that year in that zone
                    continue
                assert fast(date) == expected, date
                plain = datetime.datetime(year, month, day, hour, 7, 9, tzinfo=zone, fold=fold)
                assert fast(plain) == original(plain)
                seen += 1
    assert seen > 60


def test_slugify_memo_matches_pelican():
    """Same slug as Pelican's ``slugify`` for every name and option set, on a first call and
    when served by the memo (a Markup name and a str of the same text included)."""
    from markupsafe import Markup
    from pelican.settings import DEFAULT_CONFIG
    from pelican.utils import slugify

    from plugins.fast_build.patches import memo_slugify

    fast = memo_slugify(slugify)
    names = ["PaaS & DevEx Digest editors", "Kubernetes", "CI/CD", "Ünïcödé Façade", "C++",
             "<b>bold</b> name", Markup("<i>Tag</i> &amp; more"), "<i>Tag</i> &amp; more",
             "  spaced   out  ", "日本語 タグ", "", "---", "Ⅸ ligature ﬁ"]  # fmt: skip
    subs = [(), DEFAULT_CONFIG["SLUG_REGEX_SUBSTITUTIONS"], [["[^\\w]", "_"]], [(r"\s+", "+")]]
    for _ in range(2):
        for name in names:
            for regex_subs in subs:
                for preserve_case in (False, True):
                    for use_unicode in (False, True):
                        args = (name, regex_subs, preserve_case, use_unicode)
                        assert fast(*args) == slugify(*args), args


def test_fast_membership_filters_like_plain_lists(monkeypatch):
    """Tags', categories' and authors' article lists become identity-set lists with the same
    items in the same order, and Pelican's ``[a for a in dates if a in articles]`` gives the
    same articles as with plain lists (objects without ``__eq__``, as Pelican's articles)."""
    from plugins.fast_build import patches

    rng = random.Random(3)
    everything = [object() for _ in range(300)]
    dates = rng.sample(everything, len(everything))

    def pick() -> list:
        return [a for a in everything if rng.random() < 0.3]

    tags = {"t1": pick(), "t2": pick()}
    categories = [("c1", pick())]
    authors = [("editors", list(everything)), ("other", pick())]
    generator = SimpleNamespace(
        tags={k: list(v) for k, v in tags.items()},
        categories=[(k, list(v)) for k, v in categories],
        authors=[(k, list(v)) for k, v in authors],
    )
    monkeypatch.setitem(patches._state, "membership", True)
    patches.fast_membership(generator)
    fast = [*generator.tags.items(), *generator.categories, *generator.authors]
    plain = [*tags.items(), *categories, *authors]
    assert len(fast) == len(plain)
    for (name, lists), (same, reference) in zip(fast, plain, strict=True):
        assert name == same and type(lists) is patches.IdList and lists == reference
        assert [a for a in dates if a in lists] == [a for a in dates if a in reference]
    outsider = object()
    assert all(outsider not in lists for _, lists in fast)
