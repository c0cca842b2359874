"""Section pages: the article links a page source points to, on the same site.

Heuristic (trade-off: recall over precision, the cleaner drops what is not an
article): a link is an article when it stays on the section page's site, is not
the page itself, and its path looks like a story: at least two segments, or a
last segment that is a long hyphenated slug or carries a number. Paths under
tag/category/author/search/login-like folders and links to files are left out.
"""

from __future__ import annotations

import re
from urllib.parse import urldefrag, urljoin, urlsplit

from lxml import html as lxml_html

__all__ = ["article_links"]

_SKIP_SEGMENTS = {"tag", "tags", "category", "categories", "author", "authors", "search",
                  "login", "signup", "subscribe", "account", "page", "feed", "rss", "topic",
                  "topics", "about", "contact", "privacy", "terms", "video", "videos"}
_FILE = re.compile(r"\.(jpe?g|png|gif|svg|webp|pdf|zip|mp[34]|css|js|xml|rss)$", re.I)
_SLUG = re.compile(r"[\w]+(-[\w]+){3,}|\d{4,}")


def _site(host: str) -> str:
    return host.lower().removeprefix("www.")


def _looks_like_article(path: str) -> bool:
    segments = [s for s in path.split("/") if s]
    if not segments or _FILE.search(path):
        return False
    if any(s.lower() in _SKIP_SEGMENTS for s in segments):
        return False
    if _SLUG.search(segments[-1]):
        return True
    return len(segments) >= 2 and bool(_SLUG.search(path))


def article_links(page: str, url: str, limit: int = 200) -> list[str]:
    """Article URLs linked from a section page, in page order, without repeats."""
    try:
        tree = lxml_html.fromstring(page)
    except (ValueError, lxml_html.etree.ParserError):
        return []
    here = urlsplit(url)
    found: list[str] = []
    for href in tree.xpath("//a/@href"):
        target, _ = urldefrag(urljoin(url, str(href).strip()))
        parts = urlsplit(target)
        if parts.scheme not in ("http", "https") or _site(parts.netloc) != _site(here.netloc):
            continue
        if parts.path.rstrip("/") == here.path.rstrip("/") or not _looks_like_article(parts.path):
            continue
        if target not in found:
            found.append(target)
            if len(found) >= limit:
                break
    return found
