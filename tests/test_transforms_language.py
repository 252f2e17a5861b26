"""transforms.language: deterministic language identification of article text."""

import pytest

from transforms.language import LanguageDetector

ENGLISH = (
    "The passenger ferry that links the old harbour with the island villages returned to service on "
    "Thursday morning, two years after the previous operator withdrew the boat and left hundreds of "
    "commuters to rely on a slow bus connection."
)
GERMAN = (
    "Die Fähre, die den alten Hafen mit den Dörfern auf der Insel verbindet, hat am Donnerstagmorgen "
    "den Betrieb wieder aufgenommen, zwei Jahre nachdem der frühere Betreiber das Schiff abgezogen "
    "hatte und Hunderte Pendler auf einen langsamen Bus angewiesen waren."
)
FRENCH = (
    "Le bac qui relie le vieux port aux villages de l'île a repris du service jeudi matin, deux ans "
    "après que l'ancien exploitant a retiré le bateau et laissé des centaines de voyageurs dépendre "
    "d'une liaison en bus lente et peu fiable."
)
# Short and ambiguous: unseeded langdetect gives a different answer from run to run.
AMBIGUOUS = "Pasta al forno con salsa"


@pytest.fixture(scope="module")
def detector():
    return LanguageDetector()


@pytest.mark.parametrize("text, expected", [(ENGLISH, "en"), (GERMAN, "de"), (FRENCH, "fr")])
def test_detects_language_of_a_paragraph(detector, text, expected):
    language, prob = detector.detect(text)

    assert language == expected
    assert prob > 0.9


@pytest.mark.parametrize("text", [ENGLISH, AMBIGUOUS])
def test_same_answer_on_repeated_calls(detector, text):
    answers = {detector.detect(text) for _ in range(5)}

    assert len(answers) == 1


@pytest.mark.parametrize("text", [ENGLISH, AMBIGUOUS])
def test_same_answer_from_two_detectors(detector, text):
    assert LanguageDetector().detect(text) == detector.detect(text)


@pytest.mark.parametrize("text", ["", "   \n ", "12345 678 90", "2024-03-14 08:30"])
def test_text_without_letters_is_undetermined(detector, text):
    assert detector.detect(text) == ("und", 0.0)


def test_only_the_prefix_decides():
    english = ((ENGLISH + " ") * 20)[:2000]
    german = ((GERMAN + " ") * 25)[:5000]
    text = english + german

    assert LanguageDetector(prefix_chars=2000).detect(text)[0] == "en"
    assert LanguageDetector(prefix_chars=len(text)).detect(text)[0] == "de"
