"""Migrations and views, applied from the `.sql` files beside this module."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from graphlib import CycleError, TopologicalSorter
from importlib.resources import files
from importlib.resources.abc import Traversable

import duckdb

from transforms.entities import key_group, name_key
from transforms.read.days import folder_day

_SQL = files("warehouse")

logger = logging.getLogger(__name__)

# Rules of the pipeline that migrations apply to stored rows, given to their SQL as
# functions so that each is defined once: name -> (function, argument types, result type).
MIGRATION_FUNCTIONS = {
    "folder_day": (folder_day, ["VARCHAR"], "DATE"),
    "name_key": (name_key, ["VARCHAR"], "VARCHAR"),
    "key_group": (key_group, ["VARCHAR"], "VARCHAR"),
}


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Apply the `schema/NNN_*.sql` files not yet applied, each in its own transaction, in order."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
    pending = pending_migrations(con)
    if not pending:
        return
    for name, (function, arguments, result) in MIGRATION_FUNCTIONS.items():
        con.create_function(name, function, arguments, result, null_handling="special")
    try:
        for script in pending:
            con.execute("BEGIN")
            try:
                con.execute(script.read_text())
                con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [script.name])
                con.execute("COMMIT")
            except Exception:
                con.execute("ROLLBACK")
                raise
    finally:
        for name in MIGRATION_FUNCTIONS:
            con.remove_function(name)


def pending_migrations(con: duckdb.DuckDBPyConnection) -> list[Traversable]:
    """The `schema/NNN_*.sql` files not yet applied to the warehouse, in order."""
    applied = set()
    if con.execute("SELECT 1 FROM duckdb_tables() WHERE table_name = 'schema_migrations'").fetchone():
        applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    scripts = _SQL.joinpath("schema").iterdir()
    return sorted((s for s in scripts if s.name.endswith(".sql") and s.name not in applied), key=lambda f: f.name)


@dataclass(frozen=True)
class View:
    """One file of `views/`: the view is named after the file, and the file is its query."""

    name: str
    file: str  # as messages name it: "views/languages.sql"
    query: str
    reads: frozenset[str]  # the other views its query selects from


class ViewError(RuntimeError):
    """A view that cannot be made: the message names its file and says why."""


VIEWS = _SQL.joinpath("views")


@cache
def load_views(folder: Traversable = VIEWS) -> tuple[View, ...]:
    """The views of `folder`, each after the views it reads (derived from its query, as
    DuckDB parses it), so that it is made after them. A cycle is an error."""
    scripts = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    queries = {script.name.removesuffix(".sql"): script.read_text().strip().removesuffix(";") for script in scripts}
    files = {name: f"{folder.name}/{name}.sql" for name in queries}
    with duckdb.connect() as parser:
        views = {
            name: View(name, files[name], query, frozenset(_relations(parser, files[name], query) & queries.keys()))
            for name, query in queries.items()
        }
    order = TopologicalSorter({name: sorted(view.reads) for name, view in views.items()})
    try:
        return tuple(views[name] for name in order.static_order())
    except CycleError as error:
        cycle = error.args[1]
        raise ViewError(
            f"{', '.join(sorted(files[name] for name in set(cycle)))} read each other "
            f"({' -> '.join(cycle)}): no order makes them"
        ) from None


def _relations(parser: duckdb.DuckDBPyConnection, file: str, query: str) -> set[str]:
    """The tables and views `query` selects from, less the names of its own CTEs."""
    parsed = json.loads(parser.execute("SELECT json_serialize_sql(?)", [query]).fetchone()[0])
    if parsed["error"]:
        raise ViewError(f"{file}: {parsed['error_message']}")
    read, named = set(), set()
    nodes = [parsed["statements"]]
    while nodes:
        node = nodes.pop()
        if isinstance(node, list):
            nodes += node
        elif isinstance(node, dict):
            if node.get("type") == "BASE_TABLE" and not node.get("schema_name"):
                read.add(node["table_name"])
            named |= {cte["key"] for cte in node.get("cte_map", {}).get("map", [])}
            nodes += node.values()
    return read - named


def with_views(names: Iterable[str], tables: Mapping[str, str]) -> str:
    """A WITH clause defining the views `names`, and the views they read, as CTEs that read
    `tables` (name -> the query read in its place): the views' figures over part of the
    warehouse, for a query to follow. A table's query may read the table of its name."""
    views = {view.name: view for view in load_views()}
    needed, waiting = set(), list(names)
    while waiting:
        name = waiting.pop()
        if name not in needed:
            needed.add(name)
            waiting += views[name].reads
    ctes = [f"{name} AS (\n{query}\n)" for name, query in tables.items()]
    ctes += [f"{view.name} AS (\n{view.query}\n)" for view in views.values() if view.name in needed]
    return "WITH " + ",\n".join(ctes) + "\n"


def create_views(con: duckdb.DuckDBPyConnection, temporary: bool = False) -> None:
    """(Re)create every view of `views/`, each after the views it reads; views hold no
    data, so this is always safe. The writer's views must all be made: one that cannot be
    raises ViewError, naming its file and DuckDB's reason.

    `temporary`: for a read-only connection, which sees this release's views even on a
    warehouse no writer of this release has opened yet. There a view that cannot be made
    (its warehouse is not yet migrated to this release) is left out with a warning naming
    it and why, and so are the views that read it; the tables and the other views can
    still be queried, and a query on a view left out fails with DuckDB's own error."""
    made: set[str] = set()
    for view in load_views():
        try:
            _create_view(con, view, made, temporary)
        except ViewError as error:
            if not temporary:
                raise
            kept = _stored_view(con, view.name)
            logger.warning(
                "view %s is left out: %s%s%s",
                view.name,
                str(error).splitlines()[0],
                _older_warehouse(con),
                "; queries on it read the warehouse's own view of that name, an older release's" if kept else "",
            )
            continue
        made.add(view.name)


def _create_view(con: duckdb.DuckDBPyConnection, view: View, made: set[str], temporary: bool) -> None:
    missing = sorted(view.reads - made)
    if missing:
        raise ViewError(f"{view.file} reads {', '.join(missing)}, which could not be made")
    try:
        con.execute(f"CREATE OR REPLACE {'TEMP ' if temporary else ''}VIEW {view.name} AS\n{view.query}")
    except duckdb.Error as error:
        raise ViewError(f"{view.file}: {error}") from None


def _stored_view(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether the warehouse has a view `name` of its own, which a TEMP view would hide."""
    return bool(
        con.execute("SELECT count(*) FROM duckdb_views() WHERE view_name = ? AND NOT temporary", [name]).fetchall()[0][
            0
        ]
    )


def _older_warehouse(con: duckdb.DuckDBPyConnection) -> str:
    """What to do about a view left out, when the warehouse lacks migrations of this release."""
    migrations = {script.name for script in _SQL.joinpath("schema").iterdir() if script.name.endswith(".sql")}
    try:
        applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    except duckdb.CatalogException:
        applied = set()
    if migrations <= applied:
        return ""
    return f" (the warehouse lacks migration {min(migrations - applied)}: the next `newsmill ingest` applies it)"
