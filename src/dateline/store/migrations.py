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
    (
        "enrichment: sentences, canonical entities, mentions, quotes, figures, dates, dated events",
        """
        -- One row per enriched article: which algorithm and model produced it, and for which text.
        CREATE TABLE enrichments (
            article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            version     TEXT NOT NULL,
            text_hash   TEXT NOT NULL,            -- the article text it was computed from
            language    TEXT,
            model       TEXT,
            sentences   TEXT NOT NULL,            -- JSON list of Sentence
            notes       TEXT NOT NULL DEFAULT '[]',
            enriched_at TEXT NOT NULL
        );
        CREATE INDEX enrichments_version ON enrichments(version);

        -- Canonical entities across the store. Articles' entities are linked to these by match keys
        -- (folded full names, surnames, aliases), so "Zelenskiy" in one article and "Volodymyr
        -- Zelensky" in another are one row.
        CREATE TABLE entities (
            key           TEXT PRIMARY KEY,
            name          TEXT NOT NULL,
            type          TEXT NOT NULL,
            aliases       TEXT NOT NULL DEFAULT '[]',
            roles         TEXT NOT NULL DEFAULT '[]',
            mention_count INTEGER NOT NULL DEFAULT 0,
            first_seen    TEXT NOT NULL,
            updated_at    TEXT NOT NULL
        );
        CREATE INDEX entities_name ON entities(name COLLATE NOCASE);
        CREATE TABLE entity_match_keys (
            match_key  TEXT NOT NULL,
            entity_key TEXT NOT NULL REFERENCES entities(key) ON DELETE CASCADE,
            PRIMARY KEY (match_key, entity_key)
        ) WITHOUT ROWID;
        CREATE INDEX entity_match_keys_entity ON entity_match_keys(entity_key);

        CREATE TABLE mentions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            entity_key TEXT NOT NULL REFERENCES entities(key),
            start      INTEGER NOT NULL,
            end        INTEGER NOT NULL,
            text       TEXT NOT NULL,
            type       TEXT NOT NULL,
            sentence   INTEGER NOT NULL,
            form       TEXT NOT NULL,
            PRIMARY KEY (article_id, position)
        );
        CREATE INDEX mentions_entity ON mentions(entity_key);

        CREATE TABLE quotes (
            article_id     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position       INTEGER NOT NULL,
            text           TEXT NOT NULL,
            start          INTEGER NOT NULL,
            end            INTEGER NOT NULL,
            kind           TEXT NOT NULL,
            speaker        TEXT,
            speaker_entity TEXT REFERENCES entities(key),
            speaker_text   TEXT,
            cue            TEXT,
            sentence       INTEGER NOT NULL,
            confidence     REAL NOT NULL,
            PRIMARY KEY (article_id, position)
        );
        CREATE INDEX quotes_speaker ON quotes(speaker_entity);

        CREATE TABLE figures (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            text       TEXT NOT NULL,
            start      INTEGER NOT NULL,
            end        INTEGER NOT NULL,
            value      REAL NOT NULL,
            value_max  REAL,
            unit       TEXT,
            counted    TEXT,
            qualifier  TEXT,
            sentence   INTEGER NOT NULL,
            PRIMARY KEY (article_id, position)
        );

        CREATE TABLE temporal_expressions (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            text       TEXT NOT NULL,
            start      INTEGER NOT NULL,
            end        INTEGER NOT NULL,
            kind       TEXT NOT NULL,
            value      TEXT,
            end_value  TEXT,
            precision  TEXT NOT NULL,
            confidence REAL NOT NULL,
            sentence   INTEGER NOT NULL,
            tense      TEXT,
            PRIMARY KEY (article_id, position)
        );

        CREATE TABLE dated_events (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            position   INTEGER NOT NULL,
            date       TEXT NOT NULL,
            precision  TEXT NOT NULL,
            sentence   INTEGER NOT NULL,
            text       TEXT NOT NULL,
            actors     TEXT NOT NULL DEFAULT '[]',  -- JSON list of entity keys
            planned    INTEGER NOT NULL DEFAULT 0,
            figures    TEXT NOT NULL DEFAULT '[]',
            PRIMARY KEY (article_id, position)
        );
        CREATE INDEX dated_events_date ON dated_events(date);
        """,
    ),
    (
        "article versions: earlier headlines and texts of an article re-published at the same URL",
        """
        -- A new version of a known article (same identity, new bytes) updates it in place and keeps its
        -- id; what it said before is kept here, so headline and body edits show as versions.
        CREATE TABLE article_versions (
            article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
            version     INTEGER NOT NULL,               -- 1 = first seen
            title       TEXT,
            text        TEXT NOT NULL,
            text_hash   TEXT NOT NULL,
            raw_sha256  TEXT,
            published_at TEXT,
            seen_at     TEXT NOT NULL,                  -- when this version was stored
            replaced_at TEXT NOT NULL,                  -- when a newer version replaced it
            PRIMARY KEY (article_id, version)
        );
        """,
    ),
    (
        "stories: clustering features, stories and their articles, merge redirects, threads",
        """
        -- What clustering knows of each article (dateline.cluster.features), kept so that re-clustering
        -- never recomputes embeddings. text_hash: the article text they were computed from.
        CREATE TABLE story_features (
            article_id   TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            seen_at      TEXT NOT NULL,             -- naive UTC ISO: the clustering stream's clock
            dated        INTEGER NOT NULL DEFAULT 0,
            language     TEXT,
            title        TEXT,
            outlet       TEXT,
            duplicate_of TEXT,
            vector       BLOB,                      -- float16 little-endian; NULL: nothing to embed
            terms        TEXT NOT NULL DEFAULT '[]', -- JSON [[term, weight], ...]
            entities     TEXT NOT NULL DEFAULT '[]', -- JSON [[entity key, weight], ...]
            version      TEXT NOT NULL,
            text_hash    TEXT
        );
        CREATE INDEX story_features_seen_at ON story_features(seen_at);

        -- A story's members are derived from story_articles; its outlets and languages from articles.
        CREATE TABLE stories (
            id         TEXT PRIMARY KEY,
            title      TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen  TEXT NOT NULL,
            thread_id  TEXT,
            algorithm  TEXT NOT NULL,
            updated_at TEXT
        );
        CREATE INDEX stories_last_seen ON stories(last_seen);
        CREATE INDEX stories_thread ON stories(thread_id);

        -- sequence: the order clustering decided in, so a story's articles list in stream order.
        CREATE TABLE story_articles (
            article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
            story_id   TEXT NOT NULL REFERENCES stories(id) DEFERRABLE INITIALLY DEFERRED,
            score      REAL,
            sequence   INTEGER NOT NULL UNIQUE
        );
        CREATE INDEX story_articles_story ON story_articles(story_id);

        -- A merged story's id keeps resolving: one hop to the story that absorbed it.
        CREATE TABLE story_redirects (
            absorbed  TEXT PRIMARY KEY,
            survivor  TEXT NOT NULL,
            merged_at TEXT NOT NULL
        );
        CREATE INDEX story_redirects_survivor ON story_redirects(survivor);

        -- Threads are recomputed whole; their stories are those whose stories.thread_id names them.
        CREATE TABLE threads (
            id         TEXT PRIMARY KEY,
            title      TEXT NOT NULL,
            first_seen TEXT NOT NULL,
            last_seen  TEXT NOT NULL,
            algorithm  TEXT NOT NULL
        );
        CREATE INDEX threads_last_seen ON threads(last_seen);
        """,
    ),
    (
        "story syntheses: a cache of each story's (and thread's) synthesis, dropped when its inputs change",
        """
        -- The synthesis of a story (or of a thread: story_id holds the thread id), as StorySynthesis.to_dict
        -- JSON. It is a cache: the triggers below delete a row whenever what it was built from changes (an
        -- article joins, leaves or moves; an article is re-extracted, re-dated or folded as a copy; an
        -- article is re-enriched; a story changes thread), and the pipeline rebuilds it on the next read.
        CREATE TABLE story_syntheses (
            story_id     TEXT PRIMARY KEY,
            members_hash TEXT NOT NULL,
            version      TEXT NOT NULL,        -- SYNTHESIS_VERSION of dateline.synthesize
            built_at     TEXT NOT NULL,
            data         TEXT NOT NULL         -- JSON StorySynthesis
        );
        CREATE INDEX story_syntheses_version ON story_syntheses(version);

        -- The cache keys an article's synthesis inputs reach: its story and that story's thread.
        CREATE VIEW synthesis_keys(article_id, key) AS
            SELECT article_id, story_id FROM story_articles
            UNION ALL SELECT sa.article_id, s.thread_id FROM story_articles sa JOIN stories s ON s.id = sa.story_id
            WHERE s.thread_id IS NOT NULL;

        -- Every trigger first checks that any synthesis is stored, so a store that never synthesizes
        -- pays one lookup per write. A story's thread is invalidated with it.
        CREATE TRIGGER story_syntheses_member_added AFTER INSERT ON story_articles
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (NEW.story_id, (SELECT thread_id FROM stories WHERE id = NEW.story_id));
        END;
        CREATE TRIGGER story_syntheses_member_moved AFTER UPDATE ON story_articles
        WHEN (OLD.story_id IS NOT NEW.story_id OR OLD.sequence IS NOT NEW.sequence)
            AND EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (OLD.story_id, NEW.story_id, (SELECT thread_id FROM stories WHERE id = OLD.story_id),
                 (SELECT thread_id FROM stories WHERE id = NEW.story_id));
        END;
        CREATE TRIGGER story_syntheses_member_removed AFTER DELETE ON story_articles
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (OLD.story_id, (SELECT thread_id FROM stories WHERE id = OLD.story_id));
        END;
        CREATE TRIGGER story_syntheses_article_changed AFTER UPDATE ON articles
        WHEN (OLD.text IS NOT NEW.text OR OLD.title IS NOT NEW.title OR OLD.standfirst IS NOT NEW.standfirst
              OR OLD.outlet IS NOT NEW.outlet OR OLD.via IS NOT NEW.via OR OLD.published_at IS NOT NEW.published_at
              OR OLD.duplicate_of IS NOT NEW.duplicate_of OR OLD.language IS NOT NEW.language)
            AND EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (SELECT key FROM synthesis_keys WHERE article_id = NEW.id);
        END;
        CREATE TRIGGER story_syntheses_enrichment_added AFTER INSERT ON enrichments
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (SELECT key FROM synthesis_keys WHERE article_id = NEW.article_id);
        END;
        CREATE TRIGGER story_syntheses_enrichment_changed AFTER UPDATE ON enrichments
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (SELECT key FROM synthesis_keys WHERE article_id = NEW.article_id);
        END;
        CREATE TRIGGER story_syntheses_enrichment_removed AFTER DELETE ON enrichments
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN
                (SELECT key FROM synthesis_keys WHERE article_id = OLD.article_id);
        END;
        CREATE TRIGGER story_syntheses_thread_changed AFTER UPDATE OF thread_id ON stories
        WHEN OLD.thread_id IS NOT NEW.thread_id AND EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN (OLD.thread_id, NEW.thread_id);
        END;
        CREATE TRIGGER story_syntheses_story_removed AFTER DELETE ON stories
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id IN (OLD.id, OLD.thread_id);
        END;
        CREATE TRIGGER story_syntheses_thread_removed AFTER DELETE ON threads
        WHEN EXISTS (SELECT 1 FROM story_syntheses)
        BEGIN
            DELETE FROM story_syntheses WHERE story_id = OLD.id;
        END;
        """,
    ),
    (
        "reader: source schedule, follows, story visits",
        """
        -- Sources are polled by the server's scheduler: each has its own interval; after an error the next
        -- fetch backs off (interval * 2^failures, capped by the scheduler). next_fetch_at NULL means due now.
        ALTER TABLE sources ADD COLUMN interval_seconds INTEGER NOT NULL DEFAULT 1800;
        ALTER TABLE sources ADD COLUMN next_fetch_at TEXT;
        ALTER TABLE sources ADD COLUMN failures INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE sources ADD COLUMN last_success_at TEXT;
        ALTER TABLE sources ADD COLUMN articles_added INTEGER NOT NULL DEFAULT 0;
        CREATE INDEX sources_next_fetch ON sources(next_fetch_at);

        -- A follow watches a search (target: the query), an entity (its key) or a story (its id); what is
        -- new is what arrived after last_seen_at, which "mark read" moves forward.
        CREATE TABLE follows (
            id           INTEGER PRIMARY KEY,
            kind         TEXT NOT NULL CHECK (kind IN ('search', 'entity', 'story')),
            target       TEXT NOT NULL,
            label        TEXT NOT NULL,
            created_at   TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            UNIQUE (kind, target)
        );

        -- When the reader last opened each story, so the front page can say what changed since.
        CREATE TABLE story_visits (
            story_id   TEXT PRIMARY KEY,
            visited_at TEXT NOT NULL
        );
        """,
    ),
    (
        "search by date: an index on the time search sorts by",
        """
        -- Search sorted newest first walks this index (an article's publication time, else ingest time).
        CREATE INDEX articles_sort_time ON articles(COALESCE(published_at, ingested_at));
        """,
    ),
    (
        "reader filters: outlets and languages",
        """
        -- The filter menus count originals per outlet and language from these alone (no table scan), and
        -- an outlet or language filter finds its articles through them.
        CREATE INDEX IF NOT EXISTS articles_outlet ON articles(outlet, duplicate_of);
        CREATE INDEX IF NOT EXISTS articles_language ON articles(language, duplicate_of);
        """,
    ),
)
