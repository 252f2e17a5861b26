"""The writer's Arrow rows against the tables the migrations make: a column added by a
migration but not to its schema in warehouse/rows.py (or the other way round) fails here,
not in a run."""

import duckdb
import pytest

from warehouse import rows
from warehouse.load import DOCUMENT_TABLES, Batch
from warehouse.schema import migrate

# Tables no Arrow rows are loaded into: SQL alone writes them.
WRITTEN_BY_SQL = {"runs", "entities", "site_templates", "schema_migrations"}


@pytest.fixture(scope="module")
def con():
    with duckdb.connect() as con:
        migrate(con)
        yield con


def _columns(con, relation: str) -> list[tuple[str, str]]:
    return [(name, column_type) for name, column_type, *_ in con.execute(f"DESCRIBE {relation}").fetchall()]


@pytest.mark.parametrize("table", sorted(rows.TABLES))
def test_each_tables_rows_are_its_columns_in_order_with_their_types(con, table):
    con.register("empty_rows", rows.arrow(rows.TABLES[table], []))
    try:
        assert _columns(con, "empty_rows") == _columns(con, table)
    finally:
        con.unregister("empty_rows")


def test_every_table_is_loaded_from_its_rows_or_written_by_sql(con):
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE NOT internal").fetchall()}
    assert tables == rows.TABLES.keys() | WRITTEN_BY_SQL


def test_each_document_table_is_loaded_from_its_rows_and_names_the_document(con):
    nothing = Batch("run", [], [], {})
    for table in DOCUMENT_TABLES:
        assert table.rows(nothing).schema == rows.TABLES[table.name], table.name
        assert table.key in {name for name, _ in _columns(con, table.name)}, table.name
