"""End to end: near-duplicates fold into one cluster across runs, with stable ids, and
copies reuse their canonical member's entities."""

import shutil
from pathlib import Path

import duckdb
import pytest

from flows.cli import main

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample"


def _rows(db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query).fetchall()


def _copies(folder: Path) -> None:
    """An edited re-scrape of the ferry story and a teaser of the first half of the science story."""
    ferry = (SAMPLE / "12_island_ferry_restored.txt").read_text()
    edited = (
        ferry.replace("Monday", "Tuesday").replace("46 passengers", "48 passengers").replace("six-week", "six week")
    )
    (folder / "13_ferry_rescrape.txt").write_text(
        "Share this article\n" + edited + "\nSource link\nFerries, Scotland, Islands, Transport\n"
    )
    science = (SAMPLE / "09_science_plastic_microbes.txt").read_text().split("\n")
    (folder / "14_science_teaser.txt").write_text(
        "\n".join(science[: len(science) // 2] + ["Continue reading..."]) + "\n"
    )


def _partition(db: Path) -> set[frozenset[str]]:
    rows = _rows(db, "SELECT cluster_id, regexp_extract(source_uri, '[^/]+$') FROM articles")
    clusters: dict[str, set[str]] = {}
    for cluster_id, name in rows:
        clusters.setdefault(cluster_id, set()).add(name)
    return {frozenset(names) for names in clusters.values()}


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = Path(shutil.copytree(SAMPLE, tmp_path / "corpus"))
    _copies(folder)
    return folder


def test_copies_fold_into_clusters_and_different_articles_do_not(prefect_server, corpus, tmp_path):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(corpus), "--db", str(db)]) == 0
    partition = _partition(db)
    assert frozenset({"12_island_ferry_restored.txt", "13_ferry_rescrape.txt"}) in partition
    assert frozenset({"09_science_plastic_microbes.txt", "14_science_teaser.txt"}) in partition
    assert frozenset({"05_wire_rate_decision.html", "11_wire_rate_decision_rescrape.txt"}) in partition
    assert len(partition) == 11  # 14 articles, three pairs
    assert _rows(
        db, "SELECT count(*) FROM (SELECT cluster_id FROM articles GROUP BY 1 HAVING sum(is_canonical::INT) <> 1)"
    ) == [(0,)]


def test_copies_reuse_the_entities_of_their_canonical_member(prefect_server, corpus, tmp_path):
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(corpus), "--db", str(db)]) == 0
    total, exact = _rows(
        db,
        """SELECT count(*), count(*) FILTER (WHERE substring(a.text, m.start_char + 1, m.end_char - m.start_char) = m.surface)
                                FROM mentions m JOIN articles a USING (article_id)""",
    )[0]
    assert total == exact
    by_file = {
        name: set(ids)
        for name, ids in _rows(
            db,
            """
        SELECT regexp_extract(a.source_uri, '[^/]+$'), list(DISTINCT m.entity_id)
        FROM articles a JOIN mentions m USING (article_id) GROUP BY 1""",
        )
    }
    assert (
        by_file["13_ferry_rescrape.txt"] and by_file["13_ferry_rescrape.txt"] <= by_file["12_island_ferry_restored.txt"]
    )


def test_two_runs_group_like_one_and_a_joining_copy_keeps_the_cluster_id(prefect_server, corpus, tmp_path):
    whole, halves = tmp_path / "whole.duckdb", tmp_path / "halves.duckdb"
    assert main(["ingest", str(corpus), "--db", str(whole)]) == 0
    files = sorted(corpus.iterdir())
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, part in ((first, files[:7]), (second, files[7:])):
        folder.mkdir()
        for path in part:
            shutil.copy(path, folder / path.name)
    assert main(["ingest", str(first), "--db", str(halves)]) == 0
    before = dict(_rows(halves, "SELECT regexp_extract(source_uri, '[^/]+$'), cluster_id FROM articles"))
    assert main(["ingest", str(second), "--db", str(halves)]) == 0

    assert _partition(halves) == _partition(whole)
    after = dict(_rows(halves, "SELECT regexp_extract(source_uri, '[^/]+$'), cluster_id FROM articles"))
    assert all(after[name] == cluster for name, cluster in before.items())  # joining copies kept every id
    assert after["11_wire_rate_decision_rescrape.txt"] == before["05_wire_rate_decision.html"]
