"""The reliability suite's hostile folder, ingested as a user would: every file a row, every
document one article or one reject, the run completed, and a re-run a no-op."""

import duckdb

from bench.reliability import broken_invariants, counts, files_without_rows, write_hostile_folder
from flows.cli import main


def test_a_folder_of_every_kind_of_bad_input_is_accounted_for(prefect_server, tmp_path, capsys):
    folder, db = tmp_path / "hostile", tmp_path / "w.duckdb"
    write_hostile_folder(folder, empty_files=50, big_line_mb=21)

    # Overlapping arguments and a symlink loop reach the same files.
    assert (
        main(
            [
                "ingest",
                str(folder),
                str(folder / "loop"),
                str(folder / "good" / "*.txt"),
                "--db",
                str(db),
                "--processes",
                "1",
            ]
        )
        == 0
    )

    assert broken_invariants(db) == {}
    assert files_without_rows(db, folder) == []
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = dict(con.execute("SELECT reason, count(*) FROM rejects GROUP BY ALL").fetchall())
        statuses = con.execute("SELECT status FROM runs").fetchall()
        good = con.execute("SELECT count(*) FROM articles WHERE source_uri LIKE ?", [f"{folder}/good/%"]).fetchone()[0]
    assert statuses == [("completed",)]
    assert "processing_error" not in reasons  # each hostile case is handled where it arises
    assert reasons["empty"] == 51 and reasons["too_large"] == 1 and reasons["decompression_bomb"] >= 1
    assert good == 41
    before = counts(db)
    capsys.readouterr()

    assert main(["ingest", str(folder), "--db", str(db), "--processes", "1"]) == 0
    assert " 0 loaded" in capsys.readouterr().out
    assert counts(db) == before
