"""Fuzz target: iter_jsonl_records never raises; record_to_parts raises only ParseError."""

from __future__ import annotations

import contextlib

from _harness import instrumented, run, seeds

with instrumented():
    from dateline.errors import ParseError
    from dateline.ingest.jsonl import ParseErrorItem, iter_jsonl_records, record_to_parts


def test_one_input(data: bytes) -> None:
    for item in iter_jsonl_records(data, source="fuzz.jsonl"):
        if isinstance(item, ParseErrorItem):
            continue
        with contextlib.suppress(ParseError):
            record_to_parts(item)


if __name__ == "__main__":
    run(test_one_input, seeds("*.jsonl"))
