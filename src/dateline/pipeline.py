"""The one module that wires the pure stages to the store: the use cases the CLI, web app and scheduler call.

Reading, detecting and parsing containers happen here in the main process; extraction
(the CPU-heavy part) runs in a process pool; every write goes through the store's single
writer in small transactions, so Ctrl-C leaves a consistent store and a re-run resumes
where it stopped (already-stored inputs are recognised by their bytes and skipped).
"""

from __future__ import annotations

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
    SourceFormat,
    StoryDelta,
    StorySynthesis,
    TimelineEntry,
)
from dateline.settings import Settings
from dateline.store import SqliteStore

if TYPE_CHECKING:
    from dateline.cluster.features import Embed
    from dateline.ingest.fetch import Fetcher

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
