"""How the client reaches an origin: the request line, the headers it implies, a socket.

`Connector.route(url)` says where a URL's request goes: straight to its origin, to
an HTTP proxy in absolute form (`GET http://host/path`, http:// targets), or through
a CONNECT tunnel opened at the proxy (https:// targets), with the `Host`,
`Authorization` (credentials in the URL) and `Proxy-Authorization` headers that go
with it. `Connector.connect(route, timeout)` opens an `http.client` connection for it.

Proxy: `[fetch] proxy` when set, for every URL; otherwise the environment, as httpx
read it for us before (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY), read once per
Client. Only http:// proxies: one that speaks TLS itself, or SOCKS, is refused as a
proxy error on each request rather than bypassed.

TLS: one `ssl.SSLContext` per Client, built on first use (loading a CA bundle costs
~20 ms and ~0.8 MB; per connection it would cost that every time): certifi's bundle,
or the file/folder in SSL_CERT_FILE / SSL_CERT_DIR. Hostnames are checked.

URLs are sent as httpx sent them: the host IDNA-encoded and lower-cased, characters
outside the RFC 3986 sets percent-encoded (existing `%xx` kept), dot segments removed.
"""

from __future__ import annotations

import base64
import functools
import http.client
import os
import re
import ssl
import threading
import urllib.request
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

__all__ = ["ConnectTimeout", "Connector", "ProxyError", "Route"]

DEFAULT_PORTS = {"http": 80, "https": 443}

# What RFC 3986 / WHATWG leave as is in a path and a query (httpx's sets); anything
# else, and a '%' not starting an escape, is percent-encoded as UTF-8.
_PATH_UNSAFE = re.compile(r"[^\x21-\x7e]|[\"#<>?`{}]|%(?![0-9A-Fa-f]{2})")
_QUERY_UNSAFE = re.compile(r"[^\x21-\x7e]|[\"#<>]|%(?![0-9A-Fa-f]{2})")


class ProxyError(Exception):
    """The proxy could not be used (refused, failed the CONNECT, unsupported)."""


class ConnectTimeout(TimeoutError):
    """No connection (TCP, the proxy's CONNECT, TLS handshake) within connect_timeout."""


@dataclass(frozen=True)
class Route:
    """Where one URL's request goes and what it says."""

    key: tuple[str, str, int, str]  # the pool: scheme, host, port, proxy ("" if none)
    scheme: str  # of the connection
    host: str  # connected to: the origin, or the proxy
    port: int
    target: str  # request target: origin form, or absolute form through a proxy
    headers: tuple[tuple[str, str], ...]  # Host and the credentials the URL implies
    tunnel: tuple[str, int, dict[str, str]] | None = None  # CONNECT host, port, headers
    proxy: str = ""  # the proxy's URL, for messages

    @property
    def shared(self) -> bool:
        """One pool carries requests to many hosts (plain http through a proxy)."""
        return bool(self.proxy) and self.tunnel is None


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8"))


def _path(path: str) -> str:
    if "/." in path:  # RFC 3986 5.2.4, as httpx normalised it
        out: list[str] = []
        for seg in path.split("/"):
            if seg == "..":
                if len(out) > 1:
                    out.pop()
            elif seg != ".":
                out.append(seg)
        path = "/".join(out) + ("/" if path.endswith(("/.", "/..")) else "")
    return _PATH_UNSAFE.sub(_percent, path or "/")


def _ascii_host(host: str) -> str:
    return host if host.isascii() else host.encode("idna").decode("ascii")


def _basic(user: str | None, password: str | None) -> str:
    pair = f"{unquote(user or '')}:{unquote(password or '')}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


@dataclass(frozen=True)
class _Proxy:
    url: str
    host: str
    port: int
    auth: str | None

    @classmethod
    def parse(cls, url: str) -> _Proxy:
        if "://" not in url:
            url = "http://" + url  # HTTP_PROXY=host:3128, as httpx and curl read it
        parts = urlsplit(url)
        if parts.scheme.lower() != "http" or not parts.hostname:
            raise ProxyError(f"unsupported proxy {url!r} (an http:// proxy is needed)")
        auth = _basic(parts.username, parts.password) if parts.username else None
        return cls(url, _ascii_host(parts.hostname), parts.port or 80, auth)


class Connector:
    """Routes and connections for one Client (thread-safe)."""

    def __init__(self, proxy: str, *, ssl_context: ssl.SSLContext | None = None) -> None:
        # `[fetch] proxy` applies to every URL; without it the environment decides.
        self._proxy = proxy
        self._env = {} if proxy else urllib.request.getproxies_environment()
        self._ssl = ssl_context
        self._ssl_lock = threading.Lock()
        # A cycle asks for the same feed URLs every time: route each once (issue 3).
        self.route = functools.lru_cache(maxsize=4096)(self._route)

    def _route(self, url: str) -> Route:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = _ascii_host(parts.hostname or "").lower()
        port = parts.port or DEFAULT_PORTS[scheme]
        shown = f"[{host}]" if ":" in host else host
        netloc = shown if port == DEFAULT_PORTS[scheme] else f"{shown}:{port}"
        target = _path(parts.path)
        if parts.query:
            target += "?" + _QUERY_UNSAFE.sub(_percent, parts.query)
        headers = [("Host", netloc)]
        if parts.username is not None:  # http://user:pass@host/ as httpx sent it
            headers.append(("Authorization", _basic(parts.username, parts.password)))
        proxy = self._proxy_for(scheme, host, port)
        if proxy is None:
            return Route((scheme, host, port, ""), scheme, host, port, target, tuple(headers))
        if scheme == "http":  # absolute form to the proxy (RFC 9112 3.2.2)
            if proxy.auth:
                headers.append(("Proxy-Authorization", proxy.auth))
            return Route(("http", proxy.host, proxy.port, proxy.url), "http", proxy.host,
                         proxy.port, f"http://{netloc}{target}", tuple(headers),
                         proxy=proxy.url)
        tunnel = {"Proxy-Authorization": proxy.auth} if proxy.auth else {}
        return Route(("https", host, port, proxy.url), "https", proxy.host, proxy.port,
                     target, tuple(headers), (host, port, tunnel), proxy.url)

    def _proxy_for(self, scheme: str, host: str, port: int) -> _Proxy | None:
        url = self._proxy or self._env.get(scheme) or self._env.get("all")
        if not url:
            return None
        # With the port: a NO_PROXY entry "host:port" is matched too, as httpx did; urllib
        # matches the other entries against the host alone.
        if not self._proxy and urllib.request.proxy_bypass_environment(f"{host}:{port}",
                                                                       self._env):
            return None
        return _Proxy.parse(url)

    def connect(self, route: Route, timeout: float) -> http.client.HTTPConnection:
        """A connected connection for `route`; ProxyError when its proxy fails."""
        conn: http.client.HTTPConnection
        if route.scheme == "https":
            conn = http.client.HTTPSConnection(route.host, route.port, timeout=timeout,
                                               context=self.ssl_context())
        else:
            conn = http.client.HTTPConnection(route.host, route.port, timeout=timeout)
        if route.tunnel is not None:
            host, port, headers = route.tunnel
            conn.set_tunnel(host, port, headers)
        try:
            conn.connect()
        except TimeoutError as e:
            conn.close()
            raise ConnectTimeout(str(e)) from e
        except BaseException as e:
            conn.close()
            if route.proxy and not isinstance(e, ssl.SSLError) \
                    and isinstance(e, OSError | http.client.HTTPException):
                raise ProxyError(f"{route.proxy}: {e or type(e).__name__}") from e
            raise
        return conn

    def ssl_context(self) -> ssl.SSLContext:
        with self._ssl_lock:
            if self._ssl is None:
                self._ssl = _default_context()
            return self._ssl


def _default_context() -> ssl.SSLContext:
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        ctx = ssl.create_default_context(cafile=cafile or None,
                                         capath=None if cafile else capath)
    else:
        try:
            import certifi
        except ImportError:  # the system's store, where it has one
            ctx = ssl.create_default_context()
        else:
            ctx = ssl.create_default_context(cafile=certifi.where())
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx

