"""The one writer: every change to the warehouse goes through `Warehouse`, one transaction per batch."""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa

from transforms import entities as names
from transforms import neardup, templates
from transforms.dedup import ClusterMember, Standing
from transforms.documents import Article, Mention, Reject, Source, stable_id
from warehouse.connection import DEFAULT_LOCK_TIMEOUT, RunLock, connect
from warehouse.schema import create_views, migrate


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class RunRecord:
    """A run as `runs` records it. Its row is written with the run's first batch:
    a run that changes nothing leaves no trace in the warehouse (Prefect still logs it)."""

    flow_run_id: str | None = None
    started_at: datetime = field(default_factory=_utcnow)
    run_id: str = ""
    counts: Counter = field(default_factory=Counter)
    entities: set = field(default_factory=set)  # entity_ids its articles mention
    stages: dict[str, list] = field(default_factory=dict)  # stage -> [items, seconds], in pipeline order

    def __post_init__(self):
        self.run_id = self.run_id or f"{self.started_at:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


@dataclass(frozen=True)
class BatchResult:
    articles: int
    rejects: int
    mentions: int
    entities: frozenset[str]  # the entity_ids the batch's articles mention


class Warehouse:
    """The one writer of a warehouse, for as long as the `with` block lasts.

    It holds the run lock throughout, so a second run waits for this one to end (up to
    `lock_timeout` seconds, then WarehouseBusy). The DuckDB file itself, which no other
    process can open while this one has it, is opened when a read or write needs it and
    let go by `release()`, so queries get in while the run does CPU work. Opening it
    waits up to `lock_timeout` seconds for the readers in there.
    """

    def __init__(self, path: str | Path, lock_timeout: float = DEFAULT_LOCK_TIMEOUT):
        self.path = Path(path)
        self.lock_timeout = lock_timeout
        self._run_lock = RunLock(self.path)
        self._connection: duckdb.DuckDBPyConnection | None = None
        self._prepared = False
        self._recorded_runs: set[str] = set()

    def __enter__(self) -> Warehouse:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._run_lock.acquire(self.lock_timeout)
        try:
            self._open()
        except BaseException:
            self._run_lock.release()
            raise
        return self

    def __exit__(self, *exc) -> None:
        try:
            self.release()  # closing checkpoints the run's writes into the file, which can fail
        finally:
            self._run_lock.release()

    def release(self) -> None:
        """Let go of the DuckDB file, so others can query it, until the next read or write
        opens it again. The run lock stays: no other run writes meanwhile."""
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    @property
    def _con(self) -> duckdb.DuckDBPyConnection:
        return self._open() if self._connection is None else self._connection

    def _open(self) -> duckdb.DuckDBPyConnection:
        self._connection = connect(self.path, timeout=self.lock_timeout)
        if not self._prepared:
            try:
                self._prepare()
            except BaseException:
                self.release()
                raise
            self._prepared = True
        return self._connection

    def _prepare(self) -> None:
        """On the run's first open: bring the schema up to date, and mark failed the runs
        that died."""
        migrate(self._con)
        with self._transaction():
            create_views(self._con)
            # This run holds the run lock, so a run still marked running has died.
            self._con.execute("UPDATE runs SET status = 'failed' WHERE status = 'running'")
        self._key_mentions_of_earlier_releases()

    # -- reads the writer needs to decide what to write ---------------------------------

    def stored_sha256(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """doc_id -> sha256 of the content last loaded, for the documents already known."""
        with self._ids("lookup_ids", doc_ids):
            rows = self._con.execute(
                "SELECT doc_id, sha256 FROM documents WHERE doc_id IN (SELECT id FROM lookup_ids)"
            ).fetchall()
        return dict(rows)

    def stored_sources(self, source_files: Iterable[str]) -> dict[str, tuple[str, int]]:
        """source_file -> (sha256, records) as last ingested, for those of these files ever ingested."""
        with self._ids("wanted_files", source_files):
            rows = self._con.execute(
                "SELECT source_file, sha256, records FROM sources WHERE source_file IN (SELECT id FROM wanted_files)"
            ).fetchall()
        return {source_file: (sha256, records) for source_file, sha256, records in rows}

    def stale_documents(self, seen: dict[str, Iterable[str]]) -> list[str]:
        """Stored documents of these files (source_file -> doc_ids read from it now)
        that the files no longer hold."""
        if not seen:
            return []
        rows = ((source_file, doc_id) for source_file, doc_ids in seen.items() for doc_id in doc_ids)
        with self._table("seen_documents", _arrow(SEEN, rows)):
            return [row[0] for row in self._con.execute(
                """SELECT doc_id FROM documents
                   WHERE source_file IN (SELECT DISTINCT source_file FROM seen_documents)
                     AND doc_id NOT IN (SELECT doc_id FROM seen_documents)
                   ORDER BY doc_id"""
            ).fetchall()]

    def missing_sources(self, scope: Sequence[str], found: Iterable[str]) -> list[str]:
        """Stored files whose path matches one of the `scope` regular expressions and that
        are not among the files `found`."""
        with self._ids("scope_expressions", scope), self._ids("found_files", found):
            return [row[0] for row in self._con.execute(
                """SELECT source_file FROM sources
                   WHERE EXISTS (SELECT 1 FROM scope_expressions WHERE regexp_matches(source_file, id))
                     AND source_file NOT IN (SELECT id FROM found_files)
                   ORDER BY 1"""
            ).fetchall()]

    def documents_of(self, source_files: Sequence[str]) -> list[str]:
        """The stored documents of these files."""
        if not source_files:
            return []
        with self._ids("of_files", source_files):
            return [row[0] for row in self._con.execute(
                "SELECT doc_id FROM documents WHERE source_file IN (SELECT id FROM of_files) ORDER BY 1"
            ).fetchall()]

    def template_counts(self, lines: dict[str, set[str]], excluding: Sequence[str]) -> dict[str, tuple[int, dict[str, int]]]:
        """For each template group, (distinct article texts, {line_key: texts holding it}) for
        the given line keys, leaving out the articles in `excluding` (about to be replaced)."""
        rows = ((group, key) for group, keys in lines.items() for key in keys)
        with self._table("wanted_lines", _arrow(WANTED_LINES, rows)), self._ids("excluded_ids", excluding):
            totals = self._con.execute(
                """SELECT template_group, count(DISTINCT content_hash) FROM articles
                   WHERE template_group IN (SELECT DISTINCT template_group FROM wanted_lines)
                     AND article_id NOT IN (SELECT id FROM excluded_ids)
                   GROUP BY ALL"""
            ).fetchall()
            counts = self._con.execute(
                """SELECT s.template_group, s.line_key, count(DISTINCT a.content_hash)
                   FROM template_sightings s
                   JOIN wanted_lines w ON w.template_group = s.template_group AND w.line_key = s.line_key
                   JOIN articles a ON a.article_id = s.article_id
                   WHERE s.article_id NOT IN (SELECT id FROM excluded_ids)
                   GROUP BY ALL"""
            ).fetchall()
        result = {group: (n, {}) for group, n in totals}
        for group, key, n in counts:
            result.setdefault(group, (0, {}))[1][key] = n
        return result

    def near_duplicate_candidates(self, keys: dict[str, list[int]], excluding: Sequence[str]) -> list[tuple[str, str]]:
        """(new article_id, stored article_id) for every stored article sharing an LSH band
        key with a new one, leaving out `excluding`."""
        rows = ((article_id, band, key) for article_id, band_keys in keys.items() for band, key in enumerate(band_keys))
        with self._table("new_bands", _arrow(BANDS, rows)), self._ids("excluded_ids", excluding):
            return self._con.execute(
                """SELECT DISTINCT n.article_id, s.article_id
                   FROM new_bands n JOIN lsh_bands s ON s.band = n.band AND s.key = n.key
                   WHERE s.article_id NOT IN (SELECT id FROM excluded_ids)
                   ORDER BY 1, 2"""
            ).fetchall()

    def signatures(self, article_ids: Iterable[str]) -> dict[str, neardup.Signature]:
        """The stored MinHash signatures of these articles, each fetched once however many
        new articles it is a candidate for."""
        with self._ids("signature_ids", article_ids):
            rows = self._con.execute(
                "SELECT article_id, signature, shingles FROM minhashes WHERE article_id IN (SELECT id FROM signature_ids)"
            ).fetchall()
        return {article_id: neardup.Signature.from_bytes(data, shingles) for article_id, data, shingles in rows}

    def clusters_of(self, article_ids: Iterable[str], excluding: Sequence[str]) -> list[ClusterMember]:
        """Every stored member of the clusters these articles are in, leaving out `excluding`."""
        with self._ids("of_articles", article_ids), self._ids("excluded_ids", excluding):
            rows = self._con.execute(
                f"""SELECT {MEMBER_COLUMNS} FROM articles
                    WHERE cluster_id IN (SELECT cluster_id FROM articles WHERE article_id IN (SELECT id FROM of_articles))
                      AND article_id NOT IN (SELECT id FROM excluded_ids)"""
            ).fetchall()
        return [_member(*row) for row in rows]

    def standings(self, article_ids: Iterable[str]) -> dict[str, Standing]:
        """How long the warehouse has known these articles, for those it holds."""
        with self._ids("standing_ids", article_ids):
            rows = self._con.execute(
                "SELECT article_id, is_canonical FROM articles WHERE article_id IN (SELECT id FROM standing_ids)"
            ).fetchall()
        return {article_id: _standing(is_canonical) for article_id, is_canonical in rows}

    def stored_mentions(self, article_ids: Iterable[str]) -> dict[str, list[Mention]]:
        """The mentions stored for these articles (an article with none maps to an empty list)."""
        with self._ids("mention_ids", article_ids):
            rows = self._con.execute(
                """SELECT a.article_id, m.start_char, m.end_char, m.surface, m.label, m.name
                   FROM articles a LEFT JOIN mentions m USING (article_id)
                   WHERE a.article_id IN (SELECT id FROM mention_ids) ORDER BY 1, 2"""
            ).fetchall()
        found: dict[str, list[Mention]] = {}
        for article_id, *mention in rows:
            found.setdefault(article_id, [])
            if mention[0] is not None:
                found[article_id].append(Mention(*mention))
        return found

    def top_entities(self, run_id: str, limit: int = 10) -> list[tuple[str, str, int, int]]:
        """(name, label, mentions, articles) of the entities the run's articles mention most."""
        return self._con.execute(
            """SELECT e.name, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
               FROM mentions m JOIN articles a USING (article_id) JOIN entities e USING (entity_id)
               WHERE a.run_id = ? GROUP BY ALL ORDER BY mentions DESC, e.name LIMIT ?""",
            [run_id, limit],
        ).fetchall()

    def cluster_members(self, hashes: Iterable[str], replacing: Sequence[str]) -> list[ClusterMember]:
        """Current members of the clusters of `hashes` and of the articles about to be replaced,
        leaving out those articles themselves."""
        with self._ids("replacing_ids", replacing):
            old = self._con.execute(
                "SELECT DISTINCT content_hash FROM articles WHERE article_id IN (SELECT id FROM replacing_ids)"
            ).fetchall()
            wanted = sorted(set(hashes) | {row[0] for row in old})
            with self._ids("wanted_hashes", wanted):
                rows = self._con.execute(
                    f"""SELECT {MEMBER_COLUMNS} FROM articles
                        WHERE content_hash IN (SELECT id FROM wanted_hashes)
                          AND article_id NOT IN (SELECT id FROM replacing_ids)"""
                ).fetchall()
        return [_member(*row) for row in rows]

    # -- writes ----------------------------------------------------------------------------

    def write_batch(
        self,
        run: RunRecord,
        articles: Sequence[Article],
        rejects: Sequence[Reject],
        clusters: dict[str, tuple[str, bool]],
        retired: Sequence[str] = (),
        sources: Sequence[Source] = (),
        gone: Sequence[str] = (),
    ) -> BatchResult:
        """Replace the rows of these documents with their new outcome, all or nothing.

        `clusters` holds article_id -> (cluster_id, is_canonical) for the batch's articles
        and for every stored article whose cluster or canonical flag changes with it.
        `retired` documents (records a changed file no longer holds) lose all their rows;
        `sources` are files now read to the end, registered as they are; `gone` are files
        deleted from the inputs, no longer registered (their records are among `retired`).
        """
        documents = [a.document for a in articles] + [r.document for r in rejects]
        batch_ids = [d.doc_id for d in documents]
        with self._transaction(), self._ids("batch_ids", batch_ids + list(retired)):
            self._record_run(run)
            replaced_keys = self._delete_documents()
            self._upsert_sources(sources, run.run_id)
            if gone:
                with self._ids("gone_files", gone):
                    self._con.execute("DELETE FROM sources WHERE source_file IN (SELECT id FROM gone_files)")
            self._insert("documents", _documents_table(documents, run.run_id))
            self._insert("rejects", _rejects_table(rejects, run.run_id))
            self._insert("articles", _articles_table(articles, clusters, run.run_id))
            loaded = set(batch_ids)
            self._update_clusters({k: v for k, v in clusters.items() if k not in loaded})
            keys = {name: names.name_key(name) for name in {m.name for a in articles for m in a.mentions}}
            self._insert("mentions", _mentions_table(articles, keys))
            self._insert("removed_lines", _removed_lines_table(articles, run.run_id))
            self._insert("template_sightings", _sightings_table(articles))
            signed = [a for a in articles if a.signature is not None]
            self._insert("minhashes", _arrow(MINHASHES, ((a.article_id, a.signature.to_bytes(), a.signature.shingles) for a in signed)))
            self._insert("lsh_bands", _bands_table(signed))
            self._refresh_templates({templates.template_group(a) for a in articles}, run.run_id)
            self._resolve_entities(replaced_keys | set(keys.values()))
            mentioned = self._con.execute(
                "SELECT DISTINCT entity_id FROM mentions WHERE article_id IN (SELECT id FROM batch_ids)"
            ).fetchall()
        self._recorded_runs.add(run.run_id)  # once committed: a batch rolled back takes the run's row with it
        return BatchResult(
            articles=len(articles),
            rejects=len(rejects),
            mentions=sum(len(a.mentions) for a in articles),
            entities=frozenset(row[0] for row in mentioned),
        )

    def finish_run(self, run: RunRecord, status: str) -> None:
        """Close the run's row, if it has one (a run that wrote nothing has none). Its
        `duplicates` are counted now, over the articles it loaded: a later batch may have
        made one that an earlier batch loaded a copy, or canonical."""
        if run.run_id not in self._recorded_runs:
            return
        run.counts["duplicates"] = self._con.execute(
            "SELECT count(*) FROM articles WHERE run_id = ? AND NOT is_canonical", [run.run_id]
        ).fetchone()[0]
        finished = _utcnow()
        c = run.counts
        self._con.execute(
            """UPDATE runs SET finished_at = ?, status = ?, documents_seen = ?, documents_loaded = ?,
                   articles = ?, rejects = ?, duplicates = ?, mentions = ?, seconds = ?, stages = ?
               WHERE run_id = ?""",
            [finished, status, c.get("documents", 0), c.get("loaded", 0), c.get("articles", 0),
             c.get("rejects", 0), c.get("duplicates", 0), c.get("mentions", 0),
             (finished - run.started_at).total_seconds(),
             [{"stage": stage, "items": items, "seconds": seconds} for stage, (items, seconds) in run.stages.items()],
             run.run_id],
        )

    # -- internals -------------------------------------------------------------------------

    def _record_run(self, run: RunRecord) -> None:
        if run.run_id in self._recorded_runs:
            return
        self._con.execute(
            "INSERT INTO runs (run_id, flow_run_id, started_at, status) VALUES (?, ?, ?, 'running')",
            [run.run_id, run.flow_run_id, run.started_at],
        )

    def _delete_documents(self) -> set[str]:
        """Delete every row of the documents in `batch_ids`; return the name keys they mentioned."""
        stored = [row[0] for row in self._con.execute(
            "SELECT doc_id FROM documents WHERE doc_id IN (SELECT id FROM batch_ids)"
        ).fetchall()]
        if not stored:  # new documents only, the common case: nothing to scan the big tables for
            return set()
        with self._ids("stored_ids", stored):
            keys = {row[0] for row in self._con.execute(
                "SELECT DISTINCT name_key FROM mentions WHERE article_id IN (SELECT id FROM stored_ids)"
            ).fetchall()}
            for table, key in (("mentions", "article_id"), ("removed_lines", "article_id"),
                               ("template_sightings", "article_id"), ("minhashes", "article_id"),
                               ("lsh_bands", "article_id"), ("articles", "doc_id"), ("rejects", "doc_id"),
                               ("documents", "doc_id")):
                self._con.execute(f"DELETE FROM {table} WHERE {key} IN (SELECT id FROM stored_ids)")
        return keys

    def _refresh_templates(self, groups: set[str], run_id: str) -> None:
        """Rewrite the learned template lines of these groups from all their sightings."""
        if not groups:
            return
        with self._ids("template_groups", groups):
            self._con.execute("DELETE FROM site_templates WHERE template_group IN (SELECT id FROM template_groups)")
            self._con.execute(
                """INSERT INTO site_templates
                   WITH totals AS (
                       SELECT template_group, count(DISTINCT content_hash) AS group_articles FROM articles
                       WHERE template_group IN (SELECT id FROM template_groups) GROUP BY ALL
                   )
                   SELECT s.template_group, s.line_key, min(s.line), count(DISTINCT a.content_hash), t.group_articles, ?
                   FROM template_sightings s
                   JOIN articles a ON a.article_id = s.article_id
                   JOIN totals t ON t.template_group = s.template_group
                   GROUP BY s.template_group, s.line_key, t.group_articles
                   HAVING count(DISTINCT a.content_hash) >= ? AND count(DISTINCT a.content_hash) >= ? * t.group_articles""",
                [run_id, templates.MIN_SUPPORT, templates.MIN_SHARE],
            )

    def _upsert_sources(self, sources: Sequence[Source], run_id: str) -> None:
        rows = ((s.source_file, s.sha256, s.bytes, s.records, run_id) for s in sources)
        self._insert("sources", _arrow(SOURCES, rows), on_conflict="(source_file) DO UPDATE SET "
                     "sha256 = excluded.sha256, bytes = excluded.bytes, records = excluded.records, run_id = excluded.run_id")

    def _resolve_entities(self, keys: set[str]) -> None:
        """Re-resolve the entities of every key group these name keys belong to, from all
        the mentions the warehouse holds in those groups: entities then depend on what the
        warehouse holds, not on the order it arrived in."""
        groups = {names.key_group(k) for k in keys}
        if not groups:
            return
        new_keys = _arrow(KEYS, ((k, names.key_group(k), "") for k in keys))
        with self._table("new_keys", new_keys), self._ids("key_groups", groups):
            self._con.execute("INSERT INTO entity_keys SELECT * FROM new_keys ON CONFLICT DO NOTHING")
            self._con.execute(
                """DELETE FROM entities WHERE entity_id IN
                   (SELECT entity_id FROM entity_keys WHERE key_group IN (SELECT id FROM key_groups))"""
            )
            self._con.execute(
                """DELETE FROM entity_keys k WHERE key_group IN (SELECT id FROM key_groups)
                   AND NOT EXISTS (SELECT 1 FROM mentions m WHERE m.name_key = k.name_key)"""
            )
            uses = self._con.execute(
                """SELECT k.key_group, m.name_key, m.label, m.name, m.surface, count(*)
                   FROM mentions m JOIN entity_keys k USING (name_key)
                   WHERE k.key_group IN (SELECT id FROM key_groups) GROUP BY ALL ORDER BY ALL"""
            ).fetchall()
        by_group: dict[str, list[names.NameUse]] = {}
        for group, *use in uses:
            by_group.setdefault(group, []).append(names.NameUse(*use))
        resolved = [entity for group_uses in by_group.values() for entity in names.resolve_entities(group_uses)]
        key_ids = _arrow(KEY_IDS, ((key, e.entity_id) for e in resolved for key in e.keys))
        with self._table("resolved_keys", key_ids), self._table("resolved", _arrow(ENTITIES, (
            (e.entity_id, e.name, e.label, list(e.aliases)) for e in resolved
        ))):
            self._con.execute(
                "UPDATE entity_keys SET entity_id = r.entity_id FROM resolved_keys r WHERE entity_keys.name_key = r.name_key"
            )
            self._con.execute(
                """UPDATE mentions SET entity_id = r.entity_id FROM resolved_keys r
                   WHERE mentions.name_key = r.name_key AND mentions.entity_id <> r.entity_id"""
            )
            self._con.execute(
                """INSERT INTO entities (entity_id, name, label, aliases, mention_count, article_count)
                   SELECT r.entity_id, r.name, r.label, r.aliases, count(*), count(DISTINCT m.article_id)
                   FROM resolved r JOIN mentions m USING (entity_id) GROUP BY ALL"""
            )

    def _key_mentions_of_earlier_releases(self) -> None:
        """Mentions written before entities were resolved across articles get their name
        keys, and every entity is resolved anew; once."""
        names_to_key = [row[0] for row in self._con.execute(
            "SELECT DISTINCT name FROM mentions WHERE name_key IS NULL"
        ).fetchall()]
        if not names_to_key:
            return
        with self._transaction(), self._table("name_keys", _arrow(NAME_KEYS, ((n, names.name_key(n)) for n in names_to_key))):
            self._con.execute(
                "UPDATE mentions SET name_key = k.name_key FROM name_keys k WHERE mentions.name = k.name AND mentions.name_key IS NULL"
            )
            self._con.execute("DELETE FROM entities")
            self._resolve_entities({names.name_key(n) for n in names_to_key})

    def _update_clusters(self, changes: dict[str, tuple[str, bool]]) -> None:
        if not changes:
            return
        rows = ((article_id, *decision) for article_id, decision in changes.items())
        with self._table("cluster_changes", _arrow(CLUSTER_CHANGES, rows)):
            self._con.execute(
                """UPDATE articles SET cluster_id = c.cluster_id, is_canonical = c.is_canonical
                   FROM cluster_changes AS c WHERE articles.article_id = c.article_id"""
            )

    def _insert(self, target: str, table: pa.Table, on_conflict: str | None = None) -> None:
        if table.num_rows == 0:
            return
        with self._table("incoming", table):
            conflict = f" ON CONFLICT {on_conflict}" if on_conflict else ""
            self._con.execute(f"INSERT INTO {target} BY NAME SELECT * FROM incoming{conflict}")

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """All or nothing: a failure inside rolls back before it propagates."""
        self._con.execute("BEGIN")
        try:
            yield
        except BaseException:
            self._roll_back()
            raise
        try:
            self._con.execute("COMMIT")
        except duckdb.Error:
            # DuckDB has rolled back already; after an I/O error it refuses any further work
            # on this connection, so the next read or write opens a fresh one.
            self.release()
            raise

    def _roll_back(self) -> None:
        try:
            self._con.execute("ROLLBACK")
        except duckdb.Error:
            # The connection is unusable (DuckDB invalidates it after a fatal error). Closing
            # it discards the transaction too, and the error that caused it propagates.
            self.release()

    @contextmanager
    def _table(self, name: str, table: pa.Table) -> Iterator[None]:
        # Not unregistered when the block fails: inside an aborted transaction that would
        # raise over the real error, and the next register() of the name replaces it anyway.
        self._con.register(name, table)
        yield
        self._con.unregister(name)

    def _ids(self, name: str, ids: Iterable[str]):
        return self._table(name, _arrow(IDS, ((i,) for i in ids)))


MEMBER_COLUMNS = "article_id, content_hash, published_at, word_count, cluster_id, is_canonical"


def _member(article_id, content_hash, published_at, word_count, cluster_id, is_canonical) -> ClusterMember:
    return ClusterMember(article_id, content_hash, published_at, word_count, cluster_id, _standing(is_canonical))


def _standing(is_canonical: bool) -> Standing:
    return Standing.CANONICAL if is_canonical else Standing.STORED


def _arrow(schema: pa.Schema, rows: Iterable[tuple]) -> pa.Table:
    columns = list(zip(*rows)) or [()] * len(schema)
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, schema)], schema=schema)


IDS = pa.schema([("id", pa.string())])
SEEN = pa.schema([("source_file", pa.string()), ("doc_id", pa.string())])
SOURCES = pa.schema([("source_file", pa.string()), ("sha256", pa.string()), ("bytes", pa.int64()),
                     ("records", pa.int32()), ("run_id", pa.string())])
DOCUMENTS = pa.schema([("doc_id", pa.string()), ("source_uri", pa.string()), ("format", pa.string()),
                       ("sha256", pa.string()), ("bytes", pa.int64()), ("run_id", pa.string()), ("source_file", pa.string())])
REJECTS = pa.schema([("doc_id", pa.string()), ("source_uri", pa.string()), ("reason", pa.string()),
                     ("detail", pa.string()), ("run_id", pa.string())])
ARTICLES = pa.schema([
    ("article_id", pa.string()), ("doc_id", pa.string()), ("source_uri", pa.string()), ("url", pa.string()),
    ("site", pa.string()), ("title", pa.string()), ("byline", pa.string()), ("published_at", pa.timestamp("us")),
    ("language", pa.string()), ("language_prob", pa.float64()), ("text", pa.string()), ("word_count", pa.int32()),
    ("content_hash", pa.string()), ("cluster_id", pa.string()), ("is_canonical", pa.bool_()), ("run_id", pa.string()),
    ("fetched_at", pa.timestamp("us")), ("declared_language", pa.string()), ("template_group", pa.string()),
])
CLUSTER_CHANGES = pa.schema([("article_id", pa.string()), ("cluster_id", pa.string()), ("is_canonical", pa.bool_())])
MINHASHES = pa.schema([("article_id", pa.string()), ("signature", pa.binary()), ("shingles", pa.int32())])
BANDS = pa.schema([("article_id", pa.string()), ("band", pa.int16()), ("key", pa.int64())])
WANTED_LINES = pa.schema([("template_group", pa.string()), ("line_key", pa.string())])
SIGHTINGS = pa.schema([("article_id", pa.string()), ("template_group", pa.string()), ("line_key", pa.string()), ("line", pa.string())])
REMOVED_LINES = pa.schema([("article_id", pa.string()), ("line_no", pa.int32()), ("text", pa.string()),
                           ("reason", pa.string()), ("run_id", pa.string())])
ENTITIES = pa.schema([("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()),
                      ("aliases", pa.list_(pa.string()))])
KEYS = pa.schema([("name_key", pa.string()), ("key_group", pa.string()), ("entity_id", pa.string())])
KEY_IDS = pa.schema([("name_key", pa.string()), ("entity_id", pa.string())])
NAME_KEYS = pa.schema([("name", pa.string()), ("name_key", pa.string())])
MENTIONS = pa.schema([("article_id", pa.string()), ("entity_id", pa.string()), ("surface", pa.string()),
                      ("start_char", pa.int32()), ("end_char", pa.int32()), ("label", pa.string()),
                      ("name", pa.string()), ("name_key", pa.string())])


def _documents_table(documents, run_id: str) -> pa.Table:
    return _arrow(DOCUMENTS, ((d.doc_id, d.source_uri, d.format, d.sha256, d.bytes, run_id, d.source_file) for d in documents))


def _rejects_table(rejects: Sequence[Reject], run_id: str) -> pa.Table:
    return _arrow(REJECTS, ((r.document.doc_id, r.document.source_uri, r.reason, r.detail, run_id) for r in rejects))


def _articles_table(articles: Sequence[Article], clusters, run_id: str) -> pa.Table:
    return _arrow(ARTICLES, (
        (a.article_id, a.document.doc_id, a.document.source_uri, a.url, a.site, a.title, a.byline, a.published_at,
         a.language, a.language_prob, a.text, a.word_count, a.content_hash, *clusters[a.article_id], run_id,
         a.fetched_at, a.declared_language, templates.template_group(a))
        for a in articles
    ))


def _bands_table(signed: Sequence[Article]) -> pa.Table:
    """Each article's LSH band keys, built column by column: some forty rows an article."""
    keys = [a.signature.band_keys for a in signed]
    return pa.Table.from_arrays([
        pa.array([a.article_id for a, k in zip(signed, keys) for _ in k], pa.string()),
        pa.array(np.concatenate([np.arange(len(k), dtype=np.int16) for k in keys]) if keys else [], pa.int16()),
        pa.array(np.concatenate([np.asarray(k, dtype=np.int64) for k in keys]) if keys else [], pa.int64()),
    ], schema=BANDS)


def _mentions_table(articles: Sequence[Article], keys: dict[str, str]) -> pa.Table:
    # entity_id is settled by _resolve_entities once the batch's mentions are in.
    return _arrow(MENTIONS, (
        (a.article_id, "", m.surface, m.start_char, m.end_char, m.label, m.name, keys[m.name])
        for a in articles for m in a.mentions
    ))


def _removed_lines_table(articles: Sequence[Article], run_id: str) -> pa.Table:
    return _arrow(REMOVED_LINES, (
        (a.article_id, line_no, text, reason, run_id) for a in articles for line_no, text, reason in a.removed_lines
    ))


def _sightings_table(articles: Sequence[Article]) -> pa.Table:
    """Each article's short lines, template lines already stripped from it included."""
    def lines(article: Article) -> dict[str, str]:
        stripped = "\n".join(line for _, line, reason in article.removed_lines if reason == "site_template")
        return {**templates.candidate_lines(article.text), **templates.candidate_lines(stripped)}

    return _arrow(SIGHTINGS, (
        (a.article_id, templates.template_group(a), key, line) for a in articles for key, line in lines(a).items()
    ))
