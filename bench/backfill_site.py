"""A generated news site on a loopback HTTP server, in its own process (bench only).

robots.txt names a sitemap index, which lists news sitemaps of 100 pages each;
every page is an ~80 KB generated article (bench/backfill_pages.py). The server
runs in a separate process so that it does not compete with the backfill for the
interpreter lock: the benchmark measures the client, not the server.
"""

from __future__ import annotations

import multiprocessing
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from backfill_pages import article_html, make_article

__all__ = ["serve_site"]

PER_SITEMAP = 100
NEWS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')


def _documents(root: str, pages: int) -> dict[str, tuple[str, bytes]]:
    docs: dict[str, tuple[str, bytes]] = {}
    maps = []
    for start in range(0, pages, PER_SITEMAP):
        entries = []
        for i in range(start, min(pages, start + PER_SITEMAP)):
            a = make_article(i)
            path = f"/news/{i}.html"
            docs[path] = ("text/html; charset=utf-8",
                          article_html(a, root + path).encode())
            entries.append(f"<url><loc>{root}{path}</loc><news:news><news:publication_date>"
                           f"{a.published}</news:publication_date></news:news></url>")
        name = f"/sitemap-{start // PER_SITEMAP}.xml"
        docs[name] = ("application/xml", f"<urlset {NEWS}>{''.join(entries)}</urlset>".encode())
        maps.append(f"<sitemap><loc>{root}{name}</loc></sitemap>")
    index = ('<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f"{''.join(maps)}</sitemapindex>")
    docs["/sitemap-index.xml"] = ("application/xml", index.encode())
    docs["/robots.txt"] = ("text/plain", f"User-agent: *\nSitemap: {root}/sitemap-index.xml\n"
                           .encode())
    return docs


def _serve(pages: int, ready: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    docs: dict[str, tuple[str, bytes]] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as real servers

        def do_GET(self) -> None:
            ctype, body = docs.get(self.path, ("text/plain", b"not found"))
            self.send_response(200 if self.path in docs else 404)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    docs.update(_documents(f"http://127.0.0.1:{server.server_address[1]}", pages))
    ready.put(server.server_address[1])
    threading.Thread(target=server.serve_forever, daemon=True).run()


def serve_site(folder: Path, pages: int) -> tuple[multiprocessing.Process, str]:
    """Start the site; returns the server process and the site's root URL."""
    del folder  # the documents live in the server's memory
    ctx = multiprocessing.get_context("spawn")
    ready = ctx.Queue()
    process = ctx.Process(target=_serve, args=(pages, ready), daemon=True)
    process.start()
    return process, f"http://127.0.0.1:{ready.get(timeout=120)}/"
