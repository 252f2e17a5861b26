"""A Ctrl-C that lands while DuckDB runs a query ends the run. DuckDB takes the
KeyboardInterrupt and raises RuntimeError('Query interrupted') instead, which a batch's
stage would otherwise report as that batch failing, and the run would go on."""

import os
import signal
import threading

import duckdb
import pytest

from flows.ingest import ingest
from flows.options import RunOptions
from warehouse.connection import interrupted
from warehouse.lookups import Lookups

LONG_QUERY = "SELECT count(*) FROM range(10000000000) t(i) WHERE i % 7 = 3"


def _ctrl_c_soon() -> None:
    threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGINT)).start()


def test_duckdb_turns_a_ctrl_c_into_an_error_that_interrupted_recognises():
    with duckdb.connect() as con:
        _ctrl_c_soon()
        with pytest.raises(Exception) as raised:
            con.execute(LONG_QUERY).fetchall()

    assert interrupted(raised.value)
    assert not interrupted(RuntimeError("a query that failed"))


@pytest.mark.parametrize("lookup", ["stored_sha256", "stored_sources"])  # in a batch's stage; in the scan
def test_a_ctrl_c_during_a_query_ends_the_run(prefect_server, sample_copy, tmp_path, monkeypatch, lookup):
    looked_up = getattr(Lookups, lookup)

    def slow(self, *args):
        _ctrl_c_soon()
        self._session.con.execute(LONG_QUERY).fetchall()
        return looked_up(self, *args)

    monkeypatch.setattr(Lookups, lookup, slow)
    db = tmp_path / "w.duckdb"
    with pytest.raises(KeyboardInterrupt):
        ingest([str(sample_copy)], db=str(db), options=RunOptions(processes=1))

    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM documents").fetchall() == [(0,)]  # no batch went on to load
