"""JSON Feed items with wrong field types: the good items are kept, the problem said.

Feeds in the wild put an object where the spec (jsonfeed.org/version/1.1) says a
string or a list. The sentences are written for these tests.
"""

from __future__ import annotations

import json

import pytest

from monitor.errors import ParseError
from monitor.fetch.feeds import parse_feed

URL = "https://news.example/feed.json"
TEXTS = {
    "g1": "Schools reopen in Srinagar after the winter break, officials said on Monday.",
    "g2": "श्रीनगर में भारी बर्फबारी के बाद जम्मू-श्रीनगर राजमार्ग बंद कर दिया गया।",
    "b1": "Gulmarg gondola resumes after a week of heavy snowfall closed the upper stage.",
    "b2": "Traders in Anantnag say the apple harvest was smaller than last year's.",
    "b3": "سری نگر میں برف باری کے بعد شاہراہ بند کر دی گئی اور پروازیں منسوخ ہوئیں۔",
}


def _item(key: str, **extra: object) -> dict[str, object]:
    return {"id": key, "url": f"https://news.example/2026/11/{key}", "title": f"Story {key}",
            "content_text": TEXTS[key], **extra}


def _feed(items: list[object]) -> bytes:
    return json.dumps({"version": "https://jsonfeed.org/version/1.1", "title": "Desk",
                       "items": items}, ensure_ascii=False).encode()


BAD_ITEMS = [
    _item("b1", authors={"name": "A"}),  # an object where the spec says a list
    _item("b2", url=42),
    _item("b3", content_html={"html": "<p>x</p>"}),
    "not an item",
]


def test_bad_fields_are_ignored_and_reported_the_good_items_kept():
    feed = parse_feed(_feed([_item("g1"), *BAD_ITEMS, _item("g2", authors=[{"name": "N"}])]),
                      "application/feed+json", URL, "j")
    by_guid = {e.key.removeprefix("guid:"): e for e in feed.entries}
    assert set(by_guid) == {"g1", "g2", "b1", "b2", "b3"}
    assert by_guid["g2"].author == "N" and by_guid["b1"].author is None
    assert by_guid["b2"].link is None
    assert by_guid["b3"].summary_html == TEXTS["b3"]  # content_text, the html being unusable
    assert feed.problem and feed.problem.startswith("feed has errors")
    for said in ("item 2: `authors` is an object", "item 3: `url` is a number",
                 "item 4: `content_html` is an object", "item 5: a string"):
        assert said in feed.problem


@pytest.mark.parametrize(("body", "said"), [
    (b"[1, 2]", "JSON a list where a JSON Feed object"),
    (b'{"items": {"a": 1}}', "an object as its `items`"),
    (b'{"items": "none"}', "a string as its `items`"),
    (b'{"title": "no items"}', "no `items`"),
    (b"[" * 100_000 + b"]" * 100_000, "bad JSON"),
    (_feed(["x", 1, None]), "no readable JSON Feed item"),
])
def test_a_json_document_that_is_no_feed_is_a_parse_error(body: bytes, said: str):
    with pytest.raises(ParseError) as caught:
        parse_feed(body, "application/feed+json", URL, "j")
    assert said in str(caught.value)


def test_a_json_feed_with_bad_items_stores_the_good_ones(server, make_fetcher):
    server.serve("/feed.json", body=_feed([_item("g1"), *BAD_ITEMS, _item("g2")]),
                 content_type="application/feed+json")
    fetcher = make_fetcher([{"name": "j", "url": server.url("/feed.json"), "full_text": False}])
    result = fetcher.run_cycle()[0]
    assert result.error is None and "feed has errors" in (result.warning or "")
    stored = {r["title"] for r in fetcher.app.store.export_records()}
    assert {"Story g1", "Story g2"} <= stored
    row = next(r for r in fetcher.app.store.source_rows() if r["name"] == "j")
    assert row["status"] == "ok"
    # what `monitor sources` shows as the source's warning: its last fetch's message
    logged = fetcher.app.store.db.execute(
        "SELECT error_kind, error_message FROM fetch_log WHERE source = 'j'").fetchall()
    (kind, message), = logged
    assert kind is None and "`url` is a number" in message
