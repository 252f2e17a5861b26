"""JSON Lines: one article per line, as scrapers and crawl tools dump them."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import BinaryIO

from transforms.documents import Document, Record, Reject, RejectReason
from transforms.read.decode import BadInput, repair_surrogates
from transforms.timestamps import parse_timestamp

# Accepted field names, first present wins. Documented in the README.
FIELDS = {
    "url": ("url", "link", "uri", "source_url", "canonical_url"),
    "html": ("html", "raw_html", "content_html", "page_html"),
    "text": ("text", "content", "body", "maintext", "article", "article_text"),
    "title": ("title", "headline"),
    "published": ("published", "published_at", "date_publish", "publish_date", "pubdate", "date", "datePublished"),
    "source": ("source", "site", "domain", "source_domain", "sitename"),
    "byline": ("byline", "author", "authors"),
    "language": ("language", "lang"),
    "fetched": ("fetched_at", "fetched", "crawled_at", "date_download"),
}


def read_jsonl(stream: BinaryIO, source: str, max_record_bytes: int) -> Iterator[Record | Reject]:
    """One record per non-blank line, `source#LINE`; a line that is not an article is a reject."""
    line_no = 0
    while True:
        try:
            line = stream.readline(max_record_bytes + 1)
            if not line:
                return
            line_no += 1
            if len(line) > max_record_bytes and not line.endswith(b"\n"):
                size = len(line) + _skip_rest_of_line(stream)
                yield Reject(
                    _document(source, line_no, None, size),
                    RejectReason.TOO_LARGE,
                    f"line {line_no} is {size:,} bytes, over the {max_record_bytes:,}-byte limit",
                )
                continue
        except BadInput as error:  # the compressed stream broke: nothing after this point is readable
            yield Reject(
                _document(source, line_no + 1, None, None), error.reason, f"from line {line_no + 1} on: {error.detail}"
            )
            return
        if line.strip():
            yield parse_line(line, source, line_no)


def _skip_rest_of_line(stream: BinaryIO) -> int:
    skipped = 0
    while chunk := stream.readline(1 << 20):
        skipped += len(chunk)
        if chunk.endswith(b"\n"):
            break
    return skipped


def _document(source: str, line_no: int, sha256: str | None, size: int | None) -> Document:
    return Document(f"{source}#{line_no}", "jsonl", sha256, size)


def parse_line(line: bytes, source: str, line_no: int) -> Record | Reject:
    line = line.strip()
    document = _document(source, line_no, hashlib.sha256(line).hexdigest(), len(line))
    try:
        value = json.loads(line.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        return Reject(
            document, RejectReason.UNDECODABLE, f"line {line_no} is not UTF-8: {error.reason} at byte {error.start}"
        )
    except json.JSONDecodeError as error:
        return Reject(document, RejectReason.MALFORMED_JSON, f"line {line_no}: {error.msg} at column {error.colno}")
    except (ValueError, RecursionError) as error:  # huge numbers, absurd nesting
        return Reject(
            document, RejectReason.MALFORMED_JSON, f"line {line_no}: {type(error).__name__}: {str(error)[:120]}"
        )
    if not isinstance(value, dict):
        return Reject(
            document, RejectReason.MALFORMED_JSON, f"line {line_no} is a JSON {type(value).__name__}, not an object"
        )
    fields = {name: _first(value, aliases) for name, aliases in FIELDS.items()}
    html, text = fields["html"], fields["text"]
    if not isinstance(html, str) and not isinstance(text, str):
        keys = repair_surrogates(", ".join(sorted(value)))
        return Reject(
            document, RejectReason.MISSING_CONTENT, f"line {line_no} has no html or text field (keys: {keys[:200]})"
        )
    # JSON may escape half a UTF-16 surrogate pair ("\ud83d"), which no string the
    # warehouse stores may hold, or a NUL ("\u0000"), which no text holds: every string
    # taken from the record is repaired.
    byline = fields["byline"]
    return Record(
        document,
        _repaired(html if isinstance(html, str) else text).encode("utf-8"),
        kind="html" if isinstance(html, str) else "text",
        url=_string(fields["url"]),
        title=_string(fields["title"]),
        byline=_string(", ".join(v.strip() for v in byline if isinstance(v, str)))
        if isinstance(byline, list)
        else _string(byline),
        site=_string(fields["source"]),
        published_at=parse_timestamp(fields["published"]),
        fetched_at=parse_timestamp(fields["fetched"]),
        declared_language=_string(fields["language"]),
    )


def _first(value: dict, aliases: tuple[str, ...]):
    return next((value[key] for key in aliases if value.get(key) not in (None, "")), None)


def _repaired(text: str) -> str:
    return repair_surrogates(text).replace("\x00", "")


def _string(value) -> str | None:
    return _repaired(value).strip() or None if isinstance(value, str) else None
