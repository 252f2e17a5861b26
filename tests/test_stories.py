"""Stories: the story views over a warehouse of known articles, and `newsmill stories` on a
warehouse a real flow run wrote."""

import json
import re
from datetime import date, datetime
from pathlib import Path

import duckdb
import pytest
from conftest import SAMPLE

from flows.cli import main
from warehouse.schema import create_views, migrate

RUN_STARTED = datetime(2026, 3, 1, 6, 0)


def _warehouse(db: Path, articles: list[dict], merges: list[tuple[str, str]] = ()) -> duckdb.DuckDBPyConnection:
    """A migrated warehouse holding `articles` (each: id, cluster, story, canonical and any
    of site, title, published, language), all loaded by one run started RUN_STARTED."""
    con = duckdb.connect(str(db))
    migrate(con)
    create_views(con)
    con.execute(
        "INSERT INTO runs (run_id, flow_run_id, started_at, status) VALUES ('run', 'flow', ?, 'completed')",
        [RUN_STARTED],
    )
    for a in articles:
        con.execute(
            """INSERT INTO articles (article_id, doc_id, source_uri, site, title, published_at, language, language_prob,
                                     text, word_count, content_hash, cluster_id, is_canonical, run_id, story_id)
               VALUES ($id, $id, '/in/' || $id, $site, $title, $published, $language, 1, 'text', 1, $id, $cluster,
                       $canonical, 'run', $story)""",
            {"site": None, "title": f"title of {a['id']}", "published": None, "language": "en", **a},
        )
    for story_id, merged_into in merges:
        con.execute("INSERT INTO story_merges VALUES (?, ?, 'run', now()::TIMESTAMP)", [story_id, merged_into])
    return con


def _article(id: str, story: str, cluster: str | None = None, canonical: bool = True, **rest) -> dict:
    return {"id": id, "story": story, "cluster": cluster or id, "canonical": canonical, **rest}


@pytest.fixture
def flood(tmp_path) -> duckdb.DuckDBPyConnection:
    """Story `flood`: a wire article printed by three sites (one cluster), two outlets' own
    articles (one undated), and a German one; story `ferry`: one article on one site;
    `old-flood` was merged into `flood-b`, which was merged into `flood`."""
    return _warehouse(
        tmp_path / "stories.duckdb",
        [
            _article(
                "w1", "flood", "w1", site="wire.com", title="River bursts its banks", published="2026-02-03 09:00"
            ),
            _article("w2", "flood", "w1", False, site="gazette.co.uk", title="Wire copy", published="2026-02-03 10:00"),
            _article("w3", "flood", "w1", False, site="herald.com", title="Wire copy again", published="2026-02-04"),
            _article("own", "flood", site="gazette.co.uk", title="Our reporter on the flood", published="2026-02-02"),
            _article("late", "flood", site="herald.com", title=None),  # undated: its run's day
            _article("de", "flood", site="zeitung.de", title="Hochwasser", published="2026-02-05", language="de"),
            _article("f1", "ferry", site="islands.scot", title="Ferry restored", published="2026-02-10"),
        ],
        merges=[("old-flood", "flood-b"), ("flood-b", "flood")],
    )


def test_a_story_is_headed_by_its_largest_clusters_canonical_article(flood):
    rows = flood.execute("""SELECT story_id, headline, first_seen, last_seen, articles, distinct_articles, sites,
                                   languages FROM stories ORDER BY story_id""").fetchall()
    assert rows == [
        ("ferry", "Ferry restored", date(2026, 2, 10), date(2026, 2, 10), 1, 1, 1, ["en"]),
        # last seen: the undated article, on the day its run began
        ("flood", "River bursts its banks", date(2026, 2, 2), RUN_STARTED.date(), 6, 4, 4, ["de", "en"]),
    ]


def test_a_headline_ties_to_the_earliest_and_falls_back_to_a_title(tmp_path):
    con = _warehouse(
        tmp_path / "ties.duckdb",
        [
            _article("b", "tie", title="Later", published="2026-01-02"),
            _article("a", "tie", title="Earlier", published="2026-01-01"),
            _article("c", "untitled", title=None, published="2026-01-01"),
            _article("d", "untitled", "c", False, title="A copy's title", published="2026-01-03"),
        ],
    )
    assert dict(con.execute("SELECT story_id, headline FROM stories").fetchall()) == {
        "tie": "Earlier",
        "untitled": "A copy's title",
    }


def test_a_storys_timeline_counts_its_articles_and_sites_per_day(flood):
    rows = flood.execute("SELECT day, articles, sites FROM story_timeline WHERE story_id = 'flood' ORDER BY day")
    assert rows.fetchall() == [
        (date(2026, 2, 2), 1, 1),
        (date(2026, 2, 3), 2, 2),
        (date(2026, 2, 4), 1, 1),
        (date(2026, 2, 5), 1, 1),
        (RUN_STARTED.date(), 1, 1),
    ]


def test_top_stories_rank_by_sites_then_articles(tmp_path):
    con = _warehouse(
        tmp_path / "top.duckdb",
        [
            _article("a1", "two-sites", site="a.com", published="2026-01-01"),
            _article("a2", "two-sites", site="b.com", published="2026-01-01"),
            _article("b1", "three-articles", site="a.com", published="2026-01-01"),
            _article("b2", "three-articles", site="a.com", published="2026-01-01"),
            _article("b3", "three-articles", site="a.com", published="2026-01-01"),
            _article("c1", "one-but-later", site="c.com", published="2026-01-05"),
            _article("d1", "one", site="d.com", published="2026-01-01"),
        ],
    )
    assert con.execute("SELECT rank, story_id FROM top_stories ORDER BY rank").fetchall() == [
        (1, "two-sites"),
        (2, "three-articles"),
        (3, "one-but-later"),
        (4, "one"),
    ]


def test_every_id_ever_given_out_resolves_to_the_story_it_is_now(flood):
    rows = flood.execute("SELECT alias, story_id, merges FROM story_aliases ORDER BY alias").fetchall()
    assert rows == [("ferry", "ferry", 0), ("flood", "flood", 0), ("flood-b", "flood", 1), ("old-flood", "flood", 2)]


def test_stories_and_distinct_articles_are_counted_apart(flood):
    flood.execute("INSERT INTO entities (entity_id, name, label) VALUES ('eden', 'River Eden', 'LOC')")
    for article in ["w1", "w2", "own"]:
        flood.execute(
            "INSERT INTO mentions (article_id, entity_id, surface, start_char, end_char, label) "
            "VALUES (?, 'eden', 'Eden', 0, 4, 'LOC'), (?, 'eden', 'Eden', 5, 9, 'LOC')",
            [article, article],
        )
    assert flood.execute("SELECT articles, distinct_articles, stories FROM totals").fetchall() == [(7, 5, 2)]
    assert flood.execute("SELECT articles, distinct_articles, stories FROM entity_totals").fetchall() == [(3, 2, 1)]
    assert flood.execute("SELECT story_id, mentions, articles, distinct_articles FROM story_entities").fetchall() == [
        ("flood", 6, 3, 2)
    ]


# -- `newsmill stories` on a warehouse a flow run wrote --------------------------------------


OTHER_OUTLET = """The European Central Bank held its deposit rate at 2 percent on Thursday, the third meeting in a
row without a change, as the Governing Council in Frankfurt balanced inflation of 2.1 percent against a stalling
euro zone economy.

Markets had priced in the pause. Anna Vogel of Hartmann Bank said the risks were tilting towards weaker growth and
that another rate cut before the end of the year remained possible if the data disappoint.

The bank's new staff projections put inflation at 2.1 percent this year and 1.7 percent next year, below the
2 percent target, and trimmed the growth forecast because of tariffs and weak foreign demand.

Tomasz Nowak of the Institute for Economic Policy in Warsaw said an inflation forecast below target signalled that
the door to further easing remained open. The euro traded near $1.17 and German bond yields slipped after the
decision.

The Governing Council meets again in six weeks, and economists will watch wage figures and business surveys until
then."""


@pytest.fixture(scope="module")
def sample_db(prefect_server, tmp_path_factory) -> Path:
    """The sample, ingested by the real CLI, then another outlet's own article on the ECB's
    decision in a second run: the wire story, its rescrape (a copy) and that article are one
    story, filed by the stories stage."""
    folder = tmp_path_factory.mktemp("stories")
    db = folder / "sample.duckdb"
    assert main(["ingest", str(SAMPLE), "--db", str(db)]) == 0
    record = {
        "url": "https://www.northernledger.com/economy/ecb-holds-rates-third-meeting",
        "title": "ECB leaves deposit rate at 2% as euro zone growth stalls",
        "text": OTHER_OUTLET,
        "published": "2025-10-16T15:30:00Z",
    }
    (folder / "later").mkdir()
    (folder / "later" / "ecb.jsonl").write_text(json.dumps(record) + "\n")
    assert main(["ingest", str(folder / "later"), "--db", str(db)]) == 0
    return db


def _wire_story(db: Path) -> str:
    with duckdb.connect(str(db), read_only=True) as con:
        [(story_id,)] = con.execute(
            "SELECT DISTINCT story_id FROM articles WHERE source_uri LIKE '%wire_rate_decision%'"
        ).fetchall()
    return story_id


def test_the_stage_files_every_article_and_the_views_see_its_stories(sample_db):
    wire = _wire_story(sample_db)
    with duckdb.connect(str(sample_db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM articles WHERE story_id IS NULL").fetchall() == [(0,)]
        assert con.execute(
            "SELECT articles, distinct_articles, sites, first_seen FROM stories WHERE story_id = ?", [wire]
        ).fetchall() == [(3, 2, 2, date(2025, 10, 16))]
        assert con.execute("SELECT story_id FROM top_stories WHERE rank = 1").fetchall() == [(wire,)]
        [(articles, distinct, stories)] = con.execute(
            "SELECT articles, distinct_articles, stories FROM totals"
        ).fetchall()
        assert (articles, distinct) == (13, 12) and stories == 11


def test_stories_lists_the_top_stories(sample_db, capsys):
    assert main(["stories", "--db", str(sample_db), "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [list(row) for row in listed[:1]] == [
        ["story_id", "headline", "first_seen", "last_seen", "sites", "articles"]
    ]
    assert listed[0] == {
        "story_id": _wire_story(sample_db),
        "headline": "ECB holds rates steady as growth worries mount",  # the canonical member of its copies
        "first_seen": "2025-10-16",
        "last_seen": listed[0]["last_seen"],  # the rescrape's: undated, the day its run began
        "sites": 2,
        "articles": 3,
    }
    assert [row["sites"] for row in listed] == sorted((row["sites"] for row in listed), reverse=True)

    assert main(["stories", "--db", str(sample_db), "--limit", "2"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["story_id", "headline", "first_seen", "last_seen", "sites", "articles"]
    assert table[-1] == "(2 rows)"


def test_stories_since_counts_only_the_articles_dated_since(sample_db, capsys):
    assert main(["stories", "--db", str(sample_db), "--since", "2025-10-01", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "story_id,headline,first_seen,last_seen,sites,articles"
    assert {line.split(",")[2] >= "2025-10-01" for line in lines[1:]} == {True}
    assert not any("Linden Falls" in line for line in lines)  # the election, 2025-04-02


def test_a_story_shows_its_articles_in_time_order(sample_db, capsys):
    wire = _wire_story(sample_db)
    assert main(["stories", wire, "--db", str(sample_db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{wire}  ECB holds rates steady as growth worries mount\nfirst seen 2025-10-16")
    rows = [line for line in out.splitlines() if re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert [row.split()[0] for row in rows] == sorted(row.split()[0] for row in rows)
    assert ["dailymeridian.com" in rows[0], "northernledger.com" in rows[1]] == [True, True]  # by publication time
    assert "European Central Bank keeps deposit rate" in rows[2]  # the undated rescrape: its run's day

    assert main(["stories", wire, "--db", str(sample_db), "--format", "json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["story_id"] == wire and shown["sites"] == 2
    assert [(a["site"], a["copies"], a["is_canonical"]) for a in shown["articles"]] == [
        ("dailymeridian.com", 2, True),
        ("northernledger.com", 1, True),
        (None, 2, False),
    ]


def test_an_id_merged_into_another_shows_the_story_it_is_now(sample_db, capsys):
    wire = _wire_story(sample_db)
    with duckdb.connect(str(sample_db)) as con:  # as the stage records a merge
        con.execute("INSERT INTO story_merges VALUES ('st-merged', ?, 'earlier-run', now()::TIMESTAMP)", [wire])
    assert main(["stories", "st-merged", "--db", str(sample_db)]) == 0
    captured = capsys.readouterr()
    assert captured.err == f"newsmill: story st-merged was merged into {wire}; showing {wire}\n"
    assert captured.out.startswith(f"{wire}  ECB holds rates steady")


def test_an_unknown_story_says_how_to_list_stories(sample_db, tmp_path, capsys):
    assert main(["stories", "st-nowhere", "--db", str(sample_db)]) == 2
    err = capsys.readouterr().err
    assert "st-nowhere" in err and "`newsmill stories` lists" in err and "Traceback" not in err

    assert main(["stories", "st-nowhere", "--limit", "3", "--db", str(sample_db)]) == 2
    assert "--limit is for listing stories" in capsys.readouterr().err
    assert main(["stories", "--db", str(tmp_path / "nowhere.duckdb")]) == 2
    assert "newsmill ingest" in capsys.readouterr().err
