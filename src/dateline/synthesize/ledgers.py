"""Quotes and figures ledgers: who said what, and which numbers, merged across a story's articles.

**Quotes.** Every quote with confidence of at least 0.5 is read as a bag of folded words (case,
accents, punctuation and quote marks dropped), each word weighted by its rarity (1 + the wordfreq
idf that story clustering uses, so "drones" weighs more than "we"). Quotes are taken in time order
(the article's ``seen_at``, then stream order) and each joins the earlier group it matches best,
else starts one; the first quote of a group is its first report. Two wordings match when:

* same speaker entity (both known): the weighted share of the shorter wording found in the longer
  one (containment) is at least 0.75, over at least 3 shared words: an outlet that trims a quote
  or changes a word still merges;
* one side has no known speaker: the wordings are near-identical (containment 0.9 and weighted
  Jaccard 0.75); the group takes the known speaker;
* direct (or partial) against indirect speech of the same speaker: containment 0.85 and Jaccard
  0.6, since reported speech rewords ("we will" becomes "they would");
* either wording has fewer than 3 words: only the same words merge;
* different known speakers never merge.

Candidates come from an inverted index over each wording's words keyed by speaker, queried with
the new quote's rarest words, so a 1,000-quote story costs a few comparisons per quote rather
than one per pair. A group's entry shows the first report's wording and cites it first, then one
citation per further article; a wording whose words differ from every earlier one of the group
becomes a ``QuoteVariant``, so a syndicated copy adds a citation and no variant unless an editor
changed its words. Fragments of fewer than 3 words are kept only when two separate articles
(a copy and its original count once) carry them. Speakers are ordered by how many separate
articles quote them, unattributed quotes last; each speaker's quotes by time.

**Figures.** A figure needs something that says what it measures: a counted noun, or a unit
that is not a bare duration, multiple, fraction or point count ("%", a currency, "km2" are kept;
"12 years" and a bare "40" are not). A bare four-digit year before a singular noun ("the 2024
election") is a date the figure extractor let through, and is skipped. Figures are grouped by the
counted noun normalised (case and accents folded, leading determiners dropped, plurals stripped:
"the Drones" and "drone" meet) and unit, then split into quantities, each report (in time order)
joining the quantity it fits best. A report never joins a quantity whose event date differs (the
day or week of a ``DatedEvent`` on its sentence; a year dates background, not the event), nor
one its own article gives another value for ("killed 4 civilians and injured 40" is two
quantities). Otherwise it is tied to an earlier report of the quantity by, from strongest to
weakest evidence: a compatible value; values within a factor of 1.5 (26 vs 22 killed), unless the
noun is as general as "people"; the same event date or a shared context word within a factor of 3
(a toll rising 10 -> 26); a shared context word within a factor of 10. Context words are the
informative words within four words of the figure in its sentence ("killed", "launched"), less
those around more than 5% of the story's figures ("Haiti" in a story about Haiti). A figure with no
counted noun, or a vague magnitude ("thousands", qualifier "several"), is tied by context or event
only.

Within a quantity, values are compared as intervals widened by their qualifier ("almost 500" is
450-500, "about 500" 450-550, "at least 10" 10-15) and by rounding (58,000 for 57,950), and sorted
into classes of compatible values in time order. Different classes from different sources within
2 hours of each other, or an older class coming back after a newer one, is a ``disagreement``; a
class that replaced the first one more than 2 hours later and still stands is a ``changed``
quantity. The entry's value is the latest report's (among reports within 2 hours of the latest,
the most reported value) and its first citation is that report. A syndicated copy of an article in
the story adds a citation but no report; vague magnitudes are listed as reports but never make a
disagreement or a change. Entries are ordered by how many separate articles report them, then by
first report, and capped at 40.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain

from dateline.cluster.features import fold, seen_at, words
from dateline.models import (
    Article,
    Citation,
    DatePrecision,
    Enrichment,
    Figure,
    FigureEntry,
    FigureReport,
    Quote,
    QuoteEntry,
    QuoteKind,
    QuoteVariant,
)
from dateline.synthesize.units import cached_idf
from dateline.times import naive_utc

# Below this the quote extractor was guessing at the quote or its speaker.
MIN_QUOTE_CONFIDENCE = 0.5
# Fewer words than this is a fragment ("a disgrace"): shown only when two articles carry it.
MIN_QUOTE_WORDS = 3
# Same speaker: the share of the shorter wording that the longer one holds.
SAME_SPEAKER_CONTAINMENT = 0.75
# One side unattributed: the wordings must be near-identical, or a stray quote could take a speaker.
UNATTRIBUTED_CONTAINMENT = 0.9
UNATTRIBUTED_JACCARD = 0.75
# Direct against reported speech: reported speech rewords, so only strong overlap is the same statement.
MIXED_KIND_CONTAINMENT = 0.85
MIXED_KIND_JACCARD = 0.6
MIN_SHARED_WORDS = 3
# Rarity weights are capped so that one unknown name does not make two quotes "the same".
MAX_WORD_IDF = 8.0
# The rarest words of a quote that look up candidate groups, and how many candidates are compared.
QUERY_WORDS = 5
MAX_CANDIDATES = 20

# The figures shown: the most widely reported first.
MAX_FIGURE_ENTRIES = 40
# Reports closer than this are "at the same time": a different value is a disagreement, not a change.
SAME_TIME = timedelta(hours=2)
# How far apart two values of one quantity may be (26 vs 22 killed; a toll rising 10 -> 26; 2 -> 15
# missing), by what ties them: a specific counted noun alone; the same event date or a shared context
# word ("killed", "launched"); a shared context word alone.
CLOSE_VALUE_RATIO = 1.5
TIED_VALUE_RATIO = 3.0
MAX_VALUE_RATIO = 10.0
# The latest reports of a quantity (and one per distinct value) that a new report is compared with.
RECENT_REPORTS = 40
# A context word found around more than this share of the story's figures ("Haiti" in a story about
# Haiti) ties nothing together.
MAX_CONTEXT_SHARE = 0.05
# Words either side of a figure that say what happened to it ("killed", "launched", "shot down").
CONTEXT_WORDS = 4
# Exact values this close are the same figure rounded or converted (58,000 vs 57,950 is not news).
ROUNDING_TOLERANCE = 0.01


def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Units that do not say what is measured without a counted noun: "12 years", "2.6 times", "half".
_UNITS_NEEDING_NOUN = _word_set(
    "year month week day hour minute second decade century night × fraction point °"
)
# Words that open a counted phrase without changing what is counted ("the drones", "more troops").
_DETERMINERS = _word_set(
    "the a an this that these those its their his her our your my some any more other others additional "
    "further extra such les des la le l de du d un une ces leurs"
)
# Words that end in "s" in the singular: left alone by plural stripping.
_SINGULAR_S = _word_set("news series species means gas bus status crisis process analysis basis chaos")
# Counted nouns too general to tie two different values without context: "2,000 people" and "2,500
# people" in a disaster story are as likely the homeless as the dead.
_GENERIC_COUNTED = _word_set("people person man men woman women child other individual")
# Qualifier -> (low factor, high factor) around the stated value.
_QUALIFIER_BOUNDS: dict[str, tuple[float, float]] = {
    "about": (0.9, 1.1),
    "around": (0.9, 1.1),
    "roughly": (0.9, 1.1),
    "some": (0.9, 1.1),
    "nearly": (0.9, 1.0),
    "almost": (0.9, 1.0),
    "at least": (1.0, 1.5),
    "more than": (1.0, 1.5),
    "over": (1.0, 1.5),
    "at most": (0.67, 1.0),
    "up to": (0.67, 1.0),
    "fewer than": (0.67, 1.0),
    "less than": (0.67, 1.0),
}
_YEAR_LIKE = re.compile(r"^(1[89]|20)\d\d\b")


# ---------------------------------------------------------------- shared


def _roots(articles: Sequence[Article]) -> dict[str, str]:
    """Article id -> the id it counts as: a syndicated copy of an article in the story counts as that article."""
    ids = {article.id for article in articles}
    return {
        article.id: article.duplicate_of
        if article.duplicate_of in ids and article.duplicate_of
        else article.id
        for article in articles
    }


def _weight(word: str, language: str | None) -> float:
    """How much a shared word says two quotes or figure contexts are the same: 1 plus its capped idf."""
    return 1.0 + min(cached_idf(word, language), MAX_WORD_IDF)


# ---------------------------------------------------------------- quotes


@dataclass(slots=True, eq=False)
class _Said:
    """One quote in one article, with the folded words merging compares."""

    article: Article
    root: str
    order: int  # the article's position in the story's stream
    at: datetime
    quote: Quote
    speaker_key: str | None
    folded: tuple[str, ...]  # its words, folded, in order: what tells one wording from another
    bag: frozenset[str]
    weights: dict[str, float]
    total: float  # sum of the bag's weights
    query: tuple[str, ...]  # its rarest words: what looks up candidate groups
    word_count: int  # len(folded), read by every comparison
    indirect: bool  # reported speech

    @property
    def citation(self) -> Citation:
        return Citation(self.article.id, self.quote.start, self.quote.end)


@dataclass(slots=True, eq=False)
class _QuoteGroup:
    speaker_key: str | None
    members: list[_Said] = field(default_factory=list)
    wordings: list[_Said] = field(default_factory=list)  # one member per distinct bag of words


def quote_ledger(
    articles: Sequence[Article], enrichments: Mapping[str, Enrichment]
) -> tuple[QuoteEntry, ...]:
    """Quotes by speaker, the same quote across outlets merged, the most quoted speakers first."""
    said = _quotes_said(articles, enrichments)
    if not said:
        return ()
    groups = _group_quotes(said)
    kept = [group for group in groups if _worth_showing(group)]
    by_speaker: dict[str | None, list[_QuoteGroup]] = {}
    for group in kept:
        by_speaker.setdefault(group.speaker_key, []).append(group)

    def speaker_rank(key: str | None) -> tuple[int, int, datetime, int]:
        groups_of = by_speaker[key]
        articles_quoting = len({member.root for group in groups_of for member in group.members})
        first = min((group.members[0] for group in groups_of), key=lambda s: (s.at, s.order))
        return (key is None, -articles_quoting, first.at, first.order)

    entries: list[QuoteEntry] = []
    for key in sorted(by_speaker, key=speaker_rank):
        groups_of = sorted(
            by_speaker[key], key=lambda g: (g.members[0].at, g.members[0].order, g.members[0].quote.start)
        )
        entries.extend(_quote_entry(group) for group in groups_of)
    return tuple(entries)


def _quotes_said(articles: Sequence[Article], enrichments: Mapping[str, Enrichment]) -> list[_Said]:
    roots = _roots(articles)
    # A speaker one article names without resolving ("Zelensky", no entity) is the entity another
    # article resolved the same name to.
    keys_by_name: dict[str, str] = {}
    for article in articles:
        enrichment = enrichments.get(article.id)
        for quote in enrichment.quotes if enrichment else ():
            if quote.speaker and quote.speaker_entity:
                keys_by_name.setdefault(_folded_name(quote.speaker), quote.speaker_entity)
    found: list[_Said] = []
    for order, article in enumerate(articles):
        enrichment = enrichments.get(article.id)
        if enrichment is None or not enrichment.quotes:
            continue
        text = article.text
        language = enrichment.language or article.language
        when, _ = seen_at(article)
        for quote in enrichment.quotes:
            if quote.confidence < MIN_QUOTE_CONFIDENCE:
                continue
            if text[quote.start : quote.end] != quote.text:
                continue  # the enrichment is from another version of the text: its span would cite wrong words
            folded = tuple(words(quote.text))
            if not folded:
                continue
            bag = frozenset(folded)
            weights = {word: _weight(word, language) for word in bag}
            query = tuple(sorted(bag, key=lambda w: (-weights[w], -len(w), w))[:QUERY_WORDS])
            found.append(
                _Said(
                    article=article,
                    root=roots[article.id],
                    order=order,
                    at=when,
                    quote=quote,
                    speaker_key=_speaker_key(quote, keys_by_name),
                    folded=folded,
                    bag=bag,
                    weights=weights,
                    total=sum(weights.values()),
                    query=query,
                    word_count=len(folded),
                    indirect=quote.kind == QuoteKind.INDIRECT,
                )
            )
    found.sort(key=lambda s: (s.at, s.order, s.quote.start))
    return found


def _folded_name(name: str) -> str:
    return " ".join(words(name))


def _speaker_key(quote: Quote, keys_by_name: Mapping[str, str]) -> str | None:
    if quote.speaker_entity:
        return quote.speaker_entity
    if quote.speaker:
        name = _folded_name(quote.speaker)
        return keys_by_name.get(name, "name:" + name)  # named but not resolved to an entity
    return None


def _group_quotes(said: Sequence[_Said]) -> list[_QuoteGroup]:
    groups: list[_QuoteGroup] = []
    # speaker key (or "") -> word -> groups: a known speaker's quote looks in its own bucket and the
    # unattributed one; an unattributed quote looks in every bucket through ``by_word``. (Nested
    # rather than keyed by pairs: a big story's thousands of key tuples cost the garbage collector.)
    by_speaker_word: dict[str, dict[str, list[int]]] = {}
    by_word: dict[str, list[int]] = {}
    indexed_under: list[str] = []  # the bucket each group was filed in when it began

    def file(group_id: int, item: _Said) -> None:
        bucket = by_speaker_word.setdefault(indexed_under[group_id], {})
        for word in item.bag:
            bucket.setdefault(word, []).append(group_id)
            by_word.setdefault(word, []).append(group_id)

    nothing: dict[str, list[int]] = {}
    for item in said:
        # How many of the query's words each group has (a group counts once per word and bucket).
        found: list[set[int]] = []
        if item.speaker_key is None:
            found.extend(set(by_word.get(word, ())) for word in item.query)
        else:
            own = by_speaker_word.get(item.speaker_key, nothing)
            unattributed = by_speaker_word.get("", nothing)
            for word in item.query:
                found.append(set(own.get(word, ())))
                found.append(set(unattributed.get(word, ())))
        counts = Counter(chain.from_iterable(found))
        best: tuple[float, int] | None = None
        for group_id, _ in counts.most_common(MAX_CANDIDATES):
            group = groups[group_id]
            if item.speaker_key is not None and group.speaker_key not in (None, item.speaker_key):
                continue  # filed as unattributed, then claimed by another speaker
            same_speaker = item.speaker_key is not None and group.speaker_key == item.speaker_key
            score = max((_match(item, wording, same_speaker) for wording in group.wordings), default=0.0)
            if score > 0 and (best is None or score > best[0]):
                best = (score, group_id)
        if best is None:
            groups.append(_QuoteGroup(item.speaker_key, [item], [item]))
            indexed_under.append(item.speaker_key or "")
            file(len(groups) - 1, item)
            continue
        group_id = best[1]
        group = groups[group_id]
        group.members.append(item)
        if group.speaker_key is None and item.speaker_key is not None:
            group.speaker_key = item.speaker_key
        if all(item.bag != wording.bag for wording in group.wordings):
            group.wordings.append(item)
            file(group_id, item)
    return groups


def _match(a: _Said, b: _Said, same_speaker: bool) -> float:
    """How well two wordings match (containment + Jaccard), 0 when they are not the same statement."""
    if min(a.word_count, b.word_count) < MIN_QUOTE_WORDS:
        return 2.0 if a.bag == b.bag else 0.0
    shared = a.bag & b.bag
    if len(shared) < MIN_SHARED_WORDS:
        return 0.0
    weight = sum(a.weights[word] for word in shared)
    containment = weight / min(a.total, b.total)
    jaccard = weight / (a.total + b.total - weight)
    if not same_speaker:
        ok = containment >= UNATTRIBUTED_CONTAINMENT and jaccard >= UNATTRIBUTED_JACCARD
    elif a.indirect != b.indirect:
        ok = containment >= MIXED_KIND_CONTAINMENT and jaccard >= MIXED_KIND_JACCARD
    else:
        ok = containment >= SAME_SPEAKER_CONTAINMENT
    return containment + jaccard if ok else 0.0


def _worth_showing(group: _QuoteGroup) -> bool:
    if group.members[0].word_count >= MIN_QUOTE_WORDS:
        return True
    return len({member.root for member in group.members}) >= 2


def _quote_entry(group: _QuoteGroup) -> QuoteEntry:
    first = group.members[0]
    citations: list[Citation] = []
    cited: set[str] = set()
    variants: list[QuoteVariant] = []
    wordings: set[tuple[str, ...]] = set()
    for member in group.members:
        if member.article.id in cited:
            continue  # an article repeating its own quote is one report
        cited.add(member.article.id)
        citations.append(member.citation)
        if wordings and member.folded not in wordings:
            variants.append(QuoteVariant(member.quote.text, member.article.outlet, member.citation))
        wordings.add(member.folded)
    names = Counter(member.quote.speaker for member in group.members if member.quote.speaker)
    speaker = max(names, key=lambda name: (names[name], len(name))) if names else None
    key = group.speaker_key
    return QuoteEntry(
        speaker=speaker,
        speaker_entity=key if key is not None and not key.startswith("name:") else None,
        text=first.quote.text,
        kind=str(first.quote.kind),
        citations=tuple(citations),
        variants=tuple(variants),
        first_outlet=first.article.outlet,
        first_at=first.at,
        first_seen=min(naive_utc(member.article.ingested_at) for member in group.members),
    )


# ---------------------------------------------------------------- figures


@dataclass(slots=True, eq=False)
class _Stated:
    """One figure in one article, with what grouping compares."""

    article: Article
    root: str
    copy: bool  # a syndicated copy of another article in the story
    order: int
    at: datetime
    figure: Figure
    counted: str  # normalised: the group key with the unit
    event_date: str | None
    context: frozenset[str]
    low: float
    high: float

    @property
    def citation(self) -> Citation:
        return Citation(self.article.id, self.figure.start, self.figure.end)


@dataclass(slots=True, eq=False)
class _Quantity:
    event_date: str | None
    reports: list[_Stated] = field(default_factory=list)
    distinct: list[_Stated] = field(default_factory=list)  # one report per distinct value: what is compared
    values: dict[str, list[float]] = field(default_factory=dict)  # article id -> values it gives
    context: set[str] = field(default_factory=set)


def figure_ledger(
    articles: Sequence[Article], enrichments: Mapping[str, Enrichment]
) -> tuple[FigureEntry, ...]:
    """The story's quantities, each with every outlet's value, the most widely reported first."""
    grouped = _figures_stated(articles, enrichments)
    quantities: list[_Quantity] = []
    for stated in grouped.values():
        quantities.extend(_split_quantities(stated))
    entries = [(_figure_entry(quantity), quantity) for quantity in quantities]
    entries.sort(
        key=lambda pair: (
            -len({report.root for report in pair[1].reports}),
            pair[1].reports[0].at,
            pair[1].reports[0].order,
            pair[1].reports[0].figure.start,
        )
    )
    return tuple(entry for entry, _ in entries[:MAX_FIGURE_ENTRIES])


def _figures_stated(
    articles: Sequence[Article], enrichments: Mapping[str, Enrichment]
) -> dict[tuple[str, str], list[_Stated]]:
    """Every usable figure, grouped by (normalised counted noun, unit), each group in time order."""
    roots = _roots(articles)
    grouped: dict[tuple[str, str], list[_Stated]] = {}
    for order, article in enumerate(articles):
        enrichment = enrichments.get(article.id)
        if enrichment is None or not enrichment.figures:
            continue
        text = article.text
        language = enrichment.language or article.language
        when, _ = seen_at(article)
        # A year ("in 2008") dates background, not the event a figure belongs to.
        event_dates = {
            event.sentence: event.date
            for event in enrichment.events
            if event.precision in (DatePrecision.DAY, DatePrecision.WEEK)
        }
        for figure in enrichment.figures:
            if text[figure.start : figure.end] != figure.text:
                continue  # stale enrichment: the span would cite other words
            counted = normalise_counted(figure.counted)
            unit = figure.unit or ""
            if not counted and (not unit or unit in _UNITS_NEEDING_NOUN):
                continue  # "40", "12 years": nothing says what is measured
            if _looks_like_year(figure, counted):
                continue
            low, high = _bounds(figure)
            grouped.setdefault((counted, unit), []).append(
                _Stated(
                    article=article,
                    root=roots[article.id],
                    copy=roots[article.id] != article.id,
                    order=order,
                    at=when,
                    figure=figure,
                    counted=counted,
                    event_date=event_dates.get(figure.sentence),
                    context=_context_words(text, figure, enrichment, counted, language),
                    low=low,
                    high=high,
                )
            )
    _keep_telling_context(grouped.values())
    for stated in grouped.values():
        stated.sort(key=lambda s: (s.at, s.order, s.figure.start))
    return grouped


def _keep_telling_context(groups: Iterable[list[_Stated]]) -> None:
    """Drop the context words that surround too many of the story's figures to tell any apart."""
    reports = [report for stated in groups for report in stated]
    counts = Counter(word for report in reports for word in report.context)
    limit = max(3, MAX_CONTEXT_SHARE * len(reports))
    for report in reports:
        report.context = frozenset(word for word in report.context if counts[word] <= limit)


def normalise_counted(counted: str | None) -> str:
    """What a figure counts, in a form outlets share: "The Drones" and "drone" both give "drone"."""
    if not counted:
        return ""
    folded = [fold(word) for word in re.findall(r"[^\W_]+", counted)]
    while folded and folded[0] in _DETERMINERS:
        folded.pop(0)
    return " ".join(_singular(word) for word in folded)


def _singular(word: str) -> str:
    if len(word) <= 3 or word in _SINGULAR_S or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")):
        return word[:-2]
    if word == "children":
        return "child"
    if word.endswith("s"):
        return word[:-1]
    return word


def _looks_like_year(figure: Figure, counted: str) -> bool:
    """A calendar year the extractor let through ("the 2024 election"): a bare 4-digit number, singular noun."""
    if figure.unit or figure.qualifier or not _YEAR_LIKE.match(figure.text.strip()):
        return False
    if not float(figure.value).is_integer() or not 1800 <= figure.value <= 2100:
        return False
    written = fold((figure.counted or "").split()[-1]) if figure.counted else ""
    return _singular(written) == written  # "2000 volunteers" counts people; "2024 election" is a date


def _bounds(figure: Figure) -> tuple[float, float]:
    """The values a figure allows, given its range and qualifier."""
    low = figure.value
    high = figure.value_max if figure.value_max is not None else figure.value
    low, high = min(low, high), max(low, high)
    low_factor, high_factor = _QUALIFIER_BOUNDS.get(figure.qualifier or "", (1.0, 1.0))
    return low - abs(low) * (1 - low_factor), high + abs(high) * (high_factor - 1)


def _context_words(
    text: str,
    figure: Figure,
    enrichment: Enrichment,
    counted: str,
    language: str | None,
) -> frozenset[str]:
    """The informative words either side of the figure within its sentence ("killed", "launched")."""
    start, end = 0, len(text)
    if 0 <= figure.sentence < len(enrichment.sentences):
        sentence = enrichment.sentences[figure.sentence]
        start, end = sentence.start, sentence.end
    before = words(text[start : figure.start])[-CONTEXT_WORDS:]
    after = words(text[figure.end : end])[:CONTEXT_WORDS]
    counted_words = set(counted.split())
    return frozenset(
        word
        for word in before + after
        if len(word) >= 3
        and not any(char.isdigit() for char in word)
        and _singular(word) not in counted_words
        and _weight(word, language) > 1.0
    )


def _split_quantities(stated: Sequence[_Stated]) -> list[_Quantity]:
    """Reports of one (counted, unit) group, split into the separate quantities they state."""
    quantities: list[_Quantity] = []
    # Quantity numbers by their reports' context words and event dates. A report with no counted
    # noun, or a vague one, ties to a quantity only through those (see ``_fit``): it is compared
    # with the quantities sharing one, not with every quantity of a large group ("$", "%").
    by_context: dict[str, set[int]] = {}
    by_event: dict[str, set[int]] = {}
    for report in stated:
        candidates: Iterable[int] = range(len(quantities))
        if _loose(report):
            shared: set[int] = set()
            for word in report.context:
                shared.update(by_context.get(word, ()))
            if report.event_date:
                shared.update(by_event.get(report.event_date, ()))
            candidates = sorted(shared)  # in order, as the full scan: the first best fit wins
        best: tuple[float, int] | None = None
        for number in candidates:
            score = _fit(report, quantities[number])
            if score is not None and (best is None or score > best[0]):
                best = (score, number)
        if best is None:
            number = len(quantities)
            quantities.append(_Quantity(report.event_date))
        else:
            number = best[1]
        quantity = quantities[number]
        own = quantity.values.setdefault(report.article.id, [])
        if any(_same_value(report.figure.value, value) for value in own):
            continue  # the article restating its own figure is one report
        own.append(report.figure.value)
        quantity.reports.append(report)
        for word in report.context:
            by_context.setdefault(word, set()).add(number)
        if report.event_date:
            by_event.setdefault(report.event_date, set()).add(number)
        if not any(_same_value(report.figure.value, other.figure.value) for other in quantity.distinct):
            quantity.distinct.append(report)
        quantity.context |= report.context
        if quantity.event_date is None:
            quantity.event_date = report.event_date
    return quantities


def _fit(report: _Stated, quantity: _Quantity) -> float | None:
    """How well REPORT fits QUANTITY (higher is better), None when it cannot be the same quantity.

    Ties are judged against single earlier reports, not the quantity as a whole: a quantity that
    has gathered many contexts would otherwise attract everything.
    """
    if report.event_date and quantity.event_date and not _same_event(report.event_date, quantity.event_date):
        return None
    own = quantity.values.get(report.article.id)
    if own and not any(_same_value(report.figure.value, value) for value in own):
        return None  # one article giving two values counts two things ("killed 4 and injured 40")
    loose = _loose(report)
    # Shares ("15% of the vote") are as general as "people": the same noun counts many different things.
    generic = report.counted in _GENERIC_COUNTED or report.figure.unit == "%"
    best: float | None = None
    others = quantity.reports[-RECENT_REPORTS:] + [
        r for r in quantity.distinct if r not in quantity.reports[-RECENT_REPORTS:]
    ]
    for other in others:
        ratio = _ratio(report.figure.value, other.figure.value)
        if math.isinf(ratio) or ratio > MAX_VALUE_RATIO:
            continue
        overlap = len(report.context & other.context)
        same_event = bool(report.event_date) and report.event_date == other.event_date
        compatible = not _vague(other) and _compatible(report, other)
        # A context word alone ties values up to 3x apart only for the same event: "killed" is around
        # every toll of a war, and "of the vote" around every candidate's share.
        tied = (
            (compatible and not loose)
            or (ratio <= CLOSE_VALUE_RATIO and not loose and (not generic or overlap > 0 or same_event))
            or ((compatible or ratio <= TIED_VALUE_RATIO) and same_event)
            or (loose and overlap > 0 and ratio <= CLOSE_VALUE_RATIO)
        )
        if tied:
            score = compatible + same_event + overlap / (1 + len(report.context)) - math.log(ratio)
            best = score if best is None else max(best, score)
    return best


def _loose(report: _Stated) -> bool:
    """Whether only context (a shared context word or event date) can tie REPORT to a quantity:
    "3.4%" alone says nothing of what it measures, and "thousands" fits any count."""
    return not report.counted or _vague(report)


def _vague(report: _Stated) -> bool:
    return report.figure.qualifier == "several"  # "hundreds", "tens of thousands": a range, not a count


def _same_event(a: str, b: str) -> bool:
    # "2025-11" and "2025-11-30" can be the same event told at different precision.
    return a.startswith(b) or b.startswith(a)


def _ratio(a: float, b: float) -> float:
    """How many times larger one value is than the other; infinite across zero."""
    if a == b:
        return 1.0
    if a * b <= 0:
        return math.inf
    a, b = abs(a), abs(b)
    return max(a, b) / min(a, b)


def _same_value(a: float, b: float) -> bool:
    return abs(a - b) <= ROUNDING_TOLERANCE * max(abs(a), abs(b))


def _compatible(a: _Stated, b: _Stated) -> bool:
    """Whether two reports can state the same value, allowing for qualifiers and rounding."""
    margin = ROUNDING_TOLERANCE * max(abs(a.figure.value), abs(b.figure.value))
    if a.low - margin <= b.high and b.low - margin <= a.high:
        return True
    return _rounds_to(a.figure.value, b.figure.value) or _rounds_to(b.figure.value, a.figure.value)


def _rounds_to(rounded: float, exact: float) -> bool:
    """Whether ROUNDED is EXACT rounded to ROUNDED's precision: 1.5bn for 1.46bn, 19.3 for 19.27."""
    if rounded == 0:
        return False
    if float(rounded).is_integer():
        if abs(rounded) < 1000:
            return False  # 20 for 22 killed is a different count, not rounding
        step = 10 ** (len(str(int(abs(rounded)))) - len(str(int(abs(rounded))).rstrip("0")))
    else:
        decimals = len(f"{abs(rounded):.10f}".rstrip("0").split(".")[1])
        step = 10.0**-decimals
    if abs(rounded - exact) > 0.05 * abs(exact):
        return False  # 100,000 is not 75,000 rounded, whatever its one significant digit allows
    return math.isclose(round(exact / step) * step, rounded, rel_tol=1e-9)


def _figure_entry(quantity: _Quantity) -> FigureEntry:
    reports = quantity.reports
    # Copies repeat their original's figure: they are cited, but are no outlet's own report.
    sources = [report for report in reports if not report.copy] or reports[:1]
    # "Thousands" neither contradicts nor updates "1,700": vague reports are listed, not weighed.
    measured = [report for report in sources if not _vague(report)] or sources
    classes = _value_classes(measured)
    class_of = {id(report): number for number, members in enumerate(classes) for report in members}
    runs = [class_of[id(report)] for report in measured]
    collapsed = [
        number for position, number in enumerate(runs) if position == 0 or runs[position - 1] != number
    ]
    interleaved = len(collapsed) != len(set(collapsed))
    simultaneous = _differ_at_the_same_time(measured, class_of)
    latest = measured[-1].at
    recent = Counter(class_of[id(report)] for report in measured if latest - report.at <= SAME_TIME)
    top = max(recent.values())
    tied = {number for number, count in recent.items() if count == top}
    chosen_class = next(class_of[id(r)] for r in reversed(measured) if class_of[id(r)] in tied)
    behind = next(r for r in reversed(measured) if class_of[id(r)] == chosen_class)
    first = measured[0]
    changed = chosen_class != class_of[id(first)] and classes[chosen_class][0].at - first.at > SAME_TIME
    citations = [behind.citation]
    cited = {behind.article.id}
    for report in reports:
        if report.article.id not in cited:
            cited.add(report.article.id)
            citations.append(report.citation)
    return FigureEntry(
        value=behind.figure.value,
        value_max=behind.figure.value_max,
        unit=behind.figure.unit,
        counted=behind.figure.counted,
        text=behind.figure.text,
        citations=tuple(citations),
        reports=tuple(_figure_report(report) for report in sources),
        disagreement=interleaved or simultaneous,
        changed=changed,
        event_date=quantity.event_date,
        first_seen=min(naive_utc(report.article.ingested_at) for report in reports),
    )


def _differ_at_the_same_time(reports: Sequence[_Stated], class_of: Mapping[int, int]) -> bool:
    """Whether two sources (in time order) give incompatible values within SAME_TIME of each other."""
    for position, earlier in enumerate(reports):
        for later in reports[position + 1 :]:
            if later.at - earlier.at > SAME_TIME:
                break
            if later.root != earlier.root and class_of[id(later)] != class_of[id(earlier)]:
                return True
    return False


def _value_classes(reports: Iterable[_Stated]) -> list[list[_Stated]]:
    """Reports sorted into classes of compatible values, each class led by its first report."""
    classes: list[list[_Stated]] = []
    for report in reports:
        for members in classes:
            if _compatible(report, members[0]):
                members.append(report)
                break
        else:
            classes.append([report])
    return classes


def _figure_report(report: _Stated) -> FigureReport:
    return FigureReport(
        value=report.figure.value,
        value_max=report.figure.value_max,
        qualifier=report.figure.qualifier,
        text=report.figure.text,
        outlet=report.article.outlet,
        at=report.at,
        citation=report.citation,
    )
