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

__all__ = ["SourceState"]


class SourceState:
    db: Database
    lock: threading.RLock

    def sync_sources(self, configured: Iterable[tuple[str, str, str]]) -> None:
        """Make the sources table know every configured (name, url, kind).

        A source whose configured URL changed starts again from that URL; health and
        validators of unchanged sources are kept; a source dropped from the
        configuration keeps its row (its articles still name it) but is not polled.
        """
        at = iso(now_utc())
        with self.lock, self.db.atomic():
            for name, url, kind in configured:
                row = next(self.db.query("SELECT * FROM sources WHERE name = ?", [name]), None)
                if row is None:
                    self.db["sources"].insert(
                        {"name": name, "url": url, "configured_url": url, "kind": kind,
                         "created_at": at}
                    )
                elif row["configured_url"] != url or row["kind"] != kind:
                    self.db["sources"].update(
                        name,
                        {"url": url, "configured_url": url, "kind": kind, "etag": None,
                         "last_modified": None, "body_hash": None, "redirect_candidate": None,
                         "redirect_confirmations": 0, "redirected_from": None},
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
