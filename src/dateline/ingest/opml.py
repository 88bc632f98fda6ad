"""OPML subscription lists in and out.

Reading uses defusedxml (no entity declarations, no external references);
nested outlines become categories, joined with "/" from the outermost down,
so ``News > World > feed`` is category ``News/World``.  ``write_opml`` writes
categories back as nested outlines, so reading what it wrote gives the same
subscriptions.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from importlib import resources
from xml.etree.ElementTree import ParseError as XMLSyntaxError

from defusedxml.common import DefusedXmlException
from defusedxml.ElementTree import fromstring

from dateline.errors import ParseError
from dateline.models import FeedSubscription

# Characters XML 1.0 cannot carry at all; dropped on write instead of producing a broken file.
_XML_ILLEGAL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _attribute(element: ET.Element, *names: str) -> str | None:
    """The first non-blank attribute among ``names``, matched case-insensitively (xmlUrl, xmlurl, XMLURL)."""
    lowered = {key.lower(): value for key, value in element.attrib.items()}
    for name in names:
        value = lowered.get(name.lower())
        if value is not None and value.strip():
            return value.strip()
    return None


def _local_name(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _category_attribute(element: ET.Element) -> str | None:
    """OPML 2's ``category`` attribute: comma-separated slash paths; the first one is kept."""
    value = _attribute(element, "category")
    if value is None:
        return None
    first = value.split(",", 1)[0]
    path = "/".join(part.strip() for part in first.split("/") if part.strip())
    return path or None


def _walk(
    element: ET.Element,
    parents: tuple[str, ...],
    found: list[FeedSubscription],
    seen: set[str],
) -> None:
    for outline in element:
        if _local_name(outline.tag) != "outline":
            continue
        url = _attribute(outline, "xmlUrl", "xmlURL", "url")
        label = _attribute(outline, "title", "text")
        if label is not None and label == url:
            label = None  # writers put the URL in ``text`` when a feed has no title
        if url is not None and (_attribute(outline, "xmlUrl") is not None or _is_feed_outline(outline)):
            if url not in seen:
                seen.add(url)
                category = "/".join(parents) if parents else _category_attribute(outline)
                found.append(
                    FeedSubscription(
                        url=url,
                        title=label,
                        html_url=_attribute(outline, "htmlUrl"),
                        category=category,
                    )
                )
            continue
        _walk(outline, (*parents, label) if label else parents, found, seen)


def _is_feed_outline(outline: ET.Element) -> bool:
    """Outlines with only ``url`` count when typed as a feed (``type="rss"``/``"atom"``)."""
    kind = (_attribute(outline, "type") or "").lower()
    return kind in {"rss", "atom", "feed"}


def parse_opml(content: bytes) -> list[FeedSubscription]:
    """The feeds listed in an OPML document, in document order, one per URL.

    Raises ``ParseError`` for empty or malformed XML, entity declarations and
    documents whose root is not ``<opml>``.
    """
    if not content.strip():
        raise ParseError("OPML file is empty")
    try:
        root = fromstring(content, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException:
        raise ParseError(
            "OPML file declares XML entities (an entity-expansion or external-entity attack); refused"
        ) from None
    except XMLSyntaxError as exc:
        raise ParseError(f"OPML file is not well-formed XML: {exc}") from None
    except (ValueError, LookupError) as exc:
        raise ParseError(f"OPML file could not be read: {exc}") from None
    if _local_name(root.tag) != "opml":
        raise ParseError(f"not an OPML document (the root element is <{_local_name(root.tag) or '?'}>)")
    found: list[FeedSubscription] = []
    for child in root:
        if _local_name(child.tag) == "body":
            _walk(child, (), found, set())
    return found


def _clean(value: str) -> str:
    return _XML_ILLEGAL_RE.sub("", value)


def write_opml(subscriptions: Iterable[FeedSubscription], title: str = "Dateline subscriptions") -> bytes:
    """An OPML 2.0 document listing ``subscriptions``, categories as nested outlines (UTF-8 bytes)."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = _clean(title)
    body = ET.SubElement(root, "body")
    folders: dict[tuple[str, ...], ET.Element] = {(): body}
    for subscription in subscriptions:
        path = tuple(
            _clean(part).strip() for part in (subscription.category or "").split("/") if _clean(part).strip()
        )
        parent = body
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            if key not in folders:
                folders[key] = ET.SubElement(folders[key[:-1]], "outline", text=key[-1], title=key[-1])
            parent = folders[key]
        attributes = {"type": "rss", "xmlUrl": _clean(subscription.url)}
        label = _clean(subscription.title) if subscription.title else None
        if label:
            attributes["text"] = label
            attributes["title"] = label
        else:
            attributes["text"] = attributes["xmlUrl"]
        if subscription.html_url:
            attributes["htmlUrl"] = _clean(subscription.html_url)
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def starter_opml() -> bytes:
    """The starter list shipped with Dateline: major public news feeds in several languages, by region.

    Each outline names its publisher and carries its ``language``; nothing is fetched to read it.
    """
    return resources.files("dateline").joinpath("data/starter.opml").read_bytes()
