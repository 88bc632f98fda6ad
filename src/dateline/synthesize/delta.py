"""What changed in a story since a given moment: the reader's "what's new since I last looked".

"New" means first ingested by Dateline after that moment, not published after it: an article
backfilled today about last week is news to someone who looked yesterday, and a wire story
published before the reader looked but fetched after is too. The synthesis records carry
``first_seen`` (min ``Article.ingested_at`` of the articles reporting an entry); outlets and
articles do not, so ``changes_since`` also takes the story's articles, whose ingest times and
outlets say when each outlet first appeared. A mapping of article id to ingest time would not be
enough: an outlet is new only when *none* of its articles arrived before, and which articles are
an outlet's is on the articles, not in the synthesis.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from dateline.models import Article, Citation, FigureEntry, StoryDelta, StorySynthesis
from dateline.times import naive_utc


def changes_since(synthesis: StorySynthesis, since: datetime, articles: Sequence[Article]) -> StoryDelta:
    """The entries of SYNTHESIS that Dateline first saw after SINCE (naive UTC or aware).

    ARTICLES are the story's articles (those the synthesis was built from, in stream order); their
    ``ingested_at`` dates entries whose ``first_seen`` is unknown, and decides which outlets are new.
    """
    cutoff = naive_utc(since)
    arrived = {article.id: naive_utc(article.ingested_at) for article in articles}
    new_ids = tuple(dict.fromkeys(article.id for article in articles if arrived[article.id] > cutoff))
    new = set(new_ids)

    def is_new(first_seen: datetime | None, citations: Sequence[Citation]) -> bool:
        seen = _first_seen(first_seen, citations, arrived)
        return seen is not None and seen > cutoff

    figures = tuple(f for f in synthesis.figures if is_new(f.first_seen, f.citations))
    return StoryDelta(
        story_id=synthesis.story_id,
        title=synthesis.title,
        since=cutoff,
        article_count=synthesis.article_count,
        article_ids=new_ids,
        outlets=tuple(
            outlet
            for outlet in synthesis.coverage.outlets
            if (first := _outlet_first_arrival(outlet.outlet, outlet.first_article, articles, arrived))
            is not None
            and first > cutoff
        ),
        # A summary line is new when every article that says it is new: an old one said it before.
        summary=tuple(
            line
            for line in synthesis.summary
            if line.citations and all(c.article_id in new for c in line.citations)
        ),
        timeline=tuple(e for e in synthesis.timeline if is_new(e.first_seen, e.citations)),
        quotes=tuple(q for q in synthesis.quotes if is_new(q.first_seen, q.citations)),
        figures=figures,
        revised_figures=tuple(f for f in synthesis.figures if f not in figures and _revised(f, new)),
        contributions=tuple(c for c in synthesis.coverage.unique_contributions if c.article_id in new),
    )


def _first_seen(
    recorded: datetime | None, citations: Iterable[Citation], arrived: dict[str, datetime]
) -> datetime | None:
    if recorded is not None:
        return naive_utc(recorded)
    # Not recorded by the stage that built the entry: the earliest ingest of the articles it cites.
    times = [arrived[c.article_id] for c in citations if c.article_id in arrived]
    return min(times) if times else None


def _outlet_first_arrival(
    outlet: str,
    first_article: str,
    articles: Sequence[Article],
    arrived: dict[str, datetime],
) -> datetime | None:
    name = outlet.casefold()
    times = [arrived[a.id] for a in articles if a.outlet and a.outlet.casefold() == name]
    if times:
        return min(times)
    # Coverage may name an outlet no article field spells the same way (e.g. from a copy's credit).
    return arrived.get(first_article)


def _revised(figure: FigureEntry, new: set[str]) -> bool:
    """A quantity reported before whose value a new article gives differently ("toll rises to 40")."""
    before = {(r.value, r.value_max) for r in figure.reports if r.citation.article_id not in new}
    after = {(r.value, r.value_max) for r in figure.reports if r.citation.article_id in new}
    return bool(before) and bool(after - before)
