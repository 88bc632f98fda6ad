"""Append-only schema migrations. Never edit a released entry: add a new one.

Each migration runs in its own transaction and is recorded in ``schema_migrations``;
opening a store applies whatever is missing.
"""

from __future__ import annotations

MIGRATIONS: tuple[tuple[str, str], ...] = (
    (
        "initial: raw documents, articles, FTS5, dedupe bands, ingest log, sources",
        """
        CREATE TABLE raw_documents (
            sha256        TEXT PRIMARY KEY,
            source        TEXT NOT NULL,
            media_type    TEXT,
            identity      TEXT,
            user_hints    TEXT NOT NULL DEFAULT '{}',   -- JSON DocumentHints
            context_hints TEXT NOT NULL DEFAULT '{}',   -- JSON DocumentHints
            size          INTEGER NOT NULL,
            compression   TEXT NOT NULL,                -- 'zlib' or 'none'
            content       BLOB NOT NULL,
            fetched_at    TEXT,
            stored_at     TEXT NOT NULL
        );

        CREATE TABLE articles (
            rowid                INTEGER PRIMARY KEY,    -- FTS5 content rowid
            id                   TEXT NOT NULL UNIQUE,
            identity             TEXT NOT NULL UNIQUE,   -- idempotent ingest: same identity, same row
            source               TEXT NOT NULL,
            url                  TEXT,
            canonical_url        TEXT,
            outlet               TEXT,
            via                  TEXT,
            title                TEXT,
            authors              TEXT NOT NULL DEFAULT '[]',
            section              TEXT,
            standfirst           TEXT,
            published_at         TEXT,
            published_precision  TEXT NOT NULL DEFAULT 'unknown',
            published_origin     TEXT NOT NULL DEFAULT 'none',
            language             TEXT,
            text                 TEXT NOT NULL,
            paragraphs           TEXT NOT NULL DEFAULT '[]',
            captions             TEXT NOT NULL DEFAULT '[]',
            source_format        TEXT NOT NULL,
            extractor            TEXT NOT NULL DEFAULT '',
            raw_sha256           TEXT REFERENCES raw_documents(sha256),
            text_hash            TEXT NOT NULL,
            duplicate_of         TEXT REFERENCES articles(id) DEFERRABLE INITIALLY DEFERRED,
            duplicate_similarity REAL,
            ingested_at          TEXT NOT NULL,
            updated_at           TEXT NOT NULL
        );
        CREATE INDEX articles_text_hash ON articles(text_hash);
        CREATE INDEX articles_canonical_url ON articles(canonical_url);
        CREATE INDEX articles_published_at ON articles(published_at);
        CREATE INDEX articles_duplicate_of ON articles(duplicate_of);
        CREATE INDEX articles_raw ON articles(raw_sha256);

        CREATE VIRTUAL TABLE articles_fts USING fts5(
            title, text, content='articles', content_rowid='rowid',
            tokenize='unicode61 remove_diacritics 2'
        );
        CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;
        CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
        END;
        CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, text ON articles BEGIN
            INSERT INTO articles_fts(articles_fts, rowid, title, text)
            VALUES ('delete', old.rowid, old.title, old.text);
            INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
        END;

        -- Near-duplicate search lives in the database, not in memory: each article's MinHash
        -- signature, and its LSH band keys with an index, so candidates are one indexed lookup.
        CREATE TABLE article_signatures (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            minhash    BLOB NOT NULL
        );
        CREATE TABLE article_bands (
            band_key   INTEGER NOT NULL,
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            PRIMARY KEY (band_key, article_id)
        ) WITHOUT ROWID;
        CREATE INDEX article_bands_article ON article_bands(article_id);

        -- How many documents of a site carry a given short line: page chrome repeats, bodies do not.
        CREATE TABLE line_stats (
            site      TEXT NOT NULL,
            line_key  TEXT NOT NULL,
            documents INTEGER NOT NULL,
            PRIMARY KEY (site, line_key)
        ) WITHOUT ROWID;

        CREATE TABLE ingest_runs (
            id          TEXT PRIMARY KEY,
            started_at  TEXT NOT NULL,
            finished_at TEXT,
            inputs      TEXT NOT NULL,
            added       INTEGER NOT NULL DEFAULT 0,
            updated     INTEGER NOT NULL DEFAULT 0,
            unchanged   INTEGER NOT NULL DEFAULT 0,
            duplicates  INTEGER NOT NULL DEFAULT 0,
            failed      INTEGER NOT NULL DEFAULT 0,
            status      TEXT NOT NULL DEFAULT 'running'
        );
        CREATE TABLE ingest_log (
            id      INTEGER PRIMARY KEY,
            run_id  TEXT REFERENCES ingest_runs(id),
            at      TEXT NOT NULL,
            source  TEXT NOT NULL,
            stage   TEXT NOT NULL,
            level   TEXT NOT NULL,
            message TEXT NOT NULL
        );
        CREATE INDEX ingest_log_at ON ingest_log(at);

        CREATE TABLE sources (
            id              INTEGER PRIMARY KEY,
            url             TEXT NOT NULL UNIQUE,
            kind            TEXT NOT NULL DEFAULT 'feed',
            title           TEXT,
            html_url        TEXT,
            category        TEXT,
            added_at        TEXT NOT NULL,
            paused          INTEGER NOT NULL DEFAULT 0,
            last_fetched_at TEXT,
            last_status     TEXT,
            last_error      TEXT
        );

        -- Conditional GET: what the server said last time about each URL.
        CREATE TABLE http_cache (
            url           TEXT PRIMARY KEY,
            etag          TEXT,
            last_modified TEXT,
            status        INTEGER,
            fetched_at    TEXT NOT NULL
        );
        """,
    ),
)
