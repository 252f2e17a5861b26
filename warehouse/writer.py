"""The one writer: every change to the warehouse goes through `Warehouse`, one transaction per batch."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from transforms.dedup import ClusterDecision
from transforms.documents import Article, Reject, Source
from transforms.stories import NO_CHANGES, StoryChanges
from warehouse.connection import DEFAULT_LOCK_TIMEOUT
from warehouse.load import Batch, BatchResult, load_batch
from warehouse.lookups import Lookups
from warehouse.runs import RunRecord, RunRows
from warehouse.session import Session


class Warehouse:
    """The one writer of a warehouse, for as long as the `with` block lasts (see `Session`
    for the locks it holds). `lookups` are the reads its stages make."""

    def __init__(self, path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        self._session = Session(path, lock_timeout)
        self._runs = RunRows(self._session)
        self.lookups = Lookups(self._session)

    def __enter__(self) -> Warehouse:
        self._session.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self._session.__exit__(*exc)

    def release(self) -> None:
        """Let go of the DuckDB file, so others can query it, until the next read or write
        opens it again. The run lock stays: no other run writes meanwhile."""
        self._session.release()

    def write_batch(
        self,
        run: RunRecord,
        articles: Sequence[Article],
        rejects: Sequence[Reject],
        clusters: Mapping[str, ClusterDecision],
        stories: StoryChanges = NO_CHANGES,
        retired: Sequence[str] = (),
        sources: Sequence[Source] = (),
        gone: Sequence[str] = (),
    ) -> BatchResult:
        """Replace the rows of these documents with their new outcome, all or nothing (`Batch`
        says what each argument holds). The run's row is written with its first batch."""
        batch = Batch(run.run_id, articles, rejects, clusters, stories, retired, sources, gone)
        with self._session.transaction():
            self._runs.write(run)
            result = load_batch(self._session, batch)
        self._runs.committed(run)  # a batch rolled back takes the run's row with it
        return result

    def finish_run(self, run: RunRecord, status: str) -> None:
        """Close the run's row, if it has one; see `RunRows.finish`."""
        self._runs.finish(run, status)
