"""The ingest flow: files in, warehouse rows out.

    scan files -> skip unchanged -> clean* -> strip site templates -> language, signatures*
               -> find duplicates -> tag entities* -> load

Files are streamed record by record and handled in batches, one Prefect task per stage
and batch (* shared out among the workers: processes, or a Dask cluster); every batch is
loaded in its own transaction, so a failure never leaves half a batch behind. Two batches
are in flight at once (`Pipeline`): the next is cleaned while one is loaded.
"""

from __future__ import annotations

import dataclasses
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures.process import BrokenProcessPool
from itertools import islice
from pathlib import Path

import duckdb
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NONE
from prefect.tasks import exponential_backoff
from prefect.utilities.annotations import quote
from prefect.runtime import flow_run

from flows.landing import reachable_days
from flows.models import DEFAULT_PROCESSES, english_ner, language_detector
from flows import progress
from flows.parallel import Pending, Workers
from flows.report import run_report
from transforms import neardup, templates
from transforms.clean import clean
from transforms.dedup import ClusterMember, Standing, assign_clusters, hash_normalized, normalize_for_hash
from transforms.documents import PROCESSING_ERROR, Article, Mention, Record, Reject, Source, path_text
from transforms.entities import find_mentions, project_mentions
from transforms.read import DEFAULT_MAX_RECORD_BYTES, discover, file_digest, read_file, scope
from warehouse import RunRecord, Warehouse, WarehouseBusy, default_path
from warehouse.lookups import StoredSource
from warehouse.writer import DEFAULT_LOCK_TIMEOUT

BATCH_SIZE = 256
LOOKUP_FILES = 1000  # files whose stored digests are looked up in one query
ENTITY_LANGUAGES = {"en"}  # the languages an NER model is installed for

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


stage = task(cache_policy=NONE, persist_result=False, retries=2,
             retry_delay_seconds=exponential_backoff(backoff_factor=5), retry_condition_fn=_transient)


class Scan:
    """Streams the records of the input files, passing over files the warehouse already
    holds byte for byte, and keeps note of the files it has read to the end."""

    def __init__(self, warehouse: Warehouse, paths: list[str], force: bool, max_record_bytes: int):
        self.warehouse, self.paths, self.force, self.max_record_bytes = warehouse, paths, force, max_record_bytes
        self.files = list(discover(paths))  # listed first, so a run knows how far it has to go
        self.total_bytes = sum(map(_size, self.files))
        self.unchanged_bytes = 0  # of the files passed over, as the warehouse holds them already
        self.unchanged_records = 0
        self._finished: list[tuple[Source, array]] = []

    def records(self) -> Iterator[Record | Reject]:
        files = iter(self.files)
        while paths := list(islice(files, LOOKUP_FILES)):
            stored = self.warehouse.lookups.stored_sources(map(path_text, paths))
            for path in paths:
                yield from self._records(path, stored.get(path_text(path)))

    def gone(self) -> list[str]:
        """Stored files under the scanned paths that the scan no longer found: deleted or moved away."""
        return self.warehouse.lookups.missing_sources(scope(self.paths), set(map(path_text, self.files)))

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
        self._finished.append((Source(path_text(path), sha256, size, len(seen)), seen))

    def batches(self, size: int) -> Iterator[tuple[list[Record | Reject], list[tuple[Source, array]]]]:
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


@stage
def skip_unchanged(warehouse: Warehouse, batch: Sequence[Record | Reject]) -> list[Record | Reject]:
    """Leave out records whose bytes are exactly what the warehouse last loaded for them."""
    stored = warehouse.lookups.stored_sha256([item.document.doc_id for item in batch])
    return [
        item for item in batch
        if item.document.sha256 is None or stored.get(item.document.doc_id) != item.document.sha256
    ]


@stage
def clean_records(items: list[Record | Reject]) -> list[Item]:
    return [clean(item) if isinstance(item, Record) else item for item in items]


def _raw_size(item: Record | Reject) -> int:
    return len(item.content) if isinstance(item, Record) else 0


@stage
def strip_site_templates(warehouse: Warehouse, items: Sequence[Item], replacing: Sequence[str]) -> list[Item]:
    """Learn each site's template lines from its stored articles and these, and remove them."""
    articles = [item for item in items if isinstance(item, Article)]
    lines: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        lines[templates.template_group(article)].update(templates.candidate_lines(article.text))
    learned = templates.learn(warehouse.lookups.template_counts(lines, excluding=replacing), articles)
    return [
        templates.strip_template(item, learned[templates.template_group(item)]) if isinstance(item, Article) else item
        for item in items
    ]


@stage
def detect_language_and_sign(items: list[str]) -> list[tuple[str, float, str, neardup.Signature]]:
    """Each text's language with its probability, content hash and MinHash signature: what
    the duplicate and entity stages need, computed where the CPU is."""
    return [_language_and_signature(text) for text in items]


def _language_and_signature(text: str) -> tuple[str, float, str, neardup.Signature]:
    language, probability = language_detector().detect(text)
    normalized = normalize_for_hash(text)
    return language, probability, hash_normalized(normalized), neardup.sign_normalized(normalized)


def annotate(workers: Workers, items: list[Item]) -> list[Item]:
    """Articles with their language, content hash and signature. Only the texts travel to
    the workers and back: whole articles would double what is pickled."""
    articles = [i for i, item in enumerate(items) if isinstance(item, Article)]
    found = workers.map(detect_language_and_sign, [items[i].text for i in articles])
    items = list(items)
    for i, (language, probability, content_hash, signature) in zip(articles, found):
        items[i] = dataclasses.replace(items[i], language=language, language_prob=probability,
                                       content_hash=content_hash, signature=signature)
    return items


@stage
def tag_texts(items: list[str]) -> list[tuple[Mention, ...]]:
    return list(find_mentions(english_ner(), items))


@stage
def find_duplicates(warehouse: Warehouse, items: Sequence[Item], replacing: Sequence[str]) -> dict[str, tuple[str, bool]]:
    """Find each (signed) article's near-duplicates in this batch and among every stored
    article sharing an LSH band key with it, and regroup the clusters concerned.
    `replacing`: the documents of this batch and those retired, whose stored rows go."""
    articles = [a for a in items if isinstance(a, Article)]
    replacing = list(replacing)
    signatures = {a.article_id: a.signature for a in articles}
    keys = {a.article_id: a.signature.band_keys for a in articles}
    links = [(a, b) for a, b in neardup.candidate_pairs(keys.items())
             if neardup.is_near_duplicate(signatures[a], signatures[b])]
    candidates = warehouse.lookups.near_duplicate_candidates(keys, excluding=replacing)
    stored_signatures = warehouse.lookups.signatures({old for _, old in candidates})
    links += [(new, old) for new, old in candidates if neardup.is_near_duplicate(signatures[new], stored_signatures[old])]
    stored = {m.article_id: m for m in warehouse.lookups.cluster_members({a.content_hash for a in articles}, replacing=replacing)}
    linked = [b for _, b in links if b not in signatures]
    stored.update((m.article_id, m) for m in warehouse.lookups.clusters_of(linked + replacing, excluding=replacing))
    standings = warehouse.lookups.standings(replacing)  # a record read again keeps its standing
    incoming = [ClusterMember(a.article_id, a.content_hash, a.published_at, a.word_count,
                              standing=standings.get(a.article_id, Standing.NEW)) for a in articles]
    # Ties go to the member seen first: the stored ones in a fixed order, then this batch's in input order.
    return assign_clusters(sorted(stored.values(), key=lambda m: m.article_id) + incoming, links)


class Tagging:
    """NER once per cluster, for articles in a language a model is installed for: the
    canonical member is tagged, and its copies reuse its entities wherever they stand in
    their own text. Each distinct text is tagged once. The texts go to the workers when
    this is made; `result()` waits for them and gives the articles with their mentions."""

    def __init__(self, warehouse: Warehouse, items: Sequence[Item], clusters: dict[str, tuple[str, bool]],
                 workers: Workers):
        self.items = items
        self.articles = {i.article_id: i for i in items if isinstance(i, Article) and i.language in ENTITY_LANGUAGES}
        canonical = {cluster: article_id for article_id, (cluster, is_canonical) in clusters.items() if is_canonical}
        self.source = {a: canonical.get(clusters[a][0], a) for a in self.articles}
        self.stored = warehouse.lookups.stored_mentions({c for c in self.source.values() if c not in self.articles})
        warehouse.release()
        to_tag = {a for a, c in self.source.items() if c == a or (c not in self.articles and c not in self.stored)}
        self.texts = sorted({self.articles[a].text for a in to_tag | {c for c in self.source.values() if c in self.articles}})
        self.tagging = workers.submit(tag_texts, self.texts)

    def result(self) -> list[Item]:
        tagged = dict(zip(self.texts, self.tagging.result()))

        def mentions(article: Article) -> tuple:
            if article.text in tagged:
                return tagged[article.text]
            origin = self.source[article.article_id]
            found = tagged[self.articles[origin].text] if origin in self.articles else self.stored[origin]
            return project_mentions(found, article.text)

        return [
            dataclasses.replace(item, mentions=mentions(item)) if isinstance(item, Article) and item.article_id in self.articles
            else item
            for item in self.items
        ]


@stage
def load(warehouse: Warehouse, run: RunRecord, items: Sequence[Item], clusters, retired, sources, gone) -> None:
    articles = [i for i in items if isinstance(i, Article)]
    rejects = [i for i in items if isinstance(i, Reject)]
    result = warehouse.write_batch(run, articles, rejects, clusters, retired=retired, sources=sources, gone=gone)
    run.counts.update(
        loaded=len(items), articles=result.articles, rejects=result.rejects,
        mentions=result.mentions, retired=len(retired), loaded_bytes=sum(source.bytes for source in sources),
    )
    run.counts.update(Counter(f"reject:{r.reason}" for r in rejects))
    run.entities.update(result.entities)
    run.counts.update(f"untagged:{a.language}" for a in articles if a.language not in ENTITY_LANGUAGES)
    run.counts.update(f"language:{a.language}" for a in articles)


@dataclasses.dataclass
class Started:
    """A batch read, its unchanged records left out, its cleaning handed to the workers."""

    batch: list
    finished: list[tuple[Source, array]]
    changed: list
    cleaning: Pending
    timed: Stopwatch
    gone: Sequence[str] = ()  # files deleted from the inputs, whose records are retired with this batch


@dataclasses.dataclass
class Tagged:
    """A batch cleaned, signed and clustered, its NER on the workers: what is left is to load it."""

    batch: list
    finished: list[tuple[Source, array]]
    tagging: Tagging
    clusters: dict[str, tuple[str, bool]]
    retired: list[str]
    sources: list[Source]
    gone: Sequence[str]
    timed: Stopwatch


class Pipeline:
    """Batches through the stages, two at a time: while the workers tag one batch, the flow
    reads the next and hands its cleaning to them, which they do while the flow loads the
    first. The stages that read the warehouse stay in the flow; batches are passed to them
    quoted, or Prefect would walk every article and mention looking for futures.

    A batch that still fails after its retries is split in halves, each processed on its
    own, again and again, down to the records that fail alone: each of those becomes a
    `processing_error` reject naming the stage, and every other record loads. No record
    holds back the others, in this run or the next. Only a failure of the machine (I/O,
    a lost worker) fails a whole batch: its files are not marked as read, so the next run
    retries them."""

    def __init__(self, warehouse: Warehouse, workers: Workers, run: RunRecord, force: bool):
        self.warehouse, self.workers, self.run, self.force = warehouse, workers, run, force
        self.failed_files: set[str] = set()

    def run_batches(self, batches: Iterator[tuple[list, list]], after_batch: Callable[[], None]) -> None:
        tagged: Tagged | None = None
        for batch, finished in batches:
            self.run.counts.update(documents=len(batch))
            started = _outcome(self.start, batch, finished)
            if tagged:
                self._attempt(tagged.batch, tagged.finished, self.load, tagged)
            if isinstance(started, Exception):  # settled once the batch before it is loaded: batches load in order
                self._settle(batch, finished, started)
                tagged = None
            else:
                tagged = self._attempt(batch, finished, self.tag, started)
            after_batch()
        if tagged:
            self._attempt(tagged.batch, tagged.finished, self.load, tagged)
            after_batch()

    def retire_files(self, files: Sequence[str]) -> None:
        """Remove every record of these files, which are gone from the inputs, and the files themselves."""
        if isinstance(failure := _outcome(self._process, [], [], files), Exception):
            get_run_logger().error("retiring the records of %d deleted files failed (%s)", len(files), _describe(failure))
            self.failed_files.update(files)

    def start(self, batch: list, finished: list[tuple[Source, array]], gone: Sequence[str] = ()) -> Started:
        """skip unchanged -> clean (handed to the workers)"""
        timed = Stopwatch(self.run, len(batch))
        changed = batch if self.force else timed("skip unchanged", skip_unchanged, self.warehouse, quote(batch))
        self.warehouse.release()  # before each CPU-heavy stage: queries get in while it runs
        cleaning = timed("clean", self.workers.submit, clean_records, changed, _raw_size)
        return Started(batch, finished, changed, cleaning, timed, gone)

    def tag(self, started: Started) -> Tagged | None:
        """site templates -> language, signatures -> duplicates -> entities (handed to the workers).
        The files the batch finishes are registered with it, unless a failed batch held records of theirs."""
        timed = started.timed
        finished = [(source, seen) for source, seen in started.finished if source.source_file not in self.failed_files]
        sources = [source for source, _ in finished]
        retired = self._retired(finished, started.gone)
        if not started.changed and not retired and not started.gone:
            if sources:
                timed("load", self.warehouse.write_batch, self.run, [], [], {}, (), sources)
                self.run.counts.update(loaded_bytes=sum(source.bytes for source in sources))
            return None
        replacing = [item.document.doc_id for item in started.changed] + retired
        items = timed("clean", started.cleaning.result)
        items = timed("site templates", strip_site_templates, self.warehouse, quote(items), replacing)
        self.warehouse.release()
        items = timed("language and signatures", annotate, self.workers, items)
        clusters = timed("duplicates", find_duplicates, self.warehouse, quote(items), replacing)
        tagging = timed("entities", Tagging, self.warehouse, items, clusters, self.workers)
        return Tagged(started.batch, started.finished, tagging, clusters, retired, sources, started.gone, timed)

    def _retired(self, finished: list[tuple[Source, array]], gone: Sequence[str]) -> list[str]:
        """The stored records that finished files no longer hold, and every record of the gone files."""
        stale = self.warehouse.lookups.stale_documents({s.source_file: (f"{i:016x}" for i in seen) for s, seen in finished})
        return sorted(set(stale) | set(self.warehouse.lookups.documents_of(gone)))

    def load(self, tagged: Tagged) -> None:
        """entities (from the workers) -> load, in one transaction"""
        items = tagged.timed("entities", tagged.tagging.result)
        tagged.timed("load", load, self.warehouse, self.run, quote(items), tagged.clusters, tagged.retired,
                     tagged.sources, tagged.gone)

    def _process(self, batch: list, finished: list[tuple[Source, array]], gone: Sequence[str] = ()) -> None:
        """One batch through every stage, at once: how a failed batch's pieces are retried."""
        tagged = self.tag(self.start(batch, finished, gone))
        if tagged:
            self.load(tagged)

    def _attempt(self, batch: list, finished: list[tuple[Source, array]], step, *args):
        """`step(*args)`, or None if it fails, the batch then settled piece by piece."""
        result = _outcome(step, *args)
        if isinstance(result, Exception):
            self._settle(batch, finished, result)
            return None
        return result

    def _settle(self, batch: list, finished: list[tuple[Source, array]], error: Exception) -> None:
        logger = get_run_logger()
        if isinstance(_cause(error), ENVIRONMENTAL):
            logger.error("a batch of %d documents failed (%s); the run goes on without it, the next run retries it",
                         len(batch), _describe(error))
            self._fail(batch)
            return
        logger.warning("a batch of %d documents failed (%s); finding the records that fail alone",
                       len(batch), _describe(error))
        self._isolate(batch, error)
        # The files the batch finished: registered, their stale records retired.
        if isinstance(failure := _outcome(self._process, [], finished), Exception):
            logger.error("registering %d finished files failed (%s)", len(finished), _describe(failure))
            self.failed_files.update(source.source_file for source, _ in finished)

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
                if isinstance(failure := _outcome(self._process, half, []), Exception):
                    self._isolate(half, failure)

    def _reject(self, item: Record | Reject, error: Exception) -> None:
        """The record fails on its own: it becomes a `processing_error` reject."""
        reject = Reject(item.document, PROCESSING_ERROR, _describe(error))
        get_run_logger().warning("%s: %s", item.document.source_uri, reject.detail)
        if isinstance(failure := _outcome(self._load_alone, reject), Exception):
            get_run_logger().error("%s could not even be stored as a reject (%s)", item.document.source_uri, _describe(failure))
            self._fail([item])

    def _load_alone(self, reject: Reject) -> None:
        """Load a reject without the stages before: its record may have failed in any of them."""
        cleaned = self.workers.submit(clean_records, [reject])
        self.load(self.tag(Started([reject], [], [reject], cleaned, Stopwatch(self.run, 1))))

    def _fail(self, batch: list) -> None:
        self.run.counts.update(failed=len(batch))
        self.failed_files.update(item.document.source_file for item in batch)


def _outcome(step, *args):
    """`step(*args)`, or the exception it raised. A warehouse held past the run's wait is
    raised, not returned: it is no batch's failure, and the batches after would wait as long."""
    try:
        return step(*args)
    except WarehouseBusy:
        raise
    except Exception as error:
        return error


class StageFailed(Exception):
    """A stage failed on a batch; `__cause__` is why."""

    def __init__(self, stage: str):
        super().__init__(stage)
        self.stage = stage


def _cause(error: BaseException) -> BaseException:
    return error.__cause__ if isinstance(error, StageFailed) and error.__cause__ else error


def _describe(error: BaseException) -> str:
    """'stage clean: ValueError: ...', what a processing_error reject's detail says."""
    stage = f"stage {error.stage}: " if isinstance(error, StageFailed) else ""
    cause = _cause(error)
    return f"{stage}{type(cause).__name__}: {str(cause)[:300]}"


def _timed_reads(run: RunRecord, batches: Iterator[tuple[list, list]]) -> Iterator[tuple[list, list]]:
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


class Stopwatch:
    """Adds a batch's time and items in each stage to the run's record, for `runs.stages`.
    A stage handed to the workers is timed twice, handing out and waiting: its items count once.
    A stage's failure is raised as StageFailed, which names it."""

    def __init__(self, run: RunRecord, items: int):
        self.run, self.items = run, items
        self._counted: set[str] = set()

    def __call__(self, stage: str, step, *args):
        started = time.perf_counter()
        try:
            return step(*args)
        except (WarehouseBusy, StageFailed):
            raise
        except Exception as error:
            raise StageFailed(stage) from error
        finally:
            tally = self.run.stages.setdefault(stage, [0, 0.0])
            tally[0] += 0 if stage in self._counted else self.items
            tally[1] += time.perf_counter() - started
            self._counted.add(stage)


@flow(name="newsmill-ingest")
def ingest(
    paths: list[str] | None = None,
    landing: str | None = None,
    db: str | None = None,
    force: bool = False,
    prune: bool = False,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    batch_size: int = BATCH_SIZE,
    processes: int = DEFAULT_PROCESSES,
    dask_address: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> dict:
    """Ingest files, folders and glob patterns of scraped articles into the warehouse at
    `db` (default: `$NEWSMILL_DB`, else ./newsmill.duckdb). Without `paths`, the day
    partitions of the landing folder `landing` (default: `$NEWSMILL_LANDING`, else
    ./landing); its other entries are left out, with a warning, as a backfill leaves them.

    Files and records already in the warehouse as they are now are skipped, unless `force`.
    Stored files under `paths` that are no longer there are counted, and with `prune`
    their records are removed. The CPU-heavy stages run on `processes` processes, or on
    the Dask cluster at `dask_address`. When another process holds the warehouse, the run
    waits for it up to `lock_timeout` seconds.
    """
    logger = get_run_logger()
    paths = paths or reachable_days(landing, logger)
    db = db or str(default_path())
    run = RunRecord(flow_run_id=flow_run.get_id())
    started = time.perf_counter()
    with Warehouse(Path(db), lock_timeout=lock_timeout) as warehouse, Workers(processes, dask_address) as workers:
        scan = Scan(warehouse, paths, force, max_record_bytes)
        pipeline = Pipeline(warehouse, workers, run, force)

        def report_progress() -> None:
            progress.report(progress.Progress(flow_run.get_name() or "ingest", len(scan.files), scan.total_bytes,
                                              scan.unchanged_bytes + run.counts["loaded_bytes"], run.counts["documents"],
                                              run.counts["loaded"], time.perf_counter() - started))

        report_progress()
        try:
            pipeline.run_batches(_timed_reads(run, scan.batches(batch_size)), report_progress)
            gone = scan.gone()
            if prune and gone:
                pipeline.retire_files(gone)
        except WarehouseBusy:  # saying so would wait as long again: the next run marks this one failed
            raise
        except BaseException:
            warehouse.finish_run(run, "failed")
            raise
        run.counts.update(documents=scan.unchanged_records)
        warehouse.finish_run(run, "failed" if pipeline.failed_files else "completed")
        summary = _summary(run, time.perf_counter() - started, gone, pruned=prune)
        create_markdown_artifact(
            run_report(summary, _prefixed(run.counts, "language:"), run.stages, warehouse.lookups.top_entities(run.run_id)),
            key="newsmill-ingest", description=f"newsmill ingest into {db}",
        )
    logger.info("ingest finished: %s", summary)
    if pipeline.failed_files:
        raise BatchesFailed(f"{run.counts['failed']} documents in failed batches (from {len(pipeline.failed_files)} files); "
                            "the others are loaded. Run the ingest again to retry them.")
    return summary


class BatchesFailed(RuntimeError):
    """Some batches failed after their retries; every other batch is loaded."""


def _prefixed(counts: Counter, prefix: str) -> dict[str, int]:
    return {key.removeprefix(prefix): n for key, n in sorted(counts.items()) if key.startswith(prefix)}


def _summary(run: RunRecord, seconds: float, gone: list[str], pruned: bool) -> dict:
    counts = run.counts
    return {
        "run_id": run.run_id,
        "documents": counts["documents"],
        "unchanged": counts["documents"] - counts["loaded"],
        "articles": counts["articles"],
        "rejects": counts["rejects"],
        "rejects_by_reason": _prefixed(counts, "reject:"),
        "duplicates": counts["duplicates"],
        "mentions": counts["mentions"],
        "entities": len(run.entities),
        # Articles whose language no NER model is installed for, by language.
        "untagged": _prefixed(counts, "untagged:"),
        "failed": counts["failed"],
        "retired": counts["retired"],
        # Stored files under the scanned paths that are no longer there, and whether their records were removed.
        "gone": len(gone),
        "pruned": pruned and bool(gone),
        "seconds": round(seconds, 2),
    }
