"""Text and HTML files: the whole file is one record, read up to the record limit."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from transforms.documents import Document, Record, Reject, RejectReason, file_uri
from transforms.read.decode import BadInput


def file_digest(path: Path) -> tuple[str, int]:
    """(sha256, size) of a file's bytes, read in chunks."""
    with path.open("rb") as handle:
        digest = hashlib.file_digest(handle, "sha256")
    return digest.hexdigest(), path.stat().st_size


def whole_file_reader(fmt: str, kind: str):
    """The reader of a format whose file is one record of `kind` (see `Record.kind`)."""

    def read(stream: BinaryIO, path: Path, source: str, max_record_bytes: int) -> Iterator[Record | Reject]:
        yield _whole_file(stream, path, source, fmt, kind, max_record_bytes)

    return read


def _whole_file(
    stream: BinaryIO, path: Path, source: str, fmt: str, kind: str, max_record_bytes: int
) -> Record | Reject:
    try:
        content = stream.read(max_record_bytes + 1)
    except BadInput as error:
        return whole_file_reject(path, error.reason, error.detail, fmt)
    if len(content) > max_record_bytes:
        return whole_file_reject(path, RejectReason.TOO_LARGE, f"over the {max_record_bytes:,}-byte limit", fmt)
    document = Document(source, fmt, hashlib.sha256(content).hexdigest(), len(content))
    return Record(document, content, kind=kind)


def whole_file_reject(path: Path, reason: RejectReason, detail: str, fmt: str = "unknown") -> Reject:
    """A reject standing for the whole file, with the digest of its bytes as stored."""
    return Reject(Document(file_uri(path), fmt, *file_digest(path)), reason, detail)
