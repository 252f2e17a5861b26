"""Day folders: scrapers file what they fetch in folders named after the day, LANDING/YYYY-MM-DD/."""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import PurePath

DAY_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")  # date.fromisoformat alone would take 20240501 and 2024-W18-3


def day_named(name: str) -> date | None:
    """The day a folder named YYYY-MM-DD stands for; None for any other name."""
    if not DAY_NAME.fullmatch(name):
        return None
    try:
        return date.fromisoformat(name)
    except ValueError:  # 2024-02-30
        return None


def folder_day(path: str | os.PathLike) -> date | None:
    """The day a file was scraped on, by where it was filed: the nearest folder around it
    named as a day (`.../2024-05-01/reuters/0001.html` -> 2024-05-01); None outside one."""
    return next(filter(None, map(day_named, (folder.name for folder in PurePath(path).parents))), None)
