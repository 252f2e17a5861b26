"""A run's processes die with it: `kill -9` of a `newsmill ingest` (what the OOM killer
does) leaves none of the processes it started, neither its process-pool workers nor the
temporary Prefect server it starts when no PREFECT_API_URL is set, and the next run
completes. The workers of a Dask cluster it was given are the user's: they stay. Every
run killed here is a real `newsmill ingest` process, killed with a real signal."""

import os
import random
import signal
import sqlite3
import time
from contextlib import closing
from pathlib import Path

import psutil
import pytest
from prefect.settings import PREFECT_API_URL, get_current_settings

from bench.corpus import article, scraped_text
from bench.reliability import broken_invariants
from flows.ingest import ingest
from flows.options import RunOptions
from flows.parallel import MIN_ITEMS_TO_START_WORKERS
from tests.test_one_writer import Watched, _counts, _run_statuses

ARTICLES = MIN_ITEMS_TO_START_WORKERS  # one batch, just enough to start the workers
# The log line of a batch's site templates stripped, in the run's own process: the workers
# (or the cluster) have cleaned every chunk of the batch.
CLEANED = ("Task run 'site templates-", "Completed")


def write_corpus(folder: Path) -> Path:
    """`ARTICLES` short text articles, quick to clean, in `folder`."""
    rng = random.Random(7)
    for n in range(ARTICLES):
        (folder / f"{n:03d}.txt").write_text(scraped_text(rng, *article(rng)), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return write_corpus(tmp_path_factory.mktemp("corpus"))


def _prefect_home(home: Path) -> Path:
    """A Prefect home for a run's temporary server, its database a copy of the test server's:
    migrated already, which saves the server most of its first start."""
    home.mkdir()
    url = get_current_settings().server.database.connection_url.get_secret_value()
    if url.startswith("sqlite+aiosqlite:///"):
        with (
            closing(sqlite3.connect(url.removeprefix("sqlite+aiosqlite:///"))) as database,
            closing(sqlite3.connect(home / "prefect.db")) as copy,
        ):
            database.backup(copy)
    return home


def _newsmill(env: dict[str, str], *args: str) -> Watched:
    """The `newsmill` command; a run's with --verbose, for Prefect's log of its tasks."""
    return Watched(["-m", "flows.cli", *args, *["--verbose"] * (args[0] in ("ingest", "backfill"))], env)


def _alive(process: psutil.Process) -> bool:
    try:  # is_running also tells a new process that took the pid from the one it was
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _command(process: psutil.Process) -> str:
    try:
        return " ".join(process.cmdline())
    except psutil.Error:  # gone meanwhile
        return ""


def _describe(processes: list[psutil.Process]) -> list[str]:
    return [f"{process.pid}: {_command(process)[:120]}" for process in processes]


def _kill(run: Watched, wanted: dict[str, int]) -> tuple[list[str], list[str]]:
    """`kill -9` the run once it has started the processes `wanted` ({part of the command
    line: how many}); then (every process it had started, those still running 5 s later).
    Those are killed here, so that a failure leaves none behind either."""
    deadline = time.monotonic() + 60
    while True:
        started = psutil.Process(run.process.pid).children(recursive=True)
        if all(sum(part in _command(p) for p in started) >= n for part, n in wanted.items()):
            break
        assert time.monotonic() < deadline, f"it started only {_describe(started)}:\n{run.output}"
        time.sleep(0.05)
    os.kill(run.process.pid, signal.SIGKILL)
    assert run.process.wait(timeout=30) == -signal.SIGKILL  # not `finish`: what is left holds its output open
    deadline = time.monotonic() + 5  # the server is given its SIGTERM's time: it takes about 0.2 s
    while (left := [p for p in started if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    described = _describe(started), _describe(left)
    for process in left:
        for leftover in [process, *process.children(recursive=True)]:
            leftover.kill()
    return described


def test_a_run_killed_with_sigkill_leaves_none_of_its_processes_and_the_next_run_completes(
    prefect_server, corpus, tmp_path
):
    db = tmp_path / "w.duckdb"
    # As `newsmill ingest` runs out of the box: no server given, so it starts its own.
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API_")},
        "PREFECT_HOME": str(_prefect_home(tmp_path / "prefect")),
        "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    }  # more than enough on 2 busy cores
    run = _newsmill(env, "ingest", str(corpus), "--db", str(db), "--processes", "2")
    run.wait_for(*CLEANED, timeout=180)  # both workers are up, and have each cleaned a chunk
    started, left = _kill(run, {"multiprocessing.spawn": 2, "uvicorn": 1})

    assert left == [], f"left running after the run was killed: {left}\nof: {started}"
    assert ingest([str(corpus)], db=str(db), options=RunOptions(processes=1))["articles"] == ARTICLES
    assert _counts(db)["articles"] == ARTICLES
    assert broken_invariants(db) == {}
    statuses = _run_statuses(db)  # the killed run had loaded nothing yet: it may have left no row
    assert statuses[-1] == "completed" and set(statuses[:-1]) <= {"failed"}, statuses


def test_a_killed_run_leaves_the_workers_of_the_dask_cluster_it_was_given_running(prefect_server, corpus, tmp_path):
    from distributed import Client, LocalCluster

    # The session's server: were there none, each Dask worker would start one of its own
    # (that is Prefect's doing, in the user's workers), seconds of CPU each.
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}
    with (
        LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        workers = [psutil.Process(pid) for pid in client.run(os.getpid).values()]
        run = _newsmill(
            env, "ingest", str(corpus), "--db", str(tmp_path / "w.duckdb"), "--dask-address", cluster.scheduler_address
        )
        run.wait_for(*CLEANED, timeout=180)  # the cluster has run a stage for it
        started, left = _kill(run, {})

        assert left == [], f"left running after the run was killed: {left}\nof: {started}"
        assert all(map(_alive, workers)) and len(client.scheduler_info()["workers"]) == 1
        assert client.submit(sum, [1, 2]).result(timeout=30) == 3  # and they still work
