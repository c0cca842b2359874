"""Which story (event) an article belongs to (issue 5).

A duplicate or an update joins its original's story. Otherwise the article joins the
story of the most similar recent first copy when they look like reports of the same
event, and else starts a new story (`StoryVerdict(None, "new")`; the store creates it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from ..models import CleanArticle, DedupVerdict, StoryCandidate, StoryVerdict, Tagging
from .fingerprint import estimated_jaccard

__all__ = ["STORY_WINDOW", "assign_story"]

STORY_WINDOW = timedelta(days=3)
SAME_EVENT = 0.25


def assign_story(
    article: CleanArticle,
    tagging: Tagging,
    verdict: DedupVerdict,
    candidates: list[StoryCandidate],
    kinds: Mapping[str, str] | None = None,
) -> StoryVerdict:
    """Join the original's story, or the story of a report of the same event, or none."""
    original = verdict.duplicate_of if verdict.duplicate_of is not None else verdict.update_of
    if original is not None:
        for c in candidates:
            if c.article_id == original:
                return StoryVerdict(c.story_id, "duplicate", verdict.similarity, original)
    best: tuple[float, StoryCandidate] | None = None
    for c in candidates:
        score = _score(article, tagging, verdict, c)
        if score >= SAME_EVENT and (best is None or score > best[0]):
            best = (score, c)
    if best is None:
        return StoryVerdict(None, "new")
    return StoryVerdict(best[1].story_id, "similar", round(best[0], 3), best[1].article_id)


def _score(
    article: CleanArticle, tagging: Tagging, verdict: DedupVerdict, c: StoryCandidate
) -> float:
    if article.published and c.published:
        if abs(article.published - c.published) > STORY_WINDOW:
            return 0.0
    text = estimated_jaccard(verdict.signature, c.signature)
    mine, theirs = set(tagging.concepts), set(c.concepts)
    shared = len(mine & theirs) / len(mine | theirs) if mine | theirs else 0.0
    return 0.6 * text + 0.4 * shared
