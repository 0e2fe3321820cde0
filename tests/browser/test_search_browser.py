"""A reader types a query into the search box in Chromium and finds the right episode."""

from __future__ import annotations

import pytest

from tests.conftest import BuiltSite, serve

pytestmark = pytest.mark.browser


def test_typing_a_query_shows_the_matching_episode(sample_site: BuiltSite, browser) -> None:
    with serve(sample_site.output) as base:
        page = browser.new_page()
        requests: list[str] = []
        page.on("request", lambda request: requests.append(request.url))
        page.goto(f"{base}/")
        assert not [url for url in requests if "/search/" in url], "nothing fetched before focus"
        page.fill("#search-input", "incident")
        first = page.locator("#search-results li a").first
        first.wait_for(timeout=10_000)
        assert "Incident" in first.inner_text() or "incident" in first.get_attribute("href")
        first.click()
        page.wait_for_load_state()
        assert "/episodes/" in page.url
        page.close()
