"""Plain RSS 2.0 read the way feedparser reads it, at a tenth of its cost (issue 3).

feedparser spends ~15 ms of a worker's CPU on a 30-item feed (a Python callback and
a dozen dict lookups per tag, a date parse and URL work per entry), more than half
of what a feed costs outside the analysis. Most feeds are plain RSS 2.0: an `<rss>`
with one `<channel>`, items of title, link, guid, description, pubDate, categories
and perhaps `content:encoded`, `dc:creator`, `dc:date`. For exactly that shape,
`read_plain_rss` yields what `feeds.parse_feed` takes from feedparser: each value is
the element's text put through the steps feedparser's `_FeedParserMixin.pop` applies
to it (strip, relative URI resolution against the feed URL, its latin-1/UTF-8 and
windows-1252 repairs, the `&amp;` fix of links) and the guid-as-link rule.

Entry keys hang on these values (a different key stores every entry again), so the
reader declines (returns None) at the first thing outside that shape: another root
or namespace, an element it does not know, an attribute that feedparser would act
on (`xml:base`, `type`, `mode`...), markup inside a text element, a repeated field,
a DOCTYPE, a `dc` or `content` prefix bound to another namespace, or XML that expat
rejects (feedparser's strict parser would fail and its loose one take over).
Declining costs one expat pass; feedparser then reads the feed.
tests/fetch/test_plain_rss.py compares both readers on every feed the tests know.

No feedparser import here (STYLE.md 5): `feeds.py` hands in the three feedparser
helpers whose results must match to the character (`Rules`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from xml.parsers import expat

__all__ = ["Rules", "read_plain_rss"]

RawEntry = dict[str, str | None]

_CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
_DC_NS = "http://purl.org/dc/elements/1.1/"
_ATOM_NS = "http://www.w3.org/2005/atom"
# Item children, by (namespace, lowercased name) -> the field they fill. feedparser
# lowercases names and matches namespaces by URI, whatever the prefix.
_ITEM_TEXT = {
    "title": "title", "link": "link", "guid": "guid", "description": "description",
    "pubdate": "pubdate", "author": "author", "comments": None,
    f"{_CONTENT_NS} encoded": "content", f"{_DC_NS} creator": "author",
    f"{_DC_NS} date": "date",
}
_ITEM_IGNORED = {"category", "enclosure"}  # any number; attributes not acted on here
_CHANNEL_LEAVES = {
    "title", "link", "description", "language", "copyright", "managingeditor",
    "webmaster", "pubdate", "lastbuilddate", "category", "generator", "docs", "ttl",
    "rating", "cloud", f"{_ATOM_NS} link",
}
_IMAGE_LEAVES = {"url", "title", "link", "width", "height", "description"}
# feedparser names a dc/content element by its URI's usual prefix, then looks that
# prefix up among the prefixes the document declared (`namespacemap`, kept for the
# whole document): `xmlns:dc` bound to dcterms turns every DC element into a dcterms
# one. Such a declaration anywhere declines.
_OWN_PREFIX = {"dc": _DC_NS, "content": _CONTENT_NS}
# Attributes allowed, per element; any other attribute declines (feedparser reads
# `xml:base`/`base`, `type`, `mode`, `href`, `rdf:about`... on any element).
_ATTRS: Mapping[str, frozenset[str]] = {
    "rss": frozenset({"version"}),
    "guid": frozenset({"ispermalink"}),
    "category": frozenset({"domain"}),
    "enclosure": frozenset({"url", "length", "type"}),
    "cloud": frozenset({"domain", "port", "path", "registerprocedure", "protocol"}),
    f"{_ATOM_NS} link": frozenset({"href", "rel", "type"}),
}
_NONE: frozenset[str] = frozenset()
_XML_DECL = re.compile(rb"^<\?xml[^>]*?>")
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")
# URLs that `urljoin(base, url)` returns unchanged whatever the base: lowercase http(s),
# an ASCII host, no whitespace, controls, `;` params, empty `?`/`#` (urlunparse would
# drop them) or extra slashes (feedparser's `_urifixer`). Most feed links are such,
# and the join (urllib parsing twice) was 40% of what was left of a feed's reading.
# A single plain path segment ("story-12", a guid that is no URL): joined, it replaces
# the last segment of the base path, so `urljoin(base, "x")` minus the "x" is the
# prefix of every such join in a feed (guids are permalinks unless they say not).
_SEGMENT = re.compile(r"[A-Za-z0-9_~-][A-Za-z0-9._~-]*")
_ABSOLUTE = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[^\x00-\x20?#;\\]*)?"
                       r"(?:\?[^\x00-\x20#\\]+)?(?:#[^\x00-\x20\\]+)?")


@dataclass(frozen=True)
class Rules:
    """feedparser's own helpers, so that URLs and text come out as it makes them."""

    urljoin: Callable[[str, str], str]  # feedparser.urls._urljoin
    safe_uri: Callable[[str, str], str]  # feedparser.urls.make_safe_absolute_uri
    cp1252: Mapping[int, str]  # feedparser.html._cp1252, applied with str.translate


class _Declined(Exception):
    """The document is not plain RSS 2.0 as this reader knows it."""


def read_plain_rss(
    data: bytes, url: str, rules: Rules
) -> tuple[list[RawEntry], str | None, str | None] | None:
    """(entries as `feeds._from_feedparser` makes them, channel title, channel language as
    feedparser's `feed.language`), or None when
    feedparser has to read this document. `data` is UTF-8 (`charset.to_utf8_xml`)."""
    start = re.search(rb"<\w", data)
    if start is None or b"<!" in data[:start.start()]:
        return None  # a DOCTYPE or entities: feedparser rewrites them first
    base = _base(url, rules)
    if base is None:
        return None
    # feedparser puts its own prolog in place of the document's (or before it).
    decl = b"<?xml version='1.0' encoding='utf-8'?>"
    data = _XML_DECL.sub(decl, data, count=1) if _XML_DECL.match(data) else decl + b"\n" + data
    reader = _Reader(base, rules)
    parser = expat.ParserCreate(None, " ")
    parser.buffer_text = True
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartNamespaceDeclHandler = _namespace
    parser.StartDoctypeDeclHandler = _doctype  # one the `<!` test missed (`<?pi <x?>`)
    try:
        parser.Parse(data, True)
    except (expat.ExpatError, _Declined):
        return None
    if not reader.done:
        return None
    return reader.entries, reader.channel_title, reader.channel_language


def _namespace(prefix: str | None, uri: str | None) -> None:
    own = _OWN_PREFIX.get((prefix or "").lower())
    if own is not None and (uri or "").lower() != own:
        raise _Declined  # feedparser would read its dc/content elements as others


def _doctype(*_: object) -> None:
    raise _Declined


def _base(url: str, rules: Rules) -> str | None:
    """The base feedparser resolves against: the feed URL as each start tag re-derives
    it (`make_safe_absolute_uri(base, base)`); None when that does not settle, or when
    urllib cannot parse it (feedparser's join then makes "" of every link)."""
    steps = [url]
    for _ in range(2):
        b = steps[-1]
        steps.append((rules.safe_uri(b, b) or b) if b else rules.urljoin(b, b))
    if steps[1] != steps[2] or not rules.urljoin(steps[1], "x"):
        return None
    return steps[1]


class _Reader:
    """expat callbacks: a path of at most rss/channel/item/field."""

    def __init__(self, base: str, rules: Rules) -> None:
        self.base, self.rules = base, rules
        self.entries: list[RawEntry] = []
        self.channel_title: str | None = None
        self.channel_language: str | None = None
        self.path: list[str] = []
        self.fields: dict[str, str] = {}  # the item's text fields, as read
        self.permalink = True
        self.pieces: list[str] | None = None  # text of the element being read
        self.field: str | None = None
        self.done = False
        self._prefix: str | None = None  # of joined plain segments (`_SEGMENT`)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        tag = name.lower()
        if self.pieces is not None:
            raise _Declined  # markup inside a text element
        lowered = {k.lower(): v for k, v in attrs.items()}
        allowed = _ATTRS.get(tag, _NONE)
        if lowered.keys() - allowed:
            raise _Declined
        depth, parent = len(self.path), self.path[-1] if self.path else ""
        self.path.append(tag)
        if depth == 0:
            if tag != "rss" or not lowered.get("version", "").startswith("2."):
                raise _Declined
        elif depth == 1:
            if tag != "channel" or self.done:
                raise _Declined
        elif depth == 2:
            self._in_channel(tag)
        elif depth == 3 and parent == "item":
            self._in_item(tag, lowered)
        elif depth == 3 and parent == "image" and tag in _IMAGE_LEAVES:
            self.field, self.pieces = None, []
        else:
            raise _Declined

    def _in_channel(self, tag: str) -> None:
        if tag == "item":
            self.fields, self.permalink = {}, True
        elif tag == "title":
            if self.channel_title is not None:
                raise _Declined  # feedparser's title_depth rules: not worth following
            self.field, self.pieces = "channel_title", []
        elif tag == "language":
            if self.channel_language is not None:
                raise _Declined  # which one feedparser keeps: not worth following
            self.field, self.pieces = "channel_language", []
        elif tag in _CHANNEL_LEAVES:
            self.field, self.pieces = None, []
        elif tag != "image":
            raise _Declined

    def _in_item(self, tag: str, attrs: dict[str, str]) -> None:
        if tag in _ITEM_IGNORED:
            self.field, self.pieces = None, []
            return
        if tag not in _ITEM_TEXT:
            raise _Declined
        field = _ITEM_TEXT[tag]
        if field is not None:
            if field in self.fields:
                raise _Declined  # a repeated field: feedparser's depth rules decide
            self.fields[field] = ""  # claimed now, filled at the end tag
        if field == "guid":
            self.permalink = attrs.get("ispermalink", "true") == "true"
        self.field, self.pieces = field, []

    def text(self, data: str) -> None:
        if self.pieces is not None:
            self.pieces.append(data)
        elif data.strip():
            raise _Declined  # text between elements: feedparser keeps it, somewhere

    def end(self, name: str) -> None:
        tag = self.path.pop()
        depth = len(self.path)
        if self.pieces is not None:
            pieces, field = self.pieces, self.field
            self.pieces = self.field = None
            if field == "channel_title":
                self.channel_title = self._value(pieces, resolve=False)
            elif field == "channel_language":
                self.channel_language = self._value(pieces, resolve=False)
            elif field is not None:
                self.fields[field] = self._value(
                    pieces, resolve=field == "link" or (field == "guid" and self.permalink))
        elif tag == "item" and depth == 2:
            self.entries.append(self._entry())
        elif depth == 1:
            self.done = True

    def _value(self, pieces: list[str], *, resolve: bool) -> str:
        """feedparser's `pop` of a text element, for what this reader lets through."""
        out = "".join(pieces).strip()
        if resolve and out and not _ABSOLUTE.fullmatch(out):
            if _SEGMENT.fullmatch(out):
                if self._prefix is None:
                    self._prefix = self.rules.urljoin(self.base, "x")[:-1]
                out = self._prefix + out
            else:
                out = self.rules.urljoin(self.base, out)
        if not out.isascii():  # its two repairs change nothing in ASCII
            with suppress(UnicodeEncodeError, UnicodeDecodeError):  # UTF-8 read as latin-1
                out = out.encode("iso-8859-1").decode("utf-8")
            out = out.translate(self.rules.cp1252)
        return out

    def _entry(self) -> RawEntry:
        f = self.fields
        link = f.get("link")
        if "&" in (link or ""):
            link = _LINK_REF.sub(r"&\g<1>", link.replace("&amp;", "&"))  # type: ignore[union-attr]
        if link is None and "guid" in f and self.permalink:
            link = f["guid"]  # a permalink guid is the link when there is none
        content, summary = f.get("content"), f.get("description")
        if summary is None and content is not None:
            summary = content  # feedparser copies HTML content to an absent summary
        return {
            "guid": f.get("guid", "").strip() or None,
            "link": (link or "").strip() or None,
            "title": f.get("title"),
            "published": f.get("pubdate") or f.get("date") or None,
            "summary": content or summary,
            "author": f.get("author"),
        }
