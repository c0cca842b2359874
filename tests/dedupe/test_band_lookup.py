"""The near-duplicate lookup hands over the stored articles sharing the most bands.

`articles_by_bands` returns at most `limit` articles: those sharing the most of the
asked keys, ties to the older article, listed by id. It counts the rows itself when
they are few and lets SQLite count them when a key is shared by thousands of
articles (stubs that all hash alike); both ways must give the same answer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.store import Store

from .test_store import ingest

KEYS = list(range(-21, 21))  # 42 keys, negative ones too, as the fingerprint makes them


def _expected(store: Store, keys: list[int], limit: int) -> list[int]:
    marks = ",".join("?" * len(keys))
    rows = store.db.conn.execute(
        f"SELECT article_id, count(*) FROM lsh_bands WHERE key IN ({marks}) "
        "GROUP BY article_id", keys).fetchall()
    best = sorted(rows, key=lambda r: (-r[1], r[0]))[:limit]
    return sorted(r[0] for r in best)


@pytest.mark.parametrize("hot", [0, 2500])
def test_the_articles_sharing_most_bands_come_back(tmp_path: Path, hot: int) -> None:
    with Store(tmp_path / "corpus.db") as store:
        _, saved = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
        rows = []
        for article_id in range(1, 121):  # article i shares i % 7 + 1 of the keys
            rows += [(KEYS[(article_id + j) % 42], article_id) for j in range(article_id % 7 + 1)]
        rows += [(KEYS[0], 1000 + i) for i in range(hot)]  # one key nearly everyone has
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO lsh_bands(key, article_id) VALUES (?, ?)", rows)
        store.db.conn.executemany(  # the lookup hands out stored articles only
            "INSERT INTO articles (id, url, source, fetched_at, text, content_hash, story_id) "
            "SELECT ?, 'https://a.example/' || ?, 'A', fetched_at, 'x', 'h', story_id "
            "FROM articles WHERE id = ?",
            [(i, i, saved.article_id) for i in [*range(2, 121), *range(1000, 1000 + hot)]])
        expected = _expected(store, KEYS, 50)
        assert len(expected) == 50
        assert [c.id for c in store.articles_by_bands(KEYS)] == expected
        assert [c.id for c in store.articles_by_bands(KEYS, limit=500)] == _expected(
            store, KEYS, 500)
