"""The JSON API's response shapes, as pydantic models: what each ``/api/...`` endpoint returns.

The views (``web.views``) build plain dicts and the app serialises them itself, so these models do not
shape any response: they document it. The app names them in each route's ``responses`` so that the
OpenAPI schema at ``/api/openapi.json`` describes the bodies, and the API tests validate every response
against them (an endpoint that drifts from its documented shape fails there, not in a client).

Shapes the views build themselves are closed (an undocumented key is an error); the records that
``models.py`` serialises (articles, syntheses, sources, the scheduler's status) are open, since their
``to_dict`` may grow fields that clients are free to ignore. Times are ISO 8601 strings: naive UTC for
story times (the clustering clock), with an offset where the record keeps one.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

IsoTime = Annotated[
    str, Field(pattern=r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", description="ISO 8601 date and time")
]
IsoDay = Annotated[str, Field(pattern=r"^\d{4}-\d{2}-\d{2}$", description="ISO 8601 day")]
Offset = Annotated[int, Field(ge=0, description="character offset into the article's field")]
Count = Annotated[int, Field(ge=0)]
FieldName = Literal["text", "standfirst", "title"]


class Closed(BaseModel):
    """A shape the views build: every key is documented."""

    model_config = ConfigDict(extra="forbid")


class Open(BaseModel):
    """A record serialised by ``models.py``: documented keys, and possibly more."""

    model_config = ConfigDict(extra="allow")


class ErrorDetail(Closed):
    """What a 404 (no such story, article, entity or follow) or a 400 answers."""

    detail: str


# ---------------------------------------------------------------- shared parts


class PageInfo(Closed):
    number: int = Field(ge=1)
    size: int = Field(ge=1)
    previous: int | None = Field(ge=1, description="the previous page's number, None on the first")
    next: int | None = Field(ge=2, description="the next page's number, None on the last")


class Facets(Closed):
    """Values for the filter menus: the most common languages and outlets of original articles."""

    languages: list[str]
    outlets: list[str]


class MarkedPart(Closed):
    """A piece of a search title or snippet; ``match`` pieces are the words the query matched."""

    text: str = Field(min_length=1)
    match: bool


class Citation(Open):
    """Where words come from: a span of an article's text (or standfirst, or title)."""

    article_id: str
    start: Offset
    end: Offset
    field: FieldName = "text"


# ---------------------------------------------------------------- front page


class FrontFilters(Closed):
    since: IsoTime | None
    until: IsoTime | None
    language: str | None
    outlet: str | None
    topic: str | None = Field(description="an entity key: stories with an article that mentions it")


class FrontStory(Closed):
    id: str
    title: str
    summary: str = Field(description="the synthesis's first summary line, else the lead of the first article")
    score: float = Field(ge=0, description="the trending score (web.trending)")
    articles: int = Field(ge=1)
    outlets: Count
    outlet_names: list[str]
    languages: list[str]
    first_seen: IsoTime
    last_seen: IsoTime
    articles_last_day: Count
    outlets_last_day: Count
    thread_id: str | None
    visited_at: IsoTime | None
    new_since_visit: int | None = Field(
        ge=0, description="articles ingested since the last visit; None: never"
    )


class EarlierLink(Closed):
    until: IsoTime


class FrontPage(Closed):
    """``GET /api/front``: stories ranked by the trending score."""

    kind: Literal["front"]
    reference_time: IsoTime
    window_start: IsoTime
    filters: FrontFilters
    stories: list[FrontStory]
    total: Count
    page: PageInfo
    facets: Facets
    empty_store: bool
    source_count: Count
    earlier: EarlierLink | None


# ---------------------------------------------------------------- story page (and its synthesis)


class StoryRecord(Open):
    id: str
    title: str
    outlets: list[str]
    languages: list[str]
    first_seen: IsoTime
    last_seen: IsoTime
    thread_id: str | None
    algorithm: str
    article_count: Count


class SummarySentence(Open):
    text: str
    citations: list[Citation]


class TimelineEntry(Open):
    date: str = Field(description='ISO 8601 at its precision: "2025-11-30", "2025-W48", "2025-11", "2025"')
    precision: str
    text: str
    planned: bool
    citations: list[Citation]
    importance: float
    basis: str
    first_seen: IsoTime | None


class QuoteVariant(Open):
    text: str
    outlet: str | None
    citation: Citation


class QuoteEntry(Open):
    speaker: str | None
    speaker_entity: str | None
    text: str
    kind: str
    citations: list[Citation]
    variants: list[QuoteVariant]
    first_outlet: str | None
    first_at: IsoTime | None
    first_seen: IsoTime | None


class FigureReport(Open):
    value: float
    value_max: float | None
    qualifier: str | None
    text: str
    outlet: str | None
    at: IsoTime | None
    citation: Citation


class FigureEntry(Open):
    value: float
    value_max: float | None
    unit: str | None
    counted: str | None
    text: str
    citations: list[Citation]
    reports: list[FigureReport]
    disagreement: bool
    changed: bool
    event_date: str | None
    first_seen: IsoTime | None


class OutletCoverage(Open):
    outlet: str
    articles: Count
    original: Count
    via: list[str]
    first_at: IsoTime | None
    first_article: str


class FirstReport(Citation):
    outlet: str | None
    at: IsoTime | None


class VolumeDay(Open):
    day: str
    articles: Count


class Contribution(Open):
    article_id: str
    outlet: str | None
    at: IsoTime | None
    copy_of: str | None
    sentences: list[SummarySentence]


class Claim(Open):
    text: str
    citations: list[Citation]
    states: list[str]
    omits: list[str]


class Coverage(Open):
    outlets: list[OutletCoverage]
    first_report: FirstReport | None
    volume: list[VolumeDay]
    unique_contributions: list[Contribution]
    claims: list[Claim]


class StoryEntity(Open):
    key: str
    name: str
    type: str
    articles: Count
    mentions: Count


class Synthesis(Open):
    """A story's synthesis (``StorySynthesis.to_dict``): every sentence cites its source passages."""

    id: str
    title: str
    title_citation: Citation | None
    summary: list[SummarySentence]
    timeline: list[TimelineEntry]
    quotes: list[QuoteEntry]
    figures: list[FigureEntry]
    coverage: Coverage
    entities: list[StoryEntity]
    article_count: Count
    members_hash: str
    synthesis_version: str


class StoryChanges(Open):
    """What a story gained since the follow was last read (``StoryDelta.to_dict``)."""

    id: str
    title: str
    since: IsoTime
    article_count: Count
    new_articles: list[str]
    new_outlets: list[OutletCoverage]
    summary: list[SummarySentence]
    timeline: list[TimelineEntry]
    quotes: list[QuoteEntry]
    figures: list[FigureEntry]
    revised_figures: list[FigureEntry]
    contributions: list[Contribution]


class SourceRef(Closed):
    """One numbered source of the story page: ``[n]`` in the citations."""

    n: int = Field(ge=1)
    article_id: str
    title: str | None
    outlet: str | None


class StoryArticle(Closed):
    id: str
    title: str | None
    outlet: str | None
    outlet_warning: str | None = Field(description="set when the outlet name mixes scripts (a look-alike)")
    url: str | None = Field(description="the article's http(s) address; any other scheme is dropped")
    published_at: str | None
    language: str | None
    duplicate_of: str | None
    adds: list[str] = Field(description="sentences this article adds that no earlier article said")
    copies: list[StoryArticle] = Field(description="syndicated copies folded under this original")


class RelatedStory(Closed):
    id: str
    title: str
    shared_entities: int = Field(ge=1)
    last_seen: IsoTime
    articles: Count


class ThreadStory(Closed):
    id: str
    title: str
    first_seen: IsoTime


class ThreadNavigation(Closed):
    id: str
    title: str
    position: int = Field(ge=1)
    count: int = Field(ge=1)
    previous: ThreadStory | None
    next: ThreadStory | None
    stories: list[ThreadStory]


class StoryPage(Closed):
    """``GET /api/stories/{story_id}``: a story's synthesis, articles, related stories and thread."""

    kind: Literal["story"]
    story: StoryRecord
    synthesis: Synthesis | None
    synthesis_error: str | None
    sources: list[SourceRef]
    articles: list[StoryArticle]
    related: list[RelatedStory]
    thread: ThreadNavigation | None
    follow_id: int | None
    since: IsoTime | None = Field(description="the ``since`` asked for (the HTML page: the last visit)")
    changes_since: StoryChanges | None = Field(description="what the story gained after ``since``")


# ---------------------------------------------------------------- article page


class Caption(Open):
    text: str
    credit: str | None = None


class ArticleRecord(Open):
    """An article as the output contract describes it (``Article.to_dict``)."""

    id: str
    source: str
    url: str | None = Field(description="the article's http(s) address; any other scheme is dropped")
    outlet: str | None
    via: str | None
    title: str | None
    authors: list[str]
    section: str | None
    standfirst: str | None
    published_at: IsoTime | None
    published_precision: str
    language: str | None
    text: str = Field(description="the paragraphs joined by a blank line: every offset points into it")
    paragraphs: list[str]
    captions: list[Caption]
    source_format: str
    duplicate_of: str | None
    ingested_at: IsoTime


class EntityAnnotation(Closed):
    kind: Literal["entity"]
    start: Offset
    end: Offset
    type: str
    entity: str = Field(description="the entity key")


class QuoteAnnotation(Closed):
    kind: Literal["quote"]
    start: Offset
    end: Offset
    speaker: str | None
    speaker_entity: str | None


class FigureAnnotation(Closed):
    kind: Literal["figure"]
    start: Offset
    end: Offset
    value: float
    unit: str | None
    counted: str | None


class DateAnnotation(Closed):
    kind: Literal["date"]
    start: Offset
    end: Offset
    value: str | None = Field(description="ISO 8601 at its precision; None when it could not be resolved")


Annotation = Annotated[
    EntityAnnotation | QuoteAnnotation | FigureAnnotation | DateAnnotation, Field(discriminator="kind")
]


class ArticleEntity(Closed):
    key: str
    name: str
    type: str


class Highlight(Closed):
    """The cited passage the page marks (``?hl=field:start-end``), when it fits inside the article."""

    field: FieldName
    start: Offset
    end: Offset


class StoryLink(Closed):
    id: str
    title: str


class ArticleLink(Closed):
    id: str
    title: str | None
    outlet: str | None


class ArticleCopy(Closed):
    id: str
    title: str | None
    outlet: str | None
    similarity: float | None
    added_paragraphs: Count
    headline_changed: bool


class ArticlePage(Closed):
    """``GET /api/articles/{article_id}``: the article with its facts as spans over its text."""

    kind: Literal["article"]
    article: ArticleRecord
    outlet_warning: str | None
    source_host: str | None = Field(description="the link's host in ASCII (punycode) form")
    annotations: list[Annotation]
    entities: list[ArticleEntity]
    highlight: Highlight | None
    story: StoryLink | None
    original: ArticleLink | None = Field(description="the article this one is a copy of")
    copies: list[ArticleCopy]


# ---------------------------------------------------------------- search


class SearchFilters(Closed):
    outlet: str | None
    language: str | None
    since: IsoDay | None
    until: IsoDay | None
    entity: str | None
    sort: Literal["relevance", "date"]


class SearchResult(Closed):
    id: str
    title: str | None
    title_parts: list[MarkedPart]
    outlet: str | None
    published_at: IsoTime | None
    language: str | None
    snippet_parts: list[MarkedPart]
    story_id: str | None
    duplicate_of: str | None


class SearchPage(Closed):
    """``GET /api/search``: articles matching every word, with the matched words marked."""

    kind: Literal["search"]
    query: str
    filters: SearchFilters
    results: list[SearchResult]
    page: PageInfo
    follow_id: int | None
    facets: Facets


# ---------------------------------------------------------------- entity page


class EntityRecord(Closed):
    key: str
    name: str
    type: str
    aliases: list[str]
    roles: list[str]
    mentions: Count


class EntityStory(Closed):
    id: str
    title: str
    mentions: int = Field(ge=1)
    first_seen: IsoTime
    last_seen: IsoTime
    articles: Count


class EntityQuote(Closed):
    text: str
    kind: str
    cue: str | None
    article_id: str
    title: str | None
    outlet: str | None
    published_at: str | None
    passage: str = Field(pattern=r"^\d+-\d+$", description="start-end in the article's text")


class EntityPage(Closed):
    """``GET /api/entities/{key}``: every story and quote of a person, organisation or place."""

    kind: Literal["entity"]
    entity: EntityRecord
    stories: list[EntityStory]
    quotes: list[EntityQuote]
    follow_id: int | None


# ---------------------------------------------------------------- follows


class FollowRecord(Open):
    id: int = Field(ge=1)
    kind: Literal["search", "entity", "story"]
    target: str
    label: str
    created_at: IsoTime
    last_seen_at: IsoTime


class FollowSummary(FollowRecord):
    unread: Count


class FollowsPage(Closed):
    """``GET /api/follows``: what the reader follows, with unread counts."""

    kind: Literal["follows"]
    follows: list[FollowSummary]


class FollowPage(Closed):
    """``GET /api/follows/{follow_id}``: what is new for a follow, as new facts by story."""

    kind: Literal["follow"]
    follow: FollowRecord
    unread: Count
    new_articles: list[ArticleLink]
    changes: list[StoryChanges]
    link: str = Field(description="the page of the followed search, entity or story")


# ---------------------------------------------------------------- sources and background work


class SourceRecord(Open):
    id: int = Field(ge=1)
    url: str
    kind: Literal["feed", "path"]
    title: str | None
    html_url: str | None
    category: str | None
    added_at: IsoTime
    paused: bool
    interval_seconds: int = Field(ge=1)
    next_fetch_at: IsoTime | None
    failures: Count
    last_fetched_at: IsoTime | None
    last_success_at: IsoTime | None
    last_status: str | None
    last_error: str | None
    articles_added: Count


class PassSummary(Open):
    started_at: IsoTime
    finished_at: IsoTime
    sources: Count
    added: Count
    errors: Count
    enriched: Count
    clustered: Count
    synthesized: Count
    cancelled: bool
    crashed: str | None


class SchedulerStatus(Open):
    """The background scheduler's state; the whole field is None when the server runs without one."""

    running: bool
    job: str | None
    current_source: str | None
    started_at: IsoTime | None
    sources_planned: Count
    sources_done: Count
    documents: Count
    passes: Count
    last_pass: PassSummary | None
    errors: list[str]
    refresh_requested: bool


class SourcesPage(Closed):
    """``GET /api/sources``: subscribed sources with their fetch status."""

    kind: Literal["sources"]
    sources: list[SourceRecord]
    status: SchedulerStatus | None


class StatusPage(Closed):
    """``GET /api/status``: the scheduler's current work."""

    kind: Literal["status"]
    status: SchedulerStatus | None


# Each JSON endpoint's path (as the app declares it) and the model of its 200 body.
# ---------------------------------------------------------------- request bodies of the write API


class FollowRequest(Closed):
    """Follow a search (target: the query), an entity (its key) or a story (its id)."""

    kind: Literal["search", "entity", "story"]
    target: str = Field(min_length=1, max_length=500)


class SourceRequest(Closed):
    """Subscribe to a feed URL (or, on loopback, a file or folder on the server's machine)."""

    location: str = Field(min_length=1, max_length=2000)
    title: str | None = Field(default=None, max_length=300)
    interval_minutes: int | None = Field(default=None, ge=5, le=10080)


class SourceChange(Closed):
    """Pause or resume a source."""

    paused: bool


API_MODELS: dict[str, type[BaseModel]] = {
    "/api/front": FrontPage,
    "/api/stories/{story_id}": StoryPage,
    "/api/articles/{article_id}": ArticlePage,
    "/api/search": SearchPage,
    "/api/entities/{key}": EntityPage,
    "/api/follows": FollowsPage,
    "/api/follows/{follow_id}": FollowPage,
    "/api/sources": SourcesPage,
    "/api/status": StatusPage,
}


def responses_for(model: type[BaseModel], *, not_found: bool = False) -> dict[int | str, dict[str, Any]]:
    """A route's ``responses=``: MODEL for its 200 body, and ErrorDetail for the 404 of a route that
    names a record (a story, an article, an entity, a follow)."""
    responses: dict[int | str, dict[str, Any]] = {200: {"model": model, "description": model.__doc__ or "OK"}}
    if not_found:
        responses[404] = {"model": ErrorDetail, "description": "nothing in the store has that id"}
    return responses
