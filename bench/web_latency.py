"""Issue 6: reader latency: story pages and search under 100 concurrent clients while ingestion runs.

    .venv/bin/python -m bench.web_latency [--sizes 100000,1000000] [--duration 25] [--connections 100]
        [--client auto|wrk|python] [--pin] [--rebuild] [--no-ingest] [--no-profile] [--no-record]
    .venv/bin/python -m bench.web_latency --estimate    # build 10k in a temporary place: the build rate

Stores. A store of N articles is built once and kept in ``bench/.cache/web-N.db`` (``--rebuild`` redoes it),
with a sidecar ``web-N.json`` (the warmed stories, the search queries, build times). Its text is resampled
real news: the 4,625 Timeline17 articles and the 293 Wikinews 2019-2020 articles, each enriched once by the
real stage (Timeline17's cached enrichments, ``bench.timeline17.enrichments_for``) and linked to canonical
entities through ``dateline.pipeline.save_enrichment`` in a scratch store (``web-pool-*.pkl``). A synthetic
article is a run of one real article's paragraphs (2-6 KB of text), half the time with a few paragraphs of
another article of the same Timeline17 topic mixed in; its facts are the real article's facts on those
paragraphs, offsets shifted (so entity keys, quotes, figures and dated events are the stage's own). Headlines
are the Wikinews titles or the leading words of the article's first sentence. Articles come in stories of
1-30 (P(k) ~ k^-1.2, mean about 6) spread over two years, from 300 outlets (Zipf-like), 90 % labelled
English (the rest carry other language labels over English text), 4 % of later members syndicated copies of
the story's first article; stories on the same real article sit in threads of 2-6 (about a quarter of the
stories once a real article has several).


Writes go through the store's own methods (``upsert_article``, ``save_story_features``,
``save_story_batch``, ``save_threads``, ``save_entity``, and ``save_enrichment`` for the articles of the
warmed stories). Bench-only SQL, never used by the app, in ``_BulkSql`` below: the entity mentions of the
other articles (``--mention-share`` of them) are inserted with one ``executemany`` per batch, because
``save_enrichment`` recounts each entity's mentions per article (a full index count: quadratic over a
million articles), and ``entities.mention_count`` is then recounted once; a larger page cache during the
build; and after each load run the articles ingested during it are deleted again, so a cached store stays
at N. Story features carry no embedding vector (the reader never reads one), articles no MinHash signature
and no raw document (only dedupe at ingest reads those).

Warm. ``dateline.pipeline.synthesize_stories`` builds the syntheses of ``--sample-stories`` stories drawn
with probability proportional to their size (a reader lands on a story through one of its articles); their
articles carry full enrichments, so the synthesis is the real stage over real facts.

Load. ``dateline serve --db web-N.db --no-refresh`` runs in its own process (uvicorn, one worker, as
shipped); the load generator is a second process on loopback: Debian's ``wrk`` (a Lua script rotates the
URLs; latency percentiles from wrk's own histogram) or, without it, an asyncio + httpx client. Scenarios:
``story`` (``/story/ID`` and ``/api/stories/ID`` of the warmed stories, alternating), ``search``
(``/search?q=`` and ``/api/search?q=``, queries of 1-3 title words, common and rare), ``front`` (``/`` and
``/api/front``). Each runs twice: ``saturation``, 100 connections each sending its next request as soon as
the last one is answered (so latency is mostly queueing: Little's law), and ``paced``, an open-loop Poisson
stream at ``--paced-share`` of the saturation rate over up to 100 connections (asyncio client; latency
counted from each request's scheduled time, so a stall is not hidden). Errors are non-2xx answers,
connection errors and timeouts (30 s). Meanwhile a third process ingests new resampled articles (JSONL
batches of 100 through ``dateline.pipeline.ingest_inputs``: extraction, dedupe, FTS, raw documents;
enrichment and clustering off) into the same store and reports how many it added. The three processes share
the machine's cores; ``--pin`` keeps the server on core 0 and the other two on the rest.

Profile (unless ``--no-profile``). Each size then serves the same URLs in-process through a TestClient, one
request at a time, with a timer around the view, the Jinja render and every store method (cProfile inside the
server's worker thread, printed with ``WEB_LATENCY_PSTATS=1``), and times prototype rewrites of the slowest
queries (bench-only SQL on a read-only connection and a TEMP table, against the shipped methods).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import hashlib
import io
import json
import math
import os
import pickle
import platform
import pstats
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import numpy as np

from bench.common import CACHE_DIR, markdown_table, record_section
from dateline.models import (
    Article,
    DatedEvent,
    DateOrigin,
    DatePrecision,
    Enrichment,
    Entity,
    EntityMention,
    Figure,
    Quote,
    Sentence,
    SourceFormat,
    Story,
    StoryAssignment,
    StoryFeatures,
    TemporalExpression,
    Thread,
)

SECTION = "Issue 6: reader latency"
POOL_VERSION = "web-pool.v1"
STORE_VERSION = "web-store.v2"  # bump when the synthetic store changes: cached stores are rebuilt
SEED = 6
START = datetime(2024, 1, 1)
SPAN_DAYS = 730.0
STORY_SIZES = (1, 30)
STORY_SIZE_EXPONENT = 1.2  # P(k) ~ k^-1.2 over 1..30: mean about 5 articles a story
MEMBER_SPREAD_HOURS = 18.0  # mean delay of a story's later articles after its first
OUTLETS = 300
DUPLICATE_SHARE = 0.04  # later members that are syndicated copies of the story's first article
MIX_SHARE = 0.5  # articles with a few paragraphs of a second real article of the same topic
THREAD_SHARE = 0.25  # stories that sit in a thread
TEXT_CHARS = (2000, 6000)
BUILD_BATCH = 10_000
INGEST_BATCH = 100
TARGET_STORY_P95_MS = 50.0
TARGET_SEARCH_P95_MS = 100.0
WRK_TIMEOUT_S = 30
LANGUAGE_LABELS = ("de", "fr", "es", "it", "nl")
STOPWORDS = frozenset(
    [
        "a",
        "about",
        "after",
        "again",
        "against",
        "all",
        "also",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "during",
        "each",
        "few",
        "for",
        "from",
        "further",
        "had",
        "has",
        "have",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "me",
        "more",
        "most",
        "my",
        "new",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "out",
        "over",
        "own",
        "said",
        "same",
        "says",
        "she",
        "should",
        "so",
        "some",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yes",
        "one",
        "two",
        "three",
        "four",
        "five",
        "first",
        "last",
        "year",
        "years",
        "week",
        "day",
        "days",
        "told",
        "edition",
        "would",
        "like",
        "default",
    ]
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{2,}")


# ---------------------------------------------------------------- the real pool


@dataclass(frozen=True, slots=True)
class PoolParagraph:
    """One real paragraph with the stage's facts on it: offsets from the paragraph's start, sentence
    numbers from its first sentence, event figures as indexes into this paragraph's figures."""

    text: str
    sentences: tuple[Sentence, ...]
    mentions: tuple[EntityMention, ...]
    quotes: tuple[Quote, ...]
    figures: tuple[Figure, ...]
    dates: tuple[TemporalExpression, ...]
    events: tuple[DatedEvent, ...]
    mention_rows: tuple[
        tuple[int, int, str, str, str, int, str], ...
    ]  # start, end, text, type, key, sentence, form


@dataclass(frozen=True, slots=True)
class PoolArticle:
    topic: str  # Timeline17 topic, or "wikinews"
    title: str | None
    paragraphs: tuple[PoolParagraph, ...]
    model: str | None


@dataclass(frozen=True)
class Pool:
    articles: tuple[PoolArticle, ...]
    entities: dict[str, Entity]  # canonical entities by key
    by_topic: dict[str, tuple[int, ...]]
    headlines: tuple[str, ...]  # one per article: what its search queries are drawn from


def _say(message: str) -> None:
    print(f"[web] {message}", file=sys.stderr, flush=True)


def load_pool() -> Pool:
    """The resampling pool: real articles, their real enrichments linked to canonical entities (cached)."""
    from bench.timeline17 import archive_digest

    data_key = hashlib.sha256(f"{POOL_VERSION}\0{archive_digest()}".encode()).hexdigest()[:16]
    path = CACHE_DIR / f"web-pool-{data_key}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    pool = _build_pool()
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as handle:
        pickle.dump(pool, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)
    return pool


def _build_pool() -> Pool:
    from bench.enrichment import wikinews_articles
    from bench.timeline17 import enrichments_for, load_collections
    from dateline import dedupe
    from dateline.enrich.article import enrich_articles
    from dateline.pipeline import save_enrichment
    from dateline.store.sqlite import SqliteStore

    sources: list[tuple[str, Article, Enrichment]] = []
    for collection in load_collections():
        enrichments = enrichments_for(collection, quiet=True)
        for article in collection.articles:
            if article.id in enrichments:
                sources.append((collection.topic, article, enrichments[article.id]))
    started = time.perf_counter()
    news = wikinews_articles(None)
    for start in range(0, len(news), 32):
        batch = news[start : start + 32]
        sources.extend(("wikinews", a, e) for a, e in zip(batch, enrich_articles(batch), strict=True))
    _say(f"pool: {len(news)} Wikinews articles enriched in {time.perf_counter() - started:.0f} s")

    started = time.perf_counter()
    articles: list[PoolArticle] = []
    with SqliteStore.open(":memory:") as scratch:
        for topic, article, enrichment in sources:
            text_hash = dedupe.text_hash(article.text)
            # No raw document is kept in the scratch store: the article must not point at one.
            scratch.upsert_article(replace(article, raw_sha256=None), text_hash=text_hash, canonical_url=None)
            linked = save_enrichment(scratch, enrichment, text_hash=text_hash)
            articles.append(
                PoolArticle(topic, article.title, _split_by_paragraph(article, linked), enrichment.model)
            )
        keys = {m[4] for a in articles for p in a.paragraphs for m in p.mention_rows}
        keys |= {
            q.speaker_entity for a in articles for p in a.paragraphs for q in p.quotes if q.speaker_entity
        }
        entities = {key: found for key in sorted(keys) if (found := scratch.get_entity(key)) is not None}
    _say(
        f"pool: {len(articles)} articles linked to {len(entities)} entities in {time.perf_counter() - started:.0f} s"
    )
    by_topic: dict[str, list[int]] = defaultdict(list)
    for index, item in enumerate(articles):
        by_topic[item.topic].append(index)
    headlines = tuple(item.title or headline(p.text for p in item.paragraphs) for item in articles)
    return Pool(tuple(articles), entities, {k: tuple(v) for k, v in by_topic.items()}, headlines)


def _split_by_paragraph(article: Article, enrichment: Enrichment) -> tuple[PoolParagraph, ...]:
    """ENRICHMENT cut into ARTICLE's paragraphs; facts that cross a paragraph boundary are dropped."""
    starts, position = [], 0
    for paragraph in article.paragraphs:
        starts.append(position)
        position += len(paragraph) + 2
    paragraph_of = {s.index: s.paragraph for s in enrichment.sentences}
    first: dict[int, int] = {}
    for sentence in enrichment.sentences:
        first.setdefault(sentence.paragraph, sentence.index)

    def place(sentence: int, start: int, end: int) -> int | None:
        p = paragraph_of.get(sentence)
        if p is None or not (starts[p] <= start <= end <= starts[p] + len(article.paragraphs[p])):
            return None
        return p

    parts: dict[str, list[list[Any]]] = {
        name: [[] for _ in article.paragraphs]
        for name in ("sentences", "mentions", "quotes", "figures", "dates", "events")
    }
    for s in enrichment.sentences:
        if place(s.index, s.start, s.end) is not None:
            shift = starts[s.paragraph]
            parts["sentences"][s.paragraph].append(
                replace(
                    s,
                    index=s.index - first[s.paragraph],
                    start=s.start - shift,
                    end=s.end - shift,
                    paragraph=0,
                )
            )
    for m in enrichment.mentions:
        if (p := place(m.sentence, m.start, m.end)) is not None:
            parts["mentions"][p].append(
                replace(m, start=m.start - starts[p], end=m.end - starts[p], sentence=m.sentence - first[p])
            )
    for q in enrichment.quotes:
        if (p := place(q.sentence, q.start, q.end)) is not None:
            parts["quotes"][p].append(
                replace(q, start=q.start - starts[p], end=q.end - starts[p], sentence=q.sentence - first[p])
            )
    figure_at: dict[int, tuple[int, int]] = {}  # original index -> (paragraph, index there)
    for index, f in enumerate(enrichment.figures):
        if (p := place(f.sentence, f.start, f.end)) is not None:
            figure_at[index] = (p, len(parts["figures"][p]))
            parts["figures"][p].append(
                replace(f, start=f.start - starts[p], end=f.end - starts[p], sentence=f.sentence - first[p])
            )
    for d in enrichment.dates:
        if (p := place(d.sentence, d.start, d.end)) is not None:
            parts["dates"][p].append(
                replace(d, start=d.start - starts[p], end=d.end - starts[p], sentence=d.sentence - first[p])
            )
    for e in enrichment.events:
        p = paragraph_of.get(e.sentence)
        if p is not None:
            figures = tuple(figure_at[i][1] for i in e.figures if i in figure_at and figure_at[i][0] == p)
            parts["events"][p].append(replace(e, sentence=e.sentence - first[p], figures=figures))
    return tuple(
        PoolParagraph(
            text=text,
            sentences=tuple(parts["sentences"][p]),
            mentions=tuple(parts["mentions"][p]),
            quotes=tuple(parts["quotes"][p]),
            figures=tuple(parts["figures"][p]),
            dates=tuple(parts["dates"][p]),
            events=tuple(parts["events"][p]),
            mention_rows=tuple(
                (m.start, m.end, m.text, str(m.type), m.entity, m.sentence, str(m.form))
                for m in parts["mentions"][p]
            ),
        )
        for p, text in enumerate(article.paragraphs)
    )


def headline(paragraphs: Iterator[str] | Sequence[str], words: int = 12) -> str:
    """A headline-like line: the leading words of the first sentence-like paragraph of 6 words or more."""
    fallback = ""
    for text in paragraphs:
        tokens = text.split()
        if not fallback and tokens:
            fallback = " ".join(tokens[:words])
        if len(tokens) >= 6 and not any(w in text.lower() for w in ("edition", "cookies", "javascript")):
            return " ".join(tokens[:words]).rstrip(",;:-")
    return fallback or "Untitled"


# ---------------------------------------------------------------- the synthetic store plan


def outlet_names() -> tuple[str, ...]:
    places = [
        "Lisbon",
        "Valencia",
        "Ghent",
        "Lyon",
        "Turin",
        "Leipzig",
        "Bergen",
        "Tartu",
        "Kraków",
        "Porto",
        "Malmö",
        "Aarhus",
        "Graz",
        "Split",
        "Cork",
        "Bristol",
        "Leeds",
        "Halifax",
        "Quebec",
        "Denver",
        "Tucson",
        "Austin",
        "Dayton",
        "Omaha",
        "Perth",
        "Hobart",
        "Nelson",
        "Durban",
        "Accra",
        "Mombasa",
    ]
    kinds = [
        "Courier",
        "Herald",
        "Observer",
        "Post",
        "Times",
        "Gazette",
        "Chronicle",
        "Ledger",
        "Tribune",
        "Express",
    ]
    return tuple(f"The {place} {kind}" for kind in kinds for place in places)[:OUTLETS]


@dataclass
class Plan:
    """N articles in stream order as arrays: day, story (event) and rank within it; contents come later."""

    size: int
    days: np.ndarray  # days since START, increasing
    event: np.ndarray
    rank: np.ndarray  # 0: the article that opened the story
    event_sizes: np.ndarray
    event_first: np.ndarray  # day of each event's first and last article
    event_last: np.ndarray
    base: np.ndarray  # (events, 2): real pool articles A and B of each event
    thread_of: np.ndarray  # event -> thread number, or -1


def make_plan(size: int, pool: Pool, seed: int = SEED) -> Plan:
    rng = np.random.default_rng([seed, size])
    ks = np.arange(STORY_SIZES[0], STORY_SIZES[1] + 1)
    weights = ks.astype(float) ** -STORY_SIZE_EXPONENT
    sizes = rng.choice(ks, size=size, p=weights / weights.sum())  # more events than needed
    sizes = sizes[: int(np.searchsorted(np.cumsum(sizes), size)) + 1]
    sizes[-1] -= int(sizes.sum()) - size
    events = len(sizes)
    event = np.repeat(np.arange(events), sizes)
    rank = np.arange(size) - np.repeat(np.r_[0, np.cumsum(sizes)[:-1]], sizes)
    first = rng.uniform(0.0, SPAN_DAYS, size=events)
    later = rng.exponential(MEMBER_SPREAD_HOURS / 24, size=size) * (rank > 0)
    days = np.minimum(first[event] + later, SPAN_DAYS)
    order = np.lexsort((rank, days))  # an event's first article stays first, even where days tie
    days, event, rank = days[order], event[order], rank[order]
    last = np.zeros(events)
    np.maximum.at(last, event, days)
    n_pool = len(pool.articles)
    a = rng.integers(n_pool, size=events)
    topics = [pool.articles[i].topic for i in range(n_pool)]
    b = np.array(
        [pool.by_topic[topics[i]][int(rng.integers(len(pool.by_topic[topics[i]])))] for i in a.tolist()]
    )
    # Threads: consecutive stories on the same real article, runs of 2-6 for a quarter of the stories.
    thread_of = np.full(events, -1)
    by_base: dict[int, list[int]] = defaultdict(list)
    for e in np.argsort(first, kind="stable").tolist():
        by_base[int(a[e])].append(e)
    threads = 0
    for members in by_base.values():
        index = 0
        while index < len(members):
            length = int(rng.integers(2, 7))
            # A run starts with p = s / (4 - 3 s): runs average 4 stories, so a share s of
            # stories is threaded.
            if rng.random() < THREAD_SHARE / (4 - 3 * THREAD_SHARE) and index + 1 < len(members):
                thread_of[members[index : index + length]] = threads
                threads += 1
                index += length
            else:
                index += 1
    return Plan(size, days, event, rank, sizes, first, last, np.stack([a, b], axis=1), thread_of)


def sample_events(plan: Plan, count: int, seed: int = SEED) -> list[int]:
    """COUNT stories drawn without replacement with probability proportional to their size."""
    rng = np.random.default_rng([seed, plan.size, 1])
    p = plan.event_sizes / plan.event_sizes.sum()
    return sorted(rng.choice(len(plan.event_sizes), size=min(count, len(p)), replace=False, p=p).tolist())


@dataclass(frozen=True, slots=True)
class Made:
    """One synthetic article with what the store and the bench need of it."""

    article: Article
    selection: tuple[tuple[int, int], ...]  # (pool article, paragraph)
    text_hash: str


class Maker:
    """Synthetic articles, each a deterministic function of (event, rank): reruns build the same store."""

    def __init__(self, pool: Pool, base: np.ndarray, seed: int = SEED) -> None:
        from dateline.dedupe import canonical_url, text_hash
        from dateline.extract.article import article_id

        self.pool = pool
        self.base = base
        self.seed = seed
        self.outlets = outlet_names()
        weights = [1.0 / (i + 3) for i in range(len(self.outlets))]
        total = sum(weights)
        self.cum_outlets = list(np.cumsum(weights) / total)
        self._canonical_url = canonical_url
        self._text_hash = text_hash
        self._article_id = article_id
        self._first: dict[int, Made] = {}  # open events' first articles (copies and story ids need them)

    def selection(self, rng: random.Random, event: int) -> tuple[tuple[int, int], ...]:
        a, b = (int(x) for x in self.base[event])
        paragraphs = self.pool.articles[a].paragraphs
        target = int(min(max(rng.lognormvariate(math.log(3500), 0.35), TEXT_CHARS[0]), TEXT_CHARS[1]))
        start = rng.randrange(max(1, len(paragraphs) - 4))
        chosen, length = [], 0
        for p in range(start, len(paragraphs)):
            chosen.append((a, p))
            length += len(paragraphs[p].text) + 2
            if length >= target:
                break
        for p in range(start - 1, -1, -1):  # the run reached the article's end: extend it backwards
            if length >= target:
                break
            chosen.insert(0, (a, p))
            length += len(paragraphs[p].text) + 2
        if b != a and rng.random() < MIX_SHARE:
            other = self.pool.articles[b].paragraphs
            at = rng.randrange(len(other))
            insert = [(b, p) for p in range(at, min(len(other), at + rng.randint(1, 3)))]
            where = rng.randint(1, max(1, len(chosen)))
            chosen[where:where] = insert
        return tuple(chosen)

    def make(self, event: int, rank: int, day: float, *, host_tag: str = "") -> Made:
        rng = random.Random(f"{self.seed}:{event}:{rank}")
        outlet = self.outlets[min(bisect_right(self.cum_outlets, rng.random()), len(self.outlets) - 1)]
        first = self._first.get(event)
        copy_of = first if rank > 0 and first is not None and rng.random() < DUPLICATE_SHARE else None
        selection = copy_of.selection if copy_of else self.selection(rng, event)
        paragraphs = tuple(self.pool.articles[i].paragraphs[p].text for i, p in selection)
        a = int(self.base[event][0])
        if rank == 0 and self.pool.articles[a].title:
            title = self.pool.articles[a].title
        elif copy_of is not None:
            title = copy_of.article.title
        else:
            title = headline(paragraphs)
        language = "en" if rng.random() < 0.9 else rng.choice(LANGUAGE_LABELS)
        published = (START + timedelta(days=day)).replace(tzinfo=UTC)
        ingested = published + timedelta(minutes=rng.uniform(2, 240))
        slug = outlet.lower().replace("the ", "").replace(" ", "")
        url = f"https://www.{slug}{host_tag}.example/{published:%Y/%m/%d}/story-{event:x}-{rank}"
        identity = f"url:{self._canonical_url(url)}"
        text = "\n\n".join(paragraphs)
        article = Article(
            id=self._article_id(identity),
            source=url,
            url=url,
            outlet=outlet,
            via=None,
            title=title,
            authors=(),
            section=None,
            standfirst=None,
            published_at=published,
            published_precision=DatePrecision.DATETIME,
            published_origin=DateOrigin.FEED,
            language=language,
            paragraphs=paragraphs,
            captions=(),
            source_format=SourceFormat.HTML,
            ingested_at=ingested,
            identity=identity,
            duplicate_of=copy_of.article.id if copy_of else None,
            duplicate_similarity=1.0 if copy_of else None,
            extractor="bench.web_latency",
        )
        made = Made(article, selection, self._text_hash(text))
        if rank == 0:
            self._first[event] = made
        return made

    def first_of(self, event: int) -> Made:
        return self._first[event]

    def forget(self, event: int) -> None:
        self._first.pop(event, None)

    # ------------------------------------------------------------ facts of a made article

    def mention_rows(self, made: Made) -> list[tuple]:
        rows: list[tuple] = []
        offset = sentence_base = 0
        article_id = made.article.id
        for i, p in made.selection:
            paragraph = self.pool.articles[i].paragraphs[p]
            for start, end, text, kind, key, sentence, form in paragraph.mention_rows:
                rows.append(
                    (
                        article_id,
                        len(rows),
                        key,
                        start + offset,
                        end + offset,
                        text,
                        kind,
                        sentence + sentence_base,
                        form,
                    )
                )
            offset += len(paragraph.text) + 2
            sentence_base += len(paragraph.sentences)
        return rows

    def enrichment(self, made: Made) -> Enrichment:
        """The real stage's facts of the article's paragraphs, renumbered for the synthetic text."""
        from dateline.enrich.article import ENRICH_VERSION

        sentences: list[Sentence] = []
        mentions: list[EntityMention] = []
        quotes: list[Quote] = []
        figures: list[Figure] = []
        dates: list[TemporalExpression] = []
        events: list[DatedEvent] = []
        offset = 0
        model = None
        for new_p, (i, p) in enumerate(made.selection):
            source = self.pool.articles[i]
            model = model or source.model
            paragraph = source.paragraphs[p]
            base_sentence, base_figure = len(sentences), len(figures)
            sentences += [
                replace(
                    s,
                    index=s.index + base_sentence,
                    start=s.start + offset,
                    end=s.end + offset,
                    paragraph=new_p,
                )
                for s in paragraph.sentences
            ]
            mentions += [
                replace(m, start=m.start + offset, end=m.end + offset, sentence=m.sentence + base_sentence)
                for m in paragraph.mentions
            ]
            quotes += [
                replace(q, start=q.start + offset, end=q.end + offset, sentence=q.sentence + base_sentence)
                for q in paragraph.quotes
            ]
            figures += [
                replace(f, start=f.start + offset, end=f.end + offset, sentence=f.sentence + base_sentence)
                for f in paragraph.figures
            ]
            dates += [
                replace(d, start=d.start + offset, end=d.end + offset, sentence=d.sentence + base_sentence)
                for d in paragraph.dates
            ]
            events += [
                replace(
                    e, sentence=e.sentence + base_sentence, figures=tuple(f + base_figure for f in e.figures)
                )
                for e in paragraph.events
            ]
            offset += len(paragraph.text) + 2
        counts = Counter(m.entity for m in mentions)
        keys = list(counts) + [
            q.speaker_entity for q in quotes if q.speaker_entity and q.speaker_entity not in counts
        ]
        entities = tuple(
            replace(self.pool.entities[k], mention_count=counts.get(k, 0))
            for k in keys
            if k in self.pool.entities
        )
        return Enrichment(
            article_id=made.article.id,
            version=ENRICH_VERSION,
            language="en",
            model=model,
            sentences=tuple(sentences),
            entities=entities,
            mentions=tuple(mentions),
            quotes=tuple(quotes),
            figures=tuple(figures),
            dates=tuple(dates),
            events=tuple(events),
        )


def bisect_right(values: Sequence[float], x: float) -> int:
    lo, hi = 0, len(values)
    while lo < hi:
        mid = (lo + hi) // 2
        if x < values[mid]:
            hi = mid
        else:
            lo = mid + 1
    return lo


# ---------------------------------------------------------------- bench-only SQL


class _BulkSql:
    """The only SQL of this benchmark: bulk loading and cleanup, never on the app's path."""

    def __init__(self, store: Any) -> None:
        self.db = store._db  # the store's own connection, so its write lock and transactions apply

    def tune_for_build(self) -> None:
        self.db.execute("PRAGMA cache_size = -1000000")  # 1 GB of page cache while building

    def insert_mentions(self, rows: Sequence[tuple]) -> None:
        self.db.executemany(
            "INSERT INTO mentions(article_id, position, entity_key, start, end, text, type, sentence, form)"
            " VALUES (?,?,?,?,?,?,?,?,?)",
            rows,
        )

    def recount_mentions(self) -> None:
        self.db.execute(
            "UPDATE entities SET mention_count = (SELECT COUNT(*) FROM mentions m WHERE m.entity_key = entities.key)"
        )

    def max_article_rowid(self) -> int:
        return int(self.db.execute("SELECT COALESCE(MAX(rowid), 0) FROM articles").fetchone()[0])

    def delete_articles_after(self, rowid: int) -> int:
        """Remove what a load run ingested (FTS rows, signatures and bands go by trigger and cascade)."""
        shas = [
            r[0]
            for r in self.db.execute(
                "SELECT raw_sha256 FROM articles WHERE rowid > ? AND raw_sha256 IS NOT NULL", (rowid,)
            )
        ]
        self.db.execute("BEGIN IMMEDIATE")
        removed = self.db.execute("DELETE FROM articles WHERE rowid > ?", (rowid,)).rowcount
        self.db.executemany(
            "DELETE FROM raw_documents WHERE sha256 = ? AND NOT EXISTS (SELECT 1 FROM articles WHERE raw_sha256 = ?)",
            [(s, s) for s in shas],
        )
        self.db.execute("COMMIT")
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return removed


# ---------------------------------------------------------------- building a store


def store_path(size: int) -> Path:
    return CACHE_DIR / f"web-{size}.db"


def meta_path(size: int) -> Path:
    return CACHE_DIR / f"web-{size}.json"


def build_store(size: int, pool: Pool, args: argparse.Namespace) -> dict[str, Any]:
    """Build web-SIZE.db (articles, features, stories, threads, entities, mentions) and return its sidecar."""
    from dateline.cluster.features import FEATURES_VERSION
    from dateline.cluster.online import CLUSTER_VERSION, story_id_for
    from dateline.dedupe import canonical_url
    from dateline.enrich.entities import entity_match_keys
    from dateline.store.sqlite import SqliteStore

    path = store_path(size)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    started = time.perf_counter()
    plan = make_plan(size, pool)
    sample = set(sample_events(plan, args.sample_stories))
    maker = Maker(pool, plan.base)
    mention_rng = random.Random(f"{SEED}:{size}:mentions")
    titles: dict[int, str] = {}
    story_of_event: dict[int, str] = {}
    sample_ids: list[str] = []
    thread_events: dict[int, list[int]] = defaultdict(list)
    for e in np.flatnonzero(plan.thread_of >= 0).tolist():
        thread_events[int(plan.thread_of[e])].append(e)
    remaining = plan.event_sizes.copy()
    counts = Counter[str]()
    _say(
        f"[{size:,}] plan: {len(plan.event_sizes):,} stories, {len(thread_events):,} threads; building {path.name}"
    )
    with SqliteStore.open(path) as store:
        bulk = _BulkSql(store)
        bulk.tune_for_build()
        with store.atomic():
            for entity in pool.entities.values():
                store.save_entity(entity, entity_match_keys(entity))
        rate_started = time.perf_counter()
        for chunk_start in range(0, size, BUILD_BATCH):
            chunk = range(chunk_start, min(size, chunk_start + BUILD_BATCH))
            made_list: list[Made] = []
            assignments: list[StoryAssignment] = []
            stories: list[Story] = []
            features: list[StoryFeatures] = []
            mentions: list[tuple] = []
            enrichments: list[tuple[Enrichment, str]] = []
            for index in chunk:
                event, rank, day = int(plan.event[index]), int(plan.rank[index]), float(plan.days[index])
                made = maker.make(event, rank, day)
                made_list.append(made)
                first = maker.first_of(event)
                story_id = story_id_for(first.article.id)
                article = made.article
                if rank == 0:
                    story_of_event[event] = story_id
                    if plan.thread_of[event] >= 0:
                        titles[event] = article.title or ""
                    stories.append(
                        Story(
                            id=story_id, title=article.title or "", article_ids=(), outlets=(), languages=(),
                            first_seen=START + timedelta(days=float(plan.event_first[event])),
                            last_seen=START + timedelta(days=float(plan.event_last[event])),
                            thread_id=None, algorithm=CLUSTER_VERSION,
                        )
                    )  # fmt: skip
                    if event in sample:
                        sample_ids.append(story_id)
                assignments.append(StoryAssignment(article.id, story_id, None if rank == 0 else 0.9, index))
                rows = maker.mention_rows(made)
                entity_weights = Counter(row[2] for row in rows)
                features.append(
                    StoryFeatures(
                        article_id=article.id,
                        seen_at=START + timedelta(days=day),
                        dated=True,
                        language=article.language,
                        title=article.title or "",
                        outlet=article.outlet,
                        duplicate_of=article.duplicate_of,
                        vector=None,
                        terms=(),
                        entities=tuple(
                            (k, round(w / len(rows), 4)) for k, w in entity_weights.most_common(10)
                        ),
                        version=FEATURES_VERSION,
                    )
                )
                if event in sample:
                    enrichments.append((maker.enrichment(made), made.text_hash))
                elif mention_rng.random() < args.mention_share:
                    mentions.extend(rows)
                remaining[event] -= 1
                if remaining[event] == 0:
                    maker.forget(event)
            with store.atomic():
                for made in made_list:
                    store.upsert_article(
                        made.article, text_hash=made.text_hash, canonical_url=canonical_url(made.article.url)
                    )
                store.save_story_features(features)
                store.save_story_batch(assignments, stories)
                bulk.insert_mentions(mentions)
            # Full enrichments through the store's method, as ingestion writes them (their own transactions).
            for enrichment, text_hash in enrichments:
                store.save_enrichment(enrichment, text_hash=text_hash)
            counts.update(articles=len(made_list), mentions=len(mentions), enriched=len(enrichments))
            done = chunk.stop
            if done in (BUILD_BATCH, size) or done % (BUILD_BATCH * 10) == 0:
                elapsed = time.perf_counter() - rate_started
                _say(
                    f"[{size:,}] {done:,} articles in {elapsed:.0f} s ({done / elapsed:.0f}/s; "
                    f"{counts['mentions']:,} mentions, {counts['enriched']:,} enriched)"
                )
        threads = []
        for events in thread_events.values():
            events.sort(key=lambda e: plan.event_first[e])
            story_ids = tuple(story_of_event[e] for e in events)
            threads.append(
                Thread(
                    id="t-" + story_ids[0],
                    title=titles.get(events[0], ""),
                    story_ids=story_ids,
                    first_seen=START + timedelta(days=float(plan.event_first[events[0]])),
                    last_seen=START + timedelta(days=float(max(plan.event_last[e] for e in events))),
                    algorithm=CLUSTER_VERSION,
                )
            )
        store.save_threads(threads)
        with store.atomic():
            bulk.recount_mentions()
        load_s = time.perf_counter() - started
        _say(f"[{size:,}] loaded in {load_s:.0f} s; warming {len(sample_ids)} syntheses")
        warm_started = time.perf_counter()
        from dateline.pipeline import synthesize_stories

        report = synthesize_stories(store, sample_ids)
        warm_s = time.perf_counter() - warm_started
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        enrichment_counts = store.enrichment_counts()
        story_counts = store.story_counts()
    queries = search_queries(pool, args.queries)
    meta = {
        "version": STORE_VERSION,
        "size": size,
        "built": date.today().isoformat(),
        "load_s": round(load_s, 1),
        "warm_s": round(warm_s, 1),
        "synthesized": report.built,
        "synthesis_failed": report.failed,
        "sample_story_ids": sample_ids,
        "sample_sizes": [int(plan.event_sizes[e]) for e in sorted(sample)],
        "queries": queries,
        "db_bytes": path.stat().st_size,
        "stories": story_counts["stories"],
        "threads": story_counts["threads"],
        "mentions": enrichment_counts["mentions"],
        "entities": enrichment_counts["entities"],
        "enriched_articles": enrichment_counts["enrichments"],
        "last_day": (START + timedelta(days=float(plan.days[-1]))).date().isoformat(),
    }
    meta_path(size).write_text(json.dumps(meta, indent=1))
    _say(f"[{size:,}] built in {load_s + warm_s:.0f} s ({path.stat().st_size / 2**30:.1f} GiB)")
    return meta


def search_queries(pool: Pool, count: int, seed: int = SEED) -> list[dict[str, str]]:
    """COUNT searches of 1-3 headline words: common words (in 3 % or more of the real articles), rare
    ones (in at most 5), and pairs and triples from one headline; kind says which."""
    document_frequency = Counter[str]()
    for item in pool.articles:
        document_frequency.update({w.lower() for p in item.paragraphs for w in _WORD.findall(p.text)})
    n = len(pool.articles)

    def words(text: str) -> list[str]:
        return [w for w in dict.fromkeys(_WORD.findall(text)) if w.lower() not in STOPWORDS]

    per_headline = [words(h) for h in pool.headlines]
    common = sorted({w for ws in per_headline for w in ws if document_frequency[w.lower()] >= 0.03 * n})
    rare = sorted({w for ws in per_headline for w in ws if 1 <= document_frequency[w.lower()] <= 5})
    rng = random.Random(f"{seed}:queries")
    queries: list[dict[str, str]] = []
    while len(queries) < count:
        roll = rng.random()
        if roll < 0.4:
            queries.append({"q": rng.choice(common), "kind": "1 common word"})
        elif roll < 0.6:
            queries.append({"q": rng.choice(rare), "kind": "1 rare word"})
        else:
            ws = rng.choice(per_headline)
            k = 2 if roll < 0.85 else 3
            if len(ws) >= k:
                start = rng.randrange(len(ws) - k + 1)
                queries.append({"q": " ".join(ws[start : start + k]), "kind": f"{k} headline words"})
    return queries


def ensure_store(size: int, pool: Pool, args: argparse.Namespace) -> dict[str, Any]:
    path, meta_file = store_path(size), meta_path(size)
    if not args.rebuild and path.exists() and meta_file.exists():
        meta = json.loads(meta_file.read_text())
        if meta.get("version") == STORE_VERSION:
            _say(
                f"[{size:,}] reusing {path.name} ({path.stat().st_size / 2**30:.1f} GiB, built {meta['built']})"
            )
            return meta
    return build_store(size, pool, args)


# ---------------------------------------------------------------- load generation


WRK_SCRIPT = r"""
local paths = {}
local counter = 0
local made = 0
function setup(thread)
  made = made + 1
  thread:set("offset", made * 7919)
end
function init(args)
  for line in io.lines(args[1]) do paths[#paths + 1] = line end
  counter = (offset or 0) % #paths
end
function request()
  counter = counter % #paths + 1
  return wrk.format("GET", paths[counter])
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_RESULT {"requests":%d,"duration_us":%d,"p50":%d,"p95":%d,"p99":%d,"max":%d,"mean":%.1f,'
    .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
    latency:percentile(99), latency.max, latency.mean, e.connect, e.read, e.write, e.status, e.timeout))
end
"""


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    client: str
    ingested: int | None = None
    ingest_seconds: float | None = None
    error_detail: str = ""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_wrk(
    base: str, paths: Sequence[str], duration: float, connections: int, workdir: Path, cpus: set[int] | None
) -> LoadResult:
    urls = workdir / "paths.txt"
    urls.write_text("\n".join(paths) + "\n")
    script = workdir / "rotate.lua"
    script.write_text(WRK_SCRIPT)
    command = [
        "wrk", "-t2", f"-c{connections}", f"-d{int(duration)}s", f"--timeout={WRK_TIMEOUT_S}s",
        "-s", str(script), base, "--", str(urls),
    ]  # fmt: skip
    done = subprocess.run(command, capture_output=True, text=True, check=True, preexec_fn=pinned(cpus))
    line = next(x for x in done.stdout.splitlines() if x.startswith("WRK_RESULT "))
    data = json.loads(line.split(" ", 1)[1])
    errors = data["connect"] + data["read"] + data["write"] + data["status"] + data["timeout"]
    detail = ", ".join(f"{k} {data[k]}" for k in ("connect", "read", "write", "status", "timeout") if data[k])
    return LoadResult(
        requests=data["requests"],
        errors=errors,
        seconds=data["duration_us"] / 1e6,
        p50_ms=data["p50"] / 1000,
        p95_ms=data["p95"] / 1000,
        p99_ms=data["p99"] / 1000,
        client="wrk",
        error_detail=detail,
    )


def run_python_client(
    base: str,
    paths: Sequence[str],
    duration: float,
    connections: int,
    rate: float,
    workdir: Path,
    cpus: set[int] | None,
) -> LoadResult:
    """The asyncio client in its own process: closed loop (RATE 0) or an open-loop Poisson stream."""
    urls = workdir / "paths.txt"
    urls.write_text("\n".join(paths) + "\n")
    out = workdir / "client.json"
    command = [
        sys.executable, "-m", "bench.web_latency", "--client-child", str(urls), "--base", base,
        "--duration", str(duration), "--connections", str(connections), "--rate", str(rate), "--out", str(out),
    ]  # fmt: skip
    subprocess.run(command, check=True, preexec_fn=pinned(cpus))
    data = json.loads(out.read_text())
    latencies = np.asarray(data["latencies_ms"]) if data["latencies_ms"] else np.zeros(1)
    return LoadResult(
        requests=data["requests"],
        errors=data["errors"],
        seconds=data["seconds"],
        p50_ms=float(np.percentile(latencies, 50)),
        p95_ms=float(np.percentile(latencies, 95)),
        p99_ms=float(np.percentile(latencies, 99)),
        client="python",
        error_detail=", ".join(f"{k} {v}" for k, v in data["error_kinds"].items()),
    )


def client_child(args: argparse.Namespace) -> None:
    import httpx

    paths = [line for line in Path(args.client_child).read_text().splitlines() if line]
    latencies: list[float] = []
    error_kinds: Counter[str] = Counter()
    counter = {"requests": 0}

    async def one(client: httpx.AsyncClient, path: str, scheduled: float) -> None:
        try:
            response = await client.get(path)
            await response.aread()
            if response.status_code >= 400:
                error_kinds[f"status {response.status_code}"] += 1
        except httpx.HTTPError as exc:
            error_kinds[type(exc).__name__] += 1
        latencies.append((time.perf_counter() - scheduled) * 1000)
        counter["requests"] += 1

    async def main() -> float:
        limits = httpx.Limits(max_connections=args.connections, max_keepalive_connections=args.connections)
        timeout = httpx.Timeout(WRK_TIMEOUT_S, pool=WRK_TIMEOUT_S)
        async with httpx.AsyncClient(base_url=args.base, limits=limits, timeout=timeout) as client:
            started = time.perf_counter()
            deadline = started + args.duration
            if args.rate <= 0:

                async def worker(offset: int) -> None:
                    position = offset
                    while time.perf_counter() < deadline:
                        position = (position + 1) % len(paths)
                        await one(client, paths[position], time.perf_counter())

                await asyncio.gather(*(worker(i * 7919) for i in range(args.connections)))
            else:
                rng = random.Random(SEED)
                pending: set[asyncio.Task[None]] = set()
                scheduled = started
                position = 0
                while True:
                    scheduled += rng.expovariate(args.rate)
                    if scheduled >= deadline:
                        break
                    delay = scheduled - time.perf_counter()
                    if delay > 0:
                        await asyncio.sleep(delay)
                    position = (position + 1) % len(paths)
                    task = asyncio.create_task(one(client, paths[position], scheduled))
                    pending.add(task)
                    task.add_done_callback(pending.discard)
                if pending:
                    await asyncio.wait(pending, timeout=WRK_TIMEOUT_S + 5)
            return time.perf_counter() - started

    seconds = asyncio.run(main())
    Path(args.out).write_text(
        json.dumps(
            {
                "requests": counter["requests"],
                "errors": sum(error_kinds.values()),
                "error_kinds": dict(error_kinds),
                "seconds": seconds,
                "latencies_ms": latencies,
            }
        )
    )


# ---------------------------------------------------------------- the server and the ingester


def pinned(cpus: set[int] | None) -> Callable[[], None] | None:
    """A preexec_fn that keeps a child process on CPUS (None: anywhere)."""
    if not cpus:
        return None
    return lambda: os.sched_setaffinity(0, cpus)


def cpu_plan(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(server CPUs, load generator and ingester CPUs): with PIN on a machine of 2 or more cores the server
    has core 0 to itself and the other two processes share the rest, so ingestion and the client never take
    the server's CPU and runs compare; without PIN the scheduler shares every core between all three."""
    cores = sorted(os.sched_getaffinity(0))
    if not pin or len(cores) < 2:
        return None, None
    return {cores[0]}, set(cores[1:])


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(db: Path, cpus: set[int] | None = None) -> Iterator[str]:
    """`dateline serve --no-refresh` on DB in its own process; yields its base URL."""
    port = free_port()
    executable = Path(sys.executable).parent / "dateline"
    command = [str(executable), "serve", "--db", str(db), "--port", str(port), "--no-refresh"]
    process = subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, preexec_fn=pinned(cpus)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                raise SystemExit(f"dateline serve exited: {process.stderr.read() if process.stderr else ''}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=1):
                break
            if time.monotonic() > deadline:
                raise SystemExit("dateline serve did not start in 120 s")
            time.sleep(0.2)
        yield base
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextlib.contextmanager
def ingesting(
    db: Path, size: int, enabled: bool, workdir: Path, cpus: set[int] | None = None
) -> Iterator[Callable[[], tuple[int, float]]]:
    """A third process ingesting new articles into DB; yields a function that stops it and returns
    (articles added, seconds) since it said it was ready."""
    if not enabled:
        yield lambda: (0, 0.0)
        return
    stop, out, ready = workdir / "ingest.stop", workdir / "ingest.json", workdir / "ingest.ready"
    for path in (stop, out, ready):
        path.unlink(missing_ok=True)
    command = [
        sys.executable, "-m", "bench.web_latency", "--ingest-child", str(db), "--size", str(size),
        "--stop-file", str(stop), "--ready-file", str(ready), "--out", str(out), "--workdir", str(workdir),
    ]  # fmt: skip
    process = subprocess.Popen(command, preexec_fn=pinned(cpus))
    deadline = time.monotonic() + 300
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            raise SystemExit("the ingesting process did not start")
        time.sleep(0.2)
    result: dict[str, Any] = {}

    def finish() -> tuple[int, float]:
        if not result:
            stop.touch()
            process.wait(timeout=600)
            result.update(json.loads(out.read_text()))
        return int(result["added"]), float(result["seconds"])

    try:
        yield finish
    finally:
        if process.poll() is None:
            stop.touch()
            try:
                process.wait(timeout=600)
            except subprocess.TimeoutExpired:
                process.kill()


def ingest_child(args: argparse.Namespace) -> None:
    """Ingest batches of new resampled articles (JSONL) until the stop file appears."""
    from dateline.pipeline import ingest_inputs
    from dateline.settings import Settings
    from dateline.store.sqlite import SqliteStore

    pool = load_pool()
    meta = json.loads(meta_path(args.size).read_text())
    last_day = (datetime.fromisoformat(meta["last_day"]) - START).days + 1
    rng = np.random.default_rng()
    nonce = f"-run{int(time.time())}"
    base = rng.integers(len(pool.articles), size=(100_000, 2))
    maker = Maker(pool, base, seed=int(time.time()))
    settings = Settings(db_path=Path(args.ingest_child), enrich=False, stories=False, workers=1)
    workdir = Path(args.workdir)
    added = batches = 0
    event = 0
    started = None
    with SqliteStore.open(settings.db_path) as store:
        while not Path(args.stop_file).exists():
            path = workdir / "ingest-batch.jsonl"
            with path.open("w") as handle:
                for _ in range(INGEST_BATCH):
                    made = maker.make(event, 1, last_day + rng.uniform(0, 1), host_tag=nonce)
                    maker.forget(event)
                    event += 1
                    article = made.article
                    published = article.published_at
                    assert published is not None  # the maker dates every article
                    # A dateline of its own keeps each new text apart from the stored ones it was resampled
                    # from: an exact copy would fold an old story's article and drop that story's synthesis.
                    dateline = f"{article.outlet}, {published:%d %B %Y %H:%M} (report {event}{nonce})"
                    record = {
                        "url": article.url, "title": article.title, "outlet": article.outlet,
                        "language": article.language, "published_at": published.isoformat(),
                        "paragraphs": [dateline, *article.paragraphs],
                    }  # fmt: skip
                    handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            report = ingest_inputs(store, [str(path)], settings)
            if started is None:  # the first batch warms imports and caches: count from the second
                started = time.perf_counter()
                Path(args.ready_file).touch()
                continue
            added += report.added
            batches += 1
    seconds = time.perf_counter() - (started or time.perf_counter())
    Path(args.out).write_text(json.dumps({"added": added, "seconds": seconds, "batches": batches}))


# ---------------------------------------------------------------- scenarios


def scenario_paths(name: str, meta: dict[str, Any]) -> list[str]:
    if name == "story":
        paths = []
        for story_id in meta["sample_story_ids"]:
            paths += [f"/story/{quote(story_id, safe='')}", f"/api/stories/{quote(story_id, safe='')}"]
        return paths
    if name == "search":
        paths = []
        for item in meta["queries"]:
            query = urlencode({"q": item["q"]})
            paths += [f"/search?{query}", f"/api/search?{query}"]
        return paths
    if name == "front":
        return ["/", "/api/front"]
    raise ValueError(name)


def run_scenario(
    base: str,
    paths: Sequence[str],
    mode: str,
    args: argparse.Namespace,
    rate: float,
    workdir: Path,
    cpus: set[int] | None,
) -> LoadResult:
    use_wrk = args.client == "wrk" or (args.client == "auto" and shutil.which("wrk"))
    if mode == "saturation" and use_wrk:
        return run_wrk(base, paths, args.duration, args.connections, workdir, cpus)
    paced_rate = rate if mode == "paced" else 0.0
    return run_python_client(base, paths, args.duration, args.connections, paced_rate, workdir, cpus)


def run_size(size: int, meta: dict[str, Any], args: argparse.Namespace) -> list[dict[str, Any]]:
    from dateline.store.sqlite import SqliteStore

    db = store_path(size)
    rows: list[dict[str, Any]] = []
    with SqliteStore.open(db) as store:
        bulk = _BulkSql(store)
        baseline_rowid = bulk.max_article_rowid()
        stored = store.count_articles()
        warmed_before = len(store.cached_syntheses(meta["sample_story_ids"]))
    _say(
        f"[{size:,}] {stored:,} articles stored, {warmed_before} of {len(meta['sample_story_ids'])} stories warm"
    )
    server_cpus, other_cpus = cpu_plan(args.pin)
    with tempfile.TemporaryDirectory(prefix="web-latency-") as tmp:
        workdir = Path(tmp)
        with served(db, server_cpus) as base:
            for scenario in args.scenarios.split(","):
                paths = scenario_paths(scenario, meta)
                _warm_up(base, paths)
                saturation_rate = 0.0
                for mode in ("saturation", "paced"):
                    if mode == "paced" and not args.paced_share:
                        continue
                    rate = saturation_rate * args.paced_share
                    with ingesting(db, size, not args.no_ingest, workdir, other_cpus) as stop_ingest:
                        result = run_scenario(base, paths, mode, args, rate, workdir, other_cpus)
                        result.ingested, result.ingest_seconds = stop_ingest()
                    if mode == "saturation":
                        saturation_rate = result.rate
                    label = mode if mode == "saturation" else f"paced {rate:.0f}/s"
                    row = {
                        "size": size,
                        "stored": stored,
                        "scenario": scenario,
                        "mode": label,
                        **vars(result),
                    }
                    row["rate"] = result.rate
                    row["loadavg"] = os.getloadavg()[0]  # the machine is shared: how busy it was
                    rows.append(row)
                    _say(
                        f"[{size:,}] {scenario:6} {label:14} {result.requests:6} req  p50 {result.p50_ms:7.1f}"
                        f"  p95 {result.p95_ms:7.1f}  p99 {result.p99_ms:7.1f} ms  errors {result.errors}"
                        f" {result.error_detail} {result.rate:6.1f}/s  ingested {result.ingested}"
                    )
    with SqliteStore.open(db) as store:
        warmed_after = len(store.cached_syntheses(meta["sample_story_ids"]))
        removed = _BulkSql(store).delete_articles_after(baseline_rowid)
    _say(f"[{size:,}] {warmed_after} stories still warm; removed the {removed:,} articles ingested meanwhile")
    for row in rows:
        row["warm_after"] = warmed_after
    return rows


def _warm_up(base: str, paths: Sequence[str]) -> None:
    """One pass over a few URLs so the server's imports, templates and page cache are warm."""
    import httpx

    with httpx.Client(base_url=base, timeout=60) as client:
        for path in paths[:: max(1, len(paths) // 40)]:
            client.get(path)


# ---------------------------------------------------------------- where the time goes


def store_methods() -> list[str]:
    """Every public method of SqliteStore that reads or writes data (whatever the app calls today)."""
    from dateline.store.sqlite import SqliteStore

    lifecycle = {"open", "close", "atomic", "schema_version"}
    return sorted(
        name
        for name in dir(SqliteStore)
        if not name.startswith("_") and name not in lifecycle and callable(getattr(SqliteStore, name, None))
    )


def profile_size(size: int, meta: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Serve each scenario's URLs in-process, one at a time, timing the view, the template and every store
    method (inclusive: a method called by another counts in both), with cProfile inside the worker thread
    around the view and the template; then the prototype rewrites."""
    import jinja2
    from fastapi.testclient import TestClient

    from dateline.settings import Settings
    from dateline.store.sqlite import SqliteStore
    from dateline.web import views
    from dateline.web.app import ReaderConfig, create_app

    spent: dict[str, float] = defaultdict(float)
    calls: Counter[str] = Counter()
    box = {"profiler": cProfile.Profile()}
    patched: list[tuple[Any, str, Any]] = []

    def patch(owner: Any, name: str, label: str, *, profile: bool = False) -> None:
        method = getattr(owner, name)

        @functools.wraps(method)
        def wrapper(*a: Any, **k: Any) -> Any:
            began = time.perf_counter()
            if profile:  # cProfile follows only the thread that enables it: the server's worker thread
                box["profiler"].enable()
            try:
                return method(*a, **k)
            finally:
                if profile:
                    box["profiler"].disable()
                spent[label] += time.perf_counter() - began
                calls[label] += 1

        patched.append((owner, name, method))
        setattr(owner, name, wrapper)

    tables: dict[str, Any] = {}
    app = create_app(ReaderConfig(settings=Settings(db_path=store_path(size)), scheduler=False))
    try:
        for name in store_methods():
            patch(SqliteStore, name, name)
        for name in ("story_page", "search_page", "front_page"):
            patch(views, name, f"views.{name} (the page's dict)", profile=True)
        patch(jinja2.environment.Template, "render", "Jinja render (HTML pages)", profile=True)
        with TestClient(app, base_url="http://127.0.0.1") as client:
            for scenario in args.scenarios.split(","):
                paths = scenario_paths(scenario, meta)[: args.profile_requests]
                for path in paths[:10]:
                    client.get(path)
                spent.clear()
                calls.clear()
                box["profiler"] = cProfile.Profile()
                totals = []
                for path in paths:
                    began = time.perf_counter()
                    client.get(path)
                    totals.append((time.perf_counter() - began) * 1000)
                n, mean_ms = len(paths), statistics.mean(totals)
                rows = [
                    [name, f"{calls[name] / n:.1f}", f"{spent[name] * 1000 / n:.2f}",
                     f"{100 * spent[name] * 1000 / n / mean_ms:.0f} %"]
                    for name in sorted(spent, key=lambda x: (not x.startswith(("views", "Jinja")), -spent[x]))
                    if spent[name] * 1000 / n >= 0.05
                ]  # fmt: skip
                rows.append(["whole request (TestClient, one at a time)", "", f"{mean_ms:.2f}", "100 %"])
                tables[scenario] = {
                    "table": markdown_table(["part", "calls/request", "ms/request", "share"], rows),
                    "mean_ms": mean_ms,
                    "p95_ms": float(np.percentile(totals, 95)),
                }
                stream = io.StringIO()
                stats = pstats.Stats(box["profiler"], stream=stream)
                stats.sort_stats("tottime").print_stats(25)
                stats.sort_stats("cumulative").print_stats(40)
                tables[scenario]["profile"] = stream.getvalue()
    finally:
        for owner, name, method in reversed(patched):
            setattr(owner, name, method)
    tables["prototypes"] = prototype_rewrites(size, meta, args)
    return tables


def prototype_rewrites(size: int, meta: dict[str, Any], args: argparse.Namespace) -> str:
    """Bench-only SQL: the shipped search and facet queries against rewrites, on the same inputs."""
    import sqlite3

    from dateline.store.reader import MATCH_END, MATCH_START
    from dateline.store.sqlite import SqliteStore
    from dateline.store.sqltext import fts_query

    db = sqlite3.connect(f"file:{store_path(size)}?mode=ro", uri=True)
    db.row_factory = sqlite3.Row
    queries = [item["q"] for item in meta["queries"][: args.profile_requests]]
    kinds = {item["q"]: item["kind"] for item in meta["queries"]}

    def time_each(run: Callable[[str], Any]) -> dict[str, list[float]]:
        by_kind: dict[str, list[float]] = defaultdict(list)
        for q in queries:
            began = time.perf_counter()
            run(q)
            by_kind[kinds[q]].append((time.perf_counter() - began) * 1000)
        return by_kind

    from dateline.store import reader

    dense_default = getattr(reader, "DENSE_MATCHES", None)
    with SqliteStore.open(store_path(size)) as store:
        time_each(lambda q: store.search_articles(q, limit=21))  # a first pass warms the page cache for all
        shipped = time_each(lambda q: store.search_articles(q, limit=21))
        smaller_cut: dict[str, list[float]] | None = None
        smaller = max(1000, dense_default // 4) if dense_default else 0
        if dense_default is not None and smaller < dense_default:
            # The same method with a quarter of the dense cut: relevance ranks fewer of a common
            # word's newest matches.
            reader.DENSE_MATCHES = smaller
            try:
                smaller_cut = time_each(lambda q: store.search_articles(q, limit=21))
            finally:
                reader.DENSE_MATCHES = dense_default
        facets_began = time.perf_counter()
        for _ in range(5):
            store.facet_values("language", limit=20)
            store.facet_values("outlet", limit=60)
        facets_ms = (time.perf_counter() - facets_began) * 1000 / 5

    def top_k_first(q: str) -> list[sqlite3.Row]:
        # Rank inside FTS5 (no article row read per match), join and snippet only the page's 21 rows.
        match = fts_query(q)
        return db.execute(
            "SELECT a.*, snippet(articles_fts, 1, ?, ?, '…', 24) AS snippet,"
            " highlight(articles_fts, 0, ?, ?) AS title_marked, hit.score AS rank, sa.story_id AS story_id"
            " FROM (SELECT rowid, bm25(articles_fts, 4.0, 1.0) AS score FROM articles_fts"
            "       WHERE articles_fts MATCH ? ORDER BY score LIMIT 21) hit"
            " JOIN articles_fts ON articles_fts.rowid = hit.rowid AND articles_fts MATCH ?"
            " JOIN articles a ON a.rowid = hit.rowid LEFT JOIN story_articles sa ON sa.article_id = a.id"
            " ORDER BY hit.score, a.id",
            (MATCH_START, MATCH_END, MATCH_START, MATCH_END, match, match),
        ).fetchall()

    variants = {"shipped `search_articles`": shipped}
    if smaller_cut is not None:
        variants[f"DENSE_MATCHES {dense_default:,} -> {smaller:,}"] = smaller_cut
    variants["every match ranked in FTS5, 21 joined"] = time_each(top_k_first)

    def cell(values: Sequence[float], *, overall: bool = False) -> str:
        if overall:
            return f"{statistics.median(values):.1f} / {float(np.percentile(values, 95)):.1f} (p95)"
        return f"{statistics.median(values):.1f} / {max(values):.1f}"

    rows: list[list[object]] = [
        [kind, len(shipped[kind]), *(cell(v[kind]) for v in variants.values())] for kind in sorted(shipped)
    ]
    rows.append(
        [
            "all",
            len(queries),
            *(cell([x for xs in v.values() for x in xs], overall=True) for v in variants.values()),
        ]
    )
    table = markdown_table(
        ["query kind", "queries", *(f"{name} ms: median / max" for name in variants)], rows
    )
    related = related_rewrites(db, size, meta, args)
    db.close()
    facets = f"Both filter-menu counts (`facet_values` language + outlet, which the app caches): {facets_ms:.0f} ms."
    return f"{table}\n\n{facets}\n\n{related}"


def related_rewrites(db: Any, size: int, meta: dict[str, Any], args: argparse.Namespace) -> str:
    """Bench-only SQL: ``stories_mentioning`` as shipped against a story-entity table (one row per story and
    entity with the story's last activity, indexed by entity and time: built here as a TEMP table; in the app
    it would be a migration kept up to date by the writer), for the entities each warmed story page passes."""
    from dateline.store.sqlite import SqliteStore
    from dateline.web import views

    related_stories = getattr(views, "RELATED_STORIES", 6)
    entities_per_story = getattr(views, "RELATED_ENTITIES", 8)
    ids = meta["sample_story_ids"][: args.profile_requests]
    with SqliteStore.open(store_path(size)) as store:
        keys_of = {}
        for story_id in ids:
            synthesis = store.load_synthesis(story_id)
            keys_of[story_id] = [e.key for e in synthesis.entities[:entities_per_story]] if synthesis else []
        for story_id, keys in keys_of.items():  # a first pass warms the page cache
            store.stories_mentioning(keys, exclude=story_id, limit=related_stories)
        shipped = []
        for story_id, keys in keys_of.items():
            began = time.perf_counter()
            store.stories_mentioning(keys, exclude=story_id, limit=related_stories)
            shipped.append((time.perf_counter() - began) * 1000)

    began = time.perf_counter()
    db.execute(
        "CREATE TEMP TABLE story_entities AS SELECT m.entity_key AS entity_key, sa.story_id AS story_id,"
        " MAX(s.last_seen) AS last_seen FROM mentions m JOIN story_articles sa ON sa.article_id = m.article_id"
        " JOIN stories s ON s.id = sa.story_id GROUP BY m.entity_key, sa.story_id"
    )
    db.execute("CREATE INDEX temp.story_entities_key ON story_entities(entity_key, last_seen DESC, story_id)")
    table_s = time.perf_counter() - began
    table_rows = db.execute("SELECT COUNT(*) FROM story_entities").fetchone()[0]
    indexed = []
    for story_id, keys in keys_of.items():
        if not keys:
            continue
        recent = " UNION ALL ".join(
            "SELECT * FROM (SELECT entity_key, story_id, last_seen FROM story_entities WHERE entity_key = ?"
            " ORDER BY last_seen DESC LIMIT 200)"
            for _ in keys
        )
        began = time.perf_counter()
        db.execute(
            f"WITH recent(entity_key, story_id, last_seen) AS ({recent})"
            " SELECT story_id, COUNT(*) AS shared, MAX(last_seen) AS last_seen FROM recent"
            " WHERE story_id IS NOT ? GROUP BY story_id ORDER BY shared DESC, last_seen DESC LIMIT ?",
            (*keys, story_id, related_stories),
        ).fetchall()
        indexed.append((time.perf_counter() - began) * 1000)

    def summary(values: Sequence[float]) -> str:
        return f"{statistics.median(values):.1f} / {float(np.percentile(values, 95)):.1f}" if values else "–"

    return markdown_table(
        [f"related stories ({entities_per_story} synthesis entities a story)", "ms median / p95"],
        [
            ["shipped `stories_mentioning`", summary(shipped)],
            [f"story_entities table, 200 latest stories per entity ({table_rows:,} rows, built in {table_s:.0f} s)",
             summary(indexed)],
        ],
    )  # fmt: skip


# ---------------------------------------------------------------- the report


def code_version() -> str:
    """The commit measured, and whether src/ had uncommitted changes (the app was changing meanwhile)."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "src"], capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "an unknown commit"
    return f"`{head}`" + (" with uncommitted changes in src/" if dirty else "")


def estimate_build(pool: Pool, args: argparse.Namespace) -> None:
    """Build a 10k store in a temporary place and say how long the larger sizes would take."""
    with tempfile.TemporaryDirectory(prefix="web-estimate-") as tmp:
        original = CACHE_DIR
        globals()["CACHE_DIR"] = Path(tmp)
        try:
            started = time.perf_counter()
            build_store(10_000, pool, args)
            elapsed = time.perf_counter() - started
        finally:
            globals()["CACHE_DIR"] = original
    _say(f"10k store in {elapsed:.0f} s: 1M would take about {elapsed * 100 / 60:.0f} min at the same rate")


def _ms(value: float) -> str:
    return f"{value:.0f}" if value >= 100 else f"{value:.1f}"


def _errors(rows: Iterator[dict[str, Any]] | Sequence[dict[str, Any]]) -> str:
    count = sum(r["errors"] for r in rows)
    return f"{count} error" + ("" if count == 1 else "s")


def _status(rows: Sequence[dict[str, Any]], size: int, scenario: str, mode_prefix: str, target: float) -> str:
    found = [
        r
        for r in rows
        if r["size"] == size and r["scenario"] == scenario and r["mode"].startswith(mode_prefix)
    ]
    if not found:
        return "not run"
    row = found[0]
    verdict = "met" if row["p95_ms"] < target else "not met"
    return f"p95 {_ms(row['p95_ms'])} ms ({verdict})"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="stored articles, comma-separated")
    parser.add_argument("--scenarios", default="story,search,front")
    parser.add_argument("--duration", type=float, default=25.0, help="seconds of load per scenario and mode")
    parser.add_argument("--connections", type=int, default=100)
    parser.add_argument(
        "--paced-share", type=float, default=0.5, help="paced rate, as a share of saturation (0: off)"
    )
    parser.add_argument("--client", choices=("auto", "wrk", "python"), default="auto")
    parser.add_argument("--sample-stories", type=int, default=300)
    parser.add_argument("--queries", type=int, default=400)
    parser.add_argument(
        "--mention-share", type=float, default=0.5, help="share of other articles with mentions"
    )
    parser.add_argument("--rebuild", action="store_true", help="rebuild the cached stores")
    parser.add_argument("--estimate", action="store_true", help="build 10k in a temporary place and stop")
    parser.add_argument("--build-only", action="store_true")
    parser.add_argument("--no-ingest", action="store_true", help="no ingesting process during the load")
    parser.add_argument(
        "--pin", action="store_true", help="server on core 0, client and ingester on the others"
    )
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--profile-requests", type=int, default=200)
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    for hidden in (
        "--client-child",
        "--ingest-child",
        "--stop-file",
        "--ready-file",
        "--out",
        "--workdir",
        "--base",
    ):
        parser.add_argument(hidden, help=argparse.SUPPRESS)
    parser.add_argument("--rate", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client_child:
        client_child(args)
        return
    if args.ingest_child:
        ingest_child(args)
        return
    if args.client == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --client python")

    code = code_version()  # before the run: the checkout may move while it runs
    pool = load_pool()
    if args.estimate:
        estimate_build(pool, args)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    metas = {size: ensure_store(size, pool, args) for size in sizes}
    if args.build_only:
        return
    rows: list[dict[str, Any]] = []
    profiles: dict[int, dict[str, Any]] = {}
    for size in sizes:
        rows += run_size(size, metas[size], args)
        if not args.no_profile:
            profiles[size] = profile_size(size, metas[size], args)

    table_rows = [
        [f"{r['size']:,}", r["scenario"], r["mode"], r["client"], f"{r['requests']:,}", _ms(r["p50_ms"]),
         _ms(r["p95_ms"]), _ms(r["p99_ms"]), f"{r['errors']}" + (f" ({r['error_detail']})" if r["errors"] else ""),
         f"{r['rate']:.1f}",
         "–" if not r["ingest_seconds"] else f"{r['ingested']:,} ({r['ingested'] / r['ingest_seconds']:.0f}/s)",
         f"{r['loadavg']:.1f}"]
        for r in rows
    ]  # fmt: skip
    table = markdown_table(
        ["stored", "scenario", "load", "client", "requests", "p50 ms", "p95 ms", "p99 ms", "errors", "req/s",
         "ingested meanwhile", "load avg"],
        table_rows,
    )  # fmt: skip
    print(table)
    for size, tables in profiles.items():
        for scenario in args.scenarios.split(","):
            print(f"\n{size:,} {scenario}, in-process, one request at a time:\n{tables[scenario]['table']}")
        print(f"\n{size:,} search rewrites:\n{tables['prototypes']}")
        if os.environ.get("WEB_LATENCY_PSTATS"):
            for scenario in args.scenarios.split(","):
                print(tables[scenario]["profile"])
    if args.no_record:
        return
    record(args, sizes, metas, rows, table, profiles, code)


def record(
    args: argparse.Namespace,
    sizes: Sequence[int],
    metas: dict[int, dict[str, Any]],
    rows: Sequence[dict[str, Any]],
    table: str,
    profiles: dict[int, dict[str, Any]],
    code: str,
) -> None:
    largest = max(sizes)
    stores = markdown_table(
        ["stored", "stories", "threads", "mentions", "entities", "enriched articles", "warmed stories", "DB GiB", "build s"],
        [
            [f"{m['size']:,}", f"{m['stories']:,}", f"{m['threads']:,}", f"{m['mentions']:,}", f"{m['entities']:,}",
             f"{m['enriched_articles']:,}", m["synthesized"], f"{m['db_bytes'] / 2**30:.1f}",
             f"{m['load_s'] + m['warm_s']:.0f}"]
            for m in (metas[s] for s in sizes)
        ],
    )  # fmt: skip

    def alone(scenario: str, target: float) -> str:
        found = profiles.get(largest, {}).get(scenario)
        if not found:
            return "not run"
        return f"p95 {_ms(found['p95_ms'])} ms ({'met' if found['p95_ms'] < target else 'not met'})"

    targets = markdown_table(
        ["target", "100 connections, closed loop", "paced, open loop", "one request at a time, in-process"],
        [
            [f"story page p95 < {TARGET_STORY_P95_MS:.0f} ms at {largest:,}",
             _status(rows, largest, "story", "saturation", TARGET_STORY_P95_MS),
             _status(rows, largest, "story", "paced", TARGET_STORY_P95_MS), alone("story", TARGET_STORY_P95_MS)],
            [f"search p95 < {TARGET_SEARCH_P95_MS:.0f} ms at {largest:,}",
             _status(rows, largest, "search", "saturation", TARGET_SEARCH_P95_MS),
             _status(rows, largest, "search", "paced", TARGET_SEARCH_P95_MS), alone("search", TARGET_SEARCH_P95_MS)],
            [f"no request errors under {args.connections} concurrent clients",
             _errors(r for r in rows if r["mode"] == "saturation"),
             _errors(r for r in rows if r["mode"] != "saturation"), ""],
        ],
    )  # fmt: skip
    profile_text = ""
    for size, tables in profiles.items():
        for scenario in args.scenarios.split(","):
            profile_text += (
                f"\n{size:,} stored, `{scenario}` URLs in-process one at a time "
                f"(mean {tables[scenario]['mean_ms']:.1f} ms, p95 {tables[scenario]['p95_ms']:.1f} ms):\n\n"
                f"{tables[scenario]['table']}\n"
            )
        profile_text += (
            f"\n{size:,} stored, search SQL, shipped vs rewrite (bench-only SQL):\n\n{tables['prototypes']}\n"
        )
    command = f".venv/bin/python -m bench.web_latency --sizes {args.sizes} --duration {args.duration:g}"
    if args.connections != 100:
        command += f" --connections {args.connections}"
    if args.pin:
        command += " --pin"
    body = f"""Command: `{command}` ({date.today().isoformat()}, code at {code}; {os.cpu_count()} cores \
shared by the server, the load generator, the ingesting process and whatever else ran on the machine (the \
last column: 1-minute load average after each run); Python {platform.python_version()}, SQLite \
{__import__("sqlite3").sqlite_version}). Stores are cached in `bench/.cache/web-N.db` (`--rebuild` rebuilds).

{targets}

{table}

How to read it. *Closed loop*: 100 connections (wrk), each sending its next request when the last is answered: \
the server is saturated, so latency is mostly time in the queue (Little's law: about 100 / req/s). \
*Paced*: an open-loop Poisson stream at half the closed-loop rate over up to 100 connections (asyncio + \
httpx client), latency counted from each request's scheduled time; when the server's capacity during the \
run falls below that rate (an unsaturated server leaves the ingester more CPU than in the closed-loop run; \
the machine's other work) the queue grows and the percentiles with it. *One at a time*: the service time \
with nothing else in flight, from the profile below. Errors: non-2xx answers, connection errors and \
timeouts (30 s); the client names each kind. The HTML story page also records a visit. The ingesting \
process runs extraction, dedupe, FTS and raw documents in one process (no enrichment, no clustering); what \
it added is deleted after each size so the cached store stays at N.

Caveats: a shared 2-core machine (other sessions' tests ran meanwhile: see the load average); a synthetic \
store (resampled real text and facts, 300 outlets, other language labels over English text, story features \
without vectors, articles without MinHash signatures or raw documents, mentions for half of the articles \
outside the warmed stories); only warmed story pages are requested (a story without a cached synthesis builds \
it on the request path); search queries are plain words (no filters, relevance order).

Stores (resampled Timeline17 + Wikinews text with the enrichment stage's real facts; see the module docstring):

{stores}

Where a request's time goes (the same URLs through a TestClient, one at a time, no other load):
{profile_text}"""
    record_section(SECTION, body)


if __name__ == "__main__":
    main()
