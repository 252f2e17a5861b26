"""The words the cleaning rules look for, one lexicon per language.

The rules (residue.py, labels.py, tables.py, article.py) are shapes of lines, written
once; the words in them are those of every lexicon in `lexicons.LEXICONS`, joined there.
Adding a language is adding its lexicon to them, and its fixture to tests/fixtures/clean/.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# What a copyright line carries in every language here: the sign, "(c)", the English word.
COPYRIGHT_MARKS = ("©", r"\(c\)", "copyright")
NUMBER = "{n} "  # where a fragment has a number before a unit: "{n} Minuten"


@dataclass(frozen=True)
class Lexicon:
    """One language's words, as regular-expression fragments matched case-insensitively
    (spaces as written, no VERBOSE). Every field is filled: a word a language borrows
    ("newsletter", "foto", "privacy policy") is listed in its lexicon too."""

    language: str  # ISO 639-1
    # Whole lines that are never article content: share and comment prompts, advertising
    # labels, links to more stories, source lines, legal footers.
    residue_lines: tuple[str, ...]
    # Words that make a short, unpunctuated line a prompt or banner rather than a subhead.
    prompt_words: tuple[str, ...]
    # Sentences of site furniture that read like prose: cookie notices, sign-up pitches,
    # comment forms, author bios, legal footers.
    furniture: tuple[str, ...]
    # Words before an author's name that start a byline, even one the line goes on after.
    bylines: tuple[str, ...]
    # Words before an author's name in a byline standing alone on a short line; some start
    # ordinary sentences too ("De Gaulle ..."), so only a short line is taken for a byline.
    label_bylines: tuple[str, ...]
    # Words that open a dateline: "Published 3 March", "Aktualisiert am".
    published: tuple[str, ...]
    # A reading time: a unit after its number ("{n} Minuten": "5 Minuten", "5-Minuten"), or
    # a word that names one wherever it stands in a short line ("Lesezeit").
    reading_time: tuple[str, ...]
    # Words that open a photo caption or credit line.
    captions: tuple[str, ...]
    # Words that open a caption label when a colon or comma follows them ("Bild:", "Photo,").
    caption_labels: tuple[str, ...]
    # Words that open a credit in brackets: "(Photo: Reuters)".
    credits: tuple[str, ...]
    # Month names and their abbreviations: dates, which are not rows of a table.
    months: tuple[str, ...]
    # Words that a line with numbers in it has when it is not a row of a table: counts of
    # comments and likes, reading times, times ago, media, contact details, paging.
    not_row_words: tuple[str, ...]
    # Heads of lists of other stories: "Most read", "Lees ook".
    teaser_heads: tuple[str, ...]
    # The words of a copyright footer, wherever they stand in the line.
    rights_reserved: tuple[str, ...]


def either(fragments: Iterable[str]) -> str:
    """One non-capturing group matching any of `fragments`, each once."""
    return "(?:" + "|".join(dict.fromkeys(fragments)) + ")"
