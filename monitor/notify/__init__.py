"""Alerts and daily digests (issue 7): rules, the outbox dispatcher, channels, digest.

The daemon calls three jobs:

    dispatch_pending(app)        every 30 s: deliver what is due in the outbox
    send_due_digest(app, now)    every minute: yesterday's digest once `[digest].at` passed
    check_health(app, now)       every 5 min: queue source health alerts

and the CLI and the demo use `send_digest`, `build_digest` and `render_digest`.
Delivery semantics are in the README ("Delivery guarantees") and `dispatch.py`.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from .digest import Digest, build_digest
from .digest_render import FORMATS, digest_message, render_digest
from .digest_send import DigestOutcome, due_digest_day, send_digest, send_due_digest
from .dispatch import Dispatcher, DispatchReport
from .health import check_health
from .rules import match_rules

if TYPE_CHECKING:
    from ..app import App

__all__ = [
    "FORMATS",
    "Digest",
    "DigestOutcome",
    "DispatchReport",
    "Dispatcher",
    "build_digest",
    "check_health",
    "digest_message",
    "dispatch_pending",
    "due_digest_day",
    "match_rules",
    "render_digest",
    "send_digest",
    "send_due_digest",
]


def dispatch_pending(app: App, now: datetime | None = None) -> DispatchReport:
    """One dispatcher pass: recover, storm control, deliver what is due."""
    with Dispatcher(app) as dispatcher:
        return dispatcher.run(now)
