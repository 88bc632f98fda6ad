"""SQL for story syntheses: a cache of what each story (or thread) says, and the reads synthesis needs.

A mixin of ``SqliteStore`` (same connection, same single writer), like ``StoryTables``. A synthesis is
a pure function of its articles and their enrichments, so the stored one is only a cache: the triggers
of migration 5 delete it whenever one of those inputs changes (membership, re-extraction, duplicate
folding, re-enrichment, a story changing thread), and the pipeline rebuilds it on the next read.

A row is keyed by a story id, or by a thread id for the synthesis of a whole thread.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from datetime import date, timedelta
from typing import TYPE_CHECKING

from dateline.models import StorySynthesis
from dateline.store.sqltext import chunks, compact_json, fts_query, marks, now_iso

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


class SynthesisTables:
    """Synthesis methods of SqliteStore."""

    _db: sqlite3.Connection

    if TYPE_CHECKING:

        def _writing(self) -> AbstractContextManager[None]: ...

        def atomic(self) -> AbstractContextManager[None]: ...

        def _live_story_id(self, story_id: str) -> str | None: ...

    # ------------------------------------------------------------ the cache

    def save_synthesis(self, synthesis: StorySynthesis, *, stamp: str | None = None) -> bool:
        """Keep SYNTHESIS under its story (or thread) id, replacing any stored one.

        With STAMP (``synthesis_stamp`` read before the synthesis was built) nothing is saved when the
        inputs changed meanwhile, so a synthesis built from a story as it was never outlives the change.
        Returns whether it was saved.
        """
        with self.atomic():
            if stamp is not None and self.synthesis_stamp(synthesis.story_id) != stamp:
                return False
            self._db.execute(
                "INSERT INTO story_syntheses(story_id, members_hash, version, built_at, data) VALUES (?,?,?,?,?)"
                " ON CONFLICT(story_id) DO UPDATE SET members_hash = excluded.members_hash,"
                " version = excluded.version, built_at = excluded.built_at, data = excluded.data",
                (
                    synthesis.story_id,
                    synthesis.members_hash,
                    synthesis.version,
                    now_iso(),
                    compact_json(synthesis.to_dict()),
                ),
            )
        return True

    def load_synthesis(self, story_id: str) -> StorySynthesis | None:
        """The stored synthesis of a story (a merged id resolves to its survivor) or of a thread."""
        key = self._live_story_id(story_id) or story_id
        row = self._db.execute("SELECT data FROM story_syntheses WHERE story_id = ?", (key,)).fetchone()
        if row is None:
            return None
        try:
            return StorySynthesis.from_dict(json.loads(row[0]))
        except (ValueError, KeyError, TypeError):
            return None  # written by another version of the record: rebuilt like a missing one

    def invalidate_syntheses(self, story_ids: Sequence[str]) -> int:
        """Drop the stored syntheses of STORY_IDS (story or thread ids) and of the stories' threads."""
        ids = list(dict.fromkeys(story_ids))
        removed = 0
        with self._writing():
            for chunk in chunks(ids):
                threads = [
                    r[0]
                    for r in self._db.execute(
                        f"SELECT thread_id FROM stories WHERE id IN ({marks(chunk)}) AND thread_id IS NOT NULL",
                        chunk,
                    )
                ]
                keys = chunk + threads
                removed += self._db.execute(
                    f"DELETE FROM story_syntheses WHERE story_id IN ({marks(keys)})", keys
                ).rowcount
        return removed

    def stories_needing_synthesis(self, version: str) -> list[str]:
        """Stories with no stored synthesis or one of another version, most recently active first."""
        rows = self._db.execute(
            "SELECT s.id FROM stories s LEFT JOIN story_syntheses y ON y.story_id = s.id"
            " WHERE y.story_id IS NULL OR y.version != ? ORDER BY s.last_seen DESC, s.id",
            (version,),
        )
        return [r[0] for r in rows]

    def synthesis_counts(self) -> dict[str, int]:
        row = self._db.execute(
            "SELECT COUNT(*), SUM(story_id IN (SELECT id FROM threads)) FROM story_syntheses"
        ).fetchone()
        total, threads = int(row[0]), int(row[1] or 0)
        return {"stories": total - threads, "threads": threads}

    # ------------------------------------------------------------ what a synthesis is built from

    def synthesis_article_ids(self, key: str) -> list[str]:
        """The articles of a story, or of every story of a thread, in stream order (the order they joined)."""
        story_ids = self._synthesis_story_ids(key)
        found: list[tuple[int, str]] = []
        for chunk in chunks(story_ids):
            found.extend(
                (r[0], r[1])
                for r in self._db.execute(
                    f"SELECT sequence, article_id FROM story_articles WHERE story_id IN ({marks(chunk)})",
                    chunk,
                )
            )
        return [article_id for _, article_id in sorted(found)]

    def synthesis_stamp(self, key: str) -> str:
        """A fingerprint of what the synthesis of KEY reads: members, their order, versions and enrichments.

        Cheap (no article text is read); it changes whenever an input of the synthesis may have changed.
        """
        story_ids = self._synthesis_story_ids(key)
        digest = hashlib.sha256(key.encode())
        for chunk in chunks(story_ids):
            rows = self._db.execute(
                "SELECT sa.story_id, sa.sequence, sa.article_id, a.updated_at, a.duplicate_of, e.version,"
                " e.enriched_at FROM story_articles sa JOIN articles a ON a.id = sa.article_id"
                " LEFT JOIN enrichments e ON e.article_id = sa.article_id"
                f" WHERE sa.story_id IN ({marks(chunk)}) ORDER BY sa.sequence",
                chunk,
            )
            for row in rows:
                digest.update("\x1f".join(str(value) for value in row).encode())
                digest.update(b"\x1e")
        return digest.hexdigest()[:24]

    def _synthesis_story_ids(self, key: str) -> list[str]:
        story = self._live_story_id(key)
        if story is not None:
            return [story]
        return [
            r[0] for r in self._db.execute("SELECT id FROM stories WHERE thread_id = ? ORDER BY id", (key,))
        ]

    # ------------------------------------------------------------ finding articles for a timeline

    def search_article_ids(
        self,
        query: str,
        *,
        limit: int = 500,
        start: date | None = None,
        end: date | None = None,
    ) -> list[str]:
        """Ids of articles whose title or text match QUERY (FTS5, every word), best first.

        START and END bound the article's day (publication, else ingest) with a day's slack either side,
        as stored times keep the zone they came with.
        """
        match = fts_query(query)
        if not match:
            return []
        rows = self._db.execute(
            "SELECT a.id FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
            f" WHERE articles_fts MATCH ? {_day_clause()} ORDER BY bm25(articles_fts) LIMIT ?",
            (match, *_day_bounds(start, end), limit),
        )
        return [r[0] for r in rows]

    def entity_article_ids(
        self,
        entity_keys: Sequence[str],
        *,
        limit: int = 500,
        start: date | None = None,
        end: date | None = None,
    ) -> list[str]:
        """Ids of articles that mention any of ENTITY_KEYS, those mentioning them most first."""
        keys = list(dict.fromkeys(entity_keys))[:500]
        if not keys:
            return []
        rows = self._db.execute(
            "SELECT m.article_id FROM mentions m JOIN articles a ON a.id = m.article_id"
            f" WHERE m.entity_key IN ({marks(keys)}) {_day_clause()}"
            " GROUP BY m.article_id ORDER BY COUNT(*) DESC, m.article_id LIMIT ?",
            (*keys, *_day_bounds(start, end), limit),
        )
        return [r[0] for r in rows]


def _day_clause() -> str:
    day = "substr(COALESCE(a.published_at, a.ingested_at), 1, 10)"
    return f"AND (? IS NULL OR {day} >= ?) AND (? IS NULL OR {day} <= ?)"


def _day_bounds(start: date | None, end: date | None) -> tuple[str | None, ...]:
    low = (start - timedelta(days=1)).isoformat() if start else None
    high = (end + timedelta(days=1)).isoformat() if end else None
    return (low, low, high, high)
