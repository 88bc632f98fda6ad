"""Dates and times in the text (issue 3): our resolver against dateparser, on a hand-labelled golden set.

    .venv/bin/python -m bench.temporal [--no-record] [--no-baseline] [--errors]

The golden set (bench/golden/temporal.jsonl) holds locators only: a document of Timeline17
(dated by its folder, the publication day) or of the Wikinews 2019-2020 corpus (its ``date``),
the character span of one expression in the document text as read here, a short hash of that
span, the publication day, and the true resolution (value, precision, kind; ``end_value`` for
ranges), decided by reading each expression in context, never by taking a resolver's answer.
Entries of kind ``none`` are must-not-find spans ("the Today programme", "24/7", "aged 30"): any
resolved expression over them is a false alarm. Entries with ``"split": "holdout"`` were sampled
and labelled after the rules were written, from documents the rest of the set does not use.
Expressions were sampled at random per kind; spans whose document date is contradicted by its
text (a live blog updated after its folder's day), rhetorical or generic uses ("if he decided
tomorrow", "the person I am today") and schedules of unknown date were left out.
Conventions of the labels: weeks are ISO weeks ("2025-W48"); a weekend is its Saturday-Sunday
range at day precision; "N weeks ago" is a week, "N days ago" and "a week ago today" a day; a
decade is a year range; a clock time carries the offset the text gives or implies, none for
"local time" alone; a relative day inside a quote is the day the quote refers to.

Scoring: an expression is detected when the system returns one overlapping the gold span; it is
right when that one has the gold value and precision (and end value, for ranges). dateparser
(``search_dates`` with ``RELATIVE_BASE`` = publication day, default ``PREFER_DATES_FROM``) gives a
datetime without precision, so it is scored leniently: right when its datetime falls inside the
gold value at the gold precision (the day, the ISO week, the month, the year; the first day of a
range; the minute of a time, ignoring the zone). Speed is the resolver alone over the whole
Wikinews corpus, per 600-word article.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from bench.common import REPO_ROOT, markdown_table, record_section, require_data, unpack
from dateline.enrich.sentences import split_sentences
from dateline.enrich.temporal import TEMPORAL_VERSION, find_temporal_expressions
from dateline.models import Sentence

logging.disable(logging.WARNING)

GOLDEN = REPO_ROOT / "bench" / "golden" / "temporal.jsonl"
KINDS = (
    "weekday",
    "relative_day",
    "explicit",
    "relative_period",
    "month",
    "year",
    "range",
    "time",
)
# The holdout's story, told with its numbers: once looked at, it is no longer blind.
HOLDOUT_DOCUMENTS = "82 expressions and 2 must-not-find spans"
HOLDOUT_HISTORY = (
    "Its first run scored 0.976 (80/82); its two misses (a bare 'end of May' taken for Theresa May, "
    "'one week ago today' read as a week) were then fixed, so the holdout is no longer blind."
)
TARGET_OVERALL = 0.90
TARGET_CORE = 0.95  # weekday, relative day, explicit
CORE_KINDS = ("weekday", "relative_day", "explicit")
WORDS_PER_ARTICLE = 600

# Timeline17 is PTB-tokenised: brackets and quotes come as tokens, "/" and "*" escaped.
_PTB = {
    "-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}", "``": '"', "''": '"',
    "\\/": "/", "\\*": "*",
}  # fmt: skip
_PTB_RE = re.compile("|".join(re.escape(token) for token in _PTB))


@dataclass(frozen=True)
class GoldExpression:
    id: str
    corpus: str
    doc: str
    start: int
    end: int
    sha1: str
    published: date
    kind: str
    value: str | None
    precision: str | None
    end_value: str | None
    split: str  # "dev": labelled first and looked at while the rules were written; "holdout": labelled after


@dataclass(frozen=True)
class Document:
    corpus: str
    doc: str
    published: date
    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Prediction:
    start: int
    end: int
    value: str | None
    precision: str | None  # None: the system does not say
    end_value: str | None = None


System = Callable[[Document, Sequence[Sentence]], list[Prediction]]


def load_golden(path: Path = GOLDEN) -> list[GoldExpression]:
    items = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            items.append(
                GoldExpression(
                    id=record["id"],
                    corpus=record["corpus"],
                    doc=record["doc"],
                    start=record["start"],
                    end=record["end"],
                    sha1=record["sha1"],
                    published=date.fromisoformat(record["published"]),
                    kind=record["kind"],
                    value=record.get("value"),
                    precision=record.get("precision"),
                    end_value=record.get("end_value"),
                    split=record.get("split", "dev"),
                )
            )
    return items


def timeline17_paragraphs(path: Path) -> tuple[str, ...]:
    """One sentence per line, PTB brackets and quotes turned back into characters."""
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    return tuple(
        cleaned for line in lines if (cleaned := _PTB_RE.sub(lambda m: _PTB[m.group()], line).strip())
    )


def wikinews_paragraphs(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())


def load_documents(items: Sequence[GoldExpression]) -> dict[tuple[str, str], Document]:
    wanted = {(item.corpus, item.doc): item.published for item in items}
    documents: dict[tuple[str, str], Document] = {}
    if any(corpus == "timeline17" for corpus, _ in wanted):
        root = (
            unpack(require_data("timelines", "timeline17", "Timeline17.tar.xz"), "timeline17") / "Timeline17"
        )
        for (corpus, doc), published in wanted.items():
            if corpus == "timeline17":
                documents[corpus, doc] = Document(corpus, doc, published, timeline17_paragraphs(root / doc))
    if any(corpus == "wikinews" for corpus, _ in wanted):
        for record in wikinews_records():
            key = ("wikinews", record["id"])
            if key in wanted:
                documents[key] = Document(
                    "wikinews", record["id"], wanted[key], wikinews_paragraphs(record["text"])
                )
    return documents


def wikinews_records() -> list[dict[str, str]]:
    path = require_data("corpus", "wikinews-2019-2020", "articles.jsonl")
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]


# ---------------------------------------------------------------------------------------------- systems


def ours(document: Document, sentences: Sequence[Sentence]) -> list[Prediction]:
    published = datetime.combine(document.published, datetime.min.time())
    return [
        Prediction(e.start, e.end, e.value, str(e.precision), e.end_value)
        for e in find_temporal_expressions(document.text, sentences, published, "en")
    ]


def dateparser_baseline(document: Document, sentences: Sequence[Sentence]) -> list[Prediction]:
    from dateparser.search import search_dates

    text = document.text
    published = datetime.combine(document.published, datetime.min.time())
    found = search_dates(text, languages=["en"], settings={"RELATIVE_BASE": published}) or []
    predictions = []
    cursor = 0
    for surface, moment in found:
        position = text.find(surface, cursor)
        if position < 0:
            position = text.find(surface)
        if position < 0:
            continue
        cursor = position + len(surface)
        predictions.append(Prediction(position, position + len(surface), moment.isoformat(), None))
    return predictions


# ---------------------------------------------------------------------------------------------- scoring


def _lenient_match(gold: GoldExpression, predicted: str) -> bool:
    """A bare datetime against a gold value: inside it, at the gold precision."""
    assert gold.value is not None
    moment = datetime.fromisoformat(predicted)
    if gold.precision == "datetime":
        return moment.strftime("%Y-%m-%dT%H:%M") == gold.value[:16]
    if gold.precision == "week":
        year, week, _ = moment.isocalendar()
        return f"{year}-W{week:02d}" == gold.value
    width = {"day": 10, "month": 7, "year": 4}[gold.precision or "day"]
    return moment.date().isoformat()[:width] == gold.value[:width]


def is_right(gold: GoldExpression, prediction: Prediction) -> bool:
    if prediction.value is None:
        return False
    if prediction.precision is None:
        return _lenient_match(gold, prediction.value)
    if prediction.value != gold.value or prediction.precision != gold.precision:
        return False
    return gold.end_value is None or prediction.end_value == gold.end_value


@dataclass
class Score:
    total: Counter[str] = field(default_factory=Counter)
    detected: Counter[str] = field(default_factory=Counter)
    right: Counter[str] = field(default_factory=Counter)
    false_alarms: int = 0
    negatives: int = 0
    seconds: float = 0.0
    errors: list[tuple[GoldExpression, Prediction | None]] = field(default_factory=list)

    def accuracy(self, kinds: Sequence[str] | None = None) -> float:
        kinds = kinds or list(self.total)
        total = sum(self.total[k] for k in kinds)
        return sum(self.right[k] for k in kinds) / total if total else 0.0

    def recall(self, kinds: Sequence[str] | None = None) -> float:
        kinds = kinds or list(self.total)
        total = sum(self.total[k] for k in kinds)
        return sum(self.detected[k] for k in kinds) / total if total else 0.0


def evaluate(
    system: System, items: Sequence[GoldExpression], documents: dict[tuple[str, str], Document]
) -> tuple[Score, list[str]]:
    """Score one system over the golden set; also returns the ids whose span no longer matches its hash."""
    score = Score()
    misaligned = []
    by_document: dict[tuple[str, str], list[GoldExpression]] = defaultdict(list)
    for item in items:
        by_document[item.corpus, item.doc].append(item)
    for key, gold_items in by_document.items():
        document = documents[key]
        text = document.text
        sentences = split_sentences(document.paragraphs, "en")
        started = time.perf_counter()
        predictions = system(document, sentences)
        score.seconds += time.perf_counter() - started
        for gold in gold_items:
            if short_hash(text[gold.start : gold.end]) != gold.sha1:
                misaligned.append(gold.id)
                continue
            overlapping = [p for p in predictions if p.start < gold.end and gold.start < p.end]
            if gold.kind == "none":
                score.negatives += 1
                score.false_alarms += any(p.value is not None for p in overlapping)
                continue
            score.total[gold.kind] += 1
            if not overlapping:
                score.errors.append((gold, None))
                continue
            score.detected[gold.kind] += 1
            best = max(
                overlapping,
                key=lambda p: (is_right(gold, p), min(p.end, gold.end) - max(p.start, gold.start)),
            )
            if is_right(gold, best):
                score.right[gold.kind] += 1
            else:
                score.errors.append((gold, best))
    return score, misaligned


def resolver_speed() -> tuple[float, float, int]:
    """(ms per 600-word article, articles of 600 words per second on one core, articles) over Wikinews."""
    records = wikinews_records()
    prepared = []
    for record in records:
        paragraphs = wikinews_paragraphs(record["text"])
        published = datetime.fromisoformat(record["date"]) if record.get("date") else None
        prepared.append(("\n\n".join(paragraphs), split_sentences(paragraphs, "en"), published))
    for text, sentences, published in prepared[:20]:  # compile the patterns before timing
        find_temporal_expressions(text, sentences, published, "en")
    words = sum(len(text.split()) for text, _, _ in prepared)
    seconds = float("inf")
    for _ in range(3):  # the best of three runs: the machine is shared, the stage is not
        started = time.perf_counter()
        for text, sentences, published in prepared:
            find_temporal_expressions(text, sentences, published, "en")
        seconds = min(seconds, time.perf_counter() - started)
    per_article = seconds / words * WORDS_PER_ARTICLE
    return 1000 * per_article, 1 / per_article, len(prepared)


# ---------------------------------------------------------------------------------------------- report


def _table(scores: dict[str, Score]) -> str:
    names = list(scores)
    headers = ["kind", "n"]
    for name in names:
        headers += [f"{name} detected", f"{name} right"]
    rows: list[list[object]] = []
    reference = scores[names[0]]
    for kind in (*KINDS, *(k for k in reference.total if k not in KINDS)):
        if not reference.total[kind]:
            continue
        row: list[object] = [kind, reference.total[kind]]
        for name in names:
            row += [scores[name].recall([kind]), scores[name].accuracy([kind])]
        rows.append(row)
    for label, kinds in (("weekday + relative day + explicit", CORE_KINDS), ("all", None)):
        row = [f"**{label}**", sum(reference.total[k] for k in (kinds or reference.total))]
        for name in names:
            row += [scores[name].recall(kinds), scores[name].accuracy(kinds)]
        rows.append(row)
    return markdown_table(headers, rows)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--no-record", action="store_true", help="print, do not write BENCHMARKS.md")
    parser.add_argument("--no-baseline", action="store_true", help="skip dateparser (slow)")
    parser.add_argument("--errors", action="store_true", help="print every miss of our resolver")
    args = parser.parse_args(argv)

    items = load_golden()
    documents = load_documents(items)
    systems: dict[str, System] = {"ours": ours}
    if not args.no_baseline:
        systems["dateparser"] = dateparser_baseline
    scores: dict[str, Score] = {}
    for name, system in systems.items():
        scores[name], misaligned = evaluate(system, items, documents)
        if misaligned:
            print(
                f"WARNING: {len(misaligned)} golden spans no longer match their hash: {', '.join(misaligned[:10])}"
            )

    ours_score = scores["ours"]
    if args.errors:
        for gold, prediction in ours_score.errors:
            text = documents[gold.corpus, gold.doc].text
            found = (
                "—"
                if prediction is None
                else f"{prediction.value} {prediction.precision} {prediction.end_value or ''}"
            )
            print(
                f"{gold.id} {gold.kind:15} pub={gold.published} {text[gold.start : gold.end]!r:28} "
                f"gold={gold.value} {gold.precision} {gold.end_value or ''} | ours={found}"
            )
    ms, per_second, articles = resolver_speed()
    table = _table(scores)
    split_rows = []
    for split in ("dev", "holdout"):
        chosen = [item for item in items if item.split == split]
        split_score, _ = evaluate(ours, chosen, documents)
        split_rows.append(
            [split, sum(split_score.total.values()), split_score.accuracy(), split_score.accuracy(CORE_KINDS)]
        )
    split_table = markdown_table(
        ["split", "n", "ours right", "weekday + relative day + explicit"], split_rows
    )
    positives = sum(ours_score.total.values())
    overall, core = ours_score.accuracy(), ours_score.accuracy(CORE_KINDS)
    verdict = (
        "meets" if overall >= TARGET_OVERALL and all(ours_score.accuracy([k]) >= TARGET_CORE for k in CORE_KINDS)
        else "misses"
    )  # fmt: skip
    baseline = scores.get("dateparser")
    lines = [
        f"Resolver `{TEMPORAL_VERSION}` on {positives} hand-labelled expressions from "
        f"{len(documents)} documents (Timeline17 and Wikinews 2019-2020) plus {ours_score.negatives} "
        "must-not-find spans; `python -m bench.temporal`. Detected = an expression found over the gold "
        "span; right = same value and precision (and end, for ranges). dateparser is scored leniently "
        "(no precision of its own: its datetime only has to fall inside the gold value).",
        "",
        table,
        "",
        "By split: *dev* was labelled first and looked at while the rules were written; *holdout* "
        f"({HOLDOUT_DOCUMENTS}) was labelled afterwards from other documents. {HOLDOUT_HISTORY}",
        "",
        split_table,
        "",
        f"- Overall {overall:.3f} (target {TARGET_OVERALL}); weekday + relative day + explicit {core:.3f} "
        f"(target {TARGET_CORE} each: "
        + ", ".join(f"{k} {ours_score.accuracy([k]):.3f}" for k in CORE_KINDS)
        + f"): {verdict} the targets.",
        f"- False alarms on must-not-find spans: ours {ours_score.false_alarms}/{ours_score.negatives}"
        + (f", dateparser {baseline.false_alarms}/{baseline.negatives}." if baseline else "."),
        f"- Speed: {ms:.2f} ms per 600-word article ({per_second:.0f} articles/s on one core), "
        f"over {articles} Wikinews articles"
        + (
            f"; dateparser took {1000 * baseline.seconds / len(documents):.0f} ms per golden document "
            f"against our {1000 * ours_score.seconds / len(documents):.1f} ms."
            if baseline
            else "."
        ),
    ]
    body = "\n".join(lines)
    print(body)
    if not args.no_record:
        record_section("Issue 3: temporal expressions", body)


if __name__ == "__main__":
    main()
