"""The one module that wires the pure stages to the store: the use cases the CLI, web app and scheduler call.

Reading, detecting and parsing containers happen here in the main process; extraction
(the CPU-heavy part) runs in a process pool; every write goes through the store's single
writer in small transactions, so Ctrl-C leaves a consistent store and a re-run resumes
where it stopped (already-stored inputs are recognised by their bytes and skipped).
"""

from __future__ import annotations

import glob
import json
import os
import signal
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from dateline import dedupe
from dateline.errors import (
    DatelineError,
    FetchError,
    InputError,
    ParseError,
    SynthesisError,
    TooLargeError,
    UnsupportedFormatError,
)
from dateline.extract.article import (
    ExtractionOptions,
    article_from_parts,
    article_identity,
    decode_text_scrape,
    extract_article,
)
from dateline.ingest.inputs import InputRef, expand_inputs, read_input
from dateline.lineage import CopyDifferences, wire_outlet
from dateline.models import (
    Article,
    DatePrecision,
    DocumentHints,
    Enrichment,
    Entity,
    FeedEntry,
    IngestProblem,
    RawDocument,
    Source,
    SourceFormat,
    SourceKind,
    SourceStatus,
    StoryDelta,
    StorySynthesis,
    TimelineEntry,
)
from dateline.settings import Settings
from dateline.store import SqliteStore

if TYPE_CHECKING:
    from dateline.cluster.features import Embed
    from dateline.ingest.fetch import Fetcher, FetchResult

# How many documents of one site must carry a line before text extraction treats it as chrome.
REPEATED_LINE_MIN_DOCUMENTS = 3
# Lines longer than this are body text, not chrome: they are not counted.
_LINE_STAT_MAX_CHARS = 160
_POOL_MIN_DOCUMENTS = 24  # below this, starting worker processes costs more than it saves
_WINDOW_PER_WORKER = 16  # documents in flight per worker; also the size of one write transaction
# Documents per worker task. Each task is a round trip through the pool's queues (pickling, a future, a
# wake-up of its manager thread), which matters for small text scrapes (~2 ms of work each); a big page
# (~35 ms) goes alone, so one slow batch never holds the window while the other worker waits.
_TASK_DOCUMENTS = 8
_TASK_BYTES = 64 * 1024
_REPEATED_REFRESH = 64  # re-read a site's repeated lines after this many of its documents
_LINE_COUNT_FLUSH = 20_000
_ENRICH_BATCH = 16  # articles a worker enriches in one batched model pass (enrich.article.MODEL_BATCH_SIZE)  # distinct (site, line) counts held in memory before they are written


# ---------------------------------------------------------------- records of a run


@dataclass
class IngestReport:
    run_id: str
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    duplicates: int = 0
    failed: int = 0
    interrupted: bool = False
    article_ids: list[str] = field(default_factory=list)
    problems: list[IngestProblem] = field(default_factory=list)
    warnings: list[IngestProblem] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "duplicates": self.duplicates,
            "failed": self.failed,
        }


ProgressCallback = Callable[[str, str], None]  # (outcome, source): outcome is added/updated/unchanged/failed


@dataclass(frozen=True, slots=True)
class _PendingExtraction:
    raw: RawDocument
    source_format: SourceFormat
    site: str


@dataclass(frozen=True, slots=True)
class _ReadyArticle:
    raw: RawDocument
    article: Article


@dataclass(frozen=True, slots=True)
class _Unchanged:
    source: str


@dataclass(frozen=True, slots=True)
class _Warning:
    """Something went wrong but the document was still stored (e.g. a feed summary kept when its page failed)."""

    problem: IngestProblem


_Work = _PendingExtraction | _ReadyArticle | _Unchanged | _Warning | IngestProblem
_Batch = tuple[list["_PendingExtraction"], "Future[list[ExtractionResult]]"]


def _documents(in_flight: deque[_Batch]) -> int:
    return sum(len(items) for items, _ in in_flight)


def _batch_is_full(items: Sequence[_PendingExtraction]) -> bool:
    return len(items) >= _TASK_DOCUMENTS or sum(len(item.raw.content) for item in items) >= _TASK_BYTES


def _task_batches(items: Sequence[_PendingExtraction]) -> Iterator[list[_PendingExtraction]]:
    batch: list[_PendingExtraction] = []
    for item in items:
        batch.append(item)
        if _batch_is_full(batch):
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass(frozen=True, slots=True)
class ExtractionTask:
    raw: RawDocument
    source_format: SourceFormat
    options: ExtractionOptions
    ingested_at: datetime


@dataclass(frozen=True, slots=True)
class ExtractionResult:
    """What a worker sends back: the article and everything derived from its text, or the problem."""

    article: Article | None
    problem: IngestProblem | None
    signature: bytes = b""
    band_keys: tuple[int, ...] = ()
    text_hash: str = ""
    line_keys: tuple[str, ...] = ()


# ---------------------------------------------------------------- pure per-document work


def run_extraction(task: ExtractionTask) -> ExtractionResult:
    """Extract one document and fingerprint it. Runs in a worker process; never raises for bad input."""
    text: str | None = None
    try:
        if task.source_format is SourceFormat.TEXT:
            text = decode_text_scrape(task.raw, task.options.max_bytes)
        article = extract_article(
            task.raw,
            task.source_format,
            ingested_at=task.ingested_at,
            options=task.options,
            decoded_text=text,
        )
    except DatelineError as exc:
        return ExtractionResult(None, IngestProblem(task.raw.source, exc.stage, str(exc), task.ingested_at))
    except Exception as exc:  # a bug in a third-party parser must not end the batch
        message = f"unexpected {type(exc).__name__} while extracting: {exc}"
        return ExtractionResult(
            None, IngestProblem(task.raw.source, "extract", message[:500], task.ingested_at)
        )
    return fingerprint(article, _line_keys(text) if text is not None else ())


def run_extraction_batch(tasks: Sequence[ExtractionTask]) -> list[ExtractionResult]:
    """``run_extraction`` over a few documents: one round trip through the pool instead of one each."""
    return [run_extraction(task) for task in tasks]


def fingerprint(article: Article, line_keys: tuple[str, ...] = ()) -> ExtractionResult:
    normalised = dedupe.normalise_text(article.text)
    signature = dedupe.minhash_signature(article.text, normalised=normalised)
    return ExtractionResult(
        article=article,
        problem=None,
        signature=dedupe.signature_to_bytes(signature),
        band_keys=tuple(dedupe.band_keys(signature)),
        text_hash=dedupe.text_hash(article.text, normalised=normalised),
        line_keys=line_keys,
    )


def _line_keys(text: str) -> tuple[str, ...]:
    """The distinct short lines of a scrape, in the normal form text extraction looks up as chrome."""
    from dateline.extract.text import page_line_keys

    return page_line_keys(text, _LINE_STAT_MAX_CHARS)


def site_of(raw: RawDocument) -> str:
    """Where page chrome repeats: the URL's host, else the folder the file came from."""
    url = raw.user_hints.url or raw.context_hints.url or (raw.source if "://" in raw.source else None)
    if url:
        host = urlsplit(url).hostname or ""
        return host.removeprefix("www.")
    return str(Path(raw.source).parent)


# ---------------------------------------------------------------- the ingest use case


class Ingestor:
    """One ingest run over a list of inputs. Use through ``ingest_inputs``."""

    def __init__(
        self,
        store: SqliteStore,
        settings: Settings,
        *,
        user_hints: DocumentHints,
        progress: ProgressCallback | None,
        fetcher: Fetcher | None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.user_hints = user_hints
        self.progress = progress or (lambda outcome, source: None)
        self._fetcher = fetcher
        self.report = IngestReport(run_id=uuid.uuid4().hex[:12])
        self._executor: Executor | None = None
        # Per site: the repeated-line set handed to text extraction, and how many documents since it was read.
        self._repeated: dict[str, tuple[frozenset[str], int]] = {}
        self._line_counts: Counter[tuple[str, str]] = Counter()

    # ------------------------------------------------ bookkeeping

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _fail(self, problem: IngestProblem) -> None:
        self.report.failed += 1
        self.report.problems.append(problem)
        self.store.log_problem(problem, run_id=self.report.run_id)
        self.progress("failed", problem.source)

    def _problem(self, source: str, exc: Exception) -> IngestProblem:
        stage = exc.stage if isinstance(exc, DatelineError) else "read"
        return IngestProblem(source, stage, str(exc) or type(exc).__name__, self._now())

    def fetcher(self) -> Fetcher:
        if self._fetcher is None:
            from dateline.ingest.fetch import Fetcher

            self._fetcher = Fetcher(self.settings.fetch)
        return self._fetcher

    # ------------------------------------------------ reading inputs into work

    def work(self, specs: Sequence[str]) -> Iterator[_Work]:
        for item in expand_inputs(specs):
            if isinstance(item, DatelineError):
                yield IngestProblem(str(item).split(":", 1)[0], item.stage, str(item), self._now())
                continue
            try:
                yield from self._work_for_input(item)
            except DatelineError as exc:
                yield self._problem(item.name, exc)

    def _work_for_input(self, ref: InputRef) -> Iterator[_Work]:
        if ref.kind == "url":
            yield from self._work_for_url(ref.location, context=DocumentHints())
            return
        if ref.kind == "file" and os.path.getsize(ref.location) > self.settings.max_document_bytes:
            yield from self._work_for_large_file(ref)
            return
        content = read_input(ref, self.settings.max_document_bytes)
        raw = RawDocument(
            source=ref.name,
            content=content,
            media_type=None,
            fetched_at=self._now(),
            user_hints=self.user_hints,
        )
        yield from self._work_for_document(raw)

    def _work_for_large_file(self, ref: InputRef) -> Iterator[_Work]:
        """Archives may be gigabytes (a CC-NEWS WARC): stream them record by record; refuse anything else."""
        from dateline.ingest.detect import detect_format
        from dateline.ingest.warc import iter_warc

        with open(ref.location, "rb") as handle:
            head = handle.read(64 * 1024)
            if detect_format(head, name=ref.location) is not SourceFormat.WARC:
                size_mb = os.path.getsize(ref.location) / (1024 * 1024)
                limit_mb = self.settings.max_document_bytes // (1024 * 1024)
                raise TooLargeError(f"{ref.location}: {size_mb:.1f} MB is over the {limit_mb} MB limit")
            handle.seek(0)
            yield from self._work_for_warc_records(iter_warc(handle, source=ref.location), ref.location)

    def _work_for_url(
        self, url: str, *, context: DocumentHints, identity: str | None = None
    ) -> Iterator[_Work]:
        etag, last_modified = self.store.http_validators(url)
        result = self.fetcher().fetch(url, etag=etag, last_modified=last_modified)
        self.store.save_http_validators(
            url, etag=result.etag, last_modified=result.last_modified, status=result.status
        )
        if result.content is None:  # 304 Not Modified: nothing new since the last fetch
            yield _Unchanged(url)
            return
        final_url = result.final_url or url
        raw = RawDocument(
            source=url,
            content=result.content,
            media_type=result.media_type,
            fetched_at=result.fetched_at,
            user_hints=self.user_hints,
            context_hints=replace(context, url=context.url or final_url),
            identity=identity,
        )
        yield from self._work_for_document(raw)

    def _work_for_document(self, raw: RawDocument) -> Iterator[_Work]:
        from dateline.ingest.detect import detect_format

        if not raw.content.strip():
            raise InputError(f"{raw.source}: the input is empty")
        source_format = detect_format(raw.content, name=raw.source, media_type=raw.media_type)
        if source_format in (SourceFormat.HTML, SourceFormat.TEXT):
            if self.store.raw_is_extracted(raw.sha256):
                yield _Unchanged(raw.source)
            else:
                yield _PendingExtraction(raw, source_format, site_of(raw))
        elif source_format is SourceFormat.FEED:
            yield from self._work_for_feed(raw)
        elif source_format is SourceFormat.OPML:
            yield from self._work_for_opml(raw)
        elif source_format is SourceFormat.JSONL:
            yield from self._work_for_jsonl(raw)
        elif source_format is SourceFormat.WARC:
            yield from self._work_for_warc(raw)
        else:
            raise UnsupportedFormatError(
                f"{raw.source}: not a format Dateline reads (HTML, text, RSS/Atom, OPML, JSONL, WARC)"
            )

    def _work_for_feed(self, raw: RawDocument) -> Iterator[_Work]:
        from dateline.ingest.feeds import entry_is_complete, entry_to_raw_document, parse_feed

        feed_url = raw.context_hints.url or raw.source
        _title, entries = parse_feed(raw.content, feed_url=feed_url)
        for entry in entries:
            try:
                entry_raw = replace(entry_to_raw_document(entry, self._now()), user_hints=self.user_hints)
                yield from self._work_for_feed_entry(entry, entry_raw, complete=entry_is_complete(entry))
            except DatelineError as exc:
                yield self._problem(f"{feed_url}#{entry.entry_id}", exc)

    def _work_for_feed_entry(
        self, entry: FeedEntry, entry_raw: RawDocument, *, complete: bool
    ) -> Iterator[_Work]:
        if complete or not entry.link or not self.settings.fetch_linked_pages:
            yield from self._work_for_document(entry_raw)
            return
        identity = article_identity(entry_raw)
        if self.store.article_identity_state(identity) is not None:
            yield _Unchanged(entry.link)  # the linked page was fetched on an earlier run
            return
        try:
            yield from self._work_for_url(
                entry.link, context=entry_raw.context_hints, identity=entry_raw.identity
            )
        except FetchError as exc:
            # Keep what the feed gave rather than nothing, and say why it is partial.
            message = f"{exc}; kept the feed's summary instead"
            yield _Warning(IngestProblem(entry.link, exc.stage, message, self._now()))
            yield from self._work_for_document(entry_raw)

    def _work_for_opml(self, raw: RawDocument) -> Iterator[_Work]:
        from dateline.ingest.opml import parse_opml

        subscriptions = parse_opml(raw.content)
        self.store.add_sources(subscriptions)
        if not self.settings.fetch_linked_pages:
            return
        for subscription in subscriptions:
            try:
                yield from self._work_for_url(
                    subscription.url, context=DocumentHints(outlet=subscription.title)
                )
                self.store.record_source_fetch(subscription.url, status="ok", error=None)
            except DatelineError as exc:
                self.store.record_source_fetch(subscription.url, status="error", error=str(exc))
                yield self._problem(subscription.url, exc)

    def _work_for_jsonl(self, raw: RawDocument) -> Iterator[_Work]:
        from dateline.ingest.jsonl import iter_jsonl_records, record_to_parts

        for index, item in enumerate(iter_jsonl_records(raw.content, source=raw.source), start=1):
            if not isinstance(item, dict):
                yield IngestProblem(raw.source, "parse", str(getattr(item, "message", item)), self._now())
                continue
            line_source = f"{raw.source}:{index}"
            try:
                hints, paragraphs, captions, identity = record_to_parts(item)
                line_raw = RawDocument(
                    source=str(item.get("source") or line_source),
                    content=_canonical_json(item),
                    media_type="application/json",
                    fetched_at=raw.fetched_at,
                    user_hints=self.user_hints,
                    context_hints=hints,
                    identity=identity,
                )
                if self.store.raw_is_extracted(line_raw.sha256):
                    yield _Unchanged(line_source)
                    continue
                article = article_from_parts(line_raw, hints, paragraphs, captions, ingested_at=self._now())
                yield _ReadyArticle(line_raw, article)
            except DatelineError as exc:
                yield self._problem(line_source, exc)

    def _work_for_warc(self, raw: RawDocument) -> Iterator[_Work]:
        from dateline.ingest.warc import iter_warc

        yield from self._work_for_warc_records(iter_warc(raw.content, source=raw.source), raw.source)

    def _work_for_warc_records(self, records: Iterator[RawDocument], source: str) -> Iterator[_Work]:
        try:
            for record in records:
                try:
                    yield from self._work_for_document(replace(record, user_hints=self.user_hints))
                except DatelineError as exc:
                    yield self._problem(record.source, exc)
        except DatelineError as exc:  # a corrupt archive: what came before stays ingested
            yield self._problem(source, exc)

    # ------------------------------------------------ extraction and writing

    def _options_for(self, site: str) -> ExtractionOptions:
        repeated, age = self._repeated.get(site, (frozenset(), _REPEATED_REFRESH))
        if age >= _REPEATED_REFRESH:
            repeated, age = self.store.repeated_lines(site, min_documents=REPEATED_LINE_MIN_DOCUMENTS), 0
        self._repeated[site] = (repeated, age + 1)
        return ExtractionOptions(max_bytes=self.settings.max_document_bytes, repeated_lines=repeated)

    def run(
        self, specs: Sequence[str], executor_factory: Callable[[], Executor] | None = None
    ) -> IngestReport:
        self.store.start_run(self.report.run_id, specs)
        status = "done"
        try:
            self._run(specs, executor_factory or self._default_executor)
        except KeyboardInterrupt:
            status = "interrupted"
            self.report.interrupted = True
            raise
        finally:
            self._flush_line_counts()
            if self._executor is not None:
                self._executor.shutdown(wait=status != "interrupted", cancel_futures=True)
                self._executor = None
            self.store.finish_run(self.report.run_id, self.report.counts(), status)
        return self.report

    def _run(self, specs: Sequence[str], executor_factory: Callable[[], Executor]) -> None:
        # Documents waiting for the pool to start (small runs never start it), then a bounded window of
        # documents in flight, sent to the workers in small batches: workers keep extracting while this
        # process writes earlier results.
        waiting: list[_PendingExtraction] = []
        batch: list[_PendingExtraction] = []
        in_flight: deque[_Batch] = deque()
        window = _WINDOW_PER_WORKER * max(1, self.settings.workers)
        for work in self.work(specs):
            if isinstance(work, IngestProblem):
                self._fail(work)
            elif isinstance(work, _Warning):
                self.report.warnings.append(work.problem)
                self.store.log_problem(work.problem, run_id=self.report.run_id, level="warning")
            elif isinstance(work, _Unchanged):
                self.report.unchanged += 1
                self.progress("unchanged", work.source)
            elif isinstance(work, _ReadyArticle):
                self._save(work.raw, fingerprint(work.article), site=None)
            elif self._executor is None and self.settings.workers > 1:
                waiting.append(work)
                if len(waiting) >= _POOL_MIN_DOCUMENTS:
                    self._executor = executor_factory()
                    in_flight.extend(self._submit(items) for items in _task_batches(waiting))
                    waiting = []
            else:
                batch.append(work)
                if _batch_is_full(batch):
                    in_flight.append(self._submit(batch))
                    batch = []
                    if _documents(in_flight) >= 2 * window:
                        self._drain(in_flight, keep=window)
        # Too few documents to be worth a pool.
        in_flight.extend(self._submit(items) for items in _task_batches(waiting))
        if batch:
            in_flight.append(self._submit(batch))
        self._drain(in_flight, keep=0)
        self._flush_line_counts()

    def _submit(self, items: list[_PendingExtraction]) -> _Batch:
        tasks = [self._task(item) for item in items]
        if self._executor is not None:
            return items, self._executor.submit(run_extraction_batch, tasks)
        # No pool: extract here, but still write in batched transactions like the pool path.
        done: Future[list[ExtractionResult]] = Future()
        done.set_result(run_extraction_batch(tasks))
        return items, done

    def _task(self, item: _PendingExtraction) -> ExtractionTask:
        return ExtractionTask(item.raw, item.source_format, self._options_for(item.site), self._now())

    def _drain(self, in_flight: deque[_Batch], *, keep: int) -> None:
        """Write finished results, oldest first, until at most KEEP documents remain in flight (one transaction)."""
        with self.store.atomic():
            while in_flight and _documents(in_flight) > keep:
                items, future = in_flight.popleft()
                for item, result in zip(items, future.result(), strict=True):
                    self._save_result(item, result)

    def _save_result(self, item: _PendingExtraction, result: ExtractionResult) -> None:
        if result.article is None:
            assert result.problem is not None
            self._fail(result.problem)
        else:
            self._save(item.raw, result, site=item.site)

    def _default_executor(self) -> Executor:
        return ProcessPoolExecutor(max_workers=self.settings.workers, initializer=_worker_ignores_ctrl_c)

    def _save(self, raw: RawDocument, result: ExtractionResult, *, site: str | None) -> None:
        article = result.article
        assert article is not None
        try:
            with self.store.atomic():
                outcome, is_duplicate = save_article(
                    self.store, raw, result, threshold=self.settings.near_duplicate_threshold
                )
        except DatelineError as exc:
            self._fail(self._problem(raw.source, exc))
            return
        if outcome == "unchanged":
            self.report.unchanged += 1
        else:
            setattr(self.report, outcome, getattr(self.report, outcome) + 1)
            self.report.article_ids.append(article.id)
            self.report.duplicates += is_duplicate
            if site is not None and result.line_keys:
                self._line_counts.update((site, key) for key in result.line_keys)
                if len(self._line_counts) >= _LINE_COUNT_FLUSH:
                    self._flush_line_counts()
        self.progress(outcome, raw.source)

    def _flush_line_counts(self) -> None:
        # Chrome lines repeat across a batch: one upsert per distinct line instead of one per document.
        if self._line_counts:
            self.store.count_lines(self._line_counts)
            self._line_counts.clear()


def save_article(
    store: SqliteStore, raw: RawDocument, result: ExtractionResult, *, threshold: float
) -> tuple[str, bool]:
    """Store one extracted article with its raw bytes and fingerprints, and fold it into its duplicate group.

    Returns the outcome ('added', 'updated' for a new version of a known article, or 'unchanged')
    and whether the article is now a duplicate of an earlier copy.
    """
    article = result.article
    assert article is not None
    state = store.article_identity_state(article.identity)
    if state is not None and state[1] == article.raw_sha256:
        return "unchanged", False
    store.save_raw(raw)
    is_new, original = _write_article(store, article, result, threshold=threshold)
    return ("added" if is_new else "updated"), original not in (None, article.id)


def _write_article(
    store: SqliteStore, article: Article, result: ExtractionResult, *, threshold: float
) -> tuple[bool, str | None]:
    """Upsert the article with its fingerprints and fold its duplicate group: (is it new, the group's original)."""
    canonical = dedupe.canonical_url(article.url)
    is_new = store.upsert_article(article, text_hash=result.text_hash, canonical_url=canonical)
    store.save_signature(article.id, result.signature, result.band_keys, new=is_new)
    return is_new, _fold_duplicates(store, article, result, canonical, threshold, new=is_new)


def _fold_duplicates(
    store: SqliteStore,
    article: Article,
    result: ExtractionResult,
    canonical: str | None,
    threshold: float,
    *,
    new: bool = False,
) -> str | None:
    """Find the article's exact and near copies and point the group at its original; return the original."""
    signature = dedupe.signature_from_bytes(result.signature)
    matches: dict[str, float] = {}
    infos = {}
    for info in store.find_by_text_hash(result.text_hash, exclude_identity=article.identity):
        matches[info.article_id] = 1.0
        infos[info.article_id] = info
    if canonical:
        for info in store.find_by_canonical_url(canonical, exclude_identity=article.identity):
            matches.setdefault(
                info.article_id,
                dedupe.estimated_jaccard(signature, dedupe.signature_from_bytes(info.minhash)),
            )
            infos[info.article_id] = info
    candidates = {
        info.article_id: info for info in store.find_band_candidates(result.band_keys, exclude_id=article.id)
    }
    near = dedupe.near_duplicates(
        signature,
        ((article_id, dedupe.signature_from_bytes(info.minhash)) for article_id, info in candidates.items()),
        threshold,
    )
    for article_id, similarity in near:
        matches[article_id] = max(similarity, matches.get(article_id, 0.0))
        infos[article_id] = candidates[article_id]
    if not matches:
        if not new:  # an earlier version may have been a copy; this one is not
            store.clear_duplicate(article.id)
        return None
    # The group is the new article, what it matched, and the originals those already point to.
    members = {article.id: _candidate(article)}
    for article_id, info in infos.items():
        members[article_id] = dedupe.DuplicateCandidate(
            article_id,
            info.published_at,
            info.ingested_at,
            1.0,
            info.is_copy,
            info.timed,
            wire=wire_outlet(info.outlet) is not None,
        )
        root = info.duplicate_of
        if root and root not in members:
            root_article = store.get_article(root)
            if root_article is not None:
                members[root] = _candidate(root_article)
    original = dedupe.choose_original(list(members.values()))
    similarities: dict[str, float] = {}
    for member_id in members:
        if member_id == original.article_id:
            continue
        if member_id == article.id:  # the new copy: how close it is to the original, or to its best match
            similarities[member_id] = matches.get(original.article_id, max(matches.values()))
        else:  # earlier members: what this article measured, 1.0 for the ones it reached through their root
            similarities[member_id] = matches.get(member_id, 1.0)
    store.set_duplicate_group(original.article_id, similarities)
    return original.article_id


def _worker_ignores_ctrl_c() -> None:
    # Ctrl-C reaches the whole process group: only the main process handles it (and commits what it has).
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _candidate(article: Article) -> dedupe.DuplicateCandidate:
    return dedupe.DuplicateCandidate(
        article.id,
        article.published_at,
        article.ingested_at,
        1.0,
        is_copy=article.via is not None,
        timed=article.published_precision is DatePrecision.DATETIME,
        wire=wire_outlet(article.outlet) is not None,
    )


def _canonical_json(record: dict) -> bytes:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def ingest_inputs(
    store: SqliteStore,
    specs: Sequence[str],
    settings: Settings,
    *,
    user_hints: DocumentHints | None = None,
    progress: ProgressCallback | None = None,
    fetcher: Fetcher | None = None,
) -> IngestReport:
    """Ingest files, folders, globs, '-' and URLs into the store. Bad inputs are logged; the rest goes on."""
    ingestor = Ingestor(
        store, settings, user_hints=user_hints or DocumentHints(), progress=progress, fetcher=fetcher
    )
    try:
        report = ingestor.run(specs)
    finally:
        if fetcher is None and ingestor._fetcher is not None:
            ingestor._fetcher.close()
    report.failed += _after_extraction(store, settings, report.problems, progress)
    return report


def _after_extraction(
    store: SqliteStore, settings: Settings, problems: list[IngestProblem], progress: ProgressCallback | None
) -> int:
    """Enrich, then cluster, everything not yet done (not only this run's articles: an interrupted run
    resumes here too). Problems go to PROBLEMS; returns how many articles failed."""
    failed = 0
    if settings.enrich:
        enriched = enrich_articles(store, settings, progress=progress)
        problems.extend(enriched.problems)
        failed += enriched.failed
    if settings.stories:
        # Stories after enrichment: entity overlap is one of the clustering signals. After re-extraction
        # changed texts get fresh story features; their assignments stay (rebuild-stories redoes them).
        clustered = cluster_stories(store, settings, progress=progress)
        problems.extend(clustered.problems)
        failed += clustered.failed
    return failed


def extract_inputs(
    specs: Sequence[str], settings: Settings, *, user_hints: DocumentHints | None = None
) -> Iterator[Article | IngestProblem]:
    """`dateline extract`: each file's article(s), or its problem, without touching any store."""
    from dateline.ingest.detect import detect_format

    hints = user_hints or DocumentHints()
    now = datetime.now(UTC)
    for item in expand_inputs(specs):
        if isinstance(item, DatelineError):
            yield IngestProblem(str(item).split(":", 1)[0], item.stage, str(item), now)
            continue
        try:
            if item.kind == "url":
                raise FetchError(f"{item.location}: `extract` reads files only; use `ingest` for URLs")
            content = read_input(item, settings.max_document_bytes)
            raw = RawDocument(source=item.name, content=content, fetched_at=now, user_hints=hints)
            source_format = detect_format(content, name=item.name)
            if source_format not in (SourceFormat.HTML, SourceFormat.TEXT):
                raise UnsupportedFormatError(
                    f"{item.name}: `extract` reads single HTML pages and text scrapes, not {source_format}"
                )
            result = run_extraction(
                ExtractionTask(raw, source_format, ExtractionOptions(settings.max_document_bytes), now)
            )
            yield result.article if result.article is not None else result.problem  # type: ignore[misc]
        except DatelineError as exc:
            yield IngestProblem(item.name, exc.stage, str(exc), now)


@dataclass
class ReextractReport:
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    problems: list[IngestProblem] = field(default_factory=list)


def reextract(
    store: SqliteStore, settings: Settings, *, progress: ProgressCallback | None = None
) -> ReextractReport:
    """Run extraction again over every stored raw document (after an extractor improved), then enrichment
    over the articles whose text changed."""
    from dateline.ingest.detect import detect_format

    report = ReextractReport()
    notify = progress or (lambda outcome, source: None)
    for sha in store.raw_shas_with_articles():
        raw = store.load_raw(sha)
        if raw is None:
            continue
        source_format = detect_format(raw.content, name=raw.source, media_type=raw.media_type)
        if source_format not in (SourceFormat.HTML, SourceFormat.TEXT):
            report.unchanged += 1  # structured inputs (JSONL) carry their own fields
            notify("unchanged", raw.source)
            continue
        site = site_of(raw)
        options = ExtractionOptions(
            settings.max_document_bytes,
            store.repeated_lines(site, min_documents=REPEATED_LINE_MIN_DOCUMENTS),
        )
        previous = store.get_article_by_raw(sha)
        result = run_extraction(ExtractionTask(raw, source_format, options, datetime.now(UTC)))
        if result.article is None:
            assert result.problem is not None
            report.failed += 1
            report.problems.append(result.problem)
            store.log_problem(result.problem, run_id=None)
            notify("failed", raw.source)
            continue
        article = result.article
        if previous is not None:
            article = replace(article, ingested_at=previous.ingested_at)
        with store.atomic():
            _write_article(store, article, result, threshold=settings.near_duplicate_threshold)
        changed = (
            previous is None or previous.paragraphs != article.paragraphs or previous.title != article.title
        )
        if changed:
            report.updated += 1
        else:
            report.unchanged += 1
        notify("updated" if changed else "unchanged", raw.source)
    # Articles whose text changed have stale facts and story features: redo them, as ingest would.
    report.failed += _after_extraction(store, settings, report.problems, None)
    return report


# ---------------------------------------------------------------- enrichment


@dataclass
class EnrichReport:
    enriched: int = 0
    failed: int = 0
    problems: list[IngestProblem] = field(default_factory=list)


def run_enrichment(article: Article) -> Enrichment | IngestProblem:
    """Enrich one article. Never raises for odd text."""
    return run_enrichment_batch([article])[0]


def run_enrichment_batch(articles: Sequence[Article]) -> list[Enrichment | IngestProblem]:
    """Enrich several articles with one batched model pass. Runs in a worker process; never raises.

    When the batch fails as a whole, each article is tried alone so one bad text costs only itself.
    """
    from dateline.enrich.article import enrich_article, enrich_articles

    try:
        return list(enrich_articles(articles))
    except Exception as exc:
        if len(articles) == 1:
            return [_enrichment_problem(articles[0], exc)]
    results: list[Enrichment | IngestProblem] = []
    for article in articles:
        try:
            results.append(enrich_article(article))
        except Exception as exc:  # a bug in a stage must not end the batch: record it and go on
            results.append(_enrichment_problem(article, exc))
    return results


def _enrichment_problem(article: Article, exc: Exception) -> IngestProblem:
    message = f"unexpected {type(exc).__name__} while enriching article {article.id}: {exc}"
    return IngestProblem(article.source, "enrich", message[:500], datetime.now(UTC))


def save_enrichment(store: SqliteStore, enrichment: Enrichment, *, text_hash: str) -> Enrichment:
    """Link the article's entities to the store's canonical entities, then store its facts.

    Returns the enrichment as stored (entity keys replaced by the canonical ones).
    """
    from dateline.enrich.article import with_canonical_entities
    from dateline.enrich.entities import entity_match_keys, link_entity, merge_entities

    canonical: dict[str, Entity] = {}
    with store.atomic():
        for entity in enrichment.entities:
            stored = store.get_entity(entity.key)
            if stored is None:
                stored = link_entity(entity, store.entity_candidates(entity_match_keys(entity)))
            merged = entity if stored is None else merge_entities(stored, entity)
            store.save_entity(merged, entity_match_keys(merged))
            canonical[entity.key] = merged
        linked = with_canonical_entities(enrichment, canonical)
        store.save_enrichment(linked, text_hash=text_hash)
    return linked


def _save_enrichment_result(
    store: SqliteStore,
    result: Enrichment | IngestProblem,
    report: EnrichReport,
    notify: ProgressCallback,
) -> None:
    if isinstance(result, IngestProblem):
        report.failed += 1
        report.problems.append(result)
        store.log_problem(result, run_id=None)
        notify("failed", result.source)
        return
    text_hash = store.article_text_hash(result.article_id)
    if text_hash is None:  # deleted meanwhile
        return
    save_enrichment(store, result, text_hash=text_hash)
    report.enriched += 1
    notify("enriched", result.article_id)


def enrich_articles(
    store: SqliteStore,
    settings: Settings,
    *,
    article_ids: Sequence[str] | None = None,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> EnrichReport:
    """`dateline enrich`: enrich the given articles, or every article whose enrichment is missing or stale."""
    from dateline.enrich.article import ENRICH_VERSION

    report = EnrichReport()
    notify = progress or (lambda outcome, source: None)
    ids = (
        list(article_ids)
        if article_ids is not None
        else store.articles_needing_enrichment(ENRICH_VERSION, force=force)
    )
    if not ids:
        return report

    def batches() -> Iterator[list[Article]]:
        batch: list[Article] = []
        for article_id in ids:
            article = store.get_article(article_id)
            if article is not None:
                batch.append(article)
            if len(batch) >= _ENRICH_BATCH:
                yield batch
                batch = []
        if batch:
            yield batch

    executor: Executor | None = None
    if settings.workers > 1 and len(ids) >= _POOL_MIN_DOCUMENTS:
        executor = ProcessPoolExecutor(max_workers=settings.workers, initializer=_worker_ignores_ctrl_c)

    def save(batch_results: list[Enrichment | IngestProblem]) -> None:
        with store.atomic():  # one transaction per batch: Ctrl-C keeps every finished batch
            for result in batch_results:
                _save_enrichment_result(store, result, report, notify)

    try:
        if executor is None:
            for batch in batches():
                save(run_enrichment_batch(batch))
        else:
            # A bounded window of batches in flight: workers keep busy while this process writes,
            # and a store of any size never sits in memory at once.
            in_flight: deque[Future[list[Enrichment | IngestProblem]]] = deque()
            for batch in batches():
                in_flight.append(executor.submit(run_enrichment_batch, batch))
                if len(in_flight) > 2 * settings.workers:
                    save(in_flight.popleft().result())
            while in_flight:
                save(in_flight.popleft().result())
    finally:
        if executor is not None:
            executor.shutdown(cancel_futures=True)
    return report


# ---------------------------------------------------------------- syndication lineage


@dataclass(frozen=True, slots=True)
class CopyReport:
    """One folded copy of an article, with what it changes against the original."""

    article: Article
    similarity: float | None
    differences: CopyDifferences


def article_copies(store: SqliteStore, original: Article) -> list[CopyReport]:
    """The copies folded under ORIGINAL, each compared paragraph by paragraph with it."""
    from dateline.lineage import compare_copy

    reports = []
    for copy_id, similarity in store.duplicates_of(original.id):
        copy = store.get_article(copy_id)
        if copy is not None:
            reports.append(CopyReport(copy, similarity, compare_copy(original, copy)))
    return reports


# ---------------------------------------------------------------- stories (issue 4)


@dataclass
class StoryReport:
    featurised: int = 0
    assigned: int = 0
    new_stories: int = 0
    merges: int = 0
    splits: int = 0
    threads: int = 0
    failed: int = 0
    problems: list[IngestProblem] = field(default_factory=list)


_STORY_BATCH = 64  # articles featurised (one embedding call) and clustered per transaction


def cluster_stories(
    store: SqliteStore,
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    encoder: Embed | None = None,
) -> StoryReport:
    """Put every article not yet in a story into one, in stream order, then re-link threads.

    Resumable: features and assignments are saved a batch at a time, and the clusterer's state is
    rebuilt from the stored assignments of the stories active within ``settings.story_window_days`` of
    the newest article, so an interrupted run goes on where it stopped and re-running changes nothing.
    """
    from dateline.cluster.features import FEATURES_VERSION, SentenceEncoder, story_features
    from dateline.cluster.online import StoryClusterer
    from dateline.cluster.threads import build_threads

    report = StoryReport()
    notify = progress or (lambda outcome, source: None)
    embed = encoder or SentenceEncoder(threads=1)

    # 1. Features of new or changed articles (a pure function of the article and its enrichment).
    pending = store.articles_needing_features(FEATURES_VERSION)
    for start in range(0, len(pending), _STORY_BATCH):
        articles = [a for a in (store.get_article(i) for i in pending[start : start + _STORY_BATCH]) if a]
        enrichments = [store.get_enrichment(article.id) for article in articles]
        try:
            features = story_features(articles, enrichments, embed)
        except Exception as exc:  # a model failure must not lose the batch silently
            now = datetime.now(UTC)
            for article in articles:
                problem = IngestProblem(article.id, "cluster", f"story features failed: {exc!r}", now)
                store.log_problem(problem, run_id=None)
                report.problems.append(problem)
                report.failed += 1
            continue
        store.save_story_features(features)
        report.featurised += len(features)

    # 2. The clusterer's state: the stories that can still receive articles or threads.
    to_assign = store.articles_needing_stories()
    if not to_assign:
        return report
    clusterer = StoryClusterer()
    newest = store.story_features(to_assign[-1:])
    horizon = newest[0].seen_at - timedelta(days=settings.story_window_days)
    clusterer.load(store.active_story_members(horizon), next_sequence=store.next_story_sequence())
    clusterer.set_threads(store.story_threads(horizon))

    # 3. Assign in stream order; each batch (assignments, touched stories, merges, splits) is one transaction.
    for start in range(0, len(to_assign), _STORY_BATCH):
        batch = store.story_features(to_assign[start : start + _STORY_BATCH])
        assignments = clusterer.add_many(batch)
        merges, splits = clusterer.maintain()
        store.save_story_batch(assignments, clusterer.drain_touched(), merges, splits)
        report.assigned += len(assignments)
        report.new_stories += sum(1 for a in assignments if a.score is None)
        report.merges += len(merges)
        report.splits += len(splits)
        for assignment in assignments:
            notify("clustered", assignment.article_id)

    # 4. Threads over every story the clusterer holds; older stories keep theirs.
    loaded = clusterer.stories()
    threads = build_threads(loaded, clusterer.thread_links(), clusterer.known_threads())
    store.save_threads(threads, scope=[story.id for story in loaded])
    report.threads = len(threads)
    return report


def rebuild_stories(
    store: SqliteStore,
    settings: Settings,
    *,
    progress: ProgressCallback | None = None,
    encoder: Embed | None = None,
) -> StoryReport:
    """`dateline rebuild-stories`: forget every story and thread and cluster all stored articles again.

    Story ids come out the same for the same articles in the same order (``s-`` + first article id).
    """
    store.clear_stories()
    return cluster_stories(store, settings, progress=progress, encoder=encoder)


# ---------------------------------------------------------------- synthesis (issue 5)
#
# Synthesis is lazy: it runs when a story is first read (or `dateline synthesize` precomputes it),
# never at the end of ingest, where a large backfill would pay for stories nobody opens. The store
# keeps each synthesis and its triggers drop it when its inputs change, so a read is one lookup.

# The most articles a query timeline reads (best matches first): each costs an enrichment load.
TIMELINE_MAX_ARTICLES = 400


def story_synthesis(store: SqliteStore, story_id: str) -> StorySynthesis | None:
    """The synthesis of a story (a merged id resolves to its survivor): the stored one, else built and stored."""
    resolved = store.resolve_story_id(story_id)
    return None if resolved is None else _current_synthesis(store, resolved)


def thread_synthesis(store: SqliteStore, thread_id: str) -> StorySynthesis | None:
    """The synthesis of a whole thread, over the articles of all its stories; cached under the thread id."""
    found = store.get_thread(thread_id)
    return None if found is None else _current_synthesis(store, found.id)


def _current_synthesis(store: SqliteStore, key: str) -> StorySynthesis:
    return _stored_synthesis(store, key) or _build_synthesis(store, key)


def _stored_synthesis(store: SqliteStore, key: str) -> StorySynthesis | None:
    """The stored synthesis of KEY when this version of the stage built it."""
    from dateline.synthesize import SYNTHESIS_VERSION

    stored = store.load_synthesis(key)
    return stored if stored is not None and stored.version == SYNTHESIS_VERSION else None


def _build_synthesis(store: SqliteStore, key: str) -> StorySynthesis:
    from dateline.synthesize import synthesize_story

    # Read before the inputs: if a writer changes them meanwhile, the synthesis is returned but not kept.
    stamp = store.synthesis_stamp(key)
    articles, enrichments = synthesis_inputs(store, key)
    try:
        synthesis = synthesize_story(key, articles, enrichments)
    except Exception as exc:  # a bug or an input the stage did not foresee: say which story, keep the store
        message = f"synthesis of {key} failed: {type(exc).__name__}: {exc}"[:500]
        store.log_problem(IngestProblem(key, "synthesize", message, datetime.now(UTC)), run_id=None)
        raise SynthesisError(message) from exc
    store.save_synthesis(synthesis, stamp=stamp)
    return synthesis


def synthesis_inputs(store: SqliteStore, key: str) -> tuple[list[Article], dict[str, Enrichment]]:
    """The articles of a story (or of every story of a thread) in stream order, and their enrichments."""
    articles = [a for a in (store.get_article(i) for i in store.synthesis_article_ids(key)) if a is not None]
    return articles, _enrichments_of(store, articles)


def _enrichments_of(store: SqliteStore, articles: Sequence[Article]) -> dict[str, Enrichment]:
    """The stored enrichment of each of ARTICLES that has one, by article id."""
    enrichments = {}
    for article in articles:
        enrichment = store.get_enrichment(article.id)
        if enrichment is not None:
            enrichments[article.id] = enrichment
    return enrichments


@dataclass
class SynthesisReport:
    built: int = 0
    current: int = 0  # already stored and up to date
    missing: int = 0  # ids that name no story
    failed: int = 0
    problems: list[IngestProblem] = field(default_factory=list)


def synthesize_stories(
    store: SqliteStore,
    story_ids: Sequence[str] | None = None,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> SynthesisReport:
    """`dateline synthesize`: build and store the syntheses of STORY_IDS, or of every story lacking a current one.

    Each synthesis is saved as it is built, so an interrupted run keeps what it finished and a re-run
    goes on with the rest. FORCE rebuilds stored ones too.
    """
    from dateline.synthesize import SYNTHESIS_VERSION

    report = SynthesisReport()
    notify = progress or (lambda outcome, source: None)
    ids = list(story_ids) if story_ids is not None else store.stories_needing_synthesis(SYNTHESIS_VERSION)
    for story_id in ids:
        resolved = store.resolve_story_id(story_id)
        if resolved is None:
            report.missing += 1
            notify("missing", story_id)
            continue
        if not force and _stored_synthesis(store, resolved) is not None:
            report.current += 1
            notify("current", resolved)
            continue
        try:
            _build_synthesis(store, resolved)
        except SynthesisError as exc:  # one story's failure must not stop the others (it is logged)
            report.problems.append(IngestProblem(resolved, "synthesize", str(exc), datetime.now(UTC)))
            report.failed += 1
            notify("failed", resolved)
            continue
        report.built += 1
        notify("built", resolved)
    return report


def story_delta(store: SqliteStore, story_id: str, since: datetime) -> StoryDelta | None:
    """What the story gained since SINCE (what Dateline ingested after it), or None for an unknown story."""
    from dateline.synthesize.delta import changes_since

    synthesis = story_synthesis(store, story_id)
    if synthesis is None:
        return None
    articles = [
        a for a in (store.get_article(i) for i in store.synthesis_article_ids(synthesis.story_id)) if a
    ]
    return changes_since(synthesis, since, articles)


@dataclass(frozen=True, slots=True)
class QueryTimeline:
    """A timeline across stories: the dated events of the articles matching a query."""

    query: str
    entities: tuple[str, ...]  # names of the entities the query matched
    article_count: int  # articles read
    entries: tuple[TimelineEntry, ...]

    def to_dict(self) -> dict[str, object]:
        return {
            "query": self.query,
            "entities": list(self.entities),
            "article_count": self.article_count,
            "entries": [e.to_dict() for e in self.entries],
        }


def query_timeline(
    store: SqliteStore,
    query: str,
    *,
    max_dates: int | None = None,
    start: date | None = None,
    end: date | None = None,
) -> QueryTimeline:
    """`dateline timeline QUERY`: the events of articles whose text matches QUERY or that name an entity
    called QUERY, across stories, clustered and ranked by the story timeline stage.
    """
    from dateline.cluster.features import seen_at
    from dateline.synthesize.timeline import build_timeline

    matched = _entities_named(store, query)
    ids = list(
        dict.fromkeys(
            store.search_article_ids(query, limit=TIMELINE_MAX_ARTICLES, start=start, end=end)
            + store.entity_article_ids(
                [e.key for e in matched], limit=TIMELINE_MAX_ARTICLES, start=start, end=end
            )
        )
    )[:TIMELINE_MAX_ARTICLES]
    articles = sorted(
        (a for a in (store.get_article(i) for i in ids) if a is not None),
        key=lambda a: (seen_at(a)[0], a.id),
    )
    enrichments = _enrichments_of(store, articles)
    # The query's own words, and every name of an entity it names, pick the sentences: FTS operators
    # and quotes are not words of the text.
    plain = " ".join(
        word for word in query.replace('"', " ").split() if word not in {"AND", "OR", "NOT", "NEAR"}
    )
    keywords = [plain, *(name for entity in matched for name in (entity.name, *entity.aliases))]
    entries = build_timeline(
        articles, enrichments, max_dates=max_dates, start=start, end=end, keywords=keywords
    )
    return QueryTimeline(query, tuple(e.name for e in matched), len(articles), entries)


def _entities_named(store: SqliteStore, query: str) -> list[Entity]:
    """Entities whose name or an alias is QUERY; else the best partial match when QUERY is a word of its name."""
    wanted = query.strip().casefold()
    if not wanted:
        return []
    candidates = [summary.entity for summary in store.find_entities(query, limit=10)]
    exact = [
        e for e in candidates if e.name.casefold() == wanted or wanted in {a.casefold() for a in e.aliases}
    ]
    if exact:
        return exact
    # "Zelensky" names "Volodymyr Zelensky"; "ed" must not name "Edward" or "United".
    if candidates and wanted in candidates[0].name.casefold().split():
        return candidates[:1]
    return []


# ---------------------------------------------------------------- sources and refresh (issue 6)
#
# What the reader keeps fresh: feeds polled with a conditional GET, and local files or folders re-read.
# The CLI (`dateline refresh`, `dateline sources`), the web app and the scheduler call these functions.
# A pass ingests each due source through the ingest path above, then enriches and clusters once, then
# builds the syntheses of the stories it touched, so the pages a reader opens next are ready.

DEFAULT_INTERVAL_SECONDS = 1800  # the sources table's default
MIN_INTERVAL_SECONDS = 60
MAX_INTERVAL_SECONDS = 7 * 24 * 3600
# After the k-th failed pass in a row a source waits interval * 2**k, up to a day (or its interval, if longer).
MAX_BACKOFF = timedelta(hours=24)
_MAX_BACKOFF_DOUBLINGS = 16  # 2**16 intervals is past any cap; bounds the arithmetic
# Stories synthesized at the end of a pass, newest first; the others are built when first opened.
SYNTHESES_PER_PASS = 20
# Files of a folder source changed this long before its last good pass are re-read anyway (coarse clocks).
_PATH_MTIME_SLACK = timedelta(minutes=2)

RefreshProgress = Callable[[str, str], None]
"""``(event, subject)`` during a pass: ``("planned", "N")`` once with the number of sources; ``("source", url)``
as each source starts and ``(status, url)`` as it ends (ok / not-modified / error); ``("stage", name)`` as
enrich, cluster and synthesize start; and the per-document outcomes of those stages (added, unchanged,
failed, enriched, clustered, built…)."""


class RefreshCancelled(Exception):
    """Raised inside a pass when its ``should_stop`` says so; ``refresh_sources`` turns it into a report.

    Not a ``DatelineError``, so no stage mistakes it for a bad input; the batch being written when it is
    raised rolls back with its transaction and the source stays due.
    """


@dataclass(frozen=True, slots=True)
class SourceOutcome:
    """What one pass did with one source."""

    source_id: int
    url: str
    title: str | None
    status: SourceStatus
    error: str | None
    added: int  # new articles
    updated: int  # new versions of known articles
    unchanged: int
    failed: int  # documents of the source that could not be read (the source itself may be fine)
    next_fetch_at: datetime

    def to_dict(self) -> dict[str, object]:
        return {
            "source_id": self.source_id,
            "url": self.url,
            "title": self.title,
            "status": str(self.status),
            "error": self.error,
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "next_fetch_at": self.next_fetch_at.isoformat(),
        }


@dataclass
class RefreshReport:
    started_at: datetime
    finished_at: datetime | None = None
    sources: list[SourceOutcome] = field(default_factory=list)
    enriched: int = 0
    clustered: int = 0
    synthesized: int = 0
    cancelled: bool = False  # stopped before the end: what finished is stored, the rest stays due
    problems: list[IngestProblem] = field(default_factory=list)  # stage failures after ingest

    @property
    def added(self) -> int:
        return sum(outcome.added for outcome in self.sources)

    @property
    def errors(self) -> int:
        return sum(outcome.status is SourceStatus.ERROR for outcome in self.sources)

    def summary(self) -> str:
        def count(number: int, noun: str) -> str:
            return f"{number} {noun}{'' if number == 1 else 's'}"

        parts = [
            count(len(self.sources), "source"),
            count(self.added, "new article"),
            count(self.errors, "error"),
        ]
        if self.cancelled:
            parts.append("stopped early")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, object]:
        return {
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "sources": [outcome.to_dict() for outcome in self.sources],
            "added": self.added,
            "errors": self.errors,
            "enriched": self.enriched,
            "clustered": self.clustered,
            "synthesized": self.synthesized,
            "cancelled": self.cancelled,
            "problems": [{"source": p.source, "stage": p.stage, "message": p.message} for p in self.problems],
        }


def _checked_interval(interval_seconds: int | None) -> int | None:
    if interval_seconds is None:
        return None
    if not MIN_INTERVAL_SECONDS <= interval_seconds <= MAX_INTERVAL_SECONDS:
        raise InputError(
            f"a source is polled every {MIN_INTERVAL_SECONDS // 60} minute to {MAX_INTERVAL_SECONDS // 86400} days,"
            f" not every {interval_seconds} s"
        )
    return interval_seconds


def add_source(
    store: SqliteStore,
    location: str,
    *,
    title: str | None = None,
    interval_seconds: int | None = None,
    category: str | None = None,
) -> Source:
    """Subscribe to LOCATION: an http(s) feed URL, or an existing local file or folder (of saved pages, feeds…).

    The new source is due at once (the next pass fetches it). Subscribing to a known URL or path returns
    the existing source unchanged. Raises ``InputError`` with a message for the user when LOCATION is
    neither, or the interval is out of bounds.
    """
    from dateline.ingest.inputs import is_url

    spec = location.strip()
    interval = _checked_interval(interval_seconds)
    clean_title = (title or "").strip() or None
    if not spec:
        raise InputError("a source is a feed URL (http or https) or a local file or folder")
    if is_url(spec):
        parts = urlsplit(spec)
        if not parts.hostname or any(ch.isspace() for ch in spec):
            raise InputError(f"{spec}: not a valid feed URL")
        source, _new = store.add_source(
            spec, kind=SourceKind.FEED, title=clean_title, category=category, interval_seconds=interval
        )
        return source
    if "://" in spec:
        raise InputError(f"{spec}: only http and https feeds, or a local file or folder, can be followed")
    path = Path(spec).expanduser()
    if not path.exists():
        raise InputError(f"{spec}: no such file or folder")
    if not (path.is_file() or path.is_dir()):
        raise InputError(f"{spec}: not a regular file or folder")
    resolved = path.resolve()
    source, _new = store.add_source(
        str(resolved),
        kind=SourceKind.PATH,
        title=clean_title or resolved.name,
        category=category,
        interval_seconds=interval,
    )
    return source


def import_opml_sources(store: SqliteStore, data: bytes) -> int:
    """Subscribe to every feed of an OPML document (nothing is fetched yet). Returns how many are new.

    Raises ``ParseError`` for a document that is not OPML."""
    from dateline.ingest.opml import parse_opml

    return store.add_sources(parse_opml(data))


def export_opml_sources(store: SqliteStore) -> str:
    """The feed subscriptions as an OPML 2.0 document (local paths are left out: no other reader could use them)."""
    from dateline.ingest.opml import write_opml

    return write_opml(store.list_sources(), title="Dateline subscriptions").decode("utf-8")


def add_starter_sources(store: SqliteStore) -> int:
    """Subscribe to the starter list of major public news feeds shipped with Dateline. Returns how many are new."""
    from dateline.ingest.opml import starter_opml

    return import_opml_sources(store, starter_opml())


def next_fetch_time(source: Source, fetched_at: datetime, *, failed: bool) -> datetime:
    """When to poll SOURCE again after a pass at FETCHED_AT: one interval later, or after a failure
    interval * 2**(failures in a row), capped at a day (or at the interval, when that is longer)."""
    interval = timedelta(seconds=source.interval_seconds)
    if not failed:
        return fetched_at + interval
    doublings = min(source.failures + 1, _MAX_BACKOFF_DOUBLINGS)
    return fetched_at + min(interval * 2**doublings, max(MAX_BACKOFF, interval))


def sources_to_refresh(
    store: SqliteStore, source_ids: Sequence[int] | None = None, *, due_only: bool = True, now: datetime
) -> list[Source]:
    """The sources a pass at NOW takes, in order. Named sources are taken even when paused (the user asked
    for them); otherwise paused ones are skipped. DUE_ONLY keeps those whose next fetch has come."""
    if source_ids is None:
        if due_only:
            return store.due_sources(now)
        return [source for source in store.list_source_records() if not source.paused]
    found = [store.get_source(source_id) for source_id in dict.fromkeys(source_ids)]
    named = [source for source in found if source is not None]
    if due_only:
        stamp = _utc(now)
        named = [s for s in named if s.next_fetch_at is None or s.next_fetch_at <= stamp]
    return named


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def refresh_sources(
    store: SqliteStore,
    settings: Settings,
    *,
    source_ids: Sequence[int] | None = None,
    due_only: bool = True,
    now: datetime | None = None,
    progress: RefreshProgress | None = None,
    fetcher: Fetcher | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> RefreshReport:
    """`dateline refresh`: one pass over the sources due at NOW (or every unpaused one, or SOURCE_IDS).

    Each source is ingested like `dateline ingest` would (a feed with a conditional GET, a folder's new
    or changed files), and its outcome recorded with its next fetch time; one failing source never stops
    the others. Then the new articles are enriched and clustered, and the syntheses of the stories they
    joined are built (at most ``SYNTHESES_PER_PASS``). SHOULD_STOP is asked between sources and between
    documents: when it says yes the pass ends at once, keeping everything already written.
    """
    started = _utc(now) if now is not None else datetime.now(UTC)
    report = RefreshReport(started_at=started)
    notify = progress or (lambda event, subject: None)
    stopping = should_stop or (lambda: False)

    def checked(event: str, subject: str) -> None:
        if stopping():
            raise RefreshCancelled
        notify(event, subject)

    sources = sources_to_refresh(store, source_ids, due_only=due_only, now=started)
    notify("planned", str(len(sources)))
    # One fetcher for the pass (a folder's feed files may link to pages too): per-host pacing and
    # robots.txt verdicts hold across sources.
    own_fetcher = fetcher is None
    if fetcher is None:
        from dateline.ingest.fetch import Fetcher

        fetcher = Fetcher(settings.fetch)
    article_ids: list[str] = []
    try:
        for source in sources:
            checked("source", source.url)
            outcome, ids = _refresh_source(
                store, settings, source, now=now, progress=checked, fetcher=fetcher
            )
            report.sources.append(outcome)
            article_ids.extend(ids)
            notify(str(outcome.status), source.url)
        _process_new_articles(store, settings, report, article_ids, checked)
    except RefreshCancelled:
        report.cancelled = True
    finally:
        if own_fetcher and fetcher is not None:
            fetcher.close()
        report.finished_at = datetime.now(UTC)
    return report


def _refresh_source(
    store: SqliteStore,
    settings: Settings,
    source: Source,
    *,
    now: datetime | None,
    progress: ProgressCallback,
    fetcher: Fetcher | None,
) -> tuple[SourceOutcome, list[str]]:
    """Ingest one source and record how it went; returns the outcome and the ids of new or changed articles."""
    ingestor = _SourceIngestor(store, settings, source, progress=progress, fetcher=fetcher)
    error: str | None = None
    try:
        ingested = ingestor.run([source.url])
    except RefreshCancelled:
        raise
    except Exception as exc:  # a bug in a stage: this source fails, the others go on
        error = f"{type(exc).__name__}: {exc}"[:500]
        ingested = ingestor.report
        store.log_problem(
            IngestProblem(source.url, "refresh", error, datetime.now(UTC)), run_id=ingested.run_id
        )
    if error is None and ingestor.source_error is not None:
        error = str(ingestor.source_error)[:500]
    fetched = ingestor.fetched
    if error is None and fetched is not None:
        # Kept only now that the entries are stored: a pass that died half-way must not be told 304 next time.
        store.save_http_validators(
            source.url, etag=fetched.etag, last_modified=fetched.last_modified, status=fetched.status
        )
    if error is not None:
        status = SourceStatus.ERROR
    elif ingestor.not_modified or (source.kind is SourceKind.PATH and not ingested.added + ingested.updated):
        status = SourceStatus.NOT_MODIFIED
    else:
        status = SourceStatus.OK
    fetched_at = _utc(now) if now is not None else datetime.now(UTC)
    next_fetch_at = next_fetch_time(source, fetched_at, failed=error is not None)
    store.record_source_result(
        source.url,
        status=status,
        error=error,
        added=ingested.added,
        next_fetch_at=next_fetch_at,
        success=error is None,
        fetched_at=fetched_at,
        title=ingestor.feed_title,
    )
    outcome = SourceOutcome(
        source_id=source.id,
        url=source.url,
        title=source.title or ingestor.feed_title,
        status=status,
        error=error,
        added=ingested.added,
        updated=ingested.updated,
        unchanged=ingested.unchanged,
        failed=ingested.failed - (1 if ingestor.source_error is not None else 0),
        next_fetch_at=next_fetch_at,
    )
    return outcome, list(ingested.article_ids)


def _process_new_articles(
    store: SqliteStore,
    settings: Settings,
    report: RefreshReport,
    article_ids: Sequence[str],
    progress: ProgressCallback,
) -> None:
    """Enrich and cluster what is pending, then synthesize the newest stories the pass touched.

    Each stage runs even when the one before failed (its failure is in the report): an enrichment bug
    must not keep new articles out of stories.
    """

    def run_stage(name: str, stage: Callable[[], tuple[int, list[IngestProblem]]]) -> int | None:
        """Run one stage, adding its problems to the report; None when it raised (a bug or a broken store)."""
        progress("stage", name)
        try:
            done, problems = stage()
        except RefreshCancelled:
            raise
        except Exception as exc:
            report.problems.append(_stage_problem(name, exc))
            return None
        report.problems.extend(problems)
        return done

    if settings.enrich:

        def enrich() -> tuple[int, list[IngestProblem]]:
            enriched = enrich_articles(store, settings, progress=progress)
            return enriched.enriched, enriched.problems

        report.enriched += run_stage("enrich", enrich) or 0
    if not settings.stories:
        return

    def cluster() -> tuple[int, list[IngestProblem]]:
        clustered = cluster_stories(store, settings, progress=progress)
        return clustered.assigned, clustered.problems

    assigned = run_stage("cluster", cluster)
    if assigned is None:
        return
    report.clustered += assigned
    story_ids: list[str] = []
    for article_id in reversed(article_ids):  # the newest first
        story_id = store.story_of_article(article_id)
        if story_id is not None and story_id not in story_ids:
            story_ids.append(story_id)
            if len(story_ids) >= SYNTHESES_PER_PASS:
                break
    if not story_ids:
        return

    def synthesize() -> tuple[int, list[IngestProblem]]:
        synthesized = synthesize_stories(store, story_ids, progress=progress)
        return synthesized.built, synthesized.problems

    report.synthesized += run_stage("synthesize", synthesize) or 0


def _stage_problem(stage: str, exc: Exception) -> IngestProblem:
    return IngestProblem(
        "refresh", stage, f"{stage} failed: {type(exc).__name__}: {exc}"[:500], datetime.now(UTC)
    )


class _SourceIngestor(Ingestor):
    """One source's share of a refresh pass, with `ingest` semantics except that:

    * a feed source must answer with a feed (a web page or junk is the source's error, not an article),
      and its validators are handed back to be saved once its entries are stored;
    * a folder source re-reads only the files changed since its last good pass;
    * an OPML file inside a folder is not followed (subscribing to its feeds is `sources import`).
    """

    def __init__(
        self,
        store: SqliteStore,
        settings: Settings,
        source: Source,
        *,
        progress: ProgressCallback | None,
        fetcher: Fetcher | None,
    ) -> None:
        super().__init__(store, settings, user_hints=DocumentHints(), progress=progress, fetcher=fetcher)
        self.source = source
        self.source_error: DatelineError | None = None  # the source as a whole failed
        self.not_modified = False  # the server answered 304
        self.feed_title: str | None = None
        self.fetched: FetchResult | None = None

    def work(self, specs: Sequence[str]) -> Iterator[_Work]:
        try:
            if self.source.kind is SourceKind.FEED:
                yield from self._work_for_feed_source()
            else:
                yield from self._work_for_path_source()
        except DatelineError as exc:
            self.source_error = exc
            yield self._problem(self.source.url, exc)

    def _work_for_feed_source(self) -> Iterator[_Work]:
        from dateline.ingest.detect import detect_format
        from dateline.ingest.feeds import entry_is_complete, entry_to_raw_document, parse_feed

        url = self.source.url
        etag, last_modified = self.store.http_validators(url)
        result = self.fetcher().fetch(url, etag=etag, last_modified=last_modified)
        self.fetched = result
        if result.content is None:  # 304 Not Modified
            self.not_modified = True
            return
        found = detect_format(result.content, name=url, media_type=result.media_type)
        if found is not SourceFormat.FEED:
            what = "a web page" if found is SourceFormat.HTML else f"{found} content"
            raise ParseError(f"{url} is not an RSS or Atom feed (it answered with {what})")
        # Entry identities name the feed by its final URL, as `dateline ingest URL` does.
        feed_url = result.final_url or url
        self.feed_title, entries = parse_feed(result.content, feed_url=feed_url)
        for entry in entries:
            try:
                entry_raw = replace(entry_to_raw_document(entry, self._now()), user_hints=self.user_hints)
                yield from self._work_for_feed_entry(entry, entry_raw, complete=entry_is_complete(entry))
            except DatelineError as exc:
                yield self._problem(f"{feed_url}#{entry.entry_id}", exc)

    def _work_for_path_source(self) -> Iterator[_Work]:
        root = Path(self.source.url)
        if not root.exists():
            raise InputError(f"{root}: no such file or folder (moved or deleted?)")
        since = self.source.last_success_at
        # Escaped: a folder named "news [2025]" is that folder, not a pattern.
        for item in expand_inputs([glob.escape(str(root))]):
            if isinstance(item, DatelineError):
                yield IngestProblem(str(item).split(":", 1)[0], item.stage, str(item), self._now())
                continue
            if since is not None and not _changed_since(Path(item.location), since - _PATH_MTIME_SLACK):
                continue
            try:
                yield from self._work_for_input(item)
            except DatelineError as exc:
                yield self._problem(item.name, exc)

    def _work_for_opml(self, raw: RawDocument) -> Iterator[_Work]:
        yield _Unchanged(raw.source)


def _changed_since(path: Path, since: datetime) -> bool:
    """Whether PATH was written, or put in its folder (copied, moved: the inode change time), after SINCE."""
    try:
        info = path.stat()
    except OSError:
        return True  # let the reader report it
    changed = datetime.fromtimestamp(max(info.st_mtime, info.st_ctime), UTC)
    return changed >= since
