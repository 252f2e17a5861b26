"""End to end over every input format and every kind of bad input: nothing is lost."""

import gzip
import io
import json
import shutil
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.cli import main
from warehouse.load import DOCUMENT_TABLES

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample"


def _sample(name: str) -> str:
    return (SAMPLE / name).read_text(encoding="utf-8")


def _warc(path: Path, responses: list[tuple[str, str, bytes, str]], corrupt_tail: bool = False) -> None:
    """(url, status, body, content type) responses, with the records a crawler writes around them."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsmill tests"}))
    for url, status, body, content_type in responses:
        writer.write_record(writer.create_warc_record(url, "request", payload=io.BytesIO(b"GET / HTTP/1.1\r\n\r\n")))
        headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    data = buffer.getvalue()
    if corrupt_tail:
        data += b"\x1f\x8b\x08\x00garbage that is not a gzip member at all" * 20
    path.write_bytes(data)


def _jsonl_gz(path: Path, lines: list[bytes]) -> None:
    path.write_bytes(gzip.compress(b"\n".join(lines) + b"\n"))


@pytest.fixture(scope="module")
def landing(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A folder of good inputs in every format plus every bad case; returns it and the
    expected reject reason for each bad record's source_uri."""
    root = tmp_path_factory.mktemp("landing")
    good, bad = root / "good", root / "bad"
    good.mkdir()
    bad.mkdir()
    shutil.copy(SAMPLE / "04_museum_reopening.txt", good / "museum.txt")
    shutil.copy(SAMPLE / "02_regional_flooding.html", good / "flooding.html")
    _jsonl_gz(
        good / "feed.jsonl.gz",
        [
            json.dumps(
                {
                    "url": "https://transit.example.com/fares",
                    "text": _sample("01_city_transit_fares.txt"),
                    "published": "2025-06-02T09:00:00+02:00",
                    "source": "transit.example.com",
                }
            ).encode(),
            b"",
            json.dumps(
                {
                    "link": "https://sport.example.org/ramalho",
                    "content": _sample("03_football_transfer.txt"),
                    "headline": "Northbridge sign Ramalho",
                }
            ).encode(),
            json.dumps(
                {"url": "https://www.ledgerreview.com/altavia", "html": _sample("07_tech_earnings.html")}
            ).encode(),
        ],
    )
    _warc(
        good / "crawl.warc.gz",
        [
            (
                "https://www.dailymeridian.com/ecb",
                "200 OK",
                (SAMPLE / "05_wire_rate_decision.html").read_bytes(),
                "text/html; charset=utf-8",
            ),
            (
                "https://www.valleyobserver.com/election",
                "200 OK",
                (SAMPLE / "10_small_town_election.html").read_bytes(),
                "text/html",
            ),
        ],
    )

    expected = {}

    def bad_file(name: str, content: bytes, reason: str) -> None:
        (bad / name).write_bytes(content)
        expected[str(bad / name)] = reason

    bad_file("empty.txt", b"", "empty")
    bad_file("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary")
    bad_file("scan.pdf", b"%PDF-1.4 not an article", "unsupported_format")
    bad_file("residue_only.txt", b"Share.\nLeave A Reply\nPrevious Post Next Post\n", "no_text")
    bad_file(
        "menu.html", b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>", "no_text"
    )
    bad_file("huge.txt", b"A very long line of text. " * 60_000, "too_large")  # over the 1 MB cap used below
    bad_file("bomb.jsonl.gz", gzip.compress(b"\n" * 40_000_000), "decompression_bomb")
    bad_file("cut.txt.gz", gzip.compress(_sample("12_island_ferry_restored.txt").encode())[:-40], "truncated")
    bad_file("empty.jsonl", b"\n\n", "empty")

    broken_lines = [
        b'{"url": "https://x.example/1", "text": "unterminated',
        b'["a", "list", "not", "an", "object"]',
        json.dumps({"url": "https://x.example/3", "title": "No body here"}).encode(),
        b'{"text": "caf\xe9 au lait is not UTF-8 here"}',
        json.dumps({"text": "word " * 300_000}).encode(),
    ]
    (bad / "broken.jsonl").write_bytes(b"\n".join(broken_lines) + b"\n")
    for line_no, reason in enumerate(
        ["malformed_json", "malformed_json", "missing_content", "undecodable", "too_large"], 1
    ):
        expected[f"{bad / 'broken.jsonl'}#{line_no}"] = reason

    _warc(
        bad / "broken.warc.gz",
        [
            ("https://x.example/gone", "404 Not Found", b"<html><body>Not found</body></html>", "text/html"),
            ("https://x.example/logo.png", "200 OK", b"\x89PNG\r\n\x1a\n" + bytes(64), "image/png"),
        ],
        corrupt_tail=True,
    )
    return root, expected


def _rows(db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query).fetchall()


@pytest.fixture(scope="module")
def ingested(prefect_server, landing, tmp_path_factory):
    root, _ = landing
    db = tmp_path_factory.mktemp("db") / "warehouse.duckdb"
    assert main(["ingest", str(root), "--db", str(db), "--max-record-mb", "1"]) == 0
    return db


def test_every_good_record_is_an_article(landing, ingested):
    root = landing[0]
    articles = {uri for (uri,) in _rows(ingested, "SELECT source_uri FROM articles")}
    good = root / "good"
    assert {str(good / "museum.txt"), str(good / "flooding.html")} <= articles
    assert {f"{good / 'feed.jsonl.gz'}#{n}" for n in (1, 3, 4)} <= articles  # line 2 is blank
    assert sum(uri.startswith(str(good / "crawl.warc.gz#")) for uri in articles) == 2
    assert len(articles) == 7


def test_every_bad_record_is_a_reject_with_its_reason(landing, ingested):
    _, expected = landing
    rejects = dict(_rows(ingested, "SELECT source_uri, reason FROM rejects"))
    warc = [(uri, reason) for uri, reason in rejects.items() if "broken.warc.gz" in uri]
    # the bomb is found some way into the stream: its reject names the line where reading stopped
    others = {
        uri.split("#")[0] if "bomb" in uri else uri: reason
        for uri, reason in rejects.items()
        if "broken.warc.gz" not in uri
    }
    assert others == expected
    assert sorted(reason for _, reason in warc) == ["broken_warc_record", "http_error", "unsupported_format"]


def test_documents_are_exactly_articles_plus_rejects(ingested):
    [(documents, articles, rejects, overlap)] = _rows(
        ingested,
        """
        SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM articles), (SELECT count(*) FROM rejects),
               (SELECT count(*) FROM articles JOIN rejects USING (doc_id))""",
    )
    assert documents == articles + rejects and overlap == 0


def test_record_metadata_comes_from_the_container(landing, ingested):
    good = landing[0] / "good"
    by_uri = {
        uri: rest
        for uri, *rest in _rows(ingested, "SELECT source_uri, url, site, title, published_at, fetched_at FROM articles")
    }
    url, site, _, published, _ = by_uri[f"{good / 'feed.jsonl.gz'}#1"]
    assert (url, site, str(published)) == ("https://transit.example.com/fares", "example.com", "2025-06-02 07:00:00")
    assert by_uri[f"{good / 'feed.jsonl.gz'}#3"][2] == "Northbridge sign Ramalho"
    warc = [rest for uri, rest in by_uri.items() if "crawl.warc.gz" in uri]
    assert {r[0] for r in warc} == {"https://www.dailymeridian.com/ecb", "https://www.valleyobserver.com/election"}
    assert all(r[4] is not None for r in warc)  # fetched_at from WARC-Date


def test_reingesting_unchanged_input_is_a_no_op(landing, ingested, capsys):
    root, _ = landing
    tables = [table.name for table in DOCUMENT_TABLES] + ["entities", "runs", "sources", "site_templates"]
    before = {t: _rows(ingested, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    capsys.readouterr()
    assert main(["ingest", str(root), "--db", str(ingested), "--max-record-mb", "1"]) == 0
    assert " 0 loaded," in capsys.readouterr().out
    assert {t: _rows(ingested, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before


def test_a_changed_feed_replaces_only_its_changed_records(prefect_server, landing, tmp_path):
    root, _ = landing
    feed_dir = tmp_path / "feeds"
    feed_dir.mkdir()
    feed = feed_dir / "feed.jsonl"
    lines = [
        json.dumps({"url": f"https://x.example/{n}", "text": _sample(name)})
        for n, name in enumerate(
            ["01_city_transit_fares.txt", "03_football_transfer.txt", "09_science_plastic_microbes.txt"]
        )
    ]
    feed.write_text("\n".join(lines) + "\n")
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(feed_dir), "--db", str(db)]) == 0
    before = dict(_rows(db, "SELECT source_uri, run_id FROM articles"))

    edited = json.loads(lines[1])
    edited["text"] += "\nThe club confirmed the fee on Friday evening."
    feed.write_text("\n".join([lines[0], json.dumps(edited)]) + "\n")  # line 3 dropped, line 2 edited
    assert main(["ingest", str(feed_dir), "--db", str(db)]) == 0

    after = dict(_rows(db, "SELECT source_uri, run_id FROM articles"))
    assert set(after) == {f"{feed}#1", f"{feed}#2"}
    assert after[f"{feed}#1"] == before[f"{feed}#1"]  # unchanged record untouched
    assert after[f"{feed}#2"] != before[f"{feed}#2"]
    assert _rows(db, "SELECT count(*) FROM documents") == [(2,)]
    assert _rows(db, "SELECT records FROM sources") == [(2,)]


def test_force_reprocesses_everything_and_changes_no_count(prefect_server, tmp_path):
    folder = tmp_path / "in"
    shutil.copytree(SAMPLE, folder)
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    counts = _rows(
        db,
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions), (SELECT count(DISTINCT run_id) FROM articles)",
    )
    assert main(["ingest", str(folder), "--db", str(db), "--force"]) == 0
    after = _rows(
        db,
        "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions), (SELECT count(DISTINCT run_id) FROM articles)",
    )
    assert after == counts
    assert _rows(db, "SELECT count(*) FROM runs") == [(2,)]


def test_a_glob_pattern_selects_the_files(prefect_server, landing, tmp_path):
    root, _ = landing
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(root / "**" / "*.jsonl.gz"), "--db", str(db)]) == 0
    files = {uri.split("#")[0] for (uri,) in _rows(db, "SELECT source_uri FROM documents")}
    assert files == {str(root / "good" / "feed.jsonl.gz"), str(root / "bad" / "bomb.jsonl.gz")}


PROMO = "Support independent local journalism today"  # shaped like a subhead: only recurrence gives it away


def _with_promo(text: str) -> str:
    """The text with the promo line after its second paragraph, inside the article."""
    lines = text.rstrip().split("\n")
    second = [i for i, line in enumerate(lines) if len(line.split()) > 20][1]
    return "\n".join(lines[: second + 1] + [PROMO] + lines[second + 1 :]) + "\n"


def test_a_sites_template_is_learned_stored_and_applied_across_runs(prefect_server, tmp_path):
    folder = tmp_path / "gazette"
    folder.mkdir()
    stories = [
        "01_city_transit_fares.txt",
        "03_football_transfer.txt",
        "04_museum_reopening.txt",
        "06_wildfire_evacuation.txt",
        "09_science_plastic_microbes.txt",
        "12_island_ferry_restored.txt",
    ]
    for name in stories:
        (folder / name).write_text(_with_promo(_sample(name)))
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 0

    assert _rows(db, f"SELECT count(*) FROM articles WHERE text LIKE '%{PROMO}%'") == [(0,)]
    assert _rows(db, "SELECT count(*) FROM removed_lines WHERE reason = 'site_template'") == [(6,)]
    assert _rows(db, "SELECT line, articles FROM site_templates") == [(PROMO, 6)]

    (folder / "late.txt").write_text(_with_promo(_sample("08_hitzewelle_de.txt")))  # a later run
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    assert _rows(db, f"SELECT count(*) FROM articles WHERE text LIKE '%{PROMO}%'") == [(0,)]
    assert _rows(db, "SELECT line, articles FROM site_templates") == [(PROMO, 7)]
