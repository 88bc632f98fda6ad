"""iter_warc: archived pages out, everything else skipped, corruption reported after the good records."""

from __future__ import annotations

import contextlib
import gzip
import io
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dateline.errors import ParseError
from dateline.ingest.warc import iter_warc
from dateline.models import DocumentHints

PAGE = b"<html><head><title>Storm</title></head><body><p>The storm reached the coast.</p></body></html>"


def _http(
    status: str, content_type: str | None, extra: list[tuple[str, str]] | None = None
) -> StatusAndHeaders:
    headers = [("Content-Type", content_type)] if content_type else []
    return StatusAndHeaders(status, headers + (extra or []), protocol="HTTP/1.1")


def build_warc(
    *, gzipped: bool, records: list[tuple[str, str, bytes, StatusAndHeaders | None, dict[str, str]]]
) -> bytes:
    """records: (uri, type, payload, http headers, extra WARC headers)."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    writer.write_record(writer.create_warcinfo_record("test.warc", {"software": "dateline tests"}))
    for uri, record_type, payload, http, extra in records:
        record = writer.create_warc_record(
            uri,
            record_type,
            payload=io.BytesIO(payload),
            http_headers=http,
            warc_headers_dict={"WARC-Date": "2025-11-30T12:00:00Z", **extra},
        )
        writer.write_record(record)
    return buffer.getvalue()


def standard_records() -> list[tuple[str, str, bytes, StatusAndHeaders | None, dict[str, str]]]:
    return [
        (
            "https://news.example/storm",
            "request",
            b"GET /storm HTTP/1.1\r\nHost: news.example\r\n\r\n",
            None,
            {},
        ),
        ("https://news.example/storm", "response", PAGE, _http("200 OK", "text/html; charset=utf-8"), {}),
        ("https://news.example/storm", "metadata", b"outlinks: https://news.example/", None, {}),
        (
            "https://news.example/logo.png",
            "response",
            b"\x89PNG\r\n\x1a\n" + bytes(64),
            _http("200 OK", "image/png"),
            {},
        ),
        (
            "https://news.example/old",
            "response",
            b"",
            _http("301 Moved Permanently", "text/html", [("Location", "/new")]),
            {},
        ),
        (
            "https://news.example/missing",
            "response",
            b"<html>404</html>",
            _http("404 Not Found", "text/html"),
            {},
        ),
        (
            "https://news.example/notes.txt",
            "response",
            b"Plain text notes about the storm.",
            _http("200 OK", "text/plain"),
            {},
        ),
        ("https://news.example/api", "response", b'{"json": true}', _http("200 OK", "application/json"), {}),
        ("https://news.example/sniffed", "response", PAGE, _http("200 OK", None), {}),
        ("<https://news.example/bracketed>", "resource", PAGE, None, {"Content-Type": "text/html"}),
        ("https://news.example/empty", "response", b"  ", _http("200 OK", "text/html"), {}),
    ]


@pytest.mark.parametrize("gzipped", [False, True])
def test_pages_are_yielded_and_the_rest_skipped(gzipped: bool) -> None:
    content = build_warc(gzipped=gzipped, records=standard_records())
    documents = list(iter_warc(content, source="crawl.warc"))
    assert [d.context_hints.url for d in documents] == [
        "https://news.example/storm",
        "https://news.example/notes.txt",
        "https://news.example/sniffed",
        "https://news.example/bracketed",
    ]
    storm = documents[0]
    assert storm.content == PAGE
    assert storm.media_type == "text/html; charset=utf-8"
    assert storm.identity == "warc:https://news.example/storm"
    assert storm.source == "crawl.warc#https://news.example/storm"
    assert storm.fetched_at == datetime(2025, 11, 30, 12, 0, tzinfo=UTC)
    assert storm.context_hints == DocumentHints(url="https://news.example/storm")
    assert documents[1].media_type == "text/plain"
    assert documents[2].media_type is None
    assert documents[3].media_type == "text/html"


def test_stream_input_and_no_source_name() -> None:
    content = build_warc(gzipped=True, records=standard_records()[:2])
    documents = list(iter_warc(io.BytesIO(content)))
    assert [d.source for d in documents] == ["https://news.example/storm"]


def test_chunked_and_gzip_encoded_payloads_are_decoded() -> None:
    body = gzip.compress(PAGE)
    chunked = f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    http = _http("200 OK", "text/html", [("Content-Encoding", "gzip"), ("Transfer-Encoding", "chunked")])
    content = build_warc(
        gzipped=False, records=[("https://news.example/chunked", "response", chunked, http, {})]
    )
    (document,) = iter_warc(content)
    assert document.content == PAGE


def test_oversized_records_are_skipped_and_reported() -> None:
    big = b"<html><body>" + b"x" * 5000 + b"</body></html>"
    records: list[tuple[str, str, bytes, StatusAndHeaders | None, dict[str, str]]] = [
        ("https://news.example/big", "response", big, _http("200 OK", "text/html"), {}),
        ("https://news.example/small", "response", PAGE, _http("200 OK", "text/html"), {}),
    ]
    skipped: list[tuple[str, str]] = []
    documents = list(
        iter_warc(
            build_warc(gzipped=True, records=records),
            max_record_bytes=1000,
            on_skipped=lambda *a: skipped.append(a),
        )
    )
    assert [d.context_hints.url for d in documents] == ["https://news.example/small"]
    assert skipped == [("https://news.example/big", "archived page is over the 1,000-byte limit")]


@pytest.mark.parametrize("gzipped", [False, True])
def test_truncated_archive_yields_good_records_then_raises(gzipped: bool) -> None:
    content = build_warc(gzipped=gzipped, records=standard_records())
    yielded: list[str] = []
    with pytest.raises(ParseError, match="truncated") as info:
        for document in iter_warc(content[: int(len(content) * 0.6)]):
            yielded.append(document.source)
    assert yielded[0] == "https://news.example/storm"
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"\n\n", "empty"),
        (b"This is not an archive at all.\n", "not a WARC archive"),
        (b"\x1f\x8b\x08\x00garbage-after-a-gzip-header", "truncated|corrupt|not a WARC"),
        (b"WARC/1.0\r\nWARC-Type: response\r\n\r\n", "unreadable record header|no valid Content-Length"),
        (b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\nshort", "truncated"),
        (gzip.compress(b"just some gzipped text"), "corrupt or truncated|not a WARC"),
    ],
)
def test_malformed_archives_raise_parse_error(content: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        list(iter_warc(content))
    assert "\n" not in str(info.value)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_only_raise_parse_error(content: bytes) -> None:
    for candidate in (content, b"WARC/1.0\r\n" + content, b"\x1f\x8b" + content):
        try:
            for document in iter_warc(candidate):
                assert document.identity is not None
        except ParseError as exc:
            assert "\n" not in str(exc)


_SMALL_ARCHIVES = {
    gzipped: build_warc(gzipped=gzipped, records=standard_records()[:3]) for gzipped in (False, True)
}


@settings(max_examples=200, deadline=None)
@given(gzipped=st.booleans(), fraction=st.floats(min_value=0, max_value=1), flip=st.integers(0, 255))
def test_truncated_or_flipped_archives_only_raise_parse_error(
    gzipped: bool, fraction: float, flip: int
) -> None:
    archive = _SMALL_ARCHIVES[gzipped]
    cut = int(len(archive) * fraction)
    candidates = [archive[:cut]]
    if cut < len(archive):
        corrupted = bytearray(archive)
        corrupted[cut] ^= flip or 1
        candidates.append(bytes(corrupted))
    for candidate in candidates:
        with contextlib.suppress(ParseError):
            list(iter_warc(candidate))
