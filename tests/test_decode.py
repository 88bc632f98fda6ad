"""decode_bytes and maybe_gunzip: text once at the boundary, bombs and junk refused cleanly."""

from __future__ import annotations

import codecs
import contextlib
import gzip
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import DecodeError, TooLargeError
from dateline.ingest.decode import decode_bytes, maybe_gunzip, normalise_charset

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
FRENCH = "Le café du port – « déjà vu », dit la gérante."


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (codecs.BOM_UTF8 + FRENCH.encode("utf-8"), FRENCH),
        (codecs.BOM_UTF16_LE + FRENCH.encode("utf-16-le"), FRENCH),
        (codecs.BOM_UTF16_BE + FRENCH.encode("utf-16-be"), FRENCH),
        (codecs.BOM_UTF32_LE + FRENCH.encode("utf-32-le"), FRENCH),
        (FRENCH.encode("utf-8"), FRENCH),
        (b"", ""),
        (b"plain ascii", "plain ascii"),
    ],
)
def test_boms_and_utf8(content: bytes, expected: str) -> None:
    assert decode_bytes(content) == expected


def test_declared_charset_is_used() -> None:
    russian = "Москва: новости дня"
    assert decode_bytes(russian.encode("koi8-r"), declared="koi8-r") == russian
    assert decode_bytes(russian.encode("cp1251"), declared="windows-1251") == russian


def test_latin1_label_means_windows_1252() -> None:
    # Curly quotes live in cp1252's 0x80-0x9F range, which real Latin-1 leaves as control codes.
    assert decode_bytes("“quoted” – dash".encode("cp1252"), declared="ISO-8859-1") == "“quoted” – dash"


def test_utf8_wins_over_a_mislabelled_latin1_header() -> None:
    assert decode_bytes(FRENCH.encode("utf-8"), declared="iso-8859-1") == FRENCH


def test_meta_charset_in_the_page() -> None:
    text = decode_bytes((FIXTURES / "page_cp1252.html").read_bytes())
    assert "Le café rouvre" in text
    assert "“C’est une bonne nouvelle”" in text


def test_xml_declaration_encoding() -> None:
    xml = '<?xml version="1.0" encoding="ISO-8859-15"?><rss><title>Prix en €</title></rss>'
    assert "Prix en €" in decode_bytes(xml.encode("iso-8859-15"))


def test_unknown_or_hostile_labels_are_ignored() -> None:
    assert decode_bytes(FRENCH.encode("utf-8"), declared="no-such-charset") == FRENCH
    assert decode_bytes(FRENCH.encode("utf-8"), declared="base64") == FRENCH
    assert decode_bytes(FRENCH.encode("utf-8"), declared="utf-7") == FRENCH
    assert normalise_charset("  'UTF8' ") == "utf-8"
    assert normalise_charset("rot13") is None
    assert normalise_charset(None) is None


def test_mixed_utf8_and_cp1252_lines_are_decoded_line_by_line() -> None:
    text = decode_bytes((FIXTURES / "page_mixed_encodings.html").read_bytes())
    assert "Café — UTF-8 template" in text
    assert "“naïve” café déjà vu" in text
    assert "über – façade" in text
    assert "\ufffd" not in text


def test_undeclared_single_byte_text_is_guessed() -> None:
    assert decode_bytes("Café crème brûlée, déjà vu".encode("cp1252")) == "Café crème brûlée, déjà vu"
    polish = "Zażółć gęślą jaźń, mówił Łukasz"
    assert decode_bytes(polish.encode("cp1250")) == polish


def test_utf16_without_bom() -> None:
    assert decode_bytes("hello world, this is text".encode("utf-16-le")) == "hello world, this is text"
    assert decode_bytes("hello world, this is text".encode("utf-16-be")) == "hello world, this is text"


def test_control_characters_are_removed_but_line_structure_kept() -> None:
    text = decode_bytes(b"line one\x0cline two\x00\x07 and more text to keep the ratio low........")
    assert text.startswith("line one\nline two and more")


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "PNG image"),
        (b"%PDF-1.4\n" + bytes(range(256)), "PDF document"),
        (b"PK\x03\x04" + bytes(50), "ZIP archive"),
        (bytes(range(32)) * 50, "binary data"),
        (b"\x00\x01\x02\x03" * 1000, "binary data"),
        (gzip.compress(b"hello"), "gzip"),
    ],
)
def test_binary_junk_raises_a_clear_decode_error(content: bytes, fragment: str) -> None:
    with pytest.raises(DecodeError, match=fragment) as info:
        decode_bytes(content)
    assert "\n" not in str(info.value)


@settings(max_examples=400, deadline=None)
@given(st.binary(max_size=4096), st.one_of(st.none(), st.sampled_from(["utf-8", "latin-1", "koi8-r", "x"])))
def test_decode_bytes_only_raises_decode_error(content: bytes, declared: str | None) -> None:
    try:
        text = decode_bytes(content, declared=declared)
    except DecodeError as exc:
        assert str(exc)
    else:
        assert isinstance(text, str)


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=500))
def test_utf8_text_round_trips(text: str) -> None:
    text = text.lstrip("\ufeff")
    assert decode_bytes(text.encode("utf-8")) == text


# -- gzip ---------------------------------------------------------------------------------------


def test_plain_bytes_pass_through() -> None:
    assert maybe_gunzip(b"<html></html>", 100) == b"<html></html>"
    with pytest.raises(TooLargeError):
        maybe_gunzip(b"x" * 101, 100)


def test_multi_member_gzip_is_read_whole() -> None:
    assert maybe_gunzip(gzip.compress(b"first ") + gzip.compress(b"second"), 1000) == b"first second"


def test_zero_padding_after_gzip_is_ignored() -> None:
    assert maybe_gunzip(gzip.compress(b"data") + b"\x00" * 64, 1000) == b"data"


def test_trailing_garbage_after_gzip_is_an_error() -> None:
    with pytest.raises(DecodeError, match="unexpected bytes after member 1"):
        maybe_gunzip(gzip.compress(b"data") + b"garbage", 1000)


@pytest.mark.parametrize("cut", [3, 10, 20, -8, -1])
def test_truncated_gzip_raises_decode_error(cut: int) -> None:
    compressed = gzip.compress(b"The council voted 9-2 on Saturday. " * 200)
    with pytest.raises(DecodeError, match=r"truncated|corrupt"):
        maybe_gunzip(compressed[:cut], 1_000_000)


def test_corrupt_gzip_raises_decode_error() -> None:
    compressed = bytearray(gzip.compress(b"The council voted 9-2 on Saturday. " * 200))
    compressed[20:40] = b"\xff" * 20
    with pytest.raises(DecodeError):
        maybe_gunzip(bytes(compressed), 1_000_000)


def test_gzip_bomb_stops_at_the_cap() -> None:
    # 64 MiB of zeros compresses to ~64 KiB; the cap stops decompression long before the end.
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    bomb = b"".join(compressor.compress(chunk) for _ in range(64)) + compressor.flush()
    assert len(bomb) < 200_000
    with pytest.raises(TooLargeError, match="over the 1,048,576-byte limit"):
        maybe_gunzip(bomb, 1024 * 1024)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2048))
def test_maybe_gunzip_only_raises_domain_errors(tail: bytes) -> None:
    for content in (b"\x1f\x8b" + tail, b"\x1f\x8b\x08\x00" + tail, tail):
        with contextlib.suppress(DecodeError, TooLargeError):
            maybe_gunzip(content, 10_000)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=5000), st.integers(min_value=0, max_value=6000))
def test_truncation_anywhere_is_a_decode_error(payload: bytes, cut: int) -> None:
    compressed = gzip.compress(payload)
    cut = min(cut, len(compressed))
    try:
        result = maybe_gunzip(compressed[:cut], 100_000)
    except DecodeError:
        return
    assert result == payload or cut < 2
