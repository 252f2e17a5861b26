"""Deterministic news corpora for benchmarks. Synthetic ones, generated here: articles of
realistic length with people, organizations and places, written out as the formats
scrapers produce (text with residue, full HTML pages, JSON Lines, WARC). And one of real
pages (`write_real_page_corpus`): trafilatura's evaluation set, with near-copies and
re-scrapes of its pages made by this generator's mutations."""

from __future__ import annotations

import base64
import gzip
import html
import io
import json
import random
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

FIRST = [
    "Maria",
    "James",
    "Aiko",
    "Oluwaseun",
    "Lena",
    "Carlos",
    "Priya",
    "Tomasz",
    "Fatima",
    "Erik",
    "Mei",
    "Samuel",
    "Ingrid",
    "Rafael",
    "Hannah",
    "Yusuf",
    "Claire",
    "Dmitri",
    "Amara",
    "Niall",
    "Sofia",
    "Kwame",
    "Elif",
    "Mateo",
    "Anouk",
    "Rohan",
    "Greta",
    "Tariq",
    "Beatriz",
    "Jonas",
    "Nadia",
    "Felix",
    "Ayesha",
    "Lukas",
    "Chiara",
    "Kenji",
]
LAST = [
    "Okafor",
    "Lindqvist",
    "Tanaka",
    "Delgado",
    "Novak",
    "Brennan",
    "Haddad",
    "Kowalski",
    "Moreau",
    "Castillo",
    "Fischer",
    "Osei",
    "Nakamura",
    "Petrov",
    "Whitfield",
    "Rahman",
    "Silva",
    "MacLeod",
    "Jensen",
    "Vogel",
    "Adeyemi",
    "Bergström",
    "Costa",
    "Dubois",
    "Eriksen",
    "Farouk",
    "Gallagher",
    "Horvath",
    "Iyer",
    "Janssen",
    "Keller",
    "Laurent",
    "Mendes",
    "Nielsen",
    "O'Connor",
    "Pereira",
]
CITIES = [
    "Lisbon",
    "Rotterdam",
    "Nairobi",
    "Osaka",
    "Valparaiso",
    "Gdansk",
    "Leeds",
    "Montreal",
    "Porto Alegre",
    "Tallinn",
    "Adelaide",
    "Bergen",
    "Marseille",
    "Cork",
    "Brno",
    "Seville",
    "Accra",
    "Dundee",
    "Malmo",
    "Ljubljana",
    "Halifax",
    "Dunedin",
    "Antwerp",
    "Bilbao",
    "Tampere",
    "Kraków",
    "Genoa",
    "Windhoek",
]
ORGS = [
    "the Harbour Authority",
    "Northbridge Holdings",
    "the Regional Water Board",
    "Altavia Systems",
    "the National Statistics Office",
    "Meridian Bank",
    "the Transport Workers Union",
    "Corvid Energy",
    "the City Council",
    "the Environment Agency",
    "Lumen Pharmaceuticals",
    "the Port Commission",
    "Halden Logistics",
    "the Chamber of Commerce",
    "Brightwater Utilities",
    "the Teachers Federation",
    "Kestrel Aerospace",
    "the Housing Trust",
    "Solvane Chemicals",
    "the Audit Office",
    "Tidewell Insurance",
    "the Farmers Association",
    "Orbis Telecom",
    "the Planning Inspectorate",
]
ROLES = [
    "chief executive",
    "spokesperson",
    "director",
    "economist",
    "council leader",
    "union secretary",
    "analyst",
    "chair",
    "minister",
    "researcher",
    "project manager",
    "deputy mayor",
    "treasurer",
    "chief engineer",
    "campaign organiser",
    "board member",
]
TOPIC_KINDS = [
    "new",
    "proposed",
    "delayed",
    "revised",
    "disputed",
    "long-awaited",
    "scaled-back",
    "regional",
    "second",
    "emergency",
]
TOPICS = [
    "budget",
    "harbour expansion",
    "fare increase",
    "flood barrier",
    "wage agreement",
    "data centre",
    "housing plan",
    "rail link",
    "water tariff",
    "school programme",
    "wind farm",
    "hospital wing",
    "bridge repair",
    "tram line",
    "recycling scheme",
    "port tax",
    "airport terminal",
    "solar park",
]
VERBS = ["cost", "add", "save", "require", "create", "cut", "bring in", "free up"]
UNITS = ["million euros", "jobs", "homes", "kilometres of track", "megawatts", "per cent", "hectares", "beds"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
# [a|b] is a choice of wording: outlets phrase the same kind of sentence many ways, so
# unrelated stories share few word 4-grams, as real news does.
SENTENCES = [
    "{person}, {role} at {org}, [said|told reporters|confirmed|announced] on {day} that the {topic} "
    "[in|for|near] {city} would {verb} [about|some|nearly|up to] {number} {unit}.",
    "The [decision|announcement|move|vote] followed [months|weeks|a year] of [talks|negotiations|wrangling] "
    "between {org} and {org2}, according to {person}.",
    "Critics in {city} [argued|complained|warned] that the {topic} had been [rushed|poorly explained|badly costed], "
    "and {last} promised a [review|fresh look|public report] before {month}.",
    "{last} told [reporters|the committee|a briefing|local radio] that {org} expected [the first results|work to start|"
    "a decision] within {number} [weeks|days|months].",
    "Residents of {city} [will be able to|are invited to|may] comment on the {topic} at a [public meeting|hearing|"
    "consultation evening] [next|on] {day}.",
    "Figures [published|released|compiled] by {org} [showed|suggested|indicated] that costs had [risen|climbed|grown] "
    "by {number} {unit} since {month}.",
    '"[We have listened carefully|We took our time|This was not an easy choice], and [we believe|I am convinced|we are '
    'confident] this is the right step for {city}," {last} said.',
    "{person}, who has [followed|tracked|covered] the {topic} for {org2}, [said|thought|wrote] the timetable looked "
    "[ambitious but achievable|tight|optimistic].",
    "Officials in {city2} [said|signalled|made clear] they were watching {city} [closely|with interest|carefully] and "
    "[might|could|would probably] follow with a {topic} of their own.",
    "[Opposition|Local|Regional] [councillors|politicians|campaigners] in {city} [called|pressed|asked] for {org} "
    "to publish [the full contract|its risk assessment|every tender] by {month}.",
    "[Shares in|Bonds issued by|The outlook for] {org2} [rose|fell|held steady] {number} per cent after the "
    "[announcement|news|statement] on {day}.",
    "{last} [said|insisted|added] that {number} {unit} [was|would be|remained] [a realistic|a cautious|the minimum] "
    "[estimate|figure|target] for {month}.",
    "In {city2}, where a [similar|comparable|smaller] {topic} [opened|stalled|was cancelled] in {month}, "
    "{person} [urged|advised|warned] {org} to [move carefully|learn from the delays|keep a reserve].",
    "[A|The] [report|letter|study] [seen by|sent to|shared with] {org2} [puts|estimates|sets] the [bill|saving|risk] "
    "at {number} {unit}.",
]
ENTITY_LABELS = {"person": "PERSON", "last": "PERSON", "org": "ORG", "org2": "ORG", "city": "GPE", "city2": "GPE"}
FOREIGN_TOPICS = {
    "de": ["der Haushalt", "der Hafenausbau", "die Fahrpreiserhöhung", "das Hochwasserschutzprojekt", "der Windpark"],
    "es": [
        "el presupuesto",
        "la ampliación del puerto",
        "la subida de tarifas",
        "el parque eólico",
        "el nuevo hospital",
    ],
}
FOREIGN_TITLES = {"de": "Streit um {topic} in {city}", "es": "Debate sobre {topic} en {city}"}
FOREIGN_DAYS = {
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
}
FOREIGN_SENTENCES = {
    "de": [
        "{person} sagte am {day}, {topic} in {city} werde nach neuen Berechnungen rund {number} Millionen Euro kosten.",
        "Die Entscheidung folgte auf {number} Tage Verhandlungen, berichtete {person} am {day} in {city}.",
        "Kritiker in {city} bemängeln laut {person}, dass die Bürger zu spät informiert worden seien.",
        "Nach Angaben von {person} sollen die ersten Arbeiten in {number} Wochen beginnen.",
        "\u201eWir halten diesen Schritt für richtig\u201c, sagte {person} am {day} über {topic}.",
        "Anwohner aus {city} können sich am {day} bei einer Versammlung mit {person} äußern.",
        "{person} kündigte an, die {number} Seiten starke Kostenaufstellung im Stadtrat prüfen zu lassen.",
        "In {city} wird die Entwicklung seit {number} Monaten aufmerksam verfolgt, sagte {person}.",
    ],
    "es": [
        "{person} afirmó el {day} que {topic} de {city} costará unos {number} millones de euros.",
        "La decisión llega tras {number} días de negociaciones, explicó {person} el {day} en {city}.",
        "Los críticos en {city} lamentan, según {person}, que los vecinos hayan sido informados tarde.",
        "Según {person}, las primeras obras comenzarán dentro de {number} semanas.",
        "\u00abCreemos que es el paso correcto\u00bb, dijo {person} el {day} sobre {topic}.",
        "Los residentes de {city} podrán opinar el {day} en una reunión pública con {person}.",
        "{person} anunció que pedirá revisar en el pleno las {number} páginas del informe de costes.",
        "En {city} se sigue la evolución desde hace {number} meses, señaló {person}.",
    ],
}
RESIDUE_HEAD = ["Share.", "Admin", "Advertisement", "Subscribe to our newsletter"]
RESIDUE_TAIL = [
    "Previous Post Next Post",
    "Leave A Reply",
    "Source link",
    "Share this article",
    "© 2025 Example Media Ltd. All rights reserved.",
    "Exit mobile version",
]


def article(rng: random.Random) -> tuple[str, list[str]]:
    """(headline, paragraphs) of an article of about 600-700 words."""
    title, paragraphs, _ = story(rng)
    return title, paragraphs


def story(rng: random.Random) -> tuple[str, list[str], set[tuple[str, str]]]:
    """(headline, paragraphs, named entities as (name, label)) of an English article: a cast
    of people, two organizations and two places, quoted again and again, as a story does."""
    cast = [(rng.choice(FIRST), last) for last in rng.sample(LAST, rng.randint(3, 5))]
    city, city2 = rng.sample(CITIES, 2)
    org, org2 = rng.sample(ORGS, 2)
    topic = f"{rng.choice(TOPIC_KINDS)} {rng.choice(TOPICS)}"
    paragraphs, entities = [], set()
    for _ in range(rng.randint(7, 9)):
        sentences = []
        for template in rng.sample(SENTENCES, rng.randint(3, 4)):
            first, last = rng.choice(cast)
            names = dict(person=f"{first} {last}", last=rng.choice(cast)[1], org=org, org2=org2, city=city, city2=city2)
            sentences.append(
                _choose_wording(rng, template).format(
                    **names,
                    role=rng.choice(ROLES),
                    topic=topic,
                    day=rng.choice(DAYS),
                    month=rng.choice(MONTHS),
                    verb=rng.choice(VERBS),
                    number=rng.randint(2, 950),
                    unit=rng.choice(UNITS),
                )
            )
            entities.update(
                (names[field].removeprefix("the "), ENTITY_LABELS[field])
                for field in names
                if "{" + field + "}" in template
            )
        text = " ".join(sentences)
        paragraphs.append(text[0].upper() + text[1:])
    return f"{org.removeprefix('the ').title()} backs {topic} plan for {city}", paragraphs, entities


def _choose_wording(rng: random.Random, template: str) -> str:
    return re.sub(r"\[([^\]]+)\]", lambda m: rng.choice(m.group(1).split("|")), template)


def foreign_story(rng: random.Random) -> tuple[str, str, list[str]]:
    """(language, headline, paragraphs) of a German or Spanish article of about 400 words."""
    language = rng.choice(["de", "es"])
    city, topic = rng.choice(CITIES), rng.choice(FOREIGN_TOPICS[language])
    paragraphs = []
    for _ in range(rng.randint(6, 8)):
        text = " ".join(
            template.format(
                person=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                city=city,
                topic=topic,
                number=rng.randint(2, 950),
                day=rng.choice(FOREIGN_DAYS[language]),
            )
            for template in rng.sample(FOREIGN_SENTENCES[language], rng.randint(3, 4))
        )
        paragraphs.append(text)
    return language, FOREIGN_TITLES[language].format(topic=topic, city=city), paragraphs


def scraped_text(rng: random.Random, title: str, paragraphs: list[str]) -> str:
    head = rng.sample(RESIDUE_HEAD, rng.randint(0, 2))
    tail = rng.sample(RESIDUE_TAIL, rng.randint(1, 3))
    return "\n\n".join([title, *head, *paragraphs, *tail]) + "\n"


def html_page(
    rng: random.Random, title: str, paragraphs: list[str], url: str, published: datetime, padding_bytes: int
) -> str:
    """A full page: navigation, article, sidebar, footer, and inline script data as real pages carry."""
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in ["News", "World", "Business", "Sport", "Culture"])
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(
        f'<li><a href="/story/{rng.randint(1, 99999)}">{rng.choice(TOPICS).title()} latest</a></li>' for _ in range(6)
    )
    blob = base64.b64encode(rng.randbytes(padding_bytes * 3 // 4)).decode()
    return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}"><link rel="canonical" href="{url}">
<meta property="article:published_time" content="{published.isoformat()}Z">
<script>window.__STATE__ = {{"session": "{blob}"}};</script></head>
<body><header><nav><ul>{nav}</ul></nav></header>
<main><article><h1>{title}</h1><p class="byline">By {rng.choice(FIRST)} {rng.choice(LAST)}</p>{body}</article>
<aside><h2>Most read</h2><ul>{related}</ul></aside></main>
<div class="newsletter">Subscribe to our newsletter for the latest news</div>
<footer><p>&copy; 2025 Example Media Ltd. All rights reserved.</p><a href="/privacy">Privacy policy</a></footer>
</body></html>"""


def pages(seed: int, padding_bytes: int) -> Iterator[tuple[str, bytes]]:
    """Endless (url, html bytes) pages, the same for the same seed."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 1)
    n = 0
    while True:
        n += 1
        title, paragraphs = article(rng)
        url = f"https://www.site{n % 40}.example.com/news/{n}"
        published = start + timedelta(minutes=17 * n)
        yield url, html_page(rng, title, paragraphs, url, published, padding_bytes).encode("utf-8")


def write_warc(path: Path, target_bytes: int, seed: int = 0, padding_bytes: int = 200_000) -> int:
    """A gzipped WARC of response records, grown until the file holds `target_bytes`; returns the page count."""
    count = 0
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "newsmill bench"}))
        for url, body in pages(seed, padding_bytes):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )
            count += 1
            if handle.tell() >= target_bytes:
                return count
    return count


def write_mixed_folder(folder: Path, documents: int, seed: int = 0) -> None:
    """About `documents` records spread over text files, HTML files, a JSON Lines feed and a WARC."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    quarter = documents // 4
    for n in range(quarter):
        title, paragraphs = article(rng)
        (folder / f"text_{n:05d}.txt").write_text(scraped_text(rng, title, paragraphs), encoding="utf-8")
    page_source = pages(seed + 1, padding_bytes=20_000)
    for n in range(quarter):
        (folder / f"page_{n:05d}.html").write_bytes(next(page_source)[1])
    lines = []
    for n in range(quarter):
        title, paragraphs = article(rng)
        lines.append(
            json.dumps({"url": f"https://feed.example.org/{n}", "title": title, "text": "\n".join(paragraphs)})
        )
    (folder / "feed.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    with (folder / "crawl.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for _ in range(documents - 3 * quarter):
            url, body = next(page_source)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            )


def write_news_corpus(folder: Path, articles: int, seed: int = 0, first: int = 0) -> list[dict]:
    """`articles` news files, HTML pages and scraped text half and half, about 30% near-copies
    of an earlier story (shortened, figures changed, scraped from another site) and about
    10% in German or Spanish. Returns what each file truly holds: its story, language,
    article body and, for English, its named entities. `first` numbers the files on from
    an earlier call with the same seed, which the stories copied from may come from."""
    rng = random.Random(f"{seed}:{first}")
    folder.mkdir(parents=True, exist_ok=True)
    stories: list[tuple[int, str, str, list[str], set]] = []
    truth = []
    start = datetime(2025, 1, 1)
    for n in range(first, first + articles):
        if stories and rng.random() < 0.3:
            origin, language, title, paragraphs, entities = rng.choice(stories)
            paragraphs = _edited_copy(rng, paragraphs)
        elif rng.random() < 0.1:  # copies are of stories in either language alike
            origin, (language, title, paragraphs), entities = n, foreign_story(rng), set()
            stories.append((n, language, title, paragraphs, entities))
        else:
            origin, language, (title, paragraphs, entities) = n, "en", story(rng)
            stories.append((n, language, title, paragraphs, entities))
        body = "\n".join(paragraphs)
        if rng.random() < 0.5:
            url = f"https://www.site{n % 40}.example.com/news/{n}"
            page = html_page(rng, title, paragraphs, url, start + timedelta(minutes=17 * n), padding_bytes=20_000)
            name = f"{n:06d}.html"
            (folder / name).write_text(page.replace('<html lang="en">', f'<html lang="{language}">'), encoding="utf-8")
        else:
            name = f"{n:06d}.txt"
            (folder / name).write_text(scraped_text(rng, title, paragraphs), encoding="utf-8")
        truth.append(
            {
                "file": name,
                "story": origin,
                "language": language,
                "body": body,
                "entities": sorted([entity, label] for entity, label in entities if entity in body),
            }
        )
    return truth


def _edited_copy(rng: random.Random, paragraphs: list[str]) -> list[str]:
    """A copy as another outlet runs it: sometimes shortened, sometimes a figure updated."""
    copy = list(paragraphs)
    if rng.random() < 0.5:
        copy = copy[: len(copy) - rng.randint(1, 2)]
    if rng.random() < 0.5:
        i = rng.randrange(len(copy))
        copy[i] = re.sub(r"\d+", lambda m: str(int(m.group()) + rng.randint(1, 9)), copy[i], count=1)
    return copy


def write_real_page_corpus(folder: Path, trafilatura_eval_dir: Path, seed: int = 0) -> list[dict]:
    """The pages of trafilatura's evaluation set, each as it is, and about 30% more files
    made from them: re-scrapes and syndicated copies. Returns what each file truly holds.

    `trafilatura_eval_dir` holds evaldata.json ({url: {"file": NAME, "with": [snippets],
    "without": [snippets]}}) and html/NAME.gz; an entry without its page is skipped. The
    pages, in URL order, are story 0, 1, ...; each is written decompressed, byte for
    byte, as NNNNNN.html. Between them, as in `write_news_corpus`, a file is a copy of an
    earlier page with probability 0.3, half of the copies of each kind:
    - a re-scrape (.html): the same page fetched again, its bytes changed only where no
      reader looks (`_rescraped`: a fresh inline script of session data and a "most read"
      list, a timestamp comment), so its article, and all its visible text, is the page's;
    - a syndicated copy: the article's paragraphs as trafilatura finds them with
      `favor_precision=True` (that extraction is how the copy's body is known; a page where
      it finds fewer than three paragraphs gets a re-scrape instead), passed through
      `_edited_copy` (shortened, a figure changed), written as scraped text with residue
      (.txt) or as a page of another site (.html, `html_page`), half and half.

    Truth per file: "file", "kind" ("original", "re-scrape" or "syndicated"), "story" (the
    index of the page it comes from), "language" (the primary subtag of the page's
    <html lang>, lowercased, else None); an original's "url", "with" and "without"
    snippets; a syndicated copy's "body" (its paragraphs, one per line). The same for
    the same seed."""
    entries = json.loads((trafilatura_eval_dir / "evaldata.json").read_text(encoding="utf-8"))
    originals = []
    for url in sorted(entries):
        path = trafilatura_eval_dir / "html" / f"{entries[url]['file']}.gz"
        if path.is_file():
            originals.append((url, entries[url], gzip.decompress(path.read_bytes())))
    rng = random.Random(f"real-pages:{seed}")
    folder.mkdir(parents=True, exist_ok=True)
    articles: dict[int, tuple[str, list[str]] | None] = {}  # story -> (title, paragraphs), extracted once
    truth: list[dict] = []
    start = datetime(2025, 1, 1)
    written = 0  # originals written so far
    n = 0
    while written < len(originals):
        if written and rng.random() < 0.3:
            story = rng.randrange(written)
            _, _, page = originals[story]
            language = _declared_language(page)
            if story not in articles:
                articles[story] = _article_of(page)
            if rng.random() < 0.5 or articles[story] is None:
                name = f"{n:06d}.html"
                (folder / name).write_bytes(_rescraped(rng, page, start + timedelta(minutes=17 * n)))
                truth.append({"file": name, "kind": "re-scrape", "story": story, "language": language})
            else:
                title, paragraphs = articles[story]
                paragraphs = _edited_copy(rng, paragraphs)
                if rng.random() < 0.5:
                    name = f"{n:06d}.txt"
                    (folder / name).write_text(scraped_text(rng, title, paragraphs), encoding="utf-8")
                else:
                    name = f"{n:06d}.html"
                    url = f"https://www.syndicate{n % 7}.example.net/world/{n}"
                    copy = html_page(
                        rng,
                        html.escape(title),
                        [html.escape(p) for p in paragraphs],
                        url,
                        start + timedelta(minutes=17 * n),
                        padding_bytes=20_000,
                    )
                    lang = f'<html lang="{language}">' if language else "<html>"
                    (folder / name).write_text(copy.replace('<html lang="en">', lang), encoding="utf-8")
                truth.append(
                    {
                        "file": name,
                        "kind": "syndicated",
                        "story": story,
                        "language": language,
                        "body": "\n".join(paragraphs),
                    }
                )
        else:
            url, entry, page = originals[written]
            name = f"{n:06d}.html"
            (folder / name).write_bytes(page)
            truth.append(
                {
                    "file": name,
                    "kind": "original",
                    "story": written,
                    "language": _declared_language(page),
                    "url": url,
                    "with": list(entry["with"]),
                    "without": list(entry["without"]),
                }
            )
            written += 1
        n += 1
    return truth


_HTML_LANG = re.compile(rb"<html\b[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})(?=[-_\"'\s>])", re.IGNORECASE)


def _declared_language(page: bytes) -> str | None:
    """The primary subtag of the page's <html lang="...">, lowercased ("de-AT" is "de")."""
    found = _HTML_LANG.search(page[:20_000])
    return found.group(1).decode("ascii").lower() if found else None


def _article_of(page: bytes) -> tuple[str, list[str]] | None:
    """(title, paragraphs) of the page's article as trafilatura finds it with
    favor_precision=True; None under three paragraphs."""
    import trafilatura  # only this corpus needs it

    found = trafilatura.extract(page, favor_precision=True, output_format="json", with_metadata=True)
    if not found:
        return None
    found = json.loads(found)
    paragraphs = [line.strip() for line in (found.get("text") or "").splitlines() if line.strip()]
    if len(paragraphs) < 3:
        return None
    return (found.get("title") or paragraphs[0][:80]).strip(), paragraphs


def _rescraped(rng: random.Random, page: bytes, fetched: datetime) -> bytes:
    """The page fetched again: the same bytes but for an inline script of this fetch's
    session data and "most read" list after <head> (or at the start), and a comment
    with the time it was served at the end. Nothing a reader sees changes."""
    blob = base64.b64encode(rng.randbytes(rng.randint(1_000, 15_000))).decode()
    most_read = [f"/story/{rng.randint(1, 999_999)}" for _ in range(rng.randint(5, 10))]
    script = (
        f'<script>window.__STATE__ = {{"session": "{blob}", "mostRead": {json.dumps(most_read)}, '
        f'"fetched": "{fetched.isoformat()}Z"}};</script>'
    ).encode("ascii")
    stamp = f"\n<!-- served {fetched.isoformat()}Z in {rng.randint(20, 900)} ms by cache-{rng.randint(1, 64)} -->\n"
    head = re.search(rb"<head\b[^>]*>", page, re.IGNORECASE)
    at = head.end() if head else 0
    return page[:at] + script + page[at:] + stamp.encode("ascii")
