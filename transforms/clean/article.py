"""The article among the lines of a text: residue removed by what lines say, and by where
they stand and what shape they have."""

from __future__ import annotations

import re
from dataclasses import dataclass

from transforms.clean.labels import is_label_shaped, starts_as_label
from transforms.clean.lexicon import COPYRIGHT_MARKS
from transforms.clean.lexicons import fragments
from transforms.clean.reasons import RemovalReason, RemovedLine
from transforms.clean.residue import residue_reason
from transforms.clean.tables import table_lines
from transforms.clean.text import BULLET, numbered_lines
from transforms.documents import count_words

TITLE_MAX_WORDS = 25
PROSE_MIN_WORDS = 8  # with sentence punctuation at the end; 15 without
SUBHEAD_MAX_WORDS = 8

_PROSE_END = re.compile(r"[.!?…][\"'”’»)]*$")
# A copyright line anywhere: the sign, the word as a word, the phrase of any language.
_COPYRIGHT = re.compile(
    "|".join(
        [*(rf"\b{mark}\b" if mark.isalpha() else mark for mark in COPYRIGHT_MARKS), *fragments("rights_reserved")]
    ),
    re.IGNORECASE,
)


@dataclass(frozen=True)
class CleanText:
    title: str | None
    text: str
    removed: tuple[RemovedLine, ...]
    line_numbers: tuple[int, ...] = ()  # the input line number of each line of `text`


def clean_scraped_text(raw: str, title: str | None = None) -> CleanText:
    """Title and body of already-extracted text.

    Without a known `title`, the title is the first line that is not residue, when it
    looks like a headline. Line numbers in `removed` are those of `raw`.
    """
    lines = numbered_lines(raw)
    if title:
        return strip_residue(lines, title)
    leading = 0
    while leading < len(lines) and residue_reason(lines[leading][1], None):
        leading += 1
    rest = lines[leading:]
    title = rest[0][1] if len(rest) > 1 and _looks_like_title(rest[0][1]) else None
    return strip_residue(lines[:leading] + rest[1 if title else 0 :], title)


def _looks_like_title(line: str) -> bool:
    return len(line.split()) <= TITLE_MAX_WORDS and not line.endswith((".", ":", ";", ","))


def strip_residue(lines: list[tuple[int, str]], title: str | None, by_position: bool = True) -> CleanText:
    """Drop residue lines: by what they say (phrases of several languages), and by where
    they stand and what shape they have.

    The article is the span from its first to its last prose line, and the sentences
    that close it. Short lines before or after it are page furniture (menus, bylines,
    share buttons, related headlines). Inside it, a short line stays when it is a
    sentence, a bulleted item next to article text, or a subhead: a few words standing
    alone between paragraphs, not shaped like a label (a date, a byline, a breadcrumb).
    Other short lines inside it are buttons, captions and lists of links. A table inside
    it, right after it, or right before a note that is all the prose there is (results,
    standings, leaderboards, scorecards: rows of names and scores) belongs to it, however
    short its rows, even a list of names a leaderboard wraps onto the next line.

    Text that trafilatura took from a page is the article already: there, position and
    shape would only cost real lines (standfirsts, results tables, recipe ingredients),
    so only what lines say counts (`by_position=False`).
    """
    texts = [line for _, line in lines]
    phrase = [residue_reason(line, title) for line in texts]
    prose = [reason is None and _is_prose(line) for line, reason in zip(texts, phrase)]
    reasons = list(phrase)
    if by_position:
        table = table_lines(texts, phrase)
        reasons = [
            None if table[i] and reason == RemovalReason.TAG_LIST else reason for i, reason in enumerate(reasons)
        ]
    if by_position and any(prose):
        first, last = prose.index(True), len(prose) - 1 - prose[::-1].index(True)
        skipped = 0  # residue lines since the last line of the article
        for j in range(last + 1, len(texts)):  # closing sentences, lists and tables: "The trial continues."
            if table[j] and skipped <= 1:  # a table after an "Advertisement" still, not after a footer
                last, skipped = j, 0
            elif reasons[j]:
                skipped += 1 + bool(_COPYRIGHT.search(texts[j]))
            else:
                if not (_is_sentence(texts[j]) or (BULLET.match(texts[j]) and not is_label_shaped(texts[j]))):
                    break
                last, skipped = j, 0
        start = first
        while start > 0 and table[start - 1]:
            start -= 1
        # A table right before the first paragraph is the page, when that is a note on it
        # ("Note - both teams played twice."); before an article it is a ticker.
        if sum(count_words(line) for line in texts[start:first]) >= sum(
            count_words(line) for line, is_prose in zip(texts, prose) if is_prose
        ):
            first = start
        for i, line in enumerate(texts):
            if reasons[i] or prose[i]:
                continue
            if i < first or i > last:
                reasons[i] = RemovalReason.OUTSIDE_ARTICLE
            elif not table[i] and not _stays_inside_article(texts, prose, phrase, i):
                reasons[i] = RemovalReason.LABEL if is_label_shaped(line) else RemovalReason.SHORT_LINE
    kept = [(n, line) for (n, line), reason in zip(lines, reasons) if not reason]
    removed = tuple(RemovedLine(n, line, reason) for (n, line), reason in zip(lines, reasons) if reason)
    return CleanText(title, "\n".join(line for _, line in kept), removed, tuple(n for n, _ in kept))


def _is_prose(line: str) -> bool:
    if starts_as_label(line):
        return False
    words = count_words(line)
    return words >= 15 or (words >= PROSE_MIN_WORDS and bool(_PROSE_END.search(line) or line.endswith(":")))


def _is_sentence(line: str) -> bool:
    """A short line that is still a sentence: "The trial continues.", a one-line quote."""
    return count_words(line) >= 2 and bool(_PROSE_END.search(line)) and not is_label_shaped(line)


def _is_subhead(line: str) -> bool:
    return 2 <= count_words(line) <= SUBHEAD_MAX_WORDS and not is_label_shaped(line) and not _PROSE_END.search(line)


def _stays_inside_article(texts: list[str], prose: list[bool], phrase: list, i: int) -> bool:
    line = texts[i]
    if _is_sentence(line):
        return True
    if BULLET.match(line):  # an item of a list in the article: next to article text or its subhead
        before, after = (
            _neighbour(texts, phrase, i, -1, skip_bullets=True),
            _neighbour(texts, phrase, i, 1, skip_bullets=True),
        )
        return any(
            j is not None and (prose[j] or _is_sentence(texts[j]) or _is_subhead(texts[j])) for j in (before, after)
        )
    if not _is_subhead(line):
        return False
    before, after = _neighbour(texts, phrase, i, -1), _neighbour(texts, phrase, i, 1)
    return (
        before is not None
        and (prose[before] or _is_sentence(texts[before]))
        and after is not None
        and (prose[after] or _is_sentence(texts[after]) or bool(BULLET.match(texts[after])))
    )


def _neighbour(texts: list[str], phrase: list, i: int, step: int, skip_bullets: bool = False) -> int | None:
    """The nearest line in direction `step` that is not residue by its wording."""
    j = i + step
    while 0 <= j < len(texts) and (phrase[j] or (skip_bullets and BULLET.match(texts[j]))):
        j += step
    return j if 0 <= j < len(texts) else None
