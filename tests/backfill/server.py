"""A real loopback HTTP server for backfill tests: routes set by the test, hits counted.

`Site` runs `http.server.ThreadingHTTPServer` on 127.0.0.1, port 0, in a thread.
Tests put documents at paths (`site.put("/a.html", body, "text/html")`) and read
back how many times each path was requested (`site.hits["/a.html"]`) and how many
responses were delivered whole (`site.delivered`): those counts, taken at the
server, are what "fetches nothing twice" is checked against.

`hold_pages_after(n)` answers the first n page requests and holds later ones
unanswered until `release()`: a test can kill a client at a moment when every
request either got its whole response or none of it.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["Site"]


class Site:
    def __init__(self, delay: float = 0.0) -> None:
        self.routes: dict[str, tuple[int, str, bytes]] = {}
        self.hits: Counter[str] = Counter()
        self.delivered: Counter[str] = Counter()
        self.delay = delay
        self.hold_after: int | None = None
        self.released = threading.Event()
        self._answered_pages = 0
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] += 1
                status, ctype, body = site.routes.get(path, (404, "text/plain", b"not found"))
                if path.endswith(".html"):
                    site._wait_turn()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                    self.wfile.flush()
                except OSError:
                    return  # the client is gone: nothing was delivered
                with site._lock:
                    site.delivered[path] += 1

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _wait_turn(self) -> None:
        if self.delay:
            time.sleep(self.delay)
        with self._lock:
            self._answered_pages += 1
            held = self.hold_after is not None and self._answered_pages > self.hold_after
        if held:
            self.released.wait(30)

    def hold_pages_after(self, answered: int) -> None:
        self.hold_after = answered
        self.released.clear()

    def release(self) -> None:
        self.hold_after = None
        self.released.set()

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.root + path

    def put(self, path: str, body: str | bytes, ctype: str = "text/html; charset=utf-8",
            status: int = 200) -> str:
        data = body.encode() if isinstance(body, str) else body
        self.routes[path] = (status, ctype, data)
        return self.url(path)

    def page_hits(self) -> Counter[str]:
        return Counter({p: n for p, n in self.hits.items() if p.endswith(".html")})

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self.server.shutdown()
        self.server.server_close()
