"""Article text as HTML: escaped paragraphs with the article's facts and a cited passage marked.

The text is cut at every annotation boundary; each piece is escaped on its own and wrapped in spans
that name what covers it (an entity, a quote, a figure, a date, the highlighted passage). Nothing of
the article is ever emitted unescaped, so overlapping annotations can only change classes, not markup.
"""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import quote

from markupsafe import Markup, escape

FIELD_NAMES = ("title", "standfirst", "text")


def render_segments(data: dict[str, Any], field: str = "text") -> list[Markup]:
    """The paragraphs of the article page's FIELD as HTML, with annotations (text only) and highlight."""
    article = data["article"]
    text = (article.get(field) or "") if field != "text" else article.get("text", "")
    spans = [a for a in data.get("annotations", ())] if field == "text" else []
    highlight = data.get("highlight")
    if highlight and highlight["field"] == field:
        spans = [*spans, {"kind": "passage", "start": highlight["start"], "end": highlight["end"]}]
    return _paragraphs(text, spans)


def _paragraphs(text: str, spans: list[dict[str, Any]]) -> list[Markup]:
    # Spans that do not fit the text (a stale enrichment) mark nothing.
    spans = [span for span in spans if 0 <= span["start"] < span["end"] <= len(text)]
    cuts = {0, len(text)}
    for span in spans:
        cuts.update((span["start"], span["end"]))
    # Paragraph breaks are cuts too, so no span crosses a <p>; a cut inside a break would hide it.
    breaks = []
    position = text.find("\n\n")
    while position >= 0:
        breaks.append(position)
        position = text.find("\n\n", position + 2)
    cuts.difference_update(b + 1 for b in breaks)
    for position in breaks:
        cuts.update((position, position + 2))
    edges = sorted(cuts)
    paragraphs: list[Markup] = []
    current: list[str] = []
    current_text: list[str] = []  # the paragraph's plain text: a blank one is dropped, marked or not

    def close_paragraph() -> None:
        if "".join(current_text).strip():
            paragraphs.append(Markup("").join(current))
        current.clear()
        current_text.clear()

    passage_opened = False
    for start, end in itertools.pairwise(edges):
        piece = text[start:end]
        if piece == "\n\n":
            close_paragraph()
            continue
        current_text.append(piece)
        covering = [s for s in spans if s["start"] <= start and end <= s["end"]]
        html = escape(piece)
        for span in sorted(covering, key=lambda s: s["end"] - s["start"], reverse=True):
            html = _wrap(html, span, first=(span["kind"] == "passage" and not passage_opened))
            if span["kind"] == "passage":
                passage_opened = True
        current.append(html)
    close_paragraph()
    return paragraphs


def _wrap(inner: Markup, span: dict[str, Any], *, first: bool) -> Markup:
    kind = span["kind"]
    if kind == "passage":
        anchor = Markup(' id="passage" tabindex="-1"') if first else Markup("")
        return Markup('<mark class="passage"{}>{}</mark>').format(anchor, inner)
    if kind == "entity":
        href = "/entity/" + quote(str(span.get("entity", "")), safe="")
        return Markup('<a class="ent ent-{}" href="{}">{}</a>').format(span.get("type", ""), href, inner)
    if kind == "quote":
        speaker = span.get("speaker") or "unknown speaker"
        return Markup('<span class="quote" title="{}">{}</span>').format(f"quote: {speaker}", inner)
    if kind == "figure":
        counted = span.get("counted") or ""
        return Markup('<span class="figure" title="{}">{}</span>').format(f"figure: {counted}".strip(), inner)
    if kind == "date":
        value = span.get("value") or "unresolved"
        return Markup('<time class="date" datetime="{}" title="{}">{}</time>').format(
            value if span.get("value") else "", f"date: {value}", inner
        )
    return inner
