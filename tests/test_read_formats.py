"""Input readers on real files: JSON Lines, gzip, WARC, whole files, discovery, and
what clean() makes of the records they yield."""

import gzip
import hashlib
import io
import json
import random
import zlib
from datetime import datetime

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from transforms.clean import clean
from transforms.documents import Article, Record, Reject
from transforms.read import detect_format, discover, read_file

WORDS = (
    "council budget river housing school mayor vote street market harbour festival bridge "
    "library railway station hospital museum winter summer farmers teachers workers report "
    "plan city town village county minister police court weather storm flood road"
).split()


def article_html(title="Council approves river plan", seed=0, charset_meta=True, extra=""):
    """A news page with four paragraphs of 40+ words, enough for trafilatura."""
    rng = random.Random(seed)
    paragraphs = "".join(
        f"<p>Paragraph {i} of the story: " + " ".join(rng.choice(WORDS) for _ in range(40)) + ".</p>\n"
        for i in range(4)
    )
    meta = '<meta charset="utf-8">' if charset_meta else ""
    return (
        f"<!DOCTYPE html>\n<html><head>{meta}<title>{title}</title></head><body>"
        f"<nav><a href='/'>Home</a></nav><article><h1>{title}</h1>\n{extra}{paragraphs}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def article_text(seed=0):
    rng = random.Random(seed)
    return "\n".join(" ".join(rng.choice(WORDS) for _ in range(35)) + "." for _ in range(4))


def jsonl(path, rows):
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def kinds(items):
    return [(type(x).__name__, x.reason if isinstance(x, Reject) else x.kind) for x in items]


def http(status="200 OK", content_type="text/html; charset=utf-8", extra=()):
    return StatusAndHeaders(status, [("Content-Type", content_type), *extra], protocol="HTTP/1.1")


def write_warc(path, pages, gz=True):
    """Write a warcinfo record, then for each (url, body, http headers) a request and a
    response. Returns the byte offset at which each response record starts."""
    offsets = []
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=gz)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "newsmill-tests"}))
        for url, body, headers, *date in pages:
            request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
            w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
            offsets.append(fh.tell())
            warc_headers = {"WARC-Date": date[0]} if date else {}
            w.write_record(
                w.create_warc_record(
                    url, "response", payload=io.BytesIO(body), http_headers=headers, warc_headers_dict=warc_headers
                )
            )
    return offsets


def pages(n, **http_kw):
    return [
        (f"https://news.example.com/story/{i}", article_html(f"Story {i}", seed=i).encode(), http(**http_kw))
        for i in range(n)
    ]


# --- JSON Lines -----------------------------------------------------------------------


def test_jsonl_each_non_blank_line_is_a_record_numbered_by_line(tmp_path):
    path = jsonl(tmp_path / "feed.jsonl", [{"text": "one"}, "", "   ", {"html": "<p>two</p>"}, {"text": "three"}])

    items = list(read_file(path))

    assert [x.document.source_uri for x in items] == [f"{path}#1", f"{path}#4", f"{path}#5"]
    assert all(isinstance(x, Record) and x.document.format == "jsonl" for x in items)
    assert [x.kind for x in items] == ["text", "html", "text"]
    assert [x.content for x in items] == [b"one", b"<p>two</p>", b"three"]


def test_jsonl_feed_of_full_html_pages_is_read_line_by_line(tmp_path):
    rows = [{"html": article_html(f"Story {i}", seed=i), "title": f"Story {i}"} for i in range(3)]
    path = jsonl(tmp_path / "feed.jsonl", rows)

    items = list(read_file(path))

    assert [(x.document.format, x.document.source_uri, x.title) for x in items] == [
        ("jsonl", f"{path}#{n}", f"Story {n - 1}") for n in (1, 2, 3)
    ]
    assert [x.content for x in items] == [row["html"].encode() for row in rows]


def test_jsonl_html_is_preferred_over_text(tmp_path):
    path = jsonl(tmp_path / "feed.jsonl", [{"text": "plain", "html": "<p>marked up</p>"}])

    [record] = read_file(path)

    assert (record.kind, record.content) == ("html", b"<p>marked up</p>")


def test_jsonl_field_aliases_fill_the_record(tmp_path):
    row = {
        "link": " https://www.example.co.uk/a ",
        "content": "Body text",
        "headline": "A headline",
        "date_publish": "2024-03-05T10:00:00+02:00",
        "authors": ["Ann Lee", "Bo Chen"],
        "lang": "en-GB",
        "source": "Example News",
        "crawled_at": "2024-03-06T00:00:00Z",
    }
    [record] = read_file(jsonl(tmp_path / "feed.jsonl", [row]))

    assert record.url == "https://www.example.co.uk/a"
    assert record.content == b"Body text" and record.kind == "text"
    assert record.title == "A headline"
    assert record.published_at == datetime(2024, 3, 5, 8, 0)  # naive UTC
    assert record.published_at.tzinfo is None
    assert record.fetched_at == datetime(2024, 3, 6)
    assert record.byline == "Ann Lee, Bo Chen"
    assert record.declared_language == "en-GB"
    assert record.site == "Example News"


def test_jsonl_unix_epoch_publication_time(tmp_path):
    [record] = read_file(jsonl(tmp_path / "feed.jsonl", [{"text": "x", "published": 1700000000}]))

    assert record.published_at == datetime(2023, 11, 14, 22, 13, 20)


def test_jsonl_unparseable_times_and_non_string_fields_become_none(tmp_path):
    row = {"text": "x", "published": "last Tuesday", "title": 42, "url": ["no"], "date": None}

    [record] = read_file(jsonl(tmp_path / "feed.jsonl", [row]))

    assert (record.published_at, record.title, record.url) == (None, None, None)


@pytest.mark.parametrize(
    "line, reason",
    [
        ("{not json", "malformed_json"),
        ('{"text": "unterminated', "malformed_json"),
        ('["an", "array"]', "malformed_json"),
        ("42", "malformed_json"),
        ('"a string"', "malformed_json"),
        ("null", "malformed_json"),
        ('{"title": "no body", "url": "https://e.com"}', "missing_content"),
        ('{"text": 5, "html": null}', "missing_content"),
        ('{"text": ""}', "missing_content"),
    ],
)
def test_jsonl_bad_lines_are_rejected_with_a_reason(tmp_path, line, reason):
    path = jsonl(tmp_path / "feed.jsonl", [{"text": "good"}, line, {"text": "after"}])

    items = list(read_file(path))

    assert kinds(items) == [("Record", "text"), ("Reject", reason), ("Record", "text")]
    bad = items[1]
    assert bad.document.source_uri == f"{path}#2"
    assert bad.document.sha256 == hashlib.sha256(line.encode()).hexdigest()
    assert bad.detail


def test_jsonl_non_utf8_line_is_undecodable(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')

    items = list(read_file(path))

    assert kinds(items) == [("Record", "text"), ("Reject", "undecodable")]
    assert items[1].document.source_uri == f"{path}#2"


def test_jsonl_with_a_utf8_bom_keeps_its_first_record(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes("\ufeff".encode() + b'{"text": "first"}\n{"text": "second"}\n')

    items = list(read_file(path))

    assert kinds(items) == [("Record", "text"), ("Record", "text")]


def test_jsonl_line_with_a_huge_integer_is_rejected_not_raised(tmp_path):
    # Python refuses to convert integers of more than 4300 digits (ValueError, not JSONDecodeError).
    path = jsonl(tmp_path / "feed.jsonl", ['{"text": "x", "views": ' + "9" * 5000 + "}", {"text": "after"}])

    items = list(read_file(path))

    assert kinds(items) == [("Reject", "malformed_json"), ("Record", "text")]


def test_jsonl_deeply_nested_line_is_rejected_not_raised(tmp_path):
    path = jsonl(tmp_path / "feed.jsonl", ["[" * 100_000, {"text": "after"}])

    items = list(read_file(path))

    assert kinds(items) == [("Reject", "malformed_json"), ("Record", "text")]


def test_jsonl_line_over_the_limit_is_too_large_and_later_lines_are_read(tmp_path):
    big = {"text": "x" * 5000}
    path = jsonl(tmp_path / "feed.jsonl", [{"text": "before"}, big, {"text": "after"}])

    items = list(read_file(path, max_record_bytes=1000))

    assert kinds(items) == [("Record", "text"), ("Reject", "too_large"), ("Record", "text")]
    assert [x.document.source_uri for x in items] == [f"{path}#1", f"{path}#2", f"{path}#3"]
    assert items[1].document.bytes > 5000
    assert items[2].content == b"after"


def test_jsonl_line_exactly_at_the_limit_is_read(tmp_path):
    line = json.dumps({"text": "y" * 100})
    path = jsonl(tmp_path / "feed.jsonl", [line])

    assert kinds(read_file(path, max_record_bytes=len(line))) == [("Record", "text")]
    assert kinds(read_file(path, max_record_bytes=len(line) - 1)) == [("Reject", "too_large")]


def test_jsonl_sha256_is_of_the_stripped_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(b'  {"text": "hello"}  \r\n')

    [record] = read_file(path)

    assert record.document.sha256 == hashlib.sha256(b'{"text": "hello"}').hexdigest()
    assert record.document.bytes == len(b'{"text": "hello"}')


@pytest.mark.parametrize("content", [b"", b"\n\n  \n\t\r\n"])
def test_jsonl_file_without_records_is_one_empty_reject(tmp_path, content):
    path = tmp_path / "feed.jsonl"
    path.write_bytes(content)

    items = list(read_file(path))

    assert kinds(items) == [("Reject", "empty")]
    assert items[0].document.source_uri == str(path)


# --- gzip -----------------------------------------------------------------------------


def test_gzipped_jsonl_is_read_decompressed(tmp_path):
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(gzip.compress(b'{"text": "one"}\n\n{"html": "<p>two</p>"}\n'))

    items = list(read_file(path))

    assert [(x.document.source_uri, x.kind, x.content) for x in items] == [
        (f"{path}#1", "text", b"one"),
        (f"{path}#3", "html", b"<p>two</p>"),
    ]


@pytest.mark.parametrize("name, fmt, kind", [("story.txt.gz", "txt", "text"), ("page.html.gz", "html", "html")])
def test_gzipped_whole_files_are_read_decompressed(tmp_path, name, fmt, kind):
    content = article_html().encode() if fmt == "html" else article_text().encode()
    path = tmp_path / name
    path.write_bytes(gzip.compress(content))

    [record] = read_file(path)

    assert (record.document.format, record.kind, record.content) == (fmt, kind, content)
    assert record.document.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9])
def test_truncated_gzip_jsonl_keeps_every_complete_record_before_the_cut(tmp_path, fraction):
    rng = random.Random(3)
    lines = [json.dumps({"text": " ".join(rng.choice(WORDS) for _ in range(60))}) for _ in range(300)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    cut = data[: int(len(data) * fraction)]
    complete = zlib.decompressobj(wbits=31).decompress(cut).count(b"\n")  # lines fully inside the cut
    path = tmp_path / "feed.jsonl.gz"
    path.write_bytes(cut)

    items = list(read_file(path))

    records, last = items[:-1], items[-1]
    assert all(isinstance(x, Record) for x in records)
    assert [x.document.source_uri for x in records] == [f"{path}#{n}" for n in range(1, complete + 1)]
    assert (type(last), last.reason) == (Reject, "truncated")
    assert last.document.source_uri == f"{path}#{complete + 1}"


def test_truncated_gzip_text_file_is_truncated(tmp_path):
    data = gzip.compress(article_text().encode() * 20)
    path = tmp_path / "story.txt.gz"
    path.write_bytes(data[: len(data) // 2])

    assert kinds(read_file(path)) == [("Reject", "truncated")]


@pytest.mark.parametrize("name", ["story.txt.gz", "feed.jsonl.gz", "page.html.gz"])
def test_gzip_magic_followed_by_garbage_is_corrupt(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"\x1f\x8b" + random.Random(1).randbytes(500))

    items = list(read_file(path))

    assert len(items) == 1 and isinstance(items[0], Reject)
    assert items[0].reason in {"corrupt", "truncated"}


def test_gzip_with_a_bad_crc_is_corrupt(tmp_path):
    data = bytearray(gzip.compress(article_text().encode()))
    data[-8] ^= 0xFF  # the CRC32 of the trailer
    path = tmp_path / "story.txt.gz"
    path.write_bytes(bytes(data))

    assert kinds(read_file(path)) == [("Reject", "corrupt")]


def test_decompression_bomb_in_jsonl_gz_stops_reading(tmp_path):
    path = tmp_path / "bomb.jsonl.gz"
    path.write_bytes(gzip.compress(b"\n" * 20_000_000, compresslevel=9))

    items = list(read_file(path))

    assert kinds(items) == [("Reject", "decompression_bomb")]


def test_decompression_bomb_in_txt_gz_stops_reading(tmp_path):
    path = tmp_path / "bomb.txt.gz"
    path.write_bytes(gzip.compress(b"a" * 20_000_000, compresslevel=9))

    items = list(read_file(path))

    assert kinds(items) == [("Reject", "decompression_bomb")]
    assert items[0].document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()


def test_well_compressible_text_under_the_bomb_threshold_is_read(tmp_path):
    content = b"a" * 4_000_000  # ratio ~1000, but under 8 MB of output
    path = tmp_path / "story.txt.gz"
    path.write_bytes(gzip.compress(content))

    [record] = read_file(path)

    assert isinstance(record, Record) and len(record.content) == len(content)


# --- WARC -----------------------------------------------------------------------------


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_responses_are_html_records_at_their_offsets(tmp_path, gz):
    path = tmp_path / ("crawl.warc.gz" if gz else "crawl.warc")
    crawl = [(url, body, headers, "2024-03-05T10:20:30Z") for url, body, headers in pages(3)]
    offsets = write_warc(path, crawl, gz=gz)

    items = list(read_file(path))

    assert all(isinstance(x, Record) for x in items)
    assert [x.document.source_uri for x in items] == [f"{path}#{o}" for o in offsets]
    assert len(set(offsets)) == 3 and offsets[0] > 0  # after the warcinfo and request records
    assert [x.url for x in items] == [url for url, *_ in crawl]
    assert [x.content for x in items] == [body for _, body, *_ in crawl]
    assert all(x.kind == "html" and x.document.format == "warc" for x in items)
    assert all(x.fetched_at == datetime(2024, 3, 5, 10, 20, 30) for x in items)
    assert all(x.charset == "utf-8" for x in items)


def test_warc_of_only_warcinfo_and_requests_is_one_empty_reject(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    with open(path, "wb") as fh:
        w = WARCWriter(fh, gzip=True)
        w.write_record(w.create_warcinfo_record(path.name, {"software": "x"}))
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        w.write_record(
            w.create_warc_record("https://example.com/", "request", payload=io.BytesIO(b""), http_headers=request)
        )

    assert kinds(read_file(path)) == [("Reject", "empty")]


def test_warc_charset_and_content_language_come_from_http_headers(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    crawl = [
        (
            "https://example.de/a",
            article_html().encode("cp1252"),
            http(content_type="text/html; charset=ISO-8859-1", extra=[("Content-Language", "de-DE")]),
        )
    ]
    write_warc(path, crawl)

    [record] = read_file(path)

    assert (record.charset, record.declared_language) == ("ISO-8859-1", "de-DE")


@pytest.mark.parametrize(
    "status, content_type, reason",
    [
        ("404 Not Found", "text/html; charset=utf-8", "http_error"),
        ("500 Internal Server Error", "text/html", "http_error"),
        ("200 OK", "image/png", "unsupported_format"),
        ("200 OK", "application/pdf", "unsupported_format"),
    ],
)
def test_warc_non_page_responses_are_rejected(tmp_path, status, content_type, reason):
    path = tmp_path / "crawl.warc.gz"
    crawl = pages(1) + [("https://news.example.com/bad", b"\x89PNG not html", http(status, content_type))] + pages(1)
    offsets = write_warc(path, crawl)

    items = list(read_file(path))

    assert kinds(items) == [("Record", "html"), ("Reject", reason), ("Record", "html")]
    assert items[1].document.source_uri == f"{path}#{offsets[1]}"
    assert "https://news.example.com/bad" in items[1].detail


def test_warc_payload_over_the_limit_is_too_large(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    big = article_html(extra="<p>" + "filler " * 2000 + "</p>").encode()
    crawl = pages(1) + [("https://news.example.com/big", big, http())] + pages(1)
    write_warc(path, crawl)

    items = list(read_file(path, max_record_bytes=len(big) - 100))

    assert kinds(items) == [("Record", "html"), ("Reject", "too_large"), ("Record", "html")]


def test_warc_gz_with_its_last_bytes_cut_off_keeps_earlier_records_then_truncated(tmp_path):
    full = tmp_path / "full.warc.gz"
    offsets = write_warc(full, pages(3))
    data = full.read_bytes()
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(data[: len(data) - 300])

    items = list(read_file(path))

    assert kinds(items) == [("Record", "html"), ("Record", "html"), ("Reject", "truncated")]
    assert [x.document.source_uri for x in items[:2]] == [f"{path}#{o}" for o in offsets[:2]]


def test_plain_warc_with_its_last_bytes_cut_off_keeps_earlier_records_then_truncated(tmp_path):
    full = tmp_path / "full.warc"
    write_warc(full, pages(3), gz=False)
    data = full.read_bytes()
    path = tmp_path / "cut.warc"
    path.write_bytes(data[: len(data) - 300])

    assert kinds(read_file(path)) == [("Record", "html"), ("Record", "html"), ("Reject", "truncated")]


def _last_record_cuts(tmp_path, gz):
    """(the file cut at one of many points inside its last record, bytes cut into it), for
    every cut that loses part of the record itself (not just its closing CRLFs or gzip trailer)."""
    full = tmp_path / ("full.warc.gz" if gz else "full.warc")
    offsets = write_warc(full, pages(3), gz=gz)
    data = full.read_bytes()
    start = offsets[-1]
    unpack = (lambda b: zlib.decompressobj(wbits=31).decompress(b)) if gz else (lambda b: b)
    record = unpack(data[start:])
    assert record.endswith(b"\r\n\r\n")
    for n, cut in enumerate(range(start + 1, len(data), 5)):
        if len(unpack(data[start:cut])) >= len(record) - 4:
            break
        path = tmp_path / f"cut{n}.{'warc.gz' if gz else 'warc'}"
        path.write_bytes(data[:cut])
        yield path, cut - start


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_cut_anywhere_in_its_last_record_never_passes_silently(tmp_path, gz):
    silent = []
    for path, into in _last_record_cuts(tmp_path, gz):
        items = list(read_file(path))
        assert kinds(items[:2]) == [("Record", "html"), ("Record", "html")], into
        if not (len(items) == 3 and isinstance(items[2], Reject)):
            silent.append((into, kinds(items[2:])))

    assert silent == [], "cut N bytes into the last record: no reject for the lost record"


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_warc_cut_anywhere_in_its_last_record_is_reported_as_truncated(tmp_path, gz):
    reasons = {}
    for path, into in _last_record_cuts(tmp_path, gz):
        last = list(read_file(path))[-1]
        reasons.setdefault(last.reason if isinstance(last, Reject) else "record", []).append(into)

    assert set(reasons) == {"truncated"}, {reason: (cuts[0], cuts[-1]) for reason, cuts in reasons.items()}


def test_warc_gz_with_garbage_in_the_middle_loses_only_the_broken_record(tmp_path):
    full = tmp_path / "full.warc.gz"
    offsets = write_warc(full, pages(4))
    data = bytearray(full.read_bytes())
    middle = (offsets[1] + offsets[2]) // 2  # inside the second response's gzip member
    data[middle : middle + 64] = random.Random(5).randbytes(64)
    path = tmp_path / "bad.warc.gz"
    path.write_bytes(bytes(data))

    items = list(read_file(path))

    assert kinds(items) == [
        ("Record", "html"),
        ("Reject", "broken_warc_record"),
        ("Record", "html"),
        ("Record", "html"),
    ]
    assert [item.document.source_uri for item in items] == [f"{path}#{offset}" for offset in offsets]


@pytest.mark.parametrize(
    "text", ["not warc\n", "this is not a web archive, just prose\n"], ids=["short lines", "prose"]
)
def test_warc_file_of_random_text_is_one_broken_record(tmp_path, text):
    path = tmp_path / "crawl.warc"
    path.write_text(text * 50)

    items = list(read_file(path))

    assert kinds(items) == [("Reject", "broken_warc_record")]
    assert items[0].document.source_uri == f"{path}#0"


# --- whole files and format detection -------------------------------------------------


def test_txt_over_the_limit_is_too_large_with_the_file_digest(tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(article_text() * 10)

    [reject] = read_file(path, max_record_bytes=100)

    assert reject.reason == "too_large"
    assert reject.document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert reject.document.bytes == path.stat().st_size
    assert reject.document.source_uri == str(path)


def test_unsupported_extension_is_rejected_with_its_digest(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)))

    [reject] = read_file(path)

    assert reject.reason == "unsupported_format"
    assert reject.document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert reject.document.bytes == path.stat().st_size


def test_txt_holding_an_html_document_is_read_as_html(tmp_path):
    path = tmp_path / "saved.txt"
    path.write_text(article_html())

    [record] = read_file(path)

    assert (record.document.format, record.kind) == ("html", "html")


@pytest.mark.parametrize("gz", [True, False], ids=["warc.gz", "warc"])
def test_file_without_extension_holding_a_warc_is_read_as_warc(tmp_path, gz):
    path = tmp_path / "crawl-0001"
    offsets = write_warc(path, pages(2), gz=gz)

    items = list(read_file(path))

    assert [(x.document.format, x.document.source_uri) for x in items] == [("warc", f"{path}#{o}") for o in offsets]


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "plain"])
def test_file_without_extension_holding_json_lines_is_read_as_jsonl(tmp_path, gz):
    content = b'{"text": "one"}\n{"text": "two"}\n'
    path = tmp_path / "dump"
    path.write_bytes(gzip.compress(content) if gz else content)

    items = list(read_file(path))

    assert [(x.document.format, x.document.source_uri, x.content) for x in items] == [
        ("jsonl", f"{path}#1", b"one"),
        ("jsonl", f"{path}#2", b"two"),
    ]


def test_file_without_extension_holding_plain_text_is_unsupported(tmp_path):
    path = tmp_path / "README"
    path.write_text(article_text())

    assert kinds(read_file(path)) == [("Reject", "unsupported_format")]


@pytest.mark.parametrize(
    "name, head, expected",
    [
        ("a.txt", b"plain words", "txt"),
        ("a.HTM", b"x", "html"),
        ("a.ndjson", b"{}", "jsonl"),
        ("a.jsonl.gz", b"{}", "jsonl"),
        ("a.txt", b"\xef\xbb\xbf  <!DOCTYPE HTML><html>", "html"),
        ("a.txt", b"<div><html lang=en><body>", "html"),
        ("a.jsonl", b"\r\nWARC/1.0\r\n", "warc"),
        ("noext", b'  {"text": 1}', "jsonl"),
        ("noext", b"hello", None),
        ("feed.jsonl", b'{"html": "<html><head></head><body><p>story</p></body></html>"}', "jsonl"),
        ("story.txt", b"How pages work\nEvery page has an <html> tag and a <body> tag.", "txt"),
        ("a.pdf", b"%PDF", None),
    ],
)
def test_detect_format_from_content_then_name(name, head, expected):
    assert detect_format(name, head) == expected


# --- discover -------------------------------------------------------------------------


def test_discover_glob_finds_nested_files_sorted_and_skips_hidden(tmp_path):
    for rel in [
        "b/2.jsonl.gz",
        "a/deep/er/1.jsonl.gz",
        "top.jsonl.gz",
        "a/other.txt",
        "a/.hidden.jsonl.gz",
        ".cache/x.jsonl.gz",
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_bytes(b"")

    found = list(discover([str(tmp_path / "**" / "*.jsonl.gz")]))

    expected = [tmp_path / rel for rel in ["a/deep/er/1.jsonl.gz", "b/2.jsonl.gz", "top.jsonl.gz"]]
    assert found == sorted(expected)


def test_discover_pattern_matching_nothing_raises(tmp_path):
    with pytest.raises(FileNotFoundError):
        list(discover([str(tmp_path / "**" / "*.warc.gz")]))


# --- clean() of read records ----------------------------------------------------------


def test_clean_jsonl_html_record_keeps_the_jsonl_title_url_and_site(tmp_path):
    row = {
        "html": article_html("Page title from the HTML"),
        "title": "The feed's own title",
        "url": "https://www.bbc.co.uk/news/story-1",
    }
    [record] = read_file(jsonl(tmp_path / "feed.jsonl", [row]))

    article = clean(record)

    assert isinstance(article, Article), article
    assert article.title == "The feed's own title"
    assert article.url == "https://www.bbc.co.uk/news/story-1"
    assert article.site == "bbc.co.uk"
    assert "Paragraph 2 of the story" in article.text


def test_clean_jsonl_text_record_gives_an_article(tmp_path):
    [record] = read_file(jsonl(tmp_path / "feed.jsonl", [{"text": article_text(), "url": "https://example.org/x"}]))

    article = clean(record)

    assert isinstance(article, Article), article
    assert article.document == record.document and article.site == "example.org"


def test_clean_warc_record_has_fetched_at_and_the_warc_url(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [("https://www.example.com/news/42", article_html().encode(), http(), "2024-03-05T10:20:30Z")])
    [record] = read_file(path)

    article = clean(record)

    assert isinstance(article, Article), article
    assert article.url == "https://www.example.com/news/42"
    assert article.site == "example.com"
    assert article.fetched_at == datetime(2024, 3, 5, 10, 20, 30)


def test_clean_warc_cp1252_page_is_decoded_by_the_header_charset(tmp_path):
    path = tmp_path / "crawl.warc.gz"
    body = article_html(
        charset_meta=False,
        extra="<p>Le café du coin a rouvert ses portes lundi matin après "
        "des mois de travaux, et les habitués sont revenus nombreux pour fêter cela ensemble.</p>",
    )
    write_warc(
        path, [("https://example.fr/cafe", body.encode("cp1252"), http(content_type="text/html; charset=windows-1252"))]
    )
    [record] = read_file(path)

    article = clean(record)

    assert isinstance(article, Article), article
    assert "Le café du coin" in article.text
    assert "fêter" in article.text


@pytest.mark.parametrize("charset", ["undefined", "no-such-charset", "base64"])
def test_clean_page_declaring_a_bogus_charset_does_not_raise(tmp_path, charset):
    # Not UTF-8 (the é is cp1252), so the declared charset gets tried.
    body = article_html(charset_meta=False, extra="<p>Caf\xe9 owners met the mayor.</p>").encode("cp1252")
    path = tmp_path / "crawl.warc.gz"
    write_warc(path, [("https://example.com/x", body, http(content_type=f"text/html; charset={charset}"))])
    [record] = read_file(path)

    result = clean(record)

    assert isinstance(result, (Article, Reject))
