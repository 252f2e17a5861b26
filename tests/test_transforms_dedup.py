"""transforms.dedup: content hashes and duplicate clusters with stable ids."""

import unicodedata
from datetime import datetime

import pytest

from transforms.dedup import ClusterMember, assign_clusters, content_hash

STORY = "The harbour ferry returned to service on Thursday, two years after it stopped."


# --- content_hash -------------------------------------------------------------


@pytest.mark.parametrize(
    "variant",
    [
        STORY.upper(),
        "the harbour ferry returned to service on thursday two years after it stopped",
        "  The harbour ferry\n returned to service on Thursday,\ttwo years after it stopped!  ",
        "The harbour ferry -- returned to service on Thursday; two years after it stopped...",
    ],
)
def test_content_hash_ignores_case_punctuation_and_whitespace(variant):
    assert content_hash(variant) == content_hash(STORY)


def test_content_hash_equal_for_composed_and_decomposed_accents():
    text = "Le café de la place Saint-Étienne rouvre ses portes."

    assert content_hash(unicodedata.normalize("NFD", text)) == content_hash(text)


@pytest.mark.parametrize(
    "other",
    [
        "The harbour ferry returned to service on Friday, two years after it stopped.",
        "The harbour ferry returned to service on Thursday, three years after it stopped.",
        "The ferry returned to service on Thursday, two years after it stopped.",
    ],
)
def test_content_hash_differs_for_different_wording(other):
    assert content_hash(other) != content_hash(STORY)


# --- assign_clusters ----------------------------------------------------------


def member(article_id, published=None, words=100, content="h1", cluster_id=None):
    published_at = datetime.fromisoformat(published) if published else None
    return ClusterMember(article_id, content, published_at, words, cluster_id)


def test_new_exact_duplicates_share_a_cluster_named_after_the_canonical_member():
    decisions = assign_clusters([member("bbb", "2024-03-02"), member("aaa", "2024-03-03"), member("ccc", "2024-03-01")])

    assert decisions == {"ccc": ("ccc", True), "bbb": ("ccc", False), "aaa": ("ccc", False)}


def test_canonical_is_the_earliest_published():
    decisions = assign_clusters([member("a", "2024-03-02", words=900), member("z", "2024-03-01", words=10)])

    assert decisions["z"] == ("z", True)
    assert decisions["a"] == ("z", False)


def test_canonical_tie_on_date_goes_to_more_words():
    decisions = assign_clusters([member("a", "2024-03-01", words=100), member("z", "2024-03-01", words=120)])

    assert decisions["z"] == ("z", True)
    assert decisions["a"] == ("z", False)


def test_canonical_tie_on_date_and_words_goes_to_the_first_given():
    decisions = assign_clusters([member("b", "2024-03-01"), member("c", "2024-03-01"), member("a", "2024-03-01")])

    assert {aid: d for aid, d in decisions.items() if d[1]} == {"b": ("b", True)}
    assert {d[0] for d in decisions.values()} == {"b"}


def test_undated_member_sorts_after_dated_ones():
    decisions = assign_clusters([member("a", None, words=5000), member("z", "2030-01-01", words=10)])

    assert decisions["z"] == ("z", True)
    assert decisions["a"] == ("z", False)


def test_existing_cluster_keeps_its_id_when_an_earlier_copy_joins():
    decisions = assign_clusters(
        [
            member("old1", "2024-03-05", cluster_id="old1"),
            member("old2", "2024-03-06", cluster_id="old1"),
            member("new", "2024-03-01"),  # published earlier, so now canonical
        ]
    )

    assert decisions == {
        "old1": ("old1", False),
        "old2": ("old1", False),
        "new": ("old1", True),
    }


def test_cluster_takes_canonical_id_when_its_namesake_is_gone():
    decisions = assign_clusters(
        [
            member("old2", "2024-03-06", cluster_id="gone"),
            member("old3", "2024-03-04", cluster_id="gone"),
            member("new", "2024-03-05"),
        ]
    )

    assert decisions == {
        "old2": ("old3", False),
        "old3": ("old3", True),
        "new": ("old3", False),
    }


def test_singletons_are_their_own_canonical_cluster():
    decisions = assign_clusters(
        [member("a", "2024-03-01", content="h1"), member("b", "2024-03-01", content="h2"), member("c", content="h3")]
    )

    assert decisions == {"a": ("a", True), "b": ("b", True), "c": ("c", True)}


def test_only_members_with_equal_hashes_are_clustered_together():
    decisions = assign_clusters(
        [
            member("a1", "2024-03-01", content="h1"),
            member("b1", "2024-03-01", content="h2"),
            member("a2", "2024-03-02", content="h1"),
            member("b2", "2024-03-02", content="h2"),
        ]
    )

    assert decisions == {
        "a1": ("a1", True),
        "a2": ("a1", False),
        "b1": ("b1", True),
        "b2": ("b1", False),
    }
