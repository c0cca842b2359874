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
    """JSON Feed 1.0/1.1, each field type-checked: feeds in the wild put objects where
    the spec says strings, and one such item must not cost the source its good ones.
    A bad field is ignored, an item with nothing usable skipped, and either is
    reported in `problem` like a bozo RSS feed."""
    text, _ = decode_body(body, content_type or "application/json; charset=utf-8")
    try:
        doc = json.loads(text)
    except (ValueError, RecursionError) as e:  # RecursionError: absurdly deep nesting
        raise ParseError(source, url, f"not a feed: bad JSON ({str(e)[:200]})") from e
    if not isinstance(doc, dict):
        raise ParseError(source, url, f"not a feed: JSON {_kind(doc)} where a JSON Feed "
                                      "object was expected")
    if not isinstance(doc.get("items"), list):
        what = "no" if doc.get("items") is None else f"{_kind(doc['items'])} as its"
        raise ParseError(source, url, f"not a feed: JSON with {what} `items`, not a list")
    raw: list[dict[str, str | None]] = []
    problems: list[str] = []
    for n, item in enumerate(doc["items"], 1):
        entry, bad = _json_item(item)
        problems += [f"item {n}: {b}" for b in bad]
        if entry is not None:
            raw.append(entry)
    problem = ("feed has errors: " + "; ".join(problems))[:300] if problems else None
    if not raw and problem:
        raise ParseError(source, url, f"not a feed: no readable JSON Feed item ({problem})")
    title, language = doc.get("title"), doc.get("language")
    return ParsedFeed(_with_keys(raw), title if isinstance(title, str) else None, problem,
                      language=language if isinstance(language, str) else None)


def _kind(value: object) -> str:
    return {dict: "an object", list: "a list", str: "a string", int: "a number",
            float: "a number", bool: "a boolean"}.get(
        type(value), f"a {type(value).__name__}")


def _json_item(item: object) -> tuple[dict[str, str | None] | None, list[str]]:
    """An item's entry (None: nothing usable in it) and what was wrong with it."""
    if not isinstance(item, dict):
        return None, [f"{_kind(item)}, not an object"]
    bad: list[str] = []

    def text(key: str) -> str | None:
        value = item.get(key)
        if value is None or isinstance(value, str):
            return value or None
        bad.append(f"`{key}` is {_kind(value)}, not a string")
        return None

    guid = item.get("id")
    if isinstance(guid, int | float) and not isinstance(guid, bool):
        guid = str(guid)  # the spec says string; numbers are common and unambiguous
    elif guid is not None and not isinstance(guid, str):
        bad.append(f"`id` is {_kind(guid)}, not a string")
        guid = None
    entry = {
        "guid": (guid.strip() or None) if guid else None,
        "link": text("url") or text("external_url"),
        "title": text("title"),
        "published": text("date_published") or text("date_modified"),
        "summary": text("content_html") or text("summary") or text("content_text"),
        "author": _json_author(item, bad),
    }
    if not any(entry[k] for k in ("guid", "link", "title", "summary")):
        return None, bad or ["no id, url, title or content"]
    return entry, bad


def _json_author(item: dict[str, Any], bad: list[str]) -> str | None:
    """The first author's name: 1.1 `authors` (a list of objects), else 1.0 `author`."""
    authors = item.get("authors")
    if authors is not None and not isinstance(authors, list):
        bad.append(f"`authors` is {_kind(authors)}, not a list")
        authors = None
    if not authors and item.get("author") is not None:
        authors = [item["author"]]
    for author in authors or ():
        # a bare string is taken as the name; a name is optional (an author may be a url)
        name = author.get("name") if isinstance(author, dict) else author
        if isinstance(name, str) and name.strip():
            return name
        if isinstance(author, dict) and name is not None:
            bad.append(f"an author's `name` is {_kind(name)}, not a string")
        elif not isinstance(author, dict | str):
            bad.append(f"an author is {_kind(author)}, not an object")
    return None


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
