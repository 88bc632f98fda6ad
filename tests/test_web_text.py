"""The reader's pure helpers: article text as HTML (web.text), the small view helpers that decide what
a page may link to or mark (web.views), and the trending score (web.trending)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markupsafe import Markup, escape

from dateline.store.reader import MATCH_END, MATCH_START, StoryActivity
from dateline.web.text import render_segments
from dateline.web.trending import HALF_LIFE_HOURS, rank_trending, trending_score
from dateline.web.views import display_host, marked_parts, outlet_warning, parse_highlight, safe_url
from tests.builders import make_article

TAG = re.compile(r"<[^>]*>")


def render(
    text: str,
    annotations: Sequence[dict[str, Any]] = (),
    highlight: dict[str, Any] | None = None,
    field: str = "text",
) -> list[Markup]:
    article = {"text": text, "title": text if field == "title" else "A title", "standfirst": None}
    return render_segments(
        {"article": article, "annotations": list(annotations), "highlight": highlight}, field
    )


def entity(start: int, end: int, key: str = "person:ingrid sol", kind: str = "person") -> dict[str, Any]:
    return {"kind": "entity", "start": start, "end": end, "type": kind, "entity": key}


def quote_span(start: int, end: int, speaker: str | None = "Ingrid Sol") -> dict[str, Any]:
    return {"kind": "quote", "start": start, "end": end, "speaker": speaker, "speaker_entity": None}


def date_span(start: int, end: int, value: str | None = "2025-11-30") -> dict[str, Any]:
    return {"kind": "date", "start": start, "end": end, "value": value}


def figure_span(start: int, end: int) -> dict[str, Any]:
    return {"kind": "figure", "start": start, "end": end, "value": 130.0, "unit": None, "counted": "ships"}


def passage(start: int, end: int, field: str = "text") -> dict[str, Any]:
    return {"field": field, "start": start, "end": end}


def strip(paragraph: Markup) -> str:
    return TAG.sub("", str(paragraph))


class _Structure(HTMLParser):
    """What rendered paragraphs say as markup: whether their tags nest, how many passage anchors they
    carry, and for each character of text the kinds of the elements around it."""

    KINDS: ClassVar[dict[str, str]] = {
        "ent": "entity",
        "quote": "quote",
        "figure": "figure",
        "date": "date",
        "passage": "passage",
    }

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str | None]] = []
        self.balanced = True
        self.passage_ids = 0
        self.marks: list[str] = []
        self.kinds: list[frozenset[str]] = []  # one per character of text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, next((self.KINDS[c] for c in classes if c in self.KINDS), None)))
        if dict(attrs).get("id") == "passage":
            self.passage_ids += 1

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop()[0] != tag:
            self.balanced = False

    def handle_data(self, data: str) -> None:
        around = frozenset(kind for _, kind in self.stack if kind)
        self.kinds.extend(around for _ in data)
        if "passage" in around:
            self.marks.append(data)


def structure(paragraphs: list[Markup]) -> _Structure:
    parser = _Structure()
    for paragraph in paragraphs:
        parser.feed(str(paragraph))
        parser.close()
        parser.balanced = parser.balanced and not parser.stack
        parser.stack.clear()
    return parser


def expected_kinds(text: str, spans: list[dict[str, Any]]) -> list[frozenset[str]]:
    return [
        frozenset(
            s["kind"] for s in spans if s["start"] <= i < s["end"] and s["kind"] in _Structure.KINDS.values()
        )
        for i in range(len(text))
    ]


# ---------------------------------------------------------------- render_segments


def test_paragraphs_are_escaped_text() -> None:
    rendered = render('First <b>bold</b> & "quoted".\n\nSecond <script>alert(1)</script>.')
    assert rendered == [
        Markup("First &lt;b&gt;bold&lt;/b&gt; &amp; &#34;quoted&#34;."),
        Markup("Second &lt;script&gt;alert(1)&lt;/script&gt;."),
    ]


def test_blank_paragraphs_and_an_empty_text_render_nothing() -> None:
    assert render("") == []
    assert render("One.\n\n\n\nTwo.") == [Markup("One."), Markup("Two.")]
    assert render("  \n\n  ") == []


def test_each_kind_of_annotation_is_marked() -> None:
    text = "Ingrid Sol said 130 ships wait since 30 November."
    [html] = render(text, [entity(0, 10), figure_span(16, 25), date_span(37, 48)])
    assert html == Markup(
        '<a class="ent ent-person" href="/entity/person%3Aingrid%20sol">Ingrid Sol</a> said '
        '<span class="figure" title="figure: ships">130 ships</span> wait since '
        '<time class="date" datetime="2025-11-30" title="date: 2025-11-30">30 November</time>.'
    )
    [unresolved] = render("on Friday", [date_span(3, 9, value=None)])
    assert unresolved == Markup('on <time class="date" datetime="" title="date: unresolved">Friday</time>')
    [anonymous] = render('"No," he said.', [quote_span(1, 3, speaker=None)])
    assert '<span class="quote" title="quote: unknown speaker">No</span>' in anonymous


def test_overlapping_annotations_nest_without_breaking_the_markup() -> None:
    text = "The mediator Ingrid Sol said talks resume on Friday."
    spans = [quote_span(13, 51), entity(13, 23), date_span(20, 51), figure_span(4, 16)]
    rendered = render(text, spans)
    parsed = structure(rendered)
    assert parsed.balanced
    assert [strip(p) for p in rendered] == [str(escape(text))]
    # Every character sits inside exactly the annotations that cover it ("Sol": quote, entity and date).
    assert parsed.kinds == expected_kinds(text, spans)
    assert parsed.kinds[text.index("Sol")] == {"quote", "entity", "date"}


def test_a_highlight_is_marked_once_with_the_anchor() -> None:
    text = "Talks resume on Friday. The union agreed."
    [html] = render(text, [entity(24, 33, "org:union", "organisation")], passage(16, 33))
    parsed = structure([html])
    assert parsed.passage_ids == 1 and "".join(parsed.marks) == text[16:33]
    assert html.startswith('Talks resume on <mark class="passage" id="passage" tabindex="-1">Friday. </mark>')


def test_a_highlight_crossing_a_paragraph_break_marks_both_paragraphs() -> None:
    text = "First paragraph ends here.\n\nSecond paragraph starts here."
    start, end = text.index("ends"), text.index("starts")
    rendered = render(text, [], passage(start, end))
    assert [strip(p) for p in rendered] == ["First paragraph ends here.", "Second paragraph starts here."]
    parsed = structure(rendered)
    assert parsed.balanced and parsed.passage_ids == 1
    assert "".join(parsed.marks) == text[start:end].replace("\n\n", "")
    assert 'id="passage"' in rendered[0] and '<mark class="passage">Second paragraph </mark>' in rendered[1]


def test_a_highlight_of_another_field_marks_only_that_field() -> None:
    data = {
        "article": {"title": "Strike ends", "text": "Body text."},
        "annotations": [entity(0, 4)],
        "highlight": passage(0, 6, "title"),
    }
    assert render_segments(data, "title") == [
        Markup('<mark class="passage" id="passage" tabindex="-1">Strike</mark> ends')
    ]
    assert render_segments(data, "text") == [
        Markup('<a class="ent ent-person" href="/entity/person%3Aingrid%20sol">Body</a> text.')
    ]
    assert render_segments(data, "standfirst") == []


@pytest.mark.parametrize(
    "outside",
    [entity(40, 50), entity(-3, 2), entity(5, 5), entity(6, 2), date_span(3, 10_000), quote_span(-10, -2)],
)
def test_an_annotation_out_of_range_is_ignored(outside: dict[str, Any]) -> None:
    text = "Port Arlen dock strike."
    assert render(text, [outside]) == [Markup(text)]
    assert render(text, [outside], passage(5, 40)) == [Markup(text)]  # a highlight that does not fit either


def test_an_annotation_out_of_range_does_not_mark_text_that_others_cut() -> None:
    text = "Port Arlen dock strike."
    assert render(text, [entity(0, 100), date_span(5, 10)]) == render(text, [date_span(5, 10)])
    assert render(text, [date_span(0, 10_000)]) == [Markup(text)]  # nothing else cuts: it covers it all


def test_a_span_ending_inside_a_paragraph_break_keeps_the_paragraphs() -> None:
    text = "First paragraph.\n\nSecond paragraph."
    rendered = render(text, [], passage(0, text.index("\n") + 1))
    assert [strip(p) for p in rendered] == ["First paragraph.", "Second paragraph."]


def test_annotation_values_are_escaped_in_attributes() -> None:
    hostile = {"kind": "entity", "start": 0, "end": 4, "type": '"><script>', "entity": 'x" onclick="alert(1)'}
    [html] = render("Name here", [hostile, quote_span(5, 9, speaker='"><img src=x onerror=alert(1)>')])
    parsed = structure([html])
    assert parsed.balanced
    assert "<script" not in html and "<img" not in html and 'onclick="' not in html
    assert 'href="/entity/x%22%20onclick%3D%22alert%281%29"' in html


SPAN_KINDS = st.sampled_from(["entity", "quote", "figure", "date", "other"])


@st.composite
def spans(draw: st.DrawFn, length: int) -> list[dict[str, Any]]:
    found = []
    for _ in range(draw(st.integers(0, 6))):
        start = draw(st.integers(-3, length + 3))
        end = draw(st.integers(-3, length + 3))
        kind = draw(SPAN_KINDS)
        found.append(
            {
                "kind": kind,
                "start": start,
                "end": end,
                "type": "person",
                "entity": "person:x",
                "speaker": None,
                "value": None,
                "counted": None,
            }
        )
    return found


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), max_size=80
    ),
)
def test_without_its_markup_a_paragraph_is_its_escaped_text(data: st.DataObject, text: str) -> None:
    annotations = data.draw(spans(len(text)))
    highlight = data.draw(
        st.one_of(st.none(), st.tuples(st.integers(0, len(text)), st.integers(0, len(text))))
    )
    hl = passage(*highlight) if highlight and highlight[0] < highlight[1] else None
    rendered = render(text, annotations, hl)
    assert [strip(p) for p in rendered] == ([str(escape(text))] if text.strip() else [])
    parsed = structure(rendered)
    assert parsed.balanced and parsed.passage_ids == (1 if hl and text.strip() else 0)
    if hl and text.strip():
        assert "".join(parsed.marks) == text[hl["start"] : hl["end"]]


@settings(max_examples=150, deadline=None)
@given(
    data=st.data(),
    text=st.text(
        alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"),
        min_size=1,
        max_size=60,
    ).filter(str.strip),
)
def test_each_character_is_marked_by_exactly_the_spans_over_it(data: st.DataObject, text: str) -> None:
    offsets = st.integers(0, len(text))
    annotations = [
        span for span in data.draw(spans(len(text))) if 0 <= span["start"] < span["end"] <= len(text)
    ]
    start, end = data.draw(offsets), data.draw(offsets)
    hl = passage(start, end) if start < end else None
    parsed = structure(render(text, annotations, hl))
    marked = [*annotations, *([{"kind": "passage", **hl}] if hl else [])]
    assert parsed.kinds == expected_kinds(text, marked)


PARAGRAPH = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\n"), min_size=1, max_size=30
)


@settings(max_examples=150, deadline=None)
@given(data=st.data(), paragraphs=st.lists(PARAGRAPH, min_size=1, max_size=5))
def test_paragraphs_survive_annotations_that_respect_the_breaks(
    data: st.DataObject, paragraphs: list[str]
) -> None:
    text = "\n\n".join(paragraphs)
    inside_breaks = {i + 1 for i in range(len(text)) if text[i : i + 2] == "\n\n"}
    boundary = st.integers(0, len(text)).filter(lambda i: i not in inside_breaks)
    annotations = [
        {
            "kind": kind,
            "start": start,
            "end": end,
            "type": "place",
            "entity": "place:x",
            "value": "2025",
            "speaker": None,
            "counted": None,
        }
        for kind, start, end in data.draw(st.lists(st.tuples(SPAN_KINDS, boundary, boundary), max_size=6))
    ]
    start, end = data.draw(boundary), data.draw(boundary)
    rendered = render(text, annotations, passage(start, end) if start < end else None)
    assert [strip(p) for p in rendered] == [str(escape(p)) for p in paragraphs if p.strip()]
    assert structure(rendered).balanced


# ---------------------------------------------------------------- view helpers


ARTICLE = make_article(
    "a1", ("First paragraph here.", "Second one."), title="A short title", standfirst="The standfirst."
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0-5", {"field": "text", "start": 0, "end": 5}),
        ("text:0-5", {"field": "text", "start": 0, "end": 5}),
        ("title:2-7", {"field": "title", "start": 2, "end": 7}),
        ("standfirst:0-15", {"field": "standfirst", "start": 0, "end": 15}),
        (f"text:0-{len(ARTICLE.text)}", {"field": "text", "start": 0, "end": len(ARTICLE.text)}),
        (f"text:0-{len(ARTICLE.text) + 1}", None),
        ("title:0-14", None),
        ("text:5-5", None),
        ("text:6-5", None),
        ("text:-1-5", None),
        ("body:0-5", None),
        ("url:0-5", None),
        ("a:text:0-5", None),
        ("text:0", None),
        ("text:x-y", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_highlight_keeps_spans_inside_the_field(
    value: str | None, expected: dict[str, Any] | None
) -> None:
    assert parse_highlight(value, ARTICLE) == expected


def test_parse_highlight_without_a_standfirst_or_title() -> None:
    bare = make_article("a2", ("Text.",), title=None, standfirst=None)
    assert parse_highlight("standfirst:0-1", bare) is None
    assert parse_highlight("title:0-1", bare) is None
    assert parse_highlight("0-4", bare) == {"field": "text", "start": 0, "end": 4}


@pytest.mark.parametrize(
    ("snippet", "parts"),
    [
        ("", []),
        ("plain text", [("plain text", False)]),
        (f"a {MATCH_START}strike{MATCH_END} b", [("a ", False), ("strike", True), (" b", False)]),
        (f"{MATCH_START}one{MATCH_END}{MATCH_START}two{MATCH_END}", [("one", True), ("two", True)]),
        (f"x {MATCH_START}{MATCH_END} y", [("x ", False), (" y", False)]),
        (f"unclosed {MATCH_START}match", [("unclosed ", False), ("match", True)]),
        (f"stray{MATCH_END} end", [("stray end", False)]),
        (f"<b>{MATCH_START}<i>{MATCH_END}", [("<b>", False), ("<i>", True)]),
    ],
)
def test_marked_parts_splits_snippets_at_the_markers(snippet: str, parts: list[tuple[str, bool]]) -> None:
    assert marked_parts(snippet) == [{"text": text, "match": match} for text, match in parts]


@given(
    st.lists(
        st.tuples(
            st.text(alphabet=st.characters(blacklist_characters=MATCH_START + MATCH_END), min_size=1),
            st.booleans(),
        )
    )
)
def test_marked_parts_round_trip(parts: list[tuple[str, bool]]) -> None:
    snippet = "".join(f"{MATCH_START}{t}{MATCH_END}" if match else t for t, match in parts)
    assert "".join(p["text"] for p in marked_parts(snippet)) == "".join(t for t, _ in parts)
    assert [p["text"] for p in marked_parts(snippet) if p["match"]] == [t for t, match in parts if match]


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.org/a?b=c#d", "https://example.org/a?b=c#d"),
        ("  http://example.org/  ", "http://example.org/"),
        ("HTTPS://Example.org/x", "HTTPS://Example.org/x"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("java\tscript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("vbscript:msgbox(1)", None),
        ("file:///etc/passwd", None),
        ("//evil.example/x", None),
        ("/relative/path", None),
        ("http:///no-host", None),
        ("https://[::1", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_url_keeps_only_http_links(url: str | None, expected: str | None) -> None:
    assert safe_url(url) == expected


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://www.reuters.com/world/x", "www.reuters.com"),
        ("https://WWW.Example.ORG:8443/x", "www.example.org"),
        (f"https://www.r{chr(0x435)}uters.com/world/x", "www.xn--ruters-3of.com"),
        ("https://bücher.example/x", "xn--bcher-kva.example"),
        ("javascript:alert(1)", None),
        (None, None),
    ],
)
def test_display_host_shows_the_ascii_form(url: str | None, host: str | None) -> None:
    assert display_host(url) == host
    if host is not None:
        assert host.isascii()


@pytest.mark.parametrize(
    ("outlet", "warned"),
    [
        ("Reuters", False),
        (f"Reut{chr(0x435)}rs", True),  # Cyrillic "е"
        (f"{chr(0x391)}ssociated Press", True),  # Greek capital alpha
        ("Рейтер", False),  # all Cyrillic: a real Russian name, not a look-alike
        ("Η Καθημερινή", False),
        ("BBC News 24 – Live!", False),
        ("Le Monde", False),
        ("", False),
        (None, False),
    ],
)
def test_outlet_warning_flags_mixed_scripts(outlet: str | None, warned: bool) -> None:
    warning = outlet_warning(outlet)
    assert (warning is not None) == warned
    if warning:
        assert "Latin" in warning


# ---------------------------------------------------------------- trending score

REFERENCE = datetime(2025, 12, 3, 12, 0)


def activity(
    story_id: str = "s-1",
    *,
    articles: int = 3,
    outlets: int = 2,
    day: int = 2,
    three_days: int = 3,
    outlets_day: int = 1,
    hours_ago: float = 0.0,
) -> StoryActivity:
    last_seen = REFERENCE - timedelta(hours=hours_ago)
    return StoryActivity(
        story_id=story_id,
        title=story_id,
        first_seen=last_seen - timedelta(days=1),
        last_seen=last_seen,
        thread_id=None,
        articles=articles,
        outlets=outlets,
        articles_day=day,
        articles_3days=three_days,
        outlets_day=outlets_day,
        languages=("en",),
        outlet_names=(),
    )


def test_more_fresh_articles_and_outlets_score_higher() -> None:
    base = trending_score(activity(), REFERENCE)
    assert trending_score(activity(day=3, three_days=4, articles=4), REFERENCE) > base
    assert trending_score(activity(outlets_day=2), REFERENCE) > base
    assert trending_score(activity(outlets=4), REFERENCE) > base
    # A new outlet counts for more than another article from one outlet.
    assert trending_score(activity(outlets_day=2), REFERENCE) > trending_score(
        activity(day=3, three_days=4), REFERENCE
    )


@given(
    day=st.integers(0, 50),
    older=st.integers(0, 50),
    outlets_day=st.integers(0, 20),
    hours=st.floats(0, 24 * 30),
    extra=st.integers(1, 10),
)
def test_the_score_is_monotonic_in_fresh_activity(
    day: int, older: int, outlets_day: int, hours: float, extra: int
) -> None:
    outlets_day = min(outlets_day, day)
    plain = activity(
        articles=day + older + 1,
        outlets=outlets_day + 1,
        day=day,
        three_days=day + older,
        outlets_day=outlets_day,
        hours_ago=hours,
    )
    more_articles = activity(
        articles=day + older + 1 + extra,
        outlets=outlets_day + 1,
        day=day + extra,
        three_days=day + older + extra,
        outlets_day=outlets_day,
        hours_ago=hours,
    )
    more_outlets = activity(
        articles=day + older + 1,
        outlets=outlets_day + 1 + extra,
        day=day,
        three_days=day + older,
        outlets_day=outlets_day + extra,
        hours_ago=hours,
    )
    score = trending_score(plain, REFERENCE)
    assert score > 0
    assert trending_score(more_articles, REFERENCE) >= score
    assert trending_score(more_outlets, REFERENCE) >= score
    assert trending_score(activity(hours_ago=hours + 1), REFERENCE) < trending_score(
        activity(hours_ago=hours), REFERENCE
    )


def test_the_score_halves_with_each_day_of_silence() -> None:
    fresh = trending_score(activity(hours_ago=0), REFERENCE)
    assert trending_score(activity(hours_ago=HALF_LIFE_HOURS), REFERENCE) == pytest.approx(fresh / 2)
    assert trending_score(activity(hours_ago=3 * HALF_LIFE_HOURS), REFERENCE) == pytest.approx(fresh / 8)
    # Activity after the reference time (a clock skew) is not rewarded beyond "now".
    assert trending_score(activity(hours_ago=-5), REFERENCE) == pytest.approx(fresh)


def test_ranking_is_by_score_then_recency_then_id() -> None:
    big = activity("s-big", outlets_day=2, day=3, three_days=3)
    tied_new = activity("s-b", hours_ago=0)
    tied_old = activity("s-a", hours_ago=0)
    stale = activity("s-stale", outlets_day=2, day=3, three_days=3, hours_ago=72)
    ranked = rank_trending([stale, tied_old, big, tied_new], REFERENCE)
    assert [a.story_id for a, _ in ranked] == ["s-big", "s-a", "s-b", "s-stale"]
    assert [s for _, s in ranked] == sorted((s for _, s in ranked), reverse=True)
    assert rank_trending([], REFERENCE) == []
