"""Key figures: the numbers in an article with what they count, their unit and their qualifier.

"nearly 58,000 repair workers" becomes value 58000, counted "repair workers",
qualifier "nearly"; "19.3% of Ukrainian territory" value 19.3, unit "%",
counted "Ukrainian territory". The stage is rules over the raw text, so it
runs for every language; where a spaCy doc exists (English, French) its
part-of-speech tags choose the counted noun phrase, otherwise the words after
the number are read with a best-effort rule.

How a figure is read: a numeral (digits in the language's own number format,
number words in English and French, vague magnitudes such as "tens of
thousands", fractions such as "half"), then what stands to its left (sign,
currency, qualifier) and to its right (multiplier, range, unit, a conversion
in brackets, the counted noun phrase). Numbers that are not figures are
refused on the way: years, dates, clock times, ages, list numbering, street
and phone numbers, identifiers ("G7", "Su-34", "Article 5", "No. 10"),
versions, scores ("2-1").

Decisions worth knowing:

* A conversion in brackets right after a figure with a unit of the same
  kind ("-16°C (3°F)", "701 sq km (270 sq miles)", "£2.5m ($3.2m)") is one
  figure: the span covers both, the value and unit are the first. The same
  quantity counted twice would mislead any total or comparison.
* A qualifier applies to the number it stands before: in "almost 500 drones
  and 40 missiles" the 40 is exact. Wire copy repeats the qualifier when it
  means both, and leaving a stated number exact is the safer error.
* A count with no noun after it borrows the counted noun of the previous
  count in its sentence: "killed four civilians and injured around 40" is
  about 40 civilians.
* Vague magnitudes are ranges with the qualifier "several": "hundreds of
  drones" is 200 to 1,000, "tens of thousands" 20,000 to 100,000, "dozens"
  24 to 120 (at least two of the unit, at most ten). French approximate
  collectives are single values: "une dizaine de blessés" is about 10.
* Fractions ("half", "two-thirds", "one in five") have the unit "fraction"
  and a value between 0 and 1; "half a million" is a count of 500,000.
* Ordinals are figures only where they count a run: "for a third
  consecutive night" is 3 nights; "the third round" is not a figure.
* Spelled-out numbers are figures only with a noun or unit after them ("two
  children") or an elided noun to borrow; "the two met", "one of the", "no
  one" and anaphoric "the two leaders" are not. A spelled-out number joined
  to a word by a hyphen is a figure only when that word is a unit ("a
  three-day visit", not "a two-state solution"); digits joined the same way
  always are ("a 28-point plan": unit "point", counted "plan").
* "less than" becomes "fewer than" for counts, as English grammar has it;
  qualifiers in other languages map to the same English names.
* Every figure lies inside one sentence; without sentences there is nothing
  to point a figure at, so none are found.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dateline.models import Figure, Sentence

if TYPE_CHECKING:
    import spacy.tokens

VERSION = "figures.v1"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Languages that write "19,3" for 19.3 and group thousands with spaces or dots.
_DECIMAL_COMMA_LANGUAGES = _word_set(
    "fr de es it pt ru uk pl nl tr sv da nb nn no fi cs sk ro hu bg hr sr sl el lt lv et id vi ca eu gl be "
    "kk az"
)
_DASHES = "-\u2010\u2011\u2012\u2013\u2014\u2212"
_SP = r"[ \u00a0\u202f\u2009]"  # one space of any width inside a figure

# ---------------------------------------------------------------- numerals

# Group separators are only taken after a 1-3 digit head and before exact 3-digit groups,
# so "in 2023 500 people" stays two numbers; which mark is the decimal one is decided later.
_DIGITS = r"\d{1,3}(?:[,.'’\u00a0\u202f\u2009\u2007 ]\d{3}(?!\d))+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_DIGITS_RE = re.compile(_DIGITS)

_EN_WORD_VALUES = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15,
    "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30,
    "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_FR_WORD_VALUES = {
    "zéro": 0, "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
    "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "treize": 13, "quatorze": 14, "quinze": 15,
    "seize": 16, "vingt": 20, "vingts": 20, "trente": 30, "quarante": 40, "cinquante": 50, "soixante": 60,
}  # fmt: skip
# Scales that multiply only the words since the last big scale ("two hundred").
_SMALL_SCALES = {"hundred": 100.0, "dozen": 12.0, "cent": 100.0, "cents": 100.0}
# Scales that close a group ("two million three hundred thousand").
_BIG_SCALES = {
    "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "mille": 1e3, "millions": 1e6, "milliard": 1e9, "milliards": 1e9,
}  # fmt: skip

# Magnitude words after digits: "1.5 million", "$3bn", "300 millions", "5 Mrd.".
_MULTIPLIERS = {
    "k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "mln": 1e6, "million": 1e6, "millions": 1e6,
    "bn": 1e9, "b": 1e9, "billion": 1e9, "billions": 1e9, "tn": 1e12, "trillion": 1e12,
    "milliard": 1e9, "milliards": 1e9, "md": 1e9, "mds": 1e9, "mrd": 1e9, "mrd.": 1e9,
    "mio": 1e6, "mio.": 1e6, "millionen": 1e6, "milliarde": 1e9, "milliarden": 1e9, "tausend": 1e3,
    "millones": 1e6, "mil millones": 1e9, "milioni": 1e6, "miliardi": 1e9, "mila": 1e3,
    "млн": 1e6, "млн.": 1e6, "млрд": 1e9, "млрд.": 1e9, "тыс.": 1e3, "тис.": 1e3,
}  # fmt: skip
_MULTIPLIER_RE = re.compile(
    rf"(?P<space>{_SP}?)(?P<mult>"
    + "|".join(re.escape(w) for w in sorted(_MULTIPLIERS, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
# Single letters are multipliers only when glued to the digits and the reading is money or a count.
_LETTER_MULTIPLIERS = frozenset({"k", "m", "b"})

_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "fifteenth": 15, "twentieth": 20,
    "hundredth": 100, "thousandth": 1000,
    "premier": 1, "première": 1, "deuxième": 2, "troisième": 3, "quatrième": 4, "cinquième": 5,
    "sixième": 6, "septième": 7, "huitième": 8, "neuvième": 9, "dixième": 10, "vingtième": 20,
    "centième": 100, "millième": 1000,
}  # fmt: skip

# Vague magnitudes: (low, high) of what the phrase allows.
_VAGUE = {
    "dozens": (24.0, 120.0), "scores": (40.0, 200.0), "hundreds": (200.0, 1e3), "thousands": (2e3, 1e4),
    "millions": (2e6, 1e7), "billions": (2e9, 1e10), "tens of thousands": (2e4, 1e5),
    "hundreds of thousands": (2e5, 1e6), "tens of millions": (2e7, 1e8), "hundreds of millions": (2e8, 1e9),
    "dozen": (24.0, 120.0), "hundred": (200.0, 1e3), "thousand": (2e3, 1e4), "million": (2e6, 1e7),
    "dizaines": (20.0, 100.0), "centaines": (200.0, 1e3), "milliers": (2e3, 1e4), "milliards": (2e9, 1e10),
    "dizaines de milliers": (2e4, 1e5), "centaines de milliers": (2e5, 1e6), "dizaines de millions": (2e7, 1e8),
}  # fmt: skip
_VAGUE_LEADS = ("several ", "a few ", "many ", "des ", "plusieurs ", "quelques ")
# "une dizaine de blessés": about ten, not a vague plural.
_FR_COLLECTIVES = {
    "dizaine": 10.0, "douzaine": 12.0, "quinzaine": 15.0, "vingtaine": 20.0, "trentaine": 30.0,
    "quarantaine": 40.0, "cinquantaine": 50.0, "soixantaine": 60.0, "centaine": 100.0, "millier": 1000.0,
}  # fmt: skip

_FRACTIONS = {
    "half": 0.5, "a half": 0.5, "one half": 0.5, "third": 1 / 3, "thirds": 1 / 3, "quarter": 0.25,
    "quarters": 0.25, "fifth": 0.2, "fifths": 0.2, "tenth": 0.1, "tenths": 0.1,
    "la moitié": 0.5, "tiers": 1 / 3, "quart": 0.25, "quarts": 0.25,
}  # fmt: skip
_FRACTION_COUNTS = {"a": 1, "one": 1, "two": 2, "three": 3, "un": 1, "deux": 2, "trois": 3}
_SCALE_OF_HALF = {"dozen": 12.0, "hundred": 100.0, "thousand": 1e3, "million": 1e6, "billion": 1e9}

_EN_NUMBER_WORD = "|".join(
    sorted(
        [*_EN_WORD_VALUES, "hundred", "thousand", "million", "billion", "trillion", "dozen"],
        key=len,
        reverse=True,
    )
)
_FR_NUMBER_WORD = "|".join(
    sorted([*_FR_WORD_VALUES, "cents?", "mille", "millions?", "milliards?"], key=len, reverse=True)
)
_HALF_LEAD = r"(?<!first )(?<!second )(?<!the )(?<!in )(?<!other )"


def _numeral_pattern(language: str) -> re.Pattern[str]:
    """One regex for every kind of numeral a language writes; the group name says which kind matched."""
    parts: list[str] = []
    if language in ("en", ""):
        parts += [
            r"(?P<half_scale>\b(?:half\s+a|a\s+quarter(?:\s+of\s+a)?)\s+(?:dozen|hundred|thousand|million|billion)\b)",
            r"(?P<vague>\b(?:(?:several|a\s+few|many)\s+(?:dozen|hundred|thousand|million)"
            r"|(?:tens|hundreds)\s+of\s+(?:thousands|millions)"
            r"|(?:dozens|scores|hundreds|thousands|millions|billions)(?!\s+and\s+\w+(?:th|st|nd|rd)\b))\b)",
            r"(?P<ratio>\b(?:one|two|three|four|1|2|3|4)\s+in\s+(?:every\s+)?"
            r"(?:two|three|four|five|six|seven|eight|nine|ten|\d{1,3})\b(?!\s*(?:%|per|,\d)))",
            r"(?P<fraction>\b(?:(?:a|one)[\s-](?:third|quarter|fifth|tenth)"
            r"(?=\s+of\b|\s*[,.;:)]|\s*$|\s+(?:and|or|from|since|in|on|to|last|this|over|after|than)\b)"
            r"|(?:two|three)[\s-](?:thirds|quarters|fifths|tenths)"
            rf"|{_HALF_LEAD}(?:a\s+|one\s+)?half(?=\s+(?:of|the|a|an|its|their|his|her|our|this|these|those)\b)))",
            r"(?P<words>\b(?:a\s+(?=(?:dozen|hundred|thousand|million|billion|trillion)\b))?"
            rf"(?:{_EN_NUMBER_WORD})(?:(?:[\s-]+|\s+and\s+)(?:{_EN_NUMBER_WORD}))*\b)",
            r"(?P<ordinal>\b(?:"
            + "|".join(w for w in _ORDINAL_WORDS if w.isascii() and w != "premier")
            + r")\b)",
        ]
    if language in ("fr", ""):
        parts += [
            r"(?P<vague_fr>\b(?:des|plusieurs|quelques)\s+(?:dizaines|centaines|milliers|millions|milliards)"
            r"(?:\s+de\s+(?:milliers|millions))?(?=\s+(?:de|d['’])))",
            r"(?P<collective>\b(?:une|un)\s+(?:" + "|".join(_FR_COLLECTIVES) + r")(?=\s+(?:de|d['’])))",
            r"(?P<fraction_fr>\b(?:la\s+moitié|(?:un|deux)\s+tiers|(?:un|trois)\s+quarts?)(?=\s+(?:de|d['’]|des|du)))",
            rf"(?P<words_fr>\b(?:{_FR_NUMBER_WORD})(?:(?:[\s-]+|\s+et\s+|-et-)(?:{_FR_NUMBER_WORD}))*\b)",
            r"(?P<ordinal_fr>\b(?:"
            + "|".join(w for w in _ORDINAL_WORDS if not w.isascii() or w == "premier")
            + r")\b)",
        ]
    parts.append(rf"(?P<digits>(?<![\d.,])(?:{_DIGITS}))")
    return re.compile("|".join(parts), re.IGNORECASE)


_NUMERAL_RE = {key: _numeral_pattern(key) for key in ("en", "fr")}
_DIGITS_ONLY_RE = re.compile(rf"(?P<digits>(?<![\d.,])(?:{_DIGITS}))")
# The numeral regex is tried only where a numeral can start: at digits, or at a word that can open one.
# Scanning every position with the full alternation would cost several milliseconds per article.
_NUMERAL_FIRST_WORDS = {
    "en": frozenset(_EN_WORD_VALUES)
    | {w for w in _ORDINAL_WORDS if w.isascii()}
    | _word_set(
        "a half several many tens hundred thousand million billion trillion dozen dozens scores hundreds "
        "thousands millions billions"
    ),
    "fr": frozenset(_FR_WORD_VALUES)
    | {w for w in _ORDINAL_WORDS if not w.isascii()}
    | _word_set("premier des plusieurs quelques la cent cents mille million millions milliard milliards"),
}


def _trie_alternation(words: frozenset[str]) -> str:
    """A regex alternation of ``words`` factored by common prefixes: far faster to scan than a flat one."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = "(?:" + "|".join(branches) + ")"
        return body + "?" if "" in node else body

    return pattern(trie)


# Scanners over the lower-cased text (same length as the text, checked before use); the
# case-insensitive twin serves the rare text whose lower-casing changes its length.
_SCANNERS = {
    language: (
        re.compile(rf"\d+|\b{_trie_alternation(words)}\b"),
        re.compile(rf"\d+|\b{_trie_alternation(words)}\b", re.IGNORECASE),
    )
    for language, words in _NUMERAL_FIRST_WORDS.items()
}
_DIGIT_RUN_RE = re.compile(r"\d+")
_WORD_PIECE_RE = re.compile(r"[^\W\d_]+")
_AND_A_HALF_RE = re.compile(
    rf"(?:(?:{_SP}+|-)(?:and(?:{_SP}+|-)a(?:{_SP}+|-)half|et{_SP}+demie?)\b|[½])"
    rf"(?P<scale>{_SP}+(?:million|billion|trillion|thousand|millions|milliards?)\b)?",
    re.IGNORECASE,
)
_GLUED_FRACTIONS = {"½": 0.5, "¼": 0.25, "¾": 0.75}

# ---------------------------------------------------------------- units

_CURRENCY_SYMBOLS = {
    "$": "USD", "us$": "USD", "a$": "AUD", "au$": "AUD", "c$": "CAD", "ca$": "CAD", "nz$": "NZD",
    "hk$": "HKD", "s$": "SGD", "sg$": "SGD", "cdn$": "CAD", "can$": "CAD", "mx$": "MXN", "nt$": "TWD", "r$": "BRL", "€": "EUR", "£": "GBP", "¥": "JPY", "₴": "UAH",
    "₽": "RUB", "₹": "INR", "₩": "KRW", "₺": "TRY", "₪": "ILS", "₿": "BTC", "rs": "INR", "rs.": "INR",
}  # fmt: skip
_ISO_CURRENCIES = sorted(
    _word_set("USD EUR GBP JPY CNY UAH RUB INR CHF CAD AUD NZD HKD SEK NOK DKK PLN TRY KRW BRL ZAR")
)
_CURRENCY_PREFIX_RE = re.compile(
    r"(?:(?<=[\s(\[\"'“‘/–-])|^)(?P<cur>(?:US|AU|NZ|HK|NT|CDN|CAN|CA|SG|MX|A|C|S|R)?\$|[€£¥₴₽₹₩₺₪₿]|Rs\.?|"
    + "|".join(_ISO_CURRENCIES)
    + rf"){_SP}?$"
)
_CURRENCY_WORDS = {
    "dollars": "USD", "dollar": "USD", "us dollars": "USD", "u.s. dollars": "USD", "american dollars": "USD",
    "canadian dollars": "CAD", "australian dollars": "AUD", "hong kong dollars": "HKD",
    "new zealand dollars": "NZD", "euros": "EUR", "euro": "EUR", "pounds sterling": "GBP", "sterling": "GBP",
    "hryvnias": "UAH", "hryvnia": "UAH", "hryvnas": "UAH", "hryvnya": "UAH", "roubles": "RUB", "rubles": "RUB",
    "rouble": "RUB", "ruble": "RUB", "yuan": "CNY", "renminbi": "CNY", "yen": "JPY", "rupees": "INR",
    "swiss francs": "CHF", "francs": "CHF", "dollari": "USD", "dólares": "USD", "us-dollar": "USD",
    "livres sterling": "GBP", "francs suisses": "CHF", "доларів": "USD", "долларов": "USD", "гривень": "UAH",
    "гривні": "UAH", "рублів": "RUB", "рублей": "RUB", "євро": "EUR", "евро": "EUR",
}  # fmt: skip
_CURRENCY_SUFFIX_RE = re.compile(
    rf"(?P<space>{_SP}?)(?:(?:de{_SP}|d['’]))?(?P<cur>[€$£₴₽]|"
    + "|".join(_ISO_CURRENCIES)
    + "|"
    + "|".join(re.escape(w) for w in sorted(_CURRENCY_WORDS, key=len, reverse=True))
    + r")(?![\w])",
    re.IGNORECASE,
)
# "pounds" is money after a multiplier ("3 million pounds") and weight otherwise ("500 pounds of explosives").
_POUNDS_RE = re.compile(rf"{_SP}pounds?(?P<sterling>{_SP}sterling)?(?![\w])", re.IGNORECASE)

# Unit words and abbreviations read without regard to case -> canonical unit.
_UNIT_WORDS = {
    # area
    "square kilometres": "km2", "square kilometers": "km2", "square kilometre": "km2",
    "square kilometer": "km2", "square km": "km2", "sq km": "km2", "sq. km": "km2", "sq kms": "km2",
    "km2": "km2", "km²": "km2", "kilomètres carrés": "km2", "km carrés": "km2", "square miles": "mi2",
    "square mile": "mi2", "sq miles": "mi2", "sq mi": "mi2", "sq. miles": "mi2", "mi2": "mi2", "mi²": "mi2",
    "square feet": "ft2", "square foot": "ft2", "sq ft": "ft2",
    "square metres": "m2", "square meters": "m2", "sq m": "m2", "m2": "m2", "m²": "m2",
    "mètres carrés": "m2", "hectares": "ha", "hectare": "ha", "acres": "acre", "acre": "acre",
    # length
    "kilometres": "km", "kilometers": "km", "kilometre": "km", "kilometer": "km", "kilomètres": "km",
    "kilomètre": "km", "km": "km", "kms": "km", "metres": "m", "meters": "m", "metre": "m", "meter": "m",
    "mètres": "m", "mètre": "m", "centimetres": "cm", "centimeters": "cm", "cm": "cm", "millimetres": "mm",
    "millimeters": "mm", "mm": "mm", "nautical miles": "nmi", "miles": "mi", "mile": "mi", "feet": "ft",
    "foot": "ft", "ft": "ft", "inches": "in", "inch": "in", "yards": "yd",
    # mass
    "kilograms": "kg", "kilogrammes": "kg", "kilogram": "kg", "kilos": "kg", "kg": "kg", "kgs": "kg",
    "metric tons": "t", "tonnes": "t", "tonne": "t", "tons": "t", "ton": "t", "grams": "g", "grammes": "g",
    "lbs": "lb", "lb": "lb", "ounces": "oz", "milligrams": "mg", "mg": "mg",
    "gallons": "gal", "gallon": "gal", "millilitres": "ml", "milliliters": "ml", "ml": "ml",
    # multiples: "2.6 times more lethal"
    "times": "×",
    # speed
    "km/h": "km/h", "kph": "km/h", "kmh": "km/h", "kilometres per hour": "km/h",
    "kilometers per hour": "km/h", "mph": "mph", "miles per hour": "mph", "knots": "kn",
    "m/s": "m/s", "metres per second": "m/s", "meters per second": "m/s",
    # volume and flow
    "barrels per day": "bbl/d", "barrels a day": "bbl/d", "bpd": "bbl/d", "barrels": "bbl", "barrel": "bbl",
    "cubic metres": "m3", "cubic meters": "m3", "m3": "m3", "m³": "m3", "litres": "l", "liters": "l",
    "litre": "l", "liter": "l",
    # power and energy
    "megawatts": "MW", "megawatt": "MW", "gigawatts": "GW", "gigawatt": "GW", "kilowatts": "kW",
    "megawatt-hours": "MWh", "gigawatt-hours": "GWh", "terawatt-hours": "TWh", "kilowatt-hours": "kWh",
    # temperature
    "degrees celsius": "°C", "degrees centigrade": "°C", "degrees c": "°C", "degrees fahrenheit": "°F",
    "degrees f": "°F", "degrés celsius": "°C", "degrés": "°", "degrees": "°", "degree": "°",
    # proportions
    "per cent": "%", "percent": "%", "pc": "%", "pour cent": "%", "pour-cent": "%", "prozent": "%",
    "por ciento": "%", "per cento": "%", "percentage points": "pp", "percentage point": "pp",
    "percentage-point": "pp", "points de pourcentage": "pp", "point de pourcentage": "pp", "pp": "pp",
    "ppt": "pp", "prozentpunkte": "pp", "basis points": "bp", "basis point": "bp", "bps": "bp",
    "відсотків": "%", "відсотка": "%", "процентов": "%", "процента": "%",
    # time
    "years": "year", "year": "year", "yrs": "year", "months": "month", "month": "month", "weeks": "week",
    "week": "week", "days": "day", "day": "day", "hours": "hour", "hour": "hour", "hrs": "hour",
    "minutes": "minute", "minute": "minute", "mins": "minute", "seconds": "second", "decades": "decade",
    "decade": "decade", "centuries": "century", "century": "century", "nights": "night", "night": "night",
    "ans": "year", "an": "year", "années": "year", "année": "year", "mois": "month", "semaines": "week",
    "semaine": "week", "jours": "day", "jour": "day", "heures": "hour", "heure": "hour", "secondes": "second",
    "décennies": "decade", "siècles": "century", "nuits": "night",
    "jahre": "year", "jahren": "year", "monate": "month", "monaten": "month", "wochen": "week", "tage": "day",
    "tagen": "day", "tag": "day", "woche": "week", "monat": "month", "jahr": "year", "stunde": "hour",
    "sekunden": "second", "minuten": "minute", "hektar": "ha", "stunden": "hour", "años": "year", "meses": "month", "semanas": "week", "días": "day",
    "horas": "hour", "anni": "year", "mesi": "month", "settimane": "week", "giorni": "day", "ore": "hour",
    # stock-index and poll points: "the Dow fell 300 points"
    "points": "point", "point": "point",
    # earthquakes: "measuring 6.8 in magnitude"
    "in magnitude": "magnitude", "on the richter scale": "magnitude", "magnitude": "magnitude",
}  # fmt: skip
# Unit words that are ordinary words in other languages: read only in their own.
_UNIT_WORD_LANGUAGE = {
    "an": "fr", "ans": "fr", "ore": "it", "mesi": "it", "anni": "it", "tag": "de", "woche": "de",
    "monat": "de", "jahr": "de", "stunde": "de",
}  # fmt: skip
_UNIT_WORD_RE = re.compile(
    rf"(?P<space>{_SP}?)(?P<unit>"
    + "|".join(re.escape(w) for w in sorted(_UNIT_WORDS, key=len, reverse=True))
    + r")(?![\w²³])",
    re.IGNORECASE,
)
# Case matters for these: "MW" is megawatts, "mW" is not news; single letters only when glued ("3m", "5t").
_UNIT_SYMBOLS = {
    "%": "%", "‰": "‰", "MW": "MW", "GW": "GW", "kW": "kW", "TW": "TW", "MWh": "MWh", "GWh": "GWh",
    "TWh": "TWh", "kWh": "kWh", "°": "°", "bcm": "m3", "t": "t", "g": "g", "m": "m", "l": "l", "ha": "ha",
}  # fmt: skip
_GLUED_ONLY_SYMBOLS = frozenset({"t", "g", "l"})  # "75 m" is read, "5 t" and "3 l" are too easily words
_SYMBOL_FACTORS = {"bcm": 1e9}  # billion cubic metres
_UNIT_SYMBOL_RE = re.compile(
    rf"(?P<space>{_SP}?)(?P<unit>"
    + "|".join(re.escape(w) for w in sorted(_UNIT_SYMBOLS, key=len, reverse=True))
    + r")(?![\w²³])"
)
_TEMPERATURE_RE = re.compile(rf"{_SP}?(?:[°º˚]{_SP}?(?P<scale>[CF])|(?P<bare>[CF]))(?![\w])")

_DIMENSIONS = {
    "km2": "area", "mi2": "area", "ft2": "area", "m2": "area", "ha": "area", "acre": "area",
    "km": "length", "m": "length", "cm": "length", "mm": "length", "mi": "length", "ft": "length",
    "in": "length", "yd": "length", "nmi": "length", "kg": "mass", "t": "mass", "g": "mass", "lb": "mass",
    "oz": "mass", "mg": "mass", "gal": "volume", "ml": "volume", "km/h": "speed", "m/s": "speed", "mph": "speed", "kn": "speed", "°C": "temperature", "°F": "temperature",
    "°": "temperature", "l": "volume", "m3": "volume", "bbl": "volume", "bbl/d": "flow",
    "MW": "power", "GW": "power", "kW": "power", "TW": "power",
}  # fmt: skip
_TIME_UNITS = frozenset(
    {"year", "month", "week", "day", "hour", "minute", "second", "decade", "century", "night"}
)

# ---------------------------------------------------------------- qualifiers

_QUALIFIERS = {
    # English
    "nearly": "nearly", "almost": "almost", "about": "about", "around": "around", "roughly": "roughly",
    "approximately": "about", "approx.": "about", "circa": "about", "c.": "about", "some": "some",
    "an estimated": "about", "estimated": "about", "at least": "at least", "no fewer than": "at least",
    "no less than": "at least", "a minimum of": "at least", "at most": "at most", "no more than": "at most",
    "a maximum of": "at most", "more than": "more than", "in excess of": "more than",
    "upwards of": "more than", "above": "more than", "over": "over", "just over": "over",
    "well over": "over", "fewer than": "fewer than", "less than": "less than", "under": "less than",
    "below": "less than", "well under": "less than", "just under": "nearly", "close to": "nearly",
    "up to": "up to", "as many as": "up to", "as much as": "up to", "as high as": "up to",
    # French
    "près de": "nearly", "presque": "almost", "quasiment": "almost", "environ": "about", "quelque": "some",
    "autour de": "around", "aux alentours de": "around", "à peu près": "roughly", "au moins": "at least",
    "au minimum": "at least", "au plus": "at most", "plus de": "more than", "moins de": "less than",
    "jusqu'à": "up to", "jusqu’à": "up to", "un peu plus de": "over", "un peu moins de": "nearly",
    "pas moins de": "at least", "plus d'": "more than", "plus d’": "more than", "moins d'": "less than",
    "moins d’": "less than", "près d'": "nearly", "près d’": "nearly",
    # rules-only languages: German, Spanish, Italian, Ukrainian, Russian
    "mehr als": "more than", "über": "over", "fast": "almost", "knapp": "nearly", "rund": "around",
    "etwa": "about", "ungefähr": "about", "mindestens": "at least", "bis zu": "up to",
    "weniger als": "less than", "más de": "more than", "casi": "almost", "unos": "about", "unas": "about",
    "alrededor de": "around", "al menos": "at least", "hasta": "up to", "cerca de": "nearly",
    "menos de": "less than", "più di": "more than", "quasi": "almost", "almeno": "at least",
    "fino a": "up to", "oltre": "over", "meno di": "less than", "понад": "more than", "більше": "more than",
    "майже": "almost", "близько": "about", "щонайменше": "at least", "більш ніж": "more than",
    "менше": "less than", "более": "more than", "почти": "almost", "около": "about",
    "не менее": "at least", "свыше": "more than", "менее": "less than",
}  # fmt: skip
_QUALIFIER_RE = re.compile(
    r"(?:^|(?<=[\s(\[\"'“‘—–-]))(?P<q>"
    + "|".join(re.escape(q) for q in sorted(_QUALIFIERS, key=len, reverse=True))
    + rf")(?:{_SP}+|(?<=['’]))$",
    re.IGNORECASE,
)
_POST_QUALIFIER_RE = re.compile(
    rf"(?:{_SP}+(?P<words>or so|or more|and more|or above|ou plus|et plus)\b|(?P<glued>-odd|-plus|\+))",
    re.IGNORECASE,
)
_POST_QUALIFIERS = {
    "or so": "about", "-odd": "about", "or more": "at least", "ou plus": "at least", "and more": "at least",
    "et plus": "at least", "or above": "at least", "-plus": "more than", "+": "more than",
}  # fmt: skip

# ---------------------------------------------------------------- what is not a figure

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|"
    "janvier|février|fevrier|mars|avril|mai|juin|juillet|août|aout|septembre|octobre|novembre|décembre|"
    "decembre|janv|févr|juil|déc|Januar|Februar|März|Mai|Juni|Juli|Oktober|Dezember|"
    "enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre|noviembre|diciembre|"
    "gennaio|febbraio|aprile|maggio|giugno|luglio|settembre|ottobre|dicembre|"
    "січня|лютого|березня|квітня|травня|червня|липня|серпня|вересня|жовтня|листопада|грудня|"
    "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
)
_MONTH_WORDS = frozenset(month.lower() for month in _MONTHS.split("|"))
# Case-sensitive on purpose: English months are capitalised, "may" is a verb.
_WEEKDAYS = _word_set(
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun "
    "lundi mardi mercredi jeudi vendredi samedi dimanche montag dienstag mittwoch donnerstag freitag samstag "
    "sonntag lunes martes miércoles jueves viernes sábado domingo lunedì martedì mercoledì giovedì venerdì "
    "sabato domenica"
)
_DAY_RANGE_BEFORE_RE = re.compile(
    rf"(?:^|(?<=\W))(?:{_MONTHS})\.?{_SP}+\d{{1,2}}(?:st|nd|rd|th)?{_SP}*(?:[-–]|to|and|until|till|au|et){_SP}*$"
)
_MONTH_AFTER_RE = re.compile(
    rf"(?:st|nd|rd|th|er|e|\.)?(?:{_SP}+(?:of|de|di))?{_SP}+(?:{_MONTHS})(?![^\W\d_])"
)
_TIME_AFTER_RE = re.compile(
    rf"{_SP}?(?:[ap]\.?m\b\.?|h\d{{2}}\b|h(?![\w])|o['’]clock|(?:GMT|UTC|BST|CET|CEST|EET|EEST|EST|EDT|"
    r"PST|PDT|MSK|Uhr|local time)\b)",
    re.IGNORECASE,
)
_TIME_BEFORE_RE = re.compile(rf"(?:^|(?<=\W))(?:at|à|vers|um|from|until|till){_SP}+$", re.IGNORECASE)
_AGE_BEFORE_RE = re.compile(
    r"(?:^|(?<=\W))(?:aged|age|ages|aged between|aged from|age of|ages of|âgée?s? de|l['’]âge de|"
    rf"im alter von|di età di|de edad de){_SP}+$",
    re.IGNORECASE,
)
# "Smith, 45, said", "the princess, 67, announced", "Jane Doe (32)": a person, then an age in commas.
_NAME_BEFORE_RE = re.compile(rf"(?<![\w'’.-])[^\W\d_][\w'’.-]*(?:,|{_SP}?\(){_SP}*$")
# French gives ages as "un homme de 45 ans": a person noun, "de", a number of years.
_FR_PERSON_DE_RE = re.compile(
    r"(?:^|\s)(?:homme|femme|garçon|fille|enfant|bébé|adolescente?|jeune|retraitée?|soldat|victime|suspecte?|"
    r"conducteur|conductrice|passager|passagère|militaire|policier|policière|habitante?|mère|père|"
    rf"quadragénaire|trentenaire|sexagénaire)s?{_SP}+de{_SP}+$",
    re.IGNORECASE,
)
# Words that name the slot a number identifies: "Article 5", "page 12", "No. 10", "flight 17".
_IDENTIFIER_NOUNS = _word_set("""article articles section sections page pages chapter chapters paragraph clause item rule resolution
    amendment version number no nos n° nº room flight gate platform route highway line bus tram exit
    junction terminal level category grade stage phase round game match episode season act bill proposition
    figure fig table step unit block building apartment flat floor lot plot district zone sector channel
    track lane seat volume vol issue case type tier division battalion brigade regiment squadron model
    code annex annexe appendix week tel tél phone fax telefon alinéa chapitre numéro salle ligne porte étage point résolution paragraphe
    tableau titre livre""")
# Capitalised words that may stand right before a number without making it an identifier.
_FUNCTION_WORDS = _word_set("""a an the this that these those some any all both each every another other such no only just about
    around nearly almost roughly over under up more less fewer most least than at in on of for by to from
    with without after before since during until between among and but or nor yet so while when if as per
    via including exactly precisely fully well perhaps maybe last first next further extra additional total
    its their his her our my your whose which what nearly
    les des ces ses leurs nos vos le la l un une du de d au aux en sur pour avec dans et mais ou selon parmi
    depuis après avant entre près plus moins environ quelque quelques jusqu tous toutes chaque seulement
    der die das den dem des ein eine einer und oder mit von bei seit nach vor für über rund etwa fast mehr
    los las el unos unas y con por para casi más il lo gli i e per più quasi circa oltre
    magnitude""")
_STREET_AFTER_RE = re.compile(
    rf"[a-zA-Z]?,?{_SP}+(?:(?:bis|ter),?{_SP}+)?(?:(?:[A-Z][\w'’.-]*{_SP}+){{1,3}}"
    r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Boulevard|Blvd|Drive|Square|Place|Way|Close|Terrace|Crescent|"
    r"Court|Row|Gardens)\b|(?:rue|avenue|boulevard|bd|place|quai|allée|chemin|impasse|cours)\b)"
)
_STREET_SUFFIXES = ("straße", "strasse", "str", "platz", "weg", "allee", "gasse", "damm")
_RANGE_WORDS = frozenset({"to", "and", "until", "till", "au", "et", "bis"})
_AGE_LAST_WORDS = frozenset({"aged", "age", "ages", "between", "from", "of", "de", "von", "di"})
_COPULAS = _word_set("was is turns turned been")
_PERSON_COPULA_BEFORE_RE = re.compile(
    rf"(?:^|(?<=\W))(?:he|she|who)(?:{_SP}+(?:would|will|had|has))?(?:{_SP}+have)?{_SP}+(?:was|is|turns|turned|been){_SP}+$",
    re.IGNORECASE,
)
_AGE_END_RE = re.compile(rf"(?:[.,;)]|$|{_SP}+(?:and|when|but|at|in|years?)\b)")
_ELISION_RE = re.compile(r"^(?:l|d|qu)['’]")
_NON_DIGIT_RE = re.compile(r"\D")
_RANGE_SYMBOL_RE = re.compile(r"(?:US|A|C)?\$|[€£¥₴₽₹]")
_SCORE_CONTEXT_RE = re.compile(
    r"\b(?:won|win|wins|beat|beats|lost|lose|loses|defeat|defeated|victory|draw|drew|score|scored|"
    r"scoreline|vote|voted|votes|tally|margin|led|leads|trail|trailed)\b",
    re.IGNORECASE,
)
# Links, e-mail addresses and phone numbers: digits that count nothing.
_LINK_RE = re.compile(r"https?://\S+|www\.\S+|[\w.+-]+@[\w-]+\.[\w.-]+")
_PHONE_RE = re.compile(
    r"(?=[+(\d])(?<![\w+])(?:\+\d{1,3}[ \u00a0.-]?(?:\(\d{1,4}\)[ \u00a0.-]?)?\d{2,4}(?:[ \u00a0.-]\d{2,4}){1,4}"
    r"|\(\d{2,5}\)[ \u00a0]?\d{3,4}[ \u00a0.-]\d{3,4}"
    r"|0\d{1,4}(?:[ \u00a0.-]\d{2,4}){2,4}"
    r"|\d{3}[-.]\d{3}[-.]\d{4})(?![\w])"
)
# "two years ago", "in 20 years", "the past 24 hours": a time, the dates stage's business.
_TEMPORAL_AFTER_RE = re.compile(
    rf"{_SP}*[-\u2010\u2011]?(?:ago|later|earlier|previously|before|after|from now|hence|olds?|of age|auparavant|"
    r"plus tard|plus tôt|après|avant|zuvor|später)\b",
    re.IGNORECASE,
)
_TEMPORAL_BEFORE_RE = re.compile(
    r"(?:^|(?<=\W))(?:in|within|il y a|dans|en|past|last|next|previous|coming|following|first|final|"
    r"in the|during the|over the|throughout the|les|ces|derniers|dernières|prochains|prochaines|vor|"
    r"letzten|nächsten|ultime|ultimi|prossime|prossimi|últimas|últimos|próximas|próximos|останні|"
    rf"наступні|последние|ближайшие){_SP}+$",
    re.IGNORECASE,
)
_DEFINITE_BEFORE_RE = re.compile(
    rf"(?:^|(?<=\W))(?:the|these|those|its|their|his|her|our|no|les|ces|ses|leurs|nos|tous|toutes){_SP}+$",
    re.IGNORECASE,
)
_YEAR_BEFORE_RE = re.compile(
    r"(?:^|(?<=\W))(?:in|since|by|until|till|from|of|before|after|during|through|between|the|a|this|that|"
    r"its|their|last|next|en|depuis|jusqu['’]en|dès|avant|après|le|la|les|l['’]|des|im|seit|bis|von|año|"
    rf"anno|del|nel|dal|у|в|з){_SP}*$",
    re.IGNORECASE,
)
_BETWEEN_BEFORE_RE = re.compile(rf"(?:^|(?<=\W))(?:between|entre|zwischen|tra|fra){_SP}+$", re.IGNORECASE)
_FROM_BEFORE_RE = re.compile(rf"(?:^|(?<=\W))(?:from|de|von|desde|da){_SP}+$", re.IGNORECASE)
_SIGN_WORD_BEFORE_RE = re.compile(
    rf"(?:^|(?<=\W))(?<!au )(?<!pas )(?<!peu )(?:minus|moins){_SP}+$", re.IGNORECASE
)
_RANGE_JOIN_RE = re.compile(
    rf"{_SP}*(?P<dash>-to-|[-\u2010\u2011\u2012\u2013\u2014]){_SP}*|{_SP}+(?P<word>to|and|et|à|bis|und|y|e|a){_SP}+",
    re.IGNORECASE,
)
_RANGE_TAIL_RE = re.compile(rf"{_SP}*(?:[-–]|to|and|et|à|until|till|bis){_SP}*\d", re.IGNORECASE)
_DIGITS_AHEAD_RE = re.compile(rf"{_SP}*\d")
_DIGIT_GROUPS_RE = re.compile(rf"(?:{_SP}\d+)+")
_RANGE_AND_WORDS = frozenset({"and", "et", "und", "y", "e"})
_RANGE_TO_WORDS = frozenset({"to", "à", "bis", "a"})
_COMPOUND_RE = re.compile(r"[-\u2010\u2011](?P<word>[^\W\d_]+)(?P<old>[-\u2010\u2011]olds?\b)?")
_ORDINAL_SUFFIX_RE = re.compile(r"(?:st|nd|rd|th|er|re|e|ème|eme|è)(?![\w])", re.IGNORECASE)
_ORDINAL_RUN_EN_RE = re.compile(
    rf"{_SP}+(?:consecutive|straight|successive|running){_SP}+(?P<noun>[^\W\d_]+)", re.IGNORECASE
)
_ORDINAL_RUN_FR_RE = re.compile(
    rf"{_SP}+(?P<noun>[^\W\d_]+){_SP}+(?:consécuti(?:f|ve)s?|d['’]affilée)", re.IGNORECASE
)
_CONVERSION_OPEN_RE = re.compile(
    rf"{_SP}*[(\[]{_SP}*(?:(?:about|around|roughly|some|nearly|almost|environ|c\.|~|≈){_SP}*)?"
)
_CONVERSION_CLOSE_RE = re.compile(rf"{_SP}*[)\]]")
_SPACED_SCORE_RE = re.compile(rf"{_SP}?:{_SP}?\d+")
_CLOCK_RE = re.compile(r"(?:[01]?\d|2[0-3])[.:]\d\d")
_LIST_AFTER_RE = re.compile(r"[.)](?:\s|$)")
_OF_RE = re.compile(
    rf"{_SP}+(?P<of>of|out of|in|de|du|des|d['’]|de la|de l['’]|dei|delle|degli|del)(?:{_SP}+|(?<=['’]))",
    re.IGNORECASE,
)
# "three of the victims", "deux des enfants": a count of part of a named group.
_SUBSET_RE = re.compile(
    rf"{_SP}+(?:of{_SP}+(?:the|its|their|his|her|our|these|those)|out{_SP}+of|des|d['’]entre{_SP}+(?:les|eux|elles)){_SP}",
    re.IGNORECASE,
)
# Nouns the tagger takes for heads that only say when: "by the hundreds today".
_ADVERBIAL_NOUNS = _word_set("today tonight yesterday tomorrow aujourd'hui hier demain")
_MAGNITUDE_BEFORE_RE = re.compile(rf"(?:^|(?<=\W))(?:magnitude|magnitud|magnitudo){_SP}+$", re.IGNORECASE)
_ARTICLE_BEFORE_RE = re.compile(
    rf"(?:^|(?<=\W))(?:a|an|the|this|that|its|their|his|her|our|un|une|le|la|l['’]|ce|cette|son|sa|leur){_SP}*$",
    re.IGNORECASE,
)
_DETERMINERS = _word_set(
    "the a an its their his her our your my this that these those le la les l' l’ un une ses leurs nos vos "
    "cette ces der die das den dem des el los las il lo gli"
)
_STOPWORDS = _word_set(
    """a an the and or but of in on at to for by with from as than that which who whom whose this these those
    it its they them their he she his her we our you your i me my was were is are be been being have has had
    will would could should may might must can do does did not no more most less also only just even still
    said says say told according after before during since until while when where if then there here so
    such other another each every all both some any many much few several over under about around up down
    out off into onto upon per via what how why
    et ou mais de des du le la les l un une à au aux en sur pour par avec dans ont sont été était étaient
    est qui que dont ce cette ces ses son sa leur leurs selon après avant depuis pendant plus moins ne pas
    und oder aber der die das den dem des ein eine einer im am um mit von bei seit nach vor für über sind
    wurden wurde haben hat ist war waren zu zum zur auf aus als davon darunter dabei pro je
    y o pero el los las una del al con por para que se su sus fueron fue han ha es son
    ma il lo gli di da per che si sono stati è
    і й та в у на з із до що як які але и с со по от для что"""
)
_IRREGULAR_PLURALS = _word_set(
    "people children men women police staff personnel troops cattle livestock aircraft sheep fish crew "
    "militia clergy youth media data"
)
_ASIDE_BEFORE_RE = re.compile(
    rf"(?:^|(?<=\W))(?:including|among them|of whom|of which|dont|y compris|notamment|parmi lesquels|"
    rf"parmi lesquelles|darunter){_SP}+$",
    re.IGNORECASE,
)
_PREVIOUS_WORD_RE = re.compile(rf"(?<![\w'’.°º-])([^\W\d_][\w'’.°º-]*):?{_SP}+$")
_RULE_WORD_RE = re.compile(rf"{_SP}*([^\W\d_][\w'’-]*)")
_RULE_NUMBER_RE = re.compile(
    rf"{_SP}*\d[\d,.'’\u00a0\u202f]*(?:{_SP}*(?:million|billion|milliards?|millions?|mln|mld))?(?!\w)"
)
_ELIDED_NOUN_FOLLOWS_RE = re.compile(rf"{_SP}+([^\W\d_][\w'’-]*)")


# ---------------------------------------------------------------- working records


@dataclass(frozen=True, slots=True)
class _Rules:
    """The number conventions of one language."""

    language: str  # "" when unknown
    decimal_comma: bool  # "19,3" is 19.3
    space_groups: bool  # a plain space may group thousands ("58 000"); never in English
    numeral_re: re.Pattern[str]


def _rules_for(language: str | None) -> _Rules:
    code = (language or "").replace("_", "-").split("-")[0].lower()
    if code in _NUMERAL_RE:
        return _Rules(code, code in _DECIMAL_COMMA_LANGUAGES, code != "en", _NUMERAL_RE[code])
    return _Rules(code, code in _DECIMAL_COMMA_LANGUAGES, True, _DIGITS_ONLY_RE)


class _Tokens:
    """Character-offset access to a spaCy doc; only the tokens next to a figure are ever looked at."""

    __slots__ = ("doc", "starts")

    def __init__(self, doc: spacy.tokens.Doc) -> None:
        self.doc = doc
        # One array copy instead of one Python Token object per token: the doc may hold thousands.
        self.starts: list[int] = doc.to_array("IDX").tolist()

    def first_at(self, offset: int) -> int:
        return bisect.bisect_left(self.starts, offset)


@dataclass(frozen=True, slots=True)
class _Sentence:
    """Where figures are read: the whole text, the bounds of one sentence and the reading aids."""

    text: str
    start: int
    end: int
    rules: _Rules
    tokens: _Tokens | None
    folded: str | None = None  # the text lower-cased, when that keeps every offset

    def ends_with(self, pattern: re.Pattern[str], position: int, width: int) -> re.Match[str] | None:
        """``pattern`` (anchored with ``$``) matched just before ``position``, within ``width`` characters.

        The window is kept small on purpose: a ``$``-anchored search is tried at every
        position of its window, and these run for every number in the text.
        """
        return pattern.search(self.text, max(self.start, position - width), position)


@dataclass(slots=True)
class _Reading:
    """A figure while it is being read; it becomes a ``Figure`` once complete."""

    start: int
    end: int
    numeral_start: int
    numeral_end: int
    value: float
    kind: str  # digits | words | vague | fraction | collective | ordinal
    value_max: float | None = None
    unit: str | None = None
    qualifier: str | None = None
    counted: str | None = None
    bare_integer: bool = False  # plain digits, no separator, sign or currency: could be a year or an age
    compound: bool = False  # "15-year deal", "28-point plan"
    has_currency: bool = False
    multiplied: bool = False  # "1.5 million", "$3bn", "un million"


# ---------------------------------------------------------------- public


def find_figures(
    text: str, sentences: Sequence[Sentence], doc: spacy.tokens.Doc | None, language: str | None
) -> tuple[Figure, ...]:
    """The key figures in ``text``, in text order, each inside one of ``sentences``.

    ``doc`` is the spaCy doc over the whole text (its tags choose the counted
    noun phrase) or None, in which case the words after a number are read
    with a best-effort rule. ``language`` picks the number format ("19,3" is
    19.3 in French, "1.500" is 1500 in German) and the number words.
    """
    if not text or not sentences:
        return ()
    rules = _rules_for(language)
    masked = [(found.start(), found.end()) for found in _PHONE_RE.finditer(text)]
    if "@" in text or "://" in text or "www." in text:
        masked = sorted(masked + [(found.start(), found.end()) for found in _LINK_RE.finditer(text)])
    tokens = _Tokens(doc) if doc is not None and _doc_covers(doc, text) else None
    folded: str | None = text.lower()
    if folded is not None and len(folded) != len(text):
        folded = None  # "İ" lower-cases to two characters: scan the text itself
    figures: list[Figure] = []
    for sentence in sentences:
        start, end = max(0, sentence.start), min(len(text), sentence.end)
        if start < end:
            where = _Sentence(text, start, end, rules, tokens, folded)
            figures.extend(
                _figure(reading, sentence.index, text) for reading in _sentence_readings(where, masked)
            )
    return tuple(figures)


def _doc_covers(doc: spacy.tokens.Doc, text: str) -> bool:
    """Offsets mean something only when the doc was built over this very text."""
    if not len(doc):
        return False
    # Rebuilding doc.text costs as much as the whole stage; a few tokens at their offsets tell as well.
    last = doc[-1]
    if last.idx + len(last.text_with_ws) != len(text):
        return False
    return all(text.startswith(token.text, token.idx) for token in (doc[0], doc[len(doc) // 2], last))


def _figure(reading: _Reading, sentence: int, text: str) -> Figure:
    qualifier = reading.qualifier
    # French and German do not tell "fewer" from "less"; English does, by what is counted.
    if qualifier == "less than" and reading.unit is None:
        qualifier = "fewer than"
    return Figure(
        text=text[reading.start : reading.end],
        start=reading.start,
        end=reading.end,
        value=reading.value,
        unit=reading.unit,
        counted=reading.counted,
        qualifier=qualifier,
        sentence=sentence,
        value_max=reading.value_max,
    )


def _sentence_readings(where: _Sentence, masked: list[tuple[int, int]]) -> list[_Reading]:
    readings: list[_Reading] = []
    used_to = where.start
    text, end, rules = where.text, where.end, where.rules
    scanners = _SCANNERS.get(rules.language)
    if scanners is None:
        candidates = _DIGIT_RUN_RE.finditer(text, where.start, end)
    elif where.folded is not None:
        candidates = scanners[0].finditer(where.folded, where.start, end)
    else:
        candidates = scanners[1].finditer(text, where.start, end)
    for candidate in candidates:
        position = candidate.start()
        if position < used_to:
            continue
        match = rules.numeral_re.match(text, position, end)
        if match is None or _inside(masked, position):
            continue
        reading, used_to = _read(where, match)
        if reading is None:
            continue
        if reading.counted is None and reading.unit is None and not _borrow_counted(where, reading, readings):
            # Nothing counted, nothing measured, nothing to borrow.
            if reading.kind == "words" and not reading.multiplied:
                continue  # "the two met": a spelled-out number with nothing to count
            if reading.kind == "digits" and where.ends_with(_DEFINITE_BEFORE_RE, reading.start, 8):
                continue  # "the 707 was a freighter": a name, or a number already given
        if readings and reading.start < readings[-1].end:
            # Figures never overlap: what the previous one took is not this one's qualifier or sign.
            reading.start = max(reading.numeral_start, readings[-1].end)
            reading.qualifier = None if reading.kind not in ("vague", "collective") else reading.qualifier
        readings.append(reading)
    return readings


def _inside(spans: list[tuple[int, int]], offset: int) -> bool:
    index = bisect.bisect_right(spans, (offset, offset)) - 1
    candidates = spans[index : index + 2] if index >= 0 else spans[:1]
    return any(start <= offset < end for start, end in candidates)


def _borrow_counted(where: _Sentence, reading: _Reading, earlier: list[_Reading]) -> bool:
    """An elided noun or unit, taken from the figure before in the sentence.

    'killed four civilians and injured around 40': the 40 counts civilians too; 'hold 500 sq km,
    down from a peak of 1,300': square kilometres. Sums of money lend nothing, since their scale is
    elided with them ('$3bn, up from 2.5').
    """
    if _noun_follows(where, reading.end):
        return False
    for previous in reversed(earlier):
        if previous.kind in ("ordinal", "fraction") or previous.compound or previous.has_currency:
            continue
        if where.ends_with(_ASIDE_BEFORE_RE, previous.start, 20):
            continue  # "12 people, including three children, ... and 60 injured": people, not children
        if previous.counted and previous.unit is None:
            reading.counted = previous.counted
            return True
        # A unit carries over only a short hop: "500 sq km, down from a peak of 1,300".
        if (
            previous.unit is not None
            and previous.unit not in _TIME_UNITS
            and reading.start - previous.end <= 40
        ):
            reading.counted = previous.counted
            reading.unit = previous.unit
            return True
    return False


def _noun_follows(where: _Sentence, position: int) -> bool:
    if where.tokens is not None:
        index = where.tokens.first_at(position)
        if index >= len(where.tokens.starts) or where.tokens.starts[index] >= where.end:
            return False
        return where.tokens.doc[index].pos_ in ("NOUN", "PROPN")
    word = _ELIDED_NOUN_FOLLOWS_RE.match(where.text, position, where.end)
    if word is None:
        return False
    lowered = word.group(1).lower()
    return lowered not in _STOPWORDS and not lowered.endswith(("ed", "és", "ées"))


# ---------------------------------------------------------------- reading one figure


def _read(where: _Sentence, match: re.Match[str]) -> tuple[_Reading | None, int]:
    """Read the figure whose numeral is ``match``: the figure (or None) and how far the text is used up."""
    group = match.lastgroup or "digits"
    if group in ("ordinal", "ordinal_fr"):
        ordinal = _read_ordinal_word(where, match)
        return ordinal, ordinal.end if ordinal else match.end()
    reading = _read_numeral(where, match, group)
    if reading is None:
        return None, _skip_token(where, match.end())
    if reading.kind == "digits":
        if not _digits_may_be_figure(where, reading):
            # The other end of a refused range goes too: "aged 18 to 60", "between the ages of 14 and 18".
            # So do digit groups right after it: "Tel.: 0211 8700", "November 30 2024".
            used_to = _skip_token(where, reading.numeral_end)
            tail = _RANGE_TAIL_RE.match(where.text, used_to, where.end) or _DIGIT_GROUPS_RE.match(
                where.text, used_to, where.end
            )
            return None, _skip_token(where, tail.end()) if tail else used_to
        _read_sign_and_currency(where, reading)
    keep = _read_right(where, reading)
    if not keep:
        return None, max(reading.end, _skip_token(where, reading.numeral_end))
    _read_qualifier(where, reading)
    return reading, reading.end


def _skip_token(where: _Sentence, position: int) -> int:
    """Past the rest of a refused token ("11/20/2025", "3.2.1", "2-1"), so its parts are not read again."""
    text, limit = where.text, where.end
    while position < limit and (
        text[position].isalnum()
        or (text[position] in "/:.,-–" and position + 1 < limit and text[position + 1].isalnum())
    ):
        position += 1
    return position


# ---- numerals


def _read_numeral(where: _Sentence, match: re.Match[str], group: str) -> _Reading | None:
    start, end = match.span()
    if group == "digits":
        return _read_digits(where, start, end)
    if group in ("words", "words_fr"):
        return _read_words(where, match)
    if group in ("vague", "vague_fr"):
        low, high = _vague_range(match.group())
        reading = _Reading(start, end, start, end, low, "vague", value_max=high, qualifier="several")
        reading.multiplied = True
        return reading
    if group == "collective":
        value = _FR_COLLECTIVES[match.group().split()[-1].lower()]
        return _Reading(start, end, start, end, value, "collective", qualifier="about", multiplied=True)
    if group == "half_scale":
        words = match.group().lower().split()
        share = 0.5 if words[0] == "half" else 0.25
        reading = _Reading(start, end, start, end, share * _SCALE_OF_HALF[words[-1]], "words")
        reading.multiplied = True
        return reading
    if group == "ratio":
        return _read_ratio(match)
    return _read_fraction(match)


def _read_digits(where: _Sentence, start: int, end: int) -> _Reading | None:
    raw = where.text[start:end]
    if " " in raw and not where.rules.space_groups:
        raw = raw.split(" ")[0]  # English does not group with plain spaces: "in 2023 500 people"
        end = start + len(raw)
    value = _digits_value(raw, where.rules)
    if value is None:
        return None
    half = _GLUED_FRACTIONS.get(where.text[end : end + 1])
    if half is not None and raw.isdigit():
        value += half
        end += 1
    reading = _Reading(start, end, start, end, value, "digits")
    reading.bare_integer = raw.isdigit() and half is None
    return reading


def _digits_value(raw: str, rules: _Rules) -> float | None:
    """'58,000', '58 000', '19,3', '1.234.567', '1,234.5' in the language's own convention."""
    separators = [char for char in raw if not char.isdigit()]
    if not separators:
        return float(int(raw))
    groups = _NON_DIGIT_RE.split(raw)
    last = separators[-1]
    decimal_at: int | None = None  # index of the decimal mark among the separators
    if len(set(separators)) > 1:
        # "1,234.5" and "1.234,5": the last mark is the decimal one when it is used once.
        if separators.count(last) != 1 or last not in ".,":
            return None
        decimal_at = len(separators) - 1
    elif last in ".,":
        groups_of_three = len(groups[0]) <= 3 and all(len(group) == 3 for group in groups[1:])
        if len(separators) > 1:
            if not groups_of_three:
                return None  # "3.2.1" is a version, "1,2,3" a list
        elif not groups_of_three:
            decimal_at = 0
        elif (last == ",") == rules.decimal_comma:
            decimal_at = 0  # "1,500" in French and "1.500" in English are one and a half
    integer = "".join(groups if decimal_at is None else groups[: decimal_at + 1])
    fraction = "" if decimal_at is None else groups[decimal_at + 1]
    value = float(int(integer)) if integer else 0.0
    if fraction:
        value += int(fraction) / 10 ** len(fraction)
    return value


def _read_words(where: _Sentence, match: re.Match[str]) -> _Reading | None:
    words: list[tuple[str, int, int]] = []
    for piece in _WORD_PIECE_RE.finditer(where.text, *match.span()):
        word = piece.group().lower()
        if word in ("and", "et"):
            if words and words[-1][0] in (
                "hundred",
                "thousand",
                "million",
                "billion",
                "cent",
                "cents",
                "mille",
            ):
                continue  # "two hundred and fifty"
            if words and words[-1][0] in ("vingt", "trente", "quarante", "cinquante", "soixante"):
                continue  # "vingt et un"
            break  # "two and three" are two numbers
        words.append((word, piece.start(), piece.end()))
    lead_a = bool(words) and words[0][0] == "a"
    if lead_a:
        words = words[1:]
    if not words:
        return None
    if len(words) == 1 and words[0][0] in ("un", "une"):
        return None  # the French article, unless a scale follows ("un million")
    if not lead_a and words[0][0] in _BIG_SCALES:
        return None  # "a quarter million", "an additional million": the number is not the scale word
    value = _words_value([word for word, _, _ in words], where.rules.language)
    if value is None:
        return None
    start = match.start() if lead_a else words[0][1]
    end = words[-1][2]
    multiplied = any(word in _BIG_SCALES for word, _, _ in words)
    half = _AND_A_HALF_RE.match(where.text, end, where.end)
    if half:
        value += 0.5  # "two and a half years", "three-and-a-half million"
        end = half.end()
        if half.group("scale") and not multiplied:
            value *= _BIG_SCALES[half.group("scale").strip().lower()]
            multiplied = True
    reading = _Reading(start, end, start, end, value, "words")
    reading.multiplied = multiplied
    return reading


def _words_value(words: list[str], language: str) -> float | None:
    values = _FR_WORD_VALUES if language == "fr" else _EN_WORD_VALUES
    total = 0.0
    current = 0.0
    previous = ""
    for word in words:
        if language == "fr" and word in ("vingt", "vingts") and previous == "quatre":
            current += 76  # "quatre-vingt": the four is already counted, eighty in all
        elif word in values:
            current += values[word]
        elif word in _BIG_SCALES:
            total += (current or 1) * _BIG_SCALES[word]
            current = 0
        elif word in _SMALL_SCALES:
            current = (current or 1) * _SMALL_SCALES[word]
        else:
            return None
        previous = word
    return total + current


def _vague_range(phrase: str) -> tuple[float, float]:
    words = " ".join(phrase.lower().split())
    for lead in _VAGUE_LEADS:
        if words.startswith(lead):
            words = words[len(lead) :]
            break
    return _VAGUE.get(words) or _VAGUE.get(words.split()[0], (2.0, 10.0))


def _read_ratio(match: re.Match[str]) -> _Reading | None:
    numerator, _, denominator = " ".join(match.group().lower().split()).partition(" in ")
    denominator = denominator.removeprefix("every ")
    top = _EN_WORD_VALUES.get(numerator) or (int(numerator) if numerator.isdigit() else 0)
    bottom = _EN_WORD_VALUES.get(denominator) or (int(denominator) if denominator.isdigit() else 0)
    if not top or bottom <= top:
        return None
    start, end = match.span()
    return _Reading(start, end, start, end, top / bottom, "fraction", unit="fraction")


def _read_fraction(match: re.Match[str]) -> _Reading | None:
    words = match.group().lower().replace("-", " ").split()
    if words[-1] == "moitié":
        value = 0.5
    else:
        share = _FRACTIONS.get(words[-1])
        if share is None:
            return None
        count = _FRACTION_COUNTS.get(words[0], 1) if len(words) > 1 else 1
        value = count * share if words[-1] != "half" else 0.5
    start, end = match.span()
    return _Reading(start, end, start, end, value, "fraction", unit="fraction")


def _read_ordinal_word(where: _Sentence, match: re.Match[str]) -> _Reading | None:
    value = _ORDINAL_WORDS.get(match.group().lower())
    return _ordinal_run(where, match.start(), match.end(), value) if value else None


def _ordinal_run(where: _Sentence, start: int, end: int, value: float) -> _Reading | None:
    """'for a third consecutive night', 'la troisième nuit consécutive': an ordinal that counts a run."""
    pattern = _ORDINAL_RUN_FR_RE if where.rules.language == "fr" else _ORDINAL_RUN_EN_RE
    run = pattern.match(where.text, end, where.end)
    if run is None:
        return None
    return _Reading(start, run.end(), start, end, float(value), "ordinal", counted=run.group("noun"))


# ---- left of the numeral


def _digits_may_be_figure(where: _Sentence, reading: _Reading) -> bool:
    """Refuse identifiers, dates, ages, list numbers and street numbers by what stands before the digits."""
    text, start, position = where.text, where.start, reading.numeral_start
    previous = text[position - 1] if position > start else ""
    if previous and (previous.isalpha() or previous in "_#№/:@"):
        return False  # "G7", "MH17", "#3", "11/20"
    if (
        previous in _DASHES
        and position - 2 >= start
        and (text[position - 2].isalnum() or text[position - 2] in "/.")
    ):
        return False  # "Su-34", "COVID-19", "mid-2024", the tail of "2025-11-30"
    if previous == "." and position - 2 >= start and text[position - 2].isalnum():
        return False
    # The word before decides most refusals; the costlier patterns run only when it points to them.
    found = where.ends_with(_PREVIOUS_WORD_RE, position, 24)
    word = found.group(1) if found else ""
    lowered = word.lower()
    bare = _ELISION_RE.sub("", lowered).rstrip(".")
    if reading.bare_integer and reading.value <= 31:
        if bare in _MONTH_WORDS and (word[0].isupper() or where.rules.language != "en"):
            return False  # "November 30", "Nov. 30"
        if bare in _WEEKDAYS:
            return False  # "Sunday 30 November", "mardi 24 au mercredi 25 mars"
        if (
            bare in _RANGE_WORDS or previous in _DASHES or text[position - 2 : position - 1] in _DASHES
        ) and where.ends_with(_DAY_RANGE_BEFORE_RE, position, 28):
            return False  # the 17 of "from March 15 to 17"
    if bare in _AGE_LAST_WORDS and where.ends_with(_AGE_BEFORE_RE, position, 18):
        return False  # "aged 72", "at the age of 72"
    age_like = bare in _COPULAS and reading.bare_integer and reading.value <= 120
    if (
        age_like
        and _AGE_END_RE.match(text, reading.numeral_end, where.end)
        and where.ends_with(_PERSON_COPULA_BEFORE_RE, position, 24)
    ):
        return False  # "He was 86.", "she is 26,", "when he was 18 and": an age
    if bare.endswith(_STREET_SUFFIXES):
        return False  # "Hauptstraße 12"
    if word:
        if bare in _IDENTIFIER_NOUNS:
            return False  # "Article 5", "page 12", "No. 10", "l'article 5"
        named = word[0].isupper() or any(char.isupper() for char in word[1:])  # "Boeing", "iPhone"
        named_thing = named and bare not in _FUNCTION_WORDS and not word.endswith(("'s", "’s", "s'"))
        if (
            named_thing
            and not where.ends_with(_QUALIFIER_RE, position, 20)
            and not where.ends_with(_CURRENCY_PREFIX_RE, position, 6)
        ):
            return False  # "Boeing 737", "Apollo 11", "Windows 11"
    line_start = max(text.rfind("\n", start, position) + 1, start)
    if not text[line_start:position].strip(" \u00a0\t•*-–(") and _LIST_AFTER_RE.match(
        text, reading.numeral_end
    ):
        return False  # "1." or "2)" opening a line
    closing = text[reading.numeral_end : reading.numeral_end + 1]
    return (previous, closing) not in (("(", ")"), ("[", "]"))  # "(2)", a reference mark "[3]"


def _read_sign_and_currency(where: _Sentence, reading: _Reading) -> None:
    text, start, position = where.text, where.start, reading.start
    if (
        position > start
        and text[position - 1] in "-−–"
        and (position - 1 == start or text[position - 2] in " \u00a0([")
    ):
        reading.value = -reading.value
        reading.bare_integer = False
        position -= 1
    else:
        sign_word = (
            where.ends_with(_SIGN_WORD_BEFORE_RE, position, 8)
            if "inus" in text[position - 7 : position] or "oins" in text[position - 6 : position]
            else None
        )
        if sign_word:
            reading.value = -reading.value
            reading.bare_integer = False
            position = sign_word.start()
    currency = where.ends_with(_CURRENCY_PREFIX_RE, position, 6)
    if currency:
        symbol = currency.group("cur")
        reading.unit = _CURRENCY_SYMBOLS.get(symbol.lower(), symbol.upper())
        reading.has_currency = True
        reading.bare_integer = False
        position = currency.start()
    else:
        magnitude = (
            where.ends_with(_MAGNITUDE_BEFORE_RE, position, 14)
            if "agnitud" in text[position - 12 : position]
            else None
        )
        if magnitude:
            reading.unit = "magnitude"  # "a magnitude 7.7 earthquake", "un séisme de magnitude 6,8"
            reading.bare_integer = False
            position = magnitude.start()
    reading.start = position


def _read_qualifier(where: _Sentence, reading: _Reading) -> None:
    """'nearly', 'at least', 'près de' before the figure; 'between' opens a range."""
    between = where.ends_with(_BETWEEN_BEFORE_RE, reading.start, 10)
    if between and reading.value_max is not None:
        reading.start = between.start()
        return
    found = where.ends_with(_QUALIFIER_RE, reading.start, 20)
    if found is None or reading.kind in ("vague", "collective"):
        return
    surface = found.group("q").lower()
    duration = reading.unit in _TIME_UNITS and not reading.compound
    if surface in ("over", "under") and duration and not _over_means_more(where, found.start()):
        return  # "invest $100bn over four years": over says when, not how many
    reading.qualifier = _QUALIFIERS[surface]
    reading.start = found.start()


def _over_means_more(where: _Sentence, position: int) -> bool:
    """'trapped for over 30 hours', 'took over four hours': more than; 'plants over four years': during."""
    if where.tokens is not None:
        index = where.tokens.first_at(position) - 1
        if index < 0 or where.tokens.starts[index] < where.start:
            return True
        token = where.tokens.doc[index]
        return token.pos_ in ("VERB", "AUX") or token.lower_ in ("for", "than", "of")
    word = where.ends_with(_PREVIOUS_WORD_RE, position, 24)
    return (
        word is None or word.group(1).lower() in ("for", "than", "of") or word.group(1).lower().endswith("ed")
    )


# ---- right of the numeral


def _read_right(where: _Sentence, reading: _Reading) -> bool:
    """Multiplier, range, unit, post-qualifier, conversion and counted noun; False refuses the figure."""
    text, limit = where.text, where.end
    position = reading.numeral_end
    if reading.kind == "digits":
        if _digits_refused(where, reading):
            return False
        position = _read_multiplier(where, reading, position)
        position, refused = _read_range(where, reading, position)
        if refused:
            reading.end = position
            return False
    if reading.kind == "words":
        position, _ = _read_range(where, reading, position)  # "three to six feet"
    if reading.kind in ("digits", "words"):
        position, refused = _read_unit(where, reading, position)
        if refused:
            return False
        suffix = (
            _ORDINAL_SUFFIX_RE.match(text, position, limit)
            if text[position : position + 1].isalpha()
            else None
        )
        if reading.kind == "digits" and suffix:
            run = _ordinal_run(where, reading.start, suffix.end(), reading.value)
            if run is None:
                return False  # "the 3rd round", "le 1er": ranks, not counts
            reading.end, reading.counted, reading.kind = run.end, run.counted, "ordinal"
            return True
    position = _read_post_qualifier(where, reading, position)
    reading.end = position
    if reading.kind == "digits" and reading.bare_integer and _looks_like_year(where, reading):
        return False
    if _is_age_after_name(where, reading):
        return False
    if reading.unit in _TIME_UNITS and not reading.compound and _is_point_in_time(where, reading):
        return False
    if reading.unit in _DIMENSIONS or reading.has_currency:
        reading.end = position = _read_conversion(where, reading, position)
    if not _read_counted(where, reading, position):
        return False
    return _spelled_out_counts(where, reading)


def _spelled_out_counts(where: _Sentence, reading: _Reading) -> bool:
    """Spelled-out numbers are counts only where they clearly count something."""
    if reading.kind != "words" or reading.qualifier is not None:
        return True
    text = where.text
    if (
        reading.start > where.start
        and text[reading.start].isupper()
        and text[reading.end + 1 : reading.end + 2].isupper()
    ):
        return False  # "Six Flags", "Three Gorges Dam": a number inside a name
    small_count = reading.unit is None and reading.value < 100 and not reading.multiplied
    if small_count and where.ends_with(_DEFINITE_BEFORE_RE, reading.start, 8):
        return False  # "the two leaders": anaphora, not a new fact
    # "one" names an instance far more often than it counts ("one news site reported", "one of the",
    # "no one"); a spelled-out one is a figure with a unit ("a one-year deal") or a qualifier.
    return not (small_count and reading.value == 1)


def _digits_refused(where: _Sentence, reading: _Reading) -> bool:
    text, end = where.text, reading.numeral_end
    after = text[end : min(where.end, end + 24)]
    if after[:1] in "/:" and after[1:2].isdigit():
        return True  # "11/20", "15:30", "24/7"
    score = _SPACED_SCORE_RE.match(text, end, where.end)
    if score:
        reading.end = score.end()  # "a 32: 29 win": the other side goes too
        return True
    if after[:1] in ".," and after[1:2].isdigit():
        return True  # the rest of "3.2.1"
    if after[:1].isdigit():
        return True
    if _TIME_AFTER_RE.match(after):
        return True  # "11.20am", "0900 GMT", "14h30"
    raw = text[reading.numeral_start : end]
    if _CLOCK_RE.fullmatch(raw) and where.ends_with(_TIME_BEFORE_RE, reading.numeral_start, 8):
        return True  # "at 11.20"
    if reading.value <= 31 and reading.value == int(reading.value) and _MONTH_AFTER_RE.match(after):
        return True  # "30 November", "1er décembre"
    if after[:1] == "s" and not after[1:2].isalpha():
        return True  # "the 1990s", "in his 70s"
    return bool(_STREET_AFTER_RE.match(after))  # "10 Downing Street", "12 rue de Rivoli"


def _read_multiplier(where: _Sentence, reading: _Reading, position: int) -> int:
    found = _MULTIPLIER_RE.match(where.text, position, where.end)
    if found is None:
        return position
    word = found.group("mult").lower()
    spaced = bool(found.group("space"))
    if word in _LETTER_MULTIPLIERS or word == "mila":
        if spaced and not reading.has_currency:
            return position  # "3 m" is metres
        if word == "b" and not reading.has_currency:
            return position
        if word == "m" and not reading.has_currency and not _plural_noun_follows(where, found.end()):
            return position  # "a 3m wall" is metres; "3m people" is millions
    elif spaced and len(word) <= 2 and not reading.has_currency and word not in ("bn", "tn", "mn", "md"):
        return position
    reading.value *= _MULTIPLIERS[word]
    reading.multiplied = True
    reading.bare_integer = False
    return found.end()


def _plural_noun_follows(where: _Sentence, position: int) -> bool:
    if where.tokens is not None:
        index = where.tokens.first_at(position)
        if index >= len(where.tokens.starts) or where.tokens.starts[index] >= where.end:
            return False
        token = where.tokens.doc[index]
        return token.tag_ in ("NNS", "NNPS") or (
            token.pos_ == "NOUN" and "Plur" in token.morph.get("Number", [])
        )
    word = _ELIDED_NOUN_FOLLOWS_RE.match(where.text, position, where.end)
    if word is None:
        return False
    lowered = word.group(1).lower()
    if lowered in _STOPWORDS:
        return False
    return lowered in _IRREGULAR_PLURALS or (lowered.endswith(("s", "x")) and not lowered.endswith("ss"))


def _read_range(where: _Sentence, reading: _Reading, position: int) -> tuple[int, bool]:
    """'40-50', 'between 40 and 50', '1.5 to 2 million'; scores ('2-1') and spans of years are refused."""
    text, limit = where.text, where.end
    join = _RANGE_JOIN_RE.match(text, position, limit)
    if join is None:
        return position, False
    word = (join.group("word") or "").lower()
    opening = reading.start
    qualifier = where.ends_with(_QUALIFIER_RE, opening, 20)
    if qualifier:
        opening = qualifier.start()
    if word in _RANGE_AND_WORDS and not where.ends_with(_BETWEEN_BEFORE_RE, opening, 10):
        return position, False  # "500 drones and 40 missiles" are two figures
    if word in _RANGE_TO_WORDS and where.ends_with(_FROM_BEFORE_RE, opening, 8):
        return position, False  # "rose from 40 to 50" is a change: two figures
    if word in ("a", "e", "y") and where.rules.language not in ("es", "it", "pt"):
        return position, False
    second_start = join.end()
    symbol = _RANGE_SYMBOL_RE.match(text, second_start, limit)
    if symbol:
        second_start = symbol.end()
    second = _second_number(where, second_start, reading.kind)
    if second is None:
        return position, False
    second_value, second_end, raw = second
    first_value = reading.value
    multiplier = _MULTIPLIER_RE.match(text, second_end, limit)
    if multiplier:
        word = multiplier.group("mult").lower()
        if reading.has_currency or (word not in _LETTER_MULTIPLIERS and word != "mila"):
            factor = _MULTIPLIERS[word]
            second_value *= factor
            if not reading.multiplied and first_value * factor <= second_value:
                first_value *= factor  # "1.5 to 2 million", "$1-2bn": the scale applies to both
                reading.multiplied = True
            second_end = multiplier.end()
    if reading.bare_integer and raw.isdigit():
        dash = join.group("dash") is not None
        if dash and 1000 <= first_value <= 2100 and len(raw) in (2, 4):
            return second_end, True  # "2024-25", "1939-1945": years
        score = _SCORE_CONTEXT_RE.search(text, max(where.start, opening - 30), opening)
        if (dash and second_value <= first_value) or (score and (dash or second_value <= first_value)):
            return second_end, True  # "won 2-1", "a 52-48 vote", "voted 66 to 27"
        if _MONTH_AFTER_RE.match(text, second_end, limit):
            return second_end, True  # "20-23 November", "15 to 17 March"
    if second_value <= first_value:
        return position, False
    reading.value = first_value
    reading.value_max = second_value
    reading.bare_integer = False
    return second_end, False


def _second_number(where: _Sentence, start: int, kind: str) -> tuple[float, int, str] | None:
    """The upper end of a range, written the way the lower one was: value, end and the raw digits."""
    text, limit = where.text, where.end
    if kind == "words":
        match = where.rules.numeral_re.match(text, start, limit)
        if match is None or match.lastgroup not in ("words", "words_fr"):
            return None
        words = _read_words(where, match)
        return (words.value, words.end, "") if words is not None else None
    second = _DIGITS_RE.match(text, start, limit)
    if second is None:
        return None
    raw = second.group()
    if " " in raw and not where.rules.space_groups:
        raw = raw.split(" ")[0]
    end = start + len(raw)
    value = _digits_value(raw, where.rules)
    after = text[end : end + 2]
    if value is None or after[:1].isdigit() or (after[:1] in ".,/:" and after[1:2].isdigit()):
        return None
    return value, end, raw


def _read_unit(where: _Sentence, reading: _Reading, position: int) -> tuple[int, bool]:
    """Units, currencies and hyphenated compounds after the number; True refuses the figure."""
    text, limit = where.text, where.end
    if reading.kind == "digits":
        glued = position < limit and text[position].isalpha()
        temperature = _TEMPERATURE_RE.match(text, position, limit)
        if temperature and (temperature.group("scale") or (glued and not reading.multiplied)):
            reading.unit = "°" + (temperature.group("scale") or temperature.group("bare"))
            reading.bare_integer = False
            return temperature.end(), False
        symbol = _UNIT_SYMBOL_RE.match(text, position, limit)
        if symbol and not (symbol.group("space") and symbol.group("unit") in _GLUED_ONLY_SYMBOLS):
            surface = symbol.group("unit")
            reading.unit = _UNIT_SYMBOLS[surface]
            reading.value *= _SYMBOL_FACTORS.get(surface, 1.0)
            reading.bare_integer = False
            return symbol.end(), False
        if glued and not _UNIT_WORD_RE.match(text, position, limit):
            if _ORDINAL_SUFFIX_RE.match(text, position, limit):
                return position, False  # an ordinal: the caller decides whether it counts a run
            return position, True  # "3D", "5G": letters glued to digits name a thing
    compound = _COMPOUND_RE.match(text, position, limit)
    if compound:
        return _read_compound(reading, compound, limit)
    currency = _CURRENCY_SUFFIX_RE.match(text, position, limit)
    if currency and (currency.group("space") or not currency.group("cur")[0].isalpha()):
        surface = currency.group("cur").lower()
        reading.unit = _CURRENCY_SYMBOLS.get(surface) or _CURRENCY_WORDS.get(surface) or surface.upper()
        reading.has_currency = True
        reading.bare_integer = False
        return currency.end(), False
    pounds = _POUNDS_RE.match(text, position, limit)
    if pounds:
        reading.unit = "GBP" if reading.multiplied or pounds.group("sterling") else "lb"
        reading.has_currency = reading.unit == "GBP"
        reading.bare_integer = False
        return pounds.end(), False
    unit_word = _UNIT_WORD_RE.match(text, position, limit)
    if unit_word:
        surface = unit_word.group("unit").lower()
        if _UNIT_WORD_LANGUAGE.get(surface, where.rules.language) != where.rules.language:
            return position, False
        if surface == "magnitude" and _DIGITS_AHEAD_RE.match(text, unit_word.end(), limit):
            return position, False  # "400 magnitude 2+ earthquakes": the magnitude is the next number's
        reading.unit = _UNIT_WORDS[surface]
        reading.bare_integer = False
        if surface in ("ans", "an") and where.ends_with(_FR_PERSON_DE_RE, reading.start, 24):
            return position, True  # "un homme de 45 ans": an age
        return unit_word.end(), False
    return position, False


def _read_compound(reading: _Reading, compound: re.Match[str], limit: int) -> tuple[int, bool]:
    """'a 15-year deal', 'a 28-point plan', 'a three-day visit'; 'a 45-year-old' is an age."""
    surface = compound.group("word")
    word = surface.lower()
    if compound.group("old") or word.startswith("jährig"):
        return compound.start(), True  # "a 45-year-old", "der 62-Jährige": ages
    if word in _STOPWORDS:
        return compound.start(), False  # "230-to-198" is read as a range, not a "to" compound
    if word in ("odd", "plus"):
        return compound.start(), False  # "40-odd", "1,000-plus": qualifiers, read next
    if word in ("fold", "off", "way", "sided", "time", "times"):
        return compound.start(), True  # "a two-fold rise", "a one-off payment"
    if word in _MULTIPLIERS and len(word) > 2 and reading.kind == "digits":
        reading.value *= _MULTIPLIERS[word]  # "die 9-Millionen-Metropole": a city of nine million
        reading.multiplied = True
        reading.bare_integer = False
        noun = _COMPOUND_RE.match(compound.string, compound.end(), limit)
        if noun and noun.group("word").lower() not in _STOPWORDS:
            reading.counted = noun.group("word")
            return noun.end(), False
        return compound.end(), False
    unit = _UNIT_WORDS.get(word)
    if unit is None and any(char.isupper() for char in surface[1:]):
        return compound.start(), True  # "2019-nCoV", "737-MAX": a name with a number in it
    if reading.kind == "words" and unit is None and word != "point":
        return compound.start(), True  # "a two-state solution": an idiom, not a measure
    reading.unit = unit or _singular(word)
    reading.compound = True
    reading.bare_integer = False
    return compound.end(), False


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") and len(word) > 3 else word


def _read_post_qualifier(where: _Sentence, reading: _Reading, position: int) -> int:
    found = _POST_QUALIFIER_RE.match(where.text, position, where.end)
    if found is None:
        return position
    if reading.qualifier is None:
        reading.qualifier = _POST_QUALIFIERS.get((found.group("words") or found.group("glued")).lower())
    return found.end()


def _looks_like_year(where: _Sentence, reading: _Reading) -> bool:
    if not 1000 <= reading.value <= 2100 or reading.unit is not None:
        return False
    if where.text.startswith(("'s", "’s"), reading.numeral_end):
        return True
    # "in 2024", "the 2022 invasion" are years; "1500 soldiers" is a count.
    if where.ends_with(_YEAR_BEFORE_RE, reading.numeral_start, 10):
        return True
    return not _plural_noun_follows(where, reading.numeral_end)


def _is_age_after_name(where: _Sentence, reading: _Reading) -> bool:
    """'John Smith, 45, said', 'Jane Doe (32)', 'Jean Dupont, 45 ans,': ages after names."""
    if reading.kind != "digits" or reading.value > 120 or reading.value != int(reading.value):
        return False
    if reading.start != reading.numeral_start or reading.has_currency or reading.multiplied:
        return False
    if reading.unit not in (None, "year") or reading.compound:
        return False
    following = where.text[reading.end : reading.end + 1]
    return following in (",", ")") and where.ends_with(_NAME_BEFORE_RE, reading.numeral_start, 16) is not None


def _is_point_in_time(where: _Sentence, reading: _Reading) -> bool:
    """'two years ago', 'in 20 years', 'the past 24 hours': a time, not a duration figure."""
    if _TEMPORAL_AFTER_RE.match(where.text, reading.end, where.end):
        return True
    return where.ends_with(_TEMPORAL_BEFORE_RE, reading.start, 14) is not None


def _read_conversion(where: _Sentence, reading: _Reading, position: int) -> int:
    """Fold '(3°F)' into '-16°C', '(270 sq miles)' into '701 sq km': one quantity in two units."""
    text, limit = where.text, where.end
    opening = _CONVERSION_OPEN_RE.match(text, position, limit)
    if opening is None:
        return position
    numeral = _DIGITS_ONLY_RE.search(text, opening.end(), min(limit, opening.end() + 8))
    if numeral is None or text[opening.end() : numeral.start()].strip("-−–$€£¥₴₽ \u00a0ACUS") != "":
        return position
    inside = _Sentence(text, opening.end(), limit, where.rules, None)
    inner = _read_digits(inside, numeral.start(), numeral.end())
    if inner is None:
        return position
    _read_sign_and_currency(inside, inner)
    inner_end = _read_multiplier(inside, inner, inner.numeral_end)
    inner_end, _ = _read_range(inside, inner, inner_end)
    if not inner.has_currency:
        inner_end, _ = _read_unit(inside, inner, inner_end)
    if inner.unit is None:
        return position
    same_kind = (
        reading.has_currency and inner.has_currency
        if reading.has_currency
        else _DIMENSIONS.get(inner.unit, "") == _DIMENSIONS.get(reading.unit or "")
    )
    closing = _CONVERSION_CLOSE_RE.match(text, inner_end, limit)
    return closing.end() if same_kind and closing else position


# ---- the counted noun phrase


def _read_counted(where: _Sentence, reading: _Reading, position: int) -> bool:
    """What the figure counts; False when the number turns out not to count ('one of the')."""
    if reading.counted is not None:
        return True
    text, limit = where.text, where.end
    if (reading.unit in _TIME_UNITS or reading.unit == "point") and not reading.compound:
        if _read_counted_before(where, reading):  # "un cessez-le-feu de 60 jours", "le plan en 28 points"
            return True
        if reading.unit in _TIME_UNITS:
            return True  # "for three years": the duration is the figure
    of = _OF_RE.match(text, position, limit)
    if (
        reading.unit in _DIMENSIONS
        and not reading.compound
        and (of is None or of.group("of").lower() == "in")
    ):
        return True  # "701 sq km": the unit says what is measured; "12,500 hectares of forest" goes on
    if of and of.group("of").lower() == "in" and not reading.has_currency:
        of = None  # "40 in Kyiv" says where, "€300 million in aid" what for
    if of and reading.unit is None and reading.kind in ("digits", "words"):
        if reading.kind == "words" and reading.value == 1 and not reading.multiplied:
            return False  # "one of the largest attacks"
        if not _SUBSET_RE.match(text, position, limit) and not reading.multiplied:
            return True  # "40 of them", "40 of 50": nothing named is counted
    # A share or a sum modifies the noun after it only inside a noun phrase: "a 15% rise",
    # "a $1.5bn deal"; "revenue of $3.2 billion beat forecasts" has nothing counted.
    measure = of is None and reading.unit not in (None, "fraction") and not reading.compound
    if measure and not where.ends_with(_ARTICLE_BEFORE_RE, reading.start, 8):
        return True
    if (
        of is None
        and reading.kind == "vague"
        and reading.numeral_end == position
        and where.text[position - 1] in "sS"
    ):
        return True  # "Millions dwell in slums": a plural magnitude is itself the noun
    start = of.end() if of else position
    # "half the population", "half a percentage point": a fraction takes its noun phrase whole.
    whole_phrase = of is not None or reading.kind == "fraction"
    if where.tokens is not None:
        names = of is None or of.group("of").lower() != "in"
        span = _counted_with_doc(where, start, after_preposition=whole_phrase, names=names)
    else:
        span = _counted_by_rules(where, start, after_preposition=whole_phrase)
    if span is None:
        return True
    counted = text[span[0] : span[1]]
    unit = _UNIT_WORDS.get(counted.lower())
    if _DIGITS_AHEAD_RE.match(text, span[1], limit):
        return True  # "400 magnitude 2+ earthquakes": the noun introduces the next number
    if (
        unit is not None
        and reading.unit in (None, "fraction")
        and _UNIT_WORD_LANGUAGE.get(counted.lower(), where.rules.language) == where.rules.language
    ):
        reading.unit = unit  # "thousands of miles", "a quarter of a percentage point": the noun is a unit
    elif counted.lower() not in _ADVERBIAL_NOUNS:
        reading.counted = counted
    else:
        return True
    reading.end = max(reading.end, span[1])
    return True


def _read_counted_before(where: _Sentence, reading: _Reading) -> bool:
    """'un accord de 15 ans', 'le plan en 28 points': the noun before is what lasts or is counted."""
    if where.tokens is None or reading.start != reading.numeral_start:
        return False
    tokens = where.tokens
    index = tokens.first_at(reading.start) - 1
    # English says "a 60-day ceasefire"; "the celebration of 900 years" is not a celebration that lasts.
    if index < 1 or tokens.doc[index].lower_ not in ("de", "d'", "d’", "en"):
        return False
    noun = tokens.doc[index - 1]
    if noun.pos_ != "NOUN" or noun.idx < where.start:
        return False
    reading.counted = noun.text
    reading.start = noun.idx
    return True


def _counted_with_doc(
    where: _Sentence, position: int, *, after_preposition: bool, names: bool = True
) -> tuple[int, int] | None:
    """The noun phrase at ``position`` by part-of-speech tags: modifiers, then nouns, ending on a noun."""
    tokens = where.tokens
    assert tokens is not None
    doc, starts, limit, text = tokens.doc, tokens.starts, where.end, where.text
    count = len(starts)
    index = tokens.first_at(position)
    if after_preposition:
        # "of the vote", "of its territory", "of Ukraine's territory"
        while index < count and starts[index] < limit:
            token = doc[index]
            if token.lower_ in _DETERMINERS or token.tag_ == "PRP$":
                index += 1
            elif token.pos_ in ("PROPN", "NOUN") and index + 1 < count and doc[index + 1].tag_ == "POS":
                index += 2  # the possessor: "of the country's power plants"
            elif token.pos_ == "NUM" or token.like_num or token.is_space:
                index += 1  # the whole a part is taken from: "two of its 10 plants", "half of 2.1 million residents"
            else:
                break
    if index >= count or starts[index] >= limit or "\n" in text[position : starts[index]]:
        return None
    french = where.rules.language == "fr"
    first, head, seen_noun = index, -1, False
    while index < count and starts[index] < limit and index - first < 7:
        token = doc[index]
        pos = token.pos_
        if index > first and "\n" in text[starts[index - 1] : starts[index]]:
            break
        if token.is_space:
            index += 1  # a doubled space: "the 452 available  district seats"
            continue
        if (
            token.text in ("-", "‑")
            and index > first
            and not token.whitespace_
            and not doc[index - 1].whitespace_
        ):
            index += 1  # "Shahed-type drones"
            continue
        if token.lower_ in _MONTH_WORDS and pos == "PROPN":
            break
        if pos == "NOUN":
            head, seen_noun = index, True
        elif pos == "PROPN":
            if seen_noun:
                break  # "500 drones Russia launched": the noun phrase has ended
            head = index
        elif pos == "ADJ" or (pos == "VERB" and token.tag_ in ("VBN", "VBG")):
            if seen_noun and not (french and pos == "ADJ"):
                break
            if seen_noun:
                head = index  # postnominal adjective: "territoire ukrainien"
        else:
            break
        index += 1
    if head < 0:
        # Taggers mislabel rare plurals as adjectives ("une douzaine de rappels ont été"); after a
        # preposition, a lone adjective right before a verb or a stop stands where the noun must be.
        lone = doc[first]
        after = doc[first + 1] if first + 1 < count and starts[first + 1] < limit else None
        if (
            after_preposition
            and lone.pos_ == "ADJ"
            and (after is None or after.pos_ in ("AUX", "VERB", "PUNCT"))
        ):
            return starts[first], lone.idx + len(lone.text)
        return None
    # The phrase is headed by a noun; a proper noun alone counts only in the plural ("4 Ukrainians").
    last = head
    while (
        last > first and doc[last].pos_ not in ("NOUN", "PROPN") and not (french and doc[last].pos_ == "ADJ")
    ):
        last -= 1
    nouns = [doc[i] for i in range(first, last + 1) if doc[i].pos_ in ("NOUN", "PROPN")]
    if not nouns:
        return None
    # After "of" a name is what the share is of ("3.5% of GDP"); straight after a number it must be plural,
    # and after "in" it is a place ("$1.7bn in the Karish field" is not money counted in Karish).
    if (not after_preposition or not names) and not any(
        noun.pos_ == "NOUN" or noun.tag_ == "NNPS" or "Plur" in noun.morph.get("Number", []) for noun in nouns
    ):
        return None
    end_token = doc[last]
    return starts[first], end_token.idx + len(end_token.text)


def _counted_by_rules(where: _Sentence, position: int, *, after_preposition: bool) -> tuple[int, int] | None:
    """Without tags: the content words after the number; in English cut after the first plural."""
    text, limit = where.text, where.end
    english = where.rules.language in ("en", "")
    # German capitalises every noun: the first capitalised word is the best guess at the head.
    nouns_capitalised = where.rules.language == "de"
    words: list[tuple[int, int, str]] = []
    cursor = position
    while len(words) < 3:
        number = _RULE_NUMBER_RE.match(text, cursor, limit) if after_preposition and not words else None
        if number:
            cursor = number.end()  # the whole a part is taken from: "two of its 10 plants"
            continue
        found = _RULE_WORD_RE.match(text, cursor, limit)
        if found is None:
            break
        word = found.group(1)
        lowered = word.lower()
        if lowered in _STOPWORDS or lowered in _MONTH_WORDS:
            if not words and after_preposition and lowered in _DETERMINERS:
                cursor = found.end()
                continue
            break
        if english and words and word[0].isupper() and not words[-1][2][:1].isupper():
            break
        if after_preposition and not words and word.endswith(("'s", "’s")):
            cursor = found.end()  # the possessor: "of the country's power plants"
            continue
        words.append((found.start(1), found.end(1), word))
        cursor = found.end()
        if nouns_capitalised and word[0].isupper():
            return words[-1][0], words[-1][1]
        if not english and not nouns_capitalised:
            break
    if not words:
        return None
    if nouns_capitalised:
        words = words[:1]
    elif english:
        if words[0][2].lower().endswith(("ed", "ing")):
            return None  # "60 injured", "40 remaining": a participle, the noun is elided
        for index, (_, _, word) in enumerate(words):
            lowered = word.lower()
            if lowered in _IRREGULAR_PLURALS or (lowered.endswith("s") and not lowered.endswith("ss")):
                words = words[: index + 1]
                break
        else:
            keep_two = len(words) > 1 and not words[1][2].lower().endswith(("ed", "ing", "ly"))
            words = words[:2] if keep_two else words[:1]
    return words[0][0], words[-1][1]
