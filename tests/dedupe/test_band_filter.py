"""The band filter in front of the near-duplicate index never hides a stored copy (issue 3).

The writer keeps in memory which band keys may be stored and asks SQLite only for
those. A key it does not know of would make a copy look new: these tests write
copies by the paths that bypass this connection (another process, a batch, a
rollback, a table written behind the store's back) and check the copy is still found.
"""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import pytest

from monitor.store import Store, bandfilter
from monitor.store.bandfilter import BandFilter

from .test_store import ingest


def test_a_copy_of_what_another_process_stored_is_found(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store(path) as daemon, Store(path) as backfill:
        ingest(daemon, "market-day1", "https://c.example/market", "C")  # filter built now
        _, first = ingest(backfill, "wire-original", "https://a.example/bridge-1", "A")
        verdict, _ = ingest(daemon, "wire-syndicated", "https://b.example/sopore-bridge", "B")
        assert verdict.duplicate_of == first.article_id


def test_inside_a_batch_a_copy_of_what_another_process_stored_is_found(
    tmp_path: Path,
) -> None:
    path = tmp_path / "corpus.db"
    with Store(path) as daemon, Store(path) as backfill:
        ingest(daemon, "market-day1", "https://c.example/market", "C")
        _, first = ingest(backfill, "wire-original", "https://a.example/bridge-1", "A")
        with daemon.batch():  # checks for other writers once, at its start
            verdict, _ = ingest(daemon, "wire-syndicated", "https://b.example/sopore-bridge",
                                "B")
        assert verdict.duplicate_of == first.article_id


def test_a_copy_of_this_batchs_own_first_copy_is_found(tmp_path: Path) -> None:
    with Store(tmp_path / "corpus.db") as store:
        ingest(store, "market-day1", "https://c.example/market", "C")
        with store.batch():
            _, first = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
            verdict, _ = ingest(store, "wire-syndicated", "https://b.example/sopore-bridge",
                                "B")
        assert verdict.duplicate_of == first.article_id


def _table(keys: list[int]) -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE lsh_bands (key INTEGER, article_id INTEGER)")
    conn.execute("CREATE TABLE articles (id INTEGER PRIMARY KEY)")  # none: the build scans
    conn.executemany("INSERT INTO lsh_bands VALUES (?, 1)", [(k,) for k in keys])
    return conn


def _keys(rng: random.Random, n: int) -> list[int]:
    return [rng.getrandbits(64) - 2**63 for _ in range(n)]


def test_every_stored_key_passes_and_absent_ones_mostly_do_not() -> None:
    rng = random.Random(7)
    stored = _keys(rng, 20_000)
    conn = _table(stored)
    bands = BandFilter(conn)
    added = _keys(rng, 42)
    assert bands.may_be_stored(stored[:42]) == stored[:42]  # built from the table
    bands.add(added)  # as this connection writes them
    for start in range(0, len(stored), 42):
        assert list(bands.may_be_stored(stored[start:start + 42])) == stored[start:start + 42]
    assert list(bands.may_be_stored(added)) == added
    absent = _keys(rng, 4200)
    passed = sum(len(bands.may_be_stored(absent[i:i + 42])) for i in range(0, 4200, 42))
    assert passed < 42  # 20,000 keys set 0.06% of the slots


def test_once_dropped_it_reads_the_table_again() -> None:
    rng = random.Random(8)
    conn = _table([])
    bands = BandFilter(conn)
    late = _keys(rng, 42)
    assert list(bands.may_be_stored(late)) == []  # built: nothing stored
    conn.executemany("INSERT INTO lsh_bands VALUES (?, 2)", [(k,) for k in late])  # elsewhere
    bands.invalidate()  # what the store does when another connection committed
    assert list(bands.may_be_stored(late)) == late
    bands.invalidate()
    bands.build_seconds = 3600.0  # a rebuild would be slow: lookups go unfiltered meanwhile
    other = _keys(rng, 42)
    assert list(bands.may_be_stored(other)) == other


def test_a_corpus_too_large_for_it_is_looked_up_without_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bandfilter, "MAX_KEYS", 100)  # two articles' keys, not three
    with Store(tmp_path / "corpus.db") as store:
        ingest(store, "market-day1", "https://c.example/market", "C")
        ingest(store, "encounter-kulgam", "https://c.example/kulgam", "C")
        _, first = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
        assert store.candidates.bands.off
        verdict, _ = ingest(store, "wire-syndicated", "https://b.example/sopore-bridge", "B")
        assert verdict.duplicate_of == first.article_id
    with Store(tmp_path / "corpus.db") as store:  # reopened: off before it scans
        verdict, _ = ingest(store, "wire-syndicated", "https://d.example/sopore-bridge", "D")
        assert verdict.duplicate_of == first.article_id
        assert store.candidates.bands.off
