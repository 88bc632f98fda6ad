"""The passages synthesis chooses from: sentences, standfirsts and titles, each with where it came from.

A ``Passage`` is a working record of this stage, not a stored one: the article's sentence (from
the enrichment layer, offsets into ``Article.text``), its standfirst or its title, with a sparse
TF-IDF vector for similarity. The idf comes from the language's shipped word list (wordfreq), the
same as story clustering, so no corpus-wide state is needed and a passage's vector depends on
nothing but its own text.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from dateline.cluster.features import idf, seen_at, words
from dateline.models import Article, Citation, Enrichment

# Shorter than this is a fragment ("Read more.", a photo credit) rather than a statement.
MIN_PASSAGE_WORDS = 6
# Longer than this is a run-on or a paragraph the sentence splitter could not break: unreadable in a summary.
MAX_PASSAGE_WORDS = 70
# A standfirst longer than this is an article body that leaked into the field, not a summary of it.
MAX_STANDFIRST_CHARS = 400

_TOKEN = re.compile(r"\w+|[^\w\s]", re.UNICODE)


@dataclass(frozen=True, slots=True, eq=False)
class Passage:
    article_id: str
    field: str  # "text", "standfirst" or "title"
    start: int
    end: int
    text: str
    sentence: int  # index into Enrichment.sentences; -1 for a standfirst or title
    position: int  # order within the article's prose: 0 is the lead
    seen_at: datetime  # the article's publication time, else when it was ingested (naive UTC)
    dated: bool
    outlet: str | None
    language: str | None
    terms: Mapping[str, float]  # L2-normalised TF-IDF over folded words

    @property
    def citation(self) -> Citation:
        return Citation(self.article_id, self.start, self.end, self.field)

    @property
    def word_count(self) -> int:
        return len(self.text.split())


@lru_cache(maxsize=262_144)
def cached_idf(word: str, language: str | None) -> float:
    # A story repeats its words thousands of times; the word-list lookup and folding need doing once.
    return idf(word, language)


def term_vector(text: str, language: str | None) -> dict[str, float]:
    """Sublinear TF x wordfreq idf, L2-normalised; empty when the text has no informative word."""
    counts = Counter(words(text))
    weights = {}
    for word, count in counts.items():
        weight = cached_idf(word, language)
        if weight > 0:
            if count > 1:  # 1 + log(1) is 1: most words occur once, and need no log
                weight *= 1.0 + math.log(count)
            weights[word] = weight
    norm = math.sqrt(sum(w * w for w in weights.values()))
    if not norm:
        return {}
    return {word: weight / norm for word, weight in weights.items()}


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """Dot product of two L2-normalised sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    get = b.get
    # A loop rather than sum() over a generator: faster, the same additions in the same order (from int 0).
    total: float = 0
    for word, weight in a.items():
        total += weight * get(word, 0.0)
    return total


def centroid(vectors: Sequence[Mapping[str, float]]) -> dict[str, float]:
    """The normalised mean of sparse vectors."""
    total: dict[str, float] = {}
    for vector in vectors:
        for word, weight in vector.items():
            total[word] = total.get(word, 0.0) + weight
    norm = math.sqrt(sum(w * w for w in total.values()))
    if not norm:
        return {}
    return {word: weight / norm for word, weight in total.items()}


def tokens(text: str) -> list[str]:
    """Word and punctuation tokens, lower-cased: the unit of the faithfulness check."""
    return _TOKEN.findall(text.lower())


def article_passages(
    article: Article,
    enrichment: Enrichment | None,
    *,
    include_title: bool = False,
) -> list[Passage]:
    """The article's readable passages: standfirst first, then its prose sentences in order."""
    when, dated = seen_at(article)
    language = (enrichment.language if enrichment else None) or article.language
    passages: list[Passage] = []

    def add(field: str, start: int, end: int, text: str, sentence: int, position: int) -> None:
        passages.append(
            Passage(
                article_id=article.id,
                field=field,
                start=start,
                end=end,
                text=text,
                sentence=sentence,
                position=position,
                seen_at=when,
                dated=dated,
                outlet=article.outlet,
                language=language,
                terms=term_vector(text, language),
            )
        )

    if include_title and article.title and article.title.strip():
        title = article.title
        lead = len(title) - len(title.lstrip())
        add("title", lead, len(title.rstrip()), title.strip(), -1, -1)
    position = 0
    standfirst = (article.standfirst or "").strip()
    body = article.text
    if (
        standfirst
        and len(standfirst) <= MAX_STANDFIRST_CHARS
        # A standfirst that the body repeats word for word adds nothing as its own passage.
        and standfirst not in body[: len(standfirst) + 200]
        and MIN_PASSAGE_WORDS <= len(standfirst.split()) <= MAX_PASSAGE_WORDS
    ):
        offset = (article.standfirst or "").index(standfirst)
        add("standfirst", offset, offset + len(standfirst), standfirst, -1, position)
        position += 1
    if enrichment is None:
        return passages
    for sentence in enrichment.sentences:
        if sentence.is_heading:
            continue
        count = len(sentence.text.split())
        if count < MIN_PASSAGE_WORDS or count > MAX_PASSAGE_WORDS:
            continue
        if body[sentence.start : sentence.end] != sentence.text:
            continue  # the enrichment is from another version of the text: its offsets would cite wrong words
        add("text", sentence.start, sentence.end, sentence.text, sentence.index, position)
        position += 1
    return passages


def field_text(article: Article, field: str) -> str:
    """The text a citation's offsets point into."""
    if field == "standfirst":
        return article.standfirst or ""
    if field == "title":
        return article.title or ""
    return article.text


def similar_pairs(vectors: Sequence[Mapping[str, float]], threshold: float) -> list[dict[int, float]]:
    """For each vector, the others whose cosine with it is at least THRESHOLD: number -> cosine.

    A cosine is summed over the first vector's terms, in their order (as ``TermIndex.similarities``
    sums it), so (a, b) and (b, a) can differ in the last bit. Rather than query an index of all the
    vectors with each (every pair summed twice: quadratic in a story whose leads share its common
    words), the vectors are indexed from the last to the first, each compared with those already
    indexed before it is added: each pair is summed once, in the earlier vector's order, and the
    later one's own sum is computed only where that comes within rounding of THRESHOLD.
    """
    found: list[dict[int, float]] = [{} for _ in vectors]
    postings: dict[str, tuple[list[int], list[float]]] = {}
    for number in range(len(vectors) - 1, -1, -1):
        terms = vectors[number]
        scores: dict[int, float] = {}
        get = scores.get
        for word, weight in terms.items():
            posting = postings.get(word)
            if posting is not None:
                for other, other_weight in zip(*posting, strict=True):
                    scores[other] = get(other, 0.0) + weight * other_weight
        for other, value in scores.items():
            if value >= threshold:
                found[number][other] = value
            if value >= threshold - 1e-9:
                reverse = _dot_in_order(vectors[other], terms)
                if reverse >= threshold:
                    found[other][number] = reverse
        for word, weight in terms.items():
            posting = postings.get(word)
            if posting is None:
                posting = postings[word] = ([], [])
            posting[0].append(number)
            posting[1].append(weight)
    return found


def _dot_in_order(terms: Mapping[str, float], other: Mapping[str, float]) -> float:
    """The dot product summed over TERMS in their order, from 0.0 (as ``TermIndex.similarities`` sums it)."""
    total = 0.0
    for word, weight in terms.items():
        other_weight = other.get(word)
        if other_weight is not None:
            total += weight * other_weight
    return total
