"""The daemon as a real subprocess: starts, fetches on schedule, reloads on SIGHUP,
refuses a second instance, and stops on SIGTERM within 10 s."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .conftest import ROOT, env_without_monitor
from .fetch.conftest import write_config
from .fetch.feeds import rss
from .fetch.server import LoopbackServer


def monitor(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "monitor", "--config", str(config), *args]


def env() -> dict[str, str]:
    return {**env_without_monitor(), "PYTHONPATH": str(ROOT)}


def wait_for(check, timeout: float = 15.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError("condition not met in time")


def articles(db: Path, source: str) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM articles WHERE source = ?",
                                [source]).fetchone()[0]
    except sqlite3.Error:
        return 0


def one_feed(srv: LoopbackServer, folder: Path, prefix: str) -> Path:
    """A config polling one 2-item feed ("a", at /a.xml) every second; its path."""
    srv.serve("/a.xml", body=rss(prefix, 2).encode())
    return write_config(folder / "monitor.toml", [{"name": "a", "url": srv.url("/a.xml"),
                                                    "full_text": False, "interval": "1s"}])


@contextmanager
def running_daemon(config: Path, cwd: Path) -> Iterator[subprocess.Popen[str]]:
    """`monitor run` on `config`, stopped on the way out (SIGTERM; killed if it hangs)."""
    proc = subprocess.Popen(monitor(config, "run"), env=env(), cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate(timeout=5)


def test_daemon_lifecycle(tmp_path: Path):
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("da", 3).encode(), etag='"a"')
        srv.serve("/b.xml", body=rss("db", 2).encode())
        config = write_config(tmp_path / "monitor.toml",
                              [{"name": "a", "url": srv.url("/a.xml"), "full_text": False,
                                "interval": "1s"}])
        db = tmp_path / "corpus.db"
        proc = subprocess.Popen(monitor(config, "run"), env=env(), cwd=tmp_path,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            wait_for(lambda: articles(db, "a") == 3)
            wait_for(lambda: len(srv.hits("/a.xml")) >= 3)  # on schedule, conditional
            assert srv.hits("/a.xml")[-1].get("If-None-Match") == '"a"'

            second = subprocess.run(monitor(config, "run"), env=env(), cwd=tmp_path,
                                    capture_output=True, text=True, timeout=30)
            assert second.returncode == 1
            assert "already running" in second.stderr

            status = subprocess.run(monitor(config, "status", "--json"), env=env(),
                                    cwd=tmp_path, capture_output=True, text=True, timeout=30)
            assert status.returncode == 0, status.stdout + status.stderr
            assert json.loads(status.stdout)["daemon"]["alive"] is True

            # SIGHUP: a bad configuration is reported and the old one kept...
            write_config(config, [{"name": "a", "url": srv.url("/a.xml")}], nonsense=1)
            proc.send_signal(signal.SIGHUP)
            time.sleep(1)
            # ...then a good one adds a source without a restart
            write_config(config, [
                {"name": "a", "url": srv.url("/a.xml"), "full_text": False, "interval": "1s"},
                {"name": "b", "url": srv.url("/b.xml"), "full_text": False, "interval": "1s"}])
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: articles(db, "b") == 2)

            started = time.monotonic()
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=10)
            assert time.monotonic() - started < 10
            assert proc.returncode == 0
        finally:
            if proc.poll() is None:
                proc.kill()
            _, err = proc.communicate(timeout=5)
        assert "reload failed" in err and "nonsense" in err, err
        status = subprocess.run(monitor(config, "status"), env=env(), cwd=tmp_path,
                                capture_output=True, text=True, timeout=30)
        assert status.returncode == 1 and "NOT RUNNING" in status.stdout


def test_status_names_failing_sources_and_why(tmp_path: Path):
    """`monitor status` lists what needs attention *and* what is failing, with the error."""
    with LoopbackServer() as srv:
        srv.serve("/ok.xml", body=rss("ok", 1).encode())
        srv.serve("/down.xml", status=500)
        srv.serve("/gone.xml", status=410)
        config = write_config(tmp_path / "monitor.toml", [
            {"name": name, "url": srv.url(f"/{name}.xml"), "full_text": False}
            for name in ("ok", "down", "gone")])
        fetched = subprocess.run(monitor(config, "fetch"), env=env(), cwd=tmp_path,
                                 capture_output=True, text=True, timeout=60)
        assert fetched.returncode in (0, 1), fetched.stderr
        report = subprocess.run(monitor(config, "status", "--json"), env=env(), cwd=tmp_path,
                                capture_output=True, text=True, timeout=30)
        text = subprocess.run(monitor(config, "status"), env=env(), cwd=tmp_path,
                              capture_output=True, text=True, timeout=30)
    status = json.loads(report.stdout)
    assert status["sources_needing_attention"] == ["gone"]
    assert [(f["name"], f["error_kind"], f["failures"]) for f in status["sources_failing"]] \
        == [("down", "http_status", 1)]
    assert "failing    source down: http_status:" in text.stdout
    assert "attention  source gone" in text.stdout
    assert "ok" not in [f["name"] for f in status["sources_failing"]]
