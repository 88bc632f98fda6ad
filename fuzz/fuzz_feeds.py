"""Fuzz target: parse_feed raises only ParseError, and its entries survive the helpers."""

from __future__ import annotations

from _harness import instrumented, run, seeds

with instrumented():
    from dateline.errors import ParseError
    from dateline.ingest.feeds import entry_is_complete, entry_to_raw_document, parse_feed


def test_one_input(data: bytes) -> None:
    try:
        _, entries = parse_feed(data, feed_url="https://fuzz.example/feed.xml")
    except ParseError:
        return
    for entry in entries:
        entry_is_complete(entry)
        entry_to_raw_document(entry, None)


if __name__ == "__main__":
    run(test_one_input, seeds("*.xml"))
