"""When an HTML page was published: structured metadata, then the URL, then htmldate.

Each source is a small function from the parsed tree (or the URL) to a ``PublishedDate``;
``published_from_html`` tries them in order of trust and keeps the first that answers.

* Metadata (``DateOrigin.METADATA``): JSON-LD ``datePublished`` of the article object,
  ``article:published_time`` and its many aliases, ``itemprop="datePublished"``, and a
  ``<time datetime>`` in the article's own header. Only *publication* fields are read;
  modified/updated fields are never taken for a publication date.
* URL (``DateOrigin.URL``): ``/2025/11/30/``, ``/2025-11-30-``, ``/20251130/``, ``/2025/11/``.
* htmldate (``DateOrigin.HTMLDATE``): its heuristics over the whole page, asked for the
  original date, run on a copy of the page without figures, asides, comments and
  related-article blocks so that their dates cannot win.

A time of day is kept only when the page gave one (precision ``DATETIME``); a bare
midnight counts as a day, because CMSs pad date-only fields with ``T00:00:00``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any

import htmldate.extractors
from htmldate import find_date
from htmldate.extractors import try_date_expr
from lxml.etree import XPath
from lxml.html import HtmlElement

from dateline.models import UNKNOWN_DATE, DateOrigin, DatePrecision, PublishedDate

# Oldest date we believe for a web page; later than this + a day ahead is a typo or a timezone slip.
EARLIEST = datetime(1995, 1, 1)
_FUTURE_SLACK = timedelta(days=1)
_MONTH_URL_WINDOW = timedelta(days=62)
_LATER_EDITION = timedelta(days=2)

# Meta names/properties that carry the *publication* date, lower-case. Order does not matter:
# the first such tag in document order wins, as in htmldate.
PUBLISHED_META: frozenset[str] = frozenset(
    {
        "article:published_time",
        "article:published",
        "article:published_date",
        "article:post_date",
        "article.published",
        "article_date_original",
        "article:publicationdate",
        "og:published_time",
        "og:article:published_time",
        "og:article:published",
        "og:pubdate",
        "og:publish_date",
        "og:datepublished",
        "datepublished",
        "date_published",
        "published_time",
        "published_date",
        "published-date",
        "publish_date",
        "publish-date",
        "publishdate",
        "publish_time",
        "publication_date",
        "publication-date",
        "pubdate",
        "parsely-pub-date",
        "sailthru.date",
        "cxenseparse:recs:publishtime",
        "dc.date.issued",
        "dc.date.created",
        "dc.date.publication",
        "dc.date",
        "dc:date",
        "dc.created",
        "dcterms.issued",
        "dcterms.created",
        "dcterms.date",
        "citation_publication_date",
        "citation_date",
        "originalpublicationdate",
        "original-publish-date",
        "displaydate",
        "date",
        "datecreated",
        "date_created",
        "bt:pubdate",
        "rnews:datepublished",
    }
)

ARTICLE_TYPES: frozenset[str] = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "askpublicnewsarticle",
        "blogposting",
        "liveblogposting",
        "socialmediaposting",
        "scholarlyarticle",
        "techarticle",
        "report",
        "review",
        "podcastepisode",
        "videoobject",
        "creativework",
    }
)
PAGE_TYPES: frozenset[str] = frozenset(
    {"webpage", "itempage", "aboutpage", "collectionpage", "medicalwebpage"}
)

# JSON-LD that fails to parse (trailing commas, raw newlines): a crude first-match fallback.
_JSON_PUBLISHED_RE = re.compile(r'"datePublished"\s*:\s*"([^"]{6,40})"')

# Containers whose dates belong to something else: pictures, teasers, comments, page chrome.
_FOREIGN_TAGS = frozenset({"figure", "figcaption", "aside", "nav", "footer", "li"})
_FOREIGN_MARKER = re.compile(
    r"related|teaser|recommend|promo|comment|sidebar|widget|more-|caption|credit|footer|newsletter|"
    r"popular|trending|latest|rail|card",
    re.I,
)
_UPDATE_MARKER = re.compile(r"updat|modif|edit", re.I)
# Plain XPath, filtered in Python: EXSLT regex tests on every ancestor cost a millisecond a page.
_ITEMPROP_PUBLISHED = XPath(
    ".//*[@itemprop='datePublished' or @itemprop='datepublished' or @itemprop='dateCreated']"
)
_TIME_PUBDATE = XPath(".//time[@pubdate][@datetime]")
_TIME_DATETIME = XPath(".//time[@datetime]")
_ARTICLE_HEADER_TAGS = frozenset({"article", "header", "main"})
# The day must end its path segment ("/3-fragen" is not the 3rd), unless written with two digits.
_URL_YMD = re.compile(
    r"(?<![0-9])((?:19|20)[0-9]{2})([/_.-])([01]?[0-9])\2([0-3][0-9](?![0-9])|[1-9](?=/|$|\.html?))"
)
_URL_COMPACT = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})([01][0-9])([0-3][0-9])(?![0-9])")
_URL_YM = re.compile(r"/((?:19|20)[0-9]{2})/([01]?[0-9])(?:/|$)")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}(?:$|[T ])")


def published_from_html(tree_or_html: HtmlElement | str | bytes, *, url: str | None = None) -> PublishedDate:
    """The page's publication date, from the most trusted source that gives one.

    ``url`` is where the page lives (its own canonical link is used when no URL is given).
    Never raises on odd markup: an unparseable page simply has no date.
    """
    if isinstance(tree_or_html, HtmlElement):
        tree = tree_or_html
    else:
        # Imported here: html.py imports this module, and parsing belongs to it.
        from dateline.errors import ExtractionError
        from dateline.extract.html import parse_html

        try:
            tree = parse_html(tree_or_html)
        except ExtractionError:
            return UNKNOWN_DATE
    page_url = url or canonical_link(tree)
    from_metadata = date_from_metadata(tree)
    from_url = date_from_url(page_url)
    if from_metadata is not None:
        return _checked_against_url(from_metadata, from_url)
    if from_url is not None and from_url.precision is DatePrecision.DAY:
        return from_url
    from_htmldate = date_from_htmldate(tree, url=page_url)
    if from_url is not None and from_url.value is not None:
        # /2025/11/ names the month only: htmldate may name the day unless it contradicts the URL
        # (a page is not published before its URL's month; an update may come weeks later)
        start = from_url.value
        day = from_htmldate.value if from_htmldate is not None else None
        if from_htmldate is not None and day is not None and start <= day < start + _MONTH_URL_WINDOW:
            return from_htmldate
        return from_url
    return from_htmldate or UNKNOWN_DATE


def _checked_against_url(declared: PublishedDate, from_url: PublishedDate | None) -> PublishedDate:
    """Metadata, unless the URL's own day shows it is a later edition or a UTC day boundary.

    A URL is minted when a story is first published: metadata more than two days later is an
    update re-announced as publication. A UTC timestamp one day off the URL's day is the
    newsroom's local evening or morning; it is shown at the nearest offset that lands on the
    URL's day (same instant, local calendar day).
    """
    if from_url is None or from_url.precision is not DatePrecision.DAY or declared.value is None:
        return declared
    url_day, declared_day = from_url.value.date(), declared.value.date()  # type: ignore[union-attr]
    if declared_day == url_day:
        return declared
    if declared_day > url_day + _LATER_EDITION:
        return from_url
    if declared.value.utcoffset() == timedelta(0) and abs(declared_day - url_day) == timedelta(days=1):
        wall = declared.value.replace(tzinfo=None)
        midnight = datetime.combine(url_day, datetime.min.time())
        # hours to move: forward onto the next day, or back before midnight of the URL's day
        shift = midnight - wall if url_day > declared_day else midnight + timedelta(days=1) - wall
        hours = (
            math.ceil(shift / timedelta(hours=1))
            if shift > timedelta(0)
            else math.floor(shift / timedelta(hours=1))
        )
        if -12 <= hours <= 14:
            return PublishedDate(
                declared.value.astimezone(timezone(timedelta(hours=hours))),
                declared.precision,
                declared.origin,
            )
    return declared


def canonical_link(tree: HtmlElement) -> str | None:
    for xpath in ('.//head/link[@rel="canonical"]', './/head/meta[@property="og:url"]'):
        for element in tree.iterfind(xpath):
            value = element.get("href") or element.get("content")
            if value and value.strip():
                return value.strip()
    return None


# ------------------------------------------------------------------ metadata


def date_from_metadata(tree: HtmlElement) -> PublishedDate | None:
    """JSON-LD, meta tags, itemprop and header ``<time>``: the dates a page declares about itself.

    The first parseable candidate wins; the others only refine it: a UTC timestamp is shown
    in the page's own zone when another field gives the same instant in local time, and a
    bare day is upgraded to a full timestamp on the same day.
    """
    parsed = [p for p in (parse_date_string(c) for c in _metadata_candidates(tree)) if p is not None]
    if not parsed:
        return None
    value, precision = parsed[0]
    if precision is DatePrecision.DAY:
        for other, other_precision in parsed[1:]:
            if other_precision is DatePrecision.DATETIME and other.date() == value.date():
                value, precision = other, other_precision
                break
    value = _in_local_zone(value, [other for other, _ in parsed[1:]])
    return PublishedDate(value, precision, DateOrigin.METADATA)


def _in_local_zone(value: datetime, others: list[datetime]) -> datetime:
    """``value`` (UTC) moved to the zone of another field that states the same instant locally."""
    offset = value.utcoffset()
    if offset is None or offset != timedelta(0):
        return value
    utc_wall = value.replace(tzinfo=None)
    for other in others:
        other_offset = other.utcoffset()
        if other_offset is not None:
            if other_offset != timedelta(0) and other == value:
                return value.astimezone(other.tzinfo)
            continue
        shift = other - utc_wall
        if shift and abs(shift) <= timedelta(hours=14) and shift % timedelta(minutes=15) == timedelta(0):
            return value.astimezone(timezone(shift))
    return value


def _metadata_candidates(tree: HtmlElement) -> Iterator[str]:
    """Publication-date strings the page declares, most trusted first (measured on htmldate's set)."""
    for element in tree.iterfind(".//head/meta[@content]"):
        key = (element.get("property") or element.get("name") or element.get("itemprop") or "").lower()
        if key in PUBLISHED_META:
            yield element.get("content", "")
    yield from _json_ld_dates(tree)
    for element in _ITEMPROP_PUBLISHED(tree):
        if not _in_foreign_container(element):
            yield element.get("content") or element.get("datetime") or element.text_content()
    for element in _TIME_DATETIME(tree):
        if _is_header_time(element):
            yield element.get("datetime", "")
            break
    for element in _TIME_PUBDATE(tree):
        yield element.get("datetime", "")


def _in_foreign_container(element: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor.tag in _FOREIGN_TAGS:
            return True
        marker = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if len(marker) > 1 and _FOREIGN_MARKER.search(marker):
            return True
    return False


def _is_header_time(element: HtmlElement) -> bool:
    """A ``<time datetime>`` in the article's header: under <article>/<header>/<main>, not in a
    teaser, figure or comment, and not labelled as an update."""
    parent = element.getparent()
    labels = f"{element.get('class', '')} {element.get('itemprop', '')} {parent.get('class', '') if parent is not None else ''}"
    if _UPDATE_MARKER.search(labels) or (
        element.get("class", "") and _FOREIGN_MARKER.search(element.get("class", ""))
    ):
        return False
    if not any(ancestor.tag in _ARTICLE_HEADER_TAGS for ancestor in element.iterancestors()):
        return False
    return not _in_foreign_container(element)


def _json_ld_dates(tree: HtmlElement) -> Iterator[str]:
    """``datePublished`` of article-like JSON-LD objects first, then of page-like ones."""
    article_dates: list[str] = []
    page_dates: list[str] = []
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        text = script.text or ""
        if "datePublished" not in text and "uploadDate" not in text:
            continue
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            match = _JSON_PUBLISHED_RE.search(text)
            if match:
                page_dates.append(match[1])
            continue
        for item in _json_ld_objects(data):
            value = item.get("datePublished") or item.get("uploadDate")
            if not isinstance(value, str):
                continue
            types = item.get("@type")
            type_names = {
                t.lower() for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)
            }
            if type_names & ARTICLE_TYPES:
                article_dates.append(value)
            elif type_names & PAGE_TYPES or not type_names:
                page_dates.append(value)
    yield from article_dates
    yield from page_dates


def _json_ld_objects(data: Any, depth: int = 0) -> Iterator[dict[str, Any]]:
    """Top-level objects, ``@graph`` members and ``mainEntity``: not nested teasers or comments."""
    if depth > 3:
        return
    if isinstance(data, list):
        for item in data:
            yield from _json_ld_objects(item, depth + 1)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _json_ld_objects(data["@graph"], depth + 1)
        main = data.get("mainEntity") or data.get("mainEntityOfPage")
        if isinstance(main, dict):
            yield from _json_ld_objects(main, depth + 1)


# ------------------------------------------------------------------ URL


def date_from_url(url: str | None) -> PublishedDate | None:
    """A date in the URL path: day precision for y/m/d, month precision for y/m."""
    if not url:
        return None
    path = re.sub(r"^[a-z]+://[^/]+", "", url.strip(), flags=re.I).split("#", 1)[0]
    for pattern in (_URL_YMD, _URL_COMPACT):
        for match in pattern.finditer(path):
            year, month, day = (match[1], match[3], match[4]) if pattern is _URL_YMD else match.groups()
            value = _valid(int(year), int(month), int(day))
            if value is not None:
                return PublishedDate(value, DatePrecision.DAY, DateOrigin.URL)
    month_match = _URL_YM.search(path)
    if month_match:
        value = _valid(int(month_match[1]), int(month_match[2]), 1)
        if value is not None:
            return PublishedDate(value, DatePrecision.MONTH, DateOrigin.URL)
    return None


def _valid(year: int, month: int, day: int) -> datetime | None:
    try:
        value = datetime(year, month, day)
    except ValueError:
        return None
    return value if _plausible(value) else None


def _plausible(value: datetime) -> bool:
    naive = value.replace(tzinfo=None)
    return EARLIEST <= naive <= datetime.now() + _FUTURE_SLACK


# ------------------------------------------------------------------ htmldate

# The languages whose month names htmldate's fallback parser (dateparser) tries. Its default is every
# locale dateparser knows (~200): one unparseable string then costs about a second per process while
# they all compile. These are the languages Dateline detects (extract/language.py) that dateparser reads.
_DATEPARSER_LANGUAGES = (
    "en", "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "pl", "tr", "ar", "zh", "ja", "ko", "sv", "da",
    "nb", "fi", "cs", "el", "he", "hu", "ro", "hi", "fa", "id", "vi", "ca", "hr", "sr", "bg", "sk",
)  # fmt: skip


@lru_cache(maxsize=1)
def _external_parser() -> Any:
    from dateparser import DateDataParser

    return DateDataParser(
        languages=list(_DATEPARSER_LANGUAGES),
        settings={
            # htmldate's own settings (htmldate.extractors.get_external_parser), languages aside.
            "NORMALIZE": True,
            "PARSERS": ["custom-formats", "absolute-time"],
            "PREFER_DATES_FROM": "past",
            "PREFER_LOCALE_DATE_ORDER": True,
            "RETURN_AS_TIMEZONE_AWARE": False,
            "STRICT_PARSING": True,
        },
    )


# htmldate looks the parser up through this module attribute on every call.
htmldate.extractors.get_external_parser = _external_parser


def date_from_htmldate(tree: HtmlElement, *, url: str | None, extensive: bool = True) -> PublishedDate | None:
    """htmldate's answer (original date, day precision).

    It gets the whole page: pruning figures, asides and comments first was measured to
    cost 3 points of accuracy, as htmldate already discards those regions itself.
    """
    try:
        found = find_date(tree, extensive_search=extensive, original_date=True, url=url)
    except (ValueError, TypeError, OverflowError, RecursionError):
        return None
    if not found:
        return None
    try:
        value = datetime.strptime(found, "%Y-%m-%d")
    except ValueError:
        return None
    return PublishedDate(value, DatePrecision.DAY, DateOrigin.HTMLDATE) if _plausible(value) else None


# ------------------------------------------------------------------ parsing


def parse_date_string(text: str | None) -> tuple[datetime, DatePrecision] | None:
    """A date (and time when given) from a machine-written or human-written date string.

    ISO 8601 and RFC 2822 keep their time and zone; anything else goes through htmldate's
    date-expression parser at day precision. Implausible dates (before 1995, in the future) give None.
    """
    if not text:
        return None
    return _parse_date_cached(text.strip()[:100])


@lru_cache(maxsize=4096)
def _parse_date_cached(text: str) -> tuple[datetime, DatePrecision] | None:
    if not text or not any(c.isdigit() for c in text):
        return None
    value = _parse_machine_date(text)
    if value is not None:
        if not _plausible(value):
            return None
        has_time = bool(_HAS_TIME.search(text)) and (value.hour, value.minute, value.second) != (0, 0, 0)
        return value, DatePrecision.DATETIME if has_time else DatePrecision.DAY
    if _ISO_LIKE.match(text):
        return None  # an ISO date fromisoformat refused is invalid (2025-02-30), not a fuzzy one
    found = try_date_expr(text, "%Y-%m-%d", False, EARLIEST, datetime.now() + _FUTURE_SLACK)
    if not found:
        return None
    try:
        return datetime.strptime(found, "%Y-%m-%d"), DatePrecision.DAY
    except ValueError:
        return None


def _parse_machine_date(text: str) -> datetime | None:
    candidate = text.replace(" ", "T", 1) if re.match(r"^\d{4}-\d{2}-\d{2} \d", text) else text
    candidate = re.sub(r"(\.\d{6})\d+", r"\1", candidate)  # nanoseconds: fromisoformat takes micro
    candidate = re.sub(r"\s*(UTC|GMT)$", "+00:00", candidate)
    try:
        return datetime.fromisoformat(candidate)
    except ValueError:
        pass
    if re.match(r"^[A-Za-z]{3},? \d", text):
        try:
            return parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if re.fullmatch(r"1[0-9]{9}(\.[0-9]+)?|1[0-9]{12}", text):  # unix seconds or milliseconds
        seconds = float(text) / (1000 if len(text) == 13 else 1)
        try:
            return datetime.fromtimestamp(seconds, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    return None
