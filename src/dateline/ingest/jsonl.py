"""JSON Lines in our own output contract: one article object per line.

Reading never stops at a bad line: ``iter_jsonl_records`` yields a
``ParseErrorItem`` (line number and message) in its place and goes on.
``record_to_parts`` then validates one record and normalises it into the
hints, paragraphs, captions and identity the pipeline builds an article from.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from dateline.errors import ParseError
from dateline.ingest.decode import bom_encoding
from dateline.models import (
    UNKNOWN_DATE,
    Caption,
    DateOrigin,
    DatePrecision,
    DocumentHints,
    IngestProblem,
    PublishedDate,
)

_BLANK_LINE_RE = re.compile(r"\n[ \t\r\f\v]*\n")
_YEAR_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$|^\d{8}$")


@dataclass(frozen=True, slots=True)
class ParseErrorItem:
    """A JSONL line that could not be read, yielded in its place so the other lines still load."""

    source: str
    line: int  # 1-based
    message: str

    def to_problem(self, at: datetime | None = None) -> IngestProblem:
        return IngestProblem(source=f"{self.source}:{self.line}", stage="parse", message=self.message, at=at)


def _describe(value: object) -> str:
    if isinstance(value, list):
        return "a JSON array"
    if isinstance(value, str):
        return "a JSON string"
    if isinstance(value, bool):
        return "a JSON boolean"
    if isinstance(value, int | float):
        return "a JSON number"
    if value is None:
        return "JSON null"
    return type(value).__name__


def iter_jsonl_records(content: bytes, *, source: str) -> Iterator[dict[str, Any] | ParseErrorItem]:
    """Yield each non-blank line as a dict, or a ``ParseErrorItem`` for a line that is not a JSON object."""
    codec, bom_length = bom_encoding(content)
    if codec is not None and codec != "utf-8":
        # A UTF-16/32 file: re-encode once so lines can be split on b"\n".
        content = content[bom_length:].decode(codec, errors="replace").encode("utf-8")
    elif codec == "utf-8":
        content = content[bom_length:]
    for number, raw_line in enumerate(content.split(b"\n"), start=1):
        line = raw_line.strip()
        if not line:
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield ParseErrorItem(source, number, f"line {number} is not valid UTF-8 (byte {exc.start + 1})")
            continue
        try:
            value = json.loads(text)
        except json.JSONDecodeError as exc:
            yield ParseErrorItem(
                source, number, f"line {number} is not valid JSON: {exc.msg} at column {exc.colno}"
            )
            continue
        except (RecursionError, ValueError) as exc:
            yield ParseErrorItem(source, number, f"line {number} is not valid JSON: {type(exc).__name__}")
            continue
        if not isinstance(value, dict):
            yield ParseErrorItem(
                source, number, f"line {number} is {_describe(value)}, expected an article object"
            )
            continue
        yield value


def _optional_string(record: Mapping[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(f"field '{key}' must be a string, not {_describe(value)}")
    return value.strip() or None


def _authors(record: Mapping[str, Any]) -> tuple[str, ...]:
    value = record.get("authors")
    if value is None:
        value = record.get("author")
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ParseError(f"field 'authors' must be a list of names, not {_describe(value)}")
    names: list[str] = []
    for item in value:
        if not isinstance(item, str):
            raise ParseError(f"field 'authors' must hold names (strings), not {_describe(item)}")
        name = " ".join(item.split())
        if name and name not in names:
            names.append(name)
    return tuple(names)


# Other exports name the date otherwise; the first present key wins.
PUBLISHED_KEYS = ("published_at", "published", "date")


def _published(record: Mapping[str, Any]) -> PublishedDate:
    key = next((k for k in PUBLISHED_KEYS if record.get(k) is not None), "published_at")
    raw = _optional_string(record, key)
    if raw is None:
        return UNKNOWN_DATE
    precision_label = _optional_string(record, "published_precision")
    declared: DatePrecision | None = None
    if precision_label is not None:
        try:
            declared = DatePrecision(precision_label.lower())
        except ValueError:
            choices = ", ".join(p.value for p in DatePrecision)
            raise ParseError(
                f"field 'published_precision' is {precision_label!r}; expected one of {choices}"
            ) from None
    if _YEAR_MONTH_RE.match(raw):
        inferred = DatePrecision.MONTH
        candidate = raw + "-01"
    elif _DATE_ONLY_RE.match(raw):
        inferred = DatePrecision.DAY
        candidate = raw
    else:
        inferred = DatePrecision.DATETIME
        candidate = raw.replace("Z", "+00:00").replace("z", "+00:00")
    try:
        value = datetime.fromisoformat(candidate)
    except ValueError:
        raise ParseError(f"field '{key}' is {raw[:60]!r}, not an ISO 8601 date") from None
    # A declared precision wins (a day-precise date stored as midnight UTC stays a day).
    precision = inferred if declared is None or declared is DatePrecision.UNKNOWN else declared
    return PublishedDate(value=value, precision=precision, origin=DateOrigin.INPUT)


def _paragraphs(record: Mapping[str, Any]) -> tuple[str, ...]:
    value = record.get("paragraphs")
    if value is not None:
        if not isinstance(value, list):
            raise ParseError(f"field 'paragraphs' must be a list of strings, not {_describe(value)}")
        paragraphs: list[str] = []
        for item in value:
            if not isinstance(item, str):
                raise ParseError(f"field 'paragraphs' must hold strings, not {_describe(item)}")
            if item.strip():
                paragraphs.append(item.strip())
        if paragraphs:
            return tuple(paragraphs)
    text = _optional_string(record, "text")
    if text is None:
        return ()
    parts = _BLANK_LINE_RE.split(text.replace("\r\n", "\n"))
    return tuple(" ".join(part.split()) for part in parts if part.strip())


def _captions(record: Mapping[str, Any]) -> tuple[Caption, ...]:
    value = record.get("captions")
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ParseError(f"field 'captions' must be a list, not {_describe(value)}")
    captions: list[Caption] = []
    for item in value:
        text: object
        credit: object
        if isinstance(item, str):
            text, credit = item, None
        elif isinstance(item, dict):
            text = item.get("text")
            credit = item.get("credit")
        else:
            raise ParseError(
                f"field 'captions' must hold strings or {{text, credit}} objects, not {_describe(item)}"
            )
        if not isinstance(text, str):
            raise ParseError(f"a caption's 'text' must be a string, not {_describe(text)}")
        if credit is not None and not isinstance(credit, str):
            raise ParseError(f"a caption's 'credit' must be a string, not {_describe(credit)}")
        cleaned = " ".join(text.split())
        if cleaned:
            captions.append(Caption(text=cleaned, credit=(credit.strip() or None) if credit else None))
    return tuple(captions)


def _identity(record: Mapping[str, Any], url: str | None) -> str | None:
    if url is not None:
        return url
    value = record.get("id")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return value.strip() or None
    raise ParseError(f"field 'id' must be a string, not {_describe(value)}")


def record_to_parts(
    record: Mapping[str, Any],
) -> tuple[DocumentHints, tuple[str, ...], tuple[Caption, ...], str | None]:
    """Validate one JSONL record: its hints, paragraphs, captions and identity (url, else id).

    Paragraphs come from ``paragraphs`` or else ``text`` split on blank lines;
    the date from ``published_at`` with ``published_precision`` (inferred from
    the string when absent).  Raises ``ParseError`` naming the offending field.
    """
    if not isinstance(record, Mapping):
        raise ParseError(f"record must be a JSON object, not {_describe(record)}")
    url = _optional_string(record, "url")
    hints = DocumentHints(
        url=url,
        outlet=_optional_string(record, "outlet"),
        via=_optional_string(record, "via"),
        title=_optional_string(record, "title"),
        authors=_authors(record),
        section=_optional_string(record, "section"),
        standfirst=_optional_string(record, "standfirst"),
        published=_published(record),
        language=_optional_string(record, "language"),
    )
    return hints, _paragraphs(record), _captions(record), _identity(record, url)
