"""The shape of an ingest stage, and the pipeline that takes batches through a list of them.

A stage is a small object with a name and one `run(batch) -> batch`. It runs in the flow's
process (the stages that read the warehouse), or on the workers (`WorkerStage`: what
travels there, the Prefect task that runs on it, and how its results join the batch).
Every stage is wrapped alike: timed and counted in the run's record, retried on what may go
away by itself, its failure named after it. A batch that still fails is split until the
records that fail alone are found: each becomes a `processing_error` reject, and the rest loads.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import NamedTuple

import duckdb
from prefect import get_run_logger, task
from prefect.cache_policies import NONE
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote

from flows.parallel import MIN_ITEMS_PER_WORKER, Pending, Workers
from flows.scan import FinishedFile
from transforms.dedup import ClusterDecision
from transforms.documents import Article, Record, Reject, RejectReason, Source
from transforms.stories import NO_CHANGES, StoryChanges
from transforms.tagging import TaggingPlan
from warehouse import RunRecord, Warehouse, WarehouseBusy
from warehouse.connection import interrupted

Item = Article | Reject

# What may go away by itself: I/O errors, a worker process or cluster connection lost.
# It is the machine's trouble, not a record's, so a batch failing with it is not split up.
ENVIRONMENTAL = (OSError, duckdb.IOException, BrokenProcessPool)


def _transient(task, task_run, state) -> bool:
    """Retry what may go away by itself. A bug fails the first time, and so does a
    warehouse held past the run's wait."""
    try:
        state.result()
    except ENVIRONMENTAL:
        return True
    except Exception:
        return False
    return False


retried = task(
    cache_policy=NONE,
    persist_result=False,
    retries=2,
    retry_delay_seconds=exponential_backoff(backoff_factor=5),
    retry_condition_fn=_transient,
)


@dataclass
class Batch:
    """Records on their way through the stages; each stage fills in what it found."""

    records: list[Record | Reject]  # as read: what a failing batch is split into
    finished: list[FinishedFile] = field(default_factory=list)  # files whose last records are in this batch
    gone: Sequence[str] = ()  # files deleted from the inputs, their records retired with this batch
    reread: bool = False  # every record is processed, unchanged or not
    items: list | None = (
        None  # the records to process (all of them, to begin with), then the articles and rejects made of them
    )
    retired: list[str] = field(default_factory=list)  # stored documents no file holds any longer
    sources: list[Source] = field(default_factory=list)  # finished files, registered with the batch
    clusters: dict[str, ClusterDecision] = field(default_factory=dict)  # for the articles and stored members they move
    tagging: TaggingPlan | None = None
    stories: StoryChanges = NO_CHANGES

    def __post_init__(self):
        if self.items is None:
            self.items = list(self.records)

    @property
    def replacing(self) -> list[str]:
        """The documents whose stored rows this batch replaces: its own, and the retired."""
        return [item.document.doc_id for item in self.items] + self.retired

    @property
    def changes_nothing(self) -> bool:
        """Nothing to process, retire or forget: at most its finished files to register."""
        return not self.items and not self.retired and not self.gone

    def articles(self) -> list[Article]:
        return [item for item in self.items if isinstance(item, Article)]


class Stage:
    """A step of the pipeline, run in the flow's process."""

    name: str
    on_workers = False
    runs_when_nothing_changes = False  # else passed over by a batch that changes nothing

    def run(self, batch: Batch) -> Batch:
        raise NotImplementedError


class WorkerStage(Stage):
    """A step whose work is shared out among the workers: only `inputs` travel there and
    back. With `hands_off`, the flow turns to the other batch in flight while they work.
    A batch with fewer than `min_items_per_worker` inputs a worker stays in the flow's
    process: what handing out costs is worth it only for more."""

    on_workers = True
    hands_off = False
    min_items_per_worker = MIN_ITEMS_PER_WORKER
    task: Callable  # a Prefect task over a list of inputs, one result each

    def prepare(self, batch: Batch) -> Batch:
        """What the flow does before handing out: the look-ups the stage needs."""
        return batch

    def inputs(self, batch: Batch) -> list:
        raise NotImplementedError

    def size(self, item) -> int:
        """An input's expected cost, for sharing the inputs out evenly."""
        return 1

    def merge(self, batch: Batch, results: list) -> Batch:
        raise NotImplementedError


class StageFailed(Exception):
    """A stage failed on a batch; `__cause__` is why."""

    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


class HandedOff(NamedTuple):
    stage: WorkerStage
    results: Pending


class Flight:
    """A batch between stages: where it is in the pipeline, and the results it waits for."""

    def __init__(self, batch: Batch):
        self.batch, self.position = batch, 0
        self.waiting: HandedOff | None = None
        self.counted: set[str] = set()  # the stages that counted this batch's records


class Pipeline:
    """Batches through the stages, two at a time: while the workers do one batch's last
    handed-off stage, the flow takes the next batch to its first (reads it, hands its
    cleaning out), then loads the first while the workers clean.

    A batch that still fails after its retries is split in halves, each taken through
    every stage on its own, again and again, down to the records that fail alone: each of
    those becomes a `processing_error` reject naming the stage, and every other record
    loads. No record holds back the others, in this run or the next. Only a failure of
    the machine (I/O, a lost worker) fails a whole batch: its files are not registered as
    read, so the next run retries them."""

    def __init__(
        self,
        stages: Sequence[Stage],
        warehouse: Warehouse,
        workers: Workers,
        run: RunRecord,
        failed_files: set[str],
        reread: bool,
    ):
        self.stages, self.warehouse, self.workers, self.run = list(stages), warehouse, workers, run
        self.failed_files = failed_files  # of the batches that failed: not registered as read
        self.reread = reread
        self._tasks = {
            stage.name: run_stage.with_options(name=stage.name) for stage in self.stages if not stage.on_workers
        }

    def run_batches(self, batches: Iterable[tuple[list, list[FinishedFile]]], after_batch: Callable[[], None]) -> None:
        previous: Flight | None = None
        for records, finished in batches:
            self.run.counts.update(documents=len(records))
            current = Flight(Batch(records, finished, reread=self.reread))
            started = _outcome(self._advance, current)
            if previous:
                self._attempt(previous, self._finish)
            # Settled, or taken on to its last hand-off, once the batch before is loaded: batches load in order.
            if isinstance(started, Exception):
                self._settle(current.batch, started)
                previous = None
            else:
                previous = self._attempt(current, self._advance)
            after_batch()
        if previous:
            self._attempt(previous, self._finish)
            after_batch()

    def retire_files(self, files: Sequence[str]) -> None:
        """Remove every record of these files, which are gone from the inputs, and the files themselves."""
        if isinstance(failure := _outcome(self._process, Batch([], gone=files)), Exception):
            get_run_logger().error(
                "retiring the records of %d deleted files failed (%s)", len(files), describe(failure)
            )
            self.failed_files.update(files)

    def _advance(self, flight: Flight) -> Flight:
        """Through the stages up to the next one handed off to the workers, or to the end."""
        if flight.waiting:
            stage, pending = flight.waiting
            flight.waiting = None
            flight.batch = self._timed(flight, stage, lambda: stage.merge(flight.batch, pending.result()))
        while flight.position < len(self.stages):
            stage = self.stages[flight.position]
            flight.position += 1
            if self._step(flight, stage):
                break
        return flight

    def _finish(self, flight: Flight) -> None:
        while flight.position < len(self.stages) or flight.waiting:
            self._advance(flight)

    def _process(self, batch: Batch) -> None:
        """One batch through every stage at once: how a failed batch's pieces are retried."""
        self._finish(Flight(batch))

    def _step(self, flight: Flight, stage: Stage) -> bool:
        """Run `stage` on the flight's batch; true when it is handed off to the workers and
        the flow may turn to another batch meanwhile."""
        batch = flight.batch
        if batch.changes_nothing and not stage.runs_when_nothing_changes:
            return False
        if not stage.on_workers:
            flight.batch = self._timed(flight, stage, lambda: self._tasks[stage.name](quote(stage), quote(batch)))
            return False
        batch = flight.batch = self._timed(flight, stage, lambda: stage.prepare(batch))
        inputs = stage.inputs(batch)
        self.warehouse.release()  # before each CPU-heavy stage: queries get in while it runs
        pending = self._timed(
            flight, stage, lambda: self.workers.submit(stage.task, inputs, stage.size, stage.min_items_per_worker)
        )
        if stage.hands_off:
            flight.waiting = HandedOff(stage, pending)
            return True
        flight.batch = self._timed(flight, stage, lambda: stage.merge(batch, pending.result()))
        return False

    def _timed(self, flight: Flight, stage: Stage, step: Callable):
        """`step()`, its time added to the stage's in the run's record (its records counted
        once however often the batch comes back to it); a failure raised as StageFailed."""
        started = time.perf_counter()
        try:
            return step()
        except (WarehouseBusy, StageFailed):
            raise
        except Exception as error:
            raise StageFailed(stage.name) from error
        finally:
            tally = self.run.stages.setdefault(stage.name, [0, 0.0])
            tally[0] += 0 if stage.name in flight.counted else len(flight.batch.records)
            tally[1] += time.perf_counter() - started
            flight.counted.add(stage.name)

    def _attempt(self, flight: Flight, step: Callable[[Flight], Flight | None]) -> Flight | None:
        """`step(flight)`, or None if it fails, the batch then settled piece by piece."""
        result = _outcome(step, flight)
        if isinstance(result, Exception):
            self._settle(flight.batch, result)
            return None
        return result

    def _settle(self, batch: Batch, error: Exception) -> None:
        logger = get_run_logger()
        if isinstance(_cause(error), ENVIRONMENTAL):
            logger.error(
                "a batch of %d documents failed (%s); the run goes on without it, the next run retries it",
                len(batch.records),
                describe(error),
            )
            self._fail(batch.records)
            return
        logger.warning(
            "a batch of %d documents failed (%s); finding the records that fail alone",
            len(batch.records),
            describe(error),
        )
        self._isolate(batch.records, error)
        # The files the batch finished: registered, their stale records retired.
        if isinstance(failure := _outcome(self._process, Batch([], batch.finished)), Exception):
            logger.error("registering %d finished files failed (%s)", len(batch.finished), describe(failure))
            self.failed_files.update(finished.source.source_file for finished in batch.finished)

    def _isolate(self, piece: list, error: Exception) -> None:
        """A piece that failed with `error`: a single record becomes a reject; else each
        half goes through every stage on its own, in input order, and a half that fails is
        isolated in turn. A failure of the machine fails the piece whole."""
        if isinstance(_cause(error), ENVIRONMENTAL):
            self._fail(piece)
        elif len(piece) == 1:
            self._reject(piece[0], error)
        elif piece:
            middle = len(piece) // 2
            for half in (piece[:middle], piece[middle:]):
                if isinstance(failure := _outcome(self._process, Batch(half, reread=self.reread)), Exception):
                    self._isolate(half, failure)

    def _reject(self, item: Record | Reject, error: Exception) -> None:
        """The record fails on its own: it becomes a `processing_error` reject, loaded
        through every stage again (it may have failed in any of them) and stored whatever
        the warehouse held for it."""
        reject = Reject(item.document, RejectReason.PROCESSING_ERROR, describe(error))
        get_run_logger().warning("%s: %s", item.document.source_uri, reject.detail)
        if isinstance(failure := _outcome(self._process, Batch([reject], reread=True)), Exception):
            get_run_logger().error(
                "%s could not even be stored as a reject (%s)", item.document.source_uri, describe(failure)
            )
            self._fail([item])

    def _fail(self, records: list) -> None:
        self.run.counts.update(failed=len(records))
        self.failed_files.update(item.document.source_file for item in records)


@retried
def run_stage(stage: Stage, batch: Batch) -> Batch:
    return stage.run(batch)


def _outcome(step, *args):
    """`step(*args)`, or the exception it raised. A warehouse held past the run's wait is
    raised, not returned: it is no batch's failure, and the batches after would wait as long.
    Nor is a Ctrl-C that DuckDB turned into an error: it ends the run."""
    try:
        return step(*args)
    except WarehouseBusy:
        raise
    except Exception as error:
        if interrupted(_cause(error)):
            raise KeyboardInterrupt from error
        return error


def _cause(error: BaseException) -> BaseException:
    return error.__cause__ if isinstance(error, StageFailed) and error.__cause__ else error


def describe(error: BaseException) -> str:
    """'stage clean: ValueError: ...', what a processing_error reject's detail says."""
    stage = f"stage {error.stage}: " if isinstance(error, StageFailed) else ""
    cause = _cause(error)
    return f"{stage}{type(cause).__name__}: {str(cause)[:300]}"


def timed_reads(run: RunRecord, batches: Iterator[tuple[list, list]]) -> Iterator[tuple[list, list]]:
    """The scan's batches, the time spent reading them added to the run's `read` stage."""
    while True:
        started = time.perf_counter()
        scanned = next(batches, None)
        tally = run.stages.setdefault("read", [0, 0.0])
        tally[1] += time.perf_counter() - started
        if scanned is None:
            return
        tally[0] += len(scanned[0])
        yield scanned
