"""The writer's candidate cache never serves a stale stored article (issue 8).

The store keeps decoded first copies between lookups; these tests change the rows
behind its back (another process, an update at the same URL) and check that the
next lookup sees the rows as they are.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from monitor.dedupe import STORY_WINDOW
from monitor.models import Mention, Tagging
from monitor.store import Store

from .test_store import NOON, ingest


def _story_candidate(store: Store, article_id: int):
    found = store.story_candidates(NOON, STORY_WINDOW, (), ())
    return next(c for c in found if c.article_id == article_id)


LADAKH = Tagging(mentions=(Mention("ladakh", "Ladakh", "text", 0, 6, "Ladakh"),),
                 concepts=("ladakh",), related=True, relevance=0.5)


def _untagged_article(store: Store) -> int:
    _, saved = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
    assert _story_candidate(store, saved.article_id).concepts == ()
    return saved.article_id


def test_a_retag_by_another_process_is_seen(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store(path) as daemon, Store(path) as retag:
        article_id = _untagged_article(daemon)
        retag.apply_retag([(article_id, LADAKH)], "other-taxonomy")
        assert _story_candidate(daemon, article_id).concepts == ("ladakh",)


def test_an_updated_article_is_read_again(tmp_path: Path) -> None:
    with Store(tmp_path / "corpus.db") as store:
        _, first = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
        before = _story_candidate(store, first.article_id)
        _, again = ingest(store, "report-own-b", "https://a.example/bridge-1", "A")
        assert (again.article_id, again.status) == (first.article_id, "updated")
        after = _story_candidate(store, first.article_id)
        assert after.signature != before.signature


def _bands(store: Store, article_id: int) -> list[int]:
    return [r[0] for r in store.db.execute(
        "SELECT key FROM lsh_bands WHERE article_id = ?", [article_id])]


def test_copies_keep_their_fields(tmp_path: Path) -> None:
    """What the cache hands out for a just-saved article equals a fresh read."""
    path = tmp_path / "corpus.db"
    with Store(path) as store:
        _, saved = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
        cached = _story_candidate(store, saved.article_id)
        near = store.articles_by_bands(_bands(store, saved.article_id))
    with Store(path) as fresh:
        assert _story_candidate(fresh, saved.article_id) == cached
        assert fresh.articles_by_bands(_bands(fresh, saved.article_id)) == near


def test_a_full_cache_still_returns_every_candidate(tmp_path: Path) -> None:
    """Reading the misses evicts the oldest entries: not the ones this lookup found."""
    with Store(tmp_path / "corpus.db") as store:
        ids = [ingest(store, name, f"https://{site}.example/{name}", site)[1].article_id
               for name, site in (("wire-original", "a"), ("report-own-b", "b"),
                                  ("market-day1", "c"))]
        store.candidates.clear()
        store.candidates.size = 2
        store.candidates.get(ids[1:])  # full, oldest first: ids[1], ids[2]
        found = [c.article_id for c in store.story_candidates(NOON, STORY_WINDOW, (), ())]
        assert found == ids


def test_a_failed_batch_leaves_nothing_behind(tmp_path: Path) -> None:
    """Saves in a batch have no savepoints of their own: a failure undoes the batch,
    and the articles it had saved are neither stored nor handed out as candidates."""
    with Store(tmp_path / "corpus.db") as store:
        try:
            with store.batch():
                _, saved = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
                assert _story_candidate(store, saved.article_id).article_id == saved.article_id
                raise RuntimeError("the disk filled up")
        except RuntimeError:
            pass
        assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert store.story_candidates(NOON, STORY_WINDOW, (), ()) == []
        # The id is reused by the next article, which is the one handed out.
        _, other = ingest(store, "market-day1", "https://c.example/market", "C")
        assert other.article_id == saved.article_id
        near = store.articles_by_bands(_bands(store, other.article_id))
        assert [c.canonical_url for c in near] == ["https://c.example/market"]


def test_another_process_waits_for_a_batch_and_is_seen_by_the_next(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store(path) as daemon, Store(path) as retag:
        article_id = _untagged_article(daemon)
        retag.db.execute("PRAGMA busy_timeout = 50")
        with daemon.batch():  # holds the write lock from its start
            try:
                retag.apply_retag([(article_id, LADAKH)], "other-taxonomy")
            except sqlite3.OperationalError as e:
                assert "locked" in str(e)
            else:
                raise AssertionError("another process wrote in the middle of a batch")
        retag.apply_retag([(article_id, LADAKH)], "other-taxonomy")
        with daemon.batch():
            assert _story_candidate(daemon, article_id).concepts == ("ladakh",)


def test_a_copy_of_what_another_process_stored_is_found(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store(path) as daemon, Store(path) as backfill:
        ingest(daemon, "market-day1", "https://c.example/market", "C")  # its caches warm
        _, first = ingest(backfill, "wire-original", "https://a.example/bridge-1", "A")
        verdict, _ = ingest(daemon, "wire-syndicated", "https://b.example/sopore-bridge", "B")
        assert verdict.duplicate_of == first.article_id
        _, second = ingest(backfill, "encounter-kulgam", "https://a.example/kulgam", "A")
        with daemon.batch():  # checks for other writers once, at its start
            verdict, _ = ingest(daemon, "encounter-kulgam", "https://e.example/kulgam", "E")
        assert verdict.duplicate_of == second.article_id
