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
# libxml2's word for a document that ended inside an element: "Premature end of data
# in tag loc line 1". Junk after the root's end tag is another error (ERR_DOCUMENT_END),
# and lxml mends errors inside a whole document: neither is a cut-off sitemap.
_CUT_OFF = "ERR_TAG_NOT_FINISHED"
_IN_TAG = re.compile(r"in tag (\S+)")


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


def parse_sitemap(body: bytes, url: str, source: str = "-") -> SitemapDoc:
    """The entries of a sitemap or sitemap index; ParseError when it is neither."""
    parser = _parser()
    try:
        root = etree.fromstring(body, parser)
    except etree.XMLSyntaxError as e:
        raise ParseError(source, url, f"not a sitemap: {e}") from e
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise ParseError(source, url, "not a sitemap (no <urlset> or <sitemapindex>)")
    is_index = _local(root.tag) == "sitemapindex"
    nodes = [node for node in root if _local(node.tag) in ("url", "sitemap")]
    problem = None
    open_tags = [m.group(1) if (m := _IN_TAG.search(e.message)) else ""
                 for e in parser.error_log if e.type_name == _CUT_OFF]
    if open_tags:  # the data ended inside an element: cut short
        problem = f"damaged sitemap: it ends before its </{_local(root.tag)}> (truncated?)"
        if nodes and any(_local(t) not in ("urlset", "sitemapindex") for t in open_tags):
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
