"""Plain-text scrape extraction: find the article inside a whole page's copied text.

Input is what people get from select-all/copy, reader-less scrapers and "save as text": the
page's words with its chrome still in them (menus, share buttons, related-article lists,
cookie notices, footers) and no markup to tell them apart. The method is a line model:

1. Each line gets cheap features (length, sentence punctuation, capitalisation, digits,
   position, distance to the densest run of long lines, repetition in the page and across the
   corpus, multilingual boilerplate cues) and a logistic score; a second pass adds the
   neighbours' scores (smoothing). The weights are fitted on the training half of the
   benchmark pages (``bench/text_scrapes.py --train``) and stored as numbers in
   ``text_weights.json``.
2. The article is the best contiguous region (maximum-sum subarray over length-weighted
   scores, as in body-text extraction), cleaned inside: embedded chrome, related-link blocks
   and their entries, markdown images and captions come out; captions keep their credits.
3. Title, standfirst, byline, date and section come from the lines just above the region;
   outlet and the aggregator (``via``) from the repeated site name, the URL and source cues.

Everything is pure Python over precompiled regexes and phrase tables, with the per-line text
analysis cached (site chrome recurs from page to page). A 150–200-line page takes about 3–5 ms
on one core (see BENCHMARKS.md, "Text scrapes").
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from dateline.errors import ExtractionError
from dateline.extract import boilerplate as lex
from dateline.extract.text_dates import ABSOLUTE_DATE_PATTERNS, parse_text_date
from dateline.models import Caption, ExtractedFields, PublishedDate

EXTRACTOR = "text.v1"
WEIGHTS_PATH = Path(__file__).with_name("text_weights.json")

__all__ = ["EXTRACTOR", "extract_text_scrape", "line_key", "parse_text_date"]

# ---------------------------------------------------------------- normalisation

_INVISIBLE = re.compile("[\u200b-\u200d\u2060\ufeff\u00ad]")
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_KEY_DIGITS = re.compile(r"\d+")
_KEY_NONWORD = re.compile(r"[\W_]+")
_HAS_DIGIT = re.compile(r"\d")


def line_key(line: str) -> str:
    """The form of a line used to count it across documents (``repeated_lines``).

    Lower-cased word tokens joined by single spaces, every number turned into ``0`` and all
    other punctuation dropped, so "© 2024 Example News." and "© 2025 Example News" share one key.
    """
    return _key_from_tokens(_tokens(_INVISIBLE.sub("", line)))


def _key_from_tokens(tokens: list[str]) -> str:
    joined = " ".join(tokens)
    return _KEY_DIGITS.sub("0", joined) if _HAS_DIGIT.search(joined) else joined


def _split_lines(text: str) -> list[str]:
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text))
    return [line for line in (raw.strip() for raw in text.splitlines()) if line]


# ---------------------------------------------------------------- per-line regexes

_TOKEN = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)
_SENTENCE_CLOSERS = "\"'”’»)]*"
_MD_LINK_ONLY = re.compile(r"^(?:[*+-]\s*)?\[[^\]]+\]\([^)]*\)$")
_URLISH = re.compile(r"https?://|www\.\w|\w@\w+\.\w")
_BULLET = re.compile(r"^(?:[-–•*·▪►✓✔→]|\d{1,2}[.)]|[a-z][.)])\s")
_SEPARATORS = re.compile(r"\s[|•·»›>/]\s|\s[|•·»›]|[|•·»›]\s")
_TIME_ONLY = re.compile(r"^\d{1,2}[:.]\d{2}(?:\s*[ap]\.?m\.?)?$", re.IGNORECASE)
_COPYRIGHT = re.compile(r"©|\(c\)\s*\d{4}|copyright", re.IGNORECASE)
_READ_TIME = re.compile(
    r"^\d+\s*(?:min(?:ute)?s?|minuten|minutos|minuti|мин|хв)\.?(?:\s|$)",
    re.IGNORECASE,
)
_NUMERIC_DATE = re.compile(
    r"(?<!\d)(?:(?:19|20)\d{2}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./](?:19|20)?\d{2})(?!\d)"
)
_RELATED_TAIL_WORDS = "from on in aus de von da di uit из з z"
_RELATED_TAIL = frozenset(_RELATED_TAIL_WORDS.split())


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text.lower().replace("’", "'"))


class _PhraseTable:
    """Multi-word phrase lookup over lower-cased tokens: one dict probe per token, no big regex."""

    def __init__(self, kinds: dict[str, tuple[str, ...]]) -> None:
        self.kinds: dict[str, set[str]] = {}
        self.starts: set[str] = set()
        self.longest = 1
        for kind, phrases in kinds.items():
            for phrase in phrases:
                tokens = _tokens(phrase)
                if not tokens:
                    continue
                self.kinds.setdefault(" ".join(tokens), set()).add(kind)
                if len(tokens) > 1:
                    self.starts.add(tokens[0])
                    self.longest = max(self.longest, len(tokens))

    def scan(self, tokens: Sequence[str]) -> tuple[set[str], int]:
        """Kinds found and how many tokens the found phrases cover (longest match first)."""
        found: set[str] = set()
        covered = 0
        i, n = 0, len(tokens)
        kinds, starts = self.kinds, self.starts
        while i < n:
            token = tokens[i]
            step = 0
            if token in starts:
                for length in range(min(self.longest, n - i), 1, -1):
                    hit = kinds.get(" ".join(tokens[i : i + length]))
                    if hit:
                        found |= hit
                        step = length
                        break
            if not step:
                hit = kinds.get(token)
                if hit:
                    found |= hit
                    step = 1
            if step:
                covered += step
                i += step
            else:
                i += 1
        return found, covered

    def find(self, tokens: Sequence[str]) -> int | None:
        """The token index just after the first phrase found, or None."""
        kinds, starts = self.kinds, self.starts
        for i, token in enumerate(tokens):
            if token in starts:
                for length in range(min(self.longest, len(tokens) - i), 1, -1):
                    if " ".join(tokens[i : i + length]) in kinds:
                        return i + length
            if token in kinds:
                return i + 1
        return None

    def whole(self, tokens: Sequence[str]) -> set[str]:
        return self.kinds.get(" ".join(tokens), set())


_CUE_TABLE = _PhraseTable(lex.CUE_KINDS)
# Cue kinds that mark a short line as chrome outright (a prompt, a button, a notice).
_PROMPT_CUES = frozenset({"subscribe", "app", "feedback", "cookie"})
_PROMPT_STARTS = frozenset(_tokens(" ".join(lex.PROMPT_VERBS)))
_CHROME_CUES = frozenset(
    {"subscribe", "cookie", "share", "app", "feedback", "comment", "translation", "ad", "legal"}
)
_DATE_CUE_TABLE = _PhraseTable({"published": lex.PUBLISHED_CUES, "updated": lex.UPDATED_CUES})
_SOURCE_TABLE = _PhraseTable({"source": lex.SOURCE_CUES})
_SOURCE_KEYS = frozenset(_tokens(phrase)[0] for phrase in lex.SOURCE_CUES)
_SOURCE_LABEL_TOKENS = frozenset(_tokens(phrase)[0] for phrase in lex.SOURCE_LABELS)
_LONG_CUE_KINDS = frozenset({"cookie", "subscribe", "app", "translation", "feedback"})
_RELATED_TABLE = _PhraseTable({"related": lex.RELATED_HEADINGS})
_AUTHOR_BOX_TABLE = _PhraseTable({"author": lex.AUTHOR_BOX})
_MONTH_TOKENS = frozenset(lex.MONTHS)
_CREDIT_LABELS = _PhraseTable({"credit": lex.CREDIT_PREFIXES})
_AGENCY_TABLE = _PhraseTable({"agency": lex.PICTURE_AGENCIES})
_CREDIT_EXTRA = frozenset({"via", "courtesy", "credit", "handout", "photo", "foto", "file"})
_TAIL_SPLIT = re.compile(r"(?<=[.!?…”\"])\s+|\s+[|–—-]\s+|\s{2,}|\s+/\s+")

# Bylines.
_NAME_WORD = r"(?:[A-ZÀ-ÞА-ЯЁІЇЄҐŁŚŻŹĆŃÓ][\w'’.-]*|(?:van|von|de|der|den|da|del|della|di|du|la|le|ter|bin|al|el|dos|das|zu)\b)"
_NAME = rf"{_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}}"
_JOINER = "|".join(re.escape(j) for j in lex.NAME_JOINERS)
_BYLINE_PREFIX = re.compile(
    rf"^(?:{lex.phrase_regex(lex.BYLINE_PREFIXES)})\s*[:：]?\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_BYLINE_SPLIT = re.compile(rf"\s*(?:,|;|\s(?:{_JOINER})\s)\s*", re.IGNORECASE)
_NAME_ONLY = re.compile(rf"^{_NAME}$")
_BYLINE_CUT = re.compile(
    r"\s*(?:\d|[|·•(]|\s[-–—]\s|\s(?:on|am|le|el|il|em|op|at|um|the)\s"
    r"|(?i:\s(?:updated|published|posted|zuletzt|aktualisiert|veröffentlicht|mis à jour|publié|actualizado|publicado|"
    r"aggiornato|pubblicato|bijgewerkt|geplaatst|обновлено|опубликовано|оновлено|опубліковано|"
    r"zaktualizowano|opublikowano)\b))"
)
_NOT_NAME_TEXT = """
the a an our staff editor editors team desk newsroom admin administrator news updated published posted share
comments comment read more min minutes photo image video home menu and or for with in on at by of to from about
last modified fact checked reviewed medically blog guide guides tips tools editorial guidelines development
strategy marketing business app apps mobile data design policy tax health update updates review reviews wrap-up
contributor contributors sponsored partner content advertisement redaktion rédaction redacción redazione
redactie редакция редакція redakcja
"""
_NOT_NAME_WORDS = frozenset(_NOT_NAME_TEXT.split())
_AGENCY_NAMES = frozenset(lex.KNOWN_PUBLISHERS) | frozenset(lex.PICTURE_AGENCIES)

# Source cues for re-served articles.
_SOURCE_LABEL = re.compile(
    rf"^[(\[]?\s*(?:{lex.phrase_regex(lex.SOURCE_LABELS)})\s*[:：]?\s+(?P<name>[^.;()\n]{{2,60}}?)\s*[)\].]?\s*$",
    re.IGNORECASE,
)
_KNOWN_PUBLISHER = re.compile(rf"^(?:{lex.phrase_regex(lex.KNOWN_PUBLISHERS)})$", re.IGNORECASE)
_COPYRIGHT_OWNER = re.compile(
    r"(?:©|\(c\)|copyright)\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*(?P<name>[^.,|©\d][^.|©]{1,60}?)\s*(?:[.,|]|all rights|alle rechte|tous droits|todos los|tutti i|$)",
    re.IGNORECASE,
)
_SECTION_WORDS = frozenset(lex.SECTION_WORDS)
_BREADCRUMB_SPLIT = re.compile(r"\s*(?:»|›|>|/|\||→|•|·)\s*")

# ---------------------------------------------------------------- line analysis


@dataclass(slots=True)
class _Line:
    index: int
    text: str
    key: str
    tokens: tuple[str, ...]  # lower-cased word tokens
    words: int
    end_sentence: bool
    caps_ratio: float
    digit_ratio: float
    cues: frozenset[str]
    cue_cover: float
    md_image: bool
    md_link: bool
    related_heading: bool
    related_inline: bool  # "Read also: <headline>", "VEA TAMBIÉN: ..." - a link to another story
    author_box: bool  # "About the author" - the bio under it is not the story
    credit: tuple[str, str | None] | None  # (caption text, credit) when the line carries a picture credit
    byline: tuple[str, ...] | None
    has_date: bool
    base: dict[str, float]  # the features that depend on the line's text alone
    prob: float = 0.0
    features: dict[str, float] = field(default_factory=dict)
    removable: bool = False  # chrome the cleaner takes out anyway (pictures, link blocks, prompts, captions)


_RELATIVE_DAY_TOKENS = frozenset(_tokens(" ".join(lex.RELATIVE_DAYS)))
_AGO_WORDS_WORDS = "ago vor hace fa há geleden назад тому temu il"
_AGO_WORDS = frozenset(_AGO_WORDS_WORDS.split())
_CREDIT_HINTS = (
    frozenset(token for phrase in (*lex.CREDIT_PREFIXES, *lex.PICTURE_AGENCIES) for token in _tokens(phrase))
    | _CREDIT_EXTRA
)
_BYLINE_STARTS = frozenset(_tokens(phrase)[0] for phrase in lex.BYLINE_PREFIXES)
_RELATED_FIRST = frozenset(_tokens(phrase)[0] for phrase in lex.RELATED_HEADINGS)
_AGENCY_LAST = frozenset(
    _tokens(phrase)[-1] for phrase in (*lex.KNOWN_PUBLISHERS, *lex.PICTURE_AGENCIES) if _tokens(phrase)
)
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]")
_WORD_START = re.compile(r"(?<!\w)[^\W\d_]")
_DIGIT = re.compile(r"\d")


def _analyse(index: int, text: str) -> _Line:
    return _Line(index, *_line_facts(text))


@lru_cache(maxsize=8192)
def _line_facts(text: str) -> tuple[Any, ...]:
    """Everything about a line that depends on its text alone, cached: chrome lines recur
    from page to page of a site, so most of a scrape's lines are seen before."""
    low = text.lower()
    tokens = tuple(_TOKEN.findall(low.replace("’", "'")))
    words = len(tokens)
    if words and len(text) > 4 * words and _CJK.search(text):
        words = max(words, len(_CJK.findall(text)) // 2)  # no spaces between words: count characters
    starts = "".join(_WORD_START.findall(text)) if words else ""
    caps = sum(map(str.isupper, starts)) / len(starts) if starts else 0.0
    digit_count = len(_DIGIT.findall(text))
    if words <= 12:
        found, covered = _CUE_TABLE.scan(tokens)
    else:
        found, covered = _CUE_TABLE.scan(tokens[:16])
        found &= _LONG_CUE_KINDS
    md_image = text.startswith(("![", "[![")) and text.endswith(")") and "](" in text
    md_link = text.endswith(")") and "](" in text and bool(_MD_LINK_ONLY.match(text))
    credit = None
    if (
        not md_image
        and words <= 70
        and "legal" not in found
        and ("©" in text or "(c)" in low or not _CREDIT_HINTS.isdisjoint(tokens[-10:]))
    ):
        credit = _credit_split(text)
    byline = None
    if 2 <= words <= 20 and (
        tokens[0] in _BYLINE_STARTS
        or (tokens[-1] in _AGENCY_LAST and ("," in text or "|" in text or "/" in text))
    ):
        byline = _parse_byline(text)
    stripped = text.rstrip(_SENTENCE_CLOSERS)
    end_sentence = bool(stripped) and stripped[-1] in ".!?…。！？"
    related_heading = 0 < words <= 8 and tokens[0] in _RELATED_FIRST and _is_related_heading(tokens)
    author_box = 0 < words <= 6 and bool(_AUTHOR_BOX_TABLE.whole(tokens))
    related_inline = 3 <= words <= 30 and tokens[0] in _RELATED_FIRST and _is_related_inline(text, tokens)
    has_date = words <= 25 and _has_date(text, tokens, digit_count)
    digit_ratio = digit_count / len(text)
    cue_cover = covered / words if words else 0.0

    w = words
    f: dict[str, float] = {"bias": 1.0, _bucket(w): 1.0, "log_words": math.log1p(w) / 4}
    if end_sentence:
        f["end_sentence"] = 1.0
        if w >= 8:
            f["end_sentence_long"] = 1.0
    if text.endswith(":"):
        f["end_colon"] = 1.0
    if 3 <= w < 15:  # capitalisation tells headlines from sentences only on short lines (German nouns)
        f["caps_ratio"] = caps
        if caps >= 0.8 and not end_sentence:
            f["title_case"] = 1.0
    if digit_ratio:
        f["digit_ratio"] = min(digit_ratio * 4, 1.0)
    if w >= 1 and text.isupper():
        f["all_caps"] = 1.0
    commas = text.count(",")
    if commas:
        f["comma_density"] = min(commas / max(w, 1) * 5, 1.0)
    if ("http" in low or "www." in low or "@" in text) and _URLISH.search(text):
        f["url"] = 1.0
    if md_image:
        f["md_image"] = 1.0
    if md_link:
        f["md_link"] = 1.0
    if _BULLET.match(text):
        f["bullet"] = 1.0
    if w <= 12 and _SEPARATORS.search(text):
        f["separators"] = 1.0
    if "\t" in text:
        f["tab"] = 1.0
    if "©" in text or "(c)" in low or "copyright" in low:
        f["copyright"] = 1.0
    if w <= 6 and _TIME_ONLY.match(text):
        f["time_only"] = 1.0
    if w <= 8 and _READ_TIME.match(text):
        f["read_time"] = 1.0
    scale = "short" if w <= 12 else "long"
    for cue in found:
        f[f"cue_{cue}_{scale}"] = 1.0
    if cue_cover >= 0.5:
        f["cue_cover"] = cue_cover
    if related_heading:
        f["related_heading"] = 1.0
    if related_inline:
        f["related_inline"] = 1.0
    if author_box:
        f["related_author_box"] = 1.0
    if credit is not None:
        f["caption"] = 1.0
    if byline is not None:
        f["byline"] = 1.0
    if has_date:
        f["date_short" if w <= 10 else "date_long"] = 1.0
    return (
        text,
        _key_from_tokens(list(tokens)),
        tokens,
        words,
        end_sentence,
        caps,
        digit_ratio,
        frozenset(found),
        cue_cover,
        md_image,
        md_link,
        related_heading,
        related_inline,
        author_box,
        credit,
        byline,
        has_date,
        f,
    )


def _is_related_heading(tokens: Sequence[str]) -> bool:
    for k in range(len(tokens), 0, -1):
        if _RELATED_TABLE.whole(tokens[:k]):
            return k == len(tokens) or (tokens[k] in _RELATED_TAIL and len(tokens) - k <= 6)
    return False


def _is_related_inline(text: str, tokens: Sequence[str]) -> bool:
    for k in (4, 3, 2, 1):
        if len(tokens) > k and _RELATED_TABLE.whole(tokens[:k]):
            rest = text[_nth_token_end(text, k) :].lstrip(" *")
            return rest.startswith((":", "»", "›", ">", "|", "–", "—", "- "))
    return False


def _has_date(text: str, tokens: Sequence[str], digit_count: int) -> bool:
    if not digit_count:
        return len(tokens) <= 8 and not _RELATIVE_DAY_TOKENS.isdisjoint(tokens)
    if _NUMERIC_DATE.search(text):
        return True
    if not _MONTH_TOKENS.isdisjoint(tokens):
        return True
    return not _AGO_WORDS.isdisjoint(tokens) and any(t in lex.RELATIVE_UNITS for t in tokens)


def _credit_tail(tail: str) -> str | None:
    """The credit in ``tail`` if it is one ("Photo: X", "AFP via Getty Images", "© X"), label removed."""
    if tail.startswith("©"):
        return tail.strip(" .")
    tokens = _tokens(tail)
    if not tokens or len(tokens) > 12:
        return None
    for length in (3, 2, 1):
        if len(tokens) >= length and _CREDIT_LABELS.whole(tokens[:length]):
            # "Photo: X", "Foto: X", "Image credit: X", "Crédits photos : X", "Photo by X", "Foto von X"
            while length < len(tokens) - 1 and _CREDIT_LABELS.whole(tokens[length : length + 1]):
                length += 1
            label_end = _nth_token_end(tail, length)
            rest = tail[label_end:].lstrip()
            if rest.startswith((":", "：", "/", "|")):
                return rest[1:].strip(" .") or None
            if len(tokens) > length and tokens[length] in (
                "by",
                "courtesy",
                "von",
                "de",
                "di",
                "por",
                "credit",
            ):
                return rest.strip(" .") or None
            return None
    for length in (3, 2, 1):
        if len(tokens) >= length and _AGENCY_TABLE.whole(tokens[:length]) and len(tokens) <= 8:
            return tail.strip(" .")
    return None


def _nth_token_end(text: str, n: int) -> int:
    end = 0
    for i, match in enumerate(_TOKEN.finditer(text)):
        end = match.end()
        if i + 1 == n:
            break
    return end


def _credit_split(text: str) -> tuple[str, str | None] | None:
    """Split a caption line into (caption, credit) when it ends with (or is) a picture credit."""
    stripped = text.rstrip(" .")
    mark = max(stripped.rfind("©"), stripped.lower().rfind("(c) "))
    if mark >= 0:
        owner = stripped[mark + (1 if stripped[mark] == "©" else 3) :].strip()
        if 1 <= len(_tokens(owner)) <= 8:
            return stripped[:mark].rstrip(" -–—|/:"), owner
    if stripped.endswith((")", "]")):
        opening = max(stripped.rfind("("), stripped.rfind("["))
        if opening >= 0:
            inner = stripped[opening + 1 : -1].strip()
            inner_tokens = _tokens(inner)
            if inner_tokens and len(inner_tokens) <= 14:
                credit = _credit_tail(inner)
                if credit is None and "via" in inner_tokens and not _CREDIT_HINTS.isdisjoint(inner_tokens):
                    credit = inner
                if credit is not None:
                    return stripped[:opening].rstrip(" -–—|/:"), credit
    starts = [0] + [m.end() for m in _TAIL_SPLIT.finditer(stripped)]
    for start in starts:
        credit = _credit_tail(stripped[start:])
        if credit is not None:
            return stripped[:start].rstrip(" -–—|/:"), credit
    return None


def _parse_byline(text: str) -> tuple[str, ...] | None:
    match = _BYLINE_PREFIX.match(text)
    if match:
        names = _split_names(match.group("rest"))
        return names or None
    # "Jane Doe, Reuters" / "Jane Doe | Reuters": a name followed by a wire service.
    parts = re.split(r"\s*[,|/–—-]\s*", text, maxsplit=1)
    if len(parts) == 2 and parts[1].strip().lower().rstrip(".") in _AGENCY_NAMES:
        names = _split_names(parts[0])
        return names or None
    return None


def _split_names(rest: str, *, single_word: bool = True) -> tuple[str, ...]:
    """The people named at the start of ``rest``; the byline ends at a date, a separator, a place
    ("in Berlin"), an outlet in capitals or anything else that is not a name."""
    cut = _BYLINE_CUT.search(rest)
    if cut:
        rest = rest[: cut.start()]
    tokens = rest.split()
    while tokens and tokens[-1].lower().strip(".,") in lex.MONTHS:
        tokens.pop()  # "By Daniel Renfrow April 12, 2024"
    for k in range(2, len(tokens)):
        if len(tokens[k]) >= 2 and tokens[k].isupper() and not tokens[k - 1].isupper():
            tokens = tokens[:k]  # "Brian Truitt USA TODAY"
            break
    names: list[str] = []
    for part in _BYLINE_SPLIT.split(" ".join(tokens)):
        part = part.strip(" .:;")
        if not part:
            continue
        if part.lower() in _AGENCY_NAMES:
            continue
        if not _NAME_ONLY.match(part):
            break  # the byline ended ("... in Berlin", a job title)
        words = part.split()
        if any(t.lower() in _NOT_NAME_WORDS for t in words) or len(words) > 5:
            break
        if sum(1 for t in words if t[0].isupper()) < (1 if single_word and len(words) == 1 else 2):
            break
        names.append(part)
    return tuple(names)


def _bare_byline(line: _Line, *, near_date: bool) -> tuple[str, ...] | None:
    """Names on a line of their own under the headline: "Evgenia Karp · 6.11.2023",
    "28. Jan. 2022 Paula Balov", or a plain "Jane Doe" right next to the date line."""
    if not 2 <= line.words <= 14 or line.end_sentence or line.cues - {"nav"} or line.md_image:
        return None
    text = line.text
    dated = False
    for pattern in ABSOLUTE_DATE_PATTERNS:
        match = pattern.match(text)
        if match:
            text, dated = text[match.end() :].lstrip(" |·•,-–—"), True
            break
    prefixed = _BYLINE_PREFIX.match(text)
    if prefixed:
        return _split_names(prefixed.group("rest")) or None
    cut = _BYLINE_CUT.search(text)
    if not (near_date or dated or (cut and cut.start() > 0)):
        return None  # a lone capitalised line could be anything
    names = _split_names(text, single_word=False)
    if not names or any(name.lower() in _SECTION_WORDS for name in names):
        return None
    if sum(len(name.split()) for name in names) > 8:
        return None
    return names


# ---------------------------------------------------------------- the line model


@lru_cache(maxsize=1)
def _weights() -> dict[str, dict[str, float]]:
    data = json.loads(WEIGHTS_PATH.read_text(encoding="utf-8"))
    return {
        name: {k: float(v) for k, v in table.items()}
        for name, table in data.items()
        if isinstance(table, dict)
    }


def _bucket(words: int) -> str:
    if words <= 2:
        return "w0_2"
    if words <= 5:
        return "w3_5"
    if words <= 10:
        return "w6_10"
    if words <= 20:
        return "w11_20"
    if words <= 40:
        return "w21_40"
    return "w41p"


def _dense_region(lines: Sequence[_Line]) -> tuple[int, int]:
    """The densest run of long lines: max-sum subarray over (length - 10) words."""
    best, best_start, best_end = 0.0, 0, -1
    running, start = 0.0, 0
    for i, line in enumerate(lines):
        value = min(line.words, 60) - 10 + (4 if line.end_sentence and line.words > 6 else 0)
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, best_start, best_end = running, start, i
    if best_end < 0:
        return 0, len(lines) - 1
    return best_start, best_end


def _short_runs(lines: Sequence[_Line]) -> list[int]:
    """For each line, the length of the run of short (≤ 4 words, unpunctuated) lines around it."""
    runs = [0] * len(lines)
    i = 0
    n = len(lines)
    while i < n:
        if lines[i].words <= 4 and not lines[i].end_sentence:
            j = i
            while j < n and lines[j].words <= 4 and not lines[j].end_sentence:
                j += 1
            for k in range(i, j):
                runs[k] = j - i
            i = j
        else:
            i += 1
    return runs


def _local_features(lines: Sequence[_Line], repeated: Collection[str]) -> None:
    n = len(lines)
    page_counts = Counter(line.key for line in lines)
    dense_start, dense_end = _dense_region(lines)
    runs = _short_runs(lines)
    # Where the prose is: the share of sentence-like words before each line, and how far the
    # nearest prose line is on each side. A short line with prose on both sides sits inside
    # the article (a list, a code block, a sub-heading); one with none before is header
    # chrome, with none after footer chrome.
    prose = [min(line.words, 80) if line.end_sentence and line.words >= 10 else 0 for line in lines]
    total_prose = sum(prose) or 1
    before = 0
    last_prose = -1
    gap_prev = [0] * n
    share_before = [0.0] * n
    for i in range(n):
        share_before[i] = before / total_prose
        gap_prev[i] = i - last_prose if last_prose >= 0 else -1
        before += prose[i]
        if prose[i]:
            last_prose = i
    gap_next = [0] * n
    next_prose = -1
    for i in range(n - 1, -1, -1):
        gap_next[i] = next_prose - i if next_prose >= 0 else -1
        if prose[i]:
            next_prose = i
    for i, line in enumerate(lines):
        w = line.words
        f = dict(line.base)
        after_share = 1.0 - share_before[i] - prose[i] / total_prose
        f["inside"] = 2.0 * min(share_before[i], max(after_share, 0.0))
        if gap_prev[i] < 0:
            f["no_prose_before"] = 1.0
        else:
            f["gap_prev"] = math.log1p(gap_prev[i]) / 4
        if gap_next[i] < 0:
            f["no_prose_after"] = 1.0
        else:
            f["gap_next"] = math.log1p(gap_next[i]) / 4
        if line.key in repeated:
            f["repeated_corpus" if w < 15 else "repeated_corpus_long"] = 1.0
        if page_counts[line.key] > 1:
            f["repeated_page" if w < 15 else "repeated_page_long"] = 1.0
        position = i / max(n - 1, 1)
        f["position"] = position
        if i < 3 or position < 0.05:
            f["first_lines"] = 1.0
        if position > 0.9:
            f["last_lines"] = 1.0
        if dense_start <= i <= dense_end:
            f["in_dense"] = 1.0
        else:
            distance = dense_start - i if i < dense_start else i - dense_end
            f["dense_distance"] = math.log1p(distance) / 4
        if runs[i] >= 3:
            f["short_run"] = math.log1p(runs[i]) / 3
        prev_words = lines[i - 1].words if i > 0 else 0
        next_words = lines[i + 1].words if i + 1 < n else 0
        f["prev_log_words"] = math.log1p(prev_words) / 4
        f["next_log_words"] = math.log1p(next_words) / 4
        if i > 0 and lines[i - 1].end_sentence and prev_words >= 8:
            f["prev_sentence"] = 1.0
        if i + 1 < n and lines[i + 1].end_sentence and next_words >= 8:
            f["next_sentence"] = 1.0
        line.features = f


def _score(features: dict[str, float], weights: dict[str, float]) -> float:
    """The probability a weight table gives one feature set (the benchmark fits passes with it)."""
    return _sigmoid(_dot(features, weights))


def _context_features(lines: Sequence[_Line], probs: Sequence[float]) -> list[dict[str, float]]:
    n = len(lines)
    lengths = [min(line.words, 40) for line in lines]
    # prefix sums: probabilities, and probability mass weighted by length
    cum_p = [0.0]
    cum_mass = [0.0]
    cum_len = [0]
    for prob, length in zip(probs, lengths, strict=True):
        cum_p.append(cum_p[-1] + prob)
        cum_mass.append(cum_mass[-1] + prob * length)
        cum_len.append(cum_len[-1] + length)
    # The region pass 1 would pick, as a feature for pass 2.
    best, region_start, region_end = -math.inf, 0, -1
    running, start = 0.0, 0
    for i, prob in enumerate(probs):
        value = (prob - 0.3) * (lengths[i] + 2)
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, region_start, region_end = running, start, i
    extra: list[dict[str, float]] = []
    for i in range(n):
        lo10, hi10 = max(0, i - 10), min(n, i + 11)
        wide_len = cum_len[hi10] - cum_len[lo10]
        wide = (cum_mass[hi10] - cum_mass[lo10]) / wide_len if wide_len else 0.0
        if region_start <= i <= region_end:
            region = {"in_region1": 1.0}
        else:
            gap = region_start - i if i < region_start else i - region_end
            region = {"region1_gap": math.log1p(gap) / 4, "region1_after": 1.0 if i > region_end else 0.0}
        lo2, hi2 = max(0, i - 2), min(n, i + 3)
        count = hi2 - lo2 - 1
        window = (cum_p[hi2] - cum_p[lo2] - probs[i]) / count if count else 0.0
        lo, hi = max(0, i - 5), min(n, i + 6)
        mass_len = cum_len[hi] - cum_len[lo] - lengths[i]
        mass = (cum_mass[hi] - cum_mass[lo] - probs[i] * lengths[i]) / mass_len if mass_len else 0.0
        extra.append(
            {
                "p_self": probs[i],
                "p_prev": probs[i - 1] if i > 0 else 0.0,
                "p_next": probs[i + 1] if i + 1 < n else 0.0,
                "p_window": window,
                "p_mass": mass,
                "p_wide": wide,
                **region,
            }
        )
    return extra


def _classify(lines: Sequence[_Line], repeated: Collection[str]) -> None:
    """Set ``prob`` (probability of being article text) on every line.

    Pass 1 scores each line on its own features; every later pass adds the previous pass's
    scores around the line (a cheap stand-in for a sequence model's smoothing).
    """
    weights = _weights()
    _local_features(lines, repeated)
    tables = [weights["pass1"]]
    level = 2
    while f"pass{level}" in weights:
        tables.append(weights[f"pass{level}"])
        level += 1
    # One walk over each line's local features gives its partial sum under every pass.
    partial = [[_dot(line.features, table) for table in tables] for line in lines]
    probs = [_sigmoid(sums[0]) for sums in partial]
    for k in range(1, len(tables)):
        table = tables[k]
        extras = _context_features(lines, probs)
        probs = [_sigmoid(sums[k] + _dot(extra, table)) for sums, extra in zip(partial, extras, strict=True)]
    for line, prob in zip(lines, probs, strict=True):
        line.prob = prob


def _dot(features: dict[str, float], weights: dict[str, float]) -> float:
    z = 0.0
    get = weights.get
    for name, value in features.items():
        z += get(name, 0.0) * value
    return z


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def analyse_lines(text: str, repeated_lines: Collection[str] = frozenset()) -> list[_Line]:
    """Split and score the lines of a scrape (used by the benchmark to fit the weights)."""
    lines = [_analyse(i, t) for i, t in enumerate(_split_lines(text))]
    if lines:
        _local_features(lines, repeated_lines)
    return lines


# ---------------------------------------------------------------- region and cleaning


def _line_gain(line: _Line, threshold: float) -> float:
    if line.removable:
        return 0.0  # a picture, link box or prompt inside the article neither starts nor ends it
    return (line.prob - threshold) * (min(line.words, 80) + 2)


def _best_region(
    lines: Sequence[_Line], threshold: float, lo: int = 0, hi: int | None = None
) -> tuple[int, int, float]:
    """The contiguous run of lines in [lo, hi) with the largest total gain (maximum-sum subarray)."""
    hi = len(lines) if hi is None else hi
    best, best_start, best_end = -math.inf, lo, lo - 1
    running, start = 0.0, lo
    for i in range(lo, hi):
        value = _line_gain(lines[i], threshold)
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, best_start, best_end = running, start, i
    return best_start, best_end, best


def _content_segments(lines: Sequence[_Line], threshold: float, extra_gain: float) -> list[bool]:
    """The best region, plus further regions elsewhere that each gain more than ``extra_gain``.

    An article cut in two by a long ad or link block comes back whole when its second part is
    substantial on its own; a short teaser elsewhere on the page does not.
    """
    labels = [False] * len(lines)
    start, end, _ = _best_region(lines, threshold)
    if end < start:
        return labels
    for i in range(start, end + 1):
        labels[i] = True
    pending = [(0, start), (end + 1, len(lines))]
    added = 0
    while pending and added < 3:
        lo, hi = pending.pop()
        if hi - lo < 2:
            continue
        s, e, gain = _best_region(lines, threshold, lo, hi)
        if e < s or gain < extra_gain:
            continue
        for i in range(s, e + 1):
            labels[i] = True
        added += 1
        pending += [(lo, s), (e + 1, hi)]
    return labels


def _is_prose(line: _Line) -> bool:
    return (line.end_sentence and line.words >= 14) or line.words >= 25


def _related_blocks(lines: Sequence[_Line]) -> set[int]:
    """Indexes of related-link headings and the entries under them, plus inline "Read also:" links.

    Entries are headline-like lines, with their dates, bylines, pictures and one-paragraph
    teasers; the block ends where prose resumes (two prose lines in a row) or at the next heading.
    """
    dropped: set[int] = set()
    n = len(lines)
    for i, line in enumerate(lines):
        if line.related_inline:
            dropped.add(i)
        if line.author_box:
            # the name, the bio and its links: a few lines, at most two of them prose
            dropped.add(i)
            prose = 0
            for j in range(i + 1, min(n, i + 5)):
                if lines[j].related_heading or lines[j].words > 100 or (_is_prose(lines[j]) and prose == 2):
                    break
                prose += _is_prose(lines[j])
                dropped.add(j)
        if not line.related_heading:
            continue
        dropped.add(i)
        j = i + 1
        entry_metadata = False  # have the entries shown bylines, dates or pictures of their own?
        teasers: set[int] = set()
        while j < n and j - i <= 40:
            entry = lines[j]
            if entry.related_heading:
                break
            if _is_prose(entry):
                # A teaser paragraph belongs to the block only when the block is a list of
                # entries with their own metadata; otherwise prose means the article resumes.
                # (Entries alternate headline / teaser; two headlines and then prose means the
                # list ended and the article goes on.)
                soon = lines[j + 1 : j + 3]
                alternating = (
                    j >= i + 2 and not _is_prose(lines[j - 1]) and (j - 2 == i or (j - 2) in teasers)
                )
                teaser = entry.words <= 40 and (
                    entry_metadata
                    or any(_is_metadata_line(x) or x.md_image for x in soon)
                    or (alternating and not (j + 1 < n and _is_prose(lines[j + 1])))
                )
                if not teaser:
                    break
                teasers.add(j)
            if _is_metadata_line(entry) or entry.md_image:
                entry_metadata = True
            dropped.add(j)
            j += 1
    return dropped


@dataclass(slots=True)
class _Decision:
    start: int
    end: int
    body: list[int]
    captions: list[Caption]


def _is_chrome_prompt(line: _Line) -> bool:
    """A prompt, button or notice by its wording: a short line made of chrome cues ("Download our
    app", "Newsletter abonnieren") or a sentence that opens with one ("Sign up for our briefing…")."""
    if line.words <= 12 and line.cue_cover >= 0.3 and line.cues & _CHROME_CUES and not line.end_sentence:
        return True
    if line.words > 30 or not line.tokens or line.tokens[0] not in _PROMPT_STARTS:
        return False
    found, _ = _CUE_TABLE.scan(line.tokens[:4])
    return bool(found & _PROMPT_CUES)


def _is_translation_credit(line: _Line) -> bool:
    """ "Translated by …", "This article was translated …", "Traducido por …" (not a sentence about translation)."""
    if "translation" not in line.cues or line.words > 30:
        return False
    return line.words <= 8 or "translation" in _CUE_TABLE.scan(line.tokens[:6])[0]


def _decode(lines: Sequence[_Line], params: dict[str, float]) -> _Decision:
    related = _related_blocks(lines)
    for i, line in enumerate(lines):
        line.removable = (
            line.md_image
            or i in related
            or _is_chrome_prompt(line)
            or (line.credit is not None and line.words <= 60)
            or _is_translation_credit(line)
        )
    threshold = params.get("region_threshold", 0.5)
    extra_gain = params.get("extra_region_gain", 0.0)
    if extra_gain > 0:
        labels = _content_segments(lines, threshold, extra_gain)
        inside = [i for i, label in enumerate(labels) if label]
        start, end = (inside[0], inside[-1]) if inside else (0, -1)
    else:
        start, end, _ = _best_region(lines, threshold)
        labels = [start <= i <= end for i in range(len(lines))]
    keep_threshold = params.get("keep_threshold", 0.5)
    body: list[int] = []
    captions: list[Caption] = []
    for i in range(start, end + 1):
        if not labels[i]:
            continue
        line = lines[i]
        if line.md_image or i in related:
            continue
        if line.credit is not None and line.words <= 60:
            caption = _caption_from(lines, i, body)
            if caption is not None:
                captions.append(caption)
                continue
        if _is_translation_credit(line):
            continue
        if _is_chrome_prompt(line):
            # "Download our app", "Newsletter abonnieren", "Share this article"
            continue
        if line.prob >= keep_threshold:
            body.append(i)
    return _Decision(start, end, body, captions)


def _caption_from(lines: Sequence[_Line], i: int, body: list[int]) -> Caption | None:
    line = lines[i]
    assert line.credit is not None
    text, credit = line.credit
    if text:
        return Caption(text=text, credit=credit)
    # A credit on its own line: the caption is the short line just before it, if any.
    if body and body[-1] == i - 1 and lines[i - 1].words <= 40:
        previous = body.pop()
        return Caption(text=lines[previous].text, credit=credit)
    return (
        Caption(text="", credit=credit) if credit else None
    )  # dropped from the output, kept out of the body


# ---------------------------------------------------------------- header fields


def _url_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1" and other unparseable input: no host to go on
        return ""


def _url_path(url: str) -> str:
    try:
        return unquote(urlsplit(url).path)
    except ValueError:
        return ""


def _slug_words(url: str | None) -> set[str]:
    if not url:
        return set()
    segments = [seg for seg in _url_path(url).lower().split("/") if seg][-2:]
    words = {w for seg in segments for w in re.split(r"[\W_]+", seg) if len(w) > 2 and not w.isdigit()}
    return words - {"html", "htm", "php", "aspx", "shtml", "index", "article", "story", "news"}


def _host_core(url: str | None) -> str | None:
    """The distinctive label of a URL's host: "theguardian" for https://www.theguardian.com/..."""
    if not url:
        return None
    host = _url_host(url)
    labels = [label for label in host.split(".") if label]
    while len(labels) > 2 and labels[0] in ("www", "m", "amp", "mobile", "edition", "en", "de", "fr", "es"):
        labels = labels[1:]
    if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "net", "gov", "ac", "gv", "or", "ne"):
        return labels[-3]
    if len(labels) >= 2:
        return labels[-2]
    return labels[0] if labels else None


def _compact(text: str) -> str:
    return re.sub(r"[\W_]+", "", text.casefold())


def _is_metadata_line(line: _Line) -> bool:
    return (
        line.byline is not None or (line.has_date and line.words <= 14) or bool(_READ_TIME.match(line.text))
    )


def _pick_title(
    lines: Sequence[_Line], start: int, url: str | None, outlet_keys: set[str], excluded: set[int]
) -> int | None:
    """The headline: a headline-like line close above the body, preferring one that matches the
    URL slug or that the page repeats (a shortened "Headline that goes on…" teaser of it)."""
    slug = _slug_words(url)
    lo = max(0, start - 40)
    truncated = [
        line.text.rstrip(".… ").lower()
        for line in lines[max(0, lo - 40) : start + 2]
        if line.text.endswith(("...", "…")) and line.words >= 2
    ]
    best_index, best_score = None, -math.inf
    distance = 0
    for i in range(min(len(lines) - 1, start + 1), lo - 1, -1):
        line = lines[i]
        if i < start and not _is_metadata_line(line) and line.credit is None and not line.md_image:
            distance += 1
        if i in excluded or line.md_image or line.md_link or line.credit is not None:
            continue
        if not 2 <= line.words <= 30 or len(line.text) > 250 or _is_metadata_line(line):
            continue
        if line.related_heading or line.cue_cover >= 0.5 or _compact(line.text) in outlet_keys:
            continue
        score = -0.6 * math.log1p(distance)
        if slug:
            tokens = {w for w in re.split(r"[\W_]+", line.text.lower()) if len(w) > 2}
            if tokens:
                score += 2.0 * len(tokens & slug) / len(tokens) + 2.0 * len(tokens & slug) / len(slug)
        if i >= start:
            score -= 1.0
        if line.text.endswith(".") and not line.text.endswith("..."):
            score -= 1.0
        if line.words <= 2:
            score -= 1.0
        elif line.words <= 4:
            score -= 0.3
        elif line.words <= 20:
            score += 0.5
        if line.caps_ratio >= 0.6:
            score += 0.3
        if line.words <= 4 and line.features.get("short_run", 0.0) > 0.5:
            score -= 1.0
        if line.features.get("repeated_corpus"):
            score -= 2.0
        if line.features.get("repeated_page"):
            score += 0.3
        if line.cues:
            score -= 0.5
        if (
            line.words <= 16
            and _SEPARATORS.search(line.text)
            and len(_BREADCRUMB_SPLIT.split(line.text)) >= 3
        ):
            score -= 1.5  # a breadcrumb trail
        low = line.text.lower()
        if any(low.startswith(stem) and len(stem) >= 12 and stem != low for stem in truncated):
            score += 1.5
        if score > best_score:
            best_index, best_score = i, score
    return best_index


def _fold(text: str) -> str:
    """Case- and accent-folded, punctuation-free form for matching labels against URL words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return _KEY_NONWORD.sub("", "".join(ch for ch in decomposed if not unicodedata.combining(ch)))


def _path_sections(url: str | None) -> list[str]:
    """Folded URL path segments that can name a section (not the slug, ids, dates or languages)."""
    if not url:
        return []
    segments = [seg for seg in _url_path(url).split("/") if seg]
    out = []
    for seg in segments[:-1]:
        folded = _fold(seg)
        if len(folded) >= 2 and not folded.isdigit() and len(seg) <= 30 and seg.lower() not in _LANG_SEGMENTS:
            out.append(folded)
    return out


_LANG_SEGMENTS_WORDS = "en de fr es it pt nl ru uk pl en-us en-gb de-de fr-fr news article articles story"
_LANG_SEGMENTS = frozenset(_LANG_SEGMENTS_WORDS.split())


def _pick_section(
    lines: Sequence[_Line], title_index: int, url: str | None, outlet_keys: set[str]
) -> str | None:
    """The section: a breadcrumb's last step above the title, a menu item the URL path names,
    or a known section word set as a kicker just above the title."""
    title = lines[title_index].text
    for i in range(title_index - 1, max(-1, title_index - 5), -1):
        line = lines[i]
        if line.words > 12 or not _BREADCRUMB_SPLIT.search(line.text) or line.end_sentence:
            continue
        parts = [p.strip() for p in _BREADCRUMB_SPLIT.split(line.text) if p.strip()]
        steps = [
            p
            for p in parts
            if _compact(p) not in outlet_keys and p.lower() not in _HOME_WORDS and p != title and len(p) <= 40
        ]
        if len(parts) >= 2 and steps:
            return steps[-1]
    sections = _path_sections(url)
    if sections:
        for i in range(0, min(len(lines), title_index + 3)):
            line = lines[i]
            if line.words <= 4 and not line.end_sentence and _fold(line.text) in sections:
                return line.text.strip(" |»›>:")
    for i in range(title_index - 1, max(-1, title_index - 3), -1):
        line = lines[i]
        if _is_metadata_line(line) or line.md_image or line.credit is not None:
            continue
        # The kicker right above the headline.
        label = line.text.strip(" |»›>:")
        if (
            label
            and line.words <= 3
            and not line.end_sentence
            and not (line.cues & _CHROME_CUES)
            and label.lower() not in _HOME_WORDS
            and _compact(label) not in outlet_keys
            and (label[:1].isupper() or label.lower() in _SECTION_WORDS)
        ):
            return label
        break
    return None


_HOME_WORDS = frozenset(
    {"home", "homepage", "home page", "start", "startseite", "accueil", "inicio", "início", "главная", "головна",
     "strona główna"}
)  # fmt: skip


def _pick_standfirst(lines: Sequence[_Line], title_index: int | None, body: list[int]) -> int | None:
    """A summary paragraph under the title, set off from the body by a byline, date or picture
    (or standing above the body region altogether)."""
    if title_index is None or len(body) < 2:
        return None
    first_body = body[0]
    for i in range(title_index + 1, min(len(lines), max(first_body + 1, title_index + 2), title_index + 9)):
        line = lines[i]
        if line.md_image or line.credit is not None or _is_metadata_line(line) or line.words < 3:
            continue
        if not (8 <= line.words <= 80 and (line.end_sentence or line.words >= 15)) or line.cue_cover >= 0.3:
            return None
        if i < first_body:
            return i if line.prob >= 0.15 else None
        following = [j for j in body if j > i]
        if not following or following[0] - i > 6:
            return None
        between = range(i + 1, following[0])
        if any(
            _is_metadata_line(lines[j]) or lines[j].md_image or lines[j].credit is not None for j in between
        ):
            return i
        return None
    return None


# ---------------------------------------------------------------- dates


def _pick_date(
    lines: Sequence[_Line],
    body: list[int],
    header_start: int,
    skip: set[int],
    reference: datetime | None,
    month_first: bool,
) -> tuple[PublishedDate | None, int | None]:
    """The publication date: a "Published …" line wins, then a date line in the header, then "Updated …"."""
    first_body, last_body = body[0], body[-1]
    body_set = set(body)
    best_score, best_date, best_index = -math.inf, None, None
    for i, line in enumerate(lines):
        if not line.has_date or i in skip or line.credit is not None or line.md_image:
            continue
        in_header = header_start <= i < first_body + 2
        cues = _DATE_CUE_TABLE.scan(line.tokens)[0] if line.words <= 20 else set()
        published, updated = "published" in cues, "updated" in cues
        if not (in_header or published or updated):
            continue
        if i in body_set and i > first_body + 1 and line.words > 12:
            continue  # a date inside the story is about the story, not its publication
        date = parse_text_date(line.text, reference=reference, month_first=month_first)
        if date is None:
            continue
        # An "Updated …" date is only the fallback: a plain date in the header is usually the publication.
        score = 3.0 if published else (-0.5 if updated else 0.0)
        score += 2.0 if in_header else (0.5 if i > last_body else 0.0)
        score += 1.0 if line.words <= 10 else 0.0
        score -= 0.01 * abs(i - first_body)
        if score > best_score:
            best_score, best_date, best_index = score, date, i
    return best_date, best_index


# ---------------------------------------------------------------- outlet


def _site_name(lines: Sequence[_Line], url: str | None) -> str | None:
    """The site's own name as the page shows it: a logo line matching the host, or the copyright owner."""
    core = _host_core(url)
    if core and len(core) >= 2:
        best = None
        edges = list(lines[:80]) + list(lines[-60:])
        for line in edges:
            if line.words > 5 or line.md_image or line.md_link:
                continue
            compact = _compact(line.text)
            if compact == core or compact == f"the{core}":
                return line.text
            if (
                best is None
                and line.words <= 3
                and compact.startswith(core)
                and len(compact) <= len(core) + 8
            ):
                best = line.text
        if best:
            return best
    for line in reversed(lines[-40:]):
        if line.words > 25 or not _COPYRIGHT.search(line.text):
            continue
        match = _COPYRIGHT_OWNER.search(line.text)
        if match:
            name = match.group("name").strip(" -–,")
            if 1 <= len(name.split()) <= 5 and not re.search(r"\d", name) and name[:1].isupper():
                return name
    return None


def _original_publisher(lines: Sequence[_Line], body: list[int]) -> tuple[str | None, set[int]]:
    """Who first published a re-served article ("Originally published by X", "Source: AFP")."""
    first_body, last_body = body[0], body[-1]
    for i, line in enumerate(lines):
        if line.words > 40 or _SOURCE_KEYS.isdisjoint(line.tokens):
            continue
        found = _SOURCE_TABLE.find(line.tokens)
        if found is None:
            continue
        rest = line.text[_nth_token_end(line.text, found) :].lstrip(" :：-–")
        name = _clean_publisher(re.split(r"[.,;:()!?|]", rest)[0])
        if name:
            return name, ({i} if line.words <= 20 else set())
    for i, line in enumerate(lines):
        if line.words > 8 or not line.tokens or line.tokens[0] not in _SOURCE_LABEL_TOKENS:
            continue
        match = _SOURCE_LABEL.match(line.text)
        if not match:
            continue
        name = _clean_publisher(match.group("name"))
        if not name:
            continue
        near_edge = first_body - 6 <= i <= first_body + 1 or last_body - 1 <= i <= last_body + 6
        if _KNOWN_PUBLISHER.match(name) or (near_edge and len(name.split()) <= 4):
            return name, {i}
    return None, set()


def _clean_publisher(raw: str) -> str | None:
    name = re.split(r"\s+(?:on|am|le|el|il|em|op|in|at|and|with|under|und|et|as|is)\s+", raw.strip())[0]
    name = name.strip(" .,:;-–—\"'“”")
    if not name or len(name.split()) > 6 or not (name[0].isupper() or name[0].isdigit()):
        return None
    return name


# ---------------------------------------------------------------- the extractor


def _prepare(text: str, repeated_lines: Collection[str]) -> list[_Line]:
    lines = [_analyse(i, t) for i, t in enumerate(_split_lines(text))]
    if lines:
        _classify(lines, repeated_lines)
    return lines


def extract_text_scrape(
    text: str,
    *,
    url: str | None = None,
    repeated_lines: Collection[str] = frozenset(),
    reference_date: datetime | None = None,
) -> ExtractedFields:
    """The article in a plain-text scrape of a whole page.

    ``repeated_lines`` holds ``line_key`` forms of lines seen in many other documents of the
    corpus (site chrome); membership counts strongly against a line. ``reference_date`` (when
    the page was fetched) lets relative dates ("yesterday", "3 hours ago", "30 November")
    resolve; without it only dates that state their year are taken.
    Raises ``ExtractionError`` when no article body can be found.
    """
    lines = _prepare(text, repeated_lines)
    if not lines:
        raise ExtractionError("text scrape is empty: no lines with visible characters")
    return _extract(lines, _weights().get("decoder", {}), url=url, reference_date=reference_date)


def _extract(
    lines: list[_Line], params: dict[str, float], *, url: str | None, reference_date: datetime | None
) -> ExtractedFields:
    decision = _decode(lines, params)
    body = decision.body
    body_words = sum(lines[i].words for i in body)
    if not body or body_words < params.get("min_body_words", 12):
        raise ExtractionError(
            f"no article body found in the text scrape ({len(lines)} lines, {body_words} words of "
            "article-like text; the rest looks like navigation or boilerplate)"
        )
    related = _related_blocks(lines)

    site = _site_name(lines, url)
    outlet_keys = {_compact(site)} if site else set()
    core = _host_core(url)
    if core:
        outlet_keys.add(core)

    original, source_lines = _original_publisher(lines, body)
    start = body[0]
    title_index = _pick_title(lines, start, url, outlet_keys, related | source_lines)
    header_start = max(0, (title_index if title_index is not None else start) - 3)
    month_first = _month_first(lines, body)
    published, date_index = _pick_date(lines, body, header_start, related, reference_date, month_first)

    authors: tuple[str, ...] = ()
    byline_index = None
    byline_from = title_index if title_index is not None else max(0, start - 15)
    for i in range(max(0, byline_from - 4), min(len(lines), start + 8)):
        names = lines[i].byline
        if names and i not in related:
            authors, byline_index = names, i
            break
    else:
        # No "By ..." line: a bare name between the headline and the body, or next to the date.
        near = set(range(byline_from + 1, start)) if title_index is not None else set()
        if date_index is not None:
            near |= {date_index - 1, date_index, date_index + 1}
        for i in sorted(near):
            if 0 <= i < len(lines) and i not in related and i != title_index:
                near_date = date_index is not None and abs(i - date_index) <= 1
                names = _bare_byline(lines[i], near_date=near_date)
                if names:
                    authors, byline_index = names, i
                    break

    standfirst_index = _pick_standfirst(lines, title_index, body)
    section = _pick_section(lines, title_index, url, outlet_keys) if title_index is not None else None

    taken = {
        i for i in (title_index, standfirst_index, byline_index, date_index) if i is not None
    } | source_lines
    title_text = lines[title_index].text if title_index is not None else None
    paragraphs: list[str] = []
    seen: set[str] = set()
    for i in body:
        line = lines[i]
        if i in taken or line.text == title_text or (site and line.text == site):
            continue
        if i < start + 8 and _is_metadata_line(line) and line.words <= 14:
            continue
        if line.key in seen and line.words <= 12:
            continue  # a repeated short line (sticky header, pull quote label)
        seen.add(line.key)
        paragraphs.append(line.text)
    if not paragraphs:
        raise ExtractionError("no article body found in the text scrape: only a title and metadata")

    captions = list(decision.captions)
    if title_index is not None:
        # A lead picture sits between the title and the body, above the region.
        for i in range(title_index + 1, decision.start):
            credit = lines[i].credit
            if credit is not None and credit[0] and i not in related:
                captions.append(Caption(text=credit[0], credit=credit[1]))

    outlet, via = site, None
    if original:
        via = site or _host_name(url)
        if via and _compact(via) == _compact(original):
            via = None
        outlet = original

    return ExtractedFields(
        title=title_text,
        outlet=outlet,
        via=via,
        authors=authors,
        section=section,
        standfirst=lines[standfirst_index].text if standfirst_index is not None else None,
        published=published or PublishedDate(),
        paragraphs=tuple(paragraphs),
        captions=tuple(c for c in captions if c.text),
        extractor=EXTRACTOR,
    )


def _host_name(url: str | None) -> str | None:
    if not url:
        return None
    host = _url_host(url)
    return host.removeprefix("www.") or None


_NON_ENGLISH_WORDS = "der die und das le la les et est el los que il di che het een и в на że się"
_NON_ENGLISH = frozenset(_NON_ENGLISH_WORDS.split())
_ENGLISH_WORDS = "the and of to is was that for with"
_ENGLISH = frozenset(_ENGLISH_WORDS.split())


def _month_first(lines: Sequence[_Line], body: list[int]) -> bool:
    """US-style 11/30/2025 dates on English pages, day first everywhere else."""
    english = other = 0
    for i in body[:6]:
        for token in lines[i].tokens:
            if token in _ENGLISH:
                english += 1
            elif token in _NON_ENGLISH:
                other += 1
    return english > other
