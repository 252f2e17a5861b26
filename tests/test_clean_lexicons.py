"""transforms.clean.lexicons: every language the cleaner knows has all its words, and a
fixture of scraped text (tests/fixtures/clean/LANG.txt and LANG.body.txt) whose residue
goes by those words."""

import re
from dataclasses import fields
from pathlib import Path

import pytest

from transforms.clean import clean_scraped_text
from transforms.clean.lexicon import NUMBER, Lexicon
from transforms.clean.lexicons import LEXICONS
from transforms.clean.residue import residue_reason

FIXTURES = Path(__file__).parent / "fixtures" / "clean"


def language(lexicon: Lexicon) -> str:
    return lexicon.language


@pytest.mark.parametrize("lexicon", LEXICONS, ids=language)
def test_every_lexicon_fills_every_field(lexicon):
    for field in fields(Lexicon):
        assert getattr(lexicon, field.name), f"{lexicon.language}: {field.name} is empty"
    for field in fields(Lexicon)[1:]:  # after `language`, regular-expression fragments
        for fragment in getattr(lexicon, field.name):
            re.compile(fragment.removeprefix(NUMBER))


def test_each_language_has_one_lexicon():
    languages = [lexicon.language for lexicon in LEXICONS]
    assert len(set(languages)) == len(languages)


def test_every_fixture_is_of_a_lexicon():
    assert {path.name.split(".")[0] for path in FIXTURES.glob("*.txt")} == {lexicon.language for lexicon in LEXICONS}


@pytest.mark.parametrize("lexicon", LEXICONS, ids=language)
def test_scraped_text_of_each_language_loses_its_residue_by_its_wording(lexicon):
    raw = (FIXTURES / f"{lexicon.language}.txt").read_text(encoding="utf-8")
    body = (FIXTURES / f"{lexicon.language}.body.txt").read_text(encoding="utf-8").splitlines()
    title, *lines = raw.splitlines()
    residue = [line for line in lines if line not in body]

    cleaned = clean_scraped_text(raw)

    assert cleaned.title == title
    assert cleaned.text.split("\n") == body
    assert [line for _, line, _ in cleaned.removed] == residue
    # by what each line says, not where it stands: so on a page trafilatura extracted too
    assert residue and all(residue_reason(line, title) for line in residue)
