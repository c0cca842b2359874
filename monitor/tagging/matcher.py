"""Find every alias of the taxonomy in a text with one Aho-Corasick automaton.

The automaton runs over the folded text (`folding.fold`: lower case, script variants
unified). Word boundaries are half built into it: every alias is entered after a
space, the text is given a leading space and scanned with every character that may
precede a word (a space, "(", a quote, a slash...) as a space, so a match can never
start inside a word ("nc" in "since", "uri" in "during" are never even reported).
An alias that holds such characters itself ("line of control") is checked against
the text itself when the scanned copy matches. The right-hand boundary is one check per
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

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise
from typing import NamedTuple

import ahocorasick

from monitor.tagging.folding import MARKS, Folded, is_word

__all__ = ["AliasEntry", "Hit", "Matcher", "probes_complete"]

BLOCK = -1  # form index of a block phrase

# Characters after which a word may start (besides the start of the text): spaces in
# the scanned copy of the text. Hyphens, dashes and line breaks are spaces by now
# (folding).
_BEFORE_WORD = tuple(" (['\"/#@,.:;!?\u201c\u00ab\u201e")
_TO_SPACE = _BEFORE_WORD[1:]  # spaces in the copy of the text the automaton scans
# The other ASCII characters that are neither word characters nor "&" (which the
# rules count as part of a word, as in "J&K").
_ODD_ASCII = tuple(
    ch for ch in map(chr, range(128)) if not (ch.isalnum() or ch in "_&" or ch in _BEFORE_WORD)
)


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


# Characters by frequency in English news text; others come after, ASCII first.
_FREQUENT = {ch: i for i, ch in enumerate(" etaoinsrhldcumfpgwybvkxjqz,.'0123456789")}


def _frequent_first(key: str) -> tuple[int, ...]:
    return tuple(_FREQUENT.get(ch, 100 if ch.isascii() else 101) for ch in key[:4])


_Value = tuple[int, tuple[AliasEntry, ...], bool, str | None]
# (None, or original key -> its value when the text must be checked; the scanned
# key's length; the value when it needs no check)
_Scanned = tuple[dict[str, _Value] | None, int, int, tuple[AliasEntry, ...], bool, str | None]


def _keys(key: str) -> list[str]:
    """The automaton keys of an alias or probe: once per character that may precede
    a word, or as it is if it does not start with a word character."""
    return [key] if not is_word(key[0]) else [before + key for before in _BEFORE_WORD]


_new_hit = tuple.__new__  # Hit(...) without the Python-level __new__: hot loop


class Matcher:
    """All aliases and block phrases of a taxonomy in one automaton.

    `probes` are words the context rules look for in the whole document: they ride
    in the same automaton, at word starts like aliases, so the one pass over the
    text also says which of them start a word after a space or one of
    `_BEFORE_WORD` (`scan`; see `probes_complete` for the other word starts).
    """

    def __init__(self, entries: dict[str, list[AliasEntry]], probes: Iterable[str] = ()) -> None:
        # key -> (length, alias entries, needs a word boundary after, probe or None)
        values: dict[str, _Value] = {}
        for key, group in entries.items():
            value: _Value = (len(key), tuple(group), is_word(key[-1]), None)
            for k in _keys(key):
                values[k] = value
        for probe in probes:
            for k in _keys(probe):
                length, aliases, right, _ = values.get(k, (len(probe), (), False, None))
                values[k] = (length, aliases, right, probe)
        self._automaton = ahocorasick.Automaton()
        # A node finds its child by a linear search, children in the order they were
        # added: adding keys with frequent letters first makes the search over the
        # text about a fifth faster (issue 6). The order changes no match.
        grouped = _by_scanned_key(values)
        for k in sorted(grouped, key=_frequent_first):
            self._automaton.add_word(k, grouped[k])
        self._automaton.make_automaton()

    def find(self, text: Folded) -> list[Hit]:
        """Matches in `text`, overlaps resolved longest-first, in text order."""
        return self.scan(text)[0]

    def scan(self, text: Folded) -> tuple[list[Hit], set[str]]:
        """`find`, and the probes found at word starts in `text.folded`."""
        folded = text.folded
        found: set[str] = set()
        if not folded:
            return [], found
        hits: list[Hit] = []
        cased = text.cased
        size = len(folded)
        padded = " " + folded
        scanned = _scanned(padded)
        # the leading space shifts offsets by one: `last` is the folded end offset
        for last, (keys, width, length, group, right, probe) in self._automaton.iter(scanned):
            if keys is not None:  # the scanned copy matched: which key does the text hold?
                value = keys.get(padded[last + 1 - width : last + 1])
                if value is None:
                    continue
                length, group, right, probe = value
            if probe is not None:
                found.add(probe)
                if not group:
                    continue
            if right and last < size:
                after = folded[last]
                if after.isalnum() or after in MARKS:  # is_word, inlined: hot loop
                    continue
            start = last - length
            surface = cased[start:last]
            for entry in group:
                if surface == entry.cased or entry.accepts(surface):
                    hits.append(_new_hit(Hit, (start, last, entry)))
                    break
        return _longest_first(hits), found


def _scanned(text: str) -> str:
    """`text` as the automaton sees it: the characters of `_TO_SPACE` as spaces (a
    search per character, and a copy only for those present: most are absent)."""
    for ch in _TO_SPACE:
        if ch in text:
            text = text.replace(ch, " ")
    return text


def _by_scanned_key(values: dict[str, _Value]) -> dict[str, _Scanned]:
    """The keys of `values` by their `_scanned` form, as the automaton's keys.

    Every key that may follow any character of `_BEFORE_WORD` is entered once, with
    a space, instead of once per character (issue 8: 14 times fewer keys, an
    automaton of 0.2 MB instead of 4 MB per worker, and a faster pass over the
    text); the text is scanned with those characters as spaces. A scanned key
    stands for its original keys when they are all the strings with that scanned
    form (one per `_BEFORE_WORD` character at each space: " kashmir", "(kashmir",
    ...), and its value is theirs. Otherwise ("line of control", whose inner spaces
    must be spaces) it maps the text that may stand there to the value of the
    original key that is that text.
    """
    groups: dict[str, dict[tuple[object, ...], tuple[_Value, list[str]]]] = {}
    for key, value in values.items():
        length, group, right, probe = value
        same = (length, *map(id, group), right, probe)  # the same entries, not equal ones
        by_value = groups.setdefault(_scanned(key), {})
        by_value.setdefault(same, (value, []))[1].append(key)
    out: dict[str, _Scanned] = {}
    for scanned, by_value in groups.items():
        spellings = len(_BEFORE_WORD) ** scanned.count(" ")
        firsts = next(iter(by_value.values()))
        if len(by_value) == 1 and len(firsts[1]) == spellings:
            out[scanned] = (None, len(scanned), *firsts[0])
        else:
            keys = {k: value for value, group in by_value.values() for k in group}
            out[scanned] = (keys, len(scanned), 0, (), False, None)
    return out


def probes_complete(folded: str) -> bool:
    """Did `Matcher.scan` see every word start of `folded`, so that a probe it did
    not report does not start a word anywhere in it (`rules.Words.in_text`)?

    It sees the words after a space or a character of `_BEFORE_WORD`. In plain
    ASCII text the only other characters that may come before a word are the
    `_ODD_ASCII` ones, found with one `str.find` each (memchr-fast); any other
    text is not vouched for (its possible characters are too many to look for).
    """
    if not folded.isascii():
        return False
    find = folded.find
    for ch in _ODD_ASCII:
        i = find(ch)
        while i >= 0:
            after = folded[i + 1 : i + 2]
            if after.isalnum() or after in ("_", "&"):
                return False
            i = find(ch, i + 1)
    return True


def _longest_first(hits: list[Hit]) -> list[Hit]:
    """Resolve overlaps: of two overlapping hits the longer wins (the earlier on a tie).

    One sweep in start order: a hit that overlaps the last kept one replaces it if
    it is longer. (The kept hits before that one end before it starts, so they
    cannot overlap the newcomer.) Hits come in order of their ends; when none
    overlaps, that is already start order and there is nothing to resolve.
    """
    if len(hits) < 2:
        return hits
    if all(a.end <= b.start for a, b in pairwise(hits)):
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
