"""The `newsmill` command line.

    newsmill ingest [PATH...] [--landing DIR] [--db FILE] ...    scraped files (default: the landing folder) -> warehouse
    newsmill backfill --since DATE --until DATE [--landing DIR] ...  one ingest per day partition
    newsmill serve [--cron EXPR | --interval SECONDS] ...           the deployments, served on this machine;
                                                                    ingests and backfills start warm meanwhile
    newsmill sql "QUERY" [--db FILE] [--format ...]                 ad-hoc read-only SQL
    newsmill shell [--db FILE]                                      a read-only DuckDB CLI session; or SQL from stdin
    newsmill stories [ID] [--db FILE] [--since DATE] [--limit N] ... the top stories, or one story's articles
    newsmill report [--out FILE] [--since DATE] [--db FILE]         one self-contained HTML page of charts
    newsmill export --format parquet|csv OUT [--db FILE]            the tables as files, for other tools

Exit status: 0 when the command completed (an ingest that rejected some records
completed: the rejects are in the `rejects` table), 1 when it failed, 2 for a usage
error such as a path that does not exist or a busy warehouse.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path

from flows import lifeline, options, warm
from flows.landing import default_landing, reachable_days, require_landing
from transforms.read import discover, input_formats_help
from transforms.read.days import day_named
from warehouse import DuckDBCliMissing, WarehouseBusy, WarehouseIncompatible, WarehouseMissing, default_path, read_only
from warehouse.stories import TOP, StoryUnknown


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        return args.command(args)
    except (
        WarehouseBusy,
        WarehouseMissing,
        WarehouseIncompatible,
        DuckDBCliMissing,
        StoryUnknown,
        FileNotFoundError,
    ) as error:
        print(f"newsmill: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"newsmill: interrupted. {INTERRUPTED.get(args.command, '')}".rstrip(), file=sys.stderr)
        return 130  # as a shell reports a command ended by Ctrl-C


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsmill", description="Scraped news in, a clean DuckDB warehouse out.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    # No abbreviated options (--verb for --verbose) where a run may start warm: the warm
    # process sets Prefect's log up by the options as written (`flows.warm`).
    ingest = commands.add_parser(
        "ingest", help="ingest files and folders of scraped articles (default: the landing folder)", allow_abbrev=False
    )
    inputs = ingest.add_mutually_exclusive_group()
    inputs.add_argument("paths", nargs="*", default=[], metavar="PATH", help=input_formats_help())
    inputs.add_argument("--landing", type=Path, default=None, metavar="DIR", help=LANDING_HELP)
    _add_run_options(ingest)
    ingest.set_defaults(command=ingest_command)

    backfill = commands.add_parser(
        "backfill", help="ingest the day partitions of the landing folder, one subflow per day", allow_abbrev=False
    )
    backfill.add_argument("--since", type=_day, required=True, metavar="DATE", help="first day, YYYY-MM-DD")
    backfill.add_argument("--until", type=_day, required=True, metavar="DATE", help="last day, YYYY-MM-DD (included)")
    backfill.add_argument("--landing", type=Path, default=None, metavar="DIR", help=LANDING_HELP)
    _add_run_options(backfill)
    backfill.set_defaults(command=backfill_command)

    serve = commands.add_parser(
        "serve", help="serve the scheduled ingest and the backfill deployments from this process"
    )
    schedule = serve.add_mutually_exclusive_group()
    schedule.add_argument(
        "--cron",
        type=_cron,
        default=None,
        metavar="EXPR",
        help="when the scheduled ingest runs (default: every 15 minutes, as in prefect.yaml)",
    )
    schedule.add_argument(
        "--interval",
        type=_positive_seconds,
        default=None,
        metavar="SECONDS",
        help="run the scheduled ingest every SECONDS instead",
    )
    serve.add_argument("--landing", type=Path, default=None, metavar="DIR", help=LANDING_HELP)
    serve.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    serve.set_defaults(command=serve_command)

    sql = commands.add_parser("sql", help="run a read-only SQL query on the warehouse")
    sql.add_argument("query", help='e.g. "select language, count(*) from articles group by all"')
    sql.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    sql.add_argument("--format", choices=["table", "csv", "json"], default="table")
    sql.set_defaults(command=sql_command)

    shell = commands.add_parser(
        "shell",
        help="an interactive read-only session on the warehouse in the DuckDB CLI; "
        "SQL piped in runs as `newsmill sql` runs it",
    )
    shell.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    shell.add_argument("--format", choices=["table", "csv", "json"], default="table", help="for SQL piped in")
    shell.set_defaults(command=shell_command)

    stories = commands.add_parser(
        "stories", help="list the top stories (by the sites that carried them), or show one story's articles"
    )
    stories.add_argument(
        "story_id", nargs="?", default=None, metavar="ID", help="a story's id: show its articles in time order"
    )
    stories.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    stories.add_argument(
        "--since",
        type=_day,
        default=None,
        metavar="DATE",
        help="count only articles published (else fetched) on DATE or later, YYYY-MM-DD",
    )
    stories.add_argument(
        "--limit", type=_positive_int, default=None, metavar="N", help=f"how many stories to list (default: {TOP})"
    )
    stories.add_argument("--format", choices=["table", "csv", "json"], default="table")
    stories.set_defaults(command=stories_command)

    report = commands.add_parser("report", help="write the warehouse as one self-contained HTML page of charts")
    report.add_argument(
        "--out", type=Path, default=Path("report.html"), metavar="FILE", help="where to write it (default: %(default)s)"
    )
    report.add_argument(
        "--since",
        type=_day,
        default=None,
        metavar="DATE",
        help="only articles published (else fetched) on DATE or later, YYYY-MM-DD",
    )
    report.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    report.set_defaults(command=report_command)

    export = commands.add_parser("export", help="write the warehouse's tables as Parquet or CSV files, one per table")
    export.add_argument("out", type=Path, metavar="OUT", help="folder to write to (created if missing)")
    export.add_argument("--format", choices=["parquet", "csv"], required=True)
    export.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    export.set_defaults(command=export_command)
    return parser


DB_HELP = "warehouse file (default: $NEWSMILL_DB, else ./newsmill.duckdb)"
LANDING_HELP = "the landing folder, one folder per day: DIR/YYYY-MM-DD/ (default: $NEWSMILL_LANDING, else ./landing)"


def _add_run_options(command: argparse.ArgumentParser) -> None:
    """What ingest and backfill share: where to write, the run's options, and the terminal."""
    command.add_argument("--db", type=Path, default=None, metavar="FILE", help=DB_HELP)
    options.add_flags(command)
    command.add_argument(
        "--verbose",
        action="store_true",
        help="show Prefect's log on the terminal too (it always goes to Prefect's API and UI)",
    )


def _seconds(value: str) -> float:
    try:
        if float(value) >= 0:  # false for nan too
            return float(value)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a number of seconds, got {value!r}")


def _positive_seconds(value: str) -> float:
    if _seconds(value) == 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {value!r}")
    return float(value)


def _positive_int(value: str) -> int:
    if value.isdigit() and int(value) >= 1:
        return int(value)
    raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {value!r}")


def _day(value: str) -> date:
    if day := day_named(value):
        return day
    raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {value!r}")


def _cron(value: str) -> str:
    from prefect.client.schemas.schedules import CronSchedule  # Prefect is slow to import

    try:
        CronSchedule(cron=value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a cron expression such as '*/15 * * * *', got {value!r}") from None
    return value


def ingest_command(args: argparse.Namespace) -> int:
    db = args.db or default_path()
    paths = args.paths
    landing = None if paths else str(require_landing(args.landing or default_landing()))
    for path in paths:  # a missing path is reported now, before Prefect starts up
        next(discover([path]), None)
    run_options = options.from_flags(args)

    _quiet_prefect(args.verbose)
    server = lifeline.TemporaryServer()
    server.start()  # it comes up while this process imports Prefect, or finds nothing new
    if (summary := _nothing_new(paths, landing, db, run_options, args.verbose)) is not None:
        server.stop()
        print(format_summary(summary, db))
        return 0
    try:
        with server.use(), _run_on_terminal(args.verbose), _heartbeats_only_if_asked():
            from flows.ingest import ingest  # Prefect is slow to import; `sql` does not need it

            server.wait()
            summary = ingest(paths, landing=landing, db=str(db), options=run_options)
    except (WarehouseBusy, WarehouseIncompatible):
        raise
    except Exception as error:  # the flow's traceback is already in Prefect's log
        print(f"newsmill: ingest failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(format_summary(summary, db))
    return 0


def _nothing_new(
    paths: list[str], landing: str | None, db: Path, run_options: options.RunOptions, verbose: bool
) -> dict | None:
    """The summary of a run that would change nothing, found without a flow run (see
    `flows.scan.nothing_new`); None when there is work. The landing folder's warnings are
    told only then: otherwise the flow run tells them."""
    from flows.scan import nothing_new

    told = _Told()
    logger = logging.getLogger("newsmill.nothing_new")
    logger.propagate, logger.handlers = False, [told]
    summary = nothing_new(paths or reachable_days(landing, logger), db, run_options)
    if summary is not None:
        with _warnings_on_terminal(verbose):
            for record in told.records:
                logging.getLogger("flows.landing").handle(record)
    return summary


class _Told(logging.Handler):
    """Keeps the records it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _quiet_prefect(verbose: bool) -> None:
    """`quiet_prefect_console`, before Prefect is imported. (Where Prefect is imported
    already, `main` is called from Python, whose logging is the caller's; or the run
    started warm, and `flows.warm` has done it.)"""
    if "prefect" not in sys.modules:
        quiet_prefect_console(verbose)


def quiet_prefect_console(verbose: bool) -> None:
    """Prefect's log goes to its API (the UI, `prefect flow-run logs`), and to the terminal
    too only with --verbose. Prefect reads this from the environment as it is imported, as
    do its temporary server and the workers."""
    if not verbose:
        os.environ.setdefault(warm.PREFECT_CONSOLE_LEVEL, "CRITICAL")


@contextmanager
def _heartbeats_only_if_asked() -> Iterator[None]:
    """The command's flow runs send Prefect no heartbeats unless Prefect's settings ask for
    them (PREFECT_FLOWS_HEARTBEAT_FREQUENCY, in the environment or a profile). A sync flow
    run's end waits for its heartbeat thread, which sleeps in one-second steps: up to a
    second for every run, and for every day of a backfill. Heartbeats serve an automation
    that marks runs whose heartbeats stop as crashed, one a user sets up, and sets the
    frequency for; the next run marks a killed run failed in the warehouse's `runs` either
    way. Deployment runs (serve, a work pool) keep Prefect's default."""
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, get_current_settings, temporary_settings

    if "heartbeat_frequency" in get_current_settings().flows.model_fields_set:
        yield
        return
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
        yield


@contextmanager
def _run_on_terminal(verbose: bool, days: bool = False) -> Iterator[None]:
    """What a run shows on the terminal: a progress bar, and newsmill's own warnings, as
    `newsmill: ...` lines (a busy warehouse, landing entries left out, a batch retried in
    pieces). With --verbose, Prefect's console log instead."""
    if verbose:
        yield
        return
    with _progress_bar(days), _warnings_on_terminal(verbose):  # the warnings within the bar: printed above it
        yield


@contextmanager
def _warnings_on_terminal(verbose: bool) -> Iterator[None]:
    """newsmill's own warnings on the terminal, as `newsmill: ...` lines; with --verbose,
    Prefect's console log shows them."""
    if verbose:
        yield
        return
    told = logging.StreamHandler(sys.stderr)
    told.setFormatter(logging.Formatter("newsmill: %(message)s"))
    # The flows' warnings go through Prefect's run logger; its errors are Prefect's
    # tracebacks, which stay in the run's log.
    told.addFilter(lambda record: record.levelno == logging.WARNING or not record.name.startswith("prefect"))
    told.setLevel(logging.WARNING)
    loggers = [logging.getLogger(name) for name in ("flows", "transforms", "warehouse", "prefect.flow_runs")]
    for logger in loggers:
        logger.addHandler(told)
    try:
        yield
    finally:
        for logger in loggers:
            logger.removeHandler(told)


@contextmanager
def _progress_bar(days: bool) -> Iterator[None]:
    """On a terminal, a bar that follows each flow run (each day of a backfill, named): the
    files' bytes gone through of those the scan listed, documents read and loaded, their
    rate, the time taken and the time left."""
    if not sys.stderr.isatty():
        yield
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn

    from flows import progress

    columns = [
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(bar_width=20),
        TextColumn(
            "{task.percentage:>3.0f}%  {task.fields[documents]:,} read, {task.fields[loaded]:,} loaded, "
            "{task.fields[rate]:,.1f}/s"
        ),
        TimeElapsedColumn(),
        TextColumn("left"),
        TimeRemainingColumn(),
    ]
    # Until the flow's first report: Prefect starting up, and the scan listing the files.
    with Progress(*columns, console=Console(stderr=True), transient=True, refresh_per_second=4) as bar:
        line = bar.add_task("starting", total=None, documents=0, loaded=0, rate=0.0)
        runs: list[str] = []

        def update(run: progress.Progress) -> None:
            if run.run not in runs:  # the next day of a backfill
                runs.append(run.run)
                bar.reset(line, total=run.total_bytes or 1, description=run.run if days else "ingest")
            bar.update(
                line,
                completed=min(run.done_bytes, run.total_bytes),
                documents=run.documents,
                loaded=run.loaded,
                rate=run.loaded / run.seconds if run.seconds else 0.0,
            )

        with progress.listening(update):
            yield


def format_summary(summary: dict, db: Path) -> str:
    reasons = ", ".join(f"{reason} {n}" for reason, n in summary["rejects_by_reason"].items())
    duplicates = summary["duplicates"]
    untagged = summary["untagged"]
    loaded = summary["documents"] - summary["unchanged"]
    recorded = f"run {summary['run_id']}, " if loaded else "nothing new, "
    return "\n".join(
        [
            f"{summary['documents']} documents: {loaded} loaded, {summary['unchanged']} unchanged "
            f"({recorded}{summary['seconds']:.1f} s, warehouse {db})",
            f"  articles  {summary['articles']:>6}   ({duplicates} duplicate{'' if duplicates == 1 else 's'})",
            f"  rejects   {summary['rejects']:>6}" + (f"   ({reasons})" if reasons else ""),
            f"  mentions  {summary['mentions']:>6}   (of {summary['entities']} entities)",
            f"  stories   {summary['stories']:>6}"
            + (f"   ({summary['merged_stories']} merged into older ones)" if summary["merged_stories"] else ""),
        ]
        + (
            [
                f"  untagged  {sum(untagged.values()):>6}   (articles in a language with no NER model: "
                + ", ".join(f"{language} {n}" for language, n in untagged.items())
                + ")"
            ]
            if untagged
            else []
        )
        + (
            [f"  retired   {summary['retired']:>6}   (records their changed or deleted files no longer hold)"]
            if summary["retired"]
            else []
        )
        + [_gone_line(summary)] * bool(summary["gone"])
    )


def _gone_line(summary: dict) -> str:
    if summary["pruned"]:
        return f"  gone      {summary['gone']:>6}   (files deleted from these paths: their records are removed)"
    return (
        f"  gone      {summary['gone']:>6}   (files deleted from these paths whose records the warehouse keeps; "
        f"`--prune` removes them)"
    )


def backfill_command(args: argparse.Namespace) -> int:
    if args.since > args.until:
        print(f"newsmill: --since {args.since} is after --until {args.until}", file=sys.stderr)
        return 2
    db = args.db or default_path()
    landing = require_landing(args.landing or default_landing())

    _quiet_prefect(args.verbose)
    from flows.backfill import BackfillFailed, backfill  # Prefect is slow to import

    try:
        with _run_on_terminal(args.verbose, days=True), _heartbeats_only_if_asked():
            days = backfill(args.since, args.until, landing=str(landing), db=str(db), options=options.from_flags(args))
    except BackfillFailed as failure:
        print(format_backfill(failure.days, db))
        print(f"newsmill: {failure}. Re-run the backfill to resume: days already ingested are skipped", file=sys.stderr)
        return 1
    except Exception as error:  # the flow's traceback is already in Prefect's log
        print(f"newsmill: backfill failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    print(format_backfill(days, db))
    return 0


def format_backfill(days: dict[str, dict], db: Path) -> str:
    """One line per day, then the totals."""
    ingested = [outcome for outcome in days.values() if outcome["status"] == "ingested"]
    statuses = [outcome["status"] for outcome in days.values()]
    documents = sum(outcome["documents"] for outcome in ingested)
    unchanged = sum(outcome["unchanged"] for outcome in ingested)
    return "\n".join(
        [f"{day}  {_day_line(outcome)}" for day, outcome in days.items()]
        + [
            f"{len(days)} day{'' if len(days) == 1 else 's'}: {statuses.count('ingested')} ingested, "
            f"{statuses.count('missing')} missing, {statuses.count('failed')} failed; "
            f"{documents} documents: {documents - unchanged} loaded, {unchanged} unchanged (warehouse {db})"
        ]
    )


def _day_line(outcome: dict) -> str:
    if outcome["status"] == "missing":
        return "missing: no partition in the landing folder"
    if outcome["status"] == "failed":
        return f"failed: {outcome['error']}"
    retired = f", {outcome['retired']} retired" if outcome["retired"] else ""
    return (
        f"{outcome['documents']} documents: {outcome['documents'] - outcome['unchanged']} loaded, "
        f"{outcome['unchanged']} unchanged; {outcome['articles']} articles, {outcome['rejects']} rejects{retired}"
    )


def serve_command(args: argparse.Namespace) -> int:
    landing = require_landing(args.landing or default_landing())
    db = args.db or default_path()

    from prefect import serve

    from flows.deployments import deployments, prefect_api_problem  # Prefect is slow to import

    problem = prefect_api_problem()
    if problem:
        print(f"newsmill: {problem}", file=sys.stderr)
        return 2
    # Absolute, so the deployments' parameters mean the same wherever a run starts.
    with warm.Started():
        serve(*deployments(landing.absolute(), db.absolute(), cron=args.cron, interval=args.interval))
    return 0


def sql_command(args: argparse.Namespace) -> int:
    return run_sql(args.query, args.db or default_path(), args.format)


def run_sql(text: str, db: Path, format: str) -> int:
    """Run each statement of `text` on a reader's connection, printing the result of each in
    `format`; stop at the first that fails, with its error on one line."""
    import duckdb

    from warehouse.connection import READ_ONLY_HINT, refused_to_readers

    with read_only(db) as con:
        try:
            # Split by the reader's connection: DuckDB's module-level parser would read the
            # files an IMPORT DATABASE names, with no reader's settings.
            for number, statement in enumerate(con.extract_statements(text)):
                cursor = con.execute(statement.query)
                columns = [d[0] for d in cursor.description or []]
                rows = cursor.fetchall() if columns else []
                print("\n" * bool(number) + FORMATTERS[format](columns, rows), end="", flush=True)
        except duckdb.Error as error:
            if refused_to_readers(error):  # one line: DuckDB's reason, then what to do instead
                print(f"newsmill: refused ({str(error).splitlines()[0]}): {READ_ONLY_HINT}", file=sys.stderr)
            else:
                print(f"newsmill: {error}", file=sys.stderr)
            return 1
    return 0


def shell_command(args: argparse.Namespace) -> int:
    from warehouse.connection import duckdb_cli

    db = Path(args.db or default_path())
    if not sys.stdin.isatty():  # SQL piped in, or a script: run as `newsmill sql` runs it
        return run_sql(sys.stdin.read(), db, args.format)
    cli = duckdb_cli()
    read_only(db).close()  # the same checks and messages as `sql`: missing, busy, newer format
    return _cli_session(cli, db)


def _cli_session(cli: str, db: Path) -> int:
    """The DuckDB CLI on the warehouse, on this terminal, until it exits. Ctrl-C is the CLI's
    (it stops the query), not newsmill's; its errors come through, less the one line its
    safe mode prints as it starts (`SAFE_MODE_NOISE`)."""
    import signal
    import subprocess
    import threading

    from warehouse.connection import SAFE_MODE_NOISE, reader_cli_options

    session = subprocess.Popen([cli, *reader_cli_options(), str(db)], stderr=subprocess.PIPE)
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)

    def relay() -> None:
        for line in session.stderr:
            if not line.startswith(SAFE_MODE_NOISE.encode()):
                sys.stderr.buffer.write(line)
                sys.stderr.buffer.flush()

    relaying = threading.Thread(target=relay, daemon=True)
    relaying.start()
    try:
        return session.wait()
    finally:
        relaying.join(timeout=5)
        signal.signal(signal.SIGINT, interrupt)


def stories_command(args: argparse.Namespace) -> int:
    from warehouse.stories import NO_STORIES, stored_before_stories, story, top_stories

    db = Path(args.db or default_path())
    if args.story_id is not None:
        given = [flag for flag, value in (("--since", args.since), ("--limit", args.limit)) if value is not None]
        if given:
            print(
                f"newsmill: {' and '.join(given)} {'is' if len(given) == 1 else 'are'} for listing stories (`newsmill stories {' '.join(given)} ...`, "
                f"no ID); `newsmill stories ID` shows all of one story's articles",
                file=sys.stderr,
            )
            return 2
        with read_only(db) as con:
            found = story(con, args.story_id)
        if found.story_id != found.asked:
            through = f" (through {found.merges} merges)" if found.merges > 1 else ""
            print(
                f"newsmill: story {found.asked} was merged into {found.story_id}{through}; showing {found.story_id}",
                file=sys.stderr,
            )
        print(format_story(found, args.format), end="")
        return 0
    with read_only(db) as con:
        listed = top_stories(con, since=args.since, limit=args.limit or TOP)
        unfiled = not listed and stored_before_stories(con)
    if unfiled:
        print(f"newsmill: no stories in {db}: {NO_STORIES}", file=sys.stderr)
    columns = ["story_id", "headline", "first_seen", "last_seen", "sites", "articles"]
    print(FORMATTERS[args.format](columns, listed), end="")
    return 0


def format_story(found, format: str) -> str:
    """One story: in a table, a line on the story then its articles; in csv its articles;
    in json the story with its articles."""
    columns = ["day", "site", "title", "is_canonical", "copies", "article_id"]
    if format == "json":
        story = {
            "story_id": found.story_id,
            "headline": found.headline,
            "first_seen": found.first_seen,
            "last_seen": found.last_seen,
            "sites": found.sites,
            "languages": found.languages,
            "articles": [dict(zip(columns, row)) for row in found.articles],
        }
        return json.dumps(story, default=str, ensure_ascii=False, indent=2) + "\n"
    if format == "csv":
        return format_csv(columns, found.articles)
    sites = f"{found.sites} site{'' if found.sites == 1 else 's'}"
    articles = f"{len(found.articles)} article{'' if len(found.articles) == 1 else 's'}"
    return (
        f"{found.story_id}  {_cell(found.headline)}\n"
        f"first seen {found.first_seen}, last seen {found.last_seen}; {articles} on {sites} "
        f"({', '.join(found.languages)})\n\n" + format_table(columns, found.articles)
    )


def report_command(args: argparse.Namespace) -> int:
    from warehouse.connection import warehouse_file
    from warehouse.export import replacing
    from warehouse.report import render_report

    db = Path(args.db or default_path())
    if own := warehouse_file(args.out, db):
        print(
            f"newsmill: --out {args.out} is {own}, which the report would overwrite; give the report a file "
            f"name of its own, e.g. --out report.html",
            file=sys.stderr,
        )
        return 2
    if args.out.is_dir():
        print(
            f"newsmill: {args.out} is a folder; give the report a file name, e.g. --out {args.out / 'report.html'}",
            file=sys.stderr,
        )
        return 2
    with read_only(db) as con:
        page = render_report(con, since=args.since)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with replacing(args.out) as part:  # written beside it, then renamed into place
        part.write_text(page, encoding="utf-8")
    print(f"wrote {args.out} ({len(page.encode()) / 1024:,.0f} KB); open it in a browser")
    return 0


def export_command(args: argparse.Namespace) -> int:
    from warehouse.connection import warehouse_file
    from warehouse.export import TABLES, export_tables

    db = Path(args.db or default_path())
    for target in [args.out] + [args.out / f"{table}.{args.format}" for table in TABLES]:
        if own := warehouse_file(target, db):
            print(
                f"newsmill: {target} is {own}, which the export would overwrite; export into a folder of its own, "
                f"e.g. newsmill export --format {args.format} export/",
                file=sys.stderr,
            )
            return 2
    if args.out.exists() and not args.out.is_dir():
        print(f"newsmill: {args.out} is a file; export writes one file per table into a folder", file=sys.stderr)
        return 2
    with read_only(db) as con:
        written = export_tables(con, args.out, args.format)
    for path, rows in written:
        print(f"{path}  {rows:,} rows")
    return 0


def format_table(columns: list[str], rows: list[tuple]) -> str:
    """Aligned columns under a header, numbers to the right; a single value prints bare,
    so `$(newsmill sql ...)` works in scripts."""
    if len(columns) == 1 and len(rows) == 1:
        return f"{_cell(rows[0][0])}\n"
    cells = [[_cell(v, TABLE_CELL_WIDTH) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float, Decimal)) or r[i] is None for r in rows)
        for i in range(len(columns))
    ]

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

# What is left of a run stopped with Ctrl-C, and how to go on.
INTERRUPTED = {
    ingest_command: "The batches loaded before it are kept, none is half-loaded; run the ingest again to go on.",
    backfill_command: "The days and batches loaded before it are kept; run the backfill again to resume.",
}


def run() -> None:
    """The `newsmill` command: `main`, then exit with its status. The objects left are
    frozen first: the interpreter's last garbage collections would walk all of them (the
    models, Prefect's), close to a second after the work is done, for nothing."""
    status = main()
    gc.freeze()
    sys.exit(status)


if __name__ == "__main__":
    run()
