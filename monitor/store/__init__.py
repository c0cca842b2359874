"""The one place that speaks SQL: the corpus database, built on sqlite-utils.

`Store` opens (and on first use creates) the SQLite file, brings its schema forward
(`schema.py`), and offers the operations the rest of the package needs. It is split
per concern behind this one class:

    articles.py   write an ingest `Decision` in one transaction; pipeline lookups
    corpus.py     reads for export, show, search, stories and stats; prune
    sources.py    source state and health, fetch log, feed entries seen
    outbox.py     deliveries: alerts, summaries, health alerts, digests
    runtime.py    meta key/values: heartbeat, job runs, backfill checkpoints

Nothing outside `monitor.store` imports sqlite3 or sqlite_utils.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from ..errors import StoreError
from .articles import ArticleWrites, Saved
from .candidates import CandidateCache
from .corpus import CorpusReads
from .outbox import Outbox
from .runtime import Runtime
from .schema import migrations
from .sources import SourceState
from .sql import KEPT_IDS, atomic, ids_past_floors

__all__ = ["WAL_CHECKPOINT_PAGES", "Saved", "Store"]

WAL_CHECKPOINT_PAGES = 25_000  # see Store.__init__


class _Database(Database):
    """sqlite-utils' Database whose reads are safe beside a writer thread.

    The daemon shares one connection between the fetch cycle's writer (a batch
    transaction, with savepoints inside it) and the notify jobs' reads. sqlite-utils'
    `query` wraps each read in a savepoint of its own: from another thread that
    savepoint lands in the middle of the writer's stack, and releasing it either
    breaks the writer's next RELEASE or commits half of its batch. Our reads are
    plain SELECTs (and PRAGMAs): they start under the store's lock, without a
    savepoint, and their rows are read lazily as before.
    """

    lock: threading.RLock

    def query(  # type: ignore[override]
        self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None
    ) -> Iterator[dict[str, Any]]:
        with self.lock:
            cursor = self.conn.execute(sql, params if params is not None else ())
        if cursor.description is None:
            raise ValueError(f"query() is for statements that return rows: {sql[:60]!r}")
        keys = [d[0] for d in cursor.description]
        return (dict(zip(keys, row, strict=True)) for row in cursor)


class Store(ArticleWrites, CorpusReads, SourceState, Outbox, Runtime):
    """The corpus database: one connection, safe to share between threads.

    A process writes through one instance: writes from several threads are serialised
    by `self.lock`. SQLite's WAL mode lets other connections read meanwhile (the CLI
    beside a running daemon; the fetch cycle's own read-only instance, which must not
    wait for the writer's lock), and a writer in another process waits up to
    `busy_timeout` for its turn.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(self.path), check_same_thread=False, timeout=30)
            self.lock = threading.RLock()
            self.db = _Database(conn)
            self.db.lock = self.lock
            self.db.execute("PRAGMA busy_timeout = 30000")
            self.db.execute("PRAGMA journal_mode = WAL")
            self.db.execute("PRAGMA synchronous = NORMAL")
            # 64 MB of page cache (default 2 MB): the FTS and LSH band indexes are
            # written at random places, and a batch of saves touches many pages.
            self.db.execute("PRAGMA cache_size = -65536")
            # Fold the WAL back into the database every ~100 MB (25,000 pages), not every
            # 4 MB (SQLite's 1,000): a group commit rewrites most of the band index's
            # random leaf pages (10-15 MB), so at 1,000 every commit also ran a checkpoint
            # copying them again. Spaced out, a checkpoint copies each page once for many
            # commits: -1 ms of CPU a feed in the first fetch cycle (BENCHMARKS.md). The
            # price: the -wal file beside the database reaches ~100 MB between checkpoints,
            # and durability against a power cut needs a clock too (`checkpoint`).
            self.db.execute(f"PRAGMA wal_autocheckpoint = {WAL_CHECKPOINT_PAGES}")
            # A savepoint's statement journal (every page it changes: saves outside a
            # batch, sqlite-utils' writes) spilled to a temporary file past 64 KB, once
            # ~8 MB of file writes a feed and a third of the writer's CPU in the kernel.
            # It is a few pages: keep it in memory.
            self.db.execute("PRAGMA temp_store = MEMORY")
            migrations.apply(self.db)
        except (sqlite3.Error, OSError) as e:
            raise StoreError(f"{self.path}: cannot open the database: {e}") from e
        self.candidates = CandidateCache(conn)
        self.batching = self.batch_broken = False  # inside `batch()`: see there
        self.ids_past_floors = False  # for this batch: see `ArticleWrites._insert`
        self.unindexed_after = None
        self.fresh_leads = []

    @contextmanager
    def batch(self) -> Iterator[Store]:
        """One transaction around many saves (backfill, a fetch cycle's group commit).

        The batch is the unit: a save that fails inside it fails the whole batch,
        which is rolled back (its callers retry item by item or stop), so saves in a
        batch skip their own savepoints (two statements an article, issue 8). It
        begins IMMEDIATE: it holds the write lock from the start, so no other
        connection commits until it ends, and the candidate cache is checked once.
        A save that raised leaves the batch unable to commit: leaving the batch then
        rolls it back and raises StoreError, even if the caller caught the exception.
        Its new articles enter the full-text index together at its end
        (`index_pending_text`): a search on this connection inside the batch misses them;
        the stories it starts get their lead article there too (`set_fresh_leads`).
        """
        with self.lock:
            # Nested (inside a batch or another transaction): a savepoint in the outer one.
            outer = not (self.batching or self.db.conn.in_transaction)
            if outer:
                self.batching, self.batch_broken = True, False
            try:
                with atomic(self.db.conn, immediate=True):
                    if outer:
                        self.candidates.check()
                        self.unindexed_after = self.latest_article_id()
                        # No other writer commits until the batch ends (IMMEDIATE), and
                        # only `prune` moves a floor: checked once here.
                        self.ids_past_floors = ids_past_floors(self.db.conn, KEPT_IDS)
                    yield self
                    if outer and self.batch_broken:  # its exception was caught in the batch
                        raise StoreError("a save did not finish: the batch was rolled back")
                    if outer:
                        self.set_fresh_leads()
                        self.index_pending_text()
            except BaseException:
                self.candidates.clear()  # ids of rolled-back articles may be reused
                raise
            finally:
                if outer:
                    self.batching, self.unindexed_after, self.fresh_leads = False, None, []
                    self.ids_past_floors = False

    def checkpoint(self) -> None:
        """Copy the WAL's committed pages into the database file, and sync both.

        With `synchronous = NORMAL` a commit reaches the disk at the next checkpoint:
        a killed process loses nothing, a power cut loses what was committed since.
        Spaced by WAL size alone (`WAL_CHECKPOINT_PAGES`) that could be hours of a
        quiet daemon's commits, outbox marks included; the daemon calls this every
        `DURABLE_EVERY` seconds. PASSIVE: it waits for no reader and no writer.
        """
        with self.lock:
            self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        # Under the lock: closing a connection while another thread runs a statement
        # on it crashes the interpreter; a statement after closing raises instead.
        with self.lock:
            self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
