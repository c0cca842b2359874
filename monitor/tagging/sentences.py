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

_END = re.compile(r"[.!?\u0964\u0965\u06d4\u061f]+[\"'\u201d\u2019)\]]*(?=\s)|\n")
_ABBREVIATIONS = frozenset(
    re.findall(
        r"\w+",
        "art arts no nos mr mrs ms dr st gen lt col maj capt sgt jr sr vs v etc inc ltd co "
        "govt dept sec secs rs prof hon rev sh smt km approx fig cl para",
    )
)
_WORD_BEFORE = re.compile(r"(\w+)$")


def _is_false_stop(text: str, end: int, match: re.Match[str]) -> bool:
    """True when a full stop at `match` does not end the sentence."""
    if match.group()[0] != "." or len(match.group()) > 1:
        return False
    word = _WORD_BEFORE.search(text, max(0, match.start() - 12), match.start())
    if word:
        token = word.group(1)
        if token.lower() in _ABBREVIATIONS or (len(token) == 1 and token.isupper()):
            return True
    rest = text[end : end + 3].lstrip()
    return bool(rest) and rest[0].islower()


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split `text` into (start, end) spans covering it, in order."""
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _END.finditer(text):
        end = match.end()
        if _is_false_stop(text, end, match):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = end
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans or [(0, len(text))]


def span_at(spans: list[tuple[int, int]], starts: list[int], offset: int) -> tuple[int, int]:
    """The span containing `offset`; `starts` is `[s for s, _ in spans]`."""
    i = bisect_right(starts, offset) - 1
    return spans[max(i, 0)]
