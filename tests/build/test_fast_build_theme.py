"""The theme's list partials are macros (an ``{% include %}`` in a loop copied the page's whole
context for every card, row and chip list: ~200,000 copies in a 10,000-episode build). They must
give exactly the bytes the include-based partials gave, which are kept here verbatim as the
reference; and fast_build's other run-time switches (when the second process starts, the frozen
heap) must keep their promises.
"""

from __future__ import annotations

import gc
from datetime import datetime
from types import SimpleNamespace

import pytest
from jinja2 import ChoiceLoader, DictLoader, Environment, FileSystemLoader

from tests.conftest import ROOT

# The partials as they were before the macros (commit 264029e), only renamed.
REFERENCE = {
    "ref_card.html": (
        "{# One episode in a list. `heading` sets the title's level (default h2). #}\n"
        '{% set level = heading|default("h2") %}\n'
        '<article class="card"{% if article.language and article.language != DEFAULT_LANG %}'
        ' lang="{{ article.language }}"{% endif %}>\n'
        '  <{{ level }} class="card-title"><a href="{{ SITEURL }}/{{ article.url }}">'
        "{{ article.title }}</a></{{ level }}>\n"
        '  {% include "ref_meta.html" %}\n'
        '  {% if article.summary_text %}<p class="card-summary">'
        '{{ article.summary_text|truncate(260, end="…") }}</p>{% endif %}\n'
        '  {% if article.tags %}{% include "ref_chips.html" %}{% endif %}\n'
        "</article>\n"
    ),
    "ref_meta.html": (
        '<p class="meta">\n'
        '  {%- if article.show %}<a class="show" href="{{ SITEURL }}/{{ article.category.url }}">'
        "{{ article.category.name }}</a>{% if article.episode is not none and article.episode is"
        ' defined %} <span class="ep-no">#{{ article.episode }}</span>{% endif %}'
        '<span class="sep" aria-hidden="true"> · </span>{% endif -%}\n'
        '  {%- if article.date_estimated %}<span class="date-unknown">Date unknown</span>'
        '{% else %}<time datetime="{{ article.date.strftime("%Y-%m-%d") }}">'
        "{{ article.locale_date }}</time>{% endif -%}\n"
        '  {%- if article.guests %}<span class="sep" aria-hidden="true"> · </span>'
        '<span class="guests">With {{ article.guests|join(", ") }}</span>{% endif -%}\n'
        "</p>\n"
    ),
    "ref_chips.html": (
        '<ul class="chips" aria-label="Topics">{% for topic in article.tags %}<li><a href="'
        '{{ SITEURL }}/{{ topic.url }}">{{ topic.name }}</a></li>{% endfor %}</ul>\n'
    ),
    "ref_row.html": (
        "<li{% if article.language and article.language != DEFAULT_LANG %}"
        ' lang="{{ article.language }}"{% endif %}>{% if article.date_estimated %}'
        '<span class="row-date date-unknown">Date unknown</span>{% else %}'
        '<time class="row-date" datetime="{{ article.date.strftime("%Y-%m-%d") }}">'
        '{{ article.date.strftime("%d %b") }}</time>{% endif %} <a href="{{ SITEURL }}/'
        '{{ article.url }}">{{ article.title }}</a>{% if article.show %} <span class="meta">'
        "{{ article.category.name }}</span>{% endif %}</li>\n"
    ),
    # callers, as the page templates call them (in a loop, on one line)
    "old_cards.html": '{% for article in articles %}{% include "ref_card.html" %}{% endfor %}',
    "new_cards.html": (
        '{% from "_episode_card.html" import episode_card %}\n'
        "{% for article in articles %}{{ episode_card(article, SITEURL, DEFAULT_LANG, heading) }}"
        "{% endfor %}"
    ),
    "old_rows.html": '{% for article in articles %}{% include "ref_row.html" %}{% endfor %}',
    "new_rows.html": (
        '{% from "_episode_row.html" import episode_row %}\n'
        "{% for article in articles %}{{ episode_row(article, SITEURL, DEFAULT_LANG) }}"
        "{% endfor %}"
    ),
    "old_chips.html": "{% for article in articles %}  "
    '{% if article.tags %}{% include "ref_chips.html" %}{% endif %}\n{% endfor %}',
    "new_chips.html": '{% from "_topic_chips.html" import topic_chips %}\n'
    "{% for article in articles %}  "
    "{% if article.tags %}{{ topic_chips(article, SITEURL) }}{% endif %}\n{% endfor %}",
}


def _environment() -> Environment:
    from pelican.settings import read_settings

    options = dict(read_settings(str(ROOT / "pelicanconf.py"))["JINJA_ENVIRONMENT"])
    options.pop("bytecode_cache", None)
    loader = ChoiceLoader(
        [DictLoader(REFERENCE), FileSystemLoader(str(ROOT / "theme" / "templates"))]
    )
    return Environment(loader=loader, **options)


def _wrapper(name: str) -> SimpleNamespace:
    return SimpleNamespace(name=name, url=f"topics/{name.lower()}/")


def _articles() -> list[SimpleNamespace]:
    base = {
        "url": "episodes/a/",
        "title": "Fir <GA> & you",
        "date": datetime(2024, 3, 5),
        "locale_date": "5 March 2024",
        "date_estimated": False,
    }
    show = {"show": "Code[ish]", "category": _wrapper("Code[ish]")}
    return [
        SimpleNamespace(**base),
        SimpleNamespace(**base, **show, episode=42, guests=["Ann", "Bo & Co"], language="de"),
        SimpleNamespace(**base, **show, episode=None, language="en", tags=[]),
        SimpleNamespace(
            **{**base, "date_estimated": True},
            **show,
            summary_text="word " * 80,
            tags=[_wrapper("Kubernetes"), _wrapper("DX")],
            guests=[],
        ),
        SimpleNamespace(**base, summary_text="short <b>", tags=[_wrapper("Heroku")], episode=0),
    ]


@pytest.mark.parametrize("heading", [None, "h3"])
@pytest.mark.parametrize("kind", ["cards", "rows", "chips"])
def test_list_macros_give_the_include_partials_bytes(kind, heading):
    env = _environment()
    context = {"articles": _articles(), "SITEURL": "../..", "DEFAULT_LANG": "en"}
    if heading:
        context["heading"] = heading
    expected = env.get_template(f"old_{kind}.html").render(context)
    assert "<li" in expected or "<article" in expected
    assert env.get_template(f"new_{kind}.html").render(context) == expected


def test_second_process_starts_after_one_page_only_in_a_clean_build(tmp_path):
    """With no page recorded by an earlier build, every page will be rendered: the second
    process starts after the first; otherwise after ``DEFAULT_FORK_AFTER`` rendered pages, and
    ``FAST_BUILD_FORK_AFTER`` overrides both."""
    from pelican.settings import DEFAULT_CONFIG

    from plugins.fast_build.fast_build import DEFAULT_FORK_AFTER, FastWriter, _writers

    settings = {**DEFAULT_CONFIG, "CACHE_PATH": str(tmp_path)}
    writer = FastWriter(str(tmp_path / "out"), settings=settings)
    _writers.remove(writer)
    assert writer.fork_after_now() == 1
    writer.render_cache.previous = {"x/index.html": ("key", 1, 1)}
    assert writer.fork_after_now() == DEFAULT_FORK_AFTER
    settings["FAST_BUILD_FORK_AFTER"] = 7
    other = FastWriter(str(tmp_path / "out"), settings=settings)
    _writers.remove(other)
    assert other.fork_after_now() == 7


def test_heap_frozen_after_reading_is_thawed_at_the_end_of_the_build():
    """The frozen heap and the rarer full collections end with the build (an autoreloading
    ``make serve`` builds again in the same process)."""
    from plugins.fast_build import fast_build

    assert gc.get_freeze_count() == 0
    threshold = gc.get_threshold()
    generator = SimpleNamespace(settings={"FAST_BUILD_GC_FREEZE": False})
    fast_build.freeze_after_reading(generator)
    assert gc.get_freeze_count() == 0
    generator.settings = {}
    try:
        fast_build.freeze_after_reading(generator)
        fast_build.freeze_heap()  # again, when the second process starts
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold()[2] >= fast_build.FULL_COLLECTION_EVERY
    finally:
        fast_build.finalized(None)
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == threshold
