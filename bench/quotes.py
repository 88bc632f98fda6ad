"""Quotes and their speakers on PolNeAR dev: ours beside a nearest-preceding-person baseline, same run.

    .venv/bin/python -m bench.quotes [--split dev|train] [--limit N] [--no-record]

Data: ``quotes/polnear/polnear_train_dev.tar.xz`` (brat standoff: Source, Cue and Content spans
joined by Attribution events). Some dev articles were annotated by several annotators: each article
is scored once, against the annotation file whose annotator id sorts first. Every system gets the
same sentences and entity mentions (``split_sentences`` and ``find_entities`` over a spaCy doc).

Rules, exactly:

* **Direct-quote subset.** A gold attribution is direct when every piece of its Content span is
  enclosed in quote marks: after trimming spaces and ``,.;:`` at both ends, the piece opens with a
  quote mark (or one stands right before it, spaces and punctuation aside) and closes with one (or
  one stands right after it), and inside it no words stand outside a pair of double marks (so
  ``Trump was "absolutely right" when he said "..."`` is not direct). Both double marks (straight,
  curly, ``''``, guillemets) and single marks count.
* **Span matching.** Gold direct pieces are compared with our DIRECT and PARTIAL quotes after both
  are normalised (quote marks, spaces and ``,.;:!?…`` trimmed at the ends). *Exact*: the normalised
  character spans are equal. *Overlap*: the word tokens shared are at least half of the longer
  span's. Matching is one-to-one, best overlap first. A predicted quote lying inside a gold
  *indirect* Content span (a fragment the annotators folded into reported speech) is neither a
  true nor a false positive here.
* **Speaker accuracy**, over gold direct attributions that were found (overlap match). The gold
  Source is a *name* (a capitalised word after its first, or one capitalised word the article never
  writes in lower case), a *pronoun*, or a *description* ("a senior official", "Protesters"). A name:
  right when any mention of the predicted entity overlaps the Source span, or the entity's surname
  (last word of its name or of an alias) is a word of the Source. A pronoun: right when the
  predicted entity's name shares a word with the person the pronoun names. PolNeAR has no
  coreference layer, so on dev every pronoun Source of a direct quote was resolved by hand from
  the article (``PRONOUN_REFERENTS``, 111 cases: article, Source offset, name; "@author" for the
  writer's own "I", right only with no entity predicted); elsewhere an automatic proxy stands in
  (``chain_name``: the nearest earlier named gold Source or sentence-opening name; it is often
  wrong, so train pronoun scores are only indicative). A description: right when we predict no
  entity and our speaker words overlap it, or when a mention of the predicted entity overlaps it.
  A gold attribution with no Source is right when we predicted no speaker. Where an annotator
  swapped Source and Cue (the Source span is "said"), they are swapped back.
* **Cue accuracy**, over the same found attributions: our cue span overlaps the gold Cue span.
* **All attributions** (lower bar): every gold attribution against every quote we return, and gold
  non-direct attributions against our INDIRECT quotes, by word overlap at least half of the longer.
* **Baseline**: the same quotes as ours, speaker = the nearest PERSON mention ending before the
  quote starts.
* **Speed**: ``find_quotes`` alone (sentences, entities and spaCy are timed apart), reported as ms
  per 600 words of article text.
"""

from __future__ import annotations

import argparse
import re
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bench.common import markdown_table, record_section, require_data, unpack
from dateline.enrich.entities import find_entities
from dateline.enrich.nlp import load_pipeline
from dateline.enrich.quotes import QuoteAttribution, attribute_quotes
from dateline.enrich.sentences import split_sentences
from dateline.models import Entity, EntityMention, EntityType, QuoteKind

OPENING_MARKS = "\"“„«‘‹'`"
CLOSING_MARKS = "\"”»’›'"
DOUBLE_MARKS = re.compile(r"''|``|[\"“”„«»]")
EDGE_NOISE = " \t\n,.;:!?…" + OPENING_MARKS + CLOSING_MARKS
PRONOUNS = frozenset(
    ["he", "she", "they", "it", "i", "we", "you", "him", "her", "them", "his", "hers", "its", "their"]
)
WORD = re.compile(r"\w+")
SWAPPED_SOURCE_WORDS = frozenset(["said", "says", "say", "told", "added", "wrote", "asked", "noted"])
DETERMINERS = frozenset(["the", "a", "an", "one", "another", "some", "two", "three", "several"])


@dataclass(frozen=True)
class GoldAttribution:
    content: tuple[tuple[int, int], ...]
    source: tuple[tuple[int, int], ...] | None
    cue: tuple[tuple[int, int], ...] | None
    source_text: str
    direct: bool


@dataclass(frozen=True)
class GoldArticle:
    name: str
    text: str
    attributions: tuple[GoldAttribution, ...]


def polnear_articles(split: str) -> list[GoldArticle]:
    root = unpack(require_data("quotes", "polnear", "polnear_train_dev.tar.xz"), "polnear") / "data" / split
    chosen: dict[str, Path] = {}
    for annotation in sorted((root / "attributions").glob("*.ann")):
        chosen.setdefault(annotation.stem.rsplit("_", 1)[0], annotation)
    articles = []
    for name, annotation in sorted(chosen.items()):
        text_path = root / "text" / f"{name}.txt"
        if text_path.exists():
            text = text_path.read_text(encoding="utf-8")
            articles.append(GoldArticle(name, text, tuple(_read_brat(annotation, text))))
    return articles


def _read_brat(path: Path, text: str) -> list[GoldAttribution]:
    spans: dict[str, tuple[tuple[int, int], ...]] = {}
    events: list[dict[str, str]] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if line.startswith("T") and len(parts) >= 2:
            _, _, offsets = parts[1].partition(" ")
            pieces = tuple(
                (int(a), int(b)) for a, b in (piece.split() for piece in offsets.split(";") if piece.strip())
            )
            spans[parts[0]] = tuple(sorted(pieces))
        elif line.startswith("E") and len(parts) >= 2:
            events.append(dict(argument.split(":", 1) for argument in parts[1].split()))
    attributions = []
    for event in events:
        content = spans.get(event.get("Content", ""))
        if not content:
            continue
        source = spans.get(event.get("Source", ""))
        cue = spans.get(event.get("Cue", ""))
        if source and cue and " ".join(text[a:b] for a, b in source).lower() in SWAPPED_SOURCE_WORDS:
            source, cue = cue, source  # the annotator swapped them: the Source span holds the verb
        source_text = " ".join(text[a:b] for a, b in source) if source else ""
        attributions.append(
            GoldAttribution(content, source, cue, source_text, all(_enclosed(text, a, b) for a, b in content))
        )
    return attributions


def _enclosed(text: str, start: int, end: int) -> bool:
    """Whether TEXT[START:END] is quoted words: opened and closed by quote marks, nothing outside them."""
    while start < end and text[start] in " \t\n,.;:":
        start += 1
    while end > start and text[end - 1] in " \t\n,.;:":
        end -= 1
    if end <= start:
        return False
    before = text[max(0, start - 3) : start].rstrip(" \t,.;:")
    after = text[end : end + 3].lstrip(" \t,.;:!?")
    opens = text[start] in OPENING_MARKS or (before[-1:] in OPENING_MARKS and before != "")
    closes = text[end - 1] in CLOSING_MARKS or (after[:1] in CLOSING_MARKS and after != "")
    if not (opens and closes):
        return False
    marks = list(DOUBLE_MARKS.finditer(text, start, end))
    # Words between a closing and the next opening double mark are outside the quotation.
    return all(
        not WORD.search(text, closing.end(), opening.start())
        for closing, opening in zip(marks[1::2], marks[2::2], strict=False)
    )


# ---------------------------------------------------------------- matching


def normalised(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start] in EDGE_NOISE or text[start : start + 2] in ("''", "``")):
        start += 1
    while end > start and (text[end - 1] in EDGE_NOISE):
        end -= 1
    return start, end


def word_starts(text: str, spans: Sequence[tuple[int, int]]) -> frozenset[int]:
    return frozenset(match.start() for a, b in spans for match in WORD.finditer(text, a, b))


def overlap_score(predicted: frozenset[int], gold: frozenset[int]) -> float:
    if not predicted or not gold:
        return 0.0
    return len(predicted & gold) / max(len(predicted), len(gold))


def one_to_one(scores: dict[tuple[int, int], float], threshold: float) -> dict[int, tuple[int, float]]:
    """gold index -> (predicted index, score), greedy on the best score."""
    taken_gold: dict[int, tuple[int, float]] = {}
    taken_predicted: set[int] = set()
    for (gold, predicted), score in sorted(scores.items(), key=lambda item: -item[1]):
        if score < threshold or gold in taken_gold or predicted in taken_predicted:
            continue
        taken_gold[gold] = (predicted, score)
        taken_predicted.add(predicted)
    return taken_gold


@dataclass
class Counts:
    tp: int = 0
    predicted: int = 0
    gold: int = 0

    def prf(self) -> tuple[float, float, float]:
        precision = self.tp / self.predicted if self.predicted else 0.0
        recall = self.tp / self.gold if self.gold else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1


@dataclass
class Accuracy:
    right: int = 0
    total: int = 0
    by_form: Counter[str] = field(default_factory=Counter)
    right_by_form: Counter[str] = field(default_factory=Counter)

    def add(self, correct: bool, form: str) -> None:
        self.total += 1
        self.right += correct
        self.by_form[form] += 1
        self.right_by_form[form] += correct

    @property
    def value(self) -> float:
        return self.right / self.total if self.total else 0.0


# ---------------------------------------------------------------- speakers


def source_form(source_text: str, article_text: str = "") -> str:
    """name ("Mr. Trump", "The New York Post": a capitalised word after the first, or a single
    capitalised word the article never writes in lower case), pronoun ("he"), or description ("a
    source", "Small groups of protesters", "Protesters")."""
    words = source_text.split()
    if not words:
        return "none"
    if all(word.lower().strip(",.") in PRONOUNS for word in words):
        return "pronoun"
    if any(word[:1].isupper() for word in words[1:]):
        return "name"
    first = words[0]
    if len(words) == 1 and first[:1].isupper():
        lower_case_elsewhere = re.search(rf"\b{re.escape(first.lower())}\b", article_text)
        return "description" if lower_case_elsewhere else "name"
    return "description"


def surnames(entity: Entity | None, name: str) -> set[str]:
    names = [name, *(entity.aliases if entity else ())]
    found = set()
    for item in names:
        words = [
            w for w in WORD.findall(item.lower()) if len(w) > 1 and w not in ("s", "mr", "ms", "mrs", "dr")
        ]
        if words:
            found.add(words[-1])
    return found


SENTENCE_START = re.compile(
    r"(?:^|(?<=[.!?][\"”’)]\s)|(?<=[.!?]\s)|(?<=\n))\s*([A-Z][\w’'.-]*(?:\s+(?:of\s+|the\s+)?[A-Z][\w’'.-]*)*)"
)
STARTER_WORDS = frozenset(
    [
        "The",
        "A",
        "An",
        "But",
        "And",
        "In",
        "On",
        "At",
        "As",
        "After",
        "Before",
        "When",
        "While",
        "If",
        "Although",
        "Though",
        "Since",
        "Because",
        "So",
        "Yet",
        "Or",
        "This",
        "That",
        "These",
        "Those",
        "There",
        "Here",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "You",
        "His",
        "Her",
        "Its",
        "Their",
        "Our",
        "My",
        "Your",
        "Some",
        "Many",
        "Most",
        "All",
        "No",
        "Not",
        "One",
        "Two",
        "Both",
        "Each",
        "Other",
        "Others",
        "What",
        "Who",
        "Why",
        "How",
        "Where",
        "Which",
        "Earlier",
        "Later",
        "Last",
        "Next",
        "During",
        "Under",
        "Over",
        "Despite",
        "According",
        "By",
        "From",
        "To",
        "Only",
        "Even",
        "Such",
        "Another",
        "Several",
        "Few",
        "More",
        "Among",
        "Until",
        "Still",
        "Now",
        "Then",
        "Today",
        "Yesterday",
        "Tomorrow",
        "Meanwhile",
        "Also",
        "However",
        "Asked",
        "Speaking",
    ]
)


def chain_name(gold: GoldAttribution, article: GoldArticle) -> str | None:
    """Who a pronoun Source names, by the annotation chain: the nearest before it of (a) a gold Source
    that names someone and (b) a sentence opening with a capitalised name (its subject, "Rubio
    disagreed."). PolNeAR has no coreference layer; this proxy is checked by hand in BENCHMARKS.md."""
    if gold.source is None:
        return None
    start = gold.source[0][0]
    best: tuple[int, str] | None = None
    for other in article.attributions:
        if other.source is None or other.source[0][0] >= start:
            continue
        if source_form(other.source_text, article.text) != "name":
            continue
        if best is None or other.source[0][0] > best[0]:
            best = (other.source[0][0], other.source_text)
    for match in SENTENCE_START.finditer(article.text, max(0, start - 1500), start):
        words = [w for w in match.group(1).split() if w not in ("of", "the")]
        while words and words[0].strip(".,") in STARTER_WORDS:
            words.pop(0)
        if words and (best is None or match.start(1) > best[0]) and match.start(1) < start:
            best = (match.start(1), words[-1])
    return best[1] if best else None


# Who each pronoun Source of a dev direct quote names, read by hand from the article (PolNeAR has no
# coreference layer): (article, Source start) -> the words of the referent's name any of which the
# predicted speaker's name must contain. "@author" is the article's own writer ("I"): right only with
# no entity predicted. Train articles fall back to the automatic proxy in chain_name().
PRONOUN_REFERENTS: dict[tuple[str, int], str] = {
    ("breitbart_2016-09-29_politifact-donald-trump-is-right", 713): "trump",  # He
    ("breitbart_2016-09-30_the-latest-trump-urges-supporter", 1336): "trump",  # he
    ("breitbart_2016-09-30_the-latest-trump-urges-supporter", 1954): "trump",  # He
    ("breitbart_2016-09-30_the-latest-trump-urges-supporter", 2198): "trump",  # He
    ("breitbart_2016-09-30_the-latest-trump-urges-supporter", 6056): "trump",  # He
    ("breitbart_2016-09-30_the-latest-trump-urges-supporter", 13822): "clinton",  # She
    ("breitbart_2016-10-02_washington-post-hit-piece-exploi", 1875): "melanie",  # she
    ("breitbart_2016-10-02_washington-post-hit-piece-exploi", 2373): "melanie",  # she
    ("breitbart_2016-10-02_washington-post-hit-piece-exploi", 2460): "melanie",  # she
    ("breitbart_2016-10-02_washington-post-hit-piece-exploi", 3089): "melanie",  # she
    ("breitbart_2016-10-02_washington-post-hit-piece-exploi", 3376): "trump",  # he
    ("breitbart_2016-10-02_washington-post-hit-piece-exploi", 3589): "melanie",  # she
    ("breitbart_2016-10-03_the-latest-trump-s-leaked-taxes-", 1545): "clinton",  # She
    ("breitbart_2016-10-03_the-latest-trump-s-leaked-taxes-", 3770): "trump",  # He
    ("breitbart_2016-10-03_the-latest-trump-s-leaked-taxes-", 6831): "trump",  # he
    ("breitbart_2016-10-04_bill-clinton-calls-obamacare-cra", 749): "clinton",  # he
    ("huff-post_2016-09-20_hillary-clinton-speaks-directly-", 785): "clinton",  # she
    ("huff-post_2016-09-27_hillary-clinton-goes-after-donal", 3242): "clinton",  # she
    ("huff-post_2016-09-27_hillary-clinton-goes-after-donal", 5923): "perdue",  # he
    ("huff-post_2016-10-07_ava-duvernay-s-th-explores-the-e", 1094): "duvernay",  # she
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 808): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 945): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 3081): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 9069): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 11136): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 11260): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 16347): "obama",  # he
    ("nyt_2016-09-08_obama-on-climate-change-the-tren", 17458): "obama",  # he
    ("nyt_2016-09-12_visa-program-up-for-renewal-amid", 2752): "leahy grassley",  # they
    ("nyt_2016-09-12_visa-program-up-for-renewal-amid", 4357): "brunner",  # she
    ("nyt_2016-09-16_clinton-plan-for-taxes-is-expans", 9680): "kamin",  # he
    ("nyt_2016-09-19_old-hands-help-russia-navigate-u", 3087): "dickey",  # he
    ("nyt_2016-09-24_small-steps-toward-college-savin", 2649): "mckinley",  # he
    ("nyt_2016-09-24_small-steps-toward-college-savin", 3922): "mckinley",  # he
    ("nyt_2016-09-25_obama-says-african-american-muse", 1099): "obama",  # he
    ("nyt_2016-09-25_obama-says-african-american-muse", 5724): "rawlings",  # she
    ("nyt_2016-09-25_obama-says-african-american-muse", 5885): "rawlings",  # she
    ("nyt_2016-09-25_obama-says-african-american-muse", 6244): "wilson",  # he
    ("nyt_2016-09-25_obama-says-african-american-muse", 7429): "obama",  # he
    ("nyt_2016-09-28_what-mexico-could-do-when-up-aga", 2843): "villarreal guajardo",  # he
    ("nyt_2016-10-02_a-curious-plan-to-fight-climate-", 21332): "clarke",  # he
    ("nyt_2016-10-02_a-curious-plan-to-fight-climate-", 21673): "clarke",  # he
    ("politico_2016-09-12_former-dnc-chairman-calls-for-cl", 1095): "fowler",  # he
    ("politico_2016-09-12_former-dnc-chairman-calls-for-cl", 1348): "fowler",  # he
    ("politico_2016-09-12_former-dnc-chairman-calls-for-cl", 2015): "fowler",  # he
    ("politico_2016-09-12_former-dnc-chairman-calls-for-cl", 2814): "rendell",  # he
    ("politico_2016-09-12_former-dnc-chairman-calls-for-cl", 3367): "rendell",  # he
    ("politico_2016-09-12_former-dnc-chairman-calls-for-cl", 5934): "fowler",  # he
    ("politico_2016-09-15_trump-s-favorite-tv-doctor-has-a", 4839): "mccaskill",  # she
    ("politico_2016-09-17_de-blasio-says-chelsea-explosion", 1759): "trump",  # he
    ("politico_2016-09-28_axelrod-calls-on-dean-to-apologi", 751): "dean",  # He
    ("politico_2016-10-04_trump-not-walking-the-walk-on-hi", 3733): "clinton",  # she
    ("politico_2016-10-04_trump-not-walking-the-walk-on-hi", 4466): "trump",  # he
    ("usa-today_2016-09-08_candidates-vie-for-vets-support-", 1813): "trump",  # he
    ("usa-today_2016-09-08_candidates-vie-for-vets-support-", 3390): "palmieri",  # she
    ("usa-today_2016-09-08_lawmaker-urges-retaliation-on-ru", 2332): "schiff",  # he
    ("usa-today_2016-09-23_trump-questions-the-fairness-of-", 1569): "formicola",  # she
    ("usa-today_2016-10-03_my-father-would-have-loved-trump", 1801): "@author",  # I
    ("usa-today_2016-10-03_my-father-would-have-loved-trump", 1915): "@author",  # I
    ("usa-today_2016-10-03_my-father-would-have-loved-trump", 2007): "meehan olive",  # she
    ("wash-post_2016-09-08_virginian-could-make-history-aga", 6707): "scott",  # he
    ("wash-post_2016-09-08_virginian-could-make-history-aga", 8683): "scott",  # he
    ("wash-post_2016-09-08_virginian-could-make-history-aga", 8939): "scott",  # he
    ("wash-post_2016-09-10_outrage-but-few-options-on-the-t", 860): "security council",  # they
    ("wash-post_2016-09-10_outrage-but-few-options-on-the-t", 2283): "obama",  # he
    ("wash-post_2016-09-10_outrage-but-few-options-on-the-t", 2682): "ban ki-moon moon",  # he
    ("wash-post_2016-09-10_outrage-but-few-options-on-the-t", 3095): "kerry",  # he
    ("wash-post_2016-09-14_a-lesson-from-loretta-lynch-be-t", 1382): "lynch",  # she
    ("wash-post_2016-09-14_a-lesson-from-loretta-lynch-be-t", 3111): "lynch",  # she
    ("wash-post_2016-09-14_a-lesson-from-loretta-lynch-be-t", 4396): "lynch",  # she
    ("wash-post_2016-09-16_burma-leader-s-visit-to-washingt", 2488): "suu kyi",  # she
    ("wash-post_2016-09-18_e-u-leaders-weigh-plans-for-grea", 7953): "witney",  # he
    ("wash-post_2016-09-21_mixed-messages-on-trump-leave-pl", 952): "miller",  # he
    ("wash-post_2016-09-21_mixed-messages-on-trump-leave-pl", 2103): "ivanka",  # she
    ("wash-post_2016-09-21_mixed-messages-on-trump-leave-pl", 3322): "mathur",  # she
    ("wash-post_2016-09-25_federal-court-rules-against-ohio", 1952): "pepper",  # he
    ("wash-post_2016-09-25_phone-video-is-first-public-look", 1276): "rakeyia",  # she
    ("wash-post_2016-09-25_phone-video-is-first-public-look", 1359): "rakeyia",  # She
    ("wash-post_2016-09-25_phone-video-is-first-public-look", 1669): "rakeyia",  # she
    ("wash-post_2016-09-25_phone-video-is-first-public-look", 1892): "rakeyia",  # she
    ("wash-post_2016-09-26_ah-friends-once-more-ted-cruz-en", 2122): "cruz",  # he
    ("wash-post_2016-09-26_charlotte-struggles-to-return-to", 1707): "tompkins",  # he
    ("west-journal_2016-09-12_obama-seeks-more-muslim-refugees", 946): "obama",  # he
    ("west-journal_2016-09-15_retired-general-reveals-demorali", 613): "ham",  # he
    ("west-journal_2016-09-15_retired-general-reveals-demorali", 919): "ham",  # he
    ("west-journal_2016-09-15_retired-general-reveals-demorali", 1376): "ham",  # he
    ("west-journal_2016-09-15_retired-general-reveals-demorali", 1638): "ham",  # he
    ("west-journal_2016-09-15_retired-general-reveals-demorali", 1898): "ham",  # he
    ("west-journal_2016-09-21_chris-christie-calls-hillary-cli", 666): "clinton",  # she
    ("west-journal_2016-09-21_chris-christie-calls-hillary-cli", 1035): "clinton",  # she
    ("west-journal_2016-09-21_chris-christie-calls-hillary-cli", 1659): "christie",  # he
    ("west-journal_2016-09-21_chris-christie-calls-hillary-cli", 3263): "trump",  # he
    ("west-journal_2016-09-23_clinton-breaks-with-obama-on-law", 1944): "strada",  # She
    ("west-journal_2016-09-23_clinton-breaks-with-obama-on-law", 2458): "strada",  # she
    ("west-journal_2016-09-23_clinton-breaks-with-obama-on-law", 3089): "ryan",  # he
    ("west-journal_2016-09-26_popular-website-shows-bias-when-", 4644): "sharockman",  # he
    ("west-journal_2016-09-26_rush-limbaugh-hillary-asking-mod", 2797): "limbaugh",  # He
    ("west-journal_2016-09-28_clinton-campaign-reportedly-scra", 1663): "wimes wines",  # she
    ("west-journal_2016-09-28_clinton-campaign-reportedly-scra", 3124): "mcclenney mclenney",  # she
    ("west-journal_2016-09-28_clinton-campaign-reportedly-scra", 3135): "mcclenney mclenney",  # She
    ("west-journal_2016-09-28_clinton-campaign-reportedly-scra", 3454): "anderson",  # he
    ("west-journal_2016-09-28_clinton-campaign-reportedly-scra", 3776): "crespo",  # he
    ("west-journal_2016-09-29_gold-star-mom-corners-obama-on-h", 383): "houchins",  # she
    ("west-journal_2016-09-29_gold-star-mom-corners-obama-on-h", 2420): "trump",  # he
    ("west-journal_2016-09-30_new-poll-shows-minor-post-debate", 2293): "chinni",  # he
    ("west-journal_2016-09-30_new-poll-shows-minor-post-debate", 2519): "chinni",  # he
    ("west-journal_2016-10-04_railing-against-trump-sanders-vo", 1593): "sanders",  # he
    ("west-journal_2016-10-04_railing-against-trump-sanders-vo", 2925): "times",  # it
    ("west-journal_2016-10-04_railing-against-trump-sanders-vo", 3289): "times",  # it
    ("west-journal_2016-10-05_pence-gives-gop-a-boost-with-sol", 886): "matthews",  # he
    ("west-journal_2016-10-05_pence-gives-gop-a-boost-with-sol", 1844): "mclaughlin",  # he
}


def referent_words(gold: GoldAttribution, article: GoldArticle) -> set[str] | None:
    """The name words a pronoun Source refers to: adjudicated by hand on dev, else the chain proxy."""
    if gold.source is None:
        return None
    label = PRONOUN_REFERENTS.get((article.name, gold.source[0][0]))
    if label is not None:
        return {label} if label.startswith("@") else {w.lower() for w in WORD.findall(label)}
    chained = chain_name(gold, article)
    return {w.lower() for w in WORD.findall(chained)} if chained else None


def speaker_correct(
    gold: GoldAttribution,
    article: GoldArticle,
    speaker_key: str | None,
    speaker_name: str | None,
    speaker_span: tuple[int, int] | None,
    entities: dict[str, Entity],
    mentions_by_entity: dict[str, list[EntityMention]],
) -> bool:
    if gold.source is None:
        return speaker_key is None and speaker_span is None
    form = source_form(gold.source_text, article.text)
    if form == "pronoun":
        referent = referent_words(gold, article)
        if referent == {"@author"}:
            return speaker_key is None and speaker_span is not None and overlaps(speaker_span, gold.source)
        if not referent or speaker_key is None or speaker_name is None:
            return False
        entity = entities.get(speaker_key)
        names = [speaker_name, *(entity.aliases if entity else ())]
        return bool(referent & {w.lower() for name in names for w in WORD.findall(name)})
    if speaker_key is None or speaker_name is None:
        if form != "description" or speaker_span is None:
            return False
        return overlaps(speaker_span, gold.source)
    for mention in mentions_by_entity.get(speaker_key, ()):
        if any(a < mention.end and mention.start < b for a, b in gold.source):
            return True
    last_names = surnames(entities.get(speaker_key), speaker_name)
    return bool(last_names & {w.lower() for w in WORD.findall(gold.source_text)})


def overlaps(span: tuple[int, int], pieces: Sequence[tuple[int, int]]) -> bool:
    return any(a < span[1] and span[0] < b for a, b in pieces)


def nearest_person(mentions: Sequence[EntityMention], position: int) -> EntityMention | None:
    best = None
    for mention in mentions:
        if (
            mention.type == EntityType.PERSON
            and mention.end <= position
            and (best is None or mention.end > best.end)
        ):
            best = mention
    return best


# ---------------------------------------------------------------- run


@dataclass
class Scores:
    exact: Counts = field(default_factory=Counts)
    overlap: Counts = field(default_factory=Counts)
    speaker: Accuracy = field(default_factory=Accuracy)
    baseline: Accuracy = field(default_factory=Accuracy)
    cue: Accuracy = field(default_factory=Accuracy)
    all_attributions: Counts = field(default_factory=Counts)
    indirect: Counts = field(default_factory=Counts)
    all_speaker: Accuracy = field(default_factory=Accuracy)
    seconds: float = 0.0
    words: int = 0
    errors: list[str] = field(default_factory=list)


def score_article(article: GoldArticle, scores: Scores, nlp: object, verbose: bool) -> None:
    text = article.text
    paragraphs = text.split("\n\n")
    sentences = split_sentences(paragraphs, "en")
    doc = nlp(text)  # type: ignore[operator]
    entities, mentions = find_entities(text, sentences, doc, "en")
    started = time.perf_counter()
    found = attribute_quotes(text, sentences, entities, mentions, doc, "en")
    scores.seconds += time.perf_counter() - started
    scores.words += len(text.split())
    entity_by_key = {entity.key: entity for entity in entities}
    mentions_by_entity: dict[str, list[EntityMention]] = {}
    for mention in mentions:
        mentions_by_entity.setdefault(mention.entity, []).append(mention)

    direct_gold = [gold for gold in article.attributions if gold.direct]
    indirect_gold = [gold for gold in article.attributions if not gold.direct]
    quoted = [item for item in found if item.quote.kind != QuoteKind.INDIRECT]
    # Fragments inside a gold reported-speech span are out of this subset.
    inside_indirect = [
        item
        for item in quoted
        if any(
            a <= item.quote.start and item.quote.end <= b for gold in indirect_gold for a, b in gold.content
        )
    ]
    scored = [item for item in quoted if item not in inside_indirect]
    pieces = [(number, piece) for number, gold in enumerate(direct_gold) for piece in gold.content]
    gold_norm = [normalised(text, *piece) for _, piece in pieces]
    predicted_norm = [normalised(text, item.quote.start, item.quote.end) for item in scored]
    exact_pairs = {
        (g, p): 1.0 for g, gs in enumerate(gold_norm) for p, ps in enumerate(predicted_norm) if gs == ps
    }
    gold_words = [word_starts(text, [span]) for span in gold_norm]
    predicted_words = [word_starts(text, [span]) for span in predicted_norm]
    overlap_pairs = {
        (g, p): overlap_score(pw, gw)
        for g, gw in enumerate(gold_words)
        for p, pw in enumerate(predicted_words)
        if gw & pw
    }
    exact = one_to_one(exact_pairs, 1.0)
    overlap = one_to_one(overlap_pairs, 0.5)
    for counts, matched in ((scores.exact, exact), (scores.overlap, overlap)):
        counts.tp += len(matched)
        counts.gold += len(pieces)
        counts.predicted += len(scored)

    # Speakers and cues: per gold direct attribution, the best-overlapping predicted piece.
    best_for_gold: dict[int, tuple[int, float]] = {}
    for piece_index, (predicted_index, score) in overlap.items():
        number = pieces[piece_index][0]
        if number not in best_for_gold or score > best_for_gold[number][1]:
            best_for_gold[number] = (predicted_index, score)
    for number, (predicted_index, _) in best_for_gold.items():
        gold = direct_gold[number]
        item = scored[predicted_index]
        quote = item.quote
        form = source_form(gold.source_text, article.text) if gold.source else "none"
        correct = speaker_correct(
            gold,
            article,
            quote.speaker_entity,
            quote.speaker,
            item.speaker_span,
            entity_by_key,
            mentions_by_entity,
        )
        scores.speaker.add(correct, form)
        person = nearest_person(mentions, quote.start)
        baseline_key = person.entity if person else None
        baseline_name = (
            entity_by_key[person.entity].name if person and person.entity in entity_by_key else None
        )
        scores.baseline.add(
            speaker_correct(
                gold, article, baseline_key, baseline_name, None, entity_by_key, mentions_by_entity
            ),
            form,
        )
        cue_right = bool(
            gold.cue
            and item.cue_span
            and any(a < item.cue_span[1] and item.cue_span[0] < b for a, b in gold.cue)
        )
        scores.cue.add(cue_right, "all")
        if verbose and not correct:
            scores.errors.append(
                f"{article.name} @{quote.start}: {quote.text[:50]!r} -> {quote.speaker!r} ({quote.speaker_text!r}, "
                f"{quote.cue!r}); gold source {gold.source_text!r}\n    | "
                + " ".join(text[max(0, quote.start - 160) : quote.end + 90].split())
            )
    if verbose:
        for number, gold in enumerate(direct_gold):
            if number not in best_for_gold:
                a, b = gold.content[0]
                scores.errors.append(
                    f"{article.name} MISSED @{a}: {text[a:b][:70]!r} (source {gold.source_text!r})"
                )

    _score_all(article, found, scores, entity_by_key, mentions_by_entity)


def _score_all(
    article: GoldArticle,
    found: Sequence[QuoteAttribution],
    scores: Scores,
    entity_by_key: dict[str, Entity],
    mentions_by_entity: dict[str, list[EntityMention]],
) -> None:
    text = article.text
    gold_words = [word_starts(text, gold.content) for gold in article.attributions]
    predicted_words = [word_starts(text, [(item.quote.start, item.quote.end)]) for item in found]
    pairs = {
        (g, p): overlap_score(pw, gw)
        for g, gw in enumerate(gold_words)
        for p, pw in enumerate(predicted_words)
        if gw & pw
    }
    matched = one_to_one(pairs, 0.5)
    scores.all_attributions.tp += len(matched)
    scores.all_attributions.gold += len(article.attributions)
    scores.all_attributions.predicted += len(found)
    for gold_index, (predicted_index, _) in matched.items():
        gold, item = article.attributions[gold_index], found[predicted_index]
        scores.all_speaker.add(
            speaker_correct(
                gold,
                article,
                item.quote.speaker_entity,
                item.quote.speaker,
                item.speaker_span,
                entity_by_key,
                mentions_by_entity,
            ),
            "all",
        )
    indirect_gold = [g for g, gold in enumerate(article.attributions) if not gold.direct]
    indirect_predicted = [p for p, item in enumerate(found) if item.quote.kind == QuoteKind.INDIRECT]
    indirect_pairs = {
        (g, p): score for (g, p), score in pairs.items() if g in indirect_gold and p in indirect_predicted
    }
    scores.indirect.tp += len(one_to_one(indirect_pairs, 0.5))
    scores.indirect.gold += len(indirect_gold)
    scores.indirect.predicted += len(indirect_predicted)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev", choices=("dev", "train"))
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--no-record", action="store_true", help="print, do not write BENCHMARKS.md")
    parser.add_argument("--errors", action="store_true", help="list wrong speakers and missed quotes")
    args = parser.parse_args(argv)

    articles = polnear_articles(args.split)[: args.limit] if args.limit else polnear_articles(args.split)
    nlp = load_pipeline("en")
    if nlp is None:
        raise SystemExit("the English spaCy pipeline is not installed")
    scores = Scores()
    for article in articles:
        score_article(article, scores, nlp, args.errors)
    if args.errors:
        print("\n".join(scores.errors))

    def prf_row(name: str, counts: Counts) -> list[object]:
        return [name, *counts.prf(), counts.tp, counts.predicted, counts.gold]

    direct_gold = sum(1 for article in articles for gold in article.attributions if gold.direct)
    all_gold = sum(len(article.attributions) for article in articles)
    span_table = markdown_table(
        ["quote spans", "precision", "recall", "F1", "matched", "predicted", "gold"],
        [
            prf_row("direct, exact span", scores.exact),
            prf_row("direct, word overlap ≥ 0.5", scores.overlap),
            prf_row("indirect (ours INDIRECT vs gold non-direct)", scores.indirect),
            prf_row("all attributions (every quote we return)", scores.all_attributions),
        ],
    )
    forms = sorted(scores.speaker.by_form, key=lambda form: -scores.speaker.by_form[form])
    speaker_rows = [
        ["ours: speaker", scores.speaker.value, scores.speaker.total]
        + [scores.speaker.right_by_form[f] / scores.speaker.by_form[f] for f in forms],
        ["baseline: nearest preceding person", scores.baseline.value, scores.baseline.total]
        + [scores.baseline.right_by_form[f] / scores.baseline.by_form[f] for f in forms],
        ["ours: cue", scores.cue.value, scores.cue.total] + ["" for _ in forms],
    ]
    speaker_table = markdown_table(
        ["direct quotes found", "accuracy", "quotes"]
        + [f"gold source: {f} ({scores.speaker.by_form[f]})" for f in forms],
        speaker_rows,
    )
    ms_per_600 = 1000 * scores.seconds / scores.words * 600 if scores.words else 0.0
    body = f"""Command: `.venv/bin/python -m bench.quotes{" --split " + args.split if args.split != "dev" else ""}\
{f" --limit {args.limit}" if args.limit else ""}` (run {date.today().isoformat()}, PolNeAR {args.split}: \
{len(articles)} articles, {direct_gold} gold direct quotes of {all_gold} attributions).

Rules (the docstring of `bench/quotes.py` has them in full): a gold attribution is *direct* when its
Content is enclosed in quote marks; each piece of a discontinuous Content ("A," he said, "B") is one
span, compared with our DIRECT and PARTIAL quotes after trimming marks and edge punctuation (exact, and
word overlap ≥ 0.5 of the longer span); a fragment we return inside a gold reported-speech span is out
of this subset. A speaker is right when a mention of the predicted entity overlaps the gold Source, or
its surname is a word of the gold Source; a pronoun Source ("he", "she", 111 on dev) is checked against
the person it names, read by hand from each article (PolNeAR has no coreference layer; the list is in
`PRONOUN_REFERENTS`); an unnamed Source ("a source", "protesters") is right when we name no entity and
our speaker words overlap it. A cue is right when our cue span overlaps the gold Cue. The baseline takes
our quotes and gives each the nearest PERSON mention before it, scored by the same rules. Caveat: dev
errors were looked at while the rules were developed (mostly on train).

{span_table}

{speaker_table}

Where an annotator swapped Source and Cue (the Source span is "said"), the two are swapped back.
Reported speech has a low recall by design: PolNeAR attributes beliefs, knowledge and perception too
("believes", "has learned", "fears"), while ours are speech cues only. Speaker accuracy over all matched attributions (direct and reported): {scores.all_speaker.value:.3f} \
({scores.all_speaker.total} attributions). Speed: `find_quotes` alone takes {ms_per_600:.2f} ms per 600 words \
(spaCy, sentences and entities not counted).
"""
    print(body)
    if not args.no_record:
        record_section(f"Issue 3: quotes (PolNeAR {args.split})", body)


if __name__ == "__main__":
    main()
