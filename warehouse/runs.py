"""Run bookkeeping: each run's row of `runs`, written with its first batch and closed at its end."""

from __future__ import annotations

import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from warehouse.session import Session


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class RunRecord:
    """A run as `runs` records it. Its row is written with the run's first batch:
    a run that changes nothing leaves no trace in the warehouse (Prefect still logs it)."""

    flow_run_id: str | None = None
    started_at: datetime = field(default_factory=_utcnow)
    run_id: str = ""
    counts: Counter = field(default_factory=Counter)  # documents, loaded, articles, rejects, mentions, ...
    rejects_by_reason: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)  # of the articles loaded
    untagged: Counter = field(default_factory=Counter)  # articles by language, of those no NER model is installed for
    entities: set = field(default_factory=set)  # entity_ids its articles mention
    stories: set = field(default_factory=set)  # story_ids its articles are in
    merged_stories: set = field(default_factory=set)  # story_ids it merged into older stories
    stages: dict[str, list] = field(default_factory=dict)  # stage -> [items, seconds], in pipeline order

    def __post_init__(self):
        self.run_id = self.run_id or f"{self.started_at:%Y%m%dT%H%M%S}-{secrets.token_hex(3)}"


class RunRows:
    """The rows of the runs this writer loads batches for."""

    def __init__(self, session: Session):
        self._session = session
        self._written: set[str] = set()  # run_ids whose row is committed

    def write(self, run: RunRecord) -> None:
        """The run's row, marked running, unless it has one: inside a batch's transaction,
        so a batch rolled back takes a run's first row with it."""
        if run.run_id in self._written:
            return
        self._session.con.execute(
            "INSERT INTO runs (run_id, flow_run_id, started_at, status) VALUES (?, ?, ?, 'running')",
            [run.run_id, run.flow_run_id, run.started_at],
        )

    def committed(self, run: RunRecord) -> None:
        """The batch that `write` was called in is committed, and with it the run's row."""
        self._written.add(run.run_id)

    def finish(self, run: RunRecord, status: str) -> None:
        """Close the run's row, if it has one (a run that wrote nothing has none). Its
        `duplicates` are counted now, over the articles it loaded: a later batch may have
        made one that an earlier batch loaded a copy, or canonical."""
        if run.run_id not in self._written:
            return
        con = self._session.con
        run.counts["duplicates"] = con.execute(
            "SELECT count(*) FROM articles WHERE run_id = ? AND NOT is_canonical", [run.run_id]
        ).fetchone()[0]
        finished = _utcnow()
        c = run.counts
        con.execute(
            """UPDATE runs SET finished_at = ?, status = ?, documents_seen = ?, documents_loaded = ?,
                   articles = ?, rejects = ?, duplicates = ?, mentions = ?, seconds = ?, stages = ?
               WHERE run_id = ?""",
            [
                finished,
                status,
                c.get("documents", 0),
                c.get("loaded", 0),
                c.get("articles", 0),
                c.get("rejects", 0),
                c.get("duplicates", 0),
                c.get("mentions", 0),
                (finished - run.started_at).total_seconds(),
                [
                    {"stage": stage, "items": items, "seconds": seconds}
                    for stage, (items, seconds) in run.stages.items()
                ],
                run.run_id,
            ],
        )
