"""Plain-text inputs: the desk's `.txt` format and web pages saved as text (issue 4).

The desk's format opens with ` date YYYY-MM-DD` and the text on the same line
(PRODUCT.md "Backfill inputs"); the header gives the date and is removed. A saved
page carries menus, contact blocks, repeated headlines, share/related lines and a
trailing crawl stamp; those lines are dropped and every article paragraph is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.clean.datefind import CRAWL_STAMP
from monitor.clean.normalize import paragraphs

__all__ = ["TextPage", "read_text_page"]

DESK_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[ \t]+|$)", re.I)
MAX_TITLE_WORDS = 25
MAX_TITLE_CHARS = 200


@dataclass(frozen=True)
class TextPage:
    """A text file split into what it says: header date, title, paragraphs."""

    header_date: str | None
    title: str | None
    paragraphs: tuple[str, ...]
    removed: tuple[str, ...] = ()  # lines dropped as boilerplate (for tests and logs)


def _is_headline(line: str) -> bool:
    """Short, no closing full stop: a headline rather than a sentence."""
    line = line.strip()
    return (
        0 < len(line) <= MAX_TITLE_CHARS
        and len(line.split()) <= MAX_TITLE_WORDS
        and not line.endswith((".", "।", "۔"))
    )


def _split_title(text: str) -> tuple[str | None, str]:
    """The first line is the title when it is a headline followed by a blank line."""
    head, sep, rest = text.lstrip("\n").partition("\n")
    if not sep or not _is_headline(head):
        return None, text
    following, _, _ = rest.partition("\n")
    if following.strip():
        return None, text
    return " ".join(head.split()), rest


def read_text_page(content: str) -> TextPage:
    """Split a `.txt` body into header date, title and clean paragraphs."""
    header_date = None
    if match := DESK_HEADER.match(content[:200]):
        header_date = match.group(1)
        content = content[match.end() :]
    lines = content.splitlines()
    removed: list[str] = []
    while lines and (not lines[-1].strip() or CRAWL_STAMP.match(lines[-1])):
        if lines[-1].strip():
            removed.append(lines[-1].strip())
        lines.pop()
    text = "\n".join(lines)
    title = None
    if header_date is None:
        title, text = _split_title(text)
    return TextPage(header_date, title, tuple(paragraphs(text)), tuple(removed))
