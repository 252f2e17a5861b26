"""The DuckDB warehouse: schema (`schema/*.sql`), views (`views/*.sql`), the one writer, and read-only access."""

from warehouse.connection import (
    DuckDBCliMissing,
    WarehouseBusy,
    WarehouseIncompatible,
    WarehouseMissing,
    default_path,
    read_only,
)
from warehouse.runs import RunRecord
from warehouse.writer import Warehouse

__all__ = [
    "DuckDBCliMissing",
    "RunRecord",
    "Warehouse",
    "WarehouseBusy",
    "WarehouseIncompatible",
    "WarehouseMissing",
    "default_path",
    "read_only",
]
