"""The story lookup's concept index stays equal to what it summarises (issue 8).

`story_concepts` lists first copies by concept and time, kept by triggers. These
tests change mentions, dates and first-copy status by every path the product has
(save, a new version at the same URL, retag, prune) and check the index after each,
and that the story lookup finds an article by a concept it gained.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from monitor.dedupe import STORY_WINDOW, canonical_url, decide_duplicate, fingerprint
from monitor.models import CleanArticle, Decision, Mention, StoryVerdict, Tagging
from monitor.store import Store

from .conftest import text
from .test_store import NOON

DERIVED = """SELECT DISTINCT m.concept, coalesce(a.published_utc, a.fetched_at), a.id
             FROM mentions m JOIN articles a ON a.id = m.article_id
             WHERE a.duplicate_of IS NULL ORDER BY 1, 2, 3"""


def assert_index_current(conn: sqlite3.Connection) -> list[tuple[str, str, int]]:
    """The index holds exactly the first copies' (concept, time, id), and returns them."""
    index = conn.execute(
        "SELECT concept, at, article_id FROM story_concepts ORDER BY 1, 2, 3").fetchall()
    assert index == conn.execute(DERIVED).fetchall()
    return index


def _tagging(*concepts: str) -> Tagging:
    mentions = tuple(Mention(c, c.title(), "text", 0, len(c), c.title()) for c in concepts)
    return Tagging(mentions=mentions + mentions[:1],  # a concept mentioned twice
                   concepts=tuple(sorted(set(concepts))), related=bool(concepts),
                   relevance=0.5)


def _save(store: Store, name: str, url: str, tagging: Tagging, when=NOON):
    article = CleanArticle(source=url.split("/")[2], url=url, text=text(name), published=when)
    fp = fingerprint(article.text)
    canon = canonical_url(url)
    verdict = decide_duplicate(article, fp, canon, store.article_by_canonical_url(canon),
                               store.articles_by_hash(fp.content_hash),
                               store.articles_by_bands(fp.band_keys))
    original = verdict.duplicate_of or verdict.update_of
    story = StoryVerdict(store.story_of(original) if original else None)
    return store.save(Decision(article=article, dedup=verdict, tagging=tagging, story=story))


def _found_by(store: Store, concept: str, when=NOON) -> list[int]:
    return [c.article_id for c in store.story_candidates(when, STORY_WINDOW, (concept,), (),
                                                          nearest=0)]


def test_the_index_follows_saves_updates_retags_and_prunes(tmp_path: Path) -> None:
    with Store(tmp_path / "corpus.db") as store:
        conn = store.db.conn
        first = _save(store, "wire-original", "https://a.example/bridge-1", _tagging("ladakh"))
        copy = _save(store, "wire-syndicated", "https://b.example/bridge",
                     _tagging("ladakh", "kargil"))
        assert copy.status == "duplicate"
        # A copy is not a candidate: only the first copy is indexed.
        assert {r[2] for r in assert_index_current(conn)} == {first.article_id}
        assert _found_by(store, "ladakh") == [first.article_id]

        # A new version at the same URL, a day later and about another place.
        later = NOON + timedelta(days=1)
        again = _save(store, "report-own-b", "https://a.example/bridge-1", _tagging("kargil"),
                      when=later)
        assert (again.article_id, again.status) == (first.article_id, "updated")
        assert assert_index_current(conn) == [
            ("kargil", "2024-10-15T06:30:00+00:00", first.article_id)]
        assert _found_by(store, "ladakh", later) == []
        assert _found_by(store, "kargil", later) == [first.article_id]

        # A retag gives it a concept it did not have.
        store.apply_retag([(first.article_id, _tagging("kargil", "siachen"))], "next")
        assert {r[0] for r in assert_index_current(conn)} == {"kargil", "siachen"}
        assert _found_by(store, "siachen", later) == [first.article_id]

        # Pruning the first copy makes the kept copy the first copy: it is indexed now.
        store.prune("2024-10-16T00:00:00+00:00")
        assert {r[2] for r in assert_index_current(conn)} == set()  # both were old enough
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0


def test_a_kept_copy_takes_over_its_pruned_first_copys_entries(tmp_path: Path) -> None:
    with Store(tmp_path / "corpus.db") as store:
        conn = store.db.conn
        first = _save(store, "wire-original", "https://a.example/bridge-1", _tagging("ladakh"),
                      when=NOON - timedelta(days=30))
        copy = _save(store, "wire-syndicated", "https://b.example/bridge",
                     _tagging("ladakh", "kargil"))
        assert copy.status == "duplicate"
        store.prune("2024-10-01T00:00:00+00:00")
        assert {(r[0], r[2]) for r in assert_index_current(conn)} == {
            ("ladakh", copy.article_id), ("kargil", copy.article_id)}
        assert _found_by(store, "kargil") == [copy.article_id]
        assert first.article_id not in _found_by(store, "ladakh")
