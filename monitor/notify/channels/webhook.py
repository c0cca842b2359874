"""Generic JSON webhook, signed so the receiver can trust it.

Headers: `X-Monitor-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed by the
channel's secret>` (as GitHub's `X-Hub-Signature-256`), `Idempotency-Key` (stable
for one outbox row across retries: drop a repeat you already processed) and
`X-Monitor-Event` (alert, summary, health, digest).
"""

from __future__ import annotations

import hashlib
import hmac
import json

import httpx

from ...config import Channel, Settings
from ...errors import DeliveryError
from ..message import Message
from .base import checked_url, secret
from .http import post

__all__ = ["SIGNATURE_HEADER", "send_webhook", "sign"]

SIGNATURE_HEADER = "X-Monitor-Signature"


def sign(secret: str, body: bytes) -> str:
    """The signature header's value for a body."""
    return "sha256=" + hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def send_webhook(settings: Settings, channel: Channel, message: Message,
                 client: httpx.Client) -> None:
    url = checked_url(settings, channel, "url")
    if not url:
        raise DeliveryError(channel.name, "other", "no url", permanent=True)
    body = json.dumps(
        {"event": message.kind, "idempotency_key": message.key, "subject": message.subject,
         **message.data},
        ensure_ascii=False, default=str,
    ).encode("utf-8")
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "Idempotency-Key": message.key,
        "X-Monitor-Event": message.kind,
    }
    key = secret(settings, channel, "secret")
    if key:
        headers[SIGNATURE_HEADER] = sign(key, body)
    post(client, channel.name, url, body, headers)
