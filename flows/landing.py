"""The landing folder scrapers drop files into: LANDING/YYYY-MM-DD/..., one folder per day."""

from __future__ import annotations

import os
import re
from datetime import date, timedelta
from pathlib import Path

DEFAULT_FOLDER = "landing"
DAY_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")  # date.fromisoformat alone would take 20240501 and 2024-W18-3


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
        day = _day(entry.name)
        # A link to a folder that is not there (storage not mounted) still names its day:
        # ingesting it fails, so the day is reported failed rather than passed over as missing.
        if day is None or entry.is_file():
            strays.append(entry)
        else:
            days[day] = entry
    return days, strays


def _day(name: str) -> date | None:
    if not DAY_NAME.fullmatch(name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:  # 2024-02-30
        return None


def days_between(partitions: dict[date, Path], since: date, until: date) -> dict[date, Path | None]:
    """Every day from `since` to `until`, both included, with its folder (None when the
    landing folder has none)."""
    days = (since + timedelta(days=n) for n in range((until - since).days + 1))
    return {day: partitions.get(day) for day in days}
