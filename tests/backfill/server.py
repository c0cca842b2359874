"""A real loopback HTTP server for backfill tests: routes set by the test, hits counted.

`Site` runs `http.server.ThreadingHTTPServer` on 127.0.0.1, port 0, in a thread.
Tests put documents at paths (`site.put("/a.html", body, "text/html")`) and read
back how many times each path was requested (`site.hits["/a.html"]`): that count,
taken at the server, is what "fetches nothing twice" is checked against.
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
        self.delay = delay
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site._lock:
                    site.hits[path] += 1
                status, ctype, body = site.routes.get(path, (404, "text/plain", b"not found"))
                if site.delay and path.endswith(".html"):
                    time.sleep(site.delay)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

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
        self.server.shutdown()
        self.server.server_close()
