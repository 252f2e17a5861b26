"""Entities end to end: five invented scrapes about one event (tests/fixtures/entities),
each naming the same people differently, through real Prefect flow runs into a real
DuckDB file; and a warehouse from before entities were resolved, upgraded in place."""

import shutil
from pathlib import Path

import duckdb
import pytest

import warehouse
from flows.cli import format_summary, main
from flows.ingest import ingest
from transforms.documents import stable_id
from transforms.entities import key_group, name_key
from warehouse import Warehouse

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "entities"
ENGLISH = sorted(p.name for p in FIXTURES.glob("0*.txt"))
GERMAN = "de_gipfel_reaktionen.txt"
SCHEMA = Path(warehouse.__file__).parent / "schema"

# Each person, as the five articles write them (the phrase in the text, the name the
# mention of it must reach); every one of these must end up as the one entity.
PEOPLE = {
    "putin": ("Vladimir Putin", ["Vladimir Putin", "Putin's", "President Vladimir V. Putin", "Mr. Putin"]),
    "trump": ("Donald Trump", ["Donald Trump", "President Trump", "Trump's", "Trump"]),
    "zelensky": (None, ["Volodymyr Zelensky", "Zelenskyy", "Volodymyr Zelenskyy", "Mr. Zelensky"]),
}


def _copy(files, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name in files:
        shutil.copyfile(FIXTURES / name, folder / name)
    return folder


def _rows(db: Path, query: str, params=None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(query, params or []).fetchall()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    return _copy([*ENGLISH, GERMAN], tmp_path_factory.mktemp("entities") / "scrapes")


@pytest.fixture(scope="module")
def ingested(prefect_server, corpus) -> tuple[Path, dict]:
    """The six fixtures, ingested in one run."""
    db = corpus.parent / "warehouse.duckdb"
    summary = ingest([str(corpus)], db=str(db))
    return db, summary


def _entity_of(db: Path, group: str) -> tuple:
    """(entity_id, name, label, aliases) of the one entity the keys of `group` lead to."""
    ids = _rows(db, "SELECT DISTINCT entity_id FROM entity_keys WHERE key_group = ?", [group])
    assert len(ids) == 1, f"{group}: {ids}"
    return _rows(db, "SELECT entity_id, name, label, aliases FROM entities WHERE entity_id = ?", [ids[0][0]])[0]


def _mentions_in(db: Path, file: str, phrase: str) -> list[tuple]:
    """(surface, name, entity_id) of the mentions inside each place `phrase` stands in `file`'s article."""
    ((text, article_id),) = _rows(db, "SELECT text, article_id FROM articles WHERE source_uri LIKE ?", [f"%/{file}"])
    found, start = [], text.find(phrase)
    while start >= 0:
        found += _rows(
            db,
            """SELECT surface, name, entity_id FROM mentions
                              WHERE article_id = ? AND start_char >= ? AND end_char <= ?""",
            [article_id, start, start + len(phrase)],
        )
        start = text.find(phrase, start + 1)
    return found


def _check_integrity(db: Path) -> None:
    """What must hold in any warehouse: counts are the mentions' counts, no entity or key
    without a mention, every mention keyed and resolved, offsets slice to the surface."""
    assert (
        _rows(
            db,
            """SELECT e.entity_id, e.mention_count, e.article_count, count(m.entity_id), count(DISTINCT m.article_id)
                        FROM entities e LEFT JOIN mentions m USING (entity_id) GROUP BY ALL
                        HAVING e.mention_count <> count(m.entity_id) OR e.article_count <> count(DISTINCT m.article_id)
                            OR count(m.entity_id) = 0""",
        )
        == []
    )
    assert _rows(db, "SELECT * FROM entity_keys WHERE name_key NOT IN (SELECT name_key FROM mentions)") == []
    assert (
        _rows(
            db,
            """SELECT m.surface, m.name_key FROM mentions m LEFT JOIN entity_keys k USING (name_key)
                        WHERE k.entity_id IS DISTINCT FROM m.entity_id
                           OR m.entity_id NOT IN (SELECT entity_id FROM entities)""",
        )
        == []
    )
    assert (
        _rows(
            db,
            """SELECT m.surface FROM mentions m JOIN articles a USING (article_id)
                        WHERE substring(a.text, m.start_char + 1, m.end_char - m.start_char) <> m.surface""",
        )
        == []
    )
    for name, key in _rows(db, "SELECT DISTINCT name, name_key FROM mentions"):
        assert name_key(name) == key
    for key, group in _rows(db, "SELECT name_key, key_group FROM entity_keys"):
        assert key_group(key) == group


# -- one ingest of the fixtures ---------------------------------------------------------


def test_the_fixtures_load_as_five_english_articles_and_one_german(ingested):
    db, summary = ingested
    assert (summary["articles"], summary["rejects"], summary["duplicates"]) == (6, 0, 0)
    assert sorted(_rows(db, "SELECT language, count(*) FROM articles GROUP BY 1")) == [("de", 1), ("en", 5)]
    assert summary["mentions"] == _rows(db, "SELECT count(*) FROM mentions")[0][0] > 100


@pytest.mark.parametrize("group", PEOPLE)
def test_each_person_is_one_entity_whatever_the_article_calls_them(ingested, group):
    db, _ = ingested
    name, phrases = PEOPLE[group]
    entity_id, entity_name, label, aliases = _entity_of(db, group)

    assert label == "PERSON"
    assert (
        name_key(entity_name)
        == {"putin": "vladimir putin", "trump": "donald trump", "zelensky": "volodymyr zelensky"}[group]
    )
    if name:
        assert entity_name == name
    # every way the articles write the name is a mention of this entity, nothing else
    for phrase in phrases:
        found = [m for file in ENGLISH for m in _mentions_in(db, file, phrase)]
        assert found, phrase
        assert {entity for _, _, entity in found} == {entity_id}, phrase
    # ... and no other entity of any label goes by a key of that surname
    others = _rows(db, "SELECT name, label FROM entities WHERE entity_id <> ?", [entity_id])
    assert [o for o in others if key_group(name_key(o[0])) == group] == []
    assert set(aliases) == {
        s for (s,) in _rows(db, "SELECT DISTINCT surface FROM mentions WHERE entity_id = ?", [entity_id])
    }


def test_the_spellings_and_short_forms_are_the_aliases(ingested):
    db, _ = ingested
    assert set(_entity_of(db, "putin")[3]) == {"Putin", "Vladimir Putin", "Vladimir V. Putin"}
    assert set(_entity_of(db, "trump")[3]) == {"Trump", "Donald Trump"}
    assert set(_entity_of(db, "zelensky")[3]) == {"Volodymyr Zelensky", "Volodymyr Zelenskyy", "Zelenskyy", "Zelensky"}


def test_a_surname_alone_in_an_article_joins_the_full_name_of_other_articles(ingested):
    db, _ = ingested
    # 04 never writes "Donald Trump": its mentions keep the name it gives, the entity is the person
    found = _mentions_in(db, "04_nato_allies.txt", "Trump")
    assert {(surface, name) for surface, name, _ in found} == {("Trump", "Trump")} and len(found) == 3
    assert {entity for *_, entity in found} == {_entity_of(db, "trump")[0]}
    assert _rows(db, "SELECT name_key, entity_id FROM entity_keys WHERE key_group = 'trump' ORDER BY 1") == [
        ("donald trump", stable_id("entity\x1fdonald trump")),
        ("trump", stable_id("entity\x1fdonald trump")),
    ]


def test_nato_and_the_kremlin_are_organisations(ingested):
    db, _ = ingested
    assert _rows(db, "SELECT name, label, aliases FROM entities WHERE name IN ('NATO', 'Kremlin') ORDER BY 1") == [
        ("Kremlin", "ORG", ["Kremlin"]),
        ("NATO", "ORG", ["NATO"]),
    ]
    assert _rows(db, "SELECT count(*) FROM entities WHERE name ILIKE '%kremlin%' OR name ILIKE '%nato%'") == [(2,)]
    kremlin = [m for file in ENGLISH for m in _mentions_in(db, file, "the Kremlin")]
    assert len(kremlin) >= 3 and {surface for surface, *_ in kremlin} == {"Kremlin"}  # "the" is not part of it


def test_counts_keys_and_offsets_hold_together(ingested):
    db, _ = ingested
    _check_integrity(db)
    assert _rows(db, "SELECT mention_count, article_count FROM entities WHERE name = 'NATO'") == [(6, 5)]


def test_articles_in_a_language_without_a_model_are_counted_not_tagged(ingested):
    db, summary = ingested
    assert summary["untagged"] == {"de": 1}
    assert _rows(
        db, f"SELECT count(*) FROM mentions JOIN articles USING (article_id) WHERE source_uri LIKE '%/{GERMAN}'"
    ) == [(0,)]
    assert (
        "  untagged       1   (articles in a language with no NER model: de 1)"
        in format_summary(summary, db).splitlines()
    )


def test_article_entities_adds_up_to_the_mentions(ingested):
    db, _ = ingested
    assert _rows(db, "SELECT sum(mentions) FROM article_entities") == _rows(db, "SELECT count(*) FROM mentions")
    assert _rows(db, "SELECT count(*) FROM article_entities") == _rows(
        db, "SELECT count(*) FROM (SELECT DISTINCT article_id, entity_id FROM mentions)"
    )


def test_daily_mentions_agree_with_the_entities(ingested):
    db, _ = ingested
    # scraped text carries no date: every article's day is unknown, so one NULL day
    assert _rows(db, "SELECT DISTINCT day FROM entity_daily_mentions") == [(None,)]
    assert (
        _rows(
            db,
            """SELECT e.name FROM entities e JOIN
                        (SELECT entity_id, sum(mentions) AS mentions, sum(articles) AS articles, sum(distinct_articles) AS distinct_articles
                         FROM entity_daily_mentions GROUP BY 1) d USING (entity_id)
                        WHERE d.mentions <> e.mention_count OR d.articles <> e.article_count OR d.distinct_articles <> e.article_count""",
        )
        == []
    )
    assert _rows(db, "SELECT count(DISTINCT entity_id) FROM entity_daily_mentions") == _rows(
        db, "SELECT count(*) FROM entities"
    )


def test_cooccurrence_is_symmetric_and_counts_shared_articles(ingested):
    db, _ = ingested
    assert _rows(db, "SELECT count(*) FROM entity_cooccurrence")[0][0] > 100
    assert (
        _rows(
            db,
            """SELECT day, entity_id, other_entity_id, articles, distinct_articles FROM entity_cooccurrence
                        EXCEPT SELECT day, other_entity_id, entity_id, articles, distinct_articles FROM entity_cooccurrence""",
        )
        == []
    )
    assert _rows(db, "SELECT count(*) FROM entity_cooccurrence WHERE entity_id = other_entity_id") == [(0,)]
    shared = _rows(
        db,
        """SELECT a.entity_id, b.entity_id, count(DISTINCT a.article_id)
                          FROM mentions a JOIN mentions b ON a.article_id = b.article_id AND a.entity_id <> b.entity_id
                          GROUP BY ALL ORDER BY ALL""",
    )
    assert (
        _rows(db, "SELECT entity_id, other_entity_id, sum(articles) FROM entity_cooccurrence GROUP BY ALL ORDER BY ALL")
        == shared
    )


def test_who_appears_alongside_zelensky_is_one_query(ingested):
    db, _ = ingested
    alongside = dict(
        _rows(
            db,
            """SELECT other_name, sum(articles) FROM entity_cooccurrence
                                  WHERE entity_id IN (SELECT entity_id FROM entity_keys WHERE key_group = 'zelensky')
                                  GROUP BY ALL""",
        )
    )
    # Zelensky is in 01, 02, 04, 05; Putin and Trump are in 01, 03, 04, 05; NATO in all five
    assert (alongside["NATO"], alongside["Vladimir Putin"], alongside["Donald Trump"]) == (4, 3, 3)
    assert not {name for name in alongside if "elensk" in name}


# -- order of arrival ---------------------------------------------------------------------


def _resolved_state(db: Path) -> tuple[list, list, list]:
    return (
        _rows(db, "SELECT entity_id, name, label, aliases, mention_count, article_count FROM entities ORDER BY ALL"),
        _rows(db, "SELECT article_id, start_char, end_char, entity_id, name, name_key FROM mentions ORDER BY ALL"),
        _rows(db, "SELECT name_key, key_group, entity_id FROM entity_keys ORDER BY ALL"),
    )


def test_entities_do_not_depend_on_the_order_articles_arrive_in(prefect_server, corpus, ingested, tmp_path):
    files = [str(corpus / name) for name in ENGLISH]
    one, other = tmp_path / "first_three_first.duckdb", tmp_path / "last_two_first.duckdb"
    ingest(files[:3], db=str(one))
    ingest(files[3:], db=str(one))
    # the bare "Putin" and "Trump" of 04 arrive after their full names in one, before them in other
    ingest(files[3:], db=str(other))
    ingest(files[:3], db=str(other))

    assert _resolved_state(one) == _resolved_state(other)
    _check_integrity(other)
    assert _resolved_state(one) == _resolved_state(ingested[0])  # ... the same as all at once (German has no mentions)


# -- replacing an article -------------------------------------------------------------------


def test_a_changed_article_re_resolves_its_entities_and_leaves_no_orphans(prefect_server, tmp_path, capsys):
    folder = _copy([*ENGLISH, GERMAN], tmp_path / "scrapes")
    db = tmp_path / "w.duckdb"
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    assert (
        "  untagged       1   (articles in a language with no NER model: de 1)" in capsys.readouterr().out.splitlines()
    )
    trump, zelensky = _entity_of(db, "trump"), _entity_of(db, "zelensky")
    untouched = _rows(
        db,
        "SELECT * FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles WHERE source_uri LIKE '%/04_%') ORDER BY ALL",
    )
    assert _rows(
        db, "SELECT count(*) FROM entity_keys WHERE name_key IN ('trump', 'european comision', 'european union', 'eu')"
    ) == [(4,)]

    # 04 now names Donald Trump in full, spells Zelenskiy, and loses its closing paragraph
    # (the only one that names the European Commission, the European Union and the EU).
    edited = folder / "04_nato_allies.txt"
    text = edited.read_text()
    assert text.count("after Trump told reporters") == 1 and text.count("Volodymyr Zelenskyy") == 1
    text = text.replace("after Trump told reporters", "after Donald Trump told reporters")
    text = text.replace("Volodymyr Zelenskyy", "Volodymyr Zelenskiy")
    text = (
        text[: text.index("A spokeswoman for the European Commission")]
        + "Related: Baltic states step up border defences\n"
    )
    edited.write_text(text)
    assert main(["ingest", str(folder), "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("6 documents: 1 loaded, 5 unchanged") and "untagged" not in out

    _check_integrity(db)
    # the bare "trump" key left with the article that needed it; the person stays, one mention up
    assert _rows(db, "SELECT name_key FROM entity_keys WHERE key_group = 'trump'") == [("donald trump",)]
    assert _entity_of(db, "trump")[:3] == trump[:3]
    assert _mentions_in(db, "04_nato_allies.txt", "Donald Trump") == [("Donald Trump", "Donald Trump", trump[0])]
    assert {(s, n) for s, n, _ in _mentions_in(db, "04_nato_allies.txt", "Trump")} == {("Trump", "Donald Trump")}
    # a new spelling of Zelensky is an alias of the same entity, even where the model said ORG
    assert _entity_of(db, "zelensky")[:3] == zelensky[:3]
    assert "Volodymyr Zelenskiy" in _entity_of(db, "zelensky")[3]
    assert [(s, entity) for s, _, entity in _mentions_in(db, "04_nato_allies.txt", "Volodymyr Zelenskiy")] == [
        ("Volodymyr Zelenskiy", zelensky[0])
    ]
    # entities only the dropped paragraph named are gone, with their keys
    assert _rows(db, "SELECT name FROM entities WHERE name IN ('European Commission', 'European Union', 'EU')") == []
    assert _rows(
        db, "SELECT count(*) FROM entity_keys WHERE name_key IN ('trump', 'european comision', 'european union', 'eu')"
    ) == [(0,)]
    # the other articles' mentions did not move
    assert (
        _rows(
            db,
            "SELECT * FROM mentions WHERE article_id NOT IN (SELECT article_id FROM articles WHERE source_uri LIKE '%/04_%') ORDER BY ALL",
        )
        == untouched
    )


# -- a warehouse from before entities were resolved -----------------------------------------------

# The view release 005 created; migration 006 drops it.
OLD_VIEW = """CREATE OR REPLACE VIEW entity_mentions AS
SELECT e.entity_id, e.name, e.label, count(*) AS mentions, count(DISTINCT m.article_id) AS articles
FROM entities AS e JOIN mentions AS m USING (entity_id) GROUP BY ALL"""
OLD_ARTICLES = {
    "a1": "Vladimir Putin met Donald Trump in Helsinki. Putin said Trump was ready, and Trump agreed. The Kremlin and NATO said nothing.",
    "a2": "Trump's aides met NATO officials in Brussels.",
}
# (article, surface, label, name) as release 005 stored them: one entity per label and name.
OLD_MENTIONS = [
    ("a1", "Vladimir Putin", "PERSON", "Vladimir Putin"),
    ("a1", "Donald Trump", "PERSON", "Donald Trump"),
    ("a1", "Helsinki", "GPE", "Helsinki"),
    ("a1", "Putin", "PERSON", "Putin"),
    ("a1", "Trump", "ORG", "Trump"),
    ("a1", "Trump", "PERSON", "Trump"),
    ("a1", "The Kremlin", "ORG", "Kremlin"),
    ("a1", "NATO", "ORG", "NATO"),
    ("a2", "Trump's", "PERSON", "Trump"),
    ("a2", "NATO", "ORG", "NATO"),
    ("a2", "Brussels", "GPE", "Brussels"),
]


def _old_entity_id(label: str, name: str) -> str:
    return stable_id(f"{label}\x1f{name.casefold()}")  # how release 005 derived it


def _release_005_warehouse(db: Path) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE TABLE schema_migrations (version VARCHAR PRIMARY KEY, applied_at TIMESTAMP)")
        for script in sorted(SCHEMA.glob("00[1-5]_*.sql")):
            con.execute(script.read_text())
            con.execute("INSERT INTO schema_migrations VALUES (?, now()::TIMESTAMP)", [script.name])
        con.execute(OLD_VIEW)
        for article_id, text in OLD_ARTICLES.items():
            uri = f"/in/{article_id}.txt"
            con.execute(
                """INSERT INTO documents (doc_id, source_uri, format, sha256, bytes, run_id, source_file)
                           VALUES (?, ?, 'txt', ?, ?, 'r1', ?)""",
                [article_id, uri, f"sha-{article_id}", len(text), uri],
            )
            con.execute(
                """INSERT INTO articles (article_id, doc_id, source_uri, title, language, language_prob, text,
                                                 word_count, content_hash, cluster_id, is_canonical, run_id, template_group)
                           VALUES (?, ?, ?, 'A title', 'en', 1.0, ?, ?, ?, ?, true, 'r1', 'folder:/in')""",
                [article_id, article_id, uri, text, len(text.split()), f"hash-{article_id}", article_id],
            )
        after = dict.fromkeys(OLD_ARTICLES, 0)
        for article_id, surface, label, name in OLD_MENTIONS:  # in text order
            start = OLD_ARTICLES[article_id].index(surface, after[article_id])
            after[article_id] = start + len(surface)
            con.execute(
                "INSERT INTO entities VALUES (?, ?, ?) ON CONFLICT DO NOTHING",
                [_old_entity_id(label, name), name, label],
            )
            con.execute(
                "INSERT INTO mentions VALUES (?, ?, ?, ?, ?, ?)",
                [article_id, _old_entity_id(label, name), surface, start, start + len(surface), label],
            )


def test_a_warehouse_from_release_005_gets_keys_and_resolved_entities(tmp_path):
    db = tmp_path / "old.duckdb"
    _release_005_warehouse(db)
    assert _rows(db, "SELECT count(*) FROM entities") == [(9,)]  # Trump three times: PERSON, ORG, and "Donald Trump"

    with Warehouse(db):
        pass

    assert _rows(db, "SELECT surface, label, name, name_key FROM mentions ORDER BY article_id, start_char") == [
        (surface, label, name, name_key(name)) for _, surface, label, name in OLD_MENTIONS
    ]
    assert _rows(db, "SELECT name, label, aliases, mention_count, article_count FROM entities ORDER BY name") == [
        ("Brussels", "GPE", ["Brussels"], 1, 1),
        ("Donald Trump", "PERSON", ["Trump", "Donald Trump"], 4, 2),  # the ORG "Trump" joins: 3 PERSON to 1
        ("Helsinki", "GPE", ["Helsinki"], 1, 1),
        ("Kremlin", "ORG", ["The Kremlin"], 1, 1),
        ("NATO", "ORG", ["NATO"], 2, 2),
        ("Vladimir Putin", "PERSON", ["Putin", "Vladimir Putin"], 2, 1),
    ]
    assert _rows(db, "SELECT name_key, key_group FROM entity_keys ORDER BY 1") == sorted(
        {(name_key(n), key_group(name_key(n))) for *_, n in OLD_MENTIONS}
    )
    assert _rows(
        db,
        "SELECT count(*) FROM entities WHERE list_contains(?, entity_id)",
        [[_old_entity_id(label, name) for *_, label, name in OLD_MENTIONS]],
    ) == [(0,)]
    _check_integrity(db)
    views = {name for (name,) in _rows(db, "SELECT view_name FROM duckdb_views() WHERE NOT internal")}
    assert (
        "entity_mentions" not in views and {"article_entities", "entity_daily_mentions", "entity_cooccurrence"} <= views
    )
    assert _rows(db, "SELECT sum(mentions) FROM article_entities") == [(len(OLD_MENTIONS),)]

    state = _resolved_state(db)
    with Warehouse(db):  # the upgrade happens once; opening again changes nothing
        pass
    assert _resolved_state(db) == state


def test_a_mention_whose_entity_row_was_lost_is_upgraded_by_its_surface(tmp_path):
    db = tmp_path / "old.duckdb"
    _release_005_warehouse(db)
    article_id, text = next(iter(OLD_ARTICLES.items()))
    start = text.index("NATO")
    with duckdb.connect(str(db)) as con:
        con.execute("DELETE FROM entities WHERE name = 'NATO'")

    with Warehouse(db):
        pass

    assert _rows(
        db, "SELECT name, name_key FROM mentions WHERE article_id = ? AND start_char = ?", [article_id, start]
    ) == [("NATO", "nato")]
    assert _rows(db, "SELECT label, mention_count FROM entities WHERE name = 'NATO'") == [("ORG", 2)]
