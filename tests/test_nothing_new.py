"""A run with nothing new is found out before any flow run (`flows.scan.nothing_new`), and
`newsmill ingest` starts Prefect's temporary server itself, as the command starts
(`flows.lifeline.TemporaryServer`): real warehouses, real flow runs, real processes."""

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest
from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL

from flows.cli import main
from flows.ingest import ingest
from flows.options import RunOptions
from flows.scan import nothing_new
from tests.test_workers_die_with_run import _prefect_home

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample"


@pytest.fixture
def stored(prefect_server, tmp_path) -> tuple[Path, Path]:
    """A copy of the sample, ingested once."""
    folder = Path(shutil.copytree(SAMPLE, tmp_path / "sample"))
    db = tmp_path / "w.duckdb"
    ingest([str(folder)], db=str(db), options=RunOptions(processes=1))
    return folder, db


def _flow_runs() -> int:
    with get_client(sync_client=True) as client:
        return len(client.read_flow_runs(limit=200))


def _runs(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("SELECT run_id, status FROM runs ORDER BY started_at").fetchall()


def test_the_same_files_again_are_nothing_new_and_counted(stored):
    folder, db = stored
    records = len(list(folder.iterdir()))

    summary = nothing_new([str(folder)], db, RunOptions())

    assert summary is not None
    assert (summary["documents"], summary["unchanged"], summary["articles"], summary["gone"]) == (
        records,
        records,
        0,
        0,
    )
    assert summary["run_id"] is None


def test_a_changed_or_a_new_file_is_something_new(stored):
    folder, db = stored
    changed = sorted(folder.iterdir())[0]
    original = changed.read_bytes()

    changed.write_bytes(original + b"\nOne more line of the article.\n")
    assert nothing_new([str(folder)], db, RunOptions()) is None
    changed.write_bytes(original)
    assert nothing_new([str(folder)], db, RunOptions()) is not None

    (folder / "new.txt").write_text("A new article about the harbour in Lisbon.\n")
    assert nothing_new([str(folder)], db, RunOptions()) is None


def test_gone_files_are_counted_unless_pruning_has_them_removed(stored):
    folder, db = stored
    sorted(folder.iterdir())[0].unlink()

    assert nothing_new([str(folder)], db, RunOptions())["gone"] == 1
    assert nothing_new([str(folder)], db, RunOptions(prune=True)) is None


def test_a_forced_run_a_missing_a_busy_or_an_older_warehouse_leave_it_to_the_flow(stored, tmp_path):
    folder, db = stored

    assert nothing_new([str(folder)], db, RunOptions(force=True)) is None
    assert nothing_new([str(folder)], tmp_path / "none.duckdb", RunOptions()) is None
    assert not (tmp_path / "none.duckdb").exists()
    writer = subprocess.Popen(  # another process's writer has the file open: a run would wait its turn
        [sys.executable, "-c", f"from warehouse import Warehouse; w = Warehouse({str(db)!r}).__enter__(); input()"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
    )
    try:
        while not _held(db):
            time.sleep(0.05)
        assert nothing_new([str(folder)], db, RunOptions()) is None
    finally:
        writer.communicate(b"\n", timeout=30)
    assert nothing_new([str(folder)], db, RunOptions()) is not None
    with duckdb.connect(str(db)) as con:  # a migration not applied yet: the run applies it
        con.execute("DELETE FROM schema_migrations WHERE version = (SELECT max(version) FROM schema_migrations)")
    assert nothing_new([str(folder)], db, RunOptions()) is None


def _held(db: Path) -> bool:
    try:
        duckdb.connect(str(db), read_only=True).close()
    except duckdb.IOException:
        return True
    return False


def test_the_command_says_nothing_new_without_a_flow_run_and_leaves_the_warehouse_as_it_was(stored, capsys):
    folder, db = stored
    runs, flow_runs = _runs(db), _flow_runs()
    capsys.readouterr()

    assert main(["ingest", str(folder), "--db", str(db)]) == 0

    assert "unchanged (nothing new, " in capsys.readouterr().out
    assert (_runs(db), _flow_runs()) == (runs, flow_runs)


def test_a_landing_folder_with_nothing_new_still_warns_of_what_it_leaves_out(prefect_server, tmp_path, capsys):
    landing = tmp_path / "landing"
    shutil.copytree(SAMPLE, landing / "2025-10-16")
    (landing / "notes").mkdir()
    db = tmp_path / "w.duckdb"
    assert main(["ingest", "--landing", str(landing), "--db", str(db)]) == 0
    capsys.readouterr()

    assert main(["ingest", "--landing", str(landing), "--db", str(db)]) == 0

    printed = capsys.readouterr()
    assert "nothing new" in printed.out
    assert printed.err.count("not day partitions (folders named YYYY-MM-DD), left out: notes") == 1


def _processes_of(home: Path) -> list[psutil.Process]:
    """The processes running with PREFECT_HOME `home`: the command's and what it started."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.environ().get("PREFECT_HOME") == str(home) and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except psutil.Error:
            continue
    return found


def _ingest_the_sample(home: Path, db: Path, *flags: str) -> subprocess.CompletedProcess:
    """`newsmill ingest` of the sample in a process of its own, with no server given and
    Prefect's home `home`."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")},
        "PREFECT_HOME": str(home),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",  # more than enough on 2 busy cores
    }
    return subprocess.run(
        [sys.executable, "-m", "flows.cli", "ingest", str(SAMPLE), "--db", str(db), *flags],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_with_no_server_given_the_command_starts_one_and_none_of_its_processes_outlive_it(prefect_server, tmp_path):
    home = _prefect_home(tmp_path / "prefect")
    db = tmp_path / "w.duckdb"

    done = _ingest_the_sample(home, db, "--verbose")

    assert done.returncode == 0, done.stdout + done.stderr
    assert "Finished in state Completed()" in done.stdout + done.stderr
    assert "Starting temporary server" not in done.stdout + done.stderr  # Prefect started none of its own
    deadline = time.monotonic() + 10  # the watchdog stops the server once the command has exited
    while (left := _processes_of(home)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert left == []


def test_a_server_named_by_prefects_profile_is_used_and_none_is_started(prefect_server, tmp_path):
    home = _prefect_home(tmp_path / "prefect")
    (home / "profiles.toml").write_text(
        f'active = "named"\n\n[profiles.named]\nPREFECT_API_URL = "{PREFECT_API_URL.value()}"\n'
    )
    db = tmp_path / "w.duckdb"

    done = _ingest_the_sample(home, db)

    assert done.returncode == 0, done.stdout + done.stderr
    with duckdb.connect(str(db), read_only=True) as con:
        (flow_run_id,) = con.execute("SELECT flow_run_id FROM runs").fetchone()
    with get_client(sync_client=True) as client:  # the run is on the server the profile names
        assert client.read_flow_run(flow_run_id).state.is_completed()
