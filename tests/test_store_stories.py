"""Stories in the store: features, clustering batches, merges and splits with redirects, threads."""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from dateline.errors import StoreError
from dateline.models import (
    Article,
    DateOrigin,
    DatePrecision,
    SourceFormat,
    Story,
    StoryAssignment,
    StoryFeatures,
    StoryMerge,
    StorySplit,
    Thread,
)
from dateline.store import SqliteStore
from tests.builders import make_story

START = datetime(2025, 11, 30, 9, 0)  # naive UTC, as clustering keeps time
ALGORITHM = "cluster.v1"


def make_article(
    article_id: str,
    *,
    hours: float = 0,
    published: bool = True,
    outlet: str | None = "Example",
    language: str | None = "en",
    title: str | None = None,
    duplicate_of: str | None = None,
) -> Article:
    at = (START + timedelta(hours=hours)).replace(tzinfo=UTC)
    return Article(
        id=article_id,
        source=f"{article_id}.html",
        url=f"https://example.org/{article_id}",
        outlet=outlet,
        via=None,
        title=title if title is not None else f"Title {article_id}",
        authors=(),
        section=None,
        standfirst=None,
        published_at=at if published else None,
        published_precision=DatePrecision.DATETIME if published else DatePrecision.UNKNOWN,
        published_origin=DateOrigin.METADATA if published else DateOrigin.NONE,
        language=language,
        paragraphs=(f"Body of {article_id}.",),
        captions=(),
        source_format=SourceFormat.HTML,
        ingested_at=at,
        identity=f"https://example.org/{article_id}",
        duplicate_of=duplicate_of,
    )


def add_articles(store: SqliteStore, *articles: Article) -> None:
    for article in articles:
        store.upsert_article(article, text_hash=f"hash-{article.id}", canonical_url=article.url)


def features(article_id: str, *, hours: float = 0, version: str = "f1", vector: bool = True) -> StoryFeatures:
    rng = np.random.default_rng(zlib.crc32(article_id.encode()))
    embedding = rng.normal(size=16).astype(np.float32)
    return StoryFeatures(
        article_id=article_id,
        seen_at=START + timedelta(hours=hours),
        dated=True,
        language="en",
        title=f"Title {article_id}",
        outlet="Example",
        duplicate_of=None,
        vector=embedding / np.linalg.norm(embedding) if vector else None,
        terms=(("harbour", 0.8), ("strike", 0.6)),
        entities=(("org:port-authority", 2.0),),
        version=version,
    )


def story(story_id: str, *, first: float = 0, last: float = 0, thread_id: str | None = None) -> Story:
    return make_story(
        story_id, START + timedelta(hours=first), START + timedelta(hours=last), thread_id=thread_id
    )


def assign(article_id: str, story_id: str, sequence: int, score: float | None = None) -> StoryAssignment:
    return StoryAssignment(article_id, story_id, score, sequence)


def snapshot(store: SqliteStore) -> dict[str, list[tuple[object, ...]]]:
    """Every story table's rows, for comparing states (updated_at included: a repeat must not touch it)."""
    db = store._db
    return {
        table: [tuple(row) for row in db.execute(f"SELECT * FROM {table} ORDER BY 1")]
        for table in ("stories", "story_articles", "story_redirects", "threads")
    }


@pytest.fixture
def memory_store() -> Iterator[SqliteStore]:
    opened = SqliteStore.open(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def five(memory_store: SqliteStore) -> SqliteStore:
    """Articles a1..a5, one hour apart, with features."""
    add_articles(
        memory_store, *(make_article(f"a{i}", hours=i, outlet=f"Outlet {i % 2}") for i in range(1, 6))
    )
    memory_store.save_story_features([features(f"a{i}", hours=i) for i in range(1, 6)])
    return memory_store


def test_migration_4_creates_the_story_tables(memory_store: SqliteStore) -> None:
    assert memory_store.schema_version >= 4
    assert memory_store.story_counts() == {
        "stories": 0,
        "story_articles": 0,
        "threads": 0,
        "story_redirects": 0,
        "story_features": 0,
    }
    assert memory_store.next_story_sequence() == 0


def test_features_round_trip(memory_store: SqliteStore) -> None:
    add_articles(memory_store, make_article("a1"), make_article("a2"))
    saved = [features("a1"), features("a2", vector=False)]
    memory_store.save_story_features(saved)
    loaded = memory_store.story_features(["a2", "missing", "a1"])
    assert [f.article_id for f in loaded] == ["a2", "a1"]
    second, first = loaded
    assert second.vector is None
    assert first.vector.dtype == np.float32
    np.testing.assert_allclose(first.vector, saved[0].vector, atol=2e-3)
    assert first.seen_at == saved[0].seen_at and first.seen_at.tzinfo is None
    assert (first.dated, first.language, first.title, first.outlet) == (True, "en", "Title a1", "Example")
    assert first.terms == saved[0].terms
    assert first.entities == saved[0].entities
    assert first.version == "f1"

    # Saving again replaces (an upsert), and an aware time is stored as naive UTC.
    memory_store.save_story_features(
        [replace(features("a1", version="f2"), seen_at=START.replace(tzinfo=UTC))]
    )
    [reloaded] = memory_store.story_features(["a1"])
    assert reloaded.version == "f2" and reloaded.seen_at == START
    assert memory_store.story_counts()["story_features"] == 2


def test_articles_needing_features_order_version_and_text_change(memory_store: SqliteStore) -> None:
    # a3 has no publication date: it sorts by its ingest time, which is the earliest.
    add_articles(
        memory_store,
        make_article("a1", hours=2),
        make_article("a2", hours=1),
        make_article("a3", hours=0, published=False),
    )
    assert memory_store.articles_needing_features("f1") == ["a3", "a2", "a1"]
    assert memory_store.articles_needing_features("f1", limit=2) == ["a3", "a2"]
    memory_store.save_story_features([features("a1"), features("a2", version="old")])
    assert memory_store.articles_needing_features("f1") == ["a3", "a2"]
    # A new text for a1 makes its features stale.
    memory_store.upsert_article(make_article("a1", hours=2), text_hash="changed", canonical_url=None)
    assert memory_store.articles_needing_features("f1") == ["a3", "a2", "a1"]


def test_articles_needing_stories_in_stream_order(memory_store: SqliteStore) -> None:
    add_articles(memory_store, *(make_article(f"a{i}") for i in range(1, 5)))
    # Stream order is seen_at, then arrival (rowid) for equal times.
    memory_store.save_story_features(
        [features("a1", hours=3), features("a2", hours=1), features("a3", hours=1), features("a4", hours=0)]
    )
    assert memory_store.articles_needing_stories() == ["a4", "a2", "a3", "a1"]
    memory_store.save_story_batch([assign("a4", "s-a4", 0)], [story("s-a4")])
    assert memory_store.articles_needing_stories(limit=2) == ["a2", "a3"]
    assert memory_store.next_story_sequence() == 1


def test_batch_save_builds_stories_and_is_idempotent(five: SqliteStore) -> None:
    batch = (
        [
            assign("a1", "s-a1", 0),
            assign("a2", "s-a1", 1, 0.9),
            assign("a3", "s-a3", 2),
            assign("a4", "s-a1", 3, 0.7),
        ],
        [story("s-a1", first=1, last=4), story("s-a3", first=3, last=3)],
    )
    five.save_story_batch(*batch)
    before = snapshot(five)
    five.save_story_batch(*batch)
    assert snapshot(five) == before

    found = five.get_story("s-a1")
    assert found is not None
    assert found.article_ids == ("a1", "a2", "a4")
    assert found.outlets == ("Outlet 1", "Outlet 0")
    assert found.languages == ("en",)
    assert (found.first_seen, found.last_seen) == (START + timedelta(hours=1), START + timedelta(hours=4))
    assert found.algorithm == ALGORITHM and found.thread_id is None
    assert five.story_of_article("a2") == "s-a1"
    assert five.story_of_article("a5") is None
    assert five.next_story_sequence() == 4

    # Moving a3 to s-a1 leaves s-a3 empty: it is deleted.
    five.save_story_batch([assign("a3", "s-a1", 4, 0.8)], [story("s-a1", first=1, last=4)])
    assert five.get_story("s-a3") is None
    assert five.get_story("s-a1").article_ids == ("a1", "a2", "a4", "a3")  # type: ignore[union-attr]


def test_merge_redirects_and_compresses_chains(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign(f"a{i}", f"s-a{i}", i) for i in range(1, 4)],
        [story(f"s-a{i}", first=i, last=i) for i in range(1, 4)],
    )
    merge_one = ([], [story("s-a2", first=1, last=2)], [StoryMerge("s-a1", "s-a2")])
    five.save_story_batch(*merge_one)
    five.save_story_batch(*merge_one)  # idempotent
    assert five.resolve_story_id("s-a1") == "s-a2"
    assert five.get_story("s-a1").article_ids == ("a1", "a2")  # type: ignore[union-attr]

    five.save_story_batch([], [story("s-a3", first=1, last=3)], [StoryMerge("s-a2", "s-a3")])
    redirects = dict(five._db.execute("SELECT absorbed, survivor FROM story_redirects").fetchall())
    assert redirects == {"s-a1": "s-a3", "s-a2": "s-a3"}  # one hop each
    for old in ("s-a1", "s-a2", "s-a3"):
        assert five.resolve_story_id(old) == "s-a3"
    merged = five.get_story("s-a1")
    assert merged is not None and merged.id == "s-a3"
    assert merged.article_ids == ("a1", "a2", "a3")
    assert five.story_counts()["stories"] == 1
    assert five.resolve_story_id("nope") is None
    assert five.get_story("nope") is None


def test_split_moves_articles_to_the_new_story(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign(f"a{i}", "s-a1", i) for i in range(1, 5)],
        [story("s-a1", first=1, last=4)],
    )
    batch = (
        [assign("a5", "s-a1", 5)],
        [story("s-a1", first=1, last=5), story("s-a3", first=3, last=4)],
        (),
        [StorySplit("s-a1", "s-a3", ("a3", "a4"))],
    )
    five.save_story_batch(*batch)
    before = snapshot(five)
    five.save_story_batch(*batch)
    assert snapshot(five) == before
    assert five.get_story("s-a1").article_ids == ("a1", "a2", "a5")  # type: ignore[union-attr]
    assert five.get_story("s-a3").article_ids == ("a3", "a4")  # type: ignore[union-attr]


def test_a_split_can_revive_an_id_merged_away(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign("a1", "s-a1", 0), assign("a2", "s-a2", 1)],
        [story("s-a1", first=1, last=1), story("s-a2", first=2, last=2)],
        [StoryMerge("s-a2", "s-a1")],
    )
    assert five.resolve_story_id("s-a2") == "s-a1"
    five.save_story_batch([], [story("s-a2", first=2, last=2)], (), [StorySplit("s-a1", "s-a2", ("a2",))])
    assert five.resolve_story_id("s-a2") == "s-a2"
    assert five.story_counts()["story_redirects"] == 0


def test_a_failed_batch_leaves_nothing(five: SqliteStore) -> None:
    five.save_story_batch([assign("a1", "s-a1", 0)], [story("s-a1")])
    before = snapshot(five)
    with pytest.raises(Exception, match="UNIQUE"):
        # the sequence is taken by a1
        five.save_story_batch([assign("a2", "s-a2", 0)], [story("s-a2")])
    assert snapshot(five) == before


def test_list_stories_since_limit_offset_and_active_members(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign(f"a{i}", f"s-a{i}", i) for i in range(1, 6)],
        [story(f"s-a{i}", first=i, last=i) for i in range(1, 6)],
    )
    assert [s.id for s in five.list_stories()] == ["s-a5", "s-a4", "s-a3", "s-a2", "s-a1"]
    assert [s.id for s in five.list_stories(limit=2, offset=1)] == ["s-a4", "s-a3"]
    since = START + timedelta(hours=3)
    assert [s.id for s in five.list_stories(since=since)] == ["s-a5", "s-a4", "s-a3"]
    # An aware SINCE means the same instant.
    assert len(five.list_stories(since=since.replace(tzinfo=UTC))) == 3
    assert [s.outlets for s in five.list_stories(limit=2)] == [("Outlet 1",), ("Outlet 0",)]
    assert five.story_ids_active_since(since) == ["s-a3", "s-a4", "s-a5"]
    members = five.active_story_members(since)
    assert [(story_id, f.article_id) for story_id, f in members] == [
        ("s-a3", "a3"),
        ("s-a4", "a4"),
        ("s-a5", "a5"),
    ]
    assert members[0][1].vector is not None
    assert five.stories_by_id(["s-a2", "gone", "s-a1"])[0].id == "s-a2"


def test_threads_replace_the_previous_ones(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign(f"a{i}", f"s-a{i}", i) for i in range(1, 4)],
        [story(f"s-a{i}", first=i, last=i) for i in range(1, 4)],
    )

    def thread(thread_id: str, story_ids: tuple[str, ...], last: float) -> Thread:
        return Thread(
            thread_id, f"Thread {thread_id}", story_ids, START, START + timedelta(hours=last), ALGORITHM
        )

    five.save_threads([thread("t-s-a1", ("s-a3", "s-a1"), 3)])
    found = five.get_thread("t-s-a1")
    assert found is not None and found.story_ids == ("s-a1", "s-a3")  # by first_seen
    assert five.get_story("s-a1").thread_id == "t-s-a1"  # type: ignore[union-attr]

    five.save_threads([thread("t-s-a2", ("s-a2",), 2), thread("t-s-a3", ("s-a3",), 3)])
    assert five.get_thread("t-s-a1") is None
    assert [t.id for t in five.list_threads()] == ["t-s-a3", "t-s-a2"]
    assert [t.id for t in five.list_threads(limit=1)] == ["t-s-a3"]
    assert [t.id for t in five.list_threads(since=START + timedelta(hours=3))] == ["t-s-a3"]
    assert five.get_story("s-a1").thread_id is None  # type: ignore[union-attr]
    assert five.get_thread("t-s-a2", prefix=True) is not None
    assert five.get_thread("t-s-a", prefix=True) is None  # ambiguous

    # A later batch that does not know the thread keeps it.
    five.save_story_batch([], [story("s-a2", first=2, last=2)])
    assert five.get_story("s-a2").thread_id == "t-s-a2"  # type: ignore[union-attr]


def test_clear_stories_keeps_features(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign("a1", "s-a1", 0), assign("a2", "s-a2", 1)],
        [story("s-a1"), story("s-a2")],
        [StoryMerge("s-a2", "s-a1")],
    )
    five.save_threads([Thread("t-s-a1", "T", ("s-a1",), START, START, ALGORITHM)])
    five.clear_stories()
    assert five.story_counts() == {
        "stories": 0,
        "story_articles": 0,
        "threads": 0,
        "story_redirects": 0,
        "story_features": 5,
    }
    assert five.articles_needing_stories() == ["a1", "a2", "a3", "a4", "a5"]
    assert five.next_story_sequence() == 0


def test_deleting_an_article_drops_its_features_and_membership(five: SqliteStore) -> None:
    five.save_story_batch([assign("a1", "s-a1", 0), assign("a2", "s-a1", 1)], [story("s-a1")])
    with five.atomic():
        five._db.execute("DELETE FROM articles WHERE id = 'a2'")
    assert five.get_story("s-a1").article_ids == ("a1",)  # type: ignore[union-attr]
    assert five.story_features(["a2"]) == []


def test_resolve_by_prefix(five: SqliteStore) -> None:
    five.save_story_batch([assign("a1", "s-a1", 0), assign("a2", "s-a2", 1)], [story("s-a1"), story("s-a2")])
    assert five.resolve_story_id("s-a1", prefix=True) == "s-a1"
    assert five.resolve_story_id("s-a", prefix=True) is None  # ambiguous
    assert five.resolve_story_id("s-a", prefix=False) is None


def test_a_batch_naming_no_story_row_raises_and_rolls_back(five: SqliteStore) -> None:
    five.save_story_batch([assign("a1", "s-a1", 0)], [story("s-a1")])
    before = snapshot(five)
    with pytest.raises(StoreError, match="s-undefined"):
        five.save_story_batch([assign("a2", "s-undefined", 1)], [])
    assert snapshot(five) == before
    # the store is still usable: no transaction was left open
    five.save_story_batch([assign("a2", "s-a1", 1)], [story("s-a1")])
    assert five.get_story("s-a1").article_ids == ("a1", "a2")  # type: ignore[union-attr]


def test_joining_a_story_merged_away_joins_its_survivor(five: SqliteStore) -> None:
    five.save_story_batch(
        [assign("a1", "s-a1", 0), assign("a2", "s-a2", 1)],
        [story("s-a1"), story("s-a2")],
        [StoryMerge("s-a2", "s-a1")],
    )
    five.save_story_batch([assign("a3", "s-a2", 2)], [])
    assert five.story_of_article("a3") == "s-a1"
