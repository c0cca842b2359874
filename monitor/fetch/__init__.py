"""Fetching: the HTTP client, feed/sitemap/page readers, source health and the cycle.

    client.py     Client.get(url) -> Response | FetchError: every network rule
    body.py       capped, bounded decompression      charset.py  bytes -> text
    addresses.py  private-address refusal            politeness.py  limits, robots.txt
"""

from __future__ import annotations

from .client import Client, Response

__all__ = ["Client", "Response"]
