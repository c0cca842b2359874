"""What of an article's text counts when comparing copies (issue 5).

Syndicating outlets wrap the same wire copy in their own furniture: a dateline
(`Srinagar, Jan 8 (PTI):`, `SRINAGAR:`), an agency tag or sign-off (`PTI BPG DHA`,
`--IANS`, `With inputs from PTI`), "Also Read" and "Advertisement" lines, share and
follow prompts, cookie banners, credit lines ("Source: ...", "This article first
appeared in ..."). `body_paragraphs` removes the furniture so that copies of one text
give the same paragraphs; `tokens` then folds the house copy-editing.

Trade-off: a boilerplate pattern can also match a real paragraph that happens to
open like one ("Source: officials said ..."); the patterns are anchored to a whole
short line, and losing one sentence moves a long article's similarity very little.
"""

from __future__ import annotations

import re

__all__ = ["body_paragraphs"]

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
# Markers of furniture anywhere in a line, looked for in the lower-cased line.
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

_DATELINE_MARKS = ("(", ":", "-", "\u2013", "\u2014")  # one of them ends every dateline

# Furniture inside a paragraph: agency tags in brackets, the "details awaited" tail.
_INLINE = re.compile(
    r"\(\s*" + _AGENCY + r"\s*\)|\((?:with )?inputs? from [^)]{1,40}\)"
    r"|(?:further|more) details (?:are )?(?:awaited|to follow)\.?",
    re.I,
)


def body_paragraphs(text: str) -> list[str]:
    """The article's own paragraphs: furniture lines dropped, the dateline cut off."""
    kept = []
    for line in text.splitlines():
        para = line.strip()
        if para and not _is_furniture(line):
            kept.append(para)
    if kept and _may_open_with_dateline(kept[0]):
        kept[0] = _DATELINE.sub("", kept[0], count=1)
    out = []
    for para in kept:
        # Most paragraphs hold neither "(" nor "details": a substring test is cheaper
        # than scanning for the inline furniture.
        if "(" in para or "etails" in para:
            para = _INLINE.sub(" ", para).strip()
        if para:
            out.append(para)
    return out


def _may_open_with_dateline(para: str) -> bool:
    """False when `_DATELINE` cannot match: it needs a capital A-Z first and a "(",
    ":" or a dash somewhere. Most first paragraphs are settled by these `in` tests
    (memchr-fast) instead of the regex's tries at up to ten words (issue 8)."""
    return "A" <= para[:1] <= "Z" and any(mark in para for mark in _DATELINE_MARKS)


def _is_furniture(line: str) -> bool:
    if line.count(" ") >= _FURNITURE_MAX_WORDS:
        return False
    if _FURNITURE_RE.match(line):
        return True
    lowered = line.lower()
    if any(mark in lowered for mark in _FURNITURE_MARKS):
        return True
    return "(@" in line and bool(_TWEET_BYLINE.search(line))
