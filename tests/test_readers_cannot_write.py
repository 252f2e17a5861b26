"""Readers can read the warehouse and nothing else: `newsmill sql`, `shell`, `report`,
`export` and `warehouse.read_only()`, on real DuckDB files, with the real commands.

Every statement that could write a file (the warehouse's own file and WAL included),
read or list one, attach a database, install or load an extension, or change a setting
is refused, and the warehouse and the folders around it are byte for byte as they were.
`report` and `export` will not write over the warehouse, its WAL or its run lock, however
the path is spelt, and write their files whole or not at all.
"""

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import warehouse.export
from flows.cli import main
from tests.terminal import on_a_terminal
from tests.test_readme_queries import QUERIES
from transforms.documents import Article, Document, Mention, Reject
from transforms.stories import StoryChanges
from warehouse import RunRecord, Warehouse, read_only
from warehouse.export import TABLES

ROOT = Path(__file__).resolve().parents[1]
VIEWS = sorted(path.stem for path in (ROOT / "warehouse" / "views").glob("*.sql"))
ROWS = {"articles": 2, "documents": 3, "rejects": 1, "entities": 2, "mentions": 3, "runs": 1}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """A small warehouse written by the real writer (no Prefect): two articles, one titled
    with a script, three mentions of two people, a reject, a finished run."""
    db = tmp_path_factory.mktemp("built") / "warehouse.duckdb"
    texts = [
        ('Alice Smith in Paris, "quoted"', "Alice Smith went to Paris.\nA second line, with a comma."),
        ("<script>alert(1)</script>", "Bob Jones met Alice Smith in Leith."),
    ]
    mentions = [
        (Mention(0, 11, "Alice Smith", "PERSON", "Alice Smith"),),
        (Mention(0, 9, "Bob Jones", "PERSON", "Bob Jones"), Mention(14, 25, "Alice Smith", "PERSON", "Alice Smith")),
    ]
    articles = [
        Article(
            document=Document(f"/in/{i}.txt", "txt", f"sha-{i}", len(text)),
            text=text,
            title=title,
            url=f"https://example.com/{i}",
            site="example.com",
            published_at=datetime(2026, 1, 5 + i, 10),
            language="en",
            language_prob=0.99,
            content_hash=f"hash-{i}",
            mentions=mentions[i],
            removed_lines=((3, "Share.", "residue_phrase"),),
        )
        for i, (title, text) in enumerate(texts)
    ]
    reject = Reject(Document("/in/empty.txt", "txt", "sha-empty", 0), "empty", "the file holds no text")
    run = RunRecord()
    run.counts.update(documents=3, loaded=3, articles=2, rejects=1, mentions=3)
    run.stages["read"] = [3, 0.01]
    with Warehouse(db) as writer:
        clusters = {a.article_id: (a.article_id, True) for a in articles}
        # each its own story, so the report's top stories show both titles
        stories = StoryChanges({a.article_id: f"story-{a.article_id}" for a in articles}, {}, {})
        writer.write_batch(run, articles, [reject], clusters, stories)
        writer.finish_run(run, "completed")
    assert _counts(db) == ROWS
    return db


@pytest.fixture
def db(built, tmp_path) -> Path:
    """A private copy of the warehouse, alone in its folder: a statement that got through
    spoils only its own test."""
    folder = tmp_path / "warehouse"
    folder.mkdir()
    return Path(shutil.copyfile(built, folder / "warehouse.duckdb"))


@pytest.fixture
def outside(tmp_path) -> Path:
    """A folder beside the warehouse's, with files a query could try to read, and another database."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "data.csv").write_text("a,b\n1,2\n")
    (folder / "data.json").write_text('[{"a": 1}]')
    pq.write_table(pa.table({"a": [1]}), folder / "data.parquet")
    with duckdb.connect(str(folder / "other.duckdb")) as con:
        con.execute("CREATE TABLE kept AS SELECT 1 AS a")
    return folder


def _state(folder: Path) -> dict[str, str]:
    """Every entry under `folder` (links as links), with a digest of each file's bytes."""
    return {
        str(path.relative_to(folder)): (
            "link " + os.readlink(path)
            if path.is_symlink()
            else hashlib.sha256(path.read_bytes()).hexdigest()
            if path.is_file()
            else "folder"
        )
        for path in sorted(folder.rglob("*"))
    }


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0] for table in ROWS}


# Each with what it would do if it got through.
REFUSED = {
    # writing files: the warehouse itself, its WAL, its run lock, anywhere else
    "copy over the warehouse": "copy (select 'oops') to '{db}'",
    "copy over the warehouse in place": "copy (select 'oops') to '{db}' (use_tmp_file false)",
    "copy to its wal": "copy (select 'oops') to '{db}.wal'",
    "copy to its run lock": "copy (select 'oops') to '{db}.lock' (use_tmp_file false)",
    "copy to its temp folder": "copy (select 'oops') to '{db}.tmp'",
    "copy to a csv outside": "copy articles to '{outside}/articles.csv'",
    "copy to a parquet outside": "copy (select * from articles) to '{outside}/articles.parquet' (format parquet)",
    "copy from a file": "copy entities from '{outside}/data.csv'",
    "export database": "export database '{outside}/dump'",
    "import database": "import database '{outside}'",
    # reading and listing files
    "read_csv /etc/passwd": "select * from read_csv('/etc/passwd', sep = ':')",
    "read_text /etc/passwd": "select * from read_text('/etc/passwd')",
    "read_blob /etc/passwd": "select * from read_blob('/etc/passwd')",
    "sniff_csv /etc/passwd": "select * from sniff_csv('/etc/passwd')",
    "read_csv outside": "select * from read_csv('{outside}/data.csv')",
    "read_parquet outside": "select * from read_parquet('{outside}/data.parquet')",
    "read_json outside": "select * from read_json('{outside}/data.json')",
    "a file as a table": "select * from '{outside}/data.csv'",
    "the warehouse's own bytes": "select * from read_blob('{db}')",
    "glob": "select * from glob('/etc/*')",
    # other databases
    "attach": "attach '{outside}/other.duckdb'",
    "attach read-only": "attach '{outside}/other.duckdb' (read_only)",
    "attach for writing and write": "attach '{outside}/other.duckdb' as other (read_only false); "
    "create table other.oops as select 1",
    "attach a new file": "attach '{outside}/new.duckdb' as new",
    "attach in memory": "attach ':memory:' as scratch",
    "attach the warehouse again": "attach '{db}' as again",
    # extensions, which reach for the network and the disk
    "install": "install httpfs",
    "force install": "force install httpfs",
    "load": "load httpfs",
    "load a file": "load '{outside}/evil.duckdb_extension'",
    "update extensions": "update extensions",
    "list extensions": "select * from duckdb_extensions()",
    # settings
    "set threads": "set threads = 1",
    "set memory_limit": "set memory_limit = '1GB'",
    "reset": "reset threads",
    "external access back on": "set enable_external_access = true",
    "file systems back on": "set disabled_filesystems = ''",
    "unlock": "set lock_configuration = false",
    "temp folder elsewhere": "set temp_directory = '{outside}/tmp'",
    "pragma threads": "pragma threads = 1",
    "pragma memory_limit": "pragma memory_limit = '1GB'",
    "pragma profiling_output": "pragma profiling_output = '{outside}/profile.json'",
    "logging to a file": "call enable_logging(storage = 'file', storage_path = '{outside}/logs')",
    "a secret": "create secret (type s3, key_id 'a', secret 'b')",
    "a function of an extension": "select * from sqlite_scan('{outside}/other.duckdb', 'kept')",
    # the warehouse's own contents
    "create table": "create table oops (a int)",
    "create table as": "create table oops as select * from articles",
    "insert": "insert into runs (run_id, started_at, status) values ('oops', now(), 'running')",
    "delete": "delete from articles",
    "update": "update articles set title = 'oops'",
    "drop table": "drop table articles",
    "alter table": "alter table articles add column oops int",
    "create view": "create view oops as select 1",
    "replace a view": "create or replace view canonical_articles as select 1 as oops",
    "create macro": "create macro oops(x) as x",
    "create schema": "create schema oops",
    "create index": "create index oops on articles (site)",
    "comment on": "comment on table articles is 'oops'",
}


def _statement(template: str, db: Path, outside: Path) -> str:
    return template.format(db=db, outside=outside)


@pytest.mark.parametrize("template", REFUSED.values(), ids=REFUSED.keys())
def test_newsmill_sql_refuses_in_one_line_and_changes_nothing(template, db, outside, capsys):
    warehouse_before, outside_before = _state(db.parent), _state(outside)

    assert main(["sql", _statement(template, db, outside), "--db", str(db)]) == 1

    error = capsys.readouterr().err
    assert error.startswith("newsmill: refused (") and error.count("\n") == 1, error
    assert "the warehouse is read-only for queries" in error
    assert "newsmill export --format parquet|csv OUT" in error and "--format csv > FILE" in error
    assert _state(db.parent) == warehouse_before  # the warehouse's bytes; no WAL, lock or temp folder made
    assert _state(outside) == outside_before  # no file made, none changed
    assert _counts(db) == ROWS


def test_the_real_command_exits_1_without_a_traceback(db):
    before = _state(db.parent)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "flows.cli",
            "sql",
            f"copy (select 'oops') to '{db}' (use_tmp_file false)",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert result.returncode == 1
    assert (
        result.stderr.count("\n") == 1 and "read-only for queries" in result.stderr and "Traceback" not in result.stderr
    )
    assert _state(db.parent) == before


def test_python_readers_are_refused_the_same(db, outside):
    before, outside_before = _state(db.parent), _state(outside)
    got_through = []
    with read_only(db) as con, read_only(db) as second:  # the second shares the first one's DuckDB instance
        for name, template in REFUSED.items():
            for reader in (con, second):
                try:
                    reader.execute(_statement(template, db, outside)).fetchall()
                    got_through.append(name)
                except duckdb.Error:
                    pass
    assert got_through == []
    assert _state(db.parent) == before and _state(outside) == outside_before


# Accepted on a locked connection by DuckDB 1.5: profiling and logging to the connection's memory.
IN_MEMORY_SETTINGS = [
    "pragma enable_profiling",
    "pragma disable_checkpoint_on_shutdown",
    "call enable_logging()",
    "select count(*) from duckdb_logs",
]


def test_what_a_reader_may_still_do_stays_in_memory(db, outside):
    """TEMP objects, variables, the search path, profiling and logging live in the
    connection's memory, and CHECKPOINT, VACUUM and ANALYZE do nothing on a read-only
    database: all harmless, and nothing made with them can be written out."""
    before = _state(db.parent)
    with read_only(db) as con:
        con.execute("create temp table picked as select title from articles")
        con.execute("insert into picked values ('mine')")
        con.execute("create temp view people as select name from entities where label = 'PERSON'")
        con.execute("create temp macro twice(x) as x * 2")
        con.execute("set variable wanted = 'PERSON'")
        con.execute("set search_path = 'main'")
        for no_op in ["checkpoint", "force checkpoint", "vacuum", "analyze"]:
            con.execute(no_op)
        for in_memory in IN_MEMORY_SETTINGS:
            con.execute(in_memory).fetchall()
        assert con.execute("select count(*), twice(count(*)) from picked").fetchall() == [(3, 6)]
        assert con.execute(
            "select count(*) from people join entities using (name) where label = getvariable('wanted')"
        ).fetchall() == [(2,)]
        with pytest.raises(duckdb.PermissionException):
            con.execute(f"copy picked to '{outside}/picked.csv'")
    assert _state(db.parent) == before
    assert not (outside / "picked.csv").exists()


def test_queries_and_views_work_on_the_locked_connection(db):
    with read_only(db) as con:
        settings = con.execute(
            "select current_setting('access_mode'), current_setting('enable_external_access'), "
            "current_setting('autoinstall_known_extensions'), "
            "current_setting('autoload_known_extensions'), "
            "current_setting('lock_configuration')"
        ).fetchall()
        assert settings == [("read_only", False, False, False, True)]
        for view in VIEWS:
            con.execute(f"select * from {view}").fetchall()
        for _, query in QUERIES:  # the README's example queries
            con.execute(query).fetchall()
        assert con.execute("select count(*) from canonical_articles").fetchall() == [(2,)]


def test_sql_piped_into_the_shell_runs_as_newsmill_sql_runs_it(db):
    before = _state(db.parent)
    piped = subprocess.run(
        [sys.executable, "-m", "flows.cli", "shell", "--db", str(db)],
        input="select count(*) from articles;\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert (piped.returncode, piped.stdout) == (0, f"{ROWS['articles']}\n")

    refused = subprocess.run(
        [sys.executable, "-m", "flows.cli", "shell", "--db", str(db)],
        input=f"select 1;\ncopy (select 'oops') to '{db}' (use_tmp_file false);\nselect 2;\n",
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert (refused.returncode, refused.stdout) == (1, "1\n")  # stops at the statement refused
    assert refused.stderr.startswith("newsmill: refused (") and refused.stderr.count("\n") == 1
    assert _state(db.parent) == before


def test_the_interactive_shell_is_the_duckdb_cli_locked(db):
    """The DuckDB CLI installed with newsmill, on a terminal: it opens the warehouse, and
    refuses to write it or to unlock its settings."""
    before = _state(db.parent)
    typed = [
        f"copy (select 'oops') to '{db}' (use_tmp_file false);",
        "set disabled_filesystems = '';",
        f".open {db}",
        ".shell touch oops",
        "select 40 + count(*) as answer from articles;",
        ".quit",
    ]
    screen = on_a_terminal([sys.executable, "-m", "flows.cli", "shell", "--db", str(db)], ROOT, typed=typed).screen
    assert "LocalFileSystem has been disabled by configuration" in screen
    assert "the configuration has been locked" in screen
    assert ".open cannot be used in -safe mode" in screen and ".sh/.system cannot be used in -safe mode" in screen
    assert "Failed to execute query" not in screen
    assert f"{40 + ROWS['articles']}" in screen.split("answer", 1)[1]
    assert _state(db.parent) == before


def _links(tmp_path: Path) -> Path:
    folder = tmp_path / "links"
    folder.mkdir(exist_ok=True)
    return folder


# Ways to name the warehouse's own files.
WAREHOUSE_FILES = {
    "the warehouse": lambda db, links: db,
    "its wal": lambda db, links: db.with_name(db.name + ".wal"),
    "its run lock": lambda db, links: db.with_name(db.name + ".lock"),
    "a relative path with ..": lambda db, links: Path(os.path.relpath(db.parent)) / "sub" / ".." / db.name,
    "a symlink to the warehouse": lambda db, links: _symlink(links / "report.html", db),
    "a symlink to its wal, not yet there": lambda db, links: _symlink(
        links / "wal.html", db.with_name(db.name + ".wal")
    ),
    "the warehouse through a symlinked folder": lambda db, links: _symlink(links / "folder", db.parent) / db.name,
    "a hard link to the warehouse": lambda db, links: _hard_link(links / "hard.html", db),
}


def _symlink(link: Path, target: Path) -> Path:
    link.symlink_to(target)
    return link


def _hard_link(link: Path, target: Path) -> Path:
    os.link(target, link)
    return link


@pytest.mark.parametrize("name", WAREHOUSE_FILES, ids=WAREHOUSE_FILES.keys())
def test_report_will_not_write_over_the_warehouse(name, db, tmp_path, capsys):
    (db.parent / "sub").mkdir()
    target = WAREHOUSE_FILES[name](db, _links(tmp_path))
    before, links = _state(db.parent), _state(tmp_path / "links")

    assert main(["report", "--out", str(target), "--db", str(db)]) == 2

    error = capsys.readouterr().err
    assert " is the warehouse" in error and "give the report a file name of its own" in error, error
    assert _state(db.parent) == before and _state(tmp_path / "links") == links
    assert _counts(db) == ROWS


@pytest.mark.parametrize("name", WAREHOUSE_FILES, ids=WAREHOUSE_FILES.keys())
def test_export_will_not_write_over_the_warehouse(name, db, tmp_path, capsys):
    (db.parent / "sub").mkdir()
    target = WAREHOUSE_FILES[name](db, _links(tmp_path))
    before, links = _state(db.parent), _state(tmp_path / "links")

    assert main(["export", "--format", "csv", str(target), "--db", str(db)]) == 2

    error = capsys.readouterr().err
    assert " is the warehouse" in error and "export into a folder of its own" in error, error
    assert _state(db.parent) == before and _state(tmp_path / "links") == links


def test_export_will_not_write_a_table_over_the_warehouse(built, tmp_path, capsys):
    folder = tmp_path / "out"
    folder.mkdir()
    db = Path(shutil.copyfile(built, folder / "articles.csv"))  # a warehouse named like an exported table
    before = _state(folder)

    assert main(["export", "--format", "csv", str(tmp_path / "elsewhere" / ".." / "out"), "--db", str(db)]) == 2

    assert "articles.csv is the warehouse" in capsys.readouterr().err
    assert _state(folder) == before


def test_export_writes_every_table_whole_or_not_at_all(db, tmp_path, monkeypatch, capsys):
    out = tmp_path / "export"
    assert main(["export", "--format", "csv", str(out), "--db", str(db)]) == 0
    assert main(["export", "--format", "parquet", str(out), "--db", str(db)]) == 0
    printed = capsys.readouterr().out
    assert f"{out / 'articles.csv'}  2 rows" in printed and f"{out / 'articles.parquet'}  2 rows" in printed
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{t}.{f}" for t in TABLES for f in ("csv", "parquet"))

    # The files are the ones DuckDB's own COPY makes from the warehouse.
    with duckdb.connect(str(db), read_only=True) as con:
        for table in TABLES:
            con.execute(f"COPY (SELECT * FROM {table}) TO '{tmp_path}/direct.csv' (FORMAT csv, HEADER)")
            assert (out / f"{table}.csv").read_bytes() == (tmp_path / "direct.csv").read_bytes(), table
            assert (
                con.execute(f"SELECT * FROM '{out}/{table}.parquet'").fetchall()
                == con.execute(f"SELECT * FROM {table}").fetchall()
            ), table
            assert stat.S_IMODE((out / f"{table}.parquet").stat().st_mode) == 0o666 & ~_umask()
    assert _counts(db) == ROWS

    # An export that fails part of the way leaves the files of the last one as they were.
    for path in out.iterdir():
        path.write_text("the previous export")
    monkeypatch.setattr(warehouse.export, "TABLES", TABLES + ["no_such_table"])
    with pytest.raises(duckdb.CatalogException):
        main(["export", "--format", "csv", str(out), "--db", str(db)])
    assert {path.name: path.read_text() for path in out.iterdir()} == {
        f"{t}.{f}": "the previous export" for t in TABLES for f in ("csv", "parquet")
    }


def test_report_replaces_its_file_in_one_step(db, tmp_path, capsys):
    report = tmp_path / "report.html"
    report.write_text("the previous report")
    before = report.stat().st_ino

    assert main(["report", "--out", str(report), "--db", str(db)]) == 0

    assert str(report) in capsys.readouterr().out
    assert "<b>2</b><span>articles</span>" in report.read_text()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in report.read_text()
    assert report.stat().st_ino != before  # a new file renamed into place, not the old one rewritten
    assert stat.S_IMODE(report.stat().st_mode) == 0o666 & ~_umask()
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == ["report.html"]


def test_a_report_that_fails_while_writing_leaves_the_old_one(db, tmp_path, monkeypatch):
    report = tmp_path / "report.html"
    report.write_text("the previous report")
    write_text = Path.write_text

    def disk_full(path, text, *args, **kwargs):
        write_text(path, text[: len(text) // 2], *args, **kwargs)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Path, "write_text", disk_full)
    with pytest.raises(OSError, match="No space left"):
        main(["report", "--out", str(report), "--db", str(db)])
    monkeypatch.undo()

    assert report.read_text() == "the previous report"
    assert [path.name for path in tmp_path.iterdir() if path.is_file()] == ["report.html"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
