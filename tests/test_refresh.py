"""Refresh passes and the scheduler against a real HTTP server on 127.0.0.1 (nothing leaves the machine).

The server publishes a feed of teasers whose pages it also serves, answers conditional GETs with 304,
and has a broken feed (HTTP 500), one that answers with junk, feeds whose pages come slowly (a pass over
them lasts seconds, time to stop it or kill its worker) and one that does not answer until told to.
"""

from __future__ import annotations

import os
import shutil
import signal
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dateline.cli import app
from dateline.ingest.fetch import Fetcher
from dateline.models import SourceStatus
from dateline.pipeline import add_source, refresh_sources
from dateline.settings import FetchSettings, Settings
from dateline.store import SqliteStore
from dateline.web.scheduler import Scheduler

from .conftest import EXAMPLES

NOW = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
FEED_ETAG = '"feed-v1"'
SLOW_FEEDS = 6
SLOW_PAGE_SECONDS = 0.4  # each slow feed has two pages

STORIES = {
    "/news/mediator.html": (
        "Mediator appointed in Port Arlen dock strike",
        [
            "The regional government on Monday appointed former labour court judge Ingrid Sol as mediator in"
            " the Port Arlen dock strike, now in its thirteenth day.",
            "Sol said she would meet the dockers' union and the terminal operators separately before bringing"
            " them back to the same table, possibly as early as Thursday.",
            "More than 130 vessels were waiting outside the harbour on Monday, according to the port authority,"
            " up from about 120 at the weekend. Fuel distributors have started rationing diesel deliveries.",
            "The union, which represents about 3,400 dock workers, walked out on 20 November after rejecting a"
            " pay offer of 4.5% this year and 3% next year. It wants a rise that matches inflation.",
        ],
    ),
    "/news/rail.html": (
        "Northern rail line reopens after landslide repairs",
        [
            "Trains returned to the northern line between Kessby and Halvik on Monday, six weeks after a"
            " landslide buried a 200-metre stretch of track near the Stora tunnel.",
            "The rail operator said engineers had removed about 18,000 cubic metres of rock and soil and built a"
            " new retaining wall above the line. Services will run at reduced speed until January.",
            "Replacement buses carried about 5,000 passengers a day while the line was closed. Local businesses"
            " in Halvik said the closure had cut visitor numbers by almost a third.",
            "Geologists from the national survey are monitoring the slope with sensors that report movement"
            " every ten minutes, and two other sections of the line will be inspected before the spring thaw.",
        ],
    ),
}


def _page(title: str, paragraphs: list[str]) -> bytes:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:site_name' content='Regional Wire'>"
        "<meta property='article:published_time' content='2025-12-02T07:40:00Z'></head>"
        f"<body><article><h1>{title}</h1>{body}</article></body></html>"
    ).encode()


def _feed(base: str, stories: dict[str, tuple[str, list[str]]] = STORIES) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{path}</guid>"
        f"<description>{paragraphs[0][:80]}…</description>"
        "<pubDate>Tue, 02 Dec 2025 07:40:00 +0000</pubDate></item>"
        for path, (title, paragraphs) in stories.items()
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Regional Wire</title>'
        f"<link>{base}/</link><description>Test feed</description>{items}</channel></rss>"
    ).encode()


def _slow_stories(feed: str) -> dict[str, tuple[str, list[str]]]:
    """The pages of /slow-FEED.xml."""
    return {
        f"/slow-{feed}/{path.rsplit('/', 1)[1]}": (f"{title} ({feed})", [f"Edition {feed}.", *paragraphs])
        for path, (title, paragraphs) in STORIES.items()
    }


@dataclass
class Server:
    base: str
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, If-None-Match)
    release_hung: threading.Event = field(default_factory=threading.Event)  # ends /hung.xml's wait

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server_state: Server

    def log_message(self, format: str, *args: object) -> None:
        return None

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        state = self.server_state
        state.requests.append((self.path, self.headers.get("If-None-Match")))
        if self.path == "/feed.xml":
            if self.headers.get("If-None-Match") == FEED_ETAG:
                self._send(304, b"", {"ETag": FEED_ETAG})
            else:
                body = _feed(state.base)
                self._send(200, body, {"Content-Type": "application/rss+xml", "ETag": FEED_ETAG})
        elif self.path in STORIES:
            title, paragraphs = STORIES[self.path]
            self._send(200, _page(title, paragraphs), {"Content-Type": "text/html; charset=utf-8"})
        elif self.path == "/broken.xml":
            self._send(500, b"internal error", {"Content-Type": "text/plain"})
        elif self.path == "/junk.xml":
            self._send(200, bytes(range(256)) * 8, {"Content-Type": "application/rss+xml", "ETag": '"junk"'})
        elif self.path.startswith("/slow-") and self.path.endswith(".xml"):
            feed = self.path.removeprefix("/slow-").removesuffix(".xml")
            self._send(200, _feed(state.base, _slow_stories(feed)), {"Content-Type": "application/rss+xml"})
        elif self.path.startswith("/slow-") and self.path in _slow_stories(self.path.split("/")[1][5:]):
            time.sleep(SLOW_PAGE_SECONDS)
            title, paragraphs = _slow_stories(self.path.split("/")[1][5:])[self.path]
            self._send(200, _page(title, paragraphs), {"Content-Type": "text/html"})
        elif self.path == "/hung.xml":
            state.release_hung.wait(30)
            self._send(200, _feed(state.base), {"Content-Type": "application/rss+xml"})
        elif self.path == "/page.html":
            self._send(200, _page(*STORIES["/news/rail.html"]), {"Content-Type": "text/html"})
        else:
            self._send(404, b"no such page", {"Content-Type": "text/plain"})


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        # A worker killed or terminated by a test hangs up in the middle of a response: not worth a traceback.
        return None


@pytest.fixture(scope="module")
def http_server() -> Iterator[Server]:
    httpd = _QuietServer(("127.0.0.1", 0), _Handler)
    state = Server(base=f"http://127.0.0.1:{httpd.server_address[1]}")
    _Handler.server_state = state
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.release_hung.set()
        httpd.shutdown()


@pytest.fixture
def server(http_server: Server) -> Iterator[Server]:
    http_server.requests.clear()
    http_server.release_hung.clear()
    yield http_server
    http_server.release_hung.set()


@pytest.fixture
def local_settings(db_path: Path) -> Settings:
    """The test server is on loopback: let it through the SSRF guard, and do not pace requests to it."""
    fetch = FetchSettings(allow_private_addresses=True, per_host_interval_s=0.0, timeout_s=10.0)
    return Settings(db_path=db_path, fetch=fetch, workers=1, enrich=False, stories=False)


def test_a_feed_is_ingested_then_answered_not_modified(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    source = add_source(store, server.url("/feed.xml"))
    report = refresh_sources(store, local_settings, now=NOW)
    [outcome] = report.sources
    assert (outcome.status, outcome.error, outcome.added) == (SourceStatus.OK, None, 2)
    assert outcome.next_fetch_at == NOW + timedelta(seconds=source.interval_seconds)
    titles = {a.title for a in store.list_articles()}
    assert titles == {title for title, _ in STORIES.values()}
    assert set(STORIES) <= set(server.paths())  # the teasers' pages were fetched
    stored = store.get_source(source.id)
    assert stored is not None
    assert (stored.last_status, stored.articles_added, stored.failures) == (SourceStatus.OK, 2, 0)
    assert stored.title == "Regional Wire"  # the feed's own title fills a source that had none
    assert stored.last_success_at == NOW
    assert store.http_validators(server.url("/feed.xml"))[0] == FEED_ETAG

    # Not due yet: a pass at the same time does nothing.
    assert refresh_sources(store, local_settings, now=NOW).sources == []

    server.requests.clear()
    later = NOW + timedelta(hours=1)
    again = refresh_sources(store, local_settings, now=later)
    [outcome] = again.sources
    assert (outcome.status, outcome.added, outcome.updated) == (SourceStatus.NOT_MODIFIED, 0, 0)
    # A conditional GET, and no page fetched again (each pass reads robots.txt afresh).
    assert [r for r in server.requests if r[0] != "/robots.txt"] == [("/feed.xml", FEED_ETAG)]
    assert store.count_articles() == 2
    stored = store.get_source(source.id)
    assert stored is not None
    assert stored.last_status is SourceStatus.NOT_MODIFIED and stored.articles_added == 2
    assert stored.next_fetch_at == later + timedelta(seconds=source.interval_seconds)


def test_a_failing_source_backs_off_while_the_others_ingest(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    broken = add_source(store, server.url("/broken.xml"))
    junk = add_source(store, server.url("/junk.xml"))
    page = add_source(store, server.url("/page.html"))  # a web page is not a feed
    good = add_source(store, server.url("/feed.xml"))
    report = refresh_sources(store, local_settings, now=NOW)
    by_id = {outcome.source_id: outcome for outcome in report.sources}
    assert by_id[good.id].status is SourceStatus.OK and by_id[good.id].added == 2
    assert report.errors == 3 and report.added == 2
    assert "HTTP 500" in (by_id[broken.id].error or "")
    assert "not an RSS or Atom feed" in (by_id[junk.id].error or "")
    assert "a web page" in (by_id[page.id].error or "")
    assert store.count_articles() == 2  # neither the junk nor the page became an article
    # A response that failed leaves no validators behind: the next pass asks for the whole feed again.
    assert store.http_validators(server.url("/junk.xml")) == (None, None)
    logged = {entry.source for entry in store.list_problems()}
    assert {broken.url, junk.url, page.url} <= logged

    interval = timedelta(seconds=broken.interval_seconds)
    failed = store.get_source(broken.id)
    assert failed is not None
    assert (failed.failures, failed.last_status, failed.next_fetch_at) == (
        1,
        SourceStatus.ERROR,
        NOW + 2 * interval,
    )
    assert failed.last_success_at is None

    # One interval later only the healthy source is due; two intervals later the failing ones retry and back off more.
    assert [s.id for s in store.due_sources(NOW + interval)] == [good.id]
    second = NOW + 2 * interval
    refresh_sources(store, local_settings, source_ids=[broken.id], now=second)
    failed = store.get_source(broken.id)
    assert failed is not None and failed.failures == 2 and failed.next_fetch_at == second + 4 * interval


def test_a_folder_source_reads_new_files_only(
    store: SqliteStore, local_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "saved [2025]"  # a folder, not a glob pattern
    shutil.copytree(EXAMPLES / "pages", folder)
    source = add_source(store, str(folder))
    [first] = refresh_sources(store, local_settings, now=NOW).sources
    assert (first.status, first.added) == (SourceStatus.OK, 1)

    (folder / "rail.html").write_bytes(_page(*STORIES["/news/rail.html"]))
    [second] = refresh_sources(store, local_settings, due_only=False).sources
    assert (second.status, second.added) == (SourceStatus.OK, 1)
    [third] = refresh_sources(store, local_settings, due_only=False).sources
    assert (third.status, third.added) == (SourceStatus.NOT_MODIFIED, 0)
    stored = store.get_source(source.id)
    assert stored is not None and stored.articles_added == 2

    shutil.rmtree(folder)
    [gone] = refresh_sources(store, local_settings, due_only=False).sources
    assert gone.status is SourceStatus.ERROR and "no such file or folder" in (gone.error or "")
    assert store.count_articles() == 2


def test_a_pass_asked_to_stop_keeps_what_it_finished(
    store: SqliteStore, server: Server, local_settings: Settings, tmp_path: Path
) -> None:
    folder = tmp_path / "saved"
    shutil.copytree(EXAMPLES / "pages", folder)
    first = add_source(store, str(folder))
    second = add_source(store, server.url("/feed.xml"))
    finished: list[str] = []

    def progress(event: str, subject: str) -> None:
        if event in {str(s) for s in SourceStatus}:
            finished.append(subject)

    report = refresh_sources(
        store, local_settings, now=NOW, progress=progress, should_stop=lambda: bool(finished)
    )
    assert report.cancelled
    assert [o.source_id for o in report.sources] == [first.id]
    assert store.count_articles() == 1
    untouched = store.get_source(second.id)
    assert untouched is not None and untouched.next_fetch_at is None  # still due
    assert server.requests == []
    # The store is left with no transaction open: another connection can write at once.
    with SqliteStore.open(local_settings.db_path) as other:
        other.set_source_paused(second.id, True)


def test_a_pass_runs_the_whole_pipeline_and_warms_the_stories(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    add_source(store, server.url("/feed.xml"))
    report = refresh_sources(store, replace(local_settings, enrich=True, stories=True), now=NOW)
    assert report.added == 2 and report.problems == []
    assert report.enriched == 2 and report.clustered == 2
    stories = store.list_stories()
    assert stories and report.synthesized == len(stories)
    assert all(store.load_synthesis(story.id) is not None for story in stories)


# ---------------------------------------------------------------- the scheduler


def test_the_scheduler_runs_a_requested_pass_and_stops_cleanly(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    source = add_source(store, server.url("/feed.xml"))
    store.set_source_paused(source.id, True)  # not due: only a request makes the scheduler fetch it
    scheduler = Scheduler(local_settings, poll_seconds=0.05)  # no fetcher_factory: passes run in a worker
    scheduler.start()
    try:
        assert scheduler.status().running
        assert not scheduler.wait_for_passes(1, timeout=0.3)  # nothing due, nothing asked
        assert server.requests == []
        assert scheduler._worker_pid is None  # the worker starts with the first pass
        scheduler.request_refresh(source.id)
        assert scheduler.wait_for_passes(1, timeout=60)
        assert scheduler._worker_pid not in (None, os.getpid())
        status = scheduler.status()
        assert status.last_pass is not None
        assert (status.last_pass.sources, status.last_pass.added, status.last_pass.errors) == (1, 2, 0)
        assert status.job is None and status.current_source is None and status.errors == ()
        assert status.to_dict()["last_pass"]["added"] == 2
        # The worker's progress reached the status.
        assert (status.sources_planned, status.sources_done) == (1, 1) and status.documents >= 2
    finally:
        assert scheduler.stop(timeout=30)
    assert not scheduler.status().running
    assert scheduler._worker_pid is None
    assert store.count_articles() == 2  # written through the scheduler's own connection
    store.set_source_paused(source.id, False)  # and it left no transaction open


def test_the_scheduler_survives_a_pass_that_crashes(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    add_source(store, server.url("/feed.xml"))
    calls: list[int] = []

    def flaky_fetcher() -> Fetcher:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("the network stack fell over")
        return Fetcher(local_settings.fetch)

    scheduler = Scheduler(local_settings, poll_seconds=0.05, fetcher_factory=flaky_fetcher)
    scheduler.start()
    try:
        assert scheduler.wait_for_passes(1, timeout=60)
        status = scheduler.status()
        assert status.running and status.last_pass is not None
        assert "the network stack fell over" in (status.last_pass.crashed or "")
        assert any("fell over" in error for error in status.errors)
        scheduler.request_refresh()
        assert scheduler.wait_for_passes(2, timeout=60)
        last = scheduler.status().last_pass
        assert last is not None and last.crashed is None and last.added == 2
    finally:
        assert scheduler.stop(timeout=30)


def _wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def _process_is_gone(pid: int) -> bool:
    """PID has exited (a zombie not yet reaped by its parent counts as gone)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


def _paused_source(store: SqliteStore, url: str) -> int:
    """A source that only a request makes the scheduler fetch (no pass of its own gets in the way)."""
    source = add_source(store, url)
    store.set_source_paused(source.id, True)
    return source.id


def _slow_sources(store: SqliteStore, server: Server) -> list[int]:
    """Due sources that take a pass several seconds, with a chance to stop between each two."""
    return [add_source(store, server.url(f"/slow-{number}.xml")).id for number in range(SLOW_FEEDS)]


# A scheduler that makes one pass over the due sources as it starts, then only the passes it is asked for.
ONLY_THE_FIRST_PASS = 3600.0

needs_proc = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads process states from /proc"
)


@needs_proc
def test_a_stopped_scheduler_ends_its_worker_between_sources(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    _slow_sources(store, server)
    scheduler = Scheduler(local_settings, poll_seconds=ONLY_THE_FIRST_PASS)
    scheduler.start()
    try:
        assert _wait_until(lambda: scheduler.status().sources_done >= 1)  # the pass is under way
        worker_pid = scheduler._worker_pid
        assert worker_pid is not None
    finally:
        assert scheduler.stop(timeout=20)
    status = scheduler.status()
    assert not status.running and status.passes == 1
    assert status.last_pass is not None and status.last_pass.cancelled and status.last_pass.crashed is None
    assert not any("terminated" in error for error in status.errors)  # it ended by itself
    assert _process_is_gone(worker_pid)
    # What it finished is kept; the sources it did not reach are still due.
    assert 2 <= store.count_articles() < 2 * SLOW_FEEDS
    assert 0 < len(store.due_sources(datetime.now(UTC))) < SLOW_FEEDS
    add_source(store, server.url("/feed.xml"))  # and it left no transaction open


@needs_proc
def test_a_worker_that_does_not_stop_is_terminated_in_time(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    hung = _paused_source(store, server.url("/hung.xml"))
    scheduler = Scheduler(local_settings, poll_seconds=ONLY_THE_FIRST_PASS)
    scheduler.start()
    try:
        scheduler.request_refresh(hung)
        assert _wait_until(lambda: scheduler.status().current_source == server.url("/hung.xml"))
        worker_pid = scheduler._worker_pid
        assert worker_pid is not None
    finally:
        # The worker is stuck reading a response: it cannot look at the stop signal, so it is terminated.
        assert scheduler.stop(timeout=2)
    status = scheduler.status()
    assert not status.running and status.last_pass is not None and status.last_pass.cancelled
    assert any("terminated" in error for error in status.errors)
    assert _process_is_gone(worker_pid)
    store.set_source_paused(hung, False)  # the terminated worker holds no lock


@needs_proc
def test_a_worker_that_dies_is_replaced_at_the_next_pass(
    store: SqliteStore, server: Server, local_settings: Settings
) -> None:
    _slow_sources(store, server)
    feed = _paused_source(store, server.url("/feed.xml"))
    scheduler = Scheduler(local_settings, poll_seconds=ONLY_THE_FIRST_PASS)
    scheduler.start()
    try:
        # Killed during a pass: the pass is recorded as failed.
        assert _wait_until(lambda: scheduler.status().current_source is not None)
        first_pid = scheduler._worker_pid
        assert first_pid is not None
        os.kill(first_pid, signal.SIGKILL)
        assert scheduler.wait_for_passes(1, timeout=60)
        status = scheduler.status()
        assert status.running and status.last_pass is not None
        assert "the refresh worker died" in (status.last_pass.crashed or "")
        assert any("died" in error for error in status.errors)

        # The next request starts a new worker, which does the work.
        scheduler.request_refresh(feed)
        assert scheduler.wait_for_passes(2, timeout=60)
        last = scheduler.status().last_pass
        assert last is not None and last.crashed is None and (last.sources, last.added) == (1, 2)
        second_pid = scheduler._worker_pid
        assert second_pid not in (None, first_pid)

        # Killed while idle: replaced at the next pass too, which runs as if nothing had happened.
        assert second_pid is not None
        os.kill(second_pid, signal.SIGKILL)
        assert _wait_until(lambda: _process_is_gone(second_pid))
        scheduler.request_refresh(feed)
        assert scheduler.wait_for_passes(3, timeout=60)
        status = scheduler.status()
        assert status.last_pass is not None and status.last_pass.crashed is None
        assert (status.last_pass.sources, status.last_pass.errors) == (1, 0)
        assert "a new one was started" in status.errors[-1]
        assert scheduler._worker_pid not in (None, first_pid, second_pid)
    finally:
        assert scheduler.stop(timeout=30)


def test_refresh_command_runs_one_pass(db_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, [*args, "--db", str(db_path)])
        return result.exit_code, result.stdout, result.stderr

    code, _, stderr = run("refresh")
    assert code == 0 and "No sources yet" in stderr
    folder = tmp_path / "saved"
    shutil.copytree(EXAMPLES / "pages", folder)
    assert run("sources", "add", str(folder), "--title", "Saved pages")[0] == 0
    code, stdout, stderr = run("refresh")
    assert code == 0, stderr
    assert "Saved pages" in stdout and " ok " in stdout
    assert "1 source, 1 new article, 0 errors" in stderr
    code, _, stderr = run("refresh")
    assert code == 0 and "No source is due" in stderr
    code, stdout, _ = run("refresh", "--source", "1")
    assert code == 0 and "not-modified" in stdout
    code, _, stderr = run("refresh", "--source", "7")
    assert code == 1 and "no source #7" in stderr
    shutil.rmtree(folder)
    code, stdout, _ = run("refresh", "--all")
    assert code == 1 and "error" in stdout
