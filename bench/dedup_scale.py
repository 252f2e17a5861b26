"""Near-duplicate detection against a large warehouse: cost follows the new articles.

    python -m bench.dedup_scale [--history 100000] [--new 100000] [--batch 1000]

Loads --history generated articles (with their MinHash signatures and LSH band keys)
into a fresh warehouse, then runs the ingest flow's duplicate stage on --new more, batch
by batch, loading each batch so the next one sees it. One new article in twenty is an
edited copy of a stored one (4% of its words replaced). Prints articles per second for the duplicate stage alone
(signing, LSH look-ups in the warehouse, verification, clustering) and with the loads.
Articles are random text over a 30,000-word vocabulary with a Zipf distribution, so
unrelated articles share almost no shingles, as unrelated news articles do.
"""

from __future__ import annotations

import argparse
import dataclasses
import tempfile
import time
from collections import Counter
from pathlib import Path

import numpy as np

from flows.ingest import Duplicates
from flows.stages import Batch
from transforms import neardup
from transforms.dedup import hash_normalized, normalize_for_hash
from transforms.documents import Article, Document
from warehouse import RunRecord, Warehouse

VOCABULARY = 30_000


def texts(count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    words = np.array([f"w{n}" for n in range(VOCABULARY)])
    ranks = np.arange(1, VOCABULARY + 1)
    weights = 1 / ranks**1.1
    weights /= weights.sum()
    out = []
    for _ in range(count):
        drawn = words[rng.choice(VOCABULARY, size=rng.integers(400, 600), p=weights)]
        out.append("\n".join(" ".join(drawn[i : i + 60]) + "." for i in range(0, len(drawn), 60)))
    return out


def edited(text: str, rng: np.random.Generator) -> str:
    words = text.split(" ")
    for i in rng.choice(len(words), size=len(words) // 25, replace=False):
        words[i] = "edited"
    return " ".join(words)


def article(name: str, text: str) -> Article:
    return Article(Document(f"/bench/{name}", "txt", name, len(text)), text=text, language="xx", language_prob=1.0)


def signed(article: Article) -> Article:
    """The article with its content hash and MinHash signature, as the ingest's annotate stage gives them."""
    normalized = normalize_for_hash(article.text)
    return dataclasses.replace(
        article, content_hash=hash_normalized(normalized), signature=neardup.sign_normalized(normalized)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--history", type=int, default=100_000)
    parser.add_argument("--new", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench-dedup")
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "warehouse.duckdb"
    db.unlink(missing_ok=True)

    started = time.perf_counter()
    history = texts(args.history, seed=1)
    rng = np.random.default_rng(2)
    fresh = texts(args.new, seed=3)
    copied = rng.choice(args.history, size=args.new // 20, replace=False)
    for slot, source in zip(range(0, args.new, 20), copied):
        fresh[slot] = edited(history[source], rng)
    print(f"generated {args.history:,} + {args.new:,} articles in {time.perf_counter() - started:.0f} s", flush=True)

    with Warehouse(db) as warehouse:
        load_seconds = dedup_seconds = 0.0
        for phase, corpus in (("history", history), ("new", fresh)):
            duplicates = 0
            for start in range(0, len(corpus), args.batch):
                items = [
                    article(f"{phase}/{n}", text) for n, text in enumerate(corpus[start : start + args.batch], start)
                ]
                began = time.perf_counter()
                items = [signed(a) for a in items]
                clusters = Duplicates(warehouse).run(Batch(items)).clusters
                seconds = time.perf_counter() - began
                began = time.perf_counter()
                warehouse.write_batch(RunRecord(), items, [], clusters)
                load = time.perf_counter() - began
                sizes = Counter(cluster for cluster, _ in clusters.values())
                duplicates += sum(1 for a in items if sizes[clusters[a.article_id][0]] > 1)
                if phase == "new":
                    dedup_seconds += seconds
                    load_seconds += load
            print(f"{phase:>8}: {len(corpus):,} articles, {duplicates:,} in a cluster with another article", flush=True)

    new = args.new
    print(
        f"\nduplicate stage on {new:,} new articles against {args.history:,} stored: "
        f"{dedup_seconds:.1f} s, {new / dedup_seconds:,.0f} articles/s"
    )
    print(
        f"with loading each batch: {dedup_seconds + load_seconds:.1f} s, "
        f"{new / (dedup_seconds + load_seconds):,.0f} articles/s"
    )


if __name__ == "__main__":
    main()
