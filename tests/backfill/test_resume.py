"""An interrupted URL backfill (real subprocess, SIGKILL) resumes and fetches nothing twice.

Counted at the loopback server: the site answers the first pages, then holds every
further page request unanswered; the backfill is killed while those wait. After the
rerun, every document (robots.txt, the sitemap index, the news sitemaps, each
article page) has been delivered exactly once (a request the kill cut off before
any byte of its answer is asked again: nothing of it was fetched), and every
article is stored exactly once.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..conftest import ROOT, env_without_monitor, stored_articles
from .conftest import build_news_site
from .server import Site

ANSWERED = 24  # pages delivered before the site holds the rest


def _no_orphans(db: Path) -> None:
    """The killed run's worker processes notice and exit on their own."""
    deadline = time.monotonic() + 10
    while True:
        left = []
        for proc in Path("/proc").iterdir():
            try:
                if proc.name.isdigit() and str(db).encode() in (proc / "cmdline").read_bytes():
                    left.append(proc.name)
            except OSError:
                continue
        if not left or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert not left, f"worker processes outlived their killed parent: {left}"


def _kill_mid_run(cmd: list[str], env: dict[str, str], cwd: Path, site: Site, db: Path) -> None:
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None and not (
            stored_articles(db) >= 3 and sum(site.delivered.values()) >= ANSWERED + 3):
        time.sleep(0.02)
    time.sleep(0.3)  # what was delivered reaches the spool; the held requests wait on
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.mark.timeout(120)
def test_killed_url_backfill_resumes_without_refetching(tmp_path, db, config):
    with Site(delay=0.02) as site:
        pages = build_news_site(site, per_month=30)
        expected = len([p for p in pages if not p.startswith("/private/")])
        cmd = [sys.executable, "-m", "monitor", "--config", str(config), "--db", str(db),
               "backfill", site.root, "--json"]
        env = {**env_without_monitor(), "PYTHONPATH": str(ROOT)}
        site.hold_pages_after(ANSWERED)
        _kill_mid_run(cmd, env, tmp_path, site, db)
        partial = stored_articles(db)
        assert 0 < partial < expected, "the kill should land mid-run"
        _no_orphans(db)
        spooled = list(Path(str(db) + ".spool").rglob("*"))
        site.release()
        delivered_before = sum(site.delivered.values())
        done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=90)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["new"] == expected - partial
        assert summary["skipped"]["already loaded"] == partial
        assert summary["fetches"] == sum(site.delivered.values()) - delivered_before
        twice = {p: n for p, n in site.delivered.items() if n > 1}
        assert twice == {}, f"delivered twice: {twice}"
        assert site.delivered["/robots.txt"] == 1 and site.delivered["/sitemap-index.xml"] == 1
        assert all(site.delivered[p] == 1 for p in pages if not p.startswith("/private/"))
    assert spooled, "the interrupted run left its fetched documents in the spool"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT count(*), count(DISTINCT url) FROM articles").fetchone()
    assert rows == (expected, expected)
    assert not Path(str(db) + ".spool").exists(), "a completed run leaves no spool behind"


@pytest.mark.timeout(120)
def test_ctrl_c_lets_requests_in_flight_land_then_resumes(tmp_path, db, config):
    with Site(delay=0.02) as site:
        pages = build_news_site(site, per_month=15)
        expected = len([p for p in pages if not p.startswith("/private/")])
        cmd = [sys.executable, "-m", "monitor", "--config", str(config), "--db", str(db),
               "backfill", site.root, "--json"]
        env = {**env_without_monitor(), "PYTHONPATH": str(ROOT)}
        site.hold_pages_after(10)
        proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, text=True)
        deadline = time.monotonic() + 60
        while sum(site.hits.values()) < 18 and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGINT)
        time.sleep(0.3)
        site.release()  # the requests in flight get their answers...
        out, _ = proc.communicate(timeout=60)
        assert proc.returncode == 130
        assert json.loads(out)["interrupted"] is True
        done = subprocess.run(cmd, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=90)
        assert done.returncode == 0, done.stderr
        # ...and were kept: nothing is asked twice.
        assert {p: n for p, n in site.hits.items() if n > 1} == {}
    assert stored_articles(db) == expected
