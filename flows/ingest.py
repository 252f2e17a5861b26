"""The ingest flow: files in, warehouse rows out.

    read -> skip unchanged -> clean -> detect language -> find duplicates -> tag entities -> load

Records are handled in batches, one Prefect task per stage and batch; every batch is
loaded in its own transaction, so a failure never leaves half a batch behind.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NONE
from prefect.runtime import flow_run

from flows.models import english_ner, language_detector
from transforms.clean import clean
from transforms.dedup import ClusterMember, assign_clusters, content_hash
from transforms.documents import Article, Record, Reject
from transforms.entities import find_mentions
from transforms.read import read_documents
from warehouse import RunRecord, Warehouse

BATCH_SIZE = 256
ENTITY_LANGUAGES = {"en"}  # the languages an NER model is installed for

Item = Article | Reject
stage = task(cache_policy=NONE, persist_result=False)


@stage
def clean_batch(records: Sequence[Record]) -> list[Item]:
    return [clean(record) for record in records]


@stage
def detect_language(items: Sequence[Item]) -> list[Item]:
    detector = language_detector()
    return [_with_language(item, *detector.detect(item.text)) if isinstance(item, Article) else item for item in items]


def _with_language(article: Article, language: str, probability: float) -> Article:
    return dataclasses.replace(article, language=language, language_prob=probability)


@stage
def find_duplicates(warehouse: Warehouse, items: Sequence[Item]) -> tuple[list[Item], dict[str, tuple[str, bool]]]:
    """Hash each article's text and group it with every stored article of the same hash."""
    articles = [dataclasses.replace(a, content_hash=content_hash(a.text)) for a in items if isinstance(a, Article)]
    batch_ids = [item.document.doc_id for item in items]
    stored = warehouse.cluster_members({a.content_hash for a in articles}, replacing=batch_ids)
    incoming = [ClusterMember(a.article_id, a.content_hash, a.published_at, a.word_count) for a in articles]
    hashed = {a.article_id: a for a in articles}
    return [hashed.get(item.document.doc_id, item) for item in items], assign_clusters(stored + incoming)


@stage
def tag_entities(items: Sequence[Item]) -> list[Item]:
    """NER for articles in a language a model is installed for; each distinct text is tagged once."""
    texts = sorted({i.text for i in items if isinstance(i, Article) and i.language in ENTITY_LANGUAGES})
    if not texts:
        return list(items)
    mentions = dict(zip(texts, find_mentions(english_ner(), texts)))
    return [
        dataclasses.replace(item, mentions=mentions[item.text])
        if isinstance(item, Article) and item.text in mentions else item
        for item in items
    ]


@stage
def load(warehouse: Warehouse, run: RunRecord, items: Sequence[Item], clusters) -> None:
    articles = [i for i in items if isinstance(i, Article)]
    rejects = [i for i in items if isinstance(i, Reject)]
    result = warehouse.write_batch(run, articles, rejects, clusters)
    run.counts.update(
        loaded=len(items), articles=result.articles, rejects=result.rejects,
        duplicates=result.duplicates, mentions=result.mentions,
    )
    run.counts.update(Counter(f"reject:{r.reason}" for r in rejects))


def batched(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def skip_unchanged(warehouse: Warehouse, batch: Sequence[Record | Reject]) -> list[Record | Reject]:
    """Leave out records whose bytes are exactly what the warehouse last loaded for them."""
    stored = warehouse.stored_sha256([item.document.doc_id for item in batch])
    return [
        item for item in batch
        if item.document.sha256 is None or stored.get(item.document.doc_id) != item.document.sha256
    ]


@flow(name="newsmill-ingest")
def ingest(paths: list[str], db: str, batch_size: int = BATCH_SIZE) -> dict:
    """Ingest files and folders of scraped articles into the warehouse at `db`."""
    logger = get_run_logger()
    run = RunRecord(flow_run_id=flow_run.get_id())
    started = time.perf_counter()
    with Warehouse(Path(db)) as warehouse:
        try:
            for batch in batched(read_documents(paths), batch_size):
                run.counts.update(documents=len(batch))
                changed = skip_unchanged(warehouse, batch)
                if not changed:
                    continue
                records = [item for item in changed if isinstance(item, Record)]
                unreadable = [item for item in changed if isinstance(item, Reject)]
                items = clean_batch(records) + unreadable
                items = detect_language(items)
                items, clusters = find_duplicates(warehouse, items)
                items = tag_entities(items)
                load(warehouse, run, items, clusters)
        except BaseException:
            warehouse.finish_run(run, "failed")
            raise
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
        "seconds": round(seconds, 2),
    }
