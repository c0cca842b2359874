"""Writing ingest decisions (the lookups before them: `lookups.py`).

`save(decision)` applies everything decided about one article (the row, its
mentions, its near-duplicate index entries, its story, the alerts it raises) in one
transaction: a killed process leaves all of it or none (STYLE.md 3).
"""

from __future__ import annotations

import functools
import json
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from ..models import CandidateArticle, Decision, DedupVerdict, StoryCandidate
from ..timeutil import iso, now_utc, to_utc_iso
from .candidates import Cached, decode
from .lookups import ArticleLookups
from .sql import atomic, insert_new, insert_row, select_rows, update_row

__all__ = ["ArticleWrites", "Saved", "encode_signature"]


@dataclass(frozen=True)
class Saved:
    """What `save` did: status is new | duplicate | updated | unchanged."""

    article_id: int
    status: str
    story_id: int
    alerts_queued: int = 0


def encode_signature(values: Sequence[int]) -> bytes | None:
    """MinHash values (each below 2**32) as a compact blob."""
    return array("I", values).tobytes() if values else None


def _as_cached(saved: Saved, row: dict[str, Any], verdict: DedupVerdict) -> Cached:
    """A just-saved article as the candidate cache reads it back: from its row's values,
    with the fact set and mask its verdict already built (the same values: both come
    from the signature stored in the row)."""
    entry = decode((saved.article_id, row["canonical_url"], row["content_hash"], row["source"],
                    row["title"], row["published"], row["duplicate_of"], row["signature"],
                    saved.story_id, row["concepts"]))
    built = verdict.__dict__  # cached_property values live in the instance dict
    entry.story.__dict__.update((k, built[k]) for k in ("facts", "fact_mask") if k in built)
    return entry


@functools.lru_cache(maxsize=4096)
def json_list(values: tuple[str, ...]) -> str:
    """A tuple of strings as a JSON array; the same few concept lists come back article
    after article, so each is encoded once (issue 8)."""
    return json.dumps(list(values), ensure_ascii=False)


# Story candidates, found in one statement (issue 8: five lookups an article were a
# third of the ordered writer). Each list is a JSON array parameter, so the text
# never changes and sqlite3 keeps one prepared statement. The concept branch reads
# the `story_concepts` index (first copies by concept and time, kept by triggers):
# only the window's rows of the article's concepts. It returns ids: the rows come
# decoded from the candidate cache (`candidates.py`).
# The full-text index is external-content FTS5 over articles(title, text): its update
# and delete triggers keep it current, new rows are indexed by `save` (schema m004).
_INDEX_TEXT = "INSERT INTO articles_fts(rowid, title, text) VALUES (?, ?, ?)"
_INDEX_PENDING_TEXT = ("INSERT INTO articles_fts(rowid, title, text) "
                       "SELECT id, title, text FROM articles WHERE id > ? ORDER BY id")

_BY_CONCEPT = """
    UNION SELECT id FROM (
        SELECT DISTINCT article_id AS id FROM story_concepts
        WHERE concept IN (SELECT value FROM json_each(:concepts)) AND at BETWEEN :lo AND :hi
        ORDER BY 1 DESC LIMIT :limit)"""
_STORY_CANDIDATES = """
SELECT id FROM (
        SELECT id FROM articles WHERE published_utc <= :mid AND published_utc >= :lo
        -- `+duplicate_of`: walk the published_utc index, not the duplicate_of one
        AND +duplicate_of IS NULL ORDER BY published_utc DESC LIMIT :before)
    UNION SELECT id FROM (
        SELECT id FROM articles WHERE published_utc > :mid AND published_utc <= :hi
        AND +duplicate_of IS NULL ORDER BY published_utc ASC LIMIT :after)
    UNION SELECT value FROM json_each(:bands){concepts}
ORDER BY 1"""
_STORY_CANDIDATES_BY_CONCEPT = _STORY_CANDIDATES.format(concepts=_BY_CONCEPT)
_STORY_CANDIDATES_BY_TIME = _STORY_CANDIDATES.format(concepts="")


@functools.lru_cache(maxsize=8)
def _band_rows_sql(count: int) -> str:
    """One statement for an article's `count` band rows: a row at a time, each was a
    statement of its own (the interpreter lock, SQLite's mutex and a VM run per row),
    and the band rows were the largest single cost of the ordered writer (issue 8);
    one statement spends 41% fewer instructions on them."""
    keys = ", ".join(["(?)"] * count)
    return ("INSERT OR IGNORE INTO lsh_bands(key, article_id) "
            f"SELECT column1, ?1 FROM (VALUES {keys})")


class ArticleWrites(ArticleLookups):
    batch_broken: bool  # a save in the current batch did not finish: it must roll back
    unindexed_after: int | None  # in a batch: articles above this id await the text index
    fresh_leads: list[tuple[int, int]]  # in a batch: (article, story) of stories it started
    ids_past_floors: bool  # in a batch: no pruned id ahead of the tables (`_insert`)

    def story_of(self, article_id: int) -> int | None:
        row = next(iter(self._select("SELECT story_id FROM articles WHERE id = ?", [article_id])),
                   None)
        return None if row is None else row["story_id"]

    def story_candidates(
        self,
        around: datetime | None,
        window: timedelta,
        concepts: Sequence[str],
        band_keys: Sequence[int],
        limit: int = 300,
        nearest: int = 100,
        *,
        near: Sequence[CandidateArticle] | None = None,
    ) -> list[StoryCandidate]:
        """First copies published within `window` of `around` that share a concept or a band,
        and the `nearest` first copies in time (independent reports of one event share
        no wording and, outside the taxonomy's topic, no concept; issue 5).

        Without a date the article's arrival time stands in (`around` is then now).
        `near`: what `articles_by_bands(band_keys)` already returned for this article
        (the pipeline's duplicate lookup), so the bands are not looked up twice.
        One statement finds them; the candidate cache reads and decodes them.
        """
        centre = (around or now_utc()).astimezone(UTC)
        if near is None:
            near = self.articles_by_bands(band_keys)
        firsts = [c.id for c in near if c.duplicate_of is None]
        args = {
            "mid": iso(centre), "lo": iso(centre - window), "hi": iso(centre + window),
            "limit": limit,
            "before": nearest // 2 + 1 if nearest > 0 else 0, "after": max(nearest // 2, 0),
            "bands": json.dumps(firsts) if firsts else "[]",
            "concepts": json_list(tuple(concepts)),
        }
        sql = _STORY_CANDIDATES_BY_CONCEPT if concepts else _STORY_CANDIDATES_BY_TIME
        ids = [row[0] for row in self.db.conn.execute(sql, args)]
        return [c.story for c in self._cached(ids)]

    # -- applying a decision ---------------------------------------------------------

    def save(self, decision: Decision) -> Saved:
        """Apply one decision in one transaction, or as part of the current `batch()`
        (which fails as a whole if a save in it fails: no savepoint of its own)."""
        with self.lock:
            if decision.dedup.update_of is not None:
                self.candidates.forget(decision.dedup.update_of)
                with self._transaction():
                    return self._save_update(decision)
            with self._transaction():
                saved, row = self._save_new(decision)
            if decision.dedup.duplicate_of is None:  # only first copies are candidates
                self.candidates.add(_as_cached(saved, row, decision.dedup))
            return saved

    def _transaction(self) -> AbstractContextManager[None]:
        return self._in_batch() if self.batching else atomic(self.db.conn)

    @contextmanager
    def _in_batch(self) -> Iterator[None]:
        """A save inside `batch()` has no savepoint: one that does not finish leaves
        the batch unable to commit, even if its caller swallows the exception."""
        try:
            yield
        except BaseException:
            self.batch_broken = True
            raise

    # Plain statements for the per-article writes: sqlite-utils' insert/update inspect
    # the table on every call, which was half of `save`'s time in a backfill (issue 8).

    def _select(self, sql: str, params: Sequence[Any]) -> list[dict[str, Any]]:
        return select_rows(self.db.conn, sql, params)

    def _insert(self, table: str, row: dict[str, Any]) -> int:
        # Ids are never reused (`sql.insert_new`); a batch that found no floor ahead of
        # the tables' ids at its start (`Store.batch`) needs no lookup for that.
        if self.batching and self.ids_past_floors:
            return insert_row(self.db.conn, table, row)
        return insert_new(self.db.conn, table, row)

    def _update(self, table: str, row_id: int, fields: dict[str, Any]) -> None:
        update_row(self.db.conn, table, "id", row_id, fields)

    def _article_fields(self, d: Decision, published_utc: str | None) -> dict[str, Any]:
        a, t = d.article, d.tagging
        return {
            "title": a.title,
            "author": a.author,
            "published": iso(a.published),
            "published_utc": published_utc,
            "published_from": a.published_from,
            "language": a.language,
            "text": a.text,
            "content_hash": d.dedup.content_hash,
            "signature": encode_signature(d.dedup.signature),
            "related": int(t.related),
            "relevance": t.relevance,
            "concepts": json_list(tuple(t.concepts)),
            "taxonomy": d.extra.get("taxonomy"),
            "problems": json_list(tuple(a.problems)),
        }

    def _save_new(self, d: Decision) -> tuple[Saved, dict[str, Any]]:
        """The new article's id and outcome, and the row stored for it."""
        at = to_utc_iso(d.fetched_at or now_utc())  # stored times are UTC: compared as text
        published_utc = to_utc_iso(d.article.published)
        story_id = d.story.story_id
        fresh = story_id is None
        if story_id is None:  # its figures are this article's: no refresh needed
            story_id = self._insert("stories", {
                "title": d.article.title, "first_seen": at, "last_seen": at,
                "first_published_utc": published_utc, "articles": 1, "outlets": 1,
                "concepts": json_list(tuple(sorted(set(d.tagging.concepts))))})
        row = {
            "url": d.article.url,
            "canonical_url": d.dedup.canonical_url,
            "source": d.article.source,
            "fetched_at": at,
            "origin": d.extra.get("origin"),
            "duplicate_of": d.dedup.duplicate_of,
            "dedup_method": d.dedup.method,
            "dedup_similarity": d.dedup.similarity,
            "story_id": story_id,
            "story_method": d.story.method,
            "story_similarity": d.story.similarity,
            "story_with": d.story.with_article,
            **self._article_fields(d, published_utc),
        }
        article_id = self._insert("articles", row)
        if not self.batching:  # in a batch: all at once at its end (`index_pending_text`)
            self.db.conn.execute(_INDEX_TEXT, [article_id, row["title"], row["text"]])
        self._write_index(article_id, d)
        if fresh and self.batching:
            self.fresh_leads.append((article_id, int(story_id)))  # see `set_fresh_leads`
        elif fresh:
            self._update("stories", int(story_id), {"lead_article_id": article_id})
        else:
            self._refresh_story(int(story_id))
        queued = self._queue_alerts(d, article_id, int(story_id), at)
        status = "duplicate" if d.dedup.duplicate_of is not None else "new"
        return Saved(article_id, status, int(story_id), queued), row

    def _save_update(self, d: Decision) -> Saved:
        article_id = int(d.dedup.update_of)  # type: ignore[arg-type]
        old = self.db["articles"].get(article_id)
        at = to_utc_iso(d.fetched_at or now_utc())  # stored times are UTC: compared as text
        # The exact text, not the dedup hash: that one ignores stopwords and the like,
        # and a correction of "Saturday" to "Sunday" is a new version all the same.
        same = old["text"] == d.article.text and old["title"] == d.article.title
        if same:
            if old["published"] is None and d.article.published is not None:
                self.db["articles"].update(
                    article_id,
                    {
                        "published": iso(d.article.published),
                        "published_utc": to_utc_iso(d.article.published),
                        "published_from": d.article.published_from,
                    },
                )
            return Saved(article_id, "unchanged", old["story_id"], 0)
        self.db["article_versions"].insert(
            {
                "article_id": article_id,
                "version": old["version"],
                "url": old["url"],
                "title": old["title"],
                "text": old["text"],
                "content_hash": old["content_hash"],
                "replaced_at": at,
            }
        )
        fields = self._article_fields(d, to_utc_iso(d.article.published))
        if d.article.published is None:  # an update never forgets a known date
            for key in ("published", "published_utc", "published_from"):
                fields.pop(key)
        fields.update({"url": d.article.url or old["url"], "updated_at": at,
                       "version": old["version"] + 1})
        # The update trigger takes the old text out of the index: it must be in it.
        self.index_pending_text()
        self._update("articles", article_id, fields)
        self.db.execute("DELETE FROM mentions WHERE article_id = ?", [article_id])
        # By key: the band index has no per-article lookup (schema m005).
        self.db.conn.executemany("DELETE FROM lsh_bands WHERE key = ? AND article_id = ?",
                                 ((k, article_id) for k in d.dedup.replaced_band_keys))
        self._write_index(article_id, d, first_copy=old["duplicate_of"] is None)
        self._refresh_story(old["story_id"])
        queued = self._queue_alerts(d, article_id, old["story_id"], at)
        return Saved(article_id, "updated", old["story_id"], queued)

    def set_fresh_leads(self) -> None:
        """Name the lead article of the batch's new stories (their first), all at once.

        Most articles of a fetch cycle start a story of their own, and a statement an
        article to name its lead was one of the ordered writer's seven an item, each a
        release of the interpreter lock that a fetch thread may keep (issue 3). Nothing
        reads the lead inside the batch; a story that took more articles meanwhile was
        refreshed (`_refresh_story`), and its lead is left as that made it. A pair whose
        rows a savepoint rolled back (their ids then taken again) names no lead: the
        article must still be in that story.
        """
        if self.fresh_leads:
            self.db.conn.executemany(
                "UPDATE stories SET lead_article_id = ?1 WHERE id = ?2 AND lead_article_id "
                "IS NULL AND EXISTS (SELECT 1 FROM articles WHERE id = ?1 AND story_id = ?2)",
                self.fresh_leads)
            self.fresh_leads = []

    def index_pending_text(self) -> None:
        """Put the batch's new articles into the full-text index, in one statement.

        FTS5 writes its pending terms to disk at every statement savepoint of the
        transaction, so indexing an article per save (the old insert trigger) made a
        segment of one article, and merges, for each save: a fifth of the ordered
        writer's time (issue 8). One statement at the batch's end buffers them all.
        A batch holds the write lock, so every article above the mark is its own.
        """
        if self.unindexed_after is None:
            return
        self.db.conn.execute(_INDEX_PENDING_TEXT, [self.unindexed_after])
        self.unindexed_after = self.latest_article_id()

    def latest_article_id(self) -> int:
        return int(self.db.conn.execute("SELECT coalesce(max(id), 0) FROM articles")
                   .fetchone()[0])

    def _write_index(self, article_id: int, d: Decision, *, first_copy: bool = True) -> None:
        if d.tagging.mentions:
            self.db.conn.executemany(
                'INSERT INTO mentions (article_id, concept, surface, field, start, "end", '
                "sentence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                ((article_id, m.concept, m.surface, m.field, m.start, m.end, m.sentence)
                 for m in d.tagging.mentions),
            )
        if d.dedup.band_keys and first_copy and d.dedup.duplicate_of is None:
            # Only first copies enter the index: a later copy matches the first one,
            # and the index does not grow with every syndicated republication.
            self.db.conn.execute(_band_rows_sql(len(d.dedup.band_keys)),
                                 [article_id, *d.dedup.band_keys])

    def _refresh_story(self, story_id: int) -> None:
        """Recompute a story's figures from its articles (cheap: one story's rows)."""
        rows = self._select(
            "SELECT id, title, source, fetched_at, published_utc, concepts, "
            "duplicate_of FROM articles WHERE story_id = ? ORDER BY id",
            [story_id],
        )
        if not rows:
            return
        concepts: set[str] = set()
        for r in rows:
            concepts.update(json.loads(r["concepts"]))
        lead = next((r for r in rows if r["duplicate_of"] is None), rows[0])
        published = [r["published_utc"] for r in rows if r["published_utc"]]
        self._update(
            "stories",
            story_id,
            {
                "title": lead["title"],
                "lead_article_id": lead["id"],
                "first_seen": min(r["fetched_at"] for r in rows),
                "last_seen": max(r["fetched_at"] for r in rows),
                "first_published_utc": min(published) if published else None,
                "articles": len(rows),
                "outlets": len({r["source"] for r in rows}),
                "concepts": json.dumps(sorted(concepts), ensure_ascii=False),
            },
        )

    def _queue_alerts(self, d: Decision, article_id: int, story_id: int, at: str | None) -> int:
        """Outbox rows for the alerts this article raises: one per story, rule and channel."""
        queued = 0
        for intent in d.alerts:
            cur = self.db.execute(
                "INSERT OR IGNORE INTO deliveries (kind, dedupe_key, rule, channel, "
                "article_id, story_id, status, created_at, next_attempt_at) "
                "VALUES ('alert', ?, ?, ?, ?, ?, 'pending', ?, ?)",
                [
                    f"alert:{intent.rule}:{intent.channel}:story:{story_id}",
                    intent.rule,
                    intent.channel,
                    article_id,
                    story_id,
                    at,
                    at,
                ],
            )
            queued += cur.rowcount
        return queued

    def iter_articles_for_retag(
        self, fingerprint: str, batch: int = 500
    ) -> Iterable[list[dict[str, Any]]]:
        """Batches of articles tagged by another taxonomy (resumable: done ones drop out)."""
        while True:
            rows = list(
                self.db.query(
                    "SELECT id, title, text FROM articles WHERE taxonomy IS NOT ? "
                    "ORDER BY id LIMIT ?",
                    [fingerprint, batch],
                )
            )
            if not rows:
                return
            yield rows
