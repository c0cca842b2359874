"""ingest(item): clean -> fingerprint -> tag, then dedupe -> story -> alerts -> store.

The work splits in two so that backfill can spread the expensive half over cores:

* `analyse(raw, taxonomy)` is pure: cleaning, the content fingerprint and tagging
  depend only on the item (and run in worker processes when there are cores to
  spare);
* `Pipeline.commit(analysis)` looks up what the decisions need in the store, asks
  the dedupe, story and alert stages to decide, and hands the whole `Decision` to
  `store.save` (one transaction). It runs in one thread, in arrival order, so that
  "the first copy" is well defined.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from .clean import clean_item
from .config import AlertRule
from .dedupe import (
    STORY_WINDOW,
    Fingerprint,
    assign_story,
    can_join_story,
    canonical_url,
    decide_duplicate,
    fingerprint,
)
from .models import (
    CandidateArticle,
    CleanArticle,
    Decision,
    DedupVerdict,
    RawItem,
    StoryVerdict,
    Tagging,
)
from .notify.rules import match_rules
from .store import Store
from .tagging import Taxonomy, tag_article

__all__ = ["Analysis", "Outcome", "Pipeline", "analyse"]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Analysis:
    """What can be known about an item without the store."""

    article: CleanArticle
    fingerprint: Fingerprint | None
    canonical_url: str | None
    tagging: Tagging
    origin: str
    skipped: str | None = None  # why there is nothing to store


@dataclass(frozen=True)
class Outcome:
    """What happened to one item: new | duplicate | updated | unchanged | skipped."""

    status: str
    source: str
    url: str | None
    article_id: int | None = None
    story_id: int | None = None
    alerts: int = 0
    reason: str | None = None
    published: datetime | None = None


def analyse(raw: RawItem, taxonomy: Taxonomy) -> Analysis:
    """Clean, fingerprint and tag one raw item (pure; safe in a worker process)."""
    article = clean_item(raw)
    if article.page_canonical_url and (not raw.url or raw.url.startswith("file:")):
        # A page with no URL of its own (a local file, a JSONL line without `url`)
        # names its URL in its canonical link: that is the article's URL (PRODUCT.md).
        article = replace(article, url=article.page_canonical_url)
    if not article.text.strip():
        why = "; ".join(article.problems) or "no article text found"
        return Analysis(article, None, None, Tagging(), raw.origin, skipped=f"empty: {why}")
    fp = fingerprint(article.text, article.title)
    canon = canonical_url(article.url, article.page_canonical_url)
    tagging = tag_article(article.title, article.text, taxonomy)
    return Analysis(article, fp, canon, tagging, raw.origin)


class Pipeline:
    """Decides about analysed items against the stored corpus and stores them."""

    def __init__(
        self,
        store: Store,
        taxonomy: Taxonomy,
        rules: Sequence[AlertRule] = (),
        *,
        alerts: bool = True,
    ) -> None:
        self.store = store
        self.taxonomy = taxonomy
        self.rules = tuple(rules) if alerts else ()
        self.kinds: Mapping[str, str] = {c: taxonomy.kind_of(c) for c in taxonomy.concept_names}

    def ingest(self, raw: RawItem, fetched_at: datetime | None = None) -> Outcome:
        return self.commit(analyse(raw, self.taxonomy), fetched_at)

    def commit(self, analysis: Analysis, fetched_at: datetime | None = None) -> Outcome:
        """Decide and store one analysed item.

        The store's lock is held from the first lookup to the save: two threads
        committing copies of one article must not both find "nothing stored yet".
        """
        article = analysis.article
        if analysis.skipped or analysis.fingerprint is None:
            return Outcome("skipped", article.source, article.url, reason=analysis.skipped)
        with self.store.lock:
            return self._commit(analysis, analysis.fingerprint, fetched_at)

    def _commit(
        self, analysis: Analysis, fp: Fingerprint, fetched_at: datetime | None
    ) -> Outcome:
        article, store = analysis.article, self.store
        canon = analysis.canonical_url
        copies = store.copies_of(canon, fp.content_hash, fp.band_keys)
        near = copies.near
        verdict = decide_duplicate(article, fp, canon, copies.by_url, copies.by_hash, near)
        tagging = analysis.tagging
        story = self._story(article, tagging, verdict, near)
        alerts = ()
        if verdict.duplicate_of is None and self.rules:
            # A duplicate never alerts (its first copy did); an update may, if it now
            # matches a rule: the outbox's key keeps it to once per story anyway.
            alerts = match_rules(article, tagging, self.rules)
        decision = Decision(
            article=article,
            dedup=verdict,
            tagging=tagging,
            story=story,
            alerts=alerts,
            fetched_at=fetched_at,
            extra={"taxonomy": self.taxonomy.fingerprint, "origin": analysis.origin},
        )
        saved = store.save(decision)
        return Outcome(
            saved.status,
            article.source,
            article.url,
            article_id=saved.article_id,
            story_id=saved.story_id,
            alerts=saved.alerts_queued,
            published=article.published,
        )

    def _story(
        self,
        article: CleanArticle,
        tagging: Tagging,
        verdict: DedupVerdict,
        near: Sequence[CandidateArticle],
    ) -> StoryVerdict:
        if verdict.update_of is not None:
            return StoryVerdict(None, "update")  # an update keeps its article's story
        if verdict.duplicate_of is not None:
            return StoryVerdict(
                self.store.story_of(verdict.duplicate_of),
                "duplicate",
                verdict.similarity,
                verdict.duplicate_of,
            )
        if not can_join_story(verdict):
            return StoryVerdict(None, "new")  # states no facts: no candidate can match
        candidates = self.store.story_candidates(
            article.published, STORY_WINDOW, tagging.concepts, verdict.band_keys, near=near
        )
        return assign_story(article, tagging, verdict, candidates, self.kinds)
