"""Extraction quality: newsmill's cleaner side by side with a baseline, on evaluation data.

    python -m bench.eval_extraction [--trafilatura-eval DIR] [--gold DIR] [--scraped DIR]
        [--trafilatura-option favor_precision|favor_recall|fast ...] [--fold-quotes]
        [--jobs N] [--json FILE] [--losses N]

Any subset of the three inputs; one table per input. newsmill is whatever
transforms/clean does when the command runs: `extract_html(html)[0].text` for HTML,
`clean_scraped_text(raw).text` for already-extracted text.

--trafilatura-eval DIR   trafilatura's evaluation set: DIR/evaldata.json
    ({url: {"file": NAME, "with": [snippets], "without": [snippets]}}) and DIR/html/NAME.gz
    (entries without their page are skipped). Each page is extracted by trafilatura with
    its defaults (`trafilatura.extract(html)`, plain text), by trafilatura with each
    --trafilatura-option, and by newsmill. A `with` snippet is found when it occurs in
    the extracted text, a `without` snippet leaks when it does; both sides compared with
    runs of white space as one space (and in Unicode NFC), case-sensitive. Scored as
    trafilatura's own evaluation does: true positive = `with` found, false negative =
    `with` missing, false positive = `without` found, true negative = `without` absent;
    precision = tp/(tp+fp), recall = tp/(tp+fn).
--gold DIR   NAME.html (or NAME.html.gz) + NAME.body.txt (the article body, paragraphs one
    per line, title excluded). Article-body F1 on word 4-gram shingles (lowercased
    \\w+ words; a text under 4 words is the set of its words), per page (macro mean) and
    pooled over pages (micro), for trafilatura (defaults and options) and newsmill.
--scraped DIR   NAME.txt (text with scraper residue) + NAME.body.txt (the body lines as they
    appear in NAME.txt, title excluded). Residue lines (lines of NAME.txt neither in the
    body nor the title, the first non-blank line when the body does not contain it)
    removed, body lines and body characters kept, and word 4-gram F1, for newsmill and
    for the raw text with blank lines dropped (no cleaning).

newsmill straightens curly quotes and apostrophes (ftfy), so a snippet or body line
written with them no longer matches its text character for character; --fold-quotes
compares both sides with them straightened, to tell extraction from typography.

Pages are extracted in --jobs processes (default 2); every figure except speed is the
same for any --jobs. pages/s is per process: pages over the summed extraction time.
--losses N prints up to N pages where newsmill scores below trafilatura's defaults.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import multiprocessing
import re
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import trafilatura

from transforms import clean as newsmill_clean  # looked up at call time: measures the cleaner as it is now
from transforms.read import BadInput, declared_charset, decode_text

TRAFILATURA = "trafilatura"
NEWSMILL = "newsmill"
RAW = "raw text"
TRAFILATURA_OPTIONS = {
    "favor_precision": {"favor_precision": True},
    "favor_recall": {"favor_recall": True},
    "fast": {"fast": True},
}

_SPACE = re.compile(r"[\s\u200b\u2060\ufeff]+")
# Typographic quotes and apostrophes as the ASCII ones (the characters ftfy's uncurl_quotes straightens).
_FOLD_QUOTES = str.maketrans(
    {
        **dict.fromkeys(map(ord, "\u02bc\u2018\u2019\u201a\u201b"), "'"),
        **dict.fromkeys(map(ord, "\u201c\u201d\u201e\u201f"), '"'),
    }
)
_WORD = re.compile(r"\w+")


# ---------------------------------------------------------------- text and scores


def squash(text: str, fold_quotes: bool = False) -> str:
    """NFC, every run of white space as one space, no space at the ends; with `fold_quotes`,
    curly quotes and apostrophes as straight ones."""
    text = _SPACE.sub(" ", unicodedata.normalize("NFC", text)).strip()
    return text.translate(_FOLD_QUOTES) if fold_quotes else text


def shingles(text: str, n: int = 4) -> set[tuple[str, ...]]:
    """Consecutive n-word tuples of the lowercased text; for a text under n words, its words."""
    words = _WORD.findall(text.lower())
    if len(words) < n:
        return {(word,) for word in words}
    return {tuple(words[i : i + n]) for i in range(len(words) - n + 1)}


def ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def overlap(extracted: str, reference: str) -> tuple[int, int, int]:
    """(shared shingles, shingles of `extracted`, shingles of `reference`)."""
    ext, ref = shingles(extracted), shingles(reference)
    return len(ext & ref), len(ext), len(ref)


def shingle_scores(counts: Sequence[tuple[int, int, int]]) -> dict:
    """Macro (mean of per-page) and micro (pooled) precision, recall and F1 of (shared, extracted, reference) counts."""
    per_page = []
    for shared, ext, ref in counts:
        p, r = ratio(shared, ext), ratio(shared, ref)
        per_page.append((p, r, f1(p, r)))
    pages = len(per_page)
    shared, ext, ref = (sum(c[i] for c in counts) for i in range(3))
    micro_p, micro_r = ratio(shared, ext), ratio(shared, ref)
    return {
        "pages": pages,
        "macro_precision": ratio(sum(p for p, _, _ in per_page), pages),
        "macro_recall": ratio(sum(r for _, r, _ in per_page), pages),
        "macro_f1": ratio(sum(f for _, _, f in per_page), pages),
        "micro_precision": micro_p,
        "micro_recall": micro_r,
        "micro_f1": f1(micro_p, micro_r),
    }


def snippet_counts(
    text: str, with_: Iterable[str], without: Iterable[str], fold_quotes: bool = False
) -> tuple[list[bool], list[bool]]:
    """(found flag of each `with` snippet, leaked flag of each `without` snippet) in `text`."""
    found = squash(text, fold_quotes) if text else ""

    def hit(snippet: str) -> bool:
        return bool(found) and squash(snippet, fold_quotes) in found

    return [hit(s) for s in with_], [hit(s) for s in without]


def snippet_scores(pages: Sequence[dict]) -> dict:
    """trafilatura's evaluation figures over pages of {"found": [bool], "leaked": [bool]}."""
    tp = sum(sum(p["found"]) for p in pages)
    fn = sum(len(p["found"]) for p in pages) - tp
    fp = sum(sum(p["leaked"]) for p in pages)
    tn = sum(len(p["leaked"]) for p in pages) - fp
    precision, recall = ratio(tp, tp + fp), ratio(tp, tp + fn)
    return {
        "pages": len(pages),
        "tp": tp,
        "fn": fn,
        "fp": fp,
        "tn": tn,
        "with_found": ratio(tp, tp + fn),
        "without_leaked": ratio(fp, fp + tn),
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
        "accuracy": ratio(tp + tn, tp + fn + fp + tn),
    }


# ---------------------------------------------------------------- extraction (runs in the worker processes)


def html_systems(options: Sequence[str] = ()) -> list[str]:
    """trafilatura's defaults, then one row per option, then newsmill."""
    return [TRAFILATURA, *(f"{TRAFILATURA} {option}" for option in options), NEWSMILL]


def extract(system: str, html: str) -> str:
    """The text `system` extracts from an HTML page ("" for none)."""
    if system == NEWSMILL:
        return newsmill_clean.extract_html(html)[0].text
    option = system.removeprefix(TRAFILATURA).strip()
    return trafilatura.extract(html, **TRAFILATURA_OPTIONS.get(option, {})) or ""


def read_html(path: Path) -> str:
    """A page's text, decoded as newsmill decodes pages (raises BadInput when it cannot be)."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return decode_text(data, declared_charset(data))


def timed_extract(system: str, path: Path) -> tuple[str, float, str | None]:
    """(extracted text, seconds spent extracting, error) for the page at `path`."""
    try:
        html = read_html(path)
    except BadInput as error:
        return "", 0.0, f"undecodable: {error.reason}"
    start = time.perf_counter()
    try:
        text = extract(system, html)
    except Exception as error:  # an extractor choking on a page scores as extracting nothing
        return "", time.perf_counter() - start, f"{type(error).__name__}: {error}"[:200]
    return text, time.perf_counter() - start, None


def snippet_task(task: tuple[str, str, list[str], list[str], bool]) -> dict:
    system, path, with_, without, fold_quotes = task
    text, seconds, error = timed_extract(system, Path(path))
    found, leaked = snippet_counts(text, with_, without, fold_quotes)
    return {"found": found, "leaked": leaked, "seconds": seconds, "error": error, "chars": len(text)}


def gold_task(task: tuple[str, str, str]) -> dict:
    system, path, gold = task
    text, seconds, error = timed_extract(system, Path(path))
    return {"counts": overlap(text, gold), "seconds": seconds, "error": error}


def scraped_task(task: tuple[str, str, str, bool]) -> dict:
    system, path, body_path, fold_quotes = task
    raw = read_text(Path(path))
    start = time.perf_counter()
    output = raw if system == RAW else newsmill_clean.clean_scraped_text(raw).text
    seconds = time.perf_counter() - start
    return {**scraped_figures(raw, read_text(Path(body_path)), output, fold_quotes), "seconds": seconds}


def read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return decode_text(data)
    except BadInput:
        return data.decode("utf-8", errors="replace")


def lines_of(text: str, fold_quotes: bool = False) -> list[str]:
    return [line for line in (squash(line, fold_quotes) for line in text.splitlines()) if line]


def scraped_figures(raw: str, body: str, output: str, fold_quotes: bool = False) -> dict:
    """Residue removed, body kept and 4-gram overlap of `output`, a cleaning of `raw`.

    Lines are compared after white-space normalisation; a line is in the output when an
    output line equals it."""
    raw_lines, body_lines = lines_of(raw, fold_quotes), lines_of(body, fold_quotes)
    out_lines = set(lines_of(output, fold_quotes))
    in_body = set(body_lines)
    title_at = 0 if raw_lines and raw_lines[0] not in in_body else None
    residue = [line for i, line in enumerate(raw_lines) if i != title_at and line not in in_body]
    kept = [line for line in body_lines if line in out_lines]
    return {
        "residue": len(residue),
        "residue_removed": sum(line not in out_lines for line in residue),
        "body_lines": len(body_lines),
        "body_lines_kept": len(kept),
        "body_chars": sum(map(len, body_lines)),
        "body_chars_kept": sum(map(len, kept)),
        "counts": overlap(output, "\n".join(body_lines)),
    }


# ---------------------------------------------------------------- running


def run_tasks(function: Callable[[tuple], dict], tasks: list[tuple], pool) -> tuple[list[dict], float]:
    """Results in task order (whatever the number of processes), and the wall time."""
    start = time.perf_counter()
    if pool is None:
        results = [function(task) for task in tasks]
    else:
        results = list(pool.imap(function, tasks, chunksize=max(1, min(8, len(tasks) // 64))))
    return results, time.perf_counter() - start


def speed(pages: int, results: Sequence[dict]) -> dict:
    seconds = sum(r["seconds"] for r in results)
    return {"extraction_seconds": seconds, "pages_per_second": ratio(pages, seconds)}


def evaluate_trafilatura_eval(folder: Path, systems: Sequence[str], pool=None, fold_quotes: bool = False) -> dict:
    """Snippet scores of each system on trafilatura's evaluation set in `folder`."""
    entries = json.loads((folder / "evaldata.json").read_text(encoding="utf-8"))
    pages, skipped = [], []
    for url in sorted(entries):
        entry = entries[url]
        path = folder / "html" / f"{entry['file']}.gz"
        (pages if path.is_file() else skipped).append((url, path, entry))
    report = {
        "folder": str(folder),
        "fold_quotes": fold_quotes,
        "entries": len(entries),
        "skipped": [url for url, _, _ in skipped],
        "with_snippets": sum(len(e["with"]) for _, _, e in pages),
        "without_snippets": sum(len(e["without"]) for _, _, e in pages),
        "systems": {},
        "pages": [{"url": url, "file": e["file"], "with": e["with"], "without": e["without"]} for url, _, e in pages],
    }
    for system in systems:
        tasks = [(system, str(path), list(e["with"]), list(e["without"]), fold_quotes) for _, path, e in pages]
        results, wall = run_tasks(snippet_task, tasks, pool)
        errors = sum(r["error"] is not None for r in results)
        report["systems"][system] = {
            **snippet_scores(results),
            **speed(len(pages), results),
            "wall_seconds": wall,
            "errors": errors,
            "empty": sum(r["chars"] == 0 for r in results),
        }
        for page, result in zip(report["pages"], results):
            page[system] = {
                "found": result["found"],
                "leaked": result["leaked"],
                "chars": result["chars"],
                **({"error": result["error"]} if result["error"] else {}),
            }
    return report


def gold_pairs(folder: Path) -> list[tuple[str, Path, Path]]:
    """(name, page, gold body) for every NAME.body.txt that has NAME.html or NAME.html.gz."""
    pairs = []
    for body in sorted(folder.glob("*.body.txt")):
        name = body.name.removesuffix(".body.txt")
        page = next((p for p in (folder / f"{name}.html", folder / f"{name}.html.gz") if p.is_file()), None)
        if page:
            pairs.append((name, page, body))
    return pairs


def evaluate_gold(folder: Path, systems: Sequence[str], pool=None) -> dict:
    """Word 4-gram scores of each system against gold article bodies."""
    pairs = gold_pairs(folder)
    golds = {name: body.read_text(encoding="utf-8") for name, _, body in pairs}
    report = {"folder": str(folder), "systems": {}, "pages": [{"name": name} for name, _, _ in pairs]}
    for system in systems:
        results, wall = run_tasks(gold_task, [(system, str(page), golds[name]) for name, page, _ in pairs], pool)
        report["systems"][system] = {
            **shingle_scores([r["counts"] for r in results]),
            **speed(len(pairs), results),
            "wall_seconds": wall,
            "errors": sum(r["error"] is not None for r in results),
        }
        for page, result in zip(report["pages"], results):
            shared, ext, ref = result["counts"]
            page[system] = {
                "shared": shared,
                "extracted": ext,
                "gold": ref,
                "f1": f1(ratio(shared, ext), ratio(shared, ref)),
            }
    return report


def scraped_pairs(folder: Path) -> list[tuple[str, Path, Path]]:
    pairs = []
    for body in sorted(folder.glob("*.body.txt")):
        name = body.name.removesuffix(".body.txt")
        if (folder / f"{name}.txt").is_file():
            pairs.append((name, folder / f"{name}.txt", body))
    return pairs


def evaluate_scraped(folder: Path, pool=None, fold_quotes: bool = False) -> dict:
    """Residue removed and body kept by newsmill's line cleaner, beside the raw text."""
    pairs = scraped_pairs(folder)
    report = {
        "folder": str(folder),
        "fold_quotes": fold_quotes,
        "systems": {},
        "pages": [{"name": name} for name, _, _ in pairs],
    }
    for system in (RAW, NEWSMILL):
        tasks = [(system, str(txt), str(body), fold_quotes) for _, txt, body in pairs]
        results, wall = run_tasks(scraped_task, tasks, pool)
        totals = {
            key: sum(r[key] for r in results)
            for key in ("residue", "residue_removed", "body_lines", "body_lines_kept", "body_chars", "body_chars_kept")
        }
        report["systems"][system] = {
            **totals,
            "residue_removed_share": ratio(totals["residue_removed"], totals["residue"]),
            "body_lines_kept_share": ratio(totals["body_lines_kept"], totals["body_lines"]),
            "body_chars_kept_share": ratio(totals["body_chars_kept"], totals["body_chars"]),
            **shingle_scores([r["counts"] for r in results]),
            **speed(len(pairs), results),
            "wall_seconds": wall,
        }
        for page, result in zip(report["pages"], results):
            page[system] = {key: value for key, value in result.items() if key != "seconds"}
    return report


# ---------------------------------------------------------------- tables


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """Left-aligned first column, right-aligned others, two spaces apart."""
    widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]

    def line(row):
        return "  ".join(
            str(c).ljust(w) if i == 0 else str(c).rjust(w) for i, (c, w) in enumerate(zip(row, widths))
        ).rstrip()

    return "\n".join([line(header), *(line(row) for row in rows)])


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} {ratio(part, whole):6.1%}"


def trafilatura_eval_table(report: dict) -> str:
    pages = len(report["pages"])
    title = (
        f"trafilatura evaluation set ({report['folder']}): {pages} pages of {report['entries']} entries"
        f" ({len(report['skipped'])} without a page skipped), {report['with_snippets']} with / "
        f"{report['without_snippets']} without snippets" + (", quotes folded" if report["fold_quotes"] else "")
    )
    rows = []
    for system, s in report["systems"].items():
        rows.append(
            [
                system,
                s["pages"],
                _share(s["tp"], s["tp"] + s["fn"]),
                _share(s["fp"], s["fp"] + s["tn"]),
                f"{s['precision']:.3f}",
                f"{s['recall']:.3f}",
                f"{s['f1']:.3f}",
                s["empty"],
                f"{s['pages_per_second']:.1f}",
            ]
        )
    header = ["system", "pages", "with found", "without leaked", "precision", "recall", "F1", "empty", "pages/s"]
    return title + "\n" + _table(header, rows)


def gold_table(report: dict) -> str:
    title = f"gold article bodies ({report['folder']}): {len(report['pages'])} pages, word 4-gram overlap"
    rows = [
        [
            system,
            s["pages"],
            f"{s['macro_precision']:.3f}",
            f"{s['macro_recall']:.3f}",
            f"{s['macro_f1']:.3f}",
            f"{s['micro_precision']:.3f}",
            f"{s['micro_recall']:.3f}",
            f"{s['micro_f1']:.3f}",
            f"{s['pages_per_second']:.1f}",
        ]
        for system, s in report["systems"].items()
    ]
    header = ["system", "pages", "macro P", "macro R", "macro F1", "micro P", "micro R", "micro F1", "pages/s"]
    return title + "\n" + _table(header, rows)


def scraped_table(report: dict) -> str:
    title = f"scraped text ({report['folder']}): {len(report['pages'])} pages" + (
        ", quotes folded" if report["fold_quotes"] else ""
    )
    rows = [
        [
            system,
            s["pages"],
            _share(s["residue_removed"], s["residue"]),
            _share(s["body_lines_kept"], s["body_lines"]),
            f"{s['body_chars_kept_share']:.1%}",
            f"{s['macro_f1']:.3f}",
            f"{s['micro_f1']:.3f}",
        ]
        for system, s in report["systems"].items()
    ]
    header = ["system", "pages", "residue removed", "body lines kept", "body chars kept", "macro F1", "micro F1"]
    return title + "\n" + _table(header, rows)


def losses(report: dict, limit: int, baseline: str = TRAFILATURA) -> str:
    """Pages where newsmill gets fewer snippets right (found `with` + absent `without`) than `baseline`."""

    def right(page, system):
        return sum(page[system]["found"]) + sum(not x for x in page[system]["leaked"])

    worse = sorted(
        (right(p, NEWSMILL) - right(p, baseline), p["url"], p)
        for p in report["pages"]
        if right(p, NEWSMILL) < right(p, baseline)
    )
    out = [
        f"newsmill below {baseline} on {len(worse)} of {len(report['pages'])} pages"
        + (f"; the {min(limit, len(worse))} largest gaps:" if worse else "")
    ]
    for gap, url, page in worse[:limit]:
        ours, theirs = page[NEWSMILL], page[baseline]
        out.append(f"  {gap:+d}  {url}  ({page['file']}; {ours['chars']} vs {theirs['chars']} characters)")
        for i, (a, b) in enumerate(zip(ours["found"], theirs["found"])):
            if a != b:
                out.append(f"        with    {'found' if a else 'missed':6} by newsmill: {_snippet(page['with'], i)}")
        for i, (a, b) in enumerate(zip(ours["leaked"], theirs["leaked"])):
            if a != b:
                out.append(
                    f"        without {'leaked' if a else 'absent':6} in newsmill: {_snippet(page['without'], i)}"
                )
    return "\n".join(out)


def _snippet(snippets: Sequence[str], i: int) -> str:
    return repr(snippets[i] if len(snippets[i]) <= 80 else snippets[i][:77] + "...")


# ---------------------------------------------------------------- command line


def cleaner_fingerprint() -> str:
    """Which cleaner was measured: the SHA-256 (12 digits) of the sources of transforms/clean
    (each file's path in the package, then its bytes) as they are on disk."""
    package = Path(newsmill_clean.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return f"{package.name} sha256:{digest.hexdigest()[:12]}"


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval_extraction",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--trafilatura-eval", type=Path, metavar="DIR", help="evaldata.json + html/*.gz")
    parser.add_argument("--gold", type=Path, metavar="DIR", help="NAME.html[.gz] + NAME.body.txt pairs")
    parser.add_argument("--scraped", type=Path, metavar="DIR", help="NAME.txt + NAME.body.txt pairs")
    parser.add_argument(
        "--trafilatura-option",
        action="append",
        default=[],
        choices=sorted(TRAFILATURA_OPTIONS),
        help="also run trafilatura with this option (repeatable), one row each",
    )
    parser.add_argument(
        "--fold-quotes",
        action="store_true",
        help="compare curly quotes and apostrophes as straight ones (newsmill straightens them)",
    )
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (default 2; 1 runs in this process)")
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure, per page too, to FILE")
    parser.add_argument(
        "--losses",
        type=int,
        default=0,
        metavar="N",
        help="list up to N trafilatura-eval pages where newsmill is below trafilatura's defaults",
    )
    args = parser.parse_args(argv)
    if not (args.trafilatura_eval or args.gold or args.scraped):
        parser.error("give at least one of --trafilatura-eval, --gold, --scraped")
    for folder in (args.trafilatura_eval, args.gold, args.scraped):
        if folder and not folder.is_dir():
            parser.error(f"not a folder: {folder}")
    if args.trafilatura_eval and not (args.trafilatura_eval / "evaldata.json").is_file():
        parser.error(f"no evaldata.json in {args.trafilatura_eval}")
    systems = html_systems(list(dict.fromkeys(args.trafilatura_option)))

    results: dict = {
        "systems": systems,
        "newsmill_cleaner": cleaner_fingerprint(),
        "trafilatura": trafilatura.__version__,
    }
    print(f"newsmill = {results['newsmill_cleaner']}, trafilatura {trafilatura.__version__}\n", flush=True)
    pool = multiprocessing.Pool(args.jobs) if args.jobs > 1 else None
    try:
        if args.trafilatura_eval:
            report = evaluate_trafilatura_eval(args.trafilatura_eval, systems, pool, args.fold_quotes)
            print(trafilatura_eval_table(report), flush=True)
            if args.losses:
                print("\n" + losses(report, args.losses), flush=True)
            results["trafilatura_eval"] = report
        if args.gold:
            report = evaluate_gold(args.gold, systems, pool)
            print(("\n" if "trafilatura_eval" in results else "") + gold_table(report), flush=True)
            results["gold"] = report
        if args.scraped:
            report = evaluate_scraped(args.scraped, pool, args.fold_quotes)
            print(("\n" if {"trafilatura_eval", "gold"} & results.keys() else "") + scraped_table(report), flush=True)
            results["scraped"] = report
    finally:
        if pool is not None:
            pool.close()
            pool.join()
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
