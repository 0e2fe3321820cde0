"""Fast and private: every request goes to the site itself; reading works without JavaScript."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.browser.conftest import ServedSite

pytestmark = pytest.mark.browser


def test_no_request_leaves_the_site(browser, served_site: ServedSite) -> None:
    context = browser.new_context()
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    try:
        for path in served_site.pages().values():
            page.goto(served_site.base + path, wait_until="load")
        # Searching loads the index, lunr and the worker: those must be local too.
        page.goto(served_site.base + "/", wait_until="networkidle")
        page.fill("#search-input", "heroku")
        page.wait_for_timeout(1500)
    finally:
        context.close()
    own = urlsplit(served_site.base).netloc
    assert len(requests) > len(served_site.pages()), "requests were recorded"
    foreign = sorted({url for url in requests if urlsplit(url).netloc not in (own, "")})
    assert not [u for u in foreign if not u.startswith(("data:", "blob:"))], foreign


def test_reading_works_without_javascript(browser, served_site: ServedSite) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto(served_site.base + "/")
        assert page.evaluate("1 + 1") == 2  # evaluate still works from the driver side
        first = page.locator("main .card-title a").first
        title = first.inner_text()
        first.click()
        page.wait_for_load_state()
        assert "/episodes/" in page.url
        assert page.locator("main h1").inner_text() == title
        assert page.locator("main .notes").inner_text().strip()
        chip = page.locator("main .episode-header .chips a").first
        if chip.count():
            chip.click()
            page.wait_for_load_state()
            assert "/topics/" in page.url
            assert page.locator("main .card").count() >= 1
        page.goto(served_site.base + "/stats/")
        assert page.locator("main svg.chart").count() == 4
        page.locator("main details.data summary").first.click()
        assert page.locator("main details.data table").first.is_visible()
        page.goto(served_site.base + "/search/?q=heroku")
        assert page.locator("main a[href*='topics']").count() >= 1, "no-JS search page helps"
    finally:
        context.close()
