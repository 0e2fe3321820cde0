"""Pelican settings for local builds (`make site`, `make serve`).

Production overrides live in publishconf.py. Paths are absolute so the settings work from any
working directory (tests build into temporary folders with `-e` overrides).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
# Plugins are thin adapters over the domain core in digest/: make it importable however Pelican
# is started (its console script does not put the working directory on sys.path).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AUTHOR = "PaaS & DevEx Digest editors"
SITENAME = "PaaS & DevEx Digest"
SITESUBTITLE = "The best podcast episodes on platforms-as-a-service and developer experience"
SITEURL = os.environ.get("SITEURL", "").rstrip("/")
RELATIVE_URLS = True
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
DEFAULT_DATE_FORMAT = "%-d %B %Y"

PATH = str(ROOT / "content")
ARTICLE_PATHS = ["episodes"]
PAGE_PATHS = ["pages"]
STATIC_PATHS: list[str] = []
IGNORE_FILES = [".#*", "*.yml", "*.yaml", "README*"]
THEME = str(ROOT / "theme")
OUTPUT_PATH = str(ROOT / "output")
DELETE_OUTPUT_DIRECTORY = False

PLUGIN_PATHS = [str(ROOT / "plugins")]
PLUGINS = ["markdown_reader", "search_index", "pelican.plugins.sitemap"]
PLUGINS += ["related", "stats", "seo"]  # theme
# topics plugin: taxonomy names/descriptions on tag pages, related topics, show metadata,
# `topics`/`shows` in the template context (plugins/topics; settings TOPICS_FILE, SHOWS_FILE).
PLUGINS += ["topics"]

# Articles without a show (no evidence in the text) land in one "Unknown show" listing; the
# theme shows no show link for them (article.show is unset).
USE_FOLDER_AS_CATEGORY = False
DEFAULT_CATEGORY = "Unknown show"

# The markdown_reader plugin owns .md files (markdown-it-py, raw HTML off); Pelican's own
# Markdown reader is switched off so the two never compete for a file.
MARKDOWN = {}
READERS = {"html": None, "htm": None}

# Editor-owned registries, read by ingest and by the plugins.
TOPICS_FILE = str(ROOT / "content" / "topics.yml")
SHOWS_FILE = str(ROOT / "content" / "shows.yml")

# URLs: clean, directory-style. Topics are Pelican tags, shows are Pelican categories.
ARTICLE_URL = "episodes/{slug}/"
ARTICLE_SAVE_AS = "episodes/{slug}/index.html"
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
TAG_URL = "topics/{slug}/"
TAG_SAVE_AS = "topics/{slug}/index.html"
TAGS_URL = "topics/"
TAGS_SAVE_AS = "topics/index.html"
CATEGORY_URL = "shows/{slug}/"
CATEGORY_SAVE_AS = "shows/{slug}/index.html"
CATEGORIES_URL = "shows/"
CATEGORIES_SAVE_AS = "shows/index.html"
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_URL = "archive/"
ARCHIVES_SAVE_AS = "archive/index.html"
YEAR_ARCHIVE_URL = "archive/{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "archive/{date:%Y}/index.html"
MONTH_ARCHIVE_URL = "archive/{date:%Y}/{date:%m}/"
MONTH_ARCHIVE_SAVE_AS = "archive/{date:%Y}/{date:%m}/index.html"
DIRECT_TEMPLATES = ["index", "tags", "categories", "archives", "search", "404"]
SEARCH_SAVE_AS = "search/index.html"
SEARCH_URL = "search/"
# The 404 direct template saves as 404.html by default, which GitHub Pages serves for misses.

DEFAULT_PAGINATION = 20
PAGINATED_TEMPLATES = {"index": None, "tag": None, "category": None, "archives": None}
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)

# Feeds: site-wide Atom and RSS, Atom per topic and per show. Feed links must be absolute, so
# local builds point them at the `make serve` address; publishconf.py uses the real SITEURL.
FEED_DOMAIN = SITEURL or "http://localhost:8000"
FEED_ALL_ATOM = "feeds/all.atom.xml"
FEED_ALL_RSS = "feeds/all.rss.xml"
TAG_FEED_ATOM = "feeds/topics/{slug}.atom.xml"
TAG_FEED_ATOM_URL = "feeds/topics/{slug}.atom.xml"
CATEGORY_FEED_ATOM = "feeds/shows/{slug}.atom.xml"
CATEGORY_FEED_ATOM_URL = "feeds/shows/{slug}.atom.xml"
FEED_ATOM = None
FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
FEED_MAX_ITEMS = 50
RSS_FEED_SUMMARY_ONLY = True

SITEMAP = {
    "format": "xml",
    "priorities": {"articles": 0.7, "indexes": 0.5, "pages": 0.4},
    "changefreqs": {"articles": "monthly", "indexes": "daily", "pages": "monthly"},
}

# Content cache: a checkout resets modification times, so compare files by hash.
CACHE_PATH = str(ROOT / "cache")
CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CHECK_MODIFIED_METHOD = "md5"

# Search (plugins/search_index): lunr.js is installed from npm (package-lock.json) and copied
# into the site with a content hash in its name.
SEARCH_LUNR_JS = str(ROOT / "node_modules" / "lunr" / "lunr.min.js")
# search: body text is trimmed (lunr.py indexing time and payload grow with it; see
# docs/search.md), store summaries are cut for snippets, the store is sharded so a first
# search fetches only the shown results' rows, and the theme links search.css.
SEARCH_BODY_CHARS = 600
SEARCH_SUMMARY_CHARS = 160
SEARCH_SHARD_DOCS = 4
THEME_HAS_SEARCH_CSS = True

TYPOGRIFY = False
SUMMARY_MAX_LENGTH = 60

# theme: autoescape every template value (titles, guests, link labels come from scraped text;
# templates mark rendered Markdown with |safe explicitly). Stats page, related episodes and
# SEO helpers come from plugins/stats, plugins/related and plugins/seo.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "autoescape": True}
STATS_SAVE_AS = "stats/index.html"
STATS_URL = "stats/"
RELATED_MAX = 5
SITEMAP["exclude"] = [r"^404\.html$"]

# performance (plugins/fast_build, docs/benchmarks.md): memoised URLs, Jinja auto_reload off,
# uncompressed content cache, changed-only writes, rendering in 2 processes. Output is
# byte-identical with or without it (tests/build/test_fast_build.py).
PLUGINS += ["fast_build"]
FAST_BUILD_PROCESSES = 2
