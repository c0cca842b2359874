"""First end-to-end checks of the cleaning stage: one item of each body kind."""

from __future__ import annotations

from datetime import UTC, datetime

from monitor.clean import clean_item
from monitor.models import Body, DateContext, RawItem

CTX = DateContext("Asia/Kolkata", datetime(2026, 11, 21, tzinfo=UTC))


def test_desk_header_gives_date_and_is_removed() -> None:
    raw = RawItem("local", Body.TEXT_PAGE, " date 2019-09-01 First para here.\n\nSecond.", CTX)
    article = clean_item(raw)
    assert article.published == datetime.fromisoformat("2019-09-01T00:00:00+05:30")
    assert article.published_from == "header"
    assert article.text == "First para here.\n\nSecond."


def test_html_page_smoke() -> None:
    html = (
        "<html lang='en'><head><title>A headline about the valley | Example News</title>"
        "<meta property='article:published_time' content='2024-09-19T10:05:00+05:30'>"
        "</head><body><article><h1>A headline about the valley</h1>"
        + "<p>This is a paragraph of the article with enough words to count as text.</p>" * 8
        + "</article></body></html>"
    )
    article = clean_item(RawItem("x", Body.HTML, html, CTX, url="https://example.org/a"))
    assert article.title == "A headline about the valley"
    assert article.published_from == "opengraph"
    assert "paragraph of the article" in article.text
    assert article.language == "en"


def test_garbage_never_raises() -> None:
    for body in (Body.HTML, Body.TEXT, Body.TEXT_PAGE):
        article = clean_item(RawItem("x", body, "\x00\xff<<>>&#xdead;", CTX))
        assert article.problems


def test_text_body_takes_metadata_from_the_item() -> None:
    raw = RawItem(
        "wire", Body.TEXT, "Line one &amp; more.\nLine two.", CTX,
        title="  Talks resume   in Srinagar ", published="2024-03-04 09:00",
        author="Desk", language=None,
    )
    article = clean_item(raw)
    assert article.text == "Line one & more.\n\nLine two."
    assert article.title == "Talks resume in Srinagar"
    assert article.published == datetime.fromisoformat("2024-03-04T09:00:00+05:30")
    assert article.published_from == "feed"
    assert article.author == "Desk"


def test_future_feed_date_is_rejected_and_flagged() -> None:
    raw = RawItem("wire", Body.TEXT, "Some text here.", CTX, published="2030-01-01")
    article = clean_item(raw)
    assert article.published is None
    assert any("future" in p for p in article.problems)
