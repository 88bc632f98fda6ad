"""parse_feed, entry_is_complete, entry_to_raw_document, and the OPML reader/writer."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.errors import ParseError
from dateline.ingest.feeds import entry_is_complete, entry_to_raw_document, parse_feed
from dateline.ingest.opml import parse_opml, write_opml
from dateline.models import DateOrigin, DatePrecision, FeedEntry, FeedSubscription, PublishedDate

FIXTURES = Path(__file__).parent / "fixtures" / "ingest"
FEED_URL = "https://gazette.example/feed.xml"


def _fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _entry(**changes: object) -> FeedEntry:
    fields: dict[str, object] = {
        "feed_url": FEED_URL,
        "entry_id": "id-1",
        "link": "https://gazette.example/story",
        "title": "A story",
        "authors": ("Mary Jones",),
        "published": PublishedDate(
            datetime(2025, 11, 30, 9, 15, tzinfo=UTC), DatePrecision.DATETIME, DateOrigin.FEED
        ),
        "summary": None,
        "content_html": None,
        "feed_title": "The Harbour Gazette",
    }
    fields.update(changes)
    return FeedEntry(**fields)  # type: ignore[arg-type]


# -- parse_feed -----------------------------------------------------------------------------------


def test_rss2_entries_are_normalised() -> None:
    title, entries = parse_feed(_fixture("rss2_full.xml"), feed_url=FEED_URL)
    assert title == "The Harbour Gazette"
    assert [e.entry_id for e in entries][:2] == [
        "gazette-2025-1130-001",
        "https://gazette.example/2025/11/29/ferry-winter",
    ]
    assert len(entries) == 3  # the repeated guid is dropped

    sea_wall = entries[0]
    assert sea_wall.link == "https://gazette.example/2025/11/30/sea-wall"  # resolved against the feed URL
    assert sea_wall.title == "Council approves new sea wall after storm damage"
    assert sea_wall.authors == ("Mary Jones", "Tom Okafor")
    assert sea_wall.published == PublishedDate(
        datetime(2025, 11, 30, 9, 15, tzinfo=UTC), DatePrecision.DATETIME, DateOrigin.FEED
    )
    assert sea_wall.content_html is not None
    assert "&#8220;We cannot wait for the next storm,&#8221;" in sea_wall.content_html
    assert sea_wall.summary == "The council voted 9-2 to fund a new sea wall…"
    assert sea_wall.feed_title == "The Harbour Gazette"
    assert sea_wall.identity() == f"feed:{FEED_URL}#gazette-2025-1130-001"

    ferry = entries[1]
    assert ferry.published == PublishedDate(datetime(2025, 11, 29), DatePrecision.DAY, DateOrigin.FEED)
    assert ferry.authors == ("Ana Silva",)
    assert ferry.content_html is None

    letters = entries[2]
    assert letters.link is None
    assert letters.entry_id.startswith("sha256:")
    assert not letters.published.known


def test_entry_id_hash_is_stable() -> None:
    first = parse_feed(_fixture("rss2_full.xml"), feed_url=FEED_URL)[1][2].entry_id
    second = parse_feed(_fixture("rss2_full.xml"), feed_url=FEED_URL)[1][2].entry_id
    assert first == second


def test_atom_entries_keep_offsets_and_content() -> None:
    title, entries = parse_feed(_fixture("atom.xml"), feed_url="https://journal.example/atom.xml")
    assert title == "Le Journal du Port"
    budget, breve = entries
    assert budget.entry_id == "tag:journal.example,2025:budget"
    assert budget.published.value == datetime(2025, 11, 30, 8, 0, tzinfo=timezone(timedelta(hours=1)))
    assert budget.published.precision is DatePrecision.DATETIME
    assert budget.authors == ("Claire Dupont",)
    assert budget.content_html is not None and "un budget en hausse" in budget.content_html
    # No published date: updated is used, and a bare date is day-precise.
    assert breve.published == PublishedDate(datetime(2025, 11, 29), DatePrecision.DAY, DateOrigin.FEED)
    # Plain-text content is escaped into HTML paragraphs, never passed through as markup.
    assert breve.content_html == (
        "<p>Premier paragraphe avec &lt;balise&gt; littérale.</p><p>Second paragraphe.</p>"
    )
    assert breve.link is None  # an Atom id is not a link


def test_rss091_with_netscape_doctype_and_rss1() -> None:
    title, entries = parse_feed(_fixture("rss091_netscape.xml"), feed_url="http://oldschool.example/rss")
    assert title == "Old School News"
    assert [e.link for e in entries] == ["http://oldschool.example/still-here"]
    title, entries = parse_feed(_fixture("rss1_rdf.xml"), feed_url="https://rdf.example/rss")
    assert title == "RDF Weekly"
    assert entries[0].published.value == datetime(2025, 11, 28, 12, 0, tzinfo=UTC)


def test_bozo_feed_is_salvaged() -> None:
    title, entries = parse_feed(_fixture("bozo_feed.xml"), feed_url="https://broken.example/rss")
    assert [e.link for e in entries] == ["https://broken.example/1", "https://broken.example/2"]
    assert title is not None and "Broken" in title


@pytest.mark.parametrize("fixture", ["billion_laughs.xml", "external_entity.xml", "parameter_entity.xml"])
def test_entity_attacks_are_refused(fixture: str) -> None:
    started = time.perf_counter()
    with pytest.raises(ParseError, match="declares XML entities") as info:
        parse_feed(_fixture(fixture), feed_url="https://attack.example/rss")
    assert time.perf_counter() - started < 2
    assert "\n" not in str(info.value)


def test_entity_declaration_in_a_malformed_prolog_is_refused() -> None:
    content = b'junk<!DOCTYPE rss [<!ENTITY a "&b;&b;">]><rss><channel><item><title>&a;</title></item></channel></rss>'
    with pytest.raises(ParseError, match="declares entities"):
        parse_feed(content, feed_url="https://attack.example/rss")


def test_utf16_feed_with_entities_is_still_refused() -> None:
    content = _fixture("billion_laughs.xml").decode("utf-8").encode("utf-16")
    with pytest.raises(ParseError, match="entities"):
        parse_feed(content, feed_url="https://attack.example/rss")


def test_cp1252_feed_is_decoded() -> None:
    xml = (
        '<?xml version="1.0" encoding="windows-1252"?><rss version="2.0"><channel><title>Café “news”</title>'
        "<item><title>Déjà vu</title><link>https://cafe.example/1</link></item></channel></rss>"
    ).encode("cp1252")
    title, entries = parse_feed(xml, feed_url="https://cafe.example/rss")
    assert title == "Café “news”"
    assert entries[0].title == "Déjà vu"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "feed is empty"),
        (b"   \n ", "feed is empty"),
        (
            b"<html><head><title>x</title></head><body><p>Not a feed</p></body></html>",
            "not an RSS or Atom feed",
        ),
        (b"\x89PNG\r\n\x1a\n" + bytes(200), "not an RSS or Atom feed"),
        (b"<rss", "not an RSS or Atom feed"),
    ],
)
def test_not_a_feed(content: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_feed(content, feed_url="https://x.example/rss")
    assert "\n" not in str(info.value)


def test_empty_but_valid_feed() -> None:
    content = b'<rss version="2.0"><channel><title>Quiet day</title></channel></rss>'
    assert parse_feed(content, feed_url="https://x.example/rss") == ("Quiet day", [])


def test_five_thousand_entries_parse_quickly() -> None:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://big.example/{i}</link><guid>big-{i}</guid>"
        f"<pubDate>Sun, 30 Nov 2025 12:00:00 +0100</pubDate>"
        f"<description>&lt;p&gt;Summary {i} with &lt;b&gt;markup&lt;/b&gt;.&lt;/p&gt;</description></item>"
        for i in range(5000)
    )
    content = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'
    started = time.perf_counter()
    _title, entries = parse_feed(content.encode(), feed_url="https://big.example/rss")
    elapsed = time.perf_counter() - started
    assert len(entries) == 5000
    # A guid without isPermaLink="false" is a permalink, so feedparser resolves it against the feed URL.
    assert entries[-1].entry_id == "https://big.example/big-4999"
    assert elapsed < 15, f"5,000 entries took {elapsed:.1f} s"


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=1500))
def test_parse_feed_only_raises_parse_error(content: bytes) -> None:
    try:
        parse_feed(content, feed_url="https://fuzz.example/rss")
    except ParseError as exc:
        assert "\n" not in str(exc)


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=80),
    guid=st.text(max_size=40),
    date=st.text(max_size=40),
    body=st.text(max_size=200),
)
def test_feed_shaped_fuzz(title: str, guid: str, date: str, body: str) -> None:
    content = (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title><item>'
        f"<title>{title}</title><guid>{guid}</guid><pubDate>{date}</pubDate>"
        f"<description>{body}</description></item></channel></rss>"
    ).encode("utf-8", errors="replace")
    try:
        _, entries = parse_feed(content, feed_url="https://fuzz.example/rss")
    except ParseError:
        return
    for entry in entries:
        assert entry.entry_id
        entry_is_complete(entry)
        entry_to_raw_document(entry, None)


# -- entry_is_complete ----------------------------------------------------------------------------

LONG_BODY = "<p>" + " ".join(["word"] * 200) + ".</p>"


@pytest.mark.parametrize(
    ("changes", "complete"),
    [
        ({"content_html": LONG_BODY}, True),
        ({"summary": LONG_BODY}, True),
        ({"content_html": "<p>" + " ".join(["word"] * 200) + " […]</p>"}, False),
        ({"content_html": "<p>" + " ".join(["word"] * 200) + "</p><p><a href='/x'>Read more</a></p>"}, False),
        ({"content_html": "<p>" + " ".join(["word"] * 200) + "…</p>"}, False),
        ({"content_html": "<p>" + " ".join(["word"] * 500) + " <a>Continue reading →</a></p>"}, True),
        ({"summary": "<p>The council voted 9-2 to fund a new sea wall…</p>"}, False),
        ({"summary": "A complete but very short item."}, False),
        ({}, False),
    ],
)
def test_entry_is_complete(changes: dict[str, object], complete: bool) -> None:
    assert entry_is_complete(_entry(**changes)) is complete


# -- entry_to_raw_document ------------------------------------------------------------------------


def test_entry_to_raw_document() -> None:
    fetched_at = datetime(2025, 11, 30, 10, 0, tzinfo=UTC)
    entry = _entry(
        content_html="<p>Body &amp; soul.</p>", summary="<p>Teaser</p>", title='Tom & "Jerry" <live>'
    )
    document = entry_to_raw_document(entry, fetched_at)
    page = document.content.decode("utf-8")
    assert "<title>Tom &amp; &quot;Jerry&quot; &lt;live&gt;</title>" in page
    assert "<p>Body &amp; soul.</p>" in page
    assert "Teaser" not in page
    assert '<link rel="canonical" href="https://gazette.example/story">' in page
    assert document.source == f"{FEED_URL}#id-1"
    assert document.identity == f"feed:{FEED_URL}#id-1"
    assert document.media_type == "text/html; charset=utf-8"
    assert document.fetched_at == fetched_at
    hints = document.context_hints
    assert hints.url == "https://gazette.example/story"
    assert hints.title == 'Tom & "Jerry" <live>'
    assert hints.authors == ("Mary Jones",)
    assert hints.outlet == "The Harbour Gazette"
    assert hints.published == entry.published


def test_entry_to_raw_document_falls_back_to_summary() -> None:
    document = entry_to_raw_document(_entry(summary="<p>Only a summary</p>", link=None, title=None), None)
    page = document.content.decode("utf-8")
    assert "<p>Only a summary</p>" in page
    assert "<title>" not in page and "canonical" not in page


# -- OPML -----------------------------------------------------------------------------------------


def test_parse_opml_nested_categories() -> None:
    subscriptions = parse_opml(_fixture("subscriptions.opml"))
    assert subscriptions == [
        FeedSubscription(
            url="https://gazette.example/feed.xml",
            title="The Harbour Gazette",
            html_url="https://gazette.example/",
            category="News/World",
        ),
        FeedSubscription(url="https://journal.example/atom.xml", title="Journal", category="News/World"),
        FeedSubscription(url="https://wire.example/rss", title="Local Wire", category="News"),
        FeedSubscription(url="https://loose.example/feed", title="Uncategorised", category="Tech/Gadgets"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "empty"),
        (b"<opml><body><outline", "not well-formed"),
        (b"\xff\xfe\x00garbage", "not well-formed|could not be read"),
        (b'<?xml version="1.0"?><rss version="2.0"/>', r"root element is <rss>"),
    ],
)
def test_parse_opml_errors(content: bytes, message: str) -> None:
    with pytest.raises(ParseError, match=message) as info:
        parse_opml(content)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("fixture", ["opml_billion_laughs.opml", "opml_external_entity.opml"])
def test_opml_entity_attacks_are_refused(fixture: str) -> None:
    with pytest.raises(ParseError, match="declares XML entities"):
        parse_opml(_fixture(fixture))


def test_write_opml_is_readable_and_escaped() -> None:
    subscriptions = [
        FeedSubscription(
            url="https://a.example/feed?x=1&y=2", title='Ampersands & "quotes" <tags>', category="News"
        ),
        FeedSubscription(url="https://b.example/rss", title="Control\x01char"),
    ]
    written = write_opml(subscriptions, title="Mine & yours")
    assert written.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    read = parse_opml(written)
    assert read[0] == subscriptions[0]
    assert read[1].title == "Controlchar"


_SAFE_TEXT = (
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\ufffe\uffff/"),
        min_size=1,
        max_size=30,
    )
    .map(str.strip)
    .filter(bool)
)

_SUBSCRIPTION = st.builds(
    FeedSubscription,
    url=st.from_regex(r"https://[a-z]{1,12}\.example/[a-z0-9/]{0,20}", fullmatch=True),
    title=st.one_of(st.none(), _SAFE_TEXT),
    html_url=st.one_of(st.none(), st.from_regex(r"https://[a-z]{1,12}\.example/", fullmatch=True)),
    category=st.one_of(st.none(), st.lists(_SAFE_TEXT, min_size=1, max_size=3).map("/".join)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_SUBSCRIPTION, max_size=12, unique_by=lambda s: s.url))
def test_opml_round_trip(subscriptions: list[FeedSubscription]) -> None:
    # A title equal to the URL is read back as "no title" (writers put the URL in ``text``).
    expected = [
        s if s.title != s.url else FeedSubscription(s.url, None, s.html_url, s.category)
        for s in subscriptions
    ]
    read = parse_opml(write_opml(subscriptions))
    assert sorted(read, key=lambda s: s.url) == sorted(expected, key=lambda s: s.url)
    # Within one category, the written order is kept.
    for category in {s.category for s in expected}:
        assert [s for s in read if s.category == category] == [s for s in expected if s.category == category]


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1500))
def test_parse_opml_only_raises_parse_error(content: bytes) -> None:
    try:
        result = parse_opml(content)
    except ParseError as exc:
        assert "\n" not in str(exc)
    else:
        assert all(isinstance(s, FeedSubscription) for s in result)
