"""transforms.templates: lines a site repeats across articles are learned and removed."""

from transforms.documents import Article, Document, Reject
from transforms.templates import (
    MIN_SHARE,
    MIN_SUPPORT,
    candidate_lines,
    learn,
    strip_template,
    template_group,
    template_threshold,
)

FOOTER = "Harbour Gazette: independent local journalism since 1872"
QUOTE = '"We will rebuild the pier before the summer," the harbour master said.'


def _article(n: int, *extra: str, site: str | None = "harbourgazette.co.uk", body: str | None = None) -> Article:
    body = (
        body or f"Story number {n} tells of the harbour, the ferry and the {n} people who waited on the quay all day."
    )
    text = "\n".join([body, *extra])
    return Article(Document(f"/in/site/{n}.txt", "txt", str(n), 1), text=text, site=site)


def test_a_line_in_enough_of_a_sites_articles_is_its_template():
    articles = [_article(n, FOOTER) for n in range(MIN_SUPPORT)]

    learned = learn({}, articles)

    assert learned["harbourgazette.co.uk"] == set(candidate_lines(FOOTER))


def test_a_quote_two_articles_share_is_not_a_template():
    articles = [_article(n, QUOTE if n < 2 else "", FOOTER) for n in range(8)]

    learned = learn({}, articles)["harbourgazette.co.uk"]

    assert set(candidate_lines(QUOTE)).isdisjoint(learned)
    assert set(candidate_lines(FOOTER)) <= learned


def test_copies_of_one_article_count_once():
    copies = [
        _article(n, FOOTER, body="The same wire story, copied word for word by every site that carried it.")
        for n in range(MIN_SUPPORT + 3)
    ]

    assert learn({}, copies)["harbourgazette.co.uk"] == set()


def test_stored_sightings_count_with_the_batch():
    (key,) = candidate_lines(FOOTER)
    stored = {"harbourgazette.co.uk": (40, {key: MIN_SUPPORT + 10})}

    assert learn(stored, [_article(1, FOOTER)])["harbourgazette.co.uk"] == {key}
    assert (
        learn({"harbourgazette.co.uk": (400, {key: MIN_SUPPORT + 10})}, [_article(1, FOOTER)])["harbourgazette.co.uk"]
        == set()
    )


def test_articles_without_a_site_are_grouped_by_folder():
    assert template_group(_article(1, site=None)) == "folder:/in/site"
    assert template_group(_article(1)) == "harbourgazette.co.uk"


def test_stripping_records_each_removed_line_with_its_input_line_number():
    article = _article(1, FOOTER)
    article = Article(
        article.document, text=article.text, line_numbers=(3, 9), removed_lines=((1, "Share.", "residue_phrase"),)
    )

    stripped = strip_template(article, set(candidate_lines(FOOTER)))

    assert FOOTER not in stripped.text and stripped.line_numbers == (3,)
    assert stripped.removed_lines == ((1, "Share.", "residue_phrase"), (9, FOOTER, "site_template"))


def test_an_article_of_nothing_but_template_is_rejected():
    article = Article(Document("/in/a.txt", "txt", "x", 1), text=FOOTER)

    result = strip_template(article, set(candidate_lines(FOOTER)))

    assert isinstance(result, Reject) and result.reason == "no_text"


def test_a_wire_story_printed_verbatim_by_two_sites_is_learned_for_both():
    body = "Volunteers at the Lindqvist community garden harvested more than two tonnes of squash this autumn."
    one, two = _article(1, body=body, site="site-one.com"), _article(2, body=body, site="site-two.org")

    learned = learn({}, [one, two])

    assert learned == {"site-one.com": set(), "site-two.org": set()}
    assert strip_template(two, learned[template_group(two)]) == two


def test_the_threshold_is_the_rule_as_one_number():
    # learn() and the warehouse's refresh of its stored templates both compare with it
    for group_articles in range(500):
        for holding in range(group_articles + 1):
            rule = holding >= MIN_SUPPORT and holding >= MIN_SHARE * group_articles
            assert (holding >= template_threshold(group_articles)) == rule, (holding, group_articles)
