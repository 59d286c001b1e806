"""Shared fixtures and helpers for the test suite."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def user_cluster() -> Iterator[str]:
    """A scheduler and a worker command (two single-threaded worker processes) started as a
    user would start them, on loopback; the worker processes can import the test task
    functions of tests/execution."""
    import distributed

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "tests" / "execution"),
                                                        os.environ.get("PYTHONPATH", "")])}
    loopback = ["--no-dashboard", "--dashboard-address", "127.0.0.1:0"]
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": env}
    procs = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler",
                               "--host", "127.0.0.1", "--port", str(port),
                               *loopback], **quiet)]  # type: ignore[call-overload]
    try:
        procs.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker",
                                       address, "--host", "127.0.0.1", "--nworkers", "2",
                                       "--nthreads", "1", *loopback],
                                      **quiet))  # type: ignore[call-overload]
        with distributed.Client(address, timeout=60, set_as_default=False) as client:
            client.wait_for_workers(2, timeout=60)  # run_tasks counts the workers it finds
        yield address
    finally:
        for p in reversed(procs):  # the worker first, while its scheduler still answers
            p.send_signal(signal.SIGTERM)  # the CLIs stop their processes on SIGTERM
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


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
