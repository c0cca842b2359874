"""Alert rules: which configured rules an article matches (pure; PRODUCT.md `[[alerts]]`).

A rule names concepts and/or a full-text query; both given means both must match.
A rule with neither matches every article related to the taxonomy's topic.
`title_only` asks for the concept (or the query words) in the title; `sources`
narrows the rule to some outlets; `min_relevance` compares with the tagger's score.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..config import AlertRule
from ..models import AlertIntent, CleanArticle, Tagging

__all__ = ["match_rules", "query_matches"]

_WORD = re.compile(r"\w+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _WORD.findall(text)]


def _has_phrase(words: list[str], phrase: list[str]) -> bool:
    n = len(phrase)
    return any(words[i:i + n] == phrase for i in range(len(words) - n + 1))


def query_matches(query: str, text: str) -> bool:
    """Every word of the query appears in the text, and every "quoted phrase" as
    consecutive words (case-insensitive, as `monitor search` reads a query)."""
    phrases = [_words(p) for p in re.findall(r'"([^"]+)"', query)]
    loose = _words(re.sub(r'"[^"]*"', " ", query))
    if not loose and not any(phrases):
        return False
    words = _words(text)
    present = set(words)
    return set(loose) <= present and all(_has_phrase(words, p) for p in phrases if p)


def _rule_matches(rule: AlertRule, article: CleanArticle, tagging: Tagging) -> bool:
    if rule.sources and article.source not in rule.sources:
        return False
    if tagging.relevance < rule.min_relevance:
        return False
    if rule.concepts:
        wanted = {c.casefold() for c in rule.concepts}
        fields = ("title",) if rule.title_only else ("title", "text")
        if not any(m.concept.casefold() in wanted and m.field in fields for m in tagging.mentions):
            return False
    if rule.query:
        haystack = (
            article.title or "" if rule.title_only else f"{article.title or ''}\n{article.text}"
        )
        if not query_matches(rule.query, haystack):
            return False
    if not rule.concepts and not rule.query:
        return tagging.related
    return True


def match_rules(
    article: CleanArticle, tagging: Tagging, rules: Sequence[AlertRule]
) -> tuple[AlertIntent, ...]:
    """One intent per (matching rule, channel)."""
    return tuple(
        AlertIntent(rule.name, channel)
        for rule in rules
        if _rule_matches(rule, article, tagging)
        for channel in rule.channels
    )
