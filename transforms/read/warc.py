"""WARC files (plain or gzip per record, as CC-NEWS ships them): one document per response."""

from __future__ import annotations

import hashlib
import os
import re
import zlib
from collections.abc import Iterator
from typing import BinaryIO

from warcio.archiveiterator import WARCIterator

from transforms.documents import BROKEN_WARC_RECORD, DECOMPRESSION_BOMB, HTTP_ERROR, TOO_LARGE, TRUNCATED, UNSUPPORTED_FORMAT, Document, Record, Reject
from transforms.read.compressed import BOMB_RATIO, GZIP_MAGIC
from transforms.read.decode import charset_of_content_type
from transforms.timestamps import parse_timestamp

# Records that hold a page. warcinfo, request, metadata and revisit records describe
# the crawl, not a document, and are passed over.
PAGE_RECORDS = ("response", "resource")
WARC_TYPES = ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")
TAIL_CHECK_BYTES = 64 * 1024 * 1024  # enough to hold any record short of the size cap


def read_warc(raw: BinaryIO, source: str, max_record_bytes: int) -> Iterator[Record | Reject]:
    """One record per response, `source#OFFSET`; a record that breaks the file ends it with a reject."""
    size = os.fstat(raw.fileno()).st_size
    records = WARCIterator(raw)  # WARC only: ArchiveIterator would read any prose as legacy ARC
    end = 0  # where the last complete record ended: the next one starts here
    try:
        for record in records:
            if record.rec_type not in WARC_TYPES:  # how warcio reads a record cut inside its header
                yield _unreadable_rest(raw, source, end, size, f"a record of unknown type {record.rec_type!r}")
                return
            if record.rec_type not in PAGE_RECORDS:
                records.read_to_end(record)
                end = records.get_record_offset() + records.get_record_length()
                continue
            declared = int(record.rec_headers.get_header("Content-Length") or 0)
            if declared > max(BOMB_RATIO * size, max_record_bytes * 10):
                yield Reject(Document(f"{source}#{end}", "warc", None, declared), DECOMPRESSION_BOMB,
                             f"a record declares {declared:,} bytes in a {size:,}-byte file: refusing to inflate it")
                return
            payload = _read_up_to(record.content_stream(), max_record_bytes + 1)
            truncated = record.raw_stream.limit > 0 and len(payload) <= max_record_bytes
            offset = records.get_record_offset()
            end = offset + records.get_record_length()
            if end >= size - 4:  # the last record: warcio cannot tell whether it was cut short
                truncated = truncated or _ends_early(raw, offset)
            yield _page(record, payload, f"{source}#{offset}", max_record_bytes, truncated)
    except Exception as error:  # warcio raises many kinds; any of them means the rest is unreadable
        yield _unreadable_rest(raw, source, end, size, f"{type(error).__name__}: {str(error)[:200]}")
        return
    if end < size and raw.seek(end) == end and raw.read(64).strip():
        yield _unreadable_rest(raw, source, end, size, "bytes after the last complete record")


def _unreadable_rest(raw: BinaryIO, source: str, end: int, size: int, what: str) -> Reject:
    """The reject for everything from `end` on: `truncated` when it is one record that
    runs out before the file does, `broken_warc_record` otherwise."""
    document = Document(f"{source}#{end}", "warc", None, size - end)
    if _ends_early(raw, end):
        return Reject(document, TRUNCATED, f"the last {size - end:,} bytes are an incomplete WARC record ({what}): the file is truncated")
    return Reject(document, BROKEN_WARC_RECORD, f"at byte {end}: {what}; the remaining {size - end:,} bytes could not be read")


def _ends_early(raw: BinaryIO, end: int) -> bool:
    """Whether the bytes from `end` to the end of the file are one record cut short.
    Leaves the file at its end, where the iterator finds nothing more to read."""
    raw.seek(end)
    rest = raw.read(TAIL_CHECK_BYTES)
    raw.seek(0, os.SEEK_END)
    if GZIP_MAGIC.startswith(rest[:2]) and len(rest) < 2:
        return True
    if rest[:2] == GZIP_MAGIC:
        inflater = zlib.decompressobj(wbits=31)
        try:
            block = inflater.decompress(rest)
        except zlib.error:
            return False
        return not inflater.eof
    block = rest.lstrip(b"\r\n")  # the blank lines that close the previous record
    head, blank, body = block.partition(b"\r\n\r\n")
    if not blank:
        return block.startswith(b"WARC/") or b"WARC/".startswith(block)
    length = re.search(rb"(?im)^content-length:\s*(\d+)", head)
    return (bool(length) and len(body) < int(length.group(1))) or not rest.endswith(b"\r\n\r\n")


def _read_up_to(stream, limit: int) -> bytes:
    """Up to `limit` bytes; a single read() may return fewer before the end."""
    chunks, size = [], 0
    while size < limit and (chunk := stream.read(min(limit - size, 1 << 20))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _page(record, payload: bytes, source_uri: str, max_record_bytes: int, truncated: bool) -> Record | Reject:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    document = Document(source_uri, "warc", hashlib.sha256((url or "").encode() + b"\n" + payload).hexdigest(), len(payload))
    http = record.http_headers
    status = http.get_statuscode() if http else None
    content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
    if truncated:
        return Reject(document, TRUNCATED, f"{url}: the record ends before its declared length")
    if len(payload) > max_record_bytes:
        return Reject(document, TOO_LARGE, f"{url}: over the {max_record_bytes:,}-byte limit")
    if status and not status.startswith("2"):
        return Reject(document, HTTP_ERROR, f"{url}: HTTP {status}")
    if "html" not in content_type.lower():
        return Reject(document, UNSUPPORTED_FORMAT, f"{url}: content type {content_type or 'not given'}, not HTML")
    return Record(
        document,
        payload,
        kind="html",
        url=url,
        fetched_at=parse_timestamp(headers.get_header("WARC-Date")),
        declared_language=http.get_header("Content-Language") if http else None,
        charset=charset_of_content_type(content_type),
    )
