"""Fetching: the HTTP client, feed/sitemap/page readers, source health and the cycle.

    client.py      Client.get(url) -> Response | FetchError: every network rule
    body.py        capped, bounded decompression     charset.py     bytes -> text
    addresses.py   private-address refusal           politeness.py  limits, robots.txt
    feeds.py       RSS/Atom (feedparser), JSON Feed  sitemaps.py    sitemaps, news sitemaps
    pages.py       section page -> article links     aggregators.py Google News & co
    discover.py    document -> candidates (per kind) workers.py     parsing in processes
    items.py       candidates -> raw items (pages)   health.py      backoff, status, redirects
    cycle.py       Fetcher: one source's turn, a whole cycle; one result per source
    commits.py     the items of the sources ready at once, stored in one transaction
"""

from __future__ import annotations

from .client import Client, Response
from .cycle import Fetcher, SourceResult

__all__ = ["Client", "Fetcher", "Response", "SourceResult"]
