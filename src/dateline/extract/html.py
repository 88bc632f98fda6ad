"""One HTML page in, its article fields out: a pure function over a tree parsed once.

``extract_html`` normalises its input at the boundary (bytes are decoded by
``dateline.ingest.decode``, then parsed by lxml exactly once); every field after that is a
small function of the tree:

* body: trafilatura's cascade (its own extractor, then readability/justext when it
  under-delivers), without comments; when that returns under half the visible text of the
  article's container, trafilatura's recall mode is tried too and kept if it doubles the
  text; then residual chrome lines (captions, share prompts, "read more" teasers, related
  headlines, picture credits, bare dates, a byline line) are dropped;
* captions: ``<figcaption>`` and caption/credit elements of the article, with the credit
  split off ("Photo: Reuters"), never in the paragraphs;
* metadata: trafilatura's meta/JSON-LD readers for title, authors, site name, section,
  description (kept as standfirst only when it is not the first paragraph again), the
  canonical URL, and ``<html lang>``;
* provenance: a page that re-serves another outlet's story ("Originally published by X",
  syndication meta, "(Reuters) -") gets ``outlet`` = the original publisher and ``via`` = the site;
* publication date: ``dateline.extract.published``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import re
import unicodedata
from collections.abc import Iterable
from copy import deepcopy

from lxml.etree import LxmlError, XPath
from lxml.html import HtmlElement
from trafilatura.core import bare_extraction
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import (
    examine_meta,
    extract_author,
    extract_catstags,
    extract_meta_json,
    extract_metainfo,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import load_html
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from dateline.errors import DecodeError, ExtractionError
from dateline.extract.boilerplate import (
    AD,
    APP,
    BYLINE_PREFIXES,
    COMMENT,
    FEEDBACK,
    KNOWN_PUBLISHERS,
    MONTHS,
    NAME_JOINERS,
    NAV,
    PICTURE_AGENCIES,
    PUBLISHED_CUES,
    RELATED,
    SHARE,
    SOURCE_CUES,
    SUBSCRIBE,
    UPDATED_CUES,
    phrase_regex,
)
from dateline.extract.published import published_from_html
from dateline.ingest.decode import decode_bytes
from dateline.models import Caption, ExtractedFields

EXTRACTOR = "html.v2"

# trafilatura logs every page it discards at WARNING; our callers record ExtractionError instead.
logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)

_REGEXP_NS = {"re": "http://exslt.org/regular-expressions"}
_SPACES = re.compile(r"\s+")

# ------------------------------------------------------------------ input


def parse_html(html: str | bytes) -> HtmlElement:
    """Decode (bytes only) and parse a page once. Raises ``ExtractionError`` when it is not HTML."""
    if isinstance(html, bytes):
        try:
            text = decode_bytes(html)
        except DecodeError as error:
            raise ExtractionError(f"not an HTML page: {error}") from error
    else:
        text = html
    if not text.strip():
        raise ExtractionError("empty page: no HTML to extract from")
    try:
        tree = load_html(text)
    except (LxmlError, ValueError, TypeError) as error:
        raise ExtractionError(f"could not parse the HTML: {error}") from error
    if tree is None:
        raise ExtractionError("could not parse the page as HTML (no document structure)")
    return tree


def extract_html(html: str | bytes, *, url: str | None = None) -> ExtractedFields:
    """The article in one HTML page: body paragraphs, captions, metadata and publication date.

    ``url`` is where the page was found; the page's canonical URL is returned in ``url``.
    Raises ``ExtractionError`` when the page holds no article text.
    """
    tree = parse_html(html)
    try:
        return _extract_from_tree(tree, url)
    except ExtractionError:
        raise
    except (LxmlError, ValueError, TypeError, AttributeError, IndexError, KeyError, RecursionError) as error:
        # trafilatura and lxml raise these on pathological markup; the caller wants one error kind
        raise ExtractionError(f"HTML extraction failed on malformed markup: {error!r}") from error


def _extract_from_tree(tree: HtmlElement, url: str | None) -> ExtractedFields:
    root = article_root(tree)
    meta = page_metadata(tree, url, root=root)
    captions = extract_captions(tree, root=root)
    paragraphs = body_paragraphs(tree, url=meta.url or url, captions=captions, title=meta.title, root=root)
    if not paragraphs:
        raise ExtractionError("no article text found in the HTML page")
    authors = split_authors(meta.author)
    paragraphs, credited = byline_lines(paragraphs)
    authors = authors or credited
    outlet, via, paragraphs = provenance(tree, paragraphs, meta.sitename, url or meta.url)
    if not paragraphs:
        raise ExtractionError("no article text found in the HTML page")
    return ExtractedFields(
        title=meta.title or None,
        outlet=outlet,
        via=via,
        authors=authors,
        section=meta.categories[0] if meta.categories else None,
        standfirst=standfirst(meta.description, paragraphs, meta.title),
        published=published_from_html(tree, url=url or meta.url),
        url=meta.url,
        language=page_language(tree),
        paragraphs=tuple(paragraphs),
        captions=tuple(captions),
        extractor=EXTRACTOR,
    )


# ------------------------------------------------------------------ metadata


def page_metadata(tree: HtmlElement, url: str | None, *, root: HtmlElement | None = None) -> Document:
    """Title, author, site name, description, categories and canonical URL from meta tags and JSON-LD.

    trafilatura's own readers, minus its date search (ours is in ``published``), with the
    byline searched in the article's container first and the headline cleaned of the site name.
    """
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # a single token is a handle or a desk name, not a person
    with contextlib.suppress(ValueError, TypeError, AttributeError, KeyError, RecursionError):
        meta = extract_meta_json(tree, meta)
    if not meta.title:
        meta.title = _title_element(tree) or extract_title(tree)
    if not meta.author:
        meta.author = byline(tree, root if root is not None else article_root(tree))
    meta.url = extract_url(tree, url)
    if not meta.categories:
        meta.categories = extract_catstags("category", tree)
    meta.sitename = _clean_sitename(meta.sitename or extract_sitename(tree))
    meta.title = best_title(
        meta.title, tree, root if root is not None else article_root(tree), meta.sitename, meta.url
    )
    meta.description = _clean_text(meta.description)
    return meta


# trafilatura's byline queries, made relative so they can run on the article's own subtree.
_RELATIVE = re.compile(r"(^|\|)(\s*)//")
_BYLINE_QUERIES = [
    XPath(_RELATIVE.sub(r"\1\2.//", q.path.strip()), namespaces=_REGEXP_NS) for q in AUTHOR_XPATHS
]
_BYLINE_DISCARD = [
    XPath(_RELATIVE.sub(r"\1\2.//", q.path.strip()), namespaces=_REGEXP_NS) for q in AUTHOR_DISCARD_XPATHS
]


def _title_element(tree: HtmlElement) -> str | None:
    element = tree.find(".//head/title")
    return _clean_text(element.text_content()) if element is not None else None


def byline(tree: HtmlElement, root: HtmlElement) -> str | None:
    """The author named in the page: first in the article's own container, then anywhere.

    Searching the article first finds its byline before a sidebar's or a teaser's (measured:
    more right authors than trafilatura's whole-page search, and faster on average).
    """
    if root is not tree and root.tag != "body":
        subtree = prune_unwanted_nodes(deepcopy(root), _BYLINE_DISCARD)
        found = extract_metainfo(subtree, _BYLINE_QUERIES, len_limit=120)
        if found:
            return normalize_authors(None, found)
    return extract_author(tree)


def _clean_text(value: str | None) -> str | None:
    if not value:
        return None
    value = _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
    return value or None


def _clean_sitename(value: str | None) -> str | None:
    value = _clean_text(value)
    if not value or value.lower().startswith("http"):
        return None
    value = value.lstrip("@")
    if "." not in value and value[:1].islower():
        value = value.title()
    return value or None


_TITLE_SEPARATOR = re.compile(r"\s+(?:[|–—•·»›~/]|::|-)\s+")
_HOST = re.compile(r"^(?:[a-z]+://)?(?:www\d?\.)?([^/:]+)", re.I)


def best_title(
    declared: str | None, tree: HtmlElement, root: HtmlElement, sitename: str | None, url: str | None
) -> str | None:
    """The headline: the declared title (og:title, JSON-LD, <title>) without the site's name.

    When the article's own <h1> is one part of the declared title ("Headline | Site",
    "Section: Headline"), the <h1> wins: it is what the reader sees above the text.
    """
    declared = _clean_text(declared)
    heading = _main_heading(tree, root)
    if declared and heading:
        declared_key, heading_key = _comparable(declared), _comparable(heading)
        is_part = heading_key and heading_key != declared_key and heading_key in declared_key
        if is_part and len(heading_key) >= 0.4 * len(declared_key):
            return heading
    title = declared or heading
    if not title:
        return None
    return _strip_site_name(title, sitename, url)


def _main_heading(tree: HtmlElement, root: HtmlElement) -> str | None:
    headings = root.findall(".//h1") if root.tag != "body" else []
    if not headings:
        headings = tree.findall(".//h1")
        if len(headings) != 1:
            return None
    text = _clean_text(headings[0].text_content())
    return text if text and 3 <= len(text) <= 300 else None


def _strip_site_name(title: str, sitename: str | None, url: str | None) -> str:
    """Drop a leading or trailing part that names the site ("Headline | Site", "site.com - Headline")."""
    parts = _TITLE_SEPARATOR.split(title)
    if len(parts) < 2:
        return title
    names = {_comparable(sitename).replace(" ", "")} if sitename else set()
    host = _HOST.match(url or "")
    if host:
        names.add(_comparable(host[1].rsplit(".", 1)[0]).replace(" ", ""))
    names.discard("")

    def names_site(part: str) -> bool:
        key = _comparable(part).replace(" ", "")
        return bool(key) and any(
            key == name or (len(key) >= 4 and (key in name or name in key)) for name in names
        )

    if names_site(parts[-1]):
        kept = title[: title.rfind(parts[-1])]
        return _TITLE_TAIL.sub("", kept) or title
    if names_site(parts[0]):
        kept = title[len(parts[0]) :]
        return _TITLE_HEAD.sub("", kept) or title
    return title


_TITLE_TAIL = re.compile(r"\s*(?:[|–—•·»›~/:-]|::)\s*$")
_TITLE_HEAD = re.compile(r"^\s*(?:[|–—•·»›~/:-]|::)\s*")


_AUTHOR_NOISE = re.compile(r"^(by|von|par|por|di|door)\s+", re.I)


def split_authors(author: str | None) -> tuple[str, ...]:
    """trafilatura joins authors with "; "; split them back and drop duplicates and non-names."""
    if not author:
        return ()
    names: list[str] = []
    for part in author.split(";"):
        name = _AUTHOR_NOISE.sub("", _SPACES.sub(" ", part).strip()).strip(" ,")
        if name and len(name) <= 80 and not name.lower().startswith("http") and name not in names:
            names.append(name)
    return tuple(names)


def page_language(tree: HtmlElement) -> str | None:
    """The page's declared language as a primary subtag ("en", "de"), from <html lang> or meta."""
    candidates = [tree.get("lang"), tree.get("{http://www.w3.org/XML/1998/namespace}lang")]
    for element in tree.iterfind(".//head/meta[@content]"):
        key = (element.get("http-equiv") or element.get("property") or element.get("name") or "").lower()
        if key in {"content-language", "og:locale", "language", "dc.language"}:
            candidates.append(element.get("content"))
    for value in candidates:
        if value:
            primary = re.split(r"[-_,;\s]", value.strip().lower(), maxsplit=1)[0]
            if re.fullmatch(r"[a-z]{2,3}", primary):
                return primary
    return None


def standfirst(description: str | None, paragraphs: list[str], title: str | None) -> str | None:
    """The meta description when it is a real summary, not the opening paragraph again."""
    if not description or len(description) < 40:
        return None
    summary = _comparable(description.rstrip(".…").removesuffix("..."))
    if not summary or (title and summary == _comparable(title)):
        return None
    opening = _comparable(" ".join(paragraphs[:3]))
    if summary[: max(40, int(len(summary) * 0.8))] in opening:
        return None
    summary_words, opening_words = set(summary.split()), set(opening.split()[: len(summary.split()) * 2])
    if summary_words and len(summary_words & opening_words) / len(summary_words) > 0.8:
        return None
    return description


def _comparable(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


# ------------------------------------------------------------------ captions

# figcaption, and caption elements that are not themselves the picture's wrapper.
_CAPTION_CLASSES = (
    "caption", "Caption", "legend", "bildunterschrift", "bildtext", "imagedescription", "image-description",
    "photo-description", "img-desc",
)  # fmt: skip
# contains() rather than an EXSLT regex: it runs on every element of the article.
_CAPTIONS = XPath(
    ".//figcaption|.//*["
    + " or ".join(f"contains(@class, '{name}')" for name in _CAPTION_CLASSES)
    + "][not(self::figure or self::img or self::table or self::body or self::html or self::article or self::main)]"
    "[not(.//img or .//picture or .//video or .//figcaption)]"
    "[not(ancestor::figcaption)]"
)
# A credit element inside a figure/caption: its text is the credit, not the caption.
_CREDIT_CLASS = re.compile(
    r"credit|copyright|photographer|source|byline|attribution|rights|author|courtesy", re.I
)
_STANDALONE_CREDITS = XPath(
    ".//*[re:test(@class, 'credit|copyright|photographer', 'i')][not(ancestor::figcaption)]",
    namespaces=_REGEXP_NS,
)
# Inside the article, these mark teasers and chrome whose pictures are not the article's.
# Whole class tokens split on - and _, so "off-canvas main-menu" around a whole page or a
# "st-sidebar__main" layout column do not disqualify what is inside them.
_FOREIGN_PARTS = frozenset(
    {
        "related",
        "teaser",
        "teasers",
        "recommended",
        "recommendations",
        "recommendation",
        "promo",
        "promos",
        "outbrain",
        "taboola",
        "trending",
        "popular",
        "newsletter",
        "comment",
        "comments",
        "sidebar",
        "widget",
        "widgets",
        "footer",
        "nav",
        "navigation",
        "menu",
        "more",
        "readmore",
    }
)
_MAIN_PARTS = frozenset({"main", "content", "article", "body", "story", "post", "entry", "text"})
_SPLIT_TOKEN = re.compile(r"[-_]+")


def _is_foreign_marker(marker: str) -> bool:
    for token in marker.lower().split():
        parts = set(_SPLIT_TOKEN.split(token))
        if parts & _FOREIGN_PARTS and not parts & _MAIN_PARTS:
            return True
    return False


def article_root(tree: HtmlElement) -> HtmlElement:
    """The element holding the article: the <article> with the most paragraphs, else <main>, else <body>."""
    best, best_count = None, 0
    for candidate in tree.iter("article"):
        count = sum(1 for _ in candidate.iter("p"))
        if count > best_count:
            best, best_count = candidate, count
    if best is not None and best_count >= 2:
        return best
    main = tree.find(".//main")
    if main is not None:
        return main
    body = tree.find("body")
    return body if body is not None else tree


def extract_captions(tree: HtmlElement, *, root: HtmlElement | None = None) -> list[Caption]:
    """Image captions of the article, each with its credit split off, in page order, deduplicated."""
    root = root if root is not None else article_root(tree)
    captions: list[Caption] = []
    seen: set[str] = set()
    for element in _CAPTIONS(root):
        if _in_foreign_container(element, root):
            continue
        caption = _caption_of(element)
        if caption is None:
            continue
        key = _comparable(caption.text)
        if key in seen:
            continue
        seen.add(key)
        captions.append(caption)
        if len(captions) >= 100:
            break
    return captions


def _in_foreign_container(element: HtmlElement, root: HtmlElement) -> bool:
    for ancestor in element.iterancestors():
        if ancestor is root:
            return False
        if ancestor.tag in ("nav", "aside", "footer"):
            return True
        marker = f"{ancestor.get('class', '')} {ancestor.get('id', '')}"
        if len(marker) > 1 and _is_foreign_marker(marker):
            return True
    return False


_CREDIT_WORDS = phrase_regex(
    (
        "photo",
        "photos",
        "photograph",
        "photography",
        "photo credit",
        "image",
        "images",
        "image credit",
        "picture",
        "credit",
        "credits",
        "illustration",
        "foto",
        "fotos",
        "bild",
        "bildquelle",
        "bildnachweis",
        "grafik",
        "crédit",
        "crédits",
        "crédit photo",
        "fotografía",
        "imagen",
        "immagine",
        "fotografia",
        "imagem",
        "фото",
        "zdjęcie",
        "fot",
        "quelle",
        "source",
    )
)
_TRAILING_CREDIT = re.compile(
    rf"(?:^|[\s.;:,|–—-])[\[(]?\s*((?:{_CREDIT_WORDS})\s*(?:by\b|:|/)\s*[^()\[\]]{{2,120}}?|©\s*[^()\[\]]{{2,120}}?)\s*[\])]?\s*$",
    re.I,
)
_AGENCY_CREDIT = re.compile(
    rf"[\s(\[]((?:[\w.'’-]+\s){{0,3}}[\w.'’-]*/?\s*(?:{phrase_regex(PICTURE_AGENCIES)})(?:\s+via\s+[\w .'-]{{2,40}})?"
    rf"|(?:{phrase_regex(PICTURE_AGENCIES)})\s*/\s*[\w .'’-]{{2,40}})[\])]?\s*$",
    re.I,
)


def _caption_of(element: HtmlElement) -> Caption | None:
    credit_parts: list[str] = []
    text_parts: list[str] = []
    _split_credit_text(element, text_parts, credit_parts, top=True)
    text = _clean_text(" ".join(text_parts)) or ""
    credit = _clean_text(" ".join(credit_parts))
    if credit is None and text:
        text, credit = split_credit(text)
    if credit is None:
        figure = next((a for a in element.iterancestors("figure")), None)
        if figure is not None:
            for credit_element in _STANDALONE_CREDITS(figure):
                credit = _clean_text(credit_element.text_content())
                if credit:
                    break
    if credit:
        credit = re.sub(
            r"^(?:photo|foto|image|bild|credit|crédit|source|quelle)s?\s*(?:by\b|:)\s*",
            "",
            credit,
            flags=re.I,
        )
        credit = credit.strip(" ()[]") or None
    if not text or len(text) > 2000:
        return None
    return Caption(text=text, credit=credit)


def _split_credit_text(
    element: HtmlElement, text_parts: list[str], credit_parts: list[str], *, top: bool
) -> None:
    """Walk the caption: text of credit-classed children goes to the credit, the rest to the text."""
    if not top and _CREDIT_CLASS.search(element.get("class", "") or ""):
        credit_parts.append(element.text_content())
        if element.tail:
            text_parts.append(element.tail)
        return
    if element.tag in ("script", "style", "button", "svg", "noscript"):
        if element.tail and not top:
            text_parts.append(element.tail)
        return
    if element.text:
        text_parts.append(element.text)
    for child in element:
        if not isinstance(child.tag, str):  # comments, processing instructions
            if child.tail:
                text_parts.append(child.tail)
            continue
        _split_credit_text(child, text_parts, credit_parts, top=False)
    if not top and element.tail:
        text_parts.append(element.tail)


def split_credit(text: str) -> tuple[str, str | None]:
    """ "Crowds in Kyiv. Photo: Jane Doe/Reuters" -> ("Crowds in Kyiv.", "Jane Doe/Reuters")."""
    match = _TRAILING_CREDIT.search(text) or _AGENCY_CREDIT.search(text)
    if not match:
        return text, None
    caption = text[: match.start(1)].rstrip(" ([|–—-;,")
    if not caption:
        return text, None
    return caption, match[1].strip()


# ------------------------------------------------------------------ body


# Cascade: trafilatura's balanced mode first; when it returns under half of the visible text of
# the article's container, its recall mode is tried and kept if it at least doubles the text.
# Measured (see BENCHMARKS.md): +0.4 word-F1 on wcxb, unchanged on trafilatura-eval, and it
# fires on about one page in six, so the second pass costs ~2-3 ms a page on average.
RECALL_TRIGGER_SHARE = 0.5
RECALL_ACCEPT_RATIO = 2.0
# trafilatura's own pass first, without its readability/jusText comparison (15% of a page's extraction
# time); the comparison runs only when that pass kept under 800 characters or under 30% of the page's
# visible text. Measured: 5% less CPU per page for 0.002 less segment F / word F1 (bench.html_extraction).
FAST_ACCEPT_SHARE = 0.3
FAST_ACCEPT_CHARS = 800
_TEXT_LENGTH = XPath("string-length(normalize-space(.))")


def body_paragraphs(
    tree: HtmlElement,
    *,
    url: str | None,
    captions: Iterable[Caption] = (),
    title: str | None = None,
    root: HtmlElement | None = None,
) -> list[str]:
    """The article body as paragraphs (sub-headings included, in order), chrome lines removed."""
    root = root if root is not None else article_root(tree)
    code = sum(len(element.text or "") for element in root.iter("script", "style", "noscript"))
    visible = int(_TEXT_LENGTH(root)) - code
    text = _trafilatura_text(tree, url, favor_recall=False, fast=True)
    if len(text) < FAST_ACCEPT_SHARE * visible or len(text) < FAST_ACCEPT_CHARS:
        text = _trafilatura_text(tree, url, favor_recall=False)
    if len(text) < RECALL_TRIGGER_SHARE * visible:
        recall_text = _trafilatura_text(tree, url, favor_recall=True)
        if len(recall_text) > RECALL_ACCEPT_RATIO * len(text):
            text = recall_text
    lines = [_clean_text(line) for line in text.split("\n")]
    return clean_lines([line for line in lines if line], captions=captions, title=title)


def _trafilatura_text(tree: HtmlElement, url: str | None, *, favor_recall: bool, fast: bool = False) -> str:
    document = bare_extraction(
        tree,
        url=url,
        fast=fast,
        include_comments=False,
        include_tables=True,
        with_metadata=False,
        favor_recall=favor_recall,
    )
    if document is None or isinstance(document, dict):
        return ""
    return document.text or ""


def clean_lines(lines: list[str], *, captions: Iterable[Caption] = (), title: str | None = None) -> list[str]:
    """Drop residual chrome that survives trafilatura, line by line.

    Removed: caption lines (with or without their credit), the title repeated as the first
    line, one-line chrome ("Advertisement", "Share", "Newsletter"), teaser links ("Read more:
    ...", "Lesen Sie auch: ..."), a "Related articles" heading with the run of headlines under
    it, bare picture credits ("AFP / Jane Doe"), and bare dates in the first or last lines.
    Each rule was kept only if it removed more boilerplate than text on the benchmark sets.
    """
    caption_keys = {_comparable(c.text) for c in captions}
    caption_keys |= {_comparable(f"{c.text} {c.credit}") for c in captions if c.credit}
    caption_keys.discard("")
    long_keys = [key for key in caption_keys if len(key) >= 30]
    title_key = _comparable(title) if title else None
    kept: list[str] = []
    in_related_block = False
    last = len(lines) - 1
    for index, line in enumerate(lines):
        key = _comparable(line)
        if in_related_block:
            if _is_headline_like(line):
                continue
            in_related_block = False
        if not key or key in caption_keys:
            continue
        # a caption followed by its credit in another wording ("... Foto: Ingo Schneider")
        if any(key.startswith(k) and len(key) - len(k) <= 60 for k in long_keys):
            continue
        if index == 0 and title_key and key == title_key:
            continue
        if _is_related_heading(line, key):
            in_related_block = True
            continue
        if key in _CHROME_LINES or _is_teaser_or_ad(line) or _is_credit_line(line):
            continue
        if (index < 3 or index >= last - 1) and _is_bare_date(line):
            continue
        kept.append(line)
    return kept


def _phrases(*lexicons: Iterable[str]) -> frozenset[str]:
    return frozenset(_comparable(phrase) for lexicon in lexicons for phrase in lexicon) - {""}


# One-line chrome: the whole line is one of these phrases.
_CHROME_LINES = _phrases(SUBSCRIBE, SHARE, RELATED, APP, FEEDBACK, COMMENT, NAV, AD)
# Headings that open a list of other stories ("Read more" alone is usually an inline link).
_RELATED_HEADINGS = _phrases(RELATED) - _phrases(
    (
        "read more",
        "read next",
        "keep reading",
        "latest",
        "popular",
        "more in",
        "weiterlesen",
        "lire la suite",
        "leer más",
        "leia mais",
        "lees meer",
        "czytaj więcej",
        "mehr lesen",
        "leggi di più",
        "главное",
        "головне",
        "more",
        "recommended",
        "beliebt",
        "empfehlungen",
    )
)
_TEASER_WORDS = phrase_regex(
    (
        *(phrase for phrase in RELATED if phrase != "empfehlungen"),
        "puedes ver",
        "mira también",
        "te recomendamos",
        "lee más",
        "ver también",
        "siehe auch",
        "mehr dazu",
        "mehr zum thema",
        "weitere informationen",
        "related",
        "see more",
        "watch",
    )
)
_TEASER_LINE = re.compile(rf"^[-•*]?\s*(?:{_TEASER_WORDS})\s*(?::|：|\||»|›|>|–|—|-)\s*\S", re.I)
_AD_LINE = re.compile(rf"^(?:{phrase_regex(AD)})\s*(?::|\||–|—|-)\s*\S", re.I)
_RELATED_PREFIX = re.compile(rf"^(?:{_TEASER_WORDS})\b", re.I)
_SENTENCE_END = re.compile(r"[.!?…:\"”»)]\s*$")


def _is_related_heading(line: str, key: str) -> bool:
    if key in _RELATED_HEADINGS:
        return True
    # "Lesen Sie auch die folgenden Beiträge:", "More on this story:"
    return len(line) <= 80 and line.rstrip().endswith(":") and bool(_RELATED_PREFIX.match(line.strip()))


def _is_headline_like(line: str) -> bool:
    """A teaser headline under a related heading: short and not ending like a sentence."""
    return len(line) <= 140 and not _SENTENCE_END.search(line)


def _is_teaser_or_ad(line: str) -> bool:
    return len(line) <= 200 and bool(_TEASER_LINE.match(line) or _AD_LINE.match(line))


_CREDIT_ONLY = re.compile(
    rf"^[\[(]?\s*(?:(?:{_CREDIT_WORDS})\s*(?:by\b|:)?\s*|©\s*)[^.!?]{{0,60}}[\])]?$"
    rf"|^[\[(]?\s*(?:[\w.'’-]+\s){{0,3}}[\w.'’-]*\s*/?\s*(?:{phrase_regex(PICTURE_AGENCIES)})"
    rf"(?:\s*/\s*[\w.'’ -]{{2,40}})?\s*[\])]?$",
    re.I,
)


def _is_credit_line(line: str) -> bool:
    return len(line) <= 80 and bool(_CREDIT_ONLY.match(line.strip()))


_MONTH_NAMES = phrase_regex(tuple(MONTHS))
_HAS_MONTH = re.compile(rf"(?:{_MONTH_NAMES})", re.I)
_NUMERIC_DATE = re.compile(
    r"\b\d{1,2}[./]\d{1,2}[./](?:\d{4}|\d{2})\b|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}:\d{2}\b"
)
_DATE_PARTS = re.compile(
    rf"(?:{_MONTH_NAMES})\.?|\d{{1,4}}(?:[./:-]\d{{1,4}}){{0,2}}"
    r"(?:\s*(?:am|pm|a\.m\.|p\.m\.|uhr|h|ist|est|edt|cst|cdt|pst|pdt|cet|cest|gmt|utc|bst))?"
    r"|\b(?:st|nd|rd|th)\b",
    re.I,
)
_DATE_WORDS = re.compile(
    rf"(?:{phrase_regex((*PUBLISHED_CUES, *UPDATED_CUES))})|\b(?:at|um|le|el|il|am|à|of|the|on|by|von|"
    r"pm|a\.m|p\.m|uhr|ist|est|edt|cst|cdt|pst|pdt|cet|cest|gmt|utc|bst|"
    r"last|min|mins|minutes?|read|lesezeit|ago|vor|hours?|stunden?|days?|tagen?|"
    r"mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?|"
    r"montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag)\b",
    re.I,
)


def _is_bare_date(line: str) -> bool:
    """ "09 Oct 2018", "Published: 30.11.2025, 14:05 Uhr": a date and nothing else."""
    if len(line) > 80 or re.search(r"[|$€£%+\[\]]", line):
        return False
    if not ((_HAS_MONTH.search(line) and re.search(r"\d", line)) or _NUMERIC_DATE.search(line)):
        return False
    rest = _DATE_WORDS.sub(" ", _DATE_PARTS.sub(" ", line))
    return not re.sub(r"[\W_]+", "", rest)


# "By Jane Doe and John Roe" at the top, "Reporting by Jane Doe; Editing by John Roe" at the end.
_NAME = r"[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+(?:\s+(?:[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+|van|von|de|da|del|der|di|le|la|bin|al))*"
_BYLINE_LINE = re.compile(
    rf"^(?i:{phrase_regex(BYLINE_PREFIXES)})\s*:?\s+(?P<names>{_NAME}(?:\s*(?:,|;|(?i:{phrase_regex(NAME_JOINERS)}))\s*{_NAME}){{0,4}})\s*\.?$"
)
_PLACE = rf"(?:\s+in\s+{_NAME})?"
_REPORTING_LINE = re.compile(
    rf"^(?i:(?:additional\s+)?reporting\s+by)\s+(?P<names>{_NAME}{_PLACE}(?:\s*(?:,|and|&)\s*{_NAME}{_PLACE}){{0,4}})"
    r"(?:\s*;\s*(?i:writing|editing|additional reporting|compiled)\s+by\s+[^;]{2,120})*\s*\.?$"
)
_NAME_JOIN = re.compile(rf"\s*(?:,|;|\b(?i:{phrase_regex(NAME_JOINERS)})\b)\s*")
_IN_PLACE = re.compile(rf"\s+in\s+{_NAME}$")


def byline_lines(paragraphs: list[str]) -> tuple[list[str], tuple[str, ...]]:
    """Remove a byline line at the top; return the names it gives, or those of a wire sign-off at the end."""
    kept = list(paragraphs)
    names: list[str] = []
    for index in range(min(3, len(kept))):
        line = kept[index]
        if len(line) <= 100 and (match := _BYLINE_LINE.match(line)):
            names = [n for n in _NAME_JOIN.split(match["names"]) if n]
            del kept[index]
            break
    for index in range(len(kept) - 1, max(-1, len(kept) - 4), -1):
        line = kept[index]
        if len(line) <= 250 and (match := _REPORTING_LINE.match(line)):
            # the sign-off stays in the text (it is part of a wire story); it only names the authors
            names = names or [
                _IN_PLACE.sub("", n) for n in re.split(r"\s*(?:,|\band\b|&)\s*", match["names"]) if n
            ]
            break
    return kept, tuple(dict.fromkeys(n.strip() for n in names if len(n.strip()) > 2))


# ------------------------------------------------------------------ provenance

# Only cues that say the story was published elsewhere first: "with material from dpa" or
# "article by Jane Doe" name contributors, not the outlet that owns the story.
_RESERVED_MARKERS = re.compile(
    r"original|first|republish|reprint|zuerst|initialement|originalmente|originariamente|oorspronkelijk", re.I
)
_SOURCE_CUE_RE = re.compile(
    rf"^(?:{phrase_regex(tuple(c for c in SOURCE_CUES if _RESERVED_MARKERS.search(c)))})\s*[:\-–—]?\s*"
    r"(?P<name>[^.;|\n]{2,80}?)\s*[.;]?\s*$",
    re.I,
)
_SOURCE_LABEL_RE = re.compile(
    r"^(?:source|sources|quelle|fuente|fonte|bron|źródło|источник|джерело)\s*:\s*(?P<name>.{2,60}?)\.?$", re.I
)
_KNOWN_PUBLISHER_RE = re.compile(rf"^(?:{phrase_regex(KNOWN_PUBLISHERS)})$", re.I)
_WIRE_DATELINE = re.compile(
    r"^[A-ZÀ-Ý][\w .,'’/-]{1,60}?\s*\((?P<name>Reuters|AP|AFP|dpa|Bloomberg|EFE|ANSA|Xinhua)\)\s*[-–—]"
)
_SYNDICATION_META = frozenset({"syndication-source", "original-source", "article:source", "dcterms.source"})


def provenance(
    tree: HtmlElement, paragraphs: list[str], sitename: str | None, url: str | None = None
) -> tuple[str | None, str | None, list[str]]:
    """(outlet, via, paragraphs): the original publisher when the page re-serves another outlet's story.

    Evidence, strongest first: syndication meta tags and JSON-LD ``sourceOrganization``; an
    attribution line near the top or bottom ("Originally published by X", "Source: Reuters"),
    which is removed from the body; a wire dateline opening the story ("FRANKFURT (Reuters) -").
    ``via`` is the site's own name (or host) when the outlet is someone else.
    """
    original = _syndication_meta(tree)
    kept = list(paragraphs)
    for index in sorted({*range(min(3, len(kept))), *range(max(0, len(kept) - 4), len(kept))}):
        line = kept[index]
        if len(line) > 200:
            continue
        cue = _SOURCE_CUE_RE.match(line)
        label = None if cue else _SOURCE_LABEL_RE.match(line)
        found = cue or label
        name = found["name"].strip(" .:") if found else ""
        if name and (cue or _KNOWN_PUBLISHER_RE.match(name)):
            original = original or name
            kept[index] = ""
    if original is None and kept and (wire := _WIRE_DATELINE.match(kept[0])):
        original = wire["name"]
    kept = [line for line in kept if line]
    site = sitename or _site_host(url)
    if original and site and _same_outlet(original, site):
        original = None
    if original:
        return original, site, kept
    return sitename, None, kept


def _site_host(url: str | None) -> str | None:
    match = _HOST.match(url or "")
    return match[1].lower() if match and "." in match[1] else None


def _syndication_meta(tree: HtmlElement) -> str | None:
    for element in tree.iterfind(".//head/meta[@content]"):
        key = (element.get("name") or element.get("property") or "").lower()
        if key in _SYNDICATION_META:
            value = _clean_text(element.get("content"))
            if value and not value.lower().startswith("http"):
                return value
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        text = script.text or ""
        if "sourceOrganization" not in text:
            continue
        try:
            data = json.loads(text, strict=False)
        except (ValueError, RecursionError):
            continue
        for item in data if isinstance(data, list) else [data]:
            source = item.get("sourceOrganization") if isinstance(item, dict) else None
            name = source.get("name") if isinstance(source, dict) else source
            if isinstance(name, str) and name.strip() and not name.lower().startswith("http"):
                return name.strip()
    return None


def _same_outlet(first: str, second: str) -> bool:
    """ "Reuters" and "Thomson Reuters" are one outlet; "AP" is not inside "Local Paper"."""
    a, b = _comparable(first).replace(" ", ""), _comparable(second).replace(" ", "")
    if not a or not b:
        return False
    shorter, longer = sorted((a, b), key=len)
    return shorter == longer or (len(shorter) >= 4 and shorter in longer)


__all__ = [
    "EXTRACTOR",
    "article_root",
    "best_title",
    "body_paragraphs",
    "byline",
    "byline_lines",
    "clean_lines",
    "extract_captions",
    "extract_html",
    "page_language",
    "page_metadata",
    "parse_html",
    "provenance",
    "split_authors",
    "split_credit",
    "standfirst",
]
