"""No secret is ever published: scan everything under output/ for credential-shaped strings.

Built from the sample slice, from the full sample dump (it carries a real-looking RS256 JWT in an
`access_token=` query string) and from the XSS-corpus site, whose dump and hand-edited episodes
carry one secret of every family in tests/fixtures/xss/secrets.yaml.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import ROOT, BuiltSite, build_site
from tests.fixtures.xss.xss_site import XssSite, build_xss_site, load_secrets

pytestmark = pytest.mark.slow

FULL_SAMPLE = ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"
# The scanner's families; digest/scrub.py redacts the same ones.
PATTERNS = {
    "JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{8,}"),
    "JWT (any header)": re.compile(
        r"\beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"
    ),
    "secret URL parameter": re.compile(
        r"(?i)[?&#;](?:amp;)?(access_token|refresh_token|id_token|token|api_key|apikey|api-key|"
        r"key|secret|client_secret|password|signature|sig|auth|x-amz-signature|"
        r"x-amz-credential)=(?!REDACTED\b)[^&#\s\"'<>]{4,}"
    ),
    "AWS access key": re.compile(r"\b(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}\b"),
    "AWS secret key": re.compile(r"(?i)aws_?secret_?access_?key\W{1,4}[A-Za-z0-9/+=]{40}"),
    "GitHub token": re.compile(r"\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})"),
    "Slack token": re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}"),
    "Slack webhook": re.compile(r"hooks\.slack\.com/services/T[A-Za-z0-9]+/B[A-Za-z0-9]+/\w+"),
    "Google API key": re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),
    "private key": re.compile(r"-----BEGIN (?:[A-Z]+ )*PRIVATE KEY-----"),
}
SCANNED = {".html", ".xml", ".json", ".js", ".txt", ".atom", ".rss", ".css", ".md", ".yml", ""}


def find_secrets(text: str) -> list[tuple[str, str]]:
    return [(name, m.group(0)[:60]) for name, p in PATTERNS.items() for m in p.finditer(text)]


def scan(output: Path) -> tuple[int, dict[str, list[tuple[str, str]]]]:
    found, files = {}, 0
    for path in sorted(output.rglob("*")):
        if not path.is_file() or path.suffix not in SCANNED:
            continue
        if path.name.startswith("lunr.") and path.suffix == ".js":
            continue  # the vendored lunr.js library, byte-identical to npm's
        files += 1
        hits = find_secrets(path.read_text(encoding="utf-8", errors="replace"))
        if hits:
            found[str(path.relative_to(output))] = hits
    return files, found


@pytest.fixture(scope="session")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> XssSite:
    return build_xss_site(tmp_path_factory.mktemp("xss-site"))


def assert_no_secrets(output: Path) -> None:
    files, found = scan(output)
    assert files > 10, f"only {files} files scanned under {output}"
    assert not found, "\n".join(f"{page}: {hits}" for page, hits in found.items())


def test_every_secret_family_is_recognised_by_the_scanner() -> None:
    for secret in load_secrets():
        assert find_secrets(secret["text"]), secret["id"]
    assert find_secrets(FULL_SAMPLE.read_text(encoding="utf-8")), "the sample carries a JWT"


def test_sample_slice_site_publishes_no_secret(sample_site: BuiltSite) -> None:
    assert_no_secrets(sample_site.output)


def test_full_sample_dump_publishes_no_secret(tmp_path: Path) -> None:
    site = build_site(tmp_path, [FULL_SAMPLE])
    assert_no_secrets(site.output)
    assert_no_secrets(site.content)  # editors' files must not carry the token either


def test_xss_corpus_site_publishes_no_secret(xss_site: XssSite) -> None:
    assert_no_secrets(xss_site.output)
    hand = xss_site.content / "episodes" / "hand-edited"
    secret_pages = sorted(xss_site.output.glob("episodes/secret-*/index.html"))
    assert len(secret_pages) == len(load_secrets()), "every hand-edited secret episode is built"
    assert hand.exists()
