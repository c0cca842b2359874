"""URL canonical form, case by case (issue 5)."""

from __future__ import annotations

import pytest

from monitor.dedupe import canonical_url

CASES = [
    # (why, url, expected)
    ("scheme and host case", "HTTP://News.Example.COM/a/b", "https://news.example.com/a/b"),
    ("http folds to https", "http://example.com/story-1", "https://example.com/story-1"),
    ("default port 443", "https://example.com:443/x", "https://example.com/x"),
    ("default port 80", "http://example.com:80/x", "https://example.com/x"),
    ("other port kept", "https://example.com:8443/x", "https://example.com:8443/x"),
    ("www host", "https://www.example.com/x", "https://example.com/x"),
    ("mobile host", "https://m.example.com/x", "https://example.com/x"),
    ("amp host", "https://amp.example.com/x", "https://example.com/x"),
    ("two-label host keeps its name", "https://m.com/x", "https://m.com/x"),
    ("amp path prefix", "https://example.com/amp/india/x-1", "https://example.com/india/x-1"),
    ("amp path suffix", "https://example.com/india/x-1/amp", "https://example.com/india/x-1"),
    ("amp path suffix with slash", "https://example.com/india/x-1/amp/",
     "https://example.com/india/x-1"),
    ("amp before .html", "https://example.com/x-1.amp.html", "https://example.com/x-1.html"),
    ("amp query flag", "https://example.com/x?amp=1", "https://example.com/x"),
    ("amp query flag, bare", "https://example.com/x?amp", "https://example.com/x"),
    ("fragment", "https://example.com/x#comments", "https://example.com/x"),
    ("utm parameters", "https://example.com/x?utm_source=tw&utm_medium=social",
     "https://example.com/x"),
    ("click ids", "https://example.com/x?fbclid=abc&gclid=def&msclkid=1",
     "https://example.com/x"),
    ("session id parameter", "https://example.com/x?PHPSESSID=123&sid=9", "https://example.com/x"),
    ("session id in path", "https://example.com/x;jsessionid=ABC123", "https://example.com/x"),
    ("content parameter kept", "https://example.com/view?id=42&utm_campaign=a",
     "https://example.com/view?id=42"),
    ("kept parameters sorted", "https://example.com/v?b=2&a=1", "https://example.com/v?a=1&b=2"),
    ("trailing slash", "https://example.com/news/x/", "https://example.com/news/x"),
    ("root stays a slash", "https://example.com", "https://example.com/"),
    ("index.html", "https://example.com/news/index.html", "https://example.com/news"),
    ("index.php", "https://example.com/news/index.php", "https://example.com/news"),
    ("repeated slashes", "https://example.com//news///x", "https://example.com/news/x"),
    ("percent-encoding case", "https://example.com/caf%c3%a9", "https://example.com/caf%C3%A9"),
    ("surrounding whitespace", "  https://example.com/x  ", "https://example.com/x"),
    ("everything at once",
     "HTTP://WWW.Example.com:80/amp/a/b/index.html?utm_source=x&id=3&fbclid=1#frag",
     "https://example.com/a/b?id=3"),
]


@pytest.mark.parametrize(("why", "url", "expected"), CASES, ids=[c[0] for c in CASES])
def test_canonical_form(why: str, url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    "url",
    ["file:///home/desk/corpus/a%20b.txt", "file:///tmp/x.txt", "mailto:desk@example.org"],
)
def test_non_web_uris_pass_through_unchanged(url: str) -> None:
    assert canonical_url(url) == url


@pytest.mark.parametrize("url", [None, "", "   "])
def test_nothing_gives_none(url: str | None) -> None:
    assert canonical_url(url) is None


def test_page_canonical_on_the_same_site_wins() -> None:
    got = canonical_url("https://m.example.com/story/123?utm_source=x",
                        "https://www.example.com/india/story-title-123/")
    assert got == "https://example.com/india/story-title-123"


def test_page_canonical_on_a_subdomain_of_the_site_wins() -> None:
    got = canonical_url("https://example.com/s/1", "https://news.example.com/s/one")
    assert got == "https://news.example.com/s/one"


def test_page_canonical_pointing_home_is_ignored() -> None:
    assert canonical_url("https://example.com/s/1", "https://example.com/") == (
        "https://example.com/s/1"
    )


def test_page_canonical_of_another_outlet_is_ignored() -> None:
    # A syndicating page names the origin: it is a duplicate of it, not a version.
    got = canonical_url("https://copy.example.net/k/1", "https://origin.example.org/story-9")
    assert got == "https://copy.example.net/k/1"


def test_page_canonical_on_a_mirror_with_the_same_path_wins() -> None:
    got = canonical_url("https://cdn.mirror.example/india/story-9",
                        "https://origin.example.org/india/story-9")
    assert got == "https://origin.example.org/india/story-9"


def test_relative_or_broken_page_canonical_is_ignored() -> None:
    assert canonical_url("https://example.com/s/1", "/s/1") == "https://example.com/s/1"
    assert canonical_url("https://example.com/s/1", "javascript:void(0)") == (
        "https://example.com/s/1"
    )


def test_file_input_takes_the_page_canonical() -> None:
    got = canonical_url("file:///tmp/saved.html", "https://example.com/s/1?utm_medium=x")
    assert got == "https://example.com/s/1"


def test_variants_of_one_page_agree() -> None:
    variants = [
        "https://www.example.in/news/kashmir/story-77",
        "http://example.in/news/kashmir/story-77/",
        "https://m.example.in/news/kashmir/story-77?utm_source=whatsapp",
        "https://example.in/amp/news/kashmir/story-77",
        "https://example.in/news/kashmir/story-77?amp=1#top",
    ]
    assert len({canonical_url(v) for v in variants}) == 1


def test_page_canonical_naming_the_articles_section_is_ignored() -> None:
    # A template giving every article of the section its section's URL: trusting it
    # made each new article an update of the previous one.
    own = "https://example.com/jammu-kashmir/snow-closes-mughal-road-123"
    assert canonical_url(own, "https://example.com/jammu-kashmir/") == own
    assert canonical_url("https://example.com/jk/2024/11/road", "https://example.com/jk") == (
        "https://example.com/jk/2024/11/road"
    )


def test_page_canonical_of_a_view_of_the_article_wins() -> None:
    got = canonical_url("https://example.com/news/story-9/print", "https://example.com/news/story-9")
    assert got == "https://example.com/news/story-9"


def test_page_canonical_naming_the_articles_id_folder_wins() -> None:
    # "/news/<id>/<slug>" pages whose canonical is "/news/<id>": an edited headline
    # changes the slug, and the page must stay one article (an update), not become two.
    canonical = "https://ledger.example/news/1873456"
    for slug in ("kashmir-snow-closes-road", "kashmir-snow-closes-road-updated"):
        assert canonical_url(f"{canonical}/{slug}", canonical) == canonical
    # Page 2 of an article, under the article's own folder.
    assert canonical_url("https://example.com/news/story-9/2",
                         "https://example.com/news/story-9") == "https://example.com/news/story-9"
