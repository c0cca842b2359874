"""JSONL read by the workers in byte ranges: same keys, messages and resume as one process."""

from __future__ import annotations

import json
import sqlite3
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from monitor.cli import cli

from ..conftest import kill_then_rerun


def _lines(n: int) -> bytes:
    """n articles with blank lines, bad lines, a CRLF line and no final newline."""
    out = []
    for i in range(n):
        record = {"url": f"https://ranges.example/{i}", "published": "2024-05-02",
                  "text": f"Item {i}: ward {i * 7919 % 10007} of Baramulla asked for "
                          f"water line {i * 104729 % 99991} and a road to village {i}."}
        out.append(json.dumps(record).encode())
        if i % 17 == 3:
            out.append(b"")
        if i % 29 == 5:
            out.append(b"{not json")
        if i % 31 == 7:
            out.append(b"   \t")
    text = b"\n".join(out)
    return text.replace(b"\n", b"\r\n", 1)  # no newline after the last line


def _backfill(db: Path, path: Path, *extra: str) -> dict:
    result = CliRunner().invoke(cli, ["--db", str(db), "backfill", str(path), "--json",
                                      *extra], catch_exceptions=False)
    return json.loads(result.stdout)


def _checkpoints(db: Path) -> set[tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        return set(conn.execute("SELECT item_key, outcome FROM backfill_items"))


def _urls(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT url FROM articles ORDER BY id")]


def test_workers_reading_ranges_match_one_process(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(_lines(150))
    one = _backfill(tmp_path / "one.db", path, "--jobs", "1")
    two = _backfill(tmp_path / "two.db", path, "--jobs", "2")
    assert two["new"] == one["new"] == 150
    assert two["failed"] == one["failed"]
    bad = [n for n, line in enumerate(path.read_bytes().split(b"\n"), 1)
           if line == b"{not json"]
    assert len(bad) == 5
    assert [f["input"] for f in two["failed"]] == [f"{path}:{n}" for n in bad]
    assert _checkpoints(tmp_path / "two.db") == _checkpoints(tmp_path / "one.db")
    assert _urls(tmp_path / "two.db") == _urls(tmp_path / "one.db")  # input order


def test_rerun_skips_each_checkpointed_line_and_reads_a_changed_one(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(_lines(100))
    db = tmp_path / "c.db"
    _backfill(db, path, "--jobs", "2")
    lines = path.read_bytes().split(b"\n")
    lines[50] = lines[50].replace(b"Baramulla", b"Sopore")  # line 51: a new version
    path.write_bytes(b"\n".join(lines))
    again = _backfill(db, path, "--jobs", "2")
    assert again["skipped"]["already loaded"] == 99
    assert again["updated"] == 1 and again["new"] == 0


@pytest.mark.timeout(180)
def test_killed_run_with_workers_resumes_without_loss_or_doubles(tmp_path):
    # Large enough that the kill lands mid-run on a fast machine too (batches commit
    # every second, so a small file could be done before the kill arrives).
    n = 1500
    path = tmp_path / "many.jsonl"
    path.write_bytes(_lines(n))
    db = tmp_path / "k.db"
    cmd = [sys.executable, "-m", "monitor", "--db", str(db), "backfill", str(path),
           "--jobs", "2"]
    partial, summary = kill_then_rerun(cmd, tmp_path, db)
    assert 0 < partial < n, "the kill should land mid-run"
    assert summary["skipped"].get("already loaded", 0) >= partial
    urls = _urls(db)
    assert len(urls) == len(set(urls)) == n
    assert urls == [f"https://ranges.example/{i}" for i in range(n)]  # input order


def test_an_unreadable_file_fails_with_workers_as_with_one_process(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_bytes(b"".join(b"{broken %d\n" % i for i in range(70)))
    for jobs in ("1", "2"):
        result = CliRunner().invoke(cli, ["--db", str(tmp_path / f"{jobs}.db"), "backfill",
                                          str(path), "--jobs", jobs], catch_exceptions=False)
        assert result.exit_code == 1, (jobs, result.output)
        assert "failed 70" in result.output and "skipped 0:" not in result.output
