"""Ties for canonical member go to the member seen first: an exact copy ingested later, from
another folder, never takes over its story, and the run counts it as the duplicate it is.
Real ingest flow runs on real DuckDB files."""

import random
import shutil
from pathlib import Path

import duckdb
import pytest

from flows.ingest import ingest
from flows.options import RunOptions
from transforms.dedup import ClusterMember, Standing, assign_clusters

ARTICLES = 24
VOCABULARY = """harbour council budget river bridge school market transport union railway farmer museum library
election station minister hospital doctor nurse teacher student engineer ferry island storm flood drought harvest
factory worker energy price wage housing rent tenant landlord court judge police officer brigade airport runway
passenger ticket festival concert theatre painter novel poet garden park forest wildlife salmon whale coast village
town city region province mayor audit report survey study laboratory vaccine clinic patient parents bakery
restaurant chef menu coffee brewery vineyard orchard cattle dairy cheese tractor road cyclist lane""".split()


def _story(rng: random.Random, n: int) -> str:
    paragraphs = [" ".join(rng.choice(VOCABULARY) for _ in range(30)).capitalize() + "." for _ in range(5)]
    return f"Story {n} of the week\n" + "\n".join(paragraphs) + "\n"


@pytest.fixture
def folders(tmp_path) -> tuple[Path, Path]:
    """`first/`: distinct undated text articles; `later/`: exact copies of them."""
    rng = random.Random(16)
    first, later = tmp_path / "first", tmp_path / "later"
    first.mkdir()
    for n in range(ARTICLES):
        (first / f"story_{n:02d}.txt").write_text(_story(rng, n))
    shutil.copytree(first, later)
    return first, later


def _clusters(db: Path) -> dict[str, tuple[str, str, bool]]:
    """folder/file -> (article_id, cluster_id, is_canonical)."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT source_uri, article_id, cluster_id, is_canonical FROM articles").fetchall()
    return {"/".join(uri.split("/")[-2:]): tuple(rest) for uri, *rest in rows}


def _ingest(paths: list[Path], db: Path, **options) -> dict:
    return ingest([str(p) for p in paths], db=str(db), options=RunOptions(processes=1, **options))


def _canonical_folders(db: Path) -> set[str]:
    return {place.split("/")[0] for place, (_, _, canonical) in _clusters(db).items() if canonical}


def test_exact_copies_ingested_later_leave_every_story_with_its_canonical_member(prefect_server, folders, tmp_path):
    first, later = folders
    db = tmp_path / "w.duckdb"
    assert _ingest([first], db)["duplicates"] == 0
    before = _clusters(db)

    summary = _ingest([later], db)

    after = _clusters(db)
    copies = {place: after[place.replace("first/", "later/")] for place in before}
    # Half the copies or so have the lower id, which used to win the tie.
    assert any(copies[place][0] < article_id for place, (article_id, _, _) in before.items())
    assert {place: after[place] for place in before} == before
    assert {place: (cluster, canonical) for place, (_, cluster, canonical) in copies.items()} == {
        place: (cluster, False) for place, (_, cluster, _) in before.items()
    }
    assert summary["articles"] == summary["duplicates"] == ARTICLES
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT articles, duplicates FROM runs ORDER BY run_id").fetchall() == [
            (ARTICLES, 0),
            (ARTICLES, ARTICLES),
        ]


def test_in_one_run_the_copy_read_first_is_canonical_in_its_batch_and_across_batches(prefect_server, folders, tmp_path):
    """`first/` is read before `later/`; a batch of 1.5 folders holds half the pairs whole, and
    the other half's copies come in the next batch."""
    first, later = folders
    db = tmp_path / "w.duckdb"

    summary = _ingest([first, later], db, batch_size=ARTICLES * 3 // 2)

    assert _canonical_folders(db) == {"first"}
    assert summary["duplicates"] == ARTICLES
    assert {cluster for _, cluster, _ in _clusters(db).values()} == {
        article_id for place, (article_id, _, _) in _clusters(db).items() if place.startswith("first/")
    }


def test_reprocessing_moves_no_canonical_member_and_two_warehouses_built_alike_agree(prefect_server, folders, tmp_path):
    first, later = folders
    db, again = tmp_path / "w.duckdb", tmp_path / "again.duckdb"
    for warehouse in (db, again):
        _ingest([first], warehouse)
        _ingest([later], warehouse)
    assert _clusters(db) == _clusters(again)
    settled = _clusters(db)

    assert _ingest([first], db, force=True)["duplicates"] == 0  # the canonical members, read again
    assert _clusters(db) == settled
    assert _ingest([first, later], db, force=True, batch_size=ARTICLES // 2)["duplicates"] == ARTICLES
    assert _clusters(db) == settled


# -- the rule ----------------------------------------------------------------------------


def _member(article_id: str, standing: Standing = Standing.NEW, cluster_id: str | None = None) -> ClusterMember:
    return ClusterMember(article_id, "same text", None, 100, cluster_id, standing)


def test_a_stored_canonical_member_keeps_its_place_against_copies_stored_or_new():
    decisions = assign_clusters(
        [
            _member("b", Standing.STORED, cluster_id="c"),
            _member("c", Standing.CANONICAL, cluster_id="c"),
            _member("a"),
        ]
    )
    assert decisions == {"a": ("c", False), "b": ("c", False), "c": ("c", True)}


def test_a_stored_copy_takes_over_from_its_departed_canonical_before_any_new_copy():
    decisions = assign_clusters([_member("z", Standing.STORED, cluster_id="gone"), _member("a")])
    assert decisions == {"z": ("z", True), "a": ("z", False)}


def test_a_record_read_again_keeps_its_standing():
    decisions = assign_clusters([_member("b", Standing.STORED, cluster_id="c"), _member("c", Standing.CANONICAL)])
    assert decisions == {"b": ("c", False), "c": ("c", True)}


def test_new_copies_go_to_the_first_in_input_order():
    decisions = assign_clusters([_member("m"), _member("z"), _member("a")])
    assert decisions == {"m": ("m", True), "z": ("m", False), "a": ("m", False)}
