"""The views over part of the warehouse: the articles dated since a day, and the runs (and
their rejects) started since then. The report and `newsmill stories --since` read them."""

from __future__ import annotations

from datetime import date

import duckdb

from warehouse.schema import load_views, with_views


class Period:
    """The views over a period: the tables they read hold only the runs started `since` or
    later, those runs' rejects, and the articles whose day (`article_days`, its rule read
    from the view's file) is `since` or later. Undated articles count when `since` is None,
    and drop out once a start date is asked for.

    On a warehouse stored before stories (migration 010 not yet applied by an ingest), the
    articles read as having no story (`story_id` NULL), so every figure but the stories'
    is still there."""

    def __init__(self, con: duckdb.DuckDBPyConnection, since: date | None = None):
        self.con, self.since = con, since
        article_days = next(view for view in load_views() if view.name == "article_days").query
        no_story = "" if has_stories(con) else ", NULL::VARCHAR AS story_id"
        self.tables = {  # in this order: `rejects` reads the period's `runs`
            "runs": "SELECT * FROM runs WHERE $since::DATE IS NULL OR started_at::DATE >= $since::DATE",
            "rejects": "SELECT * FROM rejects WHERE run_id IN (SELECT run_id FROM runs)",
            "articles": f"SELECT * EXCLUDE (day){no_story} FROM (\n{article_days}\n) "
            f"WHERE $since::DATE IS NULL OR day >= $since::DATE",
        }

    def rows(self, views: list[str], query: str, **parameters) -> list[tuple]:
        """The rows of `query`, which reads `views` over the period."""
        return self.con.execute(with_views(views, self.tables) + query, {"since": self.since, **parameters}).fetchall()


def has_stories(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse's tables have stories: `articles.story_id` and `story_merges`
    (migration 010)."""
    [(found,)] = con.execute(
        """SELECT count(*) FROM duckdb_columns()
           WHERE database_name = current_database() AND schema_name = 'main' AND NOT internal
             AND ((table_name = 'articles' AND column_name = 'story_id')
                  OR (table_name = 'story_merges' AND column_name = 'merged_into'))"""
    ).fetchall()
    return found == 2
