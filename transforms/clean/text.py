"""Text as the cleaner reads it: NFC, one kind of line break and space, one paragraph per line."""

from __future__ import annotations

import re
import unicodedata

import ftfy

_FTFY = ftfy.TextFixerConfig(fix_character_width=False, explain=False)
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u3000]+")
BULLET = re.compile(r"^(?:[-•*–]\s+\S|\d{1,2}[.)]\s+\S)")

WRAP_MIN_WIDTH, WRAP_MAX_WIDTH = 50, 110  # the widths text dumps wrap at


def normalize_text(text: str) -> str:
    """NFC, one kind of line break and space, no blank lines: one paragraph per line."""
    return "\n".join(line for _, line in numbered_lines(text))


def numbered_lines(text: str, unwrap: bool = True) -> list[tuple[int, str]]:
    """(1-based line number in `text`, normalized line) for every non-blank line.

    ftfy repairs mojibake ("KremlinÃ¢â‚¬â„¢s" -> "Kremlin's") and makes quotes straight, so
    the same text scraped twice compares equal; full-width CJK forms are left as written.
    """
    text = ftfy.fix_text(text.replace("\r\n", "\n").replace("\r", "\n"), _FTFY)
    text = unicodedata.normalize("NFC", text)
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    numbered = [(number, line) for number, line in enumerate(lines, start=1)]
    return _unwrap(numbered) if unwrap else [(n, line) for n, line in numbered if line]


def _unwrap(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Non-blank lines, with text hard-wrapped at a fixed width (as text dumps of pages
    are) joined back into its paragraphs; a joined paragraph keeps its first line number."""
    long = [len(line) for _, line in lines if len(line) >= 40]
    width = max(long, default=0)
    blank_separators = sum(1 for (_, a), (_, b) in zip(lines, lines[1:]) if a and not b)
    wrapped = (  # text with no blank lines has one paragraph per line, however short
        blank_separators >= 2
        and len(long) >= 4
        and WRAP_MIN_WIDTH <= width <= WRAP_MAX_WIDTH
        and sum(w >= 0.75 * width for w in long) >= 0.5 * len(long)
    )
    if not wrapped:
        return [(n, line) for n, line in lines if line]
    joined: list[tuple[int, str]] = []
    previous = ""
    for number, line in lines:
        if line and joined and previous and len(previous) >= 0.6 * width and not BULLET.match(line):
            joined[-1] = (joined[-1][0], f"{joined[-1][1]} {line}")
        elif line:
            joined.append((number, line))
        previous = line
    return joined
