"""transforms.neardup: MinHash signatures, LSH candidates and the near-duplicate decision."""

from transforms.neardup import Signature, cluster, is_near_duplicate, sign, similarity

STORY = [
    "The harbour board approved the new ferry timetable on Tuesday after a long meeting that ran late into the evening.",
    "Passengers will see two extra sailings a day from June, and the first boat will leave the island at six.",
    "Fares will stay the same for residents, but visitors will pay one pound more for a return ticket this season.",
    "The board said the changes followed a survey in which most islanders asked for earlier crossings in summer.",
    "Councillor Morag Innes said the timetable was a good start but that winter sailings still needed work.",
    "The ferry operator will publish the full timetable on its website and at the pier office next week.",
]
OTHER = [
    "A new bakery opened on the high street on Saturday, and the queue reached the corner before nine o'clock.",
    "The owners, who trained in Lyon, said they would bake sourdough, croissants and a rye loaf every morning.",
    "Neighbouring shops said the bakery had already brought more people into the street than in recent years.",
    "The bakery will open from seven until three, six days a week, and close on Mondays for the whole year.",
]


def test_a_signature_is_the_same_every_time_and_survives_storage():
    first, again = sign("\n".join(STORY)), sign("\n".join(STORY))

    assert (first.values == again.values).all() and first.band_keys == again.band_keys
    stored = Signature.from_bytes(first.to_bytes(), first.shingles)
    assert (stored.values == first.values).all()


def test_copies_differing_in_case_spacing_and_punctuation_are_identical():
    assert similarity(sign("\n".join(STORY)), sign(" ".join(STORY).upper().replace(",", "")))[0] == 1.0


def test_an_edited_copy_is_a_near_duplicate():
    edited = (
        "\n".join(STORY).replace("Tuesday", "Wednesday").replace("six", "seven").replace("good start", "fair start")
    )

    assert is_near_duplicate(sign("\n".join(STORY)), sign(edited))


def test_a_teaser_of_the_first_half_is_contained_in_the_full_article():
    teaser = "\n".join(STORY[:3] + ["Continue reading..."])

    jaccard, containment = similarity(sign(teaser), sign("\n".join(STORY)))

    assert jaccard < 0.6 and containment > 0.75
    assert is_near_duplicate(sign(teaser), sign("\n".join(STORY)))


def test_a_brief_quoting_one_sentence_and_a_different_article_are_not_duplicates():
    brief = STORY[1] + " The council will meet again in May to discuss the budget for next year."

    assert not is_near_duplicate(sign(brief), sign("\n".join(STORY)))
    assert not is_near_duplicate(sign("\n".join(OTHER)), sign("\n".join(STORY)))


def test_cluster_groups_copies_and_keeps_different_articles_apart():
    texts = ["\n".join(STORY), "\n".join(OTHER), "\n".join(STORY[:3]), "\n".join(STORY).replace("Tuesday", "Monday")]

    labels = cluster(texts)

    assert labels[0] == labels[2] == labels[3] != labels[1]
