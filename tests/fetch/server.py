"""A threaded loopback HTTP server for fetch tests and benchmarks (real sockets).

    with LoopbackServer() as srv:               # 127.0.0.1, port 0
        srv.serve("/rss", body=b"<rss>...", etag='"v1"', content_type="application/rss+xml")
        srv.serve("/slow", body=b"...", delay=3)
        srv.serve("/drop", body=b"x" * 10_000, drop_after=100)
        srv.url("/rss")                         # http://127.0.0.1:PORT/rss
        srv.requests                            # [(path, headers)] as received
        srv.max_inflight                        # most requests in flight at once

A route answers its conditional headers with 304 when `etag`/`last_modified` match.
`host` picks another loopback address (127.0.0.2 ...) to stand for another outlet.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LoopbackServer", "RawSocketServer", "Route"]


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/xml"
    delay: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    gzip: bool = False
    raw_encoding: str | None = None  # body is already encoded with this coding
    drop_after: int | None = None
    handler: Callable[[BaseHTTPRequestHandler], tuple[int, dict[str, str], bytes]] | None = None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # dropped connections are what some tests are about


class LoopbackServer:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.inflight = 0
        self.max_inflight = 0
        self.record = True
        self._lock = threading.Lock()
        self._httpd = _Server((host, port), self._handler_class())
        self.host = host
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    def serve(self, path: str, **kwargs: Any) -> Route:
        route = Route(**kwargs)
        self.routes[path] = route
        return route

    def hits(self, path: str) -> list[dict[str, str]]:
        return [h for p, h in self.requests if p == path]

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server.inflight += 1
                    server.max_inflight = max(server.max_inflight, server.inflight)
                    if server.record:
                        server.requests.append((self.path, dict(self.headers.items())))
                try:
                    server._answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with server._lock:
                        server.inflight -= 1

        return Handler

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        route = self.routes.get(h.path.split("?", 1)[0] if h.path not in self.routes else h.path)
        if route is None:
            return self._send(h, 404, {"Content-Type": "text/plain"}, b"not found")
        if route.delay:
            time.sleep(route.delay)
        if route.handler is not None:
            status, headers, body = route.handler(h)
            return self._send(h, status, headers, body)
        headers = {"Content-Type": route.content_type, **route.headers}
        if route.etag:
            headers["ETag"] = route.etag
        if route.last_modified:
            headers["Last-Modified"] = route.last_modified
        if (route.etag and h.headers.get("If-None-Match") == route.etag) or (
                route.last_modified and h.headers.get("If-Modified-Since") == route.last_modified):
            return self._send(h, 304, {k: v for k, v in headers.items()
                                       if k in ("ETag", "Last-Modified")}, b"")
        body = route.body
        if route.gzip:
            body = gzip.compress(body)
            headers["Content-Encoding"] = "gzip"
        if route.raw_encoding:
            headers["Content-Encoding"] = route.raw_encoding
        if route.drop_after is not None:
            h.send_response(route.status)
            for k, v in headers.items():
                h.send_header(k, v)
            h.send_header("Content-Length", str(len(body)))
            h.end_headers()
            h.wfile.write(body[: route.drop_after])
            h.wfile.flush()
            h.connection.shutdown(socket.SHUT_RDWR)
            h.close_connection = True
            return None
        return self._send(h, route.status, headers, body)

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, headers: dict[str, str],
              body: bytes) -> None:
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if status != 304:
            h.wfile.write(body)


class RawSocketServer:
    """A listening socket on loopback whose connections a subclass answers byte for byte
    (`_play`, one thread a connection): malformed and hostile servers, which an
    `http.server` handler cannot imitate. `connections` counts those accepted."""

    scheme = "http"

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.connections = 0
        self._lock = threading.Lock()
        self._listener = socket.create_server((host, 0))
        self.host, self.port = host, self._listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, path: str = "/feed") -> str:
        return f"{self.scheme}://{self.host}:{self.port}{path}"

    def close(self) -> None:
        self._listener.close()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            with self._lock:
                self.connections += 1
                number = self.connections
            threading.Thread(target=self._play, args=(conn, number), daemon=True).start()

    def _play(self, conn: socket.socket, number: int) -> None:
        raise NotImplementedError
