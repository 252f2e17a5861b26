"""The landing folder scrapers drop files into: LANDING/YYYY-MM-DD/..., one folder per day."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_FOLDER = "landing"


def default_landing() -> Path:
    """`$NEWSMILL_LANDING`, else ./landing."""
    return Path(os.environ.get("NEWSMILL_LANDING") or DEFAULT_FOLDER)
