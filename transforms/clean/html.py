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
    from trafilatura.utils import load_html

    tree = load_html(html)  # parsed once, for the body and the metadata (trafilatura copies it)
    page = trafilatura.bare_extraction(tree, include_comments=False) if tree is not None else None
    text = page.text if page is not None else None
    if not text:  # before giving up: trafilatura's generous mode, then its baseline
        generous = trafilatura.bare_extraction(html, include_comments=False, favor_recall=True)
        text = (generous.text if generous is not None else None) or trafilatura.baseline(html)[1]
    if not text:
        return CleanText(None, "", ()), {}
    found = page_metadata(tree) if tree is not None else _NO_METADATA
    title = title or normalize_text(found.title or "") or None
    cleaned = strip_residue(numbered_lines(text, unwrap=False), title, by_position=False)
    metadata = {
        "url": found.url,
        "site": found.hostname,
        "byline": found.author,
        "published_at": published_time(html) or (tree is not None and published_day(tree, found.url)) or None,
        "declared_language": (lang := _HTML_LANG.search(html[:4096])) and lang.group(1),
    }
    return cleaned, metadata


def page_metadata(tree) -> SimpleNamespace:
    """Title, URL, hostname and author of a parsed page.

    trafilatura's own metadata steps (`trafilatura.metadata.extract_metadata`) for the
    fields newsmill keeps: meta tags, then JSON-LD, then the page's title and byline
    elements and its canonical link. Not its site name, categories, tags or licence, and
    not the day (`published_day`), which newsmill only needs when the page declares no
    publication time.
    """
    from courlan import extract_domain
    from trafilatura.metadata import examine_meta, extract_author, extract_meta_json, extract_title, extract_url

    found = examine_meta(tree)
    if found.author and " " not in found.author:  # as trafilatura: a one-word author is a user name
        found.author = None
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # trafilatura guards its JSON-LD reader the same way
        pass
    found.title = found.title or extract_title(tree)
    found.author = found.author or extract_author(tree)
    found.url = found.url or extract_url(tree)
    found.hostname = extract_domain(found.url, fast=True) if found.url else None
    found.clean_and_trim()
    return found


DATE_EXTENSIVE_SEARCH = True


def published_day(tree, url: str | None) -> datetime | None:
    """The day of publication htmldate finds in a page that declares no time: from its
    URL, its dated elements and, in the extensive search, dates written out in its text."""
    from htmldate import find_date

    day = find_date(tree, url=url, extensive_search=DATE_EXTENSIVE_SEARCH, original_date=True)
    return parse_timestamp(day)


def published_time(html: str) -> datetime | None:
    """The publication time a page declares (Open Graph, schema.org), as naive UTC.

    trafilatura reports the day only; the declared time orders same-day copies."""
    for pattern in _PUBLISHED:
        found = pattern.search(html)
        if found and (when := parse_timestamp(found.group(1))):
            return when
    return None
