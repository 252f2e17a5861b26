"""The records that move through the pipeline."""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from functools import cached_property

# Chinese and Japanese are written without spaces: each character counts as a word,
# and their punctuation (U+3000-303F, full-width forms) as none.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORDS = re.compile(rf"[{_CJK}]|[^\s{_CJK}\u3000-\u303f\uff00-\uffef]+")


def count_words(text: str) -> int:
    return len(_WORDS.findall(text))


def stable_id(key: str) -> str:
    """A short id that depends only on `key`, so re-runs produce the same ids."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:16]


_UNESCAPE = {"%25": "%", "%23": "#"}
_UNESCAPED = re.compile("%25|%23")


def path_text(path: str | os.PathLike) -> str:
    """A file's path as text the warehouse can store: bytes of the name that are not UTF-8
    (which Python keeps as lone surrogates) written `\\xNN`."""
    text = os.fspath(path)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(text).decode("utf-8", "backslashreplace")
    return text


def file_uri(path: str | os.PathLike) -> str:
    """A file's path as the part of `Document.source_uri` before any `#`."""
    return path_text(path).replace("%", "%25").replace("#", "%23")


@dataclass(frozen=True)
class Document:
    """One input record, as the `documents` registry knows it.

    `source_uri` is the file's real path as a URI path (`file_uri`: `%` and `#` in it
    written `%25` and `%23`), followed for a record inside a multi-record file by `#` and
    its line number (JSONL) or byte offset (WARC). So a file named `feed.jsonl#1` can never
    be taken for line 1 of `feed.jsonl`.
    """

    source_uri: str
    format: str
    sha256: str | None
    bytes: int | None

    @property
    def source_file(self) -> str:
        return _UNESCAPED.sub(lambda m: _UNESCAPE[m[0]], self.source_uri.split("#", 1)[0])

    @property
    def doc_id(self) -> str:
        return stable_id(self.source_uri)


@dataclass(frozen=True)
class Source:
    """An input file as the `sources` registry knows it, once all its records are read."""

    source_file: str
    sha256: str
    bytes: int
    records: int


@dataclass(frozen=True)
class Record:
    """A document with its raw content, before any cleaning.

    `kind` says how to clean `content`: "html" (a page) or "text" (already extracted).
    The other fields are what the container said about the record (JSONL fields,
    WARC headers); they take precedence over what cleaning finds in the page.
    """

    document: Document
    content: bytes
    kind: str = "text"
    url: str | None = None
    title: str | None = None
    byline: str | None = None
    site: str | None = None
    published_at: datetime | None = None
    fetched_at: datetime | None = None  # the container's, else the day the file's folder is named after (read.days)
    declared_language: str | None = None
    charset: str | None = None  # the encoding the container declared for content


class RejectReason(StrEnum):
    """Why a document produced no article: stable codes users can group by (the README's
    table of reasons lists them all)."""

    EMPTY = "empty"
    BINARY = "binary"
    UNDECODABLE = "undecodable"
    UNREADABLE = "unreadable"
    UNSUPPORTED_FORMAT = "unsupported_format"
    NO_TEXT = "no_text"
    EXTRACTION_FAILED = "extraction_failed"
    TOO_LARGE = "too_large"
    TRUNCATED = "truncated"
    CORRUPT = "corrupt"
    DECOMPRESSION_BOMB = "decompression_bomb"
    MALFORMED_JSON = "malformed_json"
    MISSING_CONTENT = "missing_content"
    BROKEN_WARC_RECORD = "broken_warc_record"
    HTTP_ERROR = "http_error"
    PROCESSING_ERROR = "processing_error"  # a stage failed on this record alone: a bug to report, not bad input


@dataclass(frozen=True)
class Reject:
    """A document that produced no article, and why."""

    document: Document
    reason: RejectReason
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
    fetched_at: datetime | None = None
    declared_language: str | None = None
    language: str | None = None
    language_prob: float | None = None
    content_hash: str | None = None
    mentions: tuple[Mention, ...] = field(default=())
    removed_lines: tuple[tuple[int, str, str], ...] = field(default=())  # (line number, line, reason)
    line_numbers: tuple[int, ...] = field(default=())  # where each line of `text` stood in the cleaner's input
    signature: object = None  # its transforms.neardup.Signature, once computed
    story_features: Mapping[str, int] | None = None  # of its words and numbers (transforms.stories.text_features)

    @property
    def article_id(self) -> str:
        return self.document.doc_id

    @cached_property
    def word_count(self) -> int:
        return count_words(self.text)
