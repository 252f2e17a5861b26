"""The stories stage against a large warehouse: its cost per 1,000 new articles, and its memory.

    python -m bench.stories_scale [--stored 10000 100000] [--new 1000] [--batches 3] [--per-day 1000]

Generated news is loaded into a fresh warehouse at a constant rate of --per-day articles a
day (10,000 stored articles are 10 days of news, 100,000 are 100), batch by batch through
the ingest flow's duplicate and stories stages and `Warehouse.write_batch`, as a run loads
them; the NER stage is left out, the articles come with their mentions. Once the warehouse
holds each --stored count, --batches batches of --new articles of the next day (other
outlets' articles of the events still running, and new events) are each given to the stories
stage against it, and not loaded: each is measured against the same stored articles. Prints
the stage's seconds per 1,000 new articles (median of the batches), the process's peak
memory while it ran them, and where the time went.

The news: an event has its own cast of people, organizations and places, a topic, a weekday,
a month and a few figures; each of its 1-9 articles (mean 5) is written by an outlet of its
own from `bench.corpus`'s sentences, in its own choice of sentences and words, on the day
the event starts or one of the three after. One article in ten is a wire copy of another
article of its event (a near-duplicate, which the duplicate stage clusters). People are
drawn from 20,000 made-up surnames; places and organizations from 3,000 each, a few common
and most rare (Zipf), as real news names them.

With --dense, a second line for the largest --stored count puts every stored article within the story
window of the new day (their story days folded into the 14 days before it): what the cost
would be if the window did not narrow the search.
"""

from __future__ import annotations

import argparse
import dataclasses
import hashlib
import itertools
import random
import re
import statistics
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import psutil

from bench.corpus import DAYS, FIRST, MONTHS, ROLES, SENTENCES, TOPIC_KINDS, TOPICS, UNITS, VERBS
from bench.corpus import _choose_wording as choose_wording
from bench.corpus import _edited_copy as edited_copy
from flows.ingest import Duplicates, Stories
from flows.stages import Batch
from transforms import neardup
from transforms import stories as story_logic
from transforms.dedup import hash_normalized, normalize_for_hash
from transforms.documents import Article, Document, Mention
from warehouse import RunRecord, Warehouse

FIRST_DAY = date(2025, 1, 1)
WIRE_COPIES = 0.1
# Of an event's articles, how many fall on its first day and each of the three after.
DAY_OFFSETS = [0, 1, 2, 3]
DAY_WEIGHTS = [0.6, 0.25, 0.1, 0.05]

_ONSETS = "b br c ch d dr f g gr h j k kr l m n p pr r s sh st t tr v w z".split()
_VOWELS = "a e i o u ai ea ou ei au".split()
_CODAS = ["", "", "n", "r", "l", "s", "th", "nd", "rk", "x", "m", "ck"]
_ORG_KINDS = [
    "Holdings",
    "Group",
    "Council",
    "Transport Authority",
    "Institute",
    "Bank",
    "Workers Union",
    "Energy",
    "Port Authority",
    "Foundation",
    "Water Board",
    "Health Trust",
]
_TITLES = [
    "{Org} backs {topic} plan for {city}",
    "{city} [weighs|debates|questions] {topic} as {org} [sets out|defends|revises] costs",
    "{last} [defends|explains|stands by] {topic} in {city}",
    "[Row|Doubts|Questions] over {topic} [in|for] {city} after {org} [statement|figures|report]",
    "{topic} for {city} to {verb} {number} {unit}, {org} says",
]


def _name(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables)).title()


def _pool(seed: int, size: int, make: Callable[[random.Random], str]) -> list[str]:
    rng, seen = random.Random(seed), dict.fromkeys([])
    while len(seen) < size:
        seen.setdefault(make(rng))
    return list(seen)


SURNAMES = _pool(1, 20_000, lambda rng: _name(rng, rng.choice([2, 2, 3])))
PLACES = _pool(2, 3_000, lambda rng: _name(rng, rng.choice([2, 3])) + rng.choice(["", "", "ton", "burg", " Bay"]))
ORGS = _pool(3, 3_000, lambda rng: f"the {_name(rng, 2)} {rng.choice(_ORG_KINDS)}")
# A few places and organizations are in the news every day, most rarely (Zipf, s = 1).
_ZIPF = list(itertools.accumulate(1 / rank for rank in range(1, 3_001)))


@dataclass
class Event:
    """One real-world event: what every outlet's article about it shares."""

    event_id: str
    cast: list[tuple[str, str]]
    org: str
    org2: str
    city: str
    city2: str
    topic: str
    weekday: str
    month: str
    unit: str
    numbers: list[int]
    written: list[tuple[str, list[str]]] = field(default_factory=list)  # its articles so far: title, paragraphs
    articles: int = 0  # how many it has had

    @classmethod
    def new(cls, event_id: str, rng: random.Random) -> Event:
        city, city2 = rng.choices(PLACES, cum_weights=_ZIPF, k=2)
        org, org2 = rng.choices(ORGS, cum_weights=_ZIPF, k=2)
        return cls(
            event_id,
            cast=[(rng.choice(FIRST), last) for last in rng.sample(SURNAMES, rng.randint(3, 5))],
            org=org,
            org2=org2,
            city=city,
            city2=city2,
            topic=f"{rng.choice(TOPIC_KINDS)} {rng.choice(TOPICS)}",
            weekday=rng.choice(DAYS),
            month=rng.choice(MONTHS),
            unit=rng.choice(UNITS),
            numbers=[rng.randint(2, 950) for _ in range(3)],
        )

    def names(self) -> dict[str, tuple[str, str]]:
        """surface -> (name, label) of every name its articles use."""
        found = {f"{first} {last}": (f"{first} {last}", "PERSON") for first, last in self.cast}
        found.update((last, (f"{first} {last}", "PERSON")) for first, last in self.cast)
        for org in (self.org, self.org2):
            found[org.removeprefix("the ")] = (org.removeprefix("the "), "ORG")
        found.update((city, (city, "GPE")) for city in (self.city, self.city2))
        return found

    def write(self, rng: random.Random) -> tuple[str, list[str]]:
        """An outlet's article about it: its own choice of sentences and words, the event's names and figures."""
        if self.written and rng.random() < WIRE_COPIES:
            title, paragraphs = rng.choice(self.written)
            return title, edited_copy(rng, paragraphs)

        def fill(template: str) -> str:
            first, last = rng.choice(self.cast)
            return choose_wording(rng, template).format(
                person=f"{first} {last}",
                last=rng.choice(self.cast)[1],
                org=self.org,
                Org=self.org.removeprefix("the ").title(),
                org2=self.org2,
                city=self.city,
                city2=self.city2,
                role=rng.choice(ROLES),
                topic=self.topic,
                day=self.weekday if rng.random() < 0.8 else rng.choice(DAYS),
                month=self.month if rng.random() < 0.8 else rng.choice(MONTHS),
                verb=rng.choice(VERBS),
                number=rng.choice(self.numbers) if rng.random() < 0.7 else rng.randint(2, 950),
                unit=self.unit if rng.random() < 0.7 else rng.choice(UNITS),
            )

        paragraphs = []
        for _ in range(rng.randint(5, 8)):
            text = " ".join(fill(template) for template in rng.sample(SENTENCES, rng.randint(3, 4)))
            paragraphs.append(text[0].upper() + text[1:])
        title = fill(rng.choice(_TITLES))
        self.written.append((title, paragraphs))
        return title[0].upper() + title[1:], paragraphs


def mentions(text: str, names: dict[str, tuple[str, str]]) -> tuple[Mention, ...]:
    """The event's names where the text has them, resolved as the entities stage would resolve them."""
    pattern = re.compile(r"\b(?:" + "|".join(map(re.escape, sorted(names, key=len, reverse=True))) + r")\b")
    return tuple(Mention(m.start(), m.end(), m[0], names[m[0]][1], names[m[0]][0]) for m in pattern.finditer(text))


def article(event: Event, day: int, rng: random.Random, tag: str = "") -> Article:
    """An article about the event published on `day` (days since FIRST_DAY), signed as the ingest signs it."""
    title, paragraphs = event.write(rng)
    event.articles += 1
    text = "\n\n".join(paragraphs)
    site = f"site{rng.randrange(200)}.example.com"
    midnight = datetime.combine(FIRST_DAY + timedelta(days=day), datetime.min.time())
    published = midnight + timedelta(minutes=rng.randrange(24 * 60))
    name = f"{event.event_id}-{tag}{event.articles}"
    normalized = normalize_for_hash(text)
    return Article(
        Document(f"/bench/stories/{day:04d}/{name}.txt", "txt", hashlib.sha256(text.encode()).hexdigest(), len(text)),
        text=text,
        title=title,
        url=f"https://{site}/news/{name}",
        site=site,
        published_at=published,
        fetched_at=published + timedelta(hours=1),
        language="en",
        language_prob=1.0,
        content_hash=hash_normalized(normalized),
        signature=neardup.sign_normalized(normalized),
        story_features=story_logic.text_features(title, text, "en"),
        mentions=mentions(text, event.names()),
    )


class Newsroom:
    """The news day by day, `per_day` articles a day: those due of the events still running,
    then the first articles of new events."""

    def __init__(self, per_day: int, seed: int = 0):
        self.per_day, self.seed, self.day = per_day, seed, 0
        self.planned: dict[int, list[Event]] = defaultdict(list)  # day -> an entry per article of an event due

    def _start_events(self, rng: random.Random, due: list[Event], count: int, tag: str) -> list[tuple[Event, int]]:
        """New events until `count` articles are due today; their later articles as (event, days on)."""
        later = []
        for n in itertools.count():
            if len(due) >= count:
                return later
            event = Event.new(f"d{self.day}-{tag}e{n}", rng)
            offsets = rng.choices(DAY_OFFSETS, weights=DAY_WEIGHTS, k=rng.randint(1, 9))
            due.extend([event] * max(1, offsets.count(0)))
            later.extend((event, offset) for offset in offsets if offset > 0)

    def next_day(self) -> list[Article]:
        """The day's articles, in the order they come in; the day after is next."""
        rng = random.Random(f"{self.seed}:{self.day}")
        due = self.planned.pop(self.day, [])
        for event, offset in self._start_events(rng, due, self.per_day, ""):
            self.planned[self.day + offset].append(event)
        out = [article(event, self.day, rng) for event in due[: self.per_day]]
        for event in {id(e): e for e in due}.values():  # only the running events need their texts kept
            del event.written[:-3]
        self.day += 1
        rng.shuffle(out)
        return out

    def another_next_day(self, variant: int, count: int) -> list[Article]:
        """`count` articles of the next day as other outlets might write it (`variant`): as many
        of them of the events running that day, the new events others. Changes nothing."""
        rng = random.Random(f"{self.seed}:{self.day}:variant {variant}")
        copies = {id(e): dataclasses.replace(e, written=list(e.written)) for e in self.planned.get(self.day, [])}
        running = [copies[id(e)] for e in self.planned.get(self.day, [])]
        due = rng.sample(running, min(len(running), len(running) * count // self.per_day))
        self._start_events(rng, due, count, f"v{variant}")
        out = [article(event, self.day, rng, tag=f"v{variant}-") for event in due[:count]]
        rng.shuffle(out)
        return out


def load(warehouse: Warehouse, run: RunRecord, items: list[Article], fill: str = "stage") -> None:
    """A batch through the duplicate and stories stages into the warehouse, as the ingest flow
    loads it; with `fill="events"` each cluster's story is its event (what the stories stage
    would find at best), and the stories stage is not run."""
    batch = Duplicates(warehouse).run(Batch(list(items)))
    if fill == "stage":
        batch = Stories(warehouse, run).run(batch)
    else:
        batch = dataclasses.replace(batch, stories=event_stories(batch))
    warehouse.write_batch(run, items, [], batch.clusters, batch.stories)


def event_of(a: Article) -> str:
    return a.document.source_uri.rsplit("/", 1)[1].rsplit("-", 1)[0]


def event_stories(batch: Batch) -> story_logic.StoryChanges:
    """Each cluster's story the event of its canonical article; the articles' features on their day."""
    articles = batch.articles()
    stories: dict[str, str] = {}
    for a in sorted(articles, key=lambda a: not batch.clusters[a.article_id][1]):  # canonical articles first
        stories.setdefault(batch.clusters[a.article_id][0], story_logic.founding_id(f"event {event_of(a)}"))
    terms = {
        a.article_id: (
            story_logic.features(story_logic.StoryText(a.title, a.text, a.language, [m.name for m in a.mentions])),
            a.published_at.date(),
        )
        for a in articles
    }
    return story_logic.StoryChanges(stories, {}, terms)


# The stories stage's look-ups, and its grouping, each timed.
STEPS = ["story_frequencies", "stories_of", "story_candidates", "story_members", "story_ids_in_use"]


class StepTimes:
    """Seconds in each step of the stories stage, and how much the look-ups brought back."""

    def __init__(self, warehouse: Warehouse):
        self.seconds: Counter = Counter()
        self.rows: Counter = Counter()
        for name in STEPS:
            setattr(warehouse.lookups, name, self._timed(name, getattr(warehouse.lookups, name)))
        story_logic.group = self._timed("group", story_logic.group)

    def _timed(self, name: str, step: Callable) -> Callable:
        def timed(*args, **kwargs):
            began = time.perf_counter()
            result = step(*args, **kwargs)
            self.seconds[name] += time.perf_counter() - began
            self.rows[name] += len(result.counts) if name == "story_frequencies" else len(result)
            return result

        return timed

    def reset(self) -> None:
        self.seconds.clear()
        self.rows.clear()


class PeakMemory:
    """The process's peak resident memory over a block (Linux's high-water mark, reset at
    the start; else sampled every 5 ms)."""

    def __enter__(self) -> PeakMemory:
        self.peak, self._stop = 0, threading.Event()
        self.before = psutil.Process().memory_info().rss  # the warehouse's cache and the filling's leftovers
        try:
            Path("/proc/self/clear_refs").write_text("5")
            self._sampler = None
        except OSError:
            self._sampler = threading.Thread(target=self._sample, daemon=True)
            self._sampler.start()
        return self

    def _sample(self) -> None:
        process = psutil.Process()
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, process.memory_info().rss)

    def __exit__(self, *exc) -> None:
        if self._sampler is None:
            status = Path("/proc/self/status").read_text()
            self.peak = int(re.search(r"VmHWM:\s+(\d+) kB", status)[1]) * 1024
        else:
            self._stop.set()
            self._sampler.join()


@dataclass
class Measured:
    label: str
    stored: int
    days: tuple[date, date]  # of the stored articles' story days
    seconds: list[float]  # the stage's, per batch
    peak_mb: float
    before_mb: float  # resident before the batches: what the stage's growth is over
    steps: Counter
    rows: Counter

    def per_thousand(self, new: int) -> float:
        return statistics.median(self.seconds) * 1000 / new


def measure(label: str, warehouse: Warehouse, newsroom: Newsroom, times: StepTimes, new: int, batches: int) -> Measured:
    """The stories stage on `batches` batches of `new` articles of the next day, none of them loaded."""
    run = RunRecord()
    prepared = []
    for variant in range(batches):
        items = newsroom.another_next_day(variant, new)
        prepared.append(Duplicates(warehouse).run(Batch(items)))
    con = warehouse._session.con
    stored, first, last = con.execute(
        "SELECT count(DISTINCT article_id), min(day), max(day) FROM story_terms"
    ).fetchone()
    seconds = []
    times.reset()
    with PeakMemory() as memory:
        for batch in prepared:
            began = time.perf_counter()
            Stories(warehouse, run).run(batch)
            seconds.append(time.perf_counter() - began)
    return Measured(
        label,
        stored,
        (first, last),
        seconds,
        memory.peak / 2**20,
        memory.before / 2**20,
        Counter(times.seconds),
        Counter(times.rows),
    )


def fold_into_window(warehouse: Warehouse, new_day: date) -> None:
    """Every stored article's story day moved into the window before `new_day`, keeping it modulo the window."""
    window = story_logic.WINDOW_DAYS
    warehouse._session.con.execute(
        "UPDATE story_terms SET day = ?::DATE - 1 - ((?::DATE - 1 - day) % ?)::INTEGER", [new_day, new_day, window]
    )


def story_quality(warehouse: Warehouse) -> tuple[int, int, float, float]:
    """Events and stories among the stored articles, and the pairwise precision and recall of
    the stories against the events (a pair: two articles of one event, or of one story)."""
    con = warehouse._session.con
    return con.execute(
        r"""
        WITH a AS (
            SELECT regexp_extract(source_uri, '/(d\d+-\w*?e\d+)-', 1) AS event, story_id FROM articles
        ), cells AS (SELECT event, story_id, count(*) AS n FROM a GROUP BY ALL),
        both_ AS (SELECT sum(n * (n - 1) / 2) AS pairs FROM cells),
        ev AS (SELECT sum(n * (n - 1) / 2) AS pairs, count(*) AS events FROM (SELECT event, sum(n) AS n FROM cells GROUP BY 1)),
        st AS (SELECT sum(n * (n - 1) / 2) AS pairs, count(*) AS stories FROM (SELECT story_id, sum(n) AS n FROM cells GROUP BY 1))
        SELECT ev.events, st.stories, both_.pairs / st.pairs, both_.pairs / ev.pairs FROM ev, st, both_
        """
    ).fetchone()


def main(argv: list[str] | None = None) -> list[Measured]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stored", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--new", type=int, default=1000)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--per-day", type=int, default=1000, help="stored articles a day")
    parser.add_argument("--batch", type=int, default=1000, help="articles a batch when filling the warehouse")
    parser.add_argument(
        "--dense",
        action="store_true",
        help="add the line with every stored article in the window (the stage's grouping needs memory "
        "quadratic in the articles it regroups: about 80 GB at 100,000)",
    )
    parser.add_argument(
        "--fill",
        choices=["stage", "events"],
        default="events",
        help="stored stories found by the stories stage, batch by batch (slow: about 25 s a batch at 10,000 "
        "stored), or each the generator's event (default)",
    )
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "newsmill-bench-stories")
    args = parser.parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    db = args.workdir / "warehouse.duckdb"
    db.unlink(missing_ok=True)
    sizes = sorted(args.stored)

    newsroom = Newsroom(args.per_day)
    results: list[Measured] = []
    with Warehouse(db) as warehouse:
        times = StepTimes(warehouse)
        run, stored, waiting = RunRecord(), 0, []
        for size in sizes:
            began = time.perf_counter()
            while stored < size:
                while len(waiting) < min(args.batch, size - stored):
                    waiting.extend(newsroom.next_day())
                items, waiting = waiting[: min(args.batch, size - stored)], waiting[min(args.batch, size - stored) :]
                load(warehouse, run, items, args.fill)
                stored += len(items)
                if stored % (10 * args.batch) == 0:
                    print(f"  loaded {stored:,} ({time.perf_counter() - began:.0f} s)", flush=True)
            events, found, precision, recall = story_quality(warehouse)
            print(
                f"stored {stored:,} articles, {newsroom.day} days of news, in {time.perf_counter() - began:.0f} s: "
                f"{events:,} events, {found:,} stories (pairwise precision {precision:.3f}, recall {recall:.3f})",
                flush=True,
            )
            results.append(measure("spread", warehouse, newsroom, times, args.new, args.batches))
            _print_one(results[-1], args.new)
        if args.dense and newsroom.day - 1 > story_logic.WINDOW_DAYS:
            fold_into_window(warehouse, FIRST_DAY + timedelta(days=newsroom.day))
            results.append(measure("all in window", warehouse, newsroom, times, args.new, args.batches))
            _print_one(results[-1], args.new)
    _print_table(results, args.new, args.per_day)
    return results


def _print_one(m: Measured, new: int) -> None:
    batches = ", ".join(f"{s:.2f}" for s in m.seconds)
    print(
        f"  {m.label}: {m.per_thousand(new):.2f} s per 1,000 new (batches: {batches} s), peak {m.peak_mb:,.0f} MB "
        f"({m.before_mb:,.0f} MB before the batches)",
        flush=True,
    )
    steps = ", ".join(f"{name} {m.steps[name]:.1f} s" for name in [*STEPS, "group"])
    print(
        f"    {steps}; stored articles regrouped per batch: {m.rows['story_members'] // len(m.seconds):,}", flush=True
    )


def _print_table(results: list[Measured], new: int, per_day: int) -> None:
    window = story_logic.WINDOW_DAYS
    print(
        f"\nStories stage, {new:,} new articles a batch, all on the day after the stored ones; stored at "
        f"{per_day:,} articles a day, so the {window}-day window around the new day holds at most "
        f"{window * per_day:,} of them ('all in window': every stored article's day folded into it)."
    )
    print(
        "\n| stored | story days | new | s per 1,000 new (median) | peak memory | of it before the batches "
        "| × the smallest |"
    )
    print("| ---: | --- | ---: | ---: | ---: | ---: | ---: |")
    base = results[0].per_thousand(new)
    for m in results:
        days = f"{m.days[0]:%m-%d}..{m.days[1]:%m-%d}" + (" (folded)" if m.label != "spread" else "")
        print(
            f"| {m.stored:,} | {days} | {new:,} × {len(m.seconds)} | {m.per_thousand(new):.2f} | "
            f"{m.peak_mb:,.0f} MB | {m.before_mb:,.0f} MB | {m.per_thousand(new) / base:.2f} |"
        )
    print("\nWhere the time went (seconds over all batches; rows the look-up returned per batch):\n")
    print("| stored | " + " | ".join([*STEPS, "group", "the rest"]) + " |")
    print("| ---: |" + " ---: |" * (len(STEPS) + 2))
    for m in results:
        rest = sum(m.seconds) - sum(m.steps.values())
        cells = [f"{m.steps[s]:.2f} ({m.rows[s] // len(m.seconds):,})" for s in STEPS]
        name = f"{m.stored:,}" + (" all in window" if m.label != "spread" else "")
        print(f"| {name} | " + " | ".join([*cells, f"{m.steps['group']:.2f}", f"{rest:.2f}"]) + " |")


if __name__ == "__main__":
    main()
