"""Stories grouped in memory (transforms.stories): features, grouping, and the naming rule
that keeps a story's id as articles join and merges the younger story into the older."""

import json
import random
from datetime import date
from pathlib import Path

from transforms import stories
from transforms.entities import name_key
from transforms.stories import StoryMember, StoryText

FIXTURES = Path(__file__).parent / "fixtures" / "stories"


def _fixture_records() -> list[dict]:
    return [json.loads(line) for name in ("first.jsonl", "later.jsonl") for line in (FIXTURES / name).open()]


def _partition(labels: list) -> set[frozenset[int]]:
    groups: dict = {}
    for i, label in enumerate(labels):
        groups.setdefault(label, set()).add(i)
    return {frozenset(g) for g in groups.values()}


def test_features_are_stems_names_and_numbers_without_stop_words():
    found = stories.features(StoryText("Floods hit Kelmarsh", "The river flooded 300 homes.", "en", ["Helen Tarrant"]))
    assert found["w:flood"] == 2  # "Floods", "flooded"
    assert found["n:300"] == 1
    assert found["e:" + name_key("Helen Tarrant")] == 1
    assert "w:the" not in found


def test_a_language_without_rules_keeps_its_words():
    found = stories.features(StoryText(None, "Tulvat ajoivat asukkaat kodeistaan", "xx"))
    assert "w:tulvat" in found


def test_each_event_of_the_fixture_is_one_group():
    records = _fixture_records()
    labels = stories.cluster([r["text"] for r in records], titles=[r["title"] for r in records])
    assert _partition(labels) == _partition([r["event"] for r in records])


def test_the_order_of_the_texts_does_not_change_the_groups():
    records = _fixture_records()
    shuffled = records[:]
    random.Random(18).shuffle(shuffled)
    groups = []
    for ordering in (records, shuffled):
        labels = stories.cluster([r["text"] for r in ordering], titles=[r["title"] for r in ordering])
        groups.append({frozenset(ordering[i]["id"] for i in g) for g in _partition(labels)})
    assert groups[0] == groups[1]


def test_articles_far_apart_in_time_are_not_one_story():
    [text] = [r["text"] for r in _fixture_records() if r["id"] == "rates-0"]
    # the same report twice on one day, and again three months on: the next quarter's decision
    labels = stories.cluster(
        [text, text + " Updated.", text], dates=[date(2024, 3, 5), date(2024, 3, 5), date(2024, 6, 5)]
    )
    assert labels[0] == labels[1] != labels[2]


def test_an_article_with_nothing_in_common_starts_its_own_story():
    records = _fixture_records()
    texts = [r["text"] for r in records] + ["Zzzz qqqq wwww."]
    labels = stories.cluster(texts)
    assert labels.count(labels[-1]) == 1


def _member(cluster: str, day: int, story: str | None) -> StoryMember:
    return StoryMember(cluster, f"article-{cluster}", date(2024, 3, day), story)


def test_a_group_keeps_the_id_of_its_oldest_story_and_the_other_merges_into_it():
    members = [_member("a", 2, "young"), _member("b", 1, "old"), _member("c", 3, None)]
    naming = stories.name_groups(members, [1, 1, 1])
    assert set(naming.stories.values()) == {"old"}
    assert naming.merges == {"young": "old"}


def test_a_story_split_in_two_stays_with_the_larger_part():
    members = [_member("a", 1, "s"), _member("b", 2, "s"), _member("c", 3, "s")]
    naming = stories.name_groups(members, [1, 2, 2])
    assert naming.stories["b"] == naming.stories["c"] == "s"
    assert naming.stories["a"] == stories.founding_id("article-a")
    assert naming.merges == {}


def test_a_new_story_takes_an_id_from_its_earliest_article_unless_that_id_is_taken():
    members = [_member("b", 2, None), _member("a", 1, None)]
    assert set(stories.name_groups(members, [1, 1]).stories.values()) == {stories.founding_id("article-a")}
    taken = {stories.founding_id("article-a")}
    [story_id] = set(stories.name_groups(members, [1, 1], taken=taken).stories.values())
    assert story_id not in taken


def test_text_features_with_the_names_are_the_features_in_their_order():
    item = StoryText("Floods hit Kelmarsh", "The river flooded 300 homes.", "en", ["Helen Tarrant", "Kelmarsh"])
    words = stories.text_features(item.title, item.text, item.language)
    assert not any(f.startswith(stories.ENTITY) for f in words)
    found = stories.with_names(words, item.names)
    assert list(found.items()) == list(stories.features(item).items())  # the order too: it weighs the sums
    assert found != words and not any(f.startswith(stories.ENTITY) for f in words)  # left as it was


def _unit(*features: str, **weights: float) -> dict[str, float]:
    found = dict.fromkeys(features, 1.0) | weights
    norm = sum(w * w for w in found.values()) ** 0.5
    return {f: w / norm for f, w in found.items()}


def _grouped(sets: list[list[dict[str, float]]]) -> set[frozenset[tuple[int, int]]]:
    """The groups of the articles of `sets`, grouped together, as (set, article) pairs."""
    named = [(s, i) for s, articles in enumerate(sets) for i in range(len(articles))]
    vectors = [sets[s][i] for s, i in named]
    labels = stories.group(vectors, [date(2024, 3, 5)] * len(vectors), [f"{i:02d}-{s:04d}" for s, i in named])
    return {frozenset(named[i] for i in g) for g in _partition(labels)}


# Two tight stories, p and q, and an article between them (nearer p): the seven are linked by
# pairs at the threshold, yet the mean similarity of p's story with q's stays below it.
BRIDGED = [_unit("p", f"p{i}", p=2.0) for i in range(3)] + [_unit("q", f"q{i}", q=2.0) for i in range(3)]
BRIDGED.append(_unit("q", p=1.2))
# x and z share nothing, each shares half its words with y: one story, through y.
CHAINED = [_unit("x", "y"), _unit("y", "z"), _unit("z", "w")]


def test_a_story_is_grouped_by_the_mean_not_by_chains_of_alike_pairs():
    assert _grouped([BRIDGED]) == {frozenset({(0, 0), (0, 1), (0, 2), (0, 6)}), frozenset({(0, 3), (0, 4), (0, 5)})}
    assert _grouped([CHAINED]) == {frozenset({(0, 0), (0, 1), (0, 2)})}


def test_two_articles_are_one_story_from_the_threshold_on():
    # sharing one word: cosine 1 / (1 + w * w), and its mean with that of their profiles
    near, apart = [[_unit("u", v=w), _unit("u", t=w)] for w in (1.9, 2.0)]  # 0.316 and 0.292
    assert _grouped([near]) == {frozenset({(0, 0), (0, 1)})}
    assert len(_grouped([apart])) == 2


def test_unrelated_articles_do_not_change_each_others_groups():
    # Stories with words of their own, more articles than a block of rows, their articles far
    # apart in the order of grouping (the keys start with the article's number in its set).
    others = [[_unit(f"s{s}", f"s{s}-{i}") for i in range(3)] for s in range(200)]
    sets = [BRIDGED, CHAINED, *others]
    alone = set().union(*({frozenset((s, i) for _, i in g) for g in _grouped([one])} for s, one in enumerate(sets)))
    assert _grouped(sets) == alone
    assert {frozenset((s, i) for i in range(3)) for s in range(2, len(sets))} <= alone
