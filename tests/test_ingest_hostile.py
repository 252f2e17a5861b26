"""Records that fail on their own never hold back the others; file identity survives odd
names, repeated arguments, symlinks and deleted files. Real flow runs on real files."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest

import flows.ingest
import warehouse.writer
from bench.corpus import scraped_text, story
from flows.cli import main
from flows.ingest import ingest
from transforms.documents import file_uri, stable_id
from transforms.read import files as read_files

PLANTED_STAGES = ["read", "skip unchanged", "clean", "site templates", "language and signatures", "duplicates",
                  "entities", "load"]


def _rows(db: Path, query: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query).fetchall()


def _accounted(db: Path) -> tuple[int, int, int, int]:
    """(documents, articles, rejects, documents in neither or both)."""
    [row] = _rows(db, """SELECT count(*), count(a.doc_id), count(r.doc_id),
                                count(*) FILTER (WHERE (a.doc_id IS NULL) = (r.doc_id IS NULL))
                         FROM documents d LEFT JOIN articles a USING (doc_id) LEFT JOIN rejects r USING (doc_id)""")
    return row


def _write_articles(folder: Path, count: int, plants: dict[int, str]) -> list[Path]:
    """`count` scraped articles; article N's first paragraph names the marker of stage plants[N]."""
    rng = random.Random(0)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for n in range(count):
        title, paragraphs, _ = story(rng)
        if n in plants:
            paragraphs[0] = f"{_marker(plants[n])} stands in this paragraph. {paragraphs[0]}"
        path = folder / f"{n:03d}.txt"
        path.write_text(scraped_text(rng, title, paragraphs[:2]), encoding="utf-8")
        written.append(path)
    return written


def _marker(stage: str) -> str:
    return f"PLANTED-{stage.replace(' ', '-')}"


@pytest.fixture
def planted(monkeypatch):
    """Each stage fails on the records whose text carries its marker, and on no other."""
    def fails(stage: str, text: str | bytes) -> None:
        marker = _marker(stage)
        if (marker.encode() if isinstance(text, bytes) else marker) in text:
            raise RuntimeError(f"planted failure in {stage}")

    detect_format = read_files.detect_format
    monkeypatch.setattr(read_files, "detect_format", lambda name, head: (fails("read", head), detect_format(name, head))[1])

    stored_sha256 = warehouse.writer.Warehouse.stored_sha256
    planted_ids: set[str] = set()

    def skip_lookup(self, doc_ids):
        if planted_ids & set(doc_ids):
            raise RuntimeError("planted failure in skip unchanged")
        return stored_sha256(self, doc_ids)

    monkeypatch.setattr(warehouse.writer.Warehouse, "stored_sha256", skip_lookup)

    clean = flows.ingest.clean
    monkeypatch.setattr(flows.ingest, "clean", lambda item: (fails("clean", item.content), clean(item))[1])
    strip = flows.ingest.templates.strip_template
    monkeypatch.setattr(flows.ingest.templates, "strip_template",
                        lambda item, template: (fails("site templates", item.text), strip(item, template))[1])
    sign = flows.ingest._language_and_signature
    monkeypatch.setattr(flows.ingest, "_language_and_signature",
                        lambda text: (fails("language and signatures", text), sign(text))[1])
    duplicates = flows.ingest.find_duplicates

    def find_duplicates(store, items, replacing):
        for item in getattr(items, "unquote", lambda: items)():
            fails("duplicates", getattr(item, "text", ""))
        return duplicates(store, items, replacing)

    monkeypatch.setattr(flows.ingest, "find_duplicates", find_duplicates)
    mentions = flows.ingest.find_mentions

    def find_mentions(nlp, texts):
        texts = list(texts)
        for text in texts:
            fails("entities", text)
        return mentions(nlp, texts)

    monkeypatch.setattr(flows.ingest, "find_mentions", find_mentions)
    articles_table = warehouse.writer._articles_table

    def load(articles, clusters, run_id):
        for article in articles:
            fails("load", article.text)
        return articles_table(articles, clusters, run_id)

    monkeypatch.setattr(warehouse.writer, "_articles_table", load)
    return planted_ids


def test_records_failing_in_any_stage_become_rejects_and_the_rest_loads(prefect_server, planted, tmp_path, monkeypatch):
    stages = {7 + 15 * i: stage for i, stage in enumerate(PLANTED_STAGES)}  # one in fifteen, over three batches
    paths = _write_articles(tmp_path / "in", 120, stages)
    plants = {str(paths[n]): stage for n, stage in stages.items()}
    planted.add(stable_id(file_uri(str(paths[7 + 15 * PLANTED_STAGES.index("skip unchanged")]))))
    db = tmp_path / "w.duckdb"

    summary = ingest([str(tmp_path / "in")], db=str(db), batch_size=40, processes=1)

    assert summary["failed"] == 0
    assert summary["rejects_by_reason"] == {"processing_error": len(PLANTED_STAGES)}
    rejects = dict(_rows(db, "SELECT source_uri, detail FROM rejects WHERE reason = 'processing_error'"))
    assert {uri: detail.split(":")[0] for uri, detail in rejects.items()} == {
        uri: f"stage {stage}" for uri, stage in plants.items()}
    assert all("planted failure" in detail for detail in rejects.values())
    assert _accounted(db) == (120, 120 - len(PLANTED_STAGES), len(PLANTED_STAGES), 0)
    assert _rows(db, "SELECT status FROM runs") == [("completed",)]

    # Parked, not stuck: a re-run passes over them, and once the cause is gone `--force` loads them.
    assert ingest([str(tmp_path / "in")], db=str(db), processes=1)["unchanged"] == 120
    monkeypatch.undo()
    assert ingest([str(tmp_path / "in")], db=str(db), force=True, processes=1)["articles"] == 120
    assert _accounted(db) == (120, 120, 0, 0)


def test_a_wire_story_printed_verbatim_by_two_sites_loads_both(prefect_server, tmp_path):
    text = ("Volunteers at the Lindqvist community garden harvested more than two tonnes of squash "
            "this autumn, a record for the plot.")
    feed = tmp_path / "wire.jsonl"
    feed.write_text("".join(json.dumps({"url": url, "text": text}) + "\n"
                            for url in ("https://www.site-one.com/a", "https://news.site-two.org/a")))
    db = tmp_path / "w.duckdb"

    assert main(["ingest", str(feed), "--db", str(db), "--processes", "1"]) == 0

    assert _rows(db, "SELECT site, count(DISTINCT cluster_id) FROM articles GROUP BY ALL ORDER BY 1") == [
        ("site-one.com", 1), ("site-two.org", 1)]
    assert _rows(db, "SELECT count(DISTINCT cluster_id) FROM articles") == [(1,)]


ARTICLE = ("The harbour board met on {day} and agreed to rebuild the northern pier before the summer season, "
           "after two years of delays and a long dispute over the cost of the work.")


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
    assert files == {str(folder / "feed.jsonl"): 2, str(folder / "feed.jsonl#1"): 1, str(folder / "odd#name%23.jsonl"): 3}

    # The odd file loses a line, the other two change: each file's rows follow its own content.
    _feed(folder / "odd#name%23.jsonl", ["Thursday", "Friday"])
    _feed(folder / "feed.jsonl#1", ["Sunday"])
    assert main(["ingest", str(folder), "--db", str(db), "--processes", "1"]) == 0
    files = dict(_rows(db, "SELECT source_file, count(*) FROM documents GROUP BY ALL"))
    assert files == {str(folder / "feed.jsonl"): 2, str(folder / "feed.jsonl#1"): 1, str(folder / "odd#name%23.jsonl"): 2}
    assert _rows(db, "SELECT count(*) FROM articles WHERE text LIKE '%Sunday%' OR text LIKE '%Monday%'") == [(2,)]


def test_a_file_reached_twice_is_read_once(prefect_server, sample_copy, tmp_path, capsys):
    link = tmp_path / "link"
    link.symlink_to(sample_copy)
    db = tmp_path / "w.duckdb"
    files = len(list(sample_copy.iterdir()))

    assert main(["ingest", str(sample_copy), str(sample_copy), str(sample_copy / "*.txt"), str(link),
                 str(sample_copy / ".." / "sample"), "--db", str(db), "--processes", "1"]) == 0

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
