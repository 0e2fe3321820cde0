"""Accessibility with axe-core in Chromium (light and dark), plus what axe cannot see:
skip link, landmarks, visible focus, heading order and reduced motion."""

from __future__ import annotations

import itertools

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.browser.conftest import ServedSite

pytestmark = pytest.mark.browser
AXE_PAGES = ["home", "episode", "topic", "topics", "search", "stats", "show", "archive"]


@pytest.fixture(scope="module")
def axe() -> Axe:
    return Axe()


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violations(browser, served_site: ServedSite, axe: Axe, scheme: str) -> None:
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    page.emulate_media(color_scheme=scheme)
    problems = []
    try:
        pages = served_site.pages()
        for name in AXE_PAGES:
            page.goto(served_site.base + pages[name])
            assert page.evaluate(f"matchMedia('(prefers-color-scheme: {scheme})').matches"), (
                "colour scheme emulated"
            )
            results = axe.run(page)
            for violation in results.response["violations"]:
                targets = [node["target"] for node in violation["nodes"]][:3]
                problems.append(f"{name}: {violation['id']} ({violation['help']}) at {targets}")
    finally:
        context.close()
    assert not problems, "\n".join(problems)


def test_axe_would_report_a_violation(browser, served_site: ServedSite, axe: Axe) -> None:
    page = browser.new_page()
    page.goto(served_site.base + "/")
    page.evaluate(
        "() => { const a = document.createElement('a'); a.href = '#'; "
        "document.querySelector('main').appendChild(a); }"
    )
    ids = {v["id"] for v in axe.run(page).response["violations"]}
    page.close()
    assert "link-name" in ids, "axe runs and reports an empty link"


def test_skip_link_landmarks_focus_and_headings(browser, served_site: ServedSite) -> None:
    page = browser.new_page()
    pages = served_site.pages()
    try:
        for name in ["home", "episode", "topic", "topics", "search", "stats", "about", "archive"]:
            page.goto(served_site.base + pages[name])
            assert page.locator("header.site-header").count() == 1
            assert page.locator("main#main").count() == 1
            assert page.locator("footer").count() >= 1
            assert page.locator("nav[aria-label='Main']").count() == 1
            assert page.locator("main h1").count() == 1, f"{name}: one h1"
            levels = page.evaluate(
                "[...document.querySelectorAll('main h1, main h2, main h3, main h4, main h5,"
                " main h6')].map(h => +h.tagName[1])"
            )
            for before, after in itertools.pairwise(levels):
                assert after <= before + 1, f"{name}: heading h{before} then h{after}"
            # The first Tab reaches the skip link, which is then visible and jumps to <main>.
            page.keyboard.press("Tab")
            focused = page.evaluate("document.activeElement.className")
            assert focused == "skip-link", f"{name}: first Tab lands on {focused!r}"
            box = page.locator(".skip-link").bounding_box()
            assert box and box["y"] >= 0, f"{name}: focused skip link is on screen"
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline != "none", f"{name}: focus is visible"
            page.keyboard.press("Enter")
            assert page.evaluate("location.hash") == "#main"
            # Any focused link shows an outline.
            page.keyboard.press("Tab")
            style = page.evaluate(
                "(() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.outlineWidth]; })()"
            )
            assert style[0] != "none" and style[1] != "0px", f"{name}: visible focus {style}"
    finally:
        page.close()


def test_reduced_motion_is_respected(browser, served_site: ServedSite) -> None:
    context = browser.new_context(reduced_motion="reduce")
    page = context.new_page()
    page.goto(served_site.base + "/")
    durations = page.evaluate(
        "[...document.querySelectorAll('a, .card')].map(e => getComputedStyle(e)"
        ".transitionDuration)"
    )
    behaviour = page.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
    context.close()
    assert durations and all(d in ("0s", "0s, 0s, 0s") for d in durations), set(durations)
    assert behaviour == "auto"
