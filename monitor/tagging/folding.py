"""Fold text for matching while keeping a way back to the original offsets.

The matcher looks for aliases in a *folded* copy of the text: lower case, line
breaks, no-break spaces, hyphens and dashes as plain spaces ("Jammu-Kashmir" is
"Jammu Kashmir", "Line-of-Control" is "Line of Control"), typographic apostrophes
as ASCII ones, Urdu and Arabic letter variants unified (ی/ي/ى, ک/ك, ہ/ه, آ/ا, ...),
Devanagari nukta and candra forms reduced to their base letters, and Arabic-Indic
and Devanagari digits made ASCII.

Every one of those maps one character to one character, so offsets in the folded
text are offsets in the original. The exception is marks that must disappear
(Arabic harakat, tatweel, the Devanagari nukta sign, soft hyphens): when a text
contains any, `fold` removes them and keeps an index back to the original. Speed
matters here (this runs on every article): English text costs one `lower()` and a
few `str.replace` calls; only non-ASCII text pays for the variant table.

Word characters (`is_word`) are letters, digits, the underscore and the combining
marks of the scripts we read (Devanagari vowel signs are not `isalnum()`), so "कश्मीर"
is not a whole word inside "कश्मीरी".
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from dataclasses import dataclass

__all__ = ["MARKS", "Folded", "fold", "fold_alias", "is_word"]

# Marks dropped from the text before matching (length-changing, hence the index).
# Arabic harakat and superscript alef, tatweel, Devanagari nukta, soft hyphen,
# zero-width space, LRM/RLM/ALM and the BOM. Also the zero-width joiner anywhere and
# the non-joiner after a Devanagari letter: Hindi outlets write "कश्\u200dमीर" and
# "जम्\u200dमू" to pick a conjunct's shape, and the name is the same word. (A non-joiner
# in Urdu is a word break without a space: `_VARIANTS` makes it a space.)
_MARK_CLASS = "[\u064b-\u065f\u0670\u0640\u093c\u00ad\u200b\u200d\u200e\u200f\u061c\ufeff]"
_REMOVABLE = re.compile(_MARK_CLASS)
# Only for a text that holds a non-joiner at all: an alternative with a look-behind
# costs the regex engine its first-character scan (~130 us a 600-word article).
_REMOVABLE_ZWNJ = re.compile(_MARK_CLASS + "|\u200c(?<=[\u0900-\u097f]\u200c)")

# One character to one character.
_VARIANTS = {
    # Urdu / Arabic letter variants
    "\u064a": "\u06cc",  # ARABIC YEH -> FARSI YEH (Urdu choti ye)
    "\u0649": "\u06cc",  # ALEF MAKSURA -> FARSI YEH
    "\u0626": "\u06cc",  # YEH WITH HAMZA ABOVE -> FARSI YEH
    "\u0643": "\u06a9",  # ARABIC KAF -> KEHEH
    "\u0647": "\u06c1",  # ARABIC HEH -> HEH GOAL
    "\u06d5": "\u06c1",  # AE -> HEH GOAL
    "\u06c0": "\u06c1",  # HEH WITH YEH ABOVE -> HEH GOAL
    "\u0629": "\u06c1",  # TEH MARBUTA -> HEH GOAL
    "\u06c3": "\u06c1",  # TEH MARBUTA GOAL -> HEH GOAL
    "\u0622": "\u0627",  # ALEF WITH MADDA -> ALEF (madda may also come as a mark)
    "\u0623": "\u0627",  # ALEF WITH HAMZA ABOVE -> ALEF
    "\u0625": "\u0627",  # ALEF WITH HAMZA BELOW -> ALEF
    "\u0671": "\u0627",  # ALEF WASLA -> ALEF
    "\u0624": "\u0648",  # WAW WITH HAMZA -> WAW
    # Devanagari: precomposed nukta letters -> base letters; candra forms
    "\u0958": "\u0915",
    "\u0959": "\u0916",
    "\u095a": "\u0917",
    "\u095b": "\u091c",
    "\u095c": "\u0921",
    "\u095d": "\u0922",
    "\u095e": "\u092b",
    "\u095f": "\u092f",
    "\u0929": "\u0928",
    "\u0931": "\u0930",
    "\u0934": "\u0933",
    "\u0949": "\u093e",  # VOWEL SIGN CANDRA O -> AA (कॉन्फ्रेंस / कान्फ्रेंस)
    "\u0911": "\u0906",  # CANDRA O -> AA
    "\u0901": "\u0902",  # CANDRABINDU -> ANUSVARA
    # typography
    "\u2018": "'",
    "\u2019": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u00a0": " ",
    "\u2007": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u200c": " ",  # ZERO WIDTH NON-JOINER left after `_REMOVABLE`: a word break
}
for _zero in (0x0660, 0x06F0, 0x0966):  # Arabic-Indic, Extended Arabic-Indic, Devanagari
    for _d in range(10):
        _VARIANTS[chr(_zero + _d)] = str(_d)
# Compatibility forms, one character to one: Arabic presentation forms (Urdu text
# from PDFs and old CMSs: "ﻛﺸﻤﻴﺮ") and full-width Latin ("Ｋａｓｈｍｉｒ"), as NFKC reads
# them and then as the variants above (presentation kaf -> kaf -> keheh). Ligatures
# that NFKC spells with several letters stay as they are (the index is per character).
for _cp in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFEFD), *range(0xFF01, 0xFF5F)):
    _base = unicodedata.normalize("NFKC", chr(_cp))
    if len(_base) == 1 and _base != chr(_cp):
        _VARIANTS[chr(_cp)] = _VARIANTS.get(_base, _base)
_VARIANT_RE = re.compile("[" + "".join(_VARIANTS) + "]")
_SPACES = ("\n", "\t", "\r", "\f", "\v")

# Combining marks of the scripts we read, plus joiners and the underscore.
MARKS = frozenset(
    "_\u200c\u200d"
    + "".join(
        chr(c)
        for c in (*range(0x0300, 0x0370), *range(0x0900, 0x0980), *range(0x0610, 0x0700))
        if unicodedata.category(chr(c)).startswith("M")
    )
)


def is_word(ch: str) -> bool:
    """Can `ch` be part of a word (so a match next to it is not on a boundary)?"""
    return ch.isalnum() or ch in MARKS


@dataclass(frozen=True)
class Folded:
    """A folded text: `cased` keeps letter case and hyphens (for case rules), `folded`
    is lower case with hyphens as spaces (for matching).

    `index[i]` is the offset in the original of folded character i (None when the
    two are the same length and aligned).
    """

    original: str
    cased: str
    folded: str
    index: tuple[int, ...] | None = None

    def to_original(self, i: int) -> int:
        """Offset in the original text of folded offset `i` (also valid for ends)."""
        if self.index is None:
            return i
        if i >= len(self.index):
            return len(self.original)
        return self.index[i]

    def to_folded(self, i: int) -> int:
        """Folded offset of original offset `i` (the next kept character)."""
        if self.index is None:
            return i
        return bisect_left(self.index, i)


def _lower(cased: str) -> str:
    """Lower-case without changing the length (a few letters lower to two)."""
    low = cased.lower()
    if len(low) == len(cased):
        return low
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in cased)


def _remove_marks(text: str, marks: re.Pattern[str]) -> tuple[str, tuple[int, ...]]:
    """Drop removable marks; return the text and, per kept char, its original offset."""
    keep: list[int] = []
    last = 0
    for m in marks.finditer(text):
        keep.extend(range(last, m.start()))
        last = m.end()
    keep.extend(range(last, len(text)))
    return marks.sub("", text), tuple(keep)


def fold(text: str) -> Folded:
    """Fold `text` for matching (see the module docstring)."""
    index: tuple[int, ...] | None = None
    cased = text
    if not text.isascii():
        marks = _REMOVABLE_ZWNJ if "\u200c" in text else _REMOVABLE
        if marks.search(text):
            cased, index = _remove_marks(text, marks)
        cased = _VARIANT_RE.sub(lambda m: _VARIANTS[m.group()], cased)
    for ch in _SPACES:
        if ch in cased:
            cased = cased.replace(ch, " ")
    folded = _lower(cased)
    if "-" in folded:  # only in the matching copy: an `exact` alias still sees "J-K"
        folded = folded.replace("-", " ")
    return Folded(text, cased, folded, index)


def fold_alias(alias: str) -> str:
    """The folded form of an alias or rule phrase, trimmed."""
    return fold(alias).folded.strip()
