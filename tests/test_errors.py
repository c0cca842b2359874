"""Errors cross process boundaries intact (a worker's error reaches the parent as itself)."""

from __future__ import annotations

import pickle

import pytest

from monitor.errors import (
    ConfigError,
    DeliveryError,
    FetchError,
    MonitorError,
    ParseError,
    SourceError,
    StoreError,
)

ERRORS = [
    ConfigError("monitor.toml", "fetch.timeout", "not a duration"),
    SourceError("Dawn", "https://dawn.example/feed", "robots", "disallowed"),
    FetchError("Dawn", "https://dawn.example/feed", "http_status", "503", status=503,
               retry_after=120.0),
    ParseError("Dawn", "https://dawn.example/feed", "HTML where a feed was expected"),
    DeliveryError("slack", "http_status", "429", retry_after=30.0, permanent=False),
    StoreError("corpus.db: database is locked"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_survives_pickling(error: MonitorError) -> None:
    again = pickle.loads(pickle.dumps(error))
    assert type(again) is type(error)
    assert str(again) == str(error)
    assert again.__dict__ == error.__dict__
    assert again.kind == error.kind
