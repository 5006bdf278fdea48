"""Shared fixtures: the seed, the demo workspace, the shared data folder."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.demo_workspace import ROOT, ensure_demo_workspace

SHARED_DATA = Path(os.environ.get("CSKIT_SHARED_DATA", ROOT.parent / "shared" / "data"))


def pytest_sessionstart(session):
    """Point every kernel the tests start (nbval's too) at the demo workspace."""
    os.environ["CSKIT_WORKSPACE"] = str(ensure_demo_workspace())


@pytest.fixture
def global_random_seed() -> int:
    """The seed every randomised test uses; set CSKIT_TEST_SEED to sweep it."""
    return int(os.environ.get("CSKIT_TEST_SEED", "42"))


@pytest.fixture(scope="session")
def demo_workspace() -> Path:
    """The demo company's workspace (built once per code change)."""
    return ensure_demo_workspace()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The folder of public datasets; tests using it skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"shared data folder {SHARED_DATA} is absent; set CSKIT_SHARED_DATA"
        )
    return SHARED_DATA
