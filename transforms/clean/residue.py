"""Residue by what a line says: phrases of site furniture in the languages of the lexicons."""

from __future__ import annotations

import re

from transforms.clean.lexicon import COPYRIGHT_MARKS, either
from transforms.clean.lexicons import any_of
from transforms.clean.reasons import RemovalReason

PROMPT_MAX_WORDS = 12
RESIDUE_MAX_WORDS = 15  # residue lines are short; a long line that starts like one is a sentence
FURNITURE_MAX_WORDS = 60
PUNCT_EDGES = "\"'“”‘’«»()[]{}<>.,:;!?-–—|•·*#=_~ "

# Matched against the entire line (case-insensitive), so "Share." goes but a sentence
# that happens to contain the word "share" stays.
_RESIDUE_LINE = re.compile(rf"^(?:{either(COPYRIGHT_MARKS)}.*|{any_of('residue_lines')})$", re.IGNORECASE)
_PROMPT_WORD = re.compile(rf"\b{any_of('prompt_words')}\b", re.IGNORECASE)
_FURNITURE_SENTENCE = re.compile(rf"\b{any_of('furniture')}", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;\"”’»)]$")
_PARTS = re.compile(r"\s*[,;]\s+")  # not "|" (trafilatura's table rows), not "32,23" (a decimal comma)


def residue_reason(line: str, title: str | None) -> RemovalReason | None:
    """Why `line` is residue rather than article content, or None if it is content."""
    bare = line.strip(PUNCT_EDGES)
    if title and bare.casefold() == title.strip(PUNCT_EDGES).casefold():
        return RemovalReason.REPEATED_TITLE
    words = line.split()
    if not bare or (len(words) <= RESIDUE_MAX_WORDS and (_RESIDUE_LINE.match(bare) or _RESIDUE_LINE.match(line))):
        return RemovalReason.RESIDUE_PHRASE
    if len(words) <= PROMPT_MAX_WORDS and not _SENTENCE_END.search(line) and _PROMPT_WORD.search(line):
        return RemovalReason.PROMPT
    if _is_tag_list(line):
        return RemovalReason.TAG_LIST
    if len(words) <= FURNITURE_MAX_WORDS and _FURNITURE_SENTENCE.search(line):
        return RemovalReason.SITE_FURNITURE
    return None


def _is_tag_list(line: str) -> bool:
    """Many short, capitalised, comma-separated labels and no sentence punctuation."""
    if line.endswith((".", "!", "?")):
        return False
    parts = [p for p in _PARTS.split(line) if p]
    if len(parts) < 4 or any(len(p.split()) > 5 for p in parts):
        return False
    capitalised = sum(p[0].isupper() for p in parts)
    return capitalised >= 0.6 * len(parts)
