"""`newsmill report`, `export` and `shell` on a real warehouse; the report in headless Chromium."""

import re
import shutil
import subprocess
from pathlib import Path

import duckdb
import pytest
from PIL import Image

from flows.cli import main
from tests.conftest import SAMPLE
from warehouse.report import BAR, render_report
from warehouse.schema import create_views, migrate

HOSTILE_TITLE = "<script>alert(1)</script>"
CHARTS = ["articles-over-time", "duplicate-rate", "top-entities", "languages", "rejects"]
CHROMIUM = next(filter(None, map(shutil.which, ["chromium", "chromium-browser", "google-chrome"])), None)


@pytest.fixture(scope="module")
def warehouse(prefect_server, tmp_path_factory) -> Path:
    """The sample, an article whose title is a script, and two records that are rejected."""
    folder = tmp_path_factory.mktemp("input")
    shutil.copytree(SAMPLE, folder, dirs_exist_ok=True)
    body = "".join(
        f"<p>Paragraph {i} of a report on the harbour works in Leith, which the council approved "
        f"on Tuesday after a long debate about costs and the timetable.</p>"
        for i in range(6)
    )
    (folder / "hostile.html").write_text(
        f"""<!DOCTYPE html><html><head><title>{HOSTILE_TITLE.replace("<", "&lt;")}</title>
        <meta property="og:title" content="&lt;script&gt;alert(1)&lt;/script&gt;">
        <meta property="article:published_time" content="2026-01-05T10:00:00Z"></head>
        <body><article><h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>{body}</article></body></html>"""
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    db = tmp_path_factory.mktemp("report") / "warehouse.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    return db


def test_the_hostile_title_is_stored_as_written(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE title = ?", [HOSTILE_TITLE]).fetchone() == (1,)


@pytest.mark.skipif(CHROMIUM is None, reason="needs Chromium: apt-get install chromium")
def test_the_report_renders_in_headless_chromium_with_every_chart(warehouse, tmp_path, capsys):
    report = tmp_path / "report.html"
    assert main(["report", "--out", str(report), "--db", str(warehouse)]) == 0
    assert str(report) in capsys.readouterr().out

    dom = _chromium(report, "--dump-dom", tmp_path).stdout
    screenshot = tmp_path / "report.png"
    _chromium(report, f"--screenshot={screenshot}", tmp_path)

    for chart in CHARTS:
        section = re.search(rf'<section id="{chart}">(.*?)</section>', dom, re.S)
        assert section, chart
        assert '<svg class="chart"' in section.group(1) and 'class="mark"' in section.group(1), chart
    stories = re.search(r'<section id="top-stories">(.*?)</section>', dom, re.S).group(1)
    assert '<svg class="timeline"' in stories and 'class="mark"' in stories
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text ...
    assert "<script" not in dom.lower()  # ... and never run: the page has no script element at all
    assert not re.search(r"https?://(?!www\.w3\.org/2000/svg)", report.read_text())  # nothing fetched

    image = Image.open(screenshot).convert("RGB")
    bar = tuple(int(BAR[i : i + 2], 16) for i in (1, 3, 5))
    painted = sum(count for count, colour in image.getcolors(image.width * image.height) if colour == bar)
    assert image.size == (1200, 3000) and painted > 20_000  # the bars are on screen, not just in the markup


def test_since_leaves_out_older_articles_and_undated_ones(warehouse, tmp_path):
    everything, recent = tmp_path / "all.html", tmp_path / "recent.html"
    assert main(["report", "--out", str(everything), "--db", str(warehouse)]) == 0
    assert main(["report", "--out", str(recent), "--since", "2026-01-01", "--db", str(warehouse)]) == 0

    assert "<b>13</b><span>articles</span>" in everything.read_text()
    assert "<b>1</b><span>articles</span>" in recent.read_text()  # the hostile page, published 2026-01-05
    assert "Hundreds of homes flooded" in everything.read_text()
    assert "Hundreds of homes flooded" not in recent.read_text()


def test_export_writes_every_table_in_both_formats(warehouse, tmp_path, capsys):
    assert main(["export", "--format", "parquet", str(tmp_path / "parquet"), "--db", str(warehouse)]) == 0
    assert main(["export", "--format", "csv", str(tmp_path / "csv"), "--db", str(warehouse)]) == 0
    assert "articles.parquet  13 rows" in capsys.readouterr().out

    with duckdb.connect(str(warehouse), read_only=True) as con:
        for table in ["articles", "rejects", "entities", "mentions", "runs"]:
            stored = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            assert con.execute(f"SELECT count(*) FROM '{tmp_path}/parquet/{table}.parquet'").fetchone()[0] == stored
            assert con.execute(f"SELECT count(*) FROM read_csv('{tmp_path}/csv/{table}.csv')").fetchone()[0] == stored
        titles = con.execute(
            f"SELECT title FROM '{tmp_path}/parquet/articles.parquet' EXCEPT SELECT title FROM articles"
        )
        assert titles.fetchall() == []


def test_export_needs_a_format(warehouse, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit:
        main(["export", str(tmp_path / "out"), "--db", str(warehouse)])
    assert exit.value.code == 2
    assert "--format" in capsys.readouterr().err


def test_report_and_export_refuse_an_output_of_the_wrong_kind(warehouse, tmp_path, capsys):
    (tmp_path / "taken.txt").write_text("keep me")

    assert main(["report", "--out", str(tmp_path), "--db", str(warehouse)]) == 2
    assert "give the report a file name" in capsys.readouterr().err
    assert main(["export", "--format", "csv", str(tmp_path / "taken.txt"), "--db", str(warehouse)]) == 2
    assert "into a folder" in capsys.readouterr().err
    assert (tmp_path / "taken.txt").read_text() == "keep me"


def test_the_samples_towns_are_places_not_people(warehouse):
    with duckdb.connect(str(warehouse), read_only=True) as con:
        labels = dict(
            con.execute(
                "SELECT name, label FROM entities WHERE name IN ('Glasgow', 'Carlisle', 'Penrith', 'Appleby')"
            ).fetchall()
        )

    assert labels == {"Glasgow": "GPE", "Carlisle": "GPE", "Penrith": "GPE", "Appleby": "GPE"}


def test_top_entities_tied_on_distinct_articles_rank_by_mentions_then_name():
    con = duckdb.connect()
    migrate(con)
    create_views(con)
    for n in range(3):
        con.execute(
            """INSERT INTO articles (article_id, doc_id, source_uri, language, language_prob, text, word_count,
                                             content_hash, cluster_id, is_canonical, run_id)
                       VALUES (?, ?, ?, 'en', 1, 'text', 1, ?, ?, true, 'run')""",
            [f"a{n}", f"a{n}", f"a{n}", f"a{n}", f"a{n}"],
        )
    # (entity, label, articles it is mentioned in, mentions in each)
    for name, label, articles, each in [
        ("Alder", "PERSON", 2, 1),
        ("Zelda Quist", "PERSON", 2, 3),
        ("Birch", "ORG", 2, 2),
        ("Carlisle", "GPE", 3, 1),
    ]:
        con.execute("INSERT INTO entities (entity_id, name, label) VALUES (?, ?, ?)", [name, name, label])
        for n in range(articles):
            for _ in range(each):
                con.execute(
                    """INSERT INTO mentions (article_id, entity_id, surface, start_char, end_char, label)
                               VALUES (?, ?, ?, 0, 1, ?)""",
                    [f"a{n}", name, name, label],
                )

    section = re.search(r'<section id="top-entities">(.*?)</section>', render_report(con), re.S).group(1)
    assert re.findall(r"<title>(\w[\w ]*) · ", section) == ["Carlisle", "Zelda Quist", "Birch", "Alder"]


def test_top_stories_are_ranked_by_sites_each_with_its_timeline(tmp_path):
    con = duckdb.connect(str(tmp_path / "stories.duckdb"))
    migrate(con)
    create_views(con)
    # (article, story, site, title, published)
    for n, (story, site, title, day) in enumerate(
        [
            ("flood", "a.com", "River Eden bursts its banks", "2026-02-01"),
            ("flood", "b.com", "Floods in Cumbria", "2026-02-01"),
            ("flood", "c.com", "Cumbria cleans up", "2026-02-04"),
            ("ferry", "a.com", HOSTILE_TITLE, "2026-02-02"),
            ("ferry", "a.com", "Ferry, again", "2026-02-03"),
            ("ferry", "a.com", "Ferry, once more", "2026-02-03"),
        ]
    ):
        con.execute(
            """INSERT INTO articles (article_id, doc_id, source_uri, site, title, published_at, language, language_prob,
                                     text, word_count, content_hash, cluster_id, is_canonical, run_id, story_id)
               VALUES ($id, $id, $id, $site, $title, $day, 'en', 1, 'text', 1, $id, $id, true, 'run', $story)""",
            {"id": f"a{n}", "site": site, "title": title, "day": day, "story": story},
        )

    page = render_report(con)
    assert 'id="latest"' not in page  # top stories replace the latest articles
    section = re.search(r'<section id="top-stories">(.*?)</section>', page, re.S).group(1)
    rows = re.findall(r"<tr><td>(.*?)</td>.*?</tr>", section, re.S)
    assert rows == ["River Eden bursts its banks", "&lt;script&gt;alert(1)&lt;/script&gt;"]  # 3 sites, then 1
    flood, ferry = re.findall(r'<svg class="timeline".*?</svg>', section, re.S)
    assert re.findall(r"<title>([\d-]+): (\d) article", flood) == [("2026-02-01", "2"), ("2026-02-04", "1")]
    assert re.findall(r"<title>([\d-]+): (\d) article", ferry) == [("2026-02-02", "1"), ("2026-02-03", "2")]
    assert "2026-02-01 to 2026-02-04" in section  # one axis for all: the days from the first shown to the last


def test_report_on_a_missing_warehouse_says_how_to_make_one(tmp_path, capsys):
    assert main(["report", "--db", str(tmp_path / "nowhere.duckdb"), "--out", str(tmp_path / "r.html")]) == 2
    assert "newsmill ingest" in capsys.readouterr().err
    assert not (tmp_path / "r.html").exists()


def _chromium(page: Path, action: str, tmp_path: Path) -> subprocess.CompletedProcess:
    # Flags for a closed network, as root: no sandbox, no background connections.
    return subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            f"--user-data-dir={tmp_path / 'chromium-profile'}",
            "--window-size=1200,3000",
            action,
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
