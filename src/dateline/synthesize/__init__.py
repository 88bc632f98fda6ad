"""Synthesis: what a story says, when, who said what, which numbers, and who reported it.

Pure functions over a story's articles (in stream order) and their enrichments; nothing here
touches the store. Every line shown is taken from an article and cites it (``faithful`` checks
that); nothing is generated that the sources do not say.

- ``summary``: the title and 3-7 cited sentences chosen for centrality, coverage and recency.
- ``timeline``: dated events clustered across articles, ranked, in date order.
- ``ledgers``: quotes by speaker, merged across outlets; figures by what they count.
- ``coverage``: outlets, first report, volume over time, what each article adds, claims x outlets.
- ``delta``: what changed since a given time.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence

from dateline.models import (
    Article,
    Enrichment,
    EntityType,
    QuoteEntry,
    StoryEntity,
    StorySynthesis,
)
from dateline.synthesize.coverage import story_coverage
from dateline.synthesize.ledgers import figure_ledger, quote_ledger
from dateline.synthesize.summary import choose_title, summarize
from dateline.synthesize.timeline import build_timeline
from dateline.synthesize.units import article_passages

SYNTHESIS_VERSION = "synthesis.v1"

# A big story carries a thousand quotes; the ledger keeps the most reported ones (known speakers first).
MAX_STORY_QUOTES = 100
# The entity list shows the story's cast, not every place named once in passing.
MAX_STORY_ENTITIES = 30


def synthesize_story(
    story_id: str,
    articles: Sequence[Article],
    enrichments: Mapping[str, Enrichment],
) -> StorySynthesis:
    """The synthesis of one story (or thread) from its articles, in the order they joined it."""
    passages = {
        article.id: article_passages(article, enrichments.get(article.id), include_title=True)
        for article in articles
    }
    summary = summarize(articles, passages)
    title, title_citation = choose_title(articles, passages, summary)
    return StorySynthesis(
        story_id=story_id,
        title=title,
        title_citation=title_citation,
        summary=summary,
        timeline=build_timeline(articles, enrichments),
        quotes=_most_reported(quote_ledger(articles, enrichments), MAX_STORY_QUOTES),
        figures=figure_ledger(articles, enrichments),
        coverage=story_coverage(articles, enrichments, passages, summary),
        entities=story_entities(articles, enrichments),
        article_count=len(articles),
        members_hash=members_hash(articles, enrichments),
        version=SYNTHESIS_VERSION,
    )


def _most_reported(quotes: Sequence[QuoteEntry], limit: int) -> tuple[QuoteEntry, ...]:
    """The LIMIT quotes carried by the most articles, in the ledger's own order (by speaker, then time)."""
    if len(quotes) <= limit:
        return tuple(quotes)
    ranked = sorted(
        range(len(quotes)), key=lambda i: (-len(quotes[i].citations), quotes[i].speaker is None, i)
    )
    keep = set(ranked[:limit])
    return tuple(quote for i, quote in enumerate(quotes) if i in keep)


def members_hash(articles: Sequence[Article], enrichments: Mapping[str, Enrichment]) -> str:
    """Changes when an article joins or leaves, is re-extracted or re-enriched: a stored synthesis is stale."""
    digest = hashlib.sha256(SYNTHESIS_VERSION.encode())
    for article in sorted(articles, key=lambda a: a.id):
        enrichment = enrichments.get(article.id)
        digest.update(
            f"{article.id}\x1f{enrichment.version if enrichment else ''}\x1f{article.title}\x1f".encode()
        )
        digest.update(article.text.encode())
        digest.update(b"\x1e")
    return digest.hexdigest()[:16]


def story_entities(
    articles: Sequence[Article], enrichments: Mapping[str, Enrichment]
) -> tuple[StoryEntity, ...]:
    """The people, organisations and places the story's articles name, the most widely covered first."""
    names: dict[str, tuple[str, EntityType]] = {}
    article_counts: dict[str, int] = {}
    mention_counts: dict[str, int] = {}
    for article in articles:
        enrichment = enrichments.get(article.id)
        if enrichment is None or article.duplicate_of:
            continue  # a syndicated copy would count its original's entities twice
        for entity in enrichment.entities:
            known = names.get(entity.key)
            # The fullest name any article gives.
            if known is None or len(entity.name) > len(known[0]):
                names[entity.key] = (entity.name, entity.type)
            article_counts[entity.key] = article_counts.get(entity.key, 0) + 1
            mention_counts[entity.key] = mention_counts.get(entity.key, 0) + max(1, entity.mention_count)
    ranked = sorted(names, key=lambda key: (-article_counts[key], -mention_counts[key], names[key][0]))
    return tuple(
        StoryEntity(key, names[key][0], names[key][1], article_counts[key], mention_counts[key])
        for key in ranked[:MAX_STORY_ENTITIES]
    )
