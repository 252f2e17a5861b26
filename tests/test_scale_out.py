"""Where the CPU-heavy stages run (processes, a Dask cluster), and what a run records:
per-stage times in `runs`, a markdown artifact, failed batches that do not sink the run."""

import asyncio
import json
from pathlib import Path

import duckdb
import pytest

import flows.ingest
from bench.corpus import write_mixed_folder
from flows.ingest import BatchesFailed, ingest
from flows.options import RunOptions

# Rows that must come out the same wherever the stages ran.
OUTCOME = {
    "articles": "SELECT article_id, text, language, content_hash, cluster_id, is_canonical FROM articles ORDER BY 1",
    "rejects": "SELECT doc_id, reason FROM rejects ORDER BY 1",
    "mentions": "SELECT article_id, start_char, end_char, label, name, entity_id FROM mentions ORDER BY 1, 2",
    "entities": "SELECT entity_id, name, label, aliases, mention_count FROM entities ORDER BY 1",
    "minhashes": "SELECT article_id, signature FROM minhashes ORDER BY 1",
}
STAGES = [
    "read",
    "skip unchanged",
    "clean",
    "site templates",
    "language and signatures",
    "duplicates",
    "entities",
    "stories",
    "load",
]


def _outcome(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: con.execute(query).fetchall() for name, query in OUTCOME.items()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """Enough documents for every stage to be shared out among two workers."""
    folder = tmp_path_factory.mktemp("corpus")
    write_mixed_folder(folder, 160, seed=3)
    return folder


@pytest.fixture(scope="module")
def one_process(prefect_server, corpus, tmp_path_factory) -> tuple[dict, Path]:
    db = tmp_path_factory.mktemp("one") / "w.duckdb"
    return ingest([str(corpus)], db=str(db), options=RunOptions(processes=1)), db


def test_two_processes_give_what_one_process_gives(one_process, corpus, tmp_path):
    summary, db = one_process
    two = tmp_path / "w.duckdb"

    assert ingest([str(corpus)], db=str(two), options=RunOptions(processes=2))["articles"] == summary["articles"] == 160
    assert _outcome(two) == _outcome(db)


def test_a_dask_cluster_gives_what_one_process_gives(one_process, corpus, tmp_path):
    from distributed import LocalCluster

    summary, db = one_process
    on_dask = tmp_path / "w.duckdb"
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        result = ingest([str(corpus)], db=str(on_dask), options=RunOptions(dask_address=cluster.scheduler_address))
        assert len(cluster.scheduler_info["workers"]) == 2

    assert result["articles"] == summary["articles"]
    assert _outcome(on_dask) == _outcome(db)


def test_runs_record_each_stage_in_pipeline_order(one_process):
    summary, db = one_process
    with duckdb.connect(str(db), read_only=True) as con:
        stages = con.execute(
            "SELECT stage, items, seconds FROM run_stages WHERE run_id = ?", [summary["run_id"]]
        ).fetchall()

    assert [stage for stage, _, _ in stages] == STAGES
    assert all(items == 160 for _, items, _ in stages)
    assert all(seconds > 0 for _, _, seconds in stages)


def test_each_run_leaves_a_markdown_report_in_prefect(one_process):
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    async def latest_report() -> str:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["newsmill-ingest"]))
            )
        return max(found, key=lambda a: a.created).data

    report = asyncio.run(latest_report())

    assert report.startswith("# newsmill ingest ")
    for section in (
        "| articles |",
        "| duplicates",
        "## Languages",
        "## Top entities",
        "## Time per stage",
        "| entities |",
    ):
        assert section in report


def test_a_batch_the_machine_fails_does_not_sink_the_others_and_is_retried_next_run(
    prefect_server, sample_copy, tmp_path, monkeypatch
):
    """A failure of the machine, not of a record (here an I/O error), fails its whole batch.
    (A record that fails alone is a processing_error reject: tests/test_ingest_hostile.py.)"""
    db = tmp_path / "w.duckdb"
    poisoned = sample_copy / "04_museum_reopening.txt"
    clean = flows.ingest.clean

    def clean_or_fail(record):
        if record.document.source_uri == str(poisoned):
            raise OSError("the disk went away while this file was cleaned")
        return clean(record)

    monkeypatch.setattr(flows.ingest, "clean", clean_or_fail)
    monkeypatch.setattr(flows.ingest, "clean_records", flows.ingest.clean_records.with_options(retries=0))
    with pytest.raises(BatchesFailed, match="Run the ingest again"):
        ingest([str(sample_copy)], db=str(db), options=RunOptions(processes=1, batch_size=4))
    with duckdb.connect(str(db), read_only=True) as con:
        loaded = {uri for (uri,) in con.execute("SELECT source_uri FROM documents").fetchall()}
        files = {f for (f,) in con.execute("SELECT source_file FROM sources").fetchall()}
        status = con.execute("SELECT status FROM runs").fetchall()

    assert len(loaded) == 8  # the two other batches of four
    assert str(poisoned) not in loaded and str(poisoned) not in files
    assert status == [("failed",)]

    monkeypatch.setattr(flows.ingest, "clean", clean)
    again = ingest([str(sample_copy)], db=str(db), options=RunOptions(processes=1, batch_size=4))

    assert again["documents"] - again["unchanged"] == 4  # the failed batch, and only it
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(12,)]


def test_a_listener_follows_the_run_batch_by_batch(prefect_server, sample_copy, tmp_path):
    from flows import progress

    reports = []
    with progress.listening(reports.append):
        ingest([str(sample_copy)], db=str(tmp_path / "w.duckdb"), options=RunOptions(processes=1, batch_size=5))

    # First the files to go through, then each batch. Loads trail reads by a batch: the next
    # batch is read and cleaned while one is loaded.
    assert [(p.documents, p.loaded) for p in reports] == [(0, 0), (5, 0), (10, 5), (12, 10), (12, 12)]
    size = sum(f.stat().st_size for f in sample_copy.iterdir())
    assert {(p.files, p.total_bytes) for p in reports} == {(12, size)}
    assert [p.done_bytes for p in reports] == sorted(p.done_bytes for p in reports)
    assert (reports[0].done_bytes, reports[-1].done_bytes) == (0, size)
    assert [p.seconds for p in reports] == sorted(p.seconds for p in reports)


def test_a_batch_that_fails_to_load_keeps_its_file_unread_though_a_later_batch_finished_it(
    prefect_server, sample_copy, tmp_path, monkeypatch
):
    """Batches overlap: the next one is read and cleaned before the failing one loads."""
    feed = tmp_path / "feed.jsonl"
    texts = sorted(p.read_text() for p in sample_copy.glob("*.txt"))[:5]
    feed.write_text(
        "".join(
            json.dumps({"url": f"https://x.example/{i}", "text": f"Story {i}.\n{text}"}) + "\n"
            for i in range(10)
            for text in [texts[i % 5]]
        )
    )
    db = tmp_path / "w.duckdb"
    merge = flows.ingest.Entities.merge

    def merge_or_fail(stage, batch, results):
        if any(getattr(item, "url", None) == "https://x.example/5" for item in batch.items):
            raise OSError("the disk went away while the second batch loaded")
        return merge(stage, batch, results)

    monkeypatch.setattr(flows.ingest.Entities, "merge", merge_or_fail)
    with pytest.raises(BatchesFailed):  # batches of 4, 4 and 2: the third finishes the file
        ingest([str(feed)], db=str(db), options=RunOptions(processes=1, batch_size=4))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchall() == [(6,)]
        assert con.execute("SELECT count(*) FROM sources").fetchall() == [(0,)]

    monkeypatch.setattr(flows.ingest.Entities, "merge", merge)
    again = ingest([str(feed)], db=str(db), options=RunOptions(processes=1, batch_size=4))

    assert again["documents"] - again["unchanged"] == 4
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles").fetchall() == [(10,)]
        assert con.execute("SELECT count(*) FROM sources").fetchall() == [(1,)]
