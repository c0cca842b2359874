"""The fast paths of story assignment decide exactly as the plain ones (issue 8)."""

from __future__ import annotations

import random
from array import array
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from monitor.dedupe import STORY_WINDOW, assign_story, fingerprint
from monitor.dedupe.fingerprint import MAX_FACTS, NUM_PERM
from monitor.dedupe.stories import same_event_score
from monitor.models import (
    CleanArticle,
    Decision,
    DedupVerdict,
    StoryCandidate,
    StoryVerdict,
    Tagging,
)
from monitor.store import Store

from .conftest import text

NOON = datetime(2024, 10, 14, 12, 0, tzinfo=UTC)


def _signature(rng: random.Random, minhash: list[int], facts: list[int]) -> tuple[int, ...]:
    return (*minhash, *sorted(set(facts))[:MAX_FACTS])


def _slow(article, tagging, verdict, candidates, kinds):  # every candidate, one by one
    best = None
    for c in candidates:
        score = same_event_score(article, tagging, verdict, c, kinds)
        if score is not None and (best is None or score > best[0]):
            best = (score, c)
    return None if best is None else (best[1].story_id, round(best[0], 3), best[1].article_id)


def test_all_at_once_scoring_picks_what_one_by_one_scoring_picks() -> None:
    """Random signatures around the thresholds: shared wording near TEMPLATE, shared
    facts near MIN_SHARED_FACTS and SAME_EVENT, sketches below and at MAX_FACTS."""
    rng = random.Random(5)
    pool = [rng.randrange(2**32) for _ in range(400)]
    kinds = {"Sopore": "place", "Kulgam": "place"}
    joined = 0
    for _ in range(60):
        base = [rng.randrange(2**32) for _ in range(NUM_PERM)]
        mine = _signature(rng, base, rng.sample(pool, rng.choice((5, 20, 63, 64, 90))))
        article = CleanArticle(source="s", url=None, text="x", published=NOON)
        verdict = DedupVerdict(canonical_url=None, content_hash="h", signature=mine)
        tagging = Tagging(concepts=rng.choice(((), ("Sopore",), ("Kulgam", "Militancy"))))
        candidates = []
        for i in range(40):
            kept = rng.choice((0, 5, 12, 13, 30))  # MinHash positions agreeing with ours
            minhash = base[:kept] + [rng.randrange(2**32) for _ in range(NUM_PERM - kept)]
            facts = rng.sample(mine[NUM_PERM:], min(rng.randrange(12), len(mine) - NUM_PERM))
            facts += rng.sample(pool, rng.choice((0, 10, 40, 70)))
            signature: tuple[int, ...] | array[int] | None = _signature(rng, minhash, facts)
            if i % 7 == 0:
                signature = array("I", signature)  # as the store hands them out
            elif i % 11 == 0:
                signature = rng.choice((None, (), tuple(minhash[:100])))
            candidates.append(StoryCandidate(
                article_id=i, story_id=100 + i, title=None,
                published=NOON + timedelta(hours=rng.choice((0, 20, 40))),
                concepts=rng.choice(((), ("Sopore",), ("Kulgam",))),
                signature=signature))  # type: ignore[arg-type]
        fast = assign_story(article, tagging, verdict, candidates, kinds)
        slow = _slow(article, tagging, verdict, candidates, kinds)
        joined += fast.story_id is not None
        assert (None if fast.story_id is None else
                (fast.story_id, fast.similarity, fast.with_article)) == slow
    assert 10 < joined < 60  # both outcomes are exercised


def _save(store: Store, name: str, url: str, story: int | None = None):
    a = CleanArticle(source="A", url=url, text=text(name), published=NOON)
    fp = fingerprint(a.text)
    v = DedupVerdict(canonical_url=url, content_hash=fp.content_hash,
                     band_keys=fp.band_keys, signature=fp.signature)
    return store.save(Decision(article=a, dedup=v, tagging=Tagging(),
                               story=StoryVerdict(story, "new")))


def test_story_candidates_see_an_update_of_a_memoised_article(tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        saved = _save(store, "market-day1", "https://a.example/m")
        first = store.story_candidates(NOON, STORY_WINDOW, (), ())
        assert [c.signature for c in first] == [array("I", fingerprint(
            text("market-day1")).signature)]
        assert store.story_candidates(NOON, STORY_WINDOW, (), ())[0] is first[0]  # memoised
        a = CleanArticle(source="A", url="https://a.example/m", text=text("report-own-b"),
                         published=NOON)
        fp = fingerprint(a.text)
        v = DedupVerdict(canonical_url="https://a.example/m", content_hash=fp.content_hash,
                         band_keys=fp.band_keys, signature=fp.signature,
                         update_of=saved.article_id, method="url")
        store.save(Decision(article=a, dedup=v, tagging=Tagging(),
                            story=StoryVerdict(None, "update")))
        again = store.story_candidates(NOON, STORY_WINDOW, (), ())
        assert list(again[0].signature or ()) == list(fp.signature)


def test_a_new_story_is_written_with_the_figures_a_refresh_would_give(
        tmp_path: Path) -> None:
    with Store(tmp_path / "c.db") as store:
        a = CleanArticle(source="A", url="https://a.example/n", text=text("market-day1"),
                         title="Market", published=NOON)
        fp = fingerprint(a.text)
        v = DedupVerdict(canonical_url=a.url, content_hash=fp.content_hash,
                         band_keys=fp.band_keys, signature=fp.signature)
        saved = store.save(Decision(article=a, dedup=v, story=StoryVerdict(None, "new"),
                                    tagging=Tagging(concepts=("Sopore", "Kashmir"))))
        row = store.db["stories"].get(saved.story_id)
        store._refresh_story(saved.story_id)
        assert store.db["stories"].get(saved.story_id) == row
        assert (row["articles"], row["lead_article_id"]) == (1, saved.article_id)


def test_stories_started_in_a_batch_name_their_lead_when_it_commits(tmp_path: Path) -> None:
    """Inside a batch the leads of new stories are named at its end: each is its first
    article, a story joined meanwhile keeps the lead its refresh gave, and a batch
    rolled back leaves nothing for the next one to apply."""
    def decision(name: str, url: str, story: StoryVerdict) -> Decision:
        a = CleanArticle(source="A", url=url, text=text(name), title=name, published=NOON)
        fp = fingerprint(a.text)
        v = DedupVerdict(canonical_url=url, content_hash=fp.content_hash,
                         band_keys=fp.band_keys, signature=fp.signature)
        return Decision(article=a, dedup=v, story=story, tagging=Tagging())

    with Store(tmp_path / "c.db") as store:
        first = store.save(decision("market-day1", "https://a.example/1",
                                    StoryVerdict(None, "new")))  # outside a batch
        joins_first = StoryVerdict(first.story_id, "similar", 0.5, first.article_id)
        try:
            with store.batch():  # rolled back: its story's lead must not land later
                store.save(decision("wire-original", "https://a.example/gone",
                                    StoryVerdict(None, "new")))
                store.save(decision("market-day2", "https://a.example/gone-too", joins_first))
                raise RuntimeError("the batch fails")
        except RuntimeError:
            pass
        with store.batch():  # the same ids again, for other stories
            joined = store.save(decision("market-day2", "https://a.example/2", joins_first))
            new = store.save(decision("wire-original", "https://a.example/3",
                                      StoryVerdict(None, "new")))
            other = store.save(decision("wire-syndicated", "https://a.example/4",
                                        StoryVerdict(None, "new")))
            store.save(decision("encounter-kulgam", "https://a.example/5",
                                StoryVerdict(other.story_id, "similar", 0.5,
                                             other.article_id)))
        leads = dict(store.db.conn.execute("SELECT id, lead_article_id FROM stories"))
        assert leads == {first.story_id: first.article_id, new.story_id: new.article_id,
                         other.story_id: other.article_id}
        assert (joined.story_id, store.db["stories"].get(other.story_id)["articles"]) == (
            first.story_id, 2)


@pytest.mark.parametrize("savepoint", ["batch", "atomic"])
def test_a_batch_nested_and_rolled_back_leaves_no_lead_behind(tmp_path: Path,
                                                              savepoint: str) -> None:
    """A savepoint inside a batch (a nested batch, or sqlite-utils' `atomic`) rolled
    back takes its stories away, and their ids come back for the next stories of the
    outer batch: those get their own leads."""
    def decision(name: str, url: str, story: StoryVerdict | None = None) -> Decision:
        a = CleanArticle(source="A", url=url, text=text(name), title=name, published=NOON)
        fp = fingerprint(a.text)
        v = DedupVerdict(canonical_url=url, content_hash=fp.content_hash,
                         band_keys=fp.band_keys, signature=fp.signature)
        return Decision(article=a, dedup=v, story=story or StoryVerdict(None, "new"),
                        tagging=Tagging())

    with Store(tmp_path / "c.db") as store, store.batch():
        first = store.save(decision("market-day1", "https://a.example/1"))
        try:
            with store.batch() if savepoint == "batch" else store.db.atomic():
                store.save(decision("wire-original", "https://a.example/gone"))
                raise RuntimeError("the nested part fails")
        except RuntimeError:
            pass
        store.save(decision("market-day2", "https://a.example/joins",  # takes the gone id
                            StoryVerdict(first.story_id, "similar", 0.5, first.article_id)))
        kept = store.save(decision("wire-syndicated", "https://a.example/2"))
    with Store(tmp_path / "c.db") as store:
        leads = dict(store.db.conn.execute("SELECT id, lead_article_id FROM stories"))
        urls = dict(store.db.conn.execute("SELECT id, url FROM articles"))
    assert leads == {first.story_id: first.article_id, kept.story_id: kept.article_id}
    assert urls[leads[kept.story_id]] == "https://a.example/2"


def test_an_article_stating_no_facts_needs_no_candidates() -> None:
    """`can_join_story` false means `assign_story` says "new" whatever the candidates
    (the pipeline then skips the lookup)."""
    from monitor.dedupe import can_join_story

    rng = random.Random(8)
    base = [rng.randrange(2**32) for _ in range(NUM_PERM)]
    article = CleanArticle(source="s", url=None, text="x", published=NOON)
    bare = DedupVerdict(canonical_url=None, content_hash="h", signature=tuple(base))
    assert not can_join_story(bare)
    candidates = [StoryCandidate(i, i, "t", NOON, (), (*base[:5], *base[5:],
                                 *range(10 + i, 80 + i))) for i in range(1, 30)]
    assert assign_story(article, Tagging(), bare, candidates) == StoryVerdict(None, "new")
    with_facts = DedupVerdict(canonical_url=None, content_hash="h", signature=(*base, 1, 2, 3))
    assert can_join_story(with_facts)
    assert can_join_story(DedupVerdict(canonical_url=None, content_hash="h", signature=(),
                                       duplicate_of=4))
