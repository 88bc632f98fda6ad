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
    DATETIME = "datetime"
    DAY = "day"
    MONTH = "month"
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
