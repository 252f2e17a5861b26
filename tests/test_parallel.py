"""How a batch is shared out among workers."""

import os

from hypothesis import given
from hypothesis import strategies as st
from prefect import flow, task

from flows.parallel import MIN_ITEMS_PER_WORKER, MIN_ITEMS_TO_START_WORKERS, Workers, balanced_chunks


@given(st.lists(st.integers(min_value=0, max_value=10_000), max_size=300), st.integers(min_value=1, max_value=8))
def test_chunks_hold_every_item_once_in_order_and_about_equal_in_size(sizes, count):
    chunks = balanced_chunks(sizes, count)

    assert len(chunks) == count
    assert sorted(i for chunk in chunks for i in chunk) == list(range(len(sizes)))
    assert all(chunk == sorted(chunk) for chunk in chunks)
    totals = [sum(sizes[i] for i in chunk) for chunk in chunks]
    assert max(totals) - min(totals) <= max(sizes, default=0)


def test_a_few_long_texts_are_spread_rather_than_dealt_in_turn():
    sizes = [100, 1, 100, 1, 100, 1, 100, 1]  # dealt in turn: 400 against 4
    assert sorted(sum(sizes[i] for i in c) for c in balanced_chunks(sizes, 2)) == [202, 202]


@task
def _pids(items: list[int]) -> list[int]:
    return [os.getpid() for _ in items]


def test_a_batch_is_shared_out_only_when_worth_starting_the_workers_and_each_gets_its_minimum(prefect_server):
    @flow
    def shared() -> list[set[str]]:
        with Workers(processes=2) as workers:
            calls = [
                (MIN_ITEMS_TO_START_WORKERS - 1, 4),  # not worth starting the workers for
                (MIN_ITEMS_TO_START_WORKERS, 4),
                (8, MIN_ITEMS_PER_WORKER),  # the workers run, but a worker would get fewer than its minimum
                (8, 4),
                (7, 4),
            ]
            return [
                {
                    "flow" if pid == os.getpid() else "worker"
                    for pid in workers.map(_pids, list(range(n)), lambda _: 1, least)
                }
                for n, least in calls
            ]

    assert shared() == [{"flow"}, {"worker"}, {"flow"}, {"worker"}, {"flow"}]
