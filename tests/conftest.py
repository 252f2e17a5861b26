import shutil
from pathlib import Path

import pytest
from prefect.testing.utilities import prefect_test_harness

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
