"""Stories, as `newsmill stories` shows them: the top stories of a period, and one story's
articles in time order. Both read the views (`top_stories`, `stories`, `story_articles`,
`story_aliases`) on a reader's connection (`warehouse.read_only`)."""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import duckdb

from warehouse.period import Period, has_stories

TOP = 20  # stories listed unless asked for more or fewer


class StoryUnknown(LookupError):
    """No story has that id, nor ever had: the message says how to list them."""


class TopStory(NamedTuple):
    story_id: str
    headline: str | None
    first_seen: date | None
    last_seen: date | None
    sites: int
    articles: int


class StoryArticle(NamedTuple):
    day: date | None  # its story day: published, else fetched, else the day its run began
    site: str | None
    title: str | None
    is_canonical: bool
    copies: int  # the articles of its duplicate cluster, itself included
    article_id: str


class Story(NamedTuple):
    asked: str  # the id asked for
    story_id: str  # the story it is now: `asked`, unless that was merged into another
    merges: int  # how many merges lead from `asked` to `story_id`
    headline: str | None
    first_seen: date | None
    last_seen: date | None
    sites: int
    languages: list[str]
    articles: list[StoryArticle]  # in time order


def top_stories(con: duckdb.DuckDBPyConnection, since: date | None = None, limit: int = TOP) -> list[TopStory]:
    """The `limit` top stories (`top_stories`: by sites, then articles, then last seen),
    counting only the articles dated `since` or later, as `newsmill report --since` does;
    all articles, undated ones too, when None."""
    rows = Period(con, since).rows(
        ["top_stories"],
        "SELECT story_id, headline, first_seen, last_seen, sites, articles FROM top_stories ORDER BY rank LIMIT $limit",
        limit=limit,
    )
    return [TopStory(*row) for row in rows]


def stored_before_stories(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse holds articles but none has a story: they were all stored
    before stories, or the warehouse is not yet migrated to them."""
    if not has_stories(con):
        return con.execute("SELECT count(*) FROM articles").fetchall()[0][0] > 0
    return con.execute("SELECT count(*) > 0 AND count(story_id) = 0 FROM articles").fetchall()[0][0]


NO_STORIES = (
    "its articles were stored before stories, so none has one yet: `newsmill ingest --force PATH` reads them "
    "again and files them into stories"
)


def story(con: duckdb.DuckDBPyConnection, story_id: str) -> Story:
    """The story `story_id` is now (following its merges into older stories), with its
    articles in time order. StoryUnknown when no story ever had that id."""
    listing = "`newsmill stories` lists the top stories (add `--since DATE` or `--limit N`)"
    found = (
        has_stories(con)
        and con.execute("SELECT story_id, merges FROM story_aliases WHERE alias = ?", [story_id]).fetchall()
    )
    if not found and stored_before_stories(con):
        raise StoryUnknown(f"no story {story_id!r}: the warehouse has no stories yet; {NO_STORIES}")
    if not found:
        raise StoryUnknown(f"no story has the id {story_id!r}; {listing}")
    [(current, merges)] = found
    about = con.execute(
        "SELECT headline, first_seen, last_seen, sites, languages FROM stories WHERE story_id = ?", [current]
    ).fetchall()
    if not about:  # merged into a story whose articles have all gone since
        raise StoryUnknown(f"story {story_id} has no articles left in the warehouse; {listing}")
    articles = con.execute(
        """SELECT story_day, site, title, is_canonical, copies, article_id FROM story_articles
           WHERE story_id = ?
           ORDER BY story_day NULLS LAST, published_at NULLS LAST, fetched_at NULLS LAST, article_id""",
        [current],
    ).fetchall()
    return Story(story_id, current, merges, *about[0], [StoryArticle(*row) for row in articles])
