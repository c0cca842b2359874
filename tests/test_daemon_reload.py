"""A SIGHUP reload leaves no fetcher behind: the replaced one is closed once its jobs end.

Each fetcher holds worker processes, a database connection and an HTTP pool; a daemon
reloaded every day must not collect them. The daemon is built in this process (its
`reload` is what SIGHUP runs) against a feed on a loopback server.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest

from monitor.daemon import Daemon
from monitor.store import Store

from .fetch.conftest import write_config
from .fetch.feeds import rss
from .fetch.server import LoopbackServer


def _closed(store: Store) -> bool:
    with store.lock:  # as every user of a store does: closing is under it too
        try:
            store.db.conn.execute("SELECT 1")
        except sqlite3.ProgrammingError:  # "Cannot operate on a closed database"
            return True
    return False


def _wait(check, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return check()


@pytest.fixture
def daemon(tmp_path: Path):  # type: ignore[no-untyped-def]
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("ra", 2).encode())
        config = write_config(tmp_path / "monitor.toml",
                              [{"name": "a", "url": srv.url("/a.xml"), "full_text": False}])
        d = Daemon(str(config), None)
        try:
            yield d
        finally:
            d.shutdown()


def test_a_reload_closes_the_replaced_fetcher(daemon: Daemon) -> None:
    first = daemon.fetcher
    daemon.reload()
    assert daemon.fetcher is not first
    assert _wait(lambda: _closed(first.reads))
    assert not _closed(daemon.fetcher.reads)
    daemon._fetch_job("a")  # the new fetcher works
    count = daemon.app.store.db.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    assert count == 2


def test_a_job_in_hand_keeps_the_replaced_fetcher_open_until_it_ends(daemon: Daemon) -> None:
    first = daemon.fetcher
    with first.in_use():  # a fetch job still running on the old fetcher
        daemon.reload()
        assert not _wait(lambda: _closed(first.reads), timeout=0.5)
        assert first.stop.is_set()  # it starts nothing new meanwhile
    assert _wait(lambda: _closed(first.reads))
