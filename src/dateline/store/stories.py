"""SQL for stories: clustering features, stories and their articles, merge redirects, threads.

A mixin of ``SqliteStore`` (same connection, same single writer), like ``EnrichmentTables``.
The clusterer is pure; this file is where its decisions are kept and read back.

Datetimes are stored as naive-UTC ISO strings (aware values are converted), so text order is time order.
Story ids are stable without the redirects too: the clusterer derives them from a story's first article,
so ``clear_stories`` followed by a rebuild gives the same ids to the same stories.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from dateline.errors import StoreError
from dateline.models import Story, StoryAssignment, StoryFeatures, StoryMerge, StorySplit, Thread
from dateline.store.sqltext import chunks, compact_json, marks, now_iso
from dateline.times import naive_utc

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


@dataclass(frozen=True, slots=True)
class StoryMember:
    """One article of a story as ``dateline story`` shows it."""

    article_id: str
    title: str | None
    outlet: str | None
    url: str | None
    published_at: str | None  # ISO, as stored on the article
    seen_at: datetime | None  # the clustering stream's time (naive UTC)
    language: str | None
    duplicate_of: str | None
    score: float | None  # None: the article started the story (or was never scored)


class StoryTables:
    """Story methods of SqliteStore."""

    _db: sqlite3.Connection

    if TYPE_CHECKING:

        def _writing(self) -> AbstractContextManager[None]: ...

        def atomic(self) -> AbstractContextManager[None]: ...

    # ------------------------------------------------------------ features

    def save_story_features(self, features: Sequence[StoryFeatures]) -> None:
        """Insert or replace each article's clustering features."""
        with self._writing():
            self._db.executemany(
                "INSERT INTO story_features(article_id, seen_at, dated, language, title, outlet, duplicate_of,"
                " vector, terms, entities, version, text_hash)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,(SELECT text_hash FROM articles WHERE id = ?))"
                " ON CONFLICT(article_id) DO UPDATE SET seen_at = excluded.seen_at, dated = excluded.dated,"
                " language = excluded.language, title = excluded.title, outlet = excluded.outlet,"
                " duplicate_of = excluded.duplicate_of, vector = excluded.vector, terms = excluded.terms,"
                " entities = excluded.entities, version = excluded.version, text_hash = excluded.text_hash",
                [
                    (
                        f.article_id,
                        _iso(f.seen_at),
                        int(f.dated),
                        f.language,
                        f.title,
                        f.outlet,
                        f.duplicate_of,
                        _vector_bytes(f.vector),
                        compact_json([[term, weight] for term, weight in f.terms]),
                        compact_json([[key, weight] for key, weight in f.entities]),
                        f.version,
                        f.article_id,
                    )
                    for f in features
                ],
            )

    def story_features(self, article_ids: Sequence[str]) -> list[StoryFeatures]:
        """Stored features of ARTICLE_IDS in that order; articles without features are skipped."""
        found: dict[str, StoryFeatures] = {}
        for chunk in chunks(list(dict.fromkeys(article_ids))):
            rows = self._db.execute(
                f"SELECT * FROM story_features WHERE article_id IN ({marks(chunk)})", chunk
            )
            found.update((r["article_id"], _features_from_row(r)) for r in rows)
        return [found[i] for i in article_ids if i in found]

    def articles_needing_features(self, version: str, *, limit: int | None = None) -> list[str]:
        """Articles without features, with features of another version, or whose text changed since."""
        rows = self._db.execute(
            "SELECT a.id FROM articles a LEFT JOIN story_features f ON f.article_id = a.id"
            " WHERE f.article_id IS NULL OR f.version != ? OR f.text_hash IS NOT a.text_hash"
            " ORDER BY COALESCE(a.published_at, a.ingested_at), a.rowid LIMIT ?",
            (version, _limit(limit)),
        )
        return [r[0] for r in rows]

    def articles_needing_stories(self, *, limit: int | None = None) -> list[str]:
        """Articles with features but no story yet, in stream order (seen_at, then arrival)."""
        rows = self._db.execute(
            "SELECT f.article_id FROM story_features f JOIN articles a ON a.id = f.article_id"
            " LEFT JOIN story_articles sa ON sa.article_id = f.article_id WHERE sa.article_id IS NULL"
            " ORDER BY f.seen_at, a.rowid LIMIT ?",
            (_limit(limit),),
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------ clustering decisions

    def next_story_sequence(self) -> int:
        row = self._db.execute("SELECT COALESCE(MAX(sequence) + 1, 0) FROM story_articles").fetchone()
        return int(row[0])

    def save_story_batch(
        self,
        assignments: Sequence[StoryAssignment],
        stories: Sequence[Story],
        merges: Sequence[StoryMerge] = (),
        splits: Sequence[StorySplit] = (),
    ) -> None:
        """Keep one clustering batch in one transaction; saving the same batch twice changes nothing.

        Story rows are upserted (members, outlets and languages are derived, not stored), assignments
        placed (an article assigned before moves), merges applied (articles move to the survivor, the
        absorbed id redirects there, older redirects to it are re-pointed so every chain is one hop),
        splits applied (articles move to the new story, whose row comes in STORIES), and stories left
        without articles deleted. A story's ``thread_id`` of None keeps the stored one: threads are
        ``save_threads``'s to set.
        """
        now = now_iso()
        with self.atomic():
            moved = [a.article_id for a in assignments] + [i for s in splits for i in s.article_ids]
            touched = set(self._story_ids_of_articles(moved))
            touched.update(s.id for s in stories)
            touched.update(a.story_id for a in assignments)
            touched.update(s.original for s in splits)
            touched.update(s.new_id for s in splits)
            # Only rewrite a row that changed, so a repeated batch leaves updated_at alone too.
            self._db.executemany(
                "INSERT INTO stories(id, title, first_seen, last_seen, thread_id, algorithm, updated_at)"
                " VALUES (?,?,?,?,?,?,?) ON CONFLICT(id) DO UPDATE SET title = excluded.title,"
                " first_seen = excluded.first_seen, last_seen = excluded.last_seen,"
                " thread_id = COALESCE(excluded.thread_id, thread_id), algorithm = excluded.algorithm,"
                " updated_at = excluded.updated_at"
                " WHERE title IS NOT excluded.title OR first_seen IS NOT excluded.first_seen"
                " OR last_seen IS NOT excluded.last_seen OR algorithm IS NOT excluded.algorithm"
                " OR (excluded.thread_id IS NOT NULL AND thread_id IS NOT excluded.thread_id)",
                [
                    (s.id, s.title, _iso(s.first_seen), _iso(s.last_seen), s.thread_id, s.algorithm, now)
                    for s in stories
                ],
            )
            # A story merged away by an earlier batch is joined through its survivor.
            batch_ids = {s.id for s in stories}
            targets = {
                story_id: story_id if story_id in batch_ids else self._live_story_id(story_id) or story_id
                for story_id in {a.story_id for a in assignments}
            }
            touched.update(targets.values())
            self._db.executemany(
                "INSERT INTO story_articles(article_id, story_id, score, sequence) VALUES (?,?,?,?)"
                " ON CONFLICT(article_id) DO UPDATE SET story_id = excluded.story_id, score = excluded.score,"
                " sequence = excluded.sequence",
                [(a.article_id, targets[a.story_id], a.score, a.sequence) for a in assignments],
            )
            for merge in merges:
                touched.update(self._merge(merge, now))
            for split in splits:
                for chunk in chunks(list(split.article_ids)):
                    self._db.execute(
                        f"UPDATE story_articles SET story_id = ? WHERE article_id IN ({marks(chunk)})",
                        [split.new_id, *chunk],
                    )
            for chunk in chunks(sorted(touched)):
                self._db.execute(
                    f"DELETE FROM stories WHERE id IN ({marks(chunk)}) AND NOT EXISTS"
                    " (SELECT 1 FROM story_articles sa WHERE sa.story_id = stories.id)",
                    chunk,
                )
            # The foreign key is deferred to the commit, where a failure would leave the transaction
            # open: check here, so a bad batch raises and rolls back whole.
            self._check_members_have_stories(sorted(touched))
            # A live story is never also a redirect (a split can bring back an id merged away before).
            for chunk in chunks(sorted(touched)):
                self._db.execute(
                    f"DELETE FROM story_redirects WHERE absorbed IN ({marks(chunk)})"
                    " AND EXISTS (SELECT 1 FROM stories s WHERE s.id = story_redirects.absorbed)",
                    chunk,
                )

    def _check_members_have_stories(self, story_ids: Sequence[str]) -> None:
        for chunk in chunks(story_ids):
            missing = [
                r[0]
                for r in self._db.execute(
                    f"SELECT DISTINCT sa.story_id FROM story_articles sa WHERE sa.story_id IN ({marks(chunk)})"
                    " AND NOT EXISTS (SELECT 1 FROM stories s WHERE s.id = sa.story_id)",
                    chunk,
                )
            ]
            if missing:
                raise StoreError(
                    f"story batch assigns articles to stories it does not define: {', '.join(missing[:5])}"
                )

    def _merge(self, merge: StoryMerge, now: str) -> tuple[str, str]:
        absorbed = merge.absorbed
        survivor = self._live_story_id(merge.survivor) or merge.survivor
        if absorbed == survivor:
            return absorbed, survivor
        self._db.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (survivor, absorbed))
        self._db.execute("DELETE FROM stories WHERE id = ?", (absorbed,))
        self._db.execute("UPDATE story_redirects SET survivor = ? WHERE survivor = ?", (survivor, absorbed))
        self._db.execute(
            "INSERT INTO story_redirects(absorbed, survivor, merged_at) VALUES (?,?,?)"
            " ON CONFLICT(absorbed) DO UPDATE SET survivor = excluded.survivor, merged_at = excluded.merged_at"
            " WHERE survivor IS NOT excluded.survivor",
            (absorbed, survivor, now),
        )
        return absorbed, survivor

    def _story_ids_of_articles(self, article_ids: Sequence[str]) -> list[str]:
        found: list[str] = []
        for chunk in chunks(list(dict.fromkeys(article_ids))):
            found.extend(
                r[0]
                for r in self._db.execute(
                    f"SELECT DISTINCT story_id FROM story_articles WHERE article_id IN ({marks(chunk)})",
                    chunk,
                )
            )
        return found

    def _live_story_id(self, story_id: str) -> str | None:
        row = self._db.execute(
            "SELECT id FROM stories WHERE id = ? UNION ALL"
            " SELECT s.id FROM story_redirects r JOIN stories s ON s.id = r.survivor WHERE r.absorbed = ?"
            " LIMIT 1",
            (story_id, story_id),
        ).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ reading stories

    def resolve_story_id(self, story_id: str, *, prefix: bool = False) -> str | None:
        """STORY_ID if it is a story, else the story that absorbed it, else None.

        With PREFIX, a unique id prefix is accepted too (as ``dateline article`` does).
        """
        found = self._live_story_id(story_id)
        if found is None and prefix and story_id:
            rows = self._db.execute(
                "SELECT id FROM stories WHERE id >= ? AND id < ? LIMIT 2", (story_id, story_id + "\uffff")
            ).fetchall()
            found = rows[0][0] if len(rows) == 1 else None
        return found

    def get_story(self, story_id: str) -> Story | None:
        """The story with this id, or the one it was merged into."""
        resolved = self._live_story_id(story_id)
        if resolved is None:
            return None
        found = self.stories_by_id([resolved])
        return found[0] if found else None

    def stories_by_id(self, story_ids: Sequence[str]) -> list[Story]:
        """Stories in the given order (no redirects followed); unknown ids are skipped."""
        rows: dict[str, sqlite3.Row] = {}
        for chunk in chunks(list(dict.fromkeys(story_ids))):
            rows.update(
                (r["id"], r)
                for r in self._db.execute(f"SELECT * FROM stories WHERE id IN ({marks(chunk)})", chunk)
            )
        return self._stories_from_rows([rows[i] for i in story_ids if i in rows])

    def list_stories(self, *, since: datetime | None = None, limit: int = 50, offset: int = 0) -> list[Story]:
        """Stories last seen at or after SINCE, most recently active first; a negative LIMIT: all."""
        rows = self._db.execute(
            "SELECT * FROM stories WHERE ? IS NULL OR last_seen >= ? ORDER BY last_seen DESC, id LIMIT ? OFFSET ?",
            (_iso_or_none(since), _iso_or_none(since), limit, offset),
        ).fetchall()
        return self._stories_from_rows(rows)

    def _stories_from_rows(self, rows: Sequence[sqlite3.Row]) -> list[Story]:
        """Stories from their rows plus one query for all their members (no query per story)."""
        members: dict[str, list[tuple[str, str | None, str | None]]] = {r["id"]: [] for r in rows}
        for chunk in chunks(list(members)):
            for m in self._db.execute(
                "SELECT sa.story_id, sa.article_id, a.outlet, a.language FROM story_articles sa"
                f" JOIN articles a ON a.id = sa.article_id WHERE sa.story_id IN ({marks(chunk)})"
                " ORDER BY sa.sequence",
                chunk,
            ):
                members[m["story_id"]].append((m["article_id"], m["outlet"], m["language"]))
        return [
            Story(
                id=r["id"],
                title=r["title"],
                article_ids=tuple(m[0] for m in members[r["id"]]),
                outlets=_distinct(m[1] for m in members[r["id"]]),
                languages=_distinct(m[2] for m in members[r["id"]]),
                first_seen=datetime.fromisoformat(r["first_seen"]),
                last_seen=datetime.fromisoformat(r["last_seen"]),
                thread_id=r["thread_id"],
                algorithm=r["algorithm"],
            )
            for r in rows
        ]

    def story_members(self, story_id: str) -> list[StoryMember]:
        """A story's articles in stream order, with what a reader needs to tell them apart."""
        rows = self._db.execute(
            "SELECT sa.article_id, sa.score, a.title, a.outlet, a.url, a.published_at, a.language,"
            " a.duplicate_of, f.seen_at FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
            " LEFT JOIN story_features f ON f.article_id = sa.article_id"
            " WHERE sa.story_id = ? ORDER BY sa.sequence",
            (story_id,),
        )
        return [
            StoryMember(
                r["article_id"],
                r["title"],
                r["outlet"],
                r["url"],
                r["published_at"],
                datetime.fromisoformat(r["seen_at"]) if r["seen_at"] else None,
                r["language"],
                r["duplicate_of"],
                r["score"],
            )
            for r in rows
        ]

    def story_of_article(self, article_id: str) -> str | None:
        row = self._db.execute(
            "SELECT story_id FROM story_articles WHERE article_id = ?", (article_id,)
        ).fetchone()
        return row[0] if row else None

    def story_ids_active_since(self, since: datetime) -> list[str]:
        """Stories last seen at or after SINCE, oldest activity first."""
        rows = self._db.execute(
            "SELECT id FROM stories WHERE last_seen >= ? ORDER BY last_seen, id", (_iso(since),)
        )
        return [r[0] for r in rows]

    def active_story_members(self, since: datetime) -> list[tuple[str, StoryFeatures]]:
        """(story id, features) of every article of every story active since SINCE, in stream order."""
        rows = self._db.execute(
            "SELECT sa.story_id AS member_of, f.* FROM stories s JOIN story_articles sa ON sa.story_id = s.id"
            " JOIN story_features f ON f.article_id = sa.article_id WHERE s.last_seen >= ? ORDER BY sa.sequence",
            (_iso(since),),
        )
        return [(r["member_of"], _features_from_row(r)) for r in rows]

    def story_threads(self, since: datetime) -> dict[str, str]:
        """Thread id of every threaded story active since SINCE (seeds the clusterer's thread ids)."""
        rows = self._db.execute(
            "SELECT id, thread_id FROM stories WHERE last_seen >= ? AND thread_id IS NOT NULL", (_iso(since),)
        )
        return {r["id"]: r["thread_id"] for r in rows}

    # ------------------------------------------------------------ threads

    def save_threads(self, threads: Sequence[Thread], *, scope: Sequence[str] | None = None) -> None:
        """Point the stories of THREADS at them.

        Without SCOPE every thread is replaced and stories in none get none. With SCOPE (the story ids the
        clusterer had loaded) only those stories are re-threaded: older stories keep their thread, a
        thread's dates are recomputed from all its stories, and threads left with no story are dropped.
        """
        with self.atomic():
            if scope is None:
                self._db.execute("DELETE FROM threads")
                self._db.execute("UPDATE stories SET thread_id = NULL WHERE thread_id IS NOT NULL")
            else:
                for chunk in chunks(list(scope)):
                    self._db.execute(
                        f"UPDATE stories SET thread_id = NULL WHERE id IN ({marks(chunk)})", chunk
                    )
            self._db.executemany(
                "INSERT INTO threads(id, title, first_seen, last_seen, algorithm) VALUES (?,?,?,?,?)"
                " ON CONFLICT(id) DO UPDATE SET title = excluded.title, algorithm = excluded.algorithm",
                [(t.id, t.title, _iso(t.first_seen), _iso(t.last_seen), t.algorithm) for t in threads],
            )
            self._db.executemany(
                "UPDATE stories SET thread_id = ? WHERE id = ?",
                [(t.id, story_id) for t in threads for story_id in t.story_ids],
            )
            self._db.execute(
                "DELETE FROM threads WHERE id NOT IN (SELECT thread_id FROM stories WHERE thread_id IS NOT NULL)"
            )
            self._db.execute(
                "UPDATE threads SET"
                " first_seen = (SELECT MIN(first_seen) FROM stories WHERE thread_id = threads.id),"
                " last_seen = (SELECT MAX(last_seen) FROM stories WHERE thread_id = threads.id)"
            )

    def list_threads(self, *, limit: int = 50, since: datetime | None = None) -> list[Thread]:
        """Threads last seen at or after SINCE, most recently active first; a negative LIMIT: all."""
        rows = self._db.execute(
            "SELECT * FROM threads WHERE ? IS NULL OR last_seen >= ? ORDER BY last_seen DESC, id LIMIT ?",
            (_iso_or_none(since), _iso_or_none(since), limit),
        ).fetchall()
        return self._threads_from_rows(rows)

    def get_thread(self, thread_id: str, *, prefix: bool = False) -> Thread | None:
        """The thread with this id (with PREFIX: or the only one whose id starts with it)."""
        rows = self._db.execute("SELECT * FROM threads WHERE id = ?", (thread_id,)).fetchall()
        if not rows and prefix and thread_id:
            rows = self._db.execute(
                "SELECT * FROM threads WHERE id >= ? AND id < ? LIMIT 2", (thread_id, thread_id + "\uffff")
            ).fetchall()
        return self._threads_from_rows(rows)[0] if len(rows) == 1 else None

    def _threads_from_rows(self, rows: Sequence[sqlite3.Row]) -> list[Thread]:
        story_ids: dict[str, list[str]] = {r["id"]: [] for r in rows}
        for chunk in chunks(list(story_ids)):
            for s in self._db.execute(
                f"SELECT id, thread_id FROM stories WHERE thread_id IN ({marks(chunk)}) ORDER BY first_seen, id",
                chunk,
            ):
                story_ids[s["thread_id"]].append(s["id"])
        return [
            Thread(
                id=r["id"],
                title=r["title"],
                story_ids=tuple(story_ids[r["id"]]),
                first_seen=datetime.fromisoformat(r["first_seen"]),
                last_seen=datetime.fromisoformat(r["last_seen"]),
                algorithm=r["algorithm"],
            )
            for r in rows
        ]

    # ------------------------------------------------------------ maintenance

    def clear_stories(self) -> None:
        """Forget every story, assignment, redirect and thread (``dateline rebuild-stories``); keep features.

        Redirects go too: ids stay stable across a rebuild anyway, being derived from first articles.
        """
        with self._writing():
            # Syntheses first: with none left, the invalidation triggers on the other tables cost nothing.
            for table in ("story_syntheses", "story_articles", "story_redirects", "stories", "threads"):
                self._db.execute(f"DELETE FROM {table}")

    def story_counts(self) -> dict[str, int]:
        """Rows per story table: stories, assigned articles, threads, redirects, features."""
        return {
            table: int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
            for table in ("stories", "story_articles", "threads", "story_redirects", "story_features")
        }


def _iso(value: datetime) -> str:
    """Naive-UTC ISO text: one form for every stored time, so that text order is time order."""
    return naive_utc(value).isoformat()


def _iso_or_none(value: datetime | None) -> str | None:
    return None if value is None else _iso(value)


def _limit(limit: int | None) -> int:
    return -1 if limit is None else limit


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


def _vector_bytes(vector: Any) -> bytes | None:
    # float16 halves the size; cosine similarities move by about 1e-3, well under any threshold.
    return None if vector is None else np.asarray(vector, dtype="<f2").tobytes()


def _features_from_row(row: sqlite3.Row) -> StoryFeatures:
    blob = row["vector"]
    return StoryFeatures(
        article_id=row["article_id"],
        seen_at=datetime.fromisoformat(row["seen_at"]),
        dated=bool(row["dated"]),
        language=row["language"],
        title=row["title"] or "",
        outlet=row["outlet"],
        duplicate_of=row["duplicate_of"],
        vector=None if blob is None else np.frombuffer(blob, dtype="<f2").astype(np.float32),
        terms=tuple((str(term), float(weight)) for term, weight in json.loads(row["terms"])),
        entities=tuple((str(key), float(weight)) for key, weight in json.loads(row["entities"])),
        version=row["version"],
    )
