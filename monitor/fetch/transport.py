"""Connections for the client: one small keep-alive pool per origin.

A fetch cycle visits many hosts in turn and comes back to each within seconds (a
cycle over 1,000 feeds on 50 hosts; the pages of one sitemap). With one shared
httpcore pool that keeps `concurrency` idle connections, nearly every request
opened a new connection (950 of 1,000 in an all-304 cycle), and httpcore scans
its whole pool once per pooled connection on every request (quadratic: ~1,150
checks a request at 24 connections; a larger pool made a 304 cost more, not
less). Here each origin has its own pool of at most a few connections,
so a request finds its host's idle connection in a short list.

Requests in flight are bounded by `HostGate` (concurrency, per_host), not here.
Pools of hosts not used lately are closed once more than `hosts` origins have one
and no request of theirs is in flight. Not a door of its own: only `client.py`
uses it (STYLE.md 5), and httpx errors still surface from `Client.get`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from typing import Any

import httpx

__all__ = ["HostPools"]

# Origins whose idle connections are kept: at most HOSTS * per_host open sockets
# (httpcore drops an expired connection only when its pool is next used), well under
# a default 1,024-descriptor limit next to SQLite and the workers' pipes.
HOSTS = 64


class _Entry:
    def __init__(self, transport: httpx.HTTPTransport) -> None:
        self.transport = transport
        self.active = 0  # responses not yet closed


class _ClosingStream(httpx.SyncByteStream):
    """A response body that tells its pool when it is closed."""

    def __init__(self, stream: httpx.SyncByteStream, done: Callable[[], None]) -> None:
        self._stream, self._done, self._closed = stream, done, False

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            if not self._closed:
                self._closed = True
                self._done()


class HostPools(httpx.BaseTransport):
    """`httpx.HTTPTransport` per (scheme, host, port), least recently used closed first."""

    def __init__(self, per_host: int, *, hosts: int = HOSTS, trust_env: bool = True,
                 **transport: Any) -> None:
        self._per_host = max(1, per_host)
        self._hosts = hosts
        # One TLS context for every pool: each builds its own otherwise (CA bundle
        # loaded again: ~20 ms and ~0.8 MB a host).
        transport.setdefault("verify", httpx.create_ssl_context(trust_env=trust_env))
        self._transport = {"trust_env": trust_env, **transport}
        self._lock = threading.Lock()
        self._pools: OrderedDict[tuple[str, str, int | None], _Entry] = OrderedDict()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.scheme, url.host, url.port)
        with self._lock:
            entry = self._pools.get(key)
            if entry is None:
                limits = httpx.Limits(max_connections=None,
                                      max_keepalive_connections=self._per_host)
                entry = self._pools[key] = _Entry(httpx.HTTPTransport(limits=limits,
                                                                      **self._transport))
            self._pools.move_to_end(key)
            entry.active += 1
            stale = self._evict()
        for old in stale:
            old.close()
        try:
            response = entry.transport.handle_request(request)
        except BaseException:
            self._release(entry)
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        response.stream = _ClosingStream(response.stream, lambda: self._release(entry))
        return response

    def close(self) -> None:
        with self._lock:
            entries = list(self._pools.values())
            self._pools.clear()
        for entry in entries:
            entry.transport.close()

    def _release(self, entry: _Entry) -> None:
        with self._lock:
            entry.active -= 1

    def _evict(self) -> list[httpx.HTTPTransport]:
        """Take the oldest idle pools beyond `hosts` out (caller holds the lock)."""
        stale: list[httpx.HTTPTransport] = []
        excess = len(self._pools) - self._hosts
        if excess <= 0:
            return stale
        for key in list(self._pools):
            if excess <= 0:
                break
            if self._pools[key].active == 0:
                stale.append(self._pools.pop(key).transport)
                excess -= 1
        return stale
