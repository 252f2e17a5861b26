"""A deterministic synthetic news corpus for benchmarks, generated here: articles of
realistic length with people, organizations and places, written out as the formats
scrapers produce (text with residue, full HTML pages, JSON Lines, WARC)."""

from __future__ import annotations

import base64
import gzip
import io
import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

FIRST = ["Maria", "James", "Aiko", "Oluwaseun", "Lena", "Carlos", "Priya", "Tomasz", "Fatima", "Erik", "Mei", "Samuel",
         "Ingrid", "Rafael", "Hannah", "Yusuf", "Claire", "Dmitri", "Amara", "Niall"]
LAST = ["Okafor", "Lindqvist", "Tanaka", "Delgado", "Novak", "Brennan", "Haddad", "Kowalski", "Moreau", "Castillo",
        "Fischer", "Osei", "Nakamura", "Petrov", "Whitfield", "Rahman", "Silva", "MacLeod", "Jensen", "Vogel"]
CITIES = ["Lisbon", "Rotterdam", "Nairobi", "Osaka", "Valparaiso", "Gdansk", "Leeds", "Montreal", "Porto Alegre",
          "Tallinn", "Adelaide", "Bergen", "Marseille", "Cork", "Brno", "Seville"]
ORGS = ["the Harbour Authority", "Northbridge Holdings", "the Regional Water Board", "Altavia Systems",
        "the National Statistics Office", "Meridian Bank", "the Transport Workers Union", "Corvid Energy",
        "the City Council", "the Environment Agency", "Lumen Pharmaceuticals", "the Port Commission"]
ROLES = ["chief executive", "spokesperson", "director", "economist", "council leader", "union secretary",
         "analyst", "chair", "minister", "researcher"]
TOPICS = ["budget", "harbour expansion", "fare increase", "flood barrier", "wage agreement", "data centre",
          "housing plan", "rail link", "water tariff", "school programme", "wind farm", "hospital wing"]
VERBS = ["cost", "add", "save", "require", "create", "cut"]
UNITS = ["million euros", "jobs", "homes", "kilometres of track", "megawatts", "per cent"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
SENTENCES = [
    "{person}, {role} at {org}, said on {day} that the {topic} in {city} would {verb} {number} {unit}.",
    "The decision followed months of talks between {org} and {org2}, according to {person2}.",
    "Critics in {city} argued that the {topic} had been rushed, and {person} promised a review before the end of the year.",
    "{last} told reporters that {org} expected the first results within {number} weeks.",
    "Residents of {city} will be able to comment on the {topic} at a public meeting next {day}.",
    "Figures published by {org} showed that costs had risen by {number} {unit} since the plan was first announced.",
    "\"We have listened carefully, and we believe this is the right step for {city},\" {last} said.",
    "{person2}, who has followed the {topic} for {org2}, said the timetable looked ambitious but achievable.",
    "Officials in {city2} said they were watching the outcome closely and might follow with a plan of their own.",
]
RESIDUE_HEAD = ["Share.", "Admin", "Advertisement", "Subscribe to our newsletter"]
RESIDUE_TAIL = ["Previous Post Next Post", "Leave A Reply", "Source link", "Share this article",
                "© 2025 Example Media Ltd. All rights reserved.", "Exit mobile version"]


def article(rng: random.Random) -> tuple[str, list[str]]:
    """(headline, paragraphs) of an article of about 600-700 words."""
    def person() -> tuple[str, str]:
        last = rng.choice(LAST)
        return f"{rng.choice(FIRST)} {last}", last

    city, city2 = rng.sample(CITIES, 2)
    org, org2 = rng.sample(ORGS, 2)
    topic = rng.choice(TOPICS)
    paragraphs = []
    for _ in range(rng.randint(7, 9)):
        sentences = []
        for template in rng.sample(SENTENCES, rng.randint(3, 4)):
            (p1, last), (p2, _) = person(), person()
            sentences.append(template.format(
                person=p1, person2=p2, last=last, role=rng.choice(ROLES), org=org, org2=org2, city=city, city2=city2,
                topic=topic, day=rng.choice(DAYS), verb=rng.choice(VERBS), number=rng.randint(2, 950), unit=rng.choice(UNITS),
            ))
        text = " ".join(sentences)
        paragraphs.append(text[0].upper() + text[1:])
    return f"{org.removeprefix('the ').title()} backs {topic} plan for {city}", paragraphs


def scraped_text(rng: random.Random, title: str, paragraphs: list[str]) -> str:
    head = rng.sample(RESIDUE_HEAD, rng.randint(0, 2))
    tail = rng.sample(RESIDUE_TAIL, rng.randint(1, 3))
    return "\n\n".join([title, *head, *paragraphs, *tail]) + "\n"


def html_page(rng: random.Random, title: str, paragraphs: list[str], url: str, published: datetime, padding_bytes: int) -> str:
    """A full page: navigation, article, sidebar, footer, and inline script data as real pages carry."""
    nav = "".join(f'<li><a href="/{s.lower()}">{s}</a></li>' for s in ["News", "World", "Business", "Sport", "Culture"])
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    related = "".join(f'<li><a href="/story/{rng.randint(1, 99999)}">{rng.choice(TOPICS).title()} latest</a></li>' for _ in range(6))
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
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
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
        lines.append(json.dumps({"url": f"https://feed.example.org/{n}", "title": title, "text": "\n".join(paragraphs)}))
    (folder / "feed.jsonl.gz").write_bytes(gzip.compress("\n".join(lines).encode("utf-8")))
    with (folder / "crawl.warc.gz").open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        for _ in range(documents - 3 * quarter):
            url, body = next(page_source)
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
