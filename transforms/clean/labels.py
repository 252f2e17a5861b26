"""Lines shaped like labels rather than text: bylines, dates and times, reading times,
counts, breadcrumbs and menus joined by separators, photo captions and credits, embeds."""

from __future__ import annotations

import re

from transforms.clean.lexicon import NUMBER, either
from transforms.clean.lexicons import any_of, fragments

_NAME = r"(?-i:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,3})"  # one to four capitalised words
_BYLINE = rf"\s+{_NAME}(?:$|\s*[|,·•–-])"  # the name after a byline's word, alone or before a separator

_READING_UNITS = either(f.removeprefix(NUMBER) for f in fragments("reading_time") if f.startswith(NUMBER))
_READING_WORDS = [f for f in fragments("reading_time") if not f.startswith(NUMBER)]
CREDIT = re.compile(rf"\({any_of('credits')}\b|pic\.twitter\.com|\(@\w+\)", re.IGNORECASE)
# Dates are shapes of numbers; ordinals ("3rd"), "ago" and "Mar 3, 2024" are English ones.
_LABEL_SHAPE = re.compile(
    "|".join(
        [
            rf"^{any_of('label_bylines')}{_BYLINE}",
            r"\d{1,2}:\d{2}",
            r"\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b",
            r"\b\d{1,2}(?:st|nd|rd|th)?\.?\s+[A-Za-zéû]{3,}\.?\s+\d{4}\b",
            r"\b[A-Z][a-z]{2,8}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b",
            r"\b\d+\s+(?:hours?|minutes?|days?|weeks?)\s+ago\b",
            rf"\b\d+\s*(?:-\s*)?{_READING_UNITS}\b",
            *_READING_WORDS,
            rf"^{any_of('published')}\b",
            r"\s[|>›»/·•]\s",
            r"^[|>›»·•]",
            r"\(\d+\)$",
            r"^\d+$",
            r"^\d+\s+\w+$",
            rf"^{any_of('caption_labels')}\b\s*[:,]",
            CREDIT.pattern,
        ]
    ),
    re.IGNORECASE,
)
_LABEL_START = re.compile(
    rf"^(?:{any_of('bylines')}{_BYLINE}|(?:{any_of('published')}|{any_of('captions')})\b)", re.IGNORECASE
)


def is_label_shaped(line: str) -> bool:
    return bool(_LABEL_SHAPE.search(line))


def starts_as_label(line: str) -> bool:
    """A byline, a dateline, a caption or a credit, however long the line goes on."""
    return bool(_LABEL_START.match(line) or CREDIT.search(line))
