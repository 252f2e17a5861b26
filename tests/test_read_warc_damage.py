"""WARC files damaged in the middle: each damaged record is one reject, the records around
it still load, and hostile files are read in bounded memory. Each test builds its hostile
bytes itself from a small crawl written by warcio."""

import gzip
import io
import re
import tracemalloc
import zlib

import pytest
from warcio.recordloader import ArcWarcRecordLoader
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from transforms.documents import Record, Reject
from transforms.read import read_file

PAGE = (
    b"<html><head><title>Harbour reopens</title></head><body><p>"
    + b"The quay is open again. " * 40
    + b"</p></body></html>"
)


def crawl(n: int, gz: bool) -> tuple[bytes, list[tuple[int, int]]]:
    """warcinfo, then a request and a response per page. Returns the bytes and the
    (start, end) of each response record (of its gzip member, for gz)."""
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gz)
    writer.write_record(writer.create_warcinfo_record("crawl.warc", {"software": "newsmill-tests"}))
    spans = []
    for i in range(n):
        url = f"https://news.example.com/{i}"
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
        start = out.tell()
        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(PAGE), http_headers=headers))
        spans.append((start, out.tell()))
    return out.getvalue(), spans


def read(tmp_path, name: str, data: bytes, **kw) -> list:
    path = tmp_path / name
    path.write_bytes(data)
    return list(read_file(path, **kw))


def summary(items, path) -> list[tuple[str, str, str]]:
    """(kind, reason or url, offset) of each item."""
    return [
        (type(x).__name__, x.reason if isinstance(x, Reject) else x.url, x.document.source_uri.removeprefix(f"{path}#"))
        for x in items
    ]


def pages(spans, *numbers, path) -> list[tuple[str, str, str]]:
    return [("Record", f"https://news.example.com/{i}", str(spans[i][0])) for i in numbers]


def gzip_stream(parts, size: int) -> bytes:
    """One gzip member of `parts` then `size` bytes of b"A" and no line end, built without
    ever holding the inflated bytes."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    out = [deflater.compress(b"".join(parts))]
    block = b"A" * (1 << 20)
    for _ in range(size // len(block)):
        out.append(deflater.compress(block))
    out.append(deflater.flush())
    return b"".join(out)


class OneOf:
    """Equal to any of `values`: where either of two reasons is right."""

    def __init__(self, *values):
        self.values = values

    def __eq__(self, other):
        return other in self.values

    def __repr__(self):
        return f"OneOf{self.values}"


BOMB_REASONS = OneOf("decompression_bomb", "broken_warc_record")


def peak_bytes(function) -> tuple[object, int]:
    tracemalloc.start()
    try:
        result = function()
        return result, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


# --- 1. a header that inflates without end ----------------------------------------------


def test_gzip_member_inflating_to_an_endless_header_is_one_reject_in_bounded_memory(tmp_path):
    data, spans = crawl(2, gz=True)
    bomb = gzip_stream(
        [b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://bomb.example.com/\r\nX-Pad: "], 64 << 20
    )
    assert len(bomb) < 256 * 1024  # 64 MB of header in a member of ~64 KB
    cut = spans[0][1]  # after the first response: the bomb, then the second page's request and response
    hostile = data[:cut] + bomb + data[cut:]
    path = tmp_path / "bomb.warc.gz"
    path.write_bytes(hostile)

    items, peak = peak_bytes(lambda: list(read_file(path)))

    assert peak < 24 << 20, f"reading peaked at {peak:,} bytes"
    moved = [(start + len(bomb), end + len(bomb)) for start, end in spans]
    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", BOMB_REASONS, str(cut)),
        *pages([spans[0], moved[1]], 1, path=path),
    ]
    assert "65,536" in items[1].detail or "inflates past" in items[1].detail


def test_plain_warc_with_an_endless_header_line_is_one_reject_in_bounded_memory(tmp_path):
    data, spans = crawl(2, gz=False)
    endless = b"WARC/1.0\r\nWARC-Type: response\r\nX-Pad: " + b"A" * (24 << 20)
    cut = spans[0][1]
    path = tmp_path / "endless.warc"
    path.write_bytes(data[:cut] + endless + b"\r\n" + data[cut:])
    del endless

    items, peak = peak_bytes(lambda: list(read_file(path)))

    assert peak < 12 << 20, f"reading peaked at {peak:,} bytes"
    assert [(type(x).__name__, getattr(x, "reason", None)) for x in items] == [
        ("Record", None),
        ("Reject", "broken_warc_record"),
        ("Record", None),
    ]
    assert items[1].document.source_uri == f"{path}#{cut}"


# --- 2. a damaged record in the middle ---------------------------------------------------


def test_gzip_member_with_garbage_in_the_middle_costs_only_its_record(tmp_path):
    data, spans = crawl(4, gz=True)
    start, end = spans[1]
    middle = (start + end) // 2
    damaged = data[:middle] + bytes(range(7, 71)) + data[middle + 64 :]
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(damaged)

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "broken_warc_record", str(start)),
        *pages(spans, 2, 3, path=path),
    ]


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_damaged_record_header_costs_only_that_record(tmp_path, gz):
    data, spans = crawl(4, gz=gz)
    start, end = spans[1]
    if gz:  # a member that inflates fine but holds no WARC record
        damaged = data[:start] + gzip.compress(b"\x00\x01 not a record header\r\n" * 20) + data[end:]
    else:
        damaged = data[:start] + b"WARP/9.9 garbled" + data[start + 16 :]
    path = tmp_path / ("bad.warc.gz" if gz else "bad.warc")
    path.write_bytes(damaged)
    moved = [(s + len(damaged) - len(data), e) for s, e in spans]

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "broken_warc_record", str(start)),
        *pages([spans[0], spans[1], *moved[2:]], 2, 3, path=path),
    ]
    assert "skipped, reading goes on" in items[1].detail


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_junk_between_records_is_one_reject_and_nothing_is_lost(tmp_path, gz):
    data, spans = crawl(3, gz=gz)
    cut = spans[0][1]
    junk = b"\x1f\x8b\x08\x00 torn gzip header, then prose\n" * 30 + b"WARC/1.0 but no header\r\n" * 3
    path = tmp_path / ("junk.warc.gz" if gz else "junk.warc")
    path.write_bytes(data[:cut] + junk + data[cut:])
    moved = [(s + len(junk), e + len(junk)) for s, e in spans]

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "broken_warc_record", str(cut)),
        *pages([spans[0], *moved[1:]], 1, 2, path=path),
    ]


# --- 3. a Content-Length that overstates the record ------------------------------------


def _overstate(record: bytes, by: int) -> bytes:
    """The record with its WARC Content-Length `by` bytes too big."""
    return re.sub(rb"Content-Length: (\d+)", lambda m: b"Content-Length: %d" % (int(m.group(1)) + by), record, count=1)


@pytest.mark.parametrize("by", [50, 5000], ids=["into the next record", "past several records"])
def test_plain_content_length_overstated_mid_file_is_truncated_and_neighbours_load(tmp_path, by):
    data, spans = crawl(4, gz=False)
    start, end = spans[1]
    damaged = data[:start] + _overstate(data[start:end], by) + data[end:]
    path = tmp_path / "long.warc"
    path.write_bytes(damaged)
    grown = len(damaged) - len(data)
    moved = [(s + grown, e + grown) for s, e in spans]

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "truncated", str(start)),
        *pages([spans[0], spans[1], *moved[2:]], 2, 3, path=path),
    ]


def test_plain_content_length_running_past_the_end_truncates_only_that_record(tmp_path):
    data, spans = crawl(3, gz=False)
    start, end = spans[1]
    damaged = data[:start] + _overstate(data[start:end], 10 * len(data)) + data[end:]
    path = tmp_path / "long.warc"
    path.write_bytes(damaged)
    grown = len(damaged) - len(data)

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "truncated", str(start)),
        ("Record", "https://news.example.com/2", str(spans[2][0] + grown)),
    ]


def test_gzip_member_whose_content_length_overstates_it_is_truncated_and_neighbours_load(tmp_path):
    data, spans = crawl(3, gz=True)
    start, end = spans[1]
    member = gzip.compress(_overstate(gzip.decompress(data[start:end]), 300))
    damaged = data[:start] + member + data[end:]
    path = tmp_path / "long.warc.gz"
    path.write_bytes(damaged)
    grown = len(member) - (end - start)

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "truncated", str(start)),
        ("Record", "https://news.example.com/2", str(spans[2][0] + grown)),
    ]


# --- every exception in a record's parsing is that record's reject ---------------------------


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_exception_while_parsing_a_record_rejects_that_record_only(tmp_path, gz, monkeypatch):
    parse = ArcWarcRecordLoader.parse_record_stream

    def fragile(self, stream, *args, **kwargs):
        record = parse(self, stream, *args, **kwargs)
        if record.rec_headers.get_header("WARC-Target-URI").endswith("/1"):
            raise RuntimeError("parser fell over")
        return record

    monkeypatch.setattr(ArcWarcRecordLoader, "parse_record_stream", fragile)
    data, spans = crawl(3, gz=gz)
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")

    items = read(tmp_path, path.name, data)

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "broken_warc_record", str(spans[1][0])),
        *pages(spans, 2, path=path),
    ]
    assert "RuntimeError: parser fell over" in items[1].detail


# --- a whole-file gzip ---------------------------------------------------------------------


def test_whole_file_gzip_reads_every_record_at_its_inflated_offset(tmp_path):
    data, spans = crawl(3, gz=False)
    path = tmp_path / "whole.warc.gz"

    items = read(tmp_path, path.name, gzip.compress(data))

    assert summary(items, path) == pages(spans, 0, 1, 2, path=path)
    assert all(isinstance(x, Record) and x.content == PAGE for x in items)


@pytest.mark.parametrize("gz", [False, True], ids=["warc", "warc.gz"])
def test_record_declaring_an_absurd_length_mid_file_is_a_bomb_and_the_rest_loads(tmp_path, gz):
    data, spans = crawl(4, gz=gz)
    start, end = spans[1]
    record = data[start:end]
    huge = _overstate(gzip.decompress(record) if gz else record, 10**12)
    damaged = data[:start] + (gzip.compress(huge) if gz else huge) + data[end:]
    path = tmp_path / ("bomb.warc.gz" if gz else "bomb.warc")
    path.write_bytes(damaged)
    moved = [(s + len(damaged) - len(data), e) for s, e in spans]

    items = list(read_file(path))

    assert summary(items, path) == [
        *pages(spans, 0, path=path),
        ("Reject", "decompression_bomb", str(start)),
        *pages([spans[0], spans[1], *moved[2:]], 2, 3, path=path),
    ]


def test_gzip_warc_whose_first_bytes_are_damaged_still_reads_its_other_members(tmp_path):
    data, spans = crawl(3, gz=True)
    path = tmp_path / "head.warc.gz"

    items = read(tmp_path, path.name, b"\x00" * 12 + data[12:])  # the warcinfo member's gzip header

    assert summary(items, path) == [("Reject", "broken_warc_record", "0"), *pages(spans, 0, 1, 2, path=path)]
