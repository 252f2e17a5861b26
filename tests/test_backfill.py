"""The landing folder and the backfill: real `newsmill` commands, real Prefect subflow
runs, a real DuckDB file, a landing folder of three days of invented articles."""

import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName

from flows.cli import main
from flows.landing import day_partitions, days_between

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample"
DAYS = ["2024-05-01", "2024-05-02", "2024-05-03"]


def _jsonl(*names: str) -> str:
    """Sample articles as JSON Lines records, one per line."""
    return "".join(
        json.dumps({"url": f"https://example.org/{name}", "text": (SAMPLE / name).read_text()}) + "\n" for name in names
    )


@pytest.fixture
def landing(tmp_path) -> Path:
    """LANDING/YYYY-MM-DD/ for three days: text files, and a JSON Lines file of two records."""
    folder = tmp_path / "landing"
    files = {
        "2024-05-01": {
            "transit.txt": (SAMPLE / "01_city_transit_fares.txt").read_text(),
            "football.txt": (SAMPLE / "03_football_transfer.txt").read_text(),
        },
        "2024-05-02": {
            "museum.txt": (SAMPLE / "04_museum_reopening.txt").read_text(),
            "feed.jsonl": _jsonl("06_wildfire_evacuation.txt", "09_science_plastic_microbes.txt"),
        },
        "2024-05-03": {
            "ferry.txt": (SAMPLE / "12_island_ferry_restored.txt").read_text(),
            "hitzewelle.txt": (SAMPLE / "08_hitzewelle_de.txt").read_text(),
        },
    }
    for day, contents in files.items():
        (folder / day).mkdir(parents=True)
        for name, text in contents.items():
            (folder / day / name).write_text(text)
    return folder


def _backfill(landing: Path, db: Path, since: str, until: str) -> int:
    return main(["backfill", "--since", since, "--until", until, "--landing", str(landing), "--db", str(db)])


def _table_counts(db: Path) -> dict[str, int]:
    """Rows in every table of the warehouse (views are left out: they are queries over these)."""
    with duckdb.connect(str(db), read_only=True) as con:
        tables = [
            t
            for (t,) in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' AND table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {t: con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}


def _articles(db: Path) -> dict[str, tuple]:
    """Each article by its place in the landing folder (day/file#line), with what a reload would change."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_uri, run_id, text, cluster_id, is_canonical FROM articles").fetchall()
    return {"/".join(uri.split("/")[-2:]): rest for uri, *rest in rows}


# -- the landing folder ------------------------------------------------------------------


def test_day_partitions_are_the_folders_named_as_dates(tmp_path):
    for name in ["2024-05-01", "2024-5-2", "20240503", "2024-02-30", "misc", ".cache"]:
        (tmp_path / name).mkdir()
    (tmp_path / "2024-05-04").write_text("a file named as a day is not a partition")
    (tmp_path / "2024-05-05").symlink_to(tmp_path / "unmounted" / "2024-05-05")

    days, strays = day_partitions(tmp_path)

    assert days == {date(2024, 5, 1): tmp_path / "2024-05-01", date(2024, 5, 5): tmp_path / "2024-05-05"}
    assert sorted(p.name for p in strays) == ["2024-02-30", "2024-05-04", "2024-5-2", "20240503", "misc"]


def test_days_between_takes_both_ends_and_the_days_with_no_partition():
    partitions = {
        date(2024, 5, 1): Path("l/2024-05-01"),
        date(2024, 5, 3): Path("l/2024-05-03"),
        date(2024, 5, 9): Path("l/2024-05-09"),
    }
    assert days_between(partitions, date(2024, 4, 30), date(2024, 5, 3)) == {
        date(2024, 4, 30): None,
        date(2024, 5, 1): Path("l/2024-05-01"),
        date(2024, 5, 2): None,
        date(2024, 5, 3): Path("l/2024-05-03"),
    }


# -- the backfill ------------------------------------------------------------------------


def test_a_backfill_runs_one_subflow_per_day_and_running_it_twice_changes_nothing(
    prefect_server, landing, tmp_path, capsys
):
    db = tmp_path / "w.duckdb"
    assert _backfill(landing, db, "2024-05-01", "2024-05-03") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "2024-05-01  2 documents: 2 loaded, 0 unchanged; 2 articles, 0 rejects",
        "2024-05-02  3 documents: 3 loaded, 0 unchanged; 3 articles, 0 rejects",
        "2024-05-03  2 documents: 2 loaded, 0 unchanged; 2 articles, 0 rejects",
    ]
    assert lines[3] == f"3 days: 3 ingested, 0 missing, 0 failed; 7 documents: 7 loaded, 0 unchanged (warehouse {db})"
    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=DAYS)))
    assert {run.name for run in runs if run.parent_task_run_id is not None} == set(
        DAYS
    )  # subflows, named after their day

    counts, articles = _table_counts(db), _articles(db)
    assert counts["articles"] == 7 and counts["sources"] == 6
    assert _backfill(landing, db, "2024-05-01", "2024-05-03") == 0
    assert (
        capsys.readouterr().out.splitlines()[-1].endswith("7 documents: 0 loaded, 7 unchanged (warehouse " + f"{db})")
    )
    assert _table_counts(db) == counts
    assert _articles(db) == articles


def test_after_one_file_of_a_day_changed_its_backfill_changes_only_that_files_records(
    prefect_server, landing, tmp_path, capsys
):
    db = tmp_path / "w.duckdb"
    assert _backfill(landing, db, "2024-05-01", "2024-05-03") == 0
    before = _articles(db)
    feed = landing / "2024-05-02" / "feed.jsonl"
    first, second = feed.read_text().splitlines()
    record = json.loads(second)
    record["text"] += "\nThe researchers will publish their full data set in June."
    feed.write_text(f"{first}\n{json.dumps(record)}\n")

    assert _backfill(landing, db, "2024-05-02", "2024-05-02") == 0
    assert "2024-05-02  3 documents: 1 loaded, 2 unchanged" in capsys.readouterr().out
    after = _articles(db)
    assert after.keys() == before.keys()
    assert {place for place in before if after[place] != before[place]} == {"2024-05-02/feed.jsonl#2"}
    assert "full data set in June" in after["2024-05-02/feed.jsonl#2"][1]


def test_days_missing_from_the_landing_folder_are_reported_not_errors(prefect_server, landing, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    (landing / "2024-05-02" / "museum.txt").unlink()
    (landing / "2024-05-02" / "feed.jsonl").unlink()
    (landing / "2024-05-02").rmdir()
    (landing / "notes.txt").write_text("not a day partition: left out, with a warning")

    assert _backfill(landing, db, "2024-04-30", "2024-05-03") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "2024-04-30  missing: no partition in the landing folder"
    assert lines[2] == "2024-05-02  missing: no partition in the landing folder"
    assert lines[-1].startswith("4 days: 2 ingested, 2 missing, 0 failed; 4 documents: 4 loaded")
    assert _table_counts(db)["articles"] == 4


def test_a_failed_day_does_not_stop_the_later_days_and_a_rerun_resumes(prefect_server, landing, tmp_path, capsys):
    """Day 2 is a link to storage that is not mounted: its ingest fails for real."""
    db = tmp_path / "w.duckdb"
    archive = tmp_path / "archive" / "2024-05-02"
    (landing / "2024-05-02").rename(tmp_path / "day-2")
    (landing / "2024-05-02").symlink_to(archive)

    assert _backfill(landing, db, "2024-05-01", "2024-05-03") == 1
    out, err = capsys.readouterr()
    assert "2024-05-02  failed: FileNotFoundError: no such file or folder" in out
    assert "1 of 3 days failed: 2024-05-02" in err
    assert "re-run the backfill to resume: days already ingested are skipped" in err.lower()
    assert {place.split("/")[0] for place in _articles(db)} == {"2024-05-01", "2024-05-03"}  # the later day ran

    archive.parent.mkdir()
    (tmp_path / "day-2").rename(archive)  # the storage is back
    assert _backfill(landing, db, "2024-05-01", "2024-05-03") == 0
    assert capsys.readouterr().out.splitlines() == [
        "2024-05-01  2 documents: 0 loaded, 2 unchanged; 0 articles, 0 rejects",
        "2024-05-02  3 documents: 3 loaded, 0 unchanged; 3 articles, 0 rejects",
        "2024-05-03  2 documents: 0 loaded, 2 unchanged; 0 articles, 0 rejects",
        f"3 days: 3 ingested, 0 missing, 0 failed; 7 documents: 3 loaded, 4 unchanged (warehouse {db})",
    ]
    assert _table_counts(db)["articles"] == 7


# -- ingest with no path -----------------------------------------------------------------


def test_ingest_with_no_path_takes_the_new_and_changed_files_of_the_landing_folder(
    prefect_server, landing, tmp_path, monkeypatch, capsys
):
    db = tmp_path / "w.duckdb"
    monkeypatch.setenv("NEWSMILL_LANDING", str(landing))
    assert main(["ingest", "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("7 documents: 7 loaded, 0 unchanged")

    (landing / "2024-05-04").mkdir()
    (landing / "2024-05-04" / "microbes.txt").write_text((SAMPLE / "09_science_plastic_microbes.txt").read_text())
    assert main(["ingest", "--landing", str(landing), "--db", str(db)]) == 0
    assert capsys.readouterr().out.startswith("8 documents: 1 loaded, 7 unchanged")


# -- run options -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command, exit_code, says",
    [
        (["ingest"], 2, "newsmill: the warehouse"),  # a usage error
        (
            ["backfill", "--since", "2024-05-01", "--until", "2024-05-01"],
            1,
            "2024-05-01  failed: WarehouseBusy: the warehouse",
        ),
    ],
)
def test_wait_bounds_how_long_a_run_waits_for_a_busy_warehouse(
    prefect_server, landing, tmp_path, capsys, command, exit_code, says
):
    db = tmp_path / "w.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.perf_counter()
        assert main(command + ["--landing", str(landing), "--db", str(db), "--wait", "1"]) == exit_code
        waited = time.perf_counter() - started
    finally:
        holder.kill()
        holder.wait()
    captured = capsys.readouterr()
    assert f"{says} {db} is busy" in captured.out + captured.err
    assert waited < 60  # not the default 600 s


@pytest.mark.parametrize("wait", ["-1", "nan", "soon"])
def test_wait_is_a_number_of_seconds(landing, capsys, wait):
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", "--landing", str(landing), "--wait", wait])
    assert exit_.value.code == 2
    assert f"--wait: expected a number of seconds, got {wait!r}" in capsys.readouterr().err


# -- usage errors, reported before Prefect starts up ---------------------------------------


@pytest.mark.parametrize("command", [["ingest"], ["backfill", "--since", "2024-05-01", "--until", "2024-05-03"]])
def test_a_missing_landing_folder_is_a_usage_error_that_says_how_to_make_one(tmp_path, monkeypatch, capsys, command):
    monkeypatch.delenv("NEWSMILL_LANDING", raising=False)
    monkeypatch.chdir(tmp_path)
    started = time.perf_counter()
    assert main(command + ["--db", str(tmp_path / "w.duckdb")]) == 2
    err = capsys.readouterr().err
    assert "no landing folder at landing: create it with one folder per day (landing/YYYY-MM-DD/)" in err
    assert "--landing" in err
    assert time.perf_counter() - started < 5


def test_a_backfill_needs_since_on_or_before_until(landing, capsys):
    assert main(["backfill", "--since", "2024-05-03", "--until", "2024-05-01", "--landing", str(landing)]) == 2
    assert "--since 2024-05-03 is after --until 2024-05-01" in capsys.readouterr().err


@pytest.mark.parametrize("day", ["20240501", "2024-05-32", "yesterday"])
def test_backfill_days_are_iso_dates(landing, capsys, day):
    with pytest.raises(SystemExit) as exit_:
        main(["backfill", "--since", day, "--until", "2024-05-01", "--landing", str(landing)])
    assert exit_.value.code == 2
    assert f"expected a date YYYY-MM-DD, got {day!r}" in capsys.readouterr().err


def test_paths_and_landing_do_not_go_together(landing, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", str(landing), "--landing", str(landing)])
    assert exit_.value.code == 2
    assert "not allowed with argument PATH" in capsys.readouterr().err
