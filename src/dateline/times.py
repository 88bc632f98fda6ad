"""Instants in one form: naive UTC, the form every stage compares and the store keeps.

Sources give times with a zone, without one, or as dates; comparing an aware with a naive datetime
raises, and text order of stored ISO strings is time order only when they share one form.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta


def naive_utc(value: datetime) -> datetime:
    """VALUE as naive UTC (a naive value is taken to be UTC already)."""
    if value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def iso_period(value: str) -> tuple[date | None, date | None]:
    """The first and last day an ISO 8601 value at any precision covers, (None, None) when unreadable.

    "2025-11-30T11:20+02:00" and "2025-11-30" cover that day, "2025-W48" its Monday to Sunday,
    "2025-11" the month and "2025" the year.
    """
    value = value.split("T", 1)[0]
    try:
        if "-W" in value:
            iso_year, iso_week = value.split("-W")
            first = date.fromisocalendar(int(iso_year), int(iso_week[:2]), 1)
            return first, first + timedelta(days=6)
        parts = value.split("-")
        if len(parts) == 1:
            return date(int(parts[0]), 1, 1), date(int(parts[0]), 12, 31)
        if len(parts) == 2:
            year, month = int(parts[0]), int(parts[1])
            following = date(year + month // 12, month % 12 + 1, 1)
            return date(year, month, 1), following - timedelta(days=1)
        day = date.fromisoformat(value)
        return day, day
    except ValueError:
        return None, None
