"""How a batch is shared out among workers."""

import os

import pytest
from hypothesis import given
from hypothesis import strategies as st
from prefect import flow, task

from flows.parallel import MIN_ITEMS_PER_WORKER, Workers, balanced_chunks


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


@pytest.mark.parametrize(
    ("items", "min_items_per_worker", "processes_used"),
    [(8, MIN_ITEMS_PER_WORKER, {"flow"}), (8, 4, {"worker"}), (7, 4, {"flow"})],
)
def test_a_batch_is_shared_out_only_when_each_worker_gets_its_minimum(
    prefect_server, items, min_items_per_worker, processes_used
):
    @flow
    def shared() -> list[int]:
        with Workers(processes=2) as workers:
            return workers.map(_pids, list(range(items)), size=lambda _: 1, min_items_per_worker=min_items_per_worker)

    pids = shared()

    assert {"flow" if pid == os.getpid() else "worker" for pid in pids} == processes_used
