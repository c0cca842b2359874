"""Connections for the client: a small keep-alive pool per origin, and one exchange on it.

A fetch cycle visits many hosts in turn and comes back to each within seconds (a
cycle over 1,000 feeds on 50 hosts; the pages of one sitemap). With one shared
pool that keeps `concurrency` idle connections, nearly every request opened a new
connection (950 of 1,000 in an all-304 cycle with httpcore's pool, which also
scanned itself once per pooled connection on every request). Here each origin has
its own list of at most `per_host` idle connections, so a request finds its host's
idle connection at the end of a short list. The connections are the standard
library's `http.client` ones: a conditional GET answered 304 costs ~240 us of CPU
there against ~950 us through httpx (issue 3).

A connection goes back to its list only when its response was read to the end and
neither side asked to close; one idle longer than `IDLE_EXPIRY`, or that the server
closed meanwhile (readable while idle: EOF or junk), is closed instead of used. A
reused connection that fails before any byte of the response arrived (the server
closed it while idle, in a race with our request) is retried once on a new
connection: GET is idempotent (RFC 9110 9.2.2). A new connection is never retried.

Requests in flight are bounded by `HostGate` (concurrency, per_host), not here.
Lists of origins not used lately are closed once more than `hosts` origins have one
and no request of theirs is in flight: at most HOSTS * per_host idle sockets, well
under a default 1,024-descriptor limit next to SQLite and the workers' pipes. Not a
door of its own: only `client.py` uses it (STYLE.md 5), and it translates the
`http.client`, `ssl` and socket errors raised here.
"""

from __future__ import annotations

import contextlib
import functools
import http.client
import io
import logging
import re
import select
import socket
import ssl
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable
from email.errors import MissingHeaderBodySeparatorDefect

from .connections import Connector, Route

__all__ = ["Exchange", "HostPools", "Transport"]

log = logging.getLogger(__name__)

HOSTS = 64
# httpx's keep-alive expiry: Apache closes a connection idle for 5 s (KeepAliveTimeout),
# so one idle longer is likely to fail in a race with our request.
IDLE_EXPIRY = 5.0
DRAIN = 64 * 1024  # a redirect's or an error's body up to this is read to keep the connection
DRAIN_WAIT = 1.0  # ... unless it takes longer than this

# A reused connection failing this way before the response began was closed while idle.
_STALE = (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, ssl.SSLEOFError)
# A header that says where the body ends.
_FRAMING = re.compile(r"^[ \t]*(?:transfer-encoding|content-length)[ \t]*:", re.I | re.M)

Key = tuple[str, str, int, str]


class _Origin:
    __slots__ = ("active", "idle")

    def __init__(self) -> None:
        self.idle: list[tuple[http.client.HTTPConnection, float]] = []  # (conn, since)
        self.active = 0  # requests in flight


def _closed_by_peer(sock: socket.socket | None) -> bool:
    """An idle connection with something to read: EOF or junk, unusable either way."""
    if sock is None:
        return True
    if isinstance(sock, ssl.SSLSocket) and sock.pending():
        return True  # junk decrypted already (one TLS record), which poll cannot see
    poller = select.poll()  # not select.select: descriptors may pass 1,024
    poller.register(sock, select.POLLIN)
    return bool(poller.poll(0))


def _close(conns: Iterable[http.client.HTTPConnection]) -> None:
    for conn in conns:
        conn.close()


class HostPools:
    """Idle connections per origin (scheme, host, port, proxy), least recently used closed first."""

    def __init__(self, per_host: int, *, hosts: int = HOSTS) -> None:
        self._per_host = max(1, per_host)
        self._hosts = hosts
        self._lock = threading.Lock()
        self._origins: OrderedDict[Key, _Origin] = OrderedDict()
        self._closed = False

    def take(self, key: Key) -> http.client.HTTPConnection | None:
        """An idle connection to `key`, or None; the caller then `give`s back once."""
        with self._lock:
            origin = self._origins.get(key)
            if origin is None:
                origin = self._origins[key] = _Origin()
            self._origins.move_to_end(key)
            origin.active += 1  # held: not evicted until given back
            stale = self._evict()
        _close(stale)
        while True:
            with self._lock:
                if not origin.idle:
                    return None
                conn, since = origin.idle.pop()  # the newest: the least likely expired
            if time.monotonic() - since < IDLE_EXPIRY and not _closed_by_peer(conn.sock):
                return conn
            conn.close()

    def give(self, key: Key, conn: http.client.HTTPConnection | None,
             keep: int | None = None) -> None:
        """A request to `key` is done; `conn` is idle and reusable (None: it is gone)."""
        with self._lock:
            origin = self._origins[key]
            origin.active -= 1
            if conn is not None and not self._closed \
                    and len(origin.idle) < (keep or self._per_host):
                origin.idle.append((conn, time.monotonic()))
                conn = None
        if conn is not None:
            conn.close()

    def idle(self, key: Key) -> int:
        with self._lock:
            origin = self._origins.get(key)
            return len(origin.idle) if origin else 0

    def close(self) -> None:
        with self._lock:
            self._closed = True
            conns = [c for o in self._origins.values() for c, _ in o.idle]
            for origin in self._origins.values():
                origin.idle.clear()
        _close(conns)

    def _evict(self) -> list[http.client.HTTPConnection]:
        """Take the oldest unused origins beyond `hosts` out (caller holds the lock)."""
        stale: list[http.client.HTTPConnection] = []
        excess = len(self._origins) - self._hosts
        if excess <= 0:
            return stale
        for key in list(self._origins):
            if excess <= 0:
                break
            if self._origins[key].active == 0:
                stale += [c for c, _ in self._origins.pop(key).idle]
                excess -= 1
        return stale


def _headers(msg: http.client.HTTPMessage) -> dict[str, str]:
    """Names lower-cased, a repeated header's values joined with ", " (as httpx did)."""
    head: dict[str, str] = {}
    for name, value in msg.items():
        value = value.strip()
        if not value.isascii():  # http.client reads Latin-1; httpx took UTF-8 where it fit
            with contextlib.suppress(UnicodeError):
                value = value.encode("latin-1").decode("utf-8")
        key = name.lower()
        head[key] = f"{head[key]}, {value}" if key in head else value
    return head


def _left(deadline: float) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


class _DeadlineReader(io.RawIOBase):
    """The socket's reads, each allowed only the time left before `deadline`.

    A socket timeout bounds one read, not the response: a server that sends its
    status line and headers a few bytes at a time, each within the timeout, (or
    endless 1xx responses) held a fetch for as long as it liked, past `timeout`.
    """

    def __init__(self, raw: io.RawIOBase, sock: socket.socket, deadline: float) -> None:
        self._raw, self._sock = raw, sock
        self.deadline = deadline  # may only come closer (`Exchange.read`)

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int | None:  # type: ignore[override]
        self._sock.settimeout(_left(self.deadline))
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()  # the socket's file: its reference to the socket goes
        super().close()


class _BoundedResponse(http.client.HTTPResponse):
    """An `HTTPResponse` whose every read (status line, headers, body) ends at `deadline`."""

    def __init__(self, sock: socket.socket, *args: object, deadline: float,
                 **kwargs: object) -> None:
        super().__init__(sock, *args, **kwargs)  # type: ignore[arg-type]
        # sock.makefile("rb") gave a BufferedReader that has read nothing yet: its raw
        # file, detached (or the reader, once collected, would close it), is read instead.
        self.reader = _DeadlineReader(self.fp.detach(), sock, deadline)
        self.fp = io.BufferedReader(self.reader)

    def begin(self) -> None:
        super().begin()
        # A header line without a colon ends the headers for Python's parser: the lines
        # after it are dropped. When a framing header is among them, the body would be
        # read to the connection's end (chunk sizes stored inside an article, or a
        # timeout): refused, as h11 refused it for httpx. Other lost lines are let go.
        if any(isinstance(d, MissingHeaderBodySeparatorDefect) for d in self.msg.defects):
            lost = self.msg.get_payload()
            if isinstance(lost, str) and _FRAMING.search(lost):
                raise http.client.HTTPException(
                    "malformed header line: the body's length or coding is unreadable")
        # http.client takes "chunked" only as the whole value; spaces around it are not
        # part of it (RFC 9110 5.5), as h11 read it for httpx. Else the body was read to
        # the end of the connection: a timeout, or chunk sizes in the body.
        coding = self.headers.get("transfer-encoding", "")
        if not self.chunked and self.length != 0 and coding.strip().lower() == "chunked":
            self.chunked, self.chunk_left, self.length = True, None, None
            self.will_close = self._check_close()  # type: ignore[attr-defined]

    def _read_status(self) -> tuple[str, int, str]:
        # `begin` skips 100 Continue only; other interim responses (102, 103 Early
        # Hints) come before the answer, as httpx skipped them. A 101 is the answer:
        # the connection then speaks something else (`Exchange.close` closes it).
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]
            if not 101 < status < 200:
                return version, status, reason
            http.client._read_headers(self.fp)  # type: ignore[attr-defined]


class Exchange:
    """One response being read; `close()` it, and its connection goes where it should."""

    def __init__(self, pools: HostPools, key: Key, keep: int,
                 conn: http.client.HTTPConnection, response: _BoundedResponse) -> None:
        self._pools, self._key, self._keep = pools, key, keep
        self._conn = conn
        self.response = response
        self.status = response.status
        self.headers = _headers(response.msg)
        self._done = response.length == 0  # 304, 204, Content-Length: 0
        self._closed = False

    def read(self, size: int, until: float | None = None) -> bytes:
        """At most `size` bytes of the body (raw: still compressed, de-chunked); b"" at its end.

        Reads end at the response's deadline, or at `until` if that comes sooner."""
        reader = self.response.reader
        if until is not None:
            reader.deadline = min(reader.deadline, until)
        chunk = self.response.read1(size)  # one socket read: the deadline is checked often
        if not chunk:
            if self.response.length:  # the server closed early (read1 does not say so)
                raise http.client.IncompleteRead(b"", self.response.length)
            self._done = True
        return chunk

    def drain(self, deadline: float) -> None:
        """Read a small unwanted body (a redirect's, an error's) to keep the connection."""
        length = self.response.length
        if self._done or self.response.will_close or length is None or length > DRAIN:
            return
        until = min(deadline, time.monotonic() + DRAIN_WAIT)
        try:
            while not self._done:
                self.read(DRAIN, until)
        except (OSError, http.client.HTTPException):
            pass  # left unread: close() closes the connection

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        reusable = self._done and not self.response.will_close and self.status >= 200
        self.response.close()  # marks it complete, so the connection takes a new request
        if not reusable:
            self._conn.close()
        self._pools.give(self._key, self._conn if reusable else None, self._keep)


class Transport:
    """Sends a GET on a pooled or new connection and hands back the `Exchange`."""

    def __init__(self, connector: Connector, pools: HostPools, connect_timeout: float,
                 shared: int) -> None:
        self.connector, self.pools = connector, pools
        self._connect_timeout = connect_timeout
        self._shared = shared  # idle connections kept to a proxy that carries every host

    def open(self, route: Route, headers: list[tuple[str, str]],
             deadline: float) -> Exchange:
        keep = self._shared if route.shared else 0  # 0: per_host
        conn = self.pools.take(route.key)
        try:
            if conn is not None:
                try:
                    return self._send(conn, route, headers, deadline, keep)
                except _STALE as e:
                    log.debug("idle connection to %s:%s was closed (%s); reconnecting",
                              route.host, route.port, type(e).__name__)
                    conn.close()
            conn = None
            conn = self.connector.connect(route, min(self._connect_timeout, _left(deadline)))
            return self._send(conn, route, headers, deadline, keep)
        except BaseException:
            if conn is not None:
                conn.close()
            self.pools.give(route.key, None)
            raise

    def _send(self, conn: http.client.HTTPConnection, route: Route,
              headers: list[tuple[str, str]], deadline: float, keep: int) -> Exchange:
        sock = conn.sock
        assert sock is not None  # connected: taken from a pool or just opened
        sock.settimeout(_left(deadline))
        conn.putrequest("GET", route.target, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            # A validator is sent back as its bytes came (read as UTF-8 where they fit).
            conn.putheader(name, value if value.isascii() else value.encode("utf-8"))
        conn.endheaders()
        conn.response_class = functools.partial(_BoundedResponse, deadline=deadline)  # type: ignore[assignment]
        response = conn.getresponse()  # may close conn (Connection: close); sock lives on
        assert isinstance(response, _BoundedResponse)
        return Exchange(self.pools, route.key, keep, conn, response)

    def close(self) -> None:
        self.pools.close()
