"""Throughput into SQLite on this machine: HTML pages/s and text scrapes/s through the whole ingest pipeline.

Runs `dateline.pipeline.ingest_inputs` (detection, extraction in worker processes, language,
fingerprints, duplicate search, SQLite writes with FTS5 triggers) over real pages from
../shared/data copied to a temporary folder, into a fresh database each time.

    .venv/bin/python -m bench.throughput [--limit N] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from bench.common import markdown_table, read_html, record_section, trafilatura_eval_pages, wcxb_pages
from dateline.pipeline import ingest_inputs
from dateline.settings import Settings
from dateline.store import open_store


def _pages(limit: int) -> list[bytes]:
    pages = [read_html(p.path) for p in trafilatura_eval_pages()]
    pages += [p.html() for p in wcxb_pages()]
    return pages[:limit]


def _write_inputs(folder: Path, documents: list[bytes], suffix: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for index, content in enumerate(documents):
        (folder / f"{index:05d}{suffix}").write_bytes(content)


def _run(folder: Path, workers: int) -> tuple[float, int, int]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.db"
        # Extraction into SQLite only: enrichment (issue 3) and story clustering (issue 4) are later
        # stages with benchmarks of their own.
        settings = Settings(db_path=db, workers=workers, enrich=False, stories=False)
        with open_store(db) as store:
            started = time.perf_counter()
            report = ingest_inputs(store, [str(folder)], settings)
            elapsed = time.perf_counter() - started
    return elapsed, report.added + report.updated, report.failed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--limit", type=int, default=1000, help="documents of each kind")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--only", choices=["html", "text"], help="run one kind (implies --no-record)")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs per kind; the median is reported (these machines vary)"
    )
    args = parser.parse_args()

    from bench.render_text import render_text

    html_pages = _pages(args.limit)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        html_dir, text_dir = Path(tmp) / "html", Path(tmp) / "text"
        _write_inputs(html_dir, html_pages, ".html")
        _write_inputs(text_dir, [render_text(page).encode("utf-8") for page in html_pages], ".txt")
        kinds = [("HTML pages", html_dir, "html"), ("text scrapes", text_dir, "text")]
        for label, folder, kind in kinds:
            if args.only and kind != args.only:
                continue
            count = len(html_pages)
            rates = []
            for _ in range(args.repeat):
                elapsed, stored, failed = _run(folder, args.workers)
                rates.append(count / elapsed)
                print(
                    f"{label}: {count} in {elapsed:.1f} s = {count / elapsed:.0f}/s ({stored} stored, {failed} failed)"
                )
            rates.sort()
            median = rates[len(rates) // 2]
            rows.append(
                [label, count, stored, failed, f"{median:.0f}", f"{rates[0]:.0f}–{rates[-1]:.0f}", len(rates)]
            )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    table = markdown_table(
        ["input", "documents", "stored", "failed", "documents/s (median)", "range", "runs"], rows
    )
    print(table)
    if args.no_record or args.only:
        return
    body = (
        f"Command: `.venv/bin/python -m bench.throughput --limit {args.limit} --workers {args.workers}"
        f" --repeat {args.repeat}` "
        f"({date.today().isoformat()}, {os.cpu_count()} cores, Python {platform.python_version()}).\n\n"
        "End to end into a fresh SQLite store: read, detect, extract (worker processes), language, MinHash, "
        "duplicate search, FTS5-indexed writes. HTML: trafilatura-eval + WCXB pages; text scrapes: the same pages "
        "rendered to text with their chrome (`bench/render_text.py`). Failed = pages with no extractable article "
        "(recorded in the ingest log). Targets: ≥ 50 HTML pages/s, ≥ 300 text scrapes/s.\n\n"
        f"{table}\n\nPeak memory of the benchmark process: {peak_mb:.0f} MB."
    )
    record_section("Throughput", body)


if __name__ == "__main__":
    main()
