"""The warehouse's tables as files other tools read: one Parquet or CSV file per table."""

from __future__ import annotations

from pathlib import Path

import duckdb

# Bookkeeping that only newsmill's own stages read (signatures, band keys, template
# sightings, name keys, migrations) stays out: it means nothing to other tools.
TABLES = ["articles", "documents", "rejects", "entities", "mentions", "sources", "removed_lines", "site_templates", "runs"]


def export_tables(con: duckdb.DuckDBPyConnection, folder: Path, file_format: str) -> list[tuple[Path, int]]:
    """Write each table to `folder/<table>.<format>`; returns (path, rows) per file."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        path = folder / f"{table}.{file_format}"
        options = "FORMAT parquet, COMPRESSION zstd" if file_format == "parquet" else "FORMAT csv, HEADER"
        rows = con.execute(f"COPY (SELECT * FROM {table}) TO '{_quoted(path)}' ({options})").fetchone()[0]
        written.append((path, rows))
    return written


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")
