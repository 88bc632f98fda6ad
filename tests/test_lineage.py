"""Syndication lineage: wire credits, what a copy adds or drops, and the wire's own copy as the original."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from typer.testing import CliRunner

from dateline import dedupe
from dateline.cli import app
from dateline.lineage import compare_copy, wire_credit, wire_outlet
from dateline.models import Article
from dateline.pipeline import article_copies, ingest_inputs
from dateline.settings import Settings
from dateline.store import SqliteStore

from .test_enrich_store import _article

WIRE_PARAGRAPHS = (
    "KYIV, Nov 30 (Reuters) - Ukrainian and U.S. negotiators met in Florida on Sunday to work on a revised "
    "peace framework, officials from both sides said.",
    "The talks followed a week of shuttle diplomacy after Washington presented a 28-point plan that Kyiv "
    "and its European allies said needed substantial changes.",
    "Rustem Umerov, who leads Ukraine's delegation, said the meeting had been productive and that the two "
    "sides had agreed on several points.",
    "The Kremlin said it had not been briefed on the new draft and would wait for the outcome of the talks "
    "before commenting on any of its provisions.",
    "European leaders, who were not represented in Florida, said any settlement must respect Ukraine's "
    "borders and include security guarantees backed by its allies.",
    "A further round of talks could take place in Moscow later in the week, two people familiar with the "
    "plans said, speaking on condition of anonymity.",
    "(Reporting by Jane Roe; Editing by John Doe)",
)


def _wire_story(article_id: str, **changes: object) -> Article:
    article = replace(_article(article_id, ""), paragraphs=WIRE_PARAGRAPHS, title="U.S., Ukraine hold talks")
    return replace(article, **changes)  # type: ignore[arg-type]


def test_wire_credits_are_read_from_datelines_and_sign_offs() -> None:
    assert wire_credit(_wire_story("a")) == "Reuters"
    ap = replace(
        _wire_story("b"), paragraphs=("WASHINGTON (AP) — Talks resumed on Sunday.", "More text here.")
    )
    assert wire_credit(ap) == "Associated Press"
    subject = replace(
        _wire_story("c"), paragraphs=("The talks were first reported by Reuters on Sunday.", "Nothing else.")
    )
    assert wire_credit(subject) is None


def test_wire_outlets_are_recognised_by_name() -> None:
    assert wire_outlet("Thomson Reuters") == "Reuters"
    assert wire_outlet("The Associated Press") == "Associated Press"
    assert wire_outlet(" AFP ") == "AFP"
    assert wire_outlet("The Arlen Courier") is None
    assert wire_outlet(None) is None


def test_a_copy_with_a_summary_on_top_a_new_headline_and_a_dropped_sign_off() -> None:
    original = _wire_story("orig")
    copy = _wire_story(
        "copy",
        title="Ukraine peace talks: what we know",
        paragraphs=(
            "Summary: negotiators met in Florida; a revised framework is being drafted.",
            WIRE_PARAGRAPHS[0],
            # lightly reworded: the same paragraph, edited
            WIRE_PARAGRAPHS[1].replace("substantial changes", "major changes"),
            *WIRE_PARAGRAPHS[2:-1],
            "Local reaction: the city council welcomed the talks.",
        ),
    )
    diff = compare_copy(original, copy)
    assert diff.headline_changed
    assert [c.position for c in diff.summary_on_top] == [0]
    assert [c.text for c in diff.added] == [copy.paragraphs[0], copy.paragraphs[-1]]
    assert [c.position for c in diff.edited] == [2] and diff.edited[0].original == WIRE_PARAGRAPHS[1]
    assert [c.text for c in diff.removed] == [WIRE_PARAGRAPHS[-1]]
    assert diff.shared == len(WIRE_PARAGRAPHS) - 1
    assert diff.credited_wire == "Reuters"
    assert diff.adds_anything


def test_an_identical_copy_adds_nothing() -> None:
    original = _wire_story("orig")
    diff = compare_copy(original, _wire_story("copy"))
    assert not diff.adds_anything and not diff.removed and diff.shared == len(WIRE_PARAGRAPHS)


def test_the_wire_services_own_copy_is_the_original_even_when_published_later() -> None:
    early = dedupe.DuplicateCandidate("paper", datetime(2025, 11, 30, 8, tzinfo=UTC), datetime.now(UTC), 1.0)
    wire = dedupe.DuplicateCandidate(
        "wire", datetime(2025, 11, 30, 9, tzinfo=UTC), datetime.now(UTC), 1.0, wire=True
    )
    assert dedupe.choose_original([early, wire]).article_id == "wire"
    assert dedupe.choose_original([early]).article_id == "paper"


def _jsonl_line(article_id: str, outlet: str, published: str, paragraphs: tuple[str, ...], title: str) -> str:
    return json.dumps(
        {
            "url": f"https://{article_id}.example/story",
            "outlet": outlet,
            "title": title,
            "published_at": published,
            "language": "en",
            "paragraphs": list(paragraphs),
        }
    )


def test_ingest_folds_a_paper_copy_under_the_wire_and_reports_what_it_adds(
    tmp_path: Path, store: SqliteStore, settings: Settings
) -> None:
    feed = tmp_path / "stories.jsonl"
    paper = ("Summary: talks in Florida.", *WIRE_PARAGRAPHS[:-1])
    feed.write_text(
        _jsonl_line("paper", "The Daily Example", "2025-11-30T08:00:00+00:00", paper, "Talks in Florida")
        + "\n"
        + _jsonl_line(
            "wire", "Reuters", "2025-11-30T09:00:00+00:00", WIRE_PARAGRAPHS, "U.S., Ukraine hold talks"
        )
        + "\n"
    )
    report = ingest_inputs(store, [str(feed)], replace(settings, enrich=False))
    assert report.added == 2
    stored = {a.outlet: a for a in store.list_articles(limit=None)}
    wire = stored["Reuters"]
    # The paper came first and was earlier, but it reprints the wire: the wire's own copy is the original.
    assert wire.duplicate_of is None and stored["The Daily Example"].duplicate_of == wire.id
    [copy] = article_copies(store, wire)
    assert copy.article.outlet == "The Daily Example"
    assert [c.text for c in copy.differences.summary_on_top] == ["Summary: talks in Florida."]
    assert copy.differences.headline_changed

    runner = CliRunner()
    result = runner.invoke(app, ["article", wire.id, "--format", "json", "--db", str(settings.db_path)])
    data = json.loads(result.stdout)
    [duplicate] = data["duplicates"]
    assert duplicate["outlet"] == "The Daily Example" and duplicate["summary_on_top"] == [
        "Summary: talks in Florida."
    ]
    result = runner.invoke(app, ["article", wire.id, "--db", str(settings.db_path)])
    assert "adds 1 paragraph(s) on top" in result.stdout


def test_edits_at_the_same_url_are_versions_not_new_articles(
    tmp_path: Path, store: SqliteStore, settings: Settings
) -> None:
    from dateline.models import DocumentHints
    from dateline.pipeline import reextract

    page = tmp_path / "story.html"
    body = "".join(f"<p>{p}</p>" for p in WIRE_PARAGRAPHS)
    page.write_text(
        f"<html><head><title>Talks begin</title></head><body><h1>Talks begin</h1>{body}</body></html>"
    )
    hints = DocumentHints(url="https://news.example/talks")
    quiet = replace(settings, enrich=False)
    first = ingest_inputs(store, [str(page)], quiet, user_hints=hints)
    page.write_text(
        "<html><head><title>Talks end without a deal</title></head><body><h1>Talks end without a deal</h1>"
        f"{body}<p>Late update: the talks ended without agreement shortly before midnight.</p></body></html>"
    )
    second = ingest_inputs(store, [str(page)], quiet, user_hints=hints)
    assert first.added == 1 and second.updated == 1 and store.count_articles() == 1
    [article] = store.list_articles(limit=None)
    assert article.title == "Talks end without a deal"
    [version] = store.article_versions(article.id)
    assert version.version == 1 and version.title == "Talks begin" and "Late update" not in version.text
    reextract(store, quiet)  # the same bytes again: not a new version
    assert len(store.article_versions(article.id)) == 1
