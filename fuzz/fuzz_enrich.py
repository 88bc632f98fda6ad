"""Fuzz target: the enrichment stage (sentences, entities, quotes, figures, dates, events).

``run_enrichment`` must never fail on any text: every span it reports lies inside the text
and matches the words it quotes. Seeds are the bundled examples' texts.
"""

from __future__ import annotations

from datetime import UTC, datetime

from _harness import ROOT, instrumented, run

with instrumented():
    from dateline.models import Article, DateOrigin, DatePrecision, Enrichment, SourceFormat
    from dateline.pipeline import run_enrichment

_PUBLISHED = datetime(2025, 11, 30, 9, 0, tzinfo=UTC)


def _article(text: str, language: str) -> Article:
    return Article(
        id="fuzz",
        source="fuzz",
        url=None,
        outlet=None,
        via=None,
        title=None,
        authors=(),
        section=None,
        standfirst=None,
        published_at=_PUBLISHED,
        published_precision=DatePrecision.DAY,
        published_origin=DateOrigin.USER,
        language=language,
        paragraphs=tuple(p for p in text.split("\n\n") if p.strip()),
        captions=(),
        source_format=SourceFormat.TEXT,
        ingested_at=_PUBLISHED,
        identity="fuzz",
    )


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    for language in ("en", "de"):
        article = _article(text, language)
        result = run_enrichment(article)
        assert isinstance(result, Enrichment), result.message
        body = article.text
        for sentence in result.sentences:
            assert body[sentence.start : sentence.end] == sentence.text
        for quote in result.quotes:
            assert body[quote.start : quote.end] == quote.text
        for item in (*result.figures, *result.dates, *result.mentions):
            assert 0 <= item.start <= item.end <= len(body)
            assert body[item.start : item.end] == item.text


def _seeds() -> list[bytes]:
    folders = [ROOT / "examples" / "scrapes"]
    return [path.read_bytes() for folder in folders for path in sorted(folder.rglob("*")) if path.is_file()]


if __name__ == "__main__":
    run(test_one_input, _seeds())
