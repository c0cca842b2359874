"""Bodies whose bytes and declarations disagree: one cut character, a false UTF-16.

The Hindi sentences are written for these tests. A CMS that cuts a summary by bytes
leaves one character short of a byte; a template that says `<meta charset="utf-16">`
over plain UTF-8 bytes. Neither may garble the rest of the document.
"""

from __future__ import annotations

import pytest

from monitor.fetch.charset import decode_body

from .feeds import article_page

SRINAGAR = "श्रीनगर में भारी बर्फबारी के बाद जम्मू-श्रीनगर राष्ट्रीय राजमार्ग बंद कर दिया गया।"
SCHOOLS = "कश्मीर घाटी में सर्दियों की छुट्टियों के बाद स्कूल फिर से खुल गए और बच्चे लौट आए।"


def _cut(text: str) -> bytes:
    """UTF-8 of `text` with the last byte of its tenth character missing."""
    raw = text.encode()
    end = len(text[:10].encode())
    return raw[:end - 1] + raw[end:]


def _hindi_feed(cut: bool) -> bytes:
    second = _cut(SCHOOLS) if cut else SCHOOLS.encode()
    return (b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
            b"<title>Desk</title>"
            b"<item><guid>a</guid><title>Srinagar</title><description>"
            + SRINAGAR.encode() + b"</description></item>"
            b"<item><guid>b</guid><title>Schools</title><description>"
            + second + b"</description></item></channel></rss>")


def test_one_cut_character_in_utf8_is_replaced_not_the_whole_body():
    text, charset = decode_body(_cut(SCHOOLS), "text/plain; charset=utf-8")
    assert charset == "utf-8"
    assert text.count("\ufffd") == 1
    assert text.replace("\ufffd", "") == SCHOOLS[:9] + SCHOOLS[10:]


def test_mostly_utf8_behind_no_or_a_latin_declaration_is_still_utf8():
    body = _cut(SRINAGAR)
    for content_type in (None, "text/html; charset=iso-8859-1", "text/html; charset=nonsense"):
        text, charset = decode_body(body, content_type)
        assert (charset, text.count("\ufffd")) == ("utf-8", 1), content_type


@pytest.mark.parametrize("content_type", [None, "text/html; charset=iso-8859-1"])
def test_a_long_ascii_opening_does_not_make_a_cut_hindi_page_latin(content_type: str | None):
    # 80 KB of inline script before the text: the opening holds no non-ASCII at all.
    script = b"<script>var config = {" + b'"k": "value", ' * 6000 + b"};</script>"
    body = b"<html><head>" + script + b"</head><body><p>" + _cut(SRINAGAR) + b"</p></body>"
    text, charset = decode_body(body, content_type)
    assert (charset, text.count("\ufffd")) == ("utf-8", 1), content_type
    assert SRINAGAR[10:] in text


@pytest.mark.parametrize("content_type", ["text/html; charset=utf-8", None])
def test_legacy_8bit_text_stays_windows_1252(content_type: str | None):
    # many accented letters, none of them UTF-8: the fallback is still windows-1252
    body = "Déjà vu à Genève, café crème et thé glacé “soirée”".encode("windows-1252")
    assert decode_body(body, content_type) == (body.decode("windows-1252"), "windows-1252")


def test_a_hindi_feed_with_one_cut_character_is_stored_as_hindi(server, make_fetcher):
    server.serve("/hi.xml", body=_hindi_feed(cut=True),
                 content_type="application/rss+xml; charset=utf-8")
    fetcher = make_fetcher([{"name": "hi", "url": server.url("/hi.xml"), "full_text": False}])
    fetcher.run_cycle()
    records = {r["title"]: r for r in fetcher.app.store.export_records()}
    assert set(records) == {"Srinagar", "Schools"}
    assert SRINAGAR in records["Srinagar"]["text"]
    assert records["Schools"]["text"].count("\ufffd") == 1
    assert SCHOOLS[20:] in records["Schools"]["text"]
    assert all("à¤" not in r["text"] for r in records.values())
    assert {r["language"] for r in records.values()} == {"hi"}
    assert all(r["kashmir_related"] for r in records.values())


def _even(body: bytes) -> bytes:
    """The body with an even byte count: the count at which UTF-16 "decodes"."""
    return body if len(body) % 2 == 0 else body.replace(b"<html>", b"<html >", 1)


@pytest.mark.parametrize("declaration", ['<meta charset="utf-16">', "<meta charset='UTF-16LE'>",
                                         '<meta http-equiv="Content-Type" '
                                         'content="text/html; charset=utf-16be">'])
def test_utf16_declared_in_a_page_read_as_ascii_means_utf8(declaration: str):
    page = _even(f"<!doctype html><html><head>{declaration}<title>Dal Lake</title>"
                 f"</head><body><p>{SRINAGAR}</p></body></html>".encode())
    for body in (page, page + b" "):  # even and odd byte counts
        text, charset = decode_body(body, "text/html")
        assert (charset, text) == ("utf-8", body.decode()), declaration


def test_utf16_in_an_xml_prolog_without_a_bom_means_utf8():
    body = _hindi_feed(cut=False).replace(b'encoding="utf-8"', b'encoding="UTF-16"')
    for doc in (body, body + b"\n"):
        assert decode_body(doc, "application/rss+xml") == (doc.decode(), "utf-8")


def test_a_real_utf16_body_has_a_bom_and_is_still_utf16():
    page = f'<html><head><meta charset="utf-16"></head><body>{SCHOOLS}</body></html>'
    for codec in ("utf-16-le", "utf-16-be"):
        body = "\ufeff".encode(codec) + page.encode(codec)
        assert decode_body(body, "text/html") == (page, codec)


def test_a_page_declaring_utf16_over_utf8_bytes_is_stored(server, make_fetcher):
    path = "/news/2026/11/srinagar-highway-closed-after-snowfall"
    text = "\n\n".join([SRINAGAR, SCHOOLS] * 4)
    page = article_page("Srinagar", text).replace("charset='utf-8'", "charset='utf-16'")
    server.serve(path, body=_even(page.encode()), content_type="text/html")
    feed = (f'<?xml version="1.0" encoding="utf-16"?><rss version="2.0"><channel>'
            f"<title>Desk</title><item><guid>s</guid><link>{server.url(path)}</link>"
            f"<title>Srinagar</title></item></channel></rss>")
    body = feed.encode()
    server.serve("/utf16.xml", body=body + b"\n" * (len(body) % 2),
                 content_type="application/rss+xml")
    fetcher = make_fetcher([{"name": "u", "url": server.url("/utf16.xml")}])
    assert fetcher.run_cycle()[0].counts["new"] == 1
    (record,) = fetcher.app.store.export_records()
    assert SRINAGAR in record["text"] and SCHOOLS in record["text"]
    assert record["language"] == "hi"
