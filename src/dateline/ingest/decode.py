"""Bytes to text, once, at the boundary: BOM, declared charset, page charset, UTF-8, then a guess.

Every input format funnels through ``decode_bytes`` so later stages only ever
see ``str``.  The order follows what browsers do, with two pragmatic twists
learnt from real news pages:

* a declared single-byte charset (ISO-8859-1, ASCII, windows-1252) loses to
  UTF-8 when the bytes are valid UTF-8 with multi-byte sequences, because
  servers routinely mislabel UTF-8 pages as Latin-1 while valid multi-byte
  UTF-8 almost never happens by chance in Latin-1 text;
* a page that mixes UTF-8 and windows-1252 lines (a UTF-8 template around a
  pasted cp1252 article) is decoded line by line instead of as a whole.

``maybe_gunzip`` decompresses incrementally so a gzip bomb is stopped at the
size cap instead of filling memory.
"""

from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

from dateline.errors import DecodeError, TooLargeError

GZIP_MAGIC = b"\x1f\x8b"

# (BOM, codec): UTF-32 first, because the UTF-32-LE BOM starts with the UTF-16-LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Magic numbers of binary formats people feed in by mistake, named in the error message.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive (or an Office document)"),
    (b"\x7fELF", "an executable"),
    (b"SQLite format 3\x00", "an SQLite database"),
    (b"\xfd7zXZ\x00", "an xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
    (b"\x28\xb5\x2f\xfd", "a zstd archive"),
    (GZIP_MAGIC, "gzip-compressed data (decompress it first)"),
)

_BZIP2_RE = re.compile(rb"BZh[1-9]1AY&SY")

# C0 controls other than tab, LF, VT, FF, CR, plus DEL.  ESC (0x1b) counts too.
_CONTROL_BYTES = frozenset(set(range(0x00, 0x09)) | {0x0E, 0x0F} | set(range(0x10, 0x20)) | {0x7F}) - {0x1B}
_CONTROL_BYTES_TABLE = bytes(sorted(_CONTROL_BYTES))
_CONTROL_CHARS_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Vertical tab and form feed become line breaks (page breaks in text dumps); the rest go.
_CONTROL_CHARS_TABLE: dict[int, str | None] = {
    code: None for code in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F)
} | {0x0B: "\n", 0x0C: "\n"}
_SAMPLE_BYTES = 64 * 1024
_MAX_CONTROL_RATIO = 0.05  # more than 1 in 20 bytes being a control byte: not text

_SINGLE_BYTE_WESTERN = frozenset({"ascii", "latin_1", "iso8859_1", "cp1252", "iso8859_15"})

_META_CHARSET_RE = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
_XML_ENCODING_RE = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")


def bom_encoding(content: bytes) -> tuple[str | None, int]:
    """The codec named by a leading byte-order mark, and the BOM's length; ``(None, 0)`` without one."""
    for bom, codec in _BOMS:
        if content.startswith(bom):
            return codec, len(bom)
    return None, 0


def normalise_charset(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None when the label is unknown or not text.

    ISO-8859-1 and ASCII map to windows-1252, as browsers do (WHATWG Encoding),
    because pages that say Latin-1 use cp1252's curly quotes and dashes.
    """
    if not label:
        return None
    cleaned = label.strip().strip("\"'").lower()
    if not cleaned:
        return None
    try:
        name = codecs.lookup(cleaned).name
    except (LookupError, ValueError):
        return None
    if name in {"latin-1", "iso8859-1", "ascii", "iso8859_1", "latin_1"}:
        return "cp1252"
    if name.startswith(("utf-16", "utf-32", "utf-7")):
        # Only reached when the bytes are not UTF-16/32 (no BOM, no NUL pattern): a page whose
        # declaration we could read as ASCII is not UTF-16, so browsers ignore the label; UTF-7
        # is refused outright because it smuggles markup past filters.
        return None
    # Codecs that are not character encodings (rot13, base64, zlib...) are not charsets.
    if not getattr(codecs.lookup(name), "_is_text_encoding", True):
        return None
    return name


def binary_reason(content: bytes) -> str | None:
    """Why ``content`` looks like binary data rather than text, or None when it may be text."""
    for magic, description in _BINARY_MAGIC:
        if content.startswith(magic):
            return f"looks like {description}, not text"
    if _BZIP2_RE.match(content):
        return "looks like a bzip2 archive, not text"
    sample = content[:_SAMPLE_BYTES]
    if not sample:
        return None
    if bom_encoding(sample)[0] is not None or utf16_without_bom(sample) is not None:
        return None
    control = len(sample) - len(sample.translate(None, _CONTROL_BYTES_TABLE))
    if control / len(sample) > _MAX_CONTROL_RATIO:
        return f"looks like binary data ({control / len(sample):.0%} control bytes), not text"
    return None


def utf16_without_bom(sample: bytes) -> str | None:
    """'utf-16-le'/'utf-16-be' when the bytes are ASCII-range text stored as UTF-16 without a BOM."""
    if len(sample) < 8:
        return None
    even, odd = sample[0::2], sample[1::2]
    even_nuls, odd_nuls = even.count(0), odd.count(0)
    if odd_nuls >= 0.4 * len(odd) and even_nuls <= 0.05 * len(even):
        return "utf-16-le"
    if even_nuls >= 0.4 * len(even) and odd_nuls <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def declared_in_content(content: bytes) -> str | None:
    """The charset a page or XML document declares about itself (``<meta charset>``, XML declaration)."""
    head = content[: 16 * 1024]
    match = _XML_ENCODING_RE.search(head) or _META_CHARSET_RE.search(head)
    if match is None:
        return None
    return match.group(1).decode("ascii", "replace")


def _try_decode(content: bytes, codec: str) -> str | None:
    try:
        return content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _prefer_utf8(content: bytes, codec: str) -> bool:
    """A declared Western single-byte charset loses to valid multi-byte UTF-8 (mislabelled pages)."""
    if codec.replace("-", "_") not in _SINGLE_BYTE_WESTERN:
        return False
    if content.isascii():
        return False
    return _try_decode(content, "utf-8") is not None


def _decode_mixed_lines(content: bytes) -> str | None:
    """Decode line by line when a document mixes valid UTF-8 lines with windows-1252 lines.

    Returns None unless both kinds are present: a document with no valid
    multi-byte UTF-8 line is simply in another encoding and is guessed whole.
    """
    lines = content.split(b"\n")
    utf8_lines = 0
    other_lines = 0
    decoded: list[str] = []
    for line in lines:
        if line.isascii():
            decoded.append(line.decode("ascii"))
            continue
        text = _try_decode(line, "utf-8")
        if text is not None:
            utf8_lines += 1
            decoded.append(text)
        else:
            other_lines += 1
            decoded.append(line.decode("cp1252", errors="replace"))
    if utf8_lines and other_lines:
        return "\n".join(decoded)
    return None


def _guess(content: bytes) -> str:
    matches = from_bytes(content)
    best = matches.best()
    if best is None:
        raise DecodeError("could not work out the text encoding (no charset fits these bytes)")
    # charset-normalizer often ties cp1250/cp1252/cp1257 on short Western text; news is
    # overwhelmingly Western-European when it is single-byte, so cp1252 wins ties.
    for match in matches:
        tied = match.chaos <= best.chaos + 0.01 and match.coherence >= best.coherence - 0.01
        if tied and "cp1252" in match.could_be_from_charset:
            text = _try_decode(content, "cp1252")
            if text is not None:
                return text
    return str(best)


def _clean(text: str) -> str:
    """Drop C0 control characters other than tab, newline and CR (lxml refuses them).

    Raises ``DecodeError`` when they are so many that the "text" was binary
    after all (e.g. random bytes that happened to look like UTF-16).
    """
    if _CONTROL_CHARS_RE.search(text) is None:
        return text
    cleaned = text.translate(_CONTROL_CHARS_TABLE)
    removed = len(text) - len(cleaned)
    if removed / len(text) > _MAX_CONTROL_RATIO:
        raise DecodeError(f"looks like binary data ({removed / len(text):.0%} control characters), not text")
    return cleaned


def decode_bytes(content: bytes, *, declared: str | None = None) -> str:
    """Decode ``content`` to text: BOM, then ``declared`` (HTTP charset), then the page's own
    declaration, then strict UTF-8, then per-line UTF-8/cp1252 for mixed pages, then a guess.

    Raises ``DecodeError`` for binary data (images, archives, too many control bytes)
    and when no encoding fits.  Stray control characters are removed from the result.
    """
    if not content:
        return ""
    codec, bom_length = bom_encoding(content)
    if codec is not None:
        return _clean(content[bom_length:].decode(codec, errors="replace"))
    reason = binary_reason(content)
    if reason is not None:
        raise DecodeError(reason)
    utf16 = utf16_without_bom(content[:_SAMPLE_BYTES])
    if utf16 is not None:
        return _clean(content.decode(utf16, errors="replace"))

    for label in (declared, declared_in_content(content)):
        codec = normalise_charset(label)
        if codec is None:
            continue
        if _prefer_utf8(content, codec):
            return _clean(content.decode("utf-8"))
        text = _try_decode(content, codec)
        if text is not None:
            return _clean(text)

    text = _try_decode(content, "utf-8")
    if text is not None:
        return _clean(text)
    mixed = _decode_mixed_lines(content)
    if mixed is not None:
        return _clean(mixed)
    return _clean(_guess(content))


def maybe_gunzip(content: bytes, max_bytes: int) -> bytes:
    """Decompress gzip data (all members, as in ``.warc.gz``); other bytes come back unchanged.

    Decompression is incremental and stops as soon as the output passes
    ``max_bytes`` (``TooLargeError``), so a gzip bomb never fills memory.
    Truncated or corrupt gzip raises ``DecodeError``.
    """
    if not content.startswith(GZIP_MAGIC):
        if len(content) > max_bytes:
            raise TooLargeError(f"input is {len(content):,} bytes, over the {max_bytes:,}-byte limit")
        return content
    output = bytearray()
    remaining = memoryview(content)
    members = 0
    chunk_size = 64 * 1024
    while remaining:
        if members and bytes(remaining[:2]) != GZIP_MAGIC:
            if not bytes(remaining).strip(b"\x00"):
                break  # zero padding after the last member, as some tools write
            raise DecodeError(f"corrupt gzip data: unexpected bytes after member {members}")
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        offset = 0
        try:
            while not decompressor.eof:
                if decompressor.unconsumed_tail:
                    data = decompressor.unconsumed_tail
                elif offset < len(remaining):
                    data = bytes(remaining[offset : offset + chunk_size])
                    offset += len(data)
                else:
                    break
                budget = max_bytes - len(output) + 1
                output += decompressor.decompress(data, budget)
                if len(output) > max_bytes:
                    raise TooLargeError(f"decompressed data is over the {max_bytes:,}-byte limit")
        except zlib.error as exc:
            raise DecodeError(f"corrupt gzip data: {exc}") from None
        if not decompressor.eof:
            raise DecodeError(f"gzip data is truncated (input ends after {len(content):,} bytes)")
        members += 1
        consumed = offset - len(decompressor.unused_data)
        remaining = remaining[consumed:]
    return bytes(output)
