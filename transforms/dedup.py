"""Signatures for finding duplicate articles."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import NamedTuple

_NON_WORD = re.compile(r"[\W_]+")


def normalize_for_hash(text: str) -> str:
    """Case, accents-as-composed, punctuation and spacing do not make two texts different."""
    return _NON_WORD.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def content_hash(text: str) -> str:
    """Equal for texts that differ only in case, punctuation or whitespace."""
    return hash_normalized(normalize_for_hash(text))


def hash_normalized(normalized: str) -> str:
    """`content_hash` of a text already passed through `normalize_for_hash`."""
    return hashlib.sha256(normalized.encode("utf-8")).hexdigest()[:16]


class Standing(IntEnum):
    """How long the warehouse has known an article: between members equally early and
    complete, the one seen first is canonical, so a copy arriving later never takes over.
    A record read again (its file changed, or `--force`) keeps the standing it had."""

    CANONICAL = 0  # stored, its cluster's canonical member
    STORED = 1  # stored, a copy of another
    NEW = 2  # not in the warehouse yet


@dataclass(frozen=True)
class ClusterMember:
    """What deciding a duplicate cluster needs to know of an article."""

    article_id: str
    content_hash: str
    published_at: datetime | None
    word_count: int
    cluster_id: str | None = None  # the cluster it is in now; None for an article being loaded
    standing: Standing = Standing.NEW


class ClusterDecision(NamedTuple):
    """Which duplicate cluster an article is in, and whether it stands for it."""

    cluster_id: str
    is_canonical: bool


def canonical_order(member: ClusterMember) -> tuple:
    """The canonical member sorts first: earliest published, then most complete, then seen first."""
    return (member.published_at is None, member.published_at or datetime.min, -member.word_count, member.standing)


def assign_clusters(
    members: Iterable[ClusterMember], links: Iterable[tuple[str, str]] = ()
) -> dict[str, ClusterDecision]:
    """article_id -> its ClusterDecision for every member given. Of members equal
    in `canonical_order`, the first given is canonical: give the stored ones in a fixed
    order, then the new ones in input order, and every run decides alike.

    Articles are grouped when they share a content hash, a current cluster, or a link
    (a near-duplicate pair). Give it every current member of each cluster concerned, old
    and new. A cluster keeps its id as long as the article it is named after is still a
    member, so ids do not move when copies join (clusters that merge keep the smaller
    id); a new cluster is named after its canonical member.
    """
    members = list(members)
    by_id = {m.article_id: m for m in members}
    seen = {m.article_id: position for position, m in enumerate(members)}
    edges = [(a, b) for a, b in links if a in by_id and b in by_id]
    first_with: dict[tuple[str, str], str] = {}
    for member in members:
        for shared in (("hash", member.content_hash), ("cluster", member.cluster_id)):
            if shared[1] is not None:
                edges.append((first_with.setdefault(shared, member.article_id), member.article_id))
    groups: dict[str, list[ClusterMember]] = defaultdict(list)
    for article_id, root in components(by_id, edges).items():
        groups[root].append(by_id[article_id])
    decisions = {}
    for group in groups.values():
        canonical = min(group, key=lambda m: (canonical_order(m), seen[m.article_id]))
        ids = {m.article_id for m in group}
        surviving = sorted(m.cluster_id for m in group if m.cluster_id in ids)
        cluster_id = surviving[0] if surviving else canonical.article_id
        for member in group:
            decisions[member.article_id] = ClusterDecision(cluster_id, member.article_id == canonical.article_id)
    return decisions


def regroup(
    stored: Iterable[ClusterMember], new: Iterable[ClusterMember], links: Iterable[tuple[str, str]]
) -> dict[str, ClusterDecision]:
    """The clusters of a batch's articles (`new`, in input order) with every stored member
    of the clusters they touch: ties go to the member seen first, the stored ones in a fixed
    order, then the new ones in input order."""
    return assign_clusters(sorted(stored, key=lambda m: m.article_id) + list(new), links)


def components(nodes: Iterable, edges: Iterable[tuple]) -> dict:
    """node -> the smallest node of its connected component (union-find)."""
    parent = {node: node for node in nodes}

    def root(node):
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    return {node: root(node) for node in parent}
