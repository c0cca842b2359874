"""A fetch cycle killed mid-run loses and doubles nothing: group commits are whole.

`monitor fetch` over 30 feeds (so it parses in worker processes and commits sources
in groups) is SIGKILLed once some articles are stored; the next cycle stores the
rest. Every item must be stored once and every feed entry marked once.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import ROOT, env_without_monitor
from .conftest import write_config
from .feeds import rss
from .server import LoopbackServer

FEEDS, ITEMS = 30, 30


def count(db: Path, sql: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute(sql).fetchone()[0])
    except sqlite3.OperationalError:
        return 0


@pytest.mark.timeout(240)
def test_killed_fetch_cycle_resumes_without_loss_or_doubles(tmp_path: Path,
                                                            server: LoopbackServer) -> None:
    server.record = False
    for i in range(FEEDS):
        server.serve(f"/k{i}.xml", body=rss(f"k{i}", ITEMS).encode(), etag=f'"k{i}"')
    config = write_config(tmp_path / "monitor.toml", [
        {"name": f"k{i}", "url": server.url(f"/k{i}.xml"), "full_text": False}
        for i in range(FEEDS)], timeout="30s")
    db = tmp_path / "corpus.db"
    cmd = [sys.executable, "-m", "monitor", "--config", str(config), "fetch", "--no-alerts"]
    env = {**env_without_monitor(), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    while (count(db, "SELECT count(*) FROM articles") == 0 and proc.poll() is None
           and time.monotonic() < deadline):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = count(db, "SELECT count(*) FROM articles")
    assert 0 < partial < FEEDS * ITEMS, "the kill should land mid-cycle"
    # every source's items came with their entry marks, or neither did
    assert count(db, "SELECT count(*) FROM feed_entries") == partial
    done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=180)
    assert done.returncode == 0, done.stderr
    assert count(db, "SELECT count(*) FROM articles") == FEEDS * ITEMS
    assert count(db, "SELECT count(DISTINCT url) FROM articles") == FEEDS * ITEMS
    assert count(db, "SELECT count(*) FROM feed_entries") == FEEDS * ITEMS
    assert count(db, "SELECT count(*) FROM article_versions") == 0
