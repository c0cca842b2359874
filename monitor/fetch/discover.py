"""What a fetched source document offers: candidate articles, per source kind.

Pure and picklable, so it runs in worker processes (feedparser is CPU-bound: about
80 feeds of 25 KB a second per core). Dispatch through `READERS` (STYLE.md 4):

    feed     -> entries (summary HTML already turned into text)
    sitemap  -> page URLs with news dates/titles, or child sitemaps (an index)
    page     -> article links found on a section page, on the same site
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..clean import detect_language, html_fragment_to_text
from .charset import decode_body
from .feeds import parse_feed
from .pages import article_links
from .sitemaps import parse_sitemap

__all__ = ["READERS", "Candidate", "Discovered", "discover"]

SAMPLED_ITEMS = 3  # a feed with fewer items (with text) has each identified on its own


@dataclass(frozen=True)
class Candidate:
    """One article a source document points to."""

    key: str  # identity within the source (feed_entries.entry_key)
    link: str | None
    title: str | None = None
    published: str | None = None
    summary: str | None = None  # clean text of the feed's summary, if any
    author: str | None = None
    language: str | None = None  # the feed's language: declared, or its items' (`_feed`)


@dataclass(frozen=True)
class Discovered:
    candidates: tuple[Candidate, ...] = ()
    children: tuple[str, ...] = ()  # child sitemaps of a sitemap index
    problem: str | None = None  # recoverable trouble (a bozo feed)


def _feed(body: bytes, content_type: str, url: str, source: str) -> Discovered:
    feed = parse_feed(body, content_type, url, source)
    entries = [(e, html_fragment_to_text(e.summary_html) if e.summary_html else None)
               for e in feed.entries]
    language = feed.language or _items_language([summary or e.title for e, summary in entries])
    out = tuple(Candidate(e.key, e.link, e.title, e.published, summary, e.author, language)
                for e, summary in entries)
    return Discovered(out, problem=feed.problem)


def _items_language(texts: list[str | None]) -> str | None:
    """The language of a feed that declares none: the one its first, middle and last
    items are all in (each identified as its item would be), else None.

    Each item's text would otherwise go through the language model on its own: most of
    a worker's time on a feed of summaries that are not plain English (issue 3), and
    noisy on one-line summaries. Three items that agree stand for the feed, as a declared
    language does; an item in another script is still identified by its own text
    (`choose_language`). The price: in a feed that mixes two Latin-script languages,
    items in the one the three samples do not show take the other's code.
    """
    found = [t for t in texts if t and t.strip()]
    if len(found) < SAMPLED_ITEMS:
        return None
    codes = {detect_language(found[i]) for i in (0, len(found) // 2, len(found) - 1)}
    return codes.pop() if len(codes) == 1 else None


def _sitemap(body: bytes, content_type: str, url: str, source: str) -> Discovered:
    doc = parse_sitemap(body, url, source)  # a `.xml.gz` comes unpacked (`ItemBuilder`)
    ordered = sorted(doc.urls, key=lambda u: u.published or u.lastmod or "", reverse=True)
    if doc.is_index:
        return Discovered(children=tuple(u.loc for u in ordered), problem=doc.problem)
    return Discovered(tuple(Candidate("url:" + u.loc, u.loc, u.title, u.published or None)
                            for u in ordered), problem=doc.problem)


def _page(body: bytes, content_type: str, url: str, source: str) -> Discovered:
    text, _ = decode_body(body, content_type)
    return Discovered(tuple(Candidate("url:" + link, link) for link in article_links(text, url)))


READERS: dict[str, Callable[[bytes, str, str, str], Discovered]] = {
    "feed": _feed,
    "sitemap": _sitemap,
    "page": _page,
}


def discover(kind: str, body: bytes, content_type: str, url: str, source: str) -> Discovered:
    """Candidates of one document; raises ParseError when it is not what `kind` says."""
    return READERS[kind](body, content_type, url, source)
