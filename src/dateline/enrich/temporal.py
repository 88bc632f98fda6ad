"""Dates and times in an article's text, resolved against its publication date.

"on Tuesday", "yesterday", "last week", "30 November", "July 23, 2025", "in March", "in 2024",
"20-23 November", "11.20am (9.20am GMT)": every expression is found by rules, one grammar per
language (English, French, German, Spanish, Italian; any other language gets the English one), and
resolved to an ISO 8601 value at its own precision ("2025-11-30", "2025-W48", "2025-11", "2025",
"2025-11-30T11:20+02:00").

How a resolution is chosen, in short:

- Absolute forms (a date with a year, "November 2025", "in 2024") need nothing else.
- Relative forms are counted from the publication day (its own local day when it has a zone).
  Without one they are kept with ``value=None`` and confidence 0: never guessed.
- Where the direction is open (a bare weekday, a month or a day and month without a year) the
  tense of the words around the expression decides: "will fly to Moscow on Tuesday" is the next
  Tuesday, "met on Tuesday" the last one. Cues count less with distance and behind a comma or a
  "that"; "said" governs only what stands beside it. A weekday equal to the publication weekday is
  that same day. With no cue, a weekday is taken as past (news mostly reports what happened) and a
  month or a day and month as the nearest one, a past one winning unless a future one is twice as
  near; such guesses carry a lower confidence. ``tense`` records what was read when it had a say,
  and is None where the words fix the date themselves ("next year", "yesterday", a year).
- A clock time takes its day from a weekday written inside it ("9:49 a.m. Monday ET"), else from
  the nearest day expression in its sentence or right beside it, else from the last one earlier
  in its paragraph, else from the publication day (low confidence). "11.20am (9.20am GMT)" and
  "6:27 p.m. Cairo, 11:27 a.m. ET" give the local time the offset the pair implies.
- "Yesterday (30 November)": the pair becomes one explicit expression; the written date wins.
- Decades ("the 1990s") are year-precision ranges; ages, list numbers, "24/7" and "9/11" are no
  dates (numeric dates need a year). Named days ("Black Friday", "Super Tuesday"), habitual
  weekdays ("on Fridays", "Friday prayers") and programme names ("the Today programme") are
  skipped; so are anaphoric forms ("the next day", "that week"), which need an event to count from.
- Weekends ("at the weekend", "last weekend") resolve to their Saturday-Sunday range.
- "last week" in an article published on a Sunday is the week ending that day: news weeks run
  Monday to Friday, so by Sunday they are "last week" to the reader.

The patterns run only in short windows around anchor words (digits, month and weekday names,
relative-day and unit words), which keeps the stage near a millisecond per 600-word article.
Quality and speed are measured by ``bench/temporal.py`` on a hand-labelled golden set.
"""

from __future__ import annotations

import bisect
import calendar
import functools
import itertools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from dateline.models import DatePrecision, Sentence, TemporalExpression, TemporalKind

__all__ = ["TEMPORAL_VERSION", "find_temporal_expressions"]

TEMPORAL_VERSION = "temporal.v1"

PAST = "past"
FUTURE = "future"

# ---------------------------------------------------------------------------------------------
# Lexicons: the words of each language, as data. Patterns are built from them once per language.


@dataclass(frozen=True)
class _Lexicon:
    code: str
    months: dict[str, int]  # full names, lower case
    month_abbreviations: dict[str, int]  # only inside a date with a day or year ("Nov. 30")
    weekdays: dict[str, int]  # Monday = 0
    weekday_abbreviations: dict[str, int]  # only as the prefix of a full date ("Sun Sep 19, 2010")
    lowercase_names: bool  # months and weekdays are written in lower case (fr, es, it)
    relative_days: dict[str, int]  # phrase -> offset in days from publication
    part_of_day: str  # regex: words after a weekday or relative day ("morning", "soir")
    compound_part_of_day: bool  # German "Sonntagabend"
    ordinal: str  # regex after a day number ("st", "er", ".")
    day_month_glue: str  # between the day and the month ("of", "de")
    month_year_glue: str  # between the month and the year
    month_first: bool  # "November 30" is a date in this language
    range_from: str  # "from", "between", "du", "vom"
    range_to: str  # "to", "and", "au", "bis"
    date_lead: str  # words that may open a day-month date ("the", "le", "el")
    weekday_before: dict[str, int]  # modifier -> direction: "last" -1, "next" +1, "this" 0
    weekday_after: dict[str, int]  # modifiers after the weekday: "dernier" -1
    weekday_lead: str  # "late", "overnight on": part of the expression
    month_preps: str  # words that make a bare month a date ("in", "since", "en", "im")
    year_preps: str  # words that make a four-digit number a year
    year_relative: dict[str, int]  # "last year" after a date ("1 May last year") -> year offset
    period_units: dict[str, str]  # "week" -> week, "semaine" -> week ...
    periods: tuple[tuple[str, int | None], ...]  # templates with {U}; None = tense decides
    ago: str  # regex with groups n, u
    numbers: dict[str, int]
    # Future phrases: (first words, regex for what follows them) -- "will" + " be held", "due" + " to".
    # The words are looked up token by token; an empty continuation means the word alone.
    future_phrases: tuple[tuple[str, str], ...]
    future_words: frozenset[str]
    future_endings: tuple[str, ...]  # endings worth testing against future_suffix
    future_suffix: str  # regex for a whole word in a future tense ("-ra", "-rà"); "" for none
    past_words: frozenset[str]
    past_endings: tuple[str, ...]
    past_suffix: str  # regex for a whole word in a past tense ("-ed", "-ó")
    speech_words: frozenset[str]  # "said", "told": govern only what sits next to them
    clause_words: frozenset[str]  # "that", "which": open another clause, with its own tense
    unit_words: frozenset[str]  # "weeks", "Tagen": where "three weeks ago" or "last week" may be
    clock: str  # language-specific clock patterns (groups h, m, ampm)
    tomorrow_blockers: str = ""  # regex before "mañana" that makes it "morning" (es)
    # Present-tense verbs that announce what is scheduled ("the rally starts at 3pm on Tuesday"): a
    # weak hint of the future, as news writes previews in the present.
    schedule_words: frozenset[str] = frozenset()


def _numbered(spec: str, first: int) -> dict[str, int]:
    """ "jan;feb;mar" -> {"jan": first, "feb": first + 1, ...}; commas give one number several names."""
    table: dict[str, int] = {}
    for number, group in enumerate(spec.split(";"), start=first):
        for name in group.split(","):
            if name.strip():
                table[name.strip()] = number
    return table


def _months(spec: str) -> dict[str, int]:
    return _numbered(spec, 1)


def _days(spec: str) -> dict[str, int]:
    return _numbered(spec, 0)  # Monday = 0, as date.weekday()


def _table(spec: str) -> dict[str, int]:
    """Phrases and the number each stands for, written "yesterday=-1; today,tonight=0"."""
    table: dict[str, int] = {}
    for entry in spec.split(";"):
        if entry.strip():
            phrases, number = entry.rsplit("=", 1)
            for phrase in phrases.split(","):
                table[phrase.strip()] = int(number)
    return table


def _words(spec: str) -> frozenset[str]:
    return frozenset(word for word in spec.split() if word)


_EN = _Lexicon(
    code="en",
    months=_months("january;february;march;april;may;june;july;august;september;october;november;december"),
    month_abbreviations=_months("jan;feb;mar;apr;;jun;jul;aug;sep,sept;oct;nov;dec"),
    weekdays=_days("monday;tuesday;wednesday;thursday;friday;saturday;sunday"),
    weekday_abbreviations=_days("mon;tue,tues;wed;thu,thur,thurs;fri;sat;sun"),
    lowercase_names=False,
    relative_days=_table(
        "the day before yesterday=-2; the day after tomorrow=2; yesterday,last night,late last night=-1; "
        "today,tonight,this morning,this afternoon,this evening,earlier today,later today,early this morning=0; "
        "tomorrow=1"
    ),
    part_of_day=r"morning|afternoon|evening|night|lunchtime",
    compound_part_of_day=False,
    ordinal=r"(?:st|nd|rd|th)?",
    day_month_glue=r"(?:\s+of)?\s+",
    month_year_glue=r"\s*,?\s*",
    month_first=True,
    range_from=r"from|between",
    range_to=r"to|and|until|till|through|thru",
    date_lead=r"the",
    weekday_before={
        "last": -1,
        "this past": -1,
        "past": -1,
        "next": 1,
        "this coming": 1,
        "coming": 1,
        "this": 0,
    },
    weekday_after={},
    weekday_lead=r"(?:late|early|overnight|until\s+late)(?:\s+on)?",
    month_preps=(
        r"in|since|by|until|till|from|during|through|throughout|before|after|of|"
        r"(?:the\s+)?(?:end|beginning|start|middle|rest|course)\s+of|early|mid|late|earlier\s+in|later\s+in|"
        r"in\s+(?:early|mid|late)|since\s+(?:early|mid|late)|by\s+(?:early|mid|late)|"
        r"until\s+(?:early|mid|late)|from\s+(?:early|mid|late)"
    ),
    year_preps=(
        r"in|since|by|until|till|from|during|through|throughout|before|after|of|to|and|the|a|an|"
        r"early|late|mid|around|circa|between|summer|spring|autumn|fall|winter|year|fiscal"
    ),
    year_relative={"last year": -1, "this year": 0, "next year": 1},
    period_units={"week": "week", "month": "month", "year": "year", "weekend": "weekend"},
    periods=(
        ("last {U}", -1),
        ("this past {U}", -1),
        ("this {U}", 0),
        ("earlier this {U}", 0),
        ("later this {U}", 0),
        ("next {U}", 1),
        ("over the {W}", None),
        ("at the {W}", None),
        ("on the {W}", None),
        ("during the {W}", None),
        ("this past {W}", -1),
    ),
    ago=r"(?P<n>\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|"
    r"twenty|thirty|forty|fifty|a\s+hundred)\s+(?P<u>days?|weeks?|months?|years?|decades?)\s+ago",
    numbers=_table(
        "a,an,one=1; two=2; three=3; four=4; five=5; six=6; seven=7; eight=8; nine=9; ten=10; eleven=11; "
        "twelve=12; fifteen=15; twenty=20; thirty=30; forty=40; fifty=50; a hundred=100"
    ),
    future_phrases=(
        ("will shall would won't", r"\s+(?:not\s+|n't\s+)?(?:be\s+|have\s+(?:been\s+)?)?\w+"),
        ("wo", r"\s*n't\s+(?:be\s+)?\w+"),
        ("going about", r"\s+to\s+(?:be\s+)?\w+"),
        (
            "is are was were 's 're be been",
            r"\s+(?:(?:not|n't)\s+)?(?:to\s+(?:be\s+)?\w+|(?:due|expected|scheduled|slated|planned)\s+(?:for|on|to)\b"
            r"|(?:set|poised|likely)\s+(?:to|for)\b)",
        ),
        ("due expected scheduled slated planned", r"\s+(?:for|on|to\s+(?:be\s+)?\w+)"),
        ("set poised likely", r"\s+(?:to\s+(?:be\s+)?\w+|for)\b"),
        ("plan plans planning intend intends hope hopes aim aims", r"\s+to\s+\w+"),
        ("ahead", r"\s+of"),
        ("until", r"\s+at\s+least"),
        ("to", r"\s+be\s+held"),
        ("upcoming forthcoming scheduled deadline", ""),
    ),
    future_words=_words("next tomorrow later upcoming forecast forecasts expects expect hopes"),
    future_endings=("'ll", "’ll"),
    future_suffix=r"\w+['’]ll",
    past_words=_words(
        "was were had did said told met went came took made gave held left flew fell rose won lost "
        "saw began spoke wrote sent struck found brought thought knew got fled led sold bought paid "
        "built caught chose drove fought froze grew hid kept laid meant ran rang sang sank shot shook "
        "slept stood stole swore taught tore threw understood woke wore withdrew became broke forgot "
        "sought spent stuck sat blew drew dealt felt heard ago earlier yesterday previously wasn't "
        "weren't hadn't didn't overtook undertook arose swept swam bit hung dug lit slid spun strove "
        "struck forbade overcame oversaw"
    ),
    past_endings=("ed",),
    past_suffix=r"[a-z]\w+(?:(?<!e)ed|ied)",
    speech_words=_words("said told added announced reported stated says tells according confirmed wrote"),
    clause_words=_words("that which who whom whose but while although though because whereas and or when"),
    schedule_words=_words(
        "starts begins opens closes meets resumes ends holds hosts visits travels arrives returns leaves "
        "faces plays votes kicks launches debates convenes gathers heads flies"
    ),
    unit_words=_words("day days week weeks month months year years decade decades weekend"),
    clock=(
        r"(?P<h>[01]?\d|2[0-3])(?:[:.](?P<m>[0-5]\d))?\s*"
        r"(?P<ampm>[ap]\.\s?m\.?(?!\w)|[ap]m(?!\w)|[AP]\.\s?M\.?(?!\w)|[AP]M(?!\w))"
        r"|(?P<h2>noon|midday)"
    ),
)

_FR = _Lexicon(
    code="fr",
    months=_months(
        "janvier;février,fevrier;mars;avril;mai;juin;juillet;août,aout;septembre;octobre;novembre;"
        "décembre,decembre"
    ),
    month_abbreviations=_months("janv;févr,fevr;;avr;;;juil;;sept;oct;nov;déc,dec"),
    weekdays=_days("lundi;mardi;mercredi;jeudi;vendredi;samedi;dimanche"),
    weekday_abbreviations={},
    lowercase_names=True,
    relative_days=_table(
        "avant-hier=-2; après-demain=2; hier soir,hier matin,hier après-midi,hier=-1; "
        "aujourd'hui,aujourd’hui,ce matin,cet après-midi,ce soir,cette nuit=0; "
        "demain matin,demain soir,demain=1"
    ),
    part_of_day=r"matin|après-midi|soir|midi|nuit|soirée|matinée",
    compound_part_of_day=False,
    ordinal=r"(?:er|re|e)?",
    day_month_glue=r"\s+",
    month_year_glue=r"\s+",
    month_first=False,
    range_from=r"du|entre\s+le|entre|de",
    range_to=r"au|à|et\s+le|et",
    date_lead=r"le|du|au",
    weekday_before={"ce": 0},
    weekday_after={"dernier": -1, "passé": -1, "prochain": 1},
    weekday_lead=r"(?:tard|tôt)(?:\s+dans\s+la\s+(?:nuit|soirée|journée)\s+de)?",
    month_preps=(
        r"en|depuis|dès|jusqu'en|jusqu’en|d'ici|d’ici|début|fin|mi|courant|avant|après|au\s+mois\s+de|de"
        r"|à\s+partir\s+de"
    ),
    year_preps=r"en|depuis|dès|jusqu'en|jusqu’en|avant|après|d'ici|d’ici|de|entre|et|à|l'année|l'an|année|an",
    year_relative={"l'année dernière": -1, "l'an dernier": -1, "l'année prochaine": 1, "cette année": 0},
    period_units={
        "semaine": "week",
        "mois": "month",
        "année": "year",
        "an": "year",
        "week-end": "weekend",
        "weekend": "weekend",
    },
    periods=(
        ("(?:la|le|l'|l’)\\s*{U}\\s+(?:dernière|dernier|passée|passé)", -1),
        ("(?:la|le|l'|l’)\\s*{U}\\s+(?:prochaine|prochain)", 1),
        ("(?:cette|ce|cet)\\s+{U}(?:-ci)?", 0),
        ("(?:le|ce)\\s+{W}", None),
    ),
    ago=r"il\s+y\s+a\s+(?P<n>\d{1,3}|un|une|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente)"
    r"\s+(?P<u>jours?|semaines?|mois|ans|années?)",
    numbers=_table(
        "un,une=1; deux=2; trois=3; quatre=4; cinq=5; six=6; sept=7; huit=8; neuf=9; dix=10; onze=11; "
        "douze=12; quinze=15; vingt=20; trente=30"
    ),
    future_phrases=(
        ("va vont allons doit doivent devrait devraient", r"\s+\w+"),
        ("prévu prévue prévus prévues d'ici", ""),
    ),
    future_words=_words("sera seront aura auront prochain prochaine demain"),
    future_endings=("ra", "ront", "rons", "rez"),
    future_suffix=r"\w{2,}(?:ra|ront|rons|rez)",
    past_words=_words("a ont avait avaient était étaient fut furent eut dernier dernière hier passé"),
    past_endings=("ait", "aient", "é", "ée", "és", "ées"),
    past_suffix=r"\w{2,}(?:ait|aient|é|ée|és|ées)",
    speech_words=_words("a déclaré dit affirmé annoncé indiqué"),
    clause_words=_words("que qu qui mais et lorsque quand parce puisque tandis dont"),
    unit_words=_words("jour jours semaine semaines mois an ans année années week weekend"),
    clock=r"(?P<h>[01]?\d|2[0-3])\s*(?:h|heures?)\s*(?P<m>[0-5]\d)?(?!\w)",
)

_DE = _Lexicon(
    code="de",
    months=_months(
        "januar,jänner;februar,feber;märz,maerz;april;mai;juni;juli;august;september;oktober;november;dezember"
    ),
    month_abbreviations=_months("jan;feb;mär,mrz;apr;;jun;jul;aug;sep,sept;okt;nov;dez"),
    weekdays=_days("montag;dienstag;mittwoch;donnerstag;freitag;samstag,sonnabend;sonntag"),
    weekday_abbreviations={},
    lowercase_names=False,
    relative_days=_table(
        "vorgestern=-2; übermorgen=2; gestern abend,gestern morgen,gestern nacht,gestern=-1; "
        "heute morgen,heute abend,heute nacht,heute=0; morgen früh,morgen abend,morgen=1"
    ),
    part_of_day=r"[Mm]orgen|[Vv]ormittag|[Mm]ittag|[Nn]achmittag|[Aa]bend|[Nn]acht",
    compound_part_of_day=True,
    ordinal=r"\.",
    day_month_glue=r"\s*",
    month_year_glue=r"\s+",
    month_first=False,
    range_from=r"vom|von|zwischen\s+dem|zwischen",
    range_to=r"bis\s+zum|bis|und\s+dem|und",
    date_lead=r"am|vom|zum|den|dem",
    weekday_before=_table(
        "letzten,letzte,letzter,vergangenen,vergangene,vergangener,vorigen=-1; "
        "nächsten,nächste,kommenden,kommende=1; diesen,diese=0"
    ),
    weekday_after={},
    weekday_lead=r"(?:spät\s+am|früh\s+am|in\s+der\s+Nacht\s+zum)",
    month_preps=r"im|seit|bis|ab|Anfang|Mitte|Ende|vor|nach|anfang|mitte|ende",
    year_preps=r"im\s+Jahr|im\s+Jahre|seit|bis|ab|von|vor|nach|zwischen|und|in|um|Jahr|Jahres",
    year_relative={"letzten jahres": -1, "vergangenen jahres": -1, "dieses jahres": 0, "nächsten jahres": 1},
    period_units={"woche": "week", "monat": "month", "jahr": "year", "wochenende": "weekend"},
    periods=(
        ("(?:(?:in\\s+der|im|am)\\s+)?(?:letzt|vergangen|vorig)(?:e|en|er|es|em)\\s+{U}", -1),
        ("(?:(?:in\\s+der|im|am)\\s+)?(?:nächst|kommend)(?:e|en|er|es|em)\\s+{U}", 1),
        ("(?:in\\s+)?dies(?:e|en|er|es|em)\\s+{U}", 0),
        ("am\\s+{W}", None),
    ),
    ago=r"vor\s+(?P<n>\d{1,3}|einem|einer|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|zwanzig|dreißig)"
    r"\s+(?P<u>Tagen|Tag|Wochen|Woche|Monaten|Monat|Jahren|Jahr|Jahrzehnten)",
    numbers=_table(
        "einem,einer=1; zwei=2; drei=3; vier=4; fünf=5; sechs=6; sieben=7; acht=8; neun=9; zehn=10; "
        "elf=11; zwölf=12; zwanzig=20; dreißig=30"
    ),
    future_phrases=(
        (
            "wird werden wirst soll sollen sollte sollten geplant bevorstehend bevorstehende bevorstehenden",
            "",
        ),
    ),
    future_words=_words("nächste nächsten kommende kommenden morgen plant planen"),
    future_endings=(),
    future_suffix="",
    past_words=_words("war waren hatte hatten wurde wurden hat haben gestern sagte erklärte teilte"),
    past_endings=("t", "en"),
    past_suffix=r"ge\w{3,}(?:t|en)",
    speech_words=_words("sagte erklärte teilte berichtete"),
    clause_words=_words("dass das die der und aber während weil obwohl als wenn"),
    unit_words=_words("tag tagen woche wochen monat monaten jahr jahren jahrzehnten wochenende"),
    clock=r"(?P<h>[01]?\d|2[0-3])(?:[.:](?P<m>[0-5]\d))?\s*Uhr",
)

_ES = _Lexicon(
    code="es",
    months=_months(
        "enero;febrero;marzo;abril;mayo;junio;julio;agosto;septiembre,setiembre;octubre;noviembre;diciembre"
    ),
    month_abbreviations=_months("ene;feb;mar;abr;;jun;jul;ago;sep,sept;oct;nov;dic"),
    weekdays=_days("lunes;martes;miércoles,miercoles;jueves;viernes;sábado,sabado;domingo"),
    weekday_abbreviations={},
    lowercase_names=True,
    relative_days=_table(
        "anteayer,antier,antes de ayer,antes de anoche=-2; pasado mañana=2; "
        "anoche,ayer por la noche,ayer por la tarde,ayer por la mañana,ayer=-1; "
        "hoy,esta mañana,esta tarde,esta noche=0; mañana por la mañana,mañana=1"
    ),
    part_of_day=r"por\s+la\s+(?:mañana|tarde|noche)",
    compound_part_of_day=False,
    ordinal=r"(?:º|\.º|°)?",
    day_month_glue=r"\s+de\s+",
    month_year_glue=r"\s+(?:de|del)\s+",
    month_first=False,
    range_from=r"del|desde\s+el|entre\s+el|entre",
    range_to=r"al|hasta\s+el|y\s+el|y",
    date_lead=r"el|del|al",
    weekday_before={"el próximo": 1, "el pasado": -1, "este": 0, "próximo": 1, "pasado": -1},
    weekday_after={"pasado": -1, "próximo": 1, "que viene": 1},
    weekday_lead=r"(?:la\s+noche\s+del|la\s+madrugada\s+del)",
    month_preps=(
        r"en|desde|hasta|para|de|a\s+principios\s+de|a\s+finales\s+de|a\s+mediados\s+de|a\s+fines\s+de"
        r"|principios\s+de|finales\s+de|mediados\s+de"
    ),
    year_preps=r"en|desde|hasta|de|para|entre|y|año|antes\s+de|después\s+de",
    year_relative={"del año pasado": -1, "del año que viene": 1, "del próximo año": 1, "de este año": 0},
    period_units={"semana": "week", "mes": "month", "año": "year", "fin de semana": "weekend"},
    periods=(
        ("(?:la|el)\\s+{U}\\s+pasad[oa]", -1),
        ("(?:la|el)\\s+pasad[oa]\\s+{U}", -1),
        ("(?:la|el)\\s+próxim[oa]\\s+{U}", 1),
        ("(?:la|el)\\s+{U}\\s+(?:próxim[oa]|que\\s+viene)", 1),
        ("est[ea]\\s+{U}", 0),
        ("el\\s+{W}", None),
    ),
    ago=r"hace\s+(?P<n>\d{1,3}|un|una|dos|tres|cuatro|cinco|seis|siete|ocho|nueve|diez|once|doce|quince|veinte|treinta)"
    r"\s+(?P<u>días?|semanas?|mes(?:es)?|años?)",
    numbers=_table(
        "un,una=1; dos=2; tres=3; cuatro=4; cinco=5; seis=6; siete=7; ocho=8; nueve=9; diez=10; once=11; "
        "doce=12; quince=15; veinte=20; treinta=30"
    ),
    future_phrases=(
        ("va van vamos", r"\s+a\b"),
        ("previsto prevista previstos previstas prevé", ""),
    ),
    future_words=_words("será serán habrá próximo próxima mañana"),
    future_endings=("rá", "rán", "remos"),
    future_suffix=r"\w{2,}(?:rá|rán|remos)",
    past_words=_words("fue fueron ha han había habían hubo dijo ayer anoche pasado pasada"),
    past_endings=("ó", "aron", "ieron", "ado", "ido"),
    past_suffix=r"\w{2,}(?:ó|aron|ieron|ado|ido)",
    speech_words=_words("dijo afirmó declaró anunció informó"),
    clause_words=_words("que quien pero y mientras aunque porque cuando cuyo"),
    unit_words=_words("día días dia dias semana semanas mes meses año años"),
    clock=r"(?:a\s+las\s+|las\s+)(?P<h>[01]?\d|2[0-3])(?:[.:](?P<m>[0-5]\d))?(?:\s*horas)?"
    r"|(?P<h3>[01]?\d|2[0-3])[.:](?P<m3>[0-5]\d)\s*horas",
    tomorrow_blockers=r"(?:la|esta|una|cada|por\s+la|de\s+la|toda\s+la|media)\s+$",
)

_IT = _Lexicon(
    code="it",
    months=_months(
        "gennaio;febbraio;marzo;aprile;maggio;giugno;luglio;agosto;settembre;ottobre;novembre;dicembre"
    ),
    month_abbreviations=_months("gen;feb;mar;apr;mag;giu;lug;ago;set;ott;nov;dic"),
    weekdays=_days(
        "lunedì,lunedi;martedì,martedi;mercoledì,mercoledi;giovedì,giovedi;venerdì,venerdi;sabato;domenica"
    ),
    weekday_abbreviations={},
    lowercase_names=True,
    relative_days=_table(
        "l'altro ieri,l’altro ieri,l'altroieri,altroieri=-2; dopodomani=2; "
        "ieri sera,ieri mattina,ieri pomeriggio,ieri=-1; oggi,stamattina,stamani,stasera,stanotte=0; "
        "domani mattina,domani sera,domani=1"
    ),
    part_of_day=r"mattina|pomeriggio|sera|notte|mattino",
    compound_part_of_day=False,
    ordinal=r"(?:º|°)?",
    day_month_glue=r"\s+",
    month_year_glue=r"\s+(?:del\s+)?",
    month_first=False,
    range_from=r"dal|tra\s+il|fra\s+il|tra|fra|da",
    range_to=r"al|e\s+il|e|a",
    date_lead=r"il|l'|l’|dal|al|del|nel",
    weekday_before={"il prossimo": 1, "lo scorso": -1, "questo": 0, "prossimo": 1, "scorso": -1},
    weekday_after={"scorso": -1, "scorsa": -1, "prossimo": 1, "prossima": 1},
    weekday_lead=r"(?:nella\s+notte\s+(?:tra|fra))",
    month_preps=(
        r"a|in|da|fino\s+a|entro|ad|di|nel\s+mese\s+di|all'inizio\s+di|alla\s+fine\s+di|a\s+metà|a\s+fine"
        r"|a\s+inizio|inizio|fine|metà"
    ),
    year_preps=r"nel|dal|fino\s+al|entro\s+il|del|il|tra\s+il|e\s+il|prima\s+del|dopo\s+il|anno",
    year_relative={
        "dell'anno scorso": -1,
        "dello scorso anno": -1,
        "del prossimo anno": 1,
        "di quest'anno": 0,
    },
    period_units={
        "settimana": "week",
        "mese": "month",
        "anno": "year",
        "fine settimana": "weekend",
        "weekend": "weekend",
    },
    periods=(
        ("(?:la|il|l'|l’)\\s*{U}\\s+(?:scors[oa]|passat[oa])", -1),
        ("(?:lo|la|il)\\s+scors[oa]\\s+{U}", -1),
        ("(?:la|il|l'|l’)\\s*prossim[oa]\\s+{U}", 1),
        ("(?:la|il|l'|l’)\\s*{U}\\s+prossim[oa]", 1),
        ("(?:quest[oa]\\s+|quest'|quest’){U}", 0),
        ("(?:nel|il|questo)\\s+{W}", None),
    ),
    ago=r"(?P<n>\d{1,3}|un|una|uno|due|tre|quattro|cinque|sei|sette|otto|nove|dieci|undici|dodici|quindici|venti|trenta)"
    r"\s+(?P<u>giorni|giorno|settimane|settimana|mesi|mese|anni|anno)\s+fa",
    numbers=_table(
        "un,una,uno=1; due=2; tre=3; quattro=4; cinque=5; sei=6; sette=7; otto=8; nove=9; dieci=10; "
        "undici=11; dodici=12; quindici=15; venti=20; trenta=30"
    ),
    future_phrases=(("previsto prevista previsti previste dovrà dovrebbe dovranno", ""),),
    future_words=_words("sarà saranno avrà prossimo prossima domani"),
    future_endings=("rà", "ranno", "remo"),
    future_suffix=r"\w{2,}(?:rà|ranno|remo)",
    past_words=_words("ha hanno aveva avevano era erano fu furono ieri scorso scorsa"),
    past_endings=("ò", "ato", "ata", "ito", "ita", "uto"),
    past_suffix=r"\w{2,}(?:ò|ato|ata|ito|ita|uto)",
    speech_words=_words("detto dichiarato annunciato"),
    clause_words=_words("che chi ma e mentre anche perché quando cui"),
    unit_words=_words("giorno giorni settimana settimane mese mesi anno anni weekend"),
    clock=r"(?:alle\s+(?:ore\s+)?|ore\s+)(?P<h>[01]?\d|2[0-3])(?:[.:](?P<m>[0-5]\d))?",
)

_LEXICONS = {lexicon.code: lexicon for lexicon in (_EN, _FR, _DE, _ES, _IT)}

# Time zones written after a clock time: fixed offsets in minutes, or a zone whose offset
# depends on the date (daylight saving).
_FIXED_ZONES = {
    "gmt": 0, "utc": 0, "z": 0, "bst": 60, "cet": 60, "cest": 120, "mez": 60, "mesz": 120, "eet": 120,
    "eest": 180, "msk": 180, "est": -300, "edt": -240, "cst": -360, "cdt": -300, "mst": -420, "mdt": -360,
    "pst": -480, "pdt": -420, "ist": 330, "jst": 540, "kst": 540, "aest": 600, "aedt": 660, "sgt": 480,
    "hkt": 480, "wib": 420, "pkt": 300, "ast": 180,
}  # fmt: skip
_NAMED_ZONES = {
    "et": "America/New_York", "ct": "America/Chicago", "mt": "America/Denver", "pt": "America/Los_Angeles",
    "kyiv": "Europe/Kyiv", "kiev": "Europe/Kyiv", "moscow": "Europe/Moscow", "london": "Europe/London",
    "paris": "Europe/Paris", "berlin": "Europe/Berlin", "brussels": "Europe/Brussels",
    "washington": "America/New_York", "new york": "America/New_York", "beijing": "Asia/Shanghai",
    "tokyo": "Asia/Tokyo", "cairo": "Africa/Cairo", "tripoli": "Africa/Tripoli", "damascus": "Asia/Damascus",
    "jerusalem": "Asia/Jerusalem", "tehran": "Asia/Tehran", "baghdad": "Asia/Baghdad", "kabul": "Asia/Kabul",
    "delhi": "Asia/Kolkata", "sydney": "Australia/Sydney", "rome": "Europe/Rome", "madrid": "Europe/Madrid",
    "heure de paris": "Europe/Paris", "mez": "Europe/Berlin",
}  # fmt: skip


def _zone_pattern(group: str) -> str:
    """A time zone written after a clock time, as a named group."""
    return (
        rf"(?P<{group}>GMT|UTC|BST|CEST|CET|MESZ|MEZ|EEST|EET|MSK|EST|EDT|CST|CDT|MST|MDT|PST|PDT|IST|JST|KST"
        r"|AEST|AEDT|SGT|HKT|WIB|PKT|ET|CT|PT|Z"
        r"|(?:Kyiv|Kiev|Moscow|London|Paris|Berlin|Brussels|Washington|New\s+York|Beijing|Tokyo|Cairo|Tripoli"
        r"|Damascus|Jerusalem|Tehran|Baghdad|Kabul|Delhi|Sydney|Rome|Madrid)\s+time"
        r"|heure\s+de\s+Paris|(?i:local\s+time|local|heure\s+locale|Ortszeit|hora\s+local|ora\s+locale))(?!\w)"
    )


_LOCAL_ZONES = {"local time", "local", "heure locale", "ortszeit", "hora local", "ora locale"}

# Words before a capitalised weekday that make it a named day, not a date ("Black Friday").
_NAMED_DAY_LEADS = _words(
    "black good holy easter palm ash maundy super cyber bloody blue shrove whit giving mad manic "
    "fat great bright low trinity"
)
# Words before a weekday followed by a plural noun that still make it one day ("after Friday prayers").
_ONE_DAY_LEADS = _words("on after before since until till by following during last this next the from")
# Lower-case words ending in "s" that may follow a weekday without making it habitual.
_NOT_PLURAL_NOUNS = _words("is was has as us this its thus always plus")
# Prepositions a bare English "May" must follow to be the month: "by May" may be Theresa May.
_MAY_PREPS = _words("in since until till during early mid late of")


# ---------------------------------------------------------------------------------------------
# Patterns, built once per language


def _alternation(words: Iterable[str]) -> str:
    """One alternation, longest first; a space in a phrase matches any run of whitespace."""
    return "|".join(
        re.escape(word).replace(r"\ ", r"\s+") for word in sorted(set(words), key=len, reverse=True)
    )


def _cased(words: Iterable[str], lowercase_too: bool) -> set[str]:
    variants: set[str] = set()
    for word in words:
        variants.add(word[:1].upper() + word[1:])
        variants.add(word.upper())
        if lowercase_too:
            variants.add(word)
    return variants


@dataclass(frozen=True)
class _Grammar:
    lexicon: _Lexicon
    patterns: tuple[tuple[str, re.Pattern[str]], ...]  # (rule, pattern)
    periods: tuple[tuple[re.Pattern[str], int | None], ...]
    future_starts: dict[str, re.Pattern[str]]  # first word of a future phrase -> what must follow it
    word_classes: dict[str, str]  # lower-case word -> speech | past | future | schedule | clause
    future_suffix: re.Pattern[str] | None
    past_suffix: re.Pattern[str]
    year_prep_before: re.Pattern[str]
    time_lead_before: re.Pattern[str]
    tomorrow_blockers: re.Pattern[str] | None
    anchors: dict[str, str]  # lower-case word -> the anchor class it opens a window for


_B = r"(?<!\w)"  # no word character before
_E = r"(?!\w)"  # no word character after
_DASH = r"[-‐‑‒–—]"
_YEAR = r"(?:1[6-9]\d\d|20\d\d)"
# "a.m." keeps its last full stop; "pm." at the end of a sentence does not.
_AMPM = r"[ap]\.\s?m\.?(?!\w)|[ap]m(?!\w)|[AP]\.\s?M\.?(?!\w)|[AP]M(?!\w)"
# Connectors that join two items rather than span a range: a range with one needs "between" first.
_AND_CONNECTORS = frozenset({"and", "et", "et le", "und", "und dem", "y", "y el", "e", "e il"})


@functools.cache
def _grammar(code: str) -> _Grammar:
    lex = _LEXICONS[code]
    full_months = _cased(lex.months, lex.lowercase_names)
    months = _alternation(full_months)
    month_in_date = rf"(?:{_alternation(full_months | _cased(lex.month_abbreviations, lex.lowercase_names))})(?:\.(?!\d))?"
    weekdays = _alternation(_cased(lex.weekdays, lex.lowercase_names))
    prefix_weekdays = _alternation(
        _cased(lex.weekdays, lex.lowercase_names) | _cased(lex.weekday_abbreviations, lex.lowercase_names)
    )
    weekday_prefix = rf"(?:(?P<wd>{prefix_weekdays})\.?\s*,?\s*)?"
    day = rf"(?P<d>[12]\d|3[01]|0?[1-9])(?!\d){lex.ordinal}"
    day2 = rf"(?P<d2>[12]\d|3[01]|0?[1-9])(?!\d){lex.ordinal}"
    year = rf"(?P<y>{_YEAR})(?!\d)"
    year_relative = rf"(?:\s+(?:of\s+)?(?P<yrel>(?i:{_alternation(lex.year_relative)})))"
    year_part = rf"(?:{lex.month_year_glue}{year}|{year_relative})?"
    lead = rf"(?:(?i:{lex.date_lead})\s+)?"
    range_from = rf"(?P<from>(?i:{lex.range_from}))\s+"
    range_to = rf"(?P<conn>\s*{_DASH}\s*|\s*/\s*|\s+(?i:{lex.range_to})\s+)"

    sources: list[tuple[str, str]] = [
        (
            "iso",
            rf"(?<![\d\-/.])(?P<y>{_YEAR})-(?P<m>0[1-9]|1[0-2])-(?P<d>0[1-9]|[12]\d|3[01])"
            r"(?:[T ](?P<hh>[01]\d|2[0-3]):(?P<mm>[0-5]\d)(?::\d\d(?:\.\d+)?)?(?P<off>Z|[+-]\d\d:?\d\d)?)?(?![\d\-])",
        ),
        (
            "numeric",
            r"(?<![\d\-/.,])(?P<a>0?[1-9]|[12]\d|3[01])(?P<sep>[./])(?P<b>0?[1-9]|[12]\d|3[01])(?P=sep)"
            rf"(?P<y>{_YEAR}|\d\d)(?!\d)(?![./]\d)",
        ),
        (
            "range_days",
            rf"{_B}(?:{range_from})?{lead}(?P<d>[12]\d|3[01]|0?[1-9])(?!\d){lex.ordinal}"
            rf"(?:{lex.day_month_glue}(?P<mon>{month_in_date}))?{range_to}{lead}{day2}{lex.day_month_glue}"
            rf"(?P<mon2>{month_in_date}){year_part}{_E}",
        ),
        (
            "range_weekdays",
            rf"{_B}{range_from}{lead}(?P<wd>{weekdays}){range_to}{lead}(?P<wd2>{weekdays}){_E}",
        ),
        (
            "range_months",
            rf"{_B}{range_from}(?P<mon>{months}){range_to}(?P<mon2>{months})(?:{lex.month_year_glue}{year})?{_E}",
        ),
        (
            "range_years",
            rf"{_B}(?:{range_from}(?P<y>{_YEAR}){range_to}(?P<y2>{_YEAR})"
            rf"|(?P<y3>{_YEAR})\s*{_DASH}\s*(?P<y4>{_YEAR}|\d\d)){_E}(?!{_DASH}\d)",
        ),
        (
            "day_month",
            rf"{_B}{weekday_prefix}{lead}(?P<core>{day}{lex.day_month_glue}(?P<mon>{month_in_date}){year_part}){_E}",
        ),
        (
            "month_year",
            rf"{_B}(?P<mon>{month_in_date})(?:\s+of)?{lex.month_year_glue}{year}{_E}"
            rf"|{_B}(?P<monr>{months}){year_relative}{_E}",
        ),
        (
            "decade",
            rf"{_B}(?:(?i:the)\s+)?(?P<core>(?P<dec>(?:1[6-9]|20)\d0)(?:'?s|’s)|['’](?P<dec2>\d0)s){_E}",
        ),
        ("year", rf"(?<![\w$€£¥.,:/#-])(?P<y>{_YEAR})(?!\w)(?![.,:]\d)(?!\s*{_DASH}\s*\d)(?!\s*%)"),
    ]
    if lex.month_first:
        sources += [
            (
                "range_month_first",
                rf"{_B}(?:{range_from})?(?P<mon>{month_in_date})\s+{day}{range_to}(?:(?P<mon2>{month_in_date})\s+)?"
                rf"{day2}(?:\s*,?\s*{year}|{year_relative})?(?!\d)",
            ),
            (
                "month_day",
                rf"{_B}{weekday_prefix}(?P<core>(?P<mon>{month_in_date})\s+(?:the\s+)?{day}"
                rf"(?:\s*,?\s*{year}|{year_relative})?)(?![\d:])",
            ),
        ]
    month_after = {
        "fr": r"dernier|prochain",
        "es": r"pasado|próximo|que\s+viene",
        "it": r"scorso|prossimo",
    }.get(code)
    month_source = (
        rf"{_B}(?P<prep>(?i:{lex.month_preps}))(?:\s+|\s*-\s*)(?:(?i:the|le|el|il)\s+)?(?:(?i:early|mid|late)(?:\s+|-))?"
        rf"(?P<core>(?P<mon>{months})"
        + (rf"(?:\s+(?P<after>(?i:{month_after})))?" if month_after else "")
        + ")"
        rf"{_E}(?!\s*\.?\s*\d)"
    )
    if code == "en":
        month_source += (
            rf"|{_B}(?P<core2>(?P<mod>(?i:last|next|this|past))\s+(?P<mon2>{months})){_E}(?!\s*\d)"
        )
    sources.append(("month", month_source))

    weekday_before = (
        rf"(?:(?P<before>(?i:{_alternation(lex.weekday_before)}))\s+)?" if lex.weekday_before else ""
    )
    weekday_after = rf"(?:\s+(?P<after>(?i:{_alternation(lex.weekday_after)})))?" if lex.weekday_after else ""
    compound = rf"(?P<pod2>{lex.part_of_day.lower()})?" if lex.compound_part_of_day else ""
    sources.append(
        (
            "weekday",
            rf"{_B}(?P<core>(?:(?P<lead>(?i:{lex.weekday_lead}))\s+)?{weekday_before}(?P<wd>{weekdays}){compound}"
            rf"(?P<plural>s)?(?P<poss>['’]s)?(?:\s+(?P<pod>{lex.part_of_day}))?{weekday_after}){_E}",
        )
    )
    sources.append(
        (
            "relative_day",
            rf"{_B}(?P<core>(?P<word>(?i:{_alternation(lex.relative_days)}))(?:['’]s)?"
            rf"(?:\s+(?P<pod>(?i:{lex.part_of_day})))?){_E}",
        )
    )
    # "one week ago today" names a day
    today_words = _alternation(w for w, offset in lex.relative_days.items() if offset == 0 and " " not in w)
    sources.append(("ago", rf"{_B}(?i:{lex.ago})(?:\s+(?P<today>(?i:{today_words})))?{_E}"))

    unit_words = _alternation(lex.period_units)
    weekend_words = _alternation([w for w, unit in lex.period_units.items() if unit == "weekend"])
    periods = []
    alternatives = []
    for template, direction in lex.periods:
        source = template.replace("{U}", f"(?P<u>{unit_words})").replace("{W}", f"(?P<u>{weekend_words})")
        periods.append((re.compile(rf"(?i:{source})"), direction))
        alternatives.append(source.replace("(?P<u>", "(?:"))
    sources.append(("period", rf"{_B}(?i:{'|'.join(alternatives)}){_E}"))

    clock = (
        rf"(?:{lex.clock})"
        rf"|(?P<h4>[01]?\d|2[0-3]):(?P<m4>[0-5]\d)(?!\d)(?:\s*(?P<ampm4>{_AMPM}))?"
        r"|(?P<hm5>(?:[01]\d|2[0-3])[0-5]\d)(?=\s*(?:GMT|UTC|Z(?!\w)|BST|EST|EDT|ET\b|CET|CEST|MSK|hrs\b|local\b))"
    )
    second_clock = (
        r"(?:(?P<s_hm>(?:[01]\d|2[0-3])[0-5]\d)"
        rf"|(?P<s_h>[01]?\d|2[0-3])(?:[:.](?P<s_m>[0-5]\d))?\s*(?P<s_ampm>{_AMPM})?)"
    )
    sources.append(
        (
            "time",
            rf"(?<![\w:.,/])(?:{clock})(?:(?:\s+(?P<twd>{weekdays}))?\s*{_zone_pattern('zone')})?(?:\s*hrs\b)?"
            rf"(?:\s*\(\s*{second_clock}\s*{_zone_pattern('pair_zone')}\s*\))?(?![\w:])",
        )
    )
    return _Grammar(
        lexicon=lex,
        patterns=tuple((rule, re.compile(source)) for rule, source in sources),
        periods=tuple(periods),
        future_starts=_future_starts(lex),
        word_classes=_word_classes(lex),
        future_suffix=re.compile(lex.future_suffix) if lex.future_suffix else None,
        past_suffix=re.compile(lex.past_suffix),
        year_prep_before=re.compile(rf"(?:^|\W)(?i:{lex.year_preps})[\s-]*$"),
        time_lead_before=re.compile(
            r"(?:^|\W)(?i:at|from|to|until|till|by|around|about|before|after|since|à|um|ab|bis|vers|hacia|alle|verso)\s*$"
            r"|[-–(]\s*$"
        ),
        tomorrow_blockers=re.compile(lex.tomorrow_blockers + r"$", re.IGNORECASE)
        if lex.tomorrow_blockers
        else None,
        anchors=_anchor_words(lex),
    )


def _anchor_words(lex: _Lexicon) -> dict[str, str]:
    """The words around which each family of patterns can match: months, weekdays, relative days, units."""
    anchors: dict[str, str] = {}
    for phrase in lex.relative_days:
        anchors[_anchor_key(phrase.split()[-1])] = "relative"
    for word in lex.unit_words:
        anchors[word] = "unit"
    for word in (*lex.months, *lex.month_abbreviations):
        anchors[word] = "month"
    for word in lex.weekdays:
        anchors[word] = "weekday"
    for word in ("noon", "midday"):
        anchors[word] = "digit"
    # Every casing a word is looked up in, so that the scan over every token needs no lower() call
    return {variant: kind for word, kind in anchors.items() for variant in _cased([word], True)}


def _anchor_key(word: str) -> str:
    """How anchors are looked up: "Monday's" -> "monday", "aujourd'hui" -> "hui", "avant-hier" -> "hier"."""
    lower = word.lower()
    if "'" not in lower and "’" not in lower and "-" not in lower:
        return lower  # nearly every word: no need for the slower path
    return _APOSTROPHE_OR_HYPHEN.split(lower.replace("’", "'").removesuffix("'s"))[-1]


_APOSTROPHE_OR_HYPHEN = re.compile(r"['-]")


def _future_starts(lex: _Lexicon) -> dict[str, re.Pattern[str]]:
    continuations: dict[str, list[str]] = {}
    for words, continuation in lex.future_phrases:
        for word in words.split():
            continuations.setdefault(word, []).append(continuation)
    # The empty continuation (the word alone) is tried last, so "scheduled for" wins over "scheduled".
    return {
        word: re.compile("(?i:" + "|".join(sorted(options, key=lambda c: c == "")) + ")")
        for word, options in continuations.items()
    }


def _word_classes(lex: _Lexicon) -> dict[str, str]:
    classes: dict[str, str] = {}
    for kind, words in (
        ("clause", lex.clause_words),
        ("future", lex.future_words),
        ("past", lex.past_words),
        ("speech", lex.speech_words),
        ("schedule", lex.schedule_words),
    ):
        for word in words:
            classes[word] = kind
    return classes


# ---------------------------------------------------------------------------------------------
# Candidates: what a match says, before the publication day is applied


@dataclass(slots=True)
class _Candidate:
    start: int
    end: int
    rule: str
    kind: TemporalKind
    year: int | None = None
    month: int | None = None
    day: int | None = None
    year2: int | None = None
    month2: int | None = None
    day2: int | None = None
    weekday: int | None = None
    weekday2: int | None = None
    direction: int | None = None  # -1 last, +1 next, 0 this; None when the tense decides
    year_offset: int | None = None  # "1 May last year"
    day_orders: tuple[tuple[int, int], ...] = ()  # numeric dates: the (month, day) readings possible
    offset_days: int = 0  # relative days
    count: int = 0  # "three weeks ago"
    unit: str = ""  # day | week | month | year | decade | weekend
    hour: int = 0
    minute: int = 0
    zone: str | None = None
    utc_offset: int | None = None  # minutes, when written as a number (ISO)
    pair: tuple[int, int, str] | None = None  # "(9.20am GMT)": hour, minute, zone of the same instant
    exact_day: bool = False  # "three days ago", "a week ago today": a day, not a week
    partner: _Candidate | None = None  # a zoned time naming the same instant nearby

    @property
    def length(self) -> int:
        return self.end - self.start


_RULE_PRIORITY = {
    "iso": 0, "numeric": 1, "range_days": 2, "range_month_first": 2, "range_weekdays": 3, "range_months": 3,
    "range_years": 3, "day_month": 4, "month_day": 4, "time": 5, "month_year": 6, "relative_day": 7,
    "period": 7, "ago": 7, "weekday": 8, "month": 9, "decade": 10, "year": 11,
}  # fmt: skip


def _month_number(lex: _Lexicon, name: str | None) -> int | None:
    if not name:
        return None
    key = name.lower().rstrip(".")
    return lex.months.get(key) or lex.month_abbreviations.get(key)


def _weekday_number(lex: _Lexicon, name: str | None) -> int | None:
    if not name:
        return None
    key = name.lower().rstrip(".")
    found = lex.weekdays.get(key)
    return found if found is not None else lex.weekday_abbreviations.get(key)


def _valid_day(year: int | None, month: int, day: int) -> bool:
    try:
        date(2000 if year is None else year, month, day)  # 2000 is a leap year: 29 February stays possible
    except ValueError:
        return False
    return True


def _phrase(raw: str | None) -> str:
    return re.sub(r"\s+", " ", (raw or "").lower()).replace("’", "'")


class _Parser:
    """Turns the matches of one language's patterns into candidates; rejects what is not a date."""

    def __init__(self, text: str, grammar: _Grammar) -> None:
        self.text = text
        self.grammar = grammar
        self.lex = grammar.lexicon

    def parse(self, rule: str, match: re.Match[str]) -> _Candidate | None:
        handler: Callable[[re.Match[str], int, int], _Candidate | None] = getattr(self, f"_{rule}")
        start, end = match.span()
        for name in ("core", "core2"):
            if match.groupdict().get(name) is not None:
                start, end = match.span(name)
        return handler(match, start, end)

    def _iso(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        year, month, day = int(match["y"]), int(match["m"]), int(match["d"])
        if not _valid_day(year, month, day):
            return None
        if match["hh"]:
            return _Candidate(
                start,
                end,
                "iso",
                TemporalKind.TIME,
                year=year,
                month=month,
                day=day,
                hour=int(match["hh"]),
                minute=int(match["mm"]),
                utc_offset=_iso_offset(match["off"]),
            )
        return _Candidate(start, end, "iso", TemporalKind.EXPLICIT, year=year, month=month, day=day)

    def _numeric(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        first, second, year_text = int(match["a"]), int(match["b"]), match["y"]
        if len(year_text) == 2:
            if match["sep"] == "." and self.lex.code == "en":
                return None  # "1.5.10" in English text is a version number
            year = 2000 + int(year_text) if int(year_text) < 70 else 1900 + int(year_text)
        else:
            year = int(year_text)
        readings: list[tuple[int, int]] = []
        if self.lex.code == "en" and match["sep"] == "/" and first <= 12 and _valid_day(year, first, second):
            readings.append((first, second))  # month first, the US habit
        if second <= 12 and _valid_day(year, second, first) and (second, first) not in readings:
            readings.append((second, first))
        if not readings:
            return None
        return _Candidate(start, end, "numeric", TemporalKind.EXPLICIT, year=year, day_orders=tuple(readings))

    def _range_check(self, match: re.Match[str]) -> bool:
        connector = _phrase(match["conn"]).strip()
        return connector not in _AND_CONNECTORS or bool(match.groupdict().get("from"))

    def _range_days(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if not self._range_check(match):
            return None
        month1, month2 = _month_number(self.lex, match["mon"]), _month_number(self.lex, match["mon2"])
        month1 = month1 or month2
        return self._day_range(match, start, end, "range_days", month1, month2)

    def _range_month_first(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if not self._range_check(match):
            return None
        month1, month2 = _month_number(self.lex, match["mon"]), _month_number(self.lex, match["mon2"])
        return self._day_range(match, start, end, "range_month_first", month1, month2 or month1)

    def _day_range(
        self, match: re.Match[str], start: int, end: int, rule: str, month1: int | None, month2: int | None
    ) -> _Candidate | None:
        if month1 is None or month2 is None:
            return None
        day1, day2 = int(match["d"]), int(match["d2"])
        if (month1, day1) == (month2, day2) or (month1 == month2 and day2 < day1):
            return None  # "April 29 to 5": a date followed by something else
        if not (_valid_day(None, month1, day1) and _valid_day(None, month2, day2)):
            return None
        return _Candidate(
            start,
            end,
            rule,
            TemporalKind.RANGE,
            year=int(match["y"]) if match["y"] else None,
            month=month1,
            day=day1,
            month2=month2,
            day2=day2,
            year_offset=self._year_offset(match),
        )

    def _range_weekdays(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        first, last = _weekday_number(self.lex, match["wd"]), _weekday_number(self.lex, match["wd2"])
        if first is None or last is None or first == last:
            return None
        return _Candidate(start, end, "range_weekdays", TemporalKind.RANGE, weekday=first, weekday2=last)

    def _range_months(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if not self._range_check(match):
            return None
        month1, month2 = _month_number(self.lex, match["mon"]), _month_number(self.lex, match["mon2"])
        if month1 is None or month2 is None or month1 == month2:
            return None
        year = int(match["y"]) if match["y"] else None
        return _Candidate(
            start, end, "range_months", TemporalKind.RANGE, month=month1, month2=month2, year=year
        )

    def _range_years(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if match["y"]:
            if not self._range_check(match):
                return None
            first, last = int(match["y"]), int(match["y2"])
        else:
            first, tail = int(match["y3"]), match["y4"]
            last = int(tail) if len(tail) == 4 else first // 100 * 100 + int(tail)
        if not first < last <= first + 100:
            return None
        return _Candidate(start, end, "range_years", TemporalKind.RANGE, year=first, year2=last)

    def _day_month(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        month = _month_number(self.lex, match["mon"])
        day = int(match["d"])
        year = int(match["y"]) if match["y"] else None
        if month is None or not _valid_day(year, month, day):
            return None
        weekday = _weekday_number(self.lex, match["wd"])
        if weekday is not None:
            start = match.start("wd")
        return _Candidate(
            start,
            end,
            "day_month",
            TemporalKind.EXPLICIT,
            year=year,
            month=month,
            day=day,
            weekday=weekday,
            year_offset=self._year_offset(match),
        )

    def _month_day(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if match["mon"] == "May" and not match["y"] and not self._date_follows(end):
            return None  # "May 5" is a date, but "May" the verb is everywhere
        candidate = self._day_month(match, start, end)
        if candidate is not None:
            candidate.rule = "month_day"
        return candidate

    def _date_follows(self, end: int) -> bool:
        return bool(
            re.match(
                r"\s*(?:[,.;:)\]|]|$|-|–|\s+(?:and|to|at|in|on|when|as|after|before|until|the|a|was|will)\b)",
                self.text[end : end + 12],
            )
        )

    def _month_year(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if match["monr"]:
            month, offset = _month_number(self.lex, match["monr"]), self._year_offset(match)
            if month is None or offset is None:
                return None
            return _Candidate(start, end, "month_year", TemporalKind.MONTH, month=month, year_offset=offset)
        month = _month_number(self.lex, match["mon"])
        if month is None:
            return None
        return _Candidate(start, end, "month_year", TemporalKind.MONTH, month=month, year=int(match["y"]))

    def _month(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        direction: int | None
        if match.groupdict().get("core2") is not None:
            month = _month_number(self.lex, match["mon2"])
            direction = {"last": -1, "past": -1, "next": 1, "this": 0}[match["mod"].lower()]
        else:
            month = _month_number(self.lex, match["mon"])
            after = _phrase(match.groupdict().get("after"))
            direction = None if not after else -1 if after in ("dernier", "pasado", "scorso") else 1
            if match["mon"] == "May" and (
                _phrase(match["prep"]).split(" ")[-1] not in _MAY_PREPS
                or self.text[end : end + 2] in ("'s", "’s")
            ):
                return None  # "by May", "in May's cabinet": Theresa May
        if month is None:
            return None
        return _Candidate(start, end, "month", TemporalKind.MONTH, month=month, direction=direction)

    def _decade(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if match["dec"]:
            return _Candidate(start, end, "decade", TemporalKind.RANGE, year=int(match["dec"]))
        return _Candidate(start, end, "decade", TemporalKind.RANGE, count=int(match["dec2"]))

    def _year(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        if not self._year_in_context(start, end):
            return None
        return _Candidate(start, end, "year", TemporalKind.YEAR, year=int(match["y"]))

    def _year_in_context(self, start: int, end: int) -> bool:
        """A four-digit number is a year after a word that introduces one, or alone in brackets."""
        text = self.text
        if _COUNTED_AFTER.match(text, end):
            return False
        before = text[max(0, start - 30) : start]
        if re.search(r"[(\[]\s*$", before) or re.match(r"\s*[)\]]", text[end : end + 3]):
            return True
        if self.grammar.year_prep_before.search(before) or re.search(r"\w['’]s\s+$", before):
            return True  # "in 2024", "the 2010 election", "Britain's 2016 referendum"
        if (
            self.lex.code == "en"
            and _DETERMINER_AND_ADJECTIVES.search(before)
            and re.match(r"\s+[A-Za-z]", text[end : end + 2])
        ):
            return True  # "the disastrous 2007 takeover", "the upcoming 2020 census"
        # At the start of a sentence: "2014 was a good year"
        return bool(re.search(r"(?:^|[\n.!?]\s*)$", before)) and bool(
            re.match(r"\s*(?:,|was|saw|is|has|had|will)\b", text[end : end + 8])
        )

    def _weekday(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        weekday = _weekday_number(self.lex, match["wd"])
        if weekday is None or match["plural"]:
            return None  # "on Fridays": every Friday
        groups = match.groupdict()
        before_text = self.text[max(0, match.start("wd") - 30) : match.start("wd")]
        previous = re.search(r"([\w'’-]+)\s*$", before_text)
        previous_word = previous.group(1) if previous else ""
        if self.lex.code == "en" and not groups.get("before") and not groups.get("lead"):
            if previous_word.lower() in _NAMED_DAY_LEADS and previous_word[:1].isupper():
                return None  # "Black Friday", "Super Tuesday"
            if re.search(r"(?i:every|each)\s+$", before_text):
                return None
            following = re.match(r"\s+([a-z]+s)\b", self.text[end : end + 24])
            if (
                following
                and following.group(1) not in _NOT_PLURAL_NOUNS
                and not groups.get("poss")
                and not groups.get("pod")
                and previous_word.lower() not in _ONE_DAY_LEADS
            ):
                return None  # "Friday prayers", "Sunday services": a habit, not a day
        direction = (
            self.lex.weekday_before.get(_phrase(groups.get("before"))) if groups.get("before") else None
        )
        if groups.get("after"):
            direction = self.lex.weekday_after.get(_phrase(groups["after"]), direction)
        return _Candidate(start, end, "weekday", TemporalKind.WEEKDAY, weekday=weekday, direction=direction)

    def _relative_day(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        word = match["word"]
        if not self._relative_day_is_a_date(word, match.start("word"), match.end("word")):
            return None
        offset = self.lex.relative_days.get(_phrase(word))
        if offset is None:
            offset = self.lex.relative_days.get(re.sub(r"\s+", " ", word.lower()), 0)
        return _Candidate(start, end, "relative_day", TemporalKind.RELATIVE_DAY, offset_days=offset)

    def _relative_day_is_a_date(self, word: str, start: int, end: int) -> bool:
        text = self.text
        sentence_start = (
            not text[max(0, start - 3) : start].strip()
            or text[max(0, start - 3) : start].rstrip()[-1:] in '.!?:;"“„«(\n-—|'
        )
        if self.lex.code == "en" and word.lower() in ("today", "tonight") and word[:2] in ("To", "TO"[:2]):
            if word[1:2].islower() and not sentence_start:
                return False  # "the Today programme", "USA Today", "The World Tonight": names
            if re.match(r"\s+(?:programme|program|show)\b", text[end : end + 12]):
                return False
        if self.lex.code == "de" and word == "Morgen":
            return sentence_start  # elsewhere "Morgen" is the morning ("am Morgen")
        if self.grammar.tomorrow_blockers is not None and word.lower() == "mañana":
            return not self.grammar.tomorrow_blockers.search(text[max(0, start - 16) : start])
        return True

    def _ago(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        count_text = _phrase(match["n"])
        count = int(count_text) if count_text.isdigit() else self.lex.numbers.get(count_text)
        unit = _ago_unit(match["u"].lower())
        if count is None or unit is None:
            return None
        exact = unit == "day" or (match["today"] is not None and unit in ("week", "month", "year"))
        kind = TemporalKind.RELATIVE_DAY if exact else TemporalKind.RELATIVE_PERIOD
        return _Candidate(start, end, "ago", kind, count=count, unit=unit, exact_day=exact)

    def _period(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        phrase = match.group(0)
        for pattern, direction in self.grammar.periods:
            found = pattern.fullmatch(phrase)
            if found is None:
                continue
            unit = self.lex.period_units.get(_phrase(found["u"]))
            if unit is None or (unit != "weekend" and direction is None):
                return None
            return _Candidate(
                start, end, "period", TemporalKind.RELATIVE_PERIOD, unit=unit, direction=direction
            )
        return None

    def _time(self, match: re.Match[str], start: int, end: int) -> _Candidate | None:
        groups = match.groupdict()
        ampm = groups.get("ampm") or groups.get("ampm4")
        if groups.get("h2"):  # noon, midday
            hour, minute = 12, 0
        elif groups.get("hm5"):
            hour, minute = int(match["hm5"][:2]), int(match["hm5"][2:])
        else:
            hour_text = groups.get("h") or groups.get("h3") or groups.get("h4")
            if hour_text is None:
                return None
            hour = int(hour_text)
            minute = int(groups.get("m") or groups.get("m3") or groups.get("m4") or 0)
            if ampm:
                if not 1 <= hour <= 12:
                    return None
                hour = _twelve_hour(hour, ampm)
            elif (
                groups.get("h4")
                and not groups.get("zone")
                and not groups.get("pair_zone")
                and not self.grammar.time_lead_before.search(self.text[max(0, start - 8) : start])
            ):
                return None  # a bare "14:30" may be a score or a ratio: "at", "from", "until" make it a time
        pair = None
        if groups.get("pair_zone"):
            if groups.get("s_hm"):
                pair_hour, pair_minute = int(match["s_hm"][:2]), int(match["s_hm"][2:])
            else:
                pair_hour, pair_minute = int(match["s_h"]), int(groups.get("s_m") or 0)
                second_ampm = groups.get("s_ampm") or ampm
                if second_ampm and 1 <= pair_hour <= 12:
                    pair_hour = _twelve_hour(pair_hour, second_ampm)
            pair = (pair_hour, pair_minute, match["pair_zone"])
        return _Candidate(
            start,
            end,
            "time",
            TemporalKind.TIME,
            hour=hour,
            minute=minute,
            zone=groups.get("zone"),
            pair=pair,
            weekday=_weekday_number(self.lex, groups.get("twd")),  # "9:49 a.m. Monday ET"
        )

    def _year_offset(self, match: re.Match[str]) -> int | None:
        raw = match.groupdict().get("yrel")
        return self.lex.year_relative.get(_phrase(raw)) if raw else None


# "the disastrous 2007 takeover": a determiner and one or two lower-case words before a year.
_DETERMINER_AND_ADJECTIVES = re.compile(
    r"(?:^|\W)(?i:the|a|an|its|his|her|their|our|this|that)\s+(?:[a-z][\w-]*\s+){1,2}$"
)
_COUNTED_AFTER = re.compile(
    r"\s*(?:people|persons|men|women|children|troops|soldiers|workers|jobs|cases|deaths|dead|homes|houses|"
    r"families|students|votes|tonnes|tons|barrels|feet|ft|metres|meters|miles|km|kilometres|euros|dollars|"
    r"pounds|yuan|rubles|hryvnias|units|cars|vehicles|flights|officers|police|pupils|patients|beds|sq|m|kg|"
    r"Menschen|personnes|personas|persone)\b",
    re.IGNORECASE,
)


def _iso_offset(raw: str | None) -> int | None:
    if not raw:
        return None
    if raw == "Z":
        return 0
    digits = raw[1:].replace(":", "")
    return (-1 if raw[0] == "-" else 1) * (int(digits[:2]) * 60 + int(digits[2:]))


def _ago_unit(raw: str) -> str | None:
    for prefix, unit in (
        ("day", "day"),
        ("tag", "day"),
        ("jour", "day"),
        ("día", "day"),
        ("dia", "day"),
        ("giorn", "day"),
        ("week", "week"),
        ("woche", "week"),
        ("semaine", "week"),
        ("semana", "week"),
        ("settiman", "week"),
        ("month", "month"),
        ("monat", "month"),
        ("mois", "month"),
        ("mes", "month"),
        ("jahrzehnt", "decade"),
        ("decade", "decade"),
        ("year", "year"),
        ("jahr", "year"),
        ("année", "year"),
        ("an", "year"),
        ("año", "year"),
        ("ann", "year"),
    ):
        if raw.startswith(prefix):
            return unit
    return None


def _twelve_hour(hour: int, ampm: str) -> int:
    is_pm = ampm.strip().lower().startswith("p")
    if hour == 12:
        return 12 if is_pm else 0
    return hour + 12 if is_pm else hour


# ---------------------------------------------------------------------------------------------
# Tense: which way a bare weekday, month or day and month points


@dataclass(slots=True)
class _Cue:
    first: int  # token indexes the cue covers
    last: int
    sign: int  # +1 future, -1 past
    weight: float
    speech: bool = False  # "said", "told": governs only what stands next to it


@dataclass(slots=True)
class _SentenceTense:
    token_starts: list[int]
    barrier: list[float]  # running sum of log(barrier factor): how much each token shields what lies beyond
    cues: list[_Cue]  # in token order
    cue_firsts: list[int]


# Words and the punctuation that separates clauses; a cue counts less for every separator between it
# and the expression ("said on Tuesday that talks will resume on Friday": "will" is behind "that").
_TOKEN = re.compile(r"[\w'’]+|[,;:()\"“”«»—]|[.!?](?=\s|$)")
_SEPARATOR_SHIELD = {
    mark: math.log(factor)
    for mark, factor in (
        (",", 0.4), (";", 0.3), (":", 0.4), ("(", 0.5), (")", 0.5), ('"', 0.5), ("“", 0.5), ("”", 0.5),
        ("«", 0.5), ("»", 0.5), ("—", 0.5),
        (".", 0.1), ("!", 0.1), ("?", 0.1),  # a full stop the sentence splitter missed
    )
}  # fmt: skip
_CLAUSE_WORD_SHIELD = math.log(0.5)
_ABBREVIATION = re.compile(
    r"[A-Z][a-z]?[a-z]?|[A-Za-z]|(?i:approx|gov|gen|sen|rep|sgt|col|capt|lt|no|vs|etc)"
)
_TENSE_WINDOW = 20  # tokens; cues further away are another clause's business
_LONGEST_CUE = 8  # tokens in the longest future phrase ("is not expected to be held")
# Below this score no tense is read.
_TENSE_THRESHOLD = 0.05


def _sentence_tense(text: str, tokens: Sequence[tuple[int, str]], grammar: _Grammar) -> _SentenceTense:
    """The tense cues of one sentence, given its tokens (start offset in ``text``, word)."""
    classes = grammar.word_classes
    lex = grammar.lexicon
    starts = [start for start, _ in tokens]
    barrier = [0.0]
    cues: list[_Cue] = []
    phrase_ends: list[tuple[_Cue, int]] = []
    covered_until = -1
    for index, (start, word) in enumerate(tokens):
        lower = word.lower().replace("’", "'")
        kind = classes.get(lower)
        shield = _SEPARATOR_SHIELD.get(word, _CLAUSE_WORD_SHIELD if kind == "clause" else 0.0)
        if word == "." and index and _ABBREVIATION.fullmatch(tokens[index - 1][1]):
            shield = 0.0  # "Wall St. after Friday", "U.S. officials": an abbreviation, not a sentence end
        barrier.append(barrier[-1] + shield)
        if start < covered_until or shield:
            continue
        continuation = grammar.future_starts.get(lower)
        if continuation is not None and (found := continuation.match(text, start + len(word))):
            cue = _Cue(index, index, 1, 1.0)
            cues.append(cue)
            phrase_ends.append((cue, found.end()))
            covered_until = found.end()
        elif kind == "speech":
            cues.append(_Cue(index, index, -1, 1.0, speech=True))
        elif kind == "past":
            cues.append(_Cue(index, index, -1, 1.0))
        elif kind == "future":
            cues.append(_Cue(index, index, 1, 0.8))
        elif kind == "schedule":
            cues.append(_Cue(index, index, 1, 0.4))
        elif (
            grammar.future_suffix is not None
            and lower.endswith(lex.future_endings)
            and grammar.future_suffix.fullmatch(lower)
        ):
            cues.append(_Cue(index, index, 1, 0.7))
        elif (
            word[0].islower()  # "-ed" on "united", not on "United"
            and len(lower) > 3
            and lower.endswith(lex.past_endings)
            and grammar.past_suffix.fullmatch(lower)
        ):
            cues.append(_Cue(index, index, -1, 0.7))
    for cue, end in phrase_ends:
        cue.last = max(cue.first, bisect.bisect_left(starts, end) - 1)
    return _SentenceTense(starts, barrier, cues, [cue.first for cue in cues])


def _tense_between(tense: _SentenceTense, start: int, end: int) -> str | None:
    first = bisect.bisect_left(tense.token_starts, start)
    last = bisect.bisect_left(tense.token_starts, end) - 1
    score = 0.0
    # Only the cues within the window: a 100,000-word "sentence" must not cost its length per expression.
    low = bisect.bisect_left(tense.cue_firsts, first - _TENSE_WINDOW - _LONGEST_CUE)
    high = bisect.bisect_right(tense.cue_firsts, last + _TENSE_WINDOW)
    for cue in tense.cues[low:high]:
        if cue.last >= first and cue.first <= last:
            continue  # words inside the expression ("last", "next") are modifiers, not tense
        if cue.last < first:
            distance = first - cue.last
            shield = tense.barrier[first] - tense.barrier[cue.last + 1]
        else:
            distance = cue.first - last
            shield = tense.barrier[cue.first] - tense.barrier[last + 1]
        if distance > _TENSE_WINDOW:
            continue
        weight = cue.weight
        if cue.speech:
            weight = 1.2 if distance <= 2 else 0.25
        score += cue.sign * weight * math.exp(shield) / (1 + distance / 2)
    if score >= _TENSE_THRESHOLD:
        return FUTURE
    if score <= -_TENSE_THRESHOLD:
        return PAST
    return None


# ---------------------------------------------------------------------------------------------
# Resolution against the publication day


@dataclass(slots=True)
class _Resolved:
    start: int
    end: int
    kind: TemporalKind
    precision: DatePrecision
    sentence: int
    tense: str | None
    value: str | None = None
    end_value: str | None = None
    confidence: float = 0.0
    day: date | None = None  # the day a clock time beside it would belong to


@dataclass(slots=True)
class _Context:
    text: str
    published: date | None
    grammar: _Grammar
    sentences: Sequence[Sentence]
    sentence_starts: list[int]
    tokens: list[tuple[int, str]]  # every word and separator of the text: (start, word)
    token_starts: list[int]
    tenses: dict[int, _SentenceTense]  # sentence index -> its tense cues, read once

    def sentence_of(self, position: int) -> int:
        return max(bisect.bisect_right(self.sentence_starts, position) - 1, 0)

    def tense(self, start: int, end: int) -> str | None:
        """The tense around an expression, read from the cues of its sentence."""
        index = self.sentence_of(start)
        cues = self.tenses.get(index)
        if cues is None:
            sentence = self.sentences[index]
            low = bisect.bisect_left(self.token_starts, min(sentence.start, start))
            high = bisect.bisect_left(self.token_starts, max(sentence.end, end))
            cues = self.tenses[index] = _sentence_tense(self.text, self.tokens[low:high], self.grammar)
        return _tense_between(cues, start, end)


def _direction_is_written(candidate: _Candidate) -> bool:
    """Whether the words themselves fix the date (a year, "last", "tomorrow", "ago"), leaving the tense no say."""
    if candidate.year is not None or candidate.year_offset is not None or candidate.rule in ("ago", "decade"):
        return True
    if candidate.rule == "relative_day":
        return candidate.offset_days != 0
    return candidate.rule in ("weekday", "period", "month") and candidate.direction in (-1, 1)


def _iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def _add_months(year: int, month: int, offset: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + offset
    return index // 12, index % 12 + 1


def _month_distance(year: int, month: int, published: date) -> int:
    return (year * 12 + month) - (published.year * 12 + published.month)


def _choose_year(
    month: int, day: int, published: date, tense: str | None, weekday: int | None
) -> tuple[date, bool]:
    """The year of a day and month written without one: the nearest such day, in the tense's direction.

    Also says whether a weekday written beside the date agreed with the day chosen.
    """
    options = [
        date(y, month, day)
        for y in range(published.year - 1, published.year + 2)
        if _valid_day(y, month, day)
    ]
    if weekday is not None:
        # Within about half a year: further off, a mismatched weekday is a slip, not a hint
        agreeing = [d for d in options if d.weekday() == weekday and abs((d - published).days) <= 200]
        if agreeing:
            return min(agreeing, key=lambda d: abs((d - published).days)), True
    # A tense cue rules out a day more than a month the other way (tense reading errs: "was possible
    # between 20 and 27 July"). Without one, a past day wins unless a future one is twice as close:
    # news reports more than it announces.
    if tense == PAST:
        options = [d for d in options if d <= published + timedelta(days=31)] or options
    elif tense == FUTURE:
        options = [d for d in options if d >= published - timedelta(days=31)] or options

    def cost(day: date) -> int:
        days = (day - published).days
        return days * 2 if days > 0 and tense is None else abs(days)

    return min(options, key=lambda d: (cost(d), d > published)), False


def _choose_month_year(month: int, published: date, tense: str | None) -> int:
    if month == published.month:
        return published.year
    years = [published.year - 1, published.year, published.year + 1]
    if tense == PAST:
        years = [y for y in years if _month_distance(y, month, published) < 0]
    elif tense == FUTURE:
        years = [y for y in years if _month_distance(y, month, published) > 0]
    return min(
        years,
        key=lambda y: (abs(_month_distance(y, month, published)), _month_distance(y, month, published) > 0),
    )


def _weekday_date(
    weekday: int, published: date, direction: int | None, tense: str | None
) -> tuple[date, float]:
    """The day a weekday names, and how sure that is."""
    today = published.weekday()
    back = (today - weekday) % 7 or 7  # days back to the previous such weekday (a week for today's own)
    ahead = (weekday - today) % 7 or 7
    if direction == -1:
        return published - timedelta(days=back), 0.85
    if direction == 1:
        return published + timedelta(days=ahead), 0.85
    if weekday == today:
        return published, 0.8
    if direction == 0:  # "this Tuesday": the tense decides, else the same calendar week
        if tense == PAST:
            return published - timedelta(days=back), 0.75
        if tense == FUTURE:
            return published + timedelta(days=ahead), 0.75
        return published + timedelta(days=weekday - today), 0.6
    if tense == FUTURE:
        return published + timedelta(days=ahead), 0.75
    if tense == PAST:
        return published - timedelta(days=back), 0.8
    return published - timedelta(days=back), 0.6


def _weekend_saturday(published: date, direction: int | None, tense: str | None) -> date:
    """The Saturday of the weekend meant."""
    today = published.weekday()
    if today >= 5:  # published at the weekend: "this weekend" is this one
        saturday = published - timedelta(days=today - 5)
        return saturday + timedelta(days=7 * (direction or 0))
    previous_saturday = published - timedelta(days=today + 2)
    next_saturday = published + timedelta(days=5 - today)
    if direction == -1 or (direction != 1 and tense == PAST) or (direction is None and tense is None):
        return previous_saturday
    return next_saturday


class _Resolver:
    """Applies the publication day (and the tense around each expression) to candidates."""

    def __init__(self, context: _Context) -> None:
        self.context = context
        self.published = context.published

    def resolve(self, candidate: _Candidate) -> _Resolved:
        context = self.context
        precision = {
            TemporalKind.MONTH: DatePrecision.MONTH,
            TemporalKind.YEAR: DatePrecision.YEAR,
            TemporalKind.TIME: DatePrecision.DATETIME,
        }.get(candidate.kind, DatePrecision.DAY)
        out = _Resolved(
            candidate.start,
            candidate.end,
            candidate.kind,
            precision,
            context.sentence_of(candidate.start),
            context.tense(candidate.start, candidate.end),
        )
        handler: Callable[[_Candidate, _Resolved], None] = getattr(self, f"_{candidate.rule}")
        try:
            handler(candidate, out)
        except (ValueError, OverflowError):
            # Counting past year 1 or 9999 (a publication date of 0001-01-01): nothing to resolve to
            out.value, out.end_value, out.day = None, None, None
        if _direction_is_written(candidate):
            out.tense = None  # "next year" in a past-tense sentence: the tense chose nothing, so say none
        return out

    def _set_day(self, out: _Resolved, day: date, confidence: float) -> None:
        out.value, out.day, out.confidence = day.isoformat(), day, confidence

    def _iso(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.year and candidate.month and candidate.day
        self._set_day(out, date(candidate.year, candidate.month, candidate.day), 0.95)

    def _numeric(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.year
        options = [date(candidate.year, month, day) for month, day in candidate.day_orders]
        if len(options) == 1:
            self._set_day(out, options[0], 0.9)
        elif self.published is not None:
            published = self.published
            self._set_day(out, min(options, key=lambda d: abs((d - published).days)), 0.7)
        else:
            self._set_day(out, options[0], 0.5)

    def _day_month(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.month and candidate.day
        month, day = candidate.month, candidate.day
        if candidate.year is not None:
            written = date(candidate.year, month, day)
            agrees = candidate.weekday is None or candidate.weekday == written.weekday()
            # "Tuesday, 30 November 2025" when the 30th is a Sunday: a typo somewhere
            self._set_day(out, written, 0.95 if agrees else 0.7)
            return
        published = self.published
        if published is None:
            return
        if candidate.year_offset is not None:
            year = published.year + candidate.year_offset
            if _valid_day(year, month, day):
                self._set_day(out, date(year, month, day), 0.85)
            return
        chosen, agreed = _choose_year(month, day, published, out.tense, candidate.weekday)
        distance = abs((chosen - published).days)
        self._set_day(out, chosen, 0.95 if agreed else 0.9 if distance <= 120 else 0.75)

    _month_day = _day_month

    def _range_days(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.month and candidate.day and candidate.month2 and candidate.day2
        month1, day1, month2, day2 = candidate.month, candidate.day, candidate.month2, candidate.day2
        published = self.published
        if candidate.year is not None:
            year2, confidence = candidate.year, 0.95
        elif published is None:
            return
        elif candidate.year_offset is not None:
            year2, confidence = published.year + candidate.year_offset, 0.85
        else:
            first, _ = _choose_year(month1, day1, published, out.tense, None)
            year2, confidence = first.year + (1 if month2 < month1 else 0), 0.85
        year1 = year2 - 1 if (month2, day2) < (month1, day1) else year2
        if _valid_day(year1, month1, day1) and _valid_day(year2, month2, day2):
            self._set_day(out, date(year1, month1, day1), confidence)
            out.end_value, out.day = date(year2, month2, day2).isoformat(), None

    _range_month_first = _range_days

    def _range_weekdays(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.weekday is not None and candidate.weekday2 is not None
        if self.published is None:
            return
        first, confidence = _weekday_date(candidate.weekday, self.published, None, out.tense)
        last = first + timedelta(days=(candidate.weekday2 - candidate.weekday) % 7)
        out.value, out.end_value, out.confidence = first.isoformat(), last.isoformat(), min(confidence, 0.75)

    def _range_months(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.month and candidate.month2
        out.precision = DatePrecision.MONTH
        if candidate.year is not None:
            year2 = candidate.year
        elif self.published is not None:
            year2 = _choose_month_year(candidate.month2, self.published, out.tense)
        else:
            return
        year1 = year2 if candidate.month < candidate.month2 else year2 - 1
        out.value, out.end_value = f"{year1:04d}-{candidate.month:02d}", f"{year2:04d}-{candidate.month2:02d}"
        out.confidence = 0.9 if candidate.year is not None else 0.75

    def _range_years(self, candidate: _Candidate, out: _Resolved) -> None:
        out.precision = DatePrecision.YEAR
        out.value, out.end_value, out.confidence = str(candidate.year), str(candidate.year2), 0.9

    def _decade(self, candidate: _Candidate, out: _Resolved) -> None:
        out.precision = DatePrecision.YEAR
        if candidate.year is not None:
            first = candidate.year
        elif self.published is not None:  # "the '90s": the latest such decade already begun
            first = self.published.year // 100 * 100 + candidate.count
            if first > self.published.year:
                first -= 100
        else:
            return
        out.value, out.end_value, out.confidence = str(first), str(first + 9), 0.85

    def _month_year(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.month
        if candidate.year is not None:
            out.value, out.confidence = f"{candidate.year:04d}-{candidate.month:02d}", 0.95
        elif self.published is not None and candidate.year_offset is not None:
            year = self.published.year + candidate.year_offset
            out.value, out.confidence = f"{year:04d}-{candidate.month:02d}", 0.85

    def _month(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.month
        published, month = self.published, candidate.month
        if published is None:
            return
        if candidate.direction == -1:
            year, confidence = (published.year if month < published.month else published.year - 1), 0.85
        elif candidate.direction == 1:
            year, confidence = (published.year if month > published.month else published.year + 1), 0.85
        elif candidate.direction == 0:
            year, confidence = published.year, 0.8
        else:
            year = _choose_month_year(month, published, out.tense)
            confidence = 0.85 if month == published.month else 0.75 if out.tense else 0.65
        out.value, out.confidence = f"{year:04d}-{month:02d}", confidence

    def _year(self, candidate: _Candidate, out: _Resolved) -> None:
        out.value, out.confidence = str(candidate.year), 0.9

    def _weekday(self, candidate: _Candidate, out: _Resolved) -> None:
        assert candidate.weekday is not None
        if self.published is not None:
            day, confidence = _weekday_date(candidate.weekday, self.published, candidate.direction, out.tense)
            self._set_day(out, day, confidence)

    def _relative_day(self, candidate: _Candidate, out: _Resolved) -> None:
        if self.published is not None:
            self._set_day(out, self.published + timedelta(days=candidate.offset_days), 0.9)

    def _ago(self, candidate: _Candidate, out: _Resolved) -> None:
        unit, count, published = candidate.unit, candidate.count, self.published
        if candidate.exact_day:
            out.precision = DatePrecision.DAY
            if published is not None:
                if unit == "day":
                    day = published - timedelta(days=count)
                elif unit == "week":
                    day = published - timedelta(weeks=count)
                else:
                    year, month = _add_months(
                        published.year, published.month, -count * (12 if unit == "year" else 1)
                    )
                    day = date(year, month, min(published.day, calendar.monthrange(year, month)[1]))
                self._set_day(out, day, 0.85)
            return
        out.precision = {
            "day": DatePrecision.DAY,
            "week": DatePrecision.WEEK,
            "month": DatePrecision.MONTH,
        }.get(unit, DatePrecision.YEAR)
        if published is None:
            return
        out.confidence = 0.85
        if unit == "week":
            out.value = _iso_week(published - timedelta(weeks=count))
        elif unit == "month":
            year, month = _add_months(published.year, published.month, -count)
            out.value = f"{year:04d}-{month:02d}"
        else:
            out.value = str(published.year - count * (10 if unit == "decade" else 1))

    def _period(self, candidate: _Candidate, out: _Resolved) -> None:
        unit, published = candidate.unit, self.published
        out.precision = {
            "week": DatePrecision.WEEK,
            "month": DatePrecision.MONTH,
            "year": DatePrecision.YEAR,
        }.get(unit, DatePrecision.DAY)
        if published is None:
            return
        offset, out.confidence = candidate.direction or 0, 0.85
        if unit == "week":
            if published.weekday() == 6 and offset == -1:
                offset, out.confidence = 0, 0.7  # on a Sunday, "last week" is the week ending that day
            out.value = _iso_week(published + timedelta(weeks=offset))
        elif unit == "month":
            year, month = _add_months(published.year, published.month, offset)
            out.value = f"{year:04d}-{month:02d}"
        elif unit == "year":
            out.value = str(published.year + offset)
        else:
            saturday = _weekend_saturday(published, candidate.direction, out.tense)
            out.value, out.end_value, out.confidence = (
                saturday.isoformat(),
                (saturday + timedelta(days=1)).isoformat(),
                0.7,
            )

    def resolve_time(self, candidate: _Candidate, day: date | None, confidence: float) -> _Resolved:
        out = _Resolved(
            candidate.start,
            candidate.end,
            TemporalKind.TIME,
            DatePrecision.DATETIME,
            self.context.sentence_of(candidate.start),
            self.context.tense(candidate.start, candidate.end),
        )
        if candidate.rule == "iso":
            assert candidate.year and candidate.month and candidate.day
            day, confidence = date(candidate.year, candidate.month, candidate.day), 0.95
        if day is None:
            return out
        offset = candidate.utc_offset
        if offset is None:
            offset = _zone_offset(candidate.zone, day, candidate.hour, candidate.minute)
        if offset is None and candidate.pair is not None:
            pair_hour, pair_minute, pair_zone = candidate.pair
            pair_offset = _zone_offset(pair_zone, day, pair_hour, pair_minute)
            if pair_offset is not None:
                offset = _offset_from_pair(
                    candidate.hour, candidate.minute, pair_hour, pair_minute, pair_offset
                )
        value = f"{day.isoformat()}T{candidate.hour:02d}:{candidate.minute:02d}"
        if offset is not None:
            value += _format_offset(offset)
        out.value, out.day, out.confidence = value, day, confidence
        return out


# ---------------------------------------------------------------------------------------------
# Clock times: their zone and their day


def _zone_offset(zone: str | None, day: date, hour: int, minute: int) -> int | None:
    """Minutes east of UTC of a zone written after a time, on that day; None when local or unknown."""
    if not zone:
        return None
    key = _phrase(zone)
    if key in _LOCAL_ZONES:
        return None
    key = key.removesuffix(" time")
    if key in _FIXED_ZONES:
        return _FIXED_ZONES[key]
    name = _NAMED_ZONES.get(key)
    if name is None:
        return None
    offset = ZoneInfo(name).utcoffset(datetime(day.year, day.month, day.day, hour, minute))
    return None if offset is None else int(offset.total_seconds() // 60)


def _offset_from_pair(
    hour: int, minute: int, other_hour: int, other_minute: int, other_offset: int
) -> int | None:
    """The offset of a local time, from another time that names the same instant in a known zone."""
    minutes = (hour * 60 + minute) - (other_hour * 60 + other_minute) + other_offset
    while minutes > 14 * 60:
        minutes -= 24 * 60
    while minutes < -12 * 60:
        minutes += 24 * 60
    return minutes if minutes % 15 == 0 else None


def _format_offset(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    minutes = abs(minutes)
    return f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"


_PAIR_GAP = re.compile(r"[\s,;/(]*(?:in\s+)?(?:[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?)?[\s,;/(]*")


def _pair_times(times: list[_Candidate], text: str) -> None:
    """ "6:27 p.m. Cairo, 11:27 a.m. ET": a zoneless time beside a zoned one names the same instant."""
    for first, second in itertools.pairwise(times):
        gap = text[first.end : second.start]
        if len(gap) > 24 or "\n" in gap or not _PAIR_GAP.fullmatch(gap):
            continue
        for zoneless, zoned in ((first, second), (second, first)):
            if (
                zoneless.pair is None
                and not zoneless.zone
                and zoned.zone
                and _phrase(zoned.zone) not in _LOCAL_ZONES
            ):
                zoneless.partner = zoned


@dataclass(slots=True)
class _Days:
    """The expressions that name one day, in text order, for clock times to attach to."""

    days: list[_Resolved]
    starts: list[int]
    by_sentence: dict[int, list[_Resolved]]

    @classmethod
    def of(cls, resolved: Sequence[_Resolved]) -> _Days:
        days = sorted((r for r in resolved if r.day is not None), key=lambda r: r.start)
        by_sentence: dict[int, list[_Resolved]] = {}
        for day in days:
            by_sentence.setdefault(day.sentence, []).append(day)
        return cls(days, [d.start for d in days], by_sentence)

    def near(self, start: int, end: int, sentence: int) -> list[_Resolved]:
        """Days in the same sentence, or a few characters away (a splitter may cut "9 a.m. | on Monday")."""
        low = bisect.bisect_left(self.starts, start - _TIME_DAY_GAP - 40)
        high = bisect.bisect_right(self.starts, end + _TIME_DAY_GAP)
        close = [
            d
            for d in self.days[low:high]
            if d.end >= start - _TIME_DAY_GAP and d.start <= end + _TIME_DAY_GAP
        ]
        return [*self.by_sentence.get(sentence, ()), *close]

    def last_before(self, position: int) -> _Resolved | None:
        index = bisect.bisect_left(self.starts, position) - 1
        while index >= 0 and self.days[index].end > position:
            index -= 1
        return self.days[index] if index >= 0 else None


# Characters between a clock time and a day that still make them one ("at 3pm on Tuesday").
_TIME_DAY_GAP = 30


def _offsets_from_partners(times: list[_Candidate], resolved: dict[int, _Resolved]) -> None:
    """A zoneless time paired with a zoned one ("6:27 p.m. Cairo, 11:27 a.m. ET") gets the offset they imply."""
    for candidate in times:
        mine = resolved[candidate.start]
        theirs = resolved.get(candidate.partner.start) if candidate.partner is not None else None
        if mine.value is None or theirs is None or theirs.value is None:
            continue
        other = datetime.fromisoformat(theirs.value)
        other_offset = other.utcoffset()
        if other_offset is None:  # the partner's zone was "local": nothing to learn from it
            continue
        minutes = int(other_offset.total_seconds() // 60)
        offset = _offset_from_pair(candidate.hour, candidate.minute, other.hour, other.minute, minutes)
        if offset is not None:
            mine.value += _format_offset(offset)


def _time_day(candidate: _Candidate, days: _Days, context: _Context) -> tuple[date | None, float]:
    """The day a clock time belongs to.

    A weekday written inside it ("9:49 a.m. Monday ET"); else the nearest day named in its sentence
    or right beside it; else the last day named before it in its paragraph (the day being narrated);
    else the publication day, with little confidence: across paragraphs the last day named is as
    often a past event mentioned in passing as the day of the time ("Update 4:10 p.m. ET").
    """
    if candidate.weekday is not None and context.published is not None:
        tense = context.tense(candidate.start, candidate.end)
        return _weekday_date(candidate.weekday, context.published, None, tense)[0], 0.8
    sentence = context.sentence_of(candidate.start)
    paragraph = context.sentences[sentence].paragraph
    near = [
        d
        for d in days.near(candidate.start, candidate.end, sentence)
        if context.sentences[d.sentence].paragraph == paragraph
    ]
    if near:
        nearest = min(
            near,
            key=lambda d: (
                max(d.start - candidate.end, candidate.start - d.end, 0),
                d.start > candidate.start,
            ),
        )
        return nearest.day, 0.85
    earlier = days.last_before(candidate.start)
    if earlier is not None and context.sentences[earlier.sentence].paragraph == paragraph:
        return earlier.day, 0.6
    return context.published, 0.4


_MERGE_GAP = re.compile(r"\s*,?\s*(?:\(|,|-|—|–)?\s*(?:(?i:on|le|am|el|il)\s+)?")


def _merge_pairs(resolved: list[_Resolved], text: str) -> list[_Resolved]:
    """ "Yesterday (30 November)", "on Sunday, 30 November": one expression, and the written date wins."""
    merged: list[_Resolved] = []
    for item in resolved:
        previous = merged[-1] if merged else None
        if (
            previous is not None
            and previous.kind in (TemporalKind.RELATIVE_DAY, TemporalKind.WEEKDAY)
            and item.kind is TemporalKind.EXPLICIT
            and item.start - previous.end <= 6
            and _MERGE_GAP.fullmatch(text, previous.end, item.start)
        ):
            end = (
                item.end + 1
                if text[item.end : item.end + 1] == ")" and "(" in text[previous.end : item.start]
                else item.end
            )
            agrees = previous.value is not None and previous.value == item.value
            confidence = min(0.99, item.confidence + 0.04) if agrees else item.confidence
            merged[-1] = _Resolved(
                previous.start,
                end,
                TemporalKind.EXPLICIT,
                item.precision,
                previous.sentence,
                item.tense or previous.tense,
                item.value,
                None,
                confidence,
                item.day,
            )
            continue
        merged.append(item)
    return merged


# ---------------------------------------------------------------------------------------------
# The stage


def _writable(value: str | None) -> bool:
    return value is None or bool(_FOUR_DIGIT_YEAR.match(value))


_FOUR_DIGIT_YEAR = re.compile(r"(?!0000)\d{4}(?!\d)")


def _language_code(language: str | None) -> str:
    code = (language or "en").replace("_", "-").split("-")[0].lower()
    return code if code in _LEXICONS else "en"


# Which anchor words each rule needs nearby, and how far (characters before, after) a match may reach
# from one. Scanning only these windows, not the whole text, is what keeps the stage fast.
_RULE_ANCHOR = {
    "iso": "digit", "numeric": "digit", "year": "digit", "decade": "digit", "time": "digit",
    "range_years": "digit", "range_days": "month", "range_month_first": "month", "day_month": "month",
    "month_day": "month", "month_year": "month", "range_months": "month", "month": "month",
    "weekday": "weekday", "range_weekdays": "weekday", "relative_day": "relative", "ago": "unit",
    "period": "unit",
}  # fmt: skip
_ANCHOR_REACH = {
    "digit": (25, 45),
    "month": (40, 40),
    "weekday": (40, 40),
    "relative": (30, 30),
    "unit": (30, 15),
}


def _anchor_windows(
    text: str, tokens: list[tuple[int, str]], grammar: _Grammar
) -> dict[str, list[tuple[int, int]]]:
    """Stretches of text around anchor words, merged per anchor class, widened to whitespace."""
    windows: dict[str, list[tuple[int, int]]] = {}
    anchors = grammar.anchors
    compound_weekdays = tuple(grammar.lexicon.weekdays) if grammar.lexicon.compound_part_of_day else ()
    length = len(text)
    for start, word in tokens:
        found = anchors.get(word)
        if found is not None:
            kind = found
        elif word[0].isdigit() or (word[0] in "'’" and word[1:2].isdigit()):
            kind = "digit"
        elif "'" in word or "’" in word:
            found = anchors.get(_anchor_key(word))  # "Monday's", "aujourd'hui"
            if found is None:
                continue
            kind = found
        elif compound_weekdays and word.lower().startswith(compound_weekdays):
            kind = "weekday"  # "Sonntagabend"
        else:
            continue
        before, after = _ANCHOR_REACH[kind]
        low, high = max(0, start - before), min(length, start + len(word) + after)
        spans = windows.setdefault(kind, [])
        if spans and low <= spans[-1][1]:
            spans[-1] = (spans[-1][0], high)
        else:
            spans.append((low, high))
    for spans in windows.values():
        for index, (low, high) in enumerate(spans):
            while low > 0 and not text[low - 1].isspace():
                low -= 1
            while high < length and not text[high].isspace():
                high += 1
            spans[index] = (low, high)
    return windows


def _candidates(text: str, tokens: list[tuple[int, str]], grammar: _Grammar) -> list[_Candidate]:
    parser = _Parser(text, grammar)
    windows = _anchor_windows(text, tokens, grammar)
    found: list[_Candidate] = []
    seen: set[tuple[str, int, int]] = set()
    for rule, pattern in grammar.patterns:
        for low, high in windows.get(_RULE_ANCHOR[rule], ()):
            for match in pattern.finditer(text, low, high):
                key = (rule, match.start(), match.end())
                if key in seen:
                    continue  # windows widened to whitespace may touch: a match at the seam is found twice
                seen.add(key)
                candidate = parser.parse(rule, match)
                if candidate is not None and candidate.end > candidate.start:
                    found.append(candidate)
    return found


def _select(candidates: list[_Candidate]) -> list[_Candidate]:
    """Non-overlapping candidates: the longest, then the most specific rule, wins each stretch of text."""
    ordered = sorted(candidates, key=lambda c: (-c.length, _RULE_PRIORITY[c.rule], c.start))
    starts: list[int] = []
    ends: list[int] = []
    chosen: list[_Candidate] = []
    for candidate in ordered:
        position = bisect.bisect_left(starts, candidate.start)
        if position > 0 and ends[position - 1] > candidate.start:
            continue
        if position < len(starts) and starts[position] < candidate.end:
            continue
        starts.insert(position, candidate.start)
        ends.insert(position, candidate.end)
        chosen.append(candidate)
    chosen.sort(key=lambda c: c.start)
    return chosen


def find_temporal_expressions(
    text: str, sentences: Sequence[Sentence], published: datetime | None, language: str | None
) -> tuple[TemporalExpression, ...]:
    """Every date and time expression in ``text``, resolved against the publication date.

    ``sentences`` index ``text`` (their start/end are offsets into it); each expression names the
    sentence it starts in. ``published`` may be naive or aware (its own local day counts) or None,
    which leaves relative expressions with ``value=None`` and confidence 0. Languages other than
    English, French, German, Spanish and Italian are read with the English rules. Without
    sentences nothing can be pointed at, and the result is empty.
    """
    if not text or not sentences:
        return ()
    grammar = _grammar(_language_code(language))
    tokens = [(m.start(), m.group()) for m in _TOKEN.finditer(text)]
    context = _Context(
        text=text,
        published=published.date() if published is not None else None,
        grammar=grammar,
        sentences=sentences,
        sentence_starts=[s.start for s in sentences],
        tokens=tokens,
        token_starts=[start for start, _ in tokens],
        tenses={},
    )
    resolver = _Resolver(context)
    chosen = _select(_candidates(text, tokens, grammar))
    resolved = [resolver.resolve(c) for c in chosen if c.kind is not TemporalKind.TIME]
    days = _Days.of(resolved)

    times = [c for c in chosen if c.kind is TemporalKind.TIME]
    _pair_times([c for c in times if c.rule == "time"], text)
    resolved_times: dict[int, _Resolved] = {}
    for candidate in times:
        day, confidence = _time_day(candidate, days, context)
        try:
            resolved_times[candidate.start] = resolver.resolve_time(candidate, day, confidence)
        except (ValueError, OverflowError):  # a zone's offset at the edge of the calendar
            resolved_times[candidate.start] = resolver.resolve_time(candidate, None, 0.0)
    _offsets_from_partners(times, resolved_times)

    ordered = sorted([*resolved, *resolved_times.values()], key=lambda r: r.start)
    for item in ordered:
        if not _writable(item.value) or not _writable(item.end_value):
            item.value = item.end_value = None  # before year 1 or after 9999: ISO 8601 cannot say it
    return tuple(
        TemporalExpression(
            text=text[r.start : r.end],
            start=r.start,
            end=r.end,
            kind=r.kind,
            value=r.value,
            precision=r.precision,
            confidence=round(r.confidence, 2) if r.value is not None else 0.0,
            sentence=r.sentence,
            end_value=r.end_value if r.value is not None else None,
            tense=r.tense,
        )
        for r in _merge_pairs(ordered, text)
    )
