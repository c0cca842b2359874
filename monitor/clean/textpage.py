"""Plain-text inputs: the desk's `.txt` format and web pages saved as text (issue 4).

The desk's format opens with ` date YYYY-MM-DD` and the text on the same line
(PRODUCT.md "Backfill inputs"); the header gives the date and is removed.

A web page saved as text carries menus, contact blocks, the headline two or three
times, share and "related" lines, a "Posted on:" line and a trailing crawl stamp.
Lines are classified one by one (`classify`) and the article is what lies between
the first and the last prose line, minus lines that are boilerplate by pattern:

- before the article: everything but the headline goes (menus, contact details);
- inside it: only pattern boilerplate goes (share, "Also read", contact, date
  lines, repeated headlines, runs of three or more menu-like lines); a short
  subhead stays;
- after it: short lines go (related headlines, footer menus) unless they read
  like a sentence or an attribution "(With inputs from PTI)".

A file counts as a saved page only when such boilerplate is present; any other
file is an article and only the title rule applies (a first line that is short,
has no closing full stop and is followed by a blank line is the title). The
trade-off is deliberate: a plain article never loses a line to a heuristic.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from monitor.clean.datefind import CRAWL_STAMP, LABELLED_DATE
from monitor.clean.normalize import paragraphs, squash

__all__ = ["TextPage", "classify", "read_text_page"]

# ` date YYYY-MM-DD` then the text on the same line, or the header alone on its line.
DESK_HEADER = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})(?:[ \t]+|[ \t]*(?:\r?\n|$))", re.I)
MAX_TITLE_WORDS = 25
MAX_TITLE_CHARS = 200
MENU_WORDS = 4  # a line this short, without sentence punctuation, may be a menu item
PROSE_WORDS = 6  # a sentence this long is article prose
LONG_LINE = 1000  # characters: no boilerplate line is this long (and regexes stay cheap)
MENU_RUN = 3  # this many menu-like lines in a row inside the article are a menu
SENTENCE_END = (".", "!", "?", "\"", "”", "’", "'", ")", "»", "।", "۔", "…")

_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_PHONE = re.compile(r"(?:\+\d{1,3}[\s-]?)?(?:\(?\d{2,5}\)?[\s-]?){2,4}\d{3,5}")
_CONTACT = re.compile(
    r"^(?:contact(?:\s+us)?|address|addr|phone|ph|tel|telephone|mobile|mob|fax|e-?mail"
    r"|whatsapp|helpline|office)\b\.?\s*[:\-–]?",
    re.I,
)
_SHARE = re.compile(
    r"^(?:share(?:\s+(?:this|on|via|the|article|story|post|news))*|tweet|pin it|print"
    r"|follow\s+us|like\s+us|subscribe|join\s+(?:us|our)|download\s+(?:our|the)\s+app"
    r"|click\s+here|whatsapp|facebook|twitter|telegram|linkedin|email this)\b",
    re.I,
)
_SOCIAL = re.compile(
    r"^(?:(?:facebook|twitter|x|whatsapp|telegram|linkedin|instagram|youtube|email|e-mail"
    r"|print|pinterest|reddit|koo|copy\s+link|share)\W*){2,}$",
    re.I,
)
_RELATED = re.compile(
    r"^(?:also\s+read|read\s+also|read\s+more|more\s+news|related(?:\s+\w+)?|you\s+may"
    r"\s+(?:also\s+)?like|recommended(?:\s+for\s+you)?|must\s+read|also\s+watch|watch"
    r"\s+video|see\s+also|trending(?:\s+now)?|top\s+stories|latest\s+(?:news|stories)"
    r"|more\s+from|more\s+stories|previous\s+(?:post|article)|next\s+(?:post|article)"
    r"|tags?|topics?|categories|filed\s+under)\b\s*[:|\-–]?",
    re.I,
)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|\bcopyright\b|all rights reserved", re.I)
_BYLINE = re.compile(r"(?:^|\s)[Bb]y:?\s+([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,4})\s*$")
_SKIP = re.compile(r"^(?:skip to (?:main )?content|menu|search|home|toggle navigation)$", re.I)


@dataclass(frozen=True)
class TextPage:
    """A text file split into what it says: header date, title, paragraphs."""

    header_date: str | None
    title: str | None
    paragraphs: tuple[str, ...]
    removed: tuple[str, ...] = ()  # lines dropped as boilerplate (for tests and logs)
    saved_page: bool = False
    author: str | None = None


def _words(line: str) -> int:
    return len(line.split())


def _is_headline(line: str) -> bool:
    """Short, no closing full stop: a headline rather than a sentence."""
    line = line.strip()
    return (
        0 < len(line) <= MAX_TITLE_CHARS
        and _words(line) <= MAX_TITLE_WORDS
        and not line.endswith((".", "।", "۔"))
    )


def _is_prose(line: str) -> bool:
    """A sentence of some length, or a block too long to be a headline."""
    words = _words(line)
    ends = line.rstrip().endswith(SENTENCE_END)
    return words > MAX_TITLE_WORDS or (words >= PROSE_WORDS and ends)


def _is_menu(line: str) -> bool:
    """A menu item: a few words, no sentence punctuation; or short items split by pipes."""
    if "|" in line or "•" in line or " · " in line:
        items = [i for i in re.split(r"[|•·]", line) if i.strip()]
        return all(_words(i) <= MENU_WORDS for i in items)
    return _words(line) <= MENU_WORDS and not line.rstrip().endswith(SENTENCE_END)


def _has_phone(text: str) -> bool:
    """A phone number: a digit group run with at least 8 digits (not "2019-2020")."""
    return any(sum(c.isdigit() for c in m.group(0)) >= 8 for m in _PHONE.finditer(text))


def classify(line: str) -> str:
    """One line's kind: crawl, contact, share, related, copyright, date, menu, prose, short."""
    text = line.strip()
    if len(text) > LONG_LINE:
        return "prose"
    words = _words(text)
    if CRAWL_STAMP.match(text):
        return "crawl"
    if words <= 15 and (
        _CONTACT.match(text) or _EMAIL.search(text) or (words <= 8 and _has_phone(text))
    ):
        return "contact"
    if _SOCIAL.match(text) or (words <= 8 and _SHARE.match(text)):
        return "share"
    if _RELATED.match(text) and (words <= 25 or not text.endswith(SENTENCE_END)):
        return "related"
    if words <= 20 and _COPYRIGHT.search(text):
        return "copyright"
    if words <= 14 and LABELLED_DATE.search(text):
        return "date"
    if _SKIP.match(text) or _is_menu(text):
        return "menu"
    return "prose" if _is_prose(text) else "short"


def _byline(lines: list[str]) -> str | None:
    """An author named on a byline ("By Staff Reporter", "Posted on: ... by Name")."""
    for line in lines[:60]:
        if match := _BYLINE.search(line.strip()):
            return squash(match.group(1))
    return None


def _split_title(text: str) -> tuple[str | None, str]:
    """The first line is the title when it is a headline followed by a blank line."""
    head, sep, rest = text.lstrip("\n").partition("\n")
    if not sep or not _is_headline(head):
        return None, text
    following, _, _ = rest.partition("\n")
    if following.strip():
        return None, text
    return squash(head), rest


def _strip_stamps(lines: list[str]) -> tuple[list[str], list[str]]:
    """Drop trailing blank lines and crawl stamps (the page's save time)."""
    removed = []
    while lines and (not lines[-1].strip() or CRAWL_STAMP.match(lines[-1])):
        if lines[-1].strip():
            removed.append(lines[-1].strip())
        lines = lines[:-1]
    return lines, removed


def _headline(lines: list[str], kinds: list[str], first_prose: int) -> int | None:
    """Index of the headline: a repeated headline-like line, else the last one before
    the article starts."""
    counts = Counter(squash(lines[i]) for i in range(len(lines)) if kinds[i] in ("short", "prose"))
    for i in range(first_prose + 1):
        repeated = kinds[i] in ("short", "menu") and counts[squash(lines[i])] >= 2
        if repeated and _is_headline(lines[i]) and _words(lines[i]) > 2:
            return i
    for i in range(first_prose - 1, -1, -1):
        if kinds[i] == "short" and _is_headline(lines[i]) and _words(lines[i]) > MENU_WORDS:
            return i
    return None


def _keep(lines: list[str], kinds: list[str], title: str | None) -> list[bool]:
    """Which lines of a saved page belong to the article (see the module docstring)."""
    content = [i for i, k in enumerate(kinds) if k == "prose"]
    first, last = content[0], content[-1]
    keep = [False] * len(lines)
    title_key = squash(title or "").lower()
    run_start = None
    for i, kind in enumerate([*kinds, "end"]):
        if kind == "menu" and first <= i <= last:
            run_start = i if run_start is None else run_start
            continue
        if run_start is not None:  # a run of menu-like lines inside the article ends here
            if i - run_start < MENU_RUN:
                for j in range(run_start, i):
                    keep[j] = True
            run_start = None
        if i == len(lines):
            break
        text = lines[i].strip()
        if not text or (title_key and squash(text).lower() == title_key):
            continue
        if first <= i <= last:
            keep[i] = kind in ("prose", "short")
        elif i > last:
            keep[i] = kind == "short" and (text.endswith(SENTENCE_END) or text.startswith("("))
    return keep


def _saved_page(lines: list[str], kinds: list[str], stamps: list[str]) -> bool:
    """Does the file look like a saved web page rather than an article?

    Signs: a crawl stamp, two pattern boilerplate lines, a repeated short line (the
    headline), or a menu: three menu-like lines before the first prose line.
    """
    pattern = sum(k in ("contact", "share", "related", "copyright") for k in kinds)
    top = kinds[: kinds.index("prose")]
    menus = sum(k == "menu" for k in top)
    keys = [squash(line) for line, k in zip(lines, kinds, strict=True) if k == "short"]
    repeated = len(keys) != len(set(keys))
    return bool(stamps) or pattern >= 2 or menus >= MENU_RUN or repeated


def _unwrap(lines: list[str]) -> list[str]:
    """Join hard-wrapped paragraph lines, so a wrapped paragraph is classified whole.

    A line that does not end a sentence, followed directly by one that starts in lower
    case, continues it ("...new feeder lines in Kupwara" / "district would cut...").
    Without this, the first line of a wrapped paragraph reads as a headline and is
    cut away with the page furniture. Scripts without case are left as they are.
    """
    out: list[str] = []
    for line in lines:
        text = line.strip()
        if (
            out
            and text[:1].islower()
            and out[-1].strip()
            and _words(out[-1]) > MENU_WORDS
            and not out[-1].rstrip().endswith(SENTENCE_END)
        ):
            out[-1] = f"{out[-1].rstrip()} {text}"
        else:
            out.append(line)
    return out


def read_text_page(content: str) -> TextPage:
    """Split a `.txt` body into header date, title and clean paragraphs."""
    header_date = None
    if match := DESK_HEADER.match(content[:200]):
        header_date = match.group(1)
        content = content[match.end() :]
    lines, removed = _strip_stamps(content.splitlines())
    lines = _unwrap(lines)
    kinds = [classify(line) if line.strip() else "blank" for line in lines]
    if not any(k == "prose" for k in kinds) or not _saved_page(lines, kinds, removed):
        text = "\n".join(lines)
        title, text = _split_title(text)
        return TextPage(header_date, title, tuple(paragraphs(text)), tuple(removed))
    first_prose = kinds.index("prose")
    head = _headline(lines, kinds, first_prose)
    title = squash(lines[head]) if head is not None and header_date is None else None
    keep = _keep(lines, kinds, title)
    removed += [line.strip() for i, line in enumerate(lines) if line.strip() and not keep[i]]
    # A page saved with blank lines between its paragraphs keeps them as breaks;
    # one saved a line per paragraph keeps every line a paragraph.
    prose = [i for i, k in enumerate(kinds) if k == "prose"]
    blank_separated = "blank" in kinds[prose[0] : prose[-1]]
    kept = [line if keep[i] else "" for i, line in enumerate(lines)]
    if not blank_separated:
        kept = [line for i, line in enumerate(lines) if keep[i]]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(kept))
    paras = paragraphs(text, lines_are_paragraphs=not blank_separated)
    author = _byline([line for line, k in zip(lines, kinds, strict=True) if k in ("date", "menu")])
    return TextPage(header_date, title, tuple(paras), tuple(removed), True, author)
