"""scripts/bench.py's report (issue 9): the scaling line compares like with like.

The fixture is the results.json of a real two-size run (1,000 and 10,000 requested; 868 and
10,001 episodes built), so the per-10× figure differs from the raw time ratio.
"""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "scripts"))
import bench  # scripts/ is not a package

RESULTS = ROOT / "tests" / "fixtures" / "bench" / "results-two-sizes.json"


def test_scaling_is_reported_per_tenfold_episodes():
    results = json.loads(RESULTS.read_text(encoding="utf-8"))
    small, big = results["sizes"]["1000"], results["sizes"]["10000"]
    text = bench.table(results)

    time_ratio = big["ours"]["full"]["median_s"] / small["ours"]["full"]["median_s"]
    episodes_ratio = big["episodes"] / small["episodes"]
    scaling = results["scaling"]
    assert scaling["ours_full_ratio"] == pytest.approx(time_ratio, abs=0.005)
    assert scaling["episodes_ratio"] == pytest.approx(episodes_ratio, abs=0.005)
    assert scaling["ours_full_ratio_per_tenfold_episodes"] == pytest.approx(
        time_ratio * 10 / episodes_ratio, abs=0.005
    )
    assert f"{big['episodes']}/{small['episodes']} episodes" in text
    assert f"({time_ratio * 10 / episodes_ratio:.2f}× per 10× episodes)" in text


def test_trash_sets_trees_aside_and_deletes_them_only_when_emptied(tmp_path):
    """A timed run must not follow the deletion of thousands of files (see bench's docstring):
    the old tree is renamed away, the new run writes into a fresh folder of the same name."""
    output = tmp_path / "output"
    (output / "episodes").mkdir(parents=True)
    (output / "episodes" / "a.html").write_text("old", encoding="utf-8")
    trash = bench.Trash(tmp_path / ".trash")

    trash.set_aside(output)
    trash.set_aside(tmp_path / "never-built")  # nothing there: nothing to do
    assert not output.exists()
    (kept,) = (tmp_path / ".trash").iterdir()
    assert (kept / "episodes" / "a.html").read_text(encoding="utf-8") == "old"

    output.mkdir()
    trash.set_aside(output)  # a second run's tree does not collide with the first
    assert len(list((tmp_path / ".trash").iterdir())) == 2

    later = bench.Trash(tmp_path / ".trash")  # a second run finding the first one's leftovers
    output.mkdir()
    later.set_aside(output)
    assert len(list((tmp_path / ".trash").iterdir())) == 3

    trash.empty(settle=False)
    assert not (tmp_path / ".trash").exists()


def test_recently_deleted_window_reads_the_kernel_setting():
    window = bench.recently_deleted_window()
    assert 0 < window < 3600


def test_a_timed_command_reports_its_own_peak_memory_not_the_bench_process_size(tmp_path):
    """Linux folds a forked child's pre-exec memory (a copy of the bench process) into its
    ``ru_maxrss``: forked straight from a 400 MB bench process, ``python -c pass`` read as
    400 MB.  Through the launcher it reads as itself."""
    ballast = bytearray(400 * 1024 * 1024)  # touched: resident in this process
    for i in range(0, len(ballast), 4096):
        ballast[i] = 1
    run = bench.run_timed([sys.executable, "-c", "pass"], tmp_path / "log.txt")
    assert run.returncode == 0
    assert 0 < run.max_rss_kb < 150 * 1024, run.max_rss_kb
    assert run.seconds > 0 and run.cpu_seconds > 0
    del ballast


def test_a_timed_command_that_fails_or_cannot_start_is_a_failed_run(tmp_path):
    log = tmp_path / "log.txt"
    assert bench.run_timed([sys.executable, "-c", "raise SystemExit(3)"], log).returncode != 0
    missing = bench.run_timed([str(tmp_path / "no-such-program")], log)
    assert missing.returncode != 0 and missing.max_rss_kb == 0
    assert "no-such-program" in log.read_text(encoding="utf-8")
