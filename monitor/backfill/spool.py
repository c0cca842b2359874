"""The fetch spool of a URL backfill: every response kept on disk until it is stored.

Why: an interrupted backfill run again "fetches nothing twice" (issue 8). Article
checkpoints (`backfill_items`) only cover what reached the database; a page fetched
but still in the analysis window when the process died, or a sitemap whose
articles were not all stored yet, would otherwise be fetched again. So each
response (and each permanent failure, such as a 404) is written here, atomically
(temporary file, then rename), by the thread that fetched it, before anything
else happens to it; a rerun reads the spool before it reaches for the network.

Layout: `<database>.spool/<run key>/<hash of URL>`; one file per URL holding a JSON
header line (URL, final URL, status, content type, fetch time, or the failure)
and the body. An article's file is deleted once its checkpoint is committed; the
whole run folder goes when a run completes, so a later run fetches afresh (new
sitemap entries, a retry of what failed).

Trade-off: disk space for the in-flight window and the discovery documents, in
exchange for never asking a server twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..timeutil import iso, parse_iso

__all__ = ["Fetched", "Spool"]


@dataclass(frozen=True)
class Fetched:
    """A fetched document, or the failure that stands for it (`error_kind` set)."""

    url: str  # as requested
    final_url: str
    status: int
    content_type: str
    body: bytes
    fetched_at: datetime | None
    error_kind: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error_kind is None


class Spool:
    """Responses of one backfill run, by URL (thread-safe: one file per URL)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    @classmethod
    def for_run(cls, database: Path, run_key: str) -> Spool:
        return cls(Path(str(database) + ".spool") / run_key)

    def _path(self, url: str) -> Path:
        return self.folder / hashlib.sha1(url.encode()).hexdigest()

    def get(self, url: str) -> Fetched | None:
        try:
            data = self._path(url).read_bytes()
        except OSError:
            return None
        head, _, body = data.partition(b"\n")
        try:
            meta = json.loads(head)
        except ValueError:
            return None  # a damaged entry is fetched again
        return Fetched(meta["url"], meta["final_url"], meta["status"], meta["content_type"],
                       body, parse_iso(meta["fetched_at"]), meta.get("error_kind"),
                       meta.get("error"))

    def put(self, fetched: Fetched) -> None:
        """Write atomically: a killed process leaves the whole entry or none."""
        self.folder.mkdir(parents=True, exist_ok=True)
        meta = {"url": fetched.url, "final_url": fetched.final_url, "status": fetched.status,
                "content_type": fetched.content_type, "fetched_at": iso(fetched.fetched_at),
                "error_kind": fetched.error_kind, "error": fetched.error}
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            handle.write(json.dumps(meta).encode() + b"\n" + fetched.body)
        os.replace(tmp, self._path(fetched.url))

    def drop(self, url: str) -> None:
        self._path(url).unlink(missing_ok=True)

    def clear(self) -> None:
        """The run completed: nothing in it is needed again."""
        shutil.rmtree(self.folder, ignore_errors=True)
        parent = self.folder.parent
        if parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
