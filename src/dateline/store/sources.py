"""SQL for sources (the feeds and folders the reader keeps fresh) and the HTTP cache of conditional GETs.

A mixin of ``SqliteStore`` (same connection, same single writer), like ``StoryTables``. A source row
carries its own polling schedule: ``next_fetch_at`` (NULL means due now), its interval, how many passes
in a row failed, and what the last pass said. The policy (how long to back off) is the pipeline's; the
store only keeps the numbers. Removing a source keeps every article it brought in.

Schedule times are written as UTC ISO strings to the second, so comparing them as text is comparing
the times.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from dateline.models import FeedSubscription, Source, SourceKind, SourceStatus
from dateline.store.sqltext import now_iso

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


def schedule_stamp(value: datetime) -> str:
    """VALUE as the text schedule columns hold: UTC, to the second (a naive time is taken as UTC)."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat(timespec="seconds")


def _when(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _status(value: str | None) -> SourceStatus | None:
    try:
        return SourceStatus(value) if value else None
    except ValueError:  # written by an older version: shown as unknown rather than failing the listing
        return None


def _source_from_row(row: sqlite3.Row) -> Source:
    return Source(
        id=row["id"],
        url=row["url"],
        kind=SourceKind(row["kind"]),
        title=row["title"],
        html_url=row["html_url"],
        category=row["category"],
        added_at=datetime.fromisoformat(row["added_at"]),
        paused=bool(row["paused"]),
        interval_seconds=row["interval_seconds"],
        next_fetch_at=_when(row["next_fetch_at"]),
        failures=row["failures"],
        last_fetched_at=_when(row["last_fetched_at"]),
        last_success_at=_when(row["last_success_at"]),
        last_status=_status(row["last_status"]),
        last_error=row["last_error"],
        articles_added=row["articles_added"],
    )


class SourceTables:
    """Source and HTTP-cache methods of SqliteStore."""

    _db: sqlite3.Connection

    if TYPE_CHECKING:

        def _writing(self) -> AbstractContextManager[None]: ...

    # ------------------------------------------------------------ subscriptions

    def add_sources(self, subscriptions: Iterable[FeedSubscription]) -> int:
        """Subscribe to feeds (an OPML import); a URL already subscribed is left as it is. Returns how many are new."""
        added = 0
        with self._writing():
            for sub in subscriptions:
                cursor = self._db.execute(
                    "INSERT INTO sources(url, kind, title, html_url, category, added_at) VALUES (?, 'feed', ?, ?, ?, ?)"
                    " ON CONFLICT(url) DO NOTHING",
                    (sub.url, sub.title, sub.html_url, sub.category, now_iso()),
                )
                added += cursor.rowcount
        return added

    def add_source(
        self,
        url: str,
        *,
        kind: SourceKind = SourceKind.FEED,
        title: str | None = None,
        html_url: str | None = None,
        category: str | None = None,
        interval_seconds: int | None = None,
    ) -> tuple[Source, bool]:
        """Subscribe to one source, due at once. Returns it and whether it is new (a known URL is left as it is)."""
        columns: dict[str, str | int | None] = {"url": url, "kind": str(SourceKind(kind)), "title": title}
        columns |= {"html_url": html_url, "category": category, "added_at": now_iso()}
        if interval_seconds is not None:
            columns["interval_seconds"] = interval_seconds
        names = ", ".join(columns)
        with self._writing():
            cursor = self._db.execute(
                f"INSERT INTO sources({names}) VALUES ({', '.join('?' * len(columns))}) ON CONFLICT(url) DO NOTHING",
                tuple(columns.values()),
            )
            found = self.source_by_url(url)
        assert found is not None
        return found, cursor.rowcount == 1

    def list_sources(self) -> list[FeedSubscription]:
        """The feed subscriptions, for OPML export (local paths are not feeds another reader could follow)."""
        rows = self._db.execute(
            "SELECT url, title, html_url, category FROM sources WHERE kind = 'feed' ORDER BY id"
        ).fetchall()
        return [FeedSubscription(r[0], r[1], r[2], r[3]) for r in rows]

    def list_source_records(self) -> list[Source]:
        """Every source with its polling state, in the order they were added."""
        rows = self._db.execute("SELECT * FROM sources ORDER BY id").fetchall()
        return [_source_from_row(r) for r in rows]

    def get_source(self, source_id: int) -> Source | None:
        row = self._db.execute("SELECT * FROM sources WHERE id = ?", (source_id,)).fetchone()
        return _source_from_row(row) if row else None

    def source_by_url(self, url: str) -> Source | None:
        row = self._db.execute("SELECT * FROM sources WHERE url = ?", (url,)).fetchone()
        return _source_from_row(row) if row else None

    def due_sources(self, now: datetime, *, limit: int | None = None) -> list[Source]:
        """Unpaused sources whose next fetch is at or before NOW, never-fetched ones first, then the most overdue."""
        rows = self._db.execute(
            "SELECT * FROM sources WHERE paused = 0 AND (next_fetch_at IS NULL OR next_fetch_at <= ?)"
            " ORDER BY next_fetch_at IS NOT NULL, next_fetch_at, id LIMIT ?",
            (schedule_stamp(now), limit if limit is not None else -1),
        ).fetchall()
        return [_source_from_row(r) for r in rows]

    def set_source_paused(self, source_id: int, paused: bool) -> bool:
        """Pause or resume a source; a resumed one is due at once. False when there is no such source."""
        with self._writing():
            if paused:
                cursor = self._db.execute("UPDATE sources SET paused = 1 WHERE id = ?", (source_id,))
            else:
                cursor = self._db.execute(
                    "UPDATE sources SET paused = 0, next_fetch_at = NULL WHERE id = ? AND paused = 1",
                    (source_id,),
                )
                if cursor.rowcount == 0:  # already running: keep its schedule
                    return self.get_source(source_id) is not None
        return cursor.rowcount == 1

    def set_source_interval(self, source_id: int, interval_seconds: int) -> bool:
        """Change how often a source is polled; a healthy source's next fetch moves to its last fetch plus the
        new interval (a source backing off after errors keeps its backoff). False when there is no such source."""
        with self._writing():
            source = self.get_source(source_id)
            if source is None:
                return False
            next_fetch_at = source.next_fetch_at
            if source.failures == 0 and source.last_fetched_at is not None:
                next_fetch_at = source.last_fetched_at + timedelta(seconds=interval_seconds)
            self._db.execute(
                "UPDATE sources SET interval_seconds = ?, next_fetch_at = ? WHERE id = ?",
                (interval_seconds, schedule_stamp(next_fetch_at) if next_fetch_at else None, source_id),
            )
        return True

    def remove_source(self, source_id: int) -> bool:
        """Unsubscribe. The articles it brought in stay; its HTTP validators go, so subscribing again fetches
        the feed whole. False when there is no such source."""
        with self._writing():
            row = self._db.execute("SELECT url FROM sources WHERE id = ?", (source_id,)).fetchone()
            if row is None:
                return False
            self._db.execute("DELETE FROM sources WHERE id = ?", (source_id,))
            self._db.execute("DELETE FROM http_cache WHERE url = ?", (row[0],))
        return True

    # ------------------------------------------------------------ polling results

    def record_source_fetch(self, url: str, *, status: str, error: str | None) -> None:
        """What fetching a subscription said when an OPML file was ingested (no schedule bookkeeping)."""
        with self._writing():
            self._db.execute(
                "UPDATE sources SET last_fetched_at = ?, last_status = ?, last_error = ? WHERE url = ?",
                (now_iso(), status, error, url),
            )

    def record_source_result(
        self,
        url: str,
        *,
        status: SourceStatus | str,
        error: str | None,
        added: int,
        next_fetch_at: datetime,
        success: bool,
        fetched_at: datetime | None = None,
        title: str | None = None,
    ) -> Source | None:
        """One pass over a source: its status, the articles it added, when to fetch it next.

        A success resets the failure count and stamps ``last_success_at``; a failure adds one to the count
        (the caller's backoff reads it). TITLE (the feed's own) fills in a source that has none. Returns
        the updated source, None when it was removed meanwhile.
        """
        at = schedule_stamp(fetched_at or datetime.now(UTC))
        with self._writing():
            self._db.execute(
                "UPDATE sources SET last_fetched_at = ?, last_status = ?, last_error = ?,"
                " articles_added = articles_added + ?, next_fetch_at = ?,"
                " failures = CASE WHEN ? THEN 0 ELSE failures + 1 END,"
                " last_success_at = CASE WHEN ? THEN ? ELSE last_success_at END,"
                " title = COALESCE(title, ?)"
                " WHERE url = ?",
                (
                    at,
                    str(status),
                    error,
                    added,
                    schedule_stamp(next_fetch_at),
                    success,
                    success,
                    at,
                    title,
                    url,
                ),
            )
            return self.source_by_url(url)

    # ------------------------------------------------------------ HTTP cache (conditional GET)

    def http_validators(self, url: str) -> tuple[str | None, str | None]:
        row = self._db.execute("SELECT etag, last_modified FROM http_cache WHERE url = ?", (url,)).fetchone()
        return (row[0], row[1]) if row else (None, None)

    def save_http_validators(
        self, url: str, *, etag: str | None, last_modified: str | None, status: int
    ) -> None:
        with self._writing():
            self._db.execute(
                "INSERT INTO http_cache(url, etag, last_modified, status, fetched_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(url) DO UPDATE SET etag = COALESCE(excluded.etag, etag),"
                " last_modified = COALESCE(excluded.last_modified, last_modified),"
                " status = excluded.status, fetched_at = excluded.fetched_at",
                (url, etag, last_modified, status, now_iso()),
            )
