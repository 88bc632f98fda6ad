"""The CLI through Typer's runner: thin commands over the same pipeline, exit codes, JSON contract."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dateline.cli import app
from dateline.models import ARTICLE_FIELDS

from .conftest import EXAMPLES

runner = CliRunner()


def run(*args: str, db: Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args, "--db", str(db)] if args[0] not in ("extract",) else list(args))
    return result.exit_code, result.stdout, result.stderr


def test_ingest_then_list_show_search(db_path: Path) -> None:
    code, stdout, stderr = run("ingest", str(EXAMPLES), "--workers", "1", db=db_path)
    assert code == 0, stderr
    assert "5 added" in stderr
    assert "articles (originals)" in stdout

    code, stdout, _ = run("articles", "--format", "jsonl", db=db_path)
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert len(rows) == 5
    for row in rows:
        assert list(row)[: len(ARTICLE_FIELDS)] == list(ARTICLE_FIELDS)

    original = next(r for r in rows if r["source"].endswith("harbour-strike.html"))
    code, stdout, _ = run("article", original["id"][:8], "--format", "json", db=db_path)
    shown = json.loads(stdout)
    assert shown["id"] == original["id"]
    assert len(shown["duplicates"]) == 1

    code, stdout, _ = run("search", "mediator", db=db_path)
    assert code == 0 and "Mediator" in stdout

    code, stdout, _ = run("ingest", str(EXAMPLES), "--workers", "1", db=db_path)
    assert code == 0


def test_failures_set_the_exit_code_and_are_listed(tmp_path: Path, db_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    code, _, stderr = run("ingest", str(junk), str(EXAMPLES / "pages"), "--workers", "1", db=db_path)
    assert code == 1
    assert "1 added" in stderr and "1 failed" in stderr
    code, stdout, _ = run("errors", "--format", "jsonl", db=db_path)
    [entry] = [json.loads(line) for line in stdout.splitlines()]
    assert entry["source"].endswith("junk.bin")


def test_extract_prints_json_and_error_lines(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(b"\x00" * 500)
    result = runner.invoke(
        app, ["extract", str(EXAMPLES / "scrapes" / "harbour-strike-aggregator.txt"), str(junk)]
    )
    assert result.exit_code == 1
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert first["title"].startswith("Dock workers")
    assert first["source_format"] == "text"
    assert "error" in second and second["source"].endswith("junk.bin")

    single = runner.invoke(
        app, ["extract", str(EXAMPLES / "pages" / "harbour-strike.html"), "--published", "2025-12-01"]
    )
    assert single.exit_code == 0
    data = json.loads(single.stdout)
    assert data["published_at"].startswith("2025-12-01")
    assert data["published_precision"] == "day"


def test_opml_import_export_round_trip(tmp_path: Path, db_path: Path) -> None:
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>t</title></head><body>'
        '<outline text="World"><outline type="rss" text="Wire" xmlUrl="https://wire.example.com/feed.xml"/></outline>'
        "</body></opml>"
    )
    code, _, stderr = run("sources", "import", str(opml), db=db_path)
    assert code == 0, stderr
    code, stdout, _ = run("sources", "export", db=db_path)
    assert "https://wire.example.com/feed.xml" in stdout


def test_unusable_database_is_one_clear_line(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.db"
    bogus.write_bytes(b"garbage" * 1000)
    code, _, stderr = run("articles", db=bogus)
    assert code == 2
    assert "not a usable Dateline database" in stderr


def test_markup_in_article_fields_is_printed_literally(tmp_path: Path, db_path: Path) -> None:
    record = {
        "url": "https://example.org/markup",
        "title": "[bold red]Breaking[/] news [link=https://evil.example]click[/link]",
        "outlet": "[blink]Paper[/blink]",
        "text": "A council meeting in Springfield approved the new library budget on Monday evening. " * 4,
    }
    path = tmp_path / "markup.jsonl"
    path.write_text(json.dumps(record), encoding="utf-8")
    code, _, stderr = run("ingest", str(path), "--workers", "1", "--no-stories", db=db_path)
    assert code == 0, stderr
    code, stdout, _ = run("articles", db=db_path)
    assert code == 0
    assert "[bold red]Breaking" in stdout
    code, stdout, _ = run("stats", db=db_path)
    assert "[blink]Paper" in stdout
