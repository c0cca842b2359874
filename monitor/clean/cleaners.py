"""One cleaner per body kind; `monitor.clean.CLEANERS` dispatches to them (issue 4).

Each takes a `RawItem` and returns a `CleanArticle`. They assemble what the
specialised modules find (text, metadata, date, language) and collect problems.
"""

from __future__ import annotations

import re

from lxml.html import HtmlElement

from monitor.clean.datefind import DateFinding, date_from_text, find_html_date, first_date
from monitor.clean.fragments import html_fragment_to_text
from monitor.clean.html import extract_from_tree, page_text, parse_html
from monitor.clean.language import choose_language, language_from_tag
from monitor.clean.metadata import PageMeta, clean_title, read_metadata
from monitor.clean.normalize import normalize_text, squash
from monitor.clean.textpage import read_text_page
from monitor.models import CleanArticle, RawItem

__all__ = ["clean_html", "clean_text", "clean_text_page"]

FRAGMENT_SIZE = 100_000  # characters: a body without <html>/<body> this small is a fragment
_DOCUMENT = re.compile(r"<(?:html|body|head)\b", re.I)
MAX_HTML = 12_000_000  # characters; fetch caps bodies at 10 MB, archives may not


def _entry(raw: RawItem) -> str:
    """`published_from` for the item's own date: its JSONL record, else its feed entry
    (or sitemap entry)."""
    return {"jsonl": "jsonl", "sitemap": "sitemap"}.get(raw.origin, "feed")


def _finish(
    raw: RawItem,
    text: str,
    title: str | None,
    found: DateFinding,
    problems: list[str],
    **extra: str | None,
) -> CleanArticle:
    problems.extend(found.problems)
    if not text:
        problems.append("no article text found")
    if found.value is None:
        problems.append("publication date unknown")
    declared = language_from_tag(raw.language) or extra.pop("declared_language", None)
    return CleanArticle(
        source=raw.source,
        url=raw.url,
        text=text,
        title=title or None,
        author=extra.get("author") or (squash(raw.author) if raw.author else None),
        published=found.value,
        published_from=found.source,
        language=choose_language(declared, text or title or ""),
        page_canonical_url=extra.get("canonical_url"),
        problems=tuple(dict.fromkeys(problems)),
    )


def clean_text(raw: RawItem) -> CleanArticle:
    """Already-clean text (JSONL `text`, feed summary): normalise it, keep the metadata."""
    text = normalize_text(raw.content or "")
    found = first_date([(_entry(raw), raw.published)], raw.dates)
    title = squash(raw.title) if raw.title else None
    return _finish(raw, text, title, found, [])


def clean_text_page(raw: RawItem) -> CleanArticle:
    """A `.txt` file: the desk's dated format or a web page saved as text."""
    page = read_text_page(raw.content or "")
    text = "\n\n".join(page.paragraphs)
    found = first_date([(_entry(raw), raw.published), ("header", page.header_date)], raw.dates)
    if found.value is None:
        found = date_from_text(raw.content or "", raw.dates)
    title = squash(raw.title) if raw.title else page.title
    return _finish(raw, text, title, found, [], author=page.author)


def clean_html(raw: RawItem) -> CleanArticle:
    """A web page: main text, metadata, date and language from one parsed tree."""
    problems: list[str] = []
    html = raw.content or ""
    if len(html) > MAX_HTML:
        problems.append(f"page truncated to {MAX_HTML} characters")
        html = html[:MAX_HTML]
    tree = parse_html(html)
    if tree is None:
        problems.append("body is not parseable HTML")
        found = first_date([(_entry(raw), raw.published)], raw.dates)
        return _finish(raw, "", squash(raw.title) if raw.title else None, found, problems)
    meta = read_metadata(tree, raw.url)
    if len(html) < FRAGMENT_SIZE and not _DOCUMENT.search(html[:5000]):
        # A fragment (no <html>, <head> or <body>) has no boilerplate to remove, and
        # page extractors drop short texts: keep all of its text.
        text = html_fragment_to_text(html)
    else:
        text = _extract(tree, raw.url, [meta.title, raw.title], problems)
    found = find_html_date(
        tree, meta, raw.url, lambda: page_text(tree), (_entry(raw), raw.published), raw.dates
    )
    return _meta_article(raw, meta, text, found, problems)


def _extract(
    tree: HtmlElement, url: str | None, titles: list[str | None], problems: list[str]
) -> str:
    """The extractor's text; a failure inside it is reported, not raised."""
    try:
        return extract_from_tree(tree, url, titles) or ""
    except Exception as exc:  # an extractor bug costs the text, not the item
        problems.append(f"extraction failed: {type(exc).__name__}")
        return ""


def _meta_article(
    raw: RawItem, meta: PageMeta, text: str, found: DateFinding, problems: list[str]
) -> CleanArticle:
    # The feed entry's title first, as for dates: it names the article, not the page.
    title = clean_title(normalize_text(raw.title), meta.site_name) if raw.title else None
    title = title or meta.title
    return _finish(
        raw,
        text,
        title,
        found,
        problems,
        author=meta.author,
        canonical_url=meta.canonical_url,
        declared_language=meta.language,
    )
