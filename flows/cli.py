"""The `newsmill` command line.

    newsmill ingest PATH... [--db FILE] [--force]       scraped files, folders, globs -> warehouse
    newsmill sql "QUERY" [--db FILE] [--format ...]     ad-hoc read-only SQL

Exit status: 0 when the command completed (an ingest that rejected some records
completed: the rejects are in the `rejects` table), 1 when it failed, 2 for a usage
error such as a path that does not exist or a busy warehouse.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from decimal import Decimal
from pathlib import Path

from flows.models import DEFAULT_PROCESSES
from transforms.read import DEFAULT_MAX_RECORD_BYTES, discover
from warehouse import WarehouseBusy, WarehouseMissing, default_path, read_only
from warehouse.connection import connect


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except (WarehouseBusy, WarehouseMissing, FileNotFoundError) as error:
        print(f"newsmill: {error}", file=sys.stderr)
        return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsmill", description="Scraped news in, a clean DuckDB warehouse out.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")
    db_help = "warehouse file (default: $NEWSMILL_DB, else ./newsmill.duckdb)"

    ingest = commands.add_parser("ingest", help="ingest files and folders of scraped articles")
    ingest.add_argument("paths", nargs="+", metavar="PATH",
                        help="files, folders or quoted glob patterns of .txt, .html, .jsonl and .warc files, optionally .gz")
    ingest.add_argument("--db", type=Path, default=None, help=db_help)
    ingest.add_argument("--force", action="store_true", help="reprocess records the warehouse already holds unchanged")
    ingest.add_argument("--max-record-mb", type=float, default=DEFAULT_MAX_RECORD_BYTES / 2**20, metavar="MB",
                        help="records larger than this are rejected as too_large (default: %(default)g)")
    ingest.add_argument("--processes", type=_at_least_one, default=DEFAULT_PROCESSES, metavar="N",
                        help="processes for the CPU-heavy stages, each with its own models (default: %(default)s, "
                             "from the CPU count)")
    ingest.set_defaults(command=ingest_command)

    sql = commands.add_parser("sql", help="run a read-only SQL query on the warehouse")
    sql.add_argument("query", help='e.g. "select language, count(*) from articles group by all"')
    sql.add_argument("--db", type=Path, default=None, help=db_help)
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.set_defaults(command=sql_command)
    return parser


def _at_least_one(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")
    return int(value)


def ingest_command(args: argparse.Namespace) -> int:
    db = args.db or default_path()
    for path in args.paths:  # a missing path or a busy warehouse is reported now, before Prefect starts up
        next(discover([path]), None)
    connect(db).close()

    from flows.ingest import ingest  # Prefect is slow to import; `sql` does not need it

    try:
        summary = ingest(list(args.paths), db=str(db), force=args.force,
                         max_record_bytes=int(args.max_record_mb * 2**20), processes=args.processes)
    except WarehouseBusy:
        raise
    except Exception as error:  # the flow's traceback is already in Prefect's log
        print(f"newsmill: ingest failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(format_summary(summary, db))
    return 0


def format_summary(summary: dict, db: Path) -> str:
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary["rejects_by_reason"].items())
    duplicates = summary["duplicates"]
    untagged = summary["untagged"]
    loaded = summary["documents"] - summary["unchanged"]
    recorded = f"run {summary['run_id']}, " if loaded else "nothing new, "
    return "\n".join([
        f"{summary['documents']} documents: {loaded} loaded, {summary['unchanged']} unchanged "
        f"({recorded}{summary['seconds']:.1f} s, warehouse {db})",
        f"  articles  {summary['articles']:>6}   ({duplicates} duplicate{'' if duplicates == 1 else 's'})",
        f"  rejects   {summary['rejects']:>6}" + (f"   ({reasons})" if reasons else ""),
        f"  mentions  {summary['mentions']:>6}   (of {summary['entities']} entities)",
    ] + ([f"  untagged  {sum(untagged.values()):>6}   (articles in a language with no NER model: "
          + ", ".join(f"{language} {n}" for language, n in untagged.items()) + ")"] if untagged else []) + ([f"  retired   {summary['retired']:>6}   (records their changed files no longer hold)"] if summary["retired"] else []))


def sql_command(args: argparse.Namespace) -> int:
    import duckdb

    with read_only(args.db or default_path()) as con:
        try:
            cursor = con.execute(args.query)
        except duckdb.Error as error:
            print(f"newsmill: {error}", file=sys.stderr)
            return 1
        columns = [d[0] for d in cursor.description or []]
        rows = cursor.fetchall() if columns else []
    print(FORMATTERS[args.format](columns, rows), end="")
    return 0


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """Aligned columns under a header, numbers to the right; a single value prints bare,
    so `$(newsmill sql ...)` works in scripts."""
    if len(columns) == 1 and len(rows) == 1:
        return f"{_cell(rows[0][0])}\n"
    cells = [[_cell(v, TABLE_CELL_WIDTH) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [bool(rows) and all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in rows) for i in range(len(columns))]

    def line(values: list[str]) -> str:
        return "  ".join(v.rjust(w) if right else v.ljust(w) for v, w, right in zip(values, widths, numeric)).rstrip()

    out = [line(columns), line(["-" * w for w in widths])] + [line(r) for r in cells]
    out.append(f"({len(rows)} row{'' if len(rows) == 1 else 's'})")
    return "\n".join(out) + "\n"


def format_csv(columns: list[str], rows: list[tuple]) -> str:
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows(rows)
    return buffer.getvalue()


def format_json(columns: list[str], rows: list[tuple]) -> str:
    return json.dumps([dict(zip(columns, row)) for row in rows], default=str, ensure_ascii=False, indent=2) + "\n"


TABLE_CELL_WIDTH = 80  # the table is for reading; --format csv or json gives whole values


def _cell(value, width: int | None = None) -> str:
    text = "NULL" if value is None else " ".join(str(value).split())
    return text if width is None or len(text) <= width else text[: width - 1] + "…"


FORMATTERS = {"table": format_table, "csv": format_csv, "json": format_json}


if __name__ == "__main__":
    sys.exit(main())
