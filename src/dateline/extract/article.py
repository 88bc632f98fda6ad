"""From one raw document to one clean ``Article``: the extraction stage as a pure function.

Format-specific extractors (HTML, text scrape) recover what the page says; this module
merges that with what is known from outside the page (the user's flags, the feed entry
or WARC header), detects the language, and gives the article its stable identity.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass, replace
from datetime import datetime

from dateline.dedupe import canonical_url
from dateline.errors import ExtractionError, UnsupportedFormatError
from dateline.extract.language import detect_language
from dateline.models import (
    Article,
    Caption,
    DateOrigin,
    DocumentHints,
    ExtractedFields,
    PublishedDate,
    RawDocument,
    SourceFormat,
)

# Strongest first: what the user says wins; a date guessed from prose comes last.
_DATE_TRUST: tuple[DateOrigin, ...] = (
    DateOrigin.USER,
    DateOrigin.METADATA,
    DateOrigin.FEED,
    DateOrigin.INPUT,
    DateOrigin.URL,
    DateOrigin.HTMLDATE,
    DateOrigin.TEXT,
    DateOrigin.NONE,
)


# Fewer words than this is a menu, a cookie wall or an error page, not an article (the shortest news
# briefs we keep are one or two sentences).
MIN_ARTICLE_WORDS = 8


@dataclass(frozen=True, slots=True)
class ExtractionOptions:
    max_bytes: int = 50 * 1024 * 1024
    repeated_lines: Collection[str] = frozenset()  # chrome lines seen on many pages of the same site


def article_identity(raw: RawDocument) -> str:
    """What makes two inputs the same article: the URL it lives at, else the container's id, else its bytes.

    A page's own declared canonical URL is deliberately not used: aggregators declare the
    original's URL, and their copy must stay a separate (duplicate) article, not overwrite it.
    """
    canonical = canonical_url(raw.user_hints.url) or canonical_url(raw.context_hints.url)
    if canonical:
        return f"url:{canonical}"
    if raw.identity:
        return raw.identity
    return f"sha256:{raw.sha256}"


def article_id(identity: str) -> str:
    return hashlib.sha256(identity.encode("utf-8")).hexdigest()[:16]


def best_published(*candidates: PublishedDate) -> PublishedDate:
    known = [c for c in candidates if c.known]
    if not known:
        return PublishedDate()
    return min(known, key=lambda c: _DATE_TRUST.index(c.origin))


def _first(*values: str | None) -> str | None:
    for value in values:
        if value and value.strip():
            return value.strip()
    return None


def _clean_paragraphs(paragraphs: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(p.strip() for p in paragraphs if p and p.strip())


def assemble_article(
    raw: RawDocument,
    fields: ExtractedFields,
    source_format: SourceFormat,
    *,
    ingested_at: datetime,
) -> Article:
    """Merge extracted fields with the document's hints: user hints win, container hints fill gaps."""
    user, context = raw.user_hints, raw.context_hints
    paragraphs = _clean_paragraphs(fields.paragraphs)
    words = sum(len(p.split()) for p in paragraphs)
    if words < MIN_ARTICLE_WORDS:
        found = f"only {words} word{'s' if words != 1 else ''}" if words else "nothing"
        raise ExtractionError(f"no article text found ({found} outside page chrome)")
    identity = article_identity(raw)
    published = best_published(user.published, fields.published, context.published)
    text_sample = "\n".join(paragraphs)
    return Article(
        id=article_id(identity),
        source=raw.source,
        url=_first(user.url, fields.url, context.url),
        outlet=_first(user.outlet, fields.outlet, context.outlet),
        via=_first(user.via, fields.via, context.via),
        title=_first(user.title, fields.title, context.title),
        authors=user.authors or fields.authors or context.authors,
        section=_first(user.section, fields.section, context.section),
        standfirst=_first(user.standfirst, fields.standfirst, context.standfirst),
        published_at=published.value,
        published_precision=published.precision,
        published_origin=published.origin,
        language=user.language or detect_language(text_sample) or fields.language or context.language,
        paragraphs=paragraphs,
        captions=tuple(c for c in fields.captions if c.text.strip()),
        source_format=source_format,
        ingested_at=ingested_at,
        identity=identity,
        raw_sha256=raw.sha256,
        extractor=fields.extractor,
    )


def decode_text_scrape(raw: RawDocument, max_bytes: int) -> str:
    """The text of a plain-text document: gunzipped when needed, decoded from its declared or sniffed charset."""
    from dateline.ingest.decode import decode_bytes, maybe_gunzip

    return decode_bytes(maybe_gunzip(raw.content, max_bytes), declared=_charset(raw.media_type))


def extract_article(
    raw: RawDocument,
    source_format: SourceFormat,
    *,
    ingested_at: datetime,
    options: ExtractionOptions | None = None,
    decoded_text: str | None = None,
) -> Article:
    """Extract one HTML page or text scrape. Raises a DatelineError subclass on failure.

    ``decoded_text`` is a text scrape's already-decoded text, when the caller needed it too.
    """
    # Imported here so that a worker process pays for trafilatura only when it meets HTML.
    from dateline.ingest.decode import decode_bytes, maybe_gunzip

    options = options or ExtractionOptions()
    url = raw.user_hints.url or raw.context_hints.url
    if source_format is SourceFormat.HTML:
        from dateline.extract.html import extract_html

        content = maybe_gunzip(raw.content, options.max_bytes)
        charset = _charset(raw.media_type)
        # The HTTP header's charset outranks the page's own <meta>; without one, the page decides.
        fields = extract_html(decode_bytes(content, declared=charset) if charset else content, url=url)
    elif source_format is SourceFormat.TEXT:
        from dateline.extract.text import extract_text_scrape

        fields = extract_text_scrape(
            decoded_text if decoded_text is not None else decode_text_scrape(raw, options.max_bytes),
            url=url,
            repeated_lines=options.repeated_lines,
            reference_date=_reference_date(raw),
        )
    else:
        raise UnsupportedFormatError(f"{source_format} documents are not extracted as single articles")
    return assemble_article(raw, fields, source_format, ingested_at=ingested_at)


def article_from_parts(
    raw: RawDocument,
    hints: DocumentHints,
    paragraphs: tuple[str, ...],
    captions: tuple[Caption, ...],
    *,
    ingested_at: datetime,
) -> Article:
    """An already-extracted record (a JSONL line in our own contract) as an Article."""
    fields = ExtractedFields(
        title=hints.title,
        outlet=hints.outlet,
        via=hints.via,
        authors=hints.authors,
        section=hints.section,
        standfirst=hints.standfirst,
        published=hints.published,
        url=hints.url,
        language=hints.language,
        paragraphs=paragraphs,
        captions=captions,
        extractor="jsonl.v1",
    )
    article = assemble_article(raw, fields, SourceFormat.JSONL, ingested_at=ingested_at)
    if hints.language:  # the record said which language it is in: believe it
        article = replace(article, language=hints.language)
    return article


def _reference_date(raw: RawDocument) -> datetime | None:
    """What "yesterday (30 November)" in a scrape counts from: a known date of the document, or when it was
    fetched from the web (a fetch or a WARC record); a local file's own times say nothing about its article."""
    known = raw.user_hints.published.value or raw.context_hints.published.value
    if known is not None:
        return known
    return raw.fetched_at if "://" in raw.source else None


def _charset(media_type: str | None) -> str | None:
    if not media_type or "charset=" not in media_type.lower():
        return None
    return media_type.lower().split("charset=", 1)[1].split(";")[0].strip().strip('"') or None
