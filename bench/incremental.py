"""Re-ingesting costs only what changed.

    python -m bench.incremental [--documents 400] [--workdir DIR]

Writes a mixed folder (text files with residue, HTML pages, a JSON Lines feed, a WARC;
bench/corpus.py), ingests it into a fresh warehouse, ingests it again unchanged, then
edits 5% of the text files and ingests once more. Times are the flow's own processing
time: Prefect start-up is excluded (one Prefect server serves all three runs).
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

from prefect.testing.utilities import prefect_test_harness

from bench.corpus import write_mixed_folder
from flows.ingest import ingest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=400)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench-incremental")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    folder, db = args.workdir / "input", args.workdir / "warehouse.duckdb"
    write_mixed_folder(folder, args.documents)

    with prefect_test_harness():
        first = ingest([str(folder)], db=str(db))
        again = ingest([str(folder)], db=str(db))
        texts = sorted(folder.glob("text_*.txt"))
        edited = texts[: max(1, round(0.05 * args.documents))]
        for path in edited:
            path.write_text(path.read_text() + "\nThe council will publish its response next week.\n")
        changed = ingest([str(folder)], db=str(db))

    print(f"{'run':<28} {'documents':>9} {'loaded':>7} {'seconds':>8} {'of first':>9}")
    for name, run in [
        ("first ingest", first),
        ("again, unchanged", again),
        (f"again, {len(edited)} files edited", changed),
    ]:
        loaded = run["documents"] - run["unchanged"]
        print(
            f"{name:<28} {run['documents']:>9} {loaded:>7} {run['seconds']:>8.2f} {run['seconds'] / first['seconds']:>8.1%}"
        )


if __name__ == "__main__":
    main()
