"""The DuckDB line: newsmill's warehouse opens in the DuckDB CLI installed with it, and a
warehouse in a newer DuckDB's file format gets a message saying how to move it over."""

import gzip
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from warehouse import Warehouse
from warehouse.connection import duckdb_cli

ROOT = Path(__file__).resolve().parents[1]
NEWER_FORMAT = ROOT / "tests" / "fixtures" / "duckdb2" / "warehouse.duckdb.gz"


@pytest.fixture
def newer_format(tmp_path) -> Path:
    db = tmp_path / "from-duckdb-2.duckdb"
    db.write_bytes(gzip.decompress(NEWER_FORMAT.read_bytes()))
    return db


def test_the_warehouse_opens_in_the_installed_duckdb_cli(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db):  # creates the tables and views
        pass
    cli = duckdb_cli()
    printed = subprocess.run([cli, "--version"], capture_output=True, text=True, check=True).stdout
    assert printed.startswith(f"v{duckdb.__version__} ")
    counted = subprocess.run(
        [cli, "-readonly", "-csv", "-noheader", str(db), "-c", "select count(*) from articles"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (counted.returncode, counted.stdout, counted.stderr) == (0, "0\n", "")


@pytest.mark.parametrize(
    "command",
    [["sql", "select 1"], ["report", "--out", "report.html"], ["ingest", "examples/sample"]],
    ids=["sql", "report", "ingest"],
)
def test_a_warehouse_in_a_newer_format_says_how_to_move_it(newer_format, command, tmp_path):
    before = newer_format.read_bytes()
    result = subprocess.run(
        [sys.executable, "-m", "flows.cli", *command, "--db", str(newer_format)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1, result.stderr
    assert (
        "is in a newer DuckDB's file format" in result.stderr
        and f"newsmill runs on DuckDB {duckdb.__version__}" in result.stderr
    )
    assert "COPY FROM DATABASE old TO new" in result.stderr
    assert newer_format.read_bytes() == before
