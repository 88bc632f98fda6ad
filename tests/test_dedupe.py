from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from dateline import dedupe

BODY = (
    "Dock workers at Port Arlen will stay off the job for at least another week after two days of talks "
    "with terminal operators ended without agreement on Saturday evening, the dockers' union said. About "
    "3,400 workers walked out on 20 November, leaving more than 120 ships waiting at anchor outside the "
    "harbour and holding up deliveries of fuel, grain and car parts across the region."
)


def test_normalised_hash_ignores_case_punctuation_and_spacing() -> None:
    assert dedupe.text_hash(BODY) == dedupe.text_hash(BODY.upper().replace(",", " ,  "))
    assert dedupe.text_hash(BODY) != dedupe.text_hash(BODY + " Talks resume on Tuesday.")


def test_canonical_url_drops_tracking_and_fragment() -> None:
    assert dedupe.canonical_url("HTTP://www.Example.com:80/a/b/?utm_source=x&b=2&a=1#top") == (
        "https://example.com/a/b?a=1&b=2"
    )
    assert dedupe.canonical_url("ftp://example.com/file") is None
    assert dedupe.canonical_url("not a url") is None


def test_near_copy_shares_bands_and_scores_high() -> None:
    copy = BODY + " This article originally appeared on The Arlen Courier."
    first, second = dedupe.minhash_signature(BODY), dedupe.minhash_signature(copy)
    assert set(dedupe.band_keys(first)) & set(dedupe.band_keys(second))
    assert dedupe.estimated_jaccard(first, second) >= 0.8


def test_different_text_scores_low() -> None:
    other = (
        "Trains returned to the northern line between Kessby and Halvik on Monday, six weeks after a landslide "
        "buried a 200-metre stretch of track near the Stora tunnel, the rail operator said."
    )
    assert dedupe.estimated_jaccard(dedupe.minhash_signature(BODY), dedupe.minhash_signature(other)) < 0.2


def test_signature_round_trips_through_bytes() -> None:
    signature = dedupe.minhash_signature(BODY)
    assert (dedupe.signature_from_bytes(dedupe.signature_to_bytes(signature)) == signature).all()


def test_original_is_earliest_published_then_earliest_ingested() -> None:
    now = datetime(2025, 12, 1, tzinfo=UTC)
    candidates = [
        dedupe.DuplicateCandidate("b", datetime(2025, 11, 30, 12, tzinfo=UTC), now, 0.9, timed=True),
        dedupe.DuplicateCandidate("a", None, datetime(2025, 11, 1, tzinfo=UTC), 0.9),
        dedupe.DuplicateCandidate("c", datetime(2025, 11, 30, 9), now, 0.9, timed=True),
    ]
    assert dedupe.choose_original(candidates).article_id == "c"


@given(st.text(max_size=400))
def test_fingerprints_never_fail(text: str) -> None:
    signature = dedupe.minhash_signature(text)
    assert len(dedupe.band_keys(signature)) == dedupe.BANDS
    assert all(-(2**63) <= key < 2**63 for key in dedupe.band_keys(signature))
    assert len(dedupe.text_hash(text)) == 40


def test_on_the_same_day_the_publishers_timed_copy_beats_a_day_only_aggregator_copy() -> None:
    now = datetime(2025, 12, 1, tzinfo=UTC)
    candidates = [
        dedupe.DuplicateCandidate("aggregator", datetime(2025, 11, 30), now, 0.9, is_copy=True),
        dedupe.DuplicateCandidate("scrape", datetime(2025, 11, 30), now, 0.9),
        dedupe.DuplicateCandidate(
            "publisher", datetime(2025, 11, 30, 9, 15, tzinfo=UTC), now, 0.9, timed=True
        ),
    ]
    assert dedupe.choose_original(candidates).article_id == "publisher"
