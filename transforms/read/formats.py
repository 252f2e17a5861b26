"""The input formats: each one's name, the extensions it goes by, how its first bytes give
it away, and its reader. Adding a format is one entry in INPUT_FORMATS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from transforms.documents import Record, Reject
from transforms.read.jsonl import read_jsonl
from transforms.read.warc import read_warc
from transforms.read.whole import whole_file_reader

# (stream, path, source, max_record_bytes): the stream holds the file's content, `source`
# is its `Document.source_uri` (see transforms.documents.file_uri).
Reader = Callable[[BinaryIO, Path, str, int], Iterator[Record | Reject]]
Sniffer = Callable[[bytes], bool]  # given the content's start: lower-cased, past a BOM and white space


@dataclass(frozen=True)
class InputFormat:
    """A kind of file newsmill reads. `name` is what `documents.format` stores."""

    name: str
    extensions: tuple[str, ...]  # the first is the one help texts name
    read: Reader
    shown_by: Sniffer | None = None  # a start that makes a file this format, whatever its name says
    suggested_by: Sniffer | None = None  # a start that makes it this format when no format has its extension
    reads_gzip: bool = False  # the reader is given the file's bytes as they are, gzip or not


def _records_named_by_source(read: Callable[[BinaryIO, str, int], Iterator[Record | Reject]]) -> Reader:
    """A reader of a multi-record format, which names its records after `source` and needs no path."""
    return lambda stream, path, source, max_record_bytes: read(stream, source, max_record_bytes)


def _starts_warc(start: bytes) -> bool:
    return start.startswith(b"warc/")


def _starts_html(start: bytes) -> bool:
    return start.startswith(b"<") and (start.startswith((b"<!doctype html", b"<html")) or b"<html" in start)


def _starts_json_object(start: bytes) -> bool:
    return start.startswith(b"{")


# In this order in help texts and messages.
INPUT_FORMATS = {
    fmt.name: fmt
    for fmt in (
        InputFormat("txt", (".txt",), whole_file_reader("txt", kind="text")),
        InputFormat("html", (".html", ".htm"), whole_file_reader("html", kind="html"), shown_by=_starts_html),
        InputFormat(
            "jsonl", (".jsonl", ".ndjson"), _records_named_by_source(read_jsonl), suggested_by=_starts_json_object
        ),
        # warc frames its gzip members itself, to go on past a damaged one
        InputFormat("warc", (".warc",), _records_named_by_source(read_warc), shown_by=_starts_warc, reads_gzip=True),
    )
}
COMPRESSION = ".gz"  # any format may be gzip-compressed


def format_by_name(name: str) -> InputFormat | None:
    """The format a file name's extension (`.gz` aside) says, if any."""
    name = name.lower().removesuffix(COMPRESSION)
    return next((fmt for fmt in INPUT_FORMATS.values() if name.endswith(fmt.extensions)), None)


def detect_format(name: str, head: bytes) -> str | None:
    """The name of a file's format, from the content where it tells, else from the name."""
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n")[:1024].lower()
    fmt = (
        next((fmt for fmt in INPUT_FORMATS.values() if fmt.shown_by and fmt.shown_by(start)), None)
        or format_by_name(name)
        or next((fmt for fmt in INPUT_FORMATS.values() if fmt.suggested_by and fmt.suggested_by(start)), None)
    )
    return fmt.name if fmt else None


def extensions_read() -> str:
    """Every extension read, as the message for a file of none of them names them."""
    return (
        f"{', '.join(ext for fmt in INPUT_FORMATS.values() for ext in fmt.extensions)} files, optionally {COMPRESSION}"
    )


def input_formats_help() -> str:
    """What `newsmill ingest` takes, for its help."""
    names = [fmt.extensions[0] for fmt in INPUT_FORMATS.values()]
    return (
        f"files, folders or quoted glob patterns of {', '.join(names[:-1])} and {names[-1]} files, "
        f"optionally {COMPRESSION}"
    )
