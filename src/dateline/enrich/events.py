"""Dated events: sentences that report something happening at a resolved date.

The raw material of story timelines. A sentence becomes a candidate event when it
holds a resolved date expression of day, week, month or year precision and is
running prose (not a sub-heading). Its actors are the entities named in it, its
figures the key figures in it. Whether the event is planned (in the future at
publication) comes from the date itself, else from the tense the resolver saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dateline.models import (
    DatedEvent,
    DatePrecision,
    EntityMention,
    Figure,
    Sentence,
    TemporalExpression,
)
from dateline.times import iso_period

# Most specific first: when a sentence holds several dates, the event is dated by the sharpest.
_PRECISION_RANK = {
    DatePrecision.DATETIME: 0,
    DatePrecision.DAY: 1,
    DatePrecision.WEEK: 2,
    DatePrecision.MONTH: 3,
    DatePrecision.YEAR: 4,
}
# Lower than this, a resolution is a guess too weak to put on a timeline.
MIN_EVENT_CONFIDENCE = 0.5


def find_dated_events(
    sentences: Sequence[Sentence],
    dates: Sequence[TemporalExpression],
    mentions: Sequence[EntityMention],
    figures: Sequence[Figure],
    published: datetime | None,
) -> tuple[DatedEvent, ...]:
    """One candidate event per sentence that reports something at a resolved date."""
    by_sentence: dict[int, list[TemporalExpression]] = {}
    for expression in dates:
        if (
            expression.value is not None
            and expression.precision in _PRECISION_RANK
            and expression.confidence >= MIN_EVENT_CONFIDENCE
        ):
            by_sentence.setdefault(expression.sentence, []).append(expression)
    if not by_sentence:
        return ()
    actors_by_sentence: dict[int, list[str]] = {}
    for mention in mentions:
        actors = actors_by_sentence.setdefault(mention.sentence, [])
        if mention.entity not in actors:
            actors.append(mention.entity)
    figures_by_sentence: dict[int, list[int]] = {}
    for index, figure in enumerate(figures):
        figures_by_sentence.setdefault(figure.sentence, []).append(index)

    events = []
    for sentence in sentences:
        candidates = by_sentence.get(sentence.index)
        if not candidates or sentence.is_heading:
            continue
        best = min(candidates, key=lambda e: (_PRECISION_RANK[e.precision], -e.confidence, e.start))
        assert best.value is not None
        events.append(
            DatedEvent(
                date=_day_part(best.value),
                precision=DatePrecision.DAY if best.precision is DatePrecision.DATETIME else best.precision,
                sentence=sentence.index,
                text=sentence.text,
                actors=tuple(actors_by_sentence.get(sentence.index, ())),
                planned=_is_planned(best, published),
                figures=tuple(figures_by_sentence.get(sentence.index, ())),
            )
        )
    return tuple(events)


def _day_part(value: str) -> str:
    # "2025-11-30T11:20+02:00" -> "2025-11-30": a timeline is dated by day; the time stays on the expression.
    return value.split("T", 1)[0]


def _is_planned(expression: TemporalExpression, published: datetime | None) -> bool:
    if published is None or expression.value is None:
        return expression.tense == "future"
    start = iso_period(expression.value)[0]
    if start is None:
        return expression.tense == "future"
    published_day = published.date()
    if start > published_day:
        return True
    if start == published_day:  # "today", "tonight": the tense decides
        return expression.tense == "future"
    return False
