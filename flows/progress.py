"""Progress of a run as it goes, for whoever watches: the command line draws a bar from
it. A flow reports once its files are listed and after each batch; with nobody
listening, reporting costs nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class Progress:
    """How far one flow run has come."""

    run: str  # the flow run's name: a backfill's are its days
    files: int  # files to go through, listed before the first is read
    total_bytes: int  # their size
    done_bytes: int  # of the files loaded, or passed over as unchanged
    documents: int  # records read
    loaded: int  # records loaded into the warehouse
    seconds: float  # since the run started


Listener = Callable[[Progress], None]
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call `listener` with the progress of every flow run in this process, while the block lasts."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(progress: Progress) -> None:
    for listener in _listeners:
        listener(progress)
