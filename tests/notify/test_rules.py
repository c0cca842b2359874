"""Alert rules against tagged articles (pure: no database)."""

from __future__ import annotations

from monitor.config import AlertRule
from monitor.models import CleanArticle, Mention, Tagging
from monitor.notify.rules import match_rules, query_matches

TEXT = "Troops exchanged fire along the Line of Control near Uri on Saturday night."
ARTICLE = CleanArticle(source="wire", url="https://n.example/1", text=TEXT,
                       title="Firing near Uri")
TAGGING = Tagging(
    mentions=(Mention("Line of Control", "Line of Control", "text", 32, 47, TEXT),
              Mention("Uri", "Uri", "title", 12, 15, "Firing near Uri")),
    concepts=("Line of Control", "Uri"), related=True, relevance=0.7)


def rule(**kw) -> AlertRule:
    return AlertRule.model_validate({"name": "r", "channels": ["c1", "c2"], **kw})


def test_concepts_relevance_sources_and_title_only() -> None:
    assert len(match_rules(ARTICLE, TAGGING, [rule(concepts=["line of control"])])) == 2
    assert match_rules(ARTICLE, TAGGING, [rule(concepts=["Line of Control"],
                                               min_relevance=0.8)]) == ()
    assert match_rules(ARTICLE, TAGGING, [rule(concepts=["Line of Control"],
                                               title_only=True)]) == ()
    assert match_rules(ARTICLE, TAGGING, [rule(concepts=["Uri"], title_only=True)])
    assert match_rules(ARTICLE, TAGGING, [rule(concepts=["Uri"], sources=["other"])]) == ()


def test_query_words_and_phrases() -> None:
    assert query_matches("troops uri", TEXT)
    assert query_matches('"line of control" fire', TEXT)
    assert not query_matches('"control of line"', TEXT)
    assert not query_matches("troops shelling", TEXT)
    assert not query_matches('""', TEXT)
    both = rule(concepts=["Uri"], query='"Saturday night"')
    assert match_rules(ARTICLE, TAGGING, [both])
    assert match_rules(ARTICLE, TAGGING, [rule(query="troops", title_only=True)]) == ()


def test_a_rule_without_concepts_or_query_takes_related_articles() -> None:
    assert match_rules(ARTICLE, TAGGING, [rule()])
    assert match_rules(ARTICLE, Tagging(), [rule()]) == ()
