"""The CLI's parallel path (the warm-up in a thread while the dumps are read, a pool forked
per pass, each file written as its episode is tagged) writes what the serial path writes."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import preprocess  # noqa: E402

SLICE = ROOT / "tests" / "fixtures" / "ingest" / "sample-slice.txt"
OTHER = ROOT / "tests" / "fixtures" / "ingest" / "other-directory.txt"


def _run(out: Path, workers: int, capsys: pytest.CaptureFixture[str]) -> dict:
    code = preprocess.main(
        [str(SLICE), str(OTHER), "--output", str(out), "--json", "--workers", str(workers)]
    )
    assert code == preprocess.EXIT_OK
    summary = json.loads(capsys.readouterr().out)
    summary.pop("seconds")
    return summary


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.md"))}


def test_parallel_cli_writes_what_the_serial_cli_writes(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(preprocess, "PARALLEL_FROM", 0)  # the small fixtures go parallel too
    warmed: list[object] = []
    real = preprocess.warm_up
    monkeypatch.setattr(preprocess, "warm_up", lambda tax: (warmed.append(tax), real(tax)))
    serial = _run(tmp_path / "serial", 1, capsys)
    assert not warmed
    parallel = _run(tmp_path / "parallel", 2, capsys)
    # the language model before the first pool forks, then (while its workers run) the
    # topic scanner
    assert len(warmed) == 2 and warmed[0] is None and warmed[1] is not None
    assert parallel == serial and serial["created"] > 0 and serial["per_topic"]
    assert _tree(tmp_path / "parallel") == _tree(tmp_path / "serial")
    rerun = _run(tmp_path / "parallel", 2, capsys)
    assert rerun["unchanged"] == serial["created"] and rerun["written"] == 0
    assert _tree(tmp_path / "parallel") == _tree(tmp_path / "serial")


def test_a_failed_warm_up_is_raised_in_the_main_thread(monkeypatch) -> None:
    def broken(taxonomy: object) -> None:
        raise ValueError("no model")

    monkeypatch.setattr(preprocess, "warm_up", broken)
    warming = preprocess._Warming(None)
    warming.start()
    with pytest.raises(ValueError, match="no model"):
        warming.finish()
