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

One Client is shared by all threads of a process (httpx.Client is thread-safe).
httpx exceptions never leave this module (STYLE.md 7).
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import httpx

from ..config import FetchSection
from ..errors import FetchError
from ..timeutil import retry_after_seconds
from .addresses import BlockedAddress, check_url_address
from .body import BodyTooLarge, CorruptBody, read_capped
from .charset import decode_body
from .politeness import HostGate, RobotsCache
from .transport import HostPools

__all__ = ["FEED_ACCEPT", "PAGE_ACCEPT", "Client", "Response"]

log = logging.getLogger(__name__)
logging.getLogger("httpx").setLevel(logging.WARNING)  # our own line per fetch says it all

FEED_ACCEPT = ("application/rss+xml, application/atom+xml, application/feed+json, "
               "application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
REDIRECTS = {301, 302, 303, 307, 308}
PERMANENT = {301, 308}
CHUNK = 64 * 1024

# httpx parses a URL string again on every request (~50 us, pure Python); a cycle asks
# for the same feed URLs every time, so their parsed form is kept (issue 3).
_parsed_url = functools.lru_cache(maxsize=4096)(httpx.URL)


class _Cookies(httpx.Cookies):
    """httpx's cookie jar, without its work on responses that set no cookie.

    httpx hands every response to `http.cookiejar` through urllib and email shims
    (~50 us a 304); the jar takes nothing from a response without Set-Cookie or
    Set-Cookie2, so skipping those changes no cookie (issue 3)."""

    def extract_cookies(self, response: httpx.Response) -> None:
        if "set-cookie" in response.headers or "set-cookie2" in response.headers:
            super().extract_cookies(response)


@dataclass(frozen=True)
class Response:
    """A successful (2xx or 304) response, body decompressed and capped."""

    url: str  # final URL, after redirects
    requested_url: str
    status: int
    headers: dict[str, str]
    content: bytes
    wire_bytes: int
    elapsed_ms: int
    redirects: tuple[tuple[int, str], ...] = ()  # (status, target) per hop
    encoding: str | None = None
    _text: list[str] = field(default_factory=list, repr=False, compare=False)

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def permanent_target(self) -> str | None:
        """The final URL when every hop was permanent (301/308), else None."""
        if self.redirects and all(s in PERMANENT for s, _ in self.redirects):
            return self.url
        return None

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        """The body decoded; never raises (see `charset.decode_body`)."""
        if not self._text:
            self._text.append(decode_body(self.content, self.content_type)[0])
        return self._text[0]


class Client:
    """Fetches one URL at a time under the `[fetch]` rules; share one per process."""

    def __init__(
        self,
        settings: FetchSection,
        user_agent: str,
        *,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.settings = settings
        self.user_agent = user_agent
        total = settings.timeout.total_seconds()
        self._total = total
        # Requests in flight are bounded by `self.gate`; connections live in one small
        # pool per origin (transport.py: keep-alive across many hosts; issue 3). The
        # limits below only apply to the proxy's pool when a proxy is configured.
        limits = httpx.Limits(max_connections=settings.concurrency + 8,
                              max_keepalive_connections=settings.concurrency)
        self._http = httpx.Client(
            timeout=httpx.Timeout(total, connect=min(total, settings.connect_timeout
                                                     .total_seconds()), pool=total),
            limits=limits,
            follow_redirects=False,
            headers={"User-Agent": user_agent, "Accept-Encoding": "gzip, deflate, br"},
            proxy=settings.proxy or None,
            trust_env=not settings.proxy,  # HTTPS_PROXY/HTTP_PROXY/NO_PROXY when unset
            transport=transport or HostPools(settings.per_host),
        )
        if isinstance(getattr(self._http, "_cookies", None), httpx.Cookies):
            # No public way to give httpx.Client a jar of another class (its setter
            # copies into a plain one); an httpx without `_cookies` just keeps its own.
            self._http._cookies = _Cookies()
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
        """GET `url` under every rule above; raises FetchError (never an httpx error)."""
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
        self._http.close()

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
        """The request itself, httpx errors translated at the door (STYLE.md 7)."""
        try:
            with self._http.stream("GET", _parsed_url(url), headers=headers) as resp:
                head = {k.lower(): v for k, v in resp.headers.items()}
                if resp.status_code == 304:
                    resp.read()  # no body (RFC 9110 15.4.5): the connection stays open
                    return 304, head, b"", 0
                if resp.status_code in REDIRECTS or resp.status_code >= 400:
                    return resp.status_code, head, b"", 0
                self._check_length(source, url, head)
                body, wire = read_capped(self._raw(resp, deadline, source, url),
                                         head.get("content-encoding"),
                                         self.settings.max_bytes)
                return resp.status_code, head, body, wire
        except FetchError:
            raise
        except BodyTooLarge as e:
            raise FetchError(source, url, "too_large", str(e)) from e
        except CorruptBody as e:
            raise FetchError(source, url, "parse", str(e)) from e
        except httpx.TimeoutException as e:
            raise FetchError(source, url, "timeout",
                             f"timed out ({type(e).__name__})") from e
        except httpx.ProxyError as e:
            raise FetchError(source, url, "connect", f"proxy error: {e}") from e
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError,
                httpx.WriteError, httpx.NetworkError) as e:
            raise FetchError(source, url, "connect",
                             f"connection failed: {e or type(e).__name__}") from e
        except httpx.HTTPError as e:
            raise FetchError(source, url, "other", f"{type(e).__name__}: {e}") from e

    def _check_length(self, source: str, url: str, head: dict[str, str]) -> None:
        length = head.get("content-length", "")
        if length.isdigit() and int(length) > self.settings.max_bytes:
            raise FetchError(source, url, "too_large",
                             f"Content-Length {length} over max_bytes="
                             f"{self.settings.max_bytes}")

    def _raw(self, resp: httpx.Response, deadline: float, source: str, url: str):  # type: ignore[no-untyped-def]
        for chunk in resp.iter_raw(CHUNK):
            if time.monotonic() > deadline:
                raise FetchError(source, url, "timeout",
                                 f"body not complete within {self._total:g}s")
            yield chunk

    def _fetch_robots(self, url: str) -> tuple[int, str]:
        try:
            resp = self.get(url, accept="text/plain")
        except FetchError as e:
            if e.status is not None:
                return e.status, ""
            raise
        return resp.status, resp.text
