"""The DuckDB warehouse: schema (`schema/*.sql`), views (`views/*.sql`), the one writer, and read-only access."""

from warehouse.connection import WarehouseBusy, WarehouseMissing, default_path, read_only
from warehouse.writer import RunRecord, Warehouse

__all__ = ["RunRecord", "Warehouse", "WarehouseBusy", "WarehouseMissing", "default_path", "read_only"]
