"""The stories stage in real ingest flow runs on real DuckDB files: one story per event,
copies in their original's story, ids that stay as articles join in later runs, and the
same stories whichever order the files arrive in."""

import json
import shutil
from pathlib import Path

import duckdb

from flows.ingest import ingest
from flows.options import RunOptions

FIXTURES = Path(__file__).parent / "fixtures" / "stories"


def _ingest(paths: list[Path], db: Path, **options) -> dict:
    return ingest([str(p) for p in paths], db=str(db), options=RunOptions(processes=1, **options))


def _events() -> dict[str, str]:
    """record id -> its event, for the fixture's records."""
    return {
        r["id"]: r["event"]
        for name in ("first.jsonl", "later.jsonl")
        for r in map(json.loads, (FIXTURES / name).open())
    }


def _stories(db: Path) -> dict[str, str]:
    """record id (from its url) -> story_id."""
    with duckdb.connect(str(db), read_only=True) as con:
        rows = con.execute("SELECT url, story_id FROM articles").fetchall()
    return {url.rsplit("/", 1)[1]: story_id for url, story_id in rows}


def _partition(labels: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for key, label in labels.items():
        groups.setdefault(label, set()).add(key)
    return {frozenset(g) for g in groups.values()}


def test_each_event_is_one_story_and_a_copy_is_in_its_original_s(prefect_server, tmp_path):
    db = tmp_path / "w.duckdb"
    _ingest([FIXTURES / "first.jsonl", FIXTURES / "later.jsonl"], db)
    stories = _stories(db)
    assert None not in stories.values()
    assert _partition(stories) == _partition(_events())
    with duckdb.connect(str(db), read_only=True) as con:
        [(clusters, copies)] = con.execute(
            "SELECT count(DISTINCT cluster_id), count(*) FILTER (WHERE NOT is_canonical) FROM articles"
        ).fetchall()
    assert copies == 1 and clusters == len(stories) - 1  # the reprint is a copy, and in its original's story


def test_a_story_keeps_its_id_as_articles_join_in_a_later_run(prefect_server, tmp_path):
    db = tmp_path / "w.duckdb"
    _ingest([FIXTURES / "first.jsonl"], db)
    before = _stories(db)
    _ingest([FIXTURES / "later.jsonl"], db)
    after = _stories(db)
    assert all(after[record] == story for record, story in before.items())
    assert after["flood-3"] == after["flood-copy"] == before["flood-0"]


def test_the_order_files_arrive_in_does_not_change_the_stories(prefect_server, tmp_path):
    orders = (
        [FIXTURES / "first.jsonl", FIXTURES / "later.jsonl"],
        [FIXTURES / "later.jsonl", FIXTURES / "first.jsonl"],
    )
    partitions = []
    for n, order in enumerate(orders):
        db = tmp_path / f"w{n}.duckdb"
        for path in order:
            _ingest([path], db)
        partitions.append(_partition(_stories(db)))
    assert partitions[0] == partitions[1] == _partition(_events())


def test_ingesting_the_same_files_again_changes_no_story(prefect_server, tmp_path):
    db = tmp_path / "w.duckdb"
    inputs = tmp_path / "in"
    shutil.copytree(FIXTURES, inputs)
    _ingest([inputs], db)
    first = _stories(db)
    _ingest([inputs], db, force=True)  # every record read and grouped again
    assert _stories(db) == first
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM story_merges").fetchone() == (0,)
