"""Enrichment speed on 2 cores: articles/s (normalised to 600-word articles), per-stage cost, memory per worker.

    python -m bench.enrichment [--limit N] [--workers 2] [--no-record]

Reads the Wikinews 2019-2020 corpus (real news prose, ~730 words per article) from
../shared/data and runs ``enrich_article`` over it: once in this process with a timer
around each stage, then through a process pool of WORKERS processes as ``dateline
enrich`` runs it. Issue 3 target: >= 40 articles/s of 600 words on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import time
from concurrent.futures import ProcessPoolExecutor
from datetime import date

from bench.common import markdown_table, record_article, record_section, require_data
from dateline.enrich.article import MODEL_BATCH_SIZE
from dateline.errors import ExtractionError
from dateline.models import Article

TARGET_ARTICLES_PER_S = 40
WORDS_PER_ARTICLE = 600


def wikinews_articles(limit: int | None) -> list[Article]:
    path = require_data("corpus", "wikinews-2019-2020", "articles.jsonl")
    articles = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            try:
                article = record_article(
                    str(record["id"]),
                    record["text"],
                    language="en",
                    title=record.get("title"),
                    url=record.get("url"),
                    outlet="Wikinews",
                    published=date.fromisoformat(record["date"][:10]) if record.get("date") else None,
                )
            except ExtractionError:  # a stub of a few words: ingest would not store it either
                continue
            articles.append(article)
            if limit and len(articles) >= limit:
                break
    return articles


def stage_timings(articles: list[Article]) -> dict[str, float]:
    """Seconds spent in each stage over ARTICLES, in this process (the model already loaded)."""
    from dateline.enrich.entities import find_entities
    from dateline.enrich.events import find_dated_events
    from dateline.enrich.figures import find_figures
    from dateline.enrich.nlp import load_pipeline
    from dateline.enrich.quotes import find_quotes
    from dateline.enrich.sentences import split_sentences
    from dateline.enrich.temporal import find_temporal_expressions

    nlp = load_pipeline("en")
    assert nlp is not None
    spent = dict.fromkeys(("sentences", "spacy", "entities", "quotes", "figures", "dates", "events"), 0.0)
    t0 = time.perf_counter()
    all_sentences = [split_sentences(article.paragraphs, "en") for article in articles]
    t1 = time.perf_counter()
    docs = list(
        nlp.pipe((a.text for a in articles), batch_size=MODEL_BATCH_SIZE)
    )  # batched, as enrich runs it
    t2 = time.perf_counter()
    spent["sentences"], spent["spacy"] = t1 - t0, t2 - t1
    for article, sentences, doc in zip(articles, all_sentences, docs, strict=True):
        text = article.text
        t2 = time.perf_counter()
        entities, mentions = find_entities(text, sentences, doc, "en")
        t3 = time.perf_counter()
        find_quotes(text, sentences, entities, mentions, doc, "en")
        t4 = time.perf_counter()
        figures = find_figures(text, sentences, doc, "en")
        t5 = time.perf_counter()
        dates = find_temporal_expressions(text, sentences, article.published_at, "en")
        t6 = time.perf_counter()
        find_dated_events(sentences, dates, mentions, figures, article.published_at)
        t7 = time.perf_counter()
        for name, seconds in zip(
            ("entities", "quotes", "figures", "dates", "events"),
            (t3 - t2, t4 - t3, t5 - t4, t6 - t5, t7 - t6),
            strict=True,
        ):
            spent[name] += seconds
    return spent


def _warm_worker() -> None:
    from dateline.enrich.nlp import load_pipeline

    load_pipeline("en")


def _enrich_batch_and_measure(articles: list[Article]) -> int:
    from dateline.pipeline import run_enrichment_batch

    run_enrichment_batch(articles)
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux


def pooled_rate(articles: list[Article], workers: int) -> tuple[float, float, float]:
    """(articles/s, seconds, peak RSS MiB per worker) through a warmed process pool, in enrich's batches."""
    batches = [articles[i : i + MODEL_BATCH_SIZE] for i in range(0, len(articles), MODEL_BATCH_SIZE)]
    # Spawned, not forked: a forked worker's RSS would count the pages it shares with this process.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, initializer=_warm_worker, mp_context=context) as pool:
        list(pool.map(_enrich_batch_and_measure, [articles[i : i + 2] for i in range(workers)]))  # warm up
        start = time.perf_counter()
        peaks = list(pool.map(_enrich_batch_and_measure, batches))
        seconds = time.perf_counter() - start
    return len(articles) / seconds, seconds, max(peaks) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-record", action="store_true", help="Do not write BENCHMARKS.md.")
    args = parser.parse_args()

    articles = wikinews_articles(args.limit)
    words = sum(len(a.text.split()) for a in articles)
    mean_words = words / len(articles)
    # The pool first: a child's peak RSS starts from its parent's at fork, so it is measured while
    # this process is still small (the per-stage run below holds every parsed document).
    rate, _seconds, peak_mib = pooled_rate(articles, args.workers)
    _warm_worker()
    spent = stage_timings(articles)
    single_seconds = sum(spent.values())
    normalised = rate * mean_words / WORDS_PER_ARTICLE

    stage_rows = [
        [name, f"{1000 * value / len(articles):.2f}", f"{100 * value / single_seconds:.0f}%"]
        for name, value in spent.items()
    ]
    stage_rows.append(["total (1 process)", f"{1000 * single_seconds / len(articles):.2f}", "100%"])
    rows = [
        ["articles", str(len(articles))],
        ["mean words per article", f"{mean_words:.0f}"],
        [f"articles/s, {args.workers} workers", f"{rate:.1f}"],
        [
            f"600-word articles/s, {args.workers} workers (target >= {TARGET_ARTICLES_PER_S})",
            f"{normalised:.1f} {'✔' if normalised >= TARGET_ARTICLES_PER_S else '✘'}",
        ],
        ["articles/s, 1 process (sum of stages)", f"{len(articles) / single_seconds:.1f}"],
        ["peak memory per worker (RSS)", f"{peak_mib:.0f} MiB"],
        ["cores on this machine", str(os.cpu_count())],
    ]
    body = (
        "`python -m bench.enrichment` over the Wikinews 2019-2020 corpus (English; spaCy "
        "en_core_web_sm with tagger + NER, parser and lemmatizer off). Rates are wall-clock through a warmed "
        "process pool, as `dateline enrich` runs.\n\n"
        + markdown_table(["measure", "value"], rows)
        + "\n\nPer stage, one process (ms per article):\n\n"
        + markdown_table(["stage", "ms/article", "share"], stage_rows)
    )
    print(body)
    if not args.no_record:
        record_section("Issue 3: enrichment speed", body)


if __name__ == "__main__":
    main()
