"""Shared fixtures: real ingest + real Pelican builds of small fixture dumps, served on loopback.

Builds run as subprocesses (the same commands `make site` runs), so plugin signal wiring and
settings are exercised exactly as in production and every test worker stays isolated.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import strategies as st
from hypothesis.strategies import SearchStrategy

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE_SLICE = FIXTURES / "sample_slice.txt"
CHROMIUM = Path("/usr/bin/chromium")
# `make fuzz` multiplies every property test's example count (CI runs the base counts).
FUZZ_SCALE = max(1, int(os.environ.get("FUZZ_SCALE", "1")))


def examples(count: int) -> int:
    """Hypothesis example count for a property test, scaled up under `make fuzz`."""
    return count * FUZZ_SCALE


def glued(pieces: Sequence[str], max_pieces: int, noise: int = 3) -> SearchStrategy[str]:
    """Texts glued from up to ``max_pieces`` of ``pieces`` and short random strings (up to
    ``noise`` characters each): what the property tests that compare a fast path with its
    reference draw, so the pieces a fast path keys on meet in every order and glued to
    anything."""
    return st.lists(
        st.one_of(st.sampled_from(pieces), st.text(max_size=noise)), max_size=max_pieces
    ).map("".join)


@dataclass
class BuiltSite:
    content: Path
    output: Path
    log: str

    def html(self, relative: str) -> str:
        return (self.output / relative).read_text(encoding="utf-8")


def run_ingest(dumps: list[Path], episodes_dir: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "preprocess.py"), *map(str, dumps),
         "--output", str(episodes_dir), "--quiet", *extra],
        capture_output=True, text=True, cwd=ROOT, check=False,
    )  # fmt: skip


def prepare_content(workdir: Path) -> Path:
    """A content folder like the real one (pages, topics, shows) but with no episodes yet."""
    content = workdir / "content"
    (content / "episodes").mkdir(parents=True)
    shutil.copytree(ROOT / "content" / "pages", content / "pages")
    for registry in ("topics.yml", "shows.yml"):
        if (ROOT / "content" / registry).exists():
            shutil.copy(ROOT / "content" / registry, content / registry)
    return content


def ingested_sample_slice(workdir: Path) -> Path:
    """A content folder (:func:`prepare_content`) holding what ingest makes of the sample slice:
    the small real-looking corpus the build tests share."""
    content = prepare_content(workdir)
    done = run_ingest([SAMPLE_SLICE], content / "episodes")
    assert done.returncode == 0, done.stderr
    assert list((content / "episodes").glob("*.md"))
    return content


# A Pelican run with module flags set before the plugins load (see run_with_flags).
_FLAGS_RUNNER = """
import importlib, json, sys
sys.path[:0] = [sys.argv[1], sys.argv[1] + "/plugins"]
for target, value in json.loads(sys.argv[2]).items():
    module, name = target.rsplit(".", 1)
    setattr(importlib.import_module(module), name, value)
sys.argv = ["pelican", *sys.argv[3:]]
from pelican import main
main()
"""


def run_pelican(
    content: Path, output: Path, settings: str = "pelicanconf.py", env: dict | None = None,
    extra_settings: dict[str, str] | None = None,
) -> subprocess.CompletedProcess:  # fmt: skip
    overrides = {
        # Every build its own caches: test workers never share Pelican's or fast_build's.
        "CACHE_PATH": f'"{output.parent / "cache"}"',
        "TOPICS_FILE": f'"{content / "topics.yml"}"',
        "SHOWS_FILE": f'"{content / "shows.yml"}"',
        "CACHE_CONTENT": "false",
        "LOAD_CONTENT_CACHE": "false",
        **(extra_settings or {}),
    }
    args = [sys.executable, "-m", "pelican", str(content), "-o", str(output),
            "-s", str(ROOT / settings)]  # fmt: skip
    # One -e with every pair: Pelican keeps only the last -e when it is repeated.
    args += ["-e", *(f"{key}={value}" for key, value in overrides.items())]
    return subprocess.run(
        args, capture_output=True, text=True, cwd=ROOT, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def run_with_flags(
    content: Path, output: Path, flags: dict[str, object], **settings: str
) -> subprocess.CompletedProcess:
    """A Pelican build of ``content`` into ``output`` (caches beside it) with module flags
    set (``{"module.NAME": value}``) before the plugins load."""
    overrides = {
        "CACHE_PATH": f'"{output.parent / "cache"}"',
        "TOPICS_FILE": f'"{content / "topics.yml"}"',
        "SHOWS_FILE": f'"{content / "shows.yml"}"',
        **settings,
    }
    args = [sys.executable, "-c", _FLAGS_RUNNER, str(ROOT), json.dumps(flags), str(content),
            "-o", str(output), "-s", str(ROOT / "pelicanconf.py"),
            "-e", *(f"{k}={v}" for k, v in overrides.items())]  # fmt: skip
    done = subprocess.run(args, capture_output=True, text=True, cwd=ROOT, check=False)
    assert done.returncode == 0, f"pelican failed:\n{done.stdout}\n{done.stderr}"
    return done


def build_warm(content: Path, output: Path, **settings: str) -> None:
    """A build with Pelican's content cache on, as pelicanconf.py has it (rebuild tests)."""
    warm = {"CACHE_CONTENT": "true", "LOAD_CONTENT_CACHE": "true"}
    done = run_pelican(content, output, extra_settings={**warm, **settings})
    assert done.returncode == 0, f"pelican failed:\n{done.stdout}\n{done.stderr}"


def site_tree(output: Path) -> dict[str, bytes]:
    """Every file but sitemap.xml, whose listing pages carry the build time (pelican-sitemap)."""
    return {
        str(path.relative_to(output)): path.read_bytes()
        for path in sorted(output.rglob("*"))
        if path.is_file() and path.name != "sitemap.xml"
    }


def assert_same_site(clean: dict[str, bytes], rebuilt: dict[str, bytes]) -> None:
    """Every file of the clean build is in the rebuilt tree with the same bytes."""
    # A kept output folder still holds the previous build's content-hashed search files;
    # every file of the clean build must be there with the same bytes.
    missing = sorted(set(clean) - set(rebuilt))
    assert not missing, missing[:5]
    differing = [name for name in clean if clean[name] != rebuilt[name]]
    assert not differing, f"{len(differing)} files differ, e.g. {differing[:5]}"


def build_site(workdir: Path, dumps: list[Path], **pelican_kwargs) -> BuiltSite:
    content = prepare_content(workdir)
    ingest = run_ingest(dumps, content / "episodes")
    assert ingest.returncode == 0, f"ingest failed:\n{ingest.stdout}\n{ingest.stderr}"
    output = workdir / "output"
    build = run_pelican(content, output, **pelican_kwargs)
    assert build.returncode == 0, f"pelican failed:\n{build.stdout}\n{build.stderr}"
    return BuiltSite(content=content, output=output, log=build.stdout + build.stderr)


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The fixture slice of the sample dump, ingested and built once per test worker."""
    return build_site(tmp_path_factory.mktemp("sample-site"), [SAMPLE_SLICE])


class _SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Serves a built site, optionally under a URL prefix such as ``/digest``."""

    prefix = ""

    def translate_path(self, path: str) -> str:
        if self.prefix:
            if not path.startswith(self.prefix + "/"):
                return str(Path(self.directory) / "__outside_prefix__")
            path = path[len(self.prefix) :]
        return super().translate_path(path)

    def log_message(self, *_args) -> None:
        pass


@contextlib.contextmanager
def serve(directory: Path, prefix: str = "") -> Iterator[str]:
    """Serve ``directory`` on loopback; yields the base URL (with the prefix, no trailing /)."""
    handler = type("Handler", (_SiteHandler,), {"prefix": prefix.rstrip("/")})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(directory))
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix.rstrip('/')}"
    finally:
        server.shutdown()
        server.server_close()


def chromium_or_skip() -> Path:
    """Browser tests need Debian's Chromium; CI must have it, a laptop may skip."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.environ.get("CI"):
        pytest.fail("CI=true but /usr/bin/chromium is missing: .ci/run must install chromium")
    pytest.skip("Chromium not found: install it with `sudo apt-get install chromium` to run")
    raise AssertionError("unreachable")


CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]  # fmt: skip


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium per test worker, driven by Playwright (never `playwright install`)."""
    executable = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
