"""Hostile articles for the browser tests: every field an outlet controls carries a payload that would
set ``window.__pwned`` or open a dialog if the reader ever let it run.

They are written as JSON Lines (our own input contract, which keeps every string as it is, markup
included) next to ``fixtures/hostile-page.html``, the same kind of payloads inside a saved web page.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
SVG = "<svg onload=alert(1)>"
JS_URL = "javascript:window.__pwned=1//vexmoor"
STYLE = "</style><style>body{display:none}</style>"
IFRAME = '"><iframe srcdoc="<script>parent.__pwned=1</script>">'
TEMPLATE = "{{7*7}}"
HOMOGLYPH_OUTLET = "Reut\u0435rs"  # a Cyrillic "е" inside a Latin name
RTL_OVERRIDE = "\u202egnp.exe"  # right-to-left override: reads "exe.png" when rendered
HOSTILE_WORD = "Vexmoor"  # in every hostile article, and nowhere else

# The article whose URL is a javascript: link (the reader must drop it), and the one whose URL is an
# http link with markup in it (the reader may link it, escaped).
JS_URL_TITLE = f"Vexmoor reservoir flood warning {SCRIPT} {TEMPLATE}"
MARKUP_URL = 'https://gazette.example.net/vexmoor"><script>window.__pwned=1</script>'
MARKUP_URL_TITLE = f"Vexmoor dam spillway overflows {IMG}"
HTML_PAGE_TITLE = f"Vexmoor spillway inspected {SCRIPT}"  # fixtures/hostile-page.html
QUOTED_SPEAKER_KEY = "person:tomas brenner"

HOSTILE_RECORDS: tuple[dict[str, Any], ...] = (
    {
        "url": JS_URL,
        "outlet": HOMOGLYPH_OUTLET,
        "title": JS_URL_TITLE,
        "authors": [f"{IMG} Hana Petrel"],
        "section": '<b onmouseover="window.__pwned=1">World</b>',
        "standfirst": f"{STYLE} Water is pouring over the Vexmoor dam spillway after a week of heavy rain.",
        "published_at": "2025-12-02T09:00:00+00:00",
        "language": "en",
        "paragraphs": [
            "Water began pouring over the spillway of the Vexmoor reservoir on Monday after a week of heavy"
            f" rain, the Vexmoor water board said. {SCRIPT}",
            f"Chief engineer Tomas Brenner said the dam was safe and the spillway was working as designed. {IMG}",
            f'"The {SVG} spillway is doing exactly what it was built to do," Brenner said on Monday.',
            "About 1,200 residents of the valley below the Vexmoor dam were told to stay away from the river"
            f" banks until Friday. {IFRAME} {TEMPLATE} {RTL_OVERRIDE}",
        ],
        "captions": [{"text": f"{IFRAME} The Vexmoor spillway on Monday", "credit": SCRIPT}],
    },
    {
        "url": MARKUP_URL,
        "outlet": f"Vexmoor Gazette {RTL_OVERRIDE}",
        "title": MARKUP_URL_TITLE,
        "authors": [f"Ola {RTL_OVERRIDE} Strand"],
        "standfirst": f"{SVG} Residents were told to keep away from the river.",
        "published_at": "2025-12-02T11:30:00+00:00",
        "language": "en",
        "paragraphs": [
            "Water poured over the Vexmoor reservoir spillway on Monday after a week of heavy rain, and the"
            " Vexmoor water board told about 1,200 residents of the valley to stay away from the river banks"
            f" until Friday. {STYLE}",
            f'Chief engineer Tomas Brenner said the dam itself was safe. <a href="{JS_URL}">read more</a>',
            f'"We are watching the level every hour," Brenner said. {TEMPLATE}',
        ],
    },
)


def write_hostile_jsonl(path: Path) -> Path:
    path.write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in HOSTILE_RECORDS), encoding="utf-8"
    )
    return path


# Plain notices that only make a search long enough to page through (dated before the front page's
# window, so they stay off it).
PAGING_WORD = "tidewater"
PAGING_ARTICLES = 23


def write_paging_jsonl(path: Path) -> Path:
    lines = []
    for number in range(1, PAGING_ARTICLES + 1):
        record = {
            "id": f"tidewater-notice-{number}",
            "outlet": "Harbour Notices",
            "title": f"Tidewater notice {number}: berth {number} closed for dredging",
            "published_at": f"2025-10-{number:02d}T06:00:00+00:00",
            "language": "en",
            "text": f"Berth {number} at the tidewater quay is closed for dredging on day {number} of the"
            f" programme. Pilots should use berth {number + 40} instead.",
        }
        lines.append(json.dumps(record) + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return path
