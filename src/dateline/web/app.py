"""The reader's web app: HTML pages and their JSON twins over the same view dicts, Atom feeds, and the
forms that follow things and manage sources.

Every page ``/x`` has its JSON twin under ``/api/x`` (documented at ``/api/openapi.json``, browsable
at ``/api/docs``); both call the same function of ``web.views``. Responses carry ETags and answer
``If-None-Match`` with 304. The app never builds HTML by string concatenation: Jinja templates with
autoescaping render every value, and article text is only ever rendered as text.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import quote, urlencode

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, PackageLoader, select_autoescape
from pydantic import AfterValidator, BeforeValidator
from starlette.exceptions import HTTPException as StarletteHTTPException

from dateline.errors import DatelineError
from dateline.models import FollowKind
from dateline.settings import Settings
from dateline.store.reader import StoryFilters
from dateline.store.sqlite import SqliteStore
from dateline.times import naive_utc
from dateline.web import atom, schemas, views
from dateline.web.security import (
    CSRF_COOKIE,
    CSRF_FIELD,
    AccessPolicy,
    SecurityMiddleware,
    csrf_ok,
    is_loopback,
    new_token,
)
from dateline.web.text import render_segments

MAX_FORM_BYTES = 5 * 1024 * 1024  # an uploaded OPML file; larger posts are refused
FACET_SECONDS = 300.0
RANKING_SECONDS = 15.0  # how stale the front page's order may be (new stories show within this)
VISIT_FLUSH_SECONDS = 2.0
logger = logging.getLogger(__name__)
K = TypeVar("K")
V = TypeVar("V")


# Request parameters, shared by each page and its JSON twin (module level: FastAPI resolves them by name).
PageNumber = Annotated[int, Query(ge=1, le=views.MAX_PAGE, description="1-based page number")]
# An empty date field of a submitted filter form means "no filter", not a malformed date.
_BlankIsNone = BeforeValidator(lambda value: value or None)
# Days far outside any news archive would overflow the date arithmetic of a window: refused (422).
_FIRST_DAY, _LAST_DAY = date(1900, 1, 1), date(9998, 12, 31)


def _day_in_range(value: date | None) -> date | None:
    if value is not None and not _FIRST_DAY <= value <= _LAST_DAY:
        raise ValueError(f"a day between {_FIRST_DAY} and {_LAST_DAY}")
    return value


_InRange = AfterValidator(_day_in_range)
Since = Annotated[
    date | None, _BlankIsNone, _InRange, Query(description="only stories active on or after this day (ISO)")
]
Until = Annotated[
    date | None,
    _BlankIsNone,
    _InRange,
    Query(description="only stories that began on or before this day (ISO)"),
]
Day = Annotated[date | None, _BlankIsNone, _InRange, Query(description="an ISO day")]
Text = Annotated[str | None, Query(max_length=200)]
StoryId = Annotated[
    str, PathParam(description="a story id (an unambiguous prefix is enough)", max_length=200)
]
ArticleId = Annotated[
    str, PathParam(description="an article id (an unambiguous prefix is enough)", max_length=200)
]
EntityKey = Annotated[str, PathParam(description="an entity key, e.g. person:ingrid sol", max_length=300)]
FollowId = Annotated[int, PathParam(description="a follow id", ge=1, le=2**62)]
SourceId = Annotated[int, PathParam(description="a source id", ge=1, le=2**62)]
Highlight = Annotated[
    str | None,
    Query(
        max_length=40, pattern=r"^([a-z]+:)?\d+-\d+$", description="field:start-end of a passage to highlight"
    ),
]
ChangedSince = Annotated[
    datetime | None,
    Query(description="also list what the story gained after this time (ISO, by ingest time)"),
]
Q = Annotated[str, Query(max_length=500, description="words that must all appear (title or text)")]
Sort = Annotated[str, Query(pattern="^(relevance|date)$", description="relevance or date (newest first)")]


def json_write(request: Request) -> None:
    """API writes take JSON: a cross-site page cannot send that without a CORS preflight, which this
    server never grants, so the API needs no CSRF token (off loopback it needs the API token)."""
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != "application/json":
        raise HTTPException(415, "send the request as application/json")


WriteOnly = Annotated[None, Depends(json_write)]


@dataclass
class ReaderConfig:
    """How ``dateline serve`` runs: where the store is, who may connect, whether sources refresh."""

    settings: Settings
    host: str = "127.0.0.1"
    token: str | None = None  # required for every request when set (always set off loopback)
    scheduler: bool = True


class VisitLog:
    """When the reader opened each story, kept in memory and written in batches: a page view must not
    wait for SQLite's single writer while the scheduler is ingesting."""

    def __init__(self) -> None:
        self._pending: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def record(self, story_id: str) -> None:
        with self._lock:
            self._pending[story_id] = datetime.now(UTC)

    def last(self, store: SqliteStore, story_id: str) -> datetime | None:
        with self._lock:
            pending = self._pending.get(story_id)
        return pending or store.story_visit(story_id)

    def flush(self, store: SqliteStore) -> None:
        with self._lock:
            pending, self._pending = self._pending, {}
        if not pending:
            return
        try:
            store.record_story_visits(pending)
        except Exception:  # the store is busy or gone: keep them for the next flush
            with self._lock:
                for story_id, at in pending.items():
                    self._pending.setdefault(story_id, at)
            raise


class BackgroundCache(Generic[K, V]):
    """Values that cost a scan to compute (the filter menus' counts, the front page's ranking), kept per
    key for TTL seconds. A request gets the kept value at once; a stale one is recomputed on a thread
    of its own, and only the first request for a key waits for it."""

    def __init__(self, compute: Callable[[K], V], *, ttl: float, keys: int = 64) -> None:
        self._compute = compute
        self._ttl = ttl
        self._keys = keys
        self._lock = threading.Lock()
        self._values: OrderedDict[K, tuple[V, float]] = OrderedDict()
        self._recounting: set[K] = set()

    def get(self, key: K) -> V:
        with self._lock:
            kept = self._values.get(key)
            stale = kept is not None and time.monotonic() - kept[1] >= self._ttl
            start = stale and key not in self._recounting
            if start:
                self._recounting.add(key)
            if kept is not None:
                self._values.move_to_end(key)
        if kept is None:
            return self._recompute(key)
        if start:
            threading.Thread(target=self._recompute, args=(key,), name="dateline-cache", daemon=True).start()
        return kept[0]

    def _recompute(self, key: K) -> V:
        try:
            value = self._compute(key)
        finally:
            with self._lock:
                self._recounting.discard(key)
        with self._lock:
            self._values[key] = (value, time.monotonic())
            self._values.move_to_end(key)
            while len(self._values) > self._keys:
                self._values.popitem(last=False)
        return value


class StorePool:
    """One SQLite connection per worker thread (WAL lets them read while the scheduler writes)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[SqliteStore] = []
        self._lock = threading.Lock()
        SqliteStore.open(path).close()  # create and migrate once, before any request

    def get(self) -> SqliteStore:
        store = getattr(self._local, "store", None)
        if store is None:
            store = SqliteStore.open(self.path)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()
            self._local = threading.local()  # threads that come back open fresh connections


def create_app(config: ReaderConfig) -> FastAPI:
    if config.token is None and not is_loopback(config.host):
        raise ValueError(f"serving on {config.host} (not loopback) needs an API token")
    pool = StorePool(config.settings.db_path)
    scheduler_box: dict[str, Any] = {}
    visits = VisitLog()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if config.scheduler:
            from dateline.web.scheduler import Scheduler

            scheduler = Scheduler(config.settings)
            scheduler.start()
            scheduler_box["scheduler"] = scheduler
        stop_flushing = threading.Event()

        def flush_visits() -> None:
            while not stop_flushing.wait(VISIT_FLUSH_SECONDS):
                try:
                    visits.flush(pool.get())
                except Exception:
                    logger.warning("could not record story visits yet; will retry", exc_info=True)

        flusher = threading.Thread(target=flush_visits, name="dateline-visits", daemon=True)
        flusher.start()
        try:
            yield
        finally:
            stop_flushing.set()
            flusher.join(timeout=5)
            scheduler = scheduler_box.pop("scheduler", None)
            if scheduler is not None:
                scheduler.stop(timeout=10)
            try:
                visits.flush(pool.get())
            except Exception:
                logger.warning("story visits of the last seconds were not recorded", exc_info=True)
            pool.close()

    app = FastAPI(
        title="Dateline",
        summary="Local-first news intelligence: stories, syntheses, search and follows as JSON.",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/api/openapi.json",
        docs_url=None,  # Swagger UI would load from a CDN: the schema is served, a local viewer is not
        redoc_url=None,
    )
    templates = Environment(
        loader=PackageLoader("dateline.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    templates.filters["segments"] = render_segments
    templates.filters["when"] = _when
    templates.filters["day"] = _day
    templates.globals["quote"] = lambda value: quote(str(value), safe="")
    templates.globals["source_index"] = lambda sources: {source["article_id"]: source for source in sources}
    templates.globals["urlencode"] = lambda pairs: urlencode(
        [(k, v) for k, v in pairs if v not in (None, "")]
    )
    app.state.visits = visits  # the lifespan flushes it every VISIT_FLUSH_SECONDS; tests flush it by hand
    app.mount("/static", StaticFiles(packages=[("dateline.web", "static")]), name="static")

    def store() -> SqliteStore:
        return pool.get()

    facet_cache: BackgroundCache[None, dict[str, list[str]]] = BackgroundCache(
        lambda _: views.filter_facets(pool.get()), ttl=FACET_SECONDS, keys=1
    )
    rankings: BackgroundCache[StoryFilters, views.Ranking] = BackgroundCache(
        lambda filters: views.rank_stories(pool.get(), filters), ttl=RANKING_SECONDS
    )

    def facets() -> dict[str, list[str]]:
        return facet_cache.get(None)

    def scheduler_status() -> dict[str, Any] | None:
        scheduler = scheduler_box.get("scheduler")
        return scheduler.status().to_dict() if scheduler is not None else None

    # ------------------------------------------------------------ rendering

    def etagged(request: Request, body: bytes, media_type: str, *, cookie: str | None = None) -> Response:
        tag = 'W/"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'
        headers = {"ETag": tag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == tag and cookie is None:
            return Response(status_code=304, headers=headers)
        response = Response(body, media_type=media_type, headers=headers)
        if cookie is not None:
            response.set_cookie(CSRF_COOKIE, cookie, httponly=True, samesite="strict", path="/")
        return response

    def as_json(request: Request, data: dict[str, Any]) -> Response:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return etagged(request, body, "application/json")

    def as_html(
        request: Request, template: str, data: dict[str, Any], *, json_url: str | None = None
    ) -> Response:
        csrf = request.cookies.get(CSRF_COOKIE)
        fresh = None
        if not csrf:
            csrf = fresh = new_token()
        page = templates.get_template(template).render(
            data=data,
            csrf_field=CSRF_FIELD,
            csrf_token=csrf,
            json_url=json_url,
            path=request.url.path,
            query=dict(request.query_params),
            status=scheduler_status(),
        )
        return etagged(request, page.encode("utf-8"), "text/html; charset=utf-8", cookie=fresh)

    async def checked_form(request: Request) -> dict[str, Any]:
        """The posted form, after the CSRF check; 403 when it fails."""
        length = int(request.headers.get("content-length") or 0)
        if length > MAX_FORM_BYTES:
            raise HTTPException(413, "form too large")
        form = await request.form(max_part_size=MAX_FORM_BYTES)
        if not csrf_ok(
            form_token=str(form.get(CSRF_FIELD) or ""),
            cookie_token=request.cookies.get(CSRF_COOKIE),
            origin=request.headers.get("origin"),
            host=request.headers.get("host"),
        ):
            raise HTTPException(
                403, "the form's CSRF token is missing or wrong: reload the page and try again"
            )
        return dict(form)

    def error_page(request: Request, status_code: int, message: str) -> Response:
        """An error as JSON for the API and feeds, as a page for a person."""
        if request.url.path.startswith("/api/") or request.url.path.endswith((".json", ".atom", ".opml")):
            return JSONResponse({"detail": message}, status_code=status_code)
        page = templates.get_template("error.html").render(
            data={"kind": "error", "status": status_code, "message": message},
            status=None,
            path=request.url.path,
            query={},
            json_url=None,
            csrf_field=CSRF_FIELD,
            csrf_token="",
        )
        return Response(page, status_code=status_code, media_type="text/html; charset=utf-8")

    @app.exception_handler(views.NotFound)
    async def not_found(request: Request, exc: views.NotFound) -> Response:
        return error_page(request, 404, str(exc))

    @app.exception_handler(DatelineError)
    async def dateline_error(request: Request, exc: DatelineError) -> Response:
        return error_page(request, 400, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        response = error_page(request, exc.status_code, str(exc.detail))
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    # ------------------------------------------------------------ front page

    def front_data(
        page: int,
        since: date | None,
        until: date | None,
        language: str | None,
        outlet: str | None,
        topic: str | None,
    ) -> dict[str, Any]:
        filters = StoryFilters(
            since=_day_start(since),
            until=_day_end(until),
            language=language or None,
            outlet=outlet or None,
            entity_key=topic or None,
        )
        return views.front_page(
            store(), filters=filters, page=views.Page(page), facets=facets(), ranking=rankings.get(filters)
        )

    @app.get("/", include_in_schema=False)
    def front_html(
        request: Request,
        page: PageNumber = 1,
        since: Since = None,
        until: Until = None,
        language: Text = None,
        outlet: Text = None,
        topic: Text = None,
    ) -> Response:
        data = front_data(page, since, until, language, outlet, topic)
        return as_html(request, "front.html", data, json_url=_twin(request, "/api/front"))

    @app.get(
        "/api/front",
        tags=["stories"],
        summary="Stories ranked by the trending score",
        responses=schemas.responses_for(schemas.FrontPage),
    )
    def front_json(
        request: Request,
        page: PageNumber = 1,
        since: Since = None,
        until: Until = None,
        language: Text = None,
        outlet: Text = None,
        topic: Text = None,
    ) -> Response:
        return as_json(request, front_data(page, since, until, language, outlet, topic))

    @app.get("/feed.atom", tags=["feeds"], summary="Atom feed of the front page")
    def front_atom(request: Request) -> Response:
        data = front_data(1, None, None, None, None, None)
        return etagged(request, atom.front_feed(data, base=_base(request)), atom.MEDIA_TYPE)

    # ------------------------------------------------------------ stories

    @app.get("/story/{story_id}", include_in_schema=False)
    def story_html(request: Request, story_id: str) -> Response:
        canonical = store().resolve_story_id(story_id, prefix=True)
        if canonical is not None and canonical != story_id:  # a prefix or a merged story's old id
            return RedirectResponse(f"/story/{quote(canonical, safe='')}", status_code=301)
        data = views.story_page(store(), story_id, since=visits.last(store(), story_id))
        response = as_html(request, "story.html", data, json_url=f"/api/stories/{quote(story_id, safe='')}")
        visits.record(story_id)
        return response

    @app.get(
        "/api/stories/{story_id}",
        tags=["stories"],
        summary="A story: synthesis, articles, related, thread",
        responses=schemas.responses_for(schemas.StoryPage, not_found=True),
    )
    def story_json(request: Request, story_id: StoryId, since: ChangedSince = None) -> Response:
        if since is not None:
            try:
                naive_utc(since)
            except OverflowError:
                raise HTTPException(422, "since is out of range") from None
        return as_json(request, views.story_page(store(), story_id, since=since))

    @app.get("/story/{story_id}/feed.atom", tags=["feeds"], summary="Atom feed of a story's timeline entries")
    def story_atom(request: Request, story_id: str) -> Response:
        data = views.story_page(store(), story_id)
        return etagged(request, atom.story_feed(data, base=_base(request)), atom.MEDIA_TYPE)

    # ------------------------------------------------------------ articles

    @app.get("/article/{article_id}", include_in_schema=False)
    def article_html(request: Request, article_id: str, hl: Highlight = None) -> Response:
        data = views.article_page(store(), article_id, highlight=hl)
        return as_html(request, "article.html", data, json_url=f"/api/articles/{quote(article_id, safe='')}")

    @app.get(
        "/api/articles/{article_id}",
        tags=["articles"],
        summary="An article with its facts as annotations",
        responses=schemas.responses_for(schemas.ArticlePage, not_found=True),
    )
    def article_json(request: Request, article_id: ArticleId, hl: Highlight = None) -> Response:
        return as_json(request, views.article_page(store(), article_id, highlight=hl))

    @app.get(
        "/article/{article_id}/raw",
        tags=["articles"],
        summary="The stored input the article came from, as text",
    )
    def article_raw(article_id: ArticleId) -> Response:
        found = store().get_article(article_id)
        raw = store().load_raw(found.raw_sha256) if found and found.raw_sha256 else None
        if raw is None:
            raise views.NotFound(f"no raw input kept for article {article_id}")
        text = raw.content.decode("utf-8", "replace")
        # Served as text, sandboxed: the page's own markup and scripts are shown, never run.
        return PlainTextResponse(text, headers={"Content-Security-Policy": "sandbox; default-src 'none'"})

    # ------------------------------------------------------------ search

    def search_data(
        q: str,
        page: int,
        outlet: str | None,
        language: str | None,
        since: date | None,
        until: date | None,
        entity: str | None,
        sort: str,
    ) -> dict[str, Any]:
        request = views.SearchRequest(
            query=q,
            outlet=outlet or None,
            language=language or None,
            since=since.isoformat() if since else None,
            until=until.isoformat() if until else None,
            entity=entity or None,
            sort=sort,
        )
        return views.search_page(store(), request, views.Page(page, views.SEARCH_PAGE_SIZE), facets=facets())

    @app.get("/search", include_in_schema=False)
    def search_html(
        request: Request,
        q: Q = "",
        page: PageNumber = 1,
        outlet: Text = None,
        language: Text = None,
        since: Day = None,
        until: Day = None,
        entity: Text = None,
        sort: Sort = "relevance",
    ) -> Response:
        data = search_data(q, page, outlet, language, since, until, entity, sort)
        return as_html(request, "search.html", data, json_url=_twin(request, "/api/search"))

    @app.get(
        "/api/search",
        tags=["search"],
        summary="Full-text search with filters, by relevance or date",
        responses=schemas.responses_for(schemas.SearchPage),
    )
    def search_json(
        request: Request,
        q: Q = "",
        page: PageNumber = 1,
        outlet: Text = None,
        language: Text = None,
        since: Day = None,
        until: Day = None,
        entity: Text = None,
        sort: Sort = "relevance",
    ) -> Response:
        return as_json(request, search_data(q, page, outlet, language, since, until, entity, sort))

    @app.get(
        "/search/feed.atom", tags=["feeds"], summary="Atom feed of the newest articles matching a search"
    )
    def search_atom(request: Request, q: Q = "") -> Response:
        data = search_data(q, 1, None, None, None, None, None, "date")
        return etagged(request, atom.search_feed(data, base=_base(request)), atom.MEDIA_TYPE)

    # ------------------------------------------------------------ entities

    @app.get("/entity/{key:path}", include_in_schema=False)
    def entity_html(request: Request, key: str) -> Response:
        data = views.entity_page(store(), key)
        return as_html(request, "entity.html", data, json_url=f"/api/entities/{quote(key, safe='')}")

    @app.get(
        "/api/entities/{key:path}",
        tags=["entities"],
        summary="A person, organisation or place: stories and quotes",
        responses=schemas.responses_for(schemas.EntityPage, not_found=True),
    )
    def entity_json(request: Request, key: EntityKey) -> Response:
        return as_json(request, views.entity_page(store(), key))

    # ------------------------------------------------------------ follows

    @app.get("/follows", include_in_schema=False)
    def follows_html(request: Request) -> Response:
        return as_html(request, "follows.html", views.follows_page(store()), json_url="/api/follows")

    @app.get(
        "/api/follows",
        tags=["follows"],
        summary="What the reader follows, with unread counts",
        responses=schemas.responses_for(schemas.FollowsPage),
    )
    def follows_json(request: Request) -> Response:
        return as_json(request, views.follows_page(store()))

    @app.get("/follows/{follow_id}", include_in_schema=False)
    def follow_html(request: Request, follow_id: FollowId) -> Response:
        data = views.follow_page(store(), follow_id)
        return as_html(request, "follow.html", data, json_url=f"/api/follows/{follow_id}")

    @app.get(
        "/api/follows/{follow_id}",
        tags=["follows"],
        summary="What is new for a follow: new facts by story",
        responses=schemas.responses_for(schemas.FollowPage, not_found=True),
    )
    def follow_json(request: Request, follow_id: FollowId) -> Response:
        return as_json(request, views.follow_page(store(), follow_id))

    @app.get("/follows/{follow_id}/feed.atom", tags=["feeds"], summary="Atom feed of a follow's new facts")
    def follow_atom(request: Request, follow_id: FollowId) -> Response:
        data = views.follow_page(store(), follow_id)
        return etagged(request, atom.follow_feed(data, base=_base(request)), atom.MEDIA_TYPE)

    @app.post("/follows", include_in_schema=False)
    async def follow_add(request: Request) -> Response:
        form = await checked_form(request)
        try:
            kind = FollowKind(str(form.get("kind", "")))
        except ValueError:
            raise HTTPException(400, "kind must be search, entity or story") from None
        target = str(form.get("target", "")).strip()[:500]
        if kind is FollowKind.STORY:  # a merged story's old id: follow the story that absorbed it
            target = store().resolve_story_id(target, prefix=True) or target
        label = views.follow_label(store(), kind, target)
        follow = store().add_follow(kind, target, label)
        return RedirectResponse(_back(form, f"/follows/{follow.id}"), status_code=303)

    @app.post("/follows/{follow_id}/read", include_in_schema=False)
    async def follow_read(request: Request, follow_id: FollowId) -> Response:
        form = await checked_form(request)
        store().mark_follow_seen(follow_id)
        return RedirectResponse(_back(form, f"/follows/{follow_id}"), status_code=303)

    @app.post("/follows/{follow_id}/delete", include_in_schema=False)
    async def follow_delete(request: Request, follow_id: FollowId) -> Response:
        form = await checked_form(request)
        store().remove_follow(follow_id)
        return RedirectResponse(_back(form, "/follows"), status_code=303)

    # ------------------------------------------------------------ sources and jobs

    def sources_data() -> dict[str, Any]:
        return {
            "kind": "sources",
            "sources": [s.to_dict() for s in store().list_source_records()],
            "status": scheduler_status(),
        }

    @app.get("/sources", include_in_schema=False)
    def sources_html(request: Request) -> Response:
        return as_html(request, "sources.html", sources_data(), json_url="/api/sources")

    @app.get(
        "/api/sources",
        tags=["sources"],
        summary="Subscribed sources with their fetch status",
        responses=schemas.responses_for(schemas.SourcesPage),
    )
    def sources_json(request: Request) -> Response:
        return as_json(request, sources_data())

    @app.get(
        "/api/status",
        tags=["sources"],
        summary="Background jobs: the scheduler's current work",
        responses=schemas.responses_for(schemas.StatusPage),
    )
    def status_json(request: Request) -> Response:
        return as_json(request, {"kind": "status", "status": scheduler_status()})

    def refresh_soon(source_id: int | None = None) -> None:
        scheduler = scheduler_box.get("scheduler")
        if scheduler is not None:
            scheduler.request_refresh(source_id)

    @app.post("/sources", include_in_schema=False)
    async def source_add(request: Request) -> Response:
        from dateline.pipeline import add_source

        form = await checked_form(request)
        location = str(form.get("location", "")).strip()
        if config.token is not None and not location.lower().startswith(("http://", "https://")):
            # Off loopback, a web user must not make the server read its own files and folders.
            raise HTTPException(
                400, "only feed URLs can be added from the web when the server is not on loopback"
            )
        minutes = str(form.get("interval", "")).strip()
        try:
            interval = int(minutes) * 60 if minutes else None
        except ValueError:
            raise HTTPException(400, "the interval is a number of minutes") from None
        source = add_source(store(), location, interval_seconds=interval)
        refresh_soon(source.id)
        return RedirectResponse("/sources", status_code=303)

    @app.post("/sources/import", include_in_schema=False)
    async def source_import(request: Request) -> Response:
        from dateline.pipeline import add_starter_sources, import_opml_sources

        form = await checked_form(request)
        if form.get("starter"):
            add_starter_sources(store())
        else:
            upload = form.get("opml")
            if upload is None or not hasattr(upload, "read"):
                raise HTTPException(400, "choose an OPML file to import")
            import_opml_sources(store(), await upload.read(MAX_FORM_BYTES + 1))
        refresh_soon()
        return RedirectResponse("/sources", status_code=303)

    @app.get("/sources/export.opml", tags=["sources"], summary="Every source as OPML")
    def source_export() -> Response:
        from dateline.pipeline import export_opml_sources

        return Response(
            export_opml_sources(store()),
            media_type="text/x-opml; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="dateline-sources.opml"'},
        )

    @app.post("/sources/{source_id}/{action}", include_in_schema=False)
    async def source_action(request: Request, source_id: SourceId, action: str) -> Response:
        await checked_form(request)
        actions: dict[str, Callable[[], object]] = {
            "pause": lambda: store().set_source_paused(source_id, True),
            "resume": lambda: store().set_source_paused(source_id, False),
            "remove": lambda: store().remove_source(source_id),
            "refresh": lambda: refresh_soon(source_id),
        }
        if action not in actions:
            raise HTTPException(404, f"no action {action}")
        actions[action]()
        return RedirectResponse("/sources", status_code=303)

    # ------------------------------------------------------------ the write API (JSON in, JSON out)

    @app.post(
        "/api/follows", tags=["follows"], status_code=201, summary="Follow a search, an entity or a story"
    )
    def follow_create_json(body: schemas.FollowRequest, _: WriteOnly) -> JSONResponse:
        kind = FollowKind(body.kind)
        target = body.target.strip()
        if kind is FollowKind.STORY:
            target = store().resolve_story_id(target, prefix=True) or target
        follow = store().add_follow(kind, target, views.follow_label(store(), kind, target))
        return JSONResponse(
            follow.to_dict(), status_code=201, headers={"Location": f"/api/follows/{follow.id}"}
        )

    @app.post("/api/follows/{follow_id}/read", tags=["follows"], summary="Mark everything of a follow read")
    def follow_read_json(follow_id: FollowId, _: WriteOnly) -> JSONResponse:
        if store().get_follow(follow_id) is None:
            raise views.NotFound(f"no follow {follow_id}")
        store().mark_follow_seen(follow_id)
        return JSONResponse(store().get_follow(follow_id).to_dict())  # type: ignore[union-attr]

    @app.delete("/api/follows/{follow_id}", tags=["follows"], status_code=204, summary="Unfollow")
    def follow_delete_json(follow_id: FollowId) -> Response:
        if not store().remove_follow(follow_id):
            raise views.NotFound(f"no follow {follow_id}")
        return Response(status_code=204)

    @app.post("/api/sources", tags=["sources"], status_code=201, summary="Subscribe to a source")
    def source_create_json(body: schemas.SourceRequest, _: WriteOnly) -> JSONResponse:
        from dateline.pipeline import add_source

        location = body.location.strip()
        if config.token is not None and not location.lower().startswith(("http://", "https://")):
            raise HTTPException(400, "only feed URLs can be added when the server is not on loopback")
        interval = body.interval_minutes * 60 if body.interval_minutes else None
        source = add_source(store(), location, title=body.title, interval_seconds=interval)
        refresh_soon(source.id)
        return JSONResponse(source.to_dict(), status_code=201, headers={"Location": "/api/sources"})

    @app.patch("/api/sources/{source_id}", tags=["sources"], summary="Pause or resume a source")
    def source_change_json(source_id: SourceId, body: schemas.SourceChange, _: WriteOnly) -> JSONResponse:
        if not store().set_source_paused(source_id, body.paused):
            raise views.NotFound(f"no source {source_id}")
        return JSONResponse(store().get_source(source_id).to_dict())  # type: ignore[union-attr]

    @app.delete(
        "/api/sources/{source_id}", tags=["sources"], status_code=204, summary="Unsubscribe (articles stay)"
    )
    def source_delete_json(source_id: SourceId) -> Response:
        if not store().remove_source(source_id):
            raise views.NotFound(f"no source {source_id}")
        return Response(status_code=204)

    @app.post("/api/refresh", tags=["sources"], status_code=202, summary="Refresh due sources (or one) now")
    def refresh_json(
        _: WriteOnly, source_id: Annotated[int | None, Query(ge=1, le=2**62)] = None
    ) -> JSONResponse:
        if scheduler_box.get("scheduler") is None:
            raise HTTPException(409, "background refresh is off (dateline serve --no-refresh)")
        refresh_soon(source_id)
        return JSONResponse({"kind": "status", "status": scheduler_status()}, status_code=202)

    @app.post("/refresh", include_in_schema=False)
    async def refresh_all(request: Request) -> Response:
        await checked_form(request)
        refresh_soon()
        return RedirectResponse("/sources", status_code=303)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/help", include_in_schema=False)
    def help_html(request: Request) -> Response:
        return as_html(request, "help.html", {"kind": "help"})

    policy = AccessPolicy(token=config.token, loopback_only=config.token is None)
    app.add_middleware(SecurityMiddleware, policy=policy)
    return app


def _twin(request: Request, path: str) -> str:
    return path + (f"?{request.url.query}" if request.url.query else "")


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _back(form: dict[str, Any], default: str) -> str:
    """The page a form asks to return to, when it is one of ours (a relative path, never another site)."""
    target = str(form.get("next") or "")
    return (
        target if target.startswith("/") and not target.startswith("//") and "\\" not in target else default
    )


def _day_start(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day) if value else None


def _day_end(value: date | None) -> datetime | None:
    return datetime(value.year, value.month, value.day, 23, 59, 59) if value else None


def _when(value: str | None) -> str:
    """An ISO time as a reader wants it: '3 Dec 2025, 18:20' (UTC)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is not None:
        moment = naive_utc(moment)
    text = f"{moment.day} {moment:%b %Y}"
    return text if (moment.hour, moment.minute) == (0, 0) else f"{text}, {moment:%H:%M}"


def _day(value: str | None) -> str:
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value[:10]
    return f"{moment.day} {moment:%b %Y}"
