"""Near-duplicate detection: MinHash signatures over word shingles, LSH band keys to find
candidates, and a decision on each candidate pair that also catches truncated copies.

Vectorized on numpy and deterministic: the same text always gets the same signature,
in any process, so signatures and band keys can be stored and compared across runs.
"""

from __future__ import annotations

import hashlib
import zlib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from transforms.dedup import components, normalize_for_hash

SHINGLE_WORDS = 4
NUM_PERM = 128
BANDS, ROWS = 42, 3  # a pair at Jaccard 0.4 shares a band with chance 0.94; unrelated news (0.005), 5e-6
LEAD_WORDS = 12  # a text's opening words are one more key: a teaser shares its article's opening
JACCARD_MIN = 0.4  # estimated Jaccard at which two texts are copies of one article
CONTAINMENT_MIN = 0.7  # estimated share of the shorter text's shingles found in the longer one (a teaser)
CONTAINMENT_MIN_SHINGLES = 40  # a text shorter than this is a brief, never "contained"

_MASK32 = np.uint64(0xFFFFFFFF)
_rng = np.random.default_rng(20261124)  # fixed: signatures must be comparable forever
_PERM_A = _rng.integers(1, 2**63, NUM_PERM, dtype=np.uint64) | np.uint64(1)
_PERM_B = _rng.integers(0, 2**63, NUM_PERM, dtype=np.uint64)
_POSITION = _rng.integers(1, 2**63, SHINGLE_WORDS, dtype=np.uint64) | np.uint64(1)
_BAND_MIX = _rng.integers(1, 2**63, ROWS, dtype=np.uint64) | np.uint64(1)


@dataclass(frozen=True)
class Signature:
    values: np.ndarray  # NUM_PERM uint32 minimums
    shingles: int  # distinct shingles in the text
    lead: int = 0  # a key for the text's opening words

    @cached_property  # needed when looking up candidates and again when storing them
    def band_keys(self) -> list[int]:
        """One key per band, then the lead key; two texts sharing any key are candidates."""
        bands = self.values[: BANDS * ROWS].astype(np.uint64).reshape(BANDS, ROWS)
        with np.errstate(over="ignore"):
            mixed = (bands * _BAND_MIX).sum(axis=1) + np.arange(BANDS, dtype=np.uint64) * _POSITION[0]
        return [int(k) for k in mixed.astype(np.int64)] + [self.lead]

    def to_bytes(self) -> bytes:
        return self.values.astype("<u4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes, shingles: int) -> Signature:
        return cls(np.frombuffer(data, dtype="<u4").astype(np.uint32), shingles)


def _shingle_hashes(words: list[bytes]) -> np.ndarray:
    if not words:
        return np.empty(0, dtype=np.uint64)
    tokens = np.fromiter(map(zlib.crc32, words), dtype=np.uint64, count=len(words))
    k = min(SHINGLE_WORDS, len(tokens))
    with np.errstate(over="ignore"):
        mixed = sum(tokens[i : len(tokens) - k + 1 + i] * _POSITION[i] for i in range(k))
    return np.unique((mixed >> np.uint64(32)) ^ (mixed & _MASK32))


def sign(text: str) -> Signature:
    return sign_normalized(normalize_for_hash(text))


def sign_normalized(normalized: str) -> Signature:
    """The signature of a text already passed through `normalize_for_hash`."""
    words = normalized.encode("utf-8").split()
    shingles = _shingle_hashes(words)
    if shingles.size == 0:
        return Signature(np.full(NUM_PERM, 0xFFFFFFFF, dtype=np.uint32), 0)
    with np.errstate(over="ignore"):
        permuted = (_PERM_A[:, None] * shingles[None, :] + _PERM_B[:, None]) >> np.uint64(32)
    lead = int.from_bytes(hashlib.blake2b(b" ".join(words[:LEAD_WORDS]), digest_size=8).digest(), "little", signed=True)
    return Signature(permuted.min(axis=1).astype(np.uint32), int(shingles.size), lead)


def similarity(a: Signature, b: Signature) -> tuple[float, float]:
    """(estimated Jaccard, estimated share of the smaller text's shingles in the larger)."""
    if not a.shingles or not b.shingles:
        return 0.0, 0.0
    jaccard = float(np.mean(a.values == b.values))
    shared = jaccard * (a.shingles + b.shingles) / (1 + jaccard)
    return jaccard, min(1.0, shared / min(a.shingles, b.shingles))


def is_near_duplicate(a: Signature, b: Signature) -> bool:
    """Copies of one article: most shingles shared, or the shorter one (long enough not to
    be a brief quoting a sentence) almost wholly inside the longer one, as a teaser is."""
    jaccard, containment = similarity(a, b)
    return jaccard >= JACCARD_MIN or (
        min(a.shingles, b.shingles) >= CONTAINMENT_MIN_SHINGLES and containment >= CONTAINMENT_MIN
    )


def candidate_pairs(keys: Iterable[tuple[int, list[int]]]) -> set[tuple[int, int]]:
    """Pairs of ids (smaller first) that share a band key."""
    buckets: dict[tuple[int, int], list[int]] = defaultdict(list)
    for ident, band_keys in keys:
        for band, key in enumerate(band_keys):
            buckets[band, key].append(ident)
    return {(a, b) for ids in buckets.values() for i, a in enumerate(ids) for b in ids[i + 1 :]}


def near_duplicate_links(
    new: dict[str, Signature], stored: dict[str, Signature], candidates: Iterable[tuple[str, str]]
) -> list[tuple[str, str]]:
    """The pairs of copies among new articles, and between new and stored ones: the band
    keys' candidate pairs (`candidates`: new id, stored id) that pass the signature check."""
    pairs = candidate_pairs((ident, signature.band_keys) for ident, signature in new.items())
    return [(a, b) for a, b in sorted(pairs) if is_near_duplicate(new[a], new[b])] + [
        (a, b) for a, b in candidates if is_near_duplicate(new[a], stored[b])
    ]


def cluster(texts: list[str]) -> list[int]:
    """A cluster label per text, in memory: texts with equal labels are near-duplicates."""
    signatures = [sign(text) for text in texts]
    pairs = candidate_pairs((i, s.band_keys) for i, s in enumerate(signatures))
    edges = [(a, b) for a, b in pairs if is_near_duplicate(signatures[a], signatures[b])]
    roots = components(range(len(texts)), edges)
    return [roots[i] for i in range(len(texts))]
