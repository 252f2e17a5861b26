"""Tables that are part of an article: results, standings, leaderboards, scorecards,
market and election tables ("Harbour City 24 Vale Rovers 18", "8. Mara Lind (Sweden)
4:02.117", "Ipswich 19 10 5 4 31 20 35"), told apart from residue that has numbers in it.

A row has a value (a score, time, points, a price) and a capitalised name; residue with
digits does not count as a row: dates and clock times (archive lists, bylines), "3 hours
ago", "5 min read", counts of comments, likes and pages, "(12)", copyright years,
sign-offs with phone numbers, links.
"""

from __future__ import annotations

import re

from transforms.clean.labels import starts_as_label
from transforms.clean.lexicon import either
from transforms.clean.lexicons import any_of
from transforms.clean.reasons import RemovalReason
from transforms.clean.residue import PUNCT_EDGES
from transforms.documents import count_words

TABLE_MIN_ROWS = 3  # a block of fewer rows is not told apart from residue
TABLE_MAX_GAP = 3  # section heads, wrapped names and scores between two rows of one table
TABLE_CELL_MAX_WORDS = 12  # a longer line between rows is text, not a head of a table section

_SOCIAL_NETWORKS = (
    "facebook",
    "twitter",
    "whatsapp",
    "linkedin",
    "pinterest",
    "reddit",
    "telegram",
    "messenger",
    "instagram",
    "youtube",
    "tiktok",
    "flipboard",
    "bluesky",
    "threads",
    "mastodon",
)
_MONTH = rf"{any_of('months')}\.?"
# Datelines are shapes of numbers, with English ordinals and weekdays, "12 de marzo"
# (Spanish, Portuguese) and the words written after a clock time.
_NOT_A_ROW = re.compile(
    "|".join(
        [
            rf"\b{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?\b",
            rf"\b\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:de\s+)?{_MONTH}(?:[\s,]|$)",
            r"\b\d{1,4}[./]\d{1,2}[./]\d{2,4}\b",
            r"\b(?:19|20)\d\d-\d\d-\d\d\b",
            r"\b\d{1,2}-\d{1,2}-(?:19|20)\d\d\b",
            r"\b(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?:day)?\.?,?\s+\d",
            r"\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\b|uhr\b|h\b|bst\b|gmt\b|utc\b|cet\b|cest\b|(?-i:[A-Z][SD]T\b))",
            r"\b\d{1,2}h\d{2}\b",
            rf"\b(?:{any_of('not_row_words')}|{either(_SOCIAL_NETWORKS)})\b",
            r"[·•›»©|@]",
            r"\(\d+\)$",
            r"^(?:--|—|–)",
            r"https?://",
            r"www\.",
            r"\.(?:com|org|net|co\.uk)\b",
        ]
    ),
    re.IGNORECASE,
)
# Heads of lists of other stories: a block of rows under one is a list of links with
# scores in their headlines ("Ireland thrash Gibraltar 5-0"), not the article's table.
_TEASER_HEAD = re.compile(rf"^{any_of('teaser_heads')}", re.IGNORECASE)
_TABLE_VALUE = re.compile(
    r"^[-+±$£€¥▲▼]?\d[\d.,:/=+\-–½¼¾]*%?$|^\d+(?:st|nd|rd|th)$|^[a-z]{1,2}-\d+$|^\d+(?:[-–]\d+)+[a-z]?$"
)
_YEAR = re.compile(r"^(?:19|20)\d\d$")
_PHONE_LIKE = re.compile(r"^0\d{3,}$|^\d{6,}$")  # "01942", "123456": phone and company numbers, not scores
_RANK = re.compile(r"^\d{1,3}[.)=]$")  # "1.", "2)", "6=": a place in a list, not a value
_SENTENCE_TAIL = re.compile(r"[^\W\d][\"'”’)]*[.!?]$")  # "...two games." but not "15-10."
_CELL_EDGES = "\"'“”‘’«»()[]{}<>,;:!?*#~"


def _table_cells(line: str) -> tuple[int, int, int] | None:
    """(values, capitalised words, lowercase words) of a line that may be a table row or
    a head in a table, or None when it is shaped like residue or ends like a sentence."""
    if _NOT_A_ROW.search(line) or starts_as_label(line) or _SENTENCE_TAIL.search(line) or _is_teaser_head(line):
        return None
    values = names = lowercase = tail = 0  # tail: ordinary words after the last value
    separated = False  # a colon or a dash after the last value: "Dale 8 Rovers 40: visitors run riot"
    for k, token in enumerate(line.split()):
        cell = token.strip(_CELL_EDGES)
        if not any(c.isalnum() for c in cell) or (k == 0 and _RANK.match(cell)):
            separated = separated or (values > 0 and token in ("-", "–", "—"))
            continue
        if any(c.isdigit() for c in cell):
            number = cell.rstrip(".")
            if _TABLE_VALUE.match(number) and not _YEAR.match(number) and not _PHONE_LIKE.match(number):
                values, tail, separated = values + 1, 0, token.endswith(":")
            elif cell[0].isupper():  # "M1", "F1"
                names += 1
        elif cell[0].isupper():
            names += 1
        elif cell[0].isalpha():
            lowercase, tail = lowercase + 1, tail + 1
    if values and (tail >= 3 or (tail >= 2 and separated)):  # a headline with a score, not "K. Osei 80 not out"
        return None
    return values, names, lowercase


def _is_table_row(line: str) -> bool:
    """A value, a name, and hardly more ordinary words than names and values: a row, not
    a headline that has a number in it ("5. Property tax bills to rise 3.8 per cent")."""
    cells = _table_cells(line)
    return bool(cells) and cells[0] >= 1 and cells[1] >= 1 and cells[2] <= cells[0] + cells[1]


def _is_table_cell(line: str) -> bool:
    """A line that a table can hold between or before its rows: a section head ("Men's
    singles, second round", "W D L PCT GB"), a wrapped name or score ("6-2")."""
    return count_words(line) <= TABLE_CELL_MAX_WORDS and _table_cells(line) is not None


def _is_teaser_head(line: str) -> bool:
    """ "Related", "Most read", "More from Sport": the head of a list of other stories."""
    head = line.strip(PUNCT_EDGES)
    return count_words(line) <= 6 and not _SENTENCE_TAIL.search(line) and bool(_TEASER_HEAD.match(head))


def _wraps(line: str, following: str) -> bool:
    """`following` continues a row of a table wrapped at a fixed width: a score on its own
    ("6-0 6-2"), or more of a list of names ("66 Ann Berg, Tom Hale, Jo" and
    "Reyes, Sam Park")."""
    cells = _table_cells(following)
    if cells is not None and cells[1:] == (0, 0):
        return True
    return line.endswith(",") or (line.count(",") >= 2 and line.split()[-1][:1].isupper() and "," in following)


def table_lines(texts: list[str], phrase: list[RemovalReason | None]) -> list[bool]:
    """Which lines belong to a table: a block of at least TABLE_MIN_ROWS rows (or of any
    number, right after a line of text that announces it with a colon), with at most
    TABLE_MAX_GAP other short lines between two rows (heads, wrapped cells), the heads just
    before its first row, and the wrapped cells after its last ("6-0 6-2", a list of names
    after a line that ends with a comma). Residue by wording (other than a list of names,
    which a leaderboard is too) stays residue and does not break a block."""
    residue = [bool(reason) and reason != RemovalReason.TAG_LIST for reason in phrase]
    order = [i for i in range(len(texts)) if not residue[i]]
    row = {i: _is_table_row(texts[i]) for i in order}
    cell = {i: row[i] or _is_table_cell(texts[i]) for i in order}
    table = [False] * len(texts)
    k = 0
    while k < len(order):
        if not row[order[k]]:
            k += 1
            continue
        start = end = k  # positions in `order` of the block's first and last row
        rows, gap = 1, 0
        m = k + 1
        while m < len(order) and cell[order[m]]:
            if row[order[m]]:
                end, rows, gap = m, rows + 1, 0
            else:
                gap += 1
                if gap > TABLE_MAX_GAP:
                    break
            m += 1
        introduced = k > 0 and texts[order[k - 1]].endswith(":") and count_words(texts[order[k - 1]]) >= 4
        if rows >= TABLE_MIN_ROWS or introduced:  # "Result of the semifinal on Saturday:" and one row
            while start > 0 and k - start < TABLE_MAX_GAP and cell[order[start - 1]]:
                start -= 1
            j = order[start] - 1  # the line above it, over residue such as "Advertisement"
            while j >= 0 and residue[j] and not _is_teaser_head(texts[j]):
                j -= 1
            if j >= 0 and _is_teaser_head(texts[j]):
                k = end + 1
                continue
            while end + 1 < len(order) and cell[order[end + 1]] and _wraps(texts[order[end]], texts[order[end + 1]]):
                end += 1
            for position in range(start, end + 1):
                table[order[position]] = True
        k = end + 1
    return table
