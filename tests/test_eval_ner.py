"""bench.eval_ner: reading CoNLL, documents as text, finding gold tokens in the stored text,
scores by hand, and one end-to-end run through the real flow."""

import argparse
import json
from pathlib import Path

import pytest

from bench import eval_ner as ev

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "conll" / "news.conll"


@pytest.fixture(scope="module")
def documents():
    return ev.read_conll(FIXTURE)


# ---------------------------------------------------------------- reading


def test_reads_documents_and_sentences(documents, tmp_path):
    assert [len(d) for d in documents] == [6, 5, 5]
    headline = documents[0][0]
    assert headline.tokens[:3] == ("SHIPPING", "-", "MARLOW") and headline.tags[2:5] == ("I-ORG",) * 3
    assert all(len(s.tokens) == len(s.tags) for d in documents for s in d)
    # a file that opens with -DOCSTART- (as CoNLL's training split does) reads the same
    leading = tmp_path / "leading.conll"
    leading.write_text("-DOCSTART- -X- -X- O\n\n" + FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    assert ev.read_conll(leading) == documents


def test_gold_spans_iob1_and_iob2(documents):
    body = documents[0][1:]
    # IOB1: "The Marlow Harbour Board named Helen Varga ..." continues I- tags into one span
    assert ev.entity_spans(body[1].tags) == [(1, 4, "ORG"), (5, 7, "PER")]
    # "the Keston Marlow route": B-LOC starts a second place right after the first
    assert ev.entity_spans(body[4].tags) == [(3, 4, "LOC"), (4, 5, "LOC")]
    # "the Farmers ' Union": the apostrophe is inside the name
    assert ev.entity_spans(documents[2][1].tags)[1] == (12, 15, "ORG")
    # MISC is read, but not scored
    assert ev.entity_spans(documents[2][3].tags) == [(10, 12, "PER"), (14, 15, "MISC"), (15, 17, "ORG")]
    assert {e[-1] for e in ev.gold_entities(2, documents[2][1:])} == {"PER", "ORG", "LOC"}
    assert ev.entity_spans(["B-PER", "I-PER", "B-PER", "O", "B-LOC", "I-ORG"]) == [
        (0, 2, "PER"),
        (2, 3, "PER"),
        (4, 5, "LOC"),
        (5, 6, "ORG"),
    ]
    assert ev.entity_spans(["I-LOC", "I-ORG", "O", "I-ORG"]) == [(0, 1, "LOC"), (1, 2, "ORG"), (3, 4, "ORG")]


def test_gold_entities_of_the_fixture(documents):
    assert [len(ev.gold_entities(i, d[1:])) for i, d in enumerate(documents)] == [10, 7, 5]
    assert [len(ev.gold_entities(i, d[:1])) for i, d in enumerate(documents)] == [1, 2, 1]


def test_document_slice():
    assert ev.document_slice("108:") == slice(108, None)
    assert ev.document_slice(":50") == slice(None, 50)
    assert ev.document_slice("-3:") == slice(-3, None)
    for bad in ("5", "a:b", ""):
        with pytest.raises(argparse.ArgumentTypeError):
            ev.document_slice(bad)


# ---------------------------------------------------------------- documents as text


def test_detokenize_reads_as_news():
    text, _ = ev.detokenize(
        [
            ["Japan", "'s", "exports", "(", "cars", ")", "rose", "4", "%", "to", "$", "5", "billion", "."],
            ["It", "is", "n't", "over", ",", "they", "'re", "saying", ":", "good", "!"],
        ]
    )
    assert text == "Japan's exports (cars) rose 4% to $5 billion.\nIt isn't over, they're saying: good!"
    quoted, _ = ev.detokenize([['"', "We", "won", ",", '"', "he", "said", "of", "the", '"', "miracle", '"', "."]])
    assert quoted == '"We won," he said of the "miracle".'
    # a quote that runs over two sentences closes in the second
    assert ev.detokenize([['"', "Go", "."], ["Now", ".", '"', "He", "left", "."]])[0] == '"Go.\nNow." He left.'
    # a quote that opens the next sentence begins its line, also when it is all its sentence holds
    assert (
        ev.detokenize([["He", "said", ".", '"'], ["Yes", ".", '"'], ['"'], ["No", '"']])[0] == 'He said.\n"Yes."\n"No"'
    )
    assert (
        ev.detokenize([["the", "players", "'", "union", "``", "Hi", "''", "JAPAN", "'S"]])[0]
        == "the players' union ``Hi'' JAPAN'S"
    )


def test_token_offsets_slice_back(documents):
    for document in documents:
        sentences = [s.tokens for s in document]
        text, offsets = ev.detokenize(sentences)
        assert len(text.split("\n")) == len(sentences)
        for tokens, spans in zip(sentences, offsets):
            assert [text[start:end] for start, end in spans] == list(tokens)


def test_record_has_the_headline_as_title(documents):
    record = ev.record("news.conll", 0, documents[0])
    assert record["url"] == "conll://news.conll/0"
    assert record["title"] == "SHIPPING - MARLOW HARBOUR BOARD NAMES NEW CHAIR"
    lines = record["text"].split("\n")
    assert lines[0] == "KESTON 1996-09-02" and len(lines) == 5
    assert lines[1] == "The Marlow Harbour Board named Helen Varga as its chair on Monday, the board's spokesman said."
    assert lines[3] == '"We will keep the port open all winter," Varga told Reuters in an interview.'
    assert ev.record("news.conll", 2, documents[2])["text"].split("\n")[1].startswith("Wheat traded at $210 a tonne")


# ---------------------------------------------------------------- gold tokens in the stored text


def test_locate_when_lines_are_missing(documents):
    text, offsets = ev.detokenize([s.tokens for s in documents[0][1:]])
    lines = text.split("\n")
    # the cleaner dropped the dateline (line 0) and the quote (line 3); the stored text
    # also has a line of its own, which holds line 4 and more
    stored = "\n".join([lines[1], lines[2], "Keston. " + lines[4], lines[4]])
    located = ev.locate(text, offsets, stored)
    assert located[0] == [None, None] and set(located[3]) == {None}
    for n in (1, 2, 4):
        assert [stored[start:end] for start, end in located[n]] == list(documents[0][1 + n].tokens)
    assert located[4][0][0] == stored.rindex(lines[4])  # its own line, not the one that holds it and more
    # in order only: a line found further down leaves the stored lines before it behind
    assert ev.locate("a\nb", [[(0, 1)], [(2, 3)]], "b\nx\na") == [[(4, 5)], [None]]
    assert ev.line_at(text, offsets[2][0][0]) == lines[2] and ev.line_at(text, len(text)) == lines[-1]


def test_locate_a_quote_moved_to_the_next_line():
    sentences = [["Varga", "said", ".", '"'], ["We", "stay", ".", '"']]
    text, offsets = ev.detokenize(sentences)
    assert text == 'Varga said.\n"We stay."'
    assert offsets[0][-1] == (12, 13)  # the quote ending sentence 0 begins line 2
    stored = "Ferries ran.\n" + text.split("\n")[1]
    located = ev.locate(text, offsets, stored)
    assert located[0] == [None, None, None, (13, 14)]
    assert [stored[start:end] for start, end in located[1]] == sentences[1]


def test_predicted_entities_map_onto_exact_token_spans():
    # "Helen Varga said." / a line the cleaner dropped / "Keston Rovers"
    located = [[(0, 5), (6, 11), (12, 16), (16, 17)], [None], [(30, 36), (37, 42)]]
    mentions = [(0, 11, "PERSON"), (30, 42, "ORG"), (6, 11, "NORP"), (0, 5, "GPE"), (1, 11, "PERSON"), (12, 36, "ORG")]
    assert ev.predicted_entities(7, located, mentions) == {
        (7, 0, 0, 2, "PER"),
        (7, 2, 0, 2, "ORG"),
        (7, 0, 0, 1, "LOC"),
        (7, None, 1, 11, "PER"),  # not on token boundaries: can only be wrong
        (7, None, 12, 36, "ORG"),  # across two sentences
    }


# ---------------------------------------------------------------- scores by hand


def test_score_by_hand():
    gold = {(0, 0, 0, 2, "PER"), (0, 0, 3, 4, "LOC"), (0, 1, 0, 3, "ORG"), (1, 0, 5, 6, "LOC")}
    predicted = {
        (0, 0, 0, 2, "PER"),  # right
        (0, 0, 3, 4, "ORG"),  # right span, wrong type
        (0, 1, 0, 2, "ORG"),  # wrong span
        (1, 0, 5, 6, "LOC"),  # right
        (1, None, 40, 45, "PER"),
    }  # off the tokens
    figures = ev.score(gold, predicted)
    assert (figures["gold"], figures["predicted"], figures["correct"]) == (4, 5, 2)
    assert figures["precision"] == 0.4 and figures["recall"] == 0.5 and figures["f1"] == pytest.approx(4 / 9)
    assert figures["PER"] == {
        "gold": 1,
        "predicted": 2,
        "correct": 1,
        "precision": 0.5,
        "recall": 1.0,
        "f1": pytest.approx(2 / 3),
    }
    assert (figures["ORG"]["correct"], figures["ORG"]["predicted"], figures["ORG"]["f1"]) == (0, 2, 0.0)
    assert figures["LOC"]["precision"] == 1.0 and figures["LOC"]["recall"] == 0.5
    assert ev.score(gold, gold)["f1"] == 1.0 and ev.score(gold, set())["f1"] == 0.0


# ---------------------------------------------------------------- end to end


def test_end_to_end_through_the_flow(prefect_server, capsys):
    report = ev.main([str(FIXTURE), "--json"])
    assert json.loads(capsys.readouterr().out) == report
    assert (report["documents"], report["articles"] + report["rejected"]) == (3, 3)
    assert report["gold_entities"] == 22 and report["headline_entities"] == 4
    # the dateline "KESTON 1996-09-02" stands before the article's first sentence
    assert report["lost_by_reason"].get("outside_article", 0) >= 1
    for name, figures in report["systems"].items():
        assert 0.0 < figures["f1"] <= 1.0, name
        assert figures["correct"] <= figures["gold"] - report["lost_entities"] - report["rejected_entities"]
        assert all(0.0 <= figures[kind]["f1"] <= 1.0 for kind in ev.TYPES)
        assert figures["words_per_second"] > 0
    table = ev.summary(report)
    assert "3 documents" in table and "PER F1" in table and "spaCy full pipeline" in table
