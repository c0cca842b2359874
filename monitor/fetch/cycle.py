"""Fetch cycles: every source fetched, parsed and ingested; one result per source.

`Fetcher.fetch_source(source)` is one source's turn (a daemon job); `run_cycle`
runs many at once on a thread pool, most sources of one host spread out by the
client's per-host gate. A failing source is a result, not an exception (STYLE.md 8):
`SourceResult.error` holds the FetchError/ParseError, the store records the
source's health (`health.next_state`) and a fetch-log row, and one log line says
source, status, new, duplicates, bytes and ms.

Per source: conditional GET with the stored validators (an unconditional one every
`UNCONDITIONAL_EVERY`, against servers whose validators never change); a 304 or a
body whose hash did not change stops there; otherwise the document's candidates
(`discover`) not seen before (`feed_entries`) become raw items: the entry's summary,
or with `full_text` (always for sitemaps and pages) the article page itself, unless
a stored article already has its canonical URL. Items are analysed (possibly in
worker processes) and committed in one transaction with their entry marks, shared
with the other sources ready at the same time or about to be (`commits.Committer`).
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from ..app import App
from ..config import Source
from ..errors import FetchError, SourceError
from ..models import RawItem
from ..pipeline import Outcome
from ..store import Store
from ..timeutil import now_utc, parse_iso
from .client import Client, Response
from .commits import Committer, Stored
from .health import Attempt, is_due, next_state
from .items import ItemBuilder
from .result import SourceResult
from .workers import Workers

__all__ = ["UNCONDITIONAL_EVERY", "Fetcher", "SourceResult"]

log = logging.getLogger("monitor.fetch")

UNCONDITIONAL_EVERY = timedelta(hours=24)


class Fetcher:
    """Fetches sources into the app's store; share one per process (thread-safe)."""

    def __init__(self, app: App, *, client: Client | None = None, processes: int = 0,
                 alerts: bool = True) -> None:
        self.app = app
        self.settings = app.settings
        self.client = client or Client(app.settings.fetch, app.settings.monitor.user_agent)
        self._own_client = client is None
        self.workers = Workers(app.taxonomy, processes)
        self.pipeline = app.pipeline(alerts=alerts)
        self.committer = Committer(app.store, self.pipeline)
        # A turn's reads (its source's row, the entries it already delivered) on a
        # connection of their own, which sees what is committed: on the store's they
        # waited for its lock, held through each group's transaction (~0.3 s), and
        # held the workers' next feed back meanwhile (issue 3).
        self.reads = Store(app.store.path)
        self.stop = threading.Event()  # set: finish what is in hand, start nothing new
        self._users = 0  # jobs inside `in_use()`
        self._idle = threading.Condition()

    def close(self) -> None:
        self.workers.close()
        self.reads.close()
        if self._own_client:
            self.client.close()

    @contextmanager
    def in_use(self) -> Iterator[Fetcher]:
        """Mark a job using this fetcher, so that `retire` closes it only after the job."""
        with self._idle:
            self._users += 1
        try:
            yield self
        finally:
            with self._idle:
                self._users -= 1
                self._idle.notify_all()

    def retire(self, grace: float | None = None) -> None:
        """Start nothing new, wait for the jobs in hand (up to `grace` seconds if given),
        then close (its worker processes, connection and client); the daemon's reload
        replaces a fetcher this way, so that a reload leaves none of them behind."""
        self.stop.set()
        with self._idle:
            self._idle.wait_for(lambda: self._users == 0, timeout=grace)
        self.close()

    def sync(self) -> None:
        """Make the store know the configured sources (new ones, changed URLs)."""
        self.app.store.sync_sources((s.name, s.url, s.kind) for s in self.settings.sources)

    def run_cycle(self, sources: Sequence[Source] | None = None, *, force: bool = True
                  ) -> list[SourceResult]:
        """Fetch every (or the given) source once; results in configuration order."""
        chosen = list(self.settings.sources if sources is None else sources)
        self.sync()
        turns: list[Future[SourceResult]] = [Future() for _ in chosen]
        threads = max(1, min(self.settings.fetch.concurrency, len(chosen)))

        def turn(i: int) -> None:
            try:
                row = self._row(chosen[i])
            except Exception as e:
                turns[i].set_exception(e)
                return
            self._turn(chosen[i], row, force, turns[i], later=True)

        # Leaving the pool waits for every fetch; leaving `background` for every commit.
        with self.committer.background(), ThreadPoolExecutor(
                threads, thread_name_prefix="fetch") as pool:
            list(pool.map(turn, range(len(chosen))))
        return [t.result() for t in turns]

    def fetch_source(self, source: Source, *, force: bool = False) -> SourceResult:
        """One source's turn; never raises for the source's own trouble."""
        done: Future[SourceResult] = Future()
        self._turn(source, self._row(source), force, done, later=False)
        return done.result()

    def _row(self, source: Source) -> dict[str, Any]:
        """The source's row in the store (made if the store does not know it yet)."""
        with self.reads.lock:
            row = self.reads.source_state(source.name)
        if row is None:
            self.sync()
            with self.reads.lock:
                row = self.reads.source_state(source.name)
        assert row is not None
        return row

    # -- steps ----------------------------------------------------------------------

    def _turn(self, source: Source, row: dict[str, Any], force: bool,
              done: Future[SourceResult], *, later: bool) -> None:
        """One source's turn, its result in `done` once recorded; `later`: its items
        are stored by the committer's thread, which finishes the turn (`run_cycle`)."""
        try:
            result = SourceResult(source.name, row["url"], "ok")
            now = now_utc()
            if row["paused"]:
                result.outcome = "paused"
                done.set_result(result)
                return
            interval = self.settings.interval_of(source)
            if not force and not is_due(row, now, interval):
                result.outcome = "not_due"
                done.set_result(result)
                return
            started = time.monotonic()

            def end(attempt: Attempt | Callable[[], Attempt]) -> None:
                # Also called by the committer's thread: whatever goes wrong here goes
                # to `done`, or the cycle would wait for it forever.
                try:
                    if callable(attempt):
                        attempt = attempt()
                    result.ms = int((time.monotonic() - started) * 1000)
                    self._record(source, row, attempt, result)
                except Exception as e:
                    done.set_exception(e)
                else:
                    done.set_result(result)

            self._attempt(source, row, result, now, end, later)
        except Exception as e:  # the store failing, or a bug: the cycle's, not the source's
            if not done.done():
                done.set_exception(e)

    def _attempt(self, source: Source, row: dict[str, Any], result: SourceResult,
                 now: datetime, end: Callable[[Attempt | Callable[[], Attempt]], None],
                 later: bool) -> None:
        """Fetch and ingest; `end(attempt)` once the source's items are stored."""
        interval = self.settings.interval_of(source)
        last_full = parse_iso(row["last_unconditional_at"])
        unconditional = last_full is None or now - last_full >= UNCONDITIONAL_EVERY
        try:
            resp = self.client.get(
                row["url"], source=source.name,
                etag=None if unconditional else row["etag"],
                last_modified=None if unconditional else row["last_modified"],
            )
        except FetchError as e:
            end(self._failed(source, result, e, now, interval))
            return
        result.http_status, result.bytes = resp.status, resp.wire_bytes
        base = Attempt("ok", now, interval, http_status=resp.status,
                       permanent_target=resp.permanent_target, etag=resp.etag,
                       last_modified=resp.last_modified, unconditional=unconditional)
        if resp.not_modified:
            result.outcome = "not_modified"
            end(_replace(base, outcome="not_modified"))
            return
        body_hash = hashlib.sha256(resp.content).hexdigest()
        base = _replace(base, body_hash=body_hash)
        if body_hash == row["body_hash"]:
            result.outcome = "unchanged"
            end(_replace(base, outcome="unchanged"))
            return

        def failed(e: BaseException) -> Attempt:
            if not isinstance(e, SourceError):  # input-side surprise: traceback logged
                log.error("fetch source=%s failed unexpectedly", source.name, exc_info=e)
                e = SourceError(source.name, resp.url, "other", f"{type(e).__name__}: {e}")
            return self._failed(source, result, e, now, interval)

        def stored(outcomes: list[Outcome] | None, error: BaseException | None) -> None:
            for outcome in outcomes or ():
                result.counts[outcome.status] += 1
                result.alerts += outcome.alerts
            if error is not None:
                end(lambda: failed(error))
            elif result.left_behind:  # no validators, no hash: the next turn reads it all
                end(_replace(base, etag=None, last_modified=None, body_hash=None))
            else:
                end(base)

        try:
            outcomes = self._ingest(source, resp, result, stored if later else None)
        except Exception as e:
            end(failed(e))
            return
        if not later:
            stored(outcomes, None)

    def _failed(self, source: Source, result: SourceResult, e: SourceError, now: datetime,
                interval: timedelta) -> Attempt:
        result.outcome, result.error = "error", e
        status = getattr(e, "status", None)
        result.http_status = status
        recent = 0
        if status == 404:
            with self.app.store.lock:
                recent = self.app.store.recent_404s(source.name, result.url)
        return Attempt("error", now, interval, error_kind=e.kind, error_message=e.message,
                       http_status=status, retry_after=getattr(e, "retry_after", None),
                       recent_404s=recent)

    def _ingest(self, source: Source, resp: Response, result: SourceResult,
                stored: Stored | None) -> list[Outcome]:
        """Items analysed and committed: their outcomes; or, given `stored`, handed to
        the committer's thread, which calls it once they are stored (then `[]` here)."""
        builder = ItemBuilder(self.app, self.client, self.workers, self.stop, source, result,
                              reads=self.reads)
        items = builder.items(resp)
        result.left_behind = builder.left_behind
        with self.committer.coming() as coming:  # turns ready meanwhile may wait for it
            raws = [raw for _, raw in items if isinstance(raw, RawItem)]  # others: analysed
            analyses = self.workers.analyse(raws)
            if len(analyses) != len(raws):
                raise RuntimeError(f"{len(raws)} items analysed into {len(analyses)}")
            done = iter(analyses)
            keyed = [(key, next(done) if isinstance(raw, RawItem) else raw) for key, raw in items]
            if stored is not None:
                self.committer.submit(source.name, keyed, builder.seen, now_utc(),
                                      then=stored, coming=coming)
                return []
            return self.committer.commit(source.name, keyed, builder.seen, now_utc(),
                                         coming=coming)

    def _record(self, source: Source, row: dict[str, Any], attempt: Attempt,
                result: SourceResult) -> None:
        update, note = next_state(row, attempt)
        result.note = note
        if note:
            log.warning("source=%s %s", source.name, note)
        err = result.error
        c = result.counts
        entry = {
            "url": result.url, "at": update["last_fetch_at"], "outcome": result.outcome,
            "http_status": result.http_status, "bytes": result.bytes, "ms": result.ms,
            "new": c["new"], "duplicates": c["duplicate"], "updated": c["updated"],
            "error_kind": err.kind if err else None,
            "error_message": err.message if err else result.warning,
        }
        self.app.store.apply_fetch(source.name, update, entry)
        level = logging.WARNING if err else logging.INFO
        log.log(level, "fetch source=%s status=%s http=%s new=%d duplicates=%d bytes=%d ms=%d%s",
                source.name, result.outcome if not err else f"error:{err.kind}",
                result.http_status, c["new"], c["duplicate"], result.bytes, result.ms,
                f" error={err.message!r}" if err else "")


def _replace(a: Attempt, **changes: object) -> Attempt:
    return replace(a, **changes)  # type: ignore[arg-type]
