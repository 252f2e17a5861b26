"""Models loaded once per process (the flow's, or a worker's) and shared by every batch in it."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from transforms.entities import load_english_ner
from transforms.language import LanguageDetector
from transforms.name_rules import ENGLISH, NameRules
from transforms.places import load_places

if TYPE_CHECKING:
    from spacy.language import Language  # spaCy takes a second to import: only where a model is loaded

DEFAULT_PROCESSES = min(os.cpu_count() or 1, 4)  # each holds its own copy of the models


@cache
def language_detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


@dataclass(frozen=True)
class NerModel:
    """How to load a language's NER pipeline, and the rules its names are resolved by:
    a text is tagged and corrected by its own language's, or not at all."""

    load: Callable[[], Language]
    rules: NameRules


def _english_with_gazetteer() -> Language:
    return load_english_ner(places=load_places())  # reading GeoNames' names takes half a second


# By the codes transforms.language detects. A language without an entry stays untagged.
NER_MODELS = {
    "en": NerModel(_english_with_gazetteer, ENGLISH),
}


class NoNerModel(LookupError):
    """Asked for the model of a language no NER model is installed for."""

    def __init__(self, language: str):
        super().__init__(
            f"no NER model for language {language!r} (models: {', '.join(sorted(NER_MODELS))}): "
            "its articles are left untagged"
        )


def ner_languages() -> frozenset[str]:
    """The languages whose articles are tagged."""
    return frozenset(NER_MODELS)


@cache
def ner_model(language: str) -> Language:
    """The language's NER pipeline, loaded on first use in this process."""
    return _entry(language).load()


def name_rules(language: str) -> NameRules:
    """The rules the language's names are resolved by, with its model's mentions."""
    return _entry(language).rules


def _entry(language: str) -> NerModel:
    if language not in NER_MODELS:
        raise NoNerModel(language)
    return NER_MODELS[language]
