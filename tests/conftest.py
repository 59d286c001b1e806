"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


@pytest.fixture
def lagline_path() -> Path:
    return EXAMPLES / "lagline.toml"


def have_ngspice() -> bool:
    return shutil.which("ngspice") is not None


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[str]:
    """The address of a two-worker LocalCluster as vle.execution starts it, shared by the
    tests of tests/execution so that they start worker processes once."""
    from vle.execution import local_cluster

    with local_cluster(2) as cluster:
        yield cluster.scheduler_address
