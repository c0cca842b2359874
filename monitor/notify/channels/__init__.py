"""Channels: one door per outside world, all behind `deliver(message)`.

    slack     Slack incoming webhook: Block Kit plus a plain-text fallback
    email     SMTP (starttls | ssl | none), multipart plain text and HTML
    webhook   generic JSON POST signed with HMAC-SHA256
    console   the daemon's stdout (or stderr)

`make_sender` picks the sender from the channel's `kind` through `SENDERS` (STYLE.md
4). A sender raises `DeliveryError` (never a foreign exception): `retry_after` carries
the server's hint, `permanent` says that trying again cannot help. Secrets are read
from the environment when a message is sent (`config.resolve_secret`).
"""

from __future__ import annotations

from collections.abc import Callable

import httpx

from ...config import Channel, Settings
from ..message import Message
from .base import secret
from .console import send_console
from .email import send_email
from .slack import send_slack
from .webhook import send_webhook

__all__ = ["SENDERS", "Sender", "make_sender", "secret"]

Sender = Callable[[Message], None]
SENDERS = {
    "slack": send_slack,
    "email": send_email,
    "webhook": send_webhook,
    "console": send_console,
}


def make_sender(settings: Settings, channel: Channel, client: httpx.Client) -> Sender:
    """A function that delivers one message on this channel."""
    send = SENDERS[channel.kind]

    def deliver(message: Message) -> None:
        send(settings, channel, message, client)

    return deliver
