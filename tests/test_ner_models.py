"""NER by language: the registry of models (a language without one is never tagged with
another's), and the name rules the article's corrections are read by."""

import dataclasses

import pytest

from flows.models import NER_MODELS, NoNerModel, name_rules, ner_languages, ner_model
from transforms.entities import entity_name, resolve_mentions
from transforms.name_rules import ENGLISH

# Rules as another language would give them: a title of its own, and no English one.
HERR = dataclasses.replace(ENGLISH, titles=frozenset({"herr"}))


def test_english_is_the_language_with_a_model_and_its_rules_the_english_ones():
    assert ner_languages() == {"en"} == NER_MODELS.keys()
    assert name_rules("en") is ENGLISH


@pytest.mark.parametrize("language", ["de", "fr", "EN", ""])
def test_a_language_without_a_model_is_refused_by_name(language):
    with pytest.raises(NoNerModel, match=rf"no NER model for language '{language}'.*left untagged"):
        ner_model(language)
    with pytest.raises(NoNerModel):
        name_rules(language)
    assert language not in ner_languages()


def _labels(text, rules, *tagged, places):
    spans = [(text.index(surface), text.index(surface) + len(surface), label) for surface, label in tagged]
    return {(m.surface, m.label, m.name) for m in resolve_mentions(text, spans, rules, places)}


def test_the_rules_given_are_the_ones_names_are_read_by():
    text = "Herr Penrith kam am Montag. Herr Penrith blieb."
    places = {"penrith": True}  # a major place, which the model calls a person

    assert ("Penrith", "GPE", "Penrith") in _labels(text, ENGLISH, ("Penrith", "PERSON"), places=places)
    assert ("Penrith", "PERSON", "Penrith") in _labels(text, HERR, ("Penrith", "PERSON"), places=places)
    assert entity_name("Herr Penrith", "PERSON", HERR) == "Penrith"
    assert entity_name("Herr Penrith", "PERSON", ENGLISH) == "Herr Penrith"
    assert entity_name("Mr Penrith", "PERSON", HERR) == "Mr Penrith"


@pytest.mark.parametrize(
    "pattern, text, found",
    [
        ("titled_name", "talks with President Jordan and Mr. Carlisle", ["Jordan", "Carlisle"]),
        ("titled_name", "the former Carlisle manager", []),  # a qualifier is no title alone
        (
            "speaking_name",
            "Wang said, Li told us, Okafor, who left, and Chen, 45, stayed",
            ["Wang", "Li", "Okafor", "Chen"],
        ),
        ("placed_name", "in Carlisle, near Penrith, towards Appleby, by Keswick", ["Carlisle", "Penrith", "Appleby"]),
        (
            "place_list",
            "the Donetsk, Luhansk and Kherson regions and Kent county",
            ["Donetsk, Luhansk and Kherson", "Kent"],
        ),
    ],
)
def test_english_patterns_find_the_names_they_are_about(pattern, text, found):
    assert [match.group(1) for match in getattr(ENGLISH, pattern).finditer(text)] == found


def test_english_lists_compass_words_and_stop_words():
    assert [m.group() for m in ENGLISH.name_list.finditer("from Leeds, Hull or York to Carlisle and Penrith")] == [
        "Leeds, Hull or York",
        "Carlisle and Penrith",
    ]
    assert ENGLISH.compass.match("northern Donetsk") and not ENGLISH.compass.match("Kherson")
    assert {"the", "and", "is"} <= ENGLISH.stop_words and "kremlin" not in ENGLISH.stop_words
    assert ENGLISH.leading_article.sub("", "The Federal Reserve") == "Federal Reserve"
