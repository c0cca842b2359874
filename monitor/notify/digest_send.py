"""Sending the digest: once per day and channel, recorded; on time from the daemon.

`send_digest` queues the day's digest for each channel in the outbox together with
the ledger row (`digests`, one per day and channel, one transaction) and delivers it
at once; a second call for the same day and channel sends nothing unless `force`.
A delivery that fails stays in the outbox and the dispatcher retries it.

`send_due_digest` is the daemon's minute job: from `[digest].at` local time on, it
sends the digest of the previous local day to every digest channel that has not had
it. A daemon that was down at that time sends it when it comes back the same local
day; a digest whose day has passed is not sent late (run `monitor digest --date D
--send` for that).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from ..errors import UsageError
from ..timeutil import iso, now_utc, zone
from .digest import Digest, build_digest
from .digest_render import digest_message
from .dispatch import Dispatcher

if TYPE_CHECKING:
    from ..app import App

__all__ = ["DigestOutcome", "due_digest_day", "send_digest", "send_due_digest"]

log = logging.getLogger(__name__)

_RESULTS = {"sent": "sent", "retry": "queued", "failed": "failed", "skipped": "queued"}


@dataclass(frozen=True)
class DigestOutcome:
    """What happened on one channel: sent | queued (retrying) | failed | already-sent ..."""

    channel: str
    status: str
    detail: str = ""


def _check_channels(app: App, channels: Sequence[str] | None) -> tuple[str, ...]:
    names = tuple(channels) if channels else app.settings.digest.channels
    if not names:
        raise UsageError("no digest channel: set [digest].channels or give --channel NAME")
    known = {c.name for c in app.settings.channels}
    for name in names:
        if name not in known:
            raise UsageError(f"--channel {name}: no such channel (channels: "
                             f"{', '.join(sorted(known)) or 'none defined'})")
    return names


def send_digest(
    app: App,
    day: date,
    *,
    channels: Sequence[str] | None = None,
    force: bool = False,
    now: datetime | None = None,
    digest: Digest | None = None,
) -> list[DigestOutcome]:
    """Deliver one day's digest once per channel (again with `force`)."""
    now = (now or now_utc()).astimezone(UTC)
    names = _check_channels(app, channels)
    outcomes: list[DigestOutcome] = []
    with Dispatcher(app) as dispatcher:
        for name in names:
            done = app.store.digest_record(day.isoformat(), name)
            if done is not None and not force:
                outcomes.append(DigestOutcome(name, f"already-{done['status'] or 'queued'}",
                                              done["sent_at"] or done["created_at"]))
                continue
            digest = digest or build_digest(app, day, now=now)
            payload = digest_message(digest).to_payload()
            delivery_id = app.store.queue_digest(day.isoformat(), name, payload, iso(now) or "",
                                                 force=force)
            row = app.store.delivery(delivery_id) if delivery_id else None
            if row is None:  # another process queued it a moment ago
                outcomes.append(DigestOutcome(name, "already-queued"))
                continue
            if dispatcher.on_hold(name, now):  # the channel's Retry-After: not before then
                outcomes.append(DigestOutcome(name, "queued", "the channel asked to wait "
                                              "(Retry-After); the daemon, or `monitor alerts "
                                              "send` run after that, delivers it"))
                continue
            result = dispatcher.deliver(row, now)
            after = app.store.delivery(row["id"]) or {}
            outcomes.append(DigestOutcome(name, _RESULTS[result],
                                          after.get("last_error_message") or ""))
    return outcomes


def due_digest_day(app: App, now: datetime) -> date | None:
    """The day whose digest is due at `now`: yesterday, once `[digest].at` has passed."""
    local = now.astimezone(zone(app.settings.monitor.timezone))
    if local.time() < time.fromisoformat(app.settings.digest.at):
        return None
    return local.date() - timedelta(days=1)


def send_due_digest(app: App, now: datetime) -> None:
    """The daemon's minute job (see module doc)."""
    day = due_digest_day(app, now)
    if day is None:
        return
    missing = [c for c in app.settings.digest.channels
               if app.store.digest_record(day.isoformat(), c) is None]
    if not missing:
        return
    for outcome in send_digest(app, day, channels=missing, now=now):
        log.info("digest %s on %s: %s %s", day, outcome.channel, outcome.status,
                 outcome.detail)
