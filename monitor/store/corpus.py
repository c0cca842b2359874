"""Reads over the stored corpus: export, show, search, stories, stats; and prune.

Records come out as plain dicts in the shape PRODUCT.md fixes (export fields), so
the CLI only formats them.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator, Sequence
from typing import Any

from sqlite_utils import Database

from ..models import Tagging
from ..timeutil import iso, now_utc
from .candidates import CandidateCache
from .sql import KEPT_IDS, atomic, id_floor_key

__all__ = ["EXPORT_FIELDS", "CorpusReads", "fts_query"]


def now_iso() -> str:
    return iso(now_utc()) or ""

EXPORT_FIELDS = (
    "id", "url", "canonical_url", "source", "title", "author", "published", "fetched_at",
    "language", "text", "duplicate_of", "dedup", "coverage", "story_id",
    "kashmir_related", "relevance", "concepts", "mentions",
)  # fmt: skip

_WORD = re.compile(r"[\w\u0900-\u097F\u0600-\u06FF]+", re.UNICODE)


def fts_query(text: str) -> str:
    """A user's search words as a safe FTS5 query: every word must appear.

    Quoting each word keeps FTS5 operators and punctuation from being read as syntax
    ("J&K" searches for J and K; a stray quote is not an error). A phrase in double
    quotes stays a phrase.
    """
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', text):
        words = _WORD.findall(phrase or word)
        if not words:
            continue
        joined = " ".join(w.replace('"', "") for w in words)
        parts.append(f'"{joined}"')
    return " AND ".join(parts)


class CorpusReads:
    db: Database
    lock: threading.RLock
    candidates: CandidateCache

    # -- export / show -----------------------------------------------------------------

    def export_records(
        self, since_utc: str | None = None, until_utc: str | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every article as an export record, oldest first; a date filter drops undated ones."""
        where, args = [], []
        if since_utc:
            where.append("published_utc >= ?")
            args.append(since_utc)
        if until_utc:
            where.append("published_utc <= ?")
            args.append(until_utc)
        sql = "SELECT * FROM articles"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY id"
        for row in self.db.query(sql, args):
            yield self._record(row)

    def article_record(self, article_id: int) -> dict[str, Any] | None:
        rows = list(self.db.query("SELECT * FROM articles WHERE id = ?", [article_id]))
        if not rows:
            return None
        record = self._record(rows[0])
        r = rows[0]
        record["story"] = {
            "method": r["story_method"],
            "similarity": r["story_similarity"],
            "with_article": r["story_with"],
        }
        record["version"] = r["version"]
        record["updated_at"] = r["updated_at"]
        record["published_from"] = r["published_from"]
        record["problems"] = json.loads(r["problems"] or "[]")
        record["copies"] = [
            dict(c)
            for c in self.db.query(
                "SELECT id, source, url, dedup_method, dedup_similarity FROM articles "
                "WHERE duplicate_of = ? ORDER BY id",
                [r["duplicate_of"] or r["id"]],
            )
        ]
        return record

    def _record(self, row: dict[str, Any]) -> dict[str, Any]:
        root = row["duplicate_of"] or row["id"]
        coverage = 1 + next(
            self.db.query("SELECT count(*) AS n FROM articles WHERE duplicate_of = ?", [root])
        )["n"]
        mentions = [
            {k: m[k] for k in ("concept", "surface", "field", "start", "end", "sentence")}
            for m in self.db.query(
                'SELECT concept, surface, field, start, "end", sentence FROM mentions '
                "WHERE article_id = ? ORDER BY field DESC, start",
                [row["id"]],
            )
        ]
        dedup = None
        if row["duplicate_of"] is not None:
            dedup = {"method": row["dedup_method"], "similarity": row["dedup_similarity"]}
        return {
            "id": row["id"],
            "url": row["url"],
            "canonical_url": row["canonical_url"],
            "source": row["source"],
            "title": row["title"],
            "author": row["author"],
            "published": row["published"],
            "fetched_at": row["fetched_at"],
            "language": row["language"],
            "text": row["text"],
            "duplicate_of": row["duplicate_of"],
            "dedup": dedup,
            "coverage": coverage,
            "story_id": row["story_id"],
            "kashmir_related": bool(row["related"]),
            "relevance": round(float(row["relevance"]), 4),
            "concepts": json.loads(row["concepts"]),
            "mentions": mentions,
        }

    # -- search --------------------------------------------------------------------------

    def search(
        self,
        query: str,
        *,
        concept: str | None = None,
        since_utc: str | None = None,
        limit: int = 20,
    ) -> list[dict[str, Any]]:
        """Full-text search (FTS5, bm25 ranking) with a highlighted snippet."""
        match = fts_query(query)
        if not match:
            return []
        where = ["articles_fts MATCH ?"]
        args: list[Any] = [match]
        if concept:
            where.append(
                "a.id IN (SELECT article_id FROM mentions WHERE concept = ? COLLATE NOCASE)"
            )
            args.append(concept)
        if since_utc:
            where.append("a.published_utc >= ?")
            args.append(since_utc)
        sql = (
            "SELECT a.id, a.title, a.url, a.source, a.published, "
            "snippet(articles_fts, 1, '[', ']', '…', 24) AS snippet, "
            "bm25(articles_fts, 5.0, 1.0) AS rank FROM articles_fts "
            "JOIN articles a ON a.id = articles_fts.rowid "
            f"WHERE {' AND '.join(where)} ORDER BY rank LIMIT ?"
        )
        rows = self.db.query(sql, [*args, limit])
        return [
            {
                "id": r["id"],
                "title": r["title"],
                "url": r["url"],
                "source": r["source"],
                "published": r["published"],
                "snippet": r["snippet"],
                "score": round(-float(r["rank"]), 4),
            }
            for r in rows
        ]

    # -- stories ---------------------------------------------------------------------------

    def stories(
        self,
        *,
        since_utc: str | None = None,
        until_utc: str | None = None,
        concept: str | None = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """Stories with an article in the window [since, until), biggest first.

        An article is in the window when it was published in it, or, of unknown date,
        first seen in it: the same rule as the digest of a day (PRODUCT.md "Dates").
        """
        where, args = ["1 = 1"], []
        if since_utc or until_utc:
            lo, hi = since_utc or "", until_utc or "9999"
            where.append(
                "EXISTS (SELECT 1 FROM articles a WHERE a.story_id = s.id AND ("
                "(a.published_utc >= ? AND a.published_utc < ?) OR "
                "(a.published_utc IS NULL AND a.fetched_at >= ? AND a.fetched_at < ?)))"
            )
            args += [lo, hi, lo, hi]
        if concept:
            where.append(
                "EXISTS (SELECT 1 FROM json_each(s.concepts) WHERE value = ? COLLATE NOCASE)"
            )
            args.append(concept)
        rows = list(
            self.db.query(
                "SELECT * FROM stories s WHERE " + " AND ".join(where)
                + " ORDER BY s.outlets DESC, s.articles DESC, s.last_seen DESC LIMIT ?",
                [*args, limit],
            )
        )
        out = []
        for s in rows:
            members = list(
                self.db.query(
                    "SELECT id, source, title, url, published, duplicate_of FROM articles "
                    "WHERE story_id = ? ORDER BY id",
                    [s["id"]],
                )
            )
            out.append(
                {
                    "id": s["id"],
                    "title": s["title"],
                    "first_seen": s["first_seen"],
                    "last_seen": s["last_seen"],
                    "articles": [dict(m) for m in members],
                    "outlets": sorted({m["source"] for m in members}),
                    "concepts": json.loads(s["concepts"]),
                }
            )
        return out

    # -- stats -------------------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        one = lambda sql: next(iter(self.db.query(sql)), {"n": None})["n"]  # noqa: E731
        return {
            "articles": one("SELECT count(*) AS n FROM articles"),
            "duplicates": one("SELECT count(*) AS n FROM articles WHERE duplicate_of IS NOT NULL"),
            "related": one("SELECT count(*) AS n FROM articles WHERE related = 1"),
            "undated": one("SELECT count(*) AS n FROM articles WHERE published IS NULL"),
            "stories": one("SELECT count(DISTINCT story_id) AS n FROM articles"),
            "mentions": one("SELECT count(*) AS n FROM mentions"),
            "per_concept": {
                r["concept"]: r["n"]
                for r in self.db.query(
                    "SELECT concept, count(DISTINCT article_id) AS n FROM mentions "
                    "GROUP BY concept ORDER BY n DESC, concept"
                )
            },
            "per_source": {
                r["source"]: {"articles": r["n"], "duplicates": r["d"]}
                for r in self.db.query(
                    "SELECT source, count(*) AS n, count(duplicate_of) AS d FROM articles "
                    "GROUP BY source ORDER BY n DESC, source"
                )
            },
            # By instant: `published` keeps each source's offset, so it does not sort as text.
            "first_published": one("SELECT published AS n FROM articles WHERE published_utc "
                                   "IS NOT NULL ORDER BY published_utc, id LIMIT 1"),
            "last_published": one("SELECT published AS n FROM articles WHERE published_utc "
                                  "IS NOT NULL ORDER BY published_utc DESC, id LIMIT 1"),
        }

    # -- retag and prune -------------------------------------------------------------------

    def apply_retag(self, results: Sequence[tuple[int, Tagging]], fingerprint: str) -> None:
        """Store new tagging for a batch of articles in one transaction."""
        with self.lock, self.db.atomic():
            self.candidates.clear()  # their concepts change
            stories: set[int] = set()
            for article_id, t in results:
                self.db.execute("DELETE FROM mentions WHERE article_id = ?", [article_id])
                if t.mentions:
                    self.db.conn.executemany(
                        'INSERT INTO mentions (article_id, concept, surface, field, start, "end",'
                        " sentence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                        [
                            (article_id, m.concept, m.surface, m.field, m.start, m.end, m.sentence)
                            for m in t.mentions
                        ],
                    )
                self.db.execute(
                    "UPDATE articles SET related = ?, relevance = ?, concepts = ?, taxonomy = ? "
                    "WHERE id = ?",
                    [int(t.related), t.relevance, json.dumps(list(t.concepts), ensure_ascii=False),
                     fingerprint, article_id],
                )
                story = next(self.db.query("SELECT story_id FROM articles WHERE id = ?",
                                           [article_id]))["story_id"]
                stories.add(story)
            for story_id in stories:
                self._refresh_story(story_id)  # type: ignore[attr-defined]

    def prune(self, before_utc: str) -> dict[str, int]:
        """Delete articles older than `before_utc`, with all that hangs off them.

        Age is the publication time, or the first-seen time of an undated article.
        Gone with an article: its mentions, versions, LSH band entries and FTS row.
        A kept copy whose first copy goes: the oldest kept copy becomes the first copy
        (it takes over the band entries, so later copies still find it) and the
        others point at it, so `duplicate_of` never dangles. The delivery ledger
        keeps every row (what was sent stays on record) but loses the article link;
        an alert still pending for a pruned article is closed as failed, with why.
        Checkpoints and feed entries stay (a rerun must not load the history again)
        without their article id. Then the FTS index is optimised and the file
        vacuumed, so the space returns to the disk.
        """
        with self.lock, atomic(self.db.conn, immediate=True):  # reads, then writes
            self.candidates.clear()  # articles go, copies are re-rooted
            old = "SELECT id FROM articles WHERE coalesce(published_utc, fetched_at) < ?"
            ids = [r["id"] for r in self.db.query(old, [before_utc])]
            if not ids:
                return {"articles": 0, "stories": 0}
            for table in ("prune_ids", "prune_moves"):
                self.db.execute(f"DROP TABLE IF EXISTS temp.{table}")
            self.db.execute("CREATE TEMP TABLE prune_ids (id INTEGER PRIMARY KEY)")
            self.db.conn.executemany("INSERT INTO prune_ids VALUES (?)", ((i,) for i in ids))
            self._keep_id_floors()
            self._prune_repoint_copies()
            self._prune_detach(now_iso())
            stories = [r["story_id"] for r in self.db.query(
                "SELECT DISTINCT story_id FROM articles WHERE id IN prune_ids")]
            self.db.execute("DELETE FROM articles WHERE id IN prune_ids")
            gone = self._prune_stories(stories)
            for table in ("prune_ids", "prune_moves"):
                self.db.execute(f"DROP TABLE temp.{table}")
        self.db.execute("INSERT INTO articles_fts(articles_fts) VALUES ('optimize')")
        self.db.execute("VACUUM")
        # In WAL mode VACUUM writes the new file through the WAL: fold it back in and
        # truncate it, or the disk holds the old size twice until the next checkpoint.
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"articles": len(ids), "stories": gone}

    def _keep_id_floors(self) -> None:
        """Record each table's highest id before rows go, so that no later article or
        story gets a pruned one's id (`sql.insert_new`)."""
        for table in KEPT_IDS:
            self.db.execute(
                "INSERT INTO meta(key, value) SELECT ?, CAST(top AS TEXT) FROM "
                f"(SELECT max(id) AS top FROM {table}) WHERE top IS NOT NULL "
                "ON CONFLICT(key) DO UPDATE SET value = CAST(max(CAST(value AS INTEGER), "
                "CAST(excluded.value AS INTEGER)) AS TEXT)", [id_floor_key(table)])

    def _prune_repoint_copies(self) -> None:
        """Kept copies of a pruned first copy: the oldest becomes the first copy."""
        self.db.execute(
            "CREATE TEMP TABLE prune_moves AS SELECT duplicate_of AS old, min(id) AS new "
            "FROM articles WHERE duplicate_of IN prune_ids AND id NOT IN prune_ids "
            "GROUP BY duplicate_of"
        )
        self.db.execute(
            "UPDATE articles SET duplicate_of = (SELECT new FROM prune_moves "
            "WHERE old = articles.duplicate_of) "
            "WHERE duplicate_of IN (SELECT old FROM prune_moves)"
        )
        self.db.execute(
            "UPDATE articles SET duplicate_of = NULL, dedup_method = NULL, "
            "dedup_similarity = NULL WHERE id IN (SELECT new FROM prune_moves)"
        )
        # Only first copies are in the near-duplicate index: the new one takes over.
        self.db.execute(
            "UPDATE OR IGNORE lsh_bands SET article_id = (SELECT new FROM prune_moves "
            "WHERE old = lsh_bands.article_id) "
            "WHERE article_id IN (SELECT old FROM prune_moves)"
        )

    def _prune_detach(self, now: str) -> None:
        """Remove what hangs off the pruned articles; unlink what must stay."""
        for table in ("mentions", "lsh_bands", "article_versions"):
            self.db.execute(f"DELETE FROM {table} WHERE article_id IN prune_ids")
        self.db.execute(
            "UPDATE deliveries SET status = 'failed', next_attempt_at = NULL, "
            "last_error_kind = 'other', last_error_message = 'article pruned before delivery', "
            "last_error_at = ? WHERE article_id IN prune_ids AND status = 'pending'", [now]
        )
        for table in ("deliveries", "backfill_items", "feed_entries"):
            self.db.execute(
                f"UPDATE {table} SET article_id = NULL WHERE article_id IN prune_ids")
        self.db.execute("UPDATE articles SET story_with = NULL WHERE story_with IN prune_ids")

    def _prune_stories(self, stories: list[int]) -> int:
        """Refresh the stories that lost articles; delete the ones left empty."""
        gone = 0
        for story_id in stories:
            left = next(self.db.query(
                "SELECT count(*) AS n FROM articles WHERE story_id = ?", [story_id]))["n"]
            if left:
                self._refresh_story(story_id)  # type: ignore[attr-defined]
            else:
                self.db.execute("DELETE FROM stories WHERE id = ?", [story_id])
                gone += 1
        return gone
