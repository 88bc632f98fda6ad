"""Quotes and figures ledgers over invented articles, built directly as records (no spaCy)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from dateline.models import (
    Article,
    Citation,
    DatedEvent,
    DatePrecision,
    Enrichment,
    Figure,
    Quote,
    QuoteKind,
    Sentence,
)
from dateline.synthesize.ledgers import figure_ledger, normalise_counted, quote_ledger
from tests.builders import make_article

START = datetime(2025, 11, 29, 8, 0)
ZELENSKY = "person:volodymyr zelensky"
UMEROV = "person:rustem umerov"


def article(
    article_id: str,
    *paragraphs: str,
    outlet: str,
    hours: float = 0.0,
    duplicate_of: str | None = None,
    ingested_hours: float | None = None,
) -> Article:
    published = START + timedelta(hours=hours)
    ingested = START + timedelta(hours=hours if ingested_hours is None else ingested_hours, minutes=5)
    return make_article(
        article_id,
        paragraphs,
        outlet=outlet,
        published_at=published,
        ingested_at=ingested.replace(tzinfo=UTC),
        duplicate_of=duplicate_of,
    )


def sentences(item: Article) -> tuple[Sentence, ...]:
    """One sentence per paragraph: enough for the ledgers, which only read spans and indexes."""
    found, offset = [], 0
    for index, paragraph in enumerate(item.paragraphs):
        found.append(Sentence(index, offset, offset + len(paragraph), paragraph, index))
        offset += len(paragraph) + 2
    return tuple(found)


def sentence_of(item: Article, start: int) -> int:
    return next(s.index for s in sentences(item) if s.start <= start < s.end)


def quote(
    item: Article,
    text: str,
    *,
    speaker: str | None = None,
    key: str | None = None,
    kind: QuoteKind = QuoteKind.DIRECT,
    confidence: float = 0.9,
) -> Quote:
    start = item.text.index(text)
    return Quote(
        text=text,
        start=start,
        end=start + len(text),
        kind=kind,
        speaker=speaker,
        speaker_entity=key,
        speaker_text=speaker,
        cue="said",
        sentence=sentence_of(item, start),
        confidence=confidence,
    )


def zelensky(item: Article, text: str, *, kind: QuoteKind = QuoteKind.DIRECT) -> Quote:
    return quote(item, text, speaker="Volodymyr Zelensky", key=ZELENSKY, kind=kind)


def figure(
    item: Article,
    phrase: str,
    value: float,
    *,
    counted: str | None = None,
    unit: str | None = None,
    qualifier: str | None = None,
    value_max: float | None = None,
) -> Figure:
    start = item.text.index(phrase)
    return Figure(
        text=phrase,
        start=start,
        end=start + len(phrase),
        value=value,
        unit=unit,
        counted=counted,
        qualifier=qualifier,
        sentence=sentence_of(item, start),
        value_max=value_max,
    )


def enrichment(
    item: Article,
    quotes: Sequence[Quote] = (),
    figures: Sequence[Figure] = (),
    events: Sequence[DatedEvent] = (),
) -> Enrichment:
    return Enrichment(
        article_id=item.id,
        version="enrich.v1",
        language="en",
        model=None,
        sentences=sentences(item),
        quotes=tuple(quotes),
        figures=tuple(figures),
        events=tuple(events),
    )


def event_on(item: Article, sentence: int, date: str) -> DatedEvent:
    return DatedEvent(date, DatePrecision.DAY, sentence, item.paragraphs[sentence], ())


def spans(citations: Sequence[Citation], articles: Sequence[Article]) -> list[str]:
    texts = {item.id: item.text for item in articles}
    return [texts[c.article_id][c.start : c.end] for c in citations]


# ---------------------------------------------------------------- quotes

LAND = "We will not give up our land, whatever they promise in Geneva"


def test_empty_input_gives_empty_ledgers() -> None:
    assert quote_ledger([], {}) == ()
    assert figure_ledger([], {}) == ()
    lonely = article("a", "Nothing was said.", outlet="Wire")
    assert quote_ledger([lonely], {}) == ()
    assert figure_ledger([lonely], {"a": enrichment(lonely)}) == ()


def test_same_quote_across_outlets_merges_with_each_wording_kept() -> None:
    first = article("a", f"“{LAND},” Zelensky said on Saturday.", outlet="Wire", hours=1)
    reworded = article(
        "b",
        "Talks resumed.",
        "“We will never give up our land, whatever they promise in Geneva,” he said.",
        outlet="Daily",
        hours=2,
        ingested_hours=0.5,
    )
    trimmed = article("c", "Zelensky said: “We will not give up our land.”", outlet="Courier", hours=3)
    # Listed out of time order: the first report is the earliest, not the first in the list.
    stories = [reworded, trimmed, first]
    enrichments = {
        "a": enrichment(first, [zelensky(first, LAND)]),
        "b": enrichment(
            reworded, [zelensky(reworded, "We will never give up our land, whatever they promise in Geneva")]
        ),
        "c": enrichment(trimmed, [zelensky(trimmed, "We will not give up our land.")]),
    }
    (entry,) = quote_ledger(stories, enrichments)
    assert entry.speaker == "Volodymyr Zelensky" and entry.speaker_entity == ZELENSKY
    assert entry.text == LAND and entry.kind == "direct"
    assert (entry.first_outlet, entry.first_at) == ("Wire", START + timedelta(hours=1))
    assert entry.first_seen == START + timedelta(minutes=35)  # the reworded copy was ingested first
    assert [c.article_id for c in entry.citations] == ["a", "b", "c"]
    assert spans(entry.citations, stories) == [
        LAND,
        "We will never give up our land, whatever they promise in Geneva",
        "We will not give up our land.",
    ]
    assert [(v.outlet, v.text) for v in entry.variants] == [
        ("Daily", "We will never give up our land, whatever they promise in Geneva"),
        ("Courier", "We will not give up our land."),
    ]
    assert entry.variants[0].citation == entry.citations[1]


def test_syndicated_copy_adds_a_citation_but_a_variant_only_when_its_words_differ() -> None:
    original = article("a", f"“{LAND},” Zelensky said.", outlet="Wire")
    copy = article("b", f"“{LAND}”, Zelensky said.", outlet="Gazette", hours=1, duplicate_of="a")
    edited = article(
        "c",
        "“We will not give up our land, whatever they offer in Geneva,” he said.",
        outlet="Post",
        hours=2,
        duplicate_of="a",
    )
    items = [original, copy, edited]
    enrichments = {
        "a": enrichment(original, [zelensky(original, LAND)]),
        "b": enrichment(copy, [zelensky(copy, LAND)]),
        "c": enrichment(
            edited, [zelensky(edited, "We will not give up our land, whatever they offer in Geneva")]
        ),
    }
    (entry,) = quote_ledger(items, enrichments)
    assert [c.article_id for c in entry.citations] == ["a", "b", "c"]
    assert [v.outlet for v in entry.variants] == ["Post"]


def test_case_punctuation_and_quote_marks_do_not_make_a_variant() -> None:
    a = article("a", "“Peace must be just and lasting,” Zelensky said.", outlet="Wire")
    b = article("b", "Zelensky said: 'Peace must be JUST and lasting'", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(a, [zelensky(a, "Peace must be just and lasting")]),
        "b": enrichment(b, [zelensky(b, "'Peace must be JUST and lasting'")]),
    }
    (entry,) = quote_ledger([a, b], enrichments)
    assert entry.variants == () and len(entry.citations) == 2


def test_unattributed_quote_merges_only_when_near_identical() -> None:
    named = article("a", f"“{LAND},” Zelensky said.", outlet="Wire")
    unnamed = article("b", f"“{LAND}.”", outlet="Daily", hours=1)
    partial = article(
        "c",
        "One outlet quoted only “whatever they promise in Geneva” from the speech.",
        outlet="Post",
        hours=2,
    )
    enrichments = {
        "a": enrichment(named, [zelensky(named, LAND)]),
        "b": enrichment(unnamed, [quote(unnamed, f"{LAND}.", confidence=0.55)]),
        "c": enrichment(partial, [quote(partial, "whatever they promise in Geneva", kind=QuoteKind.PARTIAL)]),
    }
    first, last = quote_ledger([named, unnamed, partial], enrichments)
    assert first.speaker_entity == ZELENSKY
    assert [c.article_id for c in first.citations] == ["a", "b"]
    # A trimmed fragment without a speaker could belong to anyone: it stays apart, unattributed, last.
    assert (last.speaker, last.speaker_entity, last.text) == (None, None, "whatever they promise in Geneva")


def test_an_unattributed_first_report_takes_the_speaker_named_later() -> None:
    unnamed = article("a", f"“{LAND}.”", outlet="Wire")
    named = article("b", f"“{LAND},” Zelensky said.", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(unnamed, [quote(unnamed, f"{LAND}.", confidence=0.6)]),
        "b": enrichment(named, [zelensky(named, LAND)]),
    }
    (entry,) = quote_ledger([unnamed, named], enrichments)
    assert (entry.speaker_entity, entry.text, entry.first_outlet) == (ZELENSKY, f"{LAND}.", "Wire")


def test_different_speakers_never_merge() -> None:
    a = article("a", f"“{LAND},” Zelensky said.", outlet="Wire")
    b = article("b", f"“{LAND},” Umerov said.", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(a, [zelensky(a, LAND)]),
        "b": enrichment(b, [quote(b, LAND, speaker="Rustem Umerov", key=UMEROV)]),
    }
    assert [e.speaker_entity for e in quote_ledger([a, b], enrichments)] == [ZELENSKY, UMEROV]


def test_reported_speech_merges_with_a_quote_only_on_strong_overlap() -> None:
    direct = article("a", f"“{LAND},” Zelensky said.", outlet="Wire")
    reworded = article("b", "Zelensky said Ukraine would never surrender territory.", outlet="Daily", hours=1)
    close = article("c", f"Zelensky said that {LAND.lower()}.", outlet="Post", hours=2)
    enrichments = {
        "a": enrichment(direct, [zelensky(direct, LAND)]),
        "b": enrichment(
            reworded, [zelensky(reworded, "Ukraine would never surrender territory", kind=QuoteKind.INDIRECT)]
        ),
        "c": enrichment(close, [zelensky(close, LAND.lower(), kind=QuoteKind.INDIRECT)]),
    }
    merged, apart = quote_ledger([direct, reworded, close], enrichments)
    assert [c.article_id for c in merged.citations] == ["a", "c"] and merged.kind == "direct"
    assert apart.kind == "indirect" and apart.text == "Ukraine would never surrender territory"


def test_quotes_ordered_by_speaker_prominence_then_time_unattributed_last() -> None:
    early = article("a", "“The delegation will travel to Geneva tomorrow,” Umerov said.", outlet="Wire")
    items = [early]
    enrichments = {
        "a": enrichment(
            early,
            [
                quote(
                    early,
                    "The delegation will travel to Geneva tomorrow",
                    speaker="Rustem Umerov",
                    key=UMEROV,
                )
            ],
        )
    }
    lines = [
        ("Our army holds the line near Pokrovsk", "Nobody here expects a quick deal."),
        ("Energy workers deserve every medal we have", "The generators arrived from Poland."),
        ("Europe must be at the table in Geneva", "Winter will test every family in Kharkiv."),
    ]
    for number, hours in enumerate((3, 1, 2)):
        said_text, aside = lines[number]
        item = article(
            f"z{number}",
            f"“{said_text},” Zelensky said.",
            f"An aide added: “{aside}”",
            outlet=f"Outlet {number}",
            hours=hours,
        )
        items.append(item)
        enrichments[item.id] = enrichment(
            item,
            [
                zelensky(item, said_text),
                quote(item, aside, confidence=0.5),
            ],
        )
    entries = quote_ledger(items, enrichments)
    speakers = [e.speaker_entity for e in entries]
    # Zelensky is quoted by three articles, Umerov by one (earlier): Zelensky first; no speaker last.
    assert speakers[:4] == [ZELENSKY, ZELENSKY, ZELENSKY, UMEROV]
    assert speakers[4:] == [None, None, None]
    times = [e.first_at for e in entries[:3] if e.first_at is not None]
    assert len(times) == 3 and times == sorted(times)
    assert entries[0].first_outlet == "Outlet 1"


def test_low_confidence_and_lone_fragments_are_dropped_repeated_fragments_kept() -> None:
    a = article(
        "a",
        "He called the deal “a disgrace” and “a betrayal” in a speech that “nobody will forget”.",
        outlet="Wire",
    )
    b = article("b", "The senator called it “a disgrace” on Sunday.", outlet="Daily", hours=1)

    def senator(item: Article, text: str, confidence: float = 0.9) -> Quote:
        return quote(
            item,
            text,
            speaker="Jane Roe",
            key="person:jane roe",
            kind=QuoteKind.PARTIAL,
            confidence=confidence,
        )

    enrichments = {
        "a": enrichment(
            a,
            [
                senator(a, "a disgrace"),
                senator(a, "a betrayal"),
                senator(a, "nobody will forget", confidence=0.3),
            ],
        ),
        "b": enrichment(b, [senator(b, "a disgrace")]),
    }
    (entry,) = quote_ledger([a, b], enrichments)
    assert entry.text == "a disgrace" and [c.article_id for c in entry.citations] == ["a", "b"]


def test_stale_enrichment_spans_are_not_cited() -> None:
    a = article("a", "“We are ready for talks in Geneva,” Zelensky said.", outlet="Wire")
    stale = Quote(
        "We are ready for peace talks now", 1, 33, QuoteKind.DIRECT, "Zelensky", ZELENSKY, None, None, 0
    )
    assert quote_ledger([a], {"a": enrichment(a, [stale])}) == ()


def test_many_quotes_group_into_their_statements() -> None:
    statements = [
        "The air defence shot down most of the drones over Kharkiv",
        "Energy workers restored power to the eastern districts by noon",
        "Negotiators will meet again next week to discuss the security guarantees",
    ]
    items, enrichments = [], {}
    for number in range(150):
        said_text = statements[number % 3]
        item = article(
            f"n{number}", f"“{said_text},” Zelensky said.", outlet=f"Outlet {number % 17}", hours=number / 10
        )
        items.append(item)
        enrichments[item.id] = enrichment(item, [zelensky(item, said_text)])
    entries = quote_ledger(items, enrichments)
    assert [e.text for e in entries] == statements
    assert [len(e.citations) for e in entries] == [50, 50, 50]
    assert all(e.variants == () for e in entries)


# ---------------------------------------------------------------- figures


def test_counted_nouns_are_normalised() -> None:
    assert normalise_counted("The Drones") == "drone"
    assert normalise_counted("more civilian casualties") == "civilian casualty"
    assert normalise_counted("children") == "child"
    assert normalise_counted("Ukrainian territory") == "ukrainian territory"
    assert normalise_counted(None) == ""


def test_qualified_values_that_agree_are_one_figure_without_disagreement() -> None:
    a = article("a", "Russia launched almost 500 drones overnight.", outlet="Wire")
    b = article("b", "About 500 Drones were launched at Ukraine overnight.", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(
            a, figures=[figure(a, "almost 500 drones", 500, counted="drones", qualifier="almost")]
        ),
        "b": enrichment(b, figures=[figure(b, "About 500 Drones", 500, counted="Drones", qualifier="about")]),
    }
    (entry,) = figure_ledger([a, b], enrichments)
    assert (entry.value, entry.disagreement, entry.changed) == (500, False, False)
    assert [r.qualifier for r in entry.reports] == ["almost", "about"]
    assert entry.text == "About 500 Drones" and entry.citations[0].article_id == "b"


def test_outlets_disagreeing_at_the_same_time_are_one_entry_flagged() -> None:
    a = article("a", "The strike killed 26 people in Ternopil.", outlet="Wire")
    b = article(
        "b", "Officials said 22 people were killed in the strike on Ternopil.", outlet="Daily", hours=0.5
    )
    enrichments = {
        "a": enrichment(a, figures=[figure(a, "26 people", 26, counted="people")]),
        "b": enrichment(b, figures=[figure(b, "22 people", 22, counted="people")]),
    }
    (entry,) = figure_ledger([a, b], enrichments)
    assert entry.disagreement and not entry.changed
    assert [(r.outlet, r.value) for r in entry.reports] == [("Wire", 26), ("Daily", 22)]
    assert {c.article_id for c in entry.citations} == {"a", "b"}


def test_a_value_that_changes_over_days_is_marked_changed_with_the_latest_value() -> None:
    day1 = article("a", "Trump's 28-point plan was leaked on Thursday.", outlet="Wire")
    also = article("b", "The 28-point plan surprised Kyiv.", outlet="Daily", hours=2)
    day3 = article("c", "Negotiators cut it to a 20-point plan in Geneva.", outlet="Post", hours=50)
    enrichments = {
        "a": enrichment(day1, figures=[figure(day1, "28-point plan", 28, unit="point", counted="plan")]),
        "b": enrichment(also, figures=[figure(also, "28-point plan", 28, unit="point", counted="plan")]),
        "c": enrichment(day3, figures=[figure(day3, "20-point plan", 20, unit="point", counted="plan")]),
    }
    items = [day1, also, day3]
    (entry,) = figure_ledger(items, enrichments)
    assert entry.changed and not entry.disagreement
    assert (entry.value, entry.text, entry.unit, entry.counted) == (20, "20-point plan", "point", "plan")
    assert spans(entry.citations, items) == ["20-point plan", "28-point plan", "28-point plan"]
    assert [r.value for r in entry.reports] == [28, 28, 20]


def test_a_rising_toll_of_one_event_is_a_change_and_carries_the_event_date() -> None:
    day1 = article("a", "Ten people were killed on Saturday, officials said.", outlet="Wire")
    day2 = article("b", "The toll from Saturday's strike rose to 26 people.", outlet="Daily", hours=26)
    enrichments = {
        "a": enrichment(
            day1,
            figures=[figure(day1, "Ten people", 10, counted="people")],
            events=[event_on(day1, 0, "2025-11-29")],
        ),
        "b": enrichment(
            day2,
            figures=[figure(day2, "26 people", 26, counted="people")],
            events=[event_on(day2, 0, "2025-11-29")],
        ),
    }
    (entry,) = figure_ledger([day1, day2], enrichments)
    assert (entry.value, entry.changed, entry.disagreement, entry.event_date) == (
        26,
        True,
        False,
        "2025-11-29",
    )


def test_the_same_noun_at_another_event_is_another_figure() -> None:
    a = article("a", "Ten people were killed on Saturday.", outlet="Wire")
    b = article("b", "Twelve people were killed on Monday.", outlet="Daily", hours=50)
    enrichments = {
        "a": enrichment(
            a, figures=[figure(a, "Ten people", 10, counted="people")], events=[event_on(a, 0, "2025-11-29")]
        ),
        "b": enrichment(
            b,
            figures=[figure(b, "Twelve people", 12, counted="people")],
            events=[event_on(b, 0, "2025-12-01")],
        ),
    }
    entries = figure_ledger([a, b], enrichments)
    assert sorted(e.event_date or "" for e in entries) == ["2025-11-29", "2025-12-01"]
    assert not any(e.changed or e.disagreement for e in entries)


def test_two_counts_of_one_noun_in_an_article_stay_two_figures() -> None:
    a = article("a", "The strike killed four civilians and injured around 40.", outlet="Wire")
    b = article("b", "Five civilians died and 38 civilians were injured.", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(
            a,
            figures=[
                figure(a, "four civilians", 4, counted="civilians"),
                figure(a, "around 40", 40, counted="civilians", qualifier="around"),
            ],
        ),
        "b": enrichment(
            b,
            figures=[
                figure(b, "Five civilians", 5, counted="civilians"),
                figure(b, "38 civilians", 38, counted="civilians"),
            ],
        ),
    }
    entries = figure_ledger([a, b], enrichments)
    assert sorted(tuple(r.value for r in e.reports) for e in entries) == [(4, 5), (40, 38)]


def test_vague_figures_are_skipped_and_units_that_say_what_they_measure_kept() -> None:
    a = article(
        "a",
        "He spent 12 years in prison and 40 were there.",
        "Russia holds 19.3% of the territory, and inflation rose by 3.4 per cent.",
        "The EU pledged €300 million.",
        outlet="Wire",
    )
    enrichments = {
        "a": enrichment(
            a,
            figures=[
                figure(a, "12 years", 12, unit="year"),
                figure(a, "40", 40),
                figure(a, "19.3% of the territory", 19.3, unit="%", counted="the territory"),
                figure(a, "3.4 per cent", 3.4, unit="%"),
                figure(a, "€300 million", 3e8, unit="EUR"),
            ],
        )
    }
    entries = figure_ledger([a], enrichments)
    assert sorted(e.text for e in entries) == ["19.3% of the territory", "3.4 per cent", "€300 million"]


def test_percentages_without_a_noun_merge_only_when_their_context_agrees() -> None:
    a = article(
        "a", "Inflation rose to 3.4 per cent in October.", "Turnout reached 62 per cent.", outlet="Wire"
    )
    b = article("b", "Inflation climbed to 3.5 per cent last month.", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(
            a, figures=[figure(a, "3.4 per cent", 3.4, unit="%"), figure(a, "62 per cent", 62, unit="%")]
        ),
        "b": enrichment(b, figures=[figure(b, "3.5 per cent", 3.5, unit="%")]),
    }
    entries = figure_ledger([a, b], enrichments)
    assert [tuple(r.value for r in e.reports) for e in entries] == [(3.4, 3.5), (62,)]
    assert entries[0].disagreement


def test_rounded_figures_agree() -> None:
    a = article("a", "Nearly 58,000 repair workers were out.", outlet="Wire")
    b = article("b", "Some 57,950 repair workers were deployed.", outlet="Daily", hours=0.5)
    c = article("c", "Officials said 58,000 repair workers were at work.", outlet="Post", hours=1)
    enrichments = {
        "a": enrichment(
            a,
            figures=[
                figure(a, "Nearly 58,000 repair workers", 58000, counted="repair workers", qualifier="nearly")
            ],
        ),
        "b": enrichment(b, figures=[figure(b, "57,950 repair workers", 57950, counted="repair workers")]),
        "c": enrichment(c, figures=[figure(c, "58,000 repair workers", 58000, counted="repair workers")]),
    }
    (entry,) = figure_ledger([a, b, c], enrichments)
    assert not entry.disagreement and not entry.changed and len(entry.reports) == 3


def test_syndicated_copy_is_cited_but_is_not_a_report() -> None:
    a = article("a", "Russia launched 40 missiles overnight.", outlet="Wire")
    copy = article("b", "Russia launched 40 missiles overnight.", outlet="Gazette", hours=1, duplicate_of="a")
    enrichments = {
        "a": enrichment(a, figures=[figure(a, "40 missiles", 40, counted="missiles")]),
        "b": enrichment(copy, figures=[figure(copy, "40 missiles", 40, counted="missiles")]),
    }
    (entry,) = figure_ledger([a, copy], enrichments)
    assert [c.article_id for c in entry.citations] == ["a", "b"]
    assert [r.outlet for r in entry.reports] == ["Wire"]


def test_figures_ordered_by_articles_reporting_and_capped() -> None:
    items, enrichments = [], {}
    for number in range(60):
        # Every article counts its own widgets; the first three also count the same 500 drones.
        counts = [(number + 1, f"widget{number}s")] + ([(500, "drones")] if number < 3 else [])
        paragraphs = [f"Factories made {value} {noun} this week." for value, noun in counts]
        item = article(f"f{number}", *paragraphs, outlet=f"Outlet {number}", hours=number)
        items.append(item)
        enrichments[item.id] = enrichment(
            item, figures=[figure(item, f"{value} {noun}", value, counted=noun) for value, noun in counts]
        )
    entries = figure_ledger(items, enrichments)
    assert len(entries) == 40
    assert entries[0].counted == "drones" and len(entries[0].reports) == 3
    # The rest, one article each, by first report.
    assert [e.counted for e in entries[1:4]] == ["widget0s", "widget1s", "widget2s"]


def test_calendar_years_are_not_figures() -> None:
    a = article("a", "The 2024 election changed everything, and 2000 volunteers helped.", outlet="Wire")
    enrichments = {
        "a": enrichment(
            a,
            figures=[
                figure(a, "2024 election", 2024, counted="election"),
                figure(a, "2000 volunteers", 2000, counted="volunteers"),
            ],
        )
    }
    assert [e.text for e in figure_ledger([a], enrichments)] == ["2000 volunteers"]


def test_a_speaker_named_without_an_entity_is_the_entity_another_article_resolved() -> None:
    a = article("a", f"“{LAND},” Zelensky said.", outlet="Wire")
    b = article("b", f"“{LAND},” Volodymyr Zelensky said.", outlet="Daily", hours=1)
    enrichments = {
        "a": enrichment(a, [zelensky(a, LAND)]),
        "b": enrichment(b, [quote(b, LAND, speaker="Volodymyr Zelensky", key=None, confidence=0.7)]),
    }
    (entry,) = quote_ledger([a, b], enrichments)
    assert entry.speaker_entity == ZELENSKY and len(entry.citations) == 2
