"""The lookups the pipeline makes before deciding about a new article (issue 5).

The dedupe stage asks three things of the stored corpus: the article at this
canonical URL, the articles with this content hash, and those sharing an LSH band
(the near-duplicate index). `copies_of` asks all three in one statement: the
ordered writer runs it for every item, and each statement costs it a trip through
sqlite3 and SQLite's VM, and a release of the interpreter lock that a fetch thread
may hold on to for milliseconds before the writer gets it back (issue 3: the
writer's thread spent a fifth of its time waiting, not working). The three single
lookups stay for the other callers; `copies_of` answers exactly what they answer
(tests/dedupe/test_band_lookup.py).

Each returns ids; the candidate cache (`candidates.py`) turns them into decoded
articles, reading only the rows it does not hold.
"""

from __future__ import annotations

import functools
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlite_utils import Database

from ..models import CandidateArticle
from .candidates import Cached, CandidateCache

__all__ = ["ArticleLookups", "Copies"]

BAND_ROWS_COUNTED = 2000  # band rows a lookup counts itself; past this, SQLite does
HASH_LIMIT = 5  # stored articles with one content hash handed to the dedupe stage
NEAR_LIMIT = 50  # stored articles sharing a band handed to it (those sharing most)


@dataclass(frozen=True)
class Copies:
    """The stored articles a new one may be a copy or a version of."""

    by_url: CandidateArticle | None  # at its canonical URL
    by_hash: list[CandidateArticle]  # with its content hash, oldest first
    near: list[CandidateArticle]  # sharing an LSH band, by id


@functools.lru_cache(maxsize=8)
def _band_lookup_sql(count: int) -> str:
    """The stored rows of `count` band keys, at most a bound (the last parameter)."""
    return ("SELECT article_id FROM lsh_bands WHERE key IN (VALUES "
            f"{', '.join(['(?)'] * count)}) LIMIT ?")


@functools.lru_cache(maxsize=8)
def _copies_sql(count: int) -> str:
    """URL, hash and band lookups of one article in one statement, each row tagged
    0, 1 or 2; parameters: URL, hash, hash limit, then (if `count`) band row bound and keys."""
    keys = ", ".join(f"(?{5 + i})" for i in range(count))
    bands = (" UNION ALL SELECT 2, article_id FROM (SELECT article_id FROM lsh_bands "
             f"WHERE key IN (VALUES {keys}) LIMIT ?4)") if count else ""
    return ("SELECT 0, id FROM articles WHERE canonical_url = ?1"
            " UNION ALL SELECT 1, id FROM (SELECT id FROM articles WHERE content_hash = ?2"
            f" ORDER BY id LIMIT ?3){bands}")


class ArticleLookups:
    db: Database
    lock: threading.RLock
    candidates: CandidateCache
    batching: bool  # inside `Store.batch()`: no other connection commits meanwhile

    def copies_of(self, canonical_url: str | None, content_hash: str,
                  band_keys: Sequence[int]) -> Copies:
        """`article_by_canonical_url`, `articles_by_hash` and `articles_by_bands`, in
        one statement (see the module's docstring)."""
        found: tuple[list[int], list[int], list[int]] = ([], [], [])
        sql = _copies_sql(len(band_keys))
        params = [canonical_url or None, content_hash, HASH_LIMIT]
        if band_keys:
            params += [BAND_ROWS_COUNTED, *band_keys]
        for kind, article_id in self.db.conn.execute(sql, params):
            found[kind].append(article_id)
        by_url, by_hash, band_rows = found
        near = self._sharing_most(band_keys, band_rows, NEAR_LIMIT)
        cached = {c.article.id: c.article for c in self._cached([*by_url, *by_hash, *near])}
        return Copies(next((cached[i] for i in by_url if i in cached), None),
                      [cached[i] for i in by_hash if i in cached],
                      [cached[i] for i in near if i in cached])

    def article_by_canonical_url(self, canonical_url: str | None) -> CandidateArticle | None:
        if not canonical_url:
            return None
        ids = [row[0] for row in self.db.conn.execute(
            "SELECT id FROM articles WHERE canonical_url = ?", [canonical_url])]
        return next((c.article for c in self._cached(ids)), None)

    def articles_by_hash(self, content_hash: str, limit: int = HASH_LIMIT
                         ) -> list[CandidateArticle]:
        ids = [row[0] for row in self.db.conn.execute(
            "SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT ?",
            [content_hash, limit])]
        return [c.article for c in self._cached(ids)]

    def articles_by_bands(
        self, band_keys: Sequence[int], limit: int = NEAR_LIMIT
    ) -> list[CandidateArticle]:
        """Stored articles sharing at least one LSH band (the `limit` sharing most), by id."""
        if not band_keys:
            return []
        rows = [row[0] for row in self.db.conn.execute(
            _band_lookup_sql(len(band_keys)), [*band_keys, BAND_ROWS_COUNTED])]
        return [c.article for c in self._cached(self._sharing_most(band_keys, rows, limit))]

    def _sharing_most(self, band_keys: Sequence[int], rows: list[int], limit: int
                      ) -> list[int]:
        """The ids of the `limit` articles sharing most keys, by id, from the band rows
        found (up to BAND_ROWS_COUNTED of them).

        A few rows are counted here: SQLite's two temporary B-trees (GROUP BY, ORDER
        BY) cost more (-25k instructions an article, callgrind; issue 8). Thousands
        (one key shared by every stub) are counted by SQLite.
        """
        if len(rows) < BAND_ROWS_COUNTED:
            shared = Counter(rows)
            return sorted(shared) if len(shared) <= limit else sorted(
                sorted(shared, key=lambda i: (-shared[i], i))[:limit])
        return sorted(row[0] for row in self.db.conn.execute(
            f"SELECT article_id FROM lsh_bands WHERE key IN ({','.join('?' * len(band_keys))})"
            " GROUP BY article_id ORDER BY count(*) DESC, article_id LIMIT ?",
            [*band_keys, limit]))

    def _cached(self, ids: list[int]) -> list[Cached]:
        if not self.batching:  # inside a batch no other connection commits: checked at its start
            self.candidates.check()
        return self.candidates.get(ids)
