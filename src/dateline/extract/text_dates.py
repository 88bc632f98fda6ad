"""Dates in the text of a page: "Published 30 November 2025", "30.11.2025", "Updated: Nov 30, 2025
14:05 GMT", "vor 2 Tagen", "Yesterday (30 November)".

Absolute forms in ten languages always; relative ones ("yesterday", "3 hours ago", a day and month
without a year) only against a reference date, since a page read later means another day.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from dateline.extract import boilerplate as lex
from dateline.models import DateOrigin, DatePrecision, PublishedDate

__all__ = ["ABSOLUTE_DATE_PATTERNS", "parse_text_date"]

_MONTH = lex.phrase_regex(list(lex.MONTHS))
_TZ_OFFSETS = {
    "gmt": 0, "utc": 0, "z": 0, "bst": 60, "cet": 60, "cest": 120, "met": 60, "mesz": 120, "mez": 60,
    "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360, "pst": -480,
    "pdt": -420, "eet": 120, "eest": 180, "msk": 180, "ist": 330, "jst": 540, "kst": 540,
    "aest": 600, "aedt": 660, "sgt": 480, "hkt": 480,
}  # fmt: skip
_TZ = r"(?P<tz>GMT|UTC|BST|CEST|CET|MESZ|MEZ|MET|EST|EDT|CST|CDT|MST|MDT|PST|PDT|EEST|EET|MSK|IST|JST|KST|AEST|AEDT|SGT|HKT|Z(?!\w)|[+-]\d{2}:?\d{2})"
_DATE_PATTERNS = (
    (
        "iso",
        re.compile(
            r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::\d{2}(?:\.\d+)?)?\s*"
            + _TZ
            + r"?)?(?!\d)"
        ),
    ),
    (
        "dmy_text",
        re.compile(
            rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|º|\.)?\s*(?:de\s+|-\s*)?(?P<mon>{_MONTH})\.?,?\s*(?:de\s+|-\s*)?(?P<y>(?:19|20)\d{{2}})(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "mdy_text",
        re.compile(
            rf"(?<!\w)(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "numeric",
        re.compile(
            r"(?<![\d./])(?P<a>\d{1,2})(?P<sep>[./])(?P<b>\d{1,2})(?P=sep)(?P<y>(?:19|20)\d{2}|\d{2})(?![\d./]|\.\d)"
        ),
    ),
    (
        "dm_text",
        re.compile(
            rf"(?<![\d\w])(?P<d>\d{{1,2}})(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?P<mon>{_MONTH})(?![\w.]\w)",
            re.IGNORECASE,
        ),
    ),
    (
        "md_text",
        re.compile(
            rf"(?<!\w)(?P<mon>{_MONTH})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?![\d:])", re.IGNORECASE
        ),
    ),
    (
        "my_text",
        re.compile(rf"(?<!\w)(?P<mon>{_MONTH})\.?\s+(?P<y>(?:19|20)\d{{2}})(?!\d)", re.IGNORECASE),
    ),
)
_TIME = re.compile(
    r"(?<![\d:])(?P<H>\d{1,2})[:h.](?P<M>\d{2})(?![\d:.]\d)(?::\d{2})?\s*(?P<ampm>[ap]\.?\s?m\.?)?(?:\s*(?:Uhr|h))?\s*"
    + _TZ
    + r"?",
    re.IGNORECASE,
)
_RELATIVE_DAY = re.compile(
    rf"(?<!\w)(?P<word>{lex.phrase_regex(list(lex.RELATIVE_DAYS))})(?!\w)", re.IGNORECASE
)
_UNITS = lex.phrase_regex(list(lex.RELATIVE_UNITS))
_RELATIVE_AGO = re.compile(
    rf"(?:(?:vor|il y a|hace|há|fa)\s+(?P<n1>\d+|an?|one)\s+(?P<u1>{_UNITS})|(?P<n2>\d+|an?|one)\s+(?P<u2>{_UNITS})\s+(?:ago|fa|geleden|назад|тому|temu))",
    re.IGNORECASE,
)


def _month_number(name: str) -> int | None:
    return lex.MONTHS.get(name.lower().rstrip("."))


def _make_date(
    year: int, month: int, day: int, time_match: re.Match[str] | None, reference: datetime | None
) -> PublishedDate | None:
    try:
        value = datetime(year, month, day)
    except ValueError:
        return None
    top = (reference.year + 1) if reference else datetime.now().year + 1
    if not 1990 <= year <= top:
        return None
    if time_match is None:
        return PublishedDate(value, DatePrecision.DAY, DateOrigin.TEXT)
    hour, minute = int(time_match.group("H")), int(time_match.group("M"))
    groups = time_match.groupdict()
    ampm = (groups.get("ampm") or "").replace(".", "").replace(" ", "").lower()
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        return PublishedDate(value, DatePrecision.DAY, DateOrigin.TEXT)
    value = value.replace(hour=hour, minute=minute)
    tz = time_match.group("tz")
    offset = _tz_offset(tz) if tz else None
    if offset is not None:
        value = value.replace(tzinfo=timezone(timedelta(minutes=offset)))
    return PublishedDate(value, DatePrecision.DATETIME, DateOrigin.TEXT)


def _tz_offset(tz: str) -> int | None:
    low = tz.lower()
    if low in _TZ_OFFSETS:
        return _TZ_OFFSETS[low]
    match = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", tz)
    if match:
        minutes = int(match.group(2)) * 60 + int(match.group(3))
        return minutes if match.group(1) == "+" else -minutes
    return None


def _time_outside(time_match: re.Match[str] | None, date_match: re.Match[str]) -> re.Match[str] | None:
    if time_match is None:
        return None
    if time_match.start() < date_match.end() and time_match.end() > date_match.start():
        return None  # the "time" is part of the date itself (30.11.2025)
    return time_match


def parse_text_date(
    text: str, *, reference: datetime | None = None, month_first: bool = False
) -> PublishedDate | None:
    """The first date a line states: absolute forms always, relative ones only with a reference date.

    ``month_first`` reads an ambiguous ``11/10/2025`` as November 10 (US pages); dotted dates
    are always day first.
    """
    iso = _DATE_PATTERNS[0][1].search(text)
    if iso:
        # The ISO match carries its own H, M and tz groups, read like a time match.
        return _make_date(
            int(iso.group("y")),
            int(iso.group("m")),
            int(iso.group("d")),
            iso if iso.group("H") else None,
            reference,
        )
    time_match = _TIME.search(text)
    for name, pattern in _DATE_PATTERNS[1:4]:
        match = pattern.search(text)
        if not match:
            continue
        if name == "numeric":
            first, second, year = int(match.group("a")), int(match.group("b")), match.group("y")
            year_number = int(year) + (2000 if len(year) == 2 else 0)
            day, month = first, second
            if second > 12 or (match.group("sep") == "/" and month_first and first <= 12):
                day, month = second, first
        else:
            month_number = _month_number(match.group("mon"))
            if month_number is None:
                continue
            day, month, year_number = int(match.group("d")), month_number, int(match.group("y"))
        found = _make_date(year_number, month, day, _time_outside(time_match, match), reference)
        if found:
            return found
    if reference is None:
        return None
    try:
        return _relative_date(text, reference, time_match)
    except (OverflowError, ValueError):  # a reference or a count at the edge of the calendar
        return None


def _relative_date(text: str, reference: datetime, time_match: re.Match[str] | None) -> PublishedDate | None:
    ref = reference.replace(tzinfo=None) if reference.tzinfo else reference
    for _, pattern in _DATE_PATTERNS[4:6]:
        match = pattern.search(text)
        if not match:
            continue
        month_number = _month_number(match.group("mon"))
        if month_number is None:
            continue
        year = ref.year
        try:
            candidate = datetime(year, month_number, int(match.group("d")))
        except ValueError:
            continue
        if candidate > ref + timedelta(days=2):
            year -= 1  # "30 December" read in early January is last year's
        found = _make_date(
            year, month_number, int(match.group("d")), _time_outside(time_match, match), reference
        )
        if found:
            return found
    relative = _RELATIVE_DAY.search(text)
    if relative:
        then = (ref - timedelta(days=lex.RELATIVE_DAYS[relative.group("word").lower()])).date()
        return _make_date(then.year, then.month, then.day, time_match, reference)
    ago = _RELATIVE_AGO.search(text)
    if ago:
        count_text = (ago.group("n1") or ago.group("n2") or "1").lower()
        count = int(count_text) if count_text.isdigit() else 1
        if count > 10000:
            return None
        unit = lex.RELATIVE_UNITS[(ago.group("u1") or ago.group("u2")).lower()]
        moment = reference - timedelta(seconds=count * unit)
        if unit >= 86400:
            return PublishedDate(
                moment.replace(hour=0, minute=0, second=0, microsecond=0), DatePrecision.DAY, DateOrigin.TEXT
            )
        return PublishedDate(moment.replace(second=0, microsecond=0), DatePrecision.DATETIME, DateOrigin.TEXT)
    return None


# Absolute forms (ISO, day-month-year, month-day-year, numeric), for callers that only need to find one.
ABSOLUTE_DATE_PATTERNS = tuple(pattern for _, pattern in _DATE_PATTERNS[:4])
