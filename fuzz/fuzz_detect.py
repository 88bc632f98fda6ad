"""Fuzz target: detect_format never raises, whatever the bytes, name or media type."""

from __future__ import annotations

from _harness import instrumented, run, seeds

with instrumented():
    from dateline.ingest.detect import detect_format
    from dateline.models import SourceFormat

_NAMES = (None, "a.html", "b.txt", "c.rss", "d.warc.gz", "e.jsonl", "f.opml")


def test_one_input(data: bytes) -> None:
    name = _NAMES[data[0] % len(_NAMES)] if data else None
    assert isinstance(detect_format(data, name=name), SourceFormat)


if __name__ == "__main__":
    run(test_one_input, seeds("*"))
