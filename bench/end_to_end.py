"""newsmill against the obvious script, end to end, on the same corpus and the same cores.

    python -m bench.end_to_end [--articles 5000] [--repeat 3] [--processes 2] [--no-script] [--workdir DIR]

Writes a news corpus (bench/corpus.py: HTML pages and scraped text, about 30% near-copies,
about 10% German or Spanish, with what each file truly holds), then:
1. ingests it `--repeat` times into fresh warehouses: documents/s end to end and per stage,
   the peak memory of the run's process and its workers, Prefect's start-up;
2. runs the obvious script (bench/naive_script.py) on the same folder: the speed-up;
3. scores the text, duplicates and entities of both against the truth;
4. ingests the corpus again unchanged, then with 5% new articles added: the cost of each
   against the first run's processing time.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import threading
import time
from collections import Counter
from itertools import combinations
from pathlib import Path

import duckdb

from bench.corpus import write_news_corpus
from bench.naive_script import run as run_naive_script
from flows.ingest import ingest
from flows.options import RunOptions

COMPARED_LABELS = {
    "GPE": "GPE",
    "LOC": "GPE",
    "PERSON": "PERSON",
    "ORG": "ORG",
}  # the corpus's names: people, organizations, places


def main() -> None:
    # Imported here, not above: worker processes import this module, and the test
    # harness would make each of them load Prefect's whole server.
    from prefect.testing.utilities import prefect_test_harness

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3, help="newsmill runs; the figures are their medians")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--no-script", action="store_true", help="skip the obvious script (for memory runs)")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench-end-to-end")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus = args.workdir / "corpus"
    truth = write_news_corpus(corpus, args.articles)

    started = time.perf_counter()
    with prefect_test_harness():
        prefect_start = time.perf_counter() - started
        runs = [_ingest(corpus, args.workdir / f"newsmill-{i}.duckdb", args.processes) for i in range(args.repeat)]
        median = sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]
        script = None if args.no_script else _script(corpus, args.workdir / "script.duckdb")
        quality = {"newsmill": _newsmill_outputs(median["db"])}
        if script:
            quality["obvious script"] = _script_outputs(script["db"])
        again = _ingest(corpus, median["db"], args.processes)
        write_news_corpus(corpus, round(0.05 * args.articles), first=args.articles)
        new = _ingest(corpus, median["db"], args.processes)

    _print_speed(args, runs, median, script, prefect_start)
    _print_stages(median)
    _print_quality(quality, truth)
    _print_incremental(median, again, new)


def _ingest(corpus: Path, db: Path, processes: int) -> dict:
    with PeakMemory() as memory:
        started = time.perf_counter()
        summary = ingest([str(corpus)], db=str(db), options=RunOptions(processes=processes))
        wall = time.perf_counter() - started
    with duckdb.connect(str(db), read_only=True) as con:
        stages = con.execute(
            "SELECT stage, items, seconds FROM run_stages WHERE run_id = ?", [summary["run_id"]]
        ).fetchall()
    return {"db": db, "wall": wall, "summary": summary, "peak_mb": memory.peak_mb, "stages": stages}


def _script(corpus: Path, db: Path) -> dict:
    started = time.perf_counter()
    documents = run_naive_script(corpus, db)
    return {"db": db, "wall": time.perf_counter() - started, "documents": documents}


class PeakMemory:
    """The peak of the resident memory of this process and its descendants, sampled five
    times a second, leaving out the Prefect server (a child of the test harness)."""

    def __init__(self):
        self.peak_mb = 0.0
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(0.2):
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(pid) for pid in _descendants(os.getpid())))


def _descendants(root: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier and not _is_prefect_server(pid)]
        found += frontier
    return found


def _is_prefect_server(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            return b"uvicorn" in cmdline.read()
    except OSError:
        return False


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _newsmill_outputs(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT source_uri, text, cluster_id FROM articles").fetchall()
        mentions = con.execute(
            "SELECT a.source_uri, m.surface, m.label FROM mentions m JOIN articles a USING (article_id)"
        ).fetchall()
    return _outputs(
        ((Path(uri).name, text, cluster) for uri, text, cluster in articles),
        ((Path(uri).name, surface, label) for uri, surface, label in mentions),
    )


def _script_outputs(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return _outputs(
            con.execute("SELECT file, text, cluster FROM articles").fetchall(),
            con.execute("SELECT file, name, label FROM entities").fetchall(),
        )


def _outputs(articles, entities) -> dict:
    texts, clusters = {}, {}
    for file, text, cluster in articles:
        texts[file], clusters[file] = text, cluster
    named = {
        (file, _name(surface), COMPARED_LABELS[label]) for file, surface, label in entities if label in COMPARED_LABELS
    }
    return {"texts": texts, "clusters": clusters, "entities": named}


def _name(surface: str) -> str:
    return re.sub(r"^the\s+|'s$", "", surface.strip(), flags=re.IGNORECASE)


def _scores(found: int, true_found: int, expected: int) -> tuple[float, float, float]:
    precision = true_found / found if found else 0.0
    recall = true_found / expected if expected else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _text_scores(texts: dict[str, str], truth: list[dict]) -> tuple[float, float, float]:
    """Word-bag precision and recall of each file's text against its true body, over all files."""
    found = true_found = expected = 0
    for item in truth:
        words, gold = Counter(_words(texts.get(item["file"], ""))), Counter(_words(item["body"]))
        found, expected = found + sum(words.values()), expected + sum(gold.values())
        true_found += sum((words & gold).values())
    return _scores(found, true_found, expected)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _pair_scores(clusters: dict[str, str], truth: list[dict]) -> tuple[float, float, float]:
    """Pairs of files put in one cluster, against the pairs that are copies of one story."""

    def pairs(groups: dict[str, str]) -> set[tuple[str, str]]:
        members: dict[str, list[str]] = {}
        for file, group in groups.items():
            members.setdefault(group, []).append(file)
        return {pair for files in members.values() for pair in combinations(sorted(files), 2)}

    found, expected = pairs(clusters), pairs({item["file"]: item["story"] for item in truth})
    return _scores(len(found), len(found & expected), len(expected))


def _entity_scores(entities: set, truth: list[dict]) -> tuple[float, float, float]:
    """Distinct (name, label) per English file, against the names the file was written with."""
    english = {item["file"] for item in truth if item["language"] == "en"}
    expected = {
        (item["file"], name, label) for item in truth if item["file"] in english for name, label in item["entities"]
    }
    found = {e for e in entities if e[0] in english}
    return _scores(len(found), len(found & expected), len(expected))


def _print_speed(args, runs: list[dict], median: dict, script: dict | None, prefect_start: float) -> None:
    documents = median["summary"]["documents"]
    walls = [r["wall"] for r in runs]
    print(
        f"\n{args.articles} articles, {os.cpu_count()} cores; newsmill on {args.processes} processes, "
        f"median of {len(runs)} runs ({', '.join(f'{w:.1f}' for w in walls)} s)"
    )
    print(f"{'':<34}{'seconds':>9}{'docs/s':>9}")
    print(f"{'newsmill, end to end':<34}{median['wall']:>9.1f}{documents / median['wall']:>9.1f}")
    print(f"{'  of which the flow processing':<34}{median['summary']['seconds']:>9.1f}")
    if script:
        print(f"{'obvious script, one process':<34}{script['wall']:>9.1f}{script['documents'] / script['wall']:>9.1f}")
        print(f"speed-up: {script['wall'] / median['wall'] * documents / script['documents']:.2f}x")
    print(
        f"Prefect server start-up: {prefect_start:.1f} s; flow run start and finish: "
        f"{median['wall'] - median['summary']['seconds']:.1f} s"
    )
    print(f"peak memory (run and workers): {statistics.median(r['peak_mb'] for r in runs):.0f} MB")


def _print_stages(median: dict) -> None:
    print(f"\n{'stage':<26}{'items':>7}{'seconds':>9}{'docs/s':>9}")
    for stage, items, seconds in median["stages"]:
        print(f"{stage:<26}{items:>7}{seconds:>9.1f}{items / seconds if seconds else float('inf'):>9.0f}")


def _print_quality(quality: dict[str, dict], truth: list[dict]) -> None:
    print(f"\n{'quality (P / R / F1)':<22}" + "".join(f"{name:>24}" for name in quality))
    for label, score in [
        ("article text (words)", lambda q: _text_scores(q["texts"], truth)),
        ("duplicate pairs", lambda q: _pair_scores(q["clusters"], truth)),
        ("entities (EN files)", lambda q: _entity_scores(q["entities"], truth)),
    ]:
        print(f"{label:<22}" + "".join(f"{' / '.join(f'{v:.3f}' for v in score(q)):>24}" for q in quality.values()))


def _print_incremental(median: dict, again: dict, new: dict) -> None:
    first = median["summary"]["seconds"]
    print(f"\n{'run':<30}{'documents':>10}{'processed':>10}{'seconds':>9}{'of first':>9}")
    for name, run in [("first", median), ("again, unchanged", again), ("again, 5% new articles", new)]:
        summary = run["summary"]
        print(
            f"{name:<30}{summary['documents']:>10}{summary['documents'] - summary['unchanged']:>10}"
            f"{summary['seconds']:>9.2f}{summary['seconds'] / first:>9.1%}"
        )


if __name__ == "__main__":
    main()
