"""The records every stage passes around: one type per concept, all frozen.

Stages take these in and return new ones (``dataclasses.replace``); nothing here
touches the network, the disk or the database, so the same records can be
built and consumed inside Spark or a test without any setup.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SourceFormat(StrEnum):
    """What a document's bytes are, detected from content (the extension is only a hint)."""

    HTML = "html"
    TEXT = "text"  # a plain-text scrape of a whole page, chrome included
    FEED = "feed"  # RSS or Atom
    OPML = "opml"
    JSONL = "jsonl"  # one article object per line, our own output contract
    WARC = "warc"
    UNKNOWN = "unknown"


class DatePrecision(StrEnum):
    """How exact a date is: a publication date, or a date expression resolved from the text."""

    DATETIME = "datetime"
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"
    UNKNOWN = "unknown"


class DateOrigin(StrEnum):
    """Where a publication date came from, strongest first."""

    USER = "user"  # --published on the command line
    METADATA = "metadata"  # <meta>, JSON-LD, <time> in the page
    FEED = "feed"  # the feed entry's published/updated field
    INPUT = "input"  # a JSONL record or WARC header that carried it
    URL = "url"  # /2025/11/30/ in the article URL
    HTMLDATE = "htmldate"  # htmldate's heuristics over the page
    TEXT = "text"  # a dateline or "Published 30 November 2025" line in the text
    NONE = "none"


@dataclass(frozen=True, slots=True)
class PublishedDate:
    value: datetime | None = None  # timezone-aware when the source gave a zone, naive otherwise
    precision: DatePrecision = DatePrecision.UNKNOWN
    origin: DateOrigin = DateOrigin.NONE

    @property
    def known(self) -> bool:
        return self.value is not None


UNKNOWN_DATE = PublishedDate()


@dataclass(frozen=True, slots=True)
class Caption:
    """An image caption, kept apart from the body, with its credit split off ("Photo: Reuters")."""

    text: str
    credit: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentHints:
    """What is known about a document from outside its own bytes.

    ``user`` hints come from the command line and win over anything extracted;
    ``context`` hints come from the container (a feed entry, a WARC header) and
    fill only what extraction could not find.
    """

    url: str | None = None
    outlet: str | None = None
    via: str | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    section: str | None = None
    standfirst: str | None = None
    published: PublishedDate = UNKNOWN_DATE
    language: str | None = None


@dataclass(frozen=True, slots=True)
class RawDocument:
    """One input exactly as it arrived. Its bytes are kept (compressed) so extraction can be re-run."""

    source: str  # the file path or URL it was read from (for a feed entry: feed URL + '#' + entry id)
    content: bytes
    media_type: str | None = None  # Content-Type header or a guess from the file name; a hint only
    fetched_at: datetime | None = None
    user_hints: DocumentHints = field(default_factory=DocumentHints)
    context_hints: DocumentHints = field(default_factory=DocumentHints)
    identity: str | None = None  # stable identity key when the container gives one (feed guid, WARC record)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True, slots=True)
class Article:
    """A clean article: the output contract of extraction, documented in the README."""

    id: str
    source: str
    url: str | None
    outlet: str | None
    via: str | None
    title: str | None
    authors: tuple[str, ...]
    section: str | None
    standfirst: str | None
    published_at: datetime | None
    published_precision: DatePrecision
    published_origin: DateOrigin
    language: str | None
    paragraphs: tuple[str, ...]
    captions: tuple[Caption, ...]
    source_format: SourceFormat
    ingested_at: datetime
    identity: str  # what makes two inputs "the same thing": canonical URL, feed entry id or content hash
    raw_sha256: str | None = None
    duplicate_of: str | None = None
    duplicate_similarity: float | None = None
    extractor: str = ""  # versioned name of the algorithm that produced it, e.g. "html.v1"

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape (README: Output contract)."""
        data = asdict(self)
        data["authors"] = list(self.authors)
        data["paragraphs"] = list(self.paragraphs)
        data["captions"] = [asdict(c) for c in self.captions]
        data["text"] = self.text
        data["published_at"] = self.published_at.isoformat() if self.published_at else None
        data["ingested_at"] = self.ingested_at.isoformat()
        data["published_precision"] = str(self.published_precision)
        data["published_origin"] = str(self.published_origin)
        data["source_format"] = str(self.source_format)
        ordered = {key: data[key] for key in ARTICLE_FIELDS}
        ordered.update({k: v for k, v in data.items() if k not in ordered})
        return ordered


# The documented field order of the JSON contract; extra fields follow.
ARTICLE_FIELDS: tuple[str, ...] = (
    "id",
    "source",
    "url",
    "outlet",
    "via",
    "title",
    "authors",
    "section",
    "standfirst",
    "published_at",
    "published_precision",
    "language",
    "text",
    "paragraphs",
    "captions",
    "source_format",
    "duplicate_of",
    "ingested_at",
)


@dataclass(frozen=True, slots=True)
class ExtractedFields:
    """What a format-specific extractor (HTML, text scrape) recovers from one document.

    The pipeline merges these with the document's hints into an ``Article``;
    extractors never decide identity, duplicates or ingest time.
    """

    title: str | None = None
    outlet: str | None = None
    via: str | None = None
    authors: tuple[str, ...] = ()
    section: str | None = None
    standfirst: str | None = None
    published: PublishedDate = UNKNOWN_DATE
    url: str | None = None  # canonical URL declared by the page itself
    language: str | None = None  # declared by the page (<html lang>); detection happens later
    paragraphs: tuple[str, ...] = ()
    captions: tuple[Caption, ...] = ()
    extractor: str = ""


@dataclass(frozen=True, slots=True)
class IngestProblem:
    """One recorded failure: what input, which stage, and a one-line message a user can act on."""

    source: str
    stage: str  # read | detect | decode | parse | fetch | extract | store
    message: str
    at: datetime | None = None


@dataclass(frozen=True, slots=True)
class FeedEntry:
    """One entry of an RSS/Atom feed, normalised."""

    feed_url: str
    entry_id: str  # guid/id, or the link, or a hash of title+summary when the feed gives neither
    link: str | None
    title: str | None
    authors: tuple[str, ...]
    published: PublishedDate
    summary: str | None
    content_html: str | None  # full content when the feed carries it
    feed_title: str | None

    def identity(self) -> str:
        return f"feed:{self.feed_url}#{self.entry_id}"


@dataclass(frozen=True, slots=True)
class FeedSubscription:
    """A feed to follow, as read from or written to OPML."""

    url: str
    title: str | None = None
    html_url: str | None = None
    category: str | None = None


# --- Enrichment: facts found in an article's text ---------------------------------
#
# Every fact points back to where it came from: ``start``/``end`` are character
# offsets into ``Article.text`` (paragraphs joined by a blank line), and
# ``sentence`` is an index into ``Enrichment.sentences``.


class EntityType(StrEnum):
    PERSON = "person"
    ORGANISATION = "organisation"
    PLACE = "place"  # countries, cities, regions, geographic features
    GROUP = "group"  # nationalities, religious and political groups ("Ukrainians", "Democrats")


class MentionForm(StrEnum):
    """How an entity is named at one place in the text."""

    NAME = "name"  # "Volodymyr Zelensky", "Zelenskiy", "NATO"
    TITLED = "titled"  # "President Zelensky", "Mr Zelensky"
    ROLE = "role"  # "Ukraine's president", "the chief negotiator"
    PRONOUN = "pronoun"  # "he", "she" (only where attribution resolved it)


@dataclass(frozen=True, slots=True)
class Sentence:
    index: int
    start: int
    end: int
    text: str
    paragraph: int  # index into Article.paragraphs
    is_heading: bool = False  # a sub-heading line, not running prose


@dataclass(frozen=True, slots=True)
class EntityMention:
    start: int
    end: int
    text: str
    type: EntityType
    entity: str  # Entity.key of the entity this mention refers to
    sentence: int
    form: MentionForm = MentionForm.NAME


@dataclass(frozen=True, slots=True)
class Entity:
    """One person, organisation, place or group, with every name it goes by in the article.

    ``key`` is stable across articles ("person:volodymyr zelensky"): the store
    links it to the canonical entity it already knows, or adopts it.
    """

    key: str
    name: str  # the fullest name seen ("Volodymyr Zelensky")
    type: EntityType
    aliases: tuple[str, ...] = ()  # other surface forms ("Zelenskiy", "Mr Zelensky")
    roles: tuple[str, ...] = ()  # role and title phrases seen with it ("president", "chief negotiator")
    mention_count: int = 0


class QuoteKind(StrEnum):
    DIRECT = "direct"  # a whole quoted statement: "We will not give up," he said.
    PARTIAL = "partial"  # a quoted fragment inside a sentence: called the plan "a good basis"
    INDIRECT = "indirect"  # reported speech: Umerov said talks will continue


@dataclass(frozen=True, slots=True)
class Quote:
    text: str  # the quoted words, without the quote marks (for indirect speech: the reported clause)
    start: int
    end: int
    kind: QuoteKind
    speaker: str | None  # Entity.name of the speaker, None when no speaker was found
    speaker_entity: str | None  # Entity.key
    speaker_text: str | None  # the words that name the speaker at the attribution ("he", "the minister")
    cue: str | None  # "said", "wrote in a Telegram post", "told Politico"
    sentence: int  # the sentence the quote starts in
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Figure:
    """A key number with what it counts: "nearly 58,000 repair workers", "701 sq km"."""

    text: str  # the whole figure phrase as written
    start: int
    end: int
    value: float
    unit: str | None  # "km2", "%", "°C", "USD", "year" (for durations); None for plain counts
    counted: str | None  # the counted noun phrase: "repair workers", "drones", "Ukrainian territory"
    qualifier: str | None  # "nearly", "about", "at least", "more than", "up to"
    sentence: int
    value_max: float | None = None  # upper bound of a range ("between 40 and 50")


class TemporalKind(StrEnum):
    EXPLICIT = "explicit"  # "30 November", "July 23, 2025", "20/11/2025"
    WEEKDAY = "weekday"  # "on Sunday", "overnight on Friday", "last Tuesday"
    RELATIVE_DAY = "relative_day"  # "yesterday", "today", "tomorrow afternoon", "tonight"
    RELATIVE_PERIOD = "relative_period"  # "last week", "this week", "earlier this month", "next year"
    MONTH = "month"  # "in November", "November 2025"
    YEAR = "year"  # "in 2024"
    RANGE = "range"  # "20-23 November", "from Monday to Wednesday"
    TIME = "time"  # "11.20am (9.20am GMT)", "at 3pm local time"


@dataclass(frozen=True, slots=True)
class TemporalExpression:
    """A date or time expression in the text, resolved against the publication date.

    ``value`` is ISO 8601 at the expression's precision ("2025-11-30",
    "2025-W48", "2025-11", "2025", "2025-11-30T11:20+02:00"). Without a
    publication date relative expressions stay unresolved: ``value`` is None.
    """

    text: str
    start: int
    end: int
    kind: TemporalKind
    value: str | None
    precision: DatePrecision
    confidence: float
    sentence: int
    end_value: str | None = None  # the last day of a range
    tense: str | None = None  # "past" | "future" | None: what chose the direction of a bare weekday


@dataclass(frozen=True, slots=True)
class DatedEvent:
    """A sentence that reports something happening at a resolved date: timeline raw material."""

    date: str  # TemporalExpression.value
    precision: DatePrecision
    sentence: int
    text: str  # the sentence text
    actors: tuple[str, ...]  # Entity.key of the entities named in the sentence
    planned: bool = False  # in the future relative to publication ("will meet on Sunday")
    figures: tuple[int, ...] = ()  # indexes into Enrichment.figures


@dataclass(frozen=True, slots=True)
class Enrichment:
    """Everything the enrichment stage found in one article."""

    article_id: str
    version: str  # "enrich.v1": which algorithm produced it
    language: str | None
    model: str | None  # the NER model used, None when the language has no shipped model
    sentences: tuple[Sentence, ...] = ()
    entities: tuple[Entity, ...] = ()
    mentions: tuple[EntityMention, ...] = ()
    quotes: tuple[Quote, ...] = ()
    figures: tuple[Figure, ...] = ()
    dates: tuple[TemporalExpression, ...] = ()
    events: tuple[DatedEvent, ...] = ()
    notes: tuple[str, ...] = ()  # what was skipped and why ("no NER model for 'de': entities not extracted")

    def to_dict(self) -> dict[str, Any]:
        """The public JSON shape added to ``dateline extract`` output (README: Output contract)."""
        return _plain(asdict(self))


def _plain(value: Any) -> Any:
    """asdict() output with tuples as lists and enums as their string values, ready for JSON."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return str(value)
    return value


# ---------------------------------------------------------------- stories (issue 4)


@dataclass(frozen=True, slots=True, eq=False)
class StoryFeatures:
    """What story clustering knows of one article: a pure function of the article and its enrichment.

    ``vector`` is a unit-length sentence embedding of the title and lead (numpy float32), ``terms`` an
    L2-normalised TF-IDF vector over folded word forms, ``entities`` canonical entity keys with a salience
    weight (more for people and organisations, for entities in the title, for repeated mentions).
    """

    article_id: str
    seen_at: datetime  # publication time when known, else when first ingested; naive UTC
    dated: bool  # seen_at is a publication date, not an ingest time
    language: str | None
    title: str
    outlet: str | None
    duplicate_of: str | None  # a syndicated copy joins its original's story without scoring
    vector: Any  # numpy.ndarray (float32, unit length) or None when the text gave nothing to embed
    terms: tuple[tuple[str, float], ...]
    entities: tuple[tuple[str, float], ...]
    version: str  # FEATURES_VERSION of dateline.cluster.features


@dataclass(frozen=True, slots=True)
class StoryAssignment:
    """One clustering decision: ARTICLE_ID joined STORY_ID (or started it, ``score`` None)."""

    article_id: str
    story_id: str
    score: float | None  # the model's same-story probability for the story it joined
    sequence: int  # position in the clustering stream: the order decisions were made in


@dataclass(frozen=True, slots=True)
class Story:
    """A set of articles about one event, as listed by ``dateline stories``."""

    id: str  # stable: derived from the first article's id; a merged story redirects to the survivor
    title: str
    article_ids: tuple[str, ...]  # in stream order
    outlets: tuple[str, ...]
    languages: tuple[str, ...]
    first_seen: datetime
    last_seen: datetime
    thread_id: str | None
    algorithm: str  # "cluster.v1": the version of the clusterer that made it

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "article_ids": list(self.article_ids),
            "outlets": list(self.outlets),
            "languages": list(self.languages),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "thread_id": self.thread_id,
            "algorithm": self.algorithm,
        }


@dataclass(frozen=True, slots=True)
class StoryMerge:
    """Maintenance folded ABSORBED into SURVIVOR; the absorbed id keeps resolving through a redirect."""

    absorbed: str
    survivor: str


@dataclass(frozen=True, slots=True)
class StorySplit:
    """Maintenance moved ARTICLE_IDS out of ORIGINAL into the new story NEW_ID."""

    original: str
    new_id: str
    article_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Thread:
    """Stories linked over weeks by shared core actors and subject, listed in time order."""

    id: str  # the id of its earliest story, prefixed "t-"
    title: str
    story_ids: tuple[str, ...]  # by first_seen
    first_seen: datetime
    last_seen: datetime
    algorithm: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "story_ids": list(self.story_ids),
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "algorithm": self.algorithm,
        }
