"""The backfill's worker pool: answers in order, errors and dead workers reported."""

from __future__ import annotations

import os
import signal
import time
from multiprocessing import active_children

import pytest

from monitor.backfill.pool import NoWorkerLeft, Pool, WorkerLost
from monitor.process import WORKER_NICENESS

_STATE: dict[str, float] = {}


def _init(offset: float) -> None:
    _STATE["offset"] = offset


def _slow(n: int, seconds: float) -> tuple[int, int]:
    """n plus the initializer's offset, after a nap; with the worker's pid."""
    time.sleep(seconds)
    return n + int(_STATE["offset"]), os.getpid()


def _fail(message: str) -> None:
    raise ValueError(message)


def test_answers_come_in_the_order_submitted_whichever_worker_ends_first():
    with Pool(2, _init, (1000,)) as pool:
        for n in range(12):
            pool.submit(_slow, n, 0.01 * (12 - n))  # the later, the quicker
        answers = [pool.take() for _ in range(12)]
        pids = set(pool.pids)
    assert [n for n, _ in answers] == [1000 + n for n in range(12)]
    assert {pid for _, pid in answers} == pids and len(pids) == 2
    assert not [p for p in active_children() if p.pid in pids], "closed, the workers exit"


def test_an_exception_comes_back_with_the_workers_traceback_and_the_pool_goes_on():
    with Pool(1, _init, (0,)) as pool:
        pool.submit(_fail, "no such chunk")
        pool.submit(_slow, 7, 0)
        with pytest.raises(ValueError, match="no such chunk") as raised:
            pool.take()
        assert "_fail" in str(raised.value.__cause__)
        assert pool.take()[0] == 7


def test_workers_ignore_ctrl_c_and_run_behind_the_parent():
    with Pool(1, _init, (0,)) as pool:
        pool.submit(_slow, 1, 0.3)
        time.sleep(0.1)
        (pid,) = pool.pids
        os.kill(pid, signal.SIGINT)  # a Ctrl-C reaches the whole process group
        assert pool.take()[0] == 1
        mine = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, pid) == min(mine + WORKER_NICENESS, 19)


def test_a_killed_worker_loses_only_what_it_held_and_the_others_take_the_rest():
    with Pool(2, _init, (0,)) as pool:
        for n in range(8):
            pool.submit(_slow, n, 0.2)  # 0, 2 to the first worker; 1, 3 to the second
        time.sleep(0.1)
        first = pool.pids[0]
        os.kill(first, signal.SIGKILL)
        results: list[object] = []
        for _ in range(8):
            try:
                results.append(pool.take()[0])
            except WorkerLost as e:
                results.append(str(e))
        assert pool.alive == 1
    lost = f"backfill worker process {first} was killed by SIGKILL while it had this input"
    assert results == [lost, 1, lost, 3, 4, 5, 6, 7]


def test_with_no_worker_left_the_tasks_no_one_held_are_handed_back():
    with Pool(1, _init, (0,)) as pool:
        for n in range(4):
            pool.submit(_slow, n, 0.2)
        time.sleep(0.1)
        os.kill(pool.pids[0], signal.SIGKILL)
        for _ in range(2):  # in its hands and waiting behind
            with pytest.raises(WorkerLost, match="killed by SIGKILL"):
                pool.take()
        for _ in range(2):
            with pytest.raises(NoWorkerLeft):
                pool.take()
        pool.submit(_slow, 9, 0)
        with pytest.raises(NoWorkerLeft):
            pool.take()
        assert len(pool) == 0
