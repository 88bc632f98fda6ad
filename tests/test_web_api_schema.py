"""The JSON API against its documentation: every /api response validates against its model in
dateline.web.schemas, and schemathesis drives every GET operation of /api/openapi.json with generated
parameters, checking for server errors and (where a response schema is declared) conformance.

Until the app names the models in its routes (``responses={200: {"model": ...}}``), the schema handed to
schemathesis gets them added here, the way FastAPI would add them; once the routes declare them, the
app's own schema is used as it is.
"""

from __future__ import annotations

import copy
import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import JsonSchemaError
from schemathesis.specs.openapi.checks import response_schema_conformance

from dateline.models import FollowKind
from dateline.pipeline import ingest_inputs
from dateline.settings import Settings
from dateline.store import open_store
from dateline.web import schemas
from dateline.web.app import ReaderConfig, create_app

with warnings.catch_warnings():  # starlette warns that its TestClient will move to httpx2
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
BASE = "http://127.0.0.1:8000"
FOLLOW_LATER = {
    "url": "https://bulletin.example.org/2025/12/05/port-arlen-deal",
    "outlet": "Harbour Bulletin",
    "title": "Port Arlen dockers accept mediator's pay deal, ending strike",
    "published_at": "2025-12-05T16:00:00+00:00",
    "published_precision": "datetime",
    "language": "en",
    "paragraphs": [
        "Dock workers at Port Arlen voted on Friday to accept a pay deal brokered by mediator Ingrid Sol.",
        "The agreement gives the 3,400 dockers a rise of 5.8% this year, union secretary Tomas Ekdahl said."
        ' "This is a fair deal," Ekdahl told reporters.',
    ],
}


@pytest.fixture(scope="module")
def reader_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """examples/ ingested (enriched, clustered), with a story follow and an article that arrived after
    it, so that every endpoint has something to show (the client adds a source through the app)."""
    folder = tmp_path_factory.mktemp("api")
    db = folder / "reader.db"
    settings = Settings(db_path=db, workers=1)
    store = open_store(db)
    try:
        ingest_inputs(store, [str(EXAMPLES)], settings)
        story = max(store.list_stories(), key=lambda s: len(s.article_ids))
        store.add_follow(FollowKind.STORY, story.id, story.title)
        store.add_follow(FollowKind.SEARCH, "strike", "“strike”")
        later = folder / "later.jsonl"
        later.write_text(json.dumps(FOLLOW_LATER) + "\n", encoding="utf-8")
        ingest_inputs(store, [str(later)], settings)
    finally:
        store.close()
    return db


@pytest.fixture(scope="module")
def client(reader_db: Path) -> Iterator[TestClient]:
    app = create_app(ReaderConfig(settings=Settings(db_path=reader_db, workers=1), scheduler=False))
    with TestClient(app, base_url=BASE) as test_client:
        test_client.get("/sources")  # sets the CSRF cookie
        form = {"csrf": test_client.cookies["dateline_csrf"], "location": str(EXAMPLES / "feeds")}
        added = test_client.post("/sources", data=form, follow_redirects=False)
        assert added.status_code == 303, added.text
        yield test_client


# ---------------------------------------------------------------- every response against its model


def ids(client: TestClient) -> dict[str, str]:
    """One id of each kind the example store holds: the biggest story, its first article, an entity."""
    front = client.get("/api/front").json()
    story = max(front["stories"], key=lambda s: s["articles"])
    story_page = client.get(f"/api/stories/{story['id']}").json()
    article_id = story_page["articles"][0]["id"]
    entity = story_page["synthesis"]["entities"][0]["key"]
    follow_id = client.get("/api/follows").json()["follows"][0]["id"]
    return {"story": story["id"], "article": article_id, "entity": entity, "follow": str(follow_id)}


def api_urls(client: TestClient) -> list[tuple[str, type[BaseModel]]]:
    known = ids(client)
    article = known["article"]
    return [
        ("/api/front", schemas.FrontPage),
        ("/api/front?page=2", schemas.FrontPage),
        ("/api/front?language=en&since=2025-12-01&until=2025-12-05", schemas.FrontPage),
        (f"/api/front?topic={quote(known['entity'])}", schemas.FrontPage),
        (f"/api/stories/{known['story']}", schemas.StoryPage),
        (f"/api/stories/{known['story'][:6]}", schemas.StoryPage),
        (f"/api/stories/{known['story']}?since=2000-01-01T00:00:00", schemas.StoryPage),
        (f"/api/articles/{article}", schemas.ArticlePage),
        (f"/api/articles/{article}?hl=title:0-5", schemas.ArticlePage),
        (f"/api/articles/{article}?hl=text:0-40", schemas.ArticlePage),
        ("/api/search?q=strike", schemas.SearchPage),
        ("/api/search?q=strike&sort=date&language=en&since=2025-11-01&until=2025-12-31", schemas.SearchPage),
        ("/api/search", schemas.SearchPage),
        (f"/api/entities/{quote(known['entity'])}", schemas.EntityPage),
        ("/api/follows", schemas.FollowsPage),
        (f"/api/follows/{known['follow']}", schemas.FollowPage),
        ("/api/sources", schemas.SourcesPage),
        ("/api/status", schemas.StatusPage),
    ]


def test_every_api_response_validates_against_its_model(client: TestClient) -> None:
    urls = api_urls(client)
    assert {model for _, model in urls} == set(schemas.API_MODELS.values())
    for url, model in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        model.model_validate(response.json())
    for missing in (
        "/api/stories/s-none",
        "/api/articles/none",
        "/api/entities/person:none",
        "/api/follows/9",
    ):
        response = client.get(missing)
        assert response.status_code == 404, missing
        schemas.ErrorDetail.model_validate(response.json())


def test_the_models_are_not_vacuous(client: TestClient) -> None:
    """The example store fills the nested parts the models describe, so validation above checked them."""
    known = ids(client)
    story = schemas.StoryPage.model_validate(client.get(f"/api/stories/{known['story']}").json())
    assert story.synthesis is not None
    assert story.synthesis.summary and story.synthesis.timeline and story.synthesis.quotes
    assert story.synthesis.figures and story.synthesis.coverage.outlets
    assert any(article.copies for article in story.articles)
    assert story.changes_since is None
    since = schemas.StoryPage.model_validate(
        client.get(f"/api/stories/{known['story']}", params={"since": "2000-01-01T00:00:00"}).json()
    )
    assert (
        since.changes_since is not None and len(since.changes_since.new_articles) == since.story.article_count
    )
    article = schemas.ArticlePage.model_validate(client.get(f"/api/articles/{known['article']}").json())
    assert {type(a).__name__ for a in article.annotations} >= {"EntityAnnotation", "DateAnnotation"}
    follow = schemas.FollowPage.model_validate(client.get(f"/api/follows/{known['follow']}").json())
    assert follow.unread >= 1 and follow.changes
    sources = schemas.SourcesPage.model_validate(client.get("/api/sources").json())
    assert [s.kind for s in sources.sources] == ["path"]


def test_a_drifted_response_fails_its_model() -> None:
    """Closed shapes refuse keys nobody documented; open records (an article) accept them."""
    page = {
        "kind": "follows",
        "follows": [
            {
                "id": 1,
                "kind": "story",
                "target": "s-1",
                "label": "x",
                "created_at": "2025-12-01T00:00:00",
                "last_seen_at": "2025-12-01T00:00:00",
                "unread": 0,
            }
        ],
    }
    schemas.FollowsPage.model_validate(page)
    with pytest.raises(ValueError):
        schemas.FollowsPage.model_validate(page | {"surprise": 1})
    with pytest.raises(ValueError):
        schemas.FollowsPage.model_validate(
            {"kind": "follows", "follows": [page["follows"][0] | {"kind": "tag"}]}
        )
    with pytest.raises(ValueError):
        schemas.FollowsPage.model_validate({"kind": "follow", "follows": []})


def test_the_status_of_a_running_scheduler_validates(tmp_path: Path) -> None:
    app = create_app(
        ReaderConfig(settings=Settings(db_path=tmp_path / "empty.db", workers=1), scheduler=True)
    )
    with TestClient(app, base_url=BASE) as running:
        body = running.get("/api/status").json()
        sources = running.get("/api/sources").json()
    status = schemas.StatusPage.model_validate(body).status
    assert status is not None and status.running
    assert schemas.SourcesPage.model_validate(sources).status is not None


# ---------------------------------------------------------------- schemathesis over the OpenAPI schema


def declared_openapi(app_schema: dict[str, Any]) -> dict[str, Any]:
    """APP_SCHEMA with each /api operation's 200 body described by its model (and 404 by ErrorDetail),
    where the app does not declare them yet: the components FastAPI would generate."""
    spec = copy.deepcopy(app_schema)
    missing = {
        path: model
        for path, model in schemas.API_MODELS.items()
        if not spec["paths"][path]["get"]["responses"]["200"]
        .get("content", {})
        .get("application/json", {})
        .get("schema")
    }
    if not missing:
        return spec
    models: list[type[BaseModel]] = [*missing.values(), schemas.ErrorDetail]
    _, definitions = models_json_schema(
        [(model, "serialization") for model in models], ref_template="#/components/schemas/{model}"
    )
    spec.setdefault("components", {}).setdefault("schemas", {}).update(definitions.get("$defs", {}))
    for path, model in missing.items():
        responses = spec["paths"][path]["get"]["responses"]
        responses["200"] = {
            "description": model.__doc__ or "OK",
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}},
        }
        if "{" in path:
            responses["404"] = {
                "description": "Not found",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}},
            }
    return spec


@pytest.fixture
def api_schema(client: TestClient, reader_db: Path) -> Any:
    """The schema, served by an app of its own: schemathesis ends the app's lifespan after each test,
    and a StorePool keeps its closed connections after that (see the report on StorePool.close)."""
    spec = declared_openapi(client.get("/api/openapi.json").json())
    loaded = schemathesis.openapi.from_dict(spec)
    loaded.app = create_app(ReaderConfig(settings=Settings(db_path=reader_db, workers=1), scheduler=False))
    return loaded


NUL_IN_SEARCH = (
    "a NUL in the search words ends FTS5's quoted string: GET /search/feed.atom?q=%00 (and /api/search,"
    " /search) -> 500 sqlite3.OperationalError 'unterminated string' from store/reader.py search_articles;"
    " fts_query must drop NUL (and other control characters)"
)
GET_OPERATIONS = [
    "/api/front",
    "/api/stories/{story_id}",
    "/api/articles/{article_id}",
    "/api/search",
    "/api/entities/{key}",
    "/api/follows",
    "/api/follows/{follow_id}",
    "/api/sources",
    "/api/status",
    "/feed.atom",
    "/story/{story_id}/feed.atom",
    "/article/{article_id}/raw",
    "/search/feed.atom",
    "/follows/{follow_id}/feed.atom",
    "/sources/export.opml",
]


def test_the_operation_list_covers_every_get_operation(client: TestClient) -> None:
    paths = client.get("/api/openapi.json").json()["paths"]
    listed = [p if isinstance(p, str) else p.values[0] for p in GET_OPERATIONS]
    assert sorted(path for path, methods in paths.items() if "get" in methods) == sorted(listed)


@pytest.mark.parametrize("path", GET_OPERATIONS)
def test_get_operation_survives_generated_requests(api_schema: Any, path: str) -> None:
    operation = api_schema[path]["GET"]

    @settings(
        max_examples=25,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: Any) -> None:
        case.call_and_validate(base_url=BASE, checks=[not_a_server_error, response_schema_conformance])

    check()


def test_declared_schemas_cover_the_api(api_schema: Any) -> None:
    """Each /api operation (given to schemathesis above) has its body schema declared."""
    for path, model in schemas.API_MODELS.items():
        declared = api_schema.raw_schema["paths"][path]["get"]["responses"]["200"]["content"][
            "application/json"
        ]
        assert declared["schema"] == {"$ref": f"#/components/schemas/{model.__name__}"}, path


def test_the_conformance_check_catches_a_body_that_breaks_its_schema(
    client: TestClient, reader_db: Path
) -> None:
    spec = declared_openapi(client.get("/api/openapi.json").json())
    spec["components"]["schemas"]["FrontPage"]["properties"]["total"] = {"type": "string"}
    broken = schemathesis.openapi.from_dict(spec)
    broken.app = create_app(ReaderConfig(settings=Settings(db_path=reader_db, workers=1), scheduler=False))
    case = broken["/api/front"]["GET"].Case(query={"page": 1})
    with pytest.raises(FailureGroup) as raised:
        case.call_and_validate(base_url=BASE, checks=[response_schema_conformance])
    [failure] = raised.value.exceptions
    assert isinstance(failure, JsonSchemaError) and "/properties/total" in str(failure)


# ---------------------------------------------------------------- inputs found to crash the app

BAD_INPUT_CRASHES = {
    "/api/front?until=0001-01-01": "views.front_page (window_start = reference - 7 days) and store/reader.py"
    " story_activity (reference - 1 day) overflow for an until in the first week of year 1: OverflowError",
    "/?until=0001-01-03": "same as /api/front: OverflowError in views.front_page",
    "/api/front?since=0001-01-01&until=0001-01-01": "OverflowError in store/reader.py story_activity",
    "/api/search?q=%00": NUL_IN_SEARCH,
    "/search?q=a%00b": NUL_IN_SEARCH,
    "/follows/99999999999999999999999": "the HTML route's follow_id is an unbounded int (the JSON twin has le=2**62):"
    " sqlite3 raises OverflowError in store/reader.py get_follow",
    "/follows/99999999999999999999999/feed.atom": "unbounded follow_id, as /follows/ID: OverflowError",
    "/api/stories/{story}?since=0001-01-01T00:00:00%2B05:00": "since with an offset that moves it before year 1:"
    " times.naive_utc overflows in synthesize/delta.py changes_since",
    "/api/stories/{story}?since=9999-12-31T23:59:59-05:00": "since moved past year 9999 by its offset: OverflowError",
}
HANDLED_BAD_INPUT = [
    "/api/front?since=0001-01-01",
    "/api/front?until=9999-12-31",
    "/api/front?since=9999-12-31",
    "/api/search?q=%22",
    "/api/search?q=-",
    "/api/search?q=*",
    "/api/search?q=a%20OR%20b%20NOT%20c",
    "/api/search?q=strike&since=0001-01-01&until=9999-12-31",
    "/api/follows/99999999999999999999999",
    "/api/entities/%00",
    "/api/stories/%00",
    "/api/articles/%25",
    "/api/articles/{article}?hl=text:0-99999999999999999999999999999999",
    "/api/stories/{story}?since=0001-01-02T00:00:00",
    "/article/%00/raw",
]


@pytest.mark.parametrize(
    "url",
    [
        *HANDLED_BAD_INPUT,
        *BAD_INPUT_CRASHES,
    ],
)
def test_bad_input_is_answered_not_a_crash(client: TestClient, url: str) -> None:
    known = ids(client)
    target = url.replace("{story}", known["story"]).replace("{article}", known["article"])
    lenient = TestClient(client.app, base_url=BASE, raise_server_exceptions=False)
    assert lenient.get(target).status_code < 500
