"""Fold text for matching while keeping a way back to the original offsets.

The matcher looks for aliases in a *folded* copy of the text: lower case, Urdu and
Arabic letter variants unified (ی/ي/ى, ک/ك, ہ/ه, آ/ا, ...), Devanagari nukta and
candra forms reduced to their base letters, Arabic-Indic and Devanagari digits made
ASCII, and every character that cannot be part of a word (punctuation, hyphens,
quotes, newlines) turned into a space. After that, a word boundary is simply a
space, so one Aho-Corasick automaton keyed on `" alias "` only ever reports matches
on word boundaries, in any script.

Almost every step maps one character to one character, so offsets in the folded
text are offsets in the original. The exception is combining marks that must
disappear (Arabic harakat, tatweel, the Devanagari nukta sign, soft hyphens):
when a text contains any, `fold` removes them and keeps an index back to the
original. English text (`str.isascii()`) never pays for any of this.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

__all__ = ["Folded", "fold", "fold_alias", "fold_phrase"]

# Marks dropped from the text before matching (length-changing, hence the index).
# Arabic harakat and superscript alef, tatweel, Devanagari nukta, soft hyphen,
# zero-width space, LRM/RLM/ALM and the BOM.
_REMOVABLE = re.compile("[\u064b-\u065f\u0670\u0640\u093c\u00ad\u200b\u200e\u200f\u061c\ufeff]")

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
    # typographic apostrophes become plain ones (they are then spaces anyway)
    "\u2019": "'",
}
for _zero, _block in ((0x0660, "arabic-indic"), (0x06F0, "extended"), (0x0966, "devanagari")):
    for _d in range(10):
        _VARIANTS[chr(_zero + _d)] = str(_d)
_VARIANT_RE = re.compile("[" + "".join(re.escape(c) for c in _VARIANTS) + "]")

# Characters kept as they are: word characters, "&" (J&K) and the space. Danda,
# Urdu full stop and comma and the like fall outside the listed ranges on purpose.
_NOT_WORD = re.compile(
    "[^\\w& \u0300-\u036f\u0900-\u0963\u0966-\u097f"
    "\u0610-\u061a\u0620-\u0669\u066e-\u06d3\u06d5-\u06ff\u200c\u200d]"
)


@dataclass(frozen=True)
class Folded:
    """A folded text: `cased` keeps letter case (for case rules), `folded` is lower.

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


def fold(text: str) -> Folded:
    """Fold `text` for matching (see the module docstring)."""
    index: tuple[int, ...] | None = None
    cased = text
    if not text.isascii():
        if _REMOVABLE.search(text):
            keep = [i for i, c in enumerate(text) if not _REMOVABLE.match(c)]
            index = tuple(keep)
            cased = "".join(text[i] for i in keep)
        cased = _VARIANT_RE.sub(lambda m: _VARIANTS[m.group()], cased)
    cased = _NOT_WORD.sub(" ", cased)
    return Folded(text, cased, _lower(cased), index)


def fold_alias(alias: str) -> str:
    """The automaton key of an alias, without its padding spaces.

    Inner spaces are kept as folded, not collapsed, because the text is not
    collapsed either: "Art. 370" folds to "art  370" on both sides, while "Art 370"
    is a separate alias (as the desk's concept list has it).
    """
    return fold(alias).folded.strip(" ")


def fold_phrase(phrase: str) -> str:
    """Fold a rule word or phrase: folded and single-spaced, like rule windows."""
    return " ".join(fold(phrase).folded.split())
