"""Text-scrape benchmark: whole pages rendered to plain text, chrome included, then extracted.

    .venv/bin/python -m bench.text_scrapes [--limit N] [--split test|train|all] [--no-html] [--no-record]
    .venv/bin/python -m bench.text_scrapes --train      # refit src/dateline/extract/text_weights.json

Each page of ../shared/data/extraction (WCXB dev articles, trafilatura-eval) is rendered by
``bench.render_text`` the way select-all/copy gives it, then ``extract_text_scrape`` runs on
that text with the corpus-frequent lines (``line_key`` in ≥ 3 pages of the same set, what the
pipeline's store would pass as ``repeated_lines``). Body = "\\n".join(paragraphs), title
excluded. Scores: WCXB word P/R/F1 (macro over pages) against ``main_content``;
trafilatura-eval segment P/R/F. The HTML-mode extractor runs on the same pages for
comparison.

The line model's weights are fitted on the *train* half of both sets (a fixed hash split of
the page ids); reported numbers are on the held-out *test* half unless ``--split`` says
otherwise. Only numeric weights are stored, never text from the data.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from bench.common import (
    SegmentCounts,
    markdown_table,
    mean,
    read_html,
    record_section,
    trafilatura_eval_pages,
    wcxb_pages,
    word_prf,
    words,
)
from bench.render_text import render_text, wants_markdown_images

try:
    from dateline.errors import ExtractionError
    from dateline.extract import text as text_extractor
except ModuleNotFoundError:  # running from a checkout without `pip install -e .`
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    from dateline.errors import ExtractionError
    from dateline.extract import text as text_extractor

COMMAND = "python -m bench.text_scrapes"
MIN_DOCS_REPEATED = 3
NEGATIVE_FEATURES = ("cue_", "related_", "caption", "md_image", "md_link", "repeated_corpus", "copyright")
PASSES = 2  # line-model passes: 1 local, then smoothing passes over the previous scores


@dataclass
class Scrape:
    dataset: str  # "wcxb" | "trafilatura-eval"
    key: str
    url: str
    html: bytes
    text: str = ""
    gold_main: str | None = None
    with_segments: tuple[str, ...] = ()
    without_segments: tuple[str, ...] = ()
    gold: dict[str, Any] = field(default_factory=dict)

    @property
    def split(self) -> str:
        return split_of(self.key)


def split_of(key: str) -> str:
    """A fixed 50/50 split by page id: 'train' pages fit the weights, 'test' pages are reported."""
    return "train" if hashlib.sha1(key.encode()).digest()[0] < 128 else "test"


def _render(html_and_key: tuple[bytes, str]) -> str:
    html, key = html_and_key
    return render_text(html, markdown_images=wants_markdown_images(key))


def load_scrapes(limit: int | None = None, split: str = "test", workers: int = 2) -> list[Scrape]:
    scrapes: list[Scrape] = []
    for page in wcxb_pages():
        scrapes.append(
            Scrape(
                "wcxb",
                page.file_id,
                page.url,
                page.html(),
                gold_main=page.main_content,
                with_segments=page.with_segments,
                without_segments=page.without_segments,
                gold={"title": page.title, "author": page.author, "date": page.publish_date},
            )
        )
    for tpage in trafilatura_eval_pages():
        scrapes.append(
            Scrape(
                "trafilatura-eval",
                tpage.url,
                tpage.url,
                read_html(tpage.path),
                with_segments=tpage.with_segments,
                without_segments=tpage.without_segments,
                gold=dict(tpage.gold),
            )
        )
    if split != "all":
        scrapes = [s for s in scrapes if s.split == split]
    if limit:
        by_set: dict[str, list[Scrape]] = {}
        for s in scrapes:
            by_set.setdefault(s.dataset, []).append(s)
        scrapes = [s for items in by_set.values() for s in items[:limit]]
    with ProcessPoolExecutor(workers) as pool:
        texts = list(pool.map(_render, [(s.html, s.url or s.key) for s in scrapes], chunksize=16))
    for s, text in zip(scrapes, texts, strict=True):
        s.text = text
    return scrapes


def corpus_repeated(texts: Iterable[str], min_docs: int = MIN_DOCS_REPEATED) -> frozenset[str]:
    """line_keys found in at least ``min_docs`` documents: what the pipeline's store would pass in."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update({text_extractor.line_key(line) for line in text.splitlines()} - {""})
    return frozenset(key for key, count in counts.items() if count >= min_docs)


def repeated_by_dataset(scrapes: list[Scrape]) -> dict[str, frozenset[str]]:
    sets: dict[str, list[str]] = {}
    for s in scrapes:
        sets.setdefault(s.dataset, []).append(s.text)
    return {name: corpus_repeated(texts) for name, texts in sets.items()}


# ---------------------------------------------------------------- extraction runs


@dataclass
class TextRun:
    body: str
    title: str | None
    authors: tuple[str, ...]
    published: str | None
    outlet: str | None
    seconds: float
    standfirst: str | None = None
    error: str | None = None


def run_text(scrape: Scrape, repeated: frozenset[str]) -> TextRun:
    started = time.perf_counter()
    try:
        fields = text_extractor.extract_text_scrape(
            scrape.text, url=scrape.url or None, repeated_lines=repeated
        )
    except ExtractionError as error:
        return TextRun("", None, (), None, None, time.perf_counter() - started, str(error))
    elapsed = time.perf_counter() - started
    published = fields.published.value.date().isoformat() if fields.published.value else None
    return TextRun(
        "\n".join(fields.paragraphs),
        fields.title,
        fields.authors,
        published,
        fields.outlet,
        elapsed,
        standfirst=fields.standfirst,
    )


def _html_extractor() -> tuple[str, Callable[[bytes, str], str]]:
    try:
        from dateline.extract.html import extract_html

        def run(html: bytes, url: str) -> str:
            try:
                return "\n".join(extract_html(html, url=url or None).paragraphs)
            except ExtractionError:
                return ""

        return "HTML mode (dateline extract_html)", run
    except Exception:  # not written yet, or broken while someone works on it
        import trafilatura

        def run_trafilatura(html: bytes, url: str) -> str:
            return trafilatura.extract(html, url=url or None, include_comments=False) or ""

        return "HTML mode (trafilatura.extract fallback)", run_trafilatura


def _html_worker(item: tuple[bytes, str]) -> str:
    _, run = _html_extractor()
    try:
        return run(*item)
    except Exception:
        return ""


# ---------------------------------------------------------------- scoring


@dataclass
class Scores:
    pages: int = 0
    word: list[tuple[float, float, float]] = field(default_factory=list)
    segments: SegmentCounts = field(default_factory=SegmentCounts)

    def word_prf(self) -> tuple[float, float, float]:
        return (
            mean(p for p, _, _ in self.word),
            mean(r for _, r, _ in self.word),
            mean(f for _, _, f in self.word),
        )


def score(scrapes: list[Scrape], bodies: list[str]) -> dict[str, Scores]:
    result = {"wcxb": Scores(), "trafilatura-eval": Scores()}
    for s, body in zip(scrapes, bodies, strict=True):
        scores = result[s.dataset]
        scores.pages += 1
        if s.dataset == "wcxb":
            scores.word.append(word_prf(body, s.gold_main or ""))
        else:
            scores.segments.add(body, s.with_segments, s.without_segments)
    return result


def _norm(text: str | None) -> str:
    return " ".join(words(text or ""))


def metadata_scores(scrapes: list[Scrape], runs: list[TextRun]) -> list[tuple[str, int, float]]:
    """Field accuracy where the gold has the field: title (word F1 ≥ 0.9), author (any gold name found), date (same day)."""
    title_hits: list[float] = []
    author_hits: list[float] = []
    date_hits: list[float] = []
    site_hits: list[float] = []
    for s, run in zip(scrapes, runs, strict=True):
        gold_title = s.gold.get("title")
        if gold_title:
            title_hits.append(1.0 if word_prf(run.title or "", gold_title)[2] >= 0.9 else 0.0)
        gold_author = s.gold.get("author")
        if isinstance(gold_author, list):
            gold_author = "; ".join(str(a) for a in gold_author)
        if gold_author:
            found = _norm(" ".join(run.authors))
            names = [_norm(n) for n in re.split(r";|,|\band\b|&|\|", gold_author) if _norm(n)]
            author_hits.append(1.0 if found and any(n in found or found in n for n in names) else 0.0)
        gold_date = s.gold.get("date")
        if gold_date:
            date_hits.append(1.0 if run.published and gold_date.startswith(run.published) else 0.0)
        gold_site = s.gold.get("sitename")
        if gold_site:
            site_hits.append(1.0 if run.outlet and _norm(run.outlet) == _norm(gold_site) else 0.0)
    return [
        ("title", len(title_hits), mean(title_hits)),
        ("author", len(author_hits), mean(author_hits)),
        ("date (day)", len(date_hits), mean(date_hits)),
        ("outlet (site name)", len(site_hits), mean(site_hits)),
    ]


# ---------------------------------------------------------------- training


def _overlap_labels(lines: list, reference: str) -> list[float]:
    """Share of each line's word trigrams found in ``reference`` (whole line match for 1–2 words)."""
    ref_words = words(reference)
    trigrams = {tuple(ref_words[i : i + 3]) for i in range(len(ref_words) - 2)}
    ref_lines = {" ".join(words(line)) for line in reference.split("\n")}
    joined = " " + " ".join(ref_words) + " "
    labels: list[float] = []
    for line in lines:
        tokens = words(line.text)
        if not tokens:
            labels.append(0.0)
        elif len(tokens) < 3:
            key = " ".join(tokens)
            labels.append(1.0 if key in ref_lines else (0.5 if f" {key} " in joined else 0.0))
        else:
            grams = [tuple(tokens[i : i + 3]) for i in range(len(tokens) - 2)]
            labels.append(sum(g in trigrams for g in grams) / len(grams))
    return labels


def _line_labels(scrape: Scrape, lines: list) -> list[float | None]:
    """Per-line target in [0, 1]: WCXB, overlap with the gold main content; trafilatura-eval,
    1/0 where a line holds a `with`/`without` segment, unknown (None) elsewhere."""
    if scrape.gold_main is not None:
        return list(_overlap_labels(lines, scrape.gold_main))
    space = re.compile(r"\s+")
    with_segments = [space.sub(" ", seg) for seg in scrape.with_segments]
    without_segments = [space.sub(" ", seg) for seg in scrape.without_segments]
    out: list[float | None] = []
    for line in lines:
        text = space.sub(" ", line.text)
        if any(seg and seg in text for seg in with_segments):
            out.append(1.0)
        elif any(seg and seg in text for seg in without_segments):
            out.append(0.0)
        else:
            out.append(None)
    return out


def _fit_logistic(
    rows: list[dict[str, float]], targets: list[float], weights: list[float], l2: float = 1.0
) -> dict[str, float]:
    import numpy as np

    names = sorted({name for row in rows for name in row})
    index = {name: i for i, name in enumerate(names)}
    x = np.zeros((len(rows), len(names)))
    for r, row in enumerate(rows):
        for name, value in row.items():
            x[r, index[name]] = value
    y = np.asarray(targets)
    sw = np.asarray(weights)
    sw = sw / sw.mean()
    theta = np.zeros(len(names))
    penalty = np.full(len(names), l2 / len(rows))
    penalty[index["bias"]] = 0.0
    # Prior knowledge as sign constraints: a chrome cue, a caption credit or corpus-wide repetition
    # can only count against a line, however the few training pages that have one happen to fall.
    negative = np.array([name.startswith(NEGATIVE_FEATURES) for name in names])
    for _ in range(40):  # projected Newton steps (IRLS)
        p = 1.0 / (1.0 + np.exp(-(x @ theta)))
        grad = x.T @ (sw * (p - y)) / len(rows) + penalty * theta
        hess = (x * (sw * p * (1 - p))[:, None]).T @ x / len(rows) + np.diag(penalty + 1e-9)
        step = np.linalg.solve(hess, grad)
        theta -= step
        theta[negative] = np.minimum(theta[negative], 0.0)
        if np.abs(step).max() < 1e-6:
            break
    return {name: round(float(theta[i]), 4) for name, i in index.items()}


def train(scrapes: list[Scrape]) -> dict[str, dict[str, float]]:
    repeated = repeated_by_dataset(scrapes)
    train_pages = [s for s in scrapes if s.split == "train"]
    pages = []
    for s in train_pages:
        lines = text_extractor.analyse_lines(s.text, repeated[s.dataset])
        if not lines:
            continue
        pages.append((s, lines, _line_labels(s, lines)))

    def dataset(extra: Callable[[list], list[dict[str, float]]] | None) -> tuple[list, list, list]:
        rows, ys, ws = [], [], []
        for s, lines, labels in pages:
            extras = extra(lines) if extra else [{} for _ in lines]
            # Each page weighs the same in total, and inside a page a line weighs by its length.
            # (trafilatura-eval scores segments, short or long alike, so there every line counts the same)
            if s.gold_main is None:
                line_weights = [1.0] * len(lines)
            else:
                line_weights = [1.0 + min(line.words, 60) / 10 for line in lines]
            total = sum(w for w, y in zip(line_weights, labels, strict=True) if y is not None) or 1.0
            share = 100 / total
            for line, y, w, e in zip(lines, labels, line_weights, extras, strict=True):
                if y is None:
                    continue
                rows.append({**line.features, **e})
                ys.append(1.0 if y >= 0.5 else 0.0)
                ws.append(w * share)
        return rows, ys, ws

    rows, ys, ws = dataset(None)
    passes = {"pass1": _fit_logistic(rows, ys, ws)}
    for level in range(2, PASSES + 1):
        fitted = dict(passes)

        def context(lines: list, fitted: dict[str, dict[str, float]] = fitted) -> list[dict[str, float]]:
            probs = [text_extractor._score(line.features, fitted["pass1"]) for line in lines]
            for k in range(2, len(fitted) + 1):
                table = fitted[f"pass{k}"]
                extras = text_extractor._context_features(lines, probs)
                probs = [
                    text_extractor._score({**line.features, **e}, table)
                    for line, e in zip(lines, extras, strict=True)
                ]
            return text_extractor._context_features(lines, probs)

        rows, ys, ws = dataset(context)
        passes[f"pass{level}"] = _fit_logistic(rows, ys, ws)
    return passes


def tune_decoder(scrapes: list[Scrape], weights: dict[str, dict[str, float]]) -> dict[str, float]:
    """Grid-search the decoder thresholds on the training pages (mean of WCXB word F1 and segment F1)."""
    repeated = repeated_by_dataset(scrapes)
    train_pages = [s for s in scrapes if s.split == "train"]
    _write_weights({**weights, "decoder": {}})
    prepared = [text_extractor._prepare(s.text, repeated[s.dataset]) for s in train_pages]
    best: tuple[float, dict[str, float]] | None = None
    grid = [
        (region, keep, switch)
        for region in (0.2, 0.3, 0.4)
        for keep in (0.3, 0.4, 0.5, 0.6)
        for switch in (0.0, 50.0, 150.0)
    ]
    for region, keep, switch in grid:
        if True:
            params = {
                "region_threshold": region,
                "keep_threshold": keep,
                "extra_region_gain": switch,
                "min_body_words": 12,
            }
            bodies = []
            for s, lines in zip(train_pages, prepared, strict=True):
                try:
                    fields = text_extractor._extract(lines, params, url=s.url or None, reference_date=None)
                    bodies.append("\n".join(fields.paragraphs))
                except ExtractionError:
                    bodies.append("")
            result = score(train_pages, bodies)
            value = (result["wcxb"].word_prf()[2] + result["trafilatura-eval"].segments.prf()[2]) / 2
            print(f"  region {region:.2f} keep {keep:.2f} extra {switch:.0f}: {value:.4f}")
            if best is None or value > best[0]:
                best = (value, params)
    assert best is not None
    return best[1]


def _write_weights(data: dict[str, dict[str, float]]) -> None:
    payload: dict[str, object] = {
        "about": "Line-model weights for dateline.extract.text, fitted by `python -m bench.text_scrapes --train` "
        "on the train half of the benchmark pages. Numbers only.",
        **data,
    }
    text_extractor.WEIGHTS_PATH.write_text(
        json.dumps(payload, indent=1, sort_keys=False) + "\n", encoding="utf-8"
    )
    text_extractor._weights.cache_clear()


# ---------------------------------------------------------------- main


def _targets_note(text_scores: dict[str, Scores], html_scores: dict[str, Scores] | None) -> str:
    wcxb_f1 = text_scores["wcxb"].word_prf()[2]
    notes = [f"WCXB word F1 ≥ 0.90: {'met' if wcxb_f1 >= 0.90 else 'not met'} ({wcxb_f1:.3f})"]
    if html_scores:
        for name, label in (("wcxb", "WCXB"), ("trafilatura-eval", "trafilatura-eval")):
            if name == "wcxb":
                gap = wcxb_f1 - html_scores[name].word_prf()[2]
            else:
                gap = text_scores[name].segments.prf()[2] - html_scores[name].segments.prf()[2]
            notes.append(
                f"within 0.03 of HTML mode on {label}: {'met' if gap >= -0.03 else 'not met'} ({gap:+.3f})"
            )
    return "Targets: " + "; ".join(notes) + "."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--limit", type=int, default=None, help="pages per dataset")
    parser.add_argument("--split", choices=("test", "train", "all"), default="test")
    parser.add_argument("--no-html", action="store_true", help="skip the HTML-mode comparison")
    parser.add_argument("--no-record", action="store_true", help="do not write BENCHMARKS.md")
    parser.add_argument(
        "--train", action="store_true", help="refit the line-model weights on the train split"
    )
    args = parser.parse_args(argv)

    if args.train:
        scrapes = load_scrapes(split="all")
        print(f"fitting on {sum(s.split == 'train' for s in scrapes)} train pages")
        weights = train(scrapes)
        _write_weights(
            {**weights, "decoder": {"region_threshold": 0.4, "keep_threshold": 0.4, "min_body_words": 12}}
        )
        params = tune_decoder(scrapes, weights)
        _write_weights({**weights, "decoder": params})
        print(f"wrote {text_extractor.WEIGHTS_PATH} with decoder {params}")
        return

    started = time.perf_counter()
    every = load_scrapes(split="all")
    # Corpus repetition is counted over every page of the set, whatever the split: the store sees them all.
    repeated = repeated_by_dataset(every)
    scrapes = [s for s in every if args.split == "all" or s.split == args.split]
    if args.limit:
        scrapes = [
            s
            for name in ("wcxb", "trafilatura-eval")
            for s in [x for x in scrapes if x.dataset == name][: args.limit]
        ]
    runs = [run_text(s, repeated[s.dataset]) for s in scrapes]
    text_scores = score(scrapes, [r.body for r in runs])
    with_standfirst = score(scrapes, [f"{r.standfirst}\n{r.body}" if r.standfirst else r.body for r in runs])

    html_label, html_scores = "HTML mode", None
    if not args.no_html:
        html_label, _ = _html_extractor()
        with ProcessPoolExecutor(2) as pool:
            html_bodies = list(pool.map(_html_worker, [(s.html, s.url) for s in scrapes], chunksize=8))
        html_scores = score(scrapes, html_bodies)

    rows = []
    for name, label in (
        ("wcxb", "WCXB dev articles: word P / R / F1 (macro)"),
        ("trafilatura-eval", "trafilatura-eval: segment P / R / F"),
    ):
        text_prf = text_scores[name].word_prf() if name == "wcxb" else text_scores[name].segments.prf()
        standfirst_f = (
            with_standfirst[name].word_prf()[2] if name == "wcxb" else with_standfirst[name].segments.prf()[2]
        )
        row: list[object] = [label, text_scores[name].pages, *text_prf, standfirst_f]
        if html_scores:
            html_prf = html_scores[name].word_prf() if name == "wcxb" else html_scores[name].segments.prf()
            row += [*html_prf, text_prf[2] - html_prf[2]]
        rows.append(row)
    headers = [
        "set (split: " + args.split + ")",
        "pages",
        "text P",
        "text R",
        "text F1",
        "text F1 +standfirst",
    ]
    if html_scores:
        headers += ["html P", "html R", "html F1", "text − html F1"]
    table = markdown_table(headers, rows)

    meta_rows = metadata_scores(scrapes, runs)
    meta_table = markdown_table(["field (text mode)", "pages with gold", "accuracy"], meta_rows)

    times = sorted(r.seconds for r in runs)
    failures = sum(1 for r in runs if r.error)
    timing = (
        f"Extraction time per page (text mode, one core): median {statistics.median(times) * 1000:.2f} ms, "
        f"mean {statistics.fmean(times) * 1000:.2f} ms, p95 {times[int(len(times) * 0.95) - 1] * 1000:.2f} ms; "
        f"ExtractionError on {failures} of {len(runs)} pages (scored as empty output)."
    )
    print(table)
    print()
    print(meta_table)
    print()
    print(timing)
    print(f"({time.perf_counter() - started:.0f} s)")

    if not args.no_record:
        limit_note = f" --limit {args.limit}" if args.limit else ""
        split_note = f" --split {args.split}" if args.split != "test" else ""
        body = "\n\n".join(
            [
                f"Command: `{COMMAND}{limit_note}{split_note}` — {date.today().isoformat()}.",
                "Pages of ../shared/data/extraction rendered to plain text with their chrome "
                "(`bench/render_text.py`: select-all/copy style, a third of the pages with markdown image lines), "
                "then `extract_text_scrape` (title excluded; body = paragraphs joined). "
                f"Split: **{args.split}** half of a fixed hash split of page ids; the line-model weights "
                "(`src/dateline/extract/text_weights.json`) were fitted on the *train* half only"
                + (", so these are held-out numbers." if args.split == "test" else ".")
                + f" `repeated_lines` = line keys seen in ≥ {MIN_DOCS_REPEATED} pages of the same set (both halves, no labels)."
                + f" HTML columns: {html_label} on the same pages."
                + ' "+standfirst" also scores the standfirst, which the text extractor keeps apart from the paragraphs.',
                table,
                _targets_note(text_scores, html_scores),
                "Fields (text mode, same pages, where the set has gold): title = word F1 ≥ 0.9 with the gold "
                "title; author = a gold name found among the authors; date = same day as the gold date "
                "(dates stated only in the URL are left to the URL stage and count as misses here); outlet = "
                "same site name.",
                meta_table,
                timing,
            ]
        )
        record_section("Text scrapes", body)


if __name__ == "__main__":
    main()
