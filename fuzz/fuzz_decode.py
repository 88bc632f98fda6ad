"""Fuzz target: decode_bytes and maybe_gunzip raise only DecodeError / TooLargeError."""

from __future__ import annotations

import contextlib
import gzip

from _harness import instrumented, run, seeds

with instrumented():
    from dateline.errors import DecodeError, TooLargeError
    from dateline.ingest.decode import decode_bytes, maybe_gunzip

_DECLARED = (None, "utf-8", "iso-8859-1", "windows-1251", "utf-16", "shift_jis", "bogus")


def test_one_input(data: bytes) -> None:
    declared = _DECLARED[data[0] % len(_DECLARED)] if data else None
    with contextlib.suppress(DecodeError):
        assert isinstance(decode_bytes(data, declared=declared), str)
    with contextlib.suppress(DecodeError, TooLargeError):
        maybe_gunzip(data, 1 << 20)


if __name__ == "__main__":
    run(test_one_input, [*seeds("*.html", "*.txt"), gzip.compress(b"<html>seed</html>")])
