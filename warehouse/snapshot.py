"""A look at the warehouse beside its writer, for reads that must not wait for a run."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.connection import WarehouseBusy, WarehouseMissing
from warehouse.lookups import Lookups
from warehouse.schema import pending_migrations
from warehouse.session import ReadOnlySession


@contextmanager
def snapshot(path: str | Path) -> Iterator[Lookups | None]:
    """The warehouse's lookups, read-only, for as long as the `with` block lasts. None when
    it cannot be read as a run would find it: there is none yet, a writer has it open (a run
    waits its turn), or its schema is behind this release's (a run brings it up to date).
    Whatever else keeps it from being read is left for the run to report."""
    try:
        session = ReadOnlySession(path).__enter__()
    except (WarehouseMissing, WarehouseBusy, duckdb.Error):
        yield None
        return
    try:
        yield None if pending_migrations(session.con) else Lookups(session)
    finally:
        session.__exit__(None, None, None)
