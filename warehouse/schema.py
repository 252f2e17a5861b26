"""Migrations and views, applied from the `.sql` files beside this module."""

from __future__ import annotations

from importlib.resources import files

import duckdb

from transforms.entities import key_group, name_key
from transforms.read.days import folder_day

_SQL = files("warehouse")

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
    applied = {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}
    pending = [script for script in sorted(_SQL.joinpath("schema").iterdir(), key=lambda f: f.name)
               if script.name.endswith(".sql") and script.name not in applied]
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


def create_views(con: duckdb.DuckDBPyConnection, temporary: bool = False) -> None:
    """(Re)create every view from `views/*.sql`; views hold no data, so this is always safe.
    `temporary`: for a read-only connection, which sees this release's views even on a
    warehouse no writer of this release has opened yet."""
    for script in sorted(_SQL.joinpath("views").iterdir(), key=lambda f: f.name):
        if script.name.endswith(".sql"):
            sql = script.read_text()
            if not temporary:
                con.execute(sql)
                continue
            try:
                con.execute(sql.replace("CREATE OR REPLACE VIEW", "CREATE OR REPLACE TEMP VIEW"))
            except duckdb.Error:
                pass  # a warehouse not yet migrated to this release: the view waits for the next run
