"""Browser-test helpers: a loopback server whose port is known before the site is built.

A production build bakes the absolute SITEURL (host, port and subpath) into every page, so the
port must be chosen first. ``bound_server`` binds port 0 straight away (no race with other test
workers), the caller builds with ``SITEURL=<base>``, then ``start()`` serves the output.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import _SiteHandler


@dataclass
class BoundServer:
    server: http.server.ThreadingHTTPServer
    base: str  # e.g. http://127.0.0.1:41234/digest (no trailing slash)
    thread: threading.Thread | None = None

    @property
    def origin(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> None:
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()


@contextlib.contextmanager
def bound_server(directory: Path, prefix: str = "") -> Iterator[BoundServer]:
    """Bind a loopback port now; serve ``directory`` under ``prefix`` once ``start()`` is called.

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
