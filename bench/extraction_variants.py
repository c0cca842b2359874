"""Ablations of our extractor, for `bench/extraction.py` (issue 4).

Each function has the shared scorer's `--module` signature: `(html, url=None) ->
text | None`. They show what each part of `monitor.clean.html.extract_text` adds:
the headline drop and the agreement veto, alone and together. Not used by the
product.
"""

from __future__ import annotations

from copy import deepcopy

import trafilatura
from lxml.etree import strip_elements

from monitor.clean.combine import combine_paragraphs
from monitor.clean.html import NEVER_TEXT, _readability, _words_of, headlines, parse_html
from monitor.clean.normalize import paragraphs

__all__ = ["fast_only", "fast_titles", "fast_veto"]


def _run(html: str, url: str | None, *, veto: bool, titles: bool) -> str | None:
    tree = parse_html(html)
    if tree is None:
        return None
    pruned = deepcopy(tree)
    strip_elements(pruned, *NEVER_TEXT, with_tail=False)
    base = trafilatura.extract(pruned, url=url, include_comments=False, fast=True)
    if not base:
        return None
    other = _words_of(_readability(pruned)) if veto else None
    kept = combine_paragraphs(
        paragraphs(base, lines_are_paragraphs=True), other, headlines(tree) if titles else ()
    )
    return "\n\n".join(kept)


def fast_only(html: str, url: str | None = None) -> str | None:
    """trafilatura fast mode on our pruned tree, normalised; no veto, headline kept."""
    return _run(html, url, veto=False, titles=False)


def fast_titles(html: str, url: str | None = None) -> str | None:
    """trafilatura fast mode, headline paragraphs dropped; no veto."""
    return _run(html, url, veto=False, titles=True)


def fast_veto(html: str, url: str | None = None) -> str | None:
    """trafilatura fast mode with the readability veto; headline kept."""
    return _run(html, url, veto=True, titles=False)

