"""Tokens and facts of an article body, for fingerprints (issue 5).

`analyse(text)` gives two things from one pass over the body paragraphs
(`text.body_paragraphs`: furniture and dateline already gone):

- content tokens: lower-cased words with house copy-editing folded ("per cent",
  "pc" and "%"; "Rs", "₹" and "rupees"; "Sep" and "September") and stopwords dropped
  (so "on Monday" and "Monday" agree). They are hashed and shingled for MinHash.
- facts: the names and figures the text states (see `_facts`), which tell two
  reports of one event from two events of one kind.

Speed is the point of the shape (issue 5 asks >= 2,000 articles/s): the body is
encoded once and split with `bytes.translate` + `bytes.split` (C loops) instead of a
Unicode regex, tokens stay `bytes` all the way to xxhash, and what a word folds to
is worked out once per thread and looked up after that (`_Seen`). Trade-off: only ASCII
is case-folded and split on punctuation; Devanagari and Urdu have no case, and
their punctuation (danda, Urdu full stop and comma) is mapped to ASCII first, but
accented Latin capitals ("É") are not lower-cased.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from itertools import repeat

from .text import body_paragraphs

__all__ = ["STOPWORDS", "analyse", "content_tokens", "fact_tokens"]

# Non-ASCII punctuation that desks swap freely, mapped before encoding.
_UNICODE_PUNCT = (
    ("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", " - "), ("—", " - "),
    ("…", "."), ("।", "."), ("۔", "."), ("،", ","), ("₹", " rs "), ("%", " percent "),
    ("\u00a0", " "),
)
_ASCII_TEXT_PUNCT = tuple(pair for pair in _UNICODE_PUNCT if pair[0].isascii())  # "%"
_ASCII_PUNCT = b"!\"#$&'()*+,-./:;<=>?@[\\]^_`{|}~"
_TO_SPACE = bytes.maketrans(_ASCII_PUNCT, b" " * len(_ASCII_PUNCT))

_MONTHS = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april",
    "jun": "june", "jul": "july", "aug": "august", "sep": "september", "sept": "september",
    "oct": "october", "nov": "november", "dec": "december",
}
# Spelling variants that desks change freely: fold them to one token.
_FOLD_TEXT = {
    **_MONTHS,
    "pc": "percent", "inr": "rs", "rupees": "rs", "rupee": "rs", "govt": "government",
    "mn": "million", "bn": "billion", "cr": "crore", "kms": "km",
}
_FOLD = {k.encode(): v.encode() for k, v in _FOLD_TEXT.items()}
_MONTHS_B = {k.encode(): v.encode() for k, v in _MONTHS.items()}
_STOPWORD_TEXT = """a an the and or but of on in at to for from by with as is are was were be been
    has have had it its this that these those said says which who whom whose their
    they he she his her him we our you your i not no also than then there here into
    over after before about per cent percent monday tuesday wednesday thursday friday
    saturday sunday today yesterday tomorrow s"""
STOPWORDS = frozenset(w.encode() for w in _STOPWORD_TEXT.split())
# One lookup per token: a stopword maps to b"" (dropped), a variant to its fold.
_KEEP = {
    **{k: (b"" if v in STOPWORDS else v) for k, v in _FOLD.items()},
    **dict.fromkeys(STOPWORDS, b""),
}

# Plain byte patterns on purpose: a look-behind costs more than the rest of `analyse`.
_CAPITALISED = re.compile(rb"[A-Z]\w+")
_OPENER_TAIL = rb"['\")]*\s+['\"(]*([A-Z]\w+)"  # after a stop: a capitalised word
# A stop then a capitalised word, one pattern per stop (see `_openers`).
_OPENER_AFTER = tuple(
    (stop, re.compile(re.escape(stop) + _OPENER_TAIL)) for stop in (b".", b"!", b"?", b":")
)
# Runs of digits and separators, everything else blanked: the numbers of the text
# once the separators around them are stripped (a byte pass, not a regex scan).
_FIGURE_ONLY = bytes(c if c in b"0123456789.," else 32 for c in range(256))


def analyse(text: str, title: str | None = None) -> tuple[list[bytes], set[bytes]]:
    """`(content tokens, facts)` of one text, as bytes, cleaning and splitting it once.

    The title is used only when the body is too short to stand on its own: desks
    change headlines freely, so it would split copies.
    """
    body = " ".join(body_paragraphs(text))
    if len(body) < 200 and title:
        body = f"{title}. {body}"
    for old, new in _ASCII_TEXT_PUNCT if body.isascii() else _UNICODE_PUNCT:
        if old in body:
            body = body.replace(old, new)
    raw = body.encode("utf-8")
    words = raw.translate(_TO_SPACE).split()  # case kept
    as_written = set(words)
    seen = _seen
    folds = seen.folds
    if new := as_written.difference(folds):
        if len(folds) + len(new) > WORDS_KEPT:  # a bound on the memory: start afresh
            folds.clear()
            seen.capitalised.clear()
            new = as_written
        _learn(new, seen)
    content = list(filter(None, map(folds.__getitem__, words)))
    return content, _facts(raw, as_written, as_written & seen.capitalised)


class _Seen(threading.local):
    """What `analyse` worked out about the words it has met, one per thread.

    `folds`: a word as written -> its content token (lower-cased and folded; b""
    for a stopword). `capitalised`: those of them that `_facts` looks at as names.
    News repeats most of its words from one article to the next, so most of a
    text's words are looked up here, not lower-cased, split a second time, folded
    and tested (issue 8). Each entry is a pure function of the word: the cache
    changes no token or fact.
    """

    def __init__(self) -> None:
        self.folds: dict[bytes, bytes] = {}
        self.capitalised: set[bytes] = set()


_seen = _Seen()
WORDS_KEPT = 20_000  # distinct words a thread keeps in `_Seen` (a few MB)


def _learn(words: set[bytes], seen: _Seen) -> None:
    folds = seen.folds
    for word in words:
        low = word.lower()  # bytes.lower: A-Z only
        folds[word] = _KEEP.get(low, low)
    seen.capitalised.update(w for w in words if 64 < w[0] < 91 and len(w) > 1)  # A-Z


def _facts(
    body: bytes, as_written: set[bytes], capitalised: set[bytes] | None = None
) -> set[bytes]:
    """Names and figures of an encoded body; `as_written` is its case-kept word set.

    A name is a capitalised word that the text never writes in lower case and uses
    at least once other than to open a sentence (so "Officials", "The", "Acting" drop
    out without a list); a figure is a number with its separators removed ("1,00,000"
    and "100000" agree). Independent reports of one event share many of these while
    sharing little wording; a desk's templated report on another day shares the
    wording but not the figures. `capitalised`, if given, is the set of the
    words of `as_written` that start with A-Z and are longer than one letter.
    """
    runs = set(body.translate(_FIGURE_ONLY).replace(b",", b"").split())
    facts = set(map(bytes.strip, runs, repeat(b".")))
    facts.discard(b"")  # a run of separators without a digit
    if capitalised is None:
        capitalised = {w for w in as_written if 64 < w[0] < 91 and len(w) > 1}  # A-Z
    if not capitalised:
        return facts
    # Three filters on one set, so in any order: an opener is counted in the body
    # (a scan each) only when the set tests after the loop would keep its name.
    openers = _openers(body)
    for word in capitalised & openers.keys():  # opens a sentence: a name only if used
        low = word.lower()
        if low in as_written or low in STOPWORDS:
            continue  # dropped below whatever the count
        if body.count(word) <= openers[word]:  # elsewhere too ("Kupwara police said")
            capitalised.discard(word)
    # written in lower case somewhere, or a stopword: not a name
    names = set(map(bytes.lower, capitalised))
    names.difference_update(as_written, STOPWORDS)
    facts.update(map(_MONTHS_B.get, names, names))
    return facts


def _openers(body: bytes) -> Counter[bytes]:
    """How often each capitalised word opens a sentence (or the text) in `body`.

    As one `[.!?:]` + `_OPENER_TAIL` pattern would find them, one stop at a time: a
    pattern that starts with a literal byte is searched for with memchr, one that
    starts with a character class is tried at every byte (about twice the cost,
    issue 8). A match holds no stop but its first byte, so the matches of the four
    add up to those of one.
    """
    found: list[bytes] = []
    for stop, pattern in _OPENER_AFTER:
        if stop in body:
            found += pattern.findall(body)
    openers = Counter(found)
    if first := _CAPITALISED.match(body):
        openers[first.group()] += 1
    return openers


def content_tokens(text: str, title: str | None = None) -> list[str]:
    """The content tokens of a text, as str (for reading; `analyse` is the hot path)."""
    return [t.decode("utf-8", "replace") for t in analyse(text, title)[0]]


def fact_tokens(text: str) -> set[str]:
    """The names and figures an article states, as str."""
    return {f.decode("utf-8", "replace") for f in analyse(text)[1]}
