"""`dateline stories / story / threads / thread`: read-only views over stored stories, table and JSON."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dateline.cli import app
from dateline.models import StoryMerge, Thread
from dateline.store import open_store

from .test_store_stories import ALGORITHM, START, add_articles, assign, features, make_article, story

runner = CliRunner()

HOSTILE = "[bold]x[/bold] <script>alert(1)</script>"


def run(*args: str, db: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stored(db_path: Path) -> Path:
    """Two stories (one with a syndicated copy and a hostile title), one merged away, one thread."""
    with open_store(db_path) as store:
        add_articles(
            store,
            make_article("a1", hours=0, outlet="Wire", title=HOSTILE),
            make_article("a2", hours=1, outlet="Paper [red]", language="fr", duplicate_of="a1"),
            make_article("a3", hours=2, outlet="Daily"),
            make_article("a4", hours=30, outlet="Daily", title="Later development"),
        )
        store.save_story_features([features(f"a{i}", hours=i) for i in range(1, 5)])
        store.save_story_batch(
            [
                assign("a1", "s-a1", 0),
                assign("a2", "s-a1", 1, 0.97),
                assign("a3", "s-a3", 2),
                assign("a4", "s-a4", 3),
            ],
            [
                replace(story("s-a1", first=0, last=2), title=HOSTILE),
                story("s-a3", first=2, last=2),
                story("s-a4", first=30, last=30),
            ],
            [StoryMerge("s-a3", "s-a1")],
        )
        store.save_threads(
            [
                Thread(
                    "t-s-a1",
                    "Harbour strike",
                    ("s-a1", "s-a4"),
                    START,
                    START + timedelta(hours=30),
                    ALGORITHM,
                )
            ]
        )
    return db_path


def test_empty_store_says_what_to_do(db_path: Path) -> None:
    code, stdout, stderr = run("stories", db=db_path)
    assert code == 0 and stdout == ""
    assert "no stories yet" in stderr and "dateline ingest" in stderr
    code, stdout, _ = run("stories", "--format", "json", db=db_path)
    assert code == 0 and json.loads(stdout) == []
    code, _, stderr = run("threads", db=db_path)
    assert code == 0 and "no stories yet" in stderr
    code, _, stderr = run("story", "s-nothing", db=db_path)
    assert code == 1 and "no story with id 's-nothing'" in stderr


def test_stories_table_and_json(stored: Path) -> None:
    code, stdout, _ = run("stories", db=stored)
    assert code == 0
    assert stdout.index("s-a4") < stdout.index("s-a1")  # most recently active first
    assert HOSTILE[:20] in stdout  # markup shown as text, not applied
    assert "Paper [red]" in stdout
    assert "t-s-a1" in stdout

    code, stdout, _ = run("stories", "--format", "json", db=stored)
    data = json.loads(stdout)
    assert [s["id"] for s in data] == ["s-a4", "s-a1"]
    first = data[1]
    assert first["title"] == HOSTILE
    assert first["article_ids"] == ["a1", "a2", "a3"]
    assert first["article_count"] == 3
    assert first["outlets"] == ["Wire", "Paper [red]", "Daily"]
    assert first["languages"] == ["en", "fr"]
    assert first["thread_id"] == "t-s-a1"

    code, stdout, _ = run("stories", "--format", "json", "--since", "2025-12-01", "--limit", "5", db=stored)
    assert [s["id"] for s in json.loads(stdout)] == ["s-a4"]
    code, _, stderr = run("stories", "--since", "2030-01-01", db=stored)
    assert code == 0 and "no stories since 2030-01-01" in stderr
    code, _, _ = run("stories", "--since", "next tuesday", db=stored)
    assert code == 2


def test_story_table_json_redirect_and_prefix(stored: Path) -> None:
    code, stdout, _ = run("story", "s-a1", db=stored)
    assert code == 0
    assert HOSTILE in stdout
    assert "copy of a1" in stdout
    assert "Paper [red]" in stdout
    assert "was merged" not in stdout

    code, stdout, _ = run("story", "s-a3", "--format", "json", db=stored)
    data = json.loads(stdout)
    assert data["id"] == "s-a1" and data["redirected_from"] == "s-a3"
    assert [a["id"] for a in data["articles"]] == ["a1", "a2", "a3"]
    copy = data["articles"][1]
    assert copy["duplicate_of"] == "a1" and copy["score"] == 0.97 and copy["language"] == "fr"
    assert copy["url"] == "https://example.org/a2" and copy["published_at"].startswith("2025-11-30T10:00")

    code, stdout, _ = run("story", "s-a3", db=stored)
    assert code == 0 and "s-a3 was merged into this story" in stdout

    code, stdout, _ = run("story", "s-a4", "--format", "json", db=stored)
    assert "redirected_from" not in json.loads(stdout)
    code, _, stderr = run("story", "s-a", db=stored)  # ambiguous prefix
    assert code == 1 and "no story" in stderr


def test_threads_and_thread(stored: Path) -> None:
    code, stdout, _ = run("threads", db=stored)
    assert code == 0 and "t-s-a1" in stdout and "Harbour strike" in stdout

    code, stdout, _ = run("threads", "--format", "json", db=stored)
    [data] = json.loads(stdout)
    assert data["story_ids"] == ["s-a1", "s-a4"] and data["story_count"] == 2

    code, stdout, _ = run("thread", "t-s-a1", db=stored)
    assert code == 0
    assert stdout.index("s-a1") < stdout.index("s-a4")  # time order
    assert HOSTILE[:20] in stdout and "Story s-a4" in stdout

    code, stdout, _ = run("thread", "t-s", "--format", "json", db=stored)
    data = json.loads(stdout)
    assert data["id"] == "t-s-a1"
    assert [s["id"] for s in data["stories"]] == ["s-a1", "s-a4"]
    assert data["stories"][0]["article_count"] == 3

    code, _, stderr = run("thread", "t-missing", db=stored)
    assert code == 1 and "no thread with id 't-missing'" in stderr
