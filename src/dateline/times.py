"""Instants in one form: naive UTC, the form every stage compares and the store keeps.

Sources give times with a zone, without one, or as dates; comparing an aware with a naive datetime
raises, and text order of stored ISO strings is time order only when they share one form.
"""

from __future__ import annotations

from datetime import UTC, datetime


def naive_utc(value: datetime) -> datetime:
    """VALUE as naive UTC (a naive value is taken to be UTC already)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value
