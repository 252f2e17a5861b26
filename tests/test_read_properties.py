"""Property tests: whatever bytes a file holds, read_file() and clean() never raise, every
file yields something, and every record ends as exactly one Article or Reject."""

import gzip
import io
import json
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from transforms.clean import clean
from transforms.documents import Article, Record, Reject, RejectReason
from transforms.read import DEFAULT_MAX_RECORD_BYTES, read_file

SUFFIXES = [".txt", ".html", ".jsonl", ".warc", ".txt.gz", ".jsonl.gz", ".warc.gz", ".unknown"]
GZ_SUFFIXES = [s for s in SUFFIXES if s.endswith(".gz")]
REASONS = set(RejectReason)

fuzz = settings(max_examples=40, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
limits = st.sampled_from([200, DEFAULT_MAX_RECORD_BYTES])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4),
    max_leaves=12,
)
PAGE = (
    "<html><head><title>Harbour reopens</title></head><body><article>"
    + "<p>The harbour reopened on Monday after a winter of repairs, and fishing boats returned to the quay "
    "while the council promised new lights, a wider slipway and a market on the old pier by summer.</p>"
    * 4
    + "</article></body></html>"
)
articles = st.fixed_dictionaries(
    {},
    optional={
        "html": st.sampled_from([PAGE, "", "<p>short</p>"]) | st.text(max_size=200),
        "text": st.sampled_from([PAGE.replace("<p>", "\n"), "Share\nComments"]) | st.text(max_size=200),
        "title": json_values,
        "url": st.sampled_from(["https://www.example.co.uk/a", "not a url", ""]) | json_values,
        "published": json_values | st.sampled_from(["2024-03-05T10:00:00+02:00", "2024-13-45", 1e300, -1e20]),
        "authors": json_values,
        "lang": json_values,
        "source": json_values,
        "fetched_at": json_values,
    },
)
jsonl_lines = st.lists(
    st.one_of(json_values.map(json.dumps), articles.map(json.dumps), st.text(max_size=80)),
    max_size=12,
)


def _warc_bytes(gz: bool) -> bytes:
    """A small, valid crawl: warcinfo, then a request and response per page."""
    out = io.BytesIO()
    w = WARCWriter(out, gzip=gz)
    w.write_record(w.create_warcinfo_record("crawl.warc", {"software": "newsmill-tests"}))
    for i, (status, content_type) in enumerate(
        [
            ("200 OK", "text/html; charset=utf-8"),
            ("404 Not Found", "text/html"),
            ("200 OK", "image/png"),
            ("200 OK", "text/html; charset=windows-1252"),
        ]
    ):
        url = f"https://news.example.com/{i}"
        request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "news.example.com")], is_http_request=True)
        w.write_record(w.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=request))
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        w.write_record(
            w.create_warc_record(url, "response", payload=io.BytesIO(PAGE.encode("cp1252")), http_headers=headers)
        )
    return out.getvalue()


WARCS = {".warc": _warc_bytes(gz=False), ".warc.gz": _warc_bytes(gz=True)}


def check_invariants(content: bytes, suffix: str, max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES) -> list:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        items = list(read_file(path, max_record_bytes=max_record_bytes))

        assert items, "read_file yielded nothing"
        uris = [item.document.source_uri for item in items]
        assert len(uris) == len(set(uris)), f"duplicate source_uris: {uris}"
        for item in items:
            assert isinstance(item, (Record, Reject)), item
            assert item.document.source_file == str(path)
            if isinstance(item, Reject):
                assert_good_reject(item)
            else:
                result = clean(item)
                assert isinstance(result, (Article, Reject)), result
                assert result.document == item.document
                if isinstance(result, Reject):
                    assert_good_reject(result)
                else:
                    assert result.text.strip()
        return items


def assert_good_reject(reject: Reject) -> None:
    assert reject.reason in REASONS, reject
    assert reject.detail and reject.detail.strip(), reject


@pytest.mark.parametrize("suffix", SUFFIXES)
@fuzz
@given(content=st.binary(max_size=4096), max_record_bytes=limits)
def test_arbitrary_bytes_never_break_reading_or_cleaning(suffix, content, max_record_bytes):
    check_invariants(content, suffix, max_record_bytes)


@pytest.mark.parametrize("suffix", GZ_SUFFIXES)
@fuzz
@given(content=st.binary(max_size=4096))
def test_gzip_of_arbitrary_bytes_never_breaks_reading(suffix, content):
    check_invariants(gzip.compress(content), suffix)


@pytest.mark.parametrize("suffix", GZ_SUFFIXES)
@fuzz
@given(content=st.binary(min_size=1, max_size=4096), data=st.data())
def test_truncated_gzip_never_breaks_reading(suffix, content, data):
    compressed = gzip.compress(content)
    cut = data.draw(st.integers(min_value=2, max_value=len(compressed) - 1), label="cut")  # 2: the gzip magic
    items = check_invariants(compressed[:cut], suffix)

    assert isinstance(items[-1], Reject), "a truncated gzip stream must end in a reject"


@fuzz
@given(lines=jsonl_lines, blank=st.sampled_from(["\n", "\r\n", "\n\n"]), max_record_bytes=limits)
def test_json_lines_of_any_values_never_break_reading(lines, blank, max_record_bytes):
    content = blank.join(lines).encode("utf-8", "surrogatepass")
    check_invariants(content, ".jsonl", max_record_bytes)


@fuzz
@given(lines=jsonl_lines, gz=st.booleans())
def test_json_lines_in_a_file_without_extension(lines, gz):
    content = "\n".join(lines).encode("utf-8", "surrogatepass")
    check_invariants(gzip.compress(content) if gz else content, "")


@pytest.mark.parametrize("suffix", [".warc", ".warc.gz"])
@fuzz
@given(data=st.data())
def test_damaged_warc_never_breaks_reading(suffix, data):
    original = WARCS[suffix]
    start = data.draw(st.integers(0, len(original) - 1), label="start")
    damage = data.draw(st.sampled_from(["truncate", "overwrite", "insert", "delete"]), label="damage")
    junk = data.draw(st.binary(min_size=1, max_size=64), label="junk")
    if damage == "truncate":
        content = original[:start]
    elif damage == "overwrite":
        content = original[:start] + junk + original[start + len(junk) :]
    elif damage == "insert":
        content = original[:start] + junk + original[start:]
    else:
        content = original[:start] + original[start + len(junk) :]
    check_invariants(content, suffix, data.draw(limits, label="max_record_bytes"))
