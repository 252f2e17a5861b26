"""Stories: the articles newsmill puts in one story beside the events they report, and an
obvious TF-IDF clustering baseline on the same articles.

    python -m bench.eval_stories FILE.jsonl [--processes N] [--baseline-threshold D]
        [--sweep] [--orders PARTS] [--json]

Input. FILE: JSON Lines (plain or gzip), one article a line with the fields the JSONL
reader accepts (README, "Input formats": url, title, text or html, published, ...) and an
`event` label: the real-world event it reports. Articles with one label should be one
story. A record without a label is ingested but not scored.

newsmill. FILE is ingested as it is into a fresh warehouse by the real flow
(`flows.ingest.ingest`, --processes processes, default 1), with a temporary Prefect server
unless one is configured. Each article's `source_uri` ends in `#LINE`, the record's line in
FILE (1-based, blank lines counted, as the reader counts them), which gives it back its
record's label. Scored: `articles.story_id`; an article with no story is a story of its own.
Records the flow rejects are counted by reason and not scored: every figure is over the
labelled articles.

Baseline. What one writes in a few lines without newsmill: the stored title and text of the
same articles, lowercased, as word tokens of 2+ word characters (`(?u)\\b\\w\\w+\\b`),
TF-IDF with scikit-learn's TfidfVectorizer semantics (sublinear tf 1 + ln tf, smooth idf
ln((1 + n) / (1 + df)) + 1, rows L2-normalized), cosine distance, average-linkage
agglomerative clustering (`scipy.cluster.hierarchy.linkage(..., "average")`) cut at one
cosine distance, --baseline-threshold (default BASELINE_THRESHOLD). --sweep also lists the
baseline's figures at every threshold from 0.50 to 0.95, in steps of 0.01.

Order. --orders PARTS splits the labelled records into PARTS files, as a backfill brings
days: by `published` day when every record has one (consecutive days together), else one
record to each part in turn, so every part holds some of every event. The parts are
ingested one run each, first to last into one warehouse and last to first into another,
and the two runs' stories are compared (B-cubed F1 of one against the other; 1.0: the same
stories), and each against the events.

Figures per system: stories (clusters) beside events; B-cubed precision, recall and F1 (per
article: the share of its story that reports its event, and of its event's articles in its
story; averaged over articles); pairwise precision, recall and F1 over all pairs of
articles (a true pair is two articles of one event); seconds: for newsmill the stories
stage as the run records it (the whole ingest is given beside it), for the baseline
vectorizing and clustering.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse
from scipy.cluster.hierarchy import fcluster, linkage
from scipy.spatial.distance import squareform

from bench.eval_dedup import pair_scores as pairwise
from bench.eval_extraction import _table, f1, ratio
from transforms.documents import file_uri
from warehouse.connection import read_only

NEWSMILL = "newsmill"
BASELINE = "baseline"
# The baseline's cosine distance cut, chosen by `--sweep` on ECB+ (the 920 of its 982
# articles the flow keeps, of 85 events): the threshold of the best B-cubed F1, so the
# baseline is compared at its best fixed threshold (BENCHMARKS.md, "Stories").
BASELINE_THRESHOLD = 0.75
SWEEP = tuple(round(0.50 + 0.01 * i, 2) for i in range(46))  # 0.50, 0.51, ..., 0.95

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


# ---------------------------------------------------------------- scores


def bcubed(truth: Sequence[Hashable], found: Sequence[Hashable]) -> dict:
    """B-cubed precision, recall and F1 of the clustering `found` against `truth` (a label
    per item each): per item, the share of its found cluster in its true cluster
    (precision) and of its true cluster in its found cluster (recall), averaged over items."""
    if len(truth) != len(found):
        raise ValueError(f"{len(truth)} true labels, {len(found)} found")
    cells = Counter(zip(truth, found))
    true_sizes, found_sizes = Counter(truth), Counter(found)
    precision = ratio(sum(n * n / found_sizes[f] for (_, f), n in cells.items()), len(truth))
    recall = ratio(sum(n * n / true_sizes[t] for (t, _), n in cells.items()), len(truth))
    return {"precision": precision, "recall": recall, "f1": f1(precision, recall)}


def scores(truth: Sequence[Hashable], found: Sequence[Hashable]) -> dict:
    return {"stories": len(set(found)), "bcubed": bcubed(truth, found), "pairwise": pairwise(truth, found)}


# ---------------------------------------------------------------- the labelled file


@dataclass(frozen=True)
class Labels:
    records: int  # non-blank lines
    events: dict[int, str]  # line (1-based) -> event, of the records that have one


def read_labels(path: Path) -> Labels:
    """The `event` of every record of a JSON Lines file (gzip or plain), by line number as
    the reader counts them: every b"\\n"-ended line, blank ones too, from 1."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    records, events = 0, {}
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        records += 1
        try:
            value = json.loads(line.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            continue  # the flow rejects it too
        if isinstance(value, dict) and value.get("event") not in (None, ""):
            events[number] = str(value["event"])
    return Labels(records, events)


def line_of(source_uri: str, prefix: str) -> int | None:
    """The line number of a record of the file whose `source_uri`s start `prefix#`."""
    head, hash_, line = source_uri.rpartition("#")
    return int(line) if hash_ and head == prefix and line.isdigit() else None


# ---------------------------------------------------------------- newsmill


def ingest(path: Path, db: Path, processes: int) -> dict:
    """`path` through the ingest flow into a fresh warehouse at `db`; the run's summary."""
    from flows.ingest import ingest as ingest_flow  # Prefect takes seconds to import; only this needs it
    from flows.options import RunOptions

    return ingest_flow([str(path)], db=str(db), options=RunOptions(processes=processes))


@dataclass(frozen=True)
class Stored:
    articles: list[tuple[int, str, str, str | None]]  # (line, title, text, story), by line
    rejects: dict[int, str]  # line -> reason
    stage_seconds: dict[str, float]


def stored(db: Path, path: Path) -> Stored:
    """What the warehouse at `db` holds of the records of `path`, by line."""
    prefix = file_uri(path.resolve())
    with read_only(db) as con:
        articles = sorted(
            (line, title or "", text or "", story)
            for uri, title, text, story in con.execute(
                "select source_uri, title, text, story_id from articles"
            ).fetchall()
            if (line := line_of(uri, prefix)) is not None
        )
        rejects = {
            line: reason
            for uri, reason in con.execute("select source_uri, reason from rejects").fetchall()
            if (line := line_of(uri, prefix)) is not None
        }
        stage_seconds = dict(con.execute("select stage, sum(seconds) from run_stages group by stage").fetchall())
    return Stored(articles, rejects, stage_seconds)


# ---------------------------------------------------------------- baseline


def tfidf(texts: Sequence[str]) -> sparse.csr_matrix:
    """Rows of L2-normalized TF-IDF weights of lowercased word tokens, as scikit-learn's
    TfidfVectorizer(sublinear_tf=True) computes them."""
    vocabulary: dict[str, int] = {}
    rows, columns, counts = [], [], []
    for row, text in enumerate(texts):
        for token, count in Counter(_TOKEN.findall(text.lower())).items():
            rows.append(row)
            columns.append(vocabulary.setdefault(token, len(vocabulary)))
            counts.append(count)
    shape = (len(texts), len(vocabulary))
    matrix = sparse.csr_matrix((np.array(counts, dtype=float), (rows, columns)), shape=shape)
    matrix.data = 1.0 + np.log(matrix.data)
    df = np.bincount(matrix.indices, minlength=shape[1])
    matrix = matrix @ sparse.diags(np.log((1 + shape[0]) / (1 + df)) + 1.0)
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    return sparse.csr_matrix(sparse.diags(1.0 / np.where(norms > 0, norms, 1.0)) @ matrix)


def average_linkage(texts: Sequence[str]) -> np.ndarray:
    """scipy's average-linkage tree of the texts over the cosine distance of their TF-IDF rows."""
    vectors = tfidf(texts)
    distances = np.clip(1.0 - (vectors @ vectors.T).toarray(), 0.0, 2.0)
    np.fill_diagonal(distances, 0.0)
    return linkage(squareform(distances, checks=False), method="average")


def cut(tree: np.ndarray, threshold: float) -> list[int]:
    """Cluster labels: the tree's clusters whose average distance is at most `threshold`."""
    return fcluster(tree, threshold, criterion="distance").tolist()


def baseline(texts: Sequence[str], threshold: float) -> list[int]:
    if len(texts) < 2:
        return list(range(len(texts)))
    return cut(average_linkage(texts), threshold)


def sweep(texts: Sequence[str], truth: Sequence[str], thresholds: Sequence[float] = SWEEP) -> list[dict]:
    """The baseline's figures at each threshold (one tree, cut at each)."""
    if len(texts) < 2:
        return []
    tree = average_linkage(texts)
    return [{"threshold": t, **scores(truth, cut(tree, t))} for t in thresholds]


# ---------------------------------------------------------------- evaluation


def evaluate(path: Path, processes: int, threshold: float, folder: Path, with_sweep: bool = False) -> dict:
    """Every figure for the labelled JSON Lines file at `path`."""
    labels = read_labels(path)
    started = time.perf_counter()
    run = ingest(path, folder / "warehouse.duckdb", processes)
    ingest_seconds = time.perf_counter() - started
    held = stored(folder / "warehouse.duckdb", path)
    scored = [a for a in held.articles if a[0] in labels.events]
    truth = [labels.events[line] for line, *_ in scored]
    # an article with no story is a story of its own
    stories = [story if story is not None else f"alone:{line}" for line, _, _, story in scored]
    texts = [f"{title}\n{text}" for _, title, text, _ in scored]

    started = time.perf_counter()
    found = baseline(texts, threshold)
    baseline_seconds = time.perf_counter() - started
    rejected = Counter(reason for line, reason in held.rejects.items() if line in labels.events)
    report = {
        "file": str(path),
        "records": labels.records,
        "labelled": len(labels.events),
        "events": len(set(labels.events.values())),
        "articles": len(held.articles),
        "scored": len(scored),
        "scored_events": len(set(truth)),
        "unlabelled_articles": len(held.articles) - len(scored),
        "rejected": sum(rejected.values()),
        "rejected_by_reason": dict(rejected.most_common()),
        "without_story": sum(story is None for *_, story in scored),
        "processes": processes,
        "ingest_seconds": round(ingest_seconds, 2),
        "run": {k: run[k] for k in ("documents", "articles", "rejects", "duplicates") if k in run},
        "systems": {
            NEWSMILL: {**scores(truth, stories), "seconds": held.stage_seconds.get("stories")},
            BASELINE: {**scores(truth, found), "seconds": round(baseline_seconds, 2), "threshold": threshold},
        },
    }
    if with_sweep:
        report["sweep"] = sweep(texts, truth)
    return report


def split(path: Path, parts: int, folder: Path) -> tuple[list[Path], dict[tuple[str, int], int]]:
    """The labelled records of `path` in `parts` files; (file uri, line) -> the line in `path`."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    lines = data.split(b"\n")
    labelled = sorted(read_labels(path).events)
    published = {n: json.loads(lines[n - 1]).get("published") for n in labelled}
    if all(isinstance(day, str) and day for day in published.values()):
        ordered = sorted(labelled, key=lambda n: (published[n][:10], n))
        size = -(-len(ordered) // parts)
        shares = [ordered[i * size : (i + 1) * size] for i in range(parts)]
    else:
        shares = [labelled[i::parts] for i in range(parts)]
    files, origin = [], {}
    for k, share in enumerate(shares):
        part = folder / f"part-{k + 1}.jsonl"
        part.write_bytes(b"".join(lines[n - 1] + b"\n" for n in share))
        files.append(part)
        origin.update(((file_uri(part.resolve()), i), n) for i, n in enumerate(share, 1))
    return files, origin


def ingest_in_order(files: Sequence[Path], db: Path, processes: int, origin: dict[tuple[str, int], int]) -> dict:
    """The files ingested one run each, in this order; line in the original file -> story."""
    for path in files:
        ingest(path, db, processes)
    with read_only(db) as con:
        rows = con.execute("select source_uri, story_id from articles").fetchall()
    found = {}
    for uri, story in rows:
        head, _, line = uri.rpartition("#")
        if (head, int(line)) in origin:
            found[origin[head, int(line)]] = story if story is not None else f"alone:{uri}"
    return found


def orders(path: Path, parts: int, processes: int, folder: Path) -> dict:
    """The stories of two ingest orders of the same parts, against each other and the events."""
    events = read_labels(path).events
    files, origin = split(path, parts, folder)
    forward = ingest_in_order(files, folder / "forward.duckdb", processes, origin)
    backward = ingest_in_order(files[::-1], folder / "backward.duckdb", processes, origin)
    lines = sorted(set(forward) & set(backward))
    truth = [events[n] for n in lines]
    return {
        "parts": parts,
        "articles": len(lines),
        "agreement": bcubed([forward[n] for n in lines], [backward[n] for n in lines]),
        "forward": scores(truth, [forward[n] for n in lines]),
        "backward": scores(truth, [backward[n] for n in lines]),
    }


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def summary(report: dict) -> str:
    header = ["method", "stories", "B3 P", "B3 R", "B3 F1", "pair P", "pair R", "pair F1", "seconds"]
    rows = [
        [
            name if name == NEWSMILL else f"{name} (cut {s['threshold']:.2f})",
            f"{s['stories']}",
            *(f"{s['bcubed'][k]:.3f}" for k in ("precision", "recall", "f1")),
            *(f"{s['pairwise'][k]:.3f}" for k in ("precision", "recall", "f1")),
            _seconds(s["seconds"]),
        ]
        for name, s in report["systems"].items()
    ]
    reasons = ", ".join(f"{n} {reason}" for reason, n in report["rejected_by_reason"].items())
    unlabelled = report["unlabelled_articles"]
    lines = [
        f"{report['file']}: {_count(report['records'], 'record')}, {report['labelled']} labelled with "
        f"{_count(report['events'], 'event')}; {_count(report['rejected'], 'labelled record')} rejected"
        + (f" ({reasons})" if reasons else "")
        + f"; scored: {_count(report['scored'], 'article')} of {_count(report['scored_events'], 'event')}"
        + (f" ({_count(unlabelled, 'unlabelled article')} not scored)" if unlabelled else ""),
    ]
    if report["without_story"]:
        lines.append(f"{report['without_story']} articles without a story, each scored as a story of its own")
    lines += [
        "",
        _table(header, rows),
        "",
        f"newsmill's whole ingest: {report['ingest_seconds']:.1f} s ({report['processes']} "
        f"process{'es' if report['processes'] > 1 else ''}); its seconds above are the stories stage's",
    ]
    if "orders" in report:
        o = report["orders"]
        lines += [
            "",
            f"in {o['parts']} parts, first to last and last to first ({o['articles']} articles): the two orders' "
            f"stories agree at B-cubed F1 {o['agreement']['f1']:.3f}; against the events "
            f"{o['forward']['bcubed']['f1']:.3f} and {o['backward']['bcubed']['f1']:.3f}",
        ]
    if "sweep" in report:
        best = max(report["sweep"], key=lambda s: s["bcubed"]["f1"], default=None)
        sweep_rows = [
            [
                f"{s['threshold']:.2f}" + (" best" if s is best else ""),
                f"{s['stories']}",
                *(f"{s['bcubed'][k]:.3f}" for k in ("precision", "recall", "f1")),
                f"{s['pairwise']['f1']:.3f}",
            ]
            for s in report["sweep"]
        ]
        lines += [
            "",
            "baseline by threshold (cosine distance cut):",
            _table(["threshold", "stories", "B3 P", "B3 R", "B3 F1", "pair F1"], sweep_rows),
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval_stories", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("jsonl", type=Path, metavar="FILE.jsonl", help="JSON Lines records with an `event` label")
    parser.add_argument("--processes", type=int, default=1, metavar="N", help="ingest processes (default 1)")
    parser.add_argument(
        "--baseline-threshold",
        type=float,
        default=BASELINE_THRESHOLD,
        metavar="D",
        help=f"the baseline's cosine distance cut (default {BASELINE_THRESHOLD}, its best on ECB+)",
    )
    parser.add_argument("--sweep", action="store_true", help="also list the baseline's figures across thresholds")
    parser.add_argument(
        "--orders", type=int, metavar="PARTS", help="also ingest the records in PARTS parts in two orders and compare"
    )
    parser.add_argument("--json", action="store_true", help="print every figure as JSON instead of the table")
    args = parser.parse_args(argv)
    if not args.jsonl.is_file():
        parser.error(f"not a file: {args.jsonl}")
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    if args.orders is not None and args.orders < 2:
        parser.error("--orders needs at least 2 parts")
    if not 0.0 <= args.baseline_threshold <= 2.0:
        parser.error("--baseline-threshold is a cosine distance, from 0 to 2")
    if not read_labels(args.jsonl).events:
        parser.error(f"no record of {args.jsonl} has an `event` label")
    with tempfile.TemporaryDirectory(prefix="eval_stories-") as folder:
        report = evaluate(args.jsonl, args.processes, args.baseline_threshold, Path(folder), args.sweep)
        if args.orders:
            report["orders"] = orders(args.jsonl, args.orders, args.processes, Path(folder))
    print(json.dumps(report, indent=1) if args.json else summary(report), flush=True)
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
