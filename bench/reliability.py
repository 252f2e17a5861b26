"""Reliability: hostile input, planted failures and killed runs, each followed by the check
that every input record is exactly one row of `articles` or `rejects`.

    python -m bench.reliability hostile [--empty-files 10000] [--big-line-mb 50]
    python -m bench.reliability header-bomb [--inflated-gb 3]
    python -m bench.reliability planted --documents 1000
    python -m bench.reliability kills --documents 400 --kills 6

`hostile` writes a folder with every kind of bad input newsmill knows of (see
`write_hostile_folder`), ingests it with the `newsmill` command as a user would, twice,
deletes a file and ingests with `--prune`; `header-bomb` ingests a WARC whose record
header inflates without end and reports the run's peak memory; `planted` plants one
record in a hundred to fail, a different stage each, and checks that only those are
rejected; `kills` kills (SIGKILL) runs at several moments and checks that a re-run leaves
what one uninterrupted run leaves, and that no process of the killed run is left.
Everything is generated; nothing is read from outside.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import random
import resource
import signal
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from bench.corpus import article, html_page, scraped_text, story, write_mixed_folder
from warehouse.load import DOCUMENT_TABLES

ROOT = Path(__file__).resolve().parents[1]

# Each counts the rows that break an invariant of the warehouse: all are 0 in a consistent one.
INVARIANTS = {
    "documents in neither articles nor rejects": """SELECT count(*) FROM documents
        WHERE doc_id NOT IN (SELECT doc_id FROM articles UNION ALL SELECT doc_id FROM rejects)""",
    "documents in both articles and rejects": "SELECT count(*) FROM articles JOIN rejects USING (doc_id)",
    "articles and rejects without their document": """SELECT count(*) FROM
        (SELECT doc_id FROM articles UNION ALL SELECT doc_id FROM rejects) WHERE doc_id NOT IN (SELECT doc_id FROM documents)""",
    "records loaded twice": "SELECT count(*) - count(DISTINCT source_uri) FROM documents",
    "mentions without their article": "SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles)",
    "mentions without their entity": "SELECT count(*) FROM mentions WHERE entity_id NOT IN (SELECT entity_id FROM entities)",
    "entities no mention names": "SELECT count(*) FROM entities WHERE entity_id NOT IN (SELECT entity_id FROM mentions)",
    "entity keys no mention uses": "SELECT count(*) FROM entity_keys WHERE name_key NOT IN (SELECT name_key FROM mentions)",
    "signatures without their article": """SELECT count(*) FROM minhashes
        WHERE article_id NOT IN (SELECT article_id FROM articles)""",
    "removed lines without their article": """SELECT count(*) FROM removed_lines
        WHERE article_id NOT IN (SELECT article_id FROM articles)""",
    "clusters without their canonical member": """SELECT count(DISTINCT cluster_id) FROM articles
        WHERE cluster_id NOT IN (SELECT cluster_id FROM articles WHERE is_canonical)""",
}
TABLES = [table.name for table in DOCUMENT_TABLES] + ["entities", "sources"]

ENGLISH = (
    "The harbour board met on {n} March and agreed to rebuild the northern pier before the summer season, "
    "after two years of delays and a long dispute over the cost of the work with the regional council."
)


def broken_invariants(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        found = {name: con.execute(query).fetchone()[0] for name, query in INVARIANTS.items()}
    return {name: n for name, n in found.items() if n}


def counts(db: Path) -> dict[str, int]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


def files_without_rows(db: Path, folder: Path) -> list[str]:
    """Regular files under `folder` (as the scan sees them) that no document row comes from."""
    from transforms.documents import path_text
    from transforms.read import discover

    with duckdb.connect(str(db), read_only=True) as con:
        stored = {row[0] for row in con.execute("SELECT DISTINCT source_file FROM documents").fetchall()}
    return sorted(path_text(path) for path in discover([folder]) if path_text(path) not in stored)


# -- hostile input ---------------------------------------------------------------------------


def _warc_record(
    url: str,
    body: bytes,
    status: str = "200 OK",
    content_type: str = "text/html; charset=utf-8",
    rec_type: str = "response",
) -> bytes:
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    headers = StatusAndHeaders(status, [("Content-Type", content_type)], protocol="HTTP/1.1")
    if rec_type == "response":
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    else:
        writer.write_record(writer.create_warc_record(url, rec_type, payload=io.BytesIO(body)))
    return buffer.getvalue()


def _page(rng: random.Random, n: int) -> bytes:
    title, paragraphs = article(rng)
    return html_page(rng, title, paragraphs, f"https://www.example{n}.com/news/{n}", _date(n), 0).encode()


def _date(n: int):
    from datetime import datetime, timedelta

    return datetime(2025, 3, 1) + timedelta(hours=n)


def header_bomb(inflated_bytes: int) -> bytes:
    """One gzip member that inflates to `inflated_bytes` of WARC header with no line end."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, 31)
    parts = [deflater.compress(b"WARC/1.0\r\nWARC-Type: response\r\nX-Padding: ")]
    block = b"A" * (1 << 20)
    for _ in range(inflated_bytes // len(block)):
        parts.append(deflater.compress(block))
    parts.append(deflater.flush())
    return b"".join(parts)


def write_hostile_folder(folder: Path, empty_files: int = 10_000, big_line_mb: int = 50) -> dict[str, int]:
    """Every kind of bad input, beside good records that must still load. Returns how many
    files of each kind it wrote."""
    rng = random.Random(7)
    folder.mkdir(parents=True, exist_ok=True)
    kinds: dict[str, int] = {}

    def write(name: str, content: bytes, kind: str) -> Path:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        kinds[kind] = kinds.get(kind, 0) + 1
        return path

    def text(n: int) -> str:
        title, paragraphs, _ = story(rng)
        return scraped_text(rng, title, paragraphs[:3]) if n % 2 else "\n\n".join(paragraphs[:2])

    for n in range(40):  # good input the bad must not hold back
        write(f"good/{n:02d}.txt", text(n).encode(), "good text")
    write("good/page.html", _page(rng, 1), "good html")

    # Content that is not text, or not a record.
    write("zero.txt", b"", "zero bytes")
    write("binary.txt", bytes(range(256)) * 64, "NUL binary")
    write("random.bin", os.urandom(4096), "unknown format")
    write("utf16.txt", ("\ufeff" + text(3)).encode("utf-16-le"), "UTF-16 with BOM")
    write(
        "shift_jis.html",
        (
            '<html><head><meta charset="shift_jis"><title>港の桟橋</title></head><body><article><p>'
            + "港の北側の桟橋は夏までに再建される予定であると、港湾委員会が月曜日に発表した。" * 12
            + "</p></article></body></html>"
        ).encode("shift_jis"),
        "Shift-JIS",
    )
    write(
        "cp1252_as_1251.html",
        (
            '<html><head><meta charset="windows-1251"></head><body><article><p>'
            + "Déjà vu à Genève: the café on the quay reopened, and the maître d' greeted every guest. " * 6
            + "</p></article></body></html>"
        ).encode("cp1252"),
        "cp1252 declared windows-1251",
    )
    nested = "<div>" * 100_000 + "<p>" + ENGLISH.format(n=9) + "</p>" + "</div>" * 100_000
    write("nested.html", f"<html><body>{nested}</body></html>".encode(), "100k nested divs")
    write(
        "bidi.txt",
        ("Harbour \u202eboard\u202c met\u200b on \u200dMonday.\u2066 " + text(5)).encode(),
        "bidi, zero-width",
    )
    write(
        "long.txt",
        (
            "\n\n".join(
                [
                    ENGLISH.format(n=n % 28 + 1) + " Anna Vogel of the Harbour Authority spoke in Lisbon."
                    for n in range(5200)
                ]
            )
        ).encode(),
        "English text over 1,000,000 characters",
    )

    # JSON Lines.
    good_line = json.dumps({"url": "https://feed.example.org/1", "title": "Pier", "text": ENGLISH.format(n=1)})
    write(
        "big_line.jsonl",
        (json.dumps({"text": "x" * (big_line_mb << 20)}) + "\n" + good_line + "\n").encode(),
        f"{big_line_mb} MB line",
    )
    write(
        "deep.jsonl",
        (
            "[" * 100_000 + "]" * 100_000 + "\n" + '{"a":' * 50_000 + "1" + "}" * 50_000 + "\n" + good_line + "\n"
        ).encode(),
        "deep JSON",
    )
    hostile_titles = [
        "'; DROP TABLE articles; --",
        "<script>alert(1)</script>",
        "T" * 100_000,
        "nul \u0000 in title",
        "\u202e\u200bbidi title",
        "line\nbreak\ttitle",
    ]
    write(
        "titles.jsonl",
        "".join(
            json.dumps({"title": t, "text": ENGLISH.format(n=i + 2), "byline": t, "url": t}) + "\n"
            for i, t in enumerate(hostile_titles)
        ).encode(),
        "hostile titles",
    )
    write(
        "surrogates.jsonl",
        (
            '{"text": "Lone \\ud83d surrogate. '
            + ENGLISH.format(n=3)
            + '", "title": "A \\udc00 title"}\n'
            + '{"text": "'
            + ENGLISH.format(n=4)
            + '", "byline": "\\ud83d", "url": "https://x.org/\\ud800"}\n'
            + good_line.replace("/1", "/2")
            + "\n"
        ).encode(),
        "lone surrogates",
    )
    wire = ENGLISH.format(n=11)
    write(
        "wire.jsonl",
        "".join(
            json.dumps({"url": url, "text": wire}) + "\n"
            for url in ("https://www.site-one.com/a", "https://news.site-two.org/a")
        ).encode(),
        "a wire story on two sites",
    )
    write(
        "malformed.jsonl",
        b'{"text": "unterminated\n[1, 2]\n{"no_text": true}\n\xff\xfe\n' + good_line.encode() + b"\n",
        "malformed JSON",
    )

    # gzip.
    whole = gzip.compress(((good_line + "\n") * 50).encode())
    write("truncated.jsonl.gz", whole[: len(whole) // 2], "truncated gzip")
    write(
        "concatenated.jsonl.gz",
        gzip.compress((good_line + "\n").encode()) + gzip.compress((good_line + "\n").encode()),
        "concatenated gzip",
    )
    write("bomb.jsonl.gz", gzip.compress(b"{" * (200 << 20), compresslevel=1), "decompression bomb")
    write("corrupt.txt.gz", b"\x1f\x8b\x08\x00" + os.urandom(2048), "corrupt gzip")

    # WARC.
    records = [_warc_record(f"https://www.example.com/{n}", _page(rng, n + 10)) for n in range(6)]
    write(
        "crawl.warc.gz",
        b"".join(
            [
                _warc_record("https://www.example.com/r", b"GET / HTTP/1.1\r\n\r\n", rec_type="request"),
                records[0],
                _warc_record("https://www.example.com/revisit", b"", rec_type="revisit"),
                _warc_record("https://www.example.com/404", b"<html>gone</html>", status="404 Not Found"),
                _warc_record("https://www.example.com/pdf", b"%PDF-1.4 not a page", content_type="application/pdf"),
                records[1],
            ]
        ),
        "WARC request/revisit/404/PDF",
    )
    damaged = bytearray(records[3])
    damaged[len(damaged) // 2 : len(damaged) // 2 + 64] = os.urandom(64)
    write("damaged.warc.gz", records[2] + bytes(damaged) + records[4] + records[5], "damaged WARC record mid-file")
    plain = [gzip.decompress(r) for r in records[:3]]
    overstated = plain[1].replace(b"Content-Length: ", b"Content-Length: 9", 1)
    write("overstated.warc", plain[0] + overstated + plain[2], "Content-Length overstated")
    write("cut.warc.gz", records[0] + records[1][: len(records[1]) // 2], "WARC cut short")
    write("header_bomb.warc.gz", records[0] + header_bomb(256 << 20) + records[1], "WARC header bomb")

    # Names and file-system oddities.
    for name in [
        "名前 with spaces.txt",
        "new\nline.txt",
        "quote'\"name.txt",
        "#hash.txt",
        "feed.jsonl#1",
        "100%.txt",
        "-dash.txt",
        "x" * 200 + ".txt",
        "no_extension",
    ]:
        write(f"names/{name}", text(7).encode(), "odd file names")
    write("names/feed.jsonl", (good_line + "\n").encode(), "odd file names")
    write(os.fsdecode(b"names/caf\xe9 not UTF-8.txt"), text(8).encode(), "odd file names")
    write(os.fsdecode(b"names/\xff\xfe.bin"), b"\x00binary", "odd file names")
    os.mkfifo(folder / "fifo.txt")
    kinds["FIFO"] = 1
    (folder / "loop").symlink_to(".")
    (folder / "a_link").symlink_to("b_link")
    (folder / "b_link").symlink_to("a_link")
    (folder / "alias.txt").symlink_to(folder / "good" / "00.txt")
    kinds["symlink loops and aliases"] = 4
    empties = folder / "empties"
    empties.mkdir()
    for n in range(empty_files):
        (empties / f"{n:05d}.txt").touch()
    kinds["empty files"] = empty_files
    return kinds


# -- planted failures ------------------------------------------------------------------------

PLANTED_STAGES = [
    "read",
    "skip unchanged",
    "clean",
    "site templates",
    "language and signatures",
    "duplicates",
    "entities",
    "load",
]


def marker(stage: str) -> str:
    """The word that makes `stage` fail on the record holding it."""
    return f"PLANTED-{stage.replace(' ', '-')}"


@contextmanager
def planted_failures(doc_ids_failing_lookup: set[str]) -> Iterator[None]:
    """Each stage of the ingest flow run in this process fails on the records holding its
    marker (`skip unchanged`, which sees only ids, on `doc_ids_failing_lookup`), and on no
    other. For one process: the workers of a process pool are not planted."""
    import flows.ingest
    import warehouse.lookups
    import warehouse.writer
    from transforms.read import files

    def fails(stage: str, content) -> None:
        word = marker(stage)
        if (word.encode() if isinstance(content, bytes) else word) in content:
            raise RuntimeError(f"planted failure in {stage}")

    def around(owner, name: str, check):
        original = getattr(owner, name)

        def planted(*args):
            check(*args)
            return original(*args)

        return owner, name, original, planted

    def lookup(_, doc_ids):
        if doc_ids_failing_lookup & set(doc_ids):
            raise RuntimeError("planted failure in skip unchanged")

    patches = [
        around(files, "detect_format", lambda name, head: fails("read", head)),
        around(warehouse.lookups.Lookups, "stored_sha256", lookup),
        around(flows.ingest, "clean", lambda item: fails("clean", item.content)),
        around(flows.ingest.templates, "strip_template", lambda item, template: fails("site templates", item.text)),
        around(flows.ingest, "_language_and_signature", lambda title, text: fails("language and signatures", text)),
        around(
            flows.ingest.Duplicates,
            "run",
            lambda stage, batch: [fails("duplicates", article.text) for article in batch.articles()],
        ),
        around(flows.ingest, "find_mentions", lambda nlp, texts, rules: [fails("entities", t) for t in texts]),
        around(warehouse.writer, "load_batch", lambda session, batch: [fails("load", a.text) for a in batch.articles]),
    ]
    try:
        for owner, name, _, planted in patches:
            setattr(owner, name, planted)
        yield
    finally:
        for owner, name, original, _ in patches:
            setattr(owner, name, original)


def write_planted_folder(folder: Path, documents: int, every: int = 100) -> dict[str, str]:
    """`documents` scraped articles; one in `every` holds the marker of a stage, each stage in
    turn. Returns the planted files' paths with their stage."""
    rng = random.Random(0)
    folder.mkdir(parents=True, exist_ok=True)
    plants = {}
    for n in range(documents):
        title, paragraphs, _ = story(rng)
        if n % every == every // 2:
            stage = PLANTED_STAGES[(n // every) % len(PLANTED_STAGES)]
            paragraphs[0] = f"{marker(stage)} stands in this paragraph. {paragraphs[0]}"
            plants[str(folder / f"{n:05d}.txt")] = stage
        (folder / f"{n:05d}.txt").write_text(scraped_text(rng, title, paragraphs[:2]), encoding="utf-8")
    return plants


# -- processes -------------------------------------------------------------------------------


def newsmill(*args: str, timeout: float = 1800) -> tuple[int, str, float]:
    """(exit status, what it printed, seconds) of a `newsmill` command in a process of its
    own: its summary, and its last line of errors when it failed."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    errors = done.stderr.strip().splitlines()[-1:] if done.returncode else []
    return done.returncode, "\n".join([done.stdout.rstrip(), *errors]), time.perf_counter() - started


def descendants(pid: int) -> set[int]:
    """Every living process whose ancestry leads to `pid`, from /proc."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    living = set()
    for pid in pids:
        try:
            if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z":
                living.add(pid)
        except OSError:
            pass
    return living


# -- the commands ----------------------------------------------------------------------------


def hostile(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder, db = Path(scratch) / "hostile", Path(scratch) / "w.duckdb"
        kinds = write_hostile_folder(folder, args.empty_files, args.big_line_mb)
        print(f"{sum(kinds.values()):,} files of {len(kinds)} kinds:")
        for kind, n in kinds.items():
            print(f"  {n:>6,}  {kind}")
        for label, command in [
            ("first run", ["ingest", str(folder), str(folder), str(folder / "loop"), "--db", str(db)]),
            ("re-run", ["ingest", str(folder), "--db", str(db)]),
        ]:
            status, output, seconds = newsmill(*command)
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            print(f"\n{label}: exit {status} in {seconds:.1f} s, peak memory of one process {peak:,.0f} MB")
            print("  " + output.replace("\n", "\n  "))
            _report_warehouse(db, folder)
        (folder / "good" / "01.txt").unlink()
        status, output, seconds = newsmill("ingest", str(folder), "--db", str(db), "--prune")
        print(f"\nafter deleting one file, --prune: exit {status} in {seconds:.1f} s")
        print("  " + "\n  ".join(line for line in output.splitlines() if "gone" in line or "retired" in line))
        _report_warehouse(db, folder)


def _report_warehouse(db: Path, folder: Path) -> None:
    found = counts(db)
    print(
        f"  documents {found['documents']:,} = articles {found['articles']:,} + rejects {found['rejects']:,}; "
        f"broken invariants: {broken_invariants(db) or 'none'}; files with no row: {files_without_rows(db, folder) or 'none'}"
    )
    with duckdb.connect(str(db), read_only=True) as con:
        reasons = con.execute("SELECT reason, count(*) FROM rejects GROUP BY ALL ORDER BY 2 DESC").fetchall()
    print("  rejects: " + ", ".join(f"{reason} {n:,}" for reason, n in reasons))


def header_bomb_run(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        path, db = Path(scratch) / "bomb.warc.gz", Path(scratch) / "w.duckdb"
        rng = random.Random(1)
        good = [_warc_record(f"https://www.example.com/{n}", _page(rng, n)) for n in range(2)]
        path.write_bytes(good[0] + header_bomb(int(args.inflated_gb * (1 << 30))) + good[1])
        status, output, seconds = newsmill("ingest", str(path), "--db", str(db), "--processes", "1")
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        with duckdb.connect(str(db), read_only=True) as con:
            rows = con.execute(
                "SELECT 'article', count(*) FROM articles UNION ALL SELECT reason, count(*) FROM rejects GROUP BY ALL"
            ).fetchall()
        print(
            f"{path.stat().st_size / 2**20:.1f} MB inflating to {args.inflated_gb} GiB of header: exit {status} in "
            f"{seconds:.1f} s, peak memory {peak:,.0f} MB; rows: {dict(rows)}"
        )


def planted(args: argparse.Namespace) -> None:
    from prefect.testing.utilities import prefect_test_harness

    from flows.ingest import ingest
    from flows.options import RunOptions
    from transforms.documents import file_uri, stable_id

    with tempfile.TemporaryDirectory() as scratch:
        folder, db = Path(scratch) / "in", Path(scratch) / "w.duckdb"
        plants = write_planted_folder(folder, args.documents)
        lookups = {stable_id(file_uri(path)) for path, stage in plants.items() if stage == "skip unchanged"}
        with prefect_test_harness():
            started = time.perf_counter()
            ingest([str(folder)], db=str(Path(scratch) / "unplanted.duckdb"), options=RunOptions(processes=1))
            unplanted = time.perf_counter() - started
            with planted_failures(lookups):
                started = time.perf_counter()
                summary = ingest([str(folder)], db=str(db), options=RunOptions(processes=1))
                seconds = time.perf_counter() - started
        with duckdb.connect(str(db), read_only=True) as con:
            rejects = dict(con.execute("SELECT source_uri, split_part(detail, ':', 1) FROM rejects").fetchall())
        right = sum(rejects.get(path) == f"stage {stage}" for path, stage in plants.items())
        print(
            f"{args.documents:,} documents, {len(plants)} planted to fail ({len(set(plants.values()))} stages): "
            f"{summary['articles']:,} articles, {summary['rejects']} rejects, {right} of them the planted records "
            f"naming their stage, {summary['failed']} failed; run {seconds:.1f} s (the same folder with nothing "
            f"planted: {unplanted:.1f} s); "
            f"broken invariants: {broken_invariants(db) or 'none'}"
        )


def kills(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "corpus"
        write_mixed_folder(folder, args.documents)
        clean = Path(scratch) / "clean.duckdb"
        status, _, seconds = newsmill("ingest", str(folder), "--db", str(clean))
        expected = counts(clean)
        print(f"uninterrupted: exit {status} in {seconds:.1f} s: {expected}")
        survived = 0
        for n in range(args.kills):
            db = Path(scratch) / f"killed{n}.duckdb"
            delay = seconds * (n + 1) / (args.kills + 1)
            run = subprocess.Popen(
                [sys.executable, "-m", "flows.cli", "ingest", str(folder), "--db", str(db)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
            )
            time.sleep(delay)
            started = descendants(run.pid)
            os.kill(run.pid, signal.SIGKILL)
            run.wait()
            killed = time.monotonic()
            while alive(started) and time.monotonic() < killed + 30:
                time.sleep(0.05)
            left, gone_after = alive(started), time.monotonic() - killed
            loaded = counts(db)["documents"] if db.exists() else 0
            status, _, _ = newsmill("ingest", str(folder), "--db", str(db))
            equal = counts(db) == expected and not broken_invariants(db)
            survived += equal and not left
            print(
                f"kill {n + 1} at {delay:.1f} s: {loaded} documents loaded before it; of the {len(started)} processes "
                f"it started, {len(left)} left after {gone_after:.1f} s; re-run exit {status}, equal to uninterrupted: {equal}"
            )
        print(f"{survived} of {args.kills} kills survived")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.reliability", description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(required=True)
    command = commands.add_parser("hostile", help="ingest a folder of every kind of bad input")
    command.add_argument("--empty-files", type=int, default=10_000)
    command.add_argument("--big-line-mb", type=int, default=50)
    command.set_defaults(run=hostile)
    command = commands.add_parser("header-bomb", help="a WARC record header that inflates without end")
    command.add_argument("--inflated-gb", type=float, default=3)
    command.set_defaults(run=header_bomb_run)
    command = commands.add_parser("planted", help="one record in a hundred planted to fail, each stage in turn")
    command.add_argument("--documents", type=int, default=1000)
    command.set_defaults(run=planted)
    command = commands.add_parser("kills", help="runs killed at several moments, then re-run")
    command.add_argument("--documents", type=int, default=400)
    command.add_argument("--kills", type=int, default=6)
    command.set_defaults(run=kills)
    args = parser.parse_args(argv)
    args.run(args)


if __name__ == "__main__":
    main()
