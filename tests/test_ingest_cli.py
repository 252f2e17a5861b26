"""End to end: the real `newsmill` CLI, a real Prefect flow run, a real DuckDB file."""

import json
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from flows.cli import main
from warehouse.load import DOCUMENT_TABLES

TABLES = [table.name for table in DOCUMENT_TABLES] + ["entities", "runs", "sources", "site_templates"]

# Bad input, each with the reject reason it must produce.
BAD_FILES = {
    "empty.txt": (b"", "empty"),
    "blank.html": (b"  \n\n ", "empty"),
    "image.txt": (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary"),
    "residue_only.txt": (b"Share.\nLeave A Reply\nPrevious Post Next Post\n", "no_text"),
    "nav_only.html": (b"<html><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav></body></html>", "no_text"),
    "notes.pdf": (b"%PDF-1.4 not an article", "unsupported_format"),
}


@pytest.fixture(scope="module")
def ingested(prefect_server, tmp_path_factory):
    """The sample corpus plus every bad case, ingested once into a fresh warehouse."""
    folder = tmp_path_factory.mktemp("input")
    for source in sorted((Path(__file__).resolve().parents[1] / "examples" / "sample").iterdir()):
        (folder / source.name).write_bytes(source.read_bytes())
    for name, (content, _) in BAD_FILES.items():
        (folder / "bad" / name).parent.mkdir(exist_ok=True)
        (folder / "bad" / name).write_bytes(content)
    (folder / ".DS_Store").write_bytes(b"\x00\x01hidden files are not input")
    db = folder.parent / "warehouse.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    return folder, db


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _rows(db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query).fetchall()


def test_every_record_is_one_article_or_one_reject(ingested):
    folder, db = ingested
    inputs = [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]
    counts = _counts(db)
    assert counts["documents"] == len(inputs) == counts["articles"] + counts["rejects"]
    assert _rows(db, "SELECT count(*) FROM articles JOIN rejects USING (doc_id)") == [(0,)]
    assert _rows(
        db,
        """SELECT count(*) FROM documents
                        WHERE doc_id NOT IN (SELECT doc_id FROM articles UNION ALL SELECT doc_id FROM rejects)""",
    ) == [(0,)]


def test_bad_input_is_rejected_with_its_reason(ingested):
    _, db = ingested
    reasons = {Path(uri).name: reason for uri, reason in _rows(db, "SELECT source_uri, reason FROM rejects")}
    assert reasons == {name: reason for name, (_, reason) in BAD_FILES.items()}
    assert _rows(db, "SELECT count(*) FROM rejects WHERE detail = ''") == [(0,)]


def test_articles_are_clean_text_with_metadata(ingested):
    _, db = ingested
    by_file = {
        Path(uri).name: rest
        for uri, *rest in _rows(db, "SELECT source_uri, title, text, site, url, published_at FROM articles")
    }
    title, text, *_ = by_file["04_museum_reopening.txt"]
    assert title == "Gothenburg maritime museum reopens after three-year renovation"
    assert "A building with a past" in text.split("\n")  # a subhead is content
    for residue in ("Share.", "Leave A Reply", "Exit mobile version"):
        assert residue not in text
    assert "\n\n" not in text
    _, html_text, site, url, published = by_file["05_wire_rate_decision.html"]
    assert site == "dailymeridian.com" and url.startswith("https://")
    assert published is not None
    assert "cookie" not in html_text.lower()


def test_every_removed_line_is_recorded_with_its_reason(ingested):
    _, db = ingested
    removed = _rows(
        db,
        """SELECT r.line_no, r.text, r.reason FROM removed_lines r JOIN articles a USING (article_id)
                           WHERE a.source_uri LIKE '%04_museum_reopening.txt' ORDER BY r.line_no""",
    )
    assert [(text, reason) for _, text, reason in removed] == [
        ("Share.", "residue_phrase"),
        ("Leave A Reply", "residue_phrase"),
        ("Exit mobile version", "residue_phrase"),
    ]
    lines = (Path(__file__).resolve().parents[1] / "examples/sample/04_museum_reopening.txt").read_text().split("\n")
    assert all(lines[line_no - 1].strip() == text for line_no, text, _ in removed)


def test_languages_are_detected_and_only_english_is_tagged(ingested):
    _, db = ingested
    languages = dict(_rows(db, "SELECT regexp_extract(source_uri, '[^/]+$'), language FROM articles"))
    assert languages.pop("08_hitzewelle_de.txt") == "de"
    assert set(languages.values()) == {"en"}
    assert _rows(db, "SELECT count(*) FROM mentions JOIN articles USING (article_id) WHERE language <> 'en'") == [(0,)]


def test_the_rescrape_of_a_wire_story_is_a_duplicate(ingested):
    _, db = ingested
    clusters = dict(_rows(db, "SELECT regexp_extract(source_uri, '[^/]+$'), cluster_id FROM articles"))
    assert clusters["05_wire_rate_decision.html"] == clusters["11_wire_rate_decision_rescrape.txt"]
    assert len(set(clusters.values())) == len(clusters) - 1
    # one canonical member per cluster, and the cluster is named after one of its members
    assert _rows(
        db, "SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY 1 HAVING sum(is_canonical::INT) <> 1)"
    ) == [(0,)]
    assert _rows(db, "SELECT count(*) FROM articles WHERE cluster_id NOT IN (SELECT article_id FROM articles)") == [
        (0,)
    ]


def test_mention_offsets_slice_to_the_surface_text(ingested):
    _, db = ingested
    total, exact = _rows(
        db,
        """SELECT count(*), count(*) FILTER (WHERE substring(a.text, m.start_char + 1, m.end_char - m.start_char) = m.surface)
                                FROM mentions m JOIN articles a USING (article_id)""",
    )[0]
    assert total > 50 and exact == total
    people = {name for (name,) in _rows(db, "SELECT name FROM entities WHERE label = 'PERSON'")}
    assert {"Rosa Delgado", "Tiago Ramalho"} <= people


def test_ingesting_the_same_folder_again_changes_nothing(ingested, capsys):
    folder, db = ingested
    before = _counts(db)
    snapshot = _rows(db, "SELECT article_id, run_id, cluster_id, is_canonical, text FROM articles ORDER BY 1")
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    assert f"{before['documents']} documents: 0 loaded, {before['documents']} unchanged" in capsys.readouterr().out
    assert _counts(db) == before
    assert _rows(db, "SELECT article_id, run_id, cluster_id, is_canonical, text FROM articles ORDER BY 1") == snapshot


def test_a_changed_file_replaces_only_its_own_rows(prefect_server, sample_copy, tmp_path):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(sample_copy), "--db", str(db)]) == 0
    before = dict(_rows(db, "SELECT regexp_extract(source_uri, '[^/]+$'), run_id FROM articles"))
    edited = sample_copy / "12_island_ferry_restored.txt"
    edited.write_text(edited.read_text() + "\nThe operator apologised again to islanders on Tuesday.\n")
    assert main(["ingest", str(sample_copy), "--db", str(db)]) == 0
    after = dict(_rows(db, "SELECT regexp_extract(source_uri, '[^/]+$'), run_id FROM articles"))
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"12_island_ferry_restored.txt"}
    assert "apologised again" in _rows(db, f"SELECT text FROM articles WHERE source_uri = '{edited}'")[0][0]


def test_sql_prints_results_in_each_format(ingested, capsys):
    _, db = ingested
    assert main(["sql", "select count(*) from articles", "--db", str(db)]) == 0
    assert capsys.readouterr().out == "12\n"
    assert (
        main(
            [
                "sql",
                "select language, count(*) as n from articles group by 1 order by 1",
                "--db",
                str(db),
                "--format",
                "csv",
            ]
        )
        == 0
    )
    assert capsys.readouterr().out == "language,n\nde,1\nen,11\n"
    assert (
        main(
            [
                "sql",
                "select language, count(*) as n from articles group by 1 order by 1",
                "--db",
                str(db),
                "--format",
                "json",
            ]
        )
        == 0
    )
    assert json.loads(capsys.readouterr().out) == [{"language": "de", "n": 1}, {"language": "en", "n": 11}]
    assert main(["sql", "select language, count(*) as n from articles group by 1 order by 1", "--db", str(db)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "language   n",
        "--------  --",
        "de         1",
        "en        11",
        "(2 rows)",
    ]


def test_sql_is_read_only_and_explains_its_errors(ingested, tmp_path, capsys):
    _, db = ingested
    assert main(["sql", "delete from articles", "--db", str(db)]) == 1
    assert "read-only" in capsys.readouterr().err
    assert _counts(db)["articles"] == 12
    assert main(["sql", "select 1", "--db", str(tmp_path / "nowhere.duckdb")]) == 2
    assert "newsmill ingest" in capsys.readouterr().err


def test_a_busy_warehouse_gets_a_clear_message(ingested, tmp_path):
    _, db = ingested
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('held', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        result = subprocess.run(
            [sys.executable, "-m", "flows.cli", "sql", "select 1", "--db", str(db)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 2
    assert "busy" in result.stderr and "Traceback" not in result.stderr


def test_the_console_script_exits_with_the_commands_status(ingested, tmp_path):
    """`newsmill` as pip installs it: the entry point pyproject.toml names, run as a program."""
    _, db = ingested
    entry = next(line for line in Path("pyproject.toml").read_text().splitlines() if line.startswith("newsmill ="))
    module, function = entry.split("=")[1].strip().strip('"').split(":")
    script = f"import sys; sys.argv[0] = 'newsmill'; from {module} import {function}; {function}()"

    def newsmill(*args):
        return subprocess.run([sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60)

    answered = newsmill("sql", "SELECT count(*) AS n FROM articles", "--db", str(db), "--format", "csv")
    with duckdb.connect(str(db), read_only=True) as con:
        [(articles,)] = con.execute("SELECT count(*) FROM articles").fetchall()
    assert (answered.returncode, answered.stdout.split()) == (0, ["n", str(articles)])
    missing = newsmill("sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb"))
    assert missing.returncode == 2 and "newsmill:" in missing.stderr


def test_missing_input_is_a_usage_error(tmp_path, capsys):
    started = time.perf_counter()
    assert main(["ingest", str(tmp_path / "missing"), "--db", str(tmp_path / "w.duckdb")]) == 2
    assert "no such file or folder" in capsys.readouterr().err
    assert time.perf_counter() - started < 5  # reported before Prefect starts up


def test_sql_tables_shorten_long_values_but_csv_keeps_them(ingested, capsys):
    _, db = ingested
    query = "select text from articles where source_uri like '%04_museum_reopening.txt'"
    assert main(["sql", query + " union all select 'x'", "--db", str(db)]) == 0
    shown = capsys.readouterr().out.splitlines()[2]
    assert len(shown) == 80 and shown.endswith("…")
    assert main(["sql", query, "--db", str(db), "--format", "csv"]) == 0
    assert len(capsys.readouterr().out) > 2000


@pytest.mark.parametrize("processes", ["0", "-1", "two"])
def test_processes_must_be_a_positive_number(tmp_path, capsys, processes):
    with pytest.raises(SystemExit) as exit_:
        main(["ingest", str(tmp_path), "--processes", processes, "--db", str(tmp_path / "w.duckdb")])

    assert exit_.value.code == 2
    assert "--processes: expected a whole number of at least 1" in capsys.readouterr().err


def test_the_commands_runs_send_heartbeats_only_when_prefects_settings_ask_for_them():
    from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings

    from flows.cli import _heartbeats_only_if_asked

    with _heartbeats_only_if_asked():
        assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() is None
    with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: 60}), _heartbeats_only_if_asked():
        assert PREFECT_FLOWS_HEARTBEAT_FREQUENCY.value() == 60
