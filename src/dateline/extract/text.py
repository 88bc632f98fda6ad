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

The per-line text analysis is Python over precompiled regexes, byte tables and phrase tables,
cached (site chrome recurs from page to page); the page-level part of the line model runs in
numpy, adding up each score in the same order as a plain loop, so that every probability is the
same to the last bit. A 150–200-line page takes about 2–3 ms on one core (see BENCHMARKS.md,
"Text scrapes").
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, partial
from itertools import chain, compress
from operator import attrgetter
from pathlib import Path
from urllib.parse import unquote, urlsplit

import numpy as np

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
_DIGIT = re.compile(r"\d")


def line_key(line: str) -> str:
    """The form of a line used to count it across documents (``repeated_lines``).

    Lower-cased word tokens joined by single spaces, every number turned into ``0`` and all
    other punctuation dropped, so "© 2024 Example News." and "© 2025 Example News" share one key.
    """
    return _key_from_tokens(_tokens(_INVISIBLE.sub("", line)))


def page_line_keys(text: str, max_chars: int) -> tuple[str, ...]:
    """The distinct ``line_key`` of every line of the page up to MAX_CHARS long, sorted.

    Right after ``extract_text_scrape`` read the same page, every line is in the line cache,
    so this costs a lookup per line instead of tokenising the page a second time.
    """
    line = _model().line
    keys = {line(t).key for t in _split_lines(text) if len(t) <= max_chars}
    keys.discard("")
    return tuple(sorted(keys))


def _key_from_tokens(tokens: list[str]) -> str:
    joined = " ".join(tokens)
    return _KEY_DIGITS.sub("0", joined) if _HAS_DIGIT.search(joined) else joined


# Any character the two patterns above rewrite, plus a double space: lines without one need no regex pass.
_ODD_SPACE = re.compile("[\t\u00a0\u1680\u2000-\u200d\u202f\u205f\u3000\u2060\ufeff\u00ad]")


def _split_lines(text: str) -> list[str]:
    """The page's non-empty lines, invisible characters removed and runs of spaces made one space.

    Neither pattern touches a line break, so the clean-up runs line by line, and only on the few
    lines that need it (a whole-page substitution visits every space of the page)."""
    if "  " not in text and not _ODD_SPACE.search(text):
        return list(filter(None, map(str.strip, text.splitlines())))
    lines = []
    for raw in text.splitlines():
        if "  " in raw or _ODD_SPACE.search(raw):
            raw = _SPACES.sub(" ", _INVISIBLE.sub("", raw))
        raw = raw.strip()
        if raw:
            lines.append(raw)
    return lines


# ---------------------------------------------------------------- per-line regexes

_TOKEN = re.compile(r"\w+(?:['’-]\w+)*", re.UNICODE)
_SENTENCE_CLOSERS = "\"'”’»)]*"
_MD_LINK_ONLY = re.compile(r"^(?:[*+-]\s*)?\[[^\]]+\]\([^)]*\)$")
_URLISH = re.compile(r"https?://|www\.\w|\w@\w+\.\w")
_BULLET = re.compile(r"^(?:[-–•*·▪►✓✔→]|\d{1,2}[.)]|[a-z][.)])\s")
_BULLET_LEADS = frozenset("-–•*·▪►✓✔→abcdefghijklmnopqrstuvwxyz")  # and digits
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
_DIGIT_SEPARATOR_DIGIT = re.compile(r"\d[./-]\d")
_RELATED_TAIL_WORDS = "from on in aus de von da di uit из з z"
_RELATED_TAIL = frozenset(_RELATED_TAIL_WORDS.split())


def _tokens(text: str) -> list[str]:
    return _tokens_and_digits(text.lower())[0]


# Text in one byte a character (ASCII, and Latin-1 once the common typographic marks outside
# it are set aside) takes a faster route to the same tokens: every byte that cannot be in a
# token becomes a space (one bytes.translate), so does an apostrophe or hyphen that does not
# join two word characters, and the rest splits on spaces.
_TOKEN_BYTES = bytes(c if re.match(r"[\w'-]", chr(c)) else 32 for c in range(256))
_LONE_JOINER = re.compile(r"['-](?:(?<!\w['-])|(?!\w))")
_TYPOGRAPHIC_MARKS = "“”„‘–—…•"  # not word characters, and beyond Latin-1


def _letter_class(char: str) -> int:
    """U a capital a word can start with, l any other such letter (``_WORD_START``), d another
    word character, a space for the rest."""
    if re.match(r"[^\W\d_]", char):
        return ord("U" if char.isupper() else "l")
    return ord("d" if re.match(r"\w", char) else " ")


_LETTER_CLASSES = bytes(_letter_class(chr(c)) for c in range(256))


def _one_byte(text: str) -> bytes | None:
    """``text`` in Latin-1 with its typographic marks outside Latin-1 (none of them a word
    character) made spaces and curly apostrophes straight; None if other characters remain."""
    if text.isascii():
        return text.encode("ascii")
    text = text.replace("’", "'")
    for mark in _TYPOGRAPHIC_MARKS:
        if mark in text:
            text = text.replace(mark, " ")
    try:
        return text.encode("latin-1")
    except UnicodeEncodeError:
        return None


def _tokens_and_digits(low: str) -> tuple[list[str], int]:
    """The word tokens (``_TOKEN``) of lower-cased text, curly apostrophes read as straight
    ones, and how many digits (``\\d``) the text holds."""
    raw = _one_byte(low)
    if raw is None:
        return _TOKEN.findall(low.replace("’", "'")), len(_DIGIT.findall(low))
    spaced = raw.translate(_TOKEN_BYTES).decode("latin-1")
    if "'" in spaced or "-" in spaced:
        spaced = _LONE_JOINER.sub(" ", spaced)
    return spaced.split(), len(raw) - len(raw.translate(None, b"0123456789"))  # Latin-1 has no other digits


class _PhraseTable:
    """Multi-word phrase lookup over lower-cased tokens: one dict probe per token, no big regex."""

    def __init__(self, kinds: dict[str, tuple[str, ...]]) -> None:
        self.kinds: dict[str, set[str]] = {}
        lengths: dict[str, set[int]] = {}
        seconds: dict[str, set[str]] = {}
        for kind, phrases in kinds.items():
            for phrase in phrases:
                tokens = _tokens(phrase)
                if not tokens:
                    continue
                self.kinds.setdefault(" ".join(tokens), set()).add(kind)
                if len(tokens) > 1:
                    lengths.setdefault(tokens[0], set()).add(len(tokens))
                    seconds.setdefault(tokens[0], set()).add(tokens[1])
        # The lengths of the multi-word phrases each token starts, longest first, and the
        # tokens that can follow it in one (most starts are common words, most followers not).
        self.lengths = {token: tuple(sorted(found, reverse=True)) for token, found in lengths.items()}
        self.seconds = {token: frozenset(found) for token, found in seconds.items()}
        # Every token a phrase can begin with: most lines hold none, and one set test says so.
        self.first = frozenset(self.lengths.keys() | {key for key in self.kinds if " " not in key})

    def scan(self, tokens: Sequence[str]) -> tuple[set[str], int]:
        """Kinds found and how many tokens the found phrases cover (longest match first)."""
        found: set[str] = set()
        covered = 0
        first = self.first
        if first.isdisjoint(tokens):
            return found, covered
        kinds, lengths, seconds = self.kinds, self.lengths, self.seconds
        n = len(tokens)
        resume = 0  # the token after the last phrase found
        for i, token in enumerate(tokens):
            if i < resume or token not in first:
                continue
            step = 0
            if i + 1 < n and tokens[i + 1] in seconds.get(token, ()):
                for length in lengths[token]:
                    if length <= n - i:
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
            covered += step
            resume = i + step
        return found, covered

    def find(self, tokens: Sequence[str]) -> int | None:
        """The token index just after the first phrase found, or None."""
        first = self.first
        if first.isdisjoint(tokens):
            return None
        kinds, lengths, seconds = self.kinds, self.lengths, self.seconds
        n = len(tokens)
        for i, token in enumerate(tokens):
            if token not in first:
                continue
            if i + 1 < n and tokens[i + 1] in seconds.get(token, ()):
                for length in lengths[token]:
                    if length <= n - i and " ".join(tokens[i : i + length]) in kinds:
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
    """What a line's text alone says about it. Cached and shared by every page (and every
    place in a page) that has the line, so never changed once made; page-dependent results
    live in ``_Page``."""

    text: str
    key: str
    joined: str  # the lower-cased word tokens, joined by spaces
    words: int
    end_sentence: bool
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
    metadata: bool  # a byline, a short date line or a reading time
    prompt: bool  # a sign-up, download or share prompt (see _is_chrome_prompt)
    translation_credit: bool  # "Translated by ..." (see _is_translation_credit)
    chrome: bool  # taken out of any article: a picture, a prompt, a caption or a translation credit
    related_cue: bool  # related_heading, related_inline or author_box
    source_cue: bool  # may name where the article first ran ("Originally published by ...")
    source_label: bool  # may be a "Source: ..." line
    # The features that depend on the line's text alone, in the order the model sums them:
    # _size_features(words), then these. Kept only for fitting the weights (analyse_lines);
    # the classifier needs only their sums (``numbers``).
    base: dict[str, float] | None
    # What the page-level (numpy) code reads of the line, kept together so that one memory
    # fetch serves (a page's lines lie all over the heap): word count, sentence end, chrome,
    # then each pass's score over the text features (the rest is added per page).
    numbers: tuple[float, ...]

    @property
    def tokens(self) -> list[str]:
        """The lower-cased word tokens (kept joined: few lines are asked for them again)."""
        return self.joined.split()


@dataclass(slots=True)
class _Page:
    """A scrape's lines and what the line model makes of them on this page."""

    lines: list[_Line]
    probs: list[float]  # probability of being article text, a line
    words: np.ndarray  # word counts, a line
    chrome: np.ndarray  # _Line.chrome, a line
    # Page features the title picker looks at again (see _local_features).
    repeated_corpus: list[bool]
    repeated_page: list[bool]
    short_run: list[float]


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
# A character _SEPARATORS needs; short lines without one skip that (slow, alternating) pattern.
_SEPARATOR_CHAR = re.compile(r"[|•·»›>/]")
_CUE_FEATURES = {(cue, scale): f"cue_{cue}_{scale}" for cue in lex.CUE_KINDS for scale in ("short", "long")}
_NO_CUES: frozenset[str] = frozenset()


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


def _size_features(words: int) -> dict[str, float]:
    """The first text features of every line, which depend on its word count alone."""
    return {"bias": 1.0, _bucket(words): 1.0, "log_words": math.log1p(words) / 4}


def _caps_ratio(text: str) -> float:
    """The share of words that start with a capital letter (of the runs of word characters
    that start with a letter)."""
    raw = _one_byte(text)
    if raw is not None:
        # One class letter a character (_LETTER_CLASSES): a word starts with a letter after a space.
        classes = b" " + raw.translate(_LETTER_CLASSES)
        upper = classes.count(b" U")
        starts = upper + classes.count(b" l")
        return upper / starts if starts else 0.0
    letters = _WORD_START.findall(text)
    return sum(map(str.isupper, letters)) / len(letters) if letters else 0.0


def _line_facts(
    text: str, text_sums: Callable[[int, dict[str, float]], tuple[float, ...]], keep_features: bool = False
) -> _Line:
    """Everything about a line that depends on its text alone, down to its partial scores under
    the model (``text_sums`` of its text features; cached by ``_LineModel``).

    Most lines are short chrome or long prose where nearly every test fails, so each costly
    test sits behind a cheap one that rules it out (a length, a character, a set probe)."""
    low = text.lower()
    tokens, digit_count = _tokens_and_digits(low)
    words = len(tokens)
    if words and len(text) > 4 * words and not text.isascii() and _CJK.search(text):
        words = max(words, len(_CJK.findall(text)) // 2)  # no spaces between words: count characters
    joined = " ".join(tokens)
    key = _KEY_DIGITS.sub("0", joined) if digit_count else joined  # = _key_from_tokens (digits are in tokens)
    found: AbstractSet[str] = _NO_CUES
    covered = 0
    window = tokens if words <= 12 else tokens[:16]
    if not _CUE_TABLE.first.isdisjoint(window):  # (most lines hold no cue word)
        found, covered = _CUE_TABLE.scan(window)
        if words > 12:
            found = found & _LONG_CUE_KINDS
    markdown = text.endswith(")") and "](" in text
    md_image = markdown and text.startswith(("![", "[!["))
    md_link = markdown and bool(_MD_LINK_ONLY.match(text))
    copyright_sign = "©" in text or "(c)" in low
    credit = None
    if (
        not md_image
        and words <= 70
        and "legal" not in found
        and (copyright_sign or not _CREDIT_HINTS.isdisjoint(tokens[-10:]))
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
    related_start = words > 0 and tokens[0] in _RELATED_FIRST
    related_heading = related_start and words <= 8 and _is_related_heading(tokens)
    author_box = (
        0 < words <= 6 and tokens[0] in _AUTHOR_BOX_TABLE.first and bool(_AUTHOR_BOX_TABLE.whole(tokens))
    )
    related_inline = related_start and 3 <= words <= 30 and _is_related_inline(text, tokens)
    if digit_count:
        has_date = words <= 25 and _has_date(text, tokens, digit_count)
    else:  # (what _has_date says without digits, without the call)
        has_date = words <= 25 and len(tokens) <= 8 and not _RELATIVE_DAY_TOKENS.isdisjoint(tokens)
    digit_ratio = digit_count / len(text)
    cue_cover = covered / words if covered else 0.0
    cues = frozenset(found)
    # Times, reading times and numbered bullets start with a digit; other bullets with a mark.
    lead = text[0]
    numbered = lead.isdecimal()  # = \d
    read_time = numbered and bool(_READ_TIME.match(text))
    metadata = byline is not None or (has_date and words <= 14) or read_time
    # (_is_chrome_prompt needs a cue or a prompt verb first)
    prompt_verb = bool(tokens) and tokens[0] in _PROMPT_STARTS
    prompt = (bool(found) or prompt_verb) and _is_chrome_prompt(tokens, words, cues, cue_cover, end_sentence)
    translation_credit = "translation" in cues and _is_translation_credit(tokens, words, cues)
    chrome = md_image or prompt or (credit is not None and words <= 60) or translation_credit
    source_cue = words <= 40 and not _SOURCE_KEYS.isdisjoint(tokens)
    source_label = 0 < words <= 8 and tokens[0] in _SOURCE_LABEL_TOKENS

    # The features, in the order the model sums them (the order matters to the last bit of a score).
    w = words
    # (after _size_features(w); a dict of floats is invisible to the garbage collector, unlike tuples)
    f: dict[str, float] = {}
    if end_sentence:
        f["end_sentence"] = 1.0
        if w >= 8:
            f["end_sentence_long"] = 1.0
    if text.endswith(":"):
        f["end_colon"] = 1.0
    if 3 <= w < 15:  # capitalisation tells headlines from sentences only on short lines (German nouns)
        caps = _caps_ratio(text)
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
    if (numbered or lead in _BULLET_LEADS) and _BULLET.match(text):
        f["bullet"] = 1.0
    if w <= 12 and _SEPARATOR_CHAR.search(text) and _SEPARATORS.search(text):
        f["separators"] = 1.0
    if "\t" in text:
        f["tab"] = 1.0
    if copyright_sign or "copyright" in low:
        f["copyright"] = 1.0
    if w <= 6 and numbered and _TIME_ONLY.match(text):
        f["time_only"] = 1.0
    if w <= 8 and read_time:
        f["read_time"] = 1.0
    if found:
        scale = "short" if w <= 12 else "long"
        for cue in sorted(found):
            f[_CUE_FEATURES[cue, scale]] = 1.0
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
    return _Line(
        text,
        key,
        joined,
        words,
        end_sentence,
        cues,
        cue_cover,
        md_image,
        md_link,
        related_heading,
        related_inline,
        author_box,
        credit,
        byline,
        has_date,
        metadata,
        prompt,
        translation_credit,
        chrome,
        related_heading or related_inline or author_box,
        source_cue,
        source_label,
        f if keep_features else None,
        (w, end_sentence, chrome, *text_sums(w, f)),
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
    if not _MONTH_TOKENS.isdisjoint(tokens):
        return True
    if _DIGIT_SEPARATOR_DIGIT.search(text) and _NUMERIC_DATE.search(text):  # every numeric date has one
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


# The page features (_local_features) and the context features of the later passes
# (_context_matrix), in the order each pass sums them.
_LOCAL_FEATURES = (
    "inside",
    "no_prose_before",
    "gap_prev",
    "no_prose_after",
    "gap_next",
    "repeated_corpus",
    "repeated_corpus_long",
    "repeated_page",
    "repeated_page_long",
    "position",
    "first_lines",
    "last_lines",
    "in_dense",
    "dense_distance",
    "short_run",
    "prev_log_words",
    "next_log_words",
    "prev_sentence",
    "next_sentence",
)
_CONTEXT_FEATURES = (
    "p_self",
    "p_prev",
    "p_next",
    "p_window",
    "p_mass",
    "p_wide",
    "in_region1",
    "region1_gap",
    "region1_after",
)


_NO_WEIGHTS = (0.0, 0.0)  # (a feature neither pass weighs)


class _LineModel:
    """The fitted weights in the shapes the classifier uses, and the line analysis under them.

    A line's score in a pass is its features times their weights, added up one feature after
    another in one fixed order: the text features (``_Line.base``, summed once per distinct
    line, the sums cached in ``_Line.numbers``), then the page features, then the context
    features. Keeping that order keeps every score the same to the last bit, however the
    features are stored, so no borderline line can change sides with the arithmetic.
    """

    def __init__(self, weights: dict[str, dict[str, float]]) -> None:
        self.weights = weights
        self.passes = [weights["pass1"]]
        while f"pass{len(self.passes) + 1}" in weights:
            self.passes.append(weights[f"pass{len(self.passes) + 1}"])
        # (features, passes) weight matrices; a feature a table lacks weighs 0.
        self.local = np.array([[table.get(name, 0.0) for table in self.passes] for name in _LOCAL_FEATURES])
        self.context = np.array(
            [[table.get(name, 0.0) for table in self.passes[1:]] for name in _CONTEXT_FEATURES]
        ).reshape(len(_CONTEXT_FEATURES), len(self.passes) - 1)
        self._by_feature = {
            name: tuple(table.get(name, 0.0) for table in self.passes) for name in set().union(*self.passes)
        }
        # Every line's sums start with its size features: summed once for each common word count.
        self._size_sums = [self._sums(_size_features(words)) for words in range(256)]
        # Chrome lines recur within a page and from page to page of a site. (A few pages' worth
        # is enough: the rest of a page is its own, and a smaller cache stays in the CPU's.)
        self.line: Callable[[str], _Line] = lru_cache(maxsize=2048)(
            partial(_line_facts, text_sums=self.text_sums)
        )

    def _sums(self, features: dict[str, float], start: Sequence[float] | None = None) -> tuple[float, ...]:
        """Each pass's ``start`` (0) plus its weighted sum of ``features``."""
        start = start or [0.0] * len(self.passes)
        return tuple([_dot(features.items(), table, z) for table, z in zip(self.passes, start, strict=True)])

    def text_sums(self, words: int, features: dict[str, float]) -> tuple[float, ...]:
        """Each pass's partial score over a line's text features (``_size_features(words)``,
        then ``features``)."""
        size_sums = self._size_sums[words] if words < 256 else self._sums(_size_features(words))
        if len(self.passes) != 2:
            return self._sums(features, size_sums)
        # The fitted model's two passes, in one walk over the features.
        first, second = size_sums
        weights = self._by_feature
        for name, value in features.items():
            w1, w2 = weights.get(name, _NO_WEIGHTS)
            first += w1 * value
            second += w2 * value
        return (first, second)


_CURRENT_MODEL: list[_LineModel] = []


def _model() -> _LineModel:
    """The line model for the current weights (built again when ``_weights`` reloads them, as training does)."""
    weights = _weights()
    if not _CURRENT_MODEL or _CURRENT_MODEL[0].weights is not weights:
        _CURRENT_MODEL[:] = [_LineModel(weights)]
    return _CURRENT_MODEL[0]


def _dense_region(words: np.ndarray, sentence: np.ndarray) -> tuple[int, int]:
    """The densest run of long lines: max-sum subarray over (length - 10) words.

    The first best end wins, and the latest start for it (what the one-pass scan, Kadane's,
    picks); the values are integers, so prefix sums give the same answer exactly.
    """
    values = np.minimum(words, 60) - 10 + np.where(sentence & (words > 6), 4, 0)
    prefix = np.concatenate(([0], np.cumsum(values)))
    lowest = np.minimum.accumulate(prefix[:-1])  # the lowest prefix sum before each end
    gains = prefix[1:] - lowest
    end = int(np.argmax(gains))
    if gains[end] <= 0:
        return 0, len(words) - 1
    start = end - int(np.argmax(prefix[end::-1] == lowest[end]))
    return start, end


def _short_runs(short: np.ndarray) -> np.ndarray:
    """For each line, the length of the run of ``short`` lines it is in (0 outside runs)."""
    steps = np.diff(np.concatenate(([0], short.astype(np.int8), [0])))
    lengths = np.flatnonzero(steps == -1) - np.flatnonzero(steps == 1)
    runs = np.zeros(len(short), dtype=np.int64)
    runs[short] = np.repeat(lengths, lengths)
    return runs


_LOG1P = np.array([math.log1p(k) for k in range(1024)])


def _log1p_of(counts: np.ndarray) -> np.ndarray:
    """``math.log1p`` of non-negative integers, looked up: numpy's own log1p may differ in the last bit."""
    top = int(counts.max(initial=0))
    table = _LOG1P if top < len(_LOG1P) else np.array([math.log1p(k) for k in range(top + 1)])
    return table[counts]


def _word_counts(lines: Sequence[_Line | _FittingLine]) -> np.ndarray:
    return np.fromiter(map(attrgetter("words"), lines), np.int64, len(lines))


def _page_numbers(lines: Sequence[_Line]) -> np.ndarray:
    """The lines' ``numbers``, as a (lines, 3 + passes) matrix."""
    width = len(lines[0].numbers)
    flat = np.fromiter(chain.from_iterable(map(attrgetter("numbers"), lines)), np.float64, len(lines) * width)
    return flat.reshape(len(lines), width)


def _local_features(
    lines: Sequence[_Line], words: np.ndarray, sentence: np.ndarray, repeated: Collection[str]
) -> np.ndarray:
    """The page features of every line, as a (``_LOCAL_FEATURES``, lines) matrix.

    ``words`` and ``sentence`` hold the lines' word counts and sentence ends (``_page_numbers``).
    """
    n = len(lines)
    index = np.arange(n)
    keys = list(map(attrgetter("key"), lines))
    page_counts = Counter(keys)
    dense_start, dense_end = _dense_region(words, sentence)
    # runs of short (≤ 4 words), unpunctuated lines: menus, tags, link lists
    runs = _short_runs((words <= 4) & ~sentence)
    # Where the prose is: the share of sentence-like words before each line, and how far the
    # nearest prose line is on each side. A short line with prose on both sides sits inside
    # the article (a list, a code block, a sub-heading); one with none before is header
    # chrome, with none after footer chrome.
    prose = np.where(sentence & (words >= 10), np.minimum(words, 80), 0)
    total_prose = int(prose.sum()) or 1
    share_before = (np.cumsum(prose) - prose) / total_prose
    after_share = 1.0 - share_before - prose / total_prose
    inside = 2.0 * np.minimum(share_before, np.maximum(after_share, 0.0))
    prose_at = np.where(prose > 0, index, -1)
    last_prose = np.maximum.accumulate(prose_at)  # the last prose line at or before each line
    prose_before = np.concatenate(([-1], last_prose[:-1]))
    gap_prev = np.where(prose_before >= 0, index - prose_before, 0)
    prose_at = np.where(prose > 0, index, n)
    next_prose = np.minimum.accumulate(prose_at[::-1])[::-1]  # the first prose line at or after
    prose_after = np.concatenate((next_prose[1:], [n]))
    gap_next = np.where(prose_after < n, prose_after - index, 0)

    short = words < 15
    if repeated:
        in_corpus = np.array([key in repeated for key in keys], dtype=bool)
    else:
        in_corpus = np.zeros(n, dtype=bool)
    on_page = np.array([page_counts[key] > 1 for key in keys], dtype=bool)
    position = index / max(n - 1, 1)
    in_dense = (dense_start <= index) & (index <= dense_end)
    dense_distance = np.where(index < dense_start, dense_start - index, index - dense_end)
    prev_words = np.concatenate(([0], words[:-1]))
    next_words = np.concatenate((words[1:], [0]))
    # the log1p(count) / 4 features, in one lookup
    gap_prev_f, gap_next_f, dense_distance_f, prev_log_words, next_log_words = (
        _log1p_of(
            np.stack((gap_prev, gap_next, np.where(in_dense, 0, dense_distance), prev_words, next_words))
        )
        / 4
    )
    rows = {
        "inside": inside,
        "no_prose_before": prose_before < 0,
        "gap_prev": np.where(prose_before >= 0, gap_prev_f, 0.0),
        "no_prose_after": prose_after >= n,
        "gap_next": np.where(prose_after < n, gap_next_f, 0.0),
        "repeated_corpus": in_corpus & short,
        "repeated_corpus_long": in_corpus & ~short,
        "repeated_page": on_page & short,
        "repeated_page_long": on_page & ~short,
        "position": position,
        "first_lines": (index < 3) | (position < 0.05),
        "last_lines": position > 0.9,
        "in_dense": in_dense,
        "dense_distance": np.where(in_dense, 0.0, dense_distance_f),
        "short_run": np.where(runs >= 3, _log1p_of(runs) / 3, 0.0),
        "prev_log_words": prev_log_words,
        "next_log_words": next_log_words,
        "prev_sentence": np.concatenate(([False], sentence[:-1])) & (prev_words >= 8),
        "next_sentence": np.concatenate((sentence[1:], [False])) & (next_words >= 8),
    }
    return np.array([rows[name] for name in _LOCAL_FEATURES], dtype=np.float64)


def _score(features: dict[str, float], weights: dict[str, float]) -> float:
    """The probability a weight table gives one feature set (the benchmark fits passes with it)."""
    return _sigmoid(_dot(features.items(), weights))


def _context_matrix(lengths: np.ndarray, p: np.ndarray) -> np.ndarray:
    """The previous pass's scores ``p`` around each line, as a (``_CONTEXT_FEATURES``, lines)
    matrix. ``lengths`` holds the lines' word counts capped at 40, as int64.
    """
    n = len(p)
    index = np.arange(n)
    # prefix sums: probabilities, and probability mass weighted by length
    cum_p = np.concatenate(([0.0], np.cumsum(p)))
    cum_mass = np.concatenate(([0.0], np.cumsum(p * lengths)))
    cum_len = np.concatenate(([0], np.cumsum(lengths)))
    # The region pass 1 would pick, as a feature for pass 2.
    best, region_start, region_end = -math.inf, 0, -1
    running, start = 0.0, 0
    # (sums of floats: kept in the scan's order, not as prefix sums that round differently)
    for i, value in enumerate(((p - 0.3) * (lengths + 2)).tolist()):
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, region_start, region_end = running, start, i

    def window_sum(cum: np.ndarray, reach: int) -> np.ndarray:
        return cum[np.minimum(index + reach + 1, n)] - cum[np.maximum(index - reach, 0)]

    def ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
        return np.divide(numerator, denominator, out=np.zeros(n), where=denominator != 0)

    count = np.minimum(index + 3, n) - np.maximum(index - 2, 0) - 1
    in_region = (region_start <= index) & (index <= region_end)
    gap = np.where(index < region_start, region_start - index, index - region_end)
    rows = {
        "p_self": p,
        "p_prev": np.concatenate(([0.0], p[:-1])),
        "p_next": np.concatenate((p[1:], [0.0])),
        "p_window": ratio(window_sum(cum_p, 2) - p, count),
        "p_mass": ratio(window_sum(cum_mass, 5) - p * lengths, window_sum(cum_len, 5) - lengths),
        "p_wide": ratio(window_sum(cum_mass, 10), window_sum(cum_len, 10)),
        "in_region1": in_region,
        "region1_gap": np.where(in_region, 0.0, _log1p_of(np.where(in_region, 0, gap)) / 4),
        "region1_after": index > region_end,
    }
    return np.array([rows[name] for name in _CONTEXT_FEATURES], dtype=np.float64)


def _feature_dicts(matrix: np.ndarray, names: Sequence[str]) -> list[dict[str, float]]:
    """One ``{name: value}`` dict a line (a column of ``matrix``, rows named by ``names``), zeros
    left out (a logistic fit cannot tell them from absent)."""
    return [
        {name: value for name, value in zip(names, row, strict=True) if value} for row in matrix.T.tolist()
    ]


def _context_features(
    lines: Sequence[_Line | _FittingLine], probs: Sequence[float]
) -> list[dict[str, float]]:
    """The context features by name, one dict a line (the benchmark fits the later passes on them)."""
    if not lines:
        return []
    lengths = np.minimum(_word_counts(lines), 40)
    return _feature_dicts(_context_matrix(lengths, np.array(probs, dtype=np.float64)), _CONTEXT_FEATURES)


def _classify(lines: list[_Line], repeated: Collection[str]) -> _Page:
    """Score every line: the probability of its being article text.

    Pass 1 scores each line on its own features; every later pass adds the previous pass's
    scores around the line (a cheap stand-in for a sequence model's smoothing).
    """
    model = _model()
    n, passes = len(lines), len(model.passes)
    numbers = _page_numbers(lines)
    words = numbers[:, 0].astype(np.int64)
    local = _local_features(lines, words, numbers[:, 1] > 0, repeated)
    # terms[j, pass, line]: the text features' sum first, then each page feature's term.
    terms = np.empty((1 + len(_LOCAL_FEATURES), passes, n))
    terms[0] = numbers[:, 3:].T
    np.multiply(local[:, None, :], model.local[:, :, None], out=terms[1:])
    # add.accumulate adds strictly in order, as a scalar loop does (a matrix product would not).
    own = np.add.accumulate(terms, axis=0)[-1]
    probs = _sigmoids(own[0])
    lengths = np.minimum(words, 40)
    for k in range(1, passes):
        context = _context_matrix(lengths, probs)
        extra = np.add.accumulate(context * model.context[:, k - 1, None], axis=0)[-1]
        probs = _sigmoids(own[k] + extra)
    row = _LOCAL_FEATURES.index
    return _Page(
        lines,
        probs.tolist(),
        words,
        numbers[:, 2] > 0,
        repeated_corpus=(local[row("repeated_corpus")] > 0).tolist(),
        repeated_page=(local[row("repeated_page")] > 0).tolist(),
        short_run=local[row("short_run")].tolist(),
    )


def _dot(features: Iterable[tuple[str, float]], weights: dict[str, float], z: float = 0.0) -> float:
    """``z`` plus the features' weighted sum, added in order."""
    get = weights.get
    for name, value in features:
        z += get(name, 0.0) * value
    return z


def _sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def _sigmoids(z: np.ndarray) -> np.ndarray:
    """``_sigmoid`` of each score, to the last bit: math.exp (numpy's exp may round differently)
    and the same arithmetic in numpy."""
    e = np.array(list(map(math.exp, (-np.abs(z)).tolist())))
    denominator = 1.0 + e
    return np.where(z >= 0, 1.0 / denominator, e / denominator)


@dataclass(slots=True)
class _FittingLine:
    """A line with all its features by name, for fitting the weights."""

    text: str
    words: int
    features: dict[str, float]


def analyse_lines(text: str, repeated_lines: Collection[str] = frozenset()) -> list[_FittingLine]:
    """Split a scrape and compute its lines' features (used by the benchmark to fit the weights)."""
    text_sums = _model().text_sums
    lines = [_line_facts(t, text_sums, keep_features=True) for t in _split_lines(text)]
    if not lines:
        return []
    numbers = _page_numbers(lines)
    local = _local_features(lines, numbers[:, 0].astype(np.int64), numbers[:, 1] > 0, repeated_lines)
    page_features = _feature_dicts(local, _LOCAL_FEATURES)
    return [
        _FittingLine(item.text, item.words, {**_size_features(item.words), **(item.base or {}), **features})
        for item, features in zip(lines, page_features, strict=True)
    ]


# ---------------------------------------------------------------- region and cleaning


def _best_region(gains: Sequence[float], lo: int = 0, hi: int | None = None) -> tuple[int, int, float]:
    """The contiguous run of lines in [lo, hi) with the largest total gain (maximum-sum subarray)."""
    hi = len(gains) if hi is None else hi
    best, best_start, best_end = -math.inf, lo, lo - 1
    running, start = 0.0, lo
    for i, value in enumerate(gains[lo:hi], lo):
        if running <= 0:
            running, start = value, i
        else:
            running += value
        if running > best:
            best, best_start, best_end = running, start, i
    return best_start, best_end, best


def _content_segments(gains: Sequence[float], extra_gain: float) -> list[bool]:
    """The best region, plus further regions elsewhere that each gain more than ``extra_gain``.

    An article cut in two by a long ad or link block comes back whole when its second part is
    substantial on its own; a short teaser elsewhere on the page does not.
    """
    labels = [False] * len(gains)
    start, end, _ = _best_region(gains)
    if end < start:
        return labels
    for i in range(start, end + 1):
        labels[i] = True
    pending = [(0, start), (end + 1, len(gains))]
    added = 0
    while pending and added < 3:
        lo, hi = pending.pop()
        if hi - lo < 2:
            continue
        s, e, gain = _best_region(gains, lo, hi)
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
    for i in _indexes(lines, "related_cue"):
        line = lines[i]
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
                    or any(x.metadata or x.md_image for x in soon)
                    or (alternating and not (j + 1 < n and _is_prose(lines[j + 1])))
                )
                if not teaser:
                    break
                teasers.add(j)
            if entry.metadata or entry.md_image:
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
    related: set[int]  # the related-link blocks (_related_blocks)


def _is_chrome_prompt(
    tokens: Sequence[str], words: int, cues: frozenset[str], cue_cover: float, end_sentence: bool
) -> bool:
    """A prompt, button or notice by its wording: a short line made of chrome cues ("Download our
    app", "Newsletter abonnieren") or a sentence that opens with one ("Sign up for our briefing…")."""
    if words <= 12 and cue_cover >= 0.3 and cues & _CHROME_CUES and not end_sentence:
        return True
    if words > 30 or not tokens or tokens[0] not in _PROMPT_STARTS:
        return False
    found, _ = _CUE_TABLE.scan(tokens[:4])
    return bool(found & _PROMPT_CUES)


def _is_translation_credit(tokens: Sequence[str], words: int, cues: frozenset[str]) -> bool:
    """ "Translated by …", "This article was translated …", "Traducido por …" (not a sentence about translation)."""
    if "translation" not in cues or words > 30:
        return False
    return words <= 8 or "translation" in _CUE_TABLE.scan(tokens[:6])[0]


def _decode(page: _Page, params: dict[str, float]) -> _Decision:
    lines, probs = page.lines, page.probs
    related = _related_blocks(lines)
    threshold = params.get("region_threshold", 0.5)
    # A picture, link box or prompt inside the article neither starts nor ends it.
    removable = page.chrome.copy()
    removable[list(related)] = True
    gains = np.where(
        removable, 0.0, (np.array(probs) - threshold) * (np.minimum(page.words, 80) + 2)
    ).tolist()
    extra_gain = params.get("extra_region_gain", 0.0)
    if extra_gain > 0:
        labels = _content_segments(gains, extra_gain)
        inside = [i for i, label in enumerate(labels) if label]
        start, end = (inside[0], inside[-1]) if inside else (0, -1)
    else:
        start, end, _ = _best_region(gains)
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
        if line.translation_credit:
            continue
        if line.prompt:
            # "Download our app", "Newsletter abonnieren", "Share this article"
            continue
        if probs[i] >= keep_threshold:
            body.append(i)
    return _Decision(start, end, body, captions, related)


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


@lru_cache(maxsize=16)  # each picker asks again about the page's URL
def _url_host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:  # "http://[::1" and other unparseable input: no host to go on
        return ""


@lru_cache(maxsize=16)
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


@lru_cache(maxsize=1024)  # asked of the same site-name and menu lines page after page
def _compact(text: str) -> str:
    """The text case-folded, without its non-word characters and underscores."""
    if text.isascii():  # (where case-folding is lower-casing and word characters are letters and digits)
        return text.encode("ascii").lower().translate(None, _ASCII_NOT_ALNUM).decode("ascii")
    return _KEY_NONWORD.sub("", text.casefold())


_ASCII_NOT_ALNUM = bytes(c for c in range(256) if not (c < 128 and chr(c).isalnum()))


def _pick_title(
    page: _Page, start: int, url: str | None, outlet_keys: set[str], excluded: set[int]
) -> int | None:
    """The headline: a headline-like line close above the body, preferring one that matches the
    URL slug or that the page repeats (a shortened "Headline that goes on…" teaser of it)."""
    lines = page.lines
    slug = _slug_words(url)
    lo = max(0, start - 40)
    truncated = [
        stem
        for line in lines[max(0, lo - 40) : start + 2]
        if line.text.endswith(("...", "…"))
        and line.words >= 2
        and len(stem := line.text.rstrip(".… ").lower()) >= 12
    ]
    best_index, best_score = None, -math.inf
    distance = 0
    for i in range(min(len(lines) - 1, start + 1), lo - 1, -1):
        line = lines[i]
        if i < start and not line.metadata and line.credit is None and not line.md_image:
            distance += 1
        if i in excluded or line.md_image or line.md_link or line.credit is not None:
            continue
        if not 2 <= line.words <= 30 or len(line.text) > 250 or line.metadata:
            continue
        if line.related_heading or line.cue_cover >= 0.5 or _compact(line.text) in outlet_keys:
            continue
        score = -0.6 * math.log1p(distance)
        if slug:
            tokens = _title_words(line.text)
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
        if _headline_caps(line.text) >= 0.6:
            score += 0.3
        if line.words <= 4 and page.short_run[i] > 0.5:
            score -= 1.0
        if page.repeated_corpus[i]:
            score -= 2.0
        if page.repeated_page[i]:
            score += 0.3
        if line.cues:
            score -= 0.5
        if (
            line.words <= 16
            and _SEPARATOR_CHAR.search(line.text)
            and _SEPARATORS.search(line.text)
            and len(_BREADCRUMB_SPLIT.split(line.text)) >= 3
        ):
            score -= 1.5  # a breadcrumb trail
        if truncated:
            low = line.text.lower()
            if any(low.startswith(stem) and stem != low for stem in truncated):
                score += 1.5
        if score > best_score:
            best_index, best_score = i, score
    return best_index


# The title picker asks again about the same headline-like lines page after page.
_headline_caps = lru_cache(maxsize=1024)(_caps_ratio)


@lru_cache(maxsize=1024)
def _title_words(text: str) -> frozenset[str]:
    """The words of a line to match against the URL slug."""
    return frozenset(w for w in _KEY_NONWORD.split(text.lower()) if len(w) > 2)


def _indexes(lines: Sequence[_Line], flag: str) -> Iterator[int]:
    """The indexes of the lines whose ``flag`` attribute is set, in order."""
    return compress(range(len(lines)), map(attrgetter(flag), lines))


@lru_cache(maxsize=1024)
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
        if line.metadata or line.md_image or line.credit is not None:
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


def _pick_standfirst(
    lines: Sequence[_Line], probs: Sequence[float], title_index: int | None, body: list[int]
) -> int | None:
    """A summary paragraph under the title, set off from the body by a byline, date or picture
    (or standing above the body region altogether)."""
    if title_index is None or len(body) < 2:
        return None
    first_body = body[0]
    for i in range(title_index + 1, min(len(lines), max(first_body + 1, title_index + 2), title_index + 9)):
        line = lines[i]
        if line.md_image or line.credit is not None or line.metadata or line.words < 3:
            continue
        if not (8 <= line.words <= 80 and (line.end_sentence or line.words >= 15)) or line.cue_cover >= 0.3:
            return None
        if i < first_body:
            return i if probs[i] >= 0.15 else None
        following = [j for j in body if j > i]
        if not following or following[0] - i > 6:
            return None
        between = range(i + 1, following[0])
        if any(lines[j].metadata or lines[j].md_image or lines[j].credit is not None for j in between):
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
    for i in _indexes(lines, "has_date"):
        line = lines[i]
        if i in skip or line.credit is not None or line.md_image:
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


_MASTHEAD_LINES = 3  # how near the top and the bottom of the page a site name must stand


def _site_name(lines: Sequence[_Line], url: str | None) -> str | None:
    """The site's own name as the page shows it: a logo line matching the host, or the copyright owner."""
    core = _host_core(url)
    if core and len(core) >= 2:
        best = None
        the_core = f"the{core}"
        edges = list(lines[:80]) + list(lines[-60:])
        for line in edges:
            if line.words > 5 or line.md_image or line.md_link:
                continue
            compact = _compact(line.text)
            if compact in (core, the_core):
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
    return _masthead_repeated_in_footer(lines)


def _masthead_repeated_in_footer(lines: Sequence[_Line]) -> str | None:
    """A short capitalised line that opens the page and comes back at its foot: the site's name.

    Without a URL or a copyright line this is how a scrape shows whose page it is (the logo text at
    the top, the same name in the footer); article text does not repeat that way.
    """
    head = lines[:_MASTHEAD_LINES]
    foot = {line.text for line in lines[-_MASTHEAD_LINES:]} if len(lines) > 2 * _MASTHEAD_LINES else set()
    for line in head:
        text = line.text
        if (
            text in foot
            and 1 <= line.words <= 4
            and text[:1].isupper()
            and text[-1:] not in ".!?:;,"
            and not line.md_image
            and not line.md_link
            and not any(ch.isdigit() for ch in text)
        ):
            return text
    return None


def _original_publisher(lines: Sequence[_Line], body: list[int]) -> tuple[str | None, set[int]]:
    """Who first published a re-served article ("Originally published by X", "Source: AFP")."""
    first_body, last_body = body[0], body[-1]
    for i in _indexes(lines, "source_cue"):
        line = lines[i]
        found = _SOURCE_TABLE.find(line.tokens)
        if found is None:
            continue
        rest = line.text[_nth_token_end(line.text, found) :].lstrip(" :：-–")
        name = _clean_publisher(re.split(r"[.,;:()!?|]", rest)[0])
        if name:
            return name, ({i} if line.words <= 20 else set())
    for i in _indexes(lines, "source_label"):
        line = lines[i]
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


def _prepare(text: str, repeated_lines: Collection[str]) -> _Page:
    line = _model().line
    lines = [line(t) for t in _split_lines(text)]
    if not lines:
        return _Page([], [], np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), [], [], [])
    return _classify(lines, repeated_lines)


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
    page = _prepare(text, repeated_lines)
    if not page.lines:
        raise ExtractionError("text scrape is empty: no lines with visible characters")
    return _extract(page, _weights().get("decoder", {}), url=url, reference_date=reference_date)


def _extract(
    page: _Page, params: dict[str, float], *, url: str | None, reference_date: datetime | None
) -> ExtractedFields:
    lines = page.lines
    decision = _decode(page, params)
    body = decision.body
    body_words = sum(lines[i].words for i in body)
    if not body or body_words < params.get("min_body_words", 12):
        raise ExtractionError(
            f"no article body found in the text scrape ({len(lines)} lines, {body_words} words of "
            "article-like text; the rest looks like navigation or boilerplate)"
        )
    related = decision.related

    site = _site_name(lines, url)
    outlet_keys = {_compact(site)} if site else set()
    core = _host_core(url)
    if core:
        outlet_keys.add(core)

    original, source_lines = _original_publisher(lines, body)
    start = body[0]
    title_index = _pick_title(page, start, url, outlet_keys, related | source_lines)
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

    standfirst_index = _pick_standfirst(lines, page.probs, title_index, body)
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
        if i < start + 8 and line.metadata and line.words <= 14:
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
        tokens = lines[i].tokens
        english += sum(map(_ENGLISH.__contains__, tokens))
        other += sum(map(_NON_ENGLISH.__contains__, tokens))  # (the two word lists share no word)
    return english > other
