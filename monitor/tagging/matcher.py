"""Find every alias of the taxonomy in a text with one Aho-Corasick automaton.

The automaton runs over the folded text (`folding.fold`: lower case, script variants
unified). Word boundaries are half built into it: every alias is entered once per
character that may precede a word (a space, "(", a quote, a slash...), and the text
is given a leading space, so a match can never start inside a word ("nc" in "since",
"uri" in "during" are never even reported). The right-hand boundary is one check per
match: the next character must not be a word character (`folding.is_word`, which
knows Devanagari vowel signs), so "Kashmir" does not match in "Kashmira" and "कश्मीर"
not inside "कश्मीरी", while "J&K's" and "Jammu-based" match. One pass over the text
costs the same for 100 aliases or 10,000. (Hyphens and dashes are spaces by then,
so "Gilgit-Baltistan" also matches "Gilgit Baltistan" and "Gilgit–Baltistan".)

Case is checked after the match, on the case-kept fold: an alias in `proper` case
needs each of its capital letters to be a capital in the text ("Kashmir" and
"KASHMIR" match, "kashmir" does not; "Kashmir valley" matches "Kashmir Valley");
an `exact` alias must match letter for letter ("PoK" but not "Pok" or "POK",
"Uri" but not "URI").

Overlaps: the longest match wins and shorter ones inside it are dropped, so the
Jammu and Kashmir National Conference is only the party. A *block* phrase (a
look-alike such as "Kashmir Point") takes part in this like an alias and then
produces no mention, which is how it hides the shorter alias inside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import ahocorasick

from monitor.tagging.folding import MARKS, Folded, is_word

__all__ = ["AliasEntry", "Hit", "Matcher"]

BLOCK = -1  # form index of a block phrase

# Characters after which a word may start (besides the start of the text). Each
# alias is entered once per character here, so the list is kept to what really
# precedes words in news text: every key costs memory in every worker (about 5 kB
# per alias). Hyphens, dashes and line breaks are spaces by now (folding).
_BEFORE_WORD = tuple(" (['\"/#@,.:;!?\u201c\u00ab\u201e")


@dataclass(frozen=True)
class AliasEntry:
    """One alias: which form it belongs to (or BLOCK) and how its case is checked."""

    form: int
    cased: str  # the alias folded with case kept, no padding
    capitals: tuple[int, ...]  # offsets that must be capitals (proper case)
    exact: bool = False
    concept: str = ""  # for explanations: whose alias or block phrase this is
    alias: str = ""  # ... and as written in the taxonomy

    def accepts(self, surface_cased: str) -> bool:
        """Does the text's case-kept surface satisfy this alias's case rule?"""
        if surface_cased == self.cased:
            return True
        if self.exact:
            return False
        return all(surface_cased[i].isupper() for i in self.capitals)


class Hit(NamedTuple):
    """A match in folded offsets: [start, end) and the alias entry that accepted it."""

    start: int
    end: int
    entry: AliasEntry


class Matcher:
    """All aliases and block phrases of a taxonomy in one automaton."""

    def __init__(self, entries: dict[str, list[AliasEntry]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for key, group in entries.items():
            value = (len(key), tuple(group), is_word(key[-1]))
            if not is_word(key[0]):
                self._automaton.add_word(key, value)
                continue
            for before in _BEFORE_WORD:
                self._automaton.add_word(before + key, value)
        self._automaton.make_automaton()

    def find(self, text: Folded) -> list[Hit]:
        """Matches in `text`, overlaps resolved longest-first, in text order."""
        folded = text.folded
        if not folded:
            return []
        hits = []
        cased = text.cased
        size = len(folded)
        # the leading space shifts offsets by one: `last` is the folded end offset
        for last, (length, group, right) in self._automaton.iter(" " + folded):
            if right and last < size:
                after = folded[last]
                if after.isalnum() or after in MARKS:  # is_word, inlined: hot loop
                    continue
            start = last - length
            surface = cased[start:last]
            for entry in group:
                if surface == entry.cased or entry.accepts(surface):
                    hits.append(Hit(start, last, entry))
                    break
        return _longest_first(hits)


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Resolve overlaps: of two overlapping hits the longer wins (the earlier on a tie).

    One sweep in start order: a hit that overlaps the last kept one replaces it if
    it is longer. (The kept hits before that one end before it starts, so they
    cannot overlap the newcomer.)
    """
    if len(hits) < 2:
        return hits
    hits.sort(key=lambda h: (h.start, h.start - h.end))
    chosen = [hits[0]]
    for hit in hits[1:]:
        last = chosen[-1]
        if hit.start >= last.end:
            chosen.append(hit)
        elif hit.end - hit.start > last.end - last.start:
            chosen[-1] = hit
    return chosen
