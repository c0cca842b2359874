"""Matching: offsets, scripts, folding, word boundaries and longest match."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.models import Tagging
from monitor.tagging import Taxonomy, tag_article
from monitor.tagging.folding import fold


def slices_back(title: str | None, text: str, tagging: Tagging) -> bool:
    fields = {"title": title or "", "text": text}
    return all(fields[m.field][m.start : m.end] == m.surface for m in tagging.mentions)


def test_mention_fields_offsets_and_sentence(tag: Callable[..., Tagging]) -> None:
    title = "Snow shuts the Jammu-Srinagar highway"
    text = "Traffic was stopped on Monday. Officials in Ramban said J&K's roads were shut."
    result = tag(text, title)
    assert slices_back(title, text, result)
    by_surface = {(m.field, m.surface): m for m in result.mentions}
    assert by_surface[("title", "Jammu")].concept == "Jammu"
    assert by_surface[("title", "Srinagar")].concept == "Srinagar"
    ramban = by_surface[("text", "Ramban")]
    assert ramban.sentence == "Officials in Ramban said J&K's roads were shut."
    assert by_surface[("text", "J&K")].concept == "Jammu and Kashmir"
    assert result.concepts == tuple(sorted(result.concepts))
    assert result.related


def test_hindi(concepts: Callable[..., set[str]]) -> None:
    text = "जम्मू-कश्मीर में अनुच्छेद 370 हटने के बाद श्रीनगर और लद्दाख में चुनाव हुए।"
    assert concepts(text) == {"Jammu and Kashmir", "Article 370", "Srinagar", "Ladakh"}


def test_urdu(concepts: Callable[..., set[str]]) -> None:
    text = "آزاد کشمیر کے ضلع کوٹلی میں کنٹرول لائن کے قریب بنکر بنائے گئے۔"
    assert concepts(text) == {"Pakistan-administered Kashmir", "Kotli", "Line of Control"}


def test_english_case_rules(concepts: Callable[..., set[str]]) -> None:
    assert concepts("KASHMIR: heavy snow in the hills") == {"Kashmir"}
    assert concepts("the word kashmir in lower case is not a name") == set()
    assert concepts("Hurriyat leaders met; PoK was discussed") == {
        "Hurriyat Conference",
        "Pakistan-administered Kashmir",
    }
    # exact-case acronyms: "Pok" is not PoK
    assert concepts("a walk through Pok Fu Lam village") == set()


def test_urdu_letter_variants_are_folded(concepts: Callable[..., set[str]]) -> None:
    # Arabic yeh and kaf instead of the Urdu letters, Arabic heh instead of heh goal
    assert concepts("كشمير میں برف باری") == {"Kashmir"}
    assert concepts("ہنزه میں سیاح") == {"Hunza"}


def test_arabic_marks_are_ignored_and_offsets_kept(tag: Callable[..., Tagging]) -> None:
    text = "خبر: مُظَفَّرآباد میں بارش"  # with harakat
    result = tag(text)
    assert [m.concept for m in result.mentions] == ["Muzaffarabad"]
    assert slices_back(None, text, result)
    assert result.mentions[0].surface == "مُظَفَّرآباد"


def test_devanagari_nukta_forms_match(concepts: Callable[..., set[str]]) -> None:
    precomposed = "\u092e\u0941\u095b\u092b\u094d\u095e\u0930\u093e\u092c\u093e\u0926"
    decomposed = "मुज\u093cफ\u093c्फ\u093cराबाद"
    plain = "मुजफ्फराबाद"
    for form in (precomposed, decomposed, plain):
        assert concepts(f"{form} में प्रदर्शन") == {"Muzaffarabad"}, form


def test_word_boundaries(concepts: Callable[..., set[str]]) -> None:
    assert concepts("J&K's budget") == {"Jammu and Kashmir"}
    assert concepts("(J & K) police") == {"Jammu and Kashmir"}
    assert concepts("Kashmira won the race") == set()
    assert concepts("a Jammu-based firm") == {"Jammu"}
    assert concepts("Lehman Brothers collapsed") == set()
    # Devanagari: कश्मीर inside कश्मीरी is not a separate match (both are Kashmir)
    assert concepts("कश्मीरी छात्र") == {"Kashmir"}
    assert concepts("नेकांक्षा") == set()  # an alias at the start of a longer word


def test_punctuation_before_a_word(tag: Callable[..., Tagging]) -> None:
    text = "\u201cSrinagar\u201d (Srinagar) /Srinagar #Srinagar 'Srinagar' SRINAGAR,Srinagar"
    assert [m.surface for m in tag(text).mentions] == ["Srinagar"] * 5 + ["SRINAGAR"] + ["Srinagar"]


def test_hyphen_space_and_dash_variants(concepts: Callable[..., set[str]]) -> None:
    for form in ("Gilgit-Baltistan", "Gilgit Baltistan", "Gilgit\u2013Baltistan"):
        assert concepts(f"Elections in {form} were held") == {"Gilgit-Baltistan"}, form
    assert concepts("Jammu\nand Kashmir police") == {"Jammu and Kashmir"}


def test_longest_match_wins(concepts: Callable[..., set[str]]) -> None:
    assert concepts("The Jammu and Kashmir National Conference met.") == {
        "Jammu and Kashmir National Conference"
    }
    assert concepts("Azad Jammu and Kashmir held polls.") == {"Pakistan-administered Kashmir"}
    assert concepts("the Jammu and Kashmir Reorganisation Act, 2019") == {
        "Jammu and Kashmir Reorganisation Act"
    }
    assert concepts("Kashmiri Pandit families returned") == {"Kashmiri Pandits"}
    # a name of the region that is not a concept is tagged with the region
    assert concepts("J&K Bank opened a branch; the University of Kashmir too.") == {
        "Jammu and Kashmir",
        "Kashmir",
    }
    assert concepts("the High Court of Jammu and Kashmir and Ladakh") == {
        "Jammu and Kashmir",
        "Ladakh",
    }


def test_empty_and_missing_title(shipped: Taxonomy) -> None:
    assert tag_article(None, "", shipped) == Tagging()
    assert tag_article("  ", "nothing here", shipped).related is False


def test_fold_keeps_length_for_plain_text() -> None:
    text = "Jammu \u2013 Kashmir\u2019s \u00a0roads\nİstanbul"
    folded = fold(text)
    assert len(folded.folded) == len(text)
    assert folded.index is None


WORDS = ["the", "said", "Srinagar", "J&K", "Kashmir", "कश्मीर", "آزاد کشمیر", "Article 370",
         "Kashmir Singh", "(", ")", "\u201c", "\u201d", ",", ".", "\n", "मुज़फ़्फ़राबाद",
         "مُظَفَّرآباد", "LoC", "İ", "Omar Abdullah", "Omar", "the Valley"]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(
    title=st.lists(st.sampled_from(WORDS), max_size=8).map(" ".join),
    body=st.lists(st.sampled_from(WORDS), max_size=60).map(" ".join),
)
def test_offsets_always_slice_back(shipped: Taxonomy, title: str, body: str) -> None:
    result = tag_article(title, body, shipped)
    assert slices_back(title, body, result)
    for m in result.mentions:
        assert m.surface.strip() == m.surface and m.surface
        assert m.surface in m.sentence or m.field == "title"
    assert 0.0 <= result.relevance <= 1.0
    assert result.related == bool(result.concepts)


NOISE = st.text(
    alphabet=st.sampled_from(
        list(
            "abc KJ&-'.,\n\u0130\u00df\u2019\u201c\u0640\u064e\u093c\u00ad\u200b"
            "\u0915\u0936\u092e\u0940\u06a9\u0643\u06cc\u064a"
        )
    ),
    max_size=30,
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(NOISE, st.sampled_from(WORDS)), max_size=20).map("".join))
def test_offsets_slice_back_in_any_text(shipped: Taxonomy, text: str) -> None:
    result = tag_article(None, text, shipped)
    assert slices_back(None, text, result)


def test_zero_width_joiners_inside_names(tag: Callable[..., Tagging]) -> None:
    # Hindi outlets write conjuncts with a ZWJ/ZWNJ ("कश्‍मीर"): the same name. An
    # Urdu non-joiner ends a word like a space.
    text = "जम्\u200dमू-कश्\u200dमीर में बर्फबारी। कश्\u200cमीरी छात्र लौटे। مقبوضہ کشمیر\u200cمیں کرفیو"
    result = tag(text)
    assert [m.concept for m in result.mentions] == [
        "Jammu and Kashmir", "Kashmir", "Jammu and Kashmir"
    ]
    assert [m.surface for m in result.mentions] == [
        "जम्\u200dमू-कश्\u200dमीर", "कश्\u200cमीरी", "مقبوضہ کشمیر"
    ]
    assert slices_back(None, text, result)


def test_compatibility_forms_are_read_as_their_letters(tag: Callable[..., Tagging]) -> None:
    # Urdu in Arabic presentation forms (text taken from a PDF) and full-width Latin.
    text = "ﻣﻘﺒﻮﺿﮧ ﻛﺸﻤﻴﺮ ﻣﯿﮟ ﮐﺮﻓﯿﻮ۔ Markets in Ｋａｓｈｍｉｒ stayed shut."
    result = tag(text)
    assert [m.concept for m in result.mentions] == ["Jammu and Kashmir", "Kashmir"]
    assert [m.surface for m in result.mentions] == ["ﻣﻘﺒﻮﺿﮧ ﻛﺸﻤﻴﺮ", "Ｋａｓｈｍｉｒ"]
    assert slices_back(None, text, result)

