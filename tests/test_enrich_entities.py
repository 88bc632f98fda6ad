"""Entities: the rules over spaCy's NER, canonical grouping in an article, linking across the store."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from bench.entities import load_golden, score_entities, score_links

from dateline.enrich.entities import (
    entity_match_keys,
    find_entities,
    fold_name,
    link_entity,
    merge_entities,
    variant_skeleton,
)
from dateline.enrich.nlp import load_pipeline
from dateline.enrich.sentences import split_sentences
from dateline.models import Entity, EntityMention, EntityType, MentionForm

Found = tuple[tuple[Entity, ...], tuple[EntityMention, ...]]


@pytest.fixture(scope="module")
def extract() -> Callable[..., Found]:
    def run(*paragraphs: str, language: str = "en") -> Found:
        nlp = load_pipeline(language)
        text = "\n\n".join(paragraphs)
        doc = nlp(text) if nlp is not None else None
        return find_entities(text, split_sentences(paragraphs, language), doc, language)

    return run


def by_name(entities: tuple[Entity, ...], name: str) -> Entity:
    matches = [e for e in entities if fold_name(name) in {fold_name(n) for n in (e.name, *e.aliases)}]
    assert len(matches) == 1, f"{name!r} in {[(e.name, e.aliases) for e in entities]}"
    return matches[0]


def names(entities: tuple[Entity, ...]) -> set[str]:
    return {fold_name(n) for e in entities for n in (e.name, *e.aliases)}


# ------------------------------------------------------------------ name folding


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Zelensky", "Zelenskiy"),
        ("Zelensky", "Zelenskyy"),
        ("Zelenskyi", "Zelenskii"),
        ("Kharkiv", "Harkiv"),
        ("Alexei", "Aleksey"),
        ("Andriy", "Andrii"),
        ("Erdoğan", "Erdogan"),
        ("Witkoff", "Witkov"),
        ("Yevgeny", "Evgeny"),
    ],
)
def test_transliteration_variants_meet(first: str, second: str) -> None:
    assert variant_skeleton(first) == variant_skeleton(second)


@pytest.mark.parametrize(("first", "second"), [("Trump", "Tramp"), ("Umerov", "Yermak"), ("Lee", "Li")])
def test_different_names_stay_apart(first: str, second: str) -> None:
    assert variant_skeleton(first) != variant_skeleton(second)


def test_fold_name_is_the_readable_key_form() -> None:
    assert fold_name("  Recep Tayyip  Erdoğan ") == "recep tayyip erdogan"
    assert fold_name("U.S.") == "us"


# ------------------------------------------------------------------ one article


def test_titled_names_and_variants_are_one_person(extract: Callable[..., Found]) -> None:
    entities, mentions = extract(
        "Ukrainian President Volodymyr Zelensky said on Sunday the talks were useful. "
        "Mr Zelenskiy will fly to Washington on Tuesday.",
        "President Zelensky thanked the volunteers. Zelensky's office confirmed the trip.",
    )
    zelensky = by_name(entities, "Volodymyr Zelensky")
    assert zelensky.key == "person:volodymyr zelensky"
    assert zelensky.type is EntityType.PERSON
    assert {"mr zelenskiy", "president zelensky", "zelensky"} <= names((zelensky,))
    assert any("president" in role for role in zelensky.roles)
    assert [m.form for m in mentions if m.entity == zelensky.key].count(MentionForm.TITLED) >= 2
    assert not names(entities) & {"sunday", "tuesday", "mr", "zelensky's"}


def test_honorific_overrides_the_model_type(extract: Callable[..., Found]) -> None:
    entities, _ = extract("Mr Zelenskiy will fly to Ankara on Wednesday for talks.")
    assert by_name(entities, "Zelenskiy").type is EntityType.PERSON


def test_two_people_sharing_a_surname_stay_apart(extract: Callable[..., Found]) -> None:
    entities, _ = extract(
        "Donald Trump and Melania Trump attended a gala in Palm Beach. Mr Trump spoke about the economy, "
        "while Mrs Trump presented an award."
    )
    donald, melania = by_name(entities, "Donald Trump"), by_name(entities, "Melania Trump")
    assert donald.key != melania.key
    assert "Mr Trump" in donald.aliases
    assert "Mrs Trump" in melania.aliases


def test_role_phrases_resolve_to_the_entity_that_carried_the_role(extract: Callable[..., Found]) -> None:
    entities, mentions = extract(
        "US envoy Steve Witkoff met Ukrainian President Volodymyr Zelensky and Rustem Umerov, "
        "Ukraine's chief negotiator, in Kyiv.",
        "The US envoy said progress was made. Ukraine's president thanked him, while the chief "
        "negotiator said points remained open.",
    )
    roles = {m.text: m.entity for m in mentions if m.form is MentionForm.ROLE}
    assert roles["The US envoy"] == by_name(entities, "Steve Witkoff").key
    assert roles["Ukraine's president"] == by_name(entities, "Volodymyr Zelensky").key
    assert roles["the chief negotiator"] == by_name(entities, "Rustem Umerov").key
    assert "chief negotiator" in by_name(entities, "Rustem Umerov").roles
    assert "US envoy" in by_name(entities, "Steve Witkoff").roles


def test_an_ambiguous_role_phrase_is_left_unresolved(extract: Callable[..., Found]) -> None:
    _, mentions = extract(
        "President Donald Trump spoke to President Volodymyr Zelensky by phone. The president said the call went well."
    )
    assert not [m for m in mentions if m.form is MentionForm.ROLE and m.text.lower() == "the president"]


def test_acronyms_join_their_expansion(extract: Callable[..., Found]) -> None:
    entities, _ = extract(
        "Ministers of the North Atlantic Treaty Organization (NATO) met in Brussels. "
        "The European Union said the EU would help. Nato diplomats agreed."
    )
    nato = by_name(entities, "North Atlantic Treaty Organization")
    assert {"nato"} <= names((nato,))
    assert nato.name == "North Atlantic Treaty Organization"
    eu = by_name(entities, "European Union")
    assert "EU" in eu.aliases


def test_storm_names_are_not_people(extract: Callable[..., Found]) -> None:
    entities, _ = extract(
        "Storm Bert brought gusts of 80mph to Wales on Saturday. Bert will clear by Monday."
    )
    assert not names(entities) & {"bert", "storm bert", "saturday"}
    assert by_name(entities, "Wales").type is EntityType.PLACE


def with_entities(text: str, labelled: list[tuple[str, str]]) -> Found:
    """find_entities over the model's tokens and tags but entities we choose: the rules alone are tested."""
    nlp = load_pipeline("en")
    assert nlp is not None
    doc = nlp(text)
    spans = []
    for surface, label in labelled:
        start = text.index(surface)
        span = doc.char_span(start, start + len(surface), label=label)
        assert span is not None
        spans.append(span)
    doc.ents = spans
    return find_entities(text, split_sentences([text], "en"), doc, "en")


def test_coordinated_and_located_names_are_places() -> None:
    entities, _ = with_entities(
        "Rivers in Cardiff and Swansea burst their banks. Crews in Cork worked all night.",
        [("Cardiff", "GPE"), ("Swansea", "PERSON"), ("Cork", "ORG")],
    )
    for name in ("Cardiff", "Swansea", "Cork"):
        assert by_name(entities, name).type is EntityType.PLACE


def test_a_surname_typed_as_an_organisation_is_the_person_named_in_full() -> None:
    entities, _ = with_entities(
        "Volodymyr Zelensky spoke in Kyiv. Later Zelenskiy said the talks were useful.",
        [("Volodymyr Zelensky", "PERSON"), ("Kyiv", "GPE"), ("Zelenskiy", "ORG")],
    )
    zelensky = by_name(entities, "Zelenskiy")
    assert zelensky.name == "Volodymyr Zelensky"
    assert zelensky.type is EntityType.PERSON


def test_a_role_appositive_makes_a_person_of_a_missed_name() -> None:
    entities, mentions = with_entities("Rustem Umerov, Ukraine's chief negotiator, arrived in Geneva.", [])
    umerov = by_name(entities, "Rustem Umerov")
    assert umerov.type is EntityType.PERSON
    assert umerov.roles == ("chief negotiator",)
    assert [m.text for m in mentions if m.form is MentionForm.ROLE] == ["Ukraine's chief negotiator"]


def test_facility_and_numbered_names_are_cleaned() -> None:
    entities, _ = with_entities(
        "The fire started on Karl Marx Avenue. The 116th Congress met.",
        [("Karl Marx Avenue", "PERSON"), ("116th Congress", "ORG")],
    )
    assert by_name(entities, "Karl Marx Avenue").type is EntityType.PLACE
    assert by_name(entities, "Congress").name == "Congress"


def test_french_pipeline(extract: Callable[..., Found]) -> None:
    entities, mentions = extract(
        "Le président Emmanuel Macron a reçu le président ukrainien Volodymyr Zelensky. M. Macron a promis "
        "de l'aide.",
        "Selon le président ukrainien, l'Union européenne (UE) doit agir.",
        language="fr",
    )
    macron = by_name(entities, "Emmanuel Macron")
    assert "M. Macron" in macron.aliases
    zelensky = by_name(entities, "Volodymyr Zelensky")
    assert [m.text for m in mentions if m.form is MentionForm.ROLE and m.entity == zelensky.key] == [
        "le président ukrainien"
    ]
    assert "UE" in by_name(entities, "Union européenne").aliases


def test_mentions_point_into_the_text(extract: Callable[..., Found]) -> None:
    paragraphs = ("Rustem Umerov arrived in Geneva.", "Umerov said the talks would continue.")
    text = "\n\n".join(paragraphs)
    sentences = split_sentences(paragraphs, "en")
    entities, mentions = extract(*paragraphs)
    keys = {entity.key for entity in entities}
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text
        assert mention.entity in keys
        sentence = sentences[mention.sentence]
        assert sentence.start <= mention.start < sentence.end
    umerov = by_name(entities, "Rustem Umerov")
    assert umerov.mention_count == 2


# ------------------------------------------------------------------ bad input


def test_no_model_no_entities() -> None:
    assert find_entities("Le Kremlin a répondu.", (), None, "de") == ((), ())
    assert find_entities("", (), None, None) == ((), ())


def test_empty_and_sentence_less_text(extract: Callable[..., Found]) -> None:
    assert extract("") == ((), ())
    assert extract("   ") == ((), ())
    entities, _ = extract("!!! ... ???")
    assert entities == ()


def test_a_doc_over_another_text_is_refused() -> None:
    nlp = load_pipeline("en")
    assert nlp is not None
    with pytest.raises(ValueError):
        find_entities("a different text altogether", (), nlp("Kyiv"), "en")


def test_odd_quote_marks_and_mixed_languages(extract: Callable[..., Found]) -> None:
    entities, mentions = extract(
        "\u201eWir verhandeln\u201c, sagte Olaf Scholz in Berlin. \u00ab Non \u00bb, a dit Emmanuel Macron.",
        "Володимир Зеленський прибув до Києва. Zelensky met Mr Umerov.",
    )
    text = "\n\n".join(
        (
            "\u201eWir verhandeln\u201c, sagte Olaf Scholz in Berlin. \u00ab Non \u00bb, a dit Emmanuel Macron.",
            "Володимир Зеленський прибув до Києва. Zelensky met Mr Umerov.",
        )
    )
    assert all(text[m.start : m.end] == m.text for m in mentions)
    assert by_name(entities, "Umerov").type is EntityType.PERSON


def test_a_hundred_thousand_words_finish() -> None:
    from spacy.tokens import Doc

    nlp = load_pipeline("en")
    assert nlp is not None
    base = nlp(
        "Ukrainian President Volodymyr Zelensky met US envoy Steve Witkoff in Kyiv on Monday. "
        "Rustem Umerov, Ukraine's chief negotiator, said the talks would continue, and the US envoy agreed. "
        + "The delegations worked through the night on a long list of technical points, and both sides "
        "said that more work would be needed before any agreement could be signed. " * 8
    )
    doc = Doc.from_docs([base] * (100_000 // len(base.text.split()) + 1))
    text = doc.text
    started = time.perf_counter()
    entities, mentions = find_entities(text, split_sentences([text], "en"), doc, "en")
    assert time.perf_counter() - started < 30
    assert len(doc.text.split()) >= 100_000
    assert by_name(entities, "Volodymyr Zelensky").mention_count > 300
    assert len(mentions) > 1500


# ------------------------------------------------------------------ across the store

ZELENSKY = Entity(
    "person:volodymyr zelensky",
    "Volodymyr Zelensky",
    EntityType.PERSON,
    ("President Zelensky",),
    ("president",),
    3,
)
DONALD = Entity("person:donald trump", "Donald Trump", EntityType.PERSON, ("Mr Trump",), ("president",), 2)
MELANIA = Entity("person:melania trump", "Melania Trump", EntityType.PERSON, ("Mrs Trump",), (), 1)
NATO = Entity(
    "organisation:north atlantic treaty organization",
    "North Atlantic Treaty Organization",
    EntityType.ORGANISATION,
    ("NATO",),
)
PARIS = Entity("place:paris", "Paris", EntityType.PLACE)


def candidates_for(entity: Entity, store: list[Entity]) -> list[Entity]:
    keys = entity_match_keys(entity)
    return [stored for stored in store if keys & entity_match_keys(stored)]


@pytest.mark.parametrize(
    ("incoming", "expected"),
    [
        (Entity("person:zelenskiy", "Zelenskiy", EntityType.PERSON, ("Mr Zelenskiy",)), ZELENSKY),
        (Entity("person:volodymyr zelenskyy", "Volodymyr Zelenskyy", EntityType.PERSON), ZELENSKY),
        (Entity("person:trump", "Trump", EntityType.PERSON), None),
        (Entity("person:trump", "Trump", EntityType.PERSON, ("President Trump",), ("president",)), DONALD),
        (Entity("person:melania trump", "Melania Trump", EntityType.PERSON), MELANIA),
        (Entity("person:ivanka trump", "Ivanka Trump", EntityType.PERSON), None),
        (Entity("organisation:nato", "Nato", EntityType.ORGANISATION), NATO),
        (Entity("place:nato", "NATO", EntityType.PLACE), None),
        (Entity("person:paris hilton", "Paris Hilton", EntityType.PERSON), None),
        (Entity("organisation:paris", "Paris", EntityType.ORGANISATION), PARIS),
    ],
)
def test_link_entity(incoming: Entity, expected: Entity | None) -> None:
    store = [ZELENSKY, DONALD, MELANIA, NATO, PARIS]
    assert link_entity(incoming, candidates_for(incoming, store)) == expected


def test_a_bare_surname_prefers_the_fully_named_candidate() -> None:
    bare = Entity("person:zelenskiy", "Zelenskiy", EntityType.PERSON)
    incoming = Entity("person:zelensky", "Zelensky", EntityType.PERSON)
    assert link_entity(incoming, [bare, ZELENSKY]) == ZELENSKY
    assert link_entity(incoming, [bare]) == bare


def test_match_keys_cover_surname_aliases_and_acronyms() -> None:
    assert "person:surname:zelenski" in entity_match_keys(ZELENSKY)
    nato_keys = entity_match_keys(NATO)
    assert any(key.endswith("acronym:NATO") for key in nato_keys)
    assert entity_match_keys(Entity("organisation:nato", "Nato", EntityType.ORGANISATION)) & nato_keys


def test_merge_entities_keeps_the_key_and_the_fullest_name() -> None:
    short = Entity(
        "person:zelenskiy", "Zelenskiy", EntityType.PERSON, ("Mr Zelenskiy",), ("Ukrainian president",), 2
    )
    merged = merge_entities(short, ZELENSKY)
    assert merged.key == "person:zelenskiy"
    assert merged.name == "Volodymyr Zelensky"
    assert {"Zelenskiy", "Mr Zelenskiy", "President Zelensky"} <= set(merged.aliases)
    assert merged.roles == ("Ukrainian president", "president")
    assert merged.mention_count == 5
    assert merge_entities(merged, ZELENSKY).aliases == merged.aliases


# ------------------------------------------------------------------ golden floor

# Pinned a little under the measured values (bench/entities.py): a drop below fails CI.
FLOOR = {
    "strict_f1": 0.96,
    "lenient_f1": 0.975,
    "type_accuracy": 0.97,
    "pairwise_f1": 0.97,
    "grouped_exactly": 0.95,
    "role_recall": 0.95,
    "links": 0.95,
}


def test_golden_floor() -> None:
    golden = load_golden()
    score = score_entities(golden)
    assert score.strict()[2] >= FLOOR["strict_f1"]
    assert score.lenient()[2] >= FLOOR["lenient_f1"]
    assert score.type_accuracy() >= FLOOR["type_accuracy"]
    assert score.pairwise()[2] >= FLOOR["pairwise_f1"]
    assert score.grouping_accuracy() >= FLOOR["grouped_exactly"]
    assert score.role_recall() >= FLOOR["role_recall"]
    assert score.violations == []
    assert score_links(golden).accuracy >= FLOOR["links"]


def test_time_zone_abbreviations_are_not_organisations() -> None:
    from dateline.enrich.nlp import load_pipeline
    from dateline.enrich.sentences import split_sentences

    paragraphs = ("The judge entered the courtroom at 13:40 local time (0040 UTC) and the hearing began.",)
    text = paragraphs[0]
    nlp = load_pipeline("en")
    assert nlp is not None
    _, mentions = find_entities(text, split_sentences(paragraphs, "en"), nlp(text), "en")
    assert all(m.text != "UTC" for m in mentions)
