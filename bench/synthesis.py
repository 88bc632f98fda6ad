"""Issue 5: synthesis speed, faithfulness, and summary and timeline quality on WCEP stories.

    .venv/bin/python -m bench.synthesis [--no-record]

Speed. One story of 200 Timeline17 articles (the first 200 of IraqWar_guardian in stream order, with the
cached enrichments of ``bench.timeline17``): ``synthesize_story`` timed in this process (median of 5 runs),
then "one article joins": the story of those 200 synthesised, then the 201st added and the whole synthesis
recomputed (the time of that second call; synthesis is a pure function of the members, nothing is
incremental). Each part is also timed by calling its module function directly, and all of it again on
the whole collection (344 articles) to show how it scales. Target: < 1 s for 200 articles on 2 cores.

Faithfulness (``dateline.synthesize.faithful``): ``check_synthesis`` (title, summary and timeline lines)
on each of the 17 Timeline17 collections synthesised as one story and on each WCEP story below, and
``check_lines`` on every entry of the 19 timelines ``build_timeline`` predicts for Timeline17 in the
standard setting with ``DEFAULT_DATE_MODEL``. Target: 100 % of lines supported by their first citation.

WCEP 2025 (``stories/wcep-2025/items.jsonl``): every leaf story with >= 5 briefs, each brief one Article
(its text one paragraph, published at noon of its date, no title), enriched (cached under bench/.cache/),
synthesised with gold membership (the story = its briefs, in date order).

* Summary: ROUGE-1/2 (tilse's ``RougeReimplementation``: Porter stems, ROUGE-1.5.5 SMART stopwords
  removed, PTB tokens) of the summary's sentences against the story's briefs, with same-length
  baselines (as many sentences as our summary; sentences are the enrichment's): the first sentences in
  time order, random sentences (seed 0), the latest briefs' sentences. Two ways:
  *all briefs*: one reference, every brief's text concatenated. Any extract of the briefs has precision
  near 1 against it, so its F mostly measures length; shown because it is the obvious measure, not
  because it ranks methods. *others' briefs*: each brief is its own reference, and a summary sentence is
  not compared with the brief it was taken from (counts summed over briefs, as ROUGE does for several
  references): does the summary say what the story's other briefs say.
* Timeline: tilse ``align_date_content_costs_many_to_one`` ROUGE-1/2 and date F1 against the story as a
  reference timeline (date -> its briefs), day-precision entries only, against the baseline "one brief
  per date for the l most-covered dates" (l = the number of days our timeline has; ties: earliest; the
  day's first brief), and the same with only that brief's first sentence (our entries are one sentence).
  Precision and recall averaged over stories, F from the averages (as in ``bench.timeline17``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import pickle
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from bench.common import CACHE_DIR, dated_article, markdown_table, mean, record_section, require_data
from bench.timeline17 import (
    ReferenceTimeline,
    averaged,
    enrichments_for,
    f_score,
    load_collections,
    predict_entries,
    ptb_tokens,
    score_timeline,
    tasks,
    timeline_evaluator,
    write_pickle,
)
from dateline.models import Article, Enrichment, StorySynthesis

SECTION = "Issue 5: synthesis"
SPEED_COLLECTION = "IraqWar_guardian"
SPEED_ARTICLES = 200
SPEED_RUNS = 5
TARGET_SECONDS = 1.0
WCEP_MIN_ITEMS = 5
LOADER_VERSION = "wcep-synthesis.v1"  # bump when the Article records built from the briefs change


# ---------------------------------------------------------------- speed


def median_seconds(run: Callable[[], object], runs: int = SPEED_RUNS) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def part_seconds(
    articles: Sequence[Article], enrichments: Mapping[str, Enrichment], runs: int
) -> dict[str, float]:
    """Median seconds of ``synthesize_story`` on ARTICLES and of each part's module function on its own."""
    from dateline.synthesize import story_entities, synthesize_story
    from dateline.synthesize.coverage import story_coverage
    from dateline.synthesize.ledgers import figure_ledger, quote_ledger
    from dateline.synthesize.summary import choose_title, summarize
    from dateline.synthesize.timeline import build_timeline
    from dateline.synthesize.units import article_passages

    def passages_of() -> dict[str, list[Any]]:
        return {a.id: article_passages(a, enrichments.get(a.id), include_title=True) for a in articles}

    passages = passages_of()
    summary = summarize(articles, passages)
    parts: dict[str, Callable[[], object]] = {
        "`synthesize_story`": lambda: synthesize_story("s-bench", articles, enrichments),
        "part: passages (sentences + TF-IDF vectors)": passages_of,
        "part: summary + title": lambda: choose_title(articles, passages, summarize(articles, passages)),
        "part: timeline": lambda: build_timeline(articles, enrichments),
        "part: ledgers (quotes + figures)": lambda: (
            quote_ledger(articles, enrichments),
            figure_ledger(articles, enrichments),
        ),
        "part: coverage": lambda: story_coverage(articles, enrichments, passages, summary),
        "part: entities": lambda: story_entities(articles, enrichments),
    }
    return {name: median_seconds(run, runs) for name, run in parts.items()}


def join_seconds(
    articles: Sequence[Article], joining: Article, enrichments: Mapping[str, Enrichment]
) -> float:
    """Median seconds of the synthesis recomputed after JOINING joins ARTICLES (just synthesised)."""
    from dateline.synthesize import synthesize_story

    times = []
    for _ in range(SPEED_RUNS):
        synthesize_story("s-bench", articles, enrichments)
        started = time.perf_counter()
        synthesize_story("s-bench", [*articles, joining], enrichments)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# ---------------------------------------------------------------- faithfulness


@dataclass
class Faithfulness:
    lines: int = 0
    failures: list[str] | None = None

    def add(self, problems: Sequence[Any], lines: int, where: str) -> None:
        self.lines += lines
        self.failures = self.failures or []
        self.failures += [f"{where} [{p.section}] {p.reason}: {p.text[:120]!r}" for p in problems]

    @property
    def faithful_share(self) -> float:
        failed = len(self.failures or [])
        return (self.lines - failed) / self.lines if self.lines else 1.0


def synthesis_lines(synthesis: StorySynthesis) -> int:
    return 1 + len(synthesis.summary) + len(synthesis.timeline)


# ---------------------------------------------------------------- WCEP


@dataclass(frozen=True)
class WcepStory:
    name: str
    articles: tuple[Article, ...]  # in date order (file order within a day)


def wcep_stories() -> list[WcepStory]:
    path = require_data("stories", "wcep-2025", "items.jsonl")
    by_story: dict[str, list[Article]] = defaultdict(list)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record.get("story_leaf") and record.get("date") and record.get("text", "").strip():
                by_story[record["story_leaf"]].append(_brief_article(record))
    stories = []
    for name, articles in sorted(by_story.items()):
        if len(articles) >= WCEP_MIN_ITEMS:
            ordered = sorted(articles, key=lambda a: a.published_at or datetime.min)  # stable: file order
            stories.append(WcepStory(name, tuple(ordered)))
    return stories


def _brief_article(record: dict[str, Any]) -> Article:
    urls = record.get("source_urls") or []
    return dated_article(
        f"wcep:{record['id']}",
        f"wcep-2025/{record['id']}",
        (" ".join(record["text"].split()),),
        date.fromisoformat(record["date"]),
        extractor=LOADER_VERSION,
        url=urls[0] if urls else None,
    )


def wcep_enrichments(stories: Sequence[WcepStory]) -> dict[str, Enrichment]:
    from dateline.enrich.article import ENRICH_VERSION, enrich_articles

    path_in = require_data("stories", "wcep-2025", "items.jsonl")
    key = hashlib.sha256(
        f"{ENRICH_VERSION}\0{LOADER_VERSION}\0".encode() + hashlib.sha256(path_in.read_bytes()).digest()
    ).hexdigest()[:16]
    path = CACHE_DIR / f"wcep-synthesis-enrich-{key}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    articles = [article for story in stories for article in story.articles]
    result: dict[str, Enrichment] = {}
    for start in range(0, len(articles), 64):
        batch = articles[start : start + 64]
        result.update((a.id, e) for a, e in zip(batch, enrich_articles(batch), strict=True))
        print(f"  enrich WCEP briefs: {len(result)}/{len(articles)}", file=sys.stderr, flush=True)
    write_pickle(path, result)
    return result


Sourced = tuple[str, str]  # (article id, sentence text)


def story_sentences(story: WcepStory, enrichments: Mapping[str, Enrichment]) -> list[Sourced]:
    """Every prose sentence of the story's briefs, in time order."""
    result = []
    for article in story.articles:
        enrichment = enrichments.get(article.id)
        sentences = [s.text for s in enrichment.sentences if not s.is_heading] if enrichment else []
        result += [(article.id, text) for text in sentences or list(article.paragraphs)]
    return result


def summary_baselines(
    story: WcepStory, enrichments: Mapping[str, Enrichment], k: int
) -> dict[str, list[Sourced]]:
    sentences = story_sentences(story, enrichments)
    order = {article.id: index for index, article in enumerate(story.articles)}
    latest_first = sorted(sentences, key=lambda s: -order[s[0]])  # stable: a brief's sentences stay in order
    picked = sorted(random.Random(f"{story.name}:0").sample(range(len(sentences)), min(k, len(sentences))))
    return {
        "first sentences in time order": sentences[:k],
        "random sentences (seed 0)": [sentences[i] for i in picked],
        "latest briefs' sentences": latest_first[:k],
    }


@dataclass
class RougeCounts:
    """Summed ROUGE-N counts: hits, predicted n-grams, reference n-grams."""

    hits: float = 0.0
    predicted: float = 0.0
    reference: float = 0.0

    def add(self, scores: Mapping[str, float], measure: str) -> None:
        self.hits += scores[f"{measure}_h_count"]
        self.predicted += scores[f"{measure}_p_count"]
        self.reference += scores[f"{measure}_m_count"]

    def precision_recall(self) -> tuple[float, float]:
        return (
            self.hits / self.predicted if self.predicted else 0.0,
            self.hits / self.reference if self.reference else 0.0,
        )


def summary_rouge(rouge: Any, summary: Sequence[Sourced], story: WcepStory) -> dict[str, tuple[float, float]]:
    """(precision, recall) for ROUGE-1 and -2, against all briefs and against each brief but the source."""
    tokenised = [(source, ptb_tokens(text).split()) for source, text in summary]
    briefs = {a.id: [ptb_tokens(p).split() for p in a.paragraphs] for a in story.articles}
    result = {}
    everything = rouge.score_summary(
        [t for _, t in tokenised], {"0": [s for b in briefs.values() for s in b]}
    )
    for measure in ("rouge_1", "rouge_2"):
        counts = RougeCounts()
        counts.add(everything, measure)
        result[f"all briefs {measure}"] = counts.precision_recall()
    others = {"rouge_1": RougeCounts(), "rouge_2": RougeCounts()}
    for brief_id, brief in briefs.items():
        predicted = [tokens for source, tokens in tokenised if source != brief_id]
        scores = rouge.score_summary(predicted or [[""]], {"0": brief})
        for measure, counts in others.items():
            counts.add(scores, measure)
    for measure, counts in others.items():
        result[f"others' briefs {measure}"] = counts.precision_recall()
    return result


def wcep_reference(story: WcepStory) -> ReferenceTimeline:
    dates: dict[date, list[str]] = defaultdict(list)
    for article in story.articles:
        assert article.published_at is not None
        dates[article.published_at.date()].append(ptb_tokens(article.text))
    return ReferenceTimeline(story.name, story.name, {d: tuple(s) for d, s in dates.items()})


def day_timeline(synthesis: StorySynthesis) -> dict[date, list[str]]:
    timeline: dict[date, list[str]] = defaultdict(list)
    for entry in synthesis.timeline:
        if len(entry.date) == 10:
            timeline[date.fromisoformat(entry.date)].append(entry.text)
    return dict(timeline)


def first_sentence(text: str, enrichments: Mapping[str, Enrichment], story: WcepStory) -> str:
    """The first sentence of the brief whose text is TEXT, as the enrichment splits it."""
    for article in story.articles:
        enrichment = enrichments.get(article.id)
        if article.text == text and enrichment and enrichment.sentences:
            return enrichment.sentences[0].text
    return text


def most_covered_dates(story: WcepStory, days: int) -> dict[date, list[str]]:
    by_day: dict[date, list[Article]] = defaultdict(list)
    for article in story.articles:
        assert article.published_at is not None
        by_day[article.published_at.date()].append(article)
    ranked = sorted(by_day, key=lambda d: (-len(by_day[d]), d))[: max(1, days)]
    return {day: [by_day[day][0].text] for day in ranked}


# ---------------------------------------------------------------- the run


def main(argv: Sequence[str] | None = None) -> None:
    from dateline.synthesize import synthesize_story
    from dateline.synthesize.faithful import check_lines, check_synthesis
    from dateline.synthesize.timeline import DEFAULT_DATE_MODEL

    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    collections = {c.name: c for c in load_collections()}

    # ---- speed
    speed_collection = collections[SPEED_COLLECTION]
    speed_enrichments = enrichments_for(speed_collection)
    speed_story = list(speed_collection.articles[:SPEED_ARTICLES])
    small = part_seconds(speed_story, speed_enrichments, SPEED_RUNS)
    whole = part_seconds(speed_collection.articles, speed_enrichments, 3)
    joins = join_seconds(speed_story, speed_collection.articles[SPEED_ARTICLES], speed_enrichments)
    print(f"  speed: {small['`synthesize_story`']:.3f} s, join {joins:.3f} s", file=sys.stderr)

    # ---- faithfulness: Timeline17 collections as stories, predicted Timeline17 timelines
    faithful = {
        "Timeline17 collections (synthesis)": Faithfulness(),
        "Timeline17 timelines (standard setting)": Faithfulness(),
        "WCEP stories (synthesis)": Faithfulness(),
    }
    synthesis_seconds = []
    for collection in collections.values():
        enrichments = enrichments_for(collection)
        before = time.perf_counter()
        synthesis = synthesize_story(collection.name, collection.articles, enrichments)
        synthesis_seconds.append((collection.name, len(collection.articles), time.perf_counter() - before))
        by_id = {a.id: a for a in collection.articles}
        faithful["Timeline17 collections (synthesis)"].add(
            check_synthesis(synthesis, by_id), synthesis_lines(synthesis), collection.name
        )
    for task in tasks():
        entries = predict_entries(task, DEFAULT_DATE_MODEL)
        by_id = {a.id: a for a in task.articles}
        lines = [("timeline", e.text, e.citations[0] if e.citations else None) for e in entries]
        faithful["Timeline17 timelines (standard setting)"].add(
            check_lines(lines, by_id), len(lines), task.reference.name
        )
    print("  faithfulness on Timeline17 done", file=sys.stderr)

    # ---- WCEP
    stories = wcep_stories()
    enrichments = wcep_enrichments(stories)
    evaluator = timeline_evaluator()
    rouge = evaluator.rouge
    methods = [
        "**dateline summary**",
        "first sentences in time order",
        "random sentences (seed 0)",
        "latest briefs' sentences",
    ]
    summary_scores: dict[str, list[dict[str, tuple[float, float]]]] = {m: [] for m in methods}
    summary_tokens: dict[str, list[int]] = {m: [] for m in methods}
    timeline_names = (
        "**dateline timeline**",
        "one brief per date, l most-covered dates",
        "its first sentence only (same dates)",
    )
    timeline_scores: dict[str, list[Any]] = {name: [] for name in timeline_names}
    timeline_tokens: dict[str, list[int]] = {name: [] for name in timeline_names}
    timeline_sizes: list[tuple[int, int, int]] = []  # (our days, our entries, reference days)
    summary_lengths = []
    not_day = 0
    for story in stories:
        synthesis = synthesize_story(story.name, story.articles, enrichments)
        by_id = {a.id: a for a in story.articles}
        faithful["WCEP stories (synthesis)"].add(
            check_synthesis(synthesis, by_id), synthesis_lines(synthesis), story.name
        )
        ours: list[Sourced] = [
            (s.citations[0].article_id if s.citations else "", s.text) for s in synthesis.summary
        ]
        k = len(ours)
        summary_lengths.append(k)
        candidates = {"**dateline summary**": ours, **summary_baselines(story, enrichments, k)}
        for name, sentences in candidates.items():
            summary_scores[name].append(summary_rouge(rouge, sentences, story))
            summary_tokens[name].append(sum(len(ptb_tokens(text).split()) for _, text in sentences))
        reference = wcep_reference(story)
        predicted = day_timeline(synthesis)
        not_day += sum(1 for e in synthesis.timeline if len(e.date) != 10)
        timeline_sizes.append((len(predicted), len(synthesis.timeline), len(reference.dates)))
        baseline = most_covered_dates(story, len(predicted))
        leads = {day: [first_sentence(texts[0], enrichments, story)] for day, texts in baseline.items()}
        for name, timeline in zip(timeline_names, (predicted, baseline, leads), strict=True):
            timeline_scores[name].append(score_timeline(evaluator, timeline, reference))
            timeline_tokens[name].append(
                sum(len(ptb_tokens(text).split()) for texts in timeline.values() for text in texts)
            )
    seconds = time.perf_counter() - started

    # ---- tables
    speed_table = markdown_table(
        [
            "what",
            f"{SPEED_ARTICLES} articles (median of {SPEED_RUNS})",
            f"all {len(speed_collection.articles)} (median of 3)",
        ],
        [[name, small[name], whole[name]] for name in small]
        + [[f"one article joins: the story of {SPEED_ARTICLES + 1} recomputed", joins, ""]],
    )
    faith_rows = []
    failures = []
    for name, result in faithful.items():
        faith_rows.append(
            [name, result.lines, len(result.failures or []), f"{100 * result.faithful_share:.1f} %"]
        )
        failures += [f"{name}: {f}" for f in result.failures or []]
    faith_table = markdown_table(["lines of", "checked", "unsupported", "faithful"], faith_rows)

    def summary_row(name: str) -> list[object]:
        row: list[object] = [name]
        for variant in ("all briefs", "others' briefs"):
            for measure in ("rouge_1", "rouge_2"):
                scores = summary_scores[name]
                p = mean(s[f"{variant} {measure}"][0] for s in scores)
                r = mean(s[f"{variant} {measure}"][1] for s in scores)
                row += (
                    [f_score(p, r)]
                    if measure == "rouge_2" or variant == "others' briefs"
                    else [p, f_score(p, r)]
                )
        return [*row, f"{mean(summary_tokens[name]):.0f}"]

    summary_table = markdown_table(
        ["method", "all: R1-P", "all: R1-F", "all: R2-F", "others': R1-F", "others': R2-F", "tokens"],
        [summary_row(name) for name in methods],
    )
    timeline_table = markdown_table(
        ["method", "AR1-F", "AR2-F", "Date-F1", "tokens"],
        [
            [name, *averaged(scores), f"{mean(timeline_tokens[name]):.0f}"]
            for name, scores in timeline_scores.items()
        ],
    )
    body = (
        f"`python -m bench.synthesis` ({date.today().isoformat()}, {seconds:.0f} s with enrichments cached, "
        f"one process, {os.cpu_count()} cores).\n\n"
        f"**Speed**: one story of the first {SPEED_ARTICLES} articles of Timeline17 {SPEED_COLLECTION}, and "
        "one of all its articles (enrichments precomputed): `dateline.synthesize.synthesize_story` and its "
        f"parts (each part's module function called on its own). Target < {TARGET_SECONDS:.0f} s for "
        f"{SPEED_ARTICLES} articles.\n\n"
        + speed_table
        + "\n\nWhole Timeline17 collections as one story each (seconds; the time follows the text's "
        "length more than the article count): "
        + ", ".join(
            f"{name} ({n} articles) {t:.2f}"
            for name, n, t in sorted(synthesis_seconds, key=lambda item: item[1])
        )
        + ".\n\n"
        "**Faithfulness** (`faithful.check_synthesis` / `check_lines`: every title, summary and timeline "
        "line's words in order inside the span its first citation points to). Timeline17: each of the 17 "
        "collections synthesised as one story, and the 19 standard-setting timelines predicted with "
        "`DEFAULT_DATE_MODEL`; WCEP: the stories below. Target 100 %.\n\n" + faith_table
    )
    if failures:
        body += "\n\nUnsupported lines (first 20):\n\n" + "\n".join(f"- {f}" for f in failures[:20])
    body += (
        f"\n\n**WCEP 2025 stories**: the {len(stories)} leaf stories with >= {WCEP_MIN_ITEMS} briefs "
        f"({sum(len(s.articles) for s in stories)} briefs), each brief one article, synthesised with gold "
        f"membership. Summaries have {mean(summary_lengths):.1f} sentences on average; baselines take as "
        "many of the story's sentences. ROUGE: tilse's Python ROUGE (stemmed, ROUGE-1.5.5 stopwords removed, "
        "PTB tokens); P and R averaged over stories, F from the averages. *all*: against every brief "
        "concatenated (any extract has precision near 1, so F mostly tracks length: see R1-P and tokens); "
        "*others'*: each brief a reference, a sentence never compared with the brief it came from.\n\n"
        + summary_table
        + "\n\nTimeline against the story as a reference timeline (date -> its briefs), tilse "
        "`align_date_content_costs_many_to_one`, day-precision entries only "
        f"({not_day} coarser entries left out); our timelines have {mean(t[0] for t in timeline_sizes):.1f} "
        f"days and {mean(t[1] for t in timeline_sizes):.1f} entries on average, the stories "
        f"{mean(t[2] for t in timeline_sizes):.1f} days. The baseline gets as many days as ours.\n\n"
        + timeline_table
    )
    print(body)
    if len(failures) > 20:
        print("\nAll unsupported lines:\n" + "\n".join(failures))
    if not args.no_record:
        record_section(SECTION, body)


if __name__ == "__main__":
    main()
