"""Bodies whose bytes and declarations disagree: one cut character, a false UTF-16.

The Hindi sentences are written for these tests. A CMS that cuts a summary by bytes
leaves one character short of a byte; a template that says `<meta charset="utf-16">`
over plain UTF-8 bytes. Neither may garble the rest of the document.
"""

from __future__ import annotations

import pytest

from monitor.fetch.charset import decode_body

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
