"""Where an article's publication date comes from, in the order issue 4 fixes.

    feed entry -> JSON-LD -> Open Graph / meta tags -> <time> -> URL -> visible text

The first source that gives a readable, not-in-the-future date wins; a rejected
candidate is reported (`DateFinding.problems`) and the search goes on. Visible text
means a labelled date ("Posted on: 11/14/2020", "Updated: 19 Sep 2024, 10:05 IST")
or a line that holds nothing but a date near the top of the text. A crawl stamp
(`3/4/2024 11:17:13 PM` on a line of its own: a numeric date with seconds) is never
a candidate: it says when the page was saved, not when it was published.

Trade-off: "Updated" dates are taken only when no "Posted/Published" label exists,
so an article edited later keeps its first publication date when the page says it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any

from lxml.html import HtmlElement

from monitor.clean.dates import ZONE_ABBREVIATIONS, read_date
from monitor.clean.metadata import PageMeta, meta_content
from monitor.models import DateContext

__all__ = [
    "CRAWL_STAMP",
    "LABELLED_DATE",
    "DateFinding",
    "date_from_text",
    "date_from_url",
    "find_html_date",
    "first_date",
]

# Only objects describing the page itself (metadata.is_page_object): an embedded
# VideoObject's uploadDate is when the clip was made, not the article.
JSONLD_KEYS = ("datePublished", "dateCreated")
OPENGRAPH_KEYS = ("article:published_time", "og:article:published_time", "og:published_time")
META_KEYS = (
    "datePublished", "pubdate", "publishdate", "publish-date", "publish_date",
    "publication_date", "date", "dc.date.issued", "dcterms.issued", "dc.date",
    "dcterms.created", "dcterms.date", "sailthru.date", "parsely-pub-date",
    "article.published", "article_date_original", "original-publish-date",
    "cxenseparse:recs:publishtime", "citation_publication_date",
)
TOP_LINES = 15  # a bare date line counts only this near the top of a text
MAX_SCAN = 300_000  # characters of visible text scanned for labelled dates

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_ZONES = "|".join(sorted((z for z in ZONE_ABBREVIATIONS if len(z) > 1), key=len, reverse=True))
_DATE_EXPR = (
    r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\s{1,3})?"
    r"(?:\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[/.-]\d{1,2}[/.-](?:\d{4}|\d{2})(?!\d)"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s{{1,3}}{_MONTH},?\s{{1,3}}\d{{4}}"
    rf"|{_MONTH}\s{{1,3}}\d{{1,2}}(?:st|nd|rd|th)?,?\s{{1,3}}\d{{4}})"
    r"(?:,?\s{0,3}(?:at\s)?\s{0,2}\d{1,2}[:.]\d{2}(?::\d{2})?\s{0,2}(?:[ap]\.?m\.?)?"
    rf"(?:\s{{0,2}}\(?(?-i:{_ZONES}|[+-]\d{{2}}:?\d{{2}})\)?)?)?"
)
_PUBLISHED = r"(?:first\s+)?(?:posted|published|publish\s+date|date\s+published|released|dated?)"
_UPDATED = r"(?:last\s+)?(?:updated|modified)"
LABELLED_DATE = re.compile(
    rf"\b(?P<label>{_PUBLISHED}|{_UPDATED})(?:\s+on)?\s{{0,3}}[:\-–—|]?\s{{0,3}}"
    rf"(?P<date>{_DATE_EXPR})",
    re.I,
)
_BARE_LINE = re.compile(rf"^\s*(?P<date>{_DATE_EXPR})\s*$", re.I)
_ANY_DATE = re.compile(_DATE_EXPR, re.I)
# A line that is only a date and a time (seconds optional, numeric or ISO, AM/PM or a
# zone allowed): what a crawler writes when it saves a page. Never a publication date.
CRAWL_STAMP = re.compile(
    r"^\s*(?:\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{4}-\d{2}-\d{2})(?:,?\s+|T)"
    r"\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?"
    r"(?:\s*(?:Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4}))?\s*$"
)
_ORDINAL = re.compile(r"(?<=\d)(?:st|nd|rd|th)\b", re.I)
_WEEKDAY = re.compile(r"^(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+", re.I)
_URL_DATE = (
    re.compile(r"[/_-]((?:19|20)\d{2})[/_-](0?[1-9]|1[0-2])[/_-](0?[1-9]|[12]\d|3[01])(?:[/_.-]|$)"),
    re.compile(r"[/_-]((?:19|20)\d{2})(0[1-9]|1[0-2])(0[1-9]|[12]\d|3[01])(?:[/_.-]|$)"),
)
_DATE_CLASS = re.compile(r"date|time|publish|posted|byline|dateline|timestamp", re.I)
# Hindi and Urdu pages print "प्रकाशित: 15 नवंबर 2024" / "اشاعت: 15 نومبر 2024": their
# month, weekday and label words (and digits) are put in English before the search,
# so one set of patterns reads all three languages. Longest first: "شائع شدہ" before
# "شائع", "अपडेटेड" before "अपडेट".
_LOCAL_WORDS = {
    **dict.fromkeys(("जनवरी", "جنوری"), "Jan"),
    **dict.fromkeys(("फरवरी", "फ\u093cरवरी", "\u095eरवरी", "فروری"), "Feb"),
    **dict.fromkeys(("मार्च", "مارچ"), "Mar"),
    **dict.fromkeys(("अप्रैल", "अप्रेल", "اپریل"), "Apr"),
    **dict.fromkeys(("मई", "مئی"), "May"),
    **dict.fromkeys(("जून", "جون"), "Jun"),
    **dict.fromkeys(("जुलाई", "جولائی"), "Jul"),
    **dict.fromkeys(("अगस्त", "اگست"), "Aug"),
    **dict.fromkeys(("सितंबर", "सितम्बर", "ستمبر"), "Sep"),
    **dict.fromkeys(("अक्टूबर", "अक्तूबर", "اکتوبر"), "Oct"),
    **dict.fromkeys(("नवंबर", "नवम्बर", "نومبر"), "Nov"),
    **dict.fromkeys(("दिसंबर", "दिसम्बर", "دسمبر"), "Dec"),
    **dict.fromkeys(("सोमवार", "پیر"), "Mon"),
    **dict.fromkeys(("मंगलवार", "منگل"), "Tue"),
    **dict.fromkeys(("बुधवार", "بدھ"), "Wed"),
    **dict.fromkeys(("गुरुवार", "बृहस्पतिवार", "جمعرات"), "Thu"),
    **dict.fromkeys(("शुक्रवार", "جمعہ"), "Fri"),
    **dict.fromkeys(("शनिवार", "ہفتہ"), "Sat"),
    **dict.fromkeys(("रविवार", "اتوار"), "Sun"),
    **dict.fromkeys(("प्रकाशित", "प्रकाशन तिथि", "पब्लिश्ड", "شائع شدہ", "شائع", "اشاعت",
                     "تاریخ اشاعت"), "Published"),
    **dict.fromkeys(("अपडेटेड", "अपडेट", "اپ ڈیٹ", "اپڈیٹ"), "Updated"),
}
_LOCAL_LETTER = r"\w\u0900-\u097f\u0600-\u06ff"  # letters and the scripts' marks
_LOCAL_WORD = re.compile(
    f"(?<![{_LOCAL_LETTER}])(?:"
    + "|".join(sorted(map(re.escape, _LOCAL_WORDS), key=len, reverse=True))
    + f")(?![{_LOCAL_LETTER}])"
)
_DIGIT = re.compile(r"\d")  # any script's digits: a line without one holds no date
_LOCAL_SCRIPT = re.compile("[\u0900-\u097f\u0600-\u06ff]")  # Devanagari, Arabic
_LOCAL_DIGITS = {z + d: str(d) for z in (0x0660, 0x06F0, 0x0966) for d in range(10)}


@dataclass(frozen=True)
class DateFinding:
    """The chosen date and its source, plus what was wrong with rejected candidates."""

    value: datetime | None = None
    source: str | None = None
    problems: tuple[str, ...] = ()


def _clean_expr(text: str) -> str:
    text = _WEEKDAY.sub("", text.strip())
    return _ORDINAL.sub("", text).replace(" at ", " ")


def first_date(candidates: Iterable[tuple[str, str | None]], ctx: DateContext) -> DateFinding:
    """The first readable candidate `(source, string)`; problems of those refused before it."""
    problems: list[str] = []
    for source, value in candidates:
        if not value:
            continue
        reading = read_date(_clean_expr(value), ctx)
        if reading.value is not None:
            if reading.ambiguous:
                problems.append(
                    f"ambiguous date {value.strip()[:40]!r} ({source}) read as {ctx.date_order}"
                )
            return DateFinding(reading.value, source, tuple(problems))
        if reading.problem and "future" in reading.problem:
            problems.append(f"{source}: {reading.problem}")
    return DateFinding(None, None, tuple(problems))


def date_from_url(url: str | None) -> str | None:
    """`YYYY-MM-DD` from a URL path such as /2019/08/31/ or /20190831-, else None.

    Only web URLs count: a local file's folders say when it was saved or sorted.
    """
    if not url or not url.lower().startswith(("http://", "https://")):
        return None
    path = url.split("?", 1)[0][:2000]
    for pattern in _URL_DATE:
        if match := pattern.search(path):
            y, m, d = match.groups()
            return f"{y}-{int(m):02d}-{int(d):02d}"
    return None


def _in_english(line: str) -> str:
    """`line` with Hindi/Urdu month, weekday and label words and digits in English."""
    # Most lines are English with a curly quote: a class scan settles them (~30 us a page).
    if line.isascii() or not _LOCAL_SCRIPT.search(line) or not _DIGIT.search(line):
        return line
    line = line.translate(_LOCAL_DIGITS).replace("\u060c", ",")  # Arabic comma: "نومبر، 2024"
    return _LOCAL_WORD.sub(lambda m: _LOCAL_WORDS[m.group()], line)


def _text_candidates(lines: list[str]) -> Iterator[tuple[str, str]]:
    """Labelled published dates, then labelled updated dates, then bare top date lines."""
    updated: list[str] = []
    for raw in lines:  # put in English one line at a time: the first date may end it
        line = _in_english(raw)
        if CRAWL_STAMP.match(line):
            continue
        for match in LABELLED_DATE.finditer(line[:MAX_SCAN]):
            if re.match(_UPDATED, match["label"], re.I):
                updated.append(match["date"])
            else:
                yield "text", match["date"]
    for value in updated:
        yield "text", value
    for line in map(_in_english, islice((line for line in lines if line.strip()), TOP_LINES)):
        if len(line) < 80 and not CRAWL_STAMP.match(line) and (m := _BARE_LINE.match(line)):
            yield "text", m["date"]


def date_from_text(text: str, ctx: DateContext) -> DateFinding:
    """A date from visible text (labelled, or a date-only line near the top)."""
    lines = text[:MAX_SCAN].splitlines()
    return first_date(_text_candidates(lines), ctx)


def _jsonld_dates(jsonld: Iterable[dict[str, Any]]) -> Iterator[tuple[str, str | None]]:
    for obj in jsonld:
        for key in JSONLD_KEYS:
            value = obj.get(key)
            if isinstance(value, str):
                yield "json-ld", value


def _time_elements(tree: HtmlElement) -> Iterator[tuple[str, str | None]]:
    """itemprop=datePublished anywhere, then <time pubdate>, then the first <time>."""
    for el in tree.iterfind(".//*[@itemprop='datePublished']"):
        yield "time", el.get("datetime") or el.get("content") or el.text_content()
    times = list(tree.iter("time"))[:20]
    for el in times:
        if el.get("pubdate") is not None:
            yield "time", el.get("datetime") or el.text_content()
    for el in times:
        yield "time", el.get("datetime") or el.text_content()


def _dated_elements(tree: HtmlElement) -> Iterator[str]:
    """Short texts of elements whose class or id says they hold a date or a byline."""
    count = 0
    for el in tree.iter("span", "div", "p", "li", "small", "em", "abbr"):
        marker = f"{el.get('class') or ''} {el.get('id') or ''}"
        if len(marker) > 1 and _DATE_CLASS.search(marker):
            text = " ".join(el.text_content().split())
            if 4 < len(text) < 160:
                yield text
                count += 1
                if count > 50:
                    return


def find_html_date(
    tree: HtmlElement,
    meta: PageMeta,
    url: str | None,
    page_text: Callable[[], str],
    entry_date: tuple[str, str | None],
    ctx: DateContext,
) -> DateFinding:
    """The page's publication date, sources tried in the module docstring's order.

    `entry_date` is `(source name, string)` of the feed entry or record that led to
    the page; `page_text` is called only if no structured source answers."""
    def structured() -> Iterator[tuple[str, str | None]]:
        yield entry_date
        yield from _jsonld_dates(meta.jsonld)
        yield "opengraph", meta_content(tree, *OPENGRAPH_KEYS)
        yield "meta", meta_content(tree, *META_KEYS)
        yield from _time_elements(tree)
        yield "url", date_from_url(url) or date_from_url(meta.canonical_url)

    found = first_date(structured(), ctx)
    if found.value is not None:
        return found
    dated = list(_dated_elements(tree))

    def visible() -> Iterator[tuple[str, str | None]]:
        yield from _text_candidates([*dated, *page_text()[:MAX_SCAN].splitlines()])
        for text in map(_in_english, dated):
            if not LABELLED_DATE.search(text) and (match := _ANY_DATE.search(text)):
                yield "text", match.group(0)

    from_text = first_date(visible(), ctx)
    return DateFinding(from_text.value, from_text.source, found.problems + from_text.problems)
