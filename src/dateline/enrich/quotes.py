"""Quotes: direct, partial and reported speech, each with its speaker, cue and sentence.

How it works, in four passes over one article:

1. **Quote marks.** One linear scan per paragraph pairs opening and closing marks: curly
   (“ ” „), guillemets (« » ‹ ›), straight ``"`` and ``''`` judged by what stands on each side,
   and single marks (‘ ’ ') only outside a double-quoted span and never where a letter stands on
   both sides (an apostrophe: "don't", "Clinton’s"). A paragraph that ends inside a quote continues
   into the next paragraph when that one opens with a mark (the news convention for long quotes);
   an opening mark never closed is dropped, so a stray mark in a 100,000-word text costs one pass.
2. **Attribution frames.** Around each quoted span the words are matched against a small grammar
   of attribution frames: after the quote (``, Zelensky said``, ``, said Mr Umerov``, ``, he told
   reporters``, ``, according to Umerov``, ``, a-t-il déclaré``) and before it (``Zelensky said:``,
   ``In a Telegram post, Zelensky wrote:``, ``, saying:``, ``called the plan "a good basis"``,
   ``Cruz hit back:``, and the headline ``Trump: ‘...’``). Cue words come from verb lemmas expanded
   into their inflections (said, says, saying; déclaré, déclare, dit-il), not from example
   sentences; with a spaCy doc any finite verb right after a short subject that follows a quote is
   a cue too ("," Trump barked), and the tagger finds where a subject noun phrase stops.
3. **Reported speech.** Outside quote marks, every speech cue with a subject and a clause becomes
   an INDIRECT quote: ``Umerov said talks will continue``, ``The ministry said that...``,
   ``According to officials, ...``, ``Talks will continue, officials said.``, ``, adding that...``.
4. **Speakers.** A speaker phrase resolves to a canonical entity through the entity mentions: the
   first chunk that names a person ("Leonard Burman, director of the centre," gives Burman; "the
   foreign minister, Andrii Sybiha," gives Sybiha), the last person in that chunk ("White House
   spokeswoman Karine Jean-Pierre"), else an organisation ("the Kremlin said", "a Kremlin
   spokesman said"). Without a mention, a surname or a title seen with a person elsewhere in the
   article ("the minister") decides. Pronouns are resolved last, in text order, like a reader would:
   walking back sentence by sentence to the first that names a compatible person, the person in
   subject position there wins (after any leading "When ..., " clause), unless the previous speaker
   was attributed in that very sentence; gender comes from honorifics, gendered role nouns, common
   given names and the article's own pronouns. "they" never resolves to a person, "it" only to an
   organisation.

Decisions worth knowing:

* A quote split by its attribution (``"We are ready," Zelensky said, "but not at any price."``)
  is returned as **two linked quotes** with the same speaker and cue, so that every quote's
  ``text`` is exactly ``text[start:end]``; ``QuoteAttribution.continues`` links the second part to
  the first. A quote running over several paragraphs is linked the same way, one part per paragraph.
* Scare quotes (a quoted fragment of up to four words with no speech cue in its sentence: the
  so-called "peace plan") and quoted titles (Title Case, no cue) are **not quotes**. Longer
  fragments with no cue are PARTIAL with a low confidence, their speaker the subject of their
  sentence when it names someone.
* A quote with no attribution of its own takes the speaker of the quote it continues, of the
  attributed quote before it in the same paragraph, or, when its paragraph holds nothing but
  quotation, of the last attribution in the previous paragraph; failing those, the subject of the
  sentence just before it ("The judge turned to me. “Mr D’Souza?”"), with a lower confidence.
* A headline "Kasich: ‘We are going all the way’" has a speaker and no cue (``cue`` is None).
* ``text`` drops the marks and a trailing comma that belongs to the attribution frame; a reported
  clause drops its "that".
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from dateline.models import Entity, EntityMention, EntityType, MentionForm, Quote, QuoteKind, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["QuoteAttribution", "attribute_quotes", "find_quotes"]


@dataclass(frozen=True, slots=True)
class QuoteAttribution:
    """A quote with where its speaker and cue were read; the benchmark and the reader use the spans."""

    quote: Quote
    speaker_span: tuple[int, int] | None = None  # the words naming the speaker at the attribution
    cue_span: tuple[int, int] | None = None  # the cue verb group (or "according to")
    continues: int | None = None  # index of the quote this one continues (split or multi-paragraph)


def find_quotes(
    text: str,
    sentences: Sequence[Sentence],
    entities: Sequence[Entity],
    mentions: Sequence[EntityMention],
    doc: Doc | None,
    language: str | None,
) -> tuple[Quote, ...]:
    """Direct, partial and indirect quotes in TEXT with their speakers and cues, in text order."""
    return tuple(
        found.quote for found in attribute_quotes(text, sentences, entities, mentions, doc, language)
    )


def attribute_quotes(
    text: str,
    sentences: Sequence[Sentence],
    entities: Sequence[Entity],
    mentions: Sequence[EntityMention],
    doc: Doc | None,
    language: str | None,
) -> tuple[QuoteAttribution, ...]:
    """``find_quotes`` with the speaker and cue spans and the links between parts of one quote."""
    sentences = [s for s in sentences if 0 <= s.start < s.end <= len(text)]
    if not text.strip() or not sentences:
        return ()
    context = _Context(text, sentences, entities, mentions, doc, language)
    segments = _scan_quote_marks(text, context.paragraphs)
    context.set_quoted(segments)
    quoted = _attribute_segments(context, segments)
    reported = _find_reported_speech(context, quoted)
    found = sorted(quoted + reported, key=lambda item: item.start)
    _inherit_speakers(context, found)
    _resolve_pronouns(context, found)
    return tuple(_to_record(context, item, found) for item in found)


# ---------------------------------------------------------------- lexicon


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Cue classes: SPEECH verbs introduce a quote or a reported clause anywhere; TELL verbs take an
# addressee first ("told reporters that"); FRAME verbs only count right beside a quote (", he
# continued"); EVALUATIVE verbs only attribute a partial quote (called the plan "a good basis");
# ACCORDING is "according to" and its French equivalents.
_SPEECH, _TELL, _FRAME, _EVALUATIVE, _ACCORDING = "speech", "tell", "frame", "evaluative", "according"
_PAST, _PRESENT, _GERUND, _BASE = "past", "present", "gerund", "base"

_ENGLISH_LEMMAS: dict[str, str] = {
    **dict.fromkeys(
        _word_set(
            """say add stress warn write post tweet insist acknowledge announce argue assert claim
            comment confirm declare deny explain note observe remark reply respond report reveal state
            suggest vow pledge predict recall concede admit allege answer boast complain contend
            emphasise emphasize estimate maintain mention quip reiterate repeat retort testify
            threaten underline underscore joke lament caution counter charge hint exclaim speculate
            posit concur agree disclose affirm clarify reckon opine grumble muse ask promise
            acknowledge insist"""
        ),
        _SPEECH,
    ),
    **dict.fromkeys(_word_set("tell inform assure remind brief urge"), _TELL),
    **dict.fromkeys(
        _word_set(
            """continue conclude shout yell scream whisper marvel wonder plead protest sigh laugh
            recount begin interject chime snap fume bristle read chant cry"""
        ),
        _FRAME,
    ),
    **dict.fromkeys(
        _word_set(
            """call describe brand dub term label dismiss hail praise criticise criticize condemn
            denounce slam blast decry accuse characterise characterize deride lambast mock tout"""
        ),
        _EVALUATIVE,
    ),
}
# Forms the regular rules get wrong.
_ENGLISH_IRREGULAR: dict[str, tuple[str, ...]] = {
    "say": ("said", "says", "saying"),
    "tell": ("told", "tells", "telling"),
    "write": ("wrote", "written", "writes", "writing"),
    "read": ("read", "reads", "reading"),
    "admit": ("admitted", "admits", "admitting"),
    "quip": ("quipped", "quips", "quipping"),
    "dub": ("dubbed", "dubs", "dubbing"),
    "slam": ("slammed", "slams", "slamming"),
    "snap": ("snapped", "snaps", "snapping"),
    "label": ("labelled", "labeled", "labels", "labelling", "labeling"),
    "begin": ("began", "begun", "begins", "beginning"),
    "concur": ("concurred", "concurs", "concurring"),
}
_FRENCH_LEMMAS: dict[str, str] = {
    **dict.fromkeys(
        _word_set(
            """déclarer affirmer ajouter souligner expliquer indiquer préciser assurer estimer annoncer
            insister confier rappeler lancer tweeter marteler regretter raconter confirmer avouer
            relever noter observer déplorer signaler commenter répéter réitérer plaider menacer
            détailler résumer arguer nier démentir jurer avertir prévenir reconnaître répondre écrire
            poursuivre conclure promettre admettre soutenir dire réagir témoigner"""
        ),
        _SPEECH,
    ),
    **dict.fromkeys(_word_set("qualifier fustiger saluer critiquer accuser dénoncer"), _EVALUATIVE),
}
# Irregular French forms: the participle first, then present forms.
_FRENCH_IRREGULAR: dict[str, tuple[str, ...]] = {
    "dire": ("dit",),
    "démentir": ("démenti", "dément"),
    "avertir": ("averti", "avertit"),
    "prévenir": ("prévenu", "prévient"),
    "reconnaître": ("reconnu", "reconnaît", "reconnait"),
    "répondre": ("répondu", "répond"),
    "écrire": ("écrit",),
    "poursuivre": ("poursuivi", "poursuit"),
    "conclure": ("conclu", "conclut"),
    "promettre": ("promis", "promet"),
    "admettre": ("admis", "admet"),
    "soutenir": ("soutenu", "soutient"),
    "réagir": ("réagi", "réagit"),
    "marteler": ("martelé", "martèle"),
    "rappeler": ("rappelé", "rappelle"),
    "réitérer": ("réitéré", "réitère"),
}
_FRENCH_AUXILIARIES = _word_set("a avait aurait ont avaient auraient aura")
_FRENCH_SUBJECT_PRONOUNS = _word_set("il elle ils elles on")


@dataclass(frozen=True, slots=True)
class _CueWord:
    lemma: str
    cue_class: str
    form: str
    french: bool = False


def _english_forms(lemma: str) -> list[tuple[str, str]]:
    if lemma in _ENGLISH_IRREGULAR:
        tagged = []
        for form in _ENGLISH_IRREGULAR[lemma]:
            tense = _GERUND if form.endswith("ing") else _PRESENT if form.endswith("s") else _PAST
            tagged.append((form, tense))
        return [*tagged, (lemma, _BASE)]
    if lemma.endswith("e"):
        past, third, gerund = lemma + "d", lemma + "s", lemma[:-1] + "ing"
    elif lemma.endswith("y") and lemma[-2] not in "aeiou":
        past, third, gerund = lemma[:-1] + "ied", lemma[:-1] + "ies", lemma + "ing"
    elif lemma.endswith(("s", "sh", "ch", "x", "z")):
        past, third, gerund = lemma + "ed", lemma + "es", lemma + "ing"
    else:
        past, third, gerund = lemma + "ed", lemma + "s", lemma + "ing"
    return [(past, _PAST), (third, _PRESENT), (gerund, _GERUND), (lemma, _BASE)]


def _french_forms(lemma: str) -> list[tuple[str, str]]:
    if lemma in _FRENCH_IRREGULAR:
        participle, *present = _FRENCH_IRREGULAR[lemma]
        return [(participle, _PAST)] + [(form, _PRESENT) for form in present]
    if lemma.endswith("er"):
        return [(lemma[:-2] + "é", _PAST), (lemma[:-2] + "e", _PRESENT)]
    if lemma.endswith("ir"):
        return [(lemma[:-2] + "i", _PAST), (lemma[:-2] + "it", _PRESENT)]
    return []


def _build_cue_words() -> dict[str, _CueWord]:
    words: dict[str, _CueWord] = {}
    for lemma, cue_class in _ENGLISH_LEMMAS.items():
        for form, tense in _english_forms(lemma):
            words.setdefault(form, _CueWord(lemma, cue_class, tense))
    for lemma, cue_class in _FRENCH_LEMMAS.items():
        for form, tense in _french_forms(lemma):
            words.setdefault(form, _CueWord(lemma, cue_class, tense, french=True))
    return words


_CUE_WORDS = _build_cue_words()


def _phrasal_forms(verb: str, particle: str, cue_class: str, forms: str) -> dict[str, tuple[str, str, str]]:
    past, third, gerund = forms.split()
    return {
        past: (particle, cue_class, _PAST),
        third: (particle, cue_class, _PRESENT),
        gerund: (particle, cue_class, _GERUND),
        verb: (particle, cue_class, _BASE),
    }


# Verb + particle cues: "pointed out", "hit back", "went on" (after a quote).
_PHRASAL_CUES: dict[str, tuple[str, str, str]] = {
    **_phrasal_forms("point", "out", _SPEECH, "pointed points pointing"),
    **_phrasal_forms("hit", "back", _FRAME, "hit hits hitting"),
    **_phrasal_forms("fire", "back", _FRAME, "fired fires firing"),
    **_phrasal_forms("shoot", "back", _FRAME, "shot shoots shooting"),
    **_phrasal_forms("go", "on", _FRAME, "went goes going"),
    **_phrasal_forms("chime", "in", _FRAME, "chimed chimes chiming"),
    **_phrasal_forms("put", "it", _FRAME, "put puts putting"),
}
# Tokens that can open a cue group: cue words, French auxiliaries, "according", "selon".
_CUE_TRIGGERS = (
    frozenset(_CUE_WORDS)
    | frozenset(_PHRASAL_CUES)
    | _FRENCH_AUXILIARIES
    | {"according", "selon", "d'après", "d’après"}
)

_PERSON_PRONOUNS = {"he": "m", "she": "f", "il": "m", "elle": "f"}
_ORGANISATION_PRONOUNS = _word_set("it")
_OTHER_PRONOUNS = _word_set("they we i you ils elles on nous je")
_ALL_PRONOUNS = frozenset(_PERSON_PRONOUNS) | _ORGANISATION_PRONOUNS | _OTHER_PRONOUNS
_OBJECT_PRONOUNS = _word_set("him her them me us it lui leur")
_MALE_PRONOUNS = _word_set("he him his himself il")
_FEMALE_PRONOUNS = _word_set("she her hers herself elle")
_MALE_WORDS = _word_set(
    """mr mister sir lord king prince father son husband brother uncle nephew grandfather boyfriend
    spokesman chairman congressman businessman councilman assemblyman alderman policeman fireman
    actor widower man boy gentleman monsieur m duke baron emperor"""
)
_FEMALE_WORDS = _word_set(
    """mrs ms miss dame lady queen princess mother daughter wife sister aunt niece grandmother
    girlfriend spokeswoman chairwoman congresswoman businesswoman councilwoman assemblywoman
    policewoman actress widow woman girl madame mme mlle duchess baroness empress"""
)
# Common given names, read as gender evidence only when nothing in the article says otherwise.
_MALE_GIVEN_NAMES = _word_set(
    """john james robert michael william david richard joseph thomas charles christopher daniel matthew
    anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy ronald edward jason
    jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin scott brandon benjamin samuel
    gregory frank alexander raymond patrick jack dennis jerry tyler aaron jose adam nathan henry douglas
    zachary peter kyle walter ethan jeremy harold keith christian roger noah gerald carl terry sean
    austin arthur lawrence jesse dylan bryan joe jordan billy bruce albert willie gabriel logan alan
    juan wayne roy ralph randy eugene vincent russell elijah louis bobby philip johnny mitch mike bill
    bernie ted jeb chris rand marco ben newt rudy barack vladimir volodymyr dmitry sergei
    sergey andriy andrii oleksandr rustem olaf emmanuel francois françois pierre jacques nicolas
    michel alain olivier boris keir rishi tony gordon nigel recep xi narendra benjamin yair naftali
    friedrich karl hans klaus wolfgang lars mohammed muhammad ahmed ali hassan omar abdul
    carlos luis miguel pedro antonio jorge javier manuel francisco alejandro diego"""
)
_FEMALE_GIVEN_NAMES = _word_set(
    """mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy betty sandra
    margaret ashley kimberly emily donna michelle carol amanda melissa deborah stephanie dorothy rebecca
    sharon laura cynthia amy kathleen angela shirley brenda emma anna pamela nicole samantha katherine
    christine helen debra rachel carolyn janet maria catherine heather diane olivia julie joyce victoria
    ruth virginia lauren kelly christina joan evelyn judith andrea hannah megan cheryl jacqueline martha
    madison teresa gloria sara janice ann kathryn abigail sophia frances alice judy isabella julia
    grace amber denise danielle marilyn beverly charlotte natalie theresa diana brittany doris kayla
    alexis lori marie hillary carly nikki elizabeth kamala nancy michele condoleezza madeleine huma
    melania ivanka chelsea tulsi alexandria ilhan elise kellyanne ursula marine ségolène
    segolene anne christine theresa liz giorgia annalena yulia iryna olena olga natalia tatiana svetlana
    kaja roberta rihanna beyonce oprah"""
)
_HONORIFICS = _word_set(
    """mr mrs ms miss mx dr prof sir dame lord lady sen senator rep del gov gen col capt rev president
    m mme mlle monsieur madame"""
)
_DETERMINERS = _word_set(
    """the a an his her its their our my your this that these those another one two three some several many
    le la les un une des son sa ses leur leurs ce cette ces l' l’"""
)
# Words that end a speaker phrase read after a cue ("said Umerov in a statement", "said Umerov on Sunday").
_PHRASE_BREAKERS = _word_set(
    """in on at during after before when while as since because but and that who which whose where
    if although though with without by to into via through over last this next earlier later
    dans lors après avant alors mais et que qui dont"""
)
# Words that end a subject noun phrase read backwards from its verb; of/for/with/at/in stay inside
# ("a spokesman for the Kremlin", "a source with knowledge of the talks", "officials in Kyiv").
_SUBJECT_BREAKERS = _word_set(
    """when while as since because but and or that who which whose where if although though whom
    than then after before so yet nor also mais et que qui dont lorsque quand"""
)
_CLAUSE_OPENERS = _word_set(
    """when while as since because although though if after before once until asked speaking
    writing following unlike like despite lorsque quand alors après avant selon"""
)
_CONJUNCTIONS = _word_set("and but so yet or then et mais puis")
_AUXILIARIES = _word_set(
    """has have had was were is are would will could did does do 'd can may might must should be
    been being a avait aurait ont est était"""
)
_SKIPPABLE_BEFORE_CUE = _word_set(
    """also later then again previously earlier recently once reportedly simply just further
    repeatedly has have had was were is are would will could did does do 'd already even still
    quickly flatly bluntly angrily publicly privately separately subsequently initially finally
    never not n't only often frequently now"""
)
_FRENCH_ADVERBS_AFTER_AUXILIARY = _word_set("également aussi encore ensuite alors déjà pourtant notamment")
_COMPLEMENTIZERS = _word_set("that que")
# Nouns that make a prepositional phrase part of the cue ("said in a statement", "wrote on X").
_MEDIUM_WORDS = _word_set(
    """statement statements post posts posting interview interviews address speech speeches letter
    letters tweet tweets message messages video videos broadcast briefing briefings conference call
    calls email emails op-ed column remarks remark telegram x twitter facebook instagram tiktok
    youtube truth social radio television tv podcast sermon hearing rally debate communique
    communiqué release memo filing testimony blog newsletter appearance episode show book essay
    editorial entretien discours lettre vidéo allocution conférence déclaration tribune émission"""
)
_NOT_A_CLAUSE_START = _word_set(
    """to so yes no nothing something anything goodbye hello thanks thank sorry little much more less
    enough otherwise too as of for about in on at with by from"""
)
_PASSIVE_AUXILIARIES = _word_set("is was are were be been being")
_POSSESSIVE_DETERMINERS = _word_set("his her its their our my your")
_PARTICIPIAL_OPENERS = _word_set("who which whose whom where speaking asked writing qui dont")
_PREPOSITIONS = _word_set(
    """in on at during after before since for from with by to into via through over under about
    dans sur lors après avant depuis pour avec par en"""
)
_ADJUNCT_OPENERS = _word_set(
    """in on at during after before since via through yesterday today tonight earlier later last this
    late early when while as by afterwards hier lors dans"""
)
_SPOKESPERSON_HEADS = _word_set("spokesman spokeswoman spokesperson statement office porte-parole communiqué")
_MODAL_BEFORE_BASE = _word_set("will would did does do to can could may might must should")

# ---------------------------------------------------------------- tokens and quote marks

# Abbreviations keep their full stop so that "Gov. Kasich", "J. J. Price" and "U.S." stay one phrase.
_TOKEN = re.compile(
    r"(?:[^\W\d_]\.){2,}"
    r"|(?:Mr|Mrs|Ms|Dr|Prof|Gov|Sen|Rep|Del|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Maj|Rev|St|Jr|Sr|Ft|Mt|Pres|Atty"
    r"|Supt|Insp|Det|Hon|Mme|Mlle|Messrs)\.(?=\s)"
    r"|[A-Z]\.(?=\s+[A-Z])"
    r"|\w+(?:[’'\-]\w+)*"
    r"|\S"
)
_WORD = re.compile(r"\w+")
_MARK = re.compile(r"'''|''|``|[\"“”„«»‹›‘’'‚]")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n\s*")

_TRIPLE_MARK = "'''"  # typewriter copy: a nested quote closing with its outer quote
_DOUBLE_MARKS = _word_set("\" '' ''' `` “ ” „ « »")
_SINGLE_MARKS = _word_set("‘ ’ ' ‹ › ‚")
_SENTENCE_PUNCTUATION = _word_set(". ! ? ;")
_OPEN, _CLOSE, _EITHER = 1, 2, 3
_FIXED_SIDE = {"“": _OPEN, "„": _OPEN, "«": _OPEN, "``": _OPEN, "‹": _OPEN, "‚": _OPEN, "‘": _OPEN}
_FIXED_SIDE.update({"”": _CLOSE, "»": _CLOSE, "›": _CLOSE})
_OPENING_CONTEXT = frozenset("([{—–-/:;>“„«‘‹‚")
_CLOSING_CONTEXT = frozenset(".,;:!?)]}—–…-”»’›")
# An unclosed quote may run to the end of its paragraph only when that is this short.
_MAX_UNCLOSED_CHARS = 3000
_MAX_SINGLE_QUOTE_CHARS = 400


@dataclass(slots=True)
class _Segment:
    """One quoted span between a pair of marks, inside one paragraph."""

    open_start: int  # the opening mark
    inner_start: int
    inner_end: int
    close_end: int  # just after the closing mark (the paragraph end when unclosed)
    paragraph: int
    closed: bool
    continues: int | None = None  # index of the segment (previous paragraph) this one continues


def _side(text: str, start: int, end: int, mark: str) -> int:
    fixed = _FIXED_SIDE.get(mark)
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else " "
    opens = before.isspace() or before in _OPENING_CONTEXT
    closes = after.isspace() or after in _CLOSING_CONTEXT
    if fixed is not None:
        if mark == "“" and closes and not opens:
            return _EITHER  # „…“ in German, or a typo for ”
        if mark == "”" and opens and not closes:
            return _EITHER  # Swedish and some wire copy open with ”
        return fixed
    if opens and not closes:
        return _OPEN
    if closes and not opens:
        return _CLOSE
    return _EITHER


def _closes(opening: str, mark: str, side: int) -> bool:
    if side == _OPEN:
        return False
    if opening == "«":
        return mark == "»"
    if opening == "„":
        return mark in ("“", "”", '"')
    if opening in ("“", "``"):
        return mark in ("”", '"', "''", "“")
    if opening == "”":
        return mark == "”"
    return mark in ('"', "''", "”")


def _paragraph_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    start = 0
    for gap in _PARAGRAPH_BREAK.finditer(text):
        spans.append((start, gap.start()))
        start = gap.end()
    spans.append((start, len(text)))
    return [(a, b) for a, b in spans if b > a] or [(0, len(text))]


def _inner_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and (text[start].isspace() or text[start] in "\u00a0\u202f"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",;:\u00a0\u202f"):
        end -= 1
    return start, end


def _scan_quote_marks(text: str, paragraphs: Sequence[tuple[int, int]]) -> list[_Segment]:
    segments: list[_Segment] = []
    pending = False  # the last segment is a quote left open at the end of the previous paragraph
    for number, (para_start, para_end) in enumerate(paragraphs):
        marks = [(m.start(), m.end(), m.group()) for m in _MARK.finditer(text, para_start, para_end)]
        doubles = [mark for mark in marks if mark[2] in _DOUBLE_MARKS]
        opening = doubles[0][0] if doubles and not text[para_start : doubles[0][0]].strip() else None
        if pending and opening is None:
            _drop_unfinished(segments, paragraphs)
        found: list[_Segment] = []
        current: tuple[int, int, str] | None = None
        for start, end, mark in doubles:
            side = _side(text, start, end, mark)
            # Typewriter copy writes a nested quote's end and the outer end as three marks
            nested_end = start + 1 if mark == _TRIPLE_MARK else start
            if mark == _TRIPLE_MARK:
                mark, end = "''", end if side == _CLOSE else start + 2
            if current is None:
                if side != _CLOSE:
                    current = (start, end, mark)
            elif _closes(current[2], mark, side):
                inner = _inner_span(text, current[1], nested_end)
                if inner[1] > inner[0]:
                    found.append(_Segment(current[0], inner[0], inner[1], end, number, True))
                current = None
            elif side == _OPEN and current[2] != "«":
                current = (start, end, mark)  # the previous opening mark was never closed
        double_spans = [(segment.open_start, segment.close_end) for segment in found]
        if current is not None:
            double_spans.append((current[0], para_end))
            inner = _inner_span(text, current[1], para_end)
            if inner[1] > inner[0] and para_end - inner[0] <= _MAX_UNCLOSED_CHARS:
                found.append(_Segment(current[0], inner[0], inner[1], para_end, number, False))
            else:
                current = None
        found.extend(_single_quoted(text, number, marks, double_spans))
        found.sort(key=lambda segment: segment.open_start)
        if pending and opening is not None and found and found[0].open_start == opening:
            found[0].continues = len(segments) - 1
        segments.extend(found)
        pending = current is not None
    if pending:
        _drop_unfinished(segments, paragraphs)
    return segments


def _drop_unfinished(segments: list[_Segment], paragraphs: Sequence[tuple[int, int]]) -> None:
    """A quote left open and not continued stands only if it fills its paragraph (its closing mark
    was lost) or ends a chain of quoted paragraphs."""
    last = segments[-1]
    if last.continues is None and last.open_start > paragraphs[last.paragraph][0]:
        segments.pop()


def _single_quoted(
    text: str, paragraph: int, marks: list[tuple[int, int, str]], double_spans: list[tuple[int, int]]
) -> list[_Segment]:
    """Pairs of single marks outside double-quoted spans (headline style, British style)."""
    found: list[_Segment] = []
    current: tuple[int, int, str] | None = None
    for start, end, mark in marks:
        if mark not in _SINGLE_MARKS or any(a <= start < b for a, b in double_spans):
            continue
        before = text[start - 1] if start > 0 else " "
        after = text[end] if end < len(text) else " "
        if before.isalnum() and after.isalnum():
            continue  # an apostrophe: don't, Clinton’s, l’Élysée
        side = _side(text, start, end, mark)
        opens = side == _OPEN and after.isalnum() and mark not in ("’", "›")
        if current is None or start - current[1] > _MAX_SINGLE_QUOTE_CHARS:
            current = (start, end, mark) if opens else None
            continue
        pairs = (
            (current[2] == "'" and mark == "'")
            or (current[2] in "‘‚" and mark in "’‘")
            or (current[2] == "‹" and mark == "›")
        )
        if pairs and side != _OPEN and not after.isalnum():
            inner = _inner_span(text, current[1], start)
            if inner[1] > inner[0]:
                found.append(_Segment(current[0], inner[0], inner[1], end, paragraph, True))
            current = None
    return found


# ---------------------------------------------------------------- working records


@dataclass(slots=True)
class _Speaker:
    key: str | None
    name: str | None
    text: str
    span: tuple[int, int]
    confidence: float
    pending_gender: str | None = None  # a person pronoun resolved in the last pass


@dataclass(slots=True)
class _Attribution:
    speaker: _Speaker | None
    cue: _Cue | None
    cue_string: str | None


@dataclass(slots=True)
class _Found:
    """A quote in the making: its span and kind, and its attribution once read."""

    start: int
    end: int
    kind: QuoteKind
    sentence: int
    paragraph: int
    confidence: float
    attributed: bool = False
    speaker: _Speaker | None = None
    cue: str | None = None
    cue_span: tuple[int, int] | None = None
    cue_token: int | None = None
    continues: _Found | None = None
    inherited: bool = False


@dataclass(slots=True)
class _Cue:
    first: int  # first token of the cue group (an auxiliary, or "according")
    verb: int  # the cue verb itself
    last: int  # last token of the group
    cue_class: str
    form: str
    inverted_pronoun: str | None = None  # French "a-t-il dit", "ajoute-t-elle": the pronoun subject


@dataclass(slots=True)
class _Context:
    """Everything about one article the attribution rules look up, built once per call."""

    text: str
    sentences: Sequence[Sentence]
    entities: Sequence[Entity]
    mentions: Sequence[EntityMention]
    doc: Doc | None
    language: str | None
    paragraphs: list[tuple[int, int]] = field(init=False)
    paragraph_starts: list[int] = field(init=False)
    sentence_starts: list[int] = field(init=False)
    token_starts: list[int] = field(init=False)
    token_ends: list[int] = field(init=False)
    token_texts: list[str] = field(init=False)
    token_lowers: list[str] = field(init=False)
    entity_by_key: dict[str, Entity] = field(init=False)
    mention_list: list[EntityMention] = field(init=False)
    mention_starts: list[int] = field(init=False)
    quoted_starts: list[int] = field(default_factory=list)
    quoted_ends: list[int] = field(default_factory=list)
    verb_positions: frozenset[int] | None = None
    participle_positions: frozenset[int] = frozenset()
    genders: dict[str, str | None] | None = None
    titles: dict[str, set[str]] | None = None

    def __post_init__(self) -> None:
        self.paragraphs = _paragraph_spans(self.text)
        self.paragraph_starts = [start for start, _ in self.paragraphs]
        self.sentence_starts = [sentence.start for sentence in self.sentences]
        matches = list(_TOKEN.finditer(self.text))
        self.token_starts = [match.start() for match in matches]
        self.token_ends = [match.end() for match in matches]
        self.token_texts = [match.group() for match in matches]
        self.token_lowers = [token.lower() for token in self.token_texts]
        self.entity_by_key = {entity.key: entity for entity in self.entities}
        self.mention_list = _people_by_surname(
            sorted(
                (m for m in self.mentions if 0 <= m.start < m.end <= len(self.text)), key=lambda m: m.start
            ),
            self.entities,
        )
        self.mention_starts = [mention.start for mention in self.mention_list]
        if self.doc is not None and _doc_matches(self.doc, self.text):
            self.verb_positions, self.participle_positions = _verb_positions(self.doc)

    def set_quoted(self, segments: Sequence[_Segment]) -> None:
        spans = sorted((segment.open_start, segment.close_end) for segment in segments)
        self.quoted_starts = [a for a, _ in spans]
        self.quoted_ends = [b for _, b in spans]

    def inside_quote(self, position: int) -> bool:
        index = bisect.bisect_right(self.quoted_starts, position) - 1
        return index >= 0 and position < self.quoted_ends[index]

    def sentence_index(self, position: int) -> int:
        return max(bisect.bisect_right(self.sentence_starts, position) - 1, 0)

    def paragraph_index(self, position: int) -> int:
        return max(bisect.bisect_right(self.paragraph_starts, position) - 1, 0)

    def token_at(self, position: int) -> int:
        """Index of the first token starting at or after POSITION."""
        return bisect.bisect_left(self.token_starts, position)

    def tokens_between(self, start: int, end: int) -> range:
        return range(self.token_at(start), bisect.bisect_left(self.token_starts, end))

    def span_text(self, first: int, last: int) -> str:
        """Text of tokens FIRST..LAST (inclusive), whitespace normalised."""
        return " ".join(self.text[self.token_starts[first] : self.token_ends[last]].split())

    def is_verb(self, token: int) -> bool:
        """A finite verb by the tagger, or (without a doc) an auxiliary or an inflected cue word."""
        if self.verb_positions is not None:
            return self.token_starts[token] in self.verb_positions
        lower = self.token_lowers[token]
        word, _ = _cue_word(lower)
        return lower in _AUXILIARIES or (word is not None and word.form in (_PAST, _PRESENT))

    def ends_sentence(self, index: int) -> bool:
        """Punctuation that ends a sentence here: not the stops inside "D-N.Y." or "$1.6"."""
        token = self.token_texts[index]
        if token not in _SENTENCE_PUNCTUATION:
            return False
        end = self.token_ends[index]
        return end >= len(self.text) or self.text[end].isspace() or self.text[end] in '"”’»'

    def is_quote_mark(self, index: int) -> bool:
        """A token that opens or closes a quotation (an apostrophe in "Sanders’ comments" does not)."""
        token = self.token_texts[index]
        if token in _DOUBLE_MARKS:
            return True
        return token in _SINGLE_MARKS and self.inside_quote(self.token_starts[index])

    def mentions_in(self, start: int, end: int) -> list[EntityMention]:
        index = bisect.bisect_left(self.mention_starts, start)
        found = []
        while index < len(self.mention_list) and self.mention_list[index].start < end:
            if self.mention_list[index].end <= end + 1:
                found.append(self.mention_list[index])
            index += 1
        return found

    def mention_covering(self, position: int) -> EntityMention | None:
        index = bisect.bisect_right(self.mention_starts, position) - 1
        for candidate in range(index, max(index - 3, -1), -1):
            mention = self.mention_list[candidate]
            if mention.start <= position < mention.end:
                return mention
        return None

    def possessive(self, mention: EntityMention) -> bool:
        following = self.text[mention.end : mention.end + 2]
        return following in ("'s", "’s") or (following[:1] in "'’" and mention.text.endswith("s"))


def _people_by_surname(mentions: list[EntityMention], entities: Sequence[Entity]) -> list[EntityMention]:
    """Mentions whose text is the surname of exactly one person named in full in the article, but
    typed otherwise by the tagger ("Trump" as an organisation), read as that person."""
    surnames: dict[str, set[str]] = {}
    for entity in entities:
        if entity.type == EntityType.PERSON:
            for name in (entity.name, *entity.aliases):
                words = name.split()
                if len(words) > 1:
                    surnames.setdefault(words[-1].lower(), set()).add(entity.key)
    if not surnames:
        return mentions
    fixed = []
    for mention in mentions:
        keys = surnames.get(mention.text.removesuffix("'s").removesuffix("’s").lower())
        if mention.type != EntityType.PERSON and keys is not None and len(keys) == 1:
            mention = replace(mention, type=EntityType.PERSON, entity=next(iter(keys)))
        fixed.append(mention)
    return fixed


def _doc_matches(doc: Doc, text: str) -> bool:
    """Whether the doc was built over TEXT (or its opening part), checked at its first and last token
    (``doc.text`` would rebuild the whole string)."""
    if len(doc) == 0:
        return False
    first, last = doc[0], doc[-1]
    return text.startswith(first.text, first.idx) and text.startswith(last.text, last.idx)


def _verb_positions(doc: Doc) -> tuple[frozenset[int], frozenset[int]]:
    """Character offsets of finite verbs, read from the tagger: English PTB tags (VBD, VBZ, VBP, MD);
    where the pipeline has none (French), every VERB and AUX. Then those of past participles (VBN),
    which the small English model often gives a simple past ("Trump barked at")."""
    import numpy
    from spacy.attrs import IDX, POS, TAG
    from spacy.parts_of_speech import IDS

    array = doc.to_array([IDX, POS, TAG])
    strings = doc.vocab.strings
    finite_tags = numpy.array(
        [strings[tag] for tag in ("VBD", "VBZ", "VBP", "MD") if tag in strings], dtype=array.dtype
    )
    verbs = numpy.isin(array[:, 1], numpy.array([IDS["VERB"], IDS["AUX"]], dtype=array.dtype))
    finite = numpy.isin(array[:, 2], finite_tags)
    mask = verbs & finite if finite.any() else verbs
    participles = verbs & (array[:, 2] == strings["VBN"]) if "VBN" in strings else numpy.zeros_like(verbs)
    return frozenset(array[mask, 0].tolist()), frozenset(array[participles, 0].tolist())


# ---------------------------------------------------------------- cue verbs


def _skippable(context: _Context, index: int) -> bool:
    """An auxiliary or adverb that may stand between a subject and its cue ("regularly tells")."""
    lower = context.token_lowers[index]
    if lower in _SKIPPABLE_BEFORE_CUE:
        return True
    token = context.token_texts[index]
    return len(lower) > 4 and lower.endswith("ly") and token[0].islower() and lower.isalpha()


def _bare(lower: str) -> str:
    return lower.rstrip(".")


def _cue_word(lower: str) -> tuple[_CueWord | None, str | None]:
    """The cue word of a token, and the pronoun of a French inversion ("dit-il")."""
    word = _CUE_WORDS.get(lower)
    if word is not None:
        return word, None
    if "-" in lower:
        parts = lower.replace("-t-", "-").split("-")
        if len(parts) == 2 and parts[1] in _FRENCH_SUBJECT_PRONOUNS:
            return _CUE_WORDS.get(parts[0]), parts[1]
    return None, None


def _cue_at(context: _Context, index: int, end: int) -> _Cue | None:
    """A cue verb group at token INDEX (before token END), or None."""
    lowers = context.token_lowers
    lower = lowers[index]
    if lower == "according" and index + 1 < end and lowers[index + 1] == "to":
        return _Cue(index, index, index + 1, _ACCORDING, _PAST)
    if lower in ("selon", "d'après", "d’après"):
        return _Cue(index, index, index, _ACCORDING, _PAST)
    # French compound past: "a déclaré", "a également ajouté", "a-t-il dit".
    auxiliary, pronoun = lower, None
    if "-" in lower:
        parts = lower.replace("-t-", "-").split("-")
        if len(parts) == 2 and parts[1] in _FRENCH_SUBJECT_PRONOUNS:
            auxiliary, pronoun = parts
    if auxiliary in _FRENCH_AUXILIARIES and context.language != "en":
        following = index + 1
        if following < end and lowers[following] in _FRENCH_ADVERBS_AFTER_AUXILIARY:
            following += 1
        if following < end:
            participle = _CUE_WORDS.get(lowers[following])
            if participle is not None and participle.french and participle.form == _PAST:
                return _Cue(index, following, following, participle.cue_class, _PAST, pronoun)
    if lower in _PHRASAL_CUES and index + 1 < end and lowers[index + 1] == _PHRASAL_CUES[lower][0]:
        _, cue_class, form = _PHRASAL_CUES[lower]
        return _Cue(index, index, index + 1, cue_class, form)
    word, pronoun = _cue_word(lower)
    if word is None:
        return None
    if word.form == _BASE and not _finite_base(context, index):
        return None
    if word.form == _PAST and word.french and pronoun is None:
        return None  # a bare French participle ("le texte déclaré") is no cue without its auxiliary
    return _Cue(index, index, index, word.cue_class, word.form, pronoun)


def _finite_base(context: _Context, index: int) -> bool:
    """A base form used as a finite verb: "officials say", "they argue", "would now ask"."""
    lowers = context.token_lowers
    for back in (1, 2):
        if index - back >= 0 and lowers[index - back] in _MODAL_BEFORE_BASE:
            return back == 1 or _skippable(context, index - 1)
    if context.verb_positions is not None:
        return context.is_verb(index)
    previous = lowers[index - 1] if index > 0 else ""
    return previous in ("they", "we", "i", "you") or (previous.endswith("s") and not previous.endswith("'s"))


def _with_auxiliaries(context: _Context, cue: _Cue, lowest: int) -> _Cue:
    first = cue.first
    while first - 1 >= lowest and context.token_lowers[first - 1] in ("has", "had", "have", "will", "would"):
        first -= 1
    return _Cue(first, cue.verb, cue.last, cue.cue_class, cue.form, cue.inverted_pronoun)


def _cue_text(context: _Context, cue: _Cue, end: int, leading_medium: str | None = None) -> str:
    """The cue as read: "said", "told Politico", "said in a statement", "wrote in a Telegram post".

    After the verb: the addressee of a TELL verb, then a phrase naming the medium ("in his nightly
    video address", "on Telegram"); a time phrase ("on Sunday") is not part of the cue.
    """
    words = [_strip_inverted_pronoun(context.span_text(cue.first, cue.last))]
    index = cue.last + 1
    if cue.cue_class == _TELL and index < end and not _is_complementizer(context, index):
        addressee_end = _phrase_end(context, index, end)
        if addressee_end > index:
            words.append(context.span_text(index, addressee_end - 1))
            index = addressee_end
    medium_end = _medium_phrase_end(context, index, end)
    if medium_end > index:
        words.append(context.span_text(index, medium_end - 1))
    if leading_medium:
        words.append(leading_medium)
    return " ".join(words)


def _strip_inverted_pronoun(cue: str) -> str:
    """French "a-t-il déclaré" -> "a déclaré", "ajoute-t-elle" -> "ajoute"."""
    words = []
    for word in cue.split():
        parts = word.replace("-t-", "-").split("-")
        words.append(parts[0] if len(parts) == 2 and parts[1].lower() in _FRENCH_SUBJECT_PRONOUNS else word)
    return " ".join(words)


def _phrase_end(context: _Context, index: int, end: int, limit: int = 8) -> int:
    """End (exclusive) of a short noun phrase starting at INDEX."""
    texts, lowers = context.token_texts, context.token_lowers
    stop = index
    while stop < end and stop - index < limit:
        token = texts[stop]
        if not (token[0].isalnum() or token in ("-", "&", "/")) or lowers[stop] in _PHRASE_BREAKERS:
            break
        if stop > index and (_cue_word(lowers[stop])[0] is not None or context.is_verb(stop)):
            break
        stop += 1
    return stop


def _speaker_phrase_end(context: _Context, index: int, end: int) -> int:
    """End of the speaker phrase after a cue, with an apposition that names the person
    ("a déclaré le ministre des Affaires étrangères, Andrii Sybiha")."""
    stop = _phrase_end(context, index, end, limit=12)
    if stop < end - 1 and context.token_texts[stop] == ",":
        apposition_end = _phrase_end(context, stop + 1, end, limit=6)
        if apposition_end > stop + 1:
            names = context.mentions_in(
                context.token_starts[stop + 1], context.token_ends[apposition_end - 1]
            )
            if any(m.type == EntityType.PERSON for m in names):
                return apposition_end
    return stop


def _medium_phrase_end(context: _Context, index: int, end: int) -> int:
    """End of a prepositional phrase naming a medium ("in a statement", "on X"), or INDEX."""
    lowers = context.token_lowers
    if index >= end or lowers[index] not in (
        "in",
        "on",
        "during",
        "at",
        "via",
        "through",
        "dans",
        "sur",
        "lors",
    ):
        return index
    stop = index + 1
    medium_at = -1
    while stop < end and stop - index <= 8:
        if not context.token_texts[stop][0].isalnum() or (
            stop > index + 1 and lowers[stop] in _PHRASE_BREAKERS
        ):
            break
        if lowers[stop] in _MEDIUM_WORDS:
            medium_at = stop
        stop += 1
    if medium_at < 0:
        return index
    return stop if stop - medium_at <= 3 else medium_at + 1


def _is_complementizer(context: _Context, index: int) -> bool:
    lower = context.token_lowers[index]
    return lower in _COMPLEMENTIZERS or lower.startswith(("qu'", "qu’"))


# ---------------------------------------------------------------- speaker phrases


def _resolve_speaker(context: _Context, first: int, last: int) -> _Speaker | None:
    """The speaker named by tokens FIRST..LAST (inclusive), resolved to an entity where possible."""
    texts, lowers = context.token_texts, context.token_lowers
    while first <= last and not texts[first][0].isalnum():
        first += 1
    while last >= first and (not texts[last][0].isalnum() or _skippable(context, last)):
        last -= 1
    if first > last:
        return None
    # Appositions ("Umerov, the chief negotiator,") and inserted clauses: keep the head chunk.
    if any(texts[index] in _CHUNK_BREAKS for index in range(first, last + 1)):
        head = _head_chunk(context, first, last)
        if head is None:
            return None
        first, last = head
    while last > first and _skippable(context, last):
        last -= 1
    # A leading time or place phrase is not part of the speaker ("on Sunday the minister").
    if lowers[first] in _PREPOSITIONS and first < last:
        determiners = [
            i for i in range(first + 1, last + 1) if lowers[i] in _DETERMINERS or texts[i][0].isupper()
        ]
        if determiners:
            first = determiners[-1] if lowers[determiners[-1]] in _DETERMINERS else determiners[0]
    span = (context.token_starts[first], context.token_ends[last])
    phrase = context.span_text(first, last)
    if first == last and lowers[first] in _PERSON_PRONOUNS:
        return _Speaker(None, None, phrase, span, 0.85, pending_gender=_PERSON_PRONOUNS[lowers[first]])
    if first == last and lowers[first] in _ORGANISATION_PRONOUNS:
        return _speaker_from(context, _resolve_organisation_pronoun(context, span[0]), phrase, span, 0.75)
    if first == last and lowers[first] in _OTHER_PRONOUNS:
        return _Speaker(None, None, phrase, span, 0.5)
    if last - first >= 12:
        return None  # too long to be a speaker phrase: the frame matched something else
    mentions = [m for m in context.mentions_in(span[0], span[1]) if m.form != MentionForm.PRONOUN]
    people = [m for m in mentions if m.type == EntityType.PERSON and not context.possessive(m)]
    if people:
        return _speaker_from(context, people[-1], phrase, span, 0.95)
    spokesperson = _bare(lowers[last]) in _SPOKESPERSON_HEADS
    others = [
        m for m in mentions if m.type != EntityType.PERSON and (spokesperson or not context.possessive(m))
    ]
    if others and (spokesperson or others[-1].end >= span[1] - 1 or len(mentions) == 1):
        return _speaker_from(context, others[-1], phrase, span, 0.85)
    # No mention: a name the entity stage linked elsewhere ("Mr Umerov"), or a title seen with someone.
    for index in range(last, first - 1, -1):
        if texts[index][:1].isupper() and _bare(lowers[index]) not in _HONORIFICS and index > first - 1:
            mention = _person_by_name(context, lowers[index], span[0])
            if mention is not None:
                return _speaker_from(context, mention, phrase, span, 0.8)
    if lowers[first] in ("the", "le", "la", "l'", "l’") and last - first <= 3 and texts[last][0].isalpha():
        mention = _person_by_title(context, lowers[last], span[0])
        if mention is not None:
            return _speaker_from(context, mention, phrase, span, 0.75)
    return _Speaker(None, None, phrase, span, 0.6)


_CHUNK_BREAKS = _word_set(", ( — –")


def _head_chunk(context: _Context, first: int, last: int) -> tuple[int, int] | None:
    """The chunk of a comma-separated speaker phrase that names the speaker.

    Chunks that open like an apposition or an inserted clause ("the chief negotiator", "who met
    Trump", "47", "wearing a hat", "after winning Ohio") are set aside; of the rest, the first one
    naming a person wins ("Tuesday in Berea, after winning Ohio, Gov. John Kasich (R-OH)"), else the
    first ("the foreign minister, Andrii Sybiha" keeps the name because the role chunk is set aside).
    """
    texts = context.token_texts
    chunks: list[tuple[int, int]] = []
    start, depth = first, 0
    for index in range(first, last + 2):
        token = texts[index] if index <= last else ","
        if token == "(":
            depth += 1
        elif token == ")" and depth:
            depth -= 1
        elif (depth == 0 and token in _CHUNK_BREAKS) or index > last:
            if index > start:
                chunks.append((start, index - 1))
            start = index + 1
    chunks = [(a, _before_parenthesis(context, a, b)) for a, b in chunks]
    chunks = [(a, b) for a, b in chunks if b >= a]
    heads = [(a, b) for a, b in chunks if not _apposition_opener(context, a)]
    for a, b in heads:
        span_start, span_end = context.token_starts[a], context.token_ends[b]
        if any(
            m.type == EntityType.PERSON and not context.possessive(m)
            for m in context.mentions_in(span_start, span_end)
        ):
            return a, b
    if heads:
        return heads[0]
    return chunks[0] if chunks else None


def _before_parenthesis(context: _Context, first: int, last: int) -> int:
    for index in range(first, last + 1):
        if context.token_texts[index] == "(":
            return index - 1
    return last


def _apposition_opener(context: _Context, index: int) -> bool:
    lower, token = context.token_lowers[index], context.token_texts[index]
    if (
        lower in _DETERMINERS
        or lower in _PARTICIPIAL_OPENERS
        or lower in _PREPOSITIONS
        or lower in _CLAUSE_OPENERS
    ):
        return True
    if token[0].isdigit() or not token[0].isalnum() or lower.endswith(("'s", "’s")):
        return True  # "47", "Ukraine's chief negotiator"
    return token[0].islower() and lower.endswith(("ing", "ed")) and len(lower) > 4


def _speaker_from(
    context: _Context, mention: EntityMention | None, phrase: str, span: tuple[int, int], confidence: float
) -> _Speaker:
    if mention is None:
        return _Speaker(None, None, phrase, span, confidence * 0.6)
    entity = context.entity_by_key.get(mention.entity)
    return _Speaker(mention.entity, entity.name if entity else mention.text, phrase, span, confidence)


def _noun_phrase_start(context: _Context, end: int, lowest: int) -> int | None:
    """Start of the noun phrase that ends at token END (the subject right before its verb)."""
    texts, lowers = context.token_texts, context.token_lowers
    if lowers[end] in _ALL_PRONOUNS:
        return end
    index = end
    while index >= lowest and end - index < 14:
        mention = context.mention_covering(context.token_starts[index])
        if mention is not None and mention.start < context.token_starts[index]:
            index = min(bisect.bisect_right(context.token_starts, mention.start) - 1, index - 1)
            continue
        token, lower = texts[index], lowers[index]
        if not (token[0].isalnum() or token in ("-", "&")):
            break
        if lower in _POSSESSIVE_DETERMINERS and index < end:
            index -= 1  # "one of her ads"
            continue
        if lower in _SUBJECT_BREAKERS or lower in _ALL_PRONOUNS or lower in _OBJECT_PRONOUNS:
            break
        if index < end and (
            context.is_verb(index) or lower in _AUXILIARIES or _cue_word(lower)[0] is not None
        ):
            break
        index -= 1
    return index + 1 if index < end else None


def _clause_start(context: _Context, lowest: int, stop: int) -> int | None:
    """The first token of a clause's subject, after leading adverbials ("In a 1963 speech,", "When
    asked about it,", "Speaking in Kyiv,") and a leading conjunction."""
    texts, lowers = context.token_texts, context.token_lowers
    index = lowest
    while index < stop and not texts[index][0].isalnum():
        index += 1
    while index < stop and (lowers[index] in _PREPOSITIONS or lowers[index] in _CLAUSE_OPENERS):
        comma = next((i for i in range(index + 1, stop) if texts[i] == ","), None)
        if comma is None:
            return None
        if lowers[index] == "as" and not any(context.is_verb(i) for i in range(index + 1, comma)):
            return index + 1  # "As Steven Rosenthal, a tax lawyer, put it": the subject follows "as"
        index = comma + 1
    if index < stop and lowers[index] in _CONJUNCTIONS:
        index += 1
    return index if index < stop else None


def _clause_subject(context: _Context, lowest: int, stop: int) -> tuple[int, int] | None:
    """The subject noun phrase of the clause that starts at token LOWEST.

    With a tagger: the noun phrase right before the clause's first finite verb ("Hours later,
    Trump returned ..."). Otherwise, or when an apposition stands before that verb: the words from
    the clause start up to the first comma or verb.
    """
    texts, lowers = context.token_texts, context.token_lowers
    clause_start = _clause_start(context, lowest, stop)
    if clause_start is None:
        return None
    if context.verb_positions is not None:
        lowest = clause_start
        for index in range(lowest + 1, stop):
            if context.inside_quote(context.token_starts[index]) or not context.is_verb(index):
                continue
            end = index - 1
            while end > lowest and _skippable(context, end):
                end -= 1
            if texts[end] not in (",", ")"):
                start = _noun_phrase_start(context, end, lowest)
                if start is not None and lowers[start] not in _PREPOSITIONS:
                    return start, end
            break
    index = end = clause_start
    while end < stop and end - index < 14:
        token, lower = texts[end], lowers[end]
        if token in (",", ";", ":", "(") or context.is_quote_mark(end):
            break
        mention = context.mention_covering(context.token_starts[end])
        if mention is not None:
            end = max(context.token_at(mention.end), end + 1)
            continue
        if end > index and (
            lower in _SUBJECT_BREAKERS or lower in _AUXILIARIES or context.is_verb(end) or _cue_word(lower)[0]
        ):
            break
        end += 1
    if end == index:
        return None
    return index, end - 1


def _subject_before(context: _Context, cue: _Cue, lowest: int) -> tuple[_Speaker | None, str | None] | None:
    """The subject of a cue verb, read backwards to the clause start; and a leading medium phrase.

    "In a Telegram post, Zelensky wrote" gives Zelensky and "in a Telegram post"; "Umerov, the
    chief negotiator, said" gives Umerov; "the congressman who ... when he yelled" gives "he".
    """
    texts, lowers = context.token_texts, context.token_lowers
    end = cue.first - 1
    while end >= lowest and _skippable(context, end):
        end -= 1
    if end < lowest:
        return None
    medium = _leading_medium(context, lowest, end)
    if texts[end] == ")":
        # "Rep. Paul Ryan (R-WI) said": step over the parenthesis.
        opening = next((i for i in range(end - 1, max(lowest - 1, end - 12), -1) if texts[i] == "("), None)
        if opening is None or opening - 1 < lowest:
            return None
        end = opening - 1
    if texts[end] == ",":
        # "Umerov, the chief negotiator, said" / "her adviser, Jake Sullivan, said" / "Zelensky, who met
        # Trump on Sunday, said": the phrase from the clause start, appositions and all.
        start = _clause_start(context, lowest, end)
        if start is None or end - start > 40:
            return None
        return _resolve_speaker(context, start, end - 1), medium
    if lowers[end] in _CONJUNCTIONS:
        # "He then adopted a Southern accent and joked": the subject of the first verb.
        subject = _clause_subject(context, lowest, end)
        if subject is None:
            return None
        return _resolve_speaker(context, *subject), medium
    if lowers[end] in ("who", "qui") and end - 1 > lowest and texts[end - 1] == ",":
        end -= 2  # "Stevie Wonder, who joked of the museum,": the person before "who"
        while end > lowest and texts[end] == ")":
            end -= 1
    start = _noun_phrase_start(context, end, lowest)
    if start is None:
        return None
    if lowers[start] in _PREPOSITIONS and start == end:
        return None
    speaker = _resolve_speaker(context, start, end)
    if speaker is None:
        return None
    return speaker, medium


def _leading_medium(context: _Context, lowest: int, end: int) -> str | None:
    """A leading phrase naming the medium: "In a Telegram post, Zelensky wrote"."""
    texts, lowers = context.token_texts, context.token_lowers
    if lowest > end or lowers[lowest] not in _PREPOSITIONS:
        return None
    comma = next((i for i in range(lowest + 1, min(end + 1, lowest + 10)) if texts[i] == ","), None)
    if comma is None or not any(lowers[i] in _MEDIUM_WORDS for i in range(lowest, comma)):
        return None
    medium = context.span_text(lowest, comma - 1)
    return medium[:1].lower() + medium[1:]


def _pronoun_speaker(context: _Context, token: int, pronoun: str) -> _Speaker:
    span = (context.token_starts[token], context.token_ends[token])
    if pronoun in _PERSON_PRONOUNS:
        return _Speaker(None, None, pronoun, span, 0.85, pending_gender=_PERSON_PRONOUNS[pronoun])
    return _Speaker(None, None, pronoun, span, 0.5)


# ---------------------------------------------------------------- entities behind speaker phrases


def _antecedents(context: _Context, position: int, window: int = 4000) -> Iterator[EntityMention]:
    """Mentions before POSITION, nearest first, outside quotation marks."""
    index = bisect.bisect_left(context.mention_starts, position) - 1
    while index >= 0:
        mention = context.mention_list[index]
        if mention.start < position - window:
            return
        if mention.end <= position and not context.inside_quote(mention.start):
            yield mention
        index -= 1


def _resolve_organisation_pronoun(context: _Context, position: int) -> EntityMention | None:
    for mention in _antecedents(context, position, window=1500):
        if mention.type == EntityType.ORGANISATION:
            return mention
        if mention.type == EntityType.PERSON:
            return None  # "it said" right after a person: no organisation we can name
    return None


def _person_by_name(context: _Context, word: str, position: int) -> EntityMention | None:
    word = _bare(word).removesuffix("'s").removesuffix("’s")
    if len(word) < 2:
        return None
    candidates = list(_antecedents(context, position, window=len(context.text)))
    candidates += [m for m in context.mention_list if m.start >= position]
    for mention in candidates:
        entity = context.entity_by_key.get(mention.entity)
        if mention.type != EntityType.PERSON:
            continue
        names = [mention.text, *((entity.name, *entity.aliases) if entity else ())]
        if any(word in name.lower().split() for name in names):
            return mention
    return None


def _person_by_title(context: _Context, head: str, position: int) -> EntityMention | None:
    titles = _titles(context)
    for mention in _antecedents(context, position):
        if mention.type == EntityType.PERSON and head in titles.get(mention.entity, ()):
            return mention
    return None


def _titles(context: _Context) -> dict[str, set[str]]:
    """Title and role words seen with each person: "Defence Minister Umerov", "Umerov, the negotiator,"."""
    if context.titles is not None:
        return context.titles
    titles: dict[str, set[str]] = {}
    for entity in context.entities:
        if entity.type == EntityType.PERSON:
            titles[entity.key] = {word.lower() for role in entity.roles for word in role.split()}
    texts = context.token_texts
    for mention in context.mention_list:
        if mention.type != EntityType.PERSON:
            continue
        words = titles.setdefault(mention.entity, set())
        words.update(word.lower() for word in mention.text.split()[:-1])
        before = context.token_at(mention.start) - 1
        while (
            before >= 0 and mention.start - context.token_starts[before] < 60 and _title_word(context, before)
        ):
            words.add(_bare(context.token_lowers[before]))
            before -= 1
        after = context.token_at(mention.end)
        if after + 1 < len(texts) and texts[after] == ",":
            index = after + 1
            while index < len(texts) and index - after < 8 and texts[index][0].isalnum():
                words.add(context.token_lowers[index])
                index += 1
    context.titles = titles
    return titles


def _title_word(context: _Context, index: int) -> bool:
    """A word that can be part of a title right before a name ("Defence Minister", "press secretary")."""
    lower = context.token_lowers[index]
    if not context.token_texts[index][0].isalpha() or lower in _TITLE_STOP_WORDS:
        return False
    return not context.is_verb(index) and _cue_word(lower)[0] is None


_TITLE_STOP_WORDS = (
    _DETERMINERS | _PREPOSITIONS | _SUBJECT_BREAKERS | _ALL_PRONOUNS | _OBJECT_PRONOUNS | _AUXILIARIES
)


def _gender(context: _Context, key: str) -> str | None:
    if context.genders is None:
        context.genders = _infer_genders(context)
    return context.genders.get(key)


def _infer_genders(context: _Context) -> dict[str, str | None]:
    """Gender evidence per person: honorifics and gendered role words beside the name, then the
    pronouns used in sentences where that person is the only one named."""
    votes: dict[str, list[float]] = {}
    for mention in context.mention_list:
        if mention.type != EntityType.PERSON:
            continue
        tally = votes.setdefault(mention.entity, [0.0, 0.0])
        before = context.token_at(mention.start) - 1
        nearby = [_bare(word.lower()) for word in mention.text.split()[:1]]
        nearby += [_bare(context.token_lowers[i]) for i in range(max(before - 1, 0), before + 1)]
        for word in nearby:
            tally[0] += 3 * (word in _MALE_WORDS)
            tally[1] += 3 * (word in _FEMALE_WORDS)
    for entity in context.entities:
        if entity.type == EntityType.PERSON:
            tally = votes.setdefault(entity.key, [0.0, 0.0])
            for word in (w.lower() for role in entity.roles for w in role.split()):
                tally[0] += 2 * (word in _MALE_WORDS)
                tally[1] += 2 * (word in _FEMALE_WORDS)
            given = entity.name.split()[0].lower() if entity.name.split() else ""
            tally[0] += 1.5 * (given in _MALE_GIVEN_NAMES)
            tally[1] += 1.5 * (given in _FEMALE_GIVEN_NAMES)
    people_by_sentence: dict[int, set[str]] = {}
    first_end: dict[int, int] = {}
    for mention in context.mention_list:
        if mention.type == EntityType.PERSON and not context.inside_quote(mention.start):
            sentence = context.sentence_index(mention.start)
            people_by_sentence.setdefault(sentence, set()).add(mention.entity)
            first_end.setdefault(sentence, mention.end)
    for sentence, people in people_by_sentence.items():
        if len(people) != 1:
            continue
        (key,) = people
        for index in context.tokens_between(first_end[sentence], context.sentences[sentence].end):
            word = context.token_lowers[index]
            gendered = word in _MALE_PRONOUNS or word in _FEMALE_PRONOUNS
            if gendered and not context.inside_quote(context.token_starts[index]):
                votes[key][0 if word in _MALE_PRONOUNS else 1] += 1
    return {
        key: "m" if male > female else "f" if female > male else None for key, (male, female) in votes.items()
    }


# ---------------------------------------------------------------- attribution frames


def _after_quote(context: _Context, start: int, end: int, next_sentence: bool) -> _Attribution | None:
    """An attribution right after a quote: ', Zelensky said', ', said Mr Umerov', ', according to X'."""
    tokens = context.tokens_between(start, end)
    texts = context.token_texts
    index, stop = tokens.start, tokens.stop
    while index < stop and (texts[index] in (",", "—", "–", "-", "(") or context.is_quote_mark(index)):
        index += 1
    if index >= stop or context.token_lowers[index] in _CONJUNCTIONS:
        return None  # "... and said": the quote is the object of a verb before it
    cue = _cue_at(context, index, stop)
    if cue is None and _unlisted_cue(context, index, stop) and index + 1 < stop:
        # '"This is fantastic!" beamed Donald Hartley': an unlisted verb, then the person.
        following = context.mentions_in(
            context.token_starts[index + 1], context.token_ends[min(stop, index + 6) - 1]
        )
        if following and following[0].type == EntityType.PERSON:
            cue = _Cue(index, index, index, _FRAME, _PAST)
    if cue is not None and cue.form != _GERUND and cue.cue_class != _TELL:
        # Cue first: "said Zelensky", "according to Umerov", "a déclaré le ministre", "a-t-il ajouté".
        if cue.inverted_pronoun is not None:
            return _Attribution(
                _pronoun_speaker(context, cue.first, cue.inverted_pronoun), cue, _cue_text(context, cue, stop)
            )
        phrase_start = cue.last + 1
        phrase_end = _speaker_phrase_end(context, phrase_start, stop)
        if phrase_end == phrase_start:
            return None
        speaker = _resolve_speaker(context, phrase_start, phrase_end - 1)
        if speaker is None:
            return None
        cue_string = _cue_text(context, cue, phrase_start)
        medium_end = _medium_phrase_end(context, phrase_end, stop)
        if medium_end > phrase_end:
            cue_string += " " + context.span_text(phrase_end, medium_end - 1)
        if next_sentence and not _only_adjuncts(context, medium_end, stop):
            return None
        return _Attribution(speaker, cue, cue_string)
    # Subject first: "Zelensky said", "the minister told reporters", "Mr Umerov, the negotiator, said".
    if context.token_lowers[index] in _PREPOSITIONS or context.token_lowers[index] in _CLAUSE_OPENERS:
        return None
    first_comma = next((i for i in range(index + 1, min(stop, index + 7)) if texts[i] == ","), None)
    limit = min(stop, index + (40 if first_comma is not None else 16))
    for verb_index in range(index + 1, limit):
        token = texts[verb_index]
        if context.ends_sentence(verb_index) or token == ":":
            return None
        if context.is_quote_mark(verb_index) or context.inside_quote(context.token_starts[verb_index]):
            if first_comma is None:
                return None
            continue  # a quoted name inside an apposition: 'Bill Eastland, wearing "Ted Cruz" pins, said'
        cue = _cue_at(context, verb_index, stop)
        if cue is None and verb_index - index <= 6 and _unlisted_cue(context, verb_index, stop):
            cue = _Cue(verb_index, verb_index, verb_index, _FRAME, _PAST)
        if cue is None:
            own_clause = context.is_verb(verb_index) and texts[verb_index - 1] != ","
            if (
                own_clause
                and token.lower() not in _AUXILIARIES
                and (first_comma is None or verb_index < first_comma)
            ):
                return None  # the words after the quote are a clause of their own
            continue
        if cue.form == _GERUND:
            return None
        head_end = first_comma if first_comma is not None and first_comma < verb_index else verb_index
        if any(context.token_lowers[i] in _SUBJECT_BREAKERS for i in range(index, head_end)):
            return None  # "moments after polls closed": not a speaker phrase
        if not _opens_noun_phrase(context, index) and not context.mentions_in(
            context.token_starts[index], context.token_ends[head_end - 1]
        ):
            return None  # "often in his campaign": no noun phrase; "reporter Jackie Nespral" names one
        speaker = _resolve_speaker(context, index, verb_index - 1)
        if speaker is None:
            return None
        cue = _with_auxiliaries(context, cue, index)
        if next_sentence and not _only_adjuncts(context, _cue_end(context, cue, stop), stop):
            return None  # '"..." The star then recalled an incident': a sentence of its own
        return _Attribution(speaker, cue, _cue_text(context, cue, stop))
    return None


def _opens_noun_phrase(context: _Context, index: int) -> bool:
    """A capitalised word, a determiner, a pronoun, a number or a mention: how a subject can start."""
    token, lower = context.token_texts[index], context.token_lowers[index]
    if lower in _PREPOSITIONS or lower in _CLAUSE_OPENERS or lower in _CONJUNCTIONS:
        return False
    if token[0].isupper() or token[0].isdigit() or lower in _DETERMINERS or lower in _ALL_PRONOUNS:
        return True
    return context.mention_covering(context.token_starts[index]) is not None


def _cue_end(context: _Context, cue: _Cue, stop: int) -> int:
    """The token after a cue group, its addressee and medium phrase."""
    index = cue.last + 1
    if cue.cue_class == _TELL and index < stop and not _is_complementizer(context, index):
        index = _phrase_end(context, index, stop)
    return _medium_phrase_end(context, index, stop)


def _only_adjuncts(context: _Context, index: int, stop: int) -> bool:
    """Whether tokens INDEX..STOP are at most a short adjunct ("on Sunday", "in 2008") and punctuation."""
    words = [i for i in range(index, stop) if context.token_texts[i][0].isalnum()]
    if not words:
        return True
    if len(words) > 8 or context.token_lowers[words[0]] not in _ADJUNCT_OPENERS:
        return False
    return not any(context.is_verb(i) for i in words)


_AFTER_UNLISTED_CUE = _PREPOSITIONS | _CONJUNCTIONS | _word_set("out back up in again")


def _unlisted_cue(context: _Context, verb: int, stop: int) -> bool:
    """A finite verb not in the lexicon right after a short subject that follows a quote ("Trump barked")."""
    lower = context.token_lowers[verb]
    if context.verb_positions is None or lower in _AUXILIARIES:
        return False
    if not context.is_verb(verb) and context.token_starts[verb] not in context.participle_positions:
        return False
    following = verb + 1
    if following >= stop or not context.token_texts[following][0].isalnum():
        return True
    return context.token_lowers[following] in _AFTER_UNLISTED_CUE


def _before_quote(context: _Context, start: int, end: int, partial: bool) -> _Attribution | None:
    """An attribution that introduces a quote: 'Zelensky said:', 'In a post, he wrote:', ', saying:',
    'called it "x"', 'Cruz hit back:', and the headline 'Trump: ‘...’'."""
    tokens = context.tokens_between(start, end)
    if not tokens:
        return None
    texts = context.token_texts
    lowest = tokens.start
    for index in range(tokens.stop - 1, tokens.start - 1, -1):
        if context.ends_sentence(index) or context.is_quote_mark(index):
            lowest = index + 1
            break
    if texts[tokens.stop - 1] == ":" and tokens.stop - 1 > lowest:
        named = _name_before_colon(context, lowest, tokens.stop - 1)
        if named is not None:
            return named  # "Pollsters agree - Carl Bialik:"
    for verb_index in range(tokens.stop - 1, lowest - 1, -1):
        cue = _cue_at(context, verb_index, tokens.stop)
        if cue is None:
            continue
        between = tokens.stop - cue.last - 1
        if (cue.cue_class == _EVALUATIVE and not partial) or (cue.cue_class == _FRAME and between > 6):
            continue
        if cue.cue_class == _ACCORDING:
            phrase_end = _phrase_end(context, cue.last + 1, tokens.stop, limit=12)
            if phrase_end == cue.last + 1:
                continue
            speaker = _resolve_speaker(context, cue.last + 1, phrase_end - 1)
            return _Attribution(speaker, cue, context.span_text(cue.first, cue.last))
        if cue.inverted_pronoun is not None:
            speaker = _pronoun_speaker(context, cue.first, cue.inverted_pronoun)
            return _Attribution(speaker, cue, _cue_text(context, cue, tokens.stop))
        if cue.cue_class != _EVALUATIVE and cue.form != _GERUND:
            after = _speaker_after_cue(context, cue, lowest, tokens.stop)
            if after is not None:
                return after
        if cue.form == _GERUND:
            # ", saying:", "by saying", "telling Reuters,": the subject of the clause it hangs on;
            # "with Trump reportedly yelling:": the noun phrase after "with".
            absolute = _absolute_subject(context, cue, lowest)
            if absolute is not None:
                return _Attribution(
                    _resolve_speaker(context, *absolute), cue, _cue_text(context, cue, tokens.stop)
                )
            sentence_start = context.token_at(context.sentences[context.sentence_index(start)].start)
            subject = _clause_subject(context, min(lowest, sentence_start), cue.first)
            if subject is None:
                return None
            return _Attribution(
                _resolve_speaker(context, *subject), cue, _cue_text(context, cue, tokens.stop)
            )
        found = _subject_before(context, cue, lowest)
        if found is None:
            continue
        speaker, medium = found
        cue = _with_auxiliaries(context, cue, lowest)
        return _Attribution(speaker, cue, _cue_text(context, cue, tokens.stop, medium))
    if texts[tokens.stop - 1] in (":", ","):
        return _punctuation_frame(context, lowest, tokens.stop - 1)
    return None


def _absolute_subject(context: _Context, cue: _Cue, lowest: int) -> tuple[int, int] | None:
    end = cue.first - 1
    while end >= lowest and _skippable(context, end):
        end -= 1
    if end < lowest or not context.token_texts[end][0].isalnum():
        return None
    start = _noun_phrase_start(context, end, lowest)
    if start is None or start - 1 < lowest or context.token_lowers[start - 1] != "with":
        return None
    return start, end


def _speaker_after_cue(context: _Context, cue: _Cue, lowest: int, stop: int) -> _Attribution | None:
    """A speaker named after its cue before a quote: 'Said Dorothy Poynter, ...: "..."' or the passive
    'Sanders was asked by host Bill Maher, "..."'."""
    lowers = context.token_lowers
    phrase_start = None
    if cue.first == lowest or (cue.first == lowest + 1 and lowers[lowest] in _CONJUNCTIONS):
        phrase_start = cue.last + 1
    elif (
        lowers[cue.first - 1] in _PASSIVE_AUXILIARIES and cue.last + 1 < stop and lowers[cue.last + 1] == "by"
    ):
        phrase_start = cue.last + 2
    if phrase_start is None or phrase_start >= stop:
        return None
    phrase_end = _speaker_phrase_end(context, phrase_start, stop)
    if phrase_end == phrase_start:
        return None
    speaker = _resolve_speaker(context, phrase_start, phrase_end - 1)
    if speaker is None:
        return None
    return _Attribution(speaker, cue, context.span_text(cue.first, cue.last))


def _name_before_colon(context: _Context, lowest: int, colon: int) -> _Attribution | None:
    """A name introducing a quote by a colon: "... - Michael P. McDonald:", "Pew Research:", or a
    headline "Gillibrand on Hillary’s transcripts: ‘I think she will’"."""
    mention = context.mention_covering(context.token_starts[colon - 1])
    if mention is not None and mention.type != EntityType.PLACE:
        first = bisect.bisect_right(context.token_starts, mention.start) - 1
        before = context.token_lowers[first - 1] if first - 1 >= lowest else ""
        if first <= lowest or before in ("-", "—", "–", "from", "by", "and"):
            speaker = _resolve_speaker(context, first, colon - 1)
            if speaker is not None:
                return _Attribution(speaker, None, None)
    opening = context.mention_covering(context.token_starts[lowest])
    if opening is not None and opening.type == EntityType.PERSON:
        after = context.token_at(opening.end)
        if after < colon and context.token_lowers[after] in ("on", "to", "about"):
            speaker = _resolve_speaker(context, lowest, after - 1)
            if speaker is not None:
                return _Attribution(speaker, None, None)
    return None


def _punctuation_frame(context: _Context, lowest: int, mark: int) -> _Attribution | None:
    """A colon or comma introducing a quote with no cue word: "Trump leaned in and boomed:",
    "Hillary shot back,", or a headline "Trump: ‘...’"."""
    if mark <= lowest:
        return None
    if context.token_texts[mark] == ":":
        named = _name_before_colon(context, lowest, mark)
        if named is not None:
            return named
    subject = _clause_subject(context, lowest, mark)
    if subject is None:
        return None
    first, last = subject
    if last == mark - 1:
        if context.token_texts[mark] != ":" or mark - lowest > 6:
            return None
        speaker = _resolve_speaker(context, first, last)
        if speaker is not None and speaker.key is not None:
            return _Attribution(speaker, None, None)  # a headline: "Kasich: ‘We are going all the way’"
        return None
    if context.verb_positions is None:
        return None
    # The cue is the verb group after the subject up to the mark ("is rolling out a new message",
    # "leaned in and boomed"); after a comma only a verb and a particle ("shot back,").
    reach = 10 if context.token_texts[mark] == ":" else 3
    verb = next((i for i in range(last + 1, mark) if context.is_verb(i)), None)
    if verb is None or mark - verb > reach:
        return None
    if context.token_texts[mark] == "," and any(
        not context.token_texts[i][0].isalnum() for i in range(last + 1, mark)
    ):
        return None
    speaker = _resolve_speaker(context, first, last)
    if speaker is None:
        return None
    cue = _Cue(verb, verb, mark - 1, _FRAME, _PAST)
    return _Attribution(speaker, cue, context.span_text(verb, mark - 1))


# ---------------------------------------------------------------- direct and partial quotes


def _attribute_segments(context: _Context, segments: list[_Segment]) -> list[_Found]:
    text = context.text
    found: list[_Found] = []
    by_segment: dict[int, _Found] = {}
    for number, segment in enumerate(segments):
        para_start, para_end = context.paragraphs[segment.paragraph]
        previous = segments[number - 1] if number > 0 else None
        following = segments[number + 1] if number + 1 < len(segments) else None
        previous_close = (
            previous.close_end if previous and previous.paragraph == segment.paragraph else para_start
        )
        next_open = (
            following.open_start if following and following.paragraph == segment.paragraph else para_end
        )
        sentence_start = context.sentences[context.sentence_index(segment.open_start)].start
        lead_start = max(sentence_start, previous_close, para_start)
        lead = text[lead_start : segment.open_start].rstrip()
        first_char = text[segment.inner_start]
        words = len(_WORD.findall(text, segment.inner_start, segment.inner_end))
        after_previous = previous_close > para_start and lead_start == previous_close
        continuation = segment.continues is not None
        opens_clause = (
            continuation
            or not lead
            or lead[-1] in ":—–.!?"
            or (lead[-1] == "," and (first_char.isupper() or first_char.isdigit() or after_previous))
        )
        starts_upper = first_char.isupper() or first_char.isdigit()
        kind = (
            QuoteKind.DIRECT if opens_clause or (_ends_with_cue(lead) and starts_upper) else QuoteKind.PARTIAL
        )
        item = _Found(
            segment.inner_start,
            segment.inner_end,
            kind,
            context.sentence_index(segment.inner_start),
            segment.paragraph,
            0.9 if segment.closed else 0.6,
        )
        if continuation and segment.continues in by_segment:
            item.continues = by_segment[segment.continues]
        attribution = None
        if segment.closed:
            tail_end, next_sentence = _tail_end(context, segment, next_open, para_end)
            attribution = _after_quote(context, segment.close_end, tail_end, next_sentence)
        if attribution is None and lead:
            attribution = _before_quote(context, lead_start, segment.open_start, kind == QuoteKind.PARTIAL)
        if attribution is None and not lead and segment.paragraph > 0 and not continuation:
            attribution = _colon_in_previous_paragraph(context, segment)
        if attribution is not None:
            _apply(context, item, attribution)
            earlier = found[-1] if found else None
            if (
                earlier is not None
                and item.continues is None
                and earlier.paragraph == item.paragraph
                and earlier.cue_token is not None
                and earlier.cue_token == item.cue_token
            ):
                item.continues = earlier  # '"We are ready," Zelensky said, "but not at any price."'
            if kind == QuoteKind.PARTIAL and attribution.cue and attribution.cue.cue_class == _ACCORDING:
                item.kind = QuoteKind.DIRECT if starts_upper else item.kind
        elif kind == QuoteKind.PARTIAL:
            if words <= 4 and not _cue_in_sentence(context, segment):
                continue  # scare quotes: the so-called "peace plan"
            if _title_case(text[segment.inner_start : segment.inner_end]):
                continue  # a quoted title or name
            item.confidence = 0.4
            # 'Trump has delivered a defense of "New York values," saying...': the sentence's subject.
            subject = _own_sentence_subject(context, sentence_start, segment.open_start)
            if subject is not None:
                item.speaker, item.attributed, item.inherited = subject, True, True
        by_segment[number] = item
        found.append(item)
    return found


def _apply(context: _Context, item: _Found, attribution: _Attribution) -> None:
    item.attributed = True
    item.speaker, item.cue = attribution.speaker, attribution.cue_string
    if attribution.cue is not None:
        cue = attribution.cue
        item.cue_token = cue.verb
        item.cue_span = (context.token_starts[cue.first], context.token_ends[cue.last])


def _tail_end(context: _Context, segment: _Segment, next_open: int, para_end: int) -> tuple[int, bool]:
    """Where the words after a quote that may name its speaker stop: the rest of the sentence, or,
    when the quote ends its sentence, the next sentence of the paragraph ("..." said Mr Umerov.);
    and whether it is that next sentence."""
    index = context.sentence_index(max(segment.close_end - 1, 0))
    end = context.sentences[index].end
    next_sentence = False
    if end <= segment.close_end + 1 and index + 1 < len(context.sentences):
        following = context.sentences[index + 1]
        if following.start < para_end:
            end, next_sentence = following.end, True
            index += 1
    while index + 1 < len(context.sentences) and _ends_with_title(context, end):
        following = context.sentences[index + 1]
        if following.start >= para_end:
            break
        end, index = following.end, index + 1
    return min(max(end, segment.close_end), next_open, para_end), next_sentence


def _ends_with_title(context: _Context, end: int) -> bool:
    """A sentence cut after "Del." or "Gov.": the name follows in the next one."""
    last = bisect.bisect_left(context.token_starts, end) - 1
    return (
        last >= 0
        and _bare(context.token_lowers[last]) in _HONORIFICS
        and context.token_texts[last].endswith(".")
    )


def _ends_with_cue(lead: str) -> bool:
    words = lead.split()
    return bool(words) and _cue_word(words[-1].lower())[0] is not None


def _cue_in_sentence(context: _Context, segment: _Segment) -> bool:
    sentence = context.sentences[context.sentence_index(segment.open_start)]
    for index in context.tokens_between(sentence.start, sentence.end):
        word, _ = _cue_word(context.token_lowers[index])
        if word is not None and word.form != _BASE and not context.inside_quote(context.token_starts[index]):
            return True
    return False


_TITLE_SMALL_WORDS = _word_set("of the a an and in on for to at with de la le les du des")


def _title_case(quoted: str) -> bool:
    words = [word for word in quoted.split() if word[:1].isalpha()]
    if not words or len(words) > 8:
        return False
    return words[0][0].isupper() and all(
        word[0].isupper() or word.lower() in _TITLE_SMALL_WORDS for word in words
    )


def _colon_in_previous_paragraph(context: _Context, segment: _Segment) -> _Attribution | None:
    """'Zelensky said:' closing one paragraph, the quote opening the next."""
    para_start, para_end = context.paragraphs[segment.paragraph - 1]
    if not context.text[para_start:para_end].rstrip().endswith(":"):
        return None
    sentence_start = context.sentences[context.sentence_index(para_end - 1)].start
    return _before_quote(context, max(sentence_start, para_start), para_end, False)


# ---------------------------------------------------------------- reported speech


def _find_reported_speech(context: _Context, quoted: list[_Found]) -> list[_Found]:
    used = {
        item.cue_token for item in quoted if item.kind != QuoteKind.PARTIAL and item.cue_token is not None
    }
    found: list[_Found] = []
    attributed: dict[int, list[_Found]] = {}
    for item in quoted:
        if item.cue_token is not None and item.speaker is not None:
            sentence_of_cue = context.sentence_index(context.token_starts[item.cue_token])
            attributed.setdefault(sentence_of_cue, []).append(item)
    for number, sentence in enumerate(context.sentences):
        if sentence.is_heading:
            continue
        tokens = context.tokens_between(sentence.start, sentence.end)
        # Attributions already read in this sentence: ", adding that ..." hangs on one of them.
        earlier = [item for item in attributed.get(number, ()) if item.cue_token in tokens]
        for index in tokens:
            lower = context.token_lowers[index]
            inverted = "-" in lower and lower.rsplit("-", 1)[-1] in _FRENCH_SUBJECT_PRONOUNS
            if lower not in _CUE_TRIGGERS and not inverted:
                continue
            if index in used or context.inside_quote(context.token_starts[index]):
                continue
            cue = _cue_at(context, index, tokens.stop)
            if cue is None or cue.cue_class in (_FRAME, _EVALUATIVE):
                continue
            reported = _reported_clause(context, sentence, tokens, cue, earlier)
            if reported is not None:
                found.append(reported)
                earlier.append(reported)
    return found


def _reported_clause(
    context: _Context, sentence: Sentence, tokens: range, cue: _Cue, earlier: list[_Found]
) -> _Found | None:
    texts, lowers = context.token_texts, context.token_lowers
    cue_span = (context.token_starts[cue.first], context.token_ends[cue.last])
    if cue.cue_class == _ACCORDING:
        return _according_to(context, sentence, tokens, cue, cue_span)
    if cue.first > tokens.start and lowers[cue.first - 1] in _PASSIVE_AUXILIARIES:
        return None  # "is said to be"
    final = _final_attribution(context, sentence, tokens, cue)
    if final is not None:
        return final
    medium = None
    if cue.form == _GERUND:
        # ", adding that talks would continue": the speaker of the clause this one hangs on.
        if cue.first == tokens.start or texts[cue.first - 1] != ",":
            return None
        speaker = _earlier_speaker(earlier, cue.first)
        if speaker is None:
            return None
    elif cue.inverted_pronoun is not None:
        speaker = _pronoun_speaker(context, cue.first, cue.inverted_pronoun)
    else:
        subject = _subject_before(context, cue, tokens.start)
        if subject is None or subject[0] is None:
            return None
        speaker, medium = subject
        cue = _with_auxiliaries(context, cue, tokens.start)
    index = cue.last + 1
    if cue.cue_class == _TELL and index < tokens.stop and not _is_complementizer(context, index):
        index = _phrase_end(context, index, tokens.stop)
    # Time, place or medium phrases before "that": "said on Sunday that", "told reporters in Kyiv that".
    scan = index
    while scan < tokens.stop and scan - index < 8 and not _is_complementizer(context, scan):
        if context.ends_sentence(scan):
            break
        scan += 1
    if scan < tokens.stop and _is_complementizer(context, scan):
        index = scan
    if index >= tokens.stop or texts[index] in (",", ":") or context.is_quote_mark(index):
        return None
    content_start = context.token_starts[index]
    if _is_complementizer(context, index):
        if lowers[index].startswith(("qu'", "qu’")):
            content_start += 3
        elif index + 1 < tokens.stop:
            content_start = context.token_starts[index + 1]
        else:
            return None
    elif not _looks_like_clause(context, index, tokens.stop):
        return None
    cue_string = _cue_text(context, cue, tokens.stop, medium)
    return _reported(context, content_start, sentence.end, speaker, cue_string, cue_span, cue.verb)


def _according_to(
    context: _Context, sentence: Sentence, tokens: range, cue: _Cue, cue_span: tuple[int, int]
) -> _Found | None:
    texts = context.token_texts
    phrase_start = cue.last + 1
    phrase_end = _phrase_end(context, phrase_start, tokens.stop, limit=12)
    if phrase_end == phrase_start:
        return None
    speaker = _resolve_speaker(context, phrase_start, phrase_end - 1)
    cue_string = context.span_text(cue.first, cue.last)
    opens_sentence = cue.first == tokens.start or (
        cue.first == tokens.start + 1 and _is_conjunction_or_mark(context, tokens.start)
    )
    if opens_sentence:
        if phrase_end < tokens.stop and texts[phrase_end] == ",":
            start = context.token_starts[phrase_end + 1] if phrase_end + 1 < tokens.stop else sentence.end
            return _reported(context, start, sentence.end, speaker, cue_string, cue_span, cue.verb)
        return None
    if texts[cue.first - 1] == ",":
        end = context.token_starts[cue.first - 1]
        return _reported(context, sentence.start, end, speaker, cue_string, cue_span, cue.verb)
    return None


def _is_conjunction_or_mark(context: _Context, index: int) -> bool:
    return context.token_lowers[index] in _CONJUNCTIONS or not context.token_texts[index][0].isalnum()


def _looks_like_clause(context: _Context, index: int, stop: int) -> bool:
    """Whether the words after a cue verb (with no "that") open a reported clause."""
    texts, lowers = context.token_texts, context.token_lowers
    if (
        not texts[index][0].isalnum()
        or lowers[index] in _NOT_A_CLAUSE_START
        or lowers[index] in _PHRASE_BREAKERS
    ):
        return False
    if stop - index < 3:
        return False
    if (
        lowers[index] in _PERSON_PRONOUNS
        or lowers[index] in _OTHER_PRONOUNS
        or lowers[index] in ("it", "there")
    ):
        return True
    # A noun phrase and then a verb within a few words: "talks will continue", "the army had withdrawn".
    for ahead in range(index + 1, min(stop, index + 8)):
        if lowers[ahead] in _AUXILIARIES or context.is_verb(ahead):
            return True
        if not texts[ahead][0].isalnum() and texts[ahead] not in ("-", "'", "’"):
            return False
    return False


def _final_attribution(context: _Context, sentence: Sentence, tokens: range, cue: _Cue) -> _Found | None:
    """A sentence-final attribution: "Talks will continue, Umerov said." / "..., said a spokesman"."""
    texts = context.token_texts
    end_token = tokens.stop
    while end_token > tokens.start and not texts[end_token - 1][0].isalnum():
        end_token -= 1
    if end_token - cue.last - 1 > 8 or cue.first <= tokens.start:
        return None
    for index in range(cue.last + 1, end_token):
        if _is_complementizer(context, index) or texts[index] in (",", ";", ":"):
            return None
    comma_before = texts[cue.first - 1] == ","
    after = cue.last + 1
    if after < end_token and cue.cue_class == _TELL:
        after = _phrase_end(context, after, end_token)
    if (
        after < end_token
        and context.token_lowers[after] not in _ADJUNCT_OPENERS
        and (not comma_before or _looks_like_clause(context, after, end_token))
    ):
        return None  # "Umerov said talks will continue": a clause follows, not a phrase
    comma = cue.first - 1
    while comma > tokens.start and texts[comma] != ",":
        if cue.first - comma > 12 or context.is_quote_mark(comma) or texts[comma] in (";", ":"):
            return None
        comma -= 1
    if comma <= tokens.start or texts[comma] != ",":
        return None
    content_end = context.token_starts[comma]
    if context.inside_quote(content_end - 1) or context.inside_quote(sentence.start):
        return None  # the clause is a direct quote: read as one already
    if comma + 1 == cue.first:
        if cue.cue_class == _TELL:
            return None
        phrase_end = _phrase_end(context, cue.last + 1, end_token, limit=12)
        if phrase_end == cue.last + 1 or not _opens_noun_phrase(context, cue.last + 1):
            return None
        speaker = _resolve_speaker(context, cue.last + 1, phrase_end - 1)
    else:
        speaker = _resolve_speaker(context, comma + 1, cue.first - 1)
    if speaker is None:
        return None
    cue = _with_auxiliaries(context, cue, comma + 1)
    cue_span = (context.token_starts[cue.first], context.token_ends[cue.last])
    return _reported(
        context, sentence.start, content_end, speaker, _cue_text(context, cue, end_token), cue_span, cue.verb
    )


def _earlier_speaker(earlier: list[_Found], before: int) -> _Speaker | None:
    """The speaker of the nearest attribution before token BEFORE in the same sentence."""
    candidates = [item for item in earlier if item.cue_token is not None and item.cue_token < before]
    if not candidates:
        return None
    return max(candidates, key=lambda item: item.cue_token or 0).speaker


def _reported(
    context: _Context,
    start: int,
    end: int,
    speaker: _Speaker | None,
    cue: str,
    cue_span: tuple[int, int],
    cue_token: int,
) -> _Found | None:
    text = context.text
    while start < end and (text[start].isspace() or text[start] in ",:"):
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] in ".,;:"):
        end -= 1
    if len(_WORD.findall(text, start, end)) < 2:
        return None
    return _Found(
        start,
        end,
        QuoteKind.INDIRECT,
        context.sentence_index(start),
        context.paragraph_index(start),
        0.7,
        attributed=True,
        speaker=speaker,
        cue=cue,
        cue_span=cue_span,
        cue_token=cue_token,
    )


# ---------------------------------------------------------------- speakers carried over and pronouns


def _inherit_speakers(context: _Context, found: list[_Found]) -> None:
    """Quotes with no attribution of their own take the speaker the news conventions give them."""
    # Parts of one quote (split, or over several paragraphs) share the attribution one of them has.
    for item in reversed(found):
        head = item.continues
        if head is not None and not head.attributed and item.attributed:
            _copy_attribution(head, item, 1.0)
    for item in found:
        head = item.continues
        if head is not None and not item.attributed and head.attributed:
            _copy_attribution(item, head, 1.0)
    last_attributed: _Found | None = None
    for position, item in enumerate(found):
        if not item.attributed and item.kind == QuoteKind.DIRECT:
            source = _carried_source(context, found, position, last_attributed)
            if source is not None:
                _copy_attribution(item, source, 0.8)
            else:
                speaker = _previous_sentence_subject(context, item)
                if speaker is not None:
                    item.speaker, item.attributed, item.inherited = speaker, True, True
                    item.confidence = round(item.confidence * 0.6, 3)
        if item.attributed and item.speaker is not None:
            last_attributed = item


def _carried_source(
    context: _Context, found: list[_Found], position: int, last_attributed: _Found | None
) -> _Found | None:
    item = found[position]
    # The next quote right after carries the attribution: "A." "B," he said.
    for following in found[position + 1 : position + 3]:
        if following.paragraph != item.paragraph or following.kind == QuoteKind.INDIRECT:
            break
        own = following.attributed and not following.inherited and following.speaker is not None
        if own and not _WORD.search(context.text, item.end, following.start):
            return following
    if last_attributed is None:
        return None
    if last_attributed.paragraph == item.paragraph:
        return last_attributed
    if last_attributed.paragraph == item.paragraph - 1 and _pure_quote_paragraph(context, item.paragraph):
        return last_attributed
    return None


def _own_sentence_subject(context: _Context, sentence_start: int, before: int) -> _Speaker | None:
    return _subject_speaker(context, sentence_start, before)


def _subject_speaker(context: _Context, start: int, end: int) -> _Speaker | None:
    """The speaker named by the subject of the clause between START and END, if it names one."""
    tokens = context.tokens_between(start, end)
    if not tokens:
        return None
    subject = _clause_subject(context, tokens.start, tokens.stop)
    if subject is None:
        return None
    speaker = _resolve_speaker(context, *subject)
    if speaker is None or (speaker.key is None and speaker.pending_gender is None):
        return None
    return speaker


def _previous_sentence_subject(context: _Context, item: _Found) -> _Speaker | None:
    """The subject of the sentence before a quote that opens its own sentence with no attribution:
    "The judge then turned to me. “Mr D’Souza?”" (a weak reading, given a low confidence). Where the
    splitter left both in one sentence, the words before the quote's full stop stand in for it."""
    sentence = context.sentences[item.sentence]
    opening = context.token_at(item.start) - 1  # the opening mark
    if _WORD.search(context.text, sentence.start, item.start):
        stop = next(
            (
                i
                for i in range(opening - 1, -1, -1)
                if context.token_texts[i][0].isalnum() or context.ends_sentence(i)
            ),
            None,
        )
        if stop is None or not context.ends_sentence(stop) or context.token_starts[stop] < sentence.start:
            return None
        previous_start, previous_end = sentence.start, context.token_ends[stop]
    else:
        if item.sentence == 0:
            return None
        previous = context.sentences[item.sentence - 1]
        if previous.paragraph != sentence.paragraph:
            return None
        previous_start, previous_end = previous.start, previous.end
    if context.inside_quote(previous_start) or context.inside_quote(previous_end - 1):
        return None
    return _subject_speaker(context, previous_start, previous_end)


def _pure_quote_paragraph(context: _Context, paragraph: int) -> bool:
    start, end = context.paragraphs[paragraph]
    position = start
    while position < end:
        index = bisect.bisect_right(context.quoted_starts, position) - 1
        if index >= 0 and position < context.quoted_ends[index]:
            position = context.quoted_ends[index]
            continue
        following = bisect.bisect_right(context.quoted_starts, position)
        stop = min(end, context.quoted_starts[following]) if following < len(context.quoted_starts) else end
        if _WORD.search(context.text, position, stop):
            return False
        position = stop
    return True


def _copy_attribution(target: _Found, source: _Found, factor: float) -> None:
    target.speaker, target.cue, target.cue_span = source.speaker, source.cue, source.cue_span
    target.confidence = round(min(target.confidence, source.confidence) * factor, 3)
    target.attributed = target.inherited = True


def _resolve_pronouns(context: _Context, found: list[_Found]) -> None:
    """Resolve "he"/"she" speakers in text order, so each can lean on the speakers before it."""
    history: list[tuple[int, str]] = []  # (position, entity key) of speakers resolved so far
    for item in found:
        speaker = item.speaker
        if speaker is not None and speaker.pending_gender is not None:
            gender, speaker.pending_gender = speaker.pending_gender, None
            previous, previous_at = _previous_speaker(context, history, speaker.span[0])
            mention = _resolve_pronoun(context, speaker.span[0], gender, previous, previous_at)
            if mention is None:
                speaker.confidence *= 0.6
            else:
                entity = context.entity_by_key.get(mention.entity)
                speaker.key, speaker.name = mention.entity, entity.name if entity else mention.text
        if speaker is not None and speaker.key is not None:
            history.append((speaker.span[0], speaker.key))


def _previous_speaker(
    context: _Context, history: list[tuple[int, str]], position: int
) -> tuple[str | None, int | None]:
    """The last person resolved as a speaker before POSITION (within two paragraphs), and where."""
    paragraph = context.paragraph_index(position)
    for spoken_at, key in reversed(history):
        if spoken_at < position:
            if paragraph - context.paragraph_index(spoken_at) > 2:
                return None, None
            entity = context.entity_by_key.get(key)
            if entity is not None and entity.type != EntityType.PERSON:
                return None, None
            return key, spoken_at
    return None, None


def _resolve_pronoun(
    context: _Context, position: int, gender: str, previous: str | None, previous_at: int | None
) -> EntityMention | None:
    """The person a "he" or "she" at POSITION names.

    Walks back sentence by sentence (up to five) to the first sentence holding a compatible
    person: there a person in subject position wins, then the previous speaker if named there or
    if one fits, then the first person named. Gender must not contradict.
    """
    if previous is not None and _gender(context, previous) not in (None, gender):
        previous = None
    current = context.sentence_index(position)
    for number in range(current, max(current - 6, -1), -1):
        sentence = context.sentences[number]
        candidates = [
            m
            for m in context.mentions_in(sentence.start, min(sentence.end, position))
            if m.type == EntityType.PERSON
            and m.form != MentionForm.PRONOUN
            and m.end <= position
            and not context.inside_quote(m.start)
            and _gender(context, m.entity) in (None, gender)
        ]
        if not candidates:
            continue
        if number == current and previous is not None:
            # A person named earlier in the pronoun's own sentence sits in a subordinate clause
            # ("In the event that Clinton faces Trump, she replied"): the running speaker goes on.
            return _latest_mention(context, previous, position) or candidates[0]
        if previous is not None and previous_at is not None and previous_at >= sentence.start:
            # The previous speaker was attributed in this very sentence ("..., said David Autor").
            named = [mention for mention in candidates if mention.entity == previous]
            if named:
                return named[-1]
        subject = _sentence_subject(context, sentence, candidates)
        if subject is not None:
            return subject
        for mention in candidates:
            if mention.entity == previous:
                return mention
        if previous is not None:
            return _latest_mention(context, previous, position) or candidates[0]
        return candidates[0]
    return _latest_mention(context, previous, position) if previous is not None else None


def _sentence_subject(
    context: _Context, sentence: Sentence, candidates: list[EntityMention]
) -> EntityMention | None:
    """The candidate in subject position: after any leading adverbial or subordinate clause ("When
    Mr Trump tried to defend it, Mr Kasich differed"), with no verb before it (quoted words aside)."""
    tokens = context.tokens_between(sentence.start, sentence.end)
    if not tokens:
        return None
    start = _clause_start(context, tokens.start, tokens.stop)
    if start is None:
        return None
    clause_start = context.token_starts[start]
    for mention in candidates:
        if mention.start < clause_start:
            continue
        for index in context.tokens_between(clause_start, mention.start):
            if not context.inside_quote(context.token_starts[index]) and context.is_verb(index):
                return None
        return mention
    return None


def _latest_mention(context: _Context, key: str, position: int) -> EntityMention | None:
    for mention in _antecedents(context, position, window=len(context.text)):
        if mention.entity == key:
            return mention
    return None


def _to_record(context: _Context, item: _Found, found: list[_Found]) -> QuoteAttribution:
    speaker = item.speaker
    confidence = item.confidence
    if speaker is not None:
        confidence *= 0.6 + 0.4 * speaker.confidence
        if speaker.key is None:
            confidence *= 0.8
    elif item.kind != QuoteKind.INDIRECT:
        confidence *= 0.6
    quote = Quote(
        text=context.text[item.start : item.end],
        start=item.start,
        end=item.end,
        kind=item.kind,
        speaker=speaker.name if speaker is not None else None,
        speaker_entity=speaker.key if speaker is not None else None,
        speaker_text=speaker.text if speaker is not None else None,
        cue=item.cue,
        sentence=context.sentences[item.sentence].index,
        confidence=round(min(confidence, 1.0), 3),
    )
    continues = None
    if item.continues is not None:
        continues = next((number for number, other in enumerate(found) if other is item.continues), None)
    return QuoteAttribution(quote, speaker.span if speaker is not None else None, item.cue_span, continues)
