"""WARC files (plain, gzip per record as CC-NEWS ships them, or one gzip stream): one
document per response or resource record.

A damaged record must cost only itself, so the framing (where each record starts and
ends) is done here rather than by warcio's iterator, which gives up on the rest of the
file at the first bad record and reads header lines without any bound. Every read here is
bounded: headers to HEADER_LIMIT, the inflation of each gzip member by BOMB_RATIO unless
a record's declared length accounts for it, and blocks are streamed or skipped, never
held whole. warcio still parses the WARC and HTTP headers of each page record, and its
content_stream() undoes chunking and Content-Encoding.

After damage, reading goes on at the next record start: a line starting `WARC/1.` in the
inflated bytes or, when the gzip data itself is broken, the next gzip member
(`\\x1f\\x8b\\x08`) whose content starts `WARC/`. The skipped bytes are one reject.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from warcio.recordloader import ArcWarcRecordLoader

from transforms.documents import Document, Record, Reject, RejectReason
from transforms.read.compressed import BOMB_MIN_BYTES, BOMB_RATIO, GZIP_MAGIC
from transforms.read.decode import charset_of_content_type
from transforms.timestamps import parse_timestamp

# Records that hold a page. warcinfo, request, metadata and revisit records describe
# the crawl, not a document, and are passed over.
PAGE_RECORDS = ("response", "resource")
WARC_TYPES = ("warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation")
HEADER_LIMIT = 64 * 1024  # WARC and HTTP headers of one record together; real ones take 1-2 KB
READ_CHUNK = 1 << 20  # inflated bytes per step
COMPRESSED_CHUNK = 256 * 1024
FEED = 16 * 1024  # compressed bytes given to zlib per call
SMALL_BLOCK = 64 * 1024  # a block this small is handed to warcio in memory; larger ones are streamed
PEEK = 4096  # enough for almost every header, so the usual record costs one small look-ahead
RECORD_START = b"\nWARC/1."  # a line that may start a record: what resynchronisation looks for
GZIP_MEMBER = GZIP_MAGIC + b"\x08"  # magic and deflate, the start of every gzip member
SPACE = b" \t\r\n"
_BLANK_LINE = re.compile(rb"\n\r?\n")
_NOT_SPACE = re.compile(rb"[^ \t\r\n]")
_VERSIONS = tuple(version.encode() for version in ArcWarcRecordLoader.WARC_TYPES)


def read_warc(raw: BinaryIO, source: str, max_record_bytes: int) -> Iterator[Record | Reject]:
    """One record per response or resource, `source#OFFSET`; each damaged stretch of the
    file is one reject at its offset, and reading goes on after it."""
    size = os.fstat(raw.fileno()).st_size
    head = os.pread(raw.fileno(), READ_CHUNK, 0)
    raw.seek(0)
    stream: _Stream = _Members(raw, size)
    damage = None
    if not head.startswith(GZIP_MAGIC):
        # A damaged first member must not make a gzip WARC read as plain (and so as one
        # broken record): it is plain if it starts like a WARC, has a record start early
        # on, or holds no gzip member of a WARC record.
        if head.lstrip(SPACE).startswith(b"WARC/") or RECORD_START in head or not stream.find_member(0):
            stream = _Plain(raw, size)
        else:
            damage = _Damage(0, RejectReason.BROKEN_WARC_RECORD, f"no gzip member starts here (found {head[:24]!r})")
    framer = _Framer(stream, source, size, max_record_bytes, damage)
    try:
        yield from framer.items()
    except OSError:  # the disk, not the content: read_file reports it as unreadable
        raise
    except Exception as error:  # a case the framing does not foresee must not stop the ingest
        yield Reject(
            Document(f"{source}#{framer.last + 1}", "warc", None, None),
            RejectReason.BROKEN_WARC_RECORD,
            f"after byte {max(framer.last, 0):,}: {type(error).__name__}: {str(error)[:200]}; "
            "the rest of the file could not be read",
        )


class _Broken(Exception):
    """The gzip data itself is unusable (corrupt, or inflating like a bomb): only the next
    gzip member can be read."""

    def __init__(self, reason: RejectReason, detail: str):
        super().__init__(detail)
        self.reason, self.detail = reason, detail


class _Stream:
    """The bytes of one segment (the plain file, or one gzip member inflated), with a
    look-ahead buffer. `pos` is the position of the next unread byte in the segment."""

    start = 0  # file offset of the segment
    cut = False  # the file ends inside the segment (a gzip member without its end)

    def _reset(self) -> None:
        self.buf, self.i, self.pos = b"", 0, 0
        self.used = False  # whether a record or damage was placed in this segment

    # Subclasses read the segment: _read(n) gives up to n bytes (b"" at its end and sets
    # `ended`), _skip(n) passes over up to n bytes and returns how many.

    def view(self, n: int) -> tuple[bytes, int, int]:
        """(buffer, start, stop): the next n bytes (fewer at the segment's end) are
        buffer[start:stop]. Looking ahead without copying keeps small records cheap."""
        have = len(self.buf) - self.i
        if have < n and not self.ended:
            parts = [self.buf[self.i :]] if have else []
            while have < n and (data := self._read(max(n - have, 64 * 1024))):
                parts.append(data)
                have += len(data)
            self.buf, self.i = b"".join(parts), 0
        return self.buf, self.i, min(self.i + n, len(self.buf))

    def peek(self, n: int) -> bytes:
        """The next n bytes (fewer at the segment's end), without moving."""
        buf, start, stop = self.view(n)
        return buf[start:stop]

    def read(self, n: int) -> bytes:
        """Up to n bytes; fewer does not mean the end, b"" does."""
        if self.i < len(self.buf):
            data = self.buf[self.i : self.i + n]
            self.i += len(data)
            if self.i == len(self.buf):
                self.buf, self.i = b"", 0
        else:
            data = self._read(n) if n > 0 else b""
        self.pos += len(data)
        return data

    def readline(self, limit: int) -> bytes:
        end = self.buf.find(b"\n", self.i, self.i + limit)
        if end >= 0:  # the usual case: the line is in the buffer already
            return self.read(end + 1 - self.i)
        size = min(limit, 1024)
        while True:
            head = self.peek(size)
            end = head.find(b"\n")
            if end >= 0:
                return self.read(end + 1)
            if len(head) < size or size >= limit:
                return self.read(len(head))
            size = min(limit, size * 16)

    def advance(self, n: int) -> int:
        """Move n bytes on (fewer at the segment's end); returns how many."""
        have = len(self.buf) - self.i
        if n <= have:
            self.i += n
            self.pos += n
            return n
        self.buf, self.i = b"", 0
        moved = have + self._skip(n - have)
        self.pos += moved
        return moved

    def at_end(self) -> bool:
        buf, start, stop = self.view(1)
        return start == stop

    def skip_space(self) -> None:
        """Pass the blank lines between records."""
        while True:
            buf, start, stop = self.view(PEEK)
            if start == stop:
                return
            found = _NOT_SPACE.search(buf, start, stop)
            self.advance((found.start() if found else stop) - start)
            if found:
                return

    def scan_to(self, pattern: bytes, until: int | None = None) -> bool:
        """Move to the next line that starts with pattern[1:] (pattern starts with a line
        end) and return True; or, when none starts before `until` or the segment's end,
        move there and return False. Memory stays at one chunk however far it looks."""
        while until is None or self.pos < until:
            head = self.peek(READ_CHUNK)
            found = head.find(pattern)
            if found >= 0 and (until is None or self.pos + found + 1 < until):
                self.advance(found + 1)
                return True
            if until is not None and (found >= 0 or self.pos + len(head) >= until):
                break
            if len(head) < READ_CHUNK:
                self.advance(len(head))
                return False
            self.advance(len(head) - len(pattern) + 1)
        if until is not None:
            self.advance(until - self.pos)
        return False

    def snapshot(self) -> tuple:
        return self.buf, self.i, self.pos, self._save()

    def restore(self, snapshot: tuple) -> None:
        self.buf, self.i, self.pos, state = snapshot
        self._load(state)

    def allow(self, produced: int) -> None:
        """A record declares a length: inflating this far is no bomb."""

    def offset(self, pos: int) -> int:
        """The file offset that names a record (or damage) found at `pos`."""
        self.used = True
        return pos

    def next_segment(self) -> bool:
        return False

    def find_member(self, after: int) -> bool:
        return False


class _Plain(_Stream):
    """A plain WARC: the whole file is one segment, and positions are file offsets."""

    def __init__(self, raw: BinaryIO, size: int):
        self.raw, self.size = raw, size
        self._reset()
        self.spos = 0
        self.ended = size == 0

    def _read(self, n: int) -> bytes:
        data = self.raw.read(n)
        self.spos += len(data)
        self.ended = self.spos >= self.size or not data
        return data

    def _skip(self, n: int) -> int:
        n = max(0, min(n, self.size - self.spos))
        self.spos += n
        self.raw.seek(self.spos)
        self.ended = self.spos >= self.size
        return n

    def _save(self) -> int:
        return self.spos

    def _load(self, spos: int) -> None:
        self.spos = spos
        self.raw.seek(spos)
        self.ended = spos >= self.size


class _Members(_Stream):
    """A gzip WARC: each gzip member is a segment, inflated in bounded steps. Positions
    are in the inflated bytes of the member; `start` is the member's file offset."""

    def __init__(self, raw: BinaryIO, size: int):
        self.raw, self.size = raw, size
        self._take(b"")
        self._begin(0)

    def _take(self, data: bytes) -> None:
        """Compressed bytes read from the file; data[dpos:] are not inflated yet."""
        self.data, self.dpos, self._mv = data, 0, memoryview(data)

    def _begin(self, at: int) -> None:
        self.start, self.cpos = at, at
        self.inflater = zlib.decompressobj(wbits=31)
        self.spos = self.consumed = self.allowance = 0
        self.ended = self.cut = False
        self._reset()

    def _read(self, n: int) -> bytes:
        while not self.ended:
            if self.dpos == len(self.data):
                self._take(self.raw.read(COMPRESSED_CHUNK))
                if not self.data:
                    self.ended = self.cut = True
                    break
            # Fed in small steps: what zlib leaves over (at a member's end, the rest of
            # its input) is copied on every call.
            feed = self._mv[self.dpos : self.dpos + FEED]
            try:
                out = self.inflater.decompress(feed, n)
            except zlib.error as error:
                raise _Broken(
                    RejectReason.BROKEN_WARC_RECORD, f"corrupt gzip data in the member at byte {self.start:,}: {error}"
                ) from None
            self.ended = self.inflater.eof
            used = len(feed) - len(self.inflater.unused_data if self.ended else self.inflater.unconsumed_tail)
            self.dpos += used
            self.cpos += used
            self.consumed += used
            self.spos += len(out)
            if self.spos > max(BOMB_MIN_BYTES, BOMB_RATIO * self.consumed, self.allowance):
                raise _Broken(
                    RejectReason.DECOMPRESSION_BOMB,
                    f"the gzip member at byte {self.start:,} inflates past {self.spos:,} bytes "
                    f"from {self.consumed:,}: refusing to go on",
                )
            if out or self.ended:
                return out
            if not used:  # zlib neither took input nor gave output: it never does, but never loop on it
                raise _Broken(RejectReason.BROKEN_WARC_RECORD, "the gzip data makes no progress")
        return b""

    def _skip(self, n: int) -> int:
        skipped = 0
        while skipped < n and (data := self._read(min(n - skipped, READ_CHUNK))):
            skipped += len(data)
        return skipped

    def _save(self) -> tuple:
        return self.inflater.copy(), self.data, self.dpos, self.cpos, self.spos, self.consumed, self.ended, self.cut

    def _load(self, state: tuple) -> None:
        inflater, data, dpos, self.cpos, self.spos, self.consumed, self.ended, self.cut = state
        self._take(data)
        self.dpos = dpos
        self.inflater = inflater.copy()
        self.raw.seek(self.cpos + len(data) - dpos)

    def allow(self, produced: int) -> None:
        # Look-ahead may run a chunk past the record, and the headers before it.
        self.allowance = max(self.allowance, produced + READ_CHUNK + HEADER_LIMIT)

    def offset(self, pos: int) -> int:
        # The first record in a member is named by the member's offset, as WARC indexes
        # do; one further into a member (a whole-file gzip) by the member's offset plus
        # its place in the member's inflated bytes, which is unique within the member.
        first, self.used = not self.used, True
        return self.start if first else self.start + pos

    def next_segment(self) -> bool:
        """On to the member after this one; False at the end of the file (gzip padding
        after the last member counts as its end)."""
        if not self.ended or self.cut:
            return False
        if len(self.data) - self.dpos < 64:
            self._take(self.data[self.dpos :] + self.raw.read(64))
        rest = self.data[self.dpos : self.dpos + 64]
        if not rest or (len(rest) < 64 and not rest.strip(SPACE + b"\0")):
            return False
        self._begin(self.cpos)
        return True

    def find_member(self, after: int) -> bool:
        """Go to the first gzip member starting after file offset `after` whose content
        starts `WARC/`; False when there is none."""
        fd, at = self.raw.fileno(), after
        while at < self.size and (block := os.pread(fd, COMPRESSED_CHUNK, at)):
            found = block.find(GZIP_MEMBER)
            while found >= 0:
                if _inflates_to_warc(os.pread(fd, 16 * 1024, at + found)):
                    self.raw.seek(at + found)
                    self._take(b"")
                    self._begin(at + found)
                    return True
                found = block.find(GZIP_MEMBER, found + 1)
            at += max(len(block) - len(GZIP_MEMBER) + 1, 1)
        return False


def _inflates_to_warc(data: bytes) -> bool:
    try:
        return zlib.decompressobj(wbits=31).decompress(data, 8).startswith(b"WARC/")
    except zlib.error:
        return False


@dataclass(frozen=True)
class _Header:
    raw: bytes  # the WARC header, up to and including its blank line
    lower: bytes  # the same, lower-cased, to find fields in
    type: str | None
    length: int

    @property
    def url(self) -> str | None:
        return _field(self.raw, self.lower, b"warc-target-uri")


def _field(raw: bytes, lower: bytes, name: bytes) -> str | None:
    """A WARC header field as warcio's get_header gives it (the first, in any case).
    Framing reads the few fields it needs straight from the bytes: warcio parses the
    header only for page records, and only once (twice made small records 25% slower)."""
    key = b"\n" + name
    at = lower.find(key)
    while at >= 0:
        start = at + len(key)
        end = lower.find(b"\n", start)
        line = raw[start : end if end >= 0 else len(raw)].lstrip(b" \t")
        if line.startswith(b":"):
            return line[1:].strip().decode("utf-8", "replace")
        at = lower.find(key, start)
    return None


@dataclass(frozen=True)
class _Bad:
    reason: RejectReason
    what: str


@dataclass
class _Damage:
    """Bytes being skipped since `offset`, reported as one reject once reading finds the
    next record (or the end of the file)."""

    offset: int  # until placed, where the damage was found (see _Framer._place)
    reason: RejectReason
    what: str
    report: bool = True
    placed: bool = False  # the offset is given out already (a record that broke while being read)

    def reject(self, source: str, end: int, at_eof: bool) -> Reject:
        skipped = end - self.offset if end >= self.offset else None
        amount = f"{skipped:,} bytes" if skipped is not None else "bytes"
        if self.reason == RejectReason.TRUNCATED and at_eof:
            detail = f"at byte {self.offset:,}: {self.what}: the file is truncated"
        elif at_eof:
            detail = f"at byte {self.offset:,}: {self.what}; no record could be found in the remaining {amount}"
        else:
            detail = (
                f"at byte {self.offset:,}: {self.what}; {amount} skipped, reading goes on at the record at byte {end:,}"
            )
        return Reject(Document(f"{source}#{self.offset}", "warc", None, skipped), self.reason, detail)


class _Framer:
    """Finds the records of one WARC and turns each into a Record or Reject."""

    def __init__(self, stream: _Stream, source: str, size: int, max_record_bytes: int, damage: _Damage | None = None):
        self.s, self.source, self.size, self.max = stream, source, size, max_record_bytes
        self.bomb_limit = max(BOMB_RATIO * size, max_record_bytes * 10)
        self.loader = ArcWarcRecordLoader(verify_http=False)  # as WARCIterator: a sloppy status line is still read
        self.damage = damage  # bytes before the first record found that hold none
        self.last = -1  # the last offset given out: offsets only grow, so source_uris never repeat

    def _place(self, natural: int, before: int | None = None) -> int:
        """The offset to name an item by: its natural one, kept above every offset given
        out and, for damage, below the record found after it. (Damage after a record in
        the same gzip member has only its member offset plus inflated position, which
        may pass the next member's offset.)"""
        if before is not None:
            natural = min(natural, before - 1)
        self.last = max(natural, self.last + 1)
        return self.last

    def _report(self, damage: _Damage, before: int | None) -> Reject:
        if not damage.placed:
            damage.offset = self._place(damage.offset, before)
        end = self.size if before is None else before
        return damage.reject(self.source, end, at_eof=before is None)

    def items(self) -> Iterator[Record | Reject]:
        s = self.s
        damage = self.damage
        while True:
            current = None
            try:
                s.skip_space()
                if s.at_end():
                    if s.cut:  # the file ends inside this gzip member, unless its header swallowed the rest
                        empty, at = not s.used, s.offset(s.pos)
                        found = s.find_member(s.start + 1)
                        if damage is None and found:
                            damage = _Damage(
                                at,
                                RejectReason.BROKEN_WARC_RECORD,
                                "a gzip member that does not end before the next one",
                            )
                        elif damage is None and empty:
                            damage = _Damage(
                                at, RejectReason.TRUNCATED, "the file ends inside a gzip member, before its record"
                            )
                        if found:
                            continue
                        break
                    if s.next_segment():
                        continue
                    break
                here = s.pos
                header = self._header()
                if isinstance(header, _Bad):
                    if damage is None:
                        damage = _Damage(s.offset(here), header.reason, header.what)
                    s.scan_to(RECORD_START)
                    continue
                natural = s.offset(here)
                if damage is not None and damage.report:
                    yield self._report(damage, natural)
                damage = None
                current = self._place(natural)
                item, lost = self._record(header, current, here)
                if item is not None:
                    yield item
                if lost:  # the record's length cannot be trusted: look for the next one
                    damage = _Damage(current, "", "", report=False)
                    s.scan_to(RECORD_START)
            except _Broken as error:
                if damage is None:
                    if current is not None:  # the record being read is the damaged one
                        damage = _Damage(current, error.reason, error.detail, placed=True)
                    else:
                        damage = _Damage(s.offset(s.pos), error.reason, error.detail)
                if not s.find_member(s.start + 1):
                    break
        if damage is not None and damage.report:
            yield self._report(damage, None)

    def _header(self) -> _Header | _Bad:
        """The WARC header at the current position, read with a bounded look-ahead."""
        s = self.s
        buf, start, stop = s.view(PEEK)
        if not buf.startswith(b"WARC/", start):
            head = buf[start : start + 24]
            if len(head) < 5 and b"WARC/".startswith(head):
                return _Bad(RejectReason.TRUNCATED, "the record ends inside its WARC header")
            return _Bad(RejectReason.BROKEN_WARC_RECORD, f"no WARC record starts here (found {head!r})")
        end = _BLANK_LINE.search(buf, start, stop)
        if end is None and stop - start == PEEK:
            buf, start, stop = s.view(HEADER_LIMIT)
            end = _BLANK_LINE.search(buf, start, stop)
        if end is None:
            if stop - start < HEADER_LIMIT:
                return _Bad(RejectReason.TRUNCATED, "the record ends inside its WARC header")
            return _Bad(RejectReason.BROKEN_WARC_RECORD, f"the WARC header does not end within {HEADER_LIMIT:,} bytes")
        raw = buf[start : end.end()]
        if RECORD_START in raw:  # lost bytes joined two headers: the record after the join still loads
            return _Bad(RejectReason.BROKEN_WARC_RECORD, "a WARC header that runs into the next record's header")
        if not raw[:12].upper().startswith(_VERSIONS):  # as warcio checks the version line
            return _Bad(RejectReason.BROKEN_WARC_RECORD, f"a record of an unknown WARC version ({raw[:12]!r})")
        lower = raw.lower()
        declared = _field(raw, lower, b"content-length")
        try:
            length = int(declared)
        except (TypeError, ValueError):
            length = -1
        if length < 0:
            return _Bad(RejectReason.BROKEN_WARC_RECORD, f"a WARC header with Content-Length {str(declared)[:40]!r}")
        return _Header(raw, lower, _field(raw, lower, b"warc-type"), length)

    def _record(self, h: _Header, offset: int, here: int) -> tuple[Record | Reject | None, bool]:
        """The item for the record whose header is at `here` (None for one passed over),
        and whether its bounds are lost. Leaves the stream after the record."""
        s = self.s
        uri = f"{self.source}#{offset}"
        if h.length > self.bomb_limit:
            s.advance(len(h.raw) - 1)  # at the header's last line end: a record right after it is found
            return Reject(
                Document(uri, "warc", None, h.length),
                RejectReason.DECOMPRESSION_BOMB,
                f"a record declares {h.length:,} bytes in a {self.size:,}-byte file: refusing to inflate it",
            ), True
        snapshot = s.snapshot()
        s.advance(len(h.raw))
        block = s.pos
        s.allow(block + h.length)
        parsed = error = None
        if h.type in PAGE_RECORDS:
            try:
                parsed = self._parse(h)
            except _Broken:
                raise
            except Exception as exc:  # warcio raises many kinds: each costs this record only
                error = str(exc) if isinstance(exc, _Unreadable) else f"{type(exc).__name__}: {str(exc)[:200]}"
        s.advance(max(0, block + h.length - s.pos))  # the rest of the block, without holding it
        kept = self._settle(block, h.length, snapshot, len(h.raw))
        url = h.url
        if h.type in PAGE_RECORDS:
            if parsed is None and kept is None:
                return Reject(
                    Document(uri, "warc", None, h.length), RejectReason.BROKEN_WARC_RECORD, f"{url}: {error}"
                ), False
            if parsed is None:
                return Reject(
                    Document(uri, "warc", None, kept),
                    RejectReason.TRUNCATED,
                    f"{url}: the record ends before its declared length",
                ), False
            return _page(parsed[0], parsed[1], uri, self.max, kept is not None), False
        if h.type not in WARC_TYPES:
            return Reject(
                Document(uri, "warc", None, h.length),
                RejectReason.BROKEN_WARC_RECORD,
                f"a record of unknown type {h.type!r}",
            ), False
        if kept is not None:
            return Reject(
                Document(uri, "warc", None, kept),
                RejectReason.TRUNCATED,
                f"a {h.type} record ends {h.length - kept:,} bytes before its declared length",
            ), False
        return None, False

    def _parse(self, h: _Header):
        """warcio's record (headers parsed) and its payload, up to one byte over the limit."""
        s = self.s
        if h.length <= SMALL_BLOCK:  # most records: in memory, which is quicker for warcio
            buf, start, stop = s.view(h.length)
            record = self.loader.parse_record_stream(io.BytesIO(h.raw + buf[start:stop]), known_format="warc")
            return record, _read_up_to(record.content_stream(), self.max + 1)
        if h.type == "response" and (h.url or "").lstrip("<").startswith(("http:", "https:")):
            # warcio reads HTTP header lines until a blank one, however far that is (it
            # parses them in responses to http(s) URIs).
            budget = min(h.length, max(HEADER_LIMIT - len(h.raw), PEEK))
            view = s.view(min(PEEK, budget))
            if not _ends_headers(*view) and view[2] - view[1] == PEEK:
                view = s.view(budget)
            if not _ends_headers(*view) and view[2] - view[1] >= budget and budget < h.length:
                raise _Unreadable(f"the HTTP headers do not end within {budget:,} bytes")
        record = self.loader.parse_record_stream(_RecordStream(h.raw, s), known_format="warc")
        return record, _read_up_to(record.content_stream(), self.max + 1)

    def _settle(self, block: int, length: int, snapshot: tuple, header_length: int) -> int | None:
        """Check that the record ends where its Content-Length says. None when it does (or
        when only bytes that are no record follow it: they are the next damage); else the
        bytes the block really has, with the stream at what follows it."""
        s = self.s
        reached = s.pos
        if reached == block + length and self._at_boundary():
            return None
        # The block runs past the end of the file or member, or into bytes that are not a
        # record. A record starting inside it means the declared length is wrong: this
        # record ends where that one starts.
        s.restore(snapshot)
        s.advance(header_length - 1)
        while s.scan_to(RECORD_START, until=reached):
            if isinstance(self._header(), _Header):
                return s.pos - block
        return reached - block if reached < block + length else None

    def _at_boundary(self) -> bool:
        """Whether what follows is blank lines and then a record start or the end."""
        rest = self.s.peek(256).lstrip(SPACE)
        return b"WARC/".startswith(rest[:5])


class _Unreadable(ValueError):
    """A record warcio would read without bound."""


def _ends_headers(buf: bytes, start: int, stop: int) -> bool:
    return buf.startswith((b"\n", b"\r\n"), start, stop) or _BLANK_LINE.search(buf, start, stop) is not None


class _RecordStream:
    """One record as warcio reads it: the WARC header from memory, then the block from the
    stream. warcio reads the block through a LimitReader at Content-Length."""

    def __init__(self, header: bytes, stream: _Stream):
        self.header: io.BytesIO | None = io.BytesIO(header)
        self.stream = stream

    def readline(self, limit: int | None = None) -> bytes:
        if self.header is not None:
            if line := self.header.readline():
                return line
            self.header = None
        return self.stream.readline(min(limit or HEADER_LIMIT, HEADER_LIMIT))

    def read(self, n: int | None = None) -> bytes:
        if self.header is not None:
            self.header = None  # warcio reads the header line by line; read() means the block
        return self.stream.read(n if n and n > 0 else READ_CHUNK)


def _read_up_to(stream, limit: int) -> bytes:
    """Up to `limit` bytes; a single read() may return fewer before the end."""
    chunks, size = [], 0
    while size < limit and (chunk := stream.read(min(limit - size, READ_CHUNK))):
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _page(record, payload: bytes, source_uri: str, max_record_bytes: int, truncated: bool) -> Record | Reject:
    headers = record.rec_headers
    url = headers.get_header("WARC-Target-URI")
    document = Document(
        source_uri, "warc", hashlib.sha256((url or "").encode() + b"\n" + payload).hexdigest(), len(payload)
    )
    http = record.http_headers
    status = http.get_statuscode() if http else None
    content_type = (http.get_header("Content-Type") if http else headers.get_header("Content-Type")) or ""
    if truncated:
        return Reject(document, RejectReason.TRUNCATED, f"{url}: the record ends before its declared length")
    if len(payload) > max_record_bytes:
        return Reject(document, RejectReason.TOO_LARGE, f"{url}: over the {max_record_bytes:,}-byte limit")
    if status and not status.startswith("2"):
        return Reject(document, RejectReason.HTTP_ERROR, f"{url}: HTTP {status}")
    if "html" not in content_type.lower():
        return Reject(
            document, RejectReason.UNSUPPORTED_FORMAT, f"{url}: content type {content_type or 'not given'}, not HTML"
        )
    return Record(
        document,
        payload,
        kind="html",
        url=url,
        fetched_at=parse_timestamp(headers.get_header("WARC-Date")),
        declared_language=http.get_header("Content-Language") if http else None,
        charset=charset_of_content_type(content_type),
    )
