"""newsmill's deployments: the scheduled ingest of the landing folder, and backfills.

prefect.yaml declares the two for `prefect deploy`, whose runs a worker of the `newsmill`
work pool picks up; `newsmill serve` builds them here and runs them in its own process,
with no work pool. tests/test_deployments.py keeps the two in step.

The served ones have names of their own, so each deployment has one kind of runner whatever
ran last. Serving under prefect.yaml's names would update the deployments `prefect deploy`
made, and Prefect's update keeps what serve does not send: the work pool, whose worker
then takes the runs, and the code location, so that the runs crash in serve too.
"""

from __future__ import annotations

from pathlib import Path

from prefect.client.orchestration import get_client
from prefect.deployments.runner import RunnerDeployment
from prefect.settings import PREFECT_API_URL

from flows.backfill import backfill
from flows.ingest import ingest

SERVED_SCHEDULED_INGEST = "scheduled-ingest-served"
SERVED_BACKFILL = "backfill-served"
INGEST_CRON = "*/15 * * * *"


def deployments(
    landing: Path, db: Path, cron: str | None = None, interval: float | None = None
) -> list[RunnerDeployment]:
    """The scheduled ingest of `landing` into `db`, on `cron` (default INGEST_CRON) or every
    `interval` seconds; and the backfill, which has no schedule: each run names its days."""
    schedule = {"interval": interval} if interval else {"cron": cron or INGEST_CRON}
    return [
        ingest.to_deployment(SERVED_SCHEDULED_INGEST, parameters={"landing": str(landing), "db": str(db)}, **schedule),
        backfill.to_deployment(SERVED_BACKFILL, parameters={"landing": str(landing), "db": str(db)}),
    ]


def prefect_api_problem() -> str | None:
    """Why the configured Prefect API cannot run the deployments' schedules, or None when it can.
    Without PREFECT_API_URL, Prefect starts a temporary server per process, which has no scheduler."""
    url = PREFECT_API_URL.value()
    if not url:
        return (
            "serving needs a Prefect server, which runs the schedules: start one with `prefect server start`, "
            "then `prefect config set PREFECT_API_URL=http://127.0.0.1:4200/api` (README: Prefect)"
        )
    with get_client(sync_client=True) as client:
        error = client.api_healthcheck()
    if error:
        return f"no Prefect server answers at PREFECT_API_URL={url} ({error}): start it with `prefect server start`"
    return None
