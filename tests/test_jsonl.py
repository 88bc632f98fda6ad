"""iter_jsonl_records and record_to_parts: bad lines are reported, never fatal."""

from __future__ import annotations

import codecs
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import ParseError
from dateline.ingest.jsonl import ParseErrorItem, iter_jsonl_records, record_to_parts
from dateline.models import (
    Article,
    Caption,
    DateOrigin,
    DatePrecision,
    IngestProblem,
    PublishedDate,
    SourceFormat,
)

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"


def test_fixture_lines_and_errors() -> None:
    items = list(iter_jsonl_records((FIXTURES / "articles.jsonl").read_bytes(), source="articles.jsonl"))
    records = [item for item in items if isinstance(item, dict)]
    errors = [item for item in items if isinstance(item, ParseErrorItem)]
    assert [r["id"] for r in records] == ["a1", "a2", "a4", "a6"]
    assert [(e.line, e.message) for e in errors] == [
        (4, "line 4 is not valid JSON: Expecting value at column 50"),
        (5, "line 5 is a JSON array, expected an article object"),
        (6, "line 6 is a JSON string, expected an article object"),
        (8, "line 8 is not valid UTF-8 (byte 27)"),
    ]
    assert errors[0].to_problem() == IngestProblem(
        source="articles.jsonl:4", stage="parse", message=errors[0].message
    )


def test_record_to_parts_full_record() -> None:
    line = (FIXTURES / "articles.jsonl").read_bytes().split(b"\n")[0]
    hints, paragraphs, captions, identity = record_to_parts(json.loads(line))
    assert hints.url == "https://wire.example/2025/11/30/storm"
    assert hints.outlet == "The Wire"
    assert hints.title == "Storm hits the coast"
    assert hints.authors == ("Ana Silva", "Tom Okafor")
    assert hints.section == "Weather"
    assert hints.standfirst == "Gales of up to 90 mph."
    assert hints.language == "en"
    assert hints.published == PublishedDate(
        datetime(2025, 11, 30, 7, 45, tzinfo=UTC), DatePrecision.DATETIME, DateOrigin.INPUT
    )
    assert paragraphs == ("The storm reached the coast overnight.", "Thousands of homes lost power.")
    assert captions == (Caption("Waves on the harbour wall", "Photo: Reuters"), Caption("A fallen tree"))
    assert identity == "https://wire.example/2025/11/30/storm"


def test_text_is_split_on_blank_lines_and_id_is_identity() -> None:
    record = {
        "id": "a2",
        "published_at": "2025-11-29",
        "text": "First paragraph\nwraps here.\n\nSecond.\n  \t\nThird.",
    }
    hints, paragraphs, captions, identity = record_to_parts(record)
    assert paragraphs == ("First paragraph wraps here.", "Second.", "Third.")
    assert hints.published == PublishedDate(datetime(2025, 11, 29), DatePrecision.DAY, DateOrigin.INPUT)
    assert captions == ()
    assert identity == "a2"


@pytest.mark.parametrize(
    ("published_at", "precision", "expected"),
    [
        (
            "2025-11-28T00:00:00Z",
            "day",
            PublishedDate(datetime(2025, 11, 28, tzinfo=UTC), DatePrecision.DAY, DateOrigin.INPUT),
        ),
        ("2025-11", None, PublishedDate(datetime(2025, 11, 1), DatePrecision.MONTH, DateOrigin.INPUT)),
        ("2025-11-28T09:30:00+05:30", "unknown", None),
        ("20251128", None, PublishedDate(datetime(2025, 11, 28), DatePrecision.DAY, DateOrigin.INPUT)),
        (None, "day", PublishedDate()),
    ],
)
def test_published_precision(
    published_at: str | None, precision: str | None, expected: PublishedDate | None
) -> None:
    hints = record_to_parts({"published_at": published_at, "published_precision": precision})[0]
    if expected is None:
        assert hints.published.precision is DatePrecision.DATETIME
        assert hints.published.value is not None and hints.published.value.utcoffset() is not None
    else:
        assert hints.published == expected


@pytest.mark.parametrize("key", ["published", "date"])
def test_published_date_aliases(key: str) -> None:
    hints = record_to_parts({key: "2020-03-17"})[0]
    assert hints.published == PublishedDate(datetime(2020, 3, 17), DatePrecision.DAY, DateOrigin.INPUT)
    # published_at wins when both are given
    both = record_to_parts({key: "2020-03-17", "published_at": "2021-01-02"})[0]
    assert both.published.value == datetime(2021, 1, 2)


def test_lenient_normalisation() -> None:
    hints, paragraphs, captions, identity = record_to_parts(
        {
            "url": "  ",
            "id": 42,
            "title": "  Spaced  ",
            "author": "Solo Writer",
            "paragraphs": ["", "  kept  "],
            "captions": [{"text": "  a  caption ", "credit": " "}, "  "],
        }
    )
    assert hints.url is None
    assert identity == "42"
    assert hints.title == "Spaced"
    assert hints.authors == ("Solo Writer",)
    assert paragraphs == ("kept",)
    assert captions == (Caption("a caption"),)


def test_empty_paragraphs_fall_back_to_text() -> None:
    assert record_to_parts({"paragraphs": [], "text": "From text."})[1] == ("From text.",)
    assert record_to_parts({})[1:] == ((), (), None)


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({"title": 5}, "field 'title' must be a string, not a JSON number"),
        ({"authors": "x", "url": ["a"]}, "field 'url' must be a string, not a JSON array"),
        ({"authors": {"name": "x"}}, "field 'authors' must be a list of names"),
        ({"authors": ["ok", 3]}, "field 'authors' must hold names"),
        ({"published_at": "yesterday"}, "field 'published_at' is 'yesterday', not an ISO 8601 date"),
        (
            {"published_at": "2025-11-30", "published_precision": "hour"},
            "expected one of datetime, day, week, month, year, unknown",
        ),
        ({"paragraphs": "one string"}, "field 'paragraphs' must be a list of strings"),
        ({"paragraphs": [1]}, "field 'paragraphs' must hold strings"),
        ({"captions": "x"}, "field 'captions' must be a list"),
        ({"captions": [3]}, "must hold strings or {text, credit} objects"),
        ({"captions": [{"text": None}]}, "a caption's 'text' must be a string"),
        ({"captions": [{"text": "t", "credit": 1}]}, "a caption's 'credit' must be a string"),
        ({"id": {"nested": True}}, "field 'id' must be a string"),
    ],
)
def test_invalid_records_name_the_field(record: dict[str, Any], message: str) -> None:
    with pytest.raises(ParseError) as info:
        record_to_parts(record)
    assert message in str(info.value)


def test_record_must_be_an_object() -> None:
    with pytest.raises(ParseError, match="must be a JSON object"):
        record_to_parts(["not", "a", "dict"])  # type: ignore[arg-type]


def test_our_own_output_reads_back() -> None:
    article = Article(
        id="x1",
        source="page.html",
        url="https://news.example/a",
        outlet="News",
        via=None,
        title="Title",
        authors=("A", "B"),
        section=None,
        standfirst="Stand",
        published_at=datetime(2025, 11, 30, 12, 0, tzinfo=UTC),
        published_precision=DatePrecision.DATETIME,
        published_origin=DateOrigin.METADATA,
        language="en",
        paragraphs=("One.", "Two."),
        captions=(Caption("Cap", "Photo: X"),),
        source_format=SourceFormat.HTML,
        ingested_at=datetime(2025, 11, 30, 13, 0, tzinfo=UTC),
        identity="https://news.example/a",
    )
    line = json.dumps(article.to_dict()).encode()
    (record,) = iter_jsonl_records(line, source="out.jsonl")
    assert isinstance(record, dict)
    hints, paragraphs, captions, identity = record_to_parts(record)
    assert (hints.title, hints.authors, hints.standfirst, hints.language) == (
        "Title",
        ("A", "B"),
        "Stand",
        "en",
    )
    assert hints.published.value == article.published_at
    assert paragraphs == article.paragraphs
    assert captions == article.captions
    assert identity == article.identity


def test_boms_crlf_and_blank_lines() -> None:
    content = codecs.BOM_UTF8 + b'{"id": 1}\r\n\r\n   \n{"id": 2}\r\n'
    assert list(iter_jsonl_records(content, source="s")) == [{"id": 1}, {"id": 2}]
    utf16 = '{"id": "é"}\n{"id": 2}\n'.encode("utf-16")
    assert list(iter_jsonl_records(utf16, source="s")) == [{"id": "é"}, {"id": 2}]


def test_deep_nesting_is_a_line_error() -> None:
    content = b"[" * 100_000 + b"\n" + b'{"id": "ok"}'
    items = list(iter_jsonl_records(content, source="s"))
    assert isinstance(items[0], ParseErrorItem) and items[0].line == 1
    assert items[1] == {"id": "ok"}


def test_empty_input_yields_nothing() -> None:
    assert list(iter_jsonl_records(b"", source="s")) == []


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_yield_records_or_line_errors(content: bytes) -> None:
    for item in iter_jsonl_records(content, source="fuzz"):
        assert isinstance(item, dict | ParseErrorItem)
        if isinstance(item, ParseErrorItem):
            assert item.line >= 1 and "\n" not in item.message


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    [
        "id",
        "url",
        "title",
        "authors",
        "author",
        "published_at",
        "published_precision",
        "paragraphs",
        "text",
        "captions",
        "language",
        "outlet",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(_FIELDS, _JSON | st.text(max_size=30), max_size=8))
def test_record_to_parts_only_raises_parse_error(record: dict[str, Any]) -> None:
    try:
        _hints, paragraphs, captions, identity = record_to_parts(record)
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(isinstance(p, str) and p for p in paragraphs)
        assert all(isinstance(c, Caption) for c in captions)
        assert identity is None or isinstance(identity, str)
