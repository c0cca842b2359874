"""Which LSH band keys may be in `lsh_bands`: a byte slot per hashed key, in memory (issue 3).

A near-duplicate lookup asks the band index for an article's 42 band keys. Most new
articles share none of them with the corpus, and each absent key still costs
SQLite a B-tree descent: in the fetch bench no lookup found a row, and the 42
descents were a quarter of the ordered writer (0.13 ms an item). This filter
answers "surely absent" for most keys in a few microseconds, so the lookup asks
SQLite only for the keys that may be stored, and skips the statement when none may.

It has no false negatives, which the dedupe stage's correctness rests on:
- it is built by scanning every stored key, after the store checked that no other
  connection committed since its last look (`CandidateCache.check`);
- this connection adds every key it writes (`add`), before its transaction commits
  (a key of a rolled-back article stays set: a false positive, harmless);
- when another connection commits, or this one changes the corpus wholesale (retag,
  prune), the cache's `clear()` drops the filter, and the next lookup rebuilds it.
A rebuild scans the table (about a second per million keys); if the filter is
dropped again soon after, lookups go unfiltered for a while rather than rescanning
on every commit of a busy neighbour (a backfill beside the daemon).

Deleted keys keep their slots (false positives until the next rebuild). Memory: 2**25
one-byte slots (32 MB). With 1.3 million keys (30,000 first copies) 4% of the slots
are set and a lookup asks SQLite for ~1.6 keys of 42. Past MAX_KEYS (~140,000
first copies) a lookup would still ask for a fifth of its keys and a rebuild would
take seconds: the filter turns itself off for the connection, and every lookup asks
SQLite for all its keys, as it did before the filter.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Sequence
from itertools import chain

import numpy as np

__all__ = ["BandFilter"]

SLOTS_LOG2 = 25  # 32 MB: a byte a slot (a bit a slot cost more Python than it saved)
MAX_KEYS = 6_000_000  # past this many keys, 17% of the slots are set: off
REBUILD_PAUSE = 10.0  # after a rebuild, go unfiltered for this many times its duration
_MASK = (1 << SLOTS_LOG2) - 1
_SET = np.uint8(1)  # assigning a Python 1 converts it each time: 22 us instead of 1.4
_SCAN_CHUNK = 65536
_KEYS_AN_ARTICLE = 42  # dedupe.fingerprint.BANDS (the store imports no stage)


class BandFilter:
    """A Bloom filter: one byte a slot, one hash (the low bits: band keys are hashes)."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.slots: np.ndarray | None = None  # None: not built, dropped, or off
        self.keys = 0  # keys set since the last build, those of the build included
        self.off = False  # the corpus outgrew it (MAX_KEYS)
        self.built_at = -float("inf")
        self.build_seconds = 0.0

    def invalidate(self) -> None:
        self.slots = None

    def may_be_stored(self, keys: Sequence[int]) -> Sequence[int]:
        """The keys that may have rows in `lsh_bands` (all of them while unbuilt or off)."""
        slots = self.slots if self.slots is not None else self._build()
        if slots is None or not keys:
            return keys
        hit = np.flatnonzero(slots[np.array(keys, dtype=np.int64) & _MASK])
        if len(hit) == len(keys):
            return keys
        return [keys[i] for i in hit.tolist()]

    def add(self, keys: Sequence[int]) -> None:
        """Keys this connection is writing (before its commit: see the module doc)."""
        if self.slots is not None and keys:
            self.slots[np.array(keys, dtype=np.int64) & _MASK] = _SET
            self.keys += len(keys)
            if self.keys > MAX_KEYS:
                self.slots, self.off = None, True

    def _build(self) -> np.ndarray | None:
        now = time.monotonic()
        if self.off or now - self.built_at < REBUILD_PAUSE * self.build_seconds:
            return None  # outgrown; or dropped soon after the last build: unfiltered
        articles = self.conn.execute("SELECT max(id) FROM articles").fetchone()[0] or 0
        if articles * _KEYS_AN_ARTICLE > MAX_KEYS:  # may be too many to scan
            self.off = True
            return None
        slots = np.zeros(1 << SLOTS_LOG2, dtype=np.uint8)
        count = 0
        cursor = self.conn.execute("SELECT key FROM lsh_bands")
        while rows := cursor.fetchmany(_SCAN_CHUNK):
            slots[np.fromiter(chain.from_iterable(rows), np.int64, len(rows)) & _MASK] = _SET
            count += len(rows)
        self.slots, self.keys = slots, count
        self.built_at = time.monotonic()
        self.build_seconds = self.built_at - now
        return slots
