"""Feed documents to candidates: summary text, links, identity (monitor.fetch.discover)."""

from __future__ import annotations

import json

from monitor.fetch.discover import discover

from .feeds import rss

URL = "https://news.example/feeds/main.xml"

RSS_MARKUP = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Desk</title>
<item><guid>a1</guid><link>/2026/11/flood-warning</link><title>Flood &amp; snow</title>
<description><![CDATA[<p>Residents &amp; traders met on <b>Tuesday</b>.</p>
<script>track("x")</script><!-- ad slot --><p>Second&nbsp;paragraph &#8211; with a
<a href="/more">link</a>.</p>]]></description></item>
<item><guid>a2</guid><link>https://news.example/hi</link><title>Hindi</title>
<description>&lt;p&gt;क्षेत्र में शांति है।&lt;/p&gt;&lt;p&gt;اردو خبر&lt;/p&gt;</description></item>
<item><guid>a3</guid><link>https://news.example/plain</link><title>Plain</title>
<description>No markup at all, &amp;amp; an entity.</description></item>
</channel></rss>"""


def test_summary_markup_becomes_paragraphs_of_text() -> None:
    found = discover("feed", RSS_MARKUP.encode(), "application/rss+xml", URL, "desk")
    by_key = {c.key.rsplit("/", 1)[1]: c for c in found.candidates}
    assert by_key["a1"].summary == ("Residents & traders met on Tuesday.\n\n"
                                         "Second paragraph – with a link.")
    assert by_key["a1"].title == "Flood & snow"
    assert by_key["a2"].summary == "क्षेत्र में शांति है।\n\nاردو خبر"
    assert by_key["a3"].summary == "No markup at all, & an entity."


def test_relative_entry_links_and_guids_are_resolved_against_the_feed() -> None:
    # Only links *inside* a summary stay relative (it becomes text); entry identity and
    # links are what they were with feedparser's resolve_relative_uris on.
    found = discover("feed", RSS_MARKUP.encode(), "application/rss+xml", URL, "desk")
    assert found.candidates[0].link == "https://news.example/2026/11/flood-warning"
    assert found.candidates[0].key == "guid:https://news.example/feeds/a1"


ATOM_BASES = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://news.example/world/">
<title>Desk</title>
<entry><id>tag:news.example,2026:1</id><link rel="alternate" href="flood"/><title>One</title>
<summary>First.</summary></entry>
<entry xml:base="/sport/"><id>urn:x:2</id><link rel="alternate" href="match"/><title>Two</title>
<summary>Second.</summary></entry>
</feed>"""

RSS_GUIDS = """<?xml version="1.0"?><rss version="2.0"><channel><title>D</title>
<item><guid isPermaLink="false">a1</guid><link>/x/1</link><title>A</title>
<description>a</description></item>
<item><guid>a2</guid><title>B</title><description>b</description></item>
</channel></rss>"""


def test_xml_base_and_permalink_guids_resolve_as_feedparser_does() -> None:
    # feedparser's base-URI bookkeeping is memoised (feeds.py): each entry's own
    # xml:base still applies, and a GUID that is not a permalink stays as written.
    got = [(c.key, c.link) for body in (ATOM_BASES, RSS_GUIDS)
           for c in discover("feed", body.encode(), "application/xml", URL, "d").candidates]
    assert got == [
        ("guid:tag:news.example,2026:1", "https://news.example/world/flood"),
        ("guid:urn:x:2", "https://news.example/sport/match"),
        ("guid:a1", "https://news.example/x/1"),
        ("guid:https://news.example/feeds/a2", "https://news.example/feeds/a2"),
    ]


def test_bench_feed_gives_every_item_with_its_summary() -> None:
    found = discover("feed", rss("f1", 30).encode(), "application/rss+xml", URL, "bench")
    assert len(found.candidates) == 30
    first = found.candidates[0]
    assert first.key == "guid:https://news.example/feeds/f1-0"
    assert "<" not in (first.summary or "") and len((first.summary or "").split()) == 100


def test_json_feed_html_content_becomes_text() -> None:
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "J", "items": [
        {"id": "j1", "url": "https://news.example/j1", "title": "T",
         "content_html": "<p>One &amp; two</p><p>Three<br>four</p>"}]}
    found = discover("feed", json.dumps(doc).encode(), "application/feed+json", URL, "j")
    assert found.candidates[0].summary == "One & two\n\nThree four"


def test_bozo_feed_keeps_its_good_entries_with_text() -> None:
    broken = RSS_MARKUP.replace("</channel></rss>", "<item><title>cut")
    found = discover("feed", broken.encode(), "application/rss+xml", URL, "desk")
    assert found.problem and found.problem.startswith("feed has errors")
    assert found.candidates[0].summary is not None
    assert found.candidates[0].summary.startswith("Residents & traders")
