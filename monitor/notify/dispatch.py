"""The outbox dispatcher: deliver what is due, record each outcome, retry, give up.

One attempt at one row, each step committed before the next (STYLE.md 3):

1. claim: the row becomes `sending` with an attempt id (`host:pid:nonce`), attempts+1;
2. send over the channel (the only step that leaves the process);
3. record: `sent`, or back to `pending` with the next attempt time, or `failed`.

A process killed between 1 and 3 leaves the row `sending`. The next pass puts such a
row back to `pending` when its owner is gone (same host, pid not alive) or its lease
expired, and sends it again: delivery is at-least-once. A repeat is that message, or
one the server took without its answer reaching us (a timeout is retried like any
failure); both carry the row's idempotency key (README "Delivery guarantees").

Retries back off exponentially (30 s, 1 min, 2 min ... capped at 1 h) or wait what
the server's Retry-After says; a retriable failure also holds the rest of that
channel's rows until the next pass. After MAX_ATTEMPTS, or on a permanent error (a
4xx other than 408/429, a recipient refused with a 5xx), the row is `failed` with
its error kept.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx

from ..errors import DeliveryError
from ..process import pid_alive
from ..timeutil import iso, now_utc, parse_iso
from .channels import make_sender
from .compose import compose
from .storm import apply_storm_control

if TYPE_CHECKING:
    from ..app import App

__all__ = ["MAX_ATTEMPTS", "DispatchReport", "Dispatcher", "backoff"]

log = logging.getLogger(__name__)
# httpx carries the channels' requests: its INFO line per request says nothing our
# delivery lines do not.
logging.getLogger("httpx").setLevel(logging.WARNING)

MAX_ATTEMPTS = 8
BACKOFF_BASE = timedelta(seconds=30)
BACKOFF_CAP = timedelta(hours=1)
HOLD_KEY = "notify.hold:"  # meta key prefix: channel -> no delivery before this time
LEASE = timedelta(minutes=5)  # far longer than one send may take (timeouts below)
HTTP_TIMEOUT = httpx.Timeout(20.0, connect=10.0)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones."""
    return min(BACKOFF_CAP, BACKOFF_BASE * 2 ** max(0, attempts - 1))


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    suppressed: int = 0
    recovered: int = 0


class Dispatcher:
    """Delivers due outbox rows for one App; one pass per `run`."""

    def __init__(self, app: App, client: httpx.Client | None = None) -> None:
        self.app = app
        self.client = client or httpx.Client(timeout=HTTP_TIMEOUT, follow_redirects=False)
        self._own_client = client is None
        self.host = socket.gethostname()

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> Dispatcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def run(self, now: datetime | None = None, *, only: Collection[int] | None = None
            ) -> DispatchReport:
        """Recover interrupted attempts, apply storm control, deliver what is due."""
        now = (now or now_utc()).astimezone(UTC)  # stored times compare as UTC text
        report = DispatchReport(recovered=self.recover(now))
        report.suppressed = apply_storm_control(self.app.store, self.app.settings, now)
        held: set[str] = set()
        for row in self.app.store.due_deliveries(iso(now) or ""):
            if (only is not None and row["id"] not in only) or row["channel"] in held:
                continue
            if self.on_hold(row["channel"], now):
                held.add(row["channel"])
                continue
            outcome = self.deliver(row, now)
            if outcome == "sent":
                report.sent += 1
            elif outcome == "failed":
                report.failed += 1
            elif outcome == "retry":
                report.retrying += 1
                held.add(row["channel"])
        return report

    def on_hold(self, channel: str, now: datetime) -> bool:
        """A channel that answered Retry-After gets nothing before that time."""
        until = parse_iso(self.app.store.get_meta(f"{HOLD_KEY}{channel}"))
        return until is not None and now < until

    # -- recovery -----------------------------------------------------------------------

    def recover(self, now: datetime) -> int:
        """Put rows left `sending` by a dead dispatcher back to pending."""
        count = 0
        for row in self.app.store.in_flight():
            if self._abandoned(row, now) and self.app.store.requeue_interrupted(
                    row["id"], row["attempt_id"], iso(now) or ""):
                log.warning("delivery #%d: attempt %s was interrupted; sending again",
                            row["id"], row["attempt_id"])
                count += 1
        return count

    def _abandoned(self, row: dict[str, Any], now: datetime) -> bool:
        claimed = parse_iso(row["claimed_at"])
        if claimed is None or now - claimed > LEASE:
            return True
        host, _, rest = (row["attempt_id"] or "").partition(":")
        pid = rest.partition(":")[0]
        if host != self.host or not pid.isdigit() or int(pid) == os.getpid():
            return False
        return not pid_alive(int(pid))

    # -- one attempt ------------------------------------------------------------------------

    def deliver(self, row: dict[str, Any], now: datetime) -> str:
        """One attempt at one row: sent | retry | failed | skipped (claimed elsewhere)."""
        store, settings = self.app.store, self.app.settings
        now = now.astimezone(UTC)
        attempt = f"{self.host}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        at = iso(now) or ""
        channel = settings.channel(row["channel"])
        try:
            if channel is None:
                raise DeliveryError(row["channel"], "other", "channel is not configured",
                                    permanent=True)
            message = compose(self.app, row)
        except DeliveryError as e:
            message, error = None, e
        except Exception as e:  # a poison row must not block the outbox
            log.exception("delivery #%d: cannot compose the message", row["id"])
            message, error = None, DeliveryError(row["channel"], "other",
                                                 f"cannot compose: {e!r}", permanent=True)
        if not store.claim(row["id"], attempt, at):
            return "skipped"
        if message is None or channel is None:
            return self._record_failure(row, attempt, now, error)
        try:
            make_sender(settings, channel, self.client)(message)
        except DeliveryError as e:
            return self._record_failure(row, attempt, now, e)
        except Exception as e:  # a sender's bug must fail this row, not stop the outbox
            log.exception("delivery #%d: the %s sender failed", row["id"], channel.kind)
            return self._record_failure(row, attempt, now, DeliveryError(
                row["channel"], "other", f"unexpected error while sending: {e!r}"))
        store.record_attempt(row["id"], attempt, "sent", at)
        log.info("delivery #%d (%s) sent on %s", row["id"], row["kind"], row["channel"])
        return "sent"

    def _record_failure(self, row: dict[str, Any], attempt: str, now: datetime,
                        error: DeliveryError) -> str:
        attempts = row["attempts"] + 1
        at = iso(now) or ""
        reason = (error.kind, error.message)
        if error.permanent or attempts >= MAX_ATTEMPTS:
            self.app.store.record_attempt(row["id"], attempt, "failed", at, error=reason)
            log.error("delivery #%d on %s failed after %d attempt(s): %s",
                      row["id"], row["channel"], attempts, error.message)
            return "failed"
        wait = backoff(attempts)
        if error.retry_after is not None:
            wait = min(BACKOFF_CAP, timedelta(seconds=error.retry_after))
            # The server rate-limits the channel, not this message: hold all of it.
            self.app.store.set_meta(f"{HOLD_KEY}{row['channel']}", iso(now + wait))
        self.app.store.record_attempt(row["id"], attempt, "pending", at,
                                      next_attempt_at=iso(now + wait), error=reason)
        log.warning("delivery #%d on %s: %s; retry in %s", row["id"], row["channel"],
                    error.message, wait)
        return "retry"
