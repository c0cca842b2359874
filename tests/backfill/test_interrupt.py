"""Ctrl-C during a backfill: complete items are kept, a save is never cut in half.

Saves inside a batch have no savepoint of their own, so these tests interrupt one in
the middle (a real SIGINT, delivered between an article's row and its index entries)
and check that what is stored is whole, and that a batch whose save failed is never
committed even when its caller catches the error. A daemon beside a backfill must be
able to write while the backfill waits for input.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
from pathlib import Path

import pytest

from monitor import backfill
from monitor.errors import StoreError
from monitor.store import Store
from monitor.store.articles import ArticleWrites

from ..conftest import stored_articles, write_jsonl
from ..dedupe.test_store import ingest, record

RECORDS = [
    record("https://wire.example/bridge", "Wire", "wire-original", "2024-10-14T10:00:00+05:30"),
    record("https://biz.example/close-1", "Biz", "market-day1", "2024-03-13T16:00:00+05:30"),
    record("https://wire.example/hc-psa", "Wire", "report-agency-a", "2023-06-09T13:00:00+05:30"),
]


def _whole(db: Path) -> list[tuple[str, int, bool]]:
    """Each stored article's URL, its band rows, and whether its story leads with it."""
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT a.url, (SELECT count(*) FROM lsh_bands b WHERE b.article_id = a.id), "
            "s.lead_article_id = a.id FROM articles a JOIN stories s ON s.id = a.story_id "
            "ORDER BY a.id").fetchall()


def test_ctrl_c_in_the_middle_of_a_save_keeps_whole_articles(tmp_path, run, db, monkeypatch):
    write_jsonl(tmp_path / "in.jsonl", RECORDS)
    real, calls = ArticleWrites._write_index, []

    def interrupted_halfway(self, article_id, decision, **kw):  # type: ignore[no-untyped-def]
        calls.append(article_id)
        if len(calls) == 2:  # the user presses Ctrl-C while the 2nd article is being saved
            os.kill(os.getpid(), signal.SIGINT)
        return real(self, article_id, decision, **kw)

    monkeypatch.setattr(ArticleWrites, "_write_index", interrupted_halfway)
    out = run("backfill", "--jobs", "1", str(tmp_path / "in.jsonl"), expect=None)
    assert "interrupted" in out.output.lower()
    stored = _whole(db)
    assert [url for url, _, _ in stored] == [r["url"] for r in RECORDS[:2]]
    assert all(bands > 0 and leads for _, bands, leads in stored), stored

    monkeypatch.setattr(ArticleWrites, "_write_index", real)
    again = run("backfill", "--jobs", "1", str(tmp_path / "in.jsonl")).output
    assert "already loaded" in again
    assert [url for url, _, _ in _whole(db)] == [r["url"] for r in RECORDS]


def test_a_batch_whose_save_failed_never_commits(tmp_path: Path, monkeypatch) -> None:
    with Store(tmp_path / "corpus.db") as store:
        def broken(self, article_id, decision, **kw):  # type: ignore[no-untyped-def]
            raise KeyboardInterrupt

        with pytest.raises(StoreError, match="rolled back"), store.batch():
            ingest(store, "wire-original", "https://a.example/bridge-1", "A")
            monkeypatch.setattr(ArticleWrites, "_write_index", broken)
            # A caller that swallows the error must not get half a save committed.
            with contextlib.suppress(KeyboardInterrupt):
                ingest(store, "market-day1", "https://c.example/market", "C")
        assert stored_articles(tmp_path / "corpus.db") == 0


def test_a_daemon_can_write_while_a_backfill_waits_for_input(tmp_path, run, db, monkeypatch):
    """The backfill's transaction holds the write lock: it begins once an item is there."""
    write_jsonl(tmp_path / "in.jsonl", RECORDS[:1])
    real_not_done, writes = backfill._not_done, []

    def slow_input(*args, **kw):  # type: ignore[no-untyped-def]
        # While the backfill waits for its first item, another process writes.
        with sqlite3.connect(db, timeout=0.2) as daemon:
            daemon.execute("INSERT INTO meta(key, value) VALUES ('probe', 'x')")
        writes.append("ok")
        yield from real_not_done(*args, **kw)

    monkeypatch.setattr(backfill, "_not_done", slow_input)
    run("backfill", "--jobs", "1", str(tmp_path / "in.jsonl"))
    assert writes == ["ok"] and stored_articles(db) == 1
