"""Small helpers every store module shares: timestamps, compact JSON columns, IN-list placeholders."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

# Well under SQLite's bound-parameter limit on every build.
CHUNK = 500


def now_iso() -> str:
    return datetime.now(UTC).isoformat()


def compact_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def marks(values: Sequence[object]) -> str:
    """``?,?,?``: one placeholder per value, for ``IN (...)``."""
    return ",".join("?" * len(values))


def chunks(values: Sequence[str]) -> Iterator[list[str]]:
    """VALUES in slices small enough to bind in one statement."""
    for start in range(0, len(values), CHUNK):
        yield list(values[start : start + CHUNK])


def fts_query(query: str) -> str:
    """QUERY as an FTS5 expression: every word quoted (so no user text is syntax), all required."""
    # Control characters (a NUL ends SQLite's string early) are never words of a text.
    cleaned = "".join(" " if ord(ch) < 0x20 or ch == '"' else ch for ch in query)
    return " ".join(f'"{t}"' for t in cleaned.split()[:32])
