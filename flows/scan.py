"""What a run reads: the records of its files, passing over the files the warehouse holds
as they are. Free of Prefect, so that the command line can find out that there is nothing
new before it pays for a flow run."""

from __future__ import annotations

import time
from array import array
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from flows.options import RunOptions
from transforms.documents import Record, Reject, Source, path_text
from transforms.read import discover, file_digest, read_file, scope
from warehouse import RunRecord
from warehouse.lookups import Lookups, StoredSource
from warehouse.snapshot import snapshot

LOOKUP_FILES = 1000  # files whose stored digests are looked up in one query


class FinishedFile(NamedTuple):
    """A file read to the end, with the ids of the records it holds now (64-bit ints: a
    huge file's stay small in memory)."""

    source: Source
    doc_ids: array


class Scan:
    """Streams the records of the input files, passing over files the warehouse already
    holds byte for byte, and keeps note of the files it has read to the end."""

    def __init__(self, lookups: Lookups, paths: list[str], options: RunOptions):
        self.lookups, self.paths = lookups, paths
        self.force, self.max_record_bytes = options.force, options.max_record_bytes
        self.files = list(discover(paths))  # listed first, so a run knows how far it has to go
        self.total_bytes = sum(map(_size, self.files))
        self.unchanged_bytes = 0  # of the files passed over, as the warehouse holds them already
        self.unchanged_records = 0
        self._finished: list[FinishedFile] = []

    def records(self) -> Iterator[Record | Reject]:
        files = iter(self.files)
        while paths := list(islice(files, LOOKUP_FILES)):
            stored = self.lookups.stored_sources(map(path_text, paths))
            for path in paths:
                yield from self._records(path, stored.get(path_text(path)))

    def gone(self) -> list[str]:
        """Stored files under the scanned paths that the scan no longer found: deleted or moved away."""
        return self.lookups.missing_sources(scope(self.paths), set(map(path_text, self.files)))

    def _records(self, path: Path, stored: StoredSource | None) -> Iterator[Record | Reject]:
        try:
            sha256, size = file_digest(path)
        except OSError:  # read_file turns it into an `unreadable` reject
            yield from read_file(path, self.max_record_bytes)
            return
        if stored and stored.sha256 == sha256 and not self.force:
            self.unchanged_records += stored.records
            self.unchanged_bytes += size
            return
        seen = array("Q")  # doc ids as 64-bit ints: memory stays small for huge files
        for item in read_file(path, self.max_record_bytes):
            seen.append(int(item.document.doc_id, 16))
            yield item
        self._finished.append(FinishedFile(Source(path_text(path), sha256, size, len(seen)), seen))

    def batches(self, size: int) -> Iterator[tuple[list[Record | Reject], list[FinishedFile]]]:
        """(records, files finished): every record of a finished file is in its batch or an earlier one."""
        records = self.records()
        while True:
            batch = list(islice(records, size))
            finished, self._finished = self._finished, []
            if not batch and not finished:
                return
            yield batch, finished


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # reading it makes it an `unreadable` reject
        return 0


def nothing_new(paths: list[str], db: Path, options: RunOptions) -> dict | None:
    """The summary of a run of `paths` into `db` that would change nothing, found by
    reading the warehouse beside its writer: no flow run, no trace anywhere. None when the
    run has something to do, or when the warehouse cannot tell (see `snapshot`); with
    `options.force`, a run always has."""
    started = time.perf_counter()
    if options.force:
        return None
    with snapshot(db) as lookups:
        if lookups is None:
            return None
        scan = Scan(lookups, paths, options)
        if _any_new(lookups, scan.files):  # told apart by name alone: no file is hashed twice
            return None
        if next(scan.records(), None) is not None:  # a file changed (or unreadable)
            return None
        gone = scan.gone()
    if gone and options.prune:
        return None
    run = RunRecord()
    run.counts.update(documents=scan.unchanged_records)
    return run_summary(run, time.perf_counter() - started, gone, pruned=False) | {"run_id": None}


def _any_new(lookups: Lookups, files: list[Path]) -> bool:
    names = iter(map(path_text, files))
    while chunk := list(islice(names, LOOKUP_FILES)):
        if len(lookups.stored_sources(chunk)) < len(chunk):
            return True
    return False


def run_summary(run: RunRecord, seconds: float, gone: list[str], pruned: bool) -> dict:
    """What a run did, as `ingest` returns it and the command line prints it."""
    counts = run.counts
    return {
        "run_id": run.run_id,
        "documents": counts["documents"],
        "unchanged": counts["documents"] - counts["loaded"],
        "articles": counts["articles"],
        "rejects": counts["rejects"],
        "rejects_by_reason": dict(sorted(run.rejects_by_reason.items())),
        "duplicates": counts["duplicates"],
        "mentions": counts["mentions"],
        "entities": len(run.entities),
        # The stories its articles are in, and the stories it found to be part of older ones.
        "stories": len(run.stories - run.merged_stories),
        "merged_stories": len(run.merged_stories),
        # Articles whose language no NER model is installed for, by language.
        "untagged": dict(sorted(run.untagged.items())),
        "failed": counts["failed"],
        "retired": counts["retired"],
        # Stored files under the scanned paths that are no longer there, and whether their records were removed.
        "gone": len(gone),
        "pruned": pruned and bool(gone),
        "seconds": round(seconds, 2),
    }
