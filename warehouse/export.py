"""The warehouse's tables as Parquet or CSV files, one per table, for other tools."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import duckdb

from warehouse.load import DOCUMENT_TABLES

# The documents' tables, then those of the warehouse as a whole. Bookkeeping that only
# newsmill's own stages read (signatures, band keys, template sightings, name keys,
# migrations) stays out: it means nothing to other tools.
TABLES = [table.name for table in DOCUMENT_TABLES if not table.internal] + [
    "entities",
    "sources",
    "site_templates",
    "runs",
]
OPTIONS = {"parquet": "FORMAT parquet, COMPRESSION zstd", "csv": "FORMAT csv, HEADER"}


def export_tables(con: duckdb.DuckDBPyConnection, folder: Path, file_format: str) -> list[tuple[Path, int]]:
    """Write each table to `folder/<table>.<format>`; returns (path, rows) per file.

    `con` is a reader's connection (`warehouse.read_only`), which cannot write a file. So
    each table goes to DuckDB's COPY in a connection of its own, in memory and with no
    file open, as a stream of Arrow batches: the files are the ones COPY makes from the
    warehouse. All or nothing: each is written to a temporary file beside its name, and
    the temporary files replace the old ones once every table is written.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    with (
        duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False}) as writer,
        ExitStack() as parts,
    ):
        for table in TABLES:
            path = folder / f"{table}.{file_format}"
            part = parts.enter_context(replacing(path))
            written.append((path, _copy(con, table, writer, part, file_format)))
    return written


def _copy(
    con: duckdb.DuckDBPyConnection, table: str, writer: duckdb.DuckDBPyConnection, path: Path, file_format: str
) -> int:
    writer.register("batches", con.sql(f"SELECT * FROM {table}").to_arrow_reader())
    try:
        return writer.execute(
            f"COPY (SELECT * FROM batches) TO '{_quoted(path)}' ({OPTIONS[file_format]}, USE_TMP_FILE false)"
        ).fetchall()[0][0]
    finally:
        writer.unregister("batches")  # and with it the reader's result, so the warehouse can be let go of


@contextmanager
def replacing(path: Path) -> Iterator[Path]:
    """A new, empty temporary file beside `path`, for the block to write; it replaces
    `path` (`os.replace`, atomic) when the block ends, and is removed if the block fails,
    so `path` is never left half written."""
    part = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))  # the usual permissions, after umask
    try:
        yield part
        os.replace(part, path)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
