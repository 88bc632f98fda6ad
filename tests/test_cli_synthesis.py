"""`dateline story / thread / timeline / synthesize` over story syntheses: the JSON contract, the table
views (with hostile text shown, never applied), --since deltas, and precomputing.

The corpus is the invented Kestrelby bridge story of ``test_synthesize_store``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dateline.cli import app
from dateline.store import open_store

from .test_synthesize_store import BRIDGE, CORPUS, HOSTILE_OUTLET, HOSTILE_TITLE, corpus_article, store_corpus

runner = CliRunner()


def run(*args: str, db: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def stored(db_path: Path) -> Path:
    with open_store(db_path) as store:
        store_corpus(store)
    return db_path


def assert_citations(citations: list[dict[str, object]], members: set[str]) -> None:
    assert citations
    for citation in citations:
        assert set(citation) >= {"article_id", "start", "end"}
        assert citation["article_id"] in members
        article = corpus_article(str(citation["article_id"]))
        field = citation.get("field", "text")
        text = article.title if field == "title" else article.text
        start, end = citation["start"], citation["end"]
        assert isinstance(start, int) and isinstance(end, int)
        assert 0 <= start < end <= len(text or "")


def test_story_json_is_the_story_merged_with_its_synthesis(stored: Path) -> None:
    code, stdout, _ = run("story", "s-k1", "--format", "json", db=stored)
    assert code == 0
    data = json.loads(stdout)
    members = set(BRIDGE)
    assert data["id"] == "s-k1"
    assert data["title"] in {corpus_article(i).title for i in BRIDGE}  # the synthesis's title: a headline
    assert [a["id"] for a in data["articles"]] == list(BRIDGE)  # the story's articles, as before
    assert data["article_ids"] == list(BRIDGE) and data["thread_id"] == "t-s-k1"
    assert data["article_count"] == 4 and data["synthesis_version"]

    assert data["summary"]
    for line in data["summary"]:
        assert set(line) >= {"text", "citations"} and line["text"]
        assert_citations(line["citations"], members)
    assert data["timeline"]
    for entry in data["timeline"]:
        assert set(entry) >= {"date", "precision", "text", "planned", "citations"}
        assert isinstance(entry["planned"], bool)
        assert_citations(entry["citations"], members)
    assert data["quotes"]
    for quote in data["quotes"]:
        assert set(quote) >= {"speaker", "text", "citations"}
        assert_citations(quote["citations"], members)
    assert any(q["speaker"] == "Mirela Dostal" for q in data["quotes"])
    assert data["figures"]
    for figure in data["figures"]:
        assert set(figure) >= {"value", "unit", "counted", "text", "citations"}
        assert_citations(figure["citations"], members)
    coverage = data["coverage"]
    assert set(coverage) >= {"outlets", "first_report", "unique_contributions"}
    assert {o["outlet"] for o in coverage["outlets"]} == {"Kestrelby Echo", HOSTILE_OUTLET, "Valley Post"}
    assert coverage["first_report"]["article_id"] == "k1"
    assert any(e["name"] == "Kestrelby" for e in data["entities"])

    # The same dict from the stored synthesis, and for a prefix.
    code, again, _ = run("story", "s-k", "--format", "json", db=stored)
    assert code == 0 and json.loads(again) == data


def test_story_table_shows_the_synthesis_escaped(stored: Path) -> None:
    _, stdout, _ = run("story", "s-k1", "--format", "json", db=stored)
    title = json.loads(stdout)["title"]
    code, stdout, _ = run("story", "s-k1", db=stored)
    assert code == 0
    assert stdout.startswith(f"{title} s-k1\n")
    for heading in ("Summary", "Timeline", "Quotes", "Figures", "Coverage", "Sources", "Articles"):
        assert f"\n{heading}\n" in stdout, heading
    assert stdout.index("Summary") < stdout.index("Timeline") < stdout.index("Articles")
    assert " 1. " in stdout and "[1]" in stdout  # numbered lines citing numbered sources
    assert "Mirela Dostal" in stdout and "“We will not reopen [the bridge] until" in stdout
    assert "3 outlets" in stdout and "first report: Kestrelby Echo" in stdout
    # Markup in titles, outlets and text is shown as written, never applied.
    assert HOSTILE_TITLE in stdout
    assert HOSTILE_OUTLET in stdout
    assert "<script>alert(1)</script>" in stdout  # k2's headline, in the article list


def test_story_since_prints_what_is_new(stored: Path) -> None:
    code, stdout, _ = run("story", "s-k1", "--since", "2026-02-04", "--format", "json", db=stored)
    assert code == 0
    data = json.loads(stdout)
    assert set(data) >= {"id", "since", "new_articles", "new_outlets", "timeline", "quotes", "figures"}
    assert data["new_articles"] == ["k3", "k4"]
    assert [o["outlet"] for o in data["new_outlets"]] == ["Valley Post"]
    assert any("structure is sound" in q["text"] for q in data["quotes"])
    assert data["since"] == "2026-02-04T00:00:00"

    # A zone is honoured: 2026-02-04T01:00+02:00 is 2026-02-03T23:00 UTC.
    code, stdout, _ = run("story", "s-k1", "--since", "2026-02-04T01:00+02:00", "-f", "json", db=stored)
    assert json.loads(stdout)["since"] == "2026-02-03T23:00:00"

    code, stdout, _ = run("story", "s-k1", "--since", "2026-02-04", db=stored)
    assert code == 0
    assert "2 new articles since 2026-02-04 00:00" in stdout and "new outlets: Valley Post" in stdout
    assert "New articles" in stdout and "New quotes" in stdout

    code, stdout, _ = run("story", "s-k1", "--since", "2026-03-01", db=stored)
    assert code == 0 and "nothing new since 2026-03-01" in stdout
    code, _, _ = run("story", "s-k1", "--since", "last week", db=stored)
    assert code == 2


def test_thread_shows_its_synthesis(stored: Path) -> None:
    code, stdout, _ = run("thread", "t-s-k1", "--format", "json", db=stored)
    assert code == 0
    data = json.loads(stdout)
    assert data["id"] == "t-s-k1" and [s["id"] for s in data["stories"]] == ["s-k1", "s-r1"]
    assert data["article_count"] == 5 and data["summary"] and data["timeline"]
    assert {"quotes", "figures", "coverage", "entities"} <= set(data)

    code, stdout, _ = run("thread", "t-s", db=stored)
    assert code == 0
    assert "\nSummary\n" in stdout and "\nTimeline\n" in stdout and "\nStories\n" in stdout
    assert stdout.startswith(f"{data['title']} t-s-k1\n") and "5 articles" in stdout


def test_timeline_across_stories(stored: Path) -> None:
    code, stdout, _ = run("timeline", "Kestrelby", "--format", "json", db=stored)
    assert code == 0
    data = json.loads(stdout)
    assert data["query"] == "Kestrelby" and data["article_count"] == len(CORPUS)
    assert "Kestrelby" in data["entities"]
    dates = [e["date"] for e in data["entries"]]
    assert dates and dates == sorted(dates)
    cited = {c["article_id"] for e in data["entries"] for c in e["citations"]}
    assert "r1" in cited or len(cited) > 1  # across stories, not one story's timeline
    for entry in data["entries"]:
        assert set(entry) >= {"date", "precision", "text", "planned", "citations"}

    code, stdout, _ = run("timeline", "Kestrelby", "--since", "2026-02-04", "-f", "json", db=stored)
    assert all(e["date"] >= "2026-02-04" for e in json.loads(stdout)["entries"])
    code, stdout, _ = run("timeline", "Kestrelby", "--until", "2026-02-02", "-f", "json", db=stored)
    assert all(e["date"] <= "2026-02-02" for e in json.loads(stdout)["entries"])
    code, stdout, _ = run("timeline", "Kestrelby", "--limit", "1", "-f", "json", db=stored)
    assert len({e["date"] for e in json.loads(stdout)["entries"]}) <= 1

    code, stdout, _ = run("timeline", "Kestrelby", db=stored)
    assert code == 0 and "\nTimeline\n" in stdout and "Sources" in stdout
    assert HOSTILE_OUTLET in stdout or "Kestrelby Echo" in stdout

    code, stdout, stderr = run("timeline", "zeppelin [bold]", db=stored)
    assert code == 0 and stdout == "" and "no dated events found for 'zeppelin [bold]'" in stderr


def test_synthesize_precomputes_and_says_what_it_did(stored: Path) -> None:
    code, _, stderr = run("synthesize", db=stored)
    assert code == 0 and "2 built" in stderr
    code, _, stderr = run("synthesize", db=stored)
    assert code == 0 and "0 built" in stderr
    code, _, stderr = run("synthesize", "s-k", "--force", db=stored)
    assert code == 0 and "1 built" in stderr
    code, _, stderr = run("synthesize", "s-nothing", db=stored)
    assert code == 1 and "no story with id 's-nothing'" in stderr


def test_synthesize_on_an_empty_store(db_path: Path) -> None:
    code, _, stderr = run("synthesize", db=db_path)
    assert code == 0 and "no stories yet" in stderr


def test_a_failing_synthesis_is_one_line_logged_and_the_story_kept(
    stored: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from dateline import synthesize

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("stage bug")

    monkeypatch.setattr(synthesize, "synthesize_story", broken)
    code, _, stderr = run("story", "s-k1", db=stored)
    assert code == 1
    assert "synthesis of s-k1 failed: RuntimeError: stage bug" in stderr
    assert "Traceback" not in stderr
    _, logged, _ = run("errors", "--format", "jsonl", db=stored)
    assert "stage bug" in logged
    assert run("stories", db=stored)[0] == 0
