"""One exception tree for the whole package (STYLE.md 6).

    MonitorError                     anything we expected and can explain -> exit 1
      ConfigError(path, key)         bad configuration or taxonomy         -> exit 2
      UsageError                     bad command-line input                -> exit 2
      SourceError(source, url, kind) a source or input could not be read
        FetchError                   network side: timeout, connect, http_status, ...
        ParseError                   the body was not what we expected
      DeliveryError(channel, kind)   a channel refused or failed a delivery
      StoreError                     the database is unusable (locked, corrupt, too new)
      AlreadyRunning                 another daemon holds the database

Each error carries a one-line message for the user (what failed, on what, why) and,
where it has one, a stable `kind` as shown in `last_error.kind` of `sources --json`.
Foreign exceptions (http.client and socket, httpx, feedparser, sqlite3, smtplib) are
translated at the door, inside the package that called them, `from` the original
(STYLE.md 7).
"""

from __future__ import annotations

__all__ = [
    "ERROR_KINDS",
    "AlreadyRunning",
    "ConfigError",
    "DeliveryError",
    "FetchError",
    "MonitorError",
    "ParseError",
    "SourceError",
    "StoreError",
    "UsageError",
]

# The stable kinds of PRODUCT.md (`last_error.kind`).
ERROR_KINDS = (
    "timeout",
    "connect",
    "http_status",
    "too_large",
    "parse",
    "robots",
    "blocked_address",
    "redirect_loop",
    "other",
)


class MonitorError(Exception):
    """Root of every error the monitor expects; `str(e)` is the user's message."""

    kind = "other"

    def __reduce__(self) -> tuple[object, ...]:
        # Exceptions pickle as (class, args), and ours take other arguments than the
        # message they hand on: rebuilt that way in the parent, a worker's error raised
        # TypeError instead and broke the process pool. Rebuild from the state instead.
        return (_rebuild, (type(self), self.args, dict(self.__dict__)))


def _rebuild(
    cls: type[MonitorError], args: tuple[object, ...], state: dict[str, object]
) -> MonitorError:
    error = cls.__new__(cls)
    Exception.__init__(error, *args)
    error.__dict__.update(state)
    return error


class ConfigError(MonitorError):
    """The configuration or the taxonomy is wrong: names the file and the key."""

    def __init__(self, path: str, key: str | None, message: str) -> None:
        self.path = path
        self.key = key
        self.message = message
        where = f"{path}: {key}: " if key else f"{path}: "
        super().__init__(where + message)


class UsageError(MonitorError):
    """A command-line argument is wrong (exit 2)."""


class SourceError(MonitorError):
    """A source or an input could not be fetched or read."""

    def __init__(self, source: str, url: str | None, kind: str, message: str) -> None:
        if kind not in ERROR_KINDS:
            kind = "other"
        self.source = source
        self.url = url
        self.kind = kind
        self.message = message
        super().__init__(f"{source}: {url or '-'}: {message}")


class FetchError(SourceError):
    """The network side failed: timeout, connect, http_status, too_large, ..."""

    def __init__(
        self,
        source: str,
        url: str | None,
        kind: str,
        message: str,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(source, url, kind, message)
        self.status = status
        self.retry_after = retry_after


class ParseError(SourceError):
    """The body arrived but was not what we expected (not a feed, bad XML, ...)."""

    def __init__(self, source: str, url: str | None, message: str) -> None:
        super().__init__(source, url, "parse", message)


class DeliveryError(MonitorError):
    """A channel failed to deliver; `retry_after` is the channel's own hint."""

    def __init__(
        self,
        channel: str,
        kind: str,
        message: str,
        *,
        retry_after: float | None = None,
        permanent: bool = False,
    ) -> None:
        self.channel = channel
        self.kind = kind if kind in ERROR_KINDS else "other"
        self.message = message
        self.retry_after = retry_after
        self.permanent = permanent
        super().__init__(f"channel {channel}: {message}")


class StoreError(MonitorError):
    """The database cannot be used (locked by another writer, corrupt, newer schema)."""


class AlreadyRunning(MonitorError):
    """Another daemon already runs on this database."""
