"""The SQLite store: every SQL statement of Dateline lives in this package.

One connection, one writer (a lock around every write), WAL so readers never block the
writer, foreign keys on. Methods take and return records from ``dateline.models``; the
pipeline never sees a cursor. A PostgreSQL backend implements the same methods.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dateline.errors import StoreError
from dateline.models import (
    Article,
    Caption,
    DateOrigin,
    DatePrecision,
    DocumentHints,
    IngestProblem,
    PublishedDate,
    RawDocument,
    SourceFormat,
)
from dateline.store.enrichment import EnrichmentTables
from dateline.store.migrations import MIGRATIONS
from dateline.store.reader import ReaderTables
from dateline.store.sources import SourceTables
from dateline.store.sqltext import fts_query, marks, now_iso
from dateline.store.stories import StoryTables
from dateline.store.syntheses import SynthesisTables

# Below this size compression costs more than it saves.
_COMPRESS_MIN_BYTES = 256
# Level 3 keeps pages at 23.5% of their size in 0.9 ms (level 6: 21.3% in 1.7 ms, measured on
# trafilatura-eval pages); this runs in the single writer, so its time bounds ingest throughput.
_ZLIB_LEVEL = 3


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def hints_to_json(hints: DocumentHints) -> str:
    data: dict[str, Any] = {f.name: getattr(hints, f.name) for f in fields(hints)}  # shallow: asdict is slow
    published = hints.published
    data["published"] = {
        "value": published.value.isoformat() if published.value else None,
        "precision": str(published.precision),
        "origin": str(published.origin),
    }
    data["authors"] = list(hints.authors)
    return json.dumps({k: v for k, v in data.items() if v not in (None, [], ())}, ensure_ascii=False)


def hints_from_json(text: str | None) -> DocumentHints:
    data: dict[str, Any] = json.loads(text or "{}")
    published = data.pop("published", None) or {}
    return DocumentHints(
        **{k: v for k, v in data.items() if k != "authors"},
        authors=tuple(data.get("authors", ())),
        published=PublishedDate(
            _dt(published.get("value")),
            DatePrecision(published.get("precision", "unknown")),
            DateOrigin(published.get("origin", "none")),
        ),
    )


@dataclass(frozen=True, slots=True)
class StoredSignature:
    article_id: str
    minhash: bytes
    published_at: datetime | None
    ingested_at: datetime
    duplicate_of: str | None
    is_copy: bool  # the article names an aggregator it came through (``via``)
    timed: bool  # its publication time is known, not just the day
    outlet: str | None


@dataclass(frozen=True, slots=True)
class IngestLogEntry:
    id: int
    run_id: str | None
    at: datetime
    source: str
    stage: str
    level: str
    message: str


@dataclass(frozen=True, slots=True)
class StoreStats:
    articles: int
    originals: int
    duplicates: int
    raw_documents: int
    raw_bytes: int
    stored_bytes: int
    errors: int
    by_format: dict[str, int]
    by_language: dict[str, int]
    by_outlet: dict[str, int]


@dataclass(frozen=True, slots=True)
class ArticleVersion:
    """What an article said before a newer version replaced it."""

    version: int  # 1 = the first version seen
    title: str | None
    text: str
    raw_sha256: str | None
    published_at: datetime | None
    seen_at: datetime
    replaced_at: datetime


@dataclass(frozen=True, slots=True)
class SearchHit:
    article: Article
    snippet: str
    rank: float


class SqliteStore(EnrichmentTables, StoryTables, SynthesisTables, ReaderTables, SourceTables):
    def __init__(self, connection: sqlite3.Connection, path: Path | None) -> None:
        self._db = connection
        self.path = path
        self._write_lock = threading.RLock()

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(cls, path: Path | str) -> SqliteStore:
        """Open (creating and migrating as needed) the store at PATH; ':memory:' for tests."""
        in_memory = str(path) == ":memory:"
        target = None if in_memory else Path(path)
        try:
            if target is not None:
                target.parent.mkdir(parents=True, exist_ok=True)
            connection = sqlite3.connect(
                ":memory:" if target is None else str(target),
                isolation_level=None,  # we manage transactions explicitly (BEGIN / SAVEPOINT)
                check_same_thread=False,
                timeout=30,
            )
        except (sqlite3.Error, OSError) as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        connection.row_factory = sqlite3.Row
        try:
            connection.execute("PRAGMA foreign_keys = ON")
            if target is not None:
                connection.execute("PRAGMA journal_mode = WAL")
            connection.execute("PRAGMA synchronous = NORMAL")
            connection.execute("PRAGMA busy_timeout = 30000")
            store = cls(connection, target)
            store._migrate()
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise StoreError(f"{path} is not a usable Dateline database: {exc}") from exc
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SqliteStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied = {row[0] for row in self._db.execute("SELECT version FROM schema_migrations")}
        if applied and max(applied) > len(MIGRATIONS):
            raise StoreError(
                f"database schema version {max(applied)} is newer than this Dateline ({len(MIGRATIONS)}): upgrade"
            )
        for version, (name, script) in enumerate(MIGRATIONS, start=1):
            if version in applied:
                continue
            with self.atomic():
                for statement in _split_sql(script):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, ?)",
                    (version, name, now_iso()),
                )

    @property
    def schema_version(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations").fetchone()
        return int(row[0])

    @contextmanager
    def atomic(self) -> Iterator[None]:
        """A transaction, or a savepoint inside one: nested blocks roll back alone."""
        with self._write_lock:
            if not self._db.in_transaction:
                with self._writing():
                    yield
                return
            name = f"sp_{id(object())}"
            self._db.execute(f"SAVEPOINT {name}")
            try:
                yield
            except BaseException:
                self._db.execute(f"ROLLBACK TO {name}")
                self._db.execute(f"RELEASE {name}")
                raise
            self._db.execute(f"RELEASE {name}")

    @contextmanager
    def _writing(self) -> Iterator[None]:
        """One method's writes: its own transaction, or simply part of the caller's.

        Unlike ``atomic`` it sets no savepoint inside a transaction; a caller that needs several
        writes to roll back together wraps them in ``atomic``.
        """
        with self._write_lock:
            if self._db.in_transaction:
                yield
                return
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    # ------------------------------------------------------------ raw documents

    def save_raw(self, raw: RawDocument) -> str:
        """Keep the input bytes, compressed, keyed by their SHA-256; storing twice is a no-op."""
        sha = raw.sha256
        content = raw.content
        compression = "none"
        if len(content) >= _COMPRESS_MIN_BYTES:
            content, compression = zlib.compress(content, _ZLIB_LEVEL), "zlib"
        with self._writing():
            self._db.execute(
                "INSERT INTO raw_documents(sha256, source, media_type, identity, user_hints, context_hints,"
                " size, compression, content, fetched_at, stored_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(sha256) DO NOTHING",
                (
                    sha,
                    raw.source,
                    raw.media_type,
                    raw.identity,
                    hints_to_json(raw.user_hints),
                    hints_to_json(raw.context_hints),
                    len(raw.content),
                    compression,
                    content,
                    raw.fetched_at.isoformat() if raw.fetched_at else None,
                    now_iso(),
                ),
            )
        return sha

    def load_raw(self, sha256: str) -> RawDocument | None:
        row = self._db.execute("SELECT * FROM raw_documents WHERE sha256 = ?", (sha256,)).fetchone()
        if row is None:
            return None
        content = bytes(row["content"])
        if row["compression"] == "zlib":
            content = zlib.decompress(content)
        return RawDocument(
            source=row["source"],
            content=content,
            media_type=row["media_type"],
            fetched_at=_dt(row["fetched_at"]),
            user_hints=hints_from_json(row["user_hints"]),
            context_hints=hints_from_json(row["context_hints"]),
            identity=row["identity"],
        )

    def raw_is_extracted(self, sha256: str) -> bool:
        """True when an article already came from exactly these bytes: re-ingesting them changes nothing."""
        row = self._db.execute("SELECT 1 FROM articles WHERE raw_sha256 = ? LIMIT 1", (sha256,)).fetchone()
        return row is not None

    def raw_shas_with_articles(self) -> list[str]:
        return [
            r[0]
            for r in self._db.execute("SELECT DISTINCT raw_sha256 FROM articles WHERE raw_sha256 IS NOT NULL")
        ]

    # ------------------------------------------------------------ articles

    def article_identity_state(self, identity: str) -> tuple[str, str | None, str] | None:
        """(id, raw_sha256, text_hash) of the article with this identity, if stored."""
        row = self._db.execute(
            "SELECT id, raw_sha256, text_hash FROM articles WHERE identity = ?", (identity,)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def upsert_article(self, article: Article, *, text_hash: str, canonical_url: str | None) -> bool:
        """Insert the article, or replace the fields of the one with the same identity. True when new."""
        now = now_iso()
        values = {
            "id": article.id,
            "identity": article.identity,
            "source": article.source,
            "url": article.url,
            "canonical_url": canonical_url,
            "outlet": article.outlet,
            "via": article.via,
            "title": article.title,
            "authors": json.dumps(list(article.authors), ensure_ascii=False),
            "section": article.section,
            "standfirst": article.standfirst,
            "published_at": article.published_at.isoformat() if article.published_at else None,
            "published_precision": str(article.published_precision),
            "published_origin": str(article.published_origin),
            "language": article.language,
            "text": article.text,
            "paragraphs": json.dumps(list(article.paragraphs), ensure_ascii=False),
            "captions": json.dumps([asdict(c) for c in article.captions], ensure_ascii=False),
            "source_format": str(article.source_format),
            "extractor": article.extractor,
            "raw_sha256": article.raw_sha256,
            "text_hash": text_hash,
            "duplicate_of": article.duplicate_of,
            "duplicate_similarity": article.duplicate_similarity,
            "ingested_at": article.ingested_at.isoformat(),
            "updated_at": now,
        }
        columns = ", ".join(values)
        placeholders = ", ".join(f":{k}" for k in values)
        # On a new version of a known article keep its id and first ingest time.
        updates = ", ".join(
            f"{k} = excluded.{k}" for k in values if k not in ("id", "identity", "ingested_at")
        )
        with self._writing():
            existed = self._db.execute(
                "SELECT id, title, text, text_hash, raw_sha256, published_at, updated_at FROM articles"
                " WHERE identity = ?",
                (article.identity,),
            ).fetchone()
            # A version is new input that reads differently; re-extracting the same bytes is not one.
            if (
                existed is not None
                and existed["raw_sha256"] != article.raw_sha256
                and (existed["text_hash"], existed["title"]) != (text_hash, article.title)
            ):
                self._keep_version(existed, replaced_at=now)
            self._db.execute(
                f"INSERT INTO articles({columns}) VALUES ({placeholders})"
                f" ON CONFLICT(identity) DO UPDATE SET {updates}",
                values,
            )
        return existed is None

    def _keep_version(self, row: sqlite3.Row, *, replaced_at: str) -> None:
        self._db.execute(
            "INSERT INTO article_versions(article_id, version, title, text, text_hash, raw_sha256, published_at,"
            " seen_at, replaced_at) VALUES (?, (SELECT COALESCE(MAX(version), 0) + 1 FROM article_versions"
            " WHERE article_id = ?), ?, ?, ?, ?, ?, ?, ?)",
            (
                row["id"],
                row["id"],
                row["title"],
                row["text"],
                row["text_hash"],
                row["raw_sha256"],
                row["published_at"],
                row["updated_at"],
                replaced_at,
            ),
        )

    def article_versions(self, article_id: str) -> list[ArticleVersion]:
        """Earlier versions of an article (headline or text changed at the same identity), oldest first."""
        rows = self._db.execute(
            "SELECT * FROM article_versions WHERE article_id = ? ORDER BY version", (article_id,)
        )
        return [
            ArticleVersion(
                r["version"],
                r["title"],
                r["text"],
                r["raw_sha256"],
                _dt(r["published_at"]),
                datetime.fromisoformat(r["seen_at"]),
                datetime.fromisoformat(r["replaced_at"]),
            )
            for r in rows
        ]

    def get_article(self, article_id: str) -> Article | None:
        row = self._db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is None:
            # Allow unambiguous id prefixes, as git does.
            rows = self._db.execute(
                "SELECT * FROM articles WHERE id >= ? AND id < ? LIMIT 2", (article_id, article_id + "\uffff")
            ).fetchall()
            row = rows[0] if len(rows) == 1 else None
        return _article_from_row(row) if row else None

    def get_article_by_raw(self, sha256: str) -> Article | None:
        row = self._db.execute("SELECT * FROM articles WHERE raw_sha256 = ? LIMIT 1", (sha256,)).fetchone()
        return _article_from_row(row) if row else None

    def list_articles(
        self,
        *,
        limit: int | None = None,
        offset: int = 0,
        include_duplicates: bool = True,
        newest_first: bool = True,
    ) -> list[Article]:
        where = "" if include_duplicates else "WHERE duplicate_of IS NULL"
        order = "DESC" if newest_first else "ASC"
        sql = (
            f"SELECT * FROM articles {where} "
            f"ORDER BY COALESCE(published_at, ingested_at) {order}, id LIMIT ? OFFSET ?"
        )
        rows = self._db.execute(sql, (limit if limit is not None else -1, offset)).fetchall()
        return [_article_from_row(r) for r in rows]

    def count_articles(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def search(self, query: str, *, limit: int = 20) -> list[SearchHit]:
        """FTS5 search over title and text, best first; the query is quoted so user text is never syntax."""
        match = fts_query(query)
        if not match:
            return []
        rows = self._db.execute(
            "SELECT a.*, snippet(articles_fts, 1, '[', ']', '…', 12) AS snippet, bm25(articles_fts) AS rank"
            " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
            (match, limit),
        ).fetchall()
        return [SearchHit(_article_from_row(r), r["snippet"], float(r["rank"])) for r in rows]

    # ------------------------------------------------------------ duplicates

    def find_by_text_hash(self, text_hash: str, *, exclude_identity: str) -> list[StoredSignature]:
        rows = self._db.execute(
            "SELECT a.id, COALESCE(s.minhash, x''), a.published_at, a.ingested_at, a.duplicate_of, a.via IS NOT NULL,"
            " a.published_precision = 'datetime', a.outlet"
            " FROM articles a LEFT JOIN article_signatures s ON s.article_id = a.id"
            " WHERE a.text_hash = ? AND a.identity != ?",
            (text_hash, exclude_identity),
        ).fetchall()
        return [_signature_from_row(r) for r in rows]

    def find_by_canonical_url(self, url: str, *, exclude_identity: str) -> list[StoredSignature]:
        rows = self._db.execute(
            "SELECT a.id, COALESCE(s.minhash, x''), a.published_at, a.ingested_at, a.duplicate_of, a.via IS NOT NULL,"
            " a.published_precision = 'datetime', a.outlet"
            " FROM articles a LEFT JOIN article_signatures s ON s.article_id = a.id"
            " WHERE a.canonical_url = ? AND a.identity != ?",
            (url, exclude_identity),
        ).fetchall()
        return [_signature_from_row(r) for r in rows]

    def find_band_candidates(self, keys: Sequence[int], *, exclude_id: str) -> list[StoredSignature]:
        if not keys:
            return []
        placeholders = marks(keys)
        rows = self._db.execute(
            "SELECT a.id, s.minhash, a.published_at, a.ingested_at, a.duplicate_of, a.via IS NOT NULL,"
            " a.published_precision = 'datetime', a.outlet"
            " FROM (SELECT DISTINCT article_id FROM article_bands"
            f"       WHERE band_key IN ({placeholders}) AND article_id != ?) c"
            " JOIN articles a ON a.id = c.article_id"
            " JOIN article_signatures s ON s.article_id = a.id",
            (*keys, exclude_id),
        ).fetchall()
        return [_signature_from_row(r) for r in rows]

    def save_signature(
        self, article_id: str, minhash: bytes, keys: Iterable[int], *, new: bool = False
    ) -> None:
        """Store the MinHash and its band keys; NEW skips removing the bands of an earlier version."""
        with self._writing():
            self._db.execute(
                "INSERT INTO article_signatures(article_id, minhash) VALUES (?, ?)"
                " ON CONFLICT(article_id) DO UPDATE SET minhash = excluded.minhash",
                (article_id, minhash),
            )
            if not new:
                self._db.execute("DELETE FROM article_bands WHERE article_id = ?", (article_id,))
            self._db.executemany(
                "INSERT OR IGNORE INTO article_bands(band_key, article_id) VALUES (?, ?)",
                [(key, article_id) for key in keys],
            )

    def set_duplicate_group(self, original_id: str, members: dict[str, float]) -> None:
        """Mark MEMBERS (id -> similarity) duplicate_of ORIGINAL_ID; the original itself points nowhere.

        Anything that pointed at a member now points at the original, so a group has one root.
        """
        with self._writing():
            self._db.execute(
                "UPDATE articles SET duplicate_of = NULL, duplicate_similarity = NULL WHERE id = ?",
                (original_id,),
            )
            for member_id, similarity in members.items():
                if member_id == original_id:
                    continue
                self._db.execute(
                    "UPDATE articles SET duplicate_of = ?, duplicate_similarity = ? WHERE id = ?",
                    (original_id, similarity, member_id),
                )
                self._db.execute(
                    "UPDATE articles SET duplicate_of = ? WHERE duplicate_of = ? AND id != ?",
                    (original_id, member_id, original_id),
                )

    def clear_duplicate(self, article_id: str) -> None:
        with self._writing():
            self._db.execute(
                "UPDATE articles SET duplicate_of = NULL, duplicate_similarity = NULL WHERE id = ?",
                (article_id,),
            )

    def duplicates_of(self, article_id: str) -> list[tuple[str, float | None]]:
        rows = self._db.execute(
            "SELECT id, duplicate_similarity FROM articles WHERE duplicate_of = ? ORDER BY id", (article_id,)
        ).fetchall()
        return [(r[0], r[1]) for r in rows]

    # ------------------------------------------------------------ line statistics (text scrapes)

    def repeated_lines(self, site: str, *, min_documents: int) -> frozenset[str]:
        rows = self._db.execute(
            "SELECT line_key FROM line_stats WHERE site = ? AND documents >= ?", (site, min_documents)
        )
        return frozenset(r[0] for r in rows)

    def count_lines(self, counts: Mapping[tuple[str, str], int]) -> None:
        """Add document counts per (site, line key): callers aggregate a batch first (chrome repeats)."""
        with self._writing():
            self._db.executemany(
                "INSERT INTO line_stats(site, line_key, documents) VALUES (?, ?, ?)"
                " ON CONFLICT(site, line_key) DO UPDATE SET documents = documents + excluded.documents",
                [(site, key, count) for (site, key), count in counts.items()],
            )

    # ------------------------------------------------------------ ingest runs and log

    def start_run(self, run_id: str, inputs: Sequence[str]) -> None:
        with self._writing():
            self._db.execute(
                "INSERT INTO ingest_runs(id, started_at, inputs) VALUES (?, ?, ?)",
                (run_id, now_iso(), json.dumps(list(inputs)[:1000], ensure_ascii=False)),
            )

    def finish_run(self, run_id: str, counts: dict[str, int], status: str) -> None:
        with self._writing():
            self._db.execute(
                "UPDATE ingest_runs SET finished_at = ?, added = ?, updated = ?, unchanged = ?,"
                " duplicates = ?, failed = ?, status = ? WHERE id = ?",
                (
                    now_iso(),
                    counts.get("added", 0),
                    counts.get("updated", 0),
                    counts.get("unchanged", 0),
                    counts.get("duplicates", 0),
                    counts.get("failed", 0),
                    status,
                    run_id,
                ),
            )

    def log_problem(self, problem: IngestProblem, *, run_id: str | None, level: str = "error") -> None:
        with self._writing():
            self._db.execute(
                "INSERT INTO ingest_log(run_id, at, source, stage, level, message) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    (problem.at or datetime.now(UTC)).isoformat(),
                    problem.source,
                    problem.stage,
                    level,
                    problem.message,
                ),
            )

    def list_problems(self, *, limit: int = 50, run_id: str | None = None) -> list[IngestLogEntry]:
        if run_id:
            rows = self._db.execute(
                "SELECT * FROM ingest_log WHERE run_id = ? ORDER BY id DESC LIMIT ?", (run_id, limit)
            ).fetchall()
        else:
            rows = self._db.execute("SELECT * FROM ingest_log ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [
            IngestLogEntry(
                r["id"],
                r["run_id"],
                datetime.fromisoformat(r["at"]),
                r["source"],
                r["stage"],
                r["level"],
                r["message"],
            )
            for r in rows
        ]

    # ------------------------------------------------------------ summaries

    def stats(self) -> StoreStats:
        one = self._db.execute(
            "SELECT COUNT(*), SUM(duplicate_of IS NULL), SUM(duplicate_of IS NOT NULL) FROM articles"
        ).fetchone()
        raw = self._db.execute(
            "SELECT COUNT(*), COALESCE(SUM(size),0), COALESCE(SUM(length(content)),0) FROM raw_documents"
        ).fetchone()
        errors = self._db.execute("SELECT COUNT(*) FROM ingest_log WHERE level = 'error'").fetchone()[0]

        def grouped(column: str) -> dict[str, int]:
            rows = self._db.execute(
                f"SELECT COALESCE({column}, '?'), COUNT(*) FROM articles WHERE duplicate_of IS NULL"
                f" GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20"
            )
            return {r[0]: r[1] for r in rows}

        return StoreStats(
            articles=one[0] or 0,
            originals=one[1] or 0,
            duplicates=one[2] or 0,
            raw_documents=raw[0],
            raw_bytes=raw[1],
            stored_bytes=raw[2],
            errors=errors,
            by_format=grouped("source_format"),
            by_language=grouped("language"),
            by_outlet=grouped("outlet"),
        )


def _signature_from_row(row: sqlite3.Row) -> StoredSignature:
    return StoredSignature(
        row[0],
        bytes(row[1]),
        _dt(row[2]),
        datetime.fromisoformat(row[3]),
        row[4],
        bool(row[5]),
        bool(row[6]),
        row[7],
    )


def _article_from_row(row: sqlite3.Row) -> Article:
    captions = tuple(
        Caption(c.get("text", ""), c.get("credit")) if isinstance(c, dict) else Caption(str(c))
        for c in json.loads(row["captions"])
    )
    return Article(
        id=row["id"],
        source=row["source"],
        url=row["url"],
        outlet=row["outlet"],
        via=row["via"],
        title=row["title"],
        authors=tuple(json.loads(row["authors"])),
        section=row["section"],
        standfirst=row["standfirst"],
        published_at=_dt(row["published_at"]),
        published_precision=DatePrecision(row["published_precision"]),
        published_origin=DateOrigin(row["published_origin"]),
        language=row["language"],
        paragraphs=tuple(json.loads(row["paragraphs"])),
        captions=captions,
        source_format=SourceFormat(row["source_format"]),
        ingested_at=datetime.fromisoformat(row["ingested_at"]),
        identity=row["identity"],
        raw_sha256=row["raw_sha256"],
        duplicate_of=row["duplicate_of"],
        duplicate_similarity=row["duplicate_similarity"],
        extractor=row["extractor"],
    )


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; trigger bodies (BEGIN … END;) stay whole."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("--"):
            continue
        current.append(line)
        candidate = "\n".join(current)
        if stripped.endswith(";") and sqlite3.complete_statement(candidate):
            statements.append(candidate)
            current = []
    if current:
        statements.append("\n".join(current))
    return statements
