"""NER on texts longer than spaCy takes at once (1,000,000 characters; records of up to
20 MB are accepted): tagged in pieces cut between paragraphs, offsets shifted back into
the whole text, and the article's own corrections made over all of it."""

import random
import time

import pytest

from flows.ingest import tag_texts
from flows.models import ner_model
from transforms import entities
from transforms.entities import PIECE_CHARS, find_mentions, resolve_mentions, text_pieces
from transforms.name_rules import ENGLISH
from transforms.tagging import TextToTag

PARAGRAPHS = [
    "Prime Minister Keir Starmer met President Emmanuel Macron in Paris on Tuesday to discuss the war in Ukraine. "
    "Starmer said Britain would send more aid to Kyiv before the winter.",
    "In Berlin, Chancellor Olaf Scholz told reporters that Germany and France agreed on a new plan for the European Union. "
    "Scholz added that the talks with Poland would continue next week.",
    "The United Nations said its secretary-general, Antonio Guterres, would travel to Nairobi and then to Addis Ababa. "
    "Mr Guterres will meet the leaders of Kenya and Ethiopia.",
    "Microsoft and Google reported higher profits, while Amazon shares fell in New York after the company warned about costs. "
    "Satya Nadella said Microsoft would keep investing in Ireland.",
    "Floods hit the towns of Valencia and Murcia, and the Spanish government sent soldiers. "
    "Pedro Sanchez visited Valencia on Sunday and promised help to the farmers of the region.",
]
FIRST = "Jacinda Ardern, the former prime minister of New Zealand, opened the conference in Auckland on Monday."
LAST = (
    "On the last day, Ardern flew to Wellington, where she met Chris Hipkins at Parliament. "
    "Hipkins thanked the delegates from Samoa and Fiji."
)


def long_text(size: int, seed: int = 0, separator: str = "\n") -> str:
    """FIRST, then paragraphs drawn from PARAGRAPHS up to `size` characters, then LAST."""
    rng = random.Random(seed)
    parts, length = [FIRST], len(FIRST)
    while length < size:
        parts.append(rng.choice(PARAGRAPHS))
        length += len(parts[-1]) + 1
    return separator.join([*parts, LAST])


# -- cutting a text into pieces ----------------------------------------------------------


def _assert_pieces(text: str, pieces: list[tuple[int, int]], size: int) -> None:
    assert pieces[0][0] == 0 and pieces[-1][1] == len(text)
    assert all(end == next_start for (_, end), (next_start, _) in zip(pieces, pieces[1:]))
    assert all(0 < end - start <= size for start, end in pieces)


def test_a_short_text_is_one_piece():
    assert text_pieces("One paragraph.\nAnother one.") == [(0, 27)]
    assert text_pieces("") == [(0, 0)]


def test_pieces_are_cut_after_the_last_line_break_that_fits():
    text = "\n".join(["A" * 40, "B" * 40, "C" * 40, "D" * 40])

    pieces = text_pieces(text, size=100)

    _assert_pieces(text, pieces, 100)
    assert [text[s:e] for s, e in pieces] == ["A" * 40 + "\n" + "B" * 40 + "\n", "C" * 40 + "\n" + "D" * 40]


def test_a_paragraph_longer_than_a_piece_is_cut_after_a_sentence_end_else_a_space_else_anywhere():
    sentences = "The mayor spoke. The council voted? It did! " * 10

    pieces = text_pieces(sentences, size=100)

    _assert_pieces(sentences, pieces, 100)
    assert all(sentences[e - 2] in ".?!" for _, e in pieces[:-1])  # each cut right after a sentence and its space

    words = "word " * 100
    pieces = text_pieces(words, size=52)
    _assert_pieces(words, pieces, 52)
    assert all(words[e - 1] == " " for _, e in pieces[:-1])

    solid = "x" * 250
    assert text_pieces(solid, size=100) == [(0, 100), (100, 200), (200, 250)]


def test_pieces_always_cover_the_text_within_the_size():
    rng = random.Random(7)
    for _ in range(300):
        text = "".join(
            rng.choice(["word ", "Word. ", "\n", "x", "! ", "\n\n", "long" * 5]) for _ in range(rng.randrange(0, 200))
        )
        size = rng.randrange(5, 120)
        pieces = text_pieces(text, size=size)
        if text:
            _assert_pieces(text, pieces, size)


def test_the_default_piece_is_well_below_spacys_limit(nlp):
    assert PIECE_CHARS * 5 <= nlp.max_length


# -- tagging -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def nlp():
    return ner_model("en")


@pytest.mark.parametrize("separator", ["\n", " "], ids=["paragraphs", "one paragraph"])
def test_tagging_in_pieces_finds_what_tagging_the_whole_text_finds(nlp, monkeypatch, separator):
    text = long_text(4_000, seed=3, separator=separator)
    whole = list(find_mentions(nlp, [text], ENGLISH))

    monkeypatch.setattr(entities, "PIECE_CHARS", 600)
    assert len(text_pieces(text)) >= 7
    in_pieces = list(find_mentions(nlp, ["Short one about Paris.", text, ""], ENGLISH))

    assert in_pieces[1] == whole[0]
    assert [m.name for m in in_pieces[0]] == ["Paris"] and in_pieces[2] == ()


@pytest.fixture(scope="module")
def over_a_million():
    """A text of 1,088,999 characters or more, as in the report, tagged by the flow's stage."""
    text = long_text(1_088_999)
    assert 1_088_999 <= len(text) < 1_090_000
    started = time.perf_counter()
    [mentions] = tag_texts.fn([TextToTag("en", text)])
    print(f"tagged {len(text):,} characters in {time.perf_counter() - started:.1f} s")
    return text, mentions


def test_a_text_over_a_million_characters_is_tagged(over_a_million):
    text, mentions = over_a_million

    assert len(mentions) > 30_000
    assert all(text[m.start_char : m.end_char] == m.surface for m in mentions)
    assert [m.start_char for m in mentions] == sorted(m.start_char for m in mentions)


def test_names_in_the_last_piece_are_found(over_a_million):
    text, mentions = over_a_million
    last = text.index(LAST)

    found = {(m.surface, m.label, m.name) for m in mentions if m.start_char >= last}

    assert {
        ("Wellington", "GPE", "Wellington"),
        ("Chris Hipkins", "PERSON", "Chris Hipkins"),
        ("Hipkins", "PERSON", "Chris Hipkins"),
        ("Fiji", "GPE", "Fiji"),
    } <= found


def test_a_surname_in_the_last_piece_resolves_to_the_full_name_in_the_first(over_a_million):
    text, mentions = over_a_million
    assert len(text_pieces(text)) >= 11

    ardern = [m for m in mentions if m.surface == "Ardern"]

    assert [m.start_char for m in ardern] == [text.index("Ardern flew")]
    assert {(m.label, m.name) for m in ardern} == {("PERSON", "Jacinda Ardern")}


def test_each_surface_form_has_one_label_and_name_over_the_whole_text(over_a_million):
    _, mentions = over_a_million

    seen: dict[str, set] = {}
    for m in mentions:
        seen.setdefault(m.surface, set()).add((m.label, m.name))

    assert all(len(labels) == 1 for labels in seen.values()), {
        s: labels for s, labels in seen.items() if len(labels) > 1
    }
    assert seen["Starmer"] == {("PERSON", "Keir Starmer")} and seen["Scholz"] == {("PERSON", "Olaf Scholz")}


def test_every_repeat_of_a_tagged_name_is_a_mention_in_every_piece(over_a_million):
    text, mentions = over_a_million

    for surface in ("Keir Starmer", "Olaf Scholz", "Satya Nadella", "Valencia", "Microsoft"):
        assert sum(m.surface == surface for m in mentions) == text.count(surface), surface


def test_article_corrections_over_a_long_text_take_seconds_not_minutes():
    # Before, every untagged repeat was checked against every mention found so far:
    # minutes for the ~45,000 mentions of a million characters.
    text = long_text(1_088_999, seed=1)
    spans, position = [], 0
    for paragraph in text.split("\n"):
        for name in ("Keir Starmer", "Emmanuel Macron", "Paris", "Olaf Scholz", "Berlin", "Microsoft", "Valencia"):
            at = paragraph.find(name)
            if at >= 0:
                spans.append(
                    (
                        position + at,
                        position + at + len(name),
                        "GPE"
                        if name in ("Paris", "Berlin", "Valencia")
                        else "ORG"
                        if name == "Microsoft"
                        else "PERSON",
                    )
                )
        position += len(paragraph) + 1

    started = time.perf_counter()
    mentions = resolve_mentions(text, spans, ENGLISH)

    assert time.perf_counter() - started < 30
    assert sum(m.name == "Keir Starmer" for m in mentions) == text.count("Starmer")
