"""Where the CPU-heavy stages run: in this process, on a pool of processes on this machine,
or on a Dask cluster. Reads and writes of the warehouse never leave the flow's process."""

from __future__ import annotations

import atexit
import gc
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from contextlib import nullcontext
from typing import Any

from prefect import Task
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner
from prefect.utilities.annotations import quote

from flows import lifeline

# Now, not when the workers start: Prefect starts its temporary server (when no
# PREFECT_API_URL is set) as the flow run starts, and it too must die with the run.
lifeline.guard_temporary_server()

# Fewer items than this a worker are handled in the flow's own process: handing them to
# a worker costs about as much as the work (for a stage whose items cost a few milliseconds).
MIN_ITEMS_PER_WORKER = 32
# Fewer items than this, while no worker runs, are handled in the flow's own process, by
# any stage: a worker's start costs about 6 s of CPU (Python, Prefect, the stages' models,
# each loaded again in every worker). Measured: 69 real pages took 8.3 s on two workers and
# 10.5 s in the flow's process; the sample's 11 English texts took 3 s more on two workers.
MIN_ITEMS_TO_START_WORKERS = 64


class Workers:
    """Runs a stage over a batch split into one chunk per worker, the results in order.

    The task runner starts the first time a batch is worth sharing out, so a small run
    never pays for starting processes (each loads its own models) or joining a cluster.
    The processes die with the run, however it ends (`flows.lifeline`).
    """

    def __init__(self, processes: int = 1, dask_address: str | None = None):
        self.processes, self.dask_address = processes, dask_address
        self._runner: TaskRunner | None = None
        self._lifeline: lifeline.Lifeline | None = None

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc) -> None:
        if exc[0] is not None:  # interrupted, or failed: the workers stop now
            self._cut_lifeline()
        if self._runner is not None:
            self._runner.__exit__(*exc)  # waits for the workers to exit
            self._runner = None
        self._cut_lifeline()

    def _cut_lifeline(self) -> None:
        if self._lifeline is not None:
            self._lifeline.close()
            self._lifeline = None

    @property
    def count(self) -> int:
        """How many workers a stage is shared among (a cluster's, once connected)."""
        if self.dask_address:
            return max(1, len(self._started().client.scheduler_info()["workers"]))
        return self.processes

    def map(
        self,
        stage: Task,
        items: Sequence[Any],
        size: Callable[[Any], int] = len,
        min_items_per_worker: int = MIN_ITEMS_PER_WORKER,
    ) -> list:
        """`stage(chunk)` for each chunk of `items`, concatenated: a stage takes a list and
        returns one result per item."""
        return self.submit(stage, items, size, min_items_per_worker).result()

    def submit(
        self,
        stage: Task,
        items: Sequence[Any],
        size: Callable[[Any], int] = len,
        min_items_per_worker: int = MIN_ITEMS_PER_WORKER,
    ) -> Pending:
        """`map`, started: the workers go on while the flow does something else. Chunks are
        about equal in total `size` (each item's expected cost), so no worker sits idle
        while another finishes; a worker gets at least `min_items_per_worker` items, or the
        flow's process does the work, as it does fewer than `MIN_ITEMS_TO_START_WORKERS`
        before the workers have started. Call it from the flow, not from inside a task: a
        task shared out carries its caller's context along."""
        if not items:
            return Pending([], [])
        if not self.dask_address and (
            self.processes <= 1
            or len(items) < 2 * min_items_per_worker
            or (self._runner is None and len(items) < MIN_ITEMS_TO_START_WORKERS)
        ):
            done: Future = Future()
            done.set_result(stage(quote(list(items))))  # quoted: not walked item by item for futures
            return Pending([list(range(len(items)))], [done])
        chunks = balanced_chunks(
            [size(item) for item in items], min(self.count, max(1, len(items) // min_items_per_worker))
        )
        runner = self._started()
        # A pool's workers use this process's temporary Prefect server, if it runs one; a cluster cannot reach it.
        with nullcontext() if self.dask_address else lifeline.sharing_temporary_server():
            return Pending(chunks, [runner.submit(stage, {"items": [items[i] for i in chunk]}) for chunk in chunks])

    def _started(self) -> TaskRunner:
        if self._runner is None:
            self._runner = self._new_runner().__enter__()
        return self._runner

    def _new_runner(self) -> TaskRunner:
        if self.dask_address:
            from prefect_dask import DaskTaskRunner  # imports dask: only for a cluster

            # Always given an address: without one DaskTaskRunner would start a LocalCluster
            # of the run's own, whose processes nothing here makes die with the run. The
            # workers of the cluster given are the user's, and outlive the run.
            return DaskTaskRunner(address=self.dask_address)
        self._lifeline = lifeline.Lifeline()
        return ProcessPoolTaskRunner(
            max_workers=self.processes, initializer=_start_worker, initargs=self._lifeline.args
        )


def _start_worker(*lifeline_args) -> None:
    """A pool worker's start: it dies with the run (`lifeline.worker_lifeline`), and freezes
    what it holds before it exits. The run waits for its workers to exit, and the last
    garbage collections of a worker's interpreter walk every object it holds (its models)
    for nothing: 1.6 s for two workers with the English model, 0.1 s frozen."""
    lifeline.worker_lifeline(*lifeline_args)
    atexit.register(gc.freeze)


class Pending:
    """A stage's results for a batch, on their way from the workers."""

    def __init__(self, chunks: list[list[int]], futures: list):
        self._chunks, self._futures = chunks, futures  # a chunk's item indexes, the future of its results

    def result(self) -> list:
        """The results in the order of the items, once every worker has finished."""
        results: list = [None] * sum(map(len, self._chunks))
        for chunk, future in zip(self._chunks, self._futures):
            for i, result in zip(chunk, future.result(), strict=True):
                results[i] = result
        return results


def balanced_chunks(sizes: Sequence[int], count: int) -> list[list[int]]:
    """The indexes of `sizes` split into `count` chunks of about equal total size: the
    largest first, each to the lightest chunk so far. Each chunk keeps its indexes in order."""
    chunks: list[list[int]] = [[] for _ in range(count)]
    totals = [0] * count
    for i in sorted(range(len(sizes)), key=lambda i: -sizes[i]):
        lightest = totals.index(min(totals))
        chunks[lightest].append(i)
        totals[lightest] += sizes[i]
    return [sorted(chunk) for chunk in chunks]
