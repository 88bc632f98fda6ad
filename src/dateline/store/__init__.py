"""Storage: every SQL statement lives in this package, behind named methods that take and return records."""

from __future__ import annotations

from pathlib import Path

from dateline.store.sqlite import SqliteStore

__all__ = ["SqliteStore", "open_store"]


def open_store(path: Path | str) -> SqliteStore:
    """Open the embedded default store (SQLite). A PostgreSQL backend will be chosen here by URL scheme."""
    return SqliteStore.open(path)
