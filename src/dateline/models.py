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


class SourceKind(StrEnum):
    FEED = "feed"  # an RSS or Atom feed URL, fetched with a conditional GET
    PATH = "path"  # a local file or folder (saved pages, a feed file), re-read each pass


class SourceStatus(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not-modified"  # HTTP 304, or a folder with nothing new
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class Source:
    """A subscription the scheduler keeps fresh, with where its polling stands."""

    id: int
    url: str  # the feed's URL, or the absolute path of a PATH source
    kind: SourceKind
    title: str | None
    html_url: str | None
    category: str | None
    added_at: datetime
    paused: bool
    interval_seconds: int
    next_fetch_at: datetime | None  # None: due now
    failures: int  # failed passes in a row; the backoff grows with it, a success resets it
    last_fetched_at: datetime | None
    last_success_at: datetime | None
    last_status: SourceStatus | None
    last_error: str | None
    articles_added: int  # new articles over the source's lifetime

    def to_dict(self) -> dict[str, Any]:
        def when(value: datetime | None) -> str | None:
            return value.isoformat() if value else None

        return {
            "id": self.id,
            "url": self.url,
            "kind": str(self.kind),
            "title": self.title,
            "html_url": self.html_url,
            "category": self.category,
            "added_at": self.added_at.isoformat(),
            "paused": self.paused,
            "interval_seconds": self.interval_seconds,
            "next_fetch_at": when(self.next_fetch_at),
            "failures": self.failures,
            "last_fetched_at": when(self.last_fetched_at),
            "last_success_at": when(self.last_success_at),
            "last_status": str(self.last_status) if self.last_status else None,
            "last_error": self.last_error,
            "articles_added": self.articles_added,
        }


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


# ---------------------------------------------------------------- synthesis (issue 5)
#
# Everything a story page shows is taken from its articles and points back to them: a Citation
# names the article and the character span the words come from. ``field`` says which of the
# article's texts the span is in: "text" (Article.text, like every enrichment offset),
# "standfirst" or "title".


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


@dataclass(frozen=True, slots=True)
class Citation:
    article_id: str
    start: int
    end: int
    field: str = "text"

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"article_id": self.article_id, "start": self.start, "end": self.end}
        if self.field != "text":
            data["field"] = self.field
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Citation:
        return cls(data["article_id"], int(data["start"]), int(data["end"]), data.get("field", "text"))


@dataclass(frozen=True, slots=True)
class SummarySentence:
    """One summary line: the words of its first citation (clauses may be deleted, none added)."""

    text: str
    citations: tuple[Citation, ...]  # the source first, then other articles that say the same thing

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "citations": [c.to_dict() for c in self.citations]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SummarySentence:
        return cls(data["text"], _citations(data["citations"]))


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One event on a timeline, however many articles report it."""

    date: str  # ISO 8601 at its precision: "2025-11-30", "2025-W48", "2025-11", "2025"
    precision: DatePrecision
    text: str  # the words of the first citation (clauses may be deleted, none added)
    planned: bool  # in the future when it was reported ("talks scheduled for Sunday")
    citations: tuple[Citation, ...]
    importance: float  # higher is more important; entries are shown in date order
    basis: str = "mentioned"  # "mentioned": the text names the date; "published": dated by publication
    first_seen: datetime | None = None  # when Dateline first had an article reporting it

    def to_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "precision": str(self.precision),
            "text": self.text,
            "planned": self.planned,
            "citations": [c.to_dict() for c in self.citations],
            "importance": round(self.importance, 4),
            "basis": self.basis,
            "first_seen": _iso(self.first_seen),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TimelineEntry:
        return cls(
            date=data["date"],
            precision=DatePrecision(data["precision"]),
            text=data["text"],
            planned=bool(data["planned"]),
            citations=_citations(data["citations"]),
            importance=float(data["importance"]),
            basis=data.get("basis", "mentioned"),
            first_seen=_from_iso(data.get("first_seen")),
        )


@dataclass(frozen=True, slots=True)
class QuoteVariant:
    """How one outlet worded a quote that other outlets carry differently."""

    text: str
    outlet: str | None
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "outlet": self.outlet, "citation": self.citation.to_dict()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuoteVariant:
        return cls(data["text"], data.get("outlet"), Citation.from_dict(data["citation"]))


@dataclass(frozen=True, slots=True)
class QuoteEntry:
    """One thing someone said, merged across the outlets that carry it."""

    speaker: str | None  # Entity.name, None when no article names the speaker
    speaker_entity: str | None  # Entity.key
    text: str  # the wording of the first report
    kind: str  # QuoteKind: direct, indirect, ...
    citations: tuple[Citation, ...]  # first report first
    variants: tuple[QuoteVariant, ...] = ()  # other wordings of the same quote
    first_outlet: str | None = None
    first_at: datetime | None = None  # publication (or ingest) time of the first report
    first_seen: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "speaker_entity": self.speaker_entity,
            "text": self.text,
            "kind": self.kind,
            "citations": [c.to_dict() for c in self.citations],
            "variants": [v.to_dict() for v in self.variants],
            "first_outlet": self.first_outlet,
            "first_at": _iso(self.first_at),
            "first_seen": _iso(self.first_seen),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> QuoteEntry:
        return cls(
            speaker=data.get("speaker"),
            speaker_entity=data.get("speaker_entity"),
            text=data["text"],
            kind=data["kind"],
            citations=_citations(data["citations"]),
            variants=tuple(QuoteVariant.from_dict(v) for v in data.get("variants", ())),
            first_outlet=data.get("first_outlet"),
            first_at=_from_iso(data.get("first_at")),
            first_seen=_from_iso(data.get("first_seen")),
        )


@dataclass(frozen=True, slots=True)
class FigureReport:
    """One outlet's statement of a quantity."""

    value: float
    value_max: float | None
    qualifier: str | None  # "about", "at least"
    text: str  # the figure phrase as written
    outlet: str | None
    at: datetime | None  # publication (or ingest) time of the article
    citation: Citation

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "value_max": self.value_max,
            "qualifier": self.qualifier,
            "text": self.text,
            "outlet": self.outlet,
            "at": _iso(self.at),
            "citation": self.citation.to_dict(),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FigureReport:
        return cls(
            value=float(data["value"]),
            value_max=_float_or_none(data.get("value_max")),
            qualifier=data.get("qualifier"),
            text=data["text"],
            outlet=data.get("outlet"),
            at=_from_iso(data.get("at")),
            citation=Citation.from_dict(data["citation"]),
        )


@dataclass(frozen=True, slots=True)
class FigureEntry:
    """One quantity of the story ("drones launched overnight"), with every outlet's value for it."""

    value: float  # the latest, most reported value
    value_max: float | None
    unit: str | None
    counted: str | None
    text: str  # the figure phrase of the report behind ``value``
    citations: tuple[Citation, ...]
    reports: tuple[FigureReport, ...] = ()  # in time order
    disagreement: bool = False  # outlets give different values for the same quantity at the same time
    changed: bool = False  # the value changed over time ("28-point plan" -> "20-point plan")
    event_date: str | None = None  # the date of the event the figure belongs to, when one is known
    first_seen: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "value_max": self.value_max,
            "unit": self.unit,
            "counted": self.counted,
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "reports": [r.to_dict() for r in self.reports],
            "disagreement": self.disagreement,
            "changed": self.changed,
            "event_date": self.event_date,
            "first_seen": _iso(self.first_seen),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FigureEntry:
        return cls(
            value=float(data["value"]),
            value_max=_float_or_none(data.get("value_max")),
            unit=data.get("unit"),
            counted=data.get("counted"),
            text=data["text"],
            citations=_citations(data["citations"]),
            reports=tuple(FigureReport.from_dict(r) for r in data.get("reports", ())),
            disagreement=bool(data.get("disagreement", False)),
            changed=bool(data.get("changed", False)),
            event_date=data.get("event_date"),
            first_seen=_from_iso(data.get("first_seen")),
        )


@dataclass(frozen=True, slots=True)
class OutletCoverage:
    outlet: str
    articles: int
    original: int  # articles the outlet published itself
    via: tuple[str, ...]  # aggregators or wires its copies came through
    first_at: datetime | None
    first_article: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "outlet": self.outlet,
            "articles": self.articles,
            "original": self.original,
            "via": list(self.via),
            "first_at": _iso(self.first_at),
            "first_article": self.first_article,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> OutletCoverage:
        return cls(
            outlet=data["outlet"],
            articles=int(data["articles"]),
            original=int(data["original"]),
            via=tuple(data.get("via", ())),
            first_at=_from_iso(data.get("first_at")),
            first_article=data["first_article"],
        )


@dataclass(frozen=True, slots=True)
class Contribution:
    """What one article adds: its sentences no earlier article of the story said."""

    article_id: str
    outlet: str | None
    at: datetime | None
    copy_of: str | None  # the original when the article is a syndicated copy
    sentences: tuple[SummarySentence, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "article_id": self.article_id,
            "outlet": self.outlet,
            "at": _iso(self.at),
            "copy_of": self.copy_of,
            "sentences": [s.to_dict() for s in self.sentences],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Contribution:
        return cls(
            article_id=data["article_id"],
            outlet=data.get("outlet"),
            at=_from_iso(data.get("at")),
            copy_of=data.get("copy_of"),
            sentences=tuple(SummarySentence.from_dict(s) for s in data.get("sentences", ())),
        )


@dataclass(frozen=True, slots=True)
class Claim:
    """A main claim of the story and, per outlet, whether it states or omits it."""

    text: str
    citations: tuple[Citation, ...]
    states: tuple[str, ...]  # outlets with an article that says it
    omits: tuple[str, ...]  # outlets covering the story without saying it

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "citations": [c.to_dict() for c in self.citations],
            "states": list(self.states),
            "omits": list(self.omits),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        return cls(
            data["text"],
            _citations(data["citations"]),
            tuple(data.get("states", ())),
            tuple(data.get("omits", ())),
        )


@dataclass(frozen=True, slots=True)
class Coverage:
    outlets: tuple[OutletCoverage, ...]  # by first report
    first_report: Citation | None  # the earliest article's lead
    first_outlet: str | None
    first_at: datetime | None
    volume: tuple[tuple[str, int], ...]  # (day, articles that day), in day order
    unique_contributions: tuple[Contribution, ...]  # in time order (seen_at, then stream order)
    claims: tuple[Claim, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "outlets": [o.to_dict() for o in self.outlets],
            "first_report": (
                {
                    **self.first_report.to_dict(),
                    "outlet": self.first_outlet,
                    "at": _iso(self.first_at),
                }
                if self.first_report is not None
                else None
            ),
            "volume": [{"day": day, "articles": count} for day, count in self.volume],
            "unique_contributions": [c.to_dict() for c in self.unique_contributions],
            "claims": [c.to_dict() for c in self.claims],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Coverage:
        first = data.get("first_report")
        return cls(
            outlets=tuple(OutletCoverage.from_dict(o) for o in data.get("outlets", ())),
            first_report=Citation.from_dict(first) if first else None,
            first_outlet=first.get("outlet") if first else None,
            first_at=_from_iso(first.get("at")) if first else None,
            volume=tuple((v["day"], int(v["articles"])) for v in data.get("volume", ())),
            unique_contributions=tuple(
                Contribution.from_dict(c) for c in data.get("unique_contributions", ())
            ),
            claims=tuple(Claim.from_dict(c) for c in data.get("claims", ())),
        )


@dataclass(frozen=True, slots=True)
class StoryEntity:
    key: str
    name: str
    type: EntityType
    articles: int  # how many of the story's articles name it
    mentions: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "type": str(self.type),
            "articles": self.articles,
            "mentions": self.mentions,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StoryEntity:
        return cls(
            data["key"], data["name"], EntityType(data["type"]), int(data["articles"]), int(data["mentions"])
        )


@dataclass(frozen=True, slots=True)
class StorySynthesis:
    """What a story says, at a glance: a pure function of its articles and their enrichments."""

    story_id: str
    title: str
    title_citation: Citation | None
    summary: tuple[SummarySentence, ...]
    timeline: tuple[TimelineEntry, ...]  # in date order
    quotes: tuple[QuoteEntry, ...]  # by speaker prominence, then time
    figures: tuple[FigureEntry, ...]
    coverage: Coverage
    entities: tuple[StoryEntity, ...]  # most covered first
    article_count: int
    members_hash: str  # which articles (and enrichment versions) it was built from
    version: str  # SYNTHESIS_VERSION

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.story_id,
            "title": self.title,
            "title_citation": self.title_citation.to_dict() if self.title_citation else None,
            "summary": [s.to_dict() for s in self.summary],
            "timeline": [t.to_dict() for t in self.timeline],
            "quotes": [q.to_dict() for q in self.quotes],
            "figures": [f.to_dict() for f in self.figures],
            "coverage": self.coverage.to_dict(),
            "entities": [e.to_dict() for e in self.entities],
            "article_count": self.article_count,
            "members_hash": self.members_hash,
            "synthesis_version": self.version,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StorySynthesis:
        """The inverse of ``to_dict`` (up to its rounding of timeline importance): how the store reads one back."""
        title_citation = data.get("title_citation")
        return cls(
            story_id=data["id"],
            title=data["title"],
            title_citation=Citation.from_dict(title_citation) if title_citation else None,
            summary=tuple(SummarySentence.from_dict(s) for s in data.get("summary", ())),
            timeline=tuple(TimelineEntry.from_dict(t) for t in data.get("timeline", ())),
            quotes=tuple(QuoteEntry.from_dict(q) for q in data.get("quotes", ())),
            figures=tuple(FigureEntry.from_dict(f) for f in data.get("figures", ())),
            coverage=Coverage.from_dict(data.get("coverage") or {}),
            entities=tuple(StoryEntity.from_dict(e) for e in data.get("entities", ())),
            article_count=int(data["article_count"]),
            members_hash=data["members_hash"],
            version=data["synthesis_version"],
        )


@dataclass(frozen=True, slots=True)
class StoryDelta:
    """What a story gained since a moment: everything Dateline first ingested after ``since``.

    "New" is judged by ingest time, not publication time: a backfilled article about last week is
    news to the reader who looked yesterday.
    """

    story_id: str
    title: str
    since: datetime  # naive UTC
    article_count: int  # the story's articles now
    article_ids: tuple[str, ...]  # articles ingested after SINCE, in stream order
    outlets: tuple[OutletCoverage, ...]  # outlets whose first article of the story arrived after SINCE
    summary: tuple[SummarySentence, ...]  # summary lines first reported by a new article
    timeline: tuple[TimelineEntry, ...]
    quotes: tuple[QuoteEntry, ...]
    figures: tuple[FigureEntry, ...]  # quantities first reported after SINCE
    revised_figures: tuple[FigureEntry, ...]  # known quantities that a new article gives another value for
    contributions: tuple[Contribution, ...]  # what each new article adds, in stream order

    @property
    def empty(self) -> bool:
        return not self.article_ids

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.story_id,
            "title": self.title,
            "since": self.since.isoformat(),
            "article_count": self.article_count,
            "new_articles": list(self.article_ids),
            "new_outlets": [o.to_dict() for o in self.outlets],
            "summary": [s.to_dict() for s in self.summary],
            "timeline": [t.to_dict() for t in self.timeline],
            "quotes": [q.to_dict() for q in self.quotes],
            "figures": [f.to_dict() for f in self.figures],
            "revised_figures": [f.to_dict() for f in self.revised_figures],
            "contributions": [c.to_dict() for c in self.contributions],
        }


# --- The reader: what a person follows --------------------------------------------


class FollowKind(StrEnum):
    SEARCH = "search"  # target: the query text
    ENTITY = "entity"  # target: Entity.key
    STORY = "story"  # target: Story.id


@dataclass(frozen=True, slots=True)
class Follow:
    """A search, entity or story the reader follows; what arrived after ``last_seen_at`` is unread."""

    id: int
    kind: FollowKind
    target: str
    label: str
    created_at: datetime
    last_seen_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind.value,
            "target": self.target,
            "label": self.label,
            "created_at": self.created_at.isoformat(),
            "last_seen_at": self.last_seen_at.isoformat(),
        }


# Readers for the synthesis records' ``from_dict`` (defined last: called only at run time).


def _from_iso(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _float_or_none(value: Any) -> float | None:
    return None if value is None else float(value)


def _citations(items: Any) -> tuple[Citation, ...]:
    return tuple(Citation.from_dict(c) for c in items)
