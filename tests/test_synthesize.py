"""The synthesis stage on a small invented story, enriched by the real enrichment stage.

Four outlets report a fictional dam failure in the town of Velmaro over three days; one article
is a syndicated copy. The tests say what a reader should get: a cited summary whose every line is
its source's words, one timeline entry per event however many outlets report it, planned events
marked, and the faithfulness check catching a line that is not in its source.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from dateline.enrich.article import enrich_articles
from dateline.models import (
    Article,
    Citation,
    Enrichment,
    SummarySentence,
)
from dateline.synthesize import synthesize_story
from dateline.synthesize.faithful import check_lines, check_synthesis, compress, supports
from dateline.synthesize.summary import summarize, summary_length
from dateline.synthesize.timeline import DateModel, build_timeline, date_training_rows
from dateline.synthesize.units import article_passages
from tests.builders import make_article


def _article(
    article_id: str,
    outlet: str,
    published: datetime | None,
    title: str,
    paragraphs: tuple[str, ...],
    *,
    duplicate_of: str | None = None,
    standfirst: str | None = None,
) -> Article:
    return make_article(
        article_id,
        paragraphs,
        outlet=outlet,
        title=title,
        published_at=published,
        duplicate_of=duplicate_of,
        standfirst=standfirst,
    )


DAM_BREAK = (
    "The Orvane dam above the town of Velmaro collapsed on Tuesday, sending a wall of water through the valley.",
    "At least 31 people were killed and 400 homes were destroyed, the regional governor Ilsa Marrek said.",
    "Rescue teams from three provinces worked through the night to reach villages cut off by the flood.",
)
ARTICLES = (
    _article(
        "a1",
        "Valley Courier",
        datetime(2026, 3, 10, 18, 0),
        "Dam collapse floods Velmaro valley",
        DAM_BREAK,
        standfirst="A dam failure sent floodwater through a mountain valley, killing dozens.",
    ),
    _article(
        "a2",
        "Northern Wire",
        datetime(2026, 3, 11, 7, 0),
        "Velmaro dam failure kills 31",
        (
            "The Orvane dam collapsed on Tuesday above Velmaro, flooding the valley and killing at least 31 people.",
            "Governor Ilsa Marrek said engineers had warned about cracks in the wall last year.",
            "An inquiry into the collapse will open on March 16, the national water agency said.",
        ),
    ),
    _article(
        "a3",
        "Capital Times",
        datetime(2026, 3, 12, 9, 0),
        "Velmaro counts the cost a day after the dam burst",
        (
            "Yesterday the national government declared a state of emergency in the Velmaro valley.",
            "The Orvane dam collapsed on Tuesday, killing at least 31 people and destroying 400 homes.",
            "Aid convoys carrying water and tents reached the town of Velmaro on Wednesday afternoon.",
        ),
    ),
    _article(
        "a4",
        "Aggregator Daily",
        datetime(2026, 3, 10, 20, 0),
        "Dam collapse floods Velmaro valley",
        DAM_BREAK,
        duplicate_of="a1",
    ),
)


@pytest.fixture(scope="module")
def enrichments() -> dict[str, Enrichment]:
    return {e.article_id: e for e in enrich_articles(ARTICLES)}


@pytest.fixture(scope="module")
def synthesis(enrichments: dict[str, Enrichment]):
    return synthesize_story("s-a1", ARTICLES, enrichments)


def test_every_summary_and_timeline_line_is_in_its_cited_source(synthesis) -> None:
    by_id = {a.id: a for a in ARTICLES}
    assert check_synthesis(synthesis, by_id) == []
    assert synthesis.summary and synthesis.timeline


def test_summary_has_three_to_seven_cited_sentences_without_repeats(synthesis) -> None:
    assert 3 <= len(synthesis.summary) <= 7
    texts = [s.text for s in synthesis.summary]
    assert len(set(texts)) == len(texts)
    for sentence in synthesis.summary:
        assert sentence.citations
        # A syndicated copy is never the source: its original is.
        assert sentence.citations[0].article_id != "a4"


def test_a_fact_several_outlets_report_cites_them_all(synthesis) -> None:
    collapse = [s for s in synthesis.summary if "collapsed" in s.text and "31" in s.text]
    assert collapse, [s.text for s in synthesis.summary]
    cited = {c.article_id for s in collapse for c in s.citations}
    assert len(cited) >= 2


def test_one_event_is_one_timeline_entry_with_every_report_cited(synthesis) -> None:
    collapse_day = [e for e in synthesis.timeline if e.date == "2026-03-10"]
    assert len(collapse_day) == 1, [(e.date, e.text) for e in synthesis.timeline]
    assert {c.article_id for c in collapse_day[0].citations} >= {"a1", "a2"}
    assert collapse_day[0].planned is False


def test_timeline_is_in_date_order_and_marks_planned_events(synthesis) -> None:
    dates = [e.date for e in synthesis.timeline]
    assert dates == sorted(dates)
    inquiry = [e for e in synthesis.timeline if e.date == "2026-03-16"]
    assert inquiry and inquiry[0].planned is True
    assert "inquiry" in inquiry[0].text.lower()


def test_relative_dates_are_resolved_against_each_articles_date(synthesis) -> None:
    # a3 (12 March) says "Yesterday": the emergency is on the 11th.
    emergency = [e for e in synthesis.timeline if "emergency" in e.text]
    assert emergency and emergency[0].date == "2026-03-11"


def test_fixed_length_timeline_gives_the_requested_number_of_dates(enrichments) -> None:
    entries = build_timeline(ARTICLES, enrichments, max_dates=2, per_date=1)
    assert len({e.date for e in entries}) == 2
    assert len(entries) == 2
    bounded = build_timeline(ARTICLES, enrichments, start=date(2026, 3, 11), end=date(2026, 3, 12))
    assert bounded and all("2026-03-11" <= e.date <= "2026-03-12" for e in bounded)


def test_date_training_rows_label_the_gold_dates(enrichments) -> None:
    features, labels = date_training_rows(ARTICLES, enrichments, {date(2026, 3, 10)})
    assert features.shape[0] == labels.shape[0] > 1
    assert labels.sum() == 1


def test_a_date_model_decides_which_dates_make_the_timeline(enrichments) -> None:
    # A model that only trusts publication volume puts the publication days first.
    published_only = DateModel(weights=(0, 0, 5.0, 0, 0, 0, 0, 0, 0), bias=-1.0)
    entries = build_timeline(ARTICLES, enrichments, max_dates=1, per_date=1, date_model=published_only)
    assert [e.date for e in entries] in (["2026-03-10"], ["2026-03-11"], ["2026-03-12"])


def test_title_is_a_headline_of_the_story(synthesis) -> None:
    assert synthesis.title in {a.title for a in ARTICLES}
    assert synthesis.title_citation is not None and synthesis.title_citation.field == "title"


def test_entities_list_the_cast_most_covered_first(synthesis) -> None:
    names = [e.name for e in synthesis.entities]
    assert any("Velmaro" in name for name in names)
    counts = [e.articles for e in synthesis.entities]
    assert counts == sorted(counts, reverse=True)


def test_json_contract(synthesis) -> None:
    data = synthesis.to_dict()
    for key in ("id", "title", "summary", "timeline", "quotes", "figures", "coverage", "entities"):
        assert key in data
    assert set(data["summary"][0]) >= {"text", "citations"}
    assert set(data["summary"][0]["citations"][0]) >= {"article_id", "start", "end"}
    assert set(data["timeline"][0]) >= {"date", "precision", "text", "planned", "citations"}
    assert set(data["coverage"]) >= {"outlets", "first_report", "unique_contributions"}


def test_synthesis_is_deterministic(enrichments, synthesis) -> None:
    again = synthesize_story("s-a1", ARTICLES, enrichments)
    assert again.to_dict() == synthesis.to_dict()


def test_empty_and_unenriched_stories_do_not_crash() -> None:
    empty = synthesize_story("s-none", (), {})
    assert empty.summary == () and empty.timeline == ()
    bare = synthesize_story("s-bare", ARTICLES[:1], {})
    assert bare.title == ARTICLES[0].title
    assert check_synthesis(bare, {ARTICLES[0].id: ARTICLES[0]}) == []


def test_summary_length_grows_with_the_story() -> None:
    assert summary_length(1) == 3
    assert summary_length(4) == 5
    assert summary_length(500) == 7


def test_summary_prefers_a_standfirst_or_lead_over_detail(enrichments) -> None:
    passages = {a.id: article_passages(a, enrichments.get(a.id)) for a in ARTICLES}
    summary = summarize(ARTICLES[:1], passages, length=1)
    assert summary[0].citations[0].field in ("standfirst", "text")
    assert summary[0].citations[0].field == "standfirst" or summary[0].citations[0].start == 0


# ---------------------------------------------------------------- faithfulness


def test_compress_only_deletes() -> None:
    for text in (
        "VELMARO, March 10 (Northern Wire) - The dam collapsed on Tuesday, officials said.",
        "Meanwhile, rescue teams (some from abroad) reached the valley.",
        "However, the governor said the wall had been inspected in 2024.",
        "He said so.",
    ):
        shorter = compress(text)
        assert supports(shorter, text), (shorter, text)
        assert len(shorter) <= len(text)
    assert (
        compress("Meanwhile, rescue teams (some from abroad) reached the valley.")
        == "Rescue teams reached the valley."
    )


def test_supports_rejects_added_reordered_or_changed_words() -> None:
    source = "The dam collapsed on Tuesday, killing at least 31 people."
    assert supports("The dam collapsed, killing 31 people.", source)
    assert not supports("The dam collapsed, killing 41 people.", source)
    assert not supports("On Tuesday the dam collapsed.", source)
    assert not supports("The old dam collapsed on Tuesday.", source)
    assert not supports("", source)


def test_check_lines_reports_a_wrong_span_or_a_missing_article() -> None:
    article = ARTICLES[0]
    good = Citation("a1", 0, len(DAM_BREAK[0]))
    lines = [
        ("summary", DAM_BREAK[0], good),
        ("summary", DAM_BREAK[1], good),  # cites the first sentence for the second
        ("summary", DAM_BREAK[0], Citation("zz", 0, 10)),
        ("summary", DAM_BREAK[0], Citation("a1", 0, 10_000)),
        ("summary", DAM_BREAK[0], None),
    ]
    reasons = [p.reason for p in check_lines(lines, {"a1": article})]
    assert reasons == [
        "words not in the cited span",
        "cited article is not in the story",
        "span out of range",
        "no citation",
    ]


def test_standfirst_citations_point_into_the_standfirst(synthesis) -> None:
    by_id = {a.id: a for a in ARTICLES}
    for sentence in synthesis.summary:
        for citation in sentence.citations:
            if citation.field == "standfirst":
                standfirst = by_id[citation.article_id].standfirst or ""
                assert standfirst[citation.start : citation.end]
    assert isinstance(synthesis.summary[0], SummarySentence)


def test_keywords_keep_only_sentences_about_them(enrichments) -> None:
    entries = build_timeline(ARTICLES, enrichments, keywords=["aid convoys"])
    assert entries and all("aid convoys" in e.text.lower() for e in entries)
    assert build_timeline(ARTICLES, enrichments, keywords=["volcano"]) == ()
