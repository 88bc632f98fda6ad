"""Render a whole HTML page to the plain text people get from select-all/copy or a naive scraper.

This is a test-data generator for the text-scrape benchmark, not product code. It keeps the
page's chrome (nav, header, footer, aside, related links, figcaptions, visible form labels)
because that is exactly what the text extractor has to cope with, and drops only what a
browser never shows: script, style, noscript, template, svg and the head. Elements hidden
by CSS stay in, as in a scraper that reads the DOM without styles.

Block elements and ``<br>`` become line breaks, table cells are separated by a tab (what a
browser puts on the clipboard), whitespace inside a line is collapsed. With
``markdown_images=True`` an ``<img alt>`` becomes its own ``![alt](src)`` line, the way
reader services and some scrapers render pictures.
"""

from __future__ import annotations

import hashlib
import re

from lxml import etree
from lxml import html as lxml_html

DROP_TAGS = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "head",
        "title",
        "meta",
        "link",
        "iframe",
        "object",
        "embed",
        "canvas",
        "video",
        "audio",
        "map",
        "math",
    }
)

BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "details",
        "dialog",
        "dir",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "legend",
        "li",
        "main",
        "menu",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
        "option",
        "textarea",
    }
)

CELL_TAGS = frozenset({"td", "th"})
_SPACE = re.compile(r"[ \t\r\n\f\v\u00a0\u2009\u202f]+")
_BREAK = "\x01"  # a line break the page asked for (block edge, <br>, a newline inside <pre>)
_CELL = "\x00"  # placeholder for a tab between table cells, so whitespace collapsing leaves it alone


def parse(html: str | bytes) -> etree._Element | None:
    if isinstance(html, bytes):
        html = (
            html.decode("utf-8", errors="replace") if _looks_utf8(html) else html.decode("cp1252", "replace")
        )
    html = re.sub(r"^\s*<\?xml[^>]*>", "", html)  # lxml refuses str input with an encoding declaration
    if not html.strip():
        return None
    try:
        return lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _looks_utf8(data: bytes) -> bool:
    head = data[:4000].lower()
    match = re.search(rb"charset=[\"']?([a-z0-9_-]+)", head)
    if match and match.group(1) not in (b"utf-8", b"utf8"):
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
    return True


def _hidden(element: etree._Element) -> bool:
    # Like a scraper that reads the DOM without running CSS, only <input type=hidden> is invisible;
    # `hidden`/display:none blocks (menus, dialogs, tabs shown by script) stay in, as they do in
    # most plain-text scrapes.
    return element.tag == "input" and (element.get("type") or "").lower() == "hidden"


def render_text(html: str | bytes, *, markdown_images: bool = False) -> str:
    """The page as select-all text: one visual line per line, no empty lines."""
    root = parse(html)
    if root is None:
        return ""
    body = root.find("body")
    start = body if body is not None else root
    pieces: list[str] = []
    _walk(start, pieces, markdown_images, in_pre=False)
    text = "".join(pieces)
    lines = []
    for raw in text.split(_BREAK):
        line = _SPACE.sub(" ", raw).replace(f" {_CELL}", _CELL).replace(f"{_CELL} ", _CELL).strip(" " + _CELL)
        if line:
            lines.append(line.replace(_CELL, "\t"))
    return "\n".join(lines)


def _walk(element: etree._Element, out: list[str], markdown_images: bool, in_pre: bool) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if not tag:  # comments, processing instructions
        if element.tail:
            out.append(_pre_text(element.tail) if in_pre else element.tail)
        return
    tag = tag.lower()
    if tag in DROP_TAGS or _hidden(element):
        if element.tail:
            out.append(_pre_text(element.tail) if in_pre else element.tail)
        return
    block = tag in BLOCK_TAGS
    pre = in_pre or tag == "pre"
    if block:
        out.append(_BREAK)
    elif tag in CELL_TAGS:
        out.append(_CELL)
    if tag == "br":
        out.append(_BREAK)
    elif tag == "img" and markdown_images:
        alt = _SPACE.sub(" ", element.get("alt") or "").strip()
        if alt:
            out.append(f"{_BREAK}![{alt}]({element.get('src') or ''}){_BREAK}")
    elif tag == "input":
        kind = (element.get("type") or "text").lower()
        if kind in ("submit", "button", "reset") and element.get("value"):
            out.append(f" {element.get('value')} ")
    elif tag == "select":
        options = [o for o in element.iter("option")]
        chosen = next((o for o in options if o.get("selected") is not None), options[0] if options else None)
        if chosen is not None:
            out.append(f" {chosen.text_content()} ")
        if element.tail:
            out.append(element.tail)
        return
    if element.text:
        out.append(_pre_text(element.text) if pre else element.text)
    for child in element:
        _walk(child, out, markdown_images, pre)
    if block:
        out.append(_BREAK)
    elif tag in CELL_TAGS:
        out.append(_CELL)
    if element.tail:
        out.append(_pre_text(element.tail) if in_pre else element.tail)


def _pre_text(text: str) -> str:
    # Keep the line structure of <pre>; every other newline in the source is just whitespace.
    return text.replace("\r\n", "\n").replace("\n", _BREAK)


def wants_markdown_images(key: str) -> bool:
    """A stable third of the pages get markdown image lines, to exercise that form."""
    return hashlib.sha1(key.encode()).digest()[0] % 3 == 0
