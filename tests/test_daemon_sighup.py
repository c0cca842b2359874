"""SIGHUP on a real daemon process: what a reload must apply, and what it must survive.

Each test runs `monitor run` as a subprocess against a loopback feed and a SQLite file
in tmp_path, its log in a file the test reads while it runs.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from monitor.config import PACKAGE_TAXONOMY

from .fetch.conftest import write_config
from .fetch.feeds import rss
from .fetch.server import LoopbackServer
from .test_daemon import articles, env, monitor, wait_for


@contextmanager
def daemon(config: Path, log: Path) -> Iterator[subprocess.Popen[str]]:
    """`monitor run` on `config`, logging to `log`; stopped with SIGTERM at the end."""
    with log.open("w", encoding="utf-8") as out:
        proc = subprocess.Popen(monitor(config, "run"), env=env(), cwd=config.parent,
                                stdout=out, stderr=subprocess.STDOUT, text=True)
        try:
            yield proc
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=15)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=5)


def with_taxonomy(config: Path, taxonomy: Path) -> None:
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("[monitor]\n", f'[monitor]\ntaxonomy = "{taxonomy}"\n', 1),
                      encoding="utf-8")


def test_a_broken_taxonomy_on_sighup_is_reported_and_the_daemon_keeps_polling(tmp_path: Path):
    taxonomy = tmp_path / "tax.toml"
    shutil.copy(PACKAGE_TAXONOMY, taxonomy)
    log, db = tmp_path / "daemon.log", tmp_path / "corpus.db"
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("ta", 2).encode())
        config = write_config(tmp_path / "monitor.toml", [
            {"name": "a", "url": srv.url("/a.xml"), "full_text": False, "interval": "1s"}])
        with_taxonomy(config, taxonomy)
        with daemon(config, log) as proc:
            wait_for(lambda: articles(db, "a") == 2)
            with taxonomy.open("a", encoding="utf-8") as f:
                f.write("\n[[[ this is not TOML\n")
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "reload failed" in log.read_text(encoding="utf-8"))
            polled = len(srv.hits("/a.xml"))
            wait_for(lambda: len(srv.hits("/a.xml")) >= polled + 2)  # still polling
            assert proc.poll() is None, log.read_text(encoding="utf-8")
        assert proc.returncode == 0, log.read_text(encoding="utf-8")
    text = log.read_text(encoding="utf-8")
    failed = next(line for line in text.splitlines() if "reload failed" in line)
    assert str(taxonomy) in failed and "not valid TOML" in failed, failed
    assert "Traceback" not in text, text


def test_a_changed_fetch_interval_applies_to_sources_without_their_own(tmp_path: Path):
    log = tmp_path / "daemon.log"
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("ia", 1).encode())
        sources: list[dict[str, object]] = [
            {"name": "a", "url": srv.url("/a.xml"), "full_text": False}]  # no interval
        config = write_config(tmp_path / "monitor.toml", sources, interval="60s")
        with daemon(config, log) as proc:
            wait_for(lambda: len(srv.hits("/a.xml")) >= 1)  # the first run, then 60 s
            write_config(config, sources, interval="1s")
            proc.send_signal(signal.SIGHUP)
            wait_for(lambda: "configuration reloaded" in log.read_text(encoding="utf-8"))
            polled = len(srv.hits("/a.xml"))
            # At the old interval no run would come before the wait gives up.
            wait_for(lambda: len(srv.hits("/a.xml")) >= polled + 3, timeout=20)
            assert proc.poll() is None, log.read_text(encoding="utf-8")
        assert proc.returncode == 0, log.read_text(encoding="utf-8")


def test_a_burst_of_sighups_is_one_reload(tmp_path: Path):
    """Ten HUPs in a second (a config tool signalling on every file it writes) reload
    once, after the burst, and what changed is applied: each reload replaced the fetcher
    and its worker processes, and a burst of them starved the fetches."""
    with LoopbackServer() as srv:
        srv.serve("/a.xml", body=rss("ha", 2).encode())
        srv.serve("/b.xml", body=rss("hb", 3).encode())
        a = {"name": "a", "url": srv.url("/a.xml"), "full_text": False, "interval": "1s"}
        config = write_config(tmp_path / "monitor.toml", [a])
        log = tmp_path / "daemon.log"
        with daemon(config, log) as proc:
            wait_for(lambda: articles(tmp_path / "corpus.db", "a") == 2, timeout=30)
            write_config(config, [a, {"name": "b", "url": srv.url("/b.xml"),
                                      "full_text": False, "interval": "1s"}])
            for _ in range(10):
                proc.send_signal(signal.SIGHUP)
                time.sleep(0.1)
            wait_for(lambda: articles(tmp_path / "corpus.db", "b") == 3, timeout=30)
        assert proc.returncode == 0
    assert log.read_text(encoding="utf-8").count("configuration reloaded") == 1
