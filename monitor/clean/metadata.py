"""Page metadata: title, author, canonical URL, declared language (issue 4).

Reads a parsed lxml tree, never the network. Each field has an ordered list of
places to look; the first plausible value wins:

- title: JSON-LD `headline`, `og:title`, `twitter:title`, the one `<h1>`, `<title>`;
  the site's name is cut off ("Headline | Site") and a title that *is* the site's
  name or a word like "Home" is refused.
- author: JSON-LD `author`, `<meta name=author>`, `article:author` (when a name,
  not a URL), `rel=author` links.
- canonical URL: `<link rel=canonical>`, then `og:url`, made absolute against the
  page URL.
- language: `<html lang>`, `content-language`, `og:locale`.

Structured data is read once into `PageMeta.jsonld` for the date finder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from monitor.clean.language import language_from_tag
from monitor.clean.normalize import squash

__all__ = [
    "PageMeta", "clean_title", "is_page_object", "iter_jsonld", "meta_content", "read_metadata",
]

# Titles that name a page type, not an article.
GENERIC_TITLES = frozenset(
    {"home", "homepage", "home page", "index", "news", "latest news", "untitled",
     "page not found", "404", "login", "sign in", "search"}
)
TITLE_SEPARATORS = re.compile(r"\s+[|\-–—»·•]\s+")
MAX_TITLE = 300
MAX_JSONLD = 500_000  # bytes of one script; bigger ones are data dumps, not metadata
ARTICLE_TYPES = ("article", "posting", "report", "blog")
PAGE_TYPES = (*ARTICLE_TYPES, "webpage")


@dataclass(frozen=True)
class PageMeta:
    """What the page says about itself (see the module docstring)."""

    title: str | None = None
    author: str | None = None
    canonical_url: str | None = None
    language: str | None = None
    site_name: str | None = None
    jsonld: tuple[dict[str, Any], ...] = field(default_factory=tuple)


def meta_content(tree: HtmlElement, *names: str) -> str | None:
    """First non-empty `<meta>` content whose name/property/itemprop is in `names`."""
    wanted = {n.lower() for n in names}
    for meta in tree.iter("meta"):
        key = meta.get("property") or meta.get("name") or meta.get("itemprop") or ""
        if key.strip().lower() in wanted:
            content = squash(meta.get("content") or "")
            if content:
                return content
    return None


def _walk_jsonld(node: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Every dict in a JSON-LD value, @graph and nesting included (depth-bounded)."""
    if depth > 6:
        return
    if isinstance(node, list):
        for item in node:
            yield from _walk_jsonld(item, depth + 1)
    elif isinstance(node, dict):
        yield node
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in node:
                yield from _walk_jsonld(node[key], depth + 1)


def _has_type(obj: dict[str, Any], suffixes: tuple[str, ...]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.lower().endswith(suffixes) for k in kinds)


def is_page_object(obj: dict[str, Any]) -> bool:
    """Does this JSON-LD object describe the page's article (its headline, author and
    dates are the article's)? An embedded VideoObject, an Organization or a
    BreadcrumbList does not; an untyped object is given the benefit of the doubt."""
    return obj.get("@type") is None or _has_type(obj, PAGE_TYPES)


def iter_jsonld(tree: HtmlElement) -> list[dict[str, Any]]:
    """JSON-LD objects that describe the page's article, article-typed ones first."""
    found: list[dict[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > MAX_JSONLD:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        found.extend(_walk_jsonld(data))

    page_objects = [obj for obj in found if is_page_object(obj)]
    return sorted(page_objects, key=lambda obj: not _has_type(obj, ARTICLE_TYPES))


def _names(value: Any) -> list[str]:
    """Person names from a JSON-LD author value (string, object or list of them)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value[:10] for n in _names(item)]
    return []


def _site_name(tree: HtmlElement, jsonld: list[dict[str, Any]], url: str | None) -> str | None:
    name = meta_content(tree, "og:site_name", "application-name", "twitter:site")
    if not name:
        for obj in jsonld:
            publisher = obj.get("publisher")
            if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
                name = publisher["name"]
                break
    if not name and url:
        name = urlsplit(url).hostname or None
    return squash(name).lstrip("@") if name else None


def _name_key(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.lower())


def _same_name(a: str, b: str) -> bool:
    """Do two strings name the same thing, ignoring case and spacing? A host name
    ("www.valleyherald.example") matches any of its labels ("Valley Herald")."""
    key_a = _name_key(a)
    if not key_a:
        return False
    if key_a == _name_key(b):
        return True
    if re.fullmatch(r"[\w-]+(\.[\w-]+)+", b.strip()):
        return any(len(label) >= 4 and key_a == _name_key(label) for label in b.split("."))
    return False


def clean_title(title: str | None, site: str | None) -> str | None:
    """Cut the site's name off a title and refuse titles that are no headline.

    A part is cut when it names the site, or when a pipe (` | `) sets off a short
    part at either end: pipes separate site and section names, while dashes and
    colons are common inside real headlines and are cut only for the site's name.
    """
    if not title:
        return None
    title = squash(title)[:MAX_TITLE]
    for _ in range(2):  # "Headline | Section | Site"
        parts = TITLE_SEPARATORS.split(title)
        if len(parts) < 2:
            break
        seps = TITLE_SEPARATORS.findall(title)
        last, first = parts[-1], parts[0]
        if (site and _same_name(last, site)) or (
            seps[-1].strip() == "|" and len(last.split()) <= 5 < len(title.split())
        ):
            title = title[: title.rfind(seps[-1])].strip()
        elif (site and _same_name(first, site)) or (
            seps[0].strip() == "|" and len(first.split()) <= 3 < len(title.split())
        ):
            title = title[title.find(seps[0]) + len(seps[0]) :].strip()
        else:
            break
    if not title or title.lower() in GENERIC_TITLES or (site and _same_name(title, site)):
        return None
    return title


def _title(tree: HtmlElement, jsonld: list[dict[str, Any]], site: str | None) -> str | None:
    candidates: list[str | None] = []
    for obj in jsonld[:5]:
        headline = obj.get("headline")
        if isinstance(headline, str):
            candidates.append(headline)
    candidates.append(meta_content(tree, "og:title", "twitter:title", "title"))
    h1s = [squash(h.text_content()) for h in tree.iter("h1")][:3]
    if len(h1s) == 1:
        candidates.append(h1s[0])
    title_el = next(tree.iter("title"), None)
    if title_el is not None:
        candidates.append(title_el.text_content())
    for candidate in candidates:
        title = clean_title(candidate, site)
        if title:
            return title
    return None


def _author(tree: HtmlElement, jsonld: list[dict[str, Any]]) -> str | None:
    names: list[str] = []
    for obj in jsonld[:5]:
        names = [squash(n) for n in _names(obj.get("author")) if squash(n)]
        if names:
            break
    if not names:
        for candidate in (
            meta_content(tree, "author", "article:author", "byl", "parsely-author", "dc.creator"),
            next((squash(a.text_content()) for a in tree.iterfind(".//a[@rel='author']")), None),
        ):
            if candidate and not candidate.lower().startswith(("http:", "https:", "www.")):
                names = [re.sub(r"^by\s+", "", candidate, flags=re.I)]
                break
    names = [re.sub(r"^by[:\s]+", "", n, flags=re.I).strip() for n in names]
    names = [n for n in dict.fromkeys(names) if 1 < len(n) <= 100]
    return ", ".join(names[:5]) or None


def _canonical(tree: HtmlElement, url: str | None) -> str | None:
    href = None
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            href = (link.get("href") or "").strip()
            if href:
                break
    href = href or meta_content(tree, "og:url")
    if not href:
        return None
    try:
        absolute = urljoin(url, href) if url else href
    except ValueError:
        return None
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def _language(tree: HtmlElement) -> str | None:
    root = tree.getroottree().getroot()
    return (
        language_from_tag(root.get("lang") or root.get("xml:lang"))
        or language_from_tag(meta_content(tree, "content-language", "language", "dc.language"))
        or language_from_tag(meta_content(tree, "og:locale"))
    )


def read_metadata(tree: HtmlElement, url: str | None) -> PageMeta:
    """Everything `PageMeta` holds, read from `tree` (the page's own claims)."""
    jsonld = iter_jsonld(tree)
    site = _site_name(tree, jsonld, url)
    return PageMeta(
        title=_title(tree, jsonld, site),
        author=_author(tree, jsonld),
        canonical_url=_canonical(tree, url),
        language=_language(tree),
        site_name=site,
        jsonld=tuple(jsonld),
    )
