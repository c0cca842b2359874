"""Source health: what one fetch attempt does to a source's state (pure decisions).

The cycle reports an `Attempt`; `next_state` returns the columns to write. The store
only applies them (STYLE.md 3), so the policy lives here, in one place:

* success resets the count and the score; the next fetch is due one interval later
  (with +-10 % jitter, so sources configured together drift apart);
* a failure adds its kind's weight to `failure_score` (a dead host counts more than
  a slow one) and backs off: interval * 2**score, capped at `MAX_BACKOFF` (but never
  less than the interval), with jitter;
* Retry-After on 429/503 (RFC 9110 10.2.3) is honoured when it asks for longer;
* 410 Gone, the same 404 `NOT_FOUND_LIMIT` times in a row, or an address refusal
  mark the source `needs_attention`: waiting will not fix them, a person must;
* a permanent redirect (301/308) is adopted once `REDIRECT_CONFIRMATIONS`
  consecutive fetches confirm the same target (a one-off misconfiguration at the
  publisher must not move our source for good);
* a scheduled run fetches a source that is due within `DUE_SLACK` of an interval
  (`is_due`): the daemon runs each source's job every interval, late by its trigger
  jitter, while `next_due_at` is an interval +-10 % after the last fetch, so it lands
  a little after the next run about half the time; a strict check skipped those runs
  and the source waited a whole extra interval (~a quarter of polls were lost). With
  the slack the run nearest to `next_due_at` takes it. A failing source gets no
  slack: its backoff, or a publisher's Retry-After, is waited out to the second.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from ..timeutil import iso, parse_iso

__all__ = [
    "MAX_BACKOFF",
    "NOT_FOUND_LIMIT",
    "PERMANENT_KINDS",
    "REDIRECT_CONFIRMATIONS",
    "Attempt",
    "due_at",
    "is_due",
    "may_pass_later",
    "next_state",
]

MAX_BACKOFF = timedelta(hours=6)
MAX_RETRY_AFTER = timedelta(hours=24)
NOT_FOUND_LIMIT = 3
REDIRECT_CONFIRMATIONS = 2
JITTER = 0.1
DUE_SLACK = 0.5  # of an interval: > JITTER + the trigger's jitter (a tenth) + fetch time
WEIGHTS = {
    "timeout": 1.0, "connect": 1.0, "http_status": 1.0, "too_large": 2.0, "parse": 1.0,
    "robots": 2.0, "blocked_address": 3.0, "redirect_loop": 2.0, "other": 1.0,
}
STATUS_WEIGHTS = {404: 2.0, 410: 3.0, 429: 0.5, 401: 2.0, 403: 2.0}
# Failures that asking again will not mend: refused before a request, or a body that
# will not be read (an HTTP 4xx is judged by its status: `may_pass_later`).
PERMANENT_KINDS = frozenset({"robots", "blocked_address", "too_large", "redirect_loop",
                             "parse", "other"})


def may_pass_later(kind: str, status: int | None) -> bool:
    """Whether a fetch that failed this way may succeed if asked again later: a timeout,
    a connection failure, a 5xx, or a 4xx that says "later" (408, 425, 429)."""
    if kind in PERMANENT_KINDS:
        return False
    return not (kind == "http_status" and status is not None and 400 <= status < 500
                and status not in (408, 425, 429))


def due_at(row: dict[str, Any], interval: timedelta) -> datetime | None:
    """When the source is next due, with `interval` as configured now: a healthy source's
    `next_due_at` was reckoned with the interval of its last fetch, and a reload that
    shortened the interval must not wait that old interval out (a backoff stands)."""
    due = parse_iso(row.get("next_due_at"))
    last = parse_iso(row.get("last_fetch_at"))
    if due is not None and last is not None and not row.get("consecutive_failures"):
        due = min(due, last + interval)
    return due


def is_due(row: dict[str, Any], now: datetime, interval: timedelta) -> bool:
    """Whether a scheduled run at `now` fetches the source in `row` (its stored state),
    polled every `interval` as configured now. Never fetched, or its URL changed: due.
    Early by up to `DUE_SLACK` of an interval is due, unless the source is failing (a
    backoff or a Retry-After: not a second early)."""
    due = due_at(row, interval)
    if due is None:
        return True
    # A last fetch stamped after `now` means the clock went back since (an NTP fix
    # after a boot with a wrong clock): no delay can be reckoned from it, and waiting
    # for it left the source silently unpolled for as long as the clock had been
    # ahead. Fetch now; that fetch stamps the real time and the usual policy resumes.
    last = parse_iso(row.get("last_fetch_at"))
    if last is not None and last > now:
        return True
    failing = bool(row.get("consecutive_failures"))
    return due - (timedelta(0) if failing else interval * DUE_SLACK) <= now


@dataclass(frozen=True)
class Attempt:
    """What one fetch of a source's URL came to."""

    outcome: str  # ok | not_modified | unchanged | error
    at: datetime
    interval: timedelta
    error_kind: str | None = None
    error_message: str | None = None
    http_status: int | None = None
    retry_after: float | None = None
    permanent_target: str | None = None  # final URL if every hop was 301/308
    etag: str | None = None
    last_modified: str | None = None
    body_hash: str | None = None
    unconditional: bool = False
    recent_404s: int = 0  # consecutive 404s before this attempt (from the fetch log)


def _jittered(delay: timedelta, rng: random.Random) -> timedelta:
    return delay * (1 + rng.uniform(-JITTER, JITTER))


def next_state(row: dict[str, Any], a: Attempt, rng: random.Random | None = None
               ) -> tuple[dict[str, Any], str | None]:
    """(columns to update, message to log about an adopted redirect or None)."""
    rng = rng or random.Random()
    update: dict[str, Any] = {"last_fetch_at": iso(a.at)}
    if a.outcome == "error":
        update.update(_failure(row, a, rng))
        update.update({"redirect_candidate": None, "redirect_confirmations": 0})
        return update, None
    update.update({
        "status": "ok", "consecutive_failures": 0, "failure_score": 0,
        "last_success_at": iso(a.at),
        "next_due_at": iso(a.at + _jittered(a.interval, rng)),
    })
    if a.outcome == "ok":
        update.update({"etag": a.etag, "last_modified": a.last_modified,
                       "body_hash": a.body_hash})
    if a.unconditional:
        update["last_unconditional_at"] = iso(a.at)
    redirect, note = _redirect(row, a)
    update.update(redirect)
    return update, note


def _failure(row: dict[str, Any], a: Attempt, rng: random.Random) -> dict[str, Any]:
    kind = a.error_kind or "other"
    weight = STATUS_WEIGHTS.get(a.http_status or 0, WEIGHTS.get(kind, 1.0))
    score = float(row.get("failure_score") or 0) + weight
    failures = int(row.get("consecutive_failures") or 0) + 1
    delay = min(a.interval * (2 ** min(score, 16)), max(MAX_BACKOFF, a.interval))
    delay = _jittered(delay, rng)
    if a.retry_after is not None and a.http_status in (429, 503):
        delay = max(delay, min(timedelta(seconds=a.retry_after), MAX_RETRY_AFTER))
    attention = (a.http_status == 410 or kind == "blocked_address"
                 or (a.http_status == 404 and a.recent_404s + 1 >= NOT_FOUND_LIMIT))
    return {
        "status": "needs_attention" if attention else "failing",
        "consecutive_failures": failures,
        "failure_score": score,
        "last_error_kind": kind,
        "last_error_message": (a.error_message or "")[:500],
        "last_error_at": iso(a.at),
        "next_due_at": iso(a.at + delay),
    }


def _redirect(row: dict[str, Any], a: Attempt) -> tuple[dict[str, Any], str | None]:
    target = a.permanent_target
    if not target or target == row.get("url"):
        return {"redirect_candidate": None, "redirect_confirmations": 0}, None
    confirmations = int(row.get("redirect_confirmations") or 0) + 1 \
        if row.get("redirect_candidate") == target else 1
    if confirmations < REDIRECT_CONFIRMATIONS:
        return {"redirect_candidate": target, "redirect_confirmations": confirmations}, None
    note = f"adopted permanent redirect {row.get('url')} -> {target}"
    return {"url": target, "redirected_from": row.get("url"), "redirect_candidate": None,
            "redirect_confirmations": 0}, note
