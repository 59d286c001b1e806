"""The run as separate processes: killed with SIGKILL or interrupted, then rerun; and on a
scheduler and a worker started by hand, as a user's cluster would be.

The sweep runs in a subprocess (``run_sweep.py``); the reference is the same sweep run
uninterrupted. Worker processes leave their pid in a folder, so the tests can check that none
outlives the process that started it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import execution_tasks as et
import psutil
import pytest
import run_sweep
import xarray as xr
from helpers import fragments, sigkill_when, wait_for

from vle.execution import ResultStore, read_results, run_tasks

HERE = Path(__file__).resolve().parent
N, SLEEP = 12, 0.4
VOLATILE = ["pid", "elapsed", "params"]  # params name the run's folders


def sweep(store: Path, pids: Path, *extra: str) -> subprocess.Popen[str]:
    pids.mkdir(exist_ok=True)
    return subprocess.Popen([sys.executable, str(HERE / "run_sweep.py"), str(store), str(N),
                             str(SLEEP), str(pids), *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)






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
    sigkill_when(proc, lambda: fragments(store) >= 3, 60, "three finished tasks")
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
