"""The background work of `dateline serve`: keep the sources fresh, off the request path.

A ``Scheduler`` runs one daemon thread in the server process. The thread opens its own connection to
the store (the web app reads through others; WAL lets them read while it writes), wakes every few
seconds, and starts a pass over the sources that are due, or at once over the ones the reader asked for
(``request_refresh``).

The pass itself (fetching, extraction, enrichment, clustering, synthesis: ``pipeline.refresh_sources``)
runs in a worker process, so its CPU work never holds the server's GIL while pages are being served.
The worker is spawned (never forked: the server has threads whose locks a fork would copy) at the first
pass and kept for the next ones, so the language model is loaded once; it runs at a lower CPU priority,
opens its own connection to the store, and sends its progress and the pass's summary back to the thread,
which keeps the status. A worker that dies is recorded in the status (as a failed pass if it was running
one) and replaced at the next pass.

A pass that fails is logged and recorded in the status, and the thread goes on; automatic passes then
wait longer each time. ``stop`` asks the pass to end between two documents: the batch being written
rolls back with its transaction, so the worker closes its connection with no transaction open. A worker
that does not end in time is terminated (SQLite's journal keeps the database whole), so a server
shutting down never hangs on it.

With a ``fetcher_factory`` (tests inject a fetcher, which may not cross a process boundary) passes run
in the scheduler thread instead, as they did before the worker existed.

``status()`` is what the reader's progress display shows: the job running, the source being fetched,
counts, the last pass and recent errors.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from multiprocessing.synchronize import Event as ProcessEvent
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
# How often the thread, waiting on a pass in the worker, looks at whether it was asked to stop.
_WORKER_POLL_SECONDS = 0.1
# Of stop()'s timeout, what is kept for terminating a worker that has not ended by itself.
_TERMINATE_SECONDS = 1.0
# Page requests run at the default priority and win the CPU from the worker on a small machine.
_WORKER_NICENESS = 10


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


def _report_errors(report: RefreshReport) -> list[str]:
    """The lines a finished pass adds to the status's errors: the sources and stages that failed."""
    errors = [f"{outcome.url}: {outcome.error}" for outcome in report.sources if outcome.error]
    errors.extend(f"{problem.stage}: {problem.message}" for problem in report.problems)
    return errors


# ---------------------------------------------------------------- the worker process
#
# Messages on the pipe. To the worker: (due_only, source_ids) to run a pass, None to end. From it:
# ("progress", event, subject) while a pass runs, then ("finished", PassSummary, [error lines]) or
# ("crashed", "ExceptionType: message"). ``_WorkerHandle.receive`` adds ("gone",) when the worker has died.


def _worker_main(db_path: Path | str, settings: Settings, connection: Connection, stop: ProcessEvent) -> None:
    """The worker process: run the passes the scheduler thread asks for, one at a time, until told to end."""
    # Ctrl-C reaches every process of the terminal's group; the server ends this one in order through STOP.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError):  # not allowed here: run at the server's priority
        os.nice(_WORKER_NICENESS)
    parent_gone = False

    def send_progress(event: str, subject: str) -> None:
        nonlocal parent_gone
        try:
            connection.send(("progress", event, subject))
        except OSError:  # the server died: end the pass at the next document, nobody is waiting for it
            parent_gone = True

    store: SqliteStore | None = None
    try:
        while not stop.is_set():
            request = connection.recv()
            if request is None:
                break
            due_only, source_ids = request
            try:
                if store is None:
                    store = SqliteStore.open(db_path)
                report = refresh_sources(
                    store,
                    settings,
                    source_ids=source_ids,
                    due_only=due_only,
                    progress=send_progress,
                    should_stop=lambda: parent_gone or stop.is_set(),
                )
            except Exception as exc:  # a bug or a database error: the thread records it, the worker goes on
                log.exception("scheduler pass failed")
                connection.send(("crashed", f"{type(exc).__name__}: {exc}"))
                continue
            connection.send(("finished", _summary(report), _report_errors(report)))
    except (EOFError, OSError):  # the server is gone: nobody to report to
        pass
    finally:
        if store is not None:
            store.close()
        connection.close()


class _WorkerHandle:
    """The scheduler thread's end of one worker process (used by that thread only)."""

    def __init__(self, db_path: Path | str, settings: Settings) -> None:
        # Spawned, not forked: a fork would copy the locks that the server's other threads hold.
        context = multiprocessing.get_context("spawn")
        self._stop = context.Event()
        self._connection, child_end = context.Pipe()
        # A daemon, so an interpreter exiting without stop() still ends it (it runs with workers=1: a
        # daemon process may not start a pool of its own).
        self._process: BaseProcess = context.Process(
            target=_worker_main,
            args=(db_path, settings, child_end, self._stop),
            name="dateline-refresh-worker",
            daemon=True,
        )
        self._process.start()
        child_end.close()  # the worker has its own copy; when it dies, reading here meets end-of-file

    @property
    def pid(self) -> int | None:
        return self._process.pid

    @property
    def alive(self) -> bool:
        return self._process.is_alive()

    @property
    def exit_code(self) -> int | None:
        return self._process.exitcode

    def run_pass(self, *, due_only: bool, source_ids: list[int] | None) -> None:
        self._connection.send((due_only, source_ids))

    def ask_to_stop(self) -> None:
        """End the running pass at the next document; the worker then exits."""
        self._stop.set()

    def receive(self, timeout: float) -> tuple[Any, ...] | None:
        """The worker's next message, ("gone",) if it has died, or None if it said nothing within TIMEOUT."""
        ready = wait([self._connection, self._process.sentinel], timeout)
        if self._connection in ready:
            try:
                message: tuple[Any, ...] = self._connection.recv()
            except (EOFError, OSError):
                return ("gone",)
            return message
        return ("gone",) if ready else None

    def shut_down(self, terminate_at: float, deadline: float) -> None:
        """Ask the worker to end, terminate it if it has not by TERMINATE_AT, kill it if that has not ended
        it by DEADLINE (time.monotonic() values)."""
        self._stop.set()
        with contextlib.suppress(OSError):  # OSError: it has already ended
            self._connection.send(None)  # wakes a worker waiting for its next pass
        self._process.join(max(0.0, terminate_at - time.monotonic()))
        if self._process.is_alive():
            log.warning("the refresh worker did not stop in time; terminating it")
            self._process.terminate()  # SQLite's journal undoes the write it was in the middle of
            self._process.join(max(0.1, deadline - time.monotonic()))
        if self._process.is_alive():
            self._process.kill()
            self._process.join(1.0)
        self._connection.close()


# ---------------------------------------------------------------- the scheduler


class Scheduler:
    """Polls the sources of the store at ``settings.db_path`` (or DB_PATH) on a daemon thread; the passes
    run in a worker process, or in the thread itself when FETCHER_FACTORY is given (tests: a fetcher they
    build may not be picklable).

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
        # Extraction and enrichment run in one process, the worker or this thread: the worker is a daemon
        # process (which may not start a pool), and a pool forked from a threaded server could copy a lock
        # some other thread holds and hang. The machine's other core serves the pages.
        self._settings = replace(settings, workers=1)
        self._poll_seconds = poll_seconds
        self._fetcher_factory = fetcher_factory
        self._stop = threading.Event()
        # time.monotonic() values set by stop(): when a worker that has not ended is terminated, and when
        # everything must have ended.
        self._terminate_at: float | None = None
        self._stop_deadline: float | None = None
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._passed = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        # The worker process: started at the first pass, replaced when it dies; touched by the thread only.
        self._worker: _WorkerHandle | None = None
        self._worker_pid: int | None = None  # under _lock; for tests
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
        seconds; a worker process still running near the end of them is terminated. True when the thread
        has ended (or never started)."""
        now = time.monotonic()
        self._terminate_at = now + max(0.0, timeout - min(_TERMINATE_SECONDS, timeout / 2))
        self._stop_deadline = now + timeout
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
            while True:
                # Cleared before stop is looked at: a stop() or request arriving from here on (during the
                # pass below) sets it again, and the wait after the pass returns at once.
                self._wake.clear()
                if self._stop.is_set():
                    break
                if store is None:
                    store = self._open_store()
                if store is not None:
                    self._tick(store)
                self._wake.wait(self._wait_seconds())
        finally:
            self._drop_worker()
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
        except Exception as exc:  # a database error: a failed pass, and the next wake-up tries again
            log.exception("scheduler pass failed")
            self._end_crashed_pass(started, f"{type(exc).__name__}: {exc}")
            return
        if request is None:
            source_ids, due_only = None, True
        else:
            every, ids = request
            source_ids, due_only = (None if every else ids), False
        self._begin_pass(started)
        if self._fetcher_factory is None:
            self._pass_in_worker(started, source_ids=source_ids, due_only=due_only)
        else:
            self._pass_in_thread(
                store, self._fetcher_factory, started, source_ids=source_ids, due_only=due_only
            )

    def _pass_in_thread(
        self,
        store: SqliteStore,
        fetcher_factory: Callable[[], Fetcher],
        started: datetime,
        *,
        source_ids: list[int] | None,
        due_only: bool,
    ) -> None:
        try:
            fetcher = fetcher_factory()
            try:
                report = refresh_sources(
                    store,
                    self._settings,
                    source_ids=source_ids,
                    due_only=due_only,
                    progress=self._on_progress,
                    fetcher=fetcher,
                    should_stop=self._stop.is_set,
                )
            finally:
                fetcher.close()
        except Exception as exc:  # a bug or a database error: recorded, and the next wake-up tries again
            log.exception("scheduler pass failed")
            self._end_crashed_pass(started, f"{type(exc).__name__}: {exc}")
            return
        self._end_pass(_summary(report), _report_errors(report))

    def _pass_in_worker(self, started: datetime, *, source_ids: list[int] | None, due_only: bool) -> None:
        """Have the worker run the pass, and follow its progress until it ends, dies, or is stopped."""
        try:
            worker = self._running_worker()
            worker.run_pass(due_only=due_only, source_ids=source_ids)
        except Exception as exc:  # no process could be started (memory, process limits): try again later
            log.exception("scheduler cannot start its worker")
            self._drop_worker()
            self._end_crashed_pass(started, f"cannot start the refresh worker: {type(exc).__name__}: {exc}")
            return
        asked_to_stop = False
        while True:
            if self._stop.is_set():
                if not asked_to_stop:
                    worker.ask_to_stop()
                    asked_to_stop = True
                if self._terminate_at is not None and time.monotonic() >= self._terminate_at:
                    self._drop_worker()
                    summary = self._unfinished_summary(started, cancelled=True)
                    self._end_pass(summary, ["the refresh worker did not stop in time and was terminated"])
                    return
            message = worker.receive(_WORKER_POLL_SECONDS)
            if message is None:
                continue
            kind = message[0]
            if kind == "progress":
                self._on_progress(message[1], message[2])
            elif kind == "finished":
                self._end_pass(message[1], message[2])
                return
            elif kind == "crashed":
                self._end_crashed_pass(started, message[1])
                return
            else:  # gone: killed, or out of memory
                exit_code = worker.exit_code
                log.error("the refresh worker died during a pass (exit code %s)", exit_code)
                self._drop_worker()
                self._end_crashed_pass(started, f"the refresh worker died (exit code {exit_code})")
                return

    def _running_worker(self) -> _WorkerHandle:
        """The worker process, started now if there is none or it has died since the last pass."""
        if self._worker is not None and not self._worker.alive:
            exit_code = self._worker.exit_code
            log.error("the refresh worker died between passes (exit code %s)", exit_code)
            self._drop_worker()
            with self._lock:
                self._errors.append(f"the refresh worker died (exit code {exit_code}); a new one was started")
        if self._worker is None:
            self._worker = _WorkerHandle(self._db_path, self._settings)
            with self._lock:
                self._worker_pid = self._worker.pid
        return self._worker

    def _drop_worker(self) -> None:
        """End the worker, if there is one: one that is still busy is given until stop()'s deadline (no time
        at all outside stop)."""
        if self._worker is None:
            return
        now = time.monotonic()
        self._worker.shut_down(self._terminate_at or now, self._stop_deadline or now)
        self._worker = None
        with self._lock:
            self._worker_pid = None

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

    def _unfinished_summary(
        self, started: datetime, *, crashed: str | None = None, cancelled: bool = False
    ) -> PassSummary:
        """The summary of a pass whose report never came: only the progress seen so far is known."""
        with self._lock:
            sources_done = self._sources_done
        return PassSummary(started, datetime.now(UTC), sources_done, 0, 0, 0, 0, 0, cancelled, crashed)

    def _end_crashed_pass(self, started: datetime, crashed: str) -> None:
        self._end_pass(self._unfinished_summary(started, crashed=crashed), [f"pass failed: {crashed}"])

    def _end_pass(self, summary: PassSummary, errors: list[str]) -> None:
        with self._lock:
            self._errors.extend(errors)
            self._crash_streak = self._crash_streak + 1 if summary.crashed else 0
            self._last_pass = summary
            self._passes += 1
            self._job = self._current_source = self._started_at = None
            self._passed.notify_all()

    def _note_error(self, message: str) -> None:
        with self._lock:
            self._errors.append(message)
            self._crash_streak += 1
