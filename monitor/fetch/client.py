"""The HTTP client every fetch goes through: one URL in, a `Response` or a `FetchError` out.

Usage (issue 3; also the building block of URL backfill, issue 8):

    from monitor.fetch.client import Client

    with Client(app.settings.fetch, app.settings.monitor.user_agent) as client:
        try:
            resp = client.get(url, source="dawn")            # a feed, sitemap, section page
            page = client.get(link, source="dawn", robots=True)  # an article page
        except FetchError as e:     # e.kind: timeout, connect, http_status, too_large,
            ...                     # robots, blocked_address, redirect_loop, other
        resp.text                   # decoded (charset from header/BOM/prolog/meta)
        resp.content                # bytes, decompressed, at most max_bytes
        resp.url                    # final URL after redirects

`get` applies every rule of `[fetch]`: User-Agent; connect/read/total timeouts; the
`max_bytes` cap while streaming and after decompression (gzip, deflate, br);
redirects followed by hand, at most `max_redirects`, loops detected, each target's
address checked (`allow_private_addresses`); the global and per-host concurrency
limits and the per-host spacing; robots.txt when `robots=True` (article pages).
Conditional GET: pass `etag`/`last_modified`; a 304 comes back as a Response with
`not_modified = True` (a cheap success), every other status outside 2xx raises
FetchError(kind="http_status", status=..., retry_after=...).

The requests go out on the standard library's `http.client` connections, kept alive
in a short list per origin (transport.py; routes, proxies and TLS in connections.py):
a 304 costs ~340 us of CPU in `get`, ~800 us through httpx (issue 3). One Client is
shared by all threads of a process (thread-safe). No socket, ssl or http.client
exception leaves this module (STYLE.md 7): socket timeouts become `timeout`; refused,
reset or dropped connections, bad responses, TLS and DNS failures `connect`
(a proxy's, "proxy error: ..."); anything else `other`.
"""

from __future__ import annotations

import http.client
import logging
import ssl
import time
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar
from urllib.parse import urljoin, urlsplit

from ..config import FetchSection
from ..errors import FetchError
from ..timeutil import retry_after_seconds
from .addresses import BlockedAddress, check_url_address
from .body import BodyTooLarge, CorruptBody, read_capped
from .connections import Connector, ConnectTimeout, ProxyError
from .politeness import HostGate, RobotsCache
from .response import Response
from .transport import Exchange, HostPools, Transport

__all__ = ["FEED_ACCEPT", "PAGE_ACCEPT", "Client", "Response"]

log = logging.getLogger(__name__)

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024


class Client:
    """Fetches one URL at a time under the `[fetch]` rules; share one per process."""

    def __init__(
        self,
        settings: FetchSection,
        user_agent: str,
        *,
        ssl_context: ssl.SSLContext | None = None,  # default: certifi's CAs (connections.py)
    ) -> None:
        self.settings = settings
        self.user_agent = user_agent
        total = settings.timeout.total_seconds()
        self._total = total
        # Requests in flight are bounded by `self.gate`; idle connections wait in one
        # short list per origin (transport.py: keep-alive across many hosts; issue 3).
        # Plain http through a proxy shares the proxy's list: `concurrency` kept there.
        self._transport = Transport(Connector(settings.proxy, ssl_context=ssl_context),
                                    HostPools(settings.per_host),
                                    min(total, settings.connect_timeout.total_seconds()),
                                    shared=settings.concurrency)
        self._common = [("User-Agent", user_agent), ("Accept-Encoding", "gzip, deflate, br")]
        # The jar is asked for a Cookie header only once some server set a cookie:
        # through a urllib Request that costs ~11 us of a ~250 us 304, and most
        # sources set none (issue 3). Thread-safe: CookieJar locks itself.
        self._cookies = CookieJar()
        self._any_cookie = False
        self.gate = HostGate(settings.concurrency, settings.per_host,
                             settings.host_spacing.total_seconds())
        self.robots = RobotsCache(self._fetch_robots, user_agent)

    # -- public -------------------------------------------------------------------

    def get(
        self,
        url: str,
        *,
        source: str = "-",
        etag: str | None = None,
        last_modified: str | None = None,
        robots: bool = False,
        accept: str = FEED_ACCEPT,
    ) -> Response:
        """GET `url` under every rule above; raises FetchError (never a socket error)."""
        started = time.monotonic()
        budget = self._total  # the server's time; waiting for our turn at a host is ours
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        hops: list[tuple[int, str]] = []
        seen = {url}
        current = url
        while True:
            self._check_target(source, current, robots and self.settings.robots)
            status, resp_headers, body, wire, spent = self._one(source, current, headers,
                                                                budget)
            budget -= spent
            if status in REDIRECTS and "location" in resp_headers:
                current = self._next_hop(source, url, current, resp_headers["location"], seen)
                hops.append((status, current))
                continue
            break
        elapsed = int((time.monotonic() - started) * 1000)
        if status != 304 and not 200 <= status < 300:
            retry = retry_after_seconds(resp_headers.get("retry-after"))
            raise FetchError(source, current, "http_status", f"HTTP {status}",
                             status=status, retry_after=retry)
        return Response(current, url, status, resp_headers, body, wire, elapsed, tuple(hops))

    def allowed_by_robots(self, url: str) -> bool:
        parts = urlsplit(url)
        return self.robots.allowed(f"{parts.scheme}://{parts.netloc}", url)

    def close(self) -> None:
        self._transport.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the steps ----------------------------------------------------------------

    def _check_target(self, source: str, url: str, robots: bool) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError(source, url, "other", f"not an http(s) URL: {url!r}")
        if not self.settings.allow_private_addresses:
            try:
                check_url_address(url)
            except BlockedAddress as e:
                raise FetchError(source, url, "blocked_address",
                                 f"refused: {e} (allow_private_addresses = false)") from e
            except (OSError, UnicodeError) as e:
                raise FetchError(source, url, "connect", f"cannot resolve host: {e}") from e
        if robots and not self.allowed_by_robots(url):
            raise FetchError(source, url, "robots", "disallowed by robots.txt")

    def _next_hop(self, source: str, first: str, current: str, location: str,
                  seen: set[str]) -> str:
        target = urljoin(current, location.strip())
        if target in seen:
            raise FetchError(source, first, "redirect_loop", f"redirect loop at {target}")
        if len(seen) > self.settings.max_redirects:
            raise FetchError(source, first, "redirect_loop",
                             f"more than {self.settings.max_redirects} redirects")
        seen.add(target)
        return target

    def _one(self, source: str, url: str, headers: dict[str, str],
             budget: float) -> tuple[int, dict[str, str], bytes, int, float]:
        """One request once this host's turn comes; the clock starts with the turn.

        Time spent queueing behind `per_host`/`host_spacing` is politeness, not the
        server being slow, so it does not count against `timeout` (a healthy source
        sharing a host with many others must not fail as a timeout).
        """
        host = urlsplit(url).netloc.lower()
        with self.gate.slot(host):
            began = time.monotonic()
            if budget <= 0:
                raise FetchError(source, url, "timeout", "timed out (redirects used the time)")
            deadline = began + budget
            try:
                status, head, body, wire = self._send(source, url, headers, deadline)
            finally:
                spent = time.monotonic() - began
            return status, head, body, wire, spent

    def _send(self, source: str, url: str, headers: dict[str, str],
              deadline: float) -> tuple[int, dict[str, str], bytes, int]:
        """The request itself, socket/ssl/http.client errors translated at the door
        (STYLE.md 7)."""
        try:
            route = self._transport.connector.route(url)
            exchange = self._transport.open(route, self._headers(url, route.headers, headers),
                                            deadline)
            try:
                return self._receive(source, url, exchange, deadline)
            finally:
                exchange.close()
        except FetchError:
            raise
        except BodyTooLarge as e:
            raise FetchError(source, url, "too_large", str(e)) from e
        except CorruptBody as e:
            raise FetchError(source, url, "parse", str(e)) from e
        except ProxyError as e:
            raise FetchError(source, url, "connect", f"proxy error: {e}") from e
        except TimeoutError as e:  # socket.timeout is TimeoutError
            phase = "ConnectTimeout" if isinstance(e, ConnectTimeout) else "ReadTimeout"
            raise FetchError(source, url, "timeout", f"timed out ({phase})") from e
        except http.client.InvalidURL as e:  # a host or path we cannot send
            raise FetchError(source, url, "other", f"{type(e).__name__}: {e}") from e
        except (OSError, http.client.HTTPException) as e:  # incl. ssl.SSLError, DNS
            raise FetchError(source, url, "connect",
                             f"connection failed: {_reason(e)}") from e
        except ValueError as e:  # a port out of range, a name IDNA refuses
            raise FetchError(source, url, "other", f"{type(e).__name__}: {e}") from e
        except Exception as e:  # unforeseen: the source's error, the traceback kept (STYLE.md 8)
            log.warning("unexpected error fetching %s", url, exc_info=True)
            raise FetchError(source, url, "other", f"{type(e).__name__}: {e}") from e

    def _headers(self, url: str, route_headers: tuple[tuple[str, str], ...],
                 per_call: dict[str, str]) -> list[tuple[str, str]]:
        headers = [*route_headers, *self._common, *per_call.items()]
        if self._any_cookie:
            shim = urllib.request.Request(url)
            self._cookies.add_cookie_header(shim)
            cookie = shim.get_header("Cookie")
            if cookie:
                headers.append(("Cookie", cookie))
        return headers

    def _receive(self, source: str, url: str, exchange: Exchange,
                 deadline: float) -> tuple[int, dict[str, str], bytes, int]:
        head = exchange.headers
        if "set-cookie" in head or "set-cookie2" in head:
            self._cookies.extract_cookies(exchange.response, urllib.request.Request(url))
            self._any_cookie = True
        status = exchange.status
        if status == 304 or status in REDIRECTS or status >= 400:
            # No body wanted (a 304 has none, RFC 9110 15.4.5): a small one is read
            # so the connection stays open, a larger one closes it.
            exchange.drain(deadline)
            return status, head, b"", 0
        self._check_length(source, url, head)
        body, wire = read_capped(self._raw(exchange, deadline, source, url),
                                 head.get("content-encoding"), self.settings.max_bytes)
        return status, head, body, wire

    def _check_length(self, source: str, url: str, head: dict[str, str]) -> None:
        length = head.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_bytes:
            raise FetchError(source, url, "too_large",
                             f"Content-Length {length} over max_bytes="
                             f"{self.settings.max_bytes}")

    def _raw(self, exchange: Exchange, deadline: float, source: str,
             url: str) -> Iterator[bytes]:
        """The raw body in pieces of at most CHUNK (each read ends at the request's deadline,
        the one `exchange` was opened with; past it, the message says the body was late)."""
        while True:
            if time.monotonic() >= deadline:
                raise FetchError(source, url, "timeout",
                                 f"body not complete within {self._total:g}s")
            chunk = exchange.read(CHUNK)
            if not chunk:
                return
            yield chunk

    def _fetch_robots(self, url: str) -> tuple[int, str]:
        try:
            resp = self.get(url, accept="text/plain")
        except FetchError as e:
            if e.status is not None:
                return e.status, ""
            raise
        return resp.status, resp.text


def _reason(e: BaseException) -> str:
    if isinstance(e, http.client.IncompleteRead):  # its own text counts one read only
        short = f" ({e.expected} bytes short)" if e.expected else ""
        return f"peer closed connection without sending complete message body{short}"
    text = str(e)
    if isinstance(e, OSError) and text:
        return text
    name = type(e).__name__
    return text if text.startswith(name) else f"{name}: {text}" if text else name
