"""The languages the cleaner knows: the registry of lexicons, and their words joined."""

from transforms.clean.lexicon import Lexicon, either
from transforms.clean.lexicons.de import GERMAN
from transforms.clean.lexicons.en import ENGLISH
from transforms.clean.lexicons.es import SPANISH
from transforms.clean.lexicons.fr import FRENCH
from transforms.clean.lexicons.it import ITALIAN
from transforms.clean.lexicons.nl import DUTCH
from transforms.clean.lexicons.pt import PORTUGUESE

LEXICONS: tuple[Lexicon, ...] = (ENGLISH, GERMAN, DUTCH, FRENCH, SPANISH, PORTUGUESE, ITALIAN)


def fragments(field: str) -> tuple[str, ...]:
    """The fragments of `field` in every lexicon, each once."""
    return tuple(dict.fromkeys(fragment for lexicon in LEXICONS for fragment in getattr(lexicon, field)))


def any_of(field: str) -> str:
    """A group matching the fragments of `field` in every lexicon."""
    return either(fragments(field))
