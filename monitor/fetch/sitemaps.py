"""Sitemaps (sitemaps.org 0.9): an index of sitemaps, or a urlset of pages.

Google News sitemaps add `<news:news>` with `news:publication_date` and
`news:title`; those become the item's date and title hints. Parsed with lxml with
entities, DTDs and network access off, so a hostile sitemap cannot expand entities
or reach out.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree

from ..errors import ParseError

__all__ = ["SitemapDoc", "SitemapUrl", "parse_sitemap"]

_NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


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


def _parser() -> etree.XMLParser:
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           huge_tree=False, recover=True)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def parse_sitemap(body: bytes, url: str, source: str = "-") -> SitemapDoc:
    """The entries of a sitemap or sitemap index; ParseError when it is neither."""
    try:
        root = etree.fromstring(body, _parser())
    except etree.XMLSyntaxError as e:
        raise ParseError(source, url, f"not a sitemap: {e}") from e
    if root is None or _local(root.tag) not in ("urlset", "sitemapindex"):
        raise ParseError(source, url, "not a sitemap (no <urlset> or <sitemapindex>)")
    is_index = _local(root.tag) == "sitemapindex"
    urls = []
    for node in root:
        if _local(node.tag) not in ("url", "sitemap"):
            continue
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
    return SitemapDoc(is_index, tuple(urls))
