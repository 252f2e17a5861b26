"""How a run goes: the options `newsmill ingest` and `newsmill backfill`, both flows and
their deployments share, declared once. The command line has one flag per field, named
after it (`max_record_mb` is `--max-record-mb`), with the field's description as its help."""

from __future__ import annotations

import argparse
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from flows.models import DEFAULT_PROCESSES
from transforms.read import DEFAULT_MAX_RECORD_BYTES
from warehouse.connection import DEFAULT_LOCK_TIMEOUT

BATCH_SIZE = 256


def _option(default: Any, help: str, metavar: str | None = None, expected: str | None = None, **bounds) -> Any:
    """A field with what the command line needs: its help, its metavar, and what to say of a bad value."""
    return Field(default, description=help, json_schema_extra={"metavar": metavar, "expected": expected}, **bounds)


class RunOptions(BaseModel):
    """How a run reads, where its CPU-heavy stages run, and how long it waits for the warehouse."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    force: bool = _option(False, "reprocess records the warehouse already holds unchanged")
    prune: bool = _option(False, "remove the records of stored files that are gone from the scanned paths")
    max_record_mb: float = _option(
        DEFAULT_MAX_RECORD_BYTES / 2**20,
        "records larger than this are rejected as too_large",
        "MB",
        "a size in MB above 0",
        gt=0,
    )
    processes: int = _option(
        DEFAULT_PROCESSES,
        "processes for the CPU-heavy stages, each with its own models",
        "N",
        "a whole number of at least 1",
        ge=1,
    )
    dask_address: str | None = _option(None, "run the CPU-heavy stages on this Dask cluster instead", "tcp://HOST:PORT")
    wait: float = _option(
        DEFAULT_LOCK_TIMEOUT,
        "how long to wait for another process holding the warehouse",
        "SECONDS",
        "a number of seconds",
        ge=0,
    )
    batch_size: int = _option(
        BATCH_SIZE, "records per batch, each loaded in one transaction", "N", "a whole number of at least 1", ge=1
    )

    @property
    def max_record_bytes(self) -> int:
        return int(self.max_record_mb * 2**20)


def add_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per RunOptions field, named after it."""
    for name, field in RunOptions.model_fields.items():
        extra = field.json_schema_extra
        flag = "--" + name.replace("_", "-")
        if field.annotation is bool:
            parser.add_argument(flag, action="store_true", help=field.description)
        else:
            default = (
                "" if field.default is None else f" (default: %(default){'g' if field.annotation is float else 's'})"
            )
            parser.add_argument(
                flag,
                type=_parse(name, extra["expected"]),
                default=field.default,
                metavar=extra["metavar"],
                help=field.description + default,
            )


def from_flags(args: argparse.Namespace) -> RunOptions:
    return RunOptions(**{name: getattr(args, name) for name in RunOptions.model_fields})


def _parse(name: str, expected: str | None):
    """A flag's value checked as the field checks it, or argparse's one-line usage error."""
    adapter = TypeAdapter(RunOptions.model_fields[name].annotation)

    def parse(value: str):
        try:
            parsed = adapter.validate_python(value)
            RunOptions(**{name: parsed})  # the field's bounds
            return parsed
        except ValidationError:
            raise argparse.ArgumentTypeError(f"expected {expected}, got {value!r}") from None

    parse.__name__ = name  # argparse names the type in some messages
    return parse
