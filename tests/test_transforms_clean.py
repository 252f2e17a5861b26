"""transforms.clean: article text without scraper residue, and HTML extraction."""

import unicodedata
from datetime import datetime

import pytest

from transforms.clean import clean, clean_scraped_text, extract_html, normalize_text, published_time
from transforms.documents import Article, Record, Reject, count_words
from transforms.read import read_documents

TITLE = "Council approves new flood defences for riverside homes"

PARAGRAPHS = [
    "The city council voted on Tuesday to fund a new flood barrier along the river, after three "
    "winters of damage to homes and shops in the low-lying east of the town.",
    "More than 3,200 residents signed a petition calling for the barrier, and several of them spoke "
    "at the meeting to describe water coming through their front doors.",
    "What happens next",
    "Construction is expected to begin in the spring and to last about eighteen months, according "
    "to the council's engineering department.",
    "Share prices fell at the local building firm that lost the contract, although analysts said "
    "the drop was unlikely to last beyond the end of the week.",
    "Copyright law came up briefly, because the design of the barrier is based on plans the council "
    "bought from a Dutch engineering company last year.",
    "Concerns about normalising relations",
    "Some councillors said the town should not normalise relations with the developer until the "
    "legal dispute over the old harbour site has been settled in court.",
]

RESIDUE_AFTER = [
    "Advertisement",
    "Subscribe to our newsletter",
    "Previous Post Next Post",
    "Leave A Reply",
    "Source link",
    "Exit mobile version",
    "© 2024 Riverside Gazette. All rights reserved.",
    "Flooding, Council, Infrastructure, Riverside, Local News",
]

SCRAPED = "\n".join([TITLE, "Admin", TITLE, "Share.", *PARAGRAPHS, *RESIDUE_AFTER]) + "\n"


@pytest.fixture
def record(tmp_path):
    """A Record read from a real file written under tmp_path."""

    def make(content: bytes, fmt: str) -> Record:
        path = tmp_path / f"page.{fmt}"
        path.write_bytes(content)
        [result] = read_documents([path])
        assert isinstance(result, Record)
        return result

    return make


# --- clean_scraped_text -------------------------------------------------------


def test_scraped_text_keeps_a_headline_first_line_as_title():
    assert clean_scraped_text(SCRAPED).title == TITLE


def test_scraped_text_has_no_title_when_first_line_is_a_sentence():
    raw = "\n".join(PARAGRAPHS[:2])

    result = clean_scraped_text(raw)

    assert result.title is None
    assert result.text == raw


@pytest.mark.parametrize("residue", ["Skip to content", "Advertisement", "Subscribe to our newsletter"])
def test_scraped_text_does_not_take_a_residue_first_line_as_title(residue):
    result = clean_scraped_text("\n".join([residue, *PARAGRAPHS[:2]]))

    assert result.title != residue
    assert residue not in result.text.split("\n")


def test_scraped_text_keeps_exactly_the_article_paragraphs():
    assert clean_scraped_text(SCRAPED).text.split("\n") == PARAGRAPHS


@pytest.mark.parametrize(
    "subhead_or_sentence",
    [p for p in PARAGRAPHS if p.startswith(("What", "Concerns", "More than", "Share prices", "Copyright law"))],
)
def test_scraped_text_keeps_subheads_and_sentences_that_start_like_residue(subhead_or_sentence):
    assert subhead_or_sentence in clean_scraped_text(SCRAPED).text.split("\n")


def test_scraped_text_reports_each_removed_line_with_number_and_reason():
    removed = clean_scraped_text(SCRAPED).removed

    assert removed[:3] == (
        (2, "Admin", "residue_phrase"),
        (3, TITLE, "repeated_title"),
        (4, "Share.", "residue_phrase"),
    )
    first_after = 5 + len(PARAGRAPHS)
    assert [(n, line) for n, line, _ in removed[3:]] == list(enumerate(RESIDUE_AFTER, start=first_after))
    assert removed[-1][2] == "tag_list"
    assert all(reason for _, _, reason in removed)


def test_removed_line_numbers_are_those_of_the_input_with_its_blank_lines():
    removed = clean_scraped_text(f"{TITLE}\n\nAdmin\n\n{PARAGRAPHS[0]}\n\n\nShare.\n").removed

    assert [(n, line) for n, line, _ in removed] == [(3, "Admin"), (8, "Share.")]


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ('<meta property="article:published_time" content="2024-03-14T10:30:00+02:00">', datetime(2024, 3, 14, 8, 30)),
        ('<meta content="2024-03-14T08:30:00Z" itemprop="datePublished">', datetime(2024, 3, 14, 8, 30)),
        (
            '<script type="application/ld+json">{"datePublished": "2024-03-14T08:30:00"}</script>',
            datetime(2024, 3, 14, 8, 30),
        ),
        ('<meta property="article:published_time" content="yesterday">', None),
    ],
)
def test_published_time_comes_from_the_page_declaration_in_utc(declared, expected):
    assert published_time(f"<html><head>{declared}</head><body></body></html>") == expected


def test_scraped_text_removes_german_share_and_comment_prompts():
    body = (
        "Der Stadtrat hat am Dienstag beschlossen, entlang des Flusses eine neue Schutzmauer zu bauen, "
        "nachdem drei Winter hintereinander Häuser und Geschäfte beschädigt worden waren."
    )
    raw = f"Stadtrat beschließt neuen Hochwasserschutz\nTeilen\n{body}\nKommentar schreiben\n"

    result = clean_scraped_text(raw)

    assert result.text == body
    assert [line for _, line, _ in result.removed] == ["Teilen", "Kommentar schreiben"]


def test_scraped_text_has_one_paragraph_per_line_and_no_blank_lines():
    raw = TITLE + "\r\n\r\n" + "\r\n\r\n\r\n".join(PARAGRAPHS[:2]) + "\r\n   \r\nShare.\r\n"

    text = clean_scraped_text(raw).text

    assert text.split("\n") == PARAGRAPHS[:2]


# --- normalize_text -----------------------------------------------------------


def test_normalize_text_composes_decomposed_characters():
    decomposed = unicodedata.normalize("NFD", "Café in Zürich")
    assert decomposed != "Café in Zürich"

    assert normalize_text(decomposed) == "Café in Zürich"


def test_normalize_text_unifies_line_breaks_and_spaces_and_drops_blank_lines():
    raw = "First\u00a0paragraph  here.\r\n\r\n \u00a0 \r\nSecond\tparagraph.\rThird one.\n\n"

    assert normalize_text(raw) == "First paragraph here.\nSecond paragraph.\nThird one."


# --- clean(Record) ------------------------------------------------------------

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Harbour ferry returns after two-year pause | Example News</title>
  <link rel="canonical" href="https://www.example-news.co.uk/x">
  <meta property="og:title" content="Harbour ferry returns after two-year pause">
  <meta property="article:published_time" content="2024-03-14T08:30:00+00:00">
</head>
<body>
  <nav><ul>
    <li><a href="/">Front page</a></li><li><a href="/world">World desk coverage</a></li>
    <li><a href="/sport">Sport results centre</a></li>
  </ul></nav>
  <main><article>
    <h1>Harbour ferry returns after two-year pause</h1>
    <p>The passenger ferry that links the old harbour with the island villages returned to service
    on Thursday morning, two years after the previous operator withdrew the boat and left hundreds
    of commuters to rely on a slow and unreliable bus connection.</p>
    <p>The new service is run by a cooperative of local fishermen, who bought a second-hand vessel
    from a company in Norway last autumn and spent the winter refitting it with a quieter engine,
    a heated cabin and space for twenty bicycles on the open deck.</p>
    <p>Passengers on the first crossing said the journey took barely twenty minutes, compared with
    more than an hour on the bus, and several of them said they would now consider giving up their
    cars entirely if the timetable stayed as frequent as promised.</p>
    <p>The regional transport authority has agreed to subsidise the route for three years, after
    which the cooperative hopes to cover its costs from ticket sales alone, helped by the tourists
    who visit the islands in large numbers every summer.</p>
  </article></main>
  <footer><p>Contact the newsroom at our offices on the quay. Terms of use and the privacy policy
  apply to every reader of this website.</p></footer>
</body>
</html>
"""


def test_clean_html_page_gives_article_with_metadata_and_body_only(record):
    article = clean(record(HTML_PAGE.encode("utf-8"), "html"))

    assert isinstance(article, Article)
    assert article.title == "Harbour ferry returns after two-year pause"
    assert article.url == "https://www.example-news.co.uk/x"
    assert article.site == "example-news.co.uk"
    assert article.published_at == datetime(2024, 3, 14, 8, 30)
    paragraphs = article.text.split("\n")
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("The passenger ferry that links the old harbour")
    assert paragraphs[3].endswith("who visit the islands in large numbers every summer.")
    for chrome in ("Front page", "World desk", "Sport results", "newsroom", "privacy policy"):
        assert chrome not in article.text
    assert article.article_id == article.document.doc_id


def test_clean_html_page_goes_through_the_residue_pass(record):
    residue = "<p>Share.</p><p>Advertisement</p><p>Leave A Reply</p>"
    page = HTML_PAGE.replace("</h1>", "</h1>" + residue).replace("</article>", residue + "</article>")

    article = clean(record(page.encode("utf-8"), "html"))

    assert isinstance(article, Article)
    assert len(article.text.split("\n")) == 4
    for line in ("Share.", "Advertisement", "Leave A Reply"):
        assert line not in article.text


def test_clean_html_page_without_body_text_is_rejected_as_no_text(record):
    page = b"<html><head><title>Menu</title></head><body><nav><a href='/'>Home</a></nav></body></html>"

    result = clean(record(page, "html"))

    assert isinstance(result, Reject)
    assert result.reason == "no_text"


def test_clean_text_file_of_only_residue_is_rejected_as_no_text(record):
    content = "\n".join(["Share.", "Leave A Reply", "Advertisement", "Source link"]).encode()

    result = clean(record(content, "txt"))

    assert isinstance(result, Reject)
    assert result.reason == "no_text"


def test_clean_empty_content_is_rejected_as_empty(record):
    result = clean(record(b"", "txt"))

    assert isinstance(result, Reject)
    assert result.reason == "empty"


def test_clean_text_file_gives_article_with_title_and_clean_text(record):
    article = clean(record(SCRAPED.encode("utf-8"), "txt"))

    assert isinstance(article, Article)
    assert article.title == TITLE
    assert article.text.split("\n") == PARAGRAPHS
    assert article.url is None and article.published_at is None


def test_chinese_and_japanese_words_are_counted_without_spaces():
    assert count_words("一个约定，信守15年，感人至深") == 12
    assert count_words("子どもへの虐待 and some English") == 10
    assert count_words("Plain English text here") == 4


def test_mojibake_is_repaired_and_quotes_are_made_straight():
    cleaned = clean_scraped_text(
        "The Kremlinâ€™s summary came out on Tuesday, and â€œnothing changedâ€\x9d, officials said."
    )

    assert cleaned.text == 'The Kremlin\'s summary came out on Tuesday, and "nothing changed", officials said.'


def test_full_width_cjk_punctuation_is_left_as_written():
    assert normalize_text("一个约定，信守15年。") == "一个约定，信守15年。"


P1 = (
    "The harbour board approved the new ferry timetable on Tuesday after a long meeting that ran late "
    "into the evening, officials said."
)
P2 = (
    "Passengers will see two extra sailings a day from June, and the first boat will leave the island "
    "at six in the morning."
)
P3 = (
    "Fares will stay the same for residents, but visitors will pay one pound more for a return ticket "
    "from the start of the season."
)
SCRAPE = "\n".join(
    [
        "Ferry timetable gets two extra sailings",
        "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
        "News",
        "Sport",
        "Weather",
        "Home > News > Islands",
        "By Morag Innes | 3 June 2025, 09:12",
        "4 min read",
        P1,
        "The board at Kirkwall harbour on Tuesday (Image: Island Press)",
        P2,
        "What changes for passengers",
        P3,
        "- Monday to Friday: two extra sailings",
        "- Weekends: one extra sailing",
        '"We listened to the islanders."',
        "The new timetable starts on 2 June.",
        "Facebook",
        "WhatsApp",
        "More from the islands",
        "Island school gets new roof after storm damage",
        "Lifeboat crew rescue walkers cut off by the tide",
        "Morag Innes is a senior reporter covering the Northern Isles for the Island Press.",
    ]
)


def test_scraped_text_is_cut_to_the_article_by_position_and_shape():
    cleaned = clean_scraped_text(SCRAPE)

    assert cleaned.title == "Ferry timetable gets two extra sailings"
    assert cleaned.text.split("\n") == [
        P1,
        P2,
        "What changes for passengers",
        P3,
        "- Monday to Friday: two extra sailings",
        "- Weekends: one extra sailing",
        '"We listened to the islanders."',
        "The new timetable starts on 2 June.",
    ]
    reasons = {line: reason for _, line, reason in cleaned.removed}
    assert reasons["News"] == "outside_article"
    assert "By Morag Innes | 3 June 2025, 09:12" in reasons
    assert reasons["The board at Kirkwall harbour on Tuesday (Image: Island Press)"] == "label"
    assert reasons["Island school gets new roof after storm damage"] == "outside_article"
    assert (
        reasons["Morag Innes is a senior reporter covering the Northern Isles for the Island Press."]
        == "site_furniture"
    )


def test_a_run_of_headlines_inside_the_article_is_a_list_of_links():
    related = ["Read more", "Island school gets new roof after storm damage", "Lifeboat crew rescue walkers cut off"]
    cleaned = clean_scraped_text("\n".join([P1, *related, P2, P3]))

    assert cleaned.text.split("\n") == [P1, P2, P3]


def test_text_with_no_prose_keeps_every_line_that_is_not_residue():
    short = "Council meets at noon\nAgenda: budget and buses\nShare."

    assert clean_scraped_text(short, title="Notice").text == "Council meets at noon\nAgenda: budget and buses"


def test_a_paragraph_that_starts_like_a_byline_is_kept():
    paragraph = "By the next day, the council had accused the contractor of missing every deadline it had agreed to."

    assert clean_scraped_text("\n".join([P1, paragraph, P2])).text.split("\n") == [P1, paragraph, P2]
    assert clean_scraped_text("\n".join(["By Morag Innes", P1, P2])).text.split("\n") == [P1, P2]


STORY = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)


def _page(head: str, body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<article>{STORY}</article></body></html>"


def test_html_metadata_comes_from_the_page_declarations():
    head = (
        "<title>Flood barrier approved | Riverside Gazette</title>"
        '<meta property="og:title" content="Council approves new flood defences">'
        '<meta name="author" content="Jane Doe">'
        '<link rel="canonical" href="https://www.riverside-gazette.co.uk/news/flood-barrier">'
    )

    _, metadata = extract_html(_page(head))

    assert metadata["url"] == "https://www.riverside-gazette.co.uk/news/flood-barrier"
    assert metadata["site"] == "riverside-gazette.co.uk"
    assert metadata["byline"] == "Jane Doe"
    assert extract_html(_page(head))[0].title == "Council approves new flood defences"


def test_html_json_ld_author_and_body_byline_when_no_meta_author():
    json_ld = '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle", "author": {"@type": "Person", "name": "Ana Silva"}}</script>'
    byline = '<div class="author">Tom Baker</div>'

    assert extract_html(_page(json_ld, byline))[1]["byline"] == "Ana Silva"
    # a one-word meta author is a user name, not a byline: the page's byline element is
    assert extract_html(_page('<meta name="author" content="admin">', byline))[1]["byline"] == "Tom Baker"


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(
            '<meta property="article:published_time" content="2024-03-14T10:30:00+02:00">'
            '<link rel="canonical" href="https://example.org/2023/01/02/story">',
            datetime(2024, 3, 14, 8, 30),
            id="declared-time-first",
        ),
        pytest.param(
            '<link rel="canonical" href="https://example.org/2023/01/02/story">', datetime(2023, 1, 2), id="url-day"
        ),
        pytest.param('<meta name="date" content="2022-05-06">', datetime(2022, 5, 6), id="meta-day"),
        pytest.param("", None, id="none"),
    ],
)
def test_html_published_at_is_the_declared_time_else_the_day_htmldate_finds(head, expected):
    assert extract_html(_page(head))[1]["published_at"] == expected


def test_a_body_only_generous_extraction_finds_is_not_lost():
    story = "Story text placed inside an aside element by a strange template, and it is the whole article. " * 4
    page = f"<html><head><title>Odd page</title></head><body><aside><p>{story}</p></aside></body></html>"

    cleaned, _ = extract_html(page)

    assert cleaned.text == story.strip()


def test_text_wrapped_at_a_fixed_width_is_joined_back_into_paragraphs():
    import textwrap

    paragraphs = [P1, P2, "What changes for passengers", P3]
    wrapped = (
        "Ferry timetable\n\nShare.\n\n" + "\n\n".join(textwrap.fill(p, 72) for p in paragraphs) + "\n\nLeave a Reply\n"
    )

    cleaned = clean_scraped_text(wrapped)

    assert cleaned.text.split("\n") == paragraphs
    reply = wrapped.split("\n").index("Leave a Reply") + 1
    assert [(n, line) for n, line, _ in cleaned.removed] == [(3, "Share."), (reply, "Leave a Reply")]


def test_short_paragraphs_one_per_line_are_not_joined():
    lines = [f"Result {n}: the home side won by {n} goals to nil in front of a small crowd." for n in range(8)]

    assert clean_scraped_text("\n".join(lines)).text.split("\n") == lines


# --- tables that are the article's content -------------------------------------

MATCH = [
    "Harbourside Rovers reached the cup final for the first time in eleven years after beating Millbrook "
    "34-30 at a packed Quayside Ground on Saturday.",
    "Millbrook led at half-time after two tries from their winger, but Rovers scored three times in twelve "
    "minutes after the break to turn the game around.",
    '"The lads kept hold of the ball and the crowd carried us home," the Rovers coach said afterwards.',
]
RESULTS = [
    "Result of the other semifinal on Saturday:",
    "Castlegate 28 Northfield 14",
    "Final regular season table:",
    "P W D L F A Pts",
    "Harbourside Rovers 22 17 1 4 648 402 35",
    "Castlegate 22 16 0 6 590 388 32",
    "Millbrook 22 14 2 6 571 430 30",
    "Northfield 22 12 1 9 502 461 25",
    "Attendance: 7,812",
]


def test_a_results_table_after_the_article_is_kept_and_the_residue_after_it_removed():
    residue = [
        "More from Rugby League",
        "Castlegate 40 Westcliffe 6: Hosts run in seven tries",
        "Rugby League, Harbourside Rovers, Millbrook, Cup",
        "© 2025 Coastline Sports Media",
    ]

    cleaned = clean_scraped_text("\n".join(["Rovers edge Millbrook to reach final", *MATCH, *RESULTS, *residue]))

    assert cleaned.text.split("\n") == MATCH + RESULTS
    assert [line for _, line, _ in cleaned.removed] == residue


def test_result_rows_inside_the_article_are_not_short_lines():
    rows = [
        "Men's singles, second round",
        "Benitez (3) bt Varga 4-6 6-3 3-6 7-6 7-6",
        "Maurer bt Kranjc (8) 7-6 6-2",
        "Ekstrom (12) bt Ferri 6-1 6-4 6-2",
    ]

    cleaned = clean_scraped_text("\n".join([MATCH[0], *rows, MATCH[1], MATCH[2]]), title="Tennis")

    assert cleaned.text.split("\n") == [MATCH[0], *rows, MATCH[1], MATCH[2]]


def test_a_leaderboard_of_names_is_not_a_tag_list_but_a_tag_list_after_it_is():
    board = [
        "Leading first-round scores (par 71, players from the United States unless stated):",
        "64 Tunde Okonjo (Nigeria)",
        "66 Lukas Brandt (Germany)",
        "68 Pieter de Waal (South Africa), Casey Lund, Martin Frey (Austria), Ben",
        "Coutts (Scotland), Aiden Park, Luis Ortega (Spain),",
        "Ryan Cole, Marcus Webb",
        "69 Danny Fitch, Henrik Sollie (Norway), Owen Hartley (Ireland)",
    ]
    tags = "Golf, Lakeside Classic, Tunde Okonjo, Owen Hartley"

    cleaned = clean_scraped_text("\n".join([*MATCH, *board, tags]), title="Golf")

    assert cleaned.text.split("\n") == MATCH + board
    assert cleaned.removed == ((len(MATCH) + len(board) + 1, tags, "tag_list"),)


def test_one_result_announced_by_the_article_is_kept():
    lines = [
        MATCH[0],
        "Result of the rugby league premiership semifinal played on Saturday:",
        "Wigan 42 Bradford Bulls 36",
    ]

    assert clean_scraped_text("\n".join(lines), title="Rugby").text.split("\n") == lines


def test_a_results_page_with_only_a_note_is_an_article(record):
    results = [
        "Results of games played on Thursday",
        "Pohang 3 Ulsan 2",
        "Puchon 2 Chonbuk 1",
        "Anyang 0 Suwon 0",
        "Chonan 4 Pusan 1",
        "Note - the game between Chonnam and Daejon was postponed because of heavy rain.",
    ]

    article = clean(record("\n".join(["SOCCER - KOREAN LEAGUE RESULTS", *results]).encode(), "txt"))

    assert isinstance(article, Article)
    assert article.text.split("\n") == results


@pytest.mark.parametrize(
    "residue",
    [
        pytest.param(["FTSE 100 8,214.55 ▼0.6%", "FTSE 250 20,388.10 ▼0.3%", "Brent 82.40 ▼1.2%"], id="ticker-before"),
        pytest.param(
            [
                "Related stories",
                "Ireland thrash Liechtenstein 5-0",
                "Keane double sinks Wales 2-1",
                "Dutch held by Brazil 2-2",
            ],
            id="related-scores",
        ),
        pytest.param(["Trending", "Wigan 42 Bradford 36", "Leeds 12 Hull 10", "Saints 30 Tigers 12"], id="trending"),
        pytest.param(
            [
                "St Helens 30 Castleford 12: Saints cruise into final",
                "Hull FC 16 Hull KR 22: Rovers win the derby",
                "Leigh 8 Catalans 40: Dragons run riot",
            ],
            id="score-headlines",
        ),
        pytest.param(
            [
                "Most Read",
                "1. Bridge Closure To Last Until Spring",
                "2. Council Approves 4.9% Tax Rise",
                "3. Bus Fares To Rise 50 Cents In July",
                "4. 12 Hurt In Crash On A1",
            ],
            id="most-read",
        ),
        pytest.param(
            [
                "Putin says talks will resume - March 3, 2025",
                "Kremlin rejects EU plan - 2 March 2025",
                "Moscow hosts summit (03/01/2025)",
                "Zelensky visits Paris 28 Feb",
            ],
            id="dated-archive",
        ),
        pytest.param(
            [
                "12 comments",
                "Jan Hollis 3 hours ago",
                "Dave P 2h",
                "Reply · 14 likes",
                "Like 12",
                "Mike Jones 14 Mar 2025",
                "Load more comments",
            ],
            id="comments",
        ),
        pytest.param(["Facebook 24", "WhatsApp 9", "Email 3", "Twitter 5"], id="share-counts"),
        pytest.param(["Planning (128)", "Housing (342)", "Ashford Vale (56)"], id="archive-counts"),
        pytest.param(["Page 1 of 3", "1 2 3 Next »", "5 min read", "Updated 2 hours ago"], id="pages-and-times"),
        pytest.param(["Newsdesk 01942 123456", "Sport desk 01942 123458", "Adverts 01942 123459"], id="phone-numbers"),
        pytest.param(
            ["© 2025 Gazette Ltd", "Leeds 12 Hull 10", "Saints 30 Tigers 12", "Warrington 18 Salford 16"],
            id="after-the-footer",
        ),
        pytest.param(
            [
                "Video",
                "Watch: Benitez saves match point 1:12",
                "Watch: Petrescu on her win 2:05",
                "Watch: Best shots of day three 3:40",
            ],
            id="videos",
        ),
    ],
)
def test_residue_with_digits_is_not_taken_for_a_table(residue):
    before = residue if residue[0].startswith("FTSE") else []
    after = [] if before else residue

    cleaned = clean_scraped_text("\n".join([*before, *MATCH, *after]), title="Rovers edge Millbrook")

    assert cleaned.text.split("\n") == MATCH
