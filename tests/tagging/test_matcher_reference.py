"""The matcher's automaton of scanned keys finds what one key per word start found.

`Matcher` enters each alias once, after a space, and scans a copy of the text with
the other characters that may precede a word as spaces (issue 8). Here it is
compared with the automaton it replaced (every alias once per such character, the
text as it is), on the shipped taxonomy and on made-up aliases that hold those
characters themselves ("u.s.", "(kashmir", "j&k's") or share keys with probes.
"""

from __future__ import annotations

import ahocorasick
from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.tagging import matcher as matcher_module
from monitor.tagging.folding import MARKS, Folded, fold, is_word
from monitor.tagging.matcher import AliasEntry, Hit, Matcher
from monitor.tagging.taxonomy import Taxonomy, _document_probes


class _Reference:
    """The matcher as first written: one automaton key per preceding character."""

    def __init__(self, entries: dict[str, list[AliasEntry]], probes: list[str]) -> None:
        values: dict[str, tuple[int, tuple[AliasEntry, ...], bool, str | None]] = {}
        for key, group in entries.items():
            value = (len(key), tuple(group), is_word(key[-1]), None)
            for k in matcher_module._keys(key):
                values[k] = value
        for probe in probes:
            for k in matcher_module._keys(probe):
                length, aliases, right, _ = values.get(k, (len(probe), (), False, None))
                values[k] = (length, aliases, right, probe)
        self.automaton = ahocorasick.Automaton()
        for k, v in values.items():
            self.automaton.add_word(k, v)
        self.automaton.make_automaton()

    def scan(self, text: Folded) -> tuple[list[Hit], set[str]]:
        folded, cased = text.folded, text.cased
        found: set[str] = set()
        if not folded:
            return [], found
        hits = []
        for last, (length, group, right, probe) in self.automaton.iter(" " + folded):
            if probe is not None:
                found.add(probe)
                if not group:
                    continue
            if right and last < len(folded) and (folded[last].isalnum() or folded[last] in MARKS):
                continue
            start = last - length
            surface = cased[start:last]
            for entry in group:
                if entry.accepts(surface):
                    hits.append(Hit(start, last, entry))
                    break
        return matcher_module._longest_first(hits), found


def _entries(aliases: list[str]) -> dict[str, list[AliasEntry]]:
    out: dict[str, list[AliasEntry]] = {}
    for form, alias in enumerate(aliases):
        key = fold(alias).folded.strip()
        cased = fold(alias).cased.strip()
        capitals = tuple(i for i, ch in enumerate(cased) if ch.isupper())
        entry = AliasEntry(form, cased, capitals, concept=alias, alias=alias)
        out.setdefault(key, []).append(entry)
    return out


_ALIASES = [
    "Kashmir", "Jammu and Kashmir", "Line of Control", "U.S.", "J&K", "J&K's", "(Kashmir",
    "'Valley'", "Srinagar: city", "PoK", "#Kashmir", "Kashmir, Ladakh", "a/b", "Uri",
    "Gilgit-Baltistan", "“Azad”", "कश्मीर", "سری نگر",
]
_PROBES = ["kashmir", "valley", "u", "line", "said", "srinagar", "ladakh"]
_PIECES = [
    "Kashmir", "kashmir", "KASHMIR", "Kashmira", "Jammu and Kashmir", "Jammu(and)Kashmir",
    "Line of Control", "Line.of.Control", "Line-of-Control", "U.S.", "U S", "J&K's", "J&K",
    "(Kashmir", "'Valley'", "Valley", "Srinagar: city", "Srinagar, city", "PoK", "Pok",
    "#Kashmir", "Kashmir, Ladakh", "Kashmir; Ladakh", "a/b", "Uri", "URI", "during",
    "Gilgit Baltistan", "“Azad”", "कश्मीर", "कश्मीरी", "سری نگر", "said", "Said",
]
_SEPARATORS = [*" (['\"/#@,.:;!?\u201c\u00ab\u201e", "  ", "\n", "-", "x", "&", "é", ""]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(_SEPARATORS), st.sampled_from(_PIECES)),
                          max_size=30))
    return "".join(sep + word for sep, word in parts) + draw(st.sampled_from(_SEPARATORS))


_MADE_UP = _entries(_ALIASES)
_NEW = Matcher(_MADE_UP, _PROBES)
_OLD = _Reference(_MADE_UP, _PROBES)


@settings(max_examples=500, deadline=None)
@given(_texts())
def test_made_up_aliases_match_as_with_one_key_per_word_start(text: str) -> None:
    folded = fold(text)
    assert _NEW.scan(folded) == _OLD.scan(folded)


@settings(max_examples=200, deadline=None)
@given(_texts())
def test_the_shipped_taxonomy_matches_as_with_one_key_per_word_start(
    shipped: Taxonomy, text: str
) -> None:
    reference = _shipped_reference(shipped)
    folded = fold(text)
    assert shipped.matcher.scan(folded) == reference.scan(folded)


_CACHE: dict[int, _Reference] = {}


def _shipped_reference(taxonomy: Taxonomy) -> _Reference:
    if id(taxonomy) not in _CACHE:
        _CACHE[id(taxonomy)] = _Reference(taxonomy.entries, list(_document_probes(taxonomy.forms)))
    return _CACHE[id(taxonomy)]
