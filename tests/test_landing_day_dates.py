"""A scraped file that gives no fetch time of its own was fetched on the day of the
LANDING/YYYY-MM-DD/ folder it was filed in, so it counts on that day in every per-day view
and in the report; an ingest of the whole landing folder leaves out what is not a day, as a
backfill does. Real flow runs, real DuckDB files."""

import io
import json
import logging
import shutil
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.cli import main
from flows.ingest import ingest
from flows.options import RunOptions
from tests.conftest import SAMPLE
from transforms.read import read_file
from transforms.read.days import folder_day
from warehouse import Warehouse
from warehouse.period import Period

DAY = "2024-05-01"
PER_DAY_VIEWS = ["articles_per_site_day", "article_entities", "entity_daily_mentions", "entity_cooccurrence"]


@pytest.mark.parametrize(
    "path, day",
    [
        ("/landing/2024-05-01/reuters/0001.html", date(2024, 5, 1)),
        ("/landing/2024-05-01/feed.jsonl", date(2024, 5, 1)),
        ("/archive/2023-01-01/landing/2024-05-01/a.txt", date(2024, 5, 1)),  # the nearest
        ("/landing/2024-05-01/2024-02-30/a.txt", date(2024, 5, 1)),  # no such day: the next one out
        ("/landing/notes/2024-05-01.txt", None),  # a file's own name says nothing
        ("/landing/20240501/a.txt", None),
        ("/landing/2024-W18-3/a.txt", None),
        ("/scrapes/a.txt", None),
    ],
)
def test_a_files_day_is_the_nearest_folder_around_it_named_as_a_day(path, day):
    assert folder_day(path) == day


def test_records_without_a_fetch_time_take_their_folders_day_and_the_others_keep_theirs(tmp_path):
    folder = tmp_path / "landing" / DAY / "site"
    folder.mkdir(parents=True)
    shutil.copy(SAMPLE / "01_city_transit_fares.txt", folder / "a.txt")
    shutil.copy(SAMPLE / "02_regional_flooding.html", folder / "b.html")
    text = (SAMPLE / "04_museum_reopening.txt").read_text()
    (folder / "feed.jsonl").write_text(
        json.dumps({"text": text, "fetched_at": "2024-04-30T22:15:00Z"}) + "\n" + json.dumps({"text": text}) + "\n"
    )
    with open(folder / "crawl.warc", "wb") as handle:
        writer = WARCWriter(handle, gzip=False)
        page = (SAMPLE / "07_tech_earnings.html").read_bytes()
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
        writer.write_record(
            writer.create_warc_record(
                "https://example.org/earnings",
                "response",
                payload=io.BytesIO(page),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-04-29T08:00:00Z"},
            )
        )

    fetched = {
        name: [item.fetched_at for item in read_file(folder / name)]
        for name in ["a.txt", "b.html", "feed.jsonl", "crawl.warc"]
    }

    midnight = datetime(2024, 5, 1)
    assert fetched == {
        "a.txt": [midnight],
        "b.html": [midnight],
        "feed.jsonl": [datetime(2024, 4, 30, 22, 15), midnight],
        "crawl.warc": [datetime(2024, 4, 29, 8, 0)],
    }


def _landing(root: Path) -> Path:
    """The sample as one day of the landing folder, and a stray folder of notes."""
    landing = root / "landing"
    shutil.copytree(SAMPLE, landing / DAY)
    (landing / "notes").mkdir()
    (landing / "notes" / "readme.txt").write_text("Scrapers drop their files here, one folder per day.\n")
    return landing


def _undated(db: Path) -> dict[str, int]:
    """Articles with no day: in `articles` (published, else fetched), in each per-day view,
    in the report, and left out of a report since the landing day."""
    with duckdb.connect(str(db), read_only=True) as con:
        counts = {
            view: con.execute(f"SELECT count(*) FILTER (WHERE day IS NULL) FROM {view}").fetchone()[0]
            for view in PER_DAY_VIEWS
        }
        total = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        counts["articles"] = con.execute(
            "SELECT count(*) FILTER (WHERE coalesce(published_at, fetched_at) IS NULL) FROM articles"
        ).fetchone()[0]
        counts["report"] = Period(con, None).rows(["totals"], "SELECT undated FROM totals")[0][0]
        counts["report since the day"] = (
            total - Period(con, date.fromisoformat(DAY)).rows(["totals"], "SELECT articles FROM totals")[0][0]
        )
    return counts


def _fetched(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT article_id, fetched_at FROM articles ORDER BY 1").fetchall()


def test_a_backfilled_text_day_counts_on_its_day_everywhere(prefect_server, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    landing = _landing(tmp_path)

    assert main(["backfill", "--since", DAY, "--until", DAY, "--landing", str(landing), "--db", str(db)]) == 0

    assert "12 documents: 12 loaded" in capsys.readouterr().out
    assert _undated(db) == dict.fromkeys([*PER_DAY_VIEWS, "articles", "report", "report since the day"], 0)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT fetched_at FROM articles").fetchall() == [(datetime(2024, 5, 1),)]


def test_an_ingest_of_the_landing_folder_reads_its_days_and_leaves_out_the_rest_as_a_backfill_does(
    prefect_server, tmp_path, caplog
):
    db = tmp_path / "w.duckdb"
    landing = _landing(tmp_path)
    (landing / "2024-05-02").symlink_to(tmp_path / "unmounted" / "2024-05-02")
    caplog.set_level(logging.WARNING)

    summary = ingest(landing=str(landing), db=str(db), options=RunOptions(processes=1))

    assert (summary["documents"], summary["articles"], summary["rejects"]) == (12, 12, 0)
    assert "not day partitions (folders named YYYY-MM-DD), left out: notes" in caplog.text
    assert "day partitions that cannot be reached, left out: 2024-05-02" in caplog.text  # the other days still load
    assert _undated(db)["articles"] == 0


def test_a_warehouse_from_before_gets_the_days_of_its_stored_articles(prefect_server, tmp_path):
    db, fresh = tmp_path / "old.duckdb", tmp_path / "fresh.duckdb"
    landing = _landing(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(SAMPLE / "06_wildfire_evacuation.txt", elsewhere)
    for warehouse in (db, fresh):
        ingest([str(landing / DAY), str(elsewhere)], db=str(warehouse), options=RunOptions(processes=1))
    with duckdb.connect(str(db)) as con:  # as the release before this one left it
        con.execute("UPDATE articles SET fetched_at = NULL")
        con.execute("DELETE FROM schema_migrations WHERE version = '008_landing_day_fetched_at.sql'")

    with Warehouse(db):
        pass

    assert _fetched(db) == _fetched(fresh)
    assert Counter(when for _, when in _fetched(db)) == {datetime(2024, 5, 1): 12, None: 1}  # elsewhere: no day
    assert ingest([str(landing / DAY)], db=str(db), options=RunOptions(processes=1))["unchanged"] == 12
