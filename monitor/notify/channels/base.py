"""What every sender shares: reading a channel's secrets at send time."""

from __future__ import annotations

from ...config import Channel, Settings, resolve_secret
from ...errors import ConfigError, DeliveryError

__all__ = ["secret"]


def secret(settings: Settings, channel: Channel, key: str) -> str | None:
    """A channel key's value; an unset `env:NAME` is a delivery error worth retrying
    (the operator may export it and restart; the row keeps the message)."""
    try:
        return resolve_secret(settings, channel, key)
    except ConfigError as e:
        raise DeliveryError(channel.name, "other", str(e)) from None
