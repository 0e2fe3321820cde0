"""The production build works under a subpath, as a GitHub *project* site does (/<repo>/).

The site is built with publishconf.py and ``SITEURL=http://127.0.0.1:<port>/digest`` and served
under ``/digest/`` on that port; anything outside the prefix is a 404, as on GitHub Pages. A
crawler then follows every page and asset (links, CSS, JS, images, feeds, the sitemap and every
<loc> in it, the search files named on the search form and every URL in the search store) and
requires: no 404 (or other error), and no link that escapes /digest/ on that host. Finally a
reader types a query into the search box in Chromium and gets a result link under /digest/.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import re
import threading
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup

from tests.conftest import SAMPLE_SLICE, BuiltSite, _SiteHandler, build_site

PREFIX = "/digest"
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "0.0.0.0", "[::1]"}
HTML_URL_ATTRIBUTES = [
    ("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src"),
    ("iframe", "src"), ("video", "src"), ("video", "poster"), ("audio", "src"),
    ("form", "action"), ("object", "data"),
]  # fmt: skip
SEARCH_FILES = ("data-entry",)  # at least this (search/entry.json), maybe more (worker)
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)|@import\s+['"]([^'"]+)['"]""")


# --- a server whose port is known before the build -------------------------------------------
# A production build bakes the absolute SITEURL (host, port and subpath) into every page, so the
# port must be known first. bound_server() binds port 0 straight away (no race with other test
# workers), the caller builds with SITEURL=<base>, then start() serves the output.


@dataclass
class BoundServer:
    server: http.server.ThreadingHTTPServer
    base: str  # e.g. http://127.0.0.1:41234/digest (no trailing slash)
    thread: threading.Thread | None = None

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@contextlib.contextmanager
def bound_server(directory: Path, prefix: str = "") -> Iterator[BoundServer]:
    """Bind a loopback port now; serve ``directory`` under ``prefix`` once started.

    Requests outside ``prefix`` get a 404, as they would from GitHub Pages for a project site.
    """
    prefix = prefix.rstrip("/")
    handler = type("PrefixHandler", (_SiteHandler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    bound = BoundServer(server=server, base=f"http://127.0.0.1:{server.server_address[1]}{prefix}")
    try:
        yield bound
    finally:
        if bound.thread is not None:
            server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def subpath_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BuiltSite, str]]:
    workdir = tmp_path_factory.mktemp("subpath-site")
    with bound_server(workdir / "output", prefix=PREFIX) as server:
        site = build_site(
            workdir, [SAMPLE_SLICE], settings="publishconf.py", env={"SITEURL": server.base}
        )
        server.start()
        yield site, server.base


# --- the crawler ----------------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *_args, **_kwargs):
        return None  # surface 3xx as HTTPError so the crawler checks the Location itself


_OPENER = urllib.request.build_opener(_NoRedirect)


@dataclass
class Crawl:
    base: str  # http://127.0.0.1:<port>/digest
    fetched: dict[str, int] = field(default_factory=dict)  # url -> HTTP status
    referrers: dict[str, str] = field(default_factory=dict)  # url -> first page linking to it
    linked: set[str] = field(default_factory=set)  # urls some page/feed/asset points to
    errors: list[str] = field(default_factory=list)  # "404 url (linked from ...)"
    escapes: dict[str, str] = field(default_factory=dict)  # url -> first page linking to it
    kinds: Counter = field(default_factory=Counter)
    external: set[str] = field(default_factory=set)
    search_entry: str | None = None  # search/entry.json's URL, from the search form
    search_base: str | None = None  # what the search script prefixes to the store's URLs

    @property
    def origin(self) -> str:
        parts = urlsplit(self.base)
        return f"{parts.scheme}://{parts.netloc}"

    def in_scope(self, url: str, found_on: str) -> bool:
        """True for a URL to crawl; records escapes; False for other hosts and schemes."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            return False  # mailto:, tel:, …
        host = (parts.hostname or "").lower()
        if host not in LOOPBACK_HOSTS:
            self.external.add(url)
            return False
        if f"{parts.scheme}://{parts.netloc}" != self.origin or not (
            parts.path == PREFIX or parts.path.startswith(PREFIX + "/")
        ):
            self.escapes.setdefault(url, found_on)
            return False
        return True

    def discover(self, raw: str, page_url: str, queue: deque[str]) -> None:
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            return
        url = urldefrag(urljoin(page_url, raw)).url
        if not self.in_scope(url, page_url):
            return
        self.linked.add(url)
        if url not in self.referrers:
            self.referrers[url] = page_url
            queue.append(url)

    def run(self, seeds: list[str]) -> Crawl:
        queue = deque(seeds)
        self.referrers.update({seed: "(seed)" for seed in seeds})
        while queue:
            url = queue.popleft()
            if url in self.fetched:
                continue
            status, content_type, body, location = fetch(url)
            self.fetched[url] = status
            if 300 <= status < 400 and location:
                self.kinds["redirect"] += 1
                self.discover(location, url, queue)
                continue
            if status != 200:
                self.errors.append(f"{status} {url} (linked from {self.referrers.get(url)})")
                continue
            self.extract(url, content_type, body, queue)
        return self

    def extract(self, url: str, content_type: str, body: bytes, queue: deque[str]) -> None:
        path = urlsplit(url).path
        if "html" in content_type:
            self.kinds["html"] += 1
            soup = BeautifulSoup(body, "html.parser")
            for tag, attribute in HTML_URL_ATTRIBUTES:
                for element in soup.find_all(tag, attrs={attribute: True}):
                    self.discover(element[attribute], url, queue)
            for element in soup.find_all(["img", "source"], srcset=True):
                for candidate in element["srcset"].split(","):
                    self.discover(candidate.strip().split(" ")[0], url, queue)
            for meta in soup.find_all("meta", content=re.compile(r"^https?://")):
                self.discover(meta["content"], url, queue)
            for script in soup.find_all("script", type="application/ld+json"):
                for value in json_strings(json.loads(script.string or "null")):
                    if re.match(r"https?://", value):
                        self.discover(value, url, queue)  # JSON-LD (url, @id, image, …)
            for form in soup.select("form.search-form"):
                for attribute in search_file_attributes(form):
                    self.discover(form[attribute], url, queue)
        elif path.endswith(".css") or "css" in content_type:
            self.kinds["css"] += 1
            for match in CSS_URL.finditer(body.decode("utf-8")):
                target = match.group(1) or match.group(2)
                if not target.startswith("data:"):
                    self.discover(target, url, queue)
        elif path.endswith(".xml") or "xml" in content_type:
            self.kinds["xml"] += 1
            for element in ET.fromstring(body).iter():
                name = element.tag.rsplit("}", 1)[-1]
                if name == "link" and element.get("href"):
                    self.discover(element.get("href"), url, queue)  # Atom, sitemap xhtml:link
                elif name in ("link", "loc") and (element.text or "").strip():
                    self.discover(element.text, url, queue)  # RSS <link>, sitemap <loc>
        elif path.endswith(".json"):
            self.kinds["json"] += 1
            data = json.loads(body)
            # The entry names the hashed index, lunr.js and (unsharded) store; the index names
            # the store shards; all relative to the entry.
            in_search = self.search_entry and url.startswith(urljoin(self.search_entry, "."))
            names = [data.get(k) for k in ("index", "lunr", "store")]
            names = names if url == self.search_entry else []
            if in_search and isinstance(data.get("shards"), dict):
                names = data["shards"]["files"]
            for name in filter(None, names):
                self.discover(urljoin(self.search_entry, name), url, queue)
            if in_search and self.search_base:
                for target in store_urls(data):  # search results link to data-base + url
                    self.kinds["search result url"] += 1
                    self.discover(urljoin(self.search_base, target), url, queue)
        elif path.endswith("/robots.txt"):
            self.kinds["robots.txt"] += 1
            for line in body.decode("utf-8").splitlines():
                if line.lower().startswith("sitemap:"):
                    self.discover(line.split(":", 1)[1], url, queue)
        elif path.endswith(".js"):
            self.kinds["js"] += 1
        else:
            self.kinds["other"] += 1


def search_file_attributes(form) -> list[str]:
    """The search form's data-* attributes that name files or URLs (index, store, lunr, …)."""
    return [
        name
        for name, value in form.attrs.items()
        if name.startswith("data-") and isinstance(value, str) and "/" in value
    ]


def json_strings(data: object) -> Iterator[str]:
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for value in data.values():
            yield from json_strings(value)
    elif isinstance(data, list):
        for item in data:
            yield from json_strings(item)


def store_urls(data: object) -> Iterator[str]:
    """Every string under a "url" key in the search store, whatever its exact shape."""
    if isinstance(data, dict):
        for key, value in data.items():
            if key == "url" and isinstance(value, str):
                yield value
            elif key == "url" and isinstance(value, list):  # a columnar store
                yield from (item for item in value if isinstance(item, str))
            else:
                yield from store_urls(value)
    elif isinstance(data, list):
        for item in data:
            yield from store_urls(item)


def fetch(url: str) -> tuple[int, str, bytes, str | None]:
    try:
        with _OPENER.open(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read(), None
    except urllib.error.HTTPError as error:
        return error.code, "", b"", error.headers.get("Location")


def files_as_urls(output: Path, base: str) -> list[str]:
    files = sorted(path for path in output.rglob("*") if path.is_file())
    return [f"{base}/{path.relative_to(output).as_posix()}" for path in files]


# --- the tests ------------------------------------------------------------------------------


def test_the_server_really_confines_the_site_to_the_prefix(subpath_site) -> None:
    _site, base = subpath_site
    origin = base.removesuffix(PREFIX)
    assert fetch(f"{base}/")[0] == 200
    assert fetch(f"{origin}/")[0] == 404, "outside /digest/ must be a 404, as on GitHub Pages"
    assert fetch(f"{origin}/index.html")[0] == 404


def test_crawl_finds_no_404_and_no_link_escaping_the_subpath(subpath_site) -> None:
    site, base = subpath_site
    sitemap = f"{base}/sitemap.xml"
    home = BeautifulSoup(site.html("index.html"), "html.parser")
    feeds = [link["href"] for link in home.select('link[rel="alternate"][href]')]
    assert feeds, "the home page advertises its feeds"
    files = files_as_urls(site.output, base)
    form = home.select_one("form.search-form[data-entry]")
    assert form is not None, "the search form names the search entry file"
    crawl = Crawl(
        base=base,
        search_entry=urljoin(f"{base}/", form["data-entry"]),
        search_base=urljoin(f"{base}/", form["data-base"]),
    ).run([f"{base}/", sitemap, *feeds, *files])

    summary = (
        f"fetched {len(crawl.fetched)} URLs ({dict(crawl.kinds)}), "
        f"{len(crawl.linked)} linked, {len(crawl.external)} external links not followed, "
        f"{len(crawl.errors)} errors, {len(crawl.escapes)} escapes"
    )
    print(summary)
    errors = sorted(crawl.errors)
    escapes = sorted(f"{url} (on {page})" for url, page in crawl.escapes.items())
    assert not errors, f"{summary}\n" + "\n".join(errors[:40])
    assert not escapes, f"{summary}\n" + "\n".join(escapes[:40])

    # The crawl really covered the site: pages, CSS, JS, feeds, sitemap and search files.
    assert crawl.kinds["html"] >= 10, summary
    assert crawl.kinds["css"] >= 1 and crawl.kinds["js"] >= 2, summary  # search.js + lunr
    assert crawl.kinds["xml"] >= 3, summary  # sitemap + Atom + RSS
    assert crawl.kinds["json"] >= 3, summary  # search entry + index + store
    assert crawl.kinds["search result url"] >= 3, summary
    assert sitemap in crawl.fetched and all(feed in crawl.fetched for feed in feeds)
    locs = [
        (element.text or "").strip()
        for element in ET.fromstring(fetch(sitemap)[2]).iter()
        if element.tag.endswith("loc")
    ]
    assert locs and all(crawl.fetched.get(loc) == 200 for loc in locs), "every <loc> is served"
    assert set(SEARCH_FILES) <= set(search_file_attributes(form)), form.attrs
    for attribute in search_file_attributes(form):
        url = urljoin(f"{base}/", form[attribute])
        assert crawl.fetched.get(url) == 200, f"search file {attribute}: {url}"

    # Every page the build wrote is reachable from a link, a feed or the sitemap (404.html
    # aside: GitHub Pages serves it for misses). Assets only scripts load (the search worker's
    # imports) are not linked from HTML; the Chromium test below sees those requests.
    unlinked = sorted(
        url
        for url in files
        if url not in crawl.linked
        and url.removesuffix("index.html") not in crawl.linked
        and url not in {f"{base}/404.html", f"{base}/robots.txt", sitemap}
    )
    print("served but not linked from HTML, feeds or sitemap:", unlinked)
    orphans = [url for url in unlinked if url.endswith(".html")]
    assert not orphans, "pages nothing links to:\n" + "\n".join(orphans[:40])


def pick_query(output: Path) -> tuple[str, str, str]:
    """(query, episode title, episode path) for an episode with a distinctive title word."""
    titles = {}
    for page in sorted(output.glob("episodes/*/index.html")):
        h1 = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").find("h1")
        titles[page.parent.relative_to(output).as_posix() + "/"] = h1.get_text(" ", strip=True)
    assert len(titles) >= 3, titles
    candidates = []
    for path, title in titles.items():
        for word in set(re.findall(r"[A-Za-z]{5,}", title)):
            shared = sum(word.lower() in other.lower() for other in titles.values())
            candidates.append((shared, -len(word), word, title, path))
    assert candidates, titles
    _, _, word, title, path = min(candidates)
    return word.lower(), title, path


@pytest.mark.browser
def test_search_box_finds_an_episode_and_links_under_the_subpath(subpath_site, browser) -> None:
    site, base = subpath_site
    query, title, path = pick_query(site.output)
    expected = f"{base}/{path}"

    page = browser.new_page()
    failures: list[str] = []
    outside: list[str] = []

    def on_response(response) -> None:
        if response.status >= 400:
            failures.append(f"{response.status} {response.url}")

    def on_request(request) -> None:
        if request.url.startswith("http") and not request.url.startswith(base + "/"):
            outside.append(request.url)

    page.on("response", on_response)
    page.on("request", on_request)
    page.on("requestfailed", lambda request: failures.append(f"failed {request.url}"))
    page.goto(f"{base}/")
    page.fill("#search-input", query)
    results = page.locator("#search-results a[href]")
    results.first.wait_for(timeout=10_000)
    hrefs = [results.nth(i).get_attribute("href") for i in range(results.count())]
    absolute = [urljoin(page.url, href) for href in hrefs]
    assert all(url.startswith(f"{base}/") for url in absolute), absolute
    assert expected in absolute, f"{query!r} should find {title!r}: {absolute}"

    results.nth(absolute.index(expected)).click()
    page.wait_for_url(expected)
    assert " ".join(page.locator("h1").first.inner_text().split()) == title
    page.close()
    assert not failures, failures
    assert not outside, f"requests outside {base}/: {outside}"
