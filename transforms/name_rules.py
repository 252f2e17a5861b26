"""How one language's news writes names: the words that tell a person's name from a
place's, and the words that are no name at all. `transforms.entities` applies them; the
language-independent shapes of names (initials, scores, capitals) stay there.

Rules are data: a language is a NameRules of its own words, the patterns built from them."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cached_property

LISTED_NAME = r"[A-Z][\w'’-]+(?:\s[A-Z][\w'’-]+)?"  # one or two capitalised words: an item of a list of names
_ONE_NAME = r"([A-Z][\w'’-]*)"


def _any_of(words) -> str:
    """An alternation of `words`, longest first, so none loses to a shorter one it starts with."""
    return "|".join(map(re.escape, sorted(words, key=lambda w: (-len(w), w))))


@dataclass(frozen=True)
class NameRules:
    """A language's words around names, each list as its news writes them, and the
    patterns `transforms.entities` finds them by."""

    titles: frozenset[str]  # casefolded, a person's name is written after them: "Mr", "President"
    title_qualifiers: frozenset[str]  # go with a title ("the late Mr Smith") but alone do not make a person
    stop_words_module: str  # a module whose STOP_WORDS are the language's; imported when first needed
    leading_articles: tuple[str, ...]  # before a name, not part of it: "the Federal Reserve"
    speech_verbs: tuple[str, ...]  # after a person's name: "Wang said"
    relative_pronouns: tuple[str, ...]  # after a person's name, past a comma: "Wang, who"
    place_prepositions: tuple[str, ...]  # before a place's name: "near Penrith"
    region_words: tuple[str, ...]  # after a list of places' names: "the Donetsk and Luhansk regions"
    compass_words: tuple[str, ...]  # a listed name starting with one ("Northern" too) is not made a place
    conjunctions: tuple[str, ...]  # end a list: "Carlisle and Penrith"
    alternatives: tuple[str, ...]  # end a list of choices: "Leeds, Hull or York"
    not_initials: tuple[str, ...]  # abbreviations that look like a person's initials: "U.S."

    @cached_property
    def person_prefixes(self) -> frozenset[str]:
        """What a person's name is stripped of in front: "former President", "Dr"."""
        return self.titles | self.title_qualifiers

    @cached_property
    def stop_words(self) -> frozenset[str]:
        return frozenset(importlib.import_module(self.stop_words_module).STOP_WORDS)  # spaCy's take a second to import

    @cached_property
    def leading_article(self) -> re.Pattern:
        return re.compile(rf"^(?:{_any_of(self.leading_articles)})\s+", re.IGNORECASE)

    @cached_property
    def place_list(self) -> re.Pattern:
        """The list of names before a word for a region; group 1 the list."""
        return re.compile(
            rf"\b((?:{LISTED_NAME}(?:,\s|,?\s(?:{_any_of(self.conjunctions)})\s))*{LISTED_NAME})"
            rf"\s(?:{_any_of(self.region_words)})\b"
        )

    @cached_property
    def compass(self) -> re.Pattern:
        return re.compile(rf"^(?:{_any_of(self.compass_words)})", re.IGNORECASE)

    @cached_property
    def placed_name(self) -> re.Pattern:
        """A name put somewhere; group 1 the name."""
        return re.compile(rf"\b(?:{_any_of(self.place_prepositions)})\s+{_ONE_NAME}")

    @cached_property
    def name_list(self) -> re.Pattern:
        """Names listed together, which are of one kind."""
        joining = _any_of(self.conjunctions + self.alternatives)
        return re.compile(rf"{LISTED_NAME}(?:(?:,\s|,?\s(?:{joining})\s){LISTED_NAME})+")

    @cached_property
    def titled_name(self) -> re.Pattern:
        """A name after a title ("Mr Carlisle", "President Jordan"); group 1 the name."""
        titles = "|".join(sorted(t.capitalize() for t in self.titles))
        return re.compile(rf"\b(?:{titles})\.?\s+{_ONE_NAME}")

    @cached_property
    def speaking_name(self) -> re.Pattern:
        """A name before a verb of saying, a relative pronoun or an age ("Wang, 45,"); group 1 the name."""
        return re.compile(
            rf"\b{_ONE_NAME}(?:\s(?:{_any_of(self.speech_verbs)})\b"
            rf"|,\s(?:{_any_of(self.relative_pronouns)})\b|,\s\d{{1,3}},)"
        )


ENGLISH = NameRules(
    titles=frozenset(
        """
        mr mrs ms miss mx dr prof professor sir dame lord lady rev reverend fr father sister brother
        president vice prime minister chancellor premier secretary senator sen rep representative
        congressman congresswoman governor gov mayor ambassador judge justice chief general gen
        lieutenant lt colonel col major maj captain capt sergeant sgt admiral commander
        king queen prince princess emperor pope sheikh ayatollah crown deputy foreign defence defense
    """.split()
    ),
    title_qualifiers=frozenset({"former", "late"}),
    stop_words_module="spacy.lang.en.stop_words",
    leading_articles=("the",),
    speech_verbs=("said", "says", "told"),
    relative_pronouns=("who",),
    place_prepositions=("in", "near", "outside", "around", "across", "towards"),
    region_words=(
        "region",
        "regions",
        "province",
        "provinces",
        "oblast",
        "oblasts",
        "district",
        "districts",
        "county",
        "counties",
        "states",
    ),
    compass_words=("North", "South", "East", "West", "Central"),
    conjunctions=("and",),
    alternatives=("or",),
    not_initials=("U.S.", "U.K.", "U.N.", "E.U."),
)
