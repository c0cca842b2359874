"""Reads for the daily digest and the source-health check (issue 7).

"The articles of a day" are those published in that local day's [lo, hi) UTC
bounds, and those of unknown date first seen in them (PRODUCT.md "Dates"); every
read here takes such bounds as UTC ISO text and leaves the bucketing into local days
to the caller, which knows the zone.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

__all__ = ["DigestReads"]

_IN_DAY = (
    "((a.published_utc >= :lo AND a.published_utc < :hi) OR "
    "(a.published_utc IS NULL AND a.fetched_at >= :lo AND a.fetched_at < :hi))"
)


class DigestReads:
    db: Database
    lock: threading.RLock

    def articles_between(self, lo: str, hi: str) -> list[dict[str, Any]]:
        """Articles of a period (see module doc), related ones and others, oldest first."""
        rows = self.db.query(
            "SELECT a.id, a.title, a.url, a.source, a.published, a.published_utc, "
            "a.fetched_at, a.language, a.relevance, a.related, a.story_id, a.duplicate_of, "
            f"a.concepts FROM articles a WHERE {_IN_DAY} ORDER BY a.id",
            {"lo": lo, "hi": hi},
        )
        out = []
        for r in rows:
            item = dict(r)
            item["concepts"] = json.loads(item["concepts"])
            out.append(item)
        return out

    def concept_mentions_between(self, lo: str, hi: str) -> list[dict[str, Any]]:
        """One row per (article, concept) of a period: its time and number of mentions."""
        rows = self.db.query(
            "SELECT coalesce(a.published_utc, a.fetched_at) AS at, m.concept AS concept, "
            "count(*) AS mentions FROM mentions m JOIN articles a ON a.id = m.article_id "
            f"WHERE {_IN_DAY} GROUP BY a.id, m.concept",
            {"lo": lo, "hi": hi},
        )
        return [dict(r) for r in rows]

    def concepts_seen_before(self, concepts: Iterable[str], before: str) -> set[str]:
        """Which of these concepts were mentioned in an article of an earlier time."""
        names = sorted(set(concepts))
        if not names:
            return set()
        marks = ",".join("?" * len(names))
        rows = self.db.query(
            "SELECT DISTINCT m.concept FROM mentions m JOIN articles a ON a.id = m.article_id "
            f"WHERE m.concept IN ({marks}) AND coalesce(a.published_utc, a.fetched_at) < ?",
            [*names, before],
        )
        return {r["concept"] for r in rows}

    def sources_needing_attention(self) -> list[dict[str, Any]]:
        """Sources failing or needing attention, not paused, worst first."""
        rows = self.db.query(
            "SELECT name, url, status, consecutive_failures, last_success_at, "
            "last_error_kind, last_error_message, last_error_at FROM sources "
            "WHERE paused = 0 AND status IN ('needs_attention', 'failing') "
            "ORDER BY status = 'needs_attention' DESC, consecutive_failures DESC, name"
        )
        return [dict(r) for r in rows]

    # -- source health -----------------------------------------------------------------

    def health_sources(self) -> list[dict[str, Any]]:
        """Every polled source's health fields."""
        rows = self.db.query(
            "SELECT name, status, paused, consecutive_failures, last_success_at, "
            "last_error_kind, last_error_message FROM sources ORDER BY name"
        )
        return [dict(r) for r in rows]

    def new_articles_fetched(self, source: str, lo: str, hi: str) -> int:
        """New articles the fetcher brought in from a source in [lo, hi) (fetch log)."""
        return next(self.db.query(
            "SELECT coalesce(sum(new), 0) AS n FROM fetch_log WHERE source = ? "
            "AND at >= ? AND at < ?", [source, lo, hi]))["n"]

    def last_new_article_at(self, source: str) -> str | None:
        """When a fetch of this source last brought a new article (fetch log)."""
        return next(self.db.query(
            "SELECT max(at) AS at FROM fetch_log WHERE source = ? AND new > 0",
            [source]))["at"]
