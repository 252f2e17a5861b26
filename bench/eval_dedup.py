"""Near-duplicate detection: newsmill's clustering beside a datasketch baseline, on real
article bodies with seeded near-duplicate copies and negatives.

    python -m bench.eval_dedup --pages DIR [--articles N] [--seed S] [--json FILE]
        [--jobs N] [--examples N]

Articles. The gzipped (or plain) HTML pages in DIR (e.g. trafilatura's evaluation set,
DIR = .../trafilatura-eval/html) are read in an order shuffled by --seed, decoded and
extracted as newsmill does (`transforms.clean.extract_html(...)[0].text`); bodies of at
least 150 words are kept, exact duplicates (equal `transforms.dedup.content_hash`)
dropped. The first N (default 300) are the sources; a few more are read as a reserve of
unrelated text for the negatives. Each page's site is the one newsmill stores
(trafilatura's hostname); pages of one site are different articles.

Labelled set (every choice drawn from random.Random(--seed), so a seed gives the same set):
each source gets no copy (half of them) or 1 to 3 copies, each of a kind drawn at random:
  retemplate  2-5 short residue or boilerplate lines added at the head and 2-5 at the tail
              ("Share this article", "Advertisement", a byline with a date, "Read more:"
              and the start of another article's first sentence, ...)
  reflow      the paragraphs joined into one block, or every sentence on a line of its
              own, with white space changed
  edit        3-8% of the words replaced by other words of the article, one sentence
              deleted or one of another article inserted, 1-3 numbers changed, quotes and
              apostrophes straightened or curled
  teaser      the first 40-60% of the paragraphs (sentences when there are under 3
              paragraphs) and a line "Continue reading..."; its pairs are the containment pairs
  format      an HTML-ish title line (<h1>, <title>, ...) prepended, its case changed
A copy is in its source's cluster. Negatives, each in a cluster of its own, must not be
merged with anything:
  brief       two sentences, 20-40 words, one of them (10-20 words) copied from a source
              article, the other from a reserve article (N/10 of them)
  boilerplate the head and tail lines of a retemplated copy around a short reserve text
              (40-80 words) (N/10 of them)
  same site   two source articles from one site: a pair that must stay apart
The texts are shuffled and fed to the systems as they are (not cleaned first).

Systems. newsmill is `transforms.neardup.cluster(texts)` as it is when the command runs.
The baseline is the obvious datasketch script: MinHash (128 permutations) of word
5-grams of lowercased \\w+ words, MinHashLSH at threshold 0.8; a pair is a duplicate when
LSH returns it, clusters are the connected components.

Figures per system: pairwise precision, recall and F1 over all pairs of texts (a true pair
is two texts of one cluster, containment pairs included), recall on containment pairs
alone (pairs with a teaser), recall per kind of copy (the copy with its source), negatives
merged and false pairs involving them, and documents per second of the clustering call
(after a warm-up call on two texts). --examples N lists up to N pairs newsmill misses and
the false merges, with their exact word 5-gram Jaccard and containment.
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import multiprocessing
import random
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from math import comb
from pathlib import Path

from bench.eval_extraction import _table, f1, ratio
from transforms.clean import extract_html
from transforms.dedup import content_hash
from transforms.documents import count_words
from transforms.read import BadInput, declared_charset, decode_text

MIN_WORDS = 150
COPY_KINDS = ("retemplate", "reflow", "edit", "teaser", "format")
NEGATIVE_KINDS = ("brief", "boilerplate")
SAME_SITE = "same site"
CONTINUE = "Continue reading..."
NEWSMILL = "newsmill"
BASELINE = "datasketch"

_WORD = re.compile(r"\w+")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_NUMBER = re.compile(r"\d+")


# ---------------------------------------------------------------- articles


@dataclass(frozen=True)
class Body:
    name: str  # the page's file name
    site: str | None
    text: str


def page_body(path: str) -> tuple[str, str | None, str | None]:
    """(body text, site, error) of one page, extracted as newsmill extracts HTML."""
    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    try:
        cleaned, metadata = extract_html(decode_text(data, declared_charset(data)))
    except BadInput as error:
        return "", None, f"undecodable: {error.reason}"
    except Exception as error:  # a page the extractor chokes on gives no body
        return "", None, f"{type(error).__name__}: {error}"[:200]
    return cleaned.text, metadata.get("site"), None


def page_paths(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.is_file() and p.name.endswith((".gz", ".html", ".htm")))


def load_bodies(folder: Path, count: int, seed: int, jobs: int = 2) -> tuple[list[Body], dict]:
    """Up to `count` distinct bodies of at least MIN_WORDS words, pages read in seeded order."""
    paths = page_paths(folder)
    random.Random(seed).shuffle(paths)
    bodies: list[Body] = []
    seen: set[str] = set()
    stats = Counter()
    pool = multiprocessing.Pool(jobs) if jobs > 1 else None
    try:
        results = pool.imap(page_body, map(str, paths), chunksize=4) if pool else map(page_body, map(str, paths))
        for path, (text, site, error) in zip(paths, results):
            stats["pages read"] += 1
            if error:
                stats["errors"] += 1
            elif count_words(text) < MIN_WORDS:
                stats[f"under {MIN_WORDS} words"] += 1
            elif (key := content_hash(text)) in seen:
                stats["exact duplicates"] += 1
            else:
                seen.add(key)
                bodies.append(Body(path.name, site, text))
                if len(bodies) == count:
                    break
    finally:
        if pool is not None:
            pool.terminate()
            pool.join()
    return bodies, {"pages": len(paths), **stats}


# ---------------------------------------------------------------- text pieces


def paragraphs(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s]


def first_words(text: str, n: int) -> str:
    return " ".join(text.split()[:n])


def vocabulary(texts: Sequence[str]) -> list[str]:
    """The words of `texts` (no numbers), each once, in order of first appearance."""
    return list(dict.fromkeys(w for t in texts for w in _WORD.findall(t) if not w.isdigit() and len(w) > 1))


_NAMES = ["Anna Keller", "James Porter", "Maria Rossi", "Tom Becker", "Lena Vogel", "Sam Okafor", "Julia Santos"]
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_PAPERS = ["Daily Courier", "Evening Post", "Valley Herald", "Morning Star", "City Times"]


def boilerplate_lines(rng: random.Random, count: int, other_lead: str) -> list[str]:
    """`count` different short residue lines of the kinds site templates put around an article."""
    date = f"{rng.choice(_MONTHS)} {rng.randint(1, 28)}, {rng.randint(2015, 2024)}"
    choices = [
        lambda: "Share this article",
        lambda: "Advertisement",
        lambda: f"By {rng.choice(_NAMES)} | {date}",
        lambda: f"Published {date}, {rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}",
        lambda: f"Read more: {first_words(other_lead, 8)}",
        lambda: "Sign up for our newsletter",
        lambda: "Follow us on Twitter",
        lambda: f"Comments ({rng.randint(0, 99)})",
        lambda: f"© {rng.randint(2015, 2024)} {rng.choice(_PAPERS)}",
        lambda: "Skip to content",
        lambda: "Related articles",
        lambda: f"Photo: {rng.choice(['Reuters', 'AP', 'AFP', 'dpa', 'Getty Images'])}",
    ]
    return [make() for make in rng.sample(choices, count)]


# ---------------------------------------------------------------- copies (each returns the text and what was done)


def retemplate(text: str, rng: random.Random, other_leads: Sequence[str]) -> tuple[str, dict]:
    heads, tails = rng.randint(2, 5), rng.randint(2, 5)
    lines = boilerplate_lines(rng, heads + tails, rng.choice(other_leads))
    head, tail = lines[:heads], lines[heads:]
    return "\n".join([*head, text, *tail]), {
        "head": head,
        "tail": tail,
        "detail": f"{len(head)} lines at the head, {len(tail)} at the tail",
    }


def reflow(text: str, rng: random.Random) -> tuple[str, dict]:
    paras = paragraphs(text)
    if rng.random() < 0.5:
        gaps = [rng.choice([" ", " ", "  ", " \t"]) for _ in paras]
        block = "".join(p + gap for p, gap in zip(paras, gaps)).strip()
        return block, {"detail": f"{len(paras)} paragraphs joined into one block"}
    lines, out = 0, []
    for para in paras:
        for sentence in sentences(para):
            out.append(rng.choice(["", "", "  "]) + sentence + rng.choice(["", "", " "]))
            lines += 1
        out.append("")
    return "\n".join(out).strip("\n"), {
        "detail": f"{lines} sentences on lines of their own, paragraphs blank-line separated"
    }


def _curl(text: str) -> str:
    out, open_quote = [], True
    for char in text:
        if char == '"':
            out.append("\u201c" if open_quote else "\u201d")
            open_quote = not open_quote
        else:
            out.append("\u2019" if char == "'" else char)
    return "".join(out)


def _straighten(text: str) -> str:
    return text.translate(str.maketrans({"\u201c": '"', "\u201d": '"', "\u201e": '"', "\u2018": "'", "\u2019": "'"}))


def edit(text: str, rng: random.Random, other_sentences: Sequence[str]) -> tuple[str, dict]:
    paras = [sentences(p) for p in paragraphs(text)]
    # one sentence deleted (from a paragraph that keeps one) or one of another article inserted
    deletable = [(i, j) for i, para in enumerate(paras) for j in range(len(para)) if len(para) > 1]
    if deletable and rng.random() < 0.5:
        i, j = rng.choice(deletable)
        del paras[i][j]
        sentence_change = "one sentence deleted"
    else:
        i = rng.randrange(len(paras))
        paras[i].insert(rng.randint(0, len(paras[i])), rng.choice(other_sentences))
        sentence_change = "one sentence of another article inserted"
    text = "\n".join(" ".join(para) for para in paras)
    # 3-8% of the words replaced by other words of the article (so of its language)
    vocab = vocabulary([text])
    words = [m for m in _WORD.finditer(text) if not m.group().isdigit()]
    share = rng.uniform(0.03, 0.08)
    chosen = sorted(rng.sample(range(len(words)), max(1, round(share * len(words)))))
    pieces, last = [], 0
    for k in chosen:
        match = words[k]
        word = rng.choice(vocab)
        word = word.capitalize() if match.group()[:1].isupper() else word.lower()
        pieces += [text[last : match.start()], word]
        last = match.end()
    text = "".join(pieces) + text[last:]
    # 1-3 numbers changed (as a correction would), quotes straightened or curled
    found = list(_NUMBER.finditer(text))
    changed = sorted(rng.sample(range(len(found)), min(len(found), rng.randint(1, 3))))
    numbers = len(changed)
    for k in reversed(changed):
        match = found[k]
        text = (
            text[: match.start()]
            + str(int(match.group()) + rng.randint(1, 9)).zfill(len(match.group()))
            + text[match.end() :]
        )
    curly = any(c in text for c in "\u201c\u201d\u2018\u2019")
    text = _straighten(text) if curly else _curl(text)
    return text, {
        "detail": f"{len(chosen)} of {len(words)} words replaced ({share:.1%}), {sentence_change}, "
        f"{_count(numbers, 'number')} changed, quotes {'straightened' if curly else 'curled'}"
    }


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def teaser(text: str, rng: random.Random) -> tuple[str, dict]:
    units, unit, joiner = paragraphs(text), "paragraphs", "\n"
    if len(units) < 3:
        units, unit, joiner = sentences(text), "sentences", " "
    if len(units) < 3:
        units, unit, joiner = text.split(), "words", " "
    keep = min(len(units) - 1, max(1, round(len(units) * rng.uniform(0.4, 0.6))))
    return joiner.join(units[:keep]) + "\n" + CONTINUE, {"detail": f"first {keep} of {len(units)} {unit} kept"}


def reformat(text: str, rng: random.Random) -> tuple[str, dict]:
    title = first_words(sentences(text)[0] if sentences(text) else text, rng.randint(5, 10)).rstrip(".,;:!?")
    case = rng.choice(["upper", "lower", "title"])
    title = {"upper": title.upper(), "lower": title.lower(), "title": title.title()}[case]
    line = rng.choice(["<h1>{}</h1>", "<title>{}</title>", '<h2 class="headline">{}</h2>', "<b>{}</b>"]).format(title)
    return line + "\n" + text, {"detail": f"title line {line!r} ({case} case) prepended"}


# ---------------------------------------------------------------- the labelled set


@dataclass
class Item:
    id: str
    text: str
    cluster: int  # true cluster: a source and its copies share one; each negative has its own
    kind: str  # "source", a copy kind or a negative kind
    source: str | None = None  # a copy's source
    partner: str | None = None  # what a negative resembles: the quoted article, the text whose boilerplate it has
    site: str | None = None
    detail: str = ""
    extra: dict = field(default_factory=dict, repr=False)


def _reserve_text(reserve: list[Body], rng: random.Random, vocab: Sequence[str]) -> str:
    """The next unused reserve body, or word salad from the vocabulary when there is none left."""
    if reserve:
        return reserve.pop(0).text
    return "\n".join(
        " ".join(rng.choice(vocab) for _ in range(rng.randint(8, 20))).capitalize() + "." for _ in range(12)
    )


def _words_upto(text: str, low: int, high: int, rng: random.Random) -> str:
    """Whole leading sentences of `text` making `low` to `high` words, or its first words cut to fit."""
    target = rng.randint(low, high)
    out, words = [], 0
    for sentence in sentences(" ".join(paragraphs(text))):
        n = count_words(sentence)
        if words + n > high:
            break
        out.append(sentence)
        words += n
    if words >= low:
        return " ".join(out)
    return first_words(" ".join(paragraphs(text)), target).rstrip(".,;:") + "."


def _one_sentence(text: str, low: int, high: int, rng: random.Random) -> str:
    """A sentence of `text` of `low` to `high` words, or its first words cut to that length."""
    fitting = [s for s in sentences(" ".join(paragraphs(text))) if low <= count_words(s) <= high]
    if fitting:
        return rng.choice(fitting)
    return first_words(" ".join(paragraphs(text)), rng.randint(low, high)).rstrip(".,;:!?") + "."


def build_set(bodies: Sequence[Body], sources: int, seed: int) -> tuple[list[Item], list[tuple[str, str]]]:
    """(texts in shuffled order, same-site pairs of source ids). bodies[:sources] are the
    sources, the rest a reserve of unrelated text for the negatives."""
    rng = random.Random(seed)
    chosen, reserve = list(bodies[:sources]), list(bodies[sources:])
    vocab = vocabulary([b.text for b in bodies])
    leads = [sentences(paragraphs(b.text)[0])[0] for b in chosen]
    all_sentences = [[s for p in paragraphs(b.text) for s in sentences(p)] for b in chosen]
    items: list[Item] = []
    for n, body in enumerate(chosen):
        source = Item(f"s{n}", body.text, n, "source", site=body.site, detail=body.name)
        items.append(source)
        copies = 0 if rng.random() < 0.5 else rng.randint(1, 3)
        others = [k for k in range(len(chosen)) if k != n] or [n]
        for c in range(copies):
            kind = rng.choice(COPY_KINDS)
            if kind == "retemplate":
                text, info = retemplate(body.text, rng, [leads[k] for k in others])
            elif kind == "reflow":
                text, info = reflow(body.text, rng)
            elif kind == "edit":
                text, info = edit(body.text, rng, all_sentences[rng.choice(others)])
            elif kind == "teaser":
                text, info = teaser(body.text, rng)
            else:
                text, info = reformat(body.text, rng)
            detail = info.pop("detail")
            items.append(
                Item(f"s{n}.{c + 1}-{kind}", text, n, kind, source=source.id, site=body.site, detail=detail, extra=info)
            )
    label = len(chosen)
    for b in range(max(1, round(len(chosen) / 10))):
        target = rng.randrange(len(chosen))
        fitting = [s for s in all_sentences[target] if 10 <= count_words(s) <= 20]
        quoted = rng.choice(fitting) if fitting else first_words(all_sentences[target][0], 15).rstrip(".,;:") + "."
        have = count_words(quoted)
        other = _one_sentence(_reserve_text(reserve, rng, vocab), max(10, 20 - have), max(10, 40 - have), rng)
        pair = [quoted, other] if rng.random() < 0.5 else [other, quoted]
        items.append(
            Item(
                f"brief{b}",
                " ".join(pair),
                label,
                "brief",
                partner=f"s{target}",
                detail=f"quotes a sentence of s{target}",
            )
        )
        label += 1
    templated = [item for item in items if item.kind == "retemplate"]
    for b in range(max(1, round(len(chosen) / 10)) if templated else 0):
        partner = rng.choice(templated)
        short = _words_upto(_reserve_text(reserve, rng, vocab), 40, 80, rng)
        text = "\n".join([*partner.extra["head"], short, *partner.extra["tail"]])
        items.append(
            Item(
                f"boilerplate{b}",
                text,
                label,
                "boilerplate",
                partner=partner.id,
                detail=f"the head and tail lines of {partner.id} around {count_words(short)} other words",
            )
        )
        label += 1
    by_site = defaultdict(list)
    for n, body in enumerate(chosen):
        if body.site:
            by_site[body.site].append(f"s{n}")
    same_site = [pair for site in sorted(by_site) for pair in itertools.combinations(by_site[site], 2)]
    rng.shuffle(items)
    return items, same_site


# ---------------------------------------------------------------- systems


def newsmill_cluster(texts: list[str]) -> list[int]:
    from transforms import neardup  # looked up at call time: measures the clustering as it is now

    return neardup.cluster(texts)


def word_shingles(text: str, n: int = 5) -> set[str]:
    """Word n-grams of the lowercased \\w+ words; a text under n words is one shingle."""
    words = _WORD.findall(text.lower())
    return {" ".join(words[i : i + n]) for i in range(max(1, len(words) - n + 1))} if words else set()


def datasketch_cluster(texts: list[str], threshold: float = 0.8, num_perm: int = 128) -> list[int]:
    """The obvious datasketch script: MinHashLSH over word 5-grams, connected components."""
    from datasketch import MinHash, MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    hashes = []
    for i, text in enumerate(texts):
        minhash = MinHash(num_perm=num_perm)
        minhash.update_batch([s.encode("utf-8") for s in word_shingles(text)])
        lsh.insert(i, minhash)
        hashes.append(minhash)
    parent = list(range(len(texts)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, minhash in enumerate(hashes):
        for j in lsh.query(minhash):
            a, b = root(i), root(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [root(i) for i in range(len(texts))]


SYSTEMS: dict[str, Callable[[list[str]], list[int]]] = {NEWSMILL: newsmill_cluster, BASELINE: datasketch_cluster}


# ---------------------------------------------------------------- scores


def pair_scores(truth: Sequence, predicted: Sequence) -> dict:
    """Pairwise precision, recall and F1: a pair of texts is true when their `truth` labels
    are equal, found when their `predicted` labels are."""
    if len(truth) != len(predicted):
        raise ValueError(f"{len(predicted)} labels for {len(truth)} texts")
    true_pairs = sum(comb(n, 2) for n in Counter(truth).values())
    found_pairs = sum(comb(n, 2) for n in Counter(predicted).values())
    correct = sum(comb(n, 2) for n in Counter(zip(truth, predicted)).values())
    precision, recall = ratio(correct, found_pairs), ratio(correct, true_pairs)
    return {
        "true_pairs": true_pairs,
        "found_pairs": found_pairs,
        "correct_pairs": correct,
        "precision": precision,
        "recall": recall,
        "f1": f1(precision, recall),
    }


def similarity(a: str, b: str) -> dict:
    """Exact word 5-gram Jaccard, and the share of the smaller text's 5-grams in the other."""
    x, y = word_shingles(a), word_shingles(b)
    shared = len(x & y)
    return {
        "jaccard": round(ratio(shared, len(x | y)), 3),
        "containment": round(ratio(shared, min(len(x), len(y))), 3),
        "words": [count_words(a), count_words(b)],
    }


def negative_similarity(items: Sequence[Item], same_site: Sequence[tuple[str, str]]) -> dict:
    """How close each kind of negative comes to what it resembles (its partner; the other
    article of its site): the largest exact word 5-gram Jaccard and containment."""
    by_id = {item.id: item for item in items}
    pairs = {kind: [(item, by_id[item.partner]) for item in items if item.kind == kind] for kind in NEGATIVE_KINDS}
    pairs[SAME_SITE] = [(by_id[a], by_id[b]) for a, b in same_site]
    out = {}
    for kind, kind_pairs in pairs.items():
        figures = [similarity(a.text, b.text) for a, b in kind_pairs]
        out[kind] = {
            "pairs": len(figures),
            "max_jaccard": max((f["jaccard"] for f in figures), default=0.0),
            "max_containment": max((f["containment"] for f in figures), default=0.0),
        }
    return out


def containment_pairs(items: Sequence[Item]) -> list[tuple[int, int]]:
    """Index pairs of one true cluster with a teaser in them."""
    members = defaultdict(list)
    for i, item in enumerate(items):
        members[item.cluster].append(i)
    return [
        (i, j)
        for group in members.values()
        for i, j in itertools.combinations(group, 2)
        if "teaser" in (items[i].kind, items[j].kind)
    ]


def score(items: Sequence[Item], same_site: Sequence[tuple[str, str]], labels: Sequence) -> dict:
    """Every figure of one system's labels on the labelled set."""
    index = {item.id: i for i, item in enumerate(items)}
    figures = pair_scores([item.cluster for item in items], labels)
    contained = containment_pairs(items)
    hits = sum(labels[i] == labels[j] for i, j in contained)
    figures.update(
        containment_pairs=len(contained), containment_found=hits, containment_recall=ratio(hits, len(contained))
    )
    kinds, missed = {}, []
    for kind in COPY_KINDS:
        copies = [(i, index[item.source]) for i, item in enumerate(items) if item.kind == kind]
        found = sum(labels[i] == labels[j] for i, j in copies)
        kinds[kind] = {"pairs": len(copies), "found": found, "recall": ratio(found, len(copies))}
        missed += [(items[i], items[j]) for i, j in copies if labels[i] != labels[j]]
    figures["kinds"] = kinds
    figures["missed"] = [
        {"copy": c.id, "source": s.id, "kind": c.kind, "detail": c.detail, **similarity(c.text, s.text)}
        for c, s in missed
    ]
    members = defaultdict(list)
    for i, label in enumerate(labels):
        members[label].append(i)
    negatives, false_pairs, merges = {}, set(), []
    for kind in NEGATIVE_KINDS:
        merged = 0
        for i, item in enumerate(items):
            if item.kind != kind:
                continue
            others = [j for j in members[labels[i]] if j != i]
            merged += bool(others)
            false_pairs |= {(min(i, j), max(i, j)) for j in others}
            if others:
                merges.append(
                    {
                        "negative": item.id,
                        "kind": kind,
                        "detail": item.detail,
                        "merged_with": [items[j].id for j in others],
                        **similarity(item.text, items[others[0]].text),
                    }
                )
        negatives[kind] = {"texts": sum(item.kind == kind for item in items), "merged": merged}
    merged_sites = [(a, b) for a, b in same_site if labels[index[a]] == labels[index[b]]]
    negatives[SAME_SITE] = {"texts": len(same_site), "merged": len(merged_sites)}
    for a, b in merged_sites:
        i, j = sorted((index[a], index[b]))
        false_pairs.add((i, j))
        merges.append(
            {
                "negative": f"{a} + {b}",
                "kind": SAME_SITE,
                "detail": f"both from {items[i].site}",
                "merged_with": [b],
                **similarity(items[i].text, items[j].text),
            }
        )
    figures["negatives"] = negatives
    figures["negative_false_pairs"] = len(false_pairs)
    figures["false_merges"] = merges
    return figures


def evaluate(
    items: Sequence[Item],
    same_site: Sequence[tuple[str, str]],
    systems: dict[str, Callable[[list[str]], list[int]]] = SYSTEMS,
) -> dict:
    """Each system's figures on the labelled set, and the speed of its clustering call."""
    texts = [item.text for item in items]
    report = {}
    for name, system in systems.items():
        system(texts[:2])  # warm-up: imports and first-call set-up are not timed
        start = time.perf_counter()
        labels = list(system(texts))
        seconds = time.perf_counter() - start
        report[name] = {
            **score(items, same_site, labels),
            "seconds": seconds,
            "documents_per_second": ratio(len(texts), seconds),
            "labels": labels,
        }
    return report


# ---------------------------------------------------------------- tables


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} {ratio(part, whole):6.1%}" if whole else f"{part}/{whole} {'-':>6}"


def set_summary(items: Sequence[Item], same_site: Sequence, stats: dict) -> str:
    kinds = Counter(item.kind for item in items)
    copies = ", ".join(f"{kinds[k]} {k}" for k in COPY_KINDS)
    read = ", ".join(f"{v} {k}" for k, v in stats.items() if k != "pages")
    with_copies = len({item.source for item in items if item.source})
    return (
        f"{kinds['source']} source articles ({with_copies} with copies) from {stats.get('pages', '?')} pages ({read})\n"
        f"{len(items)} texts: {kinds['source']} sources, {sum(kinds[k] for k in COPY_KINDS)} copies ({copies}), "
        f"{kinds['brief']} briefs, {kinds['boilerplate']} boilerplate texts; {len(same_site)} same-site pairs"
    )


def negatives_line(closeness: dict) -> str:
    return "negatives vs what they resemble, exact word 5-grams: " + "; ".join(
        f"{kind} Jaccard <= {f['max_jaccard']:.2f}, containment <= {f['max_containment']:.2f}"
        for kind, f in closeness.items()
        if f["pairs"]
    )


def summary_table(report: dict) -> str:
    rows = [
        [
            name,
            _share(s["correct_pairs"], s["true_pairs"]),
            s["found_pairs"],
            f"{s['precision']:.3f}",
            f"{s['recall']:.3f}",
            f"{s['f1']:.3f}",
            _share(s["containment_found"], s["containment_pairs"]),
            s["negative_false_pairs"],
            f"{s['documents_per_second']:.0f}",
        ]
        for name, s in report.items()
    ]
    header = [
        "system",
        "true pairs found",
        "pairs found",
        "precision",
        "recall",
        "F1",
        "containment recall",
        "negative false pairs",
        "docs/s",
    ]
    return _table(header, rows)


def kinds_table(report: dict) -> str:
    names = list(report)
    rows = [
        [
            f"copy: {kind}",
            *(_share(report[n]["kinds"][kind]["found"], report[n]["kinds"][kind]["pairs"]) for n in names),
        ]
        for kind in COPY_KINDS
    ]
    rows += [
        [
            f"negative: {kind}",
            *(_share(report[n]["negatives"][kind]["merged"], report[n]["negatives"][kind]["texts"]) for n in names),
        ]
        for kind in (*NEGATIVE_KINDS, SAME_SITE)
    ]
    return _table(["copy found with its source / negative merged", *names], rows)


def examples(report: dict, limit: int, system: str = NEWSMILL) -> str:
    s = report[system]
    out = [
        f"{system} misses {len(s['missed'])} copies"
        + (f"; {min(limit, len(s['missed']))} of them:" if s["missed"] else "")
    ]
    for miss in s["missed"][:limit]:
        out.append(
            f"  {miss['copy']} ~ {miss['source']}  [{miss['kind']}] {miss['detail']}; 5-gram Jaccard "
            f"{miss['jaccard']:.2f}, containment {miss['containment']:.2f}, {miss['words'][0]}/{miss['words'][1]} words"
        )
    for name, figures in report.items():
        merges = figures["false_merges"]
        out.append(f"{name} false merges of negatives: {len(merges)}" + (":" if merges else ""))
        for merge in merges[:limit]:
            out.append(
                f"  {merge['negative']} [{merge['kind']}] {merge['detail']}, merged with "
                f"{', '.join(merge['merged_with'][:5])}; 5-gram Jaccard {merge['jaccard']:.2f}, "
                f"containment {merge['containment']:.2f}"
            )
    return "\n".join(out)


# ---------------------------------------------------------------- command line


def main(argv: Sequence[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(
        prog="python -m bench.eval_dedup", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=Path, required=True, metavar="DIR", help="HTML pages (NAME.gz or NAME.html)")
    parser.add_argument("--articles", type=int, default=300, metavar="N", help="source articles (default 300)")
    parser.add_argument(
        "--seed", type=int, default=0, metavar="S", help="seed of the page order and mutations (default 0)"
    )
    parser.add_argument("--jobs", type=int, default=2, help="extraction processes (default 2; 1 runs in this process)")
    parser.add_argument(
        "--examples", type=int, default=3, metavar="N", help="misses and false merges listed (default 3)"
    )
    parser.add_argument("--json", type=Path, metavar="FILE", help="write every figure, per text too, to FILE")
    args = parser.parse_args(argv)
    if not args.pages.is_dir():
        parser.error(f"not a folder: {args.pages}")
    if args.articles < 2:
        parser.error("--articles must be at least 2")
    reserve = 2 * max(1, round(args.articles / 10))
    bodies, stats = load_bodies(args.pages, args.articles + reserve, args.seed, args.jobs)
    if len(bodies) < 2:
        parser.error(f"fewer than 2 bodies of {MIN_WORDS}+ words in {args.pages}")
    items, same_site = build_set(bodies, args.articles, args.seed)
    stats["reserve"] = max(0, len(bodies) - args.articles)
    closeness = negative_similarity(items, same_site)
    print(set_summary(items, same_site, stats) + "\n" + negatives_line(closeness), flush=True)
    report = evaluate(items, same_site)
    first = next(iter(report.values()))
    print(f"{first['true_pairs']} true pairs ({first['containment_pairs']} containment pairs)\n", flush=True)
    print(summary_table(report) + "\n\n" + kinds_table(report), flush=True)
    if args.examples:
        print("\n" + examples(report, args.examples), flush=True)
    results = {
        "pages": str(args.pages),
        "articles": args.articles,
        "seed": args.seed,
        "read": stats,
        "same_site_pairs": same_site,
        "negative_similarity": closeness,
        "systems": report,
        "texts": [
            {k: v for k, v in asdict(item).items() if k not in ("text", "extra")} | {"words": count_words(item.text)}
            for item in items
        ],
    }
    if args.json:
        args.json.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return results


if __name__ == "__main__":
    main(sys.argv[1:])
