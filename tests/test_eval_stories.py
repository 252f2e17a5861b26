"""bench.eval_stories: B-cubed and pairwise scores by hand, the baseline's TF-IDF and
clustering, labels by line, and one end-to-end run through the real flow."""

import gzip
import json
from math import log
from pathlib import Path

import numpy as np
import pytest

from bench import eval_stories as ev
from transforms.documents import file_uri

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "stories" / "events.jsonl"


# ---------------------------------------------------------------- scores by hand


def test_bcubed_by_hand():
    truth = ["a", "a", "a", "b", "b"]
    # found: {0, 1}, {2, 3, 4}. Precision per item: 2/2, 2/2, 1/3, 2/3, 2/3 -> 11/15;
    # recall per item: 2/3, 2/3, 1/3, 2/2, 2/2 -> 11/15
    figures = ev.bcubed(truth, [1, 1, 2, 2, 2])
    assert figures["precision"] == pytest.approx(11 / 15) and figures["recall"] == pytest.approx(11 / 15)
    assert figures["f1"] == pytest.approx(11 / 15)
    lumped = ev.bcubed(["a", "a", "b", "b"], [0, 0, 0, 0])  # each item: 2 of its 4 right, all of its event
    assert (lumped["precision"], lumped["recall"], lumped["f1"]) == (0.5, 1.0, pytest.approx(2 / 3))
    alone = ev.bcubed(["a", "a", "b", "b"], [0, 1, 2, 3])
    assert (alone["precision"], alone["recall"], alone["f1"]) == (1.0, 0.5, pytest.approx(2 / 3))
    # unequal sizes: the big event's items weigh more. truth {0,1,2,3} {4}; found {0,1} {2,3,4}
    skewed = ev.bcubed([0, 0, 0, 0, 1], ["x", "x", "y", "y", "y"])
    assert skewed["precision"] == pytest.approx((1 + 1 + 2 / 3 + 2 / 3 + 1 / 3) / 5)
    assert skewed["recall"] == pytest.approx((0.5 + 0.5 + 0.5 + 0.5 + 1) / 5)
    assert ev.bcubed(truth, truth)["f1"] == 1.0
    assert ev.bcubed([], [])["f1"] == 0.0
    with pytest.raises(ValueError):
        ev.bcubed(truth, [0, 1])


def test_pairwise_by_hand():
    truth = ["a", "a", "a", "b", "b"]  # 3 + 1 = 4 true pairs
    # found {0, 1}, {2, 3, 4}: 1 + 3 = 4 pairs, of which (0, 1) and (3, 4) are true
    figures = ev.pairwise(truth, [1, 1, 2, 2, 2])
    assert (figures["true_pairs"], figures["found_pairs"], figures["correct_pairs"]) == (4, 4, 2)
    assert figures["precision"] == 0.5 and figures["recall"] == 0.5 and figures["f1"] == 0.5
    lumped = ev.pairwise(truth, [0] * 5)
    assert (lumped["found_pairs"], lumped["precision"], lumped["recall"]) == (10, 0.4, 1.0)
    alone = ev.pairwise(truth, range(5))
    assert (alone["found_pairs"], alone["precision"], alone["recall"], alone["f1"]) == (0, 0.0, 0.0, 0.0)
    assert ev.pairwise(truth, truth)["f1"] == 1.0
    with pytest.raises(ValueError):
        ev.pairwise(truth, [0])


def test_scores_count_stories():
    figures = ev.scores(["a", "a", "b"], ["s1", "s2", "s2"])
    assert figures["stories"] == 2 and set(figures) == {"stories", "bcubed", "pairwise"}


# ---------------------------------------------------------------- baseline


def test_tfidf_has_scikit_learns_semantics():
    # 2 texts; tokens of 2+ word characters, lowercased ("A" is dropped); df: the 2, cat 1, sat 1, dog 1
    rows = ev.tfidf(["A cat, the CAT sat", "the dog"])
    assert rows.shape == (2, 4)
    # columns in order of first appearance: cat, the, sat, dog
    rare = log(3 / 2) + 1  # smooth idf of a word in one of two texts; a word in both has idf 1
    first = np.array([(1 + log(2)) * rare, 1.0, rare, 0.0])  # sublinear tf: cat twice, 1 + ln 2
    second = np.array([0.0, 1.0, 0.0, rare])
    assert rows.toarray()[0] == pytest.approx(first / np.linalg.norm(first))
    assert rows.toarray()[1] == pytest.approx(second / np.linalg.norm(second))
    assert np.linalg.norm(rows.toarray(), axis=1) == pytest.approx([1.0, 1.0])
    assert ev.tfidf(["", "the dog"]).toarray()[0] == pytest.approx([0.0, 0.0])  # no token: a zero row


def test_baseline_clusters_by_words_and_cuts_at_the_threshold():
    texts = [
        "harbour fire grain store firefighters blaze quay",
        "blaze grain store harbour firefighters smoke",
        "bridge reopens repairs deck piers detour",
        "bridge repairs deck detour buses reopened",
    ]
    labels = ev.baseline(texts, 0.9)
    assert labels[0] == labels[1] and labels[2] == labels[3] and labels[0] != labels[2]
    assert len(set(ev.baseline(texts, 0.0))) == 4  # no two texts are at distance 0
    assert len(set(ev.baseline(texts, 2.0))) == 1
    assert ev.baseline(["one text"], 0.5) == [0] and ev.baseline([], 0.5) == []
    swept = ev.sweep(texts, ["f", "f", "b", "b"], thresholds=(0.0, 0.9, 2.0))
    assert [s["stories"] for s in swept] == [4, 2, 1]
    assert swept[1]["bcubed"]["f1"] == 1.0 and swept[1]["threshold"] == 0.9


# ---------------------------------------------------------------- labels by line


def test_labels_by_line_as_the_reader_counts(tmp_path):
    labels = ev.read_labels(FIXTURE)
    assert labels.records == 11 and 5 not in labels.events  # line 5 is blank
    assert labels.events[1] == labels.events[3] == "harbour-fire" and labels.events[6] == "bridge-reopens"
    assert 11 not in labels.events and labels.events[10] == labels.events[12] == "tram-vote"
    lines = [
        b'{"text": "a", "event": 7}',
        b"not json",
        b"",
        b'["a list"]',
        b'{"text": "b", "event": ""}',
        b'{"text": "c", "event": "x"}',
    ]
    plain = tmp_path / "mixed.jsonl"
    plain.write_bytes(b"\n".join(lines) + b"\n")
    assert ev.read_labels(plain) == ev.Labels(5, {1: "7", 6: "x"})
    packed = tmp_path / "mixed.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    assert ev.read_labels(packed) == ev.read_labels(plain)


def test_line_of_a_source_uri(tmp_path):
    odd = tmp_path / "feed#1%.jsonl"
    prefix = file_uri(odd)
    assert prefix.endswith("feed%231%25.jsonl")
    assert ev.line_of(prefix + "#12", prefix) == 12
    assert ev.line_of(file_uri(tmp_path / "other.jsonl") + "#12", prefix) is None
    assert ev.line_of(prefix + "#unread", prefix) is None and ev.line_of(prefix, prefix) is None


# ---------------------------------------------------------------- end to end


def test_end_to_end_through_the_flow(prefect_server, capsys):
    report = ev.main([str(FIXTURE), "--json", "--sweep"])
    assert json.loads(capsys.readouterr().out) == report
    assert (report["records"], report["labelled"], report["events"]) == (11, 10, 3)
    # line 10 has no text; line 11 has no label
    assert report["rejected"] == 1 and report["rejected_by_reason"] == {"missing_content": 1}
    assert (report["articles"], report["scored"], report["unlabelled_articles"]) == (10, 9, 1)
    assert report["scored_events"] == 3 and report["without_story"] == 0
    for name, figures in report["systems"].items():
        assert 1 <= figures["stories"] <= 9, name
        for kind in ("bcubed", "pairwise"):
            assert all(0.0 <= figures[kind][k] <= 1.0 for k in ("precision", "recall", "f1")), (name, kind)
        assert figures["bcubed"]["f1"] > 0.0 and figures["pairwise"]["true_pairs"] == 3 + 3 + 3
        # three unrelated events, each told in its own words by three outlets: an easy set
        assert figures["bcubed"]["f1"] >= 0.8, name
        assert figures["seconds"] is not None and figures["seconds"] >= 0.0, name
    assert [s["threshold"] for s in report["sweep"]] == list(ev.SWEEP)
    table = ev.summary(report)
    assert "scored: 9 articles of 3 events" in table and "B3 F1" in table and "baseline (cut 0.75)" in table
    assert "baseline by threshold" in table


def test_two_ingest_orders_of_the_parts_are_compared(prefect_server, tmp_path):
    stories = Path(__file__).resolve().parent / "fixtures" / "stories"
    both = tmp_path / "both.jsonl"
    both.write_bytes((stories / "first.jsonl").read_bytes() + (stories / "later.jsonl").read_bytes())
    files, origin = ev.split(both, 2, tmp_path)
    # every record has a `published` day: the parts hold consecutive days, as a backfill brings them
    days = [[json.loads(line)["published"][:10] for line in f.read_text().splitlines()] for f in files]
    assert max(days[0]) <= min(days[1]) and len(origin) == 12
    result = ev.orders(both, 2, 1, tmp_path)
    assert result["articles"] == 12
    assert result["agreement"]["f1"] == 1.0  # the same stories either way
    assert result["forward"]["bcubed"]["f1"] == result["backward"]["bcubed"]["f1"] == 1.0
