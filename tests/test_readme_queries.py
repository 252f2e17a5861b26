"""The README's warehouse docs against a real warehouse: every example query runs and
returns rows on the sample corpus, and the Schema section lists every table, view and
column there is (and nothing that is gone), so the docs cannot fall behind the SQL."""

import re
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE

from flows.cli import format_summary
from flows.ingest import ingest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
VIEWS = ROOT / "warehouse" / "views"
QUERY_COUNT = 13


def _section(title: str) -> str:
    """The text of the README's `## title` section, up to the next `## ` heading."""
    text = README.read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(title)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert match, f"README.md has no '## {title}' section"
    return match.group(1)


def _example_queries() -> list[tuple[str, str]]:
    """(question, query) for every ```sql block of the Example queries section; the
    question is the bold sentence between the previous block and this one."""
    section = _section("Example queries")
    found, previous_end = [], 0
    for block in re.finditer(r"^```sql\n(.*?)^```", section, re.M | re.S):
        questions = re.findall(r"\*\*(.+?)\*\*", section[previous_end : block.start()])
        found.append((questions[-1] if questions else f"query {len(found) + 1} (no question)", block.group(1).strip()))
        previous_end = block.end()
    return found


QUERIES = _example_queries()


def _markdown_rows(lines: list[str]) -> list[list[str]]:
    """The body rows (cells stripped) of the first markdown table in `lines`."""
    start = next((i for i, line in enumerate(lines) if line.startswith("|")), None)
    if start is None:
        return []
    table = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        table.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return table[2:]  # past the header and the --- row


def _documented_tables() -> dict[str, dict[str, str]]:
    """{table: {column: type}} from each `**table**` paragraph and the table under it."""
    tables_part = _section("Schema").split("### Views")[0]
    pieces = re.split(r"^\*\*(\w+)\*\*", tables_part, flags=re.M)
    return {
        name: {row[0]: row[1] for row in _markdown_rows(body.splitlines())}
        for name, body in zip(pieces[1::2], pieces[2::2])
    }


def _documented_views() -> dict[str, str]:
    """{view: its columns cell} from the Views table of the Schema section."""
    parts = _section("Schema").split("### Views")
    assert len(parts) == 2, "the Schema section has no '### Views' subsection"
    rows = _markdown_rows(parts[1].splitlines())
    return {re.fullmatch(r"`(\w+)`", row[0]).group(1): row[1] for row in rows}


@pytest.fixture(scope="module")
def sample_run(prefect_server, tmp_path_factory) -> tuple[Path, dict]:
    """The bundled sample corpus, ingested once by the real flow into a fresh warehouse:
    the warehouse, and the run's summary."""
    db = tmp_path_factory.mktemp("readme") / "sample.duckdb"
    summary = ingest([str(SAMPLE)], db=str(db))
    assert summary["failed"] == 0 and summary["articles"] > 0, summary
    return db, summary


@pytest.fixture(scope="module")
def sample_db(sample_run) -> Path:
    return sample_run[0]


@pytest.fixture(scope="module")
def columns(sample_db) -> dict[str, dict[str, str]]:
    """{table or view: {column: type}} of the sample warehouse."""
    with duckdb.connect(str(sample_db), read_only=True) as con:
        rows = con.execute("""SELECT table_name, column_name, data_type FROM information_schema.columns
                              WHERE table_catalog = current_database() AND table_schema = 'main'
                              ORDER BY table_name, ordinal_position""").fetchall()
    found: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, {})[column] = data_type.replace('"', "")  # STRUCT(..., "seconds" DOUBLE)
    return found


@pytest.fixture(scope="module")
def table_names(sample_db) -> set[str]:
    with duckdb.connect(str(sample_db), read_only=True) as con:
        rows = con.execute("""SELECT table_name FROM information_schema.tables
                              WHERE table_catalog = current_database() AND table_schema = 'main'
                              AND table_type = 'BASE TABLE'""").fetchall()
    return {row[0] for row in rows}


def test_the_readme_shows_the_summary_the_sample_gives(sample_run):
    shown = re.search(r"^```\n(\d+ documents: .*?)^```", _section("Commands"), re.M | re.S)
    assert shown, "the Commands section shows no ingest summary"
    printed = format_summary(sample_run[1], Path("newsmill.duckdb")) + "\n"

    def this_run(summary: str) -> str:  # its id and time are this run's own
        return re.sub(r"\(run \S+, [\d.]+ s,", "(run ID, S s,", summary)

    assert this_run(shown.group(1)) == this_run(printed)


def test_the_readme_has_thirteen_example_queries():
    assert len(QUERIES) == QUERY_COUNT, [question for question, _ in QUERIES]
    assert len({query for _, query in QUERIES}) == QUERY_COUNT, "an example query is there twice"


@pytest.mark.parametrize("query", [query for _, query in QUERIES], ids=[question for question, _ in QUERIES])
def test_an_example_query_returns_rows_on_the_sample(sample_db, query):
    # Runnable as it stands inside the double quotes of `newsmill sql "..."`.
    assert not set(query) & set('"$`\\'), "the query would not survive the shell's double quotes"
    with duckdb.connect(str(sample_db), read_only=True) as con:
        rows = con.execute(query).fetchall()
    assert rows, "no rows on the sample warehouse"


def test_the_schema_section_names_every_table_and_view(table_names, columns):
    documented_tables, documented_views = _documented_tables(), _documented_views()
    view_files = {path.stem for path in VIEWS.glob("*.sql")}
    assert view_files, "no views found"
    assert table_names - documented_tables.keys() == set(), "tables the README's Schema section leaves out"
    assert documented_tables.keys() - table_names == set(), "tables in the README that the warehouse does not have"
    assert view_files - documented_views.keys() == set(), "views the README's Schema section leaves out"
    assert documented_views.keys() - view_files == set(), "views in the README that warehouse/views does not have"
    assert view_files | table_names == columns.keys()  # every view file made a view, and nothing else is there


def test_the_schema_section_lists_every_column_with_its_type(table_names, columns):
    documented = _documented_tables()
    for table in sorted(table_names):
        assert documented.get(table) == columns[table], f"the README's columns of {table} differ from the warehouse's"


def test_the_schema_section_lists_every_column_of_each_view(columns):
    for view, cell in _documented_views().items():
        listed = set(re.findall(r"`(\w+)`", re.sub(r"every column of `\w+`", "", cell)))
        for table in re.findall(r"every column of `(\w+)`", cell):
            listed |= columns[table].keys()
        assert listed == columns[view].keys(), f"the README's columns of view {view} differ from the warehouse's"
