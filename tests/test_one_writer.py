"""One writer: runs wait for each other, queries get in between a run's batches, and a run
killed mid-load leaves a consistent warehouse that the next run completes. Every run,
holder and reader here is a real process of its own."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest
from prefect.settings import PREFECT_API_URL

from bench.corpus import write_mixed_folder
from bench.reliability import broken_invariants
from flows.ingest import ingest
from flows.options import RunOptions
from transforms.documents import Article, Document
from warehouse import RunRecord, Warehouse, WarehouseBusy
from warehouse.load import DOCUMENT_TABLES

ROOT = Path(__file__).resolve().parents[1]
TABLES = [table.name for table in DOCUMENT_TABLES] + ["entities", "entity_keys", "sources", "site_templates"]


@pytest.fixture(scope="module")
def env(prefect_server) -> dict[str, str]:
    """For the processes started here: the session's Prefect server, so none starts its own."""
    return {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value()}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """64 documents: text files, HTML pages, a JSON Lines feed and a WARC; 8 batches of 8."""
    folder = tmp_path_factory.mktemp("corpus")
    write_mixed_folder(folder, 64)
    return folder


@pytest.fixture(scope="module")
def corpus_counts(prefect_server, corpus, tmp_path_factory) -> dict[str, int]:
    """What one clean ingest of the corpus leaves in the warehouse."""
    db = tmp_path_factory.mktemp("clean") / "w.duckdb"
    ingest([str(corpus)], db=str(db), options=RunOptions(processes=1))
    return _counts(db)


class Watched:
    """A process of its own, its output (stdout and stderr) collected as it runs."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.process = subprocess.Popen(
            [sys.executable, *args], cwd=ROOT, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.process.stdout), daemon=True)
        self._reader.start()

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def wait_for(self, *texts: str, count: int = 1, timeout: float = 120) -> None:
        """Until `count` lines of its output hold all of `texts`."""
        deadline = time.monotonic() + timeout
        while sum(all(text in line for text in texts) for line in list(self.lines)) < count:
            assert self.process.poll() is None, f"it ended before {count} lines with {texts}:\n{self.output}"
            assert time.monotonic() < deadline, f"no {count} lines with {texts} in {timeout} s:\n{self.output}"
            time.sleep(0.01)

    def finish(self, timeout: float = 300) -> int:
        self.process.wait(timeout)
        self._reader.join()
        return self.process.returncode


def _ingest(env: dict[str, str], paths: list[Path], db: Path, **options) -> Watched:
    """`flows.ingest.ingest` in a process of its own."""
    code = (
        "from flows.ingest import ingest; from flows.options import RunOptions; "
        f"ingest({[str(p) for p in paths]!r}, db={str(db)!r}, options=RunOptions(**{options!r}))"
    )
    return Watched(["-c", code], env)


def _newsmill(env: dict[str, str], *args: str) -> Watched:
    """The `newsmill` command; a run's with --verbose, for Prefect's log of its tasks."""
    return Watched(["-m", "flows.cli", *args, *["--verbose"] * (args[0] in ("ingest", "backfill"))], env)


LOADED = ("Task run 'load-", "Completed")  # the log line of a batch loaded


def _counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def _run_statuses(db: Path) -> list[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return [row[0] for row in con.execute("SELECT status FROM runs ORDER BY started_at").fetchall()]


def _started(code: str) -> subprocess.Popen:
    """A process running `code`, once it has printed 'ready'."""
    process = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "ready"
    return process


HOLDS_THE_RUN_LOCK = """
import time
from warehouse import Warehouse

with Warehouse(%r) as warehouse:
    warehouse.release()
    print("ready", flush=True)
    time.sleep(60)
"""


def test_two_ingests_started_at_once_both_finish_one_after_the_other(env, sample_copy, tmp_path):
    more = tmp_path / "more"
    write_mixed_folder(more, 16)
    db = tmp_path / "w.duckdb"
    # A run is writing when both start, so both wait: started together, two runs often
    # reach the warehouse seconds apart through Prefect's test server, and never meet.
    writing = _started(HOLDS_THE_RUN_LOCK % str(db))
    runs = [
        _newsmill(env, "ingest", *paths, "--db", str(db))
        for paths in ([str(sample_copy)], [str(sample_copy), str(more)])
    ]
    for run in runs:
        run.wait_for(f"(pid {writing.pid} on", f"is writing to {db}; waiting up to")
    writing.kill()
    writing.wait()

    assert [run.finish() for run in runs] == [0, 0], [run.output for run in runs]
    names_the_other = [f"(pid {other.process.pid} on" in run.output for run, other in zip(runs, runs[::-1])]
    assert sorted(names_the_other) == [False, True]  # one waited for the other, and says so
    clean = tmp_path / "clean.duckdb"
    ingest([str(sample_copy), str(more)], db=str(clean), options=RunOptions(processes=1))
    assert _counts(db) == _counts(clean)
    assert broken_invariants(db) == {}
    assert set(_run_statuses(db)) == {"completed"}


def test_queries_get_in_while_an_ingest_runs(env, corpus, tmp_path):
    db = tmp_path / "w.duckdb"
    run = _ingest(env, [corpus], db, batch_size=8, processes=1)
    run.wait_for(*LOADED)
    answers = []
    for _ in range(3):
        query = _newsmill(env, "sql", "select count(*) from documents", "--db", str(db))
        answers.append((query.finish(timeout=60), query.output))
    ingest_still_running = run.process.poll() is None

    assert run.finish() == 0, run.output
    assert ingest_still_running, answers  # the queries ran during the ingest, not after it
    assert [code for code, _ in answers] == [0, 0, 0], answers
    documents = [int(output.splitlines()[-1]) for _, output in answers]
    assert 8 <= documents[0] and documents == sorted(documents), answers


def test_a_killed_run_leaves_a_consistent_warehouse_that_the_next_run_completes(env, corpus, corpus_counts, tmp_path):
    db = tmp_path / "w.duckdb"
    run = _ingest(env, [corpus], db, batch_size=8, processes=1)
    run.wait_for(*LOADED, count=2)
    time.sleep(0.3)  # into the third batch
    os.kill(run.process.pid, signal.SIGKILL)
    assert run.finish() == -signal.SIGKILL

    assert broken_invariants(db) == {}
    assert 16 <= _counts(db)["documents"] < 64
    assert _run_statuses(db) == ["running"]  # until the next writer opens the warehouse

    ingest([str(corpus)], db=str(db), options=RunOptions(batch_size=8, processes=1))
    assert _counts(db) == corpus_counts
    assert broken_invariants(db) == {}
    assert _run_statuses(db) == ["failed", "completed"]


LOADER = """
from transforms.documents import Article, Document, Mention
from warehouse import RunRecord, Warehouse

def batch(numbers):
    articles = []
    for n in numbers:
        text = f"Alice Smith{n} went to Paris on day {n} of the trip."
        mention = Mention(0, 11 + len(str(n)), f"Alice Smith{n}", "PERSON", f"Alice Smith{n}")
        articles.append(Article(document=Document(f"/in/{n}.txt", "txt", f"sha-{n}", len(text)), text=text,
                                language="en", language_prob=1.0, content_hash=f"h-{n}", mentions=(mention,)))
    return articles, [], {a.article_id: (a.article_id, True) for a in articles}

with Warehouse(%r) as warehouse:
    run = RunRecord()
    warehouse.write_batch(run, *batch(range(10)))
    big = batch(range(10, 100_000))
    print("ready", flush=True)  # its transaction begins now
    warehouse.write_batch(run, *big)
    print("loaded", flush=True)
"""


def test_a_run_killed_inside_a_batch_transaction_leaves_nothing_of_that_batch(tmp_path):
    db = tmp_path / "w.duckdb"
    loader = _started(LOADER % str(db))
    time.sleep(1)  # well inside the transaction: 100,000 articles take many seconds to load
    assert loader.poll() is None
    loader.kill()
    assert loader.wait() == -signal.SIGKILL and loader.stdout.read() == ""

    assert broken_invariants(db) == {}
    assert _counts(db)["documents"] == _counts(db)["articles"] == 10
    with Warehouse(db):
        pass
    assert _run_statuses(db) == ["failed"]


def test_a_waiting_writer_names_the_run_it_waits_for_and_a_killed_run_blocks_no_one(tmp_path):
    db = tmp_path / "w.duckdb"
    holder = _started(HOLDS_THE_RUN_LOCK % str(db))
    try:
        started = time.perf_counter()
        with pytest.raises(
            WarehouseBusy, match=rf"another newsmill run \(pid {holder.pid} on .+, since .+\) is writing to"
        ):
            with Warehouse(db, lock_timeout=1):
                pass
        assert 1 <= time.perf_counter() - started < 5
        with duckdb.connect(str(db), read_only=True):  # the file itself is free for queries meanwhile
            pass
    finally:
        holder.kill()
        holder.wait()
    with Warehouse(db, lock_timeout=0):  # the kernel let go of the killed run's lock
        pass


def test_a_session_holding_the_file_makes_a_run_wait_then_give_up(prefect_server, sample_copy, tmp_path):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    holder = _started(
        f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(60)"
    )
    try:
        started = time.perf_counter()
        with pytest.raises(
            WarehouseBusy,
            match=rf"is busy: process {holder.pid} \(.+\) had it open for all of the 2 s "
            r"waited\. If that is a DuckDB session",
        ):
            ingest([str(sample_copy)], db=str(db), options=RunOptions(wait=2))
        assert 2 <= time.perf_counter() - started < 10
    finally:
        holder.kill()
        holder.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        tables = con.execute("SELECT count(*) FROM information_schema.tables").fetchone()[0]
    assert tables == 0  # the run changed nothing, not even the schema


def test_a_run_waits_for_a_session_holding_the_file_to_close_it(prefect_server, sample_copy, tmp_path, caplog):
    db = tmp_path / "w.duckdb"
    duckdb.connect(str(db)).close()
    holder = _started(
        f"import duckdb, time; con = duckdb.connect({str(db)!r}); print('ready', flush=True); time.sleep(3)"
    )
    summary = ingest([str(sample_copy)], db=str(db), options=RunOptions(wait=60))
    holder.wait()
    assert summary["articles"] == 12
    assert f"the warehouse {db} is busy: process {holder.pid} (" in caplog.text


def test_a_batch_rolled_back_takes_the_runs_row_with_it_and_the_next_batch_writes_it(tmp_path):
    db = tmp_path / "w.duckdb"
    text = "Alice Smith went to Paris."
    article = Article(
        document=Document("/in/a.txt", "txt", "sha", len(text)),
        text=text,
        language="en",
        language_prob=1.0,
        content_hash="h",
    )
    clusters = {article.article_id: (article.article_id, True)}
    run = RunRecord()
    with Warehouse(db) as warehouse:
        with pytest.raises(duckdb.ConstraintException):
            warehouse.write_batch(run, [article, article], [], clusters)  # the same article twice
        warehouse.write_batch(run, [article], [], clusters)
        warehouse.finish_run(run, "completed")
    assert _run_statuses(db) == ["completed"]
