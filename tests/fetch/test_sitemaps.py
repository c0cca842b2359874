"""parse_sitemap: a sitemap cut short is reported, and its cut-off entry left out."""

from __future__ import annotations

from monitor.fetch.sitemaps import parse_sitemap

ENTRIES = "".join(f"<url><loc>https://ledger.example/story-{i}.html</loc></url>\n"
                  for i in range(4))
WHOLE = ('<?xml version="1.0" encoding="UTF-8"?>'
         f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{ENTRIES}</urlset>\n'
         "<!-- written by the site's CMS -->\n").encode()


def test_a_whole_sitemap_has_no_problem_even_with_errors_lxml_mends() -> None:
    doc = parse_sitemap(WHOLE, "https://ledger.example/sm.xml")
    assert len(doc.urls) == 4 and doc.problem is None
    mended = WHOLE.replace(b"story-0.html", b"story.html?a=1&b=2")  # an unescaped &
    doc = parse_sitemap(mended, "https://ledger.example/sm.xml")
    assert len(doc.urls) == 4 and doc.problem is None


def test_a_sitemap_cut_mid_url_keeps_only_whole_entries() -> None:
    cut = WHOLE[: WHOLE.index(b"story-2.html") + len(b"story-2.h")]
    doc = parse_sitemap(cut, "https://ledger.example/sm.xml")
    assert [u.loc[-12:] for u in doc.urls] == ["story-0.html", "story-1.html"]
    assert doc.problem is not None and "damaged sitemap" in doc.problem
    closed = WHOLE[: WHOLE.index(b"</url>") + len(b"</url>")]  # cut right after an entry
    doc = parse_sitemap(closed, "https://ledger.example/sm.xml")
    assert [u.loc[-12:] for u in doc.urls] == ["story-0.html"] and doc.problem
