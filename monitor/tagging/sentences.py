"""Sentence spans, for the sentence shown with a mention and sentence-scoped rules.

A heuristic splitter, not a parser: a sentence ends at `.`, `!`, `?`, the Devanagari
danda (।, ॥) or the Urdu full stop and question mark (۔, ؟), optionally followed
by closing quotes or brackets, then whitespace; a line break always ends one
(headlines and datelines sit on their own lines). A full stop does not end a
sentence after a known abbreviation ("Art. 370", "Dr.", "Rs."), after a single
capital letter (initials such as "J. K."), or when the next word starts in lower
case. The trade-off: a sentence that really ends in "... in the U.S." followed by a
capitalised word is split correctly, but one ending in "Art." is not split at all;
the rules only need the right neighbourhood, so erring towards longer sentences is
the cheaper mistake.
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["sentence_spans", "span_at"]

_ABBREVIATIONS = (
    "art arts no nos mr mrs ms dr st gen lt col maj capt sgt jr sr vs etc inc ltd co "
    "govt dept sec secs rs prof hon rev sh smt km approx fig cl para"
)
# A full stop after an abbreviation or a single capital (an initial) is not an end.
# Lookbehinds must have a fixed width, so the abbreviations go in one per length.
_BY_LENGTH: dict[int, list[str]] = {}
for _abbr in re.findall(r"\w+", _ABBREVIATIONS):
    _BY_LENGTH.setdefault(len(_abbr), []).append(_abbr)
_NOT_AFTER = (
    "".join(f"(?<!\\b(?i:{'|'.join(words)})\\.)" for words in _BY_LENGTH.values())
    + r"(?<!\b[A-Z]\.)"
)
_STOPS = "!?\u0964\u0965\u06d4\u061f"
_CLOSERS = "[\"'\u201d\u2019)\\]]*"
# One leading character class lets the regex engine skip ahead quickly; the
# lookarounds then decide: a line break always ends a sentence, other stops need
# whitespace after them, and a full stop also needs the next word not to start in
# lower case and not to follow an abbreviation or an initial.
_END = re.compile(
    f"[.\n{_STOPS}]"
    "(?:(?<=\n)"
    f"|(?<=[{_STOPS}])[.{_STOPS}]*{_CLOSERS}(?=\\s|$)"
    f"|(?<=\\.){_NOT_AFTER}\\.*{_CLOSERS}(?=\\s+[^a-z\\s]|\\s*$))"
)
_STARTS = ".\n" + _STOPS  # the leading class of _END, one character at a time


def _ends(text: str) -> list[int]:
    """Where `_END` matches end, as `_END.finditer(text)` would find them, faster.

    The regex engine scans for the leading character class at about 6 ns a character
    (a third of the split on a 600-word article, issue 6); `str.find` scans for
    one character many times faster. Every match starts at one of those characters,
    so trying `_END.match` at each of them in order, from the end of the last match,
    finds exactly the same matches (lookbehinds see the text before the position).
    """
    candidates = []
    find = text.find
    for ch in _STARTS:
        i = find(ch)
        while i >= 0:
            candidates.append(i)
            i = find(ch, i + 1)
    if len(candidates) > 1:
        candidates.sort()
    ends = []
    last = 0
    match = _END.match
    for i in candidates:
        if i >= last and (m := match(text, i)) is not None:
            last = m.end()
            ends.append(last)
    return ends


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split `text` into (start, end) spans covering it, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for end in _ends(text):
        # a stretch of bare whitespace (a blank line) joins the next sentence
        if end - start > 2 or not text[start:end].isspace():
            spans.append((start, end))
            start = end
    if start < len(text):
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def span_at(spans: list[tuple[int, int]], starts: list[int], offset: int) -> tuple[int, int]:
    """The span containing `offset`; `starts` is `[s for s, _ in spans]`."""
    i = bisect_right(starts, offset) - 1
    return spans[max(i, 0)]
