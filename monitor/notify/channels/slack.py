"""Slack incoming webhook: the message's Block Kit blocks and its plain-text fallback.

Slack shows `text` in notifications and where blocks cannot render. An incoming
webhook has no idempotency key: a repeat after a crash shows twice (README,
"Delivery guarantees").
"""

from __future__ import annotations

import json

import httpx

from ...config import Channel, Settings
from ...errors import DeliveryError
from ..message import Message
from .base import checked_url
from .http import post

__all__ = ["send_slack"]

MAX_BLOCKS = 50  # Slack's limit per message


def send_slack(settings: Settings, channel: Channel, message: Message,
               client: httpx.Client) -> None:
    url = checked_url(settings, channel, "webhook_url")
    if not url:
        raise DeliveryError(channel.name, "other", "no webhook_url", permanent=True)
    body: dict[str, object] = {"text": message.slack_text or message.text}
    if message.blocks:
        body["blocks"] = list(message.blocks[:MAX_BLOCKS])
    data = json.dumps(body, ensure_ascii=False).encode("utf-8")
    post(client, channel.name, url, data, {"Content-Type": "application/json; charset=utf-8"})
