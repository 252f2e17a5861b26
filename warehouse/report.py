"""The warehouse as one self-contained HTML page: charts drawn as inline SVG, no scripts,
nothing fetched, so it opens anywhere, offline, and can be mailed as a file.

The figures are the views' of `views/`, run over the period `--since` asks for: each query
reads the views as CTEs over the articles dated since then and the rejects and runs of
runs started since then (`warehouse.period`), so the report counts as a user's query on a view
does. Every text from the data (titles, names, sites, reasons) is HTML-escaped, so a title
such as `<script>...` shows as text.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from html import escape
from typing import NamedTuple

import duckdb

from warehouse.period import Period

BAR = "#3867a8"  # one colour for every mark: the charts compare lengths, not hues
MUTED = "#9db4d6"
TOP = 12  # rows in a ranking chart


class Grain(NamedTuple):
    """The views that count by one length of period, and their period column."""

    articles: str
    entities: str
    period: str


GRAINS = {
    "day": Grain("articles_per_day", "entity_daily_mentions", "day"),
    "month": Grain("articles_per_month", "entity_monthly_mentions", "month"),
}


def render_report(con: duckdb.DuckDBPyConnection, since: date | None = None) -> str:
    """The report over articles dated `since` or later (all articles when None); rejects
    and runs from runs started since then."""
    period = Period(con, since)
    grain = _grain(period)
    sections = [
        _overview(period),
        _articles_over_time(period, grain),
        _duplicate_rate_by_site(period),
        _top_entities(period, grain),
        _languages(period),
        _rejects(period),
        _top_stories(period, grain),
        _runs(period),
    ]
    covered = "all articles" if since is None else f"articles dated {since.isoformat()} or later"
    return PAGE.format(
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), period=escape(covered), body="\n".join(sections)
    )


def _overview(period: Period) -> str:
    [(articles, distinct, stories, duplicates, undated, rejects, entities)] = period.rows(
        ["totals"], "SELECT articles, distinct_articles, stories, duplicates, undated, rejects, entities FROM totals"
    )
    figures = [
        ("articles", articles),
        ("distinct articles", distinct),
        ("stories", stories),
        ("duplicates", duplicates),
        ("rejected records", rejects),
        ("entities mentioned", entities),
        ("undated articles", undated),
    ]
    cells = "".join(f'<div class="figure"><b>{value:,}</b><span>{escape(name)}</span></div>' for name, value in figures)
    return f'<section id="overview"><div class="figures">{cells}</div></section>'


def _articles_over_time(period: Period, grain: str) -> str:
    views = GRAINS[grain]
    rows = period.rows(
        [views.articles],
        f"""SELECT {views.period}, articles, distinct_articles FROM {views.articles}
                                            WHERE {views.period} IS NOT NULL""",
    )
    counts = {start: (articles, distinct) for start, articles, distinct in rows}
    columns = [(_period_label(start, grain), *counts.get(start, (0, 0))) for start in _periods(counts, grain)]
    return _section(
        "articles-over-time",
        "Articles over time",
        f"Articles per {grain} (published, else fetched); the lighter part of a column is duplicates.",
        column_chart(columns),
    )


def _grain(period: Period) -> str:
    """Days for up to four months of articles, months beyond: a chart stays readable."""
    [(first, last)] = period.rows(["articles_per_day"], "SELECT min(day), max(day) FROM articles_per_day")
    return "day" if first is None or (last - first).days <= 120 else "month"


def _periods(counts: dict[date, object], grain: str) -> list[date]:
    """Every day or month from the first to the last with articles, the empty ones too."""
    if not counts:
        return []
    start, last, periods = min(counts), max(counts), []
    while start <= last:
        periods.append(start)
        start = start + timedelta(days=1) if grain == "day" else (start + timedelta(days=32)).replace(day=1)
    return periods


def _period_label(start: date, grain: str) -> str:
    return start.isoformat() if grain == "day" else start.strftime("%Y-%m")


def _duplicate_rate_by_site(period: Period) -> str:
    rows = period.rows(
        ["duplicate_rate_by_site"],
        f"""SELECT coalesce(site, '(no site)'), articles, duplicates / articles
                           FROM duplicate_rate_by_site ORDER BY articles DESC, 1 LIMIT {TOP}""",
    )
    chart = bar_chart([(f"{site} ({articles:,})", rate) for site, articles, rate in rows], percent=True)
    return _section(
        "duplicate-rate",
        "Duplicate rate per site",
        f"Share of each site's articles that are copies of an earlier one; the {TOP} largest sites.",
        chart,
    )


def _top_entities(period: Period, grain: str) -> str:
    rows = period.rows(
        ["entity_totals"],
        f"""SELECT entity_id, name, label, distinct_articles FROM entity_totals
                           WHERE label IN ('PERSON', 'ORG', 'GPE', 'LOC')
                           ORDER BY distinct_articles DESC, mentions DESC, name LIMIT {TOP}""",
    )
    views = GRAINS[grain]
    counts = period.rows(
        [views.entities],
        f"""SELECT entity_id, {views.period}, distinct_articles FROM {views.entities}
                                              WHERE entity_id IN (SELECT unnest($ids)) AND {views.period} IS NOT NULL""",
        ids=[r[0] for r in rows],
    )
    distinct_in: dict[tuple[str, date], int] = {(entity_id, start): n for entity_id, start, n in counts}
    periods = _periods({start: None for _, start, _ in counts}, grain)
    chart = bar_chart(
        [(f"{name} · {label}", distinct) for _, name, label, distinct in rows],
        trends=[[distinct_in.get((entity_id, p), 0) for p in periods] for entity_id, *_ in rows],
    )
    return _section(
        "top-entities",
        "Top entities",
        f"People, organizations and places by the number of distinct articles mentioning them "
        f"(then by mentions; copies count once), and their distinct articles per {grain} (right).",
        chart,
    )


def _languages(period: Period) -> str:
    rows = period.rows(["languages"], "SELECT language, articles FROM languages ORDER BY articles DESC, language")
    return _section("languages", "Languages", "Articles per detected language.", bar_chart(rows))


def _rejects(period: Period) -> str:
    rows = period.rows(
        ["rejects_by_reason"], "SELECT reason, rejects FROM rejects_by_reason ORDER BY rejects DESC, reason"
    )
    return _section(
        "rejects",
        "Rejects",
        "Records that did not become articles, by reason.",
        bar_chart(rows) if rows else '<p class="none">No rejected records.</p>',
    )


def _top_stories(period: Period, grain: str) -> str:
    """The stories carried by the most sites, each with its articles per day (or month) on
    one axis shared by all of them, from the first story day shown to the last."""
    rows = period.rows(
        ["top_stories"],
        f"""SELECT story_id, headline, first_seen, last_seen, sites, articles FROM top_stories
                           ORDER BY rank LIMIT {TOP}""",
    )
    start = "day" if grain == "day" else "date_trunc('month', day)::DATE"
    counts = period.rows(
        ["story_timeline"],
        f"""SELECT story_id, {start} AS start, sum(articles)::BIGINT FROM story_timeline
                                 WHERE story_id IN (SELECT unnest($ids)) GROUP BY ALL""",
        ids=[row[0] for row in rows],
    )
    in_period = {(story_id, start): n for story_id, start, n in counts}
    periods = _periods({start: None for _, start, _ in counts}, grain)
    if not rows:
        body = (
            '<p class="none">No stories. (Articles stored before stories have none until they are read again: '
            "<code>newsmill ingest --force</code>.)</p>"
        )
    else:
        head = "".join(
            f"<th>{escape(c)}</th>"
            for c in ["story", "first seen", "last seen", "sites", "articles", f"articles per {grain}", "id"]
        )
        lines = []
        for story_id, headline, first, last, sites, articles in rows:
            timeline = [(_period_label(p, grain), in_period.get((story_id, p), 0)) for p in periods]
            cells = [escape(_text(headline))] + [escape(_text(v)) for v in (first, last, sites, articles)]
            cells += [_timeline(timeline), f'<code class="id">{escape(story_id)}</code>']
            lines.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
        body = f'<table class="stories"><thead><tr>{head}</tr></thead><tbody>{"".join(lines)}</tbody></table>'
    span = f", {_period_label(periods[0], grain)} to {_period_label(periods[-1], grain)}" if periods else ""
    return _section(
        "top-stories",
        "Top stories",
        f"The {TOP} stories carried by the most sites (then by the most articles), each with its articles per "
        f"{grain}{span} (a story's day: published, else fetched, else the day its run began). "
        f"newsmill stories ID lists a story's articles.",
        body,
    )


def _runs(period: Period) -> str:
    rows = period.rows(
        ["run_history"],
        """SELECT date_trunc('second', started_at), status, documents_seen, documents_loaded, articles,
                                 rejects, round(seconds, 1), documents_per_second
                          FROM run_history ORDER BY started_at DESC LIMIT 10""",
    )
    return _section(
        "runs",
        "Recent runs",
        "The last ten ingest runs.",
        _table(["started (UTC)", "status", "found", "loaded", "articles", "rejects", "seconds", "docs/s"], rows),
    )


def _section(anchor: str, title: str, note: str, body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(title)}</h2><p class="note">{escape(note)}</p>{body}</section>'


def _table(columns: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{escape(c)}</th>" for c in columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(_text(v))}</td>" for v in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _text(value) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else str(value)


def bar_chart(rows: list[tuple[str, float]], percent: bool = False, trends: list[list[int]] | None = None) -> str:
    """Horizontal bars, one per (label, value), longest first as given; with `trends`, a
    small line per row to the right of its bar."""
    if not rows:
        return '<p class="none">Nothing to show.</p>'
    label_width, bar_width, row_height, trend_width = 260, 360, 24, 140 if trends else 0
    largest = max(value for _, value in rows) or 1
    width = label_width + bar_width + 70 + trend_width
    marks = []
    for i, (label, value) in enumerate(rows):
        y = i * row_height
        length = bar_width * value / largest if not percent else bar_width * value
        shown = f"{value:.1%}" if percent else f"{value:,}"
        marks.append(
            f'<text x="{label_width - 8}" y="{y + 16}" text-anchor="end">{escape(_clip(str(label)))}'
            f"<title>{escape(str(label))}</title></text>"
            f'<rect class="mark" x="{label_width}" y="{y + 4}" width="{max(length, 1):.1f}" height="{row_height - 8}" fill="{BAR}"/>'
            f'<text x="{label_width + max(length, 1) + 6:.1f}" y="{y + 16}">{shown}</text>'
        )
        if trends:
            marks.append(_sparkline(trends[i], label_width + bar_width + 70, y + 3, trend_width - 10, row_height - 6))
    height = len(rows) * row_height
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(marks)}</svg>'
    )


def column_chart(rows: list[tuple[str, int, int]]) -> str:
    """Columns per day: (day, articles, distinct articles), the part above the distinct articles lighter."""
    if not rows:
        return '<p class="none">No dated articles.</p>'
    plot_width, plot_height, left, bottom = 880, 200, 40, 40
    step = plot_width / len(rows)
    largest = max(articles for _, articles, _ in rows) or 1
    marks = [
        f'<line x1="{left}" y1="{plot_height}" x2="{left + plot_width}" y2="{plot_height}" stroke="#888"/>',
        f'<text x="{left - 6}" y="12" text-anchor="end">{largest:,}</text>',
        f'<text x="{left - 6}" y="{plot_height}" text-anchor="end">0</text>',
    ]
    label_every = max(1, len(rows) // 8)
    for i, (day, articles, distinct) in enumerate(rows):
        x, column = left + i * step, max(step * 0.8, 1)
        total, unique = plot_height * articles / largest, plot_height * distinct / largest
        marks.append(
            f'<rect class="mark" x="{x:.1f}" y="{plot_height - total:.1f}" width="{column:.1f}" height="{total - unique:.1f}" fill="{MUTED}">'
            f"<title>{escape(day)}: {articles:,} articles, {distinct:,} distinct</title></rect>"
            f'<rect class="mark" x="{x:.1f}" y="{plot_height - unique:.1f}" width="{column:.1f}" height="{unique:.1f}" fill="{BAR}"/>'
        )
        if i % label_every == 0:
            marks.append(f'<text x="{x:.1f}" y="{plot_height + 16}">{escape(day)}</text>')
    width, height = left + plot_width + 60, plot_height + bottom
    return (
        f'<svg class="chart" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(marks)}</svg>'
    )


def _timeline(values: list[tuple[str, int]], width: int = 180, height: int = 22) -> str:
    """A story's articles per period as small columns on a shared axis, the tallest full height."""
    if not values:
        return ""
    step, top = width / len(values), max(n for _, n in values) or 1
    marks = [f'<line x1="0" y1="{height}" x2="{width}" y2="{height}" stroke="#ccc"/>']
    for i, (label, n) in enumerate(values):
        if n:
            tall = max(height * n / top, 1)
            marks.append(
                f'<rect class="mark" x="{i * step:.1f}" y="{height - tall:.1f}" width="{max(step * 0.8, 1):.1f}" '
                f'height="{tall:.1f}" fill="{BAR}"><title>{escape(label)}: {n:,} article{"" if n == 1 else "s"}'
                "</title></rect>"
            )
    return (
        f'<svg class="timeline" role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'xmlns="http://www.w3.org/2000/svg">{"".join(marks)}</svg>'
    )


def _sparkline(values: list[int], x: float, y: float, width: float, height: float) -> str:
    if len(values) < 2:
        values = values * 2 or [0, 0]
    top = max(values) or 1
    points = " ".join(
        f"{x + width * i / (len(values) - 1):.1f},{y + height - height * v / top:.1f}" for i, v in enumerate(values)
    )
    return f'<polyline class="trend" points="{points}" fill="none" stroke="{BAR}" stroke-width="1.5"/>'


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>newsmill report</title>
<style>
body {{ font: 14px/1.4 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; color: #222; }}
h1 {{ font-size: 1.5rem; margin-bottom: 0; }}
h2 {{ font-size: 1.15rem; margin: 2rem 0 .2rem; }}
.note, .meta {{ color: #666; margin-top: 0; }}
.figures {{ display: flex; flex-wrap: wrap; gap: 1rem; }}
.figure {{ border: 1px solid #ddd; border-radius: 6px; padding: .6rem 1rem; min-width: 8rem; }}
.figure b {{ display: block; font-size: 1.4rem; }}
.figure span {{ color: #666; }}
svg text {{ font: 12px system-ui, sans-serif; fill: #333; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ text-align: left; padding: .25rem .5rem; border-bottom: 1px solid #eee; }}
td:first-child {{ white-space: nowrap; }}
table.stories td {{ white-space: nowrap; }}
table.stories td:first-child {{ white-space: normal; }}
table.stories td {{ vertical-align: middle; }}
code.id {{ color: #666; font-size: 12px; }}
</style>
</head>
<body>
<h1>newsmill report</h1>
<p class="meta">{period}; generated {generated}</p>
{body}
</body>
</html>
"""
