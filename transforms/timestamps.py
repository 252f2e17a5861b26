"""Timestamps as the warehouse keeps them: naive UTC."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_timestamp(value) -> datetime | None:
    """An ISO 8601 string or a Unix time as naive UTC; None for anything else."""
    try:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return datetime.fromtimestamp(value, UTC).replace(tzinfo=None)
        if isinstance(value, str):
            when = datetime.fromisoformat(value.strip())
            return when.astimezone(UTC).replace(tzinfo=None) if when.tzinfo else when
    except (ValueError, OverflowError, OSError):
        pass
    return None
