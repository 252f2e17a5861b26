"""Bytes to text, without guessing silently wrong."""

from __future__ import annotations

import re

from charset_normalizer import from_bytes

from transforms.documents import BINARY, EMPTY, UNDECODABLE


class BadInput(ValueError):
    """Input that cannot become an article, with the reject reason it earns."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


class UndecodableError(BadInput):
    """The bytes are not text in any encoding we can tell."""


_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)


def declared_charset(html: bytes) -> str | None:
    """The encoding an HTML page declares in its <meta> tags, if any."""
    found = _META_CHARSET.search(html[:4096])
    return found.group(1).decode("ascii") if found else None


def charset_of_content_type(content_type: str | None) -> str | None:
    """The charset parameter of an HTTP Content-Type header, if any."""
    found = _HEADER_CHARSET.search(content_type or "")
    return found.group(1) if found else None


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
        raise UndecodableError(EMPTY, "no text: the content is empty or only white space")
    damaged = text.count("\ufffd")
    if damaged >= 5 and damaged >= 0.01 * len(text):
        raise UndecodableError(UNDECODABLE, f"{damaged} replacement characters (U+FFFD): the text was damaged before it got here")
    return text


def _decode(content: bytes, declared: str | None) -> str:
    # A page cannot declare itself UTF-16 in 8-bit bytes it is reading; browsers ignore that.
    if declared and declared.lower().replace("-", "").replace("_", "").startswith(("utf16", "utf32")):
        declared = None
    for encoding in ("utf-8-sig", declared):
        if encoding:
            try:
                return content.decode(encoding)
            except (UnicodeError, LookupError):
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
