"""Records that fail on their own never hold back the others; file identity survives odd
names, repeated arguments, symlinks and deleted files. Real flow runs on real files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb

from bench.reliability import PLANTED_STAGES, planted_failures, write_planted_folder
from flows.cli import main
from flows.ingest import ingest
from flows.options import RunOptions
from transforms.documents import file_uri, stable_id


def _rows(db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query).fetchall()


def _accounted(db: Path) -> tuple[int, int, int, int]:
    """(documents, articles, rejects, documents in neither or both)."""
    [row] = _rows(
        db,
        """SELECT count(*), count(a.doc_id), count(r.doc_id),
                                count(*) FILTER (WHERE (a.doc_id IS NULL) = (r.doc_id IS NULL))
                         FROM documents d LEFT JOIN articles a USING (doc_id) LEFT JOIN rejects r USING (doc_id)""",
    )
    return row


def test_records_failing_in_any_stage_become_rejects_and_the_rest_loads(prefect_server, tmp_path):
    plants = write_planted_folder(tmp_path / "in", 120, every=15)  # over three batches of 40
    assert sorted(plants.values()) == sorted(PLANTED_STAGES)
    lookups = {stable_id(file_uri(path)) for path, stage in plants.items() if stage == "skip unchanged"}
    db = tmp_path / "w.duckdb"

    with planted_failures(lookups):
        summary = ingest([str(tmp_path / "in")], db=str(db), options=RunOptions(batch_size=40, processes=1))

        assert summary["failed"] == 0
        assert summary["rejects_by_reason"] == {"processing_error": len(PLANTED_STAGES)}
        rejects = dict(_rows(db, "SELECT source_uri, detail FROM rejects WHERE reason = 'processing_error'"))
        assert {uri: detail.split(":")[0] for uri, detail in rejects.items()} == {
            uri: f"stage {stage}" for uri, stage in plants.items()
        }
        assert all("planted failure" in detail for detail in rejects.values())
        assert _accounted(db) == (120, 120 - len(PLANTED_STAGES), len(PLANTED_STAGES), 0)
        assert _rows(db, "SELECT status FROM runs") == [("completed",)]

        # Parked, not stuck: a re-run passes over them,
        assert ingest([str(tmp_path / "in")], db=str(db), options=RunOptions(processes=1))["unchanged"] == 120
    # and once the cause is gone `--force` loads them.
    assert ingest([str(tmp_path / "in")], db=str(db), options=RunOptions(force=True, processes=1))["articles"] == 120
    assert _accounted(db) == (120, 120, 0, 0)


def test_a_wire_story_printed_verbatim_by_two_sites_loads_both(prefect_server, tmp_path):
    text = (
        "Volunteers at the Lindqvist community garden harvested more than two tonnes of squash "
        "this autumn, a record for the plot."
    )
    feed = tmp_path / "wire.jsonl"
    feed.write_text(
        "".join(
            json.dumps({"url": url, "text": text}) + "\n"
            for url in ("https://www.site-one.com/a", "https://news.site-two.org/a")
        )
    )
    db = tmp_path / "w.duckdb"

    assert main(["ingest", str(feed), "--db", str(db), "--processes", "1"]) == 0

    assert _rows(db, "SELECT site, count(DISTINCT cluster_id) FROM articles GROUP BY ALL ORDER BY 1") == [
        ("site-one.com", 1),
        ("site-two.org", 1),
    ]
    assert _rows(db, "SELECT count(DISTINCT cluster_id) FROM articles") == [(1,)]


ARTICLE = (
    "The harbour board met on {day} and agreed to rebuild the northern pier before the summer season, "
    "after two years of delays and a long dispute over the cost of the work."
)


def _feed(path: Path, days: list[str]) -> None:
    path.write_text("".join(json.dumps({"text": ARTICLE.format(day=day)}) + "\n" for day in days))


def test_a_hash_in_a_file_name_is_part_of_the_name(prefect_server, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _feed(folder / "feed.jsonl", ["Monday", "Tuesday"])
    _feed(folder / "feed.jsonl#1", ["Wednesday"])  # not line 1 of feed.jsonl
    _feed(folder / "odd#name%23.jsonl", ["Thursday", "Friday", "Saturday"])
    db = tmp_path / "w.duckdb"

    assert main(["ingest", str(folder), "--db", str(db), "--processes", "1"]) == 0
    assert _accounted(db) == (6, 6, 0, 0)
    files = dict(_rows(db, "SELECT source_file, count(*) FROM documents GROUP BY ALL"))
    assert files == {
        str(folder / "feed.jsonl"): 2,
        str(folder / "feed.jsonl#1"): 1,
        str(folder / "odd#name%23.jsonl"): 3,
    }

    # The odd file loses a line, the other two change: each file's rows follow its own content.
    _feed(folder / "odd#name%23.jsonl", ["Thursday", "Friday"])
    _feed(folder / "feed.jsonl#1", ["Sunday"])
    assert main(["ingest", str(folder), "--db", str(db), "--processes", "1"]) == 0
    files = dict(_rows(db, "SELECT source_file, count(*) FROM documents GROUP BY ALL"))
    assert files == {
        str(folder / "feed.jsonl"): 2,
        str(folder / "feed.jsonl#1"): 1,
        str(folder / "odd#name%23.jsonl"): 2,
    }
    assert _rows(db, "SELECT count(*) FROM articles WHERE text LIKE '%Sunday%' OR text LIKE '%Monday%'") == [(2,)]


def test_a_file_name_that_is_not_utf8_is_stored_with_its_bytes_escaped(prefect_server, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _feed(folder / os.fsdecode(b"caf\xe9.jsonl"), ["Monday", "Tuesday"])
    (folder / os.fsdecode(b"\xff.txt")).write_bytes(b"\x00\x01 binary")
    db = tmp_path / "w.duckdb"

    assert main(["ingest", str(folder), "--db", str(db), "--processes", "1"]) == 0
    assert main(["ingest", str(folder), "--db", str(db), "--processes", "1"]) == 0

    assert _accounted(db) == (3, 2, 1, 0)
    assert sorted(_rows(db, "SELECT DISTINCT source_file FROM documents")) == [
        (f"{folder}/\\xff.txt",),
        (f"{folder}/caf\\xe9.jsonl",),
    ]
    assert _rows(db, "SELECT count(*) FROM runs") == [(1,)]  # the second run found them unchanged


def test_a_file_reached_twice_is_read_once(prefect_server, sample_copy, tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(sample_copy)
    (sample_copy / "sub").mkdir()
    os.link(sample_copy / "04_museum_reopening.txt", sample_copy / "sub" / "hard_link.txt")
    db = tmp_path / "w.duckdb"
    files = len(list(sample_copy.glob("*.*")))

    assert (
        main(
            [
                "ingest",
                str(sample_copy),
                str(sample_copy),
                str(sample_copy / "*.txt"),
                str(link),
                str(sample_copy / ".." / "sample"),
                "--db",
                str(db),
                "--processes",
                "1",
            ]
        )
        == 0
    )

    assert capsys.readouterr().out.startswith(f"{files} documents: {files} loaded")
    assert _accounted(db) == (files, files, 0, 0)
    assert main(["ingest", str(link), "--db", str(db), "--processes", "1"]) == 0
    assert capsys.readouterr().out.startswith(f"{files} documents: 0 loaded, {files} unchanged")


def test_deleted_files_are_counted_and_pruned_on_request(prefect_server, sample_copy, tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(sample_copy), "--db", str(db), "--processes", "1"]) == 0
    files = len(list(sample_copy.iterdir()))
    gone = sorted(sample_copy.iterdir())[:2]
    for path in gone:
        path.unlink()
    capsys.readouterr()

    assert main(["ingest", str(sample_copy), "--db", str(db), "--processes", "1"]) == 0
    out = capsys.readouterr().out
    assert "gone           2" in out and "--prune" in out
    assert _accounted(db)[0] == files  # kept until asked

    # A pattern or a single file scans less: only what it could reach counts as gone.
    assert main(["ingest", str(sample_copy / "*.html"), "--db", str(db), "--processes", "1"]) == 0
    html_gone = sum(p.suffix == ".html" for p in gone)
    out = capsys.readouterr().out
    assert (f"gone      {html_gone:>6}" in out) if html_gone else ("gone" not in out)

    assert main(["ingest", str(sample_copy), "--db", str(db), "--prune", "--processes", "1"]) == 0
    out = capsys.readouterr().out
    assert "records are removed" in out
    assert _accounted(db) == (files - 2, files - 2, 0, 0)
    assert not _rows(db, f"SELECT * FROM sources WHERE source_file IN {tuple(map(str, gone))}")
    assert not _rows(db, "SELECT * FROM articles WHERE cluster_id NOT IN (SELECT article_id FROM articles)")

    assert main(["ingest", str(sample_copy), "--db", str(db), "--processes", "1"]) == 0
    assert "gone" not in capsys.readouterr().out


def test_a_batch_failing_as_it_starts_is_settled_after_the_batch_before_it_loads(prefect_server, tmp_path):
    """Batches overlap, but load in order: a copy in the failing batch still finds its original in the one before."""
    folder = tmp_path / "in"
    folder.mkdir()
    story = ARTICLE.format(day="Monday") + " The work will start in the spring and take two years to finish."
    (folder / "a_original.txt").write_text(story)
    (folder / "b_other.txt").write_text(ARTICLE.format(day="Friday").replace("harbour", "river"))
    (folder / "c_copy.txt").write_text(story + " Updated.")
    (folder / "d_poison.txt").write_text(ARTICLE.format(day="Sunday").replace("pier", "bridge"))
    db = tmp_path / "w.duckdb"

    with planted_failures({stable_id(file_uri(folder / "d_poison.txt"))}):  # fails the second batch's first stage
        summary = ingest([str(folder)], db=str(db), options=RunOptions(batch_size=2, processes=1))

    assert summary["rejects_by_reason"] == {"processing_error": 1}
    assert _rows(
        db,
        """SELECT count(DISTINCT cluster_id) FROM articles
                        WHERE source_uri LIKE '%a_original.txt' OR source_uri LIKE '%c_copy.txt'""",
    ) == [(1,)]
