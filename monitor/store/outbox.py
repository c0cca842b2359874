"""The outbox and delivery ledger: one row per (kind, subject, channel) delivery.

Rows are created in the same transaction as the article that raises them
(`articles.py`); the dispatcher in `monitor.notify` moves them through
pending -> sent | failed | suppressed and records every attempt here.
"""

from __future__ import annotations

import threading
from typing import Any

from sqlite_utils import Database

__all__ = ["DELIVERY_FIELDS", "Outbox"]

DELIVERY_FIELDS = (
    "id", "rule", "channel", "article_id", "story_id", "status", "attempts",
    "created_at", "sent_at", "last_error",
)  # fmt: skip


def delivery_record(row: dict[str, Any]) -> dict[str, Any]:
    """A deliveries row in the shape of `monitor alerts --json`."""
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


class Outbox:
    db: Database
    lock: threading.RLock

    def deliveries(
        self, *, pending: bool = False, rule: str | None = None, limit: int = 1000
    ) -> list[dict[str, Any]]:
        where, args = ["kind IN ('alert', 'summary', 'health')"], []
        if pending:
            where.append("status = 'pending'")
        if rule:
            where.append("rule = ?")
            args.append(rule)
        rows = self.db.query(
            "SELECT * FROM deliveries WHERE " + " AND ".join(where)
            + " ORDER BY id DESC LIMIT ?",
            [*args, limit],
        )
        return [delivery_record(r) for r in rows]
