"""Enrich one article: run the enrichment stages in order over its text.

``enrich_article`` is pure (an Article in, an Enrichment out) so it runs unchanged in a
worker process, a test or a Spark task. ``with_canonical_entities`` rewrites an
enrichment's entity keys once the store has linked them to its canonical entities.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from spacy.tokens import Doc

from dateline.enrich.entities import find_entities
from dateline.enrich.events import find_dated_events
from dateline.enrich.figures import find_figures
from dateline.enrich.nlp import load_pipeline, model_name
from dateline.enrich.quotes import find_quotes
from dateline.enrich.sentences import split_sentences
from dateline.enrich.temporal import find_temporal_expressions
from dateline.models import Article, Enrichment, Entity, Sentence

# Bump when any stage changes its output: stored enrichments of another version are redone.
ENRICH_VERSION = "enrich.v1"

# The statistical model runs over at most this much text (about 16,000 words, ~1 s): longer texts
# (a 100,000-word dump) get entities and quotes for their opening part only, and a note says so.
# Sentences, dates and figures are rules and cover the whole text.
MAX_MODEL_CHARS = 100_000


# Documents handed to the model together: batches of 16 ran 5-8% more words per second than one call
# per document, and larger batches were slower (Wikinews, en_core_web_sm, 2-core machine).
MODEL_BATCH_SIZE = 16


def enrich_article(article: Article) -> Enrichment:
    """Sentences, entities, quotes, figures, dates and dated events of one article."""
    return enrich_articles([article])[0]


def enrich_articles(articles: Sequence[Article]) -> list[Enrichment]:
    """``enrich_article`` over several articles, with one batched model pass per language."""
    prepared = [_prepare(article) for article in articles]
    docs: list[Doc | None] = [None] * len(prepared)
    by_language: dict[str, list[int]] = {}
    for index, item in enumerate(prepared):
        if item.model_text is not None and item.language is not None:
            by_language.setdefault(item.language, []).append(index)
    for language, indexes in by_language.items():
        nlp = load_pipeline(language)
        assert nlp is not None
        chunked = [_model_chunks(prepared[i].model_text or "") for i in indexes]
        parsed = iter(nlp.pipe((c for chunks in chunked for c in chunks), batch_size=MODEL_BATCH_SIZE))
        for index, chunks in zip(indexes, chunked, strict=True):
            parts = [next(parsed) for _ in chunks]
            docs[index] = parts[0] if len(parts) == 1 else Doc.from_docs(parts, ensure_whitespace=False)
    return [_enrich_prepared(item, doc) for item, doc in zip(prepared, docs, strict=True)]


# The model reads long texts in pieces of about this many characters, cut between paragraphs: its
# working memory grows with the length of one piece (a 100,000-character text in one call peaked at
# 600 MB, in 5,000-character pieces it stays near the model's own 160 MB), and an entity never spans
# a paragraph break.
MODEL_CHUNK_CHARS = 5_000


def _model_chunks(text: str) -> list[str]:
    """TEXT cut after paragraph breaks into pieces of about MODEL_CHUNK_CHARS; joined, they are TEXT."""
    if len(text) <= MODEL_CHUNK_CHARS:
        return [text]
    chunks = []
    start = 0
    while len(text) - start > MODEL_CHUNK_CHARS:
        cut = text.find("\n\n", start + MODEL_CHUNK_CHARS // 2)
        if cut < 0:
            break
        cut += 2
        chunks.append(text[start:cut])
        start = cut
    chunks.append(text[start:])
    return chunks


@dataclass(frozen=True, slots=True)
class _Prepared:
    article: Article
    language: str | None
    sentences: tuple[Sentence, ...]
    model_text: str | None  # what the model reads; None when there is no model or no text
    notes: tuple[str, ...]


def _prepare(article: Article) -> _Prepared:
    text = article.text
    language = (article.language or "").split("-")[0].lower() or None
    notes: list[str] = []
    sentences = split_sentences(article.paragraphs, language)
    model_text = None
    if load_pipeline(language) is None:
        notes.append(
            f"no shipped NER model for language {language or 'unknown'}: "
            "entities and quotes not extracted (sentences, dates and figures only)"
        )
    elif text.strip():
        model_text = text
        if len(text) > MAX_MODEL_CHARS:
            cut = text.rfind("\n\n", 0, MAX_MODEL_CHARS)
            model_text = text[: cut if cut > 0 else MAX_MODEL_CHARS]
            notes.append(
                f"text of {len(text):,} characters: entities and quotes cover the first {len(model_text):,}"
            )
    if article.published_at is None:
        notes.append("no publication date: relative dates kept unresolved")
    return _Prepared(article, language, sentences, model_text, tuple(notes))


def _enrich_prepared(item: _Prepared, doc: Doc | None) -> Enrichment:
    article, language, sentences = item.article, item.language, item.sentences
    text = article.text
    if doc is not None and item.model_text is not None:
        covered = len(item.model_text)
        model_sentences = tuple(s for s in sentences if s.end <= covered)
        entities, mentions = find_entities(item.model_text, model_sentences, doc, language)
        quotes = find_quotes(item.model_text, model_sentences, entities, mentions, doc, language)
    else:
        entities, mentions, quotes = (), (), ()
    figures = find_figures(text, sentences, doc, language)
    published = article.published_at
    dates = find_temporal_expressions(text, sentences, published, language)
    events = find_dated_events(sentences, dates, mentions, figures, published)
    return Enrichment(
        article_id=article.id,
        version=ENRICH_VERSION,
        language=language,
        model=model_name(language),
        sentences=sentences,
        entities=entities,
        mentions=mentions,
        quotes=quotes,
        figures=figures,
        dates=dates,
        events=events,
        notes=item.notes,
    )


def with_canonical_entities(enrichment: Enrichment, canonical: Mapping[str, Entity]) -> Enrichment:
    """The same facts with every in-article entity key replaced by its canonical entity in the store.

    CANONICAL maps an in-article ``Entity.key`` to the store's entity it was linked to; keys
    not in it are kept (the entity is new to the store and keeps its own key).
    """

    def key(value: str) -> str:
        linked = canonical.get(value)
        return linked.key if linked is not None else value

    entities: dict[str, Entity] = {}
    for entity in enrichment.entities:
        linked = canonical.get(entity.key, entity)
        entities.setdefault(linked.key, replace(linked, mention_count=0))
    for mention in enrichment.mentions:
        target = key(mention.entity)
        if target in entities:
            entities[target] = replace(entities[target], mention_count=entities[target].mention_count + 1)
    return replace(
        enrichment,
        entities=tuple(entities.values()),
        mentions=tuple(replace(m, entity=key(m.entity)) for m in enrichment.mentions),
        quotes=tuple(
            replace(
                q,
                speaker_entity=key(q.speaker_entity),
                speaker=canonical[q.speaker_entity].name if q.speaker_entity in canonical else q.speaker,
            )
            if q.speaker_entity
            else q
            for q in enrichment.quotes
        ),
        events=tuple(
            replace(e, actors=tuple(dict.fromkeys(key(a) for a in e.actors))) for e in enrichment.events
        ),
    )


def enriched_article_dict(article: Article, enrichment: Enrichment) -> dict[str, Any]:
    """`dateline extract` JSON: the article contract followed by its facts (README: Output contract)."""
    data = article.to_dict()
    facts = enrichment.to_dict()
    data["enrichment"] = {
        "version": facts["version"],
        "model": facts["model"],
        "notes": facts["notes"],
    }
    for field in ("sentences", "entities", "mentions", "quotes", "figures", "dates", "events"):
        data[field] = facts[field]
    return data
