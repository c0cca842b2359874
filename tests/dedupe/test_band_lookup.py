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


@pytest.mark.parametrize("hot", [0, 2500])
def test_one_statement_finds_what_the_three_lookups_find(tmp_path: Path, hot: int) -> None:
    """`copies_of` (the writer's lookup) answers as the URL, hash and band lookups do:
    the same articles, in the same order, with the same limits."""
    with Store(tmp_path / "corpus.db") as store:
        _, saved = ingest(store, "wire-original", "https://a.example/bridge-1", "A")
        rows = [(KEYS[i % 42], i) for i in range(2, 200)]
        rows += [(KEYS[0], 1000 + i) for i in range(hot)]
        store.db.conn.executemany(
            "INSERT OR IGNORE INTO lsh_bands(key, article_id) VALUES (?, ?)", rows)
        store.db.conn.executemany(  # 198 more articles, the first 7 with the first's hash
            "INSERT INTO articles (id, url, canonical_url, source, fetched_at, text, "
            "content_hash, story_id) SELECT ?, 'https://a.example/' || ?, "
            "'https://a.example/' || ?, 'A', fetched_at, 'x', "
            "CASE WHEN ? < 9 THEN content_hash ELSE 'h' || ? END, story_id "
            "FROM articles WHERE id = ?",
            [(i, i, i, i, i, saved.article_id) for i in [*range(2, 200), *range(1000, 1000 + hot)]])
        first_hash = store.db.conn.execute(
            "SELECT content_hash FROM articles WHERE id = ?", [saved.article_id]).fetchone()[0]
        for url, content_hash, keys in [
            ("https://a.example/7", first_hash, KEYS),
            ("https://a.example/bridge-1", "h150", KEYS[:5]),
            (None, "nowhere", []),
            ("https://elsewhere.example/x", "nowhere", [123456789]),
        ]:
            copies = store.copies_of(url, content_hash, keys)
            assert copies.by_url == store.article_by_canonical_url(url)
            assert copies.by_hash == store.articles_by_hash(content_hash)
            assert copies.near == store.articles_by_bands(keys)
        copies = store.copies_of("https://a.example/7", first_hash, KEYS)
        assert copies.by_url is not None and copies.by_url.id == 7
        assert [c.id for c in copies.by_hash] == [saved.article_id, 2, 3, 4, 5]  # oldest 5
        assert len(copies.near) == 50
