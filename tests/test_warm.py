"""Runs started warm (flows/warm.py): with a warm process answering, `newsmill ingest`
runs in a copy of it, with the output, status, warehouse and signals of the command run
on its own; and a command whose environment differs, or that is killed, is not served by
it, or takes its run along. Every process here is real: the warm process as `newsmill
serve` starts it, and the `newsmill` console script."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
from prefect.settings import PREFECT_API_URL

from bench.end_to_end import NEWSMILL  # the console script
from flows import warm
from tests.conftest import SAMPLE
from tests.test_one_writer import _counts
from tests.test_workers_die_with_run import ARTICLES, write_corpus

ROOT = Path(__file__).resolve().parents[1]
SUMMARY_TIMES = re.compile(r"\(run \S+, [\d.]+ s, ")  # what differs between two runs of the same input


@pytest.fixture(scope="module")
def environment(prefect_server, tmp_path_factory) -> dict[str, str]:
    """The session's Prefect server, and a temporary folder of this module's own, where the socket goes."""
    temporary = tmp_path_factory.mktemp("tmp")
    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "TMPDIR": str(temporary)}


def _start_warm_process(env: dict[str, str]) -> subprocess.Popen:
    """A warm process, as `newsmill serve` starts it: its standard input the pipe from serve."""
    return subprocess.Popen(
        [sys.executable, "-m", "flows.warm"],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


@pytest.fixture(scope="module")
def warm_process(environment):
    """A warm process answering within the block, its pipe from serve closed at the end."""
    process = _start_warm_process(environment)
    deadline = time.monotonic() + 120
    while not ((path := warm.socket_path(environment, ROOT)) and warm.hand_over_possible(path)):
        assert process.poll() is None, process.stdout.read()
        assert time.monotonic() < deadline, "the warm process did not answer in 120 s"
        time.sleep(0.1)
    yield process
    process.stdin.close()
    process.wait(timeout=60)


def _newsmill(env: dict[str, str], *args: str, **popen) -> subprocess.Popen:
    return subprocess.Popen(
        [*NEWSMILL, *args], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen
    )


def _served(warm_process) -> list[str]:
    """The lines the warm process has printed so far, one for each command it ran (without waiting)."""
    os.set_blocking(warm_process.stdout.fileno(), False)
    return [line for line in warm_process.stdout if line.startswith("newsmill: warm: newsmill ")]


def test_an_ingest_runs_in_the_warm_process_as_it_would_on_its_own(warm_process, environment, tmp_path):
    on_its_own = subprocess.run(
        [sys.executable, "-m", "flows.cli", "ingest", str(SAMPLE), "--db", str(tmp_path / "own.duckdb")],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    _served(warm_process)
    served = _newsmill(environment, "ingest", str(SAMPLE), "--db", str(tmp_path / "warm.duckdb"))
    out, err = served.communicate(timeout=300)

    assert served.returncode == on_its_own.returncode == 0, err
    assert SUMMARY_TIMES.sub("", out).replace("warm.duckdb", "own.duckdb") == SUMMARY_TIMES.sub("", on_its_own.stdout)
    assert _counts(tmp_path / "warm.duckdb") == _counts(tmp_path / "own.duckdb")
    assert [line.split(" (pid")[0] for line in _served(warm_process)] == [
        f"newsmill: warm: newsmill ingest {SAMPLE} --db {tmp_path / 'warm.duckdb'}"
    ]


def test_the_command_exits_with_the_runs_status_and_says_what_it_would(warm_process, environment, tmp_path):
    _served(warm_process)
    missing = _newsmill(environment, "ingest", str(tmp_path / "nowhere"), "--db", str(tmp_path / "w.duckdb"))
    _, err = missing.communicate(timeout=60)

    assert missing.returncode == 2
    assert err == f"newsmill: no such file or folder: {tmp_path / 'nowhere'}\n"
    assert len(_served(warm_process)) == 1


def test_other_commands_and_other_environments_run_on_their_own(warm_process, environment, tmp_path):
    _served(warm_process)
    other = {**environment, "PREFECT_TASKS_DEFAULT_RETRIES": "1"}  # a setting Prefect reads as it is imported
    ran = _newsmill(other, "ingest", str(SAMPLE / "01_city_transit_fares.txt"), "--db", str(tmp_path / "w.duckdb"))
    assert ran.wait(timeout=300) == 0, ran.communicate()
    sql = _newsmill(environment, "sql", "SELECT count(*) AS n FROM articles", "--db", str(tmp_path / "w.duckdb"))
    assert sql.wait(timeout=60) == 0, sql.communicate()

    assert _served(warm_process) == []
    assert warm.socket_path(other, ROOT) != warm.socket_path(environment, ROOT)


def test_the_settings_files_prefect_reads_in_the_working_folder_are_part_of_the_environment(environment, tmp_path):
    before = warm._digest(environment, tmp_path)
    (tmp_path / "prefect.toml").write_text('[logging]\nlevel = "DEBUG"\n')

    assert warm._digest(environment, tmp_path) != before
    assert warm._digest(environment, tmp_path) == warm._digest(dict(environment), tmp_path)


def test_a_socket_folder_others_can_reach_is_not_used(environment, tmp_path):
    folder = tmp_path / f"newsmill-{os.getuid()}"
    folder.mkdir(mode=0o700)
    env = {**environment, "TMPDIR": str(tmp_path)}
    script = "import os, pathlib, sys; from flows import warm; print(warm.socket_path(os.environ, pathlib.Path.cwd()))"

    def found() -> str:
        return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True).stdout

    assert found().startswith(str(folder))
    folder.chmod(0o755)
    assert found() == "None\n"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough articles for a run to start its workers."""
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def _run_with_workers(warm_process, env, corpus: Path, db: Path) -> tuple[subprocess.Popen, psutil.Process]:
    """`newsmill ingest` of `corpus`, once its run (the warm process's copy) has started its two workers."""
    command = _newsmill(env, "ingest", str(corpus), "--db", str(db), "--processes", "2")
    deadline = time.monotonic() + 180
    while True:
        runs = psutil.Process(warm_process.pid).children()
        if runs and sum("multiprocessing.spawn" in " ".join(p.cmdline()) for p in runs[0].children()) == 2:
            return command, runs[0]
        assert command.poll() is None, command.communicate()
        assert time.monotonic() < deadline, "the run started no workers in 180 s"
        time.sleep(0.05)


def test_a_command_killed_with_sigkill_takes_its_run_and_workers_with_it(warm_process, environment, corpus, tmp_path):
    command, run = _run_with_workers(warm_process, environment, corpus, tmp_path / "w.duckdb")
    started = [run, *run.children(recursive=True)]
    command.kill()
    command.wait(timeout=30)

    deadline = time.monotonic() + 10
    while (left := [p for p in started if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]) and (
        time.monotonic() < deadline
    ):
        time.sleep(0.05)
    assert left == []
    again = _newsmill(environment, "ingest", str(corpus), "--db", str(tmp_path / "w.duckdb"))
    assert again.wait(timeout=300) == 0, again.communicate()
    assert _counts(tmp_path / "w.duckdb")["articles"] == ARTICLES


def test_a_ctrl_c_interrupts_the_run_as_it_would_on_its_own(warm_process, environment, corpus, tmp_path):
    command, run = _run_with_workers(warm_process, environment, corpus, tmp_path / "w.duckdb")
    command.send_signal(signal.SIGINT)
    _, err = command.communicate(timeout=120)

    assert command.returncode == 130
    assert err.startswith("newsmill: interrupted.")
    assert not run.is_running() or run.status() == psutil.STATUS_ZOMBIE


def test_the_warm_process_ends_when_serve_is_gone(environment, tmp_path):
    env = {**environment, "TMPDIR": str(tmp_path)}
    process = _start_warm_process(env)
    assert process.stdout.readline().startswith("newsmill: warm: newsmill commands in this environment start warm")
    path = warm.socket_path(env, ROOT)
    assert warm.hand_over_possible(path)

    process.stdin.close()
    assert process.wait(timeout=30) == 0
    assert not path.exists()


def test_a_socket_left_by_a_warm_process_that_died_is_passed_over(environment, tmp_path):
    env = {**environment, "TMPDIR": str(tmp_path)}
    (tmp_path / f"newsmill-{os.getuid()}").mkdir(mode=0o700)
    path = warm.socket_path(env, ROOT)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))  # bound, never listening: as after a kill -9
    ran = _newsmill(env, "ingest", str(SAMPLE / "01_city_transit_fares.txt"), "--db", str(tmp_path / "w.duckdb"))
    out, err = ran.communicate(timeout=300)

    assert ran.returncode == 0, err
    assert out.startswith("1 documents: 1 loaded")
