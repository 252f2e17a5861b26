"""Turn a raw record into clean article text: paragraphs, one per line, without residue.

HTML goes through trafilatura, which finds the article body and the page's metadata
(html.py). Already-extracted text (which trafilatura cannot handle) goes through a line
cleaner that recognises the residue scrapers leave around an article by its shape: share
and comment prompts, navigation, subscription banners, tag lists, copyright lines
(article.py). Both end in the same residue pass (residue.py), so an HTML page's leftovers
are caught too. The words these rules look for are in one lexicon per language
(lexicons/).
"""

from __future__ import annotations

from transforms.clean.article import CleanText, clean_scraped_text
from transforms.clean.html import extract_html, published_time
from transforms.clean.metadata import language_code, registered_domain
from transforms.clean.reasons import RemovalReason, RemovedLine
from transforms.clean.text import normalize_text
from transforms.documents import Article, Record, Reject, RejectReason, count_words
from transforms.read import BadInput, declared_charset, decode_text

__all__ = [
    "CleanText",
    "RemovalReason",
    "RemovedLine",
    "clean",
    "clean_scraped_text",
    "extract_html",
    "language_code",
    "normalize_text",
    "published_time",
    "registered_domain",
]

MIN_ARTICLE_WORDS = 10  # fewer is a fragment (a menu, a caption), not an article


def clean(record: Record) -> Article | Reject:
    """A record's article, or the reason it has none. Never raises for bad content."""
    document = record.document
    declared = record.charset or (declared_charset(record.content) if record.kind == "html" else None)
    try:
        raw = decode_text(record.content, declared)
    except BadInput as error:
        return Reject(document, error.reason, error.detail)
    try:
        if record.kind == "html":
            cleaned, page = extract_html(raw, title=record.title)
        else:
            cleaned, page = clean_scraped_text(raw, title=record.title), {}
    except Exception as error:  # a parser choking on hostile markup must not stop the run
        return Reject(document, RejectReason.EXTRACTION_FAILED, f"{type(error).__name__}: {error}"[:300])
    if not cleaned.text:
        detail = "no article body found in the page" if record.kind == "html" else "nothing but residue lines"
        return Reject(document, RejectReason.NO_TEXT, detail)
    words = count_words(cleaned.text)
    if words < MIN_ARTICLE_WORDS:
        return Reject(
            document,
            RejectReason.NO_TEXT,
            f"only {words} words of text ({cleaned.text[:60]!r}): too short for an article",
        )
    url = record.url or page.get("url")
    return Article(
        document=document,
        text=cleaned.text,
        removed_lines=cleaned.removed,
        line_numbers=cleaned.line_numbers,
        title=record.title or cleaned.title,
        url=url,
        site=registered_domain(url) or registered_domain(record.site) or record.site or page.get("site"),
        byline=record.byline or page.get("byline"),
        published_at=record.published_at or page.get("published_at"),
        fetched_at=record.fetched_at,
        declared_language=language_code(record.declared_language or page.get("declared_language")),
    )
