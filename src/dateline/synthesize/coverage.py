"""Who covered the story and how: outlets, the first report, volume by day, what each article adds,
and which outlets state or omit each of the story's main claims.

A passage "says what another says" when almost all its terms are inside the other (a sentence cut
down or reordered by a later outlet repeats the earlier one even where the cosine is low because
the earlier one is longer), or when their TF-IDF vectors are close and the other has at least half
its terms. The vectors (``units.term_vector``, idf from the language's word list) are first
re-weighted by how few of the story's articles use each term: in a story about the Deepwater
Horizon spill "deepwater" is in nearly every sentence, and left at its language-wide weight it
would make any two sentences that name the rig look alike.

Comparing every passage with every earlier one is quadratic (a 200-article story has about 10,000
passages), so passages are found through an inverted index over their terms, leaving out of the
look-up the terms that would pull in the most passages where that cannot lose a match (see
``_PassageIndex.similar`` and, for the question every passage is asked, ``_lookup_plan``).
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import datetime
from itertools import accumulate, chain
from urllib.parse import urlsplit

from dateline.cluster.features import seen_at
from dateline.lineage import wire_credit, wire_outlet
from dateline.models import (
    Article,
    Citation,
    Claim,
    Contribution,
    Coverage,
    Enrichment,
    OutletCoverage,
    SummarySentence,
)
from dateline.synthesize.units import Passage, term_vector

# A passage says what another says when this share of its terms is in the other (a shortened,
# reordered or lightly reworded copy) ...
CONTAINED_SHARE = 0.8
# ... or when their cosine reaches a threshold and they share at least this share of its terms: a
# short passage that is one heavy word ("Who is responsible for the spill?") is close in cosine to
# any sentence with that word without saying what it says.
SIMILAR_SHARE = 0.5
# The cosine threshold for "an earlier article already said this" ...
NEW_PASSAGE_SIMILARITY = 0.5
# ... and for "this passage states the claim".
CLAIM_SIMILARITY = 0.45
# What an article adds is a glance, not its whole text.
MAX_CONTRIBUTION_SENTENCES = 5
# Later sentences inform less than the lead (news is written top-down): a discount per position.
POSITION_DISCOUNT = 0.05
# In-story idf counts this many background articles that lack every term: a term in all of a large
# story's articles weighs almost nothing, while in a story of two articles shared words still count.
STORY_PRIOR_ARTICLES = 4
# Counting one more posting entry costs about this many times less than checking a passage found
# through one shared term (see ``_lookup_plan``; measured on Timeline17's longest collections).
PAIR_LOOKUP_COST = 4
UNKNOWN_OUTLET = "unknown"

_LEAD_FIELDS = ("standfirst", "text")

Vector = Mapping[str, float]


def story_coverage(
    articles: Sequence[Article],
    enrichments: Mapping[str, Enrichment],
    passages: Mapping[str, Sequence[Passage]],
    claims: Sequence[SummarySentence],
) -> Coverage:
    """The coverage of a story from its articles (in stream order), their passages and its main claims.

    ``passages`` maps article id -> ``article_passages(article, enrichment, include_title=True)``;
    the enrichments themselves are not needed beyond what the passages carry.
    """
    if not articles:
        return Coverage((), None, None, None, (), (), ())
    times = [seen_at(article) for article in articles]
    # The first report is the earliest article that knows when it was published; an undated
    # article's time is only when Dateline read it. Ties keep stream order.
    report_order = sorted(range(len(articles)), key=lambda i: (not times[i][1], times[i][0], i))
    # What each article adds is read in time order, whatever is dated.
    time_order = sorted(range(len(articles)), key=lambda i: (times[i][0], i))
    outlet_keys, outlet_names = _outlet_names(articles)
    vias = [_came_via(article) for article in articles]

    outlets = _outlets(articles, times, report_order, outlet_keys, outlet_names, vias)
    first = articles[report_order[0]]
    first_at = times[report_order[0]][0]
    weigh = _story_weights(articles, passages)
    vectors = {
        passage: weigh(passage.terms) for article in articles for passage in passages.get(article.id, ())
    }
    index = _PassageIndex()
    contributions = _contributions(
        [articles[i] for i in time_order],
        [times[i][0] for i in time_order],
        passages,
        vectors,
        index,
        {article_id: outlet_names[key] for article_id, key in outlet_keys.items()},
    )
    return Coverage(
        outlets=outlets,
        first_report=_lead_citation(first, passages.get(first.id, ())),
        first_outlet=outlet_names[outlet_keys[first.id]],
        first_at=first_at,
        volume=_volume(time for time, _ in times),
        unique_contributions=contributions,
        claims=_claims(claims, articles, passages, weigh, index, outlets, outlet_keys, outlet_names),
    )


# ---------------------------------------------------------------- outlets


def outlet_label(article: Article) -> str:
    """The outlet's name; else the host of its URL; else "unknown"."""
    name = " ".join((article.outlet or "").split())
    if name:
        return name
    if article.url:
        host = urlsplit(article.url).hostname or ""
        host = host.removeprefix("www.")
        if host:
            return host
    return UNKNOWN_OUTLET


def _outlet_names(articles: Sequence[Article]) -> tuple[dict[str, str], dict[str, str]]:
    """Article id -> outlet key, and outlet key -> the name shown. "Thomson Reuters" and "Reuters",
    "BBC" and "bbc", are one outlet; the first spelling seen names it, a wire its canonical name."""
    keys: dict[str, str] = {}
    names: dict[str, str] = {}
    for article in articles:
        label = outlet_label(article)
        wire = wire_outlet(label)
        key = wire.casefold() if wire else label.casefold()
        keys[article.id] = key
        names.setdefault(key, wire or label)
    return keys, names


def _came_via(article: Article) -> str | None:
    """The aggregator that re-served the article, or the wire it credits when that is not itself."""
    if article.via and article.via.strip():
        return " ".join(article.via.split())
    credit = wire_credit(article)
    if credit and credit != wire_outlet(article.outlet):
        return credit
    return None


def _outlets(
    articles: Sequence[Article],
    times: Sequence[tuple[datetime, bool]],
    report_order: Sequence[int],
    outlet_keys: Mapping[str, str],
    outlet_names: Mapping[str, str],
    vias: Sequence[str | None],
) -> tuple[OutletCoverage, ...]:
    """One entry per outlet, in the order they first reported (the same order as the first report)."""
    order: list[str] = []
    first_of: dict[str, int] = {}
    counts: Counter[str] = Counter()
    originals: Counter[str] = Counter()
    via_of: dict[str, dict[str, None]] = {}  # an ordered set
    for i in report_order:
        article = articles[i]
        key = outlet_keys[article.id]
        if key not in first_of:
            first_of[key] = i
            order.append(key)
        counts[key] += 1
        if article.duplicate_of is None and vias[i] is None:
            originals[key] += 1
        via = vias[i]
        if via is not None:
            via_of.setdefault(key, {})[via] = None
    return tuple(
        OutletCoverage(
            outlet=outlet_names[key],
            articles=counts[key],
            original=originals[key],
            via=tuple(via_of.get(key, ())),
            first_at=times[first_of[key]][0],
            first_article=articles[first_of[key]].id,
        )
        for key in order
    )


def _lead_citation(article: Article, passages: Sequence[Passage]) -> Citation:
    """The article's lead: its standfirst or first sentence; else its title; else its first paragraph."""
    for passage in passages:
        if passage.field in _LEAD_FIELDS:
            return passage.citation
    for passage in passages:
        if passage.field == "title":
            return passage.citation
    for paragraph in article.paragraphs:
        if paragraph.strip():
            # Paragraphs are joined by "\n\n": the offset of this one in Article.text.
            start = article.text.index(paragraph)
            return Citation(article.id, start, start + len(paragraph))
    return Citation(article.id, 0, 0)


def _volume(times: Iterable[datetime]) -> tuple[tuple[str, int], ...]:
    per_day = Counter(time.date().isoformat() for time in times)
    return tuple(sorted(per_day.items()))


# ---------------------------------------------------------------- what each article adds


def _story_weights(
    articles: Sequence[Article], passages: Mapping[str, Sequence[Passage]]
) -> Callable[[Vector], Vector]:
    """A function that re-weights a passage vector by each term's in-story inverse document frequency,
    log((n + 1 + prior) / (df + 1)) over the n articles that are not copies of another of the story's
    articles, and normalises it again."""
    story_ids = {article.id for article in articles}
    frequency: Counter[str] = Counter()
    count = 0
    for article in articles:
        if article.duplicate_of in story_ids:
            continue  # a copy would count its original's words twice
        terms = {term for passage in passages.get(article.id, ()) for term in passage.terms}
        if terms:
            count += 1
            frequency.update(terms)
    total = count + 1 + STORY_PRIOR_ARTICLES
    factor = {term: math.log(total / (df + 1)) for term, df in frequency.items()}
    unknown = math.log(total)

    def weigh(vector: Vector) -> Vector:
        weights = {term: weight * factor.get(term, unknown) for term, weight in vector.items()}
        norm = math.sqrt(sum(weight * weight for weight in weights.values()))
        if not norm:
            return {}
        return {term: weight / norm for term, weight in weights.items()}

    return weigh


def _contributions(
    articles: Sequence[Article],
    times: Sequence[datetime],
    passages: Mapping[str, Sequence[Passage]],
    vectors: Mapping[Passage, Vector],
    index: _PassageIndex,
    outlet_of: Mapping[str, str],
) -> tuple[Contribution, ...]:
    """For each article in time order, its passages that no earlier passage says (fills INDEX with
    every passage on the way, for the claims)."""
    story_ids = {article.id for article in articles}
    copies: dict[str, set[str]] = {}
    for article in articles:
        if article.duplicate_of in story_ids:
            copies.setdefault(article.duplicate_of, set()).add(article.id)
    seen_terms: set[str] = set()
    contributions = []
    for article, time in zip(articles, times, strict=True):
        own = passages.get(article.id, ())
        # An original's own words are not "said before" by a copy of it that came out first.
        own_copies = copies.get(article.id, set())
        # A copy adds only what its original lacks, wherever the original falls in time (a wire's
        # own copy is the original even when a reprint is dated earlier).
        original = (
            [vectors[p] for p in passages.get(article.duplicate_of, ()) if vectors[p]]
            if article.duplicate_of in story_ids
            else []
        )
        original_keys = {frozenset(vector) for vector in original}
        found: list[tuple[float, Passage]] = []
        for passage in own:
            vector = vectors[passage]
            if passage.field == "title" or not vector:
                continue
            said = index.says(vector, own_copies) or (
                frozenset(vector) in original_keys or any(_repeats(vector, other) for other in original)
            )
            if not said:
                found.append((_informativeness(passage, vector, seen_terms), passage))
            # Indexed at once: a standfirst reworded by the article's own lead is said once.
            index.add(vector, passage)
        for passage in own:
            if passage.field == "title" and vectors[passage]:
                index.add(vectors[passage], passage)
        for passage in own:
            seen_terms.update(passage.terms)
        if not found:
            continue
        chosen = sorted(found, key=lambda item: (-item[0], item[1].position))[:MAX_CONTRIBUTION_SENTENCES]
        contributions.append(
            Contribution(
                article_id=article.id,
                outlet=outlet_of[article.id],
                at=time,
                copy_of=article.duplicate_of,
                # Shown in reading order: the article's own sequence is easier to follow.
                sentences=tuple(
                    SummarySentence(passage.text, (passage.citation,))
                    for _, passage in sorted(chosen, key=lambda item: item[1].position)
                ),
            )
        )
    return tuple(contributions)


def _informativeness(passage: Passage, vector: Vector, seen_terms: set[str]) -> float:
    """How much of the passage's term weight is words the story has not used before, the lead first."""
    novel = sum(weight for term, weight in vector.items() if term not in seen_terms)
    # A new combination of known words still says something: a floor keeps it above nothing.
    return (0.1 + novel) / (1.0 + POSITION_DISCOUNT * max(passage.position, 0))


def _repeats(vector: Vector, other: Vector, similarity: float = NEW_PASSAGE_SIMILARITY) -> bool:
    """VECTOR says what OTHER says (see the module's docstring)."""
    dot, shared = _overlap(vector, other)
    share = shared / len(vector)
    return share >= CONTAINED_SHARE or (dot >= similarity and share >= SIMILAR_SHARE)


def _overlap(vector: Vector, other: Vector) -> tuple[float, int]:
    """(cosine, how many of VECTOR's terms OTHER has)."""
    dot = 0.0
    shared = 0
    for term, weight in vector.items():
        other_weight = other.get(term)
        if other_weight:
            dot += weight * other_weight
            shared += 1
    return dot, shared


def _lookup_plan(
    squares: Sequence[float], lengths: Sequence[int], needed: int, similarity: float
) -> tuple[int, int]:
    """How to look up the passages that may say what a vector says, its terms taken commonest first
    (SQUARES: their squared weights; LENGTHS: their postings' lengths): (SKIP, how many of its
    terms to leave out of the look-up; LEAST, how many of the rest a candidate must share).

    A match shares at least NEEDED of the vector's terms, and either ``contained`` of them or enough
    weight for the cosine: by Cauchy-Schwarz (the other vector has norm 1) the shared terms hold at
    least SIMILARITY ** 2 of the vector's squared weight. A match therefore shares LEAST terms outside
    the first SKIP when fewer than LEAST of those, with all SKIP, can reach neither. Common terms weigh
    little once re-weighted in-story, so many can be left out. Asking for two shared terms (LEAST 2)
    means reading longer postings, and is worth it when that costs less than checking every passage
    that shares one (most share only one common-ish word).
    """
    size = len(squares)
    contained = math.ceil(CONTAINED_SHARE * size - 1e-9)
    # A margin far above rounding error: a candidate is never lost to it, only checked in full.
    weight_needed = similarity * similarity - 1e-9
    # skipped[i]: the squared weight of the first i terms, which is what leaving them out may lose.
    skipped = [0.0, *accumulate(squares)]
    # Fewer than LEAST shared terms outside the skipped ones is too few in all (NEEDED) or, beyond
    # that, too little weight; never too few for containment.
    one = min(contained - 1, max(needed - 1, bisect_left(skipped, weight_needed) - 1))
    if needed < 2:
        return one, 1
    # For two: the skipped weight plus the heaviest single term left must fall short.
    heaviest_left = [*reversed(list(accumulate(reversed(squares), max))), 0.0]
    two = needed - 2
    while two < contained - 2 and skipped[two + 1] + heaviest_left[two + 1] < weight_needed:
        two += 1
    if sum(lengths[two:]) <= PAIR_LOOKUP_COST * sum(lengths[one:]):
        return two, 2
    return one, 1


class _PassageIndex:
    """Passages by term, to find those that say what a new passage says without comparing all pairs."""

    def __init__(self) -> None:
        self.passages: list[Passage] = []
        self.vectors: list[Vector] = []
        self.term_sets: list[frozenset[str]] = []
        self.postings: dict[str, list[int]] = {}
        self.exact: set[frozenset[str]] = set()  # the term sets of the indexed passages

    def add(self, vector: Vector, passage: Passage) -> None:
        number = len(self.vectors)
        terms = frozenset(vector)
        self.passages.append(passage)
        self.vectors.append(vector)
        self.term_sets.append(terms)
        for term in vector:
            self.postings.setdefault(term, []).append(number)
        self.exact.add(terms)

    def says(self, vector: Vector, ignore: Collection[str] = ()) -> bool:
        """Whether a passage of an indexed article (not one of IGNORE) already says what VECTOR says.

        The same as ``similar(vector, NEW_PASSAGE_SIMILARITY, ignore=ignore)`` being non-empty, found
        with a cheaper look-up: every passage of the story is asked this, and most are answered "no",
        which means ruling out every passage sharing a term with it. ``_lookup_plan`` leaves out the
        common terms that no match can rely on alone, and asks, where the postings allow, for two
        shared terms among the rest, so few passages are left to check in full.
        """
        if not ignore and frozenset(vector) in self.exact:
            return True  # the same words: a verbatim copy, the common case in syndication
        postings = self.postings
        # Commonest first: the terms a look-up can best do without.
        ranked = sorted([(len(postings.get(term, ())), term) for term in vector], reverse=True)
        needed = max(1, math.ceil(SIMILAR_SHARE * len(vector) - 1e-9))
        skip, least = _lookup_plan(
            [vector[term] * vector[term] for _, term in ranked],
            [length for length, _ in ranked],
            needed,
            NEW_PASSAGE_SIMILARITY,
        )
        hits = Counter(chain.from_iterable([postings.get(term, ()) for _, term in ranked[skip:]]))
        skipped_terms = frozenset(term for _, term in ranked[:skip])
        term_sets = self.term_sets
        for number, count in hits.items():
            if count < least:
                continue
            missing = needed - count
            if missing > 0 and (missing > skip or len(skipped_terms & term_sets[number]) < missing):
                continue
            if ignore and self.passages[number].article_id in ignore:
                continue
            if _repeats(vector, self.vectors[number]):
                return True
        return False

    def similar(
        self,
        vector: Vector,
        similarity: float,
        *,
        ignore: Collection[str] = (),
        first_only: bool = False,
    ) -> list[tuple[int, float]]:
        """(passage number, cosine) of the indexed passages, other than IGNORE's articles', that say
        what VECTOR says.

        Either way of saying it needs at least ``needed`` = SIMILAR_SHARE of VECTOR's terms in the
        passage. So the ``needed - 1`` terms with the longest posting lists (the story's common
        words) can be left out of the look-up: a passage sharing none of the other terms shares
        too few. Counting the rest is done by ``Counter`` (in C); the candidates are then checked
        in full.
        """
        needed = max(1, math.ceil(SIMILAR_SHARE * len(vector) - 1e-9))
        terms = sorted(vector, key=lambda term: len(self.postings.get(term, ())), reverse=True)
        skipped, probed = terms[: needed - 1], terms[needed - 1 :]
        hits: Counter[int] = Counter()
        for term in probed:
            numbers = self.postings.get(term)
            if numbers:
                hits.update(numbers)
        skipped_terms = set(skipped)
        found = []
        for number, count in hits.items():
            other = self.vectors[number]
            missing = needed - count
            if missing > 0 and (missing > len(skipped) or len(skipped_terms.intersection(other)) < missing):
                continue
            if ignore and self.passages[number].article_id in ignore:
                continue
            if _repeats(vector, other, similarity):
                found.append((number, _overlap(vector, other)[0]))
                if first_only:
                    break
        return found


# ---------------------------------------------------------------- claims x outlets


def _claims(
    claims: Sequence[SummarySentence],
    articles: Sequence[Article],
    passages: Mapping[str, Sequence[Passage]],
    weigh: Callable[[Vector], Vector],
    index: _PassageIndex,
    outlets: Sequence[OutletCoverage],
    outlet_keys: Mapping[str, str],
    outlet_names: Mapping[str, str],
) -> tuple[Claim, ...]:
    """Each claim with the outlets that state it (an article of theirs has a passage saying it, or is
    cited for it) and those that cover the story without saying it."""
    by_id = {article.id: article for article in articles}
    # Stream position breaks ties in the order citations are listed.
    stream = {article.id: number for number, article in enumerate(articles)}
    result = []
    for claim in claims:
        cited = {citation.article_id for citation in claim.citations}
        stating = {outlet_keys[article_id] for article_id in cited if article_id in outlet_keys}
        source = claim.citations[0].article_id if claim.citations else None
        vector = weigh(
            term_vector(claim.text, _language(by_id.get(source or ""), passages.get(source or "", ())))
        )
        best: dict[str, tuple[float, Passage]] = {}
        if vector:
            for number, dot in index.similar(vector, CLAIM_SIMILARITY):
                passage = index.passages[number]
                if passage.article_id not in outlet_keys:
                    continue
                stating.add(outlet_keys[passage.article_id])
                if passage.article_id in cited:
                    continue
                known = best.get(passage.article_id)
                if known is None or dot > known[0]:
                    best[passage.article_id] = (dot, passage)
        more = sorted(best.values(), key=lambda item: (item[1].seen_at, stream[item[1].article_id]))
        names_stating = {outlet_names[key] for key in stating}
        result.append(
            Claim(
                text=claim.text,
                citations=(*claim.citations, *(passage.citation for _, passage in more)),
                states=tuple(o.outlet for o in outlets if o.outlet in names_stating),
                omits=tuple(o.outlet for o in outlets if o.outlet not in names_stating),
            )
        )
    return tuple(result)


def _language(article: Article | None, passages: Sequence[Passage]) -> str | None:
    for passage in passages:
        if passage.language:
            return passage.language
    return article.language if article is not None else None
