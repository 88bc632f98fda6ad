"""The pure story-clustering stage: features, the same-story model and the online clusterer.

Hand-made ``StoryFeatures`` over 8 dimensions (basis vectors for clearly different events, small
tilts for variations of one event) and an explicit ``StoryModel``, so the tests say how the
clusterer behaves without depending on the fitted ``DEFAULT_MODEL`` weights.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.cluster import StoryClusterer, story_id_for
from dateline.cluster.features import (
    FEATURES_VERSION,
    SentenceEncoder,
    embedding_text,
    fold,
    lexical_terms,
    salient_entities,
    story_features,
)
from dateline.cluster.scoring import FEATURE_NAMES, StoryModel, fit_logistic
from dateline.models import (
    Article,
    DateOrigin,
    DatePrecision,
    Enrichment,
    Entity,
    EntityType,
    SourceFormat,
    StoryAssignment,
    StoryFeatures,
    StoryMerge,
    StorySplit,
)

DIMENSIONS = 8
START = datetime(2025, 3, 1, 9, 0)  # naive UTC, as clustering keeps time

# Same vector, terms and entities: logit 4+4+4+2+2-8 = 8. Nothing shared: logit -8.
# A year apart costs 2*log(366) ~ 11.8: identical content far apart in time stays apart.
MODEL = StoryModel(
    weights=(4.0, 4.0, 4.0, 0.0, 2.0, 2.0, 0.0, -2.0, 0.0),
    bias=-8.0,
    join=0.5,
    merge=0.7,
    thread=0.2,
    trained_on="tests",
)

# Three clearly different events: orthogonal directions, disjoint terms and entities.
EVENTS = {
    "quake": (0, (("earthquake", 0.6), ("hokkaido", 0.6), ("magnitude", 0.5)), ("place:~hokkaido",)),
    "rates": (1, (("lagarde", 0.6), ("ecb", 0.6), ("rates", 0.5)), ("person:~christine lagarde",)),
    "strike": (2, (("walkout", 0.6), ("dockers", 0.6), ("rotterdam", 0.5)), ("org:~fnv",)),
}


def unit(*components: float) -> np.ndarray:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[: len(components)] = components
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def basis(axis: int, tilt: float = 0.0, tilt_axis: int = 7) -> np.ndarray:
    vector = np.zeros(DIMENSIONS, dtype=np.float32)
    vector[axis] = 1.0
    vector[tilt_axis] += tilt
    return (vector / np.linalg.norm(vector)).astype(np.float32)


def normalised(terms: Sequence[tuple[str, float]]) -> tuple[tuple[str, float], ...]:
    norm = math.sqrt(sum(weight * weight for _, weight in terms)) or 1.0
    return tuple((term, weight / norm) for term, weight in terms)


def feat(
    article_id: str,
    *,
    vector: np.ndarray | None = None,
    terms: Sequence[tuple[str, float]] = (),
    entities: Sequence[tuple[str, float]] = (),
    hours: float = 0.0,
    dated: bool = True,
    duplicate_of: str | None = None,
    title: str | None = None,
) -> StoryFeatures:
    return StoryFeatures(
        article_id=article_id,
        seen_at=START + timedelta(hours=hours),
        dated=dated,
        language="en",
        title=title if title is not None else f"Title {article_id}",
        outlet="Example",
        duplicate_of=duplicate_of,
        vector=vector,
        terms=normalised(terms),
        entities=tuple(entities),
        version=FEATURES_VERSION,
    )


def event_feat(
    article_id: str, event: str, *, tilt: float = 0.0, hours: float = 0.0, **kwargs
) -> StoryFeatures:
    axis, terms, entities = EVENTS[event]
    return feat(
        article_id,
        vector=basis(axis, tilt),
        terms=terms,
        entities=[(key, 1.0) for key in entities],
        hours=hours,
        **kwargs,
    )


def stream() -> list[tuple[StoryFeatures, str]]:
    """Twelve articles over three events, interleaved, each with its event; small per-article tilts."""
    order = ["quake", "rates", "quake", "strike", "rates", "quake", "strike", "rates", "quake", "strike"]
    order += ["rates", "strike"]
    tilts = np.random.default_rng(4).uniform(-0.15, 0.15, size=len(order))
    return [
        (event_feat(f"a{number:02d}", event, tilt=float(tilt), hours=number), event)
        for number, (event, tilt) in enumerate(zip(order, tilts, strict=True))
    ]


def clusterer() -> StoryClusterer:
    return StoryClusterer(MODEL, dimensions=DIMENSIONS)


def partition(labels: Sequence[str]) -> set[frozenset[int]]:
    groups: dict[str, set[int]] = {}
    for position, label in enumerate(labels):
        groups.setdefault(label, set()).add(position)
    return {frozenset(group) for group in groups.values()}


# ---------------------------------------------------------------- the online step


def test_same_order_gives_identical_labels_ids_and_scores() -> None:
    items = [item for item, _ in stream()]
    first, second = clusterer(), clusterer()
    assert first.add_many(items) == second.add_many(items)
    assert first.labels() == second.labels()
    assert [s.to_dict() for s in first.stories()] == [s.to_dict() for s in second.stories()]


def test_stream_clusters_by_event_and_ids_come_from_first_article() -> None:
    labelled = stream()
    clustering = clusterer()
    assignments = clustering.add_many([item for item, _ in labelled])

    labels = clustering.labels()
    assert partition(labels) == partition([event for _, event in labelled])
    first_of: dict[str, str] = {}
    for item, label in zip((item for item, _ in labelled), labels, strict=True):
        first_of.setdefault(label, item.article_id)
    assert {label: story_id_for(article) for label, article in first_of.items()} == {
        label: label for label in first_of
    }
    assert story_id_for("abc") == "s-abc"
    # Starting a story has no score; joining one carries the model's probability; sequence counts up.
    assert [a.sequence for a in assignments] == list(range(len(assignments)))
    for assignment in assignments:
        started = assignment.story_id == story_id_for(assignment.article_id)
        assert (assignment.score is None) == started
        if not started:
            assert assignment.score is not None and MODEL.join <= assignment.score <= 1.0
    stories = clustering.stories()
    assert [s.id for s in stories] == ["s-a00", "s-a01", "s-a03"]
    assert all(s.algorithm == "cluster.v1" for s in stories)
    quake = clustering.story("s-a00")
    assert quake is not None
    assert quake.article_ids == ("a00", "a02", "a05", "a08")
    assert quake.first_seen == START and quake.last_seen == START + timedelta(hours=8)
    assert quake.title in {f"Title {article}" for article in quake.article_ids}


def test_similar_article_joins_and_different_one_starts_a_story() -> None:
    clustering = clusterer()
    clustering.add(event_feat("q1", "quake"))
    joined = clustering.add(event_feat("q2", "quake", tilt=0.2, hours=3))
    assert joined.story_id == "s-q1" and joined.score is not None and joined.score > 0.9

    other = clustering.add(event_feat("r1", "rates", hours=4))
    assert other == StoryAssignment("r1", "s-r1", None, 2)
    assert clustering.story_of("q2") == "s-q1"
    assert clustering.story_of("nope") is None


def test_candidate_features_rows_have_one_value_per_feature_name() -> None:
    clustering = clusterer()
    clustering.add_many([event_feat("q1", "quake"), event_feat("r1", "rates")])
    ids, rows = clustering.candidate_features(event_feat("q2", "quake", hours=1))
    assert "s-q1" in ids
    assert all(len(row) == len(FEATURE_NAMES) for row in rows)
    same = rows[ids.index("s-q1")]
    assert same[:5] == pytest.approx([1.0, 1.0, 1.0, 1.0, 1.0], abs=1e-4)
    assert same[6] == 0.0  # both dated


def test_syndicated_copy_joins_its_original_with_score_one() -> None:
    clustering = clusterer()
    clustering.add_many([event_feat("q1", "quake"), event_feat("r1", "rates", hours=1)])
    # The copy's own features point at the quake story; duplicate_of wins.
    copy = event_feat("r1-copy", "quake", hours=2, duplicate_of="r1")
    assert clustering.add(copy) == StoryAssignment("r1-copy", "s-r1", 1.0, 2)
    # Without a vector or anything else, the same.
    bare = feat("r1-bare", duplicate_of="r1", hours=3)
    assert clustering.add(bare).story_id == "s-r1"


def test_duplicate_of_an_unknown_article_is_scored_normally() -> None:
    clustering = clusterer()
    clustering.add(event_feat("q1", "quake"))
    assignment = clustering.add(event_feat("q2", "quake", duplicate_of="never-seen"))
    assert assignment.story_id == "s-q1" and assignment.score is not None and assignment.score < 1.0


def test_ties_go_to_the_older_story() -> None:
    between = feat(
        "mid",
        vector=unit(1.0, 1.0),
        terms=[("earthquake", 1.0), ("lagarde", 1.0)],
        entities=[("place:~hokkaido", 1.0), ("person:~christine lagarde", 1.0)],
    )
    for first_event, second_event in (("quake", "rates"), ("rates", "quake")):
        clustering = clusterer()
        axis_first, _, entity_first = EVENTS[first_event]
        axis_second, _, entity_second = EVENTS[second_event]
        term_first = "earthquake" if first_event == "quake" else "lagarde"
        term_second = "lagarde" if first_event == "quake" else "earthquake"
        clustering.add(
            feat("one", vector=basis(axis_first), terms=[(term_first, 1)], entities=[(entity_first[0], 1)])
        )
        clustering.add(
            feat("two", vector=basis(axis_second), terms=[(term_second, 1)], entities=[(entity_second[0], 1)])
        )
        assert len(clustering.stories()) == 2
        assert clustering.add(between).story_id == "s-one"


def test_time_gap_keeps_identical_content_apart_unless_undated() -> None:
    clustering = clusterer()
    clustering.add(event_feat("q1", "quake"))
    year_later = clustering.add(event_feat("q-later", "quake", hours=24 * 365))
    assert year_later.story_id == "s-q-later"
    undated = clustering.add(event_feat("q-undated", "quake", hours=24 * 365, dated=False))
    assert undated.story_id == "s-q1"


@pytest.mark.parametrize(
    "odd",
    [
        feat("no-vector", vector=None, terms=[("earthquake", 1.0)], entities=[("place:~hokkaido", 1.0)]),
        feat("no-terms", vector=basis(0), entities=[("place:~hokkaido", 1.0)]),
        feat("no-entities", vector=basis(0), terms=[("earthquake", 1.0)]),
        feat("nothing", vector=None),
        feat("undated", vector=basis(0), terms=[("earthquake", 1.0)], dated=False, hours=-5000),
        feat("one-word", vector=basis(5), terms=[("earthquake", 1.0)], title="Earthquake"),
        feat("empty-title", vector=None, title=""),
    ],
    ids=lambda item: item.article_id,
)
def test_poor_features_still_get_a_story(odd: StoryFeatures) -> None:
    clustering = clusterer()
    clustering.add_many([event_feat("q1", "quake"), event_feat("r1", "rates", hours=1)])
    assignment = clustering.add(odd)
    assert assignment.article_id == odd.article_id
    assert assignment.story_id in {"s-q1", "s-r1", story_id_for(odd.article_id)}
    story = clustering.story(assignment.story_id)
    assert story is not None and odd.article_id in story.article_ids
    assert clustering.labels()[-1] == assignment.story_id
    # The stories stay listable and maintenance copes with them.
    clustering.maintain()
    assert sum(len(s.article_ids) for s in clustering.stories()) == 3


def test_poor_features_alone_start_stories() -> None:
    clustering = clusterer()
    items = [
        feat("nothing", vector=None),
        feat("undated", vector=None, dated=False),
        feat("word", vector=basis(3), terms=[("x", 1.0)]),
    ]
    assignments = clustering.add_many(items)
    assert [a.story_id for a in assignments] == ["s-nothing", "s-undated", "s-word"]
    assert [s.title for s in clustering.stories()] == ["Title nothing", "Title undated", "Title word"]
    assert clustering.maintain() == ([], [])


def test_adding_the_same_article_twice_changes_nothing() -> None:
    clustering = clusterer()
    clustering.add_many([event_feat("q1", "quake"), event_feat("q2", "quake", hours=1)])
    clustering.add(event_feat("r1", "rates", hours=2))
    before = ([s.to_dict() for s in clustering.stories()], clustering.labels(), clustering.next_sequence)

    again = clustering.add(event_feat("q2", "quake", hours=1))
    # Even with different features this time: the article keeps its story.
    moved = clustering.add(event_feat("r1", "quake", hours=2))
    assert (again.article_id, again.story_id) == ("q2", "s-q1")
    assert (moved.article_id, moved.story_id) == ("r1", "s-r1")
    assert len(clustering) == 3
    assert (
        [s.to_dict() for s in clustering.stories()],
        clustering.labels(),
        clustering.next_sequence,
    ) == before


# ---------------------------------------------------------------- resume


@pytest.mark.parametrize("cut", [1, 5, 9])
def test_load_then_continue_equals_one_uninterrupted_run(cut: int) -> None:
    items = [item for item, _ in stream()]
    whole = clusterer()
    whole_assignments = whole.add_many(items)

    first = clusterer()
    saved = first.add_many(items[:cut])
    by_id = {item.article_id: item for item in items}
    resumed = clusterer()
    resumed.load(
        [(assignment.story_id, by_id[assignment.article_id]) for assignment in saved],
        next_sequence=first.next_sequence,
    )
    # A replayed stream re-adds what was saved: nothing moves, nothing is counted twice.
    replayed = resumed.add_many(items[:cut])
    assert [(a.article_id, a.story_id) for a in replayed] == [(a.article_id, a.story_id) for a in saved]
    rest = resumed.add_many(items[cut:])

    assert saved + rest == whole_assignments
    assert resumed.labels() == whole.labels()
    assert len(resumed) == len(items)
    assert [s.to_dict() for s in resumed.stories()] == [s.to_dict() for s in whole.stories()]
    assert resumed.next_sequence == whole.next_sequence


def test_load_ignores_an_article_listed_twice() -> None:
    clustering = clusterer()
    q1 = event_feat("q1", "quake")
    clustering.load([("s-q1", q1), ("s-q1", q1), ("s-other", q1)])
    assert len(clustering) == 1
    assert [s.article_ids for s in clustering.stories()] == [("q1",)]


# ---------------------------------------------------------------- maintenance


def test_maintain_after_load_alone_does_nothing() -> None:
    clustering = clusterer()
    clustering.load(
        [("s-q1", event_feat("q1", "quake")), ("s-q2", event_feat("q2", "quake", hours=1))], next_sequence=2
    )
    assert clustering.maintain() == ([], [])
    assert clustering.drain_touched() == []


def test_maintain_merges_converged_stories_and_older_id_survives() -> None:
    clustering = clusterer()
    clustering.load(
        [
            ("s-q1", event_feat("q1", "quake")),
            ("s-r1", event_feat("r1", "rates", hours=1)),
            ("s-q2", event_feat("q2", "quake", tilt=0.1, hours=2)),
            ("s-q1", event_feat("q3", "quake", tilt=-0.1, hours=3)),
            ("s-q2", event_feat("q4", "quake", hours=4)),
        ],
        next_sequence=5,
    )
    # Touch the younger story: a syndicated copy of one of its articles.
    touch = clustering.add(event_feat("q4-copy", "quake", hours=5, duplicate_of="q4"))
    assert touch.story_id == "s-q2"

    merges, splits = clustering.maintain()
    assert merges == [StoryMerge(absorbed="s-q2", survivor="s-q1")]
    assert splits == []
    assert clustering.resolve("s-q2") == "s-q1"
    assert clustering.resolve("s-q1") == "s-q1"
    merged = clustering.story("s-q2")
    assert merged is not None and merged.id == "s-q1"
    assert merged.article_ids == ("q1", "q2", "q3", "q4", "q4-copy")
    assert [s.id for s in clustering.stories()] == ["s-q1", "s-r1"]
    assert clustering.labels() == ["s-q1", "s-r1", "s-q1", "s-q1", "s-q1", "s-q1"]
    assert [s.id for s in clustering.drain_touched()] == ["s-q1"]
    assert clustering.drain_touched() == []

    # The stories keep working: a new quake article joins the survivor, a copy of an absorbed member too.
    assert clustering.add(event_feat("q5", "quake", hours=6)).story_id == "s-q1"
    assert clustering.add(event_feat("q2-copy", "rates", hours=7, duplicate_of="q2")).story_id == "s-q1"
    assert clustering.maintain() == ([], [])


def test_maintain_keeps_apart_stories_that_did_not_converge() -> None:
    clustering = clusterer()
    clustering.load(
        [("s-q1", event_feat("q1", "quake")), ("s-r1", event_feat("r1", "rates", hours=1))], next_sequence=2
    )
    clustering.add(event_feat("r2", "rates", hours=2))
    assert clustering.maintain() == ([], [])
    assert [s.id for s in clustering.stories()] == ["s-q1", "s-r1"]


def mixed_story() -> tuple[StoryClusterer, list[str], list[str]]:
    """One stored story s-m1 holding three quake and three rates articles, interleaved."""
    quake = ["m1", "m3", "m5"]
    rates = ["m2", "m4", "m6"]
    members = []
    for hour, article_id in enumerate(["m1", "m2", "m3", "m4", "m5", "m6"]):
        event = "quake" if article_id in quake else "rates"
        members.append(("s-m1", event_feat(article_id, event, tilt=0.05 * hour, hours=hour)))
    clustering = clusterer()
    clustering.load(members, next_sequence=6)
    return clustering, quake, rates


def test_maintain_splits_a_story_that_mixes_two_events() -> None:
    clustering, quake, rates = mixed_story()
    # Touch it without changing its make-up: a vectorless syndicated copy of its first article.
    touch = clustering.add(feat("m1-copy", duplicate_of="m1", hours=7))
    assert touch.story_id == "s-m1"

    merges, splits = clustering.maintain()
    assert splits == [StorySplit(original="s-m1", new_id="s-m2", article_ids=tuple(rates))]
    assert merges == []
    kept = clustering.story("s-m1")
    moved = clustering.story("s-m2")
    assert kept is not None and moved is not None
    assert kept.article_ids == (*quake, "m1-copy")
    assert moved.article_ids == tuple(rates)
    assert clustering.resolve("s-m1") == "s-m1"
    assert [clustering.story_of(article) for article in rates] == ["s-m2"] * 3
    assert [s.id for s in clustering.drain_touched()] == ["s-m1", "s-m2"]

    # After the split each part attracts its own event.
    assert clustering.add(event_feat("q-new", "quake", hours=8)).story_id == "s-m1"
    assert clustering.add(event_feat("r-new", "rates", hours=9)).story_id == "s-m2"
    assert clustering.maintain() == ([], [])


def test_new_story_after_split_is_found_through_its_entities() -> None:
    clustering, _, _ = mixed_story()
    clustering.add(feat("m1-copy", duplicate_of="m1", hours=7))
    _, splits = clustering.maintain()
    assert [split.new_id for split in splits] == ["s-m2"]
    # No vector (nothing to embed), but the rates terms and entities: found through the entity index.
    _, terms, entities = EVENTS["rates"]
    probe = feat("r-novec", vector=None, terms=terms, entities=[(key, 1.0) for key in entities], hours=8)
    ids, _ = clustering.candidate_features(probe)
    assert "s-m2" in ids


def test_maintain_does_not_split_a_coherent_story() -> None:
    clustering = clusterer()
    clustering.load(
        [("s-q0", event_feat(f"q{n}", "quake", tilt=0.03 * n, hours=n)) for n in range(7)], next_sequence=7
    )
    clustering.add(event_feat("q7", "quake", hours=7))
    assert clustering.maintain() == ([], [])
    story = clustering.story("s-q0")
    assert story is not None and len(story.article_ids) == 8


def test_set_threads_shows_on_stories_and_survives_a_merge() -> None:
    clustering = clusterer()
    clustering.load([("s-q1", event_feat("q1", "quake")), ("s-q2", event_feat("q2", "quake", hours=1))])
    clustering.set_threads({"s-q2": "t-q2", "s-unknown": "t-x"})
    assert [s.thread_id for s in clustering.stories()] == [None, "t-q2"]
    clustering.add(event_feat("q2-copy", "quake", hours=2, duplicate_of="q2"))
    merges, _ = clustering.maintain()
    assert merges == [StoryMerge("s-q2", "s-q1")]
    survivor = clustering.story("s-q1")
    assert survivor is not None and survivor.thread_id == "t-q2"


# ---------------------------------------------------------------- the model


def test_fit_logistic_recovers_the_signs_and_order_of_weights() -> None:
    rng = np.random.default_rng(7)
    features = rng.normal(size=(2000, 3))
    true_weights = np.array([3.0, -1.5, 0.0])
    probabilities = 1 / (1 + np.exp(-(features @ true_weights + 0.5)))
    labels = (rng.uniform(size=len(features)) < probabilities).astype(float)

    weights, bias = fit_logistic(features, labels, l2=1.0)
    assert weights.shape == (3,)
    assert weights[0] > 0 > weights[1]
    assert weights[0] > abs(weights[1]) > abs(weights[2])
    assert abs(weights[2]) < 0.3
    assert weights == pytest.approx(true_weights, abs=0.5)
    assert bias == pytest.approx(0.5, abs=0.3)


def test_fit_logistic_regularisation_keeps_separable_data_finite() -> None:
    features = np.array([[0.0], [0.1], [0.2], [0.8], [0.9], [1.0]])
    labels = np.array([0, 0, 0, 1, 1, 1], dtype=float)
    weights, bias = fit_logistic(features, labels, l2=1.0)
    assert np.isfinite(weights).all() and math.isfinite(bias)
    assert weights[0] > 0
    model = StoryModel(weights=tuple(weights), bias=bias, join=0.5, merge=0.7, thread=0.2)
    assert (model.probability(features) >= 0.5).tolist() == [False, False, False, True, True, True]


def test_probability_is_strictly_between_zero_and_one_and_monotone() -> None:
    rng = np.random.default_rng(1)
    rows = rng.uniform(0, 1, size=(200, len(FEATURE_NAMES)))
    gap, undated = FEATURE_NAMES.index("gap_days"), FEATURE_NAMES.index("undated")
    rows[:, gap] = np.log1p(rng.uniform(0, 365, size=200))
    rows[:, undated] = rng.integers(0, 2, size=200)
    probabilities = MODEL.probability(rows)
    assert probabilities.shape == (200,)
    assert ((probabilities > 0) & (probabilities < 1)).all()

    sweep = np.tile(rows[0], (11, 1))
    sweep[:, 0] = np.linspace(0, 1, 11)  # embedding_centroid: a positive weight
    assert (np.diff(MODEL.probability(sweep)) > 0).all()
    sweep[:, 0] = rows[0, 0]
    sweep[:, gap] = np.linspace(0, 6, 11)  # gap_days: a negative weight
    assert (np.diff(MODEL.probability(sweep)) < 0).all()


# ---------------------------------------------------------------- features


def test_lexical_terms_are_l2_normalised_and_rank_rare_names_first() -> None:
    terms = lexical_terms(
        "Zelensky meets Starmer in Kyiv",
        "The president said the talks were long. He said they would meet again. Zelensky said 701 drones.",
        "en",
    )
    weights = dict(terms)
    assert math.sqrt(sum(w * w for w in weights.values())) == pytest.approx(1.0, abs=1e-4)
    assert [w for _, w in terms] == sorted((w for _, w in terms), reverse=True)
    for common in ("the", "said", "he", "they", "were", "in"):
        assert common not in weights
    assert terms[0][0] == "zelensky"
    assert {"zelensky", "starmer", "kyiv"} <= {term for term, _ in terms[:3]}
    assert weights["starmer"] > weights.get("president", 0.0)
    assert 0 < weights["701"] < weights["kyiv"]


def test_lexical_terms_fold_accents_and_case() -> None:
    assert fold("Zélensky") == "zelensky"
    accented = lexical_terms("Zélensky in Kyiv", "ZÉLENSKY visited.", "en")
    plain = lexical_terms("zelensky in Kyiv", "Zelensky visited.", "en")
    assert accented == plain
    assert "zelensky" in dict(accented)


def test_lexical_terms_of_nothing_and_unknown_language() -> None:
    assert lexical_terms("", "", "en") == ()
    assert lexical_terms("The", "the said", None) == ()
    assert dict(lexical_terms("Starmer", "", "xx")) == {"starmer": pytest.approx(1.0)}


def test_salient_entities_weigh_a_person_in_the_title_over_a_place_in_the_body() -> None:
    enrichment = Enrichment(
        article_id="a1",
        version="enrich.v1",
        language="en",
        model=None,
        entities=(
            Entity("person:keir starmer", "Keir Starmer", EntityType.PERSON, mention_count=1),
            Entity("place:kyiv", "Kyiv", EntityType.PLACE, mention_count=1),
            Entity("person:rachel reeves", "Rachel Reeves", EntityType.PERSON, mention_count=1),
        ),
    )
    entities = salient_entities(enrichment, "Keir Starmer visits Ukraine")
    weights = dict(entities)
    assert [w for _, w in entities] == sorted((w for _, w in entities), reverse=True)
    assert entities[0][0] == "person:~keir starmer"
    place = next(key for key in weights if key.endswith(":~kiv") or "kyiv" in key)
    assert weights["person:~keir starmer"] > weights[place]
    # Title beats body for the same type; a bare surname counts at a third of the full name.
    reeves = next(key for key in weights if key.startswith("person:~rachel"))
    assert weights["person:~keir starmer"] > weights[reeves]
    assert weights["person:surname:starmer"] == pytest.approx(weights["person:~keir starmer"] / 3, abs=1e-3)
    assert salient_entities(None, "anything") == ()
    assert salient_entities(Enrichment("a2", "enrich.v1", "en", None), "anything") == ()


def test_salient_entities_weigh_repeated_names_more() -> None:
    def weight(count: int) -> float:
        entity = Entity("org:fnv", "FNV", EntityType.ORGANISATION, mention_count=count)
        enrichment = Enrichment("a1", "enrich.v1", "en", None, entities=(entity,))
        return max(w for _, w in salient_entities(enrichment, "Strike in Rotterdam"))

    assert weight(5) > weight(1) > 0


def test_embedding_text_includes_the_title_once() -> None:
    text = embedding_text("Quake hits Hokkaido", "A strong earthquake struck on Monday.")
    assert text.startswith("Quake hits Hokkaido")
    assert "A strong earthquake" in text
    assert embedding_text("Quake hits Hokkaido", "Quake hits Hokkaido\n\nMore.").count("Quake hits") == 1
    assert embedding_text("", "Body only.") == "Body only."
    long = embedding_text("Title", "word " * 1000)
    assert long.startswith("Title. ") and len(long) < 600


def make_article(
    article_id: str,
    *,
    title: str | None = "Quake hits Hokkaido",
    paragraphs: tuple[str, ...] = ("A strong earthquake struck Hokkaido on Monday.",),
    published_at: datetime | None = None,
    ingested_at: datetime = datetime(2025, 3, 2, 12, 0, tzinfo=UTC),
    duplicate_of: str | None = None,
) -> Article:
    return Article(
        id=article_id,
        source=f"{article_id}.html",
        url=None,
        outlet="Example",
        via=None,
        title=title,
        authors=(),
        section=None,
        standfirst=None,
        published_at=published_at,
        published_precision=DatePrecision.DATETIME if published_at else DatePrecision.UNKNOWN,
        published_origin=DateOrigin.METADATA if published_at else DateOrigin.NONE,
        language="en",
        paragraphs=paragraphs,
        captions=(),
        source_format=SourceFormat.HTML,
        ingested_at=ingested_at,
        identity=article_id,
        duplicate_of=duplicate_of,
    )


class FakeEmbed:
    """Returns basis vectors in call order and remembers what it was asked to embed."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        return np.stack([basis(row % DIMENSIONS) for row in range(len(texts))])


def test_story_features_with_a_fake_embedder() -> None:
    kyiv = timezone(timedelta(hours=2))
    articles = [
        make_article("dated", published_at=datetime(2025, 3, 1, 12, 0, tzinfo=kyiv)),
        make_article("empty", title=None, paragraphs=()),
        make_article("undated", ingested_at=datetime(2025, 3, 2, 12, 0, tzinfo=kyiv), duplicate_of="dated"),
        make_article(
            "naive", published_at=datetime(2025, 3, 1, 7, 30), title=None, paragraphs=("Body words.",)
        ),
    ]
    enrichment = Enrichment(
        "dated",
        "enrich.v1",
        "en",
        None,
        entities=(Entity("place:hokkaido", "Hokkaido", EntityType.PLACE, mention_count=2),),
    )
    embed = FakeEmbed()
    result = story_features(articles, [enrichment, None, None, None], embed)

    assert len(embed.calls) == 1 and len(embed.calls[0]) == 3  # one batch; nothing to embed is skipped
    assert embed.calls[0][0].startswith("Quake hits Hokkaido")
    dated, empty, undated, naive = result
    assert [f.article_id for f in result] == ["dated", "empty", "undated", "naive"]
    assert dated.seen_at == datetime(2025, 3, 1, 10, 0) and dated.dated is True
    assert undated.seen_at == datetime(2025, 3, 2, 10, 0) and undated.dated is False
    assert naive.seen_at == datetime(2025, 3, 1, 7, 30) and naive.dated is True
    assert all(f.seen_at.tzinfo is None for f in result)
    assert undated.duplicate_of == "dated" and dated.duplicate_of is None
    assert empty.vector is None and empty.terms == () and empty.entities == ()
    np.testing.assert_array_equal(dated.vector, basis(0))
    np.testing.assert_array_equal(undated.vector, basis(1))
    np.testing.assert_array_equal(naive.vector, basis(2))
    assert dated.entities and all(key.startswith("org-place:") for key, _ in dated.entities)
    assert undated.entities == ()
    assert "hokkaido" in dict(dated.terms)
    assert dated.title == "Quake hits Hokkaido" and naive.title == "Body words."
    assert all(f.version == FEATURES_VERSION and f.language == "en" for f in result)

    # And they cluster: the two quake articles together, the vectorless one alone.
    clustering = StoryClusterer(MODEL, dimensions=DIMENSIONS)
    labels = [a.story_id for a in clustering.add_many(result)]
    assert labels[2] == labels[0] == "s-dated"
    assert labels[1] == "s-empty"


def test_story_features_of_no_articles() -> None:
    embed = FakeEmbed()
    assert story_features([], [], embed) == []
    assert embed.calls == []


def test_sentence_encoder_puts_same_event_sentences_closer() -> None:
    sentences = [
        "An earthquake of magnitude 7 struck northern Japan on Monday.",
        "A powerful quake hit Hokkaido, killing dozens of people.",
        "The central bank raised interest rates by half a point.",
        "Interest rates were increased again by the central bank.",
    ]
    encoder = SentenceEncoder()
    vectors = encoder(sentences)
    assert vectors.shape == (4, encoder.dimensions) and vectors.dtype == np.float32
    assert np.linalg.norm(vectors, axis=1) == pytest.approx(1.0, abs=1e-5)
    similarity = vectors @ vectors.T
    cross = max(similarity[i, j] for i in (0, 1) for j in (2, 3))
    assert min(similarity[0, 1], similarity[2, 3]) > cross
    assert encoder([]).shape == (0, encoder.dimensions)


# ---------------------------------------------------------------- hostile text


@settings(max_examples=150, deadline=None)
@given(
    title=st.text(max_size=200),
    text=st.text(max_size=2000),
    language=st.sampled_from(["en", "fr", "xx", None]),
)
def test_lexical_view_never_crashes_and_stays_unit_length(
    title: str, text: str, language: str | None
) -> None:
    terms = lexical_terms(title, text, language)
    assert len(terms) <= 150
    norm = math.sqrt(sum(weight * weight for _, weight in terms))
    assert not terms or abs(norm - 1.0) < 1e-3
    assert all(weight > 0 for _, weight in terms)
    assert isinstance(embedding_text(title, text), str)
