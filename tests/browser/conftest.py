"""The reader served for real, and a Chromium that cannot leave the machine.

- ``reader``: a store built from examples/ plus hostile and paging articles, served by uvicorn on a free
  port of 127.0.0.1 from a background thread, with the scheduler on and private addresses allowed (so a
  feed served from 127.0.0.1 can be subscribed to).
- ``feed_site``: a second local HTTP server with an RSS feed and the article pages it links to.
- ``browser``: Debian's Chromium through Playwright, launched with the flags that keep it off the
  network and a fresh profile; every request for a host other than the loopback is aborted and recorded.
- ``page``: a fresh tab that records dialogs and console messages; at teardown it fails the test if a
  dialog opened or anything off this machine was requested.

Playwright is imported inside fixtures only: test_reader_browser.py skips the module when it (or
/usr/bin/chromium) is missing, and this file must still import then.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.browser.harness import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    CSP_RECORDER,
    EXAMPLES,
    FIXTURES,
    LOCAL_HOSTS,
    BrowserSession,
    QuietFileHandler,
    Reader,
    WatchedPage,
    loopback_socket,
    wait_until,
)
from tests.browser.hostile import write_hostile_jsonl, write_paging_jsonl


@pytest.fixture(scope="session")
def feed_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An RSS feed and its article pages on 127.0.0.1 (fixtures/feed, with PORT filled in)."""
    root = tmp_path_factory.mktemp("feed-site")
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(QuietFileHandler, directory=str(root))
    )
    port = server.server_address[1]
    for source in (FIXTURES / "feed").rglob("*"):
        if source.is_file():
            target = root / source.relative_to(FIXTURES / "feed")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(source.read_text(encoding="utf-8").replace("PORT", str(port)), encoding="utf-8")
    thread = threading.Thread(target=server.serve_forever, name="feed-site", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def reader(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reader]:
    import uvicorn

    from dateline.pipeline import ingest_inputs
    from dateline.settings import FetchSettings, Settings
    from dateline.store import open_store
    from dateline.web.app import ReaderConfig, create_app

    tmp_dir = tmp_path_factory.mktemp("reader")
    inputs = tmp_dir / "inputs"
    inputs.mkdir()
    write_hostile_jsonl(inputs / "hostile.jsonl")
    write_paging_jsonl(inputs / "tidewater.jsonl")
    shutil.copy(FIXTURES / "hostile-page.html", inputs / "hostile-page.html")
    db_path = tmp_dir / "reader.db"
    # Default settings (enrichment and stories on), but one worker: no process pool in a test run; and
    # private addresses allowed, for the feed served from 127.0.0.1.
    settings = Settings(db_path=db_path, workers=1, fetch=FetchSettings(allow_private_addresses=True))
    store = open_store(db_path)
    try:
        report = ingest_inputs(store, [str(EXAMPLES), str(inputs)], settings)
    finally:
        store.close()
    assert not report.problems, report.problems

    app = create_app(ReaderConfig(settings=settings, host="127.0.0.1", scheduler=True))
    sock = loopback_socket()
    port = sock.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="reader", daemon=True)
    thread.start()
    wait_until(lambda: server.started or not thread.is_alive(), 30, "the reader to start")
    if not server.started:
        raise RuntimeError("the reader did not start (its error is in the log above)")
    yield Reader(base_url=f"http://127.0.0.1:{port}", db_path=db_path, tmp_dir=tmp_dir)
    server.should_exit = True
    thread.join(timeout=20)
    sock.close()


@pytest.fixture(scope="session")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserSession]:
    from playwright.sync_api import Route, sync_playwright

    # A fresh profile in a temporary folder. Playwright refuses --user-data-dir among launch() args: a
    # persistent-context launch is how it takes one.
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            headless=True,
            args=list(CHROMIUM_FLAGS),
            viewport={"width": 1280, "height": 800},
            service_workers="block",
        )
        session = BrowserSession(context=context)

        def local_only(route: Route) -> None:
            if (urlsplit(route.request.url).hostname or "") in LOCAL_HOSTS:
                route.continue_()
            else:
                session.external_requests.append(route.request.url)
                route.abort("blockedbyclient")

        context.route("**/*", local_only)
        context.add_init_script(CSP_RECORDER)
        try:
            yield session
        finally:
            context.close()


@pytest.fixture
def page(browser: BrowserSession) -> Iterator[WatchedPage]:
    tab = browser.context.new_page()
    watched = WatchedPage(page=tab)

    def on_dialog(dialog: Any) -> None:
        watched.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    tab.on("console", lambda message: watched.console.append(f"{message.type}: {message.text}"))
    tab.set_default_timeout(10_000)
    external_before = len(browser.external_requests)
    yield watched
    tab.close()
    assert watched.dialogs == [], f"a dialog opened: {watched.dialogs}"
    assert browser.external_requests[external_before:] == [], (
        "the browser asked for something off this machine"
    )
