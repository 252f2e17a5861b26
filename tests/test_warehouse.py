"""The writer on a real DuckDB file: migrations, transactions, replacement of changed documents."""

from collections import Counter
from datetime import date
from pathlib import Path

import duckdb
import pytest

import warehouse
from transforms.documents import Article, Document, Mention, Reject
from transforms.stories import StoryChanges
from warehouse import RunRecord, Warehouse

SCHEMA = Path(warehouse.__file__).parent / "schema"


def _article(uri: str, text: str = "Alice Smith went to Paris.", **fields) -> Article:
    document = Document(uri, "txt", f"sha-{uri}-{text}", len(text))
    return Article(document=document, text=text, language="en", language_prob=1.0, content_hash=f"h-{text}", **fields)


def _tables(path) -> dict[str, int]:
    with duckdb.connect(str(path), read_only=True) as con:
        names = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        return {name: con.execute(f"SELECT count(*) FROM {name}").fetchone()[0] for name in names}


def test_opening_twice_applies_each_migration_once(tmp_path):
    db = tmp_path / "w.duckdb"
    with Warehouse(db):
        pass
    with Warehouse(db):
        pass
    counts = _tables(db)
    assert counts["schema_migrations"] == len(list(SCHEMA.glob("*.sql")))
    assert {"documents", "articles", "rejects", "entities", "mentions", "runs", "sources"} <= counts.keys()


def test_a_warehouse_from_the_first_schema_is_upgraded_in_place(tmp_path):
    db = tmp_path / "old.duckdb"
    with duckdb.connect(str(db)) as con:  # a warehouse as the first release left it
        con.execute((SCHEMA / "001_create_tables.sql").read_text())
        con.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
        con.execute("INSERT INTO schema_migrations VALUES ('001_create_tables.sql', now()::TIMESTAMP)")
        con.execute("INSERT INTO documents VALUES ('d1', '/in/a.txt', 'txt', 'abc', 10, 'r1')")
    with Warehouse(db) as warehouse:
        assert warehouse.lookups.stored_sources(["/in/a.txt", "/in/b.txt"]) == {"/in/a.txt": ("abc", 1)}
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT source_file FROM documents").fetchall() == [("/in/a.txt",)]
        assert "fetched_at" in {c[0] for c in con.execute("DESCRIBE articles").fetchall()}


def test_a_failing_batch_leaves_nothing_behind(tmp_path):
    db = tmp_path / "w.duckdb"
    twin = _article("/in/a.txt")
    with Warehouse(db) as warehouse:
        run = RunRecord()
        clusters = {twin.article_id: (twin.article_id, True)}
        with pytest.raises(duckdb.ConstraintException):
            warehouse.write_batch(run, [twin, twin], [], clusters)  # the same article twice
    counts = _tables(db)
    assert counts["documents"] == counts["articles"] == counts["runs"] == 0


def test_a_changed_document_replaces_its_rows_and_orphan_entities_go(tmp_path):
    db = tmp_path / "w.duckdb"
    paris = Mention(20, 25, "Paris", "GPE", "Paris")
    first = _article("/in/a.txt", mentions=(paris,))
    other = _article("/in/b.txt", text="Nothing to see here at all.")
    with Warehouse(db) as warehouse:
        warehouse.write_batch(
            RunRecord(),
            [first, other],
            [],
            {first.article_id: (first.article_id, True), other.article_id: (other.article_id, True)},
        )
        now_rejected = Reject(Document("/in/a.txt", "txt", "sha-new", 0), "empty", "the file holds no text")
        warehouse.write_batch(RunRecord(), [], [now_rejected], {})
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
        assert con.execute("SELECT reason FROM rejects").fetchall() == [("empty",)]
        assert con.execute("SELECT sha256 FROM documents WHERE source_uri = '/in/a.txt'").fetchone()[0] == "sha-new"
        assert con.execute("SELECT count(*) FROM mentions").fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM entities").fetchone()[0] == 0


def test_a_run_that_died_is_marked_failed_by_the_next_writer(tmp_path):
    db = tmp_path / "w.duckdb"
    article = _article("/in/a.txt")
    with Warehouse(db) as warehouse:
        warehouse.write_batch(RunRecord(), [article], [], {article.article_id: (article.article_id, True)})
        # no finish_run: the process "died" here
    with Warehouse(db):
        pass
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT status FROM runs").fetchall() == [("failed",)]


def test_a_story_merged_away_takes_all_its_articles_and_the_merge_is_recorded(tmp_path):
    db = tmp_path / "w.duckdb"
    old, young, joining = _article("/in/a.txt"), _article("/in/b.txt", text="B."), _article("/in/c.txt", text="C.")
    day = date(2024, 3, 4)

    def changes(stories: dict, merges: dict, articles: list[Article]) -> StoryChanges:
        return StoryChanges(stories, merges, {a.article_id: (Counter({"w:word": 1}), day) for a in articles})

    with Warehouse(db) as warehouse:
        clusters = {a.article_id: (a.article_id, True) for a in (old, young)}
        stories = {old.article_id: "s-old", young.article_id: "s-young"}
        warehouse.write_batch(RunRecord(), [old, young], [], clusters, changes(stories, {}, [old, young]))
        # `joining` joins the old story; only it is regrouped, yet the young story merges whole.
        merged = changes({joining.article_id: "s-old"}, {"s-young": "s-old"}, [joining])
        warehouse.write_batch(RunRecord(), [joining], [], {joining.article_id: (joining.article_id, True)}, merged)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT DISTINCT story_id FROM articles").fetchall() == [("s-old",)]
        assert con.execute("SELECT story_id, merged_into FROM story_merges").fetchall() == [("s-young", "s-old")]
        assert con.execute("SELECT count(*) FROM story_terms").fetchone() == (3,)
