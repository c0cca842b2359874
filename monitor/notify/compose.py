"""Turn one outbox row into the message it stands for, reading what it needs.

An alert is rendered when it goes out, so its coverage count is current; a digest
was rendered when it was queued and kept in the row, so every retry sends the same
text; summaries count their suppressed rows now; health alerts carry their facts.
"""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import DeliveryError
from .alerts import Notice, alert_message, idempotency_key, notice_message
from .message import Message

if TYPE_CHECKING:
    from ..app import App

__all__ = ["COMPOSERS", "compose"]


def _alert(app: App, row: dict[str, Any]) -> Message:
    article = app.store.alert_article(row["article_id"]) if row["article_id"] else None
    if article is None:
        raise DeliveryError(row["channel"], "other", "the article is no longer stored",
                            permanent=True)
    rule = next((r for r in app.settings.alerts if r.name == row["rule"]), None)
    return alert_message(row, article, rule, app.settings.monitor.timezone)


def _summary(app: App, row: dict[str, Any]) -> Message:
    count = app.store.summarised_count(row["id"])
    rule = next((r for r in app.settings.alerts if r.name == row["rule"]), None)
    limit = rule.max_per_hour if rule else "its"
    notice = Notice(
        title=f"{count} more alert{'s' if count != 1 else ''} held back for rule "
              f"\"{row['rule']}\"",
        body=f"Storm control: rule \"{row['rule']}\" sends at most {limit} alerts an hour "
             f"to channel {row['channel']}; {count} more matching "
             f"article{'s were' if count != 1 else ' was'} not sent. List them with:",
        # Quoted: a rule name may hold spaces, and the desk pastes this into a shell.
        command=f"monitor alerts --rule {shlex.quote(row['rule'])}",
    )
    return notice_message(row, notice, {"rule": row["rule"], "suppressed": count,
                                        "command": notice.command})


def _health(app: App, row: dict[str, Any]) -> Message:
    facts = json.loads(row["payload"] or "{}")
    notice = Notice(title=facts.get("title", "source health"), body=facts.get("body", ""),
                    command=facts.get("command", ""))
    return notice_message(row, notice, {"health": facts})


def _digest(app: App, row: dict[str, Any]) -> Message:
    message = Message.from_payload(json.loads(row["payload"]))
    return replace(message, key=idempotency_key(row))


COMPOSERS: dict[str, Callable[[App, dict[str, Any]], Message]] = {
    "alert": _alert,
    "summary": _summary,
    "health": _health,
    "digest": _digest,
}


def compose(app: App, row: dict[str, Any]) -> Message:
    """The message for a row, by its kind."""
    return COMPOSERS[row["kind"]](app, row)
