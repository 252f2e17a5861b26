"""Models loaded once per process (the flow's, or a worker's) and shared by every batch in it."""

from __future__ import annotations

import os
from functools import cache

from transforms.entities import load_english_ner
from transforms.language import LanguageDetector

DEFAULT_PROCESSES = min(os.cpu_count() or 1, 4)  # each holds its own copy of the models


@cache
def language_detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


@cache
def english_ner():
    return load_english_ner()
