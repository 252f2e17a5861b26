"""Learned site templates: short lines that recur across many articles of one site are
that site's boilerplate (a footer, a recurring promo, a byline box), whatever they say.

Articles are grouped by site, or by the folder they came from when they have no site.
A line is a template line once it stands in at least MIN_SUPPORT distinct articles of
its group and in at least MIN_SHARE of them: a quote that two articles repeat is not.
"""

from __future__ import annotations

import dataclasses
import math
import os
import re
from collections import defaultdict

from transforms.clean import RemovalReason, RemovedLine
from transforms.documents import Article, Reject, RejectReason, count_words, stable_id

MIN_SUPPORT = 5
MIN_SHARE = 0.2
MAX_TEMPLATE_WORDS = 20  # paragraphs of article text are not template candidates


def template_threshold(group_articles: int) -> int:
    """The fewest distinct articles of a group a line must stand in to be one of the
    group's template lines: the rule above as one number, which the warehouse's refresh
    of its stored templates compares with too."""
    return max(MIN_SUPPORT, math.ceil(MIN_SHARE * group_articles))


def template_group(article: Article) -> str:
    """The site the article came from, else the folder of its file."""
    return article.site or f"folder:{os.path.dirname(article.document.source_file)}"


def line_key(line: str) -> str:
    return stable_id(re.sub(r"\W+", " ", line.casefold()).strip())


def candidate_lines(text: str) -> dict[str, str]:
    """line_key -> line for the distinct short lines of a text."""
    return {line_key(line): line for line in text.split("\n") if line and count_words(line) <= MAX_TEMPLATE_WORDS}


def learn(stored: dict[str, tuple[int, dict[str, int]]], articles: list[Article]) -> dict[str, set[str]]:
    """Template line keys per group, from the stored counts (group -> (articles, {line_key:
    articles})) plus these articles, for every group they are in. Copies with identical
    text count once in a group; a wire story printed by two sites counts in each."""
    seen: set[tuple[str, str]] = set()
    batch_articles: dict[str, int] = defaultdict(int)
    batch_lines: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for article in articles:
        group = template_group(article)
        if (group, article.text) in seen:
            continue
        seen.add((group, article.text))
        batch_articles[group] += 1
        for key in candidate_lines(article.text):
            batch_lines[group][key] += 1
    templates = {}
    for group, count in batch_articles.items():
        stored_count, stored_lines = stored.get(group, (0, {}))
        threshold = template_threshold(stored_count + count)
        holding = {key: n + stored_lines.get(key, 0) for key, n in batch_lines[group].items()}
        templates[group] = {key for key, n in holding.items() if n >= threshold}
    return templates


def strip_template(article: Article, template: set[str]) -> Article | Reject:
    """The article without its group's template lines, each noted as removed."""
    lines = article.text.split("\n")
    numbers = article.line_numbers or tuple(range(1, len(lines) + 1))
    drop = [line_key(line) in template and count_words(line) <= MAX_TEMPLATE_WORDS for line in lines]
    if not any(drop):
        return article
    if all(drop):
        return Reject(article.document, RejectReason.NO_TEXT, "nothing but lines of its site's template")
    removed = tuple(RemovedLine(n, line, RemovalReason.SITE_TEMPLATE) for n, line, d in zip(numbers, lines, drop) if d)
    return dataclasses.replace(
        article,
        text="\n".join(line for line, d in zip(lines, drop) if not d),
        line_numbers=tuple(n for n, d in zip(numbers, drop) if not d),
        removed_lines=tuple(sorted(article.removed_lines + removed)),
    )
