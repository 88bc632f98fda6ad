"""Fuzz target: parse_opml raises only ParseError, and what it reads can be written back."""

from __future__ import annotations

from _harness import instrumented, run, seeds

with instrumented():
    from dateline.errors import ParseError
    from dateline.ingest.opml import parse_opml, write_opml


def test_one_input(data: bytes) -> None:
    try:
        subscriptions = parse_opml(data)
    except ParseError:
        return
    parse_opml(write_opml(subscriptions))


if __name__ == "__main__":
    run(test_one_input, seeds("*.opml"))
