"""Production settings (`make publish`): absolute URLs from the environment, feeds on.

SITEURL must be set in the environment, e.g. ``SITEURL=https://user.github.io/repo make publish``
(the GitHub Pages workflow takes it from actions/configure-pages). It works for a user site
(``https://user.github.io``, served at ``/``), a project site (``https://user.github.io/repo``,
served at ``/repo/``) and a custom domain (``SITEURL=https://digest.example.org`` plus
``CNAME=digest.example.org``, which the ``cname`` plugin writes to ``output/CNAME``).
"""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.append(str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: F403
from pelicanconf import PLUGINS, ROOT


def _fail(message: str) -> None:
    raise SystemExit(f"publishconf.py: {message}")


SITEURL = os.environ.get("SITEURL", "").strip().rstrip("/")
if not SITEURL:
    _fail(
        "set SITEURL to the site's absolute URL, e.g. SITEURL=https://user.github.io/repo "
        "make publish (project site), https://user.github.io (user site) or "
        "https://digest.example.org (custom domain)"
    )
_url = urlsplit(SITEURL)
if _url.scheme not in ("http", "https") or not _url.hostname or _url.query or _url.fragment:
    _fail(f"SITEURL must be an absolute http(s) URL without query or fragment, not {SITEURL!r}")

RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True

# A custom domain for a site published from a branch: CNAME=digest.example.org make deploy-ghp
# (plugins/cname writes output/CNAME; empty = no file). Sites deployed by GitHub Actions take
# their custom domain from Settings → Pages, and configure-pages then reports it as base_url.
CNAME = os.environ.get("CNAME", "").strip().lower().rstrip(".")
if CNAME and _url.hostname != CNAME:
    _fail(f"CNAME={CNAME!r} but SITEURL is on {_url.hostname!r}; use SITEURL=https://{CNAME}")
PLUGINS = [*PLUGINS, "cname"]

# Production builds keep their own content cache (under cache/, which CI keeps between runs), so
# a local `make site` never feeds a production build objects made with other settings.
CACHE_PATH = str(ROOT / "cache" / "publish")
