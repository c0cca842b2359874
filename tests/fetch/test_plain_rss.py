"""plain_rss.py must read every feed it accepts exactly as feedparser does (issue 3).

An entry key that changed between the two readers would store every entry again, so
each document below goes through both: the plain reader either declines it or gives
the same `ParsedFeed` (keys, links, titles, dates, summaries, authors, channel title).
The documents: the bench's and the tests' generated feeds, the shipped samples, and a
few hundred random plain-RSS feeds built from fragments that feedparser treats
specially (entities, CDATA, relative and odd URLs, permalink guids, repaired
encodings, empty and padded values, namespace prefixes, field order).
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from monitor.fetch import feeds
from monitor.fetch.charset import decode_body, to_utf8_xml
from monitor.fetch.feeds import ParsedFeed
from monitor.fetch.plain_rss import read_plain_rss
from tests.fetch.feeds import rss

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = sorted((ROOT / "data" / "samples" / "site").glob("*/*.xml"))
URLS = ["http://127.0.0.2/feed-1.xml", "https://news.example/dir/feed?x=1&y=2", "",
        "feed.xml", "http://exämple.org/f/", "HTTP://News.Example:8080", "http://h/a//b/f?x=1"]


def read_both(doc: str | bytes, url: str) -> tuple[ParsedFeed | None, ParsedFeed | None]:
    """(the plain reader's feed or None if it declines, feedparser's or None if it
    finds no feed), from the bytes `parse_feed` hands them."""
    body = doc.encode() if isinstance(doc, str) else doc
    text, _ = decode_body(body, "application/rss+xml")
    data = to_utf8_xml(text)
    plain = read_plain_rss(data, url, feeds._PLAIN_RULES)
    fast = None if plain is None else ParsedFeed(feeds._with_keys(plain[0]), plain[1],
                                                 language=plain[2])
    try:
        slow = feeds._feedparser_feed(data, text, url, "t")
    except Exception:
        slow = None
    return fast, slow


def assert_same(doc: str | bytes, url: str) -> bool:
    fast, slow = read_both(doc, url)
    if fast is not None:
        assert fast == slow, doc
    return fast is not None


@pytest.mark.parametrize("url", URLS)
def test_generated_feeds_read_alike(url: str) -> None:
    assert assert_same(rss("f1", 30), url)
    assert assert_same(rss("g", 3, words=5, link_base="/rel", title="A &amp; B"), url)
    assert assert_same(rss("h", 2, encoding="iso-8859-1").encode("latin-1"), url)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.parent.name)
def test_shipped_samples_read_alike(path: Path) -> None:
    doc = path.read_text().replace("{{BASE}}", "http://127.0.0.1:8000")
    doc = doc.replace("{{RFC822:", "Mon, 0").replace("{{ISO:", "2026-11-0")
    plain = assert_same(doc.replace("}}", " Nov 2026 00:00:00 +0000"), URLS[0])
    assert plain == (path.suffix == ".xml" and "<rss" in doc)


# Fragments of items: (element, values); None leaves the element out.
FIELDS: dict[str, list[str | None]] = {
    "title": [None, "Plain title", "  padded\n title  ", "", "Caf&#233; &amp; bar",
              "<![CDATA[A <b>bold</b> one]]>", "Ã©tÃ© mojibake", "smart \u0093q\u0094 cp1252",
              "&lt;i&gt;escaped&lt;/i&gt;", "सरहद समाचार", "a<!-- c -->b"],
    "link": [None, "http://news.example/a/1", "/relative/path?a=1&amp;b=2", "story.html",
             "", "  http://x.example/sp  ", "http://x.example/q?x=1&amp;amp;y=2",
             "http://x.example/q?x&amp;copy;=1", "javascript:alert(1)",
             "HTTP://Example.COM/Up/../x", "http://exämple.org/ü", "//cdn.example/p",
             "mailto:a@b.example"],
    "guid": [None, "id-1", "http://news.example/p?1", "", " spaced ", "/rel/guid", "same",
             "urn:uuid:1234", "tag:news.example,2026:1", "Ã©"],
    "description": [None, "&lt;p&gt;Hello &amp;amp; world&lt;/p&gt;",
                    "<![CDATA[<p>cdata <a href='/x'>link</a></p>]]>", "", "plain words",
                    "Ã¼ber \u0080 euro", "   "],
    "pubDate": [None, "Mon, 02 Nov 2026 10:00:00 +0000", "", "garbage",
                "2026-11-02T10:00:00Z", " Tue, 03 Nov 2026 01:02:03 GMT "],
    "C:encoded": [None, "<![CDATA[<p>full text</p>]]>", "", "&lt;p&gt;x&lt;/p&gt;"],
    "author": [None, "jo@example.com (Jo)", "", "Jo Writer"],
    "D:creator": [None, "Jo Writer", "", "Ann &amp; Bo"],
    "D:date": [None, "2026-11-01T00:00:00Z", ""],
    "comments": [None, "http://x.example/c", "/c"],
    "category": [None, "Politics"],
}
GUID_ATTRS = ["", ' isPermaLink="false"', ' isPermaLink="true"', ' isPermaLink="False"',
              ' ISPERMALINK="false"']
TAG_CASES = {"pubDate": ["pubDate", "pubdate", "PUBDATE"], "title": ["title", "Title"]}


def random_item(rng: random.Random) -> str:
    parts = []
    for field, values in FIELDS.items():
        value = rng.choice(values)
        if value is None or (field == "D:creator" and rng.random() < 0.8):
            continue  # mostly one author element: two make the plain reader decline
        tag = rng.choice(TAG_CASES.get(field, [field]))
        attrs = rng.choice(GUID_ATTRS) if field == "guid" else (
            ' domain="d"' if field == "category" and rng.random() < 0.5 else "")
        parts.append(f"<{tag}{attrs}>{value}</{tag}>")
    if rng.random() < 0.2:
        parts.append('<enclosure url="http://x.example/a.mp3" length="1" type="audio/mpeg"/>')
    rng.shuffle(parts)
    sep = rng.choice(["", "\n  ", " "])
    return "<item>" + sep + sep.join(parts) + sep + "</item>"


def random_feed(rng: random.Random) -> str:
    c, d = rng.choice([("content", "dc"), ("c", "d"), ("CONTENT", "dcx")])
    channel = [rng.choice(["", "<title>Feed</title>", "<title></title>",
                           "<title>Feed &amp; co \u0093x\u0094</title>"]),
               rng.choice(["", "<link>http://news.example/</link>"]),
               rng.choice(["", "<description>About</description>"]),
               rng.choice(["", "<language>en</language>", "<language> en-IN\n</language>",
                           "<language>ur_PK</language>", "<language></language>",
                           "<language>hi &amp; en</language>",
                           "<image><url>/i.png</url><title>Logo</title><link>/</link></image>"]),
               rng.choice(["", '<atom:link href="http://news.example/f" rel="self" '
                               'type="application/rss+xml"/>'])]
    items = [random_item(rng) for _ in range(rng.randint(0, 5))]
    body = rng.sample(channel + items, k=len(channel) + len(items)) if rng.random() < 0.2 \
        else channel + items
    body_text = "".join(body).replace("C:", f"{c}:").replace("D:", f"{d}:")
    prolog = rng.choice(['<?xml version="1.0" encoding="utf-8"?>\n', "",
                         "<?xml version='1.0'?>"] * 3 + [' \n<?xml version="1.0"?>'])
    version = rng.choice(["2.0"] * 6 + ["2.0.1", "0.92"])
    return (f'{prolog}<rss version="{version}" '
            f'xmlns:{c}="http://purl.org/rss/1.0/modules/content/" '
            f'xmlns:{d}="http://purl.org/dc/elements/1.1/" '
            f'xmlns:atom="http://www.w3.org/2005/Atom"><channel>{body_text}</channel></rss>')


def test_random_plain_feeds_read_alike() -> None:
    rng = random.Random(3)
    accepted = sum(assert_same(random_feed(rng), rng.choice(URLS)) for _ in range(600))
    assert accepted > 250  # the plain reader took most of them: the comparison means something


@pytest.mark.parametrize("doc", [
    '<rss version="2.0"><channel><item><title>x</title><source url="http://s/">S</source>'
    "</item></channel></rss>",
    '<rss version="2.0"><channel><item><description>a <b>b</b></description></item>'
    "</channel></rss>",
    '<rss version="2.0"><channel><item><title>a</title><title>b</title></item></channel></rss>',
    '<rss version="2.0"><channel xml:base="http://other/"><item><link>x</link></item>'
    "</channel></rss>",
    '<rss version="2.0"><channel><item><description type="html" mode="base64">eA==</description>'
    "</item></channel></rss>",
    '<!DOCTYPE rss [<!ENTITY n "x">]><rss version="2.0"><channel><item><title>&n;</title>'
    "</item></channel></rss>",
    '<?xml-stylesheet href="s.xsl?a<b"?><!DOCTYPE rss [<!ENTITY n "x">]><rss version="2.0">'
    "<channel><item><title>&n;</title></item></channel></rss>",  # a "<b" ahead of the DOCTYPE
    '<rss version="2.0"><channel><item><title>&nbsp;</title></item></channel></rss>',
    '<rss version="2.0"><channel><item><media:title xmlns:media="http://search.yahoo.com/mrss/">'
    "m</media:title></item></channel></rss>",
    '<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>1</id></entry></feed>',
    '<rss version="2.0"><channel><item><title>x</title></item></channel><channel/></rss>',
    '<rss version="2.0"><channel><item><title>x</title>stray</item></channel></rss>',
    '<rss version="2.0"><channel><item><atom:link xmlns:atom="http://www.w3.org/2005/Atom" '
    'href="http://a/"/></item></channel></rss>',
    '<rss version="2.0"><channel><item><author>a</author><dc:creator '
    'xmlns:dc="http://purl.org/dc/elements/1.1/">b</dc:creator></item></channel></rss>',
])
def test_what_it_declines_feedparser_reads(doc: str) -> None:
    fast, _ = read_both(doc, URLS[0])
    assert fast is None


_DC, _CONTENT = "http://purl.org/dc/elements/1.1/", "http://purl.org/rss/1.0/modules/content/"


@pytest.mark.parametrize("decls", [
    f'xmlns:dc="http://purl.org/dc/terms/" xmlns:d="{_DC}" xmlns:c="{_CONTENT}"',
    f'xmlns:d="{_DC}" xmlns:c="{_CONTENT}" xmlns:content="{_DC}"',
    f'xmlns:dc="{_CONTENT}" xmlns:content="{_DC}" xmlns:d="{_DC}" xmlns:c="{_CONTENT}"',
    f'xmlns:dc="http://www.w3.org/2005/Atom" xmlns:d="{_DC}" xmlns:c="{_CONTENT}"',
])
def test_prefixes_feedparser_remaps_read_alike(decls: str) -> None:
    # feedparser names dc/content elements by their URI's usual prefix, then maps that
    # prefix through the document's own declarations (`namespacemap`): `dc` bound to
    # another namespace it knows turns `d:date` into `dcterms_date`, which it ignores.
    doc = (f'<rss version="2.0" {decls}><channel><item><title>t</title><d:date>2026-01-01'
           "</d:date><d:creator>Jo</d:creator><c:encoded>full</c:encoded></item></channel></rss>")
    assert_same(doc, URLS[0])


@pytest.mark.parametrize("url", ["http://[::1/f", "http://a]b/f", "http://ex\u2100ample.com/f"])
def test_feed_urls_urllib_rejects_read_alike(url: str) -> None:
    # feedparser's urljoin gives "" for every link and permalink guid when urllib cannot
    # parse the base (unbalanced brackets, a host that NFKC turns into "a/c").
    assert_same('<rss version="2.0"><channel><item><link>http://a.example/x</link>'
                "<guid>seg-1</guid></item><item><guid>http://a.example/g</guid></item>"
                "</channel></rss>", url)


def test_links_it_leaves_alone_are_what_urljoin_makes_of_them() -> None:
    # plain_rss skips the join for URLs that match `_ABSOLUTE`: it must be a no-op.
    from monitor.fetch.plain_rss import _ABSOLUTE

    urljoin = feeds._PLAIN_RULES.urljoin
    rng = random.Random(5)
    pools = [["http://", "https://", "HTTP://", "http:///", "http:", "ftp://"],
             ["x.example", "exämple.org", "a", "..", "[::1]", "u@h", "x y", ""],
             ["", ":80", ":", ":8080"],
             ["", "/", "//", "/a/../b", "/./c", "/p;q", "/%20", "/ü", "/a b", "/\\",
              "/\x7f", "/path/", "/\u00a0"],
             ["", "?", "?a=1&b=2", "?q=\t", "??"], ["", "#", "#f#g", "#a b"]]
    links = ["".join(rng.choice(pool) for pool in pools) for _ in range(5000)]
    matched = [s for s in links if _ABSOLUTE.fullmatch(s)]
    assert len(matched) > 80
    for base in [*URLS, "https://other.example/x/y", "ftp://files.example/"]:
        for link in matched:
            assert urljoin(base, link) == link, (base, link)


def test_plain_segments_join_as_urljoin_joins_them() -> None:
    # plain_rss joins a plain segment ("story-1", a guid that is no URL) by prefixing
    # what urljoin makes of "x" without the "x": it must be what urljoin makes of it.
    from monitor.fetch.plain_rss import _SEGMENT

    urljoin = feeds._PLAIN_RULES.urljoin
    rng = random.Random(11)
    pools = [["http://h", "https://h.example:81", "", "feed", "ftp://f", "mailto:"],
             ["", "/", "//", "/a", "/a/", "/a//b/", "/a/../b", "/./c", "/a/.", "/a/..", "/p;q"],
             ["", "f.xml", "..", "."], ["", "?q=1", "?"], ["", "#frag"]]
    bases = {"".join(rng.choice(pool) for pool in pools) for _ in range(3000)}
    segments = ["x", "f0-0", "story_12", "a.b", "a..", "~u", "-", "9", "vh-1001"]
    assert all(_SEGMENT.fullmatch(s) for s in segments)
    assert not any(_SEGMENT.fullmatch(s) for s in [".", "..", ".x", "a/b", "a:b", "a?b", ""])
    for base in bases:
        prefix = urljoin(base, "x")[:-1]
        for seg in segments:
            assert urljoin(base, seg) == prefix + seg, (base, seg)
