"""The daemon's database file deleted under it: the daemon stops with an error instead
of writing on into the unlinked file while `monitor status` says it is not running."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
from datetime import datetime
from pathlib import Path

from .fetch.conftest import write_config
from .fetch.feeds import rss
from .fetch.server import LoopbackServer
from .test_daemon import articles, env, monitor, wait_for


def beats(db: Path) -> int:
    """Seconds from the running daemon's start to its last heartbeat (0: not running)."""
    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'daemon'").fetchone()
    beat = json.loads(row[0]) if row else {}
    if beat.get("state") != "running" or not beat.get("heartbeat_at"):
        return 0
    return int((datetime.fromisoformat(beat["heartbeat_at"])
                - datetime.fromisoformat(beat["started_at"])).total_seconds())


def test_a_deleted_database_stops_the_daemon_with_an_error(tmp_path: Path):
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("dba", 2).encode())
        config = write_config(tmp_path / "monitor.toml",
                              [{"name": "a", "url": srv.url("/a.xml"), "full_text": False,
                                "interval": "1s"}])
        db = tmp_path / "corpus.db"
        proc = subprocess.Popen(monitor(config, "run"), env=env(), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            # (db.exists() first: connecting would create the file before the daemon does)
            wait_for(lambda: db.exists() and articles(db, "a") == 2, timeout=30)
            # A database the daemon created itself is its own: past a heartbeat, it runs.
            wait_for(lambda: beats(db) >= 2, timeout=30)
            assert proc.poll() is None, proc.communicate()[1]
            for name in ("corpus.db", "corpus.db-wal", "corpus.db-shm"):
                (tmp_path / name).unlink(missing_ok=True)
            # The next heartbeat (every 10 s) notices; generous against a hang only.
            proc.wait(timeout=45)
        finally:
            if proc.poll() is None:
                proc.kill()
            _, err = proc.communicate(timeout=5)
        assert proc.returncode == 1, err
        assert f"database {db} was deleted or replaced" in err


def test_a_deleted_lock_file_does_not_let_a_second_daemon_start(tmp_path: Path):
    """Deleting `<database>.lock` as a stale lock after a crash, while a daemon runs: the
    running daemon locks the path again at its next heartbeat, and a second daemon
    started after that refuses, as it would have before."""
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("lka", 2).encode())
        config = write_config(tmp_path / "monitor.toml",
                              [{"name": "a", "url": srv.url("/a.xml"), "full_text": False,
                                "interval": "1s"}])
        db, lock = tmp_path / "corpus.db", tmp_path / "corpus.db.lock"
        proc = subprocess.Popen(monitor(config, "run"), env=env(), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: db.exists() and articles(db, "a") == 2, timeout=30)
            lock.unlink()
            # The next heartbeat (every 10 s) takes it again; generous against a hang only.
            wait_for(lock.exists, timeout=30)
            second = subprocess.run(monitor(config, "run"), env=env(), cwd=tmp_path,
                                    capture_output=True, text=True, timeout=30)
            assert second.returncode == 1 and "already running" in second.stderr, \
                second.stderr
            assert proc.poll() is None
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate(timeout=5)
