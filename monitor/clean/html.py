"""Main-text extraction from article HTML (issue 4).

The page is parsed once (`parse_html`) and every reader works on that tree.
Extraction runs two extractors on one pruned copy and combines them by agreement
(`monitor.clean.combine`): trafilatura in fast mode (no comments) as the base, and
the readability algorithm (trafilatura's bundled port, 5x faster than
readability-lxml and as good a second opinion; measured in BENCHMARKS.md) as the
veto. Paragraphs that repeat the headline are dropped: the title is its own field.
"""

from __future__ import annotations

import html as htmllib
import logging
import re
from collections.abc import Iterable
from copy import deepcopy

import trafilatura
from lxml.etree import strip_elements
from lxml.html import HtmlElement
from trafilatura.utils import load_html

from monitor.clean.combine import combine_paragraphs
from monitor.clean.fragments import html_fragment_to_text
from monitor.clean.normalize import paragraphs, squash

__all__ = ["extract_from_tree", "extract_text", "headlines", "page_text", "parse_html"]

log = logging.getLogger(__name__)

# trafilatura logs every page it finds too short at ERROR; for us that is a result.
for _name in ("trafilatura", "htmldate", "readability"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

# Never article text; removed once before both extractors (each would do it again).
NEVER_TEXT = (
    "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object",
    "embed", "video", "audio", "map", "button", "select", "textarea", "input",
)
MAX_OPINION = 1_000_000  # characters of the second extractor's HTML compared
_TAG = re.compile(r"<[^>]*>")
_DOCUMENT = re.compile(r"<(?:html|body|head)\b", re.I)


def parse_html(html: str) -> HtmlElement | None:
    """The page's lxml tree, or None when the body is not HTML we can parse."""
    if not html or not html.strip():
        return None
    try:
        tree = load_html(html)
        if tree is None and "<" in html and not _DOCUMENT.search(html[:5000]):
            # A fragment (JSONL `html`, a feed's content): give it a document around it.
            tree = load_html(f"<html><body>{html}</body></html>")
        return tree
    except Exception:  # lxml raises several types on junk; none should escape
        log.debug("unparseable HTML", exc_info=True)
        return None


def headlines(tree: HtmlElement) -> list[str]:
    """Texts the page gives as its headline (og:title, the first <h1>s, <title>)."""
    found = [squash(h.text_content()) for h in list(tree.iter("h1"))[:3]]
    for meta in tree.iter("meta"):
        name = (meta.get("property") or meta.get("name") or "").lower()
        if name in ("og:title", "twitter:title"):
            found.append(squash(meta.get("content") or ""))
    title = next(tree.iter("title"), None)
    if title is not None:
        found.append(squash(title.text_content()))
    return [t for t in found if t]


def _readability(tree: HtmlElement) -> str | None:
    """HTML of the readability algorithm's choice of content block (mutates `tree`)."""
    try:
        from trafilatura.readability_lxml import Document

        return str(Document(tree, min_text_length=25).summary()) or None
    except Exception:
        log.debug("readability failed", exc_info=True)
        return None


def _words_of(summary: str | None) -> str | None:
    """The words of an HTML summary, for agreement only (layout does not matter);
    a bounded prefix keeps hostile pages cheap."""
    return htmllib.unescape(_TAG.sub(" ", summary[:MAX_OPINION])) if summary else None


def extract_from_tree(
    tree: HtmlElement, url: str | None = None, titles: Iterable[str | None] = ()
) -> str | None:
    """The article's text from a parsed page (`tree` is not modified).

    Returns normalised paragraphs separated by blank lines, or None if none found.
    """
    pruned = deepcopy(tree)
    strip_elements(pruned, *NEVER_TEXT, with_tail=False)
    try:
        base = trafilatura.extract(pruned, url=url, include_comments=False, fast=True)
    except Exception:
        log.debug("trafilatura failed", exc_info=True)
        base = None
    summary = _readability(pruned)
    titles = [*titles, *headlines(tree)]
    if not base:
        # The base found nothing: the second opinion, alone, is better than nothing.
        fallback = paragraphs(html_fragment_to_text(summary)) if summary else []
        return "\n\n".join(combine_paragraphs(fallback, None, titles)) or None
    kept = combine_paragraphs(
        paragraphs(base, lines_are_paragraphs=True), _words_of(summary), titles
    )
    return "\n\n".join(kept) or None


def extract_text(html: str, url: str | None = None) -> str | None:
    """Page HTML in, clean article text out (the shared scorer's `--module` entry)."""
    tree = parse_html(html)
    if tree is None:
        return None
    try:
        return extract_from_tree(tree, url)
    except Exception:
        log.debug("extraction failed", exc_info=True)
        return None


def page_text(tree: HtmlElement) -> str:
    """All visible text of the page, one block per line (for date search)."""
    import html_text

    try:
        return str(html_text.extract_text(tree, guess_layout=True))
    except Exception:
        return ""
