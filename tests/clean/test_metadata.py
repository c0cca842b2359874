"""Page metadata: titles without the site's name, authors, canonical URLs."""

from __future__ import annotations

import pytest

from monitor.clean.html import parse_html
from monitor.clean.metadata import clean_title, read_metadata


@pytest.mark.parametrize(
    ("title", "site", "expected"),
    [
        ("Snow closes Mughal Road | Valley Herald", "Valley Herald", "Snow closes Mughal Road"),
        ("Valley Herald - Snow closes Mughal Road", "Valley Herald", "Snow closes Mughal Road"),
        ("Snow closes Mughal Road | Kashmir | Valley Herald", "Valley Herald",
         "Snow closes Mughal Road"),
        ("Snow closes Mughal Road - Valley Herald", "valleyherald.example",
         "Snow closes Mughal Road"),
        # A dash inside a headline is the headline's own.
        ("Srinagar-Jammu highway shut - again - for the winter", "Valley Herald",
         "Srinagar-Jammu highway shut - again - for the winter"),
        ("Article 370: what the verdict says", None, "Article 370: what the verdict says"),
        ("Home", "Valley Herald", None),
        ("Home | Valley Herald", "Valley Herald", None),
        ("Valley Herald", "Valley Herald", None),
        ("", None, None),
    ],
)
def test_clean_title(title: str, site: str | None, expected: str | None) -> None:
    assert clean_title(title, site) == expected


def test_page_metadata() -> None:
    html = """<html lang="ur-PK"><head><title>Home | Daily Example</title>
    <meta property="og:site_name" content="Daily Example">
    <meta property="og:url" content="https://daily.example/story/42">
    <meta name="author" content="By Staff Correspondent">
    <script type="application/ld+json">{"@type": "VideoObject", "name": "clip",
      "author": "Video Desk"}</script>
    </head><body><h1>Flood warning issued for Jhelum</h1><p>Text.</p></body></html>"""
    meta = read_metadata(parse_html(html), "https://daily.example/story/42?ref=rss")
    assert meta.title == "Flood warning issued for Jhelum"
    assert meta.site_name == "Daily Example"
    assert meta.canonical_url == "https://daily.example/story/42"
    assert meta.language == "ur"
    assert meta.author == "Staff Correspondent"  # not the embedded video's author
