"""Dedupe against a real Store file: across a restart, and through the product (issue 5)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from monitor.dedupe import (
    STORY_WINDOW,
    assign_story,
    canonical_url,
    decide_duplicate,
    fingerprint,
)
from monitor.models import CleanArticle, Decision, StoryVerdict, Tagging
from monitor.store import Store

from ..conftest import write_jsonl
from .conftest import text

IST = timezone(timedelta(hours=5, minutes=30))
NOON = datetime(2024, 10, 14, 12, 0, tzinfo=IST)


def ingest(store: Store, name: str, url: str, source: str, when: datetime = NOON):
    """What the pipeline does for one article, minus cleaning and tagging."""
    a = CleanArticle(source=source, url=url, text=text(name), published=when)
    fp = fingerprint(a.text)
    canon = canonical_url(a.url)
    v = decide_duplicate(a, fp, canon, store.article_by_canonical_url(canon),
                         store.articles_by_hash(fp.content_hash),
                         store.articles_by_bands(fp.band_keys))
    if v.duplicate_of is not None:
        story = StoryVerdict(store.story_of(v.duplicate_of), "duplicate", v.similarity,
                             v.duplicate_of)
    else:
        cands = store.story_candidates(when, STORY_WINDOW, (), fp.band_keys)
        story = assign_story(a, Tagging(), v, cands)
    return v, store.save(Decision(article=a, dedup=v, tagging=Tagging(), story=story))


def test_the_same_article_is_found_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    with Store(path) as store:
        _, first = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
    with Store(path) as store:  # a new process: nothing but the file remembers
        v, again = ingest(store, "wire-original", "https://www.a.example/bridge-1/?utm_source=x",
                          "A")
        assert (v.update_of, again.status) == (first.article_id, "unchanged")
        v, copy = ingest(store, "wire-syndicated", "https://b.example/sopore-bridge", "B")
        assert (v.duplicate_of, v.method, copy.status) == (first.article_id, "minhash",
                                                            "duplicate")
        assert copy.story_id == first.story_id


def test_index_lookups_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "corpus.db"
    fp = fingerprint(text("wire-original"))
    with Store(path) as store:
        _, saved = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
    with Store(path) as store:
        assert [c.id for c in store.articles_by_hash(fp.content_hash)] == [saved.article_id]
        assert saved.article_id in [c.id for c in store.articles_by_bands(fp.band_keys)]
        found = store.article_by_canonical_url("https://a.example/bridge-1")
        assert found is not None and tuple(found.signature or ()) == fp.signature


def test_a_new_version_is_found_by_its_own_text_and_no_longer_by_the_old(
    tmp_path: Path,
) -> None:
    """A rewrite at the same URL moves the article in the near-duplicate index: a copy
    of the old text is no longer matched to it (the old band rows are removed by key),
    a copy of the new text is."""
    old, new = fingerprint(text("wire-original")), fingerprint(text("report-own-b"))
    with Store(tmp_path / "corpus.db") as store:
        _, first = ingest(store, "wire-original", "https://a.example/story-1", "A")
        v, again = ingest(store, "report-own-b", "https://a.example/story-1", "A")
        assert (v.update_of, again.status) == (first.article_id, "updated")
        assert set(v.replaced_band_keys) == set(old.band_keys)
        rows = store.db.conn.execute(
            "SELECT key FROM lsh_bands WHERE article_id = ?", [first.article_id]).fetchall()
        assert {r[0] for r in rows} == set(new.band_keys)
        assert first.article_id not in [c.id for c in store.articles_by_bands(old.band_keys)]
        assert first.article_id in [c.id for c in store.articles_by_bands(new.band_keys)]
        v, copy = ingest(store, "wire-syndicated", "https://b.example/sopore-bridge", "B")
        assert (v.duplicate_of, copy.status) == (None, "new")


def _band_rows(store: Store, article_id: int) -> set[int]:
    rows = store.db.conn.execute("SELECT key FROM lsh_bands WHERE article_id = ?", [article_id])
    return {r[0] for r in rows}


def test_inside_a_batch_copies_find_the_batchs_own_first_copies(tmp_path: Path) -> None:
    """Inside one batch (a backfill's 500 articles) a copy finds the first copy stored
    before it in the batch, and a rewrite moves its article in the index there too."""
    with Store(tmp_path / "corpus.db") as store:
        _, before = ingest(store, "report-agency-a", "https://w.example/hc-psa", "Wire")
        with store.batch():
            _, first = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
            v, copy = ingest(store, "wire-syndicated", "https://b.example/sopore-bridge", "B")
            assert (v.duplicate_of, copy.status) == (first.article_id, "duplicate")
            again = fingerprint(text("report-agency-a"))
            assert [c.id for c in store.articles_by_bands(again.band_keys)] == [
                before.article_id]  # the table's rows still answer
            _, rewrite = ingest(store, "report-own-b", "https://c.example/story-9", "C")
            v, _ = ingest(store, "market-day1", "https://c.example/story-9", "C")
            assert v.update_of == rewrite.article_id
            old = fingerprint(text("report-own-b")).band_keys
            assert rewrite.article_id not in [c.id for c in store.articles_by_bands(old)]
        assert _band_rows(store, first.article_id) == set(
            fingerprint(text("wire-original")).band_keys)
        assert _band_rows(store, copy.article_id) == set()  # copies are not indexed
        assert _band_rows(store, rewrite.article_id) == set(
            fingerprint(text("market-day1")).band_keys)


def test_a_rolled_back_part_of_a_batch_leaves_no_band_rows(tmp_path: Path) -> None:
    """A nested batch that fails takes its articles back, and their band rows with them:
    the next article (which may reuse the id) is not matched to the vanished text."""
    with Store(tmp_path / "corpus.db") as store:
        with store.batch():
            _, kept = ingest(store, "report-agency-a", "https://w.example/hc-psa", "Wire")
            try:
                with store.batch():
                    _, gone = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
                    raise RuntimeError("the caller gives up on this part")
            except RuntimeError:
                pass
            v, other = ingest(store, "market-day1", "https://m.example/close-1", "Markets")
            assert v.duplicate_of is None
        assert other.article_id == gone.article_id  # the id was reused
        v, copy = ingest(store, "wire-syndicated", "https://b.example/sopore-bridge", "B")
        assert (v.duplicate_of, copy.status) == (None, "new")
        assert _band_rows(store, kept.article_id) == set(
            fingerprint(text("report-agency-a")).band_keys)
        assert _band_rows(store, other.article_id) == set(
            fingerprint(text("market-day1")).band_keys)


def test_reports_share_a_story_and_twins_stay_apart(tmp_path: Path) -> None:
    with Store(tmp_path / "corpus.db") as store:
        _, a = ingest(store, "report-agency-a", "https://w.example/hc-psa", "Wire")
        v, b = ingest(store, "report-own-b", "https://p.example/relief", "Paper",
                      NOON + timedelta(hours=4))
        assert v.duplicate_of is None and b.status == "new"
        assert b.story_id == a.story_id
        _, d1 = ingest(store, "market-day1", "https://m.example/close-1", "Markets")
        _, d2 = ingest(store, "market-day2", "https://m.example/close-2", "Markets",
                       NOON + timedelta(days=1))
        assert d2.status == "new" and len({d1.story_id, d2.story_id, a.story_id}) == 3


# -- through the product: backfill and export (the pipeline calls the stage) -----------


def record(url: str, source: str, name: str, published: str, title: str = "") -> dict:
    return {"url": url, "source": source, "title": title or name.replace("-", " "),
            "published": published, "text": text(name)}


def test_product_marks_copies_and_groups_reports(tmp_path: Path, run, export) -> None:
    write_jsonl(tmp_path / "day1.jsonl", [
        record("https://wire.example/bridge", "Wire", "wire-original", "2024-10-14T10:00:00+05:30"),
        record("https://wire.example/hc-psa", "Wire", "report-agency-a",
               "2023-06-09T13:00:00+05:30"),
        record("https://biz.example/close-1", "Biz", "market-day1", "2024-03-13T16:00:00+05:30"),
    ])
    run("backfill", str(tmp_path / "day1.jsonl"))
    write_jsonl(tmp_path / "day2.jsonl", [  # a second run: the corpus is on disk only
        record("https://m.valley.example/sopore-bridge?utm_source=fb", "Valley",
               "wire-syndicated", "2024-10-14T12:30:00+05:30", "Sopore gets its bridge"),
        record("https://paper.example/relief", "Paper", "report-own-b",
               "2023-06-09T19:00:00+05:30"),
        record("https://biz.example/close-2", "Biz", "market-day2", "2024-03-14T16:00:00+05:30"),
        record("https://wire.example/bridge/", "Wire", "wire-original",
               "2024-10-14T10:00:00+05:30"),
    ])
    run("backfill", str(tmp_path / "day2.jsonl"))
    rows = {r["canonical_url"].rsplit("/", 1)[-1]: r for r in export()}
    assert len(rows) == 6  # the wire story arrived twice at one URL: one article
    bridge, copy = rows["bridge"], rows["sopore-bridge"]
    assert copy["duplicate_of"] == bridge["id"] and copy["dedup"]["method"] == "minhash"
    assert copy["story_id"] == bridge["story_id"] and bridge["coverage"] == 2
    psa, relief = rows["hc-psa"], rows["relief"]
    assert relief["duplicate_of"] is None and relief["story_id"] == psa["story_id"]
    assert rows["close-1"]["story_id"] != rows["close-2"]["story_id"]
    assert rows["close-2"]["duplicate_of"] is None
