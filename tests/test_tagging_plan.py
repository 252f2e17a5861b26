"""transforms.tagging: NER once per duplicate cluster, and only with the article's own language's model."""

from transforms.dedup import ClusterDecision
from transforms.documents import Article, Document, Mention
from transforms.tagging import TaggingPlan, TextToTag

CANONICAL = "Maria Lopez opened the Harbour Museum in Lisbon on Saturday."
COPY = "UPDATED: Maria Lopez opened the Harbour Museum in Lisbon on Saturday."
FOUND = (Mention(0, 11, "Maria Lopez", "PERSON", "Maria Lopez"), Mention(47, 53, "Lisbon", "GPE", "Lisbon"))


def cluster_with_stored(copy: Article) -> dict[str, ClusterDecision]:
    """`copy` joins the cluster of the stored article "stored", its canonical member."""
    return {"stored": ClusterDecision("stored", True), copy.article_id: ClusterDecision("stored", False)}


def article(article_id: str, text: str, language: str = "en") -> Article:
    return Article(Document(f"/in/{article_id}.txt", "txt", article_id, len(text)), text=text, language=language)


def test_a_cluster_is_tagged_once_through_its_canonical_member_and_its_copies_take_its_mentions():
    canonical, copy = article("a", CANONICAL), article("b", COPY)
    clusters = {canonical.article_id: ClusterDecision("c1", True), copy.article_id: ClusterDecision("c1", False)}
    plan = TaggingPlan.of([canonical, copy], clusters, languages={"en"})

    assert plan.stored_origins() == set()
    assert plan.texts == [TextToTag("en", CANONICAL)]
    mentions = plan.mentions(copy, {TextToTag("en", CANONICAL): FOUND})
    assert [(m.surface, COPY[m.start_char : m.end_char]) for m in mentions] == [("Maria Lopez",) * 2, ("Lisbon",) * 2]


def test_a_copy_of_a_stored_article_takes_its_stored_mentions_and_is_not_tagged():
    copy = article("b", COPY)
    plan = TaggingPlan.of([copy], cluster_with_stored(copy), languages={"en"})
    plan = plan.with_stored({"stored": list(FOUND)})

    assert plan.stored_origins() == {"stored"}
    assert plan.texts == []
    assert [m.surface for m in plan.mentions(copy, {})] == ["Maria Lopez", "Lisbon"]


def test_a_copy_whose_stored_canonical_member_has_no_mentions_stored_is_tagged_itself():
    copy = article("b", COPY)
    plan = TaggingPlan.of([copy], cluster_with_stored(copy), languages={"en"})

    assert plan.with_stored({}).texts == [TextToTag("en", COPY)]


def test_an_article_in_a_language_without_a_model_is_left_untagged():
    english, german = article("a", CANONICAL), article("d", "Maria Lopez eröffnete am Samstag das Museum.", "de")
    clusters = {a.article_id: ClusterDecision(a.article_id, True) for a in (english, german)}
    plan = TaggingPlan.of([english, german], clusters, languages={"en"})

    assert set(plan.articles) == {english.article_id}
    assert plan.texts == [TextToTag("en", CANONICAL)]
