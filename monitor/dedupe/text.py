"""What of an article's text counts when comparing copies (issue 5).

Syndicating outlets wrap the same wire copy in their own furniture: a dateline
(`Srinagar, Jan 8 (PTI):`, `SRINAGAR:`), an agency tag or sign-off (`PTI BPG DHA`,
`--IANS`, `With inputs from PTI`), "Also Read" and "Advertisement" lines, share and
follow prompts, cookie banners, credit lines ("Source: ...", "This article first
appeared in ..."), and house copy-editing ("per cent" or "%", "Rs" or "₹",
"Sep" or "September", "on Monday" or "Monday"). `content_tokens` removes the furniture
and folds the spelling variants, so that copies of one text give the same tokens.

Trade-off: a boilerplate pattern can also match a real paragraph that happens to
open like one ("Source: officials said ..."); the patterns are anchored to a whole
short line, and losing one sentence moves a long article's similarity very little.
"""

from __future__ import annotations

import re
from itertools import filterfalse

__all__ = [
    "STOPWORDS",
    "analyse",
    "body_paragraphs", "content_tokens",
    "fact_tokens",
    "normalise_tokens",
]

# Whole lines that are furniture, not reporting: a line is furniture when it opens
# with one of these and is short (see _FURNITURE_MAX_WORDS), or contains a marker.
_FURNITURE_START = [
    r"advertisement|advt\.?|sponsored|story continues below( this ad)?",
    r"(also|must) read\b|read more\b|also (see|watch)\b|related( news| stories)?\s*[:|]",
    r"listen to this article|\d+ min(ute)?s? read$|share( this)?( article| story)?$",
    r"[(\-—–]*\s*(with )?inputs? from\b|(source|sources|via|credit|courtesy)\s*:",
    r"(this|the) (article|story|content|report) (first )?(appeared|was (first )?published|is "
    r"(aggregated|auto-generated|published)|has not been edited)",
    r"(catch|get|stay|find|read)\b.{0,40}\b(latest|updated|news|updates)\b.{0,60}"
    r"\b(on|at|from|with)\b",
    r"for more( \w+)? (news|updates|stories)\b",
    r"(follow|like|join) (us|\w+ \w+ on)\b|subscribe\b|download (the|our)\b|click here\b"
    r"|sign up\b|have a story\b|write to us\b|our code of\b|we use cookies\b|by continuing\b"
    r"|accept (all )?cookies\b|published (by|in)\b|edited by\b|written by\b|by [\w .]{2,40}desk$"
    r"|posted (by|in)\b|updated\s*:|first published\b|stay tuned\b",
    r"pic\.twitter\.com|https?://",
    r"(further|more) details (are )?(awaited|to follow)\.?$",
    # Agency sign-offs and desk codes: "PTI BPG DHA", "--IANS", "(APP)", "AFP".
    r"[-–—(]*\s*(pti|ani|ians|app|afp|ap|reuters|uni)\b[\s)]*([a-z]{2,4}\s*){0,6}$",
]
_FURNITURE_RE = re.compile(r"\s*(?:" + "|".join(_FURNITURE_START) + r")", re.I)
_FURNITURE_MARKS = (
    "syndicated feed", "original publisher", "does not claim ownership",
    "all rights reserved", "copyright", "©",
)
_TWEET_BYLINE = re.compile(r"\(@\w+\)\s*\w+ \d{1,2}, \d{4}")  # "— Name (@handle) May 3, 2024"
_FURNITURE_MAX_WORDS = 30  # a longer paragraph is never furniture

# A dateline opening the first paragraph: "Kupwara (Jammu and Kashmir) [India], March 12
# (ANI):", "Srinagar, Jan 8 (PTI) -", "SRINAGAR:", "New Delhi, Sep 3:", "ISLAMABAD (APP):".
_AGENCY = r"(?:PTI|ANI|IANS|APP|AFP|AP|Reuters|UNI)"
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w'.-]*(?:[ ,]+[\w'.()\[\]-]+){0,9}?\s*\(" + _AGENCY + r"\)\s*[:,\-–—]*\s*"
    r"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?\s*[:–—]\s+"
    r"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}, [A-Z][a-z]{2,8}\.? \d{1,2}\s*[-–—]\s+)"
)

# Furniture inside a paragraph: agency tags in brackets, the "details awaited" tail.
_INLINE = re.compile(
    r"\(\s*" + _AGENCY + r"\s*\)|\((?:with )?inputs? from [^)]{1,40}\)"
    r"|(?:further|more) details (?:are )?(?:awaited|to follow)\.?",
    re.I,
)

_INLINE_HINT = re.compile(r"\(|etails")  # cheap pre-check: most paragraphs have neither

_MONTHS = {
    "jan": "january", "feb": "february", "mar": "march", "apr": "april",
    "jun": "june", "jul": "july", "aug": "august", "sep": "september", "sept": "september",
    "oct": "october", "nov": "november", "dec": "december",
}
# Spelling variants that desks change freely: fold them to one token.
_FOLD = {
    **_MONTHS,
    "pc": "percent", "inr": "rs", "rupees": "rs", "rupee": "rs", "govt": "government",
    "mn": "million", "bn": "billion", "cr": "crore", "kms": "km",
}
_STOPWORD_TEXT = """a an the and or but of on in at to for from by with as is are was were be been
    has have had it its this that these those said says which who whom whose their
    they he she his her him we our you your i not no also than then there here into
    over after before about per cent percent monday tuesday wednesday thursday friday
    saturday sunday today yesterday tomorrow"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())

# Words of any script: letters and digits plus the combining marks that Devanagari and
# Urdu need inside a word (Python's \\w does not count marks as word characters).
_TOKEN = re.compile(
    r"[\w\u0300-\u036f\u0900-\u0dff\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+"
)
_CAPITALISED = re.compile(r"(?<=[\w,;:)] )[A-Z]\w+")  # mid-sentence only
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")
_APOSTROPHE_S = re.compile(r"['’][sS]\b")


def body_paragraphs(text: str) -> list[str]:
    """The article's own paragraphs: furniture lines dropped, the dateline cut off."""
    kept = [
        p.strip()
        for p in text.splitlines()
        if p.strip() and not _is_furniture(p)
    ]
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    kept = [_INLINE.sub(" ", p).strip() if _INLINE_HINT.search(p) else p for p in kept]
    return [p for p in kept if p]


def _is_furniture(line: str) -> bool:
    if line.count(" ") >= _FURNITURE_MAX_WORDS:
        return False
    if _FURNITURE_RE.match(line):
        return True
    low = line.lower()
    if any(mark in low for mark in _FURNITURE_MARKS):
        return True
    return "(@" in line and bool(_TWEET_BYLINE.search(line))


def normalise_tokens(text: str) -> list[str]:
    """Lower-cased tokens with spelling variants folded and stopwords kept."""
    return _fold(_TOKEN.findall(_prepare(text).lower()))


def _prepare(text: str) -> str:
    return _APOSTROPHE_S.sub("", text).replace("₹", " rs ").replace("%", " percent ")


def _fold(tokens: list[str]) -> list[str]:
    return list(map(_FOLD.get, tokens, tokens))  # C-level loop: this is the hot path


def analyse(text: str, title: str | None = None) -> tuple[list[str], set[str]]:
    """`(content_tokens, fact_tokens)` of one text, cleaning and tokenising it once."""
    body = _prepare(" ".join(body_paragraphs(text)))
    if len(body) < 200 and title:
        body = f"{_prepare(title)} {body}"
    raw = _TOKEN.findall(body)
    tokens = _fold(list(map(str.lower, raw)))
    content = list(filterfalse(STOPWORDS.__contains__, tokens))
    return content, _facts(body, set(raw))


def _facts(body: str, as_written: set[str]) -> set[str]:
    """Names and figures of a prepared body; `as_written` is its case-kept token set.

    A name is a capitalised word that the text never writes in lower case (so
    sentence-initial "Officials" or "The" drop out without a list); a figure is a
    number with its separators removed ("1,00,000" and "100000" agree). Independent
    reports of one event share many of these while sharing little wording; a desk's
    templated report on another day shares the wording but not the figures.
    """
    facts = {n.replace(",", "") for n in _FIGURE.findall(body)}
    for word in set(_CAPITALISED.findall(body)):
        low = word.lower()
        if low not in as_written and low not in STOPWORDS:
            facts.add(_MONTHS.get(low, low))
    return facts


def fact_tokens(text: str) -> set[str]:
    """The names and figures an article states: what two reports of one event share."""
    return analyse(text)[1]


def content_tokens(text: str, title: str | None = None) -> list[str]:
    """Tokens that identify the article's text, for hashing and shingling.

    Furniture, datelines and stopwords are removed (so "on Monday" and "Monday",
    "per cent" and "%" agree). The title is used only when the body is too short to
    stand on its own: desks change headlines freely, so it would split copies.
    """
    return analyse(text, title)[0]
