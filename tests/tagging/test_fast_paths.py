"""The shortcuts taken for speed (issue 6) answer exactly as the plain ways do.

`test_golden.py` holds the whole output fixed; these look at each shortcut on its
own, on texts made to hit its edges: sentence ends found by `str.find` instead of
the regex scan, and document words looked up in the matcher's probes instead of
searched for in the text; relevance from the first mention instead of all.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.models import Mention
from monitor.tagging import Taxonomy
from monitor.tagging.folding import fold, is_word
from monitor.tagging.matcher import probes_complete
from monitor.tagging.relevance import _placement, relevance
from monitor.tagging.rules import Words
from monitor.tagging.sentences import _END, _ends

PIECES = ["Kashmir", "led", "zeppelin", "recipe", "teaspoons", "J&K", "Art", "Dr", "U", "S",
          "manila", "letter of credit", "कश्मीर", "चम्मच", "کشمیر", "چمچ", "the", "x_y"]  # fmt: skip
GLUE = [*" .!?\n\t()[]{}*|<>=+~%$^`\\\"'“”«»„…،۔।॥&-_#@,:;/0", "  ", ". ", ".\n\n"]
TEXTS = st.lists(st.sampled_from(PIECES + GLUE), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_sentence_ends_as_the_regex_scan_finds_them(text: str) -> None:
    assert _ends(text) == [m.end() for m in _END.finditer(text)]


def _starts_word(text: str, i: int) -> bool:
    return i == 0 or not (is_word(text[i - 1]) or text[i - 1] == "&")


def _word_starts(text: str, probe: str) -> bool:
    return any(_starts_word(text, m.start()) for m in re.finditer(re.escape(probe), text))


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_probes_seen_wherever_they_start_a_word(shipped: Taxonomy, text: str) -> None:
    folded = fold(text)
    _, found = shipped.matcher.scan(folded)
    if not probes_complete(folded.folded):
        return
    probes = {p for w in _document_words(shipped) for p in w.probes}
    missed = {p for p in probes - found if _word_starts(folded.folded, p)}
    assert not missed


@settings(max_examples=300, deadline=None)
@given(TEXTS)
def test_document_words_with_probes_as_without(shipped: Taxonomy, text: str) -> None:
    folded = fold(text)
    _, found = shipped.matcher.scan(folded)
    present = found if probes_complete(folded.folded) else None
    for words in _document_words(shipped):
        assert words.in_text(folded.folded, present) == words.in_text(folded.folded)


def test_probes_complete_only_for_plain_ascii() -> None:
    assert probes_complete("the j&k (kashmir) valley, 'srinagar'")
    assert not probes_complete("the valley|kashmir")  # "|" is not before-word for the matcher
    assert probes_complete("the valley | kashmir")
    assert not probes_complete("the \u201ckashmir\u201d valley")


def _document_words(taxonomy: Taxonomy) -> list[Words]:
    out, todo = [], [c for form in taxonomy.forms for c in form.require + form.exclude]
    while todo:
        cond = todo.pop()
        if cond.scope == "document" and cond.words is not None:
            out.append(cond.words)
        todo.extend(cond.also + cond.instead + cond.unless)
    return out


def _relevance_by_definition(mentions: list[Mention], text: str) -> float:
    """The formula as the relevance docstring states it: the best placement of all."""
    if not mentions:
        return 0.0
    prominence = max(_placement(m, len(text)) for m in mentions)
    words = max(text.count(" ") + 1, 50)
    density = min(1.0, len(mentions) * 100 / words / 2)
    breadth = min(1.0, len({m.concept for m in mentions}) / 5)
    return round(0.5 * prominence + 0.3 * density + 0.2 * breadth, 3)


MENTIONS = st.lists(
    st.builds(
        lambda concept, field, start: Mention(concept, "x", field, start, start + 1, "x"),
        st.sampled_from(["A", "B", "C", "D", "E", "F"]),
        st.sampled_from(["title", "text", "text", "text"]),
        st.integers(min_value=0, max_value=5000),
    ),
    max_size=12,
)


@settings(max_examples=500, deadline=None)
@given(MENTIONS, st.integers(min_value=0, max_value=5001), st.integers(min_value=0, max_value=900))
def test_relevance_as_defined(mentions: list[Mention], length: int, spaces: int) -> None:
    text = (" " * spaces + "x" * length)[: max(length, 1)]
    assert relevance(mentions, text) == _relevance_by_definition(mentions, text)
