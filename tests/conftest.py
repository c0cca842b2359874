"""Shared fixtures: run the real CLI in-process, on a real SQLite file in tmp_path."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
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
