"""What is this input?  Decided from its bytes; the file name and media type only break ties.

``detect_format`` looks at a bounded prefix, so it costs the same for a 1 KB
page and a 2 GB WARC.  Gzip is looked inside (``.warc.gz``, ``page.html.gz``);
the caller decompresses with ``decode.maybe_gunzip`` or hands the stream to
the WARC reader, which reads gzip itself.
"""

from __future__ import annotations

import json
import re
import zlib
from pathlib import PurePosixPath

from dateline.ingest.decode import GZIP_MAGIC, binary_reason, bom_encoding
from dateline.models import SourceFormat

_SNIFF_BYTES = 64 * 1024
_JSONL_SAMPLE_LINES = 5
# Article lines can be long; a first line longer than this is not sniffed as JSON.
_JSONL_MAX_LINE_BYTES = 4 * 1024 * 1024

_EXTENSION_HINTS: dict[str, SourceFormat] = {
    ".html": SourceFormat.HTML,
    ".htm": SourceFormat.HTML,
    ".xhtml": SourceFormat.HTML,
    ".shtml": SourceFormat.HTML,
    ".txt": SourceFormat.TEXT,
    ".text": SourceFormat.TEXT,
    ".rss": SourceFormat.FEED,
    ".atom": SourceFormat.FEED,
    ".rdf": SourceFormat.FEED,
    ".opml": SourceFormat.OPML,
    ".jsonl": SourceFormat.JSONL,
    ".ndjson": SourceFormat.JSONL,
    ".json": SourceFormat.JSONL,
    ".warc": SourceFormat.WARC,
    ".arc": SourceFormat.WARC,
}

_MEDIA_TYPE_HINTS: dict[str, SourceFormat] = {
    "text/html": SourceFormat.HTML,
    "application/xhtml+xml": SourceFormat.HTML,
    "text/plain": SourceFormat.TEXT,
    "application/rss+xml": SourceFormat.FEED,
    "application/atom+xml": SourceFormat.FEED,
    "application/rdf+xml": SourceFormat.FEED,
    "application/x-rss+xml": SourceFormat.FEED,
    "text/x-opml": SourceFormat.OPML,
    "text/x-opml+xml": SourceFormat.OPML,
    "application/x-opml": SourceFormat.OPML,
    "application/x-opml+xml": SourceFormat.OPML,
    "text/opml": SourceFormat.OPML,
    "application/x-ndjson": SourceFormat.JSONL,
    "application/jsonl": SourceFormat.JSONL,
    "application/x-jsonlines": SourceFormat.JSONL,
    "application/json-lines": SourceFormat.JSONL,
    "application/warc": SourceFormat.WARC,
}

_WARC_RE = re.compile(rb"\A(?:\s{0,16})WARC/\d")
# Things that can come before the root element of an XML or HTML document.
_PROLOG_ITEM_RE = re.compile(
    r"""\s+|<\?.*?\?>|<!--.*?-->|<!\[CDATA\[.*?\]\]>""",
    re.DOTALL,
)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE\s+([^\s>\[]+)", re.IGNORECASE)
_ROOT_RE = re.compile(r"<([A-Za-z_][\w.:-]*)")
_FEED_ROOTS = frozenset({"rss", "feed", "rdf:rdf", "channel"})
_HTML_ROOTS = frozenset({"html", "head", "body"})
_STRONG_HTML_RE = re.compile(r"<(?:html|body|head)[\s>/]|<!doctype\s+html", re.IGNORECASE)
_HTML_TAG_RE = re.compile(
    r"</?(?:p|div|span|a|br|article|section|main|header|footer|nav|h[1-6]|ul|ol|li|table|tr|td|img|"
    r"meta|title|script|style|link|figure|figcaption|blockquote|em|strong|b|i|time)(?:\s[^<>]*)?/?>",
    re.IGNORECASE,
)
_FEED_ANYWHERE_RE = re.compile(r"<(?:rss|feed|rdf:RDF)[\s>]")


def format_hint(*, name: str | None = None, media_type: str | None = None) -> SourceFormat | None:
    """The format a file name or media type suggests (a hint only), or None when they say nothing."""
    if media_type:
        essence = media_type.split(";", 1)[0].strip().lower()
        if essence in _MEDIA_TYPE_HINTS:
            return _MEDIA_TYPE_HINTS[essence]
    if name:
        suffixes = [s.lower() for s in PurePosixPath(name.replace("\\", "/")).suffixes]
        while suffixes and suffixes[-1] in {".gz", ".gzip"}:
            suffixes.pop()
        if suffixes and suffixes[-1] in _EXTENSION_HINTS:
            return _EXTENSION_HINTS[suffixes[-1]]
    return None


def _gunzip_prefix(content: bytes, limit: int) -> bytes | None:
    """Up to ``limit`` decompressed bytes from the start of a gzip stream, or None when it is not gzip."""
    decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        return decompressor.decompress(content[: 1024 * 1024], limit)
    except zlib.error:
        return None


def _sniff_text(prefix: bytes) -> str | None:
    """The prefix as text for sniffing, or None when it is binary."""
    codec, bom_length = bom_encoding(prefix)
    if codec is not None:
        return prefix[bom_length:].decode(codec, errors="replace")
    if binary_reason(prefix) is not None:
        return None
    # UTF-16 without a BOM: binary_reason let it through because of its NUL pattern.
    if prefix.count(0) > len(prefix) // 4:
        even_nuls = prefix[0::2].count(0)
        odd_nuls = prefix[1::2].count(0)
        codec = "utf-16-le" if odd_nuls > even_nuls else "utf-16-be"
        return prefix.decode(codec, errors="replace")
    text = prefix.decode("utf-8", errors="replace")
    if text.count("\ufffd") > 2:
        # Not UTF-8: a single-byte encoding is the likely case, and only ASCII markup matters here.
        return prefix.decode("cp1252", errors="replace")
    return text


def _skip_prolog(text: str) -> tuple[str, str | None]:
    """The text from the first element on, and the DOCTYPE's root name if there was one."""
    position = 0
    doctype: str | None = None
    while position < len(text):
        match = _PROLOG_ITEM_RE.match(text, position)
        if match is not None and match.end() > position:
            position = match.end()
            continue
        doctype_match = _DOCTYPE_RE.match(text, position)
        if doctype_match is None:
            break
        doctype = doctype_match.group(1).lower()
        position = _end_of_doctype(text, doctype_match.end())
    return text[position:], doctype


def _end_of_doctype(text: str, position: int) -> int:
    """Where a DOCTYPE that started before ``position`` ends, skipping its internal subset and quotes."""
    depth = 0
    quote: str | None = None
    for index in range(position, len(text)):
        char = text[index]
        if quote:
            if char == quote:
                quote = None
        elif char in "\"'":
            quote = char
        elif char == "[":
            depth += 1
        elif char == "]":
            depth = max(depth - 1, 0)
        elif char == ">" and depth == 0:
            return index + 1
    return len(text)


def _looks_like_jsonl(content: bytes) -> bool:
    """True when the first line opens a JSON object and one of the first lines is a whole object.

    Bad lines are allowed (the reader reports them one by one), so one good
    object among the first few lines is enough.
    """
    sampled = 0
    start = 0
    codec, bom_length = bom_encoding(content)
    if codec == "utf-8":
        start = bom_length
    elif codec is not None:
        return False
    while sampled < _JSONL_SAMPLE_LINES and start < len(content):
        end = content.find(b"\n", start, start + _JSONL_MAX_LINE_BYTES)
        if end < 0:
            end = min(len(content), start + _JSONL_MAX_LINE_BYTES)
            if end < len(content):
                break  # a line too long to sniff cheaply
        line = content[start:end].strip()
        start = end + 1
        if not line:
            continue
        sampled += 1
        if sampled == 1 and not line.startswith(b"{"):
            return False
        if not line.startswith(b"{"):
            continue
        try:
            value = json.loads(line)
        except (ValueError, RecursionError):
            continue
        if isinstance(value, dict):
            return True
    return False


_PROSE_SAMPLE_CHARS = 2048  # enough to tell writing from binary noise; the regex costs ~50 µs per KB
_NON_LETTERS_RE = re.compile(r"[^\W\d_]+")


def _prose_or_unknown(text: str) -> SourceFormat:
    """TEXT when the decoded prefix reads as writing, UNKNOWN otherwise."""
    stripped = text[:_PROSE_SAMPLE_CHARS].strip()
    if not stripped:
        return SourceFormat.UNKNOWN
    replacement = stripped.count("\ufffd")
    # Deleting the letters in C and measuring what is left is ~20x faster than testing each character.
    letters = len(stripped) - len(_NON_LETTERS_RE.sub("", stripped))
    if replacement / len(stripped) > 0.1 or letters / len(stripped) < 0.3:
        return SourceFormat.UNKNOWN
    return SourceFormat.TEXT


def _detect_plain(content: bytes, hint: SourceFormat | None) -> SourceFormat:
    prefix = content[:_SNIFF_BYTES]
    if _WARC_RE.match(prefix):
        return SourceFormat.WARC
    text = _sniff_text(prefix)
    if text is None:
        return SourceFormat.UNKNOWN
    body, doctype = _skip_prolog(text)
    if doctype == "html":
        return SourceFormat.HTML
    root_match = _ROOT_RE.match(body)
    if root_match is not None:
        root = root_match.group(1).lower()
        local = root.rsplit(":", 1)[-1]
        if (
            root in _FEED_ROOTS
            or local in {"rss", "feed"}
            or (local == "rdf" and "rss" in body[:4096].lower())
        ):
            return SourceFormat.FEED
        if local == "opml":
            return SourceFormat.OPML
        if local in _HTML_ROOTS:
            return SourceFormat.HTML
    if body.startswith("{") and _looks_like_jsonl(content):
        return SourceFormat.JSONL
    if _STRONG_HTML_RE.search(text):
        return SourceFormat.HTML
    looks_like_markup = doctype is not None or text.lstrip().startswith("<?xml")
    if root_match is not None and not looks_like_markup:
        looks_like_markup = f"</{root_match.group(1)}" in text or _HTML_TAG_RE.match(body) is not None
    if looks_like_markup:
        # Some other XML (or an HTML fragment): trust a feed/OPML hint, then look for HTML tags.
        if hint in {SourceFormat.FEED, SourceFormat.OPML}:
            return hint
        if _FEED_ANYWHERE_RE.search(body[:4096]):
            return SourceFormat.FEED
        if _HTML_TAG_RE.search(body):
            return SourceFormat.HTML
        return SourceFormat.UNKNOWN
    # Prose, possibly with stray tags: a text scrape stays text unless tags are plentiful.
    tags = len(_HTML_TAG_RE.findall(text))
    if tags >= 3 and hint is not SourceFormat.TEXT:
        return SourceFormat.HTML
    return _prose_or_unknown(text)


def detect_format(content: bytes, *, name: str | None = None, media_type: str | None = None) -> SourceFormat:
    """The format of ``content``, sniffed from its bytes; ``name``/``media_type`` only break ties.

    Gzip is looked inside: a ``.warc.gz`` is WARC, a gzipped page is HTML.
    Empty input and binary data are UNKNOWN.
    """
    hint = format_hint(name=name, media_type=media_type)
    if content.startswith(GZIP_MAGIC):
        inner = _gunzip_prefix(content, _SNIFF_BYTES)
        if not inner or inner.startswith(GZIP_MAGIC):
            return SourceFormat.UNKNOWN
        return _detect_plain(inner, hint)
    if not content[:_SNIFF_BYTES].strip() and (len(content) <= _SNIFF_BYTES or not content.strip()):
        return SourceFormat.UNKNOWN
    return _detect_plain(content, hint)
