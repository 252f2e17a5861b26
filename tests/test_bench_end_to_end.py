"""The end-to-end benchmark's corpus, its obvious script, and how both are scored."""

import gzip
import html
import json
import random
from collections import Counter
from pathlib import Path

import pytest
import trafilatura

from bench.corpus import article, story, write_news_corpus, write_real_page_corpus
from bench.end_to_end import (
    PrefectServer,
    _entity_scores,
    _environment,
    _ingest,
    _language_share,
    _newsmill_outputs,
    _pair_scores,
    _script,
    _script_outputs,
    _snippet_scores,
    _text_scores,
)
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
    assert _language_share(newsmill["languages"], truth) == _language_share(script["languages"], truth) == (60, 60)


def test_the_obvious_script_tags_with_the_ner_component_only_and_bulk_inserts(news, tmp_path):
    folder, truth = news
    run_naive_script(folder, tmp_path / "script.duckdb")
    script = _script_outputs(tmp_path / "script.duckdb")

    english = {t["file"] for t in truth if t["language"] == "en"}
    assert {file for file, _, _ in script["entities"]} == english
    assert set(script["texts"]) == {t["file"] for t in truth}


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


def _trafilatura_eval_fixture(folder: Path, pages: int = 12) -> Path:
    """A trafilatura-eval-like set: `pages` small news pages, gzipped, in languages declared
    as <html lang> or not at all, and one entry whose page is missing."""
    rng = random.Random(7)
    (folder / "html").mkdir(parents=True)
    entries = {}
    langs = ['lang="de-AT"', 'lang="en"', "", 'lang="EN-gb"']
    for n in range(pages):
        title, paragraphs = article(rng)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs[:5])
        page = (
            f"<!DOCTYPE html><html {langs[n % 4]}><head><meta charset='utf-8'><title>{title}</title>"
            f"<script>var ads = {n};</script></head><body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
            f"<article><h1>{title}</h1>{body}</article><footer>Contact us. Privacy policy.</footer></body></html>"
        )
        (folder / "html" / f"page{n}.html.gz").write_bytes(gzip.compress(page.encode("utf-8")))
        entries[f"https://site{n}.example.org/a/{n}"] = {
            "file": f"page{n}.html",
            "with": [paragraphs[0][:60]],
            "without": ["Privacy policy"],
        }
    entries["https://gone.example.org/"] = {"file": "missing.html", "with": ["x"], "without": []}
    (folder / "evaldata.json").write_text(json.dumps(entries), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def eval_set(tmp_path_factory) -> Path:
    return _trafilatura_eval_fixture(tmp_path_factory.mktemp("trafilatura-eval"))


def test_the_real_page_corpus_is_the_same_for_the_same_seed(eval_set, tmp_path):
    truth = write_real_page_corpus(tmp_path / "a", eval_set)
    again = write_real_page_corpus(tmp_path / "b", eval_set)
    other = write_real_page_corpus(tmp_path / "c", eval_set, seed=1)

    assert truth == again
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == [t["file"] for t in truth]
    assert all((tmp_path / "a" / t["file"]).read_bytes() == (tmp_path / "b" / t["file"]).read_bytes() for t in truth)
    assert other != truth or any(
        (tmp_path / "a" / t["file"]).read_bytes() != (tmp_path / "c" / t["file"]).read_bytes() for t in truth
    )


def test_the_real_pages_are_written_as_they_are_with_their_snippets_and_declared_language(eval_set, tmp_path):
    truth = write_real_page_corpus(tmp_path, eval_set)
    entries = json.loads((eval_set / "evaldata.json").read_text())
    originals = [t for t in truth if t["kind"] == "original"]

    assert [t["url"] for t in originals] == sorted(url for url in entries if "gone" not in url)
    assert [t["story"] for t in originals] == list(range(12))
    for t in originals:
        entry = entries[t["url"]]
        assert (tmp_path / t["file"]).read_bytes() == gzip.decompress(
            (eval_set / "html" / f"{entry['file']}.gz").read_bytes()
        )
        assert (t["with"], t["without"]) == (entry["with"], entry["without"])
    assert {t["url"].split("/")[-1]: t["language"] for t in originals}["0"] == "de"
    assert Counter(t["language"] for t in originals) == {"de": 3, "en": 6, None: 3}


def test_the_copies_of_real_pages_are_rescrapes_and_syndicated_copies_of_earlier_pages(eval_set, tmp_path):
    truths = [write_real_page_corpus(tmp_path / str(seed), eval_set, seed=seed) for seed in range(4)]
    copies = [(seed, t) for seed, truth in enumerate(truths) for t in truth if t["kind"] != "original"]
    kinds = Counter(t["kind"] for _, t in copies)

    assert kinds["re-scrape"] and kinds["syndicated"]
    assert 0.15 < len(copies) / sum(map(len, truths)) < 0.45
    for seed, t in copies:
        folder, truth = tmp_path / str(seed), truths[seed]
        original = next(o for o in truth if o["kind"] == "original" and o["story"] == t["story"])
        assert truth.index(original) < truth.index(t)  # a copy of a page written before it
        assert t["language"] == original["language"]
        if t["kind"] == "re-scrape":
            page, copy = (folder / original["file"]).read_bytes(), (folder / t["file"]).read_bytes()
            assert copy != page
            assert trafilatura.extract(copy) == trafilatura.extract(page)
            assert "body" not in t and "with" not in t
        else:
            written = (folder / t["file"]).read_text(encoding="utf-8")
            lines = t["body"].split("\n")
            assert len(lines) >= 1
            assert all((line if t["file"].endswith(".txt") else html.escape(line)) in written for line in lines)
            page_text = trafilatura.extract((folder / original["file"]).read_bytes(), favor_precision=True)
            assert sum(line in page_text for line in lines) >= len(lines) - 1  # one figure may be changed


def test_the_whole_command_is_timed_beside_its_processing(news, tmp_path):
    folder, _ = news
    small = tmp_path / "small"
    small.mkdir()
    for path in sorted(folder.iterdir())[:3]:
        (small / path.name).write_bytes(path.read_bytes())
    env = _environment(tmp_path / "prefect-home")

    with PrefectServer(tmp_path / "server-home", env) as server:
        served = {**env, "PREFECT_API_URL": server.api_url}
        first = _ingest(small, tmp_path / "n.duckdb", 1, served)
        again = _ingest(small, tmp_path / "n.duckdb", 1, served)
    script = _script(small, tmp_path / "s.duckdb", env)

    assert server.process.poll() is not None  # stopped
    assert (first["documents"], first["loaded"], again["loaded"], again["unchanged"]) == (3, 3, 0, 3)
    assert first["wall"] > first["seconds"] > 0 and first["peak_mb"] > 100
    assert [stage for stage, _, _ in first["stages"]][0] == "read" and again["stages"] == []
    assert script["documents"] == 3 and script["wall"] > 0 and script["peak_mb"] > 100


def test_snippet_scores_are_trafilaturas_evaluation_on_the_original_pages():
    truth = [
        {"file": "a", "with": ["one two", "three"], "without": ["menu"]},
        {"file": "b", "body": "ignored here"},
        {"file": "c", "with": ["\u201cquoted\u201d"], "without": []},
    ]
    texts = {"a": "one   two menu", "c": '"quoted"'}

    assert _snippet_scores(texts, truth) == (0.5, 1 / 3, pytest.approx(0.4))
    assert _snippet_scores(texts, truth, fold_quotes=True) == (2 / 3, 2 / 3, pytest.approx(2 / 3))
    assert _text_scores({"b": "ignored here"}, truth) == (1.0, 1.0, 1.0)
