"""Small runtime state: key/values (heartbeat, job runs) and backfill checkpoints."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from typing import Any

from sqlite_utils import Database

from ..timeutil import iso, now_utc
from .sql import present_keys

__all__ = ["Runtime"]


class Runtime:
    db: Database
    lock: threading.RLock

    def get_meta(self, key: str) -> Any:
        row = next(self.db.query("SELECT value FROM meta WHERE key = ?", [key]), None)
        return None if row is None else json.loads(row["value"])

    def set_meta(self, key: str, value: Any) -> None:
        with self.lock, self.db.atomic():
            self.db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, json.dumps(value, ensure_ascii=False)],
            )

    # -- backfill checkpoints -------------------------------------------------------------

    def done_items(self, run_key: str, item_keys: Iterable[str]) -> set[str]:
        """Which of these inputs a backfill run with this key already ingested."""
        return present_keys(self.db.conn, "backfill_items", "item_key", ("run_key", run_key),
                            item_keys)

    def mark_item(self, run_key: str, item_key: str, outcome: str, article_id: int | None) -> None:
        """Checkpoint one input; call inside the transaction that saved its article.
        (The plain connection: sqlite-utils' `execute` costs more than the statement,
        once an item in a backfill.)"""
        self.db.conn.execute(
            "INSERT OR REPLACE INTO backfill_items(run_key, item_key, outcome, article_id, at) "
            "VALUES (?, ?, ?, ?, ?)",
            [run_key, item_key, outcome, article_id, iso(now_utc())],
        )
