"""The records that move through the pipeline."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime


def stable_id(key: str) -> str:
    """A short id that depends only on `key`, so re-runs produce the same ids."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class Document:
    """One input record, as the `documents` registry knows it."""

    source_uri: str
    format: str
    sha256: str | None
    bytes: int | None

    @property
    def doc_id(self) -> str:
        return stable_id(self.source_uri)


@dataclass(frozen=True)
class Record:
    """A document with its raw content, before any cleaning."""

    document: Document
    content: bytes


@dataclass(frozen=True)
class Reject:
    """A document that produced no article, and why."""

    document: Document
    reason: str
    detail: str


@dataclass(frozen=True)
class Mention:
    """A named entity in an article's text: `text[start_char:end_char] == surface`."""

    start_char: int
    end_char: int
    surface: str
    label: str
    name: str


@dataclass(frozen=True)
class Article:
    """A cleaned article. One document yields at most one article, which shares its id."""

    document: Document
    text: str
    title: str | None = None
    url: str | None = None
    site: str | None = None
    byline: str | None = None
    published_at: datetime | None = None
    language: str | None = None
    language_prob: float | None = None
    content_hash: str | None = None
    mentions: tuple[Mention, ...] = field(default=())

    @property
    def article_id(self) -> str:
        return self.document.doc_id

    @property
    def word_count(self) -> int:
        return len(self.text.split())


# Reject reasons: stable codes users can group by.
EMPTY = "empty"
BINARY = "binary"
UNDECODABLE = "undecodable"
UNREADABLE = "unreadable"
UNSUPPORTED_FORMAT = "unsupported_format"
NO_TEXT = "no_text"
