"""bench.eval_extraction: snippet, gold-body and scraped-text scoring on tiny hand-made inputs."""

import gzip
import json

import pytest

from bench import eval_extraction as ev
from transforms import clean as newsmill_clean
from transforms.clean import CleanText

PARAGRAPHS = [
    "The city council voted on Tuesday to fund a new flood barrier along the river, after three "
    "winters of damage to homes and shops in the low-lying east of the town.",
    "More than 3,200 residents signed a petition calling for the barrier, and several of them spoke "
    "at the meeting to describe water coming through their front doors during the storms.",
    "Construction is expected to begin in the spring and to last about eighteen months, according "
    "to the council's engineering department, which will publish the detailed plans next month.",
    "Some councillors said the town should not normalise relations with the developer until the "
    "legal dispute over the old harbour site has been settled in court, later this year.",
]

GERMAN = [
    "Der Gemeinderat hat am Dienstag beschlossen, eine neue Hochwasserschutzmauer für die Anwohner "
    "am Fluss zu bauen, nachdem drei Winter lang Häuser und Geschäfte überflutet worden waren.",
    "Mehr als dreitausend Bürgerinnen und Bürger hatten eine Petition unterschrieben, und einige von "
    "ihnen schilderten in der Sitzung, wie das Wasser durch ihre Haustüren gedrungen war.",
    "Die Bauarbeiten sollen im Frühjahr beginnen und etwa achtzehn Monate dauern, teilte das "
    "Bauamt der Stadt mit, das die genauen Pläne im nächsten Monat veröffentlichen will.",
]


def page(title: str, paragraphs: list[str], charset: str = "utf-8") -> str:
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="{charset}"><title>{title}</title></head>
<body>
<nav><ul><li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/contact">Contact</a></li></ul></nav>
<main><article>
{body}
</article></main>
<footer><p>Imprint and privacy policy of the Riverside Gazette</p></footer>
</body></html>"""


# The second paragraph spread over lines with runs of spaces: the snippet must still match.
SPREAD = PARAGRAPHS[1].replace("signed a petition", "signed   a\n      petition")


@pytest.fixture
def eval_dir(tmp_path):
    """evaldata.json with two gzipped pages (one UTF-8, one windows-1252) and one entry without its page."""
    folder = tmp_path / "trafilatura-eval"
    (folder / "html").mkdir(parents=True)
    english = page("Flood barrier", [PARAGRAPHS[0], SPREAD, *PARAGRAPHS[2:]])
    german = page("Hochwasserschutz", GERMAN, charset="windows-1252")
    (folder / "html" / "en.html.gz").write_bytes(gzip.compress(english.encode("utf-8")))
    (folder / "html" / "de.html.gz").write_bytes(gzip.compress(german.encode("cp1252")))
    evaldata = {
        "https://example.org/en": {
            "file": "en.html",
            # found (once its spaces are collapsed), found, missing from the page altogether
            "with": ["voted on Tuesday to fund", "signed a petition calling", "This sentence is on no page."],
            # in the article body, so it leaks; in the footer only
            "without": ["legal dispute over the old harbour", "Imprint and privacy policy"],
        },
        "https://example.org/de": {
            "file": "de.html",
            "with": ["Hochwasserschutzmauer für die Anwohner"],
            "without": ["Nicht auf dieser Seite"],
        },
        "https://example.org/gone": {"file": "gone.html", "with": ["anything"], "without": ["anything else"]},
    }
    (folder / "evaldata.json").write_text(json.dumps(evaldata), encoding="utf-8")
    return folder


def test_whitespace_is_collapsed_and_case_kept():
    assert ev.squash("  a \n\t b\u00a0c\u200b ") == "a b c"
    found, leaked = ev.snippet_counts(
        "Flood  barrier\napproved", ["barrier approved", "Flood barrier"], ["flood", "approved"]
    )
    assert (found, leaked) == ([True, True], [False, True])
    assert ev.snippet_counts("", ["x"], ["y"]) == ([False], [False])


def test_quotes_fold_only_when_asked():
    straightened = 'The council\'s "final" word'
    assert ev.snippet_counts(straightened, ["council’s “final” word"], []) == ([False], [])
    assert ev.snippet_counts(straightened, ["council’s “final” word"], [], fold_quotes=True) == ([True], [])
    body = "Title\nShe said: “We will stay.”\nShare"
    figures = ev.scraped_figures(body, "She said: “We will stay.”", 'She said: "We will stay."', fold_quotes=True)
    assert (figures["body_lines_kept"], figures["residue_removed"]) == (1, 1)
    assert ev.scraped_figures(body, "She said: “We will stay.”", 'She said: "We will stay."')["body_lines_kept"] == 0


def test_snippet_scores_follow_trafilaturas_evaluation():
    scores = ev.snippet_scores(
        [{"found": [True, True, False], "leaked": [True, False]}, {"found": [True], "leaked": [False, False, False]}]
    )
    assert (scores["tp"], scores["fn"], scores["fp"], scores["tn"]) == (3, 1, 1, 4)
    assert scores["precision"] == 0.75 and scores["recall"] == 0.75 and scores["f1"] == 0.75
    assert scores["with_found"] == 0.75 and scores["without_leaked"] == 0.2
    assert scores["accuracy"] == 7 / 9


def test_shingles_and_f1():
    text = "The council voted, on Tuesday; the COUNCIL voted"
    assert ev.shingles("Two words") == {("two",), ("words",)}
    assert len(ev.shingles(text)) == 5  # 8 words, 5 windows, all different
    assert ev.overlap(text, text.upper()) == (5, 5, 5)
    identical = ev.shingle_scores([ev.overlap(text, text)])
    assert identical["macro_f1"] == identical["micro_f1"] == 1.0
    # extracted a b c d e (2 shingles), gold b c d e f g (3): 1 shared -> P 1/2, R 1/3, F1 0.4
    half = ev.overlap("a b c d e", "b c d e f g")
    assert half == (1, 2, 3)
    scores = ev.shingle_scores([half, ev.overlap("", "some gold body text here")])
    assert scores["macro_precision"] == 0.25 and scores["macro_f1"] == pytest.approx(0.2)
    assert scores["micro_precision"] == 0.5 and scores["micro_recall"] == pytest.approx(1 / 5)
    assert scores["micro_f1"] == pytest.approx(2 * 0.5 * 0.2 / 0.7)


def test_trafilatura_eval_counts(eval_dir, capsys):
    results = ev.main(["--trafilatura-eval", str(eval_dir), "--jobs", "1", "--trafilatura-option", "fast"])
    report = results["trafilatura_eval"]
    assert report["skipped"] == ["https://example.org/gone"]
    assert [p["url"] for p in report["pages"]] == ["https://example.org/de", "https://example.org/en"]
    assert list(report["systems"]) == ["trafilatura", "trafilatura fast", "newsmill"]
    for system, scores in report["systems"].items():
        assert (scores["tp"], scores["fn"], scores["fp"], scores["tn"]) == (3, 1, 1, 2), system
        assert scores["precision"] == scores["recall"] == scores["f1"] == 0.75
        assert scores["pages"] == 2 and scores["errors"] == 0 and scores["pages_per_second"] > 0
    english = report["pages"][1]["newsmill"]
    assert english["found"] == [True, True, False] and english["leaked"] == [True, False]
    table = capsys.readouterr().out
    assert "2 pages of 3 entries (1 without a page skipped), 4 with / 3 without snippets" in table
    assert "3/4  75.0%" in table and "1/3  33.3%" in table


def test_newsmill_is_called_when_the_command_runs(eval_dir, monkeypatch):
    monkeypatch.setattr(
        newsmill_clean, "extract_html", lambda html, title=None: (CleanText(None, "Imprint and privacy policy", ()), {})
    )
    report = ev.main(["--trafilatura-eval", str(eval_dir), "--jobs", "1"])["trafilatura_eval"]
    newsmill = report["systems"]["newsmill"]
    assert (newsmill["tp"], newsmill["fn"], newsmill["fp"], newsmill["tn"]) == (0, 4, 1, 2)
    assert report["systems"]["trafilatura"]["tp"] == 3
    text = ev.losses(report, 5)
    assert text.startswith("newsmill below trafilatura on 2 of 2 pages")
    assert "with    missed by newsmill: 'voted on Tuesday to fund'" in text
    assert "without leaked in newsmill: 'Imprint and privacy policy'" in text


def test_jobs_do_not_change_the_figures(eval_dir, tmp_path):
    one = ev.main(["--trafilatura-eval", str(eval_dir), "--jobs", "1"])["trafilatura_eval"]
    two = ev.main(["--trafilatura-eval", str(eval_dir), "--jobs", "2", "--json", str(tmp_path / "out.json")])
    two = two["trafilatura_eval"]
    timing = ("extraction_seconds", "pages_per_second", "wall_seconds")

    def strip(report):
        return {s: {k: v for k, v in f.items() if k not in timing} for s, f in report["systems"].items()}

    assert strip(one) == strip(two) and one["pages"] == two["pages"]
    written = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert written["trafilatura_eval"]["systems"]["newsmill"]["tp"] == 3


def test_gold_bodies(tmp_path, monkeypatch, capsys):
    folder = tmp_path / "gold"
    folder.mkdir()
    (folder / "flood.html").write_text(page("Flood barrier", PARAGRAPHS), encoding="utf-8")
    (folder / "flood.body.txt").write_text("\n".join(PARAGRAPHS) + "\n", encoding="utf-8")
    (folder / "damm.html.gz").write_bytes(
        gzip.compress(page("Hochwasserschutz", GERMAN, "windows-1252").encode("cp1252"))
    )
    (folder / "damm.body.txt").write_text("\n".join(GERMAN) + "\n", encoding="utf-8")
    (folder / "orphan.body.txt").write_text("no page for this one\n", encoding="utf-8")
    report = ev.main(["--gold", str(folder), "--jobs", "1"])["gold"]
    assert [p["name"] for p in report["pages"]] == ["damm", "flood"]
    for system, scores in report["systems"].items():
        assert scores["pages"] == 2 and scores["micro_recall"] == 1.0, system
        assert scores["macro_f1"] > 0.95, system
    assert "gold article bodies" in capsys.readouterr().out

    # newsmill's text replaced by the gold body itself: F1 exactly 1; by nothing: 0.
    gold = {name: (folder / f"{name}.body.txt").read_text(encoding="utf-8") for name in ("damm", "flood")}
    monkeypatch.setattr(
        newsmill_clean,
        "extract_html",
        lambda html, title=None: (CleanText(None, gold["damm"] if "Hochwasser" in html else "", ()), {}),
    )
    newsmill = ev.main(["--gold", str(folder), "--jobs", "1"])["gold"]["systems"]["newsmill"]
    assert newsmill["macro_f1"] == 0.5 and newsmill["macro_precision"] == 0.5
    assert newsmill["micro_precision"] == 1.0
    assert newsmill["micro_recall"] == len(ev.shingles(gold["damm"])) / (
        len(ev.shingles(gold["damm"])) + len(ev.shingles(gold["flood"]))
    )


SCRAPED = [
    "Council approves flood barrier",  # title: not in the body
    "",
    "Share.",  # residue newsmill knows
    "Advertisement",  # residue newsmill knows
    PARAGRAPHS[0].replace(" voted ", "  voted\t"),  # body, spaced differently from the body file
    PARAGRAPHS[1],
    "What happens next",  # a subhead: body
    PARAGRAPHS[2],
    "Previous Post Next Post",  # residue newsmill knows
    "Source link",  # residue newsmill knows
    "Tomorrow will be sunny across the whole region, forecasters said on Monday.",  # residue no line cleaner can tell
]
BODY = [PARAGRAPHS[0], PARAGRAPHS[1], "What happens next", PARAGRAPHS[2]]


def test_scraped_figures_by_hand():
    raw = "\n".join(SCRAPED)
    figures = ev.scraped_figures(raw, "\n".join(BODY), "\n".join([PARAGRAPHS[0], "What happens next", "Source link"]))
    assert (figures["residue"], figures["residue_removed"]) == (5, 4)
    assert (figures["body_lines"], figures["body_lines_kept"]) == (4, 2)
    assert figures["body_chars_kept"] == len(PARAGRAPHS[0]) + len("What happens next")
    # the title counts as residue when the body file holds something else first... and not when it holds it
    with_title = ev.scraped_figures(raw, "\n".join(["Council approves flood barrier", *BODY]), raw)
    assert (with_title["residue"], with_title["body_lines"], with_title["body_lines_kept"]) == (5, 5, 5)


def test_scraped_text(tmp_path, capsys):
    folder = tmp_path / "scraped"
    folder.mkdir()
    (folder / "flood.txt").write_text("\n".join(SCRAPED) + "\n", encoding="utf-8")
    (folder / "flood.body.txt").write_text("\n\n".join(BODY) + "\n", encoding="utf-8")
    report = ev.main(["--scraped", str(folder), "--jobs", "1"])["scraped"]
    raw, newsmill = report["systems"]["raw text"], report["systems"]["newsmill"]
    assert (raw["residue"], raw["residue_removed"], raw["body_lines_kept_share"], raw["body_chars_kept_share"]) == (
        5,
        0,
        1.0,
        1.0,
    )
    assert (newsmill["residue"], newsmill["residue_removed"]) == (5, 4)
    assert newsmill["residue_removed_share"] == 0.8
    assert newsmill["body_lines_kept_share"] == newsmill["body_chars_kept_share"] == 1.0
    assert newsmill["micro_recall"] == raw["micro_recall"] == 1.0
    assert newsmill["macro_f1"] > raw["macro_f1"]
    out = capsys.readouterr().out
    assert "4/5  80.0%" in out and "0/5   0.0%" in out


def test_needs_an_input(capsys):
    with pytest.raises(SystemExit) as exit_:
        ev.main([])
    assert exit_.value.code == 2
