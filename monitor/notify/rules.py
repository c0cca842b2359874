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


def query_matches(query: str, text: str) -> bool:
    """Every word of the query appears in the text (case-insensitive, as FTS5 reads it)."""
    wanted = {w.casefold() for w in _WORD.findall(query)}
    if not wanted:
        return False
    present = {w.casefold() for w in _WORD.findall(text)}
    return wanted <= present


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
