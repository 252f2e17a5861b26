"""Models loaded once per process (the flow's, or a worker's) and shared by every batch in it."""

from __future__ import annotations

import os
from functools import cache

from transforms.entities import load_english_ner
from transforms.language import LanguageDetector
from transforms.places import load_places

DEFAULT_PROCESSES = min(os.cpu_count() or 1, 4)  # each holds its own copy of the models


@cache
def language_detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


@cache
def english_ner():
    """The model with its gazetteer (reading GeoNames' names takes half a second)."""
    return load_english_ner(places=load_places())


def ner_languages() -> set[str]:
    return {"en"}


def ner_model(language: str):
    return english_ner()
