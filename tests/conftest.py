import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

# Before Prefect is imported: the test harness's server would phone home, and log its
# failure to, where there is no internet.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
from prefect.testing.utilities import prefect_test_harness  # noqa: E402

# In CI the property tests replay the same examples every run, so a submission's result
# does not depend on the draw; run them locally to explore new inputs.
settings.register_profile("ci", derandomize=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

SAMPLE = Path(__file__).resolve().parents[1] / "examples" / "sample"


@pytest.fixture(scope="session")
def prefect_server():
    """One temporary Prefect server for every flow run in the session."""
    with prefect_test_harness():
        yield


@pytest.fixture
def sample_copy(tmp_path) -> Path:
    """A private copy of the bundled sample corpus, free to edit."""
    return Path(shutil.copytree(SAMPLE, tmp_path / "sample"))
