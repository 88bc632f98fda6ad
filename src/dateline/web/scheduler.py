"""The background work of `dateline serve`: keep the sources fresh, off the request path.

A ``Scheduler`` runs one daemon thread in the server process. The thread opens its own connection to
the store (the web app reads through others; WAL lets them read while it writes), wakes every few
seconds, and runs ``pipeline.refresh_sources`` over the sources that are due, or at once over the ones
the reader asked for (``request_refresh``). A pass that fails is logged and recorded in the status, and
the thread goes on. ``stop`` asks the pass to end between two documents: the batch being written rolls
back with its transaction, so the connection is closed with no transaction open.

``status()`` is what the reader's progress display shows: the job running, the source being fetched,
counts, the last pass and recent errors.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dateline.models import SourceStatus
from dateline.pipeline import RefreshReport, refresh_sources
from dateline.settings import Settings
from dateline.store import SqliteStore

if TYPE_CHECKING:
    from dateline.ingest.fetch import Fetcher

log = logging.getLogger(__name__)

POLL_SECONDS = 5.0
# After a pass that crashed, automatic passes wait longer each time, up to this (a request still runs at once).
_MAX_CRASH_WAIT_SECONDS = 300.0
_ERRORS_KEPT = 20
_SOURCE_DONE_EVENTS = frozenset(str(status) for status in SourceStatus)


@dataclass(frozen=True, slots=True)
class PassSummary:
    """What a finished pass did."""

    started_at: datetime
    finished_at: datetime
    sources: int
    added: int  # new articles
    errors: int  # sources that failed
    enriched: int
    clustered: int
    synthesized: int
    cancelled: bool
    crashed: str | None = None  # the exception that ended the pass, if one did

    def to_dict(self) -> dict[str, Any]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat(),
            "sources": self.sources,
            "added": self.added,
            "errors": self.errors,
            "enriched": self.enriched,
            "clustered": self.clustered,
            "synthesized": self.synthesized,
            "cancelled": self.cancelled,
            "crashed": self.crashed,
        }


@dataclass(frozen=True, slots=True)
class SchedulerStatus:
    """A snapshot of the scheduler for the reader's progress display."""

    running: bool  # the scheduler thread is alive
    job: str | None  # "refresh", "enrich", "cluster" or "synthesize" while a pass runs; None when idle
    current_source: str | None  # the URL or path being fetched
    started_at: datetime | None  # when the running pass started
    sources_planned: int  # sources the running pass takes
    sources_done: int
    documents: int  # documents the running pass has handled (fetched, extracted, enriched, clustered…)
    passes: int  # passes finished since the scheduler started
    last_pass: PassSummary | None
    errors: tuple[str, ...]  # recent failures, oldest first: sources that failed, passes that crashed
    refresh_requested: bool  # a pass the reader asked for is waiting to start

    def to_dict(self) -> dict[str, Any]:
        return {
            "running": self.running,
            "job": self.job,
            "current_source": self.current_source,
            "started_at": self.started_at.isoformat() if self.started_at else None,
            "sources_planned": self.sources_planned,
            "sources_done": self.sources_done,
            "documents": self.documents,
            "passes": self.passes,
            "last_pass": self.last_pass.to_dict() if self.last_pass else None,
            "errors": list(self.errors),
            "refresh_requested": self.refresh_requested,
        }


def _summary(report: RefreshReport) -> PassSummary:
    return PassSummary(
        started_at=report.started_at,
        finished_at=report.finished_at or datetime.now(UTC),
        sources=len(report.sources),
        added=report.added,
        errors=report.errors,
        enriched=report.enriched,
        clustered=report.clustered,
        synthesized=report.synthesized,
        cancelled=report.cancelled,
    )


class Scheduler:
    """Polls the sources of the store at ``settings.db_path`` (or DB_PATH) on a daemon thread.

    ``start`` once, ``stop`` once; ``request_refresh`` and ``status`` from any thread.
    """

    def __init__(
        self,
        settings: Settings,
        *,
        db_path: Path | str | None = None,
        poll_seconds: float = POLL_SECONDS,
        fetcher_factory: Callable[[], Fetcher] | None = None,
    ) -> None:
        self._db_path = db_path if db_path is not None else settings.db_path
        # Extraction and enrichment run in this thread: a process pool forked from a threaded server
        # could copy a lock some other thread holds and hang.
        self._settings = replace(settings, workers=1)
        self._poll_seconds = poll_seconds
        self._fetcher_factory = fetcher_factory
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._passed = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        # What the reader asked for: every source, and/or some by id.
        self._requested_all = False
        self._requested_ids: set[int] = set()
        # The running pass, guarded by _lock.
        self._job: str | None = None
        self._current_source: str | None = None
        self._started_at: datetime | None = None
        self._sources_planned = 0
        self._sources_done = 0
        self._documents = 0
        self._passes = 0
        self._last_pass: PassSummary | None = None
        self._errors: deque[str] = deque(maxlen=_ERRORS_KEPT)
        self._crash_streak = 0

    # ------------------------------------------------------------ control (any thread)

    def start(self) -> None:
        if self._thread is not None:
            raise RuntimeError("the scheduler was already started")
        self._thread = threading.Thread(target=self._run, name="dateline-scheduler", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> bool:
        """Ask the thread to finish (a running pass ends between two documents) and wait up to TIMEOUT
        seconds. True when it has ended (or never started)."""
        self._stop.set()
        self._wake.set()
        if self._thread is None:
            return True
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def request_refresh(self, source_id: int | None = None) -> None:
        """Refresh SOURCE_ID (even when it is not due, or paused), or every unpaused source, as soon as the
        running pass (if any) ends."""
        with self._lock:
            if source_id is None:
                self._requested_all = True
            else:
                self._requested_ids.add(source_id)
        self._wake.set()

    def status(self) -> SchedulerStatus:
        with self._lock:
            return SchedulerStatus(
                running=self._thread is not None and self._thread.is_alive(),
                job=self._job,
                current_source=self._current_source,
                started_at=self._started_at,
                sources_planned=self._sources_planned,
                sources_done=self._sources_done,
                documents=self._documents,
                passes=self._passes,
                last_pass=self._last_pass,
                errors=tuple(self._errors),
                refresh_requested=self._requested_all or bool(self._requested_ids),
            )

    def wait_for_passes(self, count: int, timeout: float) -> bool:
        """Block until COUNT passes have finished since start (or TIMEOUT seconds pass); True if they have."""
        with self._passed:
            return self._passed.wait_for(lambda: self._passes >= count, timeout)

    # ------------------------------------------------------------ the thread

    def _run(self) -> None:
        store: SqliteStore | None = None
        try:
            while not self._stop.is_set():
                self._wake.clear()  # a request arriving during the pass below wakes the wait after it
                if store is None:
                    store = self._open_store()
                if store is not None:
                    self._tick(store)
                self._wake.wait(self._wait_seconds())
        finally:
            if store is not None:
                store.close()

    def _open_store(self) -> SqliteStore | None:
        try:
            return SqliteStore.open(self._db_path)
        except Exception as exc:  # a locked or broken database: say so, try again later
            log.exception("scheduler cannot open the store at %s", self._db_path)
            self._note_error(f"cannot open the store: {exc}")
            return None

    def _wait_seconds(self) -> float:
        with self._lock:
            if self._requested_all or self._requested_ids:
                return 0.0
            if self._crash_streak:
                return min(self._poll_seconds * 2**self._crash_streak, _MAX_CRASH_WAIT_SECONDS)
            return self._poll_seconds

    def _take_request(self) -> tuple[bool, list[int]] | None:
        with self._lock:
            if not (self._requested_all or self._requested_ids):
                return None
            request = (self._requested_all, sorted(self._requested_ids))
            self._requested_all = False
            self._requested_ids.clear()
            return request

    def _tick(self, store: SqliteStore) -> None:
        """One wake-up: a requested pass, else a pass over due sources when there are any."""
        started = datetime.now(UTC)
        try:
            request = self._take_request()
            if request is None and not store.due_sources(started, limit=1):
                return
            self._begin_pass(started)
            fetcher = self._fetcher_factory() if self._fetcher_factory is not None else None
            try:
                if request is None:
                    report = self._refresh(store, fetcher, source_ids=None, due_only=True)
                else:
                    every, ids = request
                    report = self._refresh(store, fetcher, source_ids=None if every else ids, due_only=False)
            finally:
                if fetcher is not None:
                    fetcher.close()
        except Exception as exc:  # a bug or a database error: recorded, and the next wake-up tries again
            log.exception("scheduler pass failed")
            self._end_pass(None, started, crashed=f"{type(exc).__name__}: {exc}")
            return
        self._end_pass(report, started)

    def _refresh(
        self, store: SqliteStore, fetcher: Fetcher | None, *, source_ids: list[int] | None, due_only: bool
    ) -> RefreshReport:
        return refresh_sources(
            store,
            self._settings,
            source_ids=source_ids,
            due_only=due_only,
            progress=self._on_progress,
            fetcher=fetcher,
            should_stop=self._stop.is_set,
        )

    # ------------------------------------------------------------ status bookkeeping

    def _begin_pass(self, started: datetime) -> None:
        with self._lock:
            self._job = "refresh"
            self._current_source = None
            self._started_at = started
            self._sources_planned = self._sources_done = self._documents = 0

    def _on_progress(self, event: str, subject: str) -> None:
        with self._lock:
            if event == "planned":
                self._sources_planned = int(subject)
            elif event == "source":
                self._job, self._current_source = "refresh", subject
            elif event in _SOURCE_DONE_EVENTS:
                self._sources_done += 1
            elif event == "stage":
                self._job, self._current_source = subject, None
            else:
                self._documents += 1

    def _end_pass(
        self, report: RefreshReport | None, started: datetime, *, crashed: str | None = None
    ) -> None:
        with self._lock:
            if report is not None:
                summary = _summary(report)
                for outcome in report.sources:
                    if outcome.error:
                        self._errors.append(f"{outcome.url}: {outcome.error}")
                for problem in report.problems:
                    self._errors.append(f"{problem.stage}: {problem.message}")
                self._crash_streak = 0
            else:
                now = datetime.now(UTC)
                summary = PassSummary(started, now, self._sources_done, 0, 0, 0, 0, 0, False, crashed)
                self._errors.append(f"pass failed: {crashed}")
                self._crash_streak += 1
            self._last_pass = summary
            self._passes += 1
            self._job = self._current_source = self._started_at = None
            self._passed.notify_all()

    def _note_error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)
            self._crash_streak += 1
