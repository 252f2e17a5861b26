"""Language identification with langdetect, made deterministic."""

from __future__ import annotations

from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException

UNDETERMINED = "und"


class LanguageDetector:
    """Detects the language of a text from its first `prefix_chars` characters.

    langdetect samples at random; a fixed seed makes the answer the same on every
    run. Each call gets its own detector (with its own random generator), so one
    LanguageDetector can serve several threads. The prefix keeps the cost bounded:
    a couple of thousand characters decide the language as well as a whole article.
    """

    def __init__(self, seed: int = 0, prefix_chars: int = 2000):
        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.seed = seed
        self.prefix_chars = prefix_chars

    def detect(self, text: str) -> tuple[str, float]:
        """(ISO 639-1 code, probability); ('und', 0.0) when the text has no letters to go by."""
        detector = self._factory.create()
        detector.append(text[: self.prefix_chars])
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return UNDETERMINED, 0.0
        return best.lang, round(best.prob, 4)
