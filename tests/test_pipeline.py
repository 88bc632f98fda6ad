"""The ingest use case end to end: real SQLite, real extractors, the bundled examples and hostile inputs."""

from __future__ import annotations

import gzip
import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from dateline.models import Article, DateOrigin, DocumentHints, IngestProblem, PublishedDate, SourceFormat
from dateline.pipeline import extract_inputs, ingest_inputs, reextract
from dateline.settings import FetchSettings, Settings
from dateline.store import SqliteStore

from .conftest import EXAMPLES


def by_source(store: SqliteStore) -> dict[str, Article]:
    return {Path(a.source).name: a for a in store.list_articles()}


def test_examples_ingest_with_all_fields(store: SqliteStore, settings: Settings) -> None:
    report = ingest_inputs(store, [str(EXAMPLES)], settings)
    assert report.failed == 0, report.problems
    assert report.added == 5  # HTML page, text scrape, two feed entries, one JSONL record
    articles = by_source(store)
    page = articles["harbour-strike.html"]
    assert page.title == "Dock workers in Port Arlen extend strike as talks stall"
    assert page.outlet == "The Arlen Courier"
    assert page.authors == ("Maria Lindqvist",)
    assert page.published_at == datetime(2025, 11, 30, 9, 15, tzinfo=UTC)
    assert page.language == "en"
    assert any("Idle container cranes" in c.text for c in page.captions)
    assert "Idle container cranes" not in page.text
    assert "Related articles" not in page.text and "cookies" not in page.text

    scrape = articles["harbour-strike-aggregator.txt"]
    assert scrape.source_format is SourceFormat.TEXT
    assert scrape.duplicate_of == page.id  # the aggregator's copy folds under the original
    assert (scrape.outlet, scrape.via) == ("The Arlen Courier", "NewsNow Digest")
    assert scrape.duplicate_similarity is not None and scrape.duplicate_similarity >= 0.8
    assert "Related Articles" not in scrape.text
    assert "Sign up" not in scrape.text

    feed_titles = {
        a.title for a in store.list_articles() if a.source.endswith(".xml#regional-wire-20251202-0001")
    }
    assert feed_titles == {"Mediator appointed in Port Arlen dock strike"}
    [jsonl] = [a for a in store.list_articles() if a.source_format is SourceFormat.JSONL]
    assert jsonl.outlet == "Harbour Bulletin"
    assert jsonl.published_origin is DateOrigin.INPUT
    stats = store.stats()
    assert (stats.originals, stats.duplicates) == (4, 1)


def test_reingesting_changes_nothing(store: SqliteStore, settings: Settings) -> None:
    ingest_inputs(store, [str(EXAMPLES)], settings)
    before = [a.to_dict() for a in store.list_articles()]
    again = ingest_inputs(store, [str(EXAMPLES)], settings)
    assert (again.added, again.updated, again.failed) == (0, 0, 0)
    assert again.unchanged == 5
    assert [a.to_dict() for a in store.list_articles()] == before


def test_user_hints_win(store: SqliteStore, settings: Settings) -> None:
    hints = DocumentHints(
        outlet="My Outlet",
        url="https://mine.example/story",
        published=PublishedDate(datetime(2025, 12, 24), origin=DateOrigin.USER),
    )
    ingest_inputs(store, [str(EXAMPLES / "pages" / "harbour-strike.html")], settings, user_hints=hints)
    [article] = store.list_articles()
    assert article.outlet == "My Outlet"
    assert article.published_at == datetime(2025, 12, 24)
    assert article.published_origin is DateOrigin.USER
    assert article.identity == "url:https://mine.example/story"


BAD_INPUTS: dict[str, bytes] = {
    "empty.html": b"",
    "junk.bin": bytes(range(256)) * 64,
    "truncated.html.gz": gzip.compress(
        b"<html><body>"
        + b"".join(b"<p>paragraph %d of a long page</p>" % i for i in range(3000))
        + b"</body></html>"
    )[:2000],
    "broken.xml": b'<?xml version="1.0"?><rss version="2.0"><channel><title>x</title><item><title>a</ite',
    "bomb.xml": (
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;'
        b'&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
        b'&lol2;">]><rss version="2.0"><channel><title>&lol3;</title><item><title>&lol3;</title>'
        b"<description>&lol3;</description></item></channel></rss>"
    ),
    "bad.jsonl": b'{"title": "ok", "text": "A fine article body with enough words to count as text."}\n{not json\n',
    "nav-only.html": b"<html><body><nav><a href='/'>Home</a></nav></body></html>",
}


def test_bad_inputs_are_logged_and_the_batch_goes_on(
    tmp_path: Path, store: SqliteStore, settings: Settings
) -> None:
    folder = tmp_path / "inbox"
    folder.mkdir()
    for name, content in BAD_INPUTS.items():
        (folder / name).write_bytes(content)
    shutil.copy(EXAMPLES / "pages" / "harbour-strike.html", folder / "good.html")
    (folder / "latin1.txt").write_bytes(
        "Überraschung in Köln\n\nDie Stadtverwaltung hat am Montag überraschend angekündigt, dass die "
        "Straßenbahnlinie zum Hafen bis Ende des Jahres fertiggestellt wird. Die Bürger äußerten sich "
        "erleichtert über die Nachricht, nachdem sich der Bau um zwei Jahre verzögert hatte.\n\n"
        "Der Bürgermeister sagte, die Kosten seien im Rahmen geblieben.".encode("latin-1")
    )
    report = ingest_inputs(store, [str(folder), str(tmp_path / "missing.html")], settings)
    sources = {Path(p.source).name for p in report.problems}
    assert {
        "empty.html",
        "junk.bin",
        "truncated.html.gz",
        "broken.xml",
        "bomb.xml",
        "missing.html",
    } <= sources
    assert all(p.message and "\n" not in p.message for p in report.problems)
    stored = by_source(store)
    assert "good.html" in stored
    assert "Straßenbahnlinie" in stored["latin1.txt"].text  # wrong encoding decoded, not mangled
    logged = store.list_problems(limit=100)
    assert len(logged) == len(report.problems)
    assert report.failed == len(report.problems)


def test_oversized_input_is_refused_without_reading_it(tmp_path: Path, store: SqliteStore) -> None:
    big = tmp_path / "big.html"
    big.write_bytes(b"<html><body>" + b"<p>word word word</p>" * 60000 + b"</body></html>")
    report = ingest_inputs(
        store, [str(big)], Settings(db_path=Path(":memory:"), workers=1, max_document_bytes=1_000_000)
    )
    [problem] = report.problems
    assert "limit" in problem.message
    assert store.count_articles() == 0


def test_interrupted_run_leaves_consistent_store_and_resumes(store: SqliteStore, settings: Settings) -> None:
    seen: list[str] = []

    def interrupt_after_two(outcome: str, source: str) -> None:
        seen.append(outcome)
        if len(seen) == 2:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        ingest_inputs(store, [str(EXAMPLES)], settings, progress=interrupt_after_two)
    partial = store.count_articles()
    assert 1 <= partial <= 5
    resumed = ingest_inputs(store, [str(EXAMPLES)], settings)
    assert resumed.failed == 0
    assert store.count_articles() == 5


def test_reextract_reruns_over_kept_raw_documents(store: SqliteStore, settings: Settings) -> None:
    ingest_inputs(store, [str(EXAMPLES)], settings)
    before = {a.id: a for a in store.list_articles()}
    report = reextract(store, settings)
    assert report.failed == 0
    after = {a.id: a for a in store.list_articles()}
    assert after.keys() == before.keys()
    for article_id, article in after.items():
        assert article.ingested_at == before[article_id].ingested_at
        assert article.paragraphs == before[article_id].paragraphs


def test_extract_inputs_touches_no_store(tmp_path: Path) -> None:
    (tmp_path / "junk.bin").write_bytes(b"\x00\x01\x02" * 100)
    items = list(
        extract_inputs(
            [str(EXAMPLES / "pages" / "harbour-strike.html"), str(tmp_path / "junk.bin")], Settings(workers=1)
        )
    )
    assert isinstance(items[0], Article) and items[0].title
    assert isinstance(items[1], IngestProblem)
    assert json.dumps(items[0].to_dict())


# ---------------------------------------------------------------- URLs and feeds from a local server


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, str, bytes]]] = {}

    def do_GET(self) -> None:
        status, media_type, body = self.routes.get(self.path, (404, "text/plain", b"not found"))
        if self.path == "/robots.txt" and self.path not in self.routes:
            status, media_type, body = 200, "text/plain", b"User-agent: *\nAllow: /\n"
        self.send_response(status)
        self.send_header("Content-Type", media_type)
        self.send_header("ETag", '"v1"')
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def local_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_feed_with_teasers_fetches_linked_pages(
    local_server: str, store: SqliteStore, settings: Settings
) -> None:
    page = (EXAMPLES / "pages" / "harbour-strike.html").read_bytes()
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>Local Courier</title>
    <item><title>Strike extended</title><link>{local_server}/strike</link><guid>s1</guid>
    <description>Dock workers will stay off the job… Read more</description>
    <pubDate>Sun, 30 Nov 2025 09:15:00 +0000</pubDate></item></channel></rss>""".encode()
    _Handler.routes = {"/feed.xml": (200, "application/rss+xml", feed), "/strike": (200, "text/html", page)}
    local = replace(settings, fetch=FetchSettings(allow_private_addresses=True, per_host_interval_s=0))
    report = ingest_inputs(store, [f"{local_server}/feed.xml"], local)
    assert report.failed == 0, report.problems
    [article] = store.list_articles()
    assert "at least another week" in article.text
    assert article.url is not None
    again = ingest_inputs(store, [f"{local_server}/feed.xml"], local)
    assert again.added == 0 and store.count_articles() == 1


def test_private_addresses_are_refused_by_default(
    local_server: str, store: SqliteStore, settings: Settings
) -> None:
    report = ingest_inputs(store, [f"{local_server}/anything"], settings)
    [problem] = report.problems
    assert problem.stage == "fetch"
    assert store.count_articles() == 0


def _warc_with(pages: dict[str, bytes]) -> bytes:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    for url, body in pages.items():
        headers = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
        )
        writer.write_record(
            writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
        )
    return buffer.getvalue()


def test_warc_archive_ingests_each_response(tmp_path: Path, store: SqliteStore, settings: Settings) -> None:
    page = (EXAMPLES / "pages" / "harbour-strike.html").read_bytes()
    other = page.replace(b"Dock workers", b"Harbour pilots").replace(b"3,400", b"210")
    archive = tmp_path / "crawl.warc.gz"
    archive.write_bytes(
        _warc_with({"https://courier.example.org/a": page, "https://courier.example.org/b": other})
    )
    report = ingest_inputs(store, [str(archive)], settings)
    assert report.failed == 0, report.problems
    assert report.added == 2
    urls = {a.identity for a in store.list_articles()}
    assert urls == {"url:https://courier.example.org/a", "url:https://courier.example.org/b"}
    assert ingest_inputs(store, [str(archive)], settings).added == 0


def test_jsonl_output_round_trips_through_ingest(
    tmp_path: Path, store: SqliteStore, settings: Settings
) -> None:
    ingest_inputs(store, [str(EXAMPLES / "pages"), str(EXAMPLES / "feeds")], settings)
    exported = tmp_path / "export.jsonl"
    exported.write_text("\n".join(json.dumps(a.to_dict()) for a in store.list_articles()) + "\n")
    with SqliteStore.open(tmp_path / "second.db") as second:
        report = ingest_inputs(second, [str(exported)], settings)
        assert report.failed == 0, report.problems
        copies = {a.title: a for a in second.list_articles()}
    for original in store.list_articles():
        copy = copies[original.title]
        assert copy.paragraphs == original.paragraphs
        assert copy.published_at == original.published_at
        assert copy.outlet == original.outlet
        assert copy.authors == original.authors
        assert copy.captions == original.captions


def test_warc_larger_than_the_page_limit_is_streamed(tmp_path: Path, store: SqliteStore) -> None:
    page = (EXAMPLES / "pages" / "harbour-strike.html").read_bytes()
    pages = {f"https://courier.example.org/{i}": page.replace(b"3,400", str(i).encode()) for i in range(3)}
    archive = tmp_path / "big.warc.gz"
    archive.write_bytes(_warc_with(pages))
    small_limit = Settings(workers=1, max_document_bytes=len(archive.read_bytes()) - 1)
    report = ingest_inputs(store, [str(archive)], small_limit)
    assert report.failed == 0, report.problems
    assert report.added + report.duplicates >= 3
    assert store.count_articles() == 3


def test_relative_date_in_a_scrape_counts_from_when_it_was_fetched(
    tmp_path: Path, store: SqliteStore, settings: Settings
) -> None:
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    scrape = (EXAMPLES / "scrapes" / "harbour-strike-aggregator.txt").read_text()
    scrape = scrape.replace("30 November 2025", "Yesterday (30 November)")
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=False)
    headers = StatusAndHeaders("200 OK", [("Content-Type", "text/plain; charset=utf-8")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        "https://digest.example.net/strike",
        "response",
        payload=io.BytesIO(scrape.encode()),
        http_headers=headers,
        warc_headers_dict={"WARC-Date": "2025-12-01T08:00:00Z"},
    )
    writer.write_record(record)
    archive = tmp_path / "scrape.warc"
    archive.write_bytes(buffer.getvalue())
    report = ingest_inputs(store, [str(archive)], settings)
    assert report.failed == 0, report.problems
    [article] = store.list_articles()
    assert article.source_format is SourceFormat.TEXT
    assert article.published_at is not None and article.published_at.date().isoformat() == "2025-11-30"
    assert article.published_origin is DateOrigin.TEXT
