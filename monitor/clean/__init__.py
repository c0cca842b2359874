"""The cleaning stage: a raw item in, the article's own text and metadata out (issue 4).

`clean_item` dispatches on `RawItem.body` through `CLEANERS`; every cleaner returns
a `CleanArticle`. The stage is pure (no network, no database) and never raises:
whatever could not be extracted is said in `CleanArticle.problems`.

    Body.HTML       -> cleaners.clean_html       one parsed tree for everything below
    Body.TEXT       -> cleaners.clean_text       already clean text: normalise only
    Body.TEXT_PAGE  -> cleaners.clean_text_page  the desk's .txt format or a saved page

The modules, one concern each:

    html.py       parse once; main text by trafilatura + readability (combine.py)
    combine.py    agreement between two extractors, paragraph by paragraph
    metadata.py   title, author, canonical URL, declared language, JSON-LD
    datefind.py   where the date comes from: feed, JSON-LD, meta, <time>, URL, text
    dates.py      reading one date string under the source's zone and date order
    textpage.py   .txt: desk date header, saved-page boilerplate, title rule
    language.py   ISO 639-1 by script, then py3langid
    fragments.py  HTML fragments (feed summaries) to text, with BeautifulSoup
    normalize.py  NFC, entities, whitespace, paragraphs

Also exported for other stages: `parse_date` (feed and JSONL dates),
`html_fragment_to_text` (feed summaries), `detect_language`, and `extract_text`
(page HTML to article text; the shared benchmark's `--module` entry).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from monitor.clean.cleaners import clean_html, clean_text, clean_text_page
from monitor.clean.dates import parse_date
from monitor.clean.fragments import html_fragment_to_text
from monitor.clean.html import extract_text
from monitor.clean.language import detect_language
from monitor.models import Body, CleanArticle, RawItem

__all__ = [
    "CLEANERS",
    "clean_item",
    "detect_language",
    "extract_text",
    "html_fragment_to_text",
    "parse_date",
]

log = logging.getLogger(__name__)

CLEANERS: dict[Body, Callable[[RawItem], CleanArticle]] = {
    Body.HTML: clean_html,
    Body.TEXT: clean_text,
    Body.TEXT_PAGE: clean_text_page,
}


def clean_item(raw: RawItem) -> CleanArticle:
    """Clean one raw item; never raises (problems go into `CleanArticle.problems`)."""
    try:
        cleaner = CLEANERS.get(Body(raw.body), clean_text)
        return cleaner(raw)
    except Exception as exc:  # the contract: a bad item is a result, not a crash
        log.warning("cleaning failed", extra={"source": raw.source, "url": raw.url}, exc_info=True)
        return CleanArticle(
            source=raw.source,
            url=raw.url,
            text="",
            title=raw.title,
            problems=(f"cleaning failed: {type(exc).__name__}: {str(exc)[:200]}",),
        )
