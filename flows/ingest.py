"""The ingest flow: files in, warehouse rows out, through the stages `stages` lists:

    read -> skip unchanged -> clean* -> site templates -> language and signatures*
         -> duplicates -> entities* -> stories -> load

Files are streamed record by record and taken through the stages in batches (`flows.stages`:
* marks the stages shared out among the workers, processes or a Dask cluster); every batch
is loaded in its own transaction, so a failure never leaves half a batch behind.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter, defaultdict
from datetime import timedelta
from pathlib import Path
from typing import NamedTuple

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import progress
from flows.landing import reachable_days
from flows.models import language_detector, name_rules, ner_languages, ner_model
from flows.options import RunOptions
from flows.parallel import Workers
from flows.report import run_report
from flows.scan import Scan, run_summary
from flows.stages import Batch, Pipeline, Stage, WorkerStage, retried, timed_reads
from transforms import neardup, stories, templates
from transforms.clean import clean
from transforms.dedup import ClusterMember, Standing, hash_normalized, normalize_for_hash, regroup
from transforms.documents import Article, Mention, Record, Reject
from transforms.entities import find_mentions
from transforms.tagging import TaggingPlan, TextToTag
from warehouse import RunRecord, Warehouse, WarehouseBusy, default_path
from warehouse.connection import interrupted
from warehouse.lookups import StoryQuery


def stages(warehouse: Warehouse, run: RunRecord, failed_files: set[str]) -> list[Stage]:
    """The pipeline, in order (reading is the scan's)."""
    return [
        SkipUnchanged(warehouse),
        Clean(),
        SiteTemplates(warehouse),
        LanguageAndSignatures(),
        Duplicates(warehouse),
        Entities(warehouse),
        Stories(warehouse, run),
        Load(warehouse, run, failed_files),
    ]


class SkipUnchanged(Stage):
    """Leave out the records whose bytes are what the warehouse last loaded for them, and
    find the stored records that the files read to the end no longer hold, or that deleted
    files held: those are retired."""

    name = "skip unchanged"
    runs_when_nothing_changes = True

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse

    def run(self, batch: Batch) -> Batch:
        lookups = self.warehouse.lookups
        items = batch.items
        if not batch.reread:
            stored = lookups.stored_sha256([item.document.doc_id for item in items])
            items = [
                item
                for item in items
                if item.document.sha256 is None or stored.get(item.document.doc_id) != item.document.sha256
            ]
        stale = lookups.stale_documents(
            {f.source.source_file: (f"{i:016x}" for i in f.doc_ids) for f in batch.finished}
        )
        retired = sorted(set(stale) | set(lookups.documents_of(batch.gone)))
        return dataclasses.replace(batch, items=items, retired=retired, sources=[f.source for f in batch.finished])


@retried
def clean_records(items: list[Record | Reject]) -> list[Article | Reject]:
    return [clean(item) if isinstance(item, Record) else item for item in items]


class Clean(WorkerStage):
    """Each record's article text without residue, and its metadata (`transforms.clean`)."""

    name = "clean"
    hands_off = True

    def __init__(self):
        self.task = clean_records

    def inputs(self, batch: Batch) -> list:
        return batch.items

    def size(self, item: Record | Reject) -> int:
        return len(item.content) if isinstance(item, Record) else 0

    def merge(self, batch: Batch, results: list) -> Batch:
        return dataclasses.replace(batch, items=results)


class SiteTemplates(Stage):
    """Learn each site's template lines from its stored articles and these, and remove them."""

    name = "site templates"

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse

    def run(self, batch: Batch) -> Batch:
        articles = batch.articles()
        lines: dict[str, set[str]] = defaultdict(set)
        for article in articles:
            lines[templates.template_group(article)].update(templates.candidate_lines(article.text))
        learned = templates.learn(self.warehouse.lookups.template_counts(lines, excluding=batch.replacing), articles)
        return dataclasses.replace(
            batch,
            items=[
                templates.strip_template(item, learned[templates.template_group(item)])
                if isinstance(item, Article)
                else item
                for item in batch.items
            ],
        )


class TextFacts(NamedTuple):
    """What the duplicate, entity and story stages need of a text, computed where the CPU is."""

    language: str
    language_prob: float
    content_hash: str
    signature: neardup.Signature
    story_features: Counter  # its words' and numbers' (stories.text_features), in its language


@retried
def detect_language_and_sign(items: list[tuple[str | None, str]]) -> list[TextFacts]:
    return [_language_and_signature(title, text) for title, text in items]


def _language_and_signature(title: str | None, text: str) -> TextFacts:
    language, probability = language_detector().detect(text)
    normalized = normalize_for_hash(text)
    return TextFacts(
        language,
        probability,
        hash_normalized(normalized),
        neardup.sign_normalized(normalized),
        stories.text_features(title, text, language),
    )


class LanguageAndSignatures(WorkerStage):
    """Each article's language, content hash and MinHash signature, and the story features of
    its words and numbers, which need its language. Only the titles and texts travel to the
    workers and back: whole articles would double what is pickled."""

    name = "language and signatures"

    def __init__(self):
        self.task = detect_language_and_sign

    def inputs(self, batch: Batch) -> list[tuple[str | None, str]]:
        return [(article.title, article.text) for article in batch.articles()]

    def size(self, item: tuple[str | None, str]) -> int:
        # The features and the signature cost about 0.75 µs a character; detecting the
        # language costs about 3 ms a text whatever its length, as much as 4,000 characters.
        return len(item[1]) + 4000

    def merge(self, batch: Batch, results: list[TextFacts]) -> Batch:
        found = iter(results)
        return dataclasses.replace(
            batch,
            items=[
                dataclasses.replace(item, **next(found)._asdict()) if isinstance(item, Article) else item
                for item in batch.items
            ],
        )


class Duplicates(Stage):
    """Each article's copies, in this batch and among every stored article sharing an LSH
    band key with it, and the clusters concerned regrouped (`transforms.dedup`)."""

    name = "duplicates"

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse

    def run(self, batch: Batch) -> Batch:
        lookups = self.warehouse.lookups
        articles, replacing = batch.articles(), batch.replacing
        signatures = {a.article_id: a.signature for a in articles}
        candidates = lookups.near_duplicate_candidates(
            {a: s.band_keys for a, s in signatures.items()}, excluding=replacing
        )
        stored_signatures = lookups.signatures({old for _, old in candidates})
        links = neardup.near_duplicate_links(signatures, stored_signatures, candidates)
        stored = {
            m.article_id: m for m in lookups.cluster_members({a.content_hash for a in articles}, replacing=replacing)
        }
        linked = [b for _, b in links if b not in signatures]
        stored.update((m.article_id, m) for m in lookups.clusters_of(linked + replacing, excluding=replacing))
        standings = lookups.standings(replacing)  # a record read again keeps its standing
        new = [
            ClusterMember(
                a.article_id,
                a.content_hash,
                a.published_at,
                a.word_count,
                standing=standings.get(a.article_id, Standing.NEW),
            )
            for a in articles
        ]
        return dataclasses.replace(batch, clusters=regroup(stored.values(), new, links))


@retried
def tag_texts(items: list[TextToTag]) -> list[tuple[Mention, ...]]:
    """Each text tagged by its language's model."""
    found: list = [None] * len(items)
    by_language: dict[str, list[int]] = defaultdict(list)
    for i, item in enumerate(items):
        by_language[item.language].append(i)
    for language, indexes in by_language.items():
        texts = [items[i].text for i in indexes]
        for i, mentions in zip(indexes, find_mentions(ner_model(language), texts, name_rules(language))):
            found[i] = mentions
    return found


class Entities(WorkerStage):
    """Named entities, tagged once per duplicate cluster (`transforms.tagging`), for the
    articles in a language an NER model is installed for."""

    name = "entities"
    hands_off = True
    # Tagging one text costs about as much as handing a worker its share (a Prefect task
    # run): a batch's few canonical texts in one language are still worth sharing out.
    min_items_per_worker = 4

    def __init__(self, warehouse: Warehouse):
        self.warehouse = warehouse
        self.task = tag_texts

    def prepare(self, batch: Batch) -> Batch:
        plan = TaggingPlan.of(batch.articles(), batch.clusters, ner_languages())
        return dataclasses.replace(
            batch, tagging=plan.with_stored(self.warehouse.lookups.stored_mentions(plan.stored_origins()))
        )

    def inputs(self, batch: Batch) -> list[TextToTag]:
        return batch.tagging.texts

    def size(self, item: TextToTag) -> int:
        return len(item.text)

    def merge(self, batch: Batch, results: list) -> Batch:
        plan = batch.tagging
        tagged = dict(zip(plan.texts, results))
        return dataclasses.replace(
            batch,
            items=[
                dataclasses.replace(item, mentions=plan.mentions(item, tagged))
                if isinstance(item, Article) and item.article_id in plan.articles
                else item
                for item in batch.items
            ],
        )


class Stories(Stage):
    """Each duplicate cluster's story: the batch's articles grouped anew with the stories of
    the stored articles most like them, those stories' articles on the days the batch reaches
    (`transforms.stories`), so the stories come out alike whatever order the days arrive in."""

    name = "stories"

    def __init__(self, warehouse: Warehouse, run: RunRecord):
        self.warehouse, self.run_day = warehouse, run.started_at.date()

    def run(self, batch: Batch) -> Batch:
        lookups, replacing, clusters = self.warehouse.lookups, batch.replacing, batch.clusters
        articles = {a.article_id: a for a in batch.articles()}
        if not articles:
            return batch
        found = {a.article_id: _story_features(a) for a in articles.values()}
        days = {a.article_id: _story_day(a, self.run_day) for a in articles.values()}
        new_features = set().union(*found.values())
        frequencies = lookups.story_frequencies(new_features, excluding=replacing).including(found.values())
        vectors = {a: stories.vector(f, frequencies) for a, f in found.items()}
        queries = [StoryQuery(a, f, v[f], days[a]) for a, v in vectors.items() for f in stories.query_features(v)]
        before = lookups.stories_of(list(clusters), {d.cluster_id for d in clusters.values()})
        touched = set(lookups.story_candidates(queries, excluding=replacing)) | set(before.values())
        # The stories are regrouped on the days these articles may join them: older and later
        # days of a long story stay as they are, so a run costs what its days hold.
        window = timedelta(days=stories.WINDOW_DAYS)
        reach = (min(days.values()) - window, max(days.values()) + window)
        stored = lookups.story_members(touched, reach, excluding=replacing)
        stored_features = set().union(*(s.features for s in stored)) - new_features
        if stored_features:
            counts = {**frequencies.counts, **lookups.story_frequencies(stored_features, excluding=replacing).counts}
            frequencies = stories.DocumentFrequencies(frequencies.articles, counts)
        # Each cluster is grouped by its canonical article, as this batch leaves the clusters.
        members: dict[str, tuple[stories.StoryMember, dict[str, float]]] = {}
        for s in stored:
            cluster_id, is_canonical = clusters.get(s.article_id, (s.cluster_id, s.is_canonical))
            if is_canonical:
                members[cluster_id] = (
                    stories.StoryMember(cluster_id, s.article_id, s.day, s.story_id),
                    stories.vector(s.features, frequencies),
                )
        for article_id in sorted(articles):
            cluster_id, is_canonical = clusters[article_id]
            if is_canonical or cluster_id not in members:  # a copy of a cluster the index lacks stands for it
                member = stories.StoryMember(cluster_id, article_id, days[article_id], before.get(article_id))
                members[cluster_id] = (member, vectors[article_id])
        ordered = [members[c] for c in sorted(members)]
        groups = stories.group([v for _, v in ordered], [m.day for m, _ in ordered], [m.article_id for m, _ in ordered])
        in_use = lookups.story_ids_in_use(stories.founding_id(m.article_id) for m, _ in ordered)
        naming = stories.name_groups([m for m, _ in ordered], groups, taken=in_use)
        terms = {a: (found[a], days[a]) for a in articles}
        return dataclasses.replace(batch, stories=stories.StoryChanges(naming.stories, naming.merges, terms))


def _story_features(article: Article) -> Counter:
    """The article's story features: those of its words and numbers, as the workers found
    them, and the names it mentions."""
    return stories.with_names(article.story_features, [m.name for m in article.mentions])


def _story_day(article: Article, run_day):
    """The day an article counts on for its story: published, else fetched, else ingested."""
    when = article.published_at or article.fetched_at
    return when.date() if when else run_day


class Load(Stage):
    """The batch's rows in place of its documents' stored ones, in one transaction; the
    files it finished registered, unless a batch that failed held records of theirs."""

    name = "load"
    runs_when_nothing_changes = True

    def __init__(self, warehouse: Warehouse, run: RunRecord, failed_files: set[str]):
        self.warehouse, self.record, self.failed_files = warehouse, run, failed_files

    def run(self, batch: Batch) -> Batch:
        sources = [source for source in batch.sources if source.source_file not in self.failed_files]
        if batch.changes_nothing and not sources:
            return batch
        articles = batch.articles()
        rejects = [item for item in batch.items if isinstance(item, Reject)]
        result = self.warehouse.write_batch(
            self.record,
            articles,
            rejects,
            batch.clusters,
            batch.stories,
            retired=batch.retired,
            sources=sources,
            gone=batch.gone,
        )
        self.record.counts.update(
            loaded=len(batch.items),
            articles=result.articles,
            rejects=result.rejects,
            mentions=result.mentions,
            retired=len(batch.retired),
            loaded_bytes=sum(source.bytes for source in sources),
        )
        self.record.rejects_by_reason.update(r.reason for r in rejects)
        self.record.languages.update(a.language for a in articles)
        tagged = ner_languages()
        self.record.untagged.update(a.language for a in articles if a.language not in tagged)
        self.record.entities.update(result.entities)
        self.record.stories.update(batch.stories.stories[batch.clusters[a.article_id].cluster_id] for a in articles)
        self.record.merged_stories.update(batch.stories.merges)
        return batch


@flow(name="newsmill-ingest")
def ingest(
    paths: list[str] | None = None,
    landing: str | None = None,
    db: str | None = None,
    options: RunOptions = RunOptions(),
) -> dict:
    """Ingest files, folders and glob patterns of scraped articles into the warehouse at
    `db` (default: `$NEWSMILL_DB`, else ./newsmill.duckdb). Without `paths`, the day
    partitions of the landing folder `landing` (default: `$NEWSMILL_LANDING`, else
    ./landing); its other entries are left out, with a warning, as a backfill leaves them.

    Files and records already in the warehouse as they are now are skipped, unless
    `options.force`. Stored files under `paths` that are no longer there are counted, and
    with `options.prune` their records are removed. `RunOptions` says the rest.
    """
    logger = get_run_logger()
    paths = paths or reachable_days(landing, logger)
    db = db or str(default_path())
    run = RunRecord(flow_run_id=flow_run.get_id())
    started = time.perf_counter()
    failed_files: set[str] = set()
    with (
        Warehouse(Path(db), lock_timeout=options.wait) as warehouse,
        Workers(options.processes, options.dask_address) as workers,
    ):
        scan = Scan(warehouse.lookups, paths, options)
        pipeline = Pipeline(
            stages(warehouse, run, failed_files), warehouse, workers, run, failed_files, reread=options.force
        )

        def report_progress() -> None:
            progress.report(
                progress.Progress(
                    flow_run.get_name() or "ingest",
                    len(scan.files),
                    scan.total_bytes,
                    scan.unchanged_bytes + run.counts["loaded_bytes"],
                    run.counts["documents"],
                    run.counts["loaded"],
                    time.perf_counter() - started,
                )
            )

        report_progress()
        try:
            pipeline.run_batches(timed_reads(run, scan.batches(options.batch_size)), report_progress)
            gone = scan.gone()
            if options.prune and gone:
                pipeline.retire_files(gone)
        except WarehouseBusy:  # saying so would wait as long again: the next run marks this one failed
            raise
        except BaseException as error:
            warehouse.finish_run(run, "failed")
            if interrupted(error):  # a Ctrl-C during a query outside the batches' stages
                raise KeyboardInterrupt from error
            raise
        run.counts.update(documents=scan.unchanged_records)
        warehouse.finish_run(run, "failed" if failed_files else "completed")
        summary = run_summary(run, time.perf_counter() - started, gone, pruned=options.prune)
        create_markdown_artifact(
            run_report(summary, dict(run.languages), run.stages, warehouse.lookups.top_entities(run.run_id)),
            key="newsmill-ingest",
            description=f"newsmill ingest into {db}",
        )
    logger.info("ingest finished: %s", summary)
    if failed_files:
        raise BatchesFailed(
            f"{run.counts['failed']} documents in failed batches (from {len(failed_files)} files); "
            "the others are loaded. Run the ingest again to retry them."
        )
    return summary


class BatchesFailed(RuntimeError):
    """Some batches failed after their retries; every other batch is loaded."""
