"""Find input files, read them into records, and decode their bytes to text."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from transforms.documents import (
    BINARY,
    EMPTY,
    UNDECODABLE,
    UNREADABLE,
    UNSUPPORTED_FORMAT,
    Document,
    Record,
    Reject,
)

FORMATS = {".txt": "txt", ".html": "html", ".htm": "html"}


class UndecodableError(ValueError):
    """The bytes are not text in any encoding we can tell."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def discover(paths: Iterable[str | Path]) -> Iterator[Path]:
    """Every file under `paths`, folders walked recursively, in a stable order.

    Hidden files and folders (names starting with '.') are skipped. A path that
    does not exist raises FileNotFoundError: that is a usage error, not bad input.
    """
    for raw in paths:
        path = Path(raw).expanduser().absolute()
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                relative = child.relative_to(path)
                if child.is_file() and not any(p.startswith(".") for p in relative.parts):
                    yield child
        elif path.exists():
            yield path
        else:
            raise FileNotFoundError(f"no such file or folder: {raw}")


def read_documents(paths: Iterable[str | Path]) -> Iterator[Record | Reject]:
    """One record per input file; files that cannot be read become rejects."""
    for path in discover(paths):
        source_uri = str(path)
        fmt = FORMATS.get(path.suffix.lower())
        try:
            content = path.read_bytes()
        except OSError as error:
            document = Document(source_uri, fmt or "unknown", None, None)
            yield Reject(document, UNREADABLE, f"{type(error).__name__}: {error.strerror or error}")
            continue
        document = Document(source_uri, fmt or "unknown", hashlib.sha256(content).hexdigest(), len(content))
        if fmt is None:
            yield Reject(document, UNSUPPORTED_FORMAT, f"extension {path.suffix or '(none)'!r}; newsmill reads {', '.join(FORMATS)}")
        else:
            yield Record(document, content)


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)


def declared_charset(html: bytes) -> str | None:
    """The encoding an HTML page declares in its <meta> tags, if any."""
    found = _META_CHARSET.search(html[:4096])
    return found.group(1).decode("ascii") if found else None


def decode_text(content: bytes, declared: str | None = None) -> str:
    """Bytes to text: UTF-8 when it is, else the `declared` encoding (an HTML page's
    charset) when the bytes fit it, else the encoding the bytes show.

    Raises UndecodableError for empty input, binary data, or bytes that fit no
    encoding well, rather than returning replacement-character soup.
    """
    if b"\x00" in content[:8192] and not content.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise UndecodableError(BINARY, "NUL bytes: this is binary data, not text")
    text = _decode(content, declared)
    if not text.strip():
        raise UndecodableError(EMPTY, "the file holds no text")
    return text


def _decode(content: bytes, declared: str | None) -> str:
    for encoding in ("utf-8-sig", declared):
        if encoding:
            try:
                return content.decode(encoding)
            except (UnicodeDecodeError, LookupError):
                pass
    matches = from_bytes(content)
    best = matches.best()
    if best is None or best.chaos > 0.3:
        raise UndecodableError(UNDECODABLE, "not UTF-8, and no other encoding fits the bytes")
    # cp1252 is by far the most common legacy encoding of Latin-script pages; when it
    # reads the bytes about as well as the winner, the winner is usually a near-twin
    # code page (cp1257, mac_latin2) that turns "déjà" into "déją".
    for match in matches:
        if "cp1252" in match.could_be_from_charset and match.chaos <= best.chaos + 0.1 and match.coherence >= best.coherence:
            return content.decode("cp1252")
    return str(best)
