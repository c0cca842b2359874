"""Language detection: English, Hindi and Urdu must be right, short texts too."""

from __future__ import annotations

import pytest

from monitor.clean import detect_language
from monitor.clean.language import choose_language, language_from_tag

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
