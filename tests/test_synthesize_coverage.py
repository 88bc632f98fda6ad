"""Story coverage: outlets, the first report, volume, what each article adds, and claims x outlets."""

from __future__ import annotations

from datetime import datetime

from dateline.models import (
    Article,
    Citation,
    Coverage,
    Enrichment,
    Sentence,
    SummarySentence,
)
from dateline.synthesize.coverage import MAX_CONTRIBUTION_SENTENCES, outlet_label, story_coverage
from dateline.synthesize.units import Passage, article_passages
from tests.builders import make_article as build_article

FLOOD = "The river Tamsel burst its banks in Arlen on Monday night, flooding 300 homes."
FLOOD_REWORDED = "On Monday night the Tamsel burst its banks, flooding 300 homes in Arlen."
FLOOD_REPORTED = (
    "Floodwater from the Tamsel reached 300 homes in Arlen after the river burst its banks on Monday "
    "night, officials said."
)
RESCUE = "Volunteers in rowing boats carried elderly residents from the flooded Quayside district."
BRIDGE = "Engineers will inspect the Corran bridge on Wednesday before reopening it to motor traffic."
SHELTER = "The council opened the Mereside sports hall as an emergency shelter for displaced families."
INSURANCE = "Insurers said claims from the Arlen floods could exceed four million pounds this year."
FORECAST = "Forecasters expect another band of heavy rain to reach the western valleys by Friday."


def make_article(
    article_id: str,
    paragraphs: tuple[str, ...],
    *,
    outlet: str | None = "Arlen Courier",
    published_at: datetime | None = datetime(2025, 3, 3, 8, 0),
    ingested_at: datetime = datetime(2025, 3, 9, 12, 0),
    via: str | None = None,
    duplicate_of: str | None = None,
    url: str | None = None,
    title: str | None = "Tamsel floods Arlen",
) -> Article:
    return build_article(
        article_id,
        paragraphs,
        outlet=outlet,
        title=title,
        published_at=published_at,
        ingested_at=ingested_at,
        duplicate_of=duplicate_of,
        via=via,
        url=url,
    )


def enrichment_of(article: Article) -> Enrichment:
    """One sentence per paragraph, with its offsets into Article.text."""
    sentences = []
    offset = 0
    for number, paragraph in enumerate(article.paragraphs):
        sentences.append(Sentence(number, offset, offset + len(paragraph), paragraph, number))
        offset += len(paragraph) + 2
    return Enrichment(article.id, "enrich.v1", "en", None, tuple(sentences))


def cover(articles: list[Article], claims: tuple[SummarySentence, ...] = ()) -> Coverage:
    enrichments = {article.id: enrichment_of(article) for article in articles}
    passages = {
        article.id: article_passages(article, enrichments[article.id], include_title=True)
        for article in articles
    }
    return story_coverage(articles, enrichments, passages, claims)


def lead_of(article: Article) -> Passage:
    return next(p for p in article_passages(article, enrichment_of(article)) if p.field == "text")


def added(coverage: Coverage) -> dict[str, list[str]]:
    return {c.article_id: [s.text for s in c.sentences] for c in coverage.unique_contributions}


def test_an_empty_story_has_no_coverage() -> None:
    assert cover([]) == Coverage((), None, None, None, (), (), ())
    assert cover([]).to_dict()["first_report"] is None


def test_outlets_first_report_and_volume_follow_publication_time_not_stream_order() -> None:
    late = make_article(
        "late", (RESCUE, BRIDGE), outlet="Vale Herald", published_at=datetime(2025, 3, 4, 9, 0)
    )
    early = make_article("early", (FLOOD, SHELTER), published_at=datetime(2025, 3, 3, 7, 30))
    later = make_article("later", (INSURANCE,), published_at=datetime(2025, 3, 4, 18, 0))
    coverage = cover([late, early, later])

    assert [o.outlet for o in coverage.outlets] == ["Arlen Courier", "Vale Herald"]
    courier, herald = coverage.outlets
    assert (courier.articles, courier.original, courier.via) == (2, 2, ())
    assert (courier.first_article, courier.first_at) == ("early", datetime(2025, 3, 3, 7, 30))
    assert (herald.articles, herald.first_article) == (1, "late")

    lead = lead_of(early)
    assert coverage.first_report == Citation("early", lead.start, lead.end)
    assert early.text[lead.start : lead.end] == FLOOD
    assert (coverage.first_outlet, coverage.first_at) == ("Arlen Courier", datetime(2025, 3, 3, 7, 30))
    assert coverage.volume == (("2025-03-03", 1), ("2025-03-04", 2))
    assert coverage.to_dict()["first_report"]["outlet"] == "Arlen Courier"


def test_a_dated_article_is_the_first_report_before_an_undated_one_read_earlier() -> None:
    undated = make_article(
        "undated", (RESCUE,), outlet="Vale Herald", published_at=None, ingested_at=datetime(2025, 3, 2)
    )
    dated = make_article("dated", (FLOOD,), published_at=datetime(2025, 3, 3, 7, 0))
    twin = make_article("twin", (SHELTER,), outlet="Mere Times", published_at=datetime(2025, 3, 3, 7, 0))
    coverage = cover([undated, twin, dated])

    # Same time: stream order decides.
    assert coverage.first_report is not None and coverage.first_report.article_id == "twin"
    assert [o.outlet for o in coverage.outlets] == ["Mere Times", "Arlen Courier", "Vale Herald"]
    # The undated article counts on the day Dateline read it.
    assert coverage.volume == (("2025-03-02", 1), ("2025-03-03", 2))
    assert cover([undated, dated]).first_outlet == "Arlen Courier"
    only_undated = cover([undated])
    assert only_undated.first_outlet == "Vale Herald" and only_undated.first_at == datetime(2025, 3, 2)


def test_outlet_names_fall_back_to_the_url_host_and_wire_spellings_merge() -> None:
    assert outlet_label(make_article("a", (FLOOD,), outlet=None, url="https://www.arlen-news.example/x")) == (
        "arlen-news.example"
    )
    assert outlet_label(make_article("b", (FLOOD,), outlet=None)) == "unknown"
    coverage = cover(
        [
            make_article("r1", (FLOOD,), outlet="Thomson Reuters"),
            make_article("r2", (BRIDGE,), outlet="Reuters", published_at=datetime(2025, 3, 3, 9, 0)),
            make_article("c1", (SHELTER,), outlet="arlen courier", published_at=datetime(2025, 3, 3, 10, 0)),
            make_article("c2", (RESCUE,), outlet="Arlen  Courier", published_at=datetime(2025, 3, 3, 11, 0)),
        ]
    )
    assert [(o.outlet, o.articles) for o in coverage.outlets] == [("Reuters", 2), ("arlen courier", 2)]


def test_copies_through_a_wire_and_an_aggregator_and_what_a_copy_adds() -> None:
    wire_paragraphs = (f"ARLEN, March 3 (Reuters) - {FLOOD}", RESCUE, SHELTER, "(Reporting by Ann Vale)")
    original = make_article(
        "wire", wire_paragraphs, outlet="Reuters", published_at=datetime(2025, 3, 3, 6, 0)
    )
    # A paper reprints the wire and adds a local paragraph.
    reprint = make_article(
        "reprint",
        (*wire_paragraphs[:3], BRIDGE, wire_paragraphs[3]),
        published_at=datetime(2025, 3, 3, 7, 0),
        duplicate_of="wire",
    )
    # An aggregator re-serves the wire's story unchanged.
    aggregated = make_article(
        "hub",
        wire_paragraphs,
        outlet="Reuters",
        via="NewsHub",
        published_at=datetime(2025, 3, 3, 8, 0),
        duplicate_of="wire",
    )
    coverage = cover([original, reprint, aggregated])

    by_outlet = {o.outlet: o for o in coverage.outlets}
    assert (by_outlet["Reuters"].articles, by_outlet["Reuters"].original, by_outlet["Reuters"].via) == (
        2,
        1,
        ("NewsHub",),
    )
    courier = by_outlet["Arlen Courier"]
    assert (courier.articles, courier.original, courier.via) == (1, 0, ("Reuters",))

    contributions = {c.article_id: c for c in coverage.unique_contributions}
    assert set(contributions) == {"wire", "reprint"}  # the unchanged aggregator copy adds nothing
    assert contributions["wire"].copy_of is None
    assert contributions["reprint"].copy_of == "wire"
    assert [s.text for s in contributions["reprint"].sentences] == [BRIDGE]
    citation = contributions["reprint"].sentences[0].citations[0]
    assert reprint.text[citation.start : citation.end] == BRIDGE


def test_a_copy_dated_before_its_original_adds_only_what_the_original_lacks() -> None:
    original = make_article(
        "wire", (FLOOD, RESCUE), outlet="Reuters", published_at=datetime(2025, 3, 3, 9, 0)
    )
    early_copy = make_article(
        "copy", (FLOOD, RESCUE, SHELTER), published_at=datetime(2025, 3, 3, 8, 0), duplicate_of="wire"
    )
    coverage = cover([original, early_copy])
    # The original's own words count as its own even though the copy came out first.
    assert added(coverage) == {"copy": [SHELTER], "wire": [FLOOD, RESCUE]}
    assert [c.copy_of for c in coverage.unique_contributions] == ["wire", None]


def test_a_later_article_adds_only_what_no_earlier_article_said() -> None:
    first = make_article("first", (FLOOD, RESCUE, SHELTER), published_at=datetime(2025, 3, 3, 7, 0))
    second = make_article(
        "second",
        (FLOOD_REWORDED, RESCUE, BRIDGE),  # a reworded repeat, a verbatim repeat and a new fact
        outlet="Vale Herald",
        published_at=datetime(2025, 3, 3, 12, 0),
    )
    third = make_article(
        "third", (SHELTER, FLOOD), outlet="Mere Times", published_at=datetime(2025, 3, 4, 9, 0)
    )
    # Stream order is not time order: what counts as "earlier" is publication time.
    coverage = cover([second, third, first])

    assert added(coverage) == {"first": [FLOOD, RESCUE, SHELTER], "second": [BRIDGE]}
    assert [c.article_id for c in coverage.unique_contributions] == ["first", "second"]
    second_contribution = coverage.unique_contributions[1]
    assert (second_contribution.outlet, second_contribution.at) == (
        "Vale Herald",
        datetime(2025, 3, 3, 12, 0),
    )


def test_a_shortened_sentence_is_not_new() -> None:
    first = make_article("first", (FLOOD_REPORTED,), published_at=datetime(2025, 3, 3, 7, 0))
    shortened = make_article(
        "shortened",
        ("The Tamsel burst its banks on Monday night, officials said.", FORECAST),
        outlet="Vale Herald",
        published_at=datetime(2025, 3, 3, 9, 0),
    )
    coverage = cover([first, shortened])
    assert added(coverage)["shortened"] == [FORECAST]


def test_words_the_whole_story_uses_do_not_make_a_new_sentence_a_repeat() -> None:
    # Every article names the Tamsel and Arlen: within this story those words tell nothing apart.
    earlier = [
        make_article(
            f"a{number}",
            (text, "Residents of Arlen watched the Tamsel rise for hours on end."),
            published_at=datetime(2025, 3, 3, number),
        )
        for number, text in enumerate((FLOOD, SHELTER, INSURANCE, FORECAST))
    ]
    closed = "The Tamsel flooding in Arlen on Monday night also closed the Corran bridge."
    later = make_article("later", (closed,), outlet="Vale Herald", published_at=datetime(2025, 3, 4))
    assert added(cover([*earlier, later]))["later"] == [closed]


def test_an_article_adds_at_most_five_sentences_in_reading_order() -> None:
    many = (
        FLOOD,
        RESCUE,
        BRIDGE,
        SHELTER,
        INSURANCE,
        FORECAST,
        "Schools across the valley will stay shut until the water recedes.",
    )
    coverage = cover([make_article("many", many)])
    sentences = added(coverage)["many"]
    assert len(sentences) == MAX_CONTRIBUTION_SENTENCES
    assert sentences[0] == FLOOD  # the lead is kept
    assert sentences == sorted(sentences, key=many.index)


def test_claims_say_which_outlets_state_and_which_omit_them() -> None:
    courier = make_article("courier", (FLOOD, RESCUE), published_at=datetime(2025, 3, 3, 7, 0))
    herald = make_article(
        "herald", (BRIDGE, FLOOD_REPORTED), outlet="Vale Herald", published_at=datetime(2025, 3, 3, 9, 0)
    )
    # A question naming the bridge shares its rarest words with the bridge claim but does not state it.
    question = "Who will pay for repairs to the Corran bridge now?"
    times = make_article(
        "times", (INSURANCE, question), outlet="Mere Times", published_at=datetime(2025, 3, 3, 10, 0)
    )
    flood_source = lead_of(courier)
    bridge_source = lead_of(herald)
    claims = (
        SummarySentence(FLOOD, (flood_source.citation,)),
        SummarySentence(BRIDGE, (bridge_source.citation,)),
    )
    coverage = cover([courier, herald, times], claims)

    flood, bridge = coverage.claims
    assert flood.text == FLOOD
    assert flood.states == ("Arlen Courier", "Vale Herald")
    assert flood.omits == ("Mere Times",)
    assert flood.citations[0] == flood_source.citation
    assert [c.article_id for c in flood.citations] == ["courier", "herald"]
    found = flood.citations[1]
    assert herald.text[found.start : found.end] == FLOOD_REPORTED

    assert bridge.states == ("Vale Herald",)
    assert bridge.omits == ("Arlen Courier", "Mere Times")
    assert bridge.citations == (bridge_source.citation,)
    assert coverage.to_dict()["claims"][1]["omits"] == ["Arlen Courier", "Mere Times"]


def test_a_claim_is_stated_by_every_outlet_it_cites_and_a_copy_states_what_it_carries() -> None:
    courier = make_article("courier", (FLOOD,), published_at=datetime(2025, 3, 3, 7, 0))
    copy = make_article("copy", (FLOOD,), outlet="Vale Herald", via="NewsHub", duplicate_of="courier")
    other = make_article("other", (FORECAST,), outlet="Mere Times")
    claim = SummarySentence(FLOOD, (lead_of(courier).citation, Citation("other", 0, 10)))
    (result,) = cover([courier, copy, other], (claim,)).claims
    assert result.states == ("Arlen Courier", "Vale Herald", "Mere Times")
    assert result.omits == ()
