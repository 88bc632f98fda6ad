"""The story's title and summary: a few sentences from its articles that say what happened.

The summary is extractive and cited. Candidates are each article's standfirst and lead sentences
(the first ``SUMMARY_LEAD`` prose sentences: news puts what matters first). A candidate scores for
- centrality: similarity to the story's centroid, where every article weighs the same however
  long it is;
- support: how many other articles say the same thing (a fact several outlets report matters);
- its place: a lead or standfirst summarises its article, a later sentence details it;
- recency: among equals, the later reports of a developing story;
and loses for reading badly out of context (starting with a pronoun or a connective, being a
question or a quotation). Sentences are then picked greedily, each penalised by its similarity
to those already picked (maximal marginal relevance), and shown in the order they were reported.
Each keeps its source's words (clauses may be deleted, ``faithful.compress``) and cites its source
first, then the other articles that say the same thing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence

from dateline.models import Article, Citation, SummarySentence
from dateline.synthesize.faithful import compress
from dateline.synthesize.units import Passage, centroid, cosine, similar_pairs

# Candidate sentences per article: the standfirst and the lead.
SUMMARY_LEAD = 8
MIN_SUMMARY_SENTENCES = 3
MAX_SUMMARY_SENTENCES = 7
# Two sentences at least this similar say the same thing: one is redundant, the other a citation.
SAME_CLAIM_SIMILARITY = 0.5
# How strongly a sentence is penalised for repeating one already chosen.
REDUNDANCY_WEIGHT = 1.0
MAX_CITATIONS = 12

_DANGLING_START = re.compile(
    r"^(?:he|she|they|it|this|that|these|those|his|her|their|its|there|but|and|so|also|meanwhile|however)\b",
    re.IGNORECASE,
)
_QUOTE_START = re.compile(r"^[\"“”‘'«]")


def summary_length(article_count: int) -> int:
    """3 sentences for a single article, one more for each doubling of the story, at most 7."""
    return max(MIN_SUMMARY_SENTENCES, min(MAX_SUMMARY_SENTENCES, 3 + int(math.log2(max(1, article_count)))))


def summarize(
    articles: Sequence[Article],
    passages: Mapping[str, Sequence[Passage]],
    *,
    length: int | None = None,
) -> tuple[SummarySentence, ...]:
    """The cited summary of ARTICLES (in stream order), its sentences in the order they were reported."""
    originals = [a for a in articles if not a.duplicate_of]
    candidates: list[Passage] = []
    article_vectors = []
    for article in originals:
        prose = [p for p in passages.get(article.id, ()) if p.field != "title" and p.terms]
        if not prose:
            continue
        article_vectors.append(centroid([p.terms for p in prose]))
        candidates.extend(prose[:SUMMARY_LEAD])
    if not candidates:
        return ()
    story_centre = centroid(article_vectors)
    times = sorted({p.seen_at for p in candidates})
    time_rank = {when: rank / max(1, len(times) - 1) for rank, when in enumerate(times)}

    similar: list[dict[int, float]] = []
    scores: list[float] = []
    pairs = similar_pairs([p.terms for p in candidates], SAME_CLAIM_SIMILARITY)
    for number, passage in enumerate(candidates):
        neighbours = {
            other: value
            for other, value in pairs[number].items()
            if candidates[other].article_id != passage.article_id
        }
        similar.append(neighbours)
        supporting_articles = len({candidates[other].article_id for other in neighbours})
        scores.append(_score(passage, story_centre, supporting_articles, time_rank[passage.seen_at]))

    wanted = length or summary_length(len(originals))
    chosen: list[int] = []
    remaining = set(range(len(candidates)))
    # Each candidate's highest similarity to a chosen sentence, kept up to date as sentences are
    # chosen rather than recomputed against all of them each round.
    redundancy = [0.0] * len(candidates)
    while remaining and len(chosen) < wanted:
        best, best_value = -1, -math.inf
        for number in remaining:
            value = scores[number] - REDUNDANCY_WEIGHT * redundancy[number]
            if value > best_value or (value == best_value and number < best):
                best, best_value = number, value
        chosen.append(best)
        # What says the same as the chosen sentence is its citation now, not a candidate.
        remaining -= {best, *(n for n, value in similar[best].items() if value >= SAME_CLAIM_SIMILARITY)}
        if len(chosen) < wanted:
            chosen_terms = candidates[best].terms
            for number in remaining:
                similarity = cosine(candidates[number].terms, chosen_terms)
                redundancy[number] = similarity if len(chosen) == 1 else max(redundancy[number], similarity)
    chosen.sort(key=lambda n: (candidates[n].seen_at, candidates[n].article_id, candidates[n].position))
    return tuple(_summary_sentence(candidates, number, similar[number]) for number in chosen)


def _score(
    passage: Passage, story_centre: Mapping[str, float], supporting_articles: int, recency: float
) -> float:
    score = cosine(passage.terms, story_centre)
    score += 0.08 * math.log1p(supporting_articles)
    score += 0.12 / (1 + passage.position)  # the lead (position 0) summarises its article
    if passage.field == "standfirst":
        score += 0.05
    score += 0.03 * recency
    text = passage.text.strip()
    if _DANGLING_START.match(text):
        score -= 0.15  # refers back to a sentence the reader will not see
    if _QUOTE_START.match(text) or text.endswith("?"):
        score -= 0.1  # a quotation or a question is colour, not the news
    return score


def _summary_sentence(
    candidates: Sequence[Passage], number: int, neighbours: Mapping[int, float]
) -> SummarySentence:
    source = candidates[number]
    citations = [source.citation]
    cited_articles = {source.article_id}
    for other in sorted(neighbours, key=lambda n: (-neighbours[n], n)):
        passage = candidates[other]
        if passage.article_id in cited_articles:
            continue
        cited_articles.add(passage.article_id)
        citations.append(passage.citation)
        if len(citations) >= MAX_CITATIONS:
            break
    return SummarySentence(compress(source.text), tuple(citations))


def choose_title(
    articles: Sequence[Article],
    passages: Mapping[str, Sequence[Passage]],
    summary: Sequence[SummarySentence],
) -> tuple[str, Citation | None]:
    """The most representative headline: the one closest to the summary and to the other headlines.

    Without headlines, the most central summary sentence stands as the title.
    """
    titles = [
        p
        for a in articles
        if not a.duplicate_of
        for p in passages.get(a.id, ())
        if p.field == "title" and p.terms
    ]
    summary_centre = centroid([_terms_of(s, passages) for s in summary])
    if titles:
        title_centre = centroid([p.terms for p in titles])

        def representative(passage: Passage) -> float:
            words = len(passage.text.split())
            fits = 1.0 if 4 <= words <= 16 else 0.8  # a label or a run-on headline reads badly
            return fits * (cosine(passage.terms, title_centre) + cosine(passage.terms, summary_centre))

        best = max(titles, key=lambda p: (representative(p), -p.seen_at.timestamp(), p.article_id))
        return best.text, best.citation
    for sentence in summary:
        return sentence.text, sentence.citations[0]
    for article in articles:
        if article.title and article.title.strip():
            stripped = article.title.strip()
            offset = article.title.index(stripped)
            return stripped, Citation(article.id, offset, offset + len(stripped), "title")
    return "(untitled)", None


def _terms_of(sentence: SummarySentence, passages: Mapping[str, Sequence[Passage]]) -> Mapping[str, float]:
    source = sentence.citations[0]
    for passage in passages.get(source.article_id, ()):
        if passage.start == source.start and passage.field == source.field:
            return passage.terms
    return {}
