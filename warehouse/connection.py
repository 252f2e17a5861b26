"""Opening the warehouse file: bounded waits while another process has it, and errors
that say what to do.

Two locks keep runs and readers out of each other's way:
- the run lock (`<warehouse>.lock`), which a run holds from start to end, so one run
  writes at a time;
- DuckDB's own lock on the file: one process may have it open for writing and then no
  other may open it at all, not even to read. A run takes it only while it reads or
  writes (`Warehouse.release()`), so readers get in between its batches.

Readers (`read_only()`: `newsmill sql`, `shell`, `report`, `export`) get a connection
that can read the warehouse and nothing else; see `read_only()` for what that takes.
"""

from __future__ import annotations

import fcntl
import importlib.util
import json
import logging
import math
import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from warehouse.schema import create_views

DEFAULT_FILE = "newsmill.duckdb"
DEFAULT_LOCK_TIMEOUT = 600.0  # seconds a run waits for another run, or for readers to let go of the file
READ_TIMEOUT = 15.0  # seconds a reader waits: a run has the file for seconds at a time (a batch's reads and load)
FIRST_PAUSE, LONGEST_PAUSE = 0.05, 1.0  # seconds between attempts to take a lock, doubling

logger = logging.getLogger(__name__)


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse, and did not let go of it in time."""


class WarehouseMissing(FileNotFoundError):
    """There is no warehouse at the given path yet."""


class WarehouseIncompatible(RuntimeError):
    """The warehouse file was written by a DuckDB newer than the one newsmill runs on."""


class DuckDBCliMissing(RuntimeError):
    """No DuckDB CLI of the library's version is installed, for `newsmill shell`."""


def default_path() -> Path:
    """`$NEWSMILL_DB`, else ./newsmill.duckdb."""
    return Path(os.environ.get("NEWSMILL_DB") or DEFAULT_FILE)


def connect(
    path: str | Path,
    read_only: bool = False,
    timeout: float = DEFAULT_LOCK_TIMEOUT,
    config: dict[str, object] | None = None,
) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse file, waiting up to `timeout` seconds while another
    process has it open (DuckDB gives up at once)."""
    path = Path(path)
    if read_only and not path.exists():
        raise WarehouseMissing(f"no warehouse at {path}: run `newsmill ingest PATH --db {path}` first")
    told = None
    for left in _attempts(timeout):
        try:
            return duckdb.connect(str(path), read_only=read_only, config=config or {})
        except duckdb.IOException as error:
            if "created with a newer version of DuckDB" in str(error):
                raise WarehouseIncompatible(_newer_format(path, error)) from None
            if "lock" not in str(error).lower():
                raise
            holder = _lock_holder(str(error))
        if left > 0 and holder != told:
            logger.warning(
                "the warehouse %s is busy: %s has it open; waiting up to %d s", path, holder, math.ceil(left)
            )
            told = holder
    kept = f"had it open for all of the {timeout:g} s waited" if timeout > 0 else "has it open"
    raise WarehouseBusy(
        f"the warehouse {path} is busy: {holder} {kept}. If that is a DuckDB session (a notebook, "
        "the duckdb shell), close it; if it is a newsmill ingest, try again when it has finished."
    )


def _newer_format(path: Path, error: duckdb.IOException) -> str:
    return (
        f"the warehouse {path} is in a newer DuckDB's file format ({str(error).splitlines()[0].removeprefix('IO Error: ')}); "
        f"newsmill runs on DuckDB {duckdb.__version__}, the line the DuckDB CLI and extensions on PyPI read "
        f"(README: Which DuckDB). Ingest again into a new file (`newsmill ingest ... --db NEW.duckdb`), or copy it "
        f"with the DuckDB that wrote it: ATTACH '{path}' AS old (READ_ONLY); "
        f"ATTACH 'NEW.duckdb' AS new (STORAGE_VERSION 'v{duckdb.__version__}'); COPY FROM DATABASE old TO new"
    )


# A reader's connection, as opened: no file but the warehouse, no extension fetched or
# loaded behind the query's back. (Set at start-up, so nothing is loaded while the views
# are made.)
READER_CONFIG = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
}
# Then, once the views are made, in this order, the lock last: after it nothing can be set.
# (The first two repeat READER_CONFIG for the duckdb CLI, which takes settings only as
# statements: `reader_cli_options()`.) External access off alone still lets a query write
# the warehouse's own files, which DuckDB allows a connection: `COPY ... TO '<warehouse>'
# (USE_TMP_FILE false)` overwrites it, and its WAL and temp folder are writable too.
# Disabling the local file system closes that; the open warehouse is read through the file
# handle DuckDB already has.
READER_LOCK = [
    "SET autoinstall_known_extensions = false",
    "SET autoload_known_extensions = false",
    "SET disabled_filesystems = 'LocalFileSystem'",
    "SET lock_configuration = true",
]
READ_ONLY_HINT = (
    "the warehouse is read-only for queries: they cannot write, read or list files, attach databases, "
    "install or load extensions, or change settings. To get data out: `newsmill export --format "
    'parquet|csv OUT`, or `newsmill sql "..." --format csv > FILE` (or --format json)'
)


def read_only(path: str | Path, timeout: float = READ_TIMEOUT) -> duckdb.DuckDBPyConnection:
    """A connection for queries that can read the warehouse and nothing else.

    Opened read-only (no INSERT, UPDATE, DELETE, CREATE, DROP, ALTER on the warehouse),
    with external access off (no COPY, EXPORT/IMPORT DATABASE, ATTACH, read_csv, read_parquet,
    read_json, read_text, glob, INSTALL or LOAD of an extension that is not built in), no
    extension installed or loaded automatically, the local file system disabled (not even
    the warehouse's own file, WAL or temp folder can be written: the open warehouse is read
    through the file handle DuckDB already has), and then the configuration locked (no SET,
    RESET or settings PRAGMA). What is left is in memory and ends with the connection:
    TEMP tables, views and macros, SET VARIABLE, the search path; CHECKPOINT, VACUUM and
    ANALYZE are accepted and do nothing on a read-only database. Nothing spills to disk, so
    a query too large for memory fails (with the same "disabled by configuration" error).
    This release's views are there as TEMP views; on a warehouse an older release wrote,
    those its tables cannot make yet are left out, each with a warning (`create_views`).
    """
    con = connect(path, read_only=True, timeout=timeout, config=READER_CONFIG)
    try:
        create_views(con, temporary=True)  # before the lock; TEMP views live in memory
        # A second reader in this process shares the first one's DuckDB instance, already
        # locked: setting anything again would be refused.
        if not _locked(con):
            for statement in READER_LOCK:
                con.execute(statement)
        _check_reader(con, Path(path))
    except BaseException:
        con.close()
        raise
    return con


def interrupted(error: BaseException) -> bool:
    """Whether `error` is a Ctrl-C that reached DuckDB during a query: DuckDB takes the
    KeyboardInterrupt and raises RuntimeError('Query interrupted') in its place, which
    would otherwise pass for the query failing."""
    return isinstance(error, duckdb.InterruptException) or (
        type(error) is RuntimeError and str(error) == "Query interrupted"
    )


def refused_to_readers(error: duckdb.Error) -> bool:
    """Whether `error` is a reader's connection refusing a statement (a write, a file, an
    extension, a setting), rather than a mistake in the query. A function or secret type
    of an extension that is not loaded counts: DuckDB's advice, INSTALL and LOAD, would be
    refused too."""
    text = str(error)
    return (
        isinstance(error, duckdb.PermissionException)
        or "read-only mode" in text
        or "has been locked" in text
        or "LocalFileSystem disabled" in text
        or re.search(r"exists in the \w+ extension", text) is not None
    )


def reader_cli_options() -> list[str]:
    """The options for the duckdb CLI that make its session a reader's: read-only, the
    settings of `read_only()` as statements (the CLI takes no configuration), then its safe
    mode, which turns off the dot commands that read or write files (.open, .read, .output,
    .shell, ...) and locks the configuration. The `-safe` option would lock it as the file
    opens, before the local file system is disabled: then `COPY ... TO '<warehouse>'` could
    overwrite it. With -bail a setting the CLI refuses ends it before the session starts."""
    options = ["-readonly", "-bail"]
    for statement in ["SET enable_external_access = false", *READER_LOCK[:-1], ".safe_mode"]:
        options += ["-cmd", statement]
    return options


# What `.safe_mode` prints as it starts: it sets external access off again, which DuckDB
# refuses once the local file system is disabled. External access is off already.
SAFE_MODE_NOISE = 'Failed to execute query "SET enable_external_access=false"'


def duckdb_cli() -> str:
    """The DuckDB CLI of the library's own version, so that it opens the warehouse: the one
    the `duckdb-cli` package installs with newsmill, else the `duckdb` on PATH."""
    spec = importlib.util.find_spec("duckdb_cli")
    bundled = spec and spec.origin and str(Path(spec.origin).with_name("duckdb"))
    found = []
    for candidate in dict.fromkeys(c for c in (bundled, shutil.which("duckdb")) if c and os.access(c, os.X_OK)):
        version = _cli_version(candidate)
        if version == duckdb.__version__:
            return candidate
        found.append(f"{candidate} is DuckDB {version}" if version else f"{candidate} is not a DuckDB CLI")
    raise DuckDBCliMissing(
        f"no DuckDB {duckdb.__version__} CLI is installed ({'; '.join(found) or 'none found'}), and the shell needs the "
        f"version the warehouse is written with: `pip install duckdb-cli=={duckdb.__version__}`. "
        f'Piped SQL needs no CLI: `echo "select ..." | newsmill shell`'
    )


def _cli_version(cli: str) -> str | None:
    try:
        printed = subprocess.run([cli, "--version"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.match(r"v(\d+\.\d+\.\d+)", printed)  # "v1.5.6 (Variegata) 069cc9f9b5"
    return found[1] if found else None


def warehouse_file(candidate: str | Path, warehouse: str | Path) -> str | None:
    """What `candidate` is, if it is one of the warehouse's own files (the database, its
    write-ahead log, its run lock) however it is spelt: through symbolic links, `..`, a
    relative path, or a hard link. None when it is none of them."""
    warehouse = Path(warehouse)
    given, resolved = warehouse, Path(os.path.realpath(warehouse))
    own = []
    for base in dict.fromkeys([given, resolved]):  # the WAL and the lock are named after the path DuckDB is given
        own += [(base, "the warehouse")]
        own += [
            (base.with_name(base.name + suffix), "the warehouse's write-ahead log")
            for suffix in (".wal", ".wal.checkpoint", ".wal.recovery")
        ]
        own += [(RunLock(base).path, "the warehouse's run lock")]
    target = os.path.realpath(candidate)
    for path, what in own:
        if os.path.realpath(path) == target or _same_file(path, candidate):
            return f"{what} {path}"
    return None


def _same_file(a: Path, b: str | Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist
        return False


def _locked(con: duckdb.DuckDBPyConnection) -> bool:
    # fetchall, not fetchone: a result left unfinished holds the connection up
    return bool(con.execute("SELECT current_setting('lock_configuration')").fetchall()[0][0])


def _check_reader(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    """Fail rather than hand out a connection that could write: the warehouse's own file is
    the one a reader could still reach with external access off alone."""
    try:
        con.execute("SELECT count(*) FROM glob(?)", [str(path.absolute())]).fetchall()
    except duckdb.PermissionException:
        if _locked(con):
            return
    raise RuntimeError(
        f"could not make a read-only connection to {path}: DuckDB {duckdb.__version__} "
        "did not apply the reader's settings (warehouse/connection.py READER_LOCK)"
    )


class RunLock:
    """An exclusive lock on `<warehouse>.lock` for the length of a run. The file names the
    run holding it, for the message a waiting run gives. The kernel drops the lock when
    its process ends, however it ends, so a killed run never blocks the next one."""

    def __init__(self, warehouse: Path):
        self.warehouse = warehouse
        self.path = warehouse.with_name(warehouse.name + ".lock")
        self._fd: int | None = None

    def acquire(self, timeout: float) -> None:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            self._wait_for(fd, timeout)
        except BaseException:
            os.close(fd)
            raise
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC",
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(holder).encode(), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        os.ftruncate(self._fd, 0)  # so no one waiting reads this run's name after it has gone
        fcntl.flock(self._fd, fcntl.LOCK_UN)  # not only on close: a forked child's copy of the file would keep it
        os.close(self._fd)
        self._fd = None

    def _wait_for(self, fd: int, timeout: float) -> None:
        told = None  # runs queue up: each one this waits for is named as its turn comes
        for left in _attempts(timeout):
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                holder = self._holder(fd)
            if left > 0 and holder != told:
                logger.warning("%s is writing to %s; waiting up to %d s", holder, self.warehouse, math.ceil(left))
                told = holder
        finished = f"did not finish within {timeout:g} s" if timeout > 0 else "has not finished"
        raise WarehouseBusy(
            f"{holder} is writing to {self.warehouse}, and {finished}. "
            "Try again when it has finished, or let this run wait longer (`newsmill ingest --wait SECONDS`, "
            "the flow's lock_timeout)."
        )

    @staticmethod
    def _holder(fd: int) -> str:
        try:
            holder = json.loads(os.pread(fd, 4096, 0))
            return f"another newsmill run (pid {holder['pid']} on {holder['host']}, since {holder['since']})"
        except (ValueError, KeyError, TypeError):  # it has the lock but has not written its name yet
            return "another newsmill run"


def _attempts(timeout: float) -> Iterator[float]:
    """The seconds left of `timeout` before each attempt, pausing between attempts (longer
    each time) until none are left: one attempt when `timeout` is 0."""
    deadline = time.monotonic() + timeout
    pause = FIRST_PAUSE
    while True:
        yield max(0.0, deadline - time.monotonic())
        left = deadline - time.monotonic()
        if left <= 0:
            return
        time.sleep(min(pause, left))
        pause = min(2 * pause, LONGEST_PAUSE)


def _lock_holder(message: str) -> str:
    """Who holds the file, as DuckDB's lock error names it ("... is held in /usr/bin/python3 (PID 123)")."""
    found = re.search(r"held in (.+?) \(PID (\d+)\)", message)
    return f"process {found[2]} ({found[1]})" if found else "another process"
