"""A batch's load: the stored rows of its documents out, their new rows in, and what follows
from them: the clusters of stored articles, the learned site templates, the entities."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from itertools import chain, repeat
from typing import NamedTuple

import numpy as np
import pyarrow as pa

from transforms import entities as names
from transforms import templates
from transforms.clean import RemovalReason
from transforms.dedup import ClusterDecision
from transforms.documents import Article, Document, Reject, Source
from transforms.stories import NO_CHANGES, StoryChanges
from warehouse import entities
from warehouse.rows import (
    ARTICLES,
    CLUSTER_CHANGES,
    CLUSTER_STORIES,
    DOCUMENTS,
    LSH_BANDS,
    MENTIONS,
    MINHASHES,
    REJECTS,
    REMOVED_LINES,
    SOURCES,
    STORY_MERGES,
    STORY_TERMS,
    TEMPLATE_SIGHTINGS,
    TEMPLATE_THRESHOLDS,
    arrow,
)
from warehouse.session import Session


@dataclass(frozen=True)
class Batch:
    """What one batch changes. `clusters` holds article_id -> (cluster_id, is_canonical) for
    the batch's articles and for every stored article whose cluster or canonical flag
    changes with it. `retired` documents (records a changed file no longer holds) lose all
    their rows; `sources` are files now read to the end, registered as they are; `gone` are
    files deleted from the inputs, no longer registered (their records are among `retired`);
    `stories` the story of every cluster the batch touches, and the stories merged away."""

    run_id: str
    articles: Sequence[Article]
    rejects: Sequence[Reject]
    clusters: Mapping[str, ClusterDecision]
    stories: StoryChanges = NO_CHANGES
    retired: Sequence[str] = ()
    sources: Sequence[Source] = ()
    gone: Sequence[str] = ()

    @cached_property
    def documents(self) -> list[Document]:
        return [a.document for a in self.articles] + [r.document for r in self.rejects]

    @cached_property
    def name_keys(self) -> dict[str, str]:
        """name -> its key, for the names the batch's mentions stand for."""
        return {name: names.name_key(name) for name in {m.name for a in self.articles for m in a.mentions}}


@dataclass(frozen=True)
class BatchResult:
    articles: int
    rejects: int
    mentions: int
    entities: frozenset[str]  # the entity_ids the batch's articles mention


def load_batch(session: Session, batch: Batch) -> BatchResult:
    """Replace the rows of the batch's documents with their new outcome, inside the caller's transaction."""
    con = session.con
    batch_ids = [d.doc_id for d in batch.documents]
    with session.ids("batch_ids", batch_ids + list(batch.retired)):
        replaced_keys = _delete_stored(session)
        _upsert_sources(session, batch)
        if batch.gone:
            with session.ids("gone_files", batch.gone):
                con.execute("DELETE FROM sources WHERE source_file IN (SELECT id FROM gone_files)")
        for table in DOCUMENT_TABLES:
            _insert(session, table.name, table.rows(batch))
        loaded = set(batch_ids)
        _update_clusters(session, {k: v for k, v in batch.clusters.items() if k not in loaded})
        _update_stories(session, batch)
        _refresh_templates(session, {templates.template_group(a) for a in batch.articles}, batch.run_id)
        entities.resolve(session, replaced_keys | set(batch.name_keys.values()))
        mentioned = con.execute(
            "SELECT DISTINCT entity_id FROM mentions WHERE article_id IN (SELECT id FROM batch_ids)"
        ).fetchall()
    return BatchResult(
        articles=len(batch.articles),
        rejects=len(batch.rejects),
        mentions=sum(len(a.mentions) for a in batch.articles),
        entities=frozenset(row[0] for row in mentioned),
    )


def _delete_stored(session: Session) -> set[str]:
    """Delete every row of the documents in `batch_ids`; return the name keys they mentioned."""
    con = session.con
    stored = [
        row[0]
        for row in con.execute("SELECT doc_id FROM documents WHERE doc_id IN (SELECT id FROM batch_ids)").fetchall()
    ]
    if not stored:  # new documents only, the common case: nothing to scan the big tables for
        return set()
    with session.ids("stored_ids", stored):
        keys = {
            row[0]
            for row in con.execute(
                "SELECT DISTINCT name_key FROM mentions WHERE article_id IN (SELECT id FROM stored_ids)"
            ).fetchall()
        }
        for table in DOCUMENT_TABLES:
            con.execute(f"DELETE FROM {table.name} WHERE {table.key} IN (SELECT id FROM stored_ids)")
    return keys


def _upsert_sources(session: Session, batch: Batch) -> None:
    rows = ((s.source_file, s.sha256, s.bytes, s.records, batch.run_id) for s in batch.sources)
    _insert(
        session,
        "sources",
        arrow(SOURCES, rows),
        on_conflict="(source_file) DO UPDATE SET sha256 = excluded.sha256, "
        "bytes = excluded.bytes, records = excluded.records, run_id = excluded.run_id",
    )


def _update_clusters(session: Session, changes: Mapping[str, ClusterDecision]) -> None:
    if not changes:
        return
    rows = ((article_id, *decision) for article_id, decision in changes.items())
    with session.table("cluster_changes", arrow(CLUSTER_CHANGES, rows)):
        session.con.execute(
            """UPDATE articles SET cluster_id = c.cluster_id, is_canonical = c.is_canonical
               FROM cluster_changes AS c WHERE articles.article_id = c.article_id"""
        )


def _update_stories(session: Session, batch: Batch) -> None:
    """Every article of the clusters the batch touches in its cluster's story, every article of
    a story merged away in the story it merged into, and the merges recorded."""
    stories = batch.stories
    if stories.stories:
        with session.table("cluster_stories", arrow(CLUSTER_STORIES, stories.stories.items())):
            session.con.execute(
                """UPDATE articles SET story_id = s.story_id FROM cluster_stories AS s
                   WHERE articles.cluster_id = s.cluster_id AND articles.story_id IS DISTINCT FROM s.story_id"""
            )
    if not stories.merges:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    merges = arrow(STORY_MERGES, ((story_id, into, batch.run_id, now) for story_id, into in stories.merges.items()))
    with session.table("merged_stories", merges):  # a story merges whole, its articles on other days too
        session.con.execute(
            """UPDATE articles SET story_id = m.merged_into FROM merged_stories AS m
               WHERE articles.story_id = m.story_id"""
        )
    _insert(session, "story_merges", merges, on_conflict="DO NOTHING")


def _refresh_templates(session: Session, groups: set[str], run_id: str) -> None:
    """Rewrite the learned template lines of these groups from all their sightings, by the
    rule of `templates.template_threshold`."""
    if not groups:
        return
    con = session.con
    with session.ids("template_groups", groups):
        con.execute("DELETE FROM site_templates WHERE template_group IN (SELECT id FROM template_groups)")
        totals = con.execute(
            """SELECT template_group, count(DISTINCT content_hash) FROM articles
               WHERE template_group IN (SELECT id FROM template_groups) GROUP BY ALL"""
        ).fetchall()
    thresholds = arrow(TEMPLATE_THRESHOLDS, ((group, n, templates.template_threshold(n)) for group, n in totals))
    with session.table("template_thresholds", thresholds):
        con.execute(
            """INSERT INTO site_templates
               SELECT s.template_group, s.line_key, min(s.line), count(DISTINCT a.content_hash), t.group_articles, ?
               FROM template_sightings s
               JOIN articles a ON a.article_id = s.article_id
               JOIN template_thresholds t ON t.template_group = s.template_group
               GROUP BY s.template_group, s.line_key, t.group_articles, t.threshold
               HAVING count(DISTINCT a.content_hash) >= t.threshold""",
            [run_id],
        )


def _insert(session: Session, target: str, table: pa.Table, on_conflict: str | None = None) -> None:
    if table.num_rows == 0:
        return
    with session.table("incoming", table):
        conflict = f" ON CONFLICT {on_conflict}" if on_conflict else ""
        session.con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming{conflict}")


# -- the rows of a batch's documents, table by table --------------------------------------


def _documents(batch: Batch) -> pa.Table:
    return arrow(
        DOCUMENTS,
        ((d.doc_id, d.source_uri, d.format, d.sha256, d.bytes, batch.run_id, d.source_file) for d in batch.documents),
    )


def _rejects(batch: Batch) -> pa.Table:
    return arrow(
        REJECTS, ((r.document.doc_id, r.document.source_uri, r.reason, r.detail, batch.run_id) for r in batch.rejects)
    )


def _articles(batch: Batch) -> pa.Table:
    return arrow(
        ARTICLES,
        (
            (
                a.article_id,
                a.document.doc_id,
                a.document.source_uri,
                a.url,
                a.site,
                a.title,
                a.byline,
                a.published_at,
                a.language,
                a.language_prob,
                a.text,
                a.word_count,
                a.content_hash,
                *batch.clusters[a.article_id],
                batch.run_id,
                a.fetched_at,
                a.declared_language,
                templates.template_group(a),
                batch.stories.stories.get(batch.clusters[a.article_id][0]),  # its cluster's story
            )
            for a in batch.articles
        ),
    )


def _mentions(batch: Batch) -> pa.Table:
    # entity_id is settled by entity resolution once the batch's mentions are in.
    return arrow(
        MENTIONS,
        (
            (
                a.article_id,
                entities.UNRESOLVED,
                m.surface,
                m.start_char,
                m.end_char,
                m.label,
                m.name,
                batch.name_keys[m.name],
            )
            for a in batch.articles
            for m in a.mentions
        ),
    )


def _story_terms(batch: Batch) -> pa.Table:
    # Column by column: a row of four for each of ~130 features an article would be
    # a tuple made (and collected) per row.
    terms = batch.stories.terms
    sizes = [len(found) for found, _ in terms.values()]
    columns = (
        chain.from_iterable(map(repeat, terms, sizes)),
        chain.from_iterable(found.keys() for found, _ in terms.values()),
        chain.from_iterable(found.values() for found, _ in terms.values()),
        chain.from_iterable(repeat(day, n) for (_, day), n in zip(terms.values(), sizes)),
    )
    return pa.Table.from_arrays([pa.array(list(c), f.type) for c, f in zip(columns, STORY_TERMS)], schema=STORY_TERMS)


def _removed_lines(batch: Batch) -> pa.Table:
    return arrow(
        REMOVED_LINES,
        (
            (a.article_id, line_no, text, reason, batch.run_id)
            for a in batch.articles
            for line_no, text, reason in a.removed_lines
        ),
    )


def _template_sightings(batch: Batch) -> pa.Table:
    """Each article's short lines, template lines already stripped from it included."""

    def lines(article: Article) -> dict[str, str]:
        stripped = "\n".join(line for _, line, reason in article.removed_lines if reason == RemovalReason.SITE_TEMPLATE)
        return {**templates.candidate_lines(article.text), **templates.candidate_lines(stripped)}

    return arrow(
        TEMPLATE_SIGHTINGS,
        (
            (a.article_id, templates.template_group(a), key, line)
            for a in batch.articles
            for key, line in lines(a).items()
        ),
    )


def _minhashes(batch: Batch) -> pa.Table:
    return arrow(
        MINHASHES,
        (
            (a.article_id, a.signature.to_bytes(), a.signature.shingles)
            for a in batch.articles
            if a.signature is not None
        ),
    )


def _lsh_bands(batch: Batch) -> pa.Table:
    """Each article's LSH band keys, built column by column: some forty rows an article."""
    signed = [a for a in batch.articles if a.signature is not None]
    keys = [a.signature.band_keys for a in signed]
    return pa.Table.from_arrays(
        [
            pa.array([a.article_id for a, k in zip(signed, keys) for _ in k], pa.string()),
            pa.array(np.concatenate([np.arange(len(k), dtype=np.int16) for k in keys]) if keys else [], pa.int16()),
            pa.array(np.concatenate([np.asarray(k, dtype=np.int64) for k in keys]) if keys else [], pa.int64()),
        ],
        schema=LSH_BANDS,
    )


class DocumentTable(NamedTuple):
    """A table holding rows of single documents: a batch replaces them all."""

    name: str
    key: str  # the column naming the document (an article's id is its document's)
    rows: Callable[[Batch], pa.Table]  # the batch's rows of it
    internal: bool = False  # bookkeeping only newsmill's own stages read


# Every table of a document's rows (no foreign keys: any order loads them).
DOCUMENT_TABLES = (
    DocumentTable("articles", "doc_id", _articles),
    DocumentTable("documents", "doc_id", _documents),
    DocumentTable("rejects", "doc_id", _rejects),
    DocumentTable("mentions", "article_id", _mentions),
    DocumentTable("removed_lines", "article_id", _removed_lines),
    DocumentTable("template_sightings", "article_id", _template_sightings, internal=True),
    DocumentTable("minhashes", "article_id", _minhashes, internal=True),
    DocumentTable("lsh_bands", "article_id", _lsh_bands, internal=True),
    DocumentTable("story_terms", "article_id", _story_terms, internal=True),
)
