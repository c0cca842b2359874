"""What every sender shares: reading a channel's secrets at send time."""

from __future__ import annotations

from ...config import Channel, Settings, resolve_secret, url_problem
from ...errors import ConfigError, DeliveryError

__all__ = ["checked_url", "secret"]


def secret(settings: Settings, channel: Channel, key: str) -> str | None:
    """A channel key's value; an unset `env:NAME` is a delivery error worth retrying
    (the operator may export it and restart; the row keeps the message)."""
    try:
        return resolve_secret(settings, channel, key)
    except ConfigError as e:
        raise DeliveryError(channel.name, "other", str(e)) from None


def checked_url(settings: Settings, channel: Channel, key: str) -> str | None:
    """A channel's URL, checked: one from the environment is first seen here, and a
    malformed one (a `\\r` from an env file) must be this row's error, retried until
    the operator fixes it, not an exception that stops the whole outbox."""
    value = secret(settings, channel, key)
    if value and (problem := url_problem(value)):
        where = getattr(channel, key)
        raise DeliveryError(channel.name, "other",
                            f'channels ("{channel.name}").{key} ({where}): {problem}')
    return value
