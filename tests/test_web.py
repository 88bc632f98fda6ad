"""The reader's web app through an in-process client, on real SQLite stores: every page and its JSON
twin agree, filters filter, follows follow, forms need their CSRF token, and hostile article text stays
text on every page.

Module store: examples/ plus one French article, ingested once (enrichment and stories on). Tests that
write (follows, sources, new articles) get a copy of it of their own.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import feedparser
import lxml.html
import pytest

from dateline.models import StoryAssignment, StoryFeatures
from dateline.pipeline import ingest_inputs
from dateline.settings import Settings
from dateline.store import SqliteStore, open_store
from dateline.store import reader as reader_store
from dateline.web.app import ReaderConfig, create_app
from dateline.web.security import AccessPolicy, SecurityMiddleware
from tests.builders import make_article, make_story

with warnings.catch_warnings():  # starlette warns that its TestClient will move to httpx2
    warnings.simplefilter("ignore", DeprecationWarning)
    from fastapi.testclient import TestClient

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
BASE = "http://127.0.0.1:8000"

FRENCH = {
    "url": "https://journal.example.fr/2025/12/02/vendanges-record",
    "outlet": "Le Journal d'Exemple",
    "title": "Les vendangeurs de la vallée de la Loire célèbrent une récolte record",
    "published_at": "2025-12-02T10:00:00+00:00",
    "published_precision": "datetime",
    "language": "fr",
    "paragraphs": [
        "Les viticulteurs de la vallée de la Loire ont annoncé mardi une récolte record, la plus abondante"
        " depuis vingt ans, selon la fédération régionale des vins.",
        "La production a atteint 4,2 millions d'hectolitres, a précisé la fédération, qui attribue ce"
        " résultat à un été chaud et à des pluies régulières en septembre.",
    ],
}
# Arrives after a follow of the strike story: a new quote, new figures, a new timeline entry.
STRIKE_LATER = {
    "url": "https://bulletin.example.org/2025/12/05/port-arlen-deal",
    "outlet": "Harbour Bulletin",
    "title": "Port Arlen dockers accept mediator's pay deal, ending strike",
    "authors": ["Erik Dahl"],
    "published_at": "2025-12-05T16:00:00+00:00",
    "published_precision": "datetime",
    "language": "en",
    "paragraphs": [
        "Dock workers at Port Arlen voted on Friday to accept a pay deal brokered by mediator Ingrid Sol,"
        " ending a strike that began on 20 November.",
        "The agreement gives the 3,400 dockers a rise of 5.8% this year, union secretary Tomas Ekdahl said."
        ' "This is a fair deal and our members will be back at work on Monday," Ekdahl told reporters.',
        "More than 140 ships were still waiting outside the harbour on Friday, according to the port authority.",
    ],
}
CYRILLIC_E = "\u0435"
HOSTILE = [
    {
        "url": "javascript:alert(document.cookie)",
        "outlet": f"Reut{CYRILLIC_E}rs",
        "title": "<script>alert('title')</script> Harbour pilots vote <img src=x onerror=alert(1)>",
        "authors": ["<b onmouseover=alert(2)>Mallory</b>"],
        "section": "<style>body{display:none}</style>",
        "standfirst": "<svg onload=alert(3)></svg> Pilots in Kessby will strike.",
        "published_at": "2025-12-03T12:00:00+00:00",
        "published_precision": "datetime",
        "language": "en",
        "paragraphs": [
            "Harbour pilots in Kessby said on Tuesday <script>alert('body')</script> that they would strike"
            " next week, union leader Anna Berg said.",
            '"We are not afraid <img src=x onerror=alert(4)>," Berg said. <a href="javascript:alert(5)">click</a>',
            '<iframe src="https://evil.example/"></iframe> More than 40 pilots joined the vote in Kessby.',
        ],
    },
    {
        "url": f"https://www.r{CYRILLIC_E}uters.com/world/kessby-pilots",
        "outlet": 'Evil" onmouseover="alert(7)',
        "title": "Kessby pilots' strike vote <a href=javascript:alert(8)>details</a>",
        "published_at": "2025-12-03T13:00:00+00:00",
        "published_precision": "datetime",
        "language": "en",
        "paragraphs": [
            "Harbour pilots in Kessby voted to strike next week, Anna Berg of the pilots' union said on Tuesday.",
            '<object data="javascript:alert(9)"></object> The port authority said ships would be delayed.',
        ],
    },
]
FORBIDDEN_TAGS = {"iframe", "object", "embed", "svg", "math", "style", "img", "base", "frame", "applet"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "srcdoc"}


# ---------------------------------------------------------------- stores and clients


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def ingest(db: Path, specs: list[str]) -> list[str]:
    store = open_store(db)
    try:
        return ingest_inputs(store, specs, Settings(db_path=db, workers=1)).article_ids
    finally:
        store.close()


def serve(db: Path, **config: Any) -> TestClient:
    app = create_app(ReaderConfig(settings=Settings(db_path=db, workers=1), scheduler=False, **config))
    return TestClient(app, base_url=BASE)


@pytest.fixture(scope="module")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("reader")
    db = folder / "template.db"
    ingest(db, [str(EXAMPLES), str(write_jsonl(folder / "french.jsonl", [FRENCH]))])
    return db


@pytest.fixture(scope="module")
def client(template_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("shared") / "reader.db"
    shutil.copyfile(template_db, db)
    with serve(db) as shared:
        yield shared


@pytest.fixture
def own_db(template_db: Path, tmp_path: Path) -> Path:
    db = tmp_path / "reader.db"
    shutil.copyfile(template_db, db)
    return db


@pytest.fixture
def own_client(own_db: Path) -> Iterator[TestClient]:
    with serve(own_db) as mine:
        yield mine


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, list[str]]]:
    folder = tmp_path_factory.mktemp("hostile")
    db = folder / "hostile.db"
    article_ids = ingest(db, [str(write_jsonl(folder / "hostile.jsonl", HOSTILE))])
    with serve(db) as hostile_client:
        yield hostile_client, article_ids


def html(response: Any) -> Any:
    assert response.headers["content-type"].startswith("text/html"), response.headers["content-type"]
    return lxml.html.document_fromstring(response.text)


def text_of(element: Any) -> str:
    return " ".join(element.text_content().split())


def csrf_token(client: TestClient) -> str:
    client.get("/help")
    return str(client.cookies["dateline_csrf"])


def post(client: TestClient, url: str, data: dict[str, str], **kwargs: Any) -> Any:
    return client.post(url, data={"csrf": csrf_token(client), **data}, follow_redirects=False, **kwargs)


def front(client: TestClient, query: str = "") -> dict[str, Any]:
    response = client.get("/api/front" + query)
    assert response.status_code == 200, response.text
    return dict(response.json())


def strike_story(client: TestClient) -> dict[str, Any]:
    """The examples' story with the most articles (the Port Arlen dock strike)."""
    return max(front(client)["stories"], key=lambda s: s["articles"])


def citations_of(synthesis: dict[str, Any]) -> set[tuple[str, str, int, int]]:
    found = set()
    items = [
        *synthesis["summary"],
        *synthesis["timeline"],
        *synthesis["quotes"][:30],
        *synthesis["figures"][:30],
    ]
    for item in items:
        for c in item["citations"][:3]:
            found.add((c["article_id"], c.get("field", "text"), c["start"], c["end"]))
    if synthesis["title_citation"]:
        c = synthesis["title_citation"]
        found.add((c["article_id"], c.get("field", "text"), c["start"], c["end"]))
    return found


def cite_target(href: str) -> tuple[str, str, int, int]:
    parts = urlsplit(href)
    field, _, span = parse_qs(parts.query)["hl"][0].rpartition(":")
    start, _, end = span.partition("-")
    return parts.path.removeprefix("/article/"), field, int(start), int(end)


# ---------------------------------------------------------------- pages and their twins agree


def test_front_page_and_its_twin_agree(client: TestClient) -> None:
    data = front(client)
    assert data["total"] == len(data["stories"]) >= 3 and not data["empty_store"]
    doc = html(client.get("/"))
    items = doc.xpath('//ol[contains(@class, "stories")]/li')
    assert len(items) == len(data["stories"])
    for item, story in zip(items, data["stories"], strict=True):
        link = item.xpath(".//h2/a")[0]
        assert link.get("href") == f"/story/{quote(story['id'], safe='')}"
        assert text_of(link) == story["title"]
        meta = text_of(item.xpath('.//p[@class="meta"]')[0])
        assert f"{story['articles']} article" in meta and f"{story['outlets']} outlet" in meta
        summary = item.xpath('.//p[@class="summary"]')
        assert (text_of(summary[0]) if summary else "") == " ".join(story["summary"].split())
    assert doc.xpath('//link[@rel="alternate" and @type="application/json"]/@href') == ["/api/front"]


def test_story_page_and_its_twin_agree(client: TestClient) -> None:
    for listed in front(client)["stories"]:
        data = client.get(f"/api/stories/{listed['id']}").json()
        doc = html(client.get(f"/story/{listed['id']}"))
        synthesis = data["synthesis"]
        assert synthesis is not None and data["story"]["id"] == listed["id"]
        assert data["story"]["article_count"] == listed["articles"]
        heading = text_of(doc.xpath('//h1[@id="story-title"]')[0])
        assert re.sub(r"\s*(\[\d+\])+$", "", heading) == synthesis["title"]
        summary = doc.xpath('//ol[@class="summary-sentences"]/li')
        assert len(summary) == len(synthesis["summary"])
        for item, sentence in zip(summary, synthesis["summary"], strict=True):
            assert text_of(item).startswith(" ".join(sentence["text"].split()))
        listed_ids = {a["id"] for a in data["articles"]} | {
            c["id"] for a in data["articles"] for c in a["copies"]
        }
        linked = doc.xpath(
            '//section[@aria-labelledby="h-articles"]//a[starts-with(@href, "/article/")]/@href'
        )
        assert {h.removeprefix("/article/") for h in linked} == listed_ids
        assert len(listed_ids) == data["story"]["article_count"]
        sources = doc.xpath('//ol[@class="sources"]/li')
        assert [int(li.get("value")) for li in sources] == [s["n"] for s in data["sources"]]
        hrefs = doc.xpath('//a[contains(@class, "cite")]/@href')
        assert {cite_target(h) for h in hrefs} >= citations_of(synthesis)
        assert len(doc.xpath('//ol[contains(@class, "timeline")]/li')) == len(synthesis["timeline"])


def test_the_strike_story_folds_its_syndicated_copy_under_the_original(client: TestClient) -> None:
    data = client.get(f"/api/stories/{strike_story(client)['id']}").json()
    copies = [c for a in data["articles"] for c in a["copies"]]
    assert len(copies) == 1 and copies[0]["duplicate_of"] in {a["id"] for a in data["articles"]}
    doc = html(client.get(f"/story/{data['story']['id']}"))
    assert doc.xpath(f'//details[@class="copies"]//a[@href="/article/{copies[0]["id"]}"]')


def test_a_story_prefix_redirects_to_the_canonical_page(client: TestClient) -> None:
    story_id = strike_story(client)["id"]
    response = client.get(f"/story/{story_id[:8]}", follow_redirects=False)
    assert response.status_code == 301 and response.headers["location"] == f"/story/{story_id}"
    assert client.get(f"/api/stories/{story_id[:8]}").json()["story"]["id"] == story_id


def test_article_page_and_its_twin_agree(client: TestClient) -> None:
    story = client.get(f"/api/stories/{strike_story(client)['id']}").json()
    article_ids = [a["id"] for a in story["articles"]] + [
        c["id"] for a in story["articles"] for c in a["copies"]
    ]
    for article_id in article_ids:
        data = client.get(f"/api/articles/{article_id}").json()
        article = data["article"]
        doc = html(client.get(f"/article/{article_id}"))
        assert text_of(doc.xpath('//h1[@id="article-title"]')[0]) == " ".join(article["title"].split())
        body = [p.text_content() for p in doc.xpath('//div[@class="body"]/p')]
        assert body == [p for p in article["paragraphs"] if p.strip()]
        assert article["text"] == "\n\n".join(article["paragraphs"])
        entity_links = set(doc.xpath('//div[@class="body"]//a[contains(@class, "ent")]/@href'))
        assert entity_links == {
            f"/entity/{quote(e['entity'], safe='')}" for e in data["annotations"] if e["kind"] == "entity"
        }
        assert entity_links, article_id
        assert {a["kind"] for a in data["annotations"]} >= {"entity", "date"}
        for span in data["annotations"]:
            assert 0 <= span["start"] < span["end"] <= len(article["text"])
        if data["story"]:
            assert doc.xpath(f'//a[@href="/story/{data["story"]["id"]}"]')
        if article["url"]:
            original = doc.xpath('//a[@rel="noopener noreferrer nofollow external"]')[0]
            assert original.get("href") == article["url"] and text_of(original) == data["source_host"]


def test_a_citation_opens_the_article_on_the_cited_passage(client: TestClient) -> None:
    story_id = strike_story(client)["id"]
    synthesis = client.get(f"/api/stories/{story_id}").json()["synthesis"]
    doc = html(client.get(f"/story/{story_id}"))
    hrefs = doc.xpath('//ol[@class="summary-sentences"]//a[contains(@class, "cite")]/@href')
    hrefs += doc.xpath('//h1[@id="story-title"]//a[contains(@class, "cite")]/@href')  # a title citation
    assert any(":" in h and "hl=title:" in h for h in hrefs)
    for href in hrefs:
        assert href.endswith("#passage")
        article_id, field, start, end = cite_target(href)
        assert (article_id, field, start, end) in citations_of(synthesis)
        twin = client.get(f"/api/articles/{article_id}", params={"hl": f"{field}:{start}-{end}"}).json()
        assert twin["highlight"] == {"field": field, "start": start, "end": end}
        cited = twin["article"][field][start:end]
        page = html(client.get(href.split("#")[0]))
        marked = page.xpath('//mark[@class="passage"]')
        assert marked and "".join(m.text_content() for m in marked).split() == cited.split()
        assert len(page.xpath('//*[@id="passage"]')) == 1


def test_a_highlight_that_does_not_fit_is_dropped(client: TestClient) -> None:
    article_id = client.get(f"/api/stories/{strike_story(client)['id']}").json()["articles"][0]["id"]
    for hl in ("text:5-1", "title:0-100000", "standfirst:0-100000", "text:3-3", "caption:0-5"):
        data = client.get(f"/api/articles/{article_id}", params={"hl": hl}).json()
        assert data["highlight"] is None, hl
        assert not html(client.get(f"/article/{article_id}", params={"hl": hl})).xpath("//mark")
    assert client.get(f"/api/articles/{article_id}", params={"hl": "body:0-5<script>"}).status_code == 422


def test_search_marks_matches_in_the_page_and_parts_in_the_twin(client: TestClient) -> None:
    data = client.get("/api/search", params={"q": "strike"}).json()
    assert len(data["results"]) >= 3
    doc = html(client.get("/search", params={"q": "strike"}))
    items = doc.xpath('//ol[contains(@class, "results")]/li')
    assert [i.xpath(".//h2/a/@href")[0] for i in items] == [f"/article/{r['id']}" for r in data["results"]]
    for item, result in zip(items, data["results"], strict=True):
        parts = result["snippet_parts"] + result["title_parts"]
        assert any(p["match"] and p["text"].lower() == "strike" for p in parts)
        assert "".join(p["text"] for p in result["title_parts"]) == result["title"]
        snippet = item.xpath('.//p[@class="snippet"]')[0]
        assert snippet.text_content() == "".join(p["text"] for p in result["snippet_parts"])
        assert [m.text_content() for m in snippet.xpath(".//mark")] == [
            p["text"] for p in result["snippet_parts"] if p["match"]
        ]
    assert {m.text_content().lower() for m in doc.xpath("//mark")} == {"strike"}


def test_search_filters_and_date_order(client: TestClient) -> None:
    every = client.get("/api/search", params={"q": "Port Arlen"}).json()["results"]
    outlets = {r["outlet"] for r in every}
    assert len(every) >= 4 and len(outlets) >= 3

    def search(**params: str) -> list[dict[str, Any]]:
        response = client.get("/api/search", params={"q": "Port Arlen", **params})
        assert response.status_code == 200, response.text
        return list(response.json()["results"])

    by_outlet = search(outlet="Harbour Bulletin")
    assert (
        by_outlet and {r["outlet"] for r in by_outlet} == {"Harbour Bulletin"} and len(by_outlet) < len(every)
    )
    since = search(since="2025-12-02")
    assert since and len(since) < len(every) and all(r["published_at"][:10] >= "2025-12-02" for r in since)
    until = search(until="2025-12-01")
    assert until and all(r["published_at"][:10] <= "2025-12-01" for r in until)
    assert {r["id"] for r in since}.isdisjoint({r["id"] for r in until})
    assert search(language="fr") == []
    assert [
        r["id"]
        for r in client.get("/api/search", params={"q": "récolte", "language": "fr"}).json()["results"]
    ]
    by_date = search(sort="date")
    assert [r["published_at"] for r in by_date] == sorted((r["published_at"] for r in by_date), reverse=True)
    assert {r["id"] for r in by_date} == {r["id"] for r in every}
    with_entity = search(entity="person:tomas ekdahl")
    assert with_entity and len(with_entity) < len(every)
    for result in with_entity:
        annotations = client.get(f"/api/articles/{result['id']}").json()["annotations"]
        assert any(a.get("entity") == "person:tomas ekdahl" for a in annotations)
    assert client.get("/api/search", params={"q": "strike", "sort": "oldest"}).status_code == 422


@pytest.mark.parametrize(
    "params", [{}, {"outlet": "Harbour Bulletin"}, {"since": "2025-12-02"}, {"until": "2025-12-01"}]
)
def test_a_search_with_many_matches_finds_the_same_pages(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, params: dict[str, str]
) -> None:
    """Above DENSE_MATCHES matches search walks the time index (by date) or ranks only the newest
    matches (by relevance); with every match among those, both plans must agree with the plain one."""

    def ids(sort: str) -> list[str]:
        response = client.get("/api/search", params={"q": "Port Arlen", "sort": sort, **params})
        return [r["id"] for r in response.json()["results"]]

    plain = {sort: ids(sort) for sort in ("date", "relevance")}
    assert plain["date"]
    monkeypatch.setattr(reader_store, "DENSE_MATCHES", 1)
    assert ids("date") == plain["date"]
    newest_only = ids("relevance")  # ranks the matches stored after the cut: a subset, in the same order
    assert newest_only and newest_only == [i for i in plain["relevance"] if i in newest_only]
    monkeypatch.setattr(reader_store, "DENSE_MATCHES", 0)
    assert ids("date") == plain["date"]


def test_search_pages(client: TestClient) -> None:
    first = client.get("/api/search", params={"q": "strike"}).json()
    assert first["page"] == {"number": 1, "size": 20, "previous": None, "next": None}
    second = client.get("/api/search", params={"q": "strike", "page": 2}).json()
    assert second["results"] == [] and second["page"]["previous"] == 1
    empty = client.get("/api/search").json()
    assert empty["results"] == [] and empty["query"] == ""
    assert client.get("/search").status_code == 200


def test_entity_page_and_its_twin_agree(client: TestClient) -> None:
    data = client.get("/api/entities/person:ingrid sol").json()
    assert data["entity"]["name"] == "Ingrid Sol" and data["stories"] and data["quotes"]
    doc = html(client.get("/entity/person:ingrid sol"))
    assert text_of(doc.xpath("//h1")[0]).startswith("Ingrid Sol")
    story_links = doc.xpath('//section[@aria-labelledby="h-stories"]//a/@href')
    assert story_links == [f"/story/{s['id']}" for s in data["stories"]]
    quote_links = doc.xpath('//section[@aria-labelledby="h-quotes"]//a/@href')
    assert quote_links == [
        f"/article/{q['article_id']}?hl=text:{q['passage']}#passage" for q in data["quotes"]
    ]
    for item in data["quotes"]:
        text = client.get(f"/api/articles/{item['article_id']}").json()["article"]["text"]
        start, end = (int(n) for n in item["passage"].split("-"))
        assert item["text"] in text[start:end] or text[start:end] in item["text"]
    topic = front(client, f"?topic={quote(data['entity']['key'])}")
    assert {s["id"] for s in topic["stories"]} == {s["id"] for s in data["stories"]}


# ---------------------------------------------------------------- errors, pages, caching


@pytest.mark.parametrize(
    "url",
    [
        "/story/s-nothing-here",
        "/article/nothing-here",
        "/entity/person:nobody at all",
        "/follows/999",
        "/article/nothing-here/raw",
    ],
)
def test_unknown_ids_are_404_pages(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert text_of(html(response).xpath("//h1")[0]) == "Not found"


@pytest.mark.parametrize(
    "url",
    [
        "/api/stories/s-nothing-here",
        "/api/articles/nothing-here",
        "/api/entities/person:nobody at all",
        "/api/follows/999",
        "/story/s-nothing-here/feed.atom",
        "/follows/999/feed.atom",
    ],
)
def test_unknown_ids_are_404_json(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json"
    assert response.json()["detail"].startswith("no ")  # "no story s-nothing-here", "no follow 999"


def test_etags_answer_304(client: TestClient) -> None:
    client.get("/help")  # the CSRF cookie is set once; pages are stable after that
    for url in ("/api/front", "/", "/api/search?q=strike", "/search?q=strike", "/feed.atom", "/api/follows"):
        first = client.get(url)
        tag = first.headers["etag"]
        again = client.get(url, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag, url
        other = client.get(url, headers={"If-None-Match": 'W/"something-else"'})
        assert other.status_code == 200 and other.content == first.content, url


def test_an_etag_changes_with_the_data(own_client: TestClient) -> None:
    before = own_client.get("/api/follows").headers["etag"]
    assert post(own_client, "/follows", {"kind": "search", "target": "strike"}).status_code == 303
    after = own_client.get("/api/follows", headers={"If-None-Match": before})
    assert after.status_code == 200 and after.headers["etag"] != before


def test_front_page_pages(client: TestClient) -> None:
    first = front(client)
    assert first["page"] == {"number": 1, "size": 30, "previous": None, "next": None}
    second = front(client, "?page=2")
    assert second["stories"] == [] and second["page"]["previous"] == 1 and second["total"] == first["total"]
    for bad in ("?page=0", "?page=-1", "?page=501", "?page=two"):
        assert client.get("/api/front" + bad).status_code == 422, bad
        assert client.get("/" + bad).status_code == 422, bad


def test_front_page_filters(client: TestClient) -> None:
    every = front(client)["stories"]
    ids = {s["id"] for s in every}
    strike = strike_story(client)["id"]

    def only(query: str) -> set[str]:
        return {s["id"] for s in front(client, query)["stories"]}

    french = only("?language=fr")
    assert (
        len(french) == 1
        and french < ids
        and front(client, "?language=fr")["stories"][0]["languages"] == ["fr"]
    )
    assert only("?language=en") == {s["id"] for s in every if "en" in s["languages"]}
    assert only("?outlet=The Arlen Courier") == {strike}
    assert only("?outlet=Regional Wire") == {s["id"] for s in every if "Regional Wire" in s["outlet_names"]}
    assert len(only("?outlet=Regional Wire")) == 2
    assert only("?topic=person:ingrid sol") == {strike}
    assert only("?topic=person:nobody") == set()
    since = only("?since=2025-12-02")
    assert since == {s["id"] for s in every if s["last_seen"] >= "2025-12-02"} and strike in since
    assert since < ids
    until = only("?until=2025-11-30")
    assert until == {strike}
    assert only("?since=2025-12-01&until=2025-12-01&language=en") == {
        s["id"]
        for s in every
        if s["first_seen"] <= "2025-12-01T23:59:59"
        and s["last_seen"] >= "2025-12-01"
        and "en" in s["languages"]
    }
    doc = html(client.get("/", params={"outlet": "The Arlen Courier"}))
    assert doc.xpath('//ol[contains(@class, "stories")]/li//h2/a/@href') == [f"/story/{strike}"]
    assert doc.xpath('//select[@name="outlet"]/option[@selected]/@value') == ["The Arlen Courier"]


def add_story(
    store: SqliteStore, story_id: str, outlets: list[str], last_seen: datetime, sequence: int
) -> int:
    """A story whose articles (one per outlet entry) were all seen in the hour before LAST_SEEN."""
    assignments = []
    for index, outlet in enumerate(outlets):
        article_id = f"{story_id}-a{index}"
        seen = last_seen - timedelta(minutes=index)
        article = make_article(
            article_id,
            (f"Paragraph of {article_id}.",),
            outlet=outlet,
            title=f"About {story_id}",
            published_at=seen,
            ingested_at=seen,
        )
        store.upsert_article(article, text_hash=f"hash-{article_id}", canonical_url=None)
        store.save_story_features(
            [
                StoryFeatures(
                    article_id=article_id,
                    seen_at=seen,
                    dated=True,
                    language="en",
                    title=article.title or "",
                    outlet=outlet,
                    duplicate_of=None,
                    vector=None,
                    terms=(),
                    entities=(),
                    version="test",
                )
            ]
        )
        assignments.append(StoryAssignment(article_id, story_id, None, sequence + index))
    first = last_seen - timedelta(minutes=len(outlets))
    store.save_story_batch(
        assignments, [replace(make_story(story_id, first, last_seen), title=f"About {story_id}")]
    )
    return sequence + len(outlets)


def test_trending_ranks_more_fresh_outlets_first_and_decays_with_silence(tmp_path: Path) -> None:
    db = tmp_path / "trending.db"
    store = open_store(db)
    now = datetime(2025, 12, 3, 12, 0)
    sequence = add_story(store, "s-one-outlet", ["Wire"] * 3, now, 0)
    sequence = add_story(store, "s-three-outlets", ["Wire", "Courier", "Bulletin"], now, sequence)
    sequence = add_story(
        store, "s-three-outlets-older", ["Wire", "Courier", "Bulletin"], now - timedelta(days=2), sequence
    )
    add_story(store, "s-single", ["Wire"], now - timedelta(hours=1), sequence)
    store.close()
    with serve(db) as reader:
        stories = front(reader)["stories"]
        order = [s["id"] for s in stories]
        assert order[:2] == ["s-three-outlets", "s-one-outlet"]
        assert order.index("s-three-outlets-older") > order.index("s-three-outlets")
        scores = [s["score"] for s in stories]
        assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
        by_id = {s["id"]: s for s in stories}
        assert (
            by_id["s-three-outlets"]["outlets_last_day"] == 3
            and by_id["s-one-outlet"]["outlets_last_day"] == 1
        )
        assert by_id["s-three-outlets-older"]["articles_last_day"] == 0
        doc = html(reader.get("/"))
        assert doc.xpath('//ol[contains(@class, "stories")]/li//h2/a/@href') == [f"/story/{i}" for i in order]


def test_front_page_pages_through_many_stories(tmp_path: Path) -> None:
    db = tmp_path / "many.db"
    store = open_store(db)
    now = datetime(2025, 12, 3, 12, 0)
    sequence = 0
    for n in range(35):
        sequence = add_story(store, f"s-{n:02d}", ["Wire"], now - timedelta(hours=n), sequence)
    store.close()
    with serve(db) as reader:
        first, second = front(reader), front(reader, "?page=2")
        assert len(first["stories"]) == 30 and first["page"]["next"] == 2 and first["total"] == 35
        assert len(second["stories"]) == 5 and second["page"] == {
            "number": 2,
            "size": 30,
            "previous": 1,
            "next": None,
        }
        ids = [s["id"] for s in first["stories"] + second["stories"]]
        assert ids == [f"s-{n:02d}" for n in range(35)]  # newer first: same counts, decayed by age
        pager = html(reader.get("/")).xpath('//nav[@class="pager"]//a[@rel="next"]/@href')
        assert pager == ["?page=2"]
        assert front(reader, "?page=3")["stories"] == []


def test_an_empty_store_shows_the_first_run_guide(tmp_path: Path) -> None:
    with serve(tmp_path / "empty.db") as reader:
        data = front(reader)
        assert data["empty_store"] and data["stories"] == [] and data["source_count"] == 0
        doc = html(reader.get("/"))
        guide = doc.xpath('//section[contains(@class, "first-run")]')[0]
        forms = {form.get("action"): form for form in guide.xpath(".//form")}
        assert forms["/sources"].xpath('.//input[@name="location"]')
        imports = guide.xpath('.//form[@action="/sources/import"]')
        assert any(f.xpath('.//input[@type="file" and @name="opml"]') for f in imports)
        assert any(f.xpath('.//input[@name="starter" and @value="1"]') for f in imports)
        for form in guide.xpath(".//form"):
            assert form.get("method") == "post" and form.xpath('.//input[@name="csrf"]/@value')


def test_a_filled_store_shows_no_guide(client: TestClient) -> None:
    assert not html(client.get("/")).xpath('//section[contains(@class, "first-run")]')


# ---------------------------------------------------------------- follows


def test_follow_a_story_then_see_what_is_new(own_client: TestClient, own_db: Path, tmp_path: Path) -> None:
    story_id = strike_story(own_client)["id"]
    response = post(own_client, "/follows", {"kind": "story", "target": story_id})
    assert response.status_code == 303
    follow_path = response.headers["location"]
    follow_id = int(follow_path.rsplit("/", 1)[1])
    entity = post(own_client, "/follows", {"kind": "entity", "target": "person:tomas ekdahl"})
    entity_id = int(entity.headers["location"].rsplit("/", 1)[1])

    listed = own_client.get("/api/follows").json()["follows"]
    assert [(f["id"], f["kind"], f["unread"]) for f in listed] == [
        (follow_id, "story", 0),
        (entity_id, "entity", 0),
    ]
    doc = html(own_client.get("/follows"))
    assert doc.xpath(f'//a[@href="/follows/{follow_id}"]') and doc.xpath(f'//a[@href="/follows/{entity_id}"]')
    assert own_client.get(f"/api/stories/{story_id}").json()["follow_id"] == follow_id
    assert html(own_client.get(f"/follows/{follow_id}")).xpath('//p[@class="empty"]')

    [new_id] = ingest(own_db, [str(write_jsonl(tmp_path / "later.jsonl", [STRIKE_LATER]))])
    assert own_client.get(f"/api/stories/{story_id}").json()["story"]["article_count"] == 5

    unread = {f["id"]: f["unread"] for f in own_client.get("/api/follows").json()["follows"]}
    assert unread == {follow_id: 1, entity_id: 1}
    data = own_client.get(f"/api/follows/{follow_id}").json()
    assert data["unread"] == 1 and [a["id"] for a in data["new_articles"]] == [new_id]
    [change] = data["changes"]
    assert change["id"] == story_id and change["new_articles"] == [new_id]
    new_quotes = [q["text"] for q in change["quotes"]]
    assert any("fair deal" in q for q in new_quotes)
    assert any(f["value"] == 5.8 for f in change["figures"])
    assert change["timeline"]
    for section in ("timeline", "quotes", "figures"):
        for item in change[section]:
            assert new_id in {c["article_id"] for c in item["citations"]}
    page = html(own_client.get(f"/follows/{follow_id}"))
    headings = [text_of(h) for h in page.xpath("//section[@class='change']/h3")]
    assert "New on the timeline" in headings and "New quotes" in headings
    assert any("fair deal" in text_of(li) for li in page.xpath("//section[@class='change']//li"))
    assert page.xpath(f'//a[@href="/article/{new_id}"]')
    feed = feedparser.parse(own_client.get(f"/follows/{follow_id}/feed.atom").content)
    assert not feed.bozo and len(feed.entries) == sum(
        len(change[s]) for s in ("timeline", "quotes", "figures")
    )

    read = post(own_client, f"/follows/{follow_id}/read", {})
    assert read.status_code == 303 and read.headers["location"] == follow_path
    assert own_client.get(f"/api/follows/{follow_id}").json()["unread"] == 0
    assert own_client.get(f"/api/follows/{entity_id}").json()["unread"] == 1  # read state is per follow

    gone = post(own_client, f"/follows/{follow_id}/delete", {})
    assert gone.status_code == 303 and gone.headers["location"] == "/follows"
    assert [f["id"] for f in own_client.get("/api/follows").json()["follows"]] == [entity_id]
    assert own_client.get(f"/api/follows/{follow_id}").status_code == 404
    assert own_client.get(f"/api/stories/{story_id}").json()["follow_id"] is None


def test_the_front_and_story_pages_say_what_is_new_since_the_last_visit(
    own_client: TestClient, own_db: Path, tmp_path: Path
) -> None:
    story_id = strike_story(own_client)["id"]
    listed = {s["id"]: s for s in front(own_client)["stories"]}
    assert listed[story_id]["visited_at"] is None and listed[story_id]["new_since_visit"] is None
    first = html(own_client.get(f"/story/{story_id}"))
    assert not first.xpath('//section[@class="since-visit"]')  # a first visit has nothing "new since"
    app = own_client.app
    with SqliteStore.open(own_db) as store:
        app.state.visits.flush(store)  # what the lifespan's flusher does every 2 s
    listed = {s["id"]: s for s in front(own_client)["stories"]}
    assert listed[story_id]["visited_at"] is not None and listed[story_id]["new_since_visit"] == 0

    [new_id] = ingest(own_db, [str(write_jsonl(tmp_path / "later.jsonl", [STRIKE_LATER]))])
    listed = {s["id"]: s for s in front(own_client)["stories"]}
    assert listed[story_id]["new_since_visit"] == 1
    assert "1 new since your visit" in text_of(html(own_client.get("/")).xpath("//main")[0])
    again = html(own_client.get(f"/story/{story_id}"))
    [since] = again.xpath('//section[@class="since-visit"]')
    assert "New since your last visit" in text_of(since)
    assert since.xpath(f'.//a[starts-with(@href, "/article/{new_id}")]')  # the new facts cite the new article


def test_following_twice_and_following_nothing(own_client: TestClient) -> None:
    first = post(own_client, "/follows", {"kind": "search", "target": "strike"})
    again = post(own_client, "/follows", {"kind": "search", "target": "strike"})
    assert first.headers["location"] == again.headers["location"]
    assert own_client.get("/api/search", params={"q": "strike"}).json()["follow_id"] is not None
    assert post(own_client, "/follows", {"kind": "tag", "target": "x"}).status_code == 400
    assert post(own_client, "/follows", {"kind": "story", "target": "s-nothing"}).status_code == 404
    assert post(own_client, "/follows", {"kind": "entity", "target": "person:nobody"}).status_code == 404
    assert post(own_client, "/follows", {"kind": "search", "target": "   "}).status_code == 404
    assert len(own_client.get("/api/follows").json()["follows"]) == 1


def test_a_form_returns_only_to_our_own_pages(own_client: TestClient) -> None:
    inside = post(own_client, "/follows", {"kind": "search", "target": "strike", "next": "/search?q=strike"})
    assert inside.headers["location"] == "/search?q=strike"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        response = post(own_client, "/follows", {"kind": "search", "target": "dock", "next": target})
        assert response.status_code == 303 and response.headers["location"].startswith("/follows/"), target


# ---------------------------------------------------------------- sources through the app


def test_sources_are_added_imported_listed_and_exported(own_client: TestClient, tmp_path: Path) -> None:
    assert (
        post(
            own_client, "/sources", {"location": "https://feeds.example.org/world.xml", "interval": "30"}
        ).status_code
        == 303
    )
    assert post(own_client, "/sources", {"location": str(EXAMPLES / "pages")}).status_code == 303
    assert post(own_client, "/sources", {"location": "javascript:alert(1)"}).status_code == 400
    assert (
        post(own_client, "/sources", {"location": "https://x.example/", "interval": "soon"}).status_code
        == 400
    )
    opml = (
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline type="rss" text="&lt;script&gt;alert(8)&lt;/script&gt;" xmlUrl="https://feeds.example.net/rss"'
        ' htmlUrl="javascript:alert(9)"/></body></opml>'
    )
    imported = own_client.post(
        "/sources/import",
        data={"csrf": csrf_token(own_client)},
        files={"opml": ("feeds.opml", opml.encode(), "text/xml")},
        follow_redirects=False,
    )
    assert imported.status_code == 303
    data = own_client.get("/api/sources").json()
    by_url = {s["url"]: s for s in data["sources"]}
    assert set(by_url) == {
        "https://feeds.example.org/world.xml",
        str((EXAMPLES / "pages").resolve()),
        "https://feeds.example.net/rss",
    }
    assert by_url["https://feeds.example.org/world.xml"]["interval_seconds"] == 1800
    assert by_url[str((EXAMPLES / "pages").resolve())]["kind"] == "path"
    page = own_client.get("/sources")
    doc = html(page)
    rows = doc.xpath('//table[@class="sources-table"]/tbody/tr')
    assert len(rows) == 3 and all(row.xpath('.//form[@method="post"]//input[@name="csrf"]') for row in rows)
    assert "<script>alert(8)" not in page.text and "alert(8)" in doc.text_content()
    assert_inert(page.text)
    exported = own_client.get("/sources/export.opml")
    assert exported.status_code == 200 and "https://feeds.example.net/rss" in exported.text
    source_id = by_url["https://feeds.example.net/rss"]["id"]
    assert post(own_client, f"/sources/{source_id}/pause", {}).status_code == 303
    assert {s["id"]: s["paused"] for s in own_client.get("/api/sources").json()["sources"]}[source_id] is True
    assert post(own_client, f"/sources/{source_id}/remove", {}).status_code == 303
    assert len(own_client.get("/api/sources").json()["sources"]) == 2
    assert post(own_client, f"/sources/{source_id}/explode", {}).status_code == 404


# ---------------------------------------------------------------- CSRF, headers, host and token


def test_forms_need_the_csrf_token(own_client: TestClient) -> None:
    token = csrf_token(own_client)
    target = {"kind": "search", "target": "strike"}
    assert own_client.post("/follows", data=target, follow_redirects=False).status_code == 403
    assert (
        own_client.post("/follows", data={**target, "csrf": "forged"}, follow_redirects=False).status_code
        == 403
    )
    for origin in ("https://evil.example", "http://127.0.0.1:8001", "http://localhost:8000"):
        response = own_client.post(
            "/follows", data={**target, "csrf": token}, headers={"Origin": origin}, follow_redirects=False
        )
        assert response.status_code == 403, origin
    without_cookie = TestClient(own_client.app, base_url=BASE)
    assert (
        without_cookie.post("/follows", data={**target, "csrf": token}, follow_redirects=False).status_code
        == 403
    )
    for url in (
        "/follows/1/read",
        "/follows/1/delete",
        "/sources",
        "/sources/import",
        "/refresh",
        "/sources/1/remove",
    ):
        assert own_client.post(url, data={"csrf": "forged"}, follow_redirects=False).status_code == 403, url
    assert own_client.get("/api/follows").json()["follows"] == []
    same_site = own_client.post(
        "/follows", data={**target, "csrf": token}, headers={"Origin": BASE}, follow_redirects=False
    )
    assert same_site.status_code == 303


def assert_secured(response: Any) -> None:
    policy = response.headers["content-security-policy"]
    directives = {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    if "sandbox" in directives:  # the raw input, served as text in a sandbox
        assert directives["default-src"] == ["'none'"]
    else:
        assert directives["frame-ancestors"] == ["'none'"]
        assert directives["script-src"] == ["'self'"] and directives["default-src"] == ["'none'"]
        assert directives["base-uri"] == ["'none'"] and directives["form-action"] == ["'self'"]


def test_every_response_carries_the_security_headers(own_client: TestClient) -> None:
    story_id = strike_story(own_client)["id"]
    article_id = own_client.get(f"/api/stories/{story_id}").json()["articles"][0]["id"]
    responses = [
        own_client.get(url, follow_redirects=False)
        for url in (
            "/",
            "/api/front",
            f"/story/{story_id}",
            f"/story/{story_id[:8]}",
            f"/article/{article_id}",
            f"/article/{article_id}/raw",
            "/search?q=strike",
            "/follows",
            "/sources",
            "/help",
            "/feed.atom",
            "/api/openapi.json",
            "/static/reader.css",
            "/static/reader.js",
            "/static/nothing.css",
            "/no/such/page",
            "/story/s-nothing",
            "/api/stories/s-nothing",
            "/api/front?page=0",
            "/sources/export.opml",
        )
    ]
    responses.append(own_client.post("/follows", data={}, follow_redirects=False))
    responses.append(post(own_client, "/follows", {"kind": "search", "target": "strike"}))
    responses.append(own_client.get("/", headers={"Host": "evil.example"}))
    tag = own_client.get("/api/front").headers["etag"]
    responses.append(own_client.get("/api/front", headers={"If-None-Match": tag}))
    assert {r.status_code for r in responses} == {200, 301, 303, 304, 403, 404, 421, 422}
    for response in responses:
        assert_secured(response)


def test_static_assets_are_served_from_the_package(client: TestClient) -> None:
    css = client.get("/static/reader.css")
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    script = client.get("/static/reader.js")
    assert script.status_code == 200 and "javascript" in script.headers["content-type"]
    doc = html(client.get("/"))
    external = [u for u in doc.xpath("//@href | //@src") if urlsplit(u).netloc]
    assert external == []


def test_the_raw_input_is_sandboxed_text(client: TestClient) -> None:
    story = client.get(f"/api/stories/{strike_story(client)['id']}").json()
    html_article = next(
        a["id"]
        for a in story["articles"]
        if client.get(f"/api/articles/{a['id']}").json()["article"]["source"].endswith("harbour-strike.html")
    )
    raw = client.get(f"/article/{html_article}/raw")
    assert raw.status_code == 200 and raw.headers["content-type"].startswith("text/plain")
    assert raw.headers["content-security-policy"].startswith("sandbox")
    assert raw.text == (EXAMPLES / "pages" / "harbour-strike.html").read_text(encoding="utf-8")
    assert html(client.get(f"/article/{html_article}")).xpath(f'//a[@href="/article/{html_article}/raw"]')


@pytest.mark.parametrize(
    "host", ["evil.example", "127.0.0.1.evil.example", "evil.example:8000", "10.0.0.1:8000"]
)
def test_loopback_binding_refuses_other_host_names(client: TestClient, host: str) -> None:
    for url in ("/", "/api/front", "/static/reader.css"):
        response = client.get(url, headers={"Host": host})
        assert response.status_code == 421 and "localhost" in response.text


@pytest.mark.parametrize("host", ["127.0.0.1:8000", "localhost:8000", "localhost", "[::1]:8000", "127.0.0.2"])
def test_loopback_binding_serves_loopback_host_names(client: TestClient, host: str) -> None:
    assert client.get("/api/status", headers={"Host": host}).status_code == 200


def test_a_token_guards_a_non_loopback_binding(own_db: Path) -> None:
    with serve(own_db, host="0.0.0.0", token="s3cret-token") as reader:
        assert reader.get("/api/front").status_code == 401
        assert reader.get("/").status_code == 401
        assert reader.get("/static/reader.css").status_code == 401
        assert reader.get("/api/front", headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert reader.get("/api/front?token=wrong").status_code == 401
        bearer = reader.get(
            "/api/front", headers={"Authorization": "Bearer s3cret-token", "Host": "reader.lan:8000"}
        )
        assert bearer.status_code == 200 and bearer.json()["kind"] == "front"
        assert not reader.cookies
        traded = reader.get("/search?q=strike&token=s3cret-token", follow_redirects=False)
        assert traded.status_code == 303 and traded.headers["location"] == "/search?q=strike"
        assert (
            "HttpOnly" in traded.headers["set-cookie"] and "SameSite=Strict" in traded.headers["set-cookie"]
        )
        assert_secured(traded)
        assert reader.cookies.get("dateline_token") == "s3cret-token"
        assert reader.get("/api/front").status_code == 200
        assert reader.get("/search?q=strike").status_code == 200
        # Off loopback, a web form may subscribe to feeds but not make the server read its own files.
        assert post(reader, "/sources", {"location": str(EXAMPLES / "pages")}).status_code == 400
        assert post(reader, "/sources", {"location": "https://feeds.example.org/a.xml"}).status_code == 303
        reader.cookies.clear()
        assert reader.get("/api/front").status_code == 401


def test_the_token_trade_in_keeps_an_encoded_path(own_db: Path) -> None:
    with serve(own_db, host="0.0.0.0", token="s3cret-token") as reader:
        traded = reader.get("/entity/person:%C3%A9mile%20zola?token=s3cret-token", follow_redirects=False)
        assert traded.status_code == 303 and traded.headers["location"] == "/entity/person:%C3%A9mile%20zola"


async def _asgi_redirect_location(path: str) -> str:
    """The Location the security middleware answers a GET of PATH?token=T with, called as ASGI."""

    async def never(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the token link is answered before the app")

    sent: list[dict[str, Any]] = []

    async def send(message: Any) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    middleware = SecurityMiddleware(never, AccessPolicy(token="T", loopback_only=False))
    scope = {
        "type": "http",
        "method": "GET",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"token=T",
        "headers": [(b"host", b"reader.lan:8000")],
    }
    await middleware(scope, receive, send)
    headers = dict(sent[0]["headers"])
    return bytes(headers[b"location"]).decode("latin-1")


def test_the_token_trade_in_never_redirects_to_another_site() -> None:
    # In a thread of its own: the browser tests' Playwright may hold an event loop in this one.
    with ThreadPoolExecutor(max_workers=1) as pool:
        location = pool.submit(asyncio.run, _asgi_redirect_location("//evil.example/x")).result()
    assert not location.startswith("//"), location


def test_an_idle_scheduler_shows_no_job(tmp_path: Path) -> None:
    app = create_app(ReaderConfig(settings=Settings(db_path=tmp_path / "idle.db", workers=1), scheduler=True))
    with TestClient(app, base_url=BASE) as reader:
        status = reader.get("/api/status").json()["status"]
        line = html(reader.get("/")).xpath('//p[@id="job-status"]')[0]
    assert status["running"] and status["job"] is None
    assert line.get("hidden") is not None and text_of(line) == ""


# ---------------------------------------------------------------- Atom feeds


def test_atom_feeds_parse_and_match_the_pages(client: TestClient) -> None:
    data = front(client)
    feed = feedparser.parse(client.get("/feed.atom").content)
    assert not feed.bozo and feed.feed.title == "Dateline: trending stories"
    assert [e.title for e in feed.entries] == [s["title"] for s in data["stories"]]
    assert [e.link for e in feed.entries] == [f"{BASE}/story/{s['id']}" for s in data["stories"]]

    story_id = strike_story(client)["id"]
    timeline = client.get(f"/api/stories/{story_id}").json()["synthesis"]["timeline"]
    response = client.get(f"/story/{story_id}/feed.atom")
    assert response.headers["content-type"].startswith("application/atom+xml")
    story_feed = feedparser.parse(response.content)
    assert not story_feed.bozo and len(story_feed.entries) == len(timeline) > 0
    assert len({e.id for e in story_feed.entries}) == len(timeline)
    for entry, item in zip(story_feed.entries, timeline, strict=True):
        assert entry.summary == item["text"] and entry.link.startswith(f"{BASE}/article/")
        assert cite_target(entry.link.removeprefix(BASE)) in citations_of(
            {"summary": [item], "timeline": [], "quotes": [], "figures": [], "title_citation": None}
        )

    results = client.get("/api/search", params={"q": "strike", "sort": "date"}).json()["results"]
    search_feed = feedparser.parse(client.get("/search/feed.atom", params={"q": "strike"}).content)
    assert not search_feed.bozo
    assert [e.link for e in search_feed.entries] == [f"{BASE}/article/{r['id']}" for r in results]


# ---------------------------------------------------------------- hostile articles


def assert_inert(page: str) -> None:
    """Nothing on PAGE can run: the one script is ours, no element carries an event handler or a
    javascript:/data: URL, and none of the tags that load or style content is there."""
    doc = lxml.html.document_fromstring(page)
    scripts = doc.xpath("//script")
    assert [s.get("src") for s in scripts] == ["/static/reader.js"] and not (scripts[0].text or "").strip()
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        assert element.tag.lower() not in FORBIDDEN_TAGS, element.tag
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (element.tag, name)
            assert name.lower() != "style", element.tag
            if name.lower() in URL_ATTRIBUTES:
                scheme = re.sub(r"[\x00-\x20]", "", value).lower().split(":", 1)
                assert (
                    len(scheme) == 1 or scheme[0] in ("http", "https") or "/" in scheme[0] or "?" in scheme[0]
                ), (
                    element.tag,
                    name,
                    value,
                )
    for payload in (
        "<script>alert",
        "<img src=x",
        "<svg",
        "<iframe",
        "<style>body",
        "<object",
        "<b onmouseover",
    ):
        assert payload not in page


def hostile_pages(reader: TestClient, article_ids: list[str]) -> list[str]:
    urls = ["/", "/search?q=pilots", "/search?q=%3Cscript%3E", "/follows", "/sources"]
    for article_id in article_ids:
        data = reader.get(f"/api/articles/{article_id}").json()
        urls.append(f"/article/{article_id}")
        urls.append(f"/article/{article_id}?hl=title:0-20")
        urls += [f"/entity/{quote(e['key'], safe='')}" for e in data["entities"]]
        if data["story"]:
            urls.append(f"/story/{data['story']['id']}")
    return list(dict.fromkeys(urls))


def test_hostile_articles_are_text_on_every_page(hostile: tuple[TestClient, list[str]]) -> None:
    reader, article_ids = hostile
    assert len(article_ids) == 2
    story_ids = {reader.get(f"/api/articles/{a}").json()["story"]["id"] for a in article_ids}
    for story_id in story_ids:  # the follows pages then show the hostile titles as labels
        assert post(reader, "/follows", {"kind": "story", "target": story_id}).status_code == 303
    assert (
        post(reader, "/follows", {"kind": "search", "target": "<script>alert(1)</script> pilots"}).status_code
        == 303
    )
    urls = hostile_pages(reader, article_ids)
    urls += [f"/follows/{f['id']}" for f in reader.get("/api/follows").json()["follows"]]
    assert any(u.startswith("/entity/") for u in urls) and any(u.startswith("/story/") for u in urls)
    for url in urls:
        response = reader.get(url)
        assert response.status_code == 200, url
        assert_inert(response.text)
    title_page = html(reader.get(f"/article/{article_ids[0]}"))
    assert text_of(title_page.xpath("//h1")[0]) == " ".join(HOSTILE[0]["title"].split())
    assert [p.text_content() for p in title_page.xpath('//div[@class="body"]/p')] == HOSTILE[0]["paragraphs"]


def test_a_javascript_url_never_becomes_a_link(hostile: tuple[TestClient, list[str]]) -> None:
    reader, article_ids = hostile
    data = reader.get(f"/api/articles/{article_ids[0]}").json()
    assert data["article"]["url"] is None and data["source_host"] is None
    story = reader.get(f"/api/stories/{data['story']['id']}").json()
    assert all(a["url"] is None or a["url"].startswith("https://") for a in story["articles"])
    for url in (f"/article/{article_ids[0]}", f"/story/{data['story']['id']}"):
        hrefs = html(reader.get(url)).xpath("//@href")
        assert hrefs and not any("javascript" in h.lower() for h in hrefs)


def test_look_alike_outlets_and_hosts_are_flagged(hostile: tuple[TestClient, list[str]]) -> None:
    reader, article_ids = hostile
    homoglyph = reader.get(f"/api/articles/{article_ids[0]}").json()
    assert homoglyph["outlet_warning"] and "Cyrillic" in homoglyph["outlet_warning"]
    page = html(reader.get(f"/article/{article_ids[0]}"))
    warning = page.xpath('//strong[@class="warning"]')
    assert warning and "Cyrillic" in text_of(warning[0])
    story = html(reader.get(f"/story/{homoglyph['story']['id']}"))
    assert story.xpath('//section[@aria-labelledby="h-articles"]//strong[@class="warning"]')
    idn = reader.get(f"/api/articles/{article_ids[1]}").json()
    assert idn["source_host"] == "www.xn--ruters-3of.com" and idn["outlet_warning"] is None
    link = html(reader.get(f"/article/{article_ids[1]}")).xpath(
        '//a[@rel="noopener noreferrer nofollow external"]'
    )[0]
    assert text_of(link) == "www.xn--ruters-3of.com"


def test_the_hostile_outlet_stays_inside_its_attribute(hostile: tuple[TestClient, list[str]]) -> None:
    reader, article_ids = hostile
    outlet = HOSTILE[1]["outlet"]
    options = html(reader.get("/search", params={"q": "Kessby"})).xpath(
        '//select[@name="outlet"]/option/@value'
    )
    assert outlet in options  # read back whole from its attribute: the quotes did not end it
    article = html(reader.get(f"/article/{article_ids[1]}"))
    assert text_of(article.xpath('//span[@class="outlet"]')[0]) == outlet
    story_id = reader.get(f"/api/articles/{article_ids[1]}").json()["story"]["id"]
    cited_by = html(reader.get(f"/story/{story_id}")).xpath('//a[contains(@class, "cite")]/@title')
    assert set(cited_by) <= {outlet, HOSTILE[0]["outlet"]} and cited_by


def test_the_json_twin_keeps_hostile_text_as_data(hostile: tuple[TestClient, list[str]]) -> None:
    reader, article_ids = hostile
    response = reader.get(f"/api/articles/{article_ids[0]}")
    assert response.headers["content-type"] == "application/json"
    assert response.json()["article"]["title"] == HOSTILE[0]["title"]


def test_the_write_api_follows_and_manages_sources_with_json(own_client: TestClient) -> None:
    created = own_client.post("/api/follows", json={"kind": "entity", "target": "person:ingrid sol"})
    assert created.status_code == 201 and created.json()["label"] == "Ingrid Sol"
    follow_id = created.json()["id"]
    assert created.headers["location"] == f"/api/follows/{follow_id}"
    assert [f["id"] for f in own_client.get("/api/follows").json()["follows"]] == [follow_id]
    # Not JSON (what a cross-site form or a no-cors fetch can send): refused, nothing changes.
    plain = own_client.post(
        "/api/follows", content='{"kind":"search","target":"strike"}', headers={"content-type": "text/plain"}
    )
    assert plain.status_code == 415
    assert own_client.post(f"/api/follows/{follow_id}/read").status_code == 415
    assert (
        own_client.post("/api/follows", json={"kind": "entity", "target": "person:nobody"}).status_code == 404
    )
    assert own_client.post("/api/follows", json={"kind": "planet", "target": "x"}).status_code == 422
    read = own_client.post(f"/api/follows/{follow_id}/read", json={})
    assert read.status_code == 200 and read.json()["last_seen_at"] >= created.json()["last_seen_at"]
    assert own_client.delete(f"/api/follows/{follow_id}").status_code == 204
    assert own_client.delete(f"/api/follows/{follow_id}").status_code == 404

    source = own_client.post(
        "/api/sources", json={"location": "https://example.org/feed.xml", "interval_minutes": 60}
    )
    assert source.status_code == 201 and source.json()["interval_seconds"] == 3600
    source_id = source.json()["id"]
    paused = own_client.patch(f"/api/sources/{source_id}", json={"paused": True})
    assert paused.status_code == 200 and paused.json()["paused"] is True
    assert own_client.post("/api/sources", json={"location": "no-such-folder-here"}).status_code == 400
    assert (
        own_client.post(
            "/api/sources", json={"location": "https://x.example/f", "interval_minutes": 1}
        ).status_code
        == 422
    )
    assert own_client.post("/api/refresh", json={}).status_code == 409  # this app runs without the scheduler
    assert own_client.delete(f"/api/sources/{source_id}").status_code == 204
    assert own_client.get("/api/sources").json()["sources"] == []
