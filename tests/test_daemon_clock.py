"""The daemon when the wall clock went back: a source last fetched "in the future"
(stamped while the clock ran ahead) is still polled, not left waiting for the clock to
catch up with it."""

from __future__ import annotations

import json
import sqlite3
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

from .fetch.conftest import write_config
from .fetch.server import LoopbackServer
from .test_daemon import env, monitor, one_feed, running_daemon, wait_for


def test_a_source_stamped_ahead_of_the_clock_is_polled_after_a_restart(tmp_path: Path):
    with LoopbackServer() as srv:
        config = one_feed(srv, tmp_path, "ca")
        fetched = subprocess.run(monitor(config, "fetch"), env=env(), cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
        assert fetched.returncode == 0, fetched.stderr
        # What a daemon leaves behind when the clock was a year ahead at its last poll.
        with sqlite3.connect(tmp_path / "corpus.db") as conn:
            ahead = datetime.now(UTC) + timedelta(days=365)
            conn.execute("UPDATE sources SET last_fetch_at = ?, next_due_at = ?",
                         [ahead.isoformat(), (ahead + timedelta(seconds=1)).isoformat()])
        before = len(srv.hits("/a.xml"))
        with running_daemon(config, tmp_path):
            wait_for(lambda: len(srv.hits("/a.xml")) > before, timeout=20)


def test_a_heartbeat_from_the_future_is_not_a_live_daemon(tmp_path: Path):
    """A daemon that died while the clock ran a year ahead, on another host (a container
    since replaced), so that its pid cannot be checked here: `monitor status` says it is
    not running, not "alive, last heartbeat 0s ago" for a year."""
    config = write_config(tmp_path / "monitor.toml", [])
    created = subprocess.run(monitor(config, "status"), env=env(), cwd=tmp_path,
                             capture_output=True, text=True, timeout=30)
    assert created.returncode == 1, created.stderr
    ahead = (datetime.now(UTC) + timedelta(days=365)).isoformat()
    beat = {"pid": 1, "host": "another-container", "state": "running", "started_at": ahead,
            "heartbeat_at": ahead, "interval": 10.0, "sources": 0}
    with sqlite3.connect(tmp_path / "corpus.db") as conn:
        conn.execute("INSERT INTO meta(key, value) VALUES ('daemon', ?) ON CONFLICT(key) "
                     "DO UPDATE SET value = excluded.value", [json.dumps(beat)])
    status = subprocess.run(monitor(config, "status", "--json"), env=env(), cwd=tmp_path,
                            capture_output=True, text=True, timeout=30)
    assert status.returncode == 1, status.stdout + status.stderr
    assert json.loads(status.stdout)["daemon"]["alive"] is False
