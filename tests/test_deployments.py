"""The deployments: prefect.yaml for `prefect deploy`, and `newsmill serve`, which serves
the same two under names of its own. Checked against a real `prefect server start`, with
a real worker: the test harness's server runs no scheduler, so a schedule would never fire
on it."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

import duckdb
import httpx
import psutil
import pytest
import yaml
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.client.schemas.objects import StateType
from prefect.client.schemas.schedules import CronSchedule
from prefect.exceptions import ObjectNotFound
from prefect.flows import load_flow_from_entrypoint
from prefect.settings import PREFECT_API_URL, temporary_settings

from flows.deployments import INGEST_CRON, SERVED_BACKFILL, SERVED_SCHEDULED_INGEST, deployments

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "sample"
PREFECT = [sys.executable, "-m", "prefect"]
NEWSMILL = [sys.executable, "-m", "flows.cli"]
RUN_PARAMETERS = {"backfill": {"since": "2024-05-01", "until": "2024-05-31"}}  # what each run of it names
SERVED_AS = {"scheduled-ingest": SERVED_SCHEDULED_INGEST, "backfill": SERVED_BACKFILL}
FINAL = {StateType.COMPLETED, StateType.FAILED, StateType.CRASHED, StateType.CANCELLED}


def _declared() -> dict[str, dict]:
    """prefect.yaml's deployments by name."""
    return {d["name"]: d for d in yaml.safe_load((ROOT / "prefect.yaml").read_text())["deployments"]}


def _flow(entrypoint: str):
    return load_flow_from_entrypoint(str(ROOT / entrypoint), use_placeholder_flow=False)


def test_each_declared_deployment_runs_a_flow_that_takes_its_parameters():
    declared = _declared()
    assert declared.keys() == {"scheduled-ingest", "backfill"}
    for name, deployment in declared.items():
        flow = _flow(deployment["entrypoint"])
        flow.validate_parameters({**deployment["parameters"], **RUN_PARAMETERS.get(name, {})})
        assert deployment["work_pool"]["name"] == "newsmill"
    assert [CronSchedule(cron=s["cron"]).cron for s in declared["scheduled-ingest"]["schedules"]] == [INGEST_CRON]
    assert "schedules" not in declared["backfill"]


def test_serve_builds_the_deployments_prefect_yaml_declares():
    declared = _declared()
    served = {d.name: d for d in deployments(Path("landing"), Path("newsmill.duckdb"))}
    assert served.keys() == {SERVED_AS[name] for name in declared}
    for name in declared:
        deployment = served[SERVED_AS[name]]
        assert deployment.flow_name == _flow(declared[name]["entrypoint"]).name
        assert deployment.parameters == declared[name]["parameters"]
        assert [s.schedule.cron for s in deployment.schedules] == [
            s["cron"] for s in declared[name].get("schedules", [])
        ]


@pytest.mark.parametrize(
    "api_url, problem",
    [
        (None, "serving needs a Prefect server, which runs the schedules: start one with `prefect server start`"),
        ("http://127.0.0.1:{port}/api", "no Prefect server answers at PREFECT_API_URL=http://127.0.0.1:{port}/api"),
    ],
)
def test_serve_says_how_to_get_a_prefect_server(tmp_path, api_url, problem):
    (tmp_path / "landing").mkdir()
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"} | {"PREFECT_HOME": str(tmp_path / "home")}
    if api_url:
        env["PREFECT_API_URL"] = api_url.format(port=port)
    result = subprocess.run(
        NEWSMILL + ["serve", "--landing", str(tmp_path / "landing")],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert problem.format(port=port) in result.stderr and "Traceback" not in result.stderr


# -- against a real Prefect server -------------------------------------------------------


@pytest.fixture(scope="module")
def prefect_api(tmp_path_factory) -> dict[str, str]:
    """The environment of a `prefect server start` of its own, in a home of its own, for
    the subprocesses that use it."""
    home = tmp_path_factory.mktemp("prefect-home")
    port = _free_port()
    url = f"http://127.0.0.1:{port}/api"
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_API_URL": url, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    with open(home / "server.log", "w") as log:
        server = subprocess.Popen(
            PREFECT + ["server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        _wait_for(lambda: _answers(url), timeout=90, what=f"a Prefect server (log: {home / 'server.log'})")
        yield env
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    """A copy of the project, with a landing folder of two sample articles, for `prefect deploy`
    to run in: the deployments' relative paths are its."""
    project = tmp_path_factory.mktemp("project")
    shutil.copy(ROOT / "prefect.yaml", project)
    for package in ["flows", "transforms", "warehouse"]:
        shutil.copytree(ROOT / package, project / package, ignore=shutil.ignore_patterns("__pycache__"))
    (project / "landing" / "2024-05-01").mkdir(parents=True)
    for name in ["01_city_transit_fares.txt", "04_museum_reopening.txt"]:
        shutil.copy(SAMPLE / name, project / "landing" / "2024-05-01")
    return project


@pytest.fixture(scope="module")
def elsewhere(tmp_path_factory) -> Path:
    """A folder that is not the project's, where the worker and `serve` are started."""
    return tmp_path_factory.mktemp("elsewhere")


@pytest.fixture(scope="module")
def deployed(prefect_api, project, elsewhere) -> dict[str, str]:
    """prefect.yaml's deployments, deployed from the project folder by a process whose PWD
    names another folder, as when a program that runs elsewhere starts `prefect deploy`."""
    subprocess.run(
        PREFECT + ["work-pool", "create", "newsmill", "--type", "process"],
        env=prefect_api,
        check=True,
        capture_output=True,
        timeout=120,
    )
    deploy = subprocess.run(
        PREFECT + ["--no-prompt", "deploy", "--all"],
        cwd=project,
        env=prefect_api | {"PWD": str(elsewhere)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    return prefect_api


@pytest.fixture(scope="module")
def worker(deployed, elsewhere, tmp_path_factory):
    """A worker of the `newsmill` pool, started from a shell in another folder than the project's."""
    log_path = tmp_path_factory.mktemp("worker") / "worker.log"
    env = deployed | {"PWD": str(elsewhere), "PREFECT_WORKER_QUERY_SECONDS": "2"}
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            PREFECT + ["worker", "start", "--pool", "newsmill"],
            cwd=elsewhere,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        yield log_path
    finally:
        _stop_session(worker.pid)  # and the flow runs it started
        worker.wait()


def test_prefect_deploy_creates_both_deployments(deployed, project):
    with _client(deployed) as client:
        ingest = client.read_deployment_by_name("newsmill-ingest/scheduled-ingest")
        backfill = client.read_deployment_by_name("newsmill-backfill/backfill")
    assert ingest.work_pool_name == backfill.work_pool_name == "newsmill"
    assert ingest.parameters == {"landing": "landing", "db": "newsmill.duckdb"}
    assert [s.schedule.cron for s in ingest.schedules] == [INGEST_CRON]
    assert backfill.parameters == {"landing": "landing", "db": "newsmill.duckdb"}
    assert backfill.schedules == []
    # The folder `prefect deploy` ran in, not the one its PWD named.
    pull_into_project = [{"prefect.deployments.steps.set_working_directory": {"directory": str(project.resolve())}}]
    assert ingest.pull_steps == backfill.pull_steps == pull_into_project


def test_a_worker_started_in_another_folder_runs_the_deployments(deployed, worker, project):
    with _client(deployed) as client:
        ingest = client.read_deployment_by_name("newsmill-ingest/scheduled-ingest")
        run = client.create_flow_run_from_deployment(ingest.id)
        _wait_for(
            lambda: client.read_flow_run(run.id).state_type in FINAL,
            timeout=120,
            what=f"the end of the worker's run (log: {worker})",
        )
        state = client.read_flow_run(run.id).state
    assert state.is_completed(), f"{state.name}: {state.message} (log: {worker})"
    assert _articles_in(project / "newsmill.duckdb") == 2  # `landing` and `newsmill.duckdb` are the project's


def test_serve_after_deploy_runs_its_own_deployments(deployed, worker, project, elsewhere, tmp_path):
    """`serve` with the pool's deployments in place and their worker running: the worker takes
    none of the served runs, and each of them completes."""
    db = tmp_path / "w.duckdb"
    with open(tmp_path / "serve.log", "w") as log:
        # In a session of its own, so the flow runs it starts can be stopped with it.
        serve = subprocess.Popen(
            NEWSMILL + ["serve", "--interval", "5", "--landing", str(project / "landing"), "--db", str(db)],
            cwd=elsewhere,
            env=deployed,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        with _client(deployed) as client:
            _wait_for(
                lambda: len(_finished_runs(client, SERVED_SCHEDULED_INGEST)) >= 3,
                timeout=120,
                what=f"three served runs (log: {tmp_path / 'serve.log'})",
            )
            runs = _finished_runs(client, SERVED_SCHEDULED_INGEST)
            by_name = {d.name: d for d in client.read_deployments()}
        warm = [p for p in psutil.Process(serve.pid).children() if "flows.warm" in p.cmdline()]
    finally:
        serve.terminate()
        exit_code = serve.wait(timeout=30)
        _stop_session(serve.pid)
    assert exit_code == 0  # SIGTERM stops serving cleanly
    # Its warm process (tests/test_warm.py) answered, and ends with it.
    assert "newsmill: warm: newsmill commands in this environment start warm" in (tmp_path / "serve.log").read_text()
    assert len(warm) == 1 and psutil.wait_procs(warm, timeout=30)[1] == []
    assert [(run.state_name, run.work_pool_name) for run in runs] == [("Completed", None)] * len(runs)
    assert _articles_in(db) == 2
    assert all(by_name[name].work_pool_name is None and not by_name[name].pull_steps for name in SERVED_AS.values())
    assert all(
        by_name[name].work_pool_name == "newsmill" and by_name[name].pull_steps for name in SERVED_AS
    )  # as deployed


def _finished_runs(client, deployment_name: str) -> list:
    """The runs of the ingest deployment `deployment_name` that have finished, however they ended."""
    try:
        deployment = client.read_deployment_by_name(f"newsmill-ingest/{deployment_name}")
    except ObjectNotFound:  # not registered yet
        return []
    runs = client.read_flow_runs(deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id])))
    return [run for run in runs if run.state_type in FINAL]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"no sign of {what} after {timeout:g} s")
        time.sleep(0.5)


def _answers(url: str) -> bool:
    try:
        return httpx.get(f"{url}/health", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _articles_in(db: Path) -> int:
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            return con.execute("SELECT count(*) FROM articles").fetchone()[0]
    except duckdb.Error:  # not created yet, or a run has it open for writing
        return 0


@contextmanager
def _client(env: dict[str, str]):
    with temporary_settings(updates={PREFECT_API_URL: env["PREFECT_API_URL"]}):
        with get_client(sync_client=True) as client:
            yield client


def _stop_session(pid: int) -> None:
    """Kill whatever is left of the process group `pid` leads: flow runs still going."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
