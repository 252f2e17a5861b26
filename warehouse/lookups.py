"""The reads the ingest's stages make to decide what to write. Each query is a file of
`queries/`, named for it, that reads the ids or rows it is given as registered tables."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import cache
from importlib.resources import files
from typing import NamedTuple

from transforms import neardup
from transforms.dedup import ClusterMember, Standing
from transforms.documents import Mention
from transforms.stories import CANDIDATE_SHARE, CANDIDATES, WINDOW_DAYS, DocumentFrequencies
from warehouse.rows import LSH_BANDS, SEEN_DOCUMENTS, STORY_QUERIES, WANTED_LINES, arrow
from warehouse.session import Session


class StoredSource(NamedTuple):
    """A file as last ingested."""

    sha256: str
    records: int


class TemplateCounts(NamedTuple):
    """Of one template group: its distinct article texts, and of those the texts holding each line."""

    articles: int
    lines: dict[str, int]  # line_key -> texts holding it


class Candidate(NamedTuple):
    """A stored article sharing an LSH band key with a new one."""

    article_id: str  # the new article
    stored_id: str


class StoredStoryArticle(NamedTuple):
    """A stored article of a story the batch touches, with its features."""

    cluster_id: str
    article_id: str
    is_canonical: bool
    story_id: str
    day: date
    features: dict[str, int]  # feature -> occurrences


class StoryQuery(NamedTuple):
    """One of a new article's distinctive features, to find the stories it may join."""

    article_id: str
    feature: str
    weight: float
    day: date


class TopEntity(NamedTuple):
    name: str
    label: str
    mentions: int
    articles: int


@cache
def _query(name: str) -> str:
    return files("warehouse").joinpath("queries", f"{name}.sql").read_text()


class Lookups:
    """Reads of the warehouse for the ingest's stages, through the writer's session."""

    def __init__(self, session: Session):
        self._session = session

    def _rows(self, name: str, parameters: list | None = None) -> list[tuple]:
        return self._session.con.execute(_query(name), parameters).fetchall()

    def stored_sha256(self, doc_ids: Sequence[str]) -> dict[str, str | None]:
        """doc_id -> sha256 of the content last loaded, for the documents already known."""
        with self._session.ids("lookup_ids", doc_ids):
            return dict(self._rows("stored_sha256"))

    def stored_sources(self, source_files: Iterable[str]) -> dict[str, StoredSource]:
        """source_file -> how it was last ingested, for those of these files ever ingested."""
        with self._session.ids("wanted_files", source_files):
            rows = self._rows("stored_sources")
        return {source_file: StoredSource(sha256, records) for source_file, sha256, records in rows}

    def stale_documents(self, seen: dict[str, Iterable[str]]) -> list[str]:
        """Stored documents of these files (source_file -> doc_ids read from it now)
        that the files no longer hold."""
        if not seen:
            return []
        rows = ((source_file, doc_id) for source_file, doc_ids in seen.items() for doc_id in doc_ids)
        with self._session.table("seen_documents", arrow(SEEN_DOCUMENTS, rows)):
            return [row[0] for row in self._rows("stale_documents")]

    def missing_sources(self, scope: Sequence[str], found: Iterable[str]) -> list[str]:
        """Stored files whose path matches one of the `scope` regular expressions and that
        are not among the files `found`."""
        with self._session.ids("scope_expressions", scope), self._session.ids("found_files", found):
            return [row[0] for row in self._rows("missing_sources")]

    def documents_of(self, source_files: Sequence[str]) -> list[str]:
        """The stored documents of these files."""
        if not source_files:
            return []
        with self._session.ids("of_files", source_files):
            return [row[0] for row in self._rows("documents_of")]

    def template_counts(self, lines: dict[str, set[str]], excluding: Sequence[str]) -> dict[str, TemplateCounts]:
        """The counts of each template group for the given line keys, leaving out the
        articles in `excluding` (about to be replaced)."""
        rows = ((group, key) for group, keys in lines.items() for key in keys)
        with (
            self._session.table("wanted_lines", arrow(WANTED_LINES, rows)),
            self._session.ids("excluded_ids", excluding),
        ):
            totals = self._rows("template_group_articles")
            counts = self._rows("template_line_articles")
        result = {group: TemplateCounts(n, {}) for group, n in totals}
        for group, key, n in counts:
            result.setdefault(group, TemplateCounts(0, {})).lines[key] = n
        return result

    def near_duplicate_candidates(self, keys: dict[str, list[int]], excluding: Sequence[str]) -> list[Candidate]:
        """Every stored article sharing an LSH band key with a new one, leaving out `excluding`."""
        rows = ((article_id, band, key) for article_id, band_keys in keys.items() for band, key in enumerate(band_keys))
        with self._session.table("new_bands", arrow(LSH_BANDS, rows)), self._session.ids("excluded_ids", excluding):
            return [Candidate(*row) for row in self._rows("near_duplicate_candidates")]

    def signatures(self, article_ids: Iterable[str]) -> dict[str, neardup.Signature]:
        """The stored MinHash signatures of these articles, each fetched once however many
        new articles it is a candidate for."""
        with self._session.ids("signature_ids", article_ids):
            rows = self._rows("signatures")
        return {article_id: neardup.Signature.from_bytes(data, shingles) for article_id, data, shingles in rows}

    def clusters_of(self, article_ids: Iterable[str], excluding: Sequence[str]) -> list[ClusterMember]:
        """Every stored member of the clusters these articles are in, leaving out `excluding`."""
        with self._session.ids("of_articles", article_ids), self._session.ids("excluded_ids", excluding):
            return [_member(*row) for row in self._rows("clusters_of")]

    def standings(self, article_ids: Iterable[str]) -> dict[str, Standing]:
        """How long the warehouse has known these articles, for those it holds."""
        with self._session.ids("standing_ids", article_ids):
            rows = self._rows("standings")
        return {article_id: _standing(is_canonical) for article_id, is_canonical in rows}

    def stored_mentions(self, article_ids: Iterable[str]) -> dict[str, list[Mention]]:
        """The mentions stored for these articles (an article with none maps to an empty list)."""
        with self._session.ids("mention_ids", article_ids):
            rows = self._rows("stored_mentions")
        found: dict[str, list[Mention]] = {}
        for article_id, *mention in rows:
            found.setdefault(article_id, [])
            if mention[0] is not None:
                found[article_id].append(Mention(*mention))
        return found

    def cluster_members(self, hashes: Iterable[str], replacing: Sequence[str]) -> list[ClusterMember]:
        """Current members of the clusters of `hashes` and of the articles about to be replaced,
        leaving out those articles themselves."""
        with self._session.ids("replacing_ids", replacing):
            old = self._rows("replaced_content_hashes")
            wanted = sorted(set(hashes) | {row[0] for row in old})
            with self._session.ids("wanted_hashes", wanted):
                return [_member(*row) for row in self._rows("cluster_members")]

    def story_frequencies(self, features: Iterable[str], excluding: Sequence[str]) -> DocumentFrequencies:
        """How many stored articles have each of these features, leaving out `excluding`."""
        with self._session.ids("wanted_features", features), self._session.ids("excluded_ids", excluding):
            [(articles,)] = self._rows("story_articles")
            return DocumentFrequencies(articles, dict(self._rows("story_frequencies")))

    def story_candidates(self, queries: Sequence[StoryQuery], excluding: Sequence[str]) -> list[str]:
        """The stories of the stored articles most like the new ones (`queries`: their distinctive features)."""
        if not queries:
            return []
        window = timedelta(days=WINDOW_DAYS)
        parameters = {
            "window": WINDOW_DAYS,
            "first": min(q.day for q in queries) - window,
            "last": max(q.day for q in queries) + window,
            "least_share": CANDIDATE_SHARE,
            "per_article": CANDIDATES,
        }
        with (
            self._session.table("story_queries", arrow(STORY_QUERIES, queries)),
            self._session.ids("excluded_ids", excluding),
        ):
            return [row[0] for row in self._rows("story_candidates", parameters)]

    def story_members(
        self, story_ids: Iterable[str], days: tuple[date, date], excluding: Sequence[str]
    ) -> list[StoredStoryArticle]:
        """Every stored article of these stories on these days (first, last) with its features,
        leaving out `excluding`."""
        with self._session.ids("wanted_stories", story_ids), self._session.ids("excluded_ids", excluding):
            rows = self._rows("story_members", {"first": days[0], "last": days[1]})
        return [
            StoredStoryArticle(cluster_id, article_id, is_canonical, story_id, day, dict(zip(features, occurrences)))
            for cluster_id, article_id, is_canonical, story_id, day, features, occurrences in rows
        ]

    def stories_of(self, article_ids: Iterable[str], cluster_ids: Iterable[str]) -> dict[str, str]:
        """article_id -> story_id, for these stored articles and every article of these clusters."""
        with self._session.ids("of_articles", article_ids), self._session.ids("of_clusters", cluster_ids):
            return dict(self._rows("stories_of"))

    def story_ids_in_use(self, story_ids: Iterable[str]) -> set[str]:
        """Which of these ids are, or were, a story's."""
        with self._session.ids("wanted_story_ids", story_ids):
            return {row[0] for row in self._rows("story_ids_in_use")}

    def top_entities(self, run_id: str, limit: int = 10) -> list[TopEntity]:
        """The entities the run's articles mention most."""
        return [TopEntity(*row) for row in self._rows("top_entities", [run_id, limit])]


def _member(article_id, content_hash, published_at, word_count, cluster_id, is_canonical) -> ClusterMember:
    return ClusterMember(article_id, content_hash, published_at, word_count, cluster_id, _standing(is_canonical))


def _standing(is_canonical: bool) -> Standing:
    return Standing.CANONICAL if is_canonical else Standing.STORED
