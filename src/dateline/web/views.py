"""What every page shows, as one JSON-able dict per page: the HTML template and the JSON twin both
render the dict a view function returns (datasette's habit), so the two can never disagree.

View functions read the store and call the pipeline's use cases; they hold no SQL and write nothing
except the reader's own state (visits, follows), which the app calls explicitly.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

from dateline.errors import SynthesisError
from dateline.models import Article, Enrichment, FollowKind, StoryDelta, StorySynthesis
from dateline.store.reader import MATCH_END, MATCH_START, StoryActivity, StoryFilters
from dateline.store.sqlite import SqliteStore
from dateline.times import naive_utc
from dateline.web.trending import rank_trending

PAGE_SIZE = 30
SEARCH_PAGE_SIZE = 20
MAX_PAGE = 500  # deeper pages are refused: OFFSET scans grow with the page number
TRENDING_WINDOW_DAYS = 7
RELATED_STORIES = 6
RELATED_ENTITIES = 6  # the story's most present entities that related stories are found through


class NotFound(LookupError):
    """The page names nothing in the store (the app answers 404)."""


@dataclass(frozen=True, slots=True)
class Page:
    number: int = 1
    size: int = PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size


# ---------------------------------------------------------------- front page


@dataclass(frozen=True, slots=True)
class Ranking:
    """The front page's ranked stories for one set of filters, before paging and reader state."""

    reference: datetime  # the clock the score is computed at (naive UTC)
    window_start: datetime
    ranked: tuple[tuple[StoryActivity, float], ...]
    store_has_stories: bool


def rank_stories(store: SqliteStore, filters: StoryFilters, *, now: datetime | None = None) -> Ranking:
    """Stories active in the trending window, ranked by the trending score (web.trending). It reads
    every member of those stories, so the app caches it for a few seconds per set of filters."""
    latest = store.latest_activity()
    current = naive_utc(now or datetime.now(UTC))
    reference = min(current, latest) if latest else current
    if filters.until is not None:
        reference = min(reference, filters.until)
    window_start = filters.since or reference - timedelta(days=TRENDING_WINDOW_DAYS)
    activities = store.story_activity(reference=reference, window_start=window_start, filters=filters)
    return Ranking(reference, window_start, tuple(rank_trending(activities, reference)), latest is not None)


def front_page(
    store: SqliteStore,
    *,
    filters: StoryFilters,
    page: Page,
    facets: dict[str, list[str]] | None = None,
    ranking: Ranking | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """A page of RANKING (computed now when not given), with one-line summaries and what each story
    gained since the reader last opened it."""
    ranking = ranking or rank_stories(store, filters, now=now)
    shown = ranking.ranked[page.offset : page.offset + page.size]
    ids = [activity.story_id for activity, _ in shown]
    lines = _summary_lines(store, ids)
    visits = store.story_visit_counts(ids)
    stories = []
    for activity, score in shown:
        visited_at, new_since_visit = visits.get(activity.story_id, (None, None))
        stories.append(
            {
                "id": activity.story_id,
                "title": activity.title,
                "summary": lines.get(activity.story_id, ""),
                "score": round(score, 4),
                "articles": activity.articles,
                "outlets": activity.outlets,
                "outlet_names": list(activity.outlet_names[:8]),
                "languages": list(activity.languages),
                "first_seen": activity.first_seen.isoformat(),
                "last_seen": activity.last_seen.isoformat(),
                "articles_last_day": activity.articles_day,
                "outlets_last_day": activity.outlets_day,
                "thread_id": activity.thread_id,
                "visited_at": visited_at.isoformat() if visited_at else None,
                "new_since_visit": new_since_visit,
            }
        )
    return {
        "kind": "front",
        "reference_time": ranking.reference.isoformat(),
        "window_start": ranking.window_start.isoformat(),
        "filters": _filters_dict(filters),
        "stories": stories,
        "total": len(ranking.ranked),
        "page": _pagination(page, has_next=page.offset + page.size < len(ranking.ranked)),
        "facets": facets,
        "empty_store": not stories and not store.has_articles(),
        "source_count": len(store.list_sources()),
        "earlier": (
            {"until": ranking.window_start.isoformat(timespec="seconds")}
            if ranking.ranked or ranking.store_has_stories
            else None
        ),
    }


def filter_facets(store: SqliteStore) -> dict[str, list[str]]:
    """The languages and outlets the filter menus offer: the most common in the store. A scan of every
    article, so callers cache it (the app keeps it a minute)."""
    return {
        "languages": [value for value, _ in store.facet_values("language", limit=20)],
        "outlets": [value for value, _ in store.facet_values("outlet", limit=60)],
    }


def _summary_lines(store: SqliteStore, story_ids: Sequence[str]) -> dict[str, str]:
    """The first summary sentence of each cached synthesis, else the lead of the story's first article.

    Listing pages never build a synthesis (that is the scheduler's and the story page's job)."""
    lines = {}
    for story_id, data in store.cached_syntheses(story_ids).items():
        try:
            summary = json.loads(data).get("summary") or []
        except ValueError:
            continue
        if summary:
            lines[story_id] = str(summary[0].get("text", ""))
    missing = [i for i in story_ids if i not in lines]
    for story_id, lead in store.story_lead_texts(missing).items():
        lines[story_id] = _one_line(lead)
    return lines


def _one_line(text: str, limit: int = 280) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + "…"


# ---------------------------------------------------------------- story page


def story_page(store: SqliteStore, story_id: str, *, since: datetime | None = None) -> dict[str, Any]:
    """A story's synthesis with its sources numbered, its articles (copies folded under their
    originals with what each adds), related stories and its place in its thread; with SINCE (the
    reader's last visit), what the story gained after it."""
    resolved = store.resolve_story_id(story_id, prefix=True)
    story = store.get_story(resolved) if resolved else None
    if story is None:
        raise NotFound(f"no story {story_id}")
    from dateline.pipeline import story_synthesis

    synthesis: StorySynthesis | None
    error = None
    try:
        synthesis = story_synthesis(store, story.id)
    except SynthesisError as exc:  # the page still lists the articles; the error is in the log too
        synthesis, error = None, str(exc)
    members = store.story_members(story.id)
    synthesis_data = synthesis.to_dict() if synthesis else None
    cited = _cited_ids(synthesis_data)
    labels = store.article_titles(list(dict.fromkeys([*cited, *(m.article_id for m in members)])))
    sources = [
        {
            "n": n,
            "article_id": article_id,
            "title": labels.get(article_id, (None, None))[0],
            "outlet": labels.get(article_id, (None, None))[1],
        }
        for n, article_id in enumerate(cited, start=1)
    ]
    adds = _copy_additions(synthesis)
    originals: dict[str, dict[str, Any]] = {}
    copies: list[dict[str, Any]] = []
    for member in members:
        entry: dict[str, Any] = {
            "id": member.article_id,
            "title": member.title,
            "outlet": member.outlet,
            "outlet_warning": outlet_warning(member.outlet),
            "url": safe_url(member.url),
            "published_at": member.published_at,
            "language": member.language,
            "duplicate_of": member.duplicate_of,
            "adds": adds.get(member.article_id, []),
            "copies": [],
        }
        if member.duplicate_of:
            copies.append(entry)
        else:
            originals[member.article_id] = entry
    for entry in copies:
        original = originals.get(entry["duplicate_of"])
        if original is not None:
            original["copies"].append(entry)
        else:  # the original is in another story (or gone): list the copy on its own
            originals[entry["id"]] = entry
    entity_keys = [e.key for e in synthesis.entities[:RELATED_ENTITIES]] if synthesis else []
    related_ids = store.stories_mentioning(entity_keys, exclude=story.id, limit=RELATED_STORIES)
    related_stories = {s.id: s for s in store.stories_by_id([i for i, _ in related_ids])}
    follow = store.find_follow(FollowKind.STORY, story.id)
    changes = None
    # Only a story that gained articles since SINCE has changes; finding that out is one query, the
    # delta reads every member article.
    if since is not None and synthesis is not None:
        stored_clock = naive_utc(since).replace(tzinfo=UTC)  # ingest times are stored as UTC ISO
        if store.articles_ingested_since([m.article_id for m in members], stored_clock):
            from dateline.synthesize.delta import changes_since

            articles = [a for a in (store.get_article(m.article_id) for m in members) if a is not None]
            changes = changes_since(synthesis, since, articles).to_dict()
        else:
            changes = StoryDelta(
                synthesis.story_id,
                synthesis.title,
                naive_utc(since),
                len(members),
                (),
                (),
                (),
                (),
                (),
                (),
                (),
                (),
            ).to_dict()
    return {
        "kind": "story",
        "story": {k: v for k, v in story.to_dict().items() if k != "article_ids"}
        | {"article_count": len(members)},
        "synthesis": synthesis_data,
        "synthesis_error": error,
        "sources": sources,
        "articles": list(originals.values()),
        "related": [
            {
                "id": i,
                "title": related_stories[i].title,
                "shared_entities": shared,
                "last_seen": related_stories[i].last_seen.isoformat(),
                "articles": len(related_stories[i].article_ids),
            }
            for i, shared in related_ids
            if i in related_stories
        ],
        "thread": _thread_navigation(store, story.thread_id, story.id),
        "follow_id": follow.id if follow else None,
        "since": since.isoformat() if since else None,
        "changes_since": changes,
    }


def _cited_ids(data: dict[str, Any] | None) -> list[str]:
    """Article ids in the order the page first cites them (DATA: a synthesis's dict): the [n] numbers of
    the sources list."""
    if data is None:
        return []
    order: dict[str, None] = {}
    for section in ("summary", "timeline", "quotes", "figures"):
        for item in data.get(section) or []:
            for citation in item.get("citations") or []:
                order.setdefault(citation["article_id"], None)
    return list(order)


def _copy_additions(synthesis: StorySynthesis | None) -> dict[str, list[str]]:
    if synthesis is None:
        return {}
    return {
        contribution.article_id: [sentence.text for sentence in contribution.sentences]
        for contribution in synthesis.coverage.unique_contributions
    }


def _thread_navigation(store: SqliteStore, thread_id: str | None, story_id: str) -> dict[str, Any] | None:
    if thread_id is None:
        return None
    thread = store.get_thread(thread_id)
    if thread is None or story_id not in thread.story_ids:
        return None
    position = thread.story_ids.index(story_id)
    neighbours = {s.id: s for s in store.stories_by_id(list(thread.story_ids))}

    def brief(index: int) -> dict[str, Any] | None:
        if not 0 <= index < len(thread.story_ids) or thread.story_ids[index] not in neighbours:
            return None
        found = neighbours[thread.story_ids[index]]
        return {"id": found.id, "title": found.title, "first_seen": found.first_seen.isoformat()}

    return {
        "id": thread.id,
        "title": thread.title,
        "position": position + 1,
        "count": len(thread.story_ids),
        "previous": brief(position - 1),
        "next": brief(position + 1),
        "stories": [b for b in (brief(i) for i in range(len(thread.story_ids))) if b],
    }


# ---------------------------------------------------------------- article page


def article_page(store: SqliteStore, article_id: str, *, highlight: str | None = None) -> dict[str, Any]:
    """An article's clean text with its facts as annotations (character offsets into its fields), the
    passage a citation points at, its copies and its story."""
    article = store.get_article(article_id)
    if article is None:
        raise NotFound(f"no article {article_id}")
    enrichment = store.get_enrichment(article.id)
    from dateline.pipeline import article_copies

    copies = article_copies(store, article)
    story_id = store.story_of_article(article.id)
    story = store.get_story(story_id) if story_id else None
    original = store.get_article(article.duplicate_of) if article.duplicate_of else None
    data = article.to_dict()
    data["url"] = safe_url(article.url)
    return {
        "kind": "article",
        "article": data,
        "outlet_warning": outlet_warning(article.outlet),
        "source_host": display_host(article.url),
        "annotations": fact_spans(enrichment) if enrichment else [],
        "entities": [
            {"key": e.key, "name": e.name, "type": str(e.type)}
            for e in (enrichment.entities if enrichment else ())
        ],
        "highlight": parse_highlight(highlight, article),
        "story": {"id": story.id, "title": story.title} if story else None,
        "original": {"id": original.id, "title": original.title, "outlet": original.outlet}
        if original
        else None,
        "copies": [
            {
                "id": c.article.id,
                "title": c.article.title,
                "outlet": c.article.outlet,
                "similarity": c.similarity,
                "added_paragraphs": len(c.differences.added),
                "headline_changed": c.differences.headline_changed,
            }
            for c in copies
        ],
    }


def fact_spans(enrichment: Enrichment) -> list[dict[str, Any]]:
    """Entities, quotes, figures and dates of an article as spans over its text."""
    spans: list[dict[str, Any]] = []
    for mention in enrichment.mentions:
        spans.append(
            {
                "kind": "entity",
                "start": mention.start,
                "end": mention.end,
                "type": str(mention.type),
                "entity": mention.entity,
            }
        )
    for quote in enrichment.quotes:
        spans.append(
            {
                "kind": "quote",
                "start": quote.start,
                "end": quote.end,
                "speaker": quote.speaker,
                "speaker_entity": quote.speaker_entity,
            }
        )
    for figure in enrichment.figures:
        spans.append(
            {
                "kind": "figure",
                "start": figure.start,
                "end": figure.end,
                "value": figure.value,
                "unit": figure.unit,
                "counted": figure.counted,
            }
        )
    for expression in enrichment.dates:
        spans.append(
            {"kind": "date", "start": expression.start, "end": expression.end, "value": expression.value}
        )
    spans.sort(key=lambda s: (s["start"], -s["end"]))
    return spans


def parse_highlight(value: str | None, article: Article) -> dict[str, Any] | None:
    """``field:start-end`` (or ``start-end`` in the text), as a citation link carries it; None if it
    does not fit inside the article."""
    if not value:
        return None
    field, _, span = value.rpartition(":")
    field = field or "text"
    start_text, _, end_text = span.partition("-")
    try:
        start, end = int(start_text), int(end_text)
    except ValueError:
        return None
    length = len(
        {"text": article.text, "standfirst": article.standfirst or "", "title": article.title or ""}.get(
            field, ""
        )
    )
    if field not in ("text", "standfirst", "title") or not 0 <= start < end <= length:
        return None
    return {"field": field, "start": start, "end": end}


# ---------------------------------------------------------------- search


@dataclass(frozen=True, slots=True)
class SearchRequest:
    query: str
    outlet: str | None = None
    language: str | None = None
    since: str | None = None  # ISO day
    until: str | None = None
    entity: str | None = None  # entity key
    sort: str = "relevance"  # or "date"


def search_page(
    store: SqliteStore, request: SearchRequest, page: Page, *, facets: dict[str, list[str]] | None = None
) -> dict[str, Any]:
    hits = (
        store.search_articles(
            request.query,
            outlet=request.outlet,
            language=request.language,
            since=request.since,
            until=request.until,
            entity_key=request.entity,
            sort=request.sort,
            limit=page.size + 1,
            offset=page.offset,
        )
        if request.query.strip()
        else []
    )
    shown = hits[: page.size]
    follow = store.find_follow(FollowKind.SEARCH, request.query.strip()) if request.query.strip() else None
    return {
        "kind": "search",
        "query": request.query,
        "filters": {
            "outlet": request.outlet,
            "language": request.language,
            "since": request.since,
            "until": request.until,
            "entity": request.entity,
            "sort": request.sort,
        },
        "results": [
            {
                "id": hit.article.id,
                "title": hit.article.title,
                "title_parts": marked_parts(hit.title_marked),
                "outlet": hit.article.outlet,
                "published_at": hit.article.published_at.isoformat() if hit.article.published_at else None,
                "language": hit.article.language,
                "snippet_parts": marked_parts(hit.snippet),
                "story_id": hit.story_id,
                "duplicate_of": hit.article.duplicate_of,
            }
            for hit in shown
        ],
        "page": _pagination(page, has_next=len(hits) > page.size),
        "follow_id": follow.id if follow else None,
        "facets": facets,
    }


def marked_parts(text: str) -> list[dict[str, Any]]:
    """FTS5 snippet text with its match markers as parts: [{"text", "match"}], escaped by the renderer."""
    parts: list[dict[str, Any]] = []
    rest = text
    while rest:
        start = rest.find(MATCH_START)
        if start < 0:
            parts.append({"text": rest.replace(MATCH_END, ""), "match": False})
            break
        if start:
            parts.append({"text": rest[:start].replace(MATCH_END, ""), "match": False})
        end = rest.find(MATCH_END, start)
        end = len(rest) if end < 0 else end
        parts.append({"text": rest[start + 1 : end], "match": True})
        rest = rest[end + 1 :]
    return [p for p in parts if p["text"]]


# ---------------------------------------------------------------- entity page


def entity_page(store: SqliteStore, key: str) -> dict[str, Any]:
    entity = store.get_entity(key)
    if entity is None:
        raise NotFound(f"no entity {key}")
    story_rows = store.entity_timeline(entity.key, limit=50)
    found = {s.id: s for s in store.stories_by_id([row[0] for row in story_rows])}
    quotes = store.list_quotes(speaker_keys=[entity.key], limit=100)
    follow = store.find_follow(FollowKind.ENTITY, entity.key)
    return {
        "kind": "entity",
        "entity": {
            "key": entity.key,
            "name": entity.name,
            "type": str(entity.type),
            "aliases": list(entity.aliases),
            "roles": list(entity.roles),
            "mentions": entity.mention_count,
        },
        "stories": [
            {
                "id": story_id,
                "title": found[story_id].title,
                "mentions": mentions,
                "first_seen": found[story_id].first_seen.isoformat(),
                "last_seen": last_seen,
                "articles": len(found[story_id].article_ids),
            }
            for story_id, mentions, last_seen in story_rows
            if story_id in found
        ],
        "quotes": [
            {
                "text": q.quote.text,
                "kind": str(q.quote.kind),
                "cue": q.quote.cue,
                "article_id": q.article_id,
                "title": q.title,
                "outlet": q.outlet,
                "published_at": q.published_at,
                "passage": f"{q.quote.start}-{q.quote.end}",
            }
            for q in sorted(quotes, key=lambda q: q.published_at or "", reverse=True)
        ],
        "follow_id": follow.id if follow else None,
    }


# ---------------------------------------------------------------- follows


def follows_page(store: SqliteStore) -> dict[str, Any]:
    follows = store.list_follows()
    return {
        "kind": "follows",
        "follows": [
            follow.to_dict()
            | {"unread": len(_follow_articles(store, follow.kind, follow.target, follow.last_seen_at))}
            for follow in follows
        ],
    }


def follow_page(store: SqliteStore, follow_id: int) -> dict[str, Any]:
    """What is new for a follow since it was last marked read: the new facts of each story its new
    articles are in (timeline entries, quotes, figures, outlets), not just the articles."""
    follow = store.get_follow(follow_id)
    if follow is None:
        raise NotFound(f"no follow {follow_id}")
    from dateline.pipeline import story_delta

    since = follow.last_seen_at
    new_ids = _follow_articles(store, follow.kind, follow.target, since)
    story_ids = list(dict.fromkeys(store.story_ids_of_articles(new_ids).values()))[:20]
    if follow.kind is FollowKind.STORY and not story_ids and new_ids:
        story_ids = [follow.target]
    changes = []
    for story_id in story_ids:
        try:
            delta = story_delta(store, story_id, since)
        except SynthesisError:
            continue
        if delta is not None:
            changes.append(delta.to_dict())
    titles = store.article_titles(new_ids)
    return {
        "kind": "follow",
        "follow": follow.to_dict(),
        "unread": len(new_ids),
        "new_articles": [
            {"id": i, "title": titles.get(i, (None, None))[0], "outlet": titles.get(i, (None, None))[1]}
            for i in new_ids[:100]
        ],
        "changes": changes,
        "link": follow_target_link(follow.kind, follow.target),
    }


def _follow_articles(store: SqliteStore, kind: FollowKind, target: str, since: datetime) -> list[str]:
    if kind is FollowKind.SEARCH:
        return store.new_article_ids(since, query=target)
    if kind is FollowKind.ENTITY:
        return store.new_article_ids(since, entity_key=target)
    return store.new_article_ids(since, story_id=store.resolve_story_id(target) or target)


def follow_target_link(kind: FollowKind, target: str) -> str:
    from urllib.parse import quote

    if kind is FollowKind.SEARCH:
        return "/search?" + urlencode({"q": target})
    if kind is FollowKind.ENTITY:
        return "/entity/" + quote(target, safe="")
    return "/story/" + quote(target, safe="")


def follow_label(store: SqliteStore, kind: FollowKind, target: str) -> str:
    """A readable name for a new follow; raises NotFound when the target does not exist."""
    if kind is FollowKind.SEARCH:
        if not target.strip():
            raise NotFound("an empty search cannot be followed")
        return f"“{target.strip()}”"
    if kind is FollowKind.ENTITY:
        entity = store.get_entity(target)
        if entity is None:
            raise NotFound(f"no entity {target}")
        return entity.name
    story = store.get_story(store.resolve_story_id(target) or target)
    if story is None:
        raise NotFound(f"no story {target}")
    return story.title


# ---------------------------------------------------------------- shared helpers


def _filters_dict(filters: StoryFilters) -> dict[str, Any]:
    return {
        "since": filters.since.isoformat() if filters.since else None,
        "until": filters.until.isoformat() if filters.until else None,
        "language": filters.language,
        "outlet": filters.outlet,
        "topic": filters.entity_key,
    }


def _pagination(page: Page, *, has_next: bool) -> dict[str, Any]:
    return {
        "number": page.number,
        "size": page.size,
        "previous": page.number - 1 if page.number > 1 else None,
        "next": page.number + 1 if has_next and page.number < MAX_PAGE else None,
    }


def safe_url(url: str | None) -> str | None:
    """URL if it is an http(s) link a reader may follow; javascript:, data: and the rest are dropped."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def display_host(url: str | None) -> str | None:
    """The link's host as the browser will reach it: internationalised names in their ASCII (punycode)
    form, so a look-alike domain cannot pass for the real one."""
    safe = safe_url(url)
    if safe is None:
        return None
    host = urlsplit(safe).hostname or ""
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def outlet_warning(outlet: str | None) -> str | None:
    """A warning when an outlet name mixes scripts (Latin with Cyrillic or Greek look-alikes): the
    homoglyph trick that makes "Reuters" with a Cyrillic "е" pass for the wire."""
    if not outlet:
        return None
    scripts = set()
    for char in outlet:
        if char.isalpha():
            name = unicodedata.name(char, "")
            scripts.add(name.split(" ", 1)[0])
    lookalike = scripts & {"CYRILLIC", "GREEK", "ARMENIAN", "CHEROKEE"}
    if "LATIN" in scripts and lookalike:
        return f"outlet name mixes Latin and {', '.join(sorted(s.title() for s in lookalike))} letters"
    return None
