"""The run as separate processes: killed with SIGKILL or interrupted, then rerun; and on a
scheduler and a worker started by hand, as a user's cluster would be.

The sweep runs in a subprocess (``run_sweep.py``); the reference is the same sweep run
uninterrupted. Worker processes leave their pid in a folder, so the tests can check that none
outlives the process that started it.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import distributed
import execution_tasks as et
import psutil
import pytest
import run_sweep
import xarray as xr

from vle.execution import ResultStore, read_results, run_tasks

HERE = Path(__file__).resolve().parent
N, SLEEP = 12, 0.4
VOLATILE = ["pid", "elapsed", "params"]  # params name the run's folders


def sweep(store: Path, pids: Path, *extra: str) -> subprocess.Popen[str]:
    pids.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, str(HERE / "run_sweep.py"), str(store), str(N),
                             str(SLEEP), str(pids), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)


def wait_for(predicate, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {timeout} s")
        time.sleep(0.05)


def fragments(store: Path) -> int:
    folder = store / "tasks"
    return len([p for p in folder.glob("*.npz") if not p.name.startswith(".")]) \
        if folder.exists() else 0


def workers_gone(pids: Path) -> bool:
    alive = [int(p.name) for p in pids.iterdir() if psutil.pid_exists(int(p.name))]
    return not [p for p in alive if psutil.Process(p).status() != psutil.STATUS_ZOMBIE]


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory, dask_cluster: str) -> xr.Dataset:
    """The sweep run uninterrupted (params hold the run's folders, so they are left out)."""
    folder = tmp_path_factory.mktemp("reference")
    with ResultStore(folder / "store", run_sweep.SPEC) as store:
        run_tasks(et.quick, run_sweep.tasks(N, 0.0, str(folder)), store,
                  scheduler=dask_cluster, progress=False)
    return read_results(folder / "store").drop_vars(VOLATILE)


def test_a_run_killed_with_sigkill_resumes_to_the_same_store(tmp_path: Path,
                                                            reference: xr.Dataset) -> None:
    store, pids = tmp_path / "store", tmp_path / "pids"
    proc = sweep(store, pids)
    try:
        wait_for(lambda: fragments(store) >= 3, 60, "three finished tasks")
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode != 0
    done = fragments(store)
    assert 3 <= done < N
    # the workers end with the process that started them, even on SIGKILL
    wait_for(lambda: workers_gone(pids), 20, "the worker processes to exit")
    rerun = sweep(store, pids)
    out, _ = rerun.communicate(timeout=120)
    assert rerun.returncode == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert summary["skipped"] == done and summary["ok"] == N - done
    assert fragments(store) == N
    xr.testing.assert_identical(read_results(store).drop_vars(VOLATILE), reference)
    with xr.open_dataset(store / "results.nc") as final:
        xr.testing.assert_identical(final.load().drop_vars(VOLATILE), reference)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def user_cluster() -> Iterator[str]:
    """A scheduler and a worker (two single-threaded processes) started as commands."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(HERE),
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
        with distributed.Client(address, timeout=60) as client:
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


@pytest.mark.slow  # about 15 s on a loaded 2-core machine: two more interpreters start vle
def test_a_scheduler_started_by_hand_gives_the_same_results(tmp_path: Path,
                                                            reference: xr.Dataset,
                                                            user_cluster: str) -> None:
    store, pids = tmp_path / "store", tmp_path / "pids"
    proc = sweep(store, pids, "--scheduler", user_cluster)
    out, _ = proc.communicate(timeout=120)
    assert proc.returncode == 0
    summary = json.loads(out.strip().splitlines()[-1])
    assert (summary["ok"], summary["workers"]) == (N, 2)
    xr.testing.assert_identical(read_results(store).drop_vars(VOLATILE), reference)
