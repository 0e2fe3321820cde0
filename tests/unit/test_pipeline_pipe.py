"""fork_map's results pipe is widened (a worker writes a chunk's pickled results at once instead
of 64 KB per read of the main process), and results bigger than the pipe, or than its default
64 KB, still come back whole and in job order."""

import fcntl
from typing import Any

import pytest

from digest.ingest import pipeline
from digest.ingest.pipeline import RESULTS_PIPE_BYTES, fork_map


def _big(job: int) -> str:
    """A result of ~70 KB to ~1.1 MB (a chunk of them is over the widened pipe too)."""
    return f"{job:06d}" * (12_000 + 15_000 * job)


def test_big_results_come_back_whole_and_in_order() -> None:
    jobs = list(range(12))
    assert list(fork_map(2, chunksize=2)(_big, jobs)) == [_big(j) for j in jobs]


@pytest.mark.skipif(not hasattr(fcntl, "F_GETPIPE_SZ"), reason="Linux pipes only")
def test_fork_map_widens_the_results_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pool that fork_map forks reads its results through a pipe of RESULTS_PIPE_BYTES."""
    sizes: list[int] = []
    widen = pipeline._widen_results_pipe

    def spy(pool: Any) -> None:
        widen(pool)
        sizes.append(fcntl.fcntl(pool._result_queue._reader.fileno(), fcntl.F_GETPIPE_SZ))

    monkeypatch.setattr(pipeline, "_widen_results_pipe", spy)
    assert list(fork_map(2, chunksize=2)(abs, [-1, -2, -3])) == [1, 2, 3]
    assert sizes == [RESULTS_PIPE_BYTES]
