"""Stored first copies as the writer's lookups hand them out, decoded once (issue 8).

For every article the ordered writer asks for the stored articles sharing an LSH
band and for the first copies near it in time: ~60 rows an article, mostly the same
rows article after article. Reading and decoding those rows (dates, concepts,
signatures) on every lookup was most of the writer's lookup time, so the lookups
now return ids and this cache turns ids into decoded candidates, reading only the
rows it does not hold, in one statement.

An entry is valid as long as its row is unchanged. Rows change in three ways:
- another connection commits (a `monitor retag` or `prune` beside the daemon):
  `PRAGMA data_version` moves, and `check()` drops everything;
- this connection updates or deletes articles (an update, a retag, a prune): those
  paths call `forget()` or `clear()`;
- a transaction of this connection rolls back: the ids it inserted may be reused, so
  `Store.batch` clears the cache when its transaction fails, and `save` adds an
  article only once its writes are done.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import CandidateArticle, StoryCandidate
from ..timeutil import parse_iso

__all__ = ["CACHE_SIZE", "Cached", "CandidateCache"]

CACHE_SIZE = 8192  # decoded first copies kept (about 2 KB each)

_COLUMNS = ("id, canonical_url, content_hash, source, title, published, duplicate_of, "
            "signature, story_id, concepts")
_BY_IDS = f"SELECT {_COLUMNS} FROM articles WHERE id IN (SELECT value FROM json_each(?))"


@dataclass(frozen=True)
class Cached:
    """One stored article, as the dedupe stage and as the story stage see it."""

    article: CandidateArticle
    story: StoryCandidate


def decode(row: Sequence[Any]) -> Cached:
    """A row of `_COLUMNS` as both candidate views, sharing one decoded signature."""
    (article_id, canonical_url, content_hash, source, title, published, duplicate_of,
     blob, story_id, concepts) = row
    signature = array("I", blob or b"") or None  # a Sequence[int] NumPy reads in place
    when = parse_iso(published)
    return Cached(
        CandidateArticle(article_id, canonical_url, content_hash, source, title, when,
                         duplicate_of, signature),  # type: ignore[arg-type]
        StoryCandidate(article_id, story_id, title, when, tuple(json.loads(concepts)),
                       signature),
    )


class CandidateCache:
    """Decoded stored articles by id, bounded; dropped when another connection writes."""

    def __init__(self, conn: sqlite3.Connection, size: int = CACHE_SIZE) -> None:
        self.conn = conn
        self.size = size
        self.entries: dict[int, Cached] = {}
        self.version = self._data_version()

    def _data_version(self) -> int:
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    def check(self) -> None:
        """Drop everything if another connection committed since the last check."""
        version = self._data_version()
        if version != self.version:
            self.entries.clear()
            self.version = version

    def get(self, ids: Iterable[int]) -> list[Cached]:
        """The articles with these ids that exist, in the order asked."""
        entries = self.entries
        wanted = list(ids)
        hits = [entry for entry in map(entries.get, wanted) if entry is not None]
        if len(hits) == len(wanted):
            return hits
        # Adding the misses may evict entries this call found: answer from a local map.
        found = {entry.article.id: entry for entry in hits}
        missing = [i for i in wanted if i not in found]
        for row in self.conn.execute(_BY_IDS, [json.dumps(missing)]):
            entry = decode(row)
            found[entry.article.id] = entry
            self.add(entry)
        return [found[i] for i in wanted if i in found]

    def add(self, entry: Cached) -> None:
        """Keep an entry; past `size`, the oldest kept goes (first in, first out: the
        same few hundred are asked for again and again, and a miss is one read)."""
        entries = self.entries
        entries[entry.article.id] = entry
        if len(entries) > self.size:
            del entries[next(iter(entries))]

    def forget(self, article_id: int) -> None:
        self.entries.pop(article_id, None)

    def clear(self) -> None:
        self.entries.clear()
