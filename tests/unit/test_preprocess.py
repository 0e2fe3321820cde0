"""scripts/preprocess.py end to end, as a subprocess: exit codes, --json, re-runs, edits,
concurrent runs and a run killed mid-way."""

from __future__ import annotations

import fcntl
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "preprocess.py"
SLICE = ROOT / "tests" / "fixtures" / "ingest" / "sample-slice.txt"
OTHER = ROOT / "tests" / "fixtures" / "ingest" / "other-directory.txt"


def run(*args: str | Path, out: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            *map(str, args),
            "--output",
            str(out),
            "--topics",
            str(out / "no-topics.yml"),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )


def snapshot(d: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(d.glob("*.md"))}


def test_json_summary_and_byte_identical_rerun(tmp_path: Path) -> None:
    out = tmp_path / "eps"
    first = run(SLICE, OTHER, "--json", out=out)
    assert first.returncode == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["created"] == summary["episodes"] > 0
    assert summary["duplicates_merged"] == 2
    assert {d["reason"] for d in summary["dropped"]} >= {"directory UI label"}
    files = snapshot(out)
    second = run(SLICE, OTHER, "--json", out=out)
    assert json.loads(second.stdout)["unchanged"] == summary["episodes"]
    assert snapshot(out) == files
    assert not list(out.glob(".*tmp")) and not (out / ".ingest.lock").exists()


def test_edits_survive_a_rerun_and_are_reported(tmp_path: Path) -> None:
    out = tmp_path / "eps"
    assert run(SLICE, "--quiet", out=out).returncode == 0
    target = next(p for p in out.glob("*.md") if "vibe-coding" in p.name)
    text = target.read_text(encoding="utf-8")
    text = text.replace("title: Vibe Coding at Heroku with Vish Abrams", "title: Vibe coding")
    target.write_text(text + "\nEditor's note.\n", encoding="utf-8")
    again = run(SLICE, "--json", out=out)
    summary = json.loads(again.stdout)
    assert summary["kept_as_edited"] == 1 and summary["conflicts"] == []
    after = target.read_text(encoding="utf-8")
    assert "title: Vibe coding\n" in after and after.endswith("Editor's note.\n")


def test_bad_inputs_exit_codes(tmp_path: Path) -> None:
    out = tmp_path / "eps"
    missing = run(tmp_path / "nope.txt", out=out)
    assert missing.returncode == 1 and "nope.txt: no such file" in missing.stderr
    binary = tmp_path / "b.txt"
    binary.write_bytes(b"\x00\x01\x02")
    assert run(binary, out=out).returncode == 1
    # one bad input among good ones: the good one is still ingested
    mixed = run(tmp_path / "nope.txt", SLICE, "--quiet", out=out)
    assert mixed.returncode == 0 and list(out.glob("*.md"))
    bad_shows = tmp_path / "shows.yml"
    bad_shows.write_text("shows:\n- name: X\n  slug: Bad Slug\n", encoding="utf-8")
    r = subprocess.run(
        [sys.executable, str(SCRIPT), str(SLICE), "--output", str(out), "--shows", str(bad_shows)],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "bad slug" in r.stderr


def test_a_concurrent_run_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "eps"
    out.mkdir()
    with open(out / ".ingest.lock", "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        refused = run(SLICE, out=out)
    assert refused.returncode == 3 and "another ingest run" in refused.stderr
    assert not list(out.glob("*.md"))


def test_sigkill_mid_run_leaves_no_partial_file(tmp_path: Path) -> None:
    out = tmp_path / "eps"
    big = tmp_path / "big.txt"
    lines = OTHER.read_text(encoding="utf-8").splitlines()
    big.write_text(
        "\n".join(f"{ln} Variant {i}." for i in range(60) for ln in lines) + "\n",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            str(SCRIPT),
            str(big),
            "--output",
            str(out),
            "--quiet",
            "--workers",
            "1",
            "--topics",
            str(out / "none.yml"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.time() + 120
    while time.time() < deadline and len(list(out.glob("*.md"))) < 20:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    for path in out.glob("*.md"):
        text = path.read_text(encoding="utf-8")
        assert text.startswith("---\n") and "\ningested:\n" in text and text.endswith("\n")
    # the lock died with the process: the next run proceeds and finishes the job
    assert run(big, "--quiet", "--workers", "1", out=out).returncode == 0
    assert not [p for p in out.iterdir() if p.name.endswith(".tmp")]


def test_committed_episodes_are_what_ingest_makes_of_the_shipped_sample(tmp_path: Path) -> None:
    """content/episodes is ingest's output for the shipped dump (tags from content/topics.yml):
    a change to ingest or tagging that is not followed by regenerating the content fails here,
    so the site `make site` builds never silently differs from the committed files."""
    out = tmp_path / "episodes"
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            str(ROOT / "data" / "blurbs" / "heroku-directory-sample.txt"),
            "--output",
            str(out),
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    committed = snapshot(ROOT / "content" / "episodes")
    assert len(committed) >= 40
    assert snapshot(out) == committed
