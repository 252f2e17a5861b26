"""The end-to-end benchmark's corpus, its obvious script, and how both are scored."""

import random
from collections import Counter
from pathlib import Path

import pytest

from bench.corpus import story, write_news_corpus
from bench.end_to_end import _entity_scores, _newsmill_outputs, _pair_scores, _script_outputs, _text_scores
from bench.naive_script import run as run_naive_script
from flows.ingest import ingest
from flows.options import RunOptions
from transforms import neardup


def test_the_news_corpus_is_the_same_for_the_same_seed_and_has_copies_and_other_languages(tmp_path):
    truth = write_news_corpus(tmp_path / "a", 400)
    again = write_news_corpus(tmp_path / "b", 400)

    assert truth == again
    assert all((tmp_path / "a" / t["file"]).read_bytes() == (tmp_path / "b" / t["file"]).read_bytes() for t in truth)
    copies = sum(t["story"] != int(t["file"][:6]) for t in truth)
    languages = Counter(t["language"] for t in truth)
    assert 0.25 < copies / 400 < 0.35
    assert 0.06 < (languages["de"] + languages["es"]) / 400 < 0.14
    assert {t["file"][-4:] for t in truth} == {"html", ".txt"}
    assert all(t["entities"] for t in truth if t["language"] == "en")


def test_unrelated_stories_share_few_shingles_as_real_news_does():
    # A generator repeating fixed sentences makes every story a near-duplicate candidate
    # of every other, and the duplicate stage's cost quadratic, which real news is not.
    rng = random.Random(3)
    signatures = [neardup.sign("\n".join(story(rng)[1])) for _ in range(200)]

    candidates = neardup.candidate_pairs((i, s.band_keys) for i, s in enumerate(signatures))

    assert len(candidates) < 0.02 * (200 * 199 / 2)
    assert not any(neardup.is_near_duplicate(signatures[a], signatures[b]) for a, b in candidates)


def test_more_articles_are_numbered_on_after_the_first(tmp_path):
    first = write_news_corpus(tmp_path, 30)
    more = write_news_corpus(tmp_path, 5, first=30)

    assert [t["file"][:6] for t in more] == [f"{n:06d}" for n in range(30, 35)]
    assert {t["file"] for t in first}.isdisjoint(t["file"] for t in more)


@pytest.fixture(scope="module")
def news(tmp_path_factory) -> tuple[Path, list[dict]]:
    folder = tmp_path_factory.mktemp("news")
    return folder, write_news_corpus(folder, 60, seed=5)


def test_newsmill_scores_at_least_as_well_as_the_obvious_script(prefect_server, news, tmp_path):
    folder, truth = news
    ingest([str(folder)], db=str(tmp_path / "newsmill.duckdb"), options=RunOptions(processes=1))
    assert run_naive_script(folder, tmp_path / "script.duckdb") == 60

    newsmill, script = _newsmill_outputs(tmp_path / "newsmill.duckdb"), _script_outputs(tmp_path / "script.duckdb")

    assert _pair_scores(newsmill["clusters"], truth) == (1.0, 1.0, 1.0)
    assert _text_scores(newsmill["texts"], truth)[2] > 0.99 > _text_scores(script["texts"], truth)[2]
    assert _entity_scores(newsmill["entities"], truth)[2] >= _entity_scores(script["entities"], truth)[2]


def test_scores_count_what_is_missing_and_what_is_extra():
    truth = [
        {"file": "a", "story": 0, "language": "en", "body": "one two three", "entities": [["Ana Silva", "PERSON"]]},
        {"file": "b", "story": 0, "language": "en", "body": "one two", "entities": []},
        {"file": "c", "story": 2, "language": "de", "body": "eins", "entities": []},
    ]

    assert _text_scores({"a": "one two three four", "b": "", "c": "eins"}, truth) == (0.8, 4 / 6, pytest.approx(8 / 11))
    assert _pair_scores({"a": "x", "b": "y", "c": "y"}, truth) == (0.0, 0.0, 0.0)
    assert _pair_scores({"a": "x", "b": "x", "c": "y"}, truth) == (1.0, 1.0, 1.0)
    assert _entity_scores({("a", "Ana Silva", "PERSON"), ("a", "Silva", "PERSON"), ("c", "Ana", "PERSON")}, truth) == (
        0.5,
        1.0,
        pytest.approx(2 / 3),
    )
