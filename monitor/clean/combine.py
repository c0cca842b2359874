"""Combining two extractors by agreement (issue 4, BENCHMARKS.md "Cleaning").

Single extractors fail differently: trafilatura's fast mode keeps nearly all of the
article (high recall) but sometimes also a teaser list, a caption block or a
comment thread beside it; a readability-style extractor picks one content block
and misses other things. Neither is best on every page, so one acts as the base
and the other as a veto:

- a base paragraph is *supported* when most of its word trigrams also occur in
  the second extractor's text (robust to the two splitting paragraphs differently);
- the *agreed span* runs from the first to the last supported paragraph;
- inside the span every base paragraph is kept (a subhead or a short quote that
  the other extractor dropped is still the article);
- outside the span an unsupported paragraph survives only when it is long, i.e.
  reads like article prose rather than a teaser, caption or footer line;
- paragraphs that repeat the headline are dropped everywhere (the title is its
  own field; extractors disagree on whether to include it), and so are paragraphs
  without a word (a Markdown table rule, a row of asterisks).

Trade-off: text the base missed is never added from the second extractor (that
adds captions and duplicates more often than article text; measured), so recall is
the base's. When the second extractor finds nothing, the base is taken as is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

__all__ = ["combine_paragraphs", "paragraph_key", "support"]

SUPPORTED = 0.5  # share of a paragraph's trigrams found in the other text
LONG_PARAGRAPH = 25  # words: unsupported text outside the agreed span must be this long
_WORD = re.compile(r"\w+")


def paragraph_key(text: str) -> str:
    """A comparison key: lower-case words only (punctuation and spacing ignored)."""
    return " ".join(_WORD.findall(text.lower()))


def _trigrams(words: Sequence[str]) -> set[tuple[str, ...]]:
    if len(words) < 3:
        return {tuple(words)} if words else set()
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def support(paragraph: str, other: set[tuple[str, ...]]) -> float:
    """Share of the paragraph's word trigrams that occur in `other` (0 to 1)."""
    grams = _trigrams(_WORD.findall(paragraph.lower()))
    return len(grams & other) / len(grams) if grams else 0.0


def combine_paragraphs(
    base: Sequence[str], other_text: str | None, titles: Iterable[str | None] = ()
) -> list[str]:
    """Base paragraphs kept by agreement with `other_text` (see the module docstring)."""
    title_keys = {paragraph_key(t) for t in titles if t} - {""}
    # A paragraph without a single word (a table's |---| rule, a row of stars) is layout.
    paragraphs = [p for p in base if paragraph_key(p) not in title_keys | {""}]
    if not paragraphs or not other_text:
        return paragraphs
    other = _trigrams(_WORD.findall(other_text.lower()))
    supported = [support(p, other) >= SUPPORTED for p in paragraphs]
    agreed = [i for i, ok in enumerate(supported) if ok]
    if not agreed:
        return paragraphs  # no common ground: nothing to judge the base by
    first, last = agreed[0], agreed[-1]
    return [
        p
        for i, p in enumerate(paragraphs)
        if first <= i <= last or supported[i] or len(p.split()) >= LONG_PARAGRAPH
    ]
