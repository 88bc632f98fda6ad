"""Syndication lineage as pure functions: who a copy credits, and what it adds to or drops from its original.

A near-duplicate group (``dedupe``) says *that* articles are copies; this module says *how*:
the wire service a copy credits ("(Reporting by ...)", "(AP) —", "AFP"), and, paragraph by
paragraph, what a copy added (an aggregator's summary on top, a local paragraph), removed, or
edited, and whether its headline changed. Paragraphs are matched on their normalised words, so
re-punctuated or lightly edited paragraphs count as the same paragraph, edited.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dateline.dedupe import normalise_text
from dateline.models import Article

ALGORITHM = "lineage.v1"

# Two paragraphs are one paragraph, edited, when this share of their words (Jaccard) is shared.
EDITED_PARAGRAPH_SIMILARITY = 0.6

# Wire services and the ways copies credit them. Names are matched on word boundaries in the
# first and last paragraphs, where credits sit.
_WIRES: dict[str, tuple[str, ...]] = {
    "Reuters": (r"\(Reuters\)", r"\bReporting by\b", r"\bThomson Reuters\b", r"\bReuters\b"),
    "Associated Press": (r"\(AP\)", r"\bAssociated Press\b", r"\bAP Photo\b"),
    "AFP": (r"\(AFP\)", r"\bAgence France-Presse\b", r"\bAFP\b"),
    "dpa": (r"\(dpa\)", r"\bdpa\b", r"\bDeutsche Presse-Agentur\b"),
    "ANSA": (r"\(ANSA\)", r"\bANSA\b"),
    "EFE": (r"\(EFE\)", r"\bAgencia EFE\b", r"\bEFE\b"),
    "PA Media": (r"\bPA Media\b", r"\bPress Association\b"),
    "Bloomberg": (r"\(Bloomberg\)", r"\bBloomberg News\b"),
    "Ukrinform": (r"\bUkrinform\b",),
    "Interfax": (r"\bInterfax\b",),
    "TASS": (r"\bTASS\b",),
    "Xinhua": (r"\bXinhua\b",),
}
_WIRE_PATTERNS = {name: re.compile("|".join(patterns)) for name, patterns in _WIRES.items()}
# A credit names the wire as the source, not as a subject ("Reuters reported", "(Reuters) -", "- AFP").
_CREDIT_CONTEXT = re.compile(
    r"^\s*(?:[A-Z][\w .,'/-]{0,40})?\((?:Reuters|AP|AFP|dpa|ANSA|EFE|Bloomberg)\)\s*[-–—]"  # dateline credit
    r"|\((?:Reporting|Writing|Additional reporting) by\b"  # Reuters-style sign-off
    r"|^\s*[-–—]?\s*(?:Reuters|AP|AFP|dpa|ANSA|EFE|PA Media|Bloomberg|Xinhua|TASS|Interfax|Ukrinform)\s*$"
    r"|\b(?:[Cc]opyright|©)\s*(?:\d{4}\s*)?(?:Thomson Reuters|The Associated Press|Agence France-Presse|AFP)"
    r"|\b(?:according to|via|source:|from)\s+(?:Reuters|AP|AFP|the Associated Press)\b",
    re.MULTILINE,
)


def wire_credit(article: Article) -> str | None:
    """The wire service the article credits as its source, if its first or last paragraphs say so."""
    edges = [*article.paragraphs[:2], *article.paragraphs[-3:]]
    for paragraph in edges:
        if not _CREDIT_CONTEXT.search(paragraph):
            continue
        for name, pattern in _WIRE_PATTERNS.items():
            if pattern.search(paragraph):
                return name
    return None


# How wire services name themselves as an outlet (folded), mapped to the names above.
_WIRE_OUTLETS = {
    "reuters": "Reuters",
    "thomson reuters": "Reuters",
    "ap": "Associated Press",
    "associated press": "Associated Press",
    "the associated press": "Associated Press",
    "ap news": "Associated Press",
    "afp": "AFP",
    "agence france-presse": "AFP",
    "dpa": "dpa",
    "ansa": "ANSA",
    "efe": "EFE",
    "agencia efe": "EFE",
    "pa media": "PA Media",
    "bloomberg": "Bloomberg",
    "ukrinform": "Ukrinform",
    "interfax": "Interfax",
    "tass": "TASS",
    "xinhua": "Xinhua",
}


def wire_outlet(outlet: str | None) -> str | None:
    """The wire service OUTLET is ("Reuters" for "Thomson Reuters"), or None for any other outlet."""
    if not outlet:
        return None
    return _WIRE_OUTLETS.get(" ".join(outlet.casefold().split()))


@dataclass(frozen=True, slots=True)
class ParagraphChange:
    position: int  # index of the paragraph in the article that holds it (the copy for added/edited ones)
    text: str
    original: str | None = None  # for an edited paragraph: the original's wording


@dataclass(frozen=True, slots=True)
class CopyDifferences:
    """What a copy changes against its original."""

    original_id: str
    copy_id: str
    headline_changed: bool
    original_title: str | None
    copy_title: str | None
    added: tuple[ParagraphChange, ...]  # in the copy only
    removed: tuple[ParagraphChange, ...]  # in the original only (positions in the original)
    edited: tuple[ParagraphChange, ...]  # reworded, matched to the original's paragraph
    summary_on_top: tuple[ParagraphChange, ...]  # added paragraphs that come before any shared one
    shared: int  # paragraphs the copy carries unchanged or edited
    credited_wire: str | None  # the wire the copy credits, if any

    @property
    def adds_anything(self) -> bool:
        return bool(self.added or self.edited or self.headline_changed)


def compare_copy(original: Article, copy: Article) -> CopyDifferences:
    """Paragraph by paragraph, how COPY differs from ORIGINAL (both from one duplicate group)."""
    original_words = [_words(p) for p in original.paragraphs]
    copy_words = [_words(p) for p in copy.paragraphs]
    matches = _match_paragraphs(original_words, copy_words)  # copy index -> original index
    matched_originals = set(matches.values())
    added, edited = [], []
    first_shared = min(matches) if matches else len(copy.paragraphs)
    for index, paragraph in enumerate(copy.paragraphs):
        if index in matches:
            source = original.paragraphs[matches[index]]
            if original_words[matches[index]] != copy_words[index]:
                edited.append(ParagraphChange(index, paragraph, source))
        elif copy_words[index]:
            added.append(ParagraphChange(index, paragraph))
    removed = [
        ParagraphChange(index, paragraph)
        for index, paragraph in enumerate(original.paragraphs)
        if index not in matched_originals and original_words[index]
    ]
    return CopyDifferences(
        original_id=original.id,
        copy_id=copy.id,
        headline_changed=_words(original.title or "") != _words(copy.title or ""),
        original_title=original.title,
        copy_title=copy.title,
        added=tuple(added),
        removed=tuple(removed),
        edited=tuple(edited),
        summary_on_top=tuple(change for change in added if change.position < first_shared),
        shared=len(matches),
        credited_wire=wire_credit(copy),
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(normalise_text(text).split())


def _match_paragraphs(original: Sequence[tuple[str, ...]], copy: Sequence[tuple[str, ...]]) -> dict[int, int]:
    """Copy paragraph index -> original paragraph index: exact matches first, then the most similar
    unmatched paragraph when their word sets overlap enough. Each original paragraph is used once."""
    matches: dict[int, int] = {}
    by_words: dict[tuple[str, ...], list[int]] = {}
    for index, words in enumerate(original):
        if words:
            by_words.setdefault(words, []).append(index)
    for index, words in enumerate(copy):
        candidates = by_words.get(words)
        if words and candidates:
            matches[index] = candidates.pop(0)
    used = set(matches.values())
    original_sets = [set(words) for words in original]
    for index, words in enumerate(copy):
        if index in matches or not words:
            continue
        copy_set = set(words)
        best, best_score = None, EDITED_PARAGRAPH_SIMILARITY
        for other, other_set in enumerate(original_sets):
            if other in used or not other_set:
                continue
            score = len(copy_set & other_set) / len(copy_set | other_set)
            if score >= best_score:
                best, best_score = other, score
        if best is not None:
            matches[index] = best
            used.add(best)
    return matches
