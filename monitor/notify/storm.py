"""Storm control: per rule and channel, at most `max_per_hour` alerts in any hour.

Run at the start of every dispatch pass, before anything is sent. The oldest pending
alerts of a (rule, channel) fill what room the last hour left; the rest become
`suppressed` and are attached to one pending summary row, which says how many were
held back and how to list them. At most one summary per rule and channel goes out
an hour: suppressions while a summary is still pending join it, and a new summary
waits until an hour after the last one was sent. Trade-off: alerts are held back in
arrival order (the oldest go out), not ranked; the digest ranks.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from ..config import Settings
from ..store import Store
from ..timeutil import iso, parse_iso

__all__ = ["HOUR", "apply_storm_control"]

log = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
DEFAULT_MAX_PER_HOUR = 10  # for rows of a rule since removed from the configuration


def apply_storm_control(store: Store, settings: Settings, now: datetime) -> int:
    """Suppress what exceeds each rule's hourly budget; returns how many were."""
    limits = {r.name: r.max_per_hour for r in settings.alerts}
    since = iso(now - HOUR)
    assert since is not None
    total = 0
    for (rule, channel), ids in store.pending_alert_groups().items():
        limit = limits.get(rule, DEFAULT_MAX_PER_HOUR)
        room = max(0, limit - store.alerts_sent_since(rule, channel, since))
        extra = ids[room:]
        if not extra:
            continue
        last = parse_iso(store.last_summary_sent_at(rule, channel))
        not_before = max(now, last + HOUR) if last else now
        summary = store.suppress(rule, channel, extra, iso(now) or "", iso(not_before) or "")
        log.warning("storm control: rule %s channel %s: %d alert(s) suppressed (summary #%d)",
                    rule, channel, len(extra), summary)
        total += len(extra)
    return total
