"""Opening the warehouse file, with errors that say what to do."""

from __future__ import annotations

import os
from pathlib import Path

import duckdb

DEFAULT_FILE = "newsmill.duckdb"


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse file for writing."""


class WarehouseMissing(FileNotFoundError):
    """There is no warehouse at the given path yet."""


def default_path() -> Path:
    """`$NEWSMILL_DB`, else ./newsmill.duckdb."""
    return Path(os.environ.get("NEWSMILL_DB") or DEFAULT_FILE)


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `newsmill ingest PATH --db {path}` first")
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        if "lock" not in str(error).lower():
            raise
        raise WarehouseBusy(
            f"the warehouse {path} is busy: another process (an ingest, or an open DuckDB session) "
            "holds it for writing. Try again when it has finished."
        ) from error


def read_only(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A connection for queries that cannot change the warehouse."""
    return connect(path, read_only=True)
