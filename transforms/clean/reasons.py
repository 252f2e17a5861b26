"""Why a line was removed from an article: stable codes, stored in `removed_lines.reason`."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class RemovalReason(StrEnum):
    REPEATED_TITLE = "repeated_title"  # the title again, in the body
    RESIDUE_PHRASE = "residue_phrase"  # a whole line of a known residue phrase: "Share.", "Advertisement"
    PROMPT = "prompt"  # a short unpunctuated call to subscribe, sign up, accept cookies
    TAG_LIST = "tag_list"  # many short capitalised labels separated by commas
    SITE_FURNITURE = "site_furniture"  # a sentence of a cookie notice, a sign-up pitch, an author's bio
    OUTSIDE_ARTICLE = "outside_article"  # a short line before or after the article's span
    LABEL = "label"  # a short line inside the article shaped like a byline, a date, a caption
    SHORT_LINE = "short_line"  # another short line inside the article: a button, a link
    SITE_TEMPLATE = "site_template"  # a line of its site's learned template (transforms.templates)


class RemovedLine(NamedTuple):
    number: int  # 1-based, in the cleaner's input
    line: str
    reason: RemovalReason
