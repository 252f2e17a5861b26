"""The backfill flow: one ingest subflow per day partition of the landing folder.

A day that fails does not stop the later ones. Re-running the backfill resumes it: the
ingest skips every file the warehouse already holds as it is, so the days that were
ingested cost a read of their files, and only what failed or changed is loaded.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from prefect import flow, get_run_logger

from flows.ingest import ingest
from flows.landing import days_between, landing_days
from flows.options import RunOptions


class BackfillFailed(RuntimeError):
    """Some days failed; `days` holds what became of every day."""

    def __init__(self, days: dict[str, dict]):
        self.days = days
        failed = [day for day, outcome in days.items() if outcome["status"] == "failed"]
        super().__init__(f"{len(failed)} of {len(days)} days failed: {', '.join(failed)}")


@flow(name="newsmill-backfill")
def backfill(
    since: date,
    until: date,
    landing: str | None = None,
    db: str | None = None,
    options: RunOptions = RunOptions(),
) -> dict[str, dict]:
    """Ingest the day partitions LANDING/YYYY-MM-DD/ from `since` to `until` (both
    included) of the landing folder (default: `$NEWSMILL_LANDING`, else ./landing), each
    as an ingest subflow run named after its day, into the warehouse at `db` with `options`.

    Returns each day's outcome by ISO date: its ingest summary with status `ingested`,
    status `missing` when the landing folder has no partition for it, or `failed` with
    the error. When any day failed, raises BackfillFailed at the end, after the later days.
    """
    if since > until:
        raise ValueError(f"since ({since}) is after until ({until})")
    logger = get_run_logger()
    partitions = landing_days(landing, logger)
    days = {
        day.isoformat(): _ingest_day(day, folder, db, options)
        for day, folder in days_between(partitions, since, until).items()
    }
    if any(outcome["status"] == "failed" for outcome in days.values()):
        raise BackfillFailed(days)
    return days


def _ingest_day(day: date, folder: Path | None, db: str | None, options: RunOptions) -> dict:
    logger = get_run_logger()
    if folder is None:
        logger.info("%s: no partition in the landing folder", day)
        return {"status": "missing"}
    try:
        summary = ingest.with_options(flow_run_name=day.isoformat())([str(folder)], db=db, options=options)
    except Exception as error:  # the day's run is Failed, with its traceback in its log
        logger.error("%s failed: %s: %s", day, type(error).__name__, error)
        return {"status": "failed", "error": f"{type(error).__name__}: {error}"}
    return {"status": "ingested", **summary}
