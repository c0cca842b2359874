"""The store: created on first use, migrated forward, one transaction per decision."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pytest

from monitor.models import (
    AlertIntent,
    CleanArticle,
    Decision,
    DedupVerdict,
    Mention,
    StoryVerdict,
    Tagging,
)
from monitor.store import Store
from monitor.store.schema import migrations


def _decision(url: str, text: str = "Text about Leh.", mentions=(), alerts=()) -> Decision:
    return Decision(
        article=CleanArticle(source="s", url=url, text=text, title="T",
                             published=datetime(2024, 5, 1, tzinfo=UTC)),
        dedup=DedupVerdict(canonical_url=url, content_hash=f"h-{url}", band_keys=(1, 2),
                           signature=(5, 6, 7)),
        tagging=Tagging(mentions=tuple(mentions), concepts=("Leh",), related=True,
                        relevance=0.5),
        story=StoryVerdict(None, "new"),
        alerts=tuple(alerts),
    )


def test_created_on_first_use_and_reopened_without_migrating_again(tmp_path):
    path = tmp_path / "sub" / "dir" / "c.db"
    with Store(path) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.save(_decision("https://a.example/1"))
    with Store(path) as store:
        assert migrations.pending(store.db) == []
        assert store.stats()["articles"] == 1


def test_article_mentions_and_alerts_commit_together_or_not_at_all(tmp_path):
    store = Store(tmp_path / "c.db")
    good = Mention("Leh", "Leh", "text", 11, 14, "Text about Leh.")
    saved = store.save(_decision("https://a.example/1", mentions=[good],
                                 alerts=[AlertIntent("r", "console")]))
    assert saved.status == "new" and saved.alerts_queued == 1
    broken = Mention("Leh", None, "text", 0, 3, "x")  # type: ignore[arg-type]  # NOT NULL
    with pytest.raises(sqlite3.IntegrityError):
        store.save(_decision("https://a.example/2", mentions=[good, broken],
                             alerts=[AlertIntent("r", "console")]))
    counts = {t: store.db[t].count for t in ("articles", "mentions", "deliveries", "lsh_bands")}
    assert counts == {"articles": 1, "mentions": 1, "deliveries": 1, "lsh_bands": 2}


def test_one_alert_per_story_rule_and_channel(tmp_path):
    store = Store(tmp_path / "c.db")
    first = store.save(_decision("https://a.example/1", alerts=[AlertIntent("r", "c")]))
    again = Decision(**{**_decision("https://b.example/2").__dict__,
                        "story": StoryVerdict(first.story_id, "similar", 0.5, first.article_id),
                        "alerts": (AlertIntent("r", "c"), AlertIntent("r", "d"))})
    second = store.save(again)
    assert second.story_id == first.story_id
    assert second.alerts_queued == 1  # only the new channel
    assert store.db["deliveries"].count == 2


def test_update_keeps_versions_and_a_known_date(tmp_path):
    store = Store(tmp_path / "c.db")
    first = store.save(_decision("https://a.example/1", text="First version."))
    newer = _decision("https://a.example/1", text="Second version, longer.")
    newer = Decision(**{**newer.__dict__,
                        "article": CleanArticle(source="s", url="https://a.example/1",
                                                text="Second version, longer.", title="T2"),
                        "dedup": DedupVerdict("https://a.example/1", "h2", update_of=1)})
    saved = store.save(newer)
    assert (saved.status, saved.article_id) == ("updated", first.article_id)
    record = store.article_record(first.article_id)
    assert record["text"] == "Second version, longer." and record["version"] == 2
    assert record["published"] == "2024-05-01T00:00:00+00:00"  # not forgotten
    assert store.db["article_versions"].count == 1


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path, run):
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    result = run("--db", str(bad), "stats", expect=1)
    assert "cannot open the database" in result.output and "Traceback" not in result.output



def test_an_update_of_a_copy_keeps_it_out_of_the_near_duplicate_index(tmp_path):
    store = Store(tmp_path / "c.db")
    first = store.save(_decision("https://a.example/1"))
    copy = _decision("https://b.example/copy")
    copy = Decision(**{**copy.__dict__, "dedup": DedupVerdict(
        "https://b.example/copy", "h-copy", band_keys=(1, 2), duplicate_of=first.article_id)})
    saved = store.save(copy)
    update = Decision(**{**copy.__dict__, "article": CleanArticle(
        source="s", url="https://b.example/copy", text="Copy, updated.", title="T3"),
        "dedup": DedupVerdict("https://b.example/copy", "h-copy-2", band_keys=(1, 2, 3),
                              update_of=saved.article_id)})
    assert store.save(update).status == "updated"
    indexed = {r["article_id"] for r in store.db.query("SELECT article_id FROM lsh_bands")}
    assert indexed == {first.article_id}


def test_a_checkpoint_puts_what_was_committed_into_the_database_file(tmp_path) -> None:
    """Commits wait in the -wal file (a power cut may undo them) until a checkpoint
    copies them into the database file and syncs it; the daemon makes one a minute."""
    import shutil

    def saved_in_the_file_alone() -> list[str]:
        copy = tmp_path / "copy.db"  # the database file without its -wal beside it
        shutil.copyfile(tmp_path / "c.db", copy)
        with sqlite3.connect(copy) as conn:
            return [r[0] for r in conn.execute("SELECT url FROM articles")]

    with Store(tmp_path / "c.db") as store:
        store.checkpoint()  # the schema, made on first use
        store.save(_decision("https://a.example/1"))
        assert saved_in_the_file_alone() == []
        store.checkpoint()
        assert saved_in_the_file_alone() == ["https://a.example/1"]
