"""Find every alias of the taxonomy in a text with one Aho-Corasick automaton.

Keys are folded aliases padded with a space on each side, and the text is folded
the same way (`folding.fold`) and padded, so the automaton itself enforces word
boundaries in every script: "J&K" matches in "J&K's", "Kashmir" does not match in
"Kashmira", "कश्मीर" does not match inside "कश्मीरी". One pass over the text costs
the same for 100 aliases or 10,000.

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

import ahocorasick

from monitor.tagging.folding import Folded

__all__ = ["AliasEntry", "Hit", "Matcher"]

BLOCK = -1  # form index of a block phrase


@dataclass(frozen=True)
class AliasEntry:
    """One alias: which form it belongs to (or BLOCK) and how its case is checked."""

    form: int
    cased: str  # the alias folded with case kept, no padding
    capitals: tuple[int, ...]  # offsets that must be capitals (proper case)
    exact: bool = False

    def accepts(self, surface_cased: str) -> bool:
        """Does the text's case-kept surface satisfy this alias's case rule?"""
        if self.exact:
            return surface_cased == self.cased
        return all(surface_cased[i].isupper() for i in self.capitals)


@dataclass(frozen=True)
class Hit:
    """A match in folded offsets: [start, end) and the alias entry that accepted it."""

    start: int
    end: int
    entry: AliasEntry


class Matcher:
    """All aliases and block phrases of a taxonomy in one automaton."""

    def __init__(self, entries: dict[str, list[AliasEntry]]) -> None:
        self._automaton = ahocorasick.Automaton()
        for key, group in entries.items():
            padded = f" {key} "
            self._automaton.add_word(padded, (len(padded), tuple(group)))
        self._automaton.make_automaton()

    def find(self, text: Folded) -> list[Hit]:
        """Matches in `text`, overlaps resolved longest-first, in text order."""
        if not text.folded:
            return []
        hits = []
        cased = text.cased
        for last, (length, group) in self._automaton.iter(f" {text.folded} "):
            start, end = last - length + 1, last - 1
            surface = cased[start:end]
            for entry in group:
                if entry.accepts(surface):
                    hits.append(Hit(start, end, entry))
                    break
        return _longest_first(hits)


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Keep the longest of overlapping hits (the earlier one on a tie)."""
    if len(hits) < 2:
        return hits
    chosen: list[Hit] = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start)):
        if all(hit.end <= c.start or hit.start >= c.end for c in chosen):
            chosen.append(hit)
    chosen.sort(key=lambda h: h.start)
    return chosen
