"""run_tasks on a LocalCluster: results, failures, timeouts, worker death, resume, cleanup.

Most tests share one two-worker cluster (the ``dask_cluster`` fixture, started as run_tasks
starts its own) so that the module stays fast; the tests of the workers= path start their own.
"""

from __future__ import annotations

import _thread
import signal
import threading
import time
from pathlib import Path

import distributed
import execution_tasks as et
import numpy as np
import psutil
import pytest
import xarray as xr

from vle.execution import ResultStore, make_tasks, read_results, run_tasks

SPEC = {"test": "execution"}
PARAMS = [{"x": i} for i in range(6)]

# pid and elapsed differ from run to run by nature; everything else must be identical
VOLATILE = ["pid", "elapsed"]


def children() -> set[int]:
    """Child processes of this one, without multiprocessing's resource tracker (one per
    process that used the spawn method, ending with it)."""
    return {p.pid for p in psutil.Process().children(recursive=True)
            if "resource_tracker" not in " ".join(p.cmdline())}


def same_results(a: xr.Dataset, b: xr.Dataset) -> None:
    xr.testing.assert_identical(a.drop_vars(VOLATILE, errors="ignore"),
                                b.drop_vars(VOLATILE, errors="ignore"))


def test_results_do_not_depend_on_the_number_of_workers(tmp_path: Path,
                                                        dask_cluster: str) -> None:
    before = children()
    tasks = make_tasks([{"x": i, "sleep": 0.2} for i in range(6)], root_seed=5)
    with ResultStore(tmp_path / "w1", SPEC) as store:
        one = run_tasks(et.quick, tasks, store, workers=1, progress=False)
    assert children() <= before  # the cluster is gone with its processes
    with ResultStore(tmp_path / "w2", SPEC) as store:
        two = run_tasks(et.quick, tasks, store, scheduler=dask_cluster, progress=False)
    assert (one.ok, one.workers, two.ok, two.workers) == (6, 1, 6, 2)
    ds1, ds2 = read_results(tmp_path / "w1"), read_results(tmp_path / "w2")
    assert len(set(ds1["pid"].values.tolist())) == 1
    assert len(set(ds2["pid"].values.tolist())) == 2
    same_results(ds1, ds2)
    expected = [np.random.default_rng(t.seed).normal(size=3) for t in tasks]
    np.testing.assert_array_equal(ds2["noise"].values, expected)
    xr.testing.assert_identical(xr.load_dataset(tmp_path / "w1" / "results.nc"), ds1)


@pytest.fixture
def sigint_raises():
    """Ctrl-C raises KeyboardInterrupt here even when the suite was started with SIGINT
    ignored (a shell's background job inherits that, and then brian2's handler, installed on
    import, wraps SIG_IGN and fails with a TypeError instead)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def test_an_interrupted_run_stops_its_cluster(tmp_path: Path, sigint_raises) -> None:
    before = children()
    tasks = make_tasks([{"x": i, "sleep": 0.3} for i in range(20)], root_seed=5)

    def interrupt_after_two() -> None:
        while len(list((tmp_path / "tasks").glob("0*.npz"))) < 2:
            time.sleep(0.02)
        _thread.interrupt_main()

    with ResultStore(tmp_path, SPEC) as store:
        threading.Thread(target=interrupt_after_two, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            run_tasks(et.quick, tasks, store, workers=1, progress=False)
        assert 2 <= len(store.done_keys()) < 20
    assert children() <= before
    assert read_results(tmp_path).sizes["task"] >= 2


def test_a_failing_task_is_recorded_and_the_run_goes_on(tmp_path: Path, dask_cluster: str) -> None:
    tasks = make_tasks(PARAMS, root_seed=1)
    with ResultStore(tmp_path, SPEC) as store:
        summary = run_tasks(et.fails_on_two, tasks, store, scheduler=dask_cluster, progress=False)
        ds = store.to_dataset()
    assert (summary.ok, summary.failed) == (5, 1)
    assert ds["status"].values[2] == "failed"
    assert ds["message"].values[2].startswith("ValueError: no convergence at x = 2 (at "
                                              "execution_tasks.py:")
    assert np.isnan(ds["y"].values[2]) and ds["y"].values[3] == 9.0


def test_a_rerun_skips_finished_tasks_and_can_rerun_failed(tmp_path: Path,
                                                           dask_cluster: str) -> None:
    tasks = make_tasks(PARAMS, root_seed=1)
    with ResultStore(tmp_path, SPEC) as store:
        first = run_tasks(et.fails_on_two, tasks[:3], store, scheduler=dask_cluster,
                          progress=False)
        assert (first.ok, first.failed) == (2, 1)
        second = run_tasks(et.quick, tasks, store, scheduler=dask_cluster, progress=False)
        assert (second.skipped, second.ok) == (3, 3)
        third = run_tasks(et.quick, tasks, store, scheduler=dask_cluster, progress=False,
                          rerun_failed=True)
        assert (third.skipped, third.ok) == (5, 1)
        assert set(store.statuses().values()) == {"ok"}
        nothing = run_tasks(et.quick, tasks, store, scheduler=dask_cluster, progress=False)
        assert (nothing.skipped, nothing.finished, nothing.workers) == (6, 0, 0)


def test_no_progress_bar_when_stderr_is_no_terminal(tmp_path: Path, dask_cluster: str,
                                                   capfd: pytest.CaptureFixture[str]) -> None:
    with ResultStore(tmp_path, SPEC) as store:
        run_tasks(et.quick, make_tasks(PARAMS[:2], 0), store, scheduler=dask_cluster)
    err = capfd.readouterr().err
    assert "task/s" not in err and "2/2" not in err  # what tqdm would print


def test_a_worker_killed_mid_task_is_retried(tmp_path: Path, dask_cluster: str) -> None:
    tasks = make_tasks([{"x": i, "marker_dir": str(tmp_path)} for i in range(4)], 2)
    with ResultStore(tmp_path / "s", SPEC) as store:
        summary = run_tasks(et.kills_its_worker_once, tasks, store, scheduler=dask_cluster,
                            progress=False)
        ds = store.to_dataset()
    assert (tmp_path / f"killed-{tasks[1].key}").exists()
    assert summary.ok == 4 and summary.retried >= 1
    assert list(ds["status"].values) == ["ok"] * 4
    assert ds["attempts"].values[1] == 2
    assert ds["y"].values[1] == 1.0


def test_a_dead_worker_past_the_retries_loses_the_task(tmp_path: Path, dask_cluster: str) -> None:
    tasks = make_tasks([{"x": 1, "marker_dir": str(tmp_path)}], 2)
    with ResultStore(tmp_path / "s", SPEC) as store:
        summary = run_tasks(et.kills_its_worker_once, tasks, store, scheduler=dask_cluster,
                            progress=False, retries=0)
        ds = store.to_dataset()
    assert summary.lost == 1
    assert ds["status"].values[0] == "lost" and "died 1 times" in ds["message"].values[0]


def test_a_task_past_its_timeout_is_stopped(tmp_path: Path, dask_cluster: str) -> None:
    tasks = make_tasks(PARAMS[:4], root_seed=1)
    with ResultStore(tmp_path, SPEC) as store:
        t0 = time.perf_counter()
        summary = run_tasks(et.hangs_on_one, tasks, store, scheduler=dask_cluster, timeout=1.0,
                            progress=False)
        wall = time.perf_counter() - t0
        ds = store.to_dataset()
    assert (summary.ok, summary.timeout) == (3, 1)
    assert ds["status"].values[1] == "timeout"
    assert "still running after 1 s" in ds["message"].values[1]
    assert wall < 60
    # the hung worker was restarted: the cluster has its two workers, none of them busy
    with distributed.Client(dask_cluster, set_as_default=False) as client:
        client.wait_for_workers(2, timeout=30)
        assert not any(client.processing().values())


def test_a_run_leaves_dasks_global_scheduler_alone(tmp_path: Path, dask_cluster: str) -> None:
    """run_tasks's client is not dask's default: in a thread or not, a run does not leave
    ``dask.config`` pointing at a closed client (which broke xarray's writes afterwards)."""
    import threading

    import dask

    before = dask.config.get("scheduler", None)
    with ResultStore(tmp_path, SPEC) as store:
        run = threading.Thread(target=run_tasks, args=(et.quick, make_tasks(PARAMS[:2], 0),
                                                      store), kwargs={"scheduler": dask_cluster,
                                                                      "progress": False})
        run.start()
        run.join(timeout=120)
    assert dask.config.get("scheduler", None) == before
