"""The backfill's worker pool: answers in order, errors and dead workers reported, and a
backfill whose worker is killed (SIGKILL, as the OOM killer does) ends, reports what
that worker held, and loses nothing a rerun does not pick up."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import threading
import time
from multiprocessing import active_children
from pathlib import Path

import pytest

from monitor.backfill import analysis
from monitor.backfill.pool import NoWorkerLeft, Pool, WorkerLost
from monitor.pipeline import Pipeline
from monitor.process import WORKER_NICENESS

from ..conftest import stored_articles, write_jsonl
from .conftest import article_html, make_article

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


def test_a_task_that_cannot_be_sent_raises_in_its_turn():
    with Pool(1, _init, (0,)) as pool:
        pool.submit(_slow, 1, 0)
        pool.submit(_slow, threading.Lock(), 0)  # a lock does not pickle
        pool.submit(_slow, 3, 0)
        assert pool.take()[0] == 1
        with pytest.raises(TypeError, match="pickle"):
            pool.take()
        assert pool.take()[0] == 3


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


# -- a backfill whose worker is killed ---------------------------------------------------

def _jsonl(folder: Path) -> tuple[Path, list[str]]:
    """400 JSONL lines, read by the workers in byte ranges; and each line's place."""
    records = [{"url": f"https://killed.example/{i}", "published": "2024-05-02",
                "text": f"Item {i}: ward {i * 7919 % 10007} of Sopore asked for a water "
                        f"line {i * 104729 % 99991} and a road to village {i}."}
               for i in range(400)]
    path = write_jsonl(folder / "in.jsonl", records)
    return path, [f"{path}:{i}" for i in range(1, len(records) + 1)]


def _pages(folder: Path) -> tuple[Path, list[str]]:
    """96 HTML pages, read in the main process and sent to the workers in chunks."""
    pages = folder / "pages"
    pages.mkdir()
    for i in range(96):
        url = f"https://killed.example/page/{i}"
        (pages / f"{i:03d}.html").write_text(
            article_html(make_article(i), url, size=4_000), "utf-8")
    return pages, [str(p) for p in sorted(pages.iterdir())]


def _urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT url FROM articles ORDER BY id")]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("inputs", [_jsonl, _pages])
def test_a_killed_worker_ends_nothing_but_its_items_which_a_rerun_loads(
        tmp_path, run, db, monkeypatch, inputs):
    path, places = inputs(tmp_path)
    n = len(places)
    real_analyse, real_commit = analysis.analyse, Pipeline.commit
    killed: list[int] = []
    commits: list[None] = []

    def slow(raw, taxonomy):  # type: ignore[no-untyped-def]
        time.sleep(0.01)  # the workers, not the writer, are the bound: they hold tasks
        return real_analyse(raw, taxonomy)

    def commit(self, *args, **kw):  # type: ignore[no-untyped-def]
        # From the writer, at its 30th article (a watcher thread would run at the fork).
        commits.append(None)
        if len(commits) == 30:
            workers = [p.pid for p in active_children() if p.name == "backfill-worker"]
            killed.append(workers[0])  # type: ignore[arg-type]
            os.kill(workers[0], signal.SIGKILL)  # type: ignore[arg-type]
        return real_commit(self, *args, **kw)

    monkeypatch.setattr(analysis, "analyse", slow)  # the forked workers inherit it
    monkeypatch.setattr(Pipeline, "commit", commit)
    first = json.loads(run("backfill", "--jobs", "2", "--json", str(path)).stdout)
    assert killed, "the run ended before a worker was killed"
    failed = first["failed"]
    assert failed, "the killed worker held tasks"
    reason = (f"backfill worker process {killed[0]} was killed by SIGKILL while it had "
              "this input; run the backfill again to retry it")
    assert {f["reason"] for f in failed} == {reason}
    assert first["failed_by"] == {"worker": len(failed)}
    assert first["new"] + len(failed) == first["read"] == n
    assert {f["input"] for f in failed} <= set(places)
    assert stored_articles(db) == first["new"]

    monkeypatch.setattr(analysis, "analyse", real_analyse)
    monkeypatch.setattr(Pipeline, "commit", real_commit)
    again = json.loads(run("backfill", "--jobs", "2", "--json", str(path)).stdout)
    assert again["new"] == len(failed) and again["failed"] == []
    assert again["skipped"] == {"already loaded": first["new"]}
    urls = _urls(db)
    assert len(urls) == len(set(urls)) == n
