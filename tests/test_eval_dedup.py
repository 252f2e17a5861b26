"""bench.eval_dedup: pairwise scores by hand, seeded mutations that keep their labels, and
an end-to-end run on generated pages."""

import gzip
import json
import random
import re

import pytest

from bench import eval_dedup as ev

WORDS = """council river bridge school market harbour village winter summer station police doctor
hospital teacher farmer budget election minister museum library garden festival railway airport
factory worker union strike storm flood fire road tunnel ferry island mountain forest lake coast
report study survey court judge lawyer witness crowd protest meeting plan project funding tax price
energy water power grid solar wind coal steel bread coffee wine cheese fishing boat crew captain
season league match goal coach player fans stadium ticket music concert film theatre painter writer
novel poem newspaper radio signal phone network data cloud software engineer robot laboratory
vaccine virus patient clinic nurse ambulance weather forecast rain snow heat drought harvest""".split()


def body(seed: int, paragraphs: int = 5) -> str:
    """A generated article body: paragraphs one per line, 3-4 sentences of 9-16 words each."""
    rng = random.Random(seed)
    lines = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(rng.randint(3, 4)):
            words = [rng.choice(WORDS) for _ in range(rng.randint(9, 16))]
            if rng.random() < 0.3:
                words.insert(rng.randrange(len(words)), str(rng.randint(2, 2024)))
            sentences.append(" ".join(words).capitalize() + ".")
        lines.append(" ".join(sentences))
    return "\n".join(lines)


def bodies(count: int, sites: int = 3) -> list[ev.Body]:
    return [ev.Body(f"page{i}.html", f"site{i % sites}.example" if i % 5 == 0 else None, body(i)) for i in range(count)]


# ---------------------------------------------------------------- scores by hand


def test_pair_scores_by_hand():
    truth = [0, 0, 0, 1, 1, 2]  # 3 + 1 = 4 true pairs
    # found: {0,1} (true), {2,3,4}: (3,4) true, (2,3) and (2,4) false; {5} alone -> 4 found, 2 correct
    scores = ev.pair_scores(truth, ["a", "a", "b", "b", "b", "c"])
    assert (scores["true_pairs"], scores["found_pairs"], scores["correct_pairs"]) == (4, 4, 2)
    assert scores["precision"] == 0.5 and scores["recall"] == 0.5 and scores["f1"] == 0.5
    lumped = ev.pair_scores(truth, [7] * 6)
    assert (lumped["found_pairs"], lumped["precision"], lumped["recall"]) == (15, 4 / 15, 1.0)
    alone = ev.pair_scores(truth, range(6))
    assert (alone["found_pairs"], alone["precision"], alone["recall"], alone["f1"]) == (0, 0.0, 0.0, 0.0)
    assert ev.pair_scores(truth, truth)["f1"] == 1.0
    with pytest.raises(ValueError):
        ev.pair_scores(truth, [0, 1])


def test_score_kinds_containment_and_negatives_by_hand():
    a, b = body(1), body(2)
    items = [
        ev.Item("s0", a, 0, "source", site="x.example"),
        ev.Item("s0.1-teaser", a[:200], 0, "teaser", source="s0"),
        ev.Item("s0.2-reflow", a.replace("\n", " "), 0, "reflow", source="s0"),
        ev.Item("s1", b, 1, "source", site="x.example"),
        ev.Item("s1.1-edit", b + " More.", 1, "edit", source="s1"),
        ev.Item("brief0", "A brief.", 2, "brief", partner="s0"),
        ev.Item("boilerplate0", "Share this article\nSome text.", 3, "boilerplate", partner="s1.1-edit"),
    ]
    same_site = [("s0", "s1")]
    # s0 with its reflow but not its teaser; s1, its edit and the brief lumped together
    labels = [0, 1, 0, 2, 2, 2, 3]
    figures = ev.score(items, same_site, labels)
    assert (figures["true_pairs"], figures["found_pairs"], figures["correct_pairs"]) == (4, 4, 2)
    # containment pairs: teaser-source, teaser-reflow; neither found
    assert (figures["containment_pairs"], figures["containment_found"], figures["containment_recall"]) == (2, 0, 0.0)
    kinds = figures["kinds"]
    assert kinds["teaser"] == {"pairs": 1, "found": 0, "recall": 0.0}
    assert kinds["reflow"]["recall"] == kinds["edit"]["recall"] == 1.0 and kinds["format"]["pairs"] == 0
    assert [m["copy"] for m in figures["missed"]] == ["s0.1-teaser"]
    assert figures["negatives"] == {
        "brief": {"texts": 1, "merged": 1},
        "boilerplate": {"texts": 1, "merged": 0},
        "same site": {"texts": 1, "merged": 0},
    }
    assert figures["negative_false_pairs"] == 2  # brief0-s1, brief0-s1.1-edit
    assert figures["false_merges"][0]["merged_with"] == ["s1", "s1.1-edit"]
    # s0 and s1 of one site merged: one more negative false pair
    assert ev.score(items, same_site, [0, 0, 0, 0, 0, 5, 6])["negatives"]["same site"]["merged"] == 1


# ---------------------------------------------------------------- the labelled set


def words_of(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_mutations_are_deterministic_for_a_seed():
    first, same_site = ev.build_set(bodies(34), 30, seed=7)
    again, same_site_again = ev.build_set(bodies(34), 30, seed=7)
    assert first == again and same_site == same_site_again
    other, _ = ev.build_set(bodies(34), 30, seed=8)
    assert [(i.id, i.text) for i in other] != [(i.id, i.text) for i in first]


def test_mutations_keep_the_labels():
    source_bodies = bodies(34)
    items, same_site = ev.build_set(source_bodies, 30, seed=3)
    by_id = {item.id: item for item in items}
    sources = [item for item in items if item.kind == "source"]
    assert sorted(s.text for s in sources) == sorted(b.text for b in source_bodies[:30])
    assert len({s.cluster for s in sources}) == 30
    negatives = [item for item in items if item.kind in ev.NEGATIVE_KINDS]
    assert {n.kind for n in negatives} == {"brief", "boilerplate"} and len(negatives) == 6
    clusters = [item.cluster for item in items]
    for negative in negatives:  # a cluster of its own
        assert clusters.count(negative.cluster) == 1
    with_copies = {item.source for item in items if item.source}
    assert 6 <= len(with_copies) <= 24  # about half of the sources
    assert {item.kind for item in items if item.source} == set(ev.COPY_KINDS)
    for item in items:
        if item.kind in ev.COPY_KINDS:
            source = by_id[item.source]
            assert item.cluster == source.cluster and item.text != source.text
        if item.kind == "retemplate":
            assert source.text in item.text
            assert 2 <= len(item.extra["head"]) <= 5 and 2 <= len(item.extra["tail"]) <= 5
        elif item.kind == "format":
            title, rest = item.text.split("\n", 1)
            assert rest == source.text and title.startswith("<")
        elif item.kind == "reflow":
            assert words_of(item.text) == words_of(source.text)
        elif item.kind == "teaser":
            kept, last = item.text.rsplit("\n", 1)
            assert last == ev.CONTINUE and source.text.startswith(kept)
            assert 0.25 < len(words_of(kept)) / len(words_of(source.text)) < 0.75
        elif item.kind == "edit":
            assert 0 < ev.similarity(item.text, source.text)["jaccard"] < 0.9
        elif item.kind == "brief":
            assert 20 <= ev.count_words(item.text) <= 40
            assert len(ev.sentences(item.text)) == 2
            assert any(s in by_id[item.partner].text for s in ev.sentences(item.text))
        elif item.kind == "boilerplate":
            partner = by_id[item.partner]
            lines = item.text.splitlines()
            assert lines[: len(partner.extra["head"])] == partner.extra["head"]
            assert lines[-len(partner.extra["tail"]) :] == partner.extra["tail"]
    # same-site pairs: the sources of one site, two by two
    sites = {s.id: s.site for s in sources}
    assert same_site and all(sites[a] == sites[b] is not None for a, b in same_site)


def test_baseline_finds_exact_reflows_and_separates_articles():
    pytest.importorskip("datasketch")
    a, b = body(10), body(11)
    labels = ev.datasketch_cluster([a, b, " ".join(a.splitlines()).upper(), "<h1>Title</h1>\n" + b])
    assert labels[0] == labels[2] and labels[1] == labels[3] and labels[0] != labels[1]


# ---------------------------------------------------------------- end to end

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>{canonical}</head>
<body><nav><a href="/">Home</a> <a href="/news">News</a></nav>
<main><article><h1>{title}</h1>
{paragraphs}
</article></main><footer><p>Imprint of the example paper</p></footer></body></html>"""


def write_page(path, text: str, title: str, url: str | None = None):
    canonical = f'<link rel="canonical" href="{url}">' if url else ""
    paragraphs = "\n".join(f"<p>{p}</p>" for p in text.splitlines())
    path.write_bytes(gzip.compress(PAGE.format(title=title, canonical=canonical, paragraphs=paragraphs).encode()))


def test_end_to_end_on_generated_pages(tmp_path, capsys):
    pytest.importorskip("transforms.neardup")
    pytest.importorskip("datasketch")
    pages = tmp_path / "html"
    pages.mkdir()
    for i in range(36):
        url = f"https://site{i % 2}.example/news/{i}" if i % 6 == 0 else None
        write_page(pages / f"p{i:02d}.html.gz", body(100 + i), f"Story {i}", url)
    write_page(pages / "short.html.gz", "Too short to be an article.", "Short")
    write_page(pages / "again.html.gz", body(100), "Story 0 again")  # an exact duplicate of p00
    out = tmp_path / "figures.json"
    results = ev.main(["--pages", str(pages), "--articles", "30", "--seed", "1", "--jobs", "1", "--json", str(out)])
    assert results["read"].get("under 150 words", 0) <= 1 and results["read"].get("exact duplicates", 0) <= 1
    assert json.loads(out.read_text(encoding="utf-8"))["systems"].keys() == {"newsmill", "datasketch"}
    texts = results["texts"]
    assert sum(t["kind"] == "source" for t in texts) == 30
    for system, figures in results["systems"].items():
        assert len(figures["labels"]) == len(texts)
        shares = [figures[k] for k in ("precision", "recall", "f1", "containment_recall")]
        shares += [kind["recall"] for kind in figures["kinds"].values()]
        assert all(0.0 <= share <= 1.0 for share in shares), system
        assert figures["documents_per_second"] > 0
    # the baseline cannot miss a copy whose word 5-grams are all in its source's
    baseline = results["systems"]["datasketch"]
    assert baseline["kinds"]["reflow"]["recall"] == 1.0 or baseline["kinds"]["reflow"]["pairs"] == 0
    out_text = capsys.readouterr().out
    assert "containment recall" in out_text and "copy: teaser" in out_text and "negative: brief" in out_text
