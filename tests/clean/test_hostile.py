"""The cleaner never raises, whatever it is given, and finishes in bounded time.

Property tests feed random text, random markup and truncated copies of our own
fixture pages to every body kind; the pathological cases (5 MB of nesting, one
5 MB line) must finish well inside a generous deadline: no catastrophic
backtracking in any regex, no recursion blow-up in any tree walk.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.clean import clean_item, detect_language, html_fragment_to_text, parse_date
from monitor.models import Body, CleanArticle, DateContext, RawItem

DATA = Path(__file__).parent / "data"
CTX = DateContext("Asia/Kolkata", datetime(2026, 11, 21, tzinfo=UTC))
PAGES = [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.html"))]
TAGS = ["html", "head", "body", "div", "p", "span", "a", "script", "style", "article",
        "table", "td", "li", "time", "meta", "title", "h1", "br", "noscript"]
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def markup() -> st.SearchStrategy[str]:
    """Random, often broken, HTML: tags, attributes, entities and text, nested."""
    leaf = st.one_of(
        st.text(max_size=40),
        st.sampled_from(["&amp;", "&#x0;", "&#99999999;", "&bogus;", "<!--", "-->", "<![CDATA[",
                         "<?xml version='1.0' encoding='latin-1'?>", "\x00", "\ufeff", "</"]),
        st.builds(lambda t, a: f'<meta property="{a}" content="{t}">', st.text(max_size=20),
                  st.sampled_from(["og:title", "article:published_time", "og:url", "og:locale"])),
        st.builds(lambda t: f'<script type="application/ld+json">{t}</script>',
                  st.sampled_from(['{"datePublished": "2020-01-01"}', "{", "[[[[", '{"@graph": 1}',
                                   '{"author": [null, 1, {"name": 2}], "headline": []}'])),
    )
    return st.recursive(
        leaf,
        lambda inner: st.builds(
            lambda tag, attrs, body, close: f"<{tag}{attrs}>{''.join(body)}" + (
                f"</{tag}>" if close else ""),
            st.sampled_from(TAGS),
            st.sampled_from(["", ' class="date"', ' lang="ur"', ' datetime="2019-02-30"',
                             ' rel="canonical" href="::bad"', ' itemprop="datePublished"']),
            st.lists(inner, max_size=4),
            st.booleans(),
        ),
        max_leaves=30,
    )


def check(article: CleanArticle) -> None:
    assert isinstance(article, CleanArticle)
    assert isinstance(article.text, str)
    assert article.published is None or article.published.tzinfo is not None


@FAST
@given(st.text(max_size=2000), st.sampled_from(list(Body)))
def test_random_text_never_raises(content: str, body: Body) -> None:
    check(clean_item(RawItem("x", body, content, CTX, url="https://x.example/2020/01/02/a")))


@FAST
@given(markup(), st.sampled_from(list(Body)), st.one_of(st.none(), st.text(max_size=30)))
def test_random_markup_never_raises(content: str, body: Body, published: str | None) -> None:
    check(clean_item(RawItem("x", body, content, CTX, published=published)))


@FAST
@given(st.sampled_from(PAGES), st.integers(min_value=0, max_value=5000), st.data())
def test_truncated_pages_never_raise(page: str, cut: int, data: st.DataObject) -> None:
    start = data.draw(st.integers(min_value=0, max_value=max(0, len(page) - 1)))
    check(clean_item(RawItem("x", Body.HTML, page[:cut], CTX)))
    check(clean_item(RawItem("x", Body.HTML, page[start:], CTX)))


@FAST
@given(st.text(max_size=200))
def test_helpers_never_raise(value: str) -> None:
    parse_date(value, CTX)
    detect_language(value)
    html_fragment_to_text(value)


def test_binary_body_never_raises() -> None:
    junk = bytes(range(256)).decode("latin-1") * 100
    for body in Body:
        check(clean_item(RawItem("x", body, junk, CTX)))


FIVE_MB = 5_000_000
PATHOLOGICAL = {
    "nested-divs": "<html><body>" + "<div>" * (FIVE_MB // 5),
    "nested-closed": "<html><body>" + "<div><b>" * (FIVE_MB // 16) + "x"
    + "</b></div>" * (FIVE_MB // 20),
    "nested-fragment": "<span>" * (FIVE_MB // 6),
    "one-line-words": "<html><body><p>" + "Kashmir valley " * (FIVE_MB // 15) + "</p>",
    "one-line-no-space": "<html><body><p>" + "a" * FIVE_MB + "</p></body></html>",
    "one-line-dates": "Posted on: 11/14/2020 " * (FIVE_MB // 22),
    "one-line-digits": "1/2/3-4:5 " * (FIVE_MB // 10),
    "angles": "<" * FIVE_MB,
    "entities": "&#" * (FIVE_MB // 2),
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("case", sorted(PATHOLOGICAL))
def test_pathological_pages_finish(case: str) -> None:
    content = PATHOLOGICAL[case]
    for body in (Body.HTML, Body.TEXT_PAGE):
        check(clean_item(RawItem("x", body, content, CTX)))
