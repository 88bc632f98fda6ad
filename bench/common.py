"""Shared helpers for the benchmarks: where the evaluation data is, how to unpack it, how to score.

The data lives in ``../shared/data`` (or ``$DATELINE_DATA``) and is read by path, never copied
into the repository. Archives are unpacked once into ``bench/.cache`` (git-ignored).
"""

from __future__ import annotations

import ast
import gzip
import json
import os
import re
import tarfile
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from dateline.models import Article

REPO_ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = REPO_ROOT / "bench" / ".cache"
BENCHMARKS_MD = REPO_ROOT / "BENCHMARKS.md"


def data_root() -> Path:
    return Path(os.environ.get("DATELINE_DATA", REPO_ROOT.parent / "shared" / "data")).resolve()


def require_data(*parts: str) -> Path:
    path = data_root().joinpath(*parts)
    if not path.exists():
        raise SystemExit(
            f"evaluation data not found: {path} (set DATELINE_DATA or see ../shared/data/README.md)"
        )
    return path


def unpack(archive: Path, name: str) -> Path:
    """Unpack a tar.xz once into bench/.cache/NAME and return that folder."""
    target = CACHE_DIR / name
    marker = target / ".unpacked"
    if not marker.exists():
        target.mkdir(parents=True, exist_ok=True)
        with tarfile.open(archive) as tar:
            tar.extractall(target, filter="data")
        marker.touch()
    return target


# ---------------------------------------------------------------- datasets


@dataclass(frozen=True)
class TrafilaturaEvalPage:
    url: str
    path: Path
    with_segments: tuple[str, ...]
    without_segments: tuple[str, ...]
    gold: dict[str, str | None]  # title, author, date, sitename where the set has them


def trafilatura_eval_pages() -> list[TrafilaturaEvalPage]:
    base = require_data("extraction", "trafilatura-eval")
    root = unpack(base / "html_pages.tar.xz", "trafilatura-eval")
    evaldata = json.loads((base / "evaldata.json").read_text())
    pages = []
    for url, item in evaldata.items():
        path = None
        for folder in ("tests/eval", "tests/cache"):
            candidate = root / folder / item["file"]
            if candidate.exists():
                path = candidate
                break
        if path is None:
            continue
        gold = {key: item.get(key) for key in ("title", "author", "date", "sitename")}
        pages.append(
            TrafilaturaEvalPage(
                url, path, tuple(item.get("with") or ()), tuple(item.get("without") or ()), gold
            )
        )
    return pages


@dataclass(frozen=True)
class WcxbPage:
    file_id: str
    url: str
    path: Path  # gzipped HTML
    page_type: str
    domain: str
    title: str | None
    author: str | None
    publish_date: str | None
    main_content: str
    with_segments: tuple[str, ...]
    without_segments: tuple[str, ...]

    def html(self) -> bytes:
        return gzip.decompress(self.path.read_bytes())


def _as_dict(value: object) -> dict:
    if isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return ast.literal_eval(value)
    return {}


def wcxb_pages(page_type: str | None = "article") -> list[WcxbPage]:
    base = require_data("extraction", "wcxb-dev")
    root = unpack(base / "dev_article_ground_truth.tar.xz", "wcxb-dev")
    meta = json.loads((base / "metadata.json").read_text())["files"]
    pages = []
    for gt_path in sorted((root / "dev" / "ground-truth").glob("*.json")):
        record = json.loads(gt_path.read_text())
        file_id = record.get("file_id") or gt_path.stem
        info = meta.get(file_id, {})
        if page_type and info.get("page_type", "article") != page_type:
            continue
        html_path = base / "html" / f"{file_id}.html.gz"
        if not html_path.exists():
            continue
        truth = _as_dict(record.get("ground_truth"))
        pages.append(
            WcxbPage(
                file_id=file_id,
                url=record.get("url") or "",
                path=html_path,
                page_type=info.get("page_type", ""),
                domain=info.get("domain", ""),
                title=truth.get("title"),
                author=truth.get("author"),
                publish_date=truth.get("publish_date"),
                main_content=truth.get("main_content") or "",
                with_segments=tuple(truth.get("with") or ()),
                without_segments=tuple(truth.get("without") or ()),
            )
        )
    return pages


@dataclass(frozen=True)
class DatePage:
    url: str
    path: Path
    date: str


def htmldate_pages() -> list[DatePage]:
    base = require_data("dates", "htmldate-default")
    root = unpack(base / "html_pages.tar.xz", "htmldate-default")
    evaldata = json.loads((base / "eval_default.json").read_text())
    pages = []
    for url, item in evaldata.items():
        for folder in ("tests/cache", "tests/test_set", "tests/eval"):
            candidate = root / folder / item["file"]
            if candidate.exists():
                pages.append(DatePage(url, candidate, item["date"]))
                break
    return pages


def read_html(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if data[:2] == b"\x1f\x8b" else data


# ---------------------------------------------------------------- metrics

_WORD = re.compile(r"\w+", re.UNICODE)
_SPACE = re.compile(r"\s+")


def words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def word_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Bag-of-words precision, recall and F1 (the WCXB main-content metric)."""
    pred, ref = Counter(words(predicted)), Counter(words(gold))
    if not pred and not ref:
        return 1.0, 1.0, 1.0
    overlap = sum((pred & ref).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(ref.values()) if ref else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


@dataclass
class SegmentCounts:
    """trafilatura-eval scoring: a `with` segment found is TP, missing FN; a `without` found is FP."""

    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0

    def add(self, output: str, with_segments: Iterable[str], without_segments: Iterable[str]) -> None:
        haystack = _SPACE.sub(" ", output)
        for segment in with_segments:
            if _SPACE.sub(" ", segment) in haystack:
                self.tp += 1
            else:
                self.fn += 1
        for segment in without_segments:
            if _SPACE.sub(" ", segment) in haystack:
                self.fp += 1
            else:
                self.tn += 1

    def prf(self) -> tuple[float, float, float]:
        precision = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        recall = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


def mean(values: Iterable[float]) -> float:
    items = list(values)
    return sum(items) / len(items) if items else 0.0


# ---------------------------------------------------------------- reporting


def markdown_table(headers: list[str], rows: Iterable[Iterable[object]]) -> str:
    def cell(value: object) -> str:
        return f"{value:.3f}" if isinstance(value, float) else str(value)

    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def record_section(section: str, body: str) -> None:
    """Replace (or append) the `## SECTION` block of BENCHMARKS.md with BODY, keeping the others."""
    header = f"## {section}"
    text = BENCHMARKS_MD.read_text() if BENCHMARKS_MD.exists() else "# Benchmarks\n"
    blocks = re.split(r"(?m)^(?=## )", text)
    new_block = f"{header}\n\n{body.strip()}\n\n"
    for index, block in enumerate(blocks):
        if block.startswith(header + "\n"):
            blocks[index] = new_block
            break
    else:
        if not blocks[-1].endswith("\n\n"):
            blocks[-1] = blocks[-1].rstrip("\n") + "\n\n"
        blocks.append(new_block)
    BENCHMARKS_MD.write_text("".join(blocks).rstrip("\n") + "\n")


def record_article(
    record_id: str,
    text: str,
    *,
    language: str,
    title: str | None = None,
    url: str | None = None,
    outlet: str | None = None,
    published: date | None = None,
) -> Article:
    """A data set's already-clean record (one paragraph per line) as an Article, the way ingest reads a
    JSONL record: ``dateline.extract.article.article_from_parts``."""
    from datetime import UTC, datetime

    from dateline.extract.article import article_from_parts
    from dateline.models import DateOrigin, DatePrecision, DocumentHints, PublishedDate, RawDocument

    hints = DocumentHints(
        url=url,
        outlet=outlet,
        title=title,
        language=language,
        published=PublishedDate(
            datetime(published.year, published.month, published.day, tzinfo=UTC),
            DatePrecision.DAY,
            DateOrigin.INPUT,
        )
        if published
        else PublishedDate(),
    )
    raw = RawDocument(source=url or record_id, content=text.encode("utf-8"), identity=record_id)
    paragraphs = tuple(p.strip() for p in text.split("\n") if p.strip())
    return article_from_parts(raw, hints, paragraphs, (), ingested_at=datetime.now(UTC))


def iter_limited(items: list, limit: int | None) -> Iterator:
    yield from (items[:limit] if limit else items)


def dated_article(
    article_id: str,
    source: str,
    paragraphs: tuple[str, ...],
    published: date,
    *,
    extractor: str,
    outlet: str | None = None,
    url: str | None = None,
) -> Article:
    """An untitled English article read from a dataset record, published (and ingested) at noon of its day."""
    from datetime import datetime

    from dateline.models import Article, DateOrigin, DatePrecision, SourceFormat

    noon = datetime(published.year, published.month, published.day, 12)
    return Article(
        id=article_id,
        source=source,
        url=url,
        outlet=outlet,
        via=None,
        title=None,
        authors=(),
        section=None,
        standfirst=None,
        published_at=noon,
        published_precision=DatePrecision.DAY,
        published_origin=DateOrigin.INPUT,
        language="en",
        paragraphs=paragraphs,
        captions=(),
        source_format=SourceFormat.JSONL,
        ingested_at=noon,
        identity=article_id,
        extractor=extractor,
    )
