"""flows.options: one RunOptions for the command line, both flows and the deployments."""

import inspect

import pytest

from flows.cli import _parser
from flows.options import RunOptions

COMMANDS = (["ingest", "some/path"], ["backfill", "--since", "2024-05-01", "--until", "2024-05-02"])


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_every_run_option_is_a_flag_named_after_it_with_the_same_default(command):
    args = _parser().parse_args(command)

    assert {name: getattr(args, name) for name in RunOptions.model_fields} == RunOptions().model_dump()


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
def test_the_flags_give_the_options_they_name(command):
    args = _parser().parse_args(
        [
            *command,
            "--force",
            "--processes",
            "3",
            "--wait",
            "1.5",
            "--max-record-mb",
            "2",
            "--batch-size",
            "64",
            "--dask-address",
            "tcp://10.0.0.1:8786",
        ]
    )

    assert RunOptions(**{name: getattr(args, name) for name in RunOptions.model_fields}) == RunOptions(
        force=True, processes=3, wait=1.5, max_record_mb=2, batch_size=64, dask_address="tcp://10.0.0.1:8786"
    )


@pytest.mark.parametrize(
    "flag, value, expected",
    [
        ("--processes", "0", "a whole number of at least 1"),
        ("--processes", "1.5", "a whole number of at least 1"),
        ("--batch-size", "-4", "a whole number of at least 1"),
        ("--wait", "nan", "a number of seconds"),
        ("--max-record-mb", "0", "a size in MB above 0"),
    ],
)
def test_a_bad_value_is_refused_saying_what_was_expected(flag, value, expected, capsys):
    with pytest.raises(SystemExit) as exit:
        _parser().parse_args(["ingest", "x", flag, value])

    assert exit.value.code == 2
    assert f"{flag}: expected {expected}, got {value!r}" in capsys.readouterr().err


def test_both_flows_take_the_same_options():
    from flows.backfill import backfill
    from flows.ingest import ingest

    for flow in (ingest, backfill):
        assert inspect.signature(flow.fn).parameters["options"].annotation in ("RunOptions", RunOptions)


def test_a_deployment_may_give_options_as_a_mapping():
    assert RunOptions.model_validate({"processes": 1, "wait": 5}) == RunOptions(processes=1, wait=5)
    with pytest.raises(ValueError, match="lock_timeout"):
        RunOptions.model_validate({"lock_timeout": 5})  # a misspelt option is an error, not ignored
