"""Fuzz target: iter_warc raises only ParseError, plain or gzipped."""

from __future__ import annotations

import io

from _harness import instrumented, run

with instrumented():
    from dateline.errors import ParseError
    from dateline.ingest.warc import iter_warc


def _seed_archives() -> list[bytes]:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    archives = []
    for gzipped in (False, True):
        buffer = io.BytesIO()
        writer = WARCWriter(buffer, gzip=gzipped)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        record = writer.create_warc_record(
            "https://fuzz.example/",
            "response",
            payload=io.BytesIO(b"<html><p>seed</p></html>"),
            http_headers=http,
        )
        writer.write_record(record)
        archives.append(buffer.getvalue())
    return archives


def test_one_input(data: bytes) -> None:
    try:
        for _document in iter_warc(data):
            pass
    except ParseError:
        pass


if __name__ == "__main__":
    run(test_one_input, _seed_archives())
