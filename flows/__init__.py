"""Prefect flows that wire transforms to the warehouse, and the `newsmill` command line."""

import os

# Prefect's temporary server phones home at start-up; where there is no internet that
# only prints an error. A user who wants telemetry can still set the variable.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
