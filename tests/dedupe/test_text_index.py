"""The full-text index (`monitor search`) holds every stored article, saved alone or in a batch.

New articles are indexed by the store, not by a trigger: one at a time outside a
batch, all of a batch's at its end (issue 8). These tests save by each path, with a
new version at the same URL inside the batch that first stored it and a batch that
rolls back, and check that search finds what is stored and nothing else, and that
FTS5's own check agrees that the index equals the rows.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from monitor.store import Store

from .test_story_index import _save, _tagging


def assert_index_equals_rows(conn: sqlite3.Connection) -> None:
    indexed = [r[0] for r in conn.execute("SELECT id FROM articles_fts_docsize ORDER BY id")]
    assert indexed == [r[0] for r in conn.execute("SELECT id FROM articles ORDER BY id")]
    # rank 1: also compare each indexed row with the content table's current text
    conn.execute("INSERT INTO articles_fts(articles_fts, rank) VALUES ('integrity-check', 1)")


def _found(store: Store, word: str) -> list[int]:
    return sorted(r["id"] for r in store.search(word))


def test_articles_saved_alone_are_searchable(tmp_path: Path) -> None:
    with Store(tmp_path / "corpus.db") as store:
        bridge = _save(store, "wire-original", "https://a.example/bridge", _tagging("sopore"))
        court = _save(store, "report-own-b", "https://b.example/psa", _tagging())
        assert _found(store, "Ladoora") == [bridge.article_id]
        assert _found(store, "quashed") == [court.article_id]
        assert_index_equals_rows(store.db.conn)


def test_a_batch_is_searchable_after_it_ends_with_new_versions_replacing_old_text(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "corpus.db") as store:
        before = _save(store, "encounter-kulgam", "https://c.example/kulgam", _tagging())
        with store.batch():
            bridge = _save(store, "wire-original", "https://a.example/bridge", _tagging())
            market = _save(store, "market-day1", "https://d.example/market", _tagging())
            # The same URL again in the same batch, with other text: a new version of an
            # article the index has not taken in yet.
            again = _save(store, "report-own-b", "https://a.example/bridge", _tagging())
            assert (again.article_id, again.status) == (bridge.article_id, "updated")
            late = _save(store, "encounter-sopore", "https://e.example/sopore", _tagging())
        assert_index_equals_rows(store.db.conn)
        assert _found(store, "Ladoora") == []  # the first version's words are gone
        assert _found(store, "quashed") == [bridge.article_id]
        assert _found(store, "Redwani") == [before.article_id]
        assert _found(store, "Sensex") == [market.article_id]
        assert _found(store, "Hardshiva") == [late.article_id]


def test_a_rolled_back_batch_leaves_no_index_entries_and_the_next_batch_indexes(
    tmp_path: Path,
) -> None:
    with Store(tmp_path / "corpus.db") as store:
        kept = _save(store, "encounter-kulgam", "https://c.example/kulgam", _tagging())
        with pytest.raises(RuntimeError), store.batch():
            _save(store, "wire-original", "https://a.example/bridge", _tagging())
            raise RuntimeError("the writer stopped mid-batch")
        assert_index_equals_rows(store.db.conn)
        assert _found(store, "Ladoora") == []
        with store.batch():
            bridge = _save(store, "wire-original", "https://a.example/bridge", _tagging())
        assert _found(store, "Ladoora") == [bridge.article_id]
        assert kept.article_id != bridge.article_id
        assert_index_equals_rows(store.db.conn)
