"""The console channel: the plain-text form on the daemon's stdout (or stderr)."""

from __future__ import annotations

import sys

import httpx

from ...config import Channel, Settings
from ...errors import DeliveryError
from ..message import Message

__all__ = ["send_console"]


def send_console(settings: Settings, channel: Channel, message: Message,
                 client: httpx.Client) -> None:
    stream = sys.stderr if channel.stream == "stderr" else sys.stdout
    try:
        stream.write(f"== {message.subject}\n{message.text.rstrip()}\n\n")
        stream.flush()
    except OSError as e:
        raise DeliveryError(channel.name, "other", f"cannot write to {channel.stream}: {e}") \
            from e
