"""Language detection: English, Hindi and Urdu must be right, short texts too."""

from __future__ import annotations

import pytest

from monitor.clean import detect_language
from monitor.clean.language import (
    MODEL_CHARS,
    _model,
    _plainly_english,
    choose_language,
    language_from_tag,
)

ENGLISH = (
    "The district administration opened four relief camps on Monday for families whose "
    "homes were damaged by the early snowfall, officials said."
)
HINDI = (
    "श्रीनगर में सोमवार को इस मौसम की पहली बर्फबारी हुई, जिससे शहर की कई सड़कों पर "
    "यातायात धीमा हो गया।"
)
URDU = (
    "سری نگر میں پیر کے روز اس موسم کی پہلی برف باری ہوئی جس سے شہر کی کئی سڑکوں پر "
    "ٹریفک سست ہو گئی۔"
)
ARABIC = "ذكرت وكالة الأنباء أن الحكومة وافقت على الخطة الجديدة لإعادة بناء المدارس في المنطقة."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (ENGLISH, "en"),
        ("Snow closes Mughal Road", "en"),
        ("Article 370 verdict: what changes now", "en"),
        (HINDI, "hi"),
        ("श्रीनगर में पहली बर्फबारी", "hi"),
        ("कश्मीर", "hi"),
        (URDU, "ur"),
        ("سری نگر میں پہلی برف باری", "ur"),
        ("کشمیر کی خبریں", "ur"),
        (ARABIC, "ar"),
        # A Hindi article that quotes English stays Hindi: the script decides.
        (HINDI + " He said: 'We will reopen the road tomorrow.' " + HINDI, "hi"),
    ],
)
def test_detect_language(text: str, expected: str) -> None:
    assert detect_language(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "12345 678", "!!!", None])
def test_too_little_to_tell(text: str | None) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("tag", "expected"),
    [("en-IN", "en"), ("ur_PK", "ur"), ("HI", "hi"), ("", None), ("english", None), (None, None)],
)
def test_language_from_tag(tag: str | None, expected: str | None) -> None:
    assert language_from_tag(tag) == expected


@pytest.mark.parametrize(
    ("declared", "text", "expected"),
    [
        ("en-IN", ENGLISH, "en"),
        ("en", HINDI, "hi"),  # an English site template around a Hindi article
        ("hi", ENGLISH, "en"),  # a Hindi outlet's English story
        ("ur", URDU, "ur"),
        ("ur", ARABIC, "ur"),  # same script: the page's word stands
        ("fr", ENGLISH, "fr"),  # same script: the page's word stands
        (None, URDU, "ur"),
        ("xx-bogus-tag", HINDI, "hi"),
    ],
)
def test_choose_language(declared: str | None, text: str, expected: str) -> None:
    assert choose_language(declared, text) == expected


# Written for these tests: news-like openings in the other Latin-script languages
# the model knows, and English mixed with romanised Hindi.
LATIN_NOT_ENGLISH = {
    "fr": "Le gouvernement a annoncé mardi de nouvelles mesures pour les régions touchées "
    "par les inondations. Selon le ministre, les familles qui ont perdu leur maison "
    "recevront une aide dans les prochains jours, et les écoles rouvriront la semaine "
    "prochaine si la météo le permet.",
    "de": "Die Regierung hat am Dienstag neue Maßnahmen für die vom Hochwasser betroffenen "
    "Regionen angekündigt. Nach Angaben des Ministers sollen Familien, die ihr Haus "
    "verloren haben, in den kommenden Tagen Hilfe erhalten, und die Schulen werden "
    "nächste Woche wieder geöffnet.",
    "es": "El gobierno anunció el martes nuevas medidas para las regiones afectadas por las "
    "inundaciones. Según el ministro, las familias que perdieron su casa recibirán "
    "ayuda en los próximos días y las escuelas volverán a abrir la próxima semana.",
    "pt": "O governo anunciou na terça-feira novas medidas para as regiões afetadas pelas "
    "enchentes. Segundo o ministro, as famílias que perderam suas casas vão receber "
    "ajuda nos próximos dias, e as escolas serão reabertas na semana que vem.",
    "id": "Pemerintah mengumumkan langkah baru pada hari Selasa untuk wilayah yang terkena "
    "banjir. Menurut menteri, keluarga yang kehilangan rumah akan menerima bantuan "
    "dalam beberapa hari ke depan dan sekolah akan dibuka kembali minggu depan.",
    "nl": "De regering heeft dinsdag nieuwe maatregelen aangekondigd voor de door de "
    "overstromingen getroffen regio's. Volgens de minister krijgen gezinnen die hun huis "
    "zijn kwijtgeraakt de komende dagen hulp, en gaan de scholen volgende week weer open.",
}
HINGLISH = (
    "Sarkar ne kaha hai ki the new bridge will open next week, lekin log abhi bhi "
    "pareshan hain kyunki the road from the village has been closed for a month and "
    "there is no other way to reach the market, unhone kaha."
)


@pytest.mark.parametrize("name", sorted(LATIN_NOT_ENGLISH))
def test_other_latin_languages_are_left_to_the_model(name: str) -> None:
    text = LATIN_NOT_ENGLISH[name]
    assert not _plainly_english(text)
    assert detect_language(text) == name


def test_english_mixed_with_romanised_hindi_is_left_to_the_model() -> None:
    assert not _plainly_english(HINGLISH)
    assert detect_language(HINGLISH) == _model().classify(HINGLISH)[0]


def test_plainly_english_agrees_with_the_model() -> None:
    texts = [ENGLISH * 3, (ENGLISH + " ") * 12, "He said that the road, which was built "
             "after the floods, would be closed when the snow came and that they had no "
             "other way into the valley."]
    for text in texts:
        assert _plainly_english(text)
        assert detect_language(text) == "en" == _model().classify(text[:MODEL_CHARS])[0]


def test_a_short_opening_decides_only_when_the_model_is_sure() -> None:
    """A long Latin-script text is read on only when its opening is not settled:
    every answer equals the model's on the first MODEL_CHARS."""
    opening_en_rest_fr = ENGLISH + " " + LATIN_NOT_ENGLISH["fr"] * 6
    for text in [*LATIN_NOT_ENGLISH.values(), opening_en_rest_fr]:
        long_text = (text + " ") * 8
        assert detect_language(long_text) == _model().classify(long_text[:MODEL_CHARS])[0]
