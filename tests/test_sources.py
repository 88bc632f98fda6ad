"""Sources: subscribing, pausing, removing, when each is due, backoff, OPML in and out, the starter list.

Nothing here touches the network: refresh passes over local folders only (feeds over HTTP are in
test_refresh.py).
"""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from defusedxml.ElementTree import fromstring
from typer.testing import CliRunner

from dateline.cli import app
from dateline.errors import InputError, ParseError
from dateline.ingest.opml import parse_opml, starter_opml, write_opml
from dateline.models import FeedSubscription, Source, SourceKind, SourceStatus
from dateline.pipeline import (
    MAX_BACKOFF,
    add_source,
    add_starter_sources,
    export_opml_sources,
    import_opml_sources,
    next_fetch_time,
    refresh_sources,
)
from dateline.settings import Settings
from dateline.store import SqliteStore

from .conftest import EXAMPLES

NOW = datetime(2026, 3, 20, 8, 0, tzinfo=UTC)
FEED = "https://news.example.org/world/rss.xml"


def quick(settings: Settings) -> Settings:
    return Settings(db_path=settings.db_path, workers=1, enrich=False, stories=False)


# ---------------------------------------------------------------- subscribing


def test_a_url_is_a_feed_and_a_folder_is_a_path_both_due_at_once(store: SqliteStore, tmp_path: Path) -> None:
    feed = add_source(store, f"  {FEED} ", title="World", interval_seconds=600)
    assert (feed.kind, feed.url, feed.title, feed.interval_seconds) == (SourceKind.FEED, FEED, "World", 600)
    assert feed.next_fetch_at is None and feed.failures == 0 and not feed.paused

    folder = tmp_path / "saved pages"
    folder.mkdir()
    path = add_source(store, str(folder))
    assert path.kind is SourceKind.PATH
    assert path.url == str(folder.resolve()) and path.title == "saved pages"
    assert path.interval_seconds == 1800  # the default

    assert [s.id for s in store.due_sources(NOW)] == [feed.id, path.id]
    assert store.get_source(feed.id) == feed
    assert add_source(store, FEED).id == feed.id  # subscribing again changes nothing
    assert len(store.list_source_records()) == 2


@pytest.mark.parametrize(
    ("location", "message"),
    [
        ("", "feed URL"),
        ("   ", "feed URL"),
        ("ftp://files.example.org/feed.xml", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("https://", "not a valid feed URL"),
        ("https://exa mple.org/feed", "not a valid feed URL"),
        ("no/such/folder", "no such file or folder"),
    ],
)
def test_what_is_not_a_source_is_refused_with_a_reason(
    store: SqliteStore, location: str, message: str
) -> None:
    with pytest.raises(InputError, match=message):
        add_source(store, location)
    assert store.list_source_records() == []


def test_an_interval_out_of_bounds_is_refused(store: SqliteStore) -> None:
    with pytest.raises(InputError, match="polled every"):
        add_source(store, FEED, interval_seconds=5)
    with pytest.raises(InputError, match="polled every"):
        add_source(store, FEED, interval_seconds=30 * 24 * 3600)


def test_pause_resume_and_remove(store: SqliteStore) -> None:
    source = add_source(store, FEED)
    store.record_source_result(
        FEED, status="ok", error=None, added=1, next_fetch_at=NOW + timedelta(hours=1), success=True
    )
    assert store.set_source_paused(source.id, True)
    assert store.due_sources(NOW + timedelta(days=1)) == []  # paused: never due
    assert store.set_source_paused(source.id, False)
    resumed = store.get_source(source.id)
    assert resumed is not None and not resumed.paused and resumed.next_fetch_at is None  # due at once
    assert [s.id for s in store.due_sources(NOW)] == [source.id]
    # Resuming one that runs keeps its schedule.
    store.record_source_result(
        FEED, status="ok", error=None, added=0, next_fetch_at=NOW + timedelta(hours=1), success=True
    )
    assert store.set_source_paused(source.id, False)
    assert store.due_sources(NOW) == []

    store.save_http_validators(FEED, etag='"v1"', last_modified=None, status=200)
    assert store.remove_source(source.id)
    assert store.get_source(source.id) is None
    assert store.http_validators(FEED) == (None, None)  # subscribing again fetches the feed whole
    assert not store.remove_source(source.id)
    assert not store.set_source_paused(source.id, True)
    assert not store.set_source_interval(source.id, 600)


def test_removing_a_source_keeps_its_articles(store: SqliteStore, settings: Settings, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    shutil.copytree(EXAMPLES / "pages", folder)
    source = add_source(store, str(folder))
    report = refresh_sources(store, quick(settings), now=NOW)
    [outcome] = report.sources
    assert (outcome.status, outcome.added) == (SourceStatus.OK, 1)
    assert store.remove_source(source.id)
    assert store.count_articles() == 1


# ---------------------------------------------------------------- schedule and backoff


def _source(interval_seconds: int = 1800, failures: int = 0) -> Source:
    return Source(
        id=1,
        url=FEED,
        kind=SourceKind.FEED,
        title=None,
        html_url=None,
        category=None,
        added_at=NOW,
        paused=False,
        interval_seconds=interval_seconds,
        next_fetch_at=None,
        failures=failures,
        last_fetched_at=None,
        last_success_at=None,
        last_status=None,
        last_error=None,
        articles_added=0,
    )


def test_backoff_doubles_with_each_failure_up_to_a_day() -> None:
    assert next_fetch_time(_source(), NOW, failed=False) == NOW + timedelta(minutes=30)
    delays = [next_fetch_time(_source(failures=k), NOW, failed=True) - NOW for k in range(8)]
    assert delays[:5] == [timedelta(hours=h) for h in (1, 2, 4, 8, 16)]
    assert delays[5:] == [MAX_BACKOFF] * 3
    assert next_fetch_time(_source(failures=10_000), NOW, failed=True) == NOW + MAX_BACKOFF
    weekly = 7 * 24 * 3600
    assert next_fetch_time(_source(weekly, failures=3), NOW, failed=True) == NOW + timedelta(seconds=weekly)


def test_results_count_failures_until_a_success(store: SqliteStore) -> None:
    add_source(store, FEED)
    for attempt in (1, 2):
        updated = store.record_source_result(
            FEED,
            status=SourceStatus.ERROR,
            error="HTTP 500",
            added=0,
            next_fetch_at=NOW + timedelta(hours=attempt),
            success=False,
            fetched_at=NOW,
        )
        assert updated is not None and updated.failures == attempt
    assert updated is not None
    assert updated.last_status is SourceStatus.ERROR and updated.last_error == "HTTP 500"
    assert updated.last_success_at is None
    assert store.due_sources(NOW + timedelta(minutes=119)) == []
    assert [s.url for s in store.due_sources(NOW + timedelta(hours=2))] == [FEED]

    later = NOW + timedelta(hours=2)
    healed = store.record_source_result(
        FEED,
        status=SourceStatus.OK,
        error=None,
        added=3,
        next_fetch_at=later + timedelta(minutes=30),
        success=True,
        fetched_at=later,
        title="World news",
    )
    assert healed is not None
    assert (healed.failures, healed.last_error, healed.articles_added) == (0, None, 3)
    assert healed.last_success_at == later and healed.last_fetched_at == later
    assert healed.title == "World news"  # the feed's own title fills a missing one…
    store.record_source_result(
        FEED, status="ok", error=None, added=2, next_fetch_at=later, success=True, title="X"
    )
    again = store.source_by_url(FEED)
    assert again is not None and again.title == "World news" and again.articles_added == 5  # …and only that


def test_due_sources_come_never_fetched_first_then_most_overdue(store: SqliteStore) -> None:
    urls = [f"https://news.example.org/{name}.xml" for name in ("a", "b", "c", "d")]
    for url in urls:
        add_source(store, url)
    store.record_source_result(urls[0], status="ok", error=None, added=0, next_fetch_at=NOW, success=True)
    store.record_source_result(
        urls[1], status="ok", error=None, added=0, next_fetch_at=NOW - timedelta(hours=1), success=True
    )
    store.record_source_result(
        urls[3], status="ok", error=None, added=0, next_fetch_at=NOW + timedelta(seconds=1), success=True
    )
    assert [s.url for s in store.due_sources(NOW)] == [urls[2], urls[1], urls[0]]
    assert [s.url for s in store.due_sources(NOW, limit=1)] == [urls[2]]
    # A naive time is taken as UTC, like every time the store keeps.
    assert len(store.due_sources(NOW.replace(tzinfo=None) + timedelta(seconds=1))) == 4


def test_a_new_interval_moves_the_next_fetch_of_a_healthy_source(store: SqliteStore) -> None:
    source = add_source(store, FEED)
    store.record_source_result(
        FEED,
        status="ok",
        error=None,
        added=0,
        next_fetch_at=NOW + timedelta(hours=6),
        success=True,
        fetched_at=NOW,
    )
    assert store.set_source_interval(source.id, 600)
    moved = store.get_source(source.id)
    assert moved is not None
    assert (moved.interval_seconds, moved.next_fetch_at) == (600, NOW + timedelta(minutes=10))


# ---------------------------------------------------------------- OPML and the starter list


def test_opml_import_export_round_trip_leaves_paths_out(store: SqliteStore, tmp_path: Path) -> None:
    subscriptions = [
        FeedSubscription("https://a.example.org/feed", "Agence A", "https://a.example.org/", "World"),
        FeedSubscription("https://b.example.org/rss?x=1&y=2", "Blatt B", None, "Europe/Germany"),
        FeedSubscription("https://c.example.org/atom", None, None, None),
    ]
    assert import_opml_sources(store, write_opml(subscriptions)) == 3
    assert import_opml_sources(store, write_opml(subscriptions)) == 0
    add_source(store, str(tmp_path))
    exported = export_opml_sources(store)
    assert isinstance(exported, str)
    assert parse_opml(exported.encode("utf-8")) == subscriptions
    with pytest.raises(ParseError):
        import_opml_sources(store, b"<html><body>not opml</body></html>")


def test_starter_list_names_publishers_in_several_languages() -> None:
    data = starter_opml()
    subscriptions = parse_opml(data)
    assert len(subscriptions) >= 15
    assert len({s.url for s in subscriptions}) == len(subscriptions)
    assert len({s.category for s in subscriptions}) >= 3
    for subscription in subscriptions:
        assert subscription.url.startswith("https://"), subscription.url
        assert subscription.title and not subscription.title.startswith("http"), subscription.url
        assert subscription.html_url and subscription.html_url.startswith("https://"), subscription.url
    outlines = [o for o in fromstring(data).iter("outline") if o.get("xmlUrl")]
    assert len(outlines) == len(subscriptions)
    languages = {o.get("language") for o in outlines}
    assert None not in languages and len(languages) >= 4
    assert {"en", "fr", "de", "es"} <= languages


def test_starter_list_subscribes_once(store: SqliteStore) -> None:
    total = len(parse_opml(starter_opml()))
    assert add_starter_sources(store) == total
    assert add_starter_sources(store) == 0
    assert all(s.kind is SourceKind.FEED and s.title for s in store.list_source_records())


# ---------------------------------------------------------------- the CLI


def test_sources_commands(db_path: Path, tmp_path: Path) -> None:
    runner = CliRunner()

    def run(*args: str) -> tuple[int, str, str]:
        result = runner.invoke(app, [*args, "--db", str(db_path)])
        return result.exit_code, result.stdout, result.stderr

    code, _, stderr = run("sources", "add", FEED, "--title", "World desk", "--interval", "15")
    assert code == 0, stderr
    assert "source #1" in stderr
    code, _, stderr = run("sources", "add", str(tmp_path))
    assert code == 0, stderr
    code, _, stderr = run("sources", "add", "ftp://nope.example.org/x")
    assert code == 1 and "only http and https" in stderr

    code, stdout, _ = run("sources", "pause", "1")
    assert code == 0
    code, _, stderr = run("sources", "resume", "42")
    assert code == 1 and "no source #42" in stderr

    code, stdout, _ = run("sources", "list", "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert [(r["id"], r["kind"], r["paused"], r["interval_seconds"]) for r in rows] == [
        (1, "feed", True, 900),
        (2, "path", False, 1800),
    ]
    code, stdout, _ = run("sources", "list")
    assert code == 0
    for column in ("last fetch", "next fetch", "failures", "articles", "error"):
        assert column in stdout
    assert "World desk" in stdout and "paused" in stdout

    code, _, _ = run("sources", "remove", "1")
    assert code == 0
    code, _, stderr = run("sources", "starter")
    assert code == 0 and "new of" in stderr
    code, stdout, _ = run("sources", "export")
    assert "bbci.co.uk" in stdout and FEED not in stdout and str(tmp_path) not in stdout
