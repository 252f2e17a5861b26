"""Models loaded once per process and shared by every batch in it."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import cache

from transforms.documents import Mention, count_words
from transforms.entities import find_mentions, load_english_ner
from transforms.language import LanguageDetector

# Below this many words a batch is tagged in this process: starting workers, each
# loading its own model, costs about as long as tagging that much text.
WORDS_WORTH_A_WORKER = 10_000
DEFAULT_PROCESSES = min(os.cpu_count() or 1, 4)  # each holds its own copy of the models


@cache
def language_detector() -> LanguageDetector:
    return LanguageDetector(seed=0)


@cache
def english_ner():
    return load_english_ner()


def tag_texts(texts: Sequence[str], processes: int = 1) -> list[tuple[Mention, ...]]:
    """The mentions of each text, tagged on up to `processes` processes. The result does
    not depend on how many: each text is tagged on its own."""
    if not texts:  # a batch of other languages, or of rejects: no model to load
        return []
    workers = min(processes, sum(count_words(t) for t in texts) // WORDS_WORTH_A_WORKER)
    if workers <= 1:
        return list(find_mentions(english_ner(), texts))
    shares = [list(texts[i::workers]) for i in range(workers)]
    try:
        tagged = list(_ner_pool(workers).map(_tag_in_worker, shares))
    except BrokenProcessPool as error:
        _ner_pool.cache_clear()
        raise RuntimeError(
            "the NER worker processes died. If a script of yours runs the ingest, run it under "
            "`if __name__ == '__main__':` (worker processes import the main script), "
            "or run with processes=1"
        ) from error
    return [tagged[i % workers][i // workers] for i in range(len(texts))]


@cache
def _ner_pool(workers: int) -> ProcessPoolExecutor:
    # Spawned, not forked: the flow runs threads, and a forked copy of a threaded process
    # can hang on a lock some thread held. The pool lives as long as this process.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=english_ner)


def _tag_in_worker(texts: list[str]) -> list[tuple[Mention, ...]]:
    return list(find_mentions(english_ner(), texts))
