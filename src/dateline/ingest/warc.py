"""Web archives (``.warc``, ``.warc.gz``) into ``RawDocument`` records, one per archived page.

Only successful responses (and resource records) whose payload is HTML or
text are kept; requests, metadata, revisits, redirects, error pages and
binary payloads are skipped.  A truncated or corrupt archive yields every
record it could read and then raises ``ParseError``, so the caller keeps the
good records and logs the problem.
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.limitreader import LimitReader

from dateline.errors import DatelineError, ParseError
from dateline.ingest.decode import GZIP_MAGIC
from dateline.ingest.detect import detect_format
from dateline.models import DocumentHints, RawDocument, SourceFormat

DEFAULT_MAX_RECORD_BYTES = 50 * 1024 * 1024
_DRAIN_CHUNK = 64 * 1024

_TEXT_MEDIA_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_BINARY_MEDIA_PREFIXES = ("image/", "audio/", "video/", "font/")


def _media_essence(media_type: str | None) -> str | None:
    if not media_type:
        return None
    essence = media_type.split(";", 1)[0].strip().lower()
    return essence or None


def _warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _target_uri(value: str | None) -> str | None:
    if not value:
        return None
    # WARC 1.1 examples wrap the URI in angle brackets; some writers copied that.
    uri = value.strip().removeprefix("<").removesuffix(">").strip()
    return uri or None


def _is_text_payload(media_type: str | None, payload: bytes) -> bool:
    essence = _media_essence(media_type)
    if essence in _TEXT_MEDIA_TYPES:
        return True
    if essence is None or essence == "application/octet-stream":
        # No usable Content-Type: trust the bytes.
        return detect_format(payload) in {SourceFormat.HTML, SourceFormat.TEXT}
    return False


class _GzipWatch:
    """A pass-through reader that follows the gzip members it hands to warcio.

    warcio stops quietly at the end of a truncated ``.warc.gz``; this notices
    when the bytes run out inside a gzip member.  Output is discarded in
    bounded chunks, so a bomb costs CPU time but not memory.
    """

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream
        self._decompressor: Any = None
        self._started = False
        self._watching = True
        self.truncated = False
        self.corrupt: str | None = None

    def tell(self) -> int:
        return int(self._stream.tell())

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        if self._watching:
            self._watch(data)
        return data

    def _watch(self, data: bytes) -> None:
        if not self._started:
            self._started = True
            if not data.startswith(GZIP_MAGIC):
                self._watching = False
                return
            self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        if not data:
            self.truncated = not self._decompressor.eof and self._seen_member_data
            self._watching = False
            return
        pending = data
        try:
            while pending:
                if self._decompressor.eof:
                    if not pending.startswith(GZIP_MAGIC[: len(pending)]):
                        self._watching = False  # trailing padding or garbage: warcio decides
                        return
                    self._decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._seen_member_data = True
                self._decompressor.decompress(pending, _DRAIN_CHUNK)
                while self._decompressor.unconsumed_tail and not self._decompressor.eof:
                    self._decompressor.decompress(self._decompressor.unconsumed_tail, _DRAIN_CHUNK)
                pending = self._decompressor.unused_data if self._decompressor.eof else b""
        except zlib.error as exc:
            self.corrupt = str(exc)
            self._watching = False

    _seen_member_data = False


def _is_truncated(record: Any) -> bool:
    """Read the rest of the record; True when the archive ended before the record's declared length."""
    raw = record.raw_stream
    while raw.read(_DRAIN_CHUNK):
        pass
    return isinstance(raw, LimitReader) and raw.limit > 0


def _status(record: Any) -> int | None:
    headers = record.http_headers
    if headers is None:
        return None
    try:
        return int(str(headers.get_statuscode()))
    except (TypeError, ValueError):
        return None


def iter_warc(
    content_or_stream: bytes | IO[bytes],
    *,
    source: str | None = None,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    on_skipped: Callable[[str, str], None] | None = None,
) -> Iterator[RawDocument]:
    """Yield one ``RawDocument`` per archived HTML/text page, in archive order.

    ``source`` names the archive (a path); each document's source is
    ``source#target-uri``.  Records over ``max_record_bytes`` are skipped and
    reported to ``on_skipped(record_source, reason)`` when given.  Raises
    ``ParseError`` after the last good record when the archive is truncated,
    corrupt or not a WARC at all.
    """
    if isinstance(content_or_stream, bytes | bytearray | memoryview):
        if len(content_or_stream) <= 1024 and not bytes(content_or_stream).strip():
            raise ParseError("WARC archive is empty")
        stream: IO[bytes] = io.BytesIO(content_or_stream)
    else:
        stream = content_or_stream
    watch = _GzipWatch(stream)
    records_read = 0
    try:
        for record in ArchiveIterator(watch):
            records_read += 1
            if record.format != "warc":
                raise ParseError("not a WARC archive (the first line is not a WARC/1.x header)")
            document = _document_from(record, source, max_record_bytes, on_skipped)
            if not isinstance(record.raw_stream, LimitReader):
                raise ParseError(
                    f"WARC archive is corrupt or truncated: record {records_read} has no valid Content-Length"
                )
            if _is_truncated(record):
                raise ParseError(
                    f"WARC archive is truncated: record {records_read} "
                    f"({_target_uri(record.rec_headers.get_header('WARC-Target-URI')) or 'no target URI'}) "
                    "ends before its Content-Length"
                )
            if document is not None:
                yield document
    except DatelineError:
        raise
    except Exception as exc:  # warcio raises assorted errors (and AttributeErrors) on corrupt input
        if isinstance(exc, ArchiveLoadFailed | EOFError | zlib.error):
            detail = " ".join(str(exc).split())[:200] or type(exc).__name__
        else:
            detail = f"unreadable record header ({type(exc).__name__})"
        where = f"after {records_read} record{'s' if records_read != 1 else ''}"
        raise ParseError(f"WARC archive is corrupt or truncated {where}: {detail}") from None
    if watch.corrupt is not None:
        raise ParseError(f"WARC archive has corrupt gzip data after {records_read} records: {watch.corrupt}")
    if watch.truncated:
        raise ParseError(
            f"WARC archive is truncated: the gzip data ends inside a record (after {records_read} records)"
        )
    if records_read == 0:
        raise ParseError("not a WARC archive (no records found)")


def _document_from(
    record: Any,
    source: str | None,
    max_record_bytes: int,
    on_skipped: Callable[[str, str], None] | None,
) -> RawDocument | None:
    if record.rec_type not in {"response", "resource"}:
        return None
    uri = _target_uri(record.rec_headers.get_header("WARC-Target-URI"))
    if uri is None:
        return None
    if record.rec_type == "response":
        status = _status(record)
        if status is None or not 200 <= status < 300:
            return None
        media_type = record.http_headers.get_header("Content-Type")
    else:
        media_type = record.rec_headers.get_header("Content-Type")
    record_source = f"{source}#{uri}" if source else uri
    essence = _media_essence(media_type)
    if essence is not None and essence.startswith(_BINARY_MEDIA_PREFIXES):
        return None
    payload = record.content_stream().read(max_record_bytes + 1)
    if len(payload) > max_record_bytes:
        if on_skipped is not None:
            on_skipped(record_source, f"archived page is over the {max_record_bytes:,}-byte limit")
        return None
    if not payload.strip() or not _is_text_payload(media_type, payload):
        return None
    return RawDocument(
        source=record_source,
        content=payload,
        media_type=media_type,
        fetched_at=_warc_date(record.rec_headers.get_header("WARC-Date")),
        context_hints=DocumentHints(url=uri),
        identity=f"warc:{uri}",
    )
