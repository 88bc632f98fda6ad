"""Sentence splitting tuned to news punctuation.

A rule splitter rather than pysbd: on news prose it keeps a quote's closing
mark and its attribution with the sentence they belong to (pysbd glues
``"We will fight. We will win," he said.`` into one sentence), splits
``... at 3 p.m. The next day`` while keeping ``at 10 a.m. Sunday`` whole, and it
is several times faster (bench/entities.py measures both).

How a candidate boundary is judged: a run of terminal punctuation, closing
quotes or brackets, then whitespace, then something that can open a sentence
(a capital, a digit, an opening quote). The word before the full stop decides
the hard cases: titles ("Mr.", "Dr.") never end a sentence; "No." and "Jan."
do not before a number; initials, dotted acronyms ("U.S.", "p.m.") and
company suffixes ("Inc.") end one only when the next word is a word that
typically opens sentences ("The", "He", "But"), because a proper noun after
them ("U.S. President", "p.m. Sunday") usually continues the same sentence.

Offsets are into ``"\\n\\n".join(paragraphs)``; a sentence never crosses a
paragraph, and inside a paragraph a short line with no final punctuation
followed by a line break is a sub-heading of its own.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence

from dateline.models import Sentence

PARAGRAPH_SEPARATOR = "\n\n"

# A candidate end: terminal punctuation, then closing quotes/brackets, then whitespace or the end.
# CJK full stops end a sentence with no space after them.
_CANDIDATE_END = re.compile(
    r"(?P<punct>\.{2,}|…|[.!?‼⁇؟।]+)(?P<close>[\"'”’»)\]]*)(?=\s|$)|(?P<cjk>[。！？]+)(?P<cjk_close>[」』”’)）]*)"
)
_WORD_BEFORE = re.compile(r"(?P<word>[^\s\"'“‘«(\[—–]*)$")
_NEXT_WORD = re.compile(r"\s*(?P<opener>[\"'“‘«(\[—–-]*)(?P<word>[^\s\"'”’»)\],;:.!?]*)")
_DOTTED_ACRONYM = re.compile(r"^(?:[^\W\d_]{1,2}\.){2,}$")
_INITIAL = re.compile(r"^[^\W\d_]\.$")
_LIST_MARKER = re.compile(r"^(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,4})[.)]$")
_TERMINAL = re.compile(r"[.!?…:;‼⁇؟।。！？][\"'”’»)\]」』）]*$")
# A quote ended by ! or ? and followed by its attribution ("Why?" Smith asked.) is one sentence.
_SPEECH_VERBS = (
    "said|says|say|asked|asks|added|adds|told|tells|wrote|writes|replied|replies|insisted|insists|"
    "explained|explains|stated|states|warned|warns|declared|declares|noted|notes|shouted|shouts|"
    "cried|tweeted|posted|continued|recalled|acknowledged|argued|argues|claimed|claims|"
    "dit|a dit|déclare|a déclaré|ajoute|a ajouté|sagte|sagt|dijo|ha detto"
)
_ATTRIBUTION_AFTER_QUOTE = re.compile(
    rf"\s*(?:(?:[^\W\d_][\w'’.-]*)\s+){{0,4}}?(?:{_SPEECH_VERBS})\b(?P<after>\s*[.,;:]?)", re.IGNORECASE
)


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Abbreviations that never end a sentence: they introduce a name ("Mr. Smith", "St. Louis", "M. Macron").
_TITLE_ABBREVIATIONS = _word_set(
    """mr mrs ms mx messrs dr prof st mt ft gen col lt sgt capt cmdr adm maj brig cpl pte gov sen rep
    rev hon supt insp det fr pres rt sra srta mme mlle mgr pr hr frau dott ing sig"""
)
# Abbreviations that do not end a sentence before a number ("No. 10", "Jan. 5", "p. 12").
_NUMBER_ABBREVIATIONS = _word_set(
    """no nos nr art vol vols p pp fig figs ch chap para sec op tel ca approx n jan feb mar apr jun jul
    aug sep sept oct nov dec"""
)
# Abbreviations that may end a sentence: judged by the next word, like initials and dotted acronyms.
_AMBIGUOUS_ABBREVIATIONS = _word_set(
    """inc ltd co corp bros jr sr etc vs v plc llc ave blvd rd dept univ assn est approx cf al esp ibid
    mio mrd bzw usw vgl bzw z.b u.a d.h etc"""
)
_MONTH_NAMES = _word_set(
    """januar februar märz april mai juni juli august september oktober november dezember jänner
    janvier février mars avril juin juillet août septembre octobre novembre décembre
    enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre
    gennaio febbraio aprile maggio giugno luglio settembre ottobre dicembre"""
)
# Words that commonly open a sentence; after an ambiguous abbreviation they mean a new sentence began.
_SENTENCE_STARTERS = _word_set(
    """the a an he she it they we i you this that these those there here his her its their our my your
    but and or so yet however in on at for with after before when while as if although though since
    because meanwhile also still now then today yesterday tomorrow some many most all no not one two
    both each other others what who why how where which earlier later last next during under over
    despite according by from to only even such another several few more among until unless once
    le la les l il elle ils elles nous vous on un une des ce cette ces mais et selon en dans pour
    depuis cependant alors aussi der die das er sie es wir ein eine aber und im am zum nach seit
    doch auch dann el los las ella ellos pero y según lo gli lui lei ma secondo"""
)
# Words a wrapped line can end on but a heading cannot: the sentence goes on after them.
_CONTINUING_WORDS = _word_set(
    """the a an of to for with and or but that would will could should can may might must in on at by
    from into as than is are was were be been has have had its their his her our your this these those
    who which when while if le la les de des du et ou à au aux en un une der die das und oder mit von"""
)
_LONGEST_WORD = 40  # an abbreviation is never longer
_HEADING_MAX_WORDS = 12
_HEADING_MAX_CHARS = 100


def split_sentences(paragraphs: Sequence[str], language: str | None) -> tuple[Sentence, ...]:
    """Sentences of ``"\\n\\n".join(paragraphs)``, offsets into that text; none crosses a paragraph.

    Short title-like lines without final punctuation (sub-headings) are ``is_heading=True``.
    """
    ordinal_dates = (language or "").split("-")[0].lower() not in ("en", "")
    sentences: list[Sentence] = []
    base = 0
    for paragraph_index, paragraph in enumerate(paragraphs):
        for start, end in _split_paragraph(paragraph, ordinal_dates):
            text = paragraph[start:end]
            sentences.append(
                Sentence(
                    index=len(sentences),
                    start=base + start,
                    end=base + end,
                    text=text,
                    paragraph=paragraph_index,
                    is_heading=_is_heading(text),
                )
            )
        base += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return tuple(sentences)


def sentence_at(sentences: Sequence[Sentence], position: int) -> int | None:
    """Index of the sentence holding character ``position`` (or the last one starting before it)."""
    if not sentences:
        return None
    starts = [sentence.start for sentence in sentences]
    found = bisect.bisect_right(starts, position) - 1
    return sentences[max(found, 0)].index


def _is_heading(text: str) -> bool:
    if "\n" in text or len(text) > _HEADING_MAX_CHARS or _TERMINAL.search(text):
        return False
    words = text.split()
    if not words or len(words) > _HEADING_MAX_WORDS:
        return False
    first = text.lstrip("\"'“‘«([#*•-– ")[:1]
    return first.isupper() or first.isdigit()


def _split_paragraph(paragraph: str, ordinal_dates: bool) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for block_start, block_end in _line_blocks(paragraph):
        start = block_start
        for cut in _boundaries(paragraph, block_start, block_end, ordinal_dates):
            spans.extend(_trimmed(paragraph, start, cut))
            start = cut
        spans.extend(_trimmed(paragraph, start, block_end))
    return spans


def _trimmed(paragraph: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and paragraph[start].isspace():
        start += 1
    while end > start and paragraph[end - 1].isspace():
        end -= 1
    return [(start, end)] if end > start else []


def _line_blocks(paragraph: str) -> list[tuple[int, int]]:
    """Cut a paragraph at blank lines and after a heading line.

    A heading line stands alone: it follows a blank line, the paragraph's start or a
    finished sentence, the next line opens a sentence, and it does not end in a word
    that needs more words ("would", "the"). Other line breaks are plain whitespace:
    hard-wrapped prose stays together.
    """
    if "\n" not in paragraph:
        return [(0, len(paragraph))]
    lines: list[tuple[int, int]] = []
    line_start = 0
    while True:
        newline = paragraph.find("\n", line_start)
        if newline < 0:
            lines.append((line_start, len(paragraph)))
            break
        lines.append((line_start, newline))
        line_start = newline + 1
    blocks: list[tuple[int, int]] = []
    block_start = 0
    previous = ""
    for number, (start, end) in enumerate(lines[:-1]):
        line = paragraph[start:end].strip()
        following = paragraph[lines[number + 1][0] : lines[number + 1][1]].lstrip()
        stands_alone = not previous or bool(_TERMINAL.search(previous))
        if not line or (
            stands_alone
            and _is_heading(line)
            and _opens_sentence(following)
            and line.split()[-1].lower() not in _CONTINUING_WORDS
        ):
            blocks.append((block_start, end))
            block_start = end + 1
            previous = ""
        else:
            previous = line
    blocks.append((block_start, len(paragraph)))
    return blocks


def _opens_sentence(line: str) -> bool:
    first = line.lstrip("\"'“‘«([#*•-– ")[:1]
    return first.isupper() or first.isdigit()


def _boundaries(paragraph: str, block_start: int, block_end: int, ordinal_dates: bool) -> list[int]:
    cuts: list[int] = []
    for match in _CANDIDATE_END.finditer(paragraph, block_start, block_end):
        end = match.end()
        if end >= block_end:
            continue
        if match.group("cjk"):
            cuts.append(end)
            continue
        if _ends_sentence(paragraph, match, block_start, block_end, ordinal_dates):
            cuts.append(end)
    return cuts


def _ends_sentence(
    paragraph: str, match: re.Match[str], block_start: int, block_end: int, ordinal_dates: bool
) -> bool:
    punct = match.group("punct")
    closers = match.group("close")
    following = _NEXT_WORD.match(paragraph, match.end(), block_end)
    assert following is not None  # the pattern can match the empty string
    opener, next_word = following.group("opener"), following.group("word")
    first = (opener or next_word)[:1]
    if not first:
        return False
    if first.isalpha() and first.islower():
        return False
    if not (first.isalpha() or first.isdigit() or opener):
        return False

    if punct[0] in "!?‼⁇؟" and closers and _is_attribution(paragraph, match.end(), block_end):
        return False
    if punct in ("...", "…") or (len(punct) > 1 and set(punct) == {"."}):
        # An ellipsis inside a quotation ("the plan ... Ukraine's best hope") often continues it.
        return bool(opener) or _starts_sentence(next_word)
    if punct != ".":
        return True
    if closers:
        # `"We won." Smith said.` is one sentence in transcripts that put the stop inside the quote.
        attribution = _ATTRIBUTION_AFTER_QUOTE.match(paragraph, match.end(), block_end)
        return not (attribution and attribution.group("after").strip() in (".", ",") and not opener)

    # Only the last few characters can hold the word: searching the whole prefix would be quadratic.
    word_match = _WORD_BEFORE.search(
        paragraph, max(block_start, match.start() - _LONGEST_WORD), match.start()
    )
    word = word_match.group("word") if word_match else ""
    bare = word.lower().rstrip(".")
    if not word:
        return True
    if bare in _TITLE_ABBREVIATIONS and word[:1].isupper() and not opener:
        return False
    if first.isdigit() and (bare in _NUMBER_ABBREVIATIONS):
        return False
    if (
        word_match is not None
        and _LIST_MARKER.match(word + ".")
        and word_match.start() - block_start < 8
        and not paragraph[block_start : word_match.start()].strip()
    ):
        return False  # "1. The first point" at the start of a paragraph is a list marker
    if ordinal_dates and word.isdigit() and next_word.lower() in _MONTH_NAMES:
        return False  # "3. Oktober"
    if _INITIAL.match(word + ".") or _DOTTED_ACRONYM.match(word + ".") or bare in _AMBIGUOUS_ABBREVIATIONS:
        return bool(opener) or _starts_sentence(next_word)
    if bare in _NUMBER_ABBREVIATIONS and len(bare) > 1 and bare.isalpha() and not word[:1].isupper():
        return _starts_sentence(next_word)
    return True


def _starts_sentence(word: str) -> bool:
    return word.lower().strip("'’") in _SENTENCE_STARTERS


def _is_attribution(paragraph: str, position: int, block_end: int) -> bool:
    return _ATTRIBUTION_AFTER_QUOTE.match(paragraph, position, block_end) is not None
