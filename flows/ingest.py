"""The ingest flow: files in, warehouse rows out.

    scan files -> skip unchanged -> clean -> strip site templates -> detect language
               -> find duplicates -> tag entities -> load

Files are streamed record by record and handled in batches, one Prefect task per stage
and batch; every batch is loaded in its own transaction, so a failure never leaves
half a batch behind.
"""

from __future__ import annotations

import dataclasses
import time
from array import array
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from flows.landing import default_landing
from flows.models import DEFAULT_PROCESSES, language_detector, tag_texts
from transforms import neardup, templates
from transforms.clean import clean
from transforms.dedup import ClusterMember, assign_clusters, hash_normalized, normalize_for_hash
from transforms.documents import Article, Record, Reject, Source
from transforms.entities import project_mentions
from transforms.read import DEFAULT_MAX_RECORD_BYTES, discover, file_digest, read_file
from warehouse import RunRecord, Warehouse, default_path
from warehouse.writer import DEFAULT_LOCK_TIMEOUT

BATCH_SIZE = 256
ENTITY_LANGUAGES = {"en"}  # the languages an NER model is installed for

Item = Article | Reject
stage = task(cache_policy=NONE, persist_result=False)


class Scan:
    """Streams the records of the input files, passing over files the warehouse already
    holds byte for byte, and keeps note of the files it has read to the end."""

    def __init__(self, warehouse: Warehouse, paths: list[str], force: bool, max_record_bytes: int):
        self.warehouse, self.paths, self.force, self.max_record_bytes = warehouse, paths, force, max_record_bytes
        self.unchanged_records = 0
        self._finished: list[tuple[Source, array]] = []

    def records(self) -> Iterator[Record | Reject]:
        for path in discover(self.paths):
            try:
                sha256, size = file_digest(path)
            except OSError:  # read_file turns it into an `unreadable` reject
                yield from read_file(path, self.max_record_bytes)
                continue
            stored = self.warehouse.stored_source(str(path))
            if stored and stored[0] == sha256 and not self.force:
                self.unchanged_records += stored[1]
                continue
            seen = array("Q")  # doc ids as 64-bit ints: memory stays small for huge files
            for item in read_file(path, self.max_record_bytes):
                seen.append(int(item.document.doc_id, 16))
                yield item
            self._finished.append((Source(str(path), sha256, size, len(seen)), seen))

    def batches(self, size: int) -> Iterator[tuple[list[Record | Reject], list[tuple[Source, array]]]]:
        """(records, files finished): every record of a finished file is in its batch or an earlier one."""
        records = self.records()
        while True:
            batch = list(islice(records, size))
            finished, self._finished = self._finished, []
            if not batch and not finished:
                return
            yield batch, finished


@stage
def skip_unchanged(warehouse: Warehouse, batch: Sequence[Record | Reject]) -> list[Record | Reject]:
    """Leave out records whose bytes are exactly what the warehouse last loaded for them."""
    stored = warehouse.stored_sha256([item.document.doc_id for item in batch])
    return [
        item for item in batch
        if item.document.sha256 is None or stored.get(item.document.doc_id) != item.document.sha256
    ]


@stage
def clean_batch(items: Sequence[Record | Reject]) -> list[Item]:
    return [clean(item) if isinstance(item, Record) else item for item in items]


@stage
def strip_site_templates(warehouse: Warehouse, items: Sequence[Item], replacing: Sequence[str]) -> list[Item]:
    """Learn each site's template lines from its stored articles and these, and remove them."""
    articles = [item for item in items if isinstance(item, Article)]
    lines: dict[str, set[str]] = defaultdict(set)
    for article in articles:
        lines[templates.template_group(article)].update(templates.candidate_lines(article.text))
    learned = templates.learn(warehouse.template_counts(lines, excluding=replacing), articles)
    return [
        templates.strip_template(item, learned[templates.template_group(item)]) if isinstance(item, Article) else item
        for item in items
    ]


@stage
def detect_language(items: Sequence[Item]) -> list[Item]:
    detector = language_detector()
    return [_with_language(item, *detector.detect(item.text)) if isinstance(item, Article) else item for item in items]


def _with_language(article: Article, language: str, probability: float) -> Article:
    return dataclasses.replace(article, language=language, language_prob=probability)


@stage
def find_duplicates(
    warehouse: Warehouse, items: Sequence[Item], replacing: Sequence[str]
) -> tuple[list[Item], dict[str, tuple[str, bool]]]:
    """Sign each article (MinHash), find its near-duplicates in this batch and among every
    stored article sharing an LSH band key with it, and regroup the clusters concerned.
    `replacing`: the documents of this batch and those retired, whose stored rows go."""
    articles = [_signed(a, normalize_for_hash(a.text)) for a in items if isinstance(a, Article)]
    replacing = list(replacing)
    signatures = {a.article_id: a.signature for a in articles}
    keys = {a.article_id: a.signature.band_keys for a in articles}
    links = [(a, b) for a, b in neardup.candidate_pairs(keys.items())
             if neardup.is_near_duplicate(signatures[a], signatures[b])]
    links += [(new, old) for new, old, data, shingles in warehouse.near_duplicate_candidates(keys, excluding=replacing)
              if neardup.is_near_duplicate(signatures[new], neardup.Signature.from_bytes(data, shingles))]
    stored = {m.article_id: m for m in warehouse.cluster_members({a.content_hash for a in articles}, replacing=replacing)}
    linked = [b for _, b in links if b not in signatures]
    stored.update((m.article_id, m) for m in warehouse.clusters_of(linked + replacing, excluding=replacing))
    incoming = [ClusterMember(a.article_id, a.content_hash, a.published_at, a.word_count) for a in articles]
    hashed = {a.article_id: a for a in articles}
    clusters = assign_clusters(list(stored.values()) + incoming, links)
    return [hashed.get(item.document.doc_id, item) for item in items], clusters


def _signed(article: Article, normalized: str) -> Article:
    return dataclasses.replace(article, content_hash=hash_normalized(normalized), signature=neardup.sign_normalized(normalized))


@stage
def tag_entities(warehouse: Warehouse, items: Sequence[Item], clusters: dict[str, tuple[str, bool]], processes: int) -> list[Item]:
    """NER once per cluster, for articles in a language a model is installed for: the
    canonical member is tagged, and its copies reuse its entities wherever they stand in
    their own text. Each distinct text is tagged once."""
    articles = {i.article_id: i for i in items if isinstance(i, Article) and i.language in ENTITY_LANGUAGES}
    canonical = {cluster: article_id for article_id, (cluster, is_canonical) in clusters.items() if is_canonical}
    source = {a: canonical.get(clusters[a][0], a) for a in articles}
    stored = warehouse.stored_mentions({c for c in source.values() if c not in articles})
    to_tag = {a for a, c in source.items() if c == a or (c not in articles and c not in stored)}
    texts = sorted({articles[a].text for a in to_tag | {c for c in source.values() if c in articles}})
    tagged = dict(zip(texts, tag_texts(texts, processes)))

    def mentions(article: Article) -> tuple:
        if article.text in tagged:
            return tagged[article.text]
        origin = source[article.article_id]
        found = tagged[articles[origin].text] if origin in articles else stored[origin]
        return project_mentions(found, article.text)

    return [
        dataclasses.replace(item, mentions=mentions(item)) if isinstance(item, Article) and item.article_id in articles
        else item
        for item in items
    ]


@stage
def load(warehouse: Warehouse, run: RunRecord, items: Sequence[Item], clusters, retired, sources) -> None:
    articles = [i for i in items if isinstance(i, Article)]
    rejects = [i for i in items if isinstance(i, Reject)]
    result = warehouse.write_batch(run, articles, rejects, clusters, retired=retired, sources=sources)
    run.counts.update(
        loaded=len(items), articles=result.articles, rejects=result.rejects,
        duplicates=result.duplicates, mentions=result.mentions, retired=len(retired),
    )
    run.counts.update(Counter(f"reject:{r.reason}" for r in rejects))
    run.entities.update(result.entities)
    run.counts.update(f"untagged:{a.language}" for a in articles if a.language not in ENTITY_LANGUAGES)


def process(warehouse: Warehouse, run: RunRecord, changed: list, retired: list[str], sources: list[Source],
            processes: int) -> None:
    """One batch through the pipeline, loaded in one transaction."""
    replacing = [item.document.doc_id for item in changed] + retired
    items = clean_batch(changed)
    items = strip_site_templates(warehouse, items, replacing)
    items = detect_language(items)
    items, clusters = find_duplicates(warehouse, items, replacing)
    items = tag_entities(warehouse, items, clusters, processes)
    load(warehouse, run, items, clusters, retired, sources)


@flow(name="newsmill-ingest")
def ingest(
    paths: list[str] | None = None,
    db: str | None = None,
    force: bool = False,
    max_record_bytes: int = DEFAULT_MAX_RECORD_BYTES,
    batch_size: int = BATCH_SIZE,
    processes: int = DEFAULT_PROCESSES,
    dask_address: str | None = None,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT,
) -> dict:
    """Ingest files, folders and glob patterns of scraped articles (default: the landing
    folder) into the warehouse at `db` (default: `$NEWSMILL_DB`, else ./newsmill.duckdb).

    Files and records already in the warehouse as they are now are skipped, unless `force`.
    The CPU-heavy stages run on `processes` processes, or on the Dask cluster at
    `dask_address`. When another process holds the warehouse, the run waits for it up to
    `lock_timeout` seconds.
    """
    paths = paths or [str(default_landing())]
    db = db or str(default_path())
    logger = get_run_logger()
    run = RunRecord(flow_run_id=flow_run.get_id())
    started = time.perf_counter()
    with Warehouse(Path(db), lock_timeout=lock_timeout) as warehouse:
        scan = Scan(warehouse, paths, force, max_record_bytes)
        try:
            for batch, finished in scan.batches(batch_size):
                run.counts.update(documents=len(batch))
                changed = batch if force else skip_unchanged(warehouse, batch)
                sources = [source for source, _ in finished]
                retired = warehouse.stale_documents({s.source_file: (f"{i:016x}" for i in seen) for s, seen in finished})
                if changed or retired:
                    process(warehouse, run, changed, retired, sources, processes)
                elif sources:
                    warehouse.write_batch(run, [], [], {}, sources=sources)
        except BaseException:
            warehouse.finish_run(run, "failed")
            raise
        run.counts.update(documents=scan.unchanged_records)
        warehouse.finish_run(run, "completed")
    summary = _summary(run, time.perf_counter() - started)
    logger.info("ingest finished: %s", summary)
    return summary


def _summary(run: RunRecord, seconds: float) -> dict:
    counts = run.counts
    return {
        "run_id": run.run_id,
        "documents": counts["documents"],
        "unchanged": counts["documents"] - counts["loaded"],
        "articles": counts["articles"],
        "rejects": counts["rejects"],
        "rejects_by_reason": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("reject:")},
        "duplicates": counts["duplicates"],
        "mentions": counts["mentions"],
        "entities": len(run.entities),
        # Articles whose language no NER model is installed for, by language.
        "untagged": {k.split(":", 1)[1]: v for k, v in sorted(counts.items()) if k.startswith("untagged:")},
        "retired": counts["retired"],
        "seconds": round(seconds, 2),
    }
