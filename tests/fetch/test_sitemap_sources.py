"""Sitemap sources in the daemon's fetcher: plain, gzipped as a file (`.xml.gz` served
as application/x-gzip, no Content-Encoding), and a sitemap index whose children are
gzipped. Real loopback server, real SQLite file."""

from __future__ import annotations

import gzip

import pytest

from .feeds import article_page

NEWS = ('xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"')
STORIES = {
    "/news/bridge-reopens": ("Old bridge reopens after repairs",
                             "The old river bridge reopened to traffic on Monday after "
                             "three months of repairs, the works department said."),
    "/news/orchard-prices": ("Orchard growers report better prices",
                             "Growers in the upper valley said the season's prices were the "
                             "best in four years, helped by an early harvest."),
}


def _urlset(server) -> bytes:
    urls = "".join(
        f"<url><loc>{server.url(path)}</loc><news:news><news:publication_date>"
        f"2026-11-20T08:00:00+05:30</news:publication_date><news:title>{title}</news:title>"
        "</news:news></url>" for path, (title, _) in STORIES.items())
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NEWS}>{urls}</urlset>'.encode()


def _serve_pages(server) -> None:
    for path, (title, text) in STORIES.items():
        server.serve(path, body=article_page(title, text).encode(), content_type="text/html")


def _fetched_titles(server, make_fetcher, path: str) -> set[str]:
    """The titles a sitemap source at `path` stores in one turn (which must succeed)."""
    fetcher = make_fetcher([{"name": "s", "url": server.url(path), "kind": "sitemap"}])
    result = fetcher.fetch_source(fetcher.settings.sources[0], force=True)
    assert result.outcome == "ok", result
    return {r["title"] for r in fetcher.app.store.db.query("SELECT title FROM articles")}


@pytest.mark.parametrize("path,packed,content_type", [
    ("/sm/news.xml", False, "application/xml"),
    ("/sm/news.xml.gz", True, "application/x-gzip"),  # a file: no Content-Encoding
])
def test_a_news_sitemap_source_stores_its_pages(server, make_fetcher, path, packed,
                                                content_type):
    _serve_pages(server)
    body = _urlset(server)
    server.serve(path, body=gzip.compress(body) if packed else body, content_type=content_type)
    assert _fetched_titles(server, make_fetcher, path) == {
        title for title, _ in STORIES.values()}


def test_an_index_of_gzipped_sitemaps_is_followed(server, make_fetcher):
    _serve_pages(server)
    server.serve("/sm/news-1.xml.gz", body=gzip.compress(_urlset(server)),
                 content_type="application/octet-stream")
    index = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
             'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>'
             f'{server.url("/sm/news-1.xml.gz")}</loc></sitemap></sitemapindex>')
    server.serve("/sm/index.xml", body=index.encode())
    assert _fetched_titles(server, make_fetcher, "/sm/index.xml") == {
        title for title, _ in STORIES.values()}


def test_a_gzipped_sitemap_is_held_to_max_bytes_once_unpacked(server, make_fetcher):
    """A 60 KB `.xml.gz` that unpacks past `max_bytes` (a gzip bomb, or a sitemap too big
    for the cap) is a parse error, as a Content-Encoding past the cap is."""
    bomb = gzip.compress(b"<urlset>" + b" " * 3_000_000)
    server.serve("/sm/bomb.xml.gz", body=bomb, content_type="application/x-gzip")
    fetcher = make_fetcher([{"name": "s", "url": server.url("/sm/bomb.xml.gz"),
                             "kind": "sitemap"}], max_bytes=2_000_000)
    result = fetcher.fetch_source(fetcher.settings.sources[0], force=True)
    assert result.outcome == "error" and "2,000,000 bytes" in str(result.error), result
    assert fetcher.app.store.source_state("s")["last_error_kind"] == "parse"


def test_child_sitemaps_obey_robots_and_report_damage(server, make_fetcher):
    """A child sitemap under a path robots.txt disallows is never asked for (as in
    backfill), and a child cut short is named in the source's warning."""
    _serve_pages(server)
    server.serve("/robots.txt", body=b"User-agent: *\nDisallow: /private/\n",
                 content_type="text/plain")
    server.serve("/private/sm.xml", body=_urlset(server))
    whole = _urlset(server)
    server.serve("/sm/cut.xml", body=whole[: whole.index(b"orchard-prices") + 4])
    index = ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
             'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f'<sitemap><loc>{server.url("/private/sm.xml")}</loc></sitemap>'
             f'<sitemap><loc>{server.url("/sm/cut.xml")}</loc></sitemap></sitemapindex>')
    server.serve("/sm/index.xml", body=index.encode())
    fetcher = make_fetcher([{"name": "s", "url": server.url("/sm/index.xml"),
                             "kind": "sitemap"}])
    result = fetcher.fetch_source(fetcher.settings.sources[0], force=True)
    assert server.hits("/private/sm.xml") == []
    assert "robots" in (result.warning or "") and "damaged sitemap" in (result.warning or "")
    titles = {r["title"] for r in fetcher.app.store.db.query("SELECT title FROM articles")}
    assert titles == {STORIES["/news/bridge-reopens"][0]}  # the cut entry is left out
