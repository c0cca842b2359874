"""The daemon's database file deleted under it: the daemon stops with an error instead
of writing on into the unlinked file while `monitor status` says it is not running."""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from monitor.daemon import GUARD_EVERY

from .fetch.server import LoopbackServer
from .test_daemon import articles, env, monitor, one_feed, running_daemon, wait_for


def test_a_deleted_database_stops_the_daemon_with_an_error(tmp_path: Path):
    with LoopbackServer() as srv:
        config = one_feed(srv, tmp_path, "dba")
        db = tmp_path / "corpus.db"
        with running_daemon(config, tmp_path) as proc:
            # (db.exists() first: connecting would create the file before the daemon does)
            wait_for(lambda: db.exists() and articles(db, "a") == 2, timeout=30)
            # A database the daemon created itself is its own: it keeps running past a
            # few checks (one a second).
            time.sleep(3 * GUARD_EVERY)
            assert proc.poll() is None, proc.communicate()[1]
            for name in ("corpus.db", "corpus.db-wal", "corpus.db-shm"):
                (tmp_path / name).unlink(missing_ok=True)
            # The next check notices; generous against a hang only.
            _, err = proc.communicate(timeout=45)
        assert proc.returncode == 1, err
        assert f"database {db} was deleted or replaced" in err


def test_a_deleted_lock_file_does_not_let_a_second_daemon_start(tmp_path: Path):
    """Deleting `<database>.lock` as a stale lock after a crash, while a daemon runs: the
    running daemon locks the path again at its next heartbeat, and a second daemon
    started after that refuses, as it would have before."""
    with LoopbackServer() as srv:
        config = one_feed(srv, tmp_path, "lka")
        db, lock = tmp_path / "corpus.db", tmp_path / "corpus.db.lock"
        with running_daemon(config, tmp_path) as proc:
            wait_for(lambda: db.exists() and articles(db, "a") == 2, timeout=30)
            lock.unlink()
            # The next check takes it again; generous against a hang only.
            wait_for(lock.exists, timeout=30)
            second = subprocess.run(monitor(config, "run"), env=env(), cwd=tmp_path,
                                    capture_output=True, text=True, timeout=30)
            assert second.returncode == 1 and "already running" in second.stderr, \
                second.stderr
            assert proc.poll() is None
