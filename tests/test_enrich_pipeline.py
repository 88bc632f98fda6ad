"""Enrichment end to end: ingest runs it, the store keeps it, the CLI shows every fact with its sentence."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from typer.testing import CliRunner

from dateline.cli import app
from dateline.enrich.article import ENRICH_VERSION, enrich_article
from dateline.pipeline import enrich_articles, ingest_inputs
from dateline.settings import Settings
from dateline.store import SqliteStore

from .conftest import EXAMPLES

runner = CliRunner()
SCRAPE = EXAMPLES / "scrapes" / "harbour-strike-aggregator.txt"


def _cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_extract_json_carries_every_fact_with_its_sentence() -> None:
    code, stdout, stderr = _cli("extract", str(SCRAPE), "--published", "2025-11-30")
    assert code == 0, stderr
    data = json.loads(stdout)
    for key in ("sentences", "entities", "quotes", "figures", "dates", "events"):
        assert key in data, key
    text = data["text"]
    sentences = data["sentences"]
    for sentence in sentences:
        assert text[sentence["start"] : sentence["end"]] == sentence["text"]
    names = {e["name"] for e in data["entities"]}
    assert {"Tomas Ekdahl", "Helena Voss"} <= names
    speakers = {q["speaker"] for q in data["quotes"] if q["kind"] == "direct"}
    assert {"Tomas Ekdahl", "Helena Voss"} <= speakers
    for quote in data["quotes"]:
        assert text[quote["start"] : quote["end"]] == quote["text"]
        assert 0 <= quote["sentence"] < len(sentences)
    workers = [f for f in data["figures"] if f["value"] == 3400]
    assert workers and workers[0]["counted"] and "worker" in workers[0]["counted"]
    assert workers[0]["qualifier"] == "about"
    walkout = [d for d in data["dates"] if d["value"] == "2025-11-20"]
    assert walkout and walkout[0]["precision"] == "day"
    # Talks "are due to resume on Tuesday": the Tuesday after publication, a planned event.
    planned = [e for e in data["events"] if e["planned"]]
    assert any(e["date"] == "2025-12-02" for e in planned)
    assert data["enrichment"]["version"] == ENRICH_VERSION


def test_extract_without_a_date_keeps_relative_dates_unresolved(tmp_path: Path) -> None:
    page = tmp_path / "undated.txt"
    page.write_text(
        "Harbour talks resume after a week of silence\n\n"
        "Negotiators for the dockers and the terminal operators met on Tuesday in the town hall and agreed "
        "to meet again tomorrow, the union said in a statement on 3 March 2025.\n\n"
        "Both sides described the talks as difficult but said they wanted the harbour open before the "
        "spring shipping season, when grain and timber exports usually peak.\n"
    )
    code, stdout, _ = _cli("extract", str(page))
    assert code == 0
    data = json.loads(stdout)
    assert data["published_at"] is None
    relative = [d for d in data["dates"] if d["text"].lower() in ("tomorrow", "on tuesday", "tuesday")]
    assert len(relative) == 2 and all(d["value"] is None for d in relative)
    assert any("no publication date" in note for note in data["enrichment"]["notes"])
    assert any(d["value"] == "2025-03-03" for d in data["dates"])


def test_ingest_enriches_and_enrich_is_idempotent(store: SqliteStore, settings: Settings) -> None:
    report = ingest_inputs(store, [str(EXAMPLES)], settings)
    assert report.failed == 0
    assert store.articles_needing_enrichment(ENRICH_VERSION) == []
    counts = store.enrichment_counts()
    assert counts["enrichments"] == report.added
    assert counts["quotes"] > 0 and counts["figures"] > 0 and counts["dated_events"] > 0
    again = enrich_articles(store, settings)
    assert again.enriched == 0
    forced = enrich_articles(store, settings, force=True)
    assert forced.enriched == report.added
    assert store.enrichment_counts() == counts


def test_one_canonical_entity_across_copies(store: SqliteStore, settings: Settings) -> None:
    ingest_inputs(store, [str(EXAMPLES)], settings)
    [ekdahl] = [s for s in store.find_entities("Ekdahl") if s.entity.type == "person"]
    assert ekdahl.entity.name == "Tomas Ekdahl"
    assert ekdahl.article_count >= 2  # the original page and the aggregator's copy
    quotes = store.list_quotes(speaker_keys=[ekdahl.entity.key])
    assert quotes and all(q.quote.speaker == "Tomas Ekdahl" for q in quotes)


def test_enrichment_is_skipped_when_switched_off(store: SqliteStore, settings: Settings) -> None:
    ingest_inputs(store, [str(EXAMPLES / "pages")], replace(settings, enrich=False))
    assert store.enrichment_counts()["enrichments"] == 0
    assert len(store.articles_needing_enrichment(ENRICH_VERSION)) == 1


def test_cli_entity_quotes_and_facts(db_path: Path) -> None:
    code, _, stderr = _cli("ingest", str(EXAMPLES), "--workers", "1", "--db", str(db_path))
    assert code == 0, stderr
    code, stdout, _ = _cli("entity", "Ekdahl", "--db", str(db_path))
    assert code == 0 and "Tomas Ekdahl" in stdout and "told reporters" not in stdout.split("\n")[0]
    code, stdout, _ = _cli("entity", "Voss", "--format", "json", "--db", str(db_path))
    data = json.loads(stdout)
    assert data["name"] == "Helena Voss" and data["mentions"] and data["quotes"]
    code, stdout, _ = _cli("quotes", "--speaker", "Helena Voss", "--format", "jsonl", "--db", str(db_path))
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert rows and all(r["quote"]["speaker"] == "Helena Voss" for r in rows)
    code, stdout, _ = _cli("articles", "--format", "jsonl", "--db", str(db_path))
    article_id = json.loads(stdout.splitlines()[0])["id"]
    code, stdout, _ = _cli("article", article_id, "--facts", "--db", str(db_path))
    assert code == 0 and ("figure" in stdout or "date" in stdout)
    code, stdout, _ = _cli("entities", "--format", "json", "--db", str(db_path))
    assert any(e["name"] == "Tomas Ekdahl" for e in json.loads(stdout))
    code, _, stderr = _cli("enrich", "--db", str(db_path))
    assert code == 0 and "0 enriched" in stderr


def test_bad_text_gives_partial_results_not_a_crash() -> None:
    from tests.test_enrich_store import _article

    for text in ("", "   ", "\u201c\u201c\u201c unbalanced \u00ab quote", "Привет мир. 12 дронов."):
        article = _article("x", text)
        enrichment = enrich_article(article)
        assert enrichment.article_id == "x"
    # 100,000 words: the model covers the opening part, the rules all of it.
    long = enrich_article(_article("x", ("He said it was fine on 3 March 2025. " * 20 + "\n\n") * 625))
    assert len(long.sentences) == 12_500 and long.dates[-1].start > 400_000
    assert any("cover the first" in note for note in long.notes)
    german = enrich_article(
        replace(_article("x", "Am Sonntag trafen sich 40 Delegierte in Berlin."), language="de")
    )
    assert german.entities == () and any("no shipped NER model" in n for n in german.notes)
    assert german.figures


def test_article_text_is_never_terminal_markup(tmp_path: Path, db_path: Path) -> None:
    """Untrusted text with rich markup ("[/]", "[red]") is shown as written and never breaks the command."""
    page = tmp_path / "brackets.txt"
    page.write_text(
        "Mayor [red]Jane Roe[/] says [bold]port[/bold] deal is done\n\n"
        'Mayor Jane Roe said on Monday that the [/] port deal was "finally done [link=x]" after 14 months '
        "of talks with the three terminal operators and the dockers' union.\n\n"
        "The council will vote on the agreement next week, officials said, and about 300 jobs depend on it.\n"
    )
    code, _, stderr = _cli("ingest", str(page), "--published", "2025-12-01", "--db", str(db_path))
    assert code == 0, stderr
    code, stdout, _ = _cli("articles", "--format", "jsonl", "--db", str(db_path))
    article_id = json.loads(stdout.splitlines()[0])["id"]
    code, stdout, _ = _cli("article", article_id, "--db", str(db_path))
    assert code == 0 and "[red]Jane Roe[/]" in stdout
    code, stdout, _ = _cli("article", article_id, "--facts", "--db", str(db_path))
    assert code == 0 and "the [/] port deal" in stdout and "[link=x]" in stdout
    code, stdout, _ = _cli("quotes", "--db", str(db_path))
    assert code == 0 and "[link=x]" in stdout


def test_ingest_no_enrich_leaves_the_facts_for_later(db_path: Path) -> None:
    code, _, stderr = _cli("ingest", str(EXAMPLES / "pages"), "--no-enrich", "--db", str(db_path))
    assert code == 0, stderr
    code, _, stderr = _cli("enrich", "--db", str(db_path))
    assert code == 0 and "1 enriched" in stderr
