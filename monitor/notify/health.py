"""Source health alerts: one alert when a source turns `needs_attention`, and one
when a source that fetches fine brings nothing new for far longer than its usual
rate makes likely.

Each alert has an idempotent key naming its episode: for `needs_attention`, the last
success before the trouble (a source that recovers and breaks again alerts again);
for a quiet source, the time of its last new article. Run it as often as you like.

Quiet (trade-off): at least a day without a new article from a source whose fetch
log shows at least QUIET_MIN_RATE new articles a day over the 14 days before its
last one, and at least QUIET_EXPECTED articles expected in the silence. A source of
two articles a day alerts after about two and a half quiet days; one of twenty after
one day. Paused and already failing sources are left to their own status.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from ..timeutil import iso, parse_iso
from .render import local_time

if TYPE_CHECKING:
    from ..app import App

__all__ = ["HEALTH_RULE", "check_health", "health_findings"]

log = logging.getLogger(__name__)

HEALTH_RULE = "source-health"
QUIET_MIN_RATE = 2.0  # new articles a day
QUIET_EXPECTED = 5.0  # articles the silence should have brought
RATE_WINDOW = timedelta(days=14)


def _quiet(app: App, src: dict[str, Any], now: datetime) -> dict[str, Any] | None:
    last = parse_iso(app.store.last_new_article_at(src["name"]))
    if last is None or now - last < timedelta(days=1):
        return None
    total = app.store.new_articles_fetched(src["name"], iso(last - RATE_WINDOW) or "",
                                           iso(last + timedelta(seconds=1)) or "")
    rate = total / RATE_WINDOW.days
    silent_days = (now - last) / timedelta(days=1)
    if rate < QUIET_MIN_RATE or rate * silent_days < QUIET_EXPECTED:
        return None
    return {
        "key": f"quiet:{src['name']}:{iso(last)}",
        "title": f"Source {src['name']} has gone quiet",
        "body": f"No new article from {src['name']} for {silent_days:.1f} days, though it "
                f"usually brings {rate:.1f} a day. Its feed may have moved or stalled.",
    }


def _attention(src: dict[str, Any], tz: str) -> dict[str, Any]:
    error = f"{src['last_error_kind']}: {src['last_error_message']}" \
        if src["last_error_kind"] else "no error recorded"
    last = src["last_success_at"]
    # The desk reads every other time in the monitor's zone (alerts, digests): the
    # stored UTC text would read as hours off. The key keeps the stored text: stable.
    shown = local_time(last, tz) if last else "never"
    return {
        "key": f"attention:{src['name']}:{last or 'never'}",
        "title": f"Source {src['name']} needs attention",
        "body": f"{src['consecutive_failures']} failed fetches in a row; last success "
                f"{shown}; last error {error}.",
    }


def health_findings(app: App, now: datetime) -> list[dict[str, Any]]:
    """What deserves a health alert now (each with its episode key)."""
    found = []
    tz = app.settings.monitor.timezone
    for src in app.store.health_sources():
        if src["paused"]:
            continue
        if src["status"] == "needs_attention":
            found.append({**_attention(src, tz), "source": src["name"],
                          "reason": "needs_attention"})
        elif src["status"] == "ok" and (quiet := _quiet(app, src, now)):
            found.append({**quiet, "source": src["name"], "reason": "quiet"})
    return found


def check_health(app: App, now: datetime) -> None:
    """Queue one health alert per finding and `[health].channels` entry (idempotent)."""
    channels = app.settings.health.channels
    if not channels:
        return
    now = now.astimezone(UTC)  # stored times compare as UTC text
    at = iso(now) or ""
    for finding in health_findings(app, now):
        payload = {**finding, "command": f"monitor sources  # {finding['source']}"}
        for channel in channels:
            if app.store.queue_delivery("health", f"health:{finding['key']}:{channel}",
                                        channel, at, rule=HEALTH_RULE, payload=payload):
                log.warning("health alert queued on %s: %s", channel, finding["title"])
