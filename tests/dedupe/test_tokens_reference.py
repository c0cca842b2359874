"""The fast paths of `tokens` and `text` give what their plain definitions give (issue 8).

Stored fingerprints must not move when the code gets faster (see
test_fingerprint_golden.py), so each shortcut is compared here with the
straightforward code it replaced, on texts built to hit its edge cases: sentence
openers after every stop and closing quote, names written in several cases, words
that are stopwords or months in lower case, figures with separators, datelines.
"""

from __future__ import annotations

import re
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

from monitor.dedupe import text as text_module
from monitor.dedupe import tokens
from monitor.dedupe.text import body_paragraphs
from monitor.dedupe.tokens import STOPWORDS, analyse

_PIECES = [
    "The", "the", "THE", "Officials", "officials", "Srinagar", "SRINAGAR", "srinagar",
    "Kupwara", "Jan", "jan", "January", "Sep", "Monday", "On", "on", "A", "I", "It",
    "McDonald", "Donald", "DonaldX", "Omar", "U.S.", "Dr.", "Rs", "1,00,000", "100000",
    "12.5", "3.", ".5", "2024", "%", "O'Brien", "J&K", "x_Y", "Émile", "कश्मीर", "سری",
    "(PTI)", "PTI", "—", "–", "“Quoted”", "‘Single’", "Acting", "acting",
]
_SEPARATORS = [
    " ", " ", " ", ". ", ", ", "\n", ": ", "! ", "? ", ".\" ", ".) ", ". (", '." "',
    " - ", "\t", ":", ".", "!", "?\n",
]


@st.composite
def _texts(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(_PIECES), st.sampled_from(_SEPARATORS)),
                          max_size=60))
    return "".join(word + sep for word, sep in parts)


def _reference_facts(body: bytes, as_written: set[bytes]) -> set[bytes]:
    """`tokens._facts` as first written: one regex scan, every opener counted."""
    runs = set(body.translate(tokens._FIGURE_ONLY).replace(b",", b"").split())
    facts = {run.strip(b".") for run in runs}
    facts.discard(b"")
    openers = Counter(re.findall(rb"[.!?:]['\")]*\s+['\"(]*([A-Z]\w+)", body))
    if first := re.match(rb"[A-Z]\w+", body):
        openers[first.group()] += 1
    mid_sentence = {w for w in as_written if 64 < w[0] < 91 and len(w) > 1}
    for word in mid_sentence & openers.keys():
        if body.count(word) <= openers[word]:
            mid_sentence.discard(word)
    for word in mid_sentence:
        low = word.lower()
        if low not in as_written and low not in STOPWORDS:
            facts.add(tokens._MONTHS_B.get(low, low))
    return facts


def _reference_body_paragraphs(text: str) -> list[str]:
    """`body_paragraphs` without the cheap test before the dateline regex."""
    kept = [line.strip() for line in text.splitlines()
            if line.strip() and not text_module._is_furniture(line)]
    if kept:
        kept[0] = text_module._DATELINE.sub("", kept[0], count=1)
    out = []
    for para in kept:
        para = text_module._INLINE.sub(" ", para).strip()
        if para:
            out.append(para)
    return out


@settings(max_examples=400, deadline=None)
@given(_texts())
def test_facts_are_those_of_the_plain_definition(text: str) -> None:
    body = text.encode("utf-8")
    as_written = set(body.translate(tokens._TO_SPACE).split())
    assert tokens._facts(body, as_written) == _reference_facts(body, as_written)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="Ab .!?:'\")(\n\t", max_size=80))
def test_openers_are_those_of_one_scan(text: str) -> None:
    body = text.encode("utf-8")
    one_scan = re.compile(rb"[.!?:]" + tokens._OPENER_TAIL)
    expected = Counter(one_scan.findall(body))
    if first := tokens._CAPITALISED.match(body):
        expected[first.group()] += 1
    assert tokens._openers(body) == expected


@settings(max_examples=300, deadline=None)
@given(_texts(), st.sampled_from([
    "", "SRINAGAR: ", "Srinagar, Jan 8 (PTI) - ", "New Delhi, Sep 3: ", "ISLAMABAD (APP): ",
    "Kupwara (Jammu and Kashmir) [India], March 12 (ANI): ", "Srinagar, Jan 8 — ", "Émile: ",
]))
def test_body_paragraphs_are_those_of_the_plain_definition(text: str, dateline: str) -> None:
    assert body_paragraphs(dateline + text) == _reference_body_paragraphs(dateline + text)


def test_a_name_written_once_as_an_opener_and_once_in_capitals_is_kept() -> None:
    # "Srinagar" only opens a sentence (dropped), "SRINAGAR" is used mid-sentence
    # (kept): the name survives through its other spelling.
    _, facts = analyse("Police left. Srinagar was calm. Roads near SRINAGAR reopened.")
    assert b"srinagar" in facts
    _, facts = analyse("Police left. Srinagar was calm. Roads reopened.")
    assert b"srinagar" not in facts
