"""Main-text extraction from article HTML (issue 4).

The page is parsed once (`parse_html`); extraction and metadata read the same tree.
First version: trafilatura in precision mode without comments, the best single
extractor measured on the shared benchmark (see BENCHMARKS.md, "Cleaning").
"""

from __future__ import annotations

import logging

import trafilatura
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from monitor.clean.normalize import normalize_text

__all__ = ["extract_from_tree", "extract_text", "page_text", "parse_html"]

log = logging.getLogger(__name__)

# trafilatura logs every page it finds too short at ERROR; that is a result for us.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def parse_html(html: str) -> HtmlElement | None:
    """The page's lxml tree, or None when the body is not HTML we can parse."""
    if not html or not html.strip():
        return None
    try:
        return load_html(html)
    except Exception:  # lxml raises several types on junk; none should escape
        log.debug("unparseable HTML", exc_info=True)
        return None


def extract_from_tree(tree: HtmlElement, url: str | None = None) -> str | None:
    """The article's text from a parsed page (the tree is not modified)."""
    text = trafilatura.extract(
        tree, url=url, include_comments=False, favor_precision=True, with_metadata=False
    )
    return text or None


def extract_text(html: str, url: str | None = None) -> str | None:
    """Page HTML in, clean article text out (the shared scorer's `--module` entry)."""
    tree = parse_html(html)
    if tree is None:
        return None
    try:
        text = extract_from_tree(tree, url)
    except Exception:
        log.debug("extraction failed", exc_info=True)
        return None
    return normalize_text(text, lines_are_paragraphs=True) if text else None


def page_text(tree: HtmlElement) -> str:
    """All visible text of the page, one block per line (for date search)."""
    import html_text

    try:
        return str(html_text.extract_text(tree, guess_layout=True))
    except Exception:
        return ""
