"""RSS and Atom feeds into ``FeedEntry`` records, with feedparser doing the format zoo.

Feed bytes come from strangers, so before feedparser sees them we refuse any
document that declares XML entities (billion laughs, external entities,
parameter entities), checked with defusedxml on exactly the bytes feedparser
will parse.  Malformed ("bozo") feeds are salvaged when feedparser still found
entries in them.
"""

from __future__ import annotations

import hashlib
import html
import io
import re
import time
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit
from xml.etree.ElementTree import ParseError as XMLSyntaxError

import feedparser
from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser
from feedparser.encodings import convert_to_utf8

from dateline.errors import ParseError
from dateline.ingest.decode import bom_encoding, utf16_without_bom
from dateline.models import (
    DateOrigin,
    DatePrecision,
    DocumentHints,
    FeedEntry,
    PublishedDate,
    RawDocument,
)

# A teaser is shorter than this (in words) or ends with one of the markers below.
COMPLETE_ENTRY_MIN_WORDS = 150
# Past this many words an entry is the article even when a "Continue reading" link follows it.
COMPLETE_ENTRY_LONG_WORDS = 400

_TEASER_ENDINGS_RE = re.compile(
    r"(?:…|\.\.\.|\[…\]|\[\.\.\.\]|\(more…?\)|read more|continue reading|read the full (?:story|article)"
    r"|full story|more\s*»|»|→)\W*$",
    re.IGNORECASE,
)
_TAG_RE = re.compile(r"<[^>]*>")
_BLOCK_TAG_RE = re.compile(r"</?(?:p|div|br|li|h[1-6]|blockquote|tr)\b[^>]*>", re.IGNORECASE)
_TIME_OF_DAY_RE = re.compile(r"\d{1,2}:\d{2}")
_ISO_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")
_EMAIL_RE = re.compile(r"[^\s@()<>]+@[^\s@()<>]+")
_EMAIL_THEN_NAME_RE = re.compile(r"^[^\s@()<>]+@[^\s@()<>]+\s*\((?P<name>[^()]+)\)$")
_NAME_THEN_EMAIL_RE = re.compile(r"^(?P<name>[^<>()@]+?)\s*[<(][^\s@()<>]+@[^\s@()<>]+[>)]$")
_XML_DECLARATION_ENCODING_RE = re.compile(r"""(^\s*<\?xml[^>]*?encoding\s*=\s*["'])[^"']*(["'])""")
_ENTITY_DECLARATION_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)


class _RootReached(Exception):
    """Raised by the prolog scanner at the first element: everything dangerous comes before it."""


class _StopAtRoot:
    def start(self, tag: str, attrs: Mapping[str, str]) -> None:
        raise _RootReached

    def close(self) -> None:
        return None


def refuse_entity_declarations(data: bytes, *, what: str = "feed") -> None:
    """Raise ``ParseError`` when an XML document declares entities (expansion bombs, XXE).

    Only the prolog is parsed (entities can only be declared before the root
    element).  When the prolog itself is not well-formed, any ``<!ENTITY``
    anywhere in the bytes is refused, since a lenient parser may still honour it.
    """
    parser = DefusedXMLParser(
        target=_StopAtRoot(), forbid_dtd=False, forbid_entities=True, forbid_external=True
    )
    try:
        parser.feed(data)
        parser.close()
    except _RootReached:
        return
    except DefusedXmlException:
        raise ParseError(
            f"{what} declares XML entities in its DOCTYPE (an entity-expansion or external-entity "
            "attack, or a very unusual feed); refused"
        ) from None
    except (XMLSyntaxError, ValueError, LookupError):
        pass
    # NULs removed too, so UTF-16 that slipped past the conversion is still caught.
    if _ENTITY_DECLARATION_RE.search(data) or _ENTITY_DECLARATION_RE.search(data.replace(b"\x00", b"")):
        raise ParseError(f"{what} is malformed XML that declares entities; refused")


def _text_of(value: str | None, content_type: str | None = None) -> str | None:
    """Plain text of a feed field: tags stripped when the field is HTML, whitespace collapsed."""
    if value is None:
        return None
    if content_type is None or "html" in content_type:
        value = html.unescape(_TAG_RE.sub(" ", value))
    collapsed = " ".join(value.split())
    return collapsed or None


def _as_html(value: str | None, content_type: str | None) -> str | None:
    """A feed field as HTML: HTML fields as given, plain-text fields escaped into paragraphs."""
    if value is None or not value.strip():
        return None
    if content_type and "html" not in content_type:
        paragraphs = [p.strip() for p in re.split(r"\n\s*\n", value) if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs) or None
    return value.strip()


def html_to_text(fragment: str) -> str:
    """Visible text of an HTML fragment, one space between words (for word counts and hashing)."""
    text = _BLOCK_TAG_RE.sub("\n", fragment)
    text = html.unescape(_TAG_RE.sub(" ", text))
    return " ".join(text.split())


def _published(raw: str | None, parsed: time.struct_time | None) -> PublishedDate:
    """A feed date, keeping the feed's own UTC offset when the string parses directly."""
    raw = (raw or "").strip()
    has_time = bool(_TIME_OF_DAY_RE.search(raw))
    value: datetime | None = None
    if raw:
        if _ISO_DATE_ONLY_RE.match(raw):
            try:
                value = datetime.fromisoformat(raw)
            except ValueError:
                value = None
        else:
            try:
                value = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
            except ValueError:
                try:
                    value = parsedate_to_datetime(raw)
                except (TypeError, ValueError, IndexError, OverflowError, AttributeError):
                    value = None
    if value is None and parsed is not None:
        try:
            value = datetime(*parsed[:6], tzinfo=UTC)
        except (TypeError, ValueError, OverflowError):
            value = None
        if value is not None and not has_time:
            value = value.replace(tzinfo=None)
    if value is None:
        return PublishedDate()
    if not has_time:
        value = value.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
        precision = DatePrecision.MONTH if _YEAR_MONTH_RE.match(raw) else DatePrecision.DAY
        return PublishedDate(value=value, precision=precision, origin=DateOrigin.FEED)
    return PublishedDate(value=value, precision=DatePrecision.DATETIME, origin=DateOrigin.FEED)


def _author_name(value: str) -> str | None:
    """A person's name from an RSS author field: "news@x.example (Ana Silva)" gives "Ana Silva"."""
    text = _text_of(value, "text/plain")
    if text is None:
        return None
    match = _EMAIL_THEN_NAME_RE.match(text) or _NAME_THEN_EMAIL_RE.match(text)
    if match is not None:
        text = match.group("name").strip()
    if _EMAIL_RE.fullmatch(text):
        return None  # a bare address is not a byline
    return text or None


def _authors(entry: Mapping[str, Any]) -> tuple[str, ...]:
    names: list[str] = []
    raw_author = entry.get("author")
    if isinstance(raw_author, str) and "@" in raw_author:
        # feedparser 6.0 mangles "address (Name)" when the address has a long TLD; read it ourselves.
        names.append(raw_author)
    else:
        for author in entry.get("authors") or ():
            name = author.get("name") if isinstance(author, Mapping) else None
            if isinstance(name, str):
                names.append(name)
        if not names and isinstance(raw_author, str):
            names.append(raw_author)
    cleaned: list[str] = []
    for name in names:
        text = _author_name(name)
        if text and text not in cleaned:
            cleaned.append(text)
    return tuple(cleaned)


def _content_html(entry: Mapping[str, Any]) -> str | None:
    best: str | None = None
    for item in entry.get("content") or ():
        if not isinstance(item, Mapping):
            continue
        value = _as_html(item.get("value"), item.get("type"))
        if value and (best is None or len(value) > len(best)):
            best = value
    return best


def _detail_type(entry: Mapping[str, Any], key: str) -> str | None:
    detail = entry.get(f"{key}_detail")
    if isinstance(detail, Mapping):
        value = detail.get("type")
        return value if isinstance(value, str) else None
    return None


def _string(entry: Mapping[str, Any], key: str) -> str | None:
    value = entry.get(key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _summary_type(entry: Mapping[str, Any]) -> str | None:
    """The summary's content type; feedparser copies Atom content into summary without a detail."""
    declared = _detail_type(entry, "summary")
    if declared is not None:
        return declared
    summary = entry.get("summary")
    for item in entry.get("content") or ():
        if isinstance(item, Mapping) and item.get("value") == summary and isinstance(item.get("type"), str):
            return str(item["type"])
    return None


def _web_link(value: str | None) -> str | None:
    """An absolute http(s) link, or None (feedparser passes a non-URL guid through as the link)."""
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme.lower() in {"http", "https"} and parts.netloc:
        return value
    return None


def _plain_value(entry: Mapping[str, Any], key: str) -> Any:
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _plain(entry: Mapping[str, Any], key: str) -> str | None:
    value = _plain_value(entry, key)
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def _entry_from(raw: Mapping[str, Any], *, feed_url: str, feed_title: str | None) -> FeedEntry | None:
    link = _web_link(_string(raw, "link"))
    title = _text_of(_string(raw, "title"), _detail_type(raw, "title"))
    summary = _as_html(_string(raw, "summary"), _summary_type(raw))
    content_html = _content_html(raw)
    entry_id = _string(raw, "id") or link
    if entry_id is None:
        basis = "\n".join(part or "" for part in (title, summary, content_html))
        if not basis.strip():
            return None  # nothing to identify or read
        entry_id = "sha256:" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:32]
    # Plain dict lookups: FeedParserDict maps a missing "published" to "updated" with a warning.
    published = _published(_plain(raw, "published"), _plain_value(raw, "published_parsed"))
    if not published.known:
        published = _published(_plain(raw, "updated"), _plain_value(raw, "updated_parsed"))
    return FeedEntry(
        feed_url=feed_url,
        entry_id=entry_id,
        link=link,
        title=title,
        authors=_authors(raw),
        published=published,
        summary=summary,
        content_html=content_html,
        feed_title=feed_title,
    )


def _utf8_from_wide(content: bytes) -> bytes:
    """UTF-16/32 feeds re-encoded as UTF-8 (feedparser 6.0 mishandles some), other bytes unchanged."""
    codec, bom_length = bom_encoding(content)
    if codec is None:
        codec = utf16_without_bom(content[:4096])
    if codec is None or codec == "utf-8":
        return content
    text = content[bom_length:].decode(codec, errors="replace")
    text = _XML_DECLARATION_ENCODING_RE.sub(r"\1utf-8\2", text, count=1)
    return text.encode("utf-8")


def parse_feed(content: bytes, *, feed_url: str) -> tuple[str | None, list[FeedEntry]]:
    """The feed's title and its entries, in feed order, one per distinct entry id.

    Raises ``ParseError`` for empty input, entity-declaring XML and documents
    that are not a feed; a malformed feed that still yields entries is salvaged.
    """
    if not content.strip():
        raise ParseError("feed is empty")
    conversion: dict[str, Any] = {}
    try:
        data = convert_to_utf8({}, _utf8_from_wide(content), conversion)
    except (LookupError, ValueError) as exc:
        raise ParseError(f"feed has an unusable character encoding: {exc}") from None
    refuse_entity_declarations(data)
    try:
        parsed = feedparser.parse(
            io.BytesIO(data),
            response_headers={"content-location": feed_url, "content-type": "application/xml"},
        )
    except Exception as exc:  # feedparser's lenient parsers raise assorted errors on pathological input
        raise ParseError(f"feed could not be parsed: {type(exc).__name__}: {_one_line(exc)}") from None
    raw_entries = parsed.get("entries") or []
    feed_info = parsed.get("feed") or {}
    feed_title = _text_of(_string(feed_info, "title"), _detail_type(feed_info, "title"))
    if not raw_entries:
        if not parsed.get("version"):
            problem = parsed.get("bozo_exception")
            detail = f" ({_one_line(problem)})" if problem else ""
            raise ParseError(f"not an RSS or Atom feed{detail}")
        _refuse_if_malformed(parsed)
        return feed_title, []
    entries: list[FeedEntry] = []
    seen: set[str] = set()
    for raw in raw_entries:
        entry = _entry_from(raw, feed_url=feed_url, feed_title=feed_title)
        if entry is None or entry.entry_id in seen:
            continue
        seen.add(entry.entry_id)
        entries.append(entry)
    if not entries:
        _refuse_if_malformed(parsed)
    return feed_title, entries


def _refuse_if_malformed(parsed: Mapping[str, Any]) -> None:
    """A malformed feed that yielded nothing readable is an error, not an empty feed."""
    if parsed.get("bozo"):
        problem = parsed.get("bozo_exception")
        detail = f": {_one_line(problem)}" if problem else ""
        raise ParseError(f"malformed feed with no readable entries{detail}")


def _one_line(problem: object) -> str:
    return " ".join(str(problem).split())[:200]


def entry_is_complete(entry: FeedEntry) -> bool:
    """True when the entry carries the whole article, False for a teaser worth fetching the page for.

    Complete means at least ~150 words that do not end in a teaser marker
    ("…", "[…]", "Read more", "Continue reading"), or so long (400+ words)
    that a trailing "Continue reading" link is just decoration.
    """
    body = entry.content_html or entry.summary
    if not body:
        return False
    text = html_to_text(body)
    words = len(text.split())
    if words >= COMPLETE_ENTRY_LONG_WORDS:
        return True
    if words < COMPLETE_ENTRY_MIN_WORDS:
        return False
    return _TEASER_ENDINGS_RE.search(text) is None


def entry_to_raw_document(entry: FeedEntry, fetched_at: datetime | None) -> RawDocument:
    """The entry as a document for extraction: its HTML wrapped in a minimal page, hints from the feed."""
    body = entry.content_html or entry.summary or ""
    head = ['<meta charset="utf-8">']
    if entry.title:
        head.append(f"<title>{html.escape(entry.title)}</title>")
    if entry.link:
        head.append(f'<link rel="canonical" href="{html.escape(entry.link, quote=True)}">')
    page = (
        "<!DOCTYPE html>\n<html><head>"
        + "".join(head)
        + "</head><body><article>\n"
        + body
        + "\n</article></body></html>\n"
    )
    hints = DocumentHints(
        url=entry.link,
        outlet=entry.feed_title,
        title=entry.title,
        authors=entry.authors,
        published=entry.published,
    )
    return RawDocument(
        source=f"{entry.feed_url}#{entry.entry_id}",
        content=page.encode("utf-8"),
        media_type="text/html; charset=utf-8",
        fetched_at=fetched_at,
        context_hints=hints,
        identity=entry.identity(),
    )
