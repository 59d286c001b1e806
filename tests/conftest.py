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


CORPUS = "test_bad_corpus.py::test_bad_input_is_one_message"
"""The held-out corpus of bad model files and paths (tests/model/test_bad_corpus.py)."""


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many cases of the bad-input corpus ran and how many were refused as expected
    (shown without ``-s``)."""
    outcomes = {k: sum(CORPUS in r.nodeid for r in terminalreporter.stats.get(k, [])
                       if getattr(r, "when", "call") == "call")
                for k in ("passed", "failed")}
    tried = outcomes["passed"] + outcomes["failed"]
    if tried:
        terminalreporter.write_line(f"bad-input corpus: {tried} cases tried, "
                                    f"{outcomes['passed']} refused with the expected message")
