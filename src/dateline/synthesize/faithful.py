"""Faithfulness: every line synthesis shows is its source's words, with clauses deleted and none added.

``compress`` shortens a sentence only by deleting spans (a wire dateline, a leading connective, a
bracketed aside); ``supports`` is the check the benchmark and the tests run on every summary and
timeline line: its tokens must appear, in order, inside the cited span of the cited article.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from dateline.models import Article, Citation, StorySynthesis
from dateline.synthesize.units import field_text, tokens

# "KYIV, Nov 30 (Reuters) - ", "WASHINGTON (AP) — ": the wire's dateline, not part of the statement.
_WIRE_DATELINE = re.compile(
    r"^[A-Z][A-Z .,'’/-]{1,60}?(?:,\s*[A-Z][a-z]{2,8}\.?\s+\d{1,2})?\s*\((?:[A-Z][\w .&-]{0,30})\)\s*[-–—]+\s*"
)
# Words that tie a sentence to the one before it; without that sentence they mislead.
_CONNECTIVE = re.compile(
    r"^(?:Meanwhile|However|But|And|Also|In addition|Separately|Still|Yet|Instead|Moreover|Furthermore"
    r"|Nevertheless|Nonetheless|Elsewhere|In turn)\s*,?\s+(?=[A-Za-z\"“'‘])"
)
# Short asides in brackets: translations, abbreviations, currency conversions.
_ASIDE = re.compile(r"\s*[(\[][^()\[\]]{1,80}[)\]]")


def compress(text: str) -> str:
    """The sentence with its wire dateline, leading connective and bracketed asides deleted."""
    result = _WIRE_DATELINE.sub("", text, count=1)
    result = _CONNECTIVE.sub("", result, count=1)
    result = _ASIDE.sub("", result)
    result = re.sub(r"\s{2,}", " ", result).strip()
    if len(result.split()) < 4:
        return text.strip()  # deletions that leave a fragment are not worth it
    if result and result[0].islower() and result != text.strip():
        # Capitalising the first letter after a deletion changes no word.
        result = result[0].upper() + result[1:]
    return result


def supports(text: str, source: str) -> bool:
    """True when TEXT is SOURCE with zero or more tokens deleted (case is ignored)."""
    wanted = tokens(text)
    if not wanted:
        return False
    iterator = iter(tokens(source))
    return all(any(token == candidate for candidate in iterator) for token in wanted)


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A line whose first citation does not contain its words."""

    section: str  # "title", "summary" or "timeline"
    text: str
    citation: Citation | None
    reason: str


def check_lines(
    lines: Iterable[tuple[str, str, Citation | None]],
    articles: Mapping[str, Article],
) -> list[Unsupported]:
    """Every (section, text, citation) whose citation is missing, out of range or does not hold the text."""
    problems = []
    for section, text, citation in lines:
        if citation is None:
            problems.append(Unsupported(section, text, None, "no citation"))
            continue
        article = articles.get(citation.article_id)
        if article is None:
            problems.append(Unsupported(section, text, citation, "cited article is not in the story"))
            continue
        source = field_text(article, citation.field)
        if not 0 <= citation.start < citation.end <= len(source):
            problems.append(Unsupported(section, text, citation, "span out of range"))
            continue
        if not supports(text, source[citation.start : citation.end]):
            problems.append(Unsupported(section, text, citation, "words not in the cited span"))
    return problems


def check_synthesis(synthesis: StorySynthesis, articles: Mapping[str, Article]) -> list[Unsupported]:
    """The faithfulness check: the title, every summary sentence and every timeline entry."""
    lines: list[tuple[str, str, Citation | None]] = [("title", synthesis.title, synthesis.title_citation)]
    lines += [("summary", s.text, s.citations[0] if s.citations else None) for s in synthesis.summary]
    lines += [("timeline", t.text, t.citations[0] if t.citations else None) for t in synthesis.timeline]
    return check_lines(lines, articles)
