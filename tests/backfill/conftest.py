"""Backfill fixtures: a loopback news site (robots.txt, sitemap index, news sitemaps,
a feed, article pages) and a config that lets the fetcher reach loopback."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

import pytest

from .server import Site

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from backfill_pages import Article, article_html, make_article

__all__ = ["Article", "article_html", "make_article", "news_sitemap", "write_config"]

NEWS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" ' \
       'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def write_config(path: Path, db: Path, extra: str = "") -> Path:
    """A config with loopback allowed and no spacing between requests to one host."""
    path.write_text(
        f'[monitor]\ndatabase = "{db}"\n\n'
        '[fetch]\nallow_private_addresses = true\nhost_spacing = "1ms"\nper_host = 8\n'
        'concurrency = 8\ntimeout = "10s"\n\n'
        '[[sources]]\nname = "valley-ledger"\nurl = "http://127.0.0.1/feed.xml"\n'
        'timezone = "Asia/Karachi"\n' + extra,
        encoding="utf-8",
    )
    return path


def news_sitemap(site: Site, articles: list[tuple[str, Article]]) -> str:
    """A Google News sitemap of (path, article) with publication dates and titles."""
    urls = "".join(
        f"<url><loc>{site.url(path)}</loc><lastmod>{a.published}</lastmod><news:news>"
        f"<news:publication><news:name>Valley Ledger</news:name><news:language>en"
        f"</news:language></news:publication><news:publication_date>{a.published}"
        f"</news:publication_date><news:title>{escape(a.title)}</news:title></news:news>"
        "</url>"
        for path, a in articles
    )
    return f'<?xml version="1.0" encoding="UTF-8"?><urlset {NEWS}>{urls}</urlset>'


def sitemap_index(site: Site, children: list[tuple[str, str]]) -> str:
    items = "".join(f"<sitemap><loc>{site.url(p)}</loc><lastmod>{m}</lastmod></sitemap>"
                    for p, m in children)
    return ('<?xml version="1.0" encoding="UTF-8"?><sitemapindex '
            f'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>')


def build_news_site(site: Site, per_month: int = 3) -> dict[str, Article]:
    """January and March 2024 news sitemaps under an index, listed in robots.txt.

    One March article sits under /private/, which robots.txt disallows.
    """
    pages: dict[str, Article] = {}
    months: list[tuple[str, str]] = []
    for month, start in (("2024-01", date(2024, 1, 10)), ("2024-03", date(2024, 3, 10))):
        listed = []
        for i in range(per_month):
            number = len(pages) + 1
            article = make_article(number, on=start + timedelta(days=i))
            folder = "private" if month == "2024-03" and i == per_month - 1 else "news"
            path = f"/{folder}/{month}/story-{number}.html"
            site.put(path, article_html(article, site.url(path), size=20_000))
            pages[path] = article
            listed.append((path, article))
        site.put(f"/sitemap-{month}.xml", news_sitemap(site, listed), "application/xml")
        months.append((f"/sitemap-{month}.xml", f"{month}-28"))
    site.put("/sitemap-index.xml", sitemap_index(site, months), "application/xml")
    site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n\n"
             f"Sitemap: {site.url('/sitemap-index.xml')}\n", "text/plain")
    return pages


@pytest.fixture
def site() -> Iterator[Site]:
    with Site() as s:
        yield s


@pytest.fixture
def config(tmp_path: Path, db: Path) -> Path:
    return write_config(tmp_path / "monitor.toml", db)
