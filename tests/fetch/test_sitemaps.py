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


def test_junk_after_a_whole_sitemap_loses_nothing() -> None:
    # A CDN's injected tag or a stray NUL after </urlset>: the sitemap is whole.
    for tail in (b"\n<script>track()</script>", b"\x00"):
        doc = parse_sitemap(WHOLE + tail, "https://ledger.example/sm.xml")
        assert len(doc.urls) == 4 and doc.problem is None, tail


def test_a_hostile_tail_of_comments_is_read_at_once() -> None:
    """The end check was a regex that backtracked 2^n ways over n comments: 24 of them
    took 3 s, 40 would take days. A deadline against a hang, not a speed measure."""
    import threading

    body = WHOLE + b"<!---->" * 40 + b"x"
    done: list[object] = []
    reader = threading.Thread(
        target=lambda: done.append(parse_sitemap(body, "https://ledger.example/sm.xml")),
        daemon=True)
    reader.start()
    reader.join(30)
    assert done, "parse_sitemap did not finish"


AMPS = ('<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + "".join(f"<url><loc>https://ledger.example/a?id={i}&b=1</loc></url>" for i in range(3))
        + "</urlset>").encode()


def test_unescaped_ampersands_keep_their_urls_whole() -> None:
    doc = parse_sitemap(AMPS, "https://ledger.example/sm.xml")
    assert [u.loc for u in doc.urls] == [f"https://ledger.example/a?id={i}&b=1" for i in range(3)]
    assert doc.problem is None


def test_a_cut_is_seen_past_earlier_errors_and_namespace_prefixes() -> None:
    # libxml2 stops saying "ended inside an element" once an earlier error is logged.
    cut = AMPS[: AMPS.rindex(b"id=2") + 2]
    doc = parse_sitemap(cut, "https://ledger.example/sm.xml")
    assert [u.loc[-6:] for u in doc.urls] == ["id=0&b=1"[-6:], "id=1&b=1"[-6:]]
    assert doc.problem is not None
    # A prefixed root cut right after a whole entry keeps that entry.
    prefixed = (b'<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">'
                b"<sm:url><sm:loc>https://ledger.example/one</sm:loc></sm:url>"
                b"<sm:url><sm:loc>https://ledger.example/two</sm:loc></sm:url>")
    doc = parse_sitemap(prefixed, "https://ledger.example/sm.xml")
    assert [u.loc for u in doc.urls] == ["https://ledger.example/one", "https://ledger.example/two"]
    assert doc.problem is not None
    # Cut inside a comment after the root: damaged, every entry whole.
    doc = parse_sitemap(WHOLE[: WHOLE.rindex(b"CMS")], "https://ledger.example/sm.xml")
    assert len(doc.urls) == 4 and doc.problem is not None
