"""Quotes with their speaker and cue: golden passages with a pinned floor, focused cases, bad input.

Sentences, entities and mentions are built by hand here (a plain splitter and the mention strings
listed in the fixture), so these tests measure the quote stage alone, not the entity stage.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.enrich.quotes import attribute_quotes, find_quotes
from dateline.models import Entity, EntityMention, EntityType, MentionForm, Quote, QuoteKind, Sentence

GOLDEN = Path(__file__).parent / "fixtures" / "enrich" / "quotes_golden.json"

# Measured on the golden passages (doc=None: no tagger), pinned a little below.
FLOOR = {
    "found": 0.95,
    "kind": 0.95,
    "speaker": 0.92,
    "cue": 0.90,
    "precision": 0.90,
}

_SENTENCE_END = re.compile(r"[.!?][\"”’»]*\s+(?=[\"“‘«A-ZÀ-Ý])")
_ROLE_OPENERS = ("the ", "The ", "le ", "Le ", "la ", "La ", "l'", "l’")
_TITLES = ("Mr ", "Ms ", "Mrs ", "Dr ", "President ")


def split_plainly(paragraphs: Sequence[str]) -> tuple[Sentence, ...]:
    """A deliberately plain splitter: a stop, then a space, then a capital or an opening mark."""
    sentences: list[Sentence] = []
    offset = 0
    for number, paragraph in enumerate(paragraphs):
        start = 0
        cuts = [match.end() for match in _SENTENCE_END.finditer(paragraph)] + [len(paragraph)]
        for cut in cuts:
            piece = paragraph[start:cut].strip()
            if piece:
                begin = offset + paragraph.index(piece, start)
                sentences.append(Sentence(len(sentences), begin, begin + len(piece), piece, number))
            start = cut
        offset += len(paragraph) + 2
    return tuple(sentences)


def mention_form(surface: str) -> MentionForm:
    if surface.startswith(_ROLE_OPENERS) or surface[:1].islower() or "'s " in surface:
        return MentionForm.ROLE
    if surface.startswith(_TITLES):
        return MentionForm.TITLED
    return MentionForm.NAME


def build(
    paragraphs: Sequence[str], people: Sequence[dict[str, Any]]
) -> tuple[str, tuple[Sentence, ...], tuple[Entity, ...], tuple[EntityMention, ...]]:
    """Text, sentences, entities and mentions for invented passages: every word-bounded occurrence
    of each listed mention string, longest strings first, is a mention of its entity."""
    text = "\n\n".join(paragraphs)
    sentences = split_plainly(paragraphs)
    entities: list[Entity] = []
    surfaces: list[tuple[str, str, EntityType]] = []
    for item in people:
        kind = EntityType(item["type"])
        key = f"{kind}:{item['name'].lower()}"
        entities.append(
            Entity(key, item["name"], kind, tuple(item.get("aliases", ())), tuple(item.get("roles", ())))
        )
        surfaces += [(surface, key, kind) for surface in item["mentions"]]
    taken: list[tuple[int, int]] = []
    mentions: list[EntityMention] = []
    for surface, key, kind in sorted(surfaces, key=lambda item: -len(item[0])):
        for match in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            taken.append((match.start(), match.end()))
            sentence = next(s.index for s in sentences if s.start <= match.start() < s.end + 2)
            mentions.append(
                EntityMention(match.start(), match.end(), surface, kind, key, sentence, mention_form(surface))
            )
    return text, sentences, tuple(entities), tuple(sorted(mentions, key=lambda m: m.start))


def quotes_of(
    paragraphs: Sequence[str], people: Sequence[dict[str, Any]] = (), language: str = "en"
) -> tuple[Quote, ...]:
    text, sentences, entities, mentions = build(paragraphs, people)
    return find_quotes(text, sentences, entities, mentions, None, language)


def one(quotes: Sequence[Quote], text: str) -> Quote:
    found = [quote for quote in quotes if quote.text == text]
    assert len(found) == 1, f"{text!r} not in {[q.text for q in quotes]}"
    return found[0]


# ---------------------------------------------------------------- golden passages


def golden_cases() -> list[dict[str, Any]]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))["cases"]


def score_golden() -> tuple[dict[str, float], list[str]]:
    counts = dict.fromkeys(("expected", "found", "kind", "speaker", "cued", "cue", "returned", "wanted"), 0)
    problems: list[str] = []
    for case in golden_cases():
        quotes = quotes_of(case["paragraphs"], case["entities"], case["language"])
        expected_texts = {item["text"] for item in case["expected"]}
        counts["returned"] += len(quotes)
        counts["wanted"] += sum(quote.text in expected_texts for quote in quotes)
        for banned in case["must_not_quote"]:
            if any(quote.text == banned for quote in quotes):
                problems.append(f"{case['id']}: {banned!r} returned as a quote")
        for item in case["expected"]:
            counts["expected"] += 1
            matches = [quote for quote in quotes if quote.text == item["text"]]
            if not matches:
                problems.append(f"{case['id']}: missed {item['text']!r}")
                continue
            quote = matches[0]
            counts["found"] += 1
            counts["kind"] += quote.kind == QuoteKind(item["kind"])
            if quote.kind != QuoteKind(item["kind"]):
                problems.append(f"{case['id']}: {item['text'][:30]!r} kind {quote.kind}")
            counts["speaker"] += quote.speaker == item["speaker"]
            if quote.speaker != item["speaker"]:
                problems.append(f"{case['id']}: {item['text'][:30]!r} speaker {quote.speaker!r}")
            if "cue" in item:
                counts["cued"] += 1
                counts["cue"] += quote.cue == item["cue"]
                if quote.cue != item["cue"]:
                    problems.append(f"{case['id']}: {item['text'][:30]!r} cue {quote.cue!r}")
    found = max(counts["found"], 1)
    scores = {
        "found": counts["found"] / counts["expected"],
        "kind": counts["kind"] / found,
        "speaker": counts["speaker"] / found,
        "cue": counts["cue"] / max(counts["cued"], 1),
        "precision": counts["wanted"] / max(counts["returned"], 1),
    }
    return scores, problems


def test_golden_has_enough_passages() -> None:
    cases = golden_cases()
    assert len(cases) >= 30
    assert sum(case["language"] == "fr" for case in cases) >= 4


def test_golden_floor() -> None:
    scores, problems = score_golden()
    below = {name: value for name, value in scores.items() if value < FLOOR[name]}
    assert not below, f"below the floor: {below}; problems: {problems}"
    assert not [problem for problem in problems if "returned as a quote" in problem]


# ---------------------------------------------------------------- focused cases


def test_split_quote_is_two_linked_parts_with_one_speaker() -> None:
    paragraphs = ['"We are ready," Zelensky said, "but not at any price."']
    text, sentences, entities, mentions = build(
        paragraphs, [{"name": "Volodymyr Zelensky", "type": "person", "mentions": ["Zelensky"]}]
    )
    found = attribute_quotes(text, sentences, entities, mentions, None, "en")
    assert [item.quote.text for item in found] == ["We are ready", "but not at any price."]
    assert found[1].continues == 0 and found[0].continues is None
    assert {item.quote.speaker for item in found} == {"Volodymyr Zelensky"}
    assert all(text[item.quote.start : item.quote.end] == item.quote.text for item in found)
    cue_start, cue_end = found[0].cue_span or (0, 0)
    assert text[cue_start:cue_end] == "said"
    speaker_start, speaker_end = found[0].speaker_span or (0, 0)
    assert text[speaker_start:speaker_end] == "Zelensky"


def test_speaker_before_with_colon_and_after_with_cue_first() -> None:
    people = [{"name": "Rustem Umerov", "type": "person", "mentions": ["Umerov", "Mr Umerov"]}]
    quotes = quotes_of(['Umerov said: "Talks will go on."', '"We will meet again," said Mr Umerov.'], people)
    assert [(q.speaker, q.cue, q.kind) for q in quotes] == [
        ("Rustem Umerov", "said", QuoteKind.DIRECT),
        ("Rustem Umerov", "said", QuoteKind.DIRECT),
    ]
    assert quotes[1].speaker_text == "Mr Umerov"


def test_pronoun_takes_the_gender_the_honorific_gives() -> None:
    people = [
        {"name": "Anna Novak", "type": "person", "mentions": ["Ms Novak"]},
        {"name": "Petr Horak", "type": "person", "mentions": ["Mr Horak"]},
    ]
    quotes = quotes_of(
        ['Ms Novak spoke after Mr Horak. "We disagree," she said. "So do I," he said.'], people
    )
    assert [(q.text, q.speaker) for q in quotes] == [("We disagree", "Anna Novak"), ("So do I", "Petr Horak")]


def test_they_is_never_a_person() -> None:
    people = [{"name": "Petr Horak", "type": "person", "mentions": ["Petr Horak"]}]
    quote = one(quotes_of(['Petr Horak met the farmers. "We need rain," they said.'], people), "We need rain")
    assert quote.speaker is None and quote.speaker_text == "they"


def test_cue_verbs_in_many_forms() -> None:
    people = [{"name": "Petr Horak", "type": "person", "mentions": ["Horak"]}]
    for cue in (
        "said",
        "says",
        "added",
        "stressed",
        "warned",
        "wrote",
        "posted",
        "insisted",
        "acknowledged",
        "quipped",
    ):
        quote = one(quotes_of([f'"It is late," Horak {cue}.'], people), "It is late")
        assert (quote.speaker, quote.cue) == ("Petr Horak", cue)
    quote = one(quotes_of(['"It is late," Horak told the BBC on Monday.'], people), "It is late")
    assert quote.cue == "told the BBC"


def test_scare_quotes_and_titles_are_not_quotes() -> None:
    quotes = quotes_of(['The so-called "peace plan" was discussed, along with the film "Winter on Fire".'])
    assert quotes == ()


def test_longer_unattributed_fragment_is_a_low_confidence_partial() -> None:
    quotes = quotes_of(['The plan foresees "a just and lasting peace for the whole region" within a year.'])
    assert [(q.kind, q.speaker) for q in quotes] == [(QuoteKind.PARTIAL, None)]
    assert quotes[0].confidence < 0.5


def test_nested_quote_and_apostrophes_stay_inside() -> None:
    text = "\u201cHe told me: \u2018Don't worry, it's Kyiv's call,\u2019 and left,\u201d the diplomat said."
    quote = one(quotes_of([text]), "He told me: \u2018Don't worry, it's Kyiv's call,\u2019 and left")
    assert quote.kind == QuoteKind.DIRECT and quote.speaker_text == "the diplomat"


def test_typewriter_marks_with_a_nested_quote() -> None:
    people = [{"name": "Vladimir Putin", "type": "person", "mentions": ["Mr. Putin"]}]
    text = "''We are told, 'Kosovo is a special case,''' Mr. Putin said."
    quote = one(quotes_of([text], people), "We are told, 'Kosovo is a special case,'")
    assert quote.speaker == "Vladimir Putin"


def test_reported_speech_forms() -> None:
    people = [{"name": "Rustem Umerov", "type": "person", "mentions": ["Umerov"]}]
    quotes = quotes_of(
        [
            "Umerov said talks would continue.",
            "According to officials, the line held.",
            "The bridge was damaged, the governor said.",
            "Umerov is said to be tired.",
        ],
        people,
    )
    assert [(q.text, q.kind, q.speaker_text) for q in quotes] == [
        ("talks would continue", QuoteKind.INDIRECT, "Umerov"),
        ("the line held", QuoteKind.INDIRECT, "officials"),
        ("The bridge was damaged", QuoteKind.INDIRECT, "the governor"),
    ]


def test_french_guillemets_and_inversion() -> None:
    people = [{"name": "Emmanuel Macron", "type": "person", "mentions": ["Emmanuel Macron"]}]
    quotes = quotes_of(
        [
            "Emmanuel Macron a parl\u00e9 lundi.",
            "\u00ab\u00a0Nous tiendrons\u00a0\u00bb, a-t-il d\u00e9clar\u00e9.",
        ],
        people,
        "fr",
    )
    quote = one(quotes, "Nous tiendrons")
    assert (quote.speaker, quote.cue, quote.speaker_text) == ("Emmanuel Macron", "a d\u00e9clar\u00e9", "il")


def test_sentence_index_and_spans_point_into_the_text() -> None:
    paragraphs = ["The day was calm.", '"Nothing happened," the mayor said.']
    text, sentences, entities, mentions = build(paragraphs, [])
    (quote,) = find_quotes(text, sentences, entities, mentions, None, "en")
    assert quote.sentence == 1 and text[quote.start : quote.end] == "Nothing happened"


def test_with_the_spacy_pipeline() -> None:
    """The tagger adds cues the lexicon lacks ("barked") and finds subjects behind adverbials."""
    from dateline.enrich.nlp import load_pipeline

    nlp = load_pipeline("en")
    if nlp is None:
        pytest.skip("the English spaCy pipeline is not installed")
    paragraphs = [
        '"Go back to your seat," Trump barked at the reporter.',
        'Hours later, Trump returned to the stage, telling supporters: "We will win."',
    ]
    text, sentences, entities, mentions = build(
        paragraphs, [{"name": "Donald Trump", "type": "person", "mentions": ["Trump"]}]
    )
    quotes = find_quotes(text, sentences, entities, mentions, nlp(text), "en")
    assert [(q.text, q.speaker, q.cue) for q in quotes] == [
        ("Go back to your seat", "Donald Trump", "barked"),
        ("We will win.", "Donald Trump", "telling supporters"),
    ]


# ---------------------------------------------------------------- bad input


def test_no_sentences_or_empty_text() -> None:
    assert find_quotes("", (), (), (), None, "en") == ()
    assert find_quotes('"Hello," he said.', (), (), (), None, "en") == ()
    assert find_quotes("   \n\n  ", (Sentence(0, 0, 3, "   ", 0),), (), (), None, None) == ()


@pytest.mark.parametrize(
    "paragraph",
    [
        '"',
        '""',
        "\u201d\u201c",
        "\u00bb odd \u00ab",
        "''' ''' '''",
        'He said "yes and then "no" and "maybe.',
        "\u2018Single quote never closed, she said.",
        "It's the voters' choice, isn't it?",
    ],
)
def test_odd_marks_do_not_crash(paragraph: str) -> None:
    text, sentences, entities, mentions = build([paragraph], [])
    for quote in find_quotes(text, sentences, entities, mentions, None, "en"):
        assert text[quote.start : quote.end] == quote.text


def test_apostrophes_are_not_quotes() -> None:
    assert quotes_of(["It's the voters' choice, and Kyiv's too, isn't it?"]) == ()


def test_a_mark_never_closed_in_a_long_text_finishes_fast() -> None:
    words = " ".join(f"word{number % 97}" for number in range(100_000))
    paragraphs = ['He said "' + words + "."]
    text = paragraphs[0]
    sentences = (Sentence(0, 0, len(text), text, 0),)
    started = time.perf_counter()
    quotes = find_quotes(text, sentences, (), (), None, "en")
    assert time.perf_counter() - started < 2.0
    assert all(len(quote.text) < 10_000 for quote in quotes)


def test_many_short_paragraphs_finish_fast() -> None:
    paragraphs = ['"We will see," he said. Officials said the talks would resume.'] * 2_000
    text, sentences, _, _ = build(paragraphs, [])
    started = time.perf_counter()
    quotes = find_quotes(text, sentences, (), (), None, "en")
    assert time.perf_counter() - started < 3.0
    assert len(quotes) == 4_000


_QUOTE_ALPHABET = st.sampled_from(
    [*"ab .,:;!?\n\"'\u201c\u201d\u2018\u2019\u00ab\u00bb-", "said", "he", "Mr", " told ", "According to"]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_QUOTE_ALPHABET, max_size=60).map("".join))
def test_property_never_raises_and_spans_match(raw: str) -> None:
    paragraphs = [part for part in raw.split("\n\n") if part.strip()] or ["x"]
    text, sentences, entities, mentions = build(paragraphs, [])
    for quote in find_quotes(text, sentences, entities, mentions, None, "en"):
        assert 0 <= quote.start < quote.end <= len(text)
        assert text[quote.start : quote.end] == quote.text
        assert 0 <= quote.sentence < len(sentences)
        assert 0.0 <= quote.confidence <= 1.0
