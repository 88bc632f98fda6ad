"""Fuzz target: the extraction stage (decode, HTML or text-scrape extraction, language, fingerprints).

``run_extraction`` must never raise: every input becomes an article or a recorded problem.
Seeds are the hand-made pages in tests/fixtures/html and tests/fixtures/text and the examples.
"""

from __future__ import annotations

from datetime import UTC, datetime

from _harness import ROOT, instrumented, run

with instrumented():
    from dateline.extract.article import ExtractionOptions
    from dateline.models import RawDocument, SourceFormat
    from dateline.pipeline import ExtractionTask, run_extraction

_NOW = datetime(2025, 12, 1, tzinfo=UTC)
_OPTIONS = ExtractionOptions(max_bytes=1 << 20, repeated_lines=frozenset({"home", "sign up"}))


def test_one_input(data: bytes) -> None:
    raw = RawDocument(source="https://fuzz.example/page", content=data, fetched_at=_NOW)
    for source_format in (SourceFormat.HTML, SourceFormat.TEXT):
        result = run_extraction(ExtractionTask(raw, source_format, _OPTIONS, _NOW))
        assert (result.article is None) != (result.problem is None)
        if result.problem is not None:
            assert not result.problem.message.startswith("unexpected"), result.problem.message


def _seeds() -> list[bytes]:
    folders = [ROOT / "tests" / "fixtures" / "html", ROOT / "tests" / "fixtures" / "text", ROOT / "examples"]
    return [path.read_bytes() for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()]


if __name__ == "__main__":
    run(test_one_input, _seeds())
