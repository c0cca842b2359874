"""The database schema, as forward migrations (sqlite-utils `Migrations`).

A database is created on first use and brought forward on every open; each step
runs in its own transaction with the record that it ran. Add a step by appending a
decorated function: never edit one that has shipped.

Tables (what hangs off what):
    articles        one row per stored article (duplicates included), current version
    articles_fts    full-text index of title and text (FTS5, external content)
    article_versions earlier versions of an article that arrived again at its URL
    mentions        tagger output, one row per mention            -> articles
    lsh_bands       MinHash band keys, the near-duplicate index   -> articles
    story_concepts  first copies by concept and time (story lookup) -> articles
    stories         one row per event; articles.story_id points here
    sources         configured sources and their health, kept across restarts
    fetch_log       one row per fetch attempt
    feed_entries    entries already seen per source (no page fetched twice)
    deliveries      the outbox and delivery ledger (alerts, summaries, health, digests)
    digests         one row per (day, channel) digest sent
    backfill_items  checkpoints: inputs already ingested per backfill run
    meta            key/value: daemon heartbeat, job runs, lock owner
"""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

__all__ = ["FTS_TOKENIZER", "migrations"]

migrations = Migrations("monitor")

# FTS5's default unicode61 tokenizer treats combining marks (Mn/Mc) as separators,
# which cuts Devanagari words at every vowel sign; count marks as word characters.
FTS_TOKENIZER = "unicode61 remove_diacritics 2 categories 'L* N* Co M*'"


def _execute_script(db: Database, script: str) -> None:
    """Run statements one by one inside the migration's transaction.

    `sqlite3.Connection.executescript` would COMMIT first, breaking the guarantee
    that a step and the record of it land together.
    """
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            db.execute(pending)
            pending = ""
    if pending.strip():
        raise ValueError(f"incomplete SQL statement in migration: {pending[:80]!r}")


@migrations()
def m001_initial(db: Database) -> None:
    _execute_script(
        db,
        """
        CREATE TABLE articles (
            id INTEGER PRIMARY KEY,
            url TEXT,
            canonical_url TEXT,
            source TEXT NOT NULL,
            title TEXT,
            author TEXT,
            published TEXT,            -- ISO 8601 with the source's offset
            published_utc TEXT,        -- the same instant in UTC, sortable
            published_from TEXT,       -- feed | json-ld | meta | url | text | header ...
            fetched_at TEXT NOT NULL,  -- first seen (UTC)
            updated_at TEXT,           -- last new version (UTC)
            version INTEGER NOT NULL DEFAULT 1,
            language TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            signature BLOB,            -- MinHash values, for near-duplicate checks
            duplicate_of INTEGER REFERENCES articles(id),
            dedup_method TEXT,
            dedup_similarity REAL,
            story_id INTEGER,
            story_method TEXT,
            story_similarity REAL,
            story_with INTEGER,
            related INTEGER NOT NULL DEFAULT 0,
            relevance REAL NOT NULL DEFAULT 0,
            concepts TEXT NOT NULL DEFAULT '[]',
            taxonomy TEXT,             -- fingerprint of the taxonomy that tagged it
            origin TEXT,
            problems TEXT NOT NULL DEFAULT '[]'
        );
        CREATE UNIQUE INDEX articles_canonical_url ON articles(canonical_url);
        CREATE INDEX articles_content_hash ON articles(content_hash);
        CREATE INDEX articles_published_utc ON articles(published_utc);
        CREATE INDEX articles_fetched_at ON articles(fetched_at);
        CREATE INDEX articles_story ON articles(story_id);
        CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
        CREATE INDEX articles_source ON articles(source);
        CREATE INDEX articles_taxonomy ON articles(taxonomy);

        CREATE TABLE article_versions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            version INTEGER NOT NULL,
            url TEXT,
            title TEXT,
            text TEXT NOT NULL,
            content_hash TEXT NOT NULL,
            replaced_at TEXT NOT NULL
        );
        CREATE INDEX article_versions_article ON article_versions(article_id);

        CREATE TABLE mentions (
            id INTEGER PRIMARY KEY,
            article_id INTEGER NOT NULL REFERENCES articles(id),
            concept TEXT NOT NULL,
            surface TEXT NOT NULL,
            field TEXT NOT NULL,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            sentence TEXT NOT NULL
        );
        CREATE INDEX mentions_article ON mentions(article_id);
        CREATE INDEX mentions_concept ON mentions(concept, article_id);

        CREATE TABLE lsh_bands (
            key INTEGER NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (key, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX lsh_bands_article ON lsh_bands(article_id);

        CREATE TABLE stories (
            id INTEGER PRIMARY KEY,
            title TEXT,
            lead_article_id INTEGER,
            first_seen TEXT NOT NULL,
            last_seen TEXT NOT NULL,
            first_published_utc TEXT,
            articles INTEGER NOT NULL DEFAULT 0,
            outlets INTEGER NOT NULL DEFAULT 0,
            concepts TEXT NOT NULL DEFAULT '[]'
        );
        CREATE INDEX stories_last_seen ON stories(last_seen);

        CREATE TABLE sources (
            name TEXT PRIMARY KEY,
            url TEXT NOT NULL,             -- in use now (after an adopted redirect)
            configured_url TEXT NOT NULL,
            kind TEXT NOT NULL,
            paused INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL DEFAULT 'ok',
            consecutive_failures INTEGER NOT NULL DEFAULT 0,
            failure_score REAL NOT NULL DEFAULT 0,
            last_fetch_at TEXT,
            last_success_at TEXT,
            next_due_at TEXT,
            last_error_kind TEXT,
            last_error_message TEXT,
            last_error_at TEXT,
            etag TEXT,
            last_modified TEXT,
            body_hash TEXT,
            last_unconditional_at TEXT,
            redirect_candidate TEXT,
            redirect_confirmations INTEGER NOT NULL DEFAULT 0,
            redirected_from TEXT,
            created_at TEXT NOT NULL
        );

        CREATE TABLE fetch_log (
            id INTEGER PRIMARY KEY,
            source TEXT NOT NULL,
            url TEXT,
            at TEXT NOT NULL,
            outcome TEXT NOT NULL,       -- ok | not_modified | unchanged | error
            http_status INTEGER,
            bytes INTEGER,
            ms INTEGER,
            new INTEGER NOT NULL DEFAULT 0,
            duplicates INTEGER NOT NULL DEFAULT 0,
            updated INTEGER NOT NULL DEFAULT 0,
            error_kind TEXT,
            error_message TEXT
        );
        CREATE INDEX fetch_log_source_at ON fetch_log(source, at);

        CREATE TABLE feed_entries (
            source TEXT NOT NULL,
            entry_key TEXT NOT NULL,
            article_id INTEGER,
            seen_at TEXT NOT NULL,
            PRIMARY KEY (source, entry_key)
        );

        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,           -- alert | summary | health | digest
            dedupe_key TEXT NOT NULL UNIQUE,
            rule TEXT,
            channel TEXT NOT NULL,
            article_id INTEGER,
            story_id INTEGER,
            status TEXT NOT NULL DEFAULT 'pending',  -- pending | sent | failed | suppressed
            attempts INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL,
            next_attempt_at TEXT,
            sent_at TEXT,
            last_error_kind TEXT,
            last_error_message TEXT,
            last_error_at TEXT,
            payload TEXT
        );
        CREATE INDEX deliveries_status ON deliveries(status, next_attempt_at);
        CREATE INDEX deliveries_rule ON deliveries(rule, channel, created_at);
        CREATE INDEX deliveries_article ON deliveries(article_id);

        CREATE TABLE digests (
            day TEXT NOT NULL,
            channel TEXT NOT NULL,
            delivery_id INTEGER,
            created_at TEXT NOT NULL,
            PRIMARY KEY (day, channel)
        );

        CREATE TABLE backfill_items (
            run_key TEXT NOT NULL,
            item_key TEXT NOT NULL,
            outcome TEXT NOT NULL,
            article_id INTEGER,
            at TEXT NOT NULL,
            PRIMARY KEY (run_key, item_key)
        );

        CREATE TABLE meta (
            key TEXT PRIMARY KEY,
            value TEXT
        );
        """,
    )
    # External-content FTS5 over title and text. The update trigger fires only when
    # those columns change, so bookkeeping updates (story, duplicate) stay cheap.
    tokenize = db.quote(FTS_TOKENIZER)
    _execute_script(
        db,
        f"""
        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content=articles, content_rowid=id, tokenize={tokenize}
        );
        CREATE TRIGGER articles_fts_ai AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_ad AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_au AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.id, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.id, new.title, new.text);
        END;
        """,
    )


@migrations()
def m002_delivery_attempts(db: Database) -> None:
    """The dispatcher's crash-safety and storm-control bookkeeping (issue 7).

    `attempt_id`/`claimed_at`: a row is marked `sending` with the id of the attempt
    (host:pid:nonce) before the network call, so a restarted dispatcher can tell an
    interrupted attempt from one still in flight. `summary_id`: the storm-control
    summary that reported a `suppressed` row.
    """
    _execute_script(
        db,
        """
        ALTER TABLE deliveries ADD COLUMN attempt_id TEXT;
        ALTER TABLE deliveries ADD COLUMN claimed_at TEXT;
        ALTER TABLE deliveries ADD COLUMN summary_id INTEGER;
        CREATE INDEX deliveries_summary ON deliveries(summary_id);
        CREATE INDEX deliveries_kind_channel ON deliveries(kind, rule, channel, status);
        """,
    )


@migrations()
def m003_story_concepts(db: Database) -> None:
    """The story stage's concept index: first copies by concept and time (issue 8).

    The story lookup wants the first copies within 36 hours that share a concept.
    Walking the window's articles and probing `mentions` for each was most of the
    ordered writer's time once a day holds hundreds of articles (1.7 ms a lookup at
    1,000 a day); a range scan of (concept, time) finds exactly those rows (0.3 ms).
    `at` is the publication time in UTC, else the first-seen time (the lookup's rule
    for undated articles). Triggers keep it equal to what it summarises, on every
    path that changes mentions, dates or first-copy status (save, update, retag,
    prune), so no caller has to remember it.
    """
    _execute_script(
        db,
        """
        CREATE TABLE story_concepts (
            concept TEXT NOT NULL,
            at TEXT NOT NULL,
            article_id INTEGER NOT NULL,
            PRIMARY KEY (concept, at, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX story_concepts_article ON story_concepts(article_id);
        INSERT OR IGNORE INTO story_concepts (concept, at, article_id)
            SELECT m.concept, coalesce(a.published_utc, a.fetched_at), a.id
            FROM mentions m JOIN articles a ON a.id = m.article_id
            WHERE a.duplicate_of IS NULL;
        CREATE TRIGGER story_concepts_mention_ai AFTER INSERT ON mentions BEGIN
            INSERT OR IGNORE INTO story_concepts (concept, at, article_id)
            SELECT new.concept, coalesce(a.published_utc, a.fetched_at), a.id
            FROM articles a WHERE a.id = new.article_id AND a.duplicate_of IS NULL;
        END;
        CREATE TRIGGER story_concepts_mention_ad AFTER DELETE ON mentions BEGIN
            DELETE FROM story_concepts
            WHERE article_id = old.article_id AND concept = old.concept
              AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = old.article_id
                              AND m.concept = old.concept);
        END;
        CREATE TRIGGER story_concepts_article_au
        AFTER UPDATE OF published_utc, fetched_at, duplicate_of ON articles BEGIN
            DELETE FROM story_concepts WHERE article_id = new.id;
            INSERT OR IGNORE INTO story_concepts (concept, at, article_id)
            SELECT m.concept, coalesce(new.published_utc, new.fetched_at), new.id
            FROM mentions m WHERE m.article_id = new.id AND new.duplicate_of IS NULL;
        END;
        CREATE TRIGGER story_concepts_article_ad AFTER DELETE ON articles BEGIN
            DELETE FROM story_concepts WHERE article_id = old.id;
        END;
        """,
    )


@migrations()
def m004_index_text_on_save(db: Database) -> None:
    """New articles enter the full-text index from the store, not from a trigger (issue 8).

    FTS5 writes its pending terms out at every statement savepoint, so an insert
    trigger made one index segment per article inside a batch, plus the merges: a
    fifth of the ordered writer. `save` now indexes an article itself, or, in a
    batch, all of the batch's articles in one statement at its end. The update and
    delete triggers stay: they keep the index equal to the rows on every other path.
    """
    db.execute("DROP TRIGGER IF EXISTS articles_fts_ai")


@migrations()
def m005_band_index_by_key_only(db: Database) -> None:
    """The near-duplicate index loses its per-article index (issue 8).

    Every first copy writes 42 band rows, and each went into two B-trees: the
    (key, article_id) primary key the lookups use and an `article_id` index that only
    deletions used. A new version now removes its old rows by key (the keys come
    from the stored signature, `dedupe.fingerprint.stored_band_keys`), and `prune` scans
    the table once before it vacuums the whole file anyway: 7.6% of the ordered
    writer's instructions (callgrind, 1,000 bench articles).
    """
    db.execute("DROP INDEX IF EXISTS lsh_bands_article")
