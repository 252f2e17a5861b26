"""Models loaded once per process and shared by every batch in it."""

from __future__ import annotations

from functools import cache

from transforms.entities import load_english_ner
from transforms.language import LanguageDetector


@cache
def language_detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


@cache
def english_ner():
    return load_english_ner()
