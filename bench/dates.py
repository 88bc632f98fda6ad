"""Publication dates of HTML pages: ours against htmldate, in the same run, on htmldate's own test set.

    .venv/bin/python -m bench.dates [--limit N] [--no-record]

Day-level scoring (as in htmldate's evaluation): the right day is a true positive, a wrong
day a false positive, no date a false negative; accuracy = TP / all pages. Every system gets
the same bytes and the page's URL. Writes the "Publication dates" section of BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from htmldate import find_date

from bench.common import htmldate_pages, iter_limited, markdown_table, read_html, record_section
from dateline.extract.published import published_from_html

logging.disable(logging.WARNING)


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    seconds: float = 0.0
    by_origin: Counter[str] = field(default_factory=Counter)
    right_by_origin: Counter[str] = field(default_factory=Counter)

    def add(self, found: str | None, gold: str, seconds: float, origin: str | None = None) -> None:
        self.seconds += seconds
        if found is None:
            self.fn += 1
        elif found == gold:
            self.tp += 1
        else:
            self.fp += 1
        if origin is not None:
            self.by_origin[origin] += 1
            self.right_by_origin[origin] += found == gold

    @property
    def total(self) -> int:
        return self.tp + self.fp + self.fn

    @property
    def accuracy(self) -> float:
        return self.tp / self.total if self.total else 0.0

    def row(self, name: str) -> list[object]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        accuracy = self.tp / self.total if self.total else 0.0
        ms = 1000 * self.seconds / self.total if self.total else 0.0
        return [name, accuracy, self.tp, self.fp, self.fn, precision, recall, f1, f"{ms:.1f}"]


def _ours(html: bytes, url: str) -> tuple[str | None, str | None]:
    published = published_from_html(html, url=url)
    if published.value is None:
        return None, str(published.origin)
    return published.value.date().isoformat(), str(published.origin)


def _htmldate(
    *, extensive: bool = True, original: bool = False
) -> Callable[[bytes, str], tuple[str | None, str | None]]:
    def run(html: bytes, url: str) -> tuple[str | None, str | None]:
        return find_date(html, url=url, extensive_search=extensive, original_date=original), None

    return run


SYSTEMS: dict[str, Callable[[bytes, str], tuple[str | None, str | None]]] = {
    "dateline (published_from_html)": _ours,
    "htmldate find_date defaults (extensive, latest date)": _htmldate(),
    "htmldate extensive, original_date=True": _htmldate(extensive=True, original=True),
    "htmldate fast (extensive_search=False)": _htmldate(extensive=False),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=None, help="only the first N pages")
    parser.add_argument("--no-record", action="store_true", help="print, do not write BENCHMARKS.md")
    args = parser.parse_args(argv)

    pages = list(iter_limited(htmldate_pages(), args.limit))
    scores = {name: Score() for name in SYSTEMS}
    # dateparser compiles its locale tables on first use (seconds): pay that before timing anyone
    for page in pages[:20]:
        for system in SYSTEMS.values():
            system(read_html(page.path), page.url)
    for page in pages:
        html = read_html(page.path)
        for name, system in SYSTEMS.items():
            started = time.perf_counter()
            found, origin = system(html, page.url)
            scores[name].add(found, page.date, time.perf_counter() - started, origin)

    headers = ["system", "accuracy", "TP", "FP", "FN", "precision", "recall", "F1", "ms/page"]
    table = markdown_table(headers, [score.row(name) for name, score in scores.items()])
    ours = scores["dateline (published_from_html)"]
    origin_rows = [
        [origin, count, ours.right_by_origin[origin], ours.right_by_origin[origin] / count if count else 0.0]
        for origin, count in ours.by_origin.most_common()
    ]
    origin_table = markdown_table(["our date's origin", "pages", "right day", "share right"], origin_rows)
    best_htmldate = max(
        (score.accuracy for name, score in scores.items() if name.startswith("htmldate")), default=0.0
    )
    verdict = "at or above" if ours.accuracy >= best_htmldate else "BELOW"
    best_tp = max(score.tp for name, score in scores.items() if name.startswith("htmldate"))
    body = f"""Command: `.venv/bin/python -m bench.dates{f" --limit {args.limit}" if args.limit else ""}` \
(run {date.today().isoformat()}, {len(pages)} pages of `dates/htmldate-default`).

Day-level: the right day = TP, a wrong day = FP, no date = FN; accuracy = TP / all pages.
Every system gets the same bytes and the page URL; ms/page includes parsing, after a warm-up\nof 20 pages (dateparser compiles its locale tables on first use).

{table}

Ours is {verdict} the best htmldate setting on this set ({ours.tp - best_tp:+d} pages). Notes: this is
htmldate's own evaluation set, so htmldate is a strong baseline here; ours calls htmldate itself
(extensive search, original date: extensive was measured at 0.911 against 0.873 without it) only
when the page declares no publication date and its URL names no day. Our ms/page includes our own
decoding and parsing (about 2 ms); inside `extract_html` the tree is shared, so the date costs
about 2 ms more on top of extraction. Where our dates came from:

{origin_table}
"""
    print(body)
    if not args.no_record:
        record_section("Publication dates", body)


if __name__ == "__main__":
    main()
