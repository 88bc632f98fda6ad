"""Entities: people, organisations, places and groups, grouped into canonical entities.

Within an article, ``find_entities`` starts from the spaCy model's entity spans
and corrects them with rules where the small models are weak:

* titles and honorifics ("Mr", "President", "Foreign Minister", "US envoy")
  mark the following name as a person, even when the model tagged it as an
  organisation or missed it, and are recorded as the person's role;
* a surface form takes the majority type of its mentions in the article, and
  a single name that is the surname of a person named in full is that person;
* names the model missed are found again wherever a known form recurs.

Mentions are then grouped: full names anchor people, and a surname alone
("Zelenskiy", "Mr Zelensky") joins the anchor whose surname matches after
transliteration variants are folded (two different people sharing a surname
stay apart when their first names differ); acronyms join their expansion
("North Atlantic Treaty Organization (NATO)", "the European Union ... the EU").
Role phrases ("Ukraine's president", "the chief negotiator") become ``ROLE``
mentions of the one entity that carried that role earlier in the article.

Across articles the store indexes each entity under ``entity_match_keys``,
asks ``link_entity`` which stored candidate it is, and folds the two together
with ``merge_entities``.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from dateline.models import Entity, EntityMention, EntityType, MentionForm, Sentence

if TYPE_CHECKING:
    from spacy.tokens import Doc

VERSION = "entities.v1"

# spaCy's labels (English OntoNotes, French WikiNER) as our entity types; the rest are not entities.
NER_LABELS: dict[str, EntityType] = {
    "PERSON": EntityType.PERSON,
    "PER": EntityType.PERSON,
    "ORG": EntityType.ORGANISATION,
    "GPE": EntityType.PLACE,
    "LOC": EntityType.PLACE,
    "FAC": EntityType.PLACE,
    "NORP": EntityType.GROUP,
}
_NUMERIC_LABELS = frozenset({"DATE", "TIME", "PERCENT", "MONEY", "QUANTITY", "ORDINAL", "CARDINAL"})
_AFFILIATION_LABELS = frozenset({"GPE", "LOC", "NORP", "ORG", "FAC", "MISC"})


# ------------------------------------------------------------------ language resources


def _word_set(words: str) -> frozenset[str]:
    """A word list written as one string, as word lists are easiest to read and extend."""
    return frozenset(words.split())


@dataclass(frozen=True)
class _LanguageRules:
    honorifics: dict[str, str | None]  # folded honorific (no dot) -> gender ("m", "f") or None
    title_words: frozenset[str]  # words that form titles and role heads ("president", "minister")
    title_modifiers: frozenset[str]  # words that only qualify a title ("foreign", "deputy", "of")
    rank_modifiers: frozenset[str]  # modifiers that change the role ("vice president" is not "president")
    determiners: frozenset[str]  # definite determiners that open a role phrase ("the", "le")
    indefinite: frozenset[str]
    agentive_suffixes: tuple[str, ...]  # suffixes of nouns that name a person's job ("-ist", "-man")
    head_initial: bool  # French puts the head first: "le négociateur en chef ukrainien"
    role_connectors: frozenset[str]  # function words allowed inside a role phrase ("en" in "en chef")
    possessive: bool  # English "Ukraine's president"
    locatives: frozenset[str]  # prepositions that often put a single name in a place ("in Cork")
    spatial_prepositions: frozenset[str]  # prepositions that nearly always do ("around El Fasher")
    place_nouns: frozenset[str]  # nouns after a name that make it a place ("the Valencia region")
    conjunctions: frozenset[str]  # what joins two names in a list ("Cardiff and Swansea")
    complement_prepositions: frozenset[str]  # "mayor of Krakow", "président du parti"
    plural_tag: str | None  # fine-grained tag of plural common nouns ("Wildfires" is no name)


_EN_TITLE_WORDS = _word_set(
    """president premier chancellor minister secretary secretary-general envoy ambassador spokesman
    spokeswoman spokesperson negotiator governor mayor senator congressman congresswoman representative
    king queen prince princess pope emperor empress emir sultan sheikh crown leader chairman chairwoman
    chair chief commander general admiral colonel captain lieutenant major sergeant marshal brigadier
    judge justice prosecutor attorney commissioner director ceo executive founder head speaker
    ambassador-at-large diplomat official adviser advisor aide deputy mediator monarch dictator
    sheriff detective inspector officer constable superintendent bishop archbishop cardinal rabbi imam
    patriarch ayatollah president-elect coach manager striker goalkeeper lawyer barrister solicitor
    doctor professor meteorologist forecaster economist analyst researcher scientist journalist
    reporter correspondent editor author writer activist campaigner candidate nominee lawmaker mp mep
    councillor councilman councilwoman organiser organizer negotiator-in-chief treasurer
    comptroller registrar regulator investigator inspector-general surgeon-general owner
    boss chieftain warlord commandant taoiseach tanaiste chancellor-elect"""
)
_EN_TITLE_MODIFIERS = _word_set(
    """foreign defence defense interior home finance health justice trade economy economic energy
    education transport environment culture labour labor agriculture state treasury war security
    intelligence national prime vice deputy assistant acting former ex interim special senior chief
    first second top lead general supreme attorney majority minority opposition party
    military armed forces navy army air naval presidential junior associate executive managing
    press communications"""
)
_FR_TITLE_WORDS = _word_set(
    """président présidente premier première ministre chancelier chancelière secrétaire porte-parole
    négociateur négociatrice envoyé envoyée ambassadeur ambassadrice maire sénateur sénatrice député
    députée roi reine prince princesse pape émir cheikh chef dirigeant dirigeante commandant général
    amiral colonel capitaine lieutenant juge procureur procureure commissaire directeur directrice
    patron patronne avocat avocate médecin professeur météorologue économiste analyste chercheur
    chercheuse journaliste militant militante candidat candidate conseiller conseillère gouverneur
    préfet préfète leader responsable"""
)
_FR_TITLE_MODIFIERS = _word_set(
    """affaires étrangères défense intérieur général générale vice adjoint adjointe spécial spéciale
    ancien ancienne premier première"""
)

_RULES: dict[str, _LanguageRules] = {
    "en": _LanguageRules(
        honorifics={
            "mr": "m",
            "mrs": "f",
            "ms": "f",
            "miss": "f",
            "mx": None,
            "dr": None,
            "prof": None,
            "sir": "m",
            "dame": "f",
            "lord": "m",
            "lady": "f",
            "rev": None,
            "messrs": None,
        },
        title_words=_EN_TITLE_WORDS,
        title_modifiers=_EN_TITLE_MODIFIERS,
        rank_modifiers=frozenset({"vice", "deputy", "assistant", "former", "ex", "prime", "under", "co"}),
        determiners=frozenset({"the"}),
        indefinite=frozenset({"a", "an", "one", "another"}),
        agentive_suffixes=("ist", "ian", "man", "woman", "person"),
        head_initial=False,
        role_connectors=frozenset(),
        possessive=True,
        locatives=_word_set("in from"),
        spatial_prepositions=_word_set("near across outside around throughout towards toward"),
        place_nouns=_word_set(
            "region regional province provincial county district oblast city town village state area coast"
        ),
        conjunctions=frozenset({"and", "or", ",", ", and", ", or"}),
        complement_prepositions=frozenset({"of", "at"}),
        plural_tag="NNS",
    ),
    "fr": _LanguageRules(
        honorifics={"m": "m", "mme": "f", "mlle": "f", "me": None, "dr": None, "pr": None, "mgr": "m"},
        title_words=_FR_TITLE_WORDS,
        title_modifiers=_FR_TITLE_MODIFIERS,
        rank_modifiers=frozenset(
            {"vice", "adjoint", "adjointe", "ancien", "ancienne", "premier", "première"}
        ),
        determiners=frozenset({"le", "la", "l'", "l’"}),
        indefinite=frozenset({"un", "une"}),
        agentive_suffixes=("iste", "ien", "ienne", "eur", "euse", "rice"),
        head_initial=True,
        role_connectors=frozenset({"en", "de", "des", "du", "d'", "d’", "l'", "l’", "la", "aux"}),
        possessive=False,
        locatives=_word_set("à dans depuis"),
        spatial_prepositions=_word_set("près vers"),
        place_nouns=frozenset(),
        conjunctions=frozenset({"et", "ou", ",", ", et", ", ou"}),
        complement_prepositions=frozenset({"de", "du", "des", "d'", "d’"}),
        plural_tag=None,
    ),
}

# Demonyms and short forms whose spelling does not share a stem with the country (Ukraine/Ukrainian do).
_AFFILIATION_ALIASES: dict[str, str] = {
    "us": "united states",
    "u.s": "united states",
    "u.s.": "united states",
    "usa": "united states",
    "america": "united states",
    "american": "united states",
    "americain": "united states",
    "americaine": "united states",
    "etats-unis": "united states",
    "uk": "united kingdom",
    "u.k": "united kingdom",
    "u.k.": "united kingdom",
    "britain": "united kingdom",
    "great britain": "united kingdom",
    "british": "united kingdom",
    "britannique": "united kingdom",
    "royaume-uni": "united kingdom",
    "french": "france",
    "francais": "france",
    "francaise": "france",
    "dutch": "netherlands",
    "swiss": "switzerland",
    "suisse": "switzerland",
    "spanish": "spain",
    "espagnol": "spain",
    "polish": "poland",
    "turkish": "turkey",
    "turkiye": "turkey",
    "greek": "greece",
    "danish": "denmark",
    "swedish": "sweden",
    "finnish": "finland",
    "irish": "ireland",
    "welsh": "wales",
    "scottish": "scotland",
    "english": "england",
    "german": "germany",
    "turc": "turkey",
    "turque": "turkey",
    "grec": "greece",
    "grecque": "greece",
    "belge": "belgium",
    "neerlandais": "netherlands",
    "neerlandaise": "netherlands",
    "allemand": "germany",
    "allemande": "germany",
    "allemagne": "germany",
    "eu": "european union",
    "ue": "european union",
    "europeen": "european union",
    "europeenne": "european union",
}

# Never entity names on their own, whatever the model says.
_NOT_NAMES = _word_set(
    """monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight
    christmas easter he she it they we i you him her them his hers its their our my your lundi mardi
    mercredi jeudi vendredi samedi dimanche il elle ils elles"""
)
# Months are names only where the model or a title says so ("Theresa May", "Mrs May").
_MONTHS = _word_set(
    """january february march april may june july august september october november december janvier
    février mars avril mai juin juillet août septembre octobre novembre décembre"""
)
# Names of weather systems: the small models call "Storm Bert" a person.
_WEATHER_WORDS = _word_set("storm hurricane typhoon cyclone tropical tempête ouragan typhon cyclone tornado")
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
_NAME_PARTICLES = _word_set(
    "de da di del della des du van von der den ter ten la le al el bin ibn bint abu dos das zu"
)
_FUNCTION_WORDS = _word_set("of the and for on in at to de du des la le les l d et pour sur en a an")
# Endings of French nationality adjectives (ukrainien, polonais, chinoise, américain).
_DEMONYM_SUFFIXES = ("ien", "ienne", "ais", "aise", "ois", "oise", "ain", "aine", "ean", "eenne")
_DETERMINERS = frozenset({"the", "le", "la", "les", "l'"})
_POSSESSIVE_TOKENS = frozenset({"'s", "’s", "'", "’"})
_TITLE_CONNECTORS = frozenset({"of", "for", "de", "du", "des"})
# Time-zone abbreviations are never entities (they come with clock times, which the dates stage reads).
_TIME_ZONE_NAMES = (
    "UTC GMT BST CET CEST EET EEST WET WEST MSK EST EDT CST CDT MST MDT PST PDT AEST AEDT IST JST KST HKT SGT"
    " NZST NZDT"
)
_TIME_ZONES = frozenset(_TIME_ZONE_NAMES.split())
_PLURAL_DEMONYM_ENDINGS = ("ers", "ians", "ans", "ese", "ites", "is", "ns", "iens", "ais", "ois", "ains")
_POSSESSIVE_ENDING = re.compile(r"(?:['’]s|s['’]|['’])$")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "`": "'"})
_NON_WORD = re.compile(r"[^\w' -]+")
_SPACES = re.compile(r"\s+")
_ACRONYM = re.compile(r"^(?:[A-Z][A-Z&]{1,6}|[A-Z](?:\.[A-Z])+\.?)$")
# British style writes pronounceable acronyms in title case ("Nato", "Opec"): such a word may be one.
_TITLECASE_ACRONYM = re.compile(r"^[A-Z][a-z]{2,4}$")
# What may lie between the pieces of one long name: capitalised words, "of", "and", commas.
_NAME_LIST_GAP = re.compile(r"(?:\s*,\s*|\s+)(?:(?:[A-Z][\w'’-]*|and|of|for|the|&)(?:\s*,\s*|\s+))*")
_BRACKETED_ACRONYM = re.compile(r"\(\s*(?P<acronym>[A-Z][A-Z&]{1,6}|[A-Z][a-z]{2,4})\s*\)")
_WORD = re.compile(r"[^\W\d_][\w'’.-]*")
_LOWERCASE_WORD = re.compile(r"(?<![\w'’-])[a-zà-ÿ][\w'’-]*")
# Last words that make a "person" the model found a place or an organisation.
_PLACE_HEADS = _word_set(
    """avenue street road square bridge airport station stadium park lane boulevard highway harbour
    harbor port tower palace castle cathedral church mosque temple hospital hotel building centre center
    rue place pont gare aéroport aeroport boulevard quai"""
)
_ORGANISATION_HEADS = _word_set(
    """university college school institute foundation company corporation group party council
    committee agency bank trust association union federation club society fund"""
)
_PARENTHESISED_ACRONYM = re.compile(r"\s*\(\s*(?P<acronym>[A-Z][A-Za-z.]{1,7})\s*\)")


def _rules_for(language: str | None) -> _LanguageRules | None:
    return _RULES.get((language or "").split("-")[0].lower())


# ------------------------------------------------------------------ name normalisation


def strip_diacritics(text: str) -> str:
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def fold_name(name: str) -> str:
    """The readable normal form used in keys: lowercase, no diacritics, no dots, single spaces."""
    folded = strip_diacritics(name.translate(_APOSTROPHES)).lower().replace(".", "")
    folded = _NON_WORD.sub(" ", folded)
    return _SPACES.sub(" ", folded).strip(" -'")


# Transliteration variants of one word, applied in order: "Zelenskiy", "Zelenskyy", "Selenskij"-style
# endings, kh/h, ck/k, w/v, ie/ye, doubled letters.
_VARIANT_ENDINGS = re.compile(r"(?:iy|yy|yi|ii|ij|yj|ey|ei|y|i)$")
_VARIANT_SLAVIC_OV = re.compile(r"(?:off|ow|of)$")
_VARIANT_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^ye"), "e"),
    (re.compile(r"^yu"), "iu"),
    (re.compile(r"^ya"), "ia"),
    (re.compile(r"kh"), "h"),
    (re.compile(r"ck"), "k"),
    (re.compile(r"x"), "ks"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"w"), "v"),
    (re.compile(r"(?<=[a-z])[iy]e"), "i"),
    (re.compile(r"j"), "y"),
    (re.compile(r"y"), "i"),
    (re.compile(r"'"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)


def variant_skeleton(word: str) -> str:
    """One word folded so that transliteration variants meet: Zelenskiy/Zelenskyy/Zelensky -> "zelenski"."""
    folded = fold_name(word).replace(" ", "").replace("-", "")
    if not folded:
        return ""
    if len(folded) > 4:
        folded = _VARIANT_SLAVIC_OV.sub("ov", folded)
        folded = _VARIANT_ENDINGS.sub("i", folded)
    for pattern, replacement in _VARIANT_REWRITES:
        folded = pattern.sub(replacement, folded)
    return folded


def _name_words(name: str) -> list[str]:
    return [word for word in _SPACES.split(fold_name(name).replace("-", " ")) if word]


@dataclass(frozen=True)
class _PersonName:
    given: tuple[str, ...]  # variant skeletons of the given names, in order
    surname: str  # variant skeleton of the family name
    tokens: tuple[str, ...]  # all skeletons


def _person_name(name: str) -> _PersonName:
    words = _name_words(name)
    while len(words) > 1 and words[-1] in _NAME_SUFFIXES:
        words.pop()
    skeletons = tuple(variant_skeleton(word) for word in words if word not in _NAME_PARTICLES) or tuple(
        variant_skeleton(word) for word in words
    )
    if not skeletons:
        return _PersonName((), "", ())
    return _PersonName(skeletons[:-1], skeletons[-1], skeletons)


def _given_names_compatible(first: Sequence[str], second: Sequence[str]) -> bool:
    """Whether two lists of given names can belong to one person ("V." and "Volodymyr", "Steve" and "Steven")."""
    if not first or not second:
        return True

    def same(a: str, b: str) -> bool:
        if a == b:
            return True
        shorter, longer = sorted((a, b), key=len)
        if len(shorter) == 1:
            return longer.startswith(shorter)
        return len(shorter) >= 3 and longer.startswith(shorter)

    return same(first[0], second[0])


def _acronym_of(name: str) -> str | None:
    words = [word for word in _name_words(name) if word not in _FUNCTION_WORDS]
    if len(words) < 2:
        return None
    return "".join(word[0] for word in words).upper()


def _is_acronym_form(name: str) -> bool:
    """Written as an acronym: "NATO", "U.S.", "EU"."""
    return bool(_ACRONYM.match(name.strip()))


def _may_be_acronym(name: str) -> bool:
    """An acronym, or a short title-case word that may be one ("Nato"), to be confirmed by an expansion."""
    return _is_acronym_form(name) or bool(_TITLECASE_ACRONYM.match(name.strip()))


def _acronym_fits(acronym: str, name: str) -> bool:
    """Whether ACRONYM can abbreviate NAME: its letters in order within the name, the first matching."""
    letters = acronym.replace(".", "").upper()
    words = [word for word in _name_words(name) if word not in _FUNCTION_WORDS]
    if len(letters) < 2 or not words or words[0][0].upper() != letters[0]:
        return False
    if _acronym_of(name) == letters:
        return True
    text = strip_diacritics(" ".join(words)).upper()
    position = 0
    for letter in letters:
        position = text.find(letter, position)
        if position < 0:
            return False
        position += 1
    initials = {word[0].upper() for word in words}
    return sum(letter in initials for letter in letters) >= len(words) - 1


def _initials_cover(acronym: str, name: str) -> bool:
    """Whether ACRONYM's letters are, in order, initials of NAME's capitalised words ("RMT": Rail, Maritime, Transport)."""
    initials = [word[0] for word in re.findall(r"[^\W\d_][\w'’-]*", name) if word[0].isupper()]
    position = 0
    for letter in acronym:
        while position < len(initials) and strip_diacritics(initials[position]).upper() != letter:
            position += 1
        if position == len(initials):
            return False
        position += 1
    return True


def _affiliation_key(text: str) -> str:
    folded = fold_name(text)
    for suffix in (" s", "'s", "s'"):
        if folded.endswith(suffix):
            folded = folded[: -len(suffix)].strip()
    return _AFFILIATION_ALIASES.get(folded, _AFFILIATION_ALIASES.get(folded.replace(" ", "-"), folded))


def _affiliations_match(first: str, second: str) -> bool:
    """Ukraine/Ukrainian, Russia/Russian, Kremlin/Kremlin: one stem; shorter stems must be near-whole."""
    if first == second:
        return True
    shorter, longer = sorted((first, second), key=len)
    common = 0
    for a, b in zip(shorter, longer, strict=False):
        if a != b:
            break
        common += 1
    return common >= 4 and common >= 0.75 * len(shorter)


# ------------------------------------------------------------------ working records


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    text: str
    pos: str
    tag: str
    ent_label: str
    ent_start: int  # char offsets of the token's entity (-1 when none)
    ent_end: int


@dataclass(frozen=True)
class _RolePhrase:
    """A role noun phrase: "Ukraine's chief negotiator", "the US special envoy", "le président ukrainien"."""

    first: int  # token index of its first token, determiner or owner included
    last: int  # token index of its last token, complement included
    head: str  # folded head noun: "negotiator"
    modifiers: frozenset[str]  # folded lowercase modifiers: {"chief"}
    affiliation: str | None  # _affiliation_key of the owner or qualifier ("ukraine", "united states")
    opener: str  # "definite" | "possessive" | "indefinite" | "bare"
    phrase: str  # the role as recorded on the entity: "chief negotiator", "US envoy"
    affiliation_tokens: tuple[int, ...] = ()  # unlabelled proper nouns read as the affiliation


@dataclass(frozen=True)
class _RoleFact:
    phrase: str
    head: str
    modifiers: frozenset[str]
    affiliation: str | None
    position: int  # the role is known from here on


@dataclass
class _Mention:
    start: int  # the whole mention, title included ("President Zelensky")
    end: int
    name_start: int  # the name alone ("Zelensky")
    name_end: int
    name: str
    type: EntityType
    form: MentionForm
    gender: str | None = None
    votes: Counter[EntityType] = field(default_factory=Counter)


@dataclass(eq=False)
class _Group:
    type: EntityType
    mentions: list[_Mention] = field(default_factory=list)
    roles: list[_RoleFact] = field(default_factory=list)
    role_mentions: list[_Mention] = field(default_factory=list)
    gender: str | None = None

    def fullest_name(self) -> str:
        names = [mention.name for mention in self.mentions]
        counts = Counter(names)
        first_seen = {name: index for index, name in reversed(list(enumerate(names)))}

        def rank(name: str) -> tuple[bool, int, int, int, int]:
            # an acronym loses to its expansion; then more words, more mentions, longer, earlier
            return (not _is_acronym_form(name), len(name.split()), counts[name], len(name), -first_seen[name])

        return max(counts, key=rank)


# ------------------------------------------------------------------ the stage


def find_entities(
    text: str, sentences: Sequence[Sentence], doc: Doc | None, language: str | None
) -> tuple[tuple[Entity, ...], tuple[EntityMention, ...]]:
    """Canonical entities of one article and every mention of them, offsets into ``text``.

    ``doc`` is the spaCy doc over the whole ``text``; without one (no model for the
    language) nothing is found and both tuples are empty. Role mentions may nest a
    name mention ("Ukraine" inside "Ukraine's president"); other mentions never overlap.
    """
    rules = _rules_for(language)
    if doc is None or rules is None or not text.strip():
        return (), ()
    if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) != len(text):
        raise ValueError("the spaCy doc was not built over this text: offsets would not match")
    finder = _ArticleEntities(text, _tokens(doc, text), rules, [sentence.start for sentence in sentences])
    finder.run()
    return finder.records(sentences)


_HYPHENS = frozenset({"-", "‑", "–"})


def _tokens(doc: Doc, text: str) -> list[_Token]:
    """The doc's tokens, with hyphenated words the tokenizer split joined again ("Secretary-General").

    Read through ``Doc.to_array``: building a Token object per token costs more than the rules.
    """
    from spacy.attrs import ENT_IOB, ENT_TYPE, IDX, LENGTH, POS, TAG

    strings = doc.vocab.strings
    rows = doc.to_array([IDX, LENGTH, POS, TAG, ENT_IOB, ENT_TYPE]).tolist() if len(doc) else []
    # entity extents from the IOB codes (3 begins an entity, 1 continues it)
    spans: list[tuple[int, int]] = [(-1, -1)] * len(rows)
    index = 0
    while index < len(rows):
        if rows[index][4] != 3:
            index += 1
            continue
        last = index
        while last + 1 < len(rows) and rows[last + 1][4] == 1:
            last += 1
        extent = (rows[index][0], rows[last][0] + rows[last][1])
        for position in range(index, last + 1):
            spans[position] = extent
        index = last + 1
    names: dict[int, str] = {0: ""}  # a few dozen distinct tags and labels: look each up once

    def name_of(code: int) -> str:
        found = names.get(code)
        if found is None:
            found = names[code] = strings[code]
        return found

    raw = [
        _Token(
            start,
            start + length,
            text[start : start + length],
            name_of(pos),
            name_of(tag),
            name_of(label) if spans[i][0] >= 0 else "",
            spans[i][0],
            spans[i][1],
        )
        for i, (start, length, pos, tag, _, label) in enumerate(rows)
    ]
    tokens: list[_Token] = []
    index = 0
    while index < len(raw):
        current = raw[index]
        while (
            index + 2 < len(raw)
            and raw[index + 1].text in _HYPHENS
            and raw[index + 1].start == current.end
            and raw[index + 2].start == raw[index + 1].end
            and current.text[-1:].isalpha()
            and raw[index + 2].text[:1].isalpha()
            and raw[index + 2].ent_start == current.ent_start
        ):
            right = raw[index + 2]
            current = replace(
                current,
                end=right.end,
                text=text[current.start : right.end],
                pos="PROPN" if "PROPN" in (current.pos, right.pos) else right.pos,
                tag=right.tag,
            )
            index += 2
        tokens.append(current)
        index += 1
    return tokens


class _SpanIndex:
    """Character spans sorted by start, asked which overlap a stretch of text.

    Names are short, so only spans starting within the longest span's length before
    a stretch can reach into it: each question costs a bisection, not a scan.
    """

    def __init__(self, spans: Iterable[tuple[int, int]] = ()) -> None:
        self.spans = sorted(spans)
        self.starts = [start for start, _ in self.spans]
        self.longest = max((end - start for start, end in self.spans), default=0)

    def add(self, start: int, end: int) -> None:
        position = bisect.bisect_left(self.starts, start)
        self.starts.insert(position, start)
        self.spans.insert(position, (start, end))
        self.longest = max(self.longest, end - start)

    def overlapping(self, start: int, end: int) -> list[tuple[int, int]]:
        low = bisect.bisect_left(self.starts, start - self.longest)
        high = bisect.bisect_left(self.starts, end)
        return [(s, e) for s, e in self.spans[low:high] if s < end and start < e]


class _ArticleEntities:
    """The working state of one call of ``find_entities``: built, run once, read, discarded."""

    def __init__(
        self, text: str, tokens: list[_Token], rules: _LanguageRules, sentence_starts: list[int]
    ) -> None:
        self.text = text
        self.tokens = tokens
        self.rules = rules
        self.token_starts = [token.start for token in tokens]
        self.token_at: dict[int, int] = {token.start: index for index, token in enumerate(tokens)}
        self.sentence_starts = set(sentence_starts)
        self.lowercase_words = set(_LOWERCASE_WORD.findall(text))
        self.mentions: list[_Mention] = []
        self.groups: list[_Group] = []
        self.blocked: set[str] = set()  # folded names that are no entity here ("bert" of "Storm Bert")
        self.known_modifiers: set[str] = set()  # modifiers of the roles found ("chief", "special")
        self.folded: dict[str, str] = {}  # the same few names are folded hundreds of times per article
        self.people: dict[str, _PersonName] = {}
        self.place_names: tuple[int, set[str]] = (-1, set())

    def run(self) -> None:
        self._model_mentions()
        self._titled_mentions()
        self._split_known_prefixes()
        self._names_from_roles()
        self._drop_overlaps()
        self._join_bracketed_names()
        self._defined_acronyms()
        self._settle_types()
        self._recover_missed_names()
        self._drop_overlaps()
        self._group()
        self._collect_roles()
        self._role_mentions()

    # -------------------------------------------------------------- small helpers

    def _fold(self, name: str) -> str:
        folded = self.folded.get(name)
        if folded is None:
            folded = self.folded[name] = fold_name(name)
        return folded

    def _person(self, name: str) -> _PersonName:
        parsed = self.people.get(name)
        if parsed is None:
            parsed = self.people[name] = _person_name(name)
        return parsed

    def _adjacent(self, left: int, right: int) -> bool:
        """Tokens LEFT and RIGHT are neighbours on one line (at most one space between)."""
        gap = self.tokens[right].start - self.tokens[left].end
        return gap <= 1 and "\n" not in self.text[self.tokens[left].end : self.tokens[right].start]

    def _is_title_word(self, word: str) -> bool:
        lowered = word.lower().rstrip(".")
        folded = strip_diacritics(lowered)
        if lowered in self.rules.title_words or folded in self.rules.title_words:
            return True
        parts = [part for part in re.split(r"[-‑–]", folded) if part]
        return (
            len(parts) > 1
            and all(part in self.rules.title_words or part in self.rules.title_modifiers for part in parts)
            and any(part in self.rules.title_words for part in parts)
        )

    def _is_title_modifier(self, word: str) -> bool:
        lowered = word.lower()
        return (
            lowered in self.rules.title_modifiers or strip_diacritics(lowered) in self.rules.title_modifiers
        )

    def _is_role_head(self, token: _Token) -> bool:
        lowered = token.text.lower()
        if lowered in self.rules.title_modifiers and not self._is_title_word(token.text):
            return False
        if self._is_title_word(token.text):
            return True
        # "historian", "spokesman": a job by its suffix, but only as a noun ("Ukrainian" is no job)
        return (
            token.pos == "NOUN"
            and len(lowered) > 5
            and lowered.isalpha()
            and lowered.endswith(self.rules.agentive_suffixes)
        )

    def _is_name_word(self, token: _Token) -> bool:
        return (
            token.text[:1].isupper()
            and token.text[:1].isalpha()
            and self._fold(token.text) not in _NOT_NAMES
            and not self._is_title_word(token.text)
            and token.text.lower().rstrip(".") not in self.rules.honorifics
        )

    def _ent_text_ending_at(self, index: int) -> str:
        token = self.tokens[index]
        start = token.ent_start if 0 <= token.ent_start < token.end else token.start
        return re.sub(r"^(?:[Tt]he|[Ll]e|[Ll]a|[Ll]['’])\s*", "", self.text[start : token.end])

    def _add(self, mention: _Mention, weight: int = 1) -> None:
        mention.votes[mention.type] += weight
        self.mentions.append(mention)

    # -------------------------------------------------------------- mentions from the model

    def _model_mentions(self) -> None:
        tokens = self.tokens
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if not token.ent_label or token.ent_start != token.start:
                index += 1
                continue
            end = index
            while end + 1 < len(tokens) and tokens[end + 1].ent_start == token.start:
                end += 1
            self._add_model_mention(index, end + 1, token.ent_label)
            index = end + 1

    def _add_model_mention(self, first: int, stop: int, label: str) -> None:
        entity_type = NER_LABELS.get(label)
        if entity_type is None:
            return
        tokens = self.tokens
        span = list(range(first, stop))
        if len(span) == 1 and tokens[first].text in _TIME_ZONES:
            return  # "13:40 local time (0040 UTC)": the small model reads zone names as organisations
        gender: str | None = None
        titled = False
        # Leading determiners ("the Kremlin") and, for people, titles ("President Zelensky") are not the name.
        while span and (
            tokens[span[0]].text.lower().translate(_APOSTROPHES) in _DETERMINERS
            or any(char.isdigit() for char in tokens[span[0]].text)
        ):
            span.pop(0)  # "the Kremlin", "116th Congress"
        while len(span) > 1:
            word = tokens[span[0]].text.lower().rstrip(".")
            if word in self.rules.honorifics:
                gender = gender or self.rules.honorifics[word]
                entity_type = EntityType.PERSON
                titled = True
            elif entity_type is EntityType.PERSON and self._is_title_word(tokens[span[0]].text):
                titled = True
            else:
                break
            span.pop(0)
        while span and (
            tokens[span[-1]].pos in ("PART", "PUNCT") or tokens[span[-1]].text in _POSSESSIVE_TOKENS
        ):
            span.pop()
        if not self.rules.head_initial:
            # English names do not end in a common word: "Easter weekend" is "Easter"
            while (
                len(span) > 1
                and tokens[span[-1]].text[:1].islower()
                and tokens[span[-1]].text not in _NAME_PARTICLES
            ):
                span.pop()
        if not span:
            return
        while (
            span
            and tokens[span[0]].text[:1].islower()
            and tokens[span[0]].text.lower() not in _NAME_PARTICLES
        ):
            if self._is_role_head(tokens[span[0]]):
                return  # "ministre des Transports": a title the model read as a name
            if self.rules.head_initial:
                break  # French names may open with a common noun: "pointe du Raz", "mont Blanc"
            span.pop(0)  # "south-west England"
        if not span:
            return
        first_word = tokens[span[0]].text
        if entity_type is EntityType.PERSON and first_word.lower() in _WEATHER_WORDS:
            self.blocked.add(self._fold(" ".join(tokens[i].text for i in span[1:])))
            return
        if self.rules.plural_tag and len(span) == 1 and tokens[span[0]].tag == self.rules.plural_tag:
            return  # a plural common noun
        if len(span) == 1 and self._capitalised_common_word(span[0]):
            return  # "Guardrails were ..." at the start of a sentence, "guardrails" elsewhere
        last_word = strip_diacritics(tokens[span[-1]].text.lower())
        if entity_type is EntityType.PERSON and len(span) > 1:
            if last_word in _PLACE_HEADS:
                entity_type = EntityType.PLACE  # "Karl Marx Avenue"
            elif last_word in _ORGANISATION_HEADS:
                entity_type = EntityType.ORGANISATION  # "Simon Bolivar University"
        if entity_type is EntityType.PERSON:
            if not titled:
                span = self._given_names_before(span[0]) + span
            span = span + self._surname_after_particles(span[-1])
        name_start, name_end = tokens[span[0]].start, tokens[span[-1]].end
        name = _strip_possessive(self.text[name_start:name_end])
        name_end = name_start + len(name)
        if not self._plausible_name(name, span, entity_type):
            return
        start = tokens[first].start if titled else name_start
        form = MentionForm.TITLED if titled else MentionForm.NAME
        mention = _Mention(start, name_end, name_start, name_end, name, entity_type, form, gender)
        self._add(mention, weight=3 if titled else 1)

    def _capitalised_common_word(self, index: int) -> bool:
        """A sentence's first word that the article also writes in lower case: a common word, not a name."""
        token = self.tokens[index]
        return token.start in self.sentence_starts and token.text.lower() in self.lowercase_words

    def _given_names_before(self, first: int) -> list[int]:
        """Capitalised proper nouns the model left off a person's name ("Rustem" of "Rustem Umerov")."""
        found: list[int] = []
        index = first - 1
        while index >= 0 and len(found) < 2:
            token = self.tokens[index]
            if not self._adjacent(index, index + 1) or self.tokens[index + 1].start == token.end:
                break
            if token.pos != "PROPN" or token.ent_label or not self._is_name_word(token):
                break
            if token.text.lower() in self.rules.title_modifiers:
                break
            found.insert(0, index)
            index -= 1
        return found

    def _surname_after_particles(self, last: int) -> list[int]:
        """A surname the model cut after its particles: "Ursula von der" + "Leyen"."""
        if self.tokens[last].text.lower() not in _NAME_PARTICLES:
            return []
        found = []
        index = last + 1
        while index < len(self.tokens) and self._adjacent(index - 1, index):
            token = self.tokens[index]
            if token.text.lower() in _NAME_PARTICLES:
                found.append(index)
            elif self._is_name_word(token):
                found.append(index)
                return found
            else:
                break
            index += 1
        return []

    def _plausible_name(self, name: str, span: Sequence[int], entity_type: EntityType) -> bool:
        folded = self._fold(name)
        if len(folded) < 2 or not any(char.isupper() for char in name) or folded.isdigit():
            return False
        if folded in _NOT_NAMES or folded in self.rules.honorifics:
            return False
        if folded in _MONTHS and entity_type is not EntityType.PERSON:
            return False
        return not all(self._is_title_word(self.tokens[index].text) for index in span)

    # -------------------------------------------------------------- titles and honorifics

    def _titled_mentions(self) -> None:
        """A title or honorific followed by capitalised words names a person ("Mr Zelenskiy will fly")."""
        tokens = self.tokens
        found: list[tuple[_Mention, int, int]] = []
        index = 0
        while index < len(tokens):
            run = self._title_run(index)
            if run is None:
                index += 1
                continue
            run_end, gender, is_honorific = run
            name_tokens = self._name_after(run_end)
            if not name_tokens or (not is_honorific and self._title_inside_named_thing(index, name_tokens)):
                index = run_end
                continue
            name_start, name_end = tokens[name_tokens[0]].start, tokens[name_tokens[-1]].end
            name = _strip_possessive(self.text[name_start:name_end])
            titled = _Mention(
                tokens[index].start,
                name_start + len(name),
                name_start,
                name_start + len(name),
                name,
                EntityType.PERSON,
                MentionForm.TITLED,
                gender,
            )
            found.append((titled, tokens[index].start, tokens[run_end - 1].end))
            index = name_tokens[-1] + 1
        if found:
            self._replace_with_titled(found)

    def _title_run(self, index: int) -> tuple[int, str | None, bool] | None:
        """Where a run of capitalised title words that starts at INDEX ends ("Foreign Minister", "Mr")."""
        tokens = self.tokens
        token = tokens[index]
        if not token.text[:1].isupper():
            return None
        word = token.text.lower().rstrip(".")
        if word in self.rules.honorifics:
            if len(word) == 1 and not token.text.endswith("."):
                return None  # French "M." needs its full stop; a bare "M" is an initial
            return index + 1, self.rules.honorifics[word], True
        end = index
        has_head = False
        while end < len(tokens) and (end == index or self._adjacent(end - 1, end)):
            current = tokens[end]
            lowered = current.text.lower()
            if current.text[:1].isupper() and self._is_title_word(current.text):
                has_head = True
            elif lowered in _TITLE_CONNECTORS and has_head:
                pass
            elif not (current.text[:1].isupper() and lowered in self.rules.title_modifiers):
                break
            end += 1
        if end > index:
            end, has_head = self._department_in_title(end, has_head)
        # A run never ends on a connector: "Secretary of" + "State Marco Rubio" keeps "State" in the title.
        while end > index and tokens[end - 1].text.lower() in _TITLE_CONNECTORS:
            end -= 1
        return (end, None, False) if has_head else None

    def _department_in_title(self, end: int, has_head: bool) -> tuple[int, bool]:
        """Up to three capitalised words inside a title: "Deputy Emergency Situations Minister"."""
        tokens = self.tokens
        look = end
        while (
            look < len(tokens)
            and look - end < 3
            and self._adjacent(look - 1, look)
            and tokens[look].text[:1].isupper()
            and not self._is_title_word(tokens[look].text)
        ):
            look += 1
        if look == end or look >= len(tokens) or not self._adjacent(look - 1, look):
            return end, has_head
        if not (tokens[look].text[:1].isupper() and self._is_title_word(tokens[look].text)):
            return end, has_head
        end = look + 1
        while end < len(tokens) and self._adjacent(end - 1, end) and self._is_title_word(tokens[end].text):
            end += 1
        return end, True

    def _name_after(self, index: int) -> list[int]:
        """Capitalised name words from INDEX ("Volodymyr Zelensky", "Ursula von der Leyen"), at most four."""
        tokens = self.tokens
        found: list[int] = []
        position = index
        while (
            position < len(tokens)
            and len(found) < 4
            and (position == index or self._adjacent(position - 1, position))
        ):
            token = tokens[position]
            if self._is_name_word(token) and token.ent_label not in _NUMERIC_LABELS:
                found.append(position)
            elif token.text.lower() in _NAME_PARTICLES and found:
                pass
            else:
                break
            if token.text.endswith(("'s", "’s")) or (
                position + 1 < len(tokens) and tokens[position + 1].text in _POSSESSIVE_TOKENS
            ):
                break
            position += 1
        return found

    def _title_inside_named_thing(self, first: int, name_tokens: list[int]) -> bool:
        """Whether the title opens the name of something else: "General Motors", "Queen Elizabeth Hospital"."""
        title = self.tokens[first]
        last = self.tokens[name_tokens[-1]]
        return (
            bool(title.ent_label)
            and title.ent_label not in ("PERSON", "PER")
            and title.ent_start == last.ent_start
        )

    def _replace_with_titled(self, found: list[tuple[_Mention, int, int]]) -> None:
        """Titled people replace what the model saw under their title and name."""
        self.mentions.sort(key=lambda mention: mention.start)
        starts = [mention.start for mention in self.mentions]
        longest = max((mention.end - mention.start for mention in self.mentions), default=0)
        dropped: set[int] = set()
        for titled, title_start, title_end in found:
            low = bisect.bisect_left(starts, title_start - longest)
            high = bisect.bisect_left(starts, max(titled.name_end, title_end))
            for position in range(low, high):
                mention = self.mentions[position]
                if title_start <= mention.name_start and mention.name_end <= title_end:
                    dropped.add(position)  # "State" of "Secretary of State" is no organisation
                elif mention.name_start < titled.name_end and titled.name_start < mention.name_end:
                    if mention.type is EntityType.PERSON and mention.name_end > titled.name_end:
                        titled.name_end = titled.end = mention.name_end  # the model saw a longer name
                    titled.gender = titled.gender or mention.gender
                    dropped.add(position)
            titled.name = self.text[titled.name_start : titled.name_end]
            titled.votes[EntityType.PERSON] += 3
        kept = [mention for position, mention in enumerate(self.mentions) if position not in dropped]
        self.mentions = kept + [titled for titled, _, _ in found]

    # -------------------------------------------------------------- names known from their roles

    def _names_from_roles(self) -> None:
        """People the model missed or mistyped, found by their role.

        "Rustem Umerov, Ukraine's chief negotiator," and "envoy Steve Witkoff"
        name people; "Gazprom" in "Gazprom chief executive Alexei Miller" is
        the organisation the role belongs to.
        """
        tokens = self.tokens
        taken = {
            index
            for mention in self.mentions
            for index in self._token_range(mention.name_start, mention.name_end)
        }
        index = 0
        while index < len(tokens):
            if (
                index in taken
                or tokens[index].ent_label
                or tokens[index].pos != "PROPN"
                or not self._is_name_word(tokens[index])
            ):
                index += 1
                continue
            end = index
            while (
                end + 1 < len(tokens)
                and end - index < 2
                and end + 1 not in taken
                and not tokens[end + 1].ent_label
                and tokens[end + 1].pos == "PROPN"
                and self._is_name_word(tokens[end + 1])
                and self._adjacent(end, end + 1)
            ):
                end += 1
            after = self._appositive_after(end + 1) if end + 1 < len(tokens) else None
            before = self._role_right_before(index)
            if (
                (after is not None and after.opener != "indefinite")
                or (before is not None and end > index)
                or self._appositive_before(index) is not None
            ):
                start, stop = tokens[index].start, tokens[end].end
                name = _strip_possessive(self.text[start:stop])
                self._add(
                    _Mention(
                        start,
                        start + len(name),
                        start,
                        start + len(name),
                        name,
                        EntityType.PERSON,
                        MentionForm.NAME,
                    ),
                    weight=3,
                )
            index = end + 1
        named = _SpanIndex((m.name_start, m.name_end) for m in self.mentions)
        for mention in list(self.mentions):
            if mention.type is not EntityType.PERSON:
                continue
            first = self.token_at.get(mention.start)
            role = self._role_right_before(first) if first is not None else None
            if role is not None and role.affiliation_tokens:
                start = tokens[role.affiliation_tokens[0]].start
                stop = tokens[role.affiliation_tokens[-1]].end
                name = self.text[start:stop]
                if not named.overlapping(start, stop):
                    named.add(start, stop)
                    self._add(
                        _Mention(start, stop, start, stop, name, EntityType.ORGANISATION, MentionForm.NAME)
                    )

    def _join_bracketed_names(self) -> None:
        """One name the model cut at its commas: "National Union of Rail, Maritime and Transport Workers (RMT)"."""
        self.mentions.sort(key=lambda mention: mention.start)
        position = 0
        while position < len(self.mentions):
            last = self.mentions[position]
            bracket = _PARENTHESISED_ACRONYM.match(self.text, last.end)
            if bracket is None or last.type is EntityType.PERSON:
                position += 1
                continue
            letters = _acronym_letters(bracket.group("acronym"))
            first = position
            joined = None
            while first > 0:
                previous = self.mentions[first - 1]
                if previous.type is EntityType.PERSON or not _NAME_LIST_GAP.fullmatch(
                    self.text, previous.end, self.mentions[first].start
                ):
                    break
                first -= 1
                span_text = self.text[self.mentions[first].start : last.end]
                if _initials_cover(letters, span_text):
                    joined = first
            if joined is None:
                position += 1
                continue
            start = self.mentions[joined].start
            name = self.text[start : last.end]
            merged = _Mention(
                start, last.end, start, last.end, name, EntityType.ORGANISATION, MentionForm.NAME
            )
            merged.votes[EntityType.ORGANISATION] += 2
            self.mentions[joined : position + 1] = [merged]
            position = joined + 1

    def _defined_acronyms(self) -> None:
        """Names the model missed but the text defines by an acronym: "the Alliance for the Union of Romanians (AUR)"."""
        taken = _SpanIndex((m.start, m.end) for m in self.mentions)
        for bracket in _BRACKETED_ACRONYM.finditer(self.text):
            letters = _acronym_letters(bracket.group("acronym"))
            words = list(_WORD.finditer(self.text, max(0, bracket.start() - 120), bracket.start()))
            run: list[re.Match[str]] = []
            for word in reversed(words):
                gap = self.text[word.end() : run[0].start() if run else bracket.start()]
                if gap.strip() or "\n" in gap:
                    break
                if not (word.group()[:1].isupper() or word.group().lower() in _FUNCTION_WORDS):
                    break
                run.insert(0, word)
            while run and not run[0].group()[:1].isupper():
                run.pop(0)
            for start in range(len(run)):
                if not run[start].group()[:1].isupper() or run[start].group().lower() in _DETERMINERS:
                    continue
                name = self.text[run[start].start() : run[-1].end()]
                if len(name.split()) < 2 or not (
                    _acronym_of(name) == letters or _acronym_fits(letters, name)
                ):
                    continue
                name_start, name_end = run[start].start(), run[-1].end()
                if not taken.overlapping(name_start, name_end):
                    taken.add(name_start, name_end)
                    self._add(
                        _Mention(
                            name_start,
                            name_end,
                            name_start,
                            name_end,
                            name,
                            EntityType.ORGANISATION,
                            MentionForm.NAME,
                        ),
                        weight=2,
                    )
                acronym_start, acronym_end = bracket.span("acronym")
                if not taken.overlapping(acronym_start, acronym_end):
                    taken.add(acronym_start, acronym_end)
                    acronym = bracket.group("acronym")
                    self._add(
                        _Mention(
                            acronym_start,
                            acronym_end,
                            acronym_start,
                            acronym_end,
                            acronym,
                            EntityType.ORGANISATION,
                            MentionForm.NAME,
                        )
                    )
                break

    def _split_known_prefixes(self) -> None:
        """A person's span that opens with a place named elsewhere in the article: "Koszalin Piotr Jedlinski"."""
        others = {
            self._fold(m.name): m.type
            for m in self.mentions
            if m.type is not EntityType.PERSON and " " not in m.name
        }
        for mention in list(self.mentions):
            words = mention.name.split()
            if (
                mention.type is not EntityType.PERSON
                or mention.form is not MentionForm.NAME
                or len(words) < 3
            ):
                continue
            prefix_type = others.get(self._fold(words[0]))
            if prefix_type is None:
                continue
            prefix_end = mention.name_start + len(words[0])
            rest_start = self.text.index(words[1], prefix_end)
            self.mentions.remove(mention)
            self._add(
                _Mention(
                    mention.name_start,
                    prefix_end,
                    mention.name_start,
                    prefix_end,
                    words[0],
                    prefix_type,
                    MentionForm.NAME,
                )
            )
            rest = self.text[rest_start : mention.name_end]
            self._add(
                _Mention(
                    rest_start,
                    mention.name_end,
                    rest_start,
                    mention.name_end,
                    rest,
                    EntityType.PERSON,
                    MentionForm.NAME,
                )
            )

    def _token_range(self, start: int, end: int) -> range:
        first = bisect.bisect_left(self.token_starts, start)
        last = bisect.bisect_left(self.token_starts, end)
        return range(first, last)

    def _drop_overlaps(self) -> None:
        """One mention per stretch of text: the earlier, then the longer one."""
        self.mentions.sort(key=lambda mention: (mention.start, -(mention.end - mention.start)))
        kept: list[_Mention] = []
        for mention in self.mentions:
            if kept and mention.start < kept[-1].end:
                if (
                    mention.type is EntityType.PERSON
                    and kept[-1].type is not EntityType.PERSON
                    and mention.end > kept[-1].end
                ):
                    kept[-1] = mention
                continue
            kept.append(mention)
        self.mentions = kept

    # -------------------------------------------------------------- types

    def _settle_types(self) -> None:
        """Each surface form gets one type: the model's votes, context, and what the article says elsewhere."""
        for mention in self.mentions:
            if mention.form is not MentionForm.TITLED:
                self._context_votes(mention)
        for _ in range(2):  # coordination spreads a type along "Cardiff and Swansea"
            chosen = self._chosen_types()
            for position, mention in enumerate(self.mentions):
                if mention.form is not MentionForm.NAME or len(mention.name.split()) != 1:
                    continue
                for neighbour in self.mentions[max(position - 1, 0) : position + 2]:
                    if (
                        neighbour is not mention
                        and self._coordinated(mention, neighbour)
                        and chosen[self._fold(neighbour.name)] is EntityType.PLACE
                    ):
                        mention.votes[EntityType.PLACE] += 2
        chosen = self._chosen_types()
        for mention in self.mentions:
            mention.type = chosen[self._fold(mention.name)]
        while self._people_named_in_full():
            pass
        self._organisation_short_names()
        self.mentions = [mention for mention in self.mentions if self._fold(mention.name) not in self.blocked]

    def _chosen_types(self) -> dict[str, EntityType]:
        tallies: dict[str, Counter[EntityType]] = {}
        for mention in self.mentions:
            tallies.setdefault(self._fold(mention.name), Counter()).update(mention.votes)
        return {name: tally.most_common(1)[0][0] for name, tally in tallies.items()}

    def _context_votes(self, mention: _Mention) -> None:
        tokens = self.tokens
        span = list(self._token_range(mention.name_start, mention.name_end))
        if not span:
            return
        first, last = span[0], span[-1]
        single = len(span) == 1 and not _is_acronym_form(mention.name)
        if mention.type is EntityType.PLACE and single and tokens[first].pos == "ADJ":
            mention.votes[EntityType.GROUP] += 2  # "Ukrainian officials"
        if mention.type in (EntityType.PERSON, EntityType.ORGANISATION) and not _is_acronym_form(
            mention.name
        ):
            word = tokens[first - 1].text.lower() if first > 0 else ""
            if word in self.rules.spatial_prepositions or (
                single and word in self.rules.locatives and mention.form is MentionForm.NAME
            ):
                mention.votes[EntityType.PLACE] += 3  # "around El Fasher", "crews in Cork"
            if single and last + 1 < len(tokens) and tokens[last + 1].text.lower() in self.rules.place_nouns:
                mention.votes[EntityType.PLACE] += 3  # "the Valencia region"
        if single and mention.type is not EntityType.GROUP and self._demonym_of_place(mention.name):
            mention.votes[EntityType.GROUP] += 3  # "Greenlanders", "Californians"
        if mention.type is not EntityType.PERSON and not _is_acronym_form(mention.name):
            after = self._appositive_after(last + 1) if last + 1 < len(tokens) else None
            before = self._role_right_before(first)
            if (
                (after is not None and after.opener != "indefinite")
                or (before is not None and len(span) > 1)
                or self._appositive_before(first) is not None
            ):
                mention.votes[EntityType.PERSON] += 3  # "Rustem Umerov, Ukraine's chief negotiator"

    def _demonym_of_place(self, name: str) -> bool:
        """Whether NAME is a plural people-word built on a place named in the article ("Greenlanders")."""
        folded = self._fold(name)
        if not folded.endswith(_PLURAL_DEMONYM_ENDINGS):
            return False
        for place in self._place_names():
            if " " in place:
                continue
            stem = place[:-1] if place.endswith(("a", "e", "y")) else place
            if len(stem) >= 4 and folded.startswith(stem) and folded != place:
                return True
        return False

    def _place_names(self) -> set[str]:
        """Folded names of the places and groups found so far (recomputed only when mentions change)."""
        if self.place_names[0] != len(self.mentions):
            names = {
                self._fold(m.name) for m in self.mentions if m.type in (EntityType.PLACE, EntityType.GROUP)
            }
            self.place_names = (len(self.mentions), names)
        return self.place_names[1]

    def _coordinated(self, mention: _Mention, other: _Mention) -> bool:
        left, right = (mention, other) if mention.start < other.start else (other, mention)
        between = self.text[left.end : right.start].strip().lower()
        return between in self.rules.conjunctions and "\n" not in self.text[left.end : right.start]

    def _after_locative(self, mention: _Mention) -> bool:
        first = self.token_at.get(mention.name_start)
        if not first:
            return False
        word = self.tokens[first - 1].text.lower()
        return word in self.rules.locatives or word in self.rules.spatial_prepositions

    def _people_named_in_full(self) -> bool:
        """A name typed otherwise that is the surname of a person named in full is that person ("Zelenskiy")."""
        person_words: set[str] = set()
        single_people: set[str] = set()
        for mention in self.mentions:
            if mention.type is EntityType.PERSON:
                parsed = self._person(mention.name)
                if len(parsed.tokens) >= 2:
                    person_words.update(parsed.tokens)
                elif parsed.surname:
                    single_people.add(parsed.surname)
        located = {self._fold(m.name) for m in self.mentions if self._after_locative(m)}
        changed: set[str] = set()
        for mention in self.mentions:
            if mention.type is EntityType.PERSON or _is_acronym_form(mention.name):
                continue
            if mention.type is EntityType.PLACE and self._fold(mention.name) in located:
                continue  # "George Washington" and "talks in Washington"
            words = mention.name.split()
            parsed = self._person(mention.name)
            if (len(words) == 1 and parsed.surname in person_words) or (
                2 <= len(words) <= 3
                and parsed.surname in single_people | person_words
                and all(word[:1].isupper() for word in words)
            ):
                changed.add(self._fold(mention.name))
        for mention in self.mentions:
            if self._fold(mention.name) in changed:
                mention.type = EntityType.PERSON
        return bool(changed)

    def _organisation_short_names(self) -> None:
        """The first word of an organisation's name is that organisation: "Northwind" after "Northwind Airlines"."""
        first_words: dict[str, set[str]] = {}
        for mention in self.mentions:
            words = mention.name.split()
            if (
                mention.type is EntityType.ORGANISATION
                and len(words) >= 2
                and not _is_acronym_form(mention.name)
            ):
                first_words.setdefault(variant_skeleton(words[0]), set()).add(self._fold(mention.name))
        for mention in self.mentions:
            if (
                mention.form is MentionForm.TITLED
                or len(mention.name.split()) != 1
                or mention.type is EntityType.PLACE
            ):
                continue
            owners = first_words.get(variant_skeleton(mention.name), set())
            if len(owners) == 1 and mention.type is not EntityType.ORGANISATION:
                mention.type = EntityType.ORGANISATION

    # -------------------------------------------------------------- recall

    def _recover_missed_names(self) -> None:
        """Known names recur where the model missed them: "Umerov said" after "Rustem Umerov"."""
        forms: dict[tuple[str, ...], EntityType] = {}
        for mention in self.mentions:
            words = tuple(self._fold(mention.name).split())
            if not words:
                continue
            forms.setdefault(words, mention.type)
            if mention.type is EntityType.PERSON and len(words) >= 2:
                forms.setdefault(("~" + self._person(mention.name).surname,), EntityType.PERSON)
        if not forms:
            return
        tokens = self.tokens
        covered = [False] * len(tokens)
        for mention in self.mentions:
            for index in self._token_range(mention.start, mention.end):
                covered[index] = True
        lowercase_words = {word for word in re.findall(r"\b[a-z][\w'-]*", self.text)}
        longest = max(len(words) for words in forms)
        index = 0
        while index < len(tokens):
            token = tokens[index]
            if (
                covered[index]
                or token.ent_label in _NUMERIC_LABELS  # "May" the month, not Theresa May
                or (not self._is_name_word(token) and not _is_acronym_form(token.text))
            ):
                index += 1
                continue
            found: tuple[int, EntityType] | None = None
            for size in range(min(longest, len(tokens) - index), 0, -1):
                if any(covered[index + offset] for offset in range(size)):
                    continue
                if not tokens[index + size - 1].text[-1:].isalnum():
                    continue  # "RMT)" is "RMT"
                words = tuple(self._fold(self.text[token.start : tokens[index + size - 1].end]).split())
                entity_type = forms.get(words)
                if entity_type is None and size == 1:
                    entity_type = forms.get(("~" + variant_skeleton(token.text),))
                if entity_type is not None:
                    found = (size, entity_type)
                    break
            if found is None:
                index += 1
                continue
            size, entity_type = found
            common_word = token.text.lower() in lowercase_words
            if size == 1 and token.pos != "PROPN" and (common_word or token.pos not in ("NOUN", "X", "ADJ")):
                index += 1
                continue  # a capitalised common word ("Price rises") is not the surname "Price"
            start, end = token.start, tokens[index + size - 1].end
            name = _strip_possessive(self.text[start:end])
            mention = _Mention(
                start, start + len(name), start, start + len(name), name, entity_type, MentionForm.NAME
            )
            self._add(mention)
            index += size

    # -------------------------------------------------------------- grouping

    def _group(self) -> None:
        self._group_people([m for m in self.mentions if m.type is EntityType.PERSON])
        self._group_others([m for m in self.mentions if m.type is not EntityType.PERSON])

    def _new_group(self, mention: _Mention) -> _Group:
        group = _Group(type=mention.type, mentions=[mention], gender=mention.gender)
        self.groups.append(group)
        return group

    def _group_people(self, people: list[_Mention]) -> None:
        anchors: list[tuple[_PersonName, _Group]] = []
        singles: list[_Mention] = []
        for mention in sorted(people, key=lambda m: (-len(m.name.split()), m.start)):
            parsed = self._person(mention.name)
            if not parsed.surname:
                continue
            if len(parsed.tokens) < 2:
                singles.append(mention)
                continue
            for anchor, group in anchors:
                if (
                    anchor.surname == parsed.surname
                    and _given_names_compatible(anchor.given, parsed.given)
                    and not _genders_clash(group.gender, mention.gender)
                ):
                    group.mentions.append(mention)
                    group.gender = group.gender or mention.gender
                    break
            else:
                anchors.append((parsed, self._new_group(mention)))
        surname_users: set[_Group] = set()
        for mention in sorted(singles, key=lambda m: m.start):
            skeleton = self._person(mention.name).surname
            matches = [group for anchor, group in anchors if anchor.surname == skeleton] or [
                group for anchor, group in anchors if skeleton in anchor.tokens
            ]
            matches = [group for group in matches if not _genders_clash(group.gender, mention.gender)]
            if not matches:
                group = self._new_group(mention)
                anchors.append((_PersonName((), skeleton, (skeleton,)), group))
                surname_users.add(group)
                continue
            # A surname shared by two people: the one already called by it, else the first named.
            established = [group for group in matches if group in surname_users]
            group = established[0] if len(established) == 1 else min(matches, key=_first_position)
            group.mentions.append(mention)
            group.gender = group.gender or mention.gender
            surname_users.add(group)

    def _group_others(self, others: list[_Mention]) -> None:
        by_name: dict[str, _Group] = {}
        first_words: dict[str, list[_Group]] = {}
        acronyms: list[_Mention] = []
        for mention in sorted(others, key=lambda m: (-len(m.name.split()), m.start)):
            if _is_acronym_form(mention.name):
                acronyms.append(mention)
                continue
            key = _other_key(mention.name, mention.type)
            group = by_name.get(key)
            if group is None and len(mention.name.split()) == 1 and mention.type is EntityType.ORGANISATION:
                owners = first_words.get(key, [])
                group = owners[0] if len(owners) == 1 else None  # "Northwind" of "Northwind Airlines"
            if group is None and _may_be_acronym(mention.name):
                group = by_name.get("acronym:" + _acronym_letters(mention.name))  # "Nato"
            if group is None:
                group = self._new_group(mention)
                by_name[key] = group
                words = key.split()
                if len(words) > 1 and mention.type is EntityType.ORGANISATION:
                    first_words.setdefault(words[0], []).append(group)
                acronym = _acronym_of(mention.name)
                if acronym:
                    by_name.setdefault("acronym:" + acronym, group)
            else:
                group.mentions.append(mention)
        explicit = self._parenthesised_acronyms(by_name)
        for mention in sorted(acronyms, key=lambda m: m.start):
            letters = _acronym_letters(mention.name)
            group = (
                explicit.get(letters)
                or by_name.get("acronym:" + letters)
                or by_name.get("letters:" + letters)
            )
            if group is None:
                group = self._new_group(mention)
                by_name["letters:" + letters] = group
            else:
                group.mentions.append(mention)
        for group in self.groups:
            if group.type is EntityType.PERSON:
                continue
            tally = Counter(m.type for m in group.mentions if not _is_acronym_form(m.name)) or Counter(
                m.type for m in group.mentions
            )
            group.type = tally.most_common(1)[0][0]
            for mention in group.mentions:
                mention.type = group.type

    def _parenthesised_acronyms(self, by_name: dict[str, _Group]) -> dict[str, _Group]:
        """A bracketed acronym abbreviates the name before it: "North Atlantic Treaty Organization (NATO)"."""
        found: dict[str, _Group] = {}
        for mention in self.mentions:
            if mention.type is EntityType.PERSON or _is_acronym_form(mention.name):
                continue
            match = _PARENTHESISED_ACRONYM.match(self.text, mention.end)
            if match is None:
                continue
            letters = _acronym_letters(match.group("acronym"))
            group = by_name.get(_other_key(mention.name, mention.type))
            # Written right after the name it abbreviates: the first letters agreeing is enough ("FSB").
            if group is not None and (
                letters[:1] == strip_diacritics(mention.name[:1]).upper()
                or _initials_cover(letters, mention.name)
            ):
                found.setdefault(letters, group)
        return found

    # -------------------------------------------------------------- role phrases

    def _role_phrase(self, head: int, *, complement: bool = True, strict: bool = True) -> _RolePhrase | None:
        """The role noun phrase whose head noun is token HEAD, or None when HEAD heads none.

        STRICT keeps French adjectives after the head only when they are known to belong to
        roles: the small model tags verbs as adjectives ("le président viendra"). Where a
        comma or a name closes the phrase anyway, any adjective is taken.
        """
        if not self._is_role_head(self.tokens[head]):
            return None
        if self.rules.head_initial:
            return self._role_phrase_head_initial(head, strict=strict)
        return self._role_phrase_head_final(head, complement=complement)

    def _role_phrase_head_final(self, head: int, *, complement: bool) -> _RolePhrase | None:
        tokens = self.tokens
        words = [head]
        affiliation: str | None = None
        affiliation_tokens: list[int] = []
        opener = "bare"
        first = head
        index = head - 1
        while index >= 0 and head - index <= 6 and self._adjacent(index, index + 1):
            token = tokens[index]
            lowered = token.text.lower().translate(_APOSTROPHES)
            if lowered in self.rules.determiners:
                opener, first = "definite", index
                break
            if lowered in self.rules.indefinite:
                opener, first = "indefinite", index
                break
            if self.rules.possessive and token.text in _POSSESSIVE_TOKENS:
                owner_last = index - 1
                if owner_last < 0:
                    return None
                if not tokens[owner_last].text[:1].isupper():
                    # "the union's general secretary": a definite owner that names nothing
                    if owner_last >= 1 and tokens[owner_last - 1].text.lower() in self.rules.determiners:
                        opener, first = "possessive", owner_last - 1
                        break
                    return None
                if tokens[owner_last].ent_label in ("PERSON", "PER"):
                    return None  # "Trump's envoy": the owner is a person, not an affiliation
                owner_first = owner_last
                while (
                    owner_first - 1 >= 0
                    and tokens[owner_first - 1].ent_start == tokens[owner_last].ent_start >= 0
                ):
                    owner_first -= 1
                owner_text = self.text[tokens[owner_first].start : tokens[owner_last].end]
                affiliation = _affiliation_key(owner_text)
                opener, first = "possessive", owner_first
                break
            if (token.text[:1].islower() and token.pos in ("ADJ", "NOUN", "PROPN")) or (
                token.text[:1].isupper()
                and (self._is_title_word(token.text) or lowered in self.rules.title_modifiers)
            ):
                words.insert(0, index)
            elif (
                token.text[:1].isupper()
                and token.ent_label not in ("PERSON", "PER", *_NUMERIC_LABELS)
                and (token.ent_label or token.pos == "PROPN")
            ):
                affiliation = _affiliation_key(self._ent_text_ending_at(index))
                if not token.ent_label:
                    affiliation_tokens.insert(0, index)
                words.insert(0, index)
            else:
                break
            first = index
            index -= 1
        last = head
        if complement:
            last, affiliation = self._complement(head, affiliation)
        return self._phrase(first, last, head, words, affiliation, opener, tuple(affiliation_tokens))

    def _complement(self, head: int, affiliation: str | None) -> tuple[int, str | None]:
        """A complement after the head: "of Krakow", "at the Met Office", "du parti"."""
        tokens = self.tokens
        index = head + 1
        if index >= len(tokens) or tokens[index].text.lower() not in self.rules.complement_prepositions:
            return head, affiliation
        target = index + 1
        if target < len(tokens) and tokens[target].text.lower().translate(_APOSTROPHES) in _DETERMINERS:
            target += 1
        if target >= len(tokens) or not self._adjacent(index, index + 1):
            return head, affiliation
        token = tokens[target]
        if token.ent_label and token.ent_label not in ("PERSON", "PER", *_NUMERIC_LABELS):
            end = target
            while end + 1 < len(tokens) and tokens[end + 1].ent_start == token.ent_start:
                end += 1
            named = self.text[max(token.start, token.ent_start) : tokens[end].end]
            return end, affiliation or _affiliation_key(named)
        if token.text[:1].isupper() and token.pos == "PROPN":
            return self._trailing_adjectives(target), affiliation or _affiliation_key(token.text)
        if self.rules.head_initial and token.pos in ("NOUN", "PROPN") and token.text[:1].islower():
            return self._trailing_adjectives(target), affiliation  # "porte-parole du gouvernement"
        return head, affiliation

    def _trailing_adjectives(self, index: int) -> int:
        """French adjectives follow their noun: "des Affaires étrangères" ends after "étrangères"."""
        if not self.rules.head_initial:
            return index
        while (
            index + 1 < len(self.tokens)
            and self.tokens[index + 1].pos == "ADJ"
            and self.tokens[index + 1].text[:1].islower()
            and self._adjacent(index, index + 1)
        ):
            index += 1
        return index

    def _role_phrase_head_initial(self, head: int, *, strict: bool) -> _RolePhrase | None:
        tokens = self.tokens
        opener, first = "bare", head
        if head > 0 and self._adjacent(head - 1, head):
            lowered = tokens[head - 1].text.lower().translate(_APOSTROPHES)
            if lowered in self.rules.determiners:
                opener, first = "definite", head - 1
            elif lowered in self.rules.indefinite:
                opener, first = "indefinite", head - 1
        words = [head]
        affiliation: str | None = None
        last = head
        index = head + 1
        while index < len(tokens) and len(words) < 6 and self._adjacent(index - 1, index):
            token = tokens[index]
            lowered = strip_diacritics(token.text.lower())
            if (
                lowered in self.rules.role_connectors
                and index + 1 < len(tokens)
                and self._is_role_head(tokens[index + 1])
            ):
                words += [index, index + 1]  # "en chef"
                last = index = index + 1
            elif token.pos == "ADJ" and token.text[:1].islower():
                key = self._nationality_key(token.text)
                if (
                    strict
                    and key is None
                    and lowered not in self.known_modifiers
                    and not self._is_title_modifier(token.text)
                ):
                    break  # the small model tags verbs as adjectives ("le président viendra")
                affiliation = key or affiliation
                words.append(index)
                last = index
            else:
                break
            index += 1
        complement_end, affiliation = self._complement(last, affiliation)
        if complement_end != last:
            words += list(range(last + 1, complement_end + 1))
            last = complement_end
        return self._phrase(first, last, head, words, affiliation, opener, ())

    def _phrase(
        self,
        first: int,
        last: int,
        head: int,
        words: list[int],
        affiliation: str | None,
        opener: str,
        affiliation_tokens: tuple[int, ...],
    ) -> _RolePhrase:
        tokens = self.tokens
        head_word = strip_diacritics(tokens[head].text.lower())
        modifiers = frozenset(
            strip_diacritics(tokens[i].text.lower())
            for i in words
            if i != head
            and (tokens[i].text[:1].islower() or tokens[i].text.lower() in self.rules.title_modifiers)
            and tokens[i].text.lower() not in self.rules.role_connectors
        )
        shown = []
        for i in words:
            token = tokens[i]
            lowered = token.text.lower()
            # Affiliations keep their case ("US envoy"); capitalised title words do not ("Foreign Minister").
            keep_case = (token.text.isupper() and len(token.text) > 1) or (
                token.text[:1].isupper()
                and not self._is_title_word(token.text)
                and lowered not in self.rules.title_modifiers
            )
            shown.append(token.text if keep_case else lowered)
        phrase = " ".join(shown)
        if self.rules.head_initial:
            phrase = re.sub(r"\b(d|l)['’] ", r"\1'", phrase)
        return _RolePhrase(first, last, head_word, modifiers, affiliation, opener, phrase, affiliation_tokens)

    def _nationality_key(self, word: str) -> str | None:
        """A lowercase nationality adjective ("ukrainien") as an affiliation key."""
        key = _affiliation_key(word)
        if key != self._fold(word):
            return key
        for name in self._place_names():
            place = _affiliation_key(name)
            if _affiliations_match(place, key):
                return place
        return key if key.endswith(_DEMONYM_SUFFIXES) else None

    def _role_right_before(self, first: int | None) -> _RolePhrase | None:
        """A role right before a name: "US envoy Steve Witkoff", "le président ukrainien Volodymyr Zelensky"."""
        if first is None or first == 0 or not self._adjacent(first - 1, first):
            return None
        lowest = max(first - 6, 0) if self.rules.head_initial else first - 1
        for head in range(first - 1, lowest - 1, -1):
            phrase = self._role_phrase(head, strict=False)
            if phrase is not None and phrase.last == first - 1:
                return phrase
        return None

    def _appositive_after(self, comma: int) -> _RolePhrase | None:
        """The role phrase right after the comma that follows a name: "Umerov, Ukraine's chief negotiator,"."""
        tokens = self.tokens
        if comma >= len(tokens) or tokens[comma].text != ",":
            return None
        best: _RolePhrase | None = None
        for head in range(comma + 1, min(comma + 9, len(tokens))):
            token = tokens[head]
            if token.text in (",", ".", ";", ":") or token.pos in ("VERB", "AUX"):
                break
            phrase = self._role_phrase(head, strict=False)
            if phrase is not None and phrase.first == comma + 1:
                best = phrase
                if self.rules.head_initial:
                    break
        return best

    def _appositive_before(self, first: int) -> _RolePhrase | None:
        """A definite role phrase, a comma, then the name: "The Kremlin's spokesman, Dmitry Peskov"."""
        if first < 2 or self.tokens[first - 1].text != ",":
            return None
        for head in range(first - 2, max(first - 10, -1), -1):
            phrase = self._role_phrase(head, strict=False)
            if (
                phrase is not None
                and phrase.last == first - 2
                and phrase.opener in ("definite", "possessive")
            ):
                return phrase
        return None

    # -------------------------------------------------------------- roles on people

    def _collect_roles(self) -> None:
        """Role facts and appositive role mentions of every person named in the article."""
        for group in self.groups:
            if group.type is not EntityType.PERSON:
                continue
            for mention in list(group.mentions):
                first = self.token_at.get(mention.start)
                name_first = self.token_at.get(mention.name_start)
                if first is None or name_first is None:
                    continue
                name_last = bisect.bisect_left(self.token_starts, mention.name_end) - 1
                honorific = self.tokens[first].text.lower().rstrip(".") in self.rules.honorifics
                if mention.form is MentionForm.TITLED and first < name_first and not honorific:
                    self._record_role(
                        group, self._title_role(first, name_first), mention.start, as_mention=False
                    )
                else:
                    self._record_role(group, self._role_right_before(first), mention.start, as_mention=False)
                self._record_role(group, self._appositive_before(name_first), mention.start, as_mention=True)
                self._record_role(
                    group, self._appositive_after(name_last + 1), mention.start, as_mention=True
                )

    def _title_role(self, first: int, name_first: int) -> _RolePhrase | None:
        """The role in a capitalised title: "Secretary of State", "Ukrainian President", "Foreign Minister"."""
        heads = [index for index in range(first, name_first) if self._is_title_word(self.tokens[index].text)]
        if not heads:
            return None
        head = heads[0] if self.rules.head_initial else heads[-1]
        phrase = self._role_phrase(head, complement=False)
        if phrase is None:
            return None
        rest = [self.tokens[index].text.lower() for index in range(max(phrase.last, head) + 1, name_first)]
        if rest:
            phrase = replace(phrase, phrase=" ".join([phrase.phrase, *rest]), last=name_first - 1)
        return phrase

    def _record_role(
        self, group: _Group, phrase: _RolePhrase | None, position: int, *, as_mention: bool
    ) -> None:
        if phrase is None:
            return
        group.roles.append(
            _RoleFact(phrase.phrase, phrase.head, phrase.modifiers, phrase.affiliation, position)
        )
        self.known_modifiers.update(phrase.modifiers)
        if as_mention and phrase.opener != "indefinite":
            start, end = self.tokens[phrase.first].start, self.tokens[phrase.last].end
            text = self.text[start:end]
            group.role_mentions.append(_Mention(start, end, start, end, text, group.type, MentionForm.ROLE))

    def _role_mentions(self) -> None:
        """Role phrases ("the Ukrainian president") as mentions of the one person who carried that role."""
        carriers: dict[str, dict[tuple[int, frozenset[str], str | None], tuple[_Group, _RoleFact]]] = {}
        affiliations: dict[int, dict[str, int]] = {}  # group -> affiliation -> first position
        for group in self.groups:
            for fact in group.roles:
                key = (id(group), fact.modifiers, fact.affiliation)
                known = carriers.setdefault(fact.head, {}).get(key)
                if known is None or known[1].position > fact.position:
                    carriers[fact.head][key] = (group, fact)
                if fact.affiliation:
                    seen = affiliations.setdefault(id(group), {})
                    seen[fact.affiliation] = min(seen.get(fact.affiliation, fact.position), fact.position)
        if not carriers:
            return
        taken = _SpanIndex((m.start, m.end) for g in self.groups for m in g.role_mentions)
        names = _SpanIndex((m.start, m.end) for g in self.groups for m in g.mentions)
        people = {(m.start, m.end) for g in self.groups if g.type is EntityType.PERSON for m in g.mentions}
        tokens = self.tokens
        for head, token in enumerate(tokens):
            folded = strip_diacritics(token.text.lower())
            if folded not in carriers:
                continue
            following = tokens[head + 1] if head + 1 < len(tokens) else None
            if following is not None and self._adjacent(head, head + 1):
                if following.text[:1].isupper() and following.pos == "PROPN":
                    continue  # "President Zelensky": a title, read with the name
                if not self.rules.head_initial and following.text[:1].islower() and following.pos == "NOUN":
                    continue  # "chief" in "the chief negotiator" is no head
            phrase = self._role_phrase(head)
            if phrase is None or phrase.opener not in ("definite", "possessive"):
                continue
            start, end = tokens[phrase.first].start, tokens[phrase.last].end
            if taken.overlapping(start, end):
                continue
            if any(
                span in people or not (start <= span[0] and span[1] <= end)
                for span in names.overlapping(start, end)
            ):
                continue  # a role phrase may hold a place ("Ukraine's president"), never a person
            carrier = self._resolve_role(phrase, start, list(carriers[folded].values()), affiliations)
            if carrier is None:
                continue
            carrier.role_mentions.append(
                _Mention(start, end, start, end, self.text[start:end], carrier.type, MentionForm.ROLE)
            )
            carrier.roles.append(
                _RoleFact(phrase.phrase, phrase.head, phrase.modifiers, phrase.affiliation, start)
            )
            taken.add(start, end)

    def _resolve_role(
        self,
        phrase: _RolePhrase,
        position: int,
        carriers: list[tuple[_Group, _RoleFact]],
        affiliations: dict[int, dict[str, int]],
    ) -> _Group | None:
        scores: dict[int, tuple[int, _Group]] = {}
        for group, fact in carriers:
            if fact.position >= position:
                continue
            if not phrase.modifiers <= fact.modifiers:
                continue  # "the foreign minister" is not the defence minister
            if (fact.modifiers & self.rules.rank_modifiers) - phrase.modifiers:
                continue  # "the president" is not the vice-president
            known = [a for a, first in affiliations.get(id(group), {}).items() if first < position]
            score = 1
            if phrase.affiliation is not None:
                if any(_affiliations_match(a, phrase.affiliation) for a in known):
                    score = 2
                elif known:
                    continue  # "Ukraine's president" is not the US president
            previous = scores.get(id(group))
            if previous is None or previous[0] < score:
                scores[id(group)] = (score, group)
        if not scores:
            return None
        top = max(score for score, _ in scores.values())
        winners = [group for score, group in scores.values() if score == top]
        return winners[0] if len(winners) == 1 else None  # two carry that role: the phrase cannot tell which

    # -------------------------------------------------------------- output

    def records(self, sentences: Sequence[Sentence]) -> tuple[tuple[Entity, ...], tuple[EntityMention, ...]]:
        sentence_starts = [sentence.start for sentence in sentences]

        def sentence_index(position: int) -> int:
            if not sentences:
                return 0
            found = bisect.bisect_right(sentence_starts, position) - 1
            return sentences[max(found, 0)].index

        built: list[tuple[int, Entity, list[_Mention]]] = []
        for group in self.groups:
            if not group.mentions:
                continue
            name = group.fullest_name()
            everything = sorted(group.mentions + group.role_mentions, key=lambda m: m.start)
            aliases: dict[str, None] = {}
            for mention in everything:
                if mention.form is MentionForm.ROLE or self._fold(mention.name) == self._fold(name):
                    continue  # "President Volodymyr Zelensky" adds nothing to "Volodymyr Zelensky"
                aliases.setdefault(_strip_possessive(self.text[mention.start : mention.end]), None)
            roles: dict[str, None] = {}
            seen_roles: set[str] = set()
            for fact in sorted(group.roles, key=lambda fact: fact.position):
                if fact.phrase and self._fold(fact.phrase) not in seen_roles:
                    seen_roles.add(self._fold(fact.phrase))
                    roles[fact.phrase] = None
            entity = Entity(
                key=f"{group.type}:{self._fold(name)}",
                name=name,
                type=group.type,
                aliases=tuple(aliases),
                roles=tuple(roles),
                mention_count=len(everything),
            )
            built.append((everything[0].start, entity, everything))
        built.sort(key=lambda item: item[0])
        # Two groups can fold to one key (two people each called only "Smith"): keys stay unique.
        entities: dict[str, Entity] = {}
        mentions: list[EntityMention] = []
        for _, entity, group_mentions in built:
            if entity.key in entities:
                entity = merge_entities(entities[entity.key], entity)
            entities[entity.key] = entity
            for mention in group_mentions:
                mentions.append(
                    EntityMention(
                        start=mention.start,
                        end=mention.end,
                        text=self.text[mention.start : mention.end],
                        type=entity.type,
                        entity=entity.key,
                        sentence=sentence_index(mention.start),
                        form=mention.form,
                    )
                )
        mentions.sort(key=lambda mention: (mention.start, mention.end))
        return tuple(entities.values()), tuple(mentions)


def _other_key(name: str, entity_type: EntityType) -> str:
    """How organisations, places and groups are matched in an article: folded variants, plurals for groups."""
    words = [variant_skeleton(word) for word in _name_words(name)]
    if entity_type is EntityType.GROUP and words and len(words[-1]) > 3 and words[-1].endswith("s"):
        words[-1] = words[-1][:-1]  # "Ukrainians" and "Ukrainian"
    return " ".join(words)


def _strip_possessive(name: str) -> str:
    stripped = name.rstrip()
    if len(stripped) > 3 and _POSSESSIVE_ENDING.search(stripped) and not stripped.endswith("ss'"):
        stripped = (
            _POSSESSIVE_ENDING.sub("", stripped) if not stripped.endswith(("s'", "s’")) else stripped[:-1]
        )
    return stripped.rstrip(" ,;:")


def _acronym_letters(name: str) -> str:
    return name.replace(".", "").upper()


def _genders_clash(first: str | None, second: str | None) -> bool:
    return first is not None and second is not None and first != second


def _first_position(group: _Group) -> int:
    return min(mention.start for mention in group.mentions)


# ------------------------------------------------------------------ across the store


def _strip_title(name: str) -> str:
    """The name without its titles: "President Zelensky" -> "Zelensky", "Mr. Umerov" -> "Umerov"."""
    words = name.split()
    while len(words) > 1:
        word = words[0].lower().rstrip(".")
        folded = strip_diacritics(word)
        if any(
            word in rules.honorifics
            or word in rules.title_words
            or folded in rules.title_words
            or word in rules.title_modifiers
            for rules in _RULES.values()
        ):
            words.pop(0)
        else:
            break
    return " ".join(words)


def _type_family(entity_type: EntityType) -> str:
    # Organisations and places share an index: the models confuse "the Kremlin", "the EU", "Downing Street".
    return "org-place" if entity_type in (EntityType.ORGANISATION, EntityType.PLACE) else str(entity_type)


def entity_match_keys(entity: Entity) -> frozenset[str]:
    """The keys the store indexes an entity under to find link candidates for a new one.

    Full name and every alias (folded, transliteration variants folded), the
    surname for people, acronyms for organisations and places. Keys only
    gather candidates: ``link_entity`` decides.
    """
    family = _type_family(entity.type)
    keys = {f"{family}:{fold_name(entity.name)}"}
    names = [entity.name, *entity.aliases]
    for raw in names:
        name = _strip_title(_strip_possessive(raw))
        if not fold_name(name):
            continue
        if entity.type is EntityType.PERSON:
            parsed = _person_name(name)
            if parsed.tokens:
                keys.add(f"person:~{' '.join(parsed.tokens)}")
                keys.add(f"person:surname:{parsed.surname}")
        else:
            keys.add(f"{family}:~{' '.join(variant_skeleton(word) for word in _name_words(name))}")
            if _may_be_acronym(name):
                keys.add(f"{family}:acronym:{_acronym_letters(name)}")
            else:
                acronym = _acronym_of(name)
                if acronym and len(acronym) >= 2:
                    keys.add(f"{family}:acronym:{acronym}")
    return frozenset(keys)


def link_entity(entity: Entity, candidates: Sequence[Entity]) -> Entity | None:
    """Which stored candidate ENTITY is, or None to start a new canonical entity.

    People: surnames must match after folding transliteration variants and given
    names must agree (different first names never link); a surname alone links
    only when one person among the candidates carries it (shared roles break a
    tie). Types must agree; an organisation and a place link only on the same full name.
    """
    scored: list[tuple[float, Entity]] = []
    for candidate in candidates:
        score = _link_score(entity, candidate)
        if score > 0:
            scored.append((score, candidate))
    if not scored:
        return None
    scored.sort(key=lambda item: -item[0])
    best_score, best = scored[0]
    rivals = [
        candidate for score, candidate in scored[1:] if score >= best_score and candidate.key != best.key
    ]
    if rivals:
        return None
    return best


def _link_score(entity: Entity, candidate: Entity) -> float:
    if entity.key == candidate.key:
        return 10.0
    if entity.type is EntityType.PERSON or candidate.type is EntityType.PERSON:
        if entity.type is not candidate.type:
            return 0.0
        return _person_link_score(entity, candidate)
    same_family = _type_family(entity.type) == _type_family(candidate.type)
    if not same_family and entity.type is not candidate.type:
        return 0.0
    exact_names = {fold_name(entity.name)}
    candidate_names = {fold_name(candidate.name)} | {fold_name(alias) for alias in candidate.aliases}
    if entity.type is not candidate.type:
        # organisation vs place: only the very same full name, spelled out in both
        if fold_name(entity.name) == fold_name(candidate.name) and not _is_acronym_form(entity.name):
            return 3.0
        return 0.0
    if exact_names & candidate_names:
        return 5.0
    ours = {" ".join(variant_skeleton(w) for w in _name_words(n)) for n in (entity.name, *entity.aliases)}
    theirs = {
        " ".join(variant_skeleton(w) for w in _name_words(n)) for n in (candidate.name, *candidate.aliases)
    }
    if ours & theirs:
        return 4.0
    our_acronyms = _acronyms(entity)
    their_acronyms = _acronyms(candidate)
    if our_acronyms & their_acronyms:
        expansions_agree = any(
            _is_acronym_form(name) or _acronym_fits(acronym, name)
            for acronym in our_acronyms & their_acronyms
            for name in (entity.name, candidate.name)
        )
        return 3.0 if expansions_agree else 0.0
    return 0.0


def _acronyms(entity: Entity) -> set[str]:
    found = set()
    for name in (entity.name, *entity.aliases):
        if _may_be_acronym(name):
            found.add(_acronym_letters(name))
        else:
            acronym = _acronym_of(name)
            if acronym:
                found.add(acronym)
    return found


def _person_link_score(entity: Entity, candidate: Entity) -> float:
    ours = [_person_name(_strip_title(_strip_possessive(name))) for name in (entity.name, *entity.aliases)]
    theirs = [
        _person_name(_strip_title(_strip_possessive(name))) for name in (candidate.name, *candidate.aliases)
    ]
    our_full = [name for name in ours if name.given]
    their_full = [name for name in theirs if name.given]
    surnames_meet = {name.surname for name in ours} & {name.surname for name in theirs}
    if not surnames_meet:
        return 0.0
    if our_full and their_full:
        compatible = any(
            a.surname == b.surname and _given_names_compatible(a.given, b.given)
            for a in our_full
            for b in their_full
        )
        if not compatible:
            return 0.0  # Melania Trump is not Donald Trump
        exact = any(a.tokens == b.tokens for a in our_full for b in their_full)
        score = 6.0 if exact else 5.0
    else:
        # One side knows only the surname; a bare surname goes to the fullest compatible candidate,
        # so a stored "Zelenskiy" does not make "Volodymyr Zelensky" ambiguous.
        score = 2.5 if their_full else 2.0
    shared_roles = {_role_head(role) for role in entity.roles} & {
        _role_head(role) for role in candidate.roles
    }
    return score + (0.5 if shared_roles else 0.0)


def _role_head(role: str) -> str:
    words = fold_name(role).split()
    return words[-1] if words else ""


def merge_entities(canonical: Entity, other: Entity) -> Entity:
    """CANONICAL with OTHER folded in: aliases and roles united, the fullest name kept, the key unchanged."""
    fuller = _fuller_name(canonical.name, other.name)
    names = [canonical.name, *canonical.aliases, other.name, *other.aliases]
    aliases: dict[str, None] = {}
    seen = {fold_name(fuller)}
    for name in names:
        folded = fold_name(name)
        if folded and folded not in seen:
            seen.add(folded)
            aliases[name] = None
    roles: dict[str, None] = {}
    seen_roles: set[str] = set()
    for role in (*canonical.roles, *other.roles):
        if fold_name(role) not in seen_roles:
            seen_roles.add(fold_name(role))
            roles[role] = None
    return replace(
        canonical,
        name=fuller,
        aliases=tuple(aliases),
        roles=tuple(roles),
        mention_count=canonical.mention_count + other.mention_count,
    )


def _fuller_name(first: str, second: str) -> str:
    def rank(name: str) -> tuple[int, int, int]:
        return (not _is_acronym_form(name), len(_strip_title(name).split()), len(name))

    return second if rank(second) > rank(first) else first
