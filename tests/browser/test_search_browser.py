"""Search in Debian's Chromium: a table of queries ranks the expected episode first; keyboard
navigation, ?q= deep links, filters, no-results suggestions, hostile queries; the site served
under /some/subpath/; nothing fetched before focus; no CSP violation."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from playwright.sync_api import expect

from tests.build.test_search_site import build_search_site
from tests.conftest import BuiltSite, serve

pytestmark = pytest.mark.browser
PREFIX = "/some/subpath"

# query typed → slug of the episode that must rank first
RANKING = [
    ("vibe coding", "vibe-coding-at-heroku"),                 # title words
    ("vish abrams", "vibe-coding-at-heroku"),                 # guest
    ("betty junod", "heroku-fir-replatforming"),              # guest
    ("heroku fir", "heroku-fir-replatforming"),
    ("twelve factor", "twelve-factor-open-sourced"),
    ("12-factor", "twelve-factor-open-sourced"),              # alias with a hyphen
    ("Twelve-Factor", "twelve-factor-open-sourced"),
    ("k8s", "kubernetes-for-app-developers"),                 # alias → Kubernetes
    ("rails deploy", "deploying-rails-apps"),                 # vowel + y stem
    ("deploy rails.", "deploying-rails-apps"),                # trailing punctuation
    ("incident", "incident-response-at-scale"),
    ("opentelem", "observability-with-opentelemetry"),        # partial word
    ("tomas alvarez", "observability-with-opentelemetry"),    # accents folded
    ("Tomás", "observability-with-opentelemetry"),
    ("fly.io", "fly-io-and-the-edge"),
    ("postgres", "postgres-performance-tuning"),
    ("platform engineering", "platform-engineering-teams"),
    ("devex", "developer-experience-metrics"),                # alias
    ("phoenix liveview", "elixir-phoenix-production"),
    ("django", "django-on-a-paas"),
    ("spring boot", "spring-boot-on-the-jvm"),
    ("salesforce acquisition", "salesforce-heroku-acquisition"),
    ("journey", "developer-journey-tech-debt"),               # vowel + y stem
    ("cafe", "cafe-culture-remote-work"),
    ("preview apps 🚀", "shipping-fast-preview-apps"),        # emoji in query and text
    ("rubber duck radio", "shipping-fast-preview-apps"),      # show
    ("buildpacks", "cloud-native-buildpacks"),
    ("autoscal", "autoscaling-web-dynos"),                    # partial word
    ("title:postgres", "postgres-performance-tuning"),        # lunr syntax
    ('"open source"', "open-source-sustainability"),          # quotes
]  # fmt: skip
HOSTILE = [
    "~ ^ : * + -", "title:", "foo:bar", "deploy~", "+", "-", "*", "^^^", '"', "''", "(", "\\",
    "x" * 2000, "🚀🎉", "k8s:::", "a:b:c", "heroku^", "heroku~2~", "Ǆ", "\u0301", "   ",
]  # fmt: skip


@pytest.fixture(scope="module")
def search_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_search_site(tmp_path_factory.mktemp("search-browser-site"))


@pytest.fixture(scope="module")
def base(search_site: BuiltSite):
    with serve(search_site.output, prefix=PREFIX) as url:
        yield url


@pytest.fixture
def page(browser, base):
    page = browser.new_page()
    page.errors = []  # type: ignore[attr-defined]
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    page.on(
        "console",
        lambda m: page.errors.append(m.text) if m.type == "error" or "Refused" in m.text else None,
    )
    yield page
    page.close()


def showing(query: str) -> str:
    """Selector of the result list once it shows ``query`` (no page-side eval: CSP forbids it)."""
    escaped = query.replace("\\", "\\\\").replace('"', '\\"')
    return f'#search-results[data-query="{escaped}"]'


def results_for(page, query: str) -> list[str]:
    """Type ``query`` and return the result hrefs once the list shows that query."""
    page.fill("#search-input", query)
    page.wait_for_selector(showing(query), state="attached", timeout=10_000)
    links = page.locator("#search-results li.search-hit a.search-hit-title")
    return [links.nth(i).get_attribute("href") for i in range(links.count())]


def test_nothing_is_fetched_before_focus(page, base: str) -> None:
    requests: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.goto(f"{base}/")
    page.wait_for_timeout(300)
    fetched = [u for u in requests if "/search/" in u or "search-worker" in u or "lunr" in u]
    assert not fetched, fetched
    page.focus("#search-input")
    page.wait_for_selector("form.search-form[data-search-ready]", state="attached")
    assert any("/search/index." in u for u in requests), requests
    assert any("search-worker.js" in u for u in requests), requests
    assert all(u.startswith(f"{base}/") for u in requests), "everything under the subpath"
    assert not page.errors, page.errors


def test_table_of_queries_ranks_the_expected_episode_first(page, base: str) -> None:
    page.goto(f"{base}/")
    assert len(RANKING) >= 20
    misses = []
    for query, slug in RANKING:
        hrefs = results_for(page, query)
        if not hrefs or not hrefs[0].endswith(f"episodes/{slug}/"):
            misses.append(f"{query!r}: expected {slug}, got {hrefs[:3]}")
    assert not misses, "\n".join(misses)
    assert not page.errors, page.errors


def test_results_show_title_show_date_topics_and_highlighted_snippet(page, base: str) -> None:
    page.goto(f"{base}/")
    results_for(page, "kubernetes")
    first = page.locator("#search-results li.search-hit").first
    assert first.locator("a.search-hit-title mark").first.inner_text().lower() == "kubernetes"
    assert first.locator(".search-hit-meta a").inner_text() == "Platform Talk"
    assert first.locator(".search-hit-meta time").get_attribute("datetime") == "2024-07-30"
    assert "Kubernetes" in first.locator(".search-hit-topics").inner_text()
    assert first.locator(".search-hit-snippet").count() == 1


def test_keyboard_slash_arrows_enter_and_escape(page, base: str) -> None:
    page.goto(f"{base}/about/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-input"
    page.keyboard.type("heroku")
    page.wait_for_selector(showing("heroku"), state="attached")
    hrefs = results_for(page, "heroku")
    assert len(hrefs) >= 3
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("ArrowDown")
    selected = page.locator('#search-results li[aria-selected="true"]')
    assert selected.count() == 1 and selected.get_attribute("id") == "search-option-1"
    assert page.get_attribute("#search-input", "aria-activedescendant") == "search-option-1"
    page.keyboard.press("Escape")
    assert page.input_value("#search-input") == ""
    assert page.locator(".search-panel").is_hidden()
    results_for(page, "heroku")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/{hrefs[1].removeprefix('../').removeprefix('./')}")


def test_deep_link_with_filters_on_the_search_page(page, base: str) -> None:
    page.goto(f"{base}/search/?q=heroku&topic=salesforce")
    page.wait_for_selector(showing("heroku"), state="attached")
    hits = page.locator("#search-page li.search-hit a.search-hit-title")
    assert hits.count() == 1
    assert hits.first.get_attribute("href").endswith("episodes/salesforce-heroku-acquisition/")
    assert page.locator("#search-page select[name=topic]").input_value() == "salesforce"
    page.select_option("#search-page select[name=topic]", "")
    expect(page.locator("#search-page li.search-hit").nth(1)).to_be_attached()
    page.select_option("#search-page select[name=show]", "Code[ish]")
    page.wait_for_url("**show=Code%5Bish%5D*")
    shows = page.locator("#search-page li.search-hit .search-hit-meta a")
    expect(shows.first).to_be_attached()
    assert {shows.nth(i).inner_text() for i in range(shows.count())} == {"Code[ish]"}
    assert "show=Code%5Bish%5D" in page.url and "q=heroku" in page.url, "shareable URL"


def test_submitting_the_form_leads_to_the_search_page(page, base: str) -> None:
    page.goto(f"{base}/")
    page.fill("#search-input", "incident")
    page.click(".search-form button[type=submit]")
    page.wait_for_url("**/search/?q=incident*")
    page.locator("#search-page li.search-hit").first.wait_for()


def test_no_results_suggest_topics(page, base: str) -> None:
    page.goto(f"{base}/")
    results_for(page, "kubernetiz zzzqqq")
    assert "No episodes match" in page.locator(".search-status").inner_text()
    chips = page.locator("#search-results .search-suggest a")
    assert chips.count() >= 3
    assert all("topics/" in chips.nth(i).get_attribute("href") for i in range(chips.count()))


def test_hostile_queries_never_throw(page, base: str) -> None:
    page.goto(f"{base}/")
    for query in HOSTILE:
        page.fill("#search-input", query)
        page.wait_for_timeout(80)
    results_for(page, "heroku")  # still answering afterwards
    page.goto(f"{base}/search/?q={quote('title: ~^*+- 🚀 ' * 100)}")
    page.wait_for_selector("#search-results[data-query]", state="attached")
    assert not page.errors, page.errors
