"""detect_format: content decides, names and media types only break ties."""

from __future__ import annotations

import codecs
import gzip
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from dateline.ingest.detect import detect_format, format_hint
from dateline.models import SourceFormat

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def _warc(gzipped: bool) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gzipped)
    http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
    record = writer.create_warc_record(
        "https://news.example/", "response", payload=io.BytesIO(b"<html></html>"), http_headers=http
    )
    writer.write_record(record)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("fixture", "expected"),
    [
        ("rss2_full.xml", SourceFormat.FEED),
        ("atom.xml", SourceFormat.FEED),
        ("rss091_netscape.xml", SourceFormat.FEED),
        ("rss1_rdf.xml", SourceFormat.FEED),
        ("bozo_feed.xml", SourceFormat.FEED),
        ("billion_laughs.xml", SourceFormat.FEED),
        ("subscriptions.opml", SourceFormat.OPML),
        ("articles.jsonl", SourceFormat.JSONL),
        ("page_cp1252.html", SourceFormat.HTML),
        ("page_mixed_encodings.html", SourceFormat.HTML),
        ("scrape.txt", SourceFormat.TEXT),
    ],
)
def test_fixtures_are_detected_from_content_alone(fixture: str, expected: SourceFormat) -> None:
    assert detect_format((FIXTURES / fixture).read_bytes()) is expected


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", SourceFormat.UNKNOWN),
        (b"   \n\t  ", SourceFormat.UNKNOWN),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", SourceFormat.UNKNOWN),
        (bytes(range(256)) * 8, SourceFormat.UNKNOWN),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", SourceFormat.UNKNOWN),
        (b"<!doctype html><title>x</title>", SourceFormat.HTML),
        (b"\n\n  <!-- generated -->\n<HTML><BODY>hi</BODY></HTML>", SourceFormat.HTML),
        (b"<p>Just a fragment of <b>HTML</b>.</p>", SourceFormat.HTML),
        (
            b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body/></html>',
            SourceFormat.HTML,
        ),
        (
            b'<?xml version="1.0"?>\n<?xml-stylesheet href="x.xsl"?>\n<!-- c -->\n<rss version="2.0"/>',
            SourceFormat.FEED,
        ),
        (b'<feed xmlns="http://www.w3.org/2005/Atom"></feed>', SourceFormat.FEED),
        (b'<atom:feed xmlns:atom="http://www.w3.org/2005/Atom"></atom:feed>', SourceFormat.FEED),
        (b'<?xml version="1.0"?><opml version="1.0"><body/></opml>', SourceFormat.OPML),
        (b'<?xml version="1.0"?><urlset><url/></urlset>', SourceFormat.UNKNOWN),
        (b'{"title": "a"}\n{"title": "b"}\n', SourceFormat.JSONL),
        (b'{"title": "a"}\n{broken\n{"title": "c"}\n', SourceFormat.JSONL),
        (b'{"title": "only one object"}', SourceFormat.JSONL),
        (b"[1, 2, 3]\n", SourceFormat.UNKNOWN),
        (b"{not json at all}\n{nor this}\n", SourceFormat.TEXT),
        (b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n", SourceFormat.WARC),
        (b"Breaking: prices rose 3% in November, officials said.\n", SourceFormat.TEXT),
        (b"<<< Breaking news >>> prices rose, officials said.\n", SourceFormat.TEXT),
        (b"A <b>bold</b> claim in a text scrape that is otherwise plain prose.", SourceFormat.TEXT),
        ("Le café, déjà vu — naïve.".encode("cp1252"), SourceFormat.TEXT),
        (b"1234 5678 9012 3456\n" * 20, SourceFormat.UNKNOWN),
    ],
)
def test_content_sniffing(content: bytes, expected: SourceFormat) -> None:
    assert detect_format(content) is expected


@pytest.mark.parametrize("bom_codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
def test_byte_order_marks_are_looked_through(bom_codec: str) -> None:
    text = '<?xml version="1.0"?>\n<rss version="2.0"><channel><title>t</title></channel></rss>'
    encoded = text.encode(bom_codec)
    if bom_codec == "utf-16-be":
        encoded = codecs.BOM_UTF16_BE + encoded
    assert detect_format(encoded) is SourceFormat.FEED


def test_utf16_without_bom_is_still_text() -> None:
    assert detect_format("<html><body>bonjour</body></html>".encode("utf-16-le")) is SourceFormat.HTML


def test_gzip_is_looked_inside() -> None:
    assert detect_format(gzip.compress((FIXTURES / "atom.xml").read_bytes())) is SourceFormat.FEED
    assert detect_format(gzip.compress(b"<html><body>x</body></html>")) is SourceFormat.HTML
    assert detect_format(_warc(gzipped=True)) is SourceFormat.WARC
    assert detect_format(_warc(gzipped=False)) is SourceFormat.WARC


def test_broken_gzip_is_unknown() -> None:
    assert detect_format(b"\x1f\x8b\x08\x00garbage") is SourceFormat.UNKNOWN
    assert detect_format(gzip.compress(gzip.compress(b"<html></html>"))) is SourceFormat.UNKNOWN


def test_hints_only_break_ties() -> None:
    unknown_xml = b'<?xml version="1.0"?><channelish><item/></channelish>'
    assert detect_format(unknown_xml) is SourceFormat.UNKNOWN
    assert detect_format(unknown_xml, name="news.rss") is SourceFormat.FEED
    assert detect_format(unknown_xml, media_type="text/x-opml; charset=utf-8") is SourceFormat.OPML
    # Content wins over a misleading name.
    rss = (FIXTURES / "rss2_full.xml").read_bytes()
    assert detect_format(rss, name="page.html", media_type="text/html") is SourceFormat.FEED
    # A text scrape that quotes a few tags stays text when the name says so.
    scrape = b"Some prose <p> with </p> stray <br> tags from a copy and paste of the page."
    assert detect_format(scrape) is SourceFormat.HTML
    assert detect_format(scrape, name="article.txt") is SourceFormat.TEXT


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        ("a.html", None, SourceFormat.HTML),
        ("A.HTM", None, SourceFormat.HTML),
        ("crawl.warc.gz", None, SourceFormat.WARC),
        ("out.jsonl.gz", None, SourceFormat.JSONL),
        ("subs.opml", None, SourceFormat.OPML),
        ("feed.xml", None, None),
        (None, "application/atom+xml", SourceFormat.FEED),
        (None, "TEXT/HTML; charset=UTF-8", SourceFormat.HTML),
        (None, "application/octet-stream", None),
        (None, None, None),
    ],
)
def test_format_hint(name: str | None, media_type: str | None, expected: SourceFormat | None) -> None:
    assert format_hint(name=name, media_type=media_type) is expected


@settings(max_examples=300, deadline=None)
@given(
    content=st.binary(max_size=2048),
    name=st.one_of(st.none(), st.sampled_from(["a.html", "b.txt", "c.rss", "d.warc.gz", "e.jsonl", "f"])),
    media_type=st.one_of(st.none(), st.text(max_size=40)),
)
def test_detect_never_raises(content: bytes, name: str | None, media_type: str | None) -> None:
    assert isinstance(detect_format(content, name=name, media_type=media_type), SourceFormat)


@settings(max_examples=150, deadline=None)
@given(
    prefix=st.sampled_from(
        [b"", b"\xef\xbb\xbf", b"<?xml version='1.0'?>", b"<!--", b"<!DOCTYPE x [", b"{", b"\x1f\x8b"]
    ),
    body=st.binary(max_size=512),
)
def test_detect_never_raises_on_near_misses(prefix: bytes, body: bytes) -> None:
    assert isinstance(detect_format(prefix + body), SourceFormat)
