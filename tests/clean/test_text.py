"""Normalisation, fragments, the agreement combiner and saved-page line classes."""

from __future__ import annotations

import unicodedata

import pytest

from monitor.clean import html_fragment_to_text
from monitor.clean.combine import combine_paragraphs
from monitor.clean.normalize import normalize_text
from monitor.clean.textpage import classify, read_text_page

LONG = "This is a sentence of the article that is long enough to count as a real paragraph."
LONG2 = "Another sentence of the same article, also long enough to be a paragraph of prose."


def test_normalize_nfc_entities_and_whitespace() -> None:
    decomposed = unicodedata.normalize("NFD", "café")
    text = f"  {decomposed} &amp; co\u00a0\u00a0said   “yes” — twice.\r\n\r\n\n Next\tpara. "
    assert normalize_text(text) == "café & co said “yes” — twice.\n\nNext para."


def test_normalize_wrapped_lines_join_when_blank_lines_separate() -> None:
    assert normalize_text("one\ntwo\n\nthree") == "one two\n\nthree"
    assert normalize_text("one\ntwo") == "one\n\ntwo"  # no blank line: a line is a paragraph


def test_normalize_keeps_scripts_and_joiners() -> None:
    hindi = "क्षेत्र में शांति है।"
    urdu = "وادی میں امن ہے۔"
    zwnj = "می\u200cخواهم"
    assert normalize_text(f"{hindi}\n\n{urdu}\n\n{zwnj}") == f"{hindi}\n\n{urdu}\n\n{zwnj}"


def test_normalize_drops_controls_and_lone_surrogates() -> None:
    assert normalize_text("a\x00b\x07c \ud800 d\u200b") == "a b c ? d"


def test_fragment_to_text() -> None:
    html = (
        "<div><p>First &amp; <b>bold</b>.</p><script>alert(1)</script>"
        "<p>Second<br>line</p><ul><li>one</li><li>two</li></ul></div>"
    )
    assert html_fragment_to_text(html) == "First & bold.\n\nSecond line\n\none\n\ntwo"
    assert html_fragment_to_text("plain &lt;text&gt;") == "plain <text>"
    assert html_fragment_to_text("") == ""


def test_combine_drops_headline_and_unsupported_edges() -> None:
    base = ["The Headline", "Teaser for another story", LONG, "Short subhead", LONG + " Two.",
            "Comments"]
    other = f"{LONG} Short subhead is not here. {LONG} Two."
    kept = combine_paragraphs(base, other, ["The Headline"])
    assert kept == [LONG, "Short subhead", LONG + " Two."]


def test_combine_keeps_base_without_second_opinion() -> None:
    assert combine_paragraphs(["A", "|---|---|", LONG], None, ["A"]) == [LONG]
    assert combine_paragraphs(["A", LONG], "nothing in common at all", []) == ["A", LONG]


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("3/4/2024 11:17:13 PM", "crawl"),
        ("Phone: 0194-2455555", "contact"),
        ("desk@valley.example", "contact"),
        ("+91 194 250 1234", "contact"),
        ("Share this: Facebook | Twitter | WhatsApp", "share"),
        ("Facebook Twitter WhatsApp", "share"),
        ("Also Read: Snow closes the highway again", "related"),
        ("© 2024 Valley Herald. All rights reserved.", "copyright"),
        ("Posted on: 11/14/2020", "date"),
        ("Home", "menu"),
        ("News | Politics | Sports", "menu"),
        ("Boatmen wait for tourists as winter sets in early", "short"),
        (LONG, "prose"),
        ("The budget for 2019-2020 was passed on Friday after a long debate.", "prose"),
    ],
)
def test_classify(line: str, kind: str) -> None:
    assert classify(line) == kind


def test_plain_article_loses_nothing() -> None:
    text = f"Headline here\n\n{LONG}\n\nShort subhead\n\n{LONG2}\n\nHome"
    page = read_text_page(text)
    assert not page.saved_page
    assert page.title == "Headline here"
    assert page.paragraphs == (LONG, "Short subhead", LONG2, "Home")


def test_saved_page_one_line_per_paragraph() -> None:
    text = "\n".join(["Home", "News", "Sports", "A headline for the story", LONG, LONG2,
                      "Related Posts", "Other story headline here", "1/2/2024 10:00:00 AM"])
    page = read_text_page(text)
    assert page.saved_page
    assert page.title == "A headline for the story"
    assert page.paragraphs == (LONG, LONG2)
