"""The outbox and delivery ledger: one row per (kind, subject, channel) delivery.

Rows are created in the same transaction as the article that raises them
(`articles.py`), or by the notify package for summaries, health alerts and digests.
The dispatcher in `monitor.notify` moves them through

    pending -> sending -> sent | pending (retry later) | failed
    pending -> suppressed (storm control; `summary_id` names the summary that said so)

and every step is one committed statement, so a killed process leaves a row either
before the network call (`pending`) or marked as in flight (`sending`, with the
attempt's id), never in between. Only SQL lives here; the policy is in `notify`.
"""

from __future__ import annotations

import json
import threading
from typing import Any

from sqlite_utils import Database

from .digests import DigestReads

__all__ = ["DELIVERY_FIELDS", "Outbox", "delivery_record"]

DELIVERY_FIELDS = (
    "id", "rule", "channel", "article_id", "story_id", "status", "attempts",
    "created_at", "sent_at", "last_error",
)  # fmt: skip

_LISTED_KINDS = "kind IN ('alert', 'summary', 'health')"


def delivery_record(row: dict[str, Any]) -> dict[str, Any]:
    """A deliveries row in the shape of `monitor alerts --json` (plus `kind`)."""
    error = None
    if row["last_error_kind"]:
        error = {
            "kind": row["last_error_kind"],
            "message": row["last_error_message"],
            "at": row["last_error_at"],
        }
    record = {k: row[k] for k in DELIVERY_FIELDS if k != "last_error"}
    record["last_error"] = error
    record["kind"] = row["kind"]
    return record


class Outbox(DigestReads):
    """Deliveries: listing, queueing, claiming, recording; digests sent per day."""

    db: Database
    lock: threading.RLock

    # -- listing ---------------------------------------------------------------------

    def deliveries(
        self, *, pending: bool = False, rule: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        where, args = [_LISTED_KINDS], []
        if pending:
            where.append("status IN ('pending', 'sending')")
        if rule:
            where.append("rule = ?")
            args.append(rule)
        rows = self.db.query(
            "SELECT * FROM deliveries WHERE " + " AND ".join(where)
            + " ORDER BY id DESC LIMIT ?",
            [*args, limit],
        )
        return [delivery_record(r) for r in rows]

    def delivery(self, delivery_id: int) -> dict[str, Any] | None:
        rows = self.db.query("SELECT * FROM deliveries WHERE id = ?", [delivery_id])
        return next((dict(r) for r in rows), None)

    def delivery_counts(self) -> dict[str, int]:
        """How many listed deliveries are in each status."""
        rows = self.db.query(
            f"SELECT status, count(*) AS n FROM deliveries WHERE {_LISTED_KINDS} GROUP BY status"
        )
        return {r["status"]: r["n"] for r in rows}

    # -- queueing ----------------------------------------------------------------------

    def queue_delivery(
        self,
        kind: str,
        dedupe_key: str,
        channel: str,
        at: str,
        *,
        rule: str | None = None,
        payload: dict[str, Any] | None = None,
        not_before: str | None = None,
    ) -> int | None:
        """Insert a pending row unless its key exists; the new id, or None if it did."""
        with self.lock, self.db.atomic():
            return self._insert_delivery(kind, dedupe_key, channel, at, rule, payload,
                                         not_before)

    def _insert_delivery(
        self, kind: str, key: str, channel: str, at: str, rule: str | None,
        payload: dict[str, Any] | None, not_before: str | None,
    ) -> int | None:
        cur = self.db.execute(
            "INSERT OR IGNORE INTO deliveries (kind, dedupe_key, rule, channel, status, "
            "created_at, next_attempt_at, payload) VALUES (?, ?, ?, ?, 'pending', ?, ?, ?)",
            [kind, key, rule, channel, at, not_before or at,
             None if payload is None else json.dumps(payload, ensure_ascii=False)],
        )
        return int(cur.lastrowid) if cur.rowcount else None

    # -- the dispatcher's steps ---------------------------------------------------------

    def in_flight(self) -> list[dict[str, Any]]:
        """Rows marked `sending`: in flight now, or left so by a killed dispatcher."""
        return [dict(r) for r in self.db.query(
            "SELECT id, attempt_id, claimed_at FROM deliveries WHERE status = 'sending'")]

    def requeue_interrupted(self, delivery_id: int, attempt_id: str, at: str) -> bool:
        """Put an interrupted attempt back to pending; its outcome is unknown."""
        with self.lock, self.db.atomic():
            cur = self.db.execute(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = ?, "
                "last_error_kind = 'other', last_error_message = ?, last_error_at = ? "
                "WHERE id = ? AND status = 'sending' AND attempt_id = ?",
                [at, "interrupted during delivery (outcome unknown); sending again", at,
                 delivery_id, attempt_id],
            )
            return cur.rowcount > 0

    def due_deliveries(self, now: str, limit: int = 200) -> list[dict[str, Any]]:
        """Pending rows whose time has come, oldest first."""
        rows = self.db.query(
            "SELECT * FROM deliveries WHERE status = 'pending' "
            "AND coalesce(next_attempt_at, created_at) <= ? ORDER BY id LIMIT ?",
            [now, limit],
        )
        return [dict(r) for r in rows]

    def claim(self, delivery_id: int, attempt_id: str, at: str) -> bool:
        """Mark a pending row `sending` (committed before the network call)."""
        with self.lock, self.db.atomic():
            cur = self.db.execute(
                "UPDATE deliveries SET status = 'sending', attempt_id = ?, claimed_at = ?, "
                "attempts = attempts + 1 WHERE id = ? AND status = 'pending'",
                [attempt_id, at, delivery_id],
            )
            return cur.rowcount > 0

    def record_attempt(
        self,
        delivery_id: int,
        attempt_id: str,
        status: str,
        at: str,
        *,
        next_attempt_at: str | None = None,
        error: tuple[str, str] | None = None,
    ) -> None:
        """Record the outcome of a claimed attempt: sent, pending (retry) or failed."""
        sets = ["status = ?", "next_attempt_at = ?"]
        args: list[Any] = [status, next_attempt_at]
        if status == "sent":
            sets.append("sent_at = ?")
            args.append(at)
        if error is not None:
            sets += ["last_error_kind = ?", "last_error_message = ?", "last_error_at = ?"]
            args += [error[0], error[1][:1000], at]
        with self.lock, self.db.atomic():
            self.db.execute(
                f"UPDATE deliveries SET {', '.join(sets)} WHERE id = ? AND attempt_id = ?",
                [*args, delivery_id, attempt_id],
            )

    # -- storm control --------------------------------------------------------------------

    def pending_alert_groups(self) -> dict[tuple[str, str], list[int]]:
        """Ids of pending alert rows per (rule, channel), oldest first."""
        groups: dict[tuple[str, str], list[int]] = {}
        for r in self.db.query(
            "SELECT id, rule, channel FROM deliveries WHERE kind = 'alert' "
            "AND status = 'pending' ORDER BY id"
        ):
            groups.setdefault((r["rule"], r["channel"]), []).append(r["id"])
        return groups

    def alerts_sent_since(self, rule: str, channel: str, since: str) -> int:
        """Alerts of a rule on a channel sent (or in flight) since a time."""
        return next(self.db.query(
            "SELECT count(*) AS n FROM deliveries WHERE kind = 'alert' AND rule = ? "
            "AND channel = ? AND status IN ('sent', 'sending') "
            "AND coalesce(sent_at, claimed_at) >= ?",
            [rule, channel, since],
        ))["n"]

    def suppress(
        self, rule: str, channel: str, ids: list[int], at: str, not_before: str
    ) -> int:
        """Mark rows suppressed and attach them to the rule's open summary (made if none).

        One transaction: the rows and the summary that will report them land together.
        Returns the summary's id.
        """
        with self.lock, self.db.atomic():
            row = next(self.db.query(
                "SELECT id FROM deliveries WHERE kind = 'summary' AND rule = ? AND channel = ? "
                "AND status = 'pending' ORDER BY id DESC LIMIT 1", [rule, channel]), None)
            if row is not None:
                summary_id = int(row["id"])
            else:
                key = f"summary:{rule}:{channel}:from:{ids[0]}"
                summary_id = self._insert_delivery(
                    "summary", key, channel, at, rule, None, not_before) or 0
            marks = ",".join("?" * len(ids))
            self.db.execute(
                "UPDATE deliveries SET status = 'suppressed', summary_id = ? "
                f"WHERE status = 'pending' AND id IN ({marks})",
                [summary_id, *ids],
            )
            return summary_id

    def last_summary_sent_at(self, rule: str, channel: str) -> str | None:
        return next(self.db.query(
            "SELECT max(sent_at) AS at FROM deliveries WHERE kind = 'summary' AND rule = ? "
            "AND channel = ? AND status = 'sent'", [rule, channel]))["at"]

    def summarised_count(self, summary_id: int) -> int:
        return next(self.db.query(
            "SELECT count(*) AS n FROM deliveries WHERE summary_id = ?", [summary_id]))["n"]

    # -- digests ---------------------------------------------------------------------------

    def digest_record(self, day: str, channel: str) -> dict[str, Any] | None:
        """The digest sent (or being sent) for a day on a channel, with its delivery."""
        rows = self.db.query(
            "SELECT g.day, g.channel, g.delivery_id, g.created_at, d.status, d.sent_at, "
            "d.attempts, d.last_error_message FROM digests g "
            "LEFT JOIN deliveries d ON d.id = g.delivery_id WHERE g.day = ? AND g.channel = ?",
            [day, channel],
        )
        return next((dict(r) for r in rows), None)

    def queue_digest(
        self, day: str, channel: str, payload: dict[str, Any], at: str, *, force: bool
    ) -> int | None:
        """Queue a day's digest for a channel once; with `force`, once more.

        The ledger row (`digests`) and the outbox row land in one transaction; without
        `force` an existing ledger row wins and nothing is queued (None).
        """
        with self.lock, self.db.atomic():
            cur = self.db.execute(
                "INSERT OR IGNORE INTO digests (day, channel, created_at) VALUES (?, ?, ?)",
                [day, channel, at],
            )
            if not cur.rowcount and not force:
                return None
            key = f"digest:{day}:{channel}" + ("" if cur.rowcount else f":again:{at}")
            delivery_id = self._insert_delivery("digest", key, channel, at, None, payload, None)
            self.db.execute(
                "UPDATE digests SET delivery_id = ? WHERE day = ? AND channel = ?",
                [delivery_id, day, channel],
            )
            return delivery_id

    # -- what an alert says ------------------------------------------------------------------

    def alert_article(self, article_id: int) -> dict[str, Any] | None:
        """The article an alert is about, its mentions and its story's coverage."""
        row = next(self.db.query("SELECT id, url, source, title, published, fetched_at, "
                                 "language, text, relevance, concepts, story_id, duplicate_of "
                                 "FROM articles WHERE id = ?", [article_id]), None)
        if row is None:
            return None
        article = dict(row)
        article["concepts"] = json.loads(article["concepts"])
        article["mentions"] = [dict(m) for m in self.db.query(
            'SELECT concept, surface, field, start, "end", sentence FROM mentions '
            "WHERE article_id = ? ORDER BY field DESC, start", [article_id])]
        cover = next(self.db.query(
            "SELECT count(*) AS articles, count(DISTINCT source) AS outlets FROM articles "
            "WHERE story_id = ?", [row["story_id"]]))
        article["coverage"] = {"articles": cover["articles"], "outlets": cover["outlets"]}
        return article
