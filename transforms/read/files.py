"""Finding input files and telling their formats apart."""

from __future__ import annotations

import dataclasses
import glob
import os
import re
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import BinaryIO

from transforms.documents import Document, Record, Reject, RejectReason, file_uri, path_text
from transforms.read.compressed import GZIP_MAGIC, open_decompressed
from transforms.read.days import folder_day
from transforms.read.decode import BadInput
from transforms.read.formats import INPUT_FORMATS, detect_format, extensions_read, format_by_name
from transforms.read.whole import whole_file_reject

DEFAULT_MAX_RECORD_BYTES = 20 * 1024 * 1024
_GLOB_CHARS = set("*?[")


def discover(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every file under `paths` (files, folders walked recursively, or glob patterns
    such as `scrapes/**/*.jsonl.gz`), by its real path, once however many of `paths`
    reach it (through symlinks, `..`, overlapping patterns or hard links: the first path
    found stands for the file), in a stable order.

    Hidden files and folders (names starting with '.') are skipped. A path that does
    not exist, or a pattern that matches nothing, raises FileNotFoundError: that is a
    usage error, not bad input.
    """
    seen: set[tuple[int, int]] = set()  # (device, inode): one file, however many names it has
    for raw in paths:
        for path in _expand(raw):
            for found in _walk(path):
                try:
                    status = found.stat()
                except OSError:  # gone since the walk listed it: reading it makes it an `unreadable` reject
                    yield Path(os.path.realpath(found))
                    continue
                if (status.st_dev, status.st_ino) not in seen:
                    seen.add((status.st_dev, status.st_ino))
                    yield Path(os.path.realpath(found))


def _expand(raw: str | Path) -> list[Path]:
    path = Path(raw).expanduser()
    if path.exists():
        return [path.absolute()]
    if _GLOB_CHARS & set(str(raw)):
        matches = sorted(Path(m).absolute() for m in glob.glob(str(path), recursive=True))
        if matches:
            return matches
        raise FileNotFoundError(f"no files match {raw}")
    raise FileNotFoundError(f"no such file or folder: {raw}")


def scope(paths: Iterable[str | Path]) -> list[str]:
    """Regular expressions for the real paths of the files `paths` could reach: a folder's
    files, a pattern's matches, a file itself. A stored file they match that `discover`
    no longer finds has been deleted (or moved away)."""
    expressions = []
    for raw in paths:
        path = Path(raw).expanduser()
        if path.exists():
            real = path_text(os.path.realpath(path))
            expressions.append("^" + re.escape(real) + ("/" if path.is_dir() else "$"))
        else:
            expressions.append("^" + _glob_expression(path_text(path.absolute())) + "$")
    return expressions


def _glob_expression(pattern: str) -> str:
    """A glob pattern as a regular expression, `**` crossing folders and `*` not, as `glob.glob` reads it."""
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:[^/]+/)*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[" and (end := pattern.find("]", i + 2)) > 0:
            members = pattern[i + 1 : end]
            out.append("[" + ("^" + members[1:] if members.startswith("!") else members).replace("\\", "\\\\") + "]")
            i = end + 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(part.startswith(".") for part in child.relative_to(path).parts):
                yield child
    elif path.is_file():
        yield path


def read_file(path: Path, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> Iterator[Record | Reject]:
    """The records of one file, streamed. Never raises, and yields at least one item, so
    every file shows up in `articles` or `rejects`: a reader that fails on the file makes
    what it had not read yet a `processing_error` reject, and the next file goes on.
    A record its container gives no fetch time (a text or HTML file never does) was fetched
    on the day its folder is named after, if it is in one (`folder_day`)."""
    source = file_uri(path)
    scraped_on = folder_day(path)
    found = 0
    try:
        for item in _records(path, source, max_record_bytes):
            found += 1
            yield _dated(item, scraped_on) if scraped_on else item
    except OSError as error:
        yield Reject(
            _unread(source, found, "unknown"),
            RejectReason.UNREADABLE,
            f"{type(error).__name__}: {error.strerror or error}",
        )
        return
    except Exception as error:  # a reader's bug: it costs this file's remaining records, never the run
        yield Reject(
            _unread(source, found, _format_named_by(path)),
            RejectReason.PROCESSING_ERROR,
            f"stage read: {type(error).__name__}: {str(error)[:300]} (after {found} records)",
        )
        return
    if not found:
        yield Reject(Document(source, _format_named_by(path), None, 0), RejectReason.EMPTY, "the file holds no records")


def _dated(item: Record | Reject, day: date) -> Record | Reject:
    if isinstance(item, Record) and item.fetched_at is None:
        return dataclasses.replace(item, fetched_at=datetime(day.year, day.month, day.day))
    return item


def _unread(source: str, found: int, fmt: str) -> Document:
    """The document standing for what a file had left when reading it broke off."""
    return Document(source if not found else f"{source}#unread", fmt, None, None)


def _format_named_by(path: Path) -> str:
    fmt = format_by_name(path.name)
    return fmt.name if fmt else "unknown"


def _records(path: Path, source: str, max_record_bytes: int) -> Iterator[Record | Reject]:
    with path.open("rb") as raw:
        compressed = raw.read(2) == GZIP_MAGIC
        raw.seek(0)
        head = _head(raw, compressed)
        raw.seek(0)
        fmt = detect_format(path.name, head)
        if fmt is None:
            yield whole_file_reject(
                path, RejectReason.UNSUPPORTED_FORMAT, f"{path_text(path.name)}: newsmill reads {extensions_read()}"
            )
            return
        input_format = INPUT_FORMATS[fmt]
        stream = open_decompressed(raw) if compressed and not input_format.reads_gzip else raw
        yield from input_format.read(stream, path, source, max_record_bytes)


def _head(raw: BinaryIO, compressed: bool) -> bytes:
    """The first few KB of the content, decompressed; empty when even those are unreadable."""
    try:
        return (open_decompressed(raw) if compressed else raw).read(4096)
    except BadInput:
        return b""


def read_documents(
    paths: Iterable[str | Path], max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES
) -> Iterator[Record | Reject]:
    """Every record of every file under `paths`."""
    for path in discover(paths):
        yield from read_file(path, max_record_bytes)
