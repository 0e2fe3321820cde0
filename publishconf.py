"""Production settings (`make publish`): absolute URLs from the environment, feeds on.

SITEURL must be set in the environment, e.g. ``SITEURL=https://user.github.io/repo make publish``
(the GitHub Pages workflow takes it from actions/configure-pages). It works for a user site
(served at ``/``), a project site (``/<repo>/``) and a custom domain (set ``CNAME``).
"""

import os
import sys
from pathlib import Path

sys.path.append(str(Path(__file__).resolve().parent))

from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("SITEURL", "").rstrip("/")
if not SITEURL:
    raise SystemExit("publishconf.py: set SITEURL, e.g. SITEURL=https://example.github.io/digest")
RELATIVE_URLS = False
FEED_DOMAIN = SITEURL
DELETE_OUTPUT_DIRECTORY = True
# A custom domain for GitHub Pages: CNAME=digest.example.org make publish
CNAME = os.environ.get("CNAME", "")
