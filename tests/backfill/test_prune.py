"""`monitor prune --older-than DAYS`: what goes, what is re-pointed, what the ledger keeps."""

from __future__ import annotations

import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from ..conftest import write_jsonl
from ..dedupe.test_story_index import assert_index_current
from .conftest import make_article, write_config

ALERTS = ('[[channels]]\nname = "console"\nkind = "console"\n\n'
          '[[alerts]]\nname = "topic"\nconcepts = ["Srinagar", "Jammu and Kashmir", '
          '"Line of Control", "Ladakh"]\nchannels = ["console"]\n')
TOPIC = " Officials in Srinagar said the Line of Control stayed calm this week."


def _day(days_ago: int) -> str:
    return (date.today() - timedelta(days=days_ago)).isoformat()


def _record(n: int, days_ago: int, *, url: str | None = None, text: str | None = None) -> dict:
    article = make_article(n, words=300)
    return {"url": url or f"https://ledger.example/news/{n}", "title": article.title,
            "published": _day(days_ago), "text": text or article.text + TOPIC}


def _corpus(tmp_path: Path) -> dict[str, str]:
    """Old first copies with kept and pruned copies, an updated article, bulk old text."""
    shared = make_article(1, words=300).text + TOPIC
    near = shared.replace(" said on ", " stated on ", 1) + " A late paragraph was added."
    write_jsonl(tmp_path / "a.jsonl", [
        _record(1, 400, text=shared),                                   # old first copy
        _record(1, 390, url="https://mirror.example/1", text=shared),   # old copy
        _record(1, 10, url="https://wire.example/1", text=shared),      # kept copy
        _record(2, 500),                                                # old, updated below
        _record(3, 5),                                                  # recent
        *[_record(100 + i, 700) for i in range(150)],                   # old bulk
    ])
    write_jsonl(tmp_path / "b.jsonl", [
        {**_record(2, 500), "text": make_article(2, words=300).text + " Updated." + TOPIC},
    ])
    write_jsonl(tmp_path / "c.jsonl", [_record(9, 2, url="https://late.example/9", text=near)])
    return {"shared": shared}


def _size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.glob(db.name + "*") if p.is_file())


def _one(conn: sqlite3.Connection, sql: str, *args: object) -> object:
    return conn.execute(sql, args).fetchone()[0]


def test_prune_removes_old_articles_and_keeps_the_rest_consistent(tmp_path, db, run, export):
    config = write_config(tmp_path / "monitor.toml", db, ALERTS)
    _corpus(tmp_path)
    run("backfill", str(tmp_path / "a.jsonl"), "--alerts", "--jobs", "1", config=config)
    run("backfill", str(tmp_path / "b.jsonl"), "--jobs", "1", config=config)
    with sqlite3.connect(db) as conn:
        first = _one(conn, "SELECT id FROM articles WHERE url = 'https://ledger.example/news/1'")
        kept = _one(conn, "SELECT id FROM articles WHERE url = 'https://wire.example/1'")
        assert _one(conn, "SELECT duplicate_of FROM articles WHERE id = ?", kept) == first
        assert _one(conn, "SELECT count(*) FROM article_versions") == 1
        pending = _one(conn, "SELECT count(*) FROM deliveries WHERE status = 'pending'")
        assert pending >= 1
        # One alert of an old article went out before the prune: the ledger keeps it.
        conn.execute("UPDATE deliveries SET status = 'sent', sent_at = '2025-01-01T00:00:00+00:00'"
                     " WHERE id = (SELECT min(d.id) FROM deliveries d JOIN articles a "
                     "ON a.id = d.article_id WHERE a.published_utc < ?)", [_day(300)])
    before = _size(db)
    out = run("prune", "--older-than", "365", config=config).stdout
    assert "pruned 153 article(s)" in out
    after = _size(db)
    assert after < before * 0.5, (before, after)

    with sqlite3.connect(db) as conn:
        ids = {r[0] for r in conn.execute("SELECT id FROM articles")}
        assert len(ids) == 2 and kept in ids
        for table in ("mentions", "lsh_bands", "article_versions"):
            orphans = _one(conn, f"SELECT count(*) FROM {table} WHERE article_id NOT IN "
                                 "(SELECT id FROM articles)")
            assert orphans == 0, table
        assert _one(conn, "SELECT count(*) FROM article_versions") == 0
        # The kept copy is now the first copy, and holds the near-duplicate index entries.
        assert _one(conn, "SELECT duplicate_of FROM articles WHERE id = ?", kept) is None
        assert _one(conn, "SELECT count(*) FROM lsh_bands WHERE article_id = ?", kept) > 0
        # Stories: none left empty, none pointing at a pruned lead.
        assert _one(conn, "SELECT count(*) FROM stories WHERE id NOT IN "
                          "(SELECT story_id FROM articles)") == 0
        assert _one(conn, "SELECT count(*) FROM stories WHERE lead_article_id NOT IN "
                          "(SELECT id FROM articles)") == 0
        # The ledger: every row kept, none linked to a pruned article, none left pending.
        rows = conn.execute("SELECT status, article_id, last_error_message FROM deliveries "
                            "WHERE article_id IS NULL OR article_id NOT IN "
                            "(SELECT id FROM articles)").fetchall()
        assert rows and all(article is None for _, article, _ in rows)
        assert ("sent", None, None) in rows
        assert {s for s, _, _ in rows} <= {"sent", "failed"}
        assert all(m == "article pruned before delivery" for s, _, m in rows if s == "failed")
        assert _one(conn, "SELECT count(*) FROM backfill_items WHERE article_id NOT IN "
                          "(SELECT id FROM articles)") == 0
        assert _one(conn, "PRAGMA integrity_check") == "ok"
        assert_index_current(conn)  # the story lookup's concept index, re-rooted copy included
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
    assert run("search", make_article(120, words=300).title, "--json",
               config=config).stdout.strip() == "[]"

    # A near copy arriving later still finds the kept copy through the index.
    run("backfill", str(tmp_path / "c.jsonl"), "--jobs", "1", config=config)
    late = next(r for r in export() if r["url"] == "https://late.example/9")
    assert late["duplicate_of"] == kept and late["dedup"]["method"] == "minhash"
    # Checkpoints stay: the same backfill again does not bring the pruned history back.
    again = json.loads(run("backfill", str(tmp_path / "a.jsonl"), "--jobs", "1", "--json",
                           config=config).stdout)
    assert again["new"] == 0 and again["skipped"]["already loaded"] == 155


def test_prune_with_nothing_old_changes_nothing(tmp_path, db, run):
    write_jsonl(tmp_path / "r.jsonl", [_record(3, 5)])
    run("backfill", str(tmp_path / "r.jsonl"))
    assert "pruned 0 article(s)" in run("prune", "--older-than", "30").stdout
    with sqlite3.connect(db) as conn:
        assert _one(conn, "SELECT count(*) FROM articles") == 1


def test_prune_waits_for_a_daemon_that_writes_meanwhile(tmp_path, monkeypatch):
    """prune reads the old ids, then writes: a daemon committing in between must make it
    wait its turn, not fail with 'database is locked'."""
    import threading

    from monitor.store import Store
    from monitor.store.corpus import CorpusReads

    from ..dedupe.test_store import ingest

    path = tmp_path / "corpus.db"
    daemon_wrote: list[str] = []

    def daemon_writes() -> None:
        with sqlite3.connect(path, timeout=10) as daemon:
            daemon.execute("INSERT INTO meta(key, value) VALUES ('heartbeat', 'now')")
        daemon_wrote.append("yes")

    real = CorpusReads._prune_repoint_copies

    def between_read_and_write(self):  # type: ignore[no-untyped-def]
        writer = threading.Thread(target=daemon_writes)
        writer.start()
        writer.join(1.0)  # it waits for prune's write lock, or commits now
        return real(self)

    with Store(path) as store:
        ingest(store, "wire-original", "https://a.example/bridge-1", "A")
        monkeypatch.setattr(CorpusReads, "_prune_repoint_copies", between_read_and_write)
        assert store.prune("2030-01-01T00:00:00+00:00")["articles"] == 1
    for _ in range(100):
        if daemon_wrote:
            break
        threading.Event().wait(0.05)
    assert daemon_wrote == ["yes"]


def test_a_pruned_articles_and_storys_ids_are_never_given_again(tmp_path, db, run):
    """The newest rows pruned (old history backfilled last): a later article must not
    take their ids, or its story's alert collides with the pruned story's ledger row
    (`alert:rule:channel:story:ID`) and is silently dropped."""
    config = write_config(tmp_path / "monitor.toml", db, ALERTS)
    write_jsonl(tmp_path / "old.jsonl", [_record(1, 800)])
    write_jsonl(tmp_path / "new.jsonl", [_record(2, 1)])
    run("backfill", str(tmp_path / "old.jsonl"), "--alerts", "--jobs", "1", config=config)
    with sqlite3.connect(db) as conn:
        old_article, old_story = conn.execute("SELECT id, story_id FROM articles").fetchone()
        conn.execute("UPDATE deliveries SET status = 'sent', sent_at = ?", [_day(700)])
    assert "pruned 1 article(s)" in run("prune", "--older-than", "365", config=config).stdout

    run("backfill", str(tmp_path / "new.jsonl"), "--alerts", "--jobs", "1", config=config)
    with sqlite3.connect(db) as conn:
        new_article, new_story = conn.execute("SELECT id, story_id FROM articles").fetchone()
        assert new_article > old_article and new_story > old_story
        ledger = conn.execute("SELECT story_id, status FROM deliveries ORDER BY id").fetchall()
    assert ledger == [(old_story, "sent"), (new_story, "pending")]
