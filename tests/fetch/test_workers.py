"""Worker processes: same answers as inline, errors come back as themselves, a dead
worker costs only its own task, and closing ends them."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from monitor.app import App
from monitor.errors import ParseError
from monitor.fetch.cycle import Fetcher
from monitor.fetch.workers import RemoteTraceback, WorkerLost, Workers
from monitor.models import Body, RawItem

from .conftest import write_config
from .feeds import rss, summary
from .server import LoopbackServer


@pytest.fixture
def app(tmp_path) -> Iterator[App]:  # type: ignore[no-untyped-def]
    app = App.load(write_config(tmp_path / "monitor.toml", []))
    yield app
    app.close()


@pytest.fixture
def workers(app: App) -> Iterator[Workers]:
    pool = Workers(app.taxonomy, processes=1)
    yield pool
    pool.close(wait=True)


def raw_items(app: App, n: int) -> list[RawItem]:
    return [RawItem(source="s", body=Body.TEXT, content=summary(f"w{i}", 300),
                    dates=app.date_context(), url=f"http://news.example/{i}", origin="feed")
            for i in range(n)]


def test_answers_are_the_inline_ones(app: App, workers: Workers) -> None:
    body = rss("w", 5).encode()
    inline = Workers(app.taxonomy)
    assert workers.discover("feed", body, "", "http://x/", "s") == inline.discover(
        "feed", body, "", "http://x/", "s")
    items = raw_items(app, 3)
    assert workers.analyse(items) == inline.analyse(items)


def test_a_parse_error_comes_back_as_itself_and_the_worker_lives_on(workers: Workers) -> None:
    with pytest.raises(ParseError) as caught:
        workers.discover("feed", b"<html><body>news</body></html>", "text/html",
                         "http://x/", "s")
    e = caught.value
    assert (e.source, e.url, e.kind) == ("s", "http://x/", "parse")
    assert "not a feed" in e.message and isinstance(e.__cause__, RemoteTraceback)
    pid = workers.pids
    assert len(workers.discover("feed", rss("ok", 2).encode(), "", "http://x/", "s")
               .candidates) == 2
    assert workers.pids == pid


def test_a_killed_worker_costs_only_its_task(app: App, workers: Workers) -> None:
    workers.discover("feed", rss("warm", 1).encode(), "", "http://x/", "s")
    [pid] = workers.pids
    failed: list[BaseException] = []

    def long_task() -> None:
        try:
            workers.analyse(raw_items(app, 1500))
        except BaseException as e:
            failed.append(e)

    thread = threading.Thread(target=long_task)
    thread.start()
    time.sleep(0.3)  # the worker is analysing
    os.kill(pid, signal.SIGKILL)
    thread.join(30)
    assert failed and isinstance(failed[0], WorkerLost)
    assert len(workers.discover("feed", rss("after", 2).encode(), "", "http://x/", "s")
               .candidates) == 2
    assert workers.pids and workers.pids != [pid]


def test_closing_ends_the_processes(app: App) -> None:
    pool = Workers(app.taxonomy, processes=2)
    pool.discover("feed", rss("c", 1).encode(), "", "http://x/", "s")
    pids = pool.pids
    assert len(pids) == 2
    pool.close(wait=True)
    for pid in pids:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)


def test_a_cycle_with_workers_survives_sources_that_are_not_feeds(
        tmp_path, server: LoopbackServer) -> None:  # type: ignore[no-untyped-def]
    server.serve("/html", body=b"<html><body>news</body></html>", content_type="text/html")
    server.serve("/empty.xml", body=b"")
    for name in ("a", "b", "c"):
        server.serve(f"/{name}.xml", body=rss(name, 3).encode())
    names = ["html", "a", "empty", "b", "c"]
    paths = {"html": "/html", "empty": "/empty.xml"}
    sources = [{"name": n, "url": server.url(paths.get(n, f"/{n}.xml")), "full_text": False}
               for n in names]
    app = App.load(write_config(tmp_path / "monitor.toml", sources))
    fetcher = Fetcher(app, processes=2, alerts=False)
    try:
        results = {r.source: r for r in fetcher.run_cycle()}
    finally:
        fetcher.workers.close(wait=True)
        fetcher.close()
        app.close()
    assert results["html"].error is not None and results["html"].error.kind == "parse"
    assert results["empty"].error is not None and results["empty"].error.kind == "parse"
    assert [results[n].counts["new"] for n in "abc"] == [3, 3, 3]


def test_workers_run_behind_the_ordered_writer(workers: Workers) -> None:
    """The workers yield the cores to the parent (the writer that bounds a cycle)."""
    workers.discover("feed", rss("n", 1).encode(), "", "http://x/", "s")  # started
    parent = os.getpriority(os.PRIO_PROCESS, 0)
    if parent >= 19:
        pytest.skip("this test already runs at the lowest priority")
    assert workers.pids
    for pid in workers.pids:
        assert os.getpriority(os.PRIO_PROCESS, pid) > parent
