"""The enrichment layer's storage: facts saved and read back, canonical entities across articles."""

from __future__ import annotations

from datetime import UTC, datetime

from dateline.enrich.article import with_canonical_entities
from dateline.enrich.events import find_dated_events
from dateline.models import (
    Article,
    DatedEvent,
    DateOrigin,
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
    SourceFormat,
    TemporalExpression,
    TemporalKind,
)
from dateline.pipeline import save_enrichment
from dateline.store import SqliteStore

PUBLISHED = datetime(2025, 11, 30, 9, 0, tzinfo=UTC)


def _article(article_id: str, text: str) -> Article:
    return Article(
        id=article_id,
        source=f"{article_id}.html",
        url=f"https://example.org/{article_id}",
        outlet="Example",
        via=None,
        title=f"Title {article_id}",
        authors=(),
        section=None,
        standfirst=None,
        published_at=PUBLISHED,
        published_precision=DatePrecision.DAY,
        published_origin=DateOrigin.METADATA,
        language="en",
        paragraphs=(text,),
        captions=(),
        source_format=SourceFormat.HTML,
        ingested_at=PUBLISHED,
        identity=f"https://example.org/{article_id}",
    )


def _store_article(store: SqliteStore, article: Article) -> None:
    store.upsert_article(article, text_hash=f"hash-{article.id}", canonical_url=article.url)


def _enrichment(article_id: str, key: str, name: str, alias: str) -> Enrichment:
    text = f'{alias} said on Sunday: "We will not give up." He met 40 officials.'
    sentence = Sentence(0, 0, len(text), text, 0)
    entity = Entity(key, name, EntityType.PERSON, aliases=(alias,), roles=("president",), mention_count=1)
    mention = EntityMention(0, len(alias), alias, EntityType.PERSON, key, 0, MentionForm.NAME)
    quote_start = text.index("We")
    quote = Quote(
        "We will not give up.",
        quote_start,
        quote_start + 20,
        QuoteKind.DIRECT,
        name,
        key,
        alias,
        "said",
        0,
        0.9,
    )
    figure_start = text.index("40")
    figure = Figure("40 officials", figure_start, figure_start + 12, 40.0, None, "officials", None, 0)
    date_start = text.index("Sunday")
    date = TemporalExpression(
        "Sunday", date_start, date_start + 6, TemporalKind.WEEKDAY, "2025-11-30", DatePrecision.DAY, 0.9, 0
    )
    event = DatedEvent("2025-11-30", DatePrecision.DAY, 0, text, (key,), False, (0,))
    return Enrichment(
        article_id=article_id,
        version="enrich.test",
        language="en",
        model="test",
        sentences=(sentence,),
        entities=(entity,),
        mentions=(mention,),
        quotes=(quote,),
        figures=(figure,),
        dates=(date,),
        events=(event,),
        notes=("a note",),
    )


def test_enrichment_round_trips_through_the_store(store: SqliteStore) -> None:
    _store_article(store, _article("a1", "x"))
    enrichment = _enrichment("a1", "person:volodymyr zelensky", "Volodymyr Zelensky", "Zelensky")
    store.save_entity(enrichment.entities[0], ["person:zelensky"])
    store.save_enrichment(enrichment, text_hash="hash-a1")
    loaded = store.get_enrichment("a1")
    assert loaded is not None
    assert loaded.sentences == enrichment.sentences
    assert loaded.mentions == enrichment.mentions
    assert loaded.quotes == enrichment.quotes
    assert loaded.figures == enrichment.figures
    assert loaded.dates == enrichment.dates
    assert loaded.events == enrichment.events
    assert loaded.notes == ("a note",)
    assert [e.key for e in loaded.entities] == ["person:volodymyr zelensky"]
    assert loaded.entities[0].mention_count == 1


def test_needing_enrichment_tracks_version_and_text(store: SqliteStore) -> None:
    _store_article(store, _article("a1", "x"))
    _store_article(store, _article("a2", "y"))
    assert store.articles_needing_enrichment("enrich.test") == ["a1", "a2"]
    enrichment = _enrichment("a1", "person:volodymyr zelensky", "Volodymyr Zelensky", "Zelensky")
    store.save_entity(enrichment.entities[0], [])
    store.save_enrichment(enrichment, text_hash="hash-a1")
    assert store.articles_needing_enrichment("enrich.test") == ["a2"]
    assert store.articles_needing_enrichment("enrich.other") == ["a1", "a2"]
    assert store.articles_needing_enrichment("enrich.test", force=True) == ["a1", "a2"]
    # The article's text changed (a new version): its facts are stale.
    store.save_enrichment(enrichment, text_hash="an older hash")
    assert store.articles_needing_enrichment("enrich.test") == ["a1", "a2"]


def test_re_enriching_replaces_facts_and_drops_orphan_entities(store: SqliteStore) -> None:
    _store_article(store, _article("a1", "x"))
    first = _enrichment("a1", "person:jane roe", "Jane Roe", "Roe")
    store.save_entity(first.entities[0], [])
    store.save_enrichment(first, text_hash="hash-a1")
    second = _enrichment("a1", "person:john doe", "John Doe", "Doe")
    store.save_entity(second.entities[0], [])
    store.save_enrichment(second, text_hash="hash-a1")
    assert store.get_entity("person:jane roe") is None
    loaded = store.get_enrichment("a1")
    assert loaded is not None
    assert len(loaded.mentions) == 1 and loaded.mentions[0].entity == "person:john doe"
    assert store.enrichment_counts()["quotes"] == 1


def test_entities_link_across_articles(store: SqliteStore) -> None:
    """Article B's "Zelenskiy" joins article A's "Volodymyr Zelensky": one canonical entity, both aliases."""
    _store_article(store, _article("a1", "x"))
    _store_article(store, _article("a2", "y"))
    save_enrichment(
        store,
        _enrichment("a1", "person:volodymyr zelensky", "Volodymyr Zelensky", "Zelensky"),
        text_hash="hash-a1",
    )
    stored_b = save_enrichment(
        store,
        _enrichment("a2", "person:volodymyr zelenskiy", "Volodymyr Zelenskiy", "Zelenskiy"),
        text_hash="hash-a2",
    )
    assert stored_b.mentions[0].entity == "person:volodymyr zelensky"
    assert stored_b.quotes[0].speaker_entity == "person:volodymyr zelensky"
    assert stored_b.events[0].actors == ("person:volodymyr zelensky",)
    found = store.find_entities("Zelenskiy")
    assert [s.entity.key for s in found] == ["person:volodymyr zelensky"]
    assert found[0].article_count == 2 and found[0].quote_count == 2
    assert "Zelenskiy" in found[0].entity.aliases
    mentions = store.entity_mentions("person:volodymyr zelensky")
    assert {m.article_id for m in mentions} == {"a1", "a2"}
    assert all("said on Sunday" in m.sentence for m in mentions)
    quotes = store.list_quotes(speaker_keys=["person:volodymyr zelensky"])
    assert len(quotes) == 2


def test_canonical_remap_is_pure() -> None:
    enrichment = _enrichment("a1", "person:zelenskiy", "Zelenskiy", "Zelenskiy")
    canonical = Entity("person:volodymyr zelensky", "Volodymyr Zelensky", EntityType.PERSON)
    remapped = with_canonical_entities(enrichment, {"person:zelenskiy": canonical})
    assert remapped.quotes[0].speaker == "Volodymyr Zelensky"
    assert remapped.entities[0].key == "person:volodymyr zelensky"
    assert remapped.entities[0].mention_count == 1
    assert enrichment.mentions[0].entity == "person:zelenskiy"  # the input is untouched


def _expression(sentence: int, value: str | None, precision: DatePrecision, tense: str | None = None):
    return TemporalExpression("x", 0, 1, TemporalKind.WEEKDAY, value, precision, 0.9, sentence, tense=tense)


def test_dated_events_take_the_sharpest_date_and_mark_plans() -> None:
    sentences = (
        Sentence(0, 0, 10, "Talks were held in November and on Sunday.", 0),
        Sentence(1, 11, 20, "They will meet again on Tuesday.", 0),
        Sentence(2, 21, 30, "Background", 1, is_heading=True),
        Sentence(3, 31, 40, "Nothing dated here.", 1),
    )
    dates = (
        _expression(0, "2025-11", DatePrecision.MONTH),
        _expression(0, "2025-11-30", DatePrecision.DAY),
        _expression(1, "2025-12-02", DatePrecision.DAY, tense="future"),
        _expression(2, "2025-12-03", DatePrecision.DAY),
        _expression(3, None, DatePrecision.UNKNOWN),
    )
    mentions = (EntityMention(0, 1, "A", EntityType.PERSON, "person:a", 0),)
    events = find_dated_events(sentences, dates, mentions, (), PUBLISHED)
    assert [(e.sentence, e.date, e.planned) for e in events] == [
        (0, "2025-11-30", False),
        (1, "2025-12-02", True),
    ]
    assert events[0].actors == ("person:a",)


def test_dated_events_without_publication_date_use_tense() -> None:
    sentences = (Sentence(0, 0, 10, "The summit will open on 3 December 2025.", 0),)
    dates = (_expression(0, "2025-12-03T10:00+01:00", DatePrecision.DATETIME, tense="future"),)
    (event,) = find_dated_events(sentences, dates, (), (), None)
    assert event.date == "2025-12-03" and event.precision is DatePrecision.DAY and event.planned
