"""Timelines: the dated events of a story (or of any set of articles), one entry per event.

Where the entries come from:
- *mentioned*: the enrichment layer's dated events, sentences that name a resolved date ("on
  Sunday", "Yesterday (30 November)"), dated at their own precision;
- *published*: the lead sentences of a dated article that name no date of their own, dated by
  the publication day (a news lead reports what happened that day). An undated article therefore
  contributes only through the dates resolved in its text.

How they are chosen, in the way the strongest simple timeline systems work (date-wise, after
Ghalandari and Ifrim 2020, "Examining the state of the art in news timeline summarization"):
1. *Dates* are ranked by a small logistic model over how the articles treat each date: how many
   articles name it, how many are published on it or the day after, how many refer back to it
   later or ahead to it earlier, whether leads name it. ``bench.timeline17`` fits the weights on
   Timeline17 (leave-one-topic-out for the published scores) and checks ``DEFAULT_DATE_MODEL``.
2. Within a date, candidate sentences are *clustered into events* (one entry for the Florida
   meeting however many outlets report it; each report becomes a citation), and events are ranked
   by how central they are to the date's coverage and to the whole collection, and by how many
   articles report them.
3. Entries are shown in date order, the text of their most central report with clauses only
   deleted (``faithful.compress``). An event is *planned* when every report of it was written
   before it happened.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np

from dateline.cluster.features import seen_at, words
from dateline.models import Article, Citation, DatePrecision, Enrichment, TimelineEntry
from dateline.synthesize.faithful import compress
from dateline.synthesize.units import MAX_PASSAGE_WORDS, MIN_PASSAGE_WORDS, centroid, cosine, term_vector
from dateline.times import iso_period, naive_utc

# The first sentences of an article are its lead: the ones that report the day's news.
LEAD_SENTENCES = 5
LEAD_LAG_DAYS = 1
# Two reports are the same event when their words overlap this much (TF-IDF cosine).
SAME_EVENT_SIMILARITY = 0.45
# Without a requested length, a timeline keeps the dates the model finds at least as likely to
# belong on it as an average candidate day: journalists' Timeline17 timelines keep 699 of the 2,728
# days their articles date events to (26%), and the model is calibrated on them...
DATE_PROBABILITY = 0.25
# ... and at most this many dates: a timeline is a digest, not an index.
MAX_DEFAULT_DATES = 20
# A day this long before the story's first report is background unless several articles name it.
BACKGROUND_DAYS = 31
# Dates still ahead of the story's latest report are what a reader looks for next: up to this many
# are kept whatever the model says.
MAX_UPCOMING_DATES = 3
# How much an event gains for each further article reporting it (chosen on Timeline17 with the
# reference dates given, where 0.4 to 1.5 score alike and 0 and 0.15 lower; see BENCHMARKS.md).
EVENT_SUPPORT_WEIGHT = 0.4
# A second event on the same date needs this many articles reporting it (by default).
SECOND_EVENT_ARTICLES = 2

DATE_FEATURE_NAMES = (
    "mention_articles",  # log(1 + articles naming the day)
    "mention_share",  # articles naming the day / the most any day gets
    "published_articles",  # log(1 + articles published that day)
    "published_share",
    "next_day_articles",  # log(1 + articles published the day after)
    "later_mentions",  # log(1 + articles published after the day that name it: looking back)
    "earlier_mentions",  # log(1 + articles published before the day that name it: looking ahead)
    "lead_mentions",  # log(1 + articles naming it in their lead)
    "mention_span_days",  # log(1 + days between the first and the last article naming it)
)


@dataclass(frozen=True, slots=True)
class DateModel:
    """Logistic weights over DATE_FEATURE_NAMES: how likely a day is to belong on the timeline."""

    weights: tuple[float, ...]
    bias: float

    def probabilities(self, features: np.ndarray) -> np.ndarray:
        if not len(features):
            return np.zeros(0)
        logits = features @ np.asarray(self.weights) + self.bias
        return 1.0 / (1.0 + np.exp(-np.clip(logits, -50, 50)))


# Fitted by ``python -m bench.timeline17`` on all of Timeline17 (the bench says whether this is still its fit;
# the published scores use leave-one-topic-out fits).
DEFAULT_DATE_MODEL = DateModel(
    weights=(-0.0987, 0.0688, 0.2211, -0.0143, -0.0381, 0.3381, 0.0289, 0.1243, 0.1041),
    bias=-1.1263,
)


@dataclass(slots=True, eq=False)
class _Candidate:
    """One sentence that could be a timeline entry, dated at a precision."""

    article: Article
    published: date | None  # the article's publication day, None when undated
    first_seen: datetime
    date: str  # ISO at its precision
    precision: DatePrecision
    basis: str  # "mentioned" or "published"
    planned: bool
    position: int  # the sentence's place among the article's prose sentences
    start: int
    end: int
    text: str
    terms: Mapping[str, float] = field(default_factory=dict)


def build_timeline(
    articles: Sequence[Article],
    enrichments: Mapping[str, Enrichment],
    *,
    max_dates: int | None = None,
    per_date: int | None = None,
    start: date | None = None,
    end: date | None = None,
    date_model: DateModel = DEFAULT_DATE_MODEL,
    keywords: Sequence[str] = (),
) -> tuple[TimelineEntry, ...]:
    """The timeline of ARTICLES, in date order.

    With KEYWORDS (a query's words, an entity's names), only sentences that contain one of them
    (every word of it, in any form the word folding meets) can be entries: a timeline for "Sanders"
    is made of what his articles say about him, not of everything else they report.

    ``max_dates`` and ``per_date`` fix its size (as timeline benchmarks do: then only day-dated
    entries compete); by default dates are kept by the model's probability and a date carries a
    second event only when several articles report it. ``start`` and ``end`` bound the dates.
    """
    candidates = _candidates(articles, enrichments)
    if start is not None or end is not None:
        candidates = [c for c in candidates if _within(c.date, start, end)]
    if keywords:
        phrases = [set(words(keyword)) for keyword in keywords if words(keyword)]
        candidates = [c for c in candidates if any(p <= set(words(c.text)) for p in phrases)]
    if not candidates:
        return ()
    days, features = _day_features(candidates, articles)
    probability = dict(zip(days, date_model.probabilities(features), strict=True))
    by_date: dict[str, list[_Candidate]] = defaultdict(list)
    for candidate in candidates:
        by_date[candidate.date].append(candidate)
    collection = centroid([c.terms for c in candidates if c.terms])

    if max_dates is not None:
        chosen = sorted(days, key=lambda d: (-probability[d], d))[:max_dates]
        entries_per_date = per_date or 1
        required_articles = 1
    else:
        story_start = min((seen_at(a)[0].date() for a in articles if seen_at(a)[1]), default=None)
        ranked = [
            d
            for d in sorted(days, key=lambda d: (-probability[d], d))
            if not _background(d, by_date[d], story_start)
        ]
        chosen = [d for d in ranked if probability[d] >= DATE_PROBABILITY][:MAX_DEFAULT_DATES]
        if not chosen and ranked:
            chosen = ranked[: min(3, len(ranked))]  # a small story still gets its best dates
        chosen += _upcoming_dates(by_date, chosen, articles)
        chosen += _coarse_dates(by_date, chosen)
        entries_per_date = per_date or 2
        required_articles = SECOND_EVENT_ARTICLES

    entries: list[TimelineEntry] = []
    for day in chosen:
        events = _events(by_date[day], collection)
        for rank, event in enumerate(events[:entries_per_date]):
            if rank and len({c.article.id for c in event}) < required_articles:
                break
            entries.append(_entry(day, event, probability.get(day, 0.0)))
    return tuple(sorted(entries, key=lambda e: (e.date, -e.importance)))


def date_training_rows(
    articles: Sequence[Article],
    enrichments: Mapping[str, Enrichment],
    gold_dates: set[date],
    *,
    start: date | None = None,
    end: date | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Features and 0/1 labels (is the day on the reference timeline) for every candidate day."""
    candidates = _candidates(articles, enrichments)
    if start is not None or end is not None:
        candidates = [c for c in candidates if _within(c.date, start, end)]
    days, features = _day_features(candidates, articles)
    labels = np.array([1.0 if date.fromisoformat(d) in gold_dates else 0.0 for d in days])
    return features, labels


# ---------------------------------------------------------------- candidates


def _candidates(articles: Sequence[Article], enrichments: Mapping[str, Enrichment]) -> list[_Candidate]:
    candidates: list[_Candidate] = []
    for article in articles:
        enrichment = enrichments.get(article.id)
        if enrichment is None or article.duplicate_of:
            continue  # a syndicated copy repeats its original: it would count the same report twice
        when, dated = seen_at(article)
        published = when.date() if dated and article.published_precision in _DAY_OR_BETTER else None
        first_seen = naive_utc(article.ingested_at)
        body = article.text
        prose = [s for s in enrichment.sentences if not s.is_heading]
        position = {s.index: rank for rank, s in enumerate(prose)}
        dated_sentences = set()
        for event in enrichment.events:
            sentence = enrichment.sentences[event.sentence]
            dated_sentences.add(sentence.index)
            if not _readable(sentence.text) or body[sentence.start : sentence.end] != sentence.text:
                continue
            candidates.append(
                _Candidate(
                    article=article,
                    published=published,
                    first_seen=first_seen,
                    date=event.date,
                    precision=event.precision,
                    basis="mentioned",
                    planned=event.planned,
                    position=position.get(sentence.index, len(prose)),
                    start=sentence.start,
                    end=sentence.end,
                    text=sentence.text,
                )
            )
        if published is None:
            continue
        for sentence in prose[:LEAD_SENTENCES]:
            if sentence.index in dated_sentences or not _readable(sentence.text):
                continue
            if body[sentence.start : sentence.end] != sentence.text:
                continue
            # A lead reports that day's news, or the day before's when it went out the morning after.
            for lag in range(LEAD_LAG_DAYS + 1):
                candidates.append(
                    _Candidate(
                        article=article,
                        published=published,
                        first_seen=first_seen,
                        date=(published - timedelta(days=lag)).isoformat(),
                        precision=DatePrecision.DAY,
                        basis="published",
                        planned=False,
                        position=position[sentence.index],
                        start=sentence.start,
                        end=sentence.end,
                        text=sentence.text,
                    )
                )
    # A sentence can stand for several dates (a lead for its day and the day before): one vector each.
    vectors: dict[tuple[str, int], Mapping[str, float]] = {}
    for candidate in candidates:
        key = (candidate.article.id, candidate.start)
        if key not in vectors:
            vectors[key] = term_vector(candidate.text, candidate.article.language)
        candidate.terms = vectors[key]
    return candidates


_DAY_OR_BETTER = (DatePrecision.DAY, DatePrecision.DATETIME)


def _readable(text: str) -> bool:
    return MIN_PASSAGE_WORDS <= len(text.split()) <= MAX_PASSAGE_WORDS


def _within(value: str, start: date | None, end: date | None) -> bool:
    first, last = iso_period(value)
    if first is None or last is None:
        return False
    return (start is None or last >= start) and (end is None or first <= end)


# ---------------------------------------------------------------- date ranking


def _day_features(
    candidates: Sequence[_Candidate], articles: Sequence[Article]
) -> tuple[list[str], np.ndarray]:
    """Every day some candidate is dated to, and its DATE_FEATURE_NAMES row."""
    mentioning: dict[str, set[str]] = defaultdict(set)
    later: dict[str, set[str]] = defaultdict(set)
    earlier: dict[str, set[str]] = defaultdict(set)
    in_lead: dict[str, set[str]] = defaultdict(set)
    mention_days: dict[str, list[date]] = defaultdict(list)
    days: set[str] = set()
    for candidate in candidates:
        if candidate.precision is not DatePrecision.DAY:
            continue
        days.add(candidate.date)
        if candidate.basis != "mentioned":
            continue
        article_id = candidate.article.id
        mentioning[candidate.date].add(article_id)
        if candidate.position < LEAD_SENTENCES:
            in_lead[candidate.date].add(article_id)
        if candidate.published is not None:
            mention_days[candidate.date].append(candidate.published)
            day = date.fromisoformat(candidate.date)
            if candidate.published > day:
                later[candidate.date].add(article_id)
            elif candidate.published < day:
                earlier[candidate.date].add(article_id)
    published: dict[date, int] = defaultdict(int)
    for article in articles:
        if article.duplicate_of:
            continue
        when, dated = seen_at(article)
        if dated and article.published_precision in _DAY_OR_BETTER:
            published[when.date()] += 1
    ordered = sorted(days)
    if not ordered:
        return [], np.zeros((0, len(DATE_FEATURE_NAMES)))
    most_mentioned = max(len(mentioning[d]) for d in ordered) or 1
    most_published = max((published.get(date.fromisoformat(d), 0) for d in ordered), default=0) or 1
    rows = []
    for value in ordered:
        day = date.fromisoformat(value)
        mentions = len(mentioning[value])
        on_day = published.get(day, 0)
        spread = mention_days[value]
        rows.append(
            (
                math.log1p(mentions),
                mentions / most_mentioned,
                math.log1p(on_day),
                on_day / most_published,
                math.log1p(published.get(day + timedelta(days=1), 0)),
                math.log1p(len(later[value])),
                math.log1p(len(earlier[value])),
                math.log1p(len(in_lead[value])),
                math.log1p((max(spread) - min(spread)).days) if spread else 0.0,
            )
        )
    matrix = np.array(rows, dtype=float)
    # Dates compete within one collection: a model fitted on a 3,000-article topic then ranks a
    # 30-article story's dates the same way once each feature is measured against its own collection.
    if len(matrix) > 1:
        spread = matrix.std(axis=0)
        spread[spread == 0] = 1.0
        matrix = (matrix - matrix.mean(axis=0)) / spread
    return ordered, matrix


def _background(day: str, candidates: Sequence[_Candidate], first: date | None) -> bool:
    """A day long before the story began (FIRST) that a single article names: a birth date, a past war."""
    if first is None or date.fromisoformat(day) >= first - timedelta(days=BACKGROUND_DAYS):
        return False
    return len({c.article.id for c in candidates}) < 2


def _upcoming_dates(
    by_date: Mapping[str, Sequence[_Candidate]], chosen: Sequence[str], articles: Sequence[Article]
) -> list[str]:
    """Planned day-dated events after the story's latest report ("the inquiry opens on 16 March")."""
    latest = max((seen_at(a)[0].date() for a in articles if seen_at(a)[1]), default=None)
    if latest is None:
        return []
    upcoming = [
        value
        for value, candidates in by_date.items()
        if value not in chosen
        and candidates[0].precision is DatePrecision.DAY
        and date.fromisoformat(value) > latest
        and any(c.planned for c in candidates)
    ]
    return sorted(upcoming)[:MAX_UPCOMING_DATES]


def _coarse_dates(by_date: Mapping[str, Sequence[_Candidate]], chosen: Sequence[str]) -> list[str]:
    """Week and month dates named by several articles, for periods no chosen day already covers."""
    chosen_days = [date.fromisoformat(d) for d in chosen]
    coarse = []
    for value, candidates in by_date.items():
        if candidates[0].precision not in (DatePrecision.WEEK, DatePrecision.MONTH):
            continue
        if len({c.article.id for c in candidates}) < 2:
            continue
        first, last = iso_period(value)
        if first is None or last is None or any(first <= day <= last for day in chosen_days):
            continue
        coarse.append(value)
    return sorted(coarse, key=lambda v: -len({c.article.id for c in by_date[v]}))[:5]


# ---------------------------------------------------------------- events within a date


def _events(candidates: Sequence[_Candidate], collection: Mapping[str, float]) -> list[list[_Candidate]]:
    """The date's reports grouped into events, the most central event first; each event's best report first."""
    usable = [c for c in candidates if c.terms]
    if not usable:
        return []
    day_centre = centroid([c.terms for c in usable])

    def centrality(candidate: _Candidate) -> float:
        score = cosine(candidate.terms, day_centre) + 0.5 * cosine(candidate.terms, collection)
        if candidate.basis == "mentioned":
            score += 0.1  # the sentence itself says it happened on this date
        return score - 0.01 * candidate.position

    scored = sorted(usable, key=lambda c: (-centrality(c), c.article.id, c.start))
    events: list[list[_Candidate]] = []
    heads: list[_Candidate] = []
    for candidate in scored:
        for head, event in zip(heads, events, strict=True):
            if cosine(candidate.terms, head.terms) >= SAME_EVENT_SIMILARITY:
                event.append(candidate)
                break
        else:
            heads.append(candidate)
            events.append([candidate])

    def support(event: list[_Candidate]) -> float:
        return centrality(event[0]) + EVENT_SUPPORT_WEIGHT * math.log1p(
            len({c.article.id for c in event}) - 1
        )

    return sorted(events, key=lambda event: -support(event))


def _entry(day: str, event: Sequence[_Candidate], date_probability: float) -> TimelineEntry:
    head = event[0]
    citations: list[Citation] = []
    seen_articles: set[str] = set()
    for candidate in event:
        if candidate.article.id in seen_articles:
            continue
        seen_articles.add(candidate.article.id)
        citations.append(Citation(candidate.article.id, candidate.start, candidate.end))
    return TimelineEntry(
        date=day,
        precision=head.precision,
        text=compress(head.text),
        planned=all(c.planned for c in event),
        citations=tuple(citations),
        importance=round(date_probability + math.log1p(len(seen_articles)), 4),  # as stored
        basis=head.basis,
        first_seen=min(c.first_seen for c in event),
    )
