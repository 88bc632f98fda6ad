"""The `dateline` command: a thin layer over ``dateline.pipeline`` and the store, with no logic of its own."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from dateline import __version__
from dateline.errors import DatelineError
from dateline.models import (
    Article,
    Citation,
    DateOrigin,
    DatePrecision,
    DocumentHints,
    Enrichment,
    FigureEntry,
    IngestProblem,
    PublishedDate,
    Quote,
    QuoteEntry,
    Source,
    Story,
    StoryDelta,
    StorySynthesis,
    TimelineEntry,
)
from dateline.settings import Settings, default_db_path
from dateline.store import SqliteStore, open_store
from dateline.store.enrichment import EntitySummary, MentionInContext, StoredQuote
from dateline.times import naive_utc

if TYPE_CHECKING:
    from dateline.pipeline import CopyReport

app = typer.Typer(
    name="dateline",
    help="Local-first news intelligence: ingest news from anywhere into clean, deduplicated articles.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
sources_app = typer.Typer(
    help="Sources kept fresh by `dateline refresh` and the reader: feeds and folders.", no_args_is_help=True
)
app.add_typer(sources_app, name="sources")

# Piped output is read by people too: give tables room instead of rich's 80-column default.
out = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 140)
err = Console(stderr=True)

DbOption = Annotated[
    Path | None,
    typer.Option(
        "--db", envvar="DATELINE_DB", help="SQLite database file (default: in your data directory)."
    ),
]


class OutputFormat(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"


class ArticleFormat(StrEnum):
    text = "text"
    json = "json"


def _settings(db: Path | None, workers: int | None = None) -> Settings:
    settings = Settings(db_path=db or default_db_path())
    return settings if workers is None else replace(settings, workers=workers)


@contextmanager
def _store(db: Path | None) -> Iterator[SqliteStore]:
    try:
        store = open_store(db or default_db_path())
    except DatelineError as exc:
        err.print(f"[red]error:[/] {exc}")
        raise typer.Exit(2) from exc
    try:
        yield store
    except DatelineError as exc:  # e.g. a story whose synthesis failed: one line, logged, the store intact
        err.print(f"[red]error:[/] {escape(str(exc))}", highlight=False)
        raise typer.Exit(1) from exc
    finally:
        store.close()


def _parse_published(value: str | None) -> PublishedDate:
    if not value:
        return PublishedDate()
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO date like 2025-11-30 or 2025-11-30T14:05") from exc
    precision = DatePrecision.DATETIME if "T" in value or " " in value.strip() else DatePrecision.DAY
    return PublishedDate(parsed, precision, DateOrigin.USER)


def _hints(published: str | None, outlet: str | None, url: str | None) -> DocumentHints:
    return DocumentHints(url=url, outlet=outlet, published=_parse_published(published))


def _json_line(data: object) -> str:
    return json.dumps(data, ensure_ascii=False, default=str)


@app.command()
def version() -> None:
    """Print the version."""
    out.print(__version__)


@app.command()
def ingest(
    inputs: Annotated[
        list[str], typer.Argument(help="Files, folders (recursive), globs, '-' for stdin, or URLs.")
    ],
    published: Annotated[
        str | None, typer.Option(help="Publication date to use (ISO), wins over the page's.")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name to record.")] = None,
    url: Annotated[
        str | None, typer.Option(help="The article's own URL (for a single file or stdin).")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="Extraction processes (default: up to 2).")] = None,
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Allow fetching loopback/private addresses (off: SSRF guard)."),
    ] = False,
    no_fetch: Annotated[
        bool, typer.Option("--no-fetch", help="Never fetch linked pages of feed entries.")
    ] = False,
    no_enrich: Annotated[
        bool, typer.Option("--no-enrich", help="Extract only; run `dateline enrich` later for the facts.")
    ] = False,
    no_stories: Annotated[
        bool, typer.Option("--no-stories", help="Skip story clustering; `dateline cluster` runs it later.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Ingest news into the store: HTML pages, text scrapes, RSS/Atom, OPML, JSONL, WARC. Re-ingesting is a no-op."""
    from dateline.pipeline import ingest_inputs
    from dateline.settings import FetchSettings

    settings = _settings(db, workers=workers)
    if allow_private:
        settings = replace(settings, fetch=FetchSettings(allow_private_addresses=True))
    if no_fetch:
        settings = replace(settings, fetch_linked_pages=False)
    if no_enrich:
        settings = replace(settings, enrich=False)
    if no_stories:
        settings = replace(settings, stories=False)
    with _store(db) as store:
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]ingest"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}"),
            TimeElapsedColumn(),
        )
        counts = {"added": 0, "updated": 0, "unchanged": 0, "failed": 0}
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("ingest", total=None, status="")

            def advance(outcome: str, source: str) -> None:
                counts[outcome] = counts.get(outcome, 0) + 1
                status = " ".join(f"{k} {v}" for k, v in counts.items() if v)
                progress.update(task, advance=1, status=status)

            try:
                report = ingest_inputs(
                    store, inputs, settings, user_hints=_hints(published, outlet, url), progress=advance
                )
            except KeyboardInterrupt:
                err.print(
                    "[yellow]interrupted:[/] everything ingested so far is stored; run again to resume."
                )
                raise typer.Exit(130) from None
        for problem in report.problems[:20]:
            err.print(
                f"[red]error[/] {problem.stage}: {escape(problem.message)}", markup=True, highlight=False
            )
        if len(report.problems) > 20:
            err.print(f"… and {len(report.problems) - 20} more (see `dateline errors`)")
        summary = ", ".join(f"{v} {k}" for k, v in report.counts().items())
        err.print(f"[bold]{summary}[/] (run {report.run_id})")
        _print_summary(store)
    if report.failed:
        raise typer.Exit(1)


def _print_summary(store: SqliteStore) -> None:
    stats = store.stats()
    table = Table(title="Store", show_header=True)
    table.add_column("what")
    table.add_column("count", justify="right")
    table.add_row("articles (originals)", str(stats.originals))
    table.add_row("duplicates folded", str(stats.duplicates))
    table.add_row("raw documents kept", f"{stats.raw_documents} ({stats.stored_bytes / 1e6:.1f} MB stored)")
    table.add_row("errors logged", str(stats.errors))
    story_counts = store.story_counts()
    table.add_row("stories", f"{story_counts['stories']} ({story_counts['threads']} threads)")
    for label, grouped in (
        ("format", stats.by_format),
        ("language", stats.by_language),
        ("outlet", stats.by_outlet),
    ):
        shown = ", ".join(f"{k} {v}" for k, v in list(grouped.items())[:6])
        table.add_row(f"by {label}", escape(shown) or "-")  # outlet names come from the pages
    out.print(table)


@app.command()
def extract(
    files: Annotated[list[str], typer.Argument(help="HTML pages or text scrapes ('-' for stdin).")],
    published: Annotated[str | None, typer.Option(help="Publication date to use (ISO).")] = None,
    url: Annotated[str | None, typer.Option(help="The article's URL.")] = None,
    outlet: Annotated[str | None, typer.Option(help="Outlet name.")] = None,
    enrich: Annotated[
        bool, typer.Option("--enrich/--no-enrich", help="Add sentences, entities, quotes, figures, dates.")
    ] = True,
) -> None:
    """Print each file's article as JSON (one object per line for several files) without touching the store."""
    from dateline.enrich.article import enriched_article_dict
    from dateline.pipeline import extract_inputs, run_enrichment

    failed = False
    items = list(extract_inputs(files, Settings(), user_hints=_hints(published, outlet, url)))
    single = len(items) == 1
    for item in items:
        if isinstance(item, Article):
            data = item.to_dict()
            if enrich:
                enrichment = run_enrichment(item)
                if isinstance(enrichment, IngestProblem):
                    failed = True
                    data["enrichment_error"] = enrichment.message
                else:
                    data = enriched_article_dict(item, enrichment)
        else:
            failed = True
            data = {"source": item.source, "error": item.message, "stage": item.stage}
        sys.stdout.write(
            json.dumps(data, ensure_ascii=False, indent=2 if single else None, default=str) + "\n"
        )
    if failed:
        raise typer.Exit(1)


@app.command()
def articles(
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 50,
    duplicates: Annotated[
        bool, typer.Option("--duplicates/--no-duplicates", help="Include folded copies.")
    ] = True,
    db: DbOption = None,
) -> None:
    """List stored articles, newest first."""
    with _store(db) as store:
        items = store.list_articles(limit=limit or None, include_duplicates=duplicates)
    if format is OutputFormat.json:
        sys.stdout.write(json.dumps([a.to_dict() for a in items], ensure_ascii=False, indent=2) + "\n")
        return
    if format is OutputFormat.jsonl:
        for article in items:
            sys.stdout.write(_json_line(article.to_dict()) + "\n")
        return
    table = _listing_table("id", "published", "outlet", "lang", "title", "words", "dup of")
    for article in items:
        table.add_row(
            article.id[:10],
            article.published_at.date().isoformat() if article.published_at else "-",
            escape((article.outlet or "-")[:20]),
            escape(article.language or "-"),
            escape((article.title or "(untitled)")[:90]),
            str(len(article.text.split())),
            (article.duplicate_of or "")[:8],
        )
    out.print(table)


@app.command()
def article(
    article_id: Annotated[str, typer.Argument(help="Article id (a unique prefix is enough).")],
    format: Annotated[ArticleFormat, typer.Option("--format", "-f")] = ArticleFormat.text,
    facts: Annotated[
        bool, typer.Option("--facts", help="List every extracted fact under the sentence it came from.")
    ] = False,
    db: DbOption = None,
) -> None:
    """Show one stored article (with --facts: its entities, quotes, figures and dates, sentence by sentence)."""
    from dateline.enrich.article import enriched_article_dict
    from dateline.pipeline import article_copies

    with _store(db) as store:
        found = store.get_article(article_id)
        copies = article_copies(store, found) if found else []
        versions = store.article_versions(found.id) if found else []
        enrichment = store.get_enrichment(found.id) if found else None
    if found is None:
        err.print(f"[red]error:[/] no article with id {article_id!r}")
        raise typer.Exit(1)
    if facts:
        if enrichment is None:
            err.print("[yellow]not enriched yet:[/] run `dateline enrich`")
            raise typer.Exit(1)
        _print_facts(found, enrichment)
        return
    if format is ArticleFormat.json:
        data = found.to_dict() if enrichment is None else enriched_article_dict(found, enrichment)
        data["duplicates"] = [_copy_dict(report) for report in copies]
        data["versions"] = [
            {
                "version": v.version,
                "title": v.title,
                "text": v.text,
                "published_at": v.published_at.isoformat() if v.published_at else None,
                "seen_at": v.seen_at.isoformat(),
                "replaced_at": v.replaced_at.isoformat(),
            }
            for v in versions
        ]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(f"[bold]{escape(found.title or '(untitled)')}[/]", highlight=False)
    meta = [
        found.outlet and f"outlet: {found.outlet}" + (f" (via {found.via})" if found.via else ""),
        found.authors and "by " + ", ".join(found.authors),
        found.published_at
        and f"published: {found.published_at.isoformat()} ({found.published_precision}, "
        f"from {found.published_origin})",
        found.section and f"section: {found.section}",
        found.language and f"language: {found.language}",
        found.url and f"url: {found.url}",
        f"source: {found.source}",
        found.duplicate_of
        and f"duplicate of {found.duplicate_of} (similarity {found.duplicate_similarity:.2f})",
    ]
    for line in meta:
        if line:
            out.print(f"[dim]{escape(line)}[/]", highlight=False)
    if found.standfirst:
        out.print(f"\n[italic]{escape(found.standfirst)}[/]", highlight=False)
    out.print("\n" + found.text, highlight=False, markup=False)
    for caption in found.captions:
        credit = f" [{caption.credit}]" if caption.credit else ""
        out.print(f"[dim]caption: {escape(caption.text + credit)}[/]", highlight=False)
    for version in versions:
        changed = "headline and text" if version.title != found.title else "text"
        out.print(
            f"[dim]version {version.version} (until {version.replaced_at:%Y-%m-%d %H:%M}, {changed} differ):"
            f" {escape(version.title or '(untitled)')}[/]",
            highlight=False,
        )
    for report in copies:
        diff = report.differences
        line = f"copy {report.article.id[:10]} {report.article.outlet or ''}" + (
            f" via {report.article.via}" if report.article.via else ""
        )
        changes = [
            diff.headline_changed and f"headline: {diff.copy_title}",
            diff.summary_on_top and f"adds {len(diff.summary_on_top)} paragraph(s) on top",
            len(diff.added) > len(diff.summary_on_top)
            and f"adds {len(diff.added) - len(diff.summary_on_top)} paragraph(s)",
            diff.edited and f"rewords {len(diff.edited)}",
            diff.removed and f"drops {len(diff.removed)}",
            diff.credited_wire and f"credits {diff.credited_wire}",
        ]
        summary = "; ".join(c for c in changes if c) or "unchanged copy"
        out.print(f"[dim]{escape(line)}: {escape(summary)}[/]", highlight=False)


def _copy_dict(report: CopyReport) -> dict[str, object]:
    diff = report.differences
    return {
        "id": report.article.id,
        "outlet": report.article.outlet,
        "via": report.article.via,
        "similarity": report.similarity,
        "headline_changed": diff.headline_changed,
        "title": diff.copy_title,
        "summary_on_top": [c.text for c in diff.summary_on_top],
        "added": [{"position": c.position, "text": c.text} for c in diff.added],
        "edited": [{"position": c.position, "text": c.text, "original": c.original} for c in diff.edited],
        "removed": [{"position": c.position, "text": c.text} for c in diff.removed],
        "shared_paragraphs": diff.shared,
        "credited_wire": diff.credited_wire,
    }


def _print_facts(found: Article, enrichment: Enrichment) -> None:
    """Each sentence that carries a fact, followed by those facts: every fact traced to its sentence."""
    names = {entity.key: entity.name for entity in enrichment.entities}
    by_sentence: dict[int, list[str]] = {}

    def add(sentence: int, line: str) -> None:
        by_sentence.setdefault(sentence, []).append(line)

    for mention in enrichment.mentions:
        add(
            mention.sentence,
            f"[cyan]{mention.type}[/] "
            + escape(f"{mention.text!r} → {names.get(mention.entity, mention.entity)}")
            + (f" ({mention.form})" if mention.form != "name" else ""),
        )
    for quote in enrichment.quotes:
        add(
            quote.sentence,
            f"[magenta]quote[/] ({quote.kind}) "
            + escape(f"{quote.speaker or quote.speaker_text or '?'} · {quote.cue or '-'}: “{quote.text}”"),
        )
    for figure in enrichment.figures:
        qualifier = f"{figure.qualifier} " if figure.qualifier else ""
        add(
            figure.sentence,
            "[green]figure[/] "
            + escape(
                f"{figure.text!r} = {qualifier}{figure.value:g}"
                + (f"–{figure.value_max:g}" if figure.value_max is not None else "")
                + (f" {figure.unit}" if figure.unit else "")
                + (f" · counts {figure.counted}" if figure.counted else "")
            ),
        )
    for expression in enrichment.dates:
        add(
            expression.sentence,
            "[yellow]date[/] "
            + escape(
                f"{expression.text!r} → {expression.value or 'unresolved'}"
                f" ({expression.precision}, {expression.confidence:.2f})"
            ),
        )
    for event in enrichment.events:
        actors = ", ".join(names.get(a, a) for a in event.actors) or "-"
        planned = " (planned)" if event.planned else ""
        add(event.sentence, f"[bold]event[/] {event.date}{planned} · {escape(actors)}")
    out.print(f"[bold]{escape(found.title or '(untitled)')}[/] [dim]{found.id}[/]", highlight=False)
    for note in enrichment.notes:
        out.print(f"[dim]note: {escape(note)}[/]", highlight=False)
    for sentence in enrichment.sentences:
        lines = by_sentence.get(sentence.index)
        if not lines:
            continue
        out.print(f"\n[dim]{sentence.index:>3}[/] {escape(sentence.text)}", highlight=False)
        for line in lines:
            out.print(f"      {line}", highlight=False)


@app.command()
def enrich(
    all_articles: Annotated[
        bool, typer.Option("--all", help="Redo every article, not only new, changed or outdated ones.")
    ] = False,
    workers: Annotated[int | None, typer.Option(help="Enrichment processes (default: up to 2).")] = None,
    db: DbOption = None,
) -> None:
    """Find entities, quotes, figures and dates in stored articles (ingest runs this on its own)."""
    from dateline.enrich.article import ENRICH_VERSION
    from dateline.pipeline import enrich_articles

    settings = _settings(db, workers=workers)
    with _store(db) as store:
        pending = store.articles_needing_enrichment(ENRICH_VERSION, force=all_articles)
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]enrich"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("enrich", total=len(pending))
            try:
                report = enrich_articles(
                    store,
                    settings,
                    article_ids=pending,
                    progress=lambda o, s: progress.update(task, advance=1),
                )
            except KeyboardInterrupt:
                err.print("[yellow]interrupted:[/] enriched articles are stored; run again to resume.")
                raise typer.Exit(130) from None
        counts = store.enrichment_counts()
    err.print(
        f"{report.enriched} enriched, {report.failed} failed; store: {counts['entities']} entities, "
        f"{counts['quotes']} quotes, {counts['figures']} figures, {counts['dated_events']} dated events"
    )
    if report.failed:
        raise typer.Exit(1)


def _run_clustering(db: Path | None, *, rebuild: bool) -> None:
    from dateline.pipeline import cluster_stories, rebuild_stories

    settings = _settings(db)
    with _store(db) as store:
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]stories"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            total = store.count_articles() if rebuild else len(store.articles_needing_stories())
            task = progress.add_task("stories", total=total or None)
            run = rebuild_stories if rebuild else cluster_stories
            try:
                report = run(store, settings, progress=lambda o, s: progress.update(task, advance=1))
            except KeyboardInterrupt:
                err.print("[yellow]interrupted:[/] assigned articles are stored; `dateline cluster` resumes.")
                raise typer.Exit(130) from None
        counts = store.story_counts()
    err.print(
        f"{report.assigned} articles clustered ({report.new_stories} new stories, {report.merges} merged, "
        f"{report.splits} split), {report.failed} failed; store: {counts['stories']} stories, "
        f"{counts['threads']} threads"
    )
    if report.failed:
        raise typer.Exit(1)


@app.command()
def cluster(db: DbOption = None) -> None:
    """Put stored articles that are in no story yet into stories and threads (ingest runs this itself)."""
    _run_clustering(db, rebuild=False)


@app.command("rebuild-stories")
def rebuild_stories_command(db: DbOption = None) -> None:
    """Forget all stories and threads and cluster every stored article again, in stream order."""
    _run_clustering(db, rebuild=True)


@app.command()
def entity(
    name: Annotated[str, typer.Argument(help='A name or alias ("Zelensky", "Zelenskiy").')],
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many mentions.")] = 50,
    db: DbOption = None,
) -> None:
    """Show a canonical entity: its aliases, roles, and every mention with its sentence."""
    with _store(db) as store:
        matches = store.find_entities(name, limit=10)
        if not matches:
            err.print(f"[red]error:[/] no entity matches {name!r}")
            raise typer.Exit(1)
        best = matches[0]
        mentions = store.entity_mentions(best.entity.key, limit=limit)
        quotes = store.list_quotes(speaker_keys=[best.entity.key], limit=limit)
    if format is not OutputFormat.table:
        data = {
            **_entity_dict(best),
            "mentions": [vars_of(m) for m in mentions],
            "quotes": [{**vars_of(q), "quote": _plain_quote(q.quote)} for q in quotes],
            "other_matches": [_entity_dict(m) for m in matches[1:]],
        }
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    e = best.entity
    out.print(f"[bold]{escape(e.name)}[/] [dim]{e.type} · {escape(e.key)}[/]", highlight=False)
    if e.aliases:
        out.print(f"also: {escape(', '.join(e.aliases))}", highlight=False)
    if e.roles:
        out.print(f"roles: {escape(', '.join(e.roles))}", highlight=False)
    out.print(f"{e.mention_count} mentions in {best.article_count} articles, {best.quote_count} quotes")
    for mention in mentions:
        date = (mention.published_at or "")[:10] or "-"
        where = escape(f"{date} {mention.outlet or ''} {mention.article_id[:10]}")
        out.print(f"\n[dim]{where}[/]", highlight=False)
        out.print(f"  {mention.sentence}", highlight=False, markup=False)
    if len(matches) > 1:
        out.print(
            f"\n[dim]other matches: {escape(', '.join(m.entity.name for m in matches[1:]))}[/]",
            highlight=False,
        )


@app.command()
def entities(
    type: Annotated[str | None, typer.Option(help="person, organisation, place or group.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List canonical entities, most mentioned first."""
    with _store(db) as store:
        found = store.list_entities(type=type, limit=limit)
    if format is not OutputFormat.table:
        sys.stdout.write(json.dumps([_entity_dict(s) for s in found], ensure_ascii=False, indent=2) + "\n")
        return
    table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD)
    for column in ("name", "type", "mentions", "articles", "quotes", "aliases"):
        table.add_column(column, overflow="ellipsis")
    for summary in found:
        e = summary.entity
        table.add_row(
            escape(e.name),
            str(e.type),
            str(e.mention_count),
            str(summary.article_count),
            str(summary.quote_count),
            escape(", ".join(e.aliases)[:60]),
        )
    out.print(table)


@app.command()
def quotes(
    speaker: Annotated[str | None, typer.Option(help="Only quotes of this person or organisation.")] = None,
    limit: Annotated[int, typer.Option()] = 50,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List quotes with their speaker and cue, newest first."""
    with _store(db) as store:
        keys = None
        if speaker:
            keys = [m.entity.key for m in store.find_entities(speaker, limit=5)]
        found = store.list_quotes(speaker_keys=keys, limit=limit)
    if format is not OutputFormat.table:
        for item in found:
            sys.stdout.write(_json_line({**vars_of(item), "quote": _plain_quote(item.quote)}) + "\n")
        return
    for item in found:
        q = item.quote
        date = (item.published_at or "")[:10] or "-"
        out.print(
            f"[bold]{escape(q.speaker or q.speaker_text or '(unknown speaker)')}[/] "
            f"[dim]{escape(f'{q.cue or chr(32)} · {q.kind} · {date} {item.outlet or chr(32)} {item.article_id[:10]}')}[/]",
            highlight=False,
        )
        out.print(f"  “{q.text}”", highlight=False, markup=False)


def vars_of(record: MentionInContext | StoredQuote) -> dict[str, object]:
    return {k: v for k, v in asdict(record).items() if k != "quote"}


def _plain_quote(quote: Quote) -> dict[str, object]:
    return {k: str(v) if k == "kind" else v for k, v in asdict(quote).items()}


def _entity_dict(summary: EntitySummary) -> dict[str, object]:
    e = summary.entity
    return {
        "key": e.key,
        "name": e.name,
        "type": str(e.type),
        "aliases": list(e.aliases),
        "roles": list(e.roles),
        "mentions": e.mention_count,
        "articles": summary.article_count,
        "quotes": summary.quote_count,
    }


class ViewFormat(StrEnum):
    table = "table"
    json = "json"


_NO_STORIES = (
    "no stories yet: run `dateline ingest PATH` (it groups articles into stories as it stores them)"
    " or `dateline rebuild-stories` over what is stored"
)


def _parse_since(value: str | None, *, option: str = "--since") -> datetime | None:
    """A --since date (or date and time) as naive UTC, the form stories are stored in."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError as exc:
        raise typer.BadParameter(f"{value!r} is not an ISO date like 2025-11-30", param_hint=option) from exc
    return naive_utc(parsed)


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def _story_dict(story: Story) -> dict[str, object]:
    return {**story.to_dict(), "article_count": len(story.article_ids)}


def _outlets_cell(story: Story, shown: int = 3) -> str:
    more = len(story.outlets) - shown
    return ", ".join(story.outlets[:shown]) + (f" +{more}" if more > 0 else "")


def _listing_table(*columns: str, right: tuple[str, ...] = ()) -> Table:
    """A one-line-per-row table: the title column takes the room that is left and is cut with an ellipsis."""
    table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD)
    for column in columns:
        if column == "title":
            table.add_column(column, overflow="ellipsis", no_wrap=True, ratio=1, min_width=24)
        else:
            table.add_column(
                column, overflow="ellipsis", no_wrap=True, justify="right" if column in right else "left"
            )
    return table


def _stories_table(items: list[Story], *, thread_column: bool = True) -> Table:
    columns = ["id", "title", "articles", "outlets", "first seen", "last seen"] + (
        ["thread"] if thread_column else []
    )
    table = _listing_table(*columns, right=("articles",))
    for story in items:
        table.add_row(
            escape(story.id),
            escape(story.title[:90] or "(untitled)"),
            str(len(story.article_ids)),
            escape(_outlets_cell(story)[:40] or "-"),
            _when(story.first_seen),
            _when(story.last_seen),
            *([escape(story.thread_id or "-")] if thread_column else []),
        )
    return table


@app.command()
def stories(
    format: Annotated[ViewFormat, typer.Option("--format", "-f")] = ViewFormat.table,
    since: Annotated[
        str | None, typer.Option(help="Only stories active on or after this date (YYYY-MM-DD, UTC).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 50,
    db: DbOption = None,
) -> None:
    """List stories (articles about one event, across outlets), most recently active first."""
    since_at = _parse_since(since)
    with _store(db) as store:
        items = store.list_stories(since=since_at, limit=limit or -1)
        total = store.story_counts()["stories"] if not items else len(items)
    if format is ViewFormat.json:
        sys.stdout.write(json.dumps([_story_dict(s) for s in items], ensure_ascii=False, indent=2) + "\n")
        return
    if not items:
        err.print(f"no stories since {since_at:%Y-%m-%d}" if total and since_at else _NO_STORIES)
        return
    out.print(_stories_table(items))


@app.command()
def story(
    story_id: Annotated[str, typer.Argument(help="Story id (a unique prefix is enough).")],
    format: Annotated[ViewFormat, typer.Option("--format", "-f")] = ViewFormat.table,
    since: Annotated[
        str | None,
        typer.Option(help="Only what came in after this date or time (ISO; UTC unless it names a zone)."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Show one story: its summary, timeline, quotes, figures and coverage, then its articles in the order they came in."""
    from dateline.pipeline import story_delta, story_synthesis

    since_at = _parse_since(since)
    with _store(db) as store:
        resolved = store.resolve_story_id(story_id, prefix=True)
        found = store.get_story(resolved) if resolved else None
        members = store.story_members(found.id) if found else []
        # --since shows only the delta, which builds (or loads) the synthesis itself.
        delta = story_delta(store, found.id, since_at) if found and since_at else None
        synthesis = story_synthesis(store, found.id) if found and delta is None else None
        labels = (
            _source_labels(store, _cited_articles(delta or synthesis)) if format is ViewFormat.table else {}
        )
    if found is None or (synthesis is None and delta is None):
        err.print(f"[red]error:[/] no story with id {escape(repr(story_id))}", highlight=False)
        raise typer.Exit(1)
    # A prefix of the story's own id is not a redirect; an id merged away is.
    redirected = None if found.id.startswith(story_id) else story_id
    if delta is not None:
        if format is ViewFormat.json:
            delta_data: dict[str, object] = delta.to_dict()
            if redirected:
                delta_data["redirected_from"] = redirected
            sys.stdout.write(json.dumps(delta_data, ensure_ascii=False, indent=2) + "\n")
            return
        _print_delta(delta, labels)
        return
    assert synthesis is not None
    if format is ViewFormat.json:
        data: dict[str, object] = {
            **found.to_dict(),
            **synthesis.to_dict(),
            "articles": [
                {
                    "id": m.article_id,
                    "title": m.title,
                    "outlet": m.outlet,
                    "url": m.url,
                    "published_at": m.published_at,
                    "language": m.language,
                    "duplicate_of": m.duplicate_of,
                    "score": m.score,
                }
                for m in members
            ],
        }
        if redirected:
            data["redirected_from"] = redirected
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(
        f"[bold]{escape(synthesis.title or found.title or '(untitled)')}[/] [dim]{escape(found.id)}[/]",
        highlight=False,
    )
    if redirected:
        out.print(f"[dim]{escape(redirected)} was merged into this story[/]", highlight=False)
    meta = [
        f"{len(members)} articles from {len(found.outlets)} outlets"
        + (f" in {', '.join(found.languages)}" if found.languages else ""),
        f"seen {_when(found.first_seen)} to {_when(found.last_seen)} (UTC)",
        found.thread_id and f"thread: {found.thread_id}",
        f"algorithm: {found.algorithm}; {synthesis.version}",
    ]
    for line in meta:
        if line:
            out.print(f"[dim]{escape(line)}[/]", highlight=False)
    sources = _SourceMarks(labels)
    _print_synthesis(synthesis, sources)
    sources.print_legend()
    out.print("\n[bold]Articles[/]")
    table = _listing_table("date", "outlet", "title", "lang", "note")
    for member in members:
        date = (member.published_at or "")[:10] or (
            member.seen_at.date().isoformat() if member.seen_at else "-"
        )
        note = f"copy of {member.duplicate_of[:10]}" if member.duplicate_of else ""
        table.add_row(
            date,
            escape((member.outlet or "-")[:20]),
            escape((member.title or "(untitled)")[:90]),
            escape(member.language or "-"),
            escape(note),
        )
    out.print(table)


# How much of a synthesis the table view shows; --format json has all of it.
_SHOWN_TIMELINE = 15
_SHOWN_SPEAKERS = 5
_SHOWN_QUOTES_PER_SPEAKER = 2
_SHOWN_FIGURES = 10
_SHOWN_OUTLETS = 8
_SHOWN_ENTITIES = 8


class _SourceMarks:
    """Numbers the articles a view cites, in the order it first shows them: [1], [2] ... and their legend."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels
        self.numbers: dict[str, int] = {}

    def marks(self, citations: Sequence[Citation], most: int = 3) -> str:
        cited = list(dict.fromkeys(c.article_id for c in citations))
        shown = "".join(f"[{self.numbers.setdefault(i, len(self.numbers) + 1)}]" for i in cited[:most])
        return shown + (f"+{len(cited) - most}" if len(cited) > most else "")

    def print_legend(self) -> None:
        if not self.numbers:
            return
        out.print("\n[bold]Sources[/]")
        for article_id, number in self.numbers.items():
            label = self.labels.get(article_id, "")
            out.print(escape(f"  [{number}] {label} {article_id}".rstrip()), highlight=False)


def _cited_articles(record: StorySynthesis | StoryDelta | None) -> list[str]:
    """Every article a synthesis (or delta) view may cite, for the legend of its table view."""
    cited: list[str] = []
    if record is not None:
        lines: list[Sequence[Citation]] = [s.citations for s in record.summary]
        lines += [e.citations for e in record.timeline[:_SHOWN_TIMELINE]]
        lines += [q.citations for q in record.quotes]
        lines += [f.citations for f in record.figures[:_SHOWN_FIGURES]]
        if isinstance(record, StorySynthesis):
            first = record.coverage.first_report
            lines += [(first,)] if first is not None else []
        else:
            lines += [f.citations for f in record.revised_figures[:_SHOWN_FIGURES]]
            cited.extend(record.article_ids)
        cited.extend(c.article_id for citations in lines for c in citations[:3])
    return list(dict.fromkeys(cited))


def _source_labels(store: SqliteStore, article_ids: Sequence[str]) -> dict[str, str]:
    """ "Outlet, 2025-11-30" for each cited article: what the reader needs to weigh a source."""
    labels = {}
    for article_id in article_ids:
        found = store.get_article(article_id)
        if found is not None:
            day = found.published_at.date().isoformat() if found.published_at else "undated"
            labels[article_id] = f"{found.outlet or '(unknown outlet)'}, {day},"
    return labels


def _figure_value(value: float, value_max: float | None, unit: str | None) -> str:
    shown = f"{value:,g}" + (f"–{value_max:,g}" if value_max is not None else "")
    return shown + (unit if unit == "%" else f" {unit}" if unit else "")


def _print_synthesis(synthesis: StorySynthesis, sources: _SourceMarks, *, full: bool = True) -> None:
    """The table view of a story's (or thread's) synthesis; FULL adds quotes, figures, coverage and cast."""
    if synthesis.summary:
        out.print("\n[bold]Summary[/]")
        for number, line in enumerate(synthesis.summary, start=1):
            out.print(escape(f"{number:>2}. {line.text} {sources.marks(line.citations)}"), highlight=False)
    if synthesis.timeline:
        _print_timeline(synthesis.timeline, sources, heading="Timeline")
    if not full:
        return
    if synthesis.quotes:
        _print_quotes(synthesis.quotes, sources, heading="Quotes")
    if synthesis.figures:
        _print_figures(synthesis.figures, sources, heading="Figures")
    coverage = synthesis.coverage
    if coverage.outlets:
        out.print("\n[bold]Coverage[/]")
        shown = ", ".join(f"{o.outlet} ({o.articles})" for o in coverage.outlets[:_SHOWN_OUTLETS]) + (
            f" +{len(coverage.outlets) - _SHOWN_OUTLETS}" if len(coverage.outlets) > _SHOWN_OUTLETS else ""
        )
        out.print(escape(f"  {len(coverage.outlets)} outlets: {shown}"), highlight=False)
    if coverage.first_report is not None:
        if not coverage.outlets:
            out.print("\n[bold]Coverage[/]")
        first = f"  first report: {coverage.first_outlet or '(unknown outlet)'}, {_when(coverage.first_at)}"
        out.print(escape(f"{first} {sources.marks([coverage.first_report])}"), highlight=False)
    if synthesis.entities:
        names = ", ".join(e.name for e in synthesis.entities[:_SHOWN_ENTITIES])
        out.print(escape(f"\nwho and where: {names}"), highlight=False)


def _print_timeline(entries: Sequence[TimelineEntry], sources: _SourceMarks, *, heading: str) -> None:
    out.print(f"\n[bold]{escape(heading)}[/]")
    table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("date", no_wrap=True)
    table.add_column("event", ratio=1, overflow="fold")
    table.add_column("sources", justify="right", no_wrap=True)
    table.add_column("note", no_wrap=True)
    for entry in entries[:_SHOWN_TIMELINE]:
        table.add_row(
            escape(entry.date),
            escape(entry.text),
            escape(f"{len({c.article_id for c in entry.citations})} {sources.marks(entry.citations)}"),
            "planned" if entry.planned else "",
        )
    out.print(table)
    if len(entries) > _SHOWN_TIMELINE:
        out.print(f"[dim]… {len(entries) - _SHOWN_TIMELINE} more (--format json lists all)[/]")


def _print_quotes(quotes: Sequence[QuoteEntry], sources: _SourceMarks, *, heading: str) -> None:
    by_speaker: dict[str, list[QuoteEntry]] = {}
    for quote in quotes:
        by_speaker.setdefault(quote.speaker or "(unnamed speaker)", []).append(quote)
    out.print(f"\n[bold]{escape(heading)}[/]")
    for speaker, said in list(by_speaker.items())[:_SHOWN_SPEAKERS]:
        out.print(f"  [bold]{escape(speaker)}[/] [dim]({len(said)})[/]", highlight=False)
        for quote in said[:_SHOWN_QUOTES_PER_SPEAKER]:
            outlets = f" · {len(quote.variants) + 1} wordings" if quote.variants else ""
            out.print(
                escape(f"    “{quote.text}” {sources.marks(quote.citations)}{outlets}"), highlight=False
            )
    if len(by_speaker) > _SHOWN_SPEAKERS:
        out.print(f"[dim]  … {len(by_speaker) - _SHOWN_SPEAKERS} more speakers (--format json lists all)[/]")


def _print_figures(figures: Sequence[FigureEntry], sources: _SourceMarks, *, heading: str) -> None:
    out.print(f"\n[bold]{escape(heading)}[/]")
    table = Table(show_header=True, header_style="bold", box=box.SIMPLE_HEAD)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("counts", overflow="fold")
    table.add_column("as written", ratio=1, overflow="fold")
    table.add_column("sources", no_wrap=True)
    table.add_column("note", overflow="fold")
    for figure in figures[:_SHOWN_FIGURES]:
        notes = []
        if figure.disagreement:
            values = dict.fromkeys(
                f"{_figure_value(r.value, r.value_max, None)} ({r.outlet or '?'})" for r in figure.reports
            )
            notes.append("outlets disagree: " + "; ".join(values))
        elif figure.changed:
            notes.append(
                "changed: "
                + " → ".join(dict.fromkeys(_figure_value(r.value, r.value_max, None) for r in figure.reports))
            )
        table.add_row(
            escape(_figure_value(figure.value, figure.value_max, figure.unit)),
            escape(figure.counted or "-"),
            escape(figure.text),
            escape(sources.marks(figure.citations)),
            escape(" ".join(notes)),
        )
    out.print(table)
    if len(figures) > _SHOWN_FIGURES:
        out.print(f"[dim]… {len(figures) - _SHOWN_FIGURES} more (--format json lists all)[/]")


def _print_delta(delta: StoryDelta, labels: dict[str, str]) -> None:
    out.print(
        f"[bold]{escape(delta.title or '(untitled)')}[/] [dim]{escape(delta.story_id)}[/]", highlight=False
    )
    since = f"since {_when(delta.since)} (UTC)"
    if delta.empty:
        out.print(f"nothing new {since}; the story has {delta.article_count} articles", highlight=False)
        return
    line = f"{len(delta.article_ids)} new articles {since} (of {delta.article_count})"
    if delta.outlets:
        line += "; new outlets: " + ", ".join(o.outlet for o in delta.outlets)
    out.print(escape(line), highlight=False)
    sources = _SourceMarks(labels)
    out.print("\n[bold]New articles[/]")
    for article_id in delta.article_ids:
        mark = sources.marks([Citation(article_id, 0, 0)])
        out.print(escape(f"  {mark} {labels.get(article_id, '').rstrip(',')}"), highlight=False)
    if delta.summary:
        out.print("\n[bold]New in the summary[/]")
        for line_ in delta.summary:
            out.print(escape(f"  - {line_.text} {sources.marks(line_.citations)}"), highlight=False)
    if delta.timeline:
        _print_timeline(delta.timeline, sources, heading="New on the timeline")
    if delta.quotes:
        _print_quotes(delta.quotes, sources, heading="New quotes")
    if delta.figures:
        _print_figures(delta.figures, sources, heading="New figures")
    if delta.revised_figures:
        _print_figures(delta.revised_figures, sources, heading="Figures given a new value")
    if delta.contributions:
        out.print("\n[bold]What the new articles add[/]")
        for contribution in delta.contributions:
            mark = sources.marks([Citation(contribution.article_id, 0, 0)])
            out.print(escape(f"  {contribution.outlet or '(unknown outlet)'} {mark}"), highlight=False)
            for sentence in contribution.sentences[:3]:
                out.print(escape(f"    - {sentence.text}"), highlight=False)
    sources.print_legend()


@app.command()
def threads(
    format: Annotated[ViewFormat, typer.Option("--format", "-f")] = ViewFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many (0: all).")] = 50,
    db: DbOption = None,
) -> None:
    """List threads (stories linked over weeks by their actors and subject), most recently active first."""
    with _store(db) as store:
        items = store.list_threads(limit=limit or -1)
        counts = store.story_counts() if not items else {}
    if format is ViewFormat.json:
        data = [{**t.to_dict(), "story_count": len(t.story_ids)} for t in items]
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    if not items:
        err.print(
            "no threads yet: stories are linked into threads as they are built"
            if counts["stories"]
            else _NO_STORIES
        )
        return
    table = _listing_table("id", "title", "stories", "first seen", "last seen")
    for thread_ in items:
        table.add_row(
            escape(thread_.id),
            escape(thread_.title[:90] or "(untitled)"),
            str(len(thread_.story_ids)),
            _when(thread_.first_seen),
            _when(thread_.last_seen),
        )
    out.print(table)


@app.command()
def thread(
    thread_id: Annotated[str, typer.Argument(help="Thread id (a unique prefix is enough).")],
    format: Annotated[ViewFormat, typer.Option("--format", "-f")] = ViewFormat.table,
    db: DbOption = None,
) -> None:
    """Show one thread: what its stories say together (summary, timeline), then the stories in time order."""
    from dateline.pipeline import thread_synthesis

    with _store(db) as store:
        found = store.get_thread(thread_id, prefix=True)
        items = store.stories_by_id(found.story_ids) if found else []
        synthesis = thread_synthesis(store, found.id) if found else None
        labels = _source_labels(store, _cited_articles(synthesis)) if format is ViewFormat.table else {}
    if found is None or synthesis is None:
        err.print(f"[red]error:[/] no thread with id {escape(repr(thread_id))}", highlight=False)
        raise typer.Exit(1)
    if format is ViewFormat.json:
        data = {**found.to_dict(), **synthesis.to_dict(), "stories": [_story_dict(s) for s in items]}
        sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
        return
    out.print(
        f"[bold]{escape(synthesis.title or found.title or '(untitled)')}[/] [dim]{escape(found.id)}[/]",
        highlight=False,
    )
    out.print(
        f"[dim]{len(items)} stories, {synthesis.article_count} articles, {_when(found.first_seen)} to"
        f" {_when(found.last_seen)} (UTC); algorithm: {escape(found.algorithm)}[/]",
        highlight=False,
    )
    sources = _SourceMarks(labels)
    _print_synthesis(synthesis, sources, full=False)
    sources.print_legend()
    out.print("\n[bold]Stories[/]")
    out.print(_stories_table(items, thread_column=False))


@app.command()
def timeline(
    query: Annotated[
        str, typer.Argument(help="Words to find in articles, or the name of a person, place or organisation.")
    ],
    limit: Annotated[int, typer.Option(help="At most this many dates, the most important (0: all).")] = 30,
    since: Annotated[str | None, typer.Option(help="Only events on or after this date (YYYY-MM-DD).")] = None,
    until: Annotated[
        str | None, typer.Option(help="Only events on or before this date (YYYY-MM-DD).")
    ] = None,
    format: Annotated[ViewFormat, typer.Option("--format", "-f")] = ViewFormat.table,
    db: DbOption = None,
) -> None:
    """A timeline across stories: the dated events of every article that matches QUERY or names it."""
    from dateline.pipeline import query_timeline

    start = _parse_since(since)
    end = _parse_since(until, option="--until")
    with _store(db) as store:
        found = query_timeline(
            store,
            query,
            max_dates=limit or None,
            start=start.date() if start else None,
            end=end.date() if end else None,
        )
        labels = (
            _source_labels(
                store, list(dict.fromkeys(c.article_id for e in found.entries for c in e.citations[:3]))
            )
            if format is ViewFormat.table
            else {}
        )
    if format is ViewFormat.json:
        sys.stdout.write(json.dumps(found.to_dict(), ensure_ascii=False, indent=2) + "\n")
        return
    if not found.entries:
        err.print(
            escape(f"no dated events found for {query!r} ({found.article_count} matching articles)"),
            highlight=False,
        )
        return
    matched = f"; names {', '.join(found.entities)}" if found.entities else ""
    out.print(
        escape(
            f"{len(found.entries)} events from {found.article_count} articles matching {query!r}{matched}"
        ),
        highlight=False,
    )
    sources = _SourceMarks(labels)
    _print_timeline(found.entries, sources, heading="Timeline")
    sources.print_legend()


@app.command()
def synthesize(
    story_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Stories to synthesize (unique prefixes are enough); default: all."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild stored syntheses too.")] = False,
    db: DbOption = None,
) -> None:
    """Build and store story syntheses ahead of time (`dateline story` builds one on first view otherwise)."""
    from dateline.pipeline import synthesize_stories
    from dateline.synthesize import SYNTHESIS_VERSION

    with _store(db) as store:
        unknown = []
        if story_ids:
            ids = []
            for given in story_ids:
                resolved = store.resolve_story_id(given, prefix=True)
                if resolved is None:
                    unknown.append(given)
                else:
                    ids.append(resolved)
            ids = list(dict.fromkeys(ids))
        else:
            ids = store.stories_needing_synthesis(SYNTHESIS_VERSION)
            if not ids and not store.story_counts()["stories"]:
                err.print(_NO_STORIES)
                return
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]synthesize"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
        )
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("synthesize", total=len(ids))
            try:
                report = synthesize_stories(
                    store, ids, force=force, progress=lambda o, s: progress.update(task, advance=1)
                )
            except KeyboardInterrupt:
                err.print("[yellow]interrupted:[/] finished syntheses are stored; run again to resume.")
                raise typer.Exit(130) from None
        counts = store.synthesis_counts()
    for given in unknown:
        err.print(f"[red]error:[/] no story with id {escape(repr(given))}", highlight=False)
    for problem in report.problems[:20]:
        err.print(f"[red]error[/] {escape(problem.source)}: {escape(problem.message)}", highlight=False)
    err.print(
        f"{report.built} built, {report.current} already current, {report.failed} failed;"
        f" stored: {counts['stories']} stories, {counts['threads']} threads"
    )
    if report.failed or unknown:
        raise typer.Exit(1)


@app.command()
def errors(
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 50,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """Show the ingest log: every input that failed, at which stage, and why."""
    with _store(db) as store:
        entries = store.list_problems(limit=limit)
    if format is not OutputFormat.table:
        for entry in entries:
            sys.stdout.write(_json_line(_entry(entry)) + "\n")
        return
    table = Table(show_header=True, header_style="bold")
    for column in ("at", "stage", "source", "message"):
        table.add_column(column, overflow="fold")
    for entry in entries:
        table.add_row(
            entry.at.strftime("%Y-%m-%d %H:%M:%S"), entry.stage, escape(entry.source), escape(entry.message)
        )
    out.print(table)


def _entry(entry: object) -> dict[str, object]:
    return {
        name: getattr(entry, name) for name in ("id", "run_id", "at", "source", "stage", "level", "message")
    }


@app.command()
def search(
    query: Annotated[str, typer.Argument(help="Words to find in titles and text.")],
    limit: Annotated[int, typer.Option()] = 20,
    db: DbOption = None,
) -> None:
    """Full-text search (SQLite FTS5) over stored articles."""
    with _store(db) as store:
        hits = store.search(query, limit=limit)
    for hit in hits:
        out.print(
            f"[bold]{hit.article.id[:10]}[/] {escape(hit.article.title or '(untitled)')}", highlight=False
        )
        out.print(f"    {hit.snippet}", highlight=False, markup=False)


@app.command()
def reextract(db: DbOption = None) -> None:
    """Run extraction again over every stored raw document (after upgrading Dateline), then enrichment."""
    from dateline.pipeline import reextract as run_reextract

    with _store(db) as store, Progress(console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("re-extract", total=len(store.raw_shas_with_articles()))
        report = run_reextract(
            store,
            _settings(db),
            # the bar counts re-extracted documents; the enrichment that follows is not on it
            progress=lambda outcome, source: progress.update(task, advance=int(outcome != "enriched")),
        )
    err.print(f"{report.updated} updated, {report.unchanged} unchanged, {report.failed} failed")
    if report.failed:
        raise typer.Exit(1)


@app.command()
def stats(db: DbOption = None) -> None:
    """Summary of what the store holds."""
    with _store(db) as store:
        _print_summary(store)


@app.command()
def serve(
    host: Annotated[
        str, typer.Option(help="Address to listen on. Anything but loopback requires an API token.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    token: Annotated[
        str | None,
        typer.Option(
            envvar="DATELINE_TOKEN", help="API token (default off loopback: a new random one, printed)."
        ),
    ] = None,
    no_refresh: Annotated[
        bool, typer.Option("--no-refresh", help="Do not poll sources in the background.")
    ] = False,
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Let sources on loopback/private addresses be fetched."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Serve the web reader, its JSON API and Atom feeds, and keep the sources fresh in the background."""
    import uvicorn

    from dateline.settings import FetchSettings
    from dateline.web.app import ReaderConfig, create_app
    from dateline.web.security import is_loopback, new_token

    settings = _settings(db)
    if allow_private:
        settings = replace(settings, fetch=FetchSettings(allow_private_addresses=True))
    if not is_loopback(host) and not token:
        token = new_token()
    config = ReaderConfig(settings=settings, host=host, token=token, scheduler=not no_refresh)
    try:
        web_app = create_app(config)
    except DatelineError as exc:
        err.print(f"[red]error[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    shown_host = f"[{host}]" if ":" in host else host
    address = f"http://{shown_host}:{port}/"
    err.print(f"Dateline reader on [bold]{address}[/] (store {settings.db_path}); Ctrl-C stops it.")
    if token:
        err.print(
            f"Open {address}?token={token} once in your browser; API clients send 'Authorization: Bearer {token}'."
        )
    # Keep-alive longer than uvicorn's 5 s: a client reusing a pooled connection just as the server closes
    # it sees a read error (the likely cause of the one read error bench.web_latency met under load).
    uvicorn.run(web_app, host=host, port=port, log_level="warning", access_log=False, timeout_keep_alive=30)


@app.command()
def refresh(
    all_sources: Annotated[
        bool, typer.Option("--all", help="Refresh every unpaused source now, due or not.")
    ] = False,
    source: Annotated[
        list[int] | None,
        typer.Option(
            "--source", help="Refresh this source (id from `sources list`; repeatable), due or not."
        ),
    ] = None,
    allow_private: Annotated[
        bool,
        typer.Option("--allow-private", help="Allow fetching loopback/private addresses (off: SSRF guard)."),
    ] = False,
    db: DbOption = None,
) -> None:
    """Fetch the sources that are due, then enrich, cluster and synthesize: one pass of `serve`'s background work."""
    from dateline.models import SourceStatus
    from dateline.pipeline import refresh_sources
    from dateline.settings import FetchSettings

    settings = _settings(db)
    if allow_private:
        settings = replace(settings, fetch=FetchSettings(allow_private_addresses=True))
    statuses = {str(status) for status in SourceStatus}
    with _store(db) as store:
        missing = [source_id for source_id in source or [] if store.get_source(source_id) is None]
        if missing:
            err.print(
                f"[red]error:[/] no source {', '.join(f'#{i}' for i in missing)} (see `dateline sources list`)"
            )
            raise typer.Exit(1)
        columns = (
            SpinnerColumn(),
            TextColumn("[bold]{task.fields[job]}"),
            BarColumn(bar_width=None),
            MofNCompleteColumn(),
            TextColumn("{task.fields[status]}", markup=False),
            TimeElapsedColumn(),
        )
        counts: dict[str, int] = {}
        with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
            task = progress.add_task("refresh", total=None, job="refresh", status="")

            def advance(event: str, subject: str) -> None:
                if event == "planned":
                    progress.update(task, total=int(subject))
                elif event == "source":
                    progress.update(task, status=subject[-70:])
                elif event in statuses:
                    progress.update(task, advance=1)
                elif event == "stage":
                    counts.clear()
                    progress.update(task, job=subject, status="")
                else:
                    counts[event] = counts.get(event, 0) + 1
                    progress.update(task, status=" ".join(f"{k} {v}" for k, v in counts.items()))

            try:
                report = refresh_sources(
                    store,
                    settings,
                    source_ids=source or None,
                    due_only=not (all_sources or source),
                    progress=advance,
                )
            except KeyboardInterrupt:
                err.print(
                    "[yellow]interrupted:[/] every source finished so far is stored; the rest stay due."
                )
                raise typer.Exit(130) from None
        if not report.sources:
            if store.list_source_records():
                err.print("No source is due. `dateline refresh --all` fetches them all now.")
            else:
                err.print("No sources yet: `dateline sources add URL`, or `dateline sources starter`.")
            return
        table = _listing_table(
            "id", "title", "status", "new", "updated", "next fetch", "error", right=("new", "updated")
        )
        for outcome in report.sources:
            table.add_row(
                str(outcome.source_id),
                escape(outcome.title or outcome.url),
                str(outcome.status),
                str(outcome.added),
                str(outcome.updated),
                _when(outcome.next_fetch_at),
                escape((outcome.error or "")[:80]),
            )
        out.print(table)
        for problem in report.problems[:10]:
            err.print(f"[red]error[/] {problem.stage}: {escape(problem.message)}", highlight=False)
        stages = f"{report.enriched} enriched, {report.clustered} clustered, {report.synthesized} stories synthesized"
        err.print(f"[bold]{escape(report.summary())}[/] ({stages})")
    if report.errors:
        raise typer.Exit(1)


def _source_row(source: Source) -> list[str]:
    status = "paused" if source.paused else str(source.last_status or "new")
    return [
        str(source.id),
        escape(source.title or source.url),
        str(source.kind),
        status,
        _when(source.last_fetched_at),
        "-" if source.paused else (_when(source.next_fetch_at) if source.next_fetch_at else "now"),
        str(source.failures),
        str(source.articles_added),
        escape((source.last_error or "")[:60]),
    ]


@sources_app.command("list")
def sources_list(
    format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="table, json or jsonl.")
    ] = OutputFormat.table,
    db: DbOption = None,
) -> None:
    """List sources with their fetch status (times in UTC)."""
    with _store(db) as store:
        sources = store.list_source_records()
    if format is OutputFormat.json:
        out.print_json(data=[s.to_dict() for s in sources])
        return
    if format is OutputFormat.jsonl:
        for item in sources:
            out.print(_json_line(item.to_dict()), highlight=False, markup=False)
        return
    if not sources:
        err.print("No sources yet: `dateline sources add URL`, or `dateline sources starter`.")
        return
    table = _listing_table(
        "id",
        "title",
        "kind",
        "status",
        "last fetch",
        "next fetch",
        "failures",
        "articles",
        "error",
        right=("id", "failures", "articles"),
    )
    for item in sources:
        table.add_row(*_source_row(item))
    out.print(table)


@sources_app.command("add")
def sources_add(
    location: Annotated[
        str,
        typer.Argument(help="A feed URL (http or https), or a local file or folder of saved pages or feeds."),
    ],
    title: Annotated[
        str | None, typer.Option(help="The name to show for it (default: the feed's own).")
    ] = None,
    interval: Annotated[
        int | None, typer.Option(help="Minutes between fetches (default 30).", min=1, max=10080)
    ] = None,
    db: DbOption = None,
) -> None:
    """Subscribe to a feed or a local file or folder; `dateline refresh` (or the reader) fetches it."""
    from dateline.pipeline import add_source

    with _store(db) as store:
        source = add_source(
            store, location, title=title, interval_seconds=interval * 60 if interval else None
        )
    err.print(
        f"source #{source.id} ({source.kind}, every {source.interval_seconds // 60} min): {escape(source.url)}",
        highlight=False,
    )


def _change_source(db: Path | None, source_id: int, change: str) -> None:
    with _store(db) as store:
        if change == "remove":
            found = store.remove_source(source_id)
        else:
            found = store.set_source_paused(source_id, change == "pause")
    if not found:
        err.print(f"[red]error:[/] no source #{source_id} (see `dateline sources list`)")
        raise typer.Exit(1)


@sources_app.command("pause")
def sources_pause(
    source_id: Annotated[int, typer.Argument(help="The source's id (`dateline sources list`).")],
    db: DbOption = None,
) -> None:
    """Stop fetching a source (its articles stay)."""
    _change_source(db, source_id, "pause")


@sources_app.command("resume")
def sources_resume(
    source_id: Annotated[int, typer.Argument(help="The source's id (`dateline sources list`).")],
    db: DbOption = None,
) -> None:
    """Fetch a paused source again, starting with the next pass."""
    _change_source(db, source_id, "resume")


@sources_app.command("remove")
def sources_remove(
    source_id: Annotated[int, typer.Argument(help="The source's id (`dateline sources list`).")],
    db: DbOption = None,
) -> None:
    """Unsubscribe from a source; the articles it brought in stay in the store."""
    _change_source(db, source_id, "remove")


@sources_app.command("starter")
def sources_starter(db: DbOption = None) -> None:
    """Subscribe to Dateline's starter list: major public news feeds in several languages."""
    from dateline.ingest.opml import parse_opml, starter_opml
    from dateline.pipeline import add_starter_sources

    total = len(parse_opml(starter_opml()))
    with _store(db) as store:
        added = add_starter_sources(store)
    err.print(f"{added} new of {total} starter feeds; `dateline refresh` fetches them.")


@sources_app.command("import")
def sources_import(
    opml_file: Annotated[Path, typer.Argument(help="An OPML file of feeds.")], db: DbOption = None
) -> None:
    """Subscribe to every feed of an OPML file (without fetching them; `dateline refresh` fetches)."""
    from dateline.ingest.opml import parse_opml

    try:
        subscriptions = parse_opml(opml_file.read_bytes())
    except (OSError, DatelineError) as exc:
        err.print(f"[red]error:[/] {opml_file}: {exc}")
        raise typer.Exit(1) from exc
    with _store(db) as store:
        added = store.add_sources(subscriptions)
    err.print(f"{added} new of {len(subscriptions)} feeds")


@sources_app.command("export")
def sources_export(db: DbOption = None) -> None:
    """Write subscriptions as OPML to stdout."""
    from dateline.ingest.opml import write_opml

    with _store(db) as store:
        data = write_opml(store.list_sources(), title="Dateline subscriptions")
    sys.stdout.buffer.write(data)


def main() -> None:  # pragma: no cover - console entry point
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
