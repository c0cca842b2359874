"""Shared fixtures: run the real CLI in-process, on a real SQLite file in tmp_path."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from monitor.cli import cli

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(autouse=True)
def _no_env_config(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Tests never read the developer's config or database by accident."""
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.delenv("MONITOR_DB", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The language model's cache goes to a temporary folder, never ~/.cache; one for the
    whole session, so the model is built once. XDG_CACHE_HOME too, for the subprocesses
    started without MONITOR_* variables (`env_without_monitor`)."""
    folder = tmp_path_factory.mktemp("xdg-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(folder))
        patch.setenv("MONITOR_CACHE_DIR", str(folder / "kashmir-monitor"))
        yield


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "corpus.db"


@pytest.fixture
def run(db: Path) -> Callable[..., Result]:
    """Run `monitor --db <tmp db> ARGS` in-process; returns click's Result."""

    def _run(*args: str, expect: int | None = 0, config: Path | None = None) -> Result:
        opts = ["--db", str(db)]
        if config is not None:
            opts = ["--config", str(config), *opts]
        result = CliRunner().invoke(cli, [*opts, *args], catch_exceptions=False)
        if expect is not None:
            assert result.exit_code == expect, result.output
        return result

    return _run


@pytest.fixture
def export(run: Callable[..., Result]) -> Callable[..., list[dict]]:
    def _export(*args: str) -> list[dict]:
        out = run("export", *args).stdout
        return [json.loads(line) for line in out.splitlines() if line.strip()]

    return _export


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


def env_without_monitor() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}


def stored_articles(db: Path) -> int:
    """Articles so far; 0 while a run has not created its tables yet."""
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.OperationalError:
        return 0


def kill_then_rerun(cmd: list[str], cwd: Path, db: Path) -> tuple[int, dict]:
    """Start `cmd` (a `monitor backfill`), SIGKILL it once 50 articles are stored, then run
    it again with `--json` to the end: the articles stored at the kill, and the summary."""
    env = {**env_without_monitor(), "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while stored_articles(db) < 50 and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = stored_articles(db)
    done = subprocess.run([*cmd, "--json"], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=150)
    assert done.returncode == 0, done.stderr
    return partial, json.loads(done.stdout)
