"""Reading gzip streams that may be truncated, corrupt, or built to explode."""

from __future__ import annotations

import gzip
import io
import zlib
from typing import BinaryIO

from transforms.documents import RejectReason
from transforms.read.decode import BadInput

GZIP_MAGIC = b"\x1f\x8b"
# Text compresses 3-10x; gzip's ceiling is about 1000x, reached only by degenerate
# input. Past this ratio (and this much output) the stream is an attack, not a scrape.
BOMB_RATIO = 100
BOMB_MIN_BYTES = 8 * 1024 * 1024


class _CountingReader(io.RawIOBase):
    def __init__(self, raw: BinaryIO):
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        n = self._raw.readinto(buffer) or 0
        self.count += n
        return n


class GuardedGzip(io.RawIOBase):
    """The decompressed bytes of a gzip stream (all members), raising BadInput for a
    truncated or corrupt stream and for one that inflates like a decompression bomb."""

    def __init__(self, raw: BinaryIO):
        self._compressed = _CountingReader(raw)
        self._gzip = gzip.GzipFile(fileobj=self._compressed, mode="rb")
        self.produced = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        try:
            # readinto1: a plain readinto() drops what it already inflated when the
            # stream then turns out truncated, losing the complete records before the cut.
            n = self._gzip.readinto1(buffer)
        except EOFError:
            raise BadInput(
                RejectReason.TRUNCATED,
                f"the gzip stream ends early, after {self.produced:,} bytes: the file is truncated",
            ) from None
        except (gzip.BadGzipFile, zlib.error, OSError) as error:
            raise BadInput(RejectReason.CORRUPT, f"corrupt gzip data after {self.produced:,} bytes: {error}") from None
        self.produced += n
        if self.produced > BOMB_MIN_BYTES and self.produced > BOMB_RATIO * max(self._compressed.count, 1):
            raise BadInput(
                RejectReason.DECOMPRESSION_BOMB,
                f"{self._compressed.count:,} compressed bytes inflate past {self.produced:,}: refusing to go on",
            )
        return n


def open_decompressed(raw: BinaryIO) -> io.BufferedReader:
    return io.BufferedReader(GuardedGzip(raw))
