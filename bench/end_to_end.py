"""newsmill against the obvious script, end to end, on the same corpus and the same cores:
the whole command as a user waits for it.

    python -m bench.end_to_end [--articles 5000 | --real-pages DIR] [--repeat 3] [--processes 2]
        [--no-script] [--settings no-server server warm] [--workdir DIR]

The corpus is either
- synthetic (default; bench/corpus.py `write_news_corpus`): `--articles` HTML pages and
  scraped text, about 30% near-copies, about 10% German or Spanish, with what each file
  truly holds (body, story, language, named entities); the 5% new files of the
  incremental run are `write_news_corpus`'s next articles; or
- real pages (`--real-pages DIR`, trafilatura's evaluation set: DIR/evaldata.json and
  DIR/html/NAME.gz; bench/corpus.py `write_real_page_corpus`): every page as it is, and
  about 30% more files made from them, re-scrapes and syndicated copies. 5% of its files,
  drawn with a fixed seed, are held back from the first runs and are the incremental
  run's new files; the first runs are scored on the files they saw.

Every run is a subprocess, timed from spawn to exit:
- newsmill: `newsmill ingest CORPUS --db DB --processes N` (the console script's
  `flows.warm:run`), in three settings: with no Prefect server (no PREFECT_API_URL:
  Prefect starts a temporary server for the run); with one running (this benchmark
  starts `prefect server start` on a free port with a temporary PREFECT_HOME, waits for
  its health check, and stops it at the end, also when the benchmark is interrupted or
  killed); and with that server and `newsmill serve` running (its schedule set to a day
  of the year the runs never reach), whose warm process starts each command's run
  (flows/warm.py; the benchmark waits until it answers). `--repeat` runs each, into fresh warehouses; the
  figures are medians. Beside the whole command: the run's processing time (`seconds` in
  the summary it prints: from the flow's start to its summary) and the difference, the
  fixed cost (interpreter, imports, Prefect's server and flow run, the workers' start).
- the obvious script (bench/naive_script.py): `python -m bench.naive_script CORPUS DB`,
  `--repeat` times, into fresh warehouses, with no Prefect server running.
Each setting first makes one untimed run on a one-file folder: it creates the fresh
PREFECT_HOME's database and warms the file cache, as any earlier run on a machine has.
Then, on each setting's median warehouse: a run again with nothing new, and one with the
5% new files added. Peak memory: the resident memory of the subprocess and its
descendants (with `newsmill serve`, the warm process's copy that runs the command, and
its workers, instead), sampled five times a second, leaving out Prefect's server (uvicorn).

Quality of both sides, from the median warehouses:
- synthetic: article text (word bag against the true body), duplicate pairs (against the
  copies of one story), entities (distinct name and label per English file), language;
- real pages: article text as trafilatura's evaluation scores it (bench/eval_extraction:
  `with` snippets found, `without` snippets leaked, on the original pages; also with
  curly quotes folded, as newsmill straightens them), word bag on the syndicated copies
  against the paragraphs they were written with, duplicate pairs, and the share of files
  whose detected language is the page's declared <html lang>. Real pages carry no entity
  labels: entity quality is measured on the synthetic corpus and on CoNLL (bench.eval_ner).
Left out: the time to write the corpus, and the Prefect server's own start-up (printed).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from contextlib import nullcontext
from itertools import combinations
from pathlib import Path

import duckdb
import psutil

from bench.corpus import write_news_corpus, write_real_page_corpus
from bench.eval_extraction import snippet_counts, snippet_scores

ROOT = Path(__file__).resolve().parents[1]
COMPARED_LABELS = {
    "GPE": "GPE",
    "LOC": "GPE",
    "PERSON": "PERSON",
    "ORG": "ORG",
}  # the corpus's names: people, organizations, places
NO_SERVER, SERVER, WARM = "no Prefect server", "Prefect server running", "server and `newsmill serve`"
SETTINGS = {"no-server": NO_SERVER, "server": SERVER, "warm": WARM}  # as --settings names them
NEWSMILL = [sys.executable, "-c", "from flows.warm import run; run()"]  # the `newsmill` console script
_SUMMARY = re.compile(
    r"(\d+) documents: (\d+) loaded, (\d+) unchanged \((?:run (\S+), |nothing new, )([\d.]+) s, warehouse"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=5000, help="synthetic corpus size")
    parser.add_argument("--real-pages", type=Path, metavar="DIR", help="trafilatura's evaluation set, as the corpus")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each side; the figures are their medians")
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--no-script", action="store_true", help="skip the obvious script (for memory runs)")
    parser.add_argument(
        "--settings",
        nargs="+",
        choices=SETTINGS,
        default=list(SETTINGS),
        help="which of newsmill's settings to run (default: all three)",
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench-end-to-end")
    args = parser.parse_args()
    if args.real_pages and not (args.real_pages / "evaldata.json").is_file():
        parser.error(f"no evaldata.json in {args.real_pages}")
    _exit_on_signals()
    shutil.rmtree(args.workdir, ignore_errors=True)
    corpus, held_back = args.workdir / "corpus", args.workdir / "held-back"
    if args.real_pages:
        truth, new_truth = _real_pages(args.real_pages, corpus, held_back)
        described = f"{len(truth)} files from {args.real_pages} (bench/corpus.py write_real_page_corpus)"
    else:
        truth = write_news_corpus(corpus, args.articles)
        new_truth = write_news_corpus(held_back, round(0.05 * args.articles), first=args.articles)
        described = f"{args.articles} synthetic articles (bench/corpus.py write_news_corpus)"
    warmup = args.workdir / "warm-up"
    warmup.mkdir()
    shutil.copy(corpus / truth[0]["file"], warmup)

    env = _environment(args.workdir / "prefect-home")
    settings = {}
    for setting in (SETTINGS[name] for name in args.settings):
        if setting == NO_SERVER:
            settings[setting] = _newsmill_runs(args, env, setting, corpus, held_back, warmup)
        else:
            with PrefectServer(args.workdir / f"prefect-server-home-{setting}", env) as server:
                served = {**env, "PREFECT_API_URL": server.api_url}
                with Serving(args.workdir / "serve", served) if setting == WARM else nullcontext() as serving:
                    warm = serving.warm_pid if serving else None
                    settings[setting] = _newsmill_runs(args, served, setting, corpus, held_back, warmup, warm)
                settings[setting]["server_start"] = server.start_seconds
    script = None
    if not args.no_script:
        _command(
            [sys.executable, "-m", "bench.naive_script", str(warmup), str(args.workdir / "warm-up-script.duckdb")], env
        )
        runs = [_script(corpus, args.workdir / f"script-{i}.duckdb", env) for i in range(args.repeat)]
        script = {"runs": runs, "median": _median(runs)}

    files = len(truth)
    _print_speed(args, described, files, settings, script)
    setting = next(s for s in (SERVER, WARM, NO_SERVER) if s in settings)  # stages and quality: with a server, if run
    shown = settings[setting]
    _print_stages(shown["median"], setting)
    quality = {"newsmill": shown["outputs"]}
    if script:
        quality["obvious script"] = _script_outputs(script["median"]["db"])
    if args.real_pages:
        _print_real_quality(quality, truth)
    else:
        _print_synthetic_quality(quality, truth)
    _print_incremental(settings, script, len(new_truth))


def _real_pages(eval_dir: Path, corpus: Path, held_back: Path) -> tuple[list[dict], list[dict]]:
    """The real-page corpus in `corpus`, 5% of its files (seeded) moved to `held_back`:
    (truth of the files left, truth of those held back)."""
    truth = write_real_page_corpus(corpus, eval_dir)
    held = set(random.Random(0).sample([t["file"] for t in truth], round(0.05 * len(truth))))
    held_back.mkdir(parents=True)
    for name in held:
        (corpus / name).rename(held_back / name)
    return [t for t in truth if t["file"] not in held], [t for t in truth if t["file"] in held]


def _newsmill_runs(
    args, env: dict, setting: str, corpus: Path, held_back: Path, warmup: Path, warm: int | None = None
) -> dict:
    """`--repeat` first runs into fresh warehouses; on the median one, a run again with
    nothing new, then one with the held-back files added (moved back out afterwards)."""
    name = next(name for name, named in SETTINGS.items() if named == setting)
    _ingest(warmup, args.workdir / f"warm-up-{name}.duckdb", args.processes, env, warm)
    runs = [
        _ingest(corpus, args.workdir / f"newsmill-{name}-{i}.duckdb", args.processes, env, warm)
        for i in range(args.repeat)
    ]
    median = _median(runs)
    outputs = _newsmill_outputs(median["db"])
    again = _ingest(corpus, median["db"], args.processes, env, warm)
    added = sorted(held_back.iterdir())
    for path in added:
        path.rename(corpus / path.name)
    try:
        new = _ingest(corpus, median["db"], args.processes, env, warm)
    finally:
        for path in added:
            (corpus / path.name).rename(path)
    return {"runs": runs, "median": median, "outputs": outputs, "again": again, "new": new}


def _median(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["wall"])[len(runs) // 2]


# ---------------------------------------------------------------- running commands


def _environment(prefect_home: Path) -> dict:
    """This environment without a Prefect API or profile, Prefect's home a fresh folder
    (no earlier runs, no profile), its analytics off, and this checkout's code first."""
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_PROFILE", "PREFECT_API_KEY")}
    prefect_home.mkdir(parents=True, exist_ok=True)
    env.update(
        PREFECT_HOME=str(prefect_home),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PYTHONPATH=os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])]),
    )
    return env


def _command(argv: list[str], env: dict, warm: int | None = None) -> dict:
    """Runs `argv` to its end: {"wall": seconds from spawn to exit, "peak_mb", "stdout"};
    raises with its error output when it fails."""
    with tempfile.TemporaryFile() as errors:
        started = time.perf_counter()
        process = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=errors)
        with PeakMemory(process.pid, warm) as memory:
            stdout, _ = process.communicate()
        wall = time.perf_counter() - started
        if process.returncode:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-3000:]
            raise RuntimeError(f"{' '.join(argv)} exited with {process.returncode}:\n{tail}")
    return {"wall": wall, "peak_mb": memory.peak_mb, "stdout": stdout.decode(errors="replace")}


def _ingest(corpus: Path, db: Path, processes: int, env: dict, warm: int | None = None) -> dict:
    ran = _command([*NEWSMILL, "ingest", str(corpus), "--db", str(db), "--processes", str(processes)], env, warm)
    found = _SUMMARY.search(ran["stdout"])
    if not found:
        raise RuntimeError(f"no summary in newsmill's output:\n{ran['stdout']}")
    documents, loaded, unchanged, run_id, seconds = found.groups()
    stages = []
    if run_id:
        with duckdb.connect(str(db), read_only=True) as con:
            stages = con.execute("SELECT stage, items, seconds FROM run_stages WHERE run_id = ?", [run_id]).fetchall()
    return {
        **ran,
        "db": db,
        "documents": int(documents),
        "loaded": int(loaded),
        "unchanged": int(unchanged),
        "seconds": float(seconds),
        "stages": stages,
    }


def _script(corpus: Path, db: Path, env: dict) -> dict:
    ran = _command([sys.executable, "-m", "bench.naive_script", str(corpus), str(db)], env)
    return {**ran, "db": db, "documents": int(ran["stdout"].split()[-1])}


def _exit_on_signals() -> None:
    """SIGTERM and SIGHUP end the benchmark as Ctrl-C does: through its `finally`s, which
    stop the Prefect server it started."""

    def leave(signum, frame):
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGHUP, leave)


def _die_with_parent() -> None:
    """In the server's process: SIGTERM when the benchmark's process dies, however it dies (Linux)."""
    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


class PrefectServer:
    """`prefect server start` on a free port of 127.0.0.1 with PREFECT_HOME `home`, in a
    process group of its own: up and healthy within the block, stopped at its end."""

    def __init__(self, home: Path, env: dict, timeout: float = 180.0):
        self.home, self.env, self.timeout = home, env, timeout
        self.process: subprocess.Popen | None = None
        self.api_url = ""
        self.start_seconds = 0.0

    def __enter__(self) -> PrefectServer:
        self.home.mkdir(parents=True, exist_ok=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        self.api_url = f"http://127.0.0.1:{port}/api"
        log = (self.home / "server.log").open("wb")
        started = time.perf_counter()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env={**self.env, "PREFECT_HOME": str(self.home)},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        log.close()
        try:
            self._wait_healthy()
        except BaseException:
            self._stop()
            raise
        self.start_seconds = time.perf_counter() - started
        return self

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"prefect server exited: {(self.home / 'server.log').read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.api_url}/health", timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"prefect server not healthy after {self.timeout:.0f} s")

    def __exit__(self, *exc) -> None:
        self._stop()

    def _stop(self) -> None:
        """SIGTERM to its process group, SIGKILL after 20 s."""
        if self.process is None or self.process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                return
            try:
                self.process.wait(wait)
                return
            except subprocess.TimeoutExpired:
                continue


class Serving:
    """`newsmill serve` with a landing folder and a warehouse of its own, its schedule on a
    day the runs never reach: running within the block once its warm process answers
    (flows/warm.py), stopped at its end."""

    def __init__(self, folder: Path, env: dict, timeout: float = 120.0):
        self.folder, self.env, self.timeout = folder, env, timeout

    def __enter__(self) -> Serving:
        from flows import warm

        (self.folder / "landing").mkdir(parents=True, exist_ok=True)
        argv = ["serve", "--landing", str(self.folder / "landing"), "--db", str(self.folder / "serve.duckdb")]
        self.process = subprocess.Popen(
            [*NEWSMILL, *argv, "--cron", "0 0 29 2 *"],
            env=self.env,
            cwd=ROOT,
            stdout=(self.folder / "serve.log").open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )
        deadline = time.monotonic() + self.timeout
        while not ((path := warm.socket_path(self.env, ROOT)) and warm.hand_over_possible(path)):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__()
                raise RuntimeError(
                    f"newsmill serve's warm process did not answer: {(self.folder / 'serve.log').read_text()[-3000:]}"
                )
            time.sleep(0.2)
        warm = [child for child in psutil.Process(self.process.pid).children() if "flows.warm" in child.cmdline()]
        self.warm_pid = warm[0].pid
        return self

    def __exit__(self, *exc) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # serve stops on SIGTERM; its warm process with it
            self.process.wait(60)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)  # what is left of its session: flow runs still going
        except ProcessLookupError:
            pass


class PeakMemory:
    """The peak of the resident memory of process `root` and its descendants, sampled five
    times a second, leaving out a Prefect server (uvicorn) among them and its children;
    with `warm`, also the descendants of that warm process (not itself): the copy that
    runs the command, and its workers."""

    def __init__(self, root: int, warm: int | None = None):
        self.root, self.warm = root, warm
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
        while True:
            pids = _descendants(self.root) + (_descendants(self.warm)[1:] if self.warm else [])
            self.peak_mb = max(self.peak_mb, sum(_rss_mb(pid) for pid in pids))
            if self._done.wait(0.2):
                return


def _descendants(root: int) -> list[int]:
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
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


# ---------------------------------------------------------------- what each side wrote


def _newsmill_outputs(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        articles = con.execute("SELECT source_uri, text, language, cluster_id FROM articles").fetchall()
        mentions = con.execute(
            "SELECT a.source_uri, m.surface, m.label FROM mentions m JOIN articles a USING (article_id)"
        ).fetchall()
    return _outputs(
        ((Path(uri).name, text, language, cluster) for uri, text, language, cluster in articles),
        ((Path(uri).name, surface, label) for uri, surface, label in mentions),
    )


def _script_outputs(db: Path) -> dict:
    with duckdb.connect(str(db), read_only=True) as con:
        return _outputs(
            con.execute("SELECT file, text, language, cluster FROM articles").fetchall(),
            con.execute("SELECT file, name, label FROM entities").fetchall(),
        )


def _outputs(articles, entities) -> dict:
    texts, languages, clusters = {}, {}, {}
    for file, text, language, cluster in articles:
        texts[file], languages[file], clusters[file] = text, language, cluster
    named = {
        (file, _name(surface), COMPARED_LABELS[label]) for file, surface, label in entities if label in COMPARED_LABELS
    }
    return {"texts": texts, "languages": languages, "clusters": clusters, "entities": named}


def _name(surface: str) -> str:
    return re.sub(r"^the\s+|'s$", "", surface.strip(), flags=re.IGNORECASE)


# ---------------------------------------------------------------- scores


def _scores(found: int, true_found: int, expected: int) -> tuple[float, float, float]:
    precision = true_found / found if found else 0.0
    recall = true_found / expected if expected else 0.0
    return precision, recall, 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def _text_scores(texts: dict[str, str], truth: list[dict]) -> tuple[float, float, float]:
    """Word-bag precision and recall of each file's text against its true body, over the
    files whose body is known."""
    found = true_found = expected = 0
    for item in truth:
        if "body" not in item:
            continue
        words, gold = Counter(_words(texts.get(item["file"], ""))), Counter(_words(item["body"]))
        found, expected = found + sum(words.values()), expected + sum(gold.values())
        true_found += sum((words & gold).values())
    return _scores(found, true_found, expected)


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def _snippet_scores(texts: dict[str, str], truth: list[dict], fold_quotes: bool = False) -> tuple[float, float, float]:
    """trafilatura's evaluation (bench/eval_extraction) over the files with snippets: a
    file with no text finds none and leaks none."""
    pages = []
    for item in truth:
        if "with" in item:
            found, leaked = snippet_counts(texts.get(item["file"], ""), item["with"], item["without"], fold_quotes)
            pages.append({"found": found, "leaked": leaked})
    scores = snippet_scores(pages)
    return scores["precision"], scores["recall"], scores["f1"]


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


def _language_share(languages: dict[str, str], truth: list[dict]) -> tuple[int, int]:
    """(files whose detected language's primary subtag is the true one, files with a true language)."""
    known = [item for item in truth if item["language"]]
    right = sum((languages.get(item["file"]) or "").split("-")[0].lower() == item["language"] for item in known)
    return right, len(known)


# ---------------------------------------------------------------- tables


def _print_speed(args, described: str, files: int, settings: dict, script: dict | None) -> None:
    print(
        f"\n{described}; {os.cpu_count()} cores; newsmill on {args.processes} process{'es' if args.processes > 1 else ''}; "
        f"medians of {args.repeat} runs each, into fresh warehouses; whole command = spawn to exit"
    )
    header = f"{'':<34}{'whole command':>14}{'processing':>11}{'fixed cost':>11}{'files/s':>9}{'peak MB':>9}  runs (s)"
    print(header)
    for setting, done in settings.items():
        median, runs = done["median"], done["runs"]
        print(
            f"{'newsmill, ' + setting:<34}{median['wall']:>14.1f}{median['seconds']:>11.1f}"
            f"{median['wall'] - median['seconds']:>11.1f}{files / median['wall']:>9.1f}"
            f"{statistics.median(r['peak_mb'] for r in runs):>9.0f}  {_walls(runs)}"
        )
    if script:
        median, runs = script["median"], script["runs"]
        print(
            f"{'obvious script, one process':<34}{median['wall']:>14.1f}{'':>11}{'':>11}{files / median['wall']:>9.1f}"
            f"{statistics.median(r['peak_mb'] for r in runs):>9.0f}  {_walls(runs)}"
        )
        print(
            "speed-up, whole command against whole command: "
            + ", ".join(f"{median['wall'] / done['median']['wall']:.2f}x ({s})" for s, done in settings.items())
        )
        documents = [done["median"]["documents"] for done in settings.values()]
        print(
            f"documents: newsmill read {documents[-1]}, the script kept {median['documents']} "
            f"(it leaves out a file with no text)"
        )
    for setting in (SERVER, WARM):
        if setting in settings:
            started = settings[setting]["server_start"]
            print(f"Prefect server start-up ({setting}; to healthy, not counted above): {started:.1f} s")
    print("peak MB: the command's process and its descendants, less a Prefect server's (uvicorn)")


def _walls(runs: list[dict]) -> str:
    return ", ".join(f"{r['wall']:.1f}" for r in runs)


def _print_stages(median: dict, setting: str) -> None:
    print(f"\nnewsmill's stages (median run, {setting}, as `run_stages` records them)")
    print(f"{'stage':<26}{'items':>7}{'seconds':>9}{'docs/s':>9}")
    for stage, items, seconds in median["stages"]:
        print(f"{stage:<26}{items:>7}{seconds:>9.1f}{items / seconds if seconds else float('inf'):>9.0f}")


def _row(label: str, quality: dict, score) -> None:
    print(f"{label:<34}" + "".join(f"{' / '.join(f'{v:.3f}' for v in score(q)):>24}" for q in quality.values()))


def _share_row(label: str, quality: dict, truth: list[dict]) -> None:
    cells = []
    for q in quality.values():
        right, known = _language_share(q["languages"], truth)
        cells.append(f"{right / known if known else 0:.3f} ({right}/{known})")
    print(f"{label:<34}" + "".join(f"{c:>24}" for c in cells))


def _print_synthetic_quality(quality: dict[str, dict], truth: list[dict]) -> None:
    print(f"\n{'quality (P / R / F1)':<34}" + "".join(f"{name:>24}" for name in quality))
    _row("article text (words)", quality, lambda q: _text_scores(q["texts"], truth))
    _row("duplicate pairs", quality, lambda q: _pair_scores(q["clusters"], truth))
    _row("entities (EN files)", quality, lambda q: _entity_scores(q["entities"], truth))
    _share_row("language right (share)", quality, truth)


def _print_real_quality(quality: dict[str, dict], truth: list[dict]) -> None:
    kinds = Counter(item["kind"] for item in truth)
    print(
        f"\nquality on the {len(truth)} files of the first runs: {kinds['original']} original pages, "
        f"{kinds['re-scrape']} re-scrapes, {kinds['syndicated']} syndicated copies"
    )
    print(f"{'(P / R / F1)':<34}" + "".join(f"{name:>24}" for name in quality))
    _row("text, snippets (original pages)", quality, lambda q: _snippet_scores(q["texts"], truth))
    _row("  the same, quotes folded", quality, lambda q: _snippet_scores(q["texts"], truth, fold_quotes=True))
    _row("text, words (syndicated copies)", quality, lambda q: _text_scores(q["texts"], truth))
    _row("duplicate pairs", quality, lambda q: _pair_scores(q["clusters"], truth))
    _share_row("language = <html lang> (share)", quality, truth)
    print(
        f"{'files with text':<34}"
        + "".join(f"{str(len(q['texts'])) + '/' + str(len(truth)):>24}" for q in quality.values())
    )
    print(
        "entities: real pages carry no labels; entity quality is measured on the synthetic corpus "
        "(python -m bench.end_to_end) and on CoNLL (python -m bench.eval_ner)"
    )


def _print_incremental(settings: dict, script: dict | None, new_files: int) -> None:
    print(
        f"\n{'run (on the median warehouse)':<48}{'documents':>10}{'loaded':>8}{'whole':>8}{'processing':>11}"
        f"{'fixed':>8}{'of first':>9}"
    )
    for setting, done in settings.items():
        first = done["median"]["wall"]
        for name, run in [
            ("first", done["median"]),
            ("again, nothing new", done["again"]),
            (f"again, {new_files} new files (5%)", done["new"]),
        ]:
            print(
                f"{name + ', ' + setting:<48}{run['documents']:>10}{run['loaded']:>8}{run['wall']:>8.1f}"
                f"{run['seconds']:>11.1f}{run['wall'] - run['seconds']:>8.1f}{run['wall'] / first:>9.1%}"
            )
    print("'of first': the run's whole command against the first run's whole command, same setting")
    if script:
        print(
            f"the obvious script has no incremental mode: a run again, with or without new files, "
            f"is a whole run ({script['median']['wall']:.1f} s)"
        )


if __name__ == "__main__":
    main()
