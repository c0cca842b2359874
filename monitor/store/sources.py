"""Source state kept across restarts: configured URL, URL in use, health, validators.

The fetch layer decides (backoff, status, redirects); this module only stores and
reads what it decided.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from ..timeutil import iso, now_utc
from .sql import insert_row, present_keys, select_rows, update_row

__all__ = ["SourceState"]

# A source whose URL changed is a new start: healthy and due now.
_FRESH_HEALTH = {"status": "ok", "consecutive_failures": 0, "failure_score": 0,
                 "next_due_at": None, "last_error_kind": None, "last_error_message": None,
                 "last_error_at": None, "last_unconditional_at": None}


class SourceState:
    db: Database
    lock: threading.RLock

    def sync_sources(self, configured: Iterable[tuple[str, str, str]]) -> None:
        """Make the sources table know every configured (name, url, kind).

        A source whose configured URL (or kind) changed starts afresh from that URL: due
        now, its health reset, since the old URL's failures and backoff say nothing about
        the new one (a fixed URL must not wait out hours of the old one's backoff);
        health and validators of unchanged sources are kept; a source dropped from the
        configuration keeps its row (its articles still name it) but is not polled.
        """
        at = iso(now_utc())
        with self.lock, self.db.atomic():
            # One read for all (a cycle calls this first): a query a source through
            # sqlite-utils was ~0.1 ms a feed of an all-304 cycle (issue 3).
            known = {r["name"]: r for r in select_rows(
                self.db.conn, "SELECT name, configured_url, kind FROM sources")}
            for name, url, kind in configured:
                row = known.get(name)
                if row is None:
                    self.db["sources"].insert(
                        {"name": name, "url": url, "configured_url": url, "kind": kind,
                         "created_at": at}
                    )
                    known[name] = {"name": name, "configured_url": url, "kind": kind}
                elif row["configured_url"] != url or row["kind"] != kind:
                    self.db["sources"].update(
                        name,
                        {"url": url, "configured_url": url, "kind": kind, "etag": None,
                         "last_modified": None, "body_hash": None, "redirect_candidate": None,
                         "redirect_confirmations": 0, "redirected_from": None,
                         **_FRESH_HEALTH},
                    )

    def source_rows(self, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
        rows = self.db.query(
            "SELECT s.*, (SELECT count(*) FROM articles a WHERE a.source = s.name) AS articles "
            "FROM sources s ORDER BY s.name"
        )
        wanted = set(names) if names is not None else None
        return [dict(r) for r in rows if wanted is None or r["name"] in wanted]

    def set_paused(self, name: str, paused: bool) -> bool:
        """Pause or resume one source; False when no such source is known."""
        with self.lock, self.db.atomic():
            cur = self.db.execute(
                "UPDATE sources SET paused = ? WHERE name = ?", [int(paused), name]
            )
            return cur.rowcount > 0

    # -- fetch state and health (issue 3): decided in monitor.fetch.health ---------------

    def source_state(self, name: str) -> dict[str, Any] | None:
        rows = select_rows(self.db.conn, "SELECT * FROM sources WHERE name = ?", [name])
        return rows[0] if rows else None

    def apply_fetch(self, name: str, update: dict[str, Any], log: dict[str, Any]) -> None:
        """Write a source's new state and its fetch-log row in one transaction."""
        with self.lock, self.db.atomic():
            update_row(self.db.conn, "sources", "name", name, update)
            insert_row(self.db.conn, "fetch_log", {"source": name, **log})

    def recent_404s(self, name: str, url: str, limit: int = 10) -> int:
        """How many of the source's latest fetches in a row ended in HTTP 404 at `url`:
        another URL's 404s (before the URL was changed) say nothing about this one."""
        count = 0
        for row in self.db.query(
            "SELECT url, http_status FROM fetch_log WHERE source = ? ORDER BY id DESC LIMIT ?",
            [name, limit],
        ):
            if row["http_status"] != 404 or row["url"] != url:
                break
            count += 1
        return count

    def last_fetch_logs(self) -> dict[str, dict[str, Any]]:
        """The latest fetch-log row of each source."""
        rows = self.db.query(
            "SELECT f.* FROM fetch_log f JOIN (SELECT source, max(id) AS id FROM fetch_log "
            "GROUP BY source) m ON f.id = m.id"
        )
        return {r["source"]: dict(r) for r in rows}

    def has_entries(self, source: str) -> bool:
        """Whether the source has delivered any feed entry yet."""
        return self.db.conn.execute(
            "SELECT 1 FROM feed_entries WHERE source = ? LIMIT 1", [source]).fetchone() is not None

    def known_entries(self, source: str, keys: Iterable[str]) -> set[str]:
        """Which of these feed entry keys the source has already delivered."""
        return present_keys(self.db.conn, "feed_entries", "entry_key", ("source", source), keys)

    def mark_entries(self, source: str, entries: Iterable[tuple[str, int | None]]) -> None:
        """Remember entries as seen (call inside the batch that saved their articles)."""
        at = iso(now_utc())
        with self.lock:
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO feed_entries(source, entry_key, article_id, seen_at) "
                "VALUES (?, ?, ?, ?)",
                [(source, key, article_id, at) for key, article_id in entries],
            )
