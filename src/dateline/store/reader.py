"""SQL for the reader (``dateline serve``): trending candidates, filtered search, related stories,
entity pages, follows and story visits.

A mixin of ``SqliteStore`` (same connection, same single writer), like ``StoryTables``. Every read here
is bounded (a window, a LIMIT, or an index range) so that pages stay fast with a million articles stored.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from dateline.models import Article, Follow, FollowKind
from dateline.store.sqltext import fts_query, marks, now_iso

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

# Markers FTS5 puts around matched words in snippets: private-use characters that no article text
# carries after extraction, so the web layer can escape the snippet and only then turn them into <mark>.
MATCH_START = "\ue000"
MATCH_END = "\ue001"
# How many of an entity's most recent mentions a related-stories or entity-page read looks at: an
# entity like "place:ukraine" has hundreds of thousands at scale; recent ones are what a reader wants.
RECENT_MENTIONS = 3000
# Related stories look at fewer: each of a story's main entities' 500 latest mentions (a story page must
# stay under 50 ms at a million articles; 3,000 each cost about 45 ms alone).
RELATED_MENTIONS = 500
# Above this many matching articles a search is "dense" (see search_articles).
DENSE_MATCHES = 5_000


@dataclass(frozen=True, slots=True)
class StoryActivity:
    """What the trending score reads of one story, counted over the story's members."""

    story_id: str
    title: str
    first_seen: datetime
    last_seen: datetime
    thread_id: str | None
    articles: int
    outlets: int
    articles_day: int  # members seen in the 24 hours before the reference time
    articles_3days: int
    outlets_day: int
    languages: tuple[str, ...]
    outlet_names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticleHit:
    article: Article
    snippet: str  # plain text with MATCH_START / MATCH_END around matched words
    title_marked: str
    rank: float
    story_id: str | None


@dataclass(frozen=True, slots=True)
class StoryFilters:
    """Front-page filters; each None means no filter."""

    since: datetime | None = None  # naive UTC: last activity at or after
    until: datetime | None = None  # naive UTC: first seen at or before
    language: str | None = None
    outlet: str | None = None
    entity_key: str | None = None  # the topic: stories with an article that mentions it


class ReaderTables:
    """Reader methods of SqliteStore."""

    _db: sqlite3.Connection

    if TYPE_CHECKING:

        def _writing(self) -> AbstractContextManager[None]: ...

    # ------------------------------------------------------------ front page

    def latest_activity(self) -> datetime | None:
        row = self._db.execute("SELECT MAX(last_seen) FROM stories").fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def story_activity(
        self,
        *,
        reference: datetime,
        window_start: datetime,
        filters: StoryFilters = StoryFilters(),
        limit: int = 2000,
    ) -> list[StoryActivity]:
        """Stories active between WINDOW_START and REFERENCE (naive UTC), with their member counts.

        At most LIMIT stories, the most recently active first; the caller ranks them.
        """
        day = _naive(reference - timedelta(days=1))
        three_days = _naive(reference - timedelta(days=3))
        conditions = ["s.last_seen >= ?", "s.first_seen <= ?"]
        params: list[object] = [_naive(window_start), _naive(filters.until or reference)]
        if filters.since is not None:
            conditions.append("s.last_seen >= ?")
            params.append(_naive(filters.since))
        having: list[str] = []
        having_params: list[object] = []
        if filters.language:
            having.append("SUM(a.language = ?) > 0")
            having_params.append(filters.language)
        if filters.outlet:
            having.append("SUM(a.outlet = ?) > 0")
            having_params.append(filters.outlet)
        if filters.entity_key:
            conditions.append(
                "s.id IN (SELECT sa2.story_id FROM mentions m JOIN story_articles sa2 ON sa2.article_id = m.article_id"
                " WHERE m.entity_key = ?)"
            )
            params.append(filters.entity_key)
        sql = (
            "WITH recent AS (SELECT * FROM stories s WHERE "
            + " AND ".join(conditions)
            + " ORDER BY s.last_seen DESC LIMIT ?)"
            " SELECT s.id, s.title, s.first_seen, s.last_seen, s.thread_id, COUNT(*) AS articles,"
            " COUNT(DISTINCT a.outlet) AS outlets,"
            " SUM(COALESCE(f.seen_at, '') >= ?) AS day, SUM(COALESCE(f.seen_at, '') >= ?) AS three_days,"
            " COUNT(DISTINCT CASE WHEN COALESCE(f.seen_at, '') >= ? THEN a.outlet END) AS outlets_day,"
            " group_concat(DISTINCT a.language) AS languages, group_concat(DISTINCT a.outlet) AS outlet_names"
            " FROM recent s JOIN story_articles sa ON sa.story_id = s.id JOIN articles a ON a.id = sa.article_id"
            " LEFT JOIN story_features f ON f.article_id = sa.article_id"
            " GROUP BY s.id" + (" HAVING " + " AND ".join(having) if having else "")
        )
        rows = self._db.execute(sql, (*params, limit, day, three_days, day, *having_params)).fetchall()
        return [
            StoryActivity(
                story_id=r["id"],
                title=r["title"],
                first_seen=datetime.fromisoformat(r["first_seen"]),
                last_seen=datetime.fromisoformat(r["last_seen"]),
                thread_id=r["thread_id"],
                articles=r["articles"],
                outlets=r["outlets"],
                articles_day=r["day"] or 0,
                articles_3days=r["three_days"] or 0,
                outlets_day=r["outlets_day"] or 0,
                languages=tuple(sorted(filter(None, (r["languages"] or "").split(",")))),
                outlet_names=tuple(sorted(filter(None, (r["outlet_names"] or "").split(",")))),
            )
            for r in rows
        ]

    def has_articles(self) -> bool:
        return self._db.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def facet_values(self, column: str, *, limit: int = 50) -> list[tuple[str, int]]:
        """The most common outlets or languages of original articles, for the filter menus."""
        if column not in ("outlet", "language"):
            raise ValueError(f"no facet {column!r}")
        rows = self._db.execute(
            f"SELECT {column}, COUNT(*) FROM articles WHERE {column} IS NOT NULL AND duplicate_of IS NULL"
            f" GROUP BY {column} ORDER BY 2 DESC, 1 LIMIT ?",
            (limit,),
        )
        return [(r[0], r[1]) for r in rows]

    def story_lead_texts(self, story_ids: Sequence[str]) -> dict[str, str]:
        """Each story's first article's standfirst, else its first paragraph: the line a listing shows
        when no synthesis is cached yet."""
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return {}
        rows = self._db.execute(
            "SELECT sa.story_id, a.standfirst, a.text FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            f" WHERE sa.story_id IN ({marks(ids)}) AND sa.sequence = (SELECT MIN(x.sequence) FROM story_articles x"
            " WHERE x.story_id = sa.story_id)",
            ids,
        )
        leads: dict[str, str] = {}
        for r in rows:
            text = r["standfirst"] or (r["text"] or "").split("\n\n", 1)[0]
            leads[r["story_id"]] = text
        return leads

    def cached_syntheses(self, story_ids: Sequence[str]) -> dict[str, str]:
        """The stored synthesis JSON of each of STORY_IDS that has one (stale or not: callers check)."""
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return {}
        rows = self._db.execute(
            f"SELECT story_id, data FROM story_syntheses WHERE story_id IN ({marks(ids)})", ids
        )
        return {r[0]: r[1] for r in rows}

    # ------------------------------------------------------------ search

    def search_articles(
        self,
        query: str,
        *,
        outlet: str | None = None,
        language: str | None = None,
        since: str | None = None,
        until: str | None = None,
        entity_key: str | None = None,
        sort: str = "relevance",
        limit: int = 20,
        offset: int = 0,
    ) -> list[ArticleHit]:
        """FTS5 search over title and text with filters; SINCE/UNTIL are ISO days bounding the article's
        day (publication, else ingest). Every word must match; the query is quoted so user text is never
        FTS syntax. Fetch LIMIT + 1 to learn whether there is a next page."""
        match = fts_query(query)
        if not match:
            return []
        sort_time = "COALESCE(a.published_at, a.ingested_at)"  # indexed (migration 7)
        conditions: list[str] = []
        params: list[object] = []
        if outlet:
            conditions.append("a.outlet = ?")
            params.append(outlet)
        if language:
            conditions.append("a.language = ?")
            params.append(language)
        if since:
            conditions.append(f"{sort_time} >= ?")
            params.append(since)
        if until:
            conditions.append(f"{sort_time} < ?")
            params.append(_next_day(until))
        if entity_key:
            conditions.append("a.id IN (SELECT article_id FROM mentions WHERE entity_key = ?)")
            params.append(entity_key)
        # Which plan finds one page fast depends on how many articles match. Fewer than DENSE_MATCHES:
        # rank them all. More (a common word): newest first, walk the time index and test each article
        # against the match (the page fills within a few dozen rows); by relevance, rank the
        # DENSE_MATCHES most recently stored matches, as scoring all of a million costs seconds.
        newest_rowid_cut = self._dense_match_cut(match, conditions, params)
        if sort != "relevance" and newest_rowid_cut is not None:
            page = (
                f"SELECT a.rowid AS rid, {sort_time} AS sort_key FROM articles a WHERE"
                " EXISTS (SELECT 1 FROM articles_fts WHERE articles_fts MATCH ? AND articles_fts.rowid = a.rowid)"
                + "".join(f" AND {c}" for c in conditions)
                + f" ORDER BY {sort_time} DESC, a.id LIMIT ? OFFSET ?"
            )
            page_params = [match, *params]
        else:
            key = "bm25(articles_fts, 4.0, 1.0)" if sort == "relevance" else sort_time
            where = ["articles_fts MATCH ?", *conditions]
            page_params = [match, *params]
            if newest_rowid_cut is not None:
                where.append("articles_fts.rowid >= ?")
                page_params.append(newest_rowid_cut)
            direction = "" if sort == "relevance" else " DESC"
            page = (
                f"SELECT a.rowid AS rid, {key} AS sort_key FROM articles_fts JOIN articles a"
                f" ON a.rowid = articles_fts.rowid WHERE {' AND '.join(where)}"
                f" ORDER BY sort_key{direction}, a.id LIMIT ? OFFSET ?"
            )
        order = "page.sort_key, a.id" if sort == "relevance" else "page.sort_key DESC, a.id"
        # Snippets for the page only: snippet() in the sorted query above would run for every match.
        rows = self._db.execute(
            f"WITH page AS ({page})"
            " SELECT a.*, snippet(articles_fts, 1, ?, ?, '…', 24) AS snippet,"
            " highlight(articles_fts, 0, ?, ?) AS title_marked, page.sort_key AS sort_key,"
            " sa.story_id AS story_id"
            " FROM page JOIN articles_fts ON articles_fts.rowid = page.rid"
            " JOIN articles a ON a.rowid = page.rid LEFT JOIN story_articles sa ON sa.article_id = a.id"
            f" WHERE articles_fts MATCH ? ORDER BY {order}",
            (*page_params, limit, offset, MATCH_START, MATCH_END, MATCH_START, MATCH_END, match),
        ).fetchall()
        from dateline.store.sqlite import _article_from_row  # the one row reader; import here avoids a cycle

        return [
            ArticleHit(
                _article_from_row(r),
                r["snippet"] or "",
                r["title_marked"] or "",
                float(r["sort_key"]) if sort == "relevance" else 0.0,
                r["story_id"],
            )
            for r in rows
        ]

    def _dense_match_cut(self, match: str, conditions: Sequence[str], params: Sequence[object]) -> int | None:
        """The rowid of the DENSE_MATCHES-th most recently stored article that matches MATCH and passes
        CONDITIONS; None when fewer do. FTS5 walks a term's rowids in order, so without filters this
        costs a few milliseconds."""
        joined = " JOIN articles a ON a.rowid = articles_fts.rowid" if conditions else ""
        row = self._db.execute(
            f"SELECT articles_fts.rowid FROM articles_fts{joined} WHERE articles_fts MATCH ?"
            + "".join(f" AND {c}" for c in conditions)
            + " ORDER BY articles_fts.rowid DESC LIMIT 1 OFFSET ?",
            (match, *params, DENSE_MATCHES),
        ).fetchone()
        return int(row[0]) if row else None

    # ------------------------------------------------------------ related stories, entities

    def stories_mentioning(
        self, entity_keys: Sequence[str], *, exclude: str | None = None, limit: int = 10
    ) -> list[tuple[str, int]]:
        """Stories whose recent articles mention ENTITY_KEYS, with how many of the keys each shares,
        most shared first, then most recently active."""
        keys = list(dict.fromkeys(entity_keys))[:20]
        if not keys:
            return []
        recent = " UNION ALL ".join(
            "SELECT * FROM (SELECT entity_key, article_id FROM mentions WHERE entity_key = ?"
            f" ORDER BY rowid DESC LIMIT {RELATED_MENTIONS})"
            for _ in keys
        )
        rows = self._db.execute(
            f"WITH recent(entity_key, article_id) AS ({recent})"
            " SELECT sa.story_id, COUNT(DISTINCT r.entity_key) AS shared, MAX(s.last_seen) AS last_seen"
            " FROM recent r JOIN story_articles sa ON sa.article_id = r.article_id JOIN stories s ON s.id = sa.story_id"
            " WHERE sa.story_id IS NOT ? GROUP BY sa.story_id ORDER BY shared DESC, last_seen DESC LIMIT ?",
            (*keys, exclude, limit),
        )
        return [(r[0], r[1]) for r in rows]

    def entity_timeline(self, entity_key: str, *, limit: int = 50) -> list[tuple[str, int, str]]:
        """The stories an entity appears in, newest first: (story id, mentions, last seen)."""
        rows = self._db.execute(
            "WITH recent AS (SELECT article_id FROM mentions WHERE entity_key = ?"
            f" ORDER BY rowid DESC LIMIT {RECENT_MENTIONS})"
            " SELECT sa.story_id, COUNT(*) AS mentions, s.last_seen FROM recent r"
            " JOIN story_articles sa ON sa.article_id = r.article_id JOIN stories s ON s.id = sa.story_id"
            " GROUP BY sa.story_id ORDER BY s.last_seen DESC LIMIT ?",
            (entity_key, limit),
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def story_ids_of_articles(self, article_ids: Sequence[str]) -> dict[str, str]:
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        rows = self._db.execute(
            f"SELECT article_id, story_id FROM story_articles WHERE article_id IN ({marks(ids)})", ids
        )
        return {r[0]: r[1] for r in rows}

    def article_titles(self, article_ids: Sequence[str]) -> dict[str, tuple[str | None, str | None]]:
        """(title, outlet) of each article, for citation labels."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return {}
        rows = self._db.execute(f"SELECT id, title, outlet FROM articles WHERE id IN ({marks(ids)})", ids)
        return {r[0]: (r[1], r[2]) for r in rows}

    # ------------------------------------------------------------ follows and visits

    def add_follow(self, kind: FollowKind, target: str, label: str) -> Follow:
        """Follow TARGET (a second follow of the same thing returns the first)."""
        now = now_iso()
        with self._writing():
            self._db.execute(
                "INSERT INTO follows(kind, target, label, created_at, last_seen_at) VALUES (?, ?, ?, ?, ?)"
                " ON CONFLICT(kind, target) DO NOTHING",
                (kind.value, target, label, now, now),
            )
        row = self._db.execute(
            "SELECT * FROM follows WHERE kind = ? AND target = ?", (kind.value, target)
        ).fetchone()
        return _follow(row)

    def list_follows(self) -> list[Follow]:
        return [_follow(r) for r in self._db.execute("SELECT * FROM follows ORDER BY id")]

    def get_follow(self, follow_id: int) -> Follow | None:
        row = self._db.execute("SELECT * FROM follows WHERE id = ?", (follow_id,)).fetchone()
        return _follow(row) if row else None

    def find_follow(self, kind: FollowKind, target: str) -> Follow | None:
        row = self._db.execute(
            "SELECT * FROM follows WHERE kind = ? AND target = ?", (kind.value, target)
        ).fetchone()
        return _follow(row) if row else None

    def remove_follow(self, follow_id: int) -> bool:
        with self._writing():
            return self._db.execute("DELETE FROM follows WHERE id = ?", (follow_id,)).rowcount > 0

    def mark_follow_seen(self, follow_id: int, at: datetime | None = None) -> None:
        with self._writing():
            self._db.execute(
                "UPDATE follows SET last_seen_at = ? WHERE id = ?",
                ((at.isoformat() if at else now_iso()), follow_id),
            )

    def record_story_visits(self, visits: Mapping[str, datetime]) -> None:
        """Keep when the reader last opened each story (STORY_ID -> time), in one transaction."""
        with self._writing():
            self._db.executemany(
                "INSERT INTO story_visits(story_id, visited_at) VALUES (?, ?)"
                " ON CONFLICT(story_id) DO UPDATE SET visited_at = MAX(visited_at, excluded.visited_at)",
                [(story_id, at.isoformat()) for story_id, at in visits.items()],
            )

    def story_visit_counts(self, story_ids: Sequence[str]) -> dict[str, tuple[datetime, int]]:
        """For each of STORY_IDS the reader opened: when last, and how many of its articles were ingested
        after that."""
        ids = list(dict.fromkeys(story_ids))
        if not ids:
            return {}
        rows = self._db.execute(
            "SELECT v.story_id, v.visited_at, SUM(a.ingested_at > v.visited_at) FROM story_visits v"
            " JOIN story_articles sa ON sa.story_id = v.story_id JOIN articles a ON a.id = sa.article_id"
            f" WHERE v.story_id IN ({marks(ids)}) GROUP BY v.story_id",
            ids,
        )
        return {r[0]: (datetime.fromisoformat(r[1]), int(r[2] or 0)) for r in rows}

    def story_visit(self, story_id: str) -> datetime | None:
        row = self._db.execute(
            "SELECT visited_at FROM story_visits WHERE story_id = ?", (story_id,)
        ).fetchone()
        return datetime.fromisoformat(row[0]) if row else None

    def articles_ingested_since(self, article_ids: Sequence[str], since: datetime) -> list[str]:
        """Those of ARTICLE_IDS ingested after SINCE."""
        ids = list(dict.fromkeys(article_ids))
        if not ids:
            return []
        rows = self._db.execute(
            f"SELECT id FROM articles WHERE id IN ({marks(ids)}) AND ingested_at > ?",
            (*ids, since.isoformat()),
        )
        return [r[0] for r in rows]

    def new_article_ids(
        self,
        since: datetime,
        *,
        query: str | None = None,
        entity_key: str | None = None,
        story_id: str | None = None,
        limit: int = 200,
    ) -> list[str]:
        """Ids of articles ingested after SINCE that match a follow's target, newest first."""
        stamp = since.isoformat()
        if query is not None:
            match = fts_query(query)
            if not match:
                return []
            rows = self._db.execute(
                "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
                " WHERE articles_fts MATCH ? AND a.ingested_at > ? ORDER BY a.ingested_at DESC LIMIT ?",
                (match, stamp, limit),
            )
        elif entity_key is not None:
            rows = self._db.execute(
                "SELECT DISTINCT a.id, a.ingested_at FROM mentions m JOIN articles a ON a.id = m.article_id"
                " WHERE m.entity_key = ? AND a.ingested_at > ? ORDER BY a.ingested_at DESC LIMIT ?",
                (entity_key, stamp, limit),
            )
        elif story_id is not None:
            rows = self._db.execute(
                "SELECT a.id FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
                " WHERE sa.story_id = ? AND a.ingested_at > ? ORDER BY a.ingested_at DESC LIMIT ?",
                (story_id, stamp, limit),
            )
        else:
            return []
        return [r[0] for r in rows]


def _follow(row: sqlite3.Row) -> Follow:
    return Follow(
        id=row["id"],
        kind=FollowKind(row["kind"]),
        target=row["target"],
        label=row["label"],
        created_at=datetime.fromisoformat(row["created_at"]),
        last_seen_at=datetime.fromisoformat(row["last_seen_at"]),
    )


def _naive(value: datetime) -> str:
    """Stories keep naive UTC ISO times (the clustering stream's clock)."""
    if value.tzinfo is not None:
        from dateline.times import naive_utc

        value = naive_utc(value)
    return value.isoformat()


def _next_day(day: str) -> str:
    """The ISO day after DAY ('2025-12-31' -> '2026-01-01'); an unreadable DAY is returned as it is."""
    try:
        return (date.fromisoformat(day[:10]) + timedelta(days=1)).isoformat()
    except ValueError:
        return day
