"""The landing folder scrapers drop files into: LANDING/YYYY-MM-DD/..., one folder per day."""

from __future__ import annotations

import logging
import os
from datetime import date, timedelta
from pathlib import Path

from transforms.read.days import day_named

DEFAULT_FOLDER = "landing"


def default_landing() -> Path:
    """`$NEWSMILL_LANDING`, else ./landing."""
    return Path(os.environ.get("NEWSMILL_LANDING") or DEFAULT_FOLDER)


def require_landing(landing: Path) -> Path:
    """`landing`, when it is a folder; else FileNotFoundError saying how to set one up."""
    if not landing.is_dir():
        raise FileNotFoundError(
            f"no landing folder at {landing}: create it with one folder per day ({landing}/YYYY-MM-DD/), "
            "or point --landing or $NEWSMILL_LANDING at yours (`newsmill ingest PATH...` takes other files)"
        )
    return landing


def day_partitions(landing: Path) -> tuple[dict[date, Path], list[Path]]:
    """(day -> its folder, the entries that are not day partitions). A partition is named
    as the ISO date it covers; hidden entries are neither."""
    days: dict[date, Path] = {}
    strays: list[Path] = []
    for entry in sorted(landing.iterdir()):
        if entry.name.startswith("."):
            continue
        day = day_named(entry.name)
        # A link to a folder that is not there (storage not mounted) still names its day:
        # ingesting it fails, so the day is reported failed rather than passed over as missing.
        if day is None or entry.is_file():
            strays.append(entry)
        else:
            days[day] = entry
    return days, strays


def landing_days(landing: str | None, logger: logging.Logger | logging.LoggerAdapter) -> dict[date, Path]:
    """The day partitions of the landing folder `landing` (default: `default_landing()`),
    which a backfill or an ingest of the whole landing folder reads; its other entries are
    left out, with a warning."""
    partitions, strays = day_partitions(require_landing(Path(landing) if landing else default_landing()))
    if strays:
        logger.warning("not day partitions (folders named YYYY-MM-DD), left out: %s", ", ".join(p.name for p in strays))
    return partitions


def reachable_days(landing: str | None, logger: logging.Logger | logging.LoggerAdapter) -> list[str]:
    """The folders of `landing_days` an ingest of the whole landing folder reads. A day
    whose folder cannot be reached (a link to storage not mounted) is left out with a
    warning, so it holds back no other day (a backfill reports it failed instead)."""
    folders = landing_days(landing, logger).values()
    if unreachable := [folder.name for folder in folders if not folder.is_dir()]:
        logger.warning("day partitions that cannot be reached, left out: %s", ", ".join(unreachable))
    return [str(folder) for folder in folders if folder.is_dir()]


def days_between(partitions: dict[date, Path], since: date, until: date) -> dict[date, Path | None]:
    """Every day from `since` to `until`, both included, with its folder (None when the
    landing folder has none)."""
    days = (since + timedelta(days=n) for n in range((until - since).days + 1))
    return {day: partitions.get(day) for day in days}
