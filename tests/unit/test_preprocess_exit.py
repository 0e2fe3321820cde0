"""The CLI ends with ``os._exit`` (no interpreter teardown): what it printed still reaches a
pipe whole, with Python's own block buffering (not PYTHONUNBUFFERED, which test runs may set)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "preprocess.py"
SLICE = ROOT / "tests" / "fixtures" / "ingest" / "sample-slice.txt"


def test_the_summary_is_flushed_before_the_fast_exit(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, str(SCRIPT), str(SLICE), "--output", str(tmp_path / "out"), "--json"],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["created"] > 0 and summary["created"] == len(
        list((tmp_path / "out").glob("*.md"))
    )
    assert not (tmp_path / "out" / ".ingest.lock").exists()  # the lock was released
