"""Atom 1.0 feeds out, built from the same view dicts as the pages (front page, a story's timeline, a
follow's new facts, a search). Written with ElementTree, so every value is XML-escaped."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode
from xml.etree import ElementTree as ET

MEDIA_TYPE = "application/atom+xml; charset=utf-8"
ATOM = "http://www.w3.org/2005/Atom"


def front_feed(data: dict[str, Any], *, base: str) -> bytes:
    entries = [
        _Entry(
            id=f"{base}/story/{quote(s['id'], safe='')}",
            title=s["title"],
            link=f"{base}/story/{quote(s['id'], safe='')}",
            updated=s["last_seen"],
            summary=f"{s['summary']} ({s['articles']} articles, {s['outlets']} outlets)",
        )
        for s in data["stories"]
    ]
    return _feed("Dateline: trending stories", f"{base}/", f"{base}/feed.atom", entries)


def story_feed(data: dict[str, Any], *, base: str) -> bytes:
    story = data["story"]
    link = f"{base}/story/{quote(story['id'], safe='')}"
    timeline = (data.get("synthesis") or {}).get("timeline") or []
    entries = []
    for item in timeline:
        key = f"{story['id']}|{item['date']}|{item['text']}"
        entries.append(
            _Entry(
                id=f"urn:dateline:timeline:{hashlib.sha1(key.encode()).hexdigest()[:20]}",
                title=f"{item['date']}: {_short(item['text'])}",
                link=_citation_link(base, item),
                updated=item.get("first_seen") or story["last_seen"],
                summary=item["text"],
            )
        )
    return _feed(f"Dateline: {story['title']}", link, f"{link}/feed.atom", entries)


def follow_feed(data: dict[str, Any], *, base: str) -> bytes:
    follow = data["follow"]
    link = f"{base}/follows/{follow['id']}"
    entries = []
    for change in data["changes"]:
        for section in ("timeline", "quotes", "figures"):
            for item in change.get(section) or []:
                text = item.get("text", "")
                key = f"{change['id']}|{section}|{text}"
                entries.append(
                    _Entry(
                        id=f"urn:dateline:{section}:{hashlib.sha1(key.encode()).hexdigest()[:20]}",
                        title=f"{change['title']}: {_short(text)}",
                        link=_citation_link(base, item),
                        updated=item.get("first_seen") or change["since"],
                        summary=text,
                    )
                )
    return _feed(f"Dateline: {follow['label']}", link, f"{link}/feed.atom", entries)


def search_feed(data: dict[str, Any], *, base: str) -> bytes:
    query = data["query"]
    link = f"{base}/search?{urlencode({'q': query})}"
    entries = [
        _Entry(
            id=f"{base}/article/{quote(r['id'], safe='')}",
            title=r["title"] or "(untitled)",
            link=f"{base}/article/{quote(r['id'], safe='')}",
            updated=r["published_at"] or "",
            summary="".join(part["text"] for part in r["snippet_parts"]),
        )
        for r in data["results"]
    ]
    return _feed(
        f"Dateline search: {query}", link, f"{base}/search/feed.atom?{urlencode({'q': query})}", entries
    )


class _Entry:
    def __init__(self, *, id: str, title: str, link: str, updated: str, summary: str) -> None:
        self.id, self.title, self.link, self.updated, self.summary = id, title, link, updated, summary


def _feed(title: str, link: str, self_link: str, entries: list[_Entry]) -> bytes:
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}title").text = _clean(title)
    ET.SubElement(feed, f"{{{ATOM}}}id").text = self_link
    ET.SubElement(feed, f"{{{ATOM}}}link", href=link, rel="alternate", type="text/html")
    ET.SubElement(feed, f"{{{ATOM}}}link", href=self_link, rel="self", type="application/atom+xml")
    times = [_rfc3339(e.updated) for e in entries if e.updated]
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = max(times) if times else _rfc3339("")
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "Dateline"
    ET.SubElement(feed, f"{{{ATOM}}}generator").text = "Dateline"
    for entry in entries:
        node = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(node, f"{{{ATOM}}}id").text = entry.id
        ET.SubElement(node, f"{{{ATOM}}}title").text = _clean(entry.title)
        ET.SubElement(node, f"{{{ATOM}}}link", href=entry.link, rel="alternate", type="text/html")
        ET.SubElement(node, f"{{{ATOM}}}updated").text = _rfc3339(entry.updated)
        ET.SubElement(node, f"{{{ATOM}}}summary", type="text").text = _clean(entry.summary)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)


def _citation_link(base: str, item: dict[str, Any]) -> str:
    citations = item.get("citations") or []
    if not citations:
        return base + "/"
    first = citations[0]
    field = first.get("field", "text")
    return f"{base}/article/{quote(first['article_id'], safe='')}?hl={field}:{first['start']}-{first['end']}#passage"


def _rfc3339(value: str) -> str:
    try:
        moment = datetime.fromisoformat(value) if value else datetime.now(UTC)
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(text: str | None) -> str:
    """Text without the control characters XML 1.0 cannot carry (ElementTree escapes the rest)."""
    return "".join(
        ch for ch in (text or "") if ch in "\t\n\r" or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff")
    )


def _short(text: str, limit: int = 120) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
