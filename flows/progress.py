"""Progress of a run as it goes, for whoever watches: the command line draws a bar from
it. A flow reports after each batch; with nobody listening, reporting costs nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Listener = Callable[[int, int, float], None]  # (documents read, documents loaded, seconds) so far
_listeners: list[Listener] = []


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Call `listener` after each batch of every flow run in this process, while the block lasts."""
    _listeners.append(listener)
    try:
        yield
    finally:
        _listeners.remove(listener)


def report(documents: int, loaded: int, seconds: float) -> None:
    for listener in _listeners:
        listener(documents, loaded, seconds)
