"""Responsive: nothing scrolls sideways at 320 px, and the layout uses wide screens sensibly."""

from __future__ import annotations

import pytest

from tests.browser.conftest import ServedSite

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", [320, 1440])
def test_no_horizontal_scrolling(browser, served_site: ServedSite, width: int) -> None:
    context = browser.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    wide = []
    try:
        for name, path in served_site.pages().items():
            page.goto(served_site.base + path)
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
            )
            if scroll > client:
                culprits = page.evaluate(
                    "[...document.querySelectorAll('body *')].filter(e => "
                    "e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)"
                    ".slice(0, 3).map(e => e.tagName + '.' + e.className)"
                )
                wide.append(f"{name}: {scroll}px > {client}px ({culprits})")
    finally:
        context.close()
    assert not wide, "\n".join(wide)


def test_reading_column_is_bounded_on_wide_screens(browser, served_site: ServedSite) -> None:
    context = browser.new_context(viewport={"width": 1920, "height": 900})
    page = context.new_page()
    page.goto(served_site.base + served_site.pages()["episode"])
    width = page.evaluate("document.querySelector('main').getBoundingClientRect().width")
    context.close()
    assert 600 <= width <= 960, f"main column is {width}px wide at 1920px"
