"""Which story (event) an article belongs to (issue 5).

A duplicate joins its original's story (the pipeline asks the store for it; this
function also honours it when the original is among the candidates). Otherwise the
article joins the story of the stored first copy that most looks like another
report of the same event, or starts a new story (`StoryVerdict(None, "new")`).

"Another report of the same event" is decided from what the store keeps about each
candidate: its signature (word 3-shingle MinHash, then the hashes of the names and
figures it states, see `fingerprint`), its concepts and its publication time.

- Close in time: published within STORY_WINDOW of each other (36 hours), and the
  further apart, the more they must share (SAME_EVENT_PER_DAY, 0.2 a day). Reports of
  one happening (an attack, a vote count, a ruling, a match) follow it within hours;
  a later development, or the same desk's report on the next day, is another story.
- Same facts, other words: the two texts share at least SAME_EVENT (0.1) of their
  names and figures (Jaccard) and at least MIN_SHARED_FACTS (3) of them, while
  sharing little wording (3-shingle Jaccard below TEMPLATE, 0.1). Independent reports
  are written separately, so their wording barely overlaps (J < 0.03 on dev); shared
  wording without being a copy is the mark of a desk's template (the market close,
  the weather bulletin, the league round-up) or of a digest quoting a lead, and
  those are other events. Names are capitalised words seen mid-sentence and never
  in lower case, so generic sentence openers do not count as shared facts.
- Same places: when both articles name places (taxonomy kind `place`/`district`/
  `city`) and share none, they are about different happenings (two encounters in
  two districts), whatever else they share.
- Shared taxonomy concepts add a little (CONCEPT_WEIGHT x their Jaccard) to the fact
  similarity; they are coarse (most Kashmir articles share "Jammu and Kashmir"), so
  they can break ties but never group on their own.

Trade-off: an independent report that reuses a wire paragraph word for word looks
like a template and stays apart; a desk that shares fewer than MIN_SHARED_FACTS
names and figures with the other report (a short brief) starts its own story.

Speed (issue 8: the ordered writer of a backfill scores ~50 candidates an article):
`_plausible` first runs the two tests that reject almost every candidate (too few
shared facts, then shared wording), with bounds that can only let through more than
the exact tests do; `same_event_score` then decides on the few left, so the verdicts
are exactly those of scoring every candidate.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

import numpy as np

from ..models import (
    CleanArticle,
    DedupVerdict,
    StoryCandidate,
    StoryVerdict,
    Tagging,
)
from .decide import agreement
from .fingerprint import MAX_FACTS, NUM_PERM, estimated_jaccard, fact_sets_overlap

__all__ = ["SAME_EVENT", "STORY_WINDOW", "TEMPLATE", "assign_story", "can_join_story"]

STORY_WINDOW = timedelta(hours=36)
SAME_EVENT = 0.1
SAME_EVENT_PER_DAY = 0.2
MIN_SHARED_FACTS = 3
TEMPLATE = 0.1
CONCEPT_WEIGHT = 0.1
PLACE_KINDS = frozenset({"place", "district", "city", "town", "village"})


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
    for c in _plausible(verdict, candidates):
        score = same_event_score(article, tagging, verdict, c, kinds or {},
                                 wording_checked=True)
        if score is not None and (best is None or score > best[0]):
            best = (score, c)
    if best is None:
        return StoryVerdict(None, "new")
    return StoryVerdict(best[1].story_id, "similar", round(best[0], 3), best[1].article_id)


def can_join_story(verdict: DedupVerdict) -> bool:
    """Whether any stored first copy could be a report of this article's event.

    One that states fewer than MIN_SHARED_FACTS names and figures cannot share that
    many: it starts its own story whatever is stored, so the pipeline need not look
    up candidates (issue 8: feed summaries state few, and their ~100 same-day
    candidates were most of the writer). A duplicate or an update always has a story
    to join.
    """
    if verdict.duplicate_of is not None or verdict.update_of is not None:
        return True
    return len(verdict.signature) - NUM_PERM >= MIN_SHARED_FACTS


def same_event_score(
    article: CleanArticle,
    tagging: Tagging,
    verdict: DedupVerdict,
    c: StoryCandidate,
    kinds: Mapping[str, str],
    *,
    wording_checked: bool = False,
) -> float | None:
    """How strongly `c` looks like another report of the article's event; None if not.

    `wording_checked`: `_plausible` already found their wording apart (the TEMPLATE
    test, same arithmetic), so it is not computed twice.
    """
    if not wording_checked and estimated_jaccard(verdict.signature, c.signature) >= TEMPLATE:
        return None  # shared wording but not a copy: a template or a digest
    apart = _hours_apart(article, c)
    if apart is not None and apart > STORY_WINDOW.total_seconds() / 3600:
        return None
    if _different_places(tagging.concepts, c.concepts, kinds):
        return None
    jaccard, _, shared = fact_sets_overlap(verdict.facts, c.facts)
    needed = SAME_EVENT + SAME_EVENT_PER_DAY * (apart or 0.0) / 24
    if jaccard < needed or shared < MIN_SHARED_FACTS:
        return None
    return jaccard + CONCEPT_WEIGHT * _jaccard(set(tagging.concepts), set(c.concepts))


def _plausible(
    verdict: DedupVerdict, candidates: Sequence[StoryCandidate]
) -> list[StoryCandidate]:
    """The candidates that may pass `same_event_score`, in their order; a superset.

    The two tests that reject almost every candidate, cheapest first: how many of
    the candidate's fact hashes are among ours (bounded first from the two fact
    masks, `models.fact_mask`, then counted; at least the shared facts
    `fact_overlap` counts; over the size of our bottom-k sketch it bounds its
    Jaccard from above, since the union is never smaller than our side, nor a
    bottom-k sample than MAX_FACTS), then, for the few left, the MinHash agreement
    (the TEMPLATE test, the same arithmetic as `estimated_jaccard`). A candidate
    dropped here would have been rejected there too.
    """
    signature, facts = verdict.signature, verdict.facts
    if not facts or not candidates:
        return []  # no facts of ours: nothing is shared
    need = max(MIN_SHARED_FACTS, (SAME_EVENT - 1e-9) * min(len(facts), MAX_FACTS))
    bits, collided = verdict.fact_mask
    mine: np.ndarray | None = None
    found = []
    for c in candidates:
        their_bits, their_collided = c.fact_mask
        if (bits & their_bits).bit_count() + min(collided, their_collided) < need:
            continue
        if len(facts & c.facts) < need:
            continue
        if mine is None:
            mine = np.asarray(signature[:NUM_PERM], dtype=np.uint32)
        if agreement(mine, c.signature) < TEMPLATE:
            found.append(c)
    return found


def _hours_apart(article: CleanArticle, c: StoryCandidate) -> float | None:
    if article.published is None or c.published is None:
        return None
    return abs((article.published - c.published).total_seconds()) / 3600


def _different_places(
    mine: tuple[str, ...], theirs: tuple[str, ...], kinds: Mapping[str, str]
) -> bool:
    a = {c for c in mine if kinds.get(c) in PLACE_KINDS}
    b = {c for c in theirs if kinds.get(c) in PLACE_KINDS}
    return bool(a and b and not a & b)


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0
