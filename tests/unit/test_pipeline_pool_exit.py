"""fork_map does not wait for a finished pass's workers to exit (the kernel tearing down their
copy of the main process took it 40–130 ms per pass on the 10k dump): the next pass waits for
them before it forks, and so does ``close()``; a pass stopped early still waits."""

import os
import time
from multiprocessing.util import Finalize

from digest.ingest.pipeline import fork_map

EXIT_SECONDS = 3.0  # how long a worker that ran _slow_exit takes to exit
_SLOW: list[Finalize] = []


def _slow_exit(job: int) -> int:
    """A job whose worker then takes EXIT_SECONDS to exit (a finaliser run at its exit)."""
    if not _SLOW:
        _SLOW.append(Finalize(None, time.sleep, args=(EXIT_SECONDS,), exitpriority=0))
    return os.getpid()


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited and not reaped yet, counts as exited)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_a_finished_pass_leaves_its_workers_exiting_until_the_next_pass() -> None:
    mapper = fork_map(2, chunksize=1)
    pids = set(mapper(_slow_exit, range(6)))
    assert pids and all(_alive(pid) for pid in pids)  # returned while they exit
    assert list(mapper(abs, [-1, -2])) == [1, 2]
    assert not any(_alive(pid) for pid in pids)  # the next pass waited for them to exit
    mapper.close()


def test_close_waits_for_the_workers_to_exit() -> None:
    mapper = fork_map(2, chunksize=1)
    pids = set(mapper(_slow_exit, range(6)))
    assert pids and all(_alive(pid) for pid in pids)
    mapper.close()
    assert not any(_alive(pid) for pid in pids)
    mapper.close()  # (nothing left to wait for)


def test_a_pass_stopped_early_waits_for_its_workers() -> None:
    mapper = fork_map(2, chunksize=1)
    results = mapper(_slow_exit, range(40))
    pids = {next(results), next(results)}
    results.close()  # the caller stops reading: the pool is shut down and waited for now
    assert not any(_alive(pid) for pid in pids)
