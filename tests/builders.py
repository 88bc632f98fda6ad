"""Records built by hand for tests: one Article builder instead of a copy in every test module."""

from __future__ import annotations

from datetime import datetime

from dateline.models import Article, DateOrigin, DatePrecision, SourceFormat, Story

DEFAULT_INGESTED_AT = datetime(2026, 3, 20, 8, 0)


def make_article(
    article_id: str,
    paragraphs: tuple[str, ...],
    *,
    outlet: str | None = "Example",
    title: str | None = None,
    published_at: datetime | None = None,
    ingested_at: datetime = DEFAULT_INGESTED_AT,
    duplicate_of: str | None = None,
    via: str | None = None,
    url: str | None = None,
    standfirst: str | None = None,
    language: str | None = "en",
    identity: str | None = None,
) -> Article:
    """An HTML-sourced article; its publication date counts as metadata to the second when given."""
    return Article(
        id=article_id,
        source=f"{article_id}.html",
        url=url,
        outlet=outlet,
        via=via,
        title=title,
        authors=(),
        section=None,
        standfirst=standfirst,
        published_at=published_at,
        published_precision=DatePrecision.DATETIME if published_at else DatePrecision.UNKNOWN,
        published_origin=DateOrigin.METADATA if published_at else DateOrigin.NONE,
        language=language,
        paragraphs=paragraphs,
        captions=(),
        source_format=SourceFormat.HTML,
        ingested_at=ingested_at,
        identity=identity or article_id,
        duplicate_of=duplicate_of,
    )


def make_story(
    story_id: str, first_seen: datetime, last_seen: datetime, *, thread_id: str | None = None
) -> Story:
    """A story record as the clusterer saves it, before its articles are attached."""
    return Story(
        id=story_id,
        title=f"Story {story_id}",
        article_ids=(),
        outlets=(),
        languages=(),
        first_seen=first_seen,
        last_seen=last_seen,
        thread_id=thread_id,
        algorithm="cluster.v1",
    )
