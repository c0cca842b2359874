"""Dedup and stories (issue 5): the same article never twice, one story per event.

Pure functions; the pipeline looks up candidates in the store and passes them in:

    canon   = canonical_url(article.url, article.page_canonical_url)
    fp      = fingerprint(article.text, article.title)
    verdict = decide_duplicate(article, fp, canon, by_url, by_hash, near)
    story   = assign_story(article, tagging, verdict, candidates, kinds)

`STORY_WINDOW` is the time window the pipeline passes to `store.story_candidates`.
"""

from __future__ import annotations

from .decide import NEAR_DUPLICATE, decide_duplicate
from .fingerprint import Fingerprint, estimated_jaccard, fingerprint
from .stories import STORY_WINDOW, assign_story, can_join_story
from .urls import canonical_url

__all__ = [
    "NEAR_DUPLICATE",
    "STORY_WINDOW",
    "Fingerprint",
    "assign_story",
    "can_join_story",
    "canonical_url",
    "decide_duplicate",
    "estimated_jaccard",
    "fingerprint",
]
