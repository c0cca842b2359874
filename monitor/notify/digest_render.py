"""The digest's forms: text, HTML, Markdown and Slack's compact mrkdwn.

HTML is written for mail clients: tables and inline styles, a bar chart made of
table cells (no SVG, no script: clients drop them), `dir` on every headline.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from typing import Any

from .digest import Digest
from .message import Message
from .render import mrkdwn, render

__all__ = ["FORMATS", "digest_data", "digest_message", "render_digest"]

FORMATS = {
    "text": "digest.txt.j2",
    "html": "digest.html.j2",
    "markdown": "digest.md.j2",
    "slack": "digest.slack.j2",
}
SLACK_SECTION = 2900  # Slack allows 3000 characters in a section's text


def render_digest(digest: Digest, fmt: str = "text") -> str:
    """One form of the digest: text | html | markdown | slack."""
    return render(FORMATS[fmt], d=digest)


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def digest_data(digest: Digest) -> dict[str, Any]:
    """The digest as JSON-able data (the webhook's body)."""
    data = _plain(dataclasses.asdict(digest))
    data.update(title=digest.title, quiet=digest.quiet)
    return data


def _slack_blocks(digest: Digest, text: str) -> tuple[dict[str, Any], ...]:
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": digest.title[:150]}}
    ]
    for part in (p.strip() for p in text.split("\n\n")):
        if part:
            blocks.append({"type": "section",
                           "text": {"type": "mrkdwn", "text": part[:SLACK_SECTION]}})
    return tuple(blocks)


def digest_message(digest: Digest) -> Message:
    """Every form at once; the outbox keeps it so that retries send the same digest."""
    slack = render_digest(digest, "slack")
    return Message(
        kind="digest",
        key=f"digest-{digest.day}",  # replaced by the outbox row's key when sent
        subject=digest.title,
        text=render_digest(digest, "text"),
        html=render_digest(digest, "html"),
        slack_text=mrkdwn(digest.title),
        blocks=_slack_blocks(digest, slack),
        data={"digest": digest_data(digest)},
    )
