"""Peak memory of ingesting WARC files of growing size: streaming keeps it flat.

    python -m bench.streaming --sizes-mb 50 500 [--workdir DIR]

Writes a gzipped WARC of each size from generated pages (bench/corpus.py), ingests
each into a fresh warehouse in its own process, and prints that process's peak
resident memory, its processing time (Prefect start-up excluded) and pages per second.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.corpus import write_warc


def child(warc: Path, db: Path) -> None:
    from flows.ingest import ingest

    summary = ingest([str(warc)], db=str(db))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"peak_rss_mb": round(peak_mb, 1), **summary}))


def measure(warc: Path, workdir: Path) -> dict:
    db = workdir / f"{warc.stem}.duckdb"
    db.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "bench.streaming", "--child", str(warc), str(db)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes-mb", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench")
    parser.add_argument("--child", nargs=2, type=Path, metavar=("WARC", "DB"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(*args.child)
    args.workdir.mkdir(parents=True, exist_ok=True)
    print(f"{'WARC':>9}  {'pages':>6}  {'peak RSS':>9}  {'seconds':>8}  {'pages/s':>7}")
    baseline = None
    for size in args.sizes_mb:
        warc = args.workdir / f"bench-{size}mb.warc.gz"
        if not warc.exists():
            write_warc(warc, size * 2**20)
        result = measure(warc, args.workdir)
        baseline = baseline or result["peak_rss_mb"]
        print(
            f"{warc.stat().st_size / 2**20:>6.0f} MB  {result['documents']:>6}  {result['peak_rss_mb']:>6.0f} MB"
            f"  {result['seconds']:>8.1f}  {result['documents'] / result['seconds']:>7.1f}"
            f"   ({result['peak_rss_mb'] / baseline:.2f}x the first)",
            flush=True,
        )


if __name__ == "__main__":
    main()
