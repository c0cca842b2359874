"""Feeds to entries: RSS 0.9x/1.0/2.0 and Atom through feedparser, JSON Feed by hand.

This is the only module that imports feedparser (STYLE.md 5). feedparser 6.0 has no
JSON Feed reader, so `application/feed+json` (or a body that opens with `{`) is
read here from the JSON Feed 1.0/1.1 spec (https://jsonfeed.org/version/1.1).

A feed with errors ("bozo") still yields the entries that could be read; the error
is returned in `ParsedFeed.problem` for the source's health. Nothing raises except
`ParseError` when the body holds no feed at all (HTML where a feed was expected,
an empty body).

Entry identity (issue 3): the GUID/id, else the link, else title + date. A GUID or
link shared by several entries of one feed identifies none of them (some CMSs put
the same GUID on every item), so those entries fall back to the next key, and
ultimately to a hash of title, date, link and summary.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

import feedparser
from feedparser.html import _cp1252
from feedparser.urls import _urljoin

from ..errors import ParseError
from .charset import decode_body, to_utf8_xml
from .plain_rss import Rules, read_plain_rss

__all__ = ["FeedEntry", "ParsedFeed", "looks_like_json_feed", "parse_feed"]

# feedparser resolves the base URI again at every start tag, `make_safe_absolute_uri(
# base, base)` with the same two strings all through a document: urllib.parse work
# ~180 times a 30-item feed, ~30% of the parse (issue 3). The function is pure (its
# arguments and feedparser's constant scheme list), so a small memo gives the same
# URIs; entry links and GUIDs are still resolved against the feed as before.
# An internal of feedparser 6 (pinned below 7 in pyproject.toml): a release that
# moves it only loses the memo, never the parse.
_mixin = getattr(feedparser, "mixin", None)
_resolve = getattr(_mixin, "make_safe_absolute_uri", None)
if callable(_resolve) and not hasattr(_resolve, "cache_info"):  # once a process
    _mixin.make_safe_absolute_uri = functools.lru_cache(maxsize=256)(_resolve)  # type: ignore[union-attr]

# Plain RSS 2.0 skips feedparser (plain_rss.py, issue 3); these keep its values exact.
_PLAIN_RULES = Rules(urljoin=_urljoin, safe_uri=feedparser.urls.make_safe_absolute_uri,
                     cp1252=_cp1252)


@dataclass(frozen=True)
class FeedEntry:
    key: str  # stable identity within the source
    link: str | None
    title: str | None
    published: str | None  # verbatim; the cleaner reads it with the source's zone
    summary_html: str | None
    author: str | None = None


@dataclass(frozen=True)
class ParsedFeed:
    entries: tuple[FeedEntry, ...]
    title: str | None = None
    problem: str | None = None  # bozo error, when entries were read despite it
    # What the feed declares its items are written in (RSS <language>, Atom xml:lang,
    # JSON Feed "language"): a short summary is better read by it than by a model.
    language: str | None = None


def looks_like_json_feed(body: bytes, content_type: str) -> bool:
    return "json" in content_type.lower() or body.lstrip()[:1] == b"{"


def parse_feed(body: bytes, content_type: str, url: str, source: str = "-") -> ParsedFeed:
    """Entries of a feed document; raises ParseError when there is no feed in it."""
    if not body.strip():
        raise ParseError(source, url, "empty body where a feed was expected")
    if looks_like_json_feed(body, content_type):
        return _json_feed(body, content_type, url, source)
    text, _ = decode_body(body, content_type)
    data = to_utf8_xml(text)
    plain = read_plain_rss(data, url, _PLAIN_RULES)
    if plain is not None:
        return ParsedFeed(_with_keys(plain[0]), plain[1], language=plain[2])
    return _feedparser_feed(data, text, url, source)


def _feedparser_feed(data: bytes, text: str, url: str, source: str) -> ParsedFeed:
    """The feed as feedparser reads it: any RSS or Atom, broken ones included."""
    doc = feedparser.parse(
        io.BytesIO(data),
        response_headers={"content-type": "application/xml; charset=utf-8",
                          "content-location": url},
        sanitize_html=False,  # cleaning is ours (monitor.clean)
        resolve_relative_uris=False,  # links inside a summary: it becomes text (issue 3)
    )
    raw = [_from_feedparser(e) for e in doc.entries]
    problem = _bozo_message(doc) if doc.get("bozo") else None
    if not raw and (problem or not doc.get("version")):
        what = "HTML" if "<html" in text[:2000].lower() else "no RSS, Atom or JSON feed"
        raise ParseError(source, url, f"not a feed: {what}" + (f" ({problem})" if problem else ""))
    return ParsedFeed(_with_keys(raw), doc.feed.get("title"), problem,
                      doc.feed.get("language"))


def _bozo_message(doc: Any) -> str:
    exc = doc.get("bozo_exception")
    return f"feed has errors: {type(exc).__name__}: {exc}"[:300] if exc else "feed has errors"


def _from_feedparser(e: Any) -> dict[str, str | None]:
    summary = None
    if e.get("content"):
        summary = max((c.get("value") or "" for c in e["content"]), key=len) or None
    summary = summary or e.get("summary") or e.get("description")
    return {
        "guid": (e.get("id") or "").strip() or None,
        "link": (e.get("link") or "").strip() or None,
        "title": e.get("title"),
        "published": e.get("published") or e.get("updated") or e.get("created"),
        "summary": summary,
        "author": e.get("author"),
    }


def _json_feed(body: bytes, content_type: str, url: str, source: str) -> ParsedFeed:
    text, _ = decode_body(body, content_type or "application/json; charset=utf-8")
    try:
        doc = json.loads(text)
    except ValueError as e:
        raise ParseError(source, url, f"not a feed: bad JSON ({e})") from e
    if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
        raise ParseError(source, url, "not a feed: JSON without an `items` list")
    raw = []
    for item in doc["items"]:
        if not isinstance(item, dict):
            continue
        authors = item.get("authors") or ([item["author"]] if item.get("author") else [])
        author = authors[0].get("name") if authors and isinstance(authors[0], dict) else None
        raw.append({
            "guid": str(item["id"]).strip() if item.get("id") is not None else None,
            "link": item.get("url") or item.get("external_url"),
            "title": item.get("title"),
            "published": item.get("date_published") or item.get("date_modified"),
            "summary": item.get("content_html") or item.get("summary")
            or item.get("content_text"),
            "author": author,
        })
    language = doc.get("language")
    return ParsedFeed(_with_keys(raw), doc.get("title"),
                      language=language if isinstance(language, str) else None)


def _with_keys(raw: list[dict[str, str | None]]) -> tuple[FeedEntry, ...]:
    guids = Counter(r["guid"] for r in raw if r["guid"])
    links = Counter(r["link"] for r in raw if r["link"])
    out: list[FeedEntry] = []
    used: set[str] = set()
    for r in raw:
        key = _key(r, guids, links)
        while key in used:  # identical entries twice in one feed: keep both, distinctly
            key += "+"
        used.add(key)
        out.append(FeedEntry(key, r["link"], r["title"], r["published"], r["summary"],
                             r["author"]))
    return tuple(out)


def _key(r: dict[str, str | None], guids: Counter[str], links: Counter[str]) -> str:
    if r["guid"] and guids[r["guid"]] == 1:
        return "guid:" + r["guid"]
    if r["link"] and links[r["link"]] == 1:
        return "link:" + r["link"]
    parts = (r["title"], r["published"]) if r["title"] else (
        r["title"], r["published"], r["link"], r["summary"])
    digest = hashlib.sha1("\x1f".join(p or "" for p in parts).encode()).hexdigest()[:20]
    return "td:" + digest
