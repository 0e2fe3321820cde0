"""Render the key pages of a built site into PNGs, so anyone can look at the theme.

Usage: ``python scripts/screenshots.py OUTPUT_DIR SCREENSHOT_DIR`` (``make screenshots``).
Pages: home, an episode (the one with the most to show), a topic page (the largest topic) and
the stats page, each at 390 px and 1280 px wide, in the light and the dark colour scheme.
Drives Debian's Chromium (/usr/bin/chromium, or $CHROMIUM) through Playwright.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import sys
import threading
from pathlib import Path

CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip
WIDTHS = (390, 1280)
SCHEMES = ("light", "dark")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *_args) -> None:
        pass


def pick_pages(site: Path) -> dict[str, str]:
    """Home, the richest episode page, the largest topic page and the stats page."""
    pages = {"home": ""}
    episodes = sorted((site / "episodes").glob("*/index.html"), key=lambda p: -p.stat().st_size)
    if episodes:
        pages["episode"] = f"episodes/{episodes[0].parent.name}/"
    topics = [p for p in (site / "topics").glob("*/index.html")]
    if topics:
        largest = max(topics, key=lambda p: (p.read_text(encoding="utf-8").count('class="card"'),
                                             p.stat().st_size))  # fmt: skip
        pages["topic"] = f"topics/{largest.parent.name}/"
    if (site / "stats" / "index.html").exists():
        pages["stats"] = "stats/"
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="built site (e.g. output)")
    parser.add_argument("target", type=Path, help="where to write the PNG files")
    args = parser.parse_args(argv)
    if not (args.site / "index.html").exists():
        print(
            f"{args.site}/index.html not found: build the site first (make site)", file=sys.stderr
        )
        return 2
    chromium = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        print(f"{chromium} not found: sudo apt-get install chromium", file=sys.stderr)
        return 2
    from playwright.sync_api import sync_playwright

    args.target.mkdir(parents=True, exist_ok=True)
    handler = functools.partial(_Quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    written = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(chromium), args=CHROMIUM_ARGS)
            for scheme in SCHEMES:
                for width in WIDTHS:
                    context = browser.new_context(
                        viewport={"width": width, "height": 900},
                        color_scheme=scheme,
                        reduced_motion="reduce",
                    )
                    page = context.new_page()
                    for name, path in pick_pages(args.site).items():
                        page.goto(base + path, wait_until="load")
                        target = args.target / f"{name}-{width}-{scheme}.png"
                        page.screenshot(path=str(target), full_page=True)
                        written.append(target)
                    context.close()
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
