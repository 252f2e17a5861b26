"""Rows as Arrow tables, the shape the writer hands DuckDB: one schema per table it loads
from Arrow, one per shape it registers for a query to read."""

from __future__ import annotations

from collections.abc import Iterable

import pyarrow as pa


def arrow(schema: pa.Schema, rows: Iterable[tuple]) -> pa.Table:
    """A table of `schema` from rows given as tuples in its column order."""
    columns = list(zip(*rows)) or [()] * len(schema)
    return pa.Table.from_arrays([pa.array(c, f.type) for c, f in zip(columns, schema)], schema=schema)


# -- tables, column for column as the migrations leave them -------------------------------

SOURCES = pa.schema(
    [
        ("source_file", pa.string()),
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("records", pa.int32()),
        ("run_id", pa.string()),
    ]
)
DOCUMENTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_uri", pa.string()),
        ("format", pa.string()),
        ("sha256", pa.string()),
        ("bytes", pa.int64()),
        ("run_id", pa.string()),
        ("source_file", pa.string()),
    ]
)
REJECTS = pa.schema(
    [
        ("doc_id", pa.string()),
        ("source_uri", pa.string()),
        ("reason", pa.string()),
        ("detail", pa.string()),
        ("run_id", pa.string()),
    ]
)
ARTICLES = pa.schema(
    [
        ("article_id", pa.string()),
        ("doc_id", pa.string()),
        ("source_uri", pa.string()),
        ("url", pa.string()),
        ("site", pa.string()),
        ("title", pa.string()),
        ("byline", pa.string()),
        ("published_at", pa.timestamp("us")),
        ("language", pa.string()),
        ("language_prob", pa.float64()),
        ("text", pa.string()),
        ("word_count", pa.int32()),
        ("content_hash", pa.string()),
        ("cluster_id", pa.string()),
        ("is_canonical", pa.bool_()),
        ("run_id", pa.string()),
        ("fetched_at", pa.timestamp("us")),
        ("declared_language", pa.string()),
        ("template_group", pa.string()),
        ("story_id", pa.string()),
    ]
)
MENTIONS = pa.schema(
    [
        ("article_id", pa.string()),
        ("entity_id", pa.string()),
        ("surface", pa.string()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("label", pa.string()),
        ("name", pa.string()),
        ("name_key", pa.string()),
    ]
)
REMOVED_LINES = pa.schema(
    [
        ("article_id", pa.string()),
        ("line_no", pa.int32()),
        ("text", pa.string()),
        ("reason", pa.string()),
        ("run_id", pa.string()),
    ]
)
TEMPLATE_SIGHTINGS = pa.schema(
    [("article_id", pa.string()), ("template_group", pa.string()), ("line_key", pa.string()), ("line", pa.string())]
)
MINHASHES = pa.schema([("article_id", pa.string()), ("signature", pa.binary()), ("shingles", pa.int32())])
LSH_BANDS = pa.schema([("article_id", pa.string()), ("band", pa.int16()), ("key", pa.int64())])
STORY_TERMS = pa.schema(
    [("article_id", pa.string()), ("feature", pa.string()), ("occurrences", pa.int32()), ("day", pa.date32())]
)
STORY_MERGES = pa.schema(
    [
        ("story_id", pa.string()),
        ("merged_into", pa.string()),
        ("run_id", pa.string()),
        ("merged_at", pa.timestamp("us")),
    ]
)
ENTITY_KEYS = pa.schema([("name_key", pa.string()), ("key_group", pa.string()), ("entity_id", pa.string())])

# Every table loaded from Arrow, by name (tests/test_warehouse_rows.py holds each to the
# table DuckDB has). The others are written by SQL alone.
TABLES = {
    "sources": SOURCES,
    "documents": DOCUMENTS,
    "rejects": REJECTS,
    "articles": ARTICLES,
    "mentions": MENTIONS,
    "removed_lines": REMOVED_LINES,
    "template_sightings": TEMPLATE_SIGHTINGS,
    "minhashes": MINHASHES,
    "lsh_bands": LSH_BANDS,
    "story_terms": STORY_TERMS,
    "story_merges": STORY_MERGES,
    "entity_keys": ENTITY_KEYS,
}

# -- what queries read beside the tables ---------------------------------------------------

IDS = pa.schema([("id", pa.string())])
SEEN_DOCUMENTS = pa.schema([("source_file", pa.string()), ("doc_id", pa.string())])
WANTED_LINES = pa.schema([("template_group", pa.string()), ("line_key", pa.string())])
STORY_QUERIES = pa.schema(
    [("article_id", pa.string()), ("feature", pa.string()), ("weight", pa.float64()), ("day", pa.date32())]
)
CLUSTER_STORIES = pa.schema([("cluster_id", pa.string()), ("story_id", pa.string())])
CLUSTER_CHANGES = pa.schema([("article_id", pa.string()), ("cluster_id", pa.string()), ("is_canonical", pa.bool_())])
TEMPLATE_THRESHOLDS = pa.schema(
    [("template_group", pa.string()), ("group_articles", pa.int64()), ("threshold", pa.int64())]
)
RESOLVED_KEYS = pa.schema([("name_key", pa.string()), ("entity_id", pa.string())])
RESOLVED_ENTITIES = pa.schema(
    [("entity_id", pa.string()), ("name", pa.string()), ("label", pa.string()), ("aliases", pa.list_(pa.string()))]
)
