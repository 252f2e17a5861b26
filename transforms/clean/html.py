"""HTML pages: the article body trafilatura finds, and the metadata the page declares."""

from __future__ import annotations

import re
from datetime import datetime
from types import SimpleNamespace

from transforms.clean.article import CleanText, strip_residue
from transforms.clean.text import normalize_text, numbered_lines
from transforms.timestamps import parse_timestamp

_HTML_LANG = re.compile(r"""<html[^>]*\slang=["']?([A-Za-z]{2,3}(?:[-_][A-Za-z0-9]+)*)""", re.IGNORECASE)
_PUBLISHED = [
    re.compile(p, re.IGNORECASE)
    for p in (
        r"""<meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|og:published_time|datePublished|pubdate)["'][^>]*\scontent=["']([^"']+)""",
        r"""<meta[^>]+content=["']([^"']+)["'][^>]*(?:property|name|itemprop)=["'](?:article:published_time|og:published_time|datePublished|pubdate)["']""",
        r'"datePublished"\s*:\s*"([^"]+)"',
    )
]
_NO_METADATA = SimpleNamespace(title=None, url=None, hostname=None, author=None, date=None)


def extract_html(html: str, title: str | None = None) -> tuple[CleanText, dict]:
    """Article body and metadata of an HTML page (an empty body when none is found)."""
    import trafilatura  # a tenth of a second to import: only where pages are extracted

    page = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    text = page.text if page is not None else None
    if not text:  # before giving up: trafilatura's generous mode, then its baseline
        generous = trafilatura.bare_extraction(html, include_comments=False, favor_recall=True)
        text = (generous.text if generous is not None else None) or trafilatura.baseline(html)[1]
    if not text:
        return CleanText(None, "", ()), {}
    found = page or _NO_METADATA
    title = title or normalize_text(found.title or "") or None
    cleaned = strip_residue(numbered_lines(text, unwrap=False), title, by_position=False)
    metadata = {
        "url": found.url,
        "site": found.hostname,
        "byline": found.author,
        "published_at": published_time(html) or parse_timestamp(found.date),
        "declared_language": (lang := _HTML_LANG.search(html[:4096])) and lang.group(1),
    }
    return cleaned, metadata


def published_time(html: str) -> datetime | None:
    """The publication time a page declares (Open Graph, schema.org), as naive UTC.

    trafilatura reports the day only; the declared time orders same-day copies."""
    for pattern in _PUBLISHED:
        found = pattern.search(html)
        if found and (when := parse_timestamp(found.group(1))):
            return when
    return None
