"""The process runner: how much faster a run is on more processes, and where time goes.

    python -m bench.scale_out [--documents 2000] [--processes 1 2] [--workdir DIR]

Writes a mixed folder (text files with residue, HTML pages, a JSON Lines feed, a WARC;
bench/corpus.py) and ingests it into a fresh warehouse once per process count. Times are
the flow's own processing time: Prefect start-up is excluded (one Prefect server serves
every run); starting the worker processes and loading their models is included. The
stage table is the runs' `run_stages`.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import duckdb

from bench.corpus import write_mixed_folder
from flows.ingest import ingest
from flows.options import RunOptions


def main() -> None:
    # Imported here, not above: each worker process starts by importing this module, as
    # it would import the `newsmill` command, and the test harness pulls in Prefect's
    # whole server (1.7 s more per worker).
    from prefect.testing.utilities import prefect_test_harness

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=2000)
    parser.add_argument("--processes", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench-scale-out")
    args = parser.parse_args()
    shutil.rmtree(args.workdir, ignore_errors=True)
    folder = args.workdir / "input"
    write_mixed_folder(folder, args.documents)

    runs = {}
    with prefect_test_harness():
        for processes in args.processes:
            db = args.workdir / f"warehouse-{processes}.duckdb"
            runs[processes] = ingest([str(folder)], db=str(db), options=RunOptions(processes=processes))

    first = runs[args.processes[0]]
    print(f"{'processes':>9} {'documents':>9} {'articles':>8} {'seconds':>8} {'docs/s':>7} {'speed-up':>8}")
    for processes, run in runs.items():
        print(
            f"{processes:>9} {run['documents']:>9} {run['articles']:>8} {run['seconds']:>8.1f} "
            f"{run['documents'] / run['seconds']:>7.1f} {first['seconds'] / run['seconds']:>7.2f}x"
        )
    print()
    print(f"{'stage':<24}" + "".join(f"{f'{p} proc. s':>12}" for p in runs))
    stages = {p: _stages(args.workdir / f"warehouse-{p}.duckdb") for p in runs}
    for stage in stages[args.processes[0]]:
        print(f"{stage:<24}" + "".join(f"{stages[p].get(stage, 0):>12.1f}" for p in runs))


def _stages(db: Path) -> dict[str, float]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("SELECT stage, seconds FROM run_stages").fetchall())


if __name__ == "__main__":
    main()
