"""What an ingest shows on a terminal: a progress bar and the summary; Prefect's log goes
to Prefect, and to the terminal only with --verbose; Ctrl-C ends it in one line."""

import os
import re
import sys
from pathlib import Path

import duckdb
import psutil
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId
from prefect.settings import PREFECT_API_URL

from bench.corpus import write_mixed_folder
from tests.terminal import on_a_terminal

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample"
NEWSMILL = [sys.executable, "-m", "flows.cli"]
PREFECT_LOG_LINE = " | INFO    | "  # how Prefect's console handler starts a line


@pytest.fixture
def prefect_api(prefect_server) -> dict:
    """The environment of a command that runs its flows against the session's Prefect server."""
    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


def _flow_run_id(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select flow_run_id from runs").fetchall()[0][0]


def _logged(flow_run_id: str) -> list[str]:
    with get_client(sync_client=True) as client:
        return [log.message for log in client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run_id])))]


def test_an_ingest_shows_a_progress_bar_and_the_summary_and_logs_to_prefect(prefect_api, tmp_path):
    db = tmp_path / "w.duckdb"
    session = on_a_terminal([*NEWSMILL, "ingest", str(SAMPLE), "--db", str(db)], ROOT, env=prefect_api)

    assert session.returncode == 0
    assert "━" in session.text and "100%  12 read, 12 loaded" in session.text  # the bar, before it is cleared
    assert "12 documents: 12 loaded, 0 unchanged" in session.text
    assert PREFECT_LOG_LINE not in session.text and "Task run" not in session.text
    logged = _logged(_flow_run_id(db))
    assert any(message.startswith("ingest finished") for message in logged)
    assert any("Finished in state Completed" in message for message in logged)


def test_verbose_shows_prefects_log_too(prefect_api, tmp_path):
    db = tmp_path / "w.duckdb"
    session = on_a_terminal([*NEWSMILL, "ingest", str(SAMPLE), "--db", str(db), "--verbose"], ROOT, env=prefect_api)

    assert session.returncode == 0
    assert PREFECT_LOG_LINE in session.text and "Finished in state Completed" in session.text
    assert "12 documents: 12 loaded, 0 unchanged" in session.text


def test_without_a_terminal_there_is_no_bar_and_no_prefect_log(prefect_api, tmp_path):
    import subprocess

    db = tmp_path / "w.duckdb"
    result = subprocess.run(
        [*NEWSMILL, "ingest", str(SAMPLE), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        env=prefect_api,
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("12 documents: 12 loaded, 0 unchanged")


@pytest.mark.parametrize("server", ["temporary", "given"])
def test_ctrl_c_ends_the_run_in_one_line_and_leaves_no_process(server, prefect_api, tmp_path):
    """With no PREFECT_API_URL, Prefect starts a temporary server, which a Ctrl-C used to
    stop before the run could record that it ended: the run then retried for minutes."""
    folder = tmp_path / "input"
    write_mixed_folder(folder, 600)
    db = tmp_path / "w.duckdb"
    env = prefect_api if server == "given" else {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    ours_before = {p.pid for p in psutil.Process().children(recursive=True)}  # the session's Prefect server
    started: list[psutil.Process] = []

    def reading(text: str) -> bool:  # the first batch is read, and the workers are busy with it
        if not re.search(r"[1-9][\d,]* read,", text):
            return False
        started.extend(p for p in psutil.Process().children(recursive=True) if p.pid not in ours_before)
        return True

    session = on_a_terminal(
        [*NEWSMILL, "ingest", str(folder), "--db", str(db), "--processes", "2"],
        ROOT,
        env=env,
        interrupt_when=reading,
        timeout=60,
    )

    assert session.interrupted and session.returncode == 130
    shown = [line for line in session.text.splitlines() if line.strip() and "━" not in line]
    assert shown == [
        "newsmill: interrupted. The batches loaded before it are kept, none is half-loaded; "
        "run the ingest again to go on."
    ]
    psutil.wait_procs(started, timeout=10)
    assert [p.cmdline() for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE] == []
