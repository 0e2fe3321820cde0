"""Pelican plugin: write ``output/CNAME`` for a GitHub Pages custom domain.

Set ``CNAME = "digest.example.org"`` (publishconf.py reads it from the environment). When the
setting is empty nothing is written, so a build without a custom domain has no CNAME file (with
``DELETE_OUTPUT_DIRECTORY`` a stale one from an earlier build is gone too).

The file matters when the site is published from a branch (``make deploy-ghp``): GitHub Pages
reads the custom domain from it. A site deployed by GitHub Actions takes its custom domain from
Settings → Pages instead, and the file is harmless there.
"""

from __future__ import annotations

import logging
import os
import re

from pelican import signals

log = logging.getLogger(__name__)

# A bare host name: labels of letters, digits and hyphens, at least one dot, no scheme or path.
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$")


class CnameError(ValueError):
    """The CNAME setting is not a bare host name."""


def normalize_cname(value: object) -> str:
    """Return the host name to write, or "" when no custom domain is set."""
    host = str(value or "").strip().lower().rstrip(".")
    if not host:
        return ""
    if not _HOSTNAME.match(host):
        raise CnameError(
            f"CNAME must be a bare host name such as digest.example.org, not {value!r}"
        )
    return host


def write_cname(pelican) -> None:
    host = normalize_cname(pelican.settings.get("CNAME", ""))
    if not host:
        return
    path = os.path.join(pelican.output_path, "CNAME")
    os.makedirs(pelican.output_path, exist_ok=True)
    with open(path, "w", encoding="ascii") as handle:
        handle.write(host + "\n")
    log.info("cname: wrote %s (%s)", path, host)


def register() -> None:
    signals.finalized.connect(write_cname)
