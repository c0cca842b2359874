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

__all__ = ["STOPWORDS", "body_paragraphs", "content_tokens", "normalise_tokens"]

# Whole lines that are furniture, not reporting. Each pattern must match the full line.
_FURNITURE = [
    r"advertisement|advt\.?|sponsored|story continues below( this ad)?",
    r"(also|must|read) read\b.*|read more\b.*|also see\b.*|also watch\b.*|related\b.{0,80}",
    r"(listen to this article|\d+ min(ute)?s? read|share( this)?( article| story)?)",
    r"(\(|-+|—)?\s*(with inputs? from|inputs from|source|sources|via|credit)\s*:?.{0,80}",
    r"(this|the) (article|story|content|report) (first )?(appeared|was (first )?published|is "
    r"(aggregated|auto-generated|published)|has not been edited).*",
    r".*(syndicated feed|original publisher|does not claim ownership|all rights reserved"
    r"|copyright|©).*",
    r"(follow|like|join|subscribe|download|catch all|get (the )?latest|for more news|"
    r"click here|sign up|have a story|write to us|our code of|we use cookies|by continuing"
    r"|accept (all )?cookies|published (by|in)|edited by|written by|by\s+[\w .]+desk"
    r"|posted (by|in)|updated\s*:?|first published|stay tuned)\b.*",
    r"(pic\.twitter\.com|https?://)\S*.*|.*\(@\w+\)\s*\w+ \d{1,2}, \d{4}",
    r"(further details|more details) (are )?(awaited|to follow)\.?",
    # Agency sign-offs and desk codes: "PTI BPG DHA", "--IANS", "(APP)", "AFP".
    r"[-–—(]*\s*(pti|ani|ians|app|afp|ap|reuters|uni|nnn)\b[\s)]*([a-z]{2,4}\s*){0,6}",
]
_FURNITURE_RE = re.compile(r"^\s*(?:" + "|".join(_FURNITURE) + r")\s*$", re.I)
_FURNITURE_MAX_WORDS = 30  # a longer paragraph is never furniture

# A dateline opening the first paragraph: "Kupwara (Jammu and Kashmir) [India], March 12
# (ANI):", "Srinagar, Jan 8 (PTI) -", "SRINAGAR:", "New Delhi, Sep 3:", "ISLAMABAD (APP):".
_AGENCY = r"(?:PTI|ANI|IANS|APP|AFP|AP|Reuters|UNI)"
_DATELINE = re.compile(
    r"^\s*(?:[A-Z][\w'.-]*(?:[ ,][\w'.()\[\]-]+){0,9}?\s*\(" + _AGENCY + r"\)\s*[:,\-–—]*\s*"
    r"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}(?:, [A-Z][a-z]{2,8}\.? \d{1,2})?\s*[:–—]\s+"
    r"|[A-Z][A-Za-z.'-]+(?: [A-Z][A-Za-z.'-]+){0,2}, [A-Z][a-z]{2,8}\.? \d{1,2}\s*[-–—]\s+)"
)

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
STOPWORDS = frozenset(
    """a an the and or but of on in at to for from by with as is are was were be been
    has have had it its this that these those said says which who whom whose their
    they he she his her him we our you your i not no also than then there here into
    over after before about per cent percent monday tuesday wednesday thursday friday
    saturday sunday today yesterday tomorrow""".split()
)

# Words of any script: letters and digits plus the combining marks that Devanagari and
# Urdu need inside a word (Python's \\w does not count marks as word characters).
_TOKEN = re.compile(
    r"[\w\u0300-\u036f\u0900-\u0dff\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+"
)
_APOSTROPHE_S = re.compile(r"['’]s\b")


def body_paragraphs(text: str) -> list[str]:
    """The article's own paragraphs: furniture lines dropped, the dateline cut off."""
    kept = [
        p.strip()
        for p in text.splitlines()
        if p.strip() and not _is_furniture(p)
    ]
    if kept:
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    return [p for p in kept if p]


def _is_furniture(line: str) -> bool:
    if len(line.split()) > _FURNITURE_MAX_WORDS:
        return False
    return bool(_FURNITURE_RE.match(line))


def normalise_tokens(text: str) -> list[str]:
    """Lower-cased tokens with spelling variants folded and stopwords kept."""
    text = _APOSTROPHE_S.sub("", text.lower()).replace("₹", " rs ").replace("%", " percent ")
    tokens = _TOKEN.findall(text)
    return list(map(_FOLD.get, tokens, tokens))  # C-level loop: this is the hot path


def content_tokens(text: str, title: str | None = None) -> list[str]:
    """Tokens that identify the article's text, for hashing and shingling.

    Furniture, datelines and stopwords are removed (so "on Monday" and "Monday",
    "per cent" and "%" agree). The title is used only when the body is too short to
    stand on its own: desks change headlines freely, so it would split copies.
    """
    body = " ".join(body_paragraphs(text))
    if len(body) < 200 and title:
        body = f"{title} {body}"
    return list(filterfalse(STOPWORDS.__contains__, normalise_tokens(body)))
