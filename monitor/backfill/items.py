"""The shape every backfill reader returns: `InputItem`, built with an `InputContext`.

Kept apart from the readers so that each reader module (files, archives, the web)
depends on this shape only, never on another reader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from ..models import DateContext, RawItem

__all__ = ["InputContext", "InputItem", "host_source"]


@dataclass(frozen=True)
class InputContext:
    """What readers need to build raw items: the source name given and its dates."""

    source: str | None
    dates: Callable[[str | None], DateContext]  # source name -> how to read its dates


@dataclass(frozen=True)
class InputItem:
    """One input article: its checkpoint key, where it is (for messages), and either
    the raw item or why it could not be read. `fetched_at` is when it was fetched
    (a WARC record's date, a URL's fetch time); None for local files (now)."""

    key: str  # checkpoint key: where + a hash of the content (or the URL)
    where: str  # path, path:line or URL, for messages
    raw: RawItem | None = None
    error: str | None = None
    fetched_at: datetime | None = None
    failure: str | None = None  # kind of failure, for the summary (http_status, timeout...)
    skipped: str | None = None  # settled without reading (already loaded, out of range...)


def host_source(url: str | None) -> str | None:
    """The host name of an http(s) URL, the default source name of web inputs."""
    if not url or "://" not in url:
        return None
    host = urlsplit(url).hostname
    return host or None
