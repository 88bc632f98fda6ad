"""HTML extraction: golden fixtures (must contain / must not contain), fuzzing, and a pinned quality floor."""

from __future__ import annotations

import contextlib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dateline.errors import ExtractionError
from dateline.extract.html import (
    EXTRACTOR,
    byline_lines,
    clean_lines,
    extract_html,
    parse_html,
    provenance,
    split_authors,
    split_credit,
    standfirst,
)
from dateline.models import Caption, DateOrigin, DatePrecision

FIXTURES = Path(__file__).parent / "fixtures" / "html"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def body_of(paragraphs: tuple[str, ...]) -> str:
    return "\n".join(paragraphs)


# ------------------------------------------------------------------ golden pages


def test_news_article_fields() -> None:
    fields = extract_html(fixture("news_article.html"), url="https://www.coastalcourier.example/x")
    assert fields.extractor == EXTRACTOR == "html.v2"
    assert fields.title == "Harbour towns brace for the biggest spring tide in decades"
    assert fields.authors == ("Maria Okonkwo", "Tom Ellery")
    assert fields.outlet == "The Coastal Courier"
    assert fields.via is None
    assert fields.section == "Environment"
    assert fields.language == "en"
    assert fields.url == "https://www.coastalcourier.example/environment/2025/11/28/harbour-towns-spring-tide"
    assert fields.standfirst is not None and fields.standfirst.startswith(
        "Engineers say the new flood barriers"
    )
    # JSON-LD datePublished, not the later dateModified nor any related or comment date
    assert fields.published.value == datetime(2025, 11, 28, 7, 30, tzinfo=UTC)
    assert fields.published.precision is DatePrecision.DATETIME
    assert fields.published.origin is DateOrigin.METADATA


def test_news_article_body_keeps_text_and_subheadings_in_order() -> None:
    paragraphs = extract_html(fixture("news_article.html")).paragraphs
    text = body_of(paragraphs)
    must_contain = [
        "Harbour towns along the west coast are preparing for the highest spring tide",
        "The tide is expected to peak shortly after 9pm on Friday",
        "New barriers face their first real test",
        "If the seals hold on Friday, they will hold for the next fifty years.",
        "The harbour master has suspended all moorings",
        "Residents can collect free sandbags from the fire station on Quay Road",
    ]
    positions = [text.index(snippet) for snippet in must_contain]
    assert positions == sorted(positions)
    assert "New barriers face their first real test" in paragraphs  # the sub-heading is its own paragraph


@pytest.mark.parametrize(
    "chrome",
    [
        "We use cookies",  # cookie banner
        "Accept all",
        "Manage preferences",
        "Subscribe",  # navigation
        "Related stories",  # related block and its teasers
        "Port Evan counts the cost",
        "Ministers approve barrier funding",
        "my street flooded three times",  # comments
        "quay car park",
        "All rights reserved",  # footer
        "Privacy policy",
        "Advertisement",  # ad slot
        "Read more:",  # inline teaser link
        "Share on Facebook",  # share tools
        "Waves break over the sea wall",  # captions live in `captions`, not the body
        "Council workers practise fitting",
        "Photo: Jane Rowe",
    ],
)
def test_news_article_body_excludes_chrome(chrome: str) -> None:
    assert chrome not in body_of(extract_html(fixture("news_article.html")).paragraphs)


def test_news_article_captions_are_kept_apart_with_credits() -> None:
    captions = extract_html(fixture("news_article.html")).captions
    assert captions == (
        Caption(
            text="Waves break over the sea wall at Port Evan during last winter's storms, 12 January 2025.",
            credit="Jane Rowe/Coastal Courier",
        ),
        Caption(
            text="Council workers practise fitting a barrier panel on the quay in October.",
            credit="Reuters/Ali Haddad",
        ),
    )
    # the related block's picture is not the article's
    assert all("2019" not in caption.text for caption in captions)


def test_aggregator_reserving_a_reuters_story() -> None:
    fields = extract_html(fixture("aggregator_reuters.html"), url="https://newshub.example/business/x")
    assert fields.outlet == "Reuters"
    assert fields.via == "NewsHub Daily"
    text = body_of(fields.paragraphs)
    assert text.startswith("FRANKFURT (Reuters) - The central bank kept its key interest rate unchanged")
    assert "Originally published by Reuters" not in text
    assert "More from NewsHub Daily" not in text
    assert "Oil slips as stockpiles rise" not in text
    assert fields.authors == ("Anna Keller",)  # from the wire sign-off
    # the description only repeats the headline: not a standfirst
    assert fields.standfirst is None


def test_wrong_declared_charset_is_decoded_as_what_the_bytes_are() -> None:
    raw = fixture("wrong_charset.html")
    assert b"charset=iso-8859-1" in raw and "Zürcher".encode() in raw  # UTF-8 bytes, Latin-1 label
    fields = extract_html(raw)
    assert fields.title == "Zürcher Bäckerei gewinnt Preis für das beste Brot"
    text = body_of(fields.paragraphs)
    assert "Seefeldstraße" in text and "„Wir backen seit 1952" in text
    assert "Ã" not in text and "Ã" not in (fields.title or "")
    assert fields.authors == ("Jürg Müller",)  # taken from the "Von ..." line, which leaves the body
    assert not text.startswith("Von ")
    assert fields.language == "de"


def test_cp1252_bytes_labelled_utf8_are_decoded() -> None:
    page = fixture("wrong_charset.html").decode("utf-8").replace("charset=iso-8859-1", "charset=utf-8")
    fields = extract_html(page.encode("cp1252"))
    assert "Seefeldstraße" in body_of(fields.paragraphs)
    assert fields.title == "Zürcher Bäckerei gewinnt Preis für das beste Brot"


def test_str_and_bytes_give_the_same_article() -> None:
    raw = fixture("news_article.html")
    assert extract_html(raw) == extract_html(raw.decode("utf-8"))


def test_dates_of_captions_related_posts_and_comments_are_not_taken() -> None:
    fields = extract_html(fixture("dates_everywhere.html"))
    assert fields.published.value is not None
    assert fields.published.value.date().isoformat() == "2024-03-14"
    assert fields.captions == (
        Caption(text="The number 42 bus at the village green on 2 January 2019.", credit="Hannah Price"),
    )
    text = body_of(fields.paragraphs)
    assert "Village fete raises record sum" not in text
    assert "I use this bus every day" not in text


@pytest.mark.parametrize(
    "page",
    [
        b"",
        "",
        "   \n ",
        "<html><head></head><body></body></html>",
        "<html><head><title>Home</title></head><body><nav><a href='/'>Home</a></nav></body></html>",
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3",
    ],
)
def test_pages_without_article_text_raise_extraction_error(page: str | bytes) -> None:
    with pytest.raises(ExtractionError):
        extract_html(page)


@pytest.mark.slow
def test_five_megabyte_page() -> None:
    article = (FIXTURES / "news_article.html").read_text(encoding="utf-8")
    teaser = (
        '<li class="archive-item"><a href="/archive/{n}">Archive story number {n} about the harbour</a>'
        '<span class="archive-date">1 January 2010</span></li>'
    )
    archive = "".join(teaser.format(n=n) for n in range(40_000))
    page = article.replace("</main>", f'</main><div class="archive"><ul>{archive}</ul></div>')
    assert len(page.encode()) > 5_000_000
    started = time.perf_counter()
    fields = extract_html(page)
    elapsed = time.perf_counter() - started
    text = body_of(fields.paragraphs)
    assert "Harbour towns along the west coast are preparing" in text
    assert "Archive story number" not in text
    assert elapsed < 30, f"5 MB page took {elapsed:.1f} s"


# ------------------------------------------------------------------ field functions


@pytest.mark.parametrize(
    ("caption", "expected"),
    [
        ("Crowds in Kyiv. Photo: Jane Doe/Reuters", ("Crowds in Kyiv.", "Photo: Jane Doe/Reuters")),
        (
            "Protesters outside parliament (AFP via Getty Images)",
            ("Protesters outside parliament", "AFP via Getty Images"),
        ),
        ("Der Kanzler in Berlin. Foto: dpa", ("Der Kanzler in Berlin.", "Foto: dpa")),
        ("A man walks past. REUTERS/Jane Doe", ("A man walks past.", "REUTERS/Jane Doe")),
        ("A plain caption without any credit.", ("A plain caption without any credit.", None)),
    ],
)
def test_split_credit(caption: str, expected: tuple[str, str | None]) -> None:
    assert split_credit(caption) == expected


def test_clean_lines_drops_residual_chrome_only() -> None:
    lines = [
        "09 Oct 2018",
        "The first real paragraph of the story, with a full sentence.",
        "Advertisement",
        "Lesen Sie auch: Merkel tritt zurück",
        "AFP / MARCO BERTORELLO",
        "A second paragraph that mentions an advertisement in passing.",
        "Related articles",
        "Other story one",
        "Other story two",
        "The story goes on after the related block, as it often does.",
        "Published: 30.11.2025, 14:05",
    ]
    assert clean_lines(lines) == [
        "The first real paragraph of the story, with a full sentence.",
        "A second paragraph that mentions an advertisement in passing.",
        "The story goes on after the related block, as it often does.",
    ]


def test_clean_lines_drops_captions_and_the_repeated_title() -> None:
    captions = [
        Caption(
            "Einen Studienplatz, aber keine Wohnung? So geht es momentan einigen Erstis.", "Ingo Schneider"
        )
    ]
    lines = [
        "Wohnungsnot in Freiburg",
        "Einen Studienplatz, aber keine Wohnung? So geht es momentan einigen Erstis. Foto: Ingo Schneider",
        "Gesine aus Tübingen läuft die Zeit davon.",
    ]
    assert clean_lines(lines, captions=captions, title="Wohnungsnot in Freiburg") == [
        "Gesine aus Tübingen läuft die Zeit davon."
    ]


def test_byline_lines() -> None:
    assert byline_lines(["By Maria Okonkwo and Tom Ellery", "Text."]) == (
        ["Text."],
        ("Maria Okonkwo", "Tom Ellery"),
    )
    assert byline_lines(["Von Jürg Müller", "Text."]) == (["Text."], ("Jürg Müller",))
    # sentences that merely start like a byline stay
    assert byline_lines(["By the end of the year, prices rose.", "Text."])[1] == ()
    assert byline_lines(["Von Berlin nach Hamburg fährt ein Zug.", "Text."])[1] == ()
    signed = ["Text.", "Reporting by Anna Keller in Frankfurt and John Smith; Editing by Mark Potter"]
    assert byline_lines(signed) == (signed, ("Anna Keller", "John Smith"))


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (
            ["Text.", "This article originally appeared on The Conversation."],
            ("The Conversation", "Local Paper"),
        ),
        (["Text.", "Source: Reuters"], ("Reuters", "Local Paper")),
        (["WASHINGTON (AP) — The Senate voted on Tuesday.", "More text."], ("AP", "Local Paper")),
        # contributors are not the outlet; an unknown "source" is not a publisher
        (["Text.", "Mit Material von dpa"], ("Local Paper", None)),
        (["Text.", "Source: interviews with residents"], ("Local Paper", None)),
    ],
)
def test_provenance(lines: list[str], expected: tuple[str, str | None]) -> None:
    tree = parse_html("<html><head></head><body><p>x</p></body></html>")
    outlet, via, kept = provenance(tree, lines, "Local Paper", "https://localpaper.example/story")
    assert (outlet, via) == expected
    assert not any("originally appeared" in line or line == "Source: Reuters" for line in kept)


def test_a_wire_service_on_its_own_site_is_not_via_itself() -> None:
    tree = parse_html("<html><head></head><body><p>x</p></body></html>")
    assert provenance(tree, ["LONDON (Reuters) - Text."], "Thomson Reuters", None)[:2] == (
        "Thomson Reuters",
        None,
    )


def test_split_authors() -> None:
    assert split_authors("Maria Okonkwo; Tom Ellery; Maria Okonkwo") == ("Maria Okonkwo", "Tom Ellery")
    assert split_authors("By Jane Doe") == ("Jane Doe",)
    assert split_authors(None) == ()


def test_standfirst_only_when_it_is_not_the_opening_again() -> None:
    opening = ["Harbour towns along the west coast are preparing for the highest spring tide in forty years."]
    assert (
        standfirst(
            "Harbour towns along the west coast are preparing for the highest spring tide in...",
            opening,
            None,
        )
        is None
    )
    summary = "Engineers say the new barriers will be tested for the first time this Friday evening."
    assert standfirst(summary, opening, None) == summary
    assert standfirst("Short.", opening, None) is None


# ------------------------------------------------------------------ fuzzing


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=2000))
def test_any_text_extracts_or_raises_extraction_error(page: str) -> None:
    try:
        fields = extract_html(page)
    except ExtractionError:
        return
    assert fields.paragraphs and all(p.strip() for p in fields.paragraphs)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_any_bytes_extract_or_raise_extraction_error(page: bytes) -> None:
    with contextlib.suppress(ExtractionError):
        extract_html(page)


_TAGS = st.sampled_from(
    [
        "html",
        "head",
        "body",
        "title",
        "article",
        "div",
        "p",
        "figure",
        "figcaption",
        "h1",
        "h2",
        "ul",
        "li",
        "script",
        "time",
        "meta",
        "nav",
        "aside",
        "table",
        "td",
        "a",
        "span",
        "br",
        "!--",
        "![CDATA[",
        "?xml",
    ]
)
_ATTRS = st.sampled_from(
    [
        "",
        ' class="caption"',
        ' class="related"',
        ' itemprop="datePublished" content="2020-02-30"',
        ' datetime="9999-99-99"',
        ' property="article:published_time" content="nonsense"',
        ' lang="x-\u0000"',
        ' type="application/ld+json"',
        ' charset="utf-16"',
        ' class="byline"',
    ]
)
_TEXT = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=80)
_FRAGMENT = st.one_of(
    st.builds(lambda tag, attrs: f"<{tag}{attrs}>", _TAGS, _ATTRS),
    st.builds(lambda tag: f"</{tag}>", _TAGS),
    _TEXT,
    st.just('{"@context": "https://schema.org", "datePublished": "2019-13-45T99:00"'),
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_FRAGMENT, max_size=60), st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252"]))
def test_tag_soup_extracts_or_raises_extraction_error(fragments: list[str], encoding: str) -> None:
    page = "".join(fragments)
    with contextlib.suppress(ExtractionError):
        extract_html(page.encode(encoding, errors="replace"), url="https://example.org/2020/02/30/x")


# ------------------------------------------------------------------ pinned quality floor


# Floors pinned from the full benchmark run (see BENCHMARKS.md), a few points below what this
# sample scored when they were set, so only a real regression trips them.
SEGMENT_F1_FLOOR = 0.94  # sample scored 0.967 (40 pages)
WORD_F1_FLOOR = 0.90  # sample scored 0.930 (26 pages)


@pytest.mark.data
def test_quality_floor_on_a_sample_of_both_benchmarks() -> None:
    common = pytest.importorskip("bench.common")
    for parts in (("extraction", "trafilatura-eval"), ("extraction", "wcxb-dev")):
        if not common.data_root().joinpath(*parts).exists():
            pytest.skip(f"evaluation data not found under {common.data_root()}")

    segments = common.SegmentCounts()
    for page in common.trafilatura_eval_pages()[::25]:
        url = page.url if "://" in page.url else None
        try:
            text = body_of(extract_html(common.read_html(page.path), url=url).paragraphs)
        except ExtractionError:
            text = ""
        segments.add(text, page.with_segments, page.without_segments)
    scores = []
    for page in common.wcxb_pages()[::28]:
        try:
            text = body_of(extract_html(page.html(), url=page.url or None).paragraphs)
        except ExtractionError:
            text = ""
        scores.append(common.word_prf(text, page.main_content)[2])

    segment_f1 = segments.prf()[2]
    word_f1 = common.mean(scores)
    assert segment_f1 >= SEGMENT_F1_FLOOR, f"trafilatura-eval sample segment F1 {segment_f1:.3f}"
    assert word_f1 >= WORD_F1_FLOOR, f"wcxb sample word F1 {word_f1:.3f}"
