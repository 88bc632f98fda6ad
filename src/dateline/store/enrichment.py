"""SQL for the enrichment layer: per-article facts and the store-wide canonical entities.

A mixin of ``SqliteStore`` (it uses the same connection and single writer); kept apart
only so that each file stays readable. Methods take and return ``dateline.models`` records.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from dateline.models import (
    DatedEvent,
    DatePrecision,
    Enrichment,
    Entity,
    EntityMention,
    EntityType,
    Figure,
    MentionForm,
    Quote,
    QuoteKind,
    Sentence,
    TemporalExpression,
    TemporalKind,
)
from dateline.store.sqltext import compact_json, marks, now_iso

if TYPE_CHECKING:
    from contextlib import AbstractContextManager


@dataclass(frozen=True, slots=True)
class EntitySummary:
    """A canonical entity with how much the store says about it."""

    entity: Entity
    article_count: int
    quote_count: int


@dataclass(frozen=True, slots=True)
class MentionInContext:
    article_id: str
    title: str | None
    outlet: str | None
    published_at: str | None
    text: str  # the mention as written
    sentence: str  # the sentence it is in


@dataclass(frozen=True, slots=True)
class StoredQuote:
    article_id: str
    title: str | None
    outlet: str | None
    published_at: str | None
    quote: Quote


class EnrichmentTables:
    """Enrichment methods of SqliteStore."""

    _db: sqlite3.Connection

    if TYPE_CHECKING:

        def _writing(self) -> AbstractContextManager[None]: ...

    # ------------------------------------------------------------ what needs enriching

    def articles_needing_enrichment(self, version: str, *, force: bool = False) -> list[str]:
        """Ids of articles never enriched, enriched by another version, or whose text changed since."""
        if force:
            return [r[0] for r in self._db.execute("SELECT id FROM articles ORDER BY rowid")]
        rows = self._db.execute(
            "SELECT a.id FROM articles a LEFT JOIN enrichments e ON e.article_id = a.id"
            " WHERE e.article_id IS NULL OR e.version != ? OR e.text_hash != a.text_hash"
            " ORDER BY a.rowid",
            (version,),
        )
        return [r[0] for r in rows]

    def article_text_hash(self, article_id: str) -> str | None:
        row = self._db.execute("SELECT text_hash FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    # ------------------------------------------------------------ canonical entities

    def get_entity(self, key: str) -> Entity | None:
        row = self._db.execute("SELECT * FROM entities WHERE key = ?", (key,)).fetchone()
        return _entity_from_row(row) if row else None

    def entity_candidates(self, match_keys: Iterable[str]) -> list[Entity]:
        """Stored entities indexed under any of these match keys (the linker decides which, if any, it is)."""
        keys = sorted(set(match_keys))
        if not keys:
            return []
        placeholders = marks(keys)
        rows = self._db.execute(
            f"SELECT DISTINCT e.* FROM entity_match_keys m JOIN entities e ON e.key = m.entity_key"
            f" WHERE m.match_key IN ({placeholders}) ORDER BY e.mention_count DESC, e.key",
            keys,
        )
        return [_entity_from_row(r) for r in rows]

    def save_entity(self, entity: Entity, match_keys: Iterable[str]) -> None:
        """Insert or update a canonical entity and its match keys (mention counts are kept by the store)."""
        now = now_iso()
        with self._writing():
            self._db.execute(
                "INSERT INTO entities(key, name, type, aliases, roles, mention_count, first_seen, updated_at)"
                " VALUES (?,?,?,?,?,0,?,?) ON CONFLICT(key) DO UPDATE SET name = excluded.name,"
                " type = excluded.type, aliases = excluded.aliases, roles = excluded.roles,"
                " updated_at = excluded.updated_at",
                (
                    entity.key,
                    entity.name,
                    str(entity.type),
                    compact_json(list(entity.aliases)),
                    compact_json(list(entity.roles)),
                    now,
                    now,
                ),
            )
            self._db.executemany(
                "INSERT OR IGNORE INTO entity_match_keys(match_key, entity_key) VALUES (?, ?)",
                [(key, entity.key) for key in sorted(set(match_keys))],
            )

    def find_entities(self, query: str, *, limit: int = 20) -> list[EntitySummary]:
        """Entities whose name or an alias matches QUERY (case-insensitive; exact matches first)."""
        pattern = f"%{query.strip()}%"
        rows = self._db.execute(
            "SELECT e.*,"
            " (SELECT COUNT(DISTINCT article_id) FROM mentions m WHERE m.entity_key = e.key) AS articles,"
            " (SELECT COUNT(*) FROM quotes q WHERE q.speaker_entity = e.key) AS quote_count"
            " FROM entities e WHERE e.name LIKE ? OR e.aliases LIKE ? OR e.key = ?"
            " ORDER BY (lower(e.name) = lower(?)) DESC, e.mention_count DESC, e.key LIMIT ?",
            (pattern, pattern, query, query.strip(), limit),
        )
        return [EntitySummary(_entity_from_row(r), r["articles"], r["quote_count"]) for r in rows]

    def list_entities(self, *, type: str | None = None, limit: int = 50) -> list[EntitySummary]:
        rows = self._db.execute(
            "SELECT e.*,"
            " (SELECT COUNT(DISTINCT article_id) FROM mentions m WHERE m.entity_key = e.key) AS articles,"
            " (SELECT COUNT(*) FROM quotes q WHERE q.speaker_entity = e.key) AS quote_count"
            " FROM entities e WHERE (? IS NULL OR e.type = ?) AND e.mention_count > 0"
            " ORDER BY e.mention_count DESC, e.key LIMIT ?",
            (type, type, limit),
        )
        return [EntitySummary(_entity_from_row(r), r["articles"], r["quote_count"]) for r in rows]

    def entity_mentions(self, entity_key: str, *, limit: int = 100) -> list[MentionInContext]:
        """Every mention of an entity with the sentence it is in, newest articles first."""
        rows = self._db.execute(
            "SELECT m.article_id, m.text, m.sentence, a.title, a.outlet, a.published_at, a.text AS body,"
            " e.sentences FROM mentions m JOIN articles a ON a.id = m.article_id"
            " JOIN enrichments e ON e.article_id = m.article_id"
            " WHERE m.entity_key = ? ORDER BY a.published_at DESC, m.article_id, m.position LIMIT ?",
            (entity_key, limit),
        )
        found = []
        sentence_cache: dict[str, list[dict[str, Any]]] = {}
        for row in rows:
            sentences = sentence_cache.setdefault(row["article_id"], json.loads(row["sentences"]))
            index = row["sentence"]
            sentence = sentences[index]["text"] if 0 <= index < len(sentences) else ""
            found.append(
                MentionInContext(
                    row["article_id"], row["title"], row["outlet"], row["published_at"], row["text"], sentence
                )
            )
        return found

    def list_quotes(self, *, speaker_keys: Sequence[str] | None = None, limit: int = 50) -> list[StoredQuote]:
        """Quotes, newest first; only those of the given speakers when SPEAKER_KEYS is given."""
        where, params = "", []
        if speaker_keys is not None:
            if not speaker_keys:
                return []
            where = f"WHERE q.speaker_entity IN ({','.join('?' * len(speaker_keys))})"
            params = list(speaker_keys)
        rows = self._db.execute(
            "SELECT q.*, a.title AS article_title, a.outlet, a.published_at FROM quotes q"
            f" JOIN articles a ON a.id = q.article_id {where}"
            " ORDER BY a.published_at DESC, q.article_id, q.position LIMIT ?",
            [*params, limit],
        )
        return [
            StoredQuote(
                r["article_id"], r["article_title"], r["outlet"], r["published_at"], _quote_from_row(r)
            )
            for r in rows
        ]

    # ------------------------------------------------------------ per-article facts

    def save_enrichment(self, enrichment: Enrichment, *, text_hash: str) -> None:
        """Replace an article's facts with ENRICHMENT (whose entity keys are already canonical)."""
        article_id = enrichment.article_id
        with self._writing():
            previous = [
                r[0]
                for r in self._db.execute(
                    "SELECT DISTINCT entity_key FROM mentions WHERE article_id = ?", (article_id,)
                )
            ]
            for table in ("mentions", "quotes", "figures", "temporal_expressions", "dated_events"):
                self._db.execute(f"DELETE FROM {table} WHERE article_id = ?", (article_id,))
            self._db.execute(
                "INSERT INTO enrichments(article_id, version, text_hash, language, model, sentences, notes,"
                " enriched_at) VALUES (?,?,?,?,?,?,?,?) ON CONFLICT(article_id) DO UPDATE SET"
                " version = excluded.version, text_hash = excluded.text_hash, language = excluded.language,"
                " model = excluded.model, sentences = excluded.sentences, notes = excluded.notes,"
                " enriched_at = excluded.enriched_at",
                (
                    article_id,
                    enrichment.version,
                    text_hash,
                    enrichment.language,
                    enrichment.model,
                    compact_json([asdict(s) for s in enrichment.sentences]),
                    compact_json(list(enrichment.notes)),
                    now_iso(),
                ),
            )
            self._db.executemany(
                "INSERT INTO mentions(article_id, position, entity_key, start, end, text, type, sentence, form)"
                " VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (article_id, i, m.entity, m.start, m.end, m.text, str(m.type), m.sentence, str(m.form))
                    for i, m in enumerate(enrichment.mentions)
                ],
            )
            self._db.executemany(
                "INSERT INTO quotes(article_id, position, text, start, end, kind, speaker, speaker_entity,"
                " speaker_text, cue, sentence, confidence) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        article_id,
                        i,
                        q.text,
                        q.start,
                        q.end,
                        str(q.kind),
                        q.speaker,
                        q.speaker_entity,
                        q.speaker_text,
                        q.cue,
                        q.sentence,
                        q.confidence,
                    )
                    for i, q in enumerate(enrichment.quotes)
                ],
            )
            self._db.executemany(
                "INSERT INTO figures(article_id, position, text, start, end, value, value_max, unit, counted,"
                " qualifier, sentence) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        article_id,
                        i,
                        f.text,
                        f.start,
                        f.end,
                        f.value,
                        f.value_max,
                        f.unit,
                        f.counted,
                        f.qualifier,
                        f.sentence,
                    )
                    for i, f in enumerate(enrichment.figures)
                ],
            )
            self._db.executemany(
                "INSERT INTO temporal_expressions(article_id, position, text, start, end, kind, value,"
                " end_value, precision, confidence, sentence, tense) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        article_id,
                        i,
                        d.text,
                        d.start,
                        d.end,
                        str(d.kind),
                        d.value,
                        d.end_value,
                        str(d.precision),
                        d.confidence,
                        d.sentence,
                        d.tense,
                    )
                    for i, d in enumerate(enrichment.dates)
                ],
            )
            self._db.executemany(
                "INSERT INTO dated_events(article_id, position, date, precision, sentence, text, actors,"
                " planned, figures) VALUES (?,?,?,?,?,?,?,?,?)",
                [
                    (
                        article_id,
                        i,
                        e.date,
                        str(e.precision),
                        e.sentence,
                        e.text,
                        compact_json(list(e.actors)),
                        int(e.planned),
                        compact_json(list(e.figures)),
                    )
                    for i, e in enumerate(enrichment.events)
                ],
            )
            touched = sorted(set(previous) | {m.entity for m in enrichment.mentions})
            self._refresh_mention_counts(touched)

    def _refresh_mention_counts(self, entity_keys: Sequence[str]) -> None:
        for key in entity_keys:
            self._db.execute(
                "UPDATE entities SET mention_count = (SELECT COUNT(*) FROM mentions WHERE entity_key = ?)"
                " WHERE key = ?",
                (key, key),
            )
            # An entity no article mentions or quotes any more (its article was re-enriched) is dropped.
            self._db.execute(
                "DELETE FROM entities WHERE key = ? AND mention_count = 0"
                " AND NOT EXISTS (SELECT 1 FROM quotes q WHERE q.speaker_entity = ?)",
                (key, key),
            )

    def get_enrichment(self, article_id: str) -> Enrichment | None:
        """An article's stored facts, with the canonical entities its mentions point to."""
        row = self._db.execute("SELECT * FROM enrichments WHERE article_id = ?", (article_id,)).fetchone()
        if row is None:
            return None
        mentions = tuple(
            EntityMention(
                r["start"],
                r["end"],
                r["text"],
                EntityType(r["type"]),
                r["entity_key"],
                r["sentence"],
                MentionForm(r["form"]),
            )
            for r in self._db.execute(
                "SELECT * FROM mentions WHERE article_id = ? ORDER BY position", (article_id,)
            )
        )
        counts: dict[str, int] = {}
        for mention in mentions:
            counts[mention.entity] = counts.get(mention.entity, 0) + 1
        entities = []
        for key in counts:
            entity = self.get_entity(key)
            if entity is not None:
                entities.append(_with_count(entity, counts[key]))
        return Enrichment(
            article_id=article_id,
            version=row["version"],
            language=row["language"],
            model=row["model"],
            sentences=tuple(Sentence(**s) for s in json.loads(row["sentences"])),
            entities=tuple(entities),
            mentions=mentions,
            quotes=tuple(
                _quote_from_row(r)
                for r in self._db.execute(
                    "SELECT * FROM quotes WHERE article_id = ? ORDER BY position", (article_id,)
                )
            ),
            figures=tuple(
                Figure(
                    r["text"],
                    r["start"],
                    r["end"],
                    r["value"],
                    r["unit"],
                    r["counted"],
                    r["qualifier"],
                    r["sentence"],
                    r["value_max"],
                )
                for r in self._db.execute(
                    "SELECT * FROM figures WHERE article_id = ? ORDER BY position", (article_id,)
                )
            ),
            dates=tuple(
                TemporalExpression(
                    r["text"],
                    r["start"],
                    r["end"],
                    TemporalKind(r["kind"]),
                    r["value"],
                    DatePrecision(r["precision"]),
                    r["confidence"],
                    r["sentence"],
                    r["end_value"],
                    r["tense"],
                )
                for r in self._db.execute(
                    "SELECT * FROM temporal_expressions WHERE article_id = ? ORDER BY position", (article_id,)
                )
            ),
            events=tuple(
                DatedEvent(
                    r["date"],
                    DatePrecision(r["precision"]),
                    r["sentence"],
                    r["text"],
                    tuple(json.loads(r["actors"])),
                    bool(r["planned"]),
                    tuple(json.loads(r["figures"])),
                )
                for r in self._db.execute(
                    "SELECT * FROM dated_events WHERE article_id = ? ORDER BY position", (article_id,)
                )
            ),
            notes=tuple(json.loads(row["notes"])),
        )

    def enrichment_counts(self) -> dict[str, int]:
        counts = {}
        for table in ("enrichments", "entities", "mentions", "quotes", "figures", "dated_events"):
            counts[table] = int(self._db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])
        return counts


def _entity_from_row(row: sqlite3.Row) -> Entity:
    return Entity(
        key=row["key"],
        name=row["name"],
        type=EntityType(row["type"]),
        aliases=tuple(json.loads(row["aliases"])),
        roles=tuple(json.loads(row["roles"])),
        mention_count=row["mention_count"],
    )


def _with_count(entity: Entity, count: int) -> Entity:
    return replace(entity, mention_count=count)


def _quote_from_row(row: sqlite3.Row) -> Quote:
    return Quote(
        text=row["text"],
        start=row["start"],
        end=row["end"],
        kind=QuoteKind(row["kind"]),
        speaker=row["speaker"],
        speaker_entity=row["speaker_entity"],
        speaker_text=row["speaker_text"],
        cue=row["cue"],
        sentence=row["sentence"],
        confidence=row["confidence"],
    )
