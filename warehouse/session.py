"""A writer's hold on the warehouse: the run lock for the whole run, the DuckDB file only
while a read or write needs it, transactions, and the Arrow tables its queries read."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa

from warehouse.connection import DEFAULT_LOCK_TIMEOUT, RunLock, connect
from warehouse.entities import resolve_unresolved
from warehouse.rows import IDS, arrow
from warehouse.schema import create_views, migrate


class Tables:
    """Arrow tables readable by the queries of a connection `con`, for as long as a block lasts."""

    con: duckdb.DuckDBPyConnection

    @contextmanager
    def table(self, name: str, table: pa.Table) -> Iterator[None]:
        """`table` readable by the block's queries as `name`."""
        # Not unregistered when the block fails: inside an aborted transaction that would
        # raise over the real error, and the next register() of the name replaces it anyway.
        self.con.register(name, table)
        yield
        self.con.unregister(name)

    def ids(self, name: str, ids: Iterable[str]):
        """The ids readable by the block's queries as the one-column table `name` (column `id`)."""
        return self.table(name, arrow(IDS, ((i,) for i in ids)))


class Session(Tables):
    """The one writer's access to a warehouse, for as long as the `with` block lasts.

    It holds the run lock throughout, so a second run waits for this one to end (up to
    `lock_timeout` seconds, then WarehouseBusy). The DuckDB file itself, which no other
    process can open while this one has it, is opened when a read or write needs it and
    let go by `release()`, so queries get in while the run does CPU work. Opening it
    waits up to `lock_timeout` seconds for the readers in there.
    """

    def __init__(self, path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._run_lock = RunLock(self.path)
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._prepared = False

    def __enter__(self) -> Session:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run_lock.acquire(self.lock_timeout)
        try:
            self._open()
        except BaseException:
            self._run_lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.release()  # closing checkpoints the run's writes into the file, which can fail
        finally:
            self._run_lock.release()

    def release(self) -> None:
        """Let go of the DuckDB file, so others can query it, until the next read or write
        opens it again. The run lock stays: no other run writes meanwhile."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def con(self) -> duckdb.DuckDBPyConnection:
        """The connection, opening the file if it was let go of."""
        return self._open() if self._connection is None else self._connection

    def _open(self) -> duckdb.DuckDBPyConnection:
        self._connection = connect(self.path, timeout=self.lock_timeout)
        if not self._prepared:
            try:
                self._prepare()
            except BaseException:
                self.release()
                raise
            self._prepared = True
        return self._connection

    def _prepare(self) -> None:
        """On the run's first open: bring the schema up to date, mark failed the runs that
        died, and resolve the entities a migration left unresolved."""
        migrate(self.con)
        with self.transaction():
            create_views(self.con)
            # This run holds the run lock, so a run still marked running has died.
            self.con.execute("UPDATE runs SET status = 'failed' WHERE status = 'running'")
        resolve_unresolved(self)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside rolls back before it propagates."""
        self.con.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._roll_back()
            raise
        try:
            self.con.execute("COMMIT")
        except duckdb.Error:
            # DuckDB has rolled back already; after an I/O error it refuses any further work
            # on this connection, so the next read or write opens a fresh one.
            self.release()
            raise

    def _roll_back(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            # The connection is unusable (DuckDB invalidates it after a fatal error). Closing
            # it discards the transaction too, and the error that caused it propagates.
            self.release()


class ReadOnlySession(Tables):
    """A look at the warehouse beside its writer, for as long as the `with` block lasts:
    read-only, without the run lock, and without waiting. WarehouseBusy at once while a
    writer has the file open; WarehouseMissing when there is none yet."""

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def __enter__(self) -> ReadOnlySession:
        self.con = connect(self.path, read_only=True, timeout=0)
        return self

    def __exit__(self, *exc) -> None:
        self.con.close()
