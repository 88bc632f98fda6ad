"""Sentence splitting on news punctuation: golden cases, offsets, headings, bad input, properties."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dateline.enrich.sentences import sentence_at, split_sentences

GOLDEN = Path(__file__).parent / "fixtures" / "enrich" / "entities_golden.json"
SENTENCE_CASES = json.loads(GOLDEN.read_text(encoding="utf-8"))["sentences"]


def texts(paragraphs: list[str], language: str | None = "en") -> list[str]:
    return [sentence.text for sentence in split_sentences(paragraphs, language)]


@pytest.mark.parametrize("case", SENTENCE_CASES, ids=[case["id"] for case in SENTENCE_CASES])
def test_golden_sentence_cases(case: dict) -> None:
    assert texts(case["paragraphs"], case["language"]) == case["sentences"]


@pytest.mark.parametrize(
    ("paragraph", "expected"),
    [
        (
            "The U.S. said it would act. Mr Smith disagreed.",
            ["The U.S. said it would act.", "Mr Smith disagreed."],
        ),
        (
            "Dr. Jones left at 5 p.m. on Jan. 5. He returned.",
            ["Dr. Jones left at 5 p.m. on Jan. 5.", "He returned."],
        ),
        ("Talks at No. 10 ended. Nothing was agreed.", ["Talks at No. 10 ended.", "Nothing was agreed."]),
        ("J. K. Rowling spoke. Fans cheered.", ["J. K. Rowling spoke.", "Fans cheered."]),
        (
            '"We will fight. We will win," he said.',
            ['"We will fight.', 'We will win," he said.'],
        ),
        ("He paused... Then he went on.", ["He paused...", "Then he went on."]),
    ],
)
def test_news_punctuation(paragraph: str, expected: list[str]) -> None:
    assert texts([paragraph]) == expected


def test_quote_attribution_stays_with_its_sentence() -> None:
    sentences = texts(['"We will fight. We will win," he said.'])
    assert len(sentences) == 2
    assert "he said" in sentences[1]
    assert sentences[1].startswith("We will win")


def test_offsets_point_into_the_joined_text_and_never_cross_a_paragraph() -> None:
    paragraphs = ["What happens next", "Talks resume on Monday. Both sides agree.", "  Padded paragraph.  "]
    text = "\n\n".join(paragraphs)
    sentences = split_sentences(paragraphs, "en")
    assert [s.text for s in sentences] == [
        "What happens next",
        "Talks resume on Monday.",
        "Both sides agree.",
        "Padded paragraph.",
    ]
    assert [s.paragraph for s in sentences] == [0, 1, 1, 2]
    assert [s.index for s in sentences] == [0, 1, 2, 3]
    for sentence in sentences:
        assert text[sentence.start : sentence.end] == sentence.text
    assert [s.is_heading for s in sentences] == [True, False, False, False]


def test_headings_are_short_lines_without_final_punctuation() -> None:
    sentences = split_sentences(["Key points\nThe storm arrives tonight. Schools are closed."], "en")
    assert [(s.text, s.is_heading) for s in sentences] == [
        ("Key points", True),
        ("The storm arrives tonight.", False),
        ("Schools are closed.", False),
    ]
    long_line = "a line of running prose that simply goes on and on without ever stopping at all for breath"
    assert not split_sentences([long_line], "en")[0].is_heading


def test_hard_wrapped_prose_is_not_cut_at_line_breaks() -> None:
    paragraph = "The ministers met on Monday to discuss the plan that would\nend the war, officials said."
    assert texts([paragraph]) == [paragraph]


def test_sentence_at_finds_the_sentence_of_a_position() -> None:
    sentences = split_sentences(["One. Two.", "Three."], "en")
    assert sentence_at(sentences, 0) == 0
    assert sentence_at(sentences, 6) == 1
    assert sentence_at(sentences, 12) == 2
    assert sentence_at((), 5) is None


@pytest.mark.parametrize(
    "paragraphs",
    [[], [""], ["   "], ["\n\n"], ["...", "!!!"], ["\u201c\u201d\u00ab\u00bb"], ['"', "'", "„Hallo“"]],
)
def test_bad_input_never_raises(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    for sentence in split_sentences(paragraphs, None):
        assert text[sentence.start : sentence.end] == sentence.text


def test_no_sentences_for_empty_text() -> None:
    assert split_sentences([], "en") == ()
    assert split_sentences(["", "  "], "en") == ()


def test_odd_quote_marks() -> None:
    assert texts(["\u00ab Nous ne céderons pas. Jamais \u00bb, a-t-il dit. La séance est levée."], "fr") == [
        "\u00ab Nous ne céderons pas.",
        "Jamais \u00bb, a-t-il dit.",
        "La séance est levée.",
    ]
    # an unclosed quote does not swallow the rest of the paragraph
    assert texts(['He said "we are ready. Talks begin on Monday.'], "en") == [
        'He said "we are ready.',
        "Talks begin on Monday.",
    ]


def test_mixed_languages_in_one_article() -> None:
    paragraphs = [
        "The minister arrived in Kyiv. Talks began at once.",
        "Міністр прибув до Києва. Переговори почалися одразу.",
        "Le ministre est arrivé. Les discussions ont commencé.",
    ]
    assert len(split_sentences(paragraphs, "en")) == 6


def test_language_specific_abbreviations() -> None:
    assert texts(["Am 3. Oktober feierten sie. Dann gingen sie."], "de") == [
        "Am 3. Oktober feierten sie.",
        "Dann gingen sie.",
    ]
    assert texts(["M. Macron a reçu M. Zelensky. Ils ont parlé."], "fr") == [
        "M. Macron a reçu M. Zelensky.",
        "Ils ont parlé.",
    ]


def test_a_hundred_thousand_words_split_quickly() -> None:
    paragraph = "Mr. Smith met the U.S. envoy at 3 p.m. on Jan. 5. They talked. " * 20
    paragraphs = [paragraph] * (100_000 // len(paragraph.split()) + 1)
    started = time.perf_counter()
    sentences = split_sentences(paragraphs, "en")
    assert time.perf_counter() - started < 5
    assert len(sentences) == 40 * len(paragraphs)


_PIECES = st.sampled_from(
    [
        "Mr",
        "Mr.",
        "U.S.",
        "p.m.",
        "No. 10",
        "Jan. 5",
        "J. K.",
        '"',
        "\u201c",
        "\u201d",
        "\u00ab",
        "...",
        "\u2026",
        ".",
        "!",
        "?",
        ",",
        "\n",
        " ",
        "  ",
        "The",
        "he said",
        "Zelensky",
        "(",
        ")",
        "3.5",
        "e.g.",
        "。",
        "Київ",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=25).map(" ".join) | st.text(max_size=80), max_size=6))
def test_split_sentences_properties(paragraphs: list[str]) -> None:
    text = "\n\n".join(paragraphs)
    sentences = split_sentences(paragraphs, "en")
    previous_end = 0
    paragraph_starts = []
    position = 0
    for paragraph in paragraphs:
        paragraph_starts.append(position)
        position += len(paragraph) + 2
    for index, sentence in enumerate(sentences):
        assert sentence.index == index
        assert sentence.start >= previous_end
        assert sentence.end > sentence.start
        assert text[sentence.start : sentence.end] == sentence.text
        assert sentence.text == sentence.text.strip()
        paragraph_start = paragraph_starts[sentence.paragraph]
        assert paragraph_start <= sentence.start
        assert sentence.end <= paragraph_start + len(paragraphs[sentence.paragraph])
        previous_end = sentence.end
