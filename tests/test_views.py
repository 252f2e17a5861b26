"""The views of `warehouse/views/`: made in the order their reads ask for, whatever their
names; a view that cannot be made is named with DuckDB's reason, which stops the writer and
leaves a reader's tables and other views usable; the migrations' SQL stays as applied."""

import hashlib
import logging
import re
from functools import partial
from pathlib import Path

import duckdb
import pytest

import warehouse
from flows.cli import main
from warehouse import read_only, schema
from warehouse.report import render_report
from warehouse.schema import ViewError, create_views, load_views, migrate, with_views

SCHEMA = Path(warehouse.__file__).parent / "schema"

# The SQL of each migration, comments left out, as warehouses have it applied: `migrate`
# records only a migration's file name, so its comments may change and its SQL never.
APPLIED_SQL = {
    "001_create_tables.sql": "b6524903f0f97b57d7c7d70453f44aca457f91f5e28799345d2d4d2eea297552",
    "002_sources_and_record_metadata.sql": "7005a59bac876a38c4ff767a113b94fa64b64583ca0f18d88bf7c2a698b2ed29",
    "003_removed_lines.sql": "f43f9453db713ab4afca5116366a9cfe016a76db66cea9b4aa3e1d12bf5baebf",
    "004_site_templates.sql": "632b09e8171123377eef37aed0a25e8c403d5ac72c07294ad86f18be7779f40e",
    "005_near_duplicates.sql": "694712fb7419d8dc2b667ebdf63a87ea03e4094abfa76896fe56795447c2a5fa",
    "006_canonical_entities.sql": "c1d1650211bca59862f733044eb36cabda42f07958fd5293d1661eda79038523",
    "007_run_stages.sql": "2f28de023bd2231f3d6395da4c9faa0cd643828ae2ea64486fbaa7a7d45421f0",
    "008_landing_day_fetched_at.sql": "88a1a9c98d594241aff32f81008196c3f3adf72fff8b15216e14399094b63972",
    "010_stories.sql": "f934323786c78d2ccfa6dc155459520ee69bbe2f52eeaa7504def030b765721a",
}


def _views(folder: Path, files: dict[str, str], monkeypatch) -> None:
    """`files` (name -> query) as the views of `warehouse/views/`."""
    folder.mkdir()
    for name, query in files.items():
        (folder / f"{name}.sql").write_text(query)
    monkeypatch.setattr(schema, "load_views", partial(load_views, folder))


def test_a_view_is_made_after_the_views_it_reads_whatever_their_names(tmp_path, monkeypatch):
    _views(
        tmp_path / "views",
        {
            "a_report": "-- reads z_base\nSELECT count(*) AS n FROM z_base JOIN m_middle USING (i)",
            "m_middle": "SELECT i FROM z_base WHERE i > 0",
            "z_base": "WITH items AS (SELECT i FROM items) SELECT i FROM items",
        },
        monkeypatch,
    )
    assert [(view.name, sorted(view.reads)) for view in schema.load_views()] == [
        ("z_base", []),
        ("m_middle", ["z_base"]),
        ("a_report", ["m_middle", "z_base"]),
    ]

    con = duckdb.connect()
    con.execute("CREATE TABLE items AS SELECT range AS i FROM range(3)")
    create_views(con)
    assert con.execute("SELECT n FROM a_report").fetchall() == [(2,)]


def test_the_warehouses_views_read_the_views_their_queries_name():
    reads = {view.name: view.reads for view in load_views()}
    assert reads["entity_cooccurrence"] == {"article_entities"}  # its table aliases and CTEs are not views
    assert reads["article_entities"] == {"article_days"} and reads["languages"] == set()
    order = [view.name for view in load_views()]
    assert all(order.index(read) < order.index(name) for name, names in reads.items() for read in names)


def test_views_that_read_each_other_are_an_error_naming_their_files(tmp_path, monkeypatch):
    _views(
        tmp_path / "views",
        {"a": "SELECT * FROM b", "b": "SELECT * FROM c", "c": "SELECT * FROM a", "d": "SELECT 1 AS one"},
        monkeypatch,
    )
    with pytest.raises(ViewError, match=r"views/a\.sql, views/b\.sql, views/c\.sql read each other"):
        schema.load_views()


def test_a_view_of_a_missing_view_stops_the_writer_naming_its_file(tmp_path, monkeypatch):
    _views(tmp_path / "views", {"fine": "SELECT 1 AS one", "broken": "SELECT * FROM nowhere"}, monkeypatch)
    with pytest.raises(ViewError, match=r"views/broken\.sql: Catalog Error: Table with name nowhere does not exist"):
        create_views(duckdb.connect())


def test_a_view_that_does_not_parse_is_an_error_naming_its_file(tmp_path, monkeypatch):
    _views(tmp_path / "views", {"typo": "SELEC 1"}, monkeypatch)
    with pytest.raises(ViewError, match=r"views/typo\.sql: syntax error at or near \"SELEC\""):
        schema.load_views()


def _older_warehouse(db: Path, last: str) -> None:
    """A warehouse as the release whose last migration is `last` left it, with an article."""
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
        for script in sorted(SCHEMA.glob("*.sql")):
            if script.name > last:
                break
            con.execute(script.read_text())
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [script.name])
        con.execute("""INSERT INTO articles (article_id, doc_id, source_uri, language, language_prob, text, word_count,
                                             content_hash, cluster_id, is_canonical, run_id)
                       VALUES ('a', 'a', '/in/a.txt', 'en', 1, 'text', 1, 'h', 'a', true, 'r')""")


def test_a_reader_of_an_older_warehouse_is_told_which_views_are_left_out(tmp_path, caplog, capsys):
    db = tmp_path / "old.duckdb"
    _older_warehouse(db, "006_canonical_entities.sql")  # before runs had stages
    with caplog.at_level(logging.WARNING, logger="warehouse.schema"), read_only(db) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(1,)]  # the tables, as they are
        assert con.execute("SELECT articles FROM languages").fetchall() == [(1,)]  # the views it can make
        with pytest.raises(duckdb.CatalogException, match="run_stages does not exist"):
            con.execute("SELECT * FROM run_stages")
    left_out = {re.match(r"view (\w+) is left out", message)[1]: message for message in caplog.messages}
    assert left_out["run_stages"].startswith("view run_stages is left out: views/run_stages.sql: Binder Error")
    assert "stages" in left_out["run_stages"] and "lacks migration 007_run_stages.sql" in left_out["run_stages"]
    assert "story_id" in left_out["totals"]  # the views that count stories, and those that read them
    assert {"languages", "article_days", "canonical_articles", "run_history"}.isdisjoint(left_out)

    assert main(["sql", "select count(*) from run_stages", "--db", str(db)]) == 1
    assert "Catalog Error: Table with name run_stages does not exist" in capsys.readouterr().err


def test_a_warehouse_from_before_stories_is_read_less_its_stories(tmp_path, caplog, capsys):
    db = tmp_path / "before_stories.duckdb"
    _older_warehouse(db, "001_create_tables.sql")
    with duckdb.connect(str(db)) as con:  # then every migration up to stories
        migrate(con)
        con.execute("DROP TABLE story_merges; DROP TABLE story_terms; ALTER TABLE articles DROP COLUMN story_id")
        con.execute("DELETE FROM schema_migrations WHERE version = '010_stories.sql'")
    with caplog.at_level(logging.WARNING, logger="warehouse.schema"), read_only(db) as con:
        assert con.execute("SELECT articles FROM languages").fetchall() == [(1,)]
        page = render_report(con)  # the report's views read the articles as having no story
    left_out = {re.match(r"view (\w+) is left out", message)[1]: message for message in caplog.messages}
    assert {"totals", "article_entities", "entity_totals"} <= left_out.keys()
    assert all("lacks migration 010_stories.sql" in message for message in left_out.values())
    assert "<b>1</b><span>articles</span>" in page and "<b>0</b><span>stories</span>" in page


def test_a_reader_leaves_out_the_views_of_a_view_it_cannot_make(tmp_path, caplog):
    db = tmp_path / "first.duckdb"
    _older_warehouse(db, "001_create_tables.sql")  # before articles had fetched_at
    with caplog.at_level(logging.WARNING, logger="warehouse.schema"), read_only(db) as con:
        assert con.execute("SELECT articles FROM duplicate_rate_by_site").fetchall() == [(1,)]
    left_out = {re.match(r"view (\w+) is left out", message)[1]: message for message in caplog.messages}
    assert "fetched_at" in left_out["article_days"]
    assert (
        "views/entity_cooccurrence.sql reads article_entities, which could not be made"
        in left_out["entity_cooccurrence"]
    )


def test_a_reader_of_a_warehouse_of_this_release_is_told_nothing(tmp_path, caplog):
    db = tmp_path / "new.duckdb"
    with duckdb.connect(str(db)) as con:
        migrate(con)
        create_views(con)
    with caplog.at_level(logging.WARNING), read_only(db) as con:
        for view in load_views():
            con.execute(f"SELECT * FROM {view.name}").fetchall()
    assert caplog.messages == []


def test_with_views_runs_views_over_the_rows_it_is_given():
    con = duckdb.connect()
    migrate(con)
    for n, language in enumerate(["en", "en", "de"]):
        con.execute(
            """INSERT INTO articles (article_id, doc_id, source_uri, language, language_prob, text, word_count,
                                             content_hash, cluster_id, is_canonical, run_id)
                       VALUES (?, ?, ?, ?, 1, 'text', 1, ?, ?, true, 'r')""",
            [f"a{n}", f"a{n}", f"a{n}", language, f"a{n}", f"a{n}"],
        )
    german = with_views(["languages"], {"articles": "SELECT * FROM articles WHERE language = 'de'"})
    assert con.execute(german + "SELECT language, articles FROM languages").fetchall() == [("de", 1)]
    assert con.execute(with_views(["totals"], {}) + "SELECT articles FROM totals").fetchall() == [(3,)]


def _statements(sql: str) -> str:
    """A migration's SQL without its comments or layout."""
    return " ".join(re.sub(r"--[^\n]*", "", sql).split())


def test_the_migrations_sql_is_as_warehouses_applied_it():
    found = {
        script.name: hashlib.sha256(_statements(script.read_text()).encode()).hexdigest()
        for script in sorted(SCHEMA.glob("*.sql"))
        if script.name in APPLIED_SQL
    }
    assert found == APPLIED_SQL
