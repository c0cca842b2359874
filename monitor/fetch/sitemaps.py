"""Sitemaps (sitemaps.org 0.9): an index of sitemaps, or a urlset of pages.

Google News sitemaps add `<news:news>` with `news:publication_date` and
`news:title`; those become the item's date and title hints. Parsed with lxml with
entities, DTDs and network access off, so a hostile sitemap cannot expand entities
or reach out.

lxml recovers from errors, so a sitemap cut short still parses: `problem` says so,
and its last entry, which may be cut off mid-URL, is left out unless it was closed.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass

from lxml import etree

from ..errors import ParseError

__all__ = ["SitemapDoc", "SitemapUrl", "gunzipped", "parse_sitemap"]

_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"
# An `&` that starts no entity (`?id=1&b=2`, common in sitemaps): lxml's recovery drops
# the rest of the URL's query, and the error hides a later "ended inside an element".
_BARE_AMP = re.compile(rb"&(?!#?\w{1,32};)")
# A document cut short: libxml2 says the data ended inside an element; or, when other
# errors hid that, it neither ends with its root's end tag nor has junk after one
# (ERR_DOCUMENT_END: a CDN's script tag or a NUL after a whole sitemap).
_CUT_OFF, _JUNK_AFTER = "ERR_TAG_NOT_FINISHED", "ERR_DOCUMENT_END"
_ENTRY_CLOSE = re.compile(rb"</(?:[\w.-]{1,64}:)?(?:url|sitemap)\s*>")


@dataclass(frozen=True)
class SitemapUrl:
    loc: str
    lastmod: str | None = None
    published: str | None = None  # news:publication_date
    title: str | None = None  # news:title


@dataclass(frozen=True)
class SitemapDoc:
    is_index: bool
    urls: tuple[SitemapUrl, ...]
    problem: str | None = None  # set when the document is damaged (cut short)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, recover=True)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _cut_short(body: bytes, errors: set[str]) -> bool:
    if _CUT_OFF in errors:
        return True
    if not errors or _JUNK_AFTER in errors:
        return False
    return not _ends_with_root(body)


def _ends_with_root(body: bytes) -> bool:
    """Whether the body ends with `</urlset>` or `</sitemapindex>` (any prefix), past
    whitespace and comments; read from the end with `rfind`, no regex to backtrack."""
    tail = body[-4096:].rstrip()
    while tail.endswith(b"-->"):
        start = tail.rfind(b"<!--")
        if start < 0:
            return False
        tail = tail[:start].rstrip()
    close = tail.rfind(b"</")
    if close < 0 or not tail.endswith(b">"):
        return False
    name = tail[close + 2 : -1].strip().rsplit(b":", 1)[-1]
    return name in (b"urlset", b"sitemapindex")


def parse_sitemap(body: bytes, url: str, source: str = "-") -> SitemapDoc:
    """The entries of a sitemap or sitemap index; ParseError when it is neither."""
    parser = _parser()
    body = _BARE_AMP.sub(b"&amp;", body)
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as e:
        raise ParseError(source, url, f"not a sitemap: {e}") from e
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise ParseError(source, url, "not a sitemap (no <urlset> or <sitemapindex>)")
    is_index = _local(root.tag) == "sitemapindex"
    nodes = [node for node in root if _local(node.tag) in ("url", "sitemap")]
    problem = None
    if _cut_short(body, {e.type_name for e in parser.error_log}):
        problem = f"damaged sitemap: it ends before its </{_local(root.tag)}> (truncated?)"
        if len(nodes) > len(_ENTRY_CLOSE.findall(body)):
            nodes.pop()  # open when the document ended: its <loc> may be cut in half
    urls = []
    for node in nodes:
        fields = {_local(c.tag): (c.text or "").strip() for c in node}
        loc = fields.get("loc")
        if not loc:
            continue
        news = node.find(f"{_NEWS}news")
        published = title = None
        if news is not None:
            published = (news.findtext(f"{_NEWS}publication_date") or "").strip() or None
            title = (news.findtext(f"{_NEWS}title") or "").strip() or None
        urls.append(SitemapUrl(loc, fields.get("lastmod") or None, published, title))
    return SitemapDoc(is_index, tuple(urls), problem)


def gunzipped(body: bytes, limit: int) -> bytes:
    """A gzip file's content (sitemap.xml.gz is common), at most `limit` bytes; other
    bodies as they are. Raises ParseError on a damaged or oversized archive."""
    if not body.startswith(b"\x1f\x8b"):
        return body
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as e:
        raise ParseError("-", None, f"damaged gzip file: {e}") from e
    if len(out) > limit:
        raise ParseError("-", None, f"gzip file expands beyond {limit:,} bytes")
    if not inflater.eof:  # cut off: what it holds ends mid-document, maybe mid-URL
        raise ParseError("-", None, "damaged gzip file: truncated (the archive ends early)")
    return out
