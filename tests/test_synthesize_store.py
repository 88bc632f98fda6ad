"""Story syntheses in the store: round trips, the cache and what drops it, the pipeline's lazy build, the delta.

The corpus is invented: a ship strikes a swing bridge in the fictional town of Kestrelby; two outlets
report it on the Monday, two more articles three days later say when it reopens, and a ferry story in
the same thread. It is enriched once by the real enrichment stage (no story clustering: the stories
are assigned by hand, so no embedding model is loaded).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

import pytest

from dateline import pipeline
from dateline.enrich.article import enrich_articles
from dateline.models import (
    Article,
    Citation,
    Claim,
    Contribution,
    Coverage,
    DatePrecision,
    Enrichment,
    EntityType,
    FigureEntry,
    FigureReport,
    OutletCoverage,
    QuoteEntry,
    QuoteVariant,
    Story,
    StoryAssignment,
    StoryEntity,
    StoryMerge,
    StorySplit,
    StorySynthesis,
    SummarySentence,
    Thread,
    TimelineEntry,
)
from dateline.pipeline import (
    save_enrichment,
    story_delta,
    story_synthesis,
    synthesize_stories,
    thread_synthesis,
)
from dateline.store import SqliteStore
from dateline.synthesize import SYNTHESIS_VERSION
from dateline.synthesize.delta import changes_since
from tests.builders import make_article, make_story

MONDAY = datetime(2026, 2, 2, 7, 0)  # naive UTC
HOSTILE_TITLE = "[bold]Kestrelby[/bold] swing bridge closed after ship strike"
HOSTILE_OUTLET = "Harbour <script>Gazette</script> [red]"

# (id, outlet, hours after MONDAY published, hours after MONDAY ingested, title, paragraphs)
CORPUS: tuple[tuple[str, str, float, float, str, tuple[str, ...]], ...] = (
    (
        "k1",
        "Kestrelby Echo",
        0,
        1,
        HOSTILE_TITLE,
        (
            "The Kestrelby swing bridge was closed to traffic on Monday after a cargo ship struck one of its "
            "piers, the county highways department said.",
            "About 14,000 vehicles cross the bridge every day, and the detour adds roughly 40 minutes to the "
            "journey between the two halves of the town.",
            "\u201cWe will not reopen [the bridge] until engineers are certain it is safe,\u201d said county "
            "engineer Mirela Dostal.",
            "Inspectors are due to begin a full survey of the damaged pier on Wednesday.",
        ),
    ),
    (
        "k2",
        HOSTILE_OUTLET,
        4,
        5,
        "[i]Kestrelby[/i] bridge shut as ship hits pier <script>alert(1)</script>",
        (
            "A cargo ship hit a pier of the Kestrelby swing bridge on Monday, forcing the county to close the "
            "crossing to all traffic.",
            "Some 14,000 vehicles use the bridge each day, according to county figures published last year.",
            "County engineer Mirela Dostal said the bridge would stay shut until engineers were sure it was safe.",
        ),
    ),
    (
        "r1",
        "Valley Post",
        26,
        27,
        "Kestrelby ferry runs every 15 minutes during bridge closure",
        (
            "The ferry between the two halves of Kestrelby will run every 15 minutes from Wednesday while the "
            "swing bridge is closed, the operator said on Tuesday.",
            "The operator said it had added a second boat that can carry up to 300 passengers an hour.",
        ),
    ),
    (
        "k3",
        "Kestrelby Echo",
        74,
        75,
        "Kestrelby bridge to reopen to pedestrians on Saturday",
        (
            "The Kestrelby swing bridge will reopen to pedestrians on Saturday after inspectors found only minor "
            "damage to the pier struck by a cargo ship on Monday.",
            "Repairs to the pier are expected to cost about 2.5 million euros, the county highways department "
            "said on Thursday.",
            "\u201cThe structure is sound, but the fender needs replacing before cars can return,\u201d Mirela "
            "Dostal told reporters.",
        ),
    ),
    (
        "k4",
        "Valley Post",
        75,
        76,
        "Drivers face weeks of detours in Kestrelby",
        (
            "Cars will not be allowed back on the Kestrelby swing bridge until the damaged fender is replaced, "
            "which could take until the end of March, the county said on Thursday.",
            "Around 15,000 vehicles crossed the bridge daily before the accident, the county said.",
        ),
    ),
)
BRIDGE = ("k1", "k2", "k3", "k4")
SEQUENCE = {"k1": 0, "k2": 1, "r1": 2, "k3": 3, "k4": 4}
ALGORITHM = "cluster.v1"


def corpus_article(article_id: str) -> Article:
    _, outlet, published, ingested, title, paragraphs = next(row for row in CORPUS if row[0] == article_id)
    return make_article(
        article_id,
        paragraphs,
        outlet=outlet,
        title=title,
        url=f"https://example.org/{article_id}",
        published_at=(MONDAY + timedelta(hours=published)).replace(tzinfo=UTC),
        ingested_at=(MONDAY + timedelta(hours=ingested)).replace(tzinfo=UTC),
        identity=f"https://example.org/{article_id}",
    )


@lru_cache(maxsize=1)
def corpus_enrichments() -> tuple[Enrichment, ...]:
    """The real enrichment of the corpus, computed once for every test that needs it."""
    return tuple(enrich_articles([corpus_article(row[0]) for row in CORPUS]))


def _story(story_id: str, first: float, last: float) -> Story:
    return make_story(story_id, MONDAY + timedelta(hours=first), MONDAY + timedelta(hours=last))


def store_corpus(store: SqliteStore, *, enriched: bool = True) -> None:
    """The corpus as stored articles, two stories (s-k1: the bridge, s-r1: the ferry) and one thread."""
    for row in CORPUS:
        article = corpus_article(row[0])
        store.upsert_article(article, text_hash=f"hash-{article.id}", canonical_url=article.url)
    if enriched:
        for enrichment in corpus_enrichments():
            save_enrichment(store, enrichment, text_hash=f"hash-{enrichment.article_id}")
    assignments = [
        StoryAssignment(article_id, "s-r1" if article_id == "r1" else "s-k1", None, sequence)
        for article_id, sequence in SEQUENCE.items()
    ]
    store.save_story_batch(assignments, [_story("s-k1", 0, 75), _story("s-r1", 26, 26)])
    store.save_threads(
        [
            Thread(
                "t-s-k1",
                "Kestrelby bridge",
                ("s-k1", "s-r1"),
                MONDAY,
                MONDAY + timedelta(hours=75),
                ALGORITHM,
            )
        ]
    )


@pytest.fixture
def memory_store() -> Iterator[SqliteStore]:
    opened = SqliteStore.open(":memory:")
    yield opened
    opened.close()


@pytest.fixture
def corpus_store(memory_store: SqliteStore) -> SqliteStore:
    store_corpus(memory_store)
    return memory_store


def stored_keys(store: SqliteStore) -> set[str]:
    return {r[0] for r in store._db.execute("SELECT story_id FROM story_syntheses")}


# ---------------------------------------------------------------- records


def full_synthesis(story_id: str = "s-x") -> StorySynthesis:
    """Every synthesis record with every optional field used: what a round trip must keep."""
    first = Citation("a1", 0, 42)
    in_title = Citation("a2", 2, 30, "title")
    aware = datetime(2026, 2, 2, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    naive = datetime(2026, 2, 2, 7, 30, 15, 250000)
    return StorySynthesis(
        story_id=story_id,
        title="A title with [markup] and \u201cquotes\u201d",
        title_citation=in_title,
        summary=(SummarySentence("Lead sentence.", (first, Citation("a2", 5, 9, "standfirst"))),),
        timeline=(
            TimelineEntry("2026-02-02", DatePrecision.DAY, "It happened.", False, (first,), 0.8125),
            TimelineEntry(
                "2026-W07", DatePrecision.WEEK, "It will reopen.", True, (first,), 1.5, "published", naive
            ),
        ),
        quotes=(
            QuoteEntry(
                "Mirela Dostal",
                "person:mirela dostal",
                "We will not reopen it",
                "direct",
                (first,),
                (QuoteVariant("We won't reopen it", "Other", Citation("a2", 1, 20)),),
                "Echo",
                aware,
                naive,
            ),
            QuoteEntry(None, None, "unattributed", "indirect", (first,)),
        ),
        figures=(
            FigureEntry(
                14000.0,
                None,
                None,
                "vehicles",
                "About 14,000 vehicles",
                (first,),
                (
                    FigureReport(14000.0, None, "about", "About 14,000 vehicles", "Echo", aware, first),
                    FigureReport(15000.0, 16000.0, None, "15,000-16,000", None, None, Citation("a2", 3, 9)),
                ),
                disagreement=True,
                changed=True,
                event_date="2026-02-02",
                first_seen=naive,
            ),
        ),
        coverage=Coverage(
            outlets=(
                OutletCoverage("Echo", 2, 1, ("Wire",), aware, "a1"),
                OutletCoverage("Other", 1, 1, (), None, "a2"),
            ),
            first_report=first,
            first_outlet="Echo",
            first_at=aware,
            volume=(("2026-02-02", 2), ("2026-02-03", 1)),
            unique_contributions=(
                Contribution("a2", None, None, "a1", (SummarySentence("Adds this.", (first,)),)),
            ),
            claims=(Claim("A claim.", (first,), ("Echo",), ("Other",)),),
        ),
        entities=(StoryEntity("place:kestrelby", "Kestrelby", EntityType.PLACE, 2, 5),),
        article_count=3,
        members_hash="0123456789abcdef",
        version=SYNTHESIS_VERSION,
    )


def round_trip(synthesis: StorySynthesis) -> StorySynthesis:
    return StorySynthesis.from_dict(json.loads(json.dumps(synthesis.to_dict())))


def rounded(synthesis: StorySynthesis) -> StorySynthesis:
    """SYNTHESIS with timeline importance rounded as ``to_dict`` writes it."""
    return replace(
        synthesis, timeline=tuple(replace(t, importance=round(t.importance, 4)) for t in synthesis.timeline)
    )


def test_every_synthesis_record_round_trips_through_json() -> None:
    synthesis = full_synthesis()
    assert round_trip(synthesis) == synthesis
    empty = replace(
        synthesis,
        title_citation=None,
        coverage=Coverage((), None, None, None, (), (), ()),
        summary=(),
        timeline=(),
        quotes=(),
        figures=(),
        entities=(),
    )
    assert round_trip(empty) == empty


def test_a_built_synthesis_round_trips_and_is_stored(corpus_store: SqliteStore) -> None:
    articles, enrichments = pipeline.synthesis_inputs(corpus_store, "s-k1")
    assert [a.id for a in articles] == list(BRIDGE)  # stream order
    from dateline.synthesize import synthesize_story

    built = synthesize_story("s-k1", articles, enrichments)
    assert built.summary and built.timeline  # the corpus gives the stages something to work with
    assert round_trip(built).to_dict() == built.to_dict()
    assert round_trip(built) == rounded(built)
    assert corpus_store.save_synthesis(built)
    assert corpus_store.load_synthesis("s-k1") == rounded(built)
    assert corpus_store.load_synthesis("s-nothing") is None


def test_migration_5_and_a_merged_id_resolving(memory_store: SqliteStore) -> None:
    assert memory_store.schema_version >= 5
    store_corpus(memory_store, enriched=False)
    memory_store.save_story_batch([], [], [StoryMerge("s-r1", "s-k1")])
    synthesis = story_synthesis(memory_store, "s-r1")
    assert synthesis is not None and synthesis.story_id == "s-k1" and synthesis.article_count == 5
    assert memory_store.load_synthesis("s-r1") == memory_store.load_synthesis("s-k1")


# ---------------------------------------------------------------- what drops a stored synthesis


def test_membership_changes_drop_the_syntheses_of_the_stories_they_touch(memory_store: SqliteStore) -> None:
    store_corpus(memory_store, enriched=False)
    for key in ("s-k1", "s-r1", "t-s-k1"):
        memory_store.save_synthesis(full_synthesis(key))
    assert stored_keys(memory_store) == {"s-k1", "s-r1", "t-s-k1"}

    memory_store.save_story_batch([], [])  # an empty batch touches nothing
    assert stored_keys(memory_store) == {"s-k1", "s-r1", "t-s-k1"}
    # Saving the same assignment again changes nothing either.
    memory_store.save_story_batch([StoryAssignment("r1", "s-r1", None, 2)], [_story("s-r1", 26, 26)])
    assert stored_keys(memory_store) == {"s-k1", "s-r1", "t-s-k1"}

    # k4 moves to the ferry story: both stories and their thread are stale.
    memory_store.save_story_batch([StoryAssignment("k4", "s-r1", 0.7, 4)], [_story("s-r1", 26, 75)])
    assert stored_keys(memory_store) == set()

    memory_store.save_synthesis(full_synthesis("s-k1"))
    memory_store.save_synthesis(full_synthesis("s-r1"))
    memory_store.save_story_batch([], [_story("s-k3", 74, 74)], splits=[StorySplit("s-k1", "s-k3", ("k3",))])
    assert stored_keys(memory_store) == {"s-r1"}

    memory_store.save_synthesis(full_synthesis("s-k1"))
    memory_store.save_story_batch([], [], [StoryMerge("s-k3", "s-k1")])
    assert stored_keys(memory_store) == {"s-r1"}

    memory_store.clear_stories()
    assert stored_keys(memory_store) == set()


def test_re_enrichment_and_re_extraction_drop_the_synthesis(corpus_store: SqliteStore) -> None:
    assert story_synthesis(corpus_store, "s-k1") is not None
    assert story_synthesis(corpus_store, "s-r1") is not None
    assert thread_synthesis(corpus_store, "t-s-k1") is not None
    assert stored_keys(corpus_store) == {"s-k1", "s-r1", "t-s-k1"}

    enrichment = next(e for e in corpus_enrichments() if e.article_id == "r1")
    save_enrichment(corpus_store, enrichment, text_hash="hash-r1")
    assert stored_keys(corpus_store) == {"s-k1"}  # the ferry story and the thread it is in

    for key in ("s-r1", "t-s-k1"):
        corpus_store.save_synthesis(full_synthesis(key))
    # Re-extracting the same article changes nothing; a new text drops the stories it is in.
    k2 = corpus_article("k2")
    corpus_store.upsert_article(k2, text_hash="hash-k2", canonical_url=k2.url)
    assert stored_keys(corpus_store) == {"s-k1", "s-r1", "t-s-k1"}
    edited = replace(k2, paragraphs=(*k2.paragraphs, "The county has asked the ship's owner to pay."))
    corpus_store.upsert_article(edited, text_hash="hash-k2b", canonical_url=k2.url)
    assert stored_keys(corpus_store) == {"s-r1"}

    corpus_store.save_synthesis(full_synthesis("s-k1"))
    corpus_store.set_duplicate_group("k1", {"k2": 0.91})  # k2 folded as a copy
    assert stored_keys(corpus_store) == {"s-r1"}

    corpus_store.save_synthesis(full_synthesis("t-s-k1"))
    corpus_store.save_threads([])  # the thread is gone
    assert stored_keys(corpus_store) == {"s-r1"}

    assert corpus_store.invalidate_syntheses(["s-r1"]) == 1
    assert stored_keys(corpus_store) == set()


def test_a_synthesis_built_while_its_story_changed_is_not_kept(memory_store: SqliteStore) -> None:
    store_corpus(memory_store, enriched=False)
    stamp = memory_store.synthesis_stamp("s-k1")
    assert memory_store.synthesis_stamp("s-k1") == stamp
    assert memory_store.synthesis_stamp("t-s-k1") != stamp
    memory_store.save_story_batch([StoryAssignment("r1", "s-k1", 0.8, 2)], [_story("s-k1", 0, 75)])
    assert not memory_store.save_synthesis(full_synthesis("s-k1"), stamp=stamp)
    assert memory_store.load_synthesis("s-k1") is None
    assert memory_store.save_synthesis(full_synthesis("s-k1"), stamp=memory_store.synthesis_stamp("s-k1"))


# ---------------------------------------------------------------- the pipeline


def test_story_synthesis_is_built_once_then_read_back(
    corpus_store: SqliteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    import dateline.synthesize as synthesize

    calls: list[str] = []
    real = synthesize.synthesize_story

    def counting(
        story_id: str, articles: list[Article], enrichments: dict[str, Enrichment]
    ) -> StorySynthesis:
        calls.append(story_id)
        return real(story_id, articles, enrichments)

    monkeypatch.setattr(synthesize, "synthesize_story", counting)
    first = story_synthesis(corpus_store, "s-k1")
    again = story_synthesis(corpus_store, "s-k1")
    assert first is not None and again is not None and calls == ["s-k1"]
    assert again.to_dict() == first.to_dict()
    assert first.article_count == 4

    # A synthesis of another version is rebuilt.
    corpus_store.save_synthesis(replace(first, version="synthesis.v0", title="old"))
    rebuilt = story_synthesis(corpus_store, "s-k1")
    assert rebuilt is not None and rebuilt.version == SYNTHESIS_VERSION and calls == ["s-k1", "s-k1"]

    thread = thread_synthesis(corpus_store, "t-s-k1")
    assert thread is not None and thread.story_id == "t-s-k1" and thread.article_count == 5
    assert (
        story_synthesis(corpus_store, "s-unknown") is None and thread_synthesis(corpus_store, "t-x") is None
    )


def test_synthesize_stories_precomputes_what_is_missing(corpus_store: SqliteStore) -> None:
    seen: list[tuple[str, str]] = []
    report = synthesize_stories(corpus_store, progress=lambda outcome, key: seen.append((outcome, key)))
    assert (report.built, report.current, report.failed) == (2, 0, 0)
    assert sorted(seen) == [("built", "s-k1"), ("built", "s-r1")]
    assert corpus_store.stories_needing_synthesis(SYNTHESIS_VERSION) == []
    again = synthesize_stories(corpus_store, ["s-k1", "s-gone"])
    assert (again.built, again.current, again.missing) == (0, 1, 1)
    forced = synthesize_stories(corpus_store, ["s-k1"], force=True)
    assert forced.built == 1


# ---------------------------------------------------------------- what changed since


def test_changes_since_keeps_what_arrived_after(corpus_store: SqliteStore) -> None:
    since = MONDAY + timedelta(days=2)  # after k1, k2 (and r1) came in, before k3 and k4
    delta = story_delta(corpus_store, "s-k1", since)
    assert delta is not None
    assert delta.article_ids == ("k3", "k4") and delta.article_count == 4
    assert delta.since == since
    assert [o.outlet for o in delta.outlets] == ["Valley Post"]  # Kestrelby Echo was there before
    synthesis = story_synthesis(corpus_store, "s-k1")
    assert synthesis is not None
    articles = {a.id: a for a in pipeline.synthesis_inputs(corpus_store, "s-k1")[0]}

    def arrived(citations: tuple[Citation, ...]) -> datetime:
        return min(articles[c.article_id].ingested_at.replace(tzinfo=None) for c in citations)

    def first_seen(recorded: datetime | None, citations: tuple[Citation, ...]) -> datetime:
        return recorded if recorded is not None else arrived(citations)

    # Entries are new exactly when Dateline first saw them after SINCE.
    assert [e.text for e in delta.timeline] == [
        e.text for e in synthesis.timeline if first_seen(e.first_seen, e.citations) > since
    ]
    assert [q.text for q in delta.quotes] == [
        q.text for q in synthesis.quotes if first_seen(q.first_seen, q.citations) > since
    ]
    assert [f.text for f in delta.figures] == [
        f.text for f in synthesis.figures if first_seen(f.first_seen, f.citations) > since
    ]
    # Nothing only the Monday articles reported is new; the reopening is.
    cited = [e.citations for e in delta.timeline] + [q.citations for q in delta.quotes]
    for citations in cited + [f.citations for f in delta.figures]:
        assert {c.article_id for c in citations} & {"k3", "k4"}
    assert delta.timeline and any("structure is sound" in q.text for q in delta.quotes)
    # A quantity known before that a new article gives another value for ("around 15,000 vehicles").
    assert [f.text for f in delta.revised_figures] == [
        f.text
        for f in synthesis.figures
        if f not in delta.figures
        and {(r.value, r.value_max) for r in f.reports if r.citation.article_id in {"k3", "k4"}}
        - {(r.value, r.value_max) for r in f.reports if r.citation.article_id not in {"k3", "k4"}}
        and any(r.citation.article_id not in {"k3", "k4"} for r in f.reports)
    ]
    assert all(c.article_id in {"k3", "k4"} for c in delta.contributions)
    for line in delta.summary:
        assert {c.article_id for c in line.citations} <= {"k3", "k4"}
    data = delta.to_dict()
    assert data["new_articles"] == ["k3", "k4"] and data["since"] == since.isoformat()
    json.dumps(data)

    # An aware SINCE is the same moment in UTC.
    aware = since.replace(tzinfo=UTC).astimezone(timezone(timedelta(hours=-5)))
    from_aware = story_delta(corpus_store, "s-k1", aware)
    assert from_aware is not None and from_aware.to_dict() == delta.to_dict()
    late = story_delta(corpus_store, "s-k1", MONDAY + timedelta(days=30))
    assert late is not None and late.empty and not (late.timeline or late.quotes or late.outlets)
    early = story_delta(corpus_store, "s-k1", MONDAY - timedelta(days=1))
    assert (
        early is not None and early.article_ids == BRIDGE and len(early.timeline) == len(synthesis.timeline)
    )


def test_changes_since_on_records_alone() -> None:
    synthesis = full_synthesis()
    a1 = replace(corpus_article("k1"), id="a1", outlet="Echo", ingested_at=MONDAY)
    a2 = replace(corpus_article("k2"), id="a2", outlet="Other", ingested_at=MONDAY + timedelta(days=1))
    delta = changes_since(synthesis, MONDAY + timedelta(hours=12), [a1, a2])
    assert delta.article_ids == ("a2",)
    assert [o.outlet for o in delta.outlets] == ["Other"]
    # first_seen recorded (07:30:15 naive) is before the cutoff; unrecorded ones fall back to ingest times.
    assert delta.timeline == () and delta.quotes == () and delta.figures == ()
    assert delta.revised_figures == synthesis.figures  # a2 reports 15,000-16,000 where a1 said 14,000
    assert delta.contributions == synthesis.coverage.unique_contributions
    assert delta.summary == ()  # a1, known before, says the summary's line too
