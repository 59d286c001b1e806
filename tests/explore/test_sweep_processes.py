"""Sweeps as a user runs them: ``vle sweep`` killed with SIGKILL and rerun, a worker killed in
the middle of a point, and a scheduler and a worker started by hand on loopback."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import distributed
import pytest
import xarray as xr
from helpers import fragments, sigkill_when, wait_for
from sweeps import tiny_sweep

from vle.explore import load_sweep, run_sweep, sweep_dataset

SLOW_SAMPLES = 40
"""Monte Carlo draws per point: about a second of numba work, so a run can be stopped with
points finished and points in flight."""

VOLATILE = ["elapsed", "attempts"]


def vle_sweep(sweep: Path, out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "vle", "sweep", str(sweep), "--out",
                             str(out), "--quiet", *extra], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)






@pytest.fixture(scope="module")
def slow_sweep(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tiny_sweep(tmp_path_factory.mktemp("sweep"), samples=SLOW_SAMPLES,
                      capacitance="[0.5e-12, 1e-12, 2e-12]")


@pytest.fixture(scope="module")
def reference(slow_sweep: Path, tmp_path_factory: pytest.TempPathFactory,
              dask_cluster: str) -> xr.Dataset:
    """The sweep run uninterrupted on the shared LocalCluster."""
    out = tmp_path_factory.mktemp("reference") / "store"
    _, ds = run_sweep(load_sweep(slow_sweep), out, scheduler=dask_cluster, progress=False)
    assert list(ds["status"].values) == ["ok"] * 6
    return ds.drop_vars(VOLATILE)


@pytest.mark.slow  # about 20 s: three interpreters start vle and its cluster
def test_vle_sweep_killed_with_sigkill_resumes_to_the_same_store(
        slow_sweep: Path, reference: xr.Dataset, tmp_path: Path) -> None:
    store = tmp_path / "store"
    proc = vle_sweep(slow_sweep, store)
    sigkill_when(proc, lambda: fragments(store) >= 2, 120, "two finished points")
    done = fragments(store)
    assert 2 <= done < 6
    rerun = vle_sweep(slow_sweep, store)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert fragments(store) == 6
    xr.testing.assert_identical(sweep_dataset(store).drop_vars(VOLATILE), reference)
    with xr.open_dataset(store / "results.nc") as nc:
        assert nc.sizes["point"] == 6 and list(nc["status"].values) == ["ok"] * 6


@pytest.mark.slow  # about 10 s
def test_a_worker_killed_mid_point_is_retried_and_the_sweep_completes(
        slow_sweep: Path, reference: xr.Dataset, tmp_path: Path, dask_cluster: str) -> None:
    store = tmp_path / "store"
    result: dict[str, object] = {}
    run = threading.Thread(target=lambda: result.update(ds=run_sweep(
        load_sweep(slow_sweep), store, scheduler=dask_cluster, progress=False)[1]))
    run.start()
    # not the default client: the run's own client lives in another thread, and two default
    # clients closed out of order would leave dask's global scheduler set to a closed one
    with distributed.Client(dask_cluster, timeout=30, set_as_default=False) as client:
        def busy() -> list[str]:
            return [w for w, tasks in client.processing().items() if tasks]
        wait_for(lambda: len(busy()) == 2 and fragments(store) >= 1, 120,
                 "both workers in a point")
        victim = busy()[0]
        pid = client.run(os.getpid, workers=[victim])[victim]
        os.kill(pid, signal.SIGKILL)
    run.join(timeout=300)
    assert not run.is_alive()
    ds = result["ds"]
    assert isinstance(ds, xr.Dataset)
    assert list(ds["status"].values) == ["ok"] * 6
    assert int(ds["attempts"].values.max()) == 2  # the point on the killed worker ran twice
    xr.testing.assert_identical(ds.drop_vars(VOLATILE), reference)


@pytest.mark.slow  # about 20 s: a scheduler, a worker command and vle sweep start
def test_a_scheduler_and_worker_started_by_hand_give_the_same_sweep(
        slow_sweep: Path, reference: xr.Dataset, tmp_path: Path, user_cluster: str) -> None:
    store = tmp_path / "store"
    proc = vle_sweep(slow_sweep, store, "--scheduler", user_cluster)
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    xr.testing.assert_identical(sweep_dataset(store).drop_vars(VOLATILE), reference)
