"""A summary feed's first fetch: its items built and analysed in the parsing worker.

On the first fetch of a `full_text = false` feed every entry is new, so the worker
that parses it also builds and analyses each entry's item (one round trip instead
of two). These tests hold that shortcut to the result of the usual path.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.app import App
from monitor.fetch.cycle import Fetcher
from monitor.fetch.summaries import summary_item
from monitor.fetch.workers import Workers
from monitor.store import Store

from .conftest import write_config
from .feeds import rss
from .server import LoopbackServer


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    app = App.load(write_config(tmp_path / "monitor.toml", []))
    yield app
    app.close()


def test_the_worker_analyses_what_the_usual_path_would(app: App) -> None:
    body = rss("first", 6).encode()
    dates = app.date_context()
    pool = Workers(app.taxonomy, processes=1)
    try:
        doc, analysed = pool.discover_analysed("feed", body, "", "http://x/", "s", dates)
        usual = pool.discover("feed", body, "", "http://x/", "s")
        items = [summary_item("s", c, c.link, dates) for c in usual.candidates]
        expected = pool.analyse([raw for raw in items if raw is not None])
    finally:
        pool.close(wait=True)
    assert doc == usual and len(expected) == 6
    assert analysed == expected


def test_an_aggregator_link_sends_the_feed_the_usual_way(app: App) -> None:
    body = rss("agg", 3, link_base="https://news.google.com/rss/articles").encode()
    pool = Workers(app.taxonomy)
    doc, analysed = pool.discover_analysed("feed", body, "", "http://x/", "s",
                                           app.date_context())
    assert len(doc.candidates) == 3 and analysed is None  # the main process resolves it


def _cycle(tmp_path: Path, server: LoopbackServer, processes: int) -> tuple[Fetcher, dict]:
    app = App.load(write_config(tmp_path / "monitor.toml",
                                [{"name": "d", "url": server.url("/d.xml"), "full_text": False}]))
    fetcher = Fetcher(app, processes=processes, alerts=False)
    [result] = fetcher.run_cycle()
    return fetcher, dict(result.counts)


@pytest.mark.parametrize("processes", [0, 2])
def test_a_first_fetch_stores_each_entry_once_and_marks_empty_ones_seen(
    tmp_path: Path, server: LoopbackServer, processes: int
) -> None:
    blank = "<item><guid>blank</guid><description>   </description></item>"
    feed = rss("e", 4).replace("</channel>", blank + "</channel>")
    server.serve("/d.xml", body=feed.encode(), content_type="application/rss+xml")
    fetcher, counts = _cycle(tmp_path, server, processes)
    try:
        db = fetcher.app.store.db
        assert counts.get("new") == 4
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 4
        entries = dict(db.execute("SELECT entry_key, article_id FROM feed_entries").fetchall())
        assert len(entries) == 5  # the blank one too, seen without an article
        assert [k.rsplit("/", 1)[1] for k, a in entries.items() if a is None] == ["blank"]
    finally:
        fetcher.workers.close(wait=True)
        fetcher.close()
        fetcher.app.close()


def test_entries_the_store_knows_are_dropped_after_the_worker_analysed_them(
    tmp_path: Path, server: LoopbackServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whether the source has delivered anything is read before parsing; entries marked
    since (another `monitor fetch` beside the daemon) are still dropped afterwards."""
    monkeypatch.setattr(Store, "has_entries", lambda self, source: False)  # always "first"
    server.serve("/d.xml", body=rss("k", 3).encode(), content_type="application/rss+xml")
    fetcher, first = _cycle(tmp_path, server, 0)
    try:
        server.serve("/d.xml", body=rss("k", 5).encode(), content_type="application/rss+xml")
        [again] = fetcher.run_cycle()
        db = fetcher.app.store.db
        assert first == {"new": 3}
        assert dict(again.counts) == {"new": 2}  # not the three known ones "unchanged"
        assert db.execute("SELECT count(*) FROM articles").fetchone()[0] == 5
    finally:
        fetcher.close()
        fetcher.app.close()
